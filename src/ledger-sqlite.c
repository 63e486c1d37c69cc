/* ledger-sqlite: the ledger's SQLite backend (WAL, synchronous=FULL, BEGIN IMMEDIATE). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger-db.h"
#include "optout/util.h"

#define BUSY_MS 5000

struct sq {
	struct ldb base;
	sqlite3 *db;
	char *path;
	int lockfd; /* flock: shared while open, exclusive while recovering */
};

struct sq_stmt {
	struct ldb_stmt base;
	sqlite3_stmt *st;
};

static const struct ldb_ops sq_ops;

/* The backend's statement behind the common one. */
static sqlite3_stmt *
S(struct ldb_stmt *st)
{
	return ((struct sq_stmt *)st)->st;
}

static const char *const sq_checks[] = {
	"PRAGMA integrity_check",
	"SELECT 'table ' || \"table\" || ' row ' || rowid || ' refers to a missing ' || parent "
	"FROM pragma_foreign_key_check",
	NULL,
};

static const struct ldb_dialect sq_dialect = {
	.name = "SQLite",
	.begin = "BEGIN IMMEDIATE",
	.get_version = "PRAGMA user_version",
	.set_version = "PRAGMA user_version = %d",
	.count_tables = "SELECT count(*) FROM sqlite_master",
	.checks = sq_checks,
	.concat_refs = "group_concat(reference, ', ')",
	/* Deleted rows are overwritten, and their old pages leave the write-ahead log. */
	.forget_begin = "PRAGMA secure_delete = ON",
	.forget_end = "PRAGMA wal_checkpoint(TRUNCATE)",
	.after_copy = NULL,
	.whoami = NULL,
	.pg = 0,
};

/* The last error's message. */
static const char *
sq_errmsg(struct ldb *db)
{
	struct sq *s = (struct sq *)db;

	return sqlite3_errmsg(s->db);
}

/* Run SQL that returns no rows. */
static int
sq_exec(struct ldb *db, const char *sql)
{
	return sqlite3_exec(((struct sq *)db)->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Prepare a statement that is kept for the connection's life. */
static int
sq_prepare(struct ldb *db, const char *sql, struct ldb_stmt **out)
{
	struct sq_stmt *q;
	sqlite3_stmt *st;

	*out = NULL;
	if (sqlite3_prepare_v3(((struct sq *)db)->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK)
		return -1;
	q = xcalloc(1, sizeof *q);
	q->base.ops = &sq_ops;
	q->st = st;
	*out = &q->base;
	return 0;
}

/* Bind a string, or NULL. */
static void
sq_bind_text(struct ldb_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(S(st), i);
	else
		sqlite3_bind_text(S(st), i, s, -1, SQLITE_TRANSIENT);
}

/* Bind an integer. */
static void
sq_bind_int(struct ldb_stmt *st, int i, long long v)
{
	sqlite3_bind_int64(S(st), i, v);
}

/* The next row. */
static int
sq_step(struct ldb_stmt *st)
{
	switch (sqlite3_step(S(st))) {
	case SQLITE_ROW:
		return LDB_ROW;
	case SQLITE_DONE:
		return LDB_DONE;
	default:
		return LDB_ERROR;
	}
}

/* A column as text. */
static const char *
sq_column_text(struct ldb_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(S(st), i);
}

/* A column as an integer. */
static long long
sq_column_int(struct ldb_stmt *st, int i)
{
	return sqlite3_column_int64(S(st), i);
}

/* Ready to run again. */
static void
sq_reset(struct ldb_stmt *st)
{
	sqlite3_reset(S(st));
	sqlite3_clear_bindings(S(st));
}

/* Free a statement. */
static void
sq_finalize(struct ldb_stmt *st)
{
	if (st == NULL)
		return;
	sqlite3_finalize(S(st));
	free((struct sq_stmt *)st);
}

/* Rows changed by the last statement. */
static long long
sq_changes(struct ldb *db)
{
	return sqlite3_changes(((struct sq *)db)->db);
}

/* Whether a transaction is open. */
static int
sq_in_tx(struct ldb *db)
{
	return !sqlite3_get_autocommit(((struct sq *)db)->db);
}

/*
 * The lock file beside the database says who has it open.  A failed
 * conversion to exclusive drops the shared lock, so the caller takes it back.
 */
static int
sq_lock_exclusive(struct ldb *db, int *got, char **cause)
{
	struct sq *s = (struct sq *)db;

	*got = flock(s->lockfd, LOCK_EX | LOCK_NB) == 0;
	if (!*got && errno != EWOULDBLOCK) {
		*cause = xasprintf("%s-lock: %s", s->path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Back to the shared lock every user holds. */
static int
sq_lock_shared(struct ldb *db, char **cause)
{
	struct sq *s = (struct sq *)db;

	if (flock(s->lockfd, LOCK_SH) == -1) {
		*cause = xasprintf("%s-lock: %s", s->path, strerror(errno));
		return -1;
	}
	return 0;
}

/* One machine, one file: a run takes every client (recording stays idempotent). */
static int
sq_claim(struct ldb *db, const char *key, int *mine, char **cause)
{
	(void)db;
	(void)key;
	(void)cause;
	*mine = 1;
	return 0;
}

/* The file itself. */
static const char *
sq_files_base(struct ldb *db)
{
	return ((struct sq *)db)->path;
}

/* Close the connection; SQLite checkpoints the WAL when the last one closes. */
static void
sq_close(struct ldb *db)
{
	struct sq *s = (struct sq *)db;

	if (s == NULL)
		return;
	if (s->db != NULL)
		sqlite3_close(s->db);
	if (s->lockfd != -1)
		close(s->lockfd);
	free(s->path);
	free(s);
}

static const struct ldb_ops sq_ops = {
	.close = sq_close,
	.errmsg = sq_errmsg,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.bind_text = sq_bind_text,
	.bind_int = sq_bind_int,
	.step = sq_step,
	.column_text = sq_column_text,
	.column_int = sq_column_int,
	.reset = sq_reset,
	.finalize = sq_finalize,
	.changes = sq_changes,
	.in_tx = sq_in_tx,
	.lock_exclusive = sq_lock_exclusive,
	.lock_shared = sq_lock_shared,
	.claim = sq_claim,
	.files_base = sq_files_base,
};

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

/* Set the connection's durability and safety settings. */
static int
configure(struct sq *s, char **cause)
{
	sqlite3_stmt *st;
	int wal;

	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, BUSY_MS);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK) {
		*cause = xasprintf("%s: cannot configure: %s", s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	wal = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL &&
	    strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
	sqlite3_finalize(st);
	if (!wal || sqlite3_exec(s->db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON",
	    NULL, NULL, NULL) != SQLITE_OK) {
		*cause = xasprintf("%s: cannot use write-ahead logging: %s", s->path,
		    sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

/* Open (creating) the file, holding the shared users' lock. */
struct ldb *
ldb_sqlite_open(const char *path, char **cause)
{
	struct sq *s = xcalloc(1, sizeof *s);
	char *lockpath;
	int rc;

	s->base.ops = &sq_ops;
	s->base.sql = &sq_dialect;
	s->lockfd = -1;
	s->path = xstrdup(path);
	if (prepare_file(path, cause) != 0)
		goto fail;
	/*
	 * A lock file beside the database says who has it open: shared while
	 * open, exclusive only to recover (see ledger_recover).  It cannot be
	 * the database itself: closing any descriptor of that file would drop
	 * SQLite's own POSIX locks.
	 */
	lockpath = xasprintf("%s-lock", path);
	s->lockfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lockfd == -1 || flock(s->lockfd, LOCK_SH) == -1) {
		*cause = xasprintf("%s: %s", lockpath, strerror(errno));
		free(lockpath);
		goto fail;
	}
	free(lockpath);
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		*cause = xasprintf("%s: %s", path,
		    s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	if (configure(s, cause) != 0)
		goto fail;
	return &s->base;
fail:
	sq_close(&s->base);
	return NULL;
}
