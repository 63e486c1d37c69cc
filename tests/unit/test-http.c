/* Unit tests for http: URL rules, test-only switches, backoff, flows that never reach the net. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "optout/http.h"
#include "optout/util.h"

/* Start and stop libcurl around the group, as main does. */
static int
setup(void **state)
{
	char *cause = NULL;

	(void)state;
	unsetenv("OPTOUT_TEST_BASE");
	unsetenv("OPTOUT_TEST_ALLOW_HTTP_LOOPBACK");
	unsetenv("OPTOUT_TEST_RETRY_BASE_MS");
	unsetenv("OPTOUT_TEST_HOST_INTERVAL_MS");
	if (http_global_init(&cause) != 0)
		fail_msg("%s", cause);
	return 0;
}

/* The global cleanup. */
static int
teardown(void **state)
{
	(void)state;
	http_global_cleanup();
	return 0;
}

/* Whether a URL passes http_url_check (freeing any message). */
static int
allowed(const char *url)
{
	char *cause = NULL;
	int rc = http_url_check(url, &cause);

	if (rc != 0)
		assert_non_null(cause);
	free(cause);
	return rc == 0;
}

/* https only; plain http to 127.0.0.1 only with the test switch, and nowhere else. */
static void
test_url_check(void **state)
{
	char *cause = NULL;

	(void)state;
	assert_true(allowed("https://www.example.com/opt-out?x=1"));
	assert_true(allowed("HTTPS://EXAMPLE.COM/"));
	assert_false(allowed("http://www.example.com/"));
	assert_false(allowed("http://127.0.0.1:8080/"));
	assert_false(allowed("ftp://example.com/"));
	assert_false(allowed("not a url"));
	assert_false(allowed("file:///etc/passwd"));
	setenv("OPTOUT_TEST_ALLOW_HTTP_LOOPBACK", "1", 1);
	assert_true(allowed("http://127.0.0.1:8080/x"));
	assert_false(allowed("http://localhost:8080/"));
	assert_false(allowed("http://127.0.0.1.evil.example/"));
	assert_false(allowed("http://127.0.0.2/"));
	assert_false(allowed("http://[::1]/"));
	setenv("OPTOUT_TEST_ALLOW_HTTP_LOOPBACK", "yes", 1);
	assert_false(allowed("http://127.0.0.1:8080/x"));
	unsetenv("OPTOUT_TEST_ALLOW_HTTP_LOOPBACK");
	/* The message names the address without its query (queries may hold personal data). */
	assert_int_equal(http_url_check("http://broker.example/search?name=Jos%C3%A9", &cause), -1);
	assert_non_null(strstr(cause, "http://broker.example/search"));
	assert_null(strstr(cause, "name="));
	free(cause);
}

/* The broker.test rewrite touches that host only, and only towards 127.0.0.1. */
static void
test_effective(void **state)
{
	char *cause = NULL, *u;

	(void)state;
	u = http_url_effective("https://www.example.com/a?b=c", &cause);
	assert_string_equal(u, "https://www.example.com/a?b=c");
	free(u);
	assert_null(http_url_effective("https://broker.test/x", &cause));
	assert_non_null(strstr(cause, "reserved for the tests"));
	free(cause);
	cause = NULL;
	setenv("OPTOUT_TEST_BASE", "https://127.0.0.1:4443", 1);
	u = http_url_effective("https://broker.test/plain/?q=1", &cause);
	assert_string_equal(u, "https://127.0.0.1:4443/plain/?q=1");
	free(u);
	u = http_url_effective("https://broker.test.evil.example/", &cause);
	assert_string_equal(u, "https://broker.test.evil.example/");
	free(u);
	u = http_url_effective("https://www.example.com/", &cause);
	assert_string_equal(u, "https://www.example.com/");
	free(u);
	setenv("OPTOUT_TEST_BASE", "https://10.0.0.1:4443", 1);
	assert_null(http_url_effective("https://broker.test/x", &cause));
	assert_non_null(strstr(cause, "must be https://127.0.0.1"));
	free(cause);
	cause = NULL;
	setenv("OPTOUT_TEST_BASE", "http://127.0.0.1:8080", 1);
	assert_null(http_url_effective("https://broker.test/x", &cause));
	free(cause);
	cause = NULL;
	setenv("OPTOUT_TEST_ALLOW_HTTP_LOOPBACK", "1", 1);
	u = http_url_effective("https://broker.test/x", &cause);
	assert_string_equal(u, "http://127.0.0.1:8080/x");
	free(u);
	unsetenv("OPTOUT_TEST_ALLOW_HTTP_LOOPBACK");
	unsetenv("OPTOUT_TEST_BASE");
}

/* References resolve as a browser resolves them; display drops queries. */
static void
test_resolve_display(void **state)
{
	char *cause = NULL, *u;

	(void)state;
	u = http_url_resolve("https://a.example/x/y?z=1", "submit", &cause);
	assert_string_equal(u, "https://a.example/x/submit");
	free(u);
	u = http_url_resolve("https://a.example/x/y", "/abs?q=2", &cause);
	assert_string_equal(u, "https://a.example/abs?q=2");
	free(u);
	u = http_url_resolve("https://a.example/x/y", "https://b.example/c", &cause);
	assert_string_equal(u, "https://b.example/c");
	free(u);
	u = http_url_resolve("https://a.example/x/y", "../up", &cause);
	assert_string_equal(u, "https://a.example/up");
	free(u);
	assert_null(http_url_resolve("not a base", "x", &cause));
	free(cause);
	u = http_url_display("https://a.example:8443/p/q?name=Jos%C3%A9#frag");
	assert_string_equal(u, "https://a.example:8443/p/q?…");
	free(u);
	u = http_url_display("https://a.example");
	assert_string_equal(u, "https://a.example/");
	free(u);
}

/* Backoff doubles from the base, Retry-After wins, and both are capped. */
static void
test_backoff(void **state)
{
	struct http_opts o;

	(void)state;
	http_opts_init(&o);
	assert_int_equal(o.retry_base_ms, 2000);
	assert_int_equal(o.host_interval_ms, 1500);
	assert_int_equal(o.max_tries, 3);
	assert_int_equal(o.per_host, 2);
	assert_int_equal(http_backoff_ms(&o, 1, -1), 2000);
	assert_int_equal(http_backoff_ms(&o, 2, -1), 4000);
	assert_int_equal(http_backoff_ms(&o, 10, -1), o.retry_cap_ms);
	assert_int_equal(http_backoff_ms(&o, 1, 7), 7000);
	assert_int_equal(http_backoff_ms(&o, 1, 100000), o.retry_cap_ms);
	setenv("OPTOUT_TEST_RETRY_BASE_MS", "25", 1);
	setenv("OPTOUT_TEST_HOST_INTERVAL_MS", "0", 1);
	http_opts_init(&o);
	assert_int_equal(o.retry_base_ms, 25);
	assert_int_equal(o.host_interval_ms, 0);
	assert_int_equal(http_backoff_ms(&o, 2, -1), 50);
	setenv("OPTOUT_TEST_RETRY_BASE_MS", "-5", 1);
	http_opts_init(&o);
	assert_int_equal(o.retry_base_ms, 2000);
	unsetenv("OPTOUT_TEST_RETRY_BASE_MS");
	unsetenv("OPTOUT_TEST_HOST_INTERVAL_MS");
}

/* Only socks5h proxies: DNS must not leak around Tor. */
static void
test_proxy(void **state)
{
	struct http_opts o;
	struct http_session *s;
	char *cause = NULL;

	(void)state;
	http_opts_init(&o);
	o.proxy = "socks5://127.0.0.1:9050";
	assert_null(http_session_new(&o, &cause));
	assert_non_null(strstr(cause, "socks5h://"));
	free(cause);
	o.proxy = "socks5h://127.0.0.1:9050";
	s = http_session_new(&o, &cause);
	assert_non_null(s);
	http_session_free(s);
}

/* A flow of two requests that the rules refuse before any byte leaves. */
struct refused_flow {
	struct http_request req[2];
	int calls;
	enum http_error seen[2];
	char *message[2];
};

/* Hand out the two requests, recording each reply. */
static const struct http_request *
refused_next(void *arg, const struct http_response *r)
{
	struct refused_flow *f = arg;

	if (r != NULL) {
		f->seen[f->calls - 1] = r->error;
		f->message[f->calls - 1] = r->message ? xstrdup(r->message) : NULL;
		assert_int_equal(r->status, 0);
		assert_non_null(r->body);
		assert_non_null(r->cookies);
	}
	if (f->calls >= 2)
		return NULL;
	return &f->req[f->calls++];
}

/* Flows run to their end; a refused request is an error reply, not a crash or a send. */
static void
test_flows_refused(void **state)
{
	struct refused_flow a, b;
	struct http_flow flows[2];
	struct http_session *s1, *s2;
	struct http_response r;
	struct http_opts o;
	char *cause = NULL;
	int i;

	(void)state;
	http_opts_init(&o);
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	a.req[0].method = a.req[1].method = "GET";
	a.req[0].url = "http://www.example.com/";
	a.req[1].url = "https://broker.test/x"; /* no OPTOUT_TEST_BASE: refused */
	b.req[0].method = b.req[1].method = "POST";
	b.req[0].url = "ftp://example.com/";
	b.req[1].url = "gopher://example.com/";
	s1 = http_session_new(&o, &cause);
	s2 = http_session_new(&o, &cause);
	flows[0].session = s1;
	flows[0].next = refused_next;
	flows[0].arg = &a;
	flows[1].session = s2;
	flows[1].next = refused_next;
	flows[1].arg = &b;
	http_run_many(flows, 2, &o);
	for (i = 0; i < 2; i++) {
		assert_int_equal(a.seen[i], HTTP_REFUSED);
		assert_int_equal(b.seen[i], HTTP_REFUSED);
		assert_non_null(a.message[i]);
		free(a.message[i]);
		free(b.message[i]);
	}
	assert_int_equal(a.calls, 2);
	assert_int_equal(b.calls, 2);
	/* A single request, the same way. */
	a.req[0].url = "http://127.0.0.1:1/";
	http_perform(s1, &a.req[0], &o, &r);
	assert_int_equal(r.error, HTTP_REFUSED);
	assert_non_null(strstr(r.message, "only https"));
	http_response_free(&r);
	http_session_free(s1);
	http_session_free(s2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_url_check),
	    cmocka_unit_test(test_effective),
	    cmocka_unit_test(test_resolve_display),
	    cmocka_unit_test(test_backoff),
	    cmocka_unit_test(test_proxy),
	    cmocka_unit_test(test_flows_refused),
	};

	return cmocka_run_group_tests_name("http", tests, setup, teardown);
}
