/* doc: the letter markup parser and the plain-text renderer. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "optout/doc.h"
#include "optout/util.h"

/* Text width used when the caller gives none. */
#define DOC_DEFAULT_WIDTH 72
/* Longest directive name quoted in an error message. */
#define DOC_NAME_MAX 32

/* ---- UTF-8 --------------------------------------------------------------- */


/* ---- building a document -------------------------------------------------- */

/* A growable list of strings. */
struct lines {
	char **v;
	size_t n;
	size_t cap;
};

/* Append a string (taking ownership). */
static void
lines_add(struct lines *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = s;
}

/* Free the strings and the list. */
static void
lines_free(struct lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* What the parser is in the middle of. */
enum pstate { P_NONE, P_PARA, P_LIST, P_BLOCK, P_ENCL, P_TABLE };

struct dparser {
	struct doc *d;
	enum pstate state;
	enum doc_kind kind;    /* the open group's kind */
	size_t start;          /* line of the open group's directive */
	struct lines group;    /* the open group's lines */
	struct buf para;       /* the open paragraph */
	size_t ncols;          /* the open table's header cells */
	int seen_from;
	int seen_to;
	int seen_paper;
	char *cause;
};

/* Record a parse error naming the line; keeps the first one. */
static int OPTOUT_PRINTF(3, 4)
derr(struct dparser *p, size_t line, const char *fmt, ...)
{
	va_list ap;
	char *what;

	if (p->cause == NULL) {
		va_start(ap, fmt);
		what = xvasprintf(fmt, ap);
		va_end(ap);
		p->cause = xasprintf("line %zu: %s", line, what);
		free(what);
	}
	return -1;
}

/* Append a block to the document, taking the lines. */
static void
add_block(struct doc *d, enum doc_kind kind, struct lines *l)
{
	struct doc_block *b;

	d->blocks = xreallocarray(d->blocks, d->nblocks + 1, sizeof *d->blocks);
	b = &d->blocks[d->nblocks++];
	b->kind = kind;
	b->lines = l->v;
	b->nlines = l->n;
	l->v = NULL;
	l->n = l->cap = 0;
}

/* The directive's name as written in messages. */
static const char *
kind_name(enum doc_kind k)
{
	switch (k) {
	case DOC_FROM:
		return "@from";
	case DOC_TO:
		return "@to";
	case DOC_SIGNATURE:
		return "@signature";
	case DOC_ENCLOSURES:
		return "@enclosures";
	case DOC_TABLE:
		return "@table";
	default:
		return "block";
	}
}

/* Close the open group, if any, adding its block. */
static int
close_group(struct dparser *p)
{
	int rc = 0;

	switch (p->state) {
	case P_NONE:
		break;
	case P_PARA:
		lines_add(&p->group, buf_detach(&p->para));
		add_block(p->d, DOC_PARAGRAPH, &p->group);
		break;
	case P_LIST:
		add_block(p->d, DOC_LIST, &p->group);
		break;
	case P_BLOCK:
	case P_ENCL:
	case P_TABLE:
		if (p->group.n == 0)
			rc = derr(p, p->start, "%s is empty", kind_name(p->kind));
		else
			add_block(p->d, p->kind, &p->group);
		break;
	}
	lines_free(&p->group);
	p->state = P_NONE;
	return rc;
}

/* Set a single-line field (@date, @subject, @ref) once. */
static int
set_field(struct dparser *p, size_t line, char **field, const char *name, const char *arg)
{
	if (*arg == '\0')
		return derr(p, line, "@%s needs a value", name);
	if (*field != NULL)
		return derr(p, line, "second @%s", name);
	*field = xstrdup(arg);
	return 0;
}

/* Handle a line starting with '@'. */
static int
directive(struct dparser *p, size_t line, const char *s)
{
	const char *arg;
	char name[DOC_NAME_MAX + 1];
	size_t n;

	if (close_group(p) != 0)
		return -1;
	s++;
	n = strcspn(s, " \t");
	arg = s + n;
	while (*arg == ' ' || *arg == '\t')
		arg++;
	snprintf(name, sizeof name, "%.*s", (int)(n < DOC_NAME_MAX ? n : DOC_NAME_MAX), s);
#define IS(w) (n == strlen(w) && memcmp(s, w, n) == 0)
	if (IS("date"))
		return set_field(p, line, &p->d->date, "date", arg);
	if (IS("subject"))
		return set_field(p, line, &p->d->subject, "subject", arg);
	if (IS("ref"))
		return set_field(p, line, &p->d->ref, "ref", arg);
	if (IS("paper")) {
		if (p->seen_paper)
			return derr(p, line, "second @paper");
		p->seen_paper = 1;
		if (strcasecmp(arg, "letter") == 0)
			p->d->paper = DOC_PAPER_LETTER;
		else if (strcasecmp(arg, "a4") == 0)
			p->d->paper = DOC_PAPER_A4;
		else
			return derr(p, line, "@paper must be letter or a4");
		return 0;
	}
	if (IS("from") || IS("to") || IS("signature") || IS("enclosures") || IS("table") ||
	    IS("pagebreak")) {
		if (*arg != '\0')
			return derr(p, line, "@%s takes no value on its line", name);
	} else
		return derr(p, line, "unknown directive @%s", name);
	p->start = line;
	if (IS("pagebreak")) {
		add_block(p->d, DOC_PAGEBREAK, &p->group);
		return 0;
	}
	if (IS("from") || IS("to")) {
		int *seen = IS("from") ? &p->seen_from : &p->seen_to;

		if (*seen)
			return derr(p, line, "second @%s block", name);
		*seen = 1;
		p->kind = IS("from") ? DOC_FROM : DOC_TO;
		p->state = P_BLOCK;
	} else if (IS("signature")) {
		p->kind = DOC_SIGNATURE;
		p->state = P_BLOCK;
	} else if (IS("enclosures")) {
		p->kind = DOC_ENCLOSURES;
		p->state = P_ENCL;
	} else {
		p->kind = DOC_TABLE;
		p->state = P_TABLE;
	}
#undef IS
	return 0;
}

/* Append a continuation line to the last item of the open list. */
static void
continue_item(struct dparser *p, const char *s)
{
	char *last = p->group.v[p->group.n - 1];

	p->group.v[p->group.n - 1] = xasprintf("%s %s", last, s);
	free(last);
}

/* Add the text of a "- " item (or a lone "-") to the open list; empty is an error. */
static int
list_item(struct dparser *p, size_t line, const char *s)
{
	s++;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return derr(p, line, "empty list item");
	lines_add(&p->group, xstrdup(s));
	return 0;
}

/* Handle one non-blank line (trailing blanks already removed). */
static int
parse_line(struct dparser *p, size_t line, const char *s)
{
	int literal = 0, item, lead;
	const char *t;
	size_t ncells;

	if (s[0] == '@')
		return directive(p, line, s);
	if (s[0] == '\\') {
		literal = 1;
		s++;
	}
	item = !literal && s[0] == '-' && (s[1] == ' ' || s[1] == '\0');
	lead = !literal && (s[0] == ' ' || s[0] == '\t');
	for (t = s; *t == ' ' || *t == '\t'; t++)
		;
	switch (p->state) {
	case P_BLOCK:
		lines_add(&p->group, xstrdup(t));
		return 0;
	case P_TABLE:
		str_list_free(doc_table_cells(s, &ncells));
		if (p->group.n == 0)
			p->ncols = ncells;
		else if (ncells != p->ncols)
			return derr(p, line, "table row has %zu cell%s, the header has %zu",
			    ncells, ncells == 1 ? "" : "s", p->ncols);
		lines_add(&p->group, xstrdup(s));
		return 0;
	case P_ENCL:
		if (item)
			return list_item(p, line, s);
		if (lead && p->group.n > 0) {
			continue_item(p, t);
			return 0;
		}
		return derr(p, line, "@enclosures items must start with \"- \"");
	case P_LIST:
		if (item)
			return list_item(p, line, s);
		if (lead) {
			continue_item(p, t);
			return 0;
		}
		close_group(p);
		break;
	case P_PARA:
		/* A heading or list item ends the paragraph. */
		if (item || (!literal && s[0] == '#' && (s[1] == ' ' || s[1] == '\0')))
			close_group(p);
		break;
	case P_NONE:
		break;
	}
	if (!literal && s[0] == '#' && (s[1] == ' ' || s[1] == '\0')) {
		for (t = s + 1; *t == ' ' || *t == '\t'; t++)
			;
		if (*t == '\0')
			return derr(p, line, "empty heading");
		lines_add(&p->group, xstrdup(t));
		add_block(p->d, DOC_HEADING, &p->group);
		return 0;
	}
	if (item) {
		p->state = P_LIST;
		return list_item(p, line, s);
	}
	if (p->state == P_PARA)
		buf_addc(&p->para, ' ');
	else {
		p->state = P_PARA;
		buf_init(&p->para);
	}
	buf_adds(&p->para, literal ? s : t);
	return 0;
}

/* Parse letter markup into a document (see doc.h for the markup). */
struct doc *
doc_parse(const char *markup, char **cause)
{
	struct dparser p;
	const char *s = markup, *nl;
	size_t line = 0, len, i, n = strlen(markup);
	uint32_t c;
	char *l;
	int rc = 0;

	memset(&p, 0, sizeof p);
	p.d = xcalloc(1, sizeof *p.d);
	p.d->paper = DOC_PAPER_LETTER;
	buf_init(&p.para);
	/* Renderers need valid UTF-8: find the line of the first bad byte. */
	for (i = 0, line = 1; i < n; i += len) {
		len = utf8_decode((const unsigned char *)markup + i, n - i, &c);
		if (len == 0) {
			*cause = xasprintf("line %zu: invalid UTF-8", line);
			doc_free(p.d);
			return NULL;
		}
		if (c == '\n')
			line++;
	}
	line = 0;
	while (rc == 0 && *s != '\0') {
		nl = strchr(s, '\n');
		len = nl ? (size_t)(nl - s) : strlen(s);
		line++;
		l = xstrndup(s, len);
		while (len > 0 && (l[len - 1] == ' ' || l[len - 1] == '\t' || l[len - 1] == '\r'))
			l[--len] = '\0';
		if (len == 0)
			rc = close_group(&p);
		else
			rc = parse_line(&p, line, l);
		free(l);
		s = nl ? nl + 1 : s + strlen(s);
	}
	if (rc == 0)
		rc = close_group(&p);
	lines_free(&p.group);
	buf_free(&p.para);
	if (rc != 0) {
		doc_free(p.d);
		*cause = p.cause;
		return NULL;
	}
	return p.d;
}

/* Free a document. */
void
doc_free(struct doc *d)
{
	size_t i, j;

	if (d == NULL)
		return;
	for (i = 0; i < d->nblocks; i++) {
		for (j = 0; j < d->blocks[i].nlines; j++)
			free(d->blocks[i].lines[j]);
		free(d->blocks[i].lines);
	}
	free(d->blocks);
	free(d->date);
	free(d->subject);
	free(d->ref);
	free(d->lang);
	free(d);
}

/*
 * Split a table row into trimmed cells, NULL-terminated.  A separator is a
 * '|' with a blank before it and a blank or the end after it, so "a | b"
 * splits, "A|B" does not, "a | | c" has an empty middle cell and a row
 * ending in " |" an empty last one (its trailing blank was trimmed).
 */
char **
doc_table_cells(const char *row, size_t *ncells)
{
	char **cells = NULL;
	size_t n = 0, i;
	const char *start = row, *s, *e;

	for (i = 0;; i++) {
		int sep = row[i] == '|' && i > 0 && row[i - 1] == ' ' &&
		    (row[i + 1] == ' ' || row[i + 1] == '\0');

		if (!sep && row[i] != '\0')
			continue;
		s = start;
		e = row + i;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		cells = xreallocarray(cells, n + 2, sizeof *cells);
		cells[n++] = xstrndup(s, (size_t)(e - s));
		if (row[i] == '\0')
			break;
		start = row + i + 1;
	}
	cells[n] = NULL;
	if (ncells != NULL)
		*ncells = n;
	return cells;
}

/* ---- plain text ------------------------------------------------------------ */

/* Word-wrap text into out (see str_wrap_lines). */
static void
wrap(struct lines *out, const char *text, size_t width, int hard)
{
	size_t n, i;
	char **v = str_wrap_lines(text, width, hard, &n);

	for (i = 0; i < n; i++)
		lines_add(out, v[i]);
	free(v);
}

/* Emit text wrapped at width, the first line after first, the others after rest. */
static void
put_wrapped(struct buf *b, const char *text, size_t width, const char *first, const char *rest)
{
	char *w = str_wrap(text, width, first, rest);

	buf_adds(b, w);
	free(w);
}

/* Emit a heading, underlined to its longest line. */
static void
put_heading(struct buf *b, const char *text, size_t width)
{
	struct lines l = { 0 };
	size_t i, w, max = 0;

	wrap(&l, text, width, 0);
	for (i = 0; i < l.n; i++) {
		buf_printf(b, "%s\n", l.v[i]);
		w = utf8_width(l.v[i], strlen(l.v[i]));
		if (w > max)
			max = w;
	}
	for (i = 0; i < max; i++)
		buf_addc(b, '=');
	buf_addc(b, '\n');
	lines_free(&l);
}

/* Emit a table as aligned columns, wrapping cells when the table is too wide. */
static void
put_table(struct buf *b, const struct doc_block *blk, size_t width)
{
	char ***rows = xcalloc(blk->nlines, sizeof *rows);
	size_t ncols = 0, i, j, k, total, widest, nl;
	size_t *cw;
	struct lines *cells;
	struct buf line;

	for (i = 0; i < blk->nlines; i++) {
		rows[i] = doc_table_cells(blk->lines[i], &nl);
		if (nl > ncols)
			ncols = nl;
	}
	cw = xcalloc(ncols, sizeof *cw);
	for (i = 0; i < blk->nlines; i++) {
		for (j = 0; rows[i][j] != NULL; j++) {
			size_t w = utf8_width(rows[i][j], strlen(rows[i][j]));

			if (w > cw[j])
				cw[j] = w;
		}
	}
	for (;;) {
		total = 2 * (ncols - 1);
		widest = 0;
		for (j = 0; j < ncols; j++) {
			total += cw[j];
			if (cw[j] > cw[widest])
				widest = j;
		}
		if (total <= width || cw[widest] <= 1)
			break;
		cw[widest]--;
	}
	cells = xcalloc(ncols, sizeof *cells);
	buf_init(&line);
	for (i = 0; i < blk->nlines; i++) {
		nl = 1;
		for (j = 0; rows[i][j] != NULL; j++) {
			wrap(&cells[j], rows[i][j], cw[j] ? cw[j] : 1, 1);
			if (cells[j].n > nl)
				nl = cells[j].n;
		}
		for (k = 0; k < nl; k++) {
			for (j = 0; j < ncols; j++) {
				const char *c = k < cells[j].n ? cells[j].v[k] : "";
				size_t w = utf8_width(c, strlen(c));

				buf_adds(&line, c);
				if (j + 1 < ncols) {
					for (; w < cw[j] + 2; w++)
						buf_addc(&line, ' ');
				}
			}
			while (line.len > 0 && line.data[line.len - 1] == ' ')
				line.data[--line.len] = '\0';
			buf_add(b, line.data ? line.data : "", line.len);
			buf_addc(b, '\n');
			line.len = 0;
		}
		for (j = 0; j < ncols; j++)
			lines_free(&cells[j]);
		if (i == 0) {
			for (j = 0; j < ncols; j++) {
				for (k = 0; k < cw[j]; k++)
					buf_addc(&line, '-');
				if (j + 1 < ncols)
					buf_adds(&line, "  ");
			}
			buf_add(b, line.data, line.len);
			buf_addc(b, '\n');
			line.len = 0;
		}
	}
	buf_free(&line);
	for (i = 0; i < blk->nlines; i++)
		str_list_free(rows[i]);
	free(rows);
	free(cells);
	free(cw);
}

/* Emit one block (not a page break). */
static void
put_block(struct buf *b, const struct doc_block *blk, size_t width)
{
	size_t i;

	switch (blk->kind) {
	case DOC_HEADING:
		put_heading(b, blk->lines[0], width);
		break;
	case DOC_PARAGRAPH:
		put_wrapped(b, blk->lines[0], width, "", "");
		break;
	case DOC_LIST:
		for (i = 0; i < blk->nlines; i++)
			put_wrapped(b, blk->lines[i], width, "- ", "  ");
		break;
	case DOC_FROM:
	case DOC_TO:
		for (i = 0; i < blk->nlines; i++)
			put_wrapped(b, blk->lines[i], width, "", "  ");
		break;
	case DOC_SIGNATURE:
		/* Room for a handwritten signature above the typed name. */
		buf_adds(b, "\n____________________\n");
		for (i = 0; i < blk->nlines; i++)
			put_wrapped(b, blk->lines[i], width, "", "  ");
		break;
	case DOC_ENCLOSURES:
		buf_adds(b, "Enclosures:\n");
		for (i = 0; i < blk->nlines; i++)
			put_wrapped(b, blk->lines[i], width, "- ", "  ");
		break;
	case DOC_TABLE:
		put_table(b, blk, width);
		break;
	case DOC_PAGEBREAK:
		break;
	}
}

/* Start a new chunk of output: a blank line after the previous one. */
static void
chunk(struct buf *b, int *need_blank)
{
	if (*need_blank)
		buf_addc(b, '\n');
	*need_blank = 1;
}

/* The first block of a kind, or NULL. */
static const struct doc_block *
find_block(const struct doc *d, enum doc_kind kind)
{
	size_t i;

	for (i = 0; i < d->nblocks; i++) {
		if (d->blocks[i].kind == kind)
			return &d->blocks[i];
	}
	return NULL;
}

/* Render a document as plain text in business-letter order, wrapped at width columns. */
char *
doc_to_text(const struct doc *d, int width)
{
	const struct doc_block *from = find_block(d, DOC_FROM), *to = find_block(d, DOC_TO);
	size_t w = width > 0 ? (size_t)width : DOC_DEFAULT_WIDTH, i;
	struct buf b;
	int need_blank = 0;
	char *s;

	buf_init(&b);
	if (d->ref != NULL) {
		chunk(&b, &need_blank);
		s = xasprintf("Reference: %s", d->ref);
		put_wrapped(&b, s, w, "", "  ");
		free(s);
	}
	if (from != NULL) {
		chunk(&b, &need_blank);
		put_block(&b, from, w);
	}
	if (d->date != NULL) {
		chunk(&b, &need_blank);
		put_wrapped(&b, d->date, w, "", "");
	}
	if (to != NULL) {
		chunk(&b, &need_blank);
		put_block(&b, to, w);
	}
	if (d->subject != NULL) {
		chunk(&b, &need_blank);
		/* The template may already have written "Re:". */
		if (strncasecmp(d->subject, "re:", 3) == 0)
			put_wrapped(&b, d->subject, w, "", "    ");
		else {
			s = xasprintf("Re: %s", d->subject);
			put_wrapped(&b, s, w, "", "    ");
			free(s);
		}
	}
	for (i = 0; i < d->nblocks; i++) {
		const struct doc_block *blk = &d->blocks[i];

		if (blk == from || blk == to)
			continue;
		if (blk->kind == DOC_PAGEBREAK) {
			buf_adds(&b, "\f\n");
			need_blank = 0;
			continue;
		}
		chunk(&b, &need_blank);
		put_block(&b, blk, w);
	}
	return buf_detach(&b);
}
