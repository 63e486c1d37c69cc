/* registry: load, validate and query the broker records. */
#include "config.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "optout/jv.h"
#include "optout/registry.h"
#include "optout/schema.h"
#include "optout/util.h"
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

/*
 * Load and check one broker file; problems are appended to errs.  With a
 * cache, a file whose bytes passed before is parsed but not checked again.
 */
static struct broker *
load_one(const struct schema *schema, const char *path, struct vcache *vc, struct buf *errs)
{
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
	if (doc != NULL && (b = broker_build(schema, doc, path, hit, &cause)) != NULL) {
		if (vc != NULL && !hit)
			vcache_add(vc, key);
		return b;
	}
	buf_printf(errs, "%s\n", cause);
	free(cause);
	return NULL;
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

/* The cache of broker files that passed, salted with the schema's bytes (or NULL). */
static struct vcache *
open_cache(const char *datadir)
{
	unsigned char salt[VCACHE_KEY_BYTES];
	char *path = xasprintf("%s/brokers/schema.json", datadir), *data = NULL, *cause = NULL;
	size_t len = 0;

	if (read_file(path, SCHEMA_MAX_BYTES, &data, &len, &cause) != 0) {
		/* load_schema read it a moment ago; if it is gone now, check without a cache. */
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

/* Load every broker file in datadir/brokers and datadir/brokers/imported. */
struct registry *
registry_load(const char *datadir, char **cause)
{
	char *dir = xasprintf("%s/brokers", datadir);
	struct registry *r;
	struct schema *schema;
	struct buf errs;
	char **names = NULL, *sub;
	struct vcache *vc;
	size_t n = 0, i;
	DIR *d;

	schema = load_schema(datadir, cause);
	if (schema == NULL) {
		free(dir);
		return NULL;
	}
	d = opendir(dir);
	if (d == NULL) {
		*cause = xasprintf("%s: cannot open the broker directory", dir);
		schema_free(schema);
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
	if (n > 0)
		qsort(names, n, sizeof *names, cmp_str);

	vc = open_cache(datadir);
	r = xcalloc(1, sizeof *r);
	r->brokers = xcalloc(n ? n : 1, sizeof *r->brokers);
	buf_init(&errs);
	for (i = 0; i < n; i++) {
		struct broker *b = load_one(schema, names[i], vc, &errs);

		if (b != NULL)
			r->brokers[r->n++] = b;
		free(names[i]);
	}
	free(names);
	schema_free(schema);
	if (vc != NULL && errs.len == 0) {
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

/* Validate the named files; every problem goes into *cause. */
int
registry_validate_files(const char *datadir, char **files, size_t nfiles, char **cause)
{
	struct schema *schema = load_schema(datadir, cause);
	struct buf errs;
	size_t i;

	if (schema == NULL)
		return -1;
	buf_init(&errs);
	for (i = 0; i < nfiles; i++)
		broker_free(load_one(schema, files[i], NULL, &errs));
	schema_free(schema);
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
