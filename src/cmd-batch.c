/* optout batch: packets for many clients, for clinics and opt-out drives. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "optout/i18n.h"
#include "optout/batch.h"
#include "optout/http.h"
#include "optout/ledger.h"
#include "optout/mail-smtp.h"
#include "optout/letter.h"

static int cmd_batch_run(int argc, char **argv);

static const struct cmd_option batch_options[] = {
	{ "clients", 'c', "FILE", N_("a CSV file (columns: label, given, middle, family, "
	    "family_first, latin_given, latin_family, dob, street, street2, city, region, "
	    "postal_code, country, email, phone, ssn, ssn_last4, drivers_license, "
	    "drivers_license_region, language), or a JSON array of profiles; every client needs "
	    "a unique label"), CMD_ARG_FILE },
	{ "agent", 0, "FILE", N_("the clinic or advocate filing as authorized agent: each client "
	    "also gets authorization.pdf to sign"), CMD_ARG_FILE },
	CMD_OPT_SCOPE,
	CMD_OPT_REQUESTS,
	{ "output", 'o', "DIR", N_("one folder per client, summary.pdf and summary.csv"),
	    CMD_ARG_DIR },
	{ "disclose", 0, "F,...", N_("allow these sensitive fields where procedures require them"),
	    CMD_ARG_TEXT },
	CMD_OPT_LEDGER,
	{ "send", 0, NULL, N_("also submit the web forms optout can fill in itself (as 'optout "
	    "submit --send'); forms for a person, letters and emails stay in the packets to send "
	    "by hand") },
	{ "cacert", 0, "FILE", N_("with --send: trust this CA bundle (PEM)"), CMD_ARG_FILE },
	{ "proxy", 0, "URL", N_("with --send: go through socks5h://HOST:PORT (Tor)"),
	    CMD_ARG_TEXT },
	{ "account", 0, "NAME", N_("with --send: also send the email requests through this "
	    "account (see 'optout send'); with an agent, a client's emails wait for "
	    "DIR/<client>/authorization-signed.pdf"), CMD_ARG_TEXT },
	{ "sendmail", 0, "CMD", N_("with --send: send the emails through this command instead"),
	    CMD_ARG_TEXT },
	{ "config", 0, "FILE", N_("with --send: the config file holding the account"),
	    CMD_ARG_FILE },
	{ "lang", 0, "LANG", N_("summary.pdf in this language, e.g. es (each client's pages "
	    "follow the language column)"), CMD_ARG_WORDS, "en es" },
	{ "encrypt-to", 0, "R", N_("write each client's packet as one encrypted archive, "
	    "DIR/<client>/packet.tar.age, to this age recipient (age1...; repeat for several)"),
	    CMD_ARG_TEXT },
	{ "encrypt-passphrase", 0, NULL, N_("the same, encrypted to one passphrase (asked twice)") },
	{ NULL },
};

const struct command cmd_batch = {
	.name = "batch",
	.usage = "-c CLIENTS.csv|CLIENTS.json [--agent AGENT.json] [-b ID,...|--scope S|--all] "
		 "[-r TYPE,...] -o DIR [--disclose F,...] [--ledger FILE] [--send [--cacert FILE] "
		 "[--proxy URL] [--account NAME|--sendmail CMD]] [--lang LANG] "
		 "[--encrypt-to RECIPIENT|--encrypt-passphrase]",
	.summary = N_("write packets for many clients and record every request in the ledger"),
	.options = batch_options,
	.help =
	    N_("Run it again after an interruption: finished clients are skipped and no request\n"
	    "is recorded twice.  A bad row is reported with its line and column and the\n"
	    "batch goes on.  Nothing is sent without --send, and nothing is ever sent twice.\n"),
	.run = cmd_batch_run,
};

/* Progress state for the terminal bar. */
struct progress {
	double start;
	int tty;
};

/* Seconds on a monotonic clock. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Draw "done/total, rate, time left" on stderr when it is a terminal. */
static void
show_progress(void *ctx, size_t done, size_t total)
{
	struct progress *p = ctx;
	double elapsed = now() - p->start, rate;
	int width = 30, filled;

	if (!p->tty || total == 0)
		return;
	rate = elapsed > 0 ? (double)done / elapsed : 0;
	filled = (int)((double)width * (double)done / (double)total);
	fprintf(stderr, _("\r[%.*s%*s] %zu/%zu clients"), filled,
	    "##############################", width - filled, "", done, total);
	if (rate > 0)
		fprintf(stderr, _(", %.1f/s, %.0fs left "), rate, (double)(total - done) / rate);
	if (done == total)
		fputc('\n', stderr);
	fflush(stderr);
}

/* optout batch */
static int
cmd_batch_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "clients", required_argument, NULL, 'c' },
		{ "agent", required_argument, NULL, 'A' },
		{ "brokers", required_argument, NULL, 'b' },
		{ "all", no_argument, NULL, 'a' },
		{ "scope", required_argument, NULL, 'Z' },
		{ "request", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "disclose", required_argument, NULL, 'd' },
		{ "ledger", required_argument, NULL, 'L' },
		{ "send", no_argument, NULL, 'S' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "proxy", required_argument, NULL, 'P' },
		{ "account", required_argument, NULL, 'N' },
		{ "sendmail", required_argument, NULL, 'M' },
		{ "config", required_argument, NULL, 'F' },
		{ "lang", required_argument, NULL, 'G' },
		{ "encrypt-to", required_argument, NULL, 'K' },
		{ "encrypt-passphrase", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *clients = NULL, *agent = NULL, *brokers = NULL, *requests = NULL;
	const char *outdir = NULL, *disclose = NULL, *ledger_file = NULL;
	const char *scope = NULL, *lang = NULL;
	const char *account = NULL, *sendmail = NULL, *config = NULL;
	struct smtp_account *acct = NULL;
	struct mail_deliver_opts mo = { 0 };
	const char *seal_to[16]; /* --encrypt-to recipients: a few keys */
	size_t nseal_to = 0;
	int send = 0, c, rc, deferred = 0, seal_passphrase = 0;
	struct http_opts ho;
	struct cmd_job job;
	size_t recovered = 0, i;
	char *cause = NULL;
	struct batch_opts o = { 0 };
	struct batch_summary s = { 0 };
	struct progress prog;

	http_opts_init(&ho);
	while ((c = cmd_getopt(&cmd_batch, argc, argv, "c:b:r:o:", longopts)) != -1) {
		switch (c) {
		case 'c': clients = optarg; break;
		case 'A': agent = optarg; break;
		case 'b': brokers = optarg; break;
		case 'a': scope = "all"; break;
		case 'Z': scope = optarg; break;
		case 'r': requests = optarg; break;
		case 'o': outdir = optarg; break;
		case 'd': disclose = optarg; break;
		case 'L': ledger_file = optarg; break;
		case 'S': send = 1; break;
		case 'C': ho.cacert = optarg; break;
		case 'P': ho.proxy = optarg; break;
		case 'N': account = optarg; break;
		case 'M': sendmail = optarg; break;
		case 'F': config = optarg; break;
		case 'G': lang = optarg; break;
		case 'K':
			if (nseal_to == sizeof seal_to / sizeof *seal_to)
				return cmd_usage_error(&cmd_batch,
				    "--encrypt-to: at most 16 recipients");
			seal_to[nseal_to++] = optarg;
			break;
		case 'E': seal_passphrase = 1; break;
		case 'h': cmd_usage(&cmd_batch, stdout); return 0;
		default: return EX_USAGE;
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_batch, _("unexpected argument '%s'"), argv[optind]);
	if (nseal_to > 0 && seal_passphrase)
		return cmd_usage_error(&cmd_batch,
		    "give either --encrypt-to or --encrypt-passphrase, not both");
	if (clients == NULL || outdir == NULL)
		return cmd_usage_error(&cmd_batch, _("-c CLIENTS and -o DIR are required"));
	if (ho.proxy != NULL && strncmp(ho.proxy, "socks5h://", 10) != 0)
		return cmd_usage_error(&cmd_batch, _("--proxy: only socks5h://HOST:PORT is accepted"));
	if ((ho.cacert != NULL || ho.proxy != NULL) && !send)
		return cmd_usage_error(&cmd_batch, _("--cacert and --proxy go with --send"));
	if ((account != NULL || sendmail != NULL || config != NULL) && !send)
		return cmd_usage_error(&cmd_batch, _("--account, --sendmail and --config go with --send"));
	if (account != NULL && sendmail != NULL)
		return cmd_usage_error(&cmd_batch, _("give --account or --sendmail, not both"));
	if (access(clients, R_OK) != 0) {
		cmd_error(_("%s: cannot read the client list"), clients);
		return EX_NOINPUT;
	}
	if (account != NULL || config != NULL) {
		char *path = config != NULL ? xstrdup(config) : smtp_config_path(&cause);

		if (path == NULL || (acct = smtp_account_load(path, account, &cause)) == NULL) {
			cmd_error_cause(cause);
			free(path);
			return EX_CONFIG;
		}
		free(path);
	}
	/* Without -b or --scope, a batch covers the default scope, as packet does. */
	if ((rc = cmd_job_start(&cmd_batch, NULL, agent, brokers, scope, requests,
	    disclose, &job)) != 0)
		return rc;
	if ((o.ledger = ledger_open(ledger_file, &cause)) == NULL) {
		cmd_error_cause(cause);
		rc = EX_CANTCREAT;
		goto out;
	}
	/* A request left "sending" by a crash is flagged for a person, never resent blindly. */
	if (ledger_recover(o.ledger, &recovered, &deferred, &cause) != 0) {
		cmd_error_cause(cause);
		rc = EX_SOFTWARE;
		goto out;
	}
	if (recovered > 0)
		cmd_error(_("%zu requests were interrupted while sending: check them with "
		    "'optout status' and mark each sent or failed"), recovered);
	o.clients = clients;
	o.outdir = outdir;
	o.laws = job.in.laws;
	o.agent = job.in.agent;
	o.brokers = job.brokers;
	o.nbrokers = job.nbrokers;
	o.requests = job.requests;
	o.nrequests = job.nrequests;
	o.disclose = (const char **)job.consent;
	o.today = date_today();
	o.datadir = data_dir();
	o.language = lang;
	o.seal_to = seal_to;
	o.nseal_to = nseal_to;
	if (seal_passphrase && (o.seal_passphrase = cmd_keys_new_passphrase(&cause)) == NULL) {
		cmd_error_cause(cause);
		rc = EX_USAGE;
		goto out;
	}
	o.send = send;
	o.http = &ho;
	if (acct != NULL || sendmail != NULL) {
		mo.account = acct;
		mo.sendmail = sendmail;
		mo.cacert = ho.cacert;
		o.mail = &mo;
	}
	o.letters = letters_open(o.datadir);
	prog.start = now();
	prog.tty = isatty(STDERR_FILENO);
	o.progress = show_progress;
	o.progress_ctx = &prog;
	if (batch_run(&o, &s, &cause) != 0 || batch_write_summary(&o, &s, &cause) != 0) {
		cmd_error_cause(cause);
		rc = EX_DATAERR;
		goto out;
	}
	for (i = 0; i < s.nerrors; i++)
		cmd_error("%s", s.errors[i]);
	printf(_("Wrote %s/: %zu clients (%zu new, %zu done before), %zu rows not processed\n"),
	    outdir, s.nclients, s.written, s.done_before, s.nerrors);
	printf(_("Ledger %s: %zu requests recorded, %zu already there\n"), ledger_path(o.ledger),
	    s.recorded, s.already_recorded);
	if (s.other_seat > 0)
		printf(_("%zu clients were taken by another seat's batch running at the same time; "
		    "their requests are in the shared ledger ('optout status').\n"), s.other_seat);
	if (send)
		printf(_("Web forms: %zu done, %zu awaiting the emailed confirmation link, %zu failed; "
		       "%zu to fill in by hand (the sheets in each client's web/ folder).\n"), s.done,
		    s.awaiting, s.failed, s.by_hand);
	if (send && s.review == 1)
		printf(_("1 request needs review: its form went out but no clear answer came back, so "
		       "it may have been received and is not sent again. Check it ('optout status' "
		       "lists it as needs-review), then run 'optout mark REFERENCE sent' or "
		       "'optout mark REFERENCE failed'.\n"));
	else if (send && s.review > 1)
		printf(_("%zu requests need review: their forms went out but no clear answer came "
		       "back, so they may have been received and are not sent again. Check each "
		       "('optout status' lists them as needs-review), then run 'optout mark "
		       "REFERENCE sent' or 'optout mark REFERENCE failed'.\n"), s.review);
	if (o.mail != NULL) {
		printf(_("Emails: %zu sent, %zu to send again later, %zu failed.\n"), s.mail_sent,
		    s.mail_later, s.mail_failed);
		if (s.mail_unsigned > 0)
			printf(_("Emails held until the client's signed authorization is in "
			       "%s/<client>/authorization-signed.pdf: %zu.\n"), outdir, s.mail_unsigned);
	}
	if (job.in.agent)
		printf(_("See %s/summary.pdf; each client's folder starts with cover.pdf and "
		       "authorization.pdf (to be signed first).\n"), outdir);
	else
		printf(_("See %s/summary.pdf; each client's folder starts with cover.pdf.\n"), outdir);
	/* Bad rows are data errors, reported after the good rows were done. */
	rc = s.nerrors > 0 ? EX_DATAERR : 0;
out:
	if (o.letters != NULL)
		letters_close(o.letters);
	ledger_close(o.ledger);
	batch_summary_free(&s);
	cmd_job_end(&job);
	smtp_account_free(acct);
	return rc;
}
