/* plan: choose procedure, legal basis, deadline and the minimum disclosure. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "optout/i18n.h"
#include "optout/jv.h"
#include "optout/plan.h"
#include "optout/util.h"
#include "optout/vault.h"

/* Identifiers that are sensitive whatever the procedure says. */
static const char *const always_sensitive[] = { "ssn", "ssn_last4", "drivers_license", NULL };
/* Fields that are documents the person provides, not values the tool sends. */
static const char *const document_fields[] = { "id_copy", "utility_bill", "photo",
	"listing_screenshot", NULL };

/* Labels are N_() messages: a page translates them into its language. */
static const struct {
	const char *field, *label;
} labels[] = {
	{ "name", N_("Full name") },
	{ "address", N_("Current address") },
	{ "prior_addresses", N_("Previous addresses") },
	{ "dob", N_("Date of birth") },
	{ "age", N_("Age") },
	{ "email", N_("Email address") },
	{ "phone", N_("Telephone number") },
	{ "ssn", N_("Social Security number") },
	{ "ssn_last4", N_("Last four digits of the Social Security number") },
	{ "drivers_license", N_("Driver's license number") },
	{ "id_copy", N_("Copy of a government-issued photo ID") },
	{ "utility_bill", N_("Copy of a utility bill showing the current address") },
	{ "photo", N_("A photograph") },
	{ "signature", N_("Signature") },
	{ "listing_url", N_("Web address of the listing to remove") },
	{ "listing_screenshot", N_("Screenshot of the listing to remove") },
	{ "city_state", N_("City and state") },
	{ "maid", N_("Mobile advertising ID of the phone") },
};

/* A field's label for people. */
const char *
field_label(const char *field)
{
	size_t i;

	for (i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(labels[i].field, field) == 0)
			return labels[i].label;
	return field;
}

/* The status as a word for output. */
const char *
plan_status_name(enum plan_status s)
{
	switch (s) {
	case PLAN_READY:
		return "ready";
	case PLAN_NEEDS_CONSENT:
		return "needs-consent";
	case PLAN_MISSING:
		return "missing-data";
	case PLAN_NO_PROCEDURE:
		return "no-procedure";
	case PLAN_NO_CHANNEL:
		return "no-channel";
	}
	return "?";
}

/* Whether a field is sensitive: always for SSN and licence, else as the procedure says. */
int
field_is_sensitive(const struct procedure *proc, const char *field)
{
	return strlist_has((const char **)always_sensitive, field) ||
	    (proc != NULL && strlist_has(proc->sensitive, field));
}

/* Whether the profile holds a value for a field. */
static int
profile_has(const struct profile *p, const char *field)
{
	if (strcmp(field, "name") == 0 || strcmp(field, "address") == 0 ||
	    strcmp(field, "city_state") == 0 || strcmp(field, "signature") == 0)
		return 1;
	if (strcmp(field, "prior_addresses") == 0)
		return p->naddresses > 1;
	if (strcmp(field, "dob") == 0 || strcmp(field, "age") == 0)
		return p->dob != NULL;
	if (strcmp(field, "email") == 0)
		return p->emails[0] != NULL;
	if (strcmp(field, "phone") == 0)
		return p->nphones > 0;
	if (strcmp(field, "ssn") == 0)
		return p->ssn != NULL;
	if (strcmp(field, "ssn_last4") == 0)
		return p->ssn_last4 != NULL;
	if (strcmp(field, "drivers_license") == 0)
		return p->dl_number != NULL;
	return 0;
}

/* Append a copy of s to a NULL-terminated list unless it is there already. */
static void
list_add(char ***list, const char *s)
{
	size_t n = strlist_len((const char **)*list);

	if (strlist_has((const char **)*list, s))
		return;
	*list = xreallocarray(*list, n + 2, sizeof **list);
	(*list)[n] = xstrdup(s);
	(*list)[n + 1] = NULL;
}

/* An empty NULL-terminated list. */
static char **
list_new(void)
{
	return xcalloc(1, sizeof(char *));
}

/* Whether a consumer reporting agency: the FCRA governs its files. */
static int
broker_is_cra(const struct broker *b)
{
	return broker_has_category(b, "nationwide-cra") || broker_has_category(b, "specialty-cra");
}

/* Channel preference: written channels that leave a record first. */
static int
channel_rank(enum channel c)
{
	switch (c) {
	case CH_EMAIL:
		return 0;
	case CH_WEB:
		return 1;
	case CH_POSTAL:
		return 2;
	case CH_FAX:
		return 3;
	case CH_PHONE:
	default:
		return 4;
	}
}

/* Whether a procedure's newest source is dated within two years of today. */
static int
recent_source(const struct procedure *proc, date_t today)
{
	int ty, tm, td;
	size_t i;

	date_to_ymd(today, &ty, &tm, &td);
	for (i = 0; i < proc->nsources; i++) {
		const char *a = proc->sources[i].as_of;

		/* YYYY, YYYY-MM or YYYY-MM-DD: the year is enough at two years' distance. */
		if (a != NULL && strlen(a) >= 4 && strtol(a, NULL, 10) >= ty - 2 + (tm > 6))
			return 1;
	}
	return 0;
}

/*
 * Trust in a procedure's record, lower is better: current first; then an
 * unverified (secondary) record with a recent source, which beats a stale
 * first-hand one; then stale; then old secondary ones.
 */
static int
status_rank(const struct procedure *proc, date_t today)
{
	const char *status = proc->status;

	if (status != NULL && strcmp(status, "current") == 0)
		return 0;
	if (status != NULL && strcmp(status, "unverified") == 0 && recent_source(proc, today))
		return 1;
	if (status != NULL && strcmp(status, "stale") == 0)
		return 2;
	return 3;
}

/* Whether a procedure can work at all (no availability recorded means it does). */
static int
proc_works(const struct procedure *proc)
{
	return proc->availability == NULL || strcmp(proc->availability, "working") == 0;
}

/* Whether a restricted procedure is open to this person (outside-us: people abroad). */
static int
restriction_met(const struct procedure *proc, const struct profile *p)
{
	return proc->restricted_to == NULL ||
	    (strcmp(proc->restricted_to, "outside-us") == 0 && p->current->country != NULL &&
		strcmp(p->current->country, "US") != 0);
}

/* Fields a procedure's verification implies (a link by email needs an email). */
static void
implied_fields(const struct procedure *proc, char ***fields)
{
	if (proc->channel == CH_EMAIL || strlist_has(proc->verification, "email-link") ||
	    strlist_has(proc->verification, "email-code"))
		list_add(fields, "email");
	if (strlist_has(proc->verification, "sms-code") ||
	    strlist_has(proc->verification, "phone-call"))
		list_add(fields, "phone");
}

/* Work out what a procedure would disclose, withhold, miss and need as documents. */
static enum plan_status
disclosure(const struct procedure *proc, const struct profile *p, const char **consent,
    struct plan_item *it, int address_only)
{
	char **fields = list_new();
	enum plan_status st = PLAN_READY;
	size_t i;

	/* Every request names the person; a letter carries the address it is sent from. */
	list_add(&fields, "name");
	if (proc->channel == CH_POSTAL || proc->channel == CH_FAX)
		list_add(&fields, "address");
	/* A procedure used only for its address asks nothing of this request. */
	for (i = 0; !address_only && proc->requires[i] != NULL; i++)
		list_add(&fields, proc->requires[i]);
	if (proc->channel == CH_EMAIL)
		list_add(&fields, "email");
	if (!address_only)
		implied_fields(proc, &fields);
	for (i = 0; fields[i] != NULL; i++) {
		const char *f = fields[i];

		if (strlist_has((const char **)document_fields, f)) {
			list_add(&it->documents, f);
		} else if (strcmp(f, "listing_url") == 0) {
			list_add(&it->notes, N_("Find your listing on the broker's site first: the "
			    "form asks for its web address."));
		} else if (strcmp(f, "maid") == 0) {
			list_add(&it->notes, N_("The broker identifies people by their phone's mobile "
			    "advertising ID: find it in the phone's privacy settings (Android: Ads; "
			    "iPhone: apps may not read it when tracking is off) and enter it yourself."));
		} else if (strcmp(f, "signature") == 0) {
			continue;
		} else if (!profile_has(p, f)) {
			list_add(&it->missing, f);
		} else if (field_is_sensitive(proc, f) && !strlist_has(consent, f)) {
			list_add(&it->withheld, f);
		} else {
			list_add(&it->disclosed, f);
		}
	}
	/* One of several identifiers: the first the person has and allowed. */
	if (!address_only && proc->requires_one_of[0] != NULL) {
		const char *chosen = NULL;
		int any_held = 0;

		for (i = 0; proc->requires_one_of[i] != NULL && chosen == NULL; i++) {
			const char *f = proc->requires_one_of[i];

			if (!profile_has(p, f))
				continue;
			if (field_is_sensitive(proc, f) && !strlist_has(consent, f))
				any_held = 1;
			else
				chosen = f;
		}
		if (chosen != NULL)
			list_add(&it->disclosed, chosen);
		else if (any_held) {
			for (i = 0; proc->requires_one_of[i] != NULL; i++)
				if (profile_has(p, proc->requires_one_of[i]))
					list_add(&it->withheld, proc->requires_one_of[i]);
		} else {
			struct buf b;

			buf_init(&b);
			for (i = 0; proc->requires_one_of[i] != NULL; i++)
				buf_printf(&b, "%s%s", i ? PLAN_MISSING_OR : "", proc->requires_one_of[i]);
			list_add(&it->missing, b.data);
			buf_free(&b);
		}
	}
	if (it->withheld[0] != NULL)
		st = PLAN_NEEDS_CONSENT;
	if (it->missing[0] != NULL)
		st = PLAN_MISSING;
	str_list_free(fields);
	return st;
}

/* Reset the per-procedure lists of an item. */
static void
reset_lists(struct plan_item *it)
{
	str_list_free(it->disclosed);
	str_list_free(it->withheld);
	str_list_free(it->missing);
	str_list_free(it->documents);
	str_list_free(it->notes);
	it->disclosed = list_new();
	it->withheld = list_new();
	it->missing = list_new();
	it->documents = list_new();
	it->notes = list_new();
}

/* The legal basis for a procedure: FCRA for a CRA's file, else the law of residence. */
static const struct law *
choose_law(const struct broker *b, const struct procedure *proc, const struct profile *p,
    const struct laws *laws, enum request r, date_t today, enum plan_basis basis)
{
	const struct law *law;

	/*
	 * A freeze stands on §605A(i) only at a nationwide CRA (§603(p)); a specialty
	 * agency's freeze is its own or a state law's, so the letter claims no statute.
	 */
	if (r == REQ_FREEZE) {
		law = b->cra_kind != NULL && strcmp(b->cra_kind, "nationwide") == 0 ?
		    laws_find(laws, "fcra-605a") : NULL;
		return law != NULL ? law : laws_find(laws, "none");
	}
	if (basis != BASIS_PRIVACY && broker_is_cra(b) && proc != NULL &&
	    strlist_has(proc->laws, "fcra")) {
		/* §612's free disclosure binds nationwide and nationwide specialty CRAs only. */
		int free_annual = b->cra_kind != NULL && (strcmp(b->cra_kind, "nationwide") == 0 ||
		    strcmp(b->cra_kind, "nationwide-specialty") == 0);

		if (r == REQ_ACCESS &&
		    (law = laws_find(laws, free_annual ? "fcra-612" : "fcra-609")) != NULL)
			return law;
		if (r == REQ_CORRECT && (law = laws_find(laws, "fcra-611")) != NULL)
			return law;
		/* Opting out at a CRA's file is the §604(e) prescreen election, never a "sale" opt-out. */
		if (r == REQ_OPTOUT && (law = laws_find(laws, "fcra-604e")) != NULL)
			return law;
	}
	law = laws_for_residence(laws, p->current->country, p->current->region, r, today);
	return law != NULL ? law : laws_find(laws, "none");
}

/* Whether a procedure only serves the FCRA. */
static int
fcra_only(const struct procedure *proc)
{
	return strlist_has(proc->laws, "fcra") && strlist_len(proc->laws) == 1;
}

/*
 * Whether a procedure can carry a request on this basis.  The FCRA request
 * goes through an FCRA procedure; the privacy-law request prefers the others
 * (the score sees to that) but may be written to the address or mailbox of an
 * FCRA procedure, never put into its web form, which asks only for the file.
 */
static int
basis_allows(const struct procedure *proc, enum plan_basis basis)
{
	if (basis == BASIS_FCRA)
		return strlist_has(proc->laws, "fcra");
	if (basis == BASIS_PRIVACY && fcra_only(proc))
		return proc->channel == CH_POSTAL || proc->channel == CH_EMAIL;
	return 1;
}

/* Whether the privacy-law request borrows only the address of an FCRA procedure. */
static int
borrowed_address(const struct procedure *proc, enum plan_basis basis)
{
	return basis == BASIS_PRIVACY && fcra_only(proc);
}

/*
 * The broker's written privacy contact for a request it lists no procedure
 * for: an email or postal procedure open to anyone, one serving the law's
 * family first, email before post.
 */
static const struct procedure *
privacy_contact(const struct broker *b, const struct law *law)
{
	const struct procedure *best = NULL;
	int best_rank = 0;
	size_t i;

	for (i = 0; i < b->nprocedures; i++) {
		const struct procedure *proc = &b->procedures[i];
		int rank;

		if (proc->restricted_to != NULL || !proc_works(proc) ||
		    (proc->channel != CH_EMAIL && proc->channel != CH_POSTAL))
			continue;
		rank = (!strlist_has(proc->laws, law->family)) * 10 + channel_rank(proc->channel);
		if (best == NULL || rank < best_rank) {
			best = proc;
			best_rank = rank;
		}
	}
	return best;
}

/*
 * The bases of a request: access to a CRA is two requests, and so is opt-out at
 * a nationwide CRA (the FCRA prescreen election for its file, the privacy-law
 * opt-out for its other products).
 */
size_t
plan_bases(const struct broker *b, enum request r, enum plan_basis out[2])
{
	if (broker_is_cra(b) && (r == REQ_ACCESS || (r == REQ_OPTOUT && b->cra_kind != NULL &&
	    strcmp(b->cra_kind, "nationwide") == 0))) {
		out[0] = BASIS_FCRA;
		out[1] = BASIS_PRIVACY;
		return 2;
	}
	out[0] = BASIS_ANY;
	return 1;
}

/* The basis as a word, or NULL for the single basis. */
const char *
plan_basis_name(enum plan_basis basis)
{
	switch (basis) {
	case BASIS_FCRA:
		return "fcra";
	case BASIS_PRIVACY:
		return "privacy";
	case BASIS_ANY:
	default:
		return NULL;
	}
}

/* Rank a candidate: lower is better. */
static long
score(const struct procedure *proc, enum plan_status st, const struct law *law,
    const struct plan_item *it, date_t today)
{
	long s = 0;

	s += (st == PLAN_MISSING) * 100000L;
	/* A call is the person's own work: any written channel comes first. */
	s += (proc->channel == CH_PHONE) * 20000L;
	s += (law != NULL && !strlist_has(proc->laws, law->family) &&
	    !(strcmp(law->family, "none") == 0 && strlist_has(proc->laws, "voluntary"))) * 10000L;
	/*
	 * A procedure that can go out now beats one waiting for consent to a
	 * sensitive field, however fresh; --disclose then makes the other eligible.
	 */
	s += (st == PLAN_NEEDS_CONSENT) * 5000L;
	s += status_rank(proc, today) * 1000L;
	s += (long)strlist_len((const char **)it->withheld) * 100L;
	s += (long)strlist_len((const char **)it->disclosed) * 10L;
	s += channel_rank(proc->channel);
	return s;
}

/* Whether the law lets an authorized agent file this request. */
static int
agent_may_file(const struct law *law, enum request r)
{
	const char *allowed = law_agent_allowed(law);

	return strcmp(allowed, "all") == 0 ||
	    (strcmp(allowed, "opt-out-only") == 0 && r == REQ_OPTOUT);
}

/*
 * Whether a procedure turns away an authorized agent: its own record says so,
 * or, when it says nothing, the broker declared so in a state registry.
 */
static int
refuses_agent(const struct broker *b, const struct procedure *proc)
{
	size_t i;

	if (proc->agent_allowed >= 0)
		return proc->agent_allowed == 0;
	for (i = 0; i < b->nregistrations; i++)
		if (b->registrations[i].agent_allowed == 0)
			return 1;
	return 0;
}

/* Plan one request to one broker. */
struct plan_item *
plan_make(const struct broker *b, const struct profile *p, const struct laws *laws,
    const struct plan_opts *o)
{
	struct plan_item *it = xcalloc(1, sizeof *it);
	const struct procedure *best = NULL;
	long best_score = 0;
	size_t i;
	int restricted = 0, unavailable = 0;

	it->broker = b;
	it->request = o->request;
	it->basis = o->basis;
	it->today = o->today;
	it->correction = o->correction;
	reset_lists(it);
	for (i = 0; i < b->nprocedures; i++) {
		const struct procedure *proc = &b->procedures[i];
		const struct law *law;
		enum plan_status st;
		long sc;

		if (proc->request != o->request || (o->email_only && proc->channel != CH_EMAIL) ||
		    (o->written_only && proc->channel != CH_EMAIL && proc->channel != CH_POSTAL))
			continue;
		if (!restriction_met(proc, p)) {
			restricted = 1;
			continue;
		}
		/* A procedure that cannot work is never chosen, however fresh its record. */
		if (!proc_works(proc)) {
			unavailable = 1;
			continue;
		}
		if (!basis_allows(proc, o->basis))
			continue;
		reset_lists(it);
		st = disclosure(proc, p, o->disclose, it, borrowed_address(proc, o->basis));
		law = choose_law(b, proc, p, laws, o->request, o->today, o->basis);
		sc = score(proc, st, law, it, o->today);
		/* Filing as agent: a channel that accepts agents comes first. */
		if (o->agent != NULL && refuses_agent(b, proc))
			sc += 50000L;
		if (best == NULL || sc < best_score) {
			best = proc;
			best_score = sc;
		}
	}
	reset_lists(it);
	if (best == NULL) {
		it->status = b->nprocedures == 0 ? PLAN_NO_CHANNEL : PLAN_NO_PROCEDURE;
		it->law = choose_law(b, NULL, p, laws, o->request, o->today, o->basis);
		if (restricted)
			list_add(&it->notes, N_("The broker's only procedure for this request is "
			    "restricted to particular people (see 'optout brokers show')."));
		if (unavailable)
			list_add(&it->notes, N_("The broker's recorded procedure for this request no "
			    "longer works or is not a way to make it (see 'optout brokers show')."));
		/*
		 * A statutory right does not depend on the broker listing a procedure for
		 * it: the law obliges the broker to take requests at the methods it
		 * designates, so the request goes to its written privacy contact.
		 */
		if (!restricted && o->basis != BASIS_FCRA && o->request != REQ_FREEZE && it->law != NULL &&
		    strcmp(it->law->family, "none") != 0 &&
		    (best = privacy_contact(b, it->law)) != NULL) {
			it->proc = best;
			it->status = disclosure(best, p, o->disclose, it, 1);
			list_add(&it->notes, N_("The broker lists no procedure for this request, but the "
			    "law gives the right all the same: the request goes to the contact the "
			    "broker lists for its other privacy requests, with only the name and a "
			    "way to reply."));
		}
	} else {
		it->proc = best;
		it->status = disclosure(best, p, o->disclose, it, borrowed_address(best, o->basis));
		if (borrowed_address(best, o->basis))
			list_add(&it->notes, N_("The broker lists no procedure for this request under "
			    "privacy law, so the letter goes to the address of its FCRA procedure and "
			    "carries only what a privacy-law request needs."));
		it->law = choose_law(b, best, p, laws, o->request, o->today, o->basis);
	}
	if (o->request == REQ_CORRECT && best != NULL &&
	    (o->correction == NULL || o->correction->item == NULL || o->correction->correct == NULL)) {
		list_add(&it->missing, PLAN_MISSING_CORRECTION);
		it->status = PLAN_MISSING;
	}
	if (it->law != NULL) {
		law_deadline(it->law, o->request, &it->deadline);
		/* §605A(i)(2)(A)(ii): a freeze asked for by mail is placed within 3 business days. */
		if (strcmp(it->law->id, "fcra-605a") == 0 && best != NULL &&
		    (best->channel == CH_POSTAL || best->channel == CH_FAX))
			it->deadline.days = 3;
		/*
		 * GDPR Art. 3(2): a company neither established in the EU (or UK) nor
		 * offering goods or services to people there or monitoring them there
		 * is outside the law's reach; its deadline is then not claimed.
		 */
		if (strcmp(it->law->family, "gdpr") == 0) {
			const char *reach = it->law->country != NULL &&
			    strcmp(it->law->country, "GB") == 0 ? b->reach_uk : b->reach_eu;

			if (reach != NULL && strcmp(reach, "neither") == 0) {
				it->outside_reach = 1;
				it->deadline.binding = 0;
				it->deadline.extension_days = 0;
				list_add(&it->notes, N_("The broker record says this company is not "
				    "established where you live and neither offers goods or services to "
				    "people there nor monitors them there, so the GDPR may not reach it "
				    "(Art. 3): the letter asks for an answer without claiming a legal "
				    "deadline."));
			}
		}
		laws_due(laws, o->today, &it->deadline, &it->due, &it->extended_due);
		if (it->deadline.unit == UNIT_BUSINESS && !laws_holidays_cover(laws, it->due))
			list_add(&it->notes, N_("The due date counts business days past the last year of "
			    "holidays in letters/laws.json: holidays that year were not skipped."));
	}
	if (o->request == REQ_FREEZE && best != NULL)
		list_add(&it->notes, N_("If the agency gives you a PIN, password or confirmation number "
		    "for lifting the freeze later, keep it somewhere safe, away from this packet. "
		    "optout never asks for it and never stores it."));
	if (it->law != NULL && strcmp(it->law->id, "fcra-605a") == 0)
		list_add(&it->notes, N_("The freeze is free. Asked for online or by telephone, it must "
		    "be in place within one business day; by mail, within three business days. "
		    "Lifting it online or by telephone takes at most one hour (15 U.S.C. "
		    "§1681c-1(i)(2)(A), (i)(3))."));
	else if (o->request == REQ_FREEZE && best != NULL)
		list_add(&it->notes, N_("No federal law sets this agency's freeze: the federal freeze "
		    "duty binds only the three nationwide credit bureaus (15 U.S.C. §1681c-1(i)(1)(A)). "
		    "The agency offers it under its own policy or a state law, so its time limits "
		    "are its own."));
	if (it->law != NULL && strcmp(it->law->id, "fcra-604e") == 0)
		list_add(&it->notes, N_("Made online or by telephone, this opt-out lasts five years "
		    "(15 U.S.C. §1681b(e)(3)(A), (e)(4)(B)). To make it permanent, sign and mail "
		    "the Permanent Opt-Out Election form that optoutprescreen.com offers after the "
		    "online request (15 U.S.C. §1681b(e)(2)(B))."));
	if (best != NULL) {
		if (best->captcha)
			list_add(&it->notes, N_("The form has a CAPTCHA: a person must complete it."));
		if (best->channel == CH_PHONE)
			list_add(&it->notes, N_("This broker takes this request by telephone only."));
		/* A whole sentence for each status, so that a translator words each. */
		if (status_rank(best, o->today) > 0)
			list_add(&it->notes, best->status != NULL && strcmp(best->status, "stale") == 0
			    ? N_("The record of this procedure is stale: check the broker's current "
				"instructions before relying on it.")
			    : N_("The record of this procedure is unverified: check the broker's "
				"current instructions before relying on it."));
	}
	if (profile_name_needs_latin(p)) {
		char *lat = profile_latin_name(p);

		if (lat == NULL)
			list_add(&it->notes, N_("The name is written in a script US brokers do not index: "
			    "add its Latin form to the profile (names.latin) so they can find the records."));
		free(lat);
	}
	if (o->agent != NULL && it->proc != NULL && refuses_agent(b, it->proc)) {
		it->agent_refused = 1;
		list_add(&it->notes, N_("This broker does not accept requests from an authorized "
		    "agent (its procedure record or its filing in a state data-broker registry says "
		    "so): the person makes this request personally. The letter is written in the "
		    "person's own name, for the person to sign and send."));
	} else if (o->agent != NULL && it->law != NULL && !agent_may_file(it->law, o->request))
		list_add(&it->notes, N_("This law gives no clear right to file this request through "
		    "an agent: the person signs the letter as well."));
	/* A fresh random reference; a ledger that knows this request gives back its own. */
	vault_new_reference(it->reference);
	return it;
}

/* Free a plan item. */
void
plan_item_free(struct plan_item *it)
{
	if (it == NULL)
		return;
	str_list_free(it->disclosed);
	str_list_free(it->withheld);
	str_list_free(it->missing);
	str_list_free(it->documents);
	str_list_free(it->notes);
	free(it);
}

/* A JSON array of strings. */
static struct jv *
jv_strings(char **list)
{
	struct jv *a = jv_new_array();
	size_t i;

	for (i = 0; list != NULL && list[i] != NULL; i++)
		jv_push(a, jv_new_string(list[i]));
	return a;
}

/* The plan as JSON: names of fields only, never their values; notes in English. */
struct jv *
plan_to_jv(const struct plan_item *it)
{
	struct jv *o = jv_new_object();
	char day[11];

	jv_set_str(o, "broker", it->broker->id);
	jv_set_str(o, "broker_name", it->broker->name);
	jv_set_str(o, "request", request_name(it->request));
	if (plan_basis_name(it->basis) != NULL)
		jv_set_str(o, "basis", plan_basis_name(it->basis));
	jv_set_str(o, "status", plan_status_name(it->status));
	if (it->agent_refused)
		jv_set(o, "agent_refused", jv_new_bool(1));
	jv_set_str(o, "reference", it->reference);
	jv_set_str(o, "procedure", it->proc ? it->proc->id : NULL);
	jv_set_str(o, "channel", it->proc ? channel_name(it->proc->channel) : NULL);
	jv_set_str(o, "law", it->law ? it->law->id : NULL);
	jv_set_str(o, "law_name", it->law ? it->law->name : NULL);
	jv_set_str(o, "citation", it->law ? law_section(it->law, it->request) : NULL);
	if (it->law != NULL) {
		char *t = deadline_text(it->deadline.days, it->deadline.unit);

		jv_set_str(o, "deadline", t);
		free(t);
		jv_set(o, "deadline_binding", jv_new_bool(it->deadline.binding));
		date_format(it->due, day);
		jv_set_str(o, "due", day);
		if (it->extended_due) {
			date_format(it->extended_due, day);
			jv_set_str(o, "extended_due", day);
		}
	}
	jv_set(o, "disclosed", jv_strings(it->disclosed));
	jv_set(o, "withheld", jv_strings(it->withheld));
	jv_set(o, "missing", jv_strings(it->missing));
	jv_set(o, "documents", jv_strings(it->documents));
	jv_set(o, "notes", jv_strings(it->notes));
	return o;
}

/* Address lines as a JSON array. */
static struct jv *
jv_lines(const struct address *a, int with_country)
{
	char **lines = address_lines(a, with_country);
	struct jv *arr = jv_strings(lines);

	str_list_free(lines);
	return arr;
}

/* The value of a disclosed field, formatted for a letter (caller frees). */
static char *
field_value(const struct profile *p, const char *f, date_t today)
{
	if (strcmp(f, "dob") == 0)
		return xstrdup(p->dob);
	if (strcmp(f, "city_state") == 0)
		return xasprintf("%s%s%s", p->current->city, p->current->region ? ", " : "",
		    p->current->region ? p->current->region : "");
	if (strcmp(f, "age") == 0) {
		date_t d;
		int y1, m1, d1, y2, m2, d2, age;

		date_parse(p->dob, &d);
		date_to_ymd(d, &y1, &m1, &d1);
		date_to_ymd(today, &y2, &m2, &d2);
		age = y2 - y1 - (m2 < m1 || (m2 == m1 && d2 < d1));
		return xasprintf("%d", age);
	}
	if (strcmp(f, "email") == 0)
		return xstrdup(p->emails[0]);
	if (strcmp(f, "phone") == 0)
		return phone_display(p->phones[0]);
	if (strcmp(f, "ssn") == 0)
		return xstrdup(p->ssn);
	if (strcmp(f, "ssn_last4") == 0)
		return xstrdup(p->ssn_last4);
	if (strcmp(f, "drivers_license") == 0)
		return p->dl_region ? xasprintf("%s (%s)", p->dl_number, p->dl_region)
				    : xstrdup(p->dl_number);
	return NULL;
}

/* Sentences for each enclosed document. */
static const char *
document_text(const char *f)
{
	if (strcmp(f, "id_copy") == 0)
		return "Copy of a government-issued photo ID (cover everything the broker does not "
		       "need to confirm identity, such as the ID number and photo where allowed)";
	if (strcmp(f, "utility_bill") == 0)
		return "Copy of a recent utility bill showing the current address (cover account "
		       "numbers and amounts)";
	return field_label(f);
}


/* Where a registry-filed address comes from: the state and the registry file's date. */
static struct jv *
registry_contact(const struct broker *b, const char *registry)
{
	const struct registration *g = broker_registration(b, registry);
	struct jv *o = jv_new_object();
	char *state = xstrdup(registry), *p;
	date_t d;

	/* "new-york" reads "New York". */
	for (p = state; *p; p++) {
		if (*p == '-')
			*p = ' ';
		if ((p == state || p[-1] == ' ') && *p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	}
	jv_set_str(o, "state", state);
	free(state);
	if (g != NULL && g->source->as_of != NULL) {
		if (date_parse(g->source->as_of, &d) == 0) {
			char day[32];

			date_format_long(d, day);
			jv_set_str(o, "day", day);
		} else
			jv_set_str(o, "year", g->source->as_of);
	}
	return o;
}

/* The letter data of letters/README.md. */
struct jv *
plan_letter_data(const struct plan_item *it, const struct profile *p, const struct agent *agent,
    int latin_only)
{
	struct jv *d = jv_new_object(), *person = jv_new_object(), *broker = jv_new_object();
	struct jv *law = jv_new_object(), *disclosed = jv_new_array(), *enc = jv_new_array();
	const struct procedure *proc = it->proc;
	char *name = profile_full_name(p), *latin = profile_latin_name(p), day[32];
	size_t i;

	date_format_long(it->today, day);
	jv_set_str(d, "today", day);
	jv_set_str(d, "reference", it->reference);
	jv_set_str(d, "request", request_name(it->request));
	jv_set(d, "is_access", jv_new_bool(it->request == REQ_ACCESS));
	jv_set(d, "is_delete", jv_new_bool(it->request == REQ_DELETE));
	jv_set(d, "is_opt_out", jv_new_bool(it->request == REQ_OPTOUT));
	jv_set(d, "is_correct", jv_new_bool(it->request == REQ_CORRECT));
	jv_set(d, "is_freeze", jv_new_bool(it->request == REQ_FREEZE));
	jv_set_str(d, "channel", proc ? channel_name(proc->channel) : "postal");
	jv_set(d, "is_agent", jv_new_bool(agent != NULL));
	jv_set(d, "beyond_fcra_file", jv_new_bool(it->basis == BASIS_PRIVACY &&
	    broker_is_cra(it->broker)));

	if (latin_only && latin != NULL)
		jv_set_str(person, "name", latin);
	else {
		jv_set_str(person, "name", name);
		if (latin != NULL && strcmp(latin, name) != 0)
			jv_set_str(person, "latin_name", latin);
	}
	/* The address goes out only where the procedure needs it (a letter's sender block). */
	if (strlist_has((const char **)it->disclosed, "address")) {
		char *one;

		jv_set(person, "address_lines", jv_lines(p->current, 0));
		one = address_one_line(p->current);
		jv_set_str(person, "address", one);
		secure_free(one);
	}
	for (i = 0; it->disclosed[i] != NULL; i++) {
		const char *f = it->disclosed[i];
		struct jv *e;
		char *v;

		if (strcmp(f, "name") == 0 || strcmp(f, "address") == 0)
			continue;
		if (strcmp(f, "prior_addresses") == 0) {
			struct jv *prior = jv_new_array();
			size_t k;

			for (k = 0; k < p->naddresses; k++) {
				struct jv *pa;

				if (p->addresses[k].current)
					continue;
				pa = jv_new_object();
				jv_set(pa, "lines", jv_lines(&p->addresses[k], 0));
				{
					char *one = address_one_line(&p->addresses[k]);

					jv_set_str(pa, "address", one);
					secure_free(one);
				}
				jv_set_str(pa, "from", p->addresses[k].from);
				jv_set_str(pa, "to", p->addresses[k].to);
				jv_push(prior, pa);
			}
			jv_set(person, "prior_addresses", prior);
			continue;
		}
		v = field_value(p, f, it->today);
		if (v == NULL)
			continue;
		if (strcmp(f, "email") == 0)
			jv_set_str(person, "email", v);
		if (strcmp(f, "phone") == 0)
			jv_set_str(person, "phone", v);
		e = jv_new_object();
		jv_set_str(e, "label", field_label(f));
		jv_set_str(e, "value", v);
		jv_push(disclosed, e);
		secure_free(v);
	}
	jv_set(person, "disclosed", disclosed);
	if (it->request == REQ_CORRECT && it->correction != NULL) {
		struct jv *c = jv_new_object();

		jv_set_str(c, "item", it->correction->item);
		jv_set_str(c, "correct", it->correction->correct);
		if (it->correction->evidence != NULL)
			jv_set_str(c, "evidence", it->correction->evidence);
		jv_set(person, "correction", c);
	}
	jv_set(d, "person", person);

	jv_set_str(broker, "name", it->broker->name);
	jv_set_str(broker, "id", it->broker->id);
	jv_set(broker, "sells_to_government", jv_new_bool(it->broker->sells_to_government));
	jv_set(broker, "is_cra", jv_new_bool(broker_is_cra(it->broker)));
	/* §612's free annual disclosure (and §1681j(a)(3)'s 45-day dispute period after it). */
	jv_set(broker, "free_annual", jv_new_bool(broker_is_cra(it->broker) &&
	    it->broker->cra_kind != NULL && (strcmp(it->broker->cra_kind, "nationwide") == 0 ||
		strcmp(it->broker->cra_kind, "nationwide-specialty") == 0)));
	if (it->broker->aliases[0] != NULL) {
		struct buf b;

		buf_init(&b);
		for (i = 0; it->broker->aliases[i] != NULL; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", it->broker->aliases[i]);
		jv_set_str(broker, "aliases", b.data);
		buf_free(&b);
	}
	if (proc != NULL && proc->postal != NULL) {
		const struct postal *a = proc->postal;
		struct jv *lines = jv_new_array();

		jv_push(lines, jv_new_string(a->recipient));
		for (i = 0; a->street[i] != NULL; i++)
			jv_push(lines, jv_new_string(a->street[i]));
		{
			char *last = xasprintf("%s%s%s %s", a->city, a->region ? ", " : "",
			    a->region ? a->region : "", a->postal_code);

			jv_push(lines, jv_new_string(last));
			free(last);
		}
		/* Mail crossing a border names the destination country last. */
		if (strcmp(p->current->country, a->country) != 0)
			jv_push(lines, jv_new_string(country_name(a->country)));
		jv_set(broker, "address_lines", lines);
	} else {
		struct jv *lines = jv_new_array();

		jv_push(lines, jv_new_string(it->broker->name));
		jv_set(broker, "address_lines", lines);
	}
	if (proc != NULL && proc->registry != NULL)
		jv_set(broker, "registry_contact", registry_contact(it->broker, proc->registry));
	if (proc != NULL && proc->email != NULL)
		jv_set_str(broker, "email", proc->email);
	if (proc != NULL && proc->url != NULL)
		jv_set_str(broker, "url", proc->url);
	jv_set(d, "broker", broker);

	if (it->law != NULL) {
		const struct law *L = it->law;
		const struct jv *notes = jv_get(L->json, "letter_notes"), *ack;
		struct jv *jn = jv_new_array();
		char *t;

		jv_set_str(law, "id", L->id);
		jv_set_str(law, "name", L->name);
		jv_set_str(law, "citation", L->citation);
		jv_set_str(law, "section", law_section(L, it->request));
		/* A law with no section on file is cited once, not as its own section too. */
		jv_set(law, "has_section", jv_new_bool(strcmp(law_section(L, it->request),
		    L->citation) != 0));
		jv_set(law, "is_ccpa", jv_new_bool(strcmp(L->family, "ccpa") == 0));
		jv_set(law, "is_us_state", jv_new_bool(strcmp(L->family, "us-state") == 0));
		jv_set(law, "is_fcra", jv_new_bool(strcmp(L->family, "fcra") == 0));
		jv_set(law, "is_gdpr", jv_new_bool(strcmp(L->family, "gdpr") == 0));
		jv_set(law, "is_none", jv_new_bool(strcmp(L->family, "none") == 0));
		/*
		 * A GLBA exemption that covers only data, confirmed, is cited so that a
		 * letter can say the request covers everything else; an entity-wide one
		 * is left unsaid, since the letter could not narrow it.
		 */
		{
			const struct jv *g = jv_get(L->json, "glba");
			const char *scope = jv_str(jv_get(g, "scope"));

			if (scope != NULL && strcmp(scope, "data") == 0 &&
			    !jv_bool(jv_get(g, "unconfirmed")))
				jv_set_str(law, "glba_citation", jv_str(jv_get(g, "citation")));
		}
		/* An EEA state outside the EU has the GDPR through the EEA Agreement: say so. */
		{
			const struct jv *eea = jv_get(jv_get(L->json, "jurisdiction"), "via_eea");

			for (i = 0; i < jv_len(eea); i++)
				if (p->current->country != NULL &&
				    strcmp(jv_str(jv_at(eea, i)), p->current->country) == 0)
					jv_set_str(law, "eea_state", country_name(p->current->country));
		}
		jv_set(law, "binding", jv_new_bool(it->deadline.binding));
		if (it->outside_reach) {
			int uk = L->country != NULL && strcmp(L->country, "GB") == 0;

			jv_set(law, "outside_reach", jv_new_bool(1));
			jv_set_str(law, "reach_area", uk ? "the United Kingdom" :
			    "the European Union or the European Economic Area");
			jv_set_str(law, "reach_citation", uk ? "UK GDPR Art. 3" : "GDPR Art. 3");
		}
		t = deadline_text(it->deadline.days, it->deadline.unit);
		jv_set_str(law, "deadline", t);
		free(t);
		jv_set_str(law, "deadline_citation", it->deadline.citation);
		/* Where a date is counted in business days, the letter says what one is. */
		jv_set(law, "business_days", jv_new_bool(it->deadline.unit == UNIT_BUSINESS));
		if (it->deadline.ends_on_working_day) {
			jv_set_str(law, "working_day_citation", it->deadline.working_day_citation);
			/* A law with its own list of holidays: the date allows for them too. */
			jv_set(law, "working_day_holidays",
			    jv_new_bool(it->deadline.working_day_holidays != NULL));
		}
		date_format_long(it->due, day);
		jv_set_str(law, "due", day);
		if (it->deadline.extension_days > 0) {
			char *e = deadline_text(it->deadline.extension_days, it->deadline.extension_unit);

			t = xasprintf("%s%s", e, it->deadline.extension_requires_notice
				? ", only with notice within the first period" : "");
			jv_set_str(law, "extension", t);
			free(t);
			free(e);
		}
		ack = jv_get(L->json, "acknowledgement");
		if (ack != NULL) {
			const struct jv *reqs = jv_get(ack, "requests");
			int applies = reqs == NULL;

			for (i = 0; i < jv_len(reqs); i++)
				if (strcmp(jv_str(jv_at(reqs, i)), request_name(it->request)) == 0)
					applies = 1;
			if (applies) {
				jv_set_str(law, "acknowledgement_citation", jv_str(jv_get(ack, "citation")));
				t = deadline_text((int)jv_int(jv_get(ack, "days")),
				    strcmp(jv_str(jv_get(ack, "unit")), "business") == 0 ? UNIT_BUSINESS
											 : UNIT_CALENDAR);
				jv_set_str(law, "acknowledgement", t);
				free(t);
				if (strcmp(jv_str(jv_get(ack, "unit")), "business") == 0)
					jv_set(law, "business_days", jv_new_bool(1));
			}
		}
		for (i = 0; i < jv_len(notes); i++) {
			const struct jv *n = jv_at(notes, i), *reqs = jv_get(n, "requests");
			int applies = reqs == NULL;
			size_t k;
			struct jv *e;

			const char *from = jv_str(jv_get(n, "from"));
			date_t since;

			for (k = 0; k < jv_len(reqs); k++)
				if (strcmp(jv_str(jv_at(reqs, k)), request_name(it->request)) == 0)
					applies = 1;
			/*
			 * A fact not yet in force on the letter's date, unconfirmed, or known
			 * only from a secondary source (a note with a source) is never stated.
			 */
			if (from != NULL && date_parse(from, &since) == 0 && it->today < since)
				applies = 0;
			if (jv_bool(jv_get(n, "unconfirmed")) || jv_get(n, "source") != NULL)
				applies = 0;
			if (!applies)
				continue;
			e = jv_new_object();
			jv_set_str(e, "text", jv_str(jv_get(n, "text")));
			jv_set_str(e, "citation", jv_str(jv_get(n, "citation")));
			jv_push(jn, e);
		}
		jv_set(law, "has_notes", jv_new_bool(jv_len(jn) > 0));
		jv_set(law, "notes", jn);
		if (agent != NULL && agent_may_file(L, it->request))
			jv_set_str(law, "agent_citation", jv_str(jv_get(jv_get(L->json, "agent"), "citation")));
		if (jv_get(L->json, "regulator") != NULL)
			jv_set_str(law, "regulator", jv_str(jv_get(jv_get(L->json, "regulator"), "name")));
		/*
		 * The Delete Act's DROP covers data brokers, not the FCRA files of CRAs;
		 * a CRA registered as a data broker gets it for its other data.
		 */
		jv_set(law, "drop", jv_new_bool(jv_get(L->json, "drop") != NULL &&
		    it->request == REQ_DELETE && (!broker_is_cra(it->broker) ||
			broker_registration(it->broker, "california") != NULL)));
	}
	jv_set(d, "law", law);

	if (agent != NULL) {
		struct jv *a = jv_new_object();

		jv_set_str(a, "organization", agent->organization);
		jv_set_str(a, "name", agent->name);
		jv_set_str(a, "title", agent->title);
		jv_set(a, "address_lines", jv_lines(&agent->address, 0));
		jv_set_str(a, "email", agent->email);
		if (agent->phone != NULL) {
			char *ph = phone_display(agent->phone);

			jv_set_str(a, "phone", ph);
			free(ph);
		}
		jv_set(d, "agent", a);
		jv_push(enc, jv_new_string("Authorization signed by the consumer naming the agent"));
	}
	for (i = 0; it->documents[i] != NULL; i++)
		jv_push(enc, jv_new_string(document_text(it->documents[i])));
	if (it->request == REQ_CORRECT && it->correction != NULL && it->correction->evidence != NULL)
		jv_push(enc, jv_new_string(it->correction->evidence));
	jv_set(d, "has_enclosures", jv_new_bool(jv_len(enc) > 0));
	jv_set(d, "enclosures", enc);
	/* Where the law gives an agent no clear right, the person signs under the agent. */
	jv_set(d, "person_signs", jv_new_bool(agent != NULL &&
	    (it->law == NULL || !agent_may_file(it->law, it->request))));
	secure_free(name);
	secure_free(latin);
	return d;
}
