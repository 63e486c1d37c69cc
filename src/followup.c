/* followup: reminders for overdue requests and complaints to the regulator. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optout/followup.h"
#include "optout/jv.h"
#include "optout/laws.h"
#include "optout/ledger.h"
#include "optout/letter.h"
#include "optout/plan.h"
#include "optout/profile.h"
#include "optout/registry.h"
#include "optout/util.h"

#define DEFAULT_GRACE_DAYS 14

/* The profile whose label is the ledger's client, or NULL. */
static const struct profile *
find_profile(const struct followup_opts *o, const char *client)
{
	size_t i;

	for (i = 0; i < o->nprofiles; i++)
		if (o->profiles[i]->label != NULL && strcmp(o->profiles[i]->label, client) == 0)
			return o->profiles[i];
	return NULL;
}

/* "request to delete personal information" and the like. */
static const char *
request_words(enum request r)
{
	switch (r) {
	case REQ_ACCESS:
		return "request to know what personal information is held";
	case REQ_DELETE:
		return "request to delete personal information";
	case REQ_OPTOUT:
		return "request to opt out of the sale and sharing of personal information";
	case REQ_FREEZE:
		return "request to place a security freeze";
	case REQ_CORRECT:
	default:
		return "request to correct personal information";
	}
}

/*
 * A plan item standing for the recorded request: the procedure and law it
 * was sent under, its reference, with today's disclosure rules.
 */
static struct plan_item *
recorded_item(const struct followup_opts *o, const struct ledger_request *r,
    const struct profile *p)
{
	const struct broker *b = registry_find(o->reg, r->broker);
	const struct law *law = laws_find(o->laws, r->law);
	struct plan_opts po = { 0 };
	struct plan_item *it;
	size_t i;

	if (b == NULL || law == NULL)
		return NULL;
	po.request = r->request;
	po.agent = o->agent;
	po.today = o->today;
	it = plan_make(b, p, o->laws, &po);
	for (i = 0; i < b->nprocedures; i++)
		if (strcmp(b->procedures[i].id, r->procedure) == 0)
			it->proc = &b->procedures[i];
	it->law = law;
	law_deadline(law, r->request, &it->deadline);
	it->due = ledger_effective_due(r);
	snprintf(it->reference, sizeof it->reference, "%s", r->reference);
	return it;
}

/* The day of a date as "22 November 2026". */
static void
long_day(struct jv *o, const char *key, date_t d)
{
	char day[32];

	if (d == 0)
		return;
	date_format_long(d, day);
	jv_set_str(o, key, day);
}

/* Add a timeline row. */
static void
timeline_add(struct jv *t, date_t d, const char *event)
{
	struct jv *e = jv_new_object();

	long_day(e, "date", d);
	jv_set_str(e, "event", event);
	jv_push(t, e);
}

/* What the person noted when marking the request denied (the broker's reason), if anything. */
static void
denial_note(const struct followup_opts *o, const struct ledger_request *r, struct jv *x)
{
	struct ledger_event *ev;
	char *cause = NULL;
	size_t n, i;

	if (ledger_events(o->ledger, r->id, &ev, &n, &cause) != 0) {
		free(cause);
		return;
	}
	for (i = n; i-- > 0;) {
		if (strcmp(ev[i].kind, "denied") == 0) {
			if (ev[i].note != NULL)
				jv_set_str(x, "note", ev[i].note);
			break;
		}
	}
	ledger_events_free(ev, n);
}

/* Write one letter (followup or complaint) for a request and record the action. */
static int
write_letter(const struct followup_opts *o, const struct ledger_request *r,
    const struct profile *p, enum ledger_action action, date_t followed, char **file,
    char **cause)
{
	struct plan_item *it = recorded_item(o, r, p);
	struct jv *data, *x;
	char *dir, *path, *name, *ev;
	unsigned char *pdf;
	size_t len;
	int rc;

	if (it == NULL) {
		*cause = xasprintf("%s: its broker '%s' or law '%s' is no longer known", r->reference,
		    r->broker, r->law);
		return -1;
	}
	data = plan_letter_data(it, p, o->agent, 0);
	x = jv_new_object();
	jv_set_str(x, "request_words", request_words(r->request));
	long_day(x, "sent_on", r->sent);
	long_day(x, "due", ledger_effective_due(r));
	if (action == LA_FOLLOWUP) {
		jv_set_str(x, "sent_verb", r->state == LS_MAILED || r->channel == CH_POSTAL ? "mailed"
		    : "sent");
		jv_set_str(x, "tracking", r->tracking);
		jv_set(x, "extended", jv_new_bool(r->extended_due != 0));
		long_day(x, "reply_by", o->today + 14);
		jv_set(data, "followup", x);
	} else {
		const struct jv *reg = jv_get(it->law->json, "regulator");
		struct jv *t = jv_new_array();

		jv_set_str(x, "regulator", jv_str(jv_get(reg, "name")));
		jv_set_str(x, "url", jv_str(jv_get(reg, "url")));
		jv_set(x, "denied", jv_new_bool(r->state == LS_DENIED));
		ev = xasprintf("Request %s (reference %s)", r->channel == CH_POSTAL ? "mailed" : "sent",
		    r->reference);
		timeline_add(t, r->sent, ev);
		free(ev);
		timeline_add(t, r->due, "Answer due by law");
		if (r->extended_due)
			timeline_add(t, r->extended_due, "Extended answer due, after the business's notice");
		if (followed)
			timeline_add(t, followed, "Follow-up letter sent; no complete answer");
		if (r->state == LS_DENIED) {
			timeline_add(t, r->closed, "The business refused the request");
			denial_note(o, r, x);
		}
		jv_set(x, "timeline", t);
		jv_set(data, "complaint", x);
	}
	rc = letters_pdf(o->letters, action == LA_FOLLOWUP ? "followup" : "complaint", data, &pdf,
	    &len, cause);
	jv_free(data);
	plan_item_free(it);
	if (rc != 0)
		return -1;
	dir = path_join(o->outdir, r->client);
	name = xasprintf("%s-%s.pdf", ledger_action_name(action), r->reference);
	path = path_join(dir, name);
	rc = make_dirs(dir, 0700, cause);
	if (rc == 0)
		rc = write_file_atomic(path, pdf, len, 0600, cause);
	free(pdf);
	free(path);
	free(dir);
	/* Recorded only once the letter is safely on disk: a crash before means it is written again. */
	if (rc == 0)
		rc = ledger_record_action(o->ledger, r->id, action, o->today, NULL, cause);
	if (rc == 0)
		*file = xasprintf("%s/%s", r->client, name);
	free(name);
	return rc;
}

/* Remember a written file. */
static void
add_written(struct followup_summary *s, char *file)
{
	s->written = xreallocarray(s->written, s->nwritten + 1, sizeof *s->written);
	s->written[s->nwritten++] = file;
}

/* Decide and write what one request needs. */
static int
do_request(const struct followup_opts *o, const struct ledger_request *r,
    struct followup_summary *s, char **cause)
{
	const struct law *law = laws_find(o->laws, r->law);
	const struct profile *p;
	date_t followed, complained, due = ledger_effective_due(r);
	int overdue = ledger_state_awaiting(r->state) && due != 0 && o->today > due;
	int grace = o->grace_days > 0 ? o->grace_days : DEFAULT_GRACE_DAYS;
	enum ledger_action action;
	char *file = NULL;

	if (!overdue && !(r->state == LS_DENIED && !o->overdue_only))
		return 0;
	if (ledger_last_action(o->ledger, r->id, LA_FOLLOWUP, &followed, cause) != 0 ||
	    ledger_last_action(o->ledger, r->id, LA_COMPLAINT, &complained, cause) != 0)
		return -1;
	if (complained)
		return 0;
	if (r->state == LS_DENIED || (followed && o->today - followed >= grace))
		action = LA_COMPLAINT;
	else if (!followed)
		action = LA_FOLLOWUP;
	else {
		s->waiting++;
		return 0;
	}
	if (action == LA_COMPLAINT && (law == NULL || jv_get(law->json, "regulator") == NULL ||
	    !jv_bool(jv_get(jv_get(law->json, "deadline"), "binding")))) {
		s->no_regulator++;
		return 0;
	}
	if ((p = find_profile(o, r->client)) == NULL) {
		s->no_profile++;
		return 0;
	}
	if (write_letter(o, r, p, action, followed, &file, cause) != 0)
		return -1;
	add_written(s, file);
	if (action == LA_FOLLOWUP)
		s->followups++;
	else
		s->complaints++;
	return 0;
}

/* Write what every request in the ledger needs. */
int
followup_run(const struct followup_opts *o, struct followup_summary *s, char **cause)
{
	struct ledger_request **list;
	struct ledger_filter f = { 0 };
	size_t n, i;
	int rc = 0;

	memset(s, 0, sizeof *s);
	if (o->overdue_only)
		f.overdue_on = o->today;
	if (ledger_list(o->ledger, &f, &list, &n, cause) != 0)
		return -1;
	for (i = 0; i < n && rc == 0; i++)
		rc = do_request(o, list[i], s, cause);
	ledger_list_free(list);
	return rc;
}

/* Free a summary. */
void
followup_summary_free(struct followup_summary *s)
{
	size_t i;

	for (i = 0; i < s->nwritten; i++)
		free(s->written[i]);
	free(s->written);
	memset(s, 0, sizeof *s);
}
