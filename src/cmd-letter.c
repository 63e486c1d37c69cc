/* optout letter: write one request letter as PDF, text or email. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "optout/i18n.h"
#include "optout/doc.h"
#include "optout/jv.h"
#include "optout/letter.h"
#include "optout/plan.h"

static int cmd_letter_run(int argc, char **argv);

static const struct cmd_option letter_options[] = {
	{ "profile", 'p', "FILE", N_("the person's profile (JSON)"), CMD_ARG_FILE },
	{ "broker", 'b', "ID", N_("the broker (see 'optout brokers list')"), CMD_ARG_BROKERS },
	{ "request", 'r', "TYPE", N_("access, delete, opt-out, correct or freeze"), CMD_ARG_WORDS,
	    CMD_REQUEST_WORDS },
	{ "format", 'f', "FORMAT", N_("pdf, txt or eml (default: the -o FILE's extension, else txt)"),
	    CMD_ARG_WORDS, "pdf txt eml" },
	{ "output", 'o', "FILE", N_("write here (default: standard output; PDF needs -o when "
	    "standard output is a terminal)"), CMD_ARG_FILE },
	{ "disclose", 0, "F,...", N_("allow sensitive fields the procedure requires"),
	    CMD_ARG_TEXT },
	{ "agent", 0, "FILE", N_("write as an authorized agent filing for the person"),
	    CMD_ARG_FILE },
	{ "basis", 0, "B", N_("access to a consumer reporting agency, and opt-out at a nationwide "
	    "one, are two requests each: fcra (the consumer file, the default) or privacy (the "
	    "state law or GDPR request for everything else)"), CMD_ARG_WORDS, "fcra privacy" },
	CMD_OPT_CORRECTION,
	{ "data", 0, NULL, N_("print the template data (JSON) instead of the letter") },
	{ NULL },
};

const struct command cmd_letter = {
	.name = "letter",
	.usage = "-p PROFILE -b BROKER -r TYPE [-f pdf|txt|eml] [-o FILE] [--disclose F,...] "
		 "[--agent AGENT] [--basis fcra|privacy] [--item TEXT --correct-to TEXT "
		 "[--evidence TEXT]] [--data]",
	.summary = N_("write one request letter"),
	.options = letter_options,
	.run = cmd_letter_run,
};

/* Write bytes to a file atomically, or to standard output. */
static int
emit(const char *path, const void *data, size_t len)
{
	char *cause = NULL;

	if (path == NULL) {
		if (fwrite(data, 1, len, stdout) != len)
			return EX_IOERR;
		return 0;
	}
	if (write_file_atomic(path, data, len, 0600, &cause) != 0) {
		cmd_error_cause(cause);
		return EX_CANTCREAT;
	}
	return 0;
}

/* Write the letter in the requested format (d is NULL for a PDF, which renders its own). */
static int
output(struct letters *l, const struct doc *d, const char *format, const char *path,
    const struct plan_item *it, const struct profile *p, const struct agent *agent)
{
	char *cause = NULL;
	int rc;

	if (strcmp(format, "txt") == 0) {
		char *text = doc_to_text(d, 78);

		rc = emit(path, text, strlen(text));
		secure_free(text);
		return rc;
	}
	if (strcmp(format, "pdf") == 0) {
		unsigned char *pdf;
		size_t len;

		/* As in a packet: a name the PDF cannot print falls back to its Latin form. */
		if (letter_pdf(l, it, p, agent, p->signature_image, &pdf, &len, NULL, &cause) != 0) {
			cmd_error_cause(cause);
			return EX_DATAERR;
		}
		rc = emit(path, pdf, len);
		free(pdf);
		return rc;
	}
	{
		char *msg;

		if (it->proc == NULL || it->proc->email == NULL) {
			cmd_error(_("%s: procedure %s is not by email; use -f pdf or -f txt"),
			    it->broker->id, it->proc ? it->proc->id : "-");
			return EX_USAGE;
		}
		if ((msg = letter_email(d, it, p, agent, &cause)) == NULL) {
			cmd_error_cause(cause);
			return EX_DATAERR;
		}
		rc = emit(path, msg, strlen(msg));
		secure_free(msg);
		return rc;
	}
}

/* optout letter */
static int
cmd_letter_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "broker", required_argument, NULL, 'b' },
		{ "request", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "disclose", required_argument, NULL, 'd' },
		{ "agent", required_argument, NULL, 'A' },
		{ "item", required_argument, NULL, 'I' },
		{ "correct-to", required_argument, NULL, 'T' },
		{ "evidence", required_argument, NULL, 'E' },
		{ "data", no_argument, NULL, 'D' },
		{ "basis", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *profile = NULL, *broker = NULL, *request = NULL, *format = NULL;
	const char *outpath = NULL, *disclose = NULL, *agent = NULL, *basis = NULL;
	struct correction corr = { 0 };
	enum plan_basis bases[2];
	size_t nb, m;
	int data_only = 0, c, rc;
	struct cmd_inputs in;
	const struct broker *b;
	struct plan_item *it = NULL;
	struct letters *letters = NULL;
	struct doc *d = NULL;
	struct plan_opts o;
	enum request req;
	char **consent = NULL, *cause = NULL;

	while ((c = cmd_getopt(&cmd_letter, argc, argv, "p:b:r:f:o:", longopts)) != -1) {
		switch (c) {
		case 'p': profile = optarg; break;
		case 'b': broker = optarg; break;
		case 'r': request = optarg; break;
		case 'f': format = optarg; break;
		case 'o': outpath = optarg; break;
		case 'd': disclose = optarg; break;
		case 'A': agent = optarg; break;
		case 'I': corr.item = optarg; break;
		case 'T': corr.correct = optarg; break;
		case 'E': corr.evidence = optarg; break;
		case 'D': data_only = 1; break;
		case 'B': basis = optarg; break;
		case 'h': cmd_usage(&cmd_letter, stdout); return 0;
		default: return EX_USAGE;
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_letter, _("unexpected argument '%s'"), argv[optind]);
	if (profile == NULL || broker == NULL || request == NULL)
		return cmd_usage_error(&cmd_letter, _("-p PROFILE, -b BROKER and -r TYPE are required"));
	if (request_parse(request, &req) != 0)
		return cmd_usage_error(&cmd_letter, _("-r: '%s' is not one of access, delete, "
		    "opt-out, correct, freeze"), request);
	if (basis != NULL && strcmp(basis, "fcra") != 0 && strcmp(basis, "privacy") != 0)
		return cmd_usage_error(&cmd_letter, _("--basis: '%s' is not one of fcra, privacy"),
		    basis);
	/* Without -f, "-o letter.pdf" means a PDF (and .eml an email), not text under that name. */
	if (format == NULL) {
		format = "txt";
		if (outpath != NULL && str_ends_with_ci(outpath, ".pdf"))
			format = "pdf";
		else if (outpath != NULL && str_ends_with_ci(outpath, ".eml"))
			format = "eml";
	}
	if (strcmp(format, "pdf") != 0 && strcmp(format, "txt") != 0 && strcmp(format, "eml") != 0)
		return cmd_usage_error(&cmd_letter, _("-f: '%s' is not one of pdf, txt, eml"), format);
	if (strcmp(format, "pdf") == 0 && outpath == NULL && !data_only && isatty(STDOUT_FILENO))
		return cmd_usage_error(&cmd_letter, _("a PDF needs -o FILE when output is a terminal"));
	if ((rc = cmd_parse_disclose(&cmd_letter, disclose, &consent)) != 0)
		return rc;
	if ((rc = cmd_load_inputs_for(profile, agent, broker, &in)) != 0) {
		str_list_free(consent);
		return rc;
	}
	if ((b = registry_find(in.reg, broker)) == NULL) {
		cmd_error(_("no broker with id '%s' (try 'optout brokers search WORD')"), broker);
		rc = EX_DATAERR;
		goto out;
	}
	memset(&o, 0, sizeof o);
	o.request = req;
	nb = plan_bases(b, req, bases);
	o.basis = bases[0];
	if (basis != NULL) {
		for (m = 0; m < nb; m++)
			if (plan_basis_name(bases[m]) != NULL && strcmp(plan_basis_name(bases[m]), basis) == 0)
				break;
		if (m == nb) {
			rc = cmd_usage_error(&cmd_letter, _("--basis: %s takes %s requests on one basis "
			    "only; leave --basis out"), b->name, request_name(req));
			goto out;
		}
		o.basis = bases[m];
	}
	o.disclose = (const char **)consent;
	o.agent = in.agent;
	o.correction = &corr;
	o.today = date_today();
	it = plan_make(b, in.profile, in.laws, &o);
	if ((rc = cmd_refuse_plan(it, NULL)) != 0)
		goto out;
	if ((rc = cmd_recorded_reference(&it, 1, in.profile)) != 0)
		goto out;
	if (data_only) {
		struct jv *data = plan_letter_data(it, in.profile, in.agent, 0);
		char *s = jv_dump(data, 1);

		rc = emit(outpath, s, strlen(s));
		if (rc == 0 && outpath == NULL)
			putchar('\n');
		secure_free(s);
		jv_free(data);
		goto out;
	}
	letters = letters_open(data_dir());
	/* A PDF is rendered by letter_pdf itself (it may need the Latin form of the name). */
	if (strcmp(format, "pdf") != 0 &&
	    (d = letter_for_plan(letters, it, in.profile, in.agent, 0, &cause)) == NULL) {
		cmd_error_cause(cause);
		rc = EX_DATAERR;
		goto out;
	}
	rc = output(letters, d, format, outpath, it, in.profile, in.agent);
out:
	doc_free(d);
	letters_close(letters);
	plan_item_free(it);
	str_list_free(consent);
	cmd_inputs_free(&in);
	return rc;
}
