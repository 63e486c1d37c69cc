/*
 * inbox: read a broker's reply (an RFC 5322 message, MIME), find the
 * request it answers and say what it means.  It knows nothing of where
 * the message came from (IMAP, a Maildir, an mbox): callers hand it bytes.
 *
 * Parsing is defensive: headers are unfolded and RFC 2047 decoded, MIME
 * parts nested at most INBOX_MAX_DEPTH deep and INBOX_MAX_PARTS in all,
 * base64 and quoted-printable bodies decoded, ISO-8859-1/Windows-1252
 * text turned into UTF-8 and invalid UTF-8 replaced.  A delivery report
 * (bounce) gives the returned message's Message-ID, recipient and status.
 *
 * Classification looks for phrases (English and Spanish) in the subject and
 * text, in this order: bounced, completed, denied, verification needed,
 * more information requested, acknowledged, automatic reply, unknown.  A
 * verification link is given only when it is https on one of the broker's
 * own domains; any other is withheld (and said so).
 *
 * inbox_handle does the rest for one message: it matches it to a request
 * in the ledger (In-Reply-To/References, the reference, or else the one
 * open request of the sender's domain), and unless a dry run keeps it as
 * evidence (0600) under evidence_dir, records it in the ledger with the
 * state its class brings, and notes a bounced broker address in
 * failing-addresses.tsv beside the evidence folder.  A reply is read once:
 * its Message-ID (or a digest) is its key in the ledger.
 *
 * Contract: reply_parse returns a struct reply owned by the caller
 * (reply_free accepts NULL), or NULL with *cause when the bytes are not a
 * message at all.  Strings in a verdict belong to it (reply_verdict_clear).
 */
#ifndef OPTOUT_INBOX_H
#define OPTOUT_INBOX_H

#include <stddef.h>

#include "optout/ledger.h"

#define INBOX_MAX_DEPTH 8
#define INBOX_MAX_PARTS 64
#define INBOX_MAX_MESSAGE ((size_t)16 << 20)

enum reply_class {
	RC_ACKNOWLEDGED,
	RC_VERIFICATION,
	RC_MORE_INFO,
	RC_DENIED,
	RC_COMPLETED,
	RC_BOUNCED,
	RC_AUTO_REPLY,
	RC_UNKNOWN,
	RC_COUNT
};

struct reply {
	char *from_addr;     /* lower case, or NULL */
	char *subject;       /* decoded UTF-8 ("" when none) */
	char *message_id;    /* without <>, or NULL */
	char **refs;         /* In-Reply-To, References and a returned message's Message-ID */
	char *text;          /* the text, decoded to UTF-8 ("" when none) */
	char **links;        /* https links found in the text and HTML, NULL-terminated */
	int auto_submitted;  /* Auto-Submitted (not "no"), X-Autoreply, Precedence: auto_reply */
	int report;          /* a delivery status report (bounce) */
	char *dsn_status;    /* the report's Status ("5.1.1"), or NULL */
	char *dsn_recipient; /* the report's Final-Recipient address, or NULL */
};

struct reply_verdict {
	enum reply_class cls;
	char *quote;      /* the sentence that decided it (a denial's reason), or NULL */
	char *link;       /* the verification link on the broker's domain, or NULL */
	int link_withheld; /* a link on another domain was not given */
};

struct reply *reply_parse(const char *raw, size_t len, char **cause);
void reply_free(struct reply *r);
const char *reply_class_name(enum reply_class c);
/*
 * The request reference the reply names (OPT-XXXX-XXXX) into out: from
 * In-Reply-To/References (our Message-IDs), then the subject, then the
 * text.  Returns 1 when found, 0 when not.
 */
int reply_reference(const struct reply *r, char out[16]);
/* Whether a host is one of the domains or under one of them. */
int inbox_host_matches(const char *host, const char *const *domains);
/* The domain of an email address (borrowed, after the @), or NULL. */
const char *inbox_addr_domain(const char *addr);
/* Classify a reply; domains are the broker's own (NULL-terminated), for the link. */
void reply_classify(const struct reply *r, const char *const *domains, struct reply_verdict *v);
void reply_verdict_clear(struct reply_verdict *v);

/* What inbox_handle works with. */
struct inbox_opts {
	struct ledger *ledger;
	const struct registry *reg;
	const struct laws *laws;
	const char *evidence_dir; /* $XDG_DATA_HOME/optout/evidence or beside the ledger */
	int dry_run;
};

enum inbox_outcome {
	IO_MATCHED,    /* matched to a request: the rest of the result is filled */
	IO_UNMATCHED,  /* no request: left alone, recorded so later runs count it as seen */
	IO_SEEN,       /* read by an earlier run */
	IO_UNREADABLE, /* not a message (problem says why) */
};

struct inbox_result {
	enum inbox_outcome outcome;
	struct reply *reply;           /* NULL when unreadable */
	struct reply_verdict verdict;
	struct ledger_request *request; /* as it was before this reply (matched only) */
	enum ledger_state to;          /* the state the class brings, or LS_COUNT */
	int changed;                   /* the ledger moved to `to` */
	char *evidence;                /* the file the reply is kept in, or NULL */
	char *failing;                 /* the broker address noted as failing, or NULL */
	char *problem;                 /* what went wrong that did not stop the run, or NULL */
};

/*
 * Handle one message.  Returns 0 (the outcome says what happened) or -1
 * with *cause when the ledger cannot be read or written.
 */
int inbox_handle(const struct inbox_opts *o, const char *raw, size_t len,
    struct inbox_result *res, char **cause);
void inbox_result_clear(struct inbox_result *res);

#endif
