/* pdf: business letters as PDF through libharu (the only module that includes hpdf.h). */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>
#include <hpdf_conf.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>

#include "optout/doc.h"
#include "optout/i18n.h"
#include "optout/pdf.h"
#include "optout/ttf.h"
#include "optout/util.h"

#define MM(v) ((float)((v) * 72.0 / 25.4))
#define IN(v) ((float)((v) * 72.0))

enum { F_REG, F_BOLD, F_COUNT };

/* Type sizes and spacing, in points. */
#define BODY_SIZE 10.5f
#define BODY_LEAD 14.0f
#define HEAD_SIZE 11.5f
#define HEAD_LEAD 15.0f
#define PARA_GAP 7.0f
#define ITEM_GAP 2.5f
#define TABLE_SIZE 9.5f
#define TABLE_LEAD 12.0f
#define CELL_PAD_X 4.0f
#define CELL_PAD_Y 2.5f
#define FOOT_SIZE 8.0f
#define BULLET_X 6.0f
#define ITEM_X 18.0f
#define SIG_MAX_H 42.0f
#define SIG_MAX_W 180.0f
#define SIG_SPACE 30.0f
#define SIG_LINE_W 200.0f

/* Widths of U+0000..U+1FFF are cached per face (Latin, Greek, Cyrillic, Vietnamese). */
#define WCACHE_SIZE 0x2000
/* Text that is always drawn: the footer, the enclosures label, bullets, the A4 return line. */
static const char LABELS[] = "Page 0123456789 of Reference: Enclosures: , \xe2\x80\xa2";

/*
 * Where things go on the page, in points measured from the top-left corner
 * (the layout works top-down; drawing converts to PDF's bottom-up y).
 *
 * US Letter, #10 window envelope (4 1/8" x 9 1/2"; window 4 1/2" x 1 1/8",
 * 7/8" from the left and 1/2" from the bottom).  The tri-folded letter's
 * top panel is 11/3 = 3 2/3" tall; resting on its fold at the bottom of the
 * envelope, the window shows the page from 3 2/3 - 1 5/8 = 2 1/24" (2.04")
 * to 3 2/3 - 1/2 = 3 1/6" (3.17") from the top, and from 7/8" to 5 3/8"
 * from the left.  The recipient block therefore sits 2 1/8" to 3" from the
 * top, starting 1" from the left and at most 4" wide: inside the window
 * with 1/12" to spare above and 1/6" below, matching the usual guidance of
 * "about 2" to 2 3/4" from the top, 1" from the left".  The sender block
 * stays above 1 1/2" so it never shows through the window even when the
 * letter slides up in the envelope (0.46" of play).  Fold marks at 3 2/3"
 * and 7 1/3" help fold it where these numbers assume.
 *
 * A4, DL window envelope, DIN 5008 form B: the address field is 45 mm from
 * the top and 20 mm from the left, 85 x 45 mm; its first 17.7 mm are the
 * "Zusatz- und Vermerkzone" (we print a one-line return address at its
 * foot) and the remaining 27.3 mm the "Anschriftzone" for up to six lines
 * of recipient address, indented 5 mm (so at 25 mm, the text margin, and at
 * most 75 mm wide).  Fold marks at 105 mm and 210 mm, the punch mark at
 * 148.5 mm; the text starts below the field at 97 mm.
 */
struct geom {
	float w, h;
	float left, right;      /* margins */
	float top;              /* content top on later pages */
	float bottom;           /* content bottom */
	float foot;             /* footer baseline */
	float from_top, from_h; /* sender block band */
	float to_x, to_top, to_w, to_h; /* recipient block in the window */
	float ret_base, ret_w;  /* A4 return line; 0 when none */
	float body;             /* first page: where the date line goes */
	float mark[3], mark_len[3];
};

/* Fill in the geometry for a paper size. */
static void
geom_for(enum doc_paper paper, struct geom *g)
{
	memset(g, 0, sizeof *g);
	if (paper == DOC_PAPER_A4) {
		g->w = MM(210);
		g->h = MM(297);
		g->left = MM(25);
		g->right = MM(20);
		g->top = MM(20);
		g->bottom = g->h - MM(22);
		g->foot = g->h - MM(12);
		g->from_top = MM(12);
		g->from_h = MM(28);
		g->to_x = MM(25);
		g->to_top = MM(45 + 17.7);
		g->to_w = MM(75);
		g->to_h = MM(27.3);
		g->ret_base = MM(45 + 17.7 - 2);
		g->ret_w = MM(75);
		g->body = MM(97);
		g->mark[0] = MM(105), g->mark_len[0] = MM(5);
		g->mark[1] = MM(210), g->mark_len[1] = MM(5);
		g->mark[2] = MM(148.5), g->mark_len[2] = MM(8);
	} else {
		g->w = IN(8.5);
		g->h = IN(11);
		g->left = IN(1);
		g->right = IN(1);
		g->top = IN(1);
		g->bottom = g->h - IN(0.875);
		g->foot = g->h - IN(0.5);
		g->from_top = IN(0.5);
		g->from_h = IN(1);
		g->to_x = IN(1);
		g->to_top = IN(2.125);
		g->to_w = IN(4);
		g->to_h = IN(0.875);
		g->body = IN(3.375);
		g->mark[0] = IN(11.0 / 3), g->mark_len[0] = IN(0.15);
		g->mark[1] = IN(22.0 / 3), g->mark_len[1] = IN(0.15);
	}
}

/*
 * A face's embedded font for one set of characters, deflated: the letters
 * of one person (a packet, a client of a batch) use the same characters,
 * and every letter the same bold subject line, so the subset is made and
 * compressed once.
 */
struct font_entry {
	uint32_t *cps;          /* sorted; NULL: an empty slot */
	size_t n;
	unsigned *gids;         /* the subset's glyph id of each code point */
	size_t ttf_len;         /* the subset's size (FontFile2's /Length1) */
	unsigned char *ttf_z;   /* the subset, deflated */
	size_t ttf_zlen;
	unsigned char *cmap_z;  /* the ToUnicode CMap, deflated */
	size_t cmap_zlen;
	unsigned long used;     /* when last used, for eviction */
};
#define FONT_CACHE 4

/* The parsed DejaVu fonts, read once per process, and the fonts last embedded. */
static struct {
	char *dir;
	struct ttf_font *tf[F_COUNT];
	struct ttf_metrics met[F_COUNT];
	uint16_t *wcache[F_COUNT];
	struct font_entry cache[F_COUNT][FONT_CACHE];
	unsigned long tick;
} fonts;

/* Helvetica and Helvetica-Bold widths of each Windows-1252 byte (1/1000 em). */
static uint16_t w1252[F_COUNT][256];
static int have_w1252;

/* What libharu reported through its error handler. */
struct hctx {
	HPDF_STATUS error;
	HPDF_STATUS detail;
};

enum op_kind { OP_TEXT, OP_LINE, OP_FILL, OP_IMAGE };

/* One drawing operation, in PDF coordinates. */
struct op {
	unsigned char kind;
	unsigned char face;
	float size;
	float gray;
	float x, y, x2, y2;     /* text: origin; line: ends; fill, image: corner and size */
	size_t text;            /* offset of the NUL-terminated text in render.text */
};

struct page {
	float w, h;
	float left, right, foot;        /* footer: margins and baseline (PDF y) */
	size_t first, count;    /* its ops */
	size_t letter;
	unsigned num, total;    /* 0 on a blank page */
};

/*
 * A face embedded as a Type0 font: its code points in order.  Code point
 * cps[i] is drawn as CID i + 1 (CID 0 is .notdef); the CIDFont maps CIDs to
 * the subset's glyph ids, and its ToUnicode CMap maps them back to text.
 */
struct emb {
	uint32_t *cps;
	size_t n;
};

struct letter {
	size_t ref;             /* offset of the cleaned reference; SIZE_MAX when none */
	float foot_size;
	const char *page_fmt;   /* "Page %u of %u" in the letter's language (borrowed) */
};

/* The footer's labels in the page's language (NULL: English), through its catalogue. */
/* TRANSLATORS: the footer of every printed page, left: the request reference */
#define FOOT_REF(d) i18n_page_gettext((d)->lang, N_("Reference: %s"))
/* TRANSLATORS: the footer of every printed page, right */
#define FOOT_PAGE(d) i18n_page_gettext((d)->lang, N_("Page %u of %u"))
/* TRANSLATORS: the heading of a letter's list of enclosed documents */
#define ENCLOSURES(d) i18n_page_gettext((d)->lang, N_("Enclosures:"))

/* Where a piece of text came from, for messages. */
struct where {
	size_t letter;          /* 1-based when rendering several, else 0 */
	const char *what;       /* "the subject line", or NULL to use the block kind */
	enum doc_kind kind;
	size_t block;           /* 1-based, 0 for none */
	size_t line;            /* 1-based, 0 for none */
};

struct span {
	size_t off, len;
};

struct spans {
	struct span *v;
	size_t n, cap;
};

struct render {
	struct pdf_opts o;
	int unicode;            /* DejaVu is embedded (else base-14 Helvetica) */
	int used_any[F_COUNT];
	unsigned char used[F_COUNT][0x10000 / 8];
	/* layout */
	struct geom g;
	float y;
	struct op *ops;
	size_t nops, opcap;
	struct page *pages;
	size_t npages, pagecap;
	struct letter *letters;
	size_t nletters;
	struct buf text;
	/* libharu */
	struct hctx hc;
	HPDF_Doc pdf;
	HPDF_Font font[F_COUNT];        /* base-14, or the Type0 dictionaries we build */
	struct emb emb[F_COUNT];
	HPDF_Image sig;
	float sig_w, sig_h;
};

/* Windows-1252 0x80..0x9F as Unicode (0 where undefined). */
static const uint16_t cp1252_high[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

/* Scripts that need shaping, right-to-left layout or fonts we do not have. */
static const struct {
	uint32_t lo, hi;
	const char *name;
} unsupported[] = {
	{ 0x0590, 0x05FF, "Hebrew" }, { 0x0600, 0x06FF, "Arabic" }, { 0x0700, 0x074F, "Syriac" },
	{ 0x0750, 0x077F, "Arabic" }, { 0x0780, 0x07BF, "Thaana" }, { 0x07C0, 0x07FF, "N'Ko" },
	{ 0x0800, 0x08FF, "Samaritan, Mandaic or Arabic" }, { 0x0900, 0x097F, "Devanagari" },
	{ 0x0980, 0x09FF, "Bengali" }, { 0x0A00, 0x0A7F, "Gurmukhi" },
	{ 0x0A80, 0x0AFF, "Gujarati" }, { 0x0B00, 0x0B7F, "Oriya" }, { 0x0B80, 0x0BFF, "Tamil" },
	{ 0x0C00, 0x0C7F, "Telugu" }, { 0x0C80, 0x0CFF, "Kannada" },
	{ 0x0D00, 0x0D7F, "Malayalam" }, { 0x0D80, 0x0DFF, "Sinhala" }, { 0x0E00, 0x0E7F, "Thai" },
	{ 0x0E80, 0x0EFF, "Lao" }, { 0x0F00, 0x0FFF, "Tibetan" }, { 0x1000, 0x109F, "Myanmar" },
	{ 0x1100, 0x11FF, "Hangul" }, { 0x1700, 0x177F, "Philippine scripts" },
	{ 0x1780, 0x17FF, "Khmer" }, { 0x1800, 0x18AF, "Mongolian" },
	{ 0x1900, 0x19DF, "Limbu, Tai Le or New Tai Lue" }, { 0x19E0, 0x19FF, "Khmer" },
	{ 0x1A00, 0x1AAF, "Buginese or Tai Tham" }, { 0x1B00, 0x1BFF, "Balinese, Sundanese or Batak" },
	{ 0x1C00, 0x1C7F, "Lepcha or Ol Chiki" }, { 0x1CD0, 0x1CFF, "Vedic" },
	{ 0x2E80, 0x2FFF, "CJK" }, { 0x3000, 0x303F, "CJK" }, { 0x3040, 0x309F, "Hiragana" },
	{ 0x30A0, 0x30FF, "Katakana" }, { 0x3100, 0x312F, "Bopomofo" },
	{ 0x3130, 0x318F, "Hangul" }, { 0x3190, 0x9FFF, "CJK" }, { 0xA000, 0xA4CF, "Yi" },
	{ 0xA800, 0xA8FF, "Syloti Nagri, Phags-pa, Saurashtra or Devanagari" },
	{ 0xA900, 0xA9FF, "Kayah Li, Rejang or Javanese" },
	{ 0xAA00, 0xAAFF, "Cham, Myanmar or Tai Viet" }, { 0xABC0, 0xABFF, "Meetei Mayek" },
	{ 0xAC00, 0xD7FF, "Hangul" }, { 0xD800, 0xDFFF, "a surrogate" },
	{ 0xE000, 0xF8FF, "private use" }, { 0xF900, 0xFAFF, "CJK" },
	{ 0xFB00, 0xFB4F, "a presentation form" }, { 0xFB50, 0xFDFF, "Arabic" },
	{ 0xFE00, 0xFE0F, "a variation selector" }, { 0xFE10, 0xFE6F, "a CJK or small form" },
	{ 0xFE70, 0xFEFF, "Arabic" }, { 0xFF00, 0xFFEF, "a halfwidth or fullwidth form" },
	{ 0xFFF0, 0xFFFF, "a special" },
};

enum cls { C_TEXT, C_SPACE, C_DROP, C_CONTROL, C_SCRIPT, C_ASTRAL };

/* Record libharu's first error; the failing call's status is checked too. */
static void
on_hpdf_error(HPDF_STATUS error, HPDF_STATUS detail, void *user)
{
	struct hctx *h = user;

	if (h->error == HPDF_OK) {
		h->error = error;
		h->detail = detail;
	}
}

/* Decode one UTF-8 character of NUL-terminated text; its length, or 0 when malformed. */
static size_t
u8dec(const unsigned char *s, uint32_t *cp)
{
	return utf8_decode(s, SIZE_MAX, cp);
}

/* The Windows-1252 byte for a code point, or -1. */
static int
to_cp1252(uint32_t cp)
{
	int i;

	if ((cp >= 0x20 && cp < 0x7F) || (cp >= 0xA0 && cp <= 0xFF))
		return (int)cp;
	for (i = 0; i < 32; i++) {
		if (cp1252_high[i] != 0 && cp1252_high[i] == cp)
			return 0x80 + i;
	}
	return -1;
}

/* Sort a code point into text, white space, invisible, or unprintable. */
static enum cls
classify(uint32_t cp, const char **script)
{
	size_t i;

	*script = NULL;
	if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x2028 ||
	    cp == 0x2029 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F)
		return C_SPACE;
	if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
		return C_CONTROL;
	/* Soft hyphen, zero-width and direction marks: nothing to draw. */
	if (cp == 0xAD || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
	    cp == 0x2060 || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF)
		return C_DROP;
	if (cp < unsupported[0].lo)
		return C_TEXT;
	if (cp > 0xFFFF)
		return C_ASTRAL;
	for (i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++) {
		if (cp >= unsupported[i].lo && cp <= unsupported[i].hi) {
			*script = unsupported[i].name;
			return C_SCRIPT;
		}
	}
	/*
	 * The table above already covers everything from U+D000 on (where
	 * libharu's UTF-8 encoder, once used here, ended); this is a safety net.
	 */
	if (cp >= 0xD000) {
		*script = "outside the range the PDF library encodes";
		return C_SCRIPT;
	}
	return C_TEXT;
}

/* Name a block kind for messages. */
static const char *
kind_name(enum doc_kind k)
{
	switch (k) {
	case DOC_HEADING:
		return "heading";
	case DOC_PARAGRAPH:
		return "paragraph";
	case DOC_LIST:
		return "list";
	case DOC_FROM:
		return "sender address";
	case DOC_TO:
		return "recipient address";
	case DOC_SIGNATURE:
		return "signature block";
	case DOC_ENCLOSURES:
		return "enclosures list";
	case DOC_TABLE:
		return "table";
	case DOC_PAGEBREAK:
		return "page break";
	}
	return "block";
}

/* Describe a location as "letter 2: paragraph (block 3, line 1)". */
static char *
where_text(const struct where *w)
{
	char pre[48] = "", what[96];

	if (w->letter > 0)
		snprintf(pre, sizeof pre, "letter %zu: ", w->letter);
	if (w->what != NULL)
		snprintf(what, sizeof what, "%s", w->what);
	else if (w->line > 0)
		snprintf(what, sizeof what, "the %s (block %zu, %s %zu)", kind_name(w->kind),
		    w->block, w->kind == DOC_TABLE ? "row" : "line", w->line);
	else
		snprintf(what, sizeof what, "the %s (block %zu)", kind_name(w->kind), w->block);
	return xasprintf("%s%s", pre, what);
}

/* Prefix for messages about a whole letter. */
static char *
letter_prefix(size_t letter)
{
	return letter > 0 ? xasprintf("letter %zu: ", letter) : xstrdup("");
}

/* Load (or reuse) the regular and bold fonts from dir. */
static int
fonts_load(const char *dir, char **cause)
{
	static const char *names[F_COUNT] = { "DejaVuSans.ttf", "DejaVuSans-Bold.ttf" };
	struct ttf_font *tf[F_COUNT] = { NULL, NULL };
	int i;

	if (fonts.dir != NULL && strcmp(fonts.dir, dir) == 0)
		return 0;
	for (i = 0; i < F_COUNT; i++) {
		char *path = path_join(dir, names[i]);
		int rc = ttf_load_file(path, &tf[i], cause);

		free(path);
		if (rc != 0) {
			ttf_free(tf[0]);
			return -1;
		}
	}
	pdf_cache_clear();
	fonts.dir = xstrdup(dir);
	for (i = 0; i < F_COUNT; i++) {
		fonts.tf[i] = tf[i];
		ttf_metrics(tf[i], &fonts.met[i]);
		fonts.wcache[i] = xmalloc(WCACHE_SIZE * sizeof *fonts.wcache[i]);
		memset(fonts.wcache[i], 0xFF, WCACHE_SIZE * sizeof *fonts.wcache[i]);
	}
	return 0;
}

/* Empty a slot of the embedded-font cache, wiping the characters it tells of. */
static void
font_entry_free(struct font_entry *fe)
{
	if (fe->cps != NULL)
		explicit_bzero(fe->cps, fe->n * sizeof *fe->cps);
	if (fe->cmap_z != NULL)
		explicit_bzero(fe->cmap_z, fe->cmap_zlen);
	free(fe->cps);
	free(fe->gids);
	free(fe->ttf_z);
	free(fe->cmap_z);
	memset(fe, 0, sizeof *fe);
}

/* Release the cached fonts. */
void
pdf_cache_clear(void)
{
	int i, k;

	for (i = 0; i < F_COUNT; i++) {
		for (k = 0; k < FONT_CACHE; k++)
			font_entry_free(&fonts.cache[i][k]);
		ttf_free(fonts.tf[i]);
		free(fonts.wcache[i]);
		fonts.tf[i] = NULL;
		fonts.wcache[i] = NULL;
	}
	free(fonts.dir);
	fonts.dir = NULL;
}

/* Check one string: printable, and (when glyphs is set) present in the font. */
static int
scan_str(struct render *r, const char *s, int face, const struct where *w, int glyphs,
    char **cause)
{
	const unsigned char *p = (const unsigned char *)s;
	char *loc;

	if (s == NULL)
		return 0;
	while (*p != '\0') {
		uint32_t cp;
		size_t n = u8dec(p, &cp);
		const char *script;

		if (n == 0) {
			loc = where_text(w);
			*cause = xasprintf("%s: invalid UTF-8", loc);
			free(loc);
			return -1;
		}
		p += n;
		switch (classify(cp, &script)) {
		case C_SPACE:
			/* Every white space prints as U+0020, which the subset must hold. */
			cp = ' ';
			break;
		case C_DROP:
			continue;
		case C_CONTROL:
			loc = where_text(w);
			*cause = xasprintf("U+%04X in %s is a control character", (unsigned)cp, loc);
			free(loc);
			return -1;
		case C_ASTRAL:
			loc = where_text(w);
			*cause = xasprintf("U+%04X in %s is outside the Basic Multilingual Plane "
			    "(emoji and historic scripts cannot be printed)", (unsigned)cp, loc);
			free(loc);
			return -1;
		case C_SCRIPT:
			loc = where_text(w);
			*cause = xasprintf("U+%04X in %s is %s, which cannot be printed: the PDF "
			    "renderer has no right-to-left or complex script shaping", (unsigned)cp,
			    loc, script);
			free(loc);
			return -1;
		case C_TEXT:
			break;
		}
		if (!glyphs) {
			if (!r->unicode && to_cp1252(cp) < 0)
				r->unicode = 1;
			continue;
		}
		if (ttf_glyph_id(fonts.tf[face], cp) == 0) {
			loc = where_text(w);
			*cause = xasprintf("U+%04X in %s cannot be printed: DejaVu Sans%s has no glyph "
			    "for it", (unsigned)cp, loc, face == F_BOLD ? " Bold" : "");
			free(loc);
			return -1;
		}
		r->used[face][cp >> 3] |= (unsigned char)(1u << (cp & 7));
		r->used_any[face] = 1;
	}
	return 0;
}

/* Check every string of a letter; letter is 1-based or 0. */
static int
scan_doc(struct render *r, const struct doc *d, size_t letter, int glyphs, char **cause)
{
	struct where w;
	size_t i, j;

	memset(&w, 0, sizeof w);
	w.letter = letter;
	w.what = "the date";
	if (scan_str(r, d->date, F_REG, &w, glyphs, cause) != 0)
		return -1;
	w.what = "the subject line";
	if (scan_str(r, d->subject, F_BOLD, &w, glyphs, cause) != 0)
		return -1;
	w.what = "the reference";
	if (scan_str(r, d->ref, F_REG, &w, glyphs, cause) != 0)
		return -1;
	/* a translated footer may need characters beyond Windows-1252 */
	w.what = "the page footer";
	if (scan_str(r, FOOT_REF(d), F_REG, &w, glyphs, cause) != 0 ||
	    scan_str(r, FOOT_PAGE(d), F_REG, &w, glyphs, cause) != 0 ||
	    scan_str(r, ENCLOSURES(d), F_REG, &w, glyphs, cause) != 0)
		return -1;
	w.what = NULL;
	for (i = 0; i < d->nblocks; i++) {
		const struct doc_block *b = &d->blocks[i];

		w.kind = b->kind;
		w.block = i + 1;
		for (j = 0; j < b->nlines; j++) {
			int face = F_REG;

			if (b->kind == DOC_HEADING || (b->kind == DOC_TABLE && j == 0))
				face = F_BOLD;
			w.line = j + 1;
			if (scan_str(r, b->lines[j], face, &w, glyphs, cause) != 0)
				return -1;
		}
		w.line = 0;
	}
	return 0;
}

/* Append a cleaned copy of s to r->text (spaces collapsed, invisibles dropped); returns its offset. */
static size_t
clean_text(struct render *r, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	size_t off = r->text.len;
	int space = 0, any = 0;

	while (*p != '\0') {
		uint32_t cp;
		size_t n = u8dec(p, &cp);
		const char *script;

		if (n == 0) {
			p++;
			continue;
		}
		switch (classify(cp, &script)) {
		case C_SPACE:
			space = any;
			break;
		case C_TEXT:
			if (space)
				buf_addc(&r->text, ' ');
			buf_add(&r->text, p, n);
			space = 0;
			any = 1;
			break;
		default:
			break;
		}
		p += n;
	}
	buf_addc(&r->text, '\0');
	return off;
}

/* The text at an offset of r->text (valid until the next append). */
static const char *
text_at(const struct render *r, size_t off)
{
	return r->text.data + off;
}

/* Width of a code point in 1/1000 em. */
static unsigned
cp_width(struct render *r, int face, uint32_t cp)
{
	unsigned w;
	int b;

	if (!r->unicode) {
		b = to_cp1252(cp);
		return b < 0 ? 0 : w1252[face][b];
	}
	if (cp < WCACHE_SIZE) {
		w = fonts.wcache[face][cp];
		if (w == 0xFFFF) {
			w = ttf_width_1000(fonts.tf[face], cp);
			fonts.wcache[face][cp] = (uint16_t)w;
		}
		return w;
	}
	return ttf_width_1000(fonts.tf[face], cp);
}

/* Width of n bytes of cleaned UTF-8 text, in points. */
static float
text_width(struct render *r, int face, float size, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	unsigned long total = 0;

	while (p < end) {
		uint32_t cp;
		size_t k = u8dec(p, &cp);

		if (k == 0)
			k = 1, cp = '?';
		total += cp_width(r, face, cp);
		p += k;
	}
	return (float)total * size / 1000.0f;
}

/* Add a line span. */
static void
spans_push(struct spans *sp, size_t off, size_t len)
{
	if (sp->n == sp->cap) {
		sp->cap = sp->cap ? sp->cap * 2 : 16;
		sp->v = xreallocarray(sp->v, sp->cap, sizeof *sp->v);
	}
	sp->v[sp->n].off = off;
	sp->v[sp->n].len = len;
	sp->n++;
}

/*
 * Break cleaned text into lines no wider than width: at spaces, and inside
 * a word only when the word alone is wider than the line.
 */
static void
wrap(struct render *r, int face, float size, const char *s, float width, struct spans *sp)
{
	size_t len = strlen(s), pos = 0, ls = 0, le = 0;
	float lw = 0, sw = (float)cp_width(r, face, ' ') * size / 1000.0f;
	int have = 0;

	sp->n = 0;
	width += 0.01f;         /* rounding slack */
	while (pos < len) {
		size_t ws = pos, we = pos;
		float ww;

		if (s[pos] == ' ') {
			pos++;
			continue;
		}
		while (we < len && s[we] != ' ')
			we++;
		ww = text_width(r, face, size, s + ws, we - ws);
		if (have && lw + sw + ww <= width) {
			le = we;
			lw += sw + ww;
		} else {
			if (have)
				spans_push(sp, ls, le - ls);
			if (ww <= width) {
				ls = ws, le = we, lw = ww;
			} else {
				size_t p = ws, cs = ws;
				float acc = 0;

				while (p < we) {
					uint32_t cp;
					size_t k = u8dec((const unsigned char *)s + p, &cp);
					float cw;

					if (k == 0)
						k = 1, cp = '?';
					cw = (float)cp_width(r, face, cp) * size / 1000.0f;
					if (p > cs && acc + cw > width) {
						spans_push(sp, cs, p - cs);
						cs = p;
						acc = 0;
					}
					acc += cw;
					p += k;
				}
				ls = cs, le = we, lw = acc;
			}
			have = 1;
		}
		pos = we;
	}
	if (have)
		spans_push(sp, ls, le - ls);
}

/* Start a new page for the current letter. */
static void
new_page(struct render *r, size_t letter)
{
	struct page *p;

	if (r->npages == r->pagecap) {
		r->pagecap = r->pagecap ? r->pagecap * 2 : 8;
		r->pages = xreallocarray(r->pages, r->pagecap, sizeof *r->pages);
	}
	p = &r->pages[r->npages++];
	memset(p, 0, sizeof *p);
	p->w = r->g.w;
	p->h = r->g.h;
	p->left = r->g.left;
	p->right = r->g.w - r->g.right;
	p->foot = r->g.h - r->g.foot;
	p->first = r->nops;
	p->letter = letter;
	r->y = r->g.top;
}

/* Whether nothing has been placed on the current page yet. */
static int
page_fresh(const struct render *r)
{
	return r->y <= r->g.top + 0.01f;
}

/* Append an operation to the current page. */
static struct op *
add_op(struct render *r, enum op_kind kind)
{
	struct op *op;

	if (r->nops == r->opcap) {
		r->opcap = r->opcap ? r->opcap * 2 : 64;
		r->ops = xreallocarray(r->ops, r->opcap, sizeof *r->ops);
	}
	op = &r->ops[r->nops++];
	memset(op, 0, sizeof *op);
	op->kind = (unsigned char)kind;
	r->pages[r->npages - 1].count++;
	return op;
}

/* Place text with its baseline at base (from the top of the page). */
static void
put_text(struct render *r, int face, float size, float x, float base, const char *s, size_t n)
{
	struct op *op;
	size_t off;

	if (n == 0)
		return;
	off = r->text.len;
	buf_add(&r->text, s, n);
	buf_addc(&r->text, '\0');
	op = add_op(r, OP_TEXT);
	op->face = (unsigned char)face;
	op->size = size;
	op->x = x;
	op->y = r->g.h - base;
	op->text = off;
}

/* Draw a line between two points given from the top of the page. */
static void
put_line(struct render *r, float x1, float y1, float x2, float y2, float width, float gray)
{
	struct op *op = add_op(r, OP_LINE);

	op->x = x1;
	op->y = r->g.h - y1;
	op->x2 = x2;
	op->y2 = r->g.h - y2;
	op->size = width;
	op->gray = gray;
}

/* Fill a rectangle whose top-left corner is (x, top). */
static void
put_fill(struct render *r, float x, float top, float w, float h, float gray)
{
	struct op *op = add_op(r, OP_FILL);

	op->x = x;
	op->y = r->g.h - top - h;
	op->x2 = w;
	op->y2 = h;
	op->gray = gray;
}

/* Where the baseline of a line box starting at top falls. */
static float
baseline(float top, float size, float lead)
{
	return top + 0.8f * size + (lead - size) / 2.0f;
}

/*
 * Flow cleaned text as a paragraph at x, breaking pages as needed: never a
 * single first line at the foot of a page, and never a single last line at
 * the head of the next when it can be avoided.
 */
static void
flow(struct render *r, size_t letter, size_t off, int face, float size, float lead, float x,
    float width, int bullet)
{
	struct spans sp = { NULL, 0, 0 };
	size_t i = 0;
	char *s = xstrdup(text_at(r, off));

	wrap(r, face, size, s, width, &sp);
	while (i < sp.n) {
		size_t rest = sp.n - i, fit, k, j;
		float room = r->g.bottom - r->y;

		fit = room > 0 ? (size_t)floorf(room / lead + 0.001f) : 0;
		if (fit == 0 && page_fresh(r))
			fit = 1;        /* a line taller than the page: print it anyway */
		if (fit == 0 || (fit < 2 && rest >= 2 && !page_fresh(r))) {
			new_page(r, letter);
			continue;
		}
		k = rest < fit ? rest : fit;
		if (k < rest && rest - k == 1 && k > 2)
			k--;
		for (j = 0; j < k; j++) {
			float b = baseline(r->y, size, lead);

			if (bullet && i + j == 0)
				put_text(r, F_REG, size, x - (ITEM_X - BULLET_X), b, "\xe2\x80\xa2", 3);
			put_text(r, face, size, x, b, s + sp.v[i + j].off, sp.v[i + j].len);
			r->y += lead;
		}
		i += k;
		if (i < sp.n)
			new_page(r, letter);
	}
	free(sp.v);
	free(s);
}

/* Start a new page unless h points still fit on this one. */
static void
keep(struct render *r, size_t letter, float h)
{
	if (!page_fresh(r) && r->y + h > r->g.bottom)
		new_page(r, letter);
}

/*
 * Into *out, b's lines with each one too wide for maxw even in min_size type
 * cut at its spaces into lines that fit, as an authority with a long name
 * ("Landesbeauftragter für den Datenschutz und die Informationsfreiheit
 * Baden-Württemberg") writes it over two lines; 0 when no line was cut.
 */
static int
wrap_block(struct render *r, const struct doc_block *b, float maxw, float min_size,
    struct doc_block *out)
{
	size_t i;
	int changed = 0;

	for (i = 0; i < b->nlines; i++) {
		const char *line = b->lines[i];

		while (text_width(r, F_REG, min_size, line, strlen(line)) > maxw) {
			const char *sp, *cut = NULL;

			/* The last space before which the line still fits; else the first one. */
			for (sp = strchr(line, ' '); sp != NULL; sp = strchr(sp + 1, ' ')) {
				if (cut != NULL && text_width(r, F_REG, min_size, line,
				    (size_t)(sp - line)) > maxw)
					break;
				cut = sp;
			}
			if (cut == NULL)
				break;
			out->lines = xreallocarray(out->lines, out->nlines + 1, sizeof(char *));
			out->lines[out->nlines++] = xstrndup(line, (size_t)(cut - line));
			line = cut + 1;
			changed = 1;
		}
		out->lines = xreallocarray(out->lines, out->nlines + 1, sizeof(char *));
		out->lines[out->nlines++] = xstrdup(line);
	}
	return changed;
}

/*
 * Place an address block at a fixed position, shrinking the type from
 * size0 to min_size until it fits the box.
 */
static int
place_block(struct render *r, const struct doc_block *b, float x, float top, float maxw,
    float maxh, float size0, float min_size, const char *what, size_t letter, char **cause)
{
	size_t *off = xmalloc((b->nlines + 1) * sizeof *off), i, n = 0, fit;
	float size, lead;
	int step;
	char *pre;

	for (i = 0; i < b->nlines; i++) {
		off[n] = clean_text(r, b->lines[i]);
		if (text_at(r, off[n])[0] != '\0')
			n++;
	}
	for (step = 0; (size = size0 - 0.5f * (float)step) >= min_size - 0.01f; step++) {
		lead = size * 1.2f;
		if ((float)n * lead > maxh + 0.01f)
			continue;
		for (i = 0; i < n; i++) {
			const char *s = text_at(r, off[i]);

			if (text_width(r, F_REG, size, s, strlen(s)) > maxw)
				break;
		}
		if (i < n)
			continue;
		for (i = 0; i < n; i++) {
			char *s = xstrdup(text_at(r, off[i]));

			put_text(r, F_REG, size, x, baseline(top + (float)i * lead, size, lead), s,
			    strlen(s));
			free(s);
		}
		free(off);
		return 0;
	}
	free(off);
	/*
	 * A line too wide even in the smallest type ("Example Bureau, Consumer
	 * Disclosure Unit" in a DIN window) is split after its commas, once,
	 * and the block tried again: a recipient on two lines is still mailable.
	 */
	{
		struct doc_block split = { b->kind, NULL, 0 };
		int changed = 0;
		int rc;

		for (i = 0; i < b->nlines; i++) {
			const char *line = b->lines[i], *comma;

			while ((comma = strstr(line, ", ")) != NULL &&
			    (b->kind == DOC_TO || b->kind == DOC_FROM)) {
				split.lines = xreallocarray(split.lines, split.nlines + 1, sizeof(char *));
				split.lines[split.nlines++] = xstrndup(line, (size_t)(comma - line) + 1);
				line = comma + 2;
				changed = 1;
			}
			split.lines = xreallocarray(split.lines, split.nlines + 1, sizeof(char *));
			split.lines[split.nlines++] = xstrdup(line);
		}
		rc = changed && split.nlines > b->nlines ? place_block(r, &split, x, top, maxw, maxh,
		    size0, min_size, what, letter, cause) : -2;
		for (i = 0; i < split.nlines; i++)
			free(split.lines[i]);
		free(split.lines);
		if (rc != -2)
			return rc;
	}
	/* Then a recipient's name too wide and without a comma is wrapped at its spaces. */
	if (b->kind == DOC_TO) {
		struct doc_block w = { b->kind, NULL, 0 };
		int rc = -2;

		if (wrap_block(r, b, maxw, min_size, &w))
			rc = place_block(r, &w, x, top, maxw, maxh, size0, min_size, what, letter,
			    cause);
		for (i = 0; i < w.nlines; i++)
			free(w.lines[i]);
		free(w.lines);
		if (rc != -2)
			return rc;
	}
	pre = letter_prefix(letter);
	fit = (size_t)(maxh / (min_size * 1.2f) + 0.01f);
	if (n > fit)
		*cause = xasprintf("%sthe %s has %zu lines; at most %zu fit %s", pre, kind_name(b->kind),
		    n, fit, what);
	else
		*cause = xasprintf("%sa line of the %s is too wide to fit %s", pre, kind_name(b->kind),
		    what);
	free(pre);
	return -1;
}

/* A4: the sender on one small line at the foot of the window's remark zone. */
static void
place_return_line(struct render *r, const struct doc_block *from)
{
	struct buf joined;
	size_t i, off;
	float size;
	int step;
	char *s;

	buf_init(&joined);
	for (i = 0; i < from->nlines; i++) {
		off = clean_text(r, from->lines[i]);
		if (text_at(r, off)[0] == '\0')
			continue;
		if (joined.len > 0)
			buf_adds(&joined, ", ");
		buf_adds(&joined, text_at(r, off));
	}
	s = buf_detach(&joined);
	for (step = 0; (size = 7.0f - 0.5f * (float)step) >= 5.5f; step++) {
		if (text_width(r, F_REG, size, s, strlen(s)) <= r->g.ret_w) {
			put_text(r, F_REG, size, r->g.to_x, r->g.ret_base, s, strlen(s));
			put_line(r, r->g.to_x, r->g.ret_base + 1.5f,
			    r->g.to_x + text_width(r, F_REG, size, s, strlen(s)), r->g.ret_base + 1.5f,
			    0.3f, 0.0f);
			break;
		}
	}
	free(s);
}

/*
 * Column widths from content, as browsers lay out automatic tables: a
 * table that fits gets widths proportional to its columns' natural (one
 * line) widths.  Otherwise columns narrower than a fair share of what is
 * left keep their natural width, narrowest first, and the rest share the
 * remaining space between their longest word (min) and their natural width.
 */
static void
column_widths(const float *nat, const float *minw, size_t ncols, float avail, float *wd)
{
	float total = 0, left = avail, sum_min = 0, sum_nat = 0;
	int *done = xcalloc(ncols, sizeof *done), progress = 1;
	size_t c, open = ncols;

	for (c = 0; c < ncols; c++)
		total += nat[c];
	if (total <= avail) {
		for (c = 0; c < ncols; c++)
			wd[c] = nat[c] * avail / total;
		free(done);
		return;
	}
	while (progress && open > 0) {
		size_t best = ncols;

		progress = 0;
		for (c = 0; c < ncols; c++) {
			if (!done[c] && (best == ncols || nat[c] < nat[best]))
				best = c;
		}
		if (nat[best] <= left / (float)open) {
			wd[best] = nat[best];
			left -= nat[best];
			done[best] = 1;
			open--;
			progress = 1;
		}
	}
	for (c = 0; c < ncols; c++) {
		if (!done[c]) {
			sum_min += minw[c] < nat[c] ? minw[c] : nat[c];
			sum_nat += nat[c];
		}
	}
	for (c = 0; c < ncols; c++) {
		float lo = minw[c] < nat[c] ? minw[c] : nat[c];

		if (done[c])
			continue;
		if (sum_min >= left)
			wd[c] = lo * left / sum_min;
		else
			wd[c] = lo + (nat[c] - lo) * (left - sum_min) / (sum_nat - sum_min);
	}
	free(done);
}

/* The cells of a table, cleaned and wrapped to their columns. */
struct table {
	size_t nrows, ncols;
	size_t *cell;           /* nrows * ncols text offsets */
	struct spans *lines;    /* nrows * ncols */
	size_t *rowlines;
	float *wd, *x;
	char *text;             /* a private copy of r->text for the cells */
};

/* Draw a piece of a row: lines [from, from+k) of every cell. */
static void
table_segment(struct render *r, const struct table *t, size_t row, size_t from, size_t k,
    int header)
{
	float top = r->y, h = (float)k * TABLE_LEAD + 2 * CELL_PAD_Y;
	float left = t->x[0], right = t->x[t->ncols];
	size_t c, j;

	if (header)
		put_fill(r, left, top, right - left, h, 0.9f);
	for (c = 0; c < t->ncols; c++) {
		const struct spans *sp = &t->lines[row * t->ncols + c];
		const char *s = t->text + t->cell[row * t->ncols + c];

		for (j = from; j < from + k && j < sp->n; j++)
			put_text(r, header ? F_BOLD : F_REG, TABLE_SIZE, t->x[c] + CELL_PAD_X,
			    baseline(top + CELL_PAD_Y + (float)(j - from) * TABLE_LEAD, TABLE_SIZE,
			    TABLE_LEAD), s + sp->v[j].off, sp->v[j].len);
	}
	if (header || page_fresh(r))
		put_line(r, left, top, right, top, 0.5f, 0.45f);
	put_line(r, left, top + h, right, top + h, 0.5f, 0.45f);
	for (c = 0; c <= t->ncols; c++)
		put_line(r, t->x[c], top, t->x[c], top + h, 0.5f, 0.45f);
	r->y += h;
}

/*
 * Lay a table out: header row bold and repeated on every page, rows split
 * when taller than a page.  letter is 0-based; label and block name it in
 * messages.
 */
static int
layout_table(struct render *r, const struct doc_block *b, size_t block, size_t letter,
    size_t label, char **cause)
{
	struct table t;
	size_t i, c, n, row, line;
	float *nat, *minw, avail = r->g.w - r->g.left - r->g.right, hh, room, fresh_room;

	memset(&t, 0, sizeof t);
	t.nrows = b->nlines;
	if (t.nrows == 0)
		return 0;
	for (i = 0; i < t.nrows; i++) {
		char **cells = doc_table_cells(b->lines[i], &n);

		if (n > t.ncols)
			t.ncols = n;
		str_list_free(cells);
	}
	if (t.ncols == 0)
		return 0;
	t.cell = xcalloc(t.nrows * t.ncols, sizeof *t.cell);
	for (i = 0; i < t.nrows; i++) {
		char **cells = doc_table_cells(b->lines[i], &n);

		for (c = 0; c < t.ncols; c++)
			t.cell[i * t.ncols + c] = clean_text(r, c < n ? cells[c] : "");
		str_list_free(cells);
	}
	t.text = xmalloc(r->text.len + 1);
	memcpy(t.text, r->text.data, r->text.len);

	/* natural width: the whole cell on one line; minimum: its longest word */
	nat = xcalloc(t.ncols, sizeof *nat);
	minw = xcalloc(t.ncols, sizeof *minw);
	for (i = 0; i < t.nrows; i++) {
		int face = i == 0 ? F_BOLD : F_REG;

		for (c = 0; c < t.ncols; c++) {
			const char *s = t.text + t.cell[i * t.ncols + c], *p = s;
			float w = text_width(r, face, TABLE_SIZE, s, strlen(s)) + 2 * CELL_PAD_X;

			if (w > nat[c])
				nat[c] = w;
			while (*p != '\0') {
				size_t wl = strcspn(p, " ");
				float ww = text_width(r, face, TABLE_SIZE, p, wl) + 2 * CELL_PAD_X;

				if (ww > minw[c])
					minw[c] = ww;
				p += wl;
				p += strspn(p, " ");
			}
		}
	}
	for (c = 0; c < t.ncols; c++) {
		if (nat[c] < 2 * CELL_PAD_X + 8)
			nat[c] = 2 * CELL_PAD_X + 8;
	}
	t.wd = xcalloc(t.ncols, sizeof *t.wd);
	t.x = xcalloc(t.ncols + 1, sizeof *t.x);
	column_widths(nat, minw, t.ncols, avail, t.wd);
	t.x[0] = r->g.left;
	for (c = 0; c < t.ncols; c++)
		t.x[c + 1] = t.x[c] + t.wd[c];

	t.lines = xcalloc(t.nrows * t.ncols, sizeof *t.lines);
	t.rowlines = xcalloc(t.nrows, sizeof *t.rowlines);
	for (i = 0; i < t.nrows; i++) {
		t.rowlines[i] = 1;
		for (c = 0; c < t.ncols; c++) {
			struct spans *sp = &t.lines[i * t.ncols + c];

			wrap(r, i == 0 ? F_BOLD : F_REG, TABLE_SIZE, t.text + t.cell[i * t.ncols + c],
			    t.wd[c] - 2 * CELL_PAD_X, sp);
			if (sp->n > t.rowlines[i])
				t.rowlines[i] = sp->n;
		}
	}
	hh = (float)t.rowlines[0] * TABLE_LEAD + 2 * CELL_PAD_Y;
	fresh_room = r->g.bottom - r->g.top - hh - 2 * CELL_PAD_Y;
	if (fresh_room < 2 * TABLE_LEAD) {
		char *pre = letter_prefix(label);

		*cause = xasprintf("%sthe header row of the table (block %zu) is too tall for a page",
		    pre, block);
		free(pre);
		goto done_fail;
	}

	/* the header and the first lines of the first row stay together */
	n = t.nrows > 1 ? (t.rowlines[1] < 2 ? t.rowlines[1] : 2) : 0;
	keep(r, letter, hh + (float)n * TABLE_LEAD + 2 * CELL_PAD_Y);
	table_segment(r, &t, 0, 0, t.rowlines[0], 1);
	for (row = 1; row < t.nrows; row++) {
		line = 0;
		while (line < t.rowlines[row]) {
			size_t rest = t.rowlines[row] - line, k;

			room = r->g.bottom - r->y - 2 * CELL_PAD_Y;
			k = room >= TABLE_LEAD ? (size_t)floorf(room / TABLE_LEAD + 0.001f) : 0;
			if (k < rest && (rest <= (size_t)floorf(fresh_room / TABLE_LEAD) || k == 0)) {
				new_page(r, letter);
				table_segment(r, &t, 0, 0, t.rowlines[0], 1);
				continue;
			}
			if (k > rest)
				k = rest;
			table_segment(r, &t, row, line, k, 0);
			line += k;
			if (line < t.rowlines[row]) {
				new_page(r, letter);
				table_segment(r, &t, 0, 0, t.rowlines[0], 1);
			}
		}
	}
	r->y += PARA_GAP + 2;
	free(nat);
	free(minw);
	for (i = 0; i < t.nrows * t.ncols; i++)
		free(t.lines[i].v);
	free(t.lines);
	free(t.rowlines);
	free(t.cell);
	free(t.wd);
	free(t.x);
	free(t.text);
	return 0;
done_fail:
	free(nat);
	free(minw);
	for (i = 0; i < t.nrows * t.ncols; i++)
		free(t.lines[i].v);
	free(t.lines);
	free(t.rowlines);
	free(t.cell);
	free(t.wd);
	free(t.x);
	free(t.text);
	return -1;
}

/* The signature block: the image or a line to sign on, then the name lines, kept together. */
static void
layout_signature(struct render *r, const struct doc_block *b, size_t letter)
{
	float width = r->g.w - r->g.left - r->g.right, h;
	size_t i, total = 0, *off = xmalloc((b->nlines + 1) * sizeof *off);
	struct spans sp = { NULL, 0, 0 };

	for (i = 0; i < b->nlines; i++) {
		off[i] = clean_text(r, b->lines[i]);
		wrap(r, F_REG, BODY_SIZE, text_at(r, off[i]), width, &sp);
		total += sp.n;
	}
	h = (r->sig != NULL ? r->sig_h + 4 : SIG_SPACE + 6) + (float)total * BODY_LEAD;
	keep(r, letter, h);
	if (r->sig != NULL) {
		struct op *op = add_op(r, OP_IMAGE);

		op->x = r->g.left;
		op->y = r->g.h - r->y - r->sig_h;
		op->x2 = r->sig_w;
		op->y2 = r->sig_h;
		r->y += r->sig_h + 4;
	} else {
		r->y += SIG_SPACE;
		put_line(r, r->g.left, r->y, r->g.left + SIG_LINE_W, r->y, 0.6f, 0.0f);
		r->y += 6;
	}
	for (i = 0; i < b->nlines; i++) {
		size_t j;
		char *s = xstrdup(text_at(r, off[i]));

		wrap(r, F_REG, BODY_SIZE, s, width, &sp);
		for (j = 0; j < sp.n; j++) {
			put_text(r, F_REG, BODY_SIZE, r->g.left, baseline(r->y, BODY_SIZE, BODY_LEAD),
			    s + sp.v[j].off, sp.v[j].len);
			r->y += BODY_LEAD;
		}
		free(s);
	}
	r->y += PARA_GAP;
	free(sp.v);
	free(off);
}

/* A bulleted list with hanging indent. */
static void
layout_list(struct render *r, const struct doc_block *b, size_t letter)
{
	float width = r->g.w - r->g.left - r->g.right - ITEM_X;
	size_t i;

	for (i = 0; i < b->nlines; i++) {
		size_t off = clean_text(r, b->lines[i]);

		if (text_at(r, off)[0] == '\0')
			continue;
		flow(r, letter, off, F_REG, BODY_SIZE, BODY_LEAD, r->g.left + ITEM_X, width, 1);
		r->y += ITEM_GAP;
	}
	r->y += PARA_GAP - ITEM_GAP;
}

/* Lay out one letter from a fresh page; letter is the 0-based index. */
static int
layout_letter(struct render *r, const struct doc *d, size_t letter, int numbered, char **cause)
{
	const struct doc_block *from = NULL, *to = NULL;
	size_t i, first, off, label = numbered ? letter + 1 : 0;
	float width;
	struct letter *lt = &r->letters[letter];

	geom_for(d->paper == DOC_PAPER_A4 ? DOC_PAPER_A4 : DOC_PAPER_LETTER, &r->g);
	width = r->g.w - r->g.left - r->g.right;
	first = r->npages;
	new_page(r, letter);
	for (i = 0; i < d->nblocks; i++) {
		if (d->blocks[i].kind == DOC_FROM && from == NULL)
			from = &d->blocks[i];
		if (d->blocks[i].kind == DOC_TO && to == NULL)
			to = &d->blocks[i];
	}
	/* fold marks, for letters that go in a window envelope */
	for (i = 0; to != NULL && i < 3; i++) {
		if (r->g.mark[i] > 0)
			put_line(r, MM(4), r->g.mark[i], MM(4) + r->g.mark_len[i], r->g.mark[i], 0.3f,
			    0.5f);
	}
	if (from != NULL) {
		if (place_block(r, from, r->g.left, r->g.from_top, width, r->g.from_h, 9.5f, 7.5f,
		    "above the envelope window", label, cause) != 0)
			return -1;
		if (to != NULL && r->g.ret_w > 0)
			place_return_line(r, from);
	}
	if (to != NULL) {
		if (place_block(r, to, r->g.to_x, r->g.to_top, r->g.to_w, r->g.to_h, 10.0f, 8.0f,
		    "in the envelope window", label, cause) != 0)
			return -1;
		r->y = r->g.body;
	} else if (from != NULL)
		r->y = r->g.from_top + r->g.from_h + BODY_LEAD;
	if (d->date != NULL) {
		const char *s;

		off = clean_text(r, d->date);
		s = text_at(r, off);
		if (*s != '\0') {
			char *c = xstrdup(s);
			float w = text_width(r, F_REG, BODY_SIZE, c, strlen(c));

			put_text(r, F_REG, BODY_SIZE, r->g.w - r->g.right - w,
			    baseline(r->y, BODY_SIZE, BODY_LEAD), c, strlen(c));
			free(c);
			r->y += 2 * BODY_LEAD;
		}
	}
	if (d->subject != NULL) {
		off = clean_text(r, d->subject);
		if (text_at(r, off)[0] != '\0') {
			flow(r, letter, off, F_BOLD, BODY_SIZE, BODY_LEAD, r->g.left, width, 0);
			r->y += BODY_LEAD;
		}
	}
	for (i = 0; i < d->nblocks; i++) {
		const struct doc_block *b = &d->blocks[i];
		size_t j;

		switch (b->kind) {
		case DOC_FROM:
		case DOC_TO:
			if (b == from || b == to)
				break;
			for (j = 0; j < b->nlines; j++) {
				off = clean_text(r, b->lines[j]);
				flow(r, letter, off, F_REG, BODY_SIZE, BODY_LEAD, r->g.left, width, 0);
			}
			r->y += PARA_GAP;
			break;
		case DOC_HEADING:
			if (b->nlines == 0)
				break;
			off = clean_text(r, b->lines[0]);
			if (!page_fresh(r))
				r->y += 4;
			keep(r, letter, HEAD_LEAD + 2 * BODY_LEAD);
			flow(r, letter, off, F_BOLD, HEAD_SIZE, HEAD_LEAD, r->g.left, width, 0);
			r->y += 3;
			break;
		case DOC_PARAGRAPH:
			for (j = 0; j < b->nlines; j++) {
				off = clean_text(r, b->lines[j]);
				if (text_at(r, off)[0] != '\0')
					flow(r, letter, off, F_REG, BODY_SIZE, BODY_LEAD, r->g.left,
					    width, 0);
			}
			r->y += PARA_GAP;
			break;
		case DOC_LIST:
			layout_list(r, b, letter);
			break;
		case DOC_SIGNATURE:
			layout_signature(r, b, letter);
			break;
		case DOC_ENCLOSURES:
			if (b->nlines == 0)
				break;
			r->y += PARA_GAP;
			keep(r, letter, 2 * BODY_LEAD);
			put_text(r, F_REG, BODY_SIZE, r->g.left, baseline(r->y, BODY_SIZE, BODY_LEAD),
			    ENCLOSURES(d), strlen(ENCLOSURES(d)));
			r->y += BODY_LEAD;
			layout_list(r, b, letter);
			break;
		case DOC_TABLE:
			if (layout_table(r, b, i + 1, letter, label, cause) != 0)
				return -1;
			break;
		case DOC_PAGEBREAK:
			if (!page_fresh(r))
				new_page(r, letter);
			break;
		}
	}
	for (i = first; i < r->npages; i++) {
		r->pages[i].num = (unsigned)(i - first + 1);
		r->pages[i].total = (unsigned)(r->npages - first);
	}

	/* the footer: the reference on the left, "Page N of M" on the right */
	lt->ref = SIZE_MAX;
	lt->foot_size = FOOT_SIZE;
	lt->page_fmt = FOOT_PAGE(d);
	if (d->ref != NULL) {
		off = clean_text(r, d->ref);
		if (text_at(r, off)[0] != '\0') {
			char *s = xasprintf(FOOT_REF(d), text_at(r, off));
			char *most = xasprintf(lt->page_fmt, 999u, 999u);
			float room = width - text_width(r, F_REG, FOOT_SIZE, most, strlen(most)) - 12;

			while (text_width(r, F_REG, lt->foot_size, s, strlen(s)) > room &&
			    lt->foot_size > 5.5f)
				lt->foot_size -= 0.5f;
			if (text_width(r, F_REG, lt->foot_size, s, strlen(s)) > room) {
				char *pre = letter_prefix(label);

				*cause = xasprintf("%sthe reference is too long for the page footer", pre);
				free(pre);
				free(s);
				free(most);
				return -1;
			}
			lt->ref = r->text.len;
			buf_adds(&r->text, s);
			buf_addc(&r->text, '\0');
			free(s);
			free(most);
		}
	}
	return 0;
}

/* Build a message for a libharu failure. */
static char *
hpdf_cause(const struct render *r, const char *doing)
{
	if (r->hc.error == HPDF_FILE_OPEN_ERROR)
		return xasprintf("PDF library: cannot open a file while %s", doing);
	return xasprintf("PDF library error 0x%04X (detail %u) while %s", (unsigned)r->hc.error,
	    (unsigned)r->hc.detail, doing);
}

/*
 * Fill the Helvetica width tables from libharu's metrics, once per
 * process, in a scratch document: libharu's font objects fill a 256-entry
 * width table by linear searches each time one is made, a third of a
 * base-14 letter's time, so letters use the plain dictionaries of
 * base14_font instead.
 */
static int
load_w1252(struct render *r)
{
	static const char *names[F_COUNT] = { "Helvetica", "Helvetica-Bold" };
	struct hctx hc = { HPDF_OK, HPDF_OK };
	HPDF_Doc doc;
	int f, b;

	if (have_w1252)
		return 0;
	doc = HPDF_New(on_hpdf_error, &hc);
	if (doc == NULL)
		return -1;
	for (f = 0; f < F_COUNT; f++) {
		HPDF_Font font = HPDF_GetFont(doc, names[f], "WinAnsiEncoding");

		for (b = 0x20; font != NULL && b < 0x100; b++) {
			HPDF_BYTE c = (HPDF_BYTE)b;
			HPDF_TextWidth tw = HPDF_Font_TextWidth(font, &c, 1);

			w1252[f][b] = (uint16_t)tw.width;
		}
		if (font == NULL || hc.error != HPDF_OK) {
			r->hc = hc;
			HPDF_Free(doc);
			return -1;
		}
	}
	HPDF_Free(doc);
	have_w1252 = 1;
	return 0;
}

/* Load the signature image and size it for the signature block. */
static int
load_signature(struct render *r, char **cause)
{
	const char *path = r->o.signature_image;
	unsigned char magic[8];
	FILE *f;
	size_t n;
	float w, h;

	if (path == NULL)
		return 0;
	f = fopen(path, "rb");
	if (f == NULL) {
		*cause = xasprintf("%s: cannot open the signature image", path);
		return -1;
	}
	n = fread(magic, 1, sizeof magic, f);
	fclose(f);
	if (n >= 8 && memcmp(magic, "\x89PNG\r\n\x1a\n", 8) == 0)
		r->sig = HPDF_LoadPngImageFromFile(r->pdf, path);
	else if (n >= 3 && memcmp(magic, "\xff\xd8\xff", 3) == 0)
		r->sig = HPDF_LoadJpegImageFromFile(r->pdf, path);
	else {
		*cause = xasprintf("%s: the signature image is neither PNG nor JPEG", path);
		return -1;
	}
	if (r->sig == NULL || r->hc.error != HPDF_OK) {
		*cause = xasprintf("%s: cannot load the signature image (PDF library error 0x%04X)",
		    path, (unsigned)r->hc.error);
		r->sig = NULL;
		return -1;
	}
	w = (float)HPDF_Image_GetWidth(r->sig);
	h = (float)HPDF_Image_GetHeight(r->sig);
	if (w <= 0 || h <= 0) {
		*cause = xasprintf("%s: the signature image is empty", path);
		r->sig = NULL;
		return -1;
	}
	r->sig_h = SIG_MAX_H;
	r->sig_w = w * SIG_MAX_H / h;
	if (r->sig_w > SIG_MAX_W) {
		r->sig_w = SIG_MAX_W;
		r->sig_h = h * SIG_MAX_W / w;
	}
	return 0;
}

/* The CID a face draws a code point as (its index + 1 in the face's list), or 0. */
static unsigned
emb_cid(const struct emb *e, uint32_t cp)
{
	size_t lo = 0, hi = e->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->cps[mid] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < e->n && e->cps[lo] == cp ? (unsigned)(lo + 1) : 0;
}

/*
 * Six capital letters naming a subset (PDF 32000-1, 9.6.4), derived from
 * the face and its code points so the same letter gives the same bytes.
 */
static void
subset_tag(const struct emb *e, int face, char tag[7])
{
	uint32_t h = 2166136261u;
	size_t i;
	int k;

	h = (h ^ (uint32_t)face) * 16777619u;
	for (i = 0; i < e->n; i++) {
		for (k = 0; k < 4; k++)
			h = (h ^ ((e->cps[i] >> (8 * k)) & 0xFF)) * 16777619u;
	}
	for (k = 0; k < 6; k++) {
		tag[k] = (char)('A' + h % 26);
		h /= 26;
		if (k == 3)
			h = (h ^ (uint32_t)e->n) * 16777619u;
	}
	tag[6] = '\0';
}

/* Append a 16-bit value as four hex digits in angle brackets. */
static void
hex16(struct buf *b, unsigned v)
{
	char s[8];

	snprintf(s, sizeof s, "<%04X>", v & 0xFFFF);
	buf_add(b, s, 6);
}

/*
 * The ToUnicode CMap: each CID back to its code point, as ranges of
 * consecutive code points (at most 100 per block, none crossing a change
 * of the high byte, as the CMap format asks).
 */
static void
to_unicode_cmap(const struct emb *e, struct buf *b)
{
	size_t i, j, nr = 0, k;
	size_t *lo = xmalloc((e->n + 1) * sizeof *lo), *hi = xmalloc((e->n + 1) * sizeof *hi);

	for (i = 0; i < e->n; i = j) {
		for (j = i + 1; j < e->n; j++) {
			if (e->cps[j] != e->cps[j - 1] + 1 || ((j + 1) & 0xFF) == 0 ||
			    (e->cps[j] & 0xFF) == 0)
				break;
		}
		lo[nr] = i;
		hi[nr] = j - 1;
		nr++;
	}
	buf_adds(b, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
	    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
	    "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
	    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
	for (k = 0; k < nr; k += 100) {
		size_t m = nr - k < 100 ? nr - k : 100;
		char head[32];

		snprintf(head, sizeof head, "%zu beginbfrange\n", m);
		buf_adds(b, head);
		for (i = k; i < k + m; i++) {
			hex16(b, (unsigned)lo[i] + 1);
			buf_addc(b, ' ');
			hex16(b, (unsigned)hi[i] + 1);
			buf_addc(b, ' ');
			hex16(b, e->cps[lo[i]]);
			buf_addc(b, '\n');
		}
		buf_adds(b, "endbfrange\n");
	}
	buf_adds(b, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
	free(lo);
	free(hi);
}

/* A new indirect dictionary, or NULL (libharu has reported why). */
static HPDF_Dict
new_obj(struct render *r)
{
	HPDF_Dict d = HPDF_Dict_New(r->pdf->mmgr);

	if (d == NULL || HPDF_Xref_Add(r->pdf->xref, d) != HPDF_OK)
		return NULL;
	return d;
}

/* A standard Type1 font in Windows-1252, as libharu would write it, or NULL. */
static HPDF_Font
base14_font(struct render *r, const char *name)
{
	HPDF_Dict d = new_obj(r);

	if (d == NULL || HPDF_Dict_AddName(d, "Type", "Font") != HPDF_OK ||
	    HPDF_Dict_AddName(d, "Subtype", "Type1") != HPDF_OK ||
	    HPDF_Dict_AddName(d, "BaseFont", name) != HPDF_OK ||
	    HPDF_Dict_AddName(d, "Encoding", "WinAnsiEncoding") != HPDF_OK)
		return NULL;
	return (HPDF_Font)d;
}

/* Write the filter of a stream whose data is already deflated (libharu would drop the key). */
static HPDF_STATUS
write_flate_key(HPDF_Dict d, HPDF_Stream out)
{
	(void)d;
	return HPDF_Stream_WriteStr(out, "/Filter /FlateDecode\n");
}

/*
 * A new stream object holding len bytes, or NULL: libharu deflates them as it
 * writes, or, when deflated is set, they are deflated already (a cached font).
 */
static HPDF_Dict
new_stream(struct render *r, const void *data, size_t len, int deflated)
{
	HPDF_Dict d = HPDF_DictStream_New(r->pdf->mmgr, r->pdf->xref);

	if (d == NULL)
		return NULL;
	if (deflated) {
		d->filter = HPDF_STREAM_FILTER_NONE;
		d->write_fn = write_flate_key;
	} else {
		d->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
	}
	if (HPDF_Stream_Write(d->stream, data, (HPDF_UINT)len) != HPDF_OK)
		return NULL;
	return d;
}

/* Deflate len bytes with libharu's own zlib settings into *out; 0 or -1. */
static int
deflate_bytes(struct render *r, const void *data, size_t len, unsigned char **out,
    size_t *outlen)
{
	HPDF_Stream src = HPDF_MemStream_New(r->pdf->mmgr, HPDF_STREAM_BUF_SIZ);
	HPDF_Stream dst = HPDF_MemStream_New(r->pdf->mmgr, HPDF_STREAM_BUF_SIZ);
	HPDF_UINT got = 0;
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	if (src != NULL && dst != NULL &&
	    HPDF_Stream_Write(src, data, (HPDF_UINT)len) == HPDF_OK &&
	    HPDF_Stream_WriteToStream(src, dst, HPDF_STREAM_FILTER_FLATE_DECODE, NULL) == HPDF_OK &&
	    HPDF_Stream_Seek(dst, 0, HPDF_SEEK_SET) == HPDF_OK) {
		HPDF_STATUS st;

		got = HPDF_Stream_Size(dst);
		*out = xmalloc(got + 1);
		st = HPDF_Stream_Read(dst, *out, &got);
		/* Reading to the very end reports end of stream: that is success. */
		if (st == HPDF_OK || st == HPDF_STREAM_EOF) {
			*outlen = got;
			rc = 0;
		} else {
			free(*out);
			*out = NULL;
		}
	}
	if (src != NULL)
		HPDF_Stream_Free(src);
	if (dst != NULL)
		HPDF_Stream_Free(dst);
	return rc;
}

/*
 * The cached font for a face's characters, made (subset, ToUnicode CMap,
 * both deflated) when the cache has none; NULL on failure.
 */
static struct font_entry *
font_for(struct render *r, int face, char **cause)
{
	struct emb *e = &r->emb[face];
	struct font_entry *fe, *slot = NULL;
	unsigned char *ttf = NULL;
	unsigned *gids;
	size_t len, k;
	struct buf cmap;

	for (k = 0; k < FONT_CACHE; k++) {
		fe = &fonts.cache[face][k];
		if (fe->cps != NULL && fe->n == e->n &&
		    memcmp(fe->cps, e->cps, e->n * sizeof *e->cps) == 0) {
			fe->used = ++fonts.tick;
			return fe;
		}
		if (slot == NULL || fe->cps == NULL || (slot->cps != NULL && fe->used < slot->used))
			slot = fe;
	}
	gids = xmalloc((e->n + 1) * sizeof *gids);
	if (ttf_subset_gids(fonts.tf[face], e->cps, e->n, gids, &ttf, &len, cause) != 0) {
		free(gids);
		return NULL;
	}
	font_entry_free(slot);
	slot->gids = gids;
	slot->ttf_len = len;
	buf_init(&cmap);
	to_unicode_cmap(e, &cmap);
	if (deflate_bytes(r, ttf, len, &slot->ttf_z, &slot->ttf_zlen) != 0 ||
	    deflate_bytes(r, cmap.data, cmap.len, &slot->cmap_z, &slot->cmap_zlen) != 0) {
		*cause = hpdf_cause(r, "compressing the font subset");
		font_entry_free(slot);
		buf_free(&cmap);
		free(ttf);
		return NULL;
	}
	buf_free(&cmap);
	free(ttf);
	slot->cps = xmalloc((e->n + 1) * sizeof *slot->cps);
	memcpy(slot->cps, e->cps, e->n * sizeof *e->cps);
	slot->n = e->n;
	slot->used = ++fonts.tick;
	return slot;
}

/*
 * Embed a face as a Type0 font whose CIDFontType2 descendant holds the
 * subset (made in memory, written as FontFile2), /W widths of the drawn
 * characters only, /CIDToGIDMap /Identity (a small map when the font draws
 * two characters with one glyph) and a ToUnicode CMap for text extraction.
 * libharu's own TrueType path would build and deflate a 65,536-entry map
 * for every letter.
 */
static int
embed_face(struct render *r, int face, char **cause)
{
	struct emb *e = &r->emb[face];
	const struct ttf_metrics *m = &fonts.met[face];
	const struct font_entry *fe;
	unsigned char *map = NULL;
	size_t i, n = 0;
	uint32_t cp;
	int identity = 1;
	char base[96], tag[7];
	HPDF_Dict t0, cid, desc, ff, tu, info;
	HPDF_Array arr, w, bbox;
	HPDF_STATUS st = HPDF_OK;

	for (cp = 0; cp < 0x10000 / 8; cp++)
		n += (size_t)__builtin_popcount(r->used[face][cp]);
	e->cps = xmalloc((n + 1) * sizeof *e->cps);
	e->n = 0;
	for (cp = 0; cp < 0x10000; cp += 8) {
		unsigned bits = r->used[face][cp >> 3], k;

		for (k = 0; bits != 0 && k < 8; k++) {
			if (bits & (1u << k))
				e->cps[e->n++] = cp + k;
		}
	}
	if ((fe = font_for(r, face, cause)) == NULL)
		return -1;
	for (i = 0; i < e->n; i++) {
		if (fe->gids[i] != i + 1)
			identity = 0;
	}
	subset_tag(e, face, tag);
	snprintf(base, sizeof base, "%s+%s", tag, m->ps_name);

	/* each object is attached as soon as it exists, so libharu frees it with the document */
	if ((t0 = new_obj(r)) == NULL || (cid = new_obj(r)) == NULL ||
	    (desc = new_obj(r)) == NULL)
		goto hpdf_fail;
	st |= HPDF_Dict_AddName(t0, "Type", "Font");
	st |= HPDF_Dict_AddName(t0, "Subtype", "Type0");
	st |= HPDF_Dict_AddName(t0, "BaseFont", base);
	st |= HPDF_Dict_AddName(t0, "Encoding", "Identity-H");
	if ((arr = HPDF_Array_New(r->pdf->mmgr)) == NULL ||
	    HPDF_Dict_Add(t0, "DescendantFonts", arr) != HPDF_OK ||
	    HPDF_Array_Add(arr, cid) != HPDF_OK)
		goto hpdf_fail;
	if ((tu = new_stream(r, fe->cmap_z, fe->cmap_zlen, 1)) == NULL ||
	    HPDF_Dict_Add(t0, "ToUnicode", tu) != HPDF_OK)
		goto hpdf_fail;

	st |= HPDF_Dict_AddName(cid, "Type", "Font");
	st |= HPDF_Dict_AddName(cid, "Subtype", "CIDFontType2");
	st |= HPDF_Dict_AddName(cid, "BaseFont", base);
	if ((info = HPDF_Dict_New(r->pdf->mmgr)) == NULL ||
	    HPDF_Dict_Add(cid, "CIDSystemInfo", info) != HPDF_OK ||
	    HPDF_Dict_Add(info, "Registry", HPDF_String_New(r->pdf->mmgr, "Adobe", NULL)) !=
	    HPDF_OK ||
	    HPDF_Dict_Add(info, "Ordering", HPDF_String_New(r->pdf->mmgr, "Identity", NULL)) !=
	    HPDF_OK || HPDF_Dict_AddNumber(info, "Supplement", 0) != HPDF_OK)
		goto hpdf_fail;
	if (HPDF_Dict_Add(cid, "FontDescriptor", desc) != HPDF_OK)
		goto hpdf_fail;
	/* the widths the layout measured with, for CIDs 1..n */
	if ((arr = HPDF_Array_New(r->pdf->mmgr)) == NULL || HPDF_Dict_Add(cid, "W", arr) != HPDF_OK ||
	    HPDF_Array_AddNumber(arr, 1) != HPDF_OK || (w = HPDF_Array_New(r->pdf->mmgr)) == NULL ||
	    HPDF_Array_Add(arr, w) != HPDF_OK)
		goto hpdf_fail;
	for (i = 0; i < e->n; i++)
		st |= HPDF_Array_AddNumber(w, (HPDF_INT32)cp_width(r, face, e->cps[i]));
	if (identity)
		st |= HPDF_Dict_AddName(cid, "CIDToGIDMap", "Identity");
	else {
		map = xcalloc(e->n + 1, 2);
		for (i = 0; i < e->n; i++) {
			map[2 * (i + 1)] = (unsigned char)(fe->gids[i] >> 8);
			map[2 * (i + 1) + 1] = (unsigned char)(fe->gids[i] & 0xFF);
		}
		if ((ff = new_stream(r, map, 2 * (e->n + 1), 0)) == NULL ||
		    HPDF_Dict_Add(cid, "CIDToGIDMap", ff) != HPDF_OK)
			goto hpdf_fail;
	}

	st |= HPDF_Dict_AddName(desc, "Type", "FontDescriptor");
	st |= HPDF_Dict_AddName(desc, "FontName", base);
	st |= HPDF_Dict_AddNumber(desc, "Flags", 32);  /* nonsymbolic */
	if ((bbox = HPDF_Array_New(r->pdf->mmgr)) == NULL ||
	    HPDF_Dict_Add(desc, "FontBBox", bbox) != HPDF_OK)
		goto hpdf_fail;
	st |= HPDF_Array_AddNumber(bbox, m->x_min);
	st |= HPDF_Array_AddNumber(bbox, m->y_min);
	st |= HPDF_Array_AddNumber(bbox, m->x_max);
	st |= HPDF_Array_AddNumber(bbox, m->y_max);
	st |= HPDF_Dict_AddNumber(desc, "ItalicAngle", m->italic_angle);
	st |= HPDF_Dict_AddNumber(desc, "Ascent", m->ascent);
	st |= HPDF_Dict_AddNumber(desc, "Descent", m->descent);
	st |= HPDF_Dict_AddNumber(desc, "CapHeight", m->cap_height);
	st |= HPDF_Dict_AddNumber(desc, "StemV", face == F_BOLD ? 120 : 80);
	if ((ff = new_stream(r, fe->ttf_z, fe->ttf_zlen, 1)) == NULL ||
	    HPDF_Dict_Add(desc, "FontFile2", ff) != HPDF_OK ||
	    HPDF_Dict_AddNumber(ff, "Length1", (HPDF_INT32)fe->ttf_len) != HPDF_OK)
		goto hpdf_fail;
	if (st != HPDF_OK || r->hc.error != HPDF_OK)
		goto hpdf_fail;
	r->font[face] = (HPDF_Font)t0;
	free(map);
	return 0;
hpdf_fail:
	*cause = hpdf_cause(r, "embedding the font subset");
	free(map);
	return -1;
}

/*
 * What a page's content stream has set so far.  Text is written as PDF
 * operators directly: libharu's HPDF_Page_TextOut measures every string
 * again (a linear search per character in its base-14 metrics), and it
 * cannot draw glyph ids.
 */
struct pen {
	struct buf *b;
	HPDF_Page pg;
	int in_text;
	int face;               /* -1: none chosen in this text object */
	float size;
	long tx, ty;            /* text line start, in 1/1000 pt */
	float line_w, stroke, fill;
	const char *name[F_COUNT];      /* the fonts' resource names on this page */
};

/* Append a number given in thousandths, with as few digits as it needs. */
static void
put_milli(struct buf *b, long v)
{
	char s[32];
	int n;

	if (v < 0) {
		buf_addc(b, '-');
		v = -v;
	}
	if (v % 1000 == 0)
		n = snprintf(s, sizeof s, "%ld", v / 1000);
	else if (v % 100 == 0)
		n = snprintf(s, sizeof s, "%ld.%01ld", v / 1000, (v % 1000) / 100);
	else if (v % 10 == 0)
		n = snprintf(s, sizeof s, "%ld.%02ld", v / 1000, (v % 1000) / 10);
	else
		n = snprintf(s, sizeof s, "%ld.%03ld", v / 1000, v % 1000);
	buf_add(b, s, (size_t)n);
}

/* Round points to thousandths. */
static long
milli(float v)
{
	return lroundf(v * 1000.0f);
}

/* Append a number and a space. */
static void
put_num(struct buf *b, float v)
{
	put_milli(b, milli(v));
	buf_addc(b, ' ');
}

/* Leave the text object, if in one. */
static void
pen_end_text(struct pen *p)
{
	if (p->in_text) {
		buf_adds(p->b, "ET\n");
		p->in_text = 0;
	}
}

/* Set the fill gray if it differs. */
static void
pen_fill(struct pen *p, float gray)
{
	if (p->fill != gray) {
		put_num(p->b, gray);
		buf_adds(p->b, "g\n");
		p->fill = gray;
	}
}

/* Append one string byte, escaped as a PDF literal string needs. */
static void
put_str_byte(struct buf *b, unsigned char c)
{
	if (c == '(' || c == ')' || c == '\\') {
		buf_addc(b, '\\');
		buf_addc(b, (char)c);
	} else if (c == '\r')
		buf_adds(b, "\\r");
	else if (c == '\n')
		buf_adds(b, "\\n");
	else
		buf_addc(b, (char)c);
}

/*
 * Show cleaned UTF-8 text at (x, y): Windows-1252 bytes for base-14
 * Helvetica, two-byte CIDs for an embedded face.
 */
static int
pen_text(struct render *r, struct pen *p, int face, float size, float x, float y, const char *s,
    char **cause)
{
	const unsigned char *q = (const unsigned char *)s;
	long X = milli(x), Y = milli(y);

	if (!p->in_text) {
		buf_adds(p->b, "BT\n");
		p->in_text = 1;
		p->face = -1;
		p->tx = p->ty = 0;
	}
	if (face != p->face || size != p->size) {
		if (p->name[face] == NULL &&
		    (p->name[face] = HPDF_Page_GetLocalFontName(p->pg, r->font[face])) == NULL) {
			*cause = hpdf_cause(r, "adding a font to a page");
			return -1;
		}
		buf_addc(p->b, '/');
		buf_adds(p->b, p->name[face]);
		buf_addc(p->b, ' ');
		put_num(p->b, size);
		buf_adds(p->b, "Tf\n");
		p->face = face;
		p->size = size;
	}
	put_milli(p->b, X - p->tx);
	buf_addc(p->b, ' ');
	put_milli(p->b, Y - p->ty);
	buf_adds(p->b, " Td\n(");
	p->tx = X;
	p->ty = Y;
	while (*q != '\0') {
		uint32_t cp;
		size_t n = u8dec(q, &cp);

		if (n == 0)
			n = 1, cp = '?';
		q += n;
		if (r->unicode) {
			unsigned cid = emb_cid(&r->emb[face], cp);

			if (cid == 0) {
				*cause = xasprintf("U+%04X is missing from the font subset", (unsigned)cp);
				return -1;
			}
			put_str_byte(p->b, (unsigned char)(cid >> 8));
			put_str_byte(p->b, (unsigned char)(cid & 0xFF));
		} else {
			int b = to_cp1252(cp);

			put_str_byte(p->b, (unsigned char)(b < 0 ? '?' : b));
		}
	}
	buf_adds(p->b, ")Tj\n");
	return 0;
}

/* Draw one non-text operation. */
static int
pen_op(struct render *r, struct pen *p, const struct op *op, char **cause)
{
	const char *name;

	pen_end_text(p);
	switch (op->kind) {
	case OP_LINE:
		if (p->line_w != op->size) {
			put_num(p->b, op->size);
			buf_adds(p->b, "w\n");
			p->line_w = op->size;
		}
		if (p->stroke != op->gray) {
			put_num(p->b, op->gray);
			buf_adds(p->b, "G\n");
			p->stroke = op->gray;
		}
		put_num(p->b, op->x);
		put_num(p->b, op->y);
		buf_adds(p->b, "m ");
		put_num(p->b, op->x2);
		put_num(p->b, op->y2);
		buf_adds(p->b, "l S\n");
		break;
	case OP_FILL:
		pen_fill(p, op->gray);
		put_num(p->b, op->x);
		put_num(p->b, op->y);
		put_num(p->b, op->x2);
		put_num(p->b, op->y2);
		buf_adds(p->b, "re f\n");
		break;
	case OP_IMAGE:
		name = HPDF_Page_GetXObjectName(p->pg, r->sig);
		if (name == NULL) {
			*cause = hpdf_cause(r, "adding the signature to a page");
			return -1;
		}
		buf_adds(p->b, "q ");
		put_num(p->b, op->x2);
		buf_adds(p->b, "0 0 ");
		put_num(p->b, op->y2);
		put_num(p->b, op->x);
		put_num(p->b, op->y);
		buf_adds(p->b, "cm /");
		buf_adds(p->b, name);
		buf_adds(p->b, " Do Q\n");
		break;
	}
	return 0;
}

/* Draw every page from the layout, with its footer. */
static int
draw(struct render *r, char **cause)
{
	size_t i, k;
	char label[128];
	struct buf content;

	buf_init(&content);
	for (i = 0; i < r->npages; i++) {
		const struct page *pg = &r->pages[i];
		struct pen p;

		memset(&p, 0, sizeof p);
		/* PDF's initial graphics state: 1 pt lines, black */
		p.line_w = 1.0f;
		p.b = &content;
		p.face = -1;
		content.len = 0;
		p.pg = HPDF_AddPage(r->pdf);
		if (p.pg == NULL || HPDF_Page_SetWidth(p.pg, pg->w) != HPDF_OK ||
		    HPDF_Page_SetHeight(p.pg, pg->h) != HPDF_OK) {
			*cause = hpdf_cause(r, "adding a page");
			goto fail;
		}
		for (k = pg->first; k < pg->first + pg->count; k++) {
			const struct op *op = &r->ops[k];

			if (op->kind != OP_TEXT) {
				if (pen_op(r, &p, op, cause) != 0)
					goto fail;
				continue;
			}
			pen_fill(&p, 0);
			if (pen_text(r, &p, r->font[op->face] != NULL ? op->face : F_REG, op->size,
			    op->x, op->y, r->text.data + op->text, cause) != 0)
				goto fail;
		}
		if (pg->num > 0) {
			const struct letter *lt = &r->letters[pg->letter];
			float w;

			pen_fill(&p, 0.3f);
			snprintf(label, sizeof label, lt->page_fmt, pg->num, pg->total);
			w = text_width(r, F_REG, FOOT_SIZE, label, strlen(label));
			if (pen_text(r, &p, F_REG, FOOT_SIZE, pg->right - w, pg->foot, label,
			    cause) != 0)
				goto fail;
			if (lt->ref != SIZE_MAX && pen_text(r, &p, F_REG, lt->foot_size, pg->left,
			    pg->foot, r->text.data + lt->ref, cause) != 0)
				goto fail;
		}
		pen_end_text(&p);
		if (HPDF_Stream_Write(((HPDF_PageAttr)((HPDF_Dict)p.pg)->attr)->stream,
		    (const HPDF_BYTE *)content.data, (HPDF_UINT)content.len) != HPDF_OK ||
		    r->hc.error != HPDF_OK) {
			*cause = hpdf_cause(r, "drawing a page");
			goto fail;
		}
	}
	buf_free(&content);
	return 0;
fail:
	buf_free(&content);
	return -1;
}

/* Free everything a render holds. */
static void
render_free(struct render *r)
{
	if (r->pdf != NULL)
		HPDF_Free(r->pdf);
	free(r->ops);
	free(r->pages);
	free(r->letters);
	free(r->emb[F_REG].cps);
	free(r->emb[F_BOLD].cps);
	buf_free(&r->text);
	free(r);
}

/* Validate all letters and decide between Windows-1252 and an embedded font. */
static int
scan_all(struct render *r, const struct doc *const *docs, size_t n, char **cause)
{
	struct where w;
	size_t i;

	for (i = 0; i < n; i++) {
		if (scan_doc(r, docs[i], n > 1 ? i + 1 : 0, 0, cause) != 0)
			return -1;
	}
	if (!r->unicode)
		return 0;
	if (fonts_load(r->o.font_dir != NULL ? r->o.font_dir : PDF_FONT_DIR, cause) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (scan_doc(r, docs[i], n > 1 ? i + 1 : 0, 1, cause) != 0)
			return -1;
	}
	memset(&w, 0, sizeof w);
	w.what = "the page labels";
	return scan_str(r, LABELS, F_REG, &w, 1, cause);
}

/* Render several letters into one PDF. */
int
pdf_render_many(const struct doc *const *docs, size_t n, const struct pdf_opts *o,
    unsigned char **out, size_t *len, char **cause)
{
	struct render *r;
	HPDF_UINT32 size;
	size_t i;

	*out = NULL;
	*len = 0;
	if (n == 0) {
		*cause = xasprintf("no letters to render");
		return -1;
	}
	r = xcalloc(1, sizeof *r);
	if (o != NULL)
		r->o = *o;
	buf_init(&r->text);
	if (scan_all(r, docs, n, cause) != 0)
		goto fail;

	r->pdf = HPDF_New(on_hpdf_error, &r->hc);
	if (r->pdf == NULL) {
		*cause = xasprintf("PDF library: cannot create a document");
		goto fail;
	}
	if (HPDF_SetCompressionMode(r->pdf, HPDF_COMP_ALL) != HPDF_OK ||
	    HPDF_SetInfoAttr(r->pdf, HPDF_INFO_PRODUCER, "optout") != HPDF_OK) {
		*cause = hpdf_cause(r, "setting up the document");
		goto fail;
	}
	if (!r->unicode) {
		if (load_w1252(r) != 0 || (r->font[F_REG] = base14_font(r, "Helvetica")) == NULL ||
		    (r->font[F_BOLD] = base14_font(r, "Helvetica-Bold")) == NULL) {
			*cause = hpdf_cause(r, "loading Helvetica");
			goto fail;
		}
	}
	if (load_signature(r, cause) != 0)
		goto fail;

	r->letters = xcalloc(n, sizeof *r->letters);
	r->nletters = n;
	for (i = 0; i < n; i++) {
		if (i > 0 && r->o.duplex && r->npages % 2 == 1) {
			new_page(r, i);
			r->pages[r->npages - 1].num = 0;
		}
		if (layout_letter(r, docs[i], i, n > 1, cause) != 0)
			goto fail;
	}

	if (r->unicode) {
		if (embed_face(r, F_REG, cause) != 0)
			goto fail;
		if (r->used_any[F_BOLD] && embed_face(r, F_BOLD, cause) != 0)
			goto fail;
	}
	if (draw(r, cause) != 0)
		goto fail;
	if (HPDF_SaveToStream(r->pdf) != HPDF_OK) {
		*cause = hpdf_cause(r, "writing the document");
		goto fail;
	}
	size = HPDF_GetStreamSize(r->pdf);
	*out = xmalloc(size);
	if (HPDF_ResetStream(r->pdf) != HPDF_OK) {
		*cause = hpdf_cause(r, "reading the document back");
		goto fail;
	}
	{
		HPDF_UINT32 got = size;
		HPDF_STATUS st = HPDF_ReadFromStream(r->pdf, *out, &got);

		/* Reading to the very end reports end of stream: that is success. */
		if ((st != HPDF_OK && st != HPDF_STREAM_EOF) || got != size) {
			*cause = hpdf_cause(r, "reading the document back");
			goto fail;
		}
	}
	*len = size;
	render_free(r);
	return 0;
fail:
	free(*out);
	*out = NULL;
	render_free(r);
	return -1;
}

/* Render one letter. */
int
pdf_render(const struct doc *d, const struct pdf_opts *o, unsigned char **out, size_t *len,
    char **cause)
{
	const struct doc *docs[1];

	docs[0] = d;
	return pdf_render_many(docs, 1, o, out, len, cause);
}

/* Check that every character of a document can be printed. */
int
pdf_check(const struct doc *d, const struct pdf_opts *o, char **cause)
{
	struct render *r = xcalloc(1, sizeof *r);
	const struct doc *docs[1];
	int rc;

	docs[0] = d;
	if (o != NULL)
		r->o = *o;
	buf_init(&r->text);
	rc = scan_all(r, docs, 1, cause);
	render_free(r);
	return rc;
}
