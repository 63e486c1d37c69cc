/*
 * ttf-seeds: write small TrueType seeds for fuzz-ttf, cut from an installed
 * font by the project's own subsetter (a whole DejaVu font is too big for a
 * seed, and its licence asks for its notice with every copy: so the seeds
 * are made at build time, never committed).
 * Usage: ttf-seeds FONT.ttf OUTDIR
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "optout/ttf.h"
#include "optout/util.h"

/* Subset the font to the given code points and write it to dir/name. */
static int
write_subset(const struct ttf_font *f, const uint32_t *cps, size_t n, const char *dir,
    const char *name)
{
	unsigned char *out;
	char *path, *cause = NULL;
	size_t len;
	int rc;

	if (ttf_subset(f, cps, n, &out, &len, &cause) != 0) {
		fprintf(stderr, "ttf-seeds: %s: %s\n", name, cause);
		free(cause);
		return -1;
	}
	path = path_join(dir, name);
	rc = write_file_atomic(path, out, len, 0644, &cause);
	if (rc != 0) {
		fprintf(stderr, "ttf-seeds: %s\n", cause);
		free(cause);
	}
	free(path);
	free(out);
	return rc;
}

/* Write a one-letter, a Latin and a Vietnamese subset (the last from composite glyphs). */
int
main(int argc, char **argv)
{
	static const uint32_t one[] = { 'A' };
	static const uint32_t latin[] = { 'A', 'e', 0xE9, 0xF1, '0', ' ', 0x2019 };
	static const uint32_t viet[] = { 'e', 0x1EC5, 0x1EA1, 0x01B0, 0x0111 };
	struct ttf_font *f;
	char *cause = NULL;
	int rc = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: ttf-seeds FONT.ttf OUTDIR\n");
		return 64;
	}
	if (ttf_load_file(argv[1], &f, &cause) != 0) {
		fprintf(stderr, "ttf-seeds: %s\n", cause);
		free(cause);
		return 66;
	}
	if (make_dirs(argv[2], 0755, &cause) != 0) {
		fprintf(stderr, "ttf-seeds: %s\n", cause);
		free(cause);
		ttf_free(f);
		return 73;
	}
	rc |= write_subset(f, one, sizeof one / sizeof one[0], argv[2], "one.ttf");
	rc |= write_subset(f, latin, sizeof latin / sizeof latin[0], argv[2], "latin.ttf");
	rc |= write_subset(f, viet, sizeof viet / sizeof viet[0], argv[2], "vietnamese.ttf");
	ttf_free(f);
	return rc == 0 ? 0 : 1;
}
