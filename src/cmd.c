/* cmd: the command table, lookup, generated help and shared option handling. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

#include "cmd.h"
#include "optout/batch.h"
#include "optout/client.h"
#include "optout/i18n.h"
#include "optout/ledger.h"
#include "optout/mail-smtp.h"
#include "optout/plan.h"
#include "optout/vault.h"

extern const struct command cmd_batch;
extern const struct command cmd_brokers;
extern const struct command cmd_demo;
extern const struct command cmd_evidence;
extern const struct command cmd_followup;
extern const struct command cmd_help;
extern const struct command cmd_init;
extern const struct command cmd_letter;
extern const struct command cmd_packet;
extern const struct command cmd_plan;
extern const struct command cmd_template;
extern const struct command cmd_vault;
extern const struct command cmd_shred;
extern const struct command cmd_mark;
extern const struct command cmd_status;
extern const struct command cmd_submit;
extern const struct command cmd_send;
extern const struct command cmd_inbox;
extern const struct command cmd_ledger;
extern const struct command cmd_completion;
extern const struct command cmd_serve;
/* end of command declarations */

/* The table: the order here is the order in --help. */
const struct command *const commands[] = {
	&cmd_packet,
	&cmd_init,
	&cmd_demo,
	&cmd_batch,
	&cmd_brokers,
	&cmd_plan,
	&cmd_letter,
	&cmd_submit,
	&cmd_send,
	&cmd_inbox,
	&cmd_serve,
	&cmd_status,
	&cmd_mark,
	&cmd_ledger,
	&cmd_followup,
	&cmd_evidence,
	&cmd_template,
	&cmd_vault,
	&cmd_shred,
	&cmd_completion,
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

/* The command a mistyped name was probably meant to be, or NULL. */
const char *
cmd_suggest(const char *name)
{
	const char **names;
	const char *like;
	size_t i, n;

	for (n = 0; commands[n] != NULL; n++)
		;
	names = xcalloc(n + 1, sizeof *names);
	for (i = 0; i < n; i++)
		names[i] = commands[i]->name;
	like = str_suggest(name, names);
	free(names);
	return like;
}

/* The options before the command, printed by 'optout --help' and completed. */
const struct cmd_option cmd_global_options[] = {
	{ "help", 'h', NULL, N_("show the commands and these options") },
	{ "version", 'V', NULL, N_("show the version") },
	{ "ephemeral", 0, NULL, N_("for a shared computer: keep nothing outside the output the "
	    "person takes away (no ledger, no evidence, no notes); or OPTOUT_EPHEMERAL=1"),
	    CMD_ARG_NONE },
	{ "identity", 0, "FILE", N_("the age key file that opens encrypted profiles, agent files "
	    "and client lists (or OPTOUT_IDENTITY)"), CMD_ARG_FILE },
	{ "passphrase-command", 0, "CMD", N_("a command that prints their passphrase (or "
	    "OPTOUT_PASSPHRASE_COMMAND); else it is asked for at the terminal, never taken from "
	    "the command line"), CMD_ARG_TEXT },
	{ NULL },
};

/* Columns on the screen a UTF-8 string takes (one per character). */
static size_t
text_width(const char *s, size_t n)
{
	size_t i, w = 0;

	for (i = 0; i < n && s[i] != '\0'; i++)
		w += ((unsigned char)s[i] & 0xC0) != 0x80;
	return w;
}

/* Print text wrapped to 79 columns, each line indented to column col (the first from at). */
static void
print_wrapped(const char *text, size_t at, size_t col, FILE *f)
{
	size_t room = col < 60 ? 79 - col : 20;
	const char *p = text, *q, *brk;

	fprintf(f, "%*s", (int)(col > at ? col - at : 0), "");
	while (text_width(p, strlen(p)) > room) {
		/* Break at the last space that fits, or the first one. */
		brk = NULL;
		for (q = p; *q != '\0'; q++) {
			if (*q != ' ')
				continue;
			if (brk != NULL && text_width(p, (size_t)(q - p)) > room)
				break;
			brk = q;
		}
		if (brk == NULL)
			break;
		fprintf(f, "%.*s\n%*s", (int)(brk - p), p, (int)col, "");
		p = brk + 1;
	}
	fprintf(f, "%s\n", p);
}

/* The option as --help names it: "-p, --profile FILE" or "    --all". */
static char *
option_left(const struct cmd_option *o)
{
	const char *arg = o->arg != NULL ? o->arg : "";

	if (o->letter != 0)
		return xasprintf("-%c, --%s%s%s", o->letter, o->name, *arg ? " " : "", arg);
	return xasprintf("    --%s%s%s", o->name, *arg ? " " : "", arg);
}

/* Print an options table as --help does (only sub's options when sub is not NULL). */
void
cmd_print_options(const struct cmd_option *opts, const char *sub, int indent, size_t mincol,
    FILE *f)
{
	size_t i, w, col = 0;

	if (opts == NULL)
		return;
	for (i = 0; opts[i].name != NULL; i++) {
		char *left = option_left(&opts[i]);

		if ((sub == NULL) == (opts[i].sub == NULL) &&
		    (sub == NULL || strcmp(sub, opts[i].sub) == 0) && strlen(left) > col)
			col = strlen(left);
		free(left);
	}
	col = (size_t)indent + (col > 22 ? 22 : col) + 2;
	if (col < mincol)
		col = mincol;
	for (i = 0; opts[i].name != NULL; i++) {
		char *left;

		if ((sub == NULL) != (opts[i].sub == NULL) ||
		    (sub != NULL && strcmp(sub, opts[i].sub) != 0))
			continue;
		left = option_left(&opts[i]);
		w = (size_t)indent + strlen(left);
		fprintf(f, "%*s%s", indent, "", left);
		if (w + 2 > col) {
			fputc('\n', f);
			w = 0;
		}
		print_wrapped(_(opts[i].help), w, col, f);
		free(left);
	}
}

/* Print a command's usage line, its subcommands or states, options and help. */
void
cmd_usage(const struct command *cmd, FILE *f)
{
	size_t i;

	fprintf(f, _("Usage: optout %s %s\n\n%s.\n"), cmd->name, cmd->usage, _(cmd->summary));
	if (cmd->words != NULL) {
		fprintf(f, "\n%s\n", _(cmd->words_title));
		for (i = 0; cmd->words[i].word != NULL; i++) {
			const struct cmd_word *wd = &cmd->words[i];
			char *left = xasprintf("%s%s%s", wd->word, wd->args != NULL ? " " : "",
			    wd->args != NULL ? wd->args : "");
			size_t w = 2 + strlen(left);

			fprintf(f, "  %s", left);
			if (w + 2 > 24) {
				fputc('\n', f);
				w = 0;
			}
			print_wrapped(_(wd->help), w, 24, f);
			cmd_print_options(cmd->options, wd->word, 4, 24, f);
			free(left);
		}
	}
	for (i = 0; cmd->options != NULL && cmd->options[i].name != NULL; i++) {
		if (cmd->options[i].sub == NULL) {
			fprintf(f, "\n%s\n", _("Options:"));
			cmd_print_options(cmd->options, NULL, 2, 0, f);
			break;
		}
	}
	if (cmd->help != NULL && *cmd->help != '\0')
		fprintf(f, "\n%s", _(cmd->help));
}

/* Columns s takes on a terminal: UTF-8 characters, not bytes. */
int
cmd_width(const char *s)
{
	return (int)utf8_width(s, strlen(s));
}

/* Print s padded with spaces to width columns, then sep. */
void
cmd_cell(const char *s, int width, const char *sep)
{
	int w = cmd_width(s);

	printf("%s%*s%s", s, w < width ? width - w : 0, "", sep);
}

/* Print "optout: <message>" to stderr. */
void
cmd_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("optout: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap); /* NOLINT(clang-analyzer-valist.Uninitialized): va_start above */
	va_end(ap);
	fputc('\n', stderr);
}

/* Print a module's message (possibly several lines) and free it. */
void
cmd_error_cause(char *cause)
{
	char *line, *save = NULL;

	if (cause == NULL) {
		cmd_error(_("unknown error"));
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
	fprintf(stderr, _("Try 'optout %s --help'.\n"), cmd->name);
	free(msg);
	return EX_USAGE;
}

/* getopt_long with the project's error messages. */
int
cmd_getopt(const struct command *cmd, int argc, char **argv, const char *shortopts,
    const struct option *longopts)
{
	char *opts, *cause = NULL;
	int prev = optind, c;

	/* The table prints --help and the completions: getopt must parse what it says. */
	if (cmd_check_getopt(cmd->options, strcmp(argv[0], cmd->name) != 0 ? argv[0] : NULL,
	    shortopts, longopts, &cause) != 0) {
		cmd_error(_("internal error: %s: %s"), cmd->name, cause);
		free(cause);
		exit(EX_SOFTWARE);
	}
	opts = xasprintf(":h%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, opts, longopts, NULL);
	free(opts);
	if (c == ':') {
		cmd_usage_error(cmd, _("option '%s' needs an argument"),
		    prev < argc ? argv[prev] : "?");
		return '?';
	}
	if (c == '?') {
		const char *bad = (optind > 0 && optind - 1 < argc) ? argv[optind - 1] : "?";

		if (optopt != 0 && bad[0] == '-' && bad[1] != '-')
			cmd_error(_("%s: unknown option '-%c'"), cmd->name, optopt);
		else
			cmd_error(_("%s: unknown option '%s'"), cmd->name, bad);
		fprintf(stderr, _("Try 'optout %s --help'.\n"), cmd->name);
		return '?';
	}
	return c;
}

/* Load the registry, laws, profile and agent. */
int
cmd_load_inputs(const char *profile_path, const char *agent_path, struct cmd_inputs *in)
{
	return cmd_load_inputs_for(profile_path, agent_path, NULL, in);
}

/* The registry: only the brokers of a -b list when one is given, else all of it. */
static struct registry *
load_registry(const char *dir, const char *broker_ids, char **cause)
{
	struct registry *r;
	char **ids;
	size_t n;

	if (broker_ids == NULL)
		return registry_load(dir, cause);
	ids = str_split_list(broker_ids, &n);
	r = registry_load_ids(dir, (const char *const *)ids, n, cause);
	str_list_free(ids);
	return r;
}

/*
 * Load the laws, profile, agent and registry; with broker_ids (a -b list),
 * only those brokers' records are read, which is most of a one-broker
 * command's start-up time saved.
 */
int
cmd_load_inputs_for(const char *profile_path, const char *agent_path, const char *broker_ids,
    struct cmd_inputs *in)
{
	const char *dir = data_dir();
	char *cause = NULL;

	memset(in, 0, sizeof *in);
	if (profile_path != NULL && access(profile_path, R_OK) != 0) {
		/* -p LABEL: a profile kept in the vault. */
		char *why = NULL, *kept = strchr(profile_path, '/') == NULL ?
		    vault_store_path(profile_path, &why) : NULL;
		int rc;

		free(why);
		if (kept == NULL || access(kept, R_OK) != 0) {
			cmd_error("%s: %s", profile_path, strerror(errno));
			free(kept);
			return EX_NOINPUT;
		}
		rc = cmd_load_inputs_for(kept, agent_path, broker_ids, in);
		free(kept);
		return rc;
	}
	if (agent_path != NULL && access(agent_path, R_OK) != 0) {
		cmd_error("%s: %s", agent_path, strerror(errno));
		return EX_NOINPUT;
	}
	if ((in->reg = load_registry(dir, broker_ids, &cause)) == NULL ||
	    (in->laws = laws_load(dir, &cause)) == NULL ||
	    (profile_path != NULL && (in->profile = profile_load(profile_path, dir, &cause)) == NULL) ||
	    (agent_path != NULL && (in->agent = agent_load(agent_path, dir, &cause)) == NULL)) {
		cmd_error_cause(cause);
		cmd_inputs_free(in);
		return EX_DATAERR;
	}
	return 0;
}

/* Free what cmd_load_inputs loaded. */
void
cmd_inputs_free(struct cmd_inputs *in)
{
	registry_free(in->reg);
	laws_free(in->laws);
	profile_free(in->profile);
	agent_free(in->agent);
	memset(in, 0, sizeof *in);
}

/* The broker id a mistyped one was probably meant to be, or NULL. */
static const char *
broker_suggest(const struct registry *r, const char *id)
{
	const char **ids = xcalloc(r->n + 1, sizeof *ids);
	const char *like;
	size_t i;

	for (i = 0; i < r->n; i++)
		ids[i] = r->brokers[i]->id;
	like = str_suggest(id, ids);
	free(ids);
	return like;
}

/* Resolve -b ID,..., --scope S or --all (scope "all"). */
int
cmd_select_brokers(const struct command *cmd, const struct registry *r, const char *list,
    const char *scope, const struct broker ***out, size_t *n)
{
	char **ids;
	size_t i, count;
	int bad = 0;

	if (scope != NULL && list != NULL)
		return cmd_usage_error(cmd, _("give either -b ID,... or --scope/--all, not both"));
	if (scope == NULL && list == NULL)
		return cmd_usage_error(cmd, _("name the brokers with -b ID,... or use --all"));
	if (scope != NULL) {
		enum scope s;

		if (scope_parse(scope, &s) != 0)
			return cmd_usage_error(cmd, _("--scope: '%s' is not one of curated, government, "
			    "people-search, registered, all"), scope);
		*out = registry_scope(r, s, n);
		return 0;
	}
	ids = str_split_list(list, &count);
	if (count == 0) {
		str_list_free(ids);
		return cmd_usage_error(cmd, _("-b needs at least one broker id"));
	}
	*out = xcalloc(count + 1, sizeof **out);
	*n = 0;
	for (i = 0; i < count; i++) {
		const struct broker *b = registry_find(r, ids[i]);

		if (b == NULL) {
			const char *like = broker_suggest(r, ids[i]);

			if (like != NULL)
				cmd_error(_("no broker with id '%s': did you mean '%s'?"), ids[i], like);
			else
				cmd_error(_("no broker with id '%s' (try 'optout brokers search WORD')"),
				    ids[i]);
			bad = 1;
		} else
			(*out)[(*n)++] = b;
	}
	str_list_free(ids);
	if (bad) {
		free(*out);
		*out = NULL;
		return EX_DATAERR;
	}
	return 0;
}

/* Parse -r access,delete,... (default: opt-out and delete). */
int
cmd_parse_requests(const struct command *cmd, const char *list, enum request *out, size_t *n)
{
	char **items;
	size_t i, count, k;

	if (list == NULL) {
		out[0] = REQ_OPTOUT;
		out[1] = REQ_DELETE;
		*n = 2;
		return 0;
	}
	items = str_split_list(list, &count);
	*n = 0;
	for (i = 0; i < count; i++) {
		enum request r;

		if (request_parse(items[i], &r) != 0) {
			int rc = cmd_usage_error(cmd, _("-r: '%s' is not one of access, delete, "
			    "opt-out, correct, freeze"), items[i]);

			str_list_free(items);
			return rc;
		}
		for (k = 0; k < *n && out[k] != r; k++)
			;
		if (k == *n)
			out[(*n)++] = r;
	}
	str_list_free(items);
	if (*n == 0)
		return cmd_usage_error(cmd, _("-r needs at least one request type"));
	return 0;
}

/* Check --disclose against the sensitive fields a person can consent to. */
int
cmd_parse_disclose(const struct command *cmd, const char *list, char ***out)
{
	static const char *const allowed[] = { "ssn", "ssn_last4", "drivers_license", "dob",
		"phone", "email", "prior_addresses", NULL };
	size_t i;

	*out = str_split_list(list != NULL ? list : "", NULL);
	for (i = 0; (*out)[i] != NULL; i++) {
		if (!strlist_has((const char **)allowed, (*out)[i])) {
			int rc = cmd_usage_error(cmd, _("--disclose: '%s' is not one of ssn, ssn_last4, "
			    "drivers_license, dob, phone, email, prior_addresses"), (*out)[i]);

			str_list_free(*out);
			*out = NULL;
			return rc;
		}
	}
	return 0;
}

/* The common start of plan, packet and batch. */
int
cmd_job_start(const struct command *cmd, const char *profile, const char *agent,
    const char *brokers, const char *scope, const char *requests, const char *disclose,
    struct cmd_job *job)
{
	int rc;

	memset(job, 0, sizeof *job);
	if ((rc = cmd_parse_requests(cmd, requests, job->requests, &job->nrequests)) != 0 ||
	    (rc = cmd_parse_disclose(cmd, disclose, &job->consent)) != 0)
		return rc;
	if ((rc = cmd_load_inputs_for(profile, agent, scope == NULL ? brokers : NULL,
	    &job->in)) != 0 ||
	    (rc = cmd_select_brokers(cmd, job->in.reg, brokers,
	    scope == NULL && brokers == NULL ? CMD_DEFAULT_SCOPE : scope, &job->brokers,
	    &job->nbrokers)) != 0) {
		cmd_job_end(job);
		return rc;
	}
	return 0;
}

/* Free what cmd_job_start made. */
void
cmd_job_end(struct cmd_job *job)
{
	free(job->brokers);
	str_list_free(job->consent);
	cmd_inputs_free(&job->in);
	memset(job, 0, sizeof *job);
}

/* Say why a plan cannot go out; 0 when it can, else the exit status. */
int
cmd_refuse_plan(const struct plan_item *it, const char *no_procedure)
{
	size_t i;

	switch (it->status) {
	case PLAN_READY:
		return 0;
	case PLAN_NO_CHANNEL:
		cmd_error(_("%s: no consumer channel is known (see 'optout brokers show %s')"),
		    it->broker->id, it->broker->id);
		return EX_UNAVAILABLE;
	case PLAN_NO_PROCEDURE:
		cmd_error(_("%s: %s for %s requests (see 'optout plan')"), it->broker->id,
		    no_procedure != NULL ? no_procedure : "the broker has no known procedure",
		    request_name(it->request));
		return EX_UNAVAILABLE;
	case PLAN_MISSING:
		for (i = 0; it->missing[i] != NULL; i++)
			cmd_error(_("%s: the profile lacks %s, which procedure %s requires"),
			    it->broker->id, it->missing[i], it->proc->id);
		return EX_DATAERR;
	case PLAN_NEEDS_CONSENT:
		for (i = 0; it->withheld[i] != NULL; i++)
			cmd_error(_("%s: procedure %s requires %s, a sensitive field: allow it with "
			    "--disclose %s"), it->broker->id, it->proc->id, it->withheld[i],
			    it->withheld[i]);
		return EX_DATAERR;
	}
	return EX_SOFTWARE;
}

/* Open a ledger that must exist already (status, mark): 0, or the exit status. */
int
cmd_open_existing_ledger(const char *opt, struct ledger **l)
{
	char *cause = NULL, *path;

	path = opt != NULL ? xstrdup(opt) : ledger_default_path(&cause);
	if (path == NULL) {
		cmd_error_cause(cause);
		return EX_NOINPUT;
	}
	if (!ledger_is_url(path) && access(path, F_OK) != 0) {
		cmd_error(_("%s: no ledger (%s): nothing has been recorded yet"), path,
		    strerror(errno));
		free(path);
		return EX_NOINPUT;
	}
	*l = ledger_open(path, &cause);
	free(path);
	if (*l == NULL) {
		cmd_error_cause(cause);
		return EX_DATAERR;
	}
	return 0;
}

/*
 * Give a profile without a label the one from the person's note (made the
 * first time) and say so, or refuse on a shared ledger: 0, or the exit status.
 */
int
cmd_profile_label(struct profile *p, const char *profile_path, int shared, FILE *say)
{
	char *label = NULL, *cause = NULL, *note;
	int made = 0;

	if (p->label != NULL)
		return 0;
	if (shared) {
		cmd_error(_("%s: label: a ledger named with --ledger is shared, and every person in it "
		    "needs a label of their own: add \"label\" to the profile (one that says nothing "
		    "about the person, such as \"client-0042\")"), profile_path);
		return EX_DATAERR;
	}
	if (client_note_label(p, &label, &made, &cause) != 0) {
		cmd_error_cause(cause);
		return EX_CANTCREAT;
	}
	profile_set_label(p, label);
	if (say != NULL && (note = client_note_path(&cause)) != NULL) {
		if (made)
			fprintf(say, _("This profile has no label, so optout gave it one: %s (kept in %s). "
			    "Add \"label\": \"%s\" to the profile so it stays the same everywhere.\n"),
			    label, note, label);
		else
			fprintf(say, _("This profile has no label: optout uses %s, the one it gave this "
			    "person before (kept in %s). Add \"label\": \"%s\" to the profile.\n"),
			    label, note, label);
		free(note);
	}
	free(cause);
	free(label);
	return 0;
}

/* Tie the profile's label to its person in the ledger: 0, or the exit status. */
int
cmd_claim_label(struct ledger *l, const struct profile *p, const char *profile_path)
{
	char *cause = NULL;

	switch (client_claim(l, p, p->label, &cause)) {
	case CLIENT_OK:
		return 0;
	case CLIENT_OTHER_PERSON:
		cmd_error("%s: %s", profile_path, cause);
		free(cause);
		return EX_DATAERR;
	case CLIENT_ERROR:
	default:
		cmd_error_cause(cause);
		return EX_CANTCREAT;
	}
}

/*
 * Items of a request already open in the person's own ledger keep its
 * recorded reference, so what is printed matches what `mark` knows; nothing
 * is recorded, and no ledger is created.  0, or the exit status.
 */
int
cmd_recorded_reference(struct plan_item **items, size_t n, const struct profile *p)
{
	char *cause = NULL, *path;
	struct ledger *l;
	size_t i;
	int rc = 0;

	if (p == NULL || p->label == NULL || (path = ledger_default_path(&cause)) == NULL) {
		free(cause);
		return 0;
	}
	if (ledger_is_url(path) || access(path, F_OK) == 0) {
		if ((l = ledger_open(path, &cause)) == NULL) {
			cmd_error_cause(cause);
			rc = EX_SOFTWARE;
		}
		for (i = 0; l != NULL && i < n && rc == 0; i++) {
			if (items[i]->status == PLAN_READY &&
			    ledger_reuse_reference(l, items[i], p->label, &cause) != 0) {
				cmd_error_cause(cause);
				rc = EX_SOFTWARE;
			}
		}
		ledger_close(l);
	}
	free(path);
	return rc;
}

/* Take over a loaded profile. */
void
cmd_people_add(struct cmd_people *c, struct profile *p)
{
	c->list = xreallocarray(c->list, c->n + 1, sizeof *c->list);
	c->list[c->n++] = p;
}

/* A client list's visitor: keep each good client's profile. */
static int
people_each(void *ctx, struct profile *p, const char *where, char **cause)
{
	(void)where;
	(void)cause;
	cmd_people_add(ctx, p);
	return 0;
}

/* A client list's visitor: report a bad row and go on. */
static void
people_bad(void *ctx, char *msg)
{
	(void)ctx;
	cmd_error("%s", msg);
	free(msg);
}

/* Add every good client of a list, printing bad rows. */
int
cmd_people_from_list(struct cmd_people *c, const char *path)
{
	struct clients_visitor v = { 0 };
	char *cause = NULL;

	v.path = path;
	v.datadir = data_dir();
	v.each = people_each;
	v.bad = people_bad;
	v.ctx = c;
	if (clients_each(&v, &cause) != 0) {
		cmd_error_cause(cause);
		return EX_DATAERR;
	}
	return 0;
}

/* Free the gathered profiles. */
void
cmd_people_free(struct cmd_people *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		profile_free(c->list[i]);
	free(c->list);
	c->list = NULL;
	c->n = 0;
}

/* The account to send with, or NULL (sendmail, or a dry run without a config file). */
int
cmd_mail_account(const char *sendmail, const char *config, const char *account, int send,
    struct smtp_account **out)
{
	char *cause = NULL, *path;

	*out = NULL;
	if (sendmail != NULL)
		return 0;
	path = config != NULL ? xstrdup(config) : smtp_config_path(&cause);
	if (path == NULL) {
		cmd_error_cause(cause);
		return EX_CONFIG;
	}
	if (!send && config == NULL && account == NULL && access(path, F_OK) != 0) {
		free(path);
		return 0;
	}
	if ((*out = smtp_account_load(path, account, &cause)) == NULL) {
		if (access(path, F_OK) != 0)
			cmd_error(_("%s: no config file: add an [account NAME] there (see the README), "
			    "or use --sendmail"), path);
		else
			cmd_error_cause(cause);
		free(path);
		return EX_CONFIG;
	}
	free(path);
	return 0;
}

/* The header block of a message, indented, for the dry run. */
void
cmd_print_mail_headers(const char *msg)
{
	const char *p = msg, *e;

	while (*p != '\0' && strncmp(p, "\r\n", 2) != 0) {
		e = strstr(p, "\r\n");
		if (e == NULL)
			e = p + strlen(p);
		printf("    %.*s\n", (int)(e - p), p);
		p = *e != '\0' ? e + 2 : e;
	}
}
