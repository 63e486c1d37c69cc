/* optout followup: follow-up letters and complaints for overdue or denied requests. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "optout/i18n.h"
#include "optout/batch.h"
#include "optout/followup.h"
#include "optout/ledger.h"
#include "optout/letter.h"
#include "optout/plan.h"

static int cmd_followup_run(int argc, char **argv);

static const struct cmd_option followup_options[] = {
	{ "overdue", 0, NULL, N_("only overdue requests (leave denied ones alone)") },
	{ "output", 'o', "DIR", N_("where to write DIR/<client>/followup-<ref>.pdf, "
	    "appeal-<ref>.pdf and complaint-<ref>.pdf"), CMD_ARG_DIR },
	{ "profile", 'p', "FILE", N_("the person whose requests to follow up"), CMD_ARG_FILE },
	{ "clients", 'c', "FILE", N_("or a client list (CSV or JSON), matched by label"),
	    CMD_ARG_FILE },
	{ "agent", 0, "FILE", N_("write as the authorized agent"), CMD_ARG_FILE },
	{ "grace", 0, "DAYS", N_("days after a follow-up before a complaint (default 14)"),
	    CMD_ARG_TEXT },
	{ "lang", 0, "LANG", N_("a reading copy of each letter in this language, e.g. es "
	    "(default: each person's profile language)"), CMD_ARG_WORDS, "en es" },
	{ "send", 0, NULL, N_("email the follow-ups and appeals of requests optout sent by email "
	    "(without it they are only shown)") },
	{ "account", 0, "NAME", N_("the account in $XDG_CONFIG_HOME/optout/config"), CMD_ARG_TEXT },
	{ "config", 0, "FILE", N_("another config file"), CMD_ARG_FILE },
	{ "sendmail", 0, "COMMAND", N_("hand each email to this command instead of SMTP"),
	    CMD_ARG_TEXT },
	{ "cacert", 0, "FILE", N_("trust this CA bundle (PEM) for the SMTP server"), CMD_ARG_FILE },
	{ "retry-failed", 0, NULL, N_("email again a follow-up the server refused (5xx) or one "
	    "interrupted mid-send (check the sent mail first)") },
	CMD_OPT_LEDGER,
	{ NULL },
};

const struct command cmd_followup = {
	.name = "followup",
	.usage = "[--overdue] -o DIR (-p PROFILE | -c CLIENTS) [--agent AGENT] [--grace DAYS] "
		 "[--lang LANG] "
		 "[--account NAME|--sendmail COMMAND] [--send] [--retry-failed] [--ledger FILE]",
	.summary = "write follow-ups for overdue requests, appeals of refusals, and complaints",
	.options = followup_options,
	.help =
	    "An overdue request gets a follow-up letter citing the deadline and the statute,\n"
	    "counted from the broker's receipt ('optout mark REF delivered', else the mailing\n"
	    "day plus the mail-transit allowance).  One still unanswered DAYS after that gets\n"
	    "a complaint.  A refusal gets an appeal to the business first where the law gives\n"
	    "one, and a complaint once the appeal's window has passed.  A complaint goes to\n"
	    "the one regulator on file for the person's residence and the law (letters/\n"
	    "laws.json \"regulators\"), with its address or online form.  Each letter is\n"
	    "written once: the ledger records it.  Courtesy requests have no regulator.\n"
	    "A follow-up or appeal of a request optout sent by email goes by email too, as a\n"
	    "reply to it (In-Reply-To, \"Re:\" and the reference), like 'optout send': shown\n"
	    "without --send, committed as sending in the ledger before it goes out, never\n"
	    "sent twice, within the account's daily limit; it is recorded once the server\n"
	    "took it.  Complaints are not emailed: file them by the regulator's form or post.\n"
	    "For a person whose language is Spanish (the profile's \"language\", or --lang es),\n"
	    "each letter gets a reading copy, DIR/<client>/translations/<kind>-<ref>.es.pdf,\n"
	    "marked as a translation: the English letter is the one signed and sent, and the\n"
	    "reading copy is never emailed.\n",
	.run = cmd_followup_run,
};


/* What the email options asked for. */
struct followup_mail_args {
	const char *account, *config, *sendmail, *cacert;
	int send, retry_failed;
};

/* One follow-up email's report: envelope and headers, and what became of it. */
static void
print_mail(const struct followup_mail *em, const struct mail_out *m, const char *outdir)
{
	const char *what = strcmp(em->kind, "appeal") == 0 ? _("appeal") : _("follow-up");

	/* TRANSLATORS: broker, "follow-up" or "appeal", the request's reference, the outcome. */
	printf(_("%s — %s to %s by email: %s\n"), m->it->broker->id, what, m->it->reference,
	    m->status == MS_DRY_RUN ? _("dry run (nothing sent; add --send to send)") :
	    mail_status_name(m->status));
	if (m->status == MS_DRY_RUN || m->status == MS_SENT) {
		printf(_("  envelope:  MAIL FROM:<%s> RCPT TO:<%s>\n"), m->h.from_addr != NULL ?
		    m->h.from_addr : "", m->h.to_addr);
		if (m->message != NULL) {
			printf(_("  headers:\n"));
			cmd_print_mail_headers(m->message);
		}
	}
	printf(_("  copy:      %s/%s\n"), outdir, em->file);
	if (m->reply != NULL)
		printf(_("  reply:     %s\n"), m->reply);
	switch (m->status) {
	case MS_ALREADY:
		printf(_("  note:      the ledger shows it sent before: not sent again.\n"));
		break;
	case MS_HELD:
		printf(_("  note:      the server refused it before; check the address, then use "
		    "--retry-failed, or send the copy by post.\n"));
		break;
	case MS_CAPPED:
		printf(_("  note:      the account's daily limit is reached; run again tomorrow.\n"));
		break;
	case MS_TEMPORARY:
		printf(_("  note:      the server asked to try later; run the same command again "
		    "later.\n"));
		break;
	case MS_UNCERTAIN:
		printf(_("  note:      it may have gone out: look for Message-ID %s in the sent mail; "
		    "if it is not there, run again with --retry-failed.\n"),
		    m->message_id != NULL ? m->message_id : "?");
		break;
	default:
		break;
	}
}

/* The exit status the emails call for: refusals first, then waits. */
static int
mails_status(const struct followup_summary *s)
{
	int rc = 0;
	size_t i;

	for (i = 0; i < s->nmails; i++) {
		enum mail_status st = s->outs[i].status;

		if (st == MS_PERMANENT || st == MS_REFUSED || st == MS_UNCERTAIN || st == MS_HELD)
			return EX_UNAVAILABLE;
		if (st == MS_TEMPORARY || st == MS_CAPPED)
			rc = EX_TEMPFAIL;
	}
	return rc;
}

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
		{ "lang", required_argument, NULL, 'G' },
		{ "ledger", required_argument, NULL, 'L' },
		{ "send", no_argument, NULL, 'S' },
		{ "account", required_argument, NULL, 'N' },
		{ "config", required_argument, NULL, 'F' },
		{ "sendmail", required_argument, NULL, 'M' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "retry-failed", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *outdir = NULL, *profile = NULL, *clients = NULL, *agent = NULL;
	const char *ledger_file = NULL, *lang = NULL;
	int overdue = 0, grace = 14, c, rc = 0;
	struct cmd_people col = { NULL, 0 };
	struct followup_opts o = { 0 };
	struct followup_summary s = { 0 };
	struct cmd_inputs in;
	struct followup_mail_args ma = { 0 };
	struct mail_deliver_opts mo = { 0 };
	struct smtp_account *acct = NULL;
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
		case 'G': lang = optarg; break;
		case 'L': ledger_file = optarg; break;
		case 'S': ma.send = 1; break;
		case 'N': ma.account = optarg; break;
		case 'F': ma.config = optarg; break;
		case 'M': ma.sendmail = optarg; break;
		case 'C': ma.cacert = optarg; break;
		case 'R': ma.retry_failed = 1; break;
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
	if (ma.sendmail != NULL && (ma.account != NULL || ma.cacert != NULL || *ma.sendmail == '\0'))
		return cmd_usage_error(&cmd_followup, _("--sendmail replaces the SMTP account: give a "
		    "command, without --account and --cacert"));
	if (ma.cacert != NULL && access(ma.cacert, R_OK) != 0) {
		cmd_error("%s: %s", ma.cacert, strerror(errno));
		return EX_NOINPUT;
	}
	if ((rc = cmd_mail_account(ma.sendmail, ma.config, ma.account, ma.send, &acct)) != 0)
		return rc;
	if (clients != NULL && access(clients, R_OK) != 0) {
		cmd_error(_("%s: cannot read the client list"), clients);
		return EX_NOINPUT;
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
	o.language = lang;
	mo.account = acct;
	mo.sendmail = ma.sendmail;
	mo.cacert = ma.cacert;
	mo.send = ma.send;
	mo.retry_failed = ma.retry_failed;
	o.mail = &mo;
	o.letters = letters_open(data_dir());
	rc = followup_run(&o, &s, &cause);
	letters_close(o.letters);
	if (rc != 0) {
		cmd_error_cause(cause);
		rc = EX_SOFTWARE;
		goto out;
	}
	for (i = 0; i < s.nmails; i++) {
		print_mail(&s.mails[i], &s.outs[i], outdir);
		printf("\n");
	}
	for (i = 0; i < s.nwritten; i++)
		printf(_("wrote %s/%s\n"), outdir, s.written[i]);
	for (i = 0; i < s.ncopies; i++)
		printf(_("wrote %s/%s (a translation for you to read: sign and send the English "
		    "letter)\n"), outdir, s.copies[i]);
	{
		/* Each count agrees with its own noun; the line then lists them. */
		char *f = xasprintf(i18n_ngettext("%zu follow-up letter", "%zu follow-up letters",
		    s.followups), s.followups);
		char *a = xasprintf(i18n_ngettext("%zu appeal", "%zu appeals", s.appeals), s.appeals);
		char *k = xasprintf(i18n_ngettext("%zu complaint", "%zu complaints", s.complaints),
		    s.complaints);

		printf(_("Written: %s, %s, %s"), f, a, k);
		free(f);
		free(a);
		free(k);
	}
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
		printf(_("%zu requests need a complaint, but no regulator with an address, complaint "
		       "form or site is on file for the person's residence and law "
		       "(letters/laws.json \"regulators\"): find the authority and file "
		       "directly.\n"), s.no_regulator_address);
	if (s.nwritten > 0)
		printf(_("Sign and send each letter, then keep a copy with the original request.\n"));
	if (s.nmails > 0)
		printf(i18n_ngettext("%zu follow-up or appeal by email, %zu taken by the server and "
		    "recorded.\n", "%zu follow-ups or appeals by email, %zu taken by the server and "
		    "recorded.\n", s.nmails), s.nmails, s.emailed);
	if (s.complaints_by_post > 0)
		printf(_("Complaints go to the regulator, not to the broker: optout does not email "
		    "them.  File each one by the regulator's online form or by post (%zu).\n"),
		    s.complaints_by_post);
	rc = mails_status(&s);
out:
	followup_summary_free(&s);
	ledger_close(o.ledger);
	cmd_people_free(&col);
	cmd_inputs_free(&in);
	smtp_account_free(acct);
	return rc;
}
