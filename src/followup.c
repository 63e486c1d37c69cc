/* followup: reminders for overdue requests and complaints to the regulator. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optout/doc.h"
#include "optout/followup.h"
#include "optout/i18n.h"
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
const char *
followup_request_words(enum request r)
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
struct plan_item *
followup_recorded_item(const struct registry *reg, const struct laws *laws,
    const struct agent *agent, const struct ledger_request *r, const struct profile *p,
    date_t today)
{
	const struct broker *b = registry_find(reg, r->broker);
	const struct law *law = laws_find(laws, r->law);
	struct plan_opts po = { 0 };
	struct plan_item *it;
	size_t i;

	if (b == NULL || law == NULL)
		return NULL;
	po.request = r->request;
	po.agent = agent;
	po.today = today;
	it = plan_make(b, p, laws, &po);
	for (i = 0; i < b->nprocedures; i++)
		if (strcmp(b->procedures[i].id, r->procedure) == 0)
			it->proc = &b->procedures[i];
	it->law = law;
	law_deadline(law, r->request, &it->deadline);
	it->due = ledger_effective_due(r);
	snprintf(it->reference, sizeof it->reference, "%s", r->reference);
	return it;
}

/* The plan item of a request for this run's letters. */
static struct plan_item *
recorded_item(const struct followup_opts *o, const struct ledger_request *r,
    const struct profile *p)
{
	return followup_recorded_item(o->reg, o->laws, o->agent, r, p, o->today);
}

/* The day of a date as lang writes it: "22 November 2026" (lang NULL), "22 de noviembre de 2026". */
static void
long_day(struct jv *o, const char *key, date_t d, const char *lang)
{
	char *day;

	if (d == 0)
		return;
	day = i18n_date_long(d, lang, data_dir());
	jv_set_str(o, key, day);
	free(day);
}

/* Remember a written file. */
static void
add_written(struct followup_summary *s, char *file)
{
	s->written = xreallocarray(s->written, s->nwritten + 1, sizeof *s->written);
	s->written[s->nwritten++] = file;
}

/* Remember a written reading copy. */
static void
add_copy(struct followup_summary *s, char *file)
{
	s->copies = xreallocarray(s->copies, s->ncopies + 1, sizeof *s->copies);
	s->copies[s->ncopies++] = file;
}

/*
 * Add a timeline row: its date, the event's English words, and the event as
 * a flag (ev_sent, ev_due...) for a reading copy that words it itself.
 */
static void
timeline_add(struct jv *t, date_t d, const char *event, const char *kind, const char *lang)
{
	struct jv *e = jv_new_object();
	char key[32];

	long_day(e, "date", d, lang);
	jv_set_str(e, "event", event);
	snprintf(key, sizeof key, "ev_%s", kind);
	jv_set(e, key, jv_new_bool(1));
	jv_push(t, e);
}

/* What one recorded event says in a timeline, or NULL for events a regulator need not see. */
static const char *
event_words(const char *kind)
{
	static const struct {
		const char *kind, *words;
	} table[] = {
		{ "sent", "The request was sent." },
		{ "mailed", "The request was mailed." },
		{ "delivered", "The request was delivered to the business." },
		{ "acknowledged", "The business confirmed it received the request." },
		{ "extended", "The business gave notice that it extends the period to answer." },
		{ "followup", "A follow-up letter was sent; no complete answer came." },
		{ "appeal", "An appeal of the refusal was sent to the business." },
		{ "denied", "The business refused the request." },
		{ "completed", "The business reported the request done." },
	};
	size_t i;

	for (i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strcmp(kind, table[i].kind) == 0)
			return table[i].words;
	return NULL;
}

/*
 * The request's history as timeline rows, with the due date the law set,
 * and the broker's words with its refusal (never the person's own notes).
 */
static void
history(const struct followup_opts *o, const struct ledger_request *r, struct jv *x,
    const char *lang)
{
	struct jv *t = jv_new_array();
	struct ledger_event *ev = NULL;
	char *cause = NULL;
	size_t n = 0, i;
	int due_shown = 0;
	date_t due = ledger_effective_due(r);

	if (ledger_events(o->ledger, r->id, &ev, &n, &cause) != 0) {
		free(cause);
		ev = NULL;
		n = 0;
	}
	for (i = 0; i < n; i++) {
		const char *w = event_words(ev[i].kind);

		if (!due_shown && due != 0 && ev[i].day > due) {
			timeline_add(t, due, "The answer the law requires was due.", "due", lang);
			due_shown = 1;
		}
		if (w != NULL)
			timeline_add(t, ev[i].day, w, ev[i].kind, lang);
		if (strcmp(ev[i].kind, "denied") == 0 && ev[i].reason != NULL)
			jv_set_str(x, "reason", ev[i].reason);
	}
	if (!due_shown && due != 0)
		timeline_add(t, due, "The answer the law requires was due.", "due", lang);
	ledger_events_free(ev, n);
	jv_set(x, "timeline", t);
}

/* From which day the law's period runs, for the letters to say. */
static struct jv *
clock_data(const struct followup_opts *o, const struct ledger_request *r, const char *lang)
{
	struct jv *c = jv_new_object();

	long_day(c, "from", r->clock_start != 0 ? r->clock_start : r->sent, lang);
	jv_set(c, "received", jv_new_bool(r->clock_basis == LC_RECEIVED));
	jv_set(c, "transit", jv_new_bool(r->clock_basis == LC_TRANSIT));
	jv_set(c, "sent", jv_new_bool(r->clock_basis == LC_SENT));
	jv_set(c, "transit_days", jv_new_int(laws_mail_transit_days(o->laws)));
	long_day(c, "received_on", r->received, lang);
	return c;
}

/*
 * The regulator's block for a letter: name, postal lines, complaint form.
 * A field that is not confirmed but that the entry's "secondary" record gives
 * is passed on with that record's name and date (as lang writes it), for the
 * letter to print it with a caution; a confirmed field is never replaced.
 */
static struct jv *
regulator_data(const struct jv *reg, const char *lang)
{
	struct jv *x = jv_new_object(), *lines = jv_new_array(), *s;
	const struct jv *postal = jv_get(reg, "postal"), *url = jv_get(reg, "complaint_url");
	const struct jv *sec = jv_get(reg, "secondary"), *src = jv_get(sec, "source");
	const char *name = jv_str(jv_get(reg, "name")), *as_of;
	int sec_postal = 0, sec_url = 0;
	date_t day;
	size_t i;

	jv_set_str(x, "name", name);
	if (postal == NULL && jv_get(sec, "postal") != NULL) {
		postal = jv_get(sec, "postal");
		sec_postal = 1;
		/* The record's lines do not name the authority: the name heads them. */
		jv_push(lines, jv_new_string(name));
	}
	for (i = 0; i < jv_len(postal); i++)
		jv_push(lines, jv_new_string(jv_str(jv_at(postal, i))));
	jv_set(x, "postal_lines", lines);
	jv_set(x, "has_postal", jv_new_bool(postal != NULL));
	if (url == NULL && jv_get(sec, "complaint_url") != NULL) {
		url = jv_get(sec, "complaint_url");
		sec_url = 1;
	}
	jv_set_str(x, "url", jv_str(url));
	if (sec_postal || sec_url) {
		s = jv_new_object();
		jv_set(s, "both", jv_new_bool(sec_postal && sec_url));
		jv_set(s, "postal_only", jv_new_bool(sec_postal && !sec_url));
		jv_set(s, "url_only", jv_new_bool(sec_url && !sec_postal));
		as_of = jv_str(jv_get(src, "as_of"));
		if (as_of != NULL && date_parse(as_of, &day) == 0)
			long_day(s, "as_of", day, lang);
		else
			jv_set_str(s, "as_of", as_of);
		jv_set_str(s, "website", jv_str(jv_get(reg, "website")));
		jv_set(x, "secondary", s);
	}
	/* Named only when neither the address nor the form is known: where to take them from. */
	if (postal == NULL && url == NULL)
		jv_set_str(x, "website", jv_str(jv_get(reg, "website")));
	return x;
}

/* The regulator for the request's law and the person's residence, or NULL. */
static const struct jv *
find_regulator(const struct followup_opts *o, const struct law *law, const struct profile *p)
{
	const struct address *a = p != NULL ? p->current : NULL;

	return laws_regulator(o->laws, law, a != NULL ? a->country : NULL,
	    a != NULL ? a->region : NULL);
}

/*
 * The days a business has to answer an appeal under the law, with its
 * section, when both are confirmed; 0 when the law gives no appeal or its
 * window is not confirmed (a refusal then goes straight to a complaint).
 */
static int
appeal_days(const struct law *law, const char **citation)
{
	const struct jv *a = jv_get(law->json, "appeal"), *unc = jv_get(a, "unconfirmed_fields");
	size_t i;

	*citation = jv_str(jv_get(a, "citation"));
	if (a == NULL || !jv_bool(jv_get(a, "available")) || *citation == NULL ||
	    jv_int(jv_get(a, "days")) <= 0)
		return 0;
	for (i = 0; i < jv_len(unc); i++) {
		const char *f = jv_str(jv_at(unc, i));

		if (strcmp(f, "days") == 0 || strcmp(f, "available") == 0 ||
		    strcmp(f, "citation") == 0)
			return 0;
	}
	return (int)jv_int(jv_get(a, "days"));
}

/* The day the broker's answer to an appeal written today is due. */
static date_t
appeal_due(const struct followup_opts *o, const struct ledger_request *r, int days)
{
	date_t arrives = o->today;

	/* Counted from the business's receipt: a mailed appeal travels as the request did. */
	if (r->channel == CH_POSTAL)
		arrives = laws_add(o->laws, o->today, laws_mail_transit_days(o->laws), UNIT_BUSINESS);
	return arrives + days;
}

/*
 * The data of one letter (follow-up, appeal or complaint) for a request, its
 * dates as lang writes them (NULL: English); *due is an appeal's answer day.
 */
static struct jv *
action_data(const struct followup_opts *o, const struct ledger_request *r,
    const struct profile *p, enum ledger_action action, const struct jv *reg,
    const struct plan_item *it, const char *lang, date_t *due)
{
	struct jv *data = plan_letter_data(it, p, o->agent, 0), *x = jv_new_object();
	const char *citation = NULL;
	int days;

	jv_set(data, "clock", clock_data(o, r, lang));
	if (reg != NULL)
		jv_set(data, "regulator", regulator_data(reg, lang));
	jv_set_str(x, "request_words", followup_request_words(r->request));
	long_day(x, "sent_on", r->sent, lang);
	long_day(x, "due", ledger_effective_due(r), lang);
	jv_set_str(x, "sent_verb", r->state == LS_MAILED || r->channel == CH_POSTAL ? "mailed"
	    : "sent");
	jv_set(x, "mailed", jv_new_bool(r->state == LS_MAILED || r->channel == CH_POSTAL));
	jv_set_str(x, "tracking", r->tracking);
	*due = 0;
	switch (action) {
	case LA_FOLLOWUP:
		jv_set(x, "extended", jv_new_bool(r->extended_due != 0));
		long_day(x, "reply_by", o->today + 14, lang);
		jv_set(data, "followup", x);
		break;
	case LA_APPEAL:
		days = appeal_days(it->law, &citation);
		*due = appeal_due(o, r, days);
		long_day(x, "denied_on", r->closed, lang);
		jv_set(x, "days", jv_new_int(days));
		jv_set_str(x, "citation", citation);
		/* Whether the law makes the business point the person to the regulator on a denial. */
		jv_set(x, "informs_of_regulator", jv_new_bool(jv_bool(jv_get(jv_get(it->law->json,
		    "appeal"), "informs_of_regulator"))));
		long_day(x, "answer_by", *due, lang);
		history(o, r, x, lang);
		jv_set(data, "appeal", x);
		break;
	case LA_COMPLAINT:
	default:
		/* The regulator must be able to reply: the sender's full address, whatever the broker needed. */
		if (p->current != NULL) {
			char **lines = address_lines(p->current, 0);
			struct jv *arr = jv_new_array();
			size_t i;

			for (i = 0; lines[i] != NULL; i++)
				jv_push(arr, jv_new_string(lines[i]));
			str_list_free(lines);
			jv_set(x, "sender_lines", arr);
		}
		jv_set(x, "denied", jv_new_bool(r->state == LS_DENIED));
		long_day(x, "appeal_due", r->appeal_due, lang);
		history(o, r, x, lang);
		jv_set(data, "complaint", x);
		break;
	}
	return data;
}

/* Write a PDF as DIR/<client>/[SUB/]NAME; *file gets its path relative to DIR. */
static int
put_pdf(const struct followup_opts *o, const struct ledger_request *r, const char *sub,
    const char *name, const unsigned char *pdf, size_t len, char **file, char **cause)
{
	char *client = path_join(o->outdir, r->client);
	char *dir = sub != NULL ? path_join(client, sub) : xstrdup(client);
	char *path = path_join(dir, name);
	int rc = make_dirs(dir, 0700, cause);

	if (rc == 0)
		rc = write_file_atomic(path, pdf, len, 0600, cause);
	if (rc == 0)
		*file = sub != NULL ? xasprintf("%s/%s/%s", r->client, sub, name)
		    : xasprintf("%s/%s", r->client, name);
	free(path);
	free(dir);
	free(client);
	return rc;
}

/*
 * A reading copy of the letter in the person's language (--lang, else the
 * profile's), when that language has the letter's template:
 * DIR/<client>/translations/<kind>-<ref>.<lang>.pdf, marked at the top as a
 * translation; the English letter is the one signed and sent.  *copy stays
 * NULL when none is written.
 */
static int
write_reading_copy(const struct followup_opts *o, const struct ledger_request *r,
    const struct profile *p, enum ledger_action action, const struct jv *reg,
    const struct plan_item *it, char **copy, char **cause)
{
	char *lang = i18n_template_language(o->language != NULL ? o->language : p->language,
	    data_dir());
	const char *kind = ledger_action_name(action);
	struct letters *l;
	struct jv *data;
	unsigned char *pdf;
	char *name;
	size_t len;
	date_t due;
	int rc;

	*copy = NULL;
	if (lang == NULL)
		return 0;
	l = letters_language(o->letters, lang);
	if (!letters_has(l, kind)) {
		free(lang);
		return 0;
	}
	data = action_data(o, r, p, action, reg, it, lang, &due);
	letter_translation_data(data, it, o->today, lang);
	rc = letters_pdf(l, kind, data, &pdf, &len, cause);
	jv_free(data);
	if (rc == 0) {
		name = xasprintf("%s-%s.%s.pdf", kind, r->reference, lang);
		rc = put_pdf(o, r, "translations", name, pdf, len, copy, cause);
		free(name);
		free(pdf);
	}
	free(lang);
	return rc;
}

/*
 * Write one letter (follow-up, appeal or complaint) for a request, and its
 * reading copy in the person's language (*copy, or NULL), and record the
 * action; with em (an email to send), render it for the email too and leave
 * the recording to the email's outcome.  The email is the English letter only.
 */
static int
write_letter(const struct followup_opts *o, const struct ledger_request *r,
    const struct profile *p, enum ledger_action action, const struct jv *reg, char **file,
    char **copy, struct followup_mail *em, char **cause)
{
	struct plan_item *it = recorded_item(o, r, p);
	const char *kind = ledger_action_name(action);
	struct jv *data;
	char *name;
	unsigned char *pdf = NULL;
	size_t len;
	date_t due = 0;
	int rc;

	*copy = NULL;
	if (it == NULL) {
		/* TRANSLATORS: a request's reference, the broker's id, the law's id. */
		*cause = xasprintf(_("%s: its broker '%s' or law '%s' is no longer known"),
		    r->reference, r->broker, r->law);
		return -1;
	}
	data = action_data(o, r, p, action, reg, it, NULL, &due);
	rc = letters_pdf(o->letters, kind, data, &pdf, &len, cause);
	if (rc == 0 && em != NULL) {
		em->appeal_due = due;
		if ((em->doc = letter_render(o->letters, kind, data, cause)) == NULL)
			rc = -1;
	}
	jv_free(data);
	if (rc == 0) {
		name = xasprintf("%s-%s.pdf", kind, r->reference);
		rc = put_pdf(o, r, NULL, name, pdf, len, file, cause);
		free(name);
	}
	free(pdf);
	if (rc == 0)
		rc = write_reading_copy(o, r, p, action, reg, it, copy, cause);
	if (em != NULL && rc == 0)
		em->it = it;
	else
		plan_item_free(it);
	/* Recorded only once the letters are safely on disk: a crash before means they are written again. */
	if (rc != 0 || em != NULL)
		;
	else if (action == LA_APPEAL)
		rc = ledger_record_appeal(o->ledger, r->id, o->today, due, cause);
	else
		rc = ledger_record_action(o->ledger, r->id, action, o->today, NULL, cause);
	if (rc != 0) {
		free(*file);
		free(*copy);
		*file = *copy = NULL;
		if (em != NULL) {
			doc_free(em->doc);
			em->doc = NULL;
		}
	}
	return rc;
}

/*
 * Whether a complaint to a regulator can be filed from what is on file: its
 * confirmed address or form, or else its own site to take them from.
 */
static int
reachable(const struct jv *reg)
{
	return jv_get(reg, "postal") != NULL || jv_get(reg, "complaint_url") != NULL ||
	    jv_get(reg, "website") != NULL;
}

/* Decide which letter a request needs now: 0 none (counted in s), 1 with *action set. */
static int
decide(const struct followup_opts *o, const struct ledger_request *r, const struct law *law,
    struct followup_summary *s, enum ledger_action *action, char **cause)
{
	date_t followed, complained, appealed, due = ledger_effective_due(r);
	int overdue = ledger_state_awaiting(r->state) && due != 0 && o->today > due;
	int grace = o->grace_days > 0 ? o->grace_days : DEFAULT_GRACE_DAYS;
	const char *citation;

	if (!overdue && !(r->state == LS_DENIED && !o->overdue_only))
		return 0;
	if (ledger_last_action(o->ledger, r->id, LA_FOLLOWUP, &followed, cause) != 0 ||
	    ledger_last_action(o->ledger, r->id, LA_COMPLAINT, &complained, cause) != 0 ||
	    ledger_last_action(o->ledger, r->id, LA_APPEAL, &appealed, cause) != 0)
		return -1;
	if (complained)
		return 0;
	if (r->state == LS_DENIED && law != NULL && appeal_days(law, &citation) > 0) {
		/* The law gives an appeal: it comes first, the complaint after its window. */
		if (!appealed) {
			*action = LA_APPEAL;
			return 1;
		}
		if (r->appeal_due != 0 && o->today > r->appeal_due) {
			*action = LA_COMPLAINT;
			return 1;
		}
		s->waiting_appeal++;
		return 0;
	}
	if (r->state == LS_DENIED || (followed && o->today - followed >= grace))
		*action = LA_COMPLAINT;
	else if (!followed)
		*action = LA_FOLLOWUP;
	else {
		s->waiting++;
		return 0;
	}
	return 1;
}

/* Whether optout sent this request by email, so that a follow-up replies to it. */
static int
went_by_email(const struct followup_opts *o, const struct ledger_request *r)
{
	const struct broker *b = registry_find(o->reg, r->broker);
	size_t i;

	if (o->mail == NULL || r->channel != CH_EMAIL || r->message_id == NULL || b == NULL)
		return 0;
	for (i = 0; i < b->nprocedures; i++)
		if (strcmp(b->procedures[i].id, r->procedure) == 0)
			return b->procedures[i].email != NULL;
	return 0;
}

/* Set up the email of a follow-up or appeal written for r (its letter rendered in em). */
static void
add_mail(const struct followup_opts *o, struct followup_summary *s, const struct ledger_request *r,
    const struct profile *p, enum ledger_action action, struct followup_mail *em)
{
	struct mail_out *m;

	s->outs = xreallocarray(s->outs, s->nmails + 1, sizeof *s->outs);
	s->mails = xreallocarray(s->mails, s->nmails + 1, sizeof *s->mails);
	em->kind = ledger_action_name(action);
	em->person = profile_full_name(p);
	em->in_reply_to = xstrdup(r->message_id);
	/* The letter's subject carries the reference; "Re:" threads it under the request. */
	em->subject = xasprintf("Re: %s", em->doc->subject != NULL ? em->doc->subject :
	    r->reference);
	s->mails[s->nmails] = *em;
	m = &s->outs[s->nmails];
	mail_out_init(m, em->it, em->doc, p, o->agent, em->person);
	m->h.subject = em->subject;
	m->h.in_reply_to = em->in_reply_to;
	m->followup_id = r->id;
	m->followup_kind = action;
	s->nmails++;
}

/* Deliver the emails set up, and record each follow-up or appeal the server took. */
static int
deliver_mails(const struct followup_opts *o, struct followup_summary *s, char **cause)
{
	size_t i;

	if (s->nmails == 0)
		return 0;
	if (mail_deliver(s->outs, s->nmails, o->mail, o->ledger, o->laws, cause) != 0)
		return -1;
	for (i = 0; i < s->nmails; i++) {
		const struct followup_mail *em = &s->mails[i];
		const struct mail_out *m = &s->outs[i];
		int rc;

		if (m->status != MS_SENT && m->status != MS_ALREADY)
			continue;
		/* Sent now, or by a run that stopped before recording it. */
		if (m->followup_kind == LA_APPEAL)
			rc = ledger_record_appeal(o->ledger, m->followup_id, o->today, em->appeal_due, cause);
		else
			rc = ledger_record_action(o->ledger, m->followup_id, LA_FOLLOWUP, o->today, NULL,
			    cause);
		if (rc != 0)
			return -1;
		s->emailed++;
	}
	return 0;
}

/* Decide and write what one request needs. */
static int
do_request(const struct followup_opts *o, const struct ledger_request *r,
    struct followup_summary *s, char **cause)
{
	const struct law *law = laws_find(o->laws, r->law);
	const struct profile *p;
	const struct jv *reg = NULL;
	enum ledger_action action = LA_FOLLOWUP;
	char *file = NULL, *copy = NULL;
	int rc;

	if ((rc = decide(o, r, law, s, &action, cause)) <= 0)
		return rc;
	if (action == LA_COMPLAINT && (law == NULL || jv_get(law->json, "regulator") == NULL ||
	    !jv_bool(jv_get(jv_get(law->json, "deadline"), "binding")))) {
		s->no_regulator++;
		return 0;
	}
	if ((p = find_profile(o, r->client)) == NULL) {
		s->no_profile++;
		return 0;
	}
	reg = find_regulator(o, law, p);
	if (action == LA_COMPLAINT && (reg == NULL || !reachable(reg))) {
		/* Never a complaint to a guessed authority or address. */
		s->no_regulator_address++;
		return 0;
	}
	if (action != LA_COMPLAINT && went_by_email(o, r)) {
		struct followup_mail em;

		memset(&em, 0, sizeof em);
		if (write_letter(o, r, p, action, reg, &file, &copy, &em, cause) != 0)
			return -1;
		em.file = file;
		add_mail(o, s, r, p, action, &em);
		if (copy != NULL)
			add_copy(s, copy);
		return 0;
	}
	if (action == LA_COMPLAINT && went_by_email(o, r))
		s->complaints_by_post++;
	if (write_letter(o, r, p, action, reg, &file, &copy, NULL, cause) != 0)
		return -1;
	add_written(s, file);
	if (copy != NULL)
		add_copy(s, copy);
	if (action == LA_FOLLOWUP)
		s->followups++;
	else if (action == LA_APPEAL)
		s->appeals++;
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
	if (rc == 0)
		rc = deliver_mails(o, s, cause);
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
	for (i = 0; i < s->ncopies; i++)
		free(s->copies[i]);
	free(s->copies);
	for (i = 0; i < s->nmails; i++) {
		struct followup_mail *em = &s->mails[i];

		mail_out_clear(&s->outs[i]);
		plan_item_free(em->it);
		doc_free(em->doc);
		free(em->subject);
		free(em->in_reply_to);
		if (em->person != NULL)
			secure_free(em->person);
		free(em->file);
	}
	free(s->outs);
	free(s->mails);
	memset(s, 0, sizeof *s);
}
