/*
 * ledger-crash: the worker and the checker of the ledger's crash test
 * (tests/e2e/ledger-crash.sh kills the worker at random points).
 *
 *   ledger-crash run LEDGER M [K FILE]
 *                                record and "send" M requests, skipping
 *                                what is done; prints "recovered N" first;
 *                                with K and FILE, creates FILE once K
 *                                requests have been sent in this run and
 *                                goes on (the test kills it after that, so
 *                                every kill lands while work remains,
 *                                however busy the machine is)
 *   ledger-crash check LEDGER M  check the file and the exact outcome;
 *                                prints "sent S needs-review R"
 *
 * Sending is simulated (no network): begin_send, a pause of up to 2 ms
 * where the network I/O would be, finish_send.  Every tenth request fails
 * on its first attempt and is retried, so failed -> sending is killed too.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "optout/laws.h"
#include "optout/ledger.h"
#include "optout/util.h"

#define CLIENT "crash-client"

/* Print the cause and exit 1. */
static void
die(char *cause)
{
	fprintf(stderr, "ledger-crash: %s\n", cause != NULL ? cause : "unknown error");
	free(cause);
	exit(1);
}

/* The synthetic request number i. */
static void
entry(int i, struct ledger_entry *e, char ref[16], char broker[32])
{
	memset(e, 0, sizeof *e);
	snprintf(ref, 16, "OPT-0000-%04d", i % 10000);
	snprintf(broker, 32, "broker-%d", i);
	e->reference = ref;
	e->client = CLIENT;
	e->broker = broker;
	e->procedure = "delete-email";
	e->request = REQ_DELETE;
	e->law = "us-ca";
	e->channel = CH_EMAIL;
	e->created = date_from_ymd(2026, 11, 2);
	e->deadline_days = 45;
	e->deadline_unit = UNIT_CALENDAR;
	e->extension_days = 45;
	e->extension_unit = UNIT_CALENDAR;
}

/* Where the network I/O would be: a short pause so kills land mid-send. */
static void
pretend_network(void)
{
	struct timespec ts = { 0, (long)(rand() % 2000) * 1000 };

	nanosleep(&ts, NULL);
}

/* Send one request: begin, "network", finish. */
static void
send_one(struct ledger *l, const struct laws *laws, long long id, int ok, const char *ref)
{
	char *cause = NULL, *msgid = xasprintf("<%s@crash.invalid>", ref);

	if (ledger_begin_send(l, id, &cause) != 0)
		die(cause);
	pretend_network();
	if (ledger_finish_send(l, id, ok, ok ? msgid : NULL, date_from_ymd(2026, 11, 2), laws,
	    ok ? NULL : "simulated failure", &cause) != 0)
		die(cause);
	free(msgid);
}

/* Create an empty file: the signal that the run is under way. */
static void
touch(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fclose(f) != 0)
		die(xasprintf("cannot create %s", path));
}

/* The worker: idempotent, so a re-run after a kill finishes the job. */
static int
run(struct ledger *l, const struct laws *laws, int m, long mark_after, const char *mark)
{
	size_t recovered;
	int deferred, i, sent = 0, skipped = 0;
	char *cause = NULL;

	if (ledger_recover(l, &recovered, &deferred, &cause) != 0)
		die(cause);
	if (deferred)
		die(xstrdup("recovery deferred: another process has the ledger open"));
	printf("recovered %zu\n", recovered);
	fflush(stdout);
	srand((unsigned)getpid());
	for (i = 0; i < m; i++) {
		struct ledger_entry e;
		enum ledger_state state;
		char ref[16], broker[32];
		long long id;
		int existed;

		entry(i, &e, ref, broker);
		if (ledger_record(l, &e, &id, &existed, &state, &cause) != 0)
			die(cause);
		if (state != LS_PLANNED && state != LS_FAILED) {
			skipped++;
			continue;
		}
		/* The first attempt of every tenth request fails. */
		if (state == LS_PLANNED && i % 10 == 3) {
			send_one(l, laws, id, 0, ref);
		}
		send_one(l, laws, id, 1, ref);
		sent++;
		if (mark != NULL && sent == mark_after)
			touch(mark);
	}
	printf("done sent %d skipped %d\n", sent, skipped);
	return 0;
}

/* Count a request's events of one kind. */
static size_t
count_kind(const struct ledger_event *ev, size_t n, const char *kind)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += strcmp(ev[i].kind, kind) == 0;
	return k;
}

/* The checker: the file is sound and every request is there exactly once. */
static int
check(struct ledger *l, int m)
{
	struct ledger_request **list;
	size_t n, i, sent = 0, review = 0, recovered;
	int deferred, bad = 0;
	char *cause = NULL, *seen = xcalloc((size_t)m, 1);

	if (ledger_recover(l, &recovered, &deferred, &cause) != 0 ||
	    ledger_check(l, &cause) != 0 || ledger_list(l, NULL, &list, &n, &cause) != 0)
		die(cause);
	if (recovered != 0) {
		fprintf(stderr, "%zu requests were still sending after a completed run\n", recovered);
		bad = 1;
	}
	if (n != (size_t)m) {
		fprintf(stderr, "%zu requests in the ledger, expected %d\n", n, m);
		bad = 1;
	}
	for (i = 0; i < n; i++) {
		const struct ledger_request *r = list[i];
		struct ledger_event *ev;
		size_t nev;
		char *end;
		long k = strncmp(r->reference, "OPT-0000-", 9) == 0 ?
		    strtol(r->reference + 9, &end, 10) : -1;

		/* The worker writes OPT-0000-NNNN for request NNNN. */
		if (k < 0 || k >= m || *end != '\0' || seen[k]++) {
			fprintf(stderr, "%s: unexpected or repeated reference\n", r->reference);
			bad = 1;
			continue;
		}
		if (ledger_events(l, r->id, &ev, &nev, &cause) != 0)
			die(cause);
		if (count_kind(ev, nev, "planned") != 1 || strcmp(ev[0].kind, "planned") != 0) {
			fprintf(stderr, "%s: not exactly one first 'planned' event\n", r->reference);
			bad = 1;
		}
		if (r->state == LS_SENT) {
			char *want = xasprintf("<%s@crash.invalid>", r->reference);

			sent++;
			if (count_kind(ev, nev, "sent") != 1 || r->message_id == NULL ||
			    strcmp(r->message_id, want) != 0 || r->due != date_from_ymd(2026, 12, 17)) {
				fprintf(stderr, "%s: sent, but not exactly once with its "
				    "message id and due date\n", r->reference);
				bad = 1;
			}
			free(want);
		} else if (r->state == LS_NEEDS_REVIEW) {
			review++;
			/* Only a kill between begin_send and finish_send leaves this. */
			if (count_kind(ev, nev, "sent") != 0 || nev < 3 ||
			    strcmp(ev[nev - 2].kind, "sending") != 0) {
				fprintf(stderr, "%s: needs review, but was not interrupted "
				    "while sending\n", r->reference);
				bad = 1;
			}
		} else {
			fprintf(stderr, "%s: left %s\n", r->reference, ledger_state_name(r->state));
			bad = 1;
		}
		ledger_events_free(ev, nev);
	}
	printf("sent %zu needs-review %zu\n", sent, review);
	ledger_list_free(list);
	free(seen);
	return bad;
}

/* ledger-crash run LEDGER M [K FILE] | check LEDGER M */
int
main(int argc, char **argv)
{
	struct ledger *l;
	struct laws *laws;
	char *cause = NULL, *end = NULL, *kend = NULL;
	long m = argc >= 4 ? strtol(argv[3], &end, 10) : 0;
	long k = argc == 6 ? strtol(argv[4], &kend, 10) : 0;
	int rc;

	if ((argc != 4 && argc != 6) || *end != '\0' || m <= 0 || m > 10000 ||
	    (argc == 6 && (*kend != '\0' || k <= 0 || strcmp(argv[1], "run") != 0)) ||
	    (strcmp(argv[1], "run") != 0 && strcmp(argv[1], "check") != 0)) {
		fprintf(stderr, "usage: ledger-crash run LEDGER M [K FILE] | check LEDGER M\n");
		return 2;
	}
	if ((laws = laws_load(data_dir(), &cause)) == NULL ||
	    (l = ledger_open(argv[2], &cause)) == NULL)
		die(cause);
	rc = strcmp(argv[1], "run") == 0 ? run(l, laws, (int)m, k, argc == 6 ? argv[5] : NULL) :
	    check(l, (int)m);
	ledger_close(l);
	laws_free(laws);
	return rc;
}
