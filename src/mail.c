/* mail: compose an RFC 5322 message from a document. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "optout/doc.h"
#include "optout/mail.h"
#include "optout/util.h"

/* Whether s is printable ASCII without characters that break headers. */
static int
plain_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of len bytes, with CRLF every 76 characters (RFC 2045). */
static void
add_base64(struct buf *b, const unsigned char *p, size_t len)
{
	size_t k;
	int col = 0;

	for (k = 0; k < len; k += 3) {
		unsigned v = (unsigned)p[k] << 16;
		size_t rem = len - k;

		if (rem > 1)
			v |= (unsigned)p[k + 1] << 8;
		if (rem > 2)
			v |= p[k + 2];
		buf_addc(b, b64[(v >> 18) & 63]);
		buf_addc(b, b64[(v >> 12) & 63]);
		buf_addc(b, rem > 1 ? b64[(v >> 6) & 63] : '=');
		buf_addc(b, rem > 2 ? b64[v & 63] : '=');
		if ((col += 4) == 76) {
			buf_adds(b, "\r\n");
			col = 0;
		}
	}
	if (col > 0)
		buf_adds(b, "\r\n");
}

/* A header value: as is when plain ASCII, else RFC 2047 base64 words. */
static void
add_header_text(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i, chunk;

	if (plain_ascii(s)) {
		buf_adds(b, s);
		return;
	}
	/* 45 input bytes make 60 output characters: words stay under 76; chunks end on
	 * whole UTF-8 characters so each word decodes by itself. */
	for (i = 0; i < len; i += chunk) {
		size_t k;

		chunk = len - i > 45 ? 45 : len - i;
		while (i + chunk < len && (p[i + chunk] & 0xC0) == 0x80)
			chunk--;
		if (i > 0)
			buf_adds(b, "\r\n ");
		buf_adds(b, "=?UTF-8?B?");
		for (k = 0; k < chunk; k += 3) {
			unsigned v = (unsigned)p[i + k] << 16;
			size_t rem = chunk - k;

			if (rem > 1)
				v |= (unsigned)p[i + k + 1] << 8;
			if (rem > 2)
				v |= p[i + k + 2];
			buf_addc(b, b64[(v >> 18) & 63]);
			buf_addc(b, b64[(v >> 12) & 63]);
			buf_addc(b, rem > 1 ? b64[(v >> 6) & 63] : '=');
			buf_addc(b, rem > 2 ? b64[v & 63] : '=');
		}
		buf_adds(b, "?=");
	}
}

/* An address header: Name <addr>. */
static void
add_address(struct buf *b, const char *field, const char *name, const char *addr)
{
	buf_printf(b, "%s: ", field);
	if (name != NULL && *name != '\0') {
		if (plain_ascii(name) && strpbrk(name, "()<>[]:;@\\,.\"") == NULL)
			buf_adds(b, name);
		else if (plain_ascii(name)) {
			const char *c;

			buf_addc(b, '"');
			for (c = name; *c; c++) {
				if (*c == '"' || *c == '\\')
					buf_addc(b, '\\');
				buf_addc(b, *c);
			}
			buf_addc(b, '"');
		} else
			add_header_text(b, name);
		buf_printf(b, " <%s>\r\n", addr);
	} else
		buf_printf(b, "%s\r\n", addr);
}

/* Whether an address is safe to put in a header: one @, no spaces or controls. */
static int
valid_addr(const char *a)
{
	const char *at = strchr(a, '@');

	return at != NULL && at != a && at[1] != '\0' && strchr(at + 1, '@') == NULL &&
	    strpbrk(a, " \t\r\n<>,;\"") == NULL && plain_ascii(a);
}

/* Quoted-printable body with CRLF line ends and soft breaks under 76 columns. */
static void
add_qp(struct buf *b, const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)text;
	int col = 0;

	for (; *p != '\0'; p++) {
		char enc[4];
		size_t n;

		if (*p == '\n') {
			buf_adds(b, "\r\n");
			col = 0;
			continue;
		}
		if ((*p >= 33 && *p <= 126 && *p != '=') ||
		    (*p == ' ' && p[1] != '\n' && p[1] != '\0')) {
			enc[0] = (char)*p;
			n = 1;
		} else {
			enc[0] = '=';
			enc[1] = hex[*p >> 4];
			enc[2] = hex[*p & 15];
			n = 3;
		}
		if (col + (int)n > 75) {
			buf_adds(b, "=\r\n");
			col = 0;
		}
		buf_add(b, enc, n);
		col += (int)n;
	}
	if (col > 0)
		buf_adds(b, "\r\n");
}

/* The Message-ID for a request's attempt, in the sender's domain. */
char *
mail_message_id(const char *reference, int attempt, const char *from_addr)
{
	const char *at = from_addr != NULL ? strrchr(from_addr, '@') : NULL;

	return xasprintf("%s.%d@%s", reference, attempt, at != NULL ? at + 1 : "optout.invalid");
}

/* Whether a file name is safe to put in a header as is. */
static int
plain_filename(const char *s)
{
	return *s != '\0' && plain_ascii(s) && strpbrk(s, "\"\\;/") == NULL;
}

/* Compose the message. */
char *
mail_compose(const struct doc *d, const struct mail_headers *h, char **cause)
{
	struct buf b;
	char *text, date[64], *bnd, *c;
	size_t i;

	if (h->to_addr == NULL || !valid_addr(h->to_addr)) {
		*cause = xstrdup("the recipient's email address is not valid");
		return NULL;
	}
	if (h->from_addr != NULL && !valid_addr(h->from_addr)) {
		*cause = xstrdup("the sender's email address is not valid");
		return NULL;
	}
	if (h->date == NULL) {
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	}
	buf_init(&b);
	if (h->from_addr != NULL)
		add_address(&b, "From", h->from_name, h->from_addr);
	add_address(&b, "To", h->to_name, h->to_addr);
	buf_adds(&b, "Subject: ");
	add_header_text(&b, h->subject != NULL ? h->subject : "Personal data request");
	buf_printf(&b, "\r\nDate: %s\r\n", h->date != NULL ? h->date : date);
	if (h->message_id != NULL)
		buf_printf(&b, "Message-ID: <%s>\r\n", h->message_id);
	if (h->in_reply_to != NULL)
		buf_printf(&b, "In-Reply-To: <%s>\r\nReferences: <%s>\r\n", h->in_reply_to,
		    h->in_reply_to);
	buf_adds(&b, "MIME-Version: 1.0\r\n");
	bnd = xstrdup(h->message_id != NULL ? h->message_id : "part");
	for (c = bnd; *c != '\0'; c++)
		if (!isalnum((unsigned char)*c) && strchr("'()+_,-./:=?", *c) == NULL)
			*c = '.';
	if (h->nattachments > 0) {
		/* The boundary comes from the Message-ID's reference: it never occurs in
		 * base64 or in the quoted-printable text (which has no "=_" runs). */
		buf_printf(&b, "Content-Type: multipart/mixed; boundary=\"=_optout_%s\"\r\n\r\n"
			       "This is a message in MIME format.\r\n\r\n--=_optout_%s\r\n",
		    bnd, bnd);
	}
	buf_adds(&b, "Content-Type: text/plain; charset=UTF-8\r\n"
		     "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	text = doc_to_text(d, 72);
	add_qp(&b, text);
	secure_free(text);
	for (i = 0; i < h->nattachments; i++) {
		const struct mail_attachment *a = &h->attachments[i];
		const char *name = plain_filename(a->filename) ? a->filename : "attachment.pdf";

		buf_printf(&b, "\r\n--=_optout_%s\r\nContent-Type: %s; name=\"%s\"\r\n"
			       "Content-Transfer-Encoding: base64\r\n"
			       "Content-Disposition: attachment; filename=\"%s\"\r\n\r\n",
		    bnd, a->content_type, name, name);
		add_base64(&b, a->data, a->len);
	}
	if (h->nattachments > 0)
		buf_printf(&b, "\r\n--=_optout_%s--\r\n",
		    bnd);
	free(bnd);
	return buf_detach(&b);
}
