/*
 * form: steps, filling, tokens and outcomes of a broker's web form.
 *
 * A job is prepared from the plan once: every value is rendered then, so
 * the dry run shows exactly what would be sent, and nothing the plan does
 * not disclose can reach a template.  Running it is a state machine fed
 * with replies by whoever does the network (cmd-submit through http).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "optout/date.h"
#include "optout/form.h"
#include "optout/html.h"
#include "optout/jv.h"
#include "optout/re.h"
#include "optout/template.h"
#include "optout/util.h"
#include "optout/vault.h"

/* Pattern lists of the record's "outcomes". */
enum { PAT_SUCCESS, PAT_FAILURE, PAT_CAPTCHA, PAT_EMAIL, PAT_COUNT };
static const char *const pattern_keys[PAT_COUNT] = { "success", "failure", "captcha",
	"email_confirmation" };

/* Where a flow is. */
enum phase { PH_START, PH_PAGE, PH_PICK, PH_SUBMIT, PH_END };

struct token {
	const char *from;    /* input, meta or cookie */
	const char *name;
	const char *field;   /* send as this field, or NULL */
	const char *header;  /* send as this header, or NULL */
};

struct step {
	const char *name;
	const char *url;       /* page to open first, or NULL */
	const char *by;        /* id, name, action or index; NULL when no form is used */
	const char *sel;       /* the selector's value (index as text) */
	long index;
	const char *action, *method, *encoding;
	int keep_hidden;
	size_t first_value, nvalues; /* this step's range in job->values */
	struct token *tokens;
	size_t ntokens;
	struct re *pick_href;  /* a pick step when not NULL */
	const char *pick_pattern;
	char *pick_match;      /* folded text the link must contain */
};

struct form_job {
	const struct plan_item *it;
	int person;
	char *person_reason;
	int verified;
	int idempotent;        /* the record says the form may safely be sent again */
	const char *start_url;
	struct step *steps;
	size_t nsteps;
	struct re *pat[PAT_COUNT][10];
	size_t npat[PAT_COUNT];
	struct form_value *values;
	char **optional;       /* names of optional fields (parallel to values) */
	size_t nvalues;
	char **owned;          /* strings the values point into */
	size_t nowned;

	/* running */
	size_t cur;
	enum phase phase;
	struct html_page *page;
	char *page_url;
	char **cookies;        /* the session's cookies after the last reply */
	enum form_outcome outcome;
	char *reason;
	struct http_request req;
	char *req_url, *req_body, *req_ctype, *req_referer;
	size_t req_len;
	char **req_headers;
	char **trace;
	size_t ntrace;
	char *ev_body, *ev_url;
	size_t ev_len;
	long ev_status;
};

/* Keep a string for the job's lifetime. */
static const char *
own(struct form_job *j, char *s)
{
	if (s == NULL)
		return NULL;
	j->owned = xreallocarray(j->owned, j->nowned + 1, sizeof *j->owned);
	j->owned[j->nowned++] = s;
	return s;
}

/* The outcome as a word for output. */
const char *
form_outcome_name(enum form_outcome o)
{
	switch (o) {
	case FORM_PENDING:
		return "pending";
	case FORM_DONE:
		return "done";
	case FORM_AWAITING_EMAIL:
		return "awaiting-email-confirmation";
	case FORM_NEEDS_HUMAN:
		return "needs-human";
	case FORM_FAILED:
	case FORM_TRY_LATER: /* a failure too: the exit status tells them apart */
		return "failed";
	case FORM_NEEDS_REVIEW:
		return "needs-review";
	}
	return "?";
}

/* Why a person must fill the form in, from the record's reason code. */
static const char *
reason_text(const char *code)
{
	static const struct {
		const char *code, *text;
	} r[] = {
		{ "captcha", "The form has a CAPTCHA, and optout never solves or bypasses one." },
		{ "javascript", "The form works only in a browser with JavaScript." },
		{ "account", "The broker asks you to log in or to create an account." },
		{ "phone-verification", "The broker checks your telephone number by a call or a "
					"text message." },
		{ "identity-documents", "The broker asks for a copy of an identity document." },
		{ "knowledge-questions", "The site asks questions about your credit history that "
					 "only you can answer." },
		{ "listing-url", "You must first find your own listing on the broker's site." },
		{ "device-id", "The form needs your phone's advertising ID, which only you can "
			       "read." },
		{ "documents", "The broker asks for signed forms or supporting documents." },
		{ "not-described", "The registry does not describe this form's fields." },
	};
	size_t i;

	for (i = 0; code != NULL && i < sizeof r / sizeof r[0]; i++)
		if (strcmp(r[i].code, code) == 0)
			return r[i].text;
	return "The registry marks this form for a person to fill in.";
}

/* Join address lines with ", ". */
static char *
join_lines(const char **lines)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; lines != NULL && lines[i] != NULL; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", lines[i]);
	buf_addc(&b, '\0');
	return buf_detach(&b);
}

/* Digits of a string. */
static char *
digits_of(const char *s)
{
	struct buf b;

	buf_init(&b);
	for (; s != NULL && *s != '\0'; s++)
		if (*s >= '0' && *s <= '9')
			buf_addc(&b, *s);
	buf_addc(&b, '\0');
	return buf_detach(&b);
}

/* Put a string in an object, wiping the temporary copy. */
static void
set_secret(struct jv *o, const char *key, char *s)
{
	jv_set_str(o, key, s != NULL ? s : "");
	secure_free(s);
}

/*
 * The values of one plan field, as a template sees them: {{name.given}},
 * {{address.postal_code}}, {{dob.us}}, {{email}}, ...  NULL when optout
 * cannot fill that field in (documents, listing addresses, device IDs).
 */
static struct jv *
source_data(const struct plan_item *it, const struct profile *p, const char *f)
{
	struct jv *o;

	if (strcmp(f, "name") == 0) {
		o = jv_new_object();
		set_secret(o, "full", profile_full_name(p));
		jv_set_str(o, "given", p->given);
		jv_set_str(o, "middle", p->middle ? p->middle : "");
		jv_set_str(o, "family", p->family);
		jv_set_str(o, "suffix", p->suffix ? p->suffix : "");
		set_secret(o, "given_middle", p->middle ? xasprintf("%s %s", p->given, p->middle)
							 : xstrdup(p->given));
		return o;
	}
	if (strcmp(f, "address") == 0) {
		const struct address *a = p->current;
		struct jv *lines = jv_new_array();
		size_t i;

		o = jv_new_object();
		set_secret(o, "street", join_lines(a->street));
		jv_set_str(o, "line1", a->street[0]);
		jv_set_str(o, "line2", a->street[0] && a->street[1] ? a->street[1] : "");
		for (i = 0; a->street[i] != NULL; i++)
			jv_push(lines, jv_new_string(a->street[i]));
		jv_set(o, "lines", lines);
		jv_set_str(o, "city", a->city);
		jv_set_str(o, "region", a->region ? a->region : "");
		jv_set_str(o, "postal_code", a->postal_code ? a->postal_code : "");
		jv_set_str(o, "country", a->country);
		return o;
	}
	if (strcmp(f, "city_state") == 0) {
		o = jv_new_object();
		jv_set_str(o, "city", p->current->city);
		jv_set_str(o, "region", p->current->region ? p->current->region : "");
		return o;
	}
	if (strcmp(f, "dob") == 0 && p->dob != NULL) {
		o = jv_new_object();
		jv_set_str(o, "iso", p->dob);
		set_secret(o, "us", xasprintf("%.2s/%.2s/%.4s", p->dob + 5, p->dob + 8, p->dob));
		set_secret(o, "year", xstrndup(p->dob, 4));
		set_secret(o, "month", xstrndup(p->dob + 5, 2));
		set_secret(o, "day", xstrndup(p->dob + 8, 2));
		return o;
	}
	if (strcmp(f, "age") == 0 && p->dob != NULL) {
		date_t d;
		int y1, m1, d1, y2, m2, d2;

		if (date_parse(p->dob, &d) != 0)
			return NULL;
		date_to_ymd(d, &y1, &m1, &d1);
		date_to_ymd(it->today, &y2, &m2, &d2);
		return jv_new_int(y2 - y1 - (m2 < m1 || (m2 == m1 && d2 < d1)));
	}
	if (strcmp(f, "email") == 0 && p->emails[0] != NULL)
		return jv_new_string(p->emails[0]);
	if (strcmp(f, "phone") == 0 && p->nphones > 0) {
		const char *e = p->phones[0];
		char *d = digits_of(e);

		o = jv_new_object();
		jv_set_str(o, "e164", e);
		jv_set_str(o, "digits", d);
		if (strncmp(e, "+1", 2) == 0 && strlen(d) == 11) {
			jv_set_str(o, "national", d + 1);
			set_secret(o, "us", xasprintf("(%.3s) %.3s-%s", d + 1, d + 4, d + 7));
		} else
			jv_set_str(o, "national", d);
		secure_free(d);
		return o;
	}
	if (strcmp(f, "ssn") == 0 && p->ssn != NULL) {
		char *d = digits_of(p->ssn);

		o = jv_new_object();
		jv_set_str(o, "full", p->ssn);
		jv_set_str(o, "digits", d);
		jv_set_str(o, "last4", d + (strlen(d) >= 4 ? strlen(d) - 4 : 0));
		secure_free(d);
		return o;
	}
	if (strcmp(f, "ssn_last4") == 0 && p->ssn_last4 != NULL)
		return jv_new_string(p->ssn_last4);
	if (strcmp(f, "drivers_license") == 0 && p->dl_number != NULL) {
		o = jv_new_object();
		jv_set_str(o, "number", p->dl_number);
		jv_set_str(o, "region", p->dl_region ? p->dl_region : "");
		return o;
	}
	return NULL;
}

/* What every template may see: nothing about the person. */
static struct jv *
common_data(const struct plan_item *it, const struct profile *p)
{
	struct jv *letter = plan_letter_data(it, p, NULL, 0), *d = jv_new_object();
	struct jv *broker = jv_new_object(), *law = jv_new_object();
	const struct jv *lb = jv_get(letter, "broker"), *ll = jv_get(letter, "law");
	char day[11];

	jv_set_str(d, "reference", jv_str(jv_get(letter, "reference")));
	jv_set_str(d, "today", jv_str(jv_get(letter, "today")));
	date_format(it->today, day);
	jv_set_str(d, "date", day);
	jv_set_str(d, "request", jv_str(jv_get(letter, "request")));
	jv_set_str(broker, "name", jv_str(jv_get(lb, "name")));
	jv_set_str(broker, "id", jv_str(jv_get(lb, "id")));
	jv_set(d, "broker", broker);
	if (jv_get(ll, "id") != NULL) {
		jv_set_str(law, "id", jv_str(jv_get(ll, "id")));
		jv_set_str(law, "name", jv_str(jv_get(ll, "name")));
		jv_set_str(law, "section", jv_str(jv_get(ll, "section")));
	}
	jv_set(d, "law", law);
	/* What to correct was typed for this request: a correction form may need it. */
	if (it->correction != NULL && it->correction->item != NULL) {
		struct jv *c = jv_new_object();

		jv_set_str(c, "item", it->correction->item);
		jv_set_str(c, "correct", it->correction->correct);
		jv_set(d, "correction", c);
	}
	jv_free(letter);
	return d;
}

/* Render a template with the common data and, when from is set, that field's values. */
static char *
render(const char *text, const char *what, const struct jv *common, const struct jv *src,
    const char *from, char **cause)
{
	struct tmpl_opts o;
	struct tmpl *t;
	struct jv *data = jv_copy(common);
	char *out = NULL;

	if (from != NULL && src != NULL)
		jv_set(data, from, jv_copy(src));
	memset(&o, 0, sizeof o);
	o.escape = TMPL_ESCAPE_NONE;
	o.max_output = 4096;
	if ((t = tmpl_parse(text, what, cause)) != NULL) {
		if (tmpl_render(t, data, &o, &out, cause) != 0)
			out = NULL;
		tmpl_free(t);
	}
	/* The copy may hold personal data: its strings are freed with it. */
	jv_free(data);
	return out;
}

/* Check that a form field may carry a plan field; 0, or -1 with *cause. */
static int
check_source(const struct plan_item *it, const char *field, const char *from, char **cause)
{
	if (strlist_has((const char **)it->disclosed, from))
		return 0;
	if (strlist_has((const char **)it->withheld, from))
		*cause =
		    xasprintf("%s: form field '%s' carries %s, which is withheld: allow it with "
		              "--disclose %s",
		        it->broker->id, field, from, from);
	else if (strlist_has((const char **)it->missing, from))
		*cause = xasprintf("%s: form field '%s' needs %s, which the profile lacks",
		    it->broker->id, field, from);
	else
		*cause =
		    xasprintf("%s: form field '%s' carries %s, which procedure %s does not ask "
		              "for: the registry record is inconsistent, so nothing is sent",
		        it->broker->id, field, from, it->proc->id);
	return -1;
}

/* Add one value to the job. */
static struct form_value *
add_value(struct form_job *j, const char *name, const char *value, const char *from,
    const char *label, int step, int optional)
{
	struct form_value *v;

	j->values = xreallocarray(j->values, j->nvalues + 1, sizeof *j->values);
	j->optional = xreallocarray(j->optional, j->nvalues + 1, sizeof *j->optional);
	v = &j->values[j->nvalues];
	j->optional[j->nvalues] = optional ? (char *)"1" : NULL;
	j->nvalues++;
	memset(v, 0, sizeof *v);
	v->name = name;
	v->value = value;
	v->from = from;
	v->label = label;
	v->step = step;
	v->sensitive = from != NULL && field_is_sensitive(j->it->proc, from);
	return v;
}

/* Load one step of the record; 0, or -1 with *cause. */
static int
load_step(struct form_job *j, const struct jv *s, size_t k, const struct jv *common,
    const struct profile *p, char **cause)
{
	struct step *st = &j->steps[k];
	const struct jv *sel = jv_get(s, "form"), *fields = jv_get(s, "fields");
	const struct jv *tokens = jv_get(s, "tokens"), *pick = jv_get(s, "pick");
	const char *id = j->it->broker->id;
	size_t i;

	st->name = jv_str(jv_get(s, "name"));
	st->url = jv_str(jv_get(s, "url"));
	st->action = jv_str(jv_get(s, "action"));
	st->method = jv_str(jv_get(s, "method"));
	st->encoding = jv_str(jv_get(s, "encoding"));
	st->keep_hidden = jv_get(s, "keep_hidden") == NULL || jv_bool(jv_get(s, "keep_hidden"));
	st->index = -1;
	if (sel != NULL) {
		static const char *const by[] = { "id", "name", "action", NULL };

		for (i = 0; by[i] != NULL; i++)
			if (jv_str(jv_get(sel, by[i])) != NULL) {
				st->by = by[i];
				st->sel = jv_str(jv_get(sel, by[i]));
			}
		if (jv_get(sel, "index") != NULL) {
			st->by = "index";
			st->index = (long)jv_int(jv_get(sel, "index"));
			st->sel = own(j, xasprintf("%ld", st->index));
		}
	}
	if (pick != NULL) {
		const char *from = jv_str(jv_get(pick, "from"));
		struct jv *src;
		char *m;

		if (k == 0) {
			*cause =
			    xasprintf("%s: form step 1 picks a link, but there is no page yet", id);
			return -1;
		}
		if (check_source(j->it, "pick", from, cause) != 0)
			return -1;
		st->pick_pattern = jv_str(jv_get(pick, "href"));
		if ((st->pick_href = re_compile(st->pick_pattern, 1, cause)) == NULL) {
			char *c = xasprintf("%s: form step %zu: pick.href: %s", id, k + 1, *cause);

			free(*cause);
			*cause = c;
			return -1;
		}
		src = source_data(j->it, p, from);
		m = render(jv_str(jv_get(pick, "match")), "pick.match", common, src, from, cause);
		jv_free(src);
		if (m == NULL)
			return -1;
		st->pick_match = str_fold(m);
		secure_free(m);
		if (*st->pick_match == '\0') {
			*cause =
			    xasprintf("%s: form step %zu: pick.match renders empty", id, k + 1);
			return -1;
		}
		return 0;
	}
	if (k == 0 && st->url == NULL && st->action == NULL) {
		*cause = xasprintf("%s: form step 1 needs a page (url) or an address (action)", id);
		return -1;
	}
	st->first_value = j->nvalues;
	for (i = 0; i < jv_len(fields); i++) {
		const struct jv *f = jv_at(fields, i);
		const char *name = jv_str(jv_get(f, "name")), *from = jv_str(jv_get(f, "from"));
		const char *label = jv_str(jv_get(f, "label"));
		struct jv *src = NULL;
		char *what = xasprintf("%s form field %s", id, name), *v;

		if (from != NULL) {
			if (check_source(j->it, name, from, cause) != 0 ||
			    (src = source_data(j->it, p, from)) == NULL) {
				if (*cause == NULL)
					*cause =
					    xasprintf("%s: form field '%s' needs %s, which optout "
					              "cannot fill in: the form is for a person",
					        id, name, from);
				free(what);
				return -1;
			}
		}
		v = render(jv_str(jv_get(f, "value")), what, common, src, from, cause);
		jv_free(src);
		free(what);
		if (v == NULL)
			return -1;
		own(j, v);
		add_value(j, name, v, from, label ? label : name, (int)k,
		    jv_bool(jv_get(f, "optional")));
	}
	st->nvalues = j->nvalues - st->first_value;
	st->ntokens = jv_len(tokens);
	st->tokens = xcalloc(st->ntokens + 1, sizeof *st->tokens);
	for (i = 0; i < st->ntokens; i++) {
		const struct jv *t = jv_at(tokens, i);

		st->tokens[i].from = jv_str(jv_get(t, "from"));
		st->tokens[i].name = jv_str(jv_get(t, "name"));
		st->tokens[i].field = jv_str(jv_get(t, "field"));
		st->tokens[i].header = jv_str(jv_get(t, "header"));
	}
	return 0;
}

/* The values a person pastes when the record has no steps: the disclosed fields. */
static void
person_values(struct form_job *j, const struct profile *p)
{
	size_t i;

	for (i = 0; j->it->disclosed[i] != NULL; i++) {
		const char *f = j->it->disclosed[i];
		struct jv *src = source_data(j->it, p, f);
		char *v = NULL;

		if (src == NULL)
			continue;
		if (strcmp(f, "name") == 0 || strcmp(f, "ssn") == 0)
			v = xstrdup(jv_str(jv_get(src, "full")));
		else if (strcmp(f, "address") == 0) {
			char **lines = address_lines(p->current, 0);

			v = join_lines((const char **)lines);
			str_list_free(lines);
		} else if (strcmp(f, "city_state") == 0)
			v = xasprintf("%s%s%s", jv_str(jv_get(src, "city")),
			    *jv_str(jv_get(src, "region")) ? ", " : "",
			    jv_str(jv_get(src, "region")));
		else if (strcmp(f, "dob") == 0)
			v = xstrdup(jv_str(jv_get(src, "iso")));
		else if (strcmp(f, "age") == 0)
			v = xasprintf("%lld", jv_int(src));
		else if (strcmp(f, "phone") == 0)
			v = xstrdup(jv_str(jv_get(src, "e164")));
		else if (strcmp(f, "drivers_license") == 0)
			v = xasprintf("%s%s%s", jv_str(jv_get(src, "number")),
			    *jv_str(jv_get(src, "region")) ? ", " : "",
			    jv_str(jv_get(src, "region")));
		else if (jv_str(src) != NULL)
			v = xstrdup(jv_str(src));
		jv_free(src);
		if (v != NULL)
			add_value(j, NULL, own(j, v), f, field_label(f), 0, 0);
	}
}

/* Prepare a job: read the record's form, render every value, check minimization. */
struct form_job *
form_prepare(const struct plan_item *it, const struct profile *p, char **cause)
{
	const struct jv *form, *steps, *outcomes;
	struct form_job *j;
	struct jv *common;
	size_t k, i;

	if (it->proc == NULL || it->proc->channel != CH_WEB) {
		*cause = xasprintf("%s: the chosen procedure is not a web form", it->broker->id);
		return NULL;
	}
	j = xcalloc(1, sizeof *j);
	j->it = it;
	j->start_url = it->proc->url;
	j->outcome = FORM_PENDING;
	form = it->proc->form;
	if (form == NULL || strcmp(jv_str(jv_get(form, "automation")), "person") == 0) {
		j->person = 1;
		j->person_reason = xstrdup(form == NULL ? "The registry has no description of this "
		    "form, so a person fills it in." : reason_text(jv_str(jv_get(form, "reason"))));
	}
	j->verified = form != NULL && jv_bool(jv_get(form, "verified"));
	j->idempotent = form != NULL && jv_bool(jv_get(form, "idempotent"));
	steps = jv_get(form, "steps");
	common = common_data(it, p);
	j->nsteps = jv_len(steps);
	j->steps = xcalloc(j->nsteps + 1, sizeof *j->steps);
	for (k = 0; k < j->nsteps; k++) {
		if (load_step(j, jv_at(steps, k), k, common, p, cause) != 0) {
			jv_free(common);
			form_free(j);
			return NULL;
		}
	}
	jv_free(common);
	if (j->nsteps > 0 && j->steps[0].url != NULL)
		j->start_url = j->steps[0].url;
	if (j->person && j->nsteps == 0)
		person_values(j, p);
	if (!j->person && j->nsteps == 0) {
		*cause = xasprintf("%s: the form has no steps", it->broker->id);
		form_free(j);
		return NULL;
	}
	outcomes = jv_get(form, "outcomes");
	for (k = 0; k < PAT_COUNT; k++) {
		const struct jv *list = jv_get(outcomes, pattern_keys[k]);

		for (i = 0; i < jv_len(list) && i < 10; i++) {
			char *c = NULL;

			j->pat[k][i] = re_compile(jv_str(jv_at(list, i)), 1, &c);
			if (j->pat[k][i] == NULL) {
				*cause = xasprintf("%s: form outcomes.%s[%zu]: %s", it->broker->id,
				    pattern_keys[k], i, c);
				free(c);
				form_free(j);
				return NULL;
			}
			j->npat[k]++;
		}
	}
	if (!j->person && j->npat[PAT_SUCCESS] == 0) {
		*cause = xasprintf("%s: the form has no success pattern", it->broker->id);
		form_free(j);
		return NULL;
	}
	return j;
}

/* Free the request being made. */
static void
req_clear(struct form_job *j)
{
	free(j->req_url);
	if (j->req_body != NULL)
		secure_free(j->req_body);
	free(j->req_ctype);
	free(j->req_referer);
	str_list_free(j->req_headers);
	j->req_url = j->req_body = j->req_ctype = j->req_referer = NULL;
	j->req_headers = NULL;
	j->req_len = 0;
	memset(&j->req, 0, sizeof j->req);
}

/* Free a job. */
void
form_free(struct form_job *j)
{
	size_t i, k;

	if (j == NULL)
		return;
	for (i = 0; i < j->nsteps; i++) {
		free(j->steps[i].tokens);
		re_free(j->steps[i].pick_href);
		free(j->steps[i].pick_match);
	}
	free(j->steps);
	for (k = 0; k < PAT_COUNT; k++)
		for (i = 0; i < j->npat[k]; i++)
			re_free(j->pat[k][i]);
	free(j->values);
	free(j->optional);
	for (i = 0; i < j->nowned; i++)
		secure_free(j->owned[i]);
	free(j->owned);
	free(j->person_reason);
	html_free(j->page);
	free(j->page_url);
	str_list_free(j->cookies);
	free(j->reason);
	req_clear(j);
	for (i = 0; i < j->ntrace; i++)
		free(j->trace[i]);
	free(j->trace);
	free(j->ev_body);
	free(j->ev_url);
	free(j);
}

/* Whether a person must fill the form in. */
int
form_for_person(const struct form_job *j)
{
	return j->person;
}

/* Why a person must fill it in (NULL for an automatic form). */
const char *
form_person_reason(const struct form_job *j)
{
	return j->person_reason;
}

/* Whether the record's field names were checked against the live form. */
int
form_verified(const struct form_job *j)
{
	return j->verified;
}

/* The page a person starts from. */
const char *
form_start_url(const struct form_job *j)
{
	return j->start_url;
}

/* The values in step order. */
const struct form_value *
form_values(const struct form_job *j, size_t *n)
{
	*n = j->nvalues;
	return j->values;
}

/* A value for display: sensitive ones masked unless asked. */
const char *
form_shown(const struct form_value *v, int show)
{
	if (v->value == NULL)
		return "(from the page)";
	if (v->sensitive && !show)
		return "*****";
	return v->value;
}

/* How the flow ended (FORM_PENDING until it has). */
enum form_outcome
form_outcome(const struct form_job *j)
{
	return j->outcome;
}

/* The sentence that explains the outcome. */
const char *
form_reason(const struct form_job *j)
{
	return j->reason;
}

/* The last page reached, or NULL. */
const char *
form_last_url(const struct form_job *j)
{
	return j->page_url;
}

/* The requests made, one line each. */
const char *const *
form_trace(const struct form_job *j)
{
	static const char *const none[] = { NULL };

	return j->trace != NULL ? (const char *const *)j->trace : none;
}

/* The last reply, kept as evidence. */
const char *
form_evidence(const struct form_job *j, size_t *len, long *status, const char **url)
{
	*len = j->ev_len;
	*status = j->ev_status;
	*url = j->ev_url;
	return j->ev_body;
}

/* How a step's form is named, for people. */
static char *
selector_text(const struct step *st)
{
	if (st->by == NULL)
		return xstrdup("no form");
	if (strcmp(st->by, "index") == 0)
		return xasprintf("form number %ld", st->index + 1);
	return xasprintf("the form with %s \"%s\"", st->by, st->sel);
}

/* The dry run as text. */
char *
form_describe(const struct form_job *j, int show)
{
	struct buf b;
	size_t k, i, n = 1;

	buf_init(&b);
	for (k = 0; k < j->nsteps; k++) {
		const struct step *st = &j->steps[k];
		const char *label = st->name ? st->name : "";

		if (st->url != NULL)
			buf_printf(&b, "  %zu. GET  %s%s%s%s\n", n++, st->url, *label ? "   [" : "",
			    label, *label ? "]" : "");
		if (st->pick_href != NULL) {
			buf_printf(&b,
			    "  %zu. GET  the one link on that page whose address matches "
			    "%s and whose text holds the %s%s%s%s\n",
			    n++, st->pick_pattern, "name", *label ? "   [" : "", label,
			    *label ? "]" : "");
			continue;
		}
		if (st->action != NULL)
			buf_printf(&b, "  %zu. %-4s %s (%s)", n++, st->method == NULL ? "POST" :
			    strcmp(st->method, "get") == 0 ? "GET" : "POST", st->action,
			    st->encoding ? st->encoding : "urlencoded");
		else {
			char *sel = selector_text(st);

			buf_printf(&b, "  %zu. submit %s on that page (%s%s%s)", n++, sel,
			    st->method ? (strcmp(st->method, "get") == 0 ? "GET" : "POST") :
			    "method, address", st->method ? ", to its address" : "",
			    st->encoding ? "" : " and encoding as the form says");
			if (st->encoding)
				buf_printf(&b, " as %s", st->encoding);
			free(sel);
		}
		buf_printf(&b, "%s%s%s\n", *label ? "   [" : "", label, *label ? "]" : "");
		for (i = st->first_value; i < st->first_value + st->nvalues; i++) {
			const struct form_value *v = &j->values[i];

			buf_printf(&b, "       %-18s = %s%s%s%s\n", v->name, form_shown(v, show),
			    v->from ? "   (" : "", v->from ? v->from : "", v->from ? ")" : "");
		}
		if (st->by != NULL && st->keep_hidden)
			buf_adds(&b, "       + the form's hidden inputs, as the page gives them\n");
		for (i = 0; i < st->ntokens; i++) {
			const struct token *t = &st->tokens[i];

			buf_printf(&b, "       + %s \"%s\" from the page, sent as %s %s\n",
			    strcmp(t->from, "meta") == 0     ? "the meta tag"
			    : strcmp(t->from, "cookie") == 0 ? "the cookie"
			                                     : "the input",
			    t->name, t->header ? "header" : "field",
			    t->header ? t->header : t->field);
		}
	}
	buf_addc(&b, '\0');
	return buf_detach(&b);
}

/* The dry run as JSON. */
struct jv *
form_describe_jv(const struct form_job *j, int show)
{
	struct jv *steps = jv_new_array();
	size_t k, i;

	for (k = 0; k < j->nsteps; k++) {
		const struct step *st = &j->steps[k];
		struct jv *s = jv_new_object(), *fields = jv_new_array(), *tokens = jv_new_array();

		jv_set_str(s, "name", st->name);
		jv_set_str(s, "page", st->url);
		if (st->pick_href != NULL) {
			struct jv *pk = jv_new_object();

			jv_set_str(pk, "href", st->pick_pattern);
			jv_set(s, "pick", pk);
			jv_push(steps, s);
			jv_free(fields);
			jv_free(tokens);
			continue;
		}
		if (st->by != NULL) {
			struct jv *f = jv_new_object();

			if (strcmp(st->by, "index") == 0)
				jv_set(f, "index", jv_new_int(st->index));
			else
				jv_set_str(f, st->by, st->sel);
			jv_set(s, "form", f);
		}
		jv_set_str(s, "method", st->method);
		jv_set_str(s, "action", st->action);
		jv_set_str(s, "encoding", st->encoding);
		jv_set(s, "hidden_inputs", jv_new_bool(st->by != NULL && st->keep_hidden));
		for (i = st->first_value; i < st->first_value + st->nvalues; i++) {
			const struct form_value *v = &j->values[i];
			struct jv *f = jv_new_object();

			jv_set_str(f, "name", v->name);
			jv_set_str(f, "value", form_shown(v, show));
			jv_set_str(f, "from", v->from);
			jv_set(f, "masked", jv_new_bool(v->sensitive && !show));
			jv_push(fields, f);
		}
		jv_set(s, "fields", fields);
		for (i = 0; i < st->ntokens; i++) {
			struct jv *t = jv_new_object();

			jv_set_str(t, "from", st->tokens[i].from);
			jv_set_str(t, "name", st->tokens[i].name);
			jv_set_str(t, st->tokens[i].header ? "header" : "field",
			    st->tokens[i].header ? st->tokens[i].header : st->tokens[i].field);
			jv_push(tokens, t);
		}
		jv_set(s, "tokens", tokens);
		jv_push(steps, s);
	}
	return steps;
}

/* End the flow. */
static const struct http_request *
finish(struct form_job *j, enum form_outcome o, char *reason)
{
	j->outcome = o;
	free(j->reason);
	j->reason = reason;
	j->phase = PH_END;
	req_clear(j);
	return NULL;
}

/* Set up a GET of url. */
static const struct http_request *
get(struct form_job *j, const char *url, enum phase ph)
{
	char *referer = j->page_url ? xstrdup(j->page_url) : NULL;

	req_clear(j);
	j->req_url = xstrdup(url);
	j->req_referer = referer;
	j->req.method = "GET";
	j->req.url = j->req_url;
	j->req.referer = j->req_referer;
	j->phase = ph;
	return &j->req;
}

/* application/x-www-form-urlencoded, as browsers write it. */
static void
urlencode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '*' || c == '-' || c == '.' || c == '_')
			buf_addc(b, (char)c);
		else if (c == ' ')
			buf_addc(b, '+');
		else {
			buf_addc(b, '%');
			buf_addc(b, hex[c >> 4]);
			buf_addc(b, hex[c & 15]);
		}
	}
}

/* A multipart part name: quotes and line breaks escaped as the HTML standard says. */
static void
multipart_name(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '"')
			buf_adds(b, "%22");
		else if (*s == '\r')
			buf_adds(b, "%0D");
		else if (*s == '\n')
			buf_adds(b, "%0A");
		else
			buf_addc(b, *s);
	}
}

/* Name/value pairs being assembled for a submission. */
struct pairs {
	char **names, **values;
	size_t n;
};

/* Set a pair: replace the first of that name, or append. */
static void
pairs_set(struct pairs *p, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->names[i], name) == 0) {
			secure_free(p->values[i]);
			p->values[i] = xstrdup(value);
			return;
		}
	p->names = xreallocarray(p->names, p->n + 1, sizeof *p->names);
	p->values = xreallocarray(p->values, p->n + 1, sizeof *p->values);
	p->names[p->n] = xstrdup(name);
	p->values[p->n] = xstrdup(value);
	p->n++;
}

/* Free pairs, wiping the values. */
static void
pairs_free(struct pairs *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->names[i]);
		secure_free(p->values[i]);
	}
	free(p->names);
	free(p->values);
}

/* Encode pairs as a body of the given encoding; sets the content type. */
static char *
encode(const struct pairs *p, const char *encoding, size_t *len, char **ctype)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	if (strcmp(encoding, "json") == 0) {
		struct jv *o = jv_new_object();
		char *s;

		for (i = 0; i < p->n; i++)
			jv_set_str(o, p->names[i], p->values[i]);
		s = jv_dump(o, 0);
		jv_free(o);
		*ctype = xstrdup("application/json");
		*len = strlen(s);
		return s;
	}
	if (strcmp(encoding, "multipart") == 0) {
		unsigned char rnd[12];
		char boundary[64];
		size_t k;

		vault_random(rnd, sizeof rnd);
		strcpy(boundary, "----optout");
		for (k = 0; k < sizeof rnd; k++)
			snprintf(boundary + 10 + 2 * k, 3, "%02x", rnd[k]);
		for (i = 0; i < p->n; i++) {
			buf_printf(&b, "--%s\r\nContent-Disposition: form-data; name=\"", boundary);
			multipart_name(&b, p->names[i]);
			buf_adds(&b, "\"\r\n\r\n");
			buf_adds(&b, p->values[i]);
			buf_adds(&b, "\r\n");
		}
		buf_printf(&b, "--%s--\r\n", boundary);
		*ctype = xasprintf("multipart/form-data; boundary=%s", boundary);
	} else {
		for (i = 0; i < p->n; i++) {
			if (i > 0)
				buf_addc(&b, '&');
			urlencode(&b, p->names[i]);
			buf_addc(&b, '=');
			urlencode(&b, p->values[i]);
		}
		*ctype = xstrdup("application/x-www-form-urlencoded");
	}
	*len = b.len;
	buf_addc(&b, '\0');
	return buf_detach(&b);
}

/* The value of a cookie in a reply's list, or NULL. */
static const char *
cookie_value(char **cookies, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; cookies != NULL && cookies[i] != NULL; i++)
		if (strncmp(cookies[i], name, n) == 0 && cookies[i][n] == '=')
			return cookies[i] + n + 1;
	return NULL;
}

/* Find the step's form on the page. */
static const struct html_form *
find_form(const struct form_job *j, const struct step *st)
{
	if (j->page == NULL)
		return NULL;
	if (strcmp(st->by, "index") == 0)
		return st->index >= 0 && (size_t)st->index < j->page->nforms ?
		    &j->page->forms[st->index] : NULL;
	return html_find_form(j->page, st->by, st->sel);
}

/* Choose the listing on a results page and open it. */
static const struct http_request *
pick(struct form_job *j, const struct step *st)
{
	char *chosen = NULL, *cause = NULL;
	size_t i, matches = 0;

	for (i = 0; j->page != NULL && i < j->page->nlinks; i++) {
		const struct html_link *l = &j->page->links[i];
		char *folded, *abs;
		int hit;

		if (re_match(st->pick_href, l->href, strlen(l->href)) != 1)
			continue;
		folded = str_fold(l->text);
		hit = strstr(folded, st->pick_match) != NULL;
		free(folded);
		if (!hit)
			continue;
		if ((abs = http_url_resolve(j->page_url, l->href, &cause)) == NULL) {
			free(cause);
			cause = NULL;
			continue;
		}
		if (chosen != NULL && strcmp(chosen, abs) == 0) {
			free(abs);
			continue;
		}
		matches++;
		free(chosen);
		chosen = abs;
	}
	if (matches != 1) {
		free(chosen);
		if (matches == 0)
			return finish(j, FORM_NEEDS_HUMAN, xstrdup("No listing on the results page "
			    "matches the name: search by hand (you may not be listed at all)."));
		return finish(j, FORM_NEEDS_HUMAN,
		    xasprintf("%zu listings on the results page match "
		              "the name: choose yours by hand.",
		        matches));
	}
	{
		const struct http_request *r = get(j, chosen, PH_PICK);

		free(chosen);
		return r;
	}
}

/* Fill the step's form from the page and the prepared values, and send it. */
static const struct http_request *
submit(struct form_job *j, const struct step *st)
{
	const struct html_form *f = NULL;
	struct pairs pr = { NULL, NULL, 0 };
	const char *method, *encoding;
	char **headers = xcalloc(1, sizeof *headers);
	size_t nh = 0, i;
	char *target, *cause = NULL;

	if (st->by != NULL && (f = find_form(j, st)) == NULL) {
		char *sel = selector_text(st), *why;

		str_list_free(headers);
		if (j->page != NULL && j->page->script_only)
			why = xstrdup("The page works only with JavaScript: a person must use a "
				      "browser. Nothing was sent.");
		else
			why = xasprintf(
			    "The page has no %s: the registry's description may be out of "
			    "date. Nothing was sent.",
			    sel);
		free(sel);
		return finish(j, FORM_NEEDS_HUMAN, why);
	}
	if (f != NULL && st->action == NULL && f->action != NULL &&
	    strncasecmp(f->action, "javascript:", 11) == 0) {
		str_list_free(headers);
		return finish(j, FORM_NEEDS_HUMAN, xstrdup("The form is sent by a script: a person "
		    "must use a browser. Nothing was sent."));
	}
	/* The page must still have every field the record names, before anything is built. */
	for (i = st->first_value; f != NULL && i < st->first_value + st->nvalues; i++) {
		if (html_form_control(f, j->values[i].name) != NULL || j->optional[i] != NULL)
			continue;
		str_list_free(headers);
		return finish(j, FORM_NEEDS_HUMAN, xasprintf("The form on the page has no field "
		    "\"%s\": the registry's description%s may be out of date. Nothing was sent.",
		    j->values[i].name, j->verified ? "" : " (unverified)"));
	}
	if (f != NULL && st->keep_hidden)
		for (i = 0; i < f->ncontrols; i++)
			if (f->controls[i].name != NULL && !f->controls[i].disabled &&
			    strcmp(f->controls[i].type, "hidden") == 0)
				pairs_set(&pr, f->controls[i].name, f->controls[i].value);
	for (i = 0; i < st->ntokens; i++) {
		const struct token *t = &st->tokens[i];
		const char *v = NULL;

		if (strcmp(t->from, "meta") == 0)
			v = j->page ? html_meta(j->page, t->name) : NULL;
		else if (strcmp(t->from, "cookie") == 0)
			v = cookie_value(j->cookies, t->name);
		else if (f != NULL && html_form_control(f, t->name) != NULL)
			v = html_form_control(f, t->name)->value;
		if (v == NULL) {
			pairs_free(&pr);
			str_list_free(headers);
			return finish(j, FORM_NEEDS_HUMAN, xasprintf("The page has no %s \"%s\" to "
			    "send back: the registry's description may be out of date. Nothing was "
			    "sent.", strcmp(t->from, "meta") == 0 ? "meta tag" :
			    strcmp(t->from, "cookie") == 0 ? "cookie" : "input", t->name));
		}
		if (t->header != NULL) {
			if (strpbrk(v, "\r\n") != NULL) {
				pairs_free(&pr);
				str_list_free(headers);
				return finish(j, FORM_FAILED,
				    xstrdup("A token on the page holds a line "
				            "break: refused."));
			}
			headers = xreallocarray(headers, nh + 2, sizeof *headers);
			headers[nh++] = xasprintf("%s: %s", t->header, v);
			headers[nh] = NULL;
		} else
			pairs_set(&pr, t->field, v);
	}
	for (i = st->first_value; i < st->first_value + st->nvalues; i++) {
		const struct form_value *v = &j->values[i];

		if (f != NULL && html_form_control(f, v->name) == NULL)
			continue; /* an optional field the page lacks */
		pairs_set(&pr, v->name, v->value);
	}
	method = st->method ? st->method : f != NULL ? f->method : "post";
	encoding = st->encoding                                                    ? st->encoding
	           : (f != NULL && strcmp(f->enctype, "multipart/form-data") == 0) ? "multipart"
	                                                                           : "urlencoded";
	if (st->action != NULL)
		target = xstrdup(st->action);
	else if (f != NULL && f->action != NULL && *f->action != '\0')
		target = http_url_resolve(j->page_url, f->action, &cause);
	else
		target = j->page_url ? xstrdup(j->page_url) : NULL;
	if (target == NULL) {
		pairs_free(&pr);
		str_list_free(headers);
		return finish(j, FORM_FAILED, cause ? cause : xstrdup("The form has no address."));
	}
	req_clear(j);
	j->req_headers = headers;
	if (strcmp(method, "get") == 0) {
		struct buf b;

		buf_init(&b);
		buf_add(&b, target, strcspn(target, "?#"));
		buf_addc(&b, '?');
		for (i = 0; i < pr.n; i++) {
			if (i > 0)
				buf_addc(&b, '&');
			urlencode(&b, pr.names[i]);
			buf_addc(&b, '=');
			urlencode(&b, pr.values[i]);
		}
		buf_addc(&b, '\0');
		j->req_url = buf_detach(&b);
		j->req.method = "GET";
	} else {
		j->req_url = xstrdup(target);
		j->req_body = encode(&pr, encoding, &j->req_len, &j->req_ctype);
		j->req.method = "POST";
		j->req.content_type = j->req_ctype;
		j->req.body = j->req_body;
		j->req.body_len = j->req_len;
		j->req.idempotent = j->idempotent;
	}
	free(target);
	pairs_free(&pr);
	j->req_referer = j->page_url ? xstrdup(j->page_url) : NULL;
	j->req.url = j->req_url;
	j->req.referer = j->req_referer;
	j->req.headers = (const char *const *)j->req_headers;
	j->phase = PH_SUBMIT;
	return &j->req;
}

/* Act on the current step with the page at hand (or open its page first). */
static const struct http_request *
begin_step(struct form_job *j, int fetched)
{
	const struct step *st = &j->steps[j->cur];

	if (st->url != NULL && !fetched)
		return get(j, st->url, PH_PAGE);
	if (st->pick_href != NULL)
		return pick(j, st);
	return submit(j, st);
}

/* Whether any pattern of a kind matches the reply. */
static int
matches(const struct form_job *j, int kind, const char *text, const char *body, size_t len)
{
	size_t i;

	for (i = 0; i < j->npat[kind]; i++)
		if ((text != NULL && re_match(j->pat[kind][i], text, strlen(text)) == 1) ||
		    re_match(j->pat[kind][i], body, len) == 1)
			return 1;
	return 0;
}

/* The charset parameter of a content type (a copy), or NULL. */
static char *
charset_of(const char *ctype)
{
	const char *c = ctype ? strcasestr(ctype, "charset=") : NULL;
	size_t n;

	if (c == NULL)
		return NULL;
	c += 8;
	if (*c == '"')
		c++;
	n = strcspn(c, "\"; \t");
	return n > 0 && n < 40 ? xstrndup(c, n) : NULL;
}

/* Note the request just answered, for the report. */
static void
trace(struct form_job *j, const struct http_response *r)
{
	char *u = http_url_display(r->url != NULL ? r->url : j->req.url), *line;

	if (r->error != HTTP_OK && r->status == 0)
		line = xasprintf("%s %s → no reply", j->req.method, u);
	else if (r->error != HTTP_OK && r->error != HTTP_TOO_BIG)
		line = xasprintf("%s %s → %ld, then stopped", j->req.method, u, r->status);
	else if (r->tries > 1)
		line = xasprintf(
		    "%s %s → %ld (after %d tries)", j->req.method, u, r->status, r->tries);
	else
		line = xasprintf("%s %s → %ld", j->req.method, u, r->status);
	free(u);
	j->trace = xreallocarray(j->trace, j->ntrace + 2, sizeof *j->trace);
	j->trace[j->ntrace++] = line;
	j->trace[j->ntrace] = NULL;
}

/* Take a reply: keep it as evidence and as the current page. */
static void
take_page(struct form_job *j, const struct http_response *r)
{
	char *cause = NULL, *cs;
	size_t i;

	free(j->ev_body);
	free(j->ev_url);
	j->ev_body = xmalloc(r->len + 1);
	memcpy(j->ev_body, r->body, r->len);
	j->ev_body[r->len] = '\0';
	j->ev_len = r->len;
	j->ev_status = r->status;
	j->ev_url = xstrdup(r->url ? r->url : j->req.url);
	free(j->page_url);
	j->page_url = xstrdup(j->ev_url);
	html_free(j->page);
	j->page = NULL;
	str_list_free(j->cookies);
	j->cookies = xcalloc(strlist_len((const char **)r->cookies) + 1, sizeof *j->cookies);
	for (i = 0; r->cookies != NULL && r->cookies[i] != NULL; i++)
		j->cookies[i] = xstrdup(r->cookies[i]);
	if (r->content_type == NULL || strcasestr(r->content_type, "html") != NULL) {
		cs = charset_of(r->content_type);
		j->page = html_parse(r->body, r->len, cs, &cause);
		free(cs);
		free(cause);
	}
}

/* A message as a sentence: a capital first letter and a full stop. */
static char *
sentence(const char *msg)
{
	char *s = xasprintf("%s.", msg);

	if (s[0] >= 'a' && s[0] <= 'z')
		s[0] = (char)(s[0] - 'a' + 'A');
	return s;
}

/*
 * Whether a reply to a submitted form leaves it unknown whether the broker
 * took the request: no reply, a broken or refused one, a 5xx or a 4xx other
 * than 429 (which says "too many requests", so nothing was taken).
 */
static int
unclear_after_submit(const struct http_response *r)
{
	switch (r->error) {
	case HTTP_OK:
		return r->status != 429 && (r->status < 200 || r->status >= 300);
	case HTTP_TLS:
		return 0; /* the handshake failed: the form never went out */
	default:
		return 1;
	}
}

/* Why a submitted form needs a person's review, as sentences. */
static char *
review_reason(const struct http_response *r)
{
	if (r->error == HTTP_OK)
		return xasprintf("The site answered %ld after the form was sent: the request may "
		    "have been received. Check your email and the broker's site before doing "
		    "anything, then mark the request sent or failed.", r->status);
	return xasprintf("The form was sent but no clear answer came back (%s): the request "
	    "may have been received. Check your email and the broker's site before doing "
	    "anything, then mark the request sent or failed.",
	    r->message ? r->message : "network error");
}

/* Advance the flow with the reply to the last request. */
const struct http_request *
form_advance(struct form_job *j, const struct http_response *r)
{
	const char *text;

	if (j->person)
		return finish(j, FORM_NEEDS_HUMAN, xstrdup(j->person_reason));
	if (j->phase == PH_END)
		return NULL;
	if (r == NULL) {
		j->cur = 0;
		return begin_step(j, 0);
	}
	trace(j, r);
	if (r->body != NULL && (r->error == HTTP_OK || r->error == HTTP_TOO_BIG))
		take_page(j, r);
	if (j->phase == PH_SUBMIT && r->sent && unclear_after_submit(r))
		return finish(j, FORM_NEEDS_REVIEW, review_reason(r));
	switch (r->error) {
	case HTTP_OK:
		break;
	case HTTP_TIMEOUT:
	case HTTP_NETWORK:
		return finish(j, FORM_TRY_LATER, xasprintf("The site could not be reached: %s.",
		    r->message ? r->message : "network error"));
	default:
		return finish(j, FORM_FAILED, sentence(r->message ? r->message : "refused"));
	}
	if (r->status == 429 || (r->status >= 500 && r->status <= 599))
		return finish(j, FORM_TRY_LATER,
		    xasprintf("The site answered %ld (busy) %d time%s; "
		              "try again later.",
		        r->status, r->tries, r->tries == 1 ? "" : "s"));
	if (r->status < 200 || r->status >= 300)
		return finish(j, FORM_FAILED, xasprintf("The site answered %ld.", r->status));
	text = j->page != NULL ? j->page->text : NULL;
	if (j->page != NULL && j->page->captcha != NULL)
		return finish(j, FORM_NEEDS_HUMAN,
		    xasprintf("The page has a CAPTCHA (%s): a person "
		              "must complete it; optout never solves or bypasses one.%s",
		        j->page->captcha,
		        j->phase == PH_SUBMIT ? "" : " Nothing was submitted on it."));
	if (matches(j, PAT_CAPTCHA, text, r->body, r->len))
		return finish(j, FORM_NEEDS_HUMAN, xstrdup("The page asks for a CAPTCHA or a human "
		    "check: a person must complete it; optout never solves or bypasses one."));
	if (matches(j, PAT_FAILURE, text, r->body, r->len))
		return finish(j, FORM_FAILED, xstrdup("The broker's reply says the request failed "
		    "(see the evidence file)."));
	switch (j->phase) {
	case PH_PAGE:
		return begin_step(j, 1);
	case PH_PICK:
		if (++j->cur >= j->nsteps)
			return finish(j, FORM_FAILED,
			    xstrdup("The form ends with a pick: nothing to "
			            "submit."));
		return begin_step(j, 0);
	case PH_SUBMIT:
		if (j->cur + 1 < j->nsteps) {
			j->cur++;
			return begin_step(j, 0);
		}
		if (matches(j, PAT_EMAIL, text, r->body, r->len))
			return finish(j, FORM_AWAITING_EMAIL,
			    xstrdup("The broker sent an email: open "
			            "it and confirm the request."));
		if (matches(j, PAT_SUCCESS, text, r->body, r->len))
			return finish(
			    j, FORM_DONE, xstrdup("The broker's reply confirms the request."));
		/* The form went out: sending it again could file the request twice. */
		return finish(j, FORM_NEEDS_REVIEW, xstrdup("The reply matched none of the record's "
		    "patterns: the request may have been received. Check the evidence file and "
		    "your email before doing anything, then mark the request sent or failed."));
	default:
		return NULL;
	}
}
