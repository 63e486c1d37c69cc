/* optout inbox: read brokers' replies, match them to requests, update the ledger. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "optout/i18n.h"
#include "optout/date.h"
#include "optout/http.h"
#include "optout/inbox.h"
#include "optout/ledger.h"
#include "optout/mail-smtp.h"

static int cmd_inbox_run(int argc, char **argv);

static const struct cmd_option inbox_options[] = {
	{ "maildir", 0, "DIR", N_("read the messages of a Maildir (new/ and cur/)"), CMD_ARG_DIR },
	{ "mbox", 0, "FILE", N_("read the messages of an mbox file"), CMD_ARG_FILE },
	{ "account", 0, "NAME", N_("read the INBOX of the account's IMAP server over TLS "
	    "(imap_host, imap_port, imap_user in the config file)"), CMD_ARG_TEXT },
	{ "config", 0, "FILE", N_("another config file"), CMD_ARG_FILE },
	{ "cacert", 0, "FILE", N_("trust this CA bundle (PEM) for the IMAP server"),
	    CMD_ARG_FILE },
	{ "dry-run", 0, NULL, N_("show what would change; write nothing") },
	CMD_OPT_LEDGER,
	{ NULL },
};

const struct command cmd_inbox = {
    .name = "inbox",
    .usage = "--maildir DIR | --mbox FILE | --account NAME [--dry-run] [--cacert FILE] "
             "[--ledger FILE]",
    .summary = "read brokers' replies, match them to requests and update the ledger",
    .options = inbox_options,
    .help =
        "Each reply is matched by In-Reply-To/References, the reference in its subject or\n"
        "text, or the broker's domain, then classified: acknowledged, verification,\n"
        "more-info, denied, completed, bounced, auto-reply or unknown.  Matched replies\n"
        "are kept as evidence in $XDG_DATA_HOME/optout/evidence/ (mode 0600) and read\n"
        "once.  Messages are never changed or deleted in the mailbox.\n",
    .run = cmd_inbox_run,
};

/* One message read from the mailbox. */
struct raw {
	char *data;
	size_t len;
};

/* Everything the run uses. */
struct inbox_run {
	struct cmd_inputs in;
	struct ledger *ledger;
	int dry_run;
	char *evidence_dir;
	size_t matched, unmatched, seen;
};

/* Append one message to the list. */
static void
push_raw(struct raw **list, size_t *n, char *data, size_t len)
{
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	(*list)[*n].data = data;
	(*list)[*n].len = len;
	(*n)++;
}

/* Compare two names, for a stable order. */
static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The messages of one Maildir folder (new or cur), in name order. */
static int
read_maildir_sub(const char *dir, const char *sub, struct raw **list, size_t *n)
{
	char *path = xasprintf("%s/%s", dir, sub), **names = NULL, *cause = NULL;
	size_t nn = 0, i;
	struct dirent *e;
	DIR *d;

	if ((d = opendir(path)) == NULL) {
		int rc = errno == ENOENT ? 0 : -1;

		if (rc != 0)
			cmd_error("%s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		names = xreallocarray(names, nn + 1, sizeof *names);
		names[nn++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (nn > 0)
		qsort(names, nn, sizeof *names, cmp_names);
	for (i = 0; i < nn; i++) {
		char *f = xasprintf("%s/%s", path, names[i]), *data;
		size_t len;

		if (read_file(f, INBOX_MAX_MESSAGE, &data, &len, &cause) != 0) {
			cmd_error_cause(cause);
			cause = NULL;
		} else
			push_raw(list, n, data, len);
		free(f);
		free(names[i]);
	}
	free(names);
	free(path);
	return 0;
}

/* The messages of an mbox file: split at lines starting "From ". */
static int
read_mbox(const char *path, struct raw **list, size_t *n)
{
	char *data, *cause = NULL;
	size_t len, i, start = 0;
	int in = 0;

	if (read_file(path, (size_t)256 << 20, &data, &len, &cause) != 0) {
		cmd_error_cause(cause);
		return -1;
	}
	for (i = 0; i <= len; i++) {
		if (i == len || ((i == 0 || data[i - 1] == '\n') && len - i >= 5 &&
		    strncmp(data + i, "From ", 5) == 0)) {
			if (in && i > start)
				push_raw(list, n, xstrndup(data + start, i - start), i - start);
			if (i == len)
				break;
			while (i < len && data[i] != '\n')
				i++;
			start = i + 1;
			in = 1;
		}
	}
	free(data);
	if (!in) {
		cmd_error(_("%s: not an mbox file (no line starts with \"From \")"), path);
		return -1;
	}
	return 0;
}

/* The messages of the account's IMAP INBOX, over TLS. */
static int
read_imap(const char *config, const char *name, const char *cacert, struct raw **list,
    size_t *n)
{
	char *cause = NULL, *path = config != NULL ? xstrdup(config) : smtp_config_path(&cause);
	struct smtp_account *a;
	struct imap_server s = { 0 };
	char **msgs = NULL;
	size_t *lens = NULL, k, count = 0;
	char *secret = NULL;
	int rc;

	if (path == NULL || (a = smtp_account_load(path, name, &cause)) == NULL) {
		cmd_error_cause(cause);
		free(path);
		return -1;
	}
	free(path);
	if (a->imap_host == NULL) {
		cmd_error(_("account '%s': imap_host is needed to read the inbox"), a->name);
		smtp_account_free(a);
		return -1;
	}
	if (smtp_account_secret(a, &secret, &cause) != 0) {
		cmd_error_cause(cause);
		smtp_account_free(a);
		return -1;
	}
	s.host = a->imap_host;
	s.port = a->imap_port;
	s.user = a->imap_user != NULL ? a->imap_user : a->user;
	s.password = a->password_command != NULL ? secret : NULL;
	s.bearer = a->token_command != NULL ? secret : NULL;
	s.cacert = cacert;
	s.mailbox = "INBOX";
	s.timeout_ms = 60000;
	rc = http_imap_fetch_all(&s, INBOX_MAX_MESSAGE, &msgs, &lens, &count, &cause);
	if (secret != NULL)
		secure_free(secret);
	smtp_account_free(a);
	if (rc != 0) {
		cmd_error_cause(cause);
		return -1;
	}
	for (k = 0; k < count; k++)
		push_raw(list, n, msgs[k], lens[k]);
	free(msgs);
	free(lens);
	return 0;
}

/* What the person does next, as whole sentences. */
static void
print_next(const struct reply_verdict *v, const struct ledger_request *req)
{
	char due[11] = "";

	if (ledger_effective_due(req) != 0)
		date_format(ledger_effective_due(req), due);
	switch (v->cls) {
	case RC_ACKNOWLEDGED:
		if (*due != '\0')
			printf(_("  next:      Nothing to do now: the broker has the request, and the "
			       "answer is due by %s.\n"), due);
		else
			printf(_("  next:      Nothing to do now: the broker has the request.\n"));
		break;
	case RC_VERIFICATION:
		if (v->link != NULL)
			printf(_("  next:      Confirm the request with the broker's link: %s\n"), v->link);
		else if (v->link_withheld)
			printf(_("  next:      The reply asks you to confirm through a link that is not on "
			       "the broker's own domain, so it is not shown. Confirm on the broker's "
			       "website instead, or ask the broker in writing.\n"));
		else
			printf(_("  next:      The broker asks you to confirm the request: read the reply "
			       "(the evidence file) and follow its instructions.\n"));
		break;
	case RC_MORE_INFO:
		printf(_("  next:      The broker asks for more information. Give only what its "
		       "procedure requires; if it asks for more, 'optout followup' writes the letter "
		       "the law supports.\n"));
		break;
	case RC_DENIED:
		printf(_("  next:      The broker refused. If its reason is not one the law allows, "
		       "'optout followup' writes an appeal or a complaint to the regulator.\n"));
		break;
	case RC_COMPLETED:
		printf(_("  next:      Nothing to do: the broker says the request is done.\n"));
		break;
	case RC_BOUNCED:
		printf(_("  next:      The email did not arrive. The broker's address is noted as "
		       "failing; send the request another way (see 'optout plan').\n"));
		break;
	case RC_AUTO_REPLY:
		printf(_("  next:      Nothing to do: this is an automatic reply.\n"));
		break;
	default:
		printf(_("  next:      Read the reply yourself, then record what it says with "
		       "'optout mark'.\n"));
		break;
	}
}

/* Print what became of one message. */
static void
print_result(const struct inbox_result *res, int dry_run)
{
	const struct reply *r = res->reply;
	const struct reply_verdict *v = &res->verdict;
	const struct ledger_request *req = res->request;

	if (res->outcome == IO_UNREADABLE) {
		cmd_error(_("a message in the mailbox was skipped: %s"), res->problem);
		return;
	}
	if (res->outcome == IO_SEEN)
		return;
	if (res->outcome == IO_UNMATCHED) {
		printf(_("(no request) from %s: \"%s\" matches no request; left alone.\n\n"),
		    inbox_addr_domain(r->from_addr) != NULL ? inbox_addr_domain(r->from_addr) : "?",
		    r->subject);
		return;
	}
	printf("%s — %s (%s): %s\n", req->reference, req->broker, request_name(req->request),
	    reply_class_name(v->cls));
	printf(_("  from:      %s\n"), r->from_addr != NULL ? r->from_addr : "?");
	printf(_("  subject:   %s\n"), r->subject);
	if (v->quote != NULL)
		printf(_("  says:      \"%s\"\n"), v->quote);
	if (v->cls == RC_BOUNCED && r->dsn_status != NULL)
		printf(_("  status:    %s\n"), r->dsn_status);
	if (dry_run && res->to != LS_COUNT && res->to != req->state)
		printf(_("  ledger:    would become %s (dry run: nothing written)\n"),
		    ledger_state_name(res->to));
	else if (dry_run)
		printf(_("  ledger:    stays %s (dry run: nothing written)\n"), ledger_state_name(req->state));
	else if (res->changed)
		printf(_("  ledger:    %s -> %s\n"), ledger_state_name(req->state), ledger_state_name(res->to));
	else
		printf(_("  ledger:    still %s (reply recorded)\n"), ledger_state_name(req->state));
	if (res->evidence != NULL)
		printf(_("  evidence:  %s\n"), res->evidence);
	if (res->failing != NULL)
		printf(_("  noted:     %s is failing for %s (in failing-addresses.tsv)\n"), res->failing,
		    req->broker);
	if (res->problem != NULL)
		cmd_error("%s", res->problem);
	print_next(v, req);
	printf("\n");
}

/* optout inbox */
static int
cmd_inbox_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "maildir", required_argument, NULL, 'm' },
		{ "mbox", required_argument, NULL, 'b' },
		{ "account", required_argument, NULL, 'a' },
		{ "config", required_argument, NULL, 'F' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "ledger", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *maildir = NULL, *mbox = NULL, *account = NULL, *config = NULL, *cacert = NULL;
	const char *ledger_file = NULL;
	struct inbox_run run;
	struct inbox_opts io = { 0 };
	struct raw *msgs = NULL;
	size_t n = 0, i, recovered = 0;
	char *cause = NULL, *lp;
	int c, rc = 0, deferred = 0;

	memset(&run, 0, sizeof run);
	while ((c = cmd_getopt(&cmd_inbox, argc, argv, "", longopts)) != -1) {
		switch (c) {
		case 'm': maildir = optarg; break;
		case 'b': mbox = optarg; break;
		case 'a': account = optarg; break;
		case 'F': config = optarg; break;
		case 'C': cacert = optarg; break;
		case 'n': run.dry_run = 1; break;
		case 'L': ledger_file = optarg; break;
		case 'h': cmd_usage(&cmd_inbox, stdout); return 0;
		default: return EX_USAGE;
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_inbox, _("unexpected argument '%s'"), argv[optind]);
	if ((maildir != NULL) + (mbox != NULL) + (account != NULL) != 1)
		return cmd_usage_error(&cmd_inbox, _("give one of --maildir DIR, --mbox FILE or "
		    "--account NAME"));
	if ((rc = cmd_open_existing_ledger(ledger_file, &run.ledger)) != 0)
		return rc;
	if ((rc = cmd_load_inputs(NULL, NULL, &run.in)) != 0) {
		ledger_close(run.ledger);
		return rc;
	}
	if (!run.dry_run && ledger_recover(run.ledger, &recovered, &deferred, &cause) != 0) {
		cmd_error_cause(cause);
		rc = EX_DATAERR;
		goto out;
	}
	lp = xstrdup(ledger_files_base(run.ledger));
	*strrchr(lp, '/') = '\0';
	run.evidence_dir = xasprintf("%s/evidence", lp);
	free(lp);
	if (maildir != NULL) {
		if (read_maildir_sub(maildir, "new", &msgs, &n) != 0 ||
		    read_maildir_sub(maildir, "cur", &msgs, &n) != 0)
			rc = EX_NOINPUT;
	} else if (mbox != NULL) {
		if (read_mbox(mbox, &msgs, &n) != 0)
			rc = EX_NOINPUT;
	} else if (read_imap(config, account, cacert, &msgs, &n) != 0)
		rc = EX_UNAVAILABLE;
	if (rc != 0)
		goto out;
	io.ledger = run.ledger;
	io.reg = run.in.reg;
	io.laws = run.in.laws;
	io.evidence_dir = run.evidence_dir;
	io.dry_run = run.dry_run;
	for (i = 0; i < n; i++) {
		struct inbox_result res;

		if (inbox_handle(&io, msgs[i].data, msgs[i].len, &res, &cause) != 0) {
			cmd_error_cause(cause);
			inbox_result_clear(&res);
			rc = EX_DATAERR;
			goto out;
		}
		print_result(&res, run.dry_run);
		run.matched += res.outcome == IO_MATCHED;
		run.unmatched += res.outcome == IO_UNMATCHED;
		run.seen += res.outcome == IO_SEEN;
		inbox_result_clear(&res);
	}
	printf(_("Replies matched: %zu; not matched: %zu; read before: %zu.\n"), run.matched,
	    run.unmatched, run.seen);
	if (run.dry_run)
		printf(_("Dry run: nothing was written.\n"));
out:
	for (i = 0; i < n; i++)
		secure_free(msgs[i].data);
	free(msgs);
	free(run.evidence_dir);
	cmd_inputs_free(&run.in);
	ledger_close(run.ledger);
	return rc;
}
