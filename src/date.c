/* date: civil dates as day numbers and deadline arithmetic. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "optout/date.h"

static const char *const month_names[12] = { "January", "February", "March", "April", "May",
	"June", "July", "August", "September", "October", "November", "December" };

/* Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm). */
date_t
date_from_ymd(int y, int m, int d)
{
	long yy = y - (m <= 2);
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/* The year, month and day of a day number. */
void
date_to_ymd(date_t d, int *y, int *m, int *day)
{
	long z = d + 719468, era, doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Days in a month. */
static int
month_days(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* Read exactly n digits. */
static int
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Parse YYYY-MM-DD, rejecting impossible dates such as 1990-02-30. */
int
date_parse(const char *s, date_t *d)
{
	int y, m, day;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || digits(s, 4, &y) ||
	    digits(s + 5, 2, &m) || digits(s + 8, 2, &day))
		return -1;
	if (m < 1 || m > 12 || day < 1 || day > month_days(y, m))
		return -1;
	*d = date_from_ymd(y, m, day);
	return 0;
}

/* Parse a date as precise as its source: YYYY, YYYY-MM or YYYY-MM-DD. */
int
date_parse_partial(const char *s, date_t *d)
{
	int y, m;

	if (strlen(s) == 4 && digits(s, 4, &y) == 0) {
		*d = date_from_ymd(y, 1, 1);
		return 0;
	}
	if (strlen(s) == 7 && s[4] == '-' && digits(s, 4, &y) == 0 && digits(s + 5, 2, &m) == 0 &&
	    m >= 1 && m <= 12) {
		*d = date_from_ymd(y, m, 1);
		return 0;
	}
	return date_parse(s, d);
}

/* YYYY-MM-DD. */
void
date_format(date_t d, char out[11])
{
	int y, m, day;

	date_to_ymd(d, &y, &m, &day);
	/* Years outside 0..9999 cannot be written in 10 bytes: clamp them. */
	if (y < 0)
		y = 0;
	if (y > 9999)
		y = 9999;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + day / 10);
	out[9] = (char)('0' + day % 10);
	out[10] = '\0';
}

/* "22 November 2026". */
void
date_format_long(date_t d, char out[32])
{
	int y, m, day;

	date_to_ymd(d, &y, &m, &day);
	snprintf(out, 32, "%d %s %d", day, month_names[m - 1], y);
}

/* 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday). */
int
date_weekday(date_t d)
{
	long w = (d + 3) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

/* Today's local date, or $OPTOUT_TODAY when set to a valid date. */
date_t
date_today(void)
{
	const char *env = getenv("OPTOUT_TODAY");
	struct tm tm;
	time_t now;
	date_t d;

	if (env != NULL && date_parse(env, &d) == 0)
		return d;
	now = time(NULL);
	localtime_r(&now, &tm);
	return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Add months, clamping the day to the target month's length. */
date_t
date_add_months(date_t d, int months)
{
	int y, m, day;
	long total;

	date_to_ymd(d, &y, &m, &day);
	total = (long)y * 12 + (m - 1) + months;
	y = (int)(total / 12);
	m = (int)(total % 12) + 1;
	if (day > month_days(y, m))
		day = month_days(y, m);
	return date_from_ymd(y, m, day);
}

/* Whether a sorted holiday list holds d. */
static int
is_holiday(date_t d, const date_t *h, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h[mid] == d)
			return 1;
		if (h[mid] < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* A weekday that is not a holiday. */
int
date_is_business_day(date_t d, const date_t *holidays, size_t nholidays)
{
	return date_weekday(d) < 5 && !is_holiday(d, holidays, nholidays);
}

/* Count n business days forward from d (d itself is not counted). */
date_t
date_add_business_days(date_t d, int n, const date_t *holidays, size_t nholidays)
{
	while (n > 0) {
		d++;
		if (date_is_business_day(d, holidays, nholidays))
			n--;
	}
	return d;
}
