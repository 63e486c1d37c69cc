/* mail-smtp: accounts, and delivering request emails with the ledger first. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "optout/date.h"
#include "optout/doc.h"
#include "optout/http.h"
#include "optout/ledger.h"
#include "optout/mail-smtp.h"
#include "optout/plan.h"
#include "optout/profile.h"
#include "optout/settings.h"
#include "optout/util.h"

#define SECRET_MAX 4096
#define SEND_TIMEOUT_MS 120000L

/* The name of a message's outcome, as printed. */
const char *
mail_status_name(enum mail_status s)
{
	static const char *const names[] = {
		"dry-run", "sent", "already-sent", "held", "daily-limit", "try-later",
		"rejected", "refused", "uncertain",
	};

	return names[s];
}

/* The default config file (settings.h: one file, one parser). */
char *
smtp_config_path(char **cause)
{
	return settings_path(cause);
}

/* Free an account. */
void
smtp_account_free(struct smtp_account *a)
{
	if (a == NULL)
		return;
	free(a->name);
	free(a->host);
	free(a->user);
	free(a->from);
	free(a->auth);
	free(a->password_command);
	free(a->token_command);
	free(a->imap_host);
	free(a->imap_user);
	free(a);
}

/* A whole number in [lo, hi], or -1 with *cause naming the place. */
static int
config_int(const char *v, long lo, long hi, long *out, const char *where, const char *key,
    char **cause)
{
	char *end;

	errno = 0;
	*out = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || *out < lo || *out > hi) {
		*cause = xasprintf("%s: %s: expected a whole number from %ld to %ld", where, key,
		    lo, hi);
		return -1;
	}
	return 0;
}

/* Set one key of an account; -1 with *cause for an unknown key or a bad value. */
static int
account_set(struct smtp_account *a, const char *key, const char *v, const char *where,
    char **cause)
{
	char **field = NULL;
	long n;

	if (strcmp(key, "host") == 0)
		field = &a->host;
	else if (strcmp(key, "user") == 0)
		field = &a->user;
	else if (strcmp(key, "from") == 0)
		field = &a->from;
	else if (strcmp(key, "password_command") == 0)
		field = &a->password_command;
	else if (strcmp(key, "token_command") == 0)
		field = &a->token_command;
	else if (strcmp(key, "imap_host") == 0)
		field = &a->imap_host;
	else if (strcmp(key, "imap_user") == 0)
		field = &a->imap_user;
	else if (strcmp(key, "imap_port") == 0) {
		if (config_int(v, 1, 65535, &n, where, key, cause) != 0)
			return -1;
		a->imap_port = (int)n;
		return 0;
	}
	else if (strcmp(key, "auth") == 0) {
		if (strcmp(v, "plain") != 0 && strcmp(v, "login") != 0 && strcmp(v, "xoauth2") != 0) {
			*cause = xasprintf("%s: auth: expected plain, login or xoauth2", where);
			return -1;
		}
		field = &a->auth;
	} else if (strcmp(key, "port") == 0) {
		if (config_int(v, 1, 65535, &n, where, key, cause) != 0)
			return -1;
		a->port = (int)n;
		return 0;
	} else if (strcmp(key, "tls") == 0) {
		if (strcmp(v, "starttls") != 0 && strcmp(v, "implicit") != 0) {
			*cause = xasprintf("%s: tls: expected starttls or implicit (plain text is never "
			    "used)", where);
			return -1;
		}
		a->implicit_tls = strcmp(v, "implicit") == 0;
		return 0;
	} else if (strcmp(key, "daily_limit") == 0) {
		if (config_int(v, 1, 100000, &n, where, key, cause) != 0)
			return -1;
		a->daily_limit = (int)n;
		return 0;
	} else if (strcmp(key, "spacing") == 0) {
		if (config_int(v, 0, 3600, &n, where, key, cause) != 0)
			return -1;
		a->spacing_ms = n * 1000;
		return 0;
	} else if (strcmp(key, "password") == 0) {
		*cause = xasprintf("%s: a password is not kept in this file: use password_command "
		    "(a command that prints it, such as a password manager)", where);
		return -1;
	} else {
		*cause = xasprintf("%s: unknown key '%s' (expected host, port, tls, user, from, auth, "
		    "password_command, token_command, daily_limit, spacing, imap_host, imap_port or "
		    "imap_user)", where, key);
		return -1;
	}
	free(*field);
	*field = xstrdup(v);
	return 0;
}

/* Whether an address looks like one (a@b, no spaces or brackets). */
static int
plausible_address(const char *s)
{
	const char *at = strchr(s, '@');

	return at != NULL && at != s && at[1] != '\0' && strchr(at + 1, '@') == NULL &&
	    strpbrk(s, " \t<>,;\"()") == NULL;
}

/* Check an account has what sending needs. */
static int
account_check(struct smtp_account *a, const char *path, char **cause)
{
	if (a->host == NULL || a->from == NULL) {
		*cause = xasprintf("%s: account '%s': host and from are required", path, a->name);
		return -1;
	}
	if (!plausible_address(a->from)) {
		*cause = xasprintf("%s: account '%s': from: expected an email address such as "
		    "intake@clinic.example", path, a->name);
		return -1;
	}
	if (a->password_command != NULL && a->token_command != NULL) {
		*cause = xasprintf("%s: account '%s': give password_command or token_command, not "
		    "both", path, a->name);
		return -1;
	}
	if (a->auth != NULL && strcmp(a->auth, "xoauth2") == 0 && a->token_command == NULL) {
		*cause = xasprintf("%s: account '%s': auth = xoauth2 needs token_command", path,
		    a->name);
		return -1;
	}
	if ((a->password_command != NULL || a->token_command != NULL) && a->user == NULL) {
		*cause = xasprintf("%s: account '%s': user is required to log in", path, a->name);
		return -1;
	}
	if (a->port == 0)
		a->port = a->implicit_tls ? 465 : 587;
	if (a->port == 465)
		a->implicit_tls = 1;
	return 0;
}

/* What smtp_account_load's reading of the file gathers. */
struct account_scan {
	const char *name;           /* the account wanted, or NULL for the only one */
	struct smtp_account *found; /* its settings */
	struct smtp_account *cur;   /* the section being read, when it is the one wanted */
	int naccounts;
};

/* One line of the config file, for the accounts. */
static int
account_line(void *ctx, const char *account, const char *key, const char *value,
    const char *where, char **cause)
{
	struct account_scan *s = ctx;

	if (key == NULL) {
		s->naccounts++;
		s->cur = NULL;
		if (s->name == NULL ? s->found == NULL : strcmp(account, s->name) == 0) {
			if (s->found != NULL) {
				*cause = xasprintf("%s: account '%s' is defined twice", where, account);
				return -1;
			}
			s->found = s->cur = xcalloc(1, sizeof *s->cur);
			s->cur->name = xstrdup(account);
			s->cur->daily_limit = 50;
			s->cur->spacing_ms = 20000;
		}
		return 0;
	}
	if (account == NULL)
		return settings_check_top(key, where, cause);
	return s->cur != NULL ? account_set(s->cur, key, value, where, cause) : 0;
}

/* Load one account from the config file. */
struct smtp_account *
smtp_account_load(const char *path, const char *name, char **cause)
{
	struct account_scan s = { name, NULL, NULL, 0 };

	if (settings_parse(path, account_line, &s, cause) != 0) {
		smtp_account_free(s.found);
		return NULL;
	}
	if (s.found == NULL) {
		if (name != NULL)
			*cause = xasprintf("%s: no account '%s'", path, name);
		else
			*cause = xasprintf("%s: no [account NAME] section", path);
		return NULL;
	}
	if (name == NULL && s.naccounts > 1) {
		*cause = xasprintf("%s: %d accounts: choose one with --account NAME", path,
		    s.naccounts);
		smtp_account_free(s.found);
		return NULL;
	}
	if (account_check(s.found, path, cause) != 0) {
		smtp_account_free(s.found);
		return NULL;
	}
	return s.found;
}

/*
 * Run a shell command, writing `in` (may be NULL) to its stdin and keeping
 * up to `max` bytes of its stdout in *out (may be NULL: discarded).
 * Returns the exit status, or -1 when it could not run or was killed.
 */
static int
run_command(const char *cmd, char *const extra[], const char *in, size_t inlen, char **out,
    size_t max)
{
	int pin[2], pout[2], status;
	pid_t pid;
	struct buf b;
	char chunk[512];
	ssize_t r;
	void (*old)(int);

	if (pipe(pin) != 0)
		return -1;
	if (pipe(pout) != 0) {
		close(pin[0]);
		close(pin[1]);
		return -1;
	}
	if ((pid = fork()) < 0) {
		close(pin[0]);
		close(pin[1]);
		close(pout[0]);
		close(pout[1]);
		return -1;
	}
	if (pid == 0) {
		const char *argv[8] = { "/bin/sh", "-c", cmd, "sh" };
		int i;

		for (i = 0; extra != NULL && extra[i] != NULL && i < 3; i++)
			argv[4 + i] = extra[i];
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		close(pin[0]);
		close(pin[1]);
		close(pout[0]);
		close(pout[1]);
		execv("/bin/sh", (char *const *)argv);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	old = signal(SIGPIPE, SIG_IGN);
	if (in != NULL) {
		size_t off = 0;

		while (off < inlen) {
			r = write(pin[1], in + off, inlen - off);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			off += (size_t)r;
		}
	}
	close(pin[1]);
	buf_init(&b);
	while ((r = read(pout[0], chunk, sizeof chunk)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (b.len + (size_t)r <= max)
			buf_add(&b, chunk, (size_t)r);
	}
	close(pout[0]);
	signal(SIGPIPE, old);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	if (out != NULL) {
		buf_addc(&b, '\0');
		*out = buf_detach(&b);
	} else {
		if (b.data != NULL)
			explicit_bzero(b.data, b.len);
		buf_free(&b);
	}
	if (status == -1 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The secret a command prints (its first line), or NULL with *cause. */
static char *
read_secret(const char *cmd, const char *what, const char *account, char **cause)
{
	char *out = NULL, *nl;
	int rc = run_command(cmd, NULL, NULL, 0, &out, SECRET_MAX);

	if (rc != 0 || out == NULL || *out == '\0' || *out == '\n') {
		*cause = xasprintf("account '%s': %s failed (exit status %d) or printed nothing", account,
		    what, rc);
		if (out != NULL)
			secure_free(out);
		return NULL;
	}
	if ((nl = strchr(out, '\n')) != NULL)
		*nl = '\0';
	if ((nl = strchr(out, '\r')) != NULL)
		*nl = '\0';
	return out;
}

/* The account's password or token, from its command. */
int
smtp_account_secret(const struct smtp_account *a, char **secret, char **cause)
{
	*secret = NULL;
	if (a->password_command != NULL)
		*secret = read_secret(a->password_command, "password_command", a->name, cause);
	else if (a->token_command != NULL)
		*secret = read_secret(a->token_command, "token_command", a->name, cause);
	else
		return 0;
	return *secret != NULL ? 0 : -1;
}

/* A reply without the sender's address in it (it may be a person's own). */
static char *
scrub_reply(const char *text, const char *from)
{
	struct buf b;
	const char *p = text, *hit;
	size_t fl = from != NULL ? strlen(from) : 0;

	buf_init(&b);
	while (fl > 0 && (hit = strstr(p, from)) != NULL) {
		buf_add(&b, p, (size_t)(hit - p));
		buf_adds(&b, "(sender)");
		p = hit + fl;
	}
	buf_adds(&b, p);
	buf_addc(&b, '\0');
	return buf_detach(&b);
}

/* Hand one message to the sendmail command: 0 ok, 75 try later, else rejected. */
static enum mail_status
send_with_command(const struct mail_deliver_opts *o, struct mail_out *m)
{
	char *extra[] = { (char *)m->h.from_addr, (char *)m->h.to_addr, NULL };
	char *cmd = xasprintf("%s -i -f \"$1\" -- \"$2\"", o->sendmail);
	int rc = run_command(cmd, extra, m->message, strlen(m->message), NULL, 0);

	free(cmd);
	if (rc == 0)
		return MS_SENT;
	m->reply = xasprintf("the sendmail command exited with status %d", rc);
	if (rc == 75)
		return MS_TEMPORARY;
	return rc < 0 ? MS_UNCERTAIN : MS_PERMANENT;
}

/* Hand one message to the SMTP server. */
static enum mail_status
send_with_smtp(const struct mail_deliver_opts *o, const char *secret, struct mail_out *m)
{
	const struct smtp_account *a = o->account;
	struct smtp_server s = { 0 };
	struct smtp_reply r;
	const char *at;
	enum mail_status st;

	if (a == NULL || a->from == NULL) {
		m->reply = xstrdup("no account to send with");
		return MS_REFUSED;
	}
	at = strrchr(a->from, '@');
	s.host = a->host;
	s.port = a->port;
	s.tls = a->implicit_tls ? SMTP_TLS : SMTP_STARTTLS;
	s.user = secret != NULL ? a->user : NULL;
	s.password = a->password_command != NULL ? secret : NULL;
	s.bearer = a->token_command != NULL ? secret : NULL;
	s.mech = a->auth == NULL ? NULL : strcmp(a->auth, "plain") == 0 ? "PLAIN" :
	    strcmp(a->auth, "login") == 0 ? "LOGIN" : "XOAUTH2";
	s.cacert = o->cacert;
	s.helo = at != NULL ? at + 1 : "localhost";
	s.timeout_ms = SEND_TIMEOUT_MS;
	http_smtp_send(&s, a->from, m->h.to_addr, m->message, strlen(m->message), &r);
	switch (r.result) {
	case SMTP_SENT: st = MS_SENT; break;
	case SMTP_TEMPORARY: st = MS_TEMPORARY; break;
	case SMTP_PERMANENT: st = MS_PERMANENT; break;
	case SMTP_REFUSED: st = MS_REFUSED; break;
	default: st = MS_UNCERTAIN; break;
	}
	m->reply = r.text != NULL ? scrub_reply(r.text, a->from) : NULL;
	smtp_reply_free(&r);
	return st;
}

/* The ledger's outcome for a status. */
static enum ledger_mail_outcome
ledger_outcome(enum mail_status s)
{
	switch (s) {
	case MS_SENT: return LM_SENT;
	case MS_TEMPORARY: return LM_TEMPORARY;
	case MS_PERMANENT: return LM_PERMANENT;
	case MS_REFUSED: return LM_REFUSED;
	default: return LM_UNCERTAIN;
	}
}

/* Compose a message with its Message-ID for this attempt. */
static int
compose(struct mail_out *m, const char *from, int attempt, char **cause)
{
	free(m->message_id);
	free(m->message);
	m->message = NULL;
	m->h.from_addr = from;
	if (m->followup_id != 0) {
		/* Its own Message-ID, still starting with the reference replies are matched by. */
		char *tag = xasprintf("%s.%s", m->it->reference, ledger_action_name(m->followup_kind));

		m->message_id = mail_message_id(tag, attempt, from);
		free(tag);
	} else
		m->message_id = mail_message_id(m->it->reference, attempt, from);
	m->h.message_id = m->message_id;
	if ((m->message = mail_compose(m->doc, &m->h, cause)) == NULL)
		return -1;
	return 0;
}

/* Whether a follow-up's email may go: not when sent, refused or interrupted before. */
static int
admit_followup(struct mail_out *m, const struct mail_deliver_opts *o, struct ledger *l,
    long long *id, int *attempts, char **cause)
{
	enum ledger_mail_outcome last;
	char *earlier = NULL;

	*id = m->followup_id;
	if (ledger_followup_mail_last(l, *id, m->followup_kind, attempts, &last, &earlier,
	    cause) != 0)
		return -1;
	if (*attempts > 0 && last == LM_SENT) {
		m->status = MS_ALREADY;
		m->ledger_state = "sent";
	} else if (*attempts > 0 && (last == LM_SENDING || last == LM_UNCERTAIN) && !o->retry_failed)
		m->status = MS_UNCERTAIN;
	else if (*attempts > 0 && last == LM_PERMANENT && !o->retry_failed)
		m->status = MS_HELD;
	if (m->status != MS_DRY_RUN) {
		free(m->message_id);
		m->message_id = earlier;
	} else
		free(earlier);
	return 0;
}

/* Whether the ledger lets this message go: records it, and says why not in m->status. */
static int
admit(struct mail_out *m, const struct mail_deliver_opts *o, struct ledger *l, long long *id,
    int *attempts, char **cause)
{
	struct ledger_entry e;
	enum ledger_state prior = LS_PLANNED;
	enum ledger_mail_outcome last;
	int existed = 0;

	if (m->followup_id != 0)
		return admit_followup(m, o, l, id, attempts, cause);
	ledger_entry_from_plan(&e, m->it, o->client);
	if (ledger_record(l, &e, id, &existed, &prior, cause) != 0)
		return -1;
	if (ledger_mail_last(l, *id, attempts, &last, cause) != 0)
		return -1;
	if (existed && prior != LS_PLANNED && prior != LS_FAILED) {
		m->status = MS_ALREADY;
		m->ledger_state = ledger_state_name(prior);
	}
	else if (prior == LS_FAILED && last == LM_PERMANENT && !o->retry_failed)
		m->status = MS_HELD;
	return 0;
}

/*
 * After ledger_begin_mail refused: whether another seat (sharing the ledger)
 * began sending the request since admit() looked.  Then it is not this
 * run's to send, which is not an error: *cause is cleared.
 */
static int
taken_meanwhile(struct ledger *l, long long id, struct mail_out *m, char **cause)
{
	struct ledger_request *r = NULL;
	char *c = NULL, num[24];
	int taken;

	snprintf(num, sizeof num, "%lld", id);
	if (ledger_get(l, num, &r, &c) != 0 || r == NULL) {
		free(c);
		return 0;
	}
	taken = r->state != LS_PLANNED && r->state != LS_FAILED;
	if (taken) {
		m->status = MS_ALREADY;
		m->ledger_state = ledger_state_name(r->state);
		free(*cause);
		*cause = NULL;
	}
	ledger_request_free(r);
	return taken;
}

/* Wait between two messages, unless a test only checks the decision (OPTOUT_TEST_NO_WAIT=1). */
static void
pause_ms(long ms)
{
	const char *t = getenv("OPTOUT_TEST_NO_WAIT");
	struct timespec ts;

	if (t != NULL && strcmp(t, "1") == 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Deliver each message in turn, the ledger first. */
int
mail_deliver(struct mail_out *outs, size_t n, const struct mail_deliver_opts *o,
    struct ledger *l, const struct laws *laws, char **cause)
{
	const char *from = o->account != NULL ? o->account->from : NULL;
	const char *label = o->account != NULL ? o->account->name : "sendmail";
	char *secret = NULL;
	size_t i;
	int went = 0, rc = -1;

	if (o->send && o->account == NULL && o->sendmail == NULL) {
		*cause = xstrdup("no way to send: give an account or a sendmail command");
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct mail_out *m = &outs[i];
		long long id = 0;
		int attempts = 0, today_count;

		m->status = MS_DRY_RUN;
		if (!o->send) {
			if (compose(m, from != NULL ? from : m->h.from_addr, 1, cause) != 0)
				goto out;
			continue;
		}
		if (admit(m, o, l, &id, &attempts, cause) != 0)
			goto out;
		if (m->status != MS_DRY_RUN)
			continue;
		if (o->account != NULL) {
			if (ledger_mail_count(l, label, date_today(), &today_count, cause) != 0)
				goto out;
			if (today_count >= o->account->daily_limit) {
				m->status = MS_CAPPED;
				continue;
			}
		}
		if (compose(m, from != NULL ? from : m->h.from_addr, attempts + 1, cause) != 0)
			goto out;
		if (m->h.from_addr == NULL) {
			*cause = xasprintf("%s: no sender address: give the account's from, or an email "
			    "in the profile the plan discloses", m->it->reference);
			goto out;
		}
		/* The password is asked for once, and only when something is to go out. */
		if (o->account != NULL && secret == NULL &&
		    (o->account->password_command != NULL || o->account->token_command != NULL)) {
			secret = o->account->password_command != NULL ?
			    read_secret(o->account->password_command, "password_command", label, cause) :
			    read_secret(o->account->token_command, "token_command", label, cause);
			if (secret == NULL)
				goto out;
		}
		/* Spacing between messages, decided here; the caller does the waiting. */
		if (went > 0 && o->account != NULL && o->account->spacing_ms > 0) {
			m->waited_ms = o->account->spacing_ms;
			if (o->pause != NULL)
				o->pause(o->pause_arg, m->waited_ms);
			else
				pause_ms(m->waited_ms);
		}
		/* Committed as sending, with its Message-ID, before any I/O. */
		if ((m->followup_id != 0 ? ledger_begin_followup_mail(l, id, m->followup_kind, label,
		    m->message_id, cause) : ledger_begin_mail(l, id, label, m->message_id, cause)) != 0) {
			if (m->followup_id == 0 && taken_meanwhile(l, id, m, cause))
				continue;
			goto out;
		}
		went++;
		m->status = o->sendmail != NULL ? send_with_command(o, m) : send_with_smtp(o, secret, m);
		if ((m->followup_id != 0 ? ledger_finish_followup_mail(l, id, m->message_id,
		    ledger_outcome(m->status), m->reply, cause) : ledger_finish_mail(l, id, m->message_id,
		    ledger_outcome(m->status), m->reply, laws, cause)) != 0)
			goto out;
	}
	rc = 0;
out:
	if (secret != NULL)
		secure_free(secret);
	return rc;
}

/* The headers of a request's email. */
void
mail_out_init(struct mail_out *m, const struct plan_item *it, const struct doc *d,
    const struct profile *p, const struct agent *agent, const char *person_name)
{
	memset(m, 0, sizeof *m);
	m->it = it;
	m->doc = d;
	m->h.from_name = agent != NULL ? agent->organization : person_name;
	m->h.from_addr = agent != NULL ? agent->email :
	    strlist_has((const char **)it->disclosed, "email") ? p->emails[0] : NULL;
	m->h.to_name = it->broker->name;
	m->h.to_addr = it->proc->email;
	m->h.subject = d->subject;
}

/* Free what mail_deliver made for a message. */
void
mail_out_clear(struct mail_out *m)
{
	free(m->message_id);
	if (m->message != NULL)
		secure_free(m->message);
	free(m->reply);
	memset(m, 0, sizeof *m);
}
