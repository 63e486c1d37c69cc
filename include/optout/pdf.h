/*
 * pdf: render documents (include/optout/doc.h) as print-ready PDF letters.
 *
 * Letter paper places the recipient block for a #10 window envelope, A4
 * for a DL window envelope (DIN 5008 form B).  Text that fits Windows-1252
 * uses the base-14 Helvetica fonts (no font embedded); anything else embeds
 * a subset of DejaVu Sans made by the ttf module.  Scripts that need
 * shaping or right-to-left layout (Arabic, Hebrew, Indic, CJK, Thai, ...),
 * characters outside the Basic Multilingual Plane (emoji) and characters
 * the font lacks are refused with a message naming the code point and the
 * block, never printed as "?".  The PDF carries no personal metadata: its
 * Producer is "optout" and nothing else is set.  No temporary file is
 * written: the font subset stays in memory and is embedded as a Type0 font
 * drawn by its own glyph ids, with a ToUnicode map for text extraction.
 *
 * Contract: functions return 0 or -1 and set *cause to an allocated message
 * the caller frees; messages never contain document text.  *out is
 * allocated (free it with free()).  The parsed fonts, and the last few
 * subsets made from them (which hold the characters of recent letters),
 * are cached in memory for the life of the process; pdf_cache_clear
 * releases them.  Not thread-safe.
 */
#ifndef OPTOUT_PDF_H
#define OPTOUT_PDF_H

#include <stddef.h>

#include "optout/doc.h"

/* Where fonts-dejavu-core installs DejaVu Sans. */
#define PDF_FONT_DIR "/usr/share/fonts/truetype/dejavu"

struct pdf_opts {
	/* PNG or JPEG drawn above the name lines; NULL: a line to sign on. */
	const char *signature_image;
	/* Holds DejaVuSans.ttf and DejaVuSans-Bold.ttf; NULL: PDF_FONT_DIR. */
	const char *font_dir;
	/* pdf_render_many: add a blank page so each letter starts on an odd page. */
	int duplex;
};

/* Render one letter; o may be NULL for the defaults. */
int pdf_render(const struct doc *d, const struct pdf_opts *o, unsigned char **out,
    size_t *len, char **cause);
/*
 * Render several letters into one PDF: each starts on a new page and has
 * its own "Page N of M" numbering.  Messages say which letter (1-based).
 */
int pdf_render_many(const struct doc *const *docs, size_t n, const struct pdf_opts *o,
    unsigned char **out, size_t *len, char **cause);
/* Check that every character of a document can be printed, without rendering. */
int pdf_check(const struct doc *d, const struct pdf_opts *o, char **cause);
/* Release the cached fonts. */
void pdf_cache_clear(void);

#endif
