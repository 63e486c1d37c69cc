/* fuzz-common: helpers shared by the harnesses (data directory, input copies). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "optout/jv.h"
#include "optout/util.h"

#ifndef FUZZ_DATADIR
#define FUZZ_DATADIR "."
#endif

/* The data directory: $OPTOUT_DATADIR when set, else the source tree the harness was built from. */
const char *
fuzz_datadir(void)
{
	const char *d = getenv("OPTOUT_DATADIR");

	return d != NULL && *d != '\0' ? d : FUZZ_DATADIR;
}

/* A NUL-terminated copy of the input. */
char *
fuzz_text(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Parse a JSON file of the data directory; a harness that cannot set up stops at once. */
struct jv *
fuzz_json_file(const char *relpath)
{
	char *path = path_join(fuzz_datadir(), relpath), *cause = NULL;
	struct jv *v = jv_load_file(path, (size_t)4 << 20, &cause);

	if (v == NULL)
		abort(); /* a broken set-up, not a finding: the harness may not print */
	free(path);
	return v;
}
