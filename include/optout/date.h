/*
 * date: calendar dates as day numbers, and deadline arithmetic.
 *
 * A date is a count of days since 1970-01-01 (negative before).  Business
 * days skip Saturdays, Sundays and the given holidays.  "Today" is the
 * local date, or $OPTOUT_TODAY (YYYY-MM-DD) so tests and reprints are
 * reproducible.
 */
#ifndef OPTOUT_DATE_H
#define OPTOUT_DATE_H

#include <stddef.h>

typedef long date_t;

/* Parse YYYY-MM-DD strictly (a real calendar date); 0 on success. */
int date_parse(const char *s, date_t *d);
/* Parse YYYY, YYYY-MM or YYYY-MM-DD, taking the first day of the period. */
int date_parse_partial(const char *s, date_t *d);
date_t date_from_ymd(int y, int m, int d);
void date_to_ymd(date_t d, int *y, int *m, int *day);
/* Format as YYYY-MM-DD into out (at least 11 bytes). */
void date_format(date_t d, char out[11]);
/* Format as "22 November 2026" into out (at least 32 bytes). */
void date_format_long(date_t d, char out[32]);
/* 0 = Monday ... 6 = Sunday. */
int date_weekday(date_t d);
date_t date_today(void);
/* Add calendar months, clamping to the month's last day (GDPR "one month"). */
date_t date_add_months(date_t d, int months);
/* Whether d is a business day given a sorted list of holidays. */
int date_is_business_day(date_t d, const date_t *holidays, size_t nholidays);
/* The date n business days after d. */
date_t date_add_business_days(date_t d, int n, const date_t *holidays, size_t nholidays);

#endif
