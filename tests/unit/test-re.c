/* Unit tests for re: UTF-8 matching, invalid input, group spans, errors. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "optout/re.h"
#include "optout/util.h"

/* Compile a pattern that must compile. */
static struct re *
compile_ok(const char *pattern, int caseless)
{
	char *cause = NULL;
	struct re *re;

	re = re_compile(pattern, caseless, &cause);
	if (re == NULL)
		fail_msg("compile failed: %s", cause);
	assert_null(cause);
	return re;
}

/* Match against a whole C string. */
static int
match(const struct re *re, const char *s)
{
	return re_match(re, s, strlen(s));
}

/* Plain matches and non-matches; the search is unanchored. */
static void
test_basic(void **state)
{
	struct re *re = compile_ok("^[a-z0-9]+(-[a-z0-9]+)*$", 0);

	(void)state;
	assert_int_equal(match(re, "lexisnexis-risk"), 1);
	assert_int_equal(match(re, "Lexis"), 0);
	assert_int_equal(match(re, "a--b"), 0);
	assert_int_equal(match(re, ""), 0);
	re_free(re);

	re = compile_ok("b+", 0);
	assert_int_equal(match(re, "aaabbbccc"), 1);
	assert_int_equal(match(re, "aaaccc"), 0);
	/* Only len bytes are looked at. */
	assert_int_equal(re_match(re, "aaabbb", 3), 0);
	assert_int_equal(re_match(re, "aaabbb", 4), 1);
	/* A NULL subject is the empty string. */
	assert_int_equal(re_match(re, NULL, 0), 0);
	re_free(re);
	re_free(NULL);
}

/* Case folding works beyond ASCII; without caseless it does not apply. */
static void
test_utf8_caseless(void **state)
{
	struct re *re;

	(void)state;
	re = compile_ok("^élan$", 1);
	assert_int_equal(match(re, "ÉLAN"), 1);
	assert_int_equal(match(re, "Élan"), 1);
	assert_int_equal(match(re, "elan"), 0);
	re_free(re);

	re = compile_ok("^élan$", 0);
	assert_int_equal(match(re, "élan"), 1);
	assert_int_equal(match(re, "ÉLAN"), 0);
	re_free(re);

	re = compile_ok("nguyễn", 1);
	assert_int_equal(match(re, "Bà NGUYỄN Thị"), 1);
	re_free(re);

	/* "." is one character, not one byte. */
	re = compile_ok("^.{6}$", 0);
	assert_int_equal(match(re, "Nguyễn"), 1);
	re_free(re);

	/* With UCP, \w and \d know Unicode letters and digits. */
	re = compile_ok("^\\w+$", 0);
	assert_int_equal(match(re, "Thành"), 1);
	assert_int_equal(match(re, "Thành Văn"), 0);
	re_free(re);
	re = compile_ok("^\\d+$", 0);
	assert_int_equal(match(re, "\xd9\xa3\xd9\xa4"), 1); /* Arabic-Indic 3 4 */
	re_free(re);
}

/* Malformed UTF-8 in the subject never crashes nor errors: it just fails to match there. */
static void
test_invalid_utf8_subject(void **state)
{
	size_t start = 0, end = 0;
	struct re *re;

	(void)state;
	re = compile_ok("b", 0);
	assert_int_equal(match(re, "a\xff\xfe"
	                           "b"),
	    1);
	assert_int_equal(match(re, "\xc3"), 0);
	re_free(re);

	re = compile_ok("^ab$", 1);
	assert_int_equal(match(re, "ab\xff"), 0);
	assert_int_equal(match(re, "\xff"
	                           "ab"),
	    0);
	re_free(re);

	re = compile_ok(".", 0);
	assert_int_equal(match(re, "\xff\xfe\xc0\xaf"), 0);
	assert_int_equal(match(re, "\xff"
	                           "x"),
	    1);
	/* Truncated sequence at the very end of the given length. */
	assert_int_equal(re_match(re, "\xe1\xbb\x85", 2), 0);
	re_free(re);

	/* A surrogate encoded in UTF-8 is invalid; the span is still in bytes. */
	re = compile_ok("(x)", 0);
	assert_int_equal(re_match_group(re, "\xed\xa0\x80x", 4, 1, &start, &end), 1);
	assert_int_equal(start, 3);
	assert_int_equal(end, 4);
	re_free(re);
}

/* Group spans are byte offsets; an unused group gives SIZE_MAX. */
static void
test_group_spans(void **state)
{
	struct re *re;
	size_t start, end;

	(void)state;
	re = compile_ok("^([0-9]{4})-([0-9]{2})(?:-([0-9]{2}))?", 0);
	assert_int_equal(re_match_group(re, "2025-08-01", 10, 1, &start, &end), 1);
	assert_int_equal(start, 0);
	assert_int_equal(end, 4);
	assert_int_equal(re_match_group(re, "2025-08-01", 10, 2, &start, &end), 1);
	assert_int_equal(start, 5);
	assert_int_equal(end, 7);
	assert_int_equal(re_match_group(re, "2025-08-01", 10, 0, &start, &end), 1);
	assert_int_equal(start, 0);
	assert_int_equal(end, 10);
	assert_int_equal(re_match_group(re, "2025-08", 7, 3, &start, &end), 1);
	assert_true(start == SIZE_MAX && end == SIZE_MAX);
	/* No such group. */
	assert_int_equal(re_match_group(re, "2025-08", 7, 4, &start, &end), -1);
	assert_int_equal(re_match_group(re, "2025-08", 7, -1, &start, &end), -1);
	/* No match leaves the spans alone. */
	start = end = 77;
	assert_int_equal(re_match_group(re, "August", 6, 1, &start, &end), 0);
	assert_int_equal(start, 77);
	assert_int_equal(end, 77);
	re_free(re);

	/* Offsets count bytes of UTF-8. */
	re = compile_ok("(ễ)(n)", 0);
	assert_int_equal(re_match_group(re, "Nguyễn", strlen("Nguyễn"), 1, &start, &end), 1);
	assert_int_equal(start, 4);
	assert_int_equal(end, 7);
	assert_int_equal(re_match_group(re, "Nguyễn", strlen("Nguyễn"), 2, &start, &end), 1);
	assert_int_equal(start, 7);
	assert_int_equal(end, 8);
	re_free(re);
}

/* Compile errors say where and why. */
static void
test_compile_error(void **state)
{
	char *cause = NULL;

	(void)state;
	assert_null(re_compile("^a(b$", 0, &cause));
	assert_string_equal(cause, "pattern error at offset 5: missing closing parenthesis");
	free(cause);
	cause = NULL;
	assert_null(re_compile("[z-a]", 0, &cause));
	assert_string_equal(cause, "pattern error at offset 3: "
	                           "range out of order in character class");
	free(cause);
	cause = NULL;
	/* A pattern that is not valid UTF-8 is refused, not misread. */
	assert_null(re_compile("ab\xff", 0, &cause));
	assert_int_equal(strncmp(cause, "pattern error at offset 2: UTF-8 error", 38), 0);
	free(cause);
	cause = NULL;
	assert_null(re_compile(NULL, 0, &cause));
	assert_non_null(cause);
	free(cause);
}

/* re_test compiles, matches once and frees. */
static void
test_re_test(void **state)
{
	char *cause = NULL;

	(void)state;
	assert_int_equal(re_test("^https://", "https://example.com", &cause), 1);
	assert_int_equal(re_test("^https://", "http://example.com", &cause), 0);
	assert_null(cause);
	assert_int_equal(re_test("(", "x", &cause), -1);
	assert_string_equal(cause, "pattern error at offset 1: missing closing parenthesis");
	free(cause);
}

/*
 * re_test keeps what it compiled: the same pattern gives the same answers on
 * every call, and more distinct patterns than the cache holds still match
 * (each one compiled for its call) with the cached ones unchanged.
 */
static void
test_re_test_cache(void **state)
{
	char *cause = NULL, *pat, *yes, *no;
	int i, round;

	(void)state;
	for (round = 0; round < 2; round++)
		for (i = 0; i < 48; i++) {
			pat = xasprintf("^x%d-[a-c]+$", i);
			yes = xasprintf("x%d-abc", i);
			no = xasprintf("x%d-abd", i);
			assert_int_equal(re_test(pat, yes, &cause), 1);
			assert_int_equal(re_test(pat, no, &cause), 0);
			/* Another cached pattern must not answer for this one. */
			assert_int_equal(re_test("^x0-[a-c]+$", yes, &cause), i == 0);
			assert_null(cause);
			free(pat);
			free(yes);
			free(no);
		}
	assert_int_equal(re_test(NULL, "x", &cause), -1);
	assert_non_null(cause);
	free(cause);
}

/* Catastrophic backtracking stops at PCRE2's limit and is an error, not a hang. */
static void
test_match_limit(void **state)
{
	char *cause = NULL;
	struct buf b;
	struct re *re;
	int i;

	(void)state;
	buf_init(&b);
	for (i = 0; i < 40; i++)
		buf_addc(&b, 'a');
	buf_addc(&b, '!');
	re = compile_ok("^(a+)+$", 0);
	assert_int_equal(re_match(re, b.data, b.len), -1);
	re_free(re);
	assert_int_equal(re_test("^(a+)+$", b.data, &cause), -1);
	assert_non_null(strstr(cause, "match limit"));
	free(cause);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basic),
	    cmocka_unit_test(test_utf8_caseless),
	    cmocka_unit_test(test_invalid_utf8_subject),
	    cmocka_unit_test(test_group_spans),
	    cmocka_unit_test(test_compile_error),
	    cmocka_unit_test(test_re_test),
	    cmocka_unit_test(test_re_test_cache),
	    cmocka_unit_test(test_match_limit),
	};

	return cmocka_run_group_tests_name("re", tests, NULL, NULL);
}
