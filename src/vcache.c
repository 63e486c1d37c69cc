/* vcache: a content-keyed, self-checking record of inputs that passed validation. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "optout/util.h"
#include "optout/vault.h"
#include "optout/vcache.h"

/* File layout: magic, salt, count (8 bytes, little-endian), keys, digest of all before. */
#define MAGIC "optout-vcache-1\n"
#define MAGIC_LEN 16
#define MAX_KEYS 100000
#define MAX_FILE (MAGIC_LEN + VCACHE_KEY_BYTES + 8 + MAX_KEYS * VCACHE_KEY_BYTES + VCACHE_KEY_BYTES)

struct vcache {
	char *path;                          /* NULL: nowhere to keep it */
	unsigned char salt[VCACHE_KEY_BYTES];
	unsigned char *keys;                 /* the file's keys, sorted */
	size_t nkeys;
	unsigned char *used;                 /* keys hit or added in this run */
	size_t nused, capused;
};

/* One digest over the given parts. */
static void
digest(const void *a, size_t alen, const void *b, size_t blen, const void *c, size_t clen,
    unsigned char out[VCACHE_KEY_BYTES])
{
	const void *parts[3] = { a, b, c };
	size_t lens[3] = { alen, blen, clen };

	vault_digest(parts, lens, 3, out);
}

/* Order keys bytewise. */
static int
cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, VCACHE_KEY_BYTES);
}

/* The cache file's path, or NULL when neither XDG_CACHE_HOME nor HOME is set. */
static char *
cache_path(const char *name)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/optout/%s", xdg, name);
	if (home != NULL && home[0] == '/')
		return xasprintf("%s/.cache/optout/%s", home, name);
	return NULL;
}

/* Take the file's keys if the file is whole, ours and made under this salt. */
static void
load_keys(struct vcache *c)
{
	unsigned char check[VCACHE_KEY_BYTES];
	char *data = NULL, *cause = NULL;
	size_t len, n = 0, body;
	int i;

	if (read_file(c->path, MAX_FILE, &data, &len, &cause) != 0) {
		free(cause);
		return;
	}
	if (len < MAGIC_LEN + 2 * VCACHE_KEY_BYTES + 8 || memcmp(data, MAGIC, MAGIC_LEN) != 0 ||
	    memcmp(data + MAGIC_LEN, c->salt, VCACHE_KEY_BYTES) != 0)
		goto out;
	for (i = 7; i >= 0; i--)
		n = (n << 8) | (unsigned char)data[MAGIC_LEN + VCACHE_KEY_BYTES + i];
	body = MAGIC_LEN + VCACHE_KEY_BYTES + 8;
	if (n > MAX_KEYS || len != body + n * VCACHE_KEY_BYTES + VCACHE_KEY_BYTES)
		goto out;
	digest(data, len - VCACHE_KEY_BYTES, NULL, 0, NULL, 0, check);
	if (memcmp(check, data + len - VCACHE_KEY_BYTES, VCACHE_KEY_BYTES) != 0)
		goto out;
	c->keys = xmalloc(n ? n * VCACHE_KEY_BYTES : 1);
	memcpy(c->keys, data + body, n * VCACHE_KEY_BYTES);
	c->nkeys = n;
	/* Sorted when written; sorting again costs little and makes the search safe. */
	qsort(c->keys, n, VCACHE_KEY_BYTES, cmp_key);
out:
	free(data);
}

/* Open the cache NAME for inputs checked under salt. */
struct vcache *
vcache_open(const char *name, const unsigned char salt[VCACHE_KEY_BYTES])
{
	struct vcache *c = xcalloc(1, sizeof *c);

	memcpy(c->salt, salt, VCACHE_KEY_BYTES);
	c->path = cache_path(name);
	if (c->path != NULL)
		load_keys(c);
	return c;
}

/* The salt for a kind of check: the program version, the revision and the schema. */
void
vcache_salt(const char *revision, const void *schema, size_t len,
    unsigned char salt[VCACHE_KEY_BYTES])
{
	digest(PACKAGE_VERSION, strlen(PACKAGE_VERSION), revision, strlen(revision), schema, len,
	    salt);
}

/* The key of one input under the cache's salt. */
void
vcache_key(const struct vcache *c, const char *path, const void *data, size_t len,
    unsigned char key[VCACHE_KEY_BYTES])
{
	digest(c->salt, VCACHE_KEY_BYTES, path, strlen(path), data, len, key);
}

/* Remember a key for the next save. */
static void
use(struct vcache *c, const unsigned char key[VCACHE_KEY_BYTES])
{
	if (c->nused == c->capused) {
		c->capused = c->capused ? 2 * c->capused : 64;
		c->used = xreallocarray(c->used, c->capused, VCACHE_KEY_BYTES);
	}
	memcpy(c->used + c->nused++ * VCACHE_KEY_BYTES, key, VCACHE_KEY_BYTES);
}

/* Whether key passed validation before. */
int
vcache_has(struct vcache *c, const unsigned char key[VCACHE_KEY_BYTES])
{
	if (c->nkeys == 0 || bsearch(key, c->keys, c->nkeys, VCACHE_KEY_BYTES, cmp_key) == NULL)
		return 0;
	use(c, key);
	return 1;
}

/* Record a key that passed validation. */
void
vcache_add(struct vcache *c, const unsigned char key[VCACHE_KEY_BYTES])
{
	use(c, key);
}

/* Write the keys used in this run, unless the file already holds exactly them. */
int
vcache_save(struct vcache *c, char **cause)
{
	struct buf b;
	unsigned char count[8], check[VCACHE_KEY_BYTES];
	char *dir;
	size_t i, n;
	int rc;

	/* A shared computer keeps no cache (--ephemeral); the cache is only a saving. */
	if (c->path == NULL || c->nused > MAX_KEYS || ephemeral_mode())
		return 0;
	qsort(c->used, c->nused, VCACHE_KEY_BYTES, cmp_key);
	/* Drop duplicates (one file listed twice). */
	for (i = n = 0; i < c->nused; i++) {
		if (n > 0 && memcmp(c->used + (n - 1) * VCACHE_KEY_BYTES,
		    c->used + i * VCACHE_KEY_BYTES, VCACHE_KEY_BYTES) == 0)
			continue;
		memmove(c->used + n++ * VCACHE_KEY_BYTES, c->used + i * VCACHE_KEY_BYTES,
		    VCACHE_KEY_BYTES);
	}
	c->nused = n;
	if (n == c->nkeys && (n == 0 || memcmp(c->used, c->keys, n * VCACHE_KEY_BYTES) == 0))
		return 0;
	dir = path_dirname(c->path);
	rc = make_dirs(dir, 0700, cause);
	free(dir);
	if (rc != 0)
		return -1;
	for (i = 0; i < 8; i++)
		count[i] = (unsigned char)((uint64_t)n >> (8 * i));
	buf_init(&b);
	buf_add(&b, MAGIC, MAGIC_LEN);
	buf_add(&b, c->salt, VCACHE_KEY_BYTES);
	buf_add(&b, count, sizeof count);
	buf_add(&b, c->used, n * VCACHE_KEY_BYTES);
	digest(b.data, b.len, NULL, 0, NULL, 0, check);
	buf_add(&b, check, sizeof check);
	rc = write_file_atomic(c->path, b.data, b.len, 0600, cause);
	buf_free(&b);
	return rc;
}

/* Free the cache (NULL is fine). */
void
vcache_free(struct vcache *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->keys);
	free(c->used);
	free(c);
}
