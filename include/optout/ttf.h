/*
 * ttf: a TrueType reader and subsetter (pure C, no libharu).
 *
 * The PDF renderer embeds only the glyphs a letter uses: ttf_subset builds
 * a small, self-contained TrueType font whose composite glyphs are
 * flattened into simple ones (libharu 2.3.0 drops nested components, so
 * "ễ" would print as "e"), with compact glyph ids, a format 4 cmap, no
 * hinting, and consistent head/hhea/maxp/hmtx/loca/glyf/post/name/OS/2
 * tables with correct checksums.
 *
 * Contract: ttf_parse copies the bytes it is given; the struct ttf_font it
 * returns is owned by the caller and freed with ttf_free (NULL is fine).
 * Functions that can fail return 0 or -1 and set *cause to an allocated
 * message the caller frees.  Messages name glyph ids and code points, never
 * text.  Coordinates and advances are in font units.
 */
#ifndef OPTOUT_TTF_H
#define OPTOUT_TTF_H

#include <stddef.h>
#include <stdint.h>

struct ttf_font;

/* What a glyph looks like once its components are resolved. */
struct ttf_glyph_info {
	int composite;          /* stored as a composite glyph */
	int depth;              /* component nesting depth (0 for simple) */
	size_t contours;        /* contours after flattening */
	size_t points;          /* points after flattening */
	int x_min, y_min, x_max, y_max;   /* bounding box after flattening */
	unsigned advance;       /* advance width */
};

/* What a PDF font descriptor says about a font, in 1/1000 em. */
struct ttf_metrics {
	int x_min, y_min, x_max, y_max;   /* head's bounding box */
	int ascent, descent;    /* hhea's ascender and descender */
	int cap_height;         /* OS/2 sCapHeight, else the top of "H", else the ascent */
	int italic_angle;       /* post's italicAngle, whole degrees */
	char ps_name[64];       /* the PostScript name (name ID 6), PDF-name safe */
};

/* Parse a TrueType font (copied); name is used in messages. */
int ttf_parse(const void *data, size_t len, const char *name, struct ttf_font **out,
    char **cause);
/* Read and parse a TrueType file. */
int ttf_load_file(const char *path, struct ttf_font **out, char **cause);
void ttf_free(struct ttf_font *f);

unsigned ttf_num_glyphs(const struct ttf_font *f);
unsigned ttf_units_per_em(const struct ttf_font *f);
/* The glyph for a code point, 0 (.notdef) when the font has none. */
unsigned ttf_glyph_id(const struct ttf_font *f, uint32_t cp);
/* Advance width of a glyph in font units. */
unsigned ttf_advance(const struct ttf_font *f, unsigned gid);
/* Advance width of a code point in 1/1000 em, truncated as libharu does. */
unsigned ttf_width_1000(const struct ttf_font *f, uint32_t cp);
/* Resolve a glyph (flattening components) and describe it. */
int ttf_glyph_info(const struct ttf_font *f, unsigned gid, struct ttf_glyph_info *gi,
    char **cause);
/* How many glyphs are stored as composites. */
size_t ttf_count_composites(const struct ttf_font *f);

/*
 * Build a subset holding .notdef and the glyphs of the given code points
 * (BMP only; duplicates are fine).  Fails if a code point has no glyph.
 * *out is allocated with xmalloc; the caller frees it.
 */
int ttf_subset(const struct ttf_font *f, const uint32_t *cps, size_t ncps,
    unsigned char **out, size_t *len, char **cause);
/*
 * ttf_subset that also tells where each glyph went: gids[i] is the subset's
 * glyph id for cps[i] (gids has ncps entries).  Glyph 0 is .notdef; the
 * others follow in code point order, each source glyph once, so distinct
 * code points share an id only when the font draws them with one glyph.
 */
int ttf_subset_gids(const struct ttf_font *f, const uint32_t *cps, size_t ncps,
    unsigned *gids, unsigned char **out, size_t *len, char **cause);

/* The font's descriptor metrics, scaled to 1/1000 em (truncated toward zero). */
void ttf_metrics(const struct ttf_font *f, struct ttf_metrics *m);

/* Check the table directory, every table checksum and head.checkSumAdjustment. */
int ttf_check(const void *data, size_t len, char **cause);

#endif
