/*
 * fuzz-age: an age file (binary format) through the vault module's reader,
 * with a fixed X25519 identity the seeds were encrypted to.  Passphrase
 * stanzas are parsed and checked but never derived (no passphrase is
 * given), so a huge scrypt work factor cannot stall the fuzzer.
 */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "optout/vault.h"

/* The identity of the seeds in tests/fuzz/corpus/age (a test key, nobody's secret). */
#define FUZZ_AGE_IDENTITY \
	"AGE-SECRET-KEY-1QQQSYQCYQ5RQWZQFPG9SCRGWPUGPZYSNZS23V9CCRYDPK8QARC0SWRYDWG"

/* Decrypt one input; any outcome is fine, a crash or leak is not. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vault_age_key k = { FUZZ_AGE_IDENTITY, NULL };
	struct vault_secret *s;
	char *cause = NULL;

	(void)vault_age_detect(data, size);
	(void)vault_age_needs_passphrase(data, size);
	if ((s = vault_age_decrypt(data, size, &k, &cause)) == NULL)
		free(cause);
	vault_secret_free(s);
	return 0;
}
