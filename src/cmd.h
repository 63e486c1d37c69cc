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

#include "optout/laws.h"
#include "optout/profile.h"
#include "optout/registry.h"
#include "optout/util.h"

struct command {
	const char *name;
	const char *usage;   /* arguments after "optout NAME" */
	const char *summary; /* one line for the command list */
	const char *help;    /* the options, one per line, for --help */
	int (*run)(int argc, char **argv);
};

extern const struct command *const commands[];

/* Find a command by name (or unique prefix of at least 3 letters). */
const struct command *cmd_find(const char *name);
/* The command a mistyped name was probably meant to be ("pakcet": packet), or NULL. */
const char *cmd_suggest(const char *name);
/* Print "Usage: ..." and the command's help to f. */
void cmd_usage(const struct command *cmd, FILE *f);
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
/* The same, reading only the brokers of a -b list (NULL: the whole registry). */
int cmd_load_inputs_for(const char *profile_path, const char *agent_path, const char *broker_ids,
    struct cmd_inputs *in);
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
/* The help lines of -b, --scope and --all, shared by plan, packet and batch. */
#define CMD_SCOPE_HELP \
	"  -b, --brokers ID,...   these brokers (see 'optout brokers list')\n" \
	"      --scope S          the brokers of a scope: curated (the default: the\n" \
	"                         researched records), government (known or declared\n" \
	"                         to sell to government or law enforcement, curated\n" \
	"                         first), people-search, registered (every broker in a\n" \
	"                         state registry), all\n" \
	"      --all              every broker in the registry (--scope all)\n"
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

#endif
