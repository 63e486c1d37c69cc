/* optout plan: show what would be requested from whom, under which law, disclosing what. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "optout/i18n.h"
#include "optout/jv.h"
#include "optout/plan.h"

static int cmd_plan_run(int argc, char **argv);

static const struct cmd_option plan_options[] = {
	{ "profile", 'p', "FILE", N_("the person's profile (JSON)"), CMD_ARG_FILE },
	CMD_OPT_SCOPE,
	CMD_OPT_REQUESTS,
	{ "disclose", 0, "F,...", N_("allow these sensitive fields to be sent where a procedure "
	    "requires them: ssn, ssn_last4, drivers_license, dob, ..."), CMD_ARG_TEXT },
	{ "agent", 0, "FILE", N_("plan as an authorized agent filing for the person"),
	    CMD_ARG_FILE },
	CMD_OPT_CORRECTION,
	{ "json", 0, NULL, N_("machine-readable output (field names, never values)") },
	{ NULL },
};

const struct command cmd_plan = {
	.name = "plan",
	.usage = "-p PROFILE [-b ID,...|--scope S|--all] [-r TYPE,...] [--disclose FIELD,...] "
		 "[--agent AGENT] [--json]",
	.summary = N_("show, for each broker, the procedure, legal basis, due date and exactly "
		   "what would be disclosed"),
	.options = plan_options,
	.help = N_("Nothing is written or sent: the plan only shows what would happen.\n"),
	.run = cmd_plan_run,
};

/* Join a list with a separator, or "-" when empty. */
static char *
join_sep(char **list, const char *sep)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; list != NULL && list[i] != NULL; i++)
		buf_printf(&b, "%s%s", i ? sep : "", list[i]);
	if (b.len == 0)
		buf_adds(&b, "-");
	return buf_detach(&b);
}

/* Join a list for display, or "-" when empty. */
static char *
join_list(char **list)
{
	return join_sep(list, ", ");
}

/* Print one plan item for a person to read. */
static void
print_item(const struct plan_item *it)
{
	char day[11], *s;
	size_t i;

	if (it->basis == BASIS_FCRA)
		printf(_("%s — %s (consumer file, FCRA): %s\n"), it->broker->id,
		    request_name(it->request), plan_status_name(it->status));
	else if (it->basis == BASIS_PRIVACY)
		printf(_("%s — %s (beyond the consumer file, privacy law): %s\n"), it->broker->id,
		    request_name(it->request), plan_status_name(it->status));
	else
		printf("%s — %s: %s\n", it->broker->id, request_name(it->request),
		    plan_status_name(it->status));
	if (it->status == PLAN_NO_CHANNEL) {
		printf(_("  No consumer channel is known for %s.\n"), it->broker->name);
		if (it->broker->no_consumer_channel != NULL) {
			s = str_wrap(it->broker->no_consumer_channel, 78, "  ", "  ");
			fputs(s, stdout);
			free(s);
		}
		return;
	}
	if (it->status == PLAN_NO_PROCEDURE) {
		printf(_("  %s has no known procedure for %s requests.\n"), it->broker->name,
		    request_name(it->request));
		for (i = 0; it->notes[i] != NULL; i++)
			printf(_("  note:      %s\n"), it->notes[i]);
		return;
	}
	printf(_("  procedure: %s (%s, %s)\n"), it->proc->id, channel_name(it->proc->channel),
	    it->proc->status);
	if (it->proc->url)
		printf(_("  where:     %s\n"), it->proc->url);
	else if (it->proc->email)
		printf(_("  where:     %s\n"), it->proc->email);
	else if (it->proc->postal)
		printf(_("  where:     %s, %s\n"), it->proc->postal->recipient, it->proc->postal->city);
	else if (it->proc->phone)
		printf(_("  where:     %s\n"), it->proc->phone);
	printf(_("  law:       %s — %s\n"), it->law->name, law_section(it->law, it->request));
	date_format(it->due, day);
	s = deadline_words(it->deadline.days, it->deadline.unit);
	if (it->deadline.binding)
		printf(_("  due:       %s (%s, set by law)\n"), day, s);
	else
		printf(_("  due:       %s (%s; a courtesy request, not a legal deadline)\n"), day, s);
	free(s);
	if (it->extended_due) {
		date_format(it->extended_due, day);
		printf(_("  extended:  %s at the latest, if the broker gives notice in time\n"), day);
	}
	s = join_list(it->disclosed);
	printf(_("  discloses: %s\n"), s);
	free(s);
	if (it->withheld[0] != NULL) {
		/* The --disclose value names every withheld field at once. */
		char *flag = join_sep(it->withheld, ",");

		s = join_list(it->withheld);
		printf(_("  withheld:  %s — sensitive; the procedure requires it, so the request "
		       "cannot go out until you allow it with --disclose %s\n"), s, flag);
		free(flag);
		free(s);
	}
	if (it->missing[0] != NULL) {
		s = join_list(it->missing);
		printf(_("  refused:   the profile lacks %s, which this procedure requires\n"), s);
		free(s);
	}
	if (it->documents[0] != NULL) {
		printf(_("  enclose:   "));
		for (i = 0; it->documents[i] != NULL; i++)
			printf("%s%s", i ? "; " : "", field_label(it->documents[i]));
		printf("\n");
	}
	for (i = 0; it->notes[i] != NULL; i++)
		printf(_("  note:      %s\n"), it->notes[i]);
	printf(_("  reference: %s\n"), it->reference);
}

/* optout plan */
static int
cmd_plan_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "brokers", required_argument, NULL, 'b' },
		{ "all", no_argument, NULL, 'a' },
		{ "scope", required_argument, NULL, 'S' },
		{ "request", required_argument, NULL, 'r' },
		{ "disclose", required_argument, NULL, 'd' },
		{ "agent", required_argument, NULL, 'A' },
		{ "item", required_argument, NULL, 'I' },
		{ "correct-to", required_argument, NULL, 'T' },
		{ "evidence", required_argument, NULL, 'E' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *profile = NULL, *brokers = NULL, *requests = NULL, *disclose = NULL;
	const char *agent = NULL;
	struct correction corr = { 0 };
	const char *scope = NULL;
	int json = 0, c, rc;
	struct cmd_job job;
	size_t i, k;
	struct jv *out = NULL;
	struct plan_opts o;

	while ((c = cmd_getopt(&cmd_plan, argc, argv, "p:b:r:", longopts)) != -1) {
		switch (c) {
		case 'p': profile = optarg; break;
		case 'b': brokers = optarg; break;
		case 'a': scope = "all"; break;
		case 'S': scope = optarg; break;
		case 'r': requests = optarg; break;
		case 'd': disclose = optarg; break;
		case 'A': agent = optarg; break;
		case 'I': corr.item = optarg; break;
		case 'T': corr.correct = optarg; break;
		case 'E': corr.evidence = optarg; break;
		case 'j': json = 1; break;
		case 'h': cmd_usage(&cmd_plan, stdout); return 0;
		default: return EX_USAGE;
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_plan, _("unexpected argument '%s'"), argv[optind]);
	if (profile == NULL)
		return cmd_usage_error(&cmd_plan, _("a profile is required (-p FILE)"));
	if ((rc = cmd_job_start(&cmd_plan, profile, agent, brokers, scope, requests, disclose,
	    &job)) != 0)
		return rc;
	memset(&o, 0, sizeof o);
	o.disclose = (const char **)job.consent;
	o.agent = job.in.agent;
	o.correction = &corr;
	o.today = date_today();
	if (json)
		out = jv_new_array();
	for (i = 0; i < job.nbrokers; i++) {
		for (k = 0; k < job.nrequests; k++) {
			enum plan_basis bases[2];
			size_t nb = plan_bases(job.brokers[i], job.requests[k], bases), m;

			for (m = 0; m < nb && rc == 0; m++) {
				struct plan_item *it;

				o.request = job.requests[k];
				o.basis = bases[m];
				it = plan_make(job.brokers[i], job.in.profile, job.in.laws, &o);
				/* An open request shows the reference its letter carries. */
				if ((rc = cmd_recorded_reference(&it, 1, job.in.profile)) != 0) {
					plan_item_free(it);
					break;
				}
				if (json)
					jv_push(out, plan_to_jv(it));
				else {
					if (i > 0 || k > 0 || m > 0)
						printf("\n");
					print_item(it);
				}
				plan_item_free(it);
			}
		}
		if (rc != 0)
			break;
	}
	if (json && rc == 0) {
		char *s = jv_dump(out, 1);

		printf("%s\n", s);
		free(s);
	}
	jv_free(out);
	cmd_job_end(&job);
	return rc;
}
