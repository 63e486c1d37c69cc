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

/*
 * A new request reference: 40 random bits in Crockford base32, "OPT-XXXX-XXXX".
 * Nothing goes in but randomness, so nothing about the person comes out.
 */
void
vault_new_reference(char out[16])
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	unsigned char r[5];
	unsigned long long bits = 0;
	size_t i;
	int k;

	randombytes_buf(r, sizeof r);
	for (i = 0; i < sizeof r; i++)
		bits = (bits << 8) | r[i];
	memcpy(out, "OPT-", 4);
	for (k = 0; k < 8; k++)
		out[4 + k + (k >= 4)] = alphabet[(bits >> (35 - 5 * k)) & 31];
	out[8] = '-';
	out[13] = '\0';
	sodium_memzero(r, sizeof r);
}

/* Random bytes from the system's generator. */
void
vault_random(void *buf, size_t n)
{
	randombytes_buf(buf, n);
}
