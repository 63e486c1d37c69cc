/* letter: render letter templates into the document model, caching parsed templates. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "optout/doc.h"
#include "optout/i18n.h"
#include "optout/jv.h"
#include "optout/letter.h"
#include "optout/mail.h"
#include "optout/pdf.h"
#include "optout/profile.h"
#include "optout/plan.h"
#include "optout/template.h"
#include "optout/util.h"

#define TEMPLATE_MAX_BYTES ((size_t)256 * 1024)
#define LETTER_MAX_OUTPUT ((size_t)512 * 1024)

struct cached {
	char *name;
	struct tmpl *t;
};

struct letters {
	char *dir;
	char *fallback;             /* letters/ for a language folder, else NULL */
	char *lang;                 /* "es" for letters/es, NULL for letters/ */
	struct cached *cache;
	size_t ncache;
	struct tmpl_cache *partials;
	struct letters **langs;     /* the language folders opened so far */
	size_t nlangs;
};

static int safe_name(const char *name);

/* Open the letter directory of a data directory. */
struct letters *
letters_open(const char *datadir)
{
	struct letters *l = xcalloc(1, sizeof *l);

	l->dir = xasprintf("%s/letters", datadir);
	l->partials = tmpl_cache_new();
	return l;
}

/* Free the cache. */
void
letters_close(struct letters *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->ncache; i++) {
		free(l->cache[i].name);
		tmpl_free(l->cache[i].t);
	}
	free(l->cache);
	tmpl_cache_free(l->partials);
	for (i = 0; i < l->nlangs; i++)
		letters_close(l->langs[i]);
	free(l->langs);
	free(l->dir);
	free(l->fallback);
	free(l->lang);
	free(l);
}

/* The templates of one language, opened once and kept with l. */
struct letters *
letters_language(struct letters *l, const char *lang)
{
	struct letters *c;
	size_t i;

	if (lang == NULL || l->lang != NULL)
		return l;
	for (i = 0; i < l->nlangs; i++)
		if (strcmp(l->langs[i]->lang, lang) == 0)
			return l->langs[i];
	c = xcalloc(1, sizeof *c);
	c->dir = xasprintf("%s/%s", l->dir, lang);
	c->fallback = xstrdup(l->dir);
	c->lang = xstrdup(lang);
	c->partials = tmpl_cache_new();
	l->langs = xreallocarray(l->langs, l->nlangs + 1, sizeof *l->langs);
	l->langs[l->nlangs++] = c;
	return c;
}

/* Whether this folder itself (not its fallback) has template NAME. */
int
letters_has(const struct letters *l, const char *name)
{
	char *path;
	int ok;

	if (!safe_name(name))
		return 0;
	path = xasprintf("%s/%s.mustache", l->dir, name);
	ok = access(path, R_OK) == 0;
	free(path);
	return ok;
}

/* dir/sub/NAME.mustache, or the English one when a language folder lacks it. */
static char *
template_path(const struct letters *l, const char *sub, const char *name)
{
	char *path = xasprintf("%s/%s%s.mustache", l->dir, sub, name);

	if (l->fallback != NULL && access(path, F_OK) != 0) {
		free(path);
		path = xasprintf("%s/%s%s.mustache", l->fallback, sub, name);
	}
	return path;
}

/* A template or partial name may not leave the letters directory. */
static int
safe_name(const char *name)
{
	return name[0] != '\0' && name[0] != '.' && strstr(name, "..") == NULL &&
	    strchr(name, '/') == NULL;
}

/* Load a partial from letters/partials/NAME.mustache. */
static int
load_partial(void *ctx, const char *name, char **text, char **cause)
{
	struct letters *l = ctx;
	char *path;
	int rc;

	if (!safe_name(name)) {
		*cause = xasprintf("partial name '%s' is not a plain name", name);
		return -1;
	}
	path = template_path(l, "partials/", name);
	rc = read_file(path, TEMPLATE_MAX_BYTES, text, NULL, cause);
	free(path);
	return rc;
}

/* The parsed template called name, parsing it on first use. */
static struct tmpl *
get_template(struct letters *l, const char *name, char **cause)
{
	char *path, *text;
	struct tmpl *t;
	size_t i;

	for (i = 0; i < l->ncache; i++)
		if (strcmp(l->cache[i].name, name) == 0)
			return l->cache[i].t;
	if (!safe_name(name)) {
		*cause = xasprintf("template name '%s' is not a plain name", name);
		return NULL;
	}
	path = template_path(l, "", name);
	if (read_file(path, TEMPLATE_MAX_BYTES, &text, NULL, cause) != 0) {
		free(path);
		return NULL;
	}
	t = tmpl_parse(text, path, cause);
	free(text);
	free(path);
	if (t == NULL)
		return NULL;
	l->cache = xreallocarray(l->cache, l->ncache + 1, sizeof *l->cache);
	l->cache[l->ncache].name = xstrdup(name);
	l->cache[l->ncache].t = t;
	l->ncache++;
	return t;
}

/* Render a template into letter markup. */
int
letters_markup(struct letters *l, const char *name, const struct jv *data, char **out,
    char **cause)
{
	struct tmpl_opts o = { 0 };
	struct tmpl *t = get_template(l, name, cause);

	if (t == NULL)
		return -1;
	o.escape = TMPL_ESCAPE_DOC;
	o.max_output = LETTER_MAX_OUTPUT;
	o.load = load_partial;
	o.load_ctx = l;
	o.cache = l->partials;
	return tmpl_render(t, data, &o, out, cause);
}

/* Render a template and parse the result into a document. */
struct doc *
letter_render(struct letters *l, const char *name, const struct jv *data, char **cause)
{
	struct doc *d;
	char *markup, *err = NULL;

	if (letters_markup(l, name, data, &markup, cause) != 0)
		return NULL;
	d = doc_parse(markup, &err);
	/* The markup holds personal data: wipe it, and keep it out of the message. */
	secure_free(markup);
	if (d == NULL) {
		*cause = xasprintf("%s/%s.mustache rendered malformed markup: %s", l->dir, name, err);
		free(err);
	} else if (l->lang != NULL && letters_has(l, name)) {
		/* The page speaks its template's language; an English fallback stays English. */
		d->lang = xstrdup(l->lang);
	}
	return d;
}

/* Render a template and print it as PDF. */
int
letters_pdf(struct letters *l, const char *name, const struct jv *data, unsigned char **out,
    size_t *len, char **cause)
{
	struct doc *d = letter_render(l, name, data, cause);
	int rc;

	if (d == NULL)
		return -1;
	rc = pdf_render(d, NULL, out, len, cause);
	doc_free(d);
	return rc;
}

/* The period's parts in law.*, for a language that words "45 calendar days" itself. */
static void
period_parts(struct jv *law, const char *prefix, int days, enum day_unit unit)
{
	char key[64];

	snprintf(key, sizeof key, "%s_days", prefix);
	jv_set(law, key, jv_new_int(days));
	snprintf(key, sizeof key, "%s_calendar", prefix);
	jv_set(law, key, jv_new_bool(unit == UNIT_CALENDAR));
	snprintf(key, sizeof key, "%s_business", prefix);
	jv_set(law, key, jv_new_bool(unit == UNIT_BUSINESS));
	snprintf(key, sizeof key, "%s_months", prefix);
	jv_set(law, key, jv_new_bool(unit == UNIT_MONTHS));
	snprintf(key, sizeof key, "%s_plural", prefix);
	jv_set(law, key, jv_new_bool(days != 1));
}

/* Make a letter's data that of its reading copy in lang (letter.h). */
void
letter_translation_data(struct jv *data, const struct plan_item *it, date_t today,
    const char *lang)
{
	struct jv *law = jv_get(data, "law");
	char *t;

	t = i18n_date_long(today, lang, data_dir());
	jv_set_str(data, "today", t);
	free(t);
	if (law != NULL) {
		t = i18n_date_long(it->due, lang, data_dir());
		jv_set_str(law, "due", t);
		free(t);
		period_parts(law, "deadline", it->deadline.days, it->deadline.unit);
		if (it->deadline.extension_days > 0) {
			period_parts(law, "extension", it->deadline.extension_days,
			    it->deadline.extension_unit);
			jv_set(law, "extension_requires_notice",
			    jv_new_bool(it->deadline.extension_requires_notice));
		}
	}
	jv_set(data, "is_translation", jv_new_bool(1));
}

/* "<family>-<request>". */
char *
letter_template_name(const char *family, const char *request)
{
	return xasprintf("%s-%s", family, request);
}

/* Render the letter a plan item calls for. */
struct doc *
letter_for_plan(struct letters *l, const struct plan_item *it, const struct profile *p,
    const struct agent *agent, int latin, char **cause)
{
	struct jv *data;
	struct doc *d;
	char *name;

	if (it->law == NULL) {
		*cause = xstrdup("no legal basis could be chosen for this request");
		return NULL;
	}
	data = plan_letter_data(it, p, agent, latin);
	name = letter_template_name(it->law->family, request_name(it->request));
	d = letter_render(l, name, data, cause);
	free(name);
	jv_free(data);
	return d;
}

/* The letter as PDF, falling back to the Latin form of the name when needed. */
int
letter_pdf(struct letters *l, const struct plan_item *it, const struct profile *p,
    const struct agent *agent, const char *signature_image, unsigned char **out, size_t *len,
    struct doc **doc_out, char **cause)
{
	struct pdf_opts o = { 0 };
	struct doc *d;
	char *err = NULL;

	o.signature_image = signature_image;
	d = letter_for_plan(l, it, p, agent, 0, cause);
	if (d == NULL)
		return -1;
	if (pdf_check(d, &o, &err) != 0) {
		char *lat = profile_latin_name(p);

		if (!profile_name_needs_latin(p) || lat == NULL) {
			if (profile_name_needs_latin(p))
				*cause = xasprintf("%s; the name is written in a script that cannot be "
				    "printed: add its Latin form to the profile (names.latin)", err);
			else
				*cause = xstrdup(err);
			free(err);
			free(lat);
			doc_free(d);
			return -1;
		}
		free(err);
		free(lat);
		doc_free(d);
		if ((d = letter_for_plan(l, it, p, agent, 1, cause)) == NULL)
			return -1;
	}
	if (pdf_render(d, &o, out, len, cause) != 0) {
		doc_free(d);
		return -1;
	}
	if (doc_out != NULL)
		*doc_out = d;
	else
		doc_free(d);
	return 0;
}

/* The letter as an email message. */
char *
letter_email(const struct doc *d, const struct plan_item *it, const struct profile *p,
    const struct agent *agent, char **cause)
{
	struct mail_headers h = { 0 };
	char *from = profile_full_name(p), *mid, *msg;

	h.from_name = agent != NULL ? agent->organization : from;
	h.from_addr = agent != NULL ? agent->email
	    : strlist_has((const char **)it->disclosed, "email") ? p->emails[0] : NULL;
	h.to_name = it->broker->name;
	h.to_addr = it->proc->email;
	h.subject = d->subject;
	mid = xasprintf("%s@optout.invalid", it->reference);
	h.message_id = mid;
	msg = mail_compose(d, &h, cause);
	free(mid);
	secure_free(from);
	return msg;
}
