/*
 * fuzz-registry: one broker record (JSON) checked against brokers/schema.json
 * by the loader's own path, then planned for the example person as every
 * request type, as `optout plan` would.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "optout/jv.h"
#include "optout/laws.h"
#include "optout/plan.h"
#include "optout/profile.h"
#include "optout/registry.h"
#include "optout/schema.h"
#include "optout/util.h"

static struct schema *schema;
static struct laws *laws;
static struct profile *person;

/* Load the schema, the laws and the example person once; abort when the tree is broken. */
static void
setup(void)
{
	char *cause = NULL, *path;

	if (schema != NULL)
		return;
	setenv("OPTOUT_TODAY", "2026-11-22", 1);
	path = path_join(fuzz_datadir(), "brokers/schema.json");
	schema = schema_load(path, &cause);
	free(path);
	laws = laws_load(fuzz_datadir(), &cause);
	path = path_join(fuzz_datadir(), "letters/examples/profile.json");
	person = profile_load(path, fuzz_datadir(), &cause);
	free(path);
	if (schema == NULL || laws == NULL || person == NULL)
		abort();
}

/* A file name matching the record's id, so the id check passes when the id is plain. */
static char *
record_path(const struct jv *doc)
{
	const char *id = jv_str(jv_get(doc, "id"));

	return xasprintf("brokers/%s.json", id != NULL && strchr(id, '/') == NULL ? id : "fuzz");
}

/* Check one broker record and plan every request type with it. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const consent[] = { "dob", "ssn", "ssn_last4", "drivers_license",
		NULL };
	char *cause = NULL, *path;
	struct jv *doc;
	struct broker *b;
	struct plan_opts o;
	int r;

	setup();
	if ((doc = jv_parse((const char *)data, size, "fuzz-broker.json", &cause)) == NULL) {
		free(cause);
		return 0;
	}
	path = record_path(doc);
	b = broker_from_jv(schema, doc, path, &cause);
	free(path);
	if (b == NULL) {
		free(cause);
		return 0;
	}
	(void)broker_matches(b, "risk");
	memset(&o, 0, sizeof o);
	o.disclose = (const char **)consent;
	o.today = date_today();
	for (r = 0; r < REQ_COUNT; r++) {
		struct plan_item *it;

		if (r == REQ_CORRECT)
			continue; /* needs a correction the record cannot give */
		o.request = (enum request)r;
		it = plan_make(b, person, laws, &o);
		jv_free(plan_to_jv(it));
		jv_free(plan_letter_data(it, person, NULL, 0));
		plan_item_free(it);
	}
	broker_free(b);
	return 0;
}
