/*
 * html: libxml2's HTML parser, and what the form engine needs from a page.
 * This file is the only one that includes libxml2's headers.
 */
#include "config.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "optout/html.h"
#include "optout/util.h"

/*
 * libxml2 is opened on first use (dlopen), not linked: it brings ICU and
 * the C++ runtime, whose loading slowed the start of every command though
 * only web forms and the inbox read HTML.
 */
#define LIBXML2_SONAME "libxml2.so.2"

static struct {
	htmlDocPtr (*htmlReadMemory)(const char *, int, const char *, const char *, int);
	xmlNodePtr (*xmlDocGetRootElement)(const xmlDoc *);
	xmlFreeFunc *xmlFree_var; /* a variable: the allocator libxml2 frees with */
	void (*xmlFreeDoc)(xmlDocPtr);
	xmlChar *(*xmlGetProp)(const xmlNode *, const xmlChar *);
	xmlAttrPtr (*xmlHasProp)(const xmlNode *, const xmlChar *);
	xmlChar *(*xmlNodeGetContent)(const xmlNode *);
	void (*xmlSetStructuredErrorFunc)(void *, xmlStructuredErrorFunc);
} lx;

/* Which symbol goes into which slot of lx. */
static const struct dl_symbol lx_symbols[] = {
	{ "htmlReadMemory", (void **)(void *)&lx.htmlReadMemory },
	{ "xmlDocGetRootElement", (void **)(void *)&lx.xmlDocGetRootElement },
	{ "xmlFree", (void **)(void *)&lx.xmlFree_var },
	{ "xmlFreeDoc", (void **)(void *)&lx.xmlFreeDoc },
	{ "xmlGetProp", (void **)(void *)&lx.xmlGetProp },
	{ "xmlHasProp", (void **)(void *)&lx.xmlHasProp },
	{ "xmlNodeGetContent", (void **)(void *)&lx.xmlNodeGetContent },
	{ "xmlSetStructuredErrorFunc", (void **)(void *)&lx.xmlSetStructuredErrorFunc },
};

#undef xmlFree
#define htmlReadMemory (lx.htmlReadMemory)
#define xmlDocGetRootElement (lx.xmlDocGetRootElement)
#define xmlFree (*lx.xmlFree_var)
#define xmlFreeDoc (lx.xmlFreeDoc)
#define xmlGetProp (lx.xmlGetProp)
#define xmlHasProp (lx.xmlHasProp)
#define xmlNodeGetContent (lx.xmlNodeGetContent)
#define xmlSetStructuredErrorFunc (lx.xmlSetStructuredErrorFunc)

/* Open libxml2 and find its functions, once; -1 with *cause if it cannot be. */
static int
xml_load(char **cause)
{
	static int loaded;

	if (!loaded && dl_load(LIBXML2_SONAME, lx_symbols,
	    sizeof lx_symbols / sizeof lx_symbols[0], cause) == 0)
		loaded = 1;
	return loaded ? 0 : -1;
}

/* Deeper markup is skipped: no legitimate form page nests this deep. */
#define HTML_MAX_DEPTH 400

/* A control before it is given to its form. */
struct pending {
	struct html_control c;
	long owner;         /* the form whose subtree holds it, or -1 */
	long before;        /* the last form that started before it, or -1 */
	const char *form;   /* its form= attribute, or NULL */
};

/* The page and the strings it owns. */
struct page {
	struct html_page pub; /* first: html_free casts back */
	char **strs;
	size_t nstrs;
};

struct walk {
	struct page *pg;
	struct buf text;
	struct pending *ctl;
	size_t nctl;
	long cur_form;
	long last_form;
	int noscript_js;
	int empty_form_no_action;
};

/* Keep a string in the page and return it (NULL stays NULL). */
static const char *
keep(struct page *pg, char *s)
{
	if (s == NULL)
		return NULL;
	pg->strs = xreallocarray(pg->strs, pg->nstrs + 1, sizeof *pg->strs);
	pg->strs[pg->nstrs++] = s;
	return s;
}

/* An attribute's value as a malloc'ed string, or NULL. */
static char *
attr(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s;

	if (v == NULL)
		return NULL;
	s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

/* Whether an element has an attribute (whatever its value). */
static int
has_attr(xmlNode *n, const char *name)
{
	return xmlHasProp(n, (const xmlChar *)name) != NULL;
}

/* Lower-case ASCII in place. */
static char *
lower(char *s)
{
	char *p;

	for (p = s; p != NULL && *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

/* Collapse runs of white space to one space and trim. */
static char *
collapse(const char *s)
{
	struct buf b;
	int space = 0;

	buf_init(&b);
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			space = 1;
			continue;
		}
		/* U+00A0 NO-BREAK SPACE (from &nbsp;) is a space for matching. */
		if (c == 0xC2 && (unsigned char)s[1] == 0xA0) {
			s++;
			space = 1;
			continue;
		}
		if (space && b.len > 0)
			buf_addc(&b, ' ');
		space = 0;
		buf_addc(&b, (char)c);
	}
	buf_addc(&b, '\0');
	return buf_detach(&b);
}

/* An element's text content, spaces collapsed. */
static char *
content(xmlNode *n)
{
	xmlChar *v = xmlNodeGetContent(n);
	char *s = collapse(v != NULL ? (const char *)v : "");

	xmlFree(v);
	return s;
}

/* Case-insensitive substring test. */
static int
contains_ci(const char *hay, const char *needle)
{
	return hay != NULL && strcasestr(hay, needle) != NULL;
}

/* Which CAPTCHA a script or frame address belongs to, or NULL. */
static const char *
captcha_src(const char *src)
{
	static const struct {
		const char *marker, *what;
	} m[] = {
		{ "google.com/recaptcha", "reCAPTCHA" },
		{ "recaptcha.net", "reCAPTCHA" },
		{ "gstatic.com/recaptcha", "reCAPTCHA" },
		{ "hcaptcha.com", "hCaptcha" },
		{ "challenges.cloudflare.com/turnstile", "Cloudflare Turnstile" },
		{ "friendlycaptcha", "Friendly Captcha" },
		{ "arkoselabs.com", "Arkose FunCaptcha" },
		{ "funcaptcha.com", "Arkose FunCaptcha" },
	};
	size_t i;

	for (i = 0; src != NULL && i < sizeof m / sizeof m[0]; i++)
		if (contains_ci(src, m[i].marker))
			return m[i].what;
	return NULL;
}

/* Which CAPTCHA a class list names, or NULL. */
static const char *
captcha_class(const char *classes)
{
	static const struct {
		const char *cls, *what;
	} m[] = {
		{ "g-recaptcha", "reCAPTCHA" },
		{ "h-captcha", "hCaptcha" },
		{ "cf-turnstile", "Cloudflare Turnstile" },
		{ "frc-captcha", "Friendly Captcha" },
	};
	char *copy, *tok, *save = NULL;
	const char *found = NULL;
	size_t i;

	if (classes == NULL)
		return NULL;
	copy = xstrdup(classes);
	for (tok = strtok_r(copy, " \t\n\r\f", &save); tok != NULL && found == NULL;
	     tok = strtok_r(NULL, " \t\n\r\f", &save))
		for (i = 0; i < sizeof m / sizeof m[0]; i++)
			if (strcasecmp(tok, m[i].cls) == 0)
				found = m[i].what;
	free(copy);
	return found;
}

/* Note a CAPTCHA: a named one wins over the generic one. */
static void
saw_captcha(struct walk *w, const char *what)
{
	if (what == NULL)
		return;
	if (w->pg->pub.captcha == NULL || strcmp(w->pg->pub.captcha, "a CAPTCHA") == 0)
		w->pg->pub.captcha = what;
}

/* Elements whose edges separate words in the visible text. */
static int
is_block(const char *name)
{
	static const char *const blocks[] = { "p", "div", "br", "li", "td", "th", "tr", "table",
		"h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "form", "section", "article",
		"header", "footer", "main", "nav", "label", "option", "button", "input", "select",
		"textarea", "body", "title", "dd", "dt", "blockquote", "pre", "hr", "img", NULL };

	return strlist_has((const char **)blocks, name);
}

/* The first option and the first selected one in a list of nodes (optgroups included). */
static void
find_options(xmlNode *o, xmlNode **first, xmlNode **chosen, int depth)
{
	for (; o != NULL && *chosen == NULL; o = o->next) {
		if (o->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)o->name, "optgroup") == 0 && depth == 0) {
			find_options(o->children, first, chosen, 1);
			continue;
		}
		if (strcmp((const char *)o->name, "option") != 0)
			continue;
		if (*first == NULL)
			*first = o;
		if (has_attr(o, "selected"))
			*chosen = o;
	}
}

/* The value a select submits by default: the selected option, else the first. */
static char *
select_value(xmlNode *sel)
{
	xmlNode *first = NULL, *chosen = NULL;

	find_options(sel->children, &first, &chosen, 0);
	if (chosen == NULL)
		chosen = first;
	if (chosen == NULL)
		return xstrdup("");
	if (has_attr(chosen, "value")) {
		char *v = attr(chosen, "value");

		return v != NULL ? v : xstrdup("");
	}
	return content(chosen);
}

/* Record a form control found in the tree. */
static void
add_control(struct walk *w, xmlNode *n, const char *tag)
{
	struct pending *p;
	char *type = attr(n, "type"), *name = attr(n, "name");

	w->ctl = xreallocarray(w->ctl, w->nctl + 1, sizeof *w->ctl);
	p = &w->ctl[w->nctl++];
	memset(p, 0, sizeof *p);
	p->c.tag = tag;
	if (strcmp(tag, "input") == 0)
		p->c.type = keep(w->pg, type != NULL ? lower(type) : xstrdup("text"));
	else if (strcmp(tag, "button") == 0)
		p->c.type = keep(w->pg, type != NULL ? lower(type) : xstrdup("submit"));
	else {
		free(type);
		p->c.type = tag;
	}
	p->c.name = keep(w->pg, name);
	if (strcmp(tag, "select") == 0)
		p->c.value = keep(w->pg, select_value(n));
	else if (strcmp(tag, "textarea") == 0) {
		xmlChar *v = xmlNodeGetContent(n);

		p->c.value = keep(w->pg, xstrdup(v != NULL ? (const char *)v : ""));
		xmlFree(v);
	} else {
		char *v = attr(n, "value");

		p->c.value = keep(w->pg, v != NULL ? v : xstrdup(""));
	}
	p->c.checked = has_attr(n, "checked");
	p->c.disabled = has_attr(n, "disabled");
	p->owner = w->cur_form;
	p->before = w->last_form;
	p->form = keep(w->pg, attr(n, "form"));
	if (name != NULL && (strcasecmp(name, "g-recaptcha-response") == 0 ||
	    strcasecmp(name, "h-captcha-response") == 0 ||
	    strcasecmp(name, "cf-turnstile-response") == 0))
		saw_captcha(w, strncasecmp(name, "g-", 2) == 0 ? "reCAPTCHA" :
		    strncasecmp(name, "h-", 2) == 0 ? "hCaptcha" : "Cloudflare Turnstile");
}

/* Start a form element. */
static long
add_form(struct walk *w, xmlNode *n)
{
	struct html_page *p = &w->pg->pub;
	struct html_form *f;
	char *method = attr(n, "method"), *enctype = attr(n, "enctype");

	p->forms = xreallocarray(p->forms, p->nforms + 1, sizeof *p->forms);
	f = &p->forms[p->nforms];
	memset(f, 0, sizeof *f);
	f->id = keep(w->pg, attr(n, "id"));
	f->name = keep(w->pg, attr(n, "name"));
	f->action = keep(w->pg, attr(n, "action"));
	if (method != NULL && strcasecmp(method, "post") == 0)
		f->method = "post";
	else
		f->method = "get";
	free(method);
	if (enctype != NULL && (strcasecmp(enctype, "multipart/form-data") == 0 ||
	    strcasecmp(enctype, "text/plain") == 0))
		f->enctype = keep(w->pg, lower(enctype));
	else {
		f->enctype = "application/x-www-form-urlencoded";
		free(enctype);
	}
	return (long)p->nforms++;
}

static void walk(struct walk *w, xmlNode *n, int depth);

/* Look at one element: record what matters and walk its children. */
static void
element(struct walk *w, xmlNode *n, int depth)
{
	struct html_page *p = &w->pg->pub;
	const char *name = (const char *)n->name;
	char *cls, *src;
	int block = is_block(name);

	cls = attr(n, "class");
	saw_captcha(w, captcha_class(cls));
	free(cls);
	if (has_attr(n, "data-sitekey"))
		saw_captcha(w, "a CAPTCHA");
	if (strcmp(name, "script") == 0 || strcmp(name, "iframe") == 0) {
		src = attr(n, "src");
		saw_captcha(w, captcha_src(src));
		free(src);
		return;
	}
	if (strcmp(name, "style") == 0 || strcmp(name, "template") == 0)
		return;
	if (strcmp(name, "noscript") == 0) {
		char *t = content(n);

		if (contains_ci(t, "javascript"))
			w->noscript_js = 1;
		free(t);
		return;
	}
	if (strcmp(name, "title") == 0 && p->title == NULL)
		p->title = keep(w->pg, content(n));
	if (strcmp(name, "meta") == 0) {
		char *key = attr(n, "name");

		if (key == NULL)
			key = attr(n, "property");
		if (key == NULL)
			key = attr(n, "http-equiv");
		if (key != NULL) {
			p->metas = xreallocarray(p->metas, p->nmetas + 1, sizeof *p->metas);
			p->metas[p->nmetas].name = keep(w->pg, lower(key));
			p->metas[p->nmetas].content = keep(w->pg, attr(n, "content"));
			if (p->metas[p->nmetas].content == NULL)
				p->metas[p->nmetas].content = "";
			p->nmetas++;
		}
		return;
	}
	if (strcmp(name, "a") == 0 && has_attr(n, "href")) {
		p->links = xreallocarray(p->links, p->nlinks + 1, sizeof *p->links);
		p->links[p->nlinks].href = keep(w->pg, attr(n, "href"));
		p->links[p->nlinks].text = keep(w->pg, content(n));
		p->nlinks++;
	}
	if (strcmp(name, "input") == 0 || strcmp(name, "select") == 0 ||
	    strcmp(name, "textarea") == 0 || strcmp(name, "button") == 0)
		add_control(w, n, strcmp(name, "input") == 0 ? "input" :
		    strcmp(name, "select") == 0 ? "select" :
		    strcmp(name, "textarea") == 0 ? "textarea" : "button");
	if (block)
		buf_addc(&w->text, ' ');
	if (strcmp(name, "form") == 0) {
		long saved = w->cur_form, idx = add_form(w, n);

		w->cur_form = idx;
		walk(w, n->children, depth + 1);
		w->cur_form = saved;
		w->last_form = idx;
	} else if (strcmp(name, "textarea") != 0)
		walk(w, n->children, depth + 1);
	if (block)
		buf_addc(&w->text, ' ');
}

/* Walk siblings in document order. */
static void
walk(struct walk *w, xmlNode *n, int depth)
{
	if (depth > HTML_MAX_DEPTH)
		return;
	for (; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE)
			element(w, n, depth);
		else if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) &&
		    n->content != NULL)
			buf_adds(&w->text, (const char *)n->content);
	}
}

/* Give each control to its form and fill the forms' arrays. */
static void
assign_controls(struct walk *w)
{
	struct html_page *p = &w->pg->pub;
	size_t *own = xcalloc(p->nforms + 1, sizeof *own);
	size_t i;

	for (i = 0; i < w->nctl; i++)
		if (w->ctl[i].owner >= 0)
			own[w->ctl[i].owner]++;
	for (i = 0; i < w->nctl; i++) {
		struct pending *c = &w->ctl[i];
		long f = c->owner;
		size_t k;

		if (c->form != NULL) {
			f = -1;
			for (k = 0; k < p->nforms; k++)
				if (p->forms[k].id != NULL &&
				    strcmp(p->forms[k].id, c->form) == 0) {
					f = (long)k;
					break;
				}
		} else if (f < 0 && c->before >= 0 && own[c->before] == 0)
			f = c->before; /* the parser closed this form too early */
		if (f < 0)
			continue;
		p->forms[f].controls = xreallocarray(p->forms[f].controls,
		    p->forms[f].ncontrols + 1, sizeof *p->forms[f].controls);
		p->forms[f].controls[p->forms[f].ncontrols++] = c->c;
	}
	free(own);
}

/* Whether the bytes are valid UTF-8 (then the page is read as UTF-8). */
static int
utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

/* libxml2 reports through callbacks; modules never print, so they are muted. */
#if LIBXML_VERSION >= 21200
static void
quiet(void *ctx, const xmlError *e)
#else
static void
quiet(void *ctx, xmlErrorPtr e)
#endif
{
	(void)ctx;
	(void)e;
}

/* Parse a page. */
struct html_page *
html_parse(const char *data, size_t len, const char *charset, char **cause)
{
	const int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_NONET | HTML_PARSE_NOBLANKS;
	struct page *pg;
	struct walk w;
	htmlDocPtr doc = NULL;
	const char *enc = charset;

	if (len > HTML_MAX_INPUT || len > (size_t)0x7fffffff) {
		*cause = xasprintf("the page is larger than %zu bytes", HTML_MAX_INPUT);
		return NULL;
	}
	if (xml_load(cause) != 0)
		return NULL;
	xmlSetStructuredErrorFunc(NULL, quiet);
	if (enc == NULL && utf8_valid((const unsigned char *)data, len))
		enc = "UTF-8";
	if (len > 0) {
		doc = htmlReadMemory(data, (int)len, NULL, enc, opts);
		if (doc == NULL && enc != NULL) /* an unknown charset name: let the parser sniff */
			doc = htmlReadMemory(data, (int)len, NULL, NULL, opts);
	}
	pg = xcalloc(1, sizeof *pg);
	memset(&w, 0, sizeof w);
	w.pg = pg;
	w.cur_form = -1;
	w.last_form = -1;
	buf_init(&w.text);
	if (doc != NULL)
		walk(&w, xmlDocGetRootElement(doc), 0);
	xmlFreeDoc(doc);
	assign_controls(&w);
	buf_addc(&w.text, '\0');
	pg->pub.text = keep(pg, collapse(w.text.data));
	buf_free(&w.text);
	{
		size_t i, k, usable = 0;

		for (i = 0; i < pg->pub.nforms; i++) {
			const struct html_form *f = &pg->pub.forms[i];
			size_t named = 0;

			for (k = 0; k < f->ncontrols; k++)
				named += f->controls[k].name != NULL;
			usable += named > 0;
			if (f->action == NULL && named == 0)
				w.empty_form_no_action = 1;
		}
		/* Nothing to fill in, and the page says (or shows) that scripts build it. */
		pg->pub.script_only = usable == 0 && (w.noscript_js || w.empty_form_no_action);
	}
	free(w.ctl);
	(void)cause;
	return &pg->pub;
}

/* Free a page and its strings. */
void
html_free(struct html_page *p)
{
	struct page *pg = (struct page *)p;
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nforms; i++)
		free(p->forms[i].controls);
	free(p->forms);
	free(p->metas);
	free(p->links);
	for (i = 0; i < pg->nstrs; i++)
		free(pg->strs[i]);
	free(pg->strs);
	free(pg);
}

/* The path part of a URL or reference, without query or fragment (a copy). */
static char *
path_of(const char *ref)
{
	const char *p = ref, *s = strstr(ref, "://");
	size_t n;

	if (s != NULL) {
		p = strchr(s + 3, '/');
		if (p == NULL)
			return xstrdup("/");
	}
	n = strcspn(p, "?#");
	return xstrndup(p, n);
}

/* Find a form by id, name or action (the action as written, or its path). */
const struct html_form *
html_find_form(const struct html_page *p, const char *by, const char *value)
{
	size_t i;

	for (i = 0; i < p->nforms; i++) {
		const struct html_form *f = &p->forms[i];

		if (strcmp(by, "id") == 0 && f->id != NULL && strcmp(f->id, value) == 0)
			return f;
		if (strcmp(by, "name") == 0 && f->name != NULL && strcmp(f->name, value) == 0)
			return f;
		if (strcmp(by, "action") == 0 && f->action != NULL) {
			char *a = path_of(f->action), *v = path_of(value);
			int same =
			    strcmp(f->action, value) == 0 || (value[0] == '/' && strcmp(a, v) == 0);

			free(a);
			free(v);
			if (same)
				return f;
		}
	}
	return NULL;
}

/* A form's first control with this name. */
const struct html_control *
html_form_control(const struct html_form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->ncontrols; i++)
		if (f->controls[i].name != NULL && strcmp(f->controls[i].name, name) == 0)
			return &f->controls[i];
	return NULL;
}

/* The first meta tag with this name. */
const char *
html_meta(const struct html_page *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nmetas; i++)
		if (strcasecmp(p->metas[i].name, name) == 0)
			return p->metas[i].content;
	return NULL;
}
