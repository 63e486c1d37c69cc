/* vault: libsodium for hashing and randomness. */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "optout/util.h"
#include "optout/vault.h"

/* Start libsodium (safe to call more than once). */
int
vault_init(char **cause)
{
	if (sodium_init() < 0) {
		*cause = xstrdup("cannot initialise libsodium");
		return -1;
	}
	return 0;
}

/* A one-way reference from the parts: BLAKE2b, then 40 bits in Crockford base32. */
void
vault_reference(const char *const *parts, size_t nparts, char out[16])
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	/* A fixed domain key: references are stable across machines and runs. */
	static const unsigned char key[crypto_generichash_KEYBYTES] = "optout request reference v1";
	crypto_generichash_state st;
	unsigned char h[16];
	unsigned long long bits = 0;
	size_t i;
	int k;

	crypto_generichash_init(&st, key, sizeof key, sizeof h);
	for (i = 0; i < nparts; i++) {
		/* The length prefix keeps ("ab","c") and ("a","bc") apart. */
		unsigned long long len = strlen(parts[i]);

		crypto_generichash_update(&st, (const unsigned char *)&len, sizeof len);
		crypto_generichash_update(&st, (const unsigned char *)parts[i], len);
	}
	crypto_generichash_final(&st, h, sizeof h);
	for (i = 0; i < 5; i++)
		bits = (bits << 8) | h[i];
	memcpy(out, "OPT-", 4);
	for (k = 0; k < 8; k++)
		out[4 + k + (k >= 4)] = alphabet[(bits >> (35 - 5 * k)) & 31];
	out[8] = '-';
	out[13] = '\0';
	sodium_memzero(h, sizeof h);
}

/* Random bytes from the system's generator. */
void
vault_random(void *buf, size_t n)
{
	randombytes_buf(buf, n);
}
