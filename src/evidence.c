/* evidence: one PDF with the record of requests (timeline, broker's words, replies) and their letters. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "optout/doc.h"
#include "optout/evidence.h"
#include "optout/followup.h"
#include "optout/jv.h"
#include "optout/laws.h"
#include "optout/ledger.h"
#include "optout/letter.h"
#include "optout/pdf.h"
#include "optout/plan.h"
#include "optout/profile.h"
#include "optout/registry.h"
#include "optout/util.h"

/* A saved reply is read up to this size; its text is shown up to REPLY_TEXT_MAX bytes. */
#define REPLY_FILE_MAX ((size_t)2 * 1024 * 1024)
#define REPLY_TEXT_MAX 4000

/* The day of a date as "22 November 2026", into a JSON field (nothing when 0). */
static void
set_day(struct jv *o, const char *key, date_t d)
{
	char day[32];

	if (d == 0)
		return;
	date_format_long(d, day);
	jv_set_str(o, key, day);
}

/* What an event says in the record, or NULL for one that is only bookkeeping. */
static const char *
event_words(const char *kind)
{
	static const struct {
		const char *kind, *words;
	} table[] = {
		{ "planned", "The request was written." },
		{ "sent", "The request was sent." },
		{ "mailed", "The request was mailed." },
		{ "delivered", "The request was delivered to the business." },
		{ "acknowledged", "The business confirmed it received the request." },
		{ "extended", "The business gave notice that it extends the period to answer." },
		{ "completed", "The business reported the request done." },
		{ "denied", "The business refused the request." },
		{ "followup", "A follow-up letter was written." },
		{ "appeal", "An appeal of the refusal was written." },
		{ "complaint", "A complaint to the regulator was written." },
		{ "failed", "Sending failed; nothing went out." },
		{ "needs-review", "Sending was interrupted and had to be checked." },
	};
	size_t i;

	for (i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strcmp(kind, table[i].kind) == 0)
			return table[i].words;
	return NULL;
}

/* How the clock's start was found, in words. */
static const char *
clock_words(enum ledger_clock c)
{
	switch (c) {
	case LC_RECEIVED:
		return "the day the business received the request";
	case LC_TRANSIT:
		return "the mailing day plus the mail-transit allowance";
	case LC_SENT:
	default:
		return "the day it was sent";
	}
}

/* The length of s without a UTF-8 sequence cut short at its end. */
static size_t
utf8_whole(const char *s, size_t len)
{
	size_t lead = len, need;
	unsigned char c;

	while (lead > 0 && ((unsigned char)s[lead - 1] & 0xC0) == 0x80)
		lead--;
	if (lead == 0)
		return len;
	c = (unsigned char)s[lead - 1];
	need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	return len - (lead - 1) < need ? lead - 1 : len;
}

/* Where a tag that starts at html[i] ends (just after it): scripts and styles whole. */
static size_t
tag_end(const char *html, size_t len, size_t i)
{
	static const char *const skipped[][2] = { { "<script", "</script>" },
		{ "<style", "</style>" } };
	const char *end = NULL;
	size_t k;

	for (k = 0; k < 2 && end == NULL; k++) {
		size_t open = strlen(skipped[k][0]), close = strlen(skipped[k][1]), j;

		if (len - i < open || strncasecmp(html + i, skipped[k][0], open) != 0)
			continue;
		for (j = i + open; j + close <= len; j++)
			if (strncasecmp(html + j, skipped[k][1], close) == 0)
				return j + close;
		return len;
	}
	end = memchr(html + i, '>', len - i);
	return end != NULL ? (size_t)(end - html) + 1 : len;
}

/*
 * The visible text of a saved HTML reply: tags, scripts and styles dropped,
 * whitespace and control characters collapsed to single spaces, cut at
 * REPLY_TEXT_MAX bytes on a character boundary.  Entities stay as written.
 */
static char *
reply_text(const char *html, size_t len)
{
	struct buf b;
	size_t i = 0;
	int space = 0;

	buf_init(&b);
	while (i < len && b.len < REPLY_TEXT_MAX) {
		unsigned char c = (unsigned char)html[i];

		if (c == '<') {
			i = tag_end(html, len, i);
			space = 1;
			continue;
		}
		if (c <= ' ' || c == 0x7f) {
			space = 1;
			i++;
			continue;
		}
		if (space && b.len > 0)
			buf_addc(&b, ' ');
		space = 0;
		buf_addc(&b, html[i++]);
	}
	b.len = utf8_whole(b.data != NULL ? b.data : "", b.len);
	buf_addc(&b, '\0');
	b.len--;
	return buf_detach(&b);
}

/* The reply 'optout submit' kept for a request, as a one-item list (or none). */
static void
add_replies(const struct evidence_opts *o, const struct ledger_request *r, struct jv *x)
{
	struct jv *list = jv_new_array();
	char *path, *data = NULL, *cause = NULL, *text;
	size_t len = 0;

	if (o->replies_dir != NULL) {
		path = xasprintf("%s/%s.html", o->replies_dir, r->reference);
		if (read_file(path, REPLY_FILE_MAX, &data, &len, &cause) == 0) {
			struct jv *e = jv_new_object();

			text = reply_text(data, len);
			jv_set_str(e, "file", path);
			jv_set_str(e, "text", text);
			jv_push(list, e);
			free(text);
			free(data);
		} else
			free(cause); /* no reply kept: nothing to show */
		free(path);
	}
	jv_set(x, "replies", list);
}

/* Every recorded event as timeline rows; the broker's words; never the person's notes. */
static int
add_events(const struct evidence_opts *o, const struct ledger_request *r, struct jv *x,
    char **cause)
{
	struct jv *rows = jv_new_array();
	struct ledger_event *ev = NULL;
	size_t n = 0, i;

	if (ledger_events(o->ledger, r->id, &ev, &n, cause) != 0) {
		jv_free(rows);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const char *w = event_words(ev[i].kind);
		struct jv *row;
		const char *proof = "";
		int out = strcmp(ev[i].kind, "sent") == 0 || strcmp(ev[i].kind, "mailed") == 0;

		if (w == NULL)
			continue;
		row = jv_new_object();
		set_day(row, "date", ev[i].day);
		jv_set_str(row, "event", w);
		jv_set_str(row, "channel", out ? channel_name(r->channel) : "");
		if (out && r->message_id != NULL)
			proof = r->message_id;
		else if ((out || strcmp(ev[i].kind, "delivered") == 0) && r->tracking != NULL)
			proof = r->tracking;
		jv_set_str(row, "proof", proof);
		jv_push(rows, row);
		if (strcmp(ev[i].kind, "denied") == 0 && ev[i].reason != NULL)
			jv_set_str(x, "reason", ev[i].reason);
	}
	ledger_events_free(ev, n);
	jv_set(x, "events", rows);
	return 0;
}

/* The profile whose label is the request's client, or NULL. */
static const struct profile *
profile_of(const struct evidence_opts *o, const char *client)
{
	size_t i;

	for (i = 0; i < o->nprofiles; i++)
		if (o->profiles[i]->label != NULL && strcmp(o->profiles[i]->label, client) == 0)
			return o->profiles[i];
	return NULL;
}

/* The request letter re-rendered as written on the day it was planned, or NULL. */
static struct doc *
request_letter(const struct evidence_opts *o, const struct ledger_request *r, char **cause)
{
	const struct profile *p = profile_of(o, r->client);
	struct plan_item *it;
	struct doc *d;

	if (p == NULL)
		return NULL;
	it = followup_recorded_item(o->reg, o->laws, o->agent, r, p, r->created);
	if (it == NULL || it->proc == NULL) {
		plan_item_free(it);
		return NULL;
	}
	d = letter_for_plan(o->letters, it, p, o->agent, 0, cause);
	plan_item_free(it);
	return d;
}

/* One request's part of the record. */
static int
request_data(const struct evidence_opts *o, const struct ledger_request *r, int letter,
    struct jv *out, char **cause)
{
	const struct broker *b = registry_find(o->reg, r->broker);
	const struct law *law = laws_find(o->laws, r->law);
	struct jv *x = jv_new_object();

	jv_set_str(x, "reference", r->reference);
	jv_set_str(x, "broker", b != NULL ? b->name : r->broker);
	jv_set_str(x, "request_words", followup_request_words(r->request));
	jv_set_str(x, "law", law != NULL ? law->name : r->law);
	jv_set_str(x, "channel", channel_name(r->channel));
	jv_set_str(x, "state", ledger_state_name(r->state));
	set_day(x, "clock_from", r->clock_start);
	jv_set_str(x, "clock_words", clock_words(r->clock_basis));
	set_day(x, "due", ledger_effective_due(r));
	set_day(x, "appeal_due", r->appeal_due);
	jv_set_str(x, "tracking", r->tracking);
	jv_set_str(x, "message_id", r->message_id);
	jv_set(x, "letter_included", jv_new_bool(letter));
	if (add_events(o, r, x, cause) != 0) {
		jv_free(x);
		return -1;
	}
	add_replies(o, r, x);
	jv_push(out, x);
	return 0;
}

/* The requests the record covers: one by reference, or a client's. */
static enum evidence_status
select_requests(const struct evidence_opts *o, struct ledger_request ***list, size_t *n,
    char **cause)
{
	struct ledger_filter f = { 0 };
	struct ledger_request *one = NULL;

	if (o->reference != NULL) {
		if (ledger_get(o->ledger, o->reference, &one, cause) != 0)
			return EV_NOT_FOUND;
		*list = xcalloc(2, sizeof **list);
		(*list)[0] = one;
		*n = 1;
		return EV_OK;
	}
	f.client = o->client;
	if (ledger_list(o->ledger, &f, list, n, cause) != 0)
		return EV_ERROR;
	if (*n == 0) {
		ledger_list_free(*list);
		*list = NULL;
		*cause = xasprintf("the ledger has no requests for client '%s'", o->client);
		return EV_NOT_FOUND;
	}
	return EV_OK;
}

/* Write the record and the letters as one PDF. */
enum evidence_status
evidence_pdf(const struct evidence_opts *o, unsigned char **out, size_t *len,
    size_t *nrequests, size_t *nletters, char **cause)
{
	struct ledger_request **list = NULL;
	struct doc **docs = NULL;
	struct jv *data = NULL, *reqs;
	size_t n = 0, ndocs = 1, i;
	enum evidence_status st;
	char today[32];

	*nrequests = *nletters = 0;
	if ((st = select_requests(o, &list, &n, cause)) != EV_OK)
		return st;
	docs = xcalloc(n + 1, sizeof *docs);
	data = jv_new_object();
	reqs = jv_new_array();
	date_format_long(o->today, today);
	jv_set_str(data, "today", today);
	jv_set_str(data, "title_ref", o->reference != NULL ? list[0]->reference : o->client);
	st = EV_ERROR;
	for (i = 0; i < n; i++) {
		struct doc *d = request_letter(o, list[i], cause);

		if (d == NULL && *cause != NULL)
			goto out;
		if (d != NULL)
			docs[ndocs++] = d;
		if (request_data(o, list[i], d != NULL, reqs, cause) != 0)
			goto out;
	}
	jv_set(data, "requests", reqs);
	reqs = NULL;
	if ((docs[0] = letter_render(o->letters, "evidence", data, cause)) == NULL)
		goto out;
	if (pdf_render_many((const struct doc *const *)docs, ndocs, NULL, out, len, cause) != 0)
		goto out;
	*nrequests = n;
	*nletters = ndocs - 1;
	st = EV_OK;
out:
	for (i = 0; i < ndocs; i++)
		doc_free(docs[i]);
	free(docs);
	jv_free(reqs);
	jv_free(data);
	ledger_list_free(list);
	return st;
}
