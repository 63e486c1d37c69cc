/* packet: write a person's complete request packet, atomically. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "optout/doc.h"
#include "optout/jv.h"
#include "optout/letter.h"
#include "optout/packet.h"
#include "optout/pdf.h"
#include "optout/plan.h"
#include "optout/profile.h"
#include "optout/util.h"

/* Everything a run accumulates before the final rename. */
struct run {
	const struct packet_opts *o;
	char *tmp;                 /* the temporary directory */
	struct doc **letters;      /* postal letters, for print-all.pdf */
	size_t nletters;
	struct jv *items;          /* packet.json entries */
	struct jv *cover_items, *skipped;
	struct packet_summary *sum;
};

/*
 * Remove what an interrupted run left beside outdir: its temporary folder
 * (OUT.tmp-XXXXXX) holds personal data and must not linger, and an
 * earlier packet moved aside (OUT.old-XXXXXX) was due for removal.
 */
static void
remove_leftovers(const char *outdir)
{
	char *parent = path_dirname(outdir), *base;
	const char *slash = strrchr(outdir, '/');
	size_t blen;
	struct dirent *e;
	DIR *d;

	base = xstrdup(slash != NULL ? slash + 1 : outdir);
	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		base[--blen] = '\0';
	if ((d = opendir(parent)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			const char *rest = e->d_name + blen;

			/* Only names mkdtemp made for this folder: OUT.tmp- or OUT.old- and 6 more. */
			if (strncmp(e->d_name, base, blen) == 0 && strlen(rest) == 11 &&
			    (strncmp(rest, ".tmp-", 5) == 0 || strncmp(rest, ".old-", 5) == 0)) {
				char *p = path_join(parent, e->d_name);

				remove_tree(p);
				free(p);
			}
		}
		closedir(d);
	}
	free(base);
	free(parent);
}

/* Whether a directory is empty (or does not exist). */
static int
dir_is_empty(const char *path, int *exists)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int empty = 1;

	*exists = d != NULL || errno != ENOENT;
	if (d == NULL)
		return errno == ENOENT;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return empty;
}

/* Whether a folder holds a finished packet (its packet.json). */
int
packet_exists(const char *dir)
{
	char *p = path_join(dir, "packet.json");
	int r = access(p, F_OK) == 0;

	free(p);
	return r;
}

/* Write a file inside the temporary directory (subdir may be NULL). */
static int
put_file(struct run *r, const char *subdir, const char *name, const void *data, size_t len,
    char **cause)
{
	char *dir = subdir ? path_join(r->tmp, subdir) : xstrdup(r->tmp);
	char *path = path_join(dir, name);
	int rc;

	rc = make_dirs(dir, 0700, cause);
	if (rc == 0)
		rc = write_file_atomic(path, data, len, 0600, cause);
	free(path);
	free(dir);
	return rc;
}

/* Whether the PDF renderer can print a piece of text as it is. */
static int
printable(const char *text)
{
	char *markup = xasprintf("\\%s\n", text), *err = NULL;
	struct doc *d = doc_parse(markup, &err);
	int ok = d != NULL && pdf_check(d, NULL, &err) == 0;

	secure_free(markup);
	free(err);
	doc_free(d);
	return ok;
}

/* The person's name for a PDF: as written when it can be printed, else its Latin form. */
static char *
printable_name(const struct profile *p, int *used_latin)
{
	char *name = profile_full_name(p), *lat;

	*used_latin = 0;
	if (printable(name))
		return name;
	lat = profile_latin_name(p);
	if (lat == NULL)
		return name;
	secure_free(name);
	*used_latin = 1;
	return lat;
}

/* "<broker>-<request>" for file names, with "-privacy" for a CRA's second request. */
static char *
base_name(const struct plan_item *it)
{
	return xasprintf("%s-%s%s", it->broker->id, request_name(it->request),
	    it->basis == BASIS_PRIVACY ? "-privacy" : "");
}

/* Why a plan item could not be prepared, in plain words. */
static char *
skip_reason(const struct plan_item *it)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	switch (it->status) {
	case PLAN_NO_CHANNEL:
		buf_adds(&b, "no way to make requests to this broker is known");
		if (it->broker->no_consumer_channel != NULL)
			buf_printf(&b, " (%s)", it->broker->no_consumer_channel);
		break;
	case PLAN_NO_PROCEDURE:
		buf_printf(&b, "the broker has no known procedure for %s requests",
		    request_name(it->request));
		break;
	case PLAN_MISSING:
		buf_adds(&b, "the profile lacks ");
		for (i = 0; it->missing[i] != NULL; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", it->missing[i]);
		buf_adds(&b, ", which the broker's procedure requires");
		break;
	case PLAN_NEEDS_CONSENT:
		buf_adds(&b, "the procedure requires ");
		for (i = 0; it->withheld[i] != NULL; i++)
			buf_printf(&b, "%s%s", i ? " and " : "", field_label(it->withheld[i]));
		/* One command that allows every withheld field at once. */
		buf_adds(&b, "; run again with --disclose ");
		for (i = 0; it->withheld[i] != NULL; i++)
			buf_printf(&b, "%s%s", i ? "," : "", it->withheld[i]);
		buf_adds(&b, " if you agree to send it");
		break;
	case PLAN_READY:
		break;
	}
	return buf_detach(&b);
}

/* The disclosed fields, by their short names (the cover explains them). */
static char *
sends_text(const struct plan_item *it)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; it->disclosed[i] != NULL; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", it->disclosed[i]);
	return buf_detach(&b);
}

/* Append one label/value row to a sheet's values. */
static void
add_value(struct jv *vals, const char *label, const struct jv *value)
{
	struct jv *e;

	if (value == NULL)
		return;
	e = jv_new_object();
	jv_set_str(e, "label", label);
	jv_set(e, "value", jv_copy(value));
	jv_push(vals, e);
}

/* The values to enter on a form or say on the phone. */
static struct jv *
sheet_values(const struct jv *letter_data)
{
	const struct jv *person = jv_get(letter_data, "person"), *disc = jv_get(person, "disclosed");
	struct jv *vals = jv_new_array();
	size_t i;

	add_value(vals, "Name", jv_get(person, "name"));
	add_value(vals, "Name in Latin letters", jv_get(person, "latin_name"));
	add_value(vals, "Address", jv_get(person, "address"));
	for (i = 0; i < jv_len(disc); i++)
		jv_push(vals, jv_copy(jv_at(disc, i)));
	return vals;
}

/* What the person says they are asking for, on a sheet. */
static const char *
request_words(const struct plan_item *it)
{
	if (it->request == REQ_FREEZE)
		return "security freeze";
	if (it->request != REQ_OPTOUT)
		return request_name(it->request);
	if (strcmp(it->law->family, "fcra") == 0)
		return "prescreen opt-out (of prescreened credit and insurance offers)";
	return "opt-out of sale and sharing";
}

/* Write the sheet for a web form or telephone procedure. */
static int
write_sheet(struct run *r, const struct plan_item *it, char **file, char **cause)
{
	const struct procedure *proc = it->proc;
	struct jv *letter = plan_letter_data(it, r->o->profile, r->o->agent, 0);
	struct jv *d = jv_new_object();
	struct doc *doc = NULL;
	char *base = base_name(it), *text = NULL, *name, *t, day[32];
	const char *sub = proc->channel == CH_WEB ? "web" : "phone";
	int rc = -1;
	size_t i;

	jv_set_str(d, "reference", it->reference);
	jv_set_str(d, "broker", it->broker->name);
	jv_set_str(d, "request", request_name(it->request));
	jv_set_str(d, "request_words", request_words(it));
	jv_set(d, "is_web", jv_new_bool(proc->channel == CH_WEB));
	jv_set(d, "is_phone", jv_new_bool(proc->channel == CH_PHONE));
	jv_set_str(d, "url", proc->url);
	jv_set_str(d, "phone", proc->phone);
	jv_set_str(d, "law_name", it->law->name);
	jv_set_str(d, "section", law_section(it->law, it->request));
	date_format_long(it->due, day);
	jv_set_str(d, "due", day);
	t = deadline_text(it->deadline.days, it->deadline.unit);
	jv_set_str(d, "deadline", t);
	free(t);
	jv_set(d, "binding", jv_new_bool(it->deadline.binding));
	jv_set(d, "is_access", jv_new_bool(it->request == REQ_ACCESS));
	jv_set(d, "is_opt_out", jv_new_bool(it->request == REQ_OPTOUT));
	jv_set(d, "is_agent", jv_new_bool(r->o->agent != NULL));
	jv_set_str(d, "deadline_citation", it->deadline.citation != NULL ? it->deadline.citation
	    : it->law->citation);
	jv_set(d, "values", sheet_values(letter));
	{
		struct jv *notes = jv_new_array();

		for (i = 0; it->notes[i] != NULL; i++)
			jv_push(notes, jv_new_string(it->notes[i]));
		for (i = 0; it->documents[i] != NULL; i++) {
			t = xasprintf("Have ready: %s.", field_label(it->documents[i]));
			jv_push(notes, jv_new_string(t));
			free(t);
		}
		if (proc->notes != NULL)
			jv_push(notes, jv_new_string(proc->notes));
		jv_set(d, "has_notes", jv_new_bool(jv_len(notes) > 0));
		jv_set(d, "notes", notes);
	}
	doc = letter_render(r->o->letters, "sheet", d, cause);
	if (doc == NULL)
		goto out;
	text = doc_to_text(doc, 78);
	name = xasprintf("%s.txt", base);
	rc = put_file(r, sub, name, text, strlen(text), cause);
	*file = xasprintf("%s/%s", sub, name);
	free(name);
out:
	secure_free(text);
	doc_free(doc);
	jv_free(d);
	jv_free(letter);
	free(base);
	return rc;
}

/* Write the email (.eml and .txt) for an email procedure. */
static int
write_email(struct run *r, const struct plan_item *it, char **file, char **cause)
{
	const struct profile *p = r->o->profile;
	struct doc *d = letter_for_plan(r->o->letters, it, p, r->o->agent, 0, cause);
	char *msg, *text, *name, *base = base_name(it);
	int rc = -1;

	if (d == NULL) {
		free(base);
		return -1;
	}
	msg = letter_email(d, it, p, r->o->agent, cause);
	if (msg != NULL) {
		name = xasprintf("%s.eml", base);
		rc = put_file(r, "emails", name, msg, strlen(msg), cause);
		*file = xasprintf("emails/%s", name);
		free(name);
		text = doc_to_text(d, 72);
		name = xasprintf("%s.txt", base);
		if (rc == 0)
			rc = put_file(r, "emails", name, text, strlen(text), cause);
		free(name);
		secure_free(text);
		secure_free(msg);
	}
	free(base);
	doc_free(d);
	return rc;
}

/* Write the PDF letter for a postal (or fax) procedure. */
static int
write_letter(struct run *r, const struct plan_item *it, char **file, char **cause)
{
	unsigned char *pdf;
	size_t len;
	struct doc *d;
	char *name, *base = base_name(it), *err = NULL;
	int rc;

	if (letter_pdf(r->o->letters, it, r->o->profile, r->o->agent,
	    r->o->profile->signature_image, &pdf, &len, &d, &err) != 0) {
		*cause = xasprintf("%s: %s", base, err);
		free(err);
		free(base);
		return -1;
	}
	name = xasprintf("%s.pdf", base);
	rc = put_file(r, "letters", name, pdf, len, cause);
	*file = xasprintf("letters/%s", name);
	free(name);
	free(base);
	free(pdf);
	r->letters = xreallocarray(r->letters, r->nletters + 1, sizeof *r->letters);
	r->letters[r->nletters++] = d;
	return rc;
}

/* Plan and write one broker x request. */
static int
do_item(struct run *r, const struct broker *b, enum request req, enum plan_basis basis,
    char **cause)
{
	struct plan_opts po = { 0 };
	struct plan_item *it;
	struct jv *entry;
	char *file = NULL;
	int rc = 0;

	po.request = req;
	po.basis = basis;
	po.disclose = r->o->disclose;
	po.agent = r->o->agent;
	po.today = r->o->today;
	po.correction = r->o->correction;
	it = plan_make(b, r->o->profile, r->o->laws, &po);
	entry = plan_to_jv(it);
	if (it->status != PLAN_READY) {
		struct jv *s = jv_new_object();
		char *why = skip_reason(it);

		jv_set_str(s, "broker", b->name);
		jv_set_str(s, "request", request_name(req));
		jv_set_str(s, "reason", why);
		jv_push(r->skipped, s);
		jv_set_str(entry, "skipped", why);
		free(why);
		r->sum->skipped++;
	} else {
		switch (it->proc->channel) {
		case CH_POSTAL:
		case CH_FAX:
			rc = write_letter(r, it, &file, cause);
			r->sum->postal++;
			break;
		case CH_EMAIL:
			rc = write_email(r, it, &file, cause);
			r->sum->email++;
			break;
		case CH_WEB:
			rc = write_sheet(r, it, &file, cause);
			r->sum->web++;
			break;
		case CH_PHONE:
		default:
			rc = write_sheet(r, it, &file, cause);
			r->sum->phone++;
			break;
		}
		if (rc == 0) {
			struct jv *c = jv_new_object();
			char day[11], *sends = sends_text(it);

			jv_set_str(entry, "file", file);
			jv_set_str(c, "broker", b->name);
			jv_set_str(c, "request", request_name(req));
			jv_set_str(c, "channel", channel_name(it->proc->channel));
			jv_set_str(c, "law", law_section(it->law, req));
			date_format(it->due, day);
			jv_set_str(c, "due", day);
			jv_set_str(c, "sends", sends);
			jv_set_str(c, "reference", it->reference);
			jv_push(r->cover_items, c);
			free(sends);
		}
	}
	free(file);
	jv_push(r->items, entry);
	r->sum->items = xreallocarray(r->sum->items, r->sum->nitems + 1, sizeof *r->sum->items);
	r->sum->items[r->sum->nitems++] = it;
	return rc;
}

/* The cover sheet PDF. */
static int
write_cover(struct run *r, char **cause)
{
	const struct packet_summary *s = r->sum;
	struct jv *d = jv_new_object();
	unsigned char *pdf;
	size_t len;
	char day[32], *lat;
	int rc;

	date_format_long(r->o->today, day);
	jv_set_str(d, "today", day);
	/* A name the PDF cannot print is given in its Latin form on the cover. */
	{
		int used_latin;

		lat = printable_name(r->o->profile, &used_latin);
		jv_set_str(d, "person_name", lat);
	}
	jv_set_str(d, "client", r->o->profile->label ? r->o->profile->label : "(no label)");
	jv_set(d, "is_agent", jv_new_bool(r->o->agent != NULL));
	if (r->o->agent != NULL) {
		struct jv *a = jv_new_object();

		jv_set_str(a, "organization", r->o->agent->organization);
		jv_set(d, "agent", a);
	}
	jv_set(d, "count_ready", jv_new_int((long long)s->postal + (long long)s->email +
	    (long long)s->web + (long long)s->phone));
	jv_set(d, "count_postal", jv_new_int((long long)s->postal));
	jv_set(d, "count_email", jv_new_int((long long)s->email));
	jv_set(d, "count_web", jv_new_int((long long)s->web));
	jv_set(d, "count_phone", jv_new_int((long long)s->phone));
	jv_set(d, "has_postal", jv_new_bool(s->postal > 0));
	jv_set(d, "has_email", jv_new_bool(s->email > 0));
	jv_set(d, "has_web", jv_new_bool(s->web > 0));
	jv_set(d, "has_phone", jv_new_bool(s->phone > 0));
	jv_set(d, "items", jv_copy(r->cover_items));
	jv_set(d, "skipped", jv_copy(r->skipped));
	jv_set(d, "has_skipped", jv_new_bool(jv_len(r->skipped) > 0));
	jv_set_str(d, "packet_id", "optout packet");
	secure_free(lat);
	rc = letters_pdf(r->o->letters, "cover", d, &pdf, &len, cause);
	jv_free(d);
	if (rc != 0)
		return -1;
	rc = put_file(r, NULL, "cover.pdf", pdf, len, cause);
	free(pdf);
	return rc;
}

/* The authorization the person signs for the agent, naming every request in the packet. */
static int
write_authorization(struct run *r, char **cause)
{
	const struct profile *p = r->o->profile;
	struct jv *d = jv_new_object(), *person = jv_new_object(), *agent = jv_new_object();
	struct jv *reqs = jv_new_array();
	char *name = profile_full_name(p), *lat = profile_latin_name(p), *one, day[32];
	int has_ccpa = 0, has_other = 0, rc;
	unsigned char *pdf;
	size_t i, len;

	for (i = 0; i < r->sum->nitems; i++) {
		const struct plan_item *it = r->sum->items[i];
		struct jv *e;

		if (it->status != PLAN_READY)
			continue;
		e = jv_new_object();
		jv_set_str(e, "broker", it->broker->name);
		jv_set_str(e, "request", request_name(it->request));
		jv_set_str(e, "law", it->law->name);
		jv_push(reqs, e);
		if (strcmp(it->law->family, "ccpa") == 0)
			has_ccpa = 1;
		else
			has_other = 1;
	}
	{
		int used_latin;
		char *shown = printable_name(p, &used_latin);

		jv_set_str(person, "name", shown);
		if (!used_latin && lat != NULL && strcmp(lat, shown) != 0)
			jv_set_str(person, "latin_name", lat);
		secure_free(shown);
	}
	one = address_one_line(p->current);
	jv_set_str(person, "address", one);
	secure_free(one);
	jv_set(d, "person", person);
	jv_set_str(agent, "name", r->o->agent->name);
	jv_set_str(agent, "title", r->o->agent->title);
	jv_set_str(agent, "organization", r->o->agent->organization);
	one = address_one_line(&r->o->agent->address);
	jv_set_str(agent, "address", one);
	free(one);
	jv_set(d, "agent", agent);
	jv_set(d, "requests", reqs);
	jv_set(d, "has_ccpa", jv_new_bool(has_ccpa));
	jv_set(d, "has_other", jv_new_bool(has_other));
	jv_set_str(d, "client", p->label ? p->label : "authorization");
	/* An authorization for a year: long enough for deadlines, extensions and follow-ups. */
	date_format_long(date_add_months(r->o->today, 12), day);
	jv_set_str(d, "expires", day);
	secure_free(name);
	secure_free(lat);
	rc = letters_pdf(r->o->letters, "authorization", d, &pdf, &len, cause);
	jv_free(d);
	if (rc != 0)
		return -1;
	rc = put_file(r, NULL, "authorization.pdf", pdf, len, cause);
	free(pdf);
	return rc;
}

/* Flush a directory's entries to disk. */
static void
sync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd != -1) {
		fsync(fd);
		close(fd);
	}
}

/* Write the packet. */
int
packet_write(const struct packet_opts *o, struct packet_summary *sum, char **cause)
{
	struct run r = { 0 };
	char *parent, *json = NULL;
	size_t i, k;
	int exists, rc = -1;

	memset(sum, 0, sizeof *sum);
	if (!dir_is_empty(o->outdir, &exists) && !(o->replace && packet_exists(o->outdir))) {
		*cause = xasprintf("%s: already exists and is not empty (choose a new folder)",
		    o->outdir);
		return -1;
	}
	/* The temporary folder sits beside the destination, so the final rename is atomic. */
	remove_leftovers(o->outdir);
	parent = path_dirname(o->outdir);
	if (make_dirs(parent, 0700, cause) != 0) {
		free(parent);
		return -1;
	}
	r.tmp = xasprintf("%s.tmp-XXXXXX", o->outdir);
	if (mkdtemp(r.tmp) == NULL) {
		*cause = xasprintf("%s: cannot create a folder beside it: %s", o->outdir,
		    strerror(errno));
		free(r.tmp);
		free(parent);
		return -1;
	}
	r.o = o;
	r.sum = sum;
	r.items = jv_new_array();
	r.cover_items = jv_new_array();
	r.skipped = jv_new_array();
	for (i = 0; i < o->nbrokers; i++) {
		for (k = 0; k < o->nrequests; k++) {
			enum plan_basis bases[2];
			size_t nb = plan_bases(o->brokers[i], o->requests[k], bases), m;

			for (m = 0; m < nb; m++)
				if (do_item(&r, o->brokers[i], o->requests[k], bases[m], cause) != 0)
					goto fail;
		}
	}
	if (write_cover(&r, cause) != 0)
		goto fail;
	if (o->agent != NULL && o->authorization && write_authorization(&r, cause) != 0)
		goto fail;
	if (r.nletters > 0) {
		struct pdf_opts po = { 0 };
		unsigned char *pdf;
		size_t len;

		po.duplex = o->duplex;
		po.signature_image = o->profile->signature_image;
		if (pdf_render_many((const struct doc *const *)r.letters, r.nletters, &po, &pdf, &len,
		    cause) != 0)
			goto fail;
		rc = put_file(&r, NULL, "print-all.pdf", pdf, len, cause);
		free(pdf);
		if (rc != 0)
			goto fail;
	}
	{
		struct jv *top = jv_new_object();
		char day[11];

		date_format(o->today, day);
		jv_set(top, "version", jv_new_int(1));
		jv_set_str(top, "created", day);
		jv_set_str(top, "client", o->profile->label);
		jv_set(top, "requests", r.items);
		r.items = NULL;
		json = jv_dump(top, 1);
		jv_free(top);
	}
	if (put_file(&r, NULL, "packet.json", json, strlen(json), cause) != 0)
		goto fail;
	if (exists && rmdir(o->outdir) != 0) {
		/* An earlier packet: move it aside, put the new one in place, then remove it. */
		char *old = xasprintf("%s.old-XXXXXX", o->outdir);

		if (mkdtemp(old) == NULL || rename(o->outdir, old) != 0) {
			*cause = xasprintf("%s: cannot move the earlier packet aside: %s", o->outdir,
			    strerror(errno));
			free(old);
			goto fail;
		}
		if (rename(r.tmp, o->outdir) != 0) {
			*cause = xasprintf("%s: %s", o->outdir, strerror(errno));
			rename(old, o->outdir);
			free(old);
			goto fail;
		}
		remove_tree(old);
		free(old);
	} else if (rename(r.tmp, o->outdir) != 0) {
		*cause = xasprintf("%s: %s", o->outdir, strerror(errno));
		goto fail;
	}
	sync_path(parent);
	rc = 0;
	goto out;
fail:
	rc = -1;
	remove_tree(r.tmp);
	packet_summary_free(sum);
out:
	free(json);
	for (i = 0; i < r.nletters; i++)
		doc_free(r.letters[i]);
	free(r.letters);
	jv_free(r.items);
	jv_free(r.cover_items);
	jv_free(r.skipped);
	free(r.tmp);
	free(parent);
	return rc;
}

/* Free a summary's plan items. */
void
packet_summary_free(struct packet_summary *s)
{
	size_t i;

	for (i = 0; i < s->nitems; i++)
		plan_item_free(s->items[i]);
	free(s->items);
	memset(s, 0, sizeof *s);
}
