/* i18n: gettext for messages, and the language folder for person-facing templates. */
#include "config.h"

#include <libintl.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "optout/date.h"
#include "optout/i18n.h"
#include "optout/jv.h"
#include "optout/util.h"

/*
 * Where the compiled catalogues are: $OPTOUT_LOCALEDIR; else, for optout run
 * from its build folder (./optout, as the README's first steps do), the
 * po/locale the build made beside it; else the installed LOCALEDIR.
 */
static const char *
locale_dir(void)
{
	static char *found;
	const char *env = getenv("OPTOUT_LOCALEDIR");
	char exe[4096];
	struct stat st;
	ssize_t n;

	if (env != NULL && *env != '\0')
		return env;
	if (found != NULL)
		return found;
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		char *dir, *built;

		exe[n] = '\0';
		dir = path_dirname(exe);
		built = path_join(dir, "po/locale");
		free(dir);
		if (stat(built, &st) == 0 && S_ISDIR(st.st_mode))
			return found = built;
		free(built);
	}
	return found = xstrdup(LOCALEDIR);
}

/* Bind the "optout" catalogue (see locale_dir). */
void
i18n_init(void)
{
	bindtextdomain(PACKAGE, locale_dir());
	bind_textdomain_codeset(PACKAGE, "UTF-8");
	textdomain(PACKAGE);
}

/* Translate one message. */
const char *
i18n_gettext(const char *msgid)
{
	return dgettext(PACKAGE, msgid);
}

/* Translate a message with a count. */
const char *
i18n_ngettext(const char *singular, const char *plural, unsigned long n)
{
	return dngettext(PACKAGE, singular, plural, n);
}

/* The primary language subtag of a tag or locale name, lower case ("es" of "es_US.UTF-8"). */
static char *
primary_subtag(const char *requested)
{
	size_t n = 0;
	char *out;

	while ((requested[n] >= 'a' && requested[n] <= 'z') ||
	    (requested[n] >= 'A' && requested[n] <= 'Z'))
		n++;
	if (n < 2 || n > 3 || (requested[n] != '\0' && strchr("-_.@", requested[n]) == NULL))
		return NULL;
	out = xstrndup(requested, n);
	for (n = 0; out[n] != '\0'; n++)
		if (out[n] >= 'A' && out[n] <= 'Z')
			out[n] = (char)(out[n] - 'A' + 'a');
	return out;
}

/*
 * The locale from the environment.  A person whose LANG (or LC_ALL,
 * LC_MESSAGES) asks for a locale this system has not generated, such as
 * es_US.UTF-8 on a fresh Debian, would otherwise get English without a
 * word: setlocale fails and leaves the C locale, where gettext ignores
 * LANGUAGE.  Then the language of that name is asked for through LANGUAGE
 * (unless LANGUAGE is set) under C.UTF-8, which every glibc has.
 */
void
i18n_setlocale(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	const char *want = NULL, *language = getenv("LANGUAGE");
	char *lang;
	size_t i;

	if (setlocale(LC_ALL, "") != NULL)
		return;
	for (i = 0; i < sizeof vars / sizeof vars[0] && want == NULL; i++) {
		const char *v = getenv(vars[i]);

		if (v != NULL && *v != '\0')
			want = v;
	}
	if (setlocale(LC_ALL, "C.UTF-8") == NULL || want == NULL ||
	    (language != NULL && *language != '\0'))
		return;
	/* "C" and "POSIX" have no language subtag. */
	if ((lang = primary_subtag(want)) != NULL)
		setenv("LANGUAGE", lang, 1);
	free(lang);
}

/* The letters/<lang> folder for a requested language, or NULL for English. */
char *
i18n_template_language(const char *requested, const char *datadir)
{
	struct stat st;
	char *lang, *dir;
	int ok;

	if (requested == NULL || (lang = primary_subtag(requested)) == NULL)
		return NULL;
	if (strcmp(lang, "en") == 0) {
		free(lang);
		return NULL;
	}
	dir = xasprintf("%s/letters/%s", datadir, lang);
	ok = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
	free(dir);
	if (!ok) {
		free(lang);
		return NULL;
	}
	return lang;
}

/*
 * A date written the way letters/<lang>/language.json says ("months" and a
 * "date" pattern with {day}, {month}, {year}); English without one.
 */
char *
i18n_date_long(date_t d, const char *lang, const char *datadir)
{
	char en[32], *path, *cause = NULL, num[16];
	struct jv *doc;
	const char *pattern, *month, *p;
	struct buf b;
	int y, m, day;

	date_format_long(d, en);
	if (lang == NULL)
		return xstrdup(en);
	path = xasprintf("%s/letters/%s/language.json", datadir, lang);
	doc = jv_load_file(path, (size_t)16 * 1024, &cause);
	free(path);
	free(cause);
	date_to_ymd(d, &y, &m, &day);
	pattern = jv_str(jv_get(doc, "date"));
	month = jv_str(jv_at(jv_get(doc, "months"), (size_t)(m - 1)));
	if (pattern == NULL || month == NULL) {
		jv_free(doc);
		return xstrdup(en);
	}
	buf_init(&b);
	for (p = pattern; *p != '\0'; p++) {
		if (strncmp(p, "{day}", 5) == 0) {
			snprintf(num, sizeof num, "%d", day);
			buf_adds(&b, num);
			p += 4;
		} else if (strncmp(p, "{month}", 7) == 0) {
			buf_adds(&b, month);
			p += 6;
		} else if (strncmp(p, "{year}", 6) == 0) {
			snprintf(num, sizeof num, "%d", y);
			buf_adds(&b, num);
			p += 5;
		} else
			buf_addc(&b, *p);
	}
	jv_free(doc);
	return buf_detach(&b);
}

/* Switch the program's messages to a language for the rest of the run. */
void
i18n_use_language(const char *lang)
{
	const char *cur = setlocale(LC_MESSAGES, NULL);

	setenv("LANGUAGE", lang, 1);
	/* gettext ignores LANGUAGE in the C locale; C.UTF-8 has no such rule.  Setting the
	 * locale again also makes gettext forget the translations it looked up. */
	if (cur == NULL || strcmp(cur, "C") == 0 || strcmp(cur, "POSIX") == 0)
		setlocale(LC_MESSAGES, "C.UTF-8");
	else
		setlocale(LC_MESSAGES, "");
}

/* A language's catalogue read from its .mo file, for pages in that language. */
struct catalogue {
	char *lang;
	char *data;    /* the whole .mo file; NULL when it could not be read */
	size_t len;
	int swap;      /* the file's byte order differs from ours */
	uint32_t n, orig, trans;
	struct catalogue *next;
};

/* Catalogues loaded so far, one per language, kept for the run. */
static struct catalogue *catalogues;

/* A 32-bit word of a .mo file at off, in the file's byte order. */
static uint32_t
mo_word(const struct catalogue *c, size_t off)
{
	uint32_t w;

	memcpy(&w, c->data + off, sizeof w);
	if (c->swap)
		w = (w >> 24) | ((w >> 8) & 0xff00U) | ((w << 8) & 0xff0000U) | (w << 24);
	return w;
}

/* String i of a .mo table at table (original or translation), or NULL when out of bounds. */
static const char *
mo_string(const struct catalogue *c, uint32_t table, uint32_t i)
{
	size_t at = (size_t)table + (size_t)i * 8;
	uint32_t len, off;

	if (at + 8 > c->len)
		return NULL;
	len = mo_word(c, at);
	off = mo_word(c, at + 4);
	/* The string and its terminating NUL lie inside the file. */
	if ((size_t)off + len >= c->len || c->data[(size_t)off + len] != '\0')
		return NULL;
	return c->data + off;
}

/* Load lang's catalogue (dir/lang/LC_MESSAGES/optout.mo); a missing one translates nothing. */
static struct catalogue *
catalogue_load(const char *lang)
{
	struct catalogue *c = xcalloc(1, sizeof *c);
	char *path, *cause = NULL;
	uint32_t magic;

	c->lang = xstrdup(lang);
	path = xasprintf("%s/%s/LC_MESSAGES/%s.mo", locale_dir(), lang, PACKAGE);
	if (read_file(path, (size_t)16 * 1024 * 1024, &c->data, &c->len, &cause) == 0 &&
	    c->len >= 20) {
		memcpy(&magic, c->data, sizeof magic);
		c->swap = magic == 0xde120495U;
		if (magic == 0x950412deU || c->swap) {
			c->n = mo_word(c, 8);
			c->orig = mo_word(c, 12);
			c->trans = mo_word(c, 16);
		}
	}
	free(cause);
	free(path);
	c->next = catalogues;
	catalogues = c;
	return c;
}

/* A message in a page's language: NULL English, "" the command line's, else lang's catalogue. */
const char *
i18n_page_gettext(const char *lang, const char *msgid)
{
	struct catalogue *c;
	uint32_t lo = 0, hi;

	if (lang == NULL)
		return msgid;
	if (*lang == '\0')
		return dgettext(PACKAGE, msgid);
	for (c = catalogues; c != NULL && strcmp(c->lang, lang) != 0; c = c->next)
		;
	if (c == NULL)
		c = catalogue_load(lang);
	/* msgfmt sorts the original strings, so a binary search finds one. */
	hi = c->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const char *o = mo_string(c, c->orig, mid);
		int cmp;

		if (o == NULL)
			return msgid;
		cmp = strcmp(msgid, o);
		if (cmp == 0) {
			const char *t = mo_string(c, c->trans, mid);

			return t != NULL && *t != '\0' ? t : msgid;
		}
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return msgid;
}
