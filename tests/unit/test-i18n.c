/* Unit tests for i18n: messages in a page's language, read from a .mo catalogue. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "optout/i18n.h"
#include "optout/util.h"

static char *root;

/* Append a 32-bit word in little (big = 0) or big-endian (big = 1) byte order. */
static void
word(struct buf *b, uint32_t w, int big)
{
	unsigned char c[4];
	int k;

	for (k = 0; k < 4; k++)
		c[big ? 3 - k : k] = (unsigned char)(w >> (8 * k));
	buf_add(b, c, 4);
}

/*
 * A .mo file as msgfmt lays it out: header, the table of originals (sorted),
 * the table of translations, then the strings with their NULs.
 */
static void
write_mo(const char *lang, const char *const *pairs, uint32_t n, int big, size_t cut)
{
	struct buf b;
	uint32_t off = 28 + 16 * n, i;
	char *dir = xasprintf("%s/%s/LC_MESSAGES", root, lang), *path, *cause = NULL;

	buf_init(&b);
	word(&b, 0x950412deU, big);
	word(&b, 0, big);
	word(&b, n, big);
	word(&b, 28, big);
	word(&b, 28 + 8 * n, big);
	word(&b, 0, big);
	word(&b, 0, big);
	for (i = 0; i < 2 * n; i++) {
		/* originals first (pairs[0], pairs[2]…), then translations */
		const char *s = pairs[i < n ? 2 * i : 2 * (i - n) + 1];

		word(&b, (uint32_t)strlen(s), big);
		word(&b, off, big);
		off += (uint32_t)strlen(s) + 1;
	}
	for (i = 0; i < 2 * n; i++) {
		const char *s = pairs[i < n ? 2 * i : 2 * (i - n) + 1];

		buf_add(&b, s, strlen(s) + 1);
	}
	assert_int_equal(make_dirs(dir, 0700, &cause), 0);
	path = xasprintf("%s/optout.mo", dir);
	assert_int_equal(write_file_atomic(path, b.data, cut ? cut : b.len, 0600, &cause), 0);
	free(path);
	free(dir);
	buf_free(&b);
}

static const char *const pairs[] = {
	"Age", "Edad",
	"Have ready: %s.", "Tenga a mano: %s.",
	"Signature", "Firma",
	"Untranslated", "",
};

/* Prepare catalogues in a private folder that OPTOUT_LOCALEDIR names. */
static int
setup(void **state)
{
	(void)state;
	root = xstrdup("/tmp/optout-i18n-XXXXXX");
	if (mkdtemp(root) == NULL)
		return -1;
	setenv("OPTOUT_LOCALEDIR", root, 1);
	return 0;
}

/* Remove the catalogues. */
static int
teardown(void **state)
{
	(void)state;
	remove_tree(root);
	free(root);
	return 0;
}

/* A message is looked up in the page's catalogue, whatever its byte order. */
static void
test_lookup(void **state)
{
	(void)state;
	write_mo("xl", pairs, 4, 0, 0);
	write_mo("xb", pairs, 4, 1, 0);
	assert_string_equal(i18n_page_gettext("xl", "Age"), "Edad");
	assert_string_equal(i18n_page_gettext("xl", "Have ready: %s."), "Tenga a mano: %s.");
	assert_string_equal(i18n_page_gettext("xl", "Signature"), "Firma");
	assert_string_equal(i18n_page_gettext("xb", "Signature"), "Firma");
	assert_string_equal(i18n_page_gettext("xb", "Age"), "Edad");
	/* Not in the catalogue, or with an empty translation: the message itself. */
	assert_string_equal(i18n_page_gettext("xl", "Nothing"), "Nothing");
	assert_string_equal(i18n_page_gettext("xl", "Untranslated"), "Untranslated");
	/* English pages: the message as written. */
	assert_string_equal(i18n_page_gettext(NULL, "Age"), "Age");
}

/* A missing, truncated or corrupt catalogue translates nothing and reads nothing out of bounds. */
static void
test_bad_catalogues(void **state)
{
	(void)state;
	assert_string_equal(i18n_page_gettext("zz", "Age"), "Age");
	write_mo("xt", pairs, 4, 0, 40);
	assert_string_equal(i18n_page_gettext("xt", "Signature"), "Signature");
	write_mo("xh", pairs, 4, 0, 12);
	assert_string_equal(i18n_page_gettext("xh", "Age"), "Age");
	/* Strings cut off at the end of the file: the last ones have no NUL inside it. */
	write_mo("xs", pairs, 4, 0, 28 + 16 * 4 + 10);
	assert_string_equal(i18n_page_gettext("xs", "Untranslated"), "Untranslated");
	assert_string_equal(i18n_page_gettext("xs", "Signature"), "Signature");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_bad_catalogues),
	};

	return cmocka_run_group_tests_name("i18n", tests, setup, teardown);
}
