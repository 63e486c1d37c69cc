/* csv: a streaming RFC 4180 reader for client lists. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optout/i18n.h"
#include "optout/csv.h"
#include "optout/util.h"
#include "optout/vault.h"

/* The largest encrypted client list read (it is held in memory, decrypted). */
#define CSV_MAX_ENCRYPTED ((size_t)256 << 20)

#define CSV_MAX_FIELD ((size_t)64 * 1024)
#define CSV_MAX_FIELDS 256

struct csv_reader {
	FILE *f;
	struct vault_secret *secret; /* the decrypted file, when it was an age file */
	char *name;
	size_t line;        /* the current line number */
	char **header;
	size_t ncols;
	char **fields;      /* the current record */
	size_t nfields;
	char *problem;
};

/* Free the current record's fields (wiping them: they hold personal data). */
static void
clear_record(struct csv_reader *r)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		secure_free(r->fields[i]);
	free(r->fields);
	r->fields = NULL;
	r->nfields = 0;
	free(r->problem);
	r->problem = NULL;
}

/* Read one record into r->fields; 1 with a record, 0 at end of file, -1 on error. */
static int
read_record(struct csv_reader *r, size_t *start_line, char **cause)
{
	struct buf field;
	int c, quoted = 0, in_quotes = 0, any = 0;

	buf_init(&field);
	*start_line = r->line;
	for (;;) {
		c = getc(r->f);
		if (c == EOF) {
			if (ferror(r->f)) {
				*cause = xasprintf("%s: %s", r->name, strerror(errno));
				goto fail;
			}
			if (in_quotes) {
				*cause = xasprintf(_("%s:%zu: a quoted field is not closed before the end "
				    "of the file"), r->name, *start_line);
				goto fail;
			}
			if (!any && field.len == 0 && r->nfields == 0) {
				buf_free(&field);
				return 0;
			}
			break;
		}
		any = 1;
		if (in_quotes) {
			if (c == '"') {
				int d = getc(r->f);

				if (d == '"') {
					buf_addc(&field, '"');
					continue;
				}
				in_quotes = 0;
				if (d != EOF)
					ungetc(d, r->f);
				continue;
			}
			if (c == '\n')
				r->line++;
		} else if (c == '"' && field.len == 0 && !quoted) {
			in_quotes = quoted = 1;
			continue;
		} else if (c == ',' || c == '\n' || c == '\r') {
			if (c == '\r') {
				int d = getc(r->f);

				if (d != '\n' && d != EOF)
					ungetc(d, r->f);
			}
			if (r->nfields >= CSV_MAX_FIELDS) {
				*cause = xasprintf(_("%s:%zu: more than %d columns"), r->name, *start_line,
				    CSV_MAX_FIELDS);
				goto fail;
			}
			r->fields = xreallocarray(r->fields, r->nfields + 2, sizeof *r->fields);
			r->fields[r->nfields++] = buf_detach(&field);
			r->fields[r->nfields] = NULL;
			quoted = 0;
			if (c == ',')
				continue;
			r->line++;
			return 1;
		}
		if (field.len >= CSV_MAX_FIELD) {
			*cause = xasprintf(_("%s:%zu: column %zu is longer than %zu bytes"), r->name,
			    *start_line, r->nfields + 1, CSV_MAX_FIELD);
			goto fail;
		}
		buf_addc(&field, (char)c);
	}
	/* The last record, without a final line break. */
	r->fields = xreallocarray(r->fields, r->nfields + 2, sizeof *r->fields);
	r->fields[r->nfields++] = buf_detach(&field);
	r->fields[r->nfields] = NULL;
	return 1;
fail:
	if (field.data != NULL)
		explicit_bzero(field.data, field.len);
	buf_free(&field);
	return -1;
}


/* Whether a record is one empty field (a blank line). */
static int
blank_record(const struct csv_reader *r)
{
	return r->nfields == 1 && r->fields[0][0] == '\0';
}

/* Open a CSV file and read its header. */
struct csv_reader *
csv_open(const char *path, char **cause)
{
	FILE *f = fopen(path, "rb");
	struct vault_secret *secret;
	struct csv_reader *r;
	char magic[19];
	size_t got;

	if (f == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	got = fread(magic, 1, sizeof magic, f);
	rewind(f);
	if (!vault_age_detect(magic, got))
		return csv_open_stream(f, path, cause);
	/* An encrypted (age) client list is decrypted into locked memory and read from there. */
	fclose(f);
	if ((secret = vault_read_file(path, CSV_MAX_ENCRYPTED, cause)) == NULL)
		return NULL;
	if ((r = csv_open_mem(secret->data, secret->len, path, cause)) == NULL) {
		vault_secret_free(secret);
		return NULL;
	}
	r->secret = secret;
	return r;
}

/* Read CSV text held in memory (the importer's and fuzzers' entry point). */
struct csv_reader *
csv_open_mem(const void *data, size_t len, const char *name, char **cause)
{
	void *buf;
	FILE *f;

	if (len == 0) {
		*cause = xasprintf(_("%s: the file is empty (expected a header row)"), name);
		return NULL;
	}
	/* fmemopen does not write to a buffer opened "r": dropping const is safe. */
	memcpy(&buf, &data, sizeof buf);
	f = fmemopen(buf, len, "r");
	if (f == NULL) {
		*cause = xasprintf("%s: %s", name, strerror(errno));
		return NULL;
	}
	return csv_open_stream(f, name, cause);
}

/* Read the header of a CSV stream; the reader owns f from here on. */
struct csv_reader *
csv_open_stream(FILE *f, const char *name, char **cause)
{
	struct csv_reader *r;
	size_t line, i, k;
	int c, rc;

	r = xcalloc(1, sizeof *r);
	r->name = xstrdup(name);
	r->line = 1;
	r->f = f;
	/* A UTF-8 byte-order mark, as spreadsheet programs write it, is skipped. */
	if ((c = getc(r->f)) == 0xEF) {
		int b2 = getc(r->f), b3 = getc(r->f);

		if (b2 != 0xBB || b3 != 0xBF) {
			*cause = xasprintf(_("%s:1: the file starts with bytes that are not UTF-8 text"),
			    name);
			csv_close(r);
			return NULL;
		}
	} else if (c != EOF)
		ungetc(c, r->f);
	do {
		clear_record(r);
		rc = read_record(r, &line, cause);
	} while (rc == 1 && blank_record(r));
	if (rc <= 0) {
		if (rc == 0)
			*cause = xasprintf(_("%s: the file is empty (expected a header row)"), name);
		csv_close(r);
		return NULL;
	}
	r->header = r->fields;
	r->ncols = r->nfields;
	r->fields = NULL;
	r->nfields = 0;
	for (i = 0; i < r->ncols; i++) {
		char *h = r->header[i], *end;

		/* Header names are compared trimmed and in lower case. */
		while (*h == ' ')
			memmove(h, h + 1, strlen(h));
		end = h + strlen(h);
		while (end > h && end[-1] == ' ')
			*--end = '\0';
		for (end = h; *end; end++)
			if (*end >= 'A' && *end <= 'Z')
				*end = (char)(*end - 'A' + 'a');
		for (k = 0; k < i; k++) {
			if (strcmp(r->header[k], h) == 0) {
				*cause = xasprintf(_("%s:%zu: column \"%s\" appears twice in the header"),
				    name, line, h);
				csv_close(r);
				return NULL;
			}
		}
	}
	return r;
}

/* Close the reader. */
void
csv_close(struct csv_reader *r)
{
	size_t i;

	if (r == NULL)
		return;
	clear_record(r);
	for (i = 0; i < r->ncols; i++)
		free(r->header[i]);
	free(r->header);
	if (r->f != NULL)
		fclose(r->f);
	vault_secret_free(r->secret);
	free(r->name);
	free(r);
}

/* The header row. */
const char *const *
csv_header(const struct csv_reader *r, size_t *ncols)
{
	*ncols = r->ncols;
	return (const char *const *)r->header;
}

/* The index of a column by header name. */
int
csv_column(const struct csv_reader *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ncols; i++)
		if (strcmp(r->header[i], name) == 0)
			return (int)i;
	return -1;
}

/* The next record, skipping blank lines. */
int
csv_next(struct csv_reader *r, struct csv_record *rec, char **cause)
{
	size_t line;
	int rc;

	do {
		clear_record(r);
		rc = read_record(r, &line, cause);
	} while (rc == 1 && blank_record(r));
	if (rc <= 0)
		return rc;
	rec->fields = r->fields;
	rec->nfields = r->nfields;
	rec->line = line;
	rec->ok = r->nfields == r->ncols;
	if (!rec->ok)
		r->problem = xasprintf(_("%s:%zu: expected %zu columns as in the header, found %zu"),
		    r->name, line, r->ncols, r->nfields);
	rec->problem = r->problem;
	return 1;
}
