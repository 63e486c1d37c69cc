/* i18n: gettext for messages, and the language folder for person-facing templates. */
#include "config.h"

#include <libintl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "optout/date.h"
#include "optout/i18n.h"
#include "optout/jv.h"
#include "optout/util.h"

/* Bind the "optout" catalogue, from $OPTOUT_LOCALEDIR in an uninstalled build. */
void
i18n_init(void)
{
	const char *dir = getenv("OPTOUT_LOCALEDIR");

	bindtextdomain(PACKAGE, dir != NULL && *dir != '\0' ? dir : LOCALEDIR);
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
