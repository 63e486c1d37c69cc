/*
 * fuzz-template: a Mustache template rendered the way letters are (doc
 * escaping, partials, an output bound) and the result parsed as letter
 * markup, then the same template with HTML escaping and a partial cache.
 *
 * Input: the template text, optionally followed by a NUL byte and the JSON
 * data to render; without it (or when that JSON does not parse) the data is
 * a real letter's (tests/fixtures/letter-data/ca-delete-drop.json).  Every
 * partial is the template itself, so nesting reaches the depth limit.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "optout/doc.h"
#include "optout/jv.h"
#include "optout/template.h"
#include "optout/util.h"

static struct jv *letter_data;

/* Every partial is the template text itself. */
static int
load_self(void *ctx, const char *name, char **text, char **cause)
{
	(void)name;
	(void)cause;
	*text = xstrdup(ctx);
	return 0;
}

/* Render one template as a letter and as a page. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *cause = NULL, *out = NULL;
	size_t tlen = strlen(text);
	struct jv *own = NULL;
	const struct jv *d;
	struct tmpl_opts o;
	struct tmpl *t;
	struct doc *doc;

	if (letter_data == NULL)
		letter_data = fuzz_json_file("tests/fixtures/letter-data/ca-delete-drop.json");
	if (tlen + 1 < size)
		own = jv_parse(text + tlen + 1, size - tlen - 1, "--data", &cause);
	free(cause);
	cause = NULL;
	d = own != NULL ? own : letter_data;
	if ((t = tmpl_parse(text, "fuzz", &cause)) == NULL) {
		free(cause);
		goto out;
	}
	memset(&o, 0, sizeof o);
	o.escape = TMPL_ESCAPE_DOC;
	o.max_output = (size_t)64 * 1024;
	o.load = load_self;
	o.load_ctx = text;
	if (tmpl_render(t, d, &o, &out, &cause) == 0) {
		if ((doc = doc_parse(out, &cause)) != NULL) {
			free(doc_to_text(doc, 72));
			doc_free(doc);
		}
		free(out);
	}
	free(cause);
	cause = NULL;
	o.escape = TMPL_ESCAPE_HTML;
	o.cache = tmpl_cache_new();
	if (tmpl_render(t, d, &o, &out, &cause) == 0)
		free(out);
	free(cause);
	tmpl_cache_free(o.cache);
	tmpl_free(t);
out:
	jv_free(own);
	free(text);
	return 0;
}
