/*
 * serve: the kiosk, a local web page that walks a person through making
 * their request packet (optout serve).  The only module that sees
 * libmicrohttpd.
 *
 * One step per page -- who you are, where you live, which brokers, what
 * will be sent, the packet -- rendered from letters/kiosk/ templates with
 * the program's message catalogue, in English or Spanish.  A person's
 * answers live in memory, in their session only: the session is wiped
 * (sodium-style zeroing) when they finish, when they press "start over",
 * or after SERVE_IDLE_SECONDS without a request.  Nothing personal is
 * written to disk or logged; the packet is built in memory and downloaded.
 *
 * Every response carries a strict Content-Security-Policy and no-store;
 * every form carries the session's CSRF token; request bodies are bounded.
 *
 * Test hooks (environment): OPTOUT_TEST_CLOCK_FILE=FILE, the clock in
 * seconds read from FILE at each use (so the idle wipe is tested without
 * waiting); OPTOUT_TEST_SERVE_TRACE=FILE, the server's decisions about
 * sessions appended one per line (never an identifier or a value).
 *
 * Contract: serve_run returns a status; *cause is set (allocated) unless
 * SERVE_OK.  It returns when SIGINT or SIGTERM arrives.
 */
#ifndef OPTOUT_SERVE_H
#define OPTOUT_SERVE_H

#define SERVE_IDLE_SECONDS 600

enum serve_status {
	SERVE_OK,
	SERVE_BAD_DATA,  /* the registry, laws or templates could not be loaded */
	SERVE_CANNOT_LISTEN,
	SERVE_UNAVAILABLE, /* libmicrohttpd could not be loaded */
};

struct serve_opts {
	const char *listen;   /* an IPv4 address; "127.0.0.1" by default */
	unsigned port;        /* 0: a free port, chosen by the system */
	/* Told the page's address once it listens (the command prints it). */
	void (*ready)(const char *url, void *ctx);
	void *ready_ctx;
	/*
	 * Staff mode (a clinic filing as authorized agent): with agent_path the
	 * packets are written as that agent, with the authorization form for the
	 * person to sign, and each request is recorded in the clinic's ledger
	 * (ledger_path, NULL: the default) under a random label that says
	 * nothing about the person.  The answers themselves stay ephemeral.
	 */
	const char *agent_path;
	const char *ledger_path;
};

enum serve_status serve_run(const struct serve_opts *o, char **cause);

#endif
