/*
 * settings: optout's config file, $XDG_CONFIG_HOME/optout/config (else
 * ~/.config/optout/config), read by one parser for everything it holds:
 *
 *     # lines starting with # are comments
 *     ledger = postgresql://intake@db.clinic.example/clinic?sslmode=verify-full
 *
 *     [account clinic]
 *     host = smtp.example.org
 *     ...
 *
 * Keys before the first section belong to the file itself (only `ledger`,
 * the ledger every command uses unless --ledger or OPTOUT_LEDGER names
 * another); each [account NAME] section is a mail account (mail-smtp.h).
 */
#ifndef OPTOUT_SETTINGS_H
#define OPTOUT_SETTINGS_H

/* The config file's path (allocated), or NULL with *cause when no home is known. */
char *settings_path(char **cause);

/*
 * Called for each line that matters: at the start of an [account NAME]
 * section with key and value NULL; for key = value with the section's
 * account (NULL before any section).  `where` is "FILE:LINE" for errors.
 * Return 0, or -1 with *cause set to stop.
 */
typedef int (*settings_fn)(void *ctx, const char *account, const char *key, const char *value,
    const char *where, char **cause);

/* Read a config file through fn: 0, or -1 with *cause naming the file and line. */
int settings_parse(const char *path, settings_fn fn, void *ctx, char **cause);

/*
 * The error for a key before any section other than the file's own
 * (ledger); or 0 when the key is one of them.
 */
int settings_check_top(const char *key, const char *where, char **cause);

/*
 * The ledger the config file names (allocated) into *ledger, or NULL when
 * there is no config file or it names none.  -1 with *cause for a file
 * that cannot be read or a bad `ledger` line.
 */
int settings_ledger(const char *path, char **ledger, char **cause);

#endif
