/* optout vault: keep profiles in one encrypted store (age), by label. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "optout/i18n.h"
#include "optout/vault.h"

static int cmd_vault_run(int argc, char **argv);

static const struct cmd_word vault_words[] = {
	{ "init", NULL, N_("create the store and choose its passphrase") },
	{ "add", "PROFILE", N_("encrypt a profile (plain or age-encrypted) into the store under "
	    "its label; needs no passphrase") },
	{ "list", NULL, N_("the labels in the store") },
	{ "show", "LABEL", N_("print a profile (asks for the passphrase)") },
	{ "export", "LABEL", N_("write a profile to -o FILE: plain (0600), or encrypted with "
	    "--encrypt-to age1... or --encrypt-passphrase") },
	{ "remove", "LABEL", N_("delete a profile from the store") },
	{ NULL },
};

static const struct cmd_option vault_options[] = {
	{ "replace", 0, NULL, N_("replace a profile already in the store"), CMD_ARG_NONE, NULL,
	    "add" },
	{ "output", 'o', "FILE", N_("where to write"), CMD_ARG_FILE, NULL, "export" },
	{ "encrypt-to", 0, "R", N_("encrypt to an age recipient"), CMD_ARG_TEXT, NULL, "export" },
	{ "encrypt-passphrase", 0, NULL, N_("encrypt to a passphrase (asked twice)"),
	    CMD_ARG_NONE, NULL, "export" },
	{ NULL },
};

const struct command cmd_vault = {
	.name = "vault",
	.usage = "init | add PROFILE... [--replace] | list | show LABEL | "
		 "export LABEL -o FILE [--encrypt-to RECIPIENT|--encrypt-passphrase] | remove LABEL",
	.summary = "keep profiles encrypted in one store, by label",
	.words_title = N_("Subcommands:"),
	.words = vault_words,
	.options = vault_options,
	.operands = { CMD_ARG_WORDS, CMD_ARG_FILE },
	.help =
	    "Every command that takes -p accepts a label in the store instead of a file.\n"
	    "The store is $XDG_DATA_HOME/optout/vault/; its files name labels only.\n",
	.run = cmd_vault_run,
};

/* Print a module's cause and give the exit status for bad data. */
static int
fail(char *cause)
{
	cmd_error_cause(cause);
	return EX_DATAERR;
}

/* vault init: a new key, its secret encrypted to a new passphrase. */
static int
vault_init_store(void)
{
	char *cause = NULL, *dir;
	const char *pass = cmd_keys_new_passphrase(&cause);

	if (pass == NULL)
		return fail(cause);
	if (vault_store_init(pass, &cause) != 0)
		return fail(cause);
	dir = vault_store_dir(&cause);
	printf(_("Created the vault in %s.\n"
	       "Keep the passphrase safe: without it nothing in the vault can be read.\n"),
	    dir != NULL ? dir : "?");
	free(dir);
	free(cause);
	return 0;
}

/* vault add: check each profile, then encrypt its bytes to the store under its label. */
static int
vault_add(char **files, int n, int replace)
{
	int i, rc = 0;

	for (i = 0; i < n; i++) {
		char *cause = NULL;
		struct profile *p = profile_load(files[i], data_dir(), &cause);
		struct vault_secret *raw;

		if (p == NULL) {
			rc = fail(cause);
			continue;
		}
		if (p->label == NULL) {
			cmd_error(_("%s: label: the vault keeps profiles by label; add a \"label\" that "
			    "is not your name (e.g. \"my-profile\")"), files[i]);
			profile_free(p);
			rc = EX_DATAERR;
			continue;
		}
		if ((raw = vault_read_file(files[i], (size_t)1 << 20, &cause)) == NULL ||
		    vault_store_add(p->label, raw->data, raw->len, replace, &cause) != 0)
			rc = fail(cause);
		else
			printf(_("Added %s. The file %s is still there: delete it if the vault copy is "
			       "all you need.\n"), p->label, files[i]);
		vault_secret_free(raw);
		profile_free(p);
	}
	return rc;
}

/* Decrypt a label's profile with the store's key. */
static struct vault_secret *
open_label(const char *label, char **cause)
{
	char *path = vault_store_path(label, cause);
	struct vault_secret *s;

	if (path == NULL)
		return NULL;
	if (access(path, F_OK) != 0) {
		*cause = xasprintf(_("the vault holds no %s ('optout vault list' shows what it holds)"),
		    label);
		free(path);
		return NULL;
	}
	s = vault_read_file(path, (size_t)1 << 20, cause);
	free(path);
	return s;
}

/* vault export: plain (0600) or encrypted again. */
static int
vault_export(const char *label, const char *out, const char *to, int with_pass)
{
	char *cause = NULL;
	struct vault_secret *s = open_label(label, &cause);
	struct buf enc;
	int rc;

	if (s == NULL)
		return fail(cause);
	if (to == NULL && !with_pass) {
		rc = write_file_atomic(out, s->data, s->len, 0600, &cause);
	} else {
		const char *pass = with_pass ? cmd_keys_new_passphrase(&cause) : NULL;

		buf_init(&enc);
		rc = (with_pass && pass == NULL) ||
		    vault_age_encrypt(s->data, s->len, to != NULL ? &to : NULL, to != NULL ? 1 : 0,
			pass, &enc, &cause) != 0 ||
		    write_file_atomic(out, enc.data, enc.len, 0600, &cause) != 0 ? -1 : 0;
		buf_free(&enc);
	}
	vault_secret_free(s);
	if (rc != 0) {
		cmd_error_cause(cause);
		return EX_CANTCREAT;
	}
	return 0;
}

/* optout vault SUBCOMMAND ... */
static int
cmd_vault_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "replace", no_argument, NULL, 'R' },
		{ "output", required_argument, NULL, 'o' },
		{ "encrypt-to", required_argument, NULL, 't' },
		{ "encrypt-passphrase", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *to = NULL, *sub;
	int c, replace = 0, with_pass = 0, nargs;
	char *cause = NULL;

	while ((c = cmd_getopt(&cmd_vault, argc, argv, "o:", longopts)) != -1) {
		switch (c) {
		case 'h':
			cmd_usage(&cmd_vault, stdout);
			return 0;
		case 'R':
			replace = 1;
			break;
		case 'o':
			out = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'P':
			with_pass = 1;
			break;
		default:
			return EX_USAGE;
		}
	}
	if (optind >= argc)
		return cmd_usage_error(&cmd_vault, _("which: init, add, list, show, export or remove?"));
	sub = argv[optind];
	nargs = argc - optind - 1;
	if (strcmp(sub, "init") == 0 && nargs == 0)
		return vault_init_store();
	if (strcmp(sub, "add") == 0 && nargs > 0)
		return vault_add(argv + optind + 1, nargs, replace);
	if (strcmp(sub, "list") == 0 && nargs == 0) {
		char **labels = vault_store_list(&cause);
		size_t i;

		if (labels == NULL)
			return fail(cause);
		for (i = 0; labels[i] != NULL; i++)
			printf("%s\n", labels[i]);
		str_list_free(labels);
		return 0;
	}
	if (strcmp(sub, "show") == 0 && nargs == 1) {
		struct vault_secret *s = open_label(argv[optind + 1], &cause);

		if (s == NULL)
			return fail(cause);
		fwrite(s->data, 1, s->len, stdout);
		vault_secret_free(s);
		return 0;
	}
	if (strcmp(sub, "export") == 0 && nargs == 1) {
		if (out == NULL)
			return cmd_usage_error(&cmd_vault, _("export needs -o FILE"));
		if (to != NULL && with_pass)
			return cmd_usage_error(&cmd_vault,
			    _("--encrypt-to and --encrypt-passphrase cannot go together"));
		return vault_export(argv[optind + 1], out, to, with_pass);
	}
	if (strcmp(sub, "remove") == 0 && nargs == 1) {
		if (vault_store_remove(argv[optind + 1], &cause) != 0)
			return fail(cause);
		printf(_("Removed %s from the vault.\n"), argv[optind + 1]);
		return 0;
	}
	return cmd_usage_error(&cmd_vault, i18n_ngettext("'%s' with %d argument is not a vault command",
	    "'%s' with %d arguments is not a vault command", (unsigned long)nargs), sub, nargs);
}
