/*
 * age-tool: the vault module's age functions as a small program, so that
 * tests/e2e/age.sh can check them against the real `age` command both ways.
 *
 *   age-tool encrypt (-r RECIPIENT | -P PASSFILE) IN OUT
 *   age-tool decrypt (-i IDENTITYFILE | -P PASSFILE) IN OUT
 *   age-tool keygen OUT            an identity file as age-keygen writes it
 *
 * A passphrase is read from the first line of PASSFILE (never argv). OUT is
 * written only when everything succeeded; errors go to stderr, exit 1.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optout/util.h"
#include "optout/vault.h"

/* Print the cause and exit 1. */
static void
die(char *cause)
{
	fprintf(stderr, "age-tool: %s\n", cause != NULL ? cause : "unknown error");
	free(cause);
	exit(1);
}

/* The first line of a file (a passphrase, or the key line of an identity file). */
static char *
line_of(const char *path, const char *prefix)
{
	char *data, *cause = NULL, *line, *save = NULL;
	size_t len;

	if (read_file(path, 1 << 16, &data, &len, &cause) != 0)
		die(cause);
	for (line = strtok_r(data, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (prefix == NULL || strncmp(line, prefix, strlen(prefix)) == 0) {
			char *out = xstrdup(line);

			secure_free(data);
			return out;
		}
	}
	die(xasprintf("%s: no line found", path));
	return NULL;
}

/* age-tool encrypt|decrypt|keygen ... */
int
main(int argc, char **argv)
{
	char *cause = NULL, *in = NULL, *secret = NULL;
	size_t len = 0;

	if (vault_init(&cause) != 0)
		die(cause);
	if (argc == 3 && strcmp(argv[1], "keygen") == 0) {
		struct vault_secret *id;
		char *rcpt, *text;

		vault_age_keygen(&id, &rcpt);
		text = xasprintf("# public key: %s\n%s\n", rcpt, (char *)id->data);
		if (write_file_atomic(argv[2], text, strlen(text), 0600, &cause) != 0)
			die(cause);
		secure_free(text);
		vault_secret_free(id);
		free(rcpt);
		return 0;
	}
	if (argc != 6 || (strcmp(argv[1], "encrypt") != 0 && strcmp(argv[1], "decrypt") != 0)) {
		fprintf(stderr, "usage: age-tool encrypt|decrypt -r|-i|-P ARG IN OUT | keygen OUT\n");
		return 2;
	}
	if (read_file(argv[4], (size_t)1 << 30, &in, &len, &cause) != 0)
		die(cause);
	if (strcmp(argv[1], "encrypt") == 0) {
		struct buf out;
		const char *r = argv[3];
		int rc;

		buf_init(&out);
		if (strcmp(argv[2], "-P") == 0) {
			secret = line_of(argv[3], NULL);
			rc = vault_age_encrypt(in, len, NULL, 0, secret, &out, &cause);
		} else if (strcmp(argv[2], "-r") == 0) {
			rc = vault_age_encrypt(in, len, &r, 1, NULL, &out, &cause);
		} else {
			die(xstrdup("encrypt takes -r RECIPIENT or -P PASSFILE"));
			return 2;
		}
		if (rc != 0 || write_file_atomic(argv[5], out.data, out.len, 0600, &cause) != 0)
			die(cause);
		buf_free(&out);
	} else {
		struct vault_age_key k = { NULL, NULL };
		struct vault_secret *plain;

		if (strcmp(argv[2], "-P") == 0)
			k.passphrase = secret = line_of(argv[3], NULL);
		else if (strcmp(argv[2], "-i") == 0)
			k.identity = secret = line_of(argv[3], "AGE-SECRET-KEY-1");
		else
			die(xstrdup("decrypt takes -i IDENTITYFILE or -P PASSFILE"));
		if ((plain = vault_age_decrypt(in, len, &k, &cause)) == NULL ||
		    write_file_atomic(argv[5], plain->data, plain->len, 0600, &cause) != 0)
			die(cause);
		vault_secret_free(plain);
	}
	secure_free(secret);
	free(in);
	return 0;
}
