/* optout followup: follow-up letters and complaints for overdue or denied requests. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "optout/i18n.h"
#include "optout/batch.h"
#include "optout/followup.h"
#include "optout/ledger.h"
#include "optout/letter.h"
#include "optout/vault.h"

static int cmd_followup_run(int argc, char **argv);

const struct command cmd_followup = {
	.name = "followup",
	.usage = "[--overdue] -o DIR (-p PROFILE | -c CLIENTS) [--agent AGENT] [--grace DAYS] "
		 "[--ledger FILE]",
	.summary = "write follow-ups for overdue requests, appeals of refusals, and complaints",
	.help =
	    "Options:\n"
	    "      --overdue          only overdue requests (leave denied ones alone)\n"
	    "  -o, --output DIR       where to write DIR/<client>/followup-<ref>.pdf,\n"
	    "                         appeal-<ref>.pdf and complaint-<ref>.pdf\n"
	    "  -p, --profile FILE     the person whose requests to follow up\n"
	    "  -c, --clients FILE     or a client list (CSV or JSON), matched by label\n"
	    "      --agent FILE       write as the authorized agent\n"
	    "      --grace DAYS       days after a follow-up before a complaint (default 14)\n"
	    "      --ledger FILE      the ledger (default: $XDG_DATA_HOME/optout/ledger.db)\n"
	    "An overdue request gets a follow-up letter citing the deadline and the statute,\n"
	    "counted from the broker's receipt ('optout mark REF delivered', else the mailing\n"
	    "day plus the mail-transit allowance).  One still unanswered DAYS after that gets\n"
	    "a complaint.  A refusal gets an appeal to the business first where the law gives\n"
	    "one, and a complaint once the appeal's window has passed.  A complaint goes to\n"
	    "the one regulator on file for the person's residence and the law (letters/\n"
	    "laws.json \"regulators\"), with its address or online form.  Each letter is\n"
	    "written once: the ledger records it.  Courtesy requests have no regulator.\n",
	.run = cmd_followup_run,
};


/* optout followup */
static int
cmd_followup_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "overdue", no_argument, NULL, 'O' },
		{ "output", required_argument, NULL, 'o' },
		{ "profile", required_argument, NULL, 'p' },
		{ "clients", required_argument, NULL, 'c' },
		{ "agent", required_argument, NULL, 'A' },
		{ "grace", required_argument, NULL, 'g' },
		{ "ledger", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *outdir = NULL, *profile = NULL, *clients = NULL, *agent = NULL;
	const char *ledger_file = NULL;
	int overdue = 0, grace = 14, c, rc = 0;
	struct cmd_people col = { NULL, 0 };
	struct followup_opts o = { 0 };
	struct followup_summary s = { 0 };
	struct cmd_inputs in;
	char *cause = NULL, *end;
	size_t i, recovered = 0;
	int deferred = 0;

	while ((c = cmd_getopt(&cmd_followup, argc, argv, "o:p:c:", longopts)) != -1) {
		switch (c) {
		case 'O': overdue = 1; break;
		case 'o': outdir = optarg; break;
		case 'p': profile = optarg; break;
		case 'c': clients = optarg; break;
		case 'A': agent = optarg; break;
		case 'L': ledger_file = optarg; break;
		case 'g':
			grace = (int)strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || grace < 0 || grace > 365)
				return cmd_usage_error(&cmd_followup, _("--grace: '%s' is not a number of "
				    "days from 0 to 365"), optarg);
			break;
		case 'h': cmd_usage(&cmd_followup, stdout); return 0;
		default: return EX_USAGE;
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_followup, _("unexpected argument '%s'"), argv[optind]);
	if (outdir == NULL)
		return cmd_usage_error(&cmd_followup, _("-o DIR is required"));
	if ((profile == NULL) == (clients == NULL))
		return cmd_usage_error(&cmd_followup, _("give the people's details with either -p "
		    "PROFILE or -c CLIENTS (the ledger holds only their labels)"));
	if (clients != NULL && access(clients, R_OK) != 0) {
		cmd_error(_("%s: cannot read the client list"), clients);
		return EX_NOINPUT;
	}
	if (vault_init(&cause) != 0) {
		cmd_error_cause(cause);
		return EX_SOFTWARE;
	}
	if ((rc = cmd_load_inputs(profile, agent, &in)) != 0)
		return rc;
	if (in.profile != NULL) {
		/* The ledger knows the person by label: the note's, when the profile has none. */
		if ((rc = cmd_profile_label(in.profile, profile, ledger_file != NULL, stdout)) != 0)
			goto out;
		cmd_people_add(&col, in.profile);
		in.profile = NULL; /* now owned by col */
	} else {
		if ((rc = cmd_people_from_list(&col, clients)) != 0)
			goto out;
	}
	if ((o.ledger = ledger_open(ledger_file, &cause)) == NULL) {
		cmd_error_cause(cause);
		rc = EX_NOINPUT;
		goto out;
	}
	if (profile != NULL && (rc = cmd_claim_label(o.ledger, col.list[0], profile)) != 0)
		goto out;
	if (ledger_recover(o.ledger, &recovered, &deferred, &cause) != 0) {
		cmd_error_cause(cause);
		rc = EX_SOFTWARE;
		goto out;
	}
	o.reg = in.reg;
	o.laws = in.laws;
	o.agent = in.agent;
	o.profiles = col.list;
	o.nprofiles = col.n;
	o.outdir = outdir;
	o.today = date_today();
	o.overdue_only = overdue;
	o.grace_days = grace;
	o.letters = letters_open(data_dir());
	rc = followup_run(&o, &s, &cause);
	letters_close(o.letters);
	if (rc != 0) {
		cmd_error_cause(cause);
		rc = EX_SOFTWARE;
		goto out;
	}
	for (i = 0; i < s.nwritten; i++)
		printf(_("wrote %s/%s\n"), outdir, s.written[i]);
	printf(_("%zu follow-up letters, %zu appeals and %zu complaints written"), s.followups,
	    s.appeals, s.complaints);
	if (s.waiting > 0)
		printf(_("; %zu followed up, waiting out the %d days before a complaint"), s.waiting,
		    grace);
	if (s.waiting_appeal > 0)
		printf(_("; %zu appealed, waiting for the business's answer before a complaint"),
		    s.waiting_appeal);
	printf(".\n");
	if (s.no_profile > 0)
		printf(_("%zu requests belong to clients whose details were not given (-p or -c).\n"),
		    s.no_profile);
	if (s.no_regulator > 0)
		printf(_("%zu requests stand on no statute with a regulator (courtesy requests): "
		       "there is no one to complain to; consider your state attorney general's "
		       "consumer protection office.\n"), s.no_regulator);
	if (s.no_regulator_address > 0)
		printf(_("%zu requests need a complaint, but no regulator with a confirmed address or "
		       "complaint form is on file for the person's residence and law "
		       "(letters/laws.json \"regulators\"): find the authority and file "
		       "directly.\n"), s.no_regulator_address);
	if (s.nwritten > 0)
		printf(_("Sign and send each letter, then keep a copy with the original request.\n"));
	followup_summary_free(&s);
out:
	ledger_close(o.ledger);
	cmd_people_free(&col);
	cmd_inputs_free(&in);
	return rc;
}
