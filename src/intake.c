/* intake: read states, ZIP codes, countries and dates as people write them. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optout/date.h"
#include "optout/i18n.h"
#include "optout/intake.h"
#include "optout/profile.h"
#include "optout/util.h"

/* USPS codes with their names in English and, where different, Spanish (folded). */
static const struct {
	const char *code, *en, *es;
} states[] = {
	{ "AL", "alabama", NULL }, { "AK", "alaska", NULL }, { "AZ", "arizona", NULL },
	{ "AR", "arkansas", NULL }, { "CA", "california", NULL }, { "CO", "colorado", NULL },
	{ "CT", "connecticut", NULL }, { "DE", "delaware", NULL },
	{ "DC", "district of columbia", "distrito de columbia" }, { "FL", "florida", NULL },
	{ "GA", "georgia", NULL }, { "HI", "hawaii", "hawai" }, { "ID", "idaho", NULL },
	{ "IL", "illinois", NULL }, { "IN", "indiana", NULL }, { "IA", "iowa", NULL },
	{ "KS", "kansas", NULL }, { "KY", "kentucky", NULL }, { "LA", "louisiana", "luisiana" },
	{ "ME", "maine", NULL }, { "MD", "maryland", NULL }, { "MA", "massachusetts", NULL },
	{ "MI", "michigan", NULL }, { "MN", "minnesota", NULL }, { "MS", "mississippi", "misisipi" },
	{ "MO", "missouri", "misuri" }, { "MT", "montana", NULL }, { "NE", "nebraska", NULL },
	{ "NV", "nevada", NULL }, { "NH", "new hampshire", "nuevo hampshire" },
	{ "NJ", "new jersey", "nueva jersey" }, { "NM", "new mexico", "nuevo mexico" },
	{ "NY", "new york", "nueva york" }, { "NC", "north carolina", "carolina del norte" },
	{ "ND", "north dakota", "dakota del norte" }, { "OH", "ohio", NULL },
	{ "OK", "oklahoma", NULL }, { "OR", "oregon", NULL }, { "PA", "pennsylvania", "pensilvania" },
	{ "RI", "rhode island", NULL }, { "SC", "south carolina", "carolina del sur" },
	{ "SD", "south dakota", "dakota del sur" }, { "TN", "tennessee", NULL },
	{ "TX", "texas", NULL }, { "UT", "utah", NULL }, { "VT", "vermont", NULL },
	{ "VA", "virginia", NULL }, { "WA", "washington", NULL },
	{ "WV", "west virginia", "virginia occidental" }, { "WI", "wisconsin", NULL },
	{ "WY", "wyoming", NULL }, { "AS", "american samoa", "samoa americana" },
	{ "GU", "guam", NULL }, { "MP", "northern mariana islands", "islas marianas del norte" },
	{ "PR", "puerto rico", NULL }, { "VI", "virgin islands", "islas virgenes" },
	{ "AA", "armed forces americas", NULL }, { "AE", "armed forces europe", NULL },
	{ "AP", "armed forces pacific", NULL },
};

/* Fold an answer for comparison: lower case, no accents, no dots, single spaces, trimmed. */
static char *
fold_answer(const char *in)
{
	char *f = str_fold(in), *out = xmalloc(strlen(f) + 1), *o = out;
	const char *p;

	for (p = f; *p != '\0'; p++) {
		if (*p == '.')
			continue;
		if (*p == ' ' || *p == '\t') {
			if (o > out && o[-1] != ' ')
				*o++ = ' ';
			continue;
		}
		*o++ = *p;
	}
	while (o > out && o[-1] == ' ')
		o--;
	*o = '\0';
	free(f);
	return out;
}

/* A state code from a code or a name. */
int
intake_state(const char *in, char out[3])
{
	char *f = fold_answer(in);
	size_t i;
	int rc = -1;

	for (i = 0; i < sizeof states / sizeof states[0]; i++) {
		if ((strlen(f) == 2 && f[0] == states[i].code[0] + ('a' - 'A') &&
		    f[1] == states[i].code[1] + ('a' - 'A')) || strcmp(f, states[i].en) == 0 ||
		    (states[i].es != NULL && strcmp(f, states[i].es) == 0)) {
			memcpy(out, states[i].code, 3);
			rc = 0;
			break;
		}
	}
	free(f);
	return rc;
}

/* A ZIP code, hyphenated when it has nine digits. */
int
intake_zip(const char *in, char out[11])
{
	char d[10];
	size_t n = 0;
	const char *p;

	for (p = in; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n == 9)
				return -1;
			d[n++] = *p;
		} else if (!(*p == '-' && n == 5) && *p != ' ')
			return -1;
	}
	if (n == 5)
		snprintf(out, 11, "%.5s", d);
	else if (n == 9)
		snprintf(out, 11, "%.5s-%.4s", d, d + 5);
	else
		return -1;
	return 0;
}

/* A country code from a code or a common name. */
int
intake_country(const char *in, char out[3])
{
	static const struct {
		const char *name, *code;
	} names[] = {
		{ "usa", "US" }, { "united states", "US" }, { "united states of america", "US" },
		{ "estados unidos", "US" }, { "eeuu", "US" }, { "ee uu", "US" }, { "us", "US" },
		{ "mexico", "MX" }, { "canada", "CA" },
	};
	char *f = fold_answer(in);
	size_t i;
	int rc = -1;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(f, names[i].name) == 0) {
			memcpy(out, names[i].code, 3);
			rc = 0;
		}
	}
	if (rc != 0 && strlen(f) == 2 && f[0] >= 'a' && f[0] <= 'z' && f[1] >= 'a' && f[1] <= 'z') {
		out[0] = (char)(f[0] - 'a' + 'A');
		out[1] = (char)(f[1] - 'a' + 'A');
		out[2] = '\0';
		rc = 0;
	}
	free(f);
	return rc;
}

/* Read up to max digits as a number; the count read, 0 when none. */
static size_t
read_num(const char *s, size_t max, int *v)
{
	size_t n = 0;

	*v = 0;
	while (n < max && s[n] >= '0' && s[n] <= '9')
		*v = *v * 10 + (s[n++] - '0');
	return n;
}

/* Whether y-m-d is a real date; writes it as YYYY-MM-DD. */
static int
real_date(int y, int m, int d, char out[11])
{
	date_t t;

	if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
	return date_parse(out, &t) == 0;
}

/* A date as people write it. */
enum intake_date
intake_date(const char *in, char iso[11], char alt[11])
{
	int a, b, c;
	size_t n1, n2, n3;
	const char *p = in;
	char sep;

	while (*p == ' ')
		p++;
	n1 = read_num(p, 4, &a);
	if (n1 == 0 || (p[n1] != '-' && p[n1] != '/' && p[n1] != '.'))
		return INTAKE_DATE_BAD;
	sep = p[n1];
	p += n1 + 1;
	n2 = read_num(p, 2, &b);
	if (n2 == 0 || p[n2] != sep)
		return INTAKE_DATE_BAD;
	p += n2 + 1;
	n3 = read_num(p, 4, &c);
	p += n3;
	while (*p == ' ')
		p++;
	if (n3 == 0 || *p != '\0')
		return INTAKE_DATE_BAD;
	if (n1 == 4) /* YYYY-MM-DD */
		return n3 <= 2 && real_date(a, b, c, iso) ? INTAKE_DATE_OK : INTAKE_DATE_BAD;
	if (n1 > 2 || n3 != 4)
		return INTAKE_DATE_BAD;
	if (a > 12) /* day first: 14/03/1985 */
		return real_date(c, b, a, iso) ? INTAKE_DATE_OK : INTAKE_DATE_BAD;
	if (b > 12 || a == b) /* month first: 03/14/1985, or the same either way */
		return real_date(c, a, b, iso) ? INTAKE_DATE_OK : INTAKE_DATE_BAD;
	if (!real_date(c, a, b, iso) || !real_date(c, b, a, alt))
		return INTAKE_DATE_BAD;
	return INTAKE_DATE_AMBIGUOUS;
}

/* Yes or no, in English or Spanish. */
int
intake_yes(const char *in)
{
	static const char *const yes[] = { "y", "yes", "s", "si", NULL };
	static const char *const no[] = { "n", "no", NULL };
	char *f = fold_answer(in);
	int r = strlist_has((const char **)yes, f) ? 1 : strlist_has((const char **)no, f) ? 0 : -1;

	free(f);
	return r;
}

static const struct intake_question questions[] = {
	{ "given", INTAKE_TEXT, N_("What is your first (given) name?"),
	  N_("Brokers look you up by name."), 0 },
	{ "family", INTAKE_TEXT, N_("What is your last name (family name)? Write both surnames "
	  "if you use both."), NULL, 0 },
	{ "street", INTAKE_TEXT, N_("Street address, with the apartment number (for example: "
	  "1234 Main St Apt 5)."), N_("Letters are sent from this address, and brokers use it "
	  "to find your records."), 0 },
	{ "city", INTAKE_TEXT, N_("City?"), NULL, 0 },
	{ "state", INTAKE_STATE, N_("State? (for example CA or California)"),
	  N_("Your state decides which law protects you."), 0 },
	{ "zip", INTAKE_ZIP, N_("ZIP code?"), NULL, 0 },
	{ "email", INTAKE_EMAIL, N_("Email address (optional)."), N_("Some brokers confirm a "
	  "request by email; it is sent only to those."), 1 },
	{ "phone", INTAKE_PHONE, N_("Phone number (optional)."), N_("A few brokers ask for it to "
	  "find your records; it is sent only to those."), 1 },
};

/* The question with this key. */
const struct intake_question *
intake_question(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof questions / sizeof questions[0]; i++)
		if (strcmp(questions[i].key, key) == 0)
			return &questions[i];
	return NULL;
}

/* A name or an address line: printable UTF-8 of at most 100 characters. */
static const char *
check_text(const char *in, char **norm)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n = strlen(in), used;
	uint32_t cp;

	while (n > 0) {
		used = utf8_decode(p, n, &cp);
		if (used == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			return N_("Please use letters, numbers and punctuation only.");
		p += used;
		n -= used;
	}
	if (utf8_width(in, strlen(in)) > 100)
		return N_("That is too long: 100 characters at most.");
	*norm = xstrdup(in);
	return NULL;
}

/* An email address: something@somewhere.tld, no spaces. */
static int
email_ok(const char *in)
{
	const char *at = strchr(in, '@');

	return !(at == NULL || at == in || strchr(at + 1, '@') != NULL ||
	    strchr(at, '.') == NULL || strpbrk(in, " \t") != NULL ||
	    in[strlen(in) - 1] == '.' || strlen(in) > 254);
}

/* Check an answer of one kind. */
const char *
intake_check(enum intake_kind kind, const char *in, char **norm)
{
	char code[11], *e;

	*norm = NULL;
	if (*in == '\0')
		return N_("This one is needed: please type an answer.");
	switch (kind) {
	case INTAKE_TEXT:
		return check_text(in, norm);
	case INTAKE_STATE:
		if (intake_state(in, code) != 0)
			return N_("Expected a US state: its two-letter code (CA) or its name "
			    "(California).");
		break;
	case INTAKE_ZIP:
		if (intake_zip(in, code) != 0)
			return N_("Expected a US ZIP code (12345 or 12345-6789).");
		break;
	case INTAKE_EMAIL:
		if (!email_ok(in))
			return N_("Expected an email address, such as name@example.com.");
		*norm = xstrdup(in);
		return NULL;
	case INTAKE_PHONE:
		e = phone_e164(in, "US");
		if (e == NULL || strlen(in) > 25) {
			secure_free(e);
			return N_("Expected a phone number with its area code, such as (213) 555-0142, "
			    "or with a country code, such as +52 55 1234 5678.");
		}
		secure_free(e);
		*norm = xstrdup(in);
		return NULL;
	}
	*norm = xstrdup(code);
	return NULL;
}
