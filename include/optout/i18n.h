/*
 * i18n: the program's messages through GNU gettext, and the language of the
 * pages a person reads.
 *
 * Messages: i18n_init binds the "optout" catalogue (from $OPTOUT_LOCALEDIR
 * when set, for tests of an uninstalled build, else the installed
 * LOCALEDIR) after main's setlocale(LC_ALL, "").  `_()` translates a
 * message at run time; `N_()` marks a string in a table for xgettext and
 * is translated where it is printed.  A message is a whole sentence with
 * its placeholders, so that a translator can reorder the words.
 *
 * Templates: pages for the person (cover, sheets, authorization, summary,
 * follow-up notes, reading copies of letters) exist per language under
 * letters/<lang>/ with the same names as the English ones in letters/.
 * i18n_template_language maps a requested language (a BCP 47 tag such as
 * "es-US", a locale name such as "es_US.UTF-8") to the folder that holds
 * it, or NULL for English.  Letters to US brokers stay in English.
 * A message on such a page (a plan note, why a request was left out) is
 * kept untranslated until the page is written and then translated with
 * i18n_page_gettext into the page's language, not the command line's.
 *
 * Contract: returned strings are allocated and belong to the caller.
 */
#ifndef OPTOUT_I18N_H
#define OPTOUT_I18N_H

#include "optout/date.h"

#define _(s) i18n_gettext(s)
#define N_(s) (s)

/*
 * setlocale(LC_ALL, "") and, when the locale asked for is not installed,
 * C.UTF-8 with that locale's language in LANGUAGE (unless already set).
 */
void i18n_setlocale(void);
/* Bind the message catalogue; call once, after i18n_setlocale. */
void i18n_init(void);
/* The translation of a message for the current locale (the message itself without one). */
const char *i18n_gettext(const char *msgid);
/* Plural form: n chooses between the singular and plural message. */
const char *i18n_ngettext(const char *singular, const char *plural, unsigned long n);
/*
 * The letters/<lang> folder name for a requested language: "es" for
 * "es", "es-US", "es_US.UTF-8", when datadir/letters/es exists; NULL for
 * English, an empty or malformed tag, or a language without templates.
 */
char *i18n_template_language(const char *requested, const char *datadir);
/*
 * A date as the language writes it, from letters/<lang>/language.json
 * ("6 de enero de 2027"); English ("6 January 2027") when lang is NULL or
 * the file is missing.
 */
char *i18n_date_long(date_t d, const char *lang, const char *datadir);
/* Switch the program's messages to lang ("es") for the rest of the run. */
void i18n_use_language(const char *lang);
/*
 * A message in the language of the page it is printed on, whatever the
 * command line's locale: lang is a letters/<lang> folder name ("es", as
 * i18n_template_language gives) and its catalogue is read from the .mo
 * file; NULL means English (the message itself); "" means the command
 * line's language (gettext).  The result is borrowed and lives for the run.
 */
const char *i18n_page_gettext(const char *lang, const char *msgid);

#endif
