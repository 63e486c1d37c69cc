/*
 * profile: the person a request is for, and the agent filing for them.
 *
 * A profile file is JSON checked against letters/profile.schema.json and
 * then by PCRE2 patterns and calendar checks the schema cannot express
 * (real dates, one current address, US ZIP codes and states, phone numbers
 * normalized to E.164, plausible SSNs).  Messages name the file and the
 * field, never the value: `me.json: addresses[0].postal_code: expected a
 * US ZIP code (12345 or 12345-6789)`.
 *
 * Contract: profile_load and agent_load return objects owned by the
 * caller, freed with profile_free / agent_free (NULL is fine), which wipe
 * the personal data from memory.  Strings reached from them are borrowed.
 */
#ifndef OPTOUT_PROFILE_H
#define OPTOUT_PROFILE_H

#include <stddef.h>

struct jv;

struct address {
	const char **street;
	const char *city;
	const char *region;      /* may be NULL */
	const char *postal_code; /* may be NULL */
	const char *country;     /* ISO 3166 alpha-2 */
	const char *from, *to;   /* may be NULL */
	int current;
};

struct profile {
	const char *label;       /* opaque client label; may be NULL */
	const char *given, *middle, *family, *suffix;
	int family_first;        /* the name is written family name first */
	const char **aliases;
	const char *latin_given, *latin_middle, *latin_family; /* may be NULL */
	const char *dob;         /* YYYY-MM-DD or NULL */
	struct address *addresses;
	size_t naddresses;
	const struct address *current;
	const char **emails;
	char **phones;           /* E.164 */
	size_t nphones;
	char *ssn;               /* NNN-NN-NNNN or NULL */
	const char *ssn_last4;   /* from the file, or derived from ssn */
	const char *dl_number, *dl_region;
	const char *language;
	const char *signature_image;
	struct jv *doc;
};

struct agent {
	const char *organization, *name, *title;
	struct address address;
	const char *email, *phone_raw;
	char *phone; /* E.164 */
	const char *website;
	struct jv *doc;
};

/* Load and check a profile (schemas are read from datadir/letters). */
struct profile *profile_load(const char *path, const char *datadir, char **cause);
/* Build a profile from an already parsed JSON value (takes ownership). */
struct profile *profile_from_jv(struct jv *doc, const char *name, const char *datadir,
    char **cause);
void profile_free(struct profile *p);
/*
 * Whether the label says nothing about the person: no part of a name, the
 * date of birth, SSN digits, the phone number or the email address (a
 * profile with such a label is refused by profile_load).
 */
int profile_label_ok(const struct profile *p);
/* Set the label of a profile that has none (the profile keeps a copy). */
void profile_set_label(struct profile *p, const char *label);
struct agent *agent_load(const char *path, const char *datadir, char **cause);
/* Build an agent from an already parsed JSON value (takes ownership). */
struct agent *agent_from_jv(struct jv *doc, const char *name, const char *datadir,
    char **cause);
void agent_free(struct agent *a);

/* "Given Middle Family Suffix" as written. */
char *profile_full_name(const struct profile *p);
/* The Latin form of the name, or NULL when the profile has none. */
char *profile_latin_name(const struct profile *p);
/* Whether the name uses letters outside the Latin script. */
int profile_name_needs_latin(const struct profile *p);
/* Address lines as a letter prints them ("City, ST 12345"). */
char **address_lines(const struct address *a, int with_country);
/* A phone number for people to read (NANP: +1 213-555-0100; others E.164). */
char *phone_display(const char *e164);
/* The address on one line: street lines, then city, region and postal code. */
char *address_one_line(const struct address *a);
/*
 * Normalize a phone number to E.164 (+CCNNN...).  Numbers without a
 * country code are taken as national numbers of `country` (US/CA: NANP).
 * Returns NULL when that cannot be done.
 */
char *phone_e164(const char *raw, const char *country);

#endif
