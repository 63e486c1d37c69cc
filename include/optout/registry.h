/*
 * registry: data brokers and their procedures, loaded from the brokers directory (one JSON file per broker).
 *
 * Every file is checked against brokers/schema.json (the contract) and then
 * for what a schema cannot say: the id equals the file name and procedure
 * ids are unique within a broker.  Loading reports every problem in every
 * file, one per line, as `FILE: PATH: WHAT`.
 *
 * Contract: registry_load returns a struct registry owned by the caller,
 * freed with registry_free (NULL is fine); everything reachable from it
 * (brokers, procedures, strings) is borrowed from it.  String lists are
 * NULL-terminated arrays; absent optional strings are NULL.
 */
#ifndef OPTOUT_REGISTRY_H
#define OPTOUT_REGISTRY_H

#include <stddef.h>

struct jv;
struct schema;

enum request { REQ_ACCESS, REQ_DELETE, REQ_OPTOUT, REQ_CORRECT, REQ_FREEZE, REQ_COUNT };
enum channel { CH_WEB, CH_EMAIL, CH_POSTAL, CH_PHONE, CH_FAX, CH_COUNT };

struct source {
	const char *ref;
	const char *url;   /* may be NULL */
	const char *as_of; /* YYYY, YYYY-MM or YYYY-MM-DD; may be NULL */
};

struct postal {
	const char *recipient;
	const char **street;
	const char *city;
	const char *region; /* may be NULL outside the US */
	const char *postal_code;
	const char *country;
};

struct caveat {
	const char *text;
	const char *source;
	const char *date; /* may be NULL */
};

struct procedure {
	const char *id;
	enum request request;
	const char **laws; /* ccpa, us-state, fcra, gdpr, voluntary */
	enum channel channel;
	const char *url, *email, *phone, *fax;
	const struct postal *postal; /* postal channel only */
	const char **requires;
	const char **requires_one_of; /* may be empty */
	const char **sensitive;
	const char **verification;
	int captcha;
	int message_field;          /* web: 0 when the form has no free-text field, else 1 */
	const struct jv *form;      /* may be NULL */
	int response_days;          /* -1 when the record gives none */
	const char *restricted_to;  /* may be NULL */
	int agent_allowed;          /* 1, 0, or -1 when unknown */
	const char *notes;
	const char *status;         /* current, stale, unverified */
	const char *registry;       /* the state registry the address was filed with, or NULL */
	const char *availability;   /* working, legacy, defunct, not-a-request-form */
	const struct source *sources;
	size_t nsources;
	const struct broker *broker;
};

/* One filing in a state data-broker registry, as the broker declared it. */
struct registration {
	const char *registry;  /* california, vermont, ... */
	const char *id;        /* may be NULL */
	const char *date;      /* may be NULL */
	const struct source *source;
	int agent_allowed;     /* 1, 0, or -1 when not declared */
	int federal, law_enforcement; /* declared sales: 1, 0, or -1 */
};

struct broker {
	const char *id;
	const char *name;
	const char **aliases;
	const char *parent;
	const char **categories;
	int sells_to_government;
	const char *government_sales; /* may be NULL */
	const struct source *government_sources;
	size_t ngovernment_sources;
	const char *website;
	const char *cra_kind; /* nationwide, nationwide-specialty, other; NULL when unknown */
	const char *reach_eu, *reach_uk; /* GDPR reach: established, targets, neither; NULL unknown */
	const struct procedure *procedures;
	size_t nprocedures;
	const char *no_consumer_channel;
	const struct caveat *caveats;
	size_t ncaveats;
	const char *verified; /* YYYY-MM-DD */
	const char *quality;  /* "curated" (also when the file says nothing) or "imported" */
	const struct registration *registrations;
	size_t nregistrations;
	const char **family;  /* ids of an operator family, this one included; empty when none */
	const char *path;
	const struct jv *json; /* the record as loaded, for --json output */
};

struct registry {
	struct broker **brokers; /* sorted by id */
	size_t n;
	size_t nfiles;           /* files loaded: an imported twin joins its curated record */
};

/* Load every broker file under datadir/brokers. */
struct registry *registry_load(const char *datadir, char **cause);
/*
 * Load only the records of these ids (and their imported twins), without
 * rewriting the validation cache; an id with no file loads everything.
 */
struct registry *registry_load_ids(const char *datadir, const char *const *ids, size_t nids,
    char **cause);
/* Validate the given broker files against datadir's schema; 0 when all are valid. */
int registry_validate_files(const char *datadir, char **files, size_t nfiles, char **cause);
void registry_free(struct registry *r);
/*
 * Check one parsed broker record (owned) against a loaded brokers/schema.json,
 * as the file `path` would be; the loader uses it for every file.
 */
struct broker *broker_from_jv(const struct schema *schema, struct jv *doc, const char *path,
    char **cause);
/* Free a broker from broker_from_jv (NULL is fine); never one a registry holds. */
void broker_free(struct broker *b);

/*
 * The listing index: for each record (after an imported twin joins its
 * curated record, in id order) what `brokers list` shows and filters on.
 * It is kept in $XDG_CACHE_HOME/optout/brokers-list.cache (or
 * ~/.cache/optout/) under a digest of every broker file's path and bytes,
 * the schema's bytes and the program's revision, and closed by a digest of
 * its own bytes: a repeated listing of an unchanged registry reads the files
 * only to hash them, and neither parses nor checks them.  A changed file,
 * schema or program, or a damaged, truncated or missing cache, loads and
 * checks the registry as registry_load does (its errors come back in
 * *cause) and writes the cache again.  Deleting it is always safe; it holds
 * no personal data, and nothing is kept with --ephemeral.  Strings are
 * borrowed from the index.
 */
struct broker_row {
	const char *id;
	const char *verified;      /* NULL when the record gives none */
	int sells_to_government;
	int imported;              /* only what the broker declared in a state registry */
	unsigned char channels[REQ_COUNT]; /* per request type, a bit (1 << channel) per channel */
	size_t ncategories;
	const char *categories;    /* ncategories strings, one after another's NUL */
};
struct registry_index {
	struct broker_row *rows;
	size_t n;
	char *data; /* the index's bytes, which the rows' strings point into */
	size_t len;
};
struct registry_index *registry_index_load(const char *datadir, char **cause);
void registry_index_free(struct registry_index *ix);
int broker_row_has_category(const struct broker_row *row, const char *category);

const struct broker *registry_find(const struct registry *r, const char *id);
/* Whether the broker's name, aliases or parent contain word (case- and accent-insensitive). */
int broker_matches(const struct broker *b, const char *word);
int broker_has_category(const struct broker *b, const char *category);

/* Whether the record is only what the broker declared in a state registry. */
int broker_is_imported(const struct broker *b);
/* The registration in the named registry, or NULL. */
const struct registration *broker_registration(const struct broker *b, const char *registry);

/* Broker scopes for plan, packet and batch. */
enum scope {
	SCOPE_DEFAULT,    /* the curated records: researched procedures */
	SCOPE_GOVERNMENT, /* known or declared to sell to government or law enforcement */
	SCOPE_PEOPLE_SEARCH,
	SCOPE_REGISTERED, /* every broker with a state registration */
	SCOPE_ALL,
	SCOPE_COUNT
};
/* Parse a scope name (curated, government, people-search, registered, all). */
int scope_parse(const char *s, enum scope *out);
const char *scope_name(enum scope s);
/*
 * The brokers in a scope as a NULL-terminated array the caller frees (the
 * brokers are borrowed): curated records first, then imported ones, each
 * in id order.
 */
const struct broker **registry_scope(const struct registry *r, enum scope s, size_t *n);

const char *request_name(enum request r);
int request_parse(const char *s, enum request *r);
const char *channel_name(enum channel c);
int channel_parse(const char *s, enum channel *c);

#endif
