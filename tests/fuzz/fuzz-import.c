/*
 * fuzz-import: libFuzzer harness for the registry importer.  The bytes are a
 * registry export (CSV); they go through import_parse, the entry point that
 * reads from memory, and everything is freed.  Nothing is written: the
 * records are never passed to import_write.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "optout/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse one input as a California export of a fixed date. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_set *s = import_new();
	char *cause = NULL;

	if (import_parse(s, (const char *)data, size, "fuzz.csv", "california", "2022-06-28",
	    &cause) != IMPORT_OK)
		free(cause);
	import_free(s);
	return 0;
}
