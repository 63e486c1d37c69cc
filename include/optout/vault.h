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

struct buf;

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

/*
 * Secret bytes (a decrypted file, an identity): in memory locked where the
 * system allows, never swapped out knowingly, wiped when freed.
 */
struct vault_secret {
	unsigned char *data;
	size_t len;
};
struct vault_secret *vault_secret_new(size_t len);
void vault_secret_free(struct vault_secret *s);

/*
 * The age format (age-encryption.org/v1), binary form: files optout writes
 * open with `age -d`, and files `age` writes open here.  X25519 recipients
 * ("age1…") and identities ("AGE-SECRET-KEY-1…"), or one scrypt
 * passphrase (work factor 2^18 written; at most 2^22 read).
 */
struct vault_age_key {
	const char *identity;   /* AGE-SECRET-KEY-1…, or NULL */
	const char *passphrase; /* or NULL */
};
/* Whether the bytes start like an age file. */
int vault_age_detect(const void *in, size_t len);
/* Append the age encryption of in to out: to nrecip recipients, or to a passphrase. */
int vault_age_encrypt(const void *in, size_t len, const char *const *recipients, size_t nrecip,
    const char *passphrase, struct buf *out, char **cause);
/* Decrypt an age file; NULL with *cause for a wrong key, a truncated or altered file. */
struct vault_secret *vault_age_decrypt(const void *in, size_t len, const struct vault_age_key *k,
    char **cause);
/* A new identity (secret) and its recipient (allocated string). */
void vault_age_keygen(struct vault_secret **identity, char **recipient);
/* The recipient of an identity, or NULL when it is not one. */
char *vault_age_recipient_of(const char *identity);
/* Whether an age file is encrypted to a passphrase (else to keys). */
int vault_age_needs_passphrase(const void *in, size_t len);

/*
 * Inputs of personal data (profiles, agents, client lists) may be age
 * files.  The command layer says where their keys come from: the provider
 * fills k (a passphrase when need_passphrase, else an identity; the strings
 * stay valid until the process ends or the provider is changed) and returns
 * 0, or -1 with *cause.
 */
typedef int (*vault_key_fn)(void *ctx, int need_passphrase, struct vault_age_key *k,
    char **cause);
void vault_set_key_provider(vault_key_fn fn, void *ctx);
/* Read a file of at most max bytes of content, decrypted when it is an age file. */
struct vault_secret *vault_read_file(const char *path, size_t max, char **cause);

/*
 * The encrypted store under $XDG_DATA_HOME/optout/vault/: one profile per
 * label, encrypted to the store's key, whose secret half is encrypted to
 * the store's passphrase.  Adding needs no secret; reading needs the
 * passphrase (the store's identity.age is the default --identity).
 */
char *vault_store_dir(char **cause);
int vault_store_init(const char *passphrase, char **cause);
/* The file a label's profile is kept in (whether or not it exists), or NULL. */
char *vault_store_path(const char *label, char **cause);
/* The store's encrypted identity file, or NULL when there is no store. */
char *vault_store_identity_path(void);
int vault_store_add(const char *label, const void *data, size_t len, int replace, char **cause);
char **vault_store_list(char **cause);
int vault_store_remove(const char *label, char **cause);
#define VAULT_KEY_BYTES 32
/*
 * Read the key in path, or make one (random, 0600) when there is none;
 * two processes making it at once end up with the same key.
 */
int vault_key_file(const char *path, unsigned char key[VAULT_KEY_BYTES], char **cause);
/* 64 bits of keyed BLAKE2b over the parts, as 16 lower-case hex digits. */
void vault_fingerprint(const unsigned char key[VAULT_KEY_BYTES], const char *const *parts,
    size_t nparts, char out[17]);
#define VAULT_DIGEST_BYTES 32
/* Unkeyed BLAKE2b-256 over the parts, each prefixed with its length. */
void vault_digest(const void *const *parts, const size_t *lens, size_t nparts,
    unsigned char out[VAULT_DIGEST_BYTES]);
/* Wipe memory that held a key. */
void vault_wipe(void *buf, size_t n);

#endif
