/*
 * template: Mustache templates over the project's JSON values.
 *
 * A template is parsed once into a tree (tmpl_parse) and rendered many
 * times (tmpl_render) with different data.  Supported: variables, {{{x}}}
 * and {{& x}}, sections, inverted sections, comments, partials, dotted
 * names, the implicit iterator {{.}}, set delimiters and the spec's
 * standalone-line rules.  Lambdas are not supported.
 *
 * Truthiness for sections: false, null, a missing name, an empty list and
 * an empty string are false; everything else (including 0 and {}) is true.
 * A list renders the section once per element, any other true value once
 * with the value pushed on the context stack.
 *
 * Escaping applies to {{x}} only; {{{x}}} and {{& x}} always emit the value
 * as is, whatever the mode, so templates must use them only for trusted
 * values.  TMPL_ESCAPE_DOC protects the letter markup of doc.h: CR and LF
 * runs in a value become one space, and a value emitted at the start of an
 * output line that begins with '@', '#', '-' or '\' is preceded by '\'.
 *
 * Contract: tmpl_parse returns a template owned by the caller (tmpl_free
 * accepts NULL) or NULL with *cause set.  tmpl_render returns 0 and an
 * allocated *out, or -1 with *cause set; o may be NULL (HTML escaping,
 * the default bound, every partial empty).  Messages read
 * "NAME:LINE:COL: what" (NAME is the template or partial name) and never
 * contain data values.
 */
#ifndef OPTOUT_TEMPLATE_H
#define OPTOUT_TEMPLATE_H

#include <stddef.h>

struct jv;
struct tmpl;
struct tmpl_cache;

enum tmpl_escape { TMPL_ESCAPE_HTML, TMPL_ESCAPE_NONE, TMPL_ESCAPE_DOC };

/* Partials nest at most this deep (a deeper nesting is an error). */
#define TMPL_MAX_PARTIAL_DEPTH 16
/* Output bound used when tmpl_opts.max_output is 0. */
#define TMPL_DEFAULT_MAX_OUTPUT ((size_t)1 << 20)

/*
 * Load a partial's text: return 0 and set *text to an allocated string
 * (the template engine frees it), or 0 with *text = NULL when there is no
 * such partial (the spec renders it as empty), or -1 with *cause set to
 * stop rendering.
 */
typedef int (*tmpl_load_fn)(void *ctx, const char *name, char **text, char **cause);

struct tmpl_opts {
	enum tmpl_escape escape;
	size_t max_output;        /* bytes; 0 means TMPL_DEFAULT_MAX_OUTPUT */
	tmpl_load_fn load;        /* NULL: every partial is empty */
	void *load_ctx;
	/*
	 * Parsed partials, kept across renders when given (they must come
	 * from the same loader); when NULL each render parses the partials
	 * it uses and frees them at the end.
	 */
	struct tmpl_cache *cache;
};

struct tmpl *tmpl_parse(const char *text, const char *name, char **cause);
void tmpl_free(struct tmpl *t);
/* The name given to tmpl_parse. */
const char *tmpl_name(const struct tmpl *t);
int tmpl_render(const struct tmpl *t, const struct jv *data, const struct tmpl_opts *o,
    char **out, char **cause);

/* A cache of parsed partials for one loader; free with tmpl_cache_free. */
struct tmpl_cache *tmpl_cache_new(void);
void tmpl_cache_free(struct tmpl_cache *c);

#endif
