/*
 * mail: render a document as an email message (RFC 5322, MIME, UTF-8).
 *
 * The body is the document's plain-text rendering, quoted-printable
 * encoded; header words outside ASCII are RFC 2047 encoded.  Sending
 * (SMTP) belongs to the HTTP/SMTP module, not here.
 *
 * With attachments the message is multipart/mixed: the letter as text,
 * then each attachment base64 encoded.
 *
 * Contract: mail_compose returns an allocated message (CRLF line ends) or
 * NULL with *cause set when an address is malformed.
 */
#ifndef OPTOUT_MAIL_H
#define OPTOUT_MAIL_H

#include <stddef.h>

struct doc;

/* A file attached to a message (borrowed). */
struct mail_attachment {
	const char *filename;     /* ASCII, as the recipient sees it */
	const char *content_type; /* "application/pdf" */
	const unsigned char *data;
	size_t len;
};

struct mail_headers {
	const char *from_name, *from_addr; /* from_addr may be NULL: left for the person */
	const char *to_name, *to_addr;
	const char *subject;
	const char *date;       /* RFC 5322 date; NULL: now */
	const char *message_id; /* without <>; NULL: none */
	const char *in_reply_to; /* without <>; NULL: none */
	const struct mail_attachment *attachments;
	size_t nattachments;
};

/*
 * A Message-ID (without <>) in the sender's domain: the reference, the
 * attempt number and the domain, so replies quoting it can be matched.
 */
char *mail_message_id(const char *reference, int attempt, const char *from_addr);
char *mail_compose(const struct doc *d, const struct mail_headers *h, char **cause);

#endif
