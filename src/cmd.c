/* cmd: the command table, lookup, generated help and shared option handling. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

extern const struct command cmd_brokers;
extern const struct command cmd_help;
/* end of command declarations */

/* The table: the order here is the order in --help. */
const struct command *const commands[] = {
	&cmd_brokers,
	&cmd_help,
	/* end of command table */
	NULL,
};

/* Find a command by exact name, then by unique prefix of three or more letters. */
const struct command *
cmd_find(const char *name)
{
	const struct command *found = NULL;
	size_t i, n = strlen(name);

	for (i = 0; commands[i] != NULL; i++) {
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	}
	if (n < 3)
		return NULL;
	for (i = 0; commands[i] != NULL; i++) {
		if (strncmp(commands[i]->name, name, n) == 0) {
			if (found != NULL)
				return NULL;
			found = commands[i];
		}
	}
	return found;
}

/* Print a command's usage line and option help. */
void
cmd_usage(const struct command *cmd, FILE *f)
{
	fprintf(f, "Usage: optout %s %s\n\n%s.\n", cmd->name, cmd->usage, cmd->summary);
	if (cmd->help != NULL && *cmd->help != '\0')
		fprintf(f, "\n%s", cmd->help);
}

/* Print "optout: <message>" to stderr. */
void
cmd_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("optout: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Print a module's message (possibly several lines) and free it. */
void
cmd_error_cause(char *cause)
{
	char *line, *save = NULL;

	if (cause == NULL) {
		cmd_error("unknown error");
		return;
	}
	for (line = strtok_r(cause, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		cmd_error("%s", line);
	free(cause);
}

/* Report a usage error for a command and return EX_USAGE. */
int
cmd_usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	cmd_error("%s: %s", cmd->name, msg);
	fprintf(stderr, "Try 'optout %s --help'.\n", cmd->name);
	free(msg);
	return EX_USAGE;
}

/* getopt_long with the project's error messages. */
int
cmd_getopt(const struct command *cmd, int argc, char **argv, const char *shortopts,
    const struct option *longopts)
{
	char *opts = xasprintf(":h%s", shortopts);
	int prev = optind, c;

	opterr = 0;
	c = getopt_long(argc, argv, opts, longopts, NULL);
	free(opts);
	if (c == ':') {
		cmd_usage_error(cmd, "option '%s' needs an argument",
		    prev < argc ? argv[prev] : "?");
		return '?';
	}
	if (c == '?') {
		const char *bad = (optind > 0 && optind - 1 < argc) ? argv[optind - 1] : "?";

		if (optopt != 0 && bad[0] == '-' && bad[1] != '-')
			cmd_error("%s: unknown option '-%c'", cmd->name, optopt);
		else
			cmd_error("%s: unknown option '%s'", cmd->name, bad);
		fprintf(stderr, "Try 'optout %s --help'.\n", cmd->name);
		return '?';
	}
	return c;
}

/* Colour only on a terminal, and never when NO_COLOR is set (no-color.org). */
int
cmd_color(FILE *f)
{
	const char *nc = getenv("NO_COLOR");

	return isatty(fileno(f)) && (nc == NULL || *nc == '\0');
}
