/*
 * ledger: every request, its state, its legal deadline and its history, in
 * an SQLite file, or for a clinic's seats in one PostgreSQL database named by
 * a postgresql:// URL (--ledger, OPTOUT_LEDGER).  The two backends
 * (ledger-sqlite.c, ledger-pg.c) are the only files that see SQLite or
 * libpq; the semantics below hold for both.
 *
 * Where: $XDG_DATA_HOME/optout/ledger.db (default ~/.local/share/optout/),
 * or a path the caller gives (--ledger FILE).  Directories are created 0700
 * and the file 0600; SQLite gives its -wal and -shm files the same mode.
 *
 * What it holds: an opaque client label (as in a profile's "label", e.g.
 * "client-0042") with a keyed fingerprint of its person (below), the broker,
 * procedure and law ids, the request type and channel, states, dates
 * (including the day the deadline is counted from and why, and a confirmed
 * delivery), an email's Message-ID or a mail tracking number, notes the
 * user types (private: never printed in a letter) and, with a refusal, the
 * broker's own words (quoted in appeals and complaints).  Never a name,
 * address, email address, date of
 * birth or identifier: ledger_record refuses a client label that is not a
 * plain label, and nothing else about the person is ever passed in.
 *
 * One label, one person (table clients, schema 3).  Two people under one
 * label would share one history: the second person's requests would count
 * as "already recorded", and a follow-up could cite the first person's law.
 * Telling people apart needs something about them, but the ledger must hold
 * nothing personal, so each label keeps a fingerprint: 64 bits of BLAKE2b,
 * keyed, over the folded name and the state or country of residence (what
 * decides the law).  The key is a file beside the ledger (LEDGER.key, 0600),
 * never in it: with the ledger alone nobody can test a guessed name against
 * a fingerprint, and 64 bits make an accidental match between two people
 * negligible.  key_id (a fingerprint of the key itself) tells a fingerprint
 * made under a lost, replaced key, which is then made afresh rather than
 * refusing every client.  The fingerprints are made by client.c.
 *
 * Durability: WAL with synchronous=FULL; every change is one BEGIN
 * IMMEDIATE transaction with its event, unless the caller opened one of its
 * own (ledger_begin): then the changes join it, each as a savepoint (a
 * call that fails undoes only its own part), and reach the disk together
 * at ledger_commit -- a batch records a client's requests so, in one
 * commit instead of one per request.  Before any network I/O the caller
 * commits the "sending" state (ledger_begin_send); a request still in
 * "sending" when nobody is using the ledger was interrupted by a crash, and
 * ledger_recover turns it into "needs-review" so it is never resent
 * blindly.  A person then checks and marks it sent or failed.
 *
 * Contract: functions return 0 on success or -1 with *cause set to an
 * allocated message the caller frees (messages name the file, the request
 * reference and what was expected, never personal data).  ledger_open
 * returns a struct ledger owned by the caller (ledger_close accepts NULL).
 * Structures filled by ledger_get/ledger_list/ledger_events are owned by
 * the caller and freed with their _free function (NULL is fine).  Strings
 * in struct ledger_entry are borrowed for the duration of the call.
 */
#ifndef OPTOUT_LEDGER_H
#define OPTOUT_LEDGER_H

#include <stddef.h>

#include "optout/date.h"
#include "optout/laws.h"
#include "optout/registry.h"

struct plan_item;

/* The schema version this code writes (SQLite: PRAGMA user_version; PostgreSQL: optout_schema). */
#define LEDGER_SCHEMA_VERSION 8

enum ledger_state {
	LS_PLANNED,      /* recorded, nothing sent yet */
	LS_SENDING,      /* committed just before the network I/O */
	LS_SENT,         /* an email or web form went out */
	LS_MAILED,       /* a letter was posted (the person says so) */
	LS_ACKNOWLEDGED, /* the broker confirmed receipt */
	LS_EXTENDED,     /* the broker gave notice of an extension in time */
	LS_COMPLETED,    /* the broker did what was asked (closed) */
	LS_DENIED,       /* the broker refused (closed) */
	LS_NEEDS_REVIEW, /* interrupted, or sent without a clear answer: a person must check */
	LS_FAILED,       /* sending failed; may be retried */
	LS_COUNT
};

/* What the deadline is counted from. */
enum ledger_clock {
	LC_SENT,     /* the day an email or web form went out (it arrives that day) */
	LC_TRANSIT,  /* a letter's mailing day plus the mail-transit allowance */
	LC_RECEIVED, /* the day the broker received it (mark ... delivered) */
};

/* What ledger_record writes: the plan of one request. */
struct ledger_entry {
	const char *reference;  /* "OPT-XXXX-XXXX", the plan item's reference */
	const char *client;     /* opaque label: [A-Za-z0-9][A-Za-z0-9._-]*, at most 64 */
	const char *broker;     /* broker id */
	const char *procedure;  /* procedure id */
	enum request request;
	const char *law;        /* law id ("none" for a courtesy request) */
	enum channel channel;
	date_t created;         /* the day it was planned; 0 = today */
	int deadline_days;      /* the first period, counted from sending */
	enum day_unit deadline_unit;
	int extension_days;     /* 0 when the law allows none */
	enum day_unit extension_unit;
	const char *basis;      /* "fcra" or "privacy" for a CRA pair's halves; NULL otherwise */
};

/* A filing with California's DROP (schema 7): who filed, under which law, when. */
struct ledger_drop {
	char *client;
	char *law;
	date_t filed;
};

/* One request as stored.  Dates are 0 when not set. */
struct ledger_request {
	long long id;
	char *reference, *client, *broker, *procedure, *law;
	enum request request;
	enum channel channel;
	enum ledger_state state;
	date_t created, sent, due, extended_due, closed;
	int deadline_days;
	enum day_unit deadline_unit;
	int extension_days;
	enum day_unit extension_unit;
	char *message_id; /* NULL when none */
	char *tracking;   /* NULL when none */
	date_t received;  /* the confirmed delivery, 0 when not recorded */
	date_t clock_start; /* the day the deadline is counted from, 0 before sending */
	enum ledger_clock clock_basis;
	date_t appeal_due; /* the answer to an appeal is due, 0 when none was made */
};

/* One event in a request's history. */
struct ledger_event {
	char *at;   /* when it was written: YYYY-MM-DDTHH:MM:SSZ (UTC) */
	char *kind; /* a state name */
	date_t day; /* the day it took effect (0 when not known) */
	char *note; /* the person's own note, never sent to anyone; NULL when none */
	char *reason; /* the broker's words (with "denied"), quoted in a complaint; NULL */
	char *actor;  /* the seat that made it (OPTOUT_SEAT, database user or login); NULL before 6 */
};

/* Which requests ledger_list returns. */
struct ledger_filter {
	const char *client; /* only this client's, or NULL for all */
	date_t overdue_on;  /* only those awaiting an answer past due on this day; 0 = all */
	const char *by;     /* only those with an event made by this seat, or NULL */
};

struct ledger;

/*
 * The default ledger (allocated): $OPTOUT_LEDGER, else the config file's
 * `ledger = ...` (settings.h), else $XDG_DATA_HOME/optout/ledger.db.
 */
char *ledger_default_path(char **cause);
/* Whether a ledger name is a database URL (postgresql://...) rather than a file. */
int ledger_is_url(const char *s);
/*
 * Open (creating if need be) the ledger at path, or at the default path
 * when path is NULL, and bring its schema up to date.  A file written by a
 * newer optout is refused with a message naming both versions.
 */
struct ledger *ledger_open(const char *path, char **cause);
void ledger_close(struct ledger *l);
/* The path the ledger was opened at, or its URL without a password (borrowed). */
const char *ledger_path(const struct ledger *l);
/*
 * A local path the ledger's companion files are named after (PATH.key,
 * evidence/ beside it): the file itself, or for a database
 * $XDG_DATA_HOME/optout/postgresql-HOST-PORT-DB (borrowed).
 */
const char *ledger_files_base(const struct ledger *l);
/*
 * Take a client (by label) for this run, so that a concurrent run on another
 * seat passes over it: *mine is 0 when another run holds it.  Held until
 * ledger_close.  With an SQLite file every client is taken.
 */
int ledger_claim_work(struct ledger *l, const char *label, int *mine, char **cause);
/* The ledger's schema version, or -1 on error. */
int ledger_schema_version(struct ledger *l);

/*
 * The caller's transaction: from ledger_begin to ledger_commit (or
 * ledger_rollback) every call that writes joins it and nothing reaches the
 * disk before the commit, which is one flush.  It holds the write lock (on
 * PostgreSQL, the seats' write lock) until it ends, so keep it to one
 * client's work.  What must be durable before the network is touched
 * (ledger_begin_send, ledger_begin_mail, ledger_begin_followup_mail) and
 * ledger_recover and ledger_forget_client are refused inside it.
 * ledger_commit ends the transaction even when it fails (rolled back);
 * ledger_rollback does nothing when none is open.
 */
int ledger_begin(struct ledger *l, char **cause);
int ledger_commit(struct ledger *l, char **cause);
void ledger_rollback(struct ledger *l);
/* Whether a transaction of ledger_begin is open. */
int ledger_in_transaction(const struct ledger *l);

const char *ledger_state_name(enum ledger_state s);
int ledger_state_parse(const char *s, enum ledger_state *out);
/* Whether the request is closed (completed or denied). */
int ledger_state_closed(enum ledger_state s);
/* Whether the request is awaiting the broker, so a due date runs. */
int ledger_state_awaiting(enum ledger_state s);

/*
 * Record that a client filed a deletion request through DROP (laws.json
 * "drop" of law) on day `filed`.  client NULL means the ledger's only
 * client; with none or several it is an error asking for one.  *used
 * (may be NULL) receives the label recorded, allocated.
 */
int ledger_record_drop(struct ledger *l, const char *client, const char *law, date_t filed,
    char **used, char **cause);
/* Each client's first DROP filing (all clients when client is NULL), by client. */
int ledger_drops(struct ledger *l, const char *client, struct ledger_drop **out, size_t *n,
    char **cause);
void ledger_drops_free(struct ledger_drop *d, size_t n);

/* Fill an entry from a plan item that has a procedure (borrows its strings). */
void ledger_entry_from_plan(struct ledger_entry *e, const struct plan_item *it,
    const char *client);
/*
 * Record a planned request with a "planned" event, idempotently.  If the
 * reference is already there, or the same client already has an open
 * (not completed or denied) request of this type to this broker, nothing is
 * written: *existed is set to 1 and *id and *state (may be NULL) describe
 * the existing request, so a re-run skips work already done.  A reference
 * already used by another client, broker or request type is an error.
 */
/*
 * Whether the ledger tracks requests of this type.  Its requests table admits
 * access, delete, opt-out and correct only; a security freeze is not tracked
 * (the person keeps the agency's confirmation and PIN, never optout).
 */
int ledger_tracks(enum request r);
int ledger_record(struct ledger *l, const struct ledger_entry *e, long long *id, int *existed,
    enum ledger_state *state, char **cause);
/*
 * ledger_record for a plan item that has a procedure, and the reference
 * that goes with it: when the client already has an open request of this
 * type to this broker, it->reference becomes that request's recorded
 * reference (so a re-run, even on a later day, prints what the ledger
 * knows); otherwise the item's random reference is recorded, after
 * drawing a new one if it is already used by another request.
 */
int ledger_record_plan(struct ledger *l, struct plan_item *it, const char *client, long long *id,
    int *existed, enum ledger_state *state, char **cause);
/*
 * One label, one person.  The ledger keeps for each client label a
 * fingerprint of the person it was first used for and the id of the key
 * that made it (both 16 hex digits, made by the caller: see client.h).  A
 * label seen for the first time, or whose fingerprint was made under
 * another key, is tied to this fingerprint; one tied to a different
 * fingerprint sets *other to 1 and changes nothing.
 */
int ledger_claim_client(struct ledger *l, const char *label, const char *fingerprint,
    const char *key_id, int *other, char **cause);
/*
 * Without writing anything: when the client has an open request of this
 * type to this broker, it->reference becomes its recorded reference.
 */
int ledger_reuse_reference(struct ledger *l, struct plan_item *it, const char *client,
    char **cause);
/*
 * planned or failed -> sending, committed to disk before the caller does
 * any network I/O.  Any other state is refused: the request was sent, or
 * may have been.
 */
int ledger_begin_send(struct ledger *l, long long id, char **cause);
/*
 * sending -> sent (ok; message_id may be NULL; due counted from sent_on in
 * the law's unit, business days skipping laws' holidays) or -> failed
 * (!ok; note says why, without personal data).  sent_on 0 means today.
 * laws (for the holidays) must not be NULL, here and in ledger_mark.
 */
int ledger_finish_send(struct ledger *l, long long id, int ok, const char *message_id,
    date_t sent_on, const struct laws *laws, const char *note, char **cause);
/*
 * sending -> needs-review: the request may have reached the broker but no
 * clear answer came back, so it must not be sent again until a person has
 * checked and marked it sent or failed.
 */
int ledger_finish_review(struct ledger *l, long long id, const char *note, char **cause);
/*
 * A person's update of a request named by reference or numeric id, taking
 * effect on day `on`.  Legal transitions only:
 *   planned, failed, needs-review  -> mailed or sent (the person posted the letter,
 *                                     sent the email or filled in the form; due
 *                                     counted from `on`)
 *   needs-review                   -> failed
 *   sent, mailed                   -> acknowledged, extended, completed, denied
 *   acknowledged                   -> extended, completed, denied
 *   extended                       -> completed, denied
 * "extended" also needs a law that allows an extension and notice given by
 * the end of the first period; it sets extended_due = due + the extension.
 * tracking and note may be NULL.  *after (may be NULL) receives the
 * request as updated.
 */
int ledger_mark(struct ledger *l, const char *ref_or_id, enum ledger_state to,
    const char *tracking, const char *note, const char *reason, date_t on,
    const struct laws *laws, struct ledger_request **after, char **cause);
/*
 * The broker received a request that awaits its answer on day `on` (a
 * certified-mail return receipt, a carrier's tracking): the deadline is
 * counted again from that day, replacing the mail-transit estimate.
 * Recorded once; tracking may be NULL.
 */
int ledger_mark_delivered(struct ledger *l, const char *ref_or_id, const char *tracking,
    date_t on, const struct laws *laws, struct ledger_request **after, char **cause);
/* "sent", "transit", "received". */
const char *ledger_clock_name(enum ledger_clock c);
/*
 * Turn every "sending" request into "needs-review" with an event, unless
 * another process has the ledger open (it may be sending right now): then
 * nothing changes and *deferred is 1.  *n receives how many were turned.
 * A follow-up's email left sending becomes uncertain (not counted in *n).
 */
int ledger_recover(struct ledger *l, size_t *n, int *deferred, char **cause);

/* What the server said to one email attempt. */
enum ledger_mail_outcome {
	LM_SENDING,   /* no answer recorded yet (or a crash) */
	LM_SENT,      /* accepted: the request is sent */
	LM_TEMPORARY, /* 4xx or unreachable: failed, to retry later */
	LM_PERMANENT, /* 5xx: failed; not retried without a person's say-so */
	LM_REFUSED,   /* stopped before the message (no TLS, login refused): failed */
	LM_UNCERTAIN, /* the connection broke mid-message: stays sending, then needs-review */
};
/*
 * planned or failed -> sending, together with the email attempt (account
 * label, Message-ID, today), in one commit before any network I/O.
 */
int ledger_begin_mail(struct ledger *l, long long id, const char *account,
    const char *message_id, char **cause);
/*
 * The server's answer to the attempt begun with message_id: sent (due
 * counted from today, the Message-ID kept), failed with the reply as the
 * event's note, or (uncertain) left sending for a person to review.
 */
int ledger_finish_mail(struct ledger *l, long long id, const char *message_id,
    enum ledger_mail_outcome outcome, const char *reply, const struct laws *laws, char **cause);
/* A request's email attempts so far (0 when none) and the last one's outcome. */
int ledger_mail_last(struct ledger *l, long long id, int *attempts,
    enum ledger_mail_outcome *last, char **cause);
/* How many emails an account handed to its server on a day. */
int ledger_mail_count(struct ledger *l, const char *account, date_t day, int *n, char **cause);
/* Whether a reply (its Message-ID or digest, `key`) was recorded before. */
int ledger_reply_seen(struct ledger *l, const char *key, int *seen, char **cause);
/* Record that a reply (by its key) matched no request: later runs count it as read before. */
int ledger_add_unmatched_reply(struct ledger *l, const char *key, date_t on, char **cause);
/*
 * Record a broker's reply (kind: acknowledged, verification, more-info,
 * denied, completed, bounced, auto-reply, unknown; evidence: the file it is
 * kept in) to the request `ref`, and move the request to `to` on day `on`
 * when the rules of ledger_mark allow it (LS_COUNT: no change; LS_FAILED:
 * a bounce of a sent email).  *changed says whether the state moved.
 */
int ledger_add_reply(struct ledger *l, const char *ref, const char *key, const char *kind,
    const char *evidence, enum ledger_state to, const char *note, date_t on,
    const struct laws *laws, int *changed, char **cause);

/* What a person did about a request, besides changing its state. */
enum ledger_action {
	LA_FOLLOWUP,  /* a follow-up letter was written */
	LA_COMPLAINT, /* a complaint to the regulator was written */
	LA_APPEAL,    /* an appeal to the business was written */
};
const char *ledger_action_name(enum ledger_action a);
/* Add an action to a request's history (the state does not change). */
int ledger_record_action(struct ledger *l, long long id, enum ledger_action a, date_t on,
    const char *note, char **cause);
/* Record an appeal letter written on `on` whose answer is due by `due`. */
int ledger_record_appeal(struct ledger *l, long long id, date_t on, date_t due, char **cause);
/*
 * The emails of a follow-up or appeal (a: LA_FOLLOWUP or LA_APPEAL) to an
 * already sent request: how many attempts, the last one's outcome, and its
 * Message-ID (allocated, or NULL when none).
 */
int ledger_followup_mail_last(struct ledger *l, long long id, enum ledger_action a, int *attempts,
    enum ledger_mail_outcome *last, char **message_id, char **cause);
/*
 * A follow-up's or appeal's email attempt as sending, committed before any
 * network I/O; the request's own state does not change.  An attempt a crash
 * leaves sending becomes uncertain in ledger_recover, and is not sent again
 * blindly.
 */
int ledger_begin_followup_mail(struct ledger *l, long long id, enum ledger_action a, const char *account,
    const char *message_id, char **cause);
/* The server's answer to a follow-up's email attempt. */
int ledger_finish_followup_mail(struct ledger *l, long long id, const char *message_id,
    enum ledger_mail_outcome outcome, const char *reply, char **cause);

/* The day of the request's latest action of this kind into *on (0 when none). */
int ledger_last_action(struct ledger *l, long long id, enum ledger_action a, date_t *on,
    char **cause);

/* One request by reference (any case) or numeric id. */
int ledger_get(struct ledger *l, const char *ref_or_id, struct ledger_request **out,
    char **cause);
/*
 * Requests matching the filter (NULL for all), earliest due date first
 * (those without one last), into a NULL-terminated array.
 */
int ledger_list(struct ledger *l, const struct ledger_filter *f, struct ledger_request ***out,
    size_t *n, char **cause);
/* A request's events, oldest first. */
int ledger_events(struct ledger *l, long long id, struct ledger_event **out, size_t *n,
    char **cause);
void ledger_request_free(struct ledger_request *r);
void ledger_list_free(struct ledger_request **list);
void ledger_events_free(struct ledger_event *ev, size_t n);
/* The due date that applies now: the extended one if any. */
date_t ledger_effective_due(const struct ledger_request *r);

/*
 * Check the file and the ledger's rules: SQLite's integrity and foreign
 * key checks, one "planned" event per request and no request sent or
 * mailed twice, the state equal to the last event, the dates each state
 * needs, and no two open requests for the same client, broker and type.
 * On failure *cause lists the problems, one per line.
 */
int ledger_check(struct ledger *l, char **cause);

/*
 * Copy every row of `from` into `to` (optout ledger migrate: an SQLite file
 * into a clinic's PostgreSQL), ids and all, in one transaction.  Rows already
 * there are left alone, so a second run copies nothing; a request whose id is
 * taken by another request is an error.  *copied and *present count rows.
 */
int ledger_copy(struct ledger *from, struct ledger *to, size_t *copied, size_t *present,
    char **cause);

/*
 * Forget a client (optout shred): its requests, events, email attempts,
 * replies and fingerprint, securely deleted.  *refs gets the references
 * and *evidence the reply files recorded (both NULL-terminated, freed with
 * str_list_free) for the caller to remove.
 */
int ledger_forget_client(struct ledger *l, const char *label, char ***refs, char ***evidence,
    char **cause);

#endif
