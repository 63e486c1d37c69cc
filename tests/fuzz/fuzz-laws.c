/*
 * fuzz-laws: a laws.json checked against letters/laws.schema.json by the
 * loader's own path, then asked what the plan asks: the law of a residence,
 * each request's deadline and section, and due dates.
 */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "optout/date.h"
#include "optout/jv.h"
#include "optout/laws.h"
#include "optout/schema.h"
#include "optout/util.h"

static struct schema *schema;

/* Load the laws schema once; abort when the tree is broken. */
static void
setup(void)
{
	char *cause = NULL, *path;

	if (schema != NULL)
		return;
	path = path_join(fuzz_datadir(), "letters/laws.schema.json");
	schema = schema_load(path, &cause);
	free(path);
	if (schema == NULL)
		abort();
}

/* Load one laws document and compute every deadline it describes. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const places[][2] = { { "US", "CA" }, { "US", "OR" }, { "DE", NULL },
		{ "US", NULL } };
	char *cause = NULL;
	struct jv *doc;
	struct laws *l;
	date_t today;
	size_t i, k;
	int r;

	setup();
	if ((doc = jv_parse((const char *)data, size, "fuzz-laws.json", &cause)) == NULL) {
		free(cause);
		return 0;
	}
	if ((l = laws_from_jv(schema, doc, "fuzz-laws.json", &cause)) == NULL) {
		free(cause);
		return 0;
	}
	(void)date_parse("2026-11-22", &today);
	for (k = 0; k < sizeof places / sizeof places[0]; k++)
		for (r = 0; r < REQ_COUNT; r++)
			(void)laws_for_residence(l, places[k][0], places[k][1], (enum request)r, today);
	for (i = 0; i < l->n; i++) {
		(void)laws_find(l, l->laws[i].id);
		(void)law_agent_allowed(&l->laws[i]);
		for (r = 0; r < REQ_COUNT; r++) {
			struct deadline d;

			if (!law_covers(&l->laws[i], (enum request)r))
				continue;
			law_deadline(&l->laws[i], (enum request)r, &d);
			(void)law_section(&l->laws[i], (enum request)r);
			(void)laws_add(l, today, d.days, d.unit);
			if (d.extension_days > 0)
				(void)laws_add(l, today, d.days + d.extension_days, d.extension_unit);
			free(deadline_text(d.days, d.unit));
		}
	}
	(void)laws_holidays_cover(l, today);
	laws_free(l);
	return 0;
}
