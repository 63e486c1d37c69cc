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
	const struct jv *form;      /* may be NULL */
	int response_days;          /* -1 when the record gives none */
	const char *restricted_to;  /* may be NULL */
	int agent_allowed;          /* 1, 0, or -1 when unknown */
	const char *notes;
	const char *status;         /* current, stale, unverified */
	const char *availability;   /* working, legacy, defunct, not-a-request-form */
	const struct source *sources;
	size_t nsources;
	const struct broker *broker;
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
	const struct procedure *procedures;
	size_t nprocedures;
	const char *no_consumer_channel;
	const struct caveat *caveats;
	size_t ncaveats;
	const char *verified; /* YYYY-MM-DD */
	const char *path;
	const struct jv *json; /* the record as loaded, for --json output */
};

struct registry {
	struct broker **brokers; /* sorted by id */
	size_t n;
};

/* Load every broker file under datadir/brokers. */
struct registry *registry_load(const char *datadir, char **cause);
/* Validate the given broker files against datadir's schema; 0 when all are valid. */
int registry_validate_files(const char *datadir, char **files, size_t nfiles, char **cause);
void registry_free(struct registry *r);

const struct broker *registry_find(const struct registry *r, const char *id);
/* Whether the broker's name, aliases or parent contain word (case- and accent-insensitive). */
int broker_matches(const struct broker *b, const char *word);
int broker_has_category(const struct broker *b, const char *category);

const char *request_name(enum request r);
int request_parse(const char *s, enum request *r);
const char *channel_name(enum channel c);
int channel_parse(const char *s, enum channel *c);

#endif
