/*
 * intake: what people type, turned into the forms a profile needs.
 *
 * People write "ca", "California" or "Nueva York" for a state, 03/14/1985
 * or 14/03/1985 for a date, 900331234 for a ZIP code, "USA" or "Estados
 * Unidos" for a country.  These functions accept such forms and give the
 * profile's form (CA, 1985-03-14, 90033-1234, US), or say that the answer
 * cannot be read; they never print and never keep the value.  `optout
 * init` and the batch CSV reader use them.
 *
 * Contract: outputs are written into the caller's buffers; no allocation.
 */
#ifndef OPTOUT_INTAKE_H
#define OPTOUT_INTAKE_H

enum intake_date {
	INTAKE_DATE_OK,        /* iso holds the date */
	INTAKE_DATE_AMBIGUOUS, /* NN/NN/YYYY with both numbers <= 12: iso month first, alt day first */
	INTAKE_DATE_BAD,       /* not a date that can be read, or not a real calendar date */
};

/* A US state, DC or territory as its USPS code, from a code or a name (English or Spanish). */
int intake_state(const char *in, char out[3]);
/* A US ZIP code as 12345 or 12345-6789 (also from nine digits); 0 or -1. */
int intake_zip(const char *in, char out[11]);
/* A country as ISO 3166 alpha-2 (from a code, or a name of the United States or Mexico). */
int intake_country(const char *in, char out[3]);
/* A full date: YYYY-MM-DD, MM/DD/YYYY, DD/MM/YYYY (when the day is over 12), with / - or . */
enum intake_date intake_date(const char *in, char iso[11], char alt[11]);
/* A yes/no answer in English or Spanish: 1 yes, 0 no, -1 neither. */
int intake_yes(const char *in);

/*
 * The questions of a profile's form, shared by `optout init` and `optout
 * serve` so that both ask, explain and refuse in the same words.  The
 * strings are untranslated messages (N_): translate them with _().
 */
enum intake_kind { INTAKE_TEXT, INTAKE_STATE, INTAKE_ZIP, INTAKE_EMAIL, INTAKE_PHONE };

struct intake_question {
	const char *key;      /* given, family, street, city, state, zip, email, phone */
	enum intake_kind kind;
	const char *question;
	const char *why;      /* NULL when the question needs no reason */
	int optional;
};

/* The question with this key, or NULL. */
const struct intake_question *intake_question(const char *key);
/*
 * Check an answer of this kind (already trimmed): NULL and *norm allocated
 * when it is good, else the message that says what was expected (N_).
 * An empty answer is refused with the "needed" message.
 */
const char *intake_check(enum intake_kind kind, const char *in, char **norm);

#endif
