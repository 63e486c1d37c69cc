/* optout template render: try a letter template with some data. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "optout/i18n.h"
#include "optout/jv.h"
#include "optout/template.h"

#define TEMPLATE_MAX_BYTES ((size_t)256 * 1024)

static int cmd_template_run(int argc, char **argv);

static const struct cmd_word template_words[] = {
	{ "render", "FILE", N_("print the template filled in with the data") },
	{ NULL },
};

static const struct cmd_option template_options[] = {
	{ "data", 0, "JSON", N_("a JSON file, or inline JSON starting with { or ["),
	    CMD_ARG_FILE },
	{ "partials", 0, "DIR", N_("where {{> name}} finds name.mustache (default: no partials)"),
	    CMD_ARG_DIR },
	{ "escape", 0, "MODE", N_("html (default), none, or doc (optout's letter markup)"),
	    CMD_ARG_WORDS, "html none doc" },
	{ NULL },
};

const struct command cmd_template = {
	.name = "template",
	.usage = "render FILE --data JSON [--partials DIR] [--escape html|none|doc]",
	.summary = N_("render a Mustache template with data, for people who write or translate letters"),
	.words_title = N_("Subcommands:"),
	.words = template_words,
	.options = template_options,
	.operands = { CMD_ARG_WORDS, CMD_ARG_FILE },
	.run = cmd_template_run,
};

/* Load partials from a directory. */
static int
load_partial(void *ctx, const char *name, char **text, char **cause)
{
	const char *dir = ctx;
	char *path;
	int rc;

	if (dir == NULL) {
		*text = NULL;
		return 0;
	}
	if (name[0] == '.' || strchr(name, '/') != NULL) {
		*cause = xasprintf(_("partial name '%s' is not a plain name"), name);
		return -1;
	}
	path = xasprintf("%s/%s.mustache", dir, name);
	rc = read_file(path, TEMPLATE_MAX_BYTES, text, NULL, cause);
	free(path);
	return rc;
}

/* optout template render */
static int
cmd_template_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "partials", required_argument, NULL, 'P' },
		{ "escape", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *data = NULL, *partials = NULL, *file;
	struct tmpl_opts o = { 0 };
	struct tmpl *t = NULL;
	struct jv *v = NULL;
	char *text = NULL, *out = NULL, *cause = NULL;
	int c, rc = 0;

	o.escape = TMPL_ESCAPE_HTML;
	while ((c = cmd_getopt(&cmd_template, argc, argv, "", longopts)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'P': partials = optarg; break;
		case 'e':
			if (strcmp(optarg, "html") == 0)
				o.escape = TMPL_ESCAPE_HTML;
			else if (strcmp(optarg, "none") == 0)
				o.escape = TMPL_ESCAPE_NONE;
			else if (strcmp(optarg, "doc") == 0)
				o.escape = TMPL_ESCAPE_DOC;
			else
				return cmd_usage_error(&cmd_template,
				    _("--escape: '%s' is not one of html, none, doc"), optarg);
			break;
		case 'h': cmd_usage(&cmd_template, stdout); return 0;
		default: return EX_USAGE;
		}
	}
	if (argc - optind != 2 || strcmp(argv[optind], "render") != 0)
		return cmd_usage_error(&cmd_template, _("usage: template render FILE --data JSON"));
	file = argv[optind + 1];
	if (data == NULL)
		return cmd_usage_error(&cmd_template, _("--data JSON is required"));
	if (data[0] == '{' || data[0] == '[')
		v = jv_parse(data, strlen(data), "--data", &cause);
	else
		v = jv_load_file(data, (size_t)4 * 1024 * 1024, &cause);
	if (v == NULL) {
		cmd_error_cause(cause);
		return EX_DATAERR;
	}
	if (read_file(file, TEMPLATE_MAX_BYTES, &text, NULL, &cause) != 0) {
		cmd_error_cause(cause);
		jv_free(v);
		return EX_NOINPUT;
	}
	o.load = load_partial;
	o.load_ctx = (void *)partials;
	if ((t = tmpl_parse(text, file, &cause)) == NULL ||
	    tmpl_render(t, v, &o, &out, &cause) != 0) {
		cmd_error_cause(cause);
		rc = EX_DATAERR;
	} else
		fputs(out, stdout);
	free(out);
	tmpl_free(t);
	free(text);
	jv_free(v);
	return rc;
}
