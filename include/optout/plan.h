/*
 * plan: the form engine.  For a person x broker x request type it chooses
 * the procedure and channel, the legal basis, the deadline, and exactly
 * which fields will be disclosed -- nothing the procedure does not require,
 * and no sensitive identifier without the person's explicit consent.
 *
 * Contract: plan_make returns a struct plan_item owned by the caller
 * (plan_item_free accepts NULL).  It borrows the broker, profile and laws,
 * which must outlive it.  plan_letter_data returns a new JSON value (the
 * data contract of letters/README.md) owned by the caller.
 */
#ifndef OPTOUT_PLAN_H
#define OPTOUT_PLAN_H

#include <stddef.h>

#include "optout/date.h"
#include "optout/laws.h"
#include "optout/profile.h"
#include "optout/registry.h"

struct jv;

enum plan_status {
	PLAN_READY,          /* everything needed is at hand */
	PLAN_NEEDS_CONSENT,  /* a required sensitive field needs --disclose */
	PLAN_MISSING,        /* the profile lacks a required field */
	PLAN_NO_PROCEDURE,   /* the broker takes no request of this type */
	PLAN_NO_CHANNEL,     /* no consumer channel is known at all */
};

/*
 * The legal basis a request stands on.  A consumer reporting agency's file is
 * reached through the FCRA and exempt from the state laws and (in the US) from
 * the GDPR's reach over it, while its other products are not: an access request
 * to a CRA is therefore two requests, one per basis (plan_bases).
 */
enum plan_basis {
	BASIS_ANY,     /* the one basis the broker and request allow */
	BASIS_FCRA,    /* the CRA's consumer file under the FCRA */
	BASIS_PRIVACY, /* the law of residence (state law, GDPR) or a courtesy request */
};

/* What a correction request asks to correct (from the command line). */
struct correction {
	const char *item;     /* the inaccurate information, as the person describes it */
	const char *correct;  /* the correct information */
	const char *evidence; /* the evidence enclosed, described neutrally; may be NULL */
};

struct plan_opts {
	enum request request;
	enum plan_basis basis;   /* from plan_bases; BASIS_ANY when there is one */
	const struct correction *correction; /* correct requests: required */
	const char **disclose;   /* sensitive fields the person consented to */
	const struct agent *agent; /* filing as authorized agent, or NULL */
	date_t today;
	int email_only;           /* consider only procedures taking email (send --prefer email) */
	int written_only;         /* consider only email and postal procedures (a form's written record) */
};

/*
 * Entries of plan_item.missing other than a profile field name: the
 * correction a correct request needs, and alternatives ("dob or ssn_last4")
 * joined by PLAN_MISSING_OR.  Pages translate both (packet.c).
 */
#define PLAN_MISSING_CORRECTION "correction (what is wrong and what is right: --item and --correct-to)"
#define PLAN_MISSING_OR " or "

struct plan_item {
	const struct broker *broker;
	enum request request;
	enum plan_basis basis;
	const struct procedure *proc; /* NULL unless a procedure was chosen */
	const struct law *law;        /* the legal basis (the "none" law when no statute) */
	struct deadline deadline;
	date_t today;                 /* the day the plan was made */
	date_t due;                   /* counted from today (sending day) */
	date_t extended_due;          /* due + extension, or 0 when none */
	int outside_reach;            /* a GDPR law the broker's record says does not reach it */
	int agent_refused;            /* filing as agent, but the broker turns agents away: the person files */
	enum plan_status status;
	const struct correction *correction; /* borrowed from the options */
	char **disclosed;   /* field names that go to the broker */
	char **withheld;    /* sensitive fields held back for want of consent */
	char **missing;     /* required fields the profile lacks */
	char **documents;   /* documents the person must enclose or upload */
	/*
	 * Plain sentences for the person, untranslated (N_() messages): each page
	 * translates them into its own language with i18n_page_gettext, the
	 * command line with _(); plan_to_jv gives them in English.
	 */
	char **notes;
	/*
	 * "OPT-XXXX-XXXX", random (vault_new_reference); ledger_record_plan
	 * replaces it with the one the ledger recorded for this request.
	 */
	char reference[16];
};

struct plan_item *plan_make(const struct broker *b, const struct profile *p,
    const struct laws *laws, const struct plan_opts *o);
void plan_item_free(struct plan_item *it);
/*
 * The bases on which a request to a broker is made, in order, into out (room
 * for 2); returns how many.  Access to a CRA: the FCRA disclosure and the
 * privacy-law request; anything else: one.
 */
size_t plan_bases(const struct broker *b, enum request r, enum plan_basis out[2]);
/* "fcra", "privacy", or NULL for BASIS_ANY. */
const char *plan_basis_name(enum plan_basis basis);
const char *plan_status_name(enum plan_status s);
/* A field's label for people ("Date of birth"), in English; _() translates it. */
const char *field_label(const char *field);
/* Whether a field is sensitive for this procedure. */
int field_is_sensitive(const struct procedure *proc, const char *field);
/*
 * The data for a letter template (see letters/README.md).  With latin set,
 * the person's name is given in its Latin form only (for renderers that
 * cannot print the script of the name as written).
 */
struct jv *plan_letter_data(const struct plan_item *it, const struct profile *p,
    const struct agent *agent, int latin);
/* The plan as JSON for --json and packet.json (field names, never values). */
struct jv *plan_to_jv(const struct plan_item *it);

#endif
