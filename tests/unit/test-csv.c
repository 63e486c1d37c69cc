/* Unit tests for csv: BOM, CRLF, quoting, line numbers, bad rows and limits. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "optout/csv.h"
#include "optout/util.h"

/* Write data to a fresh temporary file and return its path. */
static char *
temp_csv(const char *data, size_t len)
{
	char *path = xstrdup("/tmp/optout-csv-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

/* Open a CSV given as a string. */
static struct csv_reader *
open_str(const char *data, char **path, char **cause)
{
	*path = temp_csv(data, strlen(data));
	return csv_open(*path, cause);
}

/* A byte-order mark, CRLF line ends, quoted commas and doubled quotes. */
static void
test_excel_style(void **state)
{
	char *path, *cause = NULL;
	struct csv_reader *r = open_str("\xEF\xBB\xBFLabel, Given ,Family\r\n"
					"c1,José,\"Núñez, Peña\"\r\n"
					"c2,\"Say \"\"hi\"\"\",X\r\n",
	    &path, &cause);
	struct csv_record rec;
	size_t ncols;
	const char *const *h;

	(void)state;
	assert_non_null(r);
	h = csv_header(r, &ncols);
	assert_int_equal(ncols, 3);
	assert_string_equal(h[0], "label"); /* the BOM is gone, names trimmed and lowered */
	assert_string_equal(h[1], "given");
	assert_int_equal(csv_column(r, "family"), 2);
	assert_int_equal(csv_column(r, "dob"), -1);
	assert_int_equal(csv_next(r, &rec, &cause), 1);
	assert_true(rec.ok);
	assert_int_equal(rec.line, 2);
	assert_string_equal(rec.fields[1], "José");
	assert_string_equal(rec.fields[2], "Núñez, Peña");
	assert_int_equal(csv_next(r, &rec, &cause), 1);
	assert_string_equal(rec.fields[1], "Say \"hi\"");
	assert_int_equal(rec.line, 3);
	assert_int_equal(csv_next(r, &rec, &cause), 0);
	csv_close(r);
	unlink(path);
	free(path);
}

/* Line breaks inside quotes, blank lines, a missing final newline: line numbers stay right. */
static void
test_multiline(void **state)
{
	char *path, *cause = NULL;
	struct csv_reader *r = open_str("a,b\n1,\"two\nlines\"\n\n3,4", &path, &cause);
	struct csv_record rec;

	(void)state;
	assert_non_null(r);
	assert_int_equal(csv_next(r, &rec, &cause), 1);
	assert_string_equal(rec.fields[1], "two\nlines");
	assert_int_equal(rec.line, 2);
	assert_int_equal(csv_next(r, &rec, &cause), 1);
	assert_int_equal(rec.line, 5);
	assert_string_equal(rec.fields[0], "3");
	assert_string_equal(rec.fields[1], "4");
	assert_int_equal(csv_next(r, &rec, &cause), 0);
	csv_close(r);
	unlink(path);
	free(path);
}

/* A row with missing or extra columns is reported with its line, and reading goes on. */
static void
test_bad_rows(void **state)
{
	char *path, *cause = NULL;
	struct csv_reader *r = open_str("a,b,c\n1,2\n1,2,3,4\n5,6,7\n", &path, &cause);
	struct csv_record rec;

	(void)state;
	assert_int_equal(csv_next(r, &rec, &cause), 1);
	assert_false(rec.ok);
	assert_non_null(strstr(rec.problem, ":2: expected 3 columns as in the header, found 2"));
	assert_int_equal(csv_next(r, &rec, &cause), 1);
	assert_false(rec.ok);
	assert_non_null(strstr(rec.problem, ":3: expected 3 columns as in the header, found 4"));
	assert_int_equal(csv_next(r, &rec, &cause), 1);
	assert_true(rec.ok);
	assert_string_equal(rec.fields[2], "7");
	csv_close(r);
	unlink(path);
	free(path);
}

/* Errors that end the file name it and the line, never the contents. */
static void
test_fatal(void **state)
{
	char *path, *cause = NULL;
	struct csv_reader *r;
	struct csv_record rec;

	(void)state;
	r = open_str("a,b\n1,\"secret value\n2,3\n", &path, &cause);
	assert_non_null(r);
	assert_int_equal(csv_next(r, &rec, &cause), -1);
	assert_non_null(strstr(cause, ":2: a quoted field is not closed"));
	assert_null(strstr(cause, "secret"));
	free(cause);
	csv_close(r);
	unlink(path);
	free(path);

	r = open_str("a,b,A\n", &path, &cause);
	assert_null(r);
	assert_non_null(strstr(cause, "column \"a\" appears twice"));
	free(cause);
	unlink(path);
	free(path);

	r = open_str("", &path, &cause);
	assert_null(r);
	assert_non_null(strstr(cause, "the file is empty"));
	free(cause);
	unlink(path);
	free(path);

	r = csv_open("/nonexistent/clients.csv", &cause);
	assert_null(r);
	assert_non_null(strstr(cause, "/nonexistent/clients.csv"));
	free(cause);
}

/* A field over the size limit ends the file with a message. */
static void
test_limit(void **state)
{
	size_t n = 70 * 1024;
	char *data = xmalloc(n + 10), *path, *cause = NULL;
	struct csv_reader *r;
	struct csv_record rec;

	(void)state;
	memcpy(data, "a\n", 2);
	memset(data + 2, 'x', n);
	data[n + 2] = '\n';
	path = temp_csv(data, n + 3);
	r = csv_open(path, &cause);
	assert_non_null(r);
	assert_int_equal(csv_next(r, &rec, &cause), -1);
	assert_non_null(strstr(cause, "longer than"));
	free(cause);
	csv_close(r);
	unlink(path);
	free(path);
	free(data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_excel_style),
		cmocka_unit_test(test_multiline),
		cmocka_unit_test(test_bad_rows),
		cmocka_unit_test(test_fatal),
		cmocka_unit_test(test_limit),
	};

	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
