/* Unit tests for date: parsing, formatting, months and business days. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "optout/date.h"

/* Parse a date that must be valid. */
static date_t
d(const char *s)
{
	date_t v;

	assert_int_equal(date_parse(s, &v), 0);
	return v;
}

/* Format a date as YYYY-MM-DD into a static buffer. */
static const char *
f(date_t v)
{
	static char out[11];

	date_format(v, out);
	return out;
}

/* Real calendar dates only; leap years by the Gregorian rule. */
static void
test_parse(void **state)
{
	date_t v;

	(void)state;
	assert_int_equal(d("1970-01-01"), 0);
	assert_int_equal(d("2026-11-22"), 20779);
	assert_int_equal(date_parse("1990-02-30", &v), -1);
	assert_int_equal(date_parse("2023-02-29", &v), -1);
	assert_int_equal(date_parse("2024-02-29", &v), 0);
	assert_int_equal(date_parse("1900-02-29", &v), -1);
	assert_int_equal(date_parse("2000-02-29", &v), 0);
	assert_int_equal(date_parse("2025-13-01", &v), -1);
	assert_int_equal(date_parse("2025-1-01", &v), -1);
	assert_int_equal(date_parse("2025-01-01x", &v), -1);
	assert_int_equal(date_parse_partial("2025", &v), 0);
	assert_string_equal(f(v), "2025-01-01");
	assert_int_equal(date_parse_partial("2024-05", &v), 0);
	assert_string_equal(f(v), "2024-05-01");
	assert_int_equal(date_parse_partial("2024-13", &v), -1);
}

/* Round trips over a long span, and the weekday of known dates. */
static void
test_roundtrip(void **state)
{
	char out[32];
	date_t v;

	(void)state;
	for (v = -800000; v < 800000; v += 997) {
		int y, m, day;

		date_to_ymd(v, &y, &m, &day);
		assert_int_equal(date_from_ymd(y, m, day), v);
	}
	assert_int_equal(date_weekday(d("2026-11-22")), 6); /* a Sunday */
	assert_int_equal(date_weekday(d("1970-01-01")), 3); /* a Thursday */
	date_format_long(d("2026-07-04"), out);
	assert_string_equal(out, "4 July 2026");
}

/* GDPR's "one month" lands on the same day, clamped to the month's end. */
static void
test_months(void **state)
{
	(void)state;
	assert_string_equal(f(date_add_months(d("2026-01-31"), 1)), "2026-02-28");
	assert_string_equal(f(date_add_months(d("2024-01-31"), 1)), "2024-02-29");
	assert_string_equal(f(date_add_months(d("2026-11-22"), 3)), "2027-02-22");
	assert_string_equal(f(date_add_months(d("2026-12-15"), 1)), "2027-01-15");
}

/* Business days skip weekends and holidays (CCPA opt-out: 15 business days). */
static void
test_business_days(void **state)
{
	date_t hol[3];

	(void)state;
	hol[0] = d("2026-11-26"); /* Thanksgiving */
	hol[1] = d("2026-12-25");
	hol[2] = d("2027-01-01");
	/* Friday + 1 business day = Monday. */
	assert_string_equal(f(date_add_business_days(d("2026-11-20"), 1, NULL, 0)), "2026-11-23");
	/* Sunday 22 Nov + 15 business days, Thanksgiving skipped: 14 Dec. */
	assert_string_equal(f(date_add_business_days(d("2026-11-22"), 15, hol, 3)), "2026-12-14");
	/* Without the holiday it would be 11 Dec. */
	assert_string_equal(f(date_add_business_days(d("2026-11-22"), 15, NULL, 0)), "2026-12-11");
	/* Over Christmas and New Year: Wed 23 Dec + 3 = Tue 29 Dec; + 6 = Mon 4 Jan. */
	assert_string_equal(f(date_add_business_days(d("2026-12-23"), 3, hol, 3)), "2026-12-29");
	assert_string_equal(f(date_add_business_days(d("2026-12-23"), 6, hol, 3)), "2027-01-04");
	assert_false(date_is_business_day(d("2026-11-26"), hol, 3));
	assert_false(date_is_business_day(d("2026-11-28"), hol, 3));
	assert_true(date_is_business_day(d("2026-11-27"), hol, 3));
}

/* $OPTOUT_TODAY pins today for reproducible letters and tests. */
static void
test_today(void **state)
{
	(void)state;
	setenv("OPTOUT_TODAY", "2026-03-01", 1);
	assert_string_equal(f(date_today()), "2026-03-01");
	setenv("OPTOUT_TODAY", "not-a-date", 1);
	assert_true(date_today() > d("2026-01-01"));
	unsetenv("OPTOUT_TODAY");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_months),
		cmocka_unit_test(test_business_days),
		cmocka_unit_test(test_today),
	};

	return cmocka_run_group_tests_name("date", tests, NULL, NULL);
}
