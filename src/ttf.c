/* ttf: TrueType reader and subsetter with composite-glyph flattening. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optout/ttf.h"
#include "optout/util.h"

/* Fonts larger than this are refused (DejaVu Sans is 0.75 MB). */
#define TTF_MAX_BYTES (32u << 20)
/* Composite glyphs nest a few levels in practice; more is a malformed font. */
#define TTF_MAX_DEPTH 8
/* endPtsOfContours and maxp counts are 16-bit. */
#define TTF_MAX_POINTS 65535u
/* Components resolved for one glyph: bounds the work a hostile font can cause. */
#define TTF_MAX_COMPONENTS 4096u

/* Composite glyph flags (OpenType glyf table). */
#define ARG_1_AND_2_ARE_WORDS 0x0001
#define ARGS_ARE_XY_VALUES 0x0002
#define ROUND_XY_TO_GRID 0x0004
#define WE_HAVE_A_SCALE 0x0008
#define MORE_COMPONENTS 0x0020
#define WE_HAVE_AN_X_AND_Y_SCALE 0x0040
#define WE_HAVE_A_TWO_BY_TWO 0x0080
#define SCALED_COMPONENT_OFFSET 0x0800
#define UNSCALED_COMPONENT_OFFSET 0x1000

/* Simple glyph flags. */
#define ON_CURVE 0x01
#define X_SHORT 0x02
#define Y_SHORT 0x04
#define REPEAT 0x08
#define X_SAME_OR_POS 0x10
#define Y_SAME_OR_POS 0x20
#define OVERLAP_SIMPLE 0x40

struct table {
	uint32_t off;
	uint32_t len;
	int found;
};

struct ttf_font {
	unsigned char *data;
	size_t len;
	char *name;
	struct table head, hhea, maxp, hmtx, loca, glyf, cmap, names, os2, post;
	unsigned num_glyphs;
	unsigned upem;
	unsigned num_hmetrics;
	int loca_long;
	uint32_t cmap_off;      /* chosen subtable, absolute */
	uint32_t cmap_len;      /* bytes available to it */
	int cmap_format;        /* 4 or 12 */
};

/* State of one glyph's resolution: how deep it went and how many components it took. */
struct walk {
	int maxdepth;
	unsigned components;
};

/* A glyph outline with its components resolved. */
struct outline {
	double *x, *y;
	unsigned char *on;
	size_t n, cap;
	size_t *ends;
	size_t nc, ccap;
};

/* Read a big-endian unsigned 16-bit value. */
static unsigned
rd16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Read a big-endian signed 16-bit value. */
static int
rds16(const unsigned char *p)
{
	unsigned v = rd16(p);

	return v >= 0x8000 ? (int)v - 0x10000 : (int)v;
}

/* Read a big-endian unsigned 32-bit value. */
static uint32_t
rd32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Store a big-endian 16-bit value. */
static void
wr16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

/* Store a big-endian 32-bit value. */
static void
wr32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* Append a big-endian 16-bit value. */
static void
put16(struct buf *b, unsigned v)
{
	unsigned char t[2];

	wr16(t, v);
	buf_add(b, t, 2);
}

/* Append a big-endian 32-bit value. */
static void
put32(struct buf *b, uint32_t v)
{
	unsigned char t[4];

	wr32(t, v);
	buf_add(b, t, 4);
}

/* Pad a buffer with zeros to a multiple of n bytes. */
static void
pad_to(struct buf *b, size_t n)
{
	while (b->len % n != 0)
		buf_addc(b, 0);
}

/* The TrueType checksum: the sum of big-endian 32-bit words, zero-padded. */
static uint32_t
checksum(const unsigned char *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 4 <= len; i += 4)
		sum += rd32(p + i);
	if (i < len) {
		unsigned char last[4] = { 0, 0, 0, 0 };

		memcpy(last, p + i, len - i);
		sum += rd32(last);
	}
	return sum;
}

/* Look a table up in the directory, checking it lies inside the file. */
static int
find_table(const unsigned char *d, size_t len, const char *tag, struct table *t)
{
	unsigned n = rd16(d + 4), i;

	memset(t, 0, sizeof *t);
	for (i = 0; i < n; i++) {
		const unsigned char *e = d + 12 + 16 * (size_t)i;

		if (memcmp(e, tag, 4) != 0)
			continue;
		t->off = rd32(e + 8);
		t->len = rd32(e + 12);
		if (t->off > len || t->len > len - t->off)
			return -1;
		t->found = 1;
		return 0;
	}
	return 0;
}

/* Check the sfnt header and that the table directory fits. */
static int
check_header(const unsigned char *d, size_t len, const char *name, char **cause)
{
	uint32_t tag;

	if (len < 12) {
		*cause = xasprintf("%s: too short for a font", name);
		return -1;
	}
	tag = rd32(d);
	if (tag == 0x74746366) {        /* "ttcf" */
		*cause = xasprintf("%s: font collections are not supported", name);
		return -1;
	}
	if (tag == 0x4F54544F) {        /* "OTTO" */
		*cause = xasprintf("%s: CFF-flavoured OpenType fonts are not supported", name);
		return -1;
	}
	if (tag != 0x00010000 && tag != 0x74727565) {   /* 1.0 or "true" */
		*cause = xasprintf("%s: not a TrueType font", name);
		return -1;
	}
	if (12 + 16 * (size_t)rd16(d + 4) > len) {
		*cause = xasprintf("%s: truncated table directory", name);
		return -1;
	}
	return 0;
}

/* Score a cmap subtable: prefer full Unicode, then BMP Unicode. */
static int
cmap_score(unsigned platform, unsigned encoding, unsigned format)
{
	if (platform == 3 && encoding == 10 && format == 12)
		return 4;
	if (platform == 0 && encoding >= 4 && format == 12)
		return 3;
	if (platform == 3 && encoding == 1 && format == 4)
		return 2;
	if (platform == 0 && encoding <= 3 && format == 4)
		return 1;
	return 0;
}

/* Choose the Unicode cmap subtable and check that its arrays fit. */
static int
pick_cmap(struct ttf_font *f, char **cause)
{
	const unsigned char *c = f->data + f->cmap.off;
	uint32_t clen = f->cmap.len;
	unsigned n, i;
	int best = 0;

	if (clen < 4 || 4 + 8 * (size_t)rd16(c + 2) > clen)
		goto bad;
	n = rd16(c + 2);
	for (i = 0; i < n; i++) {
		const unsigned char *r = c + 4 + 8 * (size_t)i;
		uint32_t off = rd32(r + 4);
		unsigned fmt;
		int score;

		if (off > clen || clen - off < 8)
			continue;
		fmt = rd16(c + off);
		score = cmap_score(rd16(r), rd16(r + 2), fmt);
		if (score > best) {
			best = score;
			f->cmap_off = f->cmap.off + off;
			f->cmap_len = clen - off;
			f->cmap_format = (int)fmt;
		}
	}
	if (best == 0) {
		*cause = xasprintf("%s: no Unicode cmap (format 4 or 12)", f->name);
		return -1;
	}
	c = f->data + f->cmap_off;
	if (f->cmap_format == 4) {
		unsigned segx2;

		if (f->cmap_len < 16)
			goto bad;
		segx2 = rd16(c + 6);
		if (segx2 == 0 || segx2 % 2 != 0 || 16 + 4 * (size_t)segx2 > f->cmap_len)
			goto bad;
	} else {
		if (f->cmap_len < 16 || 16 + 12 * (uint64_t)rd32(c + 12) > f->cmap_len)
			goto bad;
	}
	return 0;
bad:
	*cause = xasprintf("%s: malformed cmap table", f->name);
	return -1;
}

/* Parse a TrueType font (copied); name is used in messages. */
int
ttf_parse(const void *data, size_t len, const char *name, struct ttf_font **out,
    char **cause)
{
	struct ttf_font *f;
	const unsigned char *d = data;
	struct {
		const char *tag;
		struct table *t;
		uint32_t min;
		int required;
	} want[10];
	size_t i;

	*out = NULL;
	if (name == NULL)
		name = "font";
	if (len > TTF_MAX_BYTES) {
		*cause = xasprintf("%s: larger than %u bytes", name, TTF_MAX_BYTES);
		return -1;
	}
	if (check_header(d, len, name, cause) != 0)
		return -1;
	f = xcalloc(1, sizeof *f);
	f->data = xmalloc(len);
	memcpy(f->data, data, len);
	f->len = len;
	f->name = xstrdup(name);
	want[0].tag = "head", want[0].t = &f->head, want[0].min = 54, want[0].required = 1;
	want[1].tag = "hhea", want[1].t = &f->hhea, want[1].min = 36, want[1].required = 1;
	want[2].tag = "maxp", want[2].t = &f->maxp, want[2].min = 6, want[2].required = 1;
	want[3].tag = "hmtx", want[3].t = &f->hmtx, want[3].min = 4, want[3].required = 1;
	want[4].tag = "loca", want[4].t = &f->loca, want[4].min = 4, want[4].required = 1;
	want[5].tag = "glyf", want[5].t = &f->glyf, want[5].min = 0, want[5].required = 1;
	want[6].tag = "cmap", want[6].t = &f->cmap, want[6].min = 4, want[6].required = 1;
	want[7].tag = "name", want[7].t = &f->names, want[7].min = 6, want[7].required = 0;
	want[8].tag = "OS/2", want[8].t = &f->os2, want[8].min = 78, want[8].required = 0;
	want[9].tag = "post", want[9].t = &f->post, want[9].min = 32, want[9].required = 0;
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		if (find_table(f->data, len, want[i].tag, want[i].t) != 0) {
			*cause = xasprintf("%s: table %s lies outside the file", name, want[i].tag);
			goto fail;
		}
		if (!want[i].t->found) {
			if (!want[i].required)
				continue;
			*cause = xasprintf("%s: no %s table", name, want[i].tag);
			goto fail;
		}
		if (want[i].t->len < want[i].min) {
			*cause = xasprintf("%s: %s table too short", name, want[i].tag);
			goto fail;
		}
	}
	if (rd32(f->data + f->head.off + 12) != 0x5F0F3CF5) {
		*cause = xasprintf("%s: bad head magic number", name);
		goto fail;
	}
	f->upem = rd16(f->data + f->head.off + 18);
	if (f->upem < 16 || f->upem > 16384) {
		*cause = xasprintf("%s: unitsPerEm %u out of range", name, f->upem);
		goto fail;
	}
	f->loca_long = rds16(f->data + f->head.off + 50);
	if (f->loca_long != 0 && f->loca_long != 1) {
		*cause = xasprintf("%s: bad indexToLocFormat", name);
		goto fail;
	}
	f->num_glyphs = rd16(f->data + f->maxp.off + 4);
	f->num_hmetrics = rd16(f->data + f->hhea.off + 34);
	if (f->num_glyphs == 0 || f->num_hmetrics == 0 || f->num_hmetrics > f->num_glyphs) {
		*cause = xasprintf("%s: bad glyph or metrics count", name);
		goto fail;
	}
	if ((size_t)f->num_hmetrics * 4 + (size_t)(f->num_glyphs - f->num_hmetrics) * 2 >
	    f->hmtx.len) {
		*cause = xasprintf("%s: hmtx table too short", name);
		goto fail;
	}
	if (((size_t)f->num_glyphs + 1) * (f->loca_long ? 4 : 2) > f->loca.len) {
		*cause = xasprintf("%s: loca table too short", name);
		goto fail;
	}
	if (pick_cmap(f, cause) != 0)
		goto fail;
	*out = f;
	return 0;
fail:
	ttf_free(f);
	return -1;
}

/* Read and parse a TrueType file. */
int
ttf_load_file(const char *path, struct ttf_font **out, char **cause)
{
	char *data;
	size_t len;
	int rc;

	*out = NULL;
	if (read_file(path, TTF_MAX_BYTES, &data, &len, cause) != 0)
		return -1;
	rc = ttf_parse(data, len, path, out, cause);
	free(data);
	return rc;
}

/* Free a parsed font. */
void
ttf_free(struct ttf_font *f)
{
	if (f == NULL)
		return;
	free(f->data);
	free(f->name);
	free(f);
}

/* Number of glyphs in the font. */
unsigned
ttf_num_glyphs(const struct ttf_font *f)
{
	return f->num_glyphs;
}

/* Units per em of the font's design grid. */
unsigned
ttf_units_per_em(const struct ttf_font *f)
{
	return f->upem;
}

/* Scale font units to 1/1000 em, truncating toward zero as PDF writers do. */
static int
to_1000(const struct ttf_font *f, int v)
{
	return (int)((long)v * 1000 / (long)f->upem);
}

/* Copy the Windows English PostScript name, keeping only characters safe in a PDF name. */
static void
ps_name(const struct ttf_font *f, char *out, size_t size)
{
	const unsigned char *t;
	unsigned count, soff, i, k;
	size_t n = 0;

	out[0] = '\0';
	if (f->names.found) {
		t = f->data + f->names.off;
		count = rd16(t + 2);
		soff = rd16(t + 4);
		for (i = 0; 6 + 12 * ((size_t)i + 1) <= f->names.len && i < count; i++) {
			const unsigned char *r = t + 6 + 12 * (size_t)i;
			unsigned len = rd16(r + 8), o = rd16(r + 10);

			if (rd16(r) != 3 || rd16(r + 2) != 1 || rd16(r + 4) != 0x409 ||
			    rd16(r + 6) != 6 || (size_t)soff + o + len > f->names.len)
				continue;
			for (k = 0; k + 1 < len && n + 1 < size; k += 2) {
				unsigned c = rd16(t + soff + o + k);

				if (c > 0x20 && c < 0x7F && strchr("()<>[]{}/%#", (int)c) == NULL)
					out[n++] = (char)c;
			}
			out[n] = '\0';
			break;
		}
	}
	if (n == 0)
		snprintf(out, size, "Font");
}

/* The font's descriptor metrics in 1/1000 em. */
void
ttf_metrics(const struct ttf_font *f, struct ttf_metrics *m)
{
	const unsigned char *head = f->data + f->head.off, *hhea = f->data + f->hhea.off;
	struct ttf_glyph_info gi;
	char *cause = NULL;
	unsigned h;

	memset(m, 0, sizeof *m);
	m->x_min = to_1000(f, rds16(head + 36));
	m->y_min = to_1000(f, rds16(head + 38));
	m->x_max = to_1000(f, rds16(head + 40));
	m->y_max = to_1000(f, rds16(head + 42));
	m->ascent = to_1000(f, rds16(hhea + 4));
	m->descent = to_1000(f, rds16(hhea + 6));
	if (f->os2.found && f->os2.len >= 90 && rd16(f->data + f->os2.off) >= 2)
		m->cap_height = to_1000(f, rds16(f->data + f->os2.off + 88));
	if (m->cap_height <= 0 && (h = ttf_glyph_id(f, 'H')) != 0) {
		if (ttf_glyph_info(f, h, &gi, &cause) == 0)
			m->cap_height = to_1000(f, gi.y_max);
		free(cause);
	}
	if (m->cap_height <= 0)
		m->cap_height = m->ascent;
	if (f->post.found)
		m->italic_angle = (int)(int32_t)rd32(f->data + f->post.off + 4) / 65536;
	ps_name(f, m->ps_name, sizeof m->ps_name);
}

/* Look a code point up in a format 4 subtable. */
static unsigned
cmap4_lookup(const struct ttf_font *f, uint32_t cp)
{
	const unsigned char *c = f->data + f->cmap_off;
	unsigned segx2 = rd16(c + 6), segs = segx2 / 2;
	const unsigned char *ends = c + 14, *starts = c + 16 + segx2;
	const unsigned char *deltas = starts + segx2, *ros = deltas + segx2;
	unsigned lo = 0, hi = segs, start, ro, g;
	size_t at;

	if (cp > 0xFFFF)
		return 0;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (rd16(ends + (size_t)2 * mid) < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == segs)
		return 0;
	start = rd16(starts + (size_t)2 * lo);
	if (start > cp)
		return 0;
	ro = rd16(ros + (size_t)2 * lo);
	if (ro == 0)
		return (cp + rd16(deltas + (size_t)2 * lo)) & 0xFFFF;
	at = (size_t)(ros - c) + (size_t)2 * lo + ro + 2 * (size_t)(cp - start);
	if (at + 2 > f->cmap_len)
		return 0;
	g = rd16(c + at);
	return g == 0 ? 0 : (g + rd16(deltas + (size_t)2 * lo)) & 0xFFFF;
}

/* Look a code point up in a format 12 subtable. */
static unsigned
cmap12_lookup(const struct ttf_font *f, uint32_t cp)
{
	const unsigned char *c = f->data + f->cmap_off;
	uint32_t n = rd32(c + 12), lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (rd32(c + 16 + 12 * (size_t)mid + 4) < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == n)
		return 0;
	c += 16 + 12 * (size_t)lo;
	if (rd32(c) > cp)
		return 0;
	return (unsigned)(rd32(c + 8) + (cp - rd32(c)));
}

/* The glyph for a code point, 0 (.notdef) when the font has none. */
unsigned
ttf_glyph_id(const struct ttf_font *f, uint32_t cp)
{
	unsigned g;

	g = f->cmap_format == 4 ? cmap4_lookup(f, cp) : cmap12_lookup(f, cp);
	return g < f->num_glyphs ? g : 0;
}

/* Advance width of a glyph in font units. */
unsigned
ttf_advance(const struct ttf_font *f, unsigned gid)
{
	const unsigned char *h = f->data + f->hmtx.off;

	if (gid >= f->num_glyphs)
		gid = 0;
	if (gid >= f->num_hmetrics)
		gid = f->num_hmetrics - 1;
	return rd16(h + 4 * (size_t)gid);
}

/* Advance width of a code point in 1/1000 em, truncated as libharu does. */
unsigned
ttf_width_1000(const struct ttf_font *f, uint32_t cp)
{
	return ttf_advance(f, ttf_glyph_id(f, cp)) * 1000u / f->upem;
}

/* Find a glyph's bytes in glyf; an empty glyph has length 0. */
static int
glyph_data(const struct ttf_font *f, unsigned gid, const unsigned char **p, size_t *len,
    char **cause)
{
	const unsigned char *l = f->data + f->loca.off;
	uint32_t a, b;

	if (gid >= f->num_glyphs) {
		*cause = xasprintf("%s: glyph %u out of range", f->name, gid);
		return -1;
	}
	if (f->loca_long) {
		a = rd32(l + 4 * (size_t)gid);
		b = rd32(l + 4 * (size_t)gid + 4);
	} else {
		a = 2 * (uint32_t)rd16(l + 2 * (size_t)gid);
		b = 2 * (uint32_t)rd16(l + 2 * (size_t)gid + 2);
	}
	if (a > b || b > f->glyf.len) {
		*cause = xasprintf("%s: glyph %u has a bad loca entry", f->name, gid);
		return -1;
	}
	*p = f->data + f->glyf.off + a;
	*len = b - a;
	if (*len != 0 && *len < 10) {
		*cause = xasprintf("%s: glyph %u is truncated", f->name, gid);
		return -1;
	}
	return 0;
}

/* Release an outline's arrays. */
static void
outline_free(struct outline *o)
{
	free(o->x);
	free(o->y);
	free(o->on);
	free(o->ends);
	memset(o, 0, sizeof *o);
}

/* Append a point, growing the arrays. */
static int
outline_point(struct outline *o, double x, double y, int on)
{
	if (o->n >= TTF_MAX_POINTS)
		return -1;
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 64;
		o->x = xreallocarray(o->x, o->cap, sizeof *o->x);
		o->y = xreallocarray(o->y, o->cap, sizeof *o->y);
		o->on = xreallocarray(o->on, o->cap, sizeof *o->on);
	}
	o->x[o->n] = x;
	o->y[o->n] = y;
	o->on[o->n] = (unsigned char)(on != 0);
	o->n++;
	return 0;
}

/* Record the index of a contour's last point. */
static void
outline_add_end(struct outline *o, size_t end)
{
	if (o->nc == o->ccap) {
		o->ccap = o->ccap ? o->ccap * 2 : 8;
		o->ends = xreallocarray(o->ends, o->ccap, sizeof *o->ends);
	}
	o->ends[o->nc++] = end;
}

/*
 * Read one coordinate of every point (x or y: the flag bits say which), as
 * deltas of one byte with a sign flag, two bytes, or none (same as before).
 */
static int
read_coords(const unsigned char *p, size_t len, size_t *pos, const unsigned char *flags,
    size_t npts, unsigned char short_bit, unsigned char same_bit, int *out)
{
	long v = 0;
	size_t k;

	for (k = 0; k < npts; k++) {
		if (flags[k] & short_bit) {
			if (*pos + 1 > len)
				return -1;
			v += (flags[k] & same_bit) ? p[*pos] : -(long)p[*pos];
			*pos += 1;
		} else if (!(flags[k] & same_bit)) {
			if (*pos + 2 > len)
				return -1;
			v += rds16(p + *pos);
			*pos += 2;
		}
		out[k] = (int)v;
	}
	return 0;
}

/* Decode a simple glyph's contours into an outline. */
static int
parse_simple(const struct ttf_font *f, unsigned gid, const unsigned char *p, size_t len,
    struct outline *o, char **cause)
{
	unsigned nc = (unsigned)rds16(p), i;
	size_t npts, pos, ilen, k, base = o->n;
	unsigned char *flags = NULL;
	int *xs = NULL, *ys = NULL;

	if (nc == 0)
		return 0;
	if (10 + 2 * (size_t)nc + 2 > len)
		goto bad;
	for (i = 1; i < nc; i++) {
		if (rd16(p + 10 + 2 * (size_t)i) < rd16(p + 10 + 2 * (size_t)(i - 1)))
			goto bad;
	}
	npts = (size_t)rd16(p + 10 + 2 * (size_t)(nc - 1)) + 1;
	ilen = rd16(p + 10 + 2 * (size_t)nc);
	pos = 10 + 2 * (size_t)nc + 2 + ilen;
	if (pos > len)
		goto bad;
	flags = xmalloc(npts);
	for (k = 0; k < npts;) {
		unsigned char fl;
		unsigned rep = 0;

		if (pos >= len)
			goto bad;
		fl = p[pos++];
		if (fl & REPEAT) {
			if (pos >= len)
				goto bad;
			rep = p[pos++];
		}
		if (k + 1 + rep > npts)
			goto bad;
		memset(flags + k, fl, 1 + rep);
		k += 1 + rep;
	}
	xs = xmalloc(npts * sizeof *xs);
	ys = xmalloc(npts * sizeof *ys);
	if (read_coords(p, len, &pos, flags, npts, X_SHORT, X_SAME_OR_POS, xs) != 0 ||
	    read_coords(p, len, &pos, flags, npts, Y_SHORT, Y_SAME_OR_POS, ys) != 0)
		goto bad;
	for (k = 0; k < npts; k++) {
		if (outline_point(o, xs[k], (double)ys[k], flags[k] & ON_CURVE) != 0)
			goto big;
	}
	for (i = 0; i < nc; i++) {
		size_t end = base + rd16(p + 10 + 2 * (size_t)i);

		/* Skip empty contours (an end point repeated). */
		if (i > 0 && rd16(p + 10 + 2 * (size_t)i) == rd16(p + 10 + 2 * (size_t)(i - 1)))
			continue;
		outline_add_end(o, end);
	}
	free(flags);
	free(xs);
	free(ys);
	return 0;
bad:
	free(flags);
	free(xs);
	free(ys);
	*cause = xasprintf("%s: glyph %u is malformed", f->name, gid);
	return -1;
big:
	free(flags);
	free(xs);
	free(ys);
	*cause = xasprintf("%s: glyph %u has too many points", f->name, gid);
	return -1;
}

/* Read an F2Dot14 number. */
static double
f2dot14(const unsigned char *p)
{
	return rds16(p) / 16384.0;
}

static int flatten(const struct ttf_font *, unsigned, int, struct outline *, struct walk *,
    int *, char **);

/* Resolve one component of a composite glyph and append it to o. */
static int
add_component(const struct ttf_font *f, unsigned gid, unsigned child, unsigned flags,
    int arg1, int arg2, const double m[4], int depth, struct outline *o, struct walk *w,
    char **cause)
{
	struct outline c;
	double dx, dy;
	size_t k, base = o->n;

	memset(&c, 0, sizeof c);
	if (++w->components > TTF_MAX_COMPONENTS) {
		*cause = xasprintf("%s: glyph %u has too many components", f->name, gid);
		return -1;
	}
	if (flatten(f, child, depth + 1, &c, w, NULL, cause) != 0) {
		outline_free(&c);
		return -1;
	}
	for (k = 0; k < c.n; k++) {
		double x = c.x[k], y = c.y[k];

		/* x' = xscale*x + scale10*y; y' = scale01*x + yscale*y */
		c.x[k] = m[0] * x + m[2] * y;
		c.y[k] = m[1] * x + m[3] * y;
	}
	if (flags & ARGS_ARE_XY_VALUES) {
		dx = arg1;
		dy = arg2;
		/* Microsoft's default is an unscaled offset; Apple's is scaled. */
		if ((flags & SCALED_COMPONENT_OFFSET) && !(flags & UNSCALED_COMPONENT_OFFSET)) {
			double tx = m[0] * dx + m[2] * dy, ty = m[1] * dx + m[3] * dy;

			dx = tx;
			dy = ty;
		}
		if (flags & ROUND_XY_TO_GRID) {
			dx = floor(dx + 0.5);
			dy = floor(dy + 0.5);
		}
	} else {
		/* Point matching: the component's point arg2 lands on our arg1. */
		if ((size_t)arg1 >= o->n || (size_t)arg2 >= c.n || o->x == NULL || c.x == NULL) {
			outline_free(&c);
			*cause = xasprintf("%s: glyph %u matches a point that does not exist",
			    f->name, gid);
			return -1;
		}
		dx = o->x[arg1] - c.x[arg2];
		dy = o->y[arg1] - c.y[arg2];
	}
	for (k = 0; k < c.n; k++) {
		if (outline_point(o, c.x[k] + dx, c.y[k] + dy, c.on[k]) != 0) {
			outline_free(&c);
			*cause = xasprintf("%s: glyph %u has too many points", f->name, gid);
			return -1;
		}
	}
	for (k = 0; k < c.nc; k++) {
		outline_add_end(o, base + c.ends[k]);
	}
	outline_free(&c);
	return 0;
}

/* Decode a composite glyph by resolving each component recursively. */
static int
parse_composite(const struct ttf_font *f, unsigned gid, const unsigned char *p, size_t len,
    int depth, struct outline *o, struct walk *w, char **cause)
{
	size_t pos = 10;
	unsigned flags;

	do {
		unsigned child;
		int arg1, arg2;
		double m[4] = { 1, 0, 0, 1 };

		if (pos + 4 > len)
			goto bad;
		flags = rd16(p + pos);
		child = rd16(p + pos + 2);
		pos += 4;
		if (flags & ARG_1_AND_2_ARE_WORDS) {
			if (pos + 4 > len)
				goto bad;
			if (flags & ARGS_ARE_XY_VALUES) {
				arg1 = rds16(p + pos);
				arg2 = rds16(p + pos + 2);
			} else {
				arg1 = (int)rd16(p + pos);
				arg2 = (int)rd16(p + pos + 2);
			}
			pos += 4;
		} else {
			if (pos + 2 > len)
				goto bad;
			if (flags & ARGS_ARE_XY_VALUES) {
				arg1 = p[pos] < 0x80 ? p[pos] : (int)p[pos] - 0x100;
				arg2 = p[pos + 1] < 0x80 ? p[pos + 1] : (int)p[pos + 1] - 0x100;
			} else {
				arg1 = p[pos];
				arg2 = p[pos + 1];
			}
			pos += 2;
		}
		if (flags & WE_HAVE_A_SCALE) {
			if (pos + 2 > len)
				goto bad;
			m[0] = m[3] = f2dot14(p + pos);
			pos += 2;
		} else if (flags & WE_HAVE_AN_X_AND_Y_SCALE) {
			if (pos + 4 > len)
				goto bad;
			m[0] = f2dot14(p + pos);
			m[3] = f2dot14(p + pos + 2);
			pos += 4;
		} else if (flags & WE_HAVE_A_TWO_BY_TWO) {
			if (pos + 8 > len)
				goto bad;
			m[0] = f2dot14(p + pos);
			m[1] = f2dot14(p + pos + 2);
			m[2] = f2dot14(p + pos + 4);
			m[3] = f2dot14(p + pos + 6);
			pos += 8;
		}
		if (add_component(f, gid, child, flags, arg1, arg2, m, depth, o, w,
		    cause) != 0)
			return -1;
	} while (flags & MORE_COMPONENTS);
	return 0;
bad:
	*cause = xasprintf("%s: composite glyph %u is malformed", f->name, gid);
	return -1;
}

/* Resolve a glyph into an outline of simple contours. */
static int
flatten(const struct ttf_font *f, unsigned gid, int depth, struct outline *o, struct walk *w,
    int *composite, char **cause)
{
	const unsigned char *p;
	size_t len;

	if (depth > TTF_MAX_DEPTH) {
		*cause = xasprintf("%s: glyph %u nests components too deeply", f->name, gid);
		return -1;
	}
	if (depth > w->maxdepth)
		w->maxdepth = depth;
	if (glyph_data(f, gid, &p, &len, cause) != 0)
		return -1;
	if (composite != NULL)
		*composite = len != 0 && rds16(p) < 0;
	if (len == 0)
		return 0;
	if (rds16(p) >= 0)
		return parse_simple(f, gid, p, len, o, cause);
	return parse_composite(f, gid, p, len, depth, o, w, cause);
}

/* Round a flattened coordinate to the 16-bit grid, failing when it overflows. */
static int
round16(double v, int *out)
{
	double r = floor(v + 0.5);

	if (r < -32768 || r > 32767)
		return -1;
	*out = (int)r;
	return 0;
}

/* Resolve a glyph (flattening components) and describe it. */
int
ttf_glyph_info(const struct ttf_font *f, unsigned gid, struct ttf_glyph_info *gi,
    char **cause)
{
	struct outline o;
	size_t k;
	struct walk w = { 0, 0 };
	int composite = 0;

	memset(gi, 0, sizeof *gi);
	memset(&o, 0, sizeof o);
	if (flatten(f, gid, 0, &o, &w, &composite, cause) != 0) {
		outline_free(&o);
		return -1;
	}
	gi->composite = composite;
	gi->depth = w.maxdepth;
	gi->contours = o.nc;
	gi->points = o.n;
	gi->advance = ttf_advance(f, gid);
	for (k = 0; k < o.n; k++) {
		int x, y;

		if (round16(o.x[k], &x) != 0 || round16(o.y[k], &y) != 0) {
			outline_free(&o);
			*cause = xasprintf("%s: glyph %u is out of range", f->name, gid);
			return -1;
		}
		if (k == 0 || x < gi->x_min)
			gi->x_min = x;
		if (k == 0 || x > gi->x_max)
			gi->x_max = x;
		if (k == 0 || y < gi->y_min)
			gi->y_min = y;
		if (k == 0 || y > gi->y_max)
			gi->y_max = y;
	}
	outline_free(&o);
	return 0;
}

/* How many glyphs are stored as composites. */
size_t
ttf_count_composites(const struct ttf_font *f)
{
	size_t n = 0;
	unsigned g;

	for (g = 0; g < f->num_glyphs; g++) {
		const unsigned char *p;
		size_t len;
		char *cause = NULL;

		if (glyph_data(f, g, &p, &len, &cause) != 0) {
			free(cause);
			continue;
		}
		if (len != 0 && rds16(p) < 0)
			n++;
	}
	return n;
}

/* Metrics gathered while writing the subset's glyphs. */
struct subset_stats {
	int have_box;
	int x_min, y_min, x_max, y_max;
	unsigned max_points, max_contours, max_advance;
	int min_lsb, min_rsb, max_extent;
};

/* Encode an outline as a simple glyph; returns its xMin for hmtx. */
static int
encode_glyph(const struct ttf_font *f, unsigned gid, const struct outline *o, int overlap,
    unsigned advance, struct buf *glyf, struct subset_stats *st, int *lsb, char **cause)
{
	int *ix, *iy, xmin = 0, ymin = 0, xmax = 0, ymax = 0, px = 0, py = 0;
	unsigned char *fl;
	struct buf xb, yb;
	size_t k;

	*lsb = 0;
	if (o->n == 0 || o->nc == 0)
		return 0;
	ix = xmalloc(o->n * sizeof *ix);
	iy = xmalloc(o->n * sizeof *iy);
	fl = xmalloc(o->n);
	for (k = 0; k < o->n; k++) {
		if (round16(o->x[k], &ix[k]) != 0 || round16(o->y[k], &iy[k]) != 0) {
			free(ix);
			free(iy);
			free(fl);
			*cause = xasprintf("%s: glyph %u is out of range once flattened",
			    f->name, gid);
			return -1;
		}
		if (k == 0 || ix[k] < xmin)
			xmin = ix[k];
		if (k == 0 || ix[k] > xmax)
			xmax = ix[k];
		if (k == 0 || iy[k] < ymin)
			ymin = iy[k];
		if (k == 0 || iy[k] > ymax)
			ymax = iy[k];
	}
	buf_init(&xb);
	buf_init(&yb);
	for (k = 0; k < o->n; k++) {
		int dx = ix[k] - px, dy = iy[k] - py;
		unsigned char flag = o->on[k] ? ON_CURVE : 0;

		if (dx == 0)
			flag |= X_SAME_OR_POS;
		else if (dx >= -255 && dx <= 255) {
			flag |= X_SHORT | (dx > 0 ? X_SAME_OR_POS : 0);
			buf_addc(&xb, (char)(unsigned char)(dx > 0 ? dx : -dx));
		} else
			put16(&xb, (unsigned)dx & 0xFFFF);
		if (dy == 0)
			flag |= Y_SAME_OR_POS;
		else if (dy >= -255 && dy <= 255) {
			flag |= Y_SHORT | (dy > 0 ? Y_SAME_OR_POS : 0);
			buf_addc(&yb, (char)(unsigned char)(dy > 0 ? dy : -dy));
		} else
			put16(&yb, (unsigned)dy & 0xFFFF);
		if (k == 0 && overlap)
			flag |= OVERLAP_SIMPLE;
		fl[k] = flag;
		px = ix[k];
		py = iy[k];
	}
	put16(glyf, (unsigned)o->nc);
	put16(glyf, (unsigned)xmin & 0xFFFF);
	put16(glyf, (unsigned)ymin & 0xFFFF);
	put16(glyf, (unsigned)xmax & 0xFFFF);
	put16(glyf, (unsigned)ymax & 0xFFFF);
	for (k = 0; k < o->nc; k++)
		put16(glyf, (unsigned)o->ends[k]);
	put16(glyf, 0);         /* no instructions: hinting is dropped */
	for (k = 0; k < o->n;) {
		size_t run = 1;

		while (k + run < o->n && fl[k + run] == fl[k] && run < 256)
			run++;
		if (run > 2) {
			buf_addc(glyf, (char)(fl[k] | REPEAT));
			buf_addc(glyf, (char)(run - 1));
			k += run;
		} else {
			buf_addc(glyf, (char)fl[k]);
			k++;
		}
	}
	buf_add(glyf, xb.data, xb.len);
	buf_add(glyf, yb.data, yb.len);
	buf_free(&xb);
	buf_free(&yb);
	free(ix);
	free(iy);
	free(fl);

	if (!st->have_box) {
		st->have_box = 1;
		st->x_min = xmin, st->y_min = ymin, st->x_max = xmax, st->y_max = ymax;
		st->min_lsb = xmin;
		st->min_rsb = (int)advance - xmax;
		st->max_extent = xmax;
	} else {
		st->x_min = xmin < st->x_min ? xmin : st->x_min;
		st->y_min = ymin < st->y_min ? ymin : st->y_min;
		st->x_max = xmax > st->x_max ? xmax : st->x_max;
		st->y_max = ymax > st->y_max ? ymax : st->y_max;
		st->min_lsb = xmin < st->min_lsb ? xmin : st->min_lsb;
		if ((int)advance - xmax < st->min_rsb)
			st->min_rsb = (int)advance - xmax;
		st->max_extent = xmax > st->max_extent ? xmax : st->max_extent;
	}
	if (o->n > st->max_points)
		st->max_points = (unsigned)o->n;
	if (o->nc > st->max_contours)
		st->max_contours = (unsigned)o->nc;
	*lsb = xmin;
	return 0;
}

/* Compare two code points for qsort. */
static int
cmp_cp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Code points closer than this share one cmap segment, with zeros in its
 * glyphIdArray for the gaps: a short table for whoever reads the subset's
 * cmap (PDF viewers draw by glyph id; FreeType and tools still map text).
 */
#define CMAP_MERGE_GAP 256
/* Bound on glyphIdArray entries, keeping the subtable far below 64 KB. */
#define CMAP_MAX_ARRAY 8192

/* Write a format 4 cmap mapping each code point to its new glyph id. */
static void
build_cmap(const uint32_t *cps, const unsigned *gids, size_t n, struct buf *b)
{
	size_t i, j, k, segs = 0, narray = 0, len;
	unsigned pow2 = 1, log2 = 0, segx2;
	uint32_t *start = xmalloc((n + 1) * sizeof *start);
	uint32_t *end = xmalloc((n + 1) * sizeof *end);
	unsigned *delta = xmalloc((n + 1) * sizeof *delta);
	size_t *first = xmalloc((n + 1) * sizeof *first);      /* array index, or SIZE_MAX */
	unsigned *array;

	/*
	 * A segment is a run of consecutive code points with consecutive
	 * glyphs (an idDelta segment), or several such runs separated by small
	 * gaps (an idRangeOffset segment).
	 */
	for (i = 0; i < n; i = j) {
		size_t runs = 1;

		for (j = i + 1; j < n; j++) {
			int consecutive = cps[j] == cps[j - 1] + 1 && gids[j] == gids[j - 1] + 1;

			if (!consecutive && (cps[j] - cps[j - 1] > CMAP_MERGE_GAP ||
			    narray + (cps[j] - cps[i] + 1) > CMAP_MAX_ARRAY))
				break;
			if (!consecutive)
				runs++;
		}
		start[segs] = cps[i];
		end[segs] = cps[j - 1];
		if (runs == 1) {
			delta[segs] = (gids[i] - cps[i]) & 0xFFFF;
			first[segs] = SIZE_MAX;
		} else {
			delta[segs] = 0;
			first[segs] = narray;
			narray += end[segs] - start[segs] + 1;
		}
		segs++;
	}
	start[segs] = end[segs] = 0xFFFF;
	delta[segs] = 1;
	first[segs] = SIZE_MAX;
	segs++;
	array = xcalloc(narray + 1, sizeof *array);
	for (i = 0, k = 0; i < n; i++) {
		while (cps[i] > end[k])
			k++;
		if (first[k] != SIZE_MAX)
			array[first[k] + (cps[i] - start[k])] = gids[i];
	}
	while ((size_t)pow2 * 2 <= segs) {
		pow2 *= 2;
		log2++;
	}
	segx2 = (unsigned)segs * 2;
	len = 16 + 8 * segs + 2 * narray;

	put16(b, 0);            /* version */
	put16(b, 2);            /* the same subtable for Unicode BMP and Windows BMP */
	put16(b, 0);
	put16(b, 3);
	put32(b, 20);
	put16(b, 3);
	put16(b, 1);
	put32(b, 20);
	put16(b, 4);
	put16(b, (unsigned)len);
	put16(b, 0);            /* language */
	put16(b, segx2);
	put16(b, pow2 * 2);
	put16(b, log2);
	put16(b, segx2 - pow2 * 2);
	for (i = 0; i < segs; i++)
		put16(b, end[i]);
	put16(b, 0);            /* reservedPad */
	for (i = 0; i < segs; i++)
		put16(b, start[i]);
	for (i = 0; i < segs; i++)
		put16(b, delta[i]);
	/* idRangeOffset: bytes from this entry to the segment's first glyphIdArray entry */
	for (i = 0; i < segs; i++)
		put16(b, first[i] == SIZE_MAX ? 0 : (unsigned)(2 * (segs - i + first[i])));
	for (i = 0; i < narray; i++)
		put16(b, array[i]);
	free(start);
	free(end);
	free(delta);
	free(first);
	free(array);
}

/* Copy the Windows English names we keep (copyright, family, style, full, version, PostScript). */
static int
build_name(const struct ttf_font *f, struct buf *b, char **cause)
{
	static const unsigned keep[] = { 0, 1, 2, 3, 4, 5, 6 };
	const unsigned char *t;
	unsigned count, soff, i, k, n = 0, have_ps = 0;
	struct {
		const unsigned char *s;
		unsigned id;
		unsigned len;
	} rec[7];
	unsigned off = 0;

	if (!f->names.found)
		goto none;
	t = f->data + f->names.off;
	count = rd16(t + 2);
	soff = rd16(t + 4);
	if (6 + 12 * (size_t)count > f->names.len)
		goto none;
	for (k = 0; k < sizeof keep / sizeof keep[0]; k++) {
		for (i = 0; i < count; i++) {
			const unsigned char *r = t + 6 + 12 * (size_t)i;
			unsigned len = rd16(r + 8), o = rd16(r + 10);

			if (rd16(r) != 3 || rd16(r + 2) != 1 || rd16(r + 4) != 0x409 ||
			    rd16(r + 6) != keep[k])
				continue;
			if ((size_t)soff + o + len > f->names.len)
				continue;
			rec[n].id = keep[k];
			rec[n].s = t + soff + o;
			rec[n].len = len;
			if (keep[k] == 6 && len > 0)
				have_ps = 1;
			n++;
			break;
		}
	}
	if (!have_ps)
		goto none;
	put16(b, 0);
	put16(b, n);
	put16(b, 6 + 12 * n);
	for (i = 0; i < n; i++) {
		put16(b, 3);
		put16(b, 1);
		put16(b, 0x409);
		put16(b, rec[i].id);
		put16(b, rec[i].len);
		put16(b, off);
		off += rec[i].len;
	}
	for (i = 0; i < n; i++)
		buf_add(b, rec[i].s, rec[i].len);
	return 0;
none:
	*cause = xasprintf("%s: no Windows English PostScript name in the name table", f->name);
	return -1;
}

/* One table of the font being assembled. */
struct out_table {
	char tag[5];
	struct buf data;
};

/* Compare two output tables by tag, as the table directory requires. */
static int
cmp_table(const void *a, const void *b)
{
	return memcmp(((const struct out_table *)a)->tag, ((const struct out_table *)b)->tag, 4);
}

/* Lay out the tables after a directory, pad them, and fix every checksum. */
static void
assemble(struct out_table *t, size_t n, unsigned char **out, size_t *len)
{
	struct buf b;
	size_t i, off, head_at = 0;
	unsigned pow2 = 1, log2 = 0;
	uint32_t total;

	qsort(t, n, sizeof *t, cmp_table);
	while ((size_t)pow2 * 2 <= n) {
		pow2 *= 2;
		log2++;
	}
	buf_init(&b);
	put32(&b, 0x00010000);
	put16(&b, (unsigned)n);
	put16(&b, pow2 * 16);
	put16(&b, log2);
	put16(&b, (unsigned)n * 16 - pow2 * 16);
	off = 12 + 16 * n;
	for (i = 0; i < n; i++) {
		buf_add(&b, t[i].tag, 4);
		put32(&b, checksum((unsigned char *)t[i].data.data, t[i].data.len));
		put32(&b, (uint32_t)off);
		put32(&b, (uint32_t)t[i].data.len);
		off += (t[i].data.len + 3) & ~(size_t)3;
	}
	for (i = 0; i < n; i++) {
		if (memcmp(t[i].tag, "head", 4) == 0)
			head_at = b.len;
		buf_add(&b, t[i].data.data, t[i].data.len);
		pad_to(&b, 4);
	}
	total = checksum((unsigned char *)b.data, b.len);
	wr32((unsigned char *)b.data + head_at + 8, 0xB1B0AFBAu - total);
	*len = b.len;
	*out = (unsigned char *)buf_detach(&b);
}

/*
 * Build a subset holding .notdef and the glyphs of the given code points.
 * Glyph 0 stays .notdef; the others follow in code point order, each
 * source glyph once.
 */
int
ttf_subset(const struct ttf_font *f, const uint32_t *cps, size_t ncps,
    unsigned char **out, size_t *len, char **cause)
{
	return ttf_subset_gids(f, cps, ncps, NULL, out, len, cause);
}

/* The subset's glyph id of a code point, by binary search in the sorted unique list. */
static unsigned
subset_gid_of(const uint32_t *cp, const unsigned *cpgid, size_t n, uint32_t c)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp[mid] < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && cp[lo] == c ? cpgid[lo] : 0;
}

/* Build a subset and report each code point's new glyph id (gids may be NULL). */
int
ttf_subset_gids(const struct ttf_font *f, const uint32_t *cps, size_t ncps,
    unsigned *gids, unsigned char **out, size_t *len, char **cause)
{
	uint32_t *cp = NULL;
	unsigned *newid = NULL, *old = NULL, *cpgid = NULL;
	uint32_t *loca = NULL;
	int *lsb = NULL;
	size_t n = 0, i, nnew = 1, ntab = 0;
	struct subset_stats st;
	struct out_table tab[10];
	struct buf *glyf, *b;
	int short_loca;
	const unsigned char *src;

	*out = NULL;
	*len = 0;
	memset(&st, 0, sizeof st);
	memset(tab, 0, sizeof tab);
	if (!f->os2.found) {
		*cause = xasprintf("%s: no OS/2 table", f->name);
		return -1;
	}
	cp = xmalloc((ncps + 1) * sizeof *cp);
	if (ncps > 0)
		memcpy(cp, cps, ncps * sizeof *cp);
	qsort(cp, ncps, sizeof *cp, cmp_cp);
	for (i = 0; i < ncps; i++) {
		if (n > 0 && cp[n - 1] == cp[i])
			continue;
		if (cp[i] >= 0xFFFF) {
			*cause = xasprintf("%s: U+%04X is outside the Basic Multilingual Plane",
			    f->name, (unsigned)cp[i]);
			goto fail;
		}
		cp[n++] = cp[i];
	}
	newid = xcalloc(f->num_glyphs, sizeof *newid);
	old = xmalloc((n + 1) * sizeof *old);
	cpgid = xmalloc((n + 1) * sizeof *cpgid);
	old[0] = 0;
	for (i = 0; i < n; i++) {
		unsigned g = ttf_glyph_id(f, cp[i]);

		if (g == 0) {
			*cause = xasprintf("%s: no glyph for U+%04X", f->name, (unsigned)cp[i]);
			goto fail;
		}
		if (newid[g] == 0) {
			newid[g] = (unsigned)nnew;
			old[nnew++] = g;
		}
		cpgid[i] = newid[g];
	}
	for (i = 0; gids != NULL && i < ncps; i++)
		gids[i] = subset_gid_of(cp, cpgid, n, cps[i]);

	/* glyf, with every glyph flattened into a simple one */
	memcpy(tab[ntab].tag, "glyf", 5);
	glyf = &tab[ntab++].data;
	buf_init(glyf);
	loca = xmalloc((nnew + 1) * sizeof *loca);
	lsb = xmalloc(nnew * sizeof *lsb);
	for (i = 0; i < nnew; i++) {
		struct outline o;
		struct walk w = { 0, 0 };
		int composite = 0;

		memset(&o, 0, sizeof o);
		loca[i] = (uint32_t)glyf->len;
		if (flatten(f, old[i], 0, &o, &w, &composite, cause) != 0 ||
		    encode_glyph(f, old[i], &o, composite, ttf_advance(f, old[i]), glyf, &st,
		    &lsb[i], cause) != 0) {
			outline_free(&o);
			goto fail;
		}
		outline_free(&o);
		pad_to(glyf, 2);
	}
	loca[nnew] = (uint32_t)glyf->len;
	short_loca = glyf->len <= 0x1FFFE;

	/* loca */
	memcpy(tab[ntab].tag, "loca", 5);
	b = &tab[ntab++].data;
	buf_init(b);
	for (i = 0; i <= nnew; i++) {
		if (short_loca)
			put16(b, loca[i] / 2);
		else
			put32(b, loca[i]);
	}

	/* hmtx: one long metric per glyph */
	memcpy(tab[ntab].tag, "hmtx", 5);
	b = &tab[ntab++].data;
	buf_init(b);
	for (i = 0; i < nnew; i++) {
		unsigned aw = ttf_advance(f, old[i]);

		put16(b, aw);
		put16(b, (unsigned)lsb[i] & 0xFFFF);
		if (aw > st.max_advance)
			st.max_advance = aw;
	}

	/* head: the source's, with the new bounding box and loca format */
	memcpy(tab[ntab].tag, "head", 5);
	b = &tab[ntab++].data;
	buf_init(b);
	buf_add(b, f->data + f->head.off, 54);
	wr32((unsigned char *)b->data + 8, 0);
	wr16((unsigned char *)b->data + 36, (unsigned)st.x_min & 0xFFFF);
	wr16((unsigned char *)b->data + 38, (unsigned)st.y_min & 0xFFFF);
	wr16((unsigned char *)b->data + 40, (unsigned)st.x_max & 0xFFFF);
	wr16((unsigned char *)b->data + 42, (unsigned)st.y_max & 0xFFFF);
	wr16((unsigned char *)b->data + 50, short_loca ? 0 : 1);

	/* hhea: the source's vertical metrics, recomputed horizontal extremes */
	memcpy(tab[ntab].tag, "hhea", 5);
	b = &tab[ntab++].data;
	buf_init(b);
	buf_add(b, f->data + f->hhea.off, 36);
	wr16((unsigned char *)b->data + 10, st.max_advance);
	wr16((unsigned char *)b->data + 12, (unsigned)st.min_lsb & 0xFFFF);
	wr16((unsigned char *)b->data + 14, (unsigned)st.min_rsb & 0xFFFF);
	wr16((unsigned char *)b->data + 16, (unsigned)st.max_extent & 0xFFFF);
	wr16((unsigned char *)b->data + 34, (unsigned)nnew);

	/* maxp 1.0: no composites and no hinting remain */
	memcpy(tab[ntab].tag, "maxp", 5);
	b = &tab[ntab++].data;
	buf_init(b);
	put32(b, 0x00010000);
	put16(b, (unsigned)nnew);
	put16(b, st.max_points);
	put16(b, st.max_contours);
	put16(b, 0);            /* maxCompositePoints */
	put16(b, 0);            /* maxCompositeContours */
	put16(b, 1);            /* maxZones: the twilight zone is unused */
	for (i = 0; i < 7; i++)
		put16(b, 0);    /* twilight points .. maxSizeOfInstructions */
	put16(b, 0);            /* maxComponentElements */
	put16(b, 0);            /* maxComponentDepth */

	/* cmap */
	memcpy(tab[ntab].tag, "cmap", 5);
	b = &tab[ntab++].data;
	buf_init(b);
	build_cmap(cp, cpgid, n, b);

	/* name */
	memcpy(tab[ntab].tag, "name", 5);
	b = &tab[ntab++].data;
	buf_init(b);
	if (build_name(f, b, cause) != 0)
		goto fail;

	/* OS/2: the source's, with the new first and last character */
	memcpy(tab[ntab].tag, "OS/2", 5);
	b = &tab[ntab++].data;
	buf_init(b);
	buf_add(b, f->data + f->os2.off, f->os2.len);
	wr16((unsigned char *)b->data + 64, n > 0 ? cp[0] : 0x20);
	wr16((unsigned char *)b->data + 66, n > 0 ? cp[n - 1] : 0x20);

	/* post format 3: no glyph names */
	memcpy(tab[ntab].tag, "post", 5);
	b = &tab[ntab++].data;
	buf_init(b);
	put32(b, 0x00030000);
	if (f->post.found) {
		src = f->data + f->post.off;
		buf_add(b, src + 4, 12);        /* italicAngle .. isFixedPitch */
	} else {
		put32(b, 0);
		put16(b, (unsigned)(-(int)f->upem / 10) & 0xFFFF);
		put16(b, f->upem / 20);
		put32(b, 0);
	}
	for (i = 0; i < 4; i++)
		put32(b, 0);    /* memory hints */

	assemble(tab, ntab, out, len);
	for (i = 0; i < ntab; i++)
		buf_free(&tab[i].data);
	free(cp);
	free(newid);
	free(old);
	free(cpgid);
	free(loca);
	free(lsb);
	return 0;
fail:
	for (i = 0; i < ntab; i++)
		buf_free(&tab[i].data);
	free(cp);
	free(newid);
	free(old);
	free(cpgid);
	free(loca);
	free(lsb);
	return -1;
}

/* Check the table directory, every table checksum and head.checkSumAdjustment. */
int
ttf_check(const void *data, size_t len, char **cause)
{
	const unsigned char *d = data;
	unsigned n, i;
	int have_head = 0;

	if (check_header(d, len, "font", cause) != 0)
		return -1;
	n = rd16(d + 4);
	for (i = 0; i < n; i++) {
		const unsigned char *e = d + 12 + 16 * (size_t)i;
		uint32_t off = rd32(e + 8), tlen = rd32(e + 12), sum;

		if (off > len || tlen > len - off) {
			*cause = xasprintf("font: table %.4s lies outside the file", (const char *)e);
			return -1;
		}
		if (off % 4 != 0) {
			*cause = xasprintf("font: table %.4s is not 4-byte aligned", (const char *)e);
			return -1;
		}
		if (i > 0 && memcmp(e - 16, e, 4) >= 0) {
			*cause = xasprintf("font: table directory not sorted at %.4s",
			    (const char *)e);
			return -1;
		}
		sum = checksum(d + off, tlen);
		if (memcmp(e, "head", 4) == 0) {
			if (tlen < 54) {
				*cause = xasprintf("font: head table too short");
				return -1;
			}
			sum -= rd32(d + off + 8);
			have_head = 1;
		}
		if (sum != rd32(e + 4)) {
			*cause = xasprintf("font: table %.4s has a bad checksum", (const char *)e);
			return -1;
		}
	}
	if (!have_head) {
		*cause = xasprintf("font: no head table");
		return -1;
	}
	if (checksum(d, len) != 0xB1B0AFBAu) {
		*cause = xasprintf("font: bad head.checkSumAdjustment");
		return -1;
	}
	return 0;
}
