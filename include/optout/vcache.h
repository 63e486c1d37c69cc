/*
 * vcache: remembers which input files already passed validation, so that a
 * repeated run does not validate the registry and laws.json again.
 *
 * Where: $XDG_CACHE_HOME/optout/NAME (default ~/.cache/optout/NAME).  What:
 * only BLAKE2b digests of (salt, file path, file bytes); the salt is itself a
 * digest of the schema, the program version and the checks' revision, so a
 * changed file, schema or program misses.  The file carries its own digest:
 * a damaged, truncated or foreign cache is ignored as if absent and rewritten.
 * Deleting it is always safe: the next run validates everything again.
 * Never holds personal data (it is used for the shipped data files only).
 *
 * Contract: vcache_open never fails (no cache directory means an empty cache
 * that is never saved); vcache_save writes atomically and returns 0 or -1
 * with *cause; a cache that cannot be written costs only time.
 */
#ifndef OPTOUT_VCACHE_H
#define OPTOUT_VCACHE_H

#include <stddef.h>

#define VCACHE_KEY_BYTES 32

struct vcache;

/* Open the cache NAME for inputs checked under salt (from vcache_salt). */
struct vcache *vcache_open(const char *name, const unsigned char salt[VCACHE_KEY_BYTES]);
/* The salt for a kind of check: its revision string and the schema's bytes. */
void vcache_salt(const char *revision, const void *schema, size_t len,
    unsigned char salt[VCACHE_KEY_BYTES]);
/* The key of one input: its path and bytes under the cache's salt. */
void vcache_key(const struct vcache *c, const char *path, const void *data, size_t len,
    unsigned char key[VCACHE_KEY_BYTES]);
/* Whether key passed validation before; a hit is kept by the next save. */
int vcache_has(struct vcache *c, const unsigned char key[VCACHE_KEY_BYTES]);
/* Record that the input with this key passed validation. */
void vcache_add(struct vcache *c, const unsigned char key[VCACHE_KEY_BYTES]);
/* Write the keys hit or added in this run, if they differ from the file's. */
int vcache_save(struct vcache *c, char **cause);
void vcache_free(struct vcache *c);

#endif
