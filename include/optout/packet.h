/*
 * packet: write the request packet for one person -- a PDF letter for each
 * postal procedure, the email for each email procedure, a sheet for each
 * web form or telephone procedure, a cover sheet, one print-ready PDF of
 * all letters, and packet.json.
 *
 * Everything is written into a fresh temporary directory beside the
 * destination and renamed into place at the end, so a failed run leaves
 * nothing half-written.  Files are 0600, directories 0700.
 *
 * Contract: packet_write returns 0 and fills *summary (free with
 * packet_summary_free), or a negative enum packet_status with *cause set:
 * PACKET_CANT_CREATE when the output folder is in the way or cannot be made,
 * PACKET_FAILED otherwise.  The inputs are borrowed.
 */
#ifndef OPTOUT_PACKET_H
#define OPTOUT_PACKET_H

#include <stddef.h>

#include "optout/date.h"
#include "optout/registry.h"

struct agent;
struct buf;
struct correction;
struct laws;
struct ledger;
struct letters;
struct plan_item;
struct profile;

struct packet_opts {
	const struct laws *laws;
	const struct profile *profile;
	const struct agent *agent;
	const struct broker *const *brokers;
	size_t nbrokers;
	const enum request *requests;
	size_t nrequests;
	const char **disclose;
	const struct correction *correction; /* for correct requests */
	date_t today;
	const char *outdir;      /* must not exist, or be an empty directory */
	struct letters *letters; /* shared template cache */
	int duplex;              /* blank pages so each letter starts on a new sheet */
	int replace;             /* replace an earlier packet in outdir (one with packet.json) */
	int authorization;       /* with an agent: write authorization.pdf for the person to sign */
	/*
	 * Sealed packets: with recipients (age1…) or a passphrase, the folder
	 * holds one encrypted archive, packet.tar.age, and nothing in plain
	 * text is ever written to disk.
	 */
	const char *const *seal_to;
	size_t nseal_to;
	const char *seal_passphrase;
	/*
	 * Record each ready request here before its letter is written, so the
	 * letter prints the reference the ledger holds (a request still open
	 * keeps its reference on every re-run); NULL records nothing and every
	 * reference is new.  client is the label it is recorded under.
	 */
	struct ledger *ledger;
	const char *client;
	/*
	 * Called once the packet's files are on disk (flushed), just before the
	 * folder is renamed into place; a failure stops the packet, leaving no
	 * folder.  A batch commits the client's ledger transaction here, so a
	 * packet in place always has its references in the ledger.  NULL: none.
	 */
	int (*before_publish)(void *ctx, char **cause);
	void *publish_ctx;
	const char *language;    /* the person's pages (--lang); NULL: the profile's language */
	/*
	 * In memory (optout serve): when set, outdir is ignored and nothing is
	 * written to disk; the packet is this tar archive (packet.tar.age's
	 * content, encrypted, when sealed), and print_all gets print-all.pdf
	 * too when not NULL.  The caller wipes and frees both.
	 */
	struct buf *to_memory;
	struct buf *print_all;
};

struct packet_summary {
	struct plan_item **items;
	size_t nitems;
	size_t postal, email, web, phone, skipped;
	/* The written records of web forms without a message field, by email or letter: part of
	 * the form's request (counted in web), never requests of their own. */
	size_t web_record_email, web_record_postal;
	size_t recorded, already_recorded; /* with a ledger: new requests, and ones it had */
};

/* Whether a folder holds a finished packet (packet.json or packet.tar.age, written last). */
int packet_exists(const char *dir);
/* What packet_write says, so the command picks its exit status without reading the message. */
enum packet_status { PACKET_OK = 0, PACKET_FAILED = -1, PACKET_CANT_CREATE = -2 };

int packet_write(const struct packet_opts *o, struct packet_summary *summary, char **cause);
void packet_summary_free(struct packet_summary *s);

#endif
