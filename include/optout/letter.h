/*
 * letter: turn a plan into a document, through the letter templates.
 *
 * The template for a request is letters/<family>-<request>.mustache, with
 * partials from letters/partials/.  Templates are parsed once per struct
 * letters and reused, so a batch of thousands of letters parses each
 * template once.
 *
 * Contract: letters_open returns an object owned by the caller
 * (letters_close accepts NULL).  letter_render returns a struct doc owned
 * by the caller, or NULL with *cause set (naming the template and line).
 */
#ifndef OPTOUT_LETTER_H
#define OPTOUT_LETTER_H

#include <stddef.h>

#include "optout/date.h"

struct agent;
struct doc;
struct jv;
struct letters;
struct plan_item;
struct profile;

struct letters *letters_open(const char *datadir);
void letters_close(struct letters *l);
/*
 * The templates of a language: letters/<lang>/NAME.mustache and
 * letters/<lang>/partials/, each falling back to the English one when the
 * language folder lacks it.  NULL gives l.  Borrowed: closed with l.
 */
struct letters *letters_language(struct letters *l, const char *lang);
/* Whether the folder itself, not its English fallback, has template NAME. */
int letters_has(const struct letters *l, const char *name);
/* Render the named template (e.g. "ccpa-delete") with data into markup. */
int letters_markup(struct letters *l, const char *name, const struct jv *data, char **out,
    char **cause);
/* Render and parse into the document model. */
struct doc *letter_render(struct letters *l, const char *name, const struct jv *data,
    char **cause);
/* Render a template (cover, authorization, summary) straight to PDF. */
int letters_pdf(struct letters *l, const char *name, const struct jv *data, unsigned char **out,
    size_t *len, char **cause);
/*
 * Make a letter's data (plan_letter_data's, for it) that of its reading copy in
 * lang: today and law.due written as lang writes dates, the law's periods as
 * parts (law.deadline_days, _calendar, _business, _months, _plural; the same
 * for extension_), and is_translation.
 */
void letter_translation_data(struct jv *data, const struct plan_item *it, date_t today,
    const char *lang);
/* The template name for a legal family and request type ("fcra-access"). */
char *letter_template_name(const char *family, const char *request);

/*
 * The letter for a plan item: its data, its template by legal family,
 * rendered.  With latin set the name is given in its Latin form only.
 */
struct doc *letter_for_plan(struct letters *l, const struct plan_item *it,
    const struct profile *p, const struct agent *agent, int latin, char **cause);

/*
 * The letter for a plan item as PDF.  When the name as written cannot be
 * printed (a script libharu cannot shape), the Latin form from the profile
 * is used instead; without one, the error says to add it.  *doc_out (if
 * not NULL) receives the document that was printed.
 */
int letter_pdf(struct letters *l, const struct plan_item *it, const struct profile *p,
    const struct agent *agent, const char *signature_image, unsigned char **out, size_t *len,
    struct doc **doc_out, char **cause);

/*
 * The letter d (rendered for it) as an email message to the procedure's
 * address: from the agent when one files, else from the person (with
 * their address only when the plan discloses it).
 */
char *letter_email(const struct doc *d, const struct plan_item *it, const struct profile *p,
    const struct agent *agent, char **cause);

#endif
