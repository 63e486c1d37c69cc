/*
 * vault: cryptography for personal data at rest (the only module that sees
 * libsodium): request references that reveal nothing about the person,
 * key files, and keyed fingerprints.
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
 * A new request reference "OPT-XXXX-XXXX": 40 bits from the system's
 * random generator in Crockford base32.  It carries nothing about the
 * person, so it can be printed on every letter.  40 bits keep the short
 * form people read out on the telephone and write on envelopes; the
 * reference is not a secret or a password (brokers see it), and the ledger
 * draws another when one is already taken, so uniqueness does not rest on
 * its length.  A request keeps its reference for life: the ledger records
 * it, and a re-run reuses the recorded one (ledger_record_plan).
 */
void vault_new_reference(char out[16]);
/* Fill buf with n random bytes. */
void vault_random(void *buf, size_t n);

#define VAULT_KEY_BYTES 32
/*
 * Read the key in path, or make one (random, 0600) when there is none;
 * two processes making it at once end up with the same key.
 */
int vault_key_file(const char *path, unsigned char key[VAULT_KEY_BYTES], char **cause);
/* 64 bits of keyed BLAKE2b over the parts, as 16 lower-case hex digits. */
void vault_fingerprint(const unsigned char key[VAULT_KEY_BYTES], const char *const *parts,
    size_t nparts, char out[17]);
/* Wipe memory that held a key. */
void vault_wipe(void *buf, size_t n);

#endif
