/*
 * Unit tests for form: minimization, rendering, the exact requests built
 * from pages, tokens, encodings, picking a listing, and the outcomes,
 * driven with made-up replies (no network).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "optout/form.h"
#include "optout/jv.h"
#include "optout/plan.h"
#include "optout/util.h"
#include "optout/vault.h"

static struct laws *laws;
static struct profile *person;

/* Load the laws and the example person from the source tree. */
static int
setup(void **state)
{
	char *cause = NULL, *path;

	(void)state;
	setenv("OPTOUT_TODAY", "2026-11-22", 1);
	if (vault_init(&cause) != 0)
		fail_msg("%s", cause);
	if ((laws = laws_load(data_dir(), &cause)) == NULL)
		fail_msg("%s", cause);
	path = path_join(data_dir(), "letters/examples/profile.json");
	if ((person = profile_load(path, data_dir(), &cause)) == NULL)
		fail_msg("%s", cause);
	free(path);
	return 0;
}

/* Free what setup loaded. */
static int
teardown(void **state)
{
	(void)state;
	laws_free(laws);
	profile_free(person);
	return 0;
}

static const char *const no_list[] = { NULL };
static const char *const laws_list[] = { "ccpa", "us-state", "voluntary", NULL };
static const char *const categories[] = { "people-search", NULL };

/* A broker with one web procedure whose form is the given JSON. */
struct fixture {
	struct broker b;
	struct procedure proc;
	struct jv *form;
	struct plan_item *it;
	struct form_job *job;
};

/* Plan the fixture and prepare its form; job is NULL with *cause on refusal. */
static void
fixture_init(struct fixture *fx, const char *form_json, const char *const *requires,
    const char *const *sensitive, const char *const *consent, char **cause)
{
	struct plan_opts o;

	memset(fx, 0, sizeof *fx);
	if (form_json != NULL) {
		fx->form = jv_parse(form_json, strlen(form_json), "form", cause);
		if (fx->form == NULL)
			fail_msg("%s", *cause);
	}
	fx->proc.id = "optout-web";
	fx->proc.request = REQ_OPTOUT;
	fx->proc.laws = (const char **)laws_list;
	fx->proc.channel = CH_WEB;
	fx->proc.url = "https://broker.test/start/";
	fx->proc.requires = (const char **)requires;
	fx->proc.requires_one_of = (const char **)no_list;
	fx->proc.sensitive = (const char **)(sensitive ? sensitive : no_list);
	fx->proc.verification = (const char **)no_list;
	fx->proc.form = fx->form;
	fx->proc.response_days = -1;
	fx->proc.agent_allowed = -1;
	fx->proc.status = "current";
	fx->proc.broker = &fx->b;
	fx->b.id = "unit-broker";
	fx->b.name = "Unit Broker";
	fx->b.aliases = (const char **)no_list;
	fx->b.categories = (const char **)categories;
	fx->b.procedures = &fx->proc;
	fx->b.nprocedures = 1;
	fx->b.verified = "2026-11-01";
	memset(&o, 0, sizeof o);
	o.request = REQ_OPTOUT;
	o.disclose = (const char **)consent;
	o.today = date_today();
	fx->it = plan_make(&fx->b, person, laws, &o);
	fx->job = form_prepare(fx->it, person, cause);
}

/* Free a fixture. */
static void
fixture_free(struct fixture *fx)
{
	form_free(fx->job);
	plan_item_free(fx->it);
	jv_free(fx->form);
}

/* A made-up reply. */
static struct http_response
reply(long status, const char *url, const char *ctype, const char *body)
{
	static char *no_cookies[] = { NULL };
	struct http_response r;

	memset(&r, 0, sizeof r);
	r.error = HTTP_OK;
	r.status = status;
	r.url = (char *)url;
	r.content_type = (char *)ctype;
	r.body = (char *)body;
	r.len = strlen(body);
	r.cookies = no_cookies;
	r.tries = 1;
	return r;
}

static const char *const r_name_email_cs[] = { "name", "email", "city_state", NULL };

static const char plain_form[] =
    "{\"automation\":\"auto\",\"verified\":false,\"steps\":[{\"name\":\"opt-out\","
    "\"url\":\"https://broker.test/start/\",\"form\":{\"id\":\"optout\"},\"fields\":["
    "{\"name\":\"first_name\",\"from\":\"name\",\"value\":\"{{name.given}}\",\"label\":\"First "
    "name\"},"
    "{\"name\":\"last_name\",\"from\":\"name\",\"value\":\"{{name.family}}\"},"
    "{\"name\":\"email\",\"from\":\"email\",\"value\":\"{{email}}\"},"
    "{\"name\":\"state\",\"from\":\"city_state\",\"value\":\"{{city_state.region}}\"},"
    "{\"name\":\"ref\",\"value\":\"{{reference}} {{name.given}}{{email}}\"},"
    "{\"name\":\"nick\",\"from\":\"name\",\"value\":\"x\",\"optional\":true}],"
    "\"tokens\":[{\"from\":\"meta\",\"name\":\"csrf-token\",\"header\":\"X-CSRF-Token\"},"
    "{\"from\":\"cookie\",\"name\":\"XSRF\",\"field\":\"_xsrf\"}]}],"
    "\"outcomes\":{\"success\":[\"request has been received\"],\"failure\":[\"could not\"],"
    "\"email_confirmation\":[\"check your (e-?mail|inbox)\"]}}";

static const char plain_page[] =
    "<html><head><meta name=\"csrf-token\" content=\"M-1\"></head><body>"
    "<form id=\"news\" action=\"/news\"><input type=hidden name=\"n\" value=\"no\"></form>"
    "<form id=\"optout\" action=\"submit?drop=1\" method=\"post\">"
    "<input type=\"hidden\" name=\"form_version\" value=\"3\">"
    "<input type=\"hidden\" name=\"gone\" value=\"x\" disabled>"
    "<input name=\"first_name\"><input name=\"last_name\"><input name=\"email\" value=\"old\">"
    "<select name=\"state\"><option>CA</option></select><input name=\"ref\">"
    "<input name=\"unrelated\" value=\"kept out\"></form></body></html>";

/* Walk the plain form up to its POST and return it. */
static const struct http_request *
plain_post(struct fixture *fx)
{
	static char *cookies[] = { "session=abc", "XSRF=C-9", NULL };
	const struct http_request *req;
	struct http_response r;
	char *cause = NULL;

	fixture_init(fx, plain_form, r_name_email_cs, NULL, NULL, &cause);
	if (fx->job == NULL)
		fail_msg("%s", cause);
	req = form_advance(fx->job, NULL);
	assert_non_null(req);
	assert_string_equal(req->method, "GET");
	assert_string_equal(req->url, "https://broker.test/start/");
	r = reply(200, "https://127.0.0.1:9/start/", "text/html; charset=utf-8", plain_page);
	r.cookies = cookies;
	return form_advance(fx->job, &r);
}

/* The exact POST: hidden inputs, filled fields, tokens, resolved address, referer. */
static void
test_plain_request(void **state)
{
	struct fixture fx;
	const struct http_request *req;
	struct http_response r;
	char *want;

	(void)state;
	req = plain_post(&fx);
	assert_non_null(req);
	assert_string_equal(req->method, "POST");
	assert_string_equal(req->url, "https://127.0.0.1:9/start/submit?drop=1");
	assert_string_equal(req->content_type, "application/x-www-form-urlencoded");
	assert_string_equal(req->referer, "https://127.0.0.1:9/start/");
	/* Hidden inputs first (as the page gives them), then tokens, then the fields in order;
	 * a template without "from" sees no personal data; the optional absent field is left out.
	 */
	want = xasprintf(
	    "form_version=3&_xsrf=C-9&first_name=Jos%%C3%%A9&last_name=N%%C3%%BA%%C3%%B1ez"
	    "+Pe%%C3%%B1a&email=jose.nunez%%40example.org&state=CA&ref=%s+",
	    fx.it->reference);
	assert_int_equal(req->body_len, strlen(want));
	assert_memory_equal(req->body, want, strlen(want));
	free(want);
	assert_non_null(req->headers);
	assert_string_equal(req->headers[0], "X-CSRF-Token: M-1");
	assert_null(req->headers[1]);
	assert_int_equal(form_outcome(fx.job), FORM_PENDING);
	r = reply(200, "https://127.0.0.1:9/start/submit", "text/html",
	    "<p>Your request has been <b>received</b>.</p>");
	/* The pattern spans markup: it is tried on the visible text as well as the raw body. */
	assert_null(form_advance(fx.job, &r));
	assert_int_equal(form_outcome(fx.job), FORM_DONE);
	assert_string_equal(form_outcome_name(FORM_DONE), "done");
	assert_string_equal(form_trace(fx.job)[0], "GET https://127.0.0.1:9/start/ → 200");
	assert_string_equal(form_trace(fx.job)[1], "POST https://127.0.0.1:9/start/submit → 200");
	assert_null(form_trace(fx.job)[2]);
	{
		size_t len;
		long status;
		const char *url, *body = form_evidence(fx.job, &len, &status, &url);

		assert_non_null(strstr(body, "received"));
		assert_int_equal(status, 200);
	}
	fixture_free(&fx);
}

/*
 * The outcomes of the reply to a submitted form, in their order of
 * precedence: once the form may have left (sent), anything but a recognised
 * answer needs review; only what surely never left may fail or wait.
 */
static void
test_outcomes(void **state)
{
	static const struct {
		const char *body;
		long status;
		enum http_error error;
		int sent;
		enum form_outcome want;
	} cases[] = {
	    {"Thanks! Your request has been received. Check your email.", 200, HTTP_OK, 1,
	        FORM_AWAITING_EMAIL},
	    {"Your request has been received", 200, HTTP_OK, 1, FORM_DONE},
	    {"We could not find you. Your request has been received", 200, HTTP_OK, 1,
	        FORM_FAILED},
	    {"Something else entirely", 200, HTTP_OK, 1, FORM_NEEDS_REVIEW},
	    {"<div class=g-recaptcha></div>received", 200, HTTP_OK, 1, FORM_NEEDS_HUMAN},
	    {"busy", 503, HTTP_OK, 1, FORM_NEEDS_REVIEW},
	    {"slow down", 429, HTTP_OK, 1, FORM_TRY_LATER},
	    {"request has been received", 404, HTTP_OK, 1, FORM_NEEDS_REVIEW},
	    {"request has been received", 200, HTTP_TOO_BIG, 1, FORM_NEEDS_REVIEW},
	    {"", 0, HTTP_NETWORK, 1, FORM_NEEDS_REVIEW},
	    {"", 0, HTTP_NETWORK, 0, FORM_TRY_LATER},
	    {"", 0, HTTP_TIMEOUT, 1, FORM_NEEDS_REVIEW},
	    {"", 0, HTTP_TIMEOUT, 0, FORM_TRY_LATER},
	    {"", 0, HTTP_TLS, 1, FORM_FAILED},
	    {"", 302, HTTP_REFUSED, 1, FORM_NEEDS_REVIEW},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fixture fx;
		struct http_response r;

		assert_non_null(plain_post(&fx));
		r = reply(cases[i].status, "https://127.0.0.1:9/start/submit", "text/html",
		    cases[i].body);
		r.error = cases[i].error;
		r.sent = cases[i].sent;
		r.message = cases[i].error != HTTP_OK ? (char *)"what went wrong" : NULL;
		assert_null(form_advance(fx.job, &r));
		if (form_outcome(fx.job) != cases[i].want)
			fail_msg("case %zu: outcome %d, want %d (%s)", i, form_outcome(fx.job),
			    cases[i].want, form_reason(fx.job));
		assert_non_null(form_reason(fx.job));
		/* Once ended, a flow asks for nothing more. */
		assert_null(form_advance(fx.job, &r));
		fixture_free(&fx);
	}
}

/* A CAPTCHA on the first page ends the flow before anything is submitted. */
static void
test_captcha_page(void **state)
{
	struct fixture fx;
	struct http_response r;
	char *cause = NULL;

	(void)state;
	fixture_init(&fx, plain_form, r_name_email_cs, NULL, NULL, &cause);
	assert_non_null(form_advance(fx.job, NULL));
	r = reply(200, "https://127.0.0.1:9/start/", "text/html",
	    "<script src=\"https://js.hcaptcha.com/1/api.js\"></script>"
	    "<form id=optout action=submit method=post><input name=first_name></form>");
	assert_null(form_advance(fx.job, &r));
	assert_int_equal(form_outcome(fx.job), FORM_NEEDS_HUMAN);
	assert_non_null(strstr(form_reason(fx.job), "hCaptcha"));
	assert_non_null(strstr(form_reason(fx.job), "Nothing was submitted"));
	assert_null(form_trace(fx.job)[1]);
	fixture_free(&fx);
}

/* A field the page lacks stops the flow (nothing sent); so does a missing token. */
static void
test_page_mismatch(void **state)
{
	struct fixture fx;
	struct http_response r;
	char *cause = NULL;

	(void)state;
	fixture_init(&fx, plain_form, r_name_email_cs, NULL, NULL, &cause);
	assert_non_null(form_advance(fx.job, NULL));
	r = reply(200, "https://127.0.0.1:9/start/", "text/html",
	    "<meta name=csrf-token content=M><form id=optout action=x method=post>"
	    "<input name=first_name><input name=email><input name=state><input name=ref></form>");
	assert_null(form_advance(fx.job, &r));
	assert_int_equal(form_outcome(fx.job), FORM_NEEDS_HUMAN);
	assert_non_null(strstr(form_reason(fx.job), "no field \"last_name\""));
	assert_non_null(strstr(form_reason(fx.job), "(unverified)"));
	fixture_free(&fx);

	fixture_init(&fx, plain_form, r_name_email_cs, NULL, NULL, &cause);
	assert_non_null(form_advance(fx.job, NULL));
	r = reply(200, "https://127.0.0.1:9/start/", "text/html", plain_page);
	assert_null(form_advance(fx.job, &r)); /* no XSRF cookie was set */
	assert_int_equal(form_outcome(fx.job), FORM_NEEDS_HUMAN);
	assert_non_null(strstr(form_reason(fx.job), "cookie \"XSRF\""));
	fixture_free(&fx);

	fixture_init(&fx, plain_form, r_name_email_cs, NULL, NULL, &cause);
	assert_non_null(form_advance(fx.job, NULL));
	r = reply(200, "https://127.0.0.1:9/start/", "text/html",
	    "<div id=root></div><noscript>Enable JavaScript.</noscript>");
	assert_null(form_advance(fx.job, &r));
	assert_int_equal(form_outcome(fx.job), FORM_NEEDS_HUMAN);
	assert_non_null(strstr(form_reason(fx.job), "JavaScript"));
	fixture_free(&fx);

	/* A form whose action is a script is for a person too. */
	fixture_init(&fx, plain_form, r_name_email_cs, NULL, NULL, &cause);
	assert_non_null(form_advance(fx.job, NULL));
	r = reply(200, "https://127.0.0.1:9/start/", "text/html",
	    "<form id=optout action=\"JavaScript:void(0)\"><input name=first_name></form>");
	assert_null(form_advance(fx.job, &r));
	assert_int_equal(form_outcome(fx.job), FORM_NEEDS_HUMAN);
	assert_non_null(strstr(form_reason(fx.job), "sent by a script"));
	fixture_free(&fx);
}

/* Only disclosed fields can be filled; withheld or unlisted ones make the job refuse. */
static void
test_minimization(void **state)
{
	static const char dob_form[] = "{\"automation\":\"auto\",\"verified\":true,\"steps\":[{"
	                               "\"url\":\"https://broker.test/\","
	                               "\"form\":{\"index\":0},\"fields\":[{\"name\":\"b\","
	                               "\"from\":\"dob\",\"value\":\"{{dob.us}}\"}]}],"
	                               "\"outcomes\":{\"success\":[\"ok\"]}}";
	static const char phone_form[] = "{\"automation\":\"auto\",\"verified\":true,\"steps\":[{"
	                                 "\"url\":\"https://broker.test/\","
	                                 "\"form\":{\"index\":0},\"fields\":[{\"name\":\"tel\","
	                                 "\"from\":\"phone\",\"value\":\"{{phone.e164}}\"}]}],"
	                                 "\"outcomes\":{\"success\":[\"ok\"]}}";
	static const char *const r_dob[] = { "name", "dob", NULL };
	static const char *const s_dob[] = { "dob", NULL };
	static const char *const c_dob[] = { "dob", NULL };
	static const char *const r_name[] = { "name", NULL };
	struct fixture fx;
	char *cause = NULL, *d;
	const struct form_value *v;
	size_t n;

	(void)state;
	fixture_init(&fx, dob_form, r_dob, s_dob, NULL, &cause);
	assert_null(fx.job);
	assert_non_null(strstr(cause, "withheld: allow it with --disclose dob"));
	free(cause);
	cause = NULL;
	fixture_free(&fx);

	fixture_init(&fx, dob_form, r_dob, s_dob, c_dob, &cause);
	assert_non_null(fx.job);
	v = form_values(fx.job, &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].value, "03/14/1985");
	assert_true(v[0].sensitive);
	assert_string_equal(form_shown(&v[0], 0), "*****");
	assert_string_equal(form_shown(&v[0], 1), "03/14/1985");
	d = form_describe(fx.job, 0);
	assert_non_null(strstr(d, "b                  = *****   (dob)"));
	assert_null(strstr(d, "1985"));
	free(d);
	d = form_describe(fx.job, 1);
	assert_non_null(strstr(d, "= 03/14/1985"));
	free(d);
	fixture_free(&fx);

	fixture_init(&fx, phone_form, r_name, NULL, NULL, &cause);
	assert_null(fx.job);
	assert_non_null(strstr(cause, "does not ask for"));
	assert_null(strstr(cause, "555"));
	free(cause);
	fixture_free(&fx);
}

/* JSON and multipart bodies, a GET form's query, and a constant field. */
static void
test_encodings(void **state)
{
	static const char json_form[] =
	    "{\"automation\":\"auto\",\"verified\":true,\"steps\":[{\"action\":\"https://"
	    "broker.test/api\","
	    "\"method\":\"post\",\"encoding\":\"json\",\"fields\":[{\"name\":\"email\",\"from\":"
	    "\"email\","
	    "\"value\":\"{{email}}\"},{\"name\":\"kind\",\"value\":\"{{request}}\"}]}],"
	    "\"outcomes\":{\"success\":[\"\\\"ok\\\"\"]}}";
	static const char multi_form[] =
	    "{\"automation\":\"auto\",\"verified\":true,\"steps\":[{\"url\":\"https://broker.test/"
	    "m\","
	    "\"form\":{\"action\":\"/m/go\"},\"fields\":[{\"name\":\"e\\\"x\",\"from\":\"email\","
	    "\"value\":\"{{email}}\"}]}],\"outcomes\":{\"success\":[\"ok\"]}}";
	static const char get_form[] =
	    "{\"automation\":\"auto\",\"verified\":true,\"steps\":[{\"url\":\"https://broker.test/"
	    "s\","
	    "\"form\":{\"name\":\"q\"},\"keep_hidden\":false,\"fields\":[{\"name\":\"n\",\"from\":"
	    "\"name\","
	    "\"value\":\"{{name.full}}\"}]}],\"outcomes\":{\"success\":[\"ok\"]}}";
	static const char *const r_email[] = { "email", NULL };
	struct fixture fx;
	const struct http_request *req;
	struct http_response r;
	char *cause = NULL;

	(void)state;
	/* A JSON endpoint needs no page: the first request is the POST. */
	fixture_init(&fx, json_form, r_email, NULL, NULL, &cause);
	req = form_advance(fx.job, NULL);
	assert_string_equal(req->method, "POST");
	assert_string_equal(req->url, "https://broker.test/api");
	assert_string_equal(req->content_type, "application/json");
	assert_string_equal(
	    req->body, "{\"email\":\"jose.nunez@example.org\",\"kind\":\"opt-out\"}");
	r = reply(200, "https://broker.test/api", "application/json", "{\"status\":\"ok\"}");
	assert_null(form_advance(fx.job, &r));
	assert_int_equal(form_outcome(fx.job), FORM_DONE);
	fixture_free(&fx);

	fixture_init(&fx, multi_form, r_email, NULL, NULL, &cause);
	assert_non_null(form_advance(fx.job, NULL));
	r = reply(200, "https://h.example/m", NULL,
	    "<form action=\"/m/go\" method=post enctype=\"multipart/form-data\">"
	    "<input type=hidden name=k value=v><input name='e\"x'></form>");
	req = form_advance(fx.job, &r);
	assert_string_equal(req->url, "https://h.example/m/go");
	assert_int_equal(
	    strncmp(req->content_type, "multipart/form-data; boundary=----optout", 40), 0);
	{
		const char *boundary = req->content_type + strlen("multipart/form-data; boundary=");
		char *want =
		    xasprintf("--%s\r\nContent-Disposition: form-data; name=\"k\"\r\n\r\nv\r\n"
		              "--%s\r\nContent-Disposition: form-data; name=\"e%%22x\"\r\n\r\n"
		              "jose.nunez@example.org\r\n--%s--\r\n",
		        boundary, boundary, boundary);

		assert_int_equal(strlen(boundary), 34);
		assert_int_equal(req->body_len, strlen(want));
		assert_memory_equal(req->body, want, req->body_len);
		free(want);
	}
	fixture_free(&fx);

	fixture_init(&fx, get_form, r_email, NULL, NULL, &cause);
	assert_non_null(form_advance(fx.job, NULL));
	r = reply(200, "https://h.example/s", "text/html",
	    "<form name=q action=\"/find?old=1#x\"><input type=hidden name=h value=1>"
	    "<input name=n></form>");
	req = form_advance(fx.job, &r);
	assert_string_equal(req->method, "GET");
	assert_null(req->body);
	assert_string_equal(
	    req->url, "https://h.example/find?n=Jos%C3%A9+N%C3%BA%C3%B1ez+Pe%C3%B1a");
	fixture_free(&fx);
}

/* Search, pick the one listing with the person's name, confirm. */
static void
test_pick(void **state)
{
	static const char search_form[] =
	    "{\"automation\":\"auto\",\"verified\":true,\"steps\":["
	    "{\"url\":\"https://broker.test/s\",\"form\":{\"index\":0},\"fields\":[{\"name\":\"q\","
	    "\"from\":\"name\",\"value\":\"{{name.family}}\"}]},"
	    "{\"pick\":{\"href\":\"^/rec/\",\"from\":\"name\",\"match\":\"{{name.full}}\"}},"
	    "{\"form\":{\"id\":\"c\"},\"fields\":[]}],\"outcomes\":{\"success\":[\"removed\"]}}";
	static const char *const results[] = {
		/* one match (accents and case ignored; the same link twice is one listing) */
		"<a href=/rec/1>JOSE NUNEZ PENA, CA</a><a href=/rec/1>José Núñez Peña</a>"
		"<a href=/rec/2>Maria</a><a href=/about>José Núñez Peña</a>",
		/* two different listings */
		"<a href=/rec/1>José Núñez Peña</a><a href=/rec/9>José Núñez Peña Jr</a>",
		/* none */
		"<p>No results</p><a href=/rec/3>Someone Else</a>",
	};
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct fixture fx;
		const struct http_request *req;
		struct http_response r;
		char *cause = NULL;

		fixture_init(&fx, search_form, r_name_email_cs, NULL, NULL, &cause);
		assert_non_null(form_advance(fx.job, NULL));
		r = reply(200, "https://h.example/s", "text/html",
		    "<form action=/results><input name=q></form>");
		req = form_advance(fx.job, &r);
		assert_string_equal(
		    req->url, "https://h.example/results?q=N%C3%BA%C3%B1ez+Pe%C3%B1a");
		r = reply(200, "https://h.example/results?q=x", "text/html", results[i]);
		req = form_advance(fx.job, &r);
		if (i == 0) {
			assert_non_null(req);
			assert_string_equal(req->method, "GET");
			assert_string_equal(req->url, "https://h.example/rec/1");
			r = reply(200, "https://h.example/rec/1", "text/html",
			    "<form id=c method=post action=/confirm><input type=hidden name=id "
			    "value=1>"
			    "</form>");
			req = form_advance(fx.job, &r);
			assert_string_equal(req->url, "https://h.example/confirm");
			assert_string_equal(req->body, "id=1");
			r = reply(200, "https://h.example/confirm", "text/html", "Removed.");
			assert_null(form_advance(fx.job, &r));
			assert_int_equal(form_outcome(fx.job), FORM_DONE);
		} else {
			assert_null(req);
			assert_int_equal(form_outcome(fx.job), FORM_NEEDS_HUMAN);
			assert_non_null(
			    strstr(form_reason(fx.job), i == 1 ? "2 listings" : "No listing"));
		}
		fixture_free(&fx);
	}
}

/* Without automation a person gets the disclosed values; bad records are refused. */
static void
test_person_and_errors(void **state)
{
	static const char person_form[] =
	    "{\"automation\":\"person\",\"reason\":\"captcha\",\"verified\":false}";
	static const char bad_pattern[] =
	    "{\"automation\":\"auto\",\"verified\":true,\"steps\":[{\"url\":\"https://broker.test/"
	    "\","
	    "\"form\":{\"index\":0}}],\"outcomes\":{\"success\":[\"(unclosed\"]}}";
	static const char first_pick[] =
	    "{\"automation\":\"auto\",\"verified\":true,\"steps\":[{\"pick\":{\"href\":\"x\","
	    "\"from\":\"name\",\"match\":\"{{name.full}}\"}}],\"outcomes\":{\"success\":[\"ok\"]}}";
	struct fixture fx;
	const struct form_value *v;
	char *cause = NULL;
	size_t n;

	(void)state;
	fixture_init(&fx, person_form, r_name_email_cs, NULL, NULL, &cause);
	assert_true(form_for_person(fx.job));
	assert_false(form_verified(fx.job));
	assert_non_null(strstr(form_person_reason(fx.job), "CAPTCHA"));
	v = form_values(fx.job, &n);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].label, "Full name");
	assert_string_equal(v[0].value, "José Núñez Peña");
	assert_null(v[0].name);
	assert_string_equal(v[1].value, "jose.nunez@example.org");
	assert_string_equal(v[2].value, "Los Angeles, CA");
	assert_null(form_advance(fx.job, NULL));
	assert_int_equal(form_outcome(fx.job), FORM_NEEDS_HUMAN);
	fixture_free(&fx);

	fixture_init(&fx, NULL, r_name_email_cs, NULL, NULL, &cause);
	assert_true(form_for_person(fx.job));
	assert_string_equal(form_start_url(fx.job), "https://broker.test/start/");
	fixture_free(&fx);

	fixture_init(&fx, bad_pattern, r_name_email_cs, NULL, NULL, &cause);
	assert_null(fx.job);
	assert_non_null(strstr(cause, "outcomes.success[0]"));
	free(cause);
	cause = NULL;
	fixture_free(&fx);

	fixture_init(&fx, first_pick, r_name_email_cs, NULL, NULL, &cause);
	assert_null(fx.job);
	assert_non_null(strstr(cause, "no page yet"));
	free(cause);
	fixture_free(&fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_request),
	    cmocka_unit_test(test_outcomes),
	    cmocka_unit_test(test_captcha_page),
	    cmocka_unit_test(test_page_mismatch),
	    cmocka_unit_test(test_minimization),
	    cmocka_unit_test(test_encodings),
	    cmocka_unit_test(test_pick),
	    cmocka_unit_test(test_person_and_errors),
	};

	return cmocka_run_group_tests_name("form", tests, setup, teardown);
}
