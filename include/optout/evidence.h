/*
 * evidence: one PDF that records what happened to a request (or to every
 * request of a client), for a complaint or an attorney.
 *
 * It holds, per request: the facts (broker, law, channel, the day the clock
 * ran from, the due date, tracking number, Message-ID), a timeline of every
 * recorded event with its date, the broker's own words when it refused, and
 * the text of the broker's reply kept by 'optout submit' (REFERENCE.html in
 * the replies folder), if any.  After that summary come the request letters
 * themselves, re-rendered from the ledger (reference, procedure, law, the
 * day the request was written) and the person's details, because the
 * ledger keeps no copy of a letter and a PDF cannot be copied page by page
 * into another with the PDF library used here; the summary says so, and
 * names the folder where the copy sent is kept.  The person's private notes
 * never appear.
 *
 * Contract: evidence_pdf returns EV_OK and an allocated PDF the caller
 * frees, or another status with *cause set (allocated, no personal data).
 */
#ifndef OPTOUT_EVIDENCE_H
#define OPTOUT_EVIDENCE_H

#include <stddef.h>

#include "optout/date.h"

struct agent;
struct laws;
struct ledger;
struct letters;
struct profile;
struct registry;

struct evidence_opts {
	struct ledger *ledger;
	const struct registry *reg;
	const struct laws *laws;
	const struct agent *agent;
	struct profile *const *profiles; /* to re-render the letters; may be empty */
	size_t nprofiles;
	struct letters *letters;
	const char *reference;   /* one request (reference or id), or NULL */
	const char *client;      /* every request of this client label, or NULL */
	const char *replies_dir; /* where 'optout submit' keeps replies; may be NULL */
	date_t today;
};

enum evidence_status {
	EV_OK,
	EV_NOT_FOUND, /* no such request, or the client has none */
	EV_ERROR,     /* the ledger, a template or the PDF failed */
};

enum evidence_status evidence_pdf(const struct evidence_opts *o, unsigned char **out,
    size_t *len, size_t *nrequests, size_t *nletters, char **cause);

#endif
