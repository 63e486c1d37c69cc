/* cmd-getopt: a command's getopt options checked against its options table. */
#include "config.h"

#include <string.h>

#include "cmd.h"

/*
 * Whether table option o belongs to the parse of subcommand sub; with sub
 * NULL the command parses all its options at once (vault), so all belong.
 */
static int
in_parse(const struct cmd_option *o, const char *sub)
{
	return o->sub == NULL || sub == NULL || strcmp(o->sub, sub) == 0;
}

/* The table option named name that belongs to the parse, or NULL. */
static const struct cmd_option *
table_find(const struct cmd_option *opts, const char *sub, const char *name)
{
	size_t i;

	for (i = 0; opts != NULL && opts[i].name != NULL; i++) {
		if (in_parse(&opts[i], sub) && strcmp(opts[i].name, name) == 0)
			return &opts[i];
	}
	return NULL;
}

/*
 * The table option a long option is another spelling of (submit's --broker
 * for --brokers: the same value and argument as a long option in the
 * table), or NULL.
 */
static const struct cmd_option *
alias_of(const struct cmd_option *opts, const char *sub, const struct option *longopts,
    const struct option *lo)
{
	const struct cmd_option *o;
	size_t i;

	for (i = 0; longopts[i].name != NULL; i++) {
		if (&longopts[i] != lo && longopts[i].val == lo->val &&
		    longopts[i].has_arg == lo->has_arg &&
		    (o = table_find(opts, sub, longopts[i].name)) != NULL)
			return o;
	}
	return NULL;
}

/* Check one getopt long option against the table; NULL or what disagrees. */
static char *
check_long(const struct cmd_option *opts, const char *sub, const char *shortopts,
    const struct option *longopts, const struct option *lo)
{
	const struct cmd_option *o = table_find(opts, sub, lo->name);
	const char *s;

	if (o == NULL)
		o = alias_of(opts, sub, longopts, lo);

	if (strcmp(lo->name, "help") == 0)
		return lo->has_arg == no_argument && lo->val == 'h' ? NULL :
		    xstrdup("--help must be a flag returning 'h'");
	if (o == NULL)
		return xasprintf("getopt has --%s, which the options table lacks", lo->name);
	if ((lo->has_arg == required_argument) != (o->arg != NULL) ||
	    lo->has_arg == optional_argument)
		return xasprintf("--%s: getopt and the options table disagree on its argument",
		    lo->name);
	if (o->letter == 0)
		return NULL;
	if (lo->val != o->letter)
		return xasprintf("--%s: getopt returns '%c', the table's letter is -%c", lo->name,
		    lo->val, o->letter);
	if ((s = strchr(shortopts, o->letter)) == NULL)
		return xasprintf("--%s: -%c is missing from the short options", lo->name, o->letter);
	if ((s[1] == ':') != (o->arg != NULL))
		return xasprintf("-%c: the short options and the table disagree on its argument",
		    o->letter);
	return NULL;
}

/* Check a command's getopt options against its options table. */
int
cmd_check_getopt(const struct cmd_option *opts, const char *sub, const char *shortopts,
    const struct option *longopts, char **cause)
{
	const char *s;
	size_t i, k;

	for (i = 0; longopts[i].name != NULL; i++) {
		if ((*cause = check_long(opts, sub, shortopts, longopts, &longopts[i])) != NULL)
			return -1;
	}
	for (i = 0; opts != NULL && opts[i].name != NULL; i++) {
		if (!in_parse(&opts[i], sub))
			continue;
		for (k = 0; longopts[k].name != NULL && strcmp(longopts[k].name, opts[i].name) != 0;
		    k++)
			;
		if (longopts[k].name == NULL) {
			*cause = xasprintf("the options table has --%s, which getopt lacks",
			    opts[i].name);
			return -1;
		}
	}
	for (s = shortopts; *s != '\0'; s++) {
		if (*s == ':')
			continue;
		for (i = 0; opts != NULL && opts[i].name != NULL &&
		    !(in_parse(&opts[i], sub) && opts[i].letter == *s); i++)
			;
		if (opts == NULL || opts[i].name == NULL) {
			*cause = xasprintf("getopt has -%c, which the options table lacks", *s);
			return -1;
		}
	}
	return 0;
}
