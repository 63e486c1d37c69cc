/*
 * followup: follow-up letters for overdue requests, appeals of refusals
 * where the law gives one (with a confirmed window), and complaints to the
 * one regulator of the person's residence and law for requests denied (after
 * the appeal's window) or still ignored after a follow-up.
 *
 * The ledger says what is overdue; the letters need the person's details,
 * which the ledger never holds, so the caller gives the profiles (one, or
 * a client list) and requests of other clients are left out and counted.
 * Each letter is written atomically as DIR/<client>/followup-<ref>.pdf,
 * appeal-<ref>.pdf or complaint-<ref>.pdf, then recorded as an action in the ledger, so a run
 * again writes nothing twice.
 *
 * Contract: followup_run returns 0 and fills *s (free with
 * followup_summary_free), or -1 with *cause set.
 */
#ifndef OPTOUT_FOLLOWUP_H
#define OPTOUT_FOLLOWUP_H

#include <stddef.h>

#include "optout/date.h"
#include "optout/registry.h"

struct agent;
struct laws;
struct ledger;
struct ledger_request;
struct plan_item;
struct letters;
struct profile;
struct registry;

struct followup_opts {
	struct ledger *ledger;
	const struct registry *reg;
	const struct laws *laws;
	const struct agent *agent;
	struct profile *const *profiles; /* the people whose requests may be followed up */
	size_t nprofiles;
	struct letters *letters;
	const char *outdir;
	date_t today;
	int overdue_only;   /* only overdue requests, not denied ones */
	int grace_days;     /* days after a follow-up before a complaint (default 14) */
};

struct followup_summary {
	size_t followups, appeals, complaints;
	size_t no_profile;    /* requests of clients without a profile given */
	size_t no_regulator;  /* would need a complaint, but no statute gives a regulator */
	size_t waiting;       /* followed up, still within the grace period */
	size_t waiting_appeal; /* appealed, the business's time to answer still running */
	size_t no_regulator_address; /* no regulator on file for the residence, or none
	                                with a confirmed address or complaint form */
	char **written;       /* paths written, relative to outdir */
	size_t nwritten;
};

int followup_run(const struct followup_opts *o, struct followup_summary *s, char **cause);
/*
 * A plan item (owned by the caller, plan_item_free) standing for a recorded
 * request: its broker, procedure, law, reference and due date, with the
 * disclosure rules of `today`; NULL when the broker or law is unknown now.
 */
struct plan_item *followup_recorded_item(const struct registry *reg, const struct laws *laws,
    const struct agent *agent, const struct ledger_request *r, const struct profile *p,
    date_t today);
/* "request to delete personal information" and the like. */
const char *followup_request_words(enum request r);
void followup_summary_free(struct followup_summary *s);

#endif
