/* serve: the kiosk web page (optout serve), over libmicrohttpd. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "optout/client.h"
#include "optout/date.h"
#include "optout/i18n.h"
#include "optout/intake.h"
#include "optout/jv.h"
#include "optout/laws.h"
#include "optout/ledger.h"
#include "optout/letter.h"
#include "optout/packet.h"
#include "optout/pdf.h"
#include "optout/plan.h"
#include "optout/profile.h"
#include "optout/registry.h"
#include "optout/serve.h"
#include "optout/template.h"
#include "optout/util.h"
#include "optout/vault.h"

/*
 * libmicrohttpd is opened when the server starts (dlopen), not linked: it
 * brings GnuTLS and its dependencies, whose loading would slow the start
 * of every other command.
 */
#define LIBMHD_SONAME "libmicrohttpd.so.12"

static struct {
	enum MHD_Result (*add_response_header)(struct MHD_Response *, const char *, const char *);
	struct MHD_PostProcessor *(*create_post_processor)(struct MHD_Connection *, size_t,
	    MHD_PostDataIterator, void *);
	struct MHD_Response *(*create_response_from_buffer_with_free_callback)(size_t, void *,
	    MHD_ContentReaderFreeCallback);
	enum MHD_Result (*destroy_post_processor)(struct MHD_PostProcessor *);
	void (*destroy_response)(struct MHD_Response *);
	const union MHD_DaemonInfo *(*get_daemon_info)(struct MHD_Daemon *, enum MHD_DaemonInfoType,
	    ...);
	const char *(*lookup_connection_value)(struct MHD_Connection *, enum MHD_ValueKind,
	    const char *);
	enum MHD_Result (*post_process)(struct MHD_PostProcessor *, const char *, size_t);
	enum MHD_Result (*queue_response)(struct MHD_Connection *, unsigned int,
	    struct MHD_Response *);
	struct MHD_Daemon *(*start_daemon)(unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *,
	    MHD_AccessHandlerCallback, void *, ...);
	void (*stop_daemon)(struct MHD_Daemon *);
} mhd;

/* Which symbol goes into which slot of mhd. */
static const struct dl_symbol mhd_symbols[] = {
	{ "MHD_add_response_header", (void **)(void *)&mhd.add_response_header },
	{ "MHD_create_post_processor", (void **)(void *)&mhd.create_post_processor },
	{ "MHD_create_response_from_buffer_with_free_callback",
	    (void **)(void *)&mhd.create_response_from_buffer_with_free_callback },
	{ "MHD_destroy_post_processor", (void **)(void *)&mhd.destroy_post_processor },
	{ "MHD_destroy_response", (void **)(void *)&mhd.destroy_response },
	{ "MHD_get_daemon_info", (void **)(void *)&mhd.get_daemon_info },
	{ "MHD_lookup_connection_value", (void **)(void *)&mhd.lookup_connection_value },
	{ "MHD_post_process", (void **)(void *)&mhd.post_process },
	{ "MHD_queue_response", (void **)(void *)&mhd.queue_response },
	{ "MHD_start_daemon", (void **)(void *)&mhd.start_daemon },
	{ "MHD_stop_daemon", (void **)(void *)&mhd.stop_daemon },
};

#define MHD_add_response_header (mhd.add_response_header)
#define MHD_create_post_processor (mhd.create_post_processor)
#define MHD_create_response_from_buffer_with_free_callback \
	(mhd.create_response_from_buffer_with_free_callback)
#define MHD_destroy_post_processor (mhd.destroy_post_processor)
#define MHD_destroy_response (mhd.destroy_response)
#define MHD_get_daemon_info (mhd.get_daemon_info)
#define MHD_lookup_connection_value (mhd.lookup_connection_value)
#define MHD_post_process (mhd.post_process)
#define MHD_queue_response (mhd.queue_response)
#define MHD_start_daemon (mhd.start_daemon)
#define MHD_stop_daemon (mhd.stop_daemon)

#define MAX_SESSIONS 64
#define MAX_BODY 16384          /* bytes of a form post */
#define MAX_FIELD 2048          /* bytes of one form field */
#define MAX_FIELDS 64
#define COOKIE "optout_session"

/* The fields of the person's form, in the order of the steps. */
static const char *const field_keys[] = { "given", "family", "email", "phone", "street", "city",
	"state", "zip" };
#define NFIELDS (sizeof field_keys / sizeof field_keys[0])
/* The steps: which fields each one asks. */
enum step { STEP_WHO, STEP_WHERE, STEP_BROKERS, STEP_REVIEW, STEP_PACKET, STEP_COUNT };
static const size_t step_first[] = { 0, 4 }, step_end[] = { 4, 8 };
static const char *const step_names[] = { "who", "where", "brokers", "review", "packet" };

struct session {
	char id[65], csrf[65];
	long long seen;
	unsigned serial;          /* for the trace: which session, without its id */
	enum step step;
	char lang[3];
	char *value[NFIELDS];
	const char *error[NFIELDS]; /* untranslated messages */
	char **chosen;            /* broker ids; NULL until the brokers step is passed */
	struct jv *review;        /* what goes to whom (no personal data) */
	struct buf packet, print;
	int sealed;               /* packet is encrypted to a passphrase */
	const char *notice;       /* one-time message (untranslated) */
	char label[24];           /* staff mode: the person's ledger label, random */
	size_t recorded;          /* staff mode: requests in the ledger */
};

struct server {
	pthread_mutex_t lock;
	struct session *sessions[MAX_SESSIONS];
	unsigned serial;
	struct registry *reg;
	struct laws *laws;
	struct letters *letters;
	char *kiosk;              /* the templates' folder */
	struct agent *agent;      /* staff mode, else NULL */
	struct ledger *ledger;    /* staff mode, else NULL */
};

/* A form post being received. */
struct post {
	struct MHD_PostProcessor *pp;
	char *key[MAX_FIELDS];
	struct buf val[MAX_FIELDS];
	size_t n, total, raw;
	int too_big;
};

/* The kiosk's words, by template key (translated when a page is made). */
static const struct {
	const char *key, *text;
} words[] = {
	{ "title", N_("Stop data brokers from selling your information") },
	{ "lang_switch", N_("Language") },
	{ "clear", N_("Start over and clear my data") },
	{ "clear_why", N_("Your answers are kept only in this computer's memory, and only until "
	  "you finish. This button erases them now.") },
	{ "next", N_("Continue") },
	{ "back", N_("Back") },
	{ "step_who", N_("Step 1 of 5: who you are") },
	{ "step_where", N_("Step 2 of 5: where you live") },
	{ "step_brokers", N_("Step 3 of 5: which companies") },
	{ "step_review", N_("Step 4 of 5: what will be sent, and what never is") },
	{ "step_packet", N_("Step 5 of 5: your packet") },
	{ "intro", N_("This page writes letters and emails that ask data brokers to stop selling "
	  "your personal information and to delete it. Nothing is sent from this computer.") },
	{ "errors_found", N_("Please check the answers marked below.") },
	{ "brokers_intro", N_("These companies sell personal information. The ones that sell to "
	  "government agencies, such as immigration enforcement, are already checked. You can "
	  "uncheck any of them.") },
	{ "gov_seller", N_("Sells to government agencies.") },
	{ "why_source", N_("What the sources say (in English):") },
	{ "none_chosen", N_("Please choose at least one company.") },
	{ "review_intro", N_("Each company gets only what its own procedure requires:") },
	{ "how", N_("How") },
	{ "request", N_("Request") },
	{ "sent", N_("What is sent") },
	{ "never", N_("Never sent: your Social Security number and your date of birth. This page "
	  "does not ask for them.") },
	{ "nothing_sent", N_("Nothing leaves this computer: you print and mail the letters, and "
	  "send the emails yourself.") },
	{ "make", N_("Make my packet") },
	{ "packet_ready", N_("Your packet is ready.") },
	{ "print", N_("Open the letters to print") },
	{ "print_why", N_("Opens one PDF with every letter; use your browser's print button. "
	  "Sign each letter and mail it to the address on it.") },
	{ "download", N_("Download the whole packet") },
	{ "download_why", N_("One archive with the letters (PDF), the emails to send, the forms "
	  "to fill in, and a cover sheet that explains every step.") },
	{ "seal", N_("Or lock it with a passphrase for a USB stick") },
	{ "passphrase", N_("Passphrase") },
	{ "passphrase_again", N_("The same passphrase again") },
	{ "seal_why", N_("At least 10 characters. Without it nobody can open the archive, not "
	  "even you: write it down somewhere safe. Open it with: age -d FILE | tar x") },
	{ "seal_button", N_("Lock and download") },
	{ "authorization", N_("Open the authorization form to print and sign") },
	{ "finish", N_("I am done: erase my data") },
	{ "finish_why", N_("Download your packet first. After this, nothing of yours is left on "
	  "this computer.") },
	{ "done", N_("Your data has been erased from this computer. Thank you.") },
	{ "again", N_("Start again for another person") },
};

/* The current time in seconds: a monotonic clock, or the test clock's file. */
static long long
now_seconds(void)
{
	const char *f = getenv("OPTOUT_TEST_CLOCK_FILE");
	struct timespec ts;

	if (f != NULL && *f != '\0') {
		FILE *fp = fopen(f, "r");
		char line[32] = "";
		long long t = 0;

		if (fp != NULL) {
			if (fgets(line, sizeof line, fp) != NULL)
				t = strtoll(line, NULL, 10);
			fclose(fp);
		}
		return t;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec;
}

/* Append a decision to the test trace (OPTOUT_TEST_SERVE_TRACE); never personal data. */
static void
trace(const char *fmt, unsigned serial, const char *what)
{
	const char *f = getenv("OPTOUT_TEST_SERVE_TRACE");
	FILE *fp;

	if (f == NULL || *f == '\0' || (fp = fopen(f, "a")) == NULL)
		return;
	fprintf(fp, fmt, serial, what);
	fputc('\n', fp);
	fclose(fp);
}

/* Random bytes as lower-case hex (2n characters and a NUL). */
static void
random_hex(char *out, size_t n)
{
	unsigned char b[32];
	size_t i;

	vault_random(b, n);
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	explicit_bzero(b, sizeof b);
}

/* Whether a string is well-formed UTF-8. */
static int
utf8_ok(const char *s)
{
	size_t n = strlen(s), used;
	uint32_t cp;

	for (; n > 0; s += used, n -= used)
		if ((used = utf8_decode((const unsigned char *)s, n, &cp)) == 0)
			return 0;
	return 1;
}

/* Compare two strings in time that does not depend on where they differ. */
static int
same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = 0;

	if (la != lb || la == 0)
		return 0;
	for (i = 0; i < la; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

/* Wipe and free what a person entered and what was made from it. */
static void
session_clear_data(struct session *s)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++) {
		secure_free(s->value[i]);
		s->value[i] = NULL;
		s->error[i] = NULL;
	}
	str_list_free(s->chosen);
	s->chosen = NULL;
	jv_free(s->review);
	s->review = NULL;
	if (s->packet.data != NULL)
		explicit_bzero(s->packet.data, s->packet.cap);
	buf_free(&s->packet);
	if (s->print.data != NULL)
		explicit_bzero(s->print.data, s->print.cap);
	buf_free(&s->print);
	buf_init(&s->packet);
	buf_init(&s->print);
	s->sealed = 0;
	s->step = STEP_WHO;
}

/* Wipe a session entirely, saying why in the trace. */
static void
session_end(struct server *sv, size_t slot, const char *why)
{
	struct session *s = sv->sessions[slot];

	trace("session %u wiped: %s", s->serial, why);
	session_clear_data(s);
	/* The PDF module keeps recent font subsets, which show the characters letters used. */
	pdf_cache_clear();
	trace("session %u: letter fonts released%s", s->serial, "");
	explicit_bzero(s, sizeof *s);
	free(s);
	sv->sessions[slot] = NULL;
}

/* Wipe the sessions idle for longer than the limit. */
static void
sweep(struct server *sv)
{
	long long t = now_seconds();
	size_t i;

	for (i = 0; i < MAX_SESSIONS; i++)
		if (sv->sessions[i] != NULL && t - sv->sessions[i]->seen >= SERVE_IDLE_SECONDS)
			session_end(sv, i, "idle");
}

/* The session a cookie names, or NULL. */
static struct session *
session_find(struct server *sv, const char *id)
{
	size_t i;

	if (id == NULL)
		return NULL;
	for (i = 0; i < MAX_SESSIONS; i++)
		if (sv->sessions[i] != NULL && same_secret(sv->sessions[i]->id, id))
			return sv->sessions[i];
	return NULL;
}

/* A new session, replacing the longest idle one when the table is full. */
static struct session *
session_new(struct server *sv, const char *lang)
{
	size_t i, slot = 0;
	struct session *s;

	for (i = 0; i < MAX_SESSIONS; i++) {
		if (sv->sessions[i] == NULL) {
			slot = i;
			break;
		}
		if (sv->sessions[i]->seen < sv->sessions[slot]->seen)
			slot = i;
	}
	if (i == MAX_SESSIONS)
		session_end(sv, slot, "replaced (table full)");
	s = xcalloc(1, sizeof *s);
	random_hex(s->id, 32);
	random_hex(s->csrf, 32);
	s->seen = now_seconds();
	s->serial = ++sv->serial;
	snprintf(s->lang, sizeof s->lang, "%s", lang);
	buf_init(&s->packet);
	buf_init(&s->print);
	sv->sessions[slot] = s;
	trace("session %u created%s", s->serial, "");
	return s;
}

/* A form field's value, or NULL. */
static const char *
post_get(const struct post *p, const char *key)
{
	size_t i;

	for (i = 0; p != NULL && i < p->n; i++)
		if (strcmp(p->key[i], key) == 0)
			return p->val[i].data != NULL ? p->val[i].data : "";
	return NULL;
}

/* Collect one piece of a form field (libmicrohttpd calls this as the body arrives). */
static enum MHD_Result
post_iterate(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
    const char *content_type, const char *transfer_encoding, const char *data, uint64_t off,
    size_t size)
{
	struct post *p = cls;
	size_t i;

	(void)kind, (void)filename, (void)content_type, (void)transfer_encoding, (void)off;
	p->total += size;
	if (p->too_big || p->total > MAX_BODY) {
		p->too_big = 1;
		return MHD_YES; /* keep reading, answer 413 at the end */
	}
	/* A repeated key (checkboxes) starts a new value unless this continues the last. */
	i = p->n;
	if (off > 0 && p->n > 0 && strcmp(p->key[p->n - 1], key) == 0)
		i = p->n - 1;
	if (i == p->n) {
		if (p->n == MAX_FIELDS) {
			p->too_big = 1;
			return MHD_YES;
		}
		p->key[p->n] = xstrdup(key);
		buf_init(&p->val[p->n]);
		buf_adds(&p->val[p->n], "");
		p->n++;
	}
	if (p->val[i].len + size > MAX_FIELD) {
		p->too_big = 1;
		return MHD_YES;
	}
	buf_add(&p->val[i], data, size);
	buf_adds(&p->val[i], "");
	return MHD_YES;
}

/* Free a form post, wiping what it held. */
static void
post_free(struct post *p)
{
	size_t i;

	if (p == NULL)
		return;
	if (p->pp != NULL)
		MHD_destroy_post_processor(p->pp);
	for (i = 0; i < p->n; i++) {
		free(p->key[i]);
		if (p->val[i].data != NULL)
			explicit_bzero(p->val[i].data, p->val[i].cap);
		buf_free(&p->val[i]);
	}
	free(p);
}

/* Wipe and free a response's copy of its body (libmicrohttpd calls it when done). */
static void
wipe_sent(void *buffer)
{
	char *block = (char *)buffer - sizeof(size_t);
	size_t len;

	memcpy(&len, block, sizeof len);
	explicit_bzero(buffer, len);
	free(block);
}

/* Queue a response with the headers every page carries. */
static enum MHD_Result
respond(struct MHD_Connection *c, unsigned status, const char *type, void *body, size_t len,
    const char *cookie, const char *extra_name, const char *extra_value)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	/* The server's copy of a page is wiped once sent: the length goes before it. */
	char *block = xmalloc(sizeof(size_t) + (len > 0 ? len : 1));

	memcpy(block, &len, sizeof len);
	if (len > 0)
		memcpy(block + sizeof(size_t), body, len);
	r = MHD_create_response_from_buffer_with_free_callback(len, block + sizeof(size_t),
	    wipe_sent);

	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Content-Security-Policy", "default-src 'none'; style-src "
	    "'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Pragma", "no-cache");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	if (cookie != NULL)
		MHD_add_response_header(r, "Set-Cookie", cookie);
	if (extra_name != NULL)
		MHD_add_response_header(r, extra_name, extra_value);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A short plain-text answer (errors before any page can be made). */
static enum MHD_Result
respond_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	return respond(c, status, "text/plain; charset=utf-8", (void *)text, strlen(text), NULL,
	    NULL, NULL);
}

/* Read a partial template from the kiosk folder. */
static int
load_partial(void *ctx, const char *name, char **text, char **cause)
{
	const struct server *sv = ctx;
	char *path;
	size_t len;
	int rc = 0;

	*text = NULL;
	if (strchr(name, '/') != NULL || strchr(name, '.') != NULL)
		return 0;
	path = xasprintf("%s/%s.mustache", sv->kiosk, name);
	if (read_file(path, 1 << 20, text, &len, cause) != 0)
		rc = -1;
	free(path);
	return rc;
}

/* The page's data: the words in the session's language, the fields, the step's data. */
static struct jv *
page_data(const struct server *sv, const struct session *s, const char *notice)
{
	struct jv *d = jv_new_object(), *t = jv_new_object(), *fields = jv_new_array();
	size_t i, k;
	int errors = 0;

	i18n_use_language(s->lang);
	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		jv_set_str(t, words[i].key, _(words[i].text));
	jv_set(d, "t", t);
	jv_set_str(d, "lang", s->lang);
	jv_set_str(d, "csrf", s->csrf);
	jv_set(d, strcmp(s->lang, "es") == 0 ? "es" : "en", jv_new_bool(1));
	if (notice != NULL)
		jv_set_str(d, "notice", _(notice));
	{
		char *at = xasprintf("at_%s", step_names[s->step]);

		jv_set(d, at, jv_new_bool(1));
		free(at);
	}
	if (s->step <= STEP_WHERE) {
		for (k = step_first[s->step]; k < step_end[s->step]; k++) {
			const struct intake_question *q = intake_question(field_keys[k]);
			struct jv *f = jv_new_object();

			jv_set_str(f, "key", q->key);
			jv_set_str(f, "label", _(q->question));
			if (q->why != NULL)
				jv_set_str(f, "why", _(q->why));
			jv_set_str(f, "value", s->value[k] != NULL ? s->value[k] : "");
			if (s->error[k] != NULL) {
				jv_set_str(f, "error", _(s->error[k]));
				errors = 1;
			}
			jv_set_str(f, "type", q->kind == INTAKE_EMAIL ? "email" :
			    q->kind == INTAKE_PHONE ? "tel" : "text");
			jv_push(fields, f);
		}
	}
	jv_set(d, "fields", fields);
	jv_set(d, "errors", jv_new_bool(errors));
	if (s->step == STEP_BROKERS) {
		size_t n;
		const struct broker **bs = registry_scope(sv->reg, SCOPE_DEFAULT, &n);
		struct jv *list = jv_new_array();

		/* The government sellers first, as on the cover. */
		for (k = 0; k < 2 * n; k++) {
			struct jv *b;
			int on;

			i = k % n;
			if ((bs[i]->sells_to_government != 0) != (k < n))
				continue;
			b = jv_new_object();
			on = s->chosen != NULL ? strlist_has((const char **)s->chosen, bs[i]->id)
			    : bs[i]->sells_to_government;

			jv_set_str(b, "id", bs[i]->id);
			jv_set_str(b, "name", bs[i]->name);
			jv_set(b, "checked", jv_new_bool(on));
			jv_set(b, "government", jv_new_bool(bs[i]->sells_to_government));
			if (bs[i]->government_sales != NULL)
				jv_set_str(b, "why", bs[i]->government_sales);
			jv_push(list, b);
		}
		free(bs);
		jv_set(d, "brokers", list);
		if (s->chosen != NULL && s->chosen[0] == NULL)
			jv_set(d, "none_chosen", jv_new_bool(1));
	}
	if (s->step >= STEP_REVIEW && s->review != NULL)
		jv_set(d, "rows", jv_copy(s->review));
	if (s->step == STEP_PACKET)
		jv_set(d, "sealed", jv_new_bool(s->sealed));
	if (sv->agent != NULL) {
		char *m = xasprintf(_("Your requests are filed by %s as your authorized agent. Sign "
		    "the authorization form in your packet: it goes with each letter."),
		    sv->agent->organization);

		jv_set_str(d, "agent_note", m);
		free(m);
	}
	if (sv->ledger != NULL && s->recorded > 0) {
		char *m = xasprintf(_("The clinic recorded your requests in its ledger under the "
		    "label %s, which says nothing about you; keep it to ask about them."), s->label);

		jv_set_str(d, "ledger_note", m);
		free(m);
	}
	return d;
}

/* Render page.mustache for a session and queue it. */
static enum MHD_Result
send_page(struct MHD_Connection *c, struct server *sv, struct session *s, const char *cookie,
    const char *notice, int done)
{
	struct tmpl_opts to = { 0 };
	struct tmpl *t;
	struct jv *d;
	char *text = NULL, *out = NULL, *cause = NULL, *path;
	size_t len;
	enum MHD_Result ret;

	path = xasprintf("%s/page.mustache", sv->kiosk);
	if (read_file(path, 1 << 20, &text, &len, &cause) != 0 ||
	    (t = tmpl_parse(text, "page", &cause)) == NULL) {
		free(path);
		free(text);
		free(cause);
		return respond_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "template error\n");
	}
	free(path);
	free(text);
	d = page_data(sv, s, notice);
	if (done)
		jv_set(d, "done", jv_new_bool(1));
	to.escape = TMPL_ESCAPE_HTML;
	to.load = load_partial;
	to.load_ctx = sv;
	if (tmpl_render(t, d, &to, &out, &cause) != 0) {
		tmpl_free(t);
		jv_free(d);
		free(cause);
		return respond_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "template error\n");
	}
	tmpl_free(t);
	jv_free(d);
	ret = respond(c, MHD_HTTP_OK, "text/html; charset=utf-8", out, strlen(out), cookie, NULL,
	    NULL);
	secure_free(out);
	return ret;
}

/* Redirect to the page after a post (so reloading does not post again). */
static enum MHD_Result
see_other(struct MHD_Connection *c, const char *cookie)
{
	return respond(c, MHD_HTTP_SEE_OTHER, "text/plain; charset=utf-8", (void *)"", 0, cookie,
	    "Location", "/");
}

/* Check and keep the fields of the who/where step; 0 when every one passed. */
static int
take_fields(struct session *s, const struct post *p)
{
	size_t k;
	int bad = 0;

	for (k = step_first[s->step]; k < step_end[s->step]; k++) {
		const struct intake_question *q = intake_question(field_keys[k]);
		const char *in = post_get(p, field_keys[k]);
		char *trimmed = xstrdup(in != NULL ? in : ""), *norm = NULL, *b = trimmed, *e;

		while (*b == ' ' || *b == '\t')
			b++;
		e = b + strlen(b);
		while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
			*--e = '\0';
		secure_free(s->value[k]);
		s->value[k] = NULL;
		s->error[k] = NULL;
		if (*b == '\0' && q->optional) {
			secure_free(trimmed);
			continue;
		}
		s->error[k] = intake_check(q->kind, b, &norm);
		if (s->error[k] != NULL) {
			/* Keep what was typed (escaped when shown) so it can be corrected. */
			s->value[k] = utf8_ok(b) ? xstrdup(b) : NULL;
			bad = 1;
		} else
			s->value[k] = norm;
		secure_free(trimmed);
	}
	return bad ? -1 : 0;
}

/* The profile document from the session's answers (the caller frees it). */
static struct jv *
profile_doc(const struct session *s)
{
	struct jv *doc = jv_new_object(), *names = jv_new_object(), *addr = jv_new_object();
	struct jv *street = jv_new_array(), *addrs = jv_new_array(), *l;

	jv_set_str(names, "given", s->value[0]);
	jv_set_str(names, "family", s->value[1]);
	jv_set(doc, "names", names);
	if (s->value[2] != NULL) {
		l = jv_new_array();
		jv_push(l, jv_new_string(s->value[2]));
		jv_set(doc, "emails", l);
	}
	if (s->value[3] != NULL) {
		l = jv_new_array();
		jv_push(l, jv_new_string(s->value[3]));
		jv_set(doc, "phones", l);
	}
	jv_push(street, jv_new_string(s->value[4]));
	jv_set(addr, "street", street);
	jv_set_str(addr, "city", s->value[5]);
	jv_set_str(addr, "region", s->value[6]);
	jv_set_str(addr, "postal_code", s->value[7]);
	jv_set_str(addr, "country", "US");
	jv_set(addr, "current", jv_new_bool(1));
	jv_push(addrs, addr);
	jv_set(doc, "addresses", addrs);
	jv_set_str(doc, "language", s->lang);
	return doc;
}

/* The words for how a request goes. */
static const char *
channel_words(const struct plan_item *it)
{
	if (it->status != PLAN_READY || it->proc == NULL)
		return N_("no request possible");
	switch (it->proc->channel) {
	case CH_POSTAL: return N_("letter by mail");
	case CH_EMAIL: return N_("email");
	case CH_WEB: return N_("form on their website");
	default: return N_("telephone call");
	}
}

/*
 * Make the packet in memory (sealed to passphrase when not NULL) and, the
 * first time, the review of what goes to whom.  0, or -1 with *cause.
 */
static int
make_packet(struct server *sv, struct session *s, const char *passphrase, char **cause)
{
	static const enum request requests[] = { REQ_OPTOUT, REQ_DELETE };
	const char *none[] = { NULL };
	struct packet_opts o = { 0 };
	struct packet_summary sum;
	const struct broker **bs;
	struct profile *p;
	size_t n = 0, i, k;
	int rc;

	p = profile_from_jv(profile_doc(s), "kiosk", data_dir(), cause);
	if (p == NULL)
		return -1;
	bs = xcalloc(strlist_len((const char **)s->chosen) + 1, sizeof *bs);
	for (i = 0; s->chosen[i] != NULL; i++)
		if ((bs[n] = registry_find(sv->reg, s->chosen[i])) != NULL)
			n++;
	if (s->packet.data != NULL)
		explicit_bzero(s->packet.data, s->packet.cap);
	buf_free(&s->packet);
	if (s->print.data != NULL)
		explicit_bzero(s->print.data, s->print.cap);
	buf_free(&s->print);
	buf_init(&s->packet);
	buf_init(&s->print);
	o.laws = sv->laws;
	o.profile = p;
	o.brokers = bs;
	o.nbrokers = n;
	o.requests = requests;
	o.nrequests = 2;
	o.disclose = none;
	o.today = date_today();
	o.letters = sv->letters;
	o.language = s->lang;
	o.seal_passphrase = passphrase;
	o.to_memory = &s->packet;
	o.print_all = &s->print;
	if (sv->agent != NULL) {
		o.agent = sv->agent;
		o.authorization = 1;
	}
	if (sv->ledger != NULL) {
		/* A random label: the ledger never learns who the person is from it. */
		if (s->label[0] == '\0') {
			memcpy(s->label, "kiosk-", 6);
			random_hex(s->label + 6, 8);
		}
		profile_set_label(p, s->label);
		if (client_claim(sv->ledger, p, s->label, cause) != CLIENT_OK) {
			free(bs);
			profile_free(p);
			return -1;
		}
		o.ledger = sv->ledger;
		o.client = s->label;
	}
	rc = packet_write(&o, &sum, cause);
	if (rc == 0) {
		struct jv *rows = jv_new_array();

		for (i = 0; i < sum.nitems; i++) {
			const struct plan_item *it = sum.items[i];
			struct jv *r = jv_new_object(), *f = jv_new_array();

			jv_set_str(r, "broker", it->broker->name);
			jv_set_str(r, "how", _(channel_words(it)));
			jv_set_str(r, "request", it->request == REQ_DELETE ? _("delete my data") :
			    _("stop selling my data"));
			for (k = 0; it->status == PLAN_READY && it->disclosed != NULL &&
			    it->disclosed[k] != NULL; k++)
				jv_push(f, jv_new_string(_(field_label(it->disclosed[k]))));
			jv_set(r, "fields", f);
			jv_push(rows, r);
		}
		jv_free(s->review);
		s->review = rows;
		s->sealed = passphrase != NULL;
		s->recorded = sum.recorded + sum.already_recorded;
		packet_summary_free(&sum);
	}
	free(bs);
	profile_free(p);
	return rc;
}

/* Handle a form post; returns the response. */
static enum MHD_Result
handle_post(struct MHD_Connection *c, struct server *sv, struct session *s, const struct post *p)
{
	const char *action = post_get(p, "action"), *csrf = post_get(p, "csrf");
	char *cause = NULL;

	if (csrf == NULL || !same_secret(csrf, s->csrf))
		return respond_text(c, MHD_HTTP_FORBIDDEN, "This form has expired: go back to the "
		    "start page.\nEste formulario ha caducado: vuelva a la página de inicio.\n");
	if (action == NULL)
		action = "";
	if (strcmp(action, "lang-en") == 0 || strcmp(action, "lang-es") == 0) {
		snprintf(s->lang, sizeof s->lang, "%s", action + 5);
		return see_other(c, NULL);
	}
	if (strcmp(action, "clear") == 0 || strcmp(action, "finish") == 0) {
		size_t i;
		char lang[3];

		snprintf(lang, sizeof lang, "%s", s->lang);
		for (i = 0; i < MAX_SESSIONS; i++)
			if (sv->sessions[i] == s)
				session_end(sv, i, strcmp(action, "clear") == 0 ? "cleared" : "finished");
		/* A fresh session for the next person, in the same language. */
		s = session_new(sv, lang);
		{
			char *cookie = xasprintf(COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict",
			    s->id);
			int finish = strcmp(action, "finish") == 0;
			enum MHD_Result ret = send_page(c, sv, s, cookie, finish ? NULL :
			    N_("Your data has been erased from this computer. Thank you."), finish);

			free(cookie);
			return ret;
		}
	}
	if (strcmp(action, "back") == 0) {
		if (s->step > STEP_WHO)
			s->step--;
		return see_other(c, NULL);
	}
	if (strcmp(action, "next") == 0 && s->step <= STEP_WHERE) {
		if (take_fields(s, p) == 0)
			s->step++;
		return see_other(c, NULL);
	}
	if (strcmp(action, "next") == 0 && s->step == STEP_BROKERS) {
		size_t i, n = 0;

		str_list_free(s->chosen);
		s->chosen = xcalloc(MAX_FIELDS + 1, sizeof *s->chosen);
		for (i = 0; i < p->n; i++)
			if (strcmp(p->key[i], "broker") == 0 &&
			    registry_find(sv->reg, p->val[i].data) != NULL)
				s->chosen[n++] = xstrdup(p->val[i].data);
		if (n > 0 && make_packet(sv, s, NULL, &cause) == 0)
			s->step = STEP_REVIEW;
		else if (n > 0) {
			/* The answers passed every check; this is the program's fault, said plainly. */
			s->notice = N_("The packet could not be made. Please tell the person running "
			    "this table.");
			trace("session %u: packet failed%s", s->serial, "");
			free(cause);
		}
		return see_other(c, NULL);
	}
	if (strcmp(action, "next") == 0 && s->step == STEP_REVIEW) {
		s->step = STEP_PACKET;
		return see_other(c, NULL);
	}
	if (strcmp(action, "seal") == 0 && s->step == STEP_PACKET) {
		const char *a = post_get(p, "passphrase"), *b = post_get(p, "passphrase2");

		if (a == NULL || b == NULL || strcmp(a, b) != 0)
			s->notice = N_("The two passphrases are not the same: please type them again.");
		else if (utf8_width(a, strlen(a)) < 10 || !utf8_ok(a))
			s->notice = N_("The passphrase is too short: use at least 10 characters.");
		else if (make_packet(sv, s, a, &cause) != 0) {
			s->notice = N_("The packet could not be made. Please tell the person running "
			    "this table.");
			free(cause);
		}
		return see_other(c, NULL);
	}
	return see_other(c, NULL);
}

/* Serve a file the kiosk ships (the style sheet). */
static enum MHD_Result
send_static(struct MHD_Connection *c, struct server *sv, const char *name, const char *type)
{
	char *path = xasprintf("%s/%s", sv->kiosk, name), *text = NULL, *cause = NULL;
	size_t len;
	enum MHD_Result ret;

	if (read_file(path, 1 << 20, &text, &len, &cause) != 0) {
		free(cause);
		ret = respond_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
	} else
		ret = respond(c, MHD_HTTP_OK, type, text, len, NULL, NULL, NULL);
	free(text);
	free(path);
	return ret;
}

/* Every request: find the session, then the page, the file or the post. */
static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct server *sv = cls;
	struct post *p = *con_cls;
	struct session *s;
	const char *cookie_id, *notice = NULL;
	char *cookie = NULL;
	enum MHD_Result ret;
	int is_post = strcmp(method, "POST") == 0;

	(void)version;
	if (!is_post && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return respond_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
	if (is_post && p == NULL) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");

		if (cl != NULL && strtoull(cl, NULL, 10) > MAX_BODY)
			return respond_text(c, MHD_HTTP_CONTENT_TOO_LARGE, "too large\n");
		p = xcalloc(1, sizeof *p);
		p->pp = MHD_create_post_processor(c, 4096, post_iterate, p);
		*con_cls = p;
		if (p->pp == NULL)
			return respond_text(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "expected a form\n");
		return MHD_YES;
	}
	if (is_post && *upload_size > 0) {
		/* Counted here too: a body without '=' never reaches the iterator. */
		p->raw += *upload_size;
		if (p->raw > MAX_BODY)
			p->too_big = 1;
		if (p->pp != NULL && !p->too_big)
			MHD_post_process(p->pp, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (is_post && p->too_big)
		return respond_text(c, MHD_HTTP_CONTENT_TOO_LARGE, "too large\n");
	if (strcmp(url, "/style.css") == 0)
		return send_static(c, sv, "style.css", "text/css; charset=utf-8");
	pthread_mutex_lock(&sv->lock);
	sweep(sv);
	cookie_id = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
	s = session_find(sv, cookie_id);
	if (s == NULL) {
		const char *lang = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lang");

		/* A cookie for a session that is gone: it ended (idle, or finished elsewhere). */
		if (cookie_id != NULL)
			notice = N_("Your session ended after 10 minutes without activity, and your "
			    "data was erased. Please start again.");
		s = session_new(sv, lang != NULL && strcmp(lang, "es") == 0 ? "es" : "en");
		cookie = xasprintf(COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict", s->id);
		if (is_post) {
			/* A post without a live session cannot carry its token. */
			ret = send_page(c, sv, s, cookie, notice, 0);
			goto out;
		}
	}
	s->seen = now_seconds();
	if (is_post)
		ret = handle_post(c, sv, s, p);
	else if (strcmp(url, "/") == 0) {
		if (notice == NULL)
			notice = s->notice;
		s->notice = NULL;
		ret = send_page(c, sv, s, cookie, notice, 0);
	} else if (strcmp(url, "/packet.tar") == 0 && s->step == STEP_PACKET && !s->sealed)
		ret = respond(c, MHD_HTTP_OK, "application/x-tar", s->packet.data, s->packet.len,
		    cookie, "Content-Disposition", "attachment; filename=\"optout-packet.tar\"");
	else if (strcmp(url, "/packet.tar.age") == 0 && s->step == STEP_PACKET && s->sealed)
		ret = respond(c, MHD_HTTP_OK, "application/octet-stream", s->packet.data,
		    s->packet.len, cookie, "Content-Disposition",
		    "attachment; filename=\"optout-packet.tar.age\"");
	else if (strcmp(url, "/authorization.pdf") == 0 && s->step == STEP_PACKET && !s->sealed &&
	    sv->agent != NULL) {
		const char *pdf;
		size_t len;

		ret = tar_find(&s->packet, "authorization.pdf", &pdf, &len) == 0
		    ? respond(c, MHD_HTTP_OK, "application/pdf", (void *)pdf, len, cookie,
		    "Content-Disposition", "inline; filename=\"authorization.pdf\"")
		    : respond_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
	} else if (strcmp(url, "/letters.pdf") == 0 && s->step == STEP_PACKET && s->print.len > 0)
		ret = respond(c, MHD_HTTP_OK, "application/pdf", s->print.data, s->print.len, cookie,
		    "Content-Disposition", "inline; filename=\"letters.pdf\"");
	else
		ret = respond_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
out:
	pthread_mutex_unlock(&sv->lock);
	free(cookie);
	return ret;
}

/* Free a request's form post when the request ends. */
static void
completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode tc)
{
	(void)cls, (void)c, (void)tc;
	post_free(*con_cls);
	*con_cls = NULL;
}

/* Run the kiosk until SIGINT or SIGTERM. */
enum serve_status
serve_run(const struct serve_opts *o, char **cause)
{
	struct server sv = { 0 };
	struct sockaddr_in sa = { 0 };
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	sigset_t set;
	enum serve_status st = SERVE_OK;
	size_t i;
	int sig;

	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)o->port);
	if (inet_pton(AF_INET, o->listen != NULL ? o->listen : "127.0.0.1", &sa.sin_addr) != 1) {
		*cause = xasprintf("--listen: expected an IPv4 address such as 127.0.0.1");
		return SERVE_CANNOT_LISTEN;
	}
	if (dl_load(LIBMHD_SONAME, mhd_symbols, sizeof mhd_symbols / sizeof mhd_symbols[0],
	    cause) != 0)
		return SERVE_UNAVAILABLE;
	if (vault_init(cause) != 0)
		return SERVE_BAD_DATA;
	if ((sv.reg = registry_load(data_dir(), cause)) == NULL)
		return SERVE_BAD_DATA;
	if ((sv.laws = laws_load(data_dir(), cause)) == NULL) {
		registry_free(sv.reg);
		return SERVE_BAD_DATA;
	}
	if (o->agent_path != NULL &&
	    ((sv.agent = agent_load(o->agent_path, data_dir(), cause)) == NULL ||
	    (sv.ledger = ledger_open(o->ledger_path, cause)) == NULL)) {
		agent_free(sv.agent);
		laws_free(sv.laws);
		registry_free(sv.reg);
		return SERVE_BAD_DATA;
	}
	sv.letters = letters_open(data_dir());
	sv.kiosk = xasprintf("%s/letters/kiosk", data_dir());
	pthread_mutex_init(&sv.lock, NULL);
	/* The server's thread inherits the blocked signals: only this thread takes them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handle, &sv,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, &sv,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536,
	    MHD_OPTION_END);
	if (d == NULL) {
		*cause = xasprintf("cannot listen on %s port %u (is it in use?)",
		    o->listen != NULL ? o->listen : "127.0.0.1", o->port);
		st = SERVE_CANNOT_LISTEN;
		goto out;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (o->ready != NULL) {
		char addr[INET_ADDRSTRLEN], *url;

		inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof addr);
		url = xasprintf("http://%s:%u/", addr, info != NULL ? info->port : o->port);
		o->ready(url, o->ready_ctx);
		free(url);
	}
	for (;;) {
		struct timespec wait = { 5, 0 };

		sig = sigtimedwait(&set, NULL, &wait);
		if (sig == SIGINT || sig == SIGTERM)
			break;
		pthread_mutex_lock(&sv.lock);
		sweep(&sv);
		pthread_mutex_unlock(&sv.lock);
	}
	MHD_stop_daemon(d);
out:
	for (i = 0; i < MAX_SESSIONS; i++)
		if (sv.sessions[i] != NULL)
			session_end(&sv, i, "server stopped");
	pthread_mutex_destroy(&sv.lock);
	letters_close(sv.letters);
	ledger_close(sv.ledger);
	agent_free(sv.agent);
	laws_free(sv.laws);
	registry_free(sv.reg);
	free(sv.kiosk);
	return st;
}
