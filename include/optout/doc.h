/*
 * doc: the small document model every renderer consumes.
 *
 * A letter template renders to a light markup (see doc_parse below); the
 * parser turns it into blocks, and the PDF, text and email renderers walk
 * the blocks.  Contract: doc_parse returns a struct doc owned by the caller
 * (doc_free accepts NULL); on malformed markup it returns NULL and sets
 * *cause naming the line.  All strings are UTF-8.
 *
 * Markup, one construct per line group (blank lines separate groups):
 *   @from / @to            an address block: the following lines, to a blank line
 *   @date TEXT             the letter's date line
 *   @subject TEXT          the subject line ("Re: ...")
 *   @ref TEXT              the request reference (printed in every footer)
 *   @paper letter|a4       paper size (default letter)
 *   @signature             the signature block: the following lines (name, title)
 *   @enclosures            a list of enclosures: following "- " lines
 *   @table                 a table: following lines, cells separated by " | ",
 *                          the first line is the header row
 *   @pagebreak             start a new page
 *   # TEXT                 a heading
 *   - TEXT                 a list item (consecutive items form one list)
 *   other lines            a paragraph; consecutive lines join with a space
 * A line starting with "\" is literal text: the backslash is dropped (this
 * is how the template engine escapes values that start with @, # or -).
 */
#ifndef OPTOUT_DOC_H
#define OPTOUT_DOC_H

#include <stddef.h>

enum doc_kind {
	DOC_HEADING,
	DOC_PARAGRAPH,
	DOC_LIST,
	DOC_FROM,
	DOC_TO,
	DOC_SIGNATURE,
	DOC_ENCLOSURES,
	DOC_TABLE,
	DOC_PAGEBREAK,
};

struct doc_block {
	enum doc_kind kind;
	char **lines;    /* paragraph/heading: 1 line; list/address: items; table: rows */
	size_t nlines;
};

enum doc_paper { DOC_PAPER_LETTER, DOC_PAPER_A4 };

struct doc {
	char *date;      /* may be NULL */
	char *subject;   /* may be NULL */
	char *ref;       /* may be NULL */
	/* The page's language, a letters/<lang> folder ("es"); NULL: English. */
	char *lang;
	enum doc_paper paper;
	struct doc_block *blocks;
	size_t nblocks;
};

struct doc *doc_parse(const char *markup, char **cause);
void doc_free(struct doc *d);
/* Split a table row into cells (caller frees with str_list_free). */
char **doc_table_cells(const char *row, size_t *ncells);
/* Plain text rendering, wrapped at `width` columns (counted in characters). */
char *doc_to_text(const struct doc *d, int width);

#endif
