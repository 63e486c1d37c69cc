/* Unit tests for util: buffers, lists, folding and atomic writes. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "optout/util.h"

/* A fresh private directory for a test. */
static char *
temp_dir(void)
{
	char *d = xstrdup("/tmp/optout-util-XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

/* Count directory entries other than . and .. */
static int
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* Buffers grow, format and detach. */
static void
test_buf(void **state)
{
	struct buf b;
	char *s;
	int i;

	(void)state;
	buf_init(&b);
	for (i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	assert_int_equal(b.len, strlen(b.data));
	assert_memory_equal(b.data, "0,1,2,", 6);
	assert_string_equal(b.data + b.len - 4, "999,");
	buf_addc(&b, 'x');
	buf_adds(&b, "yz");
	s = buf_detach(&b);
	assert_string_equal(s + strlen(s) - 3, "xyz");
	assert_null(b.data);
	free(s);
	s = buf_detach(&b);
	assert_string_equal(s, "");
	free(s);
}

/* Comma lists are trimmed and skip empty items. */
static void
test_split(void **state)
{
	size_t n;
	char **l = str_split_list(" ssn, dob ,,email ", &n);

	(void)state;
	assert_int_equal(n, 3);
	assert_string_equal(l[0], "ssn");
	assert_string_equal(l[1], "dob");
	assert_string_equal(l[2], "email");
	assert_null(l[3]);
	str_list_free(l);
	l = str_split_list("", &n);
	assert_int_equal(n, 0);
	assert_null(l[0]);
	str_list_free(l);
}

/* Folding drops case and Latin diacritics, Vietnamese included, and keeps other scripts. */
static void
test_fold(void **state)
{
	char *s;

	(void)state;
	s = str_fold("José NÚÑEZ Peña");
	assert_string_equal(s, "jose nunez pena");
	free(s);
	s = str_fold("Nguyễn Văn Ánh Đức");
	assert_string_equal(s, "nguyen van anh duc");
	free(s);
	s = str_fold("Łódź Straße");
	assert_string_equal(s, "lodz strasse");
	free(s);
	s = str_fold("Мария");
	assert_string_equal(s, "Мария");
	free(s);
}

/* An atomic write replaces the file and leaves no temp file behind. */
static void
test_write_atomic(void **state)
{
	char *dir = temp_dir(), *path = path_join(dir, "f.txt"), *cause = NULL, *data;
	size_t len;
	struct stat st;

	(void)state;
	assert_int_equal(write_file_atomic(path, "one", 3, 0600, &cause), 0);
	assert_int_equal(write_file_atomic(path, "second", 6, 0600, &cause), 0);
	assert_int_equal(read_file(path, 100, &data, &len, &cause), 0);
	assert_int_equal(len, 6);
	assert_string_equal(data, "second");
	free(data);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(count_entries(dir), 1);
	/* A file over the limit is refused with its name. */
	assert_int_equal(read_file(path, 3, &data, &len, &cause), -1);
	assert_non_null(strstr(cause, "f.txt: file is larger than 3 bytes"));
	free(cause);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

/* A failed write names the file and leaves the old content alone. */
static void
test_write_atomic_fails(void **state)
{
	char *cause = NULL;

	(void)state;
	assert_int_equal(write_file_atomic("/nonexistent-dir/x", "a", 1, 0600, &cause), -1);
	assert_non_null(strstr(cause, "/nonexistent-dir/x"));
	free(cause);
}

/* make_dirs creates parents and accepts an existing directory. */
static void
test_make_dirs(void **state)
{
	char *dir = temp_dir(), *deep = xasprintf("%s/a/b/c", dir), *cause = NULL, *cmd;
	struct stat st;

	(void)state;
	assert_int_equal(make_dirs(deep, 0700, &cause), 0);
	assert_int_equal(make_dirs(deep, 0700, &cause), 0);
	assert_int_equal(stat(deep, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(deep);
	free(dir);
}

/* Paths join with exactly one slash. */
static void
test_path_join(void **state)
{
	char *p;

	(void)state;
	p = path_join("a/", "b");
	assert_string_equal(p, "a/b");
	free(p);
	p = path_join("a", "b");
	assert_string_equal(p, "a/b");
	free(p);
	p = path_dirname("a/b/c");
	assert_string_equal(p, "a/b");
	free(p);
	p = path_dirname("out/");
	assert_string_equal(p, ".");
	free(p);
	p = path_dirname("/out");
	assert_string_equal(p, "/");
	free(p);
	p = path_dirname("x");
	assert_string_equal(p, ".");
	free(p);
	assert_true(str_ends_with("x.json", ".json"));
	assert_false(str_ends_with("json", ".json"));
	assert_false(str_ends_with("x.JSON", ".json"));
	assert_true(str_ends_with_ci("letter.PDF", ".pdf"));
	assert_true(str_ends_with_ci("letter.pdf", ".pdf"));
	assert_false(str_ends_with_ci("letter.pdf.txt", ".pdf"));
	assert_false(str_ends_with_ci("pdf", ".pdf"));
}

/* Wrapping counts characters, not bytes, keeps web addresses whole, and cuts only when asked. */
static void
test_wrap(void **state)
{
	char *w, **l;
	size_t n;

	(void)state;
	w = str_wrap("Nguyễn Văn Anh lives here", 14, "- ", "  ");
	assert_string_equal(w, "- Nguyễn Văn\n  Anh lives\n  here\n");
	free(w);
	/* A combining accent takes no column: "e\u0301" is one character wide. */
	assert_int_equal(utf8_width("Jose\xcc\x81", 6), 4);
	w = str_wrap("see https://consumer.example.org/a/very/long/path now", 20, NULL, "");
	assert_string_equal(w, "see\nhttps://consumer.example.org/a/very/long/path\nnow\n");
	free(w);
	l = str_wrap_lines("abcdefghij", 4, 1, &n);
	assert_int_equal(n, 3);
	assert_string_equal(l[0], "abcd");
	assert_string_equal(l[2], "ij");
	assert_null(l[3]);
	str_list_free(l);
	w = str_wrap("", 10, "x: ", "   ");
	assert_string_equal(w, "x: \n");
	free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_write_atomic),
		cmocka_unit_test(test_write_atomic_fails),
		cmocka_unit_test(test_make_dirs),
		cmocka_unit_test(test_path_join),
		cmocka_unit_test(test_wrap),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
