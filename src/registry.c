/* registry: load, validate and query the broker records. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "optout/jv.h"
#include "optout/registry.h"
#include "optout/schema.h"
#include "optout/util.h"
#include "optout/vault.h"
#include "optout/vcache.h"

#define BROKER_MAX_BYTES ((size_t)256 * 1024)
#define SCHEMA_MAX_BYTES ((size_t)1024 * 1024)
/*
 * The revision of the checks below (schema and semantics): bump it whenever
 * broker_check changes, so cached verdicts of the old checks are not reused.
 */
#define REGISTRY_CHECKS "registry-checks-1"

/* A broker plus what it owns: the parsed file and the arrays built from it. */
struct broker_store {
	struct broker pub; /* first, so a struct broker * converts back */
	struct jv *doc;
	void **allocs;
	size_t nallocs;
	struct broker_store *twin; /* an imported twin joined to this curated record */
};

static const char *const request_names[REQ_COUNT] = { "access", "delete", "opt-out", "correct",
	"freeze" };
static const char *const channel_names[CH_COUNT] = { "web", "email", "postal", "phone", "fax" };

/* The command-line and file name of a request type. */
const char *
request_name(enum request r)
{
	return (unsigned)r < REQ_COUNT ? request_names[r] : "?";
}

/* Parse a request type; accepts "optout" and "opt_out" for "opt-out". */
int
request_parse(const char *s, enum request *r)
{
	int i;

	if (strcmp(s, "optout") == 0 || strcmp(s, "opt_out") == 0)
		s = "opt-out";
	for (i = 0; i < REQ_COUNT; i++) {
		if (strcmp(s, request_names[i]) == 0) {
			*r = (enum request)i;
			return 0;
		}
	}
	return -1;
}

/* The name of a channel. */
const char *
channel_name(enum channel c)
{
	return (unsigned)c < CH_COUNT ? channel_names[c] : "?";
}

/* Parse a channel name. */
int
channel_parse(const char *s, enum channel *c)
{
	int i;

	for (i = 0; i < CH_COUNT; i++) {
		if (strcmp(s, channel_names[i]) == 0) {
			*c = (enum channel)i;
			return 0;
		}
	}
	return -1;
}

/* Remember an allocation so the broker frees it. */
static void *
keep(struct broker_store *bs, void *p)
{
	bs->allocs = xreallocarray(bs->allocs, bs->nallocs + 1, sizeof *bs->allocs);
	bs->allocs[bs->nallocs++] = p;
	return p;
}

/* A string field, or NULL when absent. */
static const char *
str_at(const struct jv *obj, const char *key)
{
	return jv_str(jv_get(obj, key));
}

/* A string array as a NULL-terminated list (empty when absent). */
static const char **
strings_at(struct broker_store *bs, const struct jv *obj, const char *key)
{
	const struct jv *arr = jv_get(obj, key);
	size_t i, n = jv_len(arr);
	const char **list = keep(bs, xcalloc(n + 1, sizeof *list));

	for (i = 0; i < n; i++)
		list[i] = jv_str(jv_at(arr, i));
	return list;
}

/* A boolean field as 1 or 0, or -1 when absent. */
static int
tri_at(const struct jv *obj, const char *key)
{
	const struct jv *v = jv_get(obj, key);

	return v != NULL ? jv_bool(v) : -1;
}

/* An array of source objects. */
static const struct source *
sources_at(struct broker_store *bs, const struct jv *obj, const char *key, size_t *count)
{
	const struct jv *arr = jv_get(obj, key);
	size_t i, n = jv_len(arr);
	struct source *s = keep(bs, xcalloc(n ? n : 1, sizeof *s));

	for (i = 0; i < n; i++) {
		const struct jv *e = jv_at(arr, i);

		s[i].ref = str_at(e, "ref");
		s[i].url = str_at(e, "url");
		s[i].as_of = str_at(e, "as_of");
	}
	*count = n;
	return s;
}

/* Build the typed view of one procedure. */
static void
fill_procedure(struct broker_store *bs, struct procedure *p, const struct jv *o)
{
	const struct jv *v;

	p->id = str_at(o, "id");
	request_parse(str_at(o, "request"), &p->request);
	channel_parse(str_at(o, "channel"), &p->channel);
	p->laws = strings_at(bs, o, "laws");
	p->url = str_at(o, "url");
	p->email = str_at(o, "email");
	p->phone = str_at(o, "phone");
	p->fax = str_at(o, "fax");
	if ((v = jv_get(o, "postal")) != NULL) {
		struct postal *a = keep(bs, xcalloc(1, sizeof *a));

		a->recipient = str_at(v, "recipient");
		a->street = strings_at(bs, v, "street");
		a->city = str_at(v, "city");
		a->region = str_at(v, "region");
		a->postal_code = str_at(v, "postal_code");
		a->country = str_at(v, "country");
		p->postal = a;
	}
	p->requires = strings_at(bs, o, "requires");
	p->requires_one_of = strings_at(bs, o, "requires_one_of");
	p->sensitive = strings_at(bs, o, "sensitive");
	p->verification = strings_at(bs, o, "verification");
	p->captcha = jv_bool(jv_get(o, "captcha"));
	p->message_field = jv_get(o, "message_field") == NULL || jv_bool(jv_get(o, "message_field"));
	p->form = jv_get(o, "form");
	v = jv_get(o, "response_days");
	p->response_days = v != NULL ? (int)jv_int(v) : -1;
	p->restricted_to = str_at(o, "restricted_to");
	v = jv_get(o, "agent_allowed");
	p->agent_allowed = v != NULL ? jv_bool(v) : -1;
	p->notes = str_at(o, "notes");
	p->status = str_at(o, "status");
	p->registry = str_at(o, "registry");
	p->availability = str_at(jv_get(o, "availability"), "state");
	if (p->availability == NULL)
		p->availability = "working";
	p->sources = sources_at(bs, o, "sources", &p->nsources);
	p->broker = &bs->pub;
}

/* Build the typed view of a validated broker document. */
static void
fill_broker(struct broker_store *bs)
{
	struct broker *b = &bs->pub;
	const struct jv *d = bs->doc, *v, *arr;
	struct procedure *procs;
	struct registration *regs;
	struct caveat *cav;
	size_t i;

	b->id = str_at(d, "id");
	b->name = str_at(d, "name");
	b->aliases = strings_at(bs, d, "aliases");
	b->parent = str_at(d, "parent");
	b->categories = strings_at(bs, d, "categories");
	b->sells_to_government = jv_bool(jv_get(d, "sells_to_government"));
	if ((v = jv_get(d, "government_sales")) != NULL) {
		b->government_sales = str_at(v, "text");
		b->government_sources = sources_at(bs, v, "sources", &b->ngovernment_sources);
	}
	b->website = str_at(d, "website");
	b->cra_kind = str_at(jv_get(d, "cra_kind"), "kind");
	b->reach_eu = str_at(jv_get(d, "gdpr_reach"), "eu");
	b->reach_uk = str_at(jv_get(d, "gdpr_reach"), "uk");
	arr = jv_get(d, "procedures");
	b->nprocedures = jv_len(arr);
	procs = keep(bs, xcalloc(b->nprocedures ? b->nprocedures : 1, sizeof *procs));
	for (i = 0; i < b->nprocedures; i++)
		fill_procedure(bs, &procs[i], jv_at(arr, i));
	b->procedures = procs;
	b->no_consumer_channel = str_at(d, "no_consumer_channel");
	arr = jv_get(d, "caveats");
	b->ncaveats = jv_len(arr);
	cav = keep(bs, xcalloc(b->ncaveats ? b->ncaveats : 1, sizeof *cav));
	for (i = 0; i < b->ncaveats; i++) {
		cav[i].text = str_at(jv_at(arr, i), "text");
		cav[i].source = str_at(jv_at(arr, i), "source");
		cav[i].date = str_at(jv_at(arr, i), "date");
	}
	b->caveats = cav;
	b->verified = str_at(d, "verified");
	b->quality = str_at(d, "quality") != NULL ? str_at(d, "quality") : "curated";
	arr = jv_get(d, "registrations");
	b->nregistrations = jv_len(arr);
	regs = keep(bs, xcalloc(b->nregistrations ? b->nregistrations : 1, sizeof *regs));
	for (i = 0; i < b->nregistrations; i++) {
		const struct jv *o = jv_at(arr, i), *src = jv_get(o, "source");
		struct source *s = keep(bs, xcalloc(1, sizeof *s));

		regs[i].registry = str_at(o, "registry");
		regs[i].id = str_at(o, "id");
		regs[i].date = str_at(o, "date");
		s->ref = str_at(src, "ref");
		s->url = str_at(src, "url");
		s->as_of = str_at(src, "as_of");
		regs[i].source = s;
		regs[i].agent_allowed = tri_at(o, "agent_allowed");
		regs[i].federal = tri_at(o, "sold_to_federal_government");
		regs[i].law_enforcement = tri_at(o, "sold_to_law_enforcement");
	}
	b->registrations = regs;
	b->family = strings_at(bs, jv_get(d, "family"), "members");
	b->json = d;
}

/* Free one broker and everything it owns. */
void
broker_free(struct broker *b)
{
	struct broker_store *bs = (struct broker_store *)b;
	size_t i;

	if (bs == NULL)
		return;
	broker_free((struct broker *)bs->twin);
	for (i = 0; i < bs->nallocs; i++)
		free(bs->allocs[i]);
	free(bs->allocs);
	free((char *)bs->pub.path);
	jv_free(bs->doc);
	free(bs);
}

/* The file's base name without ".json". */
static char *
id_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (str_ends_with(base, ".json"))
		n -= 5;
	return xstrndup(base, n);
}

/* Checks the schema cannot express: the id names the file, procedure ids are unique. */
static void
check_semantics(const struct jv *doc, const char *path, struct buf *errs)
{
	const struct jv *procs = jv_get(doc, "procedures");
	const char *id = str_at(doc, "id");
	char *want = id_from_path(path);
	size_t i, j;

	if (id != NULL && strcmp(id, want) != 0)
		buf_printf(errs, "%s: id: \"%s\" does not match the file name (expected \"%s\")\n",
		    path, id, want);
	free(want);
	for (i = 0; i < jv_len(procs); i++) {
		const char *a = str_at(jv_at(procs, i), "id");

		for (j = 0; a != NULL && j < i; j++) {
			const char *b = str_at(jv_at(procs, j), "id");

			if (b != NULL && strcmp(a, b) == 0) {
				buf_printf(errs, "%s: procedures[%zu].id: \"%s\" is already used by "
				    "procedures[%zu]\n", path, i, a, j);
				break;
			}
		}
	}
}

/* Build a broker from a record (owned); check it first unless checked is set. */
static struct broker *
broker_build(const struct schema *schema, struct jv *doc, const char *path, int checked,
    char **cause)
{
	struct broker_store *bs;
	struct buf errs;
	char *err = NULL;

	buf_init(&errs);
	if (checked) {
		/* These very bytes passed the same checks before (vcache). */
	} else if (schema_validate(schema, doc, path, 0, &err) != 0) {
		buf_printf(&errs, "%s\n", err);
		free(err);
	} else {
		/* Semantic checks need the shape the schema guarantees. */
		check_semantics(doc, path, &errs);
	}
	if (errs.len > 0) {
		jv_free(doc);
		errs.data[--errs.len] = '\0';
		*cause = buf_detach(&errs);
		return NULL;
	}
	buf_free(&errs);
	bs = xcalloc(1, sizeof *bs);
	bs->doc = doc;
	bs->pub.path = xstrdup(path);
	fill_broker(bs);
	return &bs->pub;
}

/* Check a parsed broker record (owned) against the schema and build its typed view. */
struct broker *
broker_from_jv(const struct schema *schema, struct jv *doc, const char *path, char **cause)
{
	return broker_build(schema, doc, path, 0, cause);
}

/* Load brokers/schema.json from the data directory. */
static struct schema *
load_schema(const char *datadir, char **cause)
{
	char *path = xasprintf("%s/brokers/schema.json", datadir);
	struct schema *s = schema_load(path, cause);

	free(path);
	return s;
}

/*
 * The schema, compiled the first time a file needs checking: when every
 * file is in the validation cache (salted with the schema's bytes, so this
 * schema compiled and passed them before) it is never compiled at all.
 */
struct lazy_schema {
	const char *datadir;
	struct schema *s;
	char *cause; /* why it failed to load, once */
};

/* The lazily loaded schema, or NULL with ls->cause set. */
static const struct schema *
lazy_schema_get(struct lazy_schema *ls)
{
	if (ls->s == NULL && ls->cause == NULL)
		ls->s = load_schema(ls->datadir, &ls->cause);
	return ls->s;
}

/*
 * Load and check one broker file; problems are appended to errs.  With a
 * cache, a file whose bytes passed before is parsed but not checked again.
 */
static struct broker *
load_one(struct lazy_schema *ls, const char *path, struct vcache *vc, struct buf *errs)
{
	const struct schema *schema = NULL;
	unsigned char key[VCACHE_KEY_BYTES];
	struct broker *b;
	struct jv *doc = NULL;
	char *cause = NULL, *data;
	size_t len;
	int hit = 0;

	if (read_file(path, BROKER_MAX_BYTES, &data, &len, &cause) == 0) {
		if (vc != NULL) {
			vcache_key(vc, path, data, len, key);
			hit = vcache_has(vc, key);
		}
		doc = hit ? jv_parse_checked(data, len, path, &cause)
		          : jv_parse(data, len, path, &cause);
		free(data);
	}
	if (doc != NULL && !hit && (schema = lazy_schema_get(ls)) == NULL) {
		jv_free(doc);
		doc = NULL;
		cause = xstrdup(ls->cause);
	}
	if (doc != NULL && (b = broker_build(schema, doc, path, hit, &cause)) != NULL) {
		if (vc != NULL && !hit)
			vcache_add(vc, key);
		return b;
	}
	buf_printf(errs, "%s\n", cause);
	free(cause);
	return NULL;
}

/* The cache of broker files that passed, salted with the schema's bytes (or NULL). */
static struct vcache *
open_cache(const char *datadir)
{
	unsigned char salt[VCACHE_KEY_BYTES];
	char *path = xasprintf("%s/brokers/schema.json", datadir), *data = NULL, *cause = NULL;
	size_t len = 0;

	if (read_file(path, SCHEMA_MAX_BYTES, &data, &len, &cause) != 0) {
		/* Unreadable now: check without a cache (the schema load then says why). */
		free(cause);
		free(path);
		return NULL;
	}
	vcache_salt(REGISTRY_CHECKS, data, len, salt);
	free(data);
	free(path);
	return vcache_open("registry.cache", salt);
}

/* Order brokers by id. */
static int
cmp_broker(const void *a, const void *b)
{
	const struct broker *x = *(struct broker *const *)a, *y = *(struct broker *const *)b;

	return strcmp(x->id, y->id);
}

/* Order file names. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Move the collected problems into *cause (dropping the final newline). */
static int
fail_with(struct buf *errs, char **cause)
{
	if (errs->len > 0 && errs->data[errs->len - 1] == '\n')
		errs->data[--errs->len] = '\0';
	*cause = buf_detach(errs);
	return -1;
}

/*
 * A curated record and its imported twin (same id): the curated record wins
 * field by field; it takes only what it lacks, its registrations and
 * operator family.  The twin's store stays alive with the curated broker.
 */
static void
join_twins(struct registry *r)
{
	size_t i, out = 0;

	for (i = 0; i < r->n; i++) {
		struct broker *b = r->brokers[i];

		if (out > 0 && strcmp(r->brokers[out - 1]->id, b->id) == 0) {
			struct broker *keep_b = r->brokers[out - 1], *twin = b;
			struct broker_store *ks;

			if (broker_is_imported(keep_b) && !broker_is_imported(twin)) {
				keep_b = b;
				twin = r->brokers[out - 1];
			}
			if (keep_b->nregistrations == 0) {
				keep_b->registrations = twin->registrations;
				keep_b->nregistrations = twin->nregistrations;
			}
			if (keep_b->family[0] == NULL)
				keep_b->family = twin->family;
			ks = (struct broker_store *)keep_b;
			ks->twin = (struct broker_store *)twin;
			r->brokers[out - 1] = keep_b;
			continue;
		}
		r->brokers[out++] = b;
	}
	r->n = out;
}

/* Add the paths of the broker files (not the schema) in an open directory. */
static void
list_json(DIR *d, const char *dir, char ***names, size_t *n)
{
	struct dirent *e;

	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !str_ends_with(e->d_name, ".json") ||
		    strcmp(e->d_name, "schema.json") == 0)
			continue;
		*names = xreallocarray(*names, *n + 1, sizeof **names);
		(*names)[(*n)++] = path_join(dir, e->d_name);
	}
}

/*
 * Load the named broker files (owned, freed here), sorted by name; with
 * save, the validation cache is rewritten with what this run hit (a partial
 * load must not save: it would forget the files it did not read).
 */
static struct registry *
load_files(const char *datadir, char **names, size_t n, int save, char **cause)
{
	struct lazy_schema ls = { datadir, NULL, NULL };
	struct registry *r;
	struct buf errs;
	struct vcache *vc;
	size_t i;

	if (n > 0)
		qsort(names, n, sizeof *names, cmp_str);
	vc = open_cache(datadir);
	/* Without a cache (or without files) the schema is checked up front, as always. */
	if ((vc == NULL || n == 0) && lazy_schema_get(&ls) == NULL) {
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
		vcache_free(vc);
		*cause = ls.cause;
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->brokers = xcalloc(n ? n : 1, sizeof *r->brokers);
	buf_init(&errs);
	for (i = 0; i < n; i++) {
		struct broker *b = ls.cause == NULL ? load_one(&ls, names[i], vc, &errs) : NULL;

		if (b != NULL)
			r->brokers[r->n++] = b;
		free(names[i]);
	}
	free(names);
	schema_free(ls.s);
	if (ls.cause != NULL) {
		/* The schema itself is broken: that is the one problem to report. */
		buf_free(&errs);
		vcache_free(vc);
		registry_free(r);
		*cause = ls.cause;
		return NULL;
	}
	if (save && vc != NULL && errs.len == 0) {
		char *ignored = NULL;

		/* A cache that cannot be written only costs time on the next run. */
		if (vcache_save(vc, &ignored) != 0)
			free(ignored);
	}
	vcache_free(vc);
	if (errs.len > 0) {
		registry_free(r);
		fail_with(&errs, cause);
		return NULL;
	}
	qsort(r->brokers, r->n, sizeof *r->brokers, cmp_broker);
	r->nfiles = r->n;
	join_twins(r);
	return r;
}

/* Load every broker file in datadir/brokers and datadir/brokers/imported. */
struct registry *
registry_load(const char *datadir, char **cause)
{
	char *dir = xasprintf("%s/brokers", datadir);
	char **names = NULL, *sub;
	size_t n = 0;
	DIR *d;

	d = opendir(dir);
	if (d == NULL) {
		*cause = xasprintf("%s: cannot open the broker directory", dir);
		free(dir);
		return NULL;
	}
	list_json(d, dir, &names, &n);
	closedir(d);
	/* Imported records live in their own folder, so the curated ones stay easy to read. */
	sub = path_join(dir, "imported");
	if ((d = opendir(sub)) != NULL) {
		list_json(d, sub, &names, &n);
		closedir(d);
	}
	free(sub);
	free(dir);
	return load_files(datadir, names, n, 1, cause);
}

/*
 * Load only the records of the given ids (a curated one, its imported twin,
 * or both): a command about one broker need not read six hundred.  An id
 * with no file, or one that is not a plain file name, loads everything, so
 * the usual messages (and suggestions) follow.
 */
struct registry *
registry_load_ids(const char *datadir, const char *const *ids, size_t nids, char **cause)
{
	char **names = NULL;
	size_t n = 0, i, k;

	for (i = 0; i < nids; i++) {
		static const char *const where[] = { "brokers", "brokers/imported" };
		size_t before = n;

		if (ids[i][0] == '\0' || ids[i][0] == '.' || strchr(ids[i], '/') != NULL)
			break;
		for (k = 0; k < 2; k++) {
			char *path = xasprintf("%s/%s/%s.json", datadir, where[k], ids[i]);

			if (access(path, F_OK) != 0) {
				free(path);
				continue;
			}
			names = xreallocarray(names, n + 1, sizeof *names);
			names[n++] = path;
		}
		if (n == before)
			break;
	}
	if (i < nids || nids == 0) {
		for (k = 0; k < n; k++)
			free(names[k]);
		free(names);
		return registry_load(datadir, cause);
	}
	/* The same id twice would load its file twice. */
	qsort(names, n, sizeof *names, cmp_str);
	for (i = 1, k = 1; i < n; i++) {
		if (strcmp(names[i], names[k - 1]) == 0)
			free(names[i]);
		else
			names[k++] = names[i];
	}
	return load_files(datadir, names, n > 0 ? k : 0, 0, cause);
}

/* Validate the named files; every problem goes into *cause. */
int
registry_validate_files(const char *datadir, char **files, size_t nfiles, char **cause)
{
	struct lazy_schema ls = { datadir, NULL, NULL };
	struct buf errs;
	size_t i;

	if (lazy_schema_get(&ls) == NULL) {
		*cause = ls.cause;
		return -1;
	}
	buf_init(&errs);
	for (i = 0; i < nfiles; i++)
		broker_free(load_one(&ls, files[i], NULL, &errs));
	schema_free(ls.s);
	if (errs.len > 0)
		return fail_with(&errs, cause);
	buf_free(&errs);
	return 0;
}

/* Free the registry. */
void
registry_free(struct registry *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		broker_free(r->brokers[i]);
	free(r->brokers);
	free(r);
}

/* Find a broker by id (binary search over the sorted list). */
const struct broker *
registry_find(const struct registry *r, const char *id)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(id, r->brokers[mid]->id);

		if (c == 0)
			return r->brokers[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Whether folded haystack contains folded needle. */
static int
folded_contains(const char *hay, const char *folded_needle)
{
	char *f;
	int hit;

	if (hay == NULL)
		return 0;
	f = str_fold(hay);
	hit = strstr(f, folded_needle) != NULL;
	free(f);
	return hit;
}

/* Search a broker's id, name, aliases and parent, ignoring case and accents. */
int
broker_matches(const struct broker *b, const char *word)
{
	char *w = str_fold(word);
	const char **a;
	int hit;

	hit = folded_contains(b->id, w) || folded_contains(b->name, w) ||
	    folded_contains(b->parent, w);
	for (a = b->aliases; !hit && a != NULL && *a != NULL; a++)
		hit = folded_contains(*a, w);
	free(w);
	return hit;
}

/* Whether the broker is in a category. */
int
broker_has_category(const struct broker *b, const char *category)
{
	return strlist_has(b->categories, category);
}

/* Whether the record is only what the broker declared in a registry. */
int
broker_is_imported(const struct broker *b)
{
	return b->quality != NULL && strcmp(b->quality, "imported") == 0;
}

/* The broker's registration in one registry, or NULL. */
const struct registration *
broker_registration(const struct broker *b, const char *registry)
{
	size_t i;

	for (i = 0; registry != NULL && i < b->nregistrations; i++)
		if (strcmp(b->registrations[i].registry, registry) == 0)
			return &b->registrations[i];
	return NULL;
}

static const char *const scope_names[SCOPE_COUNT] = { "curated", "government", "people-search",
	"registered", "all" };

/* Parse a scope name. */
int
scope_parse(const char *s, enum scope *out)
{
	int i;

	for (i = 0; i < SCOPE_COUNT; i++) {
		if (strcmp(s, scope_names[i]) == 0) {
			*out = (enum scope)i;
			return 0;
		}
	}
	return -1;
}

/* The name of a scope. */
const char *
scope_name(enum scope s)
{
	return (unsigned)s < SCOPE_COUNT ? scope_names[s] : "?";
}

/* Whether a broker belongs to a scope. */
static int
in_scope(const struct broker *b, enum scope s)
{
	switch (s) {
	case SCOPE_DEFAULT:
		return !broker_is_imported(b);
	case SCOPE_GOVERNMENT:
		return b->sells_to_government;
	case SCOPE_PEOPLE_SEARCH:
		return broker_has_category(b, "people-search");
	case SCOPE_REGISTERED:
		return b->nregistrations > 0;
	case SCOPE_ALL:
	case SCOPE_COUNT:
		break;
	}
	return 1;
}

/* The brokers in a scope: curated first, then imported, each in id order. */
const struct broker **
registry_scope(const struct registry *r, enum scope s, size_t *n)
{
	const struct broker **out = xcalloc(r->n + 1, sizeof *out);
	size_t i;
	int pass;

	*n = 0;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < r->n; i++)
			if (broker_is_imported(r->brokers[i]) == pass && in_scope(r->brokers[i], s))
				out[(*n)++] = r->brokers[i];
	return out;
}

/*
 * The listing index (registry_index_load): what `brokers list` shows and
 * filters on, kept in $XDG_CACHE_HOME/optout/brokers-list.cache under a key
 * made of every broker file's path and bytes, the schema's bytes and the
 * program's revision.  Layout: magic, key, row count (4 bytes, little-
 * endian), the rows, then a digest of everything before it.  A row: flags,
 * one byte per request type (its procedures' channels, a bit each), the
 * number of categories, then the id, the verified date and the categories,
 * each ending with a NUL.
 */
#define INDEX_NAME "brokers-list.cache"
#define INDEX_MAGIC "optout-brokers-list-1\n"
#define INDEX_MAGIC_LEN (sizeof INDEX_MAGIC - 1)
#define INDEX_KEY_BYTES ((size_t)32)
#define INDEX_MAX_BYTES ((size_t)16 * 1024 * 1024)
/* The rows' revision: bump it whenever what a row holds changes. */
#define INDEX_REVISION REGISTRY_CHECKS " list-rows-1"
#define ROW_GOV 1
#define ROW_IMPORTED 2
#define ROW_VERIFIED 4

/* Where the index is kept, or NULL when neither XDG_CACHE_HOME nor HOME is set. */
static char *
index_path(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/optout/%s", xdg, INDEX_NAME);
	if (home != NULL && home[0] == '/')
		return xasprintf("%s/.cache/optout/%s", home, INDEX_NAME);
	return NULL;
}

/* Order names in a directory. */
static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Add the digests of a directory's broker files (name, then bytes), in name
 * order, to out; buf is reused between files.  Files are opened relative to
 * the directory, so the path is walked once.  -1 when the directory is
 * missing (must is set) or a file cannot be read.
 */
static int
digest_dir(const char *dir, int must, struct buf *out, struct buf *data)
{
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, i;
	DIR *d = opendir(dir);
	int rc = 0;

	if (d == NULL)
		return must ? -1 : 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !str_ends_with(e->d_name, ".json") ||
		    strcmp(e->d_name, "schema.json") == 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(e->d_name);
	}
	if (n > 0)
		qsort(names, n, sizeof *names, cmp_name);
	for (i = 0; i < n && rc == 0; i++) {
		unsigned char h[INDEX_KEY_BYTES];
		const void *parts[3];
		size_t lens[3];
		ssize_t got;
		int fd = openat(dirfd(d), names[i], O_RDONLY | O_CLOEXEC);

		if (fd == -1) {
			rc = -1;
			break;
		}
		/*
		 * One read of up to the limit and a byte more: a read shorter than
		 * asked is the end of a regular file; one that fills it is too large.
		 */
		if (data->cap < BROKER_MAX_BYTES + 1) {
			data->cap = BROKER_MAX_BYTES + 1;
			data->data = xrealloc(data->data, data->cap);
		}
		data->len = 0;
		while ((got = read(fd, data->data + data->len, data->cap - data->len)) > 0) {
			size_t asked = data->cap - data->len;

			data->len += (size_t)got;
			if (data->len == data->cap || (size_t)got < asked)
				break;
		}
		close(fd);
		if (got < 0 || data->len > BROKER_MAX_BYTES) {
			rc = -1;
			break;
		}
		parts[0] = dir;
		lens[0] = strlen(dir) + 1;
		parts[1] = names[i];
		lens[1] = strlen(names[i]) + 1;
		parts[2] = data->data;
		lens[2] = data->len;
		vault_digest(parts, lens, 3, h);
		buf_add(out, h, sizeof h);
	}
	closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/*
 * The key of the registry as it is on disk: a digest of the schema, the
 * program's revision and every broker file's path and bytes, in name order.
 * -1 when a file cannot be read (the full load then says why).
 */
static int
index_key(const char *datadir, unsigned char key[INDEX_KEY_BYTES])
{
	char *dir = xasprintf("%s/brokers", datadir), *sub = path_join(dir, "imported");
	char *data = NULL, *cause = NULL, *schema = path_join(dir, "schema.json");
	unsigned char salt[INDEX_KEY_BYTES];
	struct buf digests, scratch;
	size_t len;
	int rc = -1;

	buf_init(&digests);
	buf_init(&scratch);
	if (read_file(schema, SCHEMA_MAX_BYTES, &data, &len, &cause) != 0)
		goto out;
	vcache_salt(INDEX_REVISION, data, len, salt);
	if (digest_dir(dir, 1, &digests, &scratch) != 0 ||
	    digest_dir(sub, 0, &digests, &scratch) != 0)
		goto out;
	{
		const void *parts[2] = { salt, digests.data != NULL ? digests.data : "" };
		size_t lens[2] = { sizeof salt, digests.len };

		vault_digest(parts, lens, 2, key);
	}
	rc = 0;
out:
	free(cause);
	free(data);
	free(schema);
	free(sub);
	free(dir);
	buf_free(&digests);
	buf_free(&scratch);
	return rc;
}

/* The digest that closes an index file: over everything before it. */
static void
index_check(const void *data, size_t len, unsigned char out[INDEX_KEY_BYTES])
{
	const void *parts[1] = { data };
	size_t lens[1] = { len };

	vault_digest(parts, lens, 1, out);
}

/* A string at *p ending before end, or NULL when it runs past it. */
static const char *
take_str(const char **p, const char *end)
{
	const char *s = *p, *nul = memchr(s, '\0', (size_t)(end - s));

	if (nul == NULL)
		return NULL;
	*p = nul + 1;
	return s;
}

/*
 * Read the rows of an index file's bytes (owned by ix->data) if they are
 * whole, made under this key and closed by their digest; 0 or -1.
 */
static int
index_parse(struct registry_index *ix, const unsigned char key[INDEX_KEY_BYTES])
{
	unsigned char check[INDEX_KEY_BYTES];
	const char *p, *end;
	size_t count = 0, i, k;

	if (ix->len < INDEX_MAGIC_LEN + 2 * INDEX_KEY_BYTES + 4 ||
	    memcmp(ix->data, INDEX_MAGIC, INDEX_MAGIC_LEN) != 0 ||
	    memcmp(ix->data + INDEX_MAGIC_LEN, key, INDEX_KEY_BYTES) != 0)
		return -1;
	end = ix->data + ix->len - INDEX_KEY_BYTES;
	index_check(ix->data, (size_t)(end - ix->data), check);
	if (memcmp(check, end, INDEX_KEY_BYTES) != 0)
		return -1;
	p = ix->data + INDEX_MAGIC_LEN + INDEX_KEY_BYTES;
	for (i = 4; i-- > 0;)
		count = (count << 8) | (unsigned char)p[i];
	p += 4;
	/* Each row takes at least its fixed bytes and two NULs. */
	if (count > (size_t)(end - p) / (1 + REQ_COUNT + 1 + 2))
		return -1;
	ix->rows = xcalloc(count ? count : 1, sizeof *ix->rows);
	for (i = 0; i < count; i++) {
		struct broker_row *row = &ix->rows[i];
		unsigned flags;

		if (end - p < 1 + REQ_COUNT + 1)
			return -1;
		flags = (unsigned char)*p++;
		row->sells_to_government = (flags & ROW_GOV) != 0;
		row->imported = (flags & ROW_IMPORTED) != 0;
		memcpy(row->channels, p, REQ_COUNT);
		p += REQ_COUNT;
		row->ncategories = (unsigned char)*p++;
		if ((row->id = take_str(&p, end)) == NULL ||
		    (row->verified = take_str(&p, end)) == NULL)
			return -1;
		if (!(flags & ROW_VERIFIED))
			row->verified = NULL;
		row->categories = p;
		for (k = 0; k < row->ncategories; k++)
			if (take_str(&p, end) == NULL)
				return -1;
	}
	if (p != end)
		return -1;
	ix->n = count;
	return 0;
}

/* The index file's bytes for a loaded registry, under key. */
static void
index_build(const struct registry *r, const unsigned char key[INDEX_KEY_BYTES], struct buf *b)
{
	unsigned char check[INDEX_KEY_BYTES], count[4];
	size_t i, k;

	buf_init(b);
	buf_add(b, INDEX_MAGIC, INDEX_MAGIC_LEN);
	buf_add(b, key, INDEX_KEY_BYTES);
	for (i = 0; i < 4; i++)
		count[i] = (unsigned char)(r->n >> (8 * i));
	buf_add(b, count, sizeof count);
	for (i = 0; i < r->n; i++) {
		const struct broker *br = r->brokers[i];
		unsigned char channels[REQ_COUNT] = { 0 };
		size_t ncat = 0;

		for (k = 0; k < br->nprocedures; k++)
			if ((unsigned)br->procedures[k].request < REQ_COUNT &&
			    (unsigned)br->procedures[k].channel < CH_COUNT)
				channels[br->procedures[k].request] |=
				    (unsigned char)(1u << br->procedures[k].channel);
		while (br->categories != NULL && br->categories[ncat] != NULL && ncat < 255)
			ncat++;
		buf_addc(b, (char)((br->sells_to_government ? ROW_GOV : 0) |
		    (broker_is_imported(br) ? ROW_IMPORTED : 0) |
		    (br->verified != NULL ? ROW_VERIFIED : 0)));
		buf_add(b, channels, sizeof channels);
		buf_addc(b, (char)ncat);
		buf_add(b, br->id, strlen(br->id) + 1);
		buf_add(b, br->verified != NULL ? br->verified : "", br->verified != NULL ?
		    strlen(br->verified) + 1 : 1);
		for (k = 0; k < ncat; k++)
			buf_add(b, br->categories[k], strlen(br->categories[k]) + 1);
	}
	index_check(b->data, b->len, check);
	buf_add(b, check, sizeof check);
}

/* Keep an index for the next run; one that cannot be written only costs time. */
static void
index_save(const char *path, const struct buf *b)
{
	char *dir, *cause = NULL;

	/* A shared computer keeps no cache (--ephemeral). */
	if (path == NULL || ephemeral_mode())
		return;
	dir = path_dirname(path);
	if (make_dirs(dir, 0700, &cause) == 0)
		write_file_atomic(path, b->data, b->len, 0600, &cause);
	free(cause);
	free(dir);
}

/* The listing index: from the cache when the registry's bytes are those it was made of. */
struct registry_index *
registry_index_load(const char *datadir, char **cause)
{
	struct registry_index *ix = xcalloc(1, sizeof *ix);
	unsigned char key[INDEX_KEY_BYTES], again[INDEX_KEY_BYTES];
	char *path = index_path(), *ignored = NULL;
	struct registry *r;
	struct buf b;
	int keyed = index_key(datadir, key) == 0;

	if (keyed && path != NULL &&
	    read_file(path, INDEX_MAX_BYTES, &ix->data, &ix->len, &ignored) == 0 &&
	    index_parse(ix, key) == 0) {
		free(path);
		return ix;
	}
	free(ignored);
	free(ix->rows);
	free(ix->data);
	memset(ix, 0, sizeof *ix);
	/* A miss: load and check every record, as registry_load always does. */
	if ((r = registry_load(datadir, cause)) == NULL) {
		free(ix);
		free(path);
		return NULL;
	}
	/* Unkeyed (a file unreadable a moment ago): the rows are used, never kept. */
	if (!keyed)
		memset(key, 0, sizeof key);
	index_build(r, key, &b);
	registry_free(r);
	ix->len = b.len;
	ix->data = buf_detach(&b);
	if (index_parse(ix, key) != 0) {
		*cause = xasprintf("%s/brokers: cannot index the registry", datadir);
		registry_index_free(ix);
		free(path);
		return NULL;
	}
	/* Kept only when no file changed while the registry was loaded. */
	if (keyed && index_key(datadir, again) == 0 && memcmp(key, again, sizeof key) == 0) {
		struct buf keep = { ix->data, ix->len, ix->len };

		index_save(path, &keep);
	}
	free(path);
	return ix;
}

/* Whether a row's broker is in a category. */
int
broker_row_has_category(const struct broker_row *row, const char *category)
{
	const char *c = row->categories;
	size_t i;

	for (i = 0; i < row->ncategories; i++) {
		if (strcmp(c, category) == 0)
			return 1;
		c += strlen(c) + 1;
	}
	return 0;
}

/* Free an index (NULL is fine). */
void
registry_index_free(struct registry_index *ix)
{
	if (ix == NULL)
		return;
	free(ix->rows);
	free(ix->data);
	free(ix);
}
