/* ledger: requests, states, deadlines and events in SQLite (WAL, synchronous=FULL). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "optout/ledger.h"
#include "optout/plan.h"
#include "optout/util.h"
#include "optout/vault.h"

/* "opto": marks the file as an optout ledger (PRAGMA application_id). */
#define LEDGER_APPLICATION_ID 0x6f70746f
#define LEDGER_BUSY_MS 5000
/* At most this many problems are listed by ledger_check. */
#define CHECK_MAX_PROBLEMS 20

struct ledger {
	sqlite3 *db;
	char *path;
	int lockfd; /* flock: shared while open, exclusive while recovering */
};

static const char *const state_names[LS_COUNT] = { "planned", "sending", "sent", "mailed",
	"acknowledged", "extended", "completed", "denied", "needs-review", "failed" };
static const char *const unit_names[] = { "calendar", "business", "months" };
static const char *const clock_names[] = { "sent", "transit", "received" };

#define ISO_DATE_GLOB "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'"
#define DATE_COL(c) c " TEXT CHECK (" c " IS NULL OR " c " GLOB " ISO_DATE_GLOB ")"
#define STATE_LIST "'planned', 'sending', 'sent', 'mailed', 'acknowledged', 'extended', " \
	"'completed', 'denied', 'needs-review', 'failed'"
/* One Crockford base32 character, as in request references. */
#define B32 "[0-9A-HJKMNP-TV-Z]"
#define UNIT_LIST "'calendar', 'business', 'months'"
/* Events that record an action and change no state. */
#define ACTION_LIST "'followup', 'complaint'"
/* Events of schema 3: also a letter's delivery and an appeal. */
#define ACTION_LIST_V3 ACTION_LIST ", 'delivered', 'appeal'"
/* States in which the broker owes an answer and a due date runs. */
#define AWAITING_LIST "'sent', 'mailed', 'acknowledged', 'extended'"

/*
 * The migrations, in order: migrations[v] takes a file from version v to
 * v + 1.  Never edit one that has shipped; append a new one instead.
 */
static const char *const migrations[LEDGER_SCHEMA_VERSION] = {
	/* 1: requests and their events. */
	"PRAGMA application_id = 1869640815;\n"
	"CREATE TABLE requests (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  reference TEXT NOT NULL UNIQUE\n"
	"    CHECK (reference GLOB 'OPT-" B32 B32 B32 B32 "-" B32 B32 B32 B32 "'),\n"
	"  client TEXT NOT NULL CHECK (length(client) BETWEEN 1 AND 64),\n"
	"  broker TEXT NOT NULL,\n"
	"  procedure TEXT NOT NULL,\n"
	"  request TEXT NOT NULL CHECK (request IN ('access', 'delete', 'opt-out', 'correct')),\n"
	"  law TEXT NOT NULL,\n"
	"  channel TEXT NOT NULL CHECK (channel IN ('web', 'email', 'postal', 'phone', 'fax')),\n"
	"  state TEXT NOT NULL DEFAULT 'planned' CHECK (state IN (" STATE_LIST ")),\n"
	"  created TEXT NOT NULL CHECK (created GLOB " ISO_DATE_GLOB "),\n"
	"  " DATE_COL("sent") ",\n"
	"  " DATE_COL("due") ",\n"
	"  " DATE_COL("extended_due") ",\n"
	"  " DATE_COL("closed") ",\n"
	"  deadline_days INTEGER NOT NULL CHECK (deadline_days >= 0),\n"
	"  deadline_unit TEXT NOT NULL CHECK (deadline_unit IN (" UNIT_LIST ")),\n"
	"  extension_days INTEGER NOT NULL DEFAULT 0 CHECK (extension_days >= 0),\n"
	"  extension_unit TEXT NOT NULL DEFAULT 'calendar' CHECK (extension_unit IN (" UNIT_LIST ")),\n"
	"  message_id TEXT,\n"
	"  tracking TEXT\n"
	");\n"
	/* One open request per client, broker and type: what makes recording idempotent. */
	"CREATE UNIQUE INDEX requests_open ON requests (client, broker, request)\n"
	"  WHERE state NOT IN ('completed', 'denied');\n"
	"CREATE TABLE events (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  request_id INTEGER NOT NULL REFERENCES requests (id),\n"
	"  at TEXT NOT NULL,\n"
	"  kind TEXT NOT NULL CHECK (kind IN (" STATE_LIST ")),\n"
	"  " DATE_COL("day") ",\n"
	"  note TEXT\n"
	");\n"
	"CREATE INDEX events_request ON events (request_id, id);\n",
	/* 2: events also record follow-ups and complaints, which change no state. */
	"CREATE TABLE events_v2 (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  request_id INTEGER NOT NULL REFERENCES requests (id),\n"
	"  at TEXT NOT NULL,\n"
	"  kind TEXT NOT NULL CHECK (kind IN (" STATE_LIST ", " ACTION_LIST ")),\n"
	"  " DATE_COL("day") ",\n"
	"  note TEXT\n"
	");\n"
	"INSERT INTO events_v2 (id, request_id, at, kind, day, note)\n"
	"  SELECT id, request_id, at, kind, day, note FROM events;\n"
	"DROP TABLE events;\n"
	"ALTER TABLE events_v2 RENAME TO events;\n"
	"CREATE INDEX events_request ON events (request_id, id);\n",
	/*
	 * 3: one label, one person.  Each client label keeps a keyed fingerprint of
	 * the person it was first used for (see ledger_claim_client); labels already
	 * in the ledger get theirs the next time a profile uses them.
	 */
	"CREATE TABLE clients (\n"
	"  label TEXT PRIMARY KEY CHECK (length(label) BETWEEN 1 AND 64),\n"
	"  fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 16 AND\n"
	"    fingerprint NOT GLOB '*[^0-9a-f]*'),\n"
	"  key_id TEXT NOT NULL CHECK (length(key_id) = 16 AND key_id NOT GLOB '*[^0-9a-f]*')\n"
	");\n",
	/*
	 * 4: the day the clock starts and why (sent, estimated mail delivery,
	 * confirmed delivery), the appeal's due date, delivery and appeal
	 * events, and the broker's own words on an event apart from the note.
	 */
	"ALTER TABLE requests ADD COLUMN " DATE_COL("received") ";\n"
	"ALTER TABLE requests ADD COLUMN " DATE_COL("clock_start") ";\n"
	"ALTER TABLE requests ADD COLUMN clock_basis TEXT\n"
	"  CHECK (clock_basis IS NULL OR clock_basis IN ('sent', 'transit', 'received'));\n"
	"ALTER TABLE requests ADD COLUMN " DATE_COL("appeal_due") ";\n"
	/* Before version 3 every clock ran from the day the request went out. */
	"UPDATE requests SET clock_start = sent, clock_basis = 'sent' WHERE sent IS NOT NULL;\n"
	"CREATE TABLE events_v3 (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  request_id INTEGER NOT NULL REFERENCES requests (id),\n"
	"  at TEXT NOT NULL,\n"
	"  kind TEXT NOT NULL CHECK (kind IN (" STATE_LIST ", " ACTION_LIST_V3 ")),\n"
	"  " DATE_COL("day") ",\n"
	"  note TEXT,\n"
	"  reason TEXT\n"
	");\n"
	"INSERT INTO events_v3 (id, request_id, at, kind, day, note)\n"
	"  SELECT id, request_id, at, kind, day, note FROM events;\n"
	"DROP TABLE events;\n"
	"ALTER TABLE events_v3 RENAME TO events;\n"
	"CREATE INDEX events_request ON events (request_id, id);\n",
	/* 5: each email attempt: the account, its Message-ID, the day and the server's answer. */
	"CREATE TABLE mail_sends (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  request_id INTEGER NOT NULL REFERENCES requests (id),\n"
	"  account TEXT NOT NULL CHECK (length(account) BETWEEN 1 AND 64),\n"
	"  message_id TEXT NOT NULL UNIQUE,\n"
	"  day TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),\n"
	"  outcome TEXT NOT NULL DEFAULT 'sending' CHECK (outcome IN ('sending', 'sent',\n"
	"    'temporary', 'permanent', 'refused', 'uncertain')),\n"
	"  reply TEXT\n"
	");\n"
	"CREATE INDEX mail_sends_request ON mail_sends (request_id, id);\n"
	"CREATE INDEX mail_sends_account ON mail_sends (account, day);\n"
	/* The replies read by optout inbox: a broker's kept as evidence; one that matched no
	 * request (request_id NULL, no evidence) only so that it is shown once. */
	"CREATE TABLE replies (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  request_id INTEGER REFERENCES requests (id),\n"
	"  reply_key TEXT NOT NULL UNIQUE,\n"
	"  day TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),\n"
	"  class TEXT NOT NULL CHECK (class IN ('acknowledged', 'verification', 'more-info',\n"
	"    'denied', 'completed', 'bounced', 'auto-reply', 'unknown')),\n"
	"  evidence TEXT\n"
	");\n"
	"CREATE INDEX replies_request ON replies (request_id, id);\n",
	/* 6: an email attempt is the request itself, or a follow-up or appeal to it. */
	"ALTER TABLE mail_sends ADD COLUMN kind TEXT NOT NULL DEFAULT 'request'\n"
	"  CHECK (kind IN ('request', 'followup', 'appeal'));\n",
	/*
	 * 7: the basis of each request of a CRA pair (FCRA file, privacy law), so
	 * each has its own row and reference; rows recorded before it under an
	 * FCRA law were the pair's FCRA half.  And the person's DROP filings.
	 */
	"ALTER TABLE requests ADD COLUMN basis TEXT NOT NULL DEFAULT ''\n"
	"  CHECK (basis IN ('', 'fcra', 'privacy'));\n"
	"UPDATE requests SET basis = 'fcra' WHERE law IN ('fcra-609', 'fcra-612', 'fcra-604e');\n"
	"DROP INDEX requests_open;\n"
	"CREATE UNIQUE INDEX requests_open ON requests (client, broker, request, basis)\n"
	"  WHERE state NOT IN ('completed', 'denied');\n"
	"CREATE TABLE drop_filings (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  client TEXT NOT NULL CHECK (length(client) BETWEEN 1 AND 64),\n"
	"  law TEXT NOT NULL,\n"
	"  filed TEXT NOT NULL CHECK (filed GLOB " ISO_DATE_GLOB "),\n"
	"  at TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX drop_filings_client ON drop_filings (client, filed);\n",
};

#define REQUEST_COLUMNS "id, reference, client, broker, procedure, request, law, channel, " \
	"state, created, sent, due, extended_due, closed, deadline_days, deadline_unit, " \
	"extension_days, extension_unit, message_id, tracking, received, clock_start, " \
	"clock_basis, appeal_due"

/* Set *cause to "PATH: what: SQLite's message" and return -1. */
static int
db_fail(struct ledger *l, const char *what, char **cause)
{
	*cause = xasprintf("%s: %s: %s", l->path, what, sqlite3_errmsg(l->db));
	return -1;
}

/* Run SQL that returns no rows. */
static int
db_exec(struct ledger *l, const char *sql, const char *what, char **cause)
{
	if (sqlite3_exec(l->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(l, what, cause);
	return 0;
}

/* Prepare a statement. */
static int
db_prepare(struct ledger *l, const char *sql, sqlite3_stmt **st, char **cause)
{
	if (sqlite3_prepare_v2(l->db, sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return db_fail(l, "cannot prepare a query", cause);
	}
	return 0;
}

/* Start a write transaction: the write lock is taken now, not at the first write. */
static int
tx_begin(struct ledger *l, char **cause)
{
	return db_exec(l, "BEGIN IMMEDIATE", "cannot start a transaction", cause);
}

/* Commit; on failure the transaction is rolled back. */
static int
tx_commit(struct ledger *l, char **cause)
{
	if (sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		db_fail(l, "cannot commit", cause);
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

/* Roll back after an error (whose message is already set). */
static void
tx_rollback(struct ledger *l)
{
	if (!sqlite3_get_autocommit(l->db))
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Bind a string, or NULL. */
static void
bind_str(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* Bind a date as YYYY-MM-DD, or NULL for 0. */
static void
bind_date(sqlite3_stmt *st, int i, date_t d)
{
	char day[11];

	if (d == 0) {
		sqlite3_bind_null(st, i);
		return;
	}
	date_format(d, day);
	sqlite3_bind_text(st, i, day, -1, SQLITE_TRANSIENT);
}

/* A column as an allocated string, or NULL. */
static char *
col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s != NULL ? xstrdup((const char *)s) : NULL;
}

/* A column as a date, 0 when NULL or not a date. */
static date_t
col_date(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	date_t d;

	if (s == NULL || date_parse((const char *)s, &d) != 0)
		return 0;
	return d;
}

/* Whether a column equals s. */
static int
col_is(sqlite3_stmt *st, int i, const char *s)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	return v != NULL && strcmp((const char *)v, s) == 0;
}

/* The name of a day unit as the file stores it. */
static const char *
unit_name(enum day_unit u)
{
	return (unsigned)u <= UNIT_MONTHS ? unit_names[u] : "calendar";
}

/* Parse a stored day unit. */
static int
unit_parse(const char *s, enum day_unit *u)
{
	size_t i;

	for (i = 0; s != NULL && i <= UNIT_MONTHS; i++) {
		if (strcmp(s, unit_names[i]) == 0) {
			*u = (enum day_unit)i;
			return 0;
		}
	}
	return -1;
}

/* A state's name. */
const char *
ledger_state_name(enum ledger_state s)
{
	return (unsigned)s < LS_COUNT ? state_names[s] : "?";
}

/* Parse a state's name. */
int
ledger_state_parse(const char *s, enum ledger_state *out)
{
	size_t i;

	for (i = 0; s != NULL && i < LS_COUNT; i++) {
		if (strcmp(s, state_names[i]) == 0) {
			*out = (enum ledger_state)i;
			return 0;
		}
	}
	return -1;
}

/* Completed and denied requests are closed for good. */
int
ledger_state_closed(enum ledger_state s)
{
	return s == LS_COMPLETED || s == LS_DENIED;
}

/* The broker owes an answer: the request went out and is not closed. */
int
ledger_state_awaiting(enum ledger_state s)
{
	return s == LS_SENT || s == LS_MAILED || s == LS_ACKNOWLEDGED || s == LS_EXTENDED;
}

/* The extended due date when there is one, else the first one. */
date_t
ledger_effective_due(const struct ledger_request *r)
{
	return r->extended_due != 0 ? r->extended_due : r->due;
}

/* Where the ledger lives by default, following the XDG base directory spec. */
char *
ledger_default_path(char **cause)
{
	char *p = data_home_path("ledger.db", "the ledger", cause);

	if (p == NULL) {
		char *c = xasprintf("%s (give --ledger FILE)", *cause);

		free(*cause);
		*cause = c;
	}
	return p;
}

/* Create the ledger's directory (0700) and an empty file (0600) if missing. */
static int
prepare_file(const char *path, char **cause)
{
	const char *slash = strrchr(path, '/');
	struct stat st;
	int fd;

	if (slash != NULL && slash != path) {
		char *dir = xstrndup(path, (size_t)(slash - path));
		int rc = make_dirs(dir, 0700, cause);

		free(dir);
		if (rc != 0)
			return -1;
	}
	if (stat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			*cause = xasprintf("%s: not a regular file", path);
			return -1;
		}
		return 0;
	}
	/*
	 * SQLite would create the file with the umask's mode; creating it
	 * here makes it 0600, and SQLite copies that mode to -wal and -shm.
	 * An empty file is a valid empty database.
	 */
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1 && errno != EEXIST) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fd != -1)
		close(fd);
	return 0;
}

/* Read an integer PRAGMA. */
static int
pragma_int(struct ledger *l, const char *name, long long *out, char **cause)
{
	char *sql = xasprintf("PRAGMA %s", name);
	sqlite3_stmt *st;
	int rc = -1;

	if (db_prepare(l, sql, &st, cause) == 0) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			*out = sqlite3_column_int64(st, 0);
			rc = 0;
		} else
			db_fail(l, name, cause);
		sqlite3_finalize(st);
	}
	free(sql);
	return rc;
}

/* Set the connection's durability and safety settings. */
static int
configure(struct ledger *l, char **cause)
{
	sqlite3_stmt *st;
	int wal;

	sqlite3_extended_result_codes(l->db, 1);
	sqlite3_busy_timeout(l->db, LEDGER_BUSY_MS);
	sqlite3_db_config(l->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	if (db_prepare(l, "PRAGMA journal_mode = WAL", &st, cause) != 0)
		return -1;
	wal = sqlite3_step(st) == SQLITE_ROW && col_is(st, 0, "wal");
	if (!wal) {
		db_fail(l, "cannot use write-ahead logging", cause);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return db_exec(l, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", "cannot configure",
	    cause);
}

/* Refuse a file that belongs to something else or to a newer optout. */
static int
check_identity(struct ledger *l, long long version, char **cause)
{
	long long app, tables = 0;
	sqlite3_stmt *st;

	if (pragma_int(l, "application_id", &app, cause) != 0)
		return -1;
	if (version > LEDGER_SCHEMA_VERSION) {
		*cause = xasprintf("%s: the ledger has schema version %lld, but this optout knows "
		    "versions up to %d: use a newer optout", l->path, version, LEDGER_SCHEMA_VERSION);
		return -1;
	}
	if (app != 0 && app != LEDGER_APPLICATION_ID) {
		*cause = xasprintf("%s: not an optout ledger (another program's SQLite file)", l->path);
		return -1;
	}
	if (version == 0) {
		if (db_prepare(l, "SELECT count(*) FROM sqlite_master", &st, cause) != 0)
			return -1;
		if (sqlite3_step(st) == SQLITE_ROW)
			tables = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (tables > 0) {
			*cause = xasprintf("%s: not an optout ledger (it holds other tables)", l->path);
			return -1;
		}
	}
	return 0;
}

/* Apply every migration the file lacks, one transaction each. */
static int
migrate(struct ledger *l, char **cause)
{
	long long version;

	if (pragma_int(l, "user_version", &version, cause) != 0 ||
	    check_identity(l, version, cause) != 0)
		return -1;
	while (version < LEDGER_SCHEMA_VERSION) {
		char *set;

		if (tx_begin(l, cause) != 0)
			return -1;
		/* Another process may have migrated while we waited for the lock. */
		if (pragma_int(l, "user_version", &version, cause) != 0 ||
		    check_identity(l, version, cause) != 0) {
			tx_rollback(l);
			return -1;
		}
		if (version >= LEDGER_SCHEMA_VERSION) {
			tx_rollback(l);
			break;
		}
		set = xasprintf("PRAGMA user_version = %lld", version + 1);
		if (db_exec(l, migrations[version], "cannot update the schema", cause) != 0 ||
		    db_exec(l, set, "cannot update the schema", cause) != 0) {
			free(set);
			tx_rollback(l);
			return -1;
		}
		free(set);
		if (tx_commit(l, cause) != 0)
			return -1;
		version++;
	}
	return 0;
}

/* Open the ledger, creating it and bringing the schema up to date. */
struct ledger *
ledger_open(const char *path, char **cause)
{
	struct ledger *l;
	char *lockpath;
	int rc;

	if (ephemeral_mode()) {
		*cause = ephemeral_refusal("the ledger");
		return NULL;
	}
	l = xcalloc(1, sizeof *l);
	l->lockfd = -1;
	if (path != NULL)
		l->path = xstrdup(path);
	else if ((l->path = ledger_default_path(cause)) == NULL) {
		free(l);
		return NULL;
	}
	if (prepare_file(l->path, cause) != 0)
		goto fail;
	/*
	 * A lock file beside the database says who has it open: shared while
	 * open, exclusive only to recover (see ledger_recover).  It cannot be
	 * the database itself: closing any descriptor of that file would drop
	 * SQLite's own POSIX locks.
	 */
	lockpath = xasprintf("%s-lock", l->path);
	l->lockfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (l->lockfd == -1 || flock(l->lockfd, LOCK_SH) == -1) {
		*cause = xasprintf("%s: %s", lockpath, strerror(errno));
		free(lockpath);
		goto fail;
	}
	free(lockpath);
	rc = sqlite3_open_v2(l->path, &l->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		*cause = xasprintf("%s: %s", l->path,
		    l->db != NULL ? sqlite3_errmsg(l->db) : sqlite3_errstr(rc));
		goto fail;
	}
	if (configure(l, cause) != 0 || migrate(l, cause) != 0)
		goto fail;
	return l;
fail:
	ledger_close(l);
	return NULL;
}

/* Close the ledger; SQLite checkpoints the WAL when the last connection closes. */
void
ledger_close(struct ledger *l)
{
	if (l == NULL)
		return;
	if (l->db != NULL)
		sqlite3_close(l->db);
	if (l->lockfd != -1)
		close(l->lockfd);
	free(l->path);
	free(l);
}

/* The path given to ledger_open (or the default one). */
const char *
ledger_path(const struct ledger *l)
{
	return l->path;
}

/* The schema version stored in the file. */
int
ledger_schema_version(struct ledger *l)
{
	long long v;
	char *cause = NULL;

	if (pragma_int(l, "user_version", &v, &cause) != 0) {
		free(cause);
		return -1;
	}
	return (int)v;
}

/* Borrow a plan item's ids and deadline for recording. */
void
ledger_entry_from_plan(struct ledger_entry *e, const struct plan_item *it, const char *client)
{
	memset(e, 0, sizeof *e);
	e->reference = it->reference;
	e->client = client;
	e->broker = it->broker->id;
	e->procedure = it->proc != NULL ? it->proc->id : NULL;
	e->request = it->request;
	e->law = it->law != NULL ? it->law->id : NULL;
	e->channel = it->proc != NULL ? it->proc->channel : CH_COUNT;
	e->created = it->today;
	e->deadline_days = it->deadline.days;
	e->deadline_unit = it->deadline.unit;
	e->extension_days = it->deadline.extension_days;
	e->extension_unit = it->deadline.extension_unit;
	e->basis = plan_basis_name(it->basis);
}

/* A client label: what a profile's "label" allows, so no name or address fits. */
static int
valid_label(const char *s)
{
	size_t i;

	if (s == NULL || !isalnum((unsigned char)s[0]))
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= 64 || (!isalnum((unsigned char)s[i]) && strchr("._-", s[i]) == NULL))
			return 0;
	}
	return 1;
}

/* A registry id: lower-case letters and digits in dash-separated words. */
static int
valid_id(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || s[0] == '-')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= 128 || !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-'))
			return 0;
	}
	return s[i - 1] != '-';
}

/* "OPT-XXXX-XXXX" in Crockford base32 capitals. */
static int
valid_reference(const char *s)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	size_t i;

	if (s == NULL || strlen(s) != 13 || strncmp(s, "OPT-", 4) != 0 || s[8] != '-')
		return 0;
	for (i = 4; i < 13; i++) {
		if (i != 8 && strchr(alphabet, s[i]) == NULL)
			return 0;
	}
	return 1;
}

/* Check an entry before recording it; the messages name fields, not values. */
static int
check_entry(const struct ledger_entry *e, char **cause)
{
	const char *what = NULL;

	if (!valid_reference(e->reference))
		what = "reference: expected OPT-XXXX-XXXX";
	else if (!valid_label(e->client))
		what = "client: expected an opaque label of letters, digits, '.', '_' and '-' "
		       "(at most 64), never a name or address";
	else if (!valid_id(e->broker))
		what = "broker: expected a broker id";
	else if (!valid_id(e->procedure))
		what = "procedure: expected a procedure id";
	else if (!valid_id(e->law))
		what = "law: expected a law id";
	else if (!ledger_tracks(e->request))
		what = "request: not a request type the ledger tracks";
	else if ((unsigned)e->channel >= CH_COUNT)
		what = "channel: not a channel";
	else if (e->deadline_days < 0 || (unsigned)e->deadline_unit > UNIT_MONTHS)
		what = "deadline: expected a number of days and a unit";
	else if (e->extension_days < 0 || (unsigned)e->extension_unit > UNIT_MONTHS)
		what = "extension: expected a number of days and a unit";
	if (what == NULL)
		return 0;
	*cause = xasprintf("cannot record the request: %s", what);
	return -1;
}

/* Append an event to a request's history (inside the caller's transaction). */
static int
add_event_kind(struct ledger *l, long long id, const char *kind, date_t day, const char *note,
    const char *reason, char **cause)
{
	sqlite3_stmt *st;
	char at[32];
	struct tm tm;
	time_t now = time(NULL);
	int rc;

	gmtime_r(&now, &tm);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (db_prepare(l, "INSERT INTO events (request_id, at, kind, day, note, reason) "
	    "VALUES (?, ?, ?, ?, ?, ?)", &st, cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, at, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	bind_date(st, 4, day);
	bind_str(st, 5, note != NULL && *note != '\0' ? note : NULL);
	bind_str(st, 6, reason != NULL && *reason != '\0' ? reason : NULL);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(l, "cannot record an event", cause);
	sqlite3_finalize(st);
	return rc;
}

/* Append a state event. */
static int
add_event(struct ledger *l, long long id, enum ledger_state kind, date_t day, const char *note,
    char **cause)
{
	return add_event_kind(l, id, ledger_state_name(kind), day, note, NULL, cause);
}

/* Read a request row (selected with REQUEST_COLUMNS). */
static int
row_to_request(struct ledger *l, sqlite3_stmt *st, struct ledger_request **out, char **cause)
{
	struct ledger_request *r = xcalloc(1, sizeof *r);
	const char *bad = NULL;

	r->id = sqlite3_column_int64(st, 0);
	r->reference = col_str(st, 1);
	r->client = col_str(st, 2);
	r->broker = col_str(st, 3);
	r->procedure = col_str(st, 4);
	r->law = col_str(st, 6);
	r->created = col_date(st, 9);
	r->sent = col_date(st, 10);
	r->due = col_date(st, 11);
	r->extended_due = col_date(st, 12);
	r->closed = col_date(st, 13);
	r->deadline_days = sqlite3_column_int(st, 14);
	r->extension_days = sqlite3_column_int(st, 16);
	r->message_id = col_str(st, 18);
	r->tracking = col_str(st, 19);
	r->received = col_date(st, 20);
	r->clock_start = col_date(st, 21);
	r->appeal_due = col_date(st, 23);
	r->clock_basis = LC_SENT;
	if (col_is(st, 22, "transit"))
		r->clock_basis = LC_TRANSIT;
	else if (col_is(st, 22, "received"))
		r->clock_basis = LC_RECEIVED;
	if (request_parse((const char *)sqlite3_column_text(st, 5), &r->request) != 0)
		bad = "request";
	else if (channel_parse((const char *)sqlite3_column_text(st, 7), &r->channel) != 0)
		bad = "channel";
	else if (ledger_state_parse((const char *)sqlite3_column_text(st, 8), &r->state) != 0)
		bad = "state";
	else if (unit_parse((const char *)sqlite3_column_text(st, 15), &r->deadline_unit) != 0)
		bad = "deadline_unit";
	else if (unit_parse((const char *)sqlite3_column_text(st, 17), &r->extension_unit) != 0)
		bad = "extension_unit";
	if (bad != NULL) {
		*cause = xasprintf("%s: request %lld: unexpected value in column %s", l->path, r->id,
		    bad);
		ledger_request_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

/* Whether s is a plain decimal id. */
static int
is_number(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return i > 0 && i < 19;
}

/* Find one request by reference or numeric id; *out is NULL when there is none. */
static int
fetch(struct ledger *l, const char *ref_or_id, long long id, struct ledger_request **out,
    char **cause)
{
	sqlite3_stmt *st;
	char *ref = NULL;
	int rc = 0, step;

	*out = NULL;
	if (ref_or_id != NULL && !is_number(ref_or_id)) {
		size_t i;

		if (db_prepare(l, "SELECT " REQUEST_COLUMNS " FROM requests WHERE reference = ?",
		    &st, cause) != 0)
			return -1;
		ref = xstrdup(ref_or_id);
		for (i = 0; ref[i] != '\0'; i++)
			ref[i] = (char)toupper((unsigned char)ref[i]);
		sqlite3_bind_text(st, 1, ref, -1, SQLITE_TRANSIENT);
		free(ref);
	} else {
		if (db_prepare(l, "SELECT " REQUEST_COLUMNS " FROM requests WHERE id = ?", &st,
		    cause) != 0)
			return -1;
		sqlite3_bind_int64(st, 1, ref_or_id != NULL ? strtoll(ref_or_id, NULL, 10) : id);
	}
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		rc = row_to_request(l, st, out, cause);
	else if (step != SQLITE_DONE)
		rc = db_fail(l, "cannot read a request", cause);
	sqlite3_finalize(st);
	return rc;
}

/* Fetch, turning "not there" into an error naming what was asked for. */
static int
fetch_one(struct ledger *l, const char *ref_or_id, long long id, struct ledger_request **out,
    char **cause)
{
	if (fetch(l, ref_or_id, id, out, cause) != 0)
		return -1;
	if (*out != NULL)
		return 0;
	if (ref_or_id != NULL)
		*cause = xasprintf("%s: no request %s in the ledger", l->path, ref_or_id);
	else
		*cause = xasprintf("%s: no request with id %lld in the ledger", l->path, id);
	return -1;
}

/* One request by reference or id. */
int
ledger_get(struct ledger *l, const char *ref_or_id, struct ledger_request **out, char **cause)
{
	return fetch_one(l, ref_or_id, 0, out, cause);
}

/* The client's open request of this type to this broker, or *found NULL. */
static int
find_open(struct ledger *l, const char *client, const char *broker, enum request request,
    const char *basis, struct ledger_request **found, char **cause)
{
	sqlite3_stmt *st;
	int step, rc = 0;

	*found = NULL;
	if (db_prepare(l, "SELECT " REQUEST_COLUMNS " FROM requests WHERE client = ? AND "
	    "broker = ? AND request = ? AND basis = ? AND state NOT IN ('completed', 'denied')",
	    &st, cause) != 0)
		return -1;
	sqlite3_bind_text(st, 1, client, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, broker, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, request_name(request), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, basis != NULL ? basis : "", -1, SQLITE_TRANSIENT);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		rc = row_to_request(l, st, found, cause);
	else if (step != SQLITE_DONE)
		rc = db_fail(l, "cannot read a request", cause);
	sqlite3_finalize(st);
	return rc;
}

/* Give a plan item the reference of the client's open twin request, if there is one. */
int
ledger_reuse_reference(struct ledger *l, struct plan_item *it, const char *client, char **cause)
{
	struct ledger_request *r = NULL;

	if (find_open(l, client, it->broker->id, it->request, plan_basis_name(it->basis), &r,
	    cause) != 0)
		return -1;
	if (r != NULL)
		snprintf(it->reference, sizeof it->reference, "%s", r->reference);
	ledger_request_free(r);
	return 0;
}

/* Look for what makes this entry already recorded: its reference, or an open twin. */
static int
find_existing(struct ledger *l, const struct ledger_entry *e, struct ledger_request **found,
    char **cause)
{
	if (fetch(l, e->reference, 0, found, cause) != 0)
		return -1;
	if (*found != NULL) {
		struct ledger_request *r = *found;

		if (strcmp(r->client, e->client) != 0 || strcmp(r->broker, e->broker) != 0 ||
		    r->request != e->request) {
			*cause = xasprintf("%s: reference %s is already recorded for another "
			    "request", l->path, e->reference);
			ledger_request_free(r);
			*found = NULL;
			return -1;
		}
		return 0;
	}
	return find_open(l, e->client, e->broker, e->request, e->basis, found, cause);
}

/* Whether the requests table admits this type (a freeze is not tracked). */
int
ledger_tracks(enum request r)
{
	return r != REQ_FREEZE && (unsigned)r < REQ_COUNT;
}

/* Record a planned request once. */
int
ledger_record(struct ledger *l, const struct ledger_entry *e, long long *id, int *existed,
    enum ledger_state *state, char **cause)
{
	struct ledger_request *found = NULL;
	sqlite3_stmt *st;
	date_t created = e->created != 0 ? e->created : date_today();

	if (check_entry(e, cause) != 0 || tx_begin(l, cause) != 0)
		return -1;
	if (find_existing(l, e, &found, cause) != 0)
		goto fail;
	if (found != NULL) {
		*id = found->id;
		*existed = 1;
		if (state != NULL)
			*state = found->state;
		ledger_request_free(found);
		tx_rollback(l);
		return 0;
	}
	if (db_prepare(l, "INSERT INTO requests (reference, client, broker, procedure, request, "
	    "law, channel, state, created, deadline_days, deadline_unit, extension_days, "
	    "extension_unit, basis) VALUES (?, ?, ?, ?, ?, ?, ?, 'planned', ?, ?, ?, ?, ?, ?)", &st,
	    cause) != 0)
		goto fail;
	bind_str(st, 1, e->reference);
	bind_str(st, 2, e->client);
	bind_str(st, 3, e->broker);
	bind_str(st, 4, e->procedure);
	bind_str(st, 5, request_name(e->request));
	bind_str(st, 6, e->law);
	bind_str(st, 7, channel_name(e->channel));
	bind_date(st, 8, created);
	sqlite3_bind_int(st, 9, e->deadline_days);
	bind_str(st, 10, unit_name(e->deadline_unit));
	sqlite3_bind_int(st, 11, e->extension_days);
	bind_str(st, 12, unit_name(e->extension_unit));
	bind_str(st, 13, e->basis != NULL ? e->basis : "");
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_fail(l, "cannot record the request", cause);
		sqlite3_finalize(st);
		goto fail;
	}
	sqlite3_finalize(st);
	*id = sqlite3_last_insert_rowid(l->db);
	if (add_event(l, *id, LS_PLANNED, created, NULL, cause) != 0 || tx_commit(l, cause) != 0)
		goto fail;
	*existed = 0;
	if (state != NULL)
		*state = LS_PLANNED;
	return 0;
fail:
	tx_rollback(l);
	return -1;
}

/* Whether a reference is already recorded for a request other than this entry's. */
static int
reference_taken(struct ledger *l, const struct ledger_entry *e, int *taken, char **cause)
{
	struct ledger_request *r = NULL;

	if (fetch(l, e->reference, 0, &r, cause) != 0)
		return -1;
	*taken = r != NULL && (strcmp(r->client, e->client) != 0 ||
	    strcmp(r->broker, e->broker) != 0 || r->request != e->request);
	ledger_request_free(r);
	return 0;
}

/* Record a plan item, giving it the reference the ledger holds for it. */
int
ledger_record_plan(struct ledger *l, struct plan_item *it, const char *client, long long *id,
    int *existed, enum ledger_state *state, char **cause)
{
	struct ledger_entry e;
	struct ledger_request *r = NULL;
	int taken = 1, tries;

	ledger_entry_from_plan(&e, it, client);
	/* A random reference can collide with one already used: draw another. */
	for (tries = 0; tries < 16; tries++) {
		if (reference_taken(l, &e, &taken, cause) != 0)
			return -1;
		if (!taken)
			break;
		vault_new_reference(it->reference);
	}
	if (taken) {
		*cause = xasprintf("%s: cannot find an unused request reference", l->path);
		return -1;
	}
	if (ledger_record(l, &e, id, existed, state, cause) != 0)
		return -1;
	if (!*existed)
		return 0;
	/* Recorded before (an open request): its letters must carry the same reference. */
	if (fetch(l, NULL, *id, &r, cause) != 0)
		return -1;
	if (r == NULL) {
		*cause = xasprintf("%s: request %lld vanished while it was read", l->path, *id);
		return -1;
	}
	snprintf(it->reference, sizeof it->reference, "%s", r->reference);
	ledger_request_free(r);
	return 0;
}

/* Tie a label to the fingerprint of one person, or say it belongs to another. */
int
ledger_claim_client(struct ledger *l, const char *label, const char *fingerprint,
    const char *key_id, int *other, char **cause)
{
	sqlite3_stmt *st;
	char *had = NULL, *had_key = NULL;
	int step, rc = -1;

	*other = 0;
	if (tx_begin(l, cause) != 0)
		return -1;
	if (db_prepare(l, "SELECT fingerprint, key_id FROM clients WHERE label = ?", &st,
	    cause) != 0)
		goto out;
	sqlite3_bind_text(st, 1, label, -1, SQLITE_TRANSIENT);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		had = col_str(st, 0);
		had_key = col_str(st, 1);
	} else if (step != SQLITE_DONE) {
		db_fail(l, "cannot read the client labels", cause);
		sqlite3_finalize(st);
		goto out;
	}
	sqlite3_finalize(st);
	if (had != NULL && strcmp(had_key, key_id) == 0) {
		*other = strcmp(had, fingerprint) != 0;
		rc = 0;
		goto out;
	}
	/* New, or made under a key that was lost and replaced: (re)claim it. */
	if (db_prepare(l, "INSERT OR REPLACE INTO clients (label, fingerprint, key_id) "
	    "VALUES (?, ?, ?)", &st, cause) != 0)
		goto out;
	bind_str(st, 1, label);
	bind_str(st, 2, fingerprint);
	bind_str(st, 3, key_id);
	step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		db_fail(l, "cannot record the client label", cause);
		goto out;
	}
	if (tx_commit(l, cause) != 0)
		goto out;
	free(had);
	free(had_key);
	return 0;
out:
	tx_rollback(l);
	free(had);
	free(had_key);
	return rc;
}

/* Write a request's state and dates back (inside the caller's transaction). */
static int
store(struct ledger *l, const struct ledger_request *r, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(l, "UPDATE requests SET state = ?, sent = ?, due = ?, extended_due = ?, "
	    "closed = ?, message_id = ?, tracking = ?, received = ?, clock_start = ?, "
	    "clock_basis = ?, appeal_due = ? WHERE id = ?", &st, cause) != 0)
		return -1;
	sqlite3_bind_text(st, 1, ledger_state_name(r->state), -1, SQLITE_STATIC);
	bind_date(st, 2, r->sent);
	bind_date(st, 3, r->due);
	bind_date(st, 4, r->extended_due);
	bind_date(st, 5, r->closed);
	bind_str(st, 6, r->message_id);
	bind_str(st, 7, r->tracking);
	bind_date(st, 8, r->received);
	bind_date(st, 9, r->clock_start);
	bind_str(st, 10, r->clock_start != 0 ? ledger_clock_name(r->clock_basis) : NULL);
	bind_date(st, 11, r->appeal_due);
	sqlite3_bind_int64(st, 12, r->id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(l, "cannot update the request", cause);
	sqlite3_finalize(st);
	return rc;
}

/* Start the request's clock on day `from`: its due date, and the extended one if taken. */
static void
start_clock(struct ledger_request *r, date_t from, enum ledger_clock basis,
    const struct laws *laws)
{
	date_t end = laws_add(laws, from, r->deadline_days, r->deadline_unit);

	r->clock_start = from;
	r->clock_basis = basis;
	/* Moved past a weekend where the law says so (EU periods); the extension runs from the end. */
	r->due = laws_add_for(laws, r->law, from, r->deadline_days, r->deadline_unit);
	if (r->extended_due != 0)
		r->extended_due = laws_add_for(laws, r->law, end, r->extension_days,
		    r->extension_unit);
}

/* planned or failed -> sending (inside the caller's transaction). */
static int
begin_send(struct ledger *l, long long id, char **cause)
{
	struct ledger_request *r = NULL;
	int rc = -1;

	if (fetch_one(l, NULL, id, &r, cause) != 0)
		goto out;
	if (r->state != LS_PLANNED && r->state != LS_FAILED) {
		*cause = xasprintf("%s is %s: only a planned or failed request is sent, so nothing "
		    "goes out twice", r->reference, ledger_state_name(r->state));
		goto out;
	}
	r->state = LS_SENDING;
	if (store(l, r, cause) != 0 || add_event(l, id, LS_SENDING, date_today(), NULL, cause) != 0)
		goto out;
	rc = 0;
out:
	ledger_request_free(r);
	return rc;
}

/* Commit the sending state before the caller touches the network. */
int
ledger_begin_send(struct ledger *l, long long id, char **cause)
{
	if (tx_begin(l, cause) != 0)
		return -1;
	if (begin_send(l, id, cause) != 0 || tx_commit(l, cause) != 0) {
		tx_rollback(l);
		return -1;
	}
	return 0;
}

/*
 * sending -> to (sent, failed or needs-review), with the due date a send
 * starts (inside the caller's transaction).
 */
static int
finish_as(struct ledger *l, long long id, enum ledger_state to, const char *message_id,
    date_t sent_on, const struct laws *laws, const char *note, char **cause)
{
	struct ledger_request *r = NULL;
	int rc = -1;

	if (sent_on == 0)
		sent_on = date_today();
	if (fetch_one(l, NULL, id, &r, cause) != 0)
		goto out;
	if (r->state != LS_SENDING) {
		*cause = xasprintf("%s is %s, not sending: the outcome of a send can only be "
		    "recorded after ledger_begin_send", r->reference, ledger_state_name(r->state));
		goto out;
	}
	if (to == LS_SENT) {
		r->sent = sent_on;
		start_clock(r, sent_on, LC_SENT, laws);
		free(r->message_id);
		r->message_id = message_id != NULL ? xstrdup(message_id) : NULL;
	}
	r->state = to;
	if (store(l, r, cause) != 0 || add_event(l, id, r->state, sent_on, note, cause) != 0)
		goto out;
	rc = 0;
out:
	ledger_request_free(r);
	return rc;
}

/* finish_as in a transaction of its own. */
static int
finish_commit(struct ledger *l, long long id, enum ledger_state to, const char *message_id,
    date_t sent_on, const struct laws *laws, const char *note, char **cause)
{
	if (tx_begin(l, cause) != 0)
		return -1;
	if (finish_as(l, id, to, message_id, sent_on, laws, note, cause) != 0 ||
	    tx_commit(l, cause) != 0) {
		tx_rollback(l);
		return -1;
	}
	return 0;
}

/* Record how the send went, and the due date it starts. */
int
ledger_finish_send(struct ledger *l, long long id, int ok, const char *message_id,
    date_t sent_on, const struct laws *laws, const char *note, char **cause)
{
	return finish_commit(l, id, ok ? LS_SENT : LS_FAILED, message_id, sent_on, laws, note,
	    cause);
}

/* Record that a send may have reached the broker without a clear answer. */
int
ledger_finish_review(struct ledger *l, long long id, const char *note, char **cause)
{
	return finish_commit(l, id, LS_NEEDS_REVIEW, NULL, 0, NULL, note, cause);
}

static const char *const mail_outcomes[] = {
	"sending", "sent", "temporary", "permanent", "refused", "uncertain",
};

/* Insert an email attempt as sending (inside the caller's transaction). */
static int
mail_insert(struct ledger *l, long long id, const char *kind, const char *account,
    const char *message_id, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	if (!valid_label(account)) {
		*cause = xstrdup("the account name must be a plain label (letters, digits, '.', "
		    "'_' or '-', at most 64)");
		return -1;
	}
	if (db_prepare(l, "INSERT INTO mail_sends (request_id, account, message_id, day, kind) "
	    "VALUES (?, ?, ?, ?, ?)", &st, cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, message_id, -1, SQLITE_TRANSIENT);
	bind_date(st, 4, date_today());
	sqlite3_bind_text(st, 5, kind, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(l, "cannot record the email", cause);
	sqlite3_finalize(st);
	return rc;
}

/* planned or failed -> sending, with the email attempt, in one commit. */
int
ledger_begin_mail(struct ledger *l, long long id, const char *account, const char *message_id,
    char **cause)
{
	if (tx_begin(l, cause) != 0)
		return -1;
	if (begin_send(l, id, cause) != 0 ||
	    mail_insert(l, id, "request", account, message_id, cause) != 0 || tx_commit(l, cause) != 0)
		goto fail;
	return 0;
fail:
	tx_rollback(l);
	return -1;
}

/* Record the server's answer on the attempt being sent (inside the caller's transaction). */
static int
mail_outcome_set(struct ledger *l, long long id, const char *message_id,
    enum ledger_mail_outcome outcome, const char *reply, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(l, "UPDATE mail_sends SET outcome = ?, reply = ? "
	    "WHERE request_id = ? AND message_id = ? AND outcome = 'sending'", &st, cause) != 0)
		return -1;
	sqlite3_bind_text(st, 1, mail_outcomes[outcome], -1, SQLITE_STATIC);
	bind_str(st, 2, reply);
	sqlite3_bind_int64(st, 3, id);
	sqlite3_bind_text(st, 4, message_id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(l, "cannot record the reply", cause);
	sqlite3_finalize(st);
	if (rc == 0 && sqlite3_changes(l->db) != 1) {
		*cause = xasprintf("no email %s is being sent for this request", message_id);
		rc = -1;
	}
	return rc;
}

/* Record the server's answer to an email attempt, and the request's state with it. */
int
ledger_finish_mail(struct ledger *l, long long id, const char *message_id,
    enum ledger_mail_outcome outcome, const char *reply, const struct laws *laws, char **cause)
{
	if (tx_begin(l, cause) != 0)
		return -1;
	if (mail_outcome_set(l, id, message_id, outcome, reply, cause) != 0)
		goto fail;
	/* An uncertain send stays "sending": ledger_recover makes it needs-review later. */
	if (outcome != LM_UNCERTAIN && outcome != LM_SENDING &&
	    finish_as(l, id, outcome == LM_SENT ? LS_SENT : LS_FAILED, message_id, date_today(), laws,
	    reply, cause) != 0)
		goto fail;
	if (tx_commit(l, cause) != 0)
		goto fail;
	return 0;
fail:
	tx_rollback(l);
	return -1;
}

/* The email attempts of one kind for a request, the last one's outcome and Message-ID. */
static int
mail_last(struct ledger *l, long long id, const char *kind, int *attempts,
    enum ledger_mail_outcome *last, char **message_id, char **cause)
{
	sqlite3_stmt *st;
	int rc;
	size_t i;

	*attempts = 0;
	*last = LM_SENDING;
	if (message_id != NULL)
		*message_id = NULL;
	if (db_prepare(l, "SELECT outcome, (SELECT count(*) FROM mail_sends WHERE request_id = ?1 "
	    "AND kind = ?2), message_id FROM mail_sends WHERE request_id = ?1 AND kind = ?2 "
	    "ORDER BY id DESC LIMIT 1", &st, cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		for (i = 0; i < sizeof mail_outcomes / sizeof *mail_outcomes; i++)
			if (col_is(st, 0, mail_outcomes[i]))
				*last = (enum ledger_mail_outcome)i;
		*attempts = sqlite3_column_int(st, 1);
		if (message_id != NULL)
			*message_id = col_str(st, 2);
		rc = 0;
	} else
		rc = rc == SQLITE_DONE ? 0 : db_fail(l, "cannot read the emails sent", cause);
	sqlite3_finalize(st);
	return rc;
}

/* A request's email attempts so far, and the outcome of the last one. */
int
ledger_mail_last(struct ledger *l, long long id, int *attempts, enum ledger_mail_outcome *last,
    char **cause)
{
	return mail_last(l, id, "request", attempts, last, NULL, cause);
}

/* A follow-up's or appeal's email attempts to a request, and the last one. */
int
ledger_followup_mail_last(struct ledger *l, long long id, enum ledger_action a, int *attempts,
    enum ledger_mail_outcome *last, char **message_id, char **cause)
{
	return mail_last(l, id, ledger_action_name(a), attempts, last, message_id, cause);
}

/* A follow-up's email attempt, committed as sending before any I/O. */
int
ledger_begin_followup_mail(struct ledger *l, long long id, enum ledger_action a,
    const char *account, const char *message_id, char **cause)
{
	if (a != LA_FOLLOWUP && a != LA_APPEAL) {
		*cause = xstrdup("only a follow-up or an appeal goes to the business by email");
		return -1;
	}
	if (tx_begin(l, cause) != 0)
		return -1;
	if (mail_insert(l, id, ledger_action_name(a), account, message_id, cause) != 0 ||
	    tx_commit(l, cause) != 0) {
		tx_rollback(l);
		return -1;
	}
	return 0;
}

/* The server's answer to a follow-up's email attempt (the request's state does not move). */
int
ledger_finish_followup_mail(struct ledger *l, long long id, const char *message_id,
    enum ledger_mail_outcome outcome, const char *reply, char **cause)
{
	if (tx_begin(l, cause) != 0)
		return -1;
	if (mail_outcome_set(l, id, message_id, outcome, reply, cause) != 0 ||
	    tx_commit(l, cause) != 0) {
		tx_rollback(l);
		return -1;
	}
	return 0;
}

/* How many emails an account handed to its server on a day (the daily cap counts them). */
int
ledger_mail_count(struct ledger *l, const char *account, date_t day, int *n, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if (db_prepare(l, "SELECT count(*) FROM mail_sends WHERE account = ? AND day = ? "
	    "AND outcome <> 'refused'", &st, cause) != 0)
		return -1;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_TRANSIENT);
	bind_date(st, 2, day);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*n = sqlite3_column_int(st, 0);
		rc = 0;
	} else
		rc = db_fail(l, "cannot count the emails sent", cause);
	sqlite3_finalize(st);
	return rc;
}

/* Explain why a request cannot move from its state to `to`, or return NULL if it can. */
static char *
refusal(const struct ledger_request *r, enum ledger_state to)
{
	enum ledger_state from = r->state;
	char day[11];

	switch (to) {
	case LS_MAILED:
	case LS_SENT:
		/* Posted, emailed or submitted by the person, or checked after a crash. */
		if (from == LS_PLANNED || from == LS_FAILED || from == LS_NEEDS_REVIEW)
			return NULL;
		break;
	case LS_FAILED:
		if (from == LS_NEEDS_REVIEW)
			return NULL;
		break;
	case LS_ACKNOWLEDGED:
		if (from == LS_SENT || from == LS_MAILED)
			return NULL;
		break;
	case LS_EXTENDED:
		if (from == LS_SENT || from == LS_MAILED || from == LS_ACKNOWLEDGED)
			return NULL;
		break;
	case LS_COMPLETED:
	case LS_DENIED:
		if (ledger_state_awaiting(from))
			return NULL;
		break;
	default:
		return xasprintf("%s: a request cannot be marked %s by hand", r->reference,
		    ledger_state_name(to));
	}
	if (ledger_state_closed(from)) {
		date_format(r->closed, day);
		return xasprintf("%s is already %s (on %s): a closed request does not change",
		    r->reference, ledger_state_name(from), day);
	}
	if (from == LS_NEEDS_REVIEW)
		return xasprintf("%s needs review: it was being sent when optout stopped; check "
		    "whether it went out, then mark it sent or failed", r->reference);
	if (from == LS_SENDING)
		return xasprintf("%s is being sent right now", r->reference);
	if (from == LS_EXTENDED && to == LS_EXTENDED)
		return xasprintf("%s was already extended: the law allows one extension",
		    r->reference);
	if (to == LS_SENT)
		return xasprintf("%s is %s: it has gone out already", r->reference,
		    ledger_state_name(from));
	if (to == LS_FAILED)
		return xasprintf("%s is %s: only a request that needs review is marked failed by "
		    "hand", r->reference, ledger_state_name(from));
	if (!ledger_state_awaiting(from))
		return xasprintf("%s is %s: it has not gone out yet, so it cannot be %s",
		    r->reference, ledger_state_name(from), ledger_state_name(to));
	if (to == LS_MAILED) {
		date_format(r->sent, day);
		return xasprintf("%s is %s: it already went out on %s", r->reference,
		    ledger_state_name(from), day);
	}
	return xasprintf("%s is %s: it cannot become %s", r->reference, ledger_state_name(from),
	    ledger_state_name(to));
}

/* Apply a person's update to a fetched request; *cause explains a refusal. */
static int
apply_mark(struct ledger_request *r, enum ledger_state to, date_t on, const struct laws *laws,
    char **cause)
{
	char a[11], b[11];

	if ((*cause = refusal(r, to)) != NULL)
		return -1;
	if (ledger_state_awaiting(r->state) && on < r->sent) {
		date_format(on, a);
		date_format(r->sent, b);
		*cause = xasprintf("%s: %s is before the request went out (%s)", r->reference, a, b);
		return -1;
	}
	if (on < r->created) {
		date_format(on, a);
		date_format(r->created, b);
		*cause = xasprintf("%s: %s is before the request was planned (%s)", r->reference, a, b);
		return -1;
	}
	switch (to) {
	case LS_MAILED:
	case LS_SENT:
		/*
		 * The laws count from receipt: an email or form arrives the day it
		 * is sent; a letter is taken to arrive after the mail-transit
		 * allowance until its delivery is recorded.
		 */
		r->sent = on;
		r->extended_due = 0;
		r->received = 0;
		if (to == LS_MAILED)
			start_clock(r, laws_add(laws, on, laws_mail_transit_days(laws), UNIT_BUSINESS),
			    LC_TRANSIT, laws);
		else
			start_clock(r, on, LC_SENT, laws);
		break;
	case LS_EXTENDED:
		date_format(r->due, b);
		if (r->extension_days <= 0) {
			*cause = xasprintf("%s: the law (%s) allows no extension for this request; "
			    "it stays due on %s", r->reference, r->law, b);
			return -1;
		}
		if (on > r->due) {
			date_format(on, a);
			*cause = xasprintf("%s: the law requires notice of an extension within the "
			    "first period, which ended on %s; notice on %s came too late, so the "
			    "request stays due on %s", r->reference, b, a, b);
			return -1;
		}
		/* The extension adds to the first period, not to the day of the notice. */
		/* From the period's own end: a move past a weekend does not lengthen it. */
		{
			/* From the period's own end: a move past a weekend does not lengthen it. */
			date_t end = r->due;

			if (r->clock_start != 0 && laws_add_for(laws, r->law, r->clock_start,
			    r->deadline_days, r->deadline_unit) == r->due)
				end = laws_add(laws, r->clock_start, r->deadline_days, r->deadline_unit);
			r->extended_due = laws_add_for(laws, r->law, end, r->extension_days,
			    r->extension_unit);
		}
		break;
	case LS_COMPLETED:
	case LS_DENIED:
		r->closed = on;
		break;
	default:
		break;
	}
	r->state = to;
	return 0;
}

/* A person's update: mailed, acknowledged, extended, completed, denied, sent, failed. */
int
ledger_mark(struct ledger *l, const char *ref_or_id, enum ledger_state to, const char *tracking,
    const char *note, const char *reason, date_t on, const struct laws *laws,
    struct ledger_request **after, char **cause)
{
	struct ledger_request *r = NULL;

	if (after != NULL)
		*after = NULL;
	if (tx_begin(l, cause) != 0)
		return -1;
	if (fetch_one(l, ref_or_id, 0, &r, cause) != 0 || apply_mark(r, to, on, laws, cause) != 0)
		goto fail;
	if (tracking != NULL && *tracking != '\0') {
		free(r->tracking);
		r->tracking = xstrdup(tracking);
	}
	if (reason != NULL && to != LS_DENIED) {
		*cause = xasprintf("%s: a reason is recorded only with 'denied' (the broker's words "
		    "when it refuses)", r->reference);
		goto fail;
	}
	if (store(l, r, cause) != 0 || add_event_kind(l, r->id, ledger_state_name(to), on, note,
	    reason, cause) != 0 || tx_commit(l, cause) != 0)
		goto fail;
	if (after != NULL)
		*after = r;
	else
		ledger_request_free(r);
	return 0;
fail:
	tx_rollback(l);
	ledger_request_free(r);
	return -1;
}

/* Flag requests left in "sending" by a crash, when nobody else has the ledger open. */
int
ledger_recover(struct ledger *l, size_t *n, int *deferred, char **cause)
{
	sqlite3_stmt *st = NULL;
	long long *ids = NULL;
	size_t count = 0, i;
	int rc = -1, step;

	*n = 0;
	*deferred = 0;
	/*
	 * Every process holds a shared lock while the ledger is open; getting
	 * the exclusive one proves no other process is between begin_send and
	 * finish_send.  A failed conversion drops the shared lock, so it is
	 * taken back in every case.
	 */
	if (flock(l->lockfd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK) {
			*cause = xasprintf("%s-lock: %s", l->path, strerror(errno));
			flock(l->lockfd, LOCK_SH);
			return -1;
		}
		*deferred = 1;
		if (flock(l->lockfd, LOCK_SH) == -1) {
			*cause = xasprintf("%s-lock: %s", l->path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (tx_begin(l, cause) != 0)
		goto out;
	if (db_prepare(l, "SELECT id FROM requests WHERE state = 'sending' ORDER BY id", &st,
	    cause) != 0)
		goto fail;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		ids = xreallocarray(ids, count + 1, sizeof *ids);
		ids[count++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		db_fail(l, "cannot read the requests", cause);
		goto fail;
	}
	if (db_prepare(l, "UPDATE requests SET state = 'needs-review' WHERE id = ?", &st,
	    cause) != 0)
		goto fail;
	for (i = 0; i < count; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, ids[i]);
		if (sqlite3_step(st) != SQLITE_DONE) {
			db_fail(l, "cannot update a request", cause);
			sqlite3_finalize(st);
			goto fail;
		}
		if (add_event(l, ids[i], LS_NEEDS_REVIEW, date_today(), "interrupted while "
		    "sending: check whether it went out before sending it again", cause) != 0) {
			sqlite3_finalize(st);
			goto fail;
		}
	}
	sqlite3_finalize(st);
	/* A follow-up's email has no request state to move: its attempt says it. */
	if (db_exec(l, "UPDATE mail_sends SET outcome = 'uncertain' WHERE outcome = 'sending' "
	    "AND kind <> 'request'", "cannot update the emails sent", cause) != 0)
		goto fail;
	if (tx_commit(l, cause) != 0)
		goto out;
	*n = count;
	rc = 0;
	goto out;
fail:
	tx_rollback(l);
out:
	free(ids);
	if (flock(l->lockfd, LOCK_SH) == -1 && rc == 0) {
		*cause = xasprintf("%s-lock: %s", l->path, strerror(errno));
		rc = -1;
	}
	return rc;
}

/* Requests matching a filter, earliest due first. */
int
ledger_list(struct ledger *l, const struct ledger_filter *f, struct ledger_request ***out,
    size_t *n, char **cause)
{
	sqlite3_stmt *st;
	struct ledger_request **list = xcalloc(1, sizeof(struct ledger_request *));
	size_t count = 0;
	int step;

	*out = NULL;
	*n = 0;
	if (db_prepare(l, "SELECT " REQUEST_COLUMNS " FROM requests "
	    "WHERE (?1 IS NULL OR client = ?1) AND (?2 IS NULL OR (state IN (" AWAITING_LIST ") "
	    "AND coalesce(extended_due, due) < ?2)) "
	    "ORDER BY coalesce(extended_due, due) IS NULL, coalesce(extended_due, due), id",
	    &st, cause) != 0) {
		free(list);
		return -1;
	}
	bind_str(st, 1, f != NULL ? f->client : NULL);
	bind_date(st, 2, f != NULL ? f->overdue_on : 0);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		list = xreallocarray(list, count + 2, sizeof(struct ledger_request *));
		list[count] = list[count + 1] = NULL;
		if (row_to_request(l, st, &list[count], cause) != 0) {
			sqlite3_finalize(st);
			ledger_list_free(list);
			return -1;
		}
		count++;
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		ledger_list_free(list);
		return db_fail(l, "cannot read the requests", cause);
	}
	*out = list;
	*n = count;
	return 0;
}

/* A request's history, oldest first. */
int
ledger_events(struct ledger *l, long long id, struct ledger_event **out, size_t *n,
    char **cause)
{
	sqlite3_stmt *st;
	struct ledger_event *ev = NULL;
	size_t count = 0;
	int step;

	*out = NULL;
	*n = 0;
	if (db_prepare(l, "SELECT at, kind, day, note, reason FROM events WHERE request_id = ? "
	    "ORDER BY id", &st, cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		ev = xreallocarray(ev, count + 1, sizeof *ev);
		ev[count].at = col_str(st, 0);
		ev[count].kind = col_str(st, 1);
		ev[count].day = col_date(st, 2);
		ev[count].note = col_str(st, 3);
		ev[count].reason = col_str(st, 4);
		count++;
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		ledger_events_free(ev, count);
		return db_fail(l, "cannot read the events", cause);
	}
	*out = ev;
	*n = count;
	return 0;
}

/* Free one request. */
void
ledger_request_free(struct ledger_request *r)
{
	if (r == NULL)
		return;
	free(r->reference);
	free(r->client);
	free(r->broker);
	free(r->procedure);
	free(r->law);
	free(r->message_id);
	free(r->tracking);
	free(r);
}

/* Free a list from ledger_list. */
void
ledger_list_free(struct ledger_request **list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; list[i] != NULL; i++)
		ledger_request_free(list[i]);
	free(list);
}

/* Free events from ledger_events. */
void
ledger_events_free(struct ledger_event *ev, size_t n)
{
	size_t i;

	for (i = 0; ev != NULL && i < n; i++) {
		free(ev[i].at);
		free(ev[i].kind);
		free(ev[i].note);
		free(ev[i].reason);
	}
	free(ev);
}

/*
 * The ledger's rules as queries: each returns one row per violation, its
 * first column naming the request (or the problem).
 */
static const struct {
	const char *rule;
	const char *sql;
} invariants[] = {
	{ "has no single first 'planned' event",
	  "SELECT r.reference FROM requests r WHERE "
	  "(SELECT count(*) FROM events e WHERE e.request_id = r.id AND e.kind = 'planned') != 1 "
	  "OR (SELECT kind FROM events e WHERE e.request_id = r.id ORDER BY id LIMIT 1) "
	  "IS NOT 'planned'" },
	{ "went out more than once (several 'sent' or 'mailed' events)",
	  "SELECT r.reference FROM requests r WHERE (SELECT count(*) FROM events e WHERE "
	  "e.request_id = r.id AND e.kind IN ('sent', 'mailed')) > 1" },
	{ "has a state different from its last event",
	  "SELECT r.reference FROM requests r WHERE r.state IS NOT (SELECT kind FROM events e "
	  "WHERE e.request_id = r.id AND e.kind NOT IN (" ACTION_LIST_V3 ") "
	  "ORDER BY id DESC LIMIT 1)" },
	{ "lacks the dates its state needs",
	  "SELECT reference FROM requests WHERE "
	  "(state IN (" AWAITING_LIST ", 'completed', 'denied') AND (sent IS NULL OR due IS NULL)) "
	  "OR (state = 'extended' AND extended_due IS NULL) "
	  "OR (state IN ('completed', 'denied') AND closed IS NULL) "
	  "OR (state IN ('planned', 'sending', 'failed', 'needs-review') "
	  "AND (sent IS NOT NULL OR closed IS NOT NULL))" },
	{ "is open twice for the same client, broker and request type",
	  "SELECT group_concat(reference, ', ') FROM requests "
	  "WHERE state NOT IN ('completed', 'denied') GROUP BY client, broker, request "
	  "HAVING count(*) > 1" },
};

/* Run one check query, adding a line per row to b; returns rows found or -1. */
static int
check_query(struct ledger *l, const char *sql, const char *prefix, struct buf *b, int *lines,
    char **cause)
{
	sqlite3_stmt *st;
	int step, found = 0;

	if (db_prepare(l, sql, &st, cause) != 0)
		return -1;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *what = sqlite3_column_text(st, 0);

		if (prefix == NULL && what != NULL && strcmp((const char *)what, "ok") == 0)
			continue;
		found++;
		if ((*lines)++ < CHECK_MAX_PROBLEMS)
			buf_printf(b, "%s: %s%s\n", l->path, what != NULL ? (const char *)what : "?",
			    prefix != NULL ? prefix : "");
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(l, "cannot check the ledger", cause);
	return found;
}

/* SQLite's checks, then the ledger's own rules. */
int
ledger_check(struct ledger *l, char **cause)
{
	struct buf b;
	char *suffix;
	int lines = 0;
	size_t i;

	buf_init(&b);
	if (check_query(l, "PRAGMA integrity_check", NULL, &b, &lines, cause) < 0 ||
	    check_query(l, "SELECT 'table ' || \"table\" || ' row ' || rowid || "
	    "' refers to a missing ' || parent FROM pragma_foreign_key_check", "", &b, &lines,
	    cause) < 0)
		goto fail;
	for (i = 0; i < sizeof invariants / sizeof invariants[0]; i++) {
		suffix = xasprintf(" %s", invariants[i].rule);
		if (check_query(l, invariants[i].sql, suffix, &b, &lines, cause) < 0) {
			free(suffix);
			goto fail;
		}
		free(suffix);
	}
	if (lines == 0) {
		buf_free(&b);
		return 0;
	}
	if (lines > CHECK_MAX_PROBLEMS)
		buf_printf(&b, "%s: and %d more problems\n", l->path, lines - CHECK_MAX_PROBLEMS);
	b.data[--b.len] = '\0';
	*cause = buf_detach(&b);
	return -1;
fail:
	buf_free(&b);
	return -1;
}

/* The name an action has in the events table. */
const char *
ledger_action_name(enum ledger_action a)
{
	switch (a) {
	case LA_COMPLAINT:
		return "complaint";
	case LA_APPEAL:
		return "appeal";
	case LA_FOLLOWUP:
	default:
		return "followup";
	}
}

/* Record an action in a request's history. */
int
ledger_record_action(struct ledger *l, long long id, enum ledger_action a, date_t on,
    const char *note, char **cause)
{
	if (tx_begin(l, cause) != 0)
		return -1;
	if (add_event_kind(l, id, ledger_action_name(a), on ? on : date_today(), note, NULL,
	    cause) != 0) {
		tx_rollback(l);
		return -1;
	}
	return tx_commit(l, cause);
}

/* The day of the latest action of a kind. */
int
ledger_last_action(struct ledger *l, long long id, enum ledger_action a, date_t *on,
    char **cause)
{
	sqlite3_stmt *st;
	int rc;

	*on = 0;
	if (db_prepare(l, "SELECT day FROM events WHERE request_id = ? AND kind = ? "
	    "ORDER BY id DESC LIMIT 1", &st, cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, ledger_action_name(a), -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *day = sqlite3_column_text(st, 0);

		if (day != NULL && date_parse((const char *)day, on) != 0)
			*on = 0;
		rc = 0;
	} else
		rc = rc == SQLITE_DONE ? 0 : db_fail(l, "cannot read the events", cause);
	sqlite3_finalize(st);
	return rc;
}

/* The name a clock basis has in the requests table. */
const char *
ledger_clock_name(enum ledger_clock c)
{
	return (unsigned)c <= LC_RECEIVED ? clock_names[c] : "sent";
}

/* The broker received the request on `on`: the clock starts again from that day. */
int
ledger_mark_delivered(struct ledger *l, const char *ref_or_id, const char *tracking, date_t on,
    const struct laws *laws, struct ledger_request **after, char **cause)
{
	struct ledger_request *r = NULL;
	char a[11], b[11];

	if (after != NULL)
		*after = NULL;
	if (tx_begin(l, cause) != 0)
		return -1;
	if (fetch_one(l, ref_or_id, 0, &r, cause) != 0)
		goto fail;
	if (!ledger_state_awaiting(r->state)) {
		*cause = xasprintf("%s is %s: only a request that went out and awaits an answer "
		    "can be marked delivered", r->reference, ledger_state_name(r->state));
		goto fail;
	}
	if (r->received != 0) {
		date_format(r->received, a);
		*cause = xasprintf("%s: its delivery was already recorded (on %s)", r->reference, a);
		goto fail;
	}
	if (on < r->sent) {
		date_format(on, a);
		date_format(r->sent, b);
		*cause = xasprintf("%s: %s is before the request went out (%s)", r->reference, a, b);
		goto fail;
	}
	r->received = on;
	start_clock(r, on, LC_RECEIVED, laws);
	if (tracking != NULL && *tracking != '\0') {
		free(r->tracking);
		r->tracking = xstrdup(tracking);
	}
	if (store(l, r, cause) != 0 || add_event_kind(l, r->id, "delivered", on, NULL, NULL,
	    cause) != 0 || tx_commit(l, cause) != 0)
		goto fail;
	if (after != NULL)
		*after = r;
	else
		ledger_request_free(r);
	return 0;
fail:
	tx_rollback(l);
	ledger_request_free(r);
	return -1;
}

/* Record an appeal written on `on`, due by `due`. */
int
ledger_record_appeal(struct ledger *l, long long id, date_t on, date_t due, char **cause)
{
	struct ledger_request *r = NULL;

	if (tx_begin(l, cause) != 0)
		return -1;
	if (fetch_one(l, NULL, id, &r, cause) != 0)
		goto fail;
	r->appeal_due = due;
	if (store(l, r, cause) != 0 || add_event_kind(l, id, "appeal", on, NULL, NULL,
	    cause) != 0 || tx_commit(l, cause) != 0)
		goto fail;
	ledger_request_free(r);
	return 0;
fail:
	tx_rollback(l);
	ledger_request_free(r);
	return -1;
}

/* Whether a reply (by its key) was read before. */
int
ledger_reply_seen(struct ledger *l, const char *key, int *seen, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	*seen = 0;
	if (db_prepare(l, "SELECT 1 FROM replies WHERE reply_key = ?", &st, cause) != 0)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*seen = 1;
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(l, "cannot read the replies", cause);
	sqlite3_finalize(st);
	return rc;
}

/* Record that a reply matched no request, so that later runs pass over it. */
int
ledger_add_unmatched_reply(struct ledger *l, const char *key, date_t on, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(l, "INSERT OR IGNORE INTO replies (request_id, reply_key, day, class) "
	    "VALUES (NULL, ?, ?, 'unknown')", &st, cause) != 0)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	bind_date(st, 2, on);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(l, "cannot record the reply", cause);
	sqlite3_finalize(st);
	return rc;
}

/* Record a broker's reply, and the state it brings when the ledger's rules allow it. */
int
ledger_add_reply(struct ledger *l, const char *ref, const char *key, const char *kind,
    const char *evidence, enum ledger_state to, const char *note, date_t on,
    const struct laws *laws, int *changed, char **cause)
{
	struct ledger_request *r = NULL;
	sqlite3_stmt *st;
	char *why = NULL;
	int rc;

	*changed = 0;
	if (tx_begin(l, cause) != 0)
		return -1;
	if (fetch_one(l, ref, 0, &r, cause) != 0)
		goto fail;
	if (db_prepare(l, "INSERT INTO replies (request_id, reply_key, day, class, evidence) "
	    "VALUES (?, ?, ?, ?, ?)", &st, cause) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
	bind_date(st, 3, on);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_TRANSIENT);
	bind_str(st, 5, evidence);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(l, "cannot record the reply", cause);
	sqlite3_finalize(st);
	if (rc != 0)
		goto fail;
	if (to == LS_FAILED && r->state == LS_SENT) {
		/* A bounce: the email never arrived, so no deadline runs from it. */
		r->state = LS_FAILED;
		r->due = 0;
		r->extended_due = 0;
		*changed = 1;
	} else if (to != LS_COUNT && to != LS_FAILED && (why = refusal(r, to)) == NULL) {
		if (on < r->sent)
			on = r->sent;
		if (apply_mark(r, to, on, laws, cause) != 0)
			goto fail;
		*changed = 1;
	}
	free(why);
	if (*changed && (store(l, r, cause) != 0 || add_event(l, r->id, r->state, on, note,
	    cause) != 0))
		goto fail;
	if (tx_commit(l, cause) != 0)
		goto fail;
	ledger_request_free(r);
	return 0;
fail:
	tx_rollback(l);
	ledger_request_free(r);
	return -1;
}

/*
 * Forget a client: every request of the label, its events, email attempts
 * and replies, and the label's fingerprint, in one transaction, with
 * SQLite's secure_delete on and the write-ahead log truncated after, so
 * the deleted rows are overwritten rather than left in free pages.  The
 * references and the evidence files the replies pointed to are handed back
 * for the caller to remove.
 */
int
ledger_forget_client(struct ledger *l, const char *label, char ***refs, char ***evidence,
    char **cause)
{
	static const char *const deletes[] = {
		"DELETE FROM events WHERE request_id IN (SELECT id FROM requests WHERE client = ?1)",
		"DELETE FROM mail_sends WHERE request_id IN (SELECT id FROM requests WHERE client = ?1)",
		"DELETE FROM replies WHERE request_id IN (SELECT id FROM requests WHERE client = ?1)",
		"DELETE FROM requests WHERE client = ?1",
		"DELETE FROM clients WHERE label = ?1",
	};
	sqlite3_stmt *st;
	size_t i, nr = 0, ne = 0;
	int rc;

	*refs = xcalloc(1, sizeof **refs);
	*evidence = xcalloc(1, sizeof **evidence);
	if (db_exec(l, "PRAGMA secure_delete = ON", "cannot turn on secure deletion", cause) != 0 ||
	    tx_begin(l, cause) != 0)
		return -1;
	/* What the caller removes from the disk once the rows are gone. */
	if (db_prepare(l, "SELECT reference FROM requests WHERE client = ?1 ORDER BY id", &st,
	    cause) != 0)
		goto fail;
	sqlite3_bind_text(st, 1, label, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*refs = xreallocarray(*refs, nr + 2, sizeof **refs);
		(*refs)[nr++] = xstrdup((const char *)sqlite3_column_text(st, 0));
		(*refs)[nr] = NULL;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_fail(l, "cannot read the client's requests", cause);
		goto fail;
	}
	if (db_prepare(l, "SELECT evidence FROM replies WHERE evidence IS NOT NULL AND request_id "
	    "IN (SELECT id FROM requests WHERE client = ?1)", &st, cause) != 0)
		goto fail;
	sqlite3_bind_text(st, 1, label, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*evidence = xreallocarray(*evidence, ne + 2, sizeof **evidence);
		(*evidence)[ne++] = xstrdup((const char *)sqlite3_column_text(st, 0));
		(*evidence)[ne] = NULL;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_fail(l, "cannot read the client's replies", cause);
		goto fail;
	}
	for (i = 0; i < sizeof deletes / sizeof *deletes; i++) {
		if (db_prepare(l, deletes[i], &st, cause) != 0)
			goto fail;
		sqlite3_bind_text(st, 1, label, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			db_fail(l, "cannot remove the client's records", cause);
			goto fail;
		}
	}
	if (tx_commit(l, cause) != 0)
		goto fail;
	/* Old page images of the deleted rows live in the WAL until it is checkpointed. */
	return db_exec(l, "PRAGMA wal_checkpoint(TRUNCATE)", "cannot clear the write-ahead log",
	    cause);
fail:
	tx_rollback(l);
	return -1;
}

/* The ledger's only client label (allocated), or an error saying why there is none. */
static int
only_client(struct ledger *l, char **label, char **cause)
{
	sqlite3_stmt *st;
	int n = 0, step;

	*label = NULL;
	if (db_prepare(l, "SELECT label FROM clients UNION SELECT client FROM requests "
	    "ORDER BY 1 LIMIT 2", &st, cause) != 0)
		return -1;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == 0)
			*label = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		free(*label);
		*label = NULL;
		return db_fail(l, "cannot read the clients", cause);
	}
	if (n == 1)
		return 0;
	free(*label);
	*label = NULL;
	*cause = xasprintf(n == 0 ? "%s: no client in the ledger yet: give the profile's label "
	    "with --client" : "%s: the ledger holds several clients: say whose filing it is "
	    "with --client LABEL", l->path);
	return -1;
}

/* Record a DROP filing. */
int
ledger_record_drop(struct ledger *l, const char *client, const char *law, date_t filed,
    char **used, char **cause)
{
	sqlite3_stmt *st;
	char *label = NULL;
	int rc;

	if (used != NULL)
		*used = NULL;
	if (client != NULL && !valid_label(client)) {
		*cause = xasprintf("--client: expected a profile's label (letters, digits, '.', "
		    "'_' or '-', at most 64)");
		return -1;
	}
	if (client == NULL && only_client(l, &label, cause) != 0)
		return -1;
	if (tx_begin(l, cause) != 0) {
		free(label);
		return -1;
	}
	if (db_prepare(l, "INSERT INTO drop_filings (client, law, filed, at) VALUES (?, ?, ?, "
	    "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))", &st, cause) != 0) {
		tx_rollback(l);
		free(label);
		return -1;
	}
	bind_str(st, 1, client != NULL ? client : label);
	bind_str(st, 2, law);
	bind_date(st, 3, filed);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(l, "cannot record the DROP filing",
	    cause);
	sqlite3_finalize(st);
	if (rc != 0 || tx_commit(l, cause) != 0) {
		tx_rollback(l);
		free(label);
		return -1;
	}
	if (used != NULL)
		*used = label != NULL ? label : xstrdup(client);
	else
		free(label);
	return 0;
}

/* Each client's first DROP filing. */
int
ledger_drops(struct ledger *l, const char *client, struct ledger_drop **out, size_t *n,
    char **cause)
{
	sqlite3_stmt *st;
	int step;

	*out = NULL;
	*n = 0;
	if (db_prepare(l, "SELECT client, law, min(filed) FROM drop_filings "
	    "WHERE ?1 IS NULL OR client = ?1 GROUP BY client, law ORDER BY client", &st,
	    cause) != 0)
		return -1;
	bind_str(st, 1, client);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ledger_drop *d;

		*out = xreallocarray(*out, *n + 1, sizeof **out);
		d = &(*out)[(*n)++];
		d->client = xstrdup((const char *)sqlite3_column_text(st, 0));
		d->law = xstrdup((const char *)sqlite3_column_text(st, 1));
		if (date_parse((const char *)sqlite3_column_text(st, 2), &d->filed) != 0)
			d->filed = 0;
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		ledger_drops_free(*out, *n);
		*out = NULL;
		*n = 0;
		return db_fail(l, "cannot read the DROP filings", cause);
	}
	return 0;
}

/* Free what ledger_drops returned. */
void
ledger_drops_free(struct ledger_drop *d, size_t n)
{
	size_t i;

	for (i = 0; d != NULL && i < n; i++) {
		free(d[i].client);
		free(d[i].law);
	}
	free(d);
}
