/*
 * vault: cryptography for personal data at rest (the only module that sees
 * libsodium): request references that reveal nothing about the person.
 *
 * Contract: vault_init must succeed before other calls; it is cheap and
 * idempotent.
 */
#ifndef OPTOUT_VAULT_H
#define OPTOUT_VAULT_H

#include <stddef.h>

/* 0 on success, -1 when libsodium cannot initialise. */
int vault_init(char **cause);
/*
 * A request reference "OPT-XXXX-XXXX" (Crockford base32, 40 bits): a keyed
 * one-way hash of the given parts, so the same person, broker, request and
 * day give the same reference and nothing can be read back from it.
 */
void vault_reference(const char *const *parts, size_t nparts, char out[16]);
/* Fill buf with n random bytes. */
void vault_random(void *buf, size_t n);

#endif
