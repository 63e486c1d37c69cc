/*
 * jv: the project's JSON values (the only module that sees jansson).
 *
 * Contract: a struct jv * returned by jv_load_*, jv_parse or a jv_new_*
 * function is owned by the caller and freed with jv_free (NULL is fine).
 * Values returned by accessors (jv_get, jv_at, jv_iter_value) are borrowed
 * from their parent and live as long as it does.  jv_set and jv_push take
 * ownership of the value they are given.  Loaders reject duplicate keys,
 * files over the size limit and nesting deeper than JV_MAX_DEPTH; their
 * messages name the file, line and column.
 */
#ifndef OPTOUT_JV_H
#define OPTOUT_JV_H

#include <stddef.h>

#define JV_MAX_DEPTH 32

enum jv_type { JV_NULL, JV_BOOL, JV_INT, JV_REAL, JV_STRING, JV_ARRAY, JV_OBJECT };

struct jv;

struct jv *jv_load_file(const char *path, size_t max_bytes, char **cause);
/* Parse text; name is used in messages (a file name or "--data"). */
struct jv *jv_parse(const char *text, size_t len, const char *name, char **cause);
/*
 * Parse text whose very bytes already passed jv_parse and validation (a
 * vcache hit): the duplicate-key and nesting scans are not repeated.
 */
struct jv *jv_parse_checked(const char *text, size_t len, const char *name, char **cause);
void jv_free(struct jv *v);

enum jv_type jv_type(const struct jv *v);
/* The type's name as JSON Schema spells it: "null", "boolean", "integer", ... */
const char *jv_type_name(const struct jv *v);
const char *jv_str(const struct jv *v);      /* NULL unless a string */
size_t jv_str_len(const struct jv *v);
long long jv_int(const struct jv *v);         /* 0 unless an integer */
double jv_num(const struct jv *v);            /* integer or real */
int jv_bool(const struct jv *v);              /* 0 unless true */
int jv_is_true(const struct jv *v);           /* Mustache truthiness is the caller's */

size_t jv_len(const struct jv *v);            /* array or object size, else 0 */
struct jv *jv_at(const struct jv *v, size_t i);
struct jv *jv_get(const struct jv *v, const char *key);
/* Walk a dotted path "a.b.c" through objects. */
struct jv *jv_path(const struct jv *v, const char *dotted);

/* Object iteration in insertion order. */
struct jv_iter {
	void *it;
	const struct jv *obj;
};
void jv_iter_init(struct jv_iter *i, const struct jv *obj);
/* Returns 0 at the end. */
int jv_iter_next(struct jv_iter *i, const char **key, struct jv **value);

struct jv *jv_new_object(void);
struct jv *jv_new_array(void);
struct jv *jv_new_string(const char *s);
struct jv *jv_new_int(long long n);
struct jv *jv_new_real(double d);
struct jv *jv_new_bool(int b);
struct jv *jv_new_null(void);
struct jv *jv_copy(const struct jv *v);       /* deep copy */
void jv_set(struct jv *obj, const char *key, struct jv *value);
void jv_set_str(struct jv *obj, const char *key, const char *s); /* NULL s sets null */
void jv_push(struct jv *arr, struct jv *value);
/* Deep equality; numbers compare by value (1 equals 1.0), as in JSON Schema. */
int jv_equal(const struct jv *a, const struct jv *b);

/*
 * Serialize: pretty (2-space indent, keys in insertion order) or compact;
 * UTF-8, no trailing newline.  The caller frees the string with free().
 */
char *jv_dump(const struct jv *v, int pretty);

#endif
