/*
 * form: the web-form engine.  It turns a plan and the broker record's
 * `form` description (brokers/schema.json, $defs/form) into the requests
 * a careful person would make, step by step, and reads the replies.
 *
 * What goes out is decided before any request: each field the form
 * fills names the plan field it carries (`from`), and its template sees
 * only that field's values (plus the reference, the date, the request
 * and the broker), so a form cannot send what the plan does not
 * disclose.  A field that carries a withheld or undisclosed value makes
 * form_prepare refuse.
 *
 * The engine makes no network calls: form_advance takes the reply to the
 * last request (NULL at the start) and returns the next request, or NULL
 * when the flow has ended with an outcome.  Pages are read with the html
 * module; CAPTCHAs are never solved or bypassed: a page with one ends the
 * flow as needs-human before anything is submitted on it.
 *
 * Contract: form_prepare returns a job owned by the caller (form_free
 * accepts NULL), which borrows the plan item and profile.  Returned
 * strings and requests are borrowed from the job; a request stays valid
 * until the next form_advance.  Messages never contain personal data.
 */
#ifndef OPTOUT_FORM_H
#define OPTOUT_FORM_H

#include <stddef.h>

#include "optout/http.h"
#include "optout/plan.h"

struct jv;
struct form_job;

enum form_outcome {
	FORM_PENDING,        /* not finished (or not started) */
	FORM_DONE,           /* a success pattern matched the reply */
	FORM_AWAITING_EMAIL, /* the reply asks the person to confirm by email */
	FORM_NEEDS_HUMAN,    /* a CAPTCHA, a script-only page, or a form that no longer matches */
	FORM_FAILED,         /* refused, rejected, or a reply nobody recognised */
	FORM_TRY_LATER,      /* the site was busy (429/5xx after retries) or unreachable */
	FORM_NEEDS_REVIEW,   /* the request may have reached the broker, with no clear answer */
};

/* One value the form sends or a person pastes. */
struct form_value {
	const char *name;     /* the form's field name */
	const char *value;    /* NULL when the page provides it (a hidden input, a token) */
	const char *from;     /* the plan field it carries, or NULL for a constant */
	const char *label;    /* for people */
	int sensitive;        /* masked unless asked (SSN, licence, sensitive DOB, ...) */
	int step;             /* 0-based step it belongs to */
};

/* Prepare the job for a plan item whose procedure is a web form. */
struct form_job *form_prepare(const struct plan_item *it, const struct profile *p,
    char **cause);
void form_free(struct form_job *j);

/* Whether the record says a person must do it (automation "person", or no form described). */
int form_for_person(const struct form_job *j);
/* Why a person must do it, as a sentence; NULL for an automatic form. */
const char *form_person_reason(const struct form_job *j);
/* Whether the record's field names were checked against the live form. */
int form_verified(const struct form_job *j);
/* The page a person starts from. */
const char *form_start_url(const struct form_job *j);

/* The values, in step order (n set to their number). */
const struct form_value *form_values(const struct form_job *j, size_t *n);
/* A value as shown: masked ("*****") when sensitive and show is 0. */
const char *form_shown(const struct form_value *v, int show);

/* The dry run: the exact requests, as text (values masked unless show) and as JSON. */
char *form_describe(const struct form_job *j, int show);
struct jv *form_describe_jv(const struct form_job *j, int show);

/* Drive the flow: give the reply to the last request (NULL first); get the next or NULL. */
const struct http_request *form_advance(struct form_job *j, const struct http_response *r);
enum form_outcome form_outcome(const struct form_job *j);
const char *form_outcome_name(enum form_outcome o);
/* What decided the outcome, as a sentence (no personal data). */
const char *form_reason(const struct form_job *j);
/* The URL of the last page reached (NULL before any reply). */
const char *form_last_url(const struct form_job *j);
/* Each request made and its status, as lines "POST https://host/path -> 200". */
const char *const *form_trace(const struct form_job *j);
/*
 * The last reply kept as evidence: body, length, status and URL; NULL
 * when no reply arrived.
 */
const char *form_evidence(const struct form_job *j, size_t *len, long *status, const char **url);

#endif
