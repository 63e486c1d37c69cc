/* optout send: deliver the email requests of a packet over SMTP, or show them first. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "optout/i18n.h"
#include "optout/doc.h"
#include "optout/ledger.h"
#include "optout/letter.h"
#include "optout/mail-smtp.h"
#include "optout/plan.h"

#define AUTHORIZATION_MAX ((size_t)20 << 20)

static int cmd_send_run(int argc, char **argv);

static const struct cmd_option send_options[] = {
	{ "profile", 'p', "FILE", N_("the person's profile (JSON)"), CMD_ARG_FILE },
	{ "brokers", 'b', "ID,...", N_("these brokers; --all: every broker taking email"),
	    CMD_ARG_BROKERS },
	{ "all", 0, NULL, N_("every broker taking email") },
	{ "requests", 'r', "TYPE,...", N_("access, delete, opt-out, correct (default "
	    "opt-out,delete)"), CMD_ARG_REQUESTS },
	{ "disclose", 0, "F,...", N_("allow sensitive fields a procedure requires"), CMD_ARG_TEXT },
	{ "prefer", 0, "email", N_("use the broker's email procedure even where the plan picks "
	    "another channel (a web form, a letter)"), CMD_ARG_WORDS, "email" },
	{ "agent", 0, "FILE", N_("file as this authorized agent (a clinic)"), CMD_ARG_FILE },
	{ "authorization", 0, "FILE", N_("the signed authorization (PDF), attached to each email; "
	    "required with --agent and --send"), CMD_ARG_FILE },
	{ "account", 0, "NAME", N_("the account in $XDG_CONFIG_HOME/optout/config (needed when "
	    "the file has more than one)"), CMD_ARG_TEXT },
	{ "config", 0, "FILE", N_("another config file"), CMD_ARG_FILE },
	{ "sendmail", 0, "COMMAND", N_("hand each message to this command instead of SMTP (e.g. "
	    "\"msmtp -a clinic\"; it gets -i -f FROM -- TO)"), CMD_ARG_TEXT },
	{ "cacert", 0, "FILE", N_("trust this CA bundle (PEM) for the SMTP server"),
	    CMD_ARG_FILE },
	{ "send", 0, NULL, N_("send (without it nothing leaves the machine)") },
	{ "retry-failed", 0, NULL, N_("send again what a server refused permanently (5xx)") },
	CMD_OPT_LEDGER,
	{ NULL },
};

const struct command cmd_send = {
    .name = "send",
    .usage = "-p PROFILE -b ID,...|--all [-r TYPE,...] [--agent AGENT --authorization FILE.pdf] "
             "[--prefer email] [--account NAME|--sendmail COMMAND] [--send] [--retry-failed] "
             "[--ledger FILE]",
    .summary = "send the email requests: show each message, or send them with --send",
    .options = send_options,
    .help =
        "SMTP is always encrypted (STARTTLS on 587, TLS on 465) with certificates checked.\n"
        "Each message is committed as 'sending' in the ledger before it goes out and is\n"
        "never sent twice.  Exit status: 0 when all went out (or a dry run), 75 when some\n"
        "must wait (busy server, daily limit), 69 when a server refused a message.\n",
    .run = cmd_send_run,
};

/* What the command line asked for. */
struct send_args {
	const char *profile, *brokers, *requests, *disclose, *agent, *authorization;
	const char *account, *config, *sendmail, *cacert, *ledger;
	int all, send, retry_failed, prefer_email;
};

/* One message's report. */
static void
print_out(const struct mail_out *m, const struct send_args *a, const struct smtp_account *acct,
    size_t attachment_len)
{
	printf("%s — %s: %s\n", m->it->broker->id, request_name(m->it->request),
	    m->status == MS_DRY_RUN ? _("dry run (nothing sent; add --send to send)") :
	    mail_status_name(m->status));
	if (m->message != NULL) {
		printf(_("  envelope:  MAIL FROM:<%s> RCPT TO:<%s>\n"), m->h.from_addr, m->h.to_addr);
		if (a->sendmail != NULL)
			printf(_("  via:       the command %s\n"), a->sendmail);
		else if (acct != NULL)
			printf(_("  via:       account %s, %s:%d (%s)\n"), acct->name, acct->host, acct->port,
			    acct->implicit_tls ? "TLS" : "STARTTLS required");
		printf(_("  headers:\n"));
		cmd_print_mail_headers(m->message);
		if (m->h.nattachments > 0)
			printf(_("  attached:  %s (%zu bytes)\n"), m->h.attachments[0].filename,
			    attachment_len);
	}
	if (m->waited_ms > 0)
		printf(_("  waited:    %ld s before this message (spacing between messages)\n"),
		    m->waited_ms / 1000);
	if (m->reply != NULL)
		printf(_("  reply:     %s\n"), m->reply);
	switch (m->status) {
	case MS_ALREADY:
		printf(_("  note:      the ledger shows this request as %s: not sent again.\n"),
		    m->ledger_state);
		break;
	case MS_HELD:
		printf(_("  note:      the server refused it before; check the address, then use "
		       "--retry-failed.\n"));
		break;
	case MS_CAPPED:
		printf(_("  note:      the account's daily limit is reached; run again tomorrow.\n"));
		break;
	case MS_TEMPORARY:
		printf(_("  note:      the server asked to try later; run the same command again later.\n"));
		break;
	case MS_UNCERTAIN:
		printf(_("  note:      it may have been sent: look for Message-ID %s in the sent mail, "
		       "then use 'optout mark'.\n"), m->message_id);
		break;
	default:
		break;
	}
	printf(_("  reference: %s\n"), m->it->reference);
}

/* The exit status for the outcomes: refusals, then waits. */
static int
worst(int rc, enum mail_status s)
{
	if (s == MS_PERMANENT || s == MS_REFUSED || s == MS_UNCERTAIN)
		return EX_UNAVAILABLE;
	if ((s == MS_TEMPORARY || s == MS_CAPPED) && rc == 0)
		return EX_TEMPFAIL;
	return rc;
}

/* Parse the options; returns -1 to go on, or an exit status. */
static int
parse(int argc, char **argv, struct send_args *a)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "brokers", required_argument, NULL, 'b' },
		{ "broker", required_argument, NULL, 'b' },
		{ "all", no_argument, NULL, 'a' },
		{ "requests", required_argument, NULL, 'r' },
		{ "request", required_argument, NULL, 'r' },
		{ "disclose", required_argument, NULL, 'd' },
		{ "agent", required_argument, NULL, 'A' },
		{ "authorization", required_argument, NULL, 'Z' },
		{ "account", required_argument, NULL, 'N' },
		{ "config", required_argument, NULL, 'F' },
		{ "sendmail", required_argument, NULL, 'M' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "send", no_argument, NULL, 'S' },
		{ "retry-failed", no_argument, NULL, 'R' },
		{ "prefer", required_argument, NULL, 'P' },
		{ "ledger", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof *a);
	while ((c = cmd_getopt(&cmd_send, argc, argv, "p:b:r:", longopts)) != -1) {
		switch (c) {
		case 'p': a->profile = optarg; break;
		case 'b': a->brokers = optarg; break;
		case 'a': a->all = 1; break;
		case 'r': a->requests = optarg; break;
		case 'd': a->disclose = optarg; break;
		case 'A': a->agent = optarg; break;
		case 'Z': a->authorization = optarg; break;
		case 'N': a->account = optarg; break;
		case 'F': a->config = optarg; break;
		case 'M': a->sendmail = optarg; break;
		case 'C': a->cacert = optarg; break;
		case 'S': a->send = 1; break;
		case 'R': a->retry_failed = 1; break;
		case 'P':
			if (strcmp(optarg, "email") != 0)
				return cmd_usage_error(&cmd_send, _("--prefer: expected 'email' (send delivers "
				    "email only), not '%s'"), optarg);
			a->prefer_email = 1;
			break;
		case 'L': a->ledger = optarg; break;
		case 'h': cmd_usage(&cmd_send, stdout); return 0;
		default: return EX_USAGE;
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_send, _("unexpected argument '%s'"), argv[optind]);
	if (a->profile == NULL)
		return cmd_usage_error(&cmd_send, _("-p PROFILE is required"));
	if (a->sendmail != NULL && (a->account != NULL || a->cacert != NULL))
		return cmd_usage_error(&cmd_send, _("--sendmail replaces the SMTP account: drop "
		    "--account and --cacert"));
	if (a->sendmail != NULL && *a->sendmail == '\0')
		return cmd_usage_error(&cmd_send, _("--sendmail: the command is empty"));
	if (a->authorization != NULL && a->agent == NULL)
		return cmd_usage_error(&cmd_send, _("--authorization goes with --agent"));
	if (a->agent != NULL && a->authorization == NULL && a->send)
		return cmd_usage_error(&cmd_send, _("an agent's email must attach the signed "
		    "authorization: give --authorization FILE.pdf"));
	if (a->cacert != NULL && access(a->cacert, R_OK) != 0) {
		cmd_error("%s: %s", a->cacert, strerror(errno));
		return EX_NOINPUT;
	}
	return -1;
}

/* The signed authorization to attach, checked to be a PDF. */
static int
load_authorization(const char *path, char **data, size_t *len)
{
	char *cause = NULL;

	*data = NULL;
	*len = 0;
	if (path == NULL)
		return 0;
	if (read_file(path, AUTHORIZATION_MAX, data, len, &cause) != 0) {
		cmd_error_cause(cause);
		return EX_NOINPUT;
	}
	if (*len < 5 || memcmp(*data, "%PDF-", 5) != 0) {
		cmd_error(_("%s: expected the signed authorization as a PDF file (it does not start "
		    "with %%PDF-)"), path);
		free(*data);
		*data = NULL;
		return EX_DATAERR;
	}
	return 0;
}

/* Whether the broker has an email procedure for this request. */
static int
takes_email(const struct broker *b, enum request r)
{
	size_t i;

	for (i = 0; i < b->nprocedures; i++)
		if (b->procedures[i].request == r && b->procedures[i].channel == CH_EMAIL &&
		    b->procedures[i].email != NULL && b->procedures[i].restricted_to == NULL)
			return 1;
	return 0;
}

/* optout send */
static int
cmd_send_run(int argc, char **argv)
{
	struct send_args a;
	struct cmd_job job;
	struct smtp_account *acct = NULL;
	struct ledger *ledger = NULL;
	struct letters *letters = NULL;
	struct mail_out *outs = NULL;
	struct plan_item **items = NULL;
	struct doc **docs = NULL;
	struct mail_attachment att = { "authorization.pdf", "application/pdf", NULL, 0 };
	struct mail_deliver_opts mo = { 0 };
	char *auth_pdf = NULL, *cause = NULL, *person = NULL;
	size_t i, k, n = 0, cap;
	int rc;

	if ((rc = parse(argc, argv, &a)) >= 0)
		return rc;
	if ((rc = cmd_job_start(&cmd_send, a.profile, a.agent, a.brokers, a.all ? "all" : NULL, a.requests,
	    a.disclose, &job)) != 0)
		return rc;
	if ((rc = cmd_mail_account(a.sendmail, a.config, a.account, a.send, &acct)) != 0 ||
	    (rc = load_authorization(a.authorization, &auth_pdf, &att.len)) != 0)
		goto out;
	att.data = (const unsigned char *)auth_pdf;
	letters = letters_open(data_dir());
	person = profile_full_name(job.in.profile);
	cap = job.nbrokers * job.nrequests + 1;
	outs = xcalloc(cap, sizeof *outs);
	items = xcalloc(cap, sizeof *items);
	docs = xcalloc(cap, sizeof *docs);
	for (i = 0; i < job.nbrokers; i++) {
		for (k = 0; k < job.nrequests; k++) {
			struct plan_opts po = { 0 };
			struct plan_item *it;
			struct mail_out *m;

			po.request = job.requests[k];
			po.disclose = (const char **)job.consent;
			po.agent = job.in.agent;
			po.today = date_today();
			po.email_only = a.prefer_email;
			it = plan_make(job.brokers[i], job.in.profile, job.in.laws, &po);
			if (it->status != PLAN_READY || it->proc == NULL || it->proc->channel != CH_EMAIL ||
			    it->proc->email == NULL) {
				if (!a.all && a.prefer_email && it->proc == NULL)
					cmd_error(_("%s: the registry knows no email address for %s requests "
					    "(see 'optout brokers show %s'); not sent"), job.brokers[i]->id,
					    request_name(po.request), job.brokers[i]->id);
				else if (!a.all && it->status == PLAN_READY && takes_email(job.brokers[i], po.request))
					cmd_error(_("%s: the plan sends %s requests another way (see 'optout plan'); "
					    "add --prefer email to use the email address the broker also takes"),
					    job.brokers[i]->id, request_name(po.request));
				else if (!a.all && it->status == PLAN_READY)
					cmd_error(_("%s: %s requests do not go by email (see 'optout plan'); "
					    "not sent here"), job.brokers[i]->id, request_name(po.request));
				else if (!a.all)
					rc = cmd_refuse_plan(it, "no procedure is known");
				plan_item_free(it);
				continue;
			}
			items[n] = it;
			if ((docs[n] = letter_for_plan(letters, it, job.in.profile, job.in.agent, 0,
			    &cause)) == NULL) {
				cmd_error_cause(cause);
				rc = EX_DATAERR;
				n++;
				goto out;
			}
			m = &outs[n];
			mail_out_init(m, it, docs[n], job.in.profile, job.in.agent, person);
			if (auth_pdf != NULL) {
				m->h.attachments = &att;
				m->h.nattachments = 1;
			}
			n++;
		}
	}
	if (a.send) {
		size_t recovered = 0;
		int deferred = 0;

		if ((ledger = ledger_open(a.ledger, &cause)) == NULL) {
			cmd_error_cause(cause);
			rc = EX_CANTCREAT;
			goto out;
		}
		if (ledger_recover(ledger, &recovered, &deferred, &cause) != 0) {
			cmd_error_cause(cause);
			rc = EX_DATAERR;
			goto out;
		}
		if (recovered > 0)
			cmd_error(_("requests interrupted while being sent now need review (%zu); see "
			    "'optout status'"), recovered);
	}
	mo.account = acct;
	mo.sendmail = a.sendmail;
	mo.cacert = a.cacert;
	mo.client = job.in.profile->label != NULL ? job.in.profile->label : "me";
	mo.send = a.send;
	mo.retry_failed = a.retry_failed;
	if (mail_deliver(outs, n, &mo, ledger, job.in.laws, &cause) != 0) {
		cmd_error_cause(cause);
		rc = EX_SOFTWARE;
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			printf("\n");
		print_out(&outs[i], &a, acct, att.len);
		rc = rc == EX_SOFTWARE || rc == EX_DATAERR ? rc : worst(rc, outs[i].status);
	}
	if (n == 0)
		printf(_("No email request to send: see 'optout plan' for how each broker takes "
		       "requests.\n"));
	else if (a.agent != NULL && auth_pdf == NULL)
		printf(_("\nWith --send, add --authorization FILE.pdf: the signed authorization is "
		       "attached to each email.\n"));
out:
	for (i = 0; i < n; i++) {
		mail_out_clear(&outs[i]);
		doc_free(docs[i]);
		plan_item_free(items[i]);
	}
	free(outs);
	free(docs);
	free(items);
	if (person != NULL)
		secure_free(person);
	free(auth_pdf);
	letters_close(letters);
	ledger_close(ledger);
	smtp_account_free(acct);
	cmd_job_end(&job);
	return rc;
}
