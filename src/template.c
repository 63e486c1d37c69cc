/* template: a Mustache engine over struct jv, parsed once and rendered many times. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optout/jv.h"
#include "optout/template.h"
#include "optout/util.h"

/* Deeper section nesting is refused, so rendering and freeing cannot exhaust the stack. */
#define TMPL_MAX_NESTING 64

enum node_type { N_TEXT, N_VAR, N_RAW, N_SECTION, N_INVERTED, N_PARTIAL };

struct node;

struct nodes {
	struct node *v;
	size_t n;
	size_t cap;
};

struct node {
	enum node_type type;
	unsigned line;
	unsigned col;
	char *text;           /* N_TEXT: the text; others: the full name */
	size_t len;           /* N_TEXT: its length */
	char **parts;         /* dotted name split; NULL for the implicit iterator */
	size_t nparts;
	char *indent;         /* N_PARTIAL: indentation of a standalone tag */
	struct nodes kids;    /* sections */
};

struct tmpl {
	char *name;
	struct nodes root;
};

struct cache_entry {
	char *name;
	char *indent;
	struct tmpl *t;
};

struct tmpl_cache {
	struct cache_entry *v;
	size_t n;
	size_t cap;
};

/* ---- parsing ----------------------------------------------------------- */

/* A lexical token: text (split after every newline) or a tag. */
struct tok {
	char kind;            /* 0 for text, else '#', '^', '/', '>', '!', '=', '&', 'v' */
	const char *s;        /* text, or the tag's name */
	size_t len;
	int nl;               /* text ending with a newline */
	unsigned line;
	unsigned col;
};

struct toks {
	struct tok *v;
	size_t n;
	size_t cap;
};

struct parser {
	const char *name;
	const char *text;
	const char *end;
	const char *indent;   /* prepended to every line (standalone partials) */
	struct toks toks;
	char *cause;
};

/* Record a parse error at a position; keeps the first one. */
static void OPTOUT_PRINTF(4, 5)
perr(struct parser *p, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	char *what;

	if (p->cause != NULL)
		return;
	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	p->cause = xasprintf("%s:%u:%u: %s", p->name, line, col, what);
	free(what);
}

/* Append a token. */
static struct tok *
tok_add(struct parser *p, char kind, const char *s, size_t len)
{
	struct tok *t;

	if (p->toks.n == p->toks.cap) {
		p->toks.cap = p->toks.cap ? p->toks.cap * 2 : 64;
		p->toks.v = xreallocarray(p->toks.v, p->toks.cap, sizeof *p->toks.v);
	}
	t = &p->toks.v[p->toks.n++];
	memset(t, 0, sizeof *t);
	t->kind = kind;
	t->s = s;
	t->len = len;
	return t;
}

/* Column (1-based, in characters) of pos on the line starting at bol. */
static unsigned
column(const char *bol, const char *pos)
{
	unsigned col = 1;

	for (; bol < pos; bol++) {
		if (((unsigned char)*bol & 0xc0) != 0x80)
			col++;
	}
	return col;
}

/* Whether c is blank inside a tag. */
static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Narrow [*s, *e) past surrounding whitespace. */
static void
trim(const char **s, const char **e)
{
	while (*s < *e && is_space(**s))
		(*s)++;
	while (*e > *s && is_space((*e)[-1]))
		(*e)--;
}

/* Check a tag name: non-empty, no blanks, and dotted parts non-empty. */
static int
name_ok(const char *s, size_t len, int dotted)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (is_space(s[i]))
			return 0;
	}
	if (!dotted || (len == 1 && s[0] == '.'))
		return 1;
	if (s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (i = 0; i + 1 < len; i++) {
		if (s[i] == '.' && s[i + 1] == '.')
			return 0;
	}
	return 1;
}

/* Whether c may start a variable name. */
static int
name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '_' || c == '.' || c >= 0x80;
}

/* Split the template into text and tag tokens, applying delimiter changes. */
static int
tokenize(struct parser *p)
{
	const char *pos = p->text, *bol = p->text, *end = p->end;
	const char *open = "{{", *close = "}}";
	size_t olen = 2, clen = 2;
	unsigned line = 1;

	while (pos < end) {
		const char *o = memmem(pos, (size_t)(end - pos), open, olen);
		const char *stop = o ? o : end;
		const char *nl = memchr(pos, '\n', (size_t)(stop - pos));
		const char *c, *q, *after, *s, *e, *x;
		unsigned tline, tcol;
		struct tok *t;
		char kind;

		if (nl != NULL) {
			tok_add(p, 0, pos, (size_t)(nl + 1 - pos))->nl = 1;
			pos = bol = nl + 1;
			line++;
			continue;
		}
		if (o == NULL) {
			tok_add(p, 0, pos, (size_t)(end - pos));
			break;
		}
		if (o > pos)
			tok_add(p, 0, pos, (size_t)(o - pos));
		tline = line;
		tcol = column(bol, o);
		c = o + olen;
		if (c < end && *c == '{') {
			/* Triple mustache: the name ends at "}" followed by the close delimiter. */
			q = c + 1;
			for (;;) {
				q = memmem(q, (size_t)(end - q), close, clen);
				if (q == NULL || q[-1] == '}')
					break;
				q++;
			}
			if (q == NULL || q - 1 < c + 1) {
				perr(p, tline, tcol, "unclosed tag");
				return -1;
			}
			s = c + 1;
			e = q - 1;
			kind = '&';
			after = q + clen;
		} else {
			q = memmem(c, (size_t)(end - c), close, clen);
			if (q == NULL) {
				perr(p, tline, tcol, "unclosed tag");
				return -1;
			}
			after = q + clen;
			s = c;
			e = q;
			trim(&s, &e);
			if (s == e) {
				perr(p, tline, tcol, "empty tag");
				return -1;
			}
			kind = *s;
			switch (kind) {
			case '=': {
				const char *d1, *d1e, *d2, *d2e;

				if (e - s < 2 || e[-1] != '=') {
					perr(p, tline, tcol, "bad delimiter tag");
					return -1;
				}
				d1 = s + 1;
				d2e = e - 1;
				trim(&d1, &d2e);
				for (d1e = d1; d1e < d2e && !is_space(*d1e); d1e++)
					;
				for (d2 = d1e; d2 < d2e && is_space(*d2); d2++)
					;
				if (d1e == d1 || d2 == d2e || d1e == d2) {
					perr(p, tline, tcol, "bad delimiter tag");
					return -1;
				}
				for (x = d2; x < d2e; x++) {
					if (is_space(*x))
						break;
				}
				if (x != d2e || memchr(d1, '=', (size_t)(d1e - d1)) != NULL ||
				    memchr(d2, '=', (size_t)(d2e - d2)) != NULL) {
					perr(p, tline, tcol, "bad delimiter tag");
					return -1;
				}
				open = d1;
				olen = (size_t)(d1e - d1);
				close = d2;
				clen = (size_t)(d2e - d2);
				s = e;
				break;
			}
			case '!':
				s = e;
				break;
			case '#':
			case '^':
			case '/':
			case '>':
			case '&':
				s++;
				trim(&s, &e);
				break;
			case '{':
				if (e - s < 2 || e[-1] != '}') {
					perr(p, tline, tcol, "unclosed tag");
					return -1;
				}
				kind = '&';
				s++;
				e--;
				trim(&s, &e);
				break;
			default:
				if (!name_start((unsigned char)kind)) {
					perr(p, tline, tcol, "unknown tag type '%c'", kind);
					return -1;
				}
				kind = 'v';
				break;
			}
		}
		if (kind != '=' && kind != '!') {
			trim(&s, &e);
			if (!name_ok(s, (size_t)(e - s), kind != '>')) {
				perr(p, tline, tcol, "bad tag name \"%.*s\"", (int)(e - s), s);
				return -1;
			}
		}
		t = tok_add(p, kind, s, (size_t)(e - s));
		t->line = tline;
		t->col = tcol;
		/* A tag may span lines (comments do): keep the line count right. */
		for (x = o; x < after; x++) {
			if (*x == '\n') {
				line++;
				bol = x + 1;
			}
		}
		pos = after;
	}
	return 0;
}

/* Whether a tag kind may stand alone on a line. */
static int
standalone_kind(char kind)
{
	return kind != 0 && kind != 'v' && kind != '&';
}

/* Whether a text token is only blanks (before its newline, if any). */
static int
blank_text(const struct tok *t)
{
	size_t n = t->len, i;

	if (t->nl) {
		n--;
		if (n > 0 && t->s[n - 1] == '\r')
			n--;
	}
	for (i = 0; i < n; i++) {
		if (t->s[i] != ' ' && t->s[i] != '\t')
			return 0;
	}
	return 1;
}

/* Tree building state: the lists being filled, innermost last. */
struct builder {
	struct nodes *lists[TMPL_MAX_NESTING + 1];
	struct node *sect[TMPL_MAX_NESTING + 1];
	size_t depth;
	struct buf text;      /* pending text, merged into one node */
};

/* Append a zeroed node to a list. */
static struct node *
node_add(struct nodes *l)
{
	struct node *n;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	n = &l->v[l->n++];
	memset(n, 0, sizeof *n);
	return n;
}

/* Turn pending text into a node of the current list. */
static void
flush_text(struct builder *b)
{
	struct node *n;

	if (b->text.len == 0)
		return;
	n = node_add(b->lists[b->depth]);
	n->type = N_TEXT;
	n->len = b->text.len;
	n->text = buf_detach(&b->text);
}

/* Split a dotted name into its parts ("." has none). */
static void
split_name(struct node *n)
{
	const char *s = n->text, *dot;

	if (strcmp(s, ".") == 0)
		return;
	for (;;) {
		dot = strchr(s, '.');
		n->parts = xreallocarray(n->parts, n->nparts + 1, sizeof *n->parts);
		n->parts[n->nparts++] = dot ? xstrndup(s, (size_t)(dot - s)) : xstrdup(s);
		if (dot == NULL)
			break;
		s = dot + 1;
	}
}

/* Add a tag token to the tree; indent is set for a standalone partial. */
static int
build_tag(struct parser *p, struct builder *b, const struct tok *t, const char *indent)
{
	struct node *n;

	if (t->kind == '!' || t->kind == '=')
		return 0;
	flush_text(b);
	if (t->kind == '/') {
		struct node *s = b->depth > 0 ? b->sect[b->depth] : NULL;

		if (s == NULL) {
			perr(p, t->line, t->col, "mismatched section end \"%.*s\": no section is open",
			    (int)t->len, t->s);
			return -1;
		}
		if (strlen(s->text) != t->len || memcmp(s->text, t->s, t->len) != 0) {
			perr(p, t->line, t->col,
			    "mismatched section end \"%.*s\": expected \"%s\" (opened at %u:%u)",
			    (int)t->len, t->s, s->text, s->line, s->col);
			return -1;
		}
		b->depth--;
		return 0;
	}
	n = node_add(b->lists[b->depth]);
	n->line = t->line;
	n->col = t->col;
	n->text = xstrndup(t->s, t->len);
	switch (t->kind) {
	case 'v':
		n->type = N_VAR;
		split_name(n);
		break;
	case '&':
		n->type = N_RAW;
		split_name(n);
		break;
	case '>':
		n->type = N_PARTIAL;
		n->indent = xstrdup(indent);
		break;
	case '#':
	case '^':
		n->type = t->kind == '#' ? N_SECTION : N_INVERTED;
		split_name(n);
		if (b->depth == TMPL_MAX_NESTING) {
			perr(p, t->line, t->col, "sections nested deeper than %d",
			    TMPL_MAX_NESTING);
			return -1;
		}
		b->depth++;
		b->lists[b->depth] = &n->kids;
		b->sect[b->depth] = n;
		break;
	}
	return 0;
}

/*
 * Build the tree line by line.  A line holding only blanks and tags that
 * may stand alone (sections, inverted, comments, partials, delimiters)
 * loses its blanks and newline; other lines get the partial indentation.
 */
static int
build(struct parser *p, struct nodes *root)
{
	struct builder b;
	size_t i = 0, j, k;
	size_t indent_len = strlen(p->indent);
	int rc = 0;

	memset(&b, 0, sizeof b);
	b.lists[0] = root;
	buf_init(&b.text);
	while (i < p->toks.n && rc == 0) {
		int tags = 0, standalone = 1;

		for (j = i; j < p->toks.n; j++) {
			const struct tok *t = &p->toks.v[j];

			if (t->kind == 0) {
				if (!blank_text(t))
					standalone = 0;
			} else {
				tags++;
				if (!standalone_kind(t->kind))
					standalone = 0;
			}
			if (t->kind == 0 && t->nl)
				break;
		}
		if (j == p->toks.n)
			j--;
		/* j is now the line's last token. */
		if (tags == 0)
			standalone = 0;
		if (!standalone && indent_len > 0)
			buf_add(&b.text, p->indent, indent_len);
		for (k = i; k <= j && rc == 0; k++) {
			const struct tok *t = &p->toks.v[k];
			char *ind;
			size_t m;

			if (t->kind == 0) {
				if (!standalone)
					buf_add(&b.text, t->s, t->len);
				continue;
			}
			if (t->kind != '>' || !standalone) {
				rc = build_tag(p, &b, t, "");
				continue;
			}
			/* A standalone partial is indented by its line's leading blanks. */
			{
				struct buf ib;

				buf_init(&ib);
				buf_add(&ib, p->indent, indent_len);
				for (m = i; m < k; m++) {
					if (p->toks.v[m].kind == 0)
						buf_add(&ib, p->toks.v[m].s, p->toks.v[m].len);
				}
				ind = buf_detach(&ib);
				rc = build_tag(p, &b, t, ind);
				free(ind);
			}
		}
		i = j + 1;
	}
	if (rc == 0 && b.depth > 0) {
		const struct node *s = b.sect[b.depth];

		perr(p, s->line, s->col, "unclosed section \"%s\"", s->text);
		rc = -1;
	}
	if (rc == 0)
		flush_text(&b);
	buf_free(&b.text);
	return rc;
}

static void nodes_free(struct nodes *l);

/* Free one node's contents. */
static void
node_free(struct node *n)
{
	size_t i;

	free(n->text);
	for (i = 0; i < n->nparts; i++)
		free(n->parts[i]);
	free(n->parts);
	free(n->indent);
	nodes_free(&n->kids);
}

/* Free a list of nodes. */
static void
nodes_free(struct nodes *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		node_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Parse text, prefixing every line with indent (partials). */
static struct tmpl *
parse_indented(const char *text, const char *name, const char *indent, char **cause)
{
	struct parser p;
	struct tmpl *t;

	memset(&p, 0, sizeof p);
	p.name = name;
	p.text = text;
	p.end = text + strlen(text);
	p.indent = indent;
	t = xcalloc(1, sizeof *t);
	t->name = xstrdup(name);
	if (tokenize(&p) != 0 || build(&p, &t->root) != 0) {
		free(p.toks.v);
		tmpl_free(t);
		*cause = p.cause;
		return NULL;
	}
	free(p.toks.v);
	return t;
}

/* Parse a template; name is used in messages. */
struct tmpl *
tmpl_parse(const char *text, const char *name, char **cause)
{
	return parse_indented(text, name, "", cause);
}

/* Free a template. */
void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	nodes_free(&t->root);
	free(t->name);
	free(t);
}

/* The template's name. */
const char *
tmpl_name(const struct tmpl *t)
{
	return t->name;
}

/* ---- partial cache ------------------------------------------------------ */

/* Make an empty cache of parsed partials. */
struct tmpl_cache *
tmpl_cache_new(void)
{
	return xcalloc(1, sizeof(struct tmpl_cache));
}

/* Free a cache and the partials in it. */
void
tmpl_cache_free(struct tmpl_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].indent);
		tmpl_free(c->v[i].t);
	}
	free(c->v);
	free(c);
}

/* ---- rendering ---------------------------------------------------------- */

struct render {
	enum tmpl_escape escape;
	size_t max;
	const char *top;      /* the top template's name, for the output bound */
	tmpl_load_fn load;
	void *load_ctx;
	struct tmpl_cache *cache;
	struct buf out;
	const struct jv **stack;
	size_t nstack;
	size_t capstack;
	int depth;            /* partial nesting */
	char *cause;
};

/* Record a render error at a node of template t. */
static void OPTOUT_PRINTF(4, 5)
rerr(struct render *r, const struct tmpl *t, const struct node *n, const char *fmt, ...)
{
	va_list ap;
	char *what;

	if (r->cause != NULL)
		return;
	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	r->cause = xasprintf("%s:%u:%u: %s", t->name, n->line, n->col, what);
	free(what);
}

/* Append output, enforcing the size bound. */
static int
emit(struct render *r, const char *s, size_t n)
{
	if (n > r->max - r->out.len) {
		if (r->cause == NULL)
			r->cause = xasprintf("%s: output exceeds %zu bytes", r->top, r->max);
		return -1;
	}
	buf_add(&r->out, s, n);
	return 0;
}

/* Emit a value with HTML escaping. */
static int
emit_html(struct render *r, const char *s, size_t n)
{
	size_t i, run = 0;
	const char *rep;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		if (emit(r, s + run, i - run) != 0 || emit(r, rep, strlen(rep)) != 0)
			return -1;
		run = i + 1;
	}
	return emit(r, s + run, n - run);
}

/* Emit a value so it cannot form letter markup: no newlines, no directive at a line start. */
static int
emit_doc(struct render *r, const char *s, size_t n)
{
	size_t i = 0, run = 0;

	if (n > 0 && (r->out.len == 0 || r->out.data[r->out.len - 1] == '\n') &&
	    strchr("@#-\\", s[0]) != NULL) {
		if (emit(r, "\\", 1) != 0)
			return -1;
	}
	while (i < n) {
		if (s[i] != '\n' && s[i] != '\r') {
			i++;
			continue;
		}
		if (emit(r, s + run, i - run) != 0 || emit(r, " ", 1) != 0)
			return -1;
		while (i < n && (s[i] == '\n' || s[i] == '\r'))
			i++;
		run = i;
	}
	return emit(r, s + run, n - run);
}

/* Resolve a name: the first part up the context stack, the rest within it. */
static const struct jv *
lookup(const struct render *r, const struct node *n)
{
	const struct jv *v = NULL;
	size_t i;

	if (n->parts == NULL)
		return r->nstack ? r->stack[r->nstack - 1] : NULL;
	for (i = r->nstack; i-- > 0;) {
		if (jv_type(r->stack[i]) == JV_OBJECT &&
		    (v = jv_get(r->stack[i], n->parts[0])) != NULL)
			break;
	}
	for (i = 1; v != NULL && i < n->nparts; i++)
		v = jv_type(v) == JV_OBJECT ? jv_get(v, n->parts[i]) : NULL;
	return v;
}

/* Mustache truthiness (see template.h). */
static int
truthy(const struct jv *v)
{
	if (v == NULL)
		return 0;
	switch (jv_type(v)) {
	case JV_NULL:
		return 0;
	case JV_BOOL:
		return jv_bool(v);
	case JV_ARRAY:
		return jv_len(v) > 0;
	case JV_STRING:
		return jv_str_len(v) > 0;
	default:
		return 1;
	}
}

/* Format a real in the shortest form that reads back as the same double. */
static void
format_real(double d, char *s, size_t size)
{
	int prec;

	for (prec = 15; prec <= 17; prec++) {
		snprintf(s, size, "%.*g", prec, d);
		if (strtod(s, NULL) == d)
			return;
	}
}

/* Interpolate a variable node. */
static int
render_var(struct render *r, const struct tmpl *t, const struct node *n)
{
	const struct jv *v = lookup(r, n);
	char num[40];
	const char *s;
	size_t len;

	if (v == NULL)
		return 0;
	switch (jv_type(v)) {
	case JV_NULL:
		return 0;
	case JV_STRING:
		s = jv_str(v);
		len = jv_str_len(v);
		break;
	case JV_BOOL:
		s = jv_bool(v) ? "true" : "false";
		len = strlen(s);
		break;
	case JV_INT:
		snprintf(num, sizeof num, "%lld", jv_int(v));
		s = num;
		len = strlen(s);
		break;
	case JV_REAL:
		format_real(jv_num(v), num, sizeof num);
		s = num;
		len = strlen(s);
		break;
	default:
		rerr(r, t, n, "\"%s\" is %s, not a value to print", n->text,
		    jv_type(v) == JV_ARRAY ? "a list" : "an object");
		return -1;
	}
	if (n->type == N_RAW || r->escape == TMPL_ESCAPE_NONE)
		return emit(r, s, len);
	if (r->escape == TMPL_ESCAPE_HTML)
		return emit_html(r, s, len);
	return emit_doc(r, s, len);
}

/* Push a context. */
static void
push(struct render *r, const struct jv *v)
{
	if (r->nstack == r->capstack) {
		r->capstack = r->capstack ? r->capstack * 2 : 16;
		r->stack = xreallocarray(r->stack, r->capstack, sizeof(const struct jv *));
	}
	r->stack[r->nstack++] = v;
}

static int render_nodes(struct render *r, const struct tmpl *t, const struct nodes *l);

/* Find or load and parse a partial. */
static int
get_partial(struct render *r, const struct tmpl *t, const struct node *n,
    const struct tmpl **pt)
{
	struct tmpl_cache *c = r->cache;
	struct cache_entry *e;
	char *text = NULL, *cause = NULL;
	struct tmpl *p;
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (strcmp(c->v[i].name, n->text) == 0 && strcmp(c->v[i].indent, n->indent) == 0) {
			*pt = c->v[i].t;
			return 0;
		}
	}
	if (r->load != NULL && r->load(r->load_ctx, n->text, &text, &cause) != 0) {
		rerr(r, t, n, "partial \"%s\": %s", n->text, cause ? cause : "cannot load");
		free(cause);
		return -1;
	}
	p = parse_indented(text ? text : "", n->text, n->indent, &cause);
	free(text);
	if (p == NULL) {
		if (r->cause == NULL)
			r->cause = cause;
		else
			free(cause);
		return -1;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->v = xreallocarray(c->v, c->cap, sizeof *c->v);
	}
	e = &c->v[c->n++];
	e->name = xstrdup(n->text);
	e->indent = xstrdup(n->indent);
	e->t = p;
	*pt = p;
	return 0;
}

/* Render one section, inverted section or partial. */
static int
render_block(struct render *r, const struct tmpl *t, const struct node *n)
{
	const struct jv *v;
	const struct tmpl *pt;
	size_t i, len;
	int rc;

	switch (n->type) {
	case N_INVERTED:
		if (truthy(lookup(r, n)))
			return 0;
		return render_nodes(r, t, &n->kids);
	case N_SECTION:
		v = lookup(r, n);
		if (!truthy(v))
			return 0;
		if (jv_type(v) != JV_ARRAY) {
			push(r, v);
			rc = render_nodes(r, t, &n->kids);
			r->nstack--;
			return rc;
		}
		len = jv_len(v);
		for (i = 0; i < len; i++) {
			push(r, jv_at(v, i));
			rc = render_nodes(r, t, &n->kids);
			r->nstack--;
			if (rc != 0)
				return rc;
		}
		return 0;
	case N_PARTIAL:
		if (r->depth >= TMPL_MAX_PARTIAL_DEPTH) {
			rerr(r, t, n, "partial recursion deeper than %d", TMPL_MAX_PARTIAL_DEPTH);
			return -1;
		}
		if (get_partial(r, t, n, &pt) != 0)
			return -1;
		r->depth++;
		rc = render_nodes(r, pt, &pt->root);
		r->depth--;
		return rc;
	default:
		return 0;
	}
}

/* Render a list of nodes. */
static int
render_nodes(struct render *r, const struct tmpl *t, const struct nodes *l)
{
	const struct node *n;
	size_t i;

	for (i = 0; i < l->n; i++) {
		n = &l->v[i];
		switch (n->type) {
		case N_TEXT:
			if (emit(r, n->text, n->len) != 0)
				return -1;
			break;
		case N_VAR:
		case N_RAW:
			if (render_var(r, t, n) != 0)
				return -1;
			break;
		default:
			if (render_block(r, t, n) != 0)
				return -1;
			break;
		}
	}
	return 0;
}

/* Render a template with data. */
int
tmpl_render(const struct tmpl *t, const struct jv *data, const struct tmpl_opts *o,
    char **out, char **cause)
{
	struct render r;
	int rc;

	memset(&r, 0, sizeof r);
	r.escape = o ? o->escape : TMPL_ESCAPE_HTML;
	r.max = o && o->max_output ? o->max_output : TMPL_DEFAULT_MAX_OUTPUT;
	r.top = t->name;
	r.load = o ? o->load : NULL;
	r.load_ctx = o ? o->load_ctx : NULL;
	r.cache = o && o->cache ? o->cache : tmpl_cache_new();
	buf_init(&r.out);
	if (data != NULL)
		push(&r, data);
	rc = render_nodes(&r, t, &t->root);
	free(r.stack);
	if (r.cache != (o ? o->cache : NULL))
		tmpl_cache_free(r.cache);
	if (rc != 0) {
		/* The partial output may hold personal data. */
		if (r.out.data != NULL)
			explicit_bzero(r.out.data, r.out.len);
		buf_free(&r.out);
		*cause = r.cause;
		return -1;
	}
	*out = buf_detach(&r.out);
	return 0;
}
