/* optout shred: remove a person's data from this computer, and say what remains. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "optout/i18n.h"
#include "optout/client.h"
#include "optout/ledger.h"
#include "optout/submit.h"
#include "optout/vault.h"

static int cmd_shred_run(int argc, char **argv);

static const struct cmd_option shred_options[] = {
	{ "all", 0, NULL, N_("everything optout keeps on this computer: the vault with its key, "
	    "the ledger, the evidence and the notes") },
	CMD_OPT_LEDGER,
	{ NULL },
};

const struct command cmd_shred = {
	.name = "shred",
	.usage = "LABEL|--all [--ledger FILE]",
	.summary = "remove a person's data from this computer: vault, ledger, evidence, notes",
	.options = shred_options,
	.help =
	    "For LABEL: the profile in the vault, every request of the label in the ledger\n"
	    "(deleted with SQLite's secure delete, the write-ahead log cleared), the broker\n"
	    "replies kept as evidence, and the label's line in the label note.  It says\n"
	    "what it removed and what it cannot: packets written to folders you chose,\n"
	    "printed letters, emails in your mail program, and what the brokers hold.\n"
	    "On a solid-state disk, deleted files may survive in the disk's own spare\n"
	    "space: for people at risk, keep the data encrypted (see 'optout vault').\n",
	.operands = { CMD_ARG_TEXT },
	.run = cmd_shred_run,
};

/* Remove a file if it is there; 1 when it was removed, 0 when absent, -1 on error. */
static int
remove_file(const char *path)
{
	if (unlink(path) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	cmd_error("%s: %s", path, strerror(errno));
	return -1;
}

/* Remove the evidence files named after the references (REF.html and the like). */
static size_t
remove_evidence(char **refs, char **files)
{
	char *cause = NULL, *dir = submit_evidence_dir(&cause);
	static const char *const exts[] = { ".html", ".json", ".txt", ".eml" };
	size_t i, k, n = 0;

	free(cause);
	for (i = 0; dir != NULL && refs[i] != NULL; i++)
		for (k = 0; k < sizeof exts / sizeof *exts; k++) {
			char *p = xasprintf("%s/%s%s", dir, refs[i], exts[k]);

			n += remove_file(p) > 0;
			free(p);
		}
	for (i = 0; files[i] != NULL; i++)
		n += remove_file(files[i]) > 0;
	free(dir);
	return n;
}

/* What optout cannot remove, said plainly. */
static void
say_what_remains(void)
{
	printf(_("Not removed, because optout cannot reach them:\n"
	       "  - packets written to folders you chose (delete those folders yourself), and\n"
	       "    any copy on a USB stick or sent by email;\n"
	       "  - printed letters, and the emails in your mail program's Sent folder;\n"
	       "  - what the brokers hold: that is what the requests are for.\n"));
}

/* Shred one label. */
static int
shred_label(const char *label, const char *ledger_file)
{
	char *cause = NULL, *vpath, **refs = NULL, **files = NULL, *lpath;
	struct ledger *l = NULL;
	int removed = 0, rc = 0;
	size_t nev;

	/* The label's file in the vault; this also checks that it is a label at all. */
	if ((vpath = vault_store_path(label, &cause)) == NULL) {
		cmd_error_cause(cause);
		return EX_USAGE;
	}
	if (remove_file(vpath) > 0)
		printf(_("Removed %s's profile from the vault.\n"), label);
	free(vpath);
	lpath = ledger_file != NULL ? xstrdup(ledger_file) : ledger_default_path(&cause);
	/* A shared PostgreSQL ledger is no file: its rows go all the same. */
	if (lpath != NULL && (ledger_is_url(lpath) || access(lpath, F_OK) == 0)) {
		if ((l = ledger_open(lpath, &cause)) == NULL ||
		    ledger_forget_client(l, label, &refs, &files, &cause) != 0) {
			cmd_error_cause(cause);
			cause = NULL;
			rc = EX_SOFTWARE;
		} else {
			nev = remove_evidence(refs, files);
			size_t nrefs = strlist_len((const char **)refs);

			printf(i18n_ngettext("Removed %zu request of %s from the ledger %s.\n",
			    "Removed %zu requests of %s from the ledger %s.\n", nrefs), nrefs, label,
			    lpath);
			printf(i18n_ngettext("Removed %zu evidence file.\n",
			    "Removed %zu evidence files.\n", nev), nev);
		}
		ledger_close(l);
	}
	free(cause);
	cause = NULL;
	free(lpath);
	if (client_note_forget(label, &removed, &cause) != 0) {
		cmd_error_cause(cause);
		rc = EX_SOFTWARE;
	} else if (removed > 0)
		printf(_("Removed %s from the label note.\n"), label);
	str_list_free(refs);
	str_list_free(files);
	say_what_remains();
	return rc;
}

/* Shred everything optout keeps in its data folder (and the ledger given). */
static int
shred_all(const char *ledger_file)
{
	static const char *const names[] = { "vault", "evidence", "labels", "labels.key",
		"labels.lock", "failing-addresses.tsv" };
	char *cause = NULL, *lpath;
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof names / sizeof *names; i++) {
		char *p = data_home_path(names[i], "optout's data", &cause);

		if (p == NULL)
			break;
		if (access(p, F_OK) == 0) {
			if (unlink(p) != 0)
				remove_tree(p); /* a folder */
			if (access(p, F_OK) == 0) {
				cmd_error(_("%s: could not be removed"), p);
				rc = EX_CANTCREAT;
			} else
				printf(_("Removed %s\n"), p);
		}
		free(p);
	}
	free(cause);
	cause = NULL;
	lpath = ledger_file != NULL ? xstrdup(ledger_file) : ledger_default_path(&cause);
	if (lpath != NULL && ledger_is_url(lpath)) {
		/* A shared database holds other people's requests too: it is not this computer's. */
		cmd_error("%s", _("the shared PostgreSQL ledger is not removed by --all: shred each "
		    "label, or ask its administrator to drop the database"));
		rc = EX_UNAVAILABLE;
		free(lpath);
		lpath = NULL;
	}
	for (i = 0; lpath != NULL && i < 6; i++) {
		static const char *const sfx[] = { "", "-wal", "-shm", ".key", ".lock", "-lock" };
		char *p = xasprintf("%s%s", lpath, sfx[i]);

		if (remove_file(p) > 0)
			printf(_("Removed %s\n"), p);
		free(p);
	}
	free(lpath);
	free(cause);
	say_what_remains();
	return rc;
}

/* optout shred LABEL|--all */
static int
cmd_shred_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "ledger", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ledger_file = NULL;
	int all = 0, c;

	while ((c = cmd_getopt(&cmd_shred, argc, argv, "", longopts)) != -1) {
		switch (c) {
		case 'a': all = 1; break;
		case 'L': ledger_file = optarg; break;
		case 'h': cmd_usage(&cmd_shred, stdout); return 0;
		default: return EX_USAGE;
		}
	}
	if (all == (optind < argc) || argc - optind > 1)
		return cmd_usage_error(&cmd_shred, _("give one LABEL, or --all"));
	return all ? shred_all(ledger_file) : shred_label(argv[optind], ledger_file);
}
