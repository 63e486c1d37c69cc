/*
 * Unit tests for the TrueType reader and subsetter, against DejaVu Sans
 * (fonts-dejavu-core): nested composites flatten, subsets are small,
 * compact, checksummed and read back, and FreeType (through fc-scan)
 * accepts them.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "optout/pdf.h"
#include "optout/ttf.h"
#include "optout/util.h"

/* "Nguyễn": ễ (U+1EC5) is a composite of ê, itself a composite of e and ^. */
static const uint32_t NGUYEN[] = { 'N', 'g', 'u', 'y', 0x1EC5, 'n' };
#define NNGUYEN (sizeof NGUYEN / sizeof NGUYEN[0])

static struct ttf_font *regular;

/* Load DejaVu Sans once for the group. */
static int
setup(void **state)
{
	char *cause = NULL, *path = path_join(PDF_FONT_DIR, "DejaVuSans.ttf");

	(void)state;
	if (ttf_load_file(path, &regular, &cause) != 0) {
		fprintf(stderr, "test-ttf: %s\n", cause);
		free(cause);
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

/* Free the font. */
static int
teardown(void **state)
{
	(void)state;
	ttf_free(regular);
	return 0;
}

/* Subset the regular font, failing the test on error. */
static unsigned char *
subset_ok(const uint32_t *cps, size_t n, size_t *len)
{
	unsigned char *out = NULL;
	char *cause = NULL;

	if (ttf_subset(regular, cps, n, &out, len, &cause) != 0)
		fail_msg("ttf_subset: %s", cause);
	return out;
}

/* The source font parses, maps code points and really nests composites. */
static void
test_source(void **state)
{
	struct ttf_glyph_info e, ex, circ;
	char *cause = NULL;
	unsigned g;

	(void)state;
	assert_true(ttf_num_glyphs(regular) > 5000);
	assert_int_equal(ttf_units_per_em(regular), 2048);
	assert_true(ttf_count_composites(regular) > 1000);
	assert_int_equal(ttf_glyph_id(regular, 'A'), 36);
	assert_int_equal(ttf_glyph_id(regular, 0xE000), 0);     /* private use: absent */
	assert_int_equal(ttf_glyph_id(regular, 0x10FFFD), 0);
	/* 'A' is 1401/2048 em: libharu's truncation gives 684. */
	assert_int_equal(ttf_width_1000(regular, 'A'), 684);

	g = ttf_glyph_id(regular, 'e');
	assert_int_equal(ttf_glyph_info(regular, g, &e, &cause), 0);
	assert_false(e.composite);
	assert_int_equal(e.depth, 0);
	g = ttf_glyph_id(regular, 0x1EC5);
	assert_int_equal(ttf_glyph_info(regular, g, &ex, &cause), 0);
	assert_true(ex.composite);
	assert_true(ex.depth >= 2);     /* the case libharu 2.3.0 gets wrong */
	/* e plus a circumflex and a tilde above it */
	assert_int_equal(ex.contours, e.contours + 2);
	assert_true(ex.points > e.points);
	assert_int_equal(ex.x_min, e.x_min);
	assert_true(ex.y_max > e.y_max + 400);
	g = ttf_glyph_id(regular, 0x00EA);      /* ê */
	assert_int_equal(ttf_glyph_info(regular, g, &circ, &cause), 0);
	assert_true(circ.composite);
	assert_int_equal(circ.contours, e.contours + 1);
}

/* The subset of "Nguyễn" is small, simple-only, compact and faithful. */
static void
test_subset_nguyen(void **state)
{
	struct ttf_font *s = NULL;
	char *cause = NULL;
	unsigned char *data;
	size_t len, i;
	unsigned seen[16] = { 0 };

	(void)state;
	data = subset_ok(NGUYEN, NNGUYEN, &len);
	assert_int_equal(ttf_check(data, len, &cause), 0);
	assert_true(len < 4000);
	assert_int_equal(ttf_parse(data, len, "subset", &s, &cause), 0);
	/* .notdef and six distinct glyphs, none composite */
	assert_int_equal(ttf_num_glyphs(s), 7);
	assert_int_equal(ttf_count_composites(s), 0);
	assert_int_equal(ttf_units_per_em(s), 2048);
	for (i = 0; i < NNGUYEN; i++) {
		struct ttf_glyph_info a, b;
		unsigned gs = ttf_glyph_id(s, NGUYEN[i]);

		assert_true(gs >= 1 && gs < 7);
		assert_int_equal(seen[gs], 0);
		seen[gs] = 1;
		assert_int_equal(ttf_glyph_info(regular, ttf_glyph_id(regular, NGUYEN[i]), &a,
		    &cause), 0);
		assert_int_equal(ttf_glyph_info(s, gs, &b, &cause), 0);
		assert_false(b.composite);
		assert_int_equal(b.contours, a.contours);
		assert_int_equal(b.points, a.points);
		assert_int_equal(b.x_min, a.x_min);
		assert_int_equal(b.y_min, a.y_min);
		assert_int_equal(b.x_max, a.x_max);
		assert_int_equal(b.y_max, a.y_max);
		assert_int_equal(b.advance, a.advance);
		assert_int_equal(ttf_width_1000(s, NGUYEN[i]), ttf_width_1000(regular, NGUYEN[i]));
	}
	/* glyph ids follow code point order: N g n u y ễ */
	assert_int_equal(ttf_glyph_id(s, 'N'), 1);
	assert_int_equal(ttf_glyph_id(s, 0x1EC5), 6);
	/* what was left out maps to nothing */
	assert_int_equal(ttf_glyph_id(s, 'e'), 0);
	assert_int_equal(ttf_glyph_id(s, 0x00EA), 0);
	assert_int_equal(ttf_glyph_id(s, 'z'), 0);
	ttf_free(s);
	free(data);
}

/* Code points with gaps share cmap segments; lookups stay exact, gaps map to 0. */
static void
test_subset_cmap_gaps(void **state)
{
	static const uint32_t cps[] = { 'A', 'C', 'E', 'Z', 'a', 0xE9, 0x103, 0x3A9, 0x416,
		0x1EA1, 0x1EF9, 0x2022, 0x20AC, 'A', 'C' };
	struct ttf_font *s = NULL;
	char *cause = NULL;
	unsigned char *data;
	size_t len, i;

	(void)state;
	data = subset_ok(cps, sizeof cps / sizeof cps[0], &len);
	assert_int_equal(ttf_check(data, len, &cause), 0);
	assert_int_equal(ttf_parse(data, len, "subset", &s, &cause), 0);
	assert_int_equal(ttf_num_glyphs(s), 14);        /* 13 distinct + .notdef */
	for (i = 0; i < sizeof cps / sizeof cps[0]; i++) {
		struct ttf_glyph_info a, b;

		assert_int_not_equal(ttf_glyph_id(s, cps[i]), 0);
		assert_int_equal(ttf_glyph_info(regular, ttf_glyph_id(regular, cps[i]), &a,
		    &cause), 0);
		assert_int_equal(ttf_glyph_info(s, ttf_glyph_id(s, cps[i]), &b, &cause), 0);
		assert_int_equal(b.points, a.points);
		assert_int_equal(b.advance, a.advance);
	}
	assert_int_equal(ttf_glyph_id(s, 'B'), 0);
	assert_int_equal(ttf_glyph_id(s, 'D'), 0);
	assert_int_equal(ttf_glyph_id(s, 0xEA), 0);
	assert_int_equal(ttf_glyph_id(s, 0x1EF8), 0);
	assert_int_equal(ttf_glyph_id(s, 0xFFFF), 0);
	ttf_free(s);
	free(data);
}

/* Damage anywhere in a table is caught by the checksums. */
static void
test_checksums(void **state)
{
	char *cause = NULL;
	unsigned char *data;
	size_t len;

	(void)state;
	data = subset_ok(NGUYEN, NNGUYEN, &len);
	assert_int_equal(ttf_check(data, len, &cause), 0);
	data[len - 9] ^= 0x40;
	assert_int_equal(ttf_check(data, len, &cause), -1);
	assert_non_null(strstr(cause, "checksum"));
	free(cause);
	free(data);
}

/* Missing glyphs, astral code points and malformed fonts are errors, not garbage. */
static void
test_errors(void **state)
{
	static const uint32_t pua[] = { 'A', 0xE000 };
	static const uint32_t emoji[] = { 0x1F600 };
	static const unsigned char otto[16] = { 'O', 'T', 'T', 'O' };
	struct ttf_font *f = NULL;
	char *cause = NULL;
	unsigned char *out = NULL, *cut;
	size_t len;

	(void)state;
	assert_int_equal(ttf_subset(regular, pua, 2, &out, &len, &cause), -1);
	assert_null(out);
	assert_non_null(strstr(cause, "U+E000"));
	free(cause);
	assert_int_equal(ttf_subset(regular, emoji, 1, &out, &len, &cause), -1);
	assert_non_null(strstr(cause, "U+1F600"));
	free(cause);

	assert_int_equal(ttf_parse(otto, sizeof otto, "x.otf", &f, &cause), -1);
	assert_null(f);
	assert_non_null(strstr(cause, "CFF"));
	free(cause);
	assert_int_equal(ttf_parse("abc", 3, "x.ttf", &f, &cause), -1);
	free(cause);
	/* a subset cut short loses its tables */
	out = subset_ok(NGUYEN, NNGUYEN, &len);
	cut = xmalloc(len / 2);
	memcpy(cut, out, len / 2);
	assert_int_equal(ttf_parse(cut, len / 2, "cut.ttf", &f, &cause), -1);
	assert_non_null(strstr(cause, "cut.ttf"));
	free(cause);
	assert_int_equal(ttf_check(cut, len / 2, &cause), -1);
	free(cause);
	free(cut);
	free(out);
	assert_int_equal(ttf_load_file("/nonexistent/font.ttf", &f, &cause), -1);
	free(cause);
}

/* FreeType (via fontconfig's fc-scan) loads the subset and sees exactly its characters. */
static void
test_freetype_accepts(void **state)
{
	char dir[] = "/tmp/test-ttf-XXXXXX", *path, *cmd, line[512] = "", *cause = NULL;
	unsigned char *data;
	size_t len;
	FILE *p;

	(void)state;
	if (system("command -v fc-scan >/dev/null 2>&1") != 0)
		skip();
	data = subset_ok(NGUYEN, NNGUYEN, &len);
	assert_non_null(mkdtemp(dir));
	path = path_join(dir, "nguyen.ttf");
	if (write_file_atomic(path, data, len, 0600, &cause) != 0)
		fail_msg("%s", cause);
	cmd = xasprintf("fc-scan --format '%%{fontformat} %%{postscriptname} %%{charset}\\n' '%s'",
	    path);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (fgets(line, sizeof line, p) == NULL)
		line[0] = '\0';
	assert_int_equal(pclose(p), 0);
	assert_string_equal(line, "TrueType DejaVuSans 4e 67 6e 75 79 1ec5\n");
	unlink(path);
	rmdir(dir);
	free(cmd);
	free(path);
	free(data);
}

/* A subset for a whole Vietnamese letter stays far smaller than the font. */
static void
test_subset_size(void **state)
{
	const char *text = "Kính gửi Quý Công ty, tôi là Nguyễn Văn Anh, Trần Thị Hương, "
	    "Phạm Đức Lộc: ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0123456789 .,;:()-";
	uint32_t cps[256];
	size_t n = 0, len;
	const unsigned char *p = (const unsigned char *)text;
	unsigned char *data;
	struct ttf_font *s = NULL;
	char *cause = NULL;

	(void)state;
	while (*p != '\0' && n < 256) {
		uint32_t c = *p;
		int k = 1;

		if (c >= 0xE0)
			c = (c & 0x0F) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu), k = 3;
		else if (c >= 0xC0)
			c = (c & 0x1F) << 6 | (p[1] & 0x3Fu), k = 2;
		cps[n++] = c;
		p += k;
	}
	data = subset_ok(cps, n, &len);
	assert_int_equal(ttf_parse(data, len, "subset", &s, &cause), 0);
	assert_true(ttf_num_glyphs(s) < 110);
	assert_int_equal(ttf_count_composites(s), 0);
	/* 0.75 MB of font down to a few kilobytes */
	assert_true(len < 20000);
	ttf_free(s);
	free(data);
}

/* Every glyph of DejaVu Sans and Sans Bold flattens, and a subset of the whole BMP stays valid. */
static void
test_whole_font(void **state)
{
	static const char *files[] = { "DejaVuSans.ttf", "DejaVuSans-Bold.ttf" };
	size_t k;

	(void)state;
	for (k = 0; k < 2; k++) {
		struct ttf_font *f = NULL, *s = NULL;
		char *cause = NULL, *path = path_join(PDF_FONT_DIR, files[k]);
		uint32_t *cps = xmalloc(0x10000 * sizeof *cps), cp;
		unsigned g, maxdepth = 0;
		unsigned char *data;
		size_t n = 0, len;

		if (ttf_load_file(path, &f, &cause) != 0)
			fail_msg("%s", cause);
		for (g = 0; g < ttf_num_glyphs(f); g++) {
			struct ttf_glyph_info gi;

			if (ttf_glyph_info(f, g, &gi, &cause) != 0)
				fail_msg("glyph %u: %s", g, cause);
			if ((unsigned)gi.depth > maxdepth)
				maxdepth = (unsigned)gi.depth;
		}
		assert_true(maxdepth >= 2);
		for (cp = 0x20; cp < 0xFFFF; cp++) {
			if (ttf_glyph_id(f, cp) != 0)
				cps[n++] = cp;
		}
		assert_true(n > 3000);
		if (ttf_subset(f, cps, n, &data, &len, &cause) != 0)
			fail_msg("%s", cause);
		assert_int_equal(ttf_check(data, len, &cause), 0);
		assert_int_equal(ttf_parse(data, len, "all", &s, &cause), 0);
		assert_int_equal(ttf_count_composites(s), 0);
		for (g = 0; g < n; g += 97) {
			struct ttf_glyph_info a, b;

			assert_int_equal(ttf_glyph_info(f, ttf_glyph_id(f, cps[g]), &a, &cause), 0);
			assert_int_equal(ttf_glyph_info(s, ttf_glyph_id(s, cps[g]), &b, &cause), 0);
			assert_int_equal(a.points, b.points);
			assert_int_equal(a.y_max, b.y_max);
		}
		ttf_free(s);
		ttf_free(f);
		free(data);
		free(cps);
		free(path);
	}
}

/* Damaged fonts are rejected or read within bounds, never crash (run under ASan). */
static void
test_mutations(void **state)
{
	static const uint32_t some[] = { 'N', 'g', 0x1EC5, ' ' };
	unsigned char *good, *bad;
	size_t len, i, k;
	unsigned seed = 12345;

	(void)state;
	good = subset_ok(NGUYEN, NNGUYEN, &len);
	bad = xmalloc(len);
	for (i = 0; i < 3000; i++) {
		struct ttf_font *f = NULL;
		char *cause = NULL;
		size_t cut = len;

		memcpy(bad, good, len);
		for (k = 0; k < 1 + i % 6; k++) {
			seed = seed * 1103515245u + 12345u;
			bad[(seed >> 8) % len] = (unsigned char)(seed >> 20);
		}
		if (i % 7 == 0)
			cut = (seed >> 4) % len;
		if (ttf_parse(bad, cut, "mutant", &f, &cause) != 0) {
			assert_non_null(cause);
			free(cause);
			continue;
		}
		{
			unsigned g;
			unsigned char *out = NULL;
			size_t olen;

			for (g = 0; g < ttf_num_glyphs(f); g++) {
				struct ttf_glyph_info gi;

				if (ttf_glyph_info(f, g, &gi, &cause) != 0)
					free(cause);
			}
			(void)ttf_count_composites(f);
			(void)ttf_glyph_id(f, 0x1EC5);
			if (ttf_subset(f, some, 4, &out, &olen, &cause) == 0) {
				assert_int_equal(ttf_check(out, olen, &cause), 0);
				free(out);
			} else
				free(cause);
		}
		ttf_free(f);
	}
	free(bad);
	free(good);
}

/* ttf_subset_gids says where each code point went, as the subset's own cmap does. */
static void
test_subset_gids(void **state)
{
	/* unsorted, with a duplicate: ids follow code point order, one per glyph */
	static const uint32_t cps[] = { 'n', 0x1EC5, 'N', 'g', 'n', 'u' };
	static const unsigned want[] = { 3, 5, 1, 2, 3, 4 };
	unsigned gids[6];
	unsigned char *out = NULL, *plain;
	size_t len, plen, i;
	char *cause = NULL;
	struct ttf_font *s = NULL;

	(void)state;
	assert_int_equal(ttf_subset_gids(regular, cps, 6, gids, &out, &len, &cause), 0);
	assert_int_equal(ttf_parse(out, len, "subset", &s, &cause), 0);
	for (i = 0; i < 6; i++) {
		assert_int_equal(gids[i], want[i]);
		assert_int_equal(ttf_glyph_id(s, cps[i]), gids[i]);
		/* the subset keeps each glyph's advance */
		assert_int_equal(ttf_width_1000(s, cps[i]), ttf_width_1000(regular, cps[i]));
	}
	assert_int_equal(ttf_num_glyphs(s), 6);
	/* without the ids, the same font */
	plain = subset_ok(cps, 6, &plen);
	assert_int_equal(plen, len);
	assert_memory_equal(plain, out, len);
	ttf_free(s);
	free(plain);
	free(out);
}

/* The descriptor metrics are DejaVu Sans's, in 1/1000 em, truncated as libharu did. */
static void
test_metrics(void **state)
{
	struct ttf_metrics m;

	(void)state;
	ttf_metrics(regular, &m);
	assert_string_equal(m.ps_name, "DejaVuSans");
	/* head: -2090 -948 3673 2524; hhea: 1901 -483; "H" is 1493 tall; 2048 units/em */
	assert_int_equal(m.x_min, -1020);
	assert_int_equal(m.y_min, -462);
	assert_int_equal(m.x_max, 1793);
	assert_int_equal(m.y_max, 1232);
	assert_int_equal(m.ascent, 928);
	assert_int_equal(m.descent, -235);
	assert_int_equal(m.cap_height, 729);
	assert_int_equal(m.italic_angle, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source),
		cmocka_unit_test(test_subset_nguyen),
		cmocka_unit_test(test_subset_cmap_gaps),
		cmocka_unit_test(test_checksums),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_freetype_accepts),
		cmocka_unit_test(test_subset_size),
		cmocka_unit_test(test_whole_font),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_subset_gids),
		cmocka_unit_test(test_metrics),
	};

	return cmocka_run_group_tests_name("ttf", tests, setup, teardown);
}
