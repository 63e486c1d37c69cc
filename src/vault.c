/* vault: libsodium for hashing and randomness. */
#include "config.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Read a key file of VAULT_KEY_BYTES, or create one (0600) from random bytes if missing. */
int
vault_key_file(const char *path, unsigned char key[VAULT_KEY_BYTES], char **cause)
{
	char *data = NULL, *tmp;
	size_t len = 0;
	int fd, rc = -1;

	if (access(path, F_OK) == 0) {
		if (read_file(path, VAULT_KEY_BYTES + 1, &data, &len, cause) != 0)
			return -1;
		if (len != VAULT_KEY_BYTES) {
			*cause = xasprintf("%s: not a key file (expected %d bytes)", path,
			    VAULT_KEY_BYTES);
			secure_free(data);
			return -1;
		}
		memcpy(key, data, VAULT_KEY_BYTES);
		sodium_memzero(data, len);
		free(data);
		return 0;
	}
	/* Written aside, then linked into place: a key another process made first wins. */
	randombytes_buf(key, VAULT_KEY_BYTES);
	tmp = xasprintf("%s.tmp.XXXXXX", path);
	if ((fd = mkstemp(tmp)) == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	if (fchmod(fd, 0600) == 0 && write(fd, key, VAULT_KEY_BYTES) == VAULT_KEY_BYTES &&
	    fsync(fd) == 0) {
		if (link(tmp, path) == 0)
			rc = 0;
		else if (errno == EEXIST)
			rc = 1;
		else
			*cause = xasprintf("%s: %s", path, strerror(errno));
	} else
		*cause = xasprintf("%s: %s", path, strerror(errno));
	close(fd);
	unlink(tmp);
	free(tmp);
	if (rc == 1)
		return vault_key_file(path, key, cause);
	return rc;
}

/*
 * A keyed fingerprint of the parts: BLAKE2b under key, 64 bits in lower-case
 * hex.  Without the key nobody can test a guess against it.
 */
void
vault_fingerprint(const unsigned char key[VAULT_KEY_BYTES], const char *const *parts,
    size_t nparts, char out[17])
{
	crypto_generichash_state st;
	unsigned char h[8];
	size_t i;

	crypto_generichash_init(&st, key, VAULT_KEY_BYTES, sizeof h);
	for (i = 0; i < nparts; i++) {
		/* The length prefix keeps ("ab","c") and ("a","bc") apart. */
		unsigned long long len = strlen(parts[i]);

		crypto_generichash_update(&st, (const unsigned char *)&len, sizeof len);
		crypto_generichash_update(&st, (const unsigned char *)parts[i], len);
	}
	crypto_generichash_final(&st, h, sizeof h);
	sodium_bin2hex(out, 17, h, sizeof h);
	sodium_memzero(h, sizeof h);
}

/* Wipe a key. */
void
vault_wipe(void *buf, size_t n)
{
	sodium_memzero(buf, n);
}
