/* vault: libsodium for randomness, references, fingerprints and the age format. */
#include "config.h"

#include <sodium.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "optout/i18n.h"
#include "optout/util.h"
#include "optout/vault.h"

/* Start libsodium (safe to call more than once). */
int
vault_init(char **cause)
{
	if (sodium_init() < 0) {
		*cause = xstrdup(_("cannot initialise libsodium"));
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
			*cause = xasprintf(_("%s: not a key file (expected %d bytes)"), path,
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

/* Hash the parts (length-prefixed) with unkeyed BLAKE2b-256. */
void
vault_digest(const void *const *parts, const size_t *lens, size_t nparts,
    unsigned char out[VAULT_DIGEST_BYTES])
{
	crypto_generichash_state st;
	size_t i;

	crypto_generichash_init(&st, NULL, 0, VAULT_DIGEST_BYTES);
	for (i = 0; i < nparts; i++) {
		unsigned long long len = lens[i];

		crypto_generichash_update(&st, (const unsigned char *)&len, sizeof len);
		crypto_generichash_update(&st, (const unsigned char *)parts[i], len);
	}
	crypto_generichash_final(&st, out, VAULT_DIGEST_BYTES);
}

/* Wipe a key. */
void
vault_wipe(void *buf, size_t n)
{
	sodium_memzero(buf, n);
}

/*
 * The age format (age-encryption.org/v1, https://c2sp.org/age): X25519 and
 * scrypt recipients, HMAC-SHA-256 header MAC, ChaCha20-Poly1305 STREAM
 * payload in 64 KiB chunks.  Only the binary format (not ASCII armor).
 * Secrets (file keys, passphrase-derived keys, identities, plaintext) live
 * in sodium_malloc'd memory, locked where the system allows and wiped when
 * freed.
 */
#define AGE_CHUNK 65536
#define AGE_TAG crypto_aead_chacha20poly1305_ietf_ABYTES
#define AGE_MAX_SCRYPT_LOG 22 /* 4 GiB of work: past that, refuse (the spec asks for a limit) */
#define AGE_SCRYPT_LOG 18     /* what age itself writes */

/* A secret buffer: guarded, locked where possible, zeroed when freed. */
struct vault_secret *
vault_secret_new(size_t len)
{
	struct vault_secret *s = xcalloc(1, sizeof *s);

	/* sodium_malloc needs libsodium started (it aborts otherwise); this is idempotent. */
	if (sodium_init() < 0)
		oom();
	/* sodium_malloc(0) is valid but keep one byte so data is never NULL. */
	if ((s->data = sodium_malloc(len ? len : 1)) == NULL)
		oom();
	s->len = len;
	return s;
}

/* Wipe and free a secret buffer (NULL is fine). */
void
vault_secret_free(struct vault_secret *s)
{
	if (s == NULL)
		return;
	sodium_free(s->data);
	free(s);
}

/* HKDF-SHA-256 (RFC 5869) with a 32-byte output. */
static void
hkdf_sha256(const unsigned char *ikm, size_t ikmlen, const unsigned char *salt, size_t saltlen,
    const char *info, unsigned char out[32])
{
	static const unsigned char no_salt[1];
	unsigned char prk[crypto_auth_hmacsha256_BYTES], one = 1;
	crypto_auth_hmacsha256_state st;

	if (salt == NULL)
		salt = no_salt; /* with saltlen 0: HMAC pads an empty key with zeros */
	/* Extract: PRK = HMAC(salt, IKM); an empty salt is 32 zero bytes, same HMAC. */
	crypto_auth_hmacsha256_init(&st, salt, saltlen);
	crypto_auth_hmacsha256_update(&st, ikm, ikmlen);
	crypto_auth_hmacsha256_final(&st, prk);
	/* Expand, one block: T(1) = HMAC(PRK, info || 0x01). */
	crypto_auth_hmacsha256_init(&st, prk, sizeof prk);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)info, strlen(info));
	crypto_auth_hmacsha256_update(&st, &one, 1);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(prk, sizeof prk);
	sodium_memzero(&st, sizeof st);
}

/* Unpadded standard base64 of n bytes. */
static char *
b64_encode(const unsigned char *p, size_t n)
{
	size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	char *out = xmalloc(cap);

	sodium_bin2base64(out, cap, p, n, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	return out;
}

/* Decode canonical unpadded base64 of exactly want bytes: 0, or -1. */
static int
b64_decode_exact(const char *s, size_t slen, unsigned char *out, size_t want)
{
	size_t got = 0;
	const char *end = NULL;
	char *again;
	int same;

	if (slen != (want * 4 + 2) / 3 ||
	    sodium_base642bin(out, want, s, slen, NULL, &got, &end,
		sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 ||
	    got != want || end != s + slen)
		return -1;
	/* Canonical: the unused low bits are zero, so encoding gives the same text. */
	again = b64_encode(out, want);
	same = strlen(again) == slen && memcmp(again, s, slen) == 0;
	free(again);
	return same ? 0 : -1;
}

/* Decode a stanza body (lines of 64 columns, the last shorter): its length, or -1. */
static long
b64_decode_body(const char *s, size_t slen, unsigned char *out, size_t cap)
{
	size_t n = slen * 3 / 4;

	if (n > cap || b64_decode_exact(s, slen, out, n) != 0)
		return -1;
	return (long)n;
}

static const char bech32_charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/* The Bech32 checksum polymod (BIP 173). */
static unsigned long
bech32_polymod(const unsigned char *v, size_t n)
{
	static const unsigned long gen[5] = { 0x3b6a57b2UL, 0x26508e6dUL, 0x1ea119faUL,
		0x3d4233ddUL, 0x2a1462b3UL };
	unsigned long chk = 1;
	size_t i;
	int j;

	for (i = 0; i < n; i++) {
		unsigned long top = chk >> 25;

		chk = ((chk & 0x1ffffffUL) << 5) ^ v[i];
		for (j = 0; j < 5; j++)
			if ((top >> j) & 1)
				chk ^= gen[j];
	}
	return chk;
}

/* The values the checksum covers: hrp expanded, then the 5-bit data. */
static unsigned char *
bech32_expand(const char *hrp, const unsigned char *data, size_t ndata, size_t *n)
{
	size_t h = strlen(hrp), i;
	unsigned char *v = xmalloc(h * 2 + 1 + ndata + 6);

	for (i = 0; i < h; i++)
		v[i] = (unsigned char)(tolower((unsigned char)hrp[i]) >> 5);
	v[h] = 0;
	for (i = 0; i < h; i++)
		v[h + 1 + i] = (unsigned char)(tolower((unsigned char)hrp[i]) & 31);
	memcpy(v + 2 * h + 1, data, ndata);
	*n = 2 * h + 1 + ndata;
	return v;
}

/* Bech32-encode 32 bytes under hrp (upper-case when upper). */
static char *
bech32_encode(const char *hrp, const unsigned char key[32], int upper)
{
	unsigned char data[52 + 6], *v;
	unsigned long acc = 0, chk;
	size_t nd = 0, n, i, h = strlen(hrp);
	int bits = 0;
	char *out;

	for (i = 0; i < 32; i++) {
		acc = (acc << 8) | key[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			data[nd++] = (unsigned char)((acc >> bits) & 31);
		}
	}
	if (bits > 0)
		data[nd++] = (unsigned char)((acc << (5 - bits)) & 31);
	v = bech32_expand(hrp, data, nd, &n);
	memset(v + n, 0, 6);
	chk = bech32_polymod(v, n + 6) ^ 1;
	free(v);
	for (i = 0; i < 6; i++)
		data[nd + i] = (unsigned char)((chk >> (5 * (5 - i))) & 31);
	out = xmalloc(h + 1 + nd + 6 + 1);
	for (i = 0; i < h; i++)
		out[i] = upper ? (char)toupper((unsigned char)hrp[i]) : (char)tolower((unsigned char)hrp[i]);
	out[h] = '1';
	for (i = 0; i < nd + 6; i++) {
		char c = bech32_charset[data[i]];

		out[h + 1 + i] = upper ? (char)toupper((unsigned char)c) : c;
	}
	out[h + 1 + nd + 6] = '\0';
	return out;
}

/* Decode a Bech32 string of 32 bytes under hrp (either case, not mixed): 0, or -1. */
static int
bech32_decode(const char *s, const char *hrp, unsigned char key[32])
{
	size_t len = strlen(s), h = strlen(hrp), nd, n, i;
	unsigned char data[64] = { 0 }, *v;
	unsigned long acc = 0;
	int bits = 0, lower = 0, upper = 0, ok;
	size_t k = 0;

	if (len != h + 1 + 52 + 6 || strncasecmp(s, hrp, h) != 0 || s[h] != '1')
		return -1;
	for (i = 0; i < len; i++) {
		lower |= islower((unsigned char)s[i]) != 0;
		upper |= isupper((unsigned char)s[i]) != 0;
	}
	if (lower && upper)
		return -1;
	nd = len - h - 1;
	for (i = 0; i < nd; i++) {
		const char *p = strchr(bech32_charset, tolower((unsigned char)s[h + 1 + i]));

		if (p == NULL || s[h + 1 + i] == '\0')
			return -1;
		data[i] = (unsigned char)(p - bech32_charset);
	}
	v = bech32_expand(hrp, data, nd, &n);
	ok = bech32_polymod(v, n) == 1;
	free(v);
	if (!ok)
		return -1;
	for (i = 0; i < nd - 6; i++) {
		acc = (acc << 5) | data[i];
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (k < 32)
				key[k++] = (unsigned char)((acc >> bits) & 0xff);
		}
	}
	/* 52 groups of 5 bits = 260 bits: 32 bytes and 4 zero padding bits. */
	return k == 32 && bits == 4 && (acc & 15) == 0 ? 0 : -1;
}

/* A new X25519 identity: its secret "AGE-SECRET-KEY-1…" and recipient "age1…". */
void
vault_age_keygen(struct vault_secret **identity, char **recipient)
{
	unsigned char sk[32], pk[32];
	char *s;

	randombytes_buf(sk, sizeof sk);
	crypto_scalarmult_curve25519_base(pk, sk);
	s = bech32_encode("AGE-SECRET-KEY-", sk, 1);
	*identity = vault_secret_new(strlen(s) + 1);
	memcpy((*identity)->data, s, strlen(s) + 1);
	(*identity)->len = strlen(s);
	sodium_memzero(s, strlen(s));
	sodium_memzero(sk, sizeof sk);
	free(s);
	*recipient = bech32_encode("age", pk, 0);
}

/* The recipient "age1…" of an identity "AGE-SECRET-KEY-1…", or NULL. */
char *
vault_age_recipient_of(const char *identity)
{
	unsigned char sk[32], pk[32];

	if (bech32_decode(identity, "AGE-SECRET-KEY-", sk) != 0)
		return NULL;
	crypto_scalarmult_curve25519_base(pk, sk);
	sodium_memzero(sk, sizeof sk);
	return bech32_encode("age", pk, 0);
}

/* Wrap the file key with a fixed zero nonce (each wrap key is used once). */
static void
wrap_file_key(const unsigned char key[32], const unsigned char fk[16], unsigned char body[32])
{
	static const unsigned char zero[12];

	crypto_aead_chacha20poly1305_ietf_encrypt(body, NULL, fk, 16, NULL, 0, NULL, zero, key);
}

/* Unwrap a 32-byte body into the file key: 0, or -1 when it does not open. */
static int
unwrap_file_key(const unsigned char key[32], const unsigned char *body, size_t blen,
    unsigned char fk[16])
{
	static const unsigned char zero[12];

	if (blen != 32)
		return -1;
	return crypto_aead_chacha20poly1305_ietf_decrypt(fk, NULL, NULL, body, blen, NULL, 0,
	    zero, key);
}

/* Append a stanza: its argument line, then the body in lines of 64 columns. */
static void
add_stanza(struct buf *h, const char *args, const unsigned char *body, size_t blen)
{
	char *b = b64_encode(body, blen);
	size_t n = strlen(b), i;

	buf_printf(h, "-> %s\n", args);
	for (i = 0; i + 64 <= n; i += 64) {
		buf_add(h, b + i, 64);
		buf_addc(h, '\n');
	}
	buf_add(h, b + i, n - i);
	buf_addc(h, '\n');
	free(b);
}

/* The scrypt wrap key of a passphrase: 0, or -1 (out of memory). */
static int
scrypt_key(const char *pass, size_t plen, const unsigned char salt[16], int logn,
    unsigned char key[32])
{
	static const char label[] = "age-encryption.org/v1/scrypt";
	unsigned char s[sizeof label - 1 + 16];

	memcpy(s, label, sizeof label - 1);
	memcpy(s + sizeof label - 1, salt, 16);
	return crypto_pwhash_scryptsalsa208sha256_ll((const uint8_t *)pass, plen, s, sizeof s,
	    (uint64_t)1 << logn, 8, 1, key, 32);
}

/* The payload: nonce, then 64 KiB chunks under the STREAM construction. */
static void
seal_payload(struct buf *out, const unsigned char fk[16], const unsigned char *in, size_t len)
{
	unsigned char nonce[16], key[32], n12[12], *c = xmalloc(AGE_CHUNK + AGE_TAG);
	unsigned long long counter = 0;
	size_t off = 0;
	int i;

	randombytes_buf(nonce, sizeof nonce);
	hkdf_sha256(fk, 16, nonce, sizeof nonce, "payload", key);
	buf_add(out, nonce, sizeof nonce);
	do {
		size_t n = len - off > AGE_CHUNK ? AGE_CHUNK : len - off;
		int last = off + n == len;

		memset(n12, 0, sizeof n12);
		for (i = 0; i < 8; i++)
			n12[10 - i] = (unsigned char)(counter >> (8 * i));
		n12[11] = last ? 1 : 0;
		crypto_aead_chacha20poly1305_ietf_encrypt(c, NULL, in + off, n, NULL, 0, NULL, n12,
		    key);
		buf_add(out, c, n + AGE_TAG);
		off += n;
		counter++;
	} while (off < len);
	sodium_memzero(key, sizeof key);
	free(c);
}

/* Encrypt to X25519 recipients ("age1…") or, alone, to a passphrase. */
int
vault_age_encrypt(const void *in, size_t len, const char *const *recipients, size_t nrecip,
    const char *passphrase, struct buf *out, char **cause)
{
	unsigned char fk[16], hkey[32], mac[32], body[32];
	struct buf h;
	size_t i;
	char *m;

	if ((passphrase != NULL) == (nrecip > 0)) {
		*cause = xstrdup(_("encrypt either to recipients or to a passphrase, not both"));
		return -1;
	}
	for (i = 0; i < nrecip; i++) {
		unsigned char pk[32];

		if (bech32_decode(recipients[i], "age", pk) != 0) {
			*cause = xasprintf(_("recipient %zu is not an age X25519 recipient (age1…)"),
			    i + 1);
			return -1;
		}
	}
	randombytes_buf(fk, sizeof fk);
	buf_init(&h);
	buf_adds(&h, "age-encryption.org/v1\n");
	for (i = 0; i < nrecip; i++) {
		unsigned char pk[32], esk[32], epk[32], shared[32], salt[64], key[32];
		char *args, *e;

		(void)bech32_decode(recipients[i], "age", pk);
		randombytes_buf(esk, sizeof esk);
		crypto_scalarmult_curve25519_base(epk, esk);
		if (crypto_scalarmult_curve25519(shared, esk, pk) != 0) {
			sodium_memzero(esk, sizeof esk);
			sodium_memzero(fk, sizeof fk);
			buf_free(&h);
			*cause = xasprintf(_("recipient %zu is not a usable X25519 key"), i + 1);
			return -1;
		}
		memcpy(salt, epk, 32);
		memcpy(salt + 32, pk, 32);
		hkdf_sha256(shared, 32, salt, 64, "age-encryption.org/v1/X25519", key);
		wrap_file_key(key, fk, body);
		e = b64_encode(epk, 32);
		args = xasprintf("X25519 %s", e);
		add_stanza(&h, args, body, 32);
		free(args);
		free(e);
		sodium_memzero(esk, sizeof esk);
		sodium_memzero(shared, sizeof shared);
		sodium_memzero(key, sizeof key);
	}
	if (passphrase != NULL) {
		unsigned char salt[16], key[32];
		char *s, *args;

		randombytes_buf(salt, sizeof salt);
		if (scrypt_key(passphrase, strlen(passphrase), salt, AGE_SCRYPT_LOG, key) != 0) {
			sodium_memzero(fk, sizeof fk);
			buf_free(&h);
			*cause = xstrdup(_("not enough memory to derive a key from the passphrase"));
			return -1;
		}
		wrap_file_key(key, fk, body);
		s = b64_encode(salt, 16);
		args = xasprintf("scrypt %s %d", s, AGE_SCRYPT_LOG);
		add_stanza(&h, args, body, 32);
		free(args);
		free(s);
		sodium_memzero(key, sizeof key);
	}
	buf_adds(&h, "---");
	hkdf_sha256(fk, 16, NULL, 0, "header", hkey);
	crypto_auth_hmacsha256(mac, (const unsigned char *)h.data, h.len, hkey);
	m = b64_encode(mac, 32);
	buf_printf(&h, " %s\n", m);
	free(m);
	buf_add(out, h.data, h.len);
	buf_free(&h);
	seal_payload(out, fk, in, len);
	sodium_memzero(fk, sizeof fk);
	sodium_memzero(hkey, sizeof hkey);
	return 0;
}

/* Whether the bytes start like an age file (binary format). */
int
vault_age_detect(const void *in, size_t len)
{
	static const char magic[] = "age-encryption.org/";

	return len >= sizeof magic - 1 && memcmp(in, magic, sizeof magic - 1) == 0;
}

/* One parsed stanza of a header. */
struct stanza {
	char *args[4];
	int nargs;
	unsigned char body[128];
	long blen;
};

/* Split an argument line "-> a b c" into at most 4 arguments: 0, or -1. */
static int
stanza_args(const char *line, size_t n, struct stanza *st)
{
	size_t i = 3, start;

	st->nargs = 0;
	while (i < n) {
		start = i;
		while (i < n && line[i] != ' ')
			i++;
		if (i == start || st->nargs == 4)
			return -1;
		st->args[st->nargs++] = xstrndup(line + start, i - start);
		if (i < n)
			i++; /* the space */
		if (i == n && line[n - 1] == ' ')
			return -1;
	}
	return st->nargs > 0 ? 0 : -1;
}

/* Free a stanza's arguments. */
static void
stanza_clear(struct stanza *st)
{
	int i;

	for (i = 0; i < st->nargs; i++)
		free(st->args[i]);
	st->nargs = 0;
}

/* Whether s is a decimal number with no leading zero. */
static int
plain_decimal(const char *s)
{
	size_t i;

	if (s[0] < '1' || s[0] > '9')
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return i <= 3;
}

/* Try the key on one stanza: 1 when it yielded the file key, 0 when not ours, -1 bad. */
static int
try_stanza(const struct stanza *st, const struct vault_age_key *k, unsigned char fk[16],
    char **cause)
{
	if (strcmp(st->args[0], "X25519") == 0) {
		unsigned char epk[32], pk[32], shared[32], salt[64], key[32];
		int rc;

		if (st->nargs != 2 || b64_decode_exact(st->args[1], strlen(st->args[1]), epk, 32) != 0 ||
		    st->blen != 32) {
			*cause = xstrdup(_("the file's X25519 stanza is malformed"));
			return -1;
		}
		if (k->identity == NULL)
			return 0;
		if (bech32_decode(k->identity, "AGE-SECRET-KEY-", key) != 0) {
			*cause = xstrdup(_("the identity is not an age secret key (AGE-SECRET-KEY-1…)"));
			return -1;
		}
		crypto_scalarmult_curve25519_base(pk, key);
		rc = crypto_scalarmult_curve25519(shared, key, epk);
		sodium_memzero(key, sizeof key);
		if (rc != 0) {
			*cause = xstrdup(_("the file's X25519 stanza is malformed"));
			return -1;
		}
		memcpy(salt, epk, 32);
		memcpy(salt + 32, pk, 32);
		hkdf_sha256(shared, 32, salt, 64, "age-encryption.org/v1/X25519", key);
		sodium_memzero(shared, sizeof shared);
		rc = unwrap_file_key(key, st->body, (size_t)st->blen, fk);
		sodium_memzero(key, sizeof key);
		return rc == 0 ? 1 : 0;
	}
	if (strcmp(st->args[0], "scrypt") == 0) {
		unsigned char salt[16], key[32];
		int logn, rc;

		if (st->nargs != 3 || b64_decode_exact(st->args[1], strlen(st->args[1]), salt, 16) != 0 ||
		    !plain_decimal(st->args[2]) || st->blen != 32) {
			*cause = xstrdup(_("the file's passphrase (scrypt) stanza is malformed"));
			return -1;
		}
		logn = (int)strtol(st->args[2], NULL, 10); /* 1 to 3 digits, checked above */
		if (logn > AGE_MAX_SCRYPT_LOG) {
			*cause = xasprintf(_("the file asks for a passphrase work factor of 2^%d, above "
			    "the limit of 2^%d: refused"), logn, AGE_MAX_SCRYPT_LOG);
			return -1;
		}
		if (k->passphrase == NULL)
			return 0;
		if (scrypt_key(k->passphrase, strlen(k->passphrase), salt, logn, key) != 0) {
			*cause = xstrdup(_("not enough memory to derive a key from the passphrase"));
			return -1;
		}
		rc = unwrap_file_key(key, st->body, (size_t)st->blen, fk);
		sodium_memzero(key, sizeof key);
		return rc == 0 ? 1 : 0;
	}
	return 0; /* another recipient type: not ours */
}

/* Parse the header, find the file key, check the MAC; the payload's offset or -1. */
static long
open_header(const unsigned char *in, size_t len, const struct vault_age_key *k,
    unsigned char fk[16], char **cause)
{
	const char *p = (const char *)in, *end = p + len, *nl;
	struct stanza st;
	int have = 0, nstanzas = 0, scrypt = 0, rc;
	unsigned char hkey[32], mac[32], want[32];

	memset(&st, 0, sizeof st);
	nl = memchr(p, '\n', len);
	if (nl == NULL || (size_t)(nl - p) != 21 || memcmp(p, "age-encryption.org/v1", 21) != 0) {
		*cause = xstrdup(_("not an age v1 file (age-encryption.org/v1)"));
		return -1;
	}
	p = nl + 1;
	for (;;) {
		size_t n;

		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			goto truncated;
		n = (size_t)(nl - p);
		if (n >= 3 && memcmp(p, "---", 3) == 0)
			break;
		if (n < 4 || memcmp(p, "-> ", 3) != 0 || stanza_args(p, n, &st) != 0) {
			stanza_clear(&st);
			*cause = xstrdup(_("the file's header is malformed"));
			return -1;
		}
		/* The body: full 64-column lines, then one shorter line. */
		{
			struct buf b;
			const char *q = nl + 1;

			buf_init(&b);
			for (;;) {
				const char *l = memchr(q, '\n', (size_t)(end - q));
				size_t ll;

				if (l == NULL) {
					buf_free(&b);
					stanza_clear(&st);
					goto truncated;
				}
				ll = (size_t)(l - q);
				if (ll > 64 || b.len + ll > 160) {
					buf_free(&b);
					stanza_clear(&st);
					*cause = xstrdup(_("the file's header is malformed"));
					return -1;
				}
				buf_add(&b, q, ll);
				q = l + 1;
				if (ll < 64)
					break;
			}
			st.blen = b64_decode_body(b.data, b.len, st.body, sizeof st.body);
			buf_free(&b);
			nl = q - 1;
		}
		if (st.blen < 0) {
			stanza_clear(&st);
			*cause = xstrdup(_("the file's header holds invalid base64"));
			return -1;
		}
		nstanzas++;
		scrypt |= strcmp(st.args[0], "scrypt") == 0;
		if (!have) {
			rc = try_stanza(&st, k, fk, cause);
			if (rc < 0) {
				stanza_clear(&st);
				sodium_memzero(fk, 16);
				return -1;
			}
			have = rc;
		}
		stanza_clear(&st);
		p = nl + 1;
	}
	if (nstanzas == 0 || (scrypt && nstanzas > 1)) {
		sodium_memzero(fk, 16);
		*cause = xstrdup(nstanzas == 0 ? "the file's header has no recipient" :
		    "the file mixes a passphrase with other recipients: refused");
		return -1;
	}
	if (!have) {
		*cause = xstrdup(k->passphrase != NULL ? "wrong passphrase, or the file was not "
		    "encrypted to a passphrase" : "the file was not encrypted to this key");
		return -1;
	}
	/* "--- " MAC LF */
	if (nl - p != 3 + 1 + 43 || p[3] != ' ' ||
	    b64_decode_exact(p + 4, 43, want, 32) != 0) {
		sodium_memzero(fk, 16);
		*cause = xstrdup(_("the file's header MAC is malformed"));
		return -1;
	}
	hkdf_sha256(fk, 16, NULL, 0, "header", hkey);
	crypto_auth_hmacsha256(mac, in, (size_t)(p + 3 - (const char *)in), hkey);
	sodium_memzero(hkey, sizeof hkey);
	if (sodium_memcmp(mac, want, 32) != 0) {
		sodium_memzero(fk, 16);
		*cause = xstrdup(_("the file's header was altered (its MAC does not match)"));
		return -1;
	}
	return (long)(nl + 1 - (const char *)in);
truncated:
	sodium_memzero(fk, 16);
	*cause = xstrdup(_("the file is truncated (its header does not end)"));
	return -1;
}

/* Decrypt an age file with an identity or a passphrase into a secret buffer. */
struct vault_secret *
vault_age_decrypt(const void *in, size_t len, const struct vault_age_key *k, char **cause)
{
	const unsigned char *b = in;
	unsigned char fk[16], key[32], nonce[16], n12[12];
	unsigned long long counter = 0;
	struct vault_secret *out;
	size_t off, plen = 0, nchunks, rest;
	long start;
	int i;

	if ((start = open_header(b, len, k, fk, cause)) < 0)
		return NULL;
	off = (size_t)start;
	if (len - off < 16 + AGE_TAG) {
		sodium_memzero(fk, sizeof fk);
		*cause = xstrdup(_("the file is truncated (no payload)"));
		return NULL;
	}
	memcpy(nonce, b + off, 16);
	off += 16;
	hkdf_sha256(fk, 16, nonce, 16, "payload", key);
	sodium_memzero(fk, sizeof fk);
	/* Every chunk but the last is full; the last is more than its tag. */
	rest = len - off;
	nchunks = (rest + AGE_CHUNK + AGE_TAG - 1) / (AGE_CHUNK + AGE_TAG);
	if (rest - (nchunks - 1) * (AGE_CHUNK + AGE_TAG) < AGE_TAG) {
		sodium_memzero(key, sizeof key);
		*cause = xstrdup(_("the file is truncated or was altered (its last part does not "
		    "open)"));
		return NULL;
	}
	out = vault_secret_new(rest - nchunks * AGE_TAG);
	while (off < len) {
		size_t n = len - off > AGE_CHUNK + AGE_TAG ? AGE_CHUNK + AGE_TAG : len - off;
		int last = off + n == len;
		unsigned long long got;

		memset(n12, 0, sizeof n12);
		for (i = 0; i < 8; i++)
			n12[10 - i] = (unsigned char)(counter >> (8 * i));
		n12[11] = last ? 1 : 0;
		if (crypto_aead_chacha20poly1305_ietf_decrypt(out->data + plen, &got,
		    NULL, b + off, n, NULL, 0, n12, key) != 0 ||
		    (last && got == 0 && counter > 0)) {
			sodium_memzero(key, sizeof key);
			vault_secret_free(out);
			*cause = xstrdup(last ? "the file is truncated or was altered (its last "
			    "part does not open)" : "the file was altered (a part does not open)");
			return NULL;
		}
		plen += (size_t)got;
		off += n;
		counter++;
	}
	sodium_memzero(key, sizeof key);
	out->len = plen;
	return out;
}

/* Whether an age file's first stanza is a passphrase (scrypt) one. */
int
vault_age_needs_passphrase(const void *in, size_t len)
{
	const char *p = memchr(in, '\n', len);
	const char *end = (const char *)in + len;

	return p != NULL && (size_t)(end - p) > 10 && memcmp(p + 1, "-> scrypt ", 10) == 0;
}

static vault_key_fn key_provider;
static void *key_provider_ctx;

/* Set where the keys of encrypted inputs come from (the command layer asks the person). */
void
vault_set_key_provider(vault_key_fn fn, void *ctx)
{
	key_provider = fn;
	key_provider_ctx = ctx;
}

/* Read a file of personal data, decrypting it when it is an age file. */
struct vault_secret *
vault_read_file(const char *path, size_t max, char **cause)
{
	struct vault_secret *s;
	struct vault_age_key k = { NULL, NULL };
	char *data = NULL, *why = NULL;
	size_t len;

	/* An age file is at most a header and 16 bytes a chunk larger than its content. */
	if (read_file(path, max + max / 4096 + 4096, &data, &len, cause) != 0)
		return NULL;
	if (!vault_age_detect(data, len)) {
		if (len > max) {
			*cause = xasprintf(_("%s: file is larger than %zu bytes"), path, max);
			s = NULL;
		} else {
			s = vault_secret_new(len);
			memcpy(s->data, data, len);
		}
		sodium_memzero(data, len);
		free(data);
		return s;
	}
	if (key_provider == NULL ||
	    key_provider(key_provider_ctx, vault_age_needs_passphrase(data, len), &k, &why) != 0) {
		*cause = xasprintf("%s: %s", path, why != NULL ? why :
		    "the file is encrypted and no key or passphrase was given");
		free(why);
		free(data);
		return NULL;
	}
	s = vault_age_decrypt(data, len, &k, &why);
	free(data);
	if (s == NULL) {
		*cause = xasprintf("%s: %s", path, why);
		free(why);
		return NULL;
	}
	if (s->len > max) {
		*cause = xasprintf(_("%s: the decrypted file is larger than %zu bytes"), path, max);
		vault_secret_free(s);
		return NULL;
	}
	return s;
}

/*
 * The encrypted store: $XDG_DATA_HOME/optout/vault/ (0700) holds
 *   recipient          the store's public key (age1…), so adding needs no secret
 *   identity.age       its secret key, encrypted to the store's passphrase
 *   LABEL.json.age     one profile each, encrypted to the recipient
 * File names are labels only; nothing in the folder is readable without
 * the passphrase.
 */

/* The store's folder, allocated; NULL with *cause when no home is known. */
char *
vault_store_dir(char **cause)
{
	return data_home_path("vault", "the vault", cause);
}

/* Whether a label can name a file in the store (the profile schema's label form). */
static int
store_label_ok(const char *label)
{
	size_t i;

	if (label[0] == '\0' || label[0] == '.' || label[0] == '-' || strlen(label) > 64)
		return 0;
	for (i = 0; label[i] != '\0'; i++)
		if (!isalnum((unsigned char)label[i]) && strchr("._-", label[i]) == NULL)
			return 0;
	return 1;
}

/* The file of a label in the store, allocated, or NULL with *cause. */
char *
vault_store_path(const char *label, char **cause)
{
	char *dir, *p;

	if (!store_label_ok(label)) {
		*cause = xstrdup(_("a label is letters, digits, '.', '_' and '-' (at most 64), "
		                 "starting with a letter or digit"));
		return NULL;
	}
	if ((dir = vault_store_dir(cause)) == NULL)
		return NULL;
	p = xasprintf("%s/%s.json.age", dir, label);
	free(dir);
	return p;
}

/* Read a small file of the store into an allocated string, or NULL. */
static char *
store_read(const char *dir, const char *name, char **cause)
{
	char *p = path_join(dir, name), *data = NULL;
	size_t len;

	if (read_file(p, 65536, &data, &len, cause) != 0)
		data = NULL;
	free(p);
	return data;
}

/* Create the store with a new key, its secret encrypted to the passphrase. */
int
vault_store_init(const char *passphrase, char **cause)
{
	struct vault_secret *id;
	struct buf enc;
	char *dir, *rcpt, *p, *text;
	int rc = -1;

	if (ephemeral_mode()) {
		*cause = ephemeral_refusal("a vault");
		return -1;
	}
	if ((dir = vault_store_dir(cause)) == NULL)
		return -1;
	p = path_join(dir, "recipient");
	if (access(p, F_OK) == 0) {
		*cause = xasprintf(_("%s: a vault is already there"), dir);
		free(p);
		free(dir);
		return -1;
	}
	if (make_dirs(dir, 0700, cause) != 0) {
		free(p);
		free(dir);
		return -1;
	}
	vault_age_keygen(&id, &rcpt);
	buf_init(&enc);
	text = xasprintf("%s\n", rcpt);
	if (vault_age_encrypt(id->data, id->len, NULL, 0, passphrase, &enc, cause) == 0) {
		char *ip = path_join(dir, "identity.age");

		/* The secret first: a store with a recipient always has its identity. */
		if (write_file_atomic(ip, enc.data, enc.len, 0600, cause) == 0 &&
		    write_file_atomic(p, text, strlen(text), 0600, cause) == 0)
			rc = 0;
		free(ip);
	}
	buf_free(&enc);
	vault_secret_free(id);
	free(text);
	free(rcpt);
	free(p);
	free(dir);
	return rc;
}

/* The identity file of the store (to open its profiles), allocated, or NULL when none. */
char *
vault_store_identity_path(void)
{
	char *cause = NULL, *dir = vault_store_dir(&cause), *p;

	free(cause);
	if (dir == NULL)
		return NULL;
	p = path_join(dir, "identity.age");
	free(dir);
	if (access(p, R_OK) != 0) {
		free(p);
		return NULL;
	}
	return p;
}

/* Encrypt a profile's bytes to the store under its label (replacing only when asked). */
int
vault_store_add(const char *label, const void *data, size_t len, int replace, char **cause)
{
	char *dir, *rcpt, *path;
	struct buf enc;
	const char *r;
	int rc = -1;

	if (ephemeral_mode()) {
		*cause = ephemeral_refusal("a profile in the vault");
		return -1;
	}
	if ((path = vault_store_path(label, cause)) == NULL)
		return -1;
	if ((dir = vault_store_dir(cause)) == NULL) {
		free(path);
		return -1;
	}
	if ((rcpt = store_read(dir, "recipient", cause)) == NULL) {
		free(*cause);
		*cause = xstrdup(_("there is no vault yet: run 'optout vault init' first"));
		free(dir);
		free(path);
		return -1;
	}
	rcpt[strcspn(rcpt, "\n")] = '\0';
	if (!replace && access(path, F_OK) == 0) {
		*cause = xasprintf(_("the vault already holds %s (use --replace to replace it)"), label);
	} else {
		r = rcpt;
		buf_init(&enc);
		if (vault_age_encrypt(data, len, &r, 1, NULL, &enc, cause) == 0 &&
		    write_file_atomic(path, enc.data, enc.len, 0600, cause) == 0)
			rc = 0;
		buf_free(&enc);
	}
	free(rcpt);
	free(dir);
	free(path);
	return rc;
}

/* qsort order of two strings held by pointer. */
static int
label_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The labels in the store, sorted, NULL-terminated (allocated); NULL with *cause. */
char **
vault_store_list(char **cause)
{
	char *dir = vault_store_dir(cause), **out;
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	if (dir == NULL)
		return NULL;
	out = xcalloc(1, sizeof *out);
	if ((d = opendir(dir)) == NULL) {
		free(dir);
		return out; /* no store yet: no labels */
	}
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);

		if (l > 9 && strcmp(e->d_name + l - 9, ".json.age") == 0) {
			out = xreallocarray(out, n + 2, sizeof *out);
			out[n++] = xstrndup(e->d_name, l - 9);
			out[n] = NULL;
		}
	}
	closedir(d);
	free(dir);
	qsort(out, n, sizeof *out, label_cmp);
	return out;
}

/* Remove a label's profile from the store. */
int
vault_store_remove(const char *label, char **cause)
{
	char *path = vault_store_path(label, cause);

	if (path == NULL)
		return -1;
	if (unlink(path) != 0) {
		*cause = errno == ENOENT ? xasprintf("the vault holds no %s", label) :
		    xasprintf("%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	return 0;
}
