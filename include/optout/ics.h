/*
 * ics: due dates as an iCalendar file (RFC 5545) for a calendar program.
 *
 * Each event is an all-day VEVENT (DTSTART;VALUE=DATE) on a due date, with
 * a UID that stays the same for the same request and kind of date, so a
 * calendar that imports the file again updates events instead of doubling
 * them.  Lines end in CRLF and are folded at 75 octets without splitting a
 * UTF-8 character; TEXT values are escaped.  Nothing personal goes in: the
 * summary names the reference, the broker and the request type only.
 *
 * Contract: ics_render returns an allocated string the caller frees.
 */
#ifndef OPTOUT_ICS_H
#define OPTOUT_ICS_H

#include <stddef.h>

#include "optout/date.h"

struct ics_event {
	const char *uid;         /* unique and stable, e.g. "OPT-ABCD-1234-due@optout" */
	date_t day;              /* the all-day event's date */
	const char *summary;     /* one line of text */
	const char *description; /* may be NULL */
};

/* The calendar with these events, stamped with dtstamp (YYYYMMDDTHHMMSSZ, UTC). */
char *ics_render(const struct ics_event *ev, size_t n, const char *dtstamp);

#endif
