/* optout help [COMMAND]: the command list or one command's help. */
#include "config.h"

#include "cmd.h"
#include "optout/i18n.h"

void main_usage(FILE *f);

static int cmd_help_run(int argc, char **argv);

const struct command cmd_help = {
	.name = "help",
	.usage = "[COMMAND]",
	.summary = N_("show the commands, or the help of one command"),
	.operands = { CMD_ARG_COMMAND },
	.run = cmd_help_run,
};

/* Print the overview, or one command's usage. */
static int
cmd_help_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct command *cmd;
	int c;

	while ((c = cmd_getopt(&cmd_help, argc, argv, "", longopts)) != -1) {
		if (c == 'h') {
			cmd_usage(&cmd_help, stdout);
			return 0;
		}
		return EX_USAGE;
	}
	if (argc - optind > 1)
		return cmd_usage_error(&cmd_help, _("too many arguments"));
	if (optind >= argc) {
		main_usage(stdout);
		return 0;
	}
	cmd = cmd_find(argv[optind]);
	if (cmd == NULL) {
		cmd_error(_("unknown command '%s'"), argv[optind]);
		fprintf(stderr, _("Try 'optout --help'.\n"));
		return EX_USAGE;
	}
	cmd_usage(cmd, stdout);
	return 0;
}
