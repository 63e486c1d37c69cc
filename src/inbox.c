/* inbox: parse a reply (RFC 5322, MIME), find its request, classify it. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <stdio.h>
#include <strings.h>

#include "optout/i18n.h"
#include "optout/date.h"
#include "optout/inbox.h"
#include "optout/ledger.h"
#include "optout/registry.h"
#include "optout/util.h"

#define MAX_LINKS 32
#define QUOTE_MAX 400

/* A parse in progress: what the parts give, and the limits. */
struct parse {
	struct reply *r;
	struct buf plain, html;
	int parts;
	size_t nrefs, nlinks;
};

/* The name of a class, as printed and stored. */
const char *
reply_class_name(enum reply_class c)
{
	static const char *const names[] = {
		"acknowledged", "verification", "more-info", "denied", "completed", "bounced",
		"auto-reply", "unknown",
	};

	return c < RC_COUNT ? names[c] : "unknown";
}

/* Append a code point as UTF-8. */
static void
add_cp(struct buf *b, unsigned cp)
{
	if (cp < 0x80)
		buf_addc(b, (char)cp);
	else if (cp < 0x800) {
		buf_addc(b, (char)(0xC0 | (cp >> 6)));
		buf_addc(b, (char)(0x80 | (cp & 0x3F)));
	} else {
		buf_addc(b, (char)(0xE0 | (cp >> 12)));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_addc(b, (char)(0x80 | (cp & 0x3F)));
	}
}

/* Whether a charset is a single-byte Latin one (ISO-8859-1, Windows-1252, ...). */
static int
latin_charset(const char *cs)
{
	return cs != NULL && (strncasecmp(cs, "iso-8859-1", 10) == 0 ||
	    strncasecmp(cs, "windows-125", 11) == 0 || strcasecmp(cs, "latin1") == 0 ||
	    strncasecmp(cs, "iso-8859-15", 11) == 0);
}

/* Text in a charset as UTF-8: Latin bytes converted, invalid UTF-8 replaced by U+FFFD. */
static void
add_text(struct buf *b, const char *s, size_t n, const char *charset)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t k, len;

		if (p[i] < 0x80) {
			if (p[i] != '\0')
				buf_addc(b, (char)p[i]);
			i++;
			continue;
		}
		if (latin_charset(charset)) {
			add_cp(b, p[i++]);
			continue;
		}
		len = (p[i] & 0xE0) == 0xC0 ? 2 : (p[i] & 0xF0) == 0xE0 ? 3 : (p[i] & 0xF8) == 0xF0 ? 4 : 0;
		for (k = 1; len > 0 && k < len; k++)
			if (i + k >= n || (p[i + k] & 0xC0) != 0x80)
				len = 0;
		if (len == 2 && p[i] < 0xC2)
			len = 0;
		if (len == 0) {
			add_cp(b, 0xFFFD);
			i++;
			continue;
		}
		buf_add(b, p + i, len);
		i += len;
	}
}

/* The value of a base64 digit, or -1. */
static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode base64, skipping anything that is not a digit. */
static void
decode_b64(struct buf *out, const char *s, size_t n)
{
	unsigned v = 0;
	int bits = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int d = b64val((unsigned char)s[i]);

		if (s[i] == '=')
			break;
		if (d < 0)
			continue;
		v = (v << 6) | (unsigned)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(out, (char)((v >> bits) & 0xFF));
		}
	}
}

/* The value of a hex digit, or -1. */
static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode quoted-printable (header: '_' is a space). */
static void
decode_qp(struct buf *out, const char *s, size_t n, int header)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '=' && i + 1 < n && (s[i + 1] == '\n' || s[i + 1] == '\r')) {
			i++;
			if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
				i++;
		} else if (s[i] == '=' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
		    hexval((unsigned char)s[i + 2]) >= 0) {
			buf_addc(out, (char)(hexval((unsigned char)s[i + 1]) * 16 +
			    hexval((unsigned char)s[i + 2])));
			i += 2;
		} else if (header && s[i] == '_')
			buf_addc(out, ' ');
		else
			buf_addc(out, s[i]);
	}
}

/* A header value with RFC 2047 words decoded, as UTF-8. */
static char *
decode_words(const char *s)
{
	struct buf b;
	const char *p = s, *last_word_end = NULL;

	buf_init(&b);
	while (*p != '\0') {
		const char *q1, *q2, *end;

		if (p[0] == '=' && p[1] == '?' && (q1 = strchr(p + 2, '?')) != NULL &&
		    q1[1] != '\0' && q1[2] == '?' && (end = strstr(q1 + 3, "?=")) != NULL) {
			char *cs = xstrndup(p + 2, (size_t)(q1 - p - 2));
			struct buf raw;

			q2 = q1 + 3;
			/* White space between two encoded words is dropped (RFC 2047 §6.2). */
			if (last_word_end != NULL) {
				const char *w = last_word_end;

				while (w < p && isspace((unsigned char)*w))
					w++;
				if (w == p) {
					while (b.len > 0 && isspace((unsigned char)b.data[b.len - 1]))
						b.len--;
				}
			}
			buf_init(&raw);
			if (q1[1] == 'B' || q1[1] == 'b')
				decode_b64(&raw, q2, (size_t)(end - q2));
			else
				decode_qp(&raw, q2, (size_t)(end - q2), 1);
			add_text(&b, raw.data != NULL ? raw.data : "", raw.len, cs);
			buf_free(&raw);
			free(cs);
			p = end + 2;
			last_word_end = p;
			continue;
		}
		add_text(&b, p, 1, "utf-8");
		p++;
	}
	buf_addc(&b, '\0');
	return buf_detach(&b);
}

/* One header field, unfolded: its value (allocated), or NULL. */
static char *
header_get(const char *h, size_t hlen, const char *name)
{
	size_t nl = strlen(name), i = 0;

	while (i < hlen) {
		size_t start = i, end;

		while (i < hlen && h[i] != '\n')
			i++;
		end = i;
		i++;
		if (end - start > nl && strncasecmp(h + start, name, nl) == 0 && h[start + nl] == ':') {
			struct buf b;

			buf_init(&b);
			buf_add(&b, h + start + nl + 1, end - start - nl - 1);
			/* Continuation lines start with a space or a tab. */
			while (i < hlen && (h[i] == ' ' || h[i] == '\t')) {
				size_t s2 = i;

				while (i < hlen && h[i] != '\n')
					i++;
				buf_add(&b, h + s2, i - s2);
				i++;
			}
			buf_addc(&b, '\0');
			{
				char *v = buf_detach(&b), *c, *t = v;

				for (c = v; *c != '\0'; c++)
					if (*c == '\r' || *c == '\n' || *c == '\t')
						*c = ' ';
				while (*t == ' ')
					t++;
				memmove(v, t, strlen(t) + 1);
				for (c = v + strlen(v); c > v && c[-1] == ' ';)
					*--c = '\0';
				return v;
			}
		}
	}
	return NULL;
}

/* A parameter of a Content-Type value ("boundary", "charset"), allocated, or NULL. */
static char *
param_get(const char *v, const char *name)
{
	size_t nl = strlen(name);
	const char *p = v;

	while ((p = strchr(p, ';')) != NULL) {
		p++;
		while (*p == ' ')
			p++;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == '=') {
			const char *s = p + nl + 1, *e;

			if (*s == '"') {
				s++;
				e = strchr(s, '"');
				if (e == NULL)
					e = s + strlen(s);
			} else {
				e = s;
				while (*e != '\0' && *e != ';' && *e != ' ')
					e++;
			}
			return xstrndup(s, (size_t)(e - s));
		}
	}
	return NULL;
}

/* Add ids found in a header value ("<a@b> <c@d>") to the reply's references. */
static void
add_refs(struct parse *ps, const char *v)
{
	const char *p = v;

	while (v != NULL && (p = strchr(p, '<')) != NULL && ps->nrefs < 64) {
		const char *e = strchr(p, '>');

		if (e == NULL)
			break;
		ps->r->refs = xreallocarray(ps->r->refs, ps->nrefs + 2, sizeof(char *));
		ps->r->refs[ps->nrefs++] = xstrndup(p + 1, (size_t)(e - p - 1));
		ps->r->refs[ps->nrefs] = NULL;
		p = e + 1;
	}
}

/* Where the header ends: *body gets the start of the body. */
static size_t
header_end(const char *s, size_t n, size_t *body)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n' && i + 1 < n && s[i + 1] == '\n') {
			*body = i + 2;
			return i + 1;
		}
		if (s[i] == '\n' && i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') {
			*body = i + 3;
			return i + 1;
		}
	}
	*body = n;
	return n;
}

/* Keep https links (for the verification check), at most MAX_LINKS. */
static void
collect_links(struct parse *ps, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 8 < n && ps->nlinks < MAX_LINKS; i++) {
		size_t e;

		if (strncasecmp(s + i, "https://", 8) != 0)
			continue;
		for (e = i + 8; e < n && !isspace((unsigned char)s[e]) && s[e] != '"' && s[e] != '\'' &&
		    s[e] != '<' && s[e] != '>' && s[e] != ')'; e++)
			;
		while (e > i + 8 && strchr(".,;:", s[e - 1]) != NULL)
			e--;
		ps->r->links = xreallocarray(ps->r->links, ps->nlinks + 2, sizeof(char *));
		ps->r->links[ps->nlinks++] = xstrndup(s + i, e - i);
		ps->r->links[ps->nlinks] = NULL;
		i = e;
	}
}

/* HTML as text: tags dropped, a few entities and line breaks kept. */
static void
html_text(struct buf *out, const char *s, size_t n)
{
	size_t i;
	int skip = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '<') {
			size_t e = i;

			while (e < n && s[e] != '>')
				e++;
			if (strncasecmp(s + i, "<script", 7) == 0 || strncasecmp(s + i, "<style", 6) == 0)
				skip = 1;
			else if (strncasecmp(s + i, "</script", 8) == 0 ||
			    strncasecmp(s + i, "</style", 7) == 0)
				skip = 0;
			else if (strncasecmp(s + i, "<br", 3) == 0 || strncasecmp(s + i, "<p", 2) == 0 ||
			    strncasecmp(s + i, "</p", 3) == 0 || strncasecmp(s + i, "<div", 4) == 0)
				buf_addc(out, '\n');
			i = e;
			continue;
		}
		if (skip)
			continue;
		if (s[i] == '&') {
			static const struct { const char *e; const char *t; } ents[] = {
				{ "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" },
				{ "&#39;", "'" }, { "&nbsp;", " " }, { "&rsquo;", "'" },
			};
			size_t k;

			for (k = 0; k < sizeof ents / sizeof *ents; k++)
				if (strncmp(s + i, ents[k].e, strlen(ents[k].e)) == 0)
					break;
			if (k < sizeof ents / sizeof *ents) {
				buf_adds(out, ents[k].t);
				i += strlen(ents[k].e) - 1;
				continue;
			}
		}
		buf_addc(out, s[i]);
	}
}

/* The report's Status and Final-Recipient fields. */
static void
delivery_status(struct parse *ps, const char *s, size_t n)
{
	char *v;

	if (ps->r->dsn_status == NULL && (v = header_get(s, n, "Status")) != NULL)
		ps->r->dsn_status = v;
	if (ps->r->dsn_recipient == NULL) {
		/* Per-recipient fields come after a blank line: look through the whole part. */
		const char *p = s;

		while ((p = strstr(p, "Final-Recipient:")) != NULL && p < s + n) {
			const char *semi = strchr(p, ';'), *e;

			if (semi == NULL)
				break;
			semi++;
			while (*semi == ' ')
				semi++;
			for (e = semi; e < s + n && *e != '\r' && *e != '\n' && *e != ' '; e++)
				;
			ps->r->dsn_recipient = xstrndup(semi, (size_t)(e - semi));
			break;
		}
		if (ps->r->dsn_status == NULL && (p = strstr(s, "Status:")) != NULL && p < s + n) {
			const char *b = p + 7, *e;

			while (*b == ' ')
				b++;
			for (e = b; e < s + n && *e != '\r' && *e != '\n' && *e != ' '; e++)
				;
			ps->r->dsn_status = xstrndup(b, (size_t)(e - b));
		}
	}
}

static void parse_entity(struct parse *ps, const char *s, size_t n, int depth, int top);

/* The parts of a multipart body, each parsed in turn. */
static void
parse_multipart(struct parse *ps, const char *s, size_t n, const char *boundary, int depth)
{
	size_t bl = strlen(boundary), i = 0, start = 0;
	int in = 0;

	while (i < n) {
		size_t ls = i, le;

		while (i < n && s[i] != '\n')
			i++;
		le = i;
		i++;
		if (le - ls >= bl + 2 && s[ls] == '-' && s[ls + 1] == '-' &&
		    strncmp(s + ls + 2, boundary, bl) == 0) {
			int last = le - ls >= bl + 4 && s[ls + 2 + bl] == '-' && s[ls + 3 + bl] == '-';

			if (in && ls > start)
				parse_entity(ps, s + start, ls - start, depth + 1, 0);
			if (last)
				return;
			in = 1;
			start = i < n ? i : n;
		}
	}
}

/* One MIME entity (the message itself, or a part): its header, then its content. */
static void
parse_entity(struct parse *ps, const char *s, size_t n, int depth, int top)
{
	size_t body, hl = header_end(s, n, &body);
	char *ct, *cte, *charset = NULL, *boundary;
	struct buf dec;

	if (depth > INBOX_MAX_DEPTH || ++ps->parts > INBOX_MAX_PARTS)
		return;
	ct = header_get(s, hl, "Content-Type");
	cte = header_get(s, hl, "Content-Transfer-Encoding");
	if (!top) {
		/* A returned message inside a bounce: its Message-ID is ours. */
		char *mid = header_get(s, hl, "Message-ID");

		if (mid != NULL && depth > 0)
			add_refs(ps, mid);
		free(mid);
	}
	if (ct != NULL && strncasecmp(ct, "multipart/", 10) == 0) {
		if (strncasecmp(ct, "multipart/report", 16) == 0)
			ps->r->report = 1;
		if ((boundary = param_get(ct, "boundary")) != NULL && *boundary != '\0')
			parse_multipart(ps, s + body, n - body, boundary, depth);
		free(boundary);
		goto out;
	}
	if (ct != NULL && (strncasecmp(ct, "message/rfc822", 14) == 0 ||
	    strncasecmp(ct, "text/rfc822-headers", 19) == 0)) {
		size_t b2, h2 = header_end(s + body, n - body, &b2);
		char *mid = header_get(s + body, h2, "Message-ID");

		add_refs(ps, mid);
		free(mid);
		goto out;
	}
	if (ct != NULL && strncasecmp(ct, "message/delivery-status", 23) == 0) {
		delivery_status(ps, s + body, n - body);
		goto out;
	}
	if (ct != NULL && strncasecmp(ct, "text/", 5) != 0)
		goto out; /* attachments: not read */
	buf_init(&dec);
	if (cte != NULL && strcasecmp(cte, "base64") == 0)
		decode_b64(&dec, s + body, n - body);
	else if (cte != NULL && strcasecmp(cte, "quoted-printable") == 0)
		decode_qp(&dec, s + body, n - body, 0);
	else
		buf_add(&dec, s + body, n - body);
	charset = ct != NULL ? param_get(ct, "charset") : NULL;
	if (dec.len > 0) {
		collect_links(ps, dec.data, dec.len);
		if (ct != NULL && strncasecmp(ct, "text/html", 9) == 0) {
			struct buf t;

			buf_init(&t);
			html_text(&t, dec.data, dec.len);
			if (ps->html.len == 0)
				add_text(&ps->html, t.data != NULL ? t.data : "", t.len, charset);
			buf_free(&t);
		} else if (ps->plain.len == 0)
			add_text(&ps->plain, dec.data, dec.len, charset);
	}
	buf_free(&dec);
out:
	free(charset);
	free(ct);
	free(cte);
}

/* The address in a From value ("Name <a@b>" or "a@b"), lower case. */
static char *
address_of(const char *v)
{
	const char *lt = strrchr(v, '<'), *s, *e;
	char *a, *c;

	if (lt != NULL) {
		s = lt + 1;
		e = strchr(s, '>');
		if (e == NULL)
			e = s + strlen(s);
	} else {
		/* "a@b (Comment)": the address ends at the first space. */
		s = v;
		for (e = v; *e != '\0' && *e != ' ' && *e != '('; e++)
			;
	}
	a = xstrndup(s, (size_t)(e - s));
	for (c = a; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	return a;
}

/* Parse a message. */
struct reply *
reply_parse(const char *bytes, size_t len, char **cause)
{
	struct parse ps;
	size_t body, hl;
	char *v, *raw;

	if (len == 0 || len > INBOX_MAX_MESSAGE) {
		*cause = xstrdup(len == 0 ? "the message is empty" : "the message is larger than 16 MiB");
		return NULL;
	}
	/* A NUL-terminated copy: the string functions below never run past the end. */
	raw = xmalloc(len + 1);
	memcpy(raw, bytes, len);
	raw[len] = '\0';
	hl = header_end(raw, len, &body);
	if (memchr(raw, ':', hl) == NULL) {
		*cause = xstrdup(_("not an email message: no header fields"));
		explicit_bzero(raw, len);
		free(raw);
		return NULL;
	}
	memset(&ps, 0, sizeof ps);
	ps.r = xcalloc(1, sizeof *ps.r);
	buf_init(&ps.plain);
	buf_init(&ps.html);
	if ((v = header_get(raw, hl, "From")) != NULL) {
		char *d = decode_words(v);

		ps.r->from_addr = address_of(d);
		free(d);
		free(v);
	}
	v = header_get(raw, hl, "Subject");
	ps.r->subject = decode_words(v != NULL ? v : "");
	free(v);
	if ((v = header_get(raw, hl, "Message-ID")) != NULL) {
		char *lt = strchr(v, '<'), *gt = lt != NULL ? strchr(lt, '>') : NULL;

		if (lt != NULL && gt != NULL)
			ps.r->message_id = xstrndup(lt + 1, (size_t)(gt - lt - 1));
		free(v);
	}
	v = header_get(raw, hl, "In-Reply-To");
	add_refs(&ps, v);
	free(v);
	v = header_get(raw, hl, "References");
	add_refs(&ps, v);
	free(v);
	if ((v = header_get(raw, hl, "Auto-Submitted")) != NULL) {
		ps.r->auto_submitted = strncasecmp(v, "no", 2) != 0;
		free(v);
	}
	if ((v = header_get(raw, hl, "X-Autoreply")) != NULL) {
		ps.r->auto_submitted = 1;
		free(v);
	}
	if ((v = header_get(raw, hl, "Precedence")) != NULL) {
		ps.r->auto_submitted |= strcasecmp(v, "auto_reply") == 0;
		free(v);
	}
	parse_entity(&ps, raw, len, 0, 1);
	if (ps.plain.len > 0) {
		buf_addc(&ps.plain, '\0');
		ps.r->text = buf_detach(&ps.plain);
	} else {
		buf_addc(&ps.html, '\0');
		ps.r->text = buf_detach(&ps.html);
	}
	buf_free(&ps.plain);
	buf_free(&ps.html);
	explicit_bzero(raw, len);
	free(raw);
	return ps.r;
}

/* Free a reply. */
void
reply_free(struct reply *r)
{
	if (r == NULL)
		return;
	free(r->from_addr);
	free(r->subject);
	free(r->message_id);
	str_list_free(r->refs);
	if (r->text != NULL)
		secure_free(r->text);
	str_list_free(r->links);
	free(r->dsn_status);
	free(r->dsn_recipient);
	free(r);
}

/* Whether c is a character of our references' alphabet (Crockford base32). */
static int
b32(int c)
{
	c = toupper(c);
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' &&
	    c != 'O' && c != 'U');
}

/* The first OPT-XXXX-XXXX in s into out (upper case); 1 when found. */
static int
find_reference(const char *s, char out[16])
{
	const char *p;
	int k;

	for (p = s; s != NULL && (p = strcasestr(p, "OPT-")) != NULL; p++) {
		for (k = 4; k < 13; k++)
			if (k == 8 ? p[k] != '-' : !b32((unsigned char)p[k]))
				break;
		if (k == 13 && (p == s || !isalnum((unsigned char)p[-1])) &&
		    !isalnum((unsigned char)p[13])) {
			for (k = 0; k < 13; k++)
				out[k] = (char)toupper((unsigned char)p[k]);
			out[13] = '\0';
			return 1;
		}
	}
	return 0;
}

/* The reference the reply answers. */
int
reply_reference(const struct reply *r, char out[16])
{
	size_t i;

	for (i = 0; r->refs != NULL && r->refs[i] != NULL; i++)
		if (find_reference(r->refs[i], out))
			return 1;
	return find_reference(r->subject, out) || find_reference(r->text, out);
}

/* The domain of an address. */
const char *
inbox_addr_domain(const char *addr)
{
	const char *at = addr != NULL ? strrchr(addr, '@') : NULL;

	return at != NULL && at[1] != '\0' ? at + 1 : NULL;
}

/* Whether host is a domain of the list or a subdomain of one. */
int
inbox_host_matches(const char *host, const char *const *domains)
{
	size_t i, hl = strlen(host);

	for (i = 0; domains != NULL && domains[i] != NULL; i++) {
		size_t dl = strlen(domains[i]);

		if (dl == 0)
			continue;
		if (strcasecmp(host, domains[i]) == 0)
			return 1;
		if (hl > dl && host[hl - dl - 1] == '.' && strcasecmp(host + hl - dl, domains[i]) == 0)
			return 1;
	}
	return 0;
}

/* The phrases that say what a reply means, lower case, English then Spanish. */
static const char *const completed_phrases[] = {
	"has been deleted", "have deleted", "have been deleted", "deletion is complete",
	"deletion has been completed", "request has been completed", "we have completed your",
	"has been opted out", "have opted you out", "you have been opted out", "successfully removed",
	"has been removed", "have been removed", "will no longer sell", "no longer sell or share",
	"enclosed is a copy of the personal information", "attached is a copy of the personal",
	"hemos eliminado", "ha sido eliminad", "hemos completado su solicitud", NULL,
};
static const char *const denied_phrases[] = {
	"unable to verify your identity", "could not verify your identity",
	"cannot verify your identity", "we are unable to process your request",
	"we are unable to honor", "we cannot honor", "we must deny", "we are denying",
	"has been denied", "is denied", "we decline", "we are declining", "is exempt",
	"are exempt from", "does not apply to", "not able to comply",
	"no podemos procesar su solicitud", "hemos denegado", "ha sido denegada", NULL,
};
static const char *const verification_phrases[] = {
	"verify your email", "confirm your email", "confirm your request", "verify your request",
	"click the link", "click on the link", "confirmation link", "verification link",
	"confirme su solicitud", "haga clic en el enlace", NULL,
};
static const char *const more_info_phrases[] = {
	"additional information", "more information", "please provide", "please send us",
	"we need the following", "copy of your", "government-issued", "proof of",
	"signed authorization", "información adicional", "por favor envíe", NULL,
};
static const char *const ack_phrases[] = {
	"we have received your", "we received your", "this confirms receipt", "confirm receipt",
	"acknowledge receipt", "we will respond within", "will be processed within",
	"ticket number", "case number", "hemos recibido su", NULL,
};
static const char *const auto_phrases[] = {
	"out of the office", "out of office", "automatic reply", "auto-reply", "autoreply",
	"respuesta automática", "fuera de la oficina", NULL,
};
static const char *const bounce_phrases[] = {
	"undelivered mail returned", "delivery status notification (failure)",
	"mail delivery failed", "undeliverable:", "delivery has failed", NULL,
};

/* Lower case copy (ASCII letters only; UTF-8 bytes stay). */
static char *
lower(const char *s)
{
	char *t = xstrdup(s != NULL ? s : ""), *c;

	for (c = t; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	return t;
}

/* The first phrase of a list found in hay: its offset, or -1. */
static long
find_phrase(const char *hay, const char *const *phrases)
{
	long best = -1;
	size_t i;

	for (i = 0; phrases[i] != NULL; i++) {
		const char *p = strstr(hay, phrases[i]);

		if (p != NULL && (best < 0 || p - hay < best))
			best = p - hay;
	}
	return best;
}

/* The sentence of text around offset, spaces collapsed, at most QUOTE_MAX bytes. */
static char *
sentence_at(const char *text, long off)
{
	const char *s = text + off, *e = text + off;
	struct buf b;
	int space = 0;

	while (s > text && strchr(".!?", s[-1]) == NULL && !(s[-1] == '\n' && s - 1 > text &&
	    s[-2] == '\n'))
		s--;
	while (*e != '\0' && strchr(".!?", *e) == NULL && !(*e == '\n' && e[1] == '\n'))
		e++;
	if (*e != '\0' && *e != '\n')
		e++;
	while (s < e && isspace((unsigned char)*s))
		s++;
	buf_init(&b);
	for (; s < e && b.len < QUOTE_MAX; s++) {
		if (isspace((unsigned char)*s)) {
			space = 1;
			continue;
		}
		if (space && b.len > 0)
			buf_addc(&b, ' ');
		space = 0;
		buf_addc(&b, *s);
	}
	/* Never cut inside a UTF-8 character. */
	while (b.len > 0 && (b.data[b.len - 1] & 0xC0) == 0x80 && b.len >= QUOTE_MAX)
		b.len--;
	buf_addc(&b, '\0');
	return buf_detach(&b);
}

/* The host of an https link, allocated, lower case. */
static char *
link_host(const char *url)
{
	const char *s = url + 8, *e = s;
	char *h, *c;

	while (*e != '\0' && strchr("/:?#", *e) == NULL)
		e++;
	if (memchr(s, '@', (size_t)(e - s)) != NULL)
		return xstrdup(""); /* user@host links mislead: never on the broker's domain */
	h = xstrndup(s, (size_t)(e - s));
	for (c = h; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	return h;
}

/* Classify a reply. */
void
reply_classify(const struct reply *r, const char *const *domains, struct reply_verdict *v)
{
	char *subj = lower(r->subject), *text = lower(r->text);
	const char *from = r->from_addr != NULL ? r->from_addr : "";
	long off;
	size_t i;

	memset(v, 0, sizeof *v);
	v->cls = RC_UNKNOWN;
	if (r->report || strncmp(from, "mailer-daemon@", 14) == 0 ||
	    strncmp(from, "postmaster@", 11) == 0 || find_phrase(subj, bounce_phrases) >= 0) {
		v->cls = RC_BOUNCED;
		goto out;
	}
	if ((off = find_phrase(text, completed_phrases)) >= 0) {
		v->cls = RC_COMPLETED;
		v->quote = sentence_at(r->text, off);
	} else if ((off = find_phrase(text, denied_phrases)) >= 0) {
		v->cls = RC_DENIED;
		v->quote = sentence_at(r->text, off);
	} else if ((off = find_phrase(text, verification_phrases)) >= 0) {
		v->cls = RC_VERIFICATION;
		v->quote = sentence_at(r->text, off);
		for (i = 0; r->links != NULL && r->links[i] != NULL; i++) {
			char *h = link_host(r->links[i]);
			int mine = *h != '\0' && inbox_host_matches(h, domains);

			free(h);
			if (mine) {
				v->link = xstrdup(r->links[i]);
				break;
			}
			v->link_withheld = 1;
		}
		if (v->link != NULL)
			v->link_withheld = 0;
	} else if ((off = find_phrase(text, more_info_phrases)) >= 0) {
		v->cls = RC_MORE_INFO;
		v->quote = sentence_at(r->text, off);
	} else {
		/* An automatic acknowledgement is an acknowledgement; an out-of-office is not. */
		int ack = find_phrase(text, ack_phrases) >= 0 || find_phrase(subj, ack_phrases) >= 0;
		int away = find_phrase(subj, auto_phrases) >= 0 || find_phrase(text, auto_phrases) >= 0;

		if (ack && !away)
			v->cls = RC_ACKNOWLEDGED;
		else if (away || r->auto_submitted)
			v->cls = RC_AUTO_REPLY;
	}
out:
	free(subj);
	free(text);
}

/* Free a verdict's strings. */
void
reply_verdict_clear(struct reply_verdict *v)
{
	free(v->quote);
	free(v->link);
	memset(v, 0, sizeof *v);
}

/* A key for a reply without a Message-ID: FNV-1a of its bytes. */
static char *
reply_key(const struct reply *r, const char *raw, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	if (r->message_id != NULL && *r->message_id != '\0')
		return xstrdup(r->message_id);
	for (i = 0; i < len; i++) {
		h ^= (unsigned char)raw[i];
		h *= 1099511628211ULL;
	}
	return xasprintf("fnv1a:%016llx", (unsigned long long)h);
}

/* The broker's own domains: its website's host and its procedures' email domains. */
static char **
broker_domains(const struct broker *b)
{
	char **d = xcalloc(b->nprocedures + 2, sizeof *d);
	size_t n = 0, i;

	if (b->website != NULL && strncmp(b->website, "https://", 8) == 0) {
		const char *s = b->website + 8, *e;

		if (strncmp(s, "www.", 4) == 0)
			s += 4;
		e = s;
		while (*e != '\0' && *e != '/' && *e != ':')
			e++;
		d[n++] = xstrndup(s, (size_t)(e - s));
	}
	for (i = 0; i < b->nprocedures; i++) {
		const char *dom = inbox_addr_domain(b->procedures[i].email);

		if (dom != NULL && !strlist_has((const char **)d, dom))
			d[n++] = xstrdup(dom);
	}
	return d;
}

/* The one open email request whose broker the sender's domain belongs to, by reference. */
static int
match_by_domain(const struct inbox_opts *o, const struct reply *r, char out[16])
{
	struct ledger_request **list = NULL;
	const char *dom = inbox_addr_domain(r->from_addr);
	char *cause = NULL;
	size_t n = 0, i;
	int found = 0;

	if (dom == NULL || ledger_list(o->ledger, NULL, &list, &n, &cause) != 0) {
		free(cause);
		return 0;
	}
	for (i = 0; i < n; i++) {
		const struct broker *b = registry_find(o->reg, list[i]->broker);
		char **doms;
		int hit;

		if (b == NULL || !ledger_state_awaiting(list[i]->state))
			continue;
		doms = broker_domains(b);
		hit = inbox_host_matches(dom, (const char *const *)doms);
		str_list_free(doms);
		if (hit) {
			found++;
			snprintf(out, 16, "%s", list[i]->reference);
		}
	}
	ledger_list_free(list);
	return found == 1;
}

/* The state a class moves a request to (LS_COUNT: none). */
static enum ledger_state
class_state(enum reply_class c)
{
	switch (c) {
	case RC_ACKNOWLEDGED: return LS_ACKNOWLEDGED;
	case RC_COMPLETED: return LS_COMPLETED;
	case RC_DENIED: return LS_DENIED;
	case RC_BOUNCED: return LS_FAILED;
	default: return LS_COUNT;
	}
}

/* Keep the reply as evidence (0600), returning its path, or NULL with *problem. */
static char *
keep_evidence(const struct inbox_opts *o, const char *ref, const char *key, const char *raw,
    size_t len, char **problem)
{
	char *cause = NULL, *file, *safe = xstrdup(key), *c;

	for (c = safe; *c != '\0'; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') && !(*c >= '0' && *c <= '9'))
			*c = '-';
	if (strlen(safe) > 60)
		safe[60] = '\0';
	if (make_dirs(o->evidence_dir, 0700, &cause) != 0) {
		*problem = cause;
		free(safe);
		return NULL;
	}
	file = xasprintf("%s/%s-reply-%s.eml", o->evidence_dir, ref, safe);
	free(safe);
	if (write_file_atomic(file, raw, len, 0600, &cause) != 0) {
		*problem = cause;
		free(file);
		return NULL;
	}
	return file;
}

/* Note a broker address as failing (a bounce), so the registry can be corrected. */
static void
note_failing(const struct inbox_opts *o, const struct ledger_request *req,
    const struct reply *r, struct inbox_result *res)
{
	const struct broker *b = registry_find(o->reg, req->broker);
	const char *addr = NULL;
	char *path, *old = NULL, *cause = NULL, day[11];
	struct buf buf;
	size_t i, len = 0;

	for (i = 0; b != NULL && i < b->nprocedures; i++)
		if (strcmp(b->procedures[i].id, req->procedure) == 0)
			addr = b->procedures[i].email;
	if (addr == NULL)
		return;
	path = xasprintf("%s/../failing-addresses.tsv", o->evidence_dir);
	buf_init(&buf);
	if (read_file(path, 1 << 20, &old, &len, &cause) == 0)
		buf_add(&buf, old, len);
	else
		buf_adds(&buf, "# day\tbroker\tprocedure\taddress\tstatus (from bounces read by optout "
			       "inbox)\n");
	free(cause);
	cause = NULL;
	free(old);
	date_format(date_today(), day);
	buf_printf(&buf, "%s\t%s\t%s\t%s\t%s\n", day, req->broker, req->procedure, addr,
	    r->dsn_status != NULL ? r->dsn_status : "-");
	if (write_file_atomic(path, buf.data, buf.len, 0600, &cause) != 0)
		res->problem = cause;
	else
		res->failing = xstrdup(addr);
	buf_free(&buf);
	free(path);
}

/* Handle one message: match, classify, and record unless a dry run. */
int
inbox_handle(const struct inbox_opts *o, const char *raw, size_t len, struct inbox_result *res,
    char **cause)
{
	struct reply *r;
	const struct broker *b;
	char ref[16], *key = NULL, **doms = NULL, *err = NULL;
	int seen = 0, rc = -1;

	memset(res, 0, sizeof *res);
	res->to = LS_COUNT;
	if ((r = reply_parse(raw, len, &err)) == NULL) {
		res->outcome = IO_UNREADABLE;
		res->problem = err;
		return 0;
	}
	res->reply = r;
	key = reply_key(r, raw, len);
	if (ledger_reply_seen(o->ledger, key, &seen, cause) != 0)
		goto out;
	if (seen) {
		res->outcome = IO_SEEN;
		rc = 0;
		goto out;
	}
	if ((!reply_reference(r, ref) && !match_by_domain(o, r, ref)) ||
	    ledger_get(o->ledger, ref, &res->request, &err) != 0) {
		free(err);
		res->outcome = IO_UNMATCHED;
		/* Shown once: recorded (its key only, nothing of its text) unless a dry run. */
		if (!o->dry_run && ledger_add_unmatched_reply(o->ledger, key, date_today(), cause) != 0)
			goto out;
		rc = 0;
		goto out;
	}
	res->outcome = IO_MATCHED;
	if ((b = registry_find(o->reg, res->request->broker)) != NULL)
		doms = broker_domains(b);
	reply_classify(r, (const char *const *)doms, &res->verdict);
	res->to = class_state(res->verdict.cls);
	if (!o->dry_run) {
		res->evidence = keep_evidence(o, res->request->reference, key, raw, len, &res->problem);
		if (ledger_add_reply(o->ledger, res->request->reference, key,
		    reply_class_name(res->verdict.cls), res->evidence, res->to,
		    reply_class_name(res->verdict.cls), date_today(), o->laws, &res->changed,
		    cause) != 0)
			goto out;
		if (res->verdict.cls == RC_BOUNCED)
			note_failing(o, res->request, r, res);
	}
	rc = 0;
out:
	str_list_free(doms);
	free(key);
	return rc;
}

/* Free what inbox_handle made. */
void
inbox_result_clear(struct inbox_result *res)
{
	reply_free(res->reply);
	reply_verdict_clear(&res->verdict);
	ledger_request_free(res->request);
	free(res->evidence);
	free(res->failing);
	free(res->problem);
	memset(res, 0, sizeof *res);
}
