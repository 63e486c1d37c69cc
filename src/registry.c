/* registry: load, validate and query the broker records. */
#include "config.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "optout/jv.h"
#include "optout/registry.h"
#include "optout/schema.h"
#include "optout/util.h"

#define BROKER_MAX_BYTES ((size_t)256 * 1024)

/* A broker plus what it owns: the parsed file and the arrays built from it. */
struct broker_store {
	struct broker pub; /* first, so a struct broker * converts back */
	struct jv *doc;
	void **allocs;
	size_t nallocs;
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
	p->form = jv_get(o, "form");
	v = jv_get(o, "response_days");
	p->response_days = v != NULL ? (int)jv_int(v) : -1;
	p->restricted_to = str_at(o, "restricted_to");
	v = jv_get(o, "agent_allowed");
	p->agent_allowed = v != NULL ? jv_bool(v) : -1;
	p->notes = str_at(o, "notes");
	p->status = str_at(o, "status");
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
	b->json = d;
}

/* Free one broker and everything it owns. */
static void
broker_free(struct broker *b)
{
	struct broker_store *bs = (struct broker_store *)b;
	size_t i;

	if (bs == NULL)
		return;
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

/* Load and check one broker file; problems are appended to errs. */
static struct broker_store *
load_one(const struct schema *schema, const char *path, struct buf *errs)
{
	struct broker_store *bs;
	struct jv *doc;
	char *cause = NULL;
	size_t before = errs->len;

	doc = jv_load_file(path, BROKER_MAX_BYTES, &cause);
	if (doc == NULL) {
		buf_printf(errs, "%s\n", cause);
		free(cause);
		return NULL;
	}
	if (schema_validate(schema, doc, path, 0, &cause) != 0) {
		buf_printf(errs, "%s\n", cause);
		free(cause);
	}
	/* Semantic checks need the shape the schema guarantees. */
	if (errs->len == before)
		check_semantics(doc, path, errs);
	if (errs->len != before) {
		jv_free(doc);
		return NULL;
	}
	bs = xcalloc(1, sizeof *bs);
	bs->doc = doc;
	bs->pub.path = xstrdup(path);
	fill_broker(bs);
	return bs;
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

/* Load every broker file in datadir/brokers. */
struct registry *
registry_load(const char *datadir, char **cause)
{
	char *dir = xasprintf("%s/brokers", datadir);
	struct registry *r;
	struct schema *schema;
	struct buf errs;
	struct dirent *e;
	char **names = NULL;
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
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !str_ends_with(e->d_name, ".json") ||
		    strcmp(e->d_name, "schema.json") == 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = path_join(dir, e->d_name);
	}
	closedir(d);
	free(dir);
	if (n > 0)
		qsort(names, n, sizeof *names, cmp_str);

	r = xcalloc(1, sizeof *r);
	r->brokers = xcalloc(n ? n : 1, sizeof *r->brokers);
	buf_init(&errs);
	for (i = 0; i < n; i++) {
		struct broker_store *bs = load_one(schema, names[i], &errs);

		if (bs != NULL)
			r->brokers[r->n++] = &bs->pub;
		free(names[i]);
	}
	free(names);
	schema_free(schema);
	if (errs.len > 0) {
		registry_free(r);
		fail_with(&errs, cause);
		return NULL;
	}
	qsort(r->brokers, r->n, sizeof *r->brokers, cmp_broker);
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
		broker_free((struct broker *)load_one(schema, files[i], &errs));
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
