/* Unit tests for html: forms, malformed markup, meta tags, links, CAPTCHAs, script-only pages. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "optout/html.h"
#include "optout/util.h"

/* Parse a string that must parse. */
static struct html_page *
parse(const char *s)
{
	char *cause = NULL;
	struct html_page *p = html_parse(s, strlen(s), NULL, &cause);

	if (p == NULL)
		fail_msg("html_parse failed: %s", cause);
	return p;
}

/* A control's value by name, failing when absent. */
static const char *
value_of(const struct html_form *f, const char *name)
{
	const struct html_control *c = html_form_control(f, name);

	if (c == NULL) {
		fail_msg("no control named %s", name);
		return NULL;
	}
	return c->value;
}

/* Forms are found by id, name and action; controls keep their types and initial values. */
static void
test_forms(void **state)
{
	struct html_page *p = parse(
	    "<!DOCTYPE html><html><head><title>Opt  out</title></head><body>"
	    "<form id=\"news\" action=\"/news\"><input name=\"email\"></form>"
	    "<form id=\"optout\" name=\"removal\" action=\"https://x.example/a/submit?x=1\" "
	    "method=\"POST\" enctype=\"Multipart/Form-Data\">"
	    "<input type=\"hidden\" name=\"tok\" value=\"a&amp;b\">"
	    "<input name=\"first\"><input type=\"EMAIL\" name=\"mail\" value=\"x@y\" disabled>"
	    "<input type=\"checkbox\" name=\"agree\" value=\"yes\" checked>"
	    "<select name=\"st\"><option value=\"\">--</option><optgroup label=\"w\">"
	    "<option value=\"CA\" selected>California</option></optgroup></select>"
	    "<select name=\"nv\"><option>First text</option><option>Second</option></select>"
	    "<textarea name=\"note\">Hello &lt;there&gt;</textarea>"
	    "<button>Go</button><input type=\"submit\" value=\"Send\">"
	    "</form></body></html>");
	const struct html_form *f;
	const struct html_control *c;

	(void)state;
	assert_int_equal(p->nforms, 2);
	assert_string_equal(p->title, "Opt out");
	f = html_find_form(p, "id", "optout");
	assert_non_null(f);
	assert_ptr_equal(html_find_form(p, "name", "removal"), f);
	assert_ptr_equal(html_find_form(p, "action", "https://x.example/a/submit?x=1"), f);
	assert_ptr_equal(html_find_form(p, "action", "/a/submit"), f);
	assert_ptr_equal(html_find_form(p, "action", "/news"), &p->forms[0]);
	assert_null(html_find_form(p, "id", "nope"));
	assert_null(html_find_form(p, "action", "/a"));
	assert_string_equal(f->method, "post");
	assert_string_equal(f->enctype, "multipart/form-data");
	assert_string_equal(p->forms[0].method, "get");
	assert_string_equal(p->forms[0].enctype, "application/x-www-form-urlencoded");
	assert_int_equal(f->ncontrols, 9);
	assert_string_equal(value_of(f, "tok"), "a&b");
	assert_string_equal(html_form_control(f, "tok")->type, "hidden");
	assert_string_equal(html_form_control(f, "first")->type, "text");
	assert_string_equal(value_of(f, "first"), "");
	c = html_form_control(f, "mail");
	assert_string_equal(c->type, "email");
	assert_true(c->disabled);
	assert_true(html_form_control(f, "agree")->checked);
	assert_string_equal(value_of(f, "st"), "CA");
	assert_string_equal(value_of(f, "nv"), "First text");
	assert_string_equal(value_of(f, "note"), "Hello <there>");
	assert_string_equal(f->controls[7].tag, "button");
	assert_string_equal(f->controls[7].type, "submit");
	assert_null(f->controls[7].name);
	assert_null(p->captcha);
	assert_false(p->script_only);
	html_free(p);
}

/* Broken markup: forms in tables, unclosed tags, unquoted attributes, stray end tags. */
static void
test_malformed(void **state)
{
	struct html_page *p =
	    parse("<html><head><title>Opt-out<body>\n"
	          "<table><FORM NAME=removal ACTION=\"/go\" METHOD=POST><tr><td>Name<td><INPUT "
	          "NAME=fullname>\n"
	          "<tr><td><input type=hidden name=k value='a&amp;b'><td><input name=mail></div>\n"
	          "</table></form></span><p>unclosed <b>bold &nbsp; <i>italic\n"
	          "<form id=late><input name=\"q\" form=\"removal-x\"></form>"
	          "<input name=\"outside\" form=\"late\">");
	const struct html_form *f = html_find_form(p, "name", "removal");

	(void)state;
	assert_non_null(f);
	assert_string_equal(f->method, "post");
	assert_non_null(html_form_control(f, "fullname"));
	assert_string_equal(value_of(f, "k"), "a&b");
	assert_non_null(html_form_control(f, "mail"));
	assert_non_null(strstr(p->text, "unclosed bold italic"));
	/* form= wins over nesting: q names a form that does not exist, outside names "late". */
	f = html_find_form(p, "id", "late");
	assert_non_null(f);
	assert_null(html_form_control(f, "q"));
	assert_non_null(html_form_control(f, "outside"));
	html_free(p);

	/* Garbage, binary and empty input parse to an empty page, never an error. */
	p = parse("");
	assert_int_equal(p->nforms, 0);
	assert_string_equal(p->text, "");
	html_free(p);
	{
		static const char junk[] = "<<<>>\xff\xfe<form <input name=a\x01 value=\"\x80\"";
		char *cause = NULL;
		struct html_page *q = html_parse(junk, sizeof junk - 1, NULL, &cause);

		assert_non_null(q);
		html_free(q);
	}
	/* A declared Latin-1 page is read as Latin-1 and given back as UTF-8. */
	{
		static const char latin[] = "<p>Jos\xe9 N\xfa\xf1""ez</p>";
		char *cause = NULL;
		struct html_page *q = html_parse(latin, sizeof latin - 1, "ISO-8859-1", &cause);

		assert_non_null(q);
		assert_string_equal(q->text, "José Núñez");
		html_free(q);
	}
}

/* Controls after a form the parser closed too early belong to it; not after a full one. */
static void
test_early_close(void **state)
{
	struct html_page *p = parse("<form id=a></form><input name=x>"
				    "<form id=b><input name=y></form><input name=z>");

	(void)state;
	assert_non_null(html_form_control(html_find_form(p, "id", "a"), "x"));
	assert_int_equal(html_find_form(p, "id", "b")->ncontrols, 1);
	assert_null(html_form_control(html_find_form(p, "id", "b"), "z"));
	html_free(p);
}

/* Meta tags by name, property or http-equiv; links with their text. */
static void
test_meta_links(void **state)
{
	struct html_page *p = parse(
	    "<html><head><meta name=\"CSRF-Token\" content=\"T-1\">"
	    "<meta property=\"og:title\" content=\"Hi\"><meta charset=\"utf-8\"></head><body>"
	    "<ul><li><a href=\"/r/1\">José   Núñez,\nLos Angeles</a></li>"
	    "<li><a name=\"anchor\">no href</a></li><li><a href=\"/r/2\"><b>Maria</b> Example</a>"
	    "</li></ul><script>var x = \"<a href='/fake'>\";</script></body></html>");

	(void)state;
	assert_string_equal(html_meta(p, "csrf-token"), "T-1");
	assert_string_equal(html_meta(p, "og:title"), "Hi");
	assert_null(html_meta(p, "nope"));
	assert_int_equal(p->nlinks, 2);
	assert_string_equal(p->links[0].href, "/r/1");
	assert_string_equal(p->links[0].text, "José Núñez, Los Angeles");
	assert_string_equal(p->links[1].text, "Maria Example");
	assert_null(strstr(p->text, "var x"));
	html_free(p);
}

/* reCAPTCHA, hCaptcha, Turnstile and generic site keys are all found. */
static void
test_captcha(void **state)
{
	static const struct {
		const char *html, *want;
	} cases[] = {
	    {"<form><div class=\"row g-recaptcha\" data-sitekey=\"k\"></div></form>", "reCAPTCHA"},
	    {"<script src=\"https://www.google.com/recaptcha/api.js\"></script><form></form>",
	        "reCAPTCHA"},
	    {"<div class=\"h-captcha\"></div>", "hCaptcha"},
	    {"<script src=\"https://js.hcaptcha.com/1/api.js\"></script>", "hCaptcha"},
	    {"<div class=\"cf-turnstile\" data-sitekey=\"x\"></div>", "Cloudflare Turnstile"},
	    {"<script src=\"https://challenges.cloudflare.com/turnstile/v0/api.js\"></script>",
	        "Cloudflare Turnstile"},
	    {"<iframe src=\"https://www.recaptcha.net/recaptcha/api2/anchor\"></iframe>",
	        "reCAPTCHA"},
	    {"<form><textarea name=\"g-recaptcha-response\"></textarea></form>", "reCAPTCHA"},
	    {"<div data-sitekey=\"abc\"></div>", "a CAPTCHA"},
	    {"<div class=\"recaptcha-explainer\">we use no captcha</div>", NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct html_page *p = parse(cases[i].html);

		if (cases[i].want == NULL)
			assert_null(p->captcha);
		else {
			if (p->captcha == NULL)
				fail_msg("case %zu: no CAPTCHA found", i);
			assert_string_equal(p->captcha, cases[i].want);
		}
		html_free(p);
	}
}

/* A page that needs JavaScript: said in noscript, or an empty form with no action. */
static void
test_script_only(void **state)
{
	struct html_page *p;

	(void)state;
	p = parse("<div id=root></div><noscript>You need to enable JavaScript to run this "
		  "app.</noscript><script src=/app.js></script>");
	assert_true(p->script_only);
	html_free(p);
	p = parse("<div id=app><form></form></div>");
	assert_true(p->script_only);
	html_free(p);
	/* A usable form with a polite noscript note is not script-only. */
	p = parse("<noscript>Please enable JavaScript for the best experience.</noscript>"
		  "<form action=/x><input name=a></form>");
	assert_false(p->script_only);
	html_free(p);
	p = parse("<p>Just text, no form.</p>");
	assert_false(p->script_only);
	html_free(p);
}

/* Deep nesting is cut off, not a crash; oversized input is refused with a message. */
static void
test_limits(void **state)
{
	struct buf b;
	struct html_page *p;
	char *cause = NULL;
	size_t i;

	(void)state;
	buf_init(&b);
	for (i = 0; i < 20000; i++)
		buf_adds(&b, "<div>");
	buf_adds(&b, "<form id=deep><input name=a></form>");
	p = html_parse(b.data, b.len, NULL, &cause);
	assert_non_null(p);
	html_free(p);
	buf_free(&b);
	assert_null(html_parse("x", HTML_MAX_INPUT + 1, NULL, &cause));
	assert_non_null(strstr(cause, "larger than"));
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_forms),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_early_close),
	    cmocka_unit_test(test_meta_links),
	    cmocka_unit_test(test_captcha),
	    cmocka_unit_test(test_script_only),
	    cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests_name("html", tests, NULL, NULL);
}
