/*
 * schema: a validator for the subset of JSON Schema 2020-12 listed in
 * schema.h.
 *
 * A schema is compiled once into a tree of nodes: keyword values are checked,
 * patterns compiled and "$ref"s resolved at load time, so that a mistake in
 * a schema file is reported when it is loaded rather than half-way through
 * validating some document.  The nodes borrow strings and values from the
 * schema's JSON, which the struct schema keeps alive.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "optout/jv.h"
#include "optout/re.h"
#include "optout/schema.h"
#include "optout/util.h"

/* Largest schema file read by schema_load. */
#define SCHEMA_MAX_BYTES ((size_t)4 * 1024 * 1024)
/* Deepest evaluation (subschemas within subschemas) before giving up. */
#define SCHEMA_MAX_EVAL_DEPTH 512
/* Longest quoted value in a message, in characters. */
#define SCHEMA_QUOTE_MAX 40

/* Type bits; a real with no fraction is both a number and an integer. */
#define T_NULL 0x01
#define T_BOOLEAN 0x02
#define T_OBJECT 0x04
#define T_ARRAY 0x08
#define T_NUMBER 0x10
#define T_STRING 0x20
#define T_INTEGER 0x40

static const struct {
	const char *name;
	unsigned bit;
	const char *phrase; /* how a message names a value of the type */
} schema_types[] = {
    {"null", T_NULL, "null"},
    {"boolean", T_BOOLEAN, "a boolean"},
    {"object", T_OBJECT, "an object"},
    {"array", T_ARRAY, "an array"},
    {"number", T_NUMBER, "a number"},
    {"string", T_STRING, "a string"},
    {"integer", T_INTEGER, "an integer"},
};
#define NTYPES (sizeof schema_types / sizeof schema_types[0])

/* Keywords that only annotate and are skipped. */
static const char *const schema_annotations[] = {
    "$schema",
    "$id",
    "$comment",
    "title",
    "description",
    "examples",
    "default",
};

enum format { FMT_NONE, FMT_DATE, FMT_DATE_TIME, FMT_EMAIL, FMT_URI };

struct node;

struct prop {
	const char *name;
	struct node *node;
};

struct nodes {
	struct node **v;
	size_t n;
};

struct node {
	int boolean; /* -1 for an object schema, else false (0) or true (1) */
	char *where; /* the schema's JSON pointer, "#/..." */

	unsigned types;    /* 0: any type */
	char *type_phrase; /* "a string or null" */
	const struct jv *enumv;
	const struct jv *constv;

	struct prop *props;
	size_t nprops;
	const struct jv *required; /* array of strings */
	struct node *additional;
	const struct jv *dependent; /* object: name -> array of names */

	struct node *items;
	long long min_items, max_items; /* -1 when absent */
	int unique;

	long long min_length, max_length; /* -1 when absent */
	struct re *re;
	const char *pattern;
	const char *expected; /* "x-expected": the pattern or enum in words, for people */
	enum format format;

	const struct jv *minimum, *maximum;

	struct nodes all, any, one;
	struct node *not_, *if_, *then, *else_;

	char *ref; /* NAME from "#/$defs/NAME" */
	struct node *target;

	int mark; /* cycle search: 0 new, 1 on the path, 2 done */
};

struct schema {
	struct jv *root;
	char *name;
	struct node *top;
	struct node **all; /* every node, for freeing */
	size_t nall;
	struct prop *defs;
	size_t ndefs;
};

/* State while compiling a schema. */
struct loader {
	struct schema *s;
	struct buf where;  /* JSON pointer of the schema being compiled */
	struct buf errors; /* one line per problem */
};

/* One validation problem. */
struct err {
	char *path;
	char *what;
	int discr; /* 1: an enum or const mismatch, 2: a type mismatch */
};

struct errs {
	struct err *v;
	size_t n;
};

/* State while validating. */
struct vctx {
	int redact;
	struct buf path; /* data path: "procedures[1].channel" */
	int depth;
	int too_deep;
	int quiet;       /* only whether there are problems counts: no messages */
};

/* The text of a buffer that may never have been written to. */
static const char *
buf_str(const struct buf *b)
{
	return b->len != 0 ? b->data : "";
}

/* Cut a buffer back to len bytes (undoing an append). */
static void
buf_cut(struct buf *b, size_t len)
{
	if (b->data != NULL && len <= b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

/* Number of characters (code points) in valid UTF-8 text of len bytes. */
static size_t
utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	}
	return n;
}

/* Record a schema problem at the current schema path. */
static void OPTOUT_PRINTF(2, 3) load_error(struct loader *L, const char *fmt, ...)
{
	va_list ap;
	char *what;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	if (L->errors.len != 0)
		buf_addc(&L->errors, '\n');
	buf_printf(&L->errors, "%s: %s: %s", L->s->name, buf_str(&L->where), what);
	free(what);
}

/* Append a key to a JSON pointer, escaping "~" and "/"; returns the old length. */
static size_t
where_push(struct loader *L, const char *key)
{
	size_t old = L->where.len;
	const char *p;

	buf_addc(&L->where, '/');
	for (p = key; *p != '\0'; p++) {
		if (*p == '~')
			buf_adds(&L->where, "~0");
		else if (*p == '/')
			buf_adds(&L->where, "~1");
		else
			buf_addc(&L->where, *p);
	}
	return old;
}

/* Append an array index to a JSON pointer; returns the old length. */
static size_t
where_push_index(struct loader *L, size_t i)
{
	size_t old = L->where.len;

	buf_printf(&L->where, "/%zu", i);
	return old;
}

/* A new node, registered with the schema for freeing. */
static struct node *
node_new(struct loader *L)
{
	struct schema *s = L->s;
	struct node *n;

	n = xcalloc(1, sizeof *n);
	n->boolean = 1;
	n->where = xstrdup(buf_str(&L->where));
	n->min_items = n->max_items = -1;
	n->min_length = n->max_length = -1;
	s->all = xreallocarray(s->all, s->nall + 1, sizeof(struct node *));
	s->all[s->nall++] = n;
	return n;
}

/* Free a node's own allocations (children are freed through the schema). */
static void
node_free(struct node *n)
{
	free(n->where);
	free(n->type_phrase);
	free(n->props);
	free(n->all.v);
	free(n->any.v);
	free(n->one.v);
	re_free(n->re);
	free(n->ref);
	free(n);
}

/* Whether v is a whole number (an integer, or a real with no fraction). */
static int
is_whole(const struct jv *v)
{
	double d;

	if (jv_type(v) == JV_INT)
		return 1;
	if (jv_type(v) != JV_REAL)
		return 0;
	d = jv_num(v);
	return d == floor(d);
}

/* Read a non-negative integer keyword value into *out. */
static void
load_count(struct loader *L, const char *key, const struct jv *v, long long *out)
{
	if (!is_whole(v) || jv_num(v) < 0 || jv_num(v) > 1e15) {
		load_error(L, "%s must be a non-negative integer", key);
		return;
	}
	*out = jv_type(v) == JV_INT ? jv_int(v) : (long long)jv_num(v);
}

/* Check that v is an array of strings (non-empty if asked). */
static int
is_string_array(const struct jv *v, int nonempty)
{
	size_t i;

	if (jv_type(v) != JV_ARRAY || (nonempty && jv_len(v) == 0))
		return 0;
	for (i = 0; i < jv_len(v); i++) {
		if (jv_type(jv_at(v, i)) != JV_STRING)
			return 0;
	}
	return 1;
}

/* Set a node's types from "type": a name or a non-empty list of names. */
static void
load_type(struct loader *L, struct node *n, const struct jv *v)
{
	const char *name;
	struct buf phrase;
	size_t i, j, count;

	if (jv_type(v) == JV_STRING)
		count = 1;
	else if (is_string_array(v, 1))
		count = jv_len(v);
	else {
		load_error(L, "type must be a type name or a non-empty list of them");
		return;
	}
	buf_init(&phrase);
	for (i = 0; i < count; i++) {
		name = jv_str(jv_type(v) == JV_STRING ? v : jv_at(v, i));
		for (j = 0; j < NTYPES; j++) {
			if (strcmp(name, schema_types[j].name) == 0)
				break;
		}
		if (j == NTYPES) {
			load_error(L, "unknown type \"%s\"", name);
			continue;
		}
		n->types |= schema_types[j].bit;
		if (i != 0)
			buf_adds(&phrase, i + 1 == count ? " or " : ", ");
		buf_adds(&phrase, schema_types[j].phrase);
	}
	free(n->type_phrase);
	n->type_phrase = buf_detach(&phrase);
}

static struct node *compile(struct loader *, const struct jv *, int);

/* Compile the schema that is the value of keyword key. */
static struct node *
compile_at(struct loader *L, const char *key, const struct jv *v)
{
	struct node *n;
	size_t old;

	old = where_push(L, key);
	n = compile(L, v, 0);
	buf_cut(&L->where, old);
	return n;
}

/* Compile a non-empty array of schemas (allOf, anyOf, oneOf). */
static void
load_list(struct loader *L, const char *key, const struct jv *v, struct nodes *out)
{
	size_t i, old, top;

	if (jv_type(v) != JV_ARRAY || jv_len(v) == 0) {
		load_error(L, "%s must be a non-empty array of schemas", key);
		return;
	}
	out->v = xreallocarray(NULL, jv_len(v), sizeof(struct node *));
	out->n = jv_len(v);
	top = where_push(L, key);
	for (i = 0; i < out->n; i++) {
		old = where_push_index(L, i);
		out->v[i] = compile(L, jv_at(v, i), 0);
		buf_cut(&L->where, old);
	}
	buf_cut(&L->where, top);
}

/* Compile the members of "properties" or "$defs" into an array of props. */
static void
load_props(struct loader *L, const char *key, const struct jv *v, struct prop **out, size_t *count)
{
	struct jv_iter it;
	const char *name;
	struct jv *value;
	size_t n = 0, old, top;

	if (jv_type(v) != JV_OBJECT) {
		load_error(L, "%s must be an object of schemas", key);
		return;
	}
	*out = xreallocarray(NULL, jv_len(v) + 1, sizeof **out);
	top = where_push(L, key);
	jv_iter_init(&it, v);
	while (jv_iter_next(&it, &name, &value)) {
		old = where_push(L, name);
		(*out)[n].name = name;
		(*out)[n].node = compile(L, value, 0);
		n++;
		buf_cut(&L->where, old);
	}
	buf_cut(&L->where, top);
	*count = n;
}

/* Check "dependentRequired": an object whose members are lists of names. */
static void
load_dependent(struct loader *L, struct node *n, const struct jv *v)
{
	struct jv_iter it;
	const char *name;
	struct jv *value;

	if (jv_type(v) != JV_OBJECT) {
		load_error(L, "dependentRequired must be an object");
		return;
	}
	jv_iter_init(&it, v);
	while (jv_iter_next(&it, &name, &value)) {
		if (!is_string_array(value, 0)) {
			load_error(L, "dependentRequired \"%s\" must be an array of names", name);
			return;
		}
	}
	n->dependent = v;
}

/* Check "$ref" (only "#/$defs/NAME" is supported) and keep NAME. */
static void
load_ref(struct loader *L, struct node *n, const struct jv *v)
{
	const char *prefix = "#/$defs/", *s = jv_str(v), *p;
	struct buf name;

	if (s == NULL || strncmp(s, prefix, strlen(prefix)) != 0 || s[strlen(prefix)] == '\0' ||
	    strchr(s + strlen(prefix), '/') != NULL) {
		load_error(L, "$ref must be of the form \"#/$defs/NAME\"");
		return;
	}
	/* Undo JSON pointer escapes: "~1" is "/" and "~0" is "~". */
	buf_init(&name);
	for (p = s + strlen(prefix); *p != '\0'; p++) {
		if (p[0] == '~' && p[1] == '1') {
			buf_addc(&name, '/');
			p++;
		} else if (p[0] == '~' && p[1] == '0') {
			buf_addc(&name, '~');
			p++;
		} else
			buf_addc(&name, *p);
	}
	free(n->ref);
	n->ref = buf_detach(&name);
}

/* Check "format" against the supported ones. */
static void
load_format(struct loader *L, struct node *n, const struct jv *v)
{
	const char *s = jv_str(v);

	if (s != NULL && strcmp(s, "date") == 0)
		n->format = FMT_DATE;
	else if (s != NULL && strcmp(s, "date-time") == 0)
		n->format = FMT_DATE_TIME;
	else if (s != NULL && strcmp(s, "email") == 0)
		n->format = FMT_EMAIL;
	else if (s != NULL && strcmp(s, "uri") == 0)
		n->format = FMT_URI;
	else
		load_error(L, "format must be one of date, date-time, email, uri");
}

/* Compile "pattern" now, so a bad one fails at load time. */
static void
load_pattern(struct loader *L, struct node *n, const struct jv *v)
{
	char *cause = NULL;

	if (jv_type(v) != JV_STRING) {
		load_error(L, "pattern must be a string");
		return;
	}
	if ((n->re = re_compile(jv_str(v), 0, &cause)) == NULL) {
		load_error(L, "pattern: %s", cause);
		free(cause);
		return;
	}
	n->pattern = jv_str(v);
}

/* Compile one keyword of an object schema. */
static void
load_keyword(struct loader *L, struct node *n, const char *key, const struct jv *v, int top)
{
	size_t i;

	for (i = 0; i < sizeof schema_annotations / sizeof schema_annotations[0]; i++) {
		if (strcmp(key, schema_annotations[i]) == 0)
			return;
	}
	if (strcmp(key, "type") == 0)
		load_type(L, n, v);
	else if (strcmp(key, "enum") == 0) {
		if (jv_type(v) != JV_ARRAY || jv_len(v) == 0)
			load_error(L, "enum must be a non-empty array");
		else
			n->enumv = v;
	} else if (strcmp(key, "const") == 0)
		n->constv = v;
	else if (strcmp(key, "properties") == 0)
		load_props(L, key, v, &n->props, &n->nprops);
	else if (strcmp(key, "required") == 0) {
		if (!is_string_array(v, 0))
			load_error(L, "required must be an array of names");
		else
			n->required = v;
	} else if (strcmp(key, "additionalProperties") == 0)
		n->additional = compile_at(L, key, v);
	else if (strcmp(key, "dependentRequired") == 0)
		load_dependent(L, n, v);
	else if (strcmp(key, "items") == 0) {
		if (jv_type(v) == JV_ARRAY)
			load_error(L, "items must be one schema (arrays of schemas, "
			              "like prefixItems, are not supported)");
		else
			n->items = compile_at(L, key, v);
	} else if (strcmp(key, "minItems") == 0)
		load_count(L, key, v, &n->min_items);
	else if (strcmp(key, "maxItems") == 0)
		load_count(L, key, v, &n->max_items);
	else if (strcmp(key, "uniqueItems") == 0) {
		if (jv_type(v) != JV_BOOL)
			load_error(L, "uniqueItems must be true or false");
		else
			n->unique = jv_bool(v);
	} else if (strcmp(key, "minLength") == 0)
		load_count(L, key, v, &n->min_length);
	else if (strcmp(key, "maxLength") == 0)
		load_count(L, key, v, &n->max_length);
	else if (strcmp(key, "pattern") == 0)
		load_pattern(L, n, v);
	else if (strcmp(key, "x-expected") == 0) {
		if (jv_str(v) == NULL)
			load_error(L, "x-expected must be a string");
		else
			n->expected = jv_str(v);
	}
	else if (strcmp(key, "format") == 0)
		load_format(L, n, v);
	else if (strcmp(key, "minimum") == 0 || strcmp(key, "maximum") == 0) {
		if (jv_type(v) != JV_INT && jv_type(v) != JV_REAL)
			load_error(L, "%s must be a number", key);
		else if (key[1] == 'i')
			n->minimum = v;
		else
			n->maximum = v;
	} else if (strcmp(key, "allOf") == 0)
		load_list(L, key, v, &n->all);
	else if (strcmp(key, "anyOf") == 0)
		load_list(L, key, v, &n->any);
	else if (strcmp(key, "oneOf") == 0)
		load_list(L, key, v, &n->one);
	else if (strcmp(key, "not") == 0)
		n->not_ = compile_at(L, key, v);
	else if (strcmp(key, "if") == 0)
		n->if_ = compile_at(L, key, v);
	else if (strcmp(key, "then") == 0)
		n->then = compile_at(L, key, v);
	else if (strcmp(key, "else") == 0)
		n->else_ = compile_at(L, key, v);
	else if (strcmp(key, "$ref") == 0)
		load_ref(L, n, v);
	else if (strcmp(key, "$defs") == 0) {
		/* "#/$defs/NAME" always means the top level's $defs. */
		if (!top)
			load_error(L, "$defs is only supported at the top level");
		else
			load_props(L, key, v, &L->s->defs, &L->s->ndefs);
	} else
		load_error(L, "unsupported keyword \"%s\"", key);
}

/* Compile a schema (an object or a boolean) at the current path. */
static struct node *
compile(struct loader *L, const struct jv *v, int top)
{
	struct node *n = node_new(L);
	struct jv_iter it;
	const char *key;
	struct jv *value;

	if (jv_type(v) == JV_BOOL) {
		n->boolean = jv_bool(v);
		return n;
	}
	if (jv_type(v) != JV_OBJECT) {
		load_error(L, "a schema must be an object or a boolean");
		return n;
	}
	n->boolean = -1;
	jv_iter_init(&it, v);
	/* Keyword errors name the schema holding the keyword. */
	while (jv_iter_next(&it, &key, &value))
		load_keyword(L, n, key, value, top);
	return n;
}

/*
 * Find a chain of "$ref"s and in-place subschemas (allOf, anyOf, oneOf,
 * not, if, then, else) that leads back to itself: validating it would loop
 * forever without ever reaching deeper into the data.  Returns 1 if found.
 */
static int
find_cycle(struct loader *L, struct node *n)
{
	struct node *next[4];
	const struct nodes *lists[3];
	size_t i, j;

	if (n == NULL || n->mark == 2)
		return 0;
	if (n->mark == 1) {
		buf_cut(&L->where, 0);
		buf_adds(&L->where, n->where);
		load_error(L, "$ref cycle: the schema refers back to itself "
		              "without reaching deeper into the data");
		return 1;
	}
	n->mark = 1;
	if (find_cycle(L, n->target))
		return 1;
	lists[0] = &n->all;
	lists[1] = &n->any;
	lists[2] = &n->one;
	for (i = 0; i < 3; i++) {
		for (j = 0; j < lists[i]->n; j++) {
			if (find_cycle(L, lists[i]->v[j]))
				return 1;
		}
	}
	next[0] = n->not_;
	next[1] = n->if_;
	next[2] = n->then;
	next[3] = n->else_;
	for (i = 0; i < 4; i++) {
		if (find_cycle(L, next[i]))
			return 1;
	}
	n->mark = 2;
	return 0;
}

/* Point every "$ref" at its definition; then reject cycles. */
static void
resolve_refs(struct loader *L)
{
	struct schema *s = L->s;
	struct node *n;
	size_t i, j;

	for (i = 0; i < s->nall; i++) {
		n = s->all[i];
		if (n->ref == NULL)
			continue;
		for (j = 0; j < s->ndefs; j++) {
			if (strcmp(s->defs[j].name, n->ref) == 0)
				n->target = s->defs[j].node;
		}
		if (n->target == NULL) {
			buf_cut(&L->where, 0);
			buf_adds(&L->where, n->where);
			load_error(L, "$ref to \"%s\", which $defs does not define", n->ref);
		}
	}
	if (L->errors.len != 0)
		return;
	for (i = 0; i < s->nall; i++) {
		if (find_cycle(L, s->all[i]))
			return;
	}
}

/* Compile a schema from JSON, taking ownership of it. */
struct schema *
schema_from_jv(struct jv *owned, const char *name, char **cause)
{
	struct loader L;
	struct schema *s;

	s = xcalloc(1, sizeof *s);
	s->root = owned;
	s->name = xstrdup(name != NULL ? name : "schema");
	L.s = s;
	buf_init(&L.where);
	buf_init(&L.errors);
	buf_adds(&L.where, "#");
	s->top = compile(&L, owned, 1);
	if (L.errors.len == 0)
		resolve_refs(&L);
	buf_free(&L.where);
	if (L.errors.len != 0) {
		*cause = buf_detach(&L.errors);
		schema_free(s);
		return NULL;
	}
	buf_free(&L.errors);
	return s;
}

/* Load and compile a schema file. */
struct schema *
schema_load(const char *path, char **cause)
{
	struct jv *v;

	if ((v = jv_load_file(path, SCHEMA_MAX_BYTES, cause)) == NULL)
		return NULL;
	return schema_from_jv(v, path, cause);
}

/* Free a schema and its JSON (NULL is fine). */
void
schema_free(struct schema *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nall; i++)
		node_free(s->all[i]);
	free(s->all);
	free(s->defs);
	free(s->name);
	jv_free(s->root);
	free(s);
}

/* ---- validation ---- */

/* Free the problems in a list. */
static void
errs_free(struct errs *e)
{
	size_t i;

	for (i = 0; e->v != NULL && i < e->n; i++) {
		free(e->v[i].path);
		free(e->v[i].what);
	}
	free(e->v);
	e->v = NULL;
	e->n = 0;
}

/* A number as text: integers exactly, reals in the fewest digits that round-trip. */
static char *
format_number(const struct jv *v)
{
	char tmp[64];
	double d;
	int prec;

	if (jv_type(v) == JV_INT)
		return xasprintf("%lld", jv_int(v));
	d = jv_num(v);
	for (prec = 15; prec < 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			return xstrdup(tmp);
	}
	return xasprintf("%.17g", d);
}

/* A value as a message quotes it: strings in JSON quotes, cut if long. */
static char *
describe(const struct jv *v)
{
	const char *s;
	struct jv *tmp;
	size_t len, i, chars;
	char *cut, *out;

	switch (jv_type(v)) {
	case JV_STRING:
		s = jv_str(v);
		len = jv_str_len(v);
		for (i = 0, chars = 0; i < len; i++) {
			if (((unsigned char)s[i] & 0xc0) != 0x80 && chars++ == SCHEMA_QUOTE_MAX)
				break;
		}
		cut = xstrndup(s, i);
		if (i < len) {
			out = xasprintf("%s...", cut);
			free(cut);
			cut = out;
		}
		tmp = jv_new_string(cut);
		out = jv_dump(tmp, 0);
		jv_free(tmp);
		free(cut);
		return out;
	case JV_INT:
	case JV_REAL:
		return format_number(v);
	case JV_BOOL:
		return xstrdup(jv_bool(v) ? "true" : "false");
	case JV_ARRAY:
		return xstrdup("an array");
	case JV_OBJECT:
		return xstrdup("an object");
	case JV_NULL:
		break;
	}
	return xstrdup("null");
}

/*
 * Record a problem at the current data path.  Unless redacting, the
 * message starts with the value `quote` (when given).
 */
static void OPTOUT_PRINTF(5, 6) add_err(
    struct vctx *c, struct errs *out, int discr, const struct jv *quote, const char *fmt, ...)
{
	struct err *e;
	va_list ap;
	char *what, *value, *both;

	/* Inside is_valid nobody reads the message: count the problem only. */
	if (c->quiet) {
		out->n++;
		return;
	}
	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	if (quote != NULL && !c->redact) {
		value = describe(quote);
		both = xasprintf("%s %s", value, what);
		free(value);
		free(what);
		what = both;
	}
	out->v = xreallocarray(out->v, out->n + 1, sizeof *out->v);
	e = &out->v[out->n++];
	e->path = xstrdup(buf_str(&c->path));
	e->what = what;
	e->discr = discr;
}

/* Whether a key can be written as ".key" in a data path. */
static int
plain_key(const char *key)
{
	const char *p;

	if (*key == '\0')
		return 0;
	for (p = key; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		        (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '$'))
			return 0;
	}
	return 1;
}

/* Append a member name to the data path; returns the old length. */
static size_t
path_push_key(struct vctx *c, const char *key)
{
	size_t old = c->path.len;
	struct jv *tmp;
	char *quoted;

	if (plain_key(key)) {
		if (old != 0)
			buf_addc(&c->path, '.');
		buf_adds(&c->path, key);
	} else {
		tmp = jv_new_string(key);
		quoted = jv_dump(tmp, 0);
		buf_printf(&c->path, "[%s]", quoted);
		free(quoted);
		jv_free(tmp);
	}
	return old;
}

/* Append an array index to the data path; returns the old length. */
static size_t
path_push_index(struct vctx *c, size_t i)
{
	size_t old = c->path.len;

	buf_printf(&c->path, "[%zu]", i);
	return old;
}

/* The type bits a value satisfies. */
static unsigned
value_types(const struct jv *v)
{
	switch (jv_type(v)) {
	case JV_NULL:
		return T_NULL;
	case JV_BOOL:
		return T_BOOLEAN;
	case JV_OBJECT:
		return T_OBJECT;
	case JV_ARRAY:
		return T_ARRAY;
	case JV_STRING:
		return T_STRING;
	case JV_INT:
		return T_NUMBER | T_INTEGER;
	case JV_REAL:
		return T_NUMBER | (is_whole(v) ? T_INTEGER : 0);
	}
	return 0;
}

/* How a message names the type of v: "an integer". */
static const char *
type_phrase(const struct jv *v)
{
	const char *name = jv_type_name(v);
	size_t i;

	for (i = 0; i < NTYPES; i++) {
		if (strcmp(name, schema_types[i].name) == 0)
			return schema_types[i].phrase;
	}
	return name;
}

/* Compare two numbers: -1, 0 or 1; integers exactly. */
static int
num_cmp(const struct jv *a, const struct jv *b)
{
	long long x, y;
	double p, q;

	if (jv_type(a) == JV_INT && jv_type(b) == JV_INT) {
		x = jv_int(a);
		y = jv_int(b);
		return x < y ? -1 : x > y;
	}
	p = jv_num(a);
	q = jv_num(b);
	return p < q ? -1 : p > q;
}

/* Parse exactly n decimal digits. */
static int
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

/* Whether s (10 bytes at least) starts with a real calendar date YYYY-MM-DD. */
static int
valid_date_part(const char *s)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d, max;

	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
	    !digits(s + 8, 2, &d))
		return 0;
	/* Year 0 is not a date Python's datetime accepts either. */
	if (y == 0 || m < 1 || m > 12 || d < 1)
		return 0;
	max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

/* Whether s is a full date, YYYY-MM-DD. */
static int
valid_date(const char *s, size_t len)
{
	return len == 10 && valid_date_part(s);
}

/* Whether s is an RFC 3339 date-time: 2025-01-31T12:00:00(.5)?(Z|+01:00). */
static int
valid_date_time(const char *s, size_t len)
{
	const char *p, *end = s + len;
	int h, m, sec;

	if (len < 20 || !valid_date_part(s) || (s[10] != 'T' && s[10] != 't'))
		return 0;
	p = s + 11;
	if (!digits(p, 2, &h) || p[2] != ':' || !digits(p + 3, 2, &m) || p[5] != ':' ||
	    !digits(p + 6, 2, &sec))
		return 0;
	/* Second 60 is a leap second, which RFC 3339 allows. */
	if (h > 23 || m > 59 || sec > 60)
		return 0;
	p += 8;
	if (p < end && *p == '.') {
		if (++p == end || *p < '0' || *p > '9')
			return 0;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p + 1 == end && (*p == 'Z' || *p == 'z'))
		return 1;
	if (p + 6 != end || (*p != '+' && *p != '-'))
		return 0;
	if (!digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &m))
		return 0;
	return h <= 23 && m <= 59;
}

/*
 * Whether s looks like a usable email address: one "@", a local part
 * with no spaces or specials, and a domain of dotted labels ending in a
 * top-level label of two or more characters.  Deliberately no full RFC 5322
 * grammar: quoted local parts and IP literals are not wanted in letters.
 */
static int
valid_email(const char *s, size_t len)
{
	const char *at, *p, *label, *end = s + len;
	size_t labels = 0;
	int alldigits;

	if (len > 254 || (at = memchr(s, '@', len)) == NULL || at == s ||
	    memchr(at + 1, '@', (size_t)(end - at - 1)) != NULL)
		return 0;
	for (p = s; p < end; p++) {
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || strchr("\"(),:;<>[\\]", *p) != NULL)
			return 0;
	}
	if (s[0] == '.' || at[-1] == '.' || memmem(s, (size_t)(at - s), "..", 2) != NULL)
		return 0;
	label = at + 1;
	for (;;) {
		alldigits = 1;
		for (p = label; p < end && *p != '.'; p++) {
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			        (*p >= '0' && *p <= '9') || *p == '-' || (unsigned char)*p >= 0x80))
				return 0;
			if (*p < '0' || *p > '9')
				alldigits = 0;
		}
		if (p == label || p - label > 63 || *label == '-' || p[-1] == '-')
			return 0;
		labels++;
		if (p == end)
			break;
		label = p + 1;
	}
	/* The last label is the top-level domain. */
	return labels >= 2 && end - label >= 2 && !alldigits;
}

/* Whether c is a hexadecimal digit. */
static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Whether s is a URI: a scheme, ":", then no spaces or characters URIs never hold. */
static int
valid_uri(const char *s, size_t len)
{
	const char *p, *end = s + len;

	if (len == 0 || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	for (p = s + 1; p < end && *p != ':'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		        (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.'))
			return 0;
	}
	if (p == end)
		return 0;
	for (p++; p < end; p++) {
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("<>\"{}|\\^`", *p) != NULL)
			return 0;
		if (*p == '%' && (end - p < 3 || !is_hex(p[1]) || !is_hex(p[2])))
			return 0;
	}
	return 1;
}

/* The list of enum values for a message: strings bare, others as JSON. */
static char *
enum_list(const struct jv *list)
{
	const struct jv *item;
	struct buf b;
	size_t i;
	char *s;

	buf_init(&b);
	for (i = 0; i < jv_len(list); i++) {
		item = jv_at(list, i);
		if (i != 0)
			buf_adds(&b, ", ");
		if (jv_type(item) == JV_STRING)
			buf_adds(&b, jv_str(item));
		else {
			s = jv_dump(item, 0);
			buf_adds(&b, s);
			free(s);
		}
	}
	return buf_detach(&b);
}

static void validate(struct vctx *, const struct node *, const struct jv *, struct errs *);

/* Whether v is valid against n, keeping no messages. */
static int
is_valid(struct vctx *c, const struct node *n, const struct jv *v)
{
	struct errs tmp = {NULL, 0};
	int ok;

	c->quiet++;
	validate(c, n, v, &tmp);
	c->quiet--;
	ok = tmp.n == 0;
	errs_free(&tmp);
	return ok;
}

/* Check the keywords that apply to strings. */
static void
check_string(struct vctx *c, const struct node *n, const struct jv *v, struct errs *out)
{
	const char *s = jv_str(v);
	size_t len = jv_str_len(v), chars = utf8_chars(s, len);
	int rc;

	if (n->min_length >= 0 && chars < (unsigned long long)n->min_length)
		add_err(c, out, 0, NULL, "string shorter than %lld characters", n->min_length);
	if (n->max_length >= 0 && chars > (unsigned long long)n->max_length)
		add_err(c, out, 0, NULL, "string longer than %lld characters", n->max_length);
	if (n->re != NULL) {
		rc = re_match(n->re, s, len);
		/* People get the form in words; a regular expression only helps developers. */
		if (rc == 0 && n->expected != NULL)
			add_err(c, out, 0, NULL, "expected %s", n->expected);
		else if (rc == 0 && c->redact)
			add_err(c, out, 0, NULL, "is not in the form this field needs");
		else if (rc == 0)
			add_err(c, out, 0, v, "does not match the required pattern %s", n->pattern);
		else if (rc < 0)
			add_err(c, out, 0, NULL,
			    "could not be matched against the "
			    "pattern %s (match limit)",
			    n->pattern);
	}
	switch (n->format) {
	case FMT_DATE:
		if (!valid_date(s, len))
			add_err(c, out, 0, v, "is not a valid date (YYYY-MM-DD)");
		break;
	case FMT_DATE_TIME:
		if (!valid_date_time(s, len))
			add_err(c, out, 0, v, "is not a valid date-time (RFC 3339)");
		break;
	case FMT_EMAIL:
		if (!valid_email(s, len))
			add_err(c, out, 0, v, "is not a valid email address");
		break;
	case FMT_URI:
		if (!valid_uri(s, len))
			add_err(c, out, 0, v, "is not a valid URI");
		break;
	case FMT_NONE:
		break;
	}
}

/* Check the keywords that apply to numbers. */
static void
check_number(struct vctx *c, const struct node *n, const struct jv *v, struct errs *out)
{
	char *limit;

	if (n->minimum != NULL && num_cmp(v, n->minimum) < 0) {
		limit = format_number(n->minimum);
		add_err(c, out, 0, v, "is below the minimum %s", limit);
		free(limit);
	}
	if (n->maximum != NULL && num_cmp(v, n->maximum) > 0) {
		limit = format_number(n->maximum);
		add_err(c, out, 0, v, "is above the maximum %s", limit);
		free(limit);
	}
}

/* Check the keywords that apply to objects. */
static void
check_object(struct vctx *c, const struct node *n, const struct jv *v, struct errs *out)
{
	struct jv_iter it, dit;
	const char *key, *dkey;
	struct jv *value, *deps;
	size_t i, old;
	const struct node *sub;

	if (n->required != NULL) {
		for (i = 0; i < jv_len(n->required); i++) {
			key = jv_str(jv_at(n->required, i));
			if (jv_get(v, key) == NULL)
				add_err(c, out, 0, NULL, "missing required field \"%s\"", key);
		}
	}
	if (n->dependent != NULL) {
		jv_iter_init(&dit, n->dependent);
		while (jv_iter_next(&dit, &dkey, &deps)) {
			if (jv_get(v, dkey) == NULL)
				continue;
			for (i = 0; i < jv_len(deps); i++) {
				key = jv_str(jv_at(deps, i));
				if (jv_get(v, key) == NULL)
					add_err(c, out, 0, NULL,
					    "missing field \"%s\" "
					    "(required when \"%s\" is present)",
					    key, dkey);
			}
		}
	}
	jv_iter_init(&it, v);
	while (jv_iter_next(&it, &key, &value)) {
		sub = NULL;
		for (i = 0; i < n->nprops; i++) {
			if (strcmp(n->props[i].name, key) == 0) {
				sub = n->props[i].node;
				break;
			}
		}
		if (sub == NULL && n->additional != NULL) {
			/* Said at the object, where the field would have to go. */
			if (n->additional->boolean == 0) {
				add_err(c, out, 0, NULL, "unknown field \"%s\"", key);
				continue;
			}
			sub = n->additional;
		}
		if (sub == NULL)
			continue;
		old = path_push_key(c, key);
		validate(c, sub, value, out);
		buf_cut(&c->path, old);
	}
}

/* Check the keywords that apply to arrays. */
static void
check_array(struct vctx *c, const struct node *n, const struct jv *v, struct errs *out)
{
	size_t len = jv_len(v), i, j, old;

	if (n->min_items >= 0 && len < (unsigned long long)n->min_items)
		add_err(c, out, 0, NULL, "fewer than %lld items", n->min_items);
	if (n->max_items >= 0 && len > (unsigned long long)n->max_items)
		add_err(c, out, 0, NULL, "more than %lld items", n->max_items);
	if (n->unique) {
		for (i = 0; i < len; i++) {
			for (j = i + 1; j < len; j++) {
				if (jv_equal(jv_at(v, i), jv_at(v, j)))
					break;
			}
			if (j < len) {
				add_err(c, out, 0, NULL,
				    "duplicate items ([%zu] and [%zu] "
				    "are equal)",
				    i, j);
				break;
			}
		}
	}
	if (n->items != NULL) {
		for (i = 0; i < len; i++) {
			old = path_push_index(c, i);
			validate(c, n->items, jv_at(v, i), out);
			buf_cut(&c->path, old);
		}
	}
}

/* Whether form a came closer than form b: see check_choice. */
static int
closer(const size_t *a, const size_t *b)
{
	size_t i;

	for (i = 0; i < 3; i++) {
		if (a[i] != b[i])
			return a[i] < b[i] ? 1 : -1;
	}
	return 0;
}

/*
 * Check anyOf (one = 0) or oneOf (one = 1).  A failure is one message at
 * this path.  Forms are ranked by whether the value is of the wrong type
 * for them altogether, then by their type, enum and const mismatches
 * further in (which suggest the value was not meant to take that form),
 * then by their number of problems.  The first problem of the closest form
 * is added as a hint, or of each of a few forms tied for closest.
 */
static void
check_choice(
    struct vctx *c, const struct nodes *forms, int one, const struct jv *v, struct errs *out)
{
	struct errs tmp;
	size_t i, k, matched = 0, best = SIZE_MAX, tied = 0;
	size_t(*rank)[3];
	char **hint;
	char *here = xstrdup(buf_str(&c->path)); /* the buffer may move */
	struct buf b;

	if (c->quiet) {
		/* Only whether it matches counts: no ranking, no hints. */
		for (i = 0; i < forms->n && (matched == 0 || one) && matched < 2; i++) {
			tmp.v = NULL;
			tmp.n = 0;
			validate(c, forms->v[i], v, &tmp);
			matched += tmp.n == 0;
			errs_free(&tmp);
		}
		if (matched == 0 || (one && matched > 1))
			out->n++;
		free(here);
		return;
	}
	rank = xcalloc(forms->n, sizeof *rank);
	hint = xcalloc(forms->n, sizeof *hint);
	for (i = 0; i < forms->n; i++) {
		tmp.v = NULL;
		tmp.n = 0;
		validate(c, forms->v[i], v, &tmp);
		if (tmp.n == 0) {
			matched++;
			if (!one)
				break;
			continue;
		}
		for (k = 0; k < tmp.n; k++) {
			if (tmp.v[k].discr == 2 && strcmp(tmp.v[k].path, here) == 0)
				rank[i][0] = 1;
			rank[i][1] += tmp.v[k].discr != 0;
		}
		rank[i][2] = tmp.n;
		if (strcmp(tmp.v[0].path, here) == 0)
			hint[i] = xstrdup(tmp.v[0].what);
		else
			hint[i] = xasprintf("%s: %s", tmp.v[0].path, tmp.v[0].what);
		if (best == SIZE_MAX || closer(rank[i], rank[best]) > 0) {
			best = i;
			tied = 1;
		} else if (closer(rank[i], rank[best]) == 0)
			tied++;
		errs_free(&tmp);
	}
	if (matched == 0) {
		buf_init(&b);
		buf_adds(&b, "does not match any allowed form");
		if (tied == 1)
			buf_printf(&b, " (closest: %s)", hint[best]);
		else if (tied <= 3) {
			for (i = 0, k = 0; i < forms->n; i++) {
				if (hint[i] == NULL || closer(rank[i], rank[best]) != 0)
					continue;
				buf_printf(
				    &b, "%sform %zu: %s", k++ == 0 ? " (" : "; ", i + 1, hint[i]);
			}
			buf_addc(&b, ')');
		}
		add_err(c, out, 0, NULL, "%s", b.data);
		buf_free(&b);
	} else if (one && matched > 1)
		add_err(c, out, 0, NULL,
		    "matches %zu of the allowed forms, "
		    "but must match exactly one",
		    matched);
	for (i = 0; i < forms->n; i++)
		free(hint[i]);
	free(hint);
	free(rank);
	free(here);
}

/* Check "not"; a plain {"required": [...]} gets a clearer message. */
static void
check_not(struct vctx *c, const struct node *n, const struct jv *v, struct errs *out)
{
	const struct node *x = n->not_;
	const char *first;

	if (!is_valid(c, x, v))
		return;
	if (x->boolean == -1 && x->required != NULL && jv_len(x->required) != 0 && x->types == 0 &&
	    x->enumv == NULL && x->constv == NULL && x->nprops == 0 && x->additional == NULL &&
	    x->dependent == NULL && x->items == NULL && x->min_items < 0 && x->max_items < 0 &&
	    !x->unique && x->min_length < 0 && x->max_length < 0 && x->re == NULL &&
	    x->format == FMT_NONE && x->minimum == NULL && x->maximum == NULL && x->all.n == 0 &&
	    x->any.n == 0 && x->one.n == 0 && x->not_ == NULL && x->if_ == NULL &&
	    x->target == NULL) {
		first = jv_str(jv_at(x->required, 0));
		if (jv_len(x->required) == 1)
			add_err(c, out, 0, NULL, "field \"%s\" must not be present", first);
		else
			add_err(c, out, 0, NULL,
			    "fields \"%s\" and the others listed "
			    "with it must not all be present",
			    first);
		return;
	}
	add_err(c, out, 0, NULL, "matches a form that is not allowed");
}

/* Validate v against node n, adding every problem to out. */
static void
validate(struct vctx *c, const struct node *n, const struct jv *v, struct errs *out)
{
	size_t i;
	char *list, *want;

	if (n->boolean == 1)
		return;
	/* Quietly, the first problem is the answer. */
	if (c->quiet && out->n > 0)
		return;
	if (n->boolean == 0) {
		add_err(c, out, 0, NULL, "no value is allowed here");
		return;
	}
	if (c->depth >= SCHEMA_MAX_EVAL_DEPTH) {
		if (!c->too_deep)
			add_err(c, out, 0, NULL, "the schema nests too deeply to check");
		c->too_deep = 1;
		return;
	}
	c->depth++;
	/* A value of the wrong type makes the other keywords meaningless. */
	if (n->types != 0 && (n->types & value_types(v)) == 0) {
		add_err(c, out, 2, NULL, "expected %s, got %s", n->type_phrase, type_phrase(v));
		c->depth--;
		return;
	}
	if (n->target != NULL)
		validate(c, n->target, v, out);
	if (n->enumv != NULL) {
		for (i = 0; i < jv_len(n->enumv); i++) {
			if (jv_equal(v, jv_at(n->enumv, i)))
				break;
		}
		if (i == jv_len(n->enumv) && n->expected != NULL)
			add_err(c, out, 1, NULL, "expected %s", n->expected);
		else if (i == jv_len(n->enumv)) {
			list = enum_list(n->enumv);
			add_err(c, out, 1, v, "is not one of %s", list);
			free(list);
		}
	}
	if (n->constv != NULL && !jv_equal(v, n->constv)) {
		want = jv_dump(n->constv, 0);
		add_err(c, out, 1, v, "is not the required value %s", want);
		free(want);
	}
	switch (jv_type(v)) {
	case JV_STRING:
		check_string(c, n, v, out);
		break;
	case JV_INT:
	case JV_REAL:
		check_number(c, n, v, out);
		break;
	case JV_OBJECT:
		check_object(c, n, v, out);
		break;
	case JV_ARRAY:
		check_array(c, n, v, out);
		break;
	case JV_NULL:
	case JV_BOOL:
		break;
	}
	for (i = 0; i < n->all.n; i++)
		validate(c, n->all.v[i], v, out);
	if (n->any.n != 0)
		check_choice(c, &n->any, 0, v, out);
	if (n->one.n != 0)
		check_choice(c, &n->one, 1, v, out);
	if (n->not_ != NULL)
		check_not(c, n, v, out);
	if (n->if_ != NULL && (n->then != NULL || n->else_ != NULL)) {
		if (is_valid(c, n->if_, v)) {
			if (n->then != NULL)
				validate(c, n->then, v, out);
		} else if (n->else_ != NULL)
			validate(c, n->else_, v, out);
	}
	c->depth--;
}

/* Validate doc; on failure *cause lists every problem, one per line. */
int
schema_validate(
    const struct schema *s, const struct jv *doc, const char *name, int flags, char **cause)
{
	struct vctx c;
	struct errs out = {NULL, 0};
	struct buf msg;
	size_t i;

	memset(&c, 0, sizeof c);
	c.redact = (flags & SCHEMA_REDACT) != 0;
	buf_init(&c.path);
	validate(&c, s->top, doc, &out);
	buf_free(&c.path);
	if (out.n == 0)
		return 0;
	buf_init(&msg);
	for (i = 0; i < out.n; i++) {
		if (i != 0)
			buf_addc(&msg, '\n');
		if (name != NULL)
			buf_printf(&msg, "%s: ", name);
		buf_printf(&msg, "%s: %s", out.v[i].path[0] != '\0' ? out.v[i].path : "(top)",
		    out.v[i].what);
	}
	errs_free(&out);
	*cause = buf_detach(&msg);
	return -1;
}
