/*
 * replay: run a harness without libFuzzer.  Each argument is a file or a
 * folder of files (not recursive; names starting with '.' are skipped);
 * each file is given to LLVMFuzzerTestOneInput once, in name order.  This
 * is how `make check` replays the seed corpora and the regression files
 * with the ordinary compiler (and under the sanitizers in CI's second pass).
 * Prints how many inputs ran; exits 1 when an argument cannot be read and
 * 2 when nothing ran, so an emptied corpus fails the test.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "optout/util.h"

/* Inputs larger than this are not seeds anyone meant. */
#define REPLAY_MAX ((size_t)8 << 20)

/* Order names. */
static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Give one file to the harness; 0 when it ran. */
static int
replay_file(const char *path)
{
	char *data, *cause = NULL;
	size_t len;

	if (read_file(path, REPLAY_MAX, &data, &len, &cause) != 0) {
		fprintf(stderr, "replay: %s\n", cause);
		free(cause);
		return -1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	free(data);
	return 0;
}

/* Give every file of a folder to the harness, in name order; the number run, or -1. */
static long
replay_dir(const char *dir)
{
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, i;
	long ran = 0;
	DIR *d = opendir(dir);

	if (d == NULL) {
		fprintf(stderr, "replay: %s: cannot open the folder\n", dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = path_join(dir, e->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, cmp_name);
	for (i = 0; i < n; i++) {
		if (ran >= 0 && replay_file(names[i]) == 0)
			ran++;
		else
			ran = -1;
		free(names[i]);
	}
	free(names);
	return ran;
}

/* Replay every file named on the command line. */
int
main(int argc, char **argv)
{
	long total = 0, ran;
	struct stat st;
	int i;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: no such file or folder\n", argv[i]);
			return 1;
		}
		ran = S_ISDIR(st.st_mode) ? replay_dir(argv[i]) : replay_file(argv[i]) == 0 ? 1 : -1;
		if (ran < 0)
			return 1;
		total += ran;
	}
	printf("%ld input%s\n", total, total == 1 ? "" : "s");
	return total > 0 ? 0 : 2;
}
