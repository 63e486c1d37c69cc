/*
 * mail-smtp: deliver request emails -- through an SMTP account (over the
 * transport module, TLS always) or a local sendmail-compatible command --
 * recording each in the ledger so that nothing is sent twice blindly.
 *
 * Accounts live in $XDG_CONFIG_HOME/optout/config (read by settings.h's
 * parser, which also gives the file's own `ledger = ...` line):
 *
 *     # lines starting with # are comments
 *     [account clinic]
 *     host = smtp.example.org
 *     port = 587
 *     user = intake@clinic.example
 *     from = intake@clinic.example
 *     auth = plain
 *     password_command = pass show clinic/smtp
 *     daily_limit = 100
 *     spacing = 30
 *
 * port 587 requires STARTTLS, 465 (or tls = implicit) is implicit TLS;
 * auth is plain, login or xoauth2 (with token_command instead of
 * password_command); daily_limit defaults to 50 messages, spacing to 20
 * seconds between two messages.  imap_host, imap_port (993) and imap_user
 * (default: user) let optout inbox read replies over IMAP with TLS, with
 * the same password or token command.
 *
 * A password is never read from the file or the command line: the
 * command prints it (a password manager, or `cat` of a file of your own).
 *
 * Each message goes out as: ledger record (planned), then "sending" with
 * its account and Message-ID committed, then the I/O, then sent with the
 * Message-ID, or failed with the server's reply (4xx: retried by the next
 * run; 5xx: kept failed until --retry-failed).  A connection that broke
 * mid-message stays "sending" and becomes needs-review.
 *
 * Contract: functions return 0 or -1 with an allocated *cause (naming the
 * file, line and what was expected; never a password or personal data).
 * Structures returned are freed with their _free function (NULL is fine).
 */
#ifndef OPTOUT_MAIL_SMTP_H
#define OPTOUT_MAIL_SMTP_H

#include <stddef.h>

#include "optout/ledger.h"
#include "optout/mail.h"

struct agent;
struct doc;
struct ledger;
struct laws;
struct plan_item;
struct profile;

struct smtp_account {
	char *name, *host, *user, *from, *auth, *password_command, *token_command;
	int port;
	int implicit_tls;  /* port 465, or tls = implicit */
	int daily_limit;
	long spacing_ms;
	char *imap_host, *imap_user; /* for optout inbox; imap_user defaults to user */
	int imap_port;               /* 993 when 0: always implicit TLS */
};

/* What became of one message. */
enum mail_status {
	MS_DRY_RUN,   /* shown, not sent */
	MS_SENT,
	MS_ALREADY,   /* the ledger shows it sent (or being sent): not sent again */
	MS_HELD,      /* failed permanently before: kept until --retry-failed */
	MS_CAPPED,    /* the account's daily limit is reached: left for another day */
	MS_TEMPORARY, /* 4xx or unreachable: failed, the next run retries */
	MS_PERMANENT, /* 5xx: failed */
	MS_REFUSED,   /* no TLS, or the login was refused: failed, nothing went out */
	MS_UNCERTAIN, /* the connection broke mid-message: a person must check */
};

/* One email to deliver: the letter, its headers, and what became of it. */
struct mail_out {
	const struct plan_item *it;   /* borrowed */
	const struct doc *doc;        /* borrowed: the letter */
	struct mail_headers h;        /* borrowed strings; from_addr is set by mail_deliver */
	char *message_id;             /* set by mail_deliver */
	char *message;                /* the composed message, set by mail_deliver */
	enum mail_status status;
	const char *ledger_state;     /* with MS_ALREADY: the state the ledger shows (static) */
	char *reply;                  /* the server's answer or what went wrong, or NULL */
	long waited_ms;               /* the pause decided before this message */
	/*
	 * A follow-up or appeal (followup_kind LA_FOLLOWUP or LA_APPEAL) to the
	 * request with ledger id followup_id, already sent; 0 for the request
	 * itself.  Its attempts are recorded apart from the request's, whose
	 * state does not change; one interrupted or refused is held (MS_UNCERTAIN
	 * or MS_HELD, with the earlier Message-ID) until retry_failed.
	 */
	long long followup_id;
	enum ledger_action followup_kind;
};

struct mail_deliver_opts {
	const struct smtp_account *account; /* or NULL with sendmail */
	const char *sendmail;   /* a command reading the message on stdin, or NULL */
	const char *cacert;     /* an extra CA bundle for the SMTP server, or NULL */
	const char *client;     /* the ledger's client label */
	int send;               /* 0: dry run (nothing written, nothing sent) */
	int retry_failed;       /* send again what failed permanently (and an interrupted follow-up) */
	/* Wait ms before the next message; NULL: sleep (not with OPTOUT_TEST_NO_WAIT=1). */
	void (*pause)(void *arg, long ms);
	void *pause_arg;
};

/* The default config path ($XDG_CONFIG_HOME/optout/config), allocated, or NULL with *cause. */
char *smtp_config_path(char **cause);
/* Load the account named (or the only one when name is NULL) from the config file. */
struct smtp_account *smtp_account_load(const char *path, const char *name, char **cause);
void smtp_account_free(struct smtp_account *a);
/* The password or token the account's command prints, or NULL in *secret when it has none. */
int smtp_account_secret(const struct smtp_account *a, char **secret, char **cause);

/*
 * Deliver (or with !send, only compose) each message in turn.  Returns 0,
 * or -1 with *cause when the ledger cannot be written or the password
 * command fails (then nothing more is sent).
 */
/*
 * Fill a message's headers for a plan item and its letter: from the agent
 * when one files, else from the person (name given; address only when the
 * plan discloses it); to the procedure's address; the letter's subject.
 * The strings are borrowed from the arguments.
 */
void mail_out_init(struct mail_out *m, const struct plan_item *it, const struct doc *d,
    const struct profile *p, const struct agent *agent, const char *person_name);
int mail_deliver(struct mail_out *outs, size_t n, const struct mail_deliver_opts *o,
    struct ledger *ledger, const struct laws *laws, char **cause);
void mail_out_clear(struct mail_out *m);
const char *mail_status_name(enum mail_status s);

#endif
