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

#endif
