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
#include "optout/mail-smtp.h"
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
	/*
	 * NULL: letters only.  Else a follow-up or appeal to a request optout
	 * sent by email (it has a Message-ID) goes to the broker by email too, as
	 * a reply to the request (In-Reply-To, References, "Re:"), through
	 * mail_deliver: with mail->send it is sent and recorded as the action
	 * once the server took it; without, it is only shown (the PDF copy is
	 * written, nothing recorded).  Complaints are never emailed.
	 */
	const struct mail_deliver_opts *mail;
};

/* A follow-up's or appeal's email and what became of it (in followup_summary). */
struct followup_mail {
	struct plan_item *it;
	struct doc *doc;
	char *subject, *in_reply_to, *person, *file;
	const char *kind;   /* "followup" or "appeal" */
	date_t appeal_due;
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
	/* With opts.mail: the emails (outs[i] goes with mails[i]), and complaints written
	 * for requests that went by email (complaints are not emailed). */
	struct mail_out *outs;
	struct followup_mail *mails;
	size_t nmails, complaints_by_post;
	size_t emailed;       /* follow-ups and appeals the server took (recorded) */
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
