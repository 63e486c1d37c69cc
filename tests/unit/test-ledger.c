/*
 * Unit tests for the ledger: schema and migrations, idempotent recording,
 * every state transition, the extension-notice rule, deadlines in calendar
 * days, business days (weekends and holidays) and months, the overdue
 * filter, crash recovery, file modes, and that no personal data is stored.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "optout/laws.h"
#include "optout/ledger.h"
#include "optout/plan.h"
#include "optout/profile.h"
#include "optout/registry.h"
#include "optout/util.h"
#include "optout/vault.h"

/* What every test shares: a private folder and the real laws. */
static char *dir;
static struct laws *laws;
static int serial;

/* Parse a date that must be valid. */
static date_t
d(const char *s)
{
	date_t v;

	assert_int_equal(date_parse(s, &v), 0);
	return v;
}

/* Format a date (0 as "-") into one of a few static buffers. */
static const char *
f(date_t v)
{
	static char out[4][11];
	static int k;

	k = (k + 1) % 4;
	if (v == 0)
		return "-";
	date_format(v, out[k]);
	return out[k];
}

/* Remove one entry of the test folder. */
static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A folder for the ledgers, the laws, and a fixed today. */
static int
group_setup(void **state)
{
	char tmpl[] = "/tmp/optout-test-ledger.XXXXXX";
	char *cause = NULL;

	(void)state;
	if (mkdtemp(tmpl) == NULL)
		return -1;
	dir = xstrdup(tmpl);
	setenv("OPTOUT_TODAY", "2026-12-01", 1);
	laws = laws_load(data_dir(), &cause);
	if (laws == NULL) {
		fprintf(stderr, "# %s\n", cause);
		free(cause);
		return -1;
	}
	return vault_init(&cause);
}

/* Remove the folder. */
static int
group_teardown(void **state)
{
	(void)state;
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
	laws_free(laws);
	return 0;
}

/* A path in the test folder. */
static char *
path(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* Open a ledger that must open. */
static struct ledger *
open_ok(const char *p)
{
	char *cause = NULL;
	struct ledger *l = ledger_open(p, &cause);

	if (l == NULL)
		fail_msg("ledger_open: %s", cause);
	return l;
}

/* A new ledger file of its own for one test. */
static struct ledger *
fresh(void)
{
	char *name = xasprintf("fresh-%d.db", ++serial), *p = path(name);
	struct ledger *l = open_ok(p);

	free(name);
	free(p);
	return l;
}

/* An entry with a unique reference: a request under a law's deadline for it. */
static void
entry(struct ledger_entry *e, char ref[16], const char *client, const char *broker,
    enum request r, const char *law_id)
{
	const struct law *law = laws_find(laws, law_id);
	struct deadline dl;
	int k = ++serial;

	assert_non_null(law);
	law_deadline(law, r, &dl);
	memset(e, 0, sizeof *e);
	snprintf(ref, 16, "OPT-%04d-%04d", k / 10000 % 10000, k % 10000);
	e->reference = ref;
	e->client = client;
	e->broker = broker;
	e->procedure = "some-procedure";
	e->request = r;
	e->law = law_id;
	e->channel = CH_EMAIL;
	e->created = d("2026-10-01");
	e->deadline_days = dl.days;
	e->deadline_unit = dl.unit;
	e->extension_days = dl.extension_days;
	e->extension_unit = dl.extension_unit;
}

/* Record an entry that must be new; returns its id. */
static long long
record_new(struct ledger *l, const struct ledger_entry *e)
{
	long long id = 0;
	int existed = -1;
	enum ledger_state st = LS_COUNT;
	char *cause = NULL;

	if (ledger_record(l, e, &id, &existed, &st, &cause) != 0)
		fail_msg("ledger_record: %s", cause);
	assert_int_equal(existed, 0);
	assert_int_equal(st, LS_PLANNED);
	return id;
}

/* Send a request that must go through, on a day. */
static void
send_ok(struct ledger *l, long long id, const char *day)
{
	char *cause = NULL;

	if (ledger_begin_send(l, id, &cause) != 0 ||
	    ledger_finish_send(l, id, 1, "<m@test.invalid>", d(day), laws, NULL, &cause) != 0)
		fail_msg("send: %s", cause);
}

/* Mark a request that must accept it. */
static struct ledger_request *
mark_ok(struct ledger *l, const char *ref, enum ledger_state to, const char *day)
{
	struct ledger_request *r = NULL;
	char *cause = NULL;

	if (ledger_mark(l, ref, to, NULL, NULL, NULL, d(day), laws, &r, &cause) != 0)
		fail_msg("mark %s %s: %s", ref, ledger_state_name(to), cause);
	assert_int_equal(r->state, to);
	return r;
}

/* Mark a request that must refuse; returns the message. */
static char *
mark_refused(struct ledger *l, const char *ref, enum ledger_state to, const char *day)
{
	struct ledger_request *r = NULL;
	char *cause = NULL;

	assert_int_equal(ledger_mark(l, ref, to, NULL, NULL, NULL, d(day), laws, &r, &cause), -1);
	assert_null(r);
	assert_non_null(cause);
	return cause;
}

/* A request that must be there. */
static struct ledger_request *
get(struct ledger *l, const char *ref)
{
	struct ledger_request *r = NULL;
	char *cause = NULL;

	if (ledger_get(l, ref, &r, &cause) != 0)
		fail_msg("ledger_get: %s", cause);
	return r;
}

/* How many requests are overdue on a day. */
static size_t
count_overdue(struct ledger *l, const char *day)
{
	struct ledger_filter flt = { 0 };
	struct ledger_request **list = NULL;
	char *cause = NULL;
	size_t n = 0;

	flt.overdue_on = d(day);
	if (ledger_list(l, &flt, &list, &n, &cause) != 0)
		fail_msg("ledger_list: %s", cause);
	ledger_list_free(list);
	return n;
}

/* A request's id. */
static long long
get_id(struct ledger *l, const char *ref)
{
	struct ledger_request *r = get(l, ref);
	long long id = r->id;

	ledger_request_free(r);
	return id;
}

/* The ledger's own check must pass. */
static void
check_ok(struct ledger *l)
{
	char *cause = NULL;

	if (ledger_check(l, &cause) != 0)
		fail_msg("ledger_check: %s", cause);
}

/* The permission bits of a file. */
static int
mode_of(const char *p)
{
	struct stat st;

	assert_int_equal(stat(p, &st), 0);
	return (int)(st.st_mode & 07777);
}

/* Overwrite 4 bytes of a file with a big-endian number (the SQLite header's fields). */
static void
poke_be32(const char *p, long off, unsigned long v)
{
	unsigned char b[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
		(unsigned char)(v >> 8), (unsigned char)v };
	int fd = open(p, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, b, 4, off), 4);
	close(fd);
}

/* An empty folder gets a ledger: directories 0700, the file and its companions 0600. */
static void
test_create_and_reopen(void **state)
{
	char *p = path("a/b/ledger.db"), *a = path("a"), *ab = path("a/b");
	char *wal = xasprintf("%s-wal", p), *shm = xasprintf("%s-shm", p);
	struct ledger_entry e;
	struct ledger *l;
	struct ledger_request *r;
	char ref[16];
	mode_t old = umask(022);

	(void)state;
	l = open_ok(p);
	umask(old);
	assert_int_equal(ledger_schema_version(l), LEDGER_SCHEMA_VERSION);
	assert_string_equal(ledger_path(l), p);
	assert_int_equal(mode_of(a), 0700);
	assert_int_equal(mode_of(ab), 0700);
	assert_int_equal(mode_of(p), 0600);
	entry(&e, ref, "client-1", "acxiom", REQ_DELETE, "us-ca");
	record_new(l, &e);
	/* While open, WAL mode keeps its log and shared memory beside the file, also private. */
	assert_int_equal(mode_of(wal), 0600);
	assert_int_equal(mode_of(shm), 0600);
	ledger_close(l);

	/* Reopening runs no migration twice and finds what was recorded. */
	l = open_ok(p);
	assert_int_equal(ledger_schema_version(l), LEDGER_SCHEMA_VERSION);
	r = get(l, ref);
	assert_string_equal(r->client, "client-1");
	assert_string_equal(r->broker, "acxiom");
	assert_int_equal(r->request, REQ_DELETE);
	assert_int_equal(r->state, LS_PLANNED);
	assert_int_equal(r->deadline_days, 45);
	assert_int_equal(r->deadline_unit, UNIT_CALENDAR);
	assert_int_equal(r->extension_days, 45);
	assert_string_equal(f(r->created), "2026-10-01");
	assert_int_equal(r->due, 0);
	ledger_request_free(r);
	check_ok(l);
	ledger_close(l);
	free(p);
	free(a);
	free(ab);
	free(wal);
	free(shm);
}

/* A file from a newer optout, another program's SQLite file and garbage are refused. */
static void
test_refusals_at_open(void **state)
{
	char *p = path("newer.db"), *q = path("other-app.db"), *g = path("garbage.db");
	char *cause = NULL;
	struct ledger *l;

	(void)state;
	ledger_close(open_ok(p));
	poke_be32(p, 60, 99); /* the header's user_version */
	assert_null(ledger_open(p, &cause));
	assert_non_null(strstr(cause, "schema version 99"));
	{
		char *want = xasprintf("versions up to %d", LEDGER_SCHEMA_VERSION);

		assert_non_null(strstr(cause, want));
		free(want);
	}
	free(cause);
	cause = NULL;

	ledger_close(open_ok(q));
	poke_be32(q, 68, 0x12345678); /* the header's application_id */
	assert_null(ledger_open(q, &cause));
	assert_non_null(strstr(cause, "not an optout ledger"));
	free(cause);
	cause = NULL;

	assert_int_equal(write_file_atomic(g, "this is not a database, not at all, no.\n", 41, 0600,
	    &cause), 0);
	assert_null(ledger_open(g, &cause));
	assert_non_null(strstr(cause, g));
	free(cause);

	/* An up-to-date file opens fine next to them. */
	l = fresh();
	assert_int_equal(ledger_schema_version(l), LEDGER_SCHEMA_VERSION);
	ledger_close(l);
	free(p);
	free(q);
	free(g);
}

/* Recording twice finds the first: by reference, or as the open request of the same kind. */
static void
test_record_idempotent(void **state)
{
	struct ledger *l = fresh();
	struct ledger_entry e, again, other;
	char ref[16], ref2[16], ref3[16], *cause = NULL;
	long long id, id2;
	int existed;
	enum ledger_state st;

	(void)state;
	entry(&e, ref, "client-1", "spokeo", REQ_DELETE, "us-ca");
	id = record_new(l, &e);
	assert_int_equal(ledger_record(l, &e, &id2, &existed, &st, &cause), 0);
	assert_int_equal(existed, 1);
	assert_true(id2 == id);

	/* A re-run on another day makes another reference: still the same open request. */
	entry(&again, ref2, "client-1", "spokeo", REQ_DELETE, "us-ca");
	send_ok(l, id, "2026-10-02");
	assert_int_equal(ledger_record(l, &again, &id2, &existed, &st, &cause), 0);
	assert_int_equal(existed, 1);
	assert_true(id2 == id);
	assert_int_equal(st, LS_SENT);

	/* Another type, broker or client is another request. */
	entry(&other, ref3, "client-1", "spokeo", REQ_ACCESS, "us-ca");
	assert_true(record_new(l, &other) != id);
	entry(&other, ref3, "client-1", "whitepages", REQ_DELETE, "us-ca");
	record_new(l, &other);
	entry(&other, ref3, "client-2", "spokeo", REQ_DELETE, "us-ca");
	record_new(l, &other);

	/* A reference already used by another request is an error, not a match. */
	entry(&other, ref3, "client-3", "spokeo", REQ_DELETE, "us-ca");
	other.reference = ref;
	assert_int_equal(ledger_record(l, &other, &id2, &existed, &st, &cause), -1);
	assert_non_null(strstr(cause, "already recorded for another request"));
	free(cause);
	cause = NULL;

	/* Once closed, the same request may be filed again (a re-filing). */
	ledger_request_free(mark_ok(l, ref, LS_COMPLETED, "2026-11-01"));
	assert_int_equal(ledger_record(l, &again, &id2, &existed, &st, &cause), 0);
	assert_int_equal(existed, 0);
	assert_true(id2 != id);
	check_ok(l);

	/* Bad entries are refused before anything is written. */
	entry(&other, ref3, "client-1", "spokeo", REQ_DELETE, "us-ca");
	other.reference = "OPT-ILOU-0000";
	assert_int_equal(ledger_record(l, &other, &id2, &existed, &st, &cause), -1);
	assert_non_null(strstr(cause, "reference"));
	free(cause);
	cause = NULL;
	other.reference = ref3;
	other.broker = "Not An Id";
	assert_int_equal(ledger_record(l, &other, &id2, &existed, &st, &cause), -1);
	assert_non_null(strstr(cause, "broker"));
	free(cause);
	cause = NULL;
	ledger_close(l);
}

/* The state each `from` is put in for the transition table. */
static const char *
put_in_state(struct ledger *l, enum ledger_state from, char ref[16], long long *id)
{
	struct ledger_entry e;
	char *cause = NULL, broker[32];
	size_t n;
	int deferred;

	/* A broker of its own, so several can be made in one file. */
	snprintf(broker, sizeof broker, "broker-%d", serial);
	entry(&e, ref, "client-1", broker, REQ_DELETE, "us-ca");
	e.created = d("2026-11-02");
	*id = record_new(l, &e);
	switch (from) {
	case LS_PLANNED:
		break;
	case LS_SENDING:
		assert_int_equal(ledger_begin_send(l, *id, &cause), 0);
		break;
	case LS_FAILED:
		assert_int_equal(ledger_begin_send(l, *id, &cause), 0);
		assert_int_equal(ledger_finish_send(l, *id, 0, NULL, d("2026-11-02"), laws,
		    "connection refused", &cause), 0);
		break;
	case LS_NEEDS_REVIEW:
		assert_int_equal(ledger_begin_send(l, *id, &cause), 0);
		assert_int_equal(ledger_recover(l, &n, &deferred, &cause), 0);
		assert_int_equal(n, 1);
		break;
	case LS_MAILED:
		ledger_request_free(mark_ok(l, ref, LS_MAILED, "2026-11-02"));
		break;
	default:
		send_ok(l, *id, "2026-11-02");
		if (from != LS_SENT)
			ledger_request_free(mark_ok(l, ref, from, "2026-11-10"));
		break;
	}
	return ref;
}

/* Whether the person may mark a request in `from` as `to` (the documented table). */
static int
allowed(enum ledger_state from, enum ledger_state to)
{
	switch (to) {
	case LS_MAILED:
	case LS_SENT:
		return from == LS_PLANNED || from == LS_FAILED || from == LS_NEEDS_REVIEW;
	case LS_FAILED:
		return from == LS_NEEDS_REVIEW;
	case LS_ACKNOWLEDGED:
		return from == LS_SENT || from == LS_MAILED;
	case LS_EXTENDED:
		return from == LS_SENT || from == LS_MAILED || from == LS_ACKNOWLEDGED;
	case LS_COMPLETED:
	case LS_DENIED:
		return from == LS_SENT || from == LS_MAILED || from == LS_ACKNOWLEDGED ||
		    from == LS_EXTENDED;
	default:
		return 0;
	}
}

/* Every state pair: the legal transitions go through, the others change nothing. */
static void
test_transitions(void **state)
{
	int from, to;

	(void)state;
	for (from = 0; from < LS_COUNT; from++) {
		for (to = 0; to < LS_COUNT; to++) {
			struct ledger *l = fresh();
			struct ledger_request *before, *after = NULL;
			struct ledger_event *ev;
			size_t nev_before, nev_after;
			char ref[16], *cause = NULL;
			long long id;
			int rc;

			put_in_state(l, (enum ledger_state)from, ref, &id);
			before = get(l, ref);
			assert_int_equal(before->state, from);
			assert_int_equal(ledger_events(l, id, &ev, &nev_before, &cause), 0);
			ledger_events_free(ev, nev_before);
			rc = ledger_mark(l, ref, (enum ledger_state)to, NULL, "a note", NULL, d("2026-12-01"),
			    laws, &after, &cause);
			if (rc != (allowed((enum ledger_state)from, (enum ledger_state)to) ? 0 : -1))
				fail_msg("%s -> %s: expected %s, got %s", ledger_state_name(from),
				    ledger_state_name(to), rc ? "success" : "refusal",
				    cause != NULL ? cause : "success");
			assert_int_equal(ledger_events(l, id, &ev, &nev_after, &cause), 0);
			if (rc == 0) {
				assert_int_equal(after->state, to);
				assert_int_equal(nev_after, nev_before + 1);
				assert_string_equal(ev[nev_after - 1].kind, ledger_state_name(to));
				assert_string_equal(ev[nev_after - 1].note, "a note");
				assert_string_equal(f(ev[nev_after - 1].day), "2026-12-01");
			} else {
				struct ledger_request *now = get(l, ref);

				assert_non_null(strstr(cause, ref));
				assert_int_equal(now->state, from);
				assert_true(now->due == before->due && now->closed == before->closed);
				assert_int_equal(nev_after, nev_before);
				ledger_request_free(now);
				free(cause);
			}
			ledger_events_free(ev, nev_after);
			check_ok(l);
			ledger_request_free(before);
			ledger_request_free(after);
			ledger_close(l);
		}
	}
}

/* Only a planned or failed request is sent; only a sending one gets an outcome. */
static void
test_send_states(void **state)
{
	int from;

	(void)state;
	for (from = 0; from < LS_COUNT; from++) {
		struct ledger *l = fresh();
		char ref[16], *cause = NULL;
		long long id;
		int may_begin = from == LS_PLANNED || from == LS_FAILED;
		int rc;

		put_in_state(l, (enum ledger_state)from, ref, &id);
		rc = ledger_finish_send(l, id, 1, NULL, d("2026-11-03"), laws, NULL, &cause);
		assert_int_equal(rc, from == LS_SENDING ? 0 : -1);
		if (rc != 0) {
			assert_non_null(strstr(cause, "not sending"));
			free(cause);
			cause = NULL;
		}
		put_in_state(l, (enum ledger_state)from, ref, &id);
		rc = ledger_begin_send(l, id, &cause);
		assert_int_equal(rc, may_begin ? 0 : -1);
		if (rc != 0) {
			assert_non_null(strstr(cause, "nothing goes out twice"));
			free(cause);
		}
		check_ok(l);
		ledger_close(l);
	}
}

/* How many requests a connection sees. */
static size_t
count_all(struct ledger *l)
{
	struct ledger_request **list = NULL;
	char *cause = NULL;
	size_t n = 0;

	if (ledger_list(l, NULL, &list, &n, &cause) != 0)
		fail_msg("ledger_list: %s", cause);
	ledger_list_free(list);
	return n;
}

/*
 * A caller's transaction: a client's requests reach the file together at
 * the commit, one failed or idempotent call inside undoes only itself, a
 * send cannot begin inside it, and a rollback leaves nothing.
 */
static void
test_client_transaction(void **state)
{
	char *p = path("unit.db"), *cause = NULL;
	struct ledger *l = open_ok(p), *other = open_ok(p);
	struct ledger_entry e1, e2, e3, clash;
	struct ledger_event *ev = NULL;
	char r1[16], r2[16], r3[16], rc_[16];
	long long id1, id2, id = 0;
	int existed = -1;
	size_t n = 0;

	(void)state;
	entry(&e1, r1, "client-t1", "acxiom", REQ_DELETE, "us-ca");
	entry(&e2, r2, "client-t1", "spokeo", REQ_OPTOUT, "us-ca");
	entry(&clash, rc_, "client-t2", "acxiom", REQ_DELETE, "us-ca");
	clash.reference = r1; /* another client's request under e1's reference */
	assert_int_equal(ledger_in_transaction(l), 0);
	if (ledger_begin(l, &cause) != 0)
		fail_msg("ledger_begin: %s", cause);
	assert_int_equal(ledger_in_transaction(l), 1);
	assert_int_equal(ledger_begin(l, &cause), -1);
	assert_non_null(strstr(cause, "already open"));
	free(cause);
	cause = NULL;
	id1 = record_new(l, &e1);
	/* Recorded again inside: found, and its savepoint's rollback keeps the first. */
	assert_int_equal(ledger_record(l, &e1, &id, &existed, NULL, &cause), 0);
	assert_int_equal(existed, 1);
	assert_int_equal(id, id1);
	/* A failing call undoes only itself. */
	assert_int_equal(ledger_record(l, &clash, &id, &existed, NULL, &cause), -1);
	assert_non_null(strstr(cause, "already recorded for another request"));
	free(cause);
	cause = NULL;
	id2 = record_new(l, &e2);
	/* Nothing is sent from inside: the sending state must be on disk first. */
	assert_int_equal(ledger_begin_send(l, id1, &cause), -1);
	assert_non_null(strstr(cause, "must be committed on its own"));
	free(cause);
	cause = NULL;
	assert_int_equal(count_all(l), 2);
	assert_int_equal(count_all(other), 0);
	if (ledger_commit(l, &cause) != 0)
		fail_msg("ledger_commit: %s", cause);
	assert_int_equal(ledger_in_transaction(l), 0);
	assert_int_equal(count_all(other), 2);
	if (ledger_events(other, id2, &ev, &n, &cause) != 0)
		fail_msg("ledger_events: %s", cause);
	assert_int_equal(n, 1);
	assert_string_equal(ev[0].kind, "planned");
	ledger_events_free(ev, n);
	check_ok(other);
	/* After the commit each call is its own transaction again. */
	send_ok(l, id1, "2026-11-02");

	/* Rolled back: nothing of it stays. */
	if (ledger_begin(l, &cause) != 0)
		fail_msg("ledger_begin: %s", cause);
	entry(&e3, r3, "client-t1", "intelius", REQ_DELETE, "us-ca");
	record_new(l, &e3);
	assert_int_equal(count_all(l), 3);
	ledger_rollback(l);
	assert_int_equal(ledger_in_transaction(l), 0);
	assert_int_equal(count_all(l), 2);
	assert_int_equal(count_all(other), 2);
	ledger_rollback(l); /* none open: nothing happens */
	assert_int_equal(ledger_commit(l, &cause), -1);
	assert_non_null(strstr(cause, "no transaction is open"));
	free(cause);
	check_ok(l);
	ledger_close(other);
	ledger_close(l);
	free(p);
}

/* A follow-up's email is begun once at a time, and never again once sent. */
static void
test_followup_mail_once(void **state)
{
	struct ledger *l = fresh();
	char ref[16], *cause = NULL;
	long long id;

	(void)state;
	put_in_state(l, LS_SENT, ref, &id);
	assert_int_equal(ledger_begin_followup_mail(l, id, LA_FOLLOWUP, "clinic", "<f1@c.test>",
	    &cause), 0);
	/* Another seat that read "no attempt yet" before the first began is refused. */
	assert_int_equal(ledger_begin_followup_mail(l, id, LA_FOLLOWUP, "clinic", "<f2@c.test>",
	    &cause), -1);
	assert_non_null(strstr(cause, "this request's followup is being sent, or was sent, already"));
	free(cause);
	cause = NULL;
	/* An appeal is another email. */
	assert_int_equal(ledger_begin_followup_mail(l, id, LA_APPEAL, "clinic", "<a1@c.test>",
	    &cause), 0);
	/* After a temporary failure it may go again; once sent, never. */
	assert_int_equal(ledger_finish_followup_mail(l, id, "<f1@c.test>", LM_TEMPORARY, "451",
	    &cause), 0);
	assert_int_equal(ledger_begin_followup_mail(l, id, LA_FOLLOWUP, "clinic", "<f3@c.test>",
	    &cause), 0);
	assert_int_equal(ledger_finish_followup_mail(l, id, "<f3@c.test>", LM_SENT, "250",
	    &cause), 0);
	assert_int_equal(ledger_begin_followup_mail(l, id, LA_FOLLOWUP, "clinic", "<f4@c.test>",
	    &cause), -1);
	free(cause);
	check_ok(l);
	ledger_close(l);
}

/* The messages say why: closed requests, requests to review, a second extension. */
static void
test_refusal_messages(void **state)
{
	struct ledger *l = fresh();
	char ref[16], *msg;
	long long id;

	(void)state;
	put_in_state(l, LS_COMPLETED, ref, &id);
	msg = mark_refused(l, ref, LS_MAILED, "2026-12-01");
	assert_non_null(strstr(msg, "is already completed (on 2026-11-10)"));
	free(msg);
	put_in_state(l, LS_NEEDS_REVIEW, ref, &id);
	msg = mark_refused(l, ref, LS_ACKNOWLEDGED, "2026-12-01");
	assert_non_null(strstr(msg, "mark it sent or failed"));
	free(msg);
	put_in_state(l, LS_EXTENDED, ref, &id);
	msg = mark_refused(l, ref, LS_EXTENDED, "2026-11-11");
	assert_non_null(strstr(msg, "one extension"));
	free(msg);
	put_in_state(l, LS_SENT, ref, &id);
	msg = mark_refused(l, ref, LS_MAILED, "2026-12-01");
	assert_non_null(strstr(msg, "already went out on 2026-11-02"));
	free(msg);
	/* Days before the request went out are refused. */
	msg = mark_refused(l, ref, LS_ACKNOWLEDGED, "2026-11-01");
	assert_non_null(strstr(msg, "before"));
	free(msg);
	put_in_state(l, LS_PLANNED, ref, &id);
	msg = mark_refused(l, ref, LS_COMPLETED, "2026-12-01");
	assert_non_null(strstr(msg, "has not gone out yet"));
	free(msg);
	msg = mark_refused(l, ref, LS_PLANNED, "2026-12-01");
	assert_non_null(strstr(msg, "cannot be marked planned by hand"));
	free(msg);
	ledger_close(l);
}

/* An extension needs a law that allows one and notice within the first period. */
static void
test_extension_rule(void **state)
{
	struct ledger *l = fresh();
	struct ledger_entry e;
	struct ledger_request *r;
	char ref[16], *msg;
	long long id;

	(void)state;
	/* CCPA deletion: 45 calendar days, 45 more with notice. */
	entry(&e, ref, "client-1", "acxiom", REQ_DELETE, "us-ca");
	id = record_new(l, &e);
	send_ok(l, id, "2026-11-02");
	r = get(l, ref);
	assert_string_equal(f(r->due), "2026-12-17");
	ledger_request_free(r);
	/* Notice on the last day of the first period is in time. */
	r = mark_ok(l, ref, LS_EXTENDED, "2026-12-17");
	assert_string_equal(f(r->due), "2026-12-17");
	assert_string_equal(f(r->extended_due), "2027-01-31");
	assert_string_equal(f(ledger_effective_due(r)), "2027-01-31");
	ledger_request_free(r);
	r = mark_ok(l, ref, LS_COMPLETED, "2027-01-20");
	assert_string_equal(f(r->closed), "2027-01-20");
	ledger_request_free(r);

	/* A day late: refused, citing the rule; nothing changes. */
	entry(&e, ref, "client-1", "spokeo", REQ_DELETE, "us-ca");
	id = record_new(l, &e);
	send_ok(l, id, "2026-11-02");
	msg = mark_refused(l, ref, LS_EXTENDED, "2026-12-18");
	assert_non_null(strstr(msg, "the law requires notice of an extension within the first "
	    "period, which ended on 2026-12-17"));
	assert_non_null(strstr(msg, "stays due on 2026-12-17"));
	free(msg);
	r = get(l, ref);
	assert_int_equal(r->state, LS_SENT);
	assert_int_equal(r->extended_due, 0);
	ledger_request_free(r);

	/* CCPA opt-out: no extension at all. */
	entry(&e, ref, "client-1", "spokeo", REQ_OPTOUT, "us-ca");
	assert_int_equal(e.extension_days, 0);
	id = record_new(l, &e);
	send_ok(l, id, "2026-11-02");
	msg = mark_refused(l, ref, LS_EXTENDED, "2026-11-03");
	assert_non_null(strstr(msg, "allows no extension"));
	free(msg);

	/*
	 * GDPR: one month, two more; months end on the shorter month's last day,
	 * and a period ending on a Saturday ends the next working day (Regulation
	 * 1182/71 Art. 3(4)): 2026-02-28 is a Saturday.  The extension still runs
	 * from the period's own end, to 2026-04-28.
	 */
	entry(&e, ref, "client-1", "acxiom", REQ_ACCESS, "gdpr");
	assert_int_equal(e.deadline_unit, UNIT_MONTHS);
	e.created = d("2026-01-30");
	id = record_new(l, &e);
	send_ok(l, id, "2026-01-31");
	r = mark_ok(l, ref, LS_EXTENDED, "2026-02-20");
	assert_string_equal(f(r->due), "2026-03-02");
	assert_string_equal(f(r->extended_due), "2026-04-28");
	ledger_request_free(r);
	check_ok(l);
	ledger_close(l);
}

/* Business days skip weekends and holidays (Thanksgiving, Christmas). */
static void
test_business_days(void **state)
{
	struct ledger *l = fresh();
	struct ledger_entry e;
	struct ledger_request *r;
	/* Sent by the person (an email, a form): the clock runs from that day. */
	static const struct {
		const char *mailed, *due;
	} cases[] = {
		/* Wed before Thanksgiving: Thu 26 off, two weekends. */
		{ "2026-11-25", "2026-12-17" },
		/* Tue: the same holiday, one day earlier. */
		{ "2026-11-24", "2026-12-16" },
		/* Fri: two weekends and Christmas Day. */
		{ "2026-12-04", "2026-12-28" },
		/* Sat: counting starts on Monday; Veterans Day and Thanksgiving off. */
		{ "2026-11-07", "2026-12-01" },
	};
	char ref[16];
	size_t i;
	long long id;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		/* The CCPA's opt-out deadline, from the real laws file. */
		entry(&e, ref, "client-1", "acxiom", REQ_OPTOUT, "us-ca");
		assert_int_equal(e.deadline_days, 15);
		assert_int_equal(e.deadline_unit, UNIT_BUSINESS);
		e.created = d("2026-11-01");
		record_new(l, &e);
		r = mark_ok(l, ref, LS_SENT, cases[i].mailed);
		assert_string_equal(f(r->sent), cases[i].mailed);
		assert_int_equal(r->clock_basis, LC_SENT);
		assert_string_equal(f(r->due), cases[i].due);
		ledger_request_free(r);
		ledger_request_free(mark_ok(l, ref, LS_COMPLETED, "2026-12-31"));
	}
	/* Sending counts the same way. */
	entry(&e, ref, "client-1", "acxiom", REQ_OPTOUT, "us-ca");
	id = record_new(l, &e);
	send_ok(l, id, "2026-11-25");
	r = get(l, ref);
	assert_string_equal(f(r->due), "2026-12-17");
	assert_string_equal(r->message_id, "<m@test.invalid>");
	ledger_request_free(r);
	check_ok(l);
	ledger_close(l);
}

/* The overdue filter: awaiting an answer, past the effective due date; and by client. */
static void
test_list_and_overdue(void **state)
{
	struct ledger *l = fresh();
	struct ledger_entry e;
	struct ledger_filter flt;
	struct ledger_request **list;
	char ref[6][16], *cause = NULL;
	long long id;
	size_t n;

	(void)state;
	/* A: sent 10-01, due 11-15.  B: sent 11-20, due 2027-01-04.  C: like A, completed. */
	entry(&e, ref[0], "client-a", "acxiom", REQ_DELETE, "us-ca");
	send_ok(l, record_new(l, &e), "2026-10-01");
	entry(&e, ref[1], "client-a", "spokeo", REQ_DELETE, "us-ca");
	send_ok(l, record_new(l, &e), "2026-11-20");
	entry(&e, ref[2], "client-a", "whitepages", REQ_DELETE, "us-ca");
	send_ok(l, record_new(l, &e), "2026-10-01");
	ledger_request_free(mark_ok(l, ref[2], LS_COMPLETED, "2026-11-20"));
	/* D: like A, extended to 12-30.  E: planned.  F: another client's, like A. */
	entry(&e, ref[3], "client-a", "radaris", REQ_DELETE, "us-ca");
	send_ok(l, record_new(l, &e), "2026-10-01");
	ledger_request_free(mark_ok(l, ref[3], LS_EXTENDED, "2026-11-10"));
	entry(&e, ref[4], "client-a", "mylife", REQ_DELETE, "us-ca");
	record_new(l, &e);
	entry(&e, ref[5], "client-b", "acxiom", REQ_DELETE, "us-ca");
	id = record_new(l, &e);
	send_ok(l, id, "2026-10-01");

	memset(&flt, 0, sizeof flt);
	flt.overdue_on = d("2026-12-01");
	assert_int_equal(ledger_list(l, &flt, &list, &n, &cause), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0]->reference, ref[0]);
	assert_string_equal(list[1]->reference, ref[5]);
	assert_null(list[2]);
	ledger_list_free(list);

	/* On the due day itself nothing is overdue yet. */
	flt.overdue_on = d("2026-11-15");
	assert_int_equal(ledger_list(l, &flt, &list, &n, &cause), 0);
	assert_int_equal(n, 0);
	ledger_list_free(list);
	/* Past the extended due date, D is overdue too. */
	flt.overdue_on = d("2026-12-31");
	assert_int_equal(ledger_list(l, &flt, &list, &n, &cause), 0);
	assert_int_equal(n, 3);
	assert_string_equal(list[2]->reference, ref[3]);
	ledger_list_free(list);

	flt.client = "client-a";
	flt.overdue_on = d("2026-12-01");
	assert_int_equal(ledger_list(l, &flt, &list, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0]->reference, ref[0]);
	ledger_list_free(list);

	/* Everything of client-a, earliest effective due first, undated last. */
	flt.overdue_on = 0;
	assert_int_equal(ledger_list(l, &flt, &list, &n, &cause), 0);
	assert_int_equal(n, 5);
	assert_string_equal(list[0]->reference, ref[0]);
	assert_string_equal(list[1]->reference, ref[2]);
	assert_string_equal(list[2]->reference, ref[3]);
	assert_string_equal(list[3]->reference, ref[1]);
	assert_string_equal(list[4]->reference, ref[4]);
	assert_string_equal(f(list[2]->extended_due), "2026-12-30");
	ledger_list_free(list);
	assert_int_equal(ledger_list(l, NULL, &list, &n, &cause), 0);
	assert_int_equal(n, 6);
	ledger_list_free(list);
	ledger_close(l);
}

/* A request left "sending" is flagged for review, but not while another process may be sending. */
static void
test_recover(void **state)
{
	char *p = path("recover.db"), ref[16], *cause = NULL;
	struct ledger *l = open_ok(p), *other;
	struct ledger_entry e;
	struct ledger_request *r;
	struct ledger_event *ev;
	size_t n, nev;
	long long id;
	int deferred;

	(void)state;
	entry(&e, ref, "client-1", "acxiom", REQ_DELETE, "us-ca");
	id = record_new(l, &e);
	assert_int_equal(ledger_begin_send(l, id, &cause), 0);
	/* The crash: the process goes away between begin_send and finish_send. */
	ledger_close(l);

	l = open_ok(p);
	other = open_ok(p);
	assert_int_equal(ledger_recover(l, &n, &deferred, &cause), 0);
	assert_int_equal(deferred, 1);
	assert_int_equal(n, 0);
	r = get(l, ref);
	assert_int_equal(r->state, LS_SENDING);
	ledger_request_free(r);
	ledger_close(other);

	assert_int_equal(ledger_recover(l, &n, &deferred, &cause), 0);
	assert_int_equal(deferred, 0);
	assert_int_equal(n, 1);
	r = get(l, ref);
	assert_int_equal(r->state, LS_NEEDS_REVIEW);
	ledger_request_free(r);
	assert_int_equal(ledger_events(l, id, &ev, &nev, &cause), 0);
	assert_int_equal(nev, 3);
	assert_string_equal(ev[0].kind, "planned");
	assert_string_equal(ev[1].kind, "sending");
	assert_string_equal(ev[2].kind, "needs-review");
	assert_non_null(strstr(ev[2].note, "interrupted while sending"));
	assert_int_equal(strlen(ev[2].at), 20);
	assert_int_equal(ev[2].at[10], 'T');
	ledger_events_free(ev, nev);
	/* Once is enough; and it is never sent again blindly. */
	assert_int_equal(ledger_recover(l, &n, &deferred, &cause), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ledger_begin_send(l, id, &cause), -1);
	assert_non_null(strstr(cause, "needs-review"));
	free(cause);
	cause = NULL;
	/* A person checked: it did go out. */
	r = mark_ok(l, ref, LS_SENT, "2026-11-02");
	assert_string_equal(f(r->due), "2026-12-17");
	ledger_request_free(r);
	check_ok(l);
	ledger_close(l);

	/* The lock survives recovery: a second handle still defers it. */
	l = open_ok(p);
	other = open_ok(p);
	assert_int_equal(ledger_recover(l, &n, &deferred, &cause), 0);
	assert_int_equal(deferred, 1);
	assert_int_equal(ledger_recover(other, &n, &deferred, &cause), 0);
	assert_int_equal(deferred, 1);
	ledger_close(other);
	ledger_close(l);
	free(p);
}

/* Whether a file holds a byte string. */
static int
file_has(const char *p, const char *needle)
{
	char *data = NULL, *cause = NULL;
	size_t len;
	int found;

	if (access(p, F_OK) != 0)
		return 0;
	if (read_file(p, 64 * 1024 * 1024, &data, &len, &cause) != 0)
		fail_msg("%s", cause);
	found = memmem(data, len, needle, strlen(needle)) != NULL;
	free(data);
	return found;
}

/* Planned, sent and mailed requests made from a real profile leave no personal data in the file. */
static void
test_no_personal_data(void **state)
{
	char *p = path("private.db"), *wal = xasprintf("%s-wal", p), *cause = NULL;
	char *ex = xasprintf("%s/letters/examples/profile.json", data_dir());
	char refs[8][16], spare[16];
	struct registry *reg = registry_load(data_dir(), &cause);
	struct profile *prof;
	struct ledger *l = open_ok(p);
	struct plan_opts o;
	struct ledger_entry e;
	size_t i, k, nrec = 0;
	static const char *no_consent[] = { NULL };
	const char *secrets[12];
	size_t nsecrets = 0;
	long long id;
	int existed;
	enum ledger_state st;

	(void)state;
	if (reg == NULL)
		fail_msg("%s", cause);
	if ((prof = profile_load(ex, data_dir(), &cause)) == NULL)
		fail_msg("%s", cause);
	assert_non_null(prof->label);
	memset(&o, 0, sizeof o);
	o.disclose = no_consent;
	o.today = d("2026-11-02");
	/* What the batch will do: plan, record, send or mail. */
	for (i = 0; i < reg->n && nrec < 8; i++) {
		for (k = 0; k < REQ_COUNT && nrec < 8; k++) {
			struct plan_item *it;

			o.request = (enum request)k;
			it = plan_make(reg->brokers[i], prof, laws, &o);
			if (it->status != PLAN_READY) {
				plan_item_free(it);
				continue;
			}
			ledger_entry_from_plan(&e, it, prof->label);
			if (ledger_record(l, &e, &id, &existed, &st, &cause) != 0)
				fail_msg("%s", cause);
			assert_int_equal(existed, 0);
			memcpy(refs[nrec], it->reference, 16);
			if (nrec % 2 == 0)
				send_ok(l, id, "2026-11-02");
			else
				ledger_request_free(mark_ok(l, refs[nrec], LS_MAILED, "2026-11-03"));
			nrec++;
			plan_item_free(it);
		}
	}
	assert_int_equal(nrec, 8);
	check_ok(l);

	/* The person's name or email as a client label is refused. */
	entry(&e, spare, "José Núñez Peña", "acxiom", REQ_DELETE, "us-ca");
	assert_int_equal(ledger_record(l, &e, &id, &existed, &st, &cause), -1);
	assert_non_null(strstr(cause, "never a name or address"));
	assert_null(strstr(cause, "José"));
	free(cause);
	cause = NULL;
	e.client = prof->emails[0];
	assert_int_equal(ledger_record(l, &e, &id, &existed, &st, &cause), -1);
	free(cause);
	cause = NULL;

	secrets[nsecrets++] = prof->given;
	secrets[nsecrets++] = prof->family;
	secrets[nsecrets++] = "Nunez";
	secrets[nsecrets++] = prof->emails[0];
	secrets[nsecrets++] = prof->current->street[0];
	secrets[nsecrets++] = prof->current->city;
	secrets[nsecrets++] = prof->dob;
	secrets[nsecrets++] = prof->ssn;
	secrets[nsecrets++] = prof->phones[0] + 2; /* without "+1" */
	secrets[nsecrets++] = prof->dl_number;
	ledger_close(l);
	/* After closing, everything is in the file itself; check the log too if left. */
	for (i = 0; i < nsecrets; i++) {
		assert_non_null(secrets[i]);
		if (file_has(p, secrets[i]) || file_has(wal, secrets[i]))
			fail_msg("the ledger holds personal data (secret #%zu)", i);
	}
	/* The scan sees the file's text: the label and the references are there. */
	assert_true(file_has(p, prof->label));
	for (i = 0; i < nrec; i++)
		assert_true(file_has(p, refs[i]));
	profile_free(prof);
	registry_free(reg);
	free(ex);
	free(wal);
	free(p);
}

/* A damaged file is caught by the check (or refused at open). */
static void
test_check_catches_damage(void **state)
{
	char *p = path("damaged.db"), ref[16], *cause = NULL;
	struct ledger *l = open_ok(p);
	struct ledger_entry e;
	struct stat st;
	char junk[4096];
	int i, fd;

	(void)state;
	for (i = 0; i < 40; i++) {
		char broker[32];

		snprintf(broker, sizeof broker, "broker-%d", i);
		entry(&e, ref, "client-1", broker, REQ_DELETE, "us-ca");
		send_ok(l, record_new(l, &e), "2026-11-02");
	}
	check_ok(l);
	ledger_close(l);
	/* Scribble over the last page: a b-tree page of the tables or their indexes. */
	assert_int_equal(stat(p, &st), 0);
	memset(junk, 0xa5, sizeof junk);
	fd = open(p, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, junk, sizeof junk, st.st_size - (off_t)sizeof junk),
	    (ssize_t)sizeof junk);
	close(fd);
	l = ledger_open(p, &cause);
	if (l != NULL) {
		assert_int_equal(ledger_check(l, &cause), -1);
		ledger_close(l);
	}
	assert_non_null(cause);
	assert_non_null(strstr(cause, p));
	free(cause);
	free(p);
}

/* Follow-ups and complaints are recorded beside the states, which they leave alone. */
static void
test_actions(void **state)
{
	struct ledger *l = fresh();
	struct ledger_entry e;
	struct ledger_request *r = NULL;
	char ref[16], *cause = NULL;
	long long id;
	date_t on;

	(void)state;
	entry(&e, ref, "client-act", "acme", REQ_DELETE, "us-ca");
	id = record_new(l, &e);
	send_ok(l, id, "2026-10-01");
	assert_int_equal(ledger_last_action(l, id, LA_FOLLOWUP, &on, &cause), 0);
	assert_int_equal(on, 0);
	assert_int_equal(ledger_record_action(l, id, LA_FOLLOWUP, d("2026-11-20"), NULL, &cause), 0);
	assert_int_equal(ledger_record_action(l, id, LA_FOLLOWUP, d("2026-11-27"), "again", &cause), 0);
	assert_int_equal(ledger_last_action(l, id, LA_FOLLOWUP, &on, &cause), 0);
	assert_int_equal(on, d("2026-11-27"));
	assert_int_equal(ledger_last_action(l, id, LA_COMPLAINT, &on, &cause), 0);
	assert_int_equal(on, 0);
	/* The state stays "sent", and the ledger's rules still hold. */
	assert_int_equal(ledger_get(l, ref, &r, &cause), 0);
	assert_int_equal(r->state, LS_SENT);
	ledger_request_free(r);
	if (ledger_check(l, &cause) != 0)
		fail_msg("ledger_check: %s", cause);
	/* A state change after an action is still allowed and checked. */
	ledger_request_free(mark_ok(l, ref, LS_DENIED, "2026-11-30"));
	if (ledger_check(l, &cause) != 0)
		fail_msg("ledger_check: %s", cause);
	ledger_close(l);
}

/*
 * A mailed letter's clock runs from the mailing day plus the mail-transit
 * allowance; a recorded delivery restarts it from the day of receipt.
 */
static void
test_clock_from_receipt(void **state)
{
	struct ledger *l = fresh();
	struct ledger_entry e;
	struct ledger_request *r = NULL;
	char ref[16], *cause = NULL;

	(void)state;
	/* FCRA §612: 15 days. Mailed Monday 7 December: arrives by 14 December, due 29 December. */
	entry(&e, ref, "client-1", "acxiom", REQ_ACCESS, "fcra-612");
	assert_int_equal(e.deadline_days, 15);
	e.created = d("2026-12-01");
	record_new(l, &e);
	r = mark_ok(l, ref, LS_MAILED, "2026-12-07");
	assert_string_equal(f(r->clock_start), "2026-12-14");
	assert_int_equal(r->clock_basis, LC_TRANSIT);
	assert_string_equal(f(r->due), "2026-12-29");
	ledger_request_free(r);
	/* Not overdue on 23 December, as counting from the mailing day would have it. */
	assert_int_equal(count_overdue(l, "2026-12-23"), 0);
	/* Delivered on 9 December (return receipt): due 24 December. */
	assert_int_equal(ledger_mark_delivered(l, ref, "9407 1118 9876 5432 1000 00", d("2026-12-09"),
	    laws, &r, &cause), 0);
	assert_string_equal(f(r->received), "2026-12-09");
	assert_string_equal(f(r->clock_start), "2026-12-09");
	assert_int_equal(r->clock_basis, LC_RECEIVED);
	assert_string_equal(f(r->due), "2026-12-24");
	assert_string_equal(r->tracking, "9407 1118 9876 5432 1000 00");
	ledger_request_free(r);
	r = get(l, ref);
	assert_string_equal(f(r->due), "2026-12-24");
	assert_int_equal(r->clock_basis, LC_RECEIVED);
	ledger_request_free(r);
	/* Once only, never before it went out, never for a request not sent. */
	assert_int_equal(ledger_mark_delivered(l, ref, NULL, d("2026-12-10"), laws, NULL, &cause),
	    -1);
	assert_non_null(strstr(cause, "already recorded (on 2026-12-09)"));
	free(cause);
	cause = NULL;
	entry(&e, ref, "client-2", "acxiom", REQ_ACCESS, "fcra-612");
	e.created = d("2026-12-01");
	record_new(l, &e);
	assert_int_equal(ledger_mark_delivered(l, ref, NULL, d("2026-12-10"), laws, NULL, &cause),
	    -1);
	assert_non_null(strstr(cause, "is planned: only a request that went out"));
	free(cause);
	cause = NULL;
	ledger_request_free(mark_ok(l, ref, LS_MAILED, "2026-12-07"));
	assert_int_equal(ledger_mark_delivered(l, ref, NULL, d("2026-12-06"), laws, NULL, &cause),
	    -1);
	assert_non_null(strstr(cause, "is before the request went out"));
	free(cause);
	check_ok(l);
	ledger_close(l);
}

/* The broker's words go with a denial only and are kept apart from the person's note. */
static void
test_reason_and_note(void **state)
{
	struct ledger *l = fresh();
	struct ledger_entry e;
	struct ledger_event *ev;
	struct ledger_request *r = NULL;
	char ref[16], *cause = NULL;
	size_t n;

	(void)state;
	entry(&e, ref, "client-1", "acxiom", REQ_DELETE, "us-ca");
	e.created = d("2026-11-01");
	record_new(l, &e);
	ledger_request_free(mark_ok(l, ref, LS_SENT, "2026-11-02"));
	assert_int_equal(ledger_mark(l, ref, LS_ACKNOWLEDGED, NULL, NULL, "words", d("2026-11-03"),
	    laws, NULL, &cause), -1);
	assert_non_null(strstr(cause, "a reason is recorded only with 'denied'"));
	free(cause);
	cause = NULL;
	assert_int_equal(ledger_mark(l, ref, LS_DENIED, NULL, "my own note", "We could not verify you.",
	    d("2026-11-20"), laws, &r, &cause), 0);
	ledger_request_free(r);
	assert_int_equal(ledger_events(l, get_id(l, ref), &ev, &n, &cause), 0);
	assert_string_equal(ev[n - 1].kind, "denied");
	assert_string_equal(ev[n - 1].note, "my own note");
	assert_string_equal(ev[n - 1].reason, "We could not verify you.");
	ledger_events_free(ev, n);
	check_ok(l);
	ledger_close(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_and_reopen),
		cmocka_unit_test(test_refusals_at_open),
		cmocka_unit_test(test_record_idempotent),
		cmocka_unit_test(test_transitions),
		cmocka_unit_test(test_send_states),
		cmocka_unit_test(test_client_transaction),
		cmocka_unit_test(test_followup_mail_once),
		cmocka_unit_test(test_refusal_messages),
		cmocka_unit_test(test_extension_rule),
		cmocka_unit_test(test_business_days),
		cmocka_unit_test(test_clock_from_receipt),
		cmocka_unit_test(test_reason_and_note),
		cmocka_unit_test(test_list_and_overdue),
		cmocka_unit_test(test_recover),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_no_personal_data),
		cmocka_unit_test(test_check_catches_damage),
	};

	return cmocka_run_group_tests_name("ledger", tests, group_setup, group_teardown);
}
