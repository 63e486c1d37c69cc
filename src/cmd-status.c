/* optout status: every recorded request with its state, due date and days left. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "optout/i18n.h"
#include "optout/ics.h"
#include "optout/jv.h"
#include "optout/ledger.h"

static int cmd_status_run(int argc, char **argv);

static const struct cmd_option status_options[] = {
	{ "overdue", 0, NULL, N_("only requests past their due date without an answer") },
	{ "client", 0, "LABEL", N_("only this client's requests (the profile's label)"),
	    CMD_ARG_TEXT },
	{ "by", 0, "SEAT", N_("only requests with a step recorded by this seat (its OPTOUT_SEAT, "
	    "database user or login name)"), CMD_ARG_TEXT },
	{ "json", 0, NULL, N_("machine-readable output") },
	{ "ics", 0, "FILE", N_("also write the due dates (answers and appeals) as an iCalendar "
	    "file for a calendar program"), CMD_ARG_FILE },
	{ "ledger", 0, "FILE", N_("the ledger to read (default: $XDG_DATA_HOME/optout/ledger.db)"),
	    CMD_ARG_FILE },
	{ NULL },
};

const struct command cmd_status = {
	.name = "status",
	.usage = "[--overdue] [--client LABEL] [--by SEAT] [--json] [--ics FILE] [--ledger FILE]",
	.summary = N_("show each recorded request with its state, due date and days left"),
	.options = status_options,
	.help =
	    N_("Days are counted from today; a request's due date follows the law it stands on\n"
	    "(calendar days, business days without weekends and holidays, or months),\n"
	    "counted from the day the broker received it: the delivery you recorded, else\n"
	    "for a letter its mailing day plus the mail-transit allowance, else the day an\n"
	    "email or form was sent.  FROM shows which.  A refusal under appeal shows the\n"
	    "day the business's answer to the appeal is due.\n"),
	.run = cmd_status_run,
};

/* Days left as words: "12 days", "due today", "overdue by 3 days"; "-" when none runs. */
static char *
left_text(const struct ledger_request *r, date_t today)
{
	long left;

	if (r->state == LS_NEEDS_REVIEW)
		return xstrdup(_("check it"));
	if (r->state == LS_DENIED && r->appeal_due != 0) {
		left = r->appeal_due - today;
		if (left < 0)
			return xasprintf(i18n_ngettext("appeal overdue by %ld day",
			    "appeal overdue by %ld days", (unsigned long)-left), -left);
		return xasprintf(i18n_ngettext("appeal: %ld day", "appeal: %ld days",
		    (unsigned long)left), left);
	}
	if (!ledger_state_awaiting(r->state))
		return xstrdup("-");
	left = ledger_effective_due(r) - today;
	if (left == 0)
		return xstrdup(_("due today"));
	if (left < 0)
		return xasprintf(i18n_ngettext("overdue by %ld day", "overdue by %ld days",
		    (unsigned long)-left), -left);
	return xasprintf(i18n_ngettext("%ld day", "%ld days", (unsigned long)left), left);
}

/* The day the clock runs from and why: "2026-12-14 (est.)", "2026-12-09 (rcvd)", "-". */
static char *
from_text(const struct ledger_request *r)
{
	char day[11];

	if (r->clock_start == 0)
		return xstrdup("-");
	date_format(r->clock_start, day);
	switch (r->clock_basis) {
	case LC_TRANSIT:
		return xasprintf(_("%s mail est."), day);
	case LC_RECEIVED:
		return xasprintf(_("%s delivered"), day);
	case LC_SENT:
	default:
		return xasprintf(_("%s sent"), day);
	}
}

/* A date as text, or "-". */
static void
day_text(date_t d, char out[11])
{
	if (d == 0) {
		out[0] = '-';
		out[1] = '\0';
	} else
		date_format(d, out);
}

/* Set a date field, or null. */
static void
set_date(struct jv *o, const char *key, date_t d)
{
	char day[11];

	if (d == 0) {
		jv_set(o, key, jv_new_null());
		return;
	}
	date_format(d, day);
	jv_set_str(o, key, day);
}

/* One request as JSON. */
static struct jv *
request_jv(const struct ledger_request *r, date_t today)
{
	struct jv *o = jv_new_object();
	char *s;

	jv_set_str(o, "kind", "request");
	jv_set_str(o, "reference", r->reference);
	jv_set_str(o, "client", r->client);
	jv_set_str(o, "broker", r->broker);
	jv_set_str(o, "procedure", r->procedure);
	jv_set_str(o, "request", request_name(r->request));
	jv_set_str(o, "law", r->law);
	jv_set_str(o, "channel", channel_name(r->channel));
	jv_set_str(o, "state", ledger_state_name(r->state));
	set_date(o, "created", r->created);
	set_date(o, "sent", r->sent);
	set_date(o, "due", r->due);
	set_date(o, "extended_due", r->extended_due);
	set_date(o, "closed", r->closed);
	set_date(o, "received", r->received);
	set_date(o, "clock_start", r->clock_start);
	if (r->clock_start != 0)
		jv_set_str(o, "clock_basis", ledger_clock_name(r->clock_basis));
	else
		jv_set(o, "clock_basis", jv_new_null());
	set_date(o, "appeal_due", r->appeal_due);
	if (r->state == LS_DENIED && r->appeal_due != 0)
		jv_set(o, "appeal_days_left", jv_new_int(r->appeal_due - today));
	else
		jv_set(o, "appeal_days_left", jv_new_null());
	s = deadline_text(r->deadline_days, r->deadline_unit);
	jv_set_str(o, "deadline", s);
	free(s);
	if (r->extension_days > 0) {
		s = deadline_text(r->extension_days, r->extension_unit);
		jv_set_str(o, "extension", s);
		free(s);
	} else
		jv_set(o, "extension", jv_new_null());
	if (ledger_state_awaiting(r->state)) {
		jv_set(o, "days_left", jv_new_int(ledger_effective_due(r) - today));
		jv_set(o, "overdue", jv_new_bool(ledger_effective_due(r) < today));
	} else {
		jv_set(o, "days_left", jv_new_null());
		jv_set(o, "overdue", jv_new_bool(0));
	}
	jv_set_str(o, "message_id", r->message_id);
	jv_set_str(o, "tracking", r->tracking);
	return o;
}

/* Widen a column to fit s. */
static void
widen(int *w, const char *s)
{
	int k = (int)utf8_width(s, strlen(s));

	if (k > *w)
		*w = k;
}

/* The table for people, and a line of totals. */
static void
print_table(struct ledger_request **list, size_t n, date_t today)
{
	/* TRANSLATORS: column headers of 'optout status'. */
	static const char *const heads[] = { N_("REFERENCE"), N_("CLIENT"), N_("BROKER"),
		N_("REQUEST"), N_("STATE"), N_("FROM"), N_("DUE"), N_("LEFT") };
	/* Minimum widths; every column but the last widens to its header and its cells. */
	int w[7] = { 0, 0, 0, 7, 12, 20, 10 };
	size_t i, k, awaiting = 0, overdue = 0, review = 0;

	for (k = 0; k < 7; k++)
		widen(&w[k], _(heads[k]));
	for (i = 0; i < n; i++) {
		char *from = from_text(list[i]);

		widen(&w[0], list[i]->reference);
		widen(&w[1], list[i]->client);
		widen(&w[2], list[i]->broker);
		widen(&w[5], from);
		free(from);
	}
	for (k = 0; k < 7; k++)
		cmd_cell(_(heads[k]), w[k], "  ");
	printf("%s\n", _(heads[7]));
	for (i = 0; i < n; i++) {
		const struct ledger_request *r = list[i];
		char due[11], *left = left_text(r, today), *from = from_text(r);

		day_text(r->state == LS_DENIED && r->appeal_due != 0 ? r->appeal_due :
		    ledger_effective_due(r), due);
		cmd_cell(r->reference, w[0], "  ");
		cmd_cell(r->client, w[1], "  ");
		cmd_cell(r->broker, w[2], "  ");
		cmd_cell(request_name(r->request), w[3], "  ");
		cmd_cell(ledger_state_name(r->state), w[4], "  ");
		cmd_cell(from, w[5], "  ");
		cmd_cell(due, w[6], "  ");
		printf("%s\n", left);
		free(left);
		free(from);
		if (ledger_state_awaiting(r->state)) {
			awaiting++;
			if (ledger_effective_due(r) < today)
				overdue++;
		}
		if (r->state == LS_NEEDS_REVIEW)
			review++;
	}
	printf(i18n_ngettext("\n%zu request: %zu awaiting an answer, %zu overdue, %zu to review.\n",
	    "\n%zu requests: %zu awaiting an answer, %zu overdue, %zu to review.\n", n), n,
	    awaiting, overdue, review);
	if (review > 0)
		printf(_("A request to review was being sent when optout stopped. Check whether it "
		       "went out,\nthen run 'optout mark REFERENCE sent' or 'optout mark REFERENCE "
		       "failed'.\n"));
}

/* The clients' DROP filings, each with its DROP when the laws still know it (law NULL if not). */
struct drop_row {
	const struct ledger_drop *d;
	struct drop_info drop; /* drop.law is NULL when the filing's law has no DROP now */
	date_t next;           /* the next processing day, 0 without a DROP */
};

/* Read the filings (all clients when client is NULL); 0 or an exit status after an error. */
static int
load_drops(struct ledger *l, const char *client, date_t today, struct ledger_drop **d,
    size_t *n, struct drop_row **rows)
{
	struct laws *laws = NULL;
	char *cause = NULL;
	size_t i;

	*rows = NULL;
	if (ledger_drops(l, client, d, n, &cause) != 0) {
		cmd_error_cause(cause);
		return EX_DATAERR;
	}
	if (*n > 0 && (laws = laws_load(data_dir(), &cause)) == NULL) {
		cmd_error_cause(cause);
		ledger_drops_free(*d, *n);
		*d = NULL;
		*n = 0;
		return EX_DATAERR;
	}
	*rows = xcalloc(*n ? *n : 1, sizeof **rows);
	for (i = 0; i < *n; i++) {
		struct drop_row *r = &(*rows)[i];

		r->d = &(*d)[i];
		if (laws_drop(laws, NULL, NULL, r->d->filed, &r->drop) != 0 ||
		    strcmp(r->drop.law->id, r->d->law) != 0) {
			memset(&r->drop, 0, sizeof r->drop);
			continue;
		}
		r->next = drop_next_check(&r->drop, r->d->filed, today);
		/* The citation outlives the laws: keep a copy in the filing's own strings. */
		r->drop.cycle_citation = r->drop.cycle_citation != NULL ?
		    xstrdup(r->drop.cycle_citation) : NULL;
		r->drop.law = NULL;
	}
	laws_free(laws);
	return 0;
}

static void
drop_rows_free(struct ledger_drop *d, size_t n, struct drop_row *rows)
{
	size_t i;

	for (i = 0; rows != NULL && i < n; i++)
		free((char *)rows[i].drop.cycle_citation);
	free(rows);
	ledger_drops_free(d, n);
}

/*
 * The person's DROP filings: registered brokers process them in cycles, so
 * the line gives the next day by which each must have done so.
 */
static void
print_drops(const struct drop_row *rows, size_t n, int sep)
{
	size_t i;

	if (n > 0 && sep)
		printf("\n");
	for (i = 0; i < n; i++) {
		const struct drop_row *r = &rows[i];
		char filed[11], start[11], next[11];

		date_format(r->d->filed, filed);
		if (r->next == 0) {
			printf(_("DROP (client %s): filed on %s.\n"), r->d->client, filed);
			continue;
		}
		date_format(r->drop.processing_from, start);
		date_format(r->next, next);
		printf(_("DROP (client %s): filed on %s; from %s registered data brokers process it "
		    "at least every %d days (%s); next processing due by %s.\n"), r->d->client, filed,
		    start, r->drop.cycle_days, r->drop.cycle_citation, next);
	}
}

/* A DROP filing as JSON: "kind" tells it from the requests in the same list. */
static struct jv *
drop_jv(const struct drop_row *r)
{
	struct jv *o = jv_new_object();

	jv_set_str(o, "kind", "drop");
	jv_set_str(o, "client", r->d->client);
	jv_set_str(o, "law", r->d->law);
	set_date(o, "filed", r->d->filed);
	set_date(o, "processing_from", r->next != 0 ? r->drop.processing_from : 0);
	if (r->next != 0) {
		jv_set(o, "cycle_days", jv_new_int(r->drop.cycle_days));
		jv_set_str(o, "cycle_citation", r->drop.cycle_citation);
	} else {
		jv_set(o, "cycle_days", jv_new_null());
		jv_set(o, "cycle_citation", jv_new_null());
	}
	set_date(o, "next_processing", r->next);
	return o;
}

/*
 * Write the running due dates, and each DROP filing's next processing day, as an
 * iCalendar file (atomically); 0 or -1 with *cause.
 */
static int
write_ics(const char *path, struct ledger_request **list, size_t n, const struct drop_row *drops,
    size_t ndrops, char **cause)
{
	struct ics_event *ev = xcalloc(n + ndrops ? n + ndrops : 1, sizeof *ev);
	char **own = xcalloc(n + ndrops ? 3 * (n + ndrops) : 1, sizeof *own), stamp[20], *text;
	char filed[11];
	size_t i, k = 0, o = 0;
	struct tm tm;
	time_t now = time(NULL);
	int rc;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	for (i = 0; i < n; i++) {
		const struct ledger_request *r = list[i];
		int appeal = r->state == LS_DENIED && r->appeal_due != 0;

		if (!appeal && !ledger_state_awaiting(r->state))
			continue;
		ev[k].day = appeal ? r->appeal_due : ledger_effective_due(r);
		ev[k].uid = own[o++] = xasprintf("%s-%s@optout", r->reference, appeal ? "appeal" :
		    "due");
		ev[k].summary = own[o++] = appeal ?
		    xasprintf("optout %s: %s's answer to the appeal is due (%s request)",
		    r->reference, r->broker, request_name(r->request)) :
		    xasprintf("optout %s: %s's answer is due (%s request)", r->reference, r->broker,
		    request_name(r->request));
		ev[k].description = own[o++] = xasprintf("Client %s. If no complete answer has come, "
		    "run 'optout followup' for the next letter.", r->client);
		k++;
	}
	for (i = 0; i < ndrops; i++) {
		if (drops[i].next == 0)
			continue;
		ev[k].day = drops[i].next;
		ev[k].uid = own[o++] = xasprintf("DROP-%s-%s-processing@optout", drops[i].d->client,
		    drops[i].d->law);
		ev[k].summary = own[o++] = xasprintf("optout DROP: registered data brokers must have "
		    "processed client %s's DROP request (%s)", drops[i].d->client,
		    drops[i].drop.cycle_citation);
		date_format(drops[i].d->filed, filed);
		ev[k].description = own[o++] = xasprintf("Filed on DROP on %s; registered data brokers "
		    "process it at least every %d days.", filed, drops[i].drop.cycle_days);
		k++;
	}
	text = ics_render(ev, k, stamp);
	rc = write_file_atomic(path, text, strlen(text), 0600, cause);
	free(text);
	for (i = 0; i < o; i++)
		free(own[i]);
	free(own);
	free(ev);
	return rc;
}

/* optout status */
static int
cmd_status_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "overdue", no_argument, NULL, 'o' },
		{ "client", required_argument, NULL, 'c' },
		{ "by", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "ics", required_argument, NULL, 'i' },
		{ "ledger", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ledger_file = NULL, *ics = NULL;
	struct ledger_filter f;
	struct ledger *l = NULL;
	struct ledger_request **list = NULL;
	struct ledger_drop *drops = NULL;
	struct drop_row *rows = NULL;
	date_t today = date_today();
	size_t n = 0, recovered = 0, ndrops = 0, i;
	int overdue = 0, json = 0, deferred = 0, c, rc;
	char *cause = NULL;

	memset(&f, 0, sizeof f);
	while ((c = cmd_getopt(&cmd_status, argc, argv, "", longopts)) != -1) {
		switch (c) {
		case 'o': overdue = 1; break;
		case 'c': f.client = optarg; break;
		case 'b': f.by = optarg; break;
		case 'j': json = 1; break;
		case 'i': ics = optarg; break;
		case 'L': ledger_file = optarg; break;
		case 'h': cmd_usage(&cmd_status, stdout); return 0;
		default: return EX_USAGE;
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_status, _("unexpected argument '%s'"), argv[optind]);
	if (f.client != NULL && *f.client == '\0')
		return cmd_usage_error(&cmd_status, _("--client needs a label"));
	if (f.by != NULL && *f.by == '\0')
		return cmd_usage_error(&cmd_status, _("--by needs a seat's name"));
	if (overdue)
		f.overdue_on = today;
	if ((rc = cmd_open_existing_ledger(ledger_file, &l)) != 0)
		return rc;
	/* A crash may have left a request half-sent: say so before anything else. */
	if (ledger_recover(l, &recovered, &deferred, &cause) != 0 ||
	    ledger_list(l, &f, &list, &n, &cause) != 0) {
		cmd_error_cause(cause);
		ledger_close(l);
		return EX_DATAERR;
	}
	if (recovered > 0)
		cmd_error(i18n_ngettext("%zu request was interrupted while being sent and now needs "
		    "review", "%zu requests were interrupted while being sent and now need review",
		    recovered), recovered);
	/* The DROP filings go with the list, but not with --overdue: they are never overdue. */
	if (!overdue && (rc = load_drops(l, f.client, today, &drops, &ndrops, &rows)) != 0) {
		ledger_list_free(list);
		ledger_close(l);
		return rc;
	}
	if (ics != NULL && write_ics(ics, list, n, rows, ndrops, &cause) != 0) {
		cmd_error_cause(cause);
		drop_rows_free(drops, ndrops, rows);
		ledger_list_free(list);
		ledger_close(l);
		return EX_CANTCREAT;
	}
	if (json) {
		struct jv *out = jv_new_array();
		char *s;

		for (i = 0; i < n; i++)
			jv_push(out, request_jv(list[i], today));
		for (i = 0; i < ndrops; i++)
			jv_push(out, drop_jv(&rows[i]));
		s = jv_dump(out, 1);
		printf("%s\n", s);
		free(s);
		jv_free(out);
	} else if (n == 0)
		printf("%s\n", overdue ? _("No overdue requests.") :
		    f.client != NULL ? _("No requests for this client.") : _("No requests in the ledger."));
	else
		print_table(list, n, today);
	if (!json)
		print_drops(rows, ndrops, n > 0);
	drop_rows_free(drops, ndrops, rows);
	ledger_list_free(list);
	ledger_close(l);
	return rc;
}
