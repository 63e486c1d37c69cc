/*
 * jv: JSON values on top of jansson.
 *
 * struct jv is never defined: a struct jv * is a json_t * seen through a
 * cast, so callers hold a pointer they cannot look into and jansson stays
 * private to this file.  Ownership follows jansson's reference counts: an
 * owned value is one reference, a borrowed one is none.
 */
#include "config.h"

#include <jansson.h>

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "optout/jv.h"
#include "optout/util.h"


/* The json_t behind a value. */
static inline json_t *
J(const struct jv *v)
{
	return (json_t *)(void *)v;
}

/* The value seen by callers for a json_t. */
static inline struct jv *
V(json_t *j)
{
	return (struct jv *)(void *)j;
}

/* Allocate for jansson; a zero-byte request still gets a unique pointer. */
static void *
jv_malloc(size_t n)
{
	return xmalloc(n != 0 ? n : 1);
}

/*
 * Make jansson allocate through xmalloc, so running out of memory is fatal,
 * and wipe what it frees: parsed profiles and client lists (decrypted ones
 * too) must not linger in freed heap.
 */
static void
jv_setup(void)
{
	static int done;

	if (!done) {
		json_set_alloc_funcs(jv_malloc, wipe_free);
		done = 1;
	}
}

/*
 * Copy s with every invalid UTF-8 byte replaced by U+FFFD, or return NULL
 * when s is already valid: jansson refuses invalid strings, and a value
 * built from outside text should degrade rather than vanish.
 */
static char *
utf8_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i, k;
	uint32_t cp;
	struct buf b;

	for (i = 0; i < n; i += k) {
		if ((k = utf8_decode(p + i, n - i, &cp)) == 0)
			break;
	}
	if (i == n)
		return NULL;
	buf_init(&b);
	buf_add(&b, s, i);
	while (i < n) {
		if ((k = utf8_decode(p + i, n - i, &cp)) == 0) {
			buf_adds(&b, "\xef\xbf\xbd");
			i++;
		} else {
			buf_add(&b, p + i, k);
			i += k;
		}
	}
	return buf_detach(&b);
}

/*
 * Copy jansson's message without the token it quotes ("near '...'"): the
 * token is file content, and a profile's content is personal.  The line
 * and column say where the problem is.
 */
static char *
jv_clean_message(const char *text)
{
	const char *flag = " without JSON_ALLOW_NUL";
	const char *near, *end, *p;
	struct buf b;

	buf_init(&b);
	near = strstr(text, " near '");
	end = near != NULL ? strrchr(near + strlen(" near '"), '\'') : NULL;
	for (p = text; *p != '\0';) {
		if (near != NULL && p == near) {
			p = end != NULL ? end + 1 : p + strlen(p);
			continue;
		}
		/* Users never set jansson flags: drop the name of one. */
		if (strncmp(p, flag, strlen(flag)) == 0) {
			p += strlen(flag);
			continue;
		}
		buf_addc(&b, *p++);
	}
	return buf_detach(&b);
}

/*
 * Find where valid JSON text first nests deeper than JV_MAX_DEPTH; returns
 * 1 and the 1-based line and column (in characters) if it does, else 0.
 * Scanning the text rather than walking the tree gives the position.
 */
static int
jv_too_deep(const char *text, size_t len, int *line, int *column)
{
	int depth = 0, in_string = 0, escaped = 0, l = 1, c = 0;
	size_t i;
	unsigned char ch;

	for (i = 0; i < len; i++) {
		ch = (unsigned char)text[i];
		if ((ch & 0xc0) != 0x80)
			c++;
		if (ch == '\n') {
			l++;
			c = 0;
			continue;
		}
		if (in_string) {
			if (escaped)
				escaped = 0;
			else if (ch == '\\')
				escaped = 1;
			else if (ch == '"')
				in_string = 0;
			continue;
		}
		if (ch == '"')
			in_string = 1;
		else if (ch == '[' || ch == '{') {
			if (++depth > JV_MAX_DEPTH) {
				*line = l;
				*column = c;
				return 1;
			}
		} else if (ch == ']' || ch == '}')
			depth--;
	}
	return 0;
}

/* Load and parse a JSON file of at most max_bytes bytes. */
struct jv *
jv_load_file(const char *path, size_t max_bytes, char **cause)
{
	struct jv *v;
	char *data;
	size_t len;

	if (read_file(path, max_bytes, &data, &len, cause) != 0)
		return NULL;
	v = jv_parse(data, len, path, cause);
	free(data);
	return v;
}

/* Parse JSON text; rejects duplicate keys and too deep nesting. */
struct jv *
jv_parse(const char *text, size_t len, const char *name, char **cause)
{
	json_error_t err;
	json_t *j;
	char *msg;
	int line, column;

	jv_setup();
	if (name == NULL)
		name = "(input)";
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (j == NULL) {
		msg = jv_clean_message(err.text);
		if (err.line > 0)
			*cause = xasprintf("%s:%d:%d: %s", name, err.line, err.column, msg);
		else
			*cause = xasprintf("%s: %s", name, msg);
		free(msg);
		return NULL;
	}
	if (jv_too_deep(text, len, &line, &column)) {
		json_decref(j);
		*cause = xasprintf(
		    "%s:%d:%d: nested deeper than %d levels", name, line, column, JV_MAX_DEPTH);
		return NULL;
	}
	return V(j);
}

/* Parse text known to have passed jv_parse before, without its extra scans. */
struct jv *
jv_parse_checked(const char *text, size_t len, const char *name, char **cause)
{
	json_error_t err;
	json_t *j;

	jv_setup();
	j = json_loadb(text, len, JSON_DECODE_ANY, &err);
	if (j == NULL) {
		/* Only if the bytes changed under us: report it as jv_parse would. */
		return jv_parse(text, len, name, cause);
	}
	return V(j);
}

/* Drop the caller's reference to v. */
void
jv_free(struct jv *v)
{
	if (v != NULL)
		json_decref(J(v));
}

/* The type of v; an absent value (NULL) counts as null. */
enum jv_type
jv_type(const struct jv *v)
{
	if (v == NULL)
		return JV_NULL;
	switch (json_typeof(J(v))) {
	case JSON_OBJECT:
		return JV_OBJECT;
	case JSON_ARRAY:
		return JV_ARRAY;
	case JSON_STRING:
		return JV_STRING;
	case JSON_INTEGER:
		return JV_INT;
	case JSON_REAL:
		return JV_REAL;
	case JSON_TRUE:
	case JSON_FALSE:
		return JV_BOOL;
	case JSON_NULL:
		break;
	}
	return JV_NULL;
}

/* The JSON Schema name of v's type. */
const char *
jv_type_name(const struct jv *v)
{
	switch (jv_type(v)) {
	case JV_NULL:
		return "null";
	case JV_BOOL:
		return "boolean";
	case JV_INT:
		return "integer";
	case JV_REAL:
		return "number";
	case JV_STRING:
		return "string";
	case JV_ARRAY:
		return "array";
	case JV_OBJECT:
		return "object";
	}
	return "null";
}

/* The UTF-8 text of a string value, or NULL. */
const char *
jv_str(const struct jv *v)
{
	return v != NULL ? json_string_value(J(v)) : NULL;
}

/* The byte length of a string value, or 0. */
size_t
jv_str_len(const struct jv *v)
{
	return v != NULL ? json_string_length(J(v)) : 0;
}

/* The value of an integer, or 0. */
long long
jv_int(const struct jv *v)
{
	return v != NULL ? (long long)json_integer_value(J(v)) : 0;
}

/* The value of an integer or real number, or 0. */
double
jv_num(const struct jv *v)
{
	return v != NULL ? json_number_value(J(v)) : 0.0;
}

/* 1 if v is the boolean true. */
int
jv_bool(const struct jv *v)
{
	return v != NULL && json_is_true(J(v));
}

/* 1 unless v is absent, null or false: plain presence, not Mustache rules. */
int
jv_is_true(const struct jv *v)
{
	return v != NULL && !json_is_null(J(v)) && !json_is_false(J(v));
}

/* Number of items of an array or members of an object. */
size_t
jv_len(const struct jv *v)
{
	if (v == NULL)
		return 0;
	if (json_is_array(J(v)))
		return json_array_size(J(v));
	if (json_is_object(J(v)))
		return json_object_size(J(v));
	return 0;
}

/* Item i of an array (borrowed), or NULL. */
struct jv *
jv_at(const struct jv *v, size_t i)
{
	return v != NULL ? V(json_array_get(J(v), i)) : NULL;
}

/* Member key of an object (borrowed), or NULL. */
struct jv *
jv_get(const struct jv *v, const char *key)
{
	return v != NULL ? V(json_object_get(J(v), key)) : NULL;
}

/* Follow "a.b.c" through nested objects; "" is v itself. */
struct jv *
jv_path(const struct jv *v, const char *dotted)
{
	const char *p = dotted, *dot;
	json_t *j = J(v);
	size_t n;

	if (j == NULL || *p == '\0')
		return V(j);
	for (;;) {
		dot = strchr(p, '.');
		n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (n == 0)
			return NULL;
		if ((j = json_object_getn(j, p, n)) == NULL)
			return NULL;
		if (dot == NULL)
			return V(j);
		p = dot + 1;
	}
}

/* Start iterating over the members of obj (nothing if not an object). */
void
jv_iter_init(struct jv_iter *i, const struct jv *obj)
{
	i->obj = obj;
	i->it = obj != NULL ? json_object_iter(J(obj)) : NULL;
}

/* Give the next member in insertion order; 0 when there is none. */
int
jv_iter_next(struct jv_iter *i, const char **key, struct jv **value)
{
	if (i->it == NULL)
		return 0;
	*key = json_object_iter_key(i->it);
	*value = V(json_object_iter_value(i->it));
	i->it = json_object_iter_next(J(i->obj), i->it);
	return 1;
}

/* A new empty object. */
struct jv *
jv_new_object(void)
{
	jv_setup();
	return V(json_object());
}

/* A new empty array. */
struct jv *
jv_new_array(void)
{
	jv_setup();
	return V(json_array());
}

/* A new string; invalid UTF-8 becomes U+FFFD and NULL gives null. */
struct jv *
jv_new_string(const char *s)
{
	json_t *j;
	char *clean;

	jv_setup();
	if (s == NULL)
		return V(json_null());
	if ((clean = utf8_clean(s)) == NULL)
		return V(json_string(s));
	j = json_string(clean);
	free(clean);
	return V(j);
}

/* A new integer. */
struct jv *
jv_new_int(long long n)
{
	jv_setup();
	return V(json_integer((json_int_t)n));
}

/* A new real number; JSON has no NaN or infinity, so those become null. */
struct jv *
jv_new_real(double d)
{
	jv_setup();
	if (!isfinite(d))
		return V(json_null());
	return V(json_real(d));
}

/* A new boolean. */
struct jv *
jv_new_bool(int b)
{
	jv_setup();
	return V(json_boolean(b));
}

/* A new null. */
struct jv *
jv_new_null(void)
{
	jv_setup();
	return V(json_null());
}

/* A deep copy of v (NULL stays NULL). */
struct jv *
jv_copy(const struct jv *v)
{
	jv_setup();
	return v != NULL ? V(json_deep_copy(J(v))) : NULL;
}

/* Set obj[key], taking value; value is freed if obj is not an object. */
void
jv_set(struct jv *obj, const char *key, struct jv *value)
{
	char *clean;

	if (value == NULL)
		value = jv_new_null();
	if (obj == NULL || !json_is_object(J(obj))) {
		jv_free(value);
		return;
	}
	if ((clean = utf8_clean(key)) == NULL)
		json_object_set_new(J(obj), key, J(value));
	else {
		json_object_set_new(J(obj), clean, J(value));
		free(clean);
	}
}

/* Set obj[key] to a copy of s, or to null when s is NULL. */
void
jv_set_str(struct jv *obj, const char *key, const char *s)
{
	jv_set(obj, key, jv_new_string(s));
}

/* Append value to arr, taking it; value is freed if arr is not an array. */
void
jv_push(struct jv *arr, struct jv *value)
{
	if (value == NULL)
		value = jv_new_null();
	if (arr == NULL || !json_is_array(J(arr))) {
		jv_free(value);
		return;
	}
	json_array_append_new(J(arr), J(value));
}

/* Whether integer i and real d are the same number. */
static int
jv_int_real_equal(json_int_t i, double d)
{
	/* 2^63 itself is out of range for a long long. */
	if (d != floor(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0)
		return 0;
	return (json_int_t)d == i;
}

/*
 * Whether a and b are the same JSON value.  Numbers compare by value (1 and
 * 1.0 are equal, as in JSON Schema); objects compare regardless of order.
 */
int
jv_equal(const struct jv *a, const struct jv *b)
{
	json_t *x = J(a), *y = J(b), *yv;
	const char *key;
	json_t *xv;
	size_t i;

	if (x == NULL || y == NULL)
		return x == y;
	if (json_is_integer(x) && json_is_real(y))
		return jv_int_real_equal(json_integer_value(x), json_real_value(y));
	if (json_is_real(x) && json_is_integer(y))
		return jv_int_real_equal(json_integer_value(y), json_real_value(x));
	if (json_typeof(x) != json_typeof(y))
		return 0;
	switch (json_typeof(x)) {
	case JSON_ARRAY:
		if (json_array_size(x) != json_array_size(y))
			return 0;
		for (i = 0; i < json_array_size(x); i++) {
			if (!jv_equal(V(json_array_get(x, i)), V(json_array_get(y, i))))
				return 0;
		}
		return 1;
	case JSON_OBJECT:
		if (json_object_size(x) != json_object_size(y))
			return 0;
		json_object_foreach(x, key, xv)
		{
			if ((yv = json_object_get(y, key)) == NULL || !jv_equal(V(xv), V(yv)))
				return 0;
		}
		return 1;
	default:
		return json_equal(x, y);
	}
}

/* Serialize v as UTF-8 JSON without a trailing newline; caller frees. */
char *
jv_dump(const struct jv *v, int pretty)
{
	size_t flags = JSON_ENCODE_ANY | JSON_PRESERVE_ORDER;
	char *s;

	if (v == NULL)
		return xstrdup("null");
	flags |= pretty ? JSON_INDENT(2) : JSON_COMPACT;
	if ((s = json_dumps(J(v), flags)) == NULL)
		return xstrdup("null");
	return s;
}
