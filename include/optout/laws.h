/*
 * laws: the legal bases letters can cite (letters/laws.json).
 *
 * Checked against letters/laws.schema.json on load.  Chooses the law of a
 * person's residence and computes due dates (calendar days, business days
 * with the file's holiday list, or months).
 *
 * Contract: laws_load returns a struct laws owned by the caller (laws_free
 * accepts NULL); every struct law and string reached from it is borrowed.
 */
#ifndef OPTOUT_LAWS_H
#define OPTOUT_LAWS_H

#include <stddef.h>

#include "optout/date.h"
#include "optout/registry.h"

struct jv;
struct schema;

enum day_unit { UNIT_CALENDAR, UNIT_BUSINESS, UNIT_MONTHS };

struct deadline {
	int days;
	enum day_unit unit;
	int binding;              /* set by law, or only a courtesy expectation */
	const char *citation;     /* may be NULL */
	int extension_days;       /* 0 when no extension */
	enum day_unit extension_unit;
	int extension_requires_notice;
	int ends_on_working_day;  /* a period ending on a weekend ends the next working day */
	const char *working_day_citation; /* may be NULL */
	const char *notes;        /* may be NULL */
};

struct law {
	const char *id;
	const char *family; /* ccpa, us-state, fcra, gdpr, none */
	const char *country; /* US, EU, or NULL for none */
	const char *region;  /* a US state, or NULL */
	const char *name;
	const char *citation;
	const char *in_force; /* may be NULL */
	const struct jv *json;
};

struct laws {
	struct law *laws;
	size_t n;
	date_t *holidays; /* sorted */
	size_t nholidays;
	struct jv *doc;
};

struct laws *laws_load(const char *datadir, char **cause);
/* Check a parsed laws document (owned) against laws.schema.json, as the file path would be. */
struct laws *laws_from_jv(const struct schema *schema, struct jv *doc, const char *path,
    char **cause);
void laws_free(struct laws *l);
const struct law *laws_find(const struct laws *l, const char *id);
/*
 * The comprehensive privacy law of where a person lives, in force on day
 * `on` and covering the request: a US state's law, the GDPR for an EU
 * member state, else NULL (the caller falls back to "none").
 */
const struct law *laws_for_residence(const struct laws *l, const char *country,
    const char *region, enum request r, date_t on);
/* Whether the law covers a request type. */
int law_covers(const struct law *law, enum request r);
/* Whether a covered request type is in force on a day (requests_from in laws.json). */
int law_request_in_force(const struct law *law, enum request r, date_t on);
/* The deadline for a request type (an override, or the law's own). */
void law_deadline(const struct law *law, enum request r, struct deadline *d);
/* The section to cite for a request type, or the law's citation. */
const char *law_section(const struct law *law, enum request r);
/* Who may file as agent: all, opt-out-only, none, unknown. */
const char *law_agent_allowed(const struct law *law);
/* Whether the holiday list covers the year of a date (business days are exact then). */
int laws_holidays_cover(const struct laws *l, date_t d);
/* The date `days` units after `from`. */
date_t laws_add(const struct laws *l, date_t from, int days, enum day_unit unit);
/*
 * The mail-transit allowance in business days (laws.json "mail_transit"):
 * until a letter's delivery is recorded, its deadline is counted from the
 * mailing day plus this many business days.
 */
int laws_mail_transit_days(const struct laws *l);
/*
 * The regulator (an entry of laws.json "regulators", borrowed) to complain
 * to under a law for a person living in country (ISO 3166-1 alpha-2) and
 * region (a US state or German Land code, may be NULL); an entry naming
 * regions wins over one naming countries, which wins over one naming
 * neither.  NULL when none is on file.
 */
const struct jv *laws_regulator(const struct laws *l, const struct law *law,
    const char *country, const char *region);
/* laws_add, then moved past a weekend when the law's deadline says so (by law id). */
date_t laws_add_for(const struct laws *l, const char *law_id, date_t from, int days,
    enum day_unit unit);
/*
 * The due date and the extended due date (0 when no extension) of a deadline
 * counted from `from`, each moved past a weekend where the deadline says so.
 */
void laws_due(const struct laws *l, date_t from, const struct deadline *d, date_t *due,
    date_t *extended_due);
/*
 * California's Delete Request and Opt-out Platform (laws.json "drop" of a
 * law): one deletion request that every registered data broker must act on.
 */
struct drop_info {
	const struct law *law;    /* the law whose residents use it */
	const char *url, *citation, *cycle_citation, *fine_citation;
	date_t open_from;         /* consumers could file from this day */
	date_t processing_from;   /* brokers must check it from this day */
	int cycle_days;           /* at least this often, in calendar days */
};
/*
 * The DROP open on day `on` to a person living in country/region (country
 * NULL: the one on file, wherever); 0 when there is one (out filled), -1
 * when none.
 */
int laws_drop(const struct laws *l, const char *country, const char *region, date_t on,
    struct drop_info *out);
/*
 * The next day, after `today`, by which every registered broker must have
 * checked a DROP request filed on `filed`: the brokers' cycles run from the
 * later of the filing and the first processing day, cycle_days apart.
 */
date_t drop_next_check(const struct drop_info *d, date_t filed, date_t today);

/* "45 calendar days", "15 business days", "1 month". */
char *deadline_text(int days, enum day_unit unit);
char *deadline_words(int days, enum day_unit unit);

#endif
