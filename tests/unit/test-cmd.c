/* Unit tests for cmd_check_getopt: getopt's options drifting from the command table. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

/* A command's table: -p FILE, --all, and --json of the subcommand "show" only. */
static const struct cmd_option table[] = {
	{ "profile", 'p', "FILE", "the profile", CMD_ARG_FILE },
	{ "all", 0, NULL, "every broker" },
	{ "json", 0, NULL, "as JSON", CMD_ARG_NONE, NULL, "show" },
	{ NULL },
};

/* Check longopts against the table; return the cause (NULL when they agree). */
static char *
drift(const char *sub, const char *shortopts, const struct option *longopts)
{
	char *cause = NULL;
	int rc = cmd_check_getopt(table, sub, shortopts, longopts, &cause);

	assert_int_equal(rc, cause == NULL ? 0 : -1);
	return cause;
}

/* Assert that a drift is found and its message names what disagrees. */
static void
assert_drift(const char *sub, const char *shortopts, const struct option *longopts,
    const char *says)
{
	char *cause = drift(sub, shortopts, longopts);

	assert_non_null(cause);
	if (strstr(cause, says) == NULL)
		fail_msg("'%s' does not say '%s'", cause, says);
	free(cause);
}

/* The command's getopt options as the table has them. */
static void
test_agree(void **state)
{
	static const struct option lo[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct option show[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'A' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};

	static const struct option alias[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "profiles", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};

	(void)state;
	assert_null(drift("list", "p:", lo));
	assert_null(drift("show", "p:", show));
	/* A command that parses once before its subcommand (vault) takes them all. */
	assert_null(drift(NULL, "p:", show));
	/* Another spelling of a table option, returning the same value. */
	assert_null(drift("list", "p:", alias));
}

/* An option getopt parses that --help and the completions do not know. */
static void
test_extra_long(void **state)
{
	static const struct option lo[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'A' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};

	static const struct option other[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'A' },
		{ "profiles", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};

	(void)state;
	/* --json belongs to "show" only. */
	assert_drift("list", "p:", lo, "getopt has --json, which the options table lacks");
	/* Not a spelling of --profile: it takes no argument. */
	assert_drift("list", "p:", other, "getopt has --profiles, which the options table lacks");
}

/* An option the table lists that getopt would refuse. */
static void
test_missing_long(void **state)
{
	static const struct option lo[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};

	(void)state;
	assert_drift("list", "p:", lo, "the options table has --all, which getopt lacks");
	assert_drift(NULL, "p:", lo, "the options table has --all, which getopt lacks");
}

/* The argument, the letter, or the short options disagree. */
static void
test_argument_and_letter(void **state)
{
	static const struct option flag[] = {
		{ "profile", no_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct option letter[] = {
		{ "profile", required_argument, NULL, 'P' },
		{ "all", no_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct option lo[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};

	(void)state;
	assert_drift("list", "p:", flag, "--profile: getopt and the options table disagree");
	assert_drift("list", "p:", letter, "--profile: getopt returns 'P', the table's letter is -p");
	assert_drift("list", "", lo, "--profile: -p is missing from the short options");
	assert_drift("list", "p", lo, "-p: the short options and the table disagree");
	assert_drift("list", "p:o:", lo, "getopt has -o, which the options table lacks");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agree),
		cmocka_unit_test(test_extra_long),
		cmocka_unit_test(test_missing_long),
		cmocka_unit_test(test_argument_and_letter),
	};

	return cmocka_run_group_tests_name("cmd", tests, NULL, NULL);
}
