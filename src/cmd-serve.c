/* optout serve: the kiosk, a local web page for opt-out drives. */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "optout/i18n.h"
#include "optout/serve.h"

static int cmd_serve_run(int argc, char **argv);

static const struct cmd_option serve_options[] = {
	{ "port", 0, "N", N_("the port (default 8080; 0 picks a free one)"), CMD_ARG_TEXT },
	{ "listen", 0, "ADDRESS", N_("listen on this IPv4 address instead of 127.0.0.1 (other "
	    "computers on the network could then reach the page)"), CMD_ARG_TEXT },
	{ "staff", 0, NULL, N_("a clinic filing as authorized agent: the packets are written as "
	    "the agent of --agent FILE, with the authorization form to sign, and every request is "
	    "recorded in the clinic's ledger under a random label") },
	{ "agent", 0, "FILE", N_("with --staff: the clinic's agent file"), CMD_ARG_FILE },
	CMD_OPT_LEDGER,
	{ NULL },
};

const struct command cmd_serve = {
	.name = "serve",
	.usage = "[--port N] [--listen ADDRESS] [--staff --agent AGENT [--ledger FILE]]",
	.summary = N_("a local web page that walks people through their packet (opt-out drives)"),
	.options = serve_options,
	.help = N_("Open the address it prints in a browser on this computer.  Each person's\n"
		   "answers stay in memory, in their session only, and are erased when they\n"
		   "finish, press \"start over\", or after 10 minutes without activity.\n"
		   "Nothing is written to disk (with --staff, only the ledger) and nothing\n"
		   "is sent.  Stop it with Ctrl-C.\n"),
	.run = cmd_serve_run,
};

/* Say where the page is. */
static void
say_ready(const char *url, void *ctx)
{
	(void)ctx;
	printf(_("The page is ready: open %s in a browser on this computer."), url);
	printf("\n");
	fflush(stdout);
}

/* optout serve */
static int
cmd_serve_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'P' },
		{ "listen", required_argument, NULL, 'L' },
		{ "staff", no_argument, NULL, 'S' },
		{ "agent", required_argument, NULL, 'A' },
		{ "ledger", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct serve_opts o = { 0 };
	char *cause = NULL, *end;
	unsigned long port = 8080;
	int c, staff = 0;

	while ((c = cmd_getopt(&cmd_serve, argc, argv, "", longopts)) != -1) {
		switch (c) {
		case 'P':
			port = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || port > 65535)
				return cmd_usage_error(&cmd_serve, _("--port: expected a number from 0 to "
				    "65535"));
			break;
		case 'L': o.listen = optarg; break;
		case 'S': staff = 1; break;
		case 'A': o.agent_path = optarg; break;
		case 'D': o.ledger_path = optarg; break;
		case 'h': cmd_usage(&cmd_serve, stdout); return 0;
		default: return EX_USAGE;
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_serve, _("unexpected argument '%s'"), argv[optind]);
	if (staff && o.agent_path == NULL)
		return cmd_usage_error(&cmd_serve, _("--staff needs --agent FILE (the clinic's "
		    "agent details)"));
	if (!staff && (o.agent_path != NULL || o.ledger_path != NULL))
		return cmd_usage_error(&cmd_serve, _("--agent and --ledger go with --staff"));
	if (staff && ephemeral_mode())
		return cmd_usage_error(&cmd_serve, _("--staff keeps a ledger, which --ephemeral "
		    "does not allow"));
	if (o.listen != NULL) {
		struct in_addr a;

		if (inet_pton(AF_INET, o.listen, &a) != 1)
			return cmd_usage_error(&cmd_serve, _("--listen: expected an IPv4 address "
			    "such as 127.0.0.1"));
	}
	if (o.listen != NULL && strcmp(o.listen, "127.0.0.1") != 0)
		cmd_error(_("warning: listening on %s: other computers on that network can reach "
		    "this page and the data people type into it."), o.listen);
	o.port = (unsigned)port;
	o.ready = say_ready;
	switch (serve_run(&o, &cause)) {
	case SERVE_OK:
		return 0;
	case SERVE_BAD_DATA:
		cmd_error_cause(cause);
		return EX_DATAERR;
	case SERVE_CANNOT_LISTEN:
	case SERVE_UNAVAILABLE:
		cmd_error_cause(cause);
		return EX_UNAVAILABLE;
	}
	return EX_SOFTWARE;
}
