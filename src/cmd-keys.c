/*
 * cmd-keys: where the keys of encrypted inputs come from, for every command
 * (not a command itself).  Profiles, agent files and client lists may be age
 * files; when one is, vault asks this provider for a key:
 *   - an identity file (--identity FILE or OPTOUT_IDENTITY), as age-keygen
 *     writes it, itself perhaps encrypted to a passphrase;
 *   - a passphrase from --passphrase-command CMD (or
 *     OPTOUT_PASSPHRASE_COMMAND): the first line CMD prints;
 *   - else a passphrase typed at the terminal (/dev/tty, without echo);
 *   - with no identity given, the vault's key (optout vault), whose secret
 *     is encrypted to the vault's passphrase.
 * Never from the command line itself.  What it reads lives in locked
 * memory and is kept for the process, so one prompt serves many files.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cmd.h"
#include "optout/i18n.h"
#include "optout/vault.h"

#define SECRET_MAX 1024

static struct {
	const char *identity_path;
	const char *passphrase_command;
	struct vault_secret *passphrase;
	struct vault_secret *identity;
	char *vault_identity; /* the vault's identity file, when it stands in for --identity */
} keys;

/* Keep the first line of what was read (no line break), NUL-terminated, in s. */
static void
first_line(struct vault_secret *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && s->data[i] != '\n' && s->data[i] != '\r'; i++)
		;
	s->data[i] = '\0';
	s->len = i;
}

/* Run the passphrase command and keep the first line it prints. */
static struct vault_secret *
passphrase_from_command(const char *command, char **cause)
{
	struct vault_secret *s = vault_secret_new(SECRET_MAX + 1);
	FILE *p;
	size_t n;
	int status;

	fflush(NULL);
	if ((p = popen(command, "r")) == NULL) {
		vault_secret_free(s);
		*cause = xasprintf(_("cannot run the passphrase command: %s"), strerror(errno));
		return NULL;
	}
	n = fread(s->data, 1, SECRET_MAX, p);
	/* Read what is left so the command never blocks on a full pipe. */
	while (getc(p) != EOF)
		;
	status = pclose(p);
	first_line(s, n);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || s->len == 0) {
		vault_secret_free(s);
		*cause = xstrdup(_("the passphrase command failed or printed no passphrase"));
		return NULL;
	}
	return s;
}

/* Ask for a passphrase at the terminal, without echo. */
static struct vault_secret *
passphrase_from_terminal(const char *prompt, char **cause)
{
	struct vault_secret *s;
	struct termios old, quiet;
	size_t n = 0;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC), saved;
	char c;

	if (fd == -1 || tcgetattr(fd, &old) != 0) {
		if (fd != -1)
			close(fd);
		*cause = xstrdup(_("the file is encrypted with a passphrase: run optout in a terminal, "
		                 "or give --passphrase-command"));
		return NULL;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	s = vault_secret_new(SECRET_MAX + 1);
	/* TCSANOW: what was typed ahead is kept, as a person pasting expects. */
	if (tcsetattr(fd, TCSANOW, &quiet) != 0 || write(fd, prompt, strlen(prompt)) < 0) {
		close(fd);
		vault_secret_free(s);
		*cause = xstrdup(_("cannot ask for the passphrase at the terminal"));
		return NULL;
	}
	while (n < SECRET_MAX && read(fd, &c, 1) == 1 && c != '\n')
		s->data[n++] = (unsigned char)c;
	c = 0;
	saved = tcsetattr(fd, TCSANOW, &old);
	if (write(fd, "\n", 1) < 0 || saved != 0) {
		/* The terminal is left as it was where that was possible. */
	}
	close(fd);
	first_line(s, n);
	if (s->len == 0) {
		vault_secret_free(s);
		*cause = xstrdup(_("no passphrase was given"));
		return NULL;
	}
	return s;
}

/* The passphrase, asked for once per process. */
static const char *
passphrase(char **cause)
{
	if (keys.passphrase == NULL)
		keys.passphrase = keys.passphrase_command != NULL ?
		    passphrase_from_command(keys.passphrase_command, cause) :
		    passphrase_from_terminal("optout: passphrase: ", cause);
	return keys.passphrase != NULL ? (const char *)keys.passphrase->data : NULL;
}

/* The identity (AGE-SECRET-KEY-1…) from the identity file, read once per process. */
static const char *
identity(char **cause)
{
	struct vault_secret *file;
	char *why = NULL;
	const char *p, *end;

	if (keys.identity != NULL)
		return (const char *)keys.identity->data;
	/* The identity file may itself be encrypted to a passphrase: vault asks us back. */
	if ((file = vault_read_file(keys.identity_path, 65536, &why)) == NULL) {
		*cause = why;
		return NULL;
	}
	p = (const char *)file->data;
	end = p + file->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl != NULL ? nl : end) - p);

		if (n > 16 && strncmp(p, "AGE-SECRET-KEY-1", 16) == 0 && n < SECRET_MAX) {
			keys.identity = vault_secret_new(n + 1);
			memcpy(keys.identity->data, p, n);
			keys.identity->data[n] = '\0';
			keys.identity->len = n;
			break;
		}
		p += n + 1;
	}
	vault_secret_free(file);
	if (keys.identity == NULL) {
		*cause = xasprintf(_("%s: no age identity (a line AGE-SECRET-KEY-1…) in the file"),
		    keys.identity_path);
		return NULL;
	}
	return (const char *)keys.identity->data;
}

/* vault's key provider: a passphrase or an identity, as the file needs. */
static int
provide(void *ctx, int need_passphrase, struct vault_age_key *k, char **cause)
{
	(void)ctx;
	k->identity = NULL;
	k->passphrase = NULL;
	if (need_passphrase)
		return (k->passphrase = passphrase(cause)) != NULL ? 0 : -1;
	if (keys.identity_path == NULL) {
		/* The vault's own key (itself encrypted to the vault's passphrase). */
		keys.vault_identity = vault_store_identity_path();
		keys.identity_path = keys.vault_identity;
	}
	if (keys.identity_path == NULL) {
		*cause = xstrdup(_("the file is encrypted to an age key: give --identity FILE (or "
		                 "set OPTOUT_IDENTITY)"));
		return -1;
	}
	return (k->identity = identity(cause)) != NULL ? 0 : -1;
}

/* Forget the keys (wiped) when the process ends. */
static void
forget(void)
{
	vault_secret_free(keys.passphrase);
	vault_secret_free(keys.identity);
	keys.passphrase = keys.identity = NULL;
	free(keys.vault_identity);
	keys.vault_identity = NULL;
}

/* Set where keys come from: options first, then the environment. */
void
cmd_keys_init(const char *identity_path, const char *passphrase_command)
{
	const char *e;

	keys.identity_path = identity_path;
	keys.passphrase_command = passphrase_command;
	if (keys.identity_path == NULL && (e = getenv("OPTOUT_IDENTITY")) != NULL && *e != '\0')
		keys.identity_path = e;
	if (keys.passphrase_command == NULL &&
	    (e = getenv("OPTOUT_PASSPHRASE_COMMAND")) != NULL && *e != '\0')
		keys.passphrase_command = e;
	vault_set_key_provider(provide, NULL);
	atexit(forget);
}

/* The passphrase for writing an encrypted file (asked twice at a terminal). */
const char *
cmd_keys_new_passphrase(char **cause)
{
	struct vault_secret *again;
	int same;

	if (keys.passphrase != NULL || keys.passphrase_command != NULL)
		return passphrase(cause);
	if ((keys.passphrase = passphrase_from_terminal("optout: new passphrase: ", cause)) == NULL)
		return NULL;
	if ((again = passphrase_from_terminal("optout: the same passphrase again: ", cause)) == NULL)
		return NULL;
	same = again->len == keys.passphrase->len &&
	    memcmp(again->data, keys.passphrase->data, again->len) == 0;
	vault_secret_free(again);
	if (!same) {
		vault_secret_free(keys.passphrase);
		keys.passphrase = NULL;
		*cause = xstrdup(_("the two passphrases differ"));
		return NULL;
	}
	return (const char *)keys.passphrase->data;
}
