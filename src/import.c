/* import: state data-broker registry exports (CSV) into broker records. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "optout/csv.h"
#include "optout/import.h"
#include "optout/jv.h"
#include "optout/registry.h"
#include "optout/util.h"

#define IMPORT_MAX_BYTES ((size_t)64 * 1024 * 1024)
#define MAX_FOUND 10
/* Registry dates before this are stale (see status in brokers/schema.json). */
#define STALE_BEFORE "2024-11-22"

/* What a column means, found from its header's words. */
enum role {
	R_NAME, R_DBA, R_EMAIL, R_WEBSITE, R_REQUEST_URL, R_ADDRESS, R_STREET, R_CITY, R_STATE,
	R_ZIP, R_COUNTRY, R_PHONE, R_OPTOUT_TEXT, R_AGENT, R_FEDERAL, R_LAW_ENFORCEMENT, R_DATE,
	R_REGID, R_TEXT, R_COUNT
};

/* The registries optout knows: the name used on the command line and in records. */
static const struct {
	const char *id;
	const char *title;
} registries[] = {
	{ "california", "California data broker registry" },
	{ "vermont", "Vermont Secretary of State data broker registry (9 V.S.A. 2446)" },
	{ "texas", "Texas Secretary of State data broker registry" },
	{ "oregon", "Oregon data broker registry" },
};

/* One company: the rows of every file that share its web domain (or name). */
struct entry {
	char *key;            /* web domain, or "name:" + slug without one */
	char *id;
	char *name;
	char **aliases;       /* NULL-terminated */
	char *website;
	char *email;
	int email_reg;        /* registration the email comes from, or -1 */
	struct jv *postal;
	int postal_reg;
	char *url;            /* a request page found in the opt-out answer */
	int url_reg;
	char *email_domain;
	struct jv *registrations;
	char **files;         /* distinct source files, NULL-terminated */
	int california;
	int skip;             /* a curated record has this company: written as its twin */
	int dropped;          /* folded into another twin of the same curated record */
	char *family;         /* shared email domain, when linked */
};

struct import_set {
	struct entry **entries;
	size_t n;
	char **problems;
	size_t nproblems;
	size_t rows, skipped;
};

/* A new, empty import set. */
struct import_set *
import_new(void)
{
	return xcalloc(1, sizeof(struct import_set));
}

/* Free a NULL-terminated string list allocated here. */
static void
list_free(char **l)
{
	str_list_free(l);
}

/* Append a copy of s to a NULL-terminated list. */
static char **
list_add(char **l, const char *s)
{
	size_t n = strlist_len((const char **)l);

	l = xreallocarray(l, n + 2, sizeof *l);
	l[n] = xstrdup(s);
	l[n + 1] = NULL;
	return l;
}

/* Free one entry. */
static void
entry_free(struct entry *e)
{
	if (e == NULL)
		return;
	free(e->key);
	free(e->id);
	free(e->name);
	list_free(e->aliases);
	free(e->website);
	free(e->email);
	jv_free(e->postal);
	free(e->url);
	free(e->email_domain);
	jv_free(e->registrations);
	list_free(e->files);
	free(e->family);
	free(e);
}

/* Free the set. */
void
import_free(struct import_set *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		entry_free(s->entries[i]);
	free(s->entries);
	for (i = 0; i < s->nproblems; i++)
		free(s->problems[i]);
	free(s->problems);
	free(s);
}

/* The problems found so far. */
const char *const *
import_problems(const struct import_set *s, size_t *n)
{
	*n = s->nproblems;
	return (const char *const *)s->problems;
}

/* How many records the set holds. */
size_t
import_count(const struct import_set *s)
{
	return s->n;
}

/* Record a problem (the message is taken over). */
static void
problem(struct import_set *s, char *msg)
{
	s->problems = xreallocarray(s->problems, s->nproblems + 1, sizeof *s->problems);
	s->problems[s->nproblems++] = msg;
}

/* Lower-case ASCII in place. */
static void
lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* A header as " word word ": lower case, every other character a space. */
static char *
header_words(const char *h)
{
	struct buf b;
	int space = 1;

	buf_init(&b);
	buf_addc(&b, ' ');
	for (; *h; h++) {
		char c = *h;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			buf_addc(&b, c);
			space = 0;
		} else if (!space) {
			buf_addc(&b, ' ');
			space = 1;
		}
	}
	if (!space)
		buf_addc(&b, ' ');
	return buf_detach(&b);
}

/* Whether the header words hold the phrase (given as " words "). */
static int
has(const char *words, const char *phrase)
{
	return strstr(words, phrase) != NULL;
}

/* How many words a normalized header has. */
static size_t
word_count(const char *words)
{
	size_t n = 0;

	for (; *words; words++)
		if (*words == ' ' && words[1] != '\0')
			n++;
	return n;
}

/* What a column means, from its header; R_COUNT when nothing useful. */
static enum role
classify(const char *header)
{
	char *w = header_words(header);
	size_t nw = word_count(w);
	enum role r = R_COUNT;

	/* The most specific meanings first: several of these headers also say "opt out". */
	if (has(w, " federal government "))
		r = R_FEDERAL;
	else if (has(w, " law enforcement "))
		r = R_LAW_ENFORCEMENT;
	else if (has(w, " third party ") || has(w, " authorized agent ") ||
	    has(w, " authorize an agent "))
		r = R_AGENT;
	else if (has(w, " doing business ") || has(w, " dba ") || has(w, " trade name "))
		r = R_DBA;
	else if (has(w, " email ") || has(w, " e mail "))
		r = R_EMAIL;
	else if (has(w, " url ") || has(w, " website ") || has(w, " web site ") ||
	    has(w, " internet address ") || has(w, " web address "))
		r = has(w, " opt ") || has(w, " request ") || has(w, " requests ") ||
		    has(w, " ccpa ") || has(w, " delete ") ? R_REQUEST_URL : R_WEBSITE;
	else if (has(w, " registration id ") || has(w, " registration number ") ||
	    has(w, " registration no "))
		r = R_REGID;
	else if (has(w, " phone ") || has(w, " telephone "))
		r = R_PHONE;
	else if (has(w, " opt out ") && (has(w, " how ") || has(w, " method ")))
		r = R_OPTOUT_TEXT;
	else if (has(w, " protected individual ") || has(w, " additional information "))
		r = R_TEXT;
	else if (nw <= 4 && (has(w, " street ") || has(w, " address line ")))
		r = R_STREET;
	else if (has(w, " address "))
		r = R_ADDRESS;
	else if (nw <= 3 && has(w, " city "))
		r = R_CITY;
	else if (nw <= 3 && (has(w, " zip ") || has(w, " postal code ") || has(w, " zip code ")))
		r = R_ZIP;
	else if (nw <= 3 && (has(w, " state ") || has(w, " province ")))
		r = R_STATE;
	else if (nw <= 3 && has(w, " country "))
		r = R_COUNTRY;
	else if (has(w, " date ") && !has(w, " renewal ") && !has(w, " termination ") &&
	    !has(w, " expir"))
		r = R_DATE;
	else if (nw <= 4 && has(w, " name "))
		r = R_NAME;
	free(w);
	return r;
}

/* Trimmed copy of s (spaces, tabs, line breaks). */
static char *
trimmed(const char *s)
{
	const char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		e--;
	return xstrndup(s, (size_t)(e - s));
}

/* Whether a cell says nothing: empty, "n/a", "none", "-". */
static int
empty_answer(const char *s)
{
	char *t = trimmed(s);
	int e;

	lower(t);
	e = t[0] == '\0' || strcmp(t, "n/a") == 0 || strcmp(t, "n/a.") == 0 ||
	    strcmp(t, "na") == 0 || strcmp(t, "none") == 0 || strcmp(t, "-") == 0;
	free(t);
	return e;
}

/* Whether c may appear in an email's local part. */
static int
local_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

/* Whether c may appear in a domain name. */
static int
domain_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '.' || c == '-';
}

/* Whether a domain has labels of letters, digits and hyphens and a top level of 2+ letters. */
static int
valid_domain(const char *d, size_t n)
{
	size_t i, label = 0, dots = 0, tld = 0;
	int tld_alpha = 1;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		if (d[i] == '.') {
			if (label == 0)
				return 0;
			dots++;
			label = 0;
			tld = 0;
			tld_alpha = 1;
			continue;
		}
		if (!domain_char(d[i]))
			return 0;
		label++;
		tld++;
		if (!((d[i] >= 'a' && d[i] <= 'z') || (d[i] >= 'A' && d[i] <= 'Z')))
			tld_alpha = 0;
	}
	return dots > 0 && label > 0 && tld >= 2 && tld_alpha;
}

/* Undo "name [at] example [dot] com" and the like, into a new string. */
static char *
unobfuscate(const char *s)
{
	static const struct {
		const char *from, *to;
	} subs[] = {
		{ "[at]", "@" }, { "(at)", "@" }, { "{at}", "@" }, { "[dot]", "." }, { "(dot)", "." },
	};
	struct buf b;
	size_t i;

	buf_init(&b);
	while (*s) {
		for (i = 0; i < sizeof subs / sizeof subs[0]; i++) {
			size_t n = strlen(subs[i].from);

			if (strncasecmp(s, subs[i].from, n) == 0) {
				/* The spaces around the word go with it. */
				while (b.len > 0 && b.data[b.len - 1] == ' ')
					b.data[--b.len] = '\0';
				buf_adds(&b, subs[i].to);
				s += n;
				while (*s == ' ')
					s++;
				break;
			}
		}
		if (i == sizeof subs / sizeof subs[0])
			buf_addc(&b, *s++);
	}
	if (b.data == NULL)
		buf_adds(&b, "");
	return buf_detach(&b);
}

/* Every email address in text, de-obfuscated, domains in lower case. */
static char **
find_emails(const char *text)
{
	char *t = unobfuscate(text), *p;
	char **out = NULL;
	size_t n = 0;

	for (p = t; (p = strchr(p, '@')) != NULL; p++) {
		const char *a = p, *z = p + 1;
		char *addr;

		while (a > t && local_char(a[-1]))
			a--;
		while (*z && domain_char(*z))
			z++;
		while (z > p + 1 && (z[-1] == '.' || z[-1] == '-'))
			z--;
		while (a < p && *a == '.')
			a++;
		if (a == p || !valid_domain(p + 1, (size_t)(z - p - 1)) || z - a > 254)
			continue;
		addr = xstrndup(a, (size_t)(z - a));
		lower(addr + (p - a) + 1);
		if (!strlist_has((const char **)out, addr) && n < MAX_FOUND) {
			out = list_add(out, addr);
			n++;
		}
		free(addr);
	}
	free(t);
	return out;
}

/* A web address as https, or NULL when it is not one (no host, spaces, too long). */
static char *
https_url(const char *s, size_t n)
{
	const char *host;
	size_t i, hn;

	if (n >= 8 && strncasecmp(s, "https://", 8) == 0)
		host = s + 8;
	else if (n >= 7 && strncasecmp(s, "http://", 7) == 0)
		host = s + 7;
	else
		host = s;
	n -= (size_t)(host - s);
	for (hn = 0; hn < n && host[hn] != '/' && host[hn] != '?' && host[hn] != '#'; hn++)
		;
	if (!valid_domain(host, hn) || n + 8 > 500)
		return NULL;
	for (i = 0; i < n; i++)
		if ((unsigned char)host[i] <= ' ' || host[i] == '"' || host[i] == '<' ||
		    host[i] == '>' || host[i] == '\\')
			return NULL;
	{
		char *u = xasprintf("https://%.*s", (int)n, host);

		/* Host names are case-insensitive: one spelling, so one domain key. */
		for (i = 8; i < 8 + hn; i++)
			if (u[i] >= 'A' && u[i] <= 'Z')
				u[i] = (char)(u[i] - 'A' + 'a');
		return u;
	}
}

/* Every web address in free text (http, https, or starting with www.), as https. */
static char **
find_urls(const char *text)
{
	char **out = NULL;
	const char *p = text;
	size_t count = 0;

	while (*p) {
		const char *z;
		char *u;

		if (!(strncasecmp(p, "http://", 7) == 0 || strncasecmp(p, "https://", 8) == 0 ||
		    (strncasecmp(p, "www.", 4) == 0 && (p == text || !domain_char(p[-1]))))) {
			p++;
			continue;
		}
		for (z = p; *z && (unsigned char)*z > ' ' && *z != '"' && *z != '<' && *z != '>' &&
		    *z != ',' && *z != ';'; z++)
			;
		/* Sentence punctuation after an address is not part of it. */
		while (z > p && (z[-1] == '.' || z[-1] == ')' || z[-1] == ']' || z[-1] == ':'))
			z--;
		u = https_url(p, (size_t)(z - p));
		if (u != NULL && !strlist_has((const char **)out, u) && count < MAX_FOUND) {
			out = list_add(out, u);
			count++;
		}
		free(u);
		p = z > p ? z : p + 1;
	}
	return out;
}

/* Every US telephone number written with separators, as AAA-BBB-CCCC. */
static char **
find_phones(const char *text)
{
	char **out = NULL;
	const char *p = text;
	size_t count = 0;

	while (*p) {
		const char *z = p;
		char digits[16];
		size_t nd = 0, seps = 0;

		if (!((*p >= '0' && *p <= '9') || *p == '(' || *p == '+') ||
		    (p > text && ((p[-1] >= '0' && p[-1] <= '9') || p[-1] == '-'))) {
			p++;
			continue;
		}
		for (; *z; z++) {
			if (*z >= '0' && *z <= '9') {
				if (nd < sizeof digits - 1)
					digits[nd] = *z;
				nd++;
			} else if (*z == '(' || *z == ')' || *z == '-' || *z == '.' || *z == ' ' ||
			    *z == '+')
				seps++;
			else
				break;
			/* A space only joins digits to digits: stop at a word. */
			if (*z == ' ' && !(z[1] >= '0' && z[1] <= '9') && z[1] != '(')
				break;
		}
		if (nd == 11 && digits[0] == '1') {
			memmove(digits, digits + 1, 10);
			nd = 10;
		}
		if (nd == 10 && seps >= 2 && digits[0] >= '2' && count < MAX_FOUND) {
			char *ph = xasprintf("%.3s-%.3s-%.4s", digits, digits + 3, digits + 6);

			if (!strlist_has((const char **)out, ph)) {
				out = list_add(out, ph);
				count++;
			}
			free(ph);
		}
		p = z > p ? z : p + 1;
	}
	return out;
}

/* The host of a web address without "www.", in lower case; NULL when none. */
static char *
url_domain(const char *url)
{
	const char *h = url, *e;
	char *d;

	if (url == NULL)
		return NULL;
	if (strncasecmp(h, "https://", 8) == 0)
		h += 8;
	else if (strncasecmp(h, "http://", 7) == 0)
		h += 7;
	if (strncasecmp(h, "www.", 4) == 0)
		h += 4;
	for (e = h; *e && *e != '/' && *e != '?' && *e != '#' && *e != ':'; e++)
		;
	if (!valid_domain(h, (size_t)(e - h)))
		return NULL;
	d = xstrndup(h, (size_t)(e - h));
	lower(d);
	return d;
}

/* Letters and digits of s in lower case, other runs as one hyphen, at most max bytes. */
static char *
slug(const char *s, size_t max)
{
	struct buf b;
	int dash = 0;

	buf_init(&b);
	for (; *s && b.len < max; s++) {
		char c = *s;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (dash && b.len > 0)
				buf_addc(&b, '-');
			buf_addc(&b, c);
			dash = 0;
		} else
			dash = 1;
	}
	while (b.len > 0 && b.data[b.len - 1] == '-')
		b.data[--b.len] = '\0';
	if (b.data == NULL)
		buf_adds(&b, "");
	return buf_detach(&b);
}

/* A record id from a domain ("acme.com" gives "acme", "vdx.tv" gives "vdx-tv"). */
static char *
id_from_domain(const char *domain)
{
	char *d = xstrdup(domain), *id;

	if (str_ends_with(d, ".com") && strlen(d) > 4)
		d[strlen(d) - 4] = '\0';
	id = slug(d, 60);
	free(d);
	return id;
}

/* Read 1 to max decimal digits at *p, advancing it; -1 when there is none. */
static int
read_num(const char **p, int max, int *ndigits)
{
	int v = 0, n = 0;

	while (n < max && **p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	*ndigits = n;
	return n > 0 ? v : -1;
}

/* Parse YYYY-MM-DD at *p (advancing it) into y, m, d; 0 when it is one. */
static int
read_iso(const char **p, int *y, int *m, int *d)
{
	int n1, n2, n3;

	*y = read_num(p, 4, &n1);
	if (n1 != 4 || **p != '-')
		return -1;
	(*p)++;
	*m = read_num(p, 2, &n2);
	if (n2 != 2 || **p != '-')
		return -1;
	(*p)++;
	*d = read_num(p, 2, &n3);
	return n3 == 2 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= 31 ? 0 : -1;
}

/* A date as the registries write it (M/D/YYYY or YYYY-MM-DD) in ISO form, or NULL. */
static char *
iso_date(const char *s)
{
	char *t = trimmed(s), *out = NULL;
	const char *p = t;
	int m, d, y, n1, n2, n3;

	m = read_num(&p, 2, &n1);
	if (n1 > 0 && *p == '/') {
		p++;
		d = read_num(&p, 2, &n2);
		if (n2 > 0 && *p == '/') {
			p++;
			y = read_num(&p, 4, &n3);
			if (n3 == 4 && *p == '\0' && m >= 1 && m <= 12 && d >= 1 && d <= 31 &&
			    y >= 1990)
				out = xasprintf("%04d-%02d-%02d", y, m, d);
		}
	}
	p = t;
	if (out == NULL && read_iso(&p, &y, &m, &d) == 0 && y >= 1990 &&
	    (*p == '\0' || *p == 'T' || *p == ' '))
		out = xasprintf("%04d-%02d-%02d", y, m, d);
	free(t);
	return out;
}

/* A yes/no answer: 1 yes, 0 no, -1 when the answer says neither first. */
static int
yes_no(const char *s)
{
	char *t = trimmed(s);
	int r = -1;

	lower(t);
	if ((strncmp(t, "yes", 3) == 0 && !(t[3] >= 'a' && t[3] <= 'z')) ||
	    strcmp(t, "true") == 0 || strcmp(t, "y") == 0)
		r = 1;
	else if ((strncmp(t, "no", 2) == 0 && !(t[2] >= 'a' && t[2] <= 'z')) ||
	    strcmp(t, "false") == 0 || strcmp(t, "n") == 0)
		r = 0;
	free(t);
	return r;
}

/* A US state abbreviation (two letters) in upper case, or NULL. */
static char *
us_region(const char *s)
{
	char *t = trimmed(s);

	if (strlen(t) == 2 && ((t[0] | 32) >= 'a' && (t[0] | 32) <= 'z') &&
	    ((t[1] | 32) >= 'a' && (t[1] | 32) <= 'z')) {
		t[0] = (char)(t[0] & ~32);
		t[1] = (char)(t[1] & ~32);
		return t;
	}
	free(t);
	return NULL;
}

/* A US ZIP or ZIP+4 code ("72032 - 7114" gives "72032-7114"), or NULL. */
static char *
us_zip(const char *s)
{
	char d[10];
	size_t n = 0;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			if (n == sizeof d)
				return NULL;
			d[n++] = *s;
		} else if (*s != ' ' && *s != '-')
			return NULL;
	}
	if (n == 5)
		return xstrndup(d, 5);
	if (n == 9)
		return xasprintf("%.5s-%.4s", d, d + 5);
	return NULL;
}

/* Whether a part names the United States. */
static int
is_us(const char *s)
{
	char *w = header_words(s);
	int r = strcmp(w, " united states ") == 0 || strcmp(w, " usa ") == 0 ||
	    strcmp(w, " us ") == 0 || strcmp(w, " u s ") == 0 || strcmp(w, " u s a ") == 0 ||
	    strcmp(w, " united states of america ") == 0;

	free(w);
	return r;
}

/* A postal object for the schema, or NULL when a line is too long or missing. */
static struct jv *
postal_object(const char *recipient, char **street, size_t nstreet, const char *city,
    const char *region, const char *zip)
{
	struct jv *o, *lines;
	size_t i;

	if (nstreet == 0 || nstreet > 4 || strlen(recipient) > 100 || strlen(city) > 60 ||
	    city[0] == '\0')
		return NULL;
	for (i = 0; i < nstreet; i++)
		if (strlen(street[i]) > 100 || street[i][0] == '\0')
			return NULL;
	o = jv_new_object();
	jv_set_str(o, "recipient", recipient);
	lines = jv_new_array();
	for (i = 0; i < nstreet; i++)
		jv_push(lines, jv_new_string(street[i]));
	jv_set(o, "street", lines);
	jv_set_str(o, "city", city);
	jv_set_str(o, "region", region);
	jv_set_str(o, "postal_code", zip);
	jv_set_str(o, "country", "US");
	return o;
}

/*
 * Parse a US address written on one line or several ("street, suite, city,
 * ST 12345, United States" or "..., city, ST, 12345, USA") into lines.
 */
static struct jv *
parse_address(const char *recipient, const char *text)
{
	char **parts = NULL, *zip = NULL, *region = NULL, *copy = xstrdup(text), *p, *tok;
	size_t n = 0, end;
	struct jv *o = NULL;

	for (p = copy; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ',';
	for (tok = strtok(copy, ","); tok != NULL; tok = strtok(NULL, ",")) {
		char *t = trimmed(tok);

		if (t[0] != '\0') {
			parts = xreallocarray(parts, n + 2, sizeof *parts);
			parts[n++] = t;
			parts[n] = NULL;
		} else
			free(t);
	}
	free(copy);
	end = n;
	if (end > 0 && is_us(parts[end - 1]))
		end--;
	else if (end > 0) {
		/* Another country's address, or none: no US envelope from it. */
		char *last = strrchr(parts[end - 1], ' ');
		char *z = us_zip(parts[end - 1]);

		if (z == NULL && last != NULL)
			z = us_zip(last + 1);
		free(z);
		if (z == NULL)
			goto out;
	}
	if (end < 3)
		goto out;
	if ((zip = us_zip(parts[end - 1])) != NULL) {
		/* "..., FL, 33907" */
		if ((region = us_region(parts[end - 2])) == NULL || end < 4)
			goto out;
		end -= 2;
	} else {
		/* "..., IL 60515" */
		char *sp = strrchr(parts[end - 1], ' ');

		if (sp == NULL || (zip = us_zip(sp + 1)) == NULL)
			goto out;
		*sp = '\0';
		if ((region = us_region(parts[end - 1])) == NULL)
			goto out;
		end--;
	}
	/* end - 1 is the city, everything before it the street lines. */
	o = postal_object(recipient, parts, end - 1, parts[end - 1], region, zip);
out:
	free(zip);
	free(region);
	list_free(parts);
	return o;
}

/* The registry named by an id, or -1. */
static int
registry_index(const char *id)
{
	size_t i;

	for (i = 0; i < sizeof registries / sizeof registries[0]; i++)
		if (strcmp(registries[i].id, id) == 0)
			return (int)i;
	return -1;
}

/* The file's base name. */
static const char *
base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b != NULL ? b + 1 : path;
}

/* The file's date from its name (YYYY-MM-DD, else a year), or NULL. */
static char *
date_from_name(const char *name)
{
	const char *p;

	for (p = name; *p; p++) {
		const char *q = p;
		int y, m, d;

		if ((p == name || !(p[-1] >= '0' && p[-1] <= '9')) && read_iso(&q, &y, &m, &d) == 0 &&
		    y >= 1990 && !(*q >= '0' && *q <= '9'))
			return xstrndup(p, 10);
	}
	for (p = name; *p; p++) {
		if ((p == name || !(p[-1] >= '0' && p[-1] <= '9')) && (p[0] == '1' || p[0] == '2') &&
		    (p[1] == '9' || p[1] == '0') && p[2] >= '0' && p[2] <= '9' && p[3] >= '0' &&
		    p[3] <= '9' && !(p[4] >= '0' && p[4] <= '9'))
			return xstrndup(p, 4);
	}
	return NULL;
}

/* Whether a date given on the command line has the YYYY[-MM[-DD]] form. */
static int
valid_partial_date(const char *s)
{
	const char *p = s;
	int y, m, d, n;
	size_t len = strlen(s);

	if (len == 10)
		return read_iso(&p, &y, &m, &d) == 0 && *p == '\0';
	y = read_num(&p, 4, &n);
	if (n != 4 || y < 0)
		return 0;
	if (len == 4)
		return *p == '\0';
	if (len != 7 || *p++ != '-')
		return 0;
	m = read_num(&p, 2, &n);
	return n == 2 && m >= 1 && m <= 12 && *p == '\0';
}

/* Find the entry for a key, or NULL. */
static struct entry *
find_entry(struct import_set *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->entries[i]->key, key) == 0)
			return s->entries[i];
	return NULL;
}

/* The columns of one file, by role; text roles may have several. */
struct columns {
	int col[R_COUNT];
	int text[16];
	size_t ntext;
	const char *const *header;
	size_t ncols;
};

/* Find every column's meaning. */
static void
map_columns(struct columns *c, const char *const *header, size_t ncols)
{
	size_t i;

	for (i = 0; i < R_COUNT; i++)
		c->col[i] = -1;
	c->ntext = 0;
	c->header = header;
	c->ncols = ncols;
	for (i = 0; i < ncols; i++) {
		enum role r = classify(header[i]);

		if (r == R_COUNT)
			continue;
		if (r == R_TEXT || (r == R_OPTOUT_TEXT && c->col[r] >= 0)) {
			if (c->ntext < sizeof c->text / sizeof c->text[0])
				c->text[c->ntext++] = (int)i;
			continue;
		}
		if (c->col[r] < 0)
			c->col[r] = (int)i;
	}
}

/* A cell by role, or NULL when the file has no such column. */
static const char *
cell(const struct columns *c, const struct csv_record *rec, enum role r)
{
	int i = c->col[r];

	return i >= 0 && (size_t)i < rec->nfields ? rec->fields[i] : NULL;
}

/* What one file is: where it comes from and how to cite it. */
struct file_ctx {
	const char *name; /* base name */
	int reg;          /* index in registries[] */
	const char *as_of;
};

/* Add a string list to an object when not empty (the list is freed). */
static void
set_list(struct jv *o, const char *key, char **list)
{
	struct jv *a;
	size_t i;

	if (list == NULL || list[0] == NULL) {
		list_free(list);
		return;
	}
	a = jv_new_array();
	for (i = 0; list[i] != NULL; i++)
		jv_push(a, jv_new_string(list[i]));
	jv_set(o, key, a);
	list_free(list);
}

/* Merge list b into list a without duplicates (b is freed). */
static char **
list_merge(char **a, char **b, size_t max)
{
	size_t i;

	for (i = 0; b != NULL && b[i] != NULL; i++)
		if (!strlist_has((const char **)a, b[i]) && strlist_len((const char **)a) < max)
			a = list_add(a, b[i]);
	list_free(b);
	return a;
}

/* Report a column problem for a row, naming the file, row, line and header. */
static void
col_problem(struct import_set *s, const struct file_ctx *f, const struct columns *c,
    const struct csv_record *rec, size_t row, enum role r, const char *what)
{
	problem(s, xasprintf("%s: row %zu (line %zu): column \"%s\": %s", f->name, row, rec->line,
	    c->header[c->col[r]], what));
}

/* Build the registration object for one row. */
static struct jv *
registration(const struct file_ctx *f, const struct columns *c, const struct csv_record *rec,
    size_t row, struct import_set *s)
{
	struct jv *reg = jv_new_object(), *src = jv_new_object();
	const char *v;
	char **urls = NULL, **emails = NULL, **phones = NULL, *ref;
	size_t i;
	int yn;

	jv_set_str(reg, "registry", registries[f->reg].id);
	if ((v = cell(c, rec, R_REGID)) != NULL && !empty_answer(v)) {
		char *t = trimmed(v);

		if (strlen(t) <= 40)
			jv_set_str(reg, "id", t);
		else
			col_problem(s, f, c, rec, row, R_REGID, "longer than 40 characters (expected "
			    "a registration number); left out");
		free(t);
	}
	if ((v = cell(c, rec, R_DATE)) != NULL && !empty_answer(v)) {
		char *d = iso_date(v);

		if (d != NULL)
			jv_set_str(reg, "date", d);
		else
			col_problem(s, f, c, rec, row, R_DATE, "not a date (expected M/D/YYYY or "
			    "YYYY-MM-DD); left out");
		free(d);
	}
	ref = xasprintf("%s, file %s, row %zu", registries[f->reg].title, f->name, row);
	jv_set_str(src, "ref", ref);
	free(ref);
	if (strcmp(registries[f->reg].id, "california") == 0 && strstr(f->name, "oag") != NULL)
		jv_set_str(src, "url", "https://oag.ca.gov/data-brokers");
	else if (strcmp(registries[f->reg].id, "california") == 0 && strstr(f->name, "cppa") != NULL)
		jv_set_str(src, "url", "https://cppa.ca.gov/data_broker_registry/");
	jv_set_str(src, "as_of", f->as_of);
	jv_set(reg, "source", src);
	if ((v = cell(c, rec, R_AGENT)) != NULL && (yn = yes_no(v)) >= 0)
		jv_set(reg, "agent_allowed", jv_new_bool(yn));
	if ((v = cell(c, rec, R_FEDERAL)) != NULL && (yn = yes_no(v)) >= 0)
		jv_set(reg, "sold_to_federal_government", jv_new_bool(yn));
	if ((v = cell(c, rec, R_LAW_ENFORCEMENT)) != NULL && (yn = yes_no(v)) >= 0)
		jv_set(reg, "sold_to_law_enforcement", jv_new_bool(yn));
	/* Facts from the free text: addresses and numbers, never the sentences. */
	if ((v = cell(c, rec, R_PHONE)) != NULL)
		phones = list_merge(phones, find_phones(v), 5);
	for (i = 0; i <= c->ntext; i++) {
		int col = i < c->ntext ? c->text[i] : c->col[R_OPTOUT_TEXT];

		if (col < 0 || (size_t)col >= rec->nfields)
			continue;
		urls = list_merge(urls, find_urls(rec->fields[col]), MAX_FOUND);
		emails = list_merge(emails, find_emails(rec->fields[col]), MAX_FOUND);
		phones = list_merge(phones, find_phones(rec->fields[col]), 5);
	}
	if ((v = cell(c, rec, R_AGENT)) != NULL) {
		urls = list_merge(urls, find_urls(v), MAX_FOUND);
		emails = list_merge(emails, find_emails(v), MAX_FOUND);
	}
	set_list(reg, "phones", phones);
	set_list(reg, "urls", urls);
	set_list(reg, "emails", emails);
	return reg;
}

/* The row's filed email address, or NULL (reporting an unusable one). */
static char *
row_email(struct import_set *s, const struct file_ctx *f, const struct columns *c,
    const struct csv_record *rec, size_t row)
{
	const char *v = cell(c, rec, R_EMAIL);
	char **found;
	char *e = NULL;

	if (v == NULL || empty_answer(v))
		return NULL;
	found = find_emails(v);
	if (found != NULL && found[0] != NULL && strlen(found[0]) >= 6)
		e = xstrdup(found[0]);
	else
		col_problem(s, f, c, rec, row, R_EMAIL, "not an email address (expected "
		    "name@example.com or name [at] example.com); the row goes on without it");
	list_free(found);
	return e;
}

/* The row's postal address, or NULL (reporting an unusable one). */
static struct jv *
row_postal(struct import_set *s, const struct file_ctx *f, const struct columns *c,
    const struct csv_record *rec, size_t row, const char *name)
{
	const char *v = cell(c, rec, R_ADDRESS);
	struct jv *o = NULL;

	if (v != NULL && !empty_answer(v)) {
		o = parse_address(name, v);
		if (o == NULL)
			col_problem(s, f, c, rec, row, R_ADDRESS, "not a US postal address with street, "
			    "city, state and ZIP code; the row goes on without it");
		return o;
	}
	if (cell(c, rec, R_STREET) != NULL && cell(c, rec, R_CITY) != NULL &&
	    cell(c, rec, R_STATE) != NULL && cell(c, rec, R_ZIP) != NULL &&
	    !empty_answer(cell(c, rec, R_STREET))) {
		const char *country = cell(c, rec, R_COUNTRY);
		char *street = trimmed(cell(c, rec, R_STREET)), *city = trimmed(cell(c, rec, R_CITY));
		char *region = us_region(cell(c, rec, R_STATE)), *zip = NULL;
		char *tz = trimmed(cell(c, rec, R_ZIP));

		zip = us_zip(tz);
		free(tz);
		if ((country == NULL || empty_answer(country) || is_us(country)) && region != NULL &&
		    zip != NULL)
			o = postal_object(name, &street, 1, city, region, zip);
		if (o == NULL)
			col_problem(s, f, c, rec, row, R_STREET, "with the city, state and ZIP code "
			    "columns, not a US postal address; the row goes on without it");
		free(street);
		free(city);
		free(region);
		free(zip);
	}
	return o;
}

/* The request page named in the opt-out answer or column, or NULL. */
static char *
row_request_url(const struct columns *c, const struct csv_record *rec)
{
	const char *v = cell(c, rec, R_REQUEST_URL);
	char **u = NULL, *url = NULL;

	if (v != NULL) {
		char *t = trimmed(v);

		url = https_url(t, strlen(t));
		free(t);
		if (url != NULL)
			return url;
	}
	if ((v = cell(c, rec, R_OPTOUT_TEXT)) != NULL)
		u = find_urls(v);
	if (u != NULL && u[0] != NULL)
		url = xstrdup(u[0]);
	list_free(u);
	return url;
}

/* Take one row into the set. */
static void
take_row(struct import_set *s, const struct file_ctx *f, const struct columns *c,
    const struct csv_record *rec, size_t row)
{
	const char *v;
	char *name, *website = NULL, *email, *url, *key = NULL, *dba = NULL;
	struct jv *postal;
	struct entry *e;
	int regi;

	v = cell(c, rec, R_NAME);
	name = v != NULL ? trimmed(v) : xstrdup("");
	if (name[0] == '\0' || strlen(name) > 120) {
		col_problem(s, f, c, rec, row, R_NAME, name[0] == '\0'
		    ? "empty (expected the broker's name); row skipped"
		    : "longer than 120 characters (expected the broker's name); row skipped");
		s->skipped++;
		free(name);
		return;
	}
	if ((v = cell(c, rec, R_WEBSITE)) != NULL && !empty_answer(v)) {
		char *t = trimmed(v);

		website = https_url(t, strlen(t));
		free(t);
		if (website == NULL)
			col_problem(s, f, c, rec, row, R_WEBSITE, "not a web address (expected "
			    "example.com or https://example.com); the row goes on without it");
	}
	if ((v = cell(c, rec, R_DBA)) != NULL && !empty_answer(v)) {
		dba = trimmed(v);
		if (strlen(dba) > 120) {
			free(dba);
			dba = NULL;
		}
	}
	email = row_email(s, f, c, rec, row);
	postal = row_postal(s, f, c, rec, row, name);
	url = row_request_url(c, rec);
	if (email == NULL && postal == NULL && url == NULL) {
		problem(s, xasprintf("%s: row %zu (line %zu): no usable email, postal address or "
		    "request page (expected in the columns for email, address or opt-out); row "
		    "skipped", f->name, row, rec->line));
		s->skipped++;
		free(name);
		free(website);
		free(dba);
		return;
	}
	if (website != NULL)
		key = url_domain(website);
	if (key == NULL) {
		char *sl = slug(name, 56);

		key = xasprintf("name:%s", sl);
		free(sl);
	}
	e = find_entry(s, key);
	if (e == NULL) {
		e = xcalloc(1, sizeof *e);
		e->key = key;
		e->id = strncmp(key, "name:", 5) == 0 ? xstrdup(key + 5) : id_from_domain(key);
		e->name = xstrdup(name);
		e->email_reg = e->postal_reg = e->url_reg = -1;
		e->registrations = jv_new_array();
		s->entries = xreallocarray(s->entries, s->n + 1, sizeof *s->entries);
		s->entries[s->n++] = e;
	} else {
		free(key);
		if (strcmp(e->name, name) != 0 && !strlist_has((const char **)e->aliases, name) &&
		    strlist_len((const char **)e->aliases) < 20)
			e->aliases = list_add(e->aliases, name);
	}
	if (dba != NULL && strcmp(dba, e->name) != 0 &&
	    !strlist_has((const char **)e->aliases, dba) && strlist_len((const char **)e->aliases) < 20)
		e->aliases = list_add(e->aliases, dba);
	free(dba);
	if (!strlist_has((const char **)e->files, f->name))
		e->files = list_add(e->files, f->name);
	if (strcmp(registries[f->reg].id, "california") == 0)
		e->california = 1;
	regi = jv_len(e->registrations) < 10 ? (int)jv_len(e->registrations) : -1;
	if (regi >= 0)
		jv_push(e->registrations, registration(f, c, rec, row, s));
	/* The first registry to give a channel keeps it; later ones add what is missing. */
	if (e->website == NULL && website != NULL) {
		e->website = website;
		website = NULL;
	}
	if (e->email == NULL && email != NULL && regi >= 0) {
		char *at = strchr(email, '@');

		e->email = email;
		e->email_reg = regi;
		e->email_domain = xstrdup(at + 1);
		email = NULL;
	}
	if (e->postal == NULL && postal != NULL && regi >= 0) {
		e->postal = postal;
		e->postal_reg = regi;
		postal = NULL;
	}
	if (e->url == NULL && url != NULL && regi >= 0) {
		e->url = url;
		e->url_reg = regi;
		url = NULL;
	}
	free(website);
	free(email);
	jv_free(postal);
	free(url);
	free(name);
}

/* Read one registry export held in memory. */
enum import_status
import_parse(struct import_set *s, const char *data, size_t len, const char *name,
    const char *registry, const char *as_of, char **cause)
{
	struct file_ctx f;
	struct columns c;
	struct csv_reader *r;
	struct csv_record rec;
	const char *const *header;
	char *guessed = NULL, *reg_guess = NULL;
	size_t ncols, row = 0, i;
	int rc;

	f.name = base_name(name);
	if (registry == NULL) {
		reg_guess = xstrdup(f.name);
		lower(reg_guess);
		for (i = 0; i < sizeof registries / sizeof registries[0]; i++)
			if (strstr(reg_guess, registries[i].id) != NULL)
				registry = registries[i].id;
		free(reg_guess);
		if (registry == NULL) {
			*cause = xasprintf("%s: the file name does not say which registry it comes "
			    "from: name it with --registry (california, vermont, texas or oregon)",
			    f.name);
			return IMPORT_BAD_INPUT;
		}
	}
	if ((f.reg = registry_index(registry)) < 0) {
		*cause = xasprintf("--registry: '%s' is not one of california, vermont, texas, "
		    "oregon", registry);
		return IMPORT_BAD_INPUT;
	}
	if (as_of == NULL) {
		as_of = guessed = date_from_name(f.name);
		if (as_of == NULL) {
			*cause = xasprintf("%s: the file name carries no date (YYYY-MM-DD or a year): "
			    "give the registry file's date with --as-of", f.name);
			return IMPORT_BAD_INPUT;
		}
	} else if (!valid_partial_date(as_of)) {
		*cause = xasprintf("--as-of: expected a date as YYYY, YYYY-MM or YYYY-MM-DD");
		return IMPORT_BAD_INPUT;
	}
	f.as_of = as_of;
	r = csv_open_mem(data, len, f.name, cause);
	if (r == NULL) {
		free(guessed);
		return IMPORT_BAD_INPUT;
	}
	header = csv_header(r, &ncols);
	map_columns(&c, header, ncols);
	if (c.col[R_NAME] < 0 || (c.col[R_EMAIL] < 0 && c.col[R_ADDRESS] < 0 &&
	    c.col[R_STREET] < 0 && c.col[R_OPTOUT_TEXT] < 0 && c.col[R_REQUEST_URL] < 0)) {
		*cause = xasprintf("%s: the header has no column for the broker's %s (expected a "
		    "header such as \"%s\")", f.name, c.col[R_NAME] < 0 ? "name" : "contact",
		    c.col[R_NAME] < 0 ? "Data Broker Name" : "Email Address");
		csv_close(r);
		free(guessed);
		return IMPORT_BAD_INPUT;
	}
	while ((rc = csv_next(r, &rec, cause)) == 1) {
		row++;
		s->rows++;
		if (!rec.ok) {
			s->skipped++;
			problem(s, xasprintf("%s: row %zu (line %zu): expected %zu columns as in the "
			    "header, found %zu; row skipped", f.name, row, rec.line, ncols, rec.nfields));
			continue;
		}
		take_row(s, &f, &c, &rec, row);
	}
	csv_close(r);
	free(guessed);
	return rc < 0 ? IMPORT_BAD_INPUT : IMPORT_OK;
}

/* Read one registry export from a file. */
enum import_status
import_file(struct import_set *s, const char *path, const char *registry, const char *as_of,
    char **cause)
{
	char *data = NULL;
	size_t len = 0;
	enum import_status st;

	if (read_file(path, IMPORT_MAX_BYTES, &data, &len, cause) != 0)
		return IMPORT_NO_INPUT;
	st = import_parse(s, data, len, path, registry, as_of, cause);
	free(data);
	return st;
}

/* Email providers anyone can use: a shared one does not make a family. */
static int
public_mail_domain(const char *d)
{
	static const char *const common[] = { "gmail.com", "yahoo.com", "outlook.com",
		"hotmail.com", "aol.com", "icloud.com", "protonmail.com", "proton.me", "msn.com",
		"live.com", "comcast.net", NULL };

	return strlist_has((const char **)common, d);
}

/* Leave every entry that a curated record covers (same domain or id) to it. */
static void
match_curated(struct import_set *s, const struct registry *reg, size_t *ncurated)
{
	size_t i, j;

	*ncurated = 0;
	for (j = 0; reg != NULL && j < reg->n; j++) {
		const struct broker *b = reg->brokers[j];
		struct entry *twin;
		char *d;

		if (b->quality != NULL && strcmp(b->quality, "imported") == 0)
			continue;
		d = url_domain(b->website);
		twin = NULL;
		for (i = 0; i < s->n; i++) {
			struct entry *e = s->entries[i];
			size_t k;

			if (e->skip || !((d != NULL && strcmp(e->key, d) == 0) ||
			    strcmp(e->id, b->id) == 0))
				continue;
			e->skip = 1;
			(*ncurated)++;
			if (twin == NULL) {
				/* The twin carries the curated id: the loader joins the two. */
				free(e->id);
				e->id = xstrdup(b->id);
				twin = e;
				continue;
			}
			for (k = 0; k < jv_len(e->registrations) && jv_len(twin->registrations) < 10; k++)
				jv_push(twin->registrations, jv_copy(jv_at(e->registrations, k)));
			e->dropped = 1;
		}
		free(d);
	}
}

/* Whether an id is taken by a curated record or another entry. */
static int
id_taken(const struct import_set *s, const struct registry *reg, const struct entry *self,
    const char *id)
{
	size_t i;

	if (reg != NULL && registry_find(reg, id) != NULL &&
	    (registry_find(reg, id)->quality == NULL ||
	    strcmp(registry_find(reg, id)->quality, "imported") != 0))
		return 1;
	for (i = 0; i < s->n; i++)
		if (s->entries[i] != self && !s->entries[i]->skip && strcmp(s->entries[i]->id, id) == 0)
			return 1;
	return 0;
}

/* Give every entry a unique id (a number suffix on a clash). */
static void
unique_ids(struct import_set *s, const struct registry *reg)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		struct entry *e = s->entries[i];
		int k;

		if (e->skip)
			continue;
		if (e->id[0] == '\0' || strlen(e->id) < 2) {
			free(e->id);
			e->id = xstrdup("broker");
		}
		for (k = 2; id_taken(s, reg, e, e->id); k++) {
			char *base = xstrndup(e->id, 58), *n;

			/* Strip an earlier suffix so "x-2" becomes "x-3", not "x-2-3". */
			if (k > 2 && strrchr(base, '-') != NULL)
				*strrchr(base, '-') = '\0';
			n = xasprintf("%s-%d", base, k);
			free(base);
			free(e->id);
			e->id = n;
		}
	}
}

/* Order strings. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Link entries that filed the same email domain (other than public mail services). */
static size_t
link_families(struct import_set *s)
{
	size_t i, j, families = 0;

	for (i = 0; i < s->n; i++) {
		struct entry *e = s->entries[i];
		size_t members = 0;

		if (e->skip || e->email_domain == NULL || e->family != NULL ||
		    public_mail_domain(e->email_domain))
			continue;
		for (j = 0; j < s->n; j++)
			if (!s->entries[j]->skip && s->entries[j]->email_domain != NULL &&
			    strcmp(s->entries[j]->email_domain, e->email_domain) == 0)
				members++;
		if (members < 2 || members > 60)
			continue;
		families++;
		for (j = 0; j < s->n; j++)
			if (!s->entries[j]->skip && s->entries[j]->email_domain != NULL &&
			    strcmp(s->entries[j]->email_domain, e->email_domain) == 0)
				s->entries[j]->family = xstrdup(e->email_domain);
	}
	return families;
}

/* A registration's source object, copied. */
static struct jv *
reg_source(const struct entry *e, int regi)
{
	return jv_copy(jv_get(jv_at(e->registrations, (size_t)regi), "source"));
}

/* Add the procedures for one channel: access, delete and opt-out (web: opt-out). */
static void
add_procedures(struct jv *procs, const struct entry *e, const char *channel, int regi,
    const char *key, struct jv *value)
{
	static const char *const requests[] = { "access", "delete", "opt-out" };
	const struct jv *reg = jv_at(e->registrations, (size_t)regi);
	const char *as_of = jv_str(jv_get(jv_get(reg, "source"), "as_of"));
	const struct jv *agent = jv_get(reg, "agent_allowed");
	size_t i;

	for (i = 0; i < 3; i++) {
		struct jv *p, *laws, *srcs;
		char *id;

		/* A page found in an opt-out answer is for opt-out: nothing says more. */
		if (strcmp(channel, "web") == 0 && i != 2)
			continue;
		p = jv_new_object();
		id = xasprintf("%s-%s-%s", e->california ? "ccpa" : "state",
		    strcmp(requests[i], "opt-out") == 0 ? "optout" : requests[i], channel);
		jv_set_str(p, "id", id);
		free(id);
		jv_set_str(p, "request", requests[i]);
		laws = jv_new_array();
		if (e->california)
			jv_push(laws, jv_new_string("ccpa"));
		jv_push(laws, jv_new_string("us-state"));
		jv_set(p, "laws", laws);
		jv_set_str(p, "channel", channel);
		jv_set(p, key, jv_copy(value));
		if (agent != NULL)
			jv_set(p, "agent_allowed", jv_new_bool(jv_bool(agent)));
		jv_set_str(p, "registry", jv_str(jv_get(reg, "registry")));
		jv_set_str(p, "status", as_of != NULL && strcmp(as_of, STALE_BEFORE) < 0 ? "stale"
		    : "current");
		srcs = jv_new_array();
		jv_push(srcs, reg_source(e, regi));
		jv_set(p, "sources", srcs);
		jv_push(procs, p);
	}
}

/* What the registrations declare of sales to government: 1 federal, 2 law enforcement. */
static int
declared_government(const struct entry *e, struct jv *sources)
{
	size_t i;
	int what = 0;

	for (i = 0; i < jv_len(e->registrations); i++) {
		const struct jv *r = jv_at(e->registrations, i);
		int fed = jv_bool(jv_get(r, "sold_to_federal_government"));
		int law = jv_bool(jv_get(r, "sold_to_law_enforcement"));

		if (fed || law)
			jv_push(sources, jv_copy(jv_get(r, "source")));
		what |= fed | (law << 1);
	}
	return what;
}

/* The broker record for one entry. */
static struct jv *
record(const struct import_set *s, const struct entry *e, const char *verified)
{
	struct jv *o = jv_new_object(), *cats = jv_new_array(), *procs = jv_new_array(), *gsrc;
	size_t i;
	int gov;

	jv_set_str(o, "id", e->id);
	jv_set_str(o, "name", e->name);
	if (e->aliases != NULL) {
		struct jv *a = jv_new_array();

		for (i = 0; e->aliases[i] != NULL; i++)
			jv_push(a, jv_new_string(e->aliases[i]));
		jv_set(o, "aliases", a);
	}
	jv_push(cats, jv_new_string("registered-broker"));
	jv_set(o, "categories", cats);
	gsrc = jv_new_array();
	gov = declared_government(e, gsrc);
	jv_set(o, "sells_to_government", jv_new_bool(gov != 0));
	if (gov != 0) {
		struct jv *g = jv_new_object();

		jv_set_str(g, "text", gov == 3
		    ? "The broker declared in a state data broker registry that in the year before "
		      "it sold or shared personal data with the federal government and with law "
		      "enforcement."
		    : gov == 1
		    ? "The broker declared in a state data broker registry that in the year before "
		      "it sold or shared personal data with the federal government."
		    : "The broker declared in a state data broker registry that in the year before "
		      "it sold or shared personal data with law enforcement.");
		jv_set(g, "sources", gsrc);
		jv_set(o, "government_sales", g);
	} else
		jv_free(gsrc);
	if (e->website != NULL)
		jv_set_str(o, "website", e->website);
	if (e->email != NULL) {
		struct jv *v = jv_new_string(e->email);

		add_procedures(procs, e, "email", e->email_reg, "email", v);
		jv_free(v);
	}
	if (e->postal != NULL)
		add_procedures(procs, e, "postal", e->postal_reg, "postal", e->postal);
	if (e->url != NULL) {
		struct jv *v = jv_new_string(e->url);

		add_procedures(procs, e, "web", e->url_reg, "url", v);
		jv_free(v);
	}
	jv_set(o, "procedures", procs);
	jv_set(o, "caveats", jv_new_array());
	jv_set_str(o, "verified", verified);
	jv_set_str(o, "quality", "imported");
	jv_set(o, "registrations", jv_copy(e->registrations));
	if (e->family != NULL) {
		struct jv *f = jv_new_object(), *m = jv_new_array();
		char **ids = NULL;

		jv_set_str(f, "key", e->family);
		for (i = 0; i < s->n; i++)
			if (!s->entries[i]->skip && s->entries[i]->family != NULL &&
			    strcmp(s->entries[i]->family, e->family) == 0)
				ids = list_add(ids, s->entries[i]->id);
		/* This entry is a member, so the list is never empty. */
		if (ids != NULL)
			qsort(ids, strlist_len((const char **)ids), sizeof *ids, cmp_str);
		for (i = 0; ids != NULL && ids[i] != NULL; i++)
			jv_push(m, jv_new_string(ids[i]));
		list_free(ids);
		jv_set(f, "members", m);
		jv_set_str(f, "basis", "These registrants filed contact email addresses at the same "
		    "domain.");
		jv_set(o, "family", f);
	}
	return o;
}

/* Remove the .json files an earlier import left in dir. */
static void
clear_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.' && str_ends_with(de->d_name, ".json")) {
			char *p = path_join(dir, de->d_name);

			unlink(p);
			free(p);
		}
	}
	closedir(d);
}

/* Merge, link and write every record. */
enum import_status
import_write(struct import_set *s, const struct registry *reg, const char *dir,
    const char *verified, struct import_summary *sum, char **cause)
{
	size_t i;

	memset(sum, 0, sizeof *sum);
	sum->rows = s->rows;
	sum->skipped = s->skipped;
	match_curated(s, reg, &sum->curated);
	unique_ids(s, reg);
	sum->families = link_families(s);
	if (make_dirs(dir, 0755, cause) != 0)
		return IMPORT_CANT_WRITE;
	clear_dir(dir);
	for (i = 0; i < s->n; i++) {
		const struct entry *e = s->entries[i];
		struct jv *o;
		char *text, *path, *file;
		int rc;

		if (e->dropped)
			continue;
		o = record(s, e, verified);
		text = jv_dump(o, 1);
		jv_free(o);
		file = xasprintf("%s.json", e->id);
		path = path_join(dir, file);
		free(file);
		{
			size_t n = strlen(text);

			text = xrealloc(text, n + 2);
			text[n] = '\n';
			text[n + 1] = '\0';
			rc = write_file_atomic(path, text, n + 1, 0644, cause);
		}
		free(text);
		free(path);
		if (rc != 0)
			return IMPORT_CANT_WRITE;
		if (e->skip)
			continue;
		sum->records++;
		if (strlist_len((const char **)e->files) > 1)
			sum->merged++;
	}
	return IMPORT_OK;
}
