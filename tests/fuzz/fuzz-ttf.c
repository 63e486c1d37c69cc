/*
 * fuzz-ttf: an arbitrary font blob through the TrueType reader and the
 * subsetter, as the PDF renderer uses them: map code points, resolve (and
 * flatten) glyphs, read the descriptor metrics, subset the ones found; a
 * subset must then pass the module's own checksum check, parse again and
 * map each code point to the glyph id the subsetter reported.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "optout/ttf.h"

/* Glyphs resolved per input: enough for composites, few enough to stay fast. */
#define MAX_GLYPHS 64

/* Parse one font, describe its glyphs and subset the letters it maps. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t want[] = { 'A', 'e', 0xE9, 0x1EC5, 0x00F1, '0', ' ', 0x2019 };
	uint32_t cps[sizeof want / sizeof want[0]];
	unsigned gids[sizeof want / sizeof want[0]];
	struct ttf_metrics m;
	struct ttf_font *f = NULL, *again = NULL;
	struct ttf_glyph_info gi;
	unsigned char *sub = NULL;
	size_t ncps = 0, len = 0, i;
	char *cause = NULL;
	unsigned g, n;

	if (ttf_parse(data, size, "fuzz.ttf", &f, &cause) != 0) {
		free(cause);
		return 0;
	}
	/* the PostScript name goes into the PDF as a name: never empty, never a delimiter */
	ttf_metrics(f, &m);
	if (m.ps_name[0] == '\0' || strpbrk(m.ps_name, "()<>[]{}/%# \t\r\n") != NULL)
		abort();
	n = ttf_num_glyphs(f);
	(void)ttf_units_per_em(f);
	(void)ttf_count_composites(f);
	for (g = 0; g < n && g < MAX_GLYPHS; g++) {
		(void)ttf_advance(f, g);
		if (ttf_glyph_info(f, g, &gi, &cause) != 0) {
			free(cause);
			cause = NULL;
		}
	}
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		(void)ttf_width_1000(f, want[i]);
		if (ttf_glyph_id(f, want[i]) != 0)
			cps[ncps++] = want[i];
	}
	if (ttf_subset_gids(f, cps, ncps, gids, &sub, &len, &cause) == 0) {
		/* What the subsetter writes is embedded in letters: it must be a sound font. */
		if (ttf_check(sub, len, &cause) != 0 || ttf_parse(sub, len, "subset", &again,
		    &cause) != 0)
			abort();
		/* letters draw these ids: they must be the subset's glyphs for the code points */
		for (i = 0; i < ncps; i++) {
			if (gids[i] == 0 || ttf_glyph_id(again, cps[i]) != gids[i])
				abort();
		}
		ttf_free(again);
		free(sub);
	} else {
		free(cause);
	}
	ttf_free(f);
	return 0;
}
