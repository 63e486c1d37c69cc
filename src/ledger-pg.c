/*
 * ledger-pg: the ledger's PostgreSQL backend (libpq), for a clinic whose
 * seats share one ledger.  Semantics as SQLite's: a write transaction takes
 * one transaction-level advisory lock first (as BEGIN IMMEDIATE takes the
 * write lock), so a check and the write that follows it cannot interleave
 * with another seat's; every commit is durable before the caller sends.
 */
#include "config.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "ledger-db.h"
#include "optout/util.h"

/*
 * libpq is opened when a PostgreSQL ledger is (dlopen), not linked: it
 * brings OpenSSL, Kerberos and LDAP, whose loading would slow the start of
 * every command for the one person who keeps an SQLite ledger.
 */
#define LIBPQ_SONAME "libpq.so.5"

static struct {
	void (*clear)(PGresult *);
	char *(*cmdTuples)(PGresult *);
	PGconn *(*connectdbParams)(const char *const *, const char *const *, int);
	char *(*db)(const PGconn *);
	char *(*errorMessage)(const PGconn *);
	PGresult *(*exec)(PGconn *, const char *);
	PGresult *(*execParams)(PGconn *, const char *, int, const Oid *, const char *const *,
	    const int *, const int *, int);
	PGresult *(*execPrepared)(PGconn *, const char *, int, const char *const *, const int *,
	    const int *, int);
	void (*finish)(PGconn *);
	int (*getisnull)(const PGresult *, int, int);
	char *(*getvalue)(const PGresult *, int, int);
	char *(*host)(const PGconn *);
	int (*nfields)(const PGresult *);
	int (*ntuples)(const PGresult *);
	char *(*port)(const PGconn *);
	PGresult *(*prepare)(PGconn *, const char *, const char *, int, const Oid *);
	char *(*resultErrorField)(const PGresult *, int);
	ExecStatusType (*resultStatus)(const PGresult *);
	PQnoticeProcessor (*setNoticeProcessor)(PGconn *, PQnoticeProcessor, void *);
	ConnStatusType (*status)(const PGconn *);
	PGTransactionStatusType (*transactionStatus)(const PGconn *);
} pq;

/* Which symbol goes into which slot of pq. */
static const struct dl_symbol pq_symbols[] = {
	{ "PQclear", (void **)(void *)&pq.clear },
	{ "PQcmdTuples", (void **)(void *)&pq.cmdTuples },
	{ "PQconnectdbParams", (void **)(void *)&pq.connectdbParams },
	{ "PQdb", (void **)(void *)&pq.db },
	{ "PQerrorMessage", (void **)(void *)&pq.errorMessage },
	{ "PQexec", (void **)(void *)&pq.exec },
	{ "PQexecParams", (void **)(void *)&pq.execParams },
	{ "PQexecPrepared", (void **)(void *)&pq.execPrepared },
	{ "PQfinish", (void **)(void *)&pq.finish },
	{ "PQgetisnull", (void **)(void *)&pq.getisnull },
	{ "PQgetvalue", (void **)(void *)&pq.getvalue },
	{ "PQhost", (void **)(void *)&pq.host },
	{ "PQnfields", (void **)(void *)&pq.nfields },
	{ "PQntuples", (void **)(void *)&pq.ntuples },
	{ "PQport", (void **)(void *)&pq.port },
	{ "PQprepare", (void **)(void *)&pq.prepare },
	{ "PQresultErrorField", (void **)(void *)&pq.resultErrorField },
	{ "PQresultStatus", (void **)(void *)&pq.resultStatus },
	{ "PQsetNoticeProcessor", (void **)(void *)&pq.setNoticeProcessor },
	{ "PQstatus", (void **)(void *)&pq.status },
	{ "PQtransactionStatus", (void **)(void *)&pq.transactionStatus },
};

#define PQclear (pq.clear)
#define PQcmdTuples (pq.cmdTuples)
#define PQconnectdbParams (pq.connectdbParams)
#define PQdb (pq.db)
#define PQerrorMessage (pq.errorMessage)
#define PQexec (pq.exec)
#define PQexecParams (pq.execParams)
#define PQexecPrepared (pq.execPrepared)
#define PQfinish (pq.finish)
#define PQgetisnull (pq.getisnull)
#define PQgetvalue (pq.getvalue)
#define PQhost (pq.host)
#define PQnfields (pq.nfields)
#define PQntuples (pq.ntuples)
#define PQport (pq.port)
#define PQprepare (pq.prepare)
#define PQresultErrorField (pq.resultErrorField)
#define PQresultStatus (pq.resultStatus)
#define PQsetNoticeProcessor (pq.setNoticeProcessor)
#define PQstatus (pq.status)
#define PQtransactionStatus (pq.transactionStatus)

/* "opto" (the SQLite file's application_id): the users' lock. */
#define PG_USERS_LOCK "1869640815"
/* The write lock every write transaction takes. */
#define PG_WRITE_LOCK "1869640816"
/* Claims of work (client labels) use the two-key form, first key this. */
#define PG_CLAIM_SPACE "1869640817"
#define MAX_PARAMS 32
/* After rows were copied with their ids, new ones are numbered after them. */
#define PG_RENUMBER(t) "SELECT setval(pg_get_serial_sequence('" t "', 'id'), " \
	"coalesce(max(id), 0) + 1, false) FROM " t "; "

struct pg {
	struct ldb base;
	PGconn *conn;
	char *err;
	char *files_base;
	long long changes;
	int nstmt; /* names prepared statements */
};

struct pg_stmt {
	struct ldb_stmt base;
	struct pg *pg;
	char name[24];
	int nparams;
	char *params[MAX_PARAMS];
	PGresult *res;
	int row, nrows;
};

static const struct ldb_ops pg_ops;

/* The backend's statement behind the common one. */
static struct pg_stmt *
P(struct ldb_stmt *st)
{
	return (struct pg_stmt *)st;
}

static const char *const pg_checks[] = {
	/* PostgreSQL enforces foreign keys itself; its pages are checked by the server. */
	"SELECT 'ok'",
	NULL,
};

static const struct ldb_dialect pg_dialect = {
	.name = "PostgreSQL",
	.begin = "BEGIN; SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")",
	.get_version = "SELECT version FROM optout_schema",
	.set_version = "UPDATE optout_schema SET version = %d",
	.count_tables = "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
	    "AND tablename <> 'optout_schema'",
	.checks = pg_checks,
	.concat_refs = "string_agg(reference, ', ')",
	.forget_begin = NULL,
	/* Reclaims the deleted rows' space (it does not overwrite it: see the README). */
	.forget_end = "VACUUM requests, events, mail_sends, replies, clients, drop_filings",
	.after_copy = PG_RENUMBER("requests") PG_RENUMBER("events") PG_RENUMBER("mail_sends")
	    PG_RENUMBER("replies") PG_RENUMBER("drop_filings"),
	.whoami = "SELECT current_user",
	.pg = 1,
};

/* Keep a copy of the server's primary message (never its DETAIL, which may quote values). */
static void
set_err(struct pg *p, const PGresult *res)
{
	const char *m = res != NULL ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	size_t n;

	free(p->err);
	p->err = xstrdup(m != NULL ? m : PQerrorMessage(p->conn));
	n = strlen(p->err);
	while (n > 0 && p->err[n - 1] == '\n')
		p->err[--n] = '\0';
}

/* Drop the server's notices ("already exists, skipping"): they are not for the person. */
static void
quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* The last error's message. */
static const char *
pg_errmsg(struct ldb *db)
{
	struct pg *p = (struct pg *)db;

	return p->err != NULL ? p->err : "unknown error";
}

/* Whether a result is a success. */
static int
res_ok(const PGresult *res)
{
	ExecStatusType s = PQresultStatus(res);

	return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

/* Run SQL that returns no rows (several statements allowed). */
static int
pg_exec(struct ldb *db, const char *sql)
{
	struct pg *p = (struct pg *)db;
	PGresult *res;
	int rc;

	if (*sql == '\0')
		return 0;
	res = PQexec(p->conn, sql);
	rc = res_ok(res) ? 0 : -1;

	if (rc != 0)
		set_err(p, res);
	PQclear(res);
	return rc;
}

/* Turn ? and ?N into $n, outside string literals; *n gets the highest number. */
static char *
translate(const char *sql, int *n)
{
	struct buf b;
	int seq = 0, quoted = 0;
	const char *s;

	buf_init(&b);
	*n = 0;
	for (s = sql; *s != '\0'; s++) {
		if (*s == '\'')
			quoted = !quoted;
		if (quoted || *s != '?') {
			buf_printf(&b, "%c", *s);
			continue;
		}
		if (s[1] >= '0' && s[1] <= '9') {
			int k = (int)strtol(s + 1, NULL, 10);

			while (s[1] >= '0' && s[1] <= '9')
				s++;
			if (k > *n)
				*n = k;
			buf_printf(&b, "$%d", k);
		} else {
			buf_printf(&b, "$%d", ++seq);
			if (seq > *n)
				*n = seq;
		}
	}
	return buf_detach(&b);
}

/* Prepare a named statement on the server, kept for the connection's life. */
static int
pg_prepare(struct ldb *db, const char *sql, struct ldb_stmt **out)
{
	struct pg *p = (struct pg *)db;
	struct pg_stmt *st;
	PGresult *res;
	char *text;
	int n;

	*out = NULL;
	text = translate(sql, &n);
	if (n > MAX_PARAMS) {
		free(p->err);
		p->err = xasprintf("a query has %d parameters, more than %d", n, MAX_PARAMS);
		free(text);
		return -1;
	}
	st = xcalloc(1, sizeof *st);
	st->base.ops = &pg_ops;
	st->pg = p;
	st->nparams = n;
	snprintf(st->name, sizeof st->name, "optout_%d", ++p->nstmt);
	res = PQprepare(p->conn, st->name, text, n, NULL);
	free(text);
	if (!res_ok(res)) {
		set_err(p, res);
		PQclear(res);
		free(st);
		return -1;
	}
	PQclear(res);
	*out = &st->base;
	return 0;
}

/* Bind a string (sent as text), or NULL. */
static void
pg_bind_text(struct ldb_stmt *common, int i, const char *s)
{
	struct pg_stmt *st = P(common);
	if (i < 1 || i > st->nparams)
		return;
	free(st->params[i - 1]);
	st->params[i - 1] = s != NULL ? xstrdup(s) : NULL;
}

/* Bind an integer (as its decimal text). */
static void
pg_bind_int(struct ldb_stmt *st, int i, long long v)
{
	char num[24];

	snprintf(num, sizeof num, "%lld", v);
	pg_bind_text(st, i, num);
}

/* Run the statement at the first step, then walk its rows. */
static int
pg_step(struct ldb_stmt *common)
{
	struct pg_stmt *st = P(common);
	if (st->res == NULL) {
		const char *cmd;

		st->res = PQexecPrepared(st->pg->conn, st->name, st->nparams,
		    (const char *const *)st->params, NULL, NULL, 0);
		if (!res_ok(st->res)) {
			set_err(st->pg, st->res);
			return LDB_ERROR;
		}
		cmd = PQcmdTuples(st->res);
		st->pg->changes = cmd[0] != '\0' ? strtoll(cmd, NULL, 10) : 0;
		st->nrows = PQntuples(st->res);
		st->row = -1;
	}
	if (!res_ok(st->res))
		return LDB_ERROR;
	if (++st->row < st->nrows)
		return LDB_ROW;
	st->row = st->nrows;
	return LDB_DONE;
}

/* A column as text, NULL for SQL NULL. */
static const char *
pg_column_text(struct ldb_stmt *common, int i)
{
	struct pg_stmt *st = P(common);
	if (st->res == NULL || st->row < 0 || st->row >= st->nrows || i >= PQnfields(st->res) ||
	    PQgetisnull(st->res, st->row, i))
		return NULL;
	return PQgetvalue(st->res, st->row, i);
}

/* A column as an integer (0 for NULL). */
static long long
pg_column_int(struct ldb_stmt *st, int i)
{
	const char *s = pg_column_text(st, i);

	if (s == NULL)
		return 0;
	if (strcmp(s, "t") == 0)
		return 1;
	return strtoll(s, NULL, 10);
}

/* Ready to run again. */
static void
pg_reset(struct ldb_stmt *common)
{
	struct pg_stmt *st = P(common);
	int i;

	PQclear(st->res);
	st->res = NULL;
	for (i = 0; i < MAX_PARAMS; i++) {
		free(st->params[i]);
		st->params[i] = NULL;
	}
}

/* Free a statement (the server forgets it when the connection closes). */
static void
pg_finalize(struct ldb_stmt *st)
{
	if (st == NULL)
		return;
	pg_reset(st);
	free(P(st));
}

/* Rows changed by the last statement. */
static long long
pg_changes(struct ldb *db)
{
	return ((struct pg *)db)->changes;
}

/* Whether a transaction is open (or failed and not yet rolled back). */
static int
pg_in_tx(struct ldb *db)
{
	return PQtransactionStatus(((struct pg *)db)->conn) != PQTRANS_IDLE;
}

/*
 * Every connection holds the users' advisory lock shared; the exclusive one
 * proves no other seat is between "sending" and its outcome.  As with flock,
 * the shared lock is given up to try.  A seat killed a moment ago may keep
 * its lock until the server notices the closed connection, so the attempt
 * waits up to LOCK_WAIT for it rather than failing at once.
 */
#define LOCK_WAIT "1s"
static int
pg_lock_exclusive(struct ldb *db, int *got, char **cause)
{
	struct pg *p = (struct pg *)db;
	PGresult *res;
	const char *state;

	*got = 0;
	if (pg_exec(db, "SELECT pg_advisory_unlock_shared(" PG_USERS_LOCK "); "
	    "SET lock_timeout = '" LOCK_WAIT "'") != 0) {
		*cause = xasprintf("PostgreSQL: cannot take a lock: %s", p->err);
		return -1;
	}
	res = PQexec(p->conn, "SELECT pg_advisory_lock(" PG_USERS_LOCK ")");
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		*got = 1;
	else if (state == NULL || strcmp(state, "55P03") != 0) {
		set_err(p, res);
		PQclear(res);
		*cause = xasprintf("PostgreSQL: cannot take a lock: %s", p->err);
		return -1;
	}
	PQclear(res);
	if (pg_exec(db, "RESET lock_timeout") != 0) {
		*cause = xasprintf("PostgreSQL: cannot take a lock: %s", p->err);
		return -1;
	}
	return 0;
}

/* Back to the shared users' lock (an exclusive one, if held, is let go). */
static int
pg_lock_shared(struct ldb *db, char **cause)
{
	struct pg *p = (struct pg *)db;

	if (pg_exec(db, "SELECT pg_advisory_unlock(" PG_USERS_LOCK ")") != 0 ||
	    pg_exec(db, "SELECT pg_advisory_lock_shared(" PG_USERS_LOCK ")") != 0) {
		*cause = xasprintf("PostgreSQL: cannot take a lock: %s", p->err);
		return -1;
	}
	return 0;
}

/* Take a piece of work for this connection, or learn that another seat has it. */
static int
pg_claim(struct ldb *db, const char *key, int *mine, char **cause)
{
	struct pg *p = (struct pg *)db;
	const char *params[1] = { key };
	PGresult *res = PQexecParams(p->conn, "SELECT pg_try_advisory_lock(" PG_CLAIM_SPACE
	    ", hashtext($1))", 1, NULL, params, NULL, NULL, 0);
	int rc = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		set_err(p, res);
		*cause = xasprintf("PostgreSQL: cannot claim a client: %s", p->err);
		rc = -1;
	} else
		*mine = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return rc;
}

/* Local companion files are named after the server, port and database. */
static const char *
pg_files_base(struct ldb *db)
{
	return ((struct pg *)db)->files_base;
}

/* Close the connection: the server drops its locks and prepared statements. */
static void
pg_close(struct ldb *db)
{
	struct pg *p = (struct pg *)db;

	if (p == NULL)
		return;
	if (p->conn != NULL)
		PQfinish(p->conn);
	free(p->err);
	free(p->files_base);
	free(p);
}

static const struct ldb_ops pg_ops = {
	.close = pg_close,
	.errmsg = pg_errmsg,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.bind_text = pg_bind_text,
	.bind_int = pg_bind_int,
	.step = pg_step,
	.column_text = pg_column_text,
	.column_int = pg_column_int,
	.reset = pg_reset,
	.finalize = pg_finalize,
	.changes = pg_changes,
	.in_tx = pg_in_tx,
	.lock_exclusive = pg_lock_exclusive,
	.lock_shared = pg_lock_shared,
	.claim = pg_claim,
	.files_base = pg_files_base,
};

/* Whether s is a PostgreSQL connection URL. */
int
ldb_is_pg_url(const char *s)
{
	return s != NULL && (strncmp(s, "postgresql://", 13) == 0 ||
	    strncmp(s, "postgres://", 11) == 0);
}

/* The URL without its password or parameters, fit for messages. */
static char *
display_url(const char *url)
{
	const char *auth = strstr(url, "://") + 3, *at, *colon, *q;
	char *out;

	q = strchr(auth, '?');
	out = q != NULL ? xstrndup(url, (size_t)(q - url)) : xstrdup(url);
	at = strchr(out + (auth - url), '@');
	colon = strchr(out + (auth - url), ':');
	if (at != NULL && colon != NULL && colon < at)
		memmove((char *)colon, at, strlen(at) + 1);
	return out;
}

/* A file-name-safe word: letters, digits, '.', '-'; anything else becomes '_'. */
static void
safe_word(struct buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		buf_printf(b, "%c", (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' ? *s : '_');
}

/* Connect, make sure the version table exists, and hold the shared users' lock. */
struct ldb *
ldb_pg_open(const char *url, char **display, char **cause)
{
	static const char *const keys[] = { "dbname", "application_name", "connect_timeout",
		NULL };
	const char *vals[] = { url, "optout", "10", NULL };
	static int loaded; /* libpq, opened once */
	struct pg *p;
	struct buf b;
	char *name;

	*display = NULL;
	if (!loaded) {
		if (dl_load(LIBPQ_SONAME, pq_symbols, sizeof pq_symbols / sizeof pq_symbols[0],
		    cause) != 0)
			return NULL;
		loaded = 1;
	}
	p = xcalloc(1, sizeof *p);
	p->base.ops = &pg_ops;
	p->base.sql = &pg_dialect;
	*display = display_url(url);
	p->conn = PQconnectdbParams(keys, vals, 1);
	if (p->conn == NULL || PQstatus(p->conn) != CONNECTION_OK) {
		*cause = xasprintf("%s: cannot connect: %s", *display,
		    p->conn != NULL ? PQerrorMessage(p->conn) : "out of memory");
		if ((*cause)[strlen(*cause) - 1] == '\n')
			(*cause)[strlen(*cause) - 1] = '\0';
		goto fail;
	}
	PQsetNoticeProcessor(p->conn, quiet, NULL);
	/* The version table is made once, under the write lock, whoever comes first. */
	if (pg_exec(&p->base, "SET client_encoding = 'UTF8'; BEGIN; "
	    "SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK "); "
	    "CREATE TABLE IF NOT EXISTS optout_schema (version integer NOT NULL); "
	    "INSERT INTO optout_schema SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM optout_schema); "
	    "COMMIT; SELECT pg_advisory_lock_shared(" PG_USERS_LOCK ")") != 0) {
		*cause = xasprintf("%s: cannot prepare the ledger: %s", *display, p->err);
		goto fail;
	}
	buf_init(&b);
	buf_printf(&b, "postgresql-");
	safe_word(&b, PQhost(p->conn));
	buf_printf(&b, "-");
	safe_word(&b, PQport(p->conn));
	buf_printf(&b, "-");
	safe_word(&b, PQdb(p->conn));
	name = buf_detach(&b);
	p->files_base = data_home_path(name, "the ledger's key", cause);
	free(name);
	if (p->files_base == NULL)
		goto fail;
	/* The key file is made beside it, in a private folder. */
	name = xstrndup(p->files_base, (size_t)(strrchr(p->files_base, '/') - p->files_base));
	if (make_dirs(name, 0700, cause) != 0) {
		free(name);
		goto fail;
	}
	free(name);
	return &p->base;
fail:
	pg_close(&p->base);
	free(*display);
	*display = NULL;
	return NULL;
}
