/* packet: write a person's complete request packet, atomically. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "optout/doc.h"
#include "optout/i18n.h"
#include "optout/jv.h"
#include "optout/ledger.h"
#include "optout/letter.h"
#include "optout/packet.h"
#include "optout/pdf.h"
#include "optout/plan.h"
#include "optout/profile.h"
#include "optout/util.h"
#include "optout/vault.h"

/* Everything a run accumulates before the final rename. */
struct run {
	const struct packet_opts *o;
	char *tmp;                 /* the temporary directory */
	struct doc **letters;      /* postal letters, for print-all.pdf */
	size_t nletters;
	struct jv *items;          /* packet.json entries */
	struct jv *cover_items, *skipped;
	struct jv *gov_items;      /* cover rows of brokers that sell to government */
	struct packet_summary *sum;
	struct buf *archive;       /* a sealed packet's files, in memory, as a tar archive */
	char **archived_dirs;      /* folders already in the archive */
	struct letters *person;    /* the person's language: cover, sheets, authorization */
	char *lang;                /* its letters/<lang> folder, NULL for English */
	size_t nstale;             /* ready items whose contact is stale or unverified */
	size_t ntranslations;      /* reading copies written in translations/ */
	size_t nself;              /* agent filing: requests the person makes personally */
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
	char *p = path_join(dir, "packet.json"), *sealed = path_join(dir, "packet.tar.age");
	int r = access(p, F_OK) == 0 || access(sealed, F_OK) == 0;

	free(p);
	free(sealed);
	return r;
}

/* Add a file to a sealed packet's archive, with its folder (0700) the first time. */
static int
archive_file(struct run *r, const char *subdir, const char *name, const void *data, size_t len,
    char **cause)
{
	long long now = (long long)time(NULL);
	char *path;
	int rc;

	if (subdir != NULL && !strlist_has((const char **)r->archived_dirs, subdir)) {
		char *d = xasprintf("%s/", subdir);

		rc = tar_add(r->archive, d, NULL, 0, 0700, now);
		free(d);
		if (rc != 0) {
			*cause = xasprintf(_("%s: a folder name too long for the archive"), subdir);
			return -1;
		}
		{
			size_t n = strlist_len((const char **)r->archived_dirs);

			r->archived_dirs = xreallocarray(r->archived_dirs, n + 2, sizeof(char *));
			r->archived_dirs[n] = xstrdup(subdir);
			r->archived_dirs[n + 1] = NULL;
		}
	}
	path = subdir != NULL ? xasprintf("%s/%s", subdir, name) : xstrdup(name);
	rc = tar_add(r->archive, path, data, len, 0600, now);
	if (rc != 0)
		*cause = xasprintf(_("%s: a file name too long for the archive"), path);
	free(path);
	return rc;
}

/* Encrypt a sealed packet's archive into packet.tar.age in the temporary folder. */
static int
seal_archive(struct run *r, char **cause)
{
	struct buf enc;
	char *path;
	int rc;

	tar_end(r->archive);
	if (r->o->to_memory != NULL && r->o->nseal_to == 0 && r->o->seal_passphrase == NULL) {
		buf_add(r->o->to_memory, r->archive->data, r->archive->len);
		return 0;
	}
	buf_init(&enc);
	rc = vault_age_encrypt(r->archive->data, r->archive->len, r->o->seal_to, r->o->nseal_to,
	    r->o->seal_passphrase, &enc, cause);
	if (rc == 0 && r->o->to_memory != NULL) {
		buf_add(r->o->to_memory, enc.data, enc.len);
	} else if (rc == 0) {
		path = path_join(r->tmp, "packet.tar.age");
		rc = write_file_new(path, enc.data, enc.len, 0600, cause);
		free(path);
	}
	buf_free(&enc);
	return rc;
}

/* Write a file inside the temporary directory (subdir may be NULL). */
static int
put_file(struct run *r, const char *subdir, const char *name, const void *data, size_t len,
    char **cause)
{
	char *dir, *path;
	int rc;

	if (r->archive != NULL)
		return archive_file(r, subdir, name, data, len, cause);
	dir = subdir ? path_join(r->tmp, subdir) : xstrdup(r->tmp);
	path = path_join(dir, name);
	rc = make_dirs(dir, 0700, cause);
	/* Flushed all at once (sync_tree) before the folder is renamed into place. */
	if (rc == 0)
		rc = write_file_new(path, data, len, 0600, cause);
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

/* Field names joined by sep; labels (in the page's language lang) instead when labelled. */
static char *
field_list(char **fields, const char *sep, int labelled, const char *lang)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; fields[i] != NULL; i++)
		buf_printf(&b, "%s%s", i ? sep : "",
		    labelled ? i18n_page_gettext(lang, field_label(fields[i])) : fields[i]);
	return buf_detach(&b);
}

/*
 * What a plan item lacks, in the page's language lang: profile field names
 * as the profile spells them, alternatives joined by a translated "or",
 * and the correction a correct request needs.
 */
static char *
missing_list(char **missing, const char *lang)
{
	/* TRANSLATORS: between two profile fields either of which would do ("dob or ssn_last4") */
	const char *or = i18n_page_gettext(lang, N_(" or "));
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; missing[i] != NULL; i++) {
		const char *m = missing[i], *p;

		if (i > 0)
			buf_adds(&b, ", ");
		if (strcmp(m, PLAN_MISSING_CORRECTION) == 0) {
			buf_adds(&b, i18n_page_gettext(lang, N_("correction (what is wrong and what "
			    "is right: --item and --correct-to)")));
			continue;
		}
		while ((p = strstr(m, PLAN_MISSING_OR)) != NULL) {
			buf_add(&b, m, (size_t)(p - m));
			buf_adds(&b, or);
			m = p + strlen(PLAN_MISSING_OR);
		}
		buf_adds(&b, m);
	}
	return buf_detach(&b);
}

/*
 * Why a plan item could not be prepared, as a whole sentence in the page's
 * language lang (NULL English, as packet.json keeps it).
 */
static char *
skip_reason(const struct plan_item *it, const char *lang)
{
	/* One whole sentence for each request type, for the translators. */
	static const char *const no_procedure[REQ_COUNT] = {
		[REQ_OPTOUT] = N_("The broker has no known procedure for opt-out requests."),
		[REQ_DELETE] = N_("The broker has no known procedure for deletion requests."),
		[REQ_ACCESS] = N_("The broker has no known procedure for access requests."),
		[REQ_CORRECT] = N_("The broker has no known procedure for correction requests."),
		[REQ_FREEZE] = N_("The broker has no known procedure for security freeze requests."),
	};
	const char *msg = NULL;
	char *a, *b, *out;

	switch (it->status) {
	case PLAN_NO_CHANNEL:
		/* The broker record's own explanation is registry text, in English. */
		if (it->broker->no_consumer_channel != NULL)
			return xasprintf(i18n_page_gettext(lang, N_("No way to make requests to this "
			    "broker is known (%s).")), it->broker->no_consumer_channel);
		return xstrdup(i18n_page_gettext(lang, N_("No way to make requests to this broker "
		    "is known.")));
	case PLAN_NO_PROCEDURE:
		msg = it->request < REQ_COUNT ? no_procedure[it->request] : NULL;
		return xstrdup(i18n_page_gettext(lang, msg != NULL ? msg
		    : N_("The broker has no known procedure for this request.")));
	case PLAN_MISSING:
		/* Field names as the profile spells them: the person adds them there. */
		a = missing_list(it->missing, lang);
		out = xasprintf(i18n_page_gettext(lang, N_("The profile lacks %s, which the "
		    "broker's procedure requires.")), a);
		free(a);
		return out;
	case PLAN_NEEDS_CONSENT:
		/* One command that allows every withheld field at once. */
		a = field_list(it->withheld, ", ", 1, lang);
		b = field_list(it->withheld, ",", 0, lang);
		out = xasprintf(i18n_page_gettext(lang, N_("The procedure requires %s; run again "
		    "with --disclose %s if you agree to send it.")), a, b);
		free(a);
		free(b);
		return out;
	case PLAN_READY:
		break;
	}
	return xstrdup("");
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

/* The values to enter on a form or say on the phone, labelled in the sheet's language lang. */
static struct jv *
sheet_values(const struct jv *letter_data, const char *lang)
{
	const struct jv *person = jv_get(letter_data, "person"), *disc = jv_get(person, "disclosed");
	struct jv *vals = jv_new_array();
	size_t i;

	add_value(vals, i18n_page_gettext(lang, N_("Name")), jv_get(person, "name"));
	add_value(vals, i18n_page_gettext(lang, N_("Name in Latin letters")),
	    jv_get(person, "latin_name"));
	add_value(vals, i18n_page_gettext(lang, N_("Address")), jv_get(person, "address"));
	/* The letter's labels are the English field labels, which are messages too. */
	for (i = 0; i < jv_len(disc); i++) {
		const struct jv *e = jv_at(disc, i);
		const char *label = jv_str(jv_get(e, "label"));

		add_value(vals, label != NULL ? i18n_page_gettext(lang, label) : NULL,
		    jv_get(e, "value"));
	}
	return vals;
}

/* Whether the procedure's contact details were checked recently ("current" sources). */
static int
contact_current(const struct plan_item *it)
{
	return it->proc->status != NULL && strcmp(it->proc->status, "current") == 0;
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

/* The agent a request is made through: none where the broker turns agents away. */
static const struct agent *
item_agent(const struct run *r, const struct plan_item *it)
{
	return it->agent_refused ? NULL : r->o->agent;
}

/*
 * Write the sheet for a web form or telephone procedure; record_file names the
 * written record of a form without a message field (NULL when there is none).
 */
static int
write_sheet(struct run *r, const struct plan_item *it, const char *record_file, char **file,
    char **cause)
{
	const struct procedure *proc = it->proc;
	struct jv *letter = plan_letter_data(it, r->o->profile, item_agent(r, it), 0);
	struct jv *d = jv_new_object();
	struct doc *doc = NULL;
	char *base = base_name(it), *text = NULL, *name, *t;
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
	t = i18n_date_long(it->due, r->lang, data_dir());
	jv_set_str(d, "due", t);
	free(t);
	/* The text to paste into the form is English, as the form is, whatever the sheet's language. */
	t = i18n_date_long(it->due, NULL, data_dir());
	jv_set_str(d, "due_en", t);
	free(t);
	t = deadline_text(it->deadline.days, it->deadline.unit);
	jv_set_str(d, "deadline", t);
	free(t);
	jv_set(d, "binding", jv_new_bool(it->deadline.binding));
	jv_set(d, "is_access", jv_new_bool(it->request == REQ_ACCESS));
	jv_set(d, "is_opt_out", jv_new_bool(it->request == REQ_OPTOUT));
	jv_set(d, "is_agent", jv_new_bool(item_agent(r, it) != NULL));
	jv_set_str(d, "deadline_citation", it->deadline.citation != NULL ? it->deadline.citation
	    : it->law->citation);
	jv_set(d, "values", sheet_values(letter, r->lang));
	jv_set(d, "is_opt_out", jv_new_bool(it->request == REQ_OPTOUT));
	jv_set(d, "is_delete", jv_new_bool(it->request == REQ_DELETE));
	jv_set(d, "is_access", jv_new_bool(it->request == REQ_ACCESS));
	jv_set(d, "is_correct", jv_new_bool(it->request == REQ_CORRECT));
	jv_set(d, "is_freeze", jv_new_bool(it->request == REQ_FREEZE));
	jv_set(d, "unverified", jv_new_bool(!contact_current(it)));
	jv_set(d, "no_message_field", jv_new_bool(proc->channel == CH_WEB && !proc->message_field));
	jv_set_str(d, "record_file", record_file);
	/* The period as parts, for templates that word it in another language. */
	jv_set(d, "deadline_days", jv_new_int(it->deadline.days));
	jv_set(d, "deadline_calendar", jv_new_bool(it->deadline.unit == UNIT_CALENDAR));
	jv_set(d, "deadline_business", jv_new_bool(it->deadline.unit == UNIT_BUSINESS));
	jv_set(d, "deadline_months", jv_new_bool(it->deadline.unit == UNIT_MONTHS));
	jv_set(d, "deadline_plural", jv_new_bool(it->deadline.days != 1));
	{
		struct jv *notes = jv_new_array();

		/* The plan's notes in the sheet's language, not the command line's. */
		for (i = 0; it->notes[i] != NULL; i++)
			jv_push(notes, jv_new_string(i18n_page_gettext(r->lang, it->notes[i])));
		for (i = 0; it->documents[i] != NULL; i++) {
			t = xasprintf(i18n_page_gettext(r->lang, N_("Have ready: %s.")),
			    i18n_page_gettext(r->lang, field_label(it->documents[i])));
			jv_push(notes, jv_new_string(t));
			free(t);
		}
		jv_set(d, "has_notes", jv_new_bool(jv_len(notes) > 0 || proc->notes != NULL));
		jv_set(d, "notes", notes);
		/* The broker record's own note is registry text, in English. */
		jv_set_str(d, "broker_note", proc->notes);
	}
	doc = letter_render(r->person, "sheet", d, cause);
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

/*
 * A reading copy of a letter in the person's language, when that language
 * has the letter's template: translations/<base>.pdf, marked on its first
 * lines as a translation of the English letter that is signed and sent.
 */
static int
write_reading_copy(struct run *r, const struct plan_item *it, char **cause)
{
	char *name, *base, *file, *t;
	struct jv *data;
	unsigned char *pdf;
	size_t len;
	int rc;

	if (r->lang == NULL || it->law == NULL)
		return 0;
	name = letter_template_name(it->law->family, request_name(it->request));
	if (!letters_has(r->person, name)) {
		free(name);
		return 0;
	}
	/* A name the PDF cannot print is given in its Latin form, as in the letter itself. */
	{
		int latin;

		t = printable_name(r->o->profile, &latin);
		secure_free(t);
		data = plan_letter_data(it, r->o->profile, item_agent(r, it), latin);
	}
	letter_translation_data(data, it, r->o->today, r->lang);
	rc = letters_pdf(r->person, name, data, &pdf, &len, cause);
	jv_free(data);
	free(name);
	if (rc != 0)
		return -1;
	base = base_name(it);
	file = xasprintf("%s.pdf", base);
	rc = put_file(r, "translations", file, pdf, len, cause);
	free(file);
	free(base);
	free(pdf);
	if (rc == 0)
		r->ntranslations++;
	return rc;
}

/* Write the email (.eml and .txt) for an email procedure. */
static int
write_email(struct run *r, const struct plan_item *it, char **file, char **cause)
{
	const struct profile *p = r->o->profile;
	struct doc *d = letter_for_plan(r->o->letters, it, p, item_agent(r, it), 0, cause);
	char *msg, *text, *name, *base = base_name(it);
	int rc = -1;

	if (d == NULL) {
		free(base);
		return -1;
	}
	msg = letter_email(d, it, p, item_agent(r, it), cause);
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

	if (letter_pdf(r->o->letters, it, r->o->profile, item_agent(r, it),
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

/*
 * A web form without a message field cannot carry the request's legal text, so
 * the same request (same reference) also goes to the broker's written contact
 * as an email or letter: the written record.  *file is NULL when the form has
 * a message field, the request stands on no statute, or no contact is known.
 */
static int
written_record(struct run *r, const struct broker *b, const struct plan_item *web, char **file,
    char **cause)
{
	struct plan_opts po = { 0 };
	struct plan_item *it;
	int rc = 0;

	*file = NULL;
	if (web->proc->message_field || !web->deadline.binding)
		return 0;
	po.request = web->request;
	po.basis = web->basis;
	po.disclose = r->o->disclose;
	po.agent = r->o->agent;
	po.today = r->o->today;
	po.correction = r->o->correction;
	po.written_only = 1;
	it = plan_make(b, r->o->profile, r->o->laws, &po);
	if (it->status == PLAN_READY && it->proc != NULL) {
		snprintf(it->reference, sizeof it->reference, "%s", web->reference);
		if (it->proc->channel == CH_EMAIL) {
			rc = write_email(r, it, file, cause);
			r->sum->web_record_email++;
		} else {
			rc = write_letter(r, it, file, cause);
			r->sum->web_record_postal++;
		}
		if (rc == 0)
			rc = write_reading_copy(r, it, cause);
	}
	/* Not a request of its own: the summary, the ledger and the authorization list the form's. */
	plan_item_free(it);
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
	if (it->status == PLAN_READY && r->o->ledger != NULL && ledger_tracks(it->request)) {
		long long id;
		int existed = 0;

		/* Recorded first: the letter then prints the reference the ledger keeps. */
		if (ledger_record_plan(r->o->ledger, it, r->o->client, &id, &existed, NULL,
		    cause) != 0) {
			plan_item_free(it);
			return -1;
		}
		if (existed)
			r->sum->already_recorded++;
		else
			r->sum->recorded++;
	}
	entry = plan_to_jv(it);
	if (it->status != PLAN_READY) {
		struct jv *s = jv_new_object();
		char *why = skip_reason(it, NULL), *why_page = skip_reason(it, r->lang);

		jv_set_str(s, "broker", b->name);
		jv_set_str(s, "request", request_name(req));
		jv_set(s, "is_opt_out", jv_new_bool(req == REQ_OPTOUT));
		jv_set(s, "is_delete", jv_new_bool(req == REQ_DELETE));
		jv_set(s, "is_access", jv_new_bool(req == REQ_ACCESS));
		jv_set(s, "is_correct", jv_new_bool(req == REQ_CORRECT));
		jv_set(s, "is_freeze", jv_new_bool(req == REQ_FREEZE));
		jv_set_str(s, "reason", why_page);
		jv_push(r->skipped, s);
		jv_set_str(entry, "skipped", why);
		free(why_page);
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
		case CH_WEB: {
			char *record = NULL;

			rc = written_record(r, b, it, &record, cause);
			if (rc == 0)
				rc = write_sheet(r, it, record, &file, cause);
			free(record);
			r->sum->web++;
			break;
		}
		case CH_PHONE:
		default:
			rc = write_sheet(r, it, NULL, &file, cause);
			r->sum->phone++;
			break;
		}
		if (rc == 0 && (it->proc->channel == CH_POSTAL || it->proc->channel == CH_FAX ||
		    it->proc->channel == CH_EMAIL))
			rc = write_reading_copy(r, it, cause);
		if (rc == 0) {
			struct jv *c = jv_new_object();
			char day[11], *sends = sends_text(it);

			jv_set_str(entry, "file", file);
			jv_set_str(c, "broker", b->name);
			jv_set(c, "sells_to_government", jv_new_bool(b->sells_to_government));
			jv_set_str(c, "request", request_name(req));
			jv_set_str(c, "channel", channel_name(it->proc->channel));
			jv_set_str(c, "law", law_section(it->law, req));
			date_format(it->due, day);
			jv_set_str(c, "due", day);
			jv_set_str(c, "sends", sends);
			jv_set_str(c, "reference", it->reference);
			jv_set(c, "is_postal", jv_new_bool(it->proc->channel == CH_POSTAL ||
			    it->proc->channel == CH_FAX));
			jv_set(c, "is_email", jv_new_bool(it->proc->channel == CH_EMAIL));
			jv_set(c, "is_web", jv_new_bool(it->proc->channel == CH_WEB));
			jv_set(c, "is_phone", jv_new_bool(it->proc->channel == CH_PHONE));
			jv_set(c, "is_opt_out", jv_new_bool(req == REQ_OPTOUT));
			jv_set(c, "is_delete", jv_new_bool(req == REQ_DELETE));
			jv_set(c, "is_access", jv_new_bool(req == REQ_ACCESS));
			jv_set(c, "is_correct", jv_new_bool(req == REQ_CORRECT));
			jv_set(c, "is_freeze", jv_new_bool(req == REQ_FREEZE));
			/* An FCRA opt-out is the prescreen opt-out, a different right from a sale opt-out. */
			jv_set(c, "is_prescreen", jv_new_bool(req == REQ_OPTOUT && it->law != NULL &&
			    strcmp(it->law->family, "fcra") == 0));
			jv_set(c, "sells_to_government", jv_new_bool(b->sells_to_government));
			jv_set(c, "unverified", jv_new_bool(!contact_current(it)));
			jv_set(c, "self_file", jv_new_bool(it->agent_refused));
			if (it->agent_refused)
				r->nself++;
			jv_set_str(c, "file", file);
			if (!contact_current(it))
				r->nstale++;
			/* Brokers that sell to government agencies come first on the cover. */
			jv_push(b->sells_to_government ? r->gov_items : r->cover_items, c);
			free(sends);
		}
	}
	free(file);
	jv_push(r->items, entry);
	r->sum->items = xreallocarray(r->sum->items, r->sum->nitems + 1, sizeof *r->sum->items);
	r->sum->items[r->sum->nitems++] = it;
	return rc;
}

/*
 * Number the cover's first-page steps in order: DROP (when the model has a
 * "drop" object), letters, emails, web forms, calls, then recording them.
 * Mustache cannot count, so each step gets its number as a value.
 */
static void
number_steps(struct jv *d)
{
	static const char *const steps[][2] = {
		{ "drop", "step_drop" },
		{ "has_postal", "step_postal" },
		{ "has_email", "step_email" },
		{ "has_web", "step_web" },
		{ "has_phone", "step_phone" },
	};
	long long n = 0;
	size_t i;

	for (i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (jv_is_true(jv_get(d, steps[i][0])))
			jv_set(d, steps[i][1], jv_new_int(++n));
	jv_set(d, "step_record", jv_new_int(++n));
	jv_set(d, "step_wait", jv_new_int(++n));
}

/*
 * DROP, the cover's first step for a person whose state has one (California):
 * where it is, its section, and the brokers' processing cycle.
 */
static void
cover_drop(struct run *r, struct jv *d)
{
	const struct address *home = r->o->profile->current;
	struct drop_info drop;
	struct jv *o;
	char *from;

	if (home->country == NULL || home->region == NULL ||
	    laws_drop(r->o->laws, home->country, home->region, r->o->today, &drop) != 0)
		return;
	o = jv_new_object();
	jv_set_str(o, "url", drop.url);
	jv_set_str(o, "citation", drop.citation);
	jv_set_str(o, "cycle_citation", drop.cycle_citation);
	jv_set(o, "cycle_days", jv_new_int(drop.cycle_days));
	from = i18n_date_long(drop.processing_from, r->lang, data_dir());
	jv_set_str(o, "processing_from", from);
	free(from);
	/* Before the first processing day the cover says when the cycles begin. */
	jv_set(o, "processing", jv_new_bool(r->o->today >= drop.processing_from));
	jv_set(d, "drop", o);
}

/* The cover sheet PDF. */
static int
write_cover(struct run *r, char **cause)
{
	const struct packet_summary *s = r->sum;
	struct jv *d = jv_new_object();
	struct jv *items;
	unsigned char *pdf;
	size_t len, i;
	char *lat, *t;
	int rc;

	t = i18n_date_long(r->o->today, r->lang, data_dir());
	jv_set_str(d, "today", t);
	free(t);
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
	/* A form's written record is sent with the form, not counted as a request of its own. */
	jv_set(d, "count_web_records", jv_new_int((long long)s->web_record_email +
	    (long long)s->web_record_postal));
	jv_set(d, "has_web_records", jv_new_bool(s->web_record_email + s->web_record_postal > 0));
	jv_set(d, "has_web_record_email", jv_new_bool(s->web_record_email > 0));
	jv_set(d, "has_web_record_postal", jv_new_bool(s->web_record_postal > 0));
	jv_set(d, "has_email_files", jv_new_bool(s->email + s->web_record_email > 0));
	jv_set(d, "has_postal_files", jv_new_bool(s->postal + s->web_record_postal > 0));
	items = jv_copy(r->gov_items);
	for (i = 0; i < jv_len(r->cover_items); i++)
		jv_push(items, jv_copy(jv_at(r->cover_items, i)));
	jv_set(d, "count_government", jv_new_int((long long)jv_len(r->gov_items)));
	jv_set(d, "has_government", jv_new_bool(jv_len(r->gov_items) > 0));
	{
		struct jv *gov = jv_new_array();

		for (i = 0; i < jv_len(r->gov_items); i++) {
			const char *name = jv_str(jv_get(jv_at(r->gov_items, i), "broker"));
			size_t k;

			/* One entry per broker, though it may have several requests. */
			for (k = 0; k < jv_len(gov) && strcmp(jv_str(jv_at(gov, k)), name) != 0; k++)
				;
			if (k == jv_len(gov))
				jv_push(gov, jv_new_string(name));
		}
		jv_set(d, "government_brokers", gov);
	}
	jv_set(d, "items", items);
	jv_set(d, "count_unverified", jv_new_int((long long)r->nstale));
	jv_set(d, "has_translations", jv_new_bool(r->ntranslations > 0));
	jv_set(d, "count_translations", jv_new_int((long long)r->ntranslations));
	jv_set(d, "has_unverified", jv_new_bool(r->nstale > 0));
	jv_set(d, "has_self_file", jv_new_bool(r->nself > 0));
	/* Rough time: 15 minutes a letter, 5 an email, 10 a form, 15 a call. */
	{
		long long minutes = 15 * (long long)(s->postal + s->web_record_postal) +
		    5 * (long long)(s->email + s->web_record_email) +
		    10 * (long long)s->web + 15 * (long long)s->phone;

		jv_set(d, "minutes_total", jv_new_int(minutes));
		/* Past an hour and a half, whole hours (rounded up) read better. */
		jv_set(d, "time_in_hours", jv_new_bool(minutes >= 90));
		jv_set(d, "hours_total", jv_new_int((minutes + 59) / 60));
	}
	jv_set(d, "skipped", jv_copy(r->skipped));
	jv_set(d, "has_skipped", jv_new_bool(jv_len(r->skipped) > 0));
	jv_set_str(d, "packet_id", "optout packet");
	cover_drop(r, d);
	number_steps(d);
	secure_free(lat);
	rc = letters_pdf(r->person, "cover", d, &pdf, &len, cause);
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
	char *name = profile_full_name(p), *lat = profile_latin_name(p), *one, *day;
	int has_ccpa = 0, has_other = 0, rc;
	unsigned char *pdf;
	size_t i, len;

	for (i = 0; i < r->sum->nitems; i++) {
		const struct plan_item *it = r->sum->items[i];
		struct jv *e;

		/* A request the person makes personally needs no authorization of the agent. */
		if (it->status != PLAN_READY || it->agent_refused)
			continue;
		e = jv_new_object();
		jv_set_str(e, "broker", it->broker->name);
		jv_set_str(e, "request", request_name(it->request));
		jv_set_str(e, "law", it->law->name);
		jv_set(e, "is_opt_out", jv_new_bool(it->request == REQ_OPTOUT));
		jv_set(e, "is_delete", jv_new_bool(it->request == REQ_DELETE));
		jv_set(e, "is_access", jv_new_bool(it->request == REQ_ACCESS));
		jv_set(e, "is_correct", jv_new_bool(it->request == REQ_CORRECT));
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
	day = i18n_date_long(date_add_months(r->o->today, 12), r->lang, data_dir());
	jv_set_str(d, "expires", day);
	free(day);
	/* The English text (which businesses read) follows every translation. */
	day = i18n_date_long(date_add_months(r->o->today, 12), NULL, data_dir());
	jv_set_str(d, "expires_en", day);
	free(day);
	secure_free(name);
	secure_free(lat);
	rc = letters_pdf(r->person, "authorization", d, &pdf, &len, cause);
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

/* Make the temporary folder beside outdir that the packet is written into. */
static int
start_folder(const struct packet_opts *o, struct run *r, int *exists, char **parentp, char **cause)
{
	char *parent;

	if (!dir_is_empty(o->outdir, exists) && !(o->replace && packet_exists(o->outdir))) {
		*cause = xasprintf(_("%s: already exists and is not empty (choose a new folder)"),
		    o->outdir);
		return PACKET_CANT_CREATE;
	}
	/* The temporary folder sits beside the destination, so the final rename is atomic. */
	remove_leftovers(o->outdir);
	parent = path_dirname(o->outdir);
	if (make_dirs(parent, 0700, cause) != 0) {
		free(parent);
		return PACKET_CANT_CREATE;
	}
	r->tmp = xasprintf("%s.tmp-XXXXXX", o->outdir);
	if (mkdtemp(r->tmp) == NULL) {
		*cause = xasprintf(_("%s: cannot create a folder beside it: %s"), o->outdir,
		    strerror(errno));
		free(r->tmp);
		r->tmp = NULL;
		free(parent);
		return PACKET_CANT_CREATE;
	}
	*parentp = parent;
	return 0;
}

/* Write the packet. */
int
packet_write(const struct packet_opts *o, struct packet_summary *sum, char **cause)
{
	struct run r = { 0 };
	char *parent = NULL, *json = NULL;
	size_t i, k;
	int exists = 0, pass, rc = -1;

	memset(sum, 0, sizeof *sum);
	if (o->to_memory == NULL && (rc = start_folder(o, &r, &exists, &parent, cause)) != 0)
		return rc;
	r.o = o;
	r.sum = sum;
	if (o->nseal_to > 0 || o->seal_passphrase != NULL || o->to_memory != NULL) {
		r.archive = xcalloc(1, sizeof *r.archive);
		buf_init(r.archive);
		r.archived_dirs = xcalloc(1, sizeof *r.archived_dirs);
	}
	r.items = jv_new_array();
	r.cover_items = jv_new_array();
	r.gov_items = jv_new_array();
	r.skipped = jv_new_array();
	/* The person's pages in their language: --lang, else the profile's. */
	r.lang = i18n_template_language(o->language != NULL ? o->language : o->profile->language,
	    data_dir());
	r.person = letters_language(o->letters, r.lang);
	/*
	 * Brokers that sell to the government come first: on the cover and in the
	 * letters; a request may stand on two bases (a CRA's FCRA file and the rest).
	 */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < o->nbrokers; i++) {
			if ((o->brokers[i]->sells_to_government != 0) != (pass == 0))
				continue;
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
		if (o->print_all != NULL)
			buf_add(o->print_all, pdf, len);
		explicit_bzero(pdf, len);
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
	if (r.archive != NULL && seal_archive(&r, cause) != 0)
		goto fail;
	if (parent == NULL) {
		/* In memory (o->to_memory): there is no folder to flush or rename. */
		if (o->before_publish != NULL && o->before_publish(o->publish_ctx, cause) != 0)
			goto fail;
		rc = 0;
		goto out;
	}
	/* One flush for the whole folder: the rename below then publishes complete files. */
	if (sync_tree(r.tmp, cause) != 0)
		goto fail;
	if (o->before_publish != NULL && o->before_publish(o->publish_ctx, cause) != 0)
		goto fail;
	if (exists && rmdir(o->outdir) != 0) {
		/* An earlier packet: move it aside, put the new one in place, then remove it. */
		char *old = xasprintf("%s.old-XXXXXX", o->outdir);

		if (mkdtemp(old) == NULL || rename(o->outdir, old) != 0) {
			*cause = xasprintf(_("%s: cannot move the earlier packet aside: %s"), o->outdir,
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
	if (r.tmp != NULL)
		remove_tree(r.tmp);
	packet_summary_free(sum);
out:
	free(json);
	for (i = 0; i < r.nletters; i++)
		doc_free(r.letters[i]);
	free(r.letters);
	jv_free(r.items);
	jv_free(r.cover_items);
	jv_free(r.gov_items);
	jv_free(r.skipped);
	if (r.archive != NULL) {
		/* The archive held every file in plain text: wipe it. */
		if (r.archive->data != NULL)
			explicit_bzero(r.archive->data, r.archive->cap);
		buf_free(r.archive);
		free(r.archive);
		str_list_free(r.archived_dirs);
	}
	free(r.lang);
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
