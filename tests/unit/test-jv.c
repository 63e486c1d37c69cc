/* Unit tests for jv: parsing limits, messages, accessors, ownership, dumping. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <dirent.h>

#include "optout/jv.h"
#include "optout/util.h"

/* Parse a C string, failing the test if it does not parse. */
static struct jv *
parse_ok(const char *text)
{
	char *cause = NULL;
	struct jv *v;

	v = jv_parse(text, strlen(text), "t.json", &cause);
	if (v == NULL)
		fail_msg("parse failed: %s", cause);
	assert_null(cause);
	return v;
}

/* Parse a C string that must fail, returning the message. */
static char *
parse_fail(const char *text)
{
	char *cause = NULL;
	struct jv *v;

	v = jv_parse(text, strlen(text), "t.json", &cause);
	assert_null(v);
	assert_non_null(cause);
	return cause;
}

/* Build text of n nested arrays around a number. */
static char *
nested_arrays(int n)
{
	struct buf b;
	int i;

	buf_init(&b);
	for (i = 0; i < n; i++)
		buf_addc(&b, '[');
	buf_addc(&b, '1');
	for (i = 0; i < n; i++)
		buf_addc(&b, ']');
	return buf_detach(&b);
}

/* Write text to a new temporary file and return its name. */
static char *
temp_file(const char *text, size_t len)
{
	char *path = xstrdup("/tmp/test-jv.XXXXXX");
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

/* Types, type names and scalar accessors. */
static void
test_types(void **state)
{
	struct jv *v = parse_ok("{\"s\": \"x\", \"i\": -42, \"r\": 2.5, \"t\": true, "
	                        "\"f\": false, \"n\": null, \"a\": [1, 2, 3], \"o\": {}}");

	(void)state;
	assert_int_equal(jv_type(v), JV_OBJECT);
	assert_int_equal(jv_type(jv_get(v, "s")), JV_STRING);
	assert_int_equal(jv_type(jv_get(v, "i")), JV_INT);
	assert_int_equal(jv_type(jv_get(v, "r")), JV_REAL);
	assert_int_equal(jv_type(jv_get(v, "t")), JV_BOOL);
	assert_int_equal(jv_type(jv_get(v, "n")), JV_NULL);
	assert_int_equal(jv_type(jv_get(v, "a")), JV_ARRAY);
	assert_string_equal(jv_type_name(jv_get(v, "s")), "string");
	assert_string_equal(jv_type_name(jv_get(v, "i")), "integer");
	assert_string_equal(jv_type_name(jv_get(v, "r")), "number");
	assert_string_equal(jv_type_name(jv_get(v, "t")), "boolean");
	assert_string_equal(jv_type_name(jv_get(v, "n")), "null");
	assert_string_equal(jv_type_name(jv_get(v, "a")), "array");
	assert_string_equal(jv_type_name(jv_get(v, "o")), "object");

	assert_string_equal(jv_str(jv_get(v, "s")), "x");
	assert_int_equal(jv_str_len(jv_get(v, "s")), 1);
	assert_null(jv_str(jv_get(v, "i")));
	assert_int_equal(jv_int(jv_get(v, "i")), -42);
	assert_int_equal(jv_int(jv_get(v, "r")), 0);
	assert_true(jv_num(jv_get(v, "r")) == 2.5);
	assert_true(jv_num(jv_get(v, "i")) == -42.0);
	assert_true(jv_bool(jv_get(v, "t")));
	assert_false(jv_bool(jv_get(v, "f")));
	assert_false(jv_bool(jv_get(v, "i")));
	assert_true(jv_is_true(jv_get(v, "i")));
	assert_true(jv_is_true(jv_get(v, "o")));
	assert_false(jv_is_true(jv_get(v, "f")));
	assert_false(jv_is_true(jv_get(v, "n")));
	assert_false(jv_is_true(jv_get(v, "missing")));

	assert_int_equal(jv_len(v), 8);
	assert_int_equal(jv_len(jv_get(v, "a")), 3);
	assert_int_equal(jv_len(jv_get(v, "s")), 0);
	assert_int_equal(jv_int(jv_at(jv_get(v, "a"), 2)), 3);
	assert_null(jv_at(jv_get(v, "a"), 3));
	assert_null(jv_get(jv_get(v, "a"), "x"));
	assert_null(jv_get(NULL, "x"));
	jv_free(v);
}

/* Duplicate keys are refused, and the message gives file, line and column. */
static void
test_duplicate_keys(void **state)
{
	char *cause;

	(void)state;
	cause = parse_fail("{\n  \"name\": \"a\",\n  \"id\": 1,\n  \"name\": \"b\"\n}");
	assert_non_null(strstr(cause, "t.json:4:"));
	assert_non_null(strstr(cause, "duplicate object key"));
	free(cause);
	/* Nested objects too. */
	cause = parse_fail("{\"a\": {\"x\": 1,\n\"x\": 2}}");
	assert_int_equal(strncmp(cause, "t.json:2:", 9), 0);
	free(cause);
}

/* Syntax errors are reported as NAME:LINE:COL: what. */
static void
test_syntax_error(void **state)
{
	char *cause;

	(void)state;
	cause = parse_fail("[1,\n2,\n3");
	assert_string_equal(cause, "t.json:3:1: ']' expected near end of file");
	free(cause);
	cause = parse_fail("{\"a\": 1} x");
	assert_string_equal(cause, "t.json:1:10: end of file expected");
	free(cause);
	/* Invalid UTF-8 and NUL characters are refused. */
	cause = parse_fail("[\"ok\xff\"]");
	assert_non_null(strstr(cause, "unable to decode byte 0xff"));
	free(cause);
	cause = parse_fail("[\"\\u0000\"]");
	assert_non_null(strstr(cause, "\\u0000 is not allowed"));
	assert_null(strstr(cause, "JSON_ALLOW_NUL"));
	free(cause);
}

/* Messages never quote the file's content: the line and column say where. */
static void
test_token_truncated(void **state)
{
	char *cause;

	(void)state;
	cause = parse_fail("{\"name\": \"Nguyễn Văn Thành Secretname Longer\" 1}");
	assert_string_equal(cause, "t.json:1:47: '}' expected");
	free(cause);
	cause = parse_fail("[\"Nguyễn Văn Thành Secretname Longer\xff\"]");
	assert_null(strstr(cause, "Secretname"));
	assert_null(strstr(cause, "Nguy"));
	assert_non_null(strstr(cause, "unable to decode byte 0xff"));
	free(cause);
	cause = parse_fail("[\"Ab\xff\"]");
	assert_string_equal(cause, "t.json:1:4: unable to decode byte 0xff");
	free(cause);
}

/* Nesting up to JV_MAX_DEPTH is fine; one more level is refused with a position. */
static void
test_depth_limit(void **state)
{
	struct jv *v;
	char *text, *cause, *expect;

	(void)state;
	text = nested_arrays(JV_MAX_DEPTH);
	v = parse_ok(text);
	assert_int_equal(jv_type(v), JV_ARRAY);
	jv_free(v);
	free(text);

	text = nested_arrays(JV_MAX_DEPTH + 1);
	cause = parse_fail(text);
	expect =
	    xasprintf("t.json:1:%d: nested deeper than %d levels", JV_MAX_DEPTH + 1, JV_MAX_DEPTH);
	assert_string_equal(cause, expect);
	free(expect);
	free(cause);
	free(text);

	/* Brackets inside strings do not count. */
	v = parse_ok("{\"a\": \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[\"}");
	jv_free(v);

	/* The position is found across lines and objects. */
	cause =
	    parse_fail("{\"a\":\n"
	               "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{\"b\": 1}]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}");
	assert_string_equal(cause, "t.json:2:32: nested deeper than 32 levels");
	free(cause);
}

/* Files: the size limit, a missing file, and a good file. */
static void
test_load_file(void **state)
{
	const char *text = "{\"id\": \"x\", \"n\": [1, 2]}\n";
	struct jv *v;
	char *path, *want, *cause = NULL;

	(void)state;
	path = temp_file(text, strlen(text));
	v = jv_load_file(path, 1024, &cause);
	assert_non_null(v);
	assert_string_equal(jv_str(jv_get(v, "id")), "x");
	jv_free(v);

	v = jv_load_file(path, 10, &cause);
	assert_null(v);
	assert_non_null(cause);
	assert_int_equal(strncmp(cause, path, strlen(path)), 0);
	assert_non_null(strstr(cause, "larger than 10 bytes"));
	free(cause);
	cause = NULL;

	/* Exactly at the limit is allowed. */
	v = jv_load_file(path, strlen(text), &cause);
	assert_non_null(v);
	jv_free(v);
	unlink(path);

	v = jv_load_file(path, 1024, &cause);
	assert_null(v);
	assert_non_null(strstr(cause, "No such file"));
	free(cause);
	free(path);

	/* Errors in a file name the file. */
	path = temp_file("{\n\"a\": 1,\n\"a\": 2}", 17);
	cause = NULL;
	v = jv_load_file(path, 1024, &cause);
	assert_null(v);
	want = xasprintf("%s:3:3: duplicate object key", path);
	assert_int_equal(strncmp(cause, want, strlen(want)), 0);
	free(want);
	free(cause);
	unlink(path);
	free(path);
}

/* jv_parse_checked gives exactly what jv_parse gives for text. */
static void
assert_same_parse(const char *text, size_t len, const char *name)
{
	char *c1 = NULL, *c2 = NULL, *d1, *d2;
	struct jv *a = jv_parse(text, len, name, &c1), *b = jv_parse_checked(text, len, name, &c2);

	if (a == NULL) {
		if (b != NULL)
			fail_msg("%s: jv_parse_checked accepted what jv_parse refuses", name);
		assert_string_equal(c1, c2);
		free(c1);
		free(c2);
		return;
	}
	if (b == NULL)
		fail_msg("%s: jv_parse_checked failed: %s", name, c2);
	d1 = jv_dump(a, 0);
	d2 = jv_dump(b, 0);
	if (strcmp(d1, d2) != 0)
		fail_msg("%s: jv_parse_checked differs:\n%s\n%s", name, d1, d2);
	/* Integers stay integers and reals reals, as jansson reads them. */
	assert_int_equal(jv_type(a), jv_type(b));
	free(d1);
	free(d2);
	jv_free(a);
	jv_free(b);
}

/* Every JSON file in a folder parses the same both ways; gives how many were read. */
static size_t
same_parse_dir(const char *dir)
{
	char **names = NULL;
	size_t n = 0, i;
	DIR *d = opendir(dir);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (str_ends_with(e->d_name, ".json")) {
			names = xreallocarray(names, n + 1, sizeof *names);
			names[n++] = path_join(dir, e->d_name);
		}
	closedir(d);
	for (i = 0; i < n; i++) {
		char *text, *cause = NULL;
		size_t len;

		assert_int_equal(read_file(names[i], 1 << 22, &text, &len, &cause), 0);
		assert_same_parse(text, len, names[i]);
		free(text);
		free(names[i]);
	}
	free(names);
	return n;
}

/*
 * The fast reader behind jv_parse_checked (validation cache hits) builds the
 * same values as jansson: escapes, surrogate pairs, numbers, nesting, the
 * shipped registry and laws; and whatever it cannot read goes to jansson.
 */
static void
test_parse_checked(void **state)
{
	static const char *texts[] = {
		"{}", "[]", " [ ] ", "\"x\"", "0", "-0", "12", "-7", "1.5", "-2.5e3", "1E2",
		"true", "false", "null", "[1, 2.0, \"3\", [4], {\"5\": 6}]",
		"{\"a\": \"caf\u00e9 \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t\"}",
		"{\"k\\u00e9y\": \"\\u00e9\\u4e2d\\ud83d\\ude00\", \"n\": 1}",
		"{\"Nguy\u1ec5n\": [\"\u0110\u1eb7ng\"], \"e\": \"\"}",
		"{\"a\": {\"b\": {\"c\": [[[]]]}}}",
		/* Each of these is an error, reported as jansson reports it. */
		"", "{", "[1,]", "{\"a\" 1}", "{\"a\": 1,}", "\"\\x\"", "\"\\u00zz\"",
		"\"\\ud83d\"", "\"\\u0000\"", "[1] x", "tru", "99999999999999999999",
		"{\"a\": 1, \"a\": 2}", "\"a\nb\"", "01x", "[\"\\udc00\"]",
	};
	char *dir;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof texts / sizeof texts[0]; i++)
		assert_same_parse(texts[i], strlen(texts[i]), texts[i]);
	dir = path_join(data_dir(), "brokers");
	assert_true(same_parse_dir(dir) > 10);
	free(dir);
	dir = path_join(data_dir(), "brokers/imported");
	assert_true(same_parse_dir(dir) > 100);
	free(dir);
	dir = path_join(data_dir(), "letters");
	assert_true(same_parse_dir(dir) >= 1);
	free(dir);
}

/* Pretty and compact dumps keep order and UTF-8, and parse back equal. */
static void
test_dump_round_trip(void **state)
{
	struct jv *v, *back;
	char *s;

	(void)state;
	v = jv_new_object();
	jv_set_str(v, "name", "Nguyễn");
	jv_set(v, "age", jv_new_int(41));
	jv_set(v, "tags", jv_new_array());
	jv_push(jv_get(v, "tags"), jv_new_string("a\"b"));
	jv_push(jv_get(v, "tags"), jv_new_bool(0));
	jv_set(v, "none", jv_new_null());
	jv_set(v, "half", jv_new_real(0.5));

	s = jv_dump(v, 1);
	assert_string_equal(s, "{\n"
	                       "  \"name\": \"Nguyễn\",\n"
	                       "  \"age\": 41,\n"
	                       "  \"tags\": [\n"
	                       "    \"a\\\"b\",\n"
	                       "    false\n"
	                       "  ],\n"
	                       "  \"none\": null,\n"
	                       "  \"half\": 0.5\n"
	                       "}");
	back = parse_ok(s);
	assert_true(jv_equal(v, back));
	assert_string_equal(jv_str(jv_get(back, "name")), "Nguyễn");
	assert_int_equal(jv_str_len(jv_get(back, "name")), strlen("Nguyễn"));
	jv_free(back);
	free(s);

	s = jv_dump(v, 0);
	assert_string_equal(s, "{\"name\":\"Nguyễn\",\"age\":41,\"tags\":[\"a\\\"b\",false],"
	                       "\"none\":null,\"half\":0.5}");
	free(s);

	/* Scalars dump too. */
	s = jv_dump(jv_get(v, "age"), 0);
	assert_string_equal(s, "41");
	free(s);
	s = jv_dump(NULL, 0);
	assert_string_equal(s, "null");
	free(s);
	jv_free(v);
}

/* Iteration follows insertion order, for parsed and built objects. */
static void
test_iteration_order(void **state)
{
	const char *want[] = {"zeta", "alpha", "mu", "beta"};
	struct jv_iter it;
	struct jv *v, *value;
	const char *key;
	size_t i;

	(void)state;
	v = parse_ok("{\"zeta\": 0, \"alpha\": 1, \"mu\": 2, \"beta\": 3}");
	jv_iter_init(&it, v);
	for (i = 0; jv_iter_next(&it, &key, &value); i++) {
		assert_true(i < 4);
		assert_string_equal(key, want[i]);
		assert_int_equal(jv_int(value), (long long)i);
	}
	assert_int_equal(i, 4);
	jv_free(v);

	v = jv_new_object();
	for (i = 0; i < 4; i++)
		jv_set(v, want[i], jv_new_int((long long)i));
	/* Replacing a value keeps its place. */
	jv_set(v, "alpha", jv_new_int(10));
	jv_iter_init(&it, v);
	for (i = 0; jv_iter_next(&it, &key, &value); i++)
		assert_string_equal(key, want[i]);
	assert_int_equal(i, 4);
	assert_int_equal(jv_int(jv_get(v, "alpha")), 10);
	jv_free(v);

	/* Not an object: nothing to iterate. */
	v = parse_ok("[1, 2]");
	jv_iter_init(&it, v);
	assert_int_equal(jv_iter_next(&it, &key, &value), 0);
	jv_free(v);
}

/* Dotted paths walk objects only. */
static void
test_path(void **state)
{
	struct jv *v = parse_ok("{\"a\": {\"b\": {\"c\": \"deep\"}, \"l\": [1]}, \"x\": 1}");

	(void)state;
	assert_string_equal(jv_str(jv_path(v, "a.b.c")), "deep");
	assert_int_equal(jv_type(jv_path(v, "a.b")), JV_OBJECT);
	assert_int_equal(jv_int(jv_path(v, "x")), 1);
	assert_ptr_equal(jv_path(v, ""), v);
	assert_null(jv_path(v, "a.b.c.d"));
	assert_null(jv_path(v, "a.nope"));
	assert_null(jv_path(v, "a..b"));
	assert_null(jv_path(v, "a.b."));
	assert_null(jv_path(v, "a.l.0"));
	assert_null(jv_path(NULL, "a"));
	jv_free(v);
}

/* Equality: deep, order-free for objects, numbers by value. */
static void
test_equal(void **state)
{
	struct jv *a, *b;

	(void)state;
	a = parse_ok("{\"x\": [1, {\"y\": null}], \"z\": \"s\"}");
	b = parse_ok("{\"z\": \"s\", \"x\": [1.0, {\"y\": null}]}");
	assert_true(jv_equal(a, b));
	jv_free(b);
	b = parse_ok("{\"z\": \"s\", \"x\": [1, {\"y\": false}]}");
	assert_false(jv_equal(a, b));
	jv_free(b);
	b = parse_ok("{\"z\": \"s\", \"x\": [1, {\"y\": null}], \"extra\": 0}");
	assert_false(jv_equal(a, b));
	jv_free(b);
	b = parse_ok("{\"z\": \"s\", \"x\": [1.5, {\"y\": null}]}");
	assert_false(jv_equal(a, b));
	jv_free(b);
	jv_free(a);

	a = jv_new_bool(1);
	b = jv_new_int(1);
	assert_false(jv_equal(a, b));
	jv_free(a);
	jv_free(b);
	a = jv_new_real(1e300);
	b = jv_new_int(1);
	assert_false(jv_equal(a, b));
	jv_free(a);
	jv_free(b);
	assert_true(jv_equal(NULL, NULL));
}

/* Owned, borrowed and stolen values: ASan reports any leak or double free. */
static void
test_ownership(void **state)
{
	struct jv *root, *child, *copy;

	(void)state;
	root = jv_new_object();
	child = jv_new_object();
	jv_set_str(child, "city", "Oakland");
	jv_set(root, "address", child); /* root now owns child */
	assert_ptr_equal(jv_get(root, "address"), child);

	copy = jv_copy(root);
	assert_true(jv_equal(root, copy));
	jv_set_str(jv_get(copy, "address"), "city", "Fresno");
	assert_string_equal(jv_str(jv_path(root, "address.city")), "Oakland");
	assert_string_equal(jv_str(jv_path(copy, "address.city")), "Fresno");
	assert_false(jv_equal(root, copy));

	/* Replacing a member frees the old value. */
	jv_set(root, "address", jv_new_string("none"));
	assert_string_equal(jv_str(jv_get(root, "address")), "none");
	/* A NULL string sets null. */
	jv_set_str(root, "unknown", NULL);
	assert_int_equal(jv_type(jv_get(root, "unknown")), JV_NULL);
	assert_non_null(jv_get(root, "unknown"));
	/* Giving a value to a non-container frees it rather than leaking. */
	jv_push(root, jv_new_string("lost"));
	jv_set(jv_get(root, "address"), "k", jv_new_string("lost"));
	assert_int_equal(jv_len(root), 2);
	jv_free(copy);
	jv_free(root);
	jv_free(NULL);
}

/* Invalid UTF-8 given to constructors becomes U+FFFD instead of failing. */
static void
test_invalid_utf8_strings(void **state)
{
	struct jv *s, *o;
	char *dump;

	(void)state;
	s = jv_new_string("ab\xff"
	                  "c\xc3");
	assert_non_null(s);
	assert_string_equal(jv_str(s), "ab\xef\xbf\xbd"
	                               "c\xef\xbf\xbd");
	jv_free(s);
	/* Overlong encodings and surrogates are invalid too. */
	s = jv_new_string("\xc0\xaf\xed\xa0\x80");
	assert_int_equal(jv_str_len(s), 15);
	jv_free(s);
	o = jv_new_object();
	jv_set_str(o, "k\xfe", "v");
	dump = jv_dump(o, 0);
	assert_string_equal(dump, "{\"k\xef\xbf\xbd\":\"v\"}");
	free(dump);
	jv_free(o);
	/* Numbers JSON cannot hold become null. */
	s = jv_new_real(1.0 / 0.0);
	assert_int_equal(jv_type(s), JV_NULL);
	jv_free(s);
}

/* Any value may be at the top, as jq and "--data" need. */
static void
test_scalars(void **state)
{
	struct jv *v;

	(void)state;
	v = parse_ok("\"only\"");
	assert_string_equal(jv_str(v), "only");
	jv_free(v);
	v = parse_ok(" 12 ");
	assert_int_equal(jv_int(v), 12);
	jv_free(v);
	v = jv_new_int(-9223372036854775807LL - 1);
	assert_int_equal(jv_int(v), -9223372036854775807LL - 1);
	jv_free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_types),
	    cmocka_unit_test(test_duplicate_keys),
	    cmocka_unit_test(test_parse_checked),
	    cmocka_unit_test(test_syntax_error),
	    cmocka_unit_test(test_token_truncated),
	    cmocka_unit_test(test_depth_limit),
	    cmocka_unit_test(test_load_file),
	    cmocka_unit_test(test_dump_round_trip),
	    cmocka_unit_test(test_iteration_order),
	    cmocka_unit_test(test_path),
	    cmocka_unit_test(test_equal),
	    cmocka_unit_test(test_ownership),
	    cmocka_unit_test(test_invalid_utf8_strings),
	    cmocka_unit_test(test_scalars),
	};

	return cmocka_run_group_tests_name("jv", tests, NULL, NULL);
}
