/*
 * batch: packets for many clients from a CSV or JSON client list, each
 * request recorded in the ledger.
 *
 * Each client gets a folder named by its label with its packet and, when
 * an agent files, authorization.pdf to sign.  A client whose folder is
 * already complete is skipped; its requests are still (idempotently)
 * recorded, so a run killed at any point and run again ends with every
 * client done once and no request recorded twice.  A bad row is reported
 * with its line and column and the batch goes on.  Memory does not grow
 * with the number of clients: rows are read one at a time.
 *
 * Contract: batch_run returns 0 (even when some rows were bad: see the
 * summary) or -1 with *cause set when the batch cannot go on (the client
 * list or the output folder is unusable).  The summary's strings are owned
 * by it (batch_summary_free).
 */
#ifndef OPTOUT_BATCH_H
#define OPTOUT_BATCH_H

#include <stddef.h>

#include "optout/date.h"
#include "optout/registry.h"

struct agent;
struct http_opts;
struct laws;
struct ledger;
struct letters;
struct mail_deliver_opts;
struct profile;

struct batch_opts {
	const char *clients;   /* CSV or JSON file */
	const char *outdir;
	const struct laws *laws;
	const struct agent *agent;
	const struct broker *const *brokers;
	size_t nbrokers;
	const enum request *requests;
	size_t nrequests;
	const char **disclose;
	date_t today;
	struct ledger *ledger;
	struct letters *letters;
	const char *datadir;
	const char *language;              /* summary.pdf's language (--lang); NULL: English */
	/*
	 * Sealed packets (batch --encrypt-to/--encrypt-passphrase): each client's
	 * folder holds one encrypted archive, as packet_opts says.
	 */
	const char *const *seal_to;
	size_t nseal_to;
	const char *seal_passphrase;
	int send;                          /* submit the automatic web forms */
	const struct http_opts *http;      /* with send */
	/*
	 * With send: also deliver the email requests (NULL: they stay in the
	 * packets).  An agent's email goes out only with the client's signed
	 * authorization, DIR/<client>/authorization-signed.pdf, attached.
	 */
	const struct mail_deliver_opts *mail;
	/* Called after each client: done so far, total clients (for a progress bar). */
	void (*progress)(void *ctx, size_t done, size_t total);
	void *progress_ctx;
};

struct batch_client {
	char *label;
	char *status;  /* written, done-before, other-seat (another run had it), error */
	size_t ready, postal, email, web, phone, skipped;
	/*
	 * With send: web forms done, awaiting the email link, failed, left to a
	 * person, and in review (sent without a clear answer, now or before).
	 */
	size_t done, awaiting, failed, by_hand, review;
};

struct batch_summary {
	struct batch_client *clients; /* one per good row (labels only: no personal data) */
	size_t nclients;
	char **errors;                /* one message per bad row */
	size_t nerrors;
	size_t written, done_before, recorded, already_recorded;
	size_t other_seat; /* clients another seat's concurrent run took */
	size_t done, awaiting, failed, by_hand, review; /* with send, over all clients */
	/* With mail: emails sent, to retry (4xx, daily limit), failed, held for a signature. */
	size_t mail_sent, mail_later, mail_failed, mail_unsigned;
};

int batch_run(const struct batch_opts *o, struct batch_summary *s, char **cause);

/*
 * Walk a client list (CSV, or a JSON array of profiles): each good row's
 * profile goes to each() (which owns it from then on; a non-zero return
 * stops the walk), each bad row's message to bad() (which owns it).
 */
struct clients_visitor {
	const char *path;
	const char *datadir;
	int send;                          /* submit the automatic web forms */
	const struct http_opts *http;      /* with send */
	int (*each)(void *ctx, struct profile *p, const char *where, char **cause);
	void (*bad)(void *ctx, char *msg);
	void (*progress)(void *ctx, size_t done, size_t total); /* may be NULL */
	void *ctx;
};
int clients_each(const struct clients_visitor *v, char **cause);
/* Write summary.csv and summary.pdf into the output folder. */
int batch_write_summary(const struct batch_opts *o, const struct batch_summary *s, char **cause);
void batch_summary_free(struct batch_summary *s);

#endif
