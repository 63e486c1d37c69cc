/* Unit tests for import: columns by meaning, row problems, merging and families. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optout/import.h"
#include "optout/jv.h"
#include "optout/util.h"

/* A fresh temporary folder for written records. */
static char *
temp_dir(void)
{
	char *d = xstrdup("/tmp/optout-import-XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

/* Load DIR/ID.json. */
static struct jv *
load(const char *dir, const char *id)
{
	char *path = xasprintf("%s/%s.json", dir, id), *cause = NULL;
	struct jv *v = jv_load_file(path, 1 << 20, &cause);

	if (v == NULL)
		fail_msg("%s", cause);
	free(path);
	return v;
}

/* Renamed and reordered headers, a BOM, "(at)", an address in parts. */
static void
test_columns_by_meaning(void **state)
{
	static const char csv[] =
	    "\xEF\xBB\xBF" "Phone,ZIP,State,City,Street Address,Company Name,E-mail,Web Site,"
	    "How to opt out,Registration Number\r\n"
	    "(512) 555-0100,78701,tx,Austin,1 Congress Ave,Acme Data,privacy (at) acme.example,"
	    "http://WWW.Acme.example/,\"Use https://acme.example/optout. Or write to "
	    "help [at] acme.example.\",TX-42\r\n";
	struct import_set *s = import_new();
	struct import_summary sum;
	char *cause = NULL, *dir = temp_dir();
	const struct jv *reg, *procs;
	struct jv *r;
	size_t np;

	(void)state;
	assert_int_equal(import_parse(s, csv, sizeof csv - 1, "tx.csv", "texas", "2025-01",
	    &cause), IMPORT_OK);
	import_problems(s, &np);
	assert_int_equal(np, 0);
	assert_int_equal(import_write(s, NULL, dir, "2026-11-22", &sum, &cause), IMPORT_OK);
	assert_int_equal(sum.records, 1);
	r = load(dir, "acme-example");
	assert_string_equal(jv_str(jv_get(r, "name")), "Acme Data");
	assert_string_equal(jv_str(jv_get(r, "website")), "https://www.acme.example/");
	procs = jv_get(r, "procedures");
	/* email x3, postal x3, the opt-out page */
	assert_int_equal(jv_len(procs), 7);
	assert_string_equal(jv_str(jv_get(jv_at(procs, 0), "email")), "privacy@acme.example");
	assert_string_equal(jv_str(jv_path(jv_at(procs, 3), "postal.region")), "TX");
	assert_string_equal(jv_str(jv_path(jv_at(procs, 3), "postal.city")), "Austin");
	assert_string_equal(jv_str(jv_at(jv_path(jv_at(procs, 3), "postal.street"), 0)),
	    "1 Congress Ave");
	assert_string_equal(jv_str(jv_get(jv_at(procs, 6), "url")), "https://acme.example/optout");
	assert_string_equal(jv_str(jv_get(jv_at(procs, 6), "request")), "opt-out");
	reg = jv_at(jv_get(r, "registrations"), 0);
	assert_string_equal(jv_str(jv_get(reg, "id")), "TX-42");
	assert_string_equal(jv_str(jv_at(jv_get(reg, "phones"), 0)), "512-555-0100");
	assert_string_equal(jv_str(jv_at(jv_get(reg, "emails"), 0)), "help@acme.example");
	assert_string_equal(jv_str(jv_path(reg, "source.as_of")), "2025-01");
	jv_free(r);
	import_free(s);
	remove_tree(dir);
	free(dir);
}

/* Unusable rows are listed with row, line and column, never with their values. */
static void
test_row_problems(void **state)
{
	static const char csv[] = "Data Broker Name,Email Address,Physical Address\n"
				  "Fine,a@fine.example,\n"
				  "Broken,secret-value,\"somewhere secret\"\n"
				  ",b@x.example,\n"
				  "Short\n";
	struct import_set *s = import_new();
	const char *const *p;
	char *cause = NULL;
	size_t np, i;

	(void)state;
	assert_int_equal(import_parse(s, csv, sizeof csv - 1, "ca.csv", "california",
	    "2022-06-28", &cause), IMPORT_OK);
	assert_int_equal(import_count(s), 1);
	p = import_problems(s, &np);
	assert_int_equal(np, 5);
	assert_string_equal(p[0], "ca.csv: row 2 (line 3): column \"email address\": not an "
	    "email address (expected name@example.com or name [at] example.com); the row goes on "
	    "without it");
	assert_non_null(strstr(p[2], "row 2 (line 3): no usable email, postal address"));
	assert_non_null(strstr(p[3], "row 3 (line 4): column \"data broker name\": empty"));
	assert_string_equal(p[4], "ca.csv: row 4 (line 5): expected 3 columns as in the header, "
	    "found 1; row skipped");
	for (i = 0; i < np; i++)
		assert_null(strstr(p[i], "secret"));
	import_free(s);
}

/* One company in two registries merges; storefronts sharing an email domain are a family. */
static void
test_merge_and_family(void **state)
{
	static const char ca[] = "Data Broker Name,Email Address,Website URL\n"
				 "Shop One,privacy@operator.example,one.example\n"
				 "Shop Two,privacy@operator.example,two.example\n";
	static const char vt[] = "Data Broker Name:,Registration ID:,Email Address:,"
				 "Primary Internet Address:\n"
				 "SHOP ONE LLC,123,legal@operator.example,www.one.example\n";
	struct import_set *s = import_new();
	struct import_summary sum;
	char *cause = NULL, *dir = temp_dir();
	struct jv *r;

	(void)state;
	assert_int_equal(import_parse(s, ca, sizeof ca - 1, "ca.csv", "california", "2022",
	    &cause), IMPORT_OK);
	assert_int_equal(import_parse(s, vt, sizeof vt - 1, "vt.csv", "vermont", "2021",
	    &cause), IMPORT_OK);
	assert_int_equal(import_count(s), 2);
	assert_int_equal(import_write(s, NULL, dir, "2026-11-22", &sum, &cause), IMPORT_OK);
	assert_int_equal(sum.merged, 1);
	assert_int_equal(sum.families, 1);
	r = load(dir, "one-example");
	assert_int_equal(jv_len(jv_get(r, "registrations")), 2);
	assert_string_equal(jv_str(jv_get(jv_at(jv_get(r, "registrations"), 1), "id")), "123");
	assert_string_equal(jv_str(jv_at(jv_get(r, "aliases"), 0)), "SHOP ONE LLC");
	/* California's filing came first: its email is the one written to. */
	assert_string_equal(jv_str(jv_get(jv_at(jv_get(r, "procedures"), 0), "email")),
	    "privacy@operator.example");
	assert_string_equal(jv_str(jv_path(r, "family.key")), "operator.example");
	assert_int_equal(jv_len(jv_path(r, "family.members")), 2);
	assert_string_equal(jv_str(jv_at(jv_path(r, "family.members"), 1)), "two-example");
	jv_free(r);
	import_free(s);
	remove_tree(dir);
	free(dir);
}

/* The CPPA's wider format: declared sales to government and law enforcement, agents. */
static void
test_declared_government(void **state)
{
	static const char csv[] =
	    "Data broker name,Email address,Website URL,"
	    "\"In the past year, did the data broker sell or share consumers' personal "
	    "information with the federal government?\","
	    "\"... with law enforcement, outside a subpoena or court order?\","
	    "May an authorized agent submit requests for a consumer?\n"
	    "Gov Seller,privacy@gov-seller.example,gov-seller.example,Yes,No,yes\n"
	    "Quiet One,privacy@quiet.example,quiet.example,No,No,No\n";
	struct import_set *s = import_new();
	struct import_summary sum;
	char *cause = NULL, *dir = temp_dir();
	const struct jv *reg;
	struct jv *r;

	(void)state;
	assert_int_equal(import_parse(s, csv, sizeof csv - 1, "cppa-2025-07-01.csv", NULL, NULL,
	    &cause), IMPORT_BAD_INPUT);
	free(cause);
	assert_int_equal(import_parse(s, csv, sizeof csv - 1, "california-cppa-2025-07-01.csv",
	    NULL, NULL, &cause), IMPORT_OK);
	assert_int_equal(import_write(s, NULL, dir, "2026-11-22", &sum, &cause), IMPORT_OK);
	r = load(dir, "gov-seller-example");
	assert_true(jv_bool(jv_get(r, "sells_to_government")));
	assert_string_equal(jv_str(jv_path(r, "government_sales.text")), "The broker declared in "
	    "a state data broker registry that in the year before it sold or shared personal "
	    "data with the federal government.");
	assert_string_equal(jv_str(jv_path(jv_at(jv_path(r, "government_sales.sources"), 0),
	    "url")), "https://cppa.ca.gov/data_broker_registry/");
	reg = jv_at(jv_get(r, "registrations"), 0);
	assert_true(jv_bool(jv_get(reg, "sold_to_federal_government")));
	assert_false(jv_bool(jv_get(reg, "sold_to_law_enforcement")));
	assert_non_null(jv_get(reg, "sold_to_law_enforcement"));
	assert_true(jv_bool(jv_get(reg, "agent_allowed")));
	assert_true(jv_bool(jv_get(jv_at(jv_get(r, "procedures"), 0), "agent_allowed")));
	jv_free(r);
	r = load(dir, "quiet-example");
	assert_false(jv_bool(jv_get(r, "sells_to_government")));
	assert_null(jv_get(r, "government_sales"));
	jv_free(r);
	import_free(s);
	remove_tree(dir);
	free(dir);
}

/* A file that is not a registry export, and bad options. */
static void
test_not_an_export(void **state)
{
	static const char csv[] = "Colour,Size\nred,3\n";
	struct import_set *s = import_new();
	char *cause = NULL;

	(void)state;
	assert_int_equal(import_parse(s, csv, sizeof csv - 1, "x.csv", "oregon", "2024", &cause),
	    IMPORT_BAD_INPUT);
	assert_string_equal(cause, "x.csv: the header has no column for the broker's name "
	    "(expected a header such as \"Data Broker Name\")");
	free(cause);
	assert_int_equal(import_parse(s, csv, sizeof csv - 1, "x.csv", "oregon", "June", &cause),
	    IMPORT_BAD_INPUT);
	free(cause);
	assert_int_equal(import_parse(s, "", 0, "x.csv", "oregon", "2024", &cause),
	    IMPORT_BAD_INPUT);
	free(cause);
	import_free(s);
}

/* Run the import tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_columns_by_meaning),
		cmocka_unit_test(test_row_problems),
		cmocka_unit_test(test_merge_and_family),
		cmocka_unit_test(test_declared_government),
		cmocka_unit_test(test_not_an_export),
	};

	return cmocka_run_group_tests_name("import", tests, NULL, NULL);
}
