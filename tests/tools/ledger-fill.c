/*
 * ledger-fill: record synthetic requests through the ledger API, for the
 * end-to-end tests of 'optout status' and 'optout mark' (optout itself has
 * no way to write made-up requests).
 *
 *   ledger-fill LEDGER SPEC...
 *
 * SPEC is CLIENT:BROKER:REQUEST:LAW:CHANNEL[:HOW@YYYY-MM-DD], HOW being
 * "sent" (begin_send and finish_send, no network), "mailed" (ledger_mark)
 * "sending" (begin_send alone: a send a crash interrupted), or "planned"
 * (only recorded).  The date is also the day the request was planned.
 * The deadline is the law's for that request type, read from
 * $OPTOUT_DATADIR/letters/laws.json.  Prints "REFERENCE new|existing STATE"
 * per spec.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optout/laws.h"
#include "optout/ledger.h"
#include "optout/util.h"
#include "optout/vault.h"

/* Print the cause and exit 1. */
static void
die(char *cause)
{
	fprintf(stderr, "ledger-fill: %s\n", cause != NULL ? cause : "unknown error");
	free(cause);
	exit(1);
}

/* Record one spec, or exit on error. */
static void
fill_one(struct ledger *l, const struct laws *laws, const char *spec)
{
	char *copy = xstrdup(spec), *field[6] = { NULL }, *save = NULL, *p, *cause = NULL;
	char ref[16];
	struct ledger_entry e;
	struct deadline d;
	const struct law *law;
	enum ledger_state state;
	long long id;
	int n = 0, existed;
	date_t when = 0;

	for (p = strtok_r(copy, ":", &save); p != NULL && n < 6; p = strtok_r(NULL, ":", &save))
		field[n++] = p;
	if (n < 5)
		die(xasprintf("%s: expected CLIENT:BROKER:REQUEST:LAW:CHANNEL[:HOW@DATE]", spec));
	memset(&e, 0, sizeof e);
	e.client = field[0];
	e.broker = field[1];
	e.procedure = "synthetic";
	e.law = field[3];
	if (request_parse(field[2], &e.request) != 0 || channel_parse(field[4], &e.channel) != 0)
		die(xasprintf("%s: bad request type or channel", spec));
	if ((law = laws_find(laws, e.law)) == NULL)
		die(xasprintf("%s: no law %s", spec, e.law));
	law_deadline(law, e.request, &d);
	e.deadline_days = d.days;
	e.deadline_unit = d.unit;
	e.extension_days = d.extension_days;
	e.extension_unit = d.extension_unit;
	if (field[5] != NULL) {
		char *at = strchr(field[5], '@');

		if (at == NULL || date_parse(at + 1, &when) != 0)
			die(xasprintf("%s: expected HOW@YYYY-MM-DD", spec));
		*at = '\0';
		e.created = when;
	}
	vault_new_reference(ref);
	e.reference = ref;
	if (ledger_record(l, &e, &id, &existed, &state, &cause) != 0)
		die(cause);
	if (!existed && field[5] != NULL) {
		if (strcmp(field[5], "sent") == 0) {
			if (ledger_begin_send(l, id, &cause) != 0 ||
			    ledger_finish_send(l, id, 1, "<synthetic@test.invalid>", when, laws, NULL,
			    &cause) != 0)
				die(cause);
			state = LS_SENT;
		} else if (strcmp(field[5], "planned") == 0) {
			state = LS_PLANNED;
		} else if (strcmp(field[5], "sending") == 0) {
			if (ledger_begin_send(l, id, &cause) != 0)
				die(cause);
			state = LS_SENDING;
		} else if (strcmp(field[5], "mailed") == 0) {
			if (ledger_mark(l, ref, LS_MAILED, NULL, NULL, NULL, when, laws, NULL, &cause) != 0)
				die(cause);
			state = LS_MAILED;
		} else
			die(xasprintf("%s: '%s' is not sent, mailed, sending or planned", spec, field[5]));
	}
	printf("%s %s %s\n", ref, existed ? "existing" : "new", ledger_state_name(state));
	free(copy);
}

/* Record every spec on the command line. */
int
main(int argc, char **argv)
{
	struct ledger *l;
	struct laws *laws;
	char *cause = NULL;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: ledger-fill LEDGER SPEC...\n");
		return 2;
	}
	if (vault_init(&cause) != 0 || (laws = laws_load(data_dir(), &cause)) == NULL ||
	    (l = ledger_open(argv[1], &cause)) == NULL)
		die(cause);
	for (i = 2; i < argc; i++)
		fill_one(l, laws, argv[i]);
	ledger_close(l);
	laws_free(laws);
	return 0;
}
