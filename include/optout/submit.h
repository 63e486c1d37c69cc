/*
 * submit: send prepared web forms, several at once, recording each in the
 * ledger so that nothing is ever sent twice.
 *
 * For each submission the request is recorded, then committed as
 * "sending" before any network I/O; afterwards it is marked sent (done or
 * awaiting the email link), needs-review (the form went out but no
 * recognised answer came back: it may have been received) or failed, and the broker's last reply is kept
 * as evidence under $XDG_DATA_HOME/optout/evidence (0700, files 0600).
 * A request the ledger already shows as sent (or sending, or awaiting an
 * answer) is not sent again: its `already` flag says so.
 *
 * Contract: submit_send returns 0, or -1 with *cause set when the ledger
 * cannot be written (then nothing more is sent).  The plan items and form
 * jobs are borrowed; the sessions and evidence paths the call makes belong
 * to the submissions and are freed by submission_clear.
 */
#ifndef OPTOUT_SUBMIT_H
#define OPTOUT_SUBMIT_H

#include <stddef.h>

#include "optout/ledger.h"

struct form_job;
struct http_opts;
struct http_session;
struct laws;
struct plan_item;

struct submission {
	struct plan_item *it;         /* the planned request (its reference becomes the ledger's) */
	struct form_job *job;         /* its prepared form (automatic, not for a person) */
	struct http_session *session; /* made by submit_send */
	char *evidence;               /* the evidence file written, or NULL */
	char *problem;                /* what went wrong besides the outcome, or NULL */
	long long ledger_id;          /* its ledger row */
	int already;                  /* the ledger shows it went out before: not sent */
	enum ledger_state prior;      /* the ledger state it was found in */
};

int submit_send(struct submission **subs, size_t n, const struct http_opts *ho,
    struct ledger *ledger, const struct laws *laws, const char *client, char **cause);
void submission_clear(struct submission *s);

/* $XDG_DATA_HOME/optout/evidence, where replies are kept (allocated), or NULL. */
char *submit_evidence_dir(char **cause);

#endif
