/* optout packet and optout demo: write the request packet, the main job. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "optout/i18n.h"
#include "optout/ledger.h"
#include "optout/letter.h"
#include "optout/packet.h"
#include "optout/plan.h"

static int cmd_packet_run(int argc, char **argv);
static int cmd_demo_run(int argc, char **argv);

static const struct cmd_option packet_options[] = {
	{ "profile", 'p', "FILE", N_("the person's profile (JSON)"), CMD_ARG_FILE },
	CMD_OPT_SCOPE,
	CMD_OPT_REQUESTS,
	{ "output", 'o', "DIR", N_("a new (or empty) folder for the packet"), CMD_ARG_DIR },
	{ "disclose", 0, "F,...", N_("allow sensitive fields where a procedure requires them"),
	    CMD_ARG_TEXT },
	{ "agent", 0, "FILE", N_("write as an authorized agent filing for the person"),
	    CMD_ARG_FILE },
	{ "duplex", 0, NULL, N_("print-all.pdf: each letter starts on a new sheet") },
	{ "lang", 0, "LANG", N_("the person's pages (cover, sheets, authorization) in this "
	    "language, e.g. es (default: the profile's language)"), CMD_ARG_WORDS, "en es" },
	{ "ledger", 0, "FILE", N_("record the requests here (default: "
	    "$XDG_DATA_HOME/optout/ledger.db)"), CMD_ARG_FILE },
	{ "no-ledger", 0, NULL, N_("record nothing (a shared computer: leave nothing behind)") },
	CMD_OPT_CORRECTION,
	{ "encrypt-to", 0, "R", N_("write the packet as one encrypted archive, packet.tar.age, for "
	    "the age recipient R (age1...; repeat for several); nothing is written in plain text"),
	    CMD_ARG_TEXT },
	{ "encrypt-passphrase", 0, NULL, N_("the same, encrypted to a passphrase (asked twice)") },
	{ NULL },
};

const struct command cmd_packet = {
	.name = "packet",
	.usage = "-p PROFILE [-b ID,...|--scope S|--all] [-r TYPE,...] -o DIR [--disclose F,...] "
		 "[--agent AGENT] [--duplex] [--ledger FILE|--no-ledger] "
		 "[--lang LANG] [--encrypt-to RECIPIENT|--encrypt-passphrase]",
	.summary = N_("write everything needed to file with every broker in scope (the main job)"),
	.options = packet_options,
	.help =
	    N_("The packet holds letters/ (PDF letters to print and mail), emails/ (.eml and\n"
	    ".txt), web/ and phone/ (sheets with the page or number and the exact values),\n"
	    "cover.pdf (what was requested from whom, under which law, by when),\n"
	    "print-all.pdf (every letter in one file) and packet.json.  Nothing is sent.\n"),
	.run = cmd_packet_run,
};

static const struct cmd_option demo_options[] = {
	{ "output", 'o', "DIR", N_("where to write it (default: optout-demo)"), CMD_ARG_DIR },
	{ NULL },
};

const struct command cmd_demo = {
	.name = "demo",
	.usage = "[-o DIR]",
	.summary = N_("write the packet for the bundled fictional example person"),
	.options = demo_options,
	.help =
	    N_("Runs 'optout packet' (the curated brokers, its default scope) for\n"
	    "letters/examples/profile.json, a fictional Los Angeles resident, without\n"
	    "disclosing any sensitive identifier.  An earlier demo packet in DIR is\n"
	    "replaced; any other non-empty folder is left alone.\n"),
	.run = cmd_demo_run,
};

/* How the person's pages are written: their language, and sealed or not. */
struct packet_form {
	const char *lang;  /* --lang (NULL: the profile's) */
	const char *to[16]; /* --encrypt-to recipients: a few keys */
	size_t nto;
	int passphrase;    /* --encrypt-passphrase */
};

/* Write a packet (recording its requests first) and print what it holds. */
static int
run_packet(const char *profile, const char *agent, const char *brokers, const char *scope,
    const char *requests, const char *disclose, const struct correction *corr, const char *outdir,
    int duplex, int replace, const char *ledger_file, int use_ledger, const struct packet_form *form)
{
	struct packet_opts o = { 0 };
	struct packet_summary sum;
	struct cmd_job job;
	struct ledger *l = NULL;
	char *cause = NULL;
	size_t i;
	int rc;
	int pst;

	if ((rc = cmd_job_start(&cmd_packet, profile, agent, brokers, scope, requests, disclose,
	    &job)) != 0)
		return rc;
	o.laws = job.in.laws;
	o.profile = job.in.profile;
	o.agent = job.in.agent;
	o.brokers = job.brokers;
	o.nbrokers = job.nbrokers;
	o.requests = job.requests;
	o.nrequests = job.nrequests;
	o.disclose = (const char **)job.consent;
	o.today = date_today();
	o.outdir = outdir;
	o.duplex = duplex;
	o.replace = replace;
	o.correction = corr;
	o.authorization = agent != NULL;
	if (use_ledger) {
		/* Every person in a ledger is a client of their own (one label, one person). */
		if ((rc = cmd_profile_label(job.in.profile, profile, ledger_file != NULL,
		    stdout)) != 0)
			goto out;
		if ((l = ledger_open(ledger_file, &cause)) == NULL) {
			cmd_error_cause(cause);
			rc = EX_CANTCREAT;
			goto out;
		}
		if ((rc = cmd_claim_label(l, job.in.profile, profile)) != 0)
			goto out;
		o.ledger = l;
		o.client = job.in.profile->label;
	}
	o.letters = letters_open(data_dir());
	o.language = form->lang;
	o.seal_to = form->to;
	o.nseal_to = form->nto;
	if (form->passphrase && (o.seal_passphrase = cmd_keys_new_passphrase(&cause)) == NULL) {
		cmd_error_cause(cause);
		letters_close(o.letters);
		rc = EX_USAGE;
		goto out;
	}
	if ((pst = packet_write(&o, &sum, &cause)) != PACKET_OK) {
		/* An output folder that is in the way is a "cannot create", not bad data. */
		rc = pst == PACKET_CANT_CREATE ? EX_CANTCREAT : EX_DATAERR;
		cmd_error_cause(cause);
		letters_close(o.letters);
		goto out;
	}
	letters_close(o.letters);
	{
		size_t none = 0, held = 0;

		for (i = 0; i < sum.nitems; i++) {
			enum plan_status st = sum.items[i]->status;

			if (st == PLAN_NO_PROCEDURE || st == PLAN_NO_CHANNEL)
				none++;
			else if (st != PLAN_READY)
				held++;
		}
		if (o.nseal_to > 0 || o.seal_passphrase != NULL)
			printf(_("Wrote %s/packet.tar.age, encrypted; open it with\n"
			       "  age -d %s%s/packet.tar.age | tar x\n"
			       "It holds:\n"), outdir, o.seal_passphrase != NULL ? "" : "-i KEYFILE ",
			    outdir);
		else
			printf(_("Wrote %s/\n"), outdir);
		printf(i18n_ngettext("  %zu letter to print and mail (letters/, all in print-all.pdf)\n",
		    "  %zu letters to print and mail (letters/, all in print-all.pdf)\n", sum.postal),
		    sum.postal);
		printf(i18n_ngettext("  %zu email to send (emails/)\n", "  %zu emails to send (emails/)\n",
		    sum.email), sum.email);
		printf(i18n_ngettext("  %zu web form to fill in (web/)\n",
		    "  %zu web forms to fill in (web/)\n", sum.web), sum.web);
		if (sum.web_record_email + sum.web_record_postal > 0)
			printf(i18n_ngettext("    %zu of them with a written record by email/letter to "
			    "send as well (emails/, letters/)\n", "    %zu of them with a written record "
			    "by email/letter to send as well (emails/, letters/)\n",
			    sum.web_record_email + sum.web_record_postal),
			    sum.web_record_email + sum.web_record_postal);
		printf(i18n_ngettext("  %zu telephone call to make (phone/)\n",
		    "  %zu telephone calls to make (phone/)\n", sum.phone), sum.phone);
		if (none > 0)
			printf(i18n_ngettext("  %zu request the broker does not take (for example, a "
			    "people-search site that only removes listings)\n", "  %zu requests the "
			    "brokers do not take (for example, a people-search site that only removes "
			    "listings)\n", none), none);
		if (held > 0)
			printf(i18n_ngettext("  %zu request held back for missing data or consent: see "
			    "cover.pdf\n", "  %zu requests held back for missing data or consent: see "
			    "cover.pdf\n", held), held);
	}
	for (i = 0; i < sum.nitems; i++) {
		const struct plan_item *it = sum.items[i];

		if (it->status == PLAN_NEEDS_CONSENT) {
			printf(_("Some brokers require a sensitive identifier (for example %s): run again "
			       "with --disclose %s if you agree to send it.\n"),
			    _(field_label(it->withheld[0])), it->withheld[0]);
			break;
		}
	}
	if (l != NULL)
		printf(_("Recorded %zu requests in the ledger %s (%zu were there already, and keep "
		       "their references): mark each one when you send it (optout mark REFERENCE "
		       "mailed or sent).\n"), sum.recorded, ledger_path(l), sum.already_recorded);
	printf(_("Start with cover.pdf: it lists every request, its legal basis and its due date.\n"));
	packet_summary_free(&sum);
out:
	ledger_close(l);
	cmd_job_end(&job);
	return rc;
}

/* optout packet */
static int
cmd_packet_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "brokers", required_argument, NULL, 'b' },
		{ "all", no_argument, NULL, 'a' },
		{ "scope", required_argument, NULL, 'S' },
		{ "request", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "disclose", required_argument, NULL, 'd' },
		{ "agent", required_argument, NULL, 'A' },
		{ "item", required_argument, NULL, 'I' },
		{ "correct-to", required_argument, NULL, 'T' },
		{ "evidence", required_argument, NULL, 'E' },
		{ "duplex", no_argument, NULL, 'D' },
		{ "ledger", required_argument, NULL, 'L' },
		{ "no-ledger", no_argument, NULL, 'N' },
		{ "encrypt-to", required_argument, NULL, 'K' },
		{ "encrypt-passphrase", no_argument, NULL, 'P' },
		{ "lang", required_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *profile = NULL, *brokers = NULL, *requests = NULL, *outdir = NULL;
	const char *disclose = NULL, *agent = NULL, *ledger_file = NULL;
	struct correction corr = { 0 };
	const char *scope = NULL;
	struct packet_form form = { 0 };
	int duplex = 0, use_ledger = 1, c;

	while ((c = cmd_getopt(&cmd_packet, argc, argv, "p:b:r:o:", longopts)) != -1) {
		switch (c) {
		case 'p': profile = optarg; break;
		case 'b': brokers = optarg; break;
		case 'a': scope = "all"; break;
		case 'S': scope = optarg; break;
		case 'r': requests = optarg; break;
		case 'o': outdir = optarg; break;
		case 'd': disclose = optarg; break;
		case 'A': agent = optarg; break;
		case 'I': corr.item = optarg; break;
		case 'T': corr.correct = optarg; break;
		case 'E': corr.evidence = optarg; break;
		case 'D': duplex = 1; break;
		case 'L': ledger_file = optarg; break;
		case 'N': use_ledger = 0; break;
		case 'K':
			if (form.nto == sizeof form.to / sizeof *form.to)
				return cmd_usage_error(&cmd_packet,
				    "--encrypt-to: at most 16 recipients");
			form.to[form.nto++] = optarg;
			break;
		case 'P': form.passphrase = 1; break;
		case 'G': form.lang = optarg; break;
		case 'h': cmd_usage(&cmd_packet, stdout); return 0;
		default: return EX_USAGE;
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_packet, _("unexpected argument '%s'"), argv[optind]);
	if (profile == NULL || outdir == NULL)
		return cmd_usage_error(&cmd_packet, _("-p PROFILE and -o DIR are required"));
	if (ledger_file != NULL && !use_ledger)
		return cmd_usage_error(&cmd_packet, _("give either --ledger FILE or --no-ledger"));
	if (ephemeral_mode()) {
		if (ledger_file != NULL)
			return cmd_usage_error(&cmd_packet, _("--ephemeral keeps no ledger: leave out "
			    "--ledger"));
		use_ledger = 0; /* a shared computer: nothing recorded */
	}
	if (form.nto > 0 && form.passphrase)
		return cmd_usage_error(&cmd_packet,
		    _("give either --encrypt-to or --encrypt-passphrase, not both"));
	return run_packet(profile, agent, brokers, scope, requests, disclose, &corr, outdir, duplex, 0,
	    ledger_file, use_ledger, &form);
}

/* optout demo */
static int
cmd_demo_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *outdir = "optout-demo";
	char *profile;
	int c, rc;

	while ((c = cmd_getopt(&cmd_demo, argc, argv, "o:", longopts)) != -1) {
		switch (c) {
		case 'o': outdir = optarg; break;
		case 'h': cmd_usage(&cmd_demo, stdout); return 0;
		default: return EX_USAGE;
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_demo, _("unexpected argument '%s'"), argv[optind]);
	profile = xasprintf("%s/letters/examples/profile.json", data_dir());
	printf(_("Demo: the packet for a fictional person (%s).\n"), profile);
	/* The demo person is fictional: nothing of it goes into the ledger. */
	rc = run_packet(profile, NULL, NULL, NULL, NULL, NULL, NULL, outdir, 0, 1, NULL, 0,
	    &(struct packet_form){ 0 });
	free(profile);
	return rc;
}
