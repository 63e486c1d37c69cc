/* optout evidence: one PDF with the record of a request (or a client's requests) and its letters. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "optout/i18n.h"
#include "optout/submit.h"
#include "optout/batch.h"
#include "optout/evidence.h"
#include "optout/ledger.h"
#include "optout/letter.h"
#include "optout/profile.h"

static int cmd_evidence_run(int argc, char **argv);

static const struct cmd_option evidence_options[] = {
	{ "client", 0, "LABEL", N_("every request of this client, instead of one"), CMD_ARG_TEXT },
	{ "output", 'o', "FILE", N_("the PDF to write (0600)"), CMD_ARG_FILE },
	{ "profile", 'p', "FILE", N_("the person, so the request letters are reproduced"),
	    CMD_ARG_FILE },
	{ "clients", 'c', "FILE", N_("or a client list (CSV or JSON), matched by label"),
	    CMD_ARG_FILE },
	{ "agent", 0, "FILE", N_("the letters were written as the authorized agent"),
	    CMD_ARG_FILE },
	CMD_OPT_LEDGER,
	{ NULL },
};

const struct command cmd_evidence = {
	.name = "evidence",
	.usage = "(REFERENCE | --client LABEL) -o FILE.pdf [-p PROFILE | -c CLIENTS] "
		 "[--agent AGENT] [--ledger FILE]",
	.summary = "write the record of a request or a client's requests as one PDF",
	.options = evidence_options,
	.operands = { CMD_ARG_REF },
	.help =
	    "The record lists, for each request, the business, the law, the channel, the\n"
	    "day its clock ran from, the due dates, every event with its date, channel,\n"
	    "tracking number or Message-ID, the broker's own words when it refused, and\n"
	    "the reply its web form returned ('optout submit' keeps it).  The request\n"
	    "letters follow, re-created from the ledger and the person's details; the\n"
	    "copies sent stay in the packet folder.  Your own notes never appear.\n",
	.run = cmd_evidence_run,
};


/* Where 'optout submit' keeps the replies of web forms, or NULL. */
static char *
replies_dir(void)
{
	char *cause = NULL, *dir = submit_evidence_dir(&cause);

	free(cause);
	return dir;
}

/* The exit status for an evidence status. */
static int
exit_of(enum evidence_status st)
{
	switch (st) {
	case EV_OK:
		return 0;
	case EV_NOT_FOUND:
		return EX_NOINPUT;
	case EV_ERROR:
	default:
		return EX_SOFTWARE;
	}
}

/* optout evidence */
static int
cmd_evidence_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "client", required_argument, NULL, 'C' },
		{ "output", required_argument, NULL, 'o' },
		{ "profile", required_argument, NULL, 'p' },
		{ "clients", required_argument, NULL, 'c' },
		{ "agent", required_argument, NULL, 'A' },
		{ "ledger", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *profile = NULL, *clients = NULL, *agent = NULL;
	const char *ledger_file = NULL, *client = NULL, *ref = NULL;
	struct cmd_people col = { NULL, 0 };
	struct evidence_opts o = { 0 };
	struct cmd_inputs in;
	enum evidence_status st;
	unsigned char *pdf = NULL;
	size_t len = 0, nreq = 0, nlet = 0;
	char *cause = NULL, *rdir = NULL;
	int c, rc = 0;

	while ((c = cmd_getopt(&cmd_evidence, argc, argv, "o:p:c:", longopts)) != -1) {
		switch (c) {
		case 'C': client = optarg; break;
		case 'o': out = optarg; break;
		case 'p': profile = optarg; break;
		case 'c': clients = optarg; break;
		case 'A': agent = optarg; break;
		case 'L': ledger_file = optarg; break;
		case 'h': cmd_usage(&cmd_evidence, stdout); return 0;
		default: return EX_USAGE;
		}
	}
	if (optind < argc)
		ref = argv[optind++];
	if (optind < argc)
		return cmd_usage_error(&cmd_evidence, _("unexpected argument '%s'"), argv[optind]);
	if ((ref == NULL) == (client == NULL))
		return cmd_usage_error(&cmd_evidence, _("give either a request REFERENCE or --client "
		    "LABEL"));
	if (client != NULL && *client == '\0')
		return cmd_usage_error(&cmd_evidence, _("--client needs a label"));
	if (out == NULL)
		return cmd_usage_error(&cmd_evidence, _("-o FILE.pdf is required"));
	if (profile != NULL && clients != NULL)
		return cmd_usage_error(&cmd_evidence, _("give -p PROFILE or -c CLIENTS, not both"));
	if (clients != NULL && access(clients, R_OK) != 0) {
		cmd_error(_("%s: cannot read the client list"), clients);
		return EX_NOINPUT;
	}
	if ((rc = cmd_load_inputs(profile, agent, &in)) != 0)
		return rc;
	if (in.profile != NULL) {
		cmd_people_add(&col, in.profile);
		in.profile = NULL; /* now owned by col */
	} else if (clients != NULL) {
		if ((rc = cmd_people_from_list(&col, clients)) != 0)
			goto done;
	}
	if ((rc = cmd_open_existing_ledger(ledger_file, &o.ledger)) != 0)
		goto done;
	rdir = replies_dir();
	o.reg = in.reg;
	o.laws = in.laws;
	o.agent = in.agent;
	o.profiles = col.list;
	o.nprofiles = col.n;
	o.reference = ref;
	o.client = client;
	o.replies_dir = rdir;
	o.today = date_today();
	o.letters = letters_open(data_dir());
	st = evidence_pdf(&o, &pdf, &len, &nreq, &nlet, &cause);
	letters_close(o.letters);
	if (st != EV_OK) {
		cmd_error_cause(cause);
		rc = exit_of(st);
		goto done;
	}
	if (write_file_atomic(out, pdf, len, 0600, &cause) != 0) {
		cmd_error_cause(cause);
		rc = EX_CANTCREAT;
		goto done;
	}
	/* Two counts: say each in its own sentence so each gets its plural form. */
	printf(i18n_ngettext("wrote %s: the record of %zu request.\n",
	    "wrote %s: the record of %zu requests.\n", nreq), out, nreq);
	printf(i18n_ngettext("%zu letter reproduced.\n", "%zu letters reproduced.\n", nlet), nlet);
	if (nlet < nreq)
		printf(_("Letters are reproduced only for people whose details were given (-p or -c).\n"));
done:
	free(pdf);
	free(rdir);
	ledger_close(o.ledger);
	cmd_people_free(&col);
	cmd_inputs_free(&in);
	return rc;
}
