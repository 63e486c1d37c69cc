/* Unit tests for the Mustache engine: the spec's behaviours, errors, bounds and escaping. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "optout/jv.h"
#include "optout/template.h"
#include "optout/util.h"

/* A named partial for the test loader. */
struct part {
	const char *name;
	const char *text;
};

/* One rendering case: template, data (JSON with ' for "), expected output. */
struct tcase {
	const char *desc;
	const char *tmpl;
	const char *data;
	const char *want;
	const struct part *parts;
};

/* Loader state: the partials and how many times the loader ran. */
struct loader {
	const struct part *parts;
	int calls;
};

/* Test loader: finds a partial by name; "broken" fails, others are missing. */
static int
load_part(void *ctx, const char *name, char **text, char **cause)
{
	struct loader *l = ctx;
	size_t i;

	l->calls++;
	if (strcmp(name, "broken") == 0) {
		*cause = xstrdup("boom");
		return -1;
	}
	*text = NULL;
	for (i = 0; l->parts != NULL && l->parts[i].name != NULL; i++) {
		if (strcmp(l->parts[i].name, name) == 0) {
			*text = xstrdup(l->parts[i].text);
			break;
		}
	}
	return 0;
}

/* Parse test JSON written with ' for " (so the cases stay readable). */
static struct jv *
data_of(const char *json)
{
	char *s = xstrdup(json), *p, *cause = NULL;
	struct jv *v;

	for (p = s; *p != '\0'; p++) {
		if (*p == '\'')
			*p = '"';
	}
	v = jv_parse(s, strlen(s), "data", &cause);
	if (v == NULL)
		fail_msg("bad test data %s: %s", json, cause);
	free(s);
	return v;
}

/* Render text with data; returns the output or NULL and *cause. */
static char *
try_render(const char *text, const char *json, enum tmpl_escape esc, const struct part *parts,
    size_t max, char **cause)
{
	struct loader l = { parts, 0 };
	struct tmpl_opts o = { 0 };
	struct tmpl *t;
	struct jv *d;
	char *out = NULL;

	*cause = NULL;
	t = tmpl_parse(text, "t", cause);
	if (t == NULL)
		return NULL;
	d = data_of(json);
	o.escape = esc;
	o.max_output = max;
	o.load = load_part;
	o.load_ctx = &l;
	if (tmpl_render(t, d, &o, &out, cause) != 0)
		out = NULL;
	jv_free(d);
	tmpl_free(t);
	return out;
}

/* Render and compare, naming the case on failure. */
static void
check(const char *desc, const char *text, const char *json, enum tmpl_escape esc,
    const struct part *parts, const char *want)
{
	char *cause = NULL, *out;

	out = try_render(text, json, esc, parts, 0, &cause);
	if (out == NULL) {
		fail_msg("%s: error %s", desc, cause);
		return;
	}
	if (strcmp(out, want) != 0)
		fail_msg("%s: got [%s] want [%s]", desc, out, want);
	free(out);
}

/* Render expecting an error with exactly this message. */
static void
check_err(const char *text, const char *json, const struct part *parts, size_t max,
    const char *want)
{
	char *cause = NULL, *out;

	out = try_render(text, json, TMPL_ESCAPE_HTML, parts, max, &cause);
	if (out != NULL) {
		fail_msg("%s: rendered [%s], want error %s", text, out, want);
		return;
	}
	assert_non_null(cause);
	assert_string_equal(cause, want);
	free(cause);
}

/* Run a table of cases with HTML escaping (the spec's default). */
static void
run_cases(const struct tcase *c)
{
	for (; c->desc != NULL; c++)
		check(c->desc, c->tmpl, c->data, TMPL_ESCAPE_HTML, c->parts, c->want);
}

/* The spec's interpolation behaviours. */
static void
test_interpolation(void **state)
{
	static const struct tcase cases[] = {
		{ "no tags", "Hi {there}!\n", "{}", "Hi {there}!\n", NULL },
		{ "basic", "Dear {{who}},\n", "{'who':'Ana'}", "Dear Ana,\n", NULL },
		{ "html escaping", "{{x}}", "{'x':'a & b < c > d \\' e \\u0027 f'}",
		    "a &amp; b &lt; c &gt; d &quot; e &#39; f", NULL },
		{ "triple", "{{{x}}}", "{'x':'& \\' < >'}", "& \" < >", NULL },
		{ "ampersand", "{{&x}}", "{'x':'& \\' < >'}", "& \" < >", NULL },
		{ "integer", "{{n}} km/h", "{'n':85}", "85 km/h", NULL },
		{ "negative integer", "{{n}}", "{'n':-3}", "-3", NULL },
		{ "triple integer", "{{{n}}}|{{&n}}", "{'n':7}", "7|7", NULL },
		{ "decimal", "{{p}} GW", "{'p':1.210}", "1.21 GW", NULL },
		{ "decimal 1.5", "{{p}}", "{'p':1.5}", "1.5", NULL },
		{ "decimal shortest", "{{p}}", "{'p':0.1}", "0.1", NULL },
		{ "decimal 17 digits", "{{p}}", "{'p':0.30000000000000004}",
		    "0.30000000000000004", NULL },
		{ "integral real", "{{p}}", "{'p':2.0}", "2", NULL },
		{ "booleans", "{{a}}/{{b}}", "{'a':true,'b':false}", "true/false", NULL },
		{ "null", "({{x}})", "{'x':null}", "()", NULL },
		{ "miss", "I ({{nope}}) am", "{}", "I () am", NULL },
		{ "triple miss", "({{{nope}}}{{&nope}})", "{}", "()", NULL },
		{ "dotted", "{{p.name}} = {{#p}}{{name}}{{/p}}", "{'p':{'name':'Jo'}}",
		    "Jo = Jo", NULL },
		{ "dotted triple", "{{{p.name}}}{{&p.name}}", "{'p':{'name':'<J>'}}",
		    "<J><J>", NULL },
		{ "dotted deep", "{{a.b.c.d.e.name}}",
		    "{'a':{'b':{'c':{'d':{'e':{'name':'Phil'}}}}}}", "Phil", NULL },
		{ "dotted broken chain", "[{{a.b.c}}]", "{'a':{}}", "[]", NULL },
		{ "dotted broken chain resolution", "[{{a.b.c.name}}]",
		    "{'a':{'b':{}},'c':{'name':'Jim'}}", "[]", NULL },
		{ "dotted initial resolution", "{{#a}}{{b.c.name}}{{/a}}",
		    "{'a':{'b':{'c':{'name':'Phil'}}},'b':{'c':{'name':'Wrong'}}}", "Phil",
		    NULL },
		{ "dotted context precedence", "[{{#a}}{{b.c}}{{/a}}]",
		    "{'a':{'b':{}},'b':{'c':'ERROR'}}", "[]", NULL },
		{ "dotted through non-object", "[{{a.b}}]", "{'a':'str'}", "[]", NULL },
		{ "implicit iterator at top", "{{.}}", "'top'", "top", NULL },
		{ "surrounding whitespace", "| {{s}} |{{{s}}}|{{&s}}|", "{'s':'---'}",
		    "| --- |---|---|", NULL },
		{ "standalone interpolation keeps whitespace", "  {{s}}\n", "{'s':'---'}",
		    "  ---\n", NULL },
		{ "standalone triple keeps whitespace", "  {{{s}}}\n  {{&s}}\n", "{'s':'-'}",
		    "  -\n  -\n", NULL },
		{ "padding", "|{{ s }}|{{{ s }}}|{{& s }}|", "{'s':'x'}", "|x|x|x|", NULL },
		{ "utf-8 value", "{{n}}", "{'n':'Nguyễn Văn Anh'}", "Nguyễn Văn Anh", NULL },
		{ NULL, NULL, NULL, NULL, NULL },
	};

	(void)state;
	run_cases(cases);
}

/* The spec's section behaviours, plus this engine's truthiness. */
static void
test_sections(void **state)
{
	static const struct tcase cases[] = {
		{ "truthy", "\"{{#b}}shown{{/b}}\"", "{'b':true}", "\"shown\"", NULL },
		{ "falsey", "\"{{#b}}hidden{{/b}}\"", "{'b':false}", "\"\"", NULL },
		{ "null", "[{{#b}}hidden{{/b}}]", "{'b':null}", "[]", NULL },
		{ "context", "{{#c}}Hi {{name}}.{{/c}}", "{'c':{'name':'Joe'}}", "Hi Joe.", NULL },
		{ "parent contexts", "{{#a}}{{#b}}{{#c}}{{x}}{{y}}{{z}}{{/c}}{{/b}}{{/a}}",
		    "{'a':{'x':1},'b':{'y':2},'c':{'z':3}}", "123", NULL },
		{ "deeply nested",
		    "{{#a}}\n{{one}}\n{{#b}}\n{{one}}{{two}}{{one}}\n{{#c}}\n"
		    "{{one}}{{two}}{{three}}{{two}}{{one}}\n{{/c}}\n{{one}}{{two}}{{one}}\n"
		    "{{/b}}\n{{one}}\n{{/a}}\n",
		    "{'a':{'one':1},'b':{'two':2},'c':{'three':3}}",
		    "1\n121\n12321\n121\n1\n", NULL },
		{ "list", "{{#l}}{{i}},{{/l}}", "{'l':[{'i':1},{'i':2},{'i':3}]}", "1,2,3,", NULL },
		{ "empty list", "[{{#l}}x{{/l}}]", "{'l':[]}", "[]", NULL },
		{ "doubled", "{{#b}}\n* one\n{{/b}}\n* {{t}}\n{{#b}}\n* three\n{{/b}}\n",
		    "{'b':true,'t':'two'}", "* one\n* two\n* three\n", NULL },
		{ "nested truthy", "| A {{#b}}B {{#b}}C{{/b}} D{{/b}} E |", "{'b':true}",
		    "| A B C D E |", NULL },
		{ "nested falsey", "| A {{#b}}B {{#b}}C{{/b}} D{{/b}} E |", "{'b':false}",
		    "| A  E |", NULL },
		{ "miss", "[{{#nope}}x{{/nope}}]", "{}", "[]", NULL },
		{ "implicit iterator strings", "{{#l}}({{.}}){{/l}}", "{'l':['a','b','c']}",
		    "(a)(b)(c)", NULL },
		{ "implicit iterator integers", "{{#l}}({{.}}){{/l}}", "{'l':[1,2,3]}",
		    "(1)(2)(3)", NULL },
		{ "implicit iterator decimals", "{{#l}}({{.}}){{/l}}", "{'l':[1.1,2.2,5.5]}",
		    "(1.1)(2.2)(5.5)", NULL },
		{ "implicit iterator arrays", "{{#l}}({{#.}}{{.}}{{/.}}){{/l}}",
		    "{'l':[[1,2,3],['a','b']]}", "(123)(ab)", NULL },
		{ "implicit iterator escapes", "{{#l}}{{.}}{{{.}}}{{/l}}", "{'l':['<']}",
		    "&lt;<", NULL },
		{ "value pushed", "{{#f}}{{.}} is {{f}}{{/f}}", "{'f':'bar'}", "bar is bar", NULL },
		{ "dotted truthy", "{{#a.b.c}}Here{{/a.b.c}}", "{'a':{'b':{'c':true}}}", "Here",
		    NULL },
		{ "dotted falsey", "[{{#a.b.c}}Here{{/a.b.c}}]", "{'a':{'b':{'c':false}}}", "[]",
		    NULL },
		{ "dotted broken chain", "[{{#a.b.c}}Here{{/a.b.c}}]", "{'a':{}}", "[]", NULL },
		{ "empty string is false", "[{{#s}}x{{/s}}{{^s}}y{{/s}}]", "{'s':''}", "[y]", NULL },
		{ "zero is true", "[{{#n}}{{.}}{{/n}}]", "{'n':0}", "[0]", NULL },
		{ "empty object is true", "[{{#o}}x{{/o}}]", "{'o':{}}", "[x]", NULL },
		{ "surrounding whitespace", " | {{#b}}\t|\t{{/b}} | \n", "{'b':true}",
		    " | \t|\t | \n", NULL },
		{ "internal whitespace", " | {{#b}} {{! c }}\n {{/b}} | \n", "{'b':true}",
		    " |  \n  | \n", NULL },
		{ "indented inline", " {{#b}}YES{{/b}}\n {{#b}}GOOD{{/b}}\n", "{'b':true}",
		    " YES\n GOOD\n", NULL },
		{ "standalone lines", "| This\n{{#b}}\n|\n{{/b}}\n| Line\n", "{'b':true}",
		    "| This\n|\n| Line\n", NULL },
		{ "indented standalone lines", "| This\n  {{#b}}\n|\n  {{/b}}\n| Line\n",
		    "{'b':true}", "| This\n|\n| Line\n", NULL },
		{ "standalone crlf", "|\r\n{{#b}}\r\n{{/b}}\r\n|", "{'b':true}", "|\r\n|", NULL },
		{ "standalone without previous line", "  {{#b}}\n#{{/b}}\n/", "{'b':true}",
		    "#\n/", NULL },
		{ "standalone without newline", "#{{#b}}\n/\n  {{/b}}", "{'b':true}", "#\n/\n",
		    NULL },
		{ "two standalone tags on a line", "a\n  {{#b}}{{/b}}\t\nz", "{'b':true}", "a\nz",
		    NULL },
		{ "tab-indented standalone", "a\n\t{{#b}}\nx\n\t{{/b}}\n", "{'b':true}", "a\nx\n",
		    NULL },
		{ "padding", "|{{# b }}={{/ b }}|", "{'b':true}", "|=|", NULL },
		{ NULL, NULL, NULL, NULL, NULL },
	};

	(void)state;
	run_cases(cases);
}

/* The spec's inverted-section behaviours. */
static void
test_inverted(void **state)
{
	static const struct tcase cases[] = {
		{ "falsey", "\"{{^b}}shown{{/b}}\"", "{'b':false}", "\"shown\"", NULL },
		{ "truthy", "\"{{^b}}hidden{{/b}}\"", "{'b':true}", "\"\"", NULL },
		{ "null", "[{{^b}}shown{{/b}}]", "{'b':null}", "[shown]", NULL },
		{ "context", "[{{^c}}Hi {{name}}{{/c}}]", "{'c':{'name':'Joe'}}", "[]", NULL },
		{ "list", "[{{^l}}{{n}}{{/l}}]", "{'l':[{'n':1}]}", "[]", NULL },
		{ "empty list", "[{{^l}}none{{/l}}]", "{'l':[]}", "[none]", NULL },
		{ "doubled", "{{^b}}\n* one\n{{/b}}\n* {{t}}\n{{^b}}\n* three\n{{/b}}\n",
		    "{'b':false,'t':'two'}", "* one\n* two\n* three\n", NULL },
		{ "nested falsey", "| A {{^b}}B {{^b}}C{{/b}} D{{/b}} E |", "{'b':false}",
		    "| A B C D E |", NULL },
		{ "nested truthy", "| A {{^b}}B {{^b}}C{{/b}} D{{/b}} E |", "{'b':true}",
		    "| A  E |", NULL },
		{ "miss", "[{{^nope}}found nothing{{/nope}}]", "{}", "[found nothing]", NULL },
		{ "dotted truthy", "[{{^a.b.c}}x{{/a.b.c}}]", "{'a':{'b':{'c':true}}}", "[]", NULL },
		{ "dotted falsey", "[{{^a.b.c}}x{{/a.b.c}}]", "{'a':{'b':{'c':false}}}", "[x]",
		    NULL },
		{ "dotted broken chain", "[{{^a.b.c}}x{{/a.b.c}}]", "{'a':{}}", "[x]", NULL },
		{ "surrounding whitespace", " | {{^b}}\t|\t{{/b}} | \n", "{'b':false}",
		    " | \t|\t | \n", NULL },
		{ "internal whitespace", " | {{^b}} {{! c }}\n {{/b}} | \n", "{'b':false}",
		    " |  \n  | \n", NULL },
		{ "indented inline", " {{^b}}NO{{/b}}\n {{^b}}WAY{{/b}}\n", "{'b':false}",
		    " NO\n WAY\n", NULL },
		{ "standalone lines", "| This\n{{^b}}\n|\n{{/b}}\n| Line\n", "{'b':false}",
		    "| This\n|\n| Line\n", NULL },
		{ "indented standalone lines", "| This\n  {{^b}}\n|\n  {{/b}}\n| Line\n",
		    "{'b':false}", "| This\n|\n| Line\n", NULL },
		{ "standalone crlf", "|\r\n{{^b}}\r\n{{/b}}\r\n|", "{'b':false}", "|\r\n|", NULL },
		{ "standalone without previous line", "  {{^b}}\n^{{/b}}\n/", "{'b':false}",
		    "^\n/", NULL },
		{ "standalone without newline", "^{{^b}}\n/\n  {{/b}}", "{'b':false}", "^\n/\n",
		    NULL },
		{ "padding", "|{{^ b }}={{/ b }}|", "{'b':false}", "|=|", NULL },
		{ NULL, NULL, NULL, NULL, NULL },
	};

	(void)state;
	run_cases(cases);
}

/* The spec's comment behaviours. */
static void
test_comments(void **state)
{
	static const struct tcase cases[] = {
		{ "inline", "12345{{! Comment Block! }}67890", "{}", "1234567890", NULL },
		{ "multiline", "12345{{!\n  a\n  multi-line comment...\n}}67890\n", "{}",
		    "1234567890\n", NULL },
		{ "standalone", "Begin.\n{{! Comment Block! }}\nEnd.\n", "{}", "Begin.\nEnd.\n",
		    NULL },
		{ "indented standalone", "Begin.\n  {{! Indented }}\nEnd.\n", "{}",
		    "Begin.\nEnd.\n", NULL },
		{ "standalone crlf", "|\r\n{{! Standalone }}\r\n|", "{}", "|\r\n|", NULL },
		{ "standalone without previous line", "  {{! Still standalone }}\n!", "{}", "!",
		    NULL },
		{ "standalone without newline", "!\n  {{! Still standalone }}", "{}", "!\n", NULL },
		{ "multiline standalone", "Begin.\n{{!\nSomething's going on\n}}\nEnd.\n", "{}",
		    "Begin.\nEnd.\n", NULL },
		{ "indented multiline standalone", "Begin.\n  {{!\n    going on\n  }}\nEnd.\n",
		    "{}", "Begin.\nEnd.\n", NULL },
		{ "indented inline", "  12 {{! 34 }}\n", "{}", "  12 \n", NULL },
		{ "surrounding whitespace", "12345 {{! Comment }} 67890", "{}", "12345  67890",
		    NULL },
		{ "comment with braces and tags", "a{{! {x} {{ }}b", "{'x':1}", "ab", NULL },
		{ NULL, NULL, NULL, NULL, NULL },
	};

	(void)state;
	run_cases(cases);
}

/* The spec's partial behaviours, including indentation of standalone partials. */
static void
test_partials(void **state)
{
	static const struct part text[] = { { "text", "from partial" }, { NULL, NULL } };
	static const struct part star[] = { { "partial", "*{{text}}*" }, { NULL, NULL } };
	static const struct part node[] = {
		{ "node", "{{content}}<{{#nodes}}{{>node}}{{/nodes}}>" }, { NULL, NULL }
	};
	static const struct part tabs[] = { { "partial", "\t|\t" }, { NULL, NULL } };
	static const struct part two[] = { { "partial", ">\n>" }, { NULL, NULL } };
	static const struct part one[] = { { "partial", ">" }, { NULL, NULL } };
	static const struct part box[] = { { "partial", "|\n{{{content}}}\n|\n" }, { NULL, NULL } };
	static const struct part brackets[] = { { "partial", "[]" }, { NULL, NULL } };
	static const struct part nested[] = {
		{ "outer", "a\n  {{>inner}}\nb\n" }, { "inner", "x\n{{#s}}\ny\n{{/s}}\n" },
		{ NULL, NULL }
	};
	static const struct part blank[] = { { "partial", "a\n\nb\n" }, { NULL, NULL } };
	static const struct tcase cases[] = {
		{ "basic", "\"{{>text}}\"", "{}", "\"from partial\"", text },
		{ "failed lookup", "\"{{>text}}\"", "{}", "\"\"", NULL },
		{ "context", "\"{{>partial}}\"", "{'text':'content'}", "\"*content*\"", star },
		{ "recursion", "{{>node}}",
		    "{'content':'X','nodes':[{'content':'Y','nodes':[]}]}", "X<Y<>>", node },
		{ "surrounding whitespace", "| {{>partial}} |", "{}", "| \t|\t |", tabs },
		{ "inline indentation", "  {{d}}  {{> partial}}\n", "{'d':'|'}",
		    "  |  >\n>\n", two },
		{ "standalone crlf", "|\r\n{{>partial}}\r\n|", "{}", "|\r\n>|", one },
		{ "standalone without previous line", "  {{>partial}}\n>", "{}", "  >\n  >>",
		    two },
		{ "standalone without newline", ">\n  {{>partial}}", "{}", ">\n  >\n  >", two },
		{ "standalone indentation", "\\\n {{>partial}}\n/\n", "{'content':'<\\n->'}",
		    "\\\n |\n <\n->\n |\n/\n", box },
		{ "padding", "|{{> partial }}|", "{}", "|[]|", brackets },
		{ "nested indentation adds up", "  {{>outer}}\n", "{'s':true}",
		    "  a\n    x\n    y\n  b\n", nested },
		{ "indentation of blank lines", "  {{>partial}}\n", "{}", "  a\n  \n  b\n", blank },
		{ NULL, NULL, NULL, NULL, NULL },
	};

	(void)state;
	run_cases(cases);
}

/* The spec's set-delimiter behaviours. */
static void
test_delimiters(void **state)
{
	static const struct part inc[] = { { "include", ".{{value}}." }, { NULL, NULL } };
	static const struct part inc2[] = {
		{ "include", ".{{value}}. {{= | | =}} .|value|." }, { NULL, NULL }
	};
	static const struct tcase cases[] = {
		{ "pair", "{{=<% %>=}}(<%text%>)", "{'text':'Hey!'}", "(Hey!)", NULL },
		{ "special characters", "({{=[ ]=}}[text])", "{'text':'It worked!'}",
		    "(It worked!)", NULL },
		{ "sections",
		    "[\n{{#s}}\n  {{d}}\n  |d|\n{{/s}}\n\n{{= | | =}}\n|#s|\n  {{d}}\n  |d|\n|/s|\n]\n",
		    "{'s':true,'d':'I got in.'}",
		    "[\n  I got in.\n  |d|\n\n  {{d}}\n  I got in.\n]\n", NULL },
		{ "inverted sections",
		    "[\n{{^s}}\n  {{d}}\n  |d|\n{{/s}}\n\n{{= | | =}}\n|^s|\n  {{d}}\n  |d|\n|/s|\n]\n",
		    "{'s':false,'d':'I got in.'}",
		    "[\n  I got in.\n  |d|\n\n  {{d}}\n  I got in.\n]\n", NULL },
		{ "partial inheritance", "[ {{>include}} ]\n{{= | | =}}\n[ |>include| ]\n",
		    "{'value':'yes'}", "[ .yes. ]\n[ .yes. ]\n", inc },
		{ "post-partial behaviour", "[ {{>include}} ]\n[ .{{value}}.  .|value|. ]\n",
		    "{'value':'yes'}", "[ .yes.  .yes. ]\n[ .yes.  .|value|. ]\n", inc2 },
		{ "surrounding whitespace", "| {{=@ @=}} |", "{}", "|  |", NULL },
		{ "outlying whitespace inline", " | {{=@ @=}}\n", "{}", " | \n", NULL },
		{ "standalone", "Begin.\n{{=@ @=}}\nEnd.\n", "{}", "Begin.\nEnd.\n", NULL },
		{ "indented standalone", "Begin.\n  {{=@ @=}}\nEnd.\n", "{}", "Begin.\nEnd.\n",
		    NULL },
		{ "standalone crlf", "|\r\n{{= @ @ =}}\r\n|", "{}", "|\r\n|", NULL },
		{ "standalone without previous line", "  {{=@ @=}}\n=", "{}", "=", NULL },
		{ "standalone without newline", "=\n  {{=@ @=}}", "{}", "=\n", NULL },
		{ "pair with padding", "|{{= @   @ =}}|", "{}", "||", NULL },
		{ "triple with new delimiters", "{{=<% %>=}}<%{x}%>|<%& x%>|<%x%>", "{'x':'<'}",
		    "<|<|&lt;", NULL },
		{ "back to default", "{{=<% %>=}}<%x%><%={{ }}=%>{{x}}", "{'x':1}", "11", NULL },
		{ NULL, NULL, NULL, NULL, NULL },
	};

	(void)state;
	run_cases(cases);
}

/* Every parse error reports NAME:LINE:COL. */
static void
test_parse_errors(void **state)
{
	(void)state;
	check_err("ab {{x", "{}", NULL, 0, "t:1:4: unclosed tag");
	check_err("ab {{{x}}", "{}", NULL, 0, "t:1:4: unclosed tag");
	check_err("é {{x", "{}", NULL, 0, "t:1:3: unclosed tag");
	check_err("a\n{{!\n\n}}\n  {{x", "{}", NULL, 0, "t:5:3: unclosed tag");
	check_err("x\n  {{#a}}\n{{#b}}{{/b}}\n", "{}", NULL, 0, "t:2:3: unclosed section \"a\"");
	check_err("{{#a}}\n  {{/b}}", "{}", NULL, 0,
	    "t:2:3: mismatched section end \"b\": expected \"a\" (opened at 1:1)");
	check_err("x{{/a}}", "{}", NULL, 0,
	    "t:1:2: mismatched section end \"a\": no section is open");
	check_err("{{=<% =}}", "{}", NULL, 0, "t:1:1: bad delimiter tag");
	check_err("a {{=<% %> x=}}", "{}", NULL, 0, "t:1:3: bad delimiter tag");
	check_err("{{=<% %>}}", "{}", NULL, 0, "t:1:1: bad delimiter tag");
	check_err("{{=a= b=}}", "{}", NULL, 0, "t:1:1: bad delimiter tag");
	check_err("\n{{%x}}", "{}", NULL, 0, "t:2:1: unknown tag type '%'");
	check_err("{{<x}}", "{}", NULL, 0, "t:1:1: unknown tag type '<'");
	check_err("{{}}", "{}", NULL, 0, "t:1:1: empty tag");
	check_err("{{a b}}", "{}", NULL, 0, "t:1:1: bad tag name \"a b\"");
	check_err("{{a..b}}", "{}", NULL, 0, "t:1:1: bad tag name \"a..b\"");
	check_err("{{#}}{{/}}", "{}", NULL, 0, "t:1:1: bad tag name \"\"");
	check_err("{{=<% %>=}}\n<%x", "{}", NULL, 0, "t:2:1: unclosed tag");
}

/* Errors found while rendering: partials, recursion, values that cannot print. */
static void
test_render_errors(void **state)
{
	static const struct part bad[] = { { "p", "ok\n{{#a}}" }, { NULL, NULL } };
	static const struct part loop[] = { { "loop", "x{{>loop}}" }, { NULL, NULL } };
	static const struct part node[] = { { "node", "{{#c}}[{{>node}}]{{/c}}" }, { NULL, NULL } };
	struct buf json;
	char *cause = NULL, *out;
	int i;

	(void)state;
	check_err("a {{>broken}}", "{}", NULL, 0, "t:1:3: partial \"broken\": boom");
	check_err("{{>p}}", "{}", bad, 0, "p:2:1: unclosed section \"a\"");
	check_err("{{>loop}}", "{}", loop, 0, "loop:1:2: partial recursion deeper than 16");
	check_err("{{l}}", "{'l':[1]}", NULL, 0, "t:1:1: \"l\" is a list, not a value to print");
	check_err("{{&o}}", "{'o':{}}", NULL, 0, "t:1:1: \"o\" is an object, not a value to print");

	/* Sixteen levels of partials are fine; the seventeenth is refused. */
	buf_init(&json);
	for (i = 0; i < 16; i++)
		buf_adds(&json, "{'c':");
	buf_adds(&json, "false");
	for (i = 0; i < 16; i++)
		buf_adds(&json, "}");
	out = try_render("{{>node}}", json.data, TMPL_ESCAPE_NONE, node, 0, &cause);
	if (out == NULL) {
		fail_msg("depth 16: %s", cause);
		return;
	}
	assert_string_equal(out, "[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]");
	free(out);
	buf_free(&json);
	buf_init(&json);
	for (i = 0; i < 17; i++)
		buf_adds(&json, "{'c':");
	buf_adds(&json, "false");
	for (i = 0; i < 17; i++)
		buf_adds(&json, "}");
	check_err("{{>node}}", json.data, node, 0, "node:1:8: partial recursion deeper than 16");
	buf_free(&json);
}

/* The output bound is exact and also stops runaway lists. */
static void
test_output_bound(void **state)
{
	char *cause = NULL, *out;

	(void)state;
	out = try_render("0123456789", "{}", TMPL_ESCAPE_NONE, NULL, 10, &cause);
	assert_non_null(out);
	assert_string_equal(out, "0123456789");
	free(out);
	check_err("0123456789x", "{}", NULL, 10, "t: output exceeds 10 bytes");
	check_err("{{#l}}{{.}}{{/l}}", "{'l':['aaaa','bbbb','cccc']}", NULL, 10,
	    "t: output exceeds 10 bytes");
	/* Escaping counts: "&amp;" is five bytes. */
	check_err("{{x}}", "{'x':'&&'}", NULL, 9, "t: output exceeds 9 bytes");
}

/* DOC escaping: values cannot inject letter markup. */
static void
test_doc_escaping(void **state)
{
	(void)state;
	check("at line start", "{{x}}", "{'x':'@to evil'}", TMPL_ESCAPE_DOC, NULL, "\\@to evil");
	check("after newline", "Hi\n{{x}}\n", "{'x':'# head'}", TMPL_ESCAPE_DOC, NULL,
	    "Hi\n\\# head\n");
	check("dash", "{{x}}", "{'x':'- item'}", TMPL_ESCAPE_DOC, NULL, "\\- item");
	check("backslash", "{{x}}", "{'x':'\\\\x'}", TMPL_ESCAPE_DOC, NULL, "\\\\x");
	check("mid-line", "Re: {{x}}", "{'x':'@to'}", TMPL_ESCAPE_DOC, NULL, "Re: @to");
	check("after an empty value", "{{e}}{{x}}", "{'e':'','x':'@to'}", TMPL_ESCAPE_DOC, NULL,
	    "\\@to");
	check("newline", "{{x}}", "{'x':'a\\nb'}", TMPL_ESCAPE_DOC, NULL, "a b");
	check("newline runs", "{{x}}|", "{'x':'a\\r\\n\\r\\nb\\r'}", TMPL_ESCAPE_DOC, NULL,
	    "a b |");
	check("newline then directive", "{{x}}", "{'x':'\\n@to x'}", TMPL_ESCAPE_DOC, NULL,
	    " @to x");
	check("no html escaping", "{{x}}", "{'x':'<&>'}", TMPL_ESCAPE_DOC, NULL, "<&>");
	check("in a list", "{{#l}}{{.}}\n{{/l}}", "{'l':['ok','@paper a4','#x']}",
	    TMPL_ESCAPE_DOC, NULL, "ok\n\\@paper a4\n\\#x\n");
	check("triple is raw", "{{{x}}}", "{'x':'@to\\nx'}", TMPL_ESCAPE_DOC, NULL, "@to\nx");
	check("none mode", "{{x}}", "{'x':'<@\\n'}", TMPL_ESCAPE_NONE, NULL, "<@\n");
}

/* One parse renders many times, and a shared cache loads each partial once. */
static void
test_reuse_and_cache(void **state)
{
	static const struct part parts[] = { { "sig", "-- {{name}}" }, { NULL, NULL } };
	struct loader l = { parts, 0 };
	struct tmpl_opts o = { 0 };
	struct tmpl *t;
	struct jv *d1, *d2;
	char *cause = NULL, *out = NULL;

	(void)state;
	t = tmpl_parse("Hello {{name}}\n{{>sig}}\n", "letter", &cause);
	assert_non_null(t);
	assert_string_equal(tmpl_name(t), "letter");
	o.escape = TMPL_ESCAPE_NONE;
	o.load = load_part;
	o.load_ctx = &l;
	o.cache = tmpl_cache_new();
	d1 = data_of("{'name':'Ana'}");
	d2 = data_of("{'name':'Bo'}");
	assert_int_equal(tmpl_render(t, d1, &o, &out, &cause), 0);
	assert_string_equal(out, "Hello Ana\n-- Ana");
	free(out);
	assert_int_equal(tmpl_render(t, d2, &o, &out, &cause), 0);
	assert_string_equal(out, "Hello Bo\n-- Bo");
	free(out);
	assert_int_equal(l.calls, 1);
	tmpl_cache_free(o.cache);

	/* Without a cache each render loads again. */
	o.cache = NULL;
	assert_int_equal(tmpl_render(t, d1, &o, &out, &cause), 0);
	free(out);
	assert_int_equal(l.calls, 2);

	/* NULL data renders misses. */
	assert_int_equal(tmpl_render(t, NULL, &o, &out, &cause), 0);
	assert_string_equal(out, "Hello \n-- ");
	free(out);
	jv_free(d1);
	jv_free(d2);
	tmpl_free(t);
	tmpl_free(NULL);
	tmpl_cache_free(NULL);
}

/* A letter-sized render many times, as a batch would. */
static void
test_many_renders(void **state)
{
	struct tmpl_opts o = { 0 };
	struct tmpl *t;
	struct jv *d;
	char *cause = NULL, *out = NULL;
	int i;

	(void)state;
	t = tmpl_parse("@to\n{{#to}}\n{{.}}\n{{/to}}\n\n{{#paras}}\n{{.}}\n\n{{/paras}}", "l",
	    &cause);
	assert_non_null(t);
	d = data_of("{'to':['A B','1 Main St'],'paras':['one','two','three']}");
	o.escape = TMPL_ESCAPE_DOC;
	for (i = 0; i < 5000; i++) {
		assert_int_equal(tmpl_render(t, d, &o, &out, &cause), 0);
		if (i < 4999)
			free(out);
	}
	assert_string_equal(out, "@to\nA B\n1 Main St\n\none\n\ntwo\n\nthree\n\n");
	free(out);
	jv_free(d);
	tmpl_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interpolation),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_inverted),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_partials),
		cmocka_unit_test(test_delimiters),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_render_errors),
		cmocka_unit_test(test_output_bound),
		cmocka_unit_test(test_doc_escaping),
		cmocka_unit_test(test_reuse_and_cache),
		cmocka_unit_test(test_many_renders),
	};

	return cmocka_run_group_tests_name("template", tests, NULL, NULL);
}
