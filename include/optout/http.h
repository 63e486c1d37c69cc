/*
 * http: the transport module, the only one that sees libcurl: HTTPS
 * requests to brokers' web forms, and the SMTP submission of one message
 * (http_smtp_send; mail-smtp.c decides what to send and records it).
 *
 * SMTP is always encrypted: STARTTLS required (CURLUSESSL_ALL) or implicit
 * TLS, certificates always checked; a server without STARTTLS is refused
 * before any login or message goes out.
 *
 * The rules are fixed here, not by callers: https only, certificate
 * verification always on (a caller may add a CA file, never remove
 * checks), at most HTTP_MAX_REDIRECTS redirects and never to anything but
 * https, connect and total timeouts, reply bodies capped while they are
 * read, one generic User-Agent, retries with exponential backoff on 429
 * and 5xx honouring Retry-After up to a cap (a POST is retried after a
 * 5xx only when the request says it is idempotent: the broker may have
 * acted on the first one), no proxy but the one given (never one from
 * the environment), at most `per_host` transfers
 * to one host at a time and starts to one host spaced `host_interval_ms`
 * apart.  Cookies live in a session (one per person and broker), in
 * memory only, and are never shared between sessions.
 *
 * Test-only switches, read from the environment by http_opts_init and by
 * the URL checks (they cannot reach a real broker):
 *   OPTOUT_TEST_BASE=https://127.0.0.1:PORT   requests to the reserved
 *       host "broker.test" go to 127.0.0.1:PORT instead; the base must be
 *       127.0.0.1, and anything else is refused;
 *   OPTOUT_TEST_ALLOW_HTTP_LOOPBACK=1   plain http is allowed to the host
 *       127.0.0.1 and to no other (redirects stay https only);
 *   OPTOUT_TEST_RETRY_BASE_MS, OPTOUT_TEST_HOST_INTERVAL_MS   shorter
 *       waits, so that tests do not sleep;
 *   OPTOUT_TEST_HTTP_TRACE=FILE   the scheduler's decisions are appended
 *       to FILE, "MS HOST start N" (a transfer started, N to that host now
 *       running) and "MS HOST wait D" (a retry put off by D ms), MS from
 *       the start of the run, so that tests check the per-host rules and
 *       the backoff without timing a server.
 *   OPTOUT_TEST_TIMEOUT_MS   a shorter total timeout per transfer.
 *
 * Contract: http_session_new starts libcurl on first use (http_global_init,
 * idempotent, main thread only), so commands that never go online do not.
 * Functions that can fail return 0 or -1 with an allocated *cause, or
 * NULL with *cause.  A response's strings belong to the response and are
 * freed by http_response_free.  Messages name URLs' hosts and paths only,
 * never query strings or bodies (they may hold personal data).
 */
#ifndef OPTOUT_HTTP_H
#define OPTOUT_HTTP_H

#include <stddef.h>

#define HTTP_MAX_REDIRECTS 5
#define HTTP_USER_AGENT \
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"

struct http_session;

struct http_opts {
	const char *cacert;       /* an extra CA bundle (PEM) instead of the system's, or NULL */
	const char *proxy;        /* socks5h://HOST:PORT (Tor), or NULL */
	long connect_timeout_ms;
	long total_timeout_ms;
	size_t max_body;          /* bytes kept of a reply; more is an error */
	int max_tries;            /* attempts for 429/5xx replies, at least 1 */
	long retry_base_ms;       /* first backoff; doubled each time */
	long retry_cap_ms;        /* longest single wait, Retry-After included */
	long host_interval_ms;    /* least time between two starts to one host */
	int per_host;             /* most transfers at once to one host */
	const char *trace;        /* test-only: OPTOUT_TEST_HTTP_TRACE, or NULL */
};

struct http_request {
	const char *method;        /* "GET" or "POST" */
	const char *url;
	const char *content_type;  /* POST only */
	const char *body;          /* POST only; not copied: valid until the reply */
	size_t body_len;
	const char *const *headers; /* extra "Name: value" lines, NULL-terminated, or NULL */
	const char *referer;       /* or NULL */
	int idempotent;            /* POST only: the form is documented as safe to repeat */
};

enum http_error {
	HTTP_OK,      /* a reply arrived (whatever its status) */
	HTTP_REFUSED, /* our rules stopped it: not https, a redirect to http, too many redirects */
	HTTP_TLS,     /* the certificate or the TLS handshake failed */
	HTTP_TOO_BIG, /* the reply was longer than max_body (body holds the first part) */
	HTTP_TIMEOUT,
	HTTP_NETWORK, /* could not connect, resolve, or the connection broke */
};

struct http_response {
	enum http_error error;
	char *message;        /* what went wrong, for people; NULL when error is HTTP_OK */
	long status;          /* HTTP status, 0 when no reply */
	char *body;           /* NUL-terminated; may hold NUL bytes before len */
	size_t len;
	char *content_type;   /* or NULL */
	char *url;            /* the URL finally reached (after redirects) */
	char **cookies; /* the session's cookies after the reply: "name=value", NULL-terminated */
	int sent;             /* the request may have left the machine (0: it surely did not) */
	int tries;            /* attempts made */
	long waited_ms;       /* time spent waiting between attempts */
};

/* One flow of requests (one person at one broker) for http_run_many. */
struct http_flow {
	struct http_session *session;
	/*
	 * Called with NULL first, then with the reply to each request (valid
	 * only during the call); returns the next request, or NULL when the
	 * flow has ended.  The request must stay valid until the next call.
	 */
	const struct http_request *(*next)(void *arg, const struct http_response *resp);
	void *arg;
};

int http_global_init(char **cause);
void http_global_cleanup(void);

/* Defaults, with the test-only environment overrides. */
void http_opts_init(struct http_opts *o);
/* A session: one cookie jar, one connection cache; never shared between people. */
struct http_session *http_session_new(const struct http_opts *o, char **cause);
void http_session_free(struct http_session *s);

/*
 * Run flows concurrently through one curl multi handle, within the
 * per-host limits.  Each flow's requests run one after another, retried
 * on 429 and 5xx (a POST on 5xx only if idempotent); every outcome, error or not, goes to the flow's next().
 */
void http_run_many(struct http_flow *flows, size_t n, const struct http_opts *o);
/* One request on its own (a flow of one). */
void http_perform(struct http_session *s, const struct http_request *req,
    const struct http_opts *o, struct http_response *resp);
void http_response_free(struct http_response *r);

/* Whether a URL may be requested: https, or the test-only loopback http. */
int http_url_check(const char *url, char **cause);
/* Resolve a reference (an href or a form action) against a base URL. */
char *http_url_resolve(const char *base, const char *ref, char **cause);
/* The URL without query and fragment, for messages and traces. */
char *http_url_display(const char *url);
/* The URL a request really goes to (the test-only broker.test rewrite), or NULL with *cause. */
char *http_url_effective(const char *url, char **cause);
/*
 * How long to wait before attempt `tries + 1` after a 429/5xx reply:
 * Retry-After when the server gave one (retry_after_s >= 0), else
 * base * 2^(tries-1); capped at retry_cap_ms.
 */
long http_backoff_ms(const struct http_opts *o, int tries, long retry_after_s);

/* How an SMTP connection is encrypted: never in plain text. */
enum smtp_tls {
	SMTP_STARTTLS, /* submission (587): STARTTLS is required before anything else */
	SMTP_TLS,      /* implicit TLS (465): smtps */
};

/* An SMTP submission server and how to log in to it. */
struct smtp_server {
	const char *host;
	int port;
	enum smtp_tls tls;
	const char *user;     /* or NULL: no login */
	const char *password; /* AUTH PLAIN/LOGIN, or NULL */
	const char *bearer;   /* an OAuth 2 token for AUTH XOAUTH2, or NULL */
	const char *mech;     /* "PLAIN", "LOGIN", "XOAUTH2", or NULL for the best offered */
	const char *cacert;   /* an extra CA bundle (PEM) instead of the system's, or NULL */
	const char *helo;     /* the name said in EHLO (the sender's domain, not this machine's) */
	long timeout_ms;
};

/* What became of one message. */
enum smtp_result {
	SMTP_SENT,      /* the server accepted it (250 after DATA) */
	SMTP_TEMPORARY, /* refused with 4xx, or the server could not be reached: not sent */
	SMTP_PERMANENT, /* refused with 5xx: not sent */
	SMTP_REFUSED,   /* our rules or the login stopped it before the message: not sent */
	SMTP_UNCERTAIN, /* the connection broke while the message was going out: maybe sent */
};

struct smtp_reply {
	enum smtp_result result;
	long code;   /* the server's last reply code, 0 when none */
	char *text;  /* the server's last reply line, or what went wrong; allocated */
};

/*
 * Send one message (CRLF line ends) from `from` to `to` through the
 * server.  The reply's text may quote the addresses; the caller decides
 * what of it to keep.
 */
void http_smtp_send(const struct smtp_server *s, const char *from, const char *to,
    const char *msg, size_t len, struct smtp_reply *r);
void smtp_reply_free(struct smtp_reply *r);

/* An IMAP server (implicit TLS, imaps) and how to log in to it. */
struct imap_server {
	const char *host;
	int port;             /* 993 when 0 */
	const char *user;
	const char *password; /* or NULL */
	const char *bearer;   /* an OAuth 2 token for XOAUTH2, or NULL */
	const char *cacert;   /* an extra CA bundle (PEM), or NULL */
	const char *mailbox;  /* "INBOX" */
	long timeout_ms;
};

/*
 * Every message of the mailbox, with the \Seen flags left as they were
 * (libcurl's fetch sets it; it is cleared again), at most max bytes each: *msgs and *lens are allocated arrays of *n.
 * Returns 0, or -1 with *cause.
 */
int http_imap_fetch_all(const struct imap_server *s, size_t max, char ***msgs, size_t **lens,
    size_t *n, char **cause);

#endif
