/*
 * fuzz-mime: libFuzzer target for the reply parser (inbox.c): any bytes are
 * parsed, matched to a reference and classified, and everything freed.
 * Build: clang -fsanitize=fuzzer,address -Iinclude -I. tests/fuzz/fuzz-mime.c liboptout.a
 * and the libraries liboptout.a needs (inbox.c reaches the ledger for inbox_handle).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "optout/inbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse, match and classify one input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const domains[] = { "accepts.test", "broker.example", NULL };
	struct reply_verdict v;
	struct reply *r;
	char *cause = NULL, ref[16];

	r = reply_parse((const char *)data, size, &cause);
	if (r == NULL) {
		free(cause);
		return 0;
	}
	(void)reply_reference(r, ref);
	reply_classify(r, domains, &v);
	reply_verdict_clear(&v);
	reply_free(r);
	return 0;
}
