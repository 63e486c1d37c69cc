/*
 * http: libcurl, used with care.  See include/optout/http.h for the rules;
 * this file is the only one that includes curl/curl.h.
 */
#include "config.h"

/* The calls go through the pointers below: no type-checking macros. */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>


#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "optout/http.h"
#include "optout/util.h"

struct http_session {
	CURL *easy;
	char *cacert;
	char *proxy;
};

/* What one flow is doing inside http_run_many. */
struct flow_state {
	const struct http_request *req;
	char *url;                  /* where the request really goes */
	char *host;                 /* scheme://host:port, for the per-host limits */
	struct curl_slist *headers;
	struct buf body;
	size_t max_body;
	int truncated;
	int tries;
	long waited_ms;
	long long due;              /* when it may start, in ms of the monotonic clock */
	int running;
	int done;
	char errbuf[CURL_ERROR_SIZE];
};

/* The per-host limits' bookkeeping. */
struct host_state {
	char *key;
	int active;
	long long last_start;
};

/*
 * libcurl is opened on first use (dlopen), not linked: loading it and its
 * forty dependencies (TLS, Kerberos, LDAP, ICU…) took most of the start-up
 * time of every command, though only submit, send and inbox use it.
 */
#define LIBCURL_SONAME "libcurl.so.4"

static struct {
	void (*easy_cleanup)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	CURL *(*easy_init)(void);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	const char *(*easy_strerror)(CURLcode);
	void (*free)(void *);
	void (*global_cleanup)(void);
	CURLcode (*global_init)(long);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_cleanup)(CURLM *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_perform)(CURLM *, int *);
	CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	CURLU *(*url)(void);
	void (*url_cleanup)(CURLU *);
	CURLUcode (*url_get)(const CURLU *, CURLUPart, char **, unsigned int);
	CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
	curl_version_info_data *(*version_info)(CURLversion);
} lc;

/* Which symbol goes into which slot of lc. */
static const struct dl_symbol lc_symbols[] = {
	{ "curl_easy_cleanup", (void **)(void *)&lc.easy_cleanup },
	{ "curl_easy_getinfo", (void **)(void *)&lc.easy_getinfo },
	{ "curl_easy_init", (void **)(void *)&lc.easy_init },
	{ "curl_easy_perform", (void **)(void *)&lc.easy_perform },
	{ "curl_easy_setopt", (void **)(void *)&lc.easy_setopt },
	{ "curl_easy_strerror", (void **)(void *)&lc.easy_strerror },
	{ "curl_free", (void **)(void *)&lc.free },
	{ "curl_global_cleanup", (void **)(void *)&lc.global_cleanup },
	{ "curl_global_init", (void **)(void *)&lc.global_init },
	{ "curl_multi_add_handle", (void **)(void *)&lc.multi_add_handle },
	{ "curl_multi_cleanup", (void **)(void *)&lc.multi_cleanup },
	{ "curl_multi_info_read", (void **)(void *)&lc.multi_info_read },
	{ "curl_multi_init", (void **)(void *)&lc.multi_init },
	{ "curl_multi_perform", (void **)(void *)&lc.multi_perform },
	{ "curl_multi_poll", (void **)(void *)&lc.multi_poll },
	{ "curl_multi_remove_handle", (void **)(void *)&lc.multi_remove_handle },
	{ "curl_slist_append", (void **)(void *)&lc.slist_append },
	{ "curl_slist_free_all", (void **)(void *)&lc.slist_free_all },
	{ "curl_url", (void **)(void *)&lc.url },
	{ "curl_url_cleanup", (void **)(void *)&lc.url_cleanup },
	{ "curl_url_get", (void **)(void *)&lc.url_get },
	{ "curl_url_set", (void **)(void *)&lc.url_set },
	{ "curl_version_info", (void **)(void *)&lc.version_info },
};

/* Open libcurl and find its functions, once; -1 with *cause if it cannot be. */
static int
curl_load(char **cause)
{
	static int loaded;

	if (!loaded && dl_load(LIBCURL_SONAME, lc_symbols,
	    sizeof lc_symbols / sizeof lc_symbols[0], cause) == 0)
		loaded = 1;
	return loaded ? 0 : -1;
}

#define curl_easy_cleanup (lc.easy_cleanup)
#undef curl_easy_getinfo /* curl.h checks the argument count with a macro */
#define curl_easy_getinfo (lc.easy_getinfo)
#define curl_easy_init (lc.easy_init)
#define curl_easy_perform (lc.easy_perform)
#undef curl_easy_setopt
#define curl_easy_setopt (lc.easy_setopt)
#define curl_easy_strerror (lc.easy_strerror)
#define curl_free (lc.free)
#define curl_global_cleanup (lc.global_cleanup)
#define curl_global_init (lc.global_init)
#define curl_multi_add_handle (lc.multi_add_handle)
#define curl_multi_cleanup (lc.multi_cleanup)
#define curl_multi_info_read (lc.multi_info_read)
#define curl_multi_init (lc.multi_init)
#define curl_multi_perform (lc.multi_perform)
#define curl_multi_poll (lc.multi_poll)
#define curl_multi_remove_handle (lc.multi_remove_handle)
#define curl_slist_append (lc.slist_append)
#define curl_slist_free_all (lc.slist_free_all)
#define curl_url (lc.url)
#define curl_url_cleanup (lc.url_cleanup)
#define curl_url_get (lc.url_get)
#define curl_url_set (lc.url_set)
#define curl_version_info (lc.version_info)

/* Whether http_global_init has set libcurl up (main thread only). */
static int http_ready;

/* Start libcurl once for the process, and check it can speak TLS. */
int
http_global_init(char **cause)
{
	const curl_version_info_data *v;

	if (http_ready)
		return 0;
	if (curl_load(cause) != 0)
		return -1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		*cause = xstrdup("cannot initialise libcurl");
		return -1;
	}
	v = curl_version_info(CURLVERSION_NOW);
	if (v == NULL || (v->features & CURL_VERSION_SSL) == 0) {
		*cause = xstrdup("this libcurl has no TLS support: web forms cannot be sent");
		curl_global_cleanup();
		return -1;
	}
	http_ready = 1;
	return 0;
}

/* Release what curl_global_init set up, if it ran. */
void
http_global_cleanup(void)
{
	if (!http_ready)
		return;
	curl_global_cleanup();
	http_ready = 0;
}

/* A non-negative number of milliseconds from the environment, or def. */
static long
env_ms(const char *name, long def)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return def;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > 600000)
		return def;
	return v;
}

/* The defaults: patient and polite, as a careful person would be. */
void
http_opts_init(struct http_opts *o)
{
	memset(o, 0, sizeof *o);
	o->connect_timeout_ms = 20000;
	o->total_timeout_ms = env_ms("OPTOUT_TEST_TIMEOUT_MS", 90000);
	o->max_body = (size_t)2 << 20;
	o->max_tries = 3;
	o->retry_base_ms = env_ms("OPTOUT_TEST_RETRY_BASE_MS", 2000);
	o->retry_cap_ms = 30000;
	o->host_interval_ms = env_ms("OPTOUT_TEST_HOST_INTERVAL_MS", 1500);
	o->per_host = 2;
	o->trace = getenv("OPTOUT_TEST_HTTP_TRACE");
	if (o->trace != NULL && *o->trace == '\0')
		o->trace = NULL;
}

/*
 * The test-only trace of what the scheduler decided, one line per decision:
 * "MS HOST start N" when it starts a transfer (N to that host now running)
 * and "MS HOST wait D" when it puts a retry off by D ms; MS counts from the
 * start of the run on the monotonic clock.  Tests check the spacing,
 * concurrency and backoff rules on these decisions, not on when a server
 * happened to see a request.  Hosts only: no path, query or body.
 */
static void
trace(const struct http_opts *o, long long ms, const char *host, const char *what, long long n)
{
	FILE *f;

	if (o->trace == NULL || (f = fopen(o->trace, "a")) == NULL)
		return;
	fprintf(f, "%lld %s %s %lld\n", ms, host, what, n);
	fclose(f);
}

/* Whether the test-only loopback http switch is on. */
static int
loopback_http_allowed(void)
{
	const char *s = getenv("OPTOUT_TEST_ALLOW_HTTP_LOOPBACK");

	return s != NULL && strcmp(s, "1") == 0;
}

/* Parse a URL into a curl URL handle, or NULL with *cause. */
static CURLU *
url_parse(const char *url, const char *what, char **cause)
{
	CURLU *u;

	if (curl_load(cause) != 0)
		return NULL;
	if ((u = curl_url()) == NULL) {
		*cause = xstrdup("out of memory parsing an address");
		return NULL;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		*cause = xasprintf("%s is not a valid absolute URL", what);
		return NULL;
	}
	return u;
}

/* One part of a parsed URL as an allocated string, or NULL when absent. */
static char *
url_part(CURLU *u, CURLUPart part)
{
	char *s = NULL, *out;

	if (curl_url_get(u, part, &s, 0) != CURLUE_OK || s == NULL)
		return NULL;
	out = xstrdup(s);
	curl_free(s);
	return out;
}

/* The URL without query and fragment (for people: queries may hold personal data). */
char *
http_url_display(const char *url)
{
	CURLU *u = NULL;
	char *scheme, *host, *port, *path, *out, *ignored = NULL;

	if (curl_load(&ignored) != 0) {
		free(ignored);
		return xstrdup("(an invalid URL)");
	}
	if ((u = curl_url()) == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		return xstrdup("(an invalid URL)");
	}
	scheme = url_part(u, CURLUPART_SCHEME);
	host = url_part(u, CURLUPART_HOST);
	port = url_part(u, CURLUPART_PORT);
	path = url_part(u, CURLUPART_PATH);
	out = xasprintf("%s://%s%s%s%s", scheme ? scheme : "?", host ? host : "?",
	    port ? ":" : "", port ? port : "", path ? path : "/");
	{
		char *q = url_part(u, CURLUPART_QUERY);

		if (q != NULL) {
			char *t = xasprintf("%s?…", out);

			free(out);
			out = t;
			free(q);
		}
	}
	free(scheme);
	free(host);
	free(port);
	free(path);
	curl_url_cleanup(u);
	return out;
}

/* https always; http only to 127.0.0.1, only with the test switch. */
int
http_url_check(const char *url, char **cause)
{
	CURLU *u = url_parse(url, "the address", cause);
	char *scheme, *host;
	int rc = -1;

	if (u == NULL)
		return -1;
	scheme = url_part(u, CURLUPART_SCHEME);
	host = url_part(u, CURLUPART_HOST);
	if (scheme != NULL && (strcasecmp(scheme, "https") == 0 ||
	    (strcasecmp(scheme, "http") == 0 && host != NULL && strcmp(host, "127.0.0.1") == 0 &&
		loopback_http_allowed())))
		rc = 0;
	if (rc != 0) {
		char *d = http_url_display(url);

		*cause = xasprintf("refused %s: only https addresses are allowed", d);
		free(d);
	}
	free(scheme);
	free(host);
	curl_url_cleanup(u);
	return rc;
}

/* Resolve ref against base as a browser does (RFC 3986). */
char *
http_url_resolve(const char *base, const char *ref, char **cause)
{
	CURLU *u = url_parse(base, "the page address", cause);
	char *out;

	if (u == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, ref, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		*cause = xstrdup("a link or form action on the page is not a valid address");
		return NULL;
	}
	out = url_part(u, CURLUPART_URL);
	curl_url_cleanup(u);
	if (out == NULL)
		*cause = xstrdup("cannot resolve a link or form action on the page");
	return out;
}

/*
 * The test-only rewrite: the reserved host broker.test (RFC 2606) goes to
 * OPTOUT_TEST_BASE, which must be 127.0.0.1.  No other host is touched, so
 * no real broker can be redirected by it.
 */
char *
http_url_effective(const char *url, char **cause)
{
	const char *base = getenv("OPTOUT_TEST_BASE");
	CURLU *u, *b;
	char *host, *bscheme = NULL, *bhost = NULL, *bport = NULL, *out = NULL;

	if ((u = url_parse(url, "the address", cause)) == NULL)
		return NULL;
	host = url_part(u, CURLUPART_HOST);
	if (host == NULL || strcasecmp(host, "broker.test") != 0) {
		free(host);
		out = url_part(u, CURLUPART_URL);
		curl_url_cleanup(u);
		if (out == NULL)
			*cause = xstrdup("the address is not a valid absolute URL");
		return out;
	}
	free(host);
	if (base == NULL || *base == '\0') {
		curl_url_cleanup(u);
		*cause =
		    xstrdup("broker.test is a host reserved for the tests (OPTOUT_TEST_BASE is "
		            "not set)");
		return NULL;
	}
	if ((b = url_parse(base, "OPTOUT_TEST_BASE", cause)) == NULL) {
		curl_url_cleanup(u);
		return NULL;
	}
	bscheme = url_part(b, CURLUPART_SCHEME);
	bhost = url_part(b, CURLUPART_HOST);
	bport = url_part(b, CURLUPART_PORT);
	if (bhost == NULL || strcmp(bhost, "127.0.0.1") != 0 || bscheme == NULL ||
	    !(strcmp(bscheme, "https") == 0 ||
		(strcmp(bscheme, "http") == 0 && loopback_http_allowed()))) {
		*cause = xstrdup("OPTOUT_TEST_BASE must be https://127.0.0.1:PORT");
	} else if (curl_url_set(u, CURLUPART_SCHEME, bscheme, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_HOST, bhost, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_PORT, bport, 0) != CURLUE_OK ||
	    (out = url_part(u, CURLUPART_URL)) == NULL) {
		*cause = xstrdup("cannot apply OPTOUT_TEST_BASE");
	}
	free(bscheme);
	free(bhost);
	free(bport);
	curl_url_cleanup(b);
	curl_url_cleanup(u);
	return out;
}

/* scheme://host:port of a URL: the unit of the per-host limits. */
static char *
host_key(const char *url)
{
	CURLU *u;
	char *scheme, *host, *port, *out, *cause = NULL;

	if ((u = url_parse(url, "the address", &cause)) == NULL) {
		free(cause);
		return xstrdup("?");
	}
	scheme = url_part(u, CURLUPART_SCHEME);
	host = url_part(u, CURLUPART_HOST);
	port = url_part(u, CURLUPART_PORT);
	out = xasprintf("%s://%s:%s", scheme ? scheme : "", host ? host : "",
	    port ? port : (scheme && strcmp(scheme, "http") == 0 ? "80" : "443"));
	free(scheme);
	free(host);
	free(port);
	curl_url_cleanup(u);
	return out;
}

/* Exponential backoff, or the server's Retry-After; both capped. */
long
http_backoff_ms(const struct http_opts *o, int tries, long retry_after_s)
{
	long ms;
	int i;

	if (retry_after_s >= 0) {
		if (retry_after_s > o->retry_cap_ms / 1000)
			return o->retry_cap_ms;
		return retry_after_s * 1000;
	}
	ms = o->retry_base_ms;
	for (i = 1; i < tries && ms < o->retry_cap_ms; i++)
		ms *= 2;
	return ms < o->retry_cap_ms ? ms : o->retry_cap_ms;
}

/* A new session with its own in-memory cookie jar. */
struct http_session *
http_session_new(const struct http_opts *o, char **cause)
{
	struct http_session *s;

	if (o->proxy != NULL && strncmp(o->proxy, "socks5h://", 10) != 0) {
		*cause =
		    xstrdup("--proxy: only socks5h://HOST:PORT proxies are accepted (names are "
		            "then resolved by the proxy, as Tor needs)");
		return NULL;
	}
	/* libcurl (and TLS) is started by the first session, not for every command. */
	if (http_global_init(cause) != 0)
		return NULL;
	s = xcalloc(1, sizeof *s);
	if ((s->easy = curl_easy_init()) == NULL) {
		free(s);
		*cause = xstrdup("cannot create a libcurl handle");
		return NULL;
	}
	s->cacert = o->cacert ? xstrdup(o->cacert) : NULL;
	s->proxy = o->proxy ? xstrdup(o->proxy) : NULL;
	/* The cookie engine, in memory only: "" names no file to read or write. */
	if (curl_easy_setopt(s->easy, CURLOPT_COOKIEFILE, "") != CURLE_OK) {
		http_session_free(s);
		*cause = xstrdup("cannot start libcurl's cookie engine");
		return NULL;
	}
	return s;
}

/* Free a session and forget its cookies. */
void
http_session_free(struct http_session *s)
{
	if (s == NULL)
		return;
	curl_easy_cleanup(s->easy);
	free(s->cacert);
	free(s->proxy);
	free(s);
}

/* Free what a response holds. */
void
http_response_free(struct http_response *r)
{
	if (r == NULL)
		return;
	free(r->message);
	free(r->body);
	free(r->content_type);
	free(r->url);
	str_list_free(r->cookies);
	memset(r, 0, sizeof *r);
}

/* The monotonic clock in milliseconds. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Keep the reply, but stop reading past the cap (a body's length may be unannounced). */
static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct flow_state *st = arg;
	size_t n = size * nmemb;

	if (st->body.len + n > st->max_body) {
		buf_add(&st->body, p, st->max_body - st->body.len);
		st->truncated = 1;
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	}
	buf_add(&st->body, p, n);
	return n;
}

/* Append a header line; a line break in it (header injection) is refused. */
static int
add_header(struct curl_slist **list, const char *line)
{
	struct curl_slist *l;

	if (strpbrk(line, "\r\n") != NULL)
		return -1;
	if ((l = curl_slist_append(*list, line)) == NULL)
		return -1;
	*list = l;
	return 0;
}

/*
 * Set every option of a transfer.  The handle is not reset between transfers
 * (its cookie engine holds the session), so every option is set each time.
 */
static int
configure(struct http_session *s, struct flow_state *st, const struct http_opts *o, char **cause)
{
	CURL *h = s->easy;
	const struct http_request *req = st->req;
	const int post = strcmp(req->method, "POST") == 0;
	const int http_ok = strncmp(st->url, "http://", 7) == 0;
	CURLcode rc = CURLE_OK;
	size_t i;

	curl_slist_free_all(st->headers);
	st->headers = NULL;
	if (add_header(&st->headers,
		"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8") != 0 ||
	    add_header(&st->headers, "Accept-Language: en-US,en;q=0.5") != 0 ||
	    add_header(&st->headers, "Expect:") != 0) {
		*cause = xstrdup("cannot set up the request headers");
		return -1;
	}
	if (post && req->content_type != NULL) {
		char *ct = xasprintf("Content-Type: %s", req->content_type);
		int bad = add_header(&st->headers, ct);

		free(ct);
		if (bad) {
			*cause = xstrdup("the request's content type is not a valid header");
			return -1;
		}
	}
	for (i = 0; req->headers != NULL && req->headers[i] != NULL; i++) {
		if (add_header(&st->headers, req->headers[i]) != 0) {
			*cause = xstrdup("a request header holds a line break: refused");
			return -1;
		}
	}

#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(h, opt, val); } while (0)
	SET(CURLOPT_URL, st->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	/* Plain http exists only for the test switch, and only for the first hop. */
	SET(CURLOPT_PROTOCOLS_STR, http_ok ? "http,https" : "https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
	SET(CURLOPT_PROTOCOLS,
	    http_ok ? (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS) : (long)CURLPROTO_HTTPS);
	SET(CURLOPT_REDIR_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	SET(CURLOPT_FOLLOWLOCATION, 1L);
	SET(CURLOPT_MAXREDIRS, (long)HTTP_MAX_REDIRECTS);
	SET(CURLOPT_AUTOREFERER, 1L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (s->cacert != NULL)
		SET(CURLOPT_CAINFO, s->cacert);
	/*
	 * Only --proxy is ever used: "" turns off libcurl's reading of https_proxy,
	 * ALL_PROXY and the like, and NOPROXY "" keeps no_proxy from sending a
	 * request around the Tor proxy the person chose.
	 */
	SET(CURLOPT_PROXY, s->proxy != NULL ? s->proxy : "");
	SET(CURLOPT_NOPROXY, s->proxy != NULL ? "" : "*");
	SET(CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	SET(CURLOPT_TIMEOUT_MS, o->total_timeout_ms);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_USERAGENT, HTTP_USER_AGENT);
	SET(CURLOPT_HTTPHEADER, st->headers);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, st);
	SET(CURLOPT_ERRORBUFFER, st->errbuf);
	SET(CURLOPT_PRIVATE, (void *)st);
	SET(CURLOPT_REFERER, req->referer);
	if (post) {
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		SET(CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
	} else {
		SET(CURLOPT_POSTFIELDS, NULL);
		SET(CURLOPT_HTTPGET, 1L);
	}
#undef SET
	if (rc != CURLE_OK) {
		*cause = xasprintf("cannot set up the request: %s", curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

/* The session's cookies as "name=value" strings. */
static char **
cookie_list(CURL *h)
{
	struct curl_slist *list = NULL, *c;
	char **out = xcalloc(1, sizeof *out);
	size_t n = 0;

	if (curl_easy_getinfo(h, CURLINFO_COOKIELIST, &list) != CURLE_OK)
		return out;
	for (c = list; c != NULL; c = c->next) {
		/* Netscape format: domain, tailmatch, path, secure, expires, name, value. */
		const char *p = c->data;
		int tabs = 0;
		const char *name = NULL;

		for (; *p != '\0'; p++) {
			if (*p == '\t' && ++tabs == 5)
				name = p + 1;
		}
		if (name == NULL || tabs != 6)
			continue;
		{
			const char *tab = strchr(name, '\t');

			out = xreallocarray(out, n + 2, sizeof *out);
			out[n++] = xasprintf("%.*s=%s", (int)(tab - name), name, tab + 1);
			out[n] = NULL;
		}
	}
	curl_slist_free_all(list);
	return out;
}

/* Turn a finished transfer into a response. */
static void
collect(struct http_session *s, struct flow_state *st, CURLcode res, const struct http_opts *o,
    struct http_response *r)
{
	CURL *h = s->easy;
	char *ct = NULL, *eff = NULL;

	memset(r, 0, sizeof *r);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct != NULL)
		r->content_type = xstrdup(ct);
	if (curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff != NULL)
		r->url = xstrdup(eff);
	else
		r->url = xstrdup(st->url);
	r->cookies = cookie_list(h);
	r->len = st->body.len;
	buf_addc(&st->body, '\0');
	r->body = buf_detach(&st->body);
	r->tries = st->tries;
	r->waited_ms = st->waited_ms;
	{
		long issued = 0;

		/* Bytes of request issued: none means nothing left the machine. */
		r->sent = curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &issued) != CURLE_OK ||
		    issued > 0;
	}
	switch (res) {
	case CURLE_OK:
		r->error = HTTP_OK;
		break;
	case CURLE_WRITE_ERROR:
		if (st->truncated) {
			r->error = HTTP_TOO_BIG;
			r->message = xasprintf(
			    "the reply was longer than %zu bytes: stopped reading", o->max_body);
			break;
		}
		r->error = HTTP_NETWORK;
		r->message = xasprintf("cannot keep the reply: %s", curl_easy_strerror(res));
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		r->error = HTTP_REFUSED;
		r->message =
		    xstrdup("the site redirected to an address that is not https: refused");
		break;
	case CURLE_TOO_MANY_REDIRECTS:
		r->error = HTTP_REFUSED;
		r->message = xasprintf("the site redirected more than %d times: stopped",
		    HTTP_MAX_REDIRECTS);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		r->error = HTTP_TLS;
		r->message = xasprintf("the secure connection failed: %s",
		    st->errbuf[0] ? st->errbuf : curl_easy_strerror(res));
		break;
	case CURLE_OPERATION_TIMEDOUT:
		r->error = HTTP_TIMEOUT;
		r->message = xstrdup("the site did not answer in time");
		break;
	default:
		r->error = HTTP_NETWORK;
		r->message = xasprintf("%s", st->errbuf[0] ? st->errbuf : curl_easy_strerror(res));
		break;
	}
}

/* Find or add a host's bookkeeping. */
static struct host_state *
host_get(struct host_state **hosts, size_t *nhosts, const char *key)
{
	size_t i;

	for (i = 0; i < *nhosts; i++)
		if (strcmp((*hosts)[i].key, key) == 0)
			return &(*hosts)[i];
	*hosts = xreallocarray(*hosts, *nhosts + 1, sizeof **hosts);
	(*hosts)[*nhosts].key = xstrdup(key);
	(*hosts)[*nhosts].active = 0;
	(*hosts)[*nhosts].last_start = -1;
	return &(*hosts)[(*nhosts)++];
}

/* Prepare a flow's next request (or mark it done). */
static void
flow_set(struct flow_state *st, const struct http_request *req, long long now)
{
	free(st->url);
	free(st->host);
	st->url = NULL;
	st->host = NULL;
	st->req = req;
	st->tries = 0;
	st->waited_ms = 0;
	st->due = now;
	st->done = req == NULL;
}

/* Give a flow its response and take its next request. */
static void
deliver(struct http_flow *f, struct flow_state *st, struct http_response *r)
{
	const struct http_request *next = f->next(f->arg, r);

	http_response_free(r);
	flow_set(st, next, now_ms());
}

/* An error found before any byte was sent. */
static void
deliver_error(struct http_flow *f, struct flow_state *st, enum http_error e, char *message)
{
	struct http_response r;

	memset(&r, 0, sizeof r);
	r.error = e;
	r.message = message;
	r.body = xstrdup("");
	r.url = xstrdup(st->req->url);
	r.cookies = xcalloc(1, sizeof *r.cookies);
	deliver(f, st, &r);
}

/*
 * Try to start flow i: 1 when an error was delivered at once (the flow may
 * have a new request to look at), else 0 (started, or it must wait).
 */
static int
try_start(struct http_flow *f, struct flow_state *st, CURLM *multi,
    struct host_state **hosts, size_t *nhosts, const struct http_opts *o, long long began,
    long long now, long long *wait, int *running)
{
	struct host_state *hs;
	char *cause = NULL;

	if (st->done || st->running)
		return 0;
	if (st->due > now) {
		if (st->due - now < *wait)
			*wait = st->due - now;
		return 0;
	}
	if (st->url == NULL) {
		/* Checked before and after the test rewrite: neither may yield plain http. */
		if (http_url_check(st->req->url, &cause) != 0 ||
		    (st->url = http_url_effective(st->req->url, &cause)) == NULL ||
		    http_url_check(st->url, &cause) != 0) {
			deliver_error(f, st, HTTP_REFUSED, cause);
			return 1;
		}
		st->host = host_key(st->url);
	}
	hs = host_get(hosts, nhosts, st->host);
	if (hs->active >= o->per_host)
		return 0; /* a finishing transfer wakes the poll */
	if (hs->last_start >= 0 && now < hs->last_start + o->host_interval_ms) {
		if (hs->last_start + o->host_interval_ms - now < *wait)
			*wait = hs->last_start + o->host_interval_ms - now;
		return 0;
	}
	buf_free(&st->body);
	buf_init(&st->body);
	st->truncated = 0;
	st->errbuf[0] = '\0';
	if (multi == NULL) {
		deliver_error(
		    f, st, HTTP_NETWORK, xstrdup("cannot start libcurl's multi interface"));
		return 1;
	}
	if (configure(f->session, st, o, &cause) != 0) {
		deliver_error(f, st, HTTP_REFUSED, cause);
		return 1;
	}
	if (curl_multi_add_handle(multi, f->session->easy) != CURLM_OK) {
		deliver_error(f, st, HTTP_NETWORK, xstrdup("cannot start the request"));
		return 1;
	}
	st->tries++;
	st->running = 1;
	hs->active++;
	hs->last_start = now;
	(*running)++;
	trace(o, now - began, st->host, "start", hs->active);
	return 0;
}

/* A transfer ended: retry it later on 429/5xx, else hand the reply to its flow. */
static void
finish(struct http_flow *f, struct flow_state *st, CURLMsg *m, const struct http_opts *o,
    long long began)
{
	struct http_response r;
	curl_off_t ra = -1;

	collect(f->session, st, m->data.result, o, &r);
	/* A 5xx to a POST may come after the broker acted on it: repeat only if idempotent. */
	if (r.error == HTTP_OK && (r.status == 429 || (r.status >= 500 && r.status <= 599 &&
	    (strcmp(st->req->method, "POST") != 0 || st->req->idempotent))) &&
	    st->tries < o->max_tries) {
		long delay;

		if (curl_easy_getinfo(m->easy_handle, CURLINFO_RETRY_AFTER, &ra) != CURLE_OK ||
		    ra <= 0)
			ra = -1;
		delay = http_backoff_ms(o, st->tries, (long)ra);
		st->waited_ms += delay;
		st->due = now_ms() + delay;
		trace(o, st->due - delay - began, st->host, "wait", delay);
		http_response_free(&r);
		return;
	}
	deliver(f, st, &r);
}

/* Run flows through the multi interface within the per-host limits. */
void
http_run_many(struct http_flow *flows, size_t n, const struct http_opts *o)
{
	struct flow_state *st = xcalloc(n ? n : 1, sizeof *st);
	struct host_state *hosts = NULL;
	size_t nhosts = 0, i, ndone;
	CURLM *multi = curl_multi_init();
	int running = 0;
	const long long began = now_ms();

	for (i = 0; i < n; i++) {
		buf_init(&st[i].body);
		st[i].max_body = o->max_body;
		flow_set(&st[i], flows[i].next(flows[i].arg, NULL), now_ms());
	}
	for (;;) {
		long long now = now_ms(), wait = 1000;
		int still = 0, q;
		CURLMsg *m;

		ndone = 0;
		for (i = 0; i < n; i++) {
			while (try_start(&flows[i], &st[i], multi, &hosts, &nhosts, o, began, now,
			    &wait, &running))
				;
			ndone += st[i].done;
		}
		if (ndone == n && running == 0)
			break;
		if (running > 0)
			curl_multi_perform(multi, &still);
		while (multi != NULL && (m = curl_multi_info_read(multi, &q)) != NULL) {
			void *priv = NULL;
			size_t k;

			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
			k = (size_t)((struct flow_state *)priv - st);
			curl_multi_remove_handle(multi, m->easy_handle);
			running--;
			st[k].running = 0;
			host_get(&hosts, &nhosts, st[k].host)->active--;
			finish(&flows[k], &st[k], m, o, began);
			wait = 0; /* the flow may have its next request ready */
		}
		if (wait > 0 && multi != NULL)
			curl_multi_poll(multi, NULL, 0, (int)wait, NULL);
	}
	for (i = 0; i < n; i++) {
		free(st[i].url);
		free(st[i].host);
		curl_slist_free_all(st[i].headers);
		buf_free(&st[i].body);
	}
	for (i = 0; i < nhosts; i++)
		free(hosts[i].key);
	free(hosts);
	free(st);
	if (multi != NULL)
		curl_multi_cleanup(multi);
}

/* What http_perform's one-request flow keeps. */
struct one {
	const struct http_request *req;
	struct http_response *out;
};

/* The flow of one request: hand it out, then copy the reply. */
static const struct http_request *
one_next(void *arg, const struct http_response *r)
{
	struct one *o = arg;
	size_t i;

	if (r == NULL)
		return o->req;
	*o->out = *r;
	o->out->message = r->message ? xstrdup(r->message) : NULL;
	o->out->body = xmalloc(r->len + 1);
	memcpy(o->out->body, r->body, r->len);
	o->out->body[r->len] = '\0';
	o->out->content_type = r->content_type ? xstrdup(r->content_type) : NULL;
	o->out->url = r->url ? xstrdup(r->url) : NULL;
	o->out->cookies = xcalloc(strlist_len((const char **)r->cookies) + 1, sizeof(char *));
	for (i = 0; r->cookies != NULL && r->cookies[i] != NULL; i++)
		o->out->cookies[i] = xstrdup(r->cookies[i]);
	return NULL;
}

/* One request, with the same rules and retries as http_run_many. */
void
http_perform(struct http_session *s, const struct http_request *req, const struct http_opts *o,
    struct http_response *resp)
{
	struct one one = { req, resp };
	struct http_flow f = { s, one_next, &one };

	memset(resp, 0, sizeof *resp);
	http_run_many(&f, 1, o);
}

/* The message being uploaded, and the server's last reply line. */
struct smtp_upload {
	const char *msg;
	size_t len, off;
	char last[512];    /* the last reply line */
	char refusal[512]; /* the last 4xx or 5xx reply line (curl's QUIT gets a 221 after it) */
};

/* Give libcurl the next part of the message. */
static size_t
smtp_read(char *p, size_t size, size_t nmemb, void *arg)
{
	struct smtp_upload *u = arg;
	size_t n = size * nmemb;

	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(p, u->msg + u->off, n);
	u->off += n;
	return n;
}

/* Keep the server's last reply line (its code and words), for the ledger and people. */
static int
smtp_debug(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
	struct smtp_upload *u = arg;
	size_t n = size;

	(void)h;
	if (type != CURLINFO_HEADER_IN)
		return 0;
	while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == '\r'))
		n--;
	if (n >= sizeof u->last)
		n = sizeof u->last - 1;
	memcpy(u->last, data, n);
	u->last[n] = '\0';
	if (n >= 3 && (data[0] == '4' || data[0] == '5') && isdigit((unsigned char)data[1]) &&
	    isdigit((unsigned char)data[2]))
		memcpy(u->refusal, u->last, n + 1);
	return 0;
}

/* Whether a curl error means nothing of the message can have gone out. */
static int
smtp_before_data(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_USE_SSL_FAILED:
	case CURLE_LOGIN_DENIED:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return 1;
	default:
		return 0;
	}
}

/* Submit one message over SMTP with TLS required and certificates checked. */
void
http_smtp_send(const struct smtp_server *s, const char *from, const char *to, const char *msg,
    size_t len, struct smtp_reply *r)
{
	struct smtp_upload u = { msg, len, 0, "", "" };
	struct curl_slist *rcpt = NULL;
	char errbuf[CURL_ERROR_SIZE] = "", *url, *opts = NULL, *mailfrom, *rcptto;
	CURL *h;
	CURLcode rc = CURLE_OK;
	long code = 0;

	memset(r, 0, sizeof *r);
	/* libcurl starts on first use (commands that never send do not load it). */
	if (http_global_init(&r->text) != 0 || (h = curl_easy_init()) == NULL) {
		r->result = SMTP_REFUSED;
		if (r->text == NULL)
			r->text = xstrdup("cannot create a libcurl handle");
		return;
	}
	/* The path is the EHLO name: the sender's domain, never this machine's name. */
	url = xasprintf("%s://%s:%d/%s", s->tls == SMTP_TLS ? "smtps" : "smtp", s->host, s->port,
	    s->helo != NULL ? s->helo : "localhost");
	mailfrom = xasprintf("<%s>", from);
	rcptto = xasprintf("<%s>", to);
	rcpt = curl_slist_append(NULL, rcptto);
	if (s->mech != NULL)
		opts = xasprintf("AUTH=%s", s->mech);
#define SET(opt, val) \
	do { \
		if (rc == CURLE_OK) \
			rc = curl_easy_setopt(h, opt, val); \
	} while (0)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	SET(CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (s->cacert != NULL)
		SET(CURLOPT_CAINFO, s->cacert);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_CONNECTTIMEOUT_MS, s->timeout_ms > 20000 ? 20000L : s->timeout_ms);
	SET(CURLOPT_TIMEOUT_MS, s->timeout_ms);
	SET(CURLOPT_ERRORBUFFER, errbuf);
	if (s->user != NULL)
		SET(CURLOPT_USERNAME, s->user);
	if (s->password != NULL)
		SET(CURLOPT_PASSWORD, s->password);
	if (s->bearer != NULL)
		SET(CURLOPT_XOAUTH2_BEARER, s->bearer);
	if (opts != NULL)
		SET(CURLOPT_LOGIN_OPTIONS, opts);
	SET(CURLOPT_MAIL_FROM, mailfrom);
	SET(CURLOPT_MAIL_RCPT, rcpt);
	SET(CURLOPT_READFUNCTION, smtp_read);
	SET(CURLOPT_READDATA, &u);
	SET(CURLOPT_UPLOAD, 1L);
	SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	SET(CURLOPT_DEBUGFUNCTION, smtp_debug);
	SET(CURLOPT_DEBUGDATA, &u);
	SET(CURLOPT_VERBOSE, 1L);
#undef SET
	if (rc != CURLE_OK) {
		r->result = SMTP_REFUSED;
		r->text = xasprintf("libcurl refused an SMTP option: %s", curl_easy_strerror(rc));
	} else {
		rc = curl_easy_perform(h);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		r->code = code;
		if (rc == CURLE_OK) {
			r->result = SMTP_SENT;
			r->text = xstrdup(u.last);
		} else if (rc == CURLE_USE_SSL_FAILED) {
			r->result = SMTP_REFUSED;
			r->text = xasprintf("%s:%d does not offer STARTTLS: nothing was sent, and no "
			    "password, in plain text", s->host, s->port);
		} else if (rc == CURLE_LOGIN_DENIED) {
			r->result = SMTP_REFUSED;
			r->text = xasprintf("%s:%d refused the login: %s", s->host, s->port,
			    u.refusal[0] != '\0' ? u.refusal : errbuf);
		} else if (code >= 400 && code < 500) {
			r->result = SMTP_TEMPORARY;
			r->text = xstrdup(u.refusal[0] != '\0' ? u.refusal : errbuf);
		} else if (code >= 500 && code < 600) {
			r->result = SMTP_PERMANENT;
			r->text = xstrdup(u.refusal[0] != '\0' ? u.refusal : errbuf);
		} else if (smtp_before_data(rc)) {
			r->result = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ?
			    SMTP_TEMPORARY : SMTP_REFUSED;
			r->text = xasprintf("%s:%d: %s", s->host, s->port,
			    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
		} else {
			r->result = SMTP_UNCERTAIN;
			r->text = xasprintf("%s:%d: %s", s->host, s->port,
			    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
		}
	}
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);
	free(url);
	free(opts);
	free(mailfrom);
	free(rcptto);
}

/* Free a reply's text. */
void
smtp_reply_free(struct smtp_reply *r)
{
	if (r == NULL)
		return;
	free(r->text);
	memset(r, 0, sizeof *r);
}

/* Collect what an IMAP command returns, up to a cap. */
static size_t
imap_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct flow_state *st = arg;

	return on_body(p, size, nmemb, st);
}

/* Set the options every IMAP transfer shares; returns the first error. */
static CURLcode
imap_setup(CURL *h, const struct imap_server *s, struct flow_state *st)
{
	CURLcode rc = CURLE_OK;

#define SET(opt, val) \
	do { \
		if (rc == CURLE_OK) \
			rc = curl_easy_setopt(h, opt, val); \
	} while (0)
	SET(CURLOPT_PROTOCOLS_STR, "imaps");
	SET(CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (s->cacert != NULL)
		SET(CURLOPT_CAINFO, s->cacert);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_CONNECTTIMEOUT_MS, 20000L);
	SET(CURLOPT_TIMEOUT_MS, s->timeout_ms);
	SET(CURLOPT_ERRORBUFFER, st->errbuf);
	SET(CURLOPT_USERNAME, s->user);
	if (s->password != NULL)
		SET(CURLOPT_PASSWORD, s->password);
	if (s->bearer != NULL) {
		SET(CURLOPT_XOAUTH2_BEARER, s->bearer);
		SET(CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2");
	}
	SET(CURLOPT_WRITEFUNCTION, imap_write);
	SET(CURLOPT_WRITEDATA, st);
#undef SET
	return rc;
}

/* Run one IMAP command on the mailbox; the untagged replies land in st->body. */
static int
imap_command(CURL *h, const struct imap_server *s, const char *url, const char *cmd,
    struct flow_state *st, char **cause)
{
	CURLcode rc;

	buf_free(&st->body);
	buf_init(&st->body);
	st->truncated = 0;
	st->errbuf[0] = '\0';
	if ((rc = imap_setup(h, s, st)) == CURLE_OK &&
	    (rc = curl_easy_setopt(h, CURLOPT_URL, url)) == CURLE_OK &&
	    (rc = curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, cmd)) == CURLE_OK)
		/* NULL: the URL says what to do (fetch a message by UID). */
		rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		*cause = xasprintf("imaps://%s:%d: %s", s->host, s->port,
		    st->truncated ? "a message is larger than the limit" :
		    st->errbuf[0] != '\0' ? st->errbuf : curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

/* The UIDs of a "* SEARCH 1 2 3" answer. */
static unsigned long *
parse_search(const char *answer, size_t *n)
{
	const char *p = strstr(answer, "* SEARCH");
	unsigned long *uids = NULL;

	*n = 0;
	if (p == NULL)
		return NULL;
	p += 8;
	while (*p == ' ') {
		char *end;
		unsigned long u = strtoul(p + 1, &end, 10);

		if (end == p + 1)
			break;
		uids = xreallocarray(uids, *n + 1, sizeof *uids);
		uids[(*n)++] = u;
		p = end;
	}
	return uids;
}

/* Read every message of the mailbox, leaving its flags as they were. */
int
http_imap_fetch_all(const struct imap_server *s0, size_t max, char ***msgs, size_t **lens,
    size_t *n, char **cause)
{
	struct imap_server s = *s0;
	struct flow_state st;
	CURL *h;
	char *url;
	unsigned long *uids = NULL, *unseen = NULL;
	size_t nuids = 0, nunseen = 0, i;
	int rc = -1;

	*msgs = NULL;
	*lens = NULL;
	*n = 0;
	if (s.port == 0)
		s.port = 993;
	if (http_global_init(cause) != 0)
		return -1;
	if ((h = curl_easy_init()) == NULL) {
		*cause = xstrdup("cannot create a libcurl handle");
		return -1;
	}
	memset(&st, 0, sizeof st);
	buf_init(&st.body);
	st.max_body = max + 4096;
	url = xasprintf("imaps://%s:%d/%s", s.host, s.port, s.mailbox);
	if (imap_command(h, &s, url, "UID SEARCH ALL", &st, cause) != 0)
		goto out;
	buf_addc(&st.body, '\0');
	uids = parse_search(st.body.data, &nuids);
	/*
	 * libcurl fetches with BODY[], which marks a message seen, and hands a
	 * custom command's literal to nobody: so remember which were unseen and
	 * clear the flag again afterwards, leaving the mailbox as it was.
	 */
	if (imap_command(h, &s, url, "UID SEARCH UNSEEN", &st, cause) != 0)
		goto out;
	buf_addc(&st.body, '\0');
	unseen = parse_search(st.body.data, &nunseen);
	*msgs = xcalloc(nuids + 1, sizeof **msgs);
	*lens = xcalloc(nuids + 1, sizeof **lens);
	for (i = 0; i < nuids; i++) {
		char *one = xasprintf("%s;UID=%lu", url, uids[i]);

		rc = imap_command(h, &s, one, NULL, &st, cause);
		free(one);
		if (rc != 0)
			goto out;
		rc = -1;
		(*msgs)[*n] = xmalloc(st.body.len + 1);
		memcpy((*msgs)[*n], st.body.data != NULL ? st.body.data : "", st.body.len);
		(*msgs)[*n][st.body.len] = '\0';
		(*lens)[*n] = st.body.len;
		(*n)++;
	}
	for (i = 0; i < nunseen; i++) {
		char cmd[64];

		snprintf(cmd, sizeof cmd, "UID STORE %lu -FLAGS (\\Seen)", unseen[i]);
		if (imap_command(h, &s, url, cmd, &st, cause) != 0)
			goto out;
	}
	rc = 0;
out:
	if (rc != 0) {
		for (i = 0; i < *n; i++)
			free((*msgs)[i]);
		free(*msgs);
		free(*lens);
		*msgs = NULL;
		*lens = NULL;
		*n = 0;
	}
	if (st.body.data != NULL)
		explicit_bzero(st.body.data, st.body.len);
	buf_free(&st.body);
	free(uids);
	free(unseen);
	free(url);
	curl_easy_cleanup(h);
	return rc;
}
