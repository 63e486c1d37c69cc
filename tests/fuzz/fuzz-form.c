/*
 * fuzz-form: the web-form engine reading a hostile broker's replies.
 *
 * The forms are the registry's automatic ones (when the plan chooses them)
 * and the emulator's scenarios (tests/fixtures/data/brokers/submit), planned
 * once for the example person.
 * Input: byte 0 picks the form (of those planned as automatic), byte 1 the reply's content type, the rest
 * is the body of every reply (200, at the URL asked for) until the flow
 * ends.  Nothing goes over the network: form_advance only builds requests.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "optout/form.h"
#include "optout/jv.h"
#include "optout/laws.h"
#include "optout/plan.h"
#include "optout/profile.h"
#include "optout/registry.h"
#include "optout/schema.h"
#include "optout/util.h"

#define MAX_STEPS 12

static const char *const files[] = {
	"brokers/checkpeople.json",
	"brokers/zoominfo.json",
	"tests/fixtures/data/brokers/submit/emu-plain.json",
	"tests/fixtures/data/brokers/submit/emu-csrf.json",
	"tests/fixtures/data/brokers/submit/emu-csrf-b.json",
	"tests/fixtures/data/brokers/submit/emu-csrf-c.json",
	"tests/fixtures/data/brokers/submit/emu-search.json",
	"tests/fixtures/data/brokers/submit/emu-json.json",
	"tests/fixtures/data/brokers/submit/emu-multipart.json",
	"tests/fixtures/data/brokers/submit/emu-dob.json",
	"tests/fixtures/data/brokers/submit/emu-fail.json",
	"tests/fixtures/data/brokers/submit/emu-mismatch.json",
	"tests/fixtures/data/brokers/submit/emu-malformed.json",
	"tests/fixtures/data/brokers/submit/emu-inconsistent.json",
};
#define NFILES (sizeof files / sizeof files[0])

static struct broker *brokers[NFILES];
static struct plan_item *items[NFILES];
static size_t nitems;
static struct laws *laws;
static struct profile *person;

/* Load the brokers, laws and example person, and plan each automatic form once. */
static void
setup(void)
{
	static const char *const consent[] = { "dob", "ssn", "ssn_last4", "drivers_license",
		NULL };
	struct schema *schema;
	struct plan_opts o;
	char *cause = NULL, *path;
	size_t i;

	if (laws != NULL)
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
	memset(&o, 0, sizeof o);
	o.request = REQ_OPTOUT;
	o.disclose = (const char **)consent;
	o.today = date_today();
	for (i = 0; i < NFILES; i++) {
		struct form_job *j;

		brokers[i] = broker_from_jv(schema, fuzz_json_file(files[i]), files[i], &cause);
		if (brokers[i] == NULL)
			abort();
		items[nitems] = plan_make(brokers[i], person, laws, &o);
		j = form_prepare(items[nitems], person, &cause);
		/* The plan may choose another channel, or a form a person fills in: skip those. */
		if (j == NULL || form_for_person(j)) {
			free(cause);
			cause = NULL;
			plan_item_free(items[nitems]);
		} else {
			nitems++;
		}
		form_free(j);
	}
	schema_free(schema);
	if (nitems < NFILES / 2)
		abort(); /* the registry changed: pick other forms */
}

/* Drive one form with the input as every reply. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = { "text/html; charset=utf-8", "application/json",
		"text/plain", "text/html; charset=iso-8859-1", NULL };
	static char *no_cookies[] = { NULL };
	const struct http_request *req;
	struct http_response r;
	struct form_job *j;
	char *cause = NULL, *body, *url = NULL;
	int steps = 0;

	setup();
	if (size < 2)
		return 0;
	j = form_prepare(items[data[0] % nitems], person, &cause);
	if (j == NULL) {
		free(cause);
		return 0;
	}
	body = fuzz_text(data + 2, size - 2);
	memset(&r, 0, sizeof r);
	r.error = HTTP_OK;
	r.status = 200;
	r.content_type = (char *)types[data[1] % (sizeof types / sizeof types[0])];
	r.body = body;
	r.len = size - 2;
	r.cookies = no_cookies;
	r.tries = 1;
	req = form_advance(j, NULL);
	while (req != NULL && steps++ < MAX_STEPS) {
		free(url);
		url = xstrdup(req->url);
		r.url = url;
		req = form_advance(j, &r);
	}
	(void)form_outcome(j);
	(void)form_reason(j);
	jv_free(form_describe_jv(j, 0));
	free(url);
	free(body);
	form_free(j);
	return 0;
}
