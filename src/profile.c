/* profile: load and check a person's profile and an agent's details. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optout/i18n.h"
#include "optout/date.h"
#include "optout/jv.h"
#include "optout/profile.h"
#include "optout/re.h"
#include "optout/schema.h"
#include "optout/util.h"
#include "optout/vault.h"

#define PROFILE_MAX_BYTES ((size_t)64 * 1024)

/* Patterns the schema cannot apply per country, compiled once per load. */
static const char us_zip[] = "^[0-9]{5}(-[0-9]{4})?$";
static const char us_state[] =
    "^(A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|RI|"
    "S[CD]|T[NX]|UT|V[TA]|W[AVIY]|AS|GU|MP|PR|VI)$";
/* Area 000, 666 and 9xx, group 00 and serial 0000 are never issued. */
static const char ssn_valid[] = "^(?!000|666|9)[0-9]{3}-(?!00)[0-9]{2}-(?!0000)[0-9]{4}$";
/* Names wholly in Han or kana script. */
static const char han_kana[] = "^[\\p{Han}\\p{Hiragana}\\p{Katakana}ー・]+$";
/* A letter outside Latin, and outside common punctuation, marks a name brokers may not index. */
static const char non_latin[] = "[^\\p{Latin}\\p{Common}\\p{Inherited}]";

/* A string field, or NULL. */
static const char *
str_at(const struct jv *o, const char *key)
{
	return jv_str(jv_get(o, key));
}

/* A string array as a NULL-terminated list (owned by the caller). */
static const char **
strings_at(const struct jv *o, const char *key)
{
	const struct jv *arr = jv_get(o, key);
	size_t i, n = jv_len(arr);
	const char **list = xcalloc(n + 1, sizeof *list);

	for (i = 0; i < n; i++)
		list[i] = jv_str(jv_at(arr, i));
	return list;
}

/* Whether a pattern matches s (patterns here are constants that compile). */
static int
matches(const char *pattern, const char *s)
{
	char *cause = NULL;
	int rc = re_test(pattern, s, &cause);

	free(cause);
	return rc == 1;
}

/* Normalize a phone number to E.164, or NULL. */
char *
phone_e164(const char *raw, const char *country)
{
	char digits[32];
	size_t n = 0;
	int plus = 0;
	const char *p;

	for (p = raw; *p != '\0'; p++) {
		if (*p == '+' && n == 0 && !plus)
			plus = 1;
		else if (*p >= '0' && *p <= '9') {
			if (n + 1 >= sizeof digits)
				return NULL;
			digits[n++] = *p;
		} else if (strchr(" ().-", *p) == NULL)
			return NULL;
	}
	digits[n] = '\0';
	if (plus)
		return (n >= 8 && n <= 15 && digits[0] != '0') ? xasprintf("+%s", digits) : NULL;
	if (n >= 4 && strncmp(digits, "011", 3) == 0) /* NANP international prefix */
		return (n - 3 >= 8 && n - 3 <= 15) ? xasprintf("+%s", digits + 3) : NULL;
	if (n >= 3 && strncmp(digits, "00", 2) == 0)
		return (n - 2 >= 8 && n - 2 <= 15) ? xasprintf("+%s", digits + 2) : NULL;
	if (country != NULL && (strcmp(country, "US") == 0 || strcmp(country, "CA") == 0)) {
		if (n == 11 && digits[0] == '1')
			return xasprintf("+%s", digits);
		/* NANP: area code and exchange never start with 0 or 1. */
		if (n == 10 && digits[0] >= '2' && digits[3] >= '2')
			return xasprintf("+1%s", digits);
	}
	return NULL;
}

/* Append one problem to the list. */
static void
problem(struct buf *errs, const char *name, const char *path, const char *what)
{
	buf_printf(errs, "%s%s: %s: %s", errs->len ? "\n" : "", name, path, what);
}

/* Checks on addresses the schema cannot make. */
static void
check_addresses(struct profile *p, const char *name, struct buf *errs)
{
	date_t today = date_today(), from, to;
	size_t i, ncurrent = 0;
	char path[64];

	for (i = 0; i < p->naddresses; i++) {
		const struct address *a = &p->addresses[i];

		if (a->current) {
			ncurrent++;
			p->current = a;
			if (a->to != NULL) {
				snprintf(path, sizeof path, "addresses[%zu].to", i);
				problem(errs, name, path, _("the current address cannot have an end date"));
			}
		}
		if (strcmp(a->country, "US") == 0) {
			snprintf(path, sizeof path, "addresses[%zu].postal_code", i);
			if (a->postal_code == NULL)
				problem(errs, name, path, _("a US address needs a ZIP code"));
			else if (!matches(us_zip, a->postal_code))
				problem(errs, name, path, _("expected a US ZIP code (12345 or 12345-6789)"));
			snprintf(path, sizeof path, "addresses[%zu].region", i);
			if (a->region == NULL)
				problem(errs, name, path, _("a US address needs a state (two letters, e.g. CA)"));
			else if (!matches(us_state, a->region))
				problem(errs, name, path, _("expected a US state or territory code such as CA or NY"));
		}
		if (a->from != NULL && a->to != NULL && date_parse_partial(a->from, &from) == 0 &&
		    date_parse_partial(a->to, &to) == 0 && to < from) {
			snprintf(path, sizeof path, "addresses[%zu].to", i);
			problem(errs, name, path, _("the end date is before the start date"));
		}
		if (a->from != NULL && date_parse_partial(a->from, &from) != 0) {
			snprintf(path, sizeof path, "addresses[%zu].from", i);
			problem(errs, name, path, _("not a real date (YYYY-MM or YYYY-MM-DD)"));
		} else if (a->from != NULL && from > today) {
			snprintf(path, sizeof path, "addresses[%zu].from", i);
			problem(errs, name, path, _("is in the future"));
		}
		if (a->to != NULL && date_parse_partial(a->to, &to) != 0) {
			snprintf(path, sizeof path, "addresses[%zu].to", i);
			problem(errs, name, path, _("not a real date (YYYY-MM or YYYY-MM-DD)"));
		}
	}
	if (ncurrent != 1)
		problem(errs, name, "addresses",
		    ncurrent == 0 ? "no address is marked \"current\": true"
				  : "more than one address is marked \"current\": true");
}

/* Checks on dates of birth, phones and identifiers. */
static void
check_identity(struct profile *p, const char *name, struct buf *errs)
{
	const struct jv *ids = jv_get(p->doc, "identifiers"), *dl, *phones;
	const char *country = p->current ? p->current->country : NULL;
	date_t dob;
	size_t i;
	char path[64];

	if (p->dob != NULL) {
		if (date_parse(p->dob, &dob) != 0)
			problem(errs, name, "dob", "not a real calendar date (YYYY-MM-DD)");
		else if (dob > date_today())
			problem(errs, name, "dob", "is in the future");
	}
	phones = jv_get(p->doc, "phones");
	p->nphones = jv_len(phones);
	p->phones = xcalloc(p->nphones + 1, sizeof *p->phones);
	for (i = 0; i < p->nphones; i++) {
		p->phones[i] = phone_e164(jv_str(jv_at(phones, i)), country);
		if (p->phones[i] == NULL) {
			snprintf(path, sizeof path, "phones[%zu]", i);
			problem(errs, name, path, _("not a phone number that can be written in E.164 "
			    "(give the country code, e.g. +1 213 555 0123)"));
		}
	}
	if (ids == NULL)
		return;
	if (str_at(ids, "ssn") != NULL) {
		const char *raw = str_at(ids, "ssn");

		p->ssn = strlen(raw) == 9 ? xasprintf("%.3s-%.2s-%.4s", raw, raw + 3, raw + 5)
					  : xstrdup(raw);
		if (!matches(ssn_valid, p->ssn))
			problem(errs, name, "identifiers.ssn", "not a Social Security number that can be "
			    "issued (area 000, 666 or 9xx, group 00 or serial 0000)");
	}
	p->ssn_last4 = str_at(ids, "ssn_last4");
	if (p->ssn != NULL && p->ssn_last4 != NULL && strcmp(p->ssn + 7, p->ssn_last4) != 0)
		problem(errs, name, "identifiers.ssn_last4", "does not match identifiers.ssn");
	if (p->ssn != NULL && p->ssn_last4 == NULL)
		p->ssn_last4 = p->ssn + 7;
	dl = jv_get(ids, "drivers_license");
	p->dl_number = str_at(dl, "number");
	p->dl_region = str_at(dl, "region");
}

/*
 * The ASCII letter and digit runs of folded text, letters and digits apart
 * ("ana1990" gives "ana" and "1990"); anything else separates them.
 */
static char **
label_tokens(const char *folded)
{
	char **list = xcalloc(1, sizeof *list);
	size_t n = 0, i = 0;

	while (folded[i] != '\0') {
		size_t start = i;
		int digit;

		if (!isalnum((unsigned char)folded[i]) || (unsigned char)folded[i] >= 0x80) {
			i++;
			continue;
		}
		digit = isdigit((unsigned char)folded[i]) != 0;
		while (folded[i] != '\0' && (unsigned char)folded[i] < 0x80 &&
		    isalnum((unsigned char)folded[i]) && (isdigit((unsigned char)folded[i]) != 0) == digit)
			i++;
		list = xreallocarray(list, n + 2, sizeof *list);
		list[n++] = xstrndup(folded + start, i - start);
		list[n] = NULL;
	}
	return list;
}

/* Only the ASCII letters and digits of s (digits only when digits is set). */
static char *
label_squeeze(const char *s, int digits)
{
	char *out = xstrdup(s), *o = out;

	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x80 && (digits ? isdigit((unsigned char)*s) :
		    isalnum((unsigned char)*s)))
			*o++ = *s;
	*o = '\0';
	return out;
}

/*
 * Whether a word of a name shows in the label: a long word anywhere, a
 * three-letter one at the start or end of a label word, a two-letter one
 * as a whole word.  Single letters (initials) are too common to count.
 */
static int
word_in_label(const char *w, const char *compact, char **ltoks)
{
	size_t n = strlen(w), i, k;

	if (n < 2 || isdigit((unsigned char)w[0]))
		return 0;
	if (n >= 4)
		return strstr(compact, w) != NULL;
	for (i = 0; ltoks[i] != NULL; i++) {
		k = strlen(ltoks[i]);
		if (n == 2 && strcmp(ltoks[i], w) == 0)
			return 1;
		if (n == 3 && k >= 3 && (strncmp(ltoks[i], w, 3) == 0 ||
		    strcmp(ltoks[i] + k - 3, w) == 0))
			return 1;
	}
	return 0;
}

/* Whether any word of the text (a name, an email's local part) shows in the label. */
static int
text_in_label(const char *text, const char *compact, char **ltoks)
{
	char *f, **w;
	size_t i;
	int found = 0;

	if (text == NULL)
		return 0;
	f = str_fold(text);
	w = label_tokens(f);
	for (i = 0; w[i] != NULL && !found; i++)
		found = word_in_label(w[i], compact, ltoks);
	str_list_free(w);
	free(f);
	return found;
}

/* Whether the label shows the date of birth YYYY-MM-DD in a common written form. */
static int
dob_in_label(const char *dob, const char *digits, const char *compact)
{
	static const char *const months[] = { "january", "february", "march", "april", "may",
		"june", "july", "august", "september", "october", "november", "december" };
	char y[5], yy[3], m[3], d[3], mu[3], du[3], form[32];
	const char *forms[][3] = { { y, m, d }, { m, d, y }, { d, m, y }, { m, d, yy },
		{ d, m, yy }, { yy, m, d }, { mu, du, y }, { du, mu, y }, { mu, du, yy },
		{ du, mu, yy } };
	int mon;
	size_t i;

	if (strlen(dob) != 10)
		return 0;
	snprintf(y, sizeof y, "%.4s", dob);
	snprintf(yy, sizeof yy, "%.2s", dob + 2);
	snprintf(m, sizeof m, "%.2s", dob + 5);
	snprintf(d, sizeof d, "%.2s", dob + 8);
	snprintf(mu, sizeof mu, "%s", m[0] == '0' ? m + 1 : m);
	snprintf(du, sizeof du, "%s", d[0] == '0' ? d + 1 : d);
	for (i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		snprintf(form, sizeof form, "%s%s%s", forms[i][0], forms[i][1], forms[i][2]);
		if (strlen(form) >= 5 && strstr(digits, form) != NULL)
			return 1;
	}
	/* "14mar", "march14", "mar-14-1985": the month's name beside the day. */
	mon = (int)strtol(m, NULL, 10);
	if (mon < 1 || mon > 12)
		return 0;
	for (i = 0; i < 2; i++) {
		char name[4];
		const char *day = i == 0 ? d : du;

		snprintf(name, sizeof name, "%.3s", months[mon - 1]);
		snprintf(form, sizeof form, "%s%s", name, day);
		if (strstr(compact, form) != NULL)
			return 1;
		snprintf(form, sizeof form, "%s%s", day, name);
		if (strstr(compact, form) != NULL)
			return 1;
		snprintf(form, sizeof form, "%s%s", months[mon - 1], day);
		if (strstr(compact, form) != NULL)
			return 1;
	}
	return 0;
}

/* Whether the label shows the SSN's nine digits, or its last four in one run of digits. */
static int
ssn_in_label(const struct profile *p, const char *digits, char **ltoks)
{
	size_t i;

	if (p->ssn != NULL) {
		char *nine = label_squeeze(p->ssn, 1);
		int found = strlen(nine) == 9 && strstr(digits, nine) != NULL;

		free(nine);
		if (found)
			return 1;
	}
	for (i = 0; p->ssn_last4 != NULL && ltoks[i] != NULL; i++)
		if (isdigit((unsigned char)ltoks[i][0]) && strstr(ltoks[i], p->ssn_last4) != NULL)
			return 1;
	return 0;
}

/* The label's problems: it must say nothing about the person (never quoting a value). */
static void
check_label(const struct profile *p, const char *name, struct buf *errs)
{
	static const char advice[] = "choose a label that says nothing about the person, or "
	    "leave it out and optout makes one";
	char *folded, *compact, *digits, **ltoks, *what;
	const char *const names[] = { p->given, p->middle, p->family, p->latin_given,
		p->latin_middle, p->latin_family };
	size_t i;
	int hit = 0;

	if (p->label == NULL)
		return;
	folded = str_fold(p->label);
	compact = label_squeeze(folded, 0);
	digits = label_squeeze(folded, 1);
	ltoks = label_tokens(folded);
	for (i = 0; i < sizeof names / sizeof names[0] && !hit; i++)
		hit = text_in_label(names[i], compact, ltoks);
	for (i = 0; p->aliases != NULL && p->aliases[i] != NULL && !hit; i++)
		hit = text_in_label(p->aliases[i], compact, ltoks);
	if (hit) {
		what = xasprintf("contains part of the person's name (names): %s", advice);
		problem(errs, name, "label", what);
		free(what);
	}
	if (p->dob != NULL && dob_in_label(p->dob, digits, compact)) {
		what = xasprintf("contains the person's date of birth (dob): %s", advice);
		problem(errs, name, "label", what);
		free(what);
	}
	if (ssn_in_label(p, digits, ltoks)) {
		what = xasprintf("contains digits of the person's Social Security number "
		    "(identifiers.ssn): %s", advice);
		problem(errs, name, "label", what);
		free(what);
	}
	for (i = 0, hit = 0; i < p->nphones && !hit; i++) {
		size_t n = p->phones[i] != NULL ? strlen(p->phones[i]) : 0;

		/* The subscriber number: the last seven digits. */
		hit = n >= 8 && strstr(digits, p->phones[i] + n - 7) != NULL;
	}
	if (hit) {
		what = xasprintf("contains the person's telephone number (phones): %s", advice);
		problem(errs, name, "label", what);
		free(what);
	}
	for (i = 0, hit = 0; p->emails != NULL && p->emails[i] != NULL && !hit; i++) {
		char *local = xstrndup(p->emails[i], strcspn(p->emails[i], "@"));
		char *fl = str_fold(local), *cl = label_squeeze(fl, 0);

		hit = text_in_label(local, compact, ltoks) ||
		    (strlen(cl) >= 3 && strstr(compact, cl) != NULL);
		free(cl);
		free(fl);
		free(local);
	}
	if (hit) {
		what = xasprintf("contains the person's email address (emails): %s", advice);
		problem(errs, name, "label", what);
		free(what);
	}
	free(folded);
	free(compact);
	free(digits);
	str_list_free(ltoks);
}

/* Whether the profile's label (if any) says nothing about the person. */
int
profile_label_ok(const struct profile *p)
{
	struct buf errs;
	int ok;

	buf_init(&errs);
	check_label(p, "", &errs);
	ok = errs.len == 0;
	buf_free(&errs);
	return ok;
}

/* Give the profile a label (one it did not have: from the person's note). */
void
profile_set_label(struct profile *p, const char *label)
{
	jv_set_str(p->doc, "label", label);
	p->label = str_at(p->doc, "label");
}

/* Build the typed view of a checked profile document. */
static void
fill_profile(struct profile *p)
{
	const struct jv *names = jv_get(p->doc, "names"), *latin = jv_get(names, "latin");
	const struct jv *addrs = jv_get(p->doc, "addresses");
	size_t i;

	p->label = str_at(p->doc, "label");
	p->given = str_at(names, "given");
	p->middle = str_at(names, "middle");
	p->family = str_at(names, "family");
	p->suffix = str_at(names, "suffix");
	p->family_first = jv_bool(jv_get(names, "family_first"));
	p->aliases = strings_at(names, "aliases");
	p->latin_given = str_at(latin, "given");
	p->latin_middle = str_at(latin, "middle");
	p->latin_family = str_at(latin, "family");
	p->dob = str_at(p->doc, "dob");
	p->naddresses = jv_len(addrs);
	p->addresses = xcalloc(p->naddresses + 1, sizeof *p->addresses);
	for (i = 0; i < p->naddresses; i++) {
		const struct jv *a = jv_at(addrs, i);
		struct address *d = &p->addresses[i];

		d->street = strings_at(a, "street");
		d->city = str_at(a, "city");
		d->region = str_at(a, "region");
		d->postal_code = str_at(a, "postal_code");
		d->country = str_at(a, "country");
		d->from = str_at(a, "from");
		d->to = str_at(a, "to");
		d->current = jv_bool(jv_get(a, "current"));
	}
	p->emails = strings_at(p->doc, "emails");
	p->language = str_at(p->doc, "language");
	p->signature_image = str_at(p->doc, "signature_image");
}

/*
 * The compiled schema datadir/letters/NAME, loaded once per process: a
 * batch checks thousands of profiles against the same one.
 */
static const struct schema *
cached_schema(const char *datadir, const char *name, char **cause)
{
	static struct {
		char *path;
		struct schema *s;
	} cache[4];
	char *path = xasprintf("%s/letters/%s", datadir, name);
	size_t i;

	for (i = 0; i < sizeof cache / sizeof cache[0] && cache[i].path != NULL; i++) {
		if (strcmp(cache[i].path, path) == 0) {
			free(path);
			return cache[i].s;
		}
	}
	if (i == sizeof cache / sizeof cache[0]) {
		/* Full (only tests switch data directories): drop the oldest. */
		free(cache[0].path);
		schema_free(cache[0].s);
		memmove(cache, cache + 1, sizeof cache - sizeof cache[0]);
		i--;
	}
	cache[i].s = schema_load(path, cause);
	if (cache[i].s == NULL) {
		free(path);
		return NULL;
	}
	cache[i].path = path;
	return cache[i].s;
}

/* Check a document against datadir/letters/SCHEMA, never quoting its values. */
static int
check_doc(const struct jv *doc, const char *docname, const char *datadir,
    const char *schema_name, char **cause)
{
	const struct schema *s = cached_schema(datadir, schema_name, cause);

	if (s == NULL)
		return -1;
	return schema_validate(s, doc, docname, SCHEMA_REDACT, cause);
}

/* Load a JSON file of personal data, decrypting it when it is an age file. */
static struct jv *
load_private(const char *path, char **cause)
{
	struct vault_secret *s = vault_read_file(path, PROFILE_MAX_BYTES, cause);
	struct jv *doc;

	if (s == NULL)
		return NULL;
	doc = jv_parse((const char *)s->data, s->len, path, cause);
	vault_secret_free(s);
	return doc;
}

/* Build a profile from a parsed document, checking it. */
struct profile *
profile_from_jv(struct jv *doc, const char *name, const char *datadir, char **cause)
{
	struct profile *p;
	struct buf errs;

	if (check_doc(doc, name, datadir, "profile.schema.json", cause) != 0) {
		jv_free(doc);
		return NULL;
	}
	p = xcalloc(1, sizeof *p);
	p->doc = doc;
	fill_profile(p);
	buf_init(&errs);
	check_addresses(p, name, &errs);
	check_identity(p, name, &errs);
	check_label(p, name, &errs);
	if (errs.len > 0) {
		*cause = buf_detach(&errs);
		profile_free(p);
		return NULL;
	}
	return p;
}

/* Load a profile file. */
struct profile *
profile_load(const char *path, const char *datadir, char **cause)
{
	struct jv *doc = load_private(path, cause);

	if (doc == NULL)
		return NULL;
	return profile_from_jv(doc, path, datadir, cause);
}

/* Free a profile, wiping what it derived. */
void
profile_free(struct profile *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->naddresses; i++)
		free(p->addresses[i].street);
	free(p->addresses);
	free(p->aliases);
	free(p->emails);
	for (i = 0; p->phones != NULL && i < p->nphones; i++)
		secure_free(p->phones[i]);
	free(p->phones);
	secure_free(p->ssn);
	jv_free(p->doc);
	free(p);
}

/* Load an agent file. */
struct agent *
agent_load(const char *path, const char *datadir, char **cause)
{
	struct jv *doc = load_private(path, cause);

	if (doc == NULL)
		return NULL;
	return agent_from_jv(doc, path, datadir, cause);
}

/* Build an agent from a parsed document, checking it. */
struct agent *
agent_from_jv(struct jv *doc, const char *name, const char *datadir, char **cause)
{
	const struct jv *a;
	struct agent *ag;

	if (check_doc(doc, name, datadir, "agent.schema.json", cause) != 0) {
		jv_free(doc);
		return NULL;
	}
	ag = xcalloc(1, sizeof *ag);
	ag->doc = doc;
	ag->organization = str_at(doc, "organization");
	ag->name = str_at(doc, "name");
	ag->title = str_at(doc, "title");
	a = jv_get(doc, "address");
	ag->address.street = strings_at(a, "street");
	ag->address.city = str_at(a, "city");
	ag->address.region = str_at(a, "region");
	ag->address.postal_code = str_at(a, "postal_code");
	ag->address.country = str_at(a, "country");
	ag->address.current = 1;
	ag->email = str_at(doc, "email");
	ag->phone_raw = str_at(doc, "phone");
	ag->website = str_at(doc, "website");
	if (ag->phone_raw != NULL) {
		ag->phone = phone_e164(ag->phone_raw, ag->address.country);
		if (ag->phone == NULL) {
			*cause = xasprintf(_("%s: phone: not a phone number that can be written in E.164 "
			    "(give the country code, e.g. +1 213 555 0123)"), name);
			agent_free(ag);
			return NULL;
		}
	}
	return ag;
}

/* Free an agent. */
void
agent_free(struct agent *a)
{
	if (a == NULL)
		return;
	free(a->address.street);
	free(a->phone);
	jv_free(a->doc);
	free(a);
}

/* Join name parts with single spaces (or none, for Chinese and Japanese), skipping absent ones. */
static char *
join_names(const char *a, const char *b, const char *c, const char *d, const char *sep)
{
	const char *parts[4] = { a, b, c, d };
	struct buf out;
	int i;

	buf_init(&out);
	for (i = 0; i < 4; i++) {
		if (parts[i] == NULL || *parts[i] == '\0')
			continue;
		if (out.len)
			buf_adds(&out, sep);
		buf_adds(&out, parts[i]);
	}
	return buf_detach(&out);
}

/* The full name as written: family name first where the person writes it so. */
char *
profile_full_name(const struct profile *p)
{
	if (p->family_first) {
		/* Chinese and Japanese names are written without spaces. */
		const char *sep = matches(han_kana, p->family) && matches(han_kana, p->given) ? "" : " ";

		return join_names(p->family, p->middle, p->given, p->suffix, sep);
	}
	return join_names(p->given, p->middle, p->family, p->suffix, " ");
}

/* The Latin form, when the profile gives one. */
char *
profile_latin_name(const struct profile *p)
{
	if (p->latin_given == NULL && p->latin_family == NULL)
		return NULL;
	return join_names(p->latin_given, p->latin_middle, p->latin_family, p->suffix, " ");
}

/* Whether the written name has letters of a script other than Latin. */
int
profile_name_needs_latin(const struct profile *p)
{
	char *n = profile_full_name(p);
	int r = matches(non_latin, n);

	secure_free(n);
	return r;
}

/* Address lines for a letter: street lines, then "City, ST ZIP" (US) or "ZIP City". */
char **
address_lines(const struct address *a, int with_country)
{
	size_t n = 0, i;
	char **lines = xcalloc(strlist_len(a->street) + 3, sizeof *lines);

	for (i = 0; a->street != NULL && a->street[i] != NULL; i++)
		lines[n++] = xstrdup(a->street[i]);
	if (strcmp(a->country, "US") == 0 || strcmp(a->country, "CA") == 0)
		lines[n++] = xasprintf("%s%s%s%s%s", a->city, a->region ? ", " : "",
		    a->region ? a->region : "", a->postal_code ? " " : "",
		    a->postal_code ? a->postal_code : "");
	else
		lines[n++] = xasprintf("%s%s%s%s%s", a->postal_code ? a->postal_code : "",
		    a->postal_code ? " " : "", a->city, a->region ? ", " : "",
		    a->region ? a->region : "");
	if (with_country)
		lines[n++] = xstrdup(country_name(a->country));
	lines[n] = NULL;
	return lines;
}

/* The address as one line, for lists and forms. */
char *
address_one_line(const struct address *a)
{
	char **lines = address_lines(a, 0);
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; lines[i] != NULL; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", lines[i]);
	for (i = 0; lines[i] != NULL; i++)
		secure_free(lines[i]);
	free(lines);
	return buf_detach(&b);
}

/* A phone number for people to read: NANP numbers as +1 213-555-0100. */
char *
phone_display(const char *e164)
{
	if (strncmp(e164, "+1", 2) == 0 && strlen(e164) == 12)
		return xasprintf("+1 %.3s-%.3s-%.4s", e164 + 2, e164 + 5, e164 + 8);
	return xstrdup(e164);
}
