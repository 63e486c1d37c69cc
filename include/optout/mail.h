/*
 * mail: render a document as an email message (RFC 5322, MIME, UTF-8).
 *
 * The body is the document's plain-text rendering, quoted-printable
 * encoded; header words outside ASCII are RFC 2047 encoded.  Sending
 * (SMTP) belongs to the HTTP/SMTP module, not here.
 *
 * Contract: mail_compose returns an allocated message (CRLF line ends) or
 * NULL with *cause set when an address is malformed.
 */
#ifndef OPTOUT_MAIL_H
#define OPTOUT_MAIL_H

struct doc;

struct mail_headers {
	const char *from_name, *from_addr; /* from_addr may be NULL: left for the person */
	const char *to_name, *to_addr;
	const char *subject;
	const char *date;       /* RFC 5322 date; NULL: now */
	const char *message_id; /* without <>; NULL: none */
};

char *mail_compose(const struct doc *d, const struct mail_headers *h, char **cause);

#endif
