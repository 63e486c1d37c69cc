/* submit: send prepared web forms through the multi interface, ledger first. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "optout/form.h"
#include "optout/http.h"
#include "optout/ledger.h"
#include "optout/plan.h"
#include "optout/submit.h"
#include "optout/util.h"

/* The directory evidence goes to: $XDG_DATA_HOME/optout/evidence (never /tmp). */
char *
submit_evidence_dir(char **cause)
{
	return data_home_path("evidence", "where to keep the evidence", cause);
}

/* Keep the last reply as evidence, readable by the user only. */
static int
save_evidence(struct submission *s, char **cause)
{
	const char *body, *url;
	size_t len;
	long status;
	char *dir, *file, *d, stamp[32];
	struct buf b;
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	if ((body = form_evidence(s->job, &len, &status, &url)) == NULL)
		return 0;
	if (ephemeral_mode())
		return 0; /* the reply is not kept on a shared computer */
	if ((dir = submit_evidence_dir(cause)) == NULL)
		return -1;
	if (make_dirs(dir, 0700, cause) != 0 || chmod(dir, 0700) != 0) {
		if (*cause == NULL)
			*cause = xasprintf("%s: %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	d = http_url_display(url);
	buf_init(&b);
	buf_printf(&b,
	    "<!-- optout evidence\n     reference: %s\n     broker:    %s (procedure %s)\n"
	    "     address:   %s\n     status:    %ld\n     outcome:   %s\n"
	    "     saved:     %s\n-->\n",
	    s->it->reference, s->it->broker->id, s->it->proc->id, d, status,
	    form_outcome_name(form_outcome(s->job)), stamp);
	buf_add(&b, body, len);
	free(d);
	file = xasprintf("%s/%s.html", dir, s->it->reference);
	free(dir);
	rc = write_file_atomic(file, b.data, b.len, 0600, cause);
	buf_free(&b);
	if (rc != 0) {
		free(file);
		return -1;
	}
	s->evidence = file;
	return 0;
}

/* The flow callback: the form engine decides the next request. */
static const struct http_request *
next_request(void *arg, const struct http_response *r)
{
	struct submission *s = arg;

	return form_advance(s->job, r);
}

/* Whether a submission is one to send at all. */
static int
sendable(const struct submission *s)
{
	return s->job != NULL && !form_for_person(s->job);
}

/* Send every submission at once, recording each in the ledger around the I/O. */
int
submit_send(struct submission **subs, size_t n, const struct http_opts *ho, struct ledger *ledger,
    const struct laws *laws, const char *client, char **cause)
{
	struct http_flow *flows = xcalloc(n ? n : 1, sizeof *flows);
	size_t i, nf = 0;

	for (i = 0; i < n; i++) {
		struct submission *s = subs[i];
		int existed = 0;

		if (!sendable(s) || !ledger_tracks(s->it->request))
			continue;
		/*
		 * Recorded, then committed as "sending", before any network I/O: a crash
		 * from here on leaves a request to review, never one sent twice blindly.
		 */
		s->prior = LS_PLANNED;
		/* An open request keeps its recorded reference (evidence, form, report). */
		if (ledger_record_plan(ledger, s->it, client, &s->ledger_id, &existed, &s->prior,
		    cause) != 0)
			goto fail;
		if (existed && s->prior != LS_PLANNED && s->prior != LS_FAILED) {
			s->already = 1;
			continue;
		}
		if (ledger_begin_send(ledger, s->ledger_id, cause) != 0)
			goto fail;
		if ((s->session = http_session_new(ho, cause)) == NULL) {
			char *err = NULL;

			ledger_finish_send(ledger, s->ledger_id, 0, NULL, 0, laws,
			    "could not start the HTTPS session", &err);
			free(err);
			goto fail;
		}
		flows[nf].session = s->session;
		flows[nf].next = next_request;
		flows[nf].arg = s;
		nf++;
	}
	if (nf > 0)
		http_run_many(flows, nf, ho);
	free(flows);
	for (i = 0; i < n; i++) {
		struct submission *s = subs[i];
		enum form_outcome out;
		char *err = NULL;
		int ok;

		if (!sendable(s) || s->already)
			continue;
		if (save_evidence(s, &err) != 0) {
			s->problem = err;
			err = NULL;
		}
		/* Done or awaiting the email link: the request went out and its deadline runs. */
		out = form_outcome(s->job);
		ok = out == FORM_DONE || out == FORM_AWAITING_EMAIL;
		if (out == FORM_NEEDS_REVIEW) {
			/* It may have reached the broker: never "failed", which invites a resend. */
			if (ledger_finish_review(ledger, s->ledger_id, form_outcome_name(out), cause) != 0)
				return -1;
		} else if (ledger_finish_send(ledger, s->ledger_id, ok, NULL, 0, laws,
		    ok ? NULL : form_outcome_name(out), cause) != 0)
			return -1;
	}
	return 0;
fail:
	free(flows);
	return -1;
}

/* Free what submit_send made for a submission. */
void
submission_clear(struct submission *s)
{
	http_session_free(s->session);
	free(s->evidence);
	free(s->problem);
	memset(s, 0, sizeof *s);
}
