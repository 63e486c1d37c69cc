/*
 * ledger-db: the statement-level interface between ledger.c (states, events,
 * migrations, queries: written once) and its two backends, ledger-sqlite.c
 * and ledger-pg.c (the only files that include sqlite3.h and libpq-fe.h).
 *
 * SQL is written once with '?' or '?N' placeholders; the PostgreSQL backend
 * turns them into $n.  What differs between the two databases is kept in a
 * few strings of struct ldb_dialect (how a write transaction begins, where
 * the schema version lives, the check queries, a string aggregate) and in
 * the per-backend text of a migration (struct ldb_migration).
 *
 * Statements are prepared once per connection and cached by their SQL text
 * (ledger.c's db_prepare); ldb_done hands one back to the cache, its
 * bindings and rows cleared.  Private to the ledger: nothing else includes it.
 */
#ifndef OPTOUT_LEDGER_DB_H
#define OPTOUT_LEDGER_DB_H

enum { LDB_ROW = 1, LDB_DONE = 2, LDB_ERROR = -1 };

struct ldb;
struct ldb_ops;

/* A prepared statement: each backend's own structure begins with this. */
struct ldb_stmt {
	const struct ldb_ops *ops;
};

/* What differs in SQL between the backends. */
struct ldb_dialect {
	const char *name;          /* "SQLite", "PostgreSQL" */
	const char *begin;         /* a write transaction that takes the write lock at once */
	const char *get_version;   /* one row, one integer column */
	const char *set_version;   /* printf format with one %d */
	const char *count_tables;  /* tables other than the version's: a fresh ledger has 0 */
	const char *const *checks; /* the database's own checks, one row per problem ("ok": none) */
	const char *concat_refs;   /* aggregate: references joined by ", " */
	const char *forget_begin;  /* before forgetting a client (NULL: nothing) */
	const char *forget_end;    /* after forgetting a client, outside the transaction */
	const char *after_copy;    /* after rows were copied with their ids (NULL: nothing) */
	const char *whoami;        /* the database user (NULL: none; the login names the seat) */
	int pg;                    /* which text of a migration applies */
};

struct ldb_ops {
	void (*close)(struct ldb *db);
	/* The last error's message (borrowed). */
	const char *(*errmsg)(struct ldb *db);
	/* Run SQL that returns no rows (several statements allowed): 0 or -1. */
	int (*exec)(struct ldb *db, const char *sql);
	int (*prepare)(struct ldb *db, const char *sql, struct ldb_stmt **st);
	/* Parameters count from 1; a NULL string binds SQL NULL. */
	void (*bind_text)(struct ldb_stmt *st, int i, const char *s);
	void (*bind_int)(struct ldb_stmt *st, int i, long long v);
	/* LDB_ROW, LDB_DONE or LDB_ERROR. */
	int (*step)(struct ldb_stmt *st);
	/* Columns of the current row count from 0; NULL for SQL NULL. */
	const char *(*column_text)(struct ldb_stmt *st, int i);
	long long (*column_int)(struct ldb_stmt *st, int i);
	/* Ready to run again: bindings and rows cleared. */
	void (*reset)(struct ldb_stmt *st);
	void (*finalize)(struct ldb_stmt *st);
	/* Rows changed by the last statement. */
	long long (*changes)(struct ldb *db);
	/* Whether a transaction is open. */
	int (*in_tx)(struct ldb *db);
	/*
	 * The users' lock: every connection holds it shared while open;
	 * exclusive (try, never wait) proves nobody else is using the ledger.
	 * 0 or -1 (cause set); *got says whether the exclusive lock was taken.
	 */
	int (*lock_exclusive)(struct ldb *db, int *got, char **cause);
	int (*lock_shared)(struct ldb *db, char **cause);
	/*
	 * Take a piece of work (a client label) for this connection until it
	 * closes, without waiting: *mine is 0 when another connection holds it.
	 */
	int (*claim)(struct ldb *db, const char *key, int *mine, char **cause);
	/* A local file path the ledger's companion files (key, evidence) are named after. */
	const char *(*files_base)(struct ldb *db);
};

/* A connection: each backend's own structure begins with this. */
struct ldb {
	const struct ldb_ops *ops;
	const struct ldb_dialect *sql;
};

/*
 * A migration takes the schema from version v to v + 1.  Write it once in
 * `sql` when both databases accept the text; give `pg` when PostgreSQL needs
 * its own (types, regular expressions instead of GLOB).  "" does nothing.
 */
struct ldb_migration {
	const char *sql;
	const char *pg; /* NULL: the same as sql */
};

/* Open an SQLite file (created 0600 in a 0700 directory if missing). */
struct ldb *ldb_sqlite_open(const char *path, char **cause);
/* Connect to PostgreSQL with a postgresql:// URL; *display gets it without a password. */
struct ldb *ldb_pg_open(const char *url, char **display, char **cause);
/* Whether a --ledger argument names a PostgreSQL database rather than a file. */
int ldb_is_pg_url(const char *s);

/* Shorthands for ledger.c. */
#define ldb_bind_text(st, i, s) ((st)->ops->bind_text((st), (i), (s)))
#define ldb_bind_int(st, i, v) ((st)->ops->bind_int((st), (i), (v)))
#define ldb_step(st) ((st)->ops->step(st))
#define ldb_column_text(st, i) ((st)->ops->column_text((st), (i)))
#define ldb_column_int(st, i) ((st)->ops->column_int((st), (i)))
#define ldb_reset(st) ((st)->ops->reset(st))

#endif
