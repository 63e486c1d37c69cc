/* ics: an iCalendar file (RFC 5545) of all-day events, folded and escaped. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optout/ics.h"
#include "optout/util.h"

/* RFC 5545 3.1: lines longer than 75 octets are folded with CRLF and a space. */
#define ICS_LINE_OCTETS 75

/* Append one content line, folded at 75 octets on UTF-8 character boundaries, with CRLF. */
static void
add_line(struct buf *b, const char *line)
{
	size_t len = strlen(line), i = 0, room = ICS_LINE_OCTETS;

	while (len - i > room) {
		size_t cut = i + room;

		/* Never split a UTF-8 sequence: back up over continuation bytes. */
		while (cut > i && ((unsigned char)line[cut] & 0xC0) == 0x80)
			cut--;
		buf_add(b, line + i, cut - i);
		buf_adds(b, "\r\n ");
		i = cut;
		room = ICS_LINE_OCTETS - 1; /* the leading space counts */
	}
	buf_add(b, line + i, len - i);
	buf_adds(b, "\r\n");
}

/* A property whose value is TEXT: backslash, semicolon, comma and newline escaped. */
static void
add_text(struct buf *b, const char *name, const char *value)
{
	struct buf line;
	const char *p;
	char *s;

	buf_init(&line);
	buf_adds(&line, name);
	buf_addc(&line, ':');
	for (p = value; *p != '\0'; p++) {
		if (*p == '\\' || *p == ';' || *p == ',')
			buf_addc(&line, '\\');
		if (*p == '\n') {
			buf_adds(&line, "\\n");
			continue;
		}
		if (*p == '\r')
			continue;
		buf_addc(&line, *p);
	}
	s = buf_detach(&line);
	add_line(b, s);
	free(s);
}

/* The calendar text for the events. */
char *
ics_render(const struct ics_event *ev, size_t n, const char *dtstamp)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	add_line(&b, "BEGIN:VCALENDAR");
	add_line(&b, "VERSION:2.0");
	add_line(&b, "PRODID:-//optout//due dates//EN");
	add_line(&b, "CALSCALE:GREGORIAN");
	for (i = 0; i < n; i++) {
		char day[11], next[11], *line;
		int y, m, d;

		date_to_ymd(ev[i].day, &y, &m, &d);
		snprintf(day, sizeof day, "%04d%02d%02d", y, m, d);
		/* DTEND is exclusive: an all-day event ends on the next day. */
		date_to_ymd(ev[i].day + 1, &y, &m, &d);
		snprintf(next, sizeof next, "%04d%02d%02d", y, m, d);
		add_line(&b, "BEGIN:VEVENT");
		add_text(&b, "UID", ev[i].uid);
		line = xasprintf("DTSTAMP:%s", dtstamp);
		add_line(&b, line);
		free(line);
		line = xasprintf("DTSTART;VALUE=DATE:%s", day);
		add_line(&b, line);
		free(line);
		line = xasprintf("DTEND;VALUE=DATE:%s", next);
		add_line(&b, line);
		free(line);
		add_text(&b, "SUMMARY", ev[i].summary);
		if (ev[i].description != NULL)
			add_text(&b, "DESCRIPTION", ev[i].description);
		add_line(&b, "TRANSP:TRANSPARENT");
		add_line(&b, "END:VEVENT");
	}
	add_line(&b, "END:VCALENDAR");
	return buf_detach(&b);
}
