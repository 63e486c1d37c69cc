/*
 * Unit tests for the iCalendar writer: CRLF line ends, folding at 75 octets
 * without splitting a UTF-8 character, TEXT escaping, all-day dates.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "optout/ics.h"
#include "optout/util.h"

/* Every line ends in CRLF and none is longer than 75 octets. */
static void
test_lines(void **state)
{
	struct ics_event e = { "OPT-AAAA-BBBB-due@optout", date_from_ymd(2026, 12, 29),
		"optout OPT-AAAA-BBBB: example-cra's answer is due (access request)", NULL };
	char *s = ics_render(&e, 1, "20261206T120000Z"), *p, *q;

	(void)state;
	assert_non_null(strstr(s, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
	assert_non_null(strstr(s, "\r\nDTSTART;VALUE=DATE:20261229\r\n"));
	assert_non_null(strstr(s, "\r\nDTEND;VALUE=DATE:20261230\r\n"));
	assert_non_null(strstr(s, "\r\nDTSTAMP:20261206T120000Z\r\n"));
	assert_non_null(strstr(s, "\r\nUID:OPT-AAAA-BBBB-due@optout\r\n"));
	for (p = s; *p != '\0'; p = q + 2) {
		q = strstr(p, "\r\n");
		assert_non_null(q);
		assert_true(q - p <= 75);
	}
	assert_null(strstr(s, "\n\n"));
	free(s);
}

/* A long UTF-8 line folds on character boundaries, and unfolds to the original. */
static void
test_fold_utf8(void **state)
{
	const char *desc = "Client ñandú-ü. Überprüfung der Löschung; Antwort, bitte — "
	    "Straße für Straße, ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ.";
	struct ics_event e = { "x@optout", date_from_ymd(2027, 1, 5), "s", desc };
	char *s = ics_render(&e, 1, "20261206T120000Z"), *start, *end;
	struct buf b;
	size_t i;
	char *unfolded;

	(void)state;
	start = strstr(s, "DESCRIPTION:");
	assert_non_null(start);
	end = strstr(start, "\r\nTRANSP");
	assert_non_null(end);
	buf_init(&b);
	for (i = 0; start + i < end; i++) {
		if (start[i] == '\r' && start[i + 1] == '\n' && start[i + 2] == ' ') {
			/* A fold never leaves a continuation byte at the start of a line. */
			assert_int_not_equal((unsigned char)start[i + 3] & 0xC0, 0x80);
			i += 2;
			continue;
		}
		buf_addc(&b, start[i]);
	}
	unfolded = buf_detach(&b);
	assert_string_equal(unfolded, "DESCRIPTION:Client ñandú-ü. Überprüfung der Löschung\\; "
	    "Antwort\\, bitte — Straße für Straße\\, ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ.");
	free(unfolded);
	free(s);
}

/* Backslashes and newlines are escaped too. */
static void
test_escape(void **state)
{
	struct ics_event e = { "y@optout", date_from_ymd(2027, 2, 1), "a\\b\nc", NULL };
	char *s = ics_render(&e, 1, "20261206T120000Z");

	(void)state;
	assert_non_null(strstr(s, "\r\nSUMMARY:a\\\\b\\nc\r\n"));
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_fold_utf8),
		cmocka_unit_test(test_escape),
	};

	return cmocka_run_group_tests_name("ics", tests, NULL, NULL);
}
