/*
 * cmd: the command table and what every command shares.
 *
 * Each subcommand lives in src/cmd-<verb>.c and exports one const struct
 * command.  A command's run function gets argv with argv[0] = its name and
 * returns an exit status from <sysexits.h> (0 on success).  Only commands
 * and main print: errors go through cmd_error as "optout: <what>".
 */
#ifndef OPTOUT_CMD_H
#define OPTOUT_CMD_H

#include <getopt.h>
#include <stdio.h>
#include <sysexits.h>

#include "optout/i18n.h"
#include "optout/laws.h"
#include "optout/profile.h"
#include "optout/registry.h"
#include "optout/util.h"

/*
 * The command table is the one source of --help, the manual pages' checks
 * (tests/e2e/man.sh) and the shell completions (optout completion).
 * Adding an option: one line in the command's options[] (and in its getopt
 * longopts), a .It entry in man/optout-NAME.1 and man/es/optout-NAME.1, and
 * its Spanish in po/es.po.  Adding a command: its cmd-NAME.c, a line in the
 * table in cmd.c, its pages in man/ and man/es/ (listed in Makefile.am) and
 * its synopsis in the README; tests/e2e/man.sh says what disagrees.
 */

/* What an option's argument, or an operand, is: what the shell completes. */
enum cmd_arg {
	CMD_ARG_NONE,     /* a flag: no argument */
	CMD_ARG_TEXT,     /* free text: nothing to complete */
	CMD_ARG_FILE,     /* a file */
	CMD_ARG_DIR,      /* a folder */
	CMD_ARG_BROKERS,  /* broker ids, comma-separated ('optout brokers list') */
	CMD_ARG_REQUESTS, /* request types, comma-separated */
	CMD_ARG_WORDS,    /* one of a fixed list of words */
	CMD_ARG_REF,      /* a request's reference in the ledger */
	CMD_ARG_COMMAND,  /* an optout command */
};

/* One option of a command, as --help prints it and the shell completes it. */
struct cmd_option {
	const char *name;     /* the long name, without "--" */
	int letter;           /* the short option, or 0 */
	const char *arg;      /* the argument's name in --help, or NULL for a flag */
	const char *help;     /* N_(): what it does, one sentence (wrapped when printed) */
	enum cmd_arg complete; /* what the argument is */
	const char *words;    /* CMD_ARG_WORDS: the choices, separated by spaces */
	const char *sub;      /* an option of this subcommand only (brokers, vault), or NULL */
};

/* A subcommand (brokers, vault) or a word an operand takes (mark's states). */
struct cmd_word {
	const char *word;
	const char *args; /* what follows it in --help ("ID [--json]"), or NULL */
	const char *help; /* N_(): what it does */
};

struct command {
	const char *name;
	const char *usage;   /* arguments after "optout NAME" */
	const char *summary; /* one line for the command list */
	const char *help;    /* what --help says after the options, or NULL */
	int (*run)(int argc, char **argv);
	const struct cmd_option *options; /* ends with { NULL } */
	const char *words_title;          /* N_("Subcommands:"), N_("States:") */
	const struct cmd_word *words;     /* ends with { NULL }; or NULL */
	enum cmd_arg operands[2];         /* what the first two operands are */
};

extern const struct command *const commands[];
/* The options before the command (--help, --ephemeral, --identity...). */
extern const struct cmd_option cmd_global_options[];

/* The shared options of plan, packet and batch (-b, --scope, --all), in their options[]. */
#define CMD_OPT_SCOPE \
	{ "brokers", 'b', "ID,...", N_("these brokers (see 'optout brokers list')"), \
	    CMD_ARG_BROKERS }, \
	{ "scope", 0, "S", N_("the brokers of a scope: curated (the default: the researched " \
	    "records), government (known or declared to sell to government or law " \
	    "enforcement, curated first), people-search, registered (every broker in a state " \
	    "registry), all"), CMD_ARG_WORDS, "curated government people-search registered all" }, \
	{ "all", 0, NULL, N_("every broker in the registry (--scope all)") }
#define CMD_REQUEST_WORDS "access delete opt-out correct freeze"
#define CMD_OPT_REQUESTS \
	{ "request", 'r', "TYPE,...", N_("access, delete, opt-out, correct, freeze (default: " \
	    "opt-out,delete)"), CMD_ARG_REQUESTS }
#define CMD_OPT_LEDGER \
	{ "ledger", 0, "FILE", N_("the ledger (default: $XDG_DATA_HOME/optout/ledger.db)"), \
	    CMD_ARG_FILE }
/* The details of a correct request: --item and --correct-to (submit), and --evidence. */
#define CMD_OPT_ITEM \
	{ "item", 0, "TEXT", N_("correct requests: the inaccurate information"), CMD_ARG_TEXT }, \
	{ "correct-to", 0, "TEXT", N_("correct requests: what it should say"), CMD_ARG_TEXT }
#define CMD_OPT_CORRECTION \
	CMD_OPT_ITEM, \
	{ "evidence", 0, "TEXT", N_("correct requests: the evidence you enclose"), CMD_ARG_TEXT }

/* Find a command by name (or unique prefix of at least 3 letters). */
const struct command *cmd_find(const char *name);
/* The command a mistyped name was probably meant to be ("pakcet": packet), or NULL. */
const char *cmd_suggest(const char *name);
/* Print "Usage: ...", the options and the command's help to f. */
void cmd_usage(const struct command *cmd, FILE *f);
/*
 * Print an options table as --help does, indented, descriptions from column
 * mincol or further (only sub's options when sub is not NULL).
 */
void cmd_print_options(const struct cmd_option *opts, const char *sub, int indent, size_t mincol,
    FILE *f);
/* Print "optout: <message>" on stderr. */
void cmd_error(const char *fmt, ...) OPTOUT_PRINTF(1, 2);
/* Print a module's cause as "optout: <cause>" and free it. */
void cmd_error_cause(char *cause);
/*
 * getopt_long with the project's messages: returns the option, -1 at the
 * end, or '?' after printing "optout: unknown option" or "missing argument"
 * and a hint (the caller returns EX_USAGE).  "-h/--help" returns 'h'.
 */
int cmd_getopt(const struct command *cmd, int argc, char **argv, const char *shortopts,
    const struct option *longopts);
/* Print "optout: NAME: extra argument 'x'" style errors and return EX_USAGE. */
int cmd_usage_error(const struct command *cmd, const char *fmt, ...) OPTOUT_PRINTF(2, 3);

/*
 * Keys for encrypted inputs (cmd-keys.c): an identity file or a passphrase
 * command (NULL: from OPTOUT_IDENTITY / OPTOUT_PASSPHRASE_COMMAND, else the
 * terminal).  Called once by main before the command runs.
 */
void cmd_keys_init(const char *identity_path, const char *passphrase_command);
/* A passphrase to encrypt with (asked twice at a terminal), or NULL with *cause. */
const char *cmd_keys_new_passphrase(char **cause);

/* Profiles gathered from -p or a client list (-c), for followup and evidence. */
struct cmd_people {
	struct profile **list;
	size_t n;
};
/* Take over a loaded profile. */
void cmd_people_add(struct cmd_people *c, struct profile *p);
/* Add every good client of a list, printing bad rows; 0 or an exit status. */
int cmd_people_from_list(struct cmd_people *c, const char *path);
void cmd_people_free(struct cmd_people *c);

/* What most commands load: the registry, the laws, a profile and maybe an agent. */
struct cmd_inputs {
	struct registry *reg;
	struct laws *laws;
	struct profile *profile; /* NULL when no profile was asked for */
	struct agent *agent;     /* NULL unless --agent */
};
/* Load the inputs, printing what went wrong; returns 0 or an exit status. */
int cmd_load_inputs(const char *profile_path, const char *agent_path, struct cmd_inputs *in);
void cmd_inputs_free(struct cmd_inputs *in);
/*
 * Brokers named in a comma list (-b), or those of a scope (--scope S; --all
 * is the scope "all"); prints the unknown ids.  Returns 0 or an exit status;
 * *out is a NULL-terminated array the caller frees (the brokers themselves
 * are borrowed).
 */
int cmd_select_brokers(const struct command *cmd, const struct registry *r, const char *list,
    const char *scope, const struct broker ***out, size_t *n);
/* The scope of plan, packet and batch without -b: the researched records. */
#define CMD_DEFAULT_SCOPE "curated"
/* Request types from a comma list (-r); NULL gives the default opt-out,delete. */
int cmd_parse_requests(const struct command *cmd, const char *list, enum request *out,
    size_t *n);
/* Check --disclose names against the fields a procedure can ask for. */
int cmd_parse_disclose(const struct command *cmd, const char *list, char ***out);

/* What plan, packet and batch share: inputs, brokers, request types, consent. */
struct cmd_job {
	struct cmd_inputs in;
	const struct broker **brokers; /* NULL-terminated; borrowed from in.reg */
	size_t nbrokers;
	enum request requests[REQ_COUNT];
	size_t nrequests;
	char **consent;                /* --disclose fields */
};
/*
 * Parse -r and --disclose, start libsodium, load the inputs and select the
 * brokers (-b, else the scope, else CMD_DEFAULT_SCOPE), printing what went wrong.  Returns 0 or an
 * exit status; on success the caller ends with cmd_job_end.
 */
int cmd_job_start(const struct command *cmd, const char *profile, const char *agent,
    const char *brokers, const char *scope, const char *requests, const char *disclose,
    struct cmd_job *job);
void cmd_job_end(struct cmd_job *job);

struct ledger;
struct plan_item;
/* Say why a plan item cannot go out (no_procedure words that case); 0 when it can. */
int cmd_refuse_plan(const struct plan_item *it, const char *no_procedure);
/* Open a ledger that must exist already; 0, or the exit status after saying why. */
int cmd_open_existing_ledger(const char *opt, struct ledger **l);
/*
 * A profile without a label gets the one from the person's note (said on
 * `say` unless NULL); on a shared ledger (--ledger FILE) it is refused.
 * Returns 0 or the exit status after saying why.
 */
int cmd_profile_label(struct profile *p, const char *profile_path, int shared, FILE *say);
/*
 * Plan items already open in the person's own ledger (the default one, if it
 * exists) get its recorded reference; nothing is written.  0 or the exit status.
 */
int cmd_recorded_reference(struct plan_item **items, size_t n, const struct profile *p);
/* Tie the profile's label to its person in the ledger (one label, one person). */
int cmd_claim_label(struct ledger *l, const struct profile *p, const char *profile_path);

struct smtp_account;
/*
 * The SMTP account for send and followup --send: none with a sendmail
 * command, or on a dry run without a config file; else the named one (or
 * the only one) from config or $XDG_CONFIG_HOME/optout/config.  0, or the
 * exit status after saying why.
 */
int cmd_mail_account(const char *sendmail, const char *config, const char *account, int send,
    struct smtp_account **out);
/* Print a message's header block (CRLF lines), indented, for a dry run. */
void cmd_print_mail_headers(const char *msg);

#endif
