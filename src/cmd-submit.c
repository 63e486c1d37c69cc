/* optout submit: fill in and submit brokers' web forms, or prepare them for a person. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "optout/i18n.h"
#include "optout/form.h"
#include "optout/http.h"
#include "optout/jv.h"
#include "optout/ledger.h"
#include "optout/plan.h"
#include "optout/submit.h"

static int cmd_submit_run(int argc, char **argv);

static const struct cmd_option submit_options[] = {
	{ "profile", 'p', "FILE", N_("the person's profile (JSON)"), CMD_ARG_FILE },
	{ "brokers", 'b', "ID,...", N_("these brokers (see 'optout brokers list')"),
	    CMD_ARG_BROKERS },
	{ "all", 0, NULL, N_("every broker with a web form for the request") },
	{ "request", 'r', "TYPE", N_("access, delete, opt-out or correct"), CMD_ARG_WORDS,
	    "access delete opt-out correct" },
	{ "procedure", 0, "ID", N_("use this web procedure of the broker (see 'optout brokers "
	    "show'); by default the planner chooses"), CMD_ARG_TEXT },
	{ "send", 0, NULL, N_("submit the forms (without it nothing leaves the machine)") },
	{ "show", 0, NULL, N_("print sensitive values instead of *****") },
	{ "disclose", 0, "F,...", N_("allow sensitive fields the form requires (ssn, dob, ...)"),
	    CMD_ARG_TEXT },
	CMD_OPT_ITEM,
	{ "cacert", 0, "FILE", N_("trust this CA bundle (PEM) instead of the system's"),
	    CMD_ARG_FILE },
	{ "proxy", 0, "URL", N_("go through a SOCKS proxy, such as Tor: socks5h://127.0.0.1:9050"),
	    CMD_ARG_TEXT },
	{ "ledger", 0, "FILE", N_("with --send: the ledger that records each submission (default: "
	    "$XDG_DATA_HOME/optout/ledger.db)"), CMD_ARG_FILE },
	{ "json", 0, NULL, N_("machine-readable output") },
	{ NULL },
};

const struct command cmd_submit = {
    .name = "submit",
    .usage = "-p PROFILE -b ID,...|--all -r TYPE [--procedure ID] [--send] [--show] "
             "[--disclose F,...] [--cacert FILE] [--proxy socks5h://HOST:PORT] [--ledger FILE] "
             "[--json]",
    .summary = N_("fill in brokers' web forms: show the exact requests, or send them with --send"),
    .options = submit_options,
    .help =
        N_("Outcomes: done, awaiting-email-confirmation, needs-human (a CAPTCHA or a page that\n"
        "needs JavaScript: the page and the values to paste are printed; CAPTCHAs are never\n"
        "solved), needs-review (the form went out but no recognised answer came back: it\n"
        "may have been received, so it is never sent again automatically; check, then\n"
        "'optout mark REFERENCE sent' or 'failed'), failed.  Exit status: 0 for the first\n"
        "three, 65 when the plan refuses, 69 when a submission failed or needs review,\n"
        "75 when a site was busy or unreachable before the form went out (try later).\n"
        "Each reply is kept in $XDG_DATA_HOME/optout/evidence/REFERENCE.html (mode 0600).\n"
        "With --send each request is recorded in the ledger and committed as 'sending'\n"
        "before anything goes out; one the ledger shows as sent is never sent again.\n"),
    .run = cmd_submit_run,
};

/* A broker seen through its web procedures for one request type only. */
struct web_view {
	struct broker b;
	struct procedure *procs;
};

/* One broker's submission. */
struct sub {
	struct web_view *view;
	struct plan_item *it;
	struct form_job *job;
	int refused;         /* the plan or the record stopped it: nothing to do */
	struct submission sm; /* the sending, once --send */
};

/* Whether a procedure is one submit may use. */
static int
usable(const struct procedure *p, enum request r, const char *only)
{
	return p->channel == CH_WEB && p->request == r &&
	       (only == NULL || strcmp(p->id, only) == 0);
}

/* The broker with only its web procedures for r (or the one named), or NULL when none. */
static struct web_view *
web_only(const struct broker *b, enum request r, const char *only)
{
	struct web_view *v;
	size_t i, n = 0;

	for (i = 0; i < b->nprocedures; i++)
		n += usable(&b->procedures[i], r, only);
	if (n == 0)
		return NULL;
	v = xcalloc(1, sizeof *v);
	v->b = *b;
	v->procs = xcalloc(n, sizeof *v->procs);
	for (i = 0, n = 0; i < b->nprocedures; i++)
		if (usable(&b->procedures[i], r, only))
			v->procs[n++] = b->procedures[i];
	v->b.procedures = v->procs;
	v->b.nprocedures = n;
	return v;
}

/* Free a view. */
static void
web_view_free(struct web_view *v)
{
	if (v == NULL)
		return;
	free(v->procs);
	free(v);
}

/* Print the values a person pastes. */
static void
print_sheet(const struct sub *s, int show)
{
	const struct form_value *v;
	size_t n, i;
	int masked = 0;

	printf(_("  open:      %s\n"), form_start_url(s->job));
	if (form_last_url(s->job) != NULL) {
		char *d = http_url_display(form_last_url(s->job));

		printf(_("  reached:   %s\n"), d);
		free(d);
	}
	v = form_values(s->job, &n);
	if (n > 0)
		printf(_("  fill in:\n"));
	for (i = 0; i < n; i++) {
		const char *shown = form_shown(&v[i], show);

		masked |= v[i].sensitive && !show;
		if (*shown == '\0')
			shown = "(leave empty)";
		if (v[i].name != NULL && strcmp(v[i].label, v[i].name) != 0)
			printf(_("    %-30s %s   (field %s)\n"), v[i].label, shown, v[i].name);
		else
			printf("    %-30s %s\n", v[i].label, shown);
	}
	if (masked)
		printf(_("  (***** marks a sensitive value: add --show to print it)\n"));
	printf(_("  then:      submit the form yourself, solve any CAPTCHA there, and keep the\n"
	       "             confirmation page or email\n"));
}

/* The text report of one broker. */
static void
print_sub(const struct sub *s, int sent, int show)
{
	const char *const *t;
	size_t i;

	printf("%s — %s: %s\n", s->it->broker->id, request_name(s->it->request),
	    !sent && !form_for_person(s->job) ? _("dry run (nothing sent; add --send to submit)") :
	    form_for_person(s->job) ? "needs-human" : form_outcome_name(form_outcome(s->job)));
	if (form_verified(s->job))
		printf(_("  procedure: %s (web form)\n"), s->it->proc->id);
	else
		printf(_("  procedure: %s (web form; field names unverified)\n"), s->it->proc->id);
	if (form_for_person(s->job)) {
		printf(_("  why:       %s\n"), form_person_reason(s->job));
		print_sheet(s, show);
	} else if (!sent) {
		char *d = form_describe(s->job, show);
		const struct form_value *v;
		size_t n, k;
		int masked = 0;

		printf(_("  requests:\n%s"), d);
		free(d);
		for (v = form_values(s->job, &n), k = 0; k < n; k++)
			masked |= v[k].sensitive && !show;
		if (masked)
			printf(_("  (***** marks a sensitive value: add --show to print it)\n"));
	} else {
		printf(_("  why:       %s\n"), form_reason(s->job) ? form_reason(s->job) : "-");
		for (t = form_trace(s->job), i = 0; t[i] != NULL; i++)
			printf("  %s %s\n", i == 0 ? "requests: " : "          ", t[i]);
		if (form_outcome(s->job) == FORM_NEEDS_HUMAN)
			print_sheet(s, show);
		if (s->sm.evidence != NULL)
			printf(_("  evidence:  %s\n"), s->sm.evidence);
	}
	printf(_("  reference: %s\n"), s->it->reference);
}

/* The JSON report of one broker. */
static struct jv *
sub_jv(const struct sub *s, int sent, int show)
{
	struct jv *o = jv_new_object(), *vals = jv_new_array(), *tr = jv_new_array();
	const struct form_value *v;
	const char *const *t;
	size_t n, i;

	jv_set_str(o, "broker", s->it->broker->id);
	jv_set_str(o, "request", request_name(s->it->request));
	jv_set_str(o, "procedure", s->it->proc->id);
	jv_set_str(o, "reference", s->it->reference);
	jv_set_str(o, "url", form_start_url(s->job));
	jv_set(o, "verified", jv_new_bool(form_verified(s->job)));
	jv_set(o, "sent", jv_new_bool(sent && !form_for_person(s->job)));
	if (form_for_person(s->job))
		jv_set_str(o, "outcome", "needs-human");
	else if (!sent)
		jv_set_str(o, "outcome", "dry-run");
	else
		jv_set_str(o, "outcome", form_outcome_name(form_outcome(s->job)));
	jv_set(o, "retry_later", jv_new_bool(sent && form_outcome(s->job) == FORM_TRY_LATER));
	jv_set_str(o, "reason", form_for_person(s->job) ? form_person_reason(s->job) :
	    form_reason(s->job));
	if (!form_for_person(s->job))
		jv_set(o, "steps", form_describe_jv(s->job, show));
	v = form_values(s->job, &n);
	for (i = 0; i < n; i++) {
		struct jv *e = jv_new_object();

		jv_set_str(e, "label", v[i].label);
		jv_set_str(e, "name", v[i].name);
		jv_set_str(e, "value", form_shown(&v[i], show));
		jv_set_str(e, "from", v[i].from);
		jv_push(vals, e);
	}
	jv_set(o, "values", vals);
	for (t = form_trace(s->job), i = 0; t[i] != NULL; i++)
		jv_push(tr, jv_new_string(t[i]));
	jv_set(o, "requests", tr);
	jv_set_str(o, "evidence", s->sm.evidence);
	return o;
}

/*
 * Plan and prepare one broker; returns 0 or the exit status of a refusal.
 * With a ledger, an open request keeps its recorded reference (the form may carry it).
 */
static int
prepare(const struct broker *b, enum request req, const char *only, const struct cmd_inputs *in,
    const struct plan_opts *po, struct ledger *ledger, const char *client, struct sub *s)
{
	char *cause = NULL;
	int rc;

	memset(s, 0, sizeof *s);
	s->refused = 1;
	if ((s->view = web_only(b, req, only)) == NULL) {
		if (only != NULL)
			cmd_error(_("%s: no web procedure '%s' for %s requests (see 'optout brokers "
			    "show %s')"), b->id, only, request_name(req), b->id);
		else
			cmd_error(_("%s: no web form is known for %s requests (see 'optout plan')"),
			    b->id, request_name(req));
		return EX_UNAVAILABLE;
	}
	s->it = plan_make(&s->view->b, in->profile, in->laws, po);
	if ((rc = cmd_refuse_plan(s->it, "no web form is known")) != 0)
		return rc;
	if (ledger != NULL && ledger_reuse_reference(ledger, s->it, client, &cause) != 0) {
		cmd_error_cause(cause);
		return EX_SOFTWARE;
	}
	if ((s->job = form_prepare(s->it, in->profile, &cause)) == NULL) {
		cmd_error_cause(cause);
		return EX_DATAERR;
	}
	s->refused = 0;
	return 0;
}

/* Whether a broker has a web procedure for the request. */
static int
has_web(const struct broker *b, enum request r, const char *only)
{
	size_t i;

	for (i = 0; i < b->nprocedures; i++)
		if (usable(&b->procedures[i], r, only) && b->procedures[i].restricted_to == NULL)
			return 1;
	return 0;
}

/* The exit status for the outcomes: refusals, then failures, then busy sites. */
static int
worst(int rc, const struct sub *s, int sent)
{
	if (rc == EX_DATAERR || !sent || s->refused || form_for_person(s->job))
		return rc;
	if (form_outcome(s->job) == FORM_FAILED || form_outcome(s->job) == FORM_NEEDS_REVIEW)
		return rc == 0 || rc == EX_TEMPFAIL ? EX_UNAVAILABLE : rc;
	if (form_outcome(s->job) == FORM_TRY_LATER)
		return rc == 0 ? EX_TEMPFAIL : rc;
	return rc;
}

/* Say how many requests need review and what to do about them. */
static void
print_review(const struct sub *subs, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (!subs[i].refused && !subs[i].sm.already && !form_for_person(subs[i].job) &&
		    form_outcome(subs[i].job) == FORM_NEEDS_REVIEW)
			k++;
	if (k == 0)
		return;
	if (k == 1)
		printf(_("\n1 request needs review: it may have reached the broker, so it was not "
		       "sent again. Check your email and the broker's site, then run "
		       "'optout mark REFERENCE sent' or 'optout mark REFERENCE failed'.\n"));
	else
		printf(_("\n%zu requests need review: they may have reached the brokers, so they "
		       "were not sent again. Check your email and each broker's site, then run "
		       "'optout mark REFERENCE sent' or 'optout mark REFERENCE failed' for each.\n"), k);
}

/* optout submit */
static int
cmd_submit_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "brokers", required_argument, NULL, 'b' },
		{ "broker", required_argument, NULL, 'b' },
		{ "all", no_argument, NULL, 'a' },
		{ "request", required_argument, NULL, 'r' },
		{ "send", no_argument, NULL, 'S' },
		{ "show", no_argument, NULL, 's' },
		{ "disclose", required_argument, NULL, 'd' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "proxy", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "procedure", required_argument, NULL, 'R' },
		{ "item", required_argument, NULL, 'I' },
		{ "correct-to", required_argument, NULL, 'T' },
		{ "ledger", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *profile = NULL, *brokers = NULL, *request = NULL, *disclose = NULL;
	const char *only = NULL, *ledger_file = NULL, *client = NULL;
	struct ledger *ledger = NULL;
	struct correction corr = { 0 };
	int all = 0, send = 0, show = 0, json = 0, c, rc, r, any = 0;
	struct cmd_inputs in;
	const struct broker **sel = NULL;
	size_t nsel = 0, i, n = 0;
	struct sub *subs = NULL;
	struct http_opts ho;
	struct plan_opts po;
	enum request req;
	char **consent = NULL, *cause = NULL;

	http_opts_init(&ho);
	while ((c = cmd_getopt(&cmd_submit, argc, argv, "p:b:r:", longopts)) != -1) {
		switch (c) {
		case 'p': profile = optarg; break;
		case 'b': brokers = optarg; break;
		case 'a': all = 1; break;
		case 'r': request = optarg; break;
		case 'S': send = 1; break;
		case 's': show = 1; break;
		case 'd': disclose = optarg; break;
		case 'C': ho.cacert = optarg; break;
		case 'P': ho.proxy = optarg; break;
		case 'j': json = 1; break;
		case 'R': only = optarg; break;
		case 'I': corr.item = optarg; break;
		case 'T': corr.correct = optarg; break;
		case 'L': ledger_file = optarg; break;
		case 'h': cmd_usage(&cmd_submit, stdout); return 0;
		default: return EX_USAGE;
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_submit, _("unexpected argument '%s'"), argv[optind]);
	if (profile == NULL || request == NULL)
		return cmd_usage_error(&cmd_submit, _("-p PROFILE and -r TYPE are required"));
	if (request_parse(request, &req) != 0)
		return cmd_usage_error(&cmd_submit, _("-r: '%s' is not one of access, delete, "
		    "opt-out, correct"), request);
	if (ho.proxy != NULL && strncmp(ho.proxy, "socks5h://", 10) != 0)
		return cmd_usage_error(&cmd_submit, _("--proxy: only socks5h://HOST:PORT is accepted "
		    "(names are then resolved by the proxy, as Tor needs)"));
	if (ho.cacert != NULL && access(ho.cacert, R_OK) != 0) {
		cmd_error("%s: %s", ho.cacert, strerror(errno));
		return EX_NOINPUT;
	}
	if ((rc = cmd_parse_disclose(&cmd_submit, disclose, &consent)) != 0)
		return rc;
	if ((rc = cmd_load_inputs(profile, NULL, &in)) != 0) {
		str_list_free(consent);
		return rc;
	}
	if ((rc = cmd_select_brokers(&cmd_submit, in.reg, brokers, all ? "all" : NULL, &sel,
	    &nsel)) != 0)
		goto out;
	memset(&po, 0, sizeof po);
	po.request = req;
	po.disclose = (const char **)consent;
	po.today = date_today();
	po.correction = &corr;
	if (send) {
		/* Every person in a ledger is a client of their own (one label, one person). */
		if ((rc = cmd_profile_label(in.profile, profile, ledger_file != NULL,
		    json ? stderr : stdout)) != 0)
			goto out;
		if ((ledger = ledger_open(ledger_file, &cause)) == NULL) {
			cmd_error_cause(cause);
			rc = EX_CANTCREAT;
			goto out;
		}
		if ((rc = cmd_claim_label(ledger, in.profile, profile)) != 0)
			goto out;
		client = in.profile->label;
	}
	subs = xcalloc(nsel + 1, sizeof *subs);
	for (i = 0; i < nsel; i++) {
		/* --all means every broker that has a web form; others are simply not this
		 * command's. */
		if (all && !has_web(sel[i], req, only))
			continue;
		r = prepare(sel[i], req, only, &in, &po, ledger, client, &subs[n]);
		n++;
		if (r != 0 && (rc == 0 || r == EX_DATAERR))
			rc = r;
	}
	if (send) {
		struct submission **list = xcalloc(n + 1, sizeof *list);

		for (i = 0; i < n; i++) {
			subs[i].sm.it = subs[i].it;
			subs[i].sm.job = subs[i].refused ? NULL : subs[i].job;
			list[i] = &subs[i].sm;
		}
		r = submit_send(list, n, &ho, ledger, in.laws, client, &cause);
		free(list);
		if (r != 0) {
			cmd_error_cause(cause);
			rc = EX_SOFTWARE;
			goto out;
		}
		for (i = 0; i < n; i++) {
			if (subs[i].sm.already)
				cmd_error(_("%s: already %s in the ledger (see 'optout status'): not sent "
				    "again"), subs[i].it->broker->id, ledger_state_name(subs[i].sm.prior));
			if (subs[i].sm.problem != NULL)
				cmd_error("%s", subs[i].sm.problem);
		}
	}
	{
		struct jv *out = json ? jv_new_array() : NULL;

		for (i = 0; i < n; i++) {
			if (subs[i].refused)
				continue;
			if (json)
				jv_push(out, sub_jv(&subs[i], send, show));
			else {
				if (any)
					printf("\n");
				print_sub(&subs[i], send, show);
			}
			any = 1;
			rc = worst(rc, &subs[i], send);
		}
		if (json) {
			char *s = jv_dump(out, 1);

			printf("%s\n", s);
			secure_free(s);
			jv_free(out);
		}
	}
	if (all && n == 0 && !json)
		printf(_("No selected broker has a web form for %s requests.\n"), request_name(req));
	if (send && !json)
		print_review(subs, n);
out:
	for (i = 0; i < n; i++) {
		form_free(subs[i].job);
		submission_clear(&subs[i].sm);
		plan_item_free(subs[i].it);
		web_view_free(subs[i].view);
	}
	free(subs);
	ledger_close(ledger);
	free(sel);
	str_list_free(consent);
	cmd_inputs_free(&in);
	return rc;
}
