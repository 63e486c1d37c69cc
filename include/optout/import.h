/*
 * import: turn a state data-broker registry export (CSV) into broker records.
 *
 * Columns are found by what their header says (words such as "email",
 * "website", "address", "opt out"), not by position or exact wording, so a
 * renamed or reordered header still imports.  Every fact carries the
 * registry file and its date as its source; the records' quality is
 * "imported".  Free-text answers are the brokers' words: only the URLs,
 * email addresses and telephone numbers in them are kept.
 *
 * Rows of several files gather in one import set: the same company (same
 * web domain) in two registries becomes one record with both
 * registrations.  import_write writes a company that has a curated record
 * (same domain or id) under the curated id, as its twin: the registry
 * loader keeps the curated record field by field and adds only what it
 * lacks (the registrations); the curated file is never changed.  It links
 * operator families (registrants that filed the same email domain) and
 * writes one file per broker.
 *
 * Contract: import_new returns a set owned by the caller, freed with
 * import_free (NULL is fine).  An unusable row is not fatal: it is listed
 * in the set's problems (file, row, column and what was expected, never
 * the row's content) and the other rows go on.  Functions returning an
 * enum import_status set *cause (caller frees) unless they return
 * IMPORT_OK.
 */
#ifndef OPTOUT_IMPORT_H
#define OPTOUT_IMPORT_H

#include <stddef.h>

struct registry;
struct import_set;

enum import_status {
	IMPORT_OK = 0,
	IMPORT_NO_INPUT,  /* the file cannot be read */
	IMPORT_BAD_INPUT, /* not a registry export: no header, no name column, bad options */
	IMPORT_CANT_WRITE /* the output folder or a record file cannot be written */
};

struct import_summary {
	size_t rows;      /* rows read, over every file */
	size_t skipped;   /* rows left out as unusable */
	size_t records;   /* records written, curated twins aside */
	size_t merged;    /* records holding registrations from two or more files */
	size_t curated;   /* registrants joined to a curated record (written as twins) */
	size_t families;  /* operator families linked */
};

struct import_set *import_new(void);
void import_free(struct import_set *s);

/*
 * Read one registry export held in memory.  name is used in messages;
 * registry ("california", "vermont", ...) and as_of (YYYY, YYYY-MM or
 * YYYY-MM-DD: the file's date) may be NULL to take them from name.
 */
enum import_status import_parse(struct import_set *s, const char *data, size_t len,
    const char *name, const char *registry, const char *as_of, char **cause);
/* Read one registry export from a file (as import_parse). */
enum import_status import_file(struct import_set *s, const char *path, const char *registry,
    const char *as_of, char **cause);
/* The problems found so far, one per unusable row or column; borrowed. */
const char *const *import_problems(const struct import_set *s, size_t *n);
/* How many records the set holds now (before merging with curated ones). */
size_t import_count(const struct import_set *s);

/*
 * Merge with the curated records of reg (may be NULL), link families and
 * write one DIR/<id>.json per record (atomically), removing the .json
 * files an earlier import left there.  verified is the import's date.
 */
enum import_status import_write(struct import_set *s, const struct registry *reg,
    const char *dir, const char *verified, struct import_summary *sum, char **cause);

#endif
