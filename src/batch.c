/* batch: many clients' packets, recorded in the ledger, resumable. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "optout/batch.h"
#include "optout/client.h"
#include "optout/csv.h"
#include "optout/doc.h"
#include "optout/jv.h"
#include "optout/form.h"
#include "optout/ledger.h"
#include "optout/letter.h"
#include "optout/mail-smtp.h"
#include "optout/packet.h"
#include "optout/plan.h"
#include "optout/profile.h"
#include "optout/i18n.h"
#include "optout/intake.h"
#include "optout/submit.h"
#include "optout/util.h"
#include "optout/vault.h"

/* Client rows in summary.pdf; summary.csv always has them all. */
#define SUMMARY_PDF_ROWS 200
#define CLIENTS_JSON_MAX ((size_t)64 * 1024 * 1024)

/* CSV columns and where each goes in a profile (for messages: path -> column). */
static const struct {
	const char *column, *path;
} columns[] = {
	{ "label", "label" },
	{ "given", "names.given" },
	{ "middle", "names.middle" },
	{ "family", "names.family" },
	{ "suffix", "names.suffix" },
	{ "family_first", "names.family_first" },
	{ "latin_given", "names.latin.given" },
	{ "latin_middle", "names.latin.middle" },
	{ "latin_family", "names.latin.family" },
	{ "dob", "dob" },
	{ "street", "addresses[0].street[0]" },
	{ "street2", "addresses[0].street[1]" },
	{ "city", "addresses[0].city" },
	{ "region", "addresses[0].region" },
	{ "postal_code", "addresses[0].postal_code" },
	{ "country", "addresses[0].country" },
	{ "email", "emails[0]" },
	{ "phone", "phones[0]" },
	{ "ssn", "identifiers.ssn" },
	{ "ssn_last4", "identifiers.ssn_last4" },
	{ "drivers_license", "identifiers.drivers_license.number" },
	{ "drivers_license_region", "identifiers.drivers_license.region" },
	{ "language", "language" },
};
static const char *const required_columns[] = { "label", "given", "family", "street", "city",
	NULL };

/* A field of the current record by column name, or NULL when absent or empty. */
static const char *
field(const struct csv_reader *r, const struct csv_record *rec, const char *name)
{
	int i = csv_column(r, name);

	if (i < 0 || (size_t)i >= rec->nfields || rec->fields[i][0] == '\0')
		return NULL;
	return rec->fields[i];
}

/* Set obj.key to a string when the column has a value. */
static void
set_from(struct jv *obj, const char *key, const char *value)
{
	if (value != NULL)
		jv_set_str(obj, key, value);
}

/*
 * Set obj.key from a column written as people write it (a state name, a
 * nine-digit ZIP, 03/14/1985), in the profile's form when it can be read;
 * otherwise as written, for the schema to explain what was expected.
 */
static void
set_read(struct jv *obj, const char *key, const char *value, int (*read)(const char *, char *))
{
	char out[11];

	if (value != NULL)
		jv_set_str(obj, key, read(value, out) == 0 ? out : value);
}

/* intake_state, intake_zip and intake_country with one signature. */
static int read_state(const char *in, char *out) { return intake_state(in, out); }
static int read_zip(const char *in, char *out) { return intake_zip(in, out); }
static int read_country(const char *in, char *out) { return intake_country(in, out); }

/* A date of birth as people write it; an ambiguous one stays as written. */
static int
read_date(const char *in, char *out)
{
	char alt[11];

	return intake_date(in, out, alt) == INTAKE_DATE_OK ? 0 : -1;
}

/* Build a profile document from a CSV record (the schema then checks it). */
static struct jv *
record_to_jv(const struct csv_reader *r, const struct csv_record *rec)
{
	struct jv *d = jv_new_object(), *names = jv_new_object(), *latin = jv_new_object();
	struct jv *addr = jv_new_object(), *street = jv_new_array(), *addrs = jv_new_array();
	struct jv *ids = jv_new_object(), *dl = jv_new_object();
	const char *v;

	set_from(d, "label", field(r, rec, "label"));
	set_from(names, "given", field(r, rec, "given"));
	set_from(names, "middle", field(r, rec, "middle"));
	set_from(names, "family", field(r, rec, "family"));
	set_from(names, "suffix", field(r, rec, "suffix"));
	if ((v = field(r, rec, "family_first")) != NULL)
		jv_set(names, "family_first", jv_new_bool(strcmp(v, "yes") == 0 ||
		    strcmp(v, "true") == 0 || strcmp(v, "1") == 0));
	set_from(latin, "given", field(r, rec, "latin_given"));
	set_from(latin, "middle", field(r, rec, "latin_middle"));
	set_from(latin, "family", field(r, rec, "latin_family"));
	if (jv_len(latin) > 0)
		jv_set(names, "latin", latin);
	else
		jv_free(latin);
	jv_set(d, "names", names);
	set_read(d, "dob", field(r, rec, "dob"), read_date);
	/* A street written over several lines in a spreadsheet cell gives several lines. */
	if ((v = field(r, rec, "street")) != NULL) {
		char *copy = xstrdup(v), *line, *save = NULL;

		for (line = strtok_r(copy, "\r\n", &save); line != NULL;
		    line = strtok_r(NULL, "\r\n", &save))
			jv_push(street, jv_new_string(line));
		secure_free(copy);
	}
	if ((v = field(r, rec, "street2")) != NULL)
		jv_push(street, jv_new_string(v));
	jv_set(addr, "street", street);
	set_from(addr, "city", field(r, rec, "city"));
	v = field(r, rec, "country");
	set_read(addr, "country", v != NULL ? v : "US", read_country);
	/* States and ZIP codes are read as people write them only for US addresses. */
	if (v == NULL || strcmp(jv_str(jv_get(addr, "country")), "US") == 0) {
		set_read(addr, "region", field(r, rec, "region"), read_state);
		set_read(addr, "postal_code", field(r, rec, "postal_code"), read_zip);
	} else {
		set_from(addr, "region", field(r, rec, "region"));
		set_from(addr, "postal_code", field(r, rec, "postal_code"));
	}
	jv_set(addr, "current", jv_new_bool(1));
	jv_push(addrs, addr);
	jv_set(d, "addresses", addrs);
	if ((v = field(r, rec, "email")) != NULL) {
		struct jv *a = jv_new_array();

		jv_push(a, jv_new_string(v));
		jv_set(d, "emails", a);
	}
	if ((v = field(r, rec, "phone")) != NULL) {
		struct jv *a = jv_new_array();

		jv_push(a, jv_new_string(v));
		jv_set(d, "phones", a);
	}
	set_from(ids, "ssn", field(r, rec, "ssn"));
	set_from(ids, "ssn_last4", field(r, rec, "ssn_last4"));
	set_from(dl, "number", field(r, rec, "drivers_license"));
	set_read(dl, "region", field(r, rec, "drivers_license_region"), read_state);
	if (jv_len(dl) > 0)
		jv_set(ids, "drivers_license", dl);
	else
		jv_free(dl);
	if (jv_len(ids) > 0)
		jv_set(d, "identifiers", ids);
	else
		jv_free(ids);
	set_from(d, "language", field(r, rec, "language"));
	return d;
}

/* Rewrite profile paths in a message as CSV column names ("column postal_code"). */
static char *
paths_to_columns(const char *msg)
{
	struct buf b;
	const char *p = msg;

	buf_init(&b);
	while (*p != '\0') {
		size_t i, best = 0, best_len = 0;

		for (i = 0; i < sizeof columns / sizeof columns[0]; i++) {
			size_t n = strlen(columns[i].path);

			/* A path stands between ": " and ":" in a message line. */
			if (p > msg && p[-1] == ' ' && strncmp(p, columns[i].path, n) == 0 &&
			    p[n] == ':' && n > best_len) {
				best = i;
				best_len = n;
			}
		}
		if (best_len > 0) {
			buf_printf(&b, "column %s", columns[best].column);
			p += best_len;
		} else
			buf_addc(&b, *p++);
	}
	return buf_detach(&b);
}

/* Add a client row to the summary. */
static struct batch_client *
add_client(struct batch_summary *s, const char *label, const char *status)
{
	struct batch_client *c;

	s->clients = xreallocarray(s->clients, s->nclients + 1, sizeof *s->clients);
	c = &s->clients[s->nclients++];
	memset(c, 0, sizeof *c);
	c->label = xstrdup(label);
	c->status = xstrdup(status);
	return c;
}

/* Add an error message for a bad row. */
static void
add_error(struct batch_summary *s, char *msg)
{
	s->errors = xreallocarray(s->errors, s->nerrors + 1, sizeof *s->errors);
	s->errors[s->nerrors++] = msg;
}

/*
 * Fill a client's counts from the packet.json of an earlier run (a sealed
 * packet keeps its packet.json inside the encrypted archive: no counts).
 */
static void
counts_from_packet(const char *dir, struct batch_client *c)
{
	char *path = path_join(dir, "packet.json"), *err = NULL;
	struct jv *doc = jv_load_file(path, (size_t)16 * 1024 * 1024, &err);
	const struct jv *reqs = jv_get(doc, "requests");
	size_t i;

	for (i = 0; i < jv_len(reqs); i++) {
		const struct jv *e = jv_at(reqs, i);
		const char *ch = jv_str(jv_get(e, "channel"));

		if (jv_get(e, "file") == NULL || ch == NULL) {
			c->skipped++;
			continue;
		}
		c->ready++;
		if (strcmp(ch, "postal") == 0 || strcmp(ch, "fax") == 0)
			c->postal++;
		else if (strcmp(ch, "email") == 0)
			c->email++;
		else if (strcmp(ch, "web") == 0)
			c->web++;
		else
			c->phone++;
	}
	free(err);
	jv_free(doc);
	free(path);
}

/* Submit a client's automatic web forms (ledger first) and count the outcomes. */
static int
send_forms(const struct batch_opts *o, const struct profile *p, struct plan_item **items,
    size_t n, struct batch_client *c, struct batch_summary *s, char **cause)
{
	struct submission *subs = xcalloc(n ? n : 1, sizeof *subs);
	struct submission **list = xcalloc(n ? n : 1, sizeof *list);
	size_t i, m = 0;
	int rc;

	for (i = 0; i < n; i++) {
		char *err = NULL;
		struct form_job *job = form_prepare(items[i], p, &err);

		free(err);
		/* A form for a person, or one the engine cannot prepare: its sheet is in web/. */
		if (job == NULL || form_for_person(job)) {
			form_free(job);
			c->by_hand++;
			continue;
		}
		subs[m].it = items[i];
		subs[m].job = job;
		list[m] = &subs[m];
		m++;
	}
	rc = submit_send(list, m, o->http, o->ledger, o->laws, p->label, cause);
	for (i = 0; i < m; i++) {
		enum form_outcome out = form_outcome(subs[i].job);

		if (rc == 0 && subs[i].already && subs[i].prior == LS_NEEDS_REVIEW)
			c->review++; /* left in review by an earlier run: still to be checked */
		else if (rc == 0 && !subs[i].already) {
			if (out == FORM_NEEDS_REVIEW)
				c->review++;
			else if (out == FORM_DONE)
				c->done++;
			else if (out == FORM_AWAITING_EMAIL)
				c->awaiting++;
			else if (out == FORM_NEEDS_HUMAN)
				c->by_hand++;
			else
				c->failed++;
		}
		form_free(subs[i].job);
		submission_clear(&subs[i]);
	}
	s->done += c->done;
	s->awaiting += c->awaiting;
	s->failed += c->failed;
	s->by_hand += c->by_hand;
	s->review += c->review;
	free(list);
	free(subs);
	return rc;
}

/* Deliver a client's email requests (ledger first) and count the outcomes. */
static int
send_emails(const struct batch_opts *o, const struct profile *p, struct plan_item **items,
    size_t n, struct batch_summary *s, char **cause)
{
	struct mail_out *outs = xcalloc(n ? n : 1, sizeof *outs);
	struct doc **docs = xcalloc(n ? n : 1, sizeof *docs);
	struct mail_deliver_opts mo = *o->mail;
	struct mail_attachment att = { "authorization.pdf", "application/pdf", NULL, 0 };
	char *signed_pdf = NULL, *person = profile_full_name(p), *path, *err = NULL;
	size_t i, m = 0;
	int rc = 0;

	if (o->agent != NULL) {
		/* The client signs authorization.pdf; the clinic puts the scan beside it. */
		path = xasprintf("%s/%s/authorization-signed.pdf", o->outdir, p->label);
		if (read_file(path, (size_t)20 << 20, &signed_pdf, &att.len, &err) != 0 ||
		    att.len < 5 || memcmp(signed_pdf, "%PDF-", 5) != 0) {
			free(err);
			free(signed_pdf);
			free(path);
			s->mail_unsigned += n;
			secure_free(person);
			free(outs);
			free(docs);
			return 0;
		}
		free(path);
		att.data = (const unsigned char *)signed_pdf;
	}
	for (i = 0; i < n; i++) {
		if ((docs[m] = letter_for_plan(o->letters, items[i], p, o->agent, 0, &err)) == NULL) {
			add_error(s, xasprintf("%s: %s", p->label, err));
			free(err);
			err = NULL;
			continue;
		}
		mail_out_init(&outs[m], items[i], docs[m], p, o->agent, person);
		if (signed_pdf != NULL) {
			outs[m].h.attachments = &att;
			outs[m].h.nattachments = 1;
		}
		m++;
	}
	mo.client = p->label;
	mo.send = 1;
	rc = mail_deliver(outs, m, &mo, o->ledger, o->laws, cause);
	for (i = 0; i < m; i++) {
		switch (outs[i].status) {
		case MS_SENT: s->mail_sent++; break;
		case MS_TEMPORARY:
		case MS_CAPPED: s->mail_later++; break;
		case MS_PERMANENT:
		case MS_REFUSED:
		case MS_UNCERTAIN: s->mail_failed++; break;
		default: break;
		}
		mail_out_clear(&outs[i]);
		doc_free(docs[i]);
	}
	free(outs);
	free(docs);
	free(signed_pdf);
	secure_free(person);
	return rc;
}

/* A client's plan items that go out with --send, by channel. */
struct client_sends {
	struct plan_item **web, **mail;
	size_t nweb, nmail;
};

/* Free what client_items collected. */
static void
client_sends_free(struct client_sends *cs)
{
	size_t i;

	for (i = 0; i < cs->nweb; i++)
		plan_item_free(cs->web[i]);
	for (i = 0; i < cs->nmail; i++)
		plan_item_free(cs->mail[i]);
	free(cs->web);
	free(cs->mail);
	memset(cs, 0, sizeof *cs);
}

/*
 * Plan a client's requests: record the ready ones in the ledger (record:
 * idempotent, inside the client's transaction; counted only when count is
 * set: a packet just written counted its own), or, when the packet just
 * recorded and committed them, only take the references the ledger holds;
 * and collect the ones --send delivers.
 */
static int
client_items(const struct batch_opts *o, const struct profile *p, struct batch_summary *s,
    int record, int count, struct client_sends *cs, char **cause)
{
	size_t i, k;
	int rc = 0;

	memset(cs, 0, sizeof *cs);
	for (i = 0; i < o->nbrokers && rc == 0; i++) {
		for (k = 0; k < o->nrequests && rc == 0; k++) {
			enum plan_basis bases[2];
			size_t nb = plan_bases(o->brokers[i], o->requests[k], bases), m;
			int recorded = 0;

			for (m = 0; m < nb && rc == 0; m++) {
				struct plan_opts po = { 0 };
				struct plan_item *it;
				long long id;
				int existed = 0;

				po.request = o->requests[k];
				po.basis = bases[m];
				po.disclose = o->disclose;
				po.agent = o->agent;
				po.today = o->today;
				it = plan_make(o->brokers[i], p, o->laws, &po);
				/*
				 * The ledger keeps one open request per client, broker and type:
				 * the first ready basis (a CRA's FCRA request) is the one tracked.
				 */
				if (it->status == PLAN_READY && !recorded && ledger_tracks(it->request)) {
					recorded = 1;
					if (!record)
						rc = ledger_reuse_reference(o->ledger, it, p->label, cause);
					else if ((rc = ledger_record_plan(o->ledger, it, p->label, &id,
					    &existed, NULL, cause)) == 0 && count && existed)
						s->already_recorded++;
					else if (rc == 0 && count)
						s->recorded++;
				}
				if (o->send && it->status == PLAN_READY && it->proc->channel == CH_WEB) {
					cs->web = xreallocarray(cs->web, cs->nweb + 1, sizeof *cs->web);
					cs->web[cs->nweb++] = it;
				} else if (o->send && o->mail != NULL && it->status == PLAN_READY &&
				    it->proc->channel == CH_EMAIL && it->proc->email != NULL) {
					cs->mail = xreallocarray(cs->mail, cs->nmail + 1, sizeof *cs->mail);
					cs->mail[cs->nmail++] = it;
				} else
					plan_item_free(it);
			}
		}
	}
	if (rc != 0)
		client_sends_free(cs);
	return rc;
}

/* Send a client's forms and emails (each committed as sending before the network). */
static int
send_items(const struct batch_opts *o, const struct profile *p, struct batch_client *c,
    struct batch_summary *s, struct client_sends *cs, char **cause)
{
	int rc = 0;

	if (cs->nweb > 0)
		rc = send_forms(o, p, cs->web, cs->nweb, c, s, cause);
	if (rc == 0 && cs->nmail > 0)
		rc = send_emails(o, p, cs->mail, cs->nmail, s, cause);
	client_sends_free(cs);
	return rc;
}

/* Packet hook: the packet's files are flushed; commit the client's requests before it is placed. */
static int
commit_client(void *ctx, char **cause)
{
	return ledger_commit(ctx, cause);
}

/*
 * One client: its packet (unless done before) and its ledger entries.  The
 * client's label claim and requests go into the ledger in one transaction,
 * committed once its packet's files are flushed and before the packet is
 * put in place: a packet in place always has its references in the ledger,
 * and a crash before the commit leaves neither (the next run starts the
 * client afresh).  Forms and emails go out after the commit.
 */
static int
do_client(const struct batch_opts *o, struct profile *p, const char *where,
    struct batch_summary *s, char **cause)
{
	struct packet_opts po = { 0 };
	struct packet_summary ps;
	struct client_sends cs;
	struct batch_client *c;
	char *dir, *err = NULL;
	size_t i;
	int mine = 0;

	if (p->label == NULL) {
		add_error(s, xasprintf(_("%s: label: every client needs a label (it names the "
		    "client's folder and ledger entries)"), where));
		return 0;
	}
	for (i = 0; i < s->nclients; i++) {
		if (strcmp(s->clients[i].label, p->label) == 0) {
			add_error(s, xasprintf(_("%s: label: \"%s\" is used by an earlier client"),
			    where, p->label));
			return 0;
		}
	}
	/*
	 * Seats sharing a ledger split the list: a client another seat's run has
	 * taken is passed over (it records and sends that client's requests).
	 */
	if (ledger_claim_work(o->ledger, p->label, &mine, cause) != 0)
		return -1;
	if (!mine) {
		add_client(s, p->label, "other-seat");
		s->other_seat++;
		return 0;
	}
	if (ledger_begin(o->ledger, cause) != 0)
		return -1;
	/* One label, one person: a label the ledger has for someone else is refused. */
	switch (client_claim(o->ledger, p, p->label, &err)) {
	case CLIENT_OK:
		break;
	case CLIENT_OTHER_PERSON:
		ledger_rollback(o->ledger);
		add_error(s, xasprintf("%s: %s", where, err));
		free(err);
		return 0;
	case CLIENT_ERROR:
	default:
		ledger_rollback(o->ledger);
		*cause = err;
		return -1;
	}
	dir = path_join(o->outdir, p->label);
	if (packet_exists(dir)) {
		if (client_items(o, p, s, 1, 1, &cs, cause) != 0 ||
		    ledger_commit(o->ledger, cause) != 0) {
			ledger_rollback(o->ledger);
			free(dir);
			return -1;
		}
		c = add_client(s, p->label, "done-before");
		counts_from_packet(dir, c);
		free(dir);
		s->done_before++;
		return send_items(o, p, c, s, &cs, cause);
	}
	po.laws = o->laws;
	po.profile = p;
	po.agent = o->agent;
	po.brokers = o->brokers;
	po.nbrokers = o->nbrokers;
	po.requests = o->requests;
	po.nrequests = o->nrequests;
	po.disclose = o->disclose;
	po.today = o->today;
	po.outdir = dir;
	po.letters = o->letters;
	po.authorization = o->agent != NULL;
	po.seal_to = o->seal_to;
	po.nseal_to = o->nseal_to;
	po.seal_passphrase = o->seal_passphrase;
	/* Recorded as the letters are written, so they print the ledger's references. */
	po.ledger = o->ledger;
	po.client = p->label;
	po.before_publish = commit_client;
	po.publish_ctx = o->ledger;
	if (packet_write(&po, &ps, &err) != 0) {
		/* Nothing of the client stays: its requests go with its packet. */
		ledger_rollback(o->ledger);
		add_error(s, xasprintf("%s: %s", where, err));
		free(err);
		free(dir);
		return 0;
	}
	free(dir);
	c = add_client(s, p->label, "written");
	c->postal = ps.postal;
	c->email = ps.email;
	c->web = ps.web;
	c->phone = ps.phone;
	c->skipped = ps.skipped;
	c->ready = ps.postal + ps.email + ps.web + ps.phone;
	s->recorded += ps.recorded;
	s->already_recorded += ps.already_recorded;
	packet_summary_free(&ps);
	s->written++;
	/* Committed with the packet: only the references are read back for sending. */
	if (!o->send)
		return 0;
	if (client_items(o, p, s, 0, 0, &cs, cause) != 0)
		return -1;
	return send_items(o, p, c, s, &cs, cause);
}

/* Whether a file name ends in .json, or .json.age when encrypted (a JSON client list). */
static int
is_json(const char *path)
{
	return str_ends_with(path, ".json") || str_ends_with(path, ".JSON") ||
	    str_ends_with(path, ".json.age") || str_ends_with(path, ".JSON.age");
}

/* Count the records of a CSV (for the progress bar), reading it once. */
static size_t
count_rows(const char *path)
{
	struct csv_reader *r;
	struct csv_record rec;
	char *cause = NULL;
	size_t n = 0;

	if ((r = csv_open(path, &cause)) == NULL) {
		free(cause);
		return 0;
	}
	while (csv_next(r, &rec, &cause) == 1)
		n++;
	free(cause);
	csv_close(r);
	return n;
}

/* Read a CSV client list, handing each good row's profile to the visitor. */
static int
each_csv(const struct clients_visitor *v, char **cause)
{
	size_t total = count_rows(v->path), done = 0, i;
	struct csv_reader *r = csv_open(v->path, cause);
	struct csv_record rec;
	int rc;

	if (r == NULL)
		return -1;
	for (i = 0; required_columns[i] != NULL; i++) {
		if (csv_column(r, required_columns[i]) < 0) {
			*cause = xasprintf(_("%s:1: the header has no column \"%s\" (required: label, "
			    "given, family, street, city)"), v->path, required_columns[i]);
			csv_close(r);
			return -1;
		}
	}
	while ((rc = csv_next(r, &rec, cause)) == 1) {
		char *where = xasprintf("%s:%zu", v->path, rec.line), *err = NULL;
		struct profile *p;

		if (!rec.ok) {
			v->bad(v->ctx, xstrdup(rec.problem));
		} else if ((p = profile_from_jv(record_to_jv(r, &rec), where, v->datadir, &err)) ==
		    NULL) {
			v->bad(v->ctx, paths_to_columns(err));
			free(err);
		} else if (v->each(v->ctx, p, where, cause) != 0) {
			free(where);
			csv_close(r);
			return -1;
		}
		free(where);
		if (v->progress != NULL)
			v->progress(v->ctx, ++done, total);
	}
	csv_close(r);
	return rc < 0 ? -1 : 0;
}

/* Read a JSON client list (an array of profiles), handing each to the visitor. */
static int
each_json(const struct clients_visitor *v, char **cause)
{
	struct vault_secret *text = vault_read_file(v->path, CLIENTS_JSON_MAX, cause);
	struct jv *doc = text != NULL ?
	    jv_parse((const char *)text->data, text->len, v->path, cause) : NULL;
	size_t i, n;

	vault_secret_free(text);
	if (doc == NULL)
		return -1;
	if (jv_type(doc) != JV_ARRAY) {
		*cause = xasprintf(_("%s: (top): expected an array of client profiles"), v->path);
		jv_free(doc);
		return -1;
	}
	n = jv_len(doc);
	for (i = 0; i < n; i++) {
		char *where = xasprintf("%s: [%zu]", v->path, i), *err = NULL;
		struct profile *p = profile_from_jv(jv_copy(jv_at(doc, i)), where, v->datadir, &err);
		int rc = 0;

		if (p == NULL)
			v->bad(v->ctx, err);
		else
			rc = v->each(v->ctx, p, where, cause);
		free(where);
		if (rc != 0) {
			jv_free(doc);
			return -1;
		}
		if (v->progress != NULL)
			v->progress(v->ctx, i + 1, n);
	}
	jv_free(doc);
	return 0;
}

/* Visit every client of a CSV or JSON client list. */
int
clients_each(const struct clients_visitor *v, char **cause)
{
	return is_json(v->path) ? each_json(v, cause) : each_csv(v, cause);
}

/* A batch run's state, for the visitor callbacks. */
struct batch_run {
	const struct batch_opts *o;
	struct batch_summary *s;
};

/* Visitor: one good client. */
static int
batch_each(void *ctx, struct profile *p, const char *where, char **cause)
{
	struct batch_run *br = ctx;
	int rc = do_client(br->o, p, where, br->s, cause);

	profile_free(p);
	return rc;
}

/* Visitor: one bad row. */
static void
batch_bad(void *ctx, char *msg)
{
	add_error(((struct batch_run *)ctx)->s, msg);
}

/*
 * From "label<TAB>where" lines, the message for labels on more than one row
 * (-1), or 0 when the hashes only collided.
 */
static int
report_duplicates(const char *path, char *lines, char **cause)
{
	char **list = NULL, *line, *save = NULL;
	size_t n = 0, i, k;
	struct buf b;
	int found = 0;

	for (line = lines ? strtok_r(lines, "\n", &save) : NULL; line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		list = xreallocarray(list, n + 1, sizeof *list);
		list[n++] = line;
	}
	buf_init(&b);
	for (i = 0; i < n; i++) {
		size_t li;
		int first = 1;

		if (list[i] == NULL)
			continue;
		li = strcspn(list[i], "\t");
		for (k = i + 1; k < n; k++) {
			if (list[k] == NULL || strncmp(list[i], list[k], li + 1) != 0)
				continue;
			if (first)
				buf_printf(&b, "%s%s: label: \"%.*s\" is on more than one row (%s",
				    b.len ? "\n" : "", path, (int)li, list[i], list[i] + li + 1);
			buf_printf(&b, ", %s", list[k] + li + 1);
			list[k] = NULL;
			first = 0;
		}
		if (!first) {
			buf_adds(&b, "): every client needs a label of their own");
			found = 1;
		}
	}
	free(list);
	if (!found) {
		buf_free(&b);
		return 0;
	}
	buf_adds(&b, "\nNothing was written: give each client its own label and run the batch "
	    "again.");
	*cause = buf_detach(&b);
	return -1;
}

/* A label's place in the uniqueness check: its hash and the good row it is on. */
struct label_seen {
	uint64_t hash;
	size_t row;
};

/* The labels of a client list, for the check made before anything is written. */
struct label_scan {
	struct label_seen *seen;
	size_t n, cap;
	int second;            /* the second walk: collect the duplicates' rows */
	uint64_t *dups;        /* hashes seen more than once (sorted) */
	size_t ndups;
	struct buf report;     /* "where: label" lines of the duplicates */
};

/* FNV-1a, 64 bits: enough to find candidates, which are then compared exactly. */
static uint64_t
label_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Order label hashes. */
static int
cmp_seen(const void *a, const void *b)
{
	const struct label_seen *x = a, *y = b;

	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

/* Order plain hashes. */
static int
cmp_u64(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* Visitor for the label check: note each good row's label (rows without one are caught later). */
static int
scan_each(void *ctx, struct profile *p, const char *where, char **cause)
{
	struct label_scan *ls = ctx;

	(void)cause;
	if (p->label != NULL) {
		uint64_t h = label_hash(p->label);

		if (!ls->second) {
			if (ls->n == ls->cap) {
				ls->cap = ls->cap ? ls->cap * 2 : 256;
				ls->seen = xreallocarray(ls->seen, ls->cap, sizeof *ls->seen);
			}
			ls->seen[ls->n].hash = h;
			ls->seen[ls->n].row = ls->n;
			ls->n++;
		} else if (bsearch(&h, ls->dups, ls->ndups, sizeof *ls->dups, cmp_u64) != NULL)
			buf_printf(&ls->report, "%s\t%s\n", p->label, where);
	}
	profile_free(p);
	return 0;
}

/* Visitor for the label check: bad rows are reported by the real run. */
static void
scan_bad(void *ctx, char *msg)
{
	(void)ctx;
	free(msg);
}

/*
 * Refuse a client list in which two clients share a label, before anything
 * is written: one label, one person.  The first walk keeps only a hash per
 * row; a second walk, only when hashes repeat, finds the rows.
 */
static int
labels_unique(const struct batch_opts *o, char **cause)
{
	struct label_scan ls = { 0 };
	struct clients_visitor v = { 0 };
	size_t i;
	int rc = 0;

	v.path = o->clients;
	v.datadir = o->datadir;
	v.each = scan_each;
	v.bad = scan_bad;
	v.ctx = &ls;
	buf_init(&ls.report);
	if (clients_each(&v, cause) != 0) {
		free(ls.seen);
		return -1;
	}
	qsort(ls.seen, ls.n, sizeof *ls.seen, cmp_seen);
	for (i = 1; i < ls.n; i++)
		if (ls.seen[i].hash == ls.seen[i - 1].hash &&
		    (ls.ndups == 0 || ls.dups[ls.ndups - 1] != ls.seen[i].hash)) {
			ls.dups = xreallocarray(ls.dups, ls.ndups + 1, sizeof *ls.dups);
			ls.dups[ls.ndups++] = ls.seen[i].hash;
		}
	free(ls.seen);
	if (ls.ndups == 0)
		return 0;
	ls.second = 1;
	if (clients_each(&v, cause) != 0) {
		rc = -1;
		goto out;
	}
	rc = report_duplicates(o->clients, ls.report.data, cause);
out:
	free(ls.dups);
	buf_free(&ls.report);
	return rc;
}

/* Visitor: progress, passed on to the caller's callback. */
static void
batch_progress(void *ctx, size_t done, size_t total)
{
	const struct batch_opts *o = ((struct batch_run *)ctx)->o;

	if (o->progress != NULL)
		o->progress(o->progress_ctx, done, total);
}

/* Run a batch. */
int
batch_run(const struct batch_opts *o, struct batch_summary *s, char **cause)
{
	memset(s, 0, sizeof *s);
	/* Before anything is written: two rows with one label would be one person. */
	if (labels_unique(o, cause) != 0)
		return -1;
	if (make_dirs(o->outdir, 0700, cause) != 0)
		return -1;
	{
		struct batch_run br = { o, s };
		struct clients_visitor v = { 0 };

		v.path = o->clients;
		v.datadir = o->datadir;
		v.each = batch_each;
		v.bad = batch_bad;
		v.progress = batch_progress;
		v.ctx = &br;
		return clients_each(&v, cause);
	}
}

/* A CSV field, quoted when it needs to be. */
static void
csv_field(struct buf *b, const char *s)
{
	const char *c;

	if (strpbrk(s, ",\"\r\n") == NULL) {
		buf_adds(b, s);
		return;
	}
	buf_addc(b, '"');
	for (c = s; *c; c++) {
		if (*c == '"')
			buf_addc(b, '"');
		buf_addc(b, *c);
	}
	buf_addc(b, '"');
}

/* Write summary.csv and summary.pdf (client labels and counts only). */
int
batch_write_summary(const struct batch_opts *o, const struct batch_summary *s, char **cause)
{
	struct jv *d = jv_new_object(), *clients = jv_new_array(), *errors = jv_new_array();
	size_t i, ready = 0, skipped = 0;
	struct buf csv;
	char *path, *day, *lang;
	unsigned char *pdf;
	size_t len;
	int rc;

	buf_init(&csv);
	buf_adds(&csv, "client,status,ready,letters,emails,web,phone,not_included,"
	    "forms_done,forms_awaiting_email,forms_failed,forms_by_hand,forms_needs_review\r\n");
	for (i = 0; i < s->nclients; i++) {
		const struct batch_client *c = &s->clients[i];
		struct jv *e;

		csv_field(&csv, c->label);
		buf_printf(&csv, ",%s,%zu,%zu,%zu,%zu,%zu,%zu,%zu,%zu,%zu,%zu,%zu\r\n", c->status,
		    c->ready, c->postal, c->email, c->web, c->phone, c->skipped, c->done, c->awaiting,
		    c->failed, c->by_hand, c->review);
		ready += c->ready;
		skipped += c->skipped;
		/* A PDF is held whole in memory: past a printable length the CSV has the rest. */
		if (i >= SUMMARY_PDF_ROWS)
			continue;
		e = jv_new_object();
		jv_set_str(e, "client", c->label);
		jv_set_str(e, "status", c->status);
		/* The status as flags, for a summary worded in another language. */
		jv_set(e, "is_written", jv_new_bool(strcmp(c->status, "written") == 0));
		jv_set(e, "is_done_before", jv_new_bool(strcmp(c->status, "done-before") == 0));
		jv_set(e, "is_error", jv_new_bool(strcmp(c->status, "error") == 0));
		jv_set(e, "ready", jv_new_int((long long)c->ready));
		jv_set(e, "postal", jv_new_int((long long)c->postal));
		jv_set(e, "email", jv_new_int((long long)c->email));
		jv_set(e, "web", jv_new_int((long long)c->web));
		jv_set(e, "phone", jv_new_int((long long)c->phone));
		jv_set(e, "skipped", jv_new_int((long long)c->skipped));
		jv_push(clients, e);
	}
	for (i = 0; i < s->nerrors; i++)
		jv_push(errors, jv_new_string(s->errors[i]));
	path = path_join(o->outdir, "summary.csv");
	rc = write_file_atomic(path, csv.data, csv.len, 0600, cause);
	free(path);
	buf_free(&csv);
	if (rc != 0) {
		jv_free(clients);
		jv_free(errors);
		jv_free(d);
		return -1;
	}
	lang = i18n_template_language(o->language, o->datadir);
	day = i18n_date_long(o->today, lang, o->datadir);
	jv_set_str(d, "today", day);
	free(day);
	jv_set_str(d, "batch_id", "optout batch");
	if (o->agent != NULL) {
		struct jv *a = jv_new_object();

		jv_set_str(a, "organization", o->agent->organization);
		jv_set(d, "agent", a);
	}
	jv_set(d, "count_clients", jv_new_int((long long)s->nclients + (long long)s->nerrors));
	jv_set(d, "count_written", jv_new_int((long long)s->written));
	jv_set(d, "count_done", jv_new_int((long long)s->done_before));
	jv_set(d, "count_errors", jv_new_int((long long)s->nerrors));
	jv_set(d, "count_ready", jv_new_int((long long)ready));
	jv_set(d, "count_skipped", jv_new_int((long long)skipped));
	if (o->send) {
		jv_set(d, "sent", jv_new_bool(1));
		jv_set(d, "forms_done", jv_new_int((long long)s->done));
		jv_set(d, "forms_awaiting", jv_new_int((long long)s->awaiting));
		jv_set(d, "forms_failed", jv_new_int((long long)s->failed));
		jv_set(d, "forms_by_hand", jv_new_int((long long)s->by_hand));
		jv_set(d, "forms_review", jv_new_int((long long)s->review));
		jv_set(d, "has_review", jv_new_bool(s->review > 0));
	}
	jv_set(d, "clients", clients);
	if (s->nclients > SUMMARY_PDF_ROWS) {
		jv_set(d, "more_clients", jv_new_int((long long)(s->nclients - SUMMARY_PDF_ROWS)));
		jv_set(d, "shown_clients", jv_new_int(SUMMARY_PDF_ROWS));
		jv_set(d, "has_more", jv_new_bool(1));
	}
	jv_set(d, "has_errors", jv_new_bool(s->nerrors > 0));
	jv_set(d, "errors", errors);
	rc = letters_pdf(letters_language(o->letters, lang), "batch-summary", d, &pdf, &len, cause);
	free(lang);
	jv_free(d);
	if (rc != 0)
		return -1;
	path = path_join(o->outdir, "summary.pdf");
	rc = write_file_atomic(path, pdf, len, 0600, cause);
	free(path);
	free(pdf);
	return rc;
}

/* Free a summary. */
void
batch_summary_free(struct batch_summary *s)
{
	size_t i;

	for (i = 0; i < s->nclients; i++) {
		free(s->clients[i].label);
		free(s->clients[i].status);
	}
	free(s->clients);
	for (i = 0; i < s->nerrors; i++)
		free(s->errors[i]);
	free(s->errors);
	memset(s, 0, sizeof *s);
}
