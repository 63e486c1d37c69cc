/*
 * Unit tests for the laws' follow-through data: the mail-transit allowance,
 * the choice of exactly one regulator by law and residence, with each
 * regulator's block as letters/laws.json records it, and the appeals, agents
 * and deadline sections the statute texts confirm.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optout/jv.h"
#include "optout/laws.h"
#include "optout/util.h"

static struct laws *laws;

/* Load the real laws. */
static int
setup(void **state)
{
	char *cause = NULL;

	(void)state;
	laws = laws_load(data_dir(), &cause);
	if (laws == NULL) {
		fprintf(stderr, "# %s\n", cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* Free them. */
static int
teardown(void **state)
{
	(void)state;
	laws_free(laws);
	return 0;
}

/* The regulator's id for a law and residence, or "(none)". */
static const char *
reg_id(const char *law, const char *country, const char *region)
{
	const struct jv *r = laws_regulator(laws, laws_find(laws, law), country, region);

	return r != NULL ? jv_str(jv_get(r, "id")) : "(none)";
}

/* A postal line of a regulator, or NULL. */
static const char *
postal_line(const char *law, const char *country, const char *region, size_t i)
{
	const struct jv *r = laws_regulator(laws, laws_find(laws, law), country, region);

	return jv_str(jv_at(jv_get(r, "postal"), i));
}

/* Five business days, from the USPS First-Class Mail standard; and the arithmetic on 7 December. */
static void
test_transit(void **state)
{
	date_t mailed = date_from_ymd(2026, 12, 7), arrives;

	(void)state;
	assert_int_equal(laws_mail_transit_days(laws), 5);
	arrives = laws_add(laws, mailed, laws_mail_transit_days(laws), UNIT_BUSINESS);
	assert_int_equal(arrives, date_from_ymd(2026, 12, 14));
	/* FCRA §612: 15 days after receipt, so not before 29 December. */
	assert_int_equal(laws_add(laws, arrives, 15, UNIT_CALENDAR), date_from_ymd(2026, 12, 29));
	/* Over Christmas the allowance skips the holiday: 23 December + 5 = 31 December. */
	assert_int_equal(laws_add(laws, date_from_ymd(2026, 12, 23), 5, UNIT_BUSINESS),
	    date_from_ymd(2026, 12, 31));
}

/* Exactly one regulator per law and residence; none where none is on file. */
static void
test_choice(void **state)
{
	(void)state;
	assert_string_equal(reg_id("us-ca", "US", "CA"), "us-ca-cppa");
	assert_string_equal(reg_id("us-va", "US", "VA"), "us-va-ag");
	assert_string_equal(reg_id("us-tx", "US", "TX"), "us-tx-ag");
	assert_string_equal(reg_id("fcra-612", "US", "CA"), "us-cfpb");
	assert_string_equal(reg_id("fcra-609", "US", "NY"), "us-cfpb");
	assert_string_equal(reg_id("gdpr", "DE", "Berlin"), "de-be-blnbdi");
	assert_string_equal(reg_id("gdpr", "DE", "BY"), "de-by-baylda");
	assert_string_equal(reg_id("gdpr", "DE", "Bayern"), "de-by-baylda");
	assert_string_equal(reg_id("gdpr", "GB", NULL), "gb-ico");
	assert_string_equal(reg_id("gdpr", "DE", "Hamburg"), "de-hh-hmbbfdi");
	assert_string_equal(reg_id("gdpr", "DE", "NRW"), "de-nw-ldi");
	assert_string_equal(reg_id("gdpr", "FR", NULL), "fr-cnil");
	assert_string_equal(reg_id("gdpr", "NO", NULL), "no-datatilsynet");
	/* A German resident whose Land is not known gets none: never the federal commissioner,
	 * who takes only the sectors federal law gives it. */
	assert_string_equal(reg_id("gdpr", "DE", NULL), "(none)");
	assert_string_equal(reg_id("gdpr", "DE", "Atlantis"), "(none)");
	/* A Californian under the Virginia law would be a mistake upstream: no regulator. */
	assert_string_equal(reg_id("us-va", "US", "CA"), "(none)");
}

/* Each block: confirmed addresses and forms present, unconfirmed ones absent and named. */
static void
test_blocks(void **state)
{
	const struct jv *cppa = laws_regulator(laws, laws_find(laws, "us-ca"), "US", "CA");
	const struct jv *ico = laws_regulator(laws, laws_find(laws, "gdpr"), "GB", NULL);
	const struct jv *be = laws_regulator(laws, laws_find(laws, "gdpr"), "DE", "BE");

	(void)state;
	assert_string_equal(jv_str(jv_get(cppa, "name")), "California Privacy Protection Agency");
	assert_string_equal(jv_str(jv_get(cppa, "complaint_url")),
	    "https://cppa.ca.gov/webapplications/complaint");
	assert_null(jv_get(cppa, "postal"));
	assert_string_equal(jv_str(jv_at(jv_get(cppa, "unconfirmed_fields"), 0)), "postal");
	assert_string_equal(jv_str(jv_get(laws_regulator(laws, laws_find(laws, "us-co"), "US", "CO"),
	    "complaint_url")), "https://coag.gov/file-complaint/");
	assert_string_equal(postal_line("us-va", "US", "VA", 2), "202 North Ninth Street");
	assert_string_equal(postal_line("us-va", "US", "VA", 3), "Richmond, VA 23219");
	assert_string_equal(postal_line("fcra-611", "US", "OR", 1), "PO Box 4503");
	assert_string_equal(postal_line("fcra-611", "US", "OR", 2), "Iowa City, IA 52244");
	assert_string_equal(postal_line("gdpr", "DE", "Bavaria", 1), "Promenade 27");
	assert_string_equal(postal_line("gdpr", "DE", "Bavaria", 2), "91522 Ansbach");
	assert_string_equal(reg_id("gdpr", "IE", NULL), "ie-dpc");
	assert_string_equal(postal_line("gdpr", "IE", NULL, 1), "21 Fitzwilliam Square South");
	assert_string_equal(postal_line("gdpr", "IE", NULL, 2), "Dublin 2, D02 RD28");
	assert_string_equal(reg_id("gdpr", "NL", NULL), "nl-ap");
	assert_string_equal(postal_line("gdpr", "NL", NULL, 1), "Postbus 93374");
	assert_string_equal(postal_line("gdpr", "NL", NULL, 2), "2509 AJ Den Haag");
	assert_string_equal(reg_id("gdpr", "ES", NULL), "es-aepd");
	assert_null(jv_get(laws_regulator(laws, laws_find(laws, "gdpr"), "ES", NULL), "postal"));
	assert_non_null(strstr(jv_str(jv_get(laws_regulator(laws, laws_find(laws, "gdpr"), "ES", NULL),
	    "complaint_url")), "https://sedeagpd.gob.es/"));
	assert_string_equal(jv_str(jv_get(laws_regulator(laws, laws_find(laws, "us-ct"), "US", "CT"),
	    "complaint_url")), "https://portal.ct.gov/ag/sections/consumer-advocacy/consumer-advocacy");
	assert_string_equal(jv_str(jv_get(ico, "name")), "Information Commissioner's Office");
	assert_non_null(strstr(jv_str(jv_get(ico, "complaint_url")), "https://ico.org.uk/"));
	assert_null(jv_get(ico, "postal"));
	assert_string_equal(jv_str(jv_get(be, "name")),
	    "Berliner Beauftragte für Datenschutz und Informationsfreiheit");
	/* Names head an address block: none starts with an article. */
	assert_int_not_equal(strncmp(jv_str(jv_get(be, "name")), "The ", 4), 0);
	assert_int_not_equal(strncmp(jv_str(jv_get(ico, "name")), "The ", 4), 0);
}

/* Whether a law's appeal is one a letter may cite: available, with a section and days, none unconfirmed. */
static int
appeal_usable(const char *id)
{
	const struct jv *a = jv_get(laws_find(laws, id)->json, "appeal");

	return a != NULL && jv_bool(jv_get(a, "available")) && jv_str(jv_get(a, "citation")) != NULL &&
	    jv_int(jv_get(a, "days")) > 0 && !jv_bool(jv_get(a, "unconfirmed"));
}

/* Appeals: the confirmed ones carry their section and a dated source; the rest are not cited. */
static void
test_appeals(void **state)
{
	static const char *const ids[] = { "us-ca", "us-va", "us-co", "us-ct", "us-ut", "us-tx", "us-or", "us-mt", "us-ia", "us-de", "us-nh", "us-nj", "us-ne", "us-tn", "us-mn", "us-md", "us-in", "us-ky", "us-ri", "none" };
	const struct jv *va = jv_get(laws_find(laws, "us-va")->json, "appeal");
	const struct jv *ne = jv_get(laws_find(laws, "us-ne")->json, "appeal");
	const struct jv *ky = jv_get(laws_find(laws, "us-ky")->json, "appeal");
	const struct jv *nj = jv_get(laws_find(laws, "us-nj")->json, "appeal");
	size_t i;

	(void)state;
	assert_true(appeal_usable("us-va"));
	assert_string_equal(jv_str(jv_get(va, "citation")), "Va. Code §59.1-577(C)");
	assert_int_equal(jv_int(jv_get(va, "days")), 60);
	assert_true(jv_bool(jv_get(va, "informs_of_regulator")));
	/*
	 * Utah's law gives no appeal. Nebraska's 60 days and the pointer to the Attorney
	 * General are in §87-1109(3)-(4), the section §87-1108(3) names.
	 */
	assert_false(jv_bool(jv_get(jv_get(laws_find(laws, "us-ut")->json, "appeal"), "available")));
	assert_false(appeal_usable("us-ut"));
	assert_int_equal(jv_int(jv_get(ne, "days")), 60);
	assert_string_equal(jv_str(jv_get(ne, "citation")), "Neb. Rev. Stat. §87-1109");
	assert_true(jv_bool(jv_get(ne, "informs_of_regulator")));
	assert_true(appeal_usable("us-ne"));
	/* Kentucky's 60 days and the pointer to the Attorney General are in KRS 367.3615(4). */
	assert_true(appeal_usable("us-ky"));
	assert_string_equal(jv_str(jv_get(ky, "citation")), "KRS 367.3615(4)");
	assert_int_equal(jv_int(jv_get(ky, "days")), 60);
	assert_true(jv_bool(jv_get(ky, "informs_of_regulator")));
	/* Rhode Island's appeal exists (§6-48.1-6(b)(2)); its period is unknown, so none is cited. */
	assert_true(jv_bool(jv_get(jv_get(laws_find(laws, "us-ri")->json, "appeal"), "available")));
	assert_false(jv_bool(jv_get(jv_get(laws_find(laws, "us-ri")->json, "appeal"), "unconfirmed")));
	assert_false(appeal_usable("us-ri"));
	/* New Jersey's appeal exists (§56:8-166.7(c)); its period is unknown, so none is cited. */
	assert_true(jv_bool(jv_get(nj, "available")));
	assert_false(jv_bool(jv_get(nj, "unconfirmed")));
	assert_false(appeal_usable("us-nj"));
	/* Oregon's 45 days are in ORS 646A.576(6)(d); Texas's section is known, its window not. */
	assert_true(appeal_usable("us-or"));
	assert_string_equal(jv_str(jv_get(jv_get(laws_find(laws, "us-or")->json, "appeal"), "citation")),
	    "ORS 646A.576(6)(d)");
	assert_int_equal(jv_int(jv_get(jv_get(laws_find(laws, "us-or")->json, "appeal"), "days")), 45);
	assert_false(appeal_usable("us-tx"));
	/* Iowa's 60 days and the pointer to the Attorney General are in Iowa Code §715D.3(3). */
	assert_true(appeal_usable("us-ia"));
	assert_string_equal(jv_str(jv_get(jv_get(laws_find(laws, "us-ia")->json, "appeal"), "citation")),
	    "Iowa Code §715D.3(3)");
	assert_int_equal(jv_int(jv_get(jv_get(laws_find(laws, "us-ia")->json, "appeal"), "days")), 60);
	assert_true(jv_bool(jv_get(jv_get(laws_find(laws, "us-ia")->json, "appeal"), "informs_of_regulator")));
	/*
	 * Indiana's and Minnesota's appeal sections were seen (Ind. Code §24-15-3-1(d) by the
	 * reference in (c)(2); Minn. Stat. §325M.14, subd. 5 by its heading), their windows not.
	 */
	assert_string_equal(jv_str(jv_get(jv_get(laws_find(laws, "us-in")->json, "appeal"), "citation")),
	    "Ind. Code §24-15-3-1(d)");
	assert_false(appeal_usable("us-in"));
	assert_string_equal(jv_str(jv_get(jv_get(laws_find(laws, "us-mn")->json, "appeal"), "citation")),
	    "Minn. Stat. §325M.14, subd. 5");
	assert_false(appeal_usable("us-mn"));
	/* No appeal is cited on trust: each usable one records where it was checked, with a URL. */
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const struct jv *src;

		if (!appeal_usable(ids[i]))
			continue;
		src = jv_get(jv_get(laws_find(laws, ids[i])->json, "appeal"), "sources");
		assert_true(jv_len(src) > 0);
		assert_non_null(jv_str(jv_get(jv_at(src, 0), "url")));
		assert_non_null(jv_str(jv_get(jv_at(src, 0), "as_of")));
	}
}

/* The agent's citation of a law, or NULL. */
static const char *
agent_citation(const char *id)
{
	return jv_str(jv_get(jv_get(laws_find(laws, id)->json, "agent"), "citation"));
}

/*
 * Agents and deadlines as the statute texts give them: New Hampshire and Maryland
 * let an agent file only opt-outs; Nebraska's 45 days are §87-1108(2).
 */
static void
test_agents_deadlines(void **state)
{
	struct deadline d;

	(void)state;
	assert_string_equal(law_agent_allowed(laws_find(laws, "us-nh")), "opt-out-only");
	assert_string_equal(agent_citation("us-nh"), "RSA 507-H:4, II");
	assert_string_equal(law_agent_allowed(laws_find(laws, "us-md")), "opt-out-only");
	assert_string_equal(agent_citation("us-md"), "Md. Code, Com. Law §14-4706(a)");
	assert_false(
	    jv_bool(jv_get(jv_get(laws_find(laws, "us-md")->json, "agent"), "unconfirmed")));
	law_deadline(laws_find(laws, "us-ne"), REQ_DELETE, &d);
	assert_int_equal(d.days, 45);
	assert_int_equal(d.extension_days, 45);
	assert_string_equal(d.citation, "Neb. Rev. Stat. §87-1108(2)");
	/* Where no deadline section was seen, none is cited. */
	law_deadline(laws_find(laws, "us-nh"), REQ_DELETE, &d);
	assert_null(d.citation);
	law_deadline(laws_find(laws, "us-ky"), REQ_DELETE, &d);
	assert_null(d.citation);
}

/* The law as its id names it, for laws another change adds (the UK GDPR, Oklahoma's). */
static const struct jv *
reg_for_id(const char *id, const char *country, const char *region)
{
	struct law law = { 0 };

	law.id = id;
	return laws_regulator(laws, &law, country, region);
}

/*
 * Every law with a regulator has one for each residence it covers, each
 * reachable: a confirmed address or form, or at least its own site.
 */
static void
test_coverage(void **state)
{
	static const char *const lands[] = { "BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI",
		"NW", "RP", "SL", "SN", "ST", "SH", "TH" };
	const struct law *gdpr = laws_find(laws, "gdpr");
	const struct jv *members = jv_get(jv_get(gdpr->json, "jurisdiction"), "members");
	const struct jv *r;
	size_t i;

	(void)state;
	for (i = 0; i < laws->n; i++) {
		const struct law *law = &laws->laws[i];

		if (strcmp(law->family, "ccpa") != 0 && strcmp(law->family, "us-state") != 0 &&
		    strcmp(law->family, "fcra") != 0)
			continue;
		r = laws_regulator(laws, law, "US", law->region != NULL ? law->region : "NY");
		if (r == NULL)
			fail_msg("%s: no regulator", law->id);
		assert_non_null(jv_str(jv_get(r, "website")));
		assert_int_equal(strncmp(jv_str(jv_get(r, "website")), "https://", 8), 0);
	}
	for (i = 0; i < jv_len(members); i++) {
		const char *cc = jv_str(jv_at(members, i));

		if (strcmp(cc, "DE") == 0)
			continue;
		r = laws_regulator(laws, gdpr, cc, NULL);
		if (r == NULL || jv_str(jv_get(r, "website")) == NULL)
			fail_msg("gdpr, %s: no regulator with a site", cc);
		/* Exactly its own country's: a list of one. */
		assert_int_equal(jv_len(jv_get(r, "countries")), 1);
		assert_string_equal(jv_str(jv_at(jv_get(r, "countries"), 0)), cc);
	}
	for (i = 0; i < sizeof lands / sizeof lands[0]; i++) {
		r = laws_regulator(laws, gdpr, "DE", lands[i]);
		if (r == NULL || jv_str(jv_get(r, "website")) == NULL)
			fail_msg("gdpr, DE-%s: no Land authority with a site", lands[i]);
		assert_non_null(jv_get(r, "regions"));
	}
	/* The UK's own law and Oklahoma's, once added, find theirs. */
	assert_string_equal(jv_str(jv_get(reg_for_id("uk-gdpr", "GB", NULL), "id")), "gb-ico");
	assert_string_equal(jv_str(jv_get(reg_for_id("us-ok", "US", "OK"), "id")), "us-ok-ag");
	/* The FTC for a US resident where no statute applies; the CFPB for every FCRA request. */
	assert_string_equal(reg_id("none", "US", "IL"), "us-ftc");
	assert_string_equal(reg_id("fcra-604e", "US", "TX"), "us-cfpb");
	assert_string_equal(reg_id("fcra-605a", "US", "CA"), "us-cfpb");
	assert_string_equal(reg_id("none", "FR", NULL), "(none)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transit),
		cmocka_unit_test(test_choice),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_appeals),
		cmocka_unit_test(test_agents_deadlines),
		cmocka_unit_test(test_coverage),
	};

	return cmocka_run_group_tests_name("laws", tests, setup, teardown);
}
