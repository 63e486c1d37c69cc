/*
 * csv: read client lists (RFC 4180 CSV) one record at a time.
 *
 * Accepts a UTF-8 byte-order mark, CRLF or LF line ends, quoted fields with
 * doubled quotes, and line breaks inside quotes.  Memory does not grow with
 * the number of records: one record is held at a time.
 *
 * Contract: csv_open returns a reader owned by the caller (csv_close
 * accepts NULL).  csv_next returns 1 with a record, 0 at the end, or -1
 * with *cause set on an error that ends the file (an unterminated quote,
 * a field over the size limit, invalid UTF-8 in the header).  A record
 * whose column count differs from the header's is still returned, with
 * ok = 0 and a message naming its line: the caller reports it and goes
 * on.  Messages never quote field contents.
 */
#ifndef OPTOUT_CSV_H
#define OPTOUT_CSV_H

#include <stddef.h>
#include <stdio.h>

struct csv_reader;

struct csv_record {
	char **fields;  /* NULL-terminated; borrowed until the next csv_next */
	size_t nfields;
	size_t line;    /* line number where the record starts (1-based) */
	int ok;         /* column count matches the header */
	char *problem;  /* when !ok: what is wrong (borrowed) */
};

struct csv_reader *csv_open(const char *path, char **cause);
/* The same over text in memory (not copied: it must outlive the reader); name is for messages. */
struct csv_reader *csv_open_mem(const void *data, size_t len, const char *name, char **cause);
/* Read from an open stream (name is used in messages); the reader closes f, even on failure. */
struct csv_reader *csv_open_stream(FILE *f, const char *name, char **cause);
void csv_close(struct csv_reader *r);
/* The header row (read by csv_open); borrowed. */
const char *const *csv_header(const struct csv_reader *r, size_t *ncols);
/* The index of a header column, or -1. */
int csv_column(const struct csv_reader *r, const char *name);
int csv_next(struct csv_reader *r, struct csv_record *rec, char **cause);

#endif
