/* laws: load the legal bases, choose the law of residence, count deadlines. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "optout/i18n.h"
#include "optout/jv.h"
#include "optout/laws.h"
#include "optout/schema.h"
#include "optout/util.h"
#include "optout/vcache.h"

#define LAWS_MAX_BYTES ((size_t)1024 * 1024)
/* The revision of laws_from_jv's checks: bump it when they change (vcache). */
#define LAWS_CHECKS "laws-checks-1"

/* A string field, or NULL. */
static const char *
str_at(const struct jv *o, const char *key)
{
	return jv_str(jv_get(o, key));
}

/* Parse a unit name as the schema spells it. */
static enum day_unit
unit_parse(const char *s)
{
	if (s != NULL && strcmp(s, "business") == 0)
		return UNIT_BUSINESS;
	if (s != NULL && strcmp(s, "months") == 0)
		return UNIT_MONTHS;
	return UNIT_CALENDAR;
}

/* Order holidays. */
static int
cmp_date(const void *a, const void *b)
{
	date_t x = *(const date_t *)a, y = *(const date_t *)b;

	return (x > y) - (x < y);
}

static struct laws *laws_index(struct jv *doc, const char *path, char **cause);

/* Load letters/laws.json, checked against its schema. */
struct laws *
laws_load(const char *datadir, char **cause)
{
	char *path = xasprintf("%s/letters/laws.json", datadir);
	char *spath = xasprintf("%s/letters/laws.schema.json", datadir);
	unsigned char salt[VCACHE_KEY_BYTES], key[VCACHE_KEY_BYTES];
	struct schema *schema = NULL;
	struct vcache *vc = NULL;
	struct jv *doc;
	struct laws *l = NULL;
	char *sdata = NULL, *data = NULL, *ignored = NULL;
	size_t slen, len;

	/* Both files' bytes key the cache: unchanged, they are not validated again. */
	if (read_file(spath, LAWS_MAX_BYTES, &sdata, &slen, &ignored) == 0 &&
	    read_file(path, LAWS_MAX_BYTES, &data, &len, &ignored) == 0) {
		vcache_salt(LAWS_CHECKS, sdata, slen, salt);
		vc = vcache_open("laws.cache", salt);
		vcache_key(vc, path, data, len, key);
		/* A failure here (bytes changed meanwhile) falls back to the full check below. */
		if (vcache_has(vc, key) && (doc = jv_parse_checked(data, len, path, &ignored)) != NULL)
			l = laws_index(doc, path, &ignored);
	}
	free(ignored);
	ignored = NULL;
	free(sdata);
	free(data);
	if (l == NULL) {
		/* Not cached (or unreadable): load and check both as always. */
		schema = schema_load(spath, cause);
		if (schema != NULL && (doc = jv_load_file(path, LAWS_MAX_BYTES, cause)) != NULL)
			l = laws_from_jv(schema, doc, path, cause);
		if (l != NULL && vc != NULL)
			vcache_add(vc, key);
	}
	if (l != NULL && vc != NULL && vcache_save(vc, &ignored) != 0)
		free(ignored);
	vcache_free(vc);
	schema_free(schema);
	free(path);
	free(spath);
	return l;
}

/* Check a parsed laws document (owned) against the schema and index it. */
struct laws *
laws_from_jv(const struct schema *schema, struct jv *doc, const char *path, char **cause)
{
	if (schema_validate(schema, doc, path, 0, cause) != 0) {
		jv_free(doc);
		return NULL;
	}
	return laws_index(doc, path, cause);
}

/* Index a schema-valid laws document (owned); ids must be unique, holidays dates. */
static struct laws *
laws_index(struct jv *doc, const char *path, char **cause)
{
	const struct jv *arr;
	struct laws *l;
	size_t i;

	l = xcalloc(1, sizeof *l);
	l->doc = doc;
	arr = jv_get(doc, "laws");
	l->n = jv_len(arr);
	l->laws = xcalloc(l->n ? l->n : 1, sizeof *l->laws);
	for (i = 0; i < l->n; i++) {
		const struct jv *o = jv_at(arr, i), *j = jv_get(o, "jurisdiction");
		struct law *law = &l->laws[i];
		size_t k;

		law->id = str_at(o, "id");
		law->family = str_at(o, "family");
		law->country = str_at(j, "country");
		law->region = str_at(j, "region");
		law->name = str_at(o, "name");
		law->citation = str_at(o, "citation");
		law->in_force = str_at(o, "in_force");
		law->json = o;
		for (k = 0; k < i; k++) {
			if (strcmp(l->laws[k].id, law->id) == 0) {
				*cause = xasprintf("%s: laws[%zu].id: \"%s\" is already used by laws[%zu]",
				    path, i, law->id, k);
				laws_free(l);
				return NULL;
			}
		}
	}
	arr = jv_get(doc, "holidays");
	l->nholidays = jv_len(arr);
	l->holidays = xcalloc(l->nholidays ? l->nholidays : 1, sizeof *l->holidays);
	for (i = 0; i < l->nholidays; i++) {
		if (date_parse(jv_str(jv_at(arr, i)), &l->holidays[i]) != 0) {
			*cause = xasprintf("%s: holidays[%zu]: not a valid date (YYYY-MM-DD)", path, i);
			laws_free(l);
			return NULL;
		}
	}
	qsort(l->holidays, l->nholidays, sizeof *l->holidays, cmp_date);
	return l;
}

/* Free the laws. */
void
laws_free(struct laws *l)
{
	if (l == NULL)
		return;
	free(l->laws);
	free(l->holidays);
	jv_free(l->doc);
	free(l);
}

/* Find a law by id. */
const struct law *
laws_find(const struct laws *l, const char *id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->laws[i].id, id) == 0)
			return &l->laws[i];
	return NULL;
}

/* Whether a law covers a request type. */
int
law_covers(const struct law *law, enum request r)
{
	const struct jv *reqs = jv_get(law->json, "requests");
	size_t i;

	for (i = 0; i < jv_len(reqs); i++)
		if (strcmp(jv_str(jv_at(reqs, i)), request_name(r)) == 0)
			return 1;
	return 0;
}

/* Whether a request type the law covers is in force on a day (an amendment may add it later). */
int
law_request_in_force(const struct law *law, enum request r, date_t on)
{
	const char *from = str_at(jv_get(law->json, "requests_from"), request_name(r));
	date_t since;

	return from == NULL || date_parse(from, &since) != 0 || on >= since;
}

/* Whether a jurisdiction's member list holds a country. */
static int
has_member(const struct law *law, const char *country)
{
	const struct jv *m = jv_get(jv_get(law->json, "jurisdiction"), "members");
	size_t i;

	for (i = 0; i < jv_len(m); i++)
		if (strcmp(jv_str(jv_at(m, i)), country) == 0)
			return 1;
	return 0;
}

/* The comprehensive law where the person lives, if any is in force and covers r. */
const struct law *
laws_for_residence(const struct laws *l, const char *country, const char *region,
    enum request r, date_t on)
{
	size_t i;

	if (country == NULL)
		return NULL;
	for (i = 0; i < l->n; i++) {
		const struct law *law = &l->laws[i];
		date_t since;

		if (strcmp(law->family, "ccpa") != 0 && strcmp(law->family, "us-state") != 0 &&
		    strcmp(law->family, "gdpr") != 0)
			continue;
		if (strcmp(law->family, "gdpr") == 0) {
			/* The EU's list of member states, or a country's own GDPR (the UK's). */
			if (!has_member(law, country) &&
			    (law->country == NULL || strcmp(law->country, country) != 0))
				continue;
		} else if (law->country == NULL || strcmp(law->country, country) != 0 ||
		    law->region == NULL || region == NULL || strcmp(law->region, region) != 0) {
			continue;
		}
		if (law->in_force != NULL && date_parse(law->in_force, &since) == 0 && on < since)
			continue;
		if (!law_covers(law, r) || !law_request_in_force(law, r, on))
			continue;
		return law;
	}
	return NULL;
}

/* Whether an object marks one of its fields unconfirmed (unconfirmed_fields). */
static int
unconfirmed(const struct jv *o, const char *field)
{
	const struct jv *f = jv_get(o, "unconfirmed_fields");
	size_t i;

	for (i = 0; jv_bool(jv_get(o, "unconfirmed")) && i < jv_len(f); i++)
		if (strcmp(jv_str(jv_at(f, i)), field) == 0)
			return 1;
	return 0;
}

/* Fill a deadline from its JSON object. */
static void
deadline_from(const struct jv *o, struct deadline *d)
{
	const struct jv *v;

	memset(d, 0, sizeof *d);
	d->days = (int)jv_int(jv_get(o, "days"));
	d->unit = unit_parse(str_at(o, "unit"));
	d->binding = jv_bool(jv_get(o, "binding"));
	d->citation = str_at(o, "citation");
	if ((v = jv_get(o, "extension_days")) != NULL) {
		d->extension_days = (int)jv_int(v);
		d->extension_unit = unit_parse(str_at(o, "extension_unit"));
		d->extension_requires_notice = jv_bool(jv_get(o, "extension_requires_notice"));
	}
	d->ends_on_working_day = jv_bool(jv_get(o, "ends_on_working_day"));
	d->working_day_citation = str_at(o, "working_day_citation");
	d->notes = str_at(o, "notes");
	/* An unconfirmed fact is never stated: the extension, or its notice condition, is left out. */
	if (unconfirmed(o, "extension_days"))
		d->extension_days = 0;
	if (unconfirmed(o, "extension_requires_notice"))
		d->extension_requires_notice = 0;
}

/* The deadline that applies to a request type. */
void
law_deadline(const struct law *law, enum request r, struct deadline *d)
{
	const struct jv *o = jv_get(jv_get(law->json, "deadline_overrides"), request_name(r));

	deadline_from(o != NULL ? o : jv_get(law->json, "deadline"), d);
}

/* The section for a request type, or the law's citation. */
const char *
law_section(const struct law *law, enum request r)
{
	const char *s = str_at(jv_get(law->json, "sections"), request_name(r));

	return s != NULL ? s : law->citation;
}

/* Who may file as the person's agent under this law. */
const char *
law_agent_allowed(const struct law *law)
{
	const char *s = str_at(jv_get(law->json, "agent"), "allowed");

	return s != NULL ? s : "unknown";
}

/* Whether the last listed holiday is in the date's year or later. */
int
laws_holidays_cover(const struct laws *l, date_t d)
{
	int y1, y2, m, day;

	if (l->nholidays == 0)
		return 0;
	date_to_ymd(d, &y1, &m, &day);
	date_to_ymd(l->holidays[l->nholidays - 1], &y2, &m, &day);
	return y2 >= y1;
}

/* Count forward from a date in the given unit. */
date_t
laws_add(const struct laws *l, date_t from, int days, enum day_unit unit)
{
	switch (unit) {
	case UNIT_BUSINESS:
		return date_add_business_days(from, days, l->holidays, l->nholidays);
	case UNIT_MONTHS:
		return date_add_months(from, days);
	case UNIT_CALENDAR:
	default:
		return from + days;
	}
}

/* The first day on or after d that is not a Saturday or Sunday. */
static date_t
next_weekday(date_t d)
{
	while (date_weekday(d) >= 5)
		d++;
	return d;
}

/* Due and extended due dates of a deadline counted from a day. */
void
laws_due(const struct laws *l, date_t from, const struct deadline *d, date_t *due,
    date_t *extended_due)
{
	date_t end = laws_add(l, from, d->days, d->unit);

	/* The extension runs on from the period's own end, before any move past a weekend. */
	*extended_due = d->extension_days > 0
	    ? laws_add(l, end, d->extension_days, d->extension_unit) : 0;
	*due = end;
	if (d->ends_on_working_day) {
		*due = next_weekday(*due);
		if (*extended_due != 0)
			*extended_due = next_weekday(*extended_due);
	}
}

/* A period's end for a recorded request: its law says whether weekends move it. */
date_t
laws_add_for(const struct laws *l, const char *law_id, date_t from, int days,
    enum day_unit unit)
{
	const struct law *law = law_id != NULL ? laws_find(l, law_id) : NULL;
	date_t end = laws_add(l, from, days, unit);

	if (law != NULL && jv_bool(jv_get(jv_get(law->json, "deadline"), "ends_on_working_day")))
		end = next_weekday(end);
	return end;
}

/* Words for a period: "45 calendar days", "1 month". */
char *
deadline_text(int days, enum day_unit unit)
{
	switch (unit) {
	case UNIT_BUSINESS:
		return xasprintf("%d business day%s", days, days == 1 ? "" : "s");
	case UNIT_MONTHS:
		return xasprintf("%d month%s", days, days == 1 ? "" : "s");
	case UNIT_CALENDAR:
	default:
		return xasprintf("%d calendar day%s", days, days == 1 ? "" : "s");
	}
}

/* A period in the words of the person's language, for the command line (letters use deadline_text). */
char *
deadline_words(int days, enum day_unit unit)
{
	unsigned long n = days > 0 ? (unsigned long)days : 0;

	switch (unit) {
	case UNIT_BUSINESS:
		return xasprintf(i18n_ngettext("%d business day", "%d business days", n), days);
	case UNIT_MONTHS:
		return xasprintf(i18n_ngettext("%d month", "%d months", n), days);
	case UNIT_CALENDAR:
	default:
		return xasprintf(i18n_ngettext("%d calendar day", "%d calendar days", n), days);
	}
}

/* The mail-transit allowance in business days (laws.json mail_transit), 0 when absent. */
int
laws_mail_transit_days(const struct laws *l)
{
	long long n = jv_int(jv_get(jv_get(l->doc, "mail_transit"), "business_days"));

	return n > 0 && n < 60 ? (int)n : 0;
}

/* Whether a regulator's optional list (countries or regions) admits a value. */
static int
list_admits(const struct jv *list, const char *v)
{
	size_t i;

	if (list == NULL)
		return 1;
	for (i = 0; v != NULL && i < jv_len(list); i++)
		if (strcasecmp(jv_str(jv_at(list, i)), v) == 0)
			return 1;
	return 0;
}

/* The one regulator for a law and a residence, the most specific first; NULL when none. */
const struct jv *
laws_regulator(const struct laws *l, const struct law *law, const char *country,
    const char *region)
{
	const struct jv *regs = jv_get(l->doc, "regulators"), *best = NULL;
	int best_score = -1;
	size_t i;

	for (i = 0; law != NULL && i < jv_len(regs); i++) {
		const struct jv *r = jv_at(regs, i);
		const struct jv *countries = jv_get(r, "countries"), *regions = jv_get(r, "regions");
		int score;

		/* An authority for certain sectors (Germany's BfDI) is never the one of a residence. */
		if (!list_admits(jv_get(r, "laws"), law->id) || jv_get(r, "laws") == NULL ||
		    jv_get(r, "sectors") != NULL || !list_admits(countries, country) ||
		    !list_admits(regions, region))
			continue;
		score = (countries != NULL) + 2 * (regions != NULL);
		if (score > best_score) {
			best = r;
			best_score = score;
		}
	}
	return best;
}

/* The DROP open to a person's residence on a day. */
int
laws_drop(const struct laws *l, const char *country, const char *region, date_t on,
    struct drop_info *out)
{
	size_t i;

	memset(out, 0, sizeof *out);
	for (i = 0; i < l->n; i++) {
		const struct law *law = &l->laws[i];
		const struct jv *d = jv_get(law->json, "drop");

		if (d == NULL || (country != NULL && (law->region == NULL || law->country == NULL ||
		    region == NULL || strcmp(law->country, country) != 0 ||
		    strcmp(law->region, region) != 0)))
			continue;
		/* The schema requires every field; dates are checked as dates there. */
		if (date_parse(str_at(d, "open_from"), &out->open_from) != 0 ||
		    date_parse(str_at(d, "processing_from"), &out->processing_from) != 0 ||
		    on < out->open_from)
			return -1;
		out->law = law;
		out->url = str_at(d, "url");
		out->citation = str_at(d, "citation");
		out->cycle_citation = str_at(d, "cycle_citation");
		out->fine_citation = str_at(d, "fine_citation");
		out->cycle_days = (int)jv_int(jv_get(d, "cycle_days"));
		return 0;
	}
	return -1;
}

/* The next processing deadline of a DROP filing after today. */
date_t
drop_next_check(const struct drop_info *d, date_t filed, date_t today)
{
	date_t start = filed > d->processing_from ? filed : d->processing_from;
	date_t next;

	if (today < start)
		return start + d->cycle_days;
	next = start + ((today - start) / d->cycle_days + 1) * d->cycle_days;
	return next;
}
