/*
 * html: reading brokers' web pages (the only module that sees libxml2).
 *
 * A page is parsed by libxml2's HTML parser in recovery mode, so malformed
 * markup (unclosed tags, forms inside tables, unquoted attributes) is
 * repaired as that parser repairs it, and copied into plain structures:
 * the forms with their controls, the meta tags, the links, the visible
 * text, and the signs of a CAPTCHA or of a page that works only with
 * JavaScript.  The parser never fetches anything (no network, no DTDs).
 *
 * Controls outside every form are given to the form named by their form=
 * attribute, or else to the form just before them when that form has no
 * controls of its own: that is what the parser makes of the common
 * <table><form><tr>... layout, where a browser keeps them in the form.
 *
 * Contract: html_parse returns a page owned by the caller (html_free
 * accepts NULL); every string reached from it is borrowed from it and is
 * UTF-8.  Bad markup is never an error; html_parse returns NULL with
 * *cause only for input over HTML_MAX_INPUT bytes or when libxml2 cannot
 * start.  Attribute and tag names are lower case.
 */
#ifndef OPTOUT_HTML_H
#define OPTOUT_HTML_H

#include <stddef.h>

#define HTML_MAX_INPUT ((size_t)16 << 20)

struct html_control {
	const char *tag;      /* input, select, textarea or button */
	const char *type; /* input/button type in lower case ("text" by default); else the tag */
	const char *name;     /* NULL when it has none (never submitted) */
	const char *value;    /* the initial value ("" when none); a select's selected option */
	int checked;          /* a checkbox or radio button checked initially */
	int disabled;
};

struct html_form {
	const char *id, *name;  /* NULL when absent */
	const char *action;     /* as written; NULL when absent */
	const char *method;     /* "get" or "post" */
	const char *enctype;    /* lower case; "application/x-www-form-urlencoded" by default */
	struct html_control *controls;
	size_t ncontrols;
};

struct html_meta {
	const char *name;     /* name=, property= or http-equiv=, lower case */
	const char *content;
};

struct html_link {
	const char *href;
	const char *text;     /* visible text, spaces collapsed */
};

struct html_page {
	struct html_form *forms;
	size_t nforms;
	struct html_meta *metas;
	size_t nmetas;
	struct html_link *links;
	size_t nlinks;
	const char *title;    /* NULL when none */
	const char *text;     /* the visible text, spaces collapsed */
	const char *captcha;  /* the CAPTCHA found ("reCAPTCHA", "hCaptcha", ...), or NULL */
	int script_only;      /* the page cannot be used without JavaScript */
};

/* Parse a page; charset is the Content-Type's charset or NULL (then sniffed). */
struct html_page *html_parse(const char *data, size_t len, const char *charset, char **cause);
void html_free(struct html_page *p);

/* The form whose id, name or action (by = "id", "name", "action") is value. */
const struct html_form *html_find_form(const struct html_page *p, const char *by,
    const char *value);
/* A form's first control with this name, or NULL. */
const struct html_control *html_form_control(const struct html_form *f, const char *name);
/* The content of the first meta tag with this name (case-insensitive), or NULL. */
const char *html_meta(const struct html_page *p, const char *name);

#endif
