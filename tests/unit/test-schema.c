/* Unit tests for schema: every keyword, message wording, $ref, redaction, load errors. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "optout/jv.h"
#include "optout/schema.h"
#include "optout/util.h"

/* Parse JSON text that must be valid. */
static struct jv *
parse(const char *text)
{
	char *cause = NULL;
	struct jv *v;

	v = jv_parse(text, strlen(text), "doc.json", &cause);
	if (v == NULL)
		fail_msg("bad test JSON: %s", cause);
	return v;
}

/* Compile a schema that must load. */
static struct schema *
load(const char *text)
{
	char *cause = NULL;
	struct schema *s;

	s = schema_from_jv(parse(text), "s.json", &cause);
	if (s == NULL)
		fail_msg("schema did not load: %s", cause);
	assert_null(cause);
	return s;
}

/* Compile a schema that must fail to load; returns the message. */
static char *
load_fail(const char *text)
{
	char *cause = NULL;

	assert_null(schema_from_jv(parse(text), "s.json", &cause));
	assert_non_null(cause);
	return cause;
}

/* Validate doc text; returns NULL when valid, else the message. */
static char *
check(const struct schema *s, const char *doc, int flags)
{
	struct jv *v = parse(doc);
	char *cause = NULL;
	int rc;

	rc = schema_validate(s, v, "d.json", flags, &cause);
	jv_free(v);
	if (rc == 0) {
		assert_null(cause);
		return NULL;
	}
	assert_int_equal(rc, -1);
	assert_non_null(cause);
	return cause;
}

/* Assert that doc is valid. */
static void
valid(const struct schema *s, const char *doc)
{
	char *cause = check(s, doc, 0);

	if (cause != NULL)
		fail_msg("expected valid, got: %s", cause);
}

/* Assert that doc gives exactly the message want. */
static void
invalid(const struct schema *s, const char *doc, int flags, const char *want)
{
	char *cause = check(s, doc, flags);

	if (cause == NULL)
		fail_msg("expected invalid: %s", doc);
	assert_string_equal(cause, want);
	free(cause);
}

/* Number of lines in a message. */
static size_t
lines(const char *s)
{
	size_t n = 1;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* "type": single names, lists, integers written as reals. */
static void
test_type(void **state)
{
	struct schema *s;

	(void)state;
	s = load("{\"type\": \"string\"}");
	valid(s, "\"x\"");
	invalid(s, "12", 0, "d.json: (top): expected a string, got an integer");
	invalid(s, "1.5", 0, "d.json: (top): expected a string, got a number");
	invalid(s, "null", 0, "d.json: (top): expected a string, got null");
	invalid(s, "{}", 0, "d.json: (top): expected a string, got an object");
	invalid(s, "[]", 0, "d.json: (top): expected a string, got an array");
	invalid(s, "true", 0, "d.json: (top): expected a string, got a boolean");
	schema_free(s);

	s = load("{\"type\": [\"string\", \"null\"]}");
	valid(s, "null");
	valid(s, "\"x\"");
	invalid(s, "3", 0, "d.json: (top): expected a string or null, got an integer");
	schema_free(s);

	s = load("{\"type\": [\"boolean\", \"array\", \"object\"]}");
	invalid(s, "3", 0,
	    "d.json: (top): expected a boolean, an array or an object, "
	    "got an integer");
	schema_free(s);

	/* As in JSON Schema, 2.0 is an integer and every integer a number. */
	s = load("{\"type\": \"integer\"}");
	valid(s, "2");
	valid(s, "2.0");
	invalid(s, "2.5", 0, "d.json: (top): expected an integer, got a number");
	schema_free(s);
	s = load("{\"type\": \"number\"}");
	valid(s, "2");
	valid(s, "2.5");
	schema_free(s);
}

/* "enum" and "const", quoting the value unless redacting. */
static void
test_enum_const(void **state)
{
	const char *schema =
	    "{\"type\": \"object\", \"properties\": {"
	    "\"channel\": {\"enum\": [\"web\", \"email\", \"postal\", \"phone\", \"fax\"]},"
	    "\"n\": {\"enum\": [1, \"two\", null, [3]]},"
	    "\"k\": {\"const\": \"web\"}}}";
	struct schema *s = load(schema);

	(void)state;
	valid(s, "{\"channel\": \"fax\", \"n\": 1.0, \"k\": \"web\"}");
	valid(s, "{\"n\": [3]}");
	valid(s, "{\"n\": null}");
	invalid(s, "{\"channel\": \"mail\"}", 0,
	    "d.json: channel: \"mail\" is not one of web, email, postal, phone, fax");
	invalid(s, "{\"channel\": \"mail\"}", SCHEMA_REDACT,
	    "d.json: channel: is not one of web, email, postal, phone, fax");
	invalid(s, "{\"n\": 2}", 0, "d.json: n: 2 is not one of 1, two, null, [3]");
	invalid(s, "{\"n\": {}}", 0, "d.json: n: an object is not one of 1, two, null, [3]");
	invalid(s, "{\"k\": \"webb\"}", 0, "d.json: k: \"webb\" is not the required value \"web\"");
	invalid(
	    s, "{\"k\": \"webb\"}", SCHEMA_REDACT, "d.json: k: is not the required value \"web\"");
	schema_free(s);
}

/* "properties", "required", "additionalProperties", "dependentRequired". */
static void
test_objects(void **state)
{
	struct schema *s;
	char *cause;

	(void)state;
	s = load("{\"type\": \"object\", \"required\": [\"names\", \"url\"],"
	         "\"additionalProperties\": false,"
	         "\"properties\": {\"url\": {\"type\": \"string\"},"
	         "  \"names\": {\"type\": \"object\", \"required\": [\"given\"],"
	         "    \"properties\": {\"given\": {\"type\": \"string\"}},"
	         "    \"additionalProperties\": {\"type\": \"integer\"}}},"
	         "\"dependentRequired\": {\"url\": [\"names\", \"since\"]}}");
	invalid(s, "{\"names\": {\"given\": \"A\"}}", 0,
	    "d.json: (top): missing required field \"url\"");
	invalid(s, "{\"names\": {\"given\": 1}, \"url\": \"u\", \"since\": 1}", 0,
	    "d.json: names.given: expected a string, got an integer\n"
	    "d.json: (top): unknown field \"since\"");
	invalid(s, "{\"names\": {\"given\": \"A\", \"extra\": \"x\", \"n\": 3}, \"url\": \"u\"}", 0,
	    "d.json: (top): missing field \"since\" (required when \"url\" is present)\n"
	    "d.json: names.extra: expected an integer, got a string");
	invalid(s, "{\"foo\": 1}", 0,
	    "d.json: (top): missing required field \"names\"\n"
	    "d.json: (top): missing required field \"url\"\n"
	    "d.json: (top): unknown field \"foo\"");
	/* Keys that are not plain names are quoted in paths. */
	cause = check(s, "{\"names\": {\"given\": \"A\", \"a b.c\": \"x\"}, \"url\": 1}", 0);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "d.json: names[\"a b.c\"]: expected an integer, "
	                              "got a string"));
	assert_non_null(strstr(cause, "d.json: url: expected a string, got an integer"));
	free(cause);
	schema_free(s);

	/* Without additionalProperties, extra fields are fine. */
	s = load("{\"properties\": {\"a\": {\"type\": \"string\"}}}");
	valid(s, "{\"b\": 1}");
	valid(s, "[1]");
	schema_free(s);
}

/* "items", "minItems", "maxItems", "uniqueItems", with array paths. */
static void
test_arrays(void **state)
{
	struct schema *s;

	(void)state;
	s = load(
	    "{\"type\": \"object\", \"properties\": {\"procedures\": {"
	    "\"type\": \"array\", \"minItems\": 1, \"maxItems\": 3, \"uniqueItems\": true,"
	    "\"items\": {\"type\": \"object\", \"properties\": {"
	    "\"channel\": {\"enum\": [\"web\", \"email\", \"postal\", \"phone\", \"fax\"]}}}}}}");
	valid(s, "{\"procedures\": [{\"channel\": \"web\"}, {\"channel\": \"fax\"}]}");
	invalid(s, "{\"procedures\": [{\"channel\": \"web\"}, {\"channel\": \"mail\"}]}", 0,
	    "d.json: procedures[1].channel: \"mail\" is not one of web, email, postal, "
	    "phone, fax");
	invalid(s, "{\"procedures\": []}", 0, "d.json: procedures: fewer than 1 items");
	invalid(s, "{\"procedures\": [{}, {\"a\": 1}, {\"b\": 1}, {\"c\": 1}]}", 0,
	    "d.json: procedures: more than 3 items");
	/* Equality is by value: member order and 1 vs 1.0 do not matter. */
	invalid(s,
	    "{\"procedures\": [{\"a\": 1, \"b\": [2]}, {\"x\": 0},"
	    " {\"b\": [2.0], \"a\": 1.0}]}",
	    0, "d.json: procedures: duplicate items ([0] and [2] are equal)");
	invalid(s, "{\"procedures\": [3]}", 0,
	    "d.json: procedures[0]: expected an object, got an integer");
	schema_free(s);
}

/* "minLength" and "maxLength" count characters, not bytes. */
static void
test_lengths(void **state)
{
	struct schema *s;

	(void)state;
	s = load("{\"type\": \"string\", \"minLength\": 6, \"maxLength\": 6}");
	valid(s, "\"Nguyễn\""); /* 6 characters, 8 bytes */
	valid(s, "\"\xf0\x9f\x98\x80"
	         "abcde\""); /* an emoji is one character */
	invalid(s, "\"Nguyn\"", 0, "d.json: (top): string shorter than 6 characters");
	invalid(s, "\"Nguyễnn\"", 0, "d.json: (top): string longer than 6 characters");
	schema_free(s);
	s = load("{\"maxLength\": 200}");
	invalid(s,
	    "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"",
	    0, "d.json: (top): string longer than 200 characters");
	/* Length keywords do not apply to other types. */
	valid(s, "12345");
	schema_free(s);
}

/* "pattern": unanchored PCRE2 search; the pattern is shown only unredacted, the value too. */
static void
test_pattern(void **state)
{
	struct schema *s;

	(void)state;
	s = load("{\"properties\": {\"url\": {\"pattern\": \"^https://\"},"
	         "\"w\": {\"pattern\": \"^\\\\w+$\"}, \"c\": {\"pattern\": \"é\"}}}");
	valid(s, "{\"url\": \"https://example.com\", \"w\": \"Thành\", \"c\": \"café\"}");
	valid(s, "{\"url\": 5}");
	invalid(s, "{\"url\": \"http://x\"}", 0,
	    "d.json: url: \"http://x\" does not match the required pattern ^https://");
	invalid(s, "{\"url\": \"http://x\"}", SCHEMA_REDACT,
	    "d.json: url: is not in the form this field needs");
	invalid(
	    s, "{\"c\": \"cafe\"}", 0, "d.json: c: \"cafe\" does not match the required pattern é");
	schema_free(s);
}

/* "x-expected": a pattern or enum in words, never the regular expression or the list. */
static void
test_expected_words(void **state)
{
	struct schema *s;
	char *cause;

	(void)state;
	s = load("{\"properties\": {\"zip\": {\"pattern\": \"^[0-9]{5}(-[0-9]{4})?$\","
	         "\"x-expected\": \"a US ZIP code (12345 or 12345-6789)\"},"
	         "\"st\": {\"enum\": [\"CA\", \"NY\"], \"x-expected\": \"a state code such as CA\"}}}");
	valid(s, "{\"zip\": \"90033\", \"st\": \"CA\"}");
	invalid(s, "{\"zip\": \"9003\"}", SCHEMA_REDACT,
	    "d.json: zip: expected a US ZIP code (12345 or 12345-6789)");
	invalid(s, "{\"zip\": \"9003\"}", 0, "d.json: zip: expected a US ZIP code (12345 or 12345-6789)");
	invalid(s, "{\"st\": \"ca\"}", SCHEMA_REDACT, "d.json: st: expected a state code such as CA");
	schema_free(s);
	cause = load_fail("{\"x-expected\": 5}");
	assert_non_null(strstr(cause, "x-expected must be a string"));
	free(cause);
}

/* "format": real calendar dates, RFC 3339 date-times, emails and URIs. */
static void
test_formats(void **state)
{
	struct schema *s;

	(void)state;
	s = load("{\"properties\": {\"d\": {\"format\": \"date\"},"
	         "\"t\": {\"format\": \"date-time\"}, \"e\": {\"format\": \"email\"},"
	         "\"u\": {\"format\": \"uri\"}}}");
	valid(s, "{\"d\": \"2024-02-29\"}");
	valid(s, "{\"d\": \"2000-02-29\"}");
	valid(s, "{\"d\": \"2025-12-31\"}");
	valid(s, "{\"d\": 20250101}"); /* formats apply to strings only */
	invalid(s, "{\"d\": \"2025-13\"}", 0,
	    "d.json: d: \"2025-13\" is not a valid date (YYYY-MM-DD)");
	invalid(s, "{\"d\": \"2025-13\"}", SCHEMA_REDACT,
	    "d.json: d: is not a valid date (YYYY-MM-DD)");
	invalid(s, "{\"d\": \"2023-02-29\"}", 0,
	    "d.json: d: \"2023-02-29\" is not a valid date (YYYY-MM-DD)");
	invalid(s, "{\"d\": \"1900-02-29\"}", 0,
	    "d.json: d: \"1900-02-29\" is not a valid date (YYYY-MM-DD)");
	invalid(s, "{\"d\": \"2025-04-31\"}", 0,
	    "d.json: d: \"2025-04-31\" is not a valid date (YYYY-MM-DD)");
	invalid(s, "{\"d\": \"2025-4-01\"}", 0,
	    "d.json: d: \"2025-4-01\" is not a valid date (YYYY-MM-DD)");
	invalid(s, "{\"d\": \"0000-01-01\"}", 0,
	    "d.json: d: \"0000-01-01\" is not a valid date (YYYY-MM-DD)");
	invalid(s, "{\"d\": \"2025-01-01T00:00:00Z\"}", 0,
	    "d.json: d: \"2025-01-01T00:00:00Z\" is not a valid date (YYYY-MM-DD)");

	valid(s, "{\"t\": \"2025-01-31T23:59:60Z\"}");
	valid(s, "{\"t\": \"2024-02-29t12:00:00.123+05:30\"}");
	valid(s, "{\"t\": \"2025-01-31T08:00:00-08:00\"}");
	invalid(s, "{\"t\": \"2025-01-31 08:00:00Z\"}", 0,
	    "d.json: t: \"2025-01-31 08:00:00Z\" is not a valid date-time (RFC 3339)");
	invalid(s, "{\"t\": \"2025-01-31T24:00:00Z\"}", SCHEMA_REDACT,
	    "d.json: t: is not a valid date-time (RFC 3339)");
	invalid(s, "{\"t\": \"2025-01-31T08:00:00\"}", SCHEMA_REDACT,
	    "d.json: t: is not a valid date-time (RFC 3339)");
	invalid(s, "{\"t\": \"2025-01-31T08:00:00.Z\"}", SCHEMA_REDACT,
	    "d.json: t: is not a valid date-time (RFC 3339)");
	invalid(s, "{\"t\": \"2025-02-30T08:00:00Z\"}", SCHEMA_REDACT,
	    "d.json: t: is not a valid date-time (RFC 3339)");

	valid(s, "{\"e\": \"privacy@example.com\"}");
	valid(s, "{\"e\": \"first.last+tag@mail.example.co.uk\"}");
	invalid(s, "{\"e\": \"a b@example.com\"}", 0,
	    "d.json: e: \"a b@example.com\" is not a valid email address");
	invalid(s, "{\"e\": \"a@b@example.com\"}", SCHEMA_REDACT,
	    "d.json: e: is not a valid email address");
	invalid(s, "{\"e\": \"user@localhost\"}", SCHEMA_REDACT,
	    "d.json: e: is not a valid email address");
	invalid(s, "{\"e\": \"@example.com\"}", SCHEMA_REDACT,
	    "d.json: e: is not a valid email address");
	invalid(s, "{\"e\": \"a..b@example.com\"}", SCHEMA_REDACT,
	    "d.json: e: is not a valid email address");
	invalid(s, "{\"e\": \"a@-example.com\"}", SCHEMA_REDACT,
	    "d.json: e: is not a valid email address");
	invalid(s, "{\"e\": \"a@example.c\"}", SCHEMA_REDACT,
	    "d.json: e: is not a valid email address");

	valid(s, "{\"u\": \"https://example.com/a?b=c%20d#e\"}");
	valid(s, "{\"u\": \"mailto:privacy@example.com\"}");
	invalid(s, "{\"u\": \"example.com/path\"}", 0,
	    "d.json: u: \"example.com/path\" is not a valid URI");
	invalid(
	    s, "{\"u\": \"https://exa mple.com\"}", SCHEMA_REDACT, "d.json: u: is not a valid URI");
	invalid(s, "{\"u\": \"1http://x\"}", SCHEMA_REDACT, "d.json: u: is not a valid URI");
	invalid(s, "{\"u\": \"https://x/%zz\"}", SCHEMA_REDACT, "d.json: u: is not a valid URI");
	schema_free(s);
}

/* "minimum" and "maximum", integers and reals. */
static void
test_numbers(void **state)
{
	struct schema *s;

	(void)state;
	s = load("{\"properties\": {\"days\": {\"type\": \"integer\", \"minimum\": 0,"
	         "\"maximum\": 365}, \"r\": {\"minimum\": 0.5, \"maximum\": 2.25}}}");
	valid(s, "{\"days\": 0, \"r\": 0.5}");
	valid(s, "{\"days\": 365, \"r\": 2}");
	invalid(s, "{\"days\": -1}", 0, "d.json: days: -1 is below the minimum 0");
	invalid(s, "{\"days\": -1}", SCHEMA_REDACT, "d.json: days: is below the minimum 0");
	invalid(s, "{\"days\": 366}", 0, "d.json: days: 366 is above the maximum 365");
	invalid(s, "{\"r\": 0.1}", 0, "d.json: r: 0.1 is below the minimum 0.5");
	invalid(s, "{\"r\": 3}", 0, "d.json: r: 3 is above the maximum 2.25");
	valid(s, "{\"r\": \"not a number\"}");
	schema_free(s);
	/* Large integers compare exactly. */
	s = load("{\"maximum\": 9007199254740992}");
	invalid(s, "9007199254740993", 0,
	    "d.json: (top): 9007199254740993 is above the maximum 9007199254740992");
	schema_free(s);
}

/* "allOf", "anyOf" (with the closest form), "oneOf" and "not". */
static void
test_combinators(void **state)
{
	struct schema *s;

	(void)state;
	s = load("{\"allOf\": [{\"type\": \"object\"}, {\"required\": [\"a\"]},"
	         "{\"required\": [\"b\"]}]}");
	valid(s, "{\"a\": 1, \"b\": 2}");
	invalid(s, "{}", 0,
	    "d.json: (top): missing required field \"a\"\n"
	    "d.json: (top): missing required field \"b\"");
	schema_free(s);

	s = load("{\"properties\": {\"contact\": {\"anyOf\": ["
	         "{\"type\": \"object\", \"required\": [\"channel\", \"url\"],"
	         "  \"properties\": {\"channel\": {\"const\": \"web\"}}},"
	         "{\"type\": \"object\", \"required\": [\"channel\", \"email\"],"
	         "  \"properties\": {\"channel\": {\"const\": \"email\"},"
	         "    \"email\": {\"format\": \"email\"}}},"
	         "{\"type\": \"string\"}]}}}");
	valid(s, "{\"contact\": {\"channel\": \"web\", \"url\": \"u\"}}");
	valid(s, "{\"contact\": \"by phone\"}");
	invalid(s, "{\"contact\": {\"channel\": \"web\"}}", 0,
	    "d.json: contact: does not match any allowed form "
	    "(closest: missing required field \"url\")");
	invalid(s, "{\"contact\": {\"channel\": \"email\", \"email\": \"nope\"}}", 0,
	    "d.json: contact: does not match any allowed form "
	    "(closest: contact.email: \"nope\" is not a valid email address)");
	invalid(s, "{\"contact\": {\"channel\": \"email\", \"email\": \"nope\"}}", SCHEMA_REDACT,
	    "d.json: contact: does not match any allowed form "
	    "(closest: contact.email: is not a valid email address)");
	/* Two forms tie for closest: each one's first problem is shown. */
	invalid(s, "{\"contact\": {\"channel\": \"fax\"}}", 0,
	    "d.json: contact: does not match any allowed form (form 1: missing "
	    "required field \"url\"; form 2: missing required field \"email\")");
	/* More than three forms tie: no hint. */
	schema_free(s);
	s = load("{\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"null\"},"
	         "{\"type\": \"array\"}, {\"type\": \"object\"}]}");
	invalid(s, "5", 0, "d.json: (top): does not match any allowed form");
	schema_free(s);

	s = load("{\"oneOf\": [{\"type\": \"integer\"}, {\"minimum\": 10}]}");
	valid(s, "3");
	valid(s, "10.5");
	invalid(s, "12", 0,
	    "d.json: (top): matches 2 of the allowed forms, but must "
	    "match exactly one");
	invalid(s, "2.5", 0,
	    "d.json: (top): does not match any allowed form (closest: "
	    "2.5 is below the minimum 10)");
	schema_free(s);

	s = load("{\"not\": {\"required\": [\"government_sales\"]}}");
	valid(s, "{}");
	invalid(s, "{\"government_sales\": {}}", 0,
	    "d.json: (top): field \"government_sales\" must not be present");
	schema_free(s);
	s = load("{\"properties\": {\"x\": {\"not\": {\"type\": \"string\"}}}}");
	valid(s, "{\"x\": 1}");
	invalid(s, "{\"x\": \"s\"}", 0, "d.json: x: matches a form that is not allowed");
	schema_free(s);
}

/* "if"/"then"/"else" as the broker schema uses them. */
static void
test_conditionals(void **state)
{
	struct schema *s;

	(void)state;
	s = load(
	    "{\"type\": \"object\","
	    "\"if\": {\"properties\": {\"sells\": {\"const\": true}}, \"required\": [\"sells\"]},"
	    "\"then\": {\"required\": [\"sales\"]},"
	    "\"else\": {\"not\": {\"required\": [\"sales\"]}}}");
	valid(s, "{\"sells\": true, \"sales\": {}}");
	valid(s, "{\"sells\": false}");
	valid(s, "{}");
	invalid(s, "{\"sells\": true}", 0, "d.json: (top): missing required field \"sales\"");
	invalid(s, "{\"sells\": false, \"sales\": 1}", 0,
	    "d.json: (top): field \"sales\" must not be present");
	schema_free(s);
	/* "if" alone constrains nothing. */
	s = load("{\"if\": {\"type\": \"string\"}}");
	valid(s, "1");
	schema_free(s);
}

/* "$ref" to "$defs", including recursive definitions through the data. */
static void
test_ref(void **state)
{
	struct schema *s;

	(void)state;
	s = load(
	    "{\"$defs\": {\"node\": {\"type\": \"object\", \"required\": [\"name\"],"
	    "  \"properties\": {\"name\": {\"type\": \"string\"},"
	    "    \"children\": {\"type\": \"array\", \"items\": {\"$ref\": \"#/$defs/node\"}}}},"
	    "  \"a/b\": {\"type\": \"integer\"}},"
	    "\"type\": \"object\", \"properties\": {\"root\": {\"$ref\": \"#/$defs/node\"},"
	    "  \"n\": {\"$ref\": \"#/$defs/a~1b\", \"minimum\": 5}}}");
	valid(s, "{\"root\": {\"name\": \"r\", \"children\": [{\"name\": \"c\"}]}, \"n\": 6}");
	invalid(s,
	    "{\"root\": {\"name\": \"r\", \"children\": [{\"name\": \"c\","
	    "\"children\": [{\"name\": \"x\"}, {\"name\": 3}]}]}}",
	    0, "d.json: root.children[0].children[1].name: expected a string, got an integer");
	/* The reference and its siblings both apply. */
	invalid(s, "{\"n\": 4}", 0, "d.json: n: 4 is below the minimum 5");
	invalid(s, "{\"n\": \"x\"}", 0, "d.json: n: expected an integer, got a string");
	schema_free(s);
}

/* Reference cycles that never reach into the data are refused at load. */
static void
test_ref_cycle(void **state)
{
	char *cause;

	(void)state;
	cause =
	    load_fail("{\"$defs\": {\"a\": {\"$ref\": \"#/$defs/b\"},"
	              "\"b\": {\"allOf\": [{\"$ref\": \"#/$defs/a\"}]}}, \"$ref\": \"#/$defs/a\"}");
	assert_non_null(strstr(cause, "$ref cycle"));
	assert_int_equal(strncmp(cause, "s.json: #", 9), 0);
	free(cause);
	cause = load_fail("{\"$defs\": {\"self\": {\"not\": {\"$ref\": \"#/$defs/self\"}}}}");
	assert_non_null(strstr(cause, "$ref cycle"));
	free(cause);
}

/* Every problem is reported, in document order, each on its own line. */
static void
test_all_errors(void **state)
{
	struct schema *s;
	char *cause;

	(void)state;
	s = load("{\"type\": \"object\", \"additionalProperties\": false,"
	         "\"required\": [\"id\", \"name\"],"
	         "\"properties\": {\"id\": {\"type\": \"string\", \"pattern\": \"^[a-z]+$\"},"
	         "\"tags\": {\"type\": \"array\", \"items\": {\"type\": \"string\", \"maxLength\": "
	         "3}}}}");
	cause = check(s,
	    "{\"id\": \"A\", \"tags\": [\"abcd\", 1, \"ok\", \"toolong\"], "
	    "\"x\": 1}",
	    0);
	assert_string_equal(cause,
	    "d.json: (top): missing required field \"name\"\n"
	    "d.json: id: \"A\" does not match the required pattern ^[a-z]+$\n"
	    "d.json: tags[0]: string longer than 3 characters\n"
	    "d.json: tags[1]: expected a string, got an integer\n"
	    "d.json: tags[3]: string longer than 3 characters\n"
	    "d.json: (top): unknown field \"x\"");
	assert_int_equal(lines(cause), 6);
	free(cause);
	/* Without a name, messages start with the path. */
	{
		struct jv *v = parse("{}");

		assert_int_equal(schema_validate(s, v, NULL, 0, &cause), -1);
		assert_string_equal(cause, "(top): missing required field \"id\"\n"
		                           "(top): missing required field \"name\"");
		free(cause);
		jv_free(v);
	}
	schema_free(s);
}

/* With SCHEMA_REDACT no part of any value appears in any message. */
static void
test_redaction(void **state)
{
	const char *doc = "{\"ssn\": \"SECRET-123\", \"email\": \"SECRET@x\","
	                  "\"kind\": \"SECRETKIND\", \"k\": \"SECRETK\", \"dob\": \"SECRET-01\","
	                  "\"n\": -12345, \"either\": \"SECRETEITHER\"}";
	struct schema *s;
	char *cause;

	(void)state;
	s = load("{\"properties\": {\"ssn\": {\"pattern\": \"^[0-9]{3}-[0-9]{2}-[0-9]{4}$\"},"
	         "\"email\": {\"format\": \"email\"}, \"kind\": {\"enum\": [\"a\", \"b\"]},"
	         "\"k\": {\"const\": \"c\"}, \"dob\": {\"format\": \"date\"},"
	         "\"n\": {\"minimum\": 0},"
	         "\"either\": {\"anyOf\": [{\"pattern\": \"^x\"}, {\"format\": \"uri\"}]}}}");
	cause = check(s, doc, SCHEMA_REDACT);
	assert_int_equal(lines(cause), 7);
	assert_null(strstr(cause, "SECRET"));
	assert_null(strstr(cause, "12345"));
	free(cause);
	/* The same document unredacted does show the values (so the test can fail). */
	cause = check(s, doc, 0);
	assert_non_null(strstr(cause, "\"SECRET-123\""));
	assert_non_null(strstr(cause, "-12345"));
	assert_non_null(strstr(cause, "\"SECRETEITHER\""));
	free(cause);
	schema_free(s);
}

/* Quoted values are cut to 40 characters. */
static void
test_long_value_cut(void **state)
{
	struct schema *s = load("{\"enum\": [\"a\"]}");

	(void)state;
	invalid(s, "\"Nguyễn Văn Thành 0123456789012345678901234567890123456789\"", 0,
	    "d.json: (top): \"Nguyễn Văn Thành 01234567890123456789012...\" is not "
	    "one of a");
	schema_free(s);
}

/* Boolean schemas: true allows anything, false nothing. */
static void
test_boolean_schemas(void **state)
{
	struct schema *s;

	(void)state;
	s = load("true");
	valid(s, "{\"anything\": [1, 2]}");
	schema_free(s);
	s = load("false");
	invalid(s, "1", 0, "d.json: (top): no value is allowed here");
	schema_free(s);
	s = load("{\"properties\": {\"old\": false}, \"items\": false}");
	invalid(s, "{\"old\": 1}", 0, "d.json: old: no value is allowed here");
	invalid(s, "[1]", 0, "d.json: [0]: no value is allowed here");
	valid(s, "[]");
	schema_free(s);
}

/* Unsupported keywords and malformed keyword values fail at load, naming the schema path. */
static void
test_load_errors(void **state)
{
	char *cause;

	(void)state;
	cause = load_fail("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"number\","
	                  "\"exclusiveMinimum\": 0}}}");
	assert_string_equal(cause, "s.json: #/properties/a: unsupported keyword "
	                           "\"exclusiveMinimum\"");
	free(cause);
	cause = load_fail("{\"properties\": {\"a\": {\"pattern\": \"^(ab\"}}}");
	assert_string_equal(cause, "s.json: #/properties/a: pattern: pattern error at "
	                           "offset 4: missing closing parenthesis");
	free(cause);
	cause = load_fail("{\"items\": [{\"type\": \"string\"}]}");
	assert_non_null(strstr(cause, "s.json: #: items must be one schema"));
	free(cause);
	cause = load_fail("{\"prefixItems\": [{\"type\": \"string\"}]}");
	assert_string_equal(cause, "s.json: #: unsupported keyword \"prefixItems\"");
	free(cause);
	cause = load_fail("{\"$ref\": \"#/$defs/missing\"}");
	assert_string_equal(cause, "s.json: #: $ref to \"missing\", which $defs does not define");
	free(cause);
	cause = load_fail("{\"$ref\": \"other.json#/x\"}");
	assert_string_equal(cause, "s.json: #: $ref must be of the form \"#/$defs/NAME\"");
	free(cause);
	cause = load_fail("{\"properties\": {\"a\": {\"$defs\": {}}}}");
	assert_string_equal(cause, "s.json: #/properties/a: $defs is only supported at the "
	                           "top level");
	free(cause);
	/* Every problem at once, with the path escaped as a JSON pointer. */
	cause =
	    load_fail("{\"type\": \"strin\", \"format\": \"phone\", \"minLength\": -1,"
	              "\"anyOf\": [], \"properties\": {\"a/b~c\": {\"uniqueItems\": 1}, \"x\": 3},"
	              "\"required\": \"x\", \"enum\": []}");
	assert_string_equal(cause,
	    "s.json: #: unknown type \"strin\"\n"
	    "s.json: #: format must be one of date, date-time, email, uri\n"
	    "s.json: #: minLength must be a non-negative integer\n"
	    "s.json: #: anyOf must be a non-empty array of schemas\n"
	    "s.json: #/properties/a~1b~0c: uniqueItems must be true or false\n"
	    "s.json: #/properties/x: a schema must be an object or a boolean\n"
	    "s.json: #: required must be an array of names\n"
	    "s.json: #: enum must be a non-empty array");
	free(cause);
	/* Annotations are accepted anywhere. */
	{
		struct schema *s =
		    load("{\"$schema\": \"x\", \"$id\": \"y\", \"$comment\": \"c\","
		         "\"title\": \"t\", \"description\": \"d\", \"examples\": [1],"
		         "\"default\": 2, \"properties\": {\"a\": {\"description\": \"a\"}}}");

		valid(s, "{\"a\": 1}");
		schema_free(s);
	}
}

/* schema_load reads a file; the project's broker schema loads. */
static void
test_load_file(void **state)
{
	char path[] = "/tmp/test-schema.XXXXXX";
	const char *text = "{\"type\": \"string\"}";
	char *cause = NULL, *broker;
	struct schema *s;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	s = schema_load(path, &cause);
	assert_non_null(s);
	invalid(s, "1", 0, "d.json: (top): expected a string, got an integer");
	schema_free(s);
	unlink(path);
	assert_null(schema_load(path, &cause));
	assert_non_null(strstr(cause, "No such file"));
	free(cause);
	cause = NULL;

	/* The real broker schema, when the tests run from the build. */
	if (getenv("TOP_SRCDIR") == NULL)
		return;
	broker = path_join(getenv("TOP_SRCDIR"), "brokers/schema.json");
	s = schema_load(broker, &cause);
	if (s == NULL)
		fail_msg("%s", cause);
	schema_free(s);
	free(broker);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_type),
	    cmocka_unit_test(test_enum_const),
	    cmocka_unit_test(test_objects),
	    cmocka_unit_test(test_arrays),
	    cmocka_unit_test(test_lengths),
	    cmocka_unit_test(test_pattern),
	    cmocka_unit_test(test_expected_words),
	    cmocka_unit_test(test_formats),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_combinators),
	    cmocka_unit_test(test_conditionals),
	    cmocka_unit_test(test_ref),
	    cmocka_unit_test(test_ref_cycle),
	    cmocka_unit_test(test_all_errors),
	    cmocka_unit_test(test_redaction),
	    cmocka_unit_test(test_long_value_cut),
	    cmocka_unit_test(test_boolean_schemas),
	    cmocka_unit_test(test_load_errors),
	    cmocka_unit_test(test_load_file),
	};

	return cmocka_run_group_tests_name("schema", tests, NULL, NULL);
}
