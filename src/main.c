/* optout: global options and dispatch through the command table. */
#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "optout/http.h"
#include "optout/util.h"
#include "optout/vault.h"
#include "optout/i18n.h"

void main_usage(FILE *f);

/* Print the overview: usage, commands, exit statuses. */
void
main_usage(FILE *f)
{
	size_t i;

	fputs(_("Usage: optout [--version] [--help] [--ephemeral] [--identity FILE]\n"
		"              [--passphrase-command CMD] COMMAND [ARGS]\n\n"
		"Write and send personal-data requests (opt-out, deletion, access,\n"
		"correction) to data brokers.\n\n"
		"Commands:\n"), f);
	for (i = 0; commands[i] != NULL; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, _(commands[i]->summary));
	fprintf(f, "\n%s\n", _("Options:"));
	cmd_print_options(cmd_global_options, NULL, 2, 0, f);
	fputs(_("\n'optout help COMMAND' or 'optout COMMAND --help' shows a command's options.\n"
		"'optout completion bash|zsh|fish' prints the shell completions; 'man optout' is\n"
		"the manual.\n\n"
		"Exit status: 0 success, 64 usage error, 65 bad input data, 66 input file\n"
		"missing, 69 service unavailable, 70 internal error, 73 cannot create output,\n"
		"75 temporary failure (try again).\n"), f);
}

/* Parse global options, find the command and run it. */
int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "identity", required_argument, NULL, 'I' },
		{ "passphrase-command", required_argument, NULL, 'P' },
		{ "ephemeral", no_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 },
	};
	const struct command *cmd;
	const char *identity = NULL, *passcmd = NULL;
	int c, rc;

	heap_keep();
	process_protect();
	/* Messages follow the locale; numbers in PDFs and JSON keep the C decimal point. */
	i18n_setlocale();
	setlocale(LC_NUMERIC, "C");
	i18n_init();
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'I':
			identity = optarg;
			break;
		case 'P':
			passcmd = optarg;
			break;
		case 'E':
			/* In the environment, so every module (and any child) sees it. */
			setenv("OPTOUT_EPHEMERAL", "1", 1);
			break;
		case 'h':
			main_usage(stdout);
			return 0;
		case 'V':
			printf("optout %s\n", PACKAGE_VERSION);
			return 0;
		default:
			cmd_error(_("unknown option '%s'"), argv[optind - 1]);
			fputs(_("Try 'optout --help'.\n"), stderr);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		main_usage(stderr);
		return EX_USAGE;
	}
	cmd = cmd_find(argv[optind]);
	if (cmd == NULL) {
		const char *like = cmd_suggest(argv[optind]);

		if (like != NULL)
			cmd_error(_("unknown command '%s'. Did you mean '%s'?"), argv[optind], like);
		else
			cmd_error(_("unknown command '%s'"), argv[optind]);
		fputs(_("Try 'optout --help'.\n"), stderr);
		return EX_USAGE;
	}
	argc -= optind;
	argv += optind;
	optind = 0; /* reset getopt for the command (GNU: 0 re-initialises) */
	/*
	 * libsodium is set up once for the process, before any command runs;
	 * libcurl only when a command opens its first HTTP session.
	 */
	{
		char *cause = NULL;

		if (vault_init(&cause) != 0) {
			cmd_error_cause(cause);
			return EX_SOFTWARE;
		}
	}
	cmd_keys_init(identity, passcmd);
	rc = cmd->run(argc, argv);
	http_global_cleanup();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cmd_error(_("cannot write output"));
		return rc ? rc : EX_IOERR;
	}
	return rc;
}
