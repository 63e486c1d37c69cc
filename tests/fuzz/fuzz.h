/*
 * fuzz: what every libFuzzer harness in tests/fuzz shares.
 *
 * A harness defines LLVMFuzzerTestOneInput and calls the library's real
 * entry points on the input.  It never prints, writes no file outside a
 * temporary folder, and frees everything it allocated for an input (data
 * loaded once, such as a schema, is kept in static variables and is not
 * a leak).  The same file links against libFuzzer (make fuzz, clang) and
 * against replay.c (make check), which feeds it the corpus and the
 * regression files once each.
 */
#ifndef OPTOUT_FUZZ_H
#define OPTOUT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* The entry point libFuzzer and the replay driver call, once per input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The source tree holding brokers/ and letters/: $OPTOUT_DATADIR or the build's own. */
const char *fuzz_datadir(void);
/* The input as a NUL-terminated string (it may hold NUL bytes before size); free() it. */
char *fuzz_text(const uint8_t *data, size_t size);
/* A JSON file under the data directory, parsed (the caller owns it); aborts when it cannot be. */
struct jv *fuzz_json_file(const char *relpath);

#endif
