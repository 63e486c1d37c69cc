/* Unit tests for the document model: markup parsing, errors and the plain-text renderer. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "optout/doc.h"
#include "optout/jv.h"
#include "optout/template.h"
#include "optout/util.h"

/* Parse markup that must be valid. */
static struct doc *
parse_ok(const char *markup)
{
	char *cause = NULL;
	struct doc *d = doc_parse(markup, &cause);

	if (d == NULL)
		fail_msg("doc_parse failed: %s", cause);
	return d;
}

/* Parse markup that must fail with exactly this message. */
static void
parse_err(const char *markup, const char *want)
{
	char *cause = NULL;
	struct doc *d = doc_parse(markup, &cause);

	if (d != NULL) {
		fail_msg("doc_parse accepted [%s], want %s", markup, want);
		return;
	}
	assert_non_null(cause);
	assert_string_equal(cause, want);
	free(cause);
}

/* Check a block's kind and lines (a NULL-terminated list). */
static void
check_block(const struct doc_block *b, enum doc_kind kind, const char *const *want)
{
	size_t i;

	assert_int_equal(b->kind, kind);
	for (i = 0; want[i] != NULL; i++) {
		assert_true(i < b->nlines);
		assert_string_equal(b->lines[i], want[i]);
	}
	assert_int_equal(b->nlines, i);
}

/* Render markup as text at a width. */
static char *
text_of(const char *markup, int width)
{
	struct doc *d = parse_ok(markup);
	char *s = doc_to_text(d, width);

	doc_free(d);
	return s;
}

static const char letter[] =
    "@ref OPT-2026-0001\n"
    "@paper a4\n"
    "@from\n"
    "Ana Pérez\n"
    "1 Main St\n"
    "Springfield, IL 62701\n"
    "\n"
    "@to\n"
    "LexisNexis Risk Solutions\n"
    "Consumer Center\n"
    "PO Box 105108\n"
    "Atlanta, GA 30348\n"
    "\n"
    "@date 1 March 2026\n"
    "@subject Request to delete my personal information\n"
    "\n"
    "# Request\n"
    "\n"
    "I am writing to request that you delete  \n"
    "my personal information.\n"
    "\n"
    "- Full name\n"
    "- Address\n"
    "  (current only)\n"
    "\n"
    "@table\n"
    "Field | Value\n"
    "Name | Ana Pérez\n"
    "Date of birth | not disclosed\n"
    "\n"
    "@signature\n"
    "Ana Pérez\n"
    "\n"
    "@enclosures\n"
    "- Copy of ID\n"
    "- Authorization form\n"
    "@pagebreak\n"
    "# Authorization\n"
    "Text.\r\n";

/* Every construct lands in the model as doc.h describes. */
static void
test_constructs(void **state)
{
	static const char *const from[] = { "Ana Pérez", "1 Main St", "Springfield, IL 62701",
		NULL };
	static const char *const to[] = { "LexisNexis Risk Solutions", "Consumer Center",
		"PO Box 105108", "Atlanta, GA 30348", NULL };
	static const char *const h1[] = { "Request", NULL };
	static const char *const p1[] = {
		"I am writing to request that you delete my personal information.", NULL
	};
	static const char *const list[] = { "Full name", "Address (current only)", NULL };
	static const char *const table[] = { "Field | Value", "Name | Ana Pérez",
		"Date of birth | not disclosed", NULL };
	static const char *const sig[] = { "Ana Pérez", NULL };
	static const char *const encl[] = { "Copy of ID", "Authorization form", NULL };
	static const char *const none[] = { NULL };
	static const char *const h2[] = { "Authorization", NULL };
	static const char *const p2[] = { "Text.", NULL };
	struct doc *d;

	(void)state;
	d = parse_ok(letter);
	assert_string_equal(d->ref, "OPT-2026-0001");
	assert_string_equal(d->date, "1 March 2026");
	assert_string_equal(d->subject, "Request to delete my personal information");
	assert_int_equal(d->paper, DOC_PAPER_A4);
	assert_int_equal(d->nblocks, 11);
	check_block(&d->blocks[0], DOC_FROM, from);
	check_block(&d->blocks[1], DOC_TO, to);
	check_block(&d->blocks[2], DOC_HEADING, h1);
	check_block(&d->blocks[3], DOC_PARAGRAPH, p1);
	check_block(&d->blocks[4], DOC_LIST, list);
	check_block(&d->blocks[5], DOC_TABLE, table);
	check_block(&d->blocks[6], DOC_SIGNATURE, sig);
	check_block(&d->blocks[7], DOC_ENCLOSURES, encl);
	check_block(&d->blocks[8], DOC_PAGEBREAK, none);
	check_block(&d->blocks[9], DOC_HEADING, h2);
	check_block(&d->blocks[10], DOC_PARAGRAPH, p2);
	doc_free(d);

	/* Defaults, and group boundaries without blank lines. */
	d = parse_ok("Para one\n# Head\nPara two\n- item\nPara three\n@paper letter\n");
	assert_null(d->date);
	assert_null(d->subject);
	assert_null(d->ref);
	assert_int_equal(d->paper, DOC_PAPER_LETTER);
	assert_int_equal(d->nblocks, 5);
	assert_int_equal(d->blocks[0].kind, DOC_PARAGRAPH);
	assert_int_equal(d->blocks[1].kind, DOC_HEADING);
	assert_int_equal(d->blocks[2].kind, DOC_PARAGRAPH);
	assert_int_equal(d->blocks[3].kind, DOC_LIST);
	assert_string_equal(d->blocks[4].lines[0], "Para three");
	doc_free(d);

	/* Only column 0 is markup; indented lines are text. */
	d = parse_ok("  @to x\n  # not heading\n");
	assert_int_equal(d->nblocks, 1);
	assert_string_equal(d->blocks[0].lines[0], "@to x # not heading");
	doc_free(d);

	d = parse_ok("");
	assert_int_equal(d->nblocks, 0);
	doc_free(d);
	doc_free(NULL);
}

/* A leading backslash makes a line literal, everywhere. */
static void
test_escaping(void **state)
{
	static const char *const to[] = { "@evil", "#5 Main St", "- x", NULL };
	struct doc *d;

	(void)state;
	d = parse_ok("\\@to evil\n\\# no\n\n\\- no\n\n\\\\x \\y\n\n@to\n\\@evil\n\\#5 Main St\n"
		     "\\- x\n\n- \\@item\n");
	assert_int_equal(d->nblocks, 5);
	assert_int_equal(d->blocks[0].kind, DOC_PARAGRAPH);
	assert_string_equal(d->blocks[0].lines[0], "@to evil # no");
	assert_int_equal(d->blocks[1].kind, DOC_PARAGRAPH);
	assert_string_equal(d->blocks[1].lines[0], "- no");
	assert_string_equal(d->blocks[2].lines[0], "\\x \\y");
	check_block(&d->blocks[3], DOC_TO, to);
	assert_int_equal(d->blocks[4].kind, DOC_LIST);
	assert_string_equal(d->blocks[4].lines[0], "\\@item");
	assert_null(d->date);
	doc_free(d);

	/* An escaped line after a list item ends the list. */
	d = parse_ok("- a\n\\- b\n");
	assert_int_equal(d->nblocks, 2);
	assert_int_equal(d->blocks[0].nlines, 1);
	assert_string_equal(d->blocks[1].lines[0], "- b");
	doc_free(d);
}

/* Template output in DOC mode cannot inject markup into the document. */
static void
test_template_roundtrip(void **state)
{
	static const char *const to[] = { "@date 1999", "x @subject y", "\\z", NULL };
	struct tmpl_opts o = { 0 };
	struct tmpl *t;
	struct jv *data;
	struct doc *d;
	char *cause = NULL, *out = NULL;
	const char *json = "{\"name\":\"@date 1999\",\"street\":\"x\\n\\n@subject y\","
			   "\"city\":\"\\\\z\",\"body\":\"# not a heading\\n- nor a list\"}";

	(void)state;
	t = tmpl_parse("@to\n{{name}}\n{{street}}\n{{city}}\n\n{{body}}\n", "letter", &cause);
	assert_non_null(t);
	data = jv_parse(json, strlen(json), "data", &cause);
	assert_non_null(data);
	o.escape = TMPL_ESCAPE_DOC;
	assert_int_equal(tmpl_render(t, data, &o, &out, &cause), 0);
	d = parse_ok(out);
	assert_null(d->date);
	assert_null(d->subject);
	assert_int_equal(d->nblocks, 2);
	check_block(&d->blocks[0], DOC_TO, to);
	assert_int_equal(d->blocks[1].kind, DOC_PARAGRAPH);
	assert_string_equal(d->blocks[1].lines[0], "# not a heading - nor a list");
	doc_free(d);
	free(out);
	jv_free(data);
	tmpl_free(t);
}

/* Malformed markup is refused with the line named. */
static void
test_errors(void **state)
{
	(void)state;
	parse_err("Hello\n\n@foo bar\n", "line 3: unknown directive @foo");
	parse_err("@\n", "line 1: unknown directive @");
	parse_err("@Date x\n", "line 1: unknown directive @Date");
	parse_err("x\n@paper legal\n", "line 2: @paper must be letter or a4");
	parse_err("@paper a4\n@paper a4\n", "line 2: second @paper");
	parse_err("@table\na | b\nc | d\ne | f | g\n",
	    "line 4: table row has 3 cells, the header has 2");
	parse_err("@table\na | b | c\nd\n", "line 3: table row has 1 cell, the header has 3");
	parse_err("@to\n\nx\n", "line 1: @to is empty");
	parse_err("x\n\n@from\n", "line 3: @from is empty");
	parse_err("@signature\n@date x\n", "line 1: @signature is empty");
	parse_err("@table\n", "line 1: @table is empty");
	parse_err("@enclosures\n\n", "line 1: @enclosures is empty");
	parse_err("@date\n", "line 1: @date needs a value");
	parse_err("@subject   \n", "line 1: @subject needs a value");
	parse_err("@ref a\n@ref b\n", "line 2: second @ref");
	parse_err("@to\na\n\n@to\nb\n", "line 4: second @to block");
	parse_err("@to Bob\n", "line 1: @to takes no value on its line");
	parse_err("@pagebreak now\n", "line 1: @pagebreak takes no value on its line");
	parse_err("- a\n-\n", "line 2: empty list item");
	parse_err("#\n", "line 1: empty heading");
	parse_err("@enclosures\n- a\nb\n", "line 3: @enclosures items must start with \"- \"");
	parse_err("ok\nok\nbad \xff byte\n", "line 3: invalid UTF-8");
	parse_err("\xed\xa0\x80\n", "line 1: invalid UTF-8");
	parse_err("over\xc0\xaflong\n", "line 1: invalid UTF-8");
}

/* Table rows split into trimmed cells. */
static void
test_table_cells(void **state)
{
	char **c;
	size_t n = 0;

	(void)state;
	c = doc_table_cells("a | b  |  c", &n);
	assert_int_equal(n, 3);
	assert_string_equal(c[0], "a");
	assert_string_equal(c[1], "b");
	assert_string_equal(c[2], "c");
	assert_null(c[3]);
	str_list_free(c);
	c = doc_table_cells("A|B | x | | y |", &n);
	assert_int_equal(n, 5);
	assert_string_equal(c[0], "A|B");
	assert_string_equal(c[1], "x");
	assert_string_equal(c[2], "");
	assert_string_equal(c[3], "y");
	assert_string_equal(c[4], "");
	str_list_free(c);
	c = doc_table_cells("single", NULL);
	assert_string_equal(c[0], "single");
	assert_null(c[1]);
	str_list_free(c);
}

/* The whole letter as text, in business-letter order. */
static void
test_text_letter(void **state)
{
	static const char want[] =
	    "Reference: OPT-2026-0001\n"
	    "\n"
	    "Ana Pérez\n"
	    "1 Main St\n"
	    "Springfield, IL 62701\n"
	    "\n"
	    "1 March 2026\n"
	    "\n"
	    "LexisNexis Risk Solutions\n"
	    "Consumer Center\n"
	    "PO Box 105108\n"
	    "Atlanta, GA 30348\n"
	    "\n"
	    "Re: Request to delete my personal\n"
	    "    information\n"
	    "\n"
	    "Request\n"
	    "=======\n"
	    "\n"
	    "I am writing to request that you delete\n"
	    "my personal information.\n"
	    "\n"
	    "- Full name\n"
	    "- Address (current only)\n"
	    "\n"
	    "Field          Value\n"
	    "-------------  -------------\n"
	    "Name           Ana Pérez\n"
	    "Date of birth  not disclosed\n"
	    "\n"
	    "\n"
	    "____________________\n"
	    "Ana Pérez\n"
	    "\n"
	    "Enclosures:\n"
	    "- Copy of ID\n"
	    "- Authorization form\n"
	    "\f\n"
	    "Authorization\n"
	    "=============\n"
	    "\n"
	    "Text.\n";
	char *s;

	(void)state;
	s = text_of(letter, 40);
	assert_string_equal(s, want);
	free(s);

	/* Order comes from the model, not the markup; "Re:" is not doubled. */
	s = text_of("Body.\n\n@subject Re: x\n@to\nB\n\n@date D\n@from\nA\n", 72);
	assert_string_equal(s, "A\n\nD\n\nB\n\nRe: x\n\nBody.\n");
	free(s);
	s = text_of("", 72);
	assert_string_equal(s, "");
	free(s);
}

/* Wrapping counts characters, not bytes, and keeps within the width. */
static void
test_wrap_utf8(void **state)
{
	char *s;

	(void)state;
	s = text_of("Nguyễn Văn Anh Nguyễn Văn Anh\n", 14);
	assert_string_equal(s, "Nguyễn Văn Anh\nNguyễn Văn Anh\n");
	free(s);
	s = text_of("Nguyễn Văn Anh\n", 13);
	assert_string_equal(s, "Nguyễn Văn\nAnh\n");
	free(s);
	/* Combining marks take no column: e + U+0302 + U+0303 is one character. */
	s = text_of("Nguye\xcc\x82\xcc\x83n Va\xcc\x86n Anh x\n", 14);
	assert_string_equal(s, "Nguye\xcc\x82\xcc\x83n Va\xcc\x86n Anh\nx\n");
	free(s);
	/* A long word stays whole; list items hang under their text. */
	s = text_of("see https://example.com/a/very/long/path now\n\n"
		    "- één twee drie vier vijf zes\n", 16);
	assert_string_equal(s, "see\nhttps://example.com/a/very/long/path\nnow\n\n"
			       "- één twee drie\n  vier vijf zes\n");
	free(s);
	/* Tabs and runs of blanks collapse; a non-positive width means 72. */
	s = text_of("a\t\tb    c\n", 0);
	assert_string_equal(s, "a b c\n");
	free(s);
}

/* Tables line up, and shrink by wrapping cells when too wide. */
static void
test_text_tables(void **state)
{
	char *s;

	(void)state;
	s = text_of("@table\nName | Notes\nAna | a long note about things\n", 20);
	assert_string_equal(s, "Name  Notes\n"
			       "----  --------------\n"
			       "Ana   a long note\n"
			       "      about things\n");
	free(s);
	s = text_of("@table\nÉ | x | Straße\nab |  | c\n", 72);
	assert_string_equal(s, "É   x  Straße\n"
			       "--  -  ------\n"
			       "ab     c\n");
	free(s);
	/* A word longer than its column is cut so columns stay aligned. */
	s = text_of("@table\nK | V\nk | abcdefghij\n", 7);
	assert_string_equal(s, "K  V\n-  ----\nk  abcd\n   efgh\n   ij\n");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constructs),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_template_roundtrip),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_table_cells),
		cmocka_unit_test(test_text_letter),
		cmocka_unit_test(test_wrap_utf8),
		cmocka_unit_test(test_text_tables),
	};

	return cmocka_run_group_tests_name("doc", tests, NULL, NULL);
}
