/* optout ledger: copy a ledger into another (SQLite into PostgreSQL), check one. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "optout/i18n.h"
#include "optout/ledger.h"

static int cmd_ledger_run(int argc, char **argv);

static const struct cmd_word ledger_words[] = {
	{ "migrate", "--from FILE --to URL", N_("copy every request, event, email attempt, reply, "
	    "DROP filing and label fingerprint of an SQLite ledger into another ledger (a clinic's "
	    "PostgreSQL); a second run copies nothing, and the file is not changed") },
	{ "check", "[--ledger FILE|URL]", N_("check the ledger's rules: one 'planned' event per "
	    "request, nothing sent twice, states and dates that agree, no client with two open "
	    "requests of one type and basis to one broker") },
	{ NULL },
};

static const struct cmd_option ledger_options[] = {
	{ "from", 0, "FILE", N_("the ledger to copy from"), CMD_ARG_FILE, NULL, "migrate" },
	{ "to", 0, "URL", N_("the ledger to copy into (a postgresql:// URL, or a file)"),
	    CMD_ARG_TEXT, NULL, "migrate" },
	{ "ledger", 0, "FILE|URL", N_("the ledger to check (default: OPTOUT_LEDGER, else "
	    "$XDG_DATA_HOME/optout/ledger.db)"), CMD_ARG_FILE, NULL, "check" },
	{ NULL },
};

const struct command cmd_ledger = {
	.name = "ledger",
	.usage = "migrate --from FILE.db --to postgresql://... | check [--ledger FILE|URL]",
	.summary = N_("copy a ledger into a shared PostgreSQL database, or check a ledger"),
	.words_title = N_("Subcommands:"),
	.words = ledger_words,
	.options = ledger_options,
	.operands = { CMD_ARG_WORDS, CMD_ARG_NONE },
	.help = N_("The ledger is a file, or a postgresql:// URL (also from OPTOUT_LEDGER).\n"),
	.run = cmd_ledger_run,
};

/* optout ledger migrate --from FILE --to URL */
static int
ledger_migrate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *from_name = NULL, *to_name = NULL;
	struct ledger *from = NULL, *to = NULL;
	size_t copied = 0, present = 0;
	char *cause = NULL;
	int c, rc;

	while ((c = cmd_getopt(&cmd_ledger, argc, argv, "", longopts)) != -1) {
		switch (c) {
		case 'f': from_name = optarg; break;
		case 't': to_name = optarg; break;
		case 'h': cmd_usage(&cmd_ledger, stdout); return 0;
		default: return EX_USAGE;
		}
	}
	if (from_name == NULL || to_name == NULL)
		return cmd_usage_error(&cmd_ledger, _("migrate needs --from and --to"));
	if (optind < argc)
		return cmd_usage_error(&cmd_ledger, _("unexpected argument '%s'"), argv[optind]);
	if (strcmp(from_name, to_name) == 0)
		return cmd_usage_error(&cmd_ledger, _("--from and --to name the same ledger"));
	if ((rc = cmd_open_existing_ledger(from_name, &from)) != 0)
		return rc;
	if ((to = ledger_open(to_name, &cause)) == NULL) {
		cmd_error_cause(cause);
		ledger_close(from);
		return EX_UNAVAILABLE;
	}
	rc = ledger_copy(from, to, &copied, &present, &cause);
	if (rc == 0)
		rc = ledger_check(to, &cause);
	if (rc != 0) {
		cmd_error_cause(cause);
		rc = EX_DATAERR;
	} else
		printf(_("Copied %zu rows from %s into %s (%zu were there already); the copy "
		    "checks out.\n"), copied, ledger_path(from), ledger_path(to), present);
	ledger_close(from);
	ledger_close(to);
	return rc;
}

/* optout ledger check [--ledger FILE|URL] */
static int
ledger_check_cmd(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ledger", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL;
	struct ledger *l = NULL;
	char *cause = NULL;
	int c, rc;

	while ((c = cmd_getopt(&cmd_ledger, argc, argv, "", longopts)) != -1) {
		switch (c) {
		case 'L': name = optarg; break;
		case 'h': cmd_usage(&cmd_ledger, stdout); return 0;
		default: return EX_USAGE;
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_ledger, _("unexpected argument '%s'"), argv[optind]);
	if ((rc = cmd_open_existing_ledger(name, &l)) != 0)
		return rc;
	if (ledger_check(l, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		rc = EX_DATAERR;
	} else
		printf(_("%s: the ledger checks out (schema version %d).\n"), ledger_path(l),
		    ledger_schema_version(l));
	ledger_close(l);
	return rc;
}

/* optout ledger migrate|check (as brokers dispatches its subcommands) */
static int
cmd_ledger_run(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "migrate") == 0) {
		optind = 0;
		return ledger_migrate(argc - 1, argv + 1);
	}
	if (argc >= 2 && strcmp(argv[1], "check") == 0) {
		optind = 0;
		return ledger_check_cmd(argc - 1, argv + 1);
	}
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		cmd_usage(&cmd_ledger, stdout);
		return 0;
	}
	if (argc >= 2 && argv[1][0] == '-') {
		cmd_error(_("ledger: unknown option '%s'"), argv[1]);
		fprintf(stderr, _("Try 'optout ledger --help'.\n"));
		return EX_USAGE;
	}
	return cmd_usage_error(&cmd_ledger, _("expected migrate or check"));
}
