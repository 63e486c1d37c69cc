/* optout mark: record what happened to a request (mailed, answered, extended, closed). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "optout/i18n.h"
#include "optout/ledger.h"

#define TRACKING_MAX 64
#define NOTE_MAX 500
#define REASON_MAX 1000

static int cmd_mark_run(int argc, char **argv);

static const struct cmd_word mark_states[] = {
	{ "mailed", NULL, N_("you posted the letter; until its delivery is recorded the deadline "
	    "runs from --date plus the mail-transit allowance (business days, letters/laws.json)") },
	{ "delivered", NULL, N_("the broker received it on --date (return receipt, carrier "
	    "tracking): the deadline runs from that day") },
	{ "sent", NULL, N_("you sent the email or filled in the web form yourself (the deadline "
	    "starts on --date)") },
	{ "acknowledged", NULL, N_("the broker confirmed it received the request") },
	{ "extended", NULL, N_("the broker gave notice that it takes the extension the law "
	    "allows; refused when the notice came after the first period") },
	{ "completed", NULL, N_("the broker did what was asked") },
	{ "denied", NULL, N_("the broker refused; give its words with --reason") },
	{ "failed", NULL, N_("a request to review (interrupted while being sent) did not go out; "
	    "it can be sent again") },
	{ "filed", NULL, N_("with DROP for REFERENCE: you filed a deletion request through "
	    "California's Delete Request and Opt-out Platform on --date; 'optout status' then shows "
	    "when registered brokers must next process it") },
	{ NULL },
};

static const struct cmd_option mark_options[] = {
	{ "date", 0, "DAY", N_("the day it happened (default: today)"), CMD_ARG_TEXT },
	{ "tracking", 0, "N", N_("the mail tracking number (letters, digits, spaces, '-')"),
	    CMD_ARG_TEXT },
	{ "reason", 0, "TEXT", N_("with denied: what the broker said, quoted as its words in a "
	    "complaint or appeal"), CMD_ARG_TEXT },
	{ "note", 0, "TEXT", N_("a note for yourself, never printed in anything sent; never a "
	    "name, address or other personal data: the ledger holds none"), CMD_ARG_TEXT },
	{ "client", 0, "LABEL", N_("with DROP: whose filing (the profile's label); needed when "
	    "the ledger holds more than one client"), CMD_ARG_TEXT },
	CMD_OPT_LEDGER,
	{ NULL },
};

const struct command cmd_mark = {
	.name = "mark",
	.usage = "REFERENCE|DROP mailed|delivered|acknowledged|extended|completed|denied|sent|"
		 "failed|filed [--tracking N] [--reason TEXT] [--note TEXT] [--client LABEL] "
		 "[--date YYYY-MM-DD] [--ledger FILE]",
	.summary = N_("record what happened to a request: mailed, sent, acknowledged, extended, "
		   "completed, denied"),
	.words_title = N_("States:"),
	.words = mark_states,
	.options = mark_options,
	.operands = { CMD_ARG_REF, CMD_ARG_WORDS },
	.run = cmd_mark_run,
};

/* A tracking number: letters, digits, spaces and dashes. */
static int
valid_tracking(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= TRACKING_MAX || !((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == ' ' || s[i] == '-'))
			return 0;
	}
	return i > 0;
}

/* A note or reason: one line of printable text of at most max bytes. */
static int
valid_note(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= max || (unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	}
	return 1;
}

/* Say what the ledger now holds for the request. */
static void
print_result(const struct ledger_request *r, enum ledger_state to, date_t on)
{
	char day[11], due[11], from[11], *s;

	date_format(on, day);
	date_format(r->due, due);
	switch (to) {
	case LS_MAILED:
		s = deadline_words(r->deadline_days, r->deadline_unit);
		date_format(r->clock_start, from);
		printf(_("%s: mailed on %s; due %s (%s from %s, the expected delivery after the "
		    "mail-transit allowance).\n"), r->reference, day, due, s, from);
		printf(_("When it is delivered, run 'optout mark %s delivered --date YYYY-MM-DD' to "
		    "count from the day of receipt.\n"), r->reference);
		free(s);
		break;
	case LS_SENT:
		s = deadline_words(r->deadline_days, r->deadline_unit);
		printf(_("%s: sent on %s; due %s (%s from the day it was sent).\n"), r->reference, day,
		    due, s);
		free(s);
		break;
	case LS_ACKNOWLEDGED:
		printf(_("%s: acknowledged on %s; still due %s.\n"), r->reference, day, due);
		break;
	case LS_EXTENDED:
		s = deadline_words(r->extension_days, r->extension_unit);
		date_format(r->extended_due, due);
		printf(_("%s: extended (notice on %s); now due %s (%s more).\n"), r->reference, day,
		    due, s);
		free(s);
		break;
	case LS_FAILED:
		printf(_("%s: failed; it can be sent again.\n"), r->reference);
		break;
	default:
		printf(_("%s: %s on %s.\n"), r->reference, ledger_state_name(to), day);
		break;
	}
	if (to == LS_MAILED && r->tracking != NULL)
		printf(_("Tracking number: %s\n"), r->tracking);
}

/* Say from which day the deadline of a delivered request now runs. */
static void
print_delivered(const struct ledger_request *r, date_t on)
{
	char day[11], due[11], *s = deadline_words(r->deadline_days, r->deadline_unit);

	date_format(on, day);
	date_format(ledger_effective_due(r), due);
	printf(_("%s: delivered on %s; due %s (%s from the day of receipt).\n"), r->reference, day,
	    due, s);
	free(s);
}

/* optout mark DROP filed: record the person's DROP filing and say when it is next processed. */
static int
mark_drop(const char *ledger_file, const char *client, date_t on, date_t today)
{
	struct drop_info drop;
	struct ledger *l = NULL;
	struct laws *laws;
	char *cause = NULL, *used = NULL, day[11], start[11], next[11];
	int rc;

	if ((laws = laws_load(data_dir(), &cause)) == NULL) {
		cmd_error_cause(cause);
		return EX_DATAERR;
	}
	if (laws_drop(laws, NULL, NULL, on, &drop) != 0) {
		date_format(on, day);
		cmd_error(_("--date: DROP did not take requests on %s (letters/laws.json has no "
		    "DROP open then)"), day);
		laws_free(laws);
		return EX_DATAERR;
	}
	if ((rc = cmd_open_existing_ledger(ledger_file, &l)) != 0) {
		laws_free(laws);
		return rc;
	}
	if (ledger_record_drop(l, client, drop.law->id, on, &used, &cause) != 0) {
		cmd_error_cause(cause);
		rc = client == NULL ? EX_USAGE : EX_DATAERR;
		goto out;
	}
	date_format(on, day);
	date_format(drop.processing_from, start);
	date_format(drop_next_check(&drop, on, today), next);
	printf(_("DROP: filed on %s for client %s.\n"), day, used);
	printf(_("From %s registered data brokers must process DROP requests at least every %d "
	    "days (%s): the next processing is due by %s.\n"), start, drop.cycle_days,
	    drop.cycle_citation, next);
	rc = 0;
out:
	free(used);
	ledger_close(l);
	laws_free(laws);
	return rc;
}

/* optout mark REFERENCE STATE */
static int
cmd_mark_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "tracking", required_argument, NULL, 't' },
		{ "note", required_argument, NULL, 'n' },
		{ "reason", required_argument, NULL, 'r' },
		{ "date", required_argument, NULL, 'd' },
		{ "ledger", required_argument, NULL, 'L' },
		{ "client", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const enum ledger_state allowed[] = { LS_MAILED, LS_ACKNOWLEDGED, LS_EXTENDED,
		LS_COMPLETED, LS_DENIED, LS_SENT, LS_FAILED };
	const char *ledger_file = NULL, *tracking = NULL, *note = NULL, *date = NULL;
	const char *reason = NULL, *client = NULL;
	enum ledger_state to;
	int delivered = 0;
	struct ledger *l = NULL;
	struct ledger_request *after = NULL;
	struct laws *laws;
	date_t on, today = date_today();
	size_t i, recovered = 0;
	int c, rc, deferred = 0;
	char *cause = NULL;

	while ((c = cmd_getopt(&cmd_mark, argc, argv, "", longopts)) != -1) {
		switch (c) {
		case 't': tracking = optarg; break;
		case 'n': note = optarg; break;
		case 'r': reason = optarg; break;
		case 'd': date = optarg; break;
		case 'L': ledger_file = optarg; break;
		case 'c': client = optarg; break;
		case 'h': cmd_usage(&cmd_mark, stdout); return 0;
		default: return EX_USAGE;
		}
	}
	if (argc - optind < 2)
		return cmd_usage_error(&cmd_mark, _("give a request reference and what happened, "
		    "e.g. 'optout mark OPT-ABCD-1234 mailed'"));
	if (argc - optind > 2)
		return cmd_usage_error(&cmd_mark, _("unexpected argument '%s'"), argv[optind + 2]);
	if (strcmp(argv[optind], "DROP") == 0) {
		if (strcmp(argv[optind + 1], "filed") != 0)
			return cmd_usage_error(&cmd_mark, _("DROP: the only thing to record is "
			    "'filed', e.g. 'optout mark DROP filed --date YYYY-MM-DD'"));
		if (tracking != NULL || note != NULL || reason != NULL)
			return cmd_usage_error(&cmd_mark, _("DROP filed takes --date, --client and "
			    "--ledger only"));
		on = today;
		if (date != NULL && date_parse(date, &on) != 0)
			return cmd_usage_error(&cmd_mark, _("--date: '%s' is not a date "
			    "(YYYY-MM-DD)"), date);
		if (on > today)
			return cmd_usage_error(&cmd_mark, _("--date: %s is in the future"), date);
		return mark_drop(ledger_file, client, on, today);
	}
	if (client != NULL)
		return cmd_usage_error(&cmd_mark, _("--client goes with 'DROP filed' only"));
	for (i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
		if (strcmp(argv[optind + 1], ledger_state_name(allowed[i])) == 0)
			break;
	delivered = strcmp(argv[optind + 1], "delivered") == 0;
	if (i == sizeof allowed / sizeof allowed[0] && !delivered)
		return cmd_usage_error(&cmd_mark, _("'%s' is not one of mailed, delivered, "
		    "acknowledged, extended, completed, denied, sent, failed"), argv[optind + 1]);
	to = delivered ? LS_MAILED : allowed[i];
	if (reason != NULL && (delivered || to != LS_DENIED))
		return cmd_usage_error(&cmd_mark, _("--reason goes with 'denied': it records what the "
		    "broker said when it refused (use --note for your own notes)"));
	if (delivered && note != NULL)
		return cmd_usage_error(&cmd_mark, _("--note does not go with 'delivered'"));
	on = today;
	if (date != NULL && date_parse(date, &on) != 0)
		return cmd_usage_error(&cmd_mark, _("--date: '%s' is not a date (YYYY-MM-DD)"), date);
	if (on > today)
		return cmd_usage_error(&cmd_mark, _("--date: %s is in the future"), date);
	if (tracking != NULL && !valid_tracking(tracking))
		return cmd_usage_error(&cmd_mark, _("--tracking: expected at most %d letters, digits, "
		    "spaces or '-'"), TRACKING_MAX);
	if (note != NULL && !valid_note(note, NOTE_MAX))
		return cmd_usage_error(&cmd_mark, _("--note: expected one line of at most %d bytes"),
		    NOTE_MAX);
	if (reason != NULL && (!valid_note(reason, REASON_MAX) || *reason == '\0'))
		return cmd_usage_error(&cmd_mark, _("--reason: expected the broker's words on one line "
		    "of at most %d bytes"), REASON_MAX);
	if ((rc = cmd_open_existing_ledger(ledger_file, &l)) != 0)
		return rc;
	/* The holidays, for deadlines counted in business days. */
	if ((laws = laws_load(data_dir(), &cause)) == NULL) {
		cmd_error_cause(cause);
		ledger_close(l);
		return EX_DATAERR;
	}
	/* As in status: a crash may have left a send half done; flag it before anything else. */
	if (ledger_recover(l, &recovered, &deferred, &cause) != 0) {
		cmd_error_cause(cause);
		rc = EX_DATAERR;
		goto out;
	}
	if (recovered > 0)
		cmd_error(i18n_ngettext("%zu request was interrupted while being sent and now needs "
		    "review (see 'optout status')", "%zu requests were interrupted while being sent "
		    "and now need review (see 'optout status')", recovered), recovered);
	if (delivered)
		rc = ledger_mark_delivered(l, argv[optind], tracking, on, laws, &after, &cause);
	else
		rc = ledger_mark(l, argv[optind], to, tracking, note, reason, on, laws, &after,
		    &cause);
	if (rc != 0) {
		cmd_error_cause(cause);
		rc = EX_DATAERR;
	} else if (delivered) {
		print_delivered(after, on);
		ledger_request_free(after);
	} else {
		print_result(after, to, on);
		ledger_request_free(after);
	}
out:
	ledger_close(l);
	laws_free(laws);
	return rc;
}
