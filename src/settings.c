/* settings: the config file's one parser, and the ledger it names. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "optout/i18n.h"
#include "optout/ledger.h"
#include "optout/settings.h"
#include "optout/util.h"

#define SETTINGS_MAX ((size_t)64 << 10)

/* The config file's path. */
char *
settings_path(char **cause)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg != NULL && *xdg == '/')
		return xasprintf("%s/optout/config", xdg);
	if (home != NULL && *home == '/')
		return xasprintf("%s/.config/optout/config", home);
	*cause = xstrdup("cannot find the config file: neither XDG_CONFIG_HOME nor HOME is set");
	return NULL;
}

/* Trim spaces at both ends, in place. */
static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Read the file line by line, handing sections and keys to fn. */
int
settings_parse(const char *path, settings_fn fn, void *ctx, char **cause)
{
	char *data, *line, *next, *where = NULL, *account = NULL;
	size_t len;
	int lineno = 0, rc = -1;

	if (read_file(path, SETTINGS_MAX, &data, &len, cause) != 0)
		return -1;
	for (line = data; line != NULL; line = next) {
		char *eq, *t;

		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		t = trim(line);
		if (*t == '\0' || *t == '#')
			continue;
		free(where);
		where = xasprintf("%s:%d", path, lineno);
		if (*t == '[') {
			char *end = strchr(t, ']');

			if (end == NULL || end[1] != '\0' || strncmp(t, "[account ", 9) != 0) {
				*cause = xasprintf(_("%s: expected a section such as [account clinic]"), where);
				goto out;
			}
			*end = '\0';
			free(account);
			account = xstrdup(trim(t + 9));
			if (fn(ctx, account, NULL, NULL, where, cause) != 0)
				goto out;
			continue;
		}
		if ((eq = strchr(t, '=')) == NULL) {
			*cause = xasprintf(_("%s: expected key = value"), where);
			goto out;
		}
		*eq = '\0';
		if (fn(ctx, account, trim(t), trim(eq + 1), where, cause) != 0)
			goto out;
	}
	rc = 0;
out:
	free(where);
	free(account);
	free(data);
	return rc;
}

/* Keys before any section: the file's own, or an account's key out of place. */
int
settings_check_top(const char *key, const char *where, char **cause)
{
	if (strcmp(key, "ledger") == 0)
		return 0;
	*cause = xasprintf(_("%s: '%s' comes before any [account NAME] section (the only key "
	    "before one is ledger)"), where, key);
	return -1;
}

/* Whether a postgresql:// URL carries a password (user:password@, or password=). */
static int
url_has_password(const char *url)
{
	const char *p = strstr(url, "://"), *end, *at, *colon;

	if (p == NULL)
		return 0;
	p += 3;
	end = p + strcspn(p, "/?");
	at = memchr(p, '@', (size_t)(end - p));
	colon = memchr(p, ':', (size_t)(end - p));
	if (at != NULL && colon != NULL && colon < at)
		return 1;
	return strstr(url, "password=") != NULL;
}

/* Take the file's ledger line. */
static int
ledger_line(void *ctx, const char *account, const char *key, const char *value,
    const char *where, char **cause)
{
	char **ledger = ctx;

	if (account != NULL || key == NULL)
		return 0;
	if (settings_check_top(key, where, cause) != 0)
		return -1;
	if (*ledger != NULL) {
		*cause = xasprintf(_("%s: ledger: given twice"), where);
		return -1;
	}
	if (!ledger_is_url(value) && value[0] != '/') {
		*cause = xasprintf(_("%s: ledger: expected a postgresql:// URL or a file's absolute "
		    "path"), where);
		return -1;
	}
	if (ledger_is_url(value) && url_has_password(value)) {
		*cause = xasprintf(_("%s: ledger: a password is not kept in this file: put it in "
		    "~/.pgpass"), where);
		return -1;
	}
	*ledger = xstrdup(value);
	return 0;
}

/* The ledger the config file names. */
int
settings_ledger(const char *path, char **ledger, char **cause)
{
	*ledger = NULL;
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 0;
	if (settings_parse(path, ledger_line, ledger, cause) != 0) {
		free(*ledger);
		*ledger = NULL;
		return -1;
	}
	return 0;
}
