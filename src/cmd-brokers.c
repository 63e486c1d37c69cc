/* optout brokers list|show|validate|search: read the broker registry. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "optout/i18n.h"
#include "optout/date.h"
#include "optout/import.h"
#include "optout/jv.h"
#include "optout/registry.h"

static int cmd_brokers_run(int argc, char **argv);

static const struct cmd_word brokers_words[] = {
	{ "list", NULL, N_("every broker, one per line") },
	{ "show", "ID [--json]", N_("one broker: procedures, requirements, sources, caveats") },
	{ "validate", "[FILE...]", N_("check broker files (default: the whole registry) against "
	    "brokers/schema.json; exit 65 when invalid") },
	{ "search", "WORD [--json]", N_("brokers whose name, aliases or parent contain WORD (ignoring "
	    "case and accents)") },
	{ "import", "FILE...", N_("turn state data-broker registry exports (CSV) into broker "
	    "records, merged with the curated ones") },
	{ NULL },
};

static const struct cmd_option brokers_options[] = {
	{ "category", 0, "C", N_("only brokers in category C (e.g. people-search, risk)"),
	    CMD_ARG_TEXT, NULL, "list" },
	{ "request", 0, "R", N_("only brokers taking requests of type R (access, delete, opt-out, "
	    "correct, freeze)"), CMD_ARG_WORDS, CMD_REQUEST_WORDS, "list" },
	{ "channel", 0, "CH", N_("only brokers with a procedure by CH (web, email, postal, phone, "
	    "fax)"), CMD_ARG_WORDS, "web email postal phone fax", "list" },
	{ "sells-to-government", 0, NULL, N_("only brokers known to sell to government agencies"),
	    CMD_ARG_NONE, NULL, "list" },
	{ "stale", 0, "DAYS", N_("only brokers last verified more than DAYS days ago"),
	    CMD_ARG_TEXT, NULL, "list" },
	{ "source", 0, "S", N_("only curated (researched) or imported (from a state registry) "
	    "records"), CMD_ARG_WORDS, "curated imported", "list" },
	{ "json", 0, NULL, N_("the full records as a JSON array"), CMD_ARG_NONE, NULL, "list" },
	{ "json", 0, NULL, N_("the record as JSON"), CMD_ARG_NONE, NULL, "show" },
	{ "json", 0, NULL, N_("the matching records as a JSON array"), CMD_ARG_NONE, NULL,
	    "search" },
	{ "registry", 0, "R", N_("california, vermont, texas or oregon (default: from the file "
	    "name)"), CMD_ARG_WORDS, "california vermont texas oregon", "import" },
	{ "as-of", 0, "DATE", N_("the registry file's date (default: from the file name)"),
	    CMD_ARG_TEXT, NULL, "import" },
	{ "output", 'o', "DIR", N_("where to write them (default: brokers/imported in the data "
	    "directory); exit 65 when a file is unusable"), CMD_ARG_DIR, NULL, "import" },
	{ NULL },
};

const struct command cmd_brokers = {
	.name = "brokers",
	.usage = "list [FILTERS] [--json] | show ID [--json] | validate [FILE...] | search WORD | "
	    "import FILE... [--registry R] [--as-of DATE] [-o DIR]",
	.summary = N_("list, show, search and validate the data brokers in the registry"),
	.words_title = N_("Subcommands:"),
	.words = brokers_words,
	.options = brokers_options,
	.operands = { CMD_ARG_WORDS, CMD_ARG_BROKERS },
	.run = cmd_brokers_run,
};

/* Load the registry, printing the cause on failure. */
static struct registry *
load_registry(void)
{
	char *cause = NULL;
	struct registry *r = registry_load(data_dir(), &cause);

	if (r == NULL)
		cmd_error_cause(cause);
	return r;
}

/* "a, b, c" from a list, or "-" when empty. */
static char *
join(const char **list, const char *sep)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; list != NULL && list[i] != NULL; i++) {
		if (i > 0)
			buf_adds(&b, sep);
		buf_adds(&b, list[i]);
	}
	if (b.len == 0)
		buf_adds(&b, "-");
	return buf_detach(&b);
}

/* The channels of a broker's procedures, a bit each, per request type. */
static void
masks_of(const struct broker *b, unsigned char masks[REQ_COUNT])
{
	size_t i;

	memset(masks, 0, REQ_COUNT);
	for (i = 0; i < b->nprocedures; i++)
		if ((unsigned)b->procedures[i].request < REQ_COUNT &&
		    (unsigned)b->procedures[i].channel < CH_COUNT)
			masks[b->procedures[i].request] |=
			    (unsigned char)(1u << b->procedures[i].channel);
}

/* Whether there is a procedure of this request type and channel (either < 0: any). */
static int
has_procedure(const unsigned char masks[REQ_COUNT], int request, int channel)
{
	int r;

	for (r = 0; r < REQ_COUNT; r++)
		if ((request < 0 || r == request) &&
		    (channel < 0 ? masks[r] != 0 : (masks[r] >> channel) & 1))
			return 1;
	return 0;
}

/* The request types a broker takes, as a compact word: "access,delete,...". */
static char *
requests_of(const unsigned char masks[REQ_COUNT])
{
	const char *list[REQ_COUNT + 1];
	size_t n = 0;
	int r;

	for (r = 0; r < REQ_COUNT; r++)
		if (has_procedure(masks, r, -1))
			list[n++] = request_name((enum request)r);
	list[n] = NULL;
	return join(list, ",");
}

/* The channels a broker uses. */
static char *
channels_of(const unsigned char masks[REQ_COUNT])
{
	const char *list[CH_COUNT + 1];
	size_t n = 0;
	int c;

	for (c = 0; c < CH_COUNT; c++)
		if (has_procedure(masks, -1, c))
			list[n++] = channel_name((enum channel)c);
	list[n] = NULL;
	return join(list, ",");
}

/* The list's table: a column is as wide as its minimum or its translated header. */
struct table {
	int widths[4];
};

/* Print the header line and fix the columns' widths. */
static void
table_head(struct table *t)
{
	/* TRANSLATORS: column headers of 'brokers list'; GOV: sells to government. */
	static const char *const heads[] = { N_("ID"), N_("GOV"), N_("VERIFIED"), N_("REQUESTS"),
		N_("CHANNELS") };
	static const int min[4] = { 28, 4, 10, 31 };
	size_t i;

	/* Counted in characters. */
	for (i = 0; i < 4; i++) {
		t->widths[i] = min[i];
		if (cmd_width(_(heads[i])) > t->widths[i])
			t->widths[i] = cmd_width(_(heads[i]));
	}
	for (i = 0; i < 4; i++)
		cmd_cell(_(heads[i]), t->widths[i], " ");
	printf("%s\n", _(heads[4]));
}

/* Print one broker's line. */
static void
table_line(const struct table *t, const char *id, int gov, const char *verified,
    const unsigned char masks[REQ_COUNT])
{
	char *req = requests_of(masks), *ch = channels_of(masks);

	cmd_cell(id, t->widths[0], " ");
	/* TRANSLATORS: the GOV column of 'brokers list': the broker sells to government. */
	cmd_cell(gov ? _("yes") : "-", t->widths[1], " ");
	cmd_cell(verified, t->widths[2], " ");
	cmd_cell(req, t->widths[3], " ");
	printf("%s\n", ch);
	free(req);
	free(ch);
}

/* Print brokers as a table or a JSON array. */
static void
print_list(const struct broker *const *list, size_t n, int json)
{
	struct table t;
	size_t i;

	if (json) {
		struct jv *arr = jv_new_array();
		char *s;

		for (i = 0; i < n; i++)
			jv_push(arr, jv_copy(list[i]->json));
		s = jv_dump(arr, 1);
		printf("%s\n", s);
		free(s);
		jv_free(arr);
		return;
	}
	table_head(&t);
	for (i = 0; i < n; i++) {
		unsigned char masks[REQ_COUNT];

		masks_of(list[i], masks);
		table_line(&t, list[i]->id, list[i]->sells_to_government, list[i]->verified, masks);
	}
}

/* What brokers list keeps: the filters given on the command line. */
struct list_filter {
	const char *category;
	int source; /* 0 curated, 1 imported, -1 both */
	int request, channel, gov;
	long stale;
	date_t today;
};

/* Whether a broker passes the filters (its row's fields as arguments). */
static int
list_keeps(const struct list_filter *f, const unsigned char masks[REQ_COUNT], int gov,
    int imported, const char *verified)
{
	date_t v;

	if ((f->request >= 0 || f->channel >= 0) && !has_procedure(masks, f->request, f->channel))
		return 0;
	if (f->gov && !gov)
		return 0;
	if (f->source >= 0 && imported != f->source)
		return 0;
	if (f->stale >= 0 && (verified == NULL || date_parse(verified, &v) != 0 ||
	    f->today - v <= f->stale))
		return 0;
	return 1;
}

/* The table from the listing index: no record is parsed when the registry is unchanged. */
static int
list_table(const struct list_filter *f)
{
	char *cause = NULL;
	struct registry_index *ix = registry_index_load(data_dir(), &cause);
	struct table t;
	size_t i;

	if (ix == NULL) {
		cmd_error_cause(cause);
		return EX_DATAERR;
	}
	table_head(&t);
	for (i = 0; i < ix->n; i++) {
		const struct broker_row *row = &ix->rows[i];

		if ((f->category != NULL && !broker_row_has_category(row, f->category)) ||
		    !list_keeps(f, row->channels, row->sells_to_government, row->imported,
		    row->verified))
			continue;
		table_line(&t, row->id, row->sells_to_government, row->verified, row->channels);
	}
	registry_index_free(ix);
	return 0;
}

/* optout brokers list [FILTERS] [--json] */
static int
brokers_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "category", required_argument, NULL, 'c' },
		{ "request", required_argument, NULL, 'r' },
		{ "channel", required_argument, NULL, 'C' },
		{ "sells-to-government", no_argument, NULL, 'g' },
		{ "stale", required_argument, NULL, 's' },
		{ "source", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct list_filter f = { NULL, -1, -1, -1, 0, -1, 0 };
	int json = 0, c;
	const struct broker **out;
	struct registry *r;
	size_t i, n = 0;

	while ((c = cmd_getopt(&cmd_brokers, argc, argv, "", longopts)) != -1) {
		switch (c) {
		case 'c':
			f.category = optarg;
			break;
		case 'r': {
			enum request rq;

			if (request_parse(optarg, &rq) != 0)
				return cmd_usage_error(&cmd_brokers, _("--request: '%s' is not one of "
				    "access, delete, opt-out, correct, freeze"), optarg);
			f.request = (int)rq;
			break;
		}
		case 'C': {
			enum channel ch;

			if (channel_parse(optarg, &ch) != 0)
				return cmd_usage_error(&cmd_brokers, _("--channel: '%s' is not one of "
				    "web, email, postal, phone, fax"), optarg);
			f.channel = (int)ch;
			break;
		}
		case 'g':
			f.gov = 1;
			break;
		case 's': {
			char *end;

			f.stale = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || f.stale < 0)
				return cmd_usage_error(&cmd_brokers,
				    _("--stale: '%s' is not a number of days"), optarg);
			break;
		}
		case 'S':
			if (strcmp(optarg, "curated") != 0 && strcmp(optarg, "imported") != 0)
				return cmd_usage_error(&cmd_brokers, _("--source: '%s' is not one of "
				    "curated, imported"), optarg);
			f.source = strcmp(optarg, "imported") == 0;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			cmd_usage(&cmd_brokers, stdout);
			return 0;
		default:
			return EX_USAGE;
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_brokers, _("list: unexpected argument '%s'"), argv[optind]);
	f.today = date_today();
	/* The table needs only what the listing index keeps; --json prints whole records. */
	if (!json)
		return list_table(&f);
	if ((r = load_registry()) == NULL)
		return EX_DATAERR;
	out = xcalloc(r->n ? r->n : 1, sizeof *out);
	for (i = 0; i < r->n; i++) {
		const struct broker *b = r->brokers[i];
		unsigned char masks[REQ_COUNT];

		masks_of(b, masks);
		if ((f.category != NULL && !broker_has_category(b, f.category)) ||
		    !list_keeps(&f, masks, b->sells_to_government, broker_is_imported(b), b->verified))
			continue;
		out[n++] = b;
	}
	print_list(out, n, json);
	free(out);
	registry_free(r);
	return 0;
}

/* Print a labelled field wrapped under an indent. */
static void
field(const char *indent, const char *label, const char *value)
{
	char *first, *rest, *w;

	if (value == NULL)
		return;
	first = xasprintf("%s%s: ", indent, label);
	rest = xasprintf("%s  ", indent);
	w = str_wrap(value, 78, first, rest);
	fputs(w, stdout);
	free(w);
	free(first);
	free(rest);
}

/* Print sources as an indented list. */
static void
print_sources(const char *indent, const struct source *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		/* The address once: many references begin with it. */
		int show_url = s[i].url != NULL && strstr(s[i].ref, s[i].url) == NULL;
		char *line = xasprintf("%s%s%s%s (%s%s)", s[i].ref, show_url ? " <" : "",
		    show_url ? s[i].url : "", show_url ? ">" : "", s[i].as_of ? "as of " : "undated",
		    s[i].as_of ? s[i].as_of : "");
		char *first = xasprintf("%s- ", indent), *rest = xasprintf("%s  ", indent);
		char *w = str_wrap(line, 78, first, rest);

		fputs(w, stdout);
		free(w);
		free(first);
		free(rest);
		free(line);
	}
}

/* Print one procedure in full. */
static void
print_procedure(size_t i, const struct procedure *p)
{
	char *s;

	printf(_("\n  %zu. %s by %s  [%s]  status: %s\n"), i + 1, request_name(p->request),
	    channel_name(p->channel), p->id, p->status);
	field("     ", _("URL"), p->url);
	field("     ", _("Email"), p->email);
	field("     ", _("Phone"), p->phone);
	field("     ", _("Fax"), p->fax);
	if (p->postal != NULL) {
		const char **l;

		printf(_("     Address: %s\n"), p->postal->recipient);
		for (l = p->postal->street; *l != NULL; l++)
			printf("              %s\n", *l);
		printf("              %s%s%s %s\n              %s\n", p->postal->city,
		    p->postal->region ? ", " : "", p->postal->region ? p->postal->region : "",
		    p->postal->postal_code, p->postal->country);
	}
	s = join(p->laws, ", ");
	field("     ", _("Legal basis"), s);
	free(s);
	s = join(p->requires, ", ");
	field("     ", _("Requires"), s);
	free(s);
	if (p->requires_one_of[0] != NULL) {
		s = join(p->requires_one_of, " or ");
		field("     ", _("Requires one of"), s);
		free(s);
	}
	if (p->sensitive[0] != NULL) {
		s = join(p->sensitive, ", ");
		field("     ", _("Sensitive (sent only with --disclose)"), s);
		free(s);
	}
	if (p->verification[0] != NULL) {
		s = join(p->verification, ", ");
		field("     ", _("Verification"), s);
		free(s);
	}
	if (p->captcha)
		printf(_("     CAPTCHA: yes (a person must complete it)\n"));
	if (p->response_days >= 0)
		printf(_("     Responds within: %d days\n"), p->response_days);
	field("     ", _("Only for"), p->restricted_to);
	if (p->agent_allowed >= 0)
		printf(_("     Authorized agents: %s\n"), p->agent_allowed ? _("accepted") : _("not accepted"));
	field("     ", _("Notes"), p->notes);
	printf(_("     Sources:\n"));
	print_sources("       ", p->sources, p->nsources);
}

/* optout brokers show ID [--json] */
static int
brokers_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct broker *b;
	struct registry *r;
	int json = 0, c;
	size_t i;
	char *s;

	while ((c = cmd_getopt(&cmd_brokers, argc, argv, "", longopts)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'h') {
			cmd_usage(&cmd_brokers, stdout);
			return 0;
		} else
			return EX_USAGE;
	}
	if (argc - optind != 1)
		return cmd_usage_error(&cmd_brokers, _("show needs exactly one broker id"));
	if ((r = load_registry()) == NULL)
		return EX_DATAERR;
	b = registry_find(r, argv[optind]);
	if (b == NULL) {
		cmd_error(_("no broker with id '%s' (try 'optout brokers search WORD')"), argv[optind]);
		registry_free(r);
		return EX_DATAERR;
	}
	if (json) {
		s = jv_dump(b->json, 1);
		printf("%s\n", s);
		free(s);
		registry_free(r);
		return 0;
	}
	printf("%s (%s)\n", b->name, b->id);
	if (broker_is_imported(b))
		printf(_("This record is only what the broker declared in a state data broker registry: "
		    "nobody has checked it.\n"));
	if (b->aliases[0] != NULL) {
		s = join(b->aliases, ", ");
		field("", _("Also known as"), s);
		free(s);
	}
	field("", _("Parent"), b->parent);
	s = join(b->categories, ", ");
	field("", _("Categories"), s);
	free(s);
	field("", _("Website"), b->website);
	printf(_("Sells to government: %s\n"), b->sells_to_government ? _("yes") : _("not known"));
	if (b->government_sales != NULL) {
		field("  ", _("What is known"), b->government_sales);
		printf(_("  Sources:\n"));
		print_sources("    ", b->government_sources, b->ngovernment_sources);
	}
	for (i = 0; i < b->nregistrations; i++) {
		const struct registration *g = &b->registrations[i];

		/* Whole sentences for the translators, one for each detail the registry gave. */
		if (g->id != NULL && g->date != NULL)
			printf(_("Registered in %s, number %s, on %s\n"), g->registry, g->id, g->date);
		else if (g->id != NULL)
			printf(_("Registered in %s, number %s\n"), g->registry, g->id);
		else if (g->date != NULL)
			printf(_("Registered in %s, on %s\n"), g->registry, g->date);
		else
			printf(_("Registered in %s\n"), g->registry);
		if (g->agent_allowed >= 0)
			printf(_("  Declared that agents may opt out for a consumer: %s\n"),
			    g->agent_allowed ? _("yes") : _("no"));
		if (g->federal >= 0)
			printf(_("  Declared sales to the federal government: %s\n"),
			    g->federal ? _("yes") : _("no"));
		if (g->law_enforcement >= 0)
			printf(_("  Declared sales to law enforcement: %s\n"),
			    g->law_enforcement ? _("yes") : _("no"));
		print_sources("  ", g->source, 1);
	}
	if (b->family[0] != NULL) {
		s = join(b->family, ", ");
		field("", _("Same operator"), s);
		free(s);
	}
	printf(_("Record verified: %s\n"), b->verified);
	if (b->nprocedures == 0) {
		printf(_("\nNo consumer channel is known for this broker.\n"));
		field("", _("What to do"), b->no_consumer_channel);
	} else {
		printf(_("\nProcedures:\n"));
		for (i = 0; i < b->nprocedures; i++)
			print_procedure(i, &b->procedures[i]);
	}
	if (b->ncaveats > 0) {
		printf(_("\nCaveats:\n"));
		for (i = 0; i < b->ncaveats; i++) {
			char *line = xasprintf("%s (%s%s%s)", b->caveats[i].text, b->caveats[i].source,
			    b->caveats[i].date ? ", " : "", b->caveats[i].date ? b->caveats[i].date : "");
			char *w = str_wrap(line, 78, "  - ", "    ");

			fputs(w, stdout);
			free(w);
			free(line);
		}
	}
	registry_free(r);
	return 0;
}

/* optout brokers validate [FILE...] */
static int
brokers_validate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *cause = NULL;
	int c;

	while ((c = cmd_getopt(&cmd_brokers, argc, argv, "", longopts)) != -1) {
		if (c == 'h') {
			cmd_usage(&cmd_brokers, stdout);
			return 0;
		}
		return EX_USAGE;
	}
	if (optind == argc) {
		struct registry *r = load_registry();

		if (r == NULL)
			return EX_DATAERR;
		printf(_("%zu broker files are valid\n"), r->nfiles);
		registry_free(r);
		return 0;
	}
	if (registry_validate_files(data_dir(), argv + optind, (size_t)(argc - optind), &cause) != 0) {
		cmd_error_cause(cause);
		return EX_DATAERR;
	}
	printf(_("%d broker files are valid\n"), argc - optind);
	return 0;
}

/* optout brokers search WORD */
static int
brokers_search(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct broker **out;
	struct registry *r;
	size_t i, n = 0;
	int json = 0, c;

	while ((c = cmd_getopt(&cmd_brokers, argc, argv, "", longopts)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'h') {
			cmd_usage(&cmd_brokers, stdout);
			return 0;
		} else
			return EX_USAGE;
	}
	if (argc - optind != 1 || argv[optind][0] == '\0')
		return cmd_usage_error(&cmd_brokers, _("search needs one word"));
	if ((r = load_registry()) == NULL)
		return EX_DATAERR;
	out = xcalloc(r->n ? r->n : 1, sizeof *out);
	for (i = 0; i < r->n; i++)
		if (broker_matches(r->brokers[i], argv[optind]))
			out[n++] = r->brokers[i];
	if (n == 0 && !json) {
		cmd_error(_("no broker matches '%s'"), argv[optind]);
		free(out);
		registry_free(r);
		return 1;
	}
	print_list(out, n, json);
	free(out);
	registry_free(r);
	return 0;
}

/* optout brokers import FILE... [--registry R] [--as-of DATE] [-o DIR] */
static int
brokers_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "registry", required_argument, NULL, 'R' },
		{ "as-of", required_argument, NULL, 'A' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *registry = NULL, *as_of = NULL, *outdir = NULL;
	struct import_summary sum;
	struct import_set *set;
	struct registry *r;
	const char *const *problems;
	char *cause = NULL, *dir, verified[11];
	enum import_status st = IMPORT_OK;
	size_t i, np;
	int c, rc = 0;

	while ((c = cmd_getopt(&cmd_brokers, argc, argv, "o:", longopts)) != -1) {
		switch (c) {
		case 'R': registry = optarg; break;
		case 'A': as_of = optarg; break;
		case 'o': outdir = optarg; break;
		case 'h': cmd_usage(&cmd_brokers, stdout); return 0;
		default: return EX_USAGE;
		}
	}
	if (optind >= argc)
		return cmd_usage_error(&cmd_brokers, _("import needs at least one registry file"));
	if ((r = load_registry()) == NULL)
		return EX_DATAERR;
	set = import_new();
	for (i = (size_t)optind; i < (size_t)argc && st == IMPORT_OK; i++)
		st = import_file(set, argv[i], registry, as_of, &cause);
	problems = import_problems(set, &np);
	for (i = 0; i < np; i++)
		cmd_error("%s", problems[i]);
	if (st == IMPORT_OK) {
		dir = outdir != NULL ? xstrdup(outdir) : xasprintf("%s/brokers/imported", data_dir());
		date_format(date_today(), verified);
		st = import_write(set, r, dir, verified, &sum, &cause);
		if (st == IMPORT_OK) {
			printf(_("Rows read: %zu; unusable rows: %zu (each listed above).\n"), sum.rows,
			    sum.skipped);
			printf(_("Broker records written to %s: %zu.\n"), dir, sum.records);
			printf(_("Records joining registrations from more than one file: %zu.\n"),
			    sum.merged);
			printf(_("Registrants joined to their curated record, which wins field by field: "
			    "%zu.\n"),
			    sum.curated);
			printf(_("Operator families linked: %zu.\n"), sum.families);
		}
		free(dir);
	}
	if (st != IMPORT_OK) {
		cmd_error_cause(cause);
		rc = st == IMPORT_NO_INPUT ? EX_NOINPUT : st == IMPORT_CANT_WRITE ? EX_CANTCREAT
		    : EX_DATAERR;
	}
	import_free(set);
	registry_free(r);
	return rc;
}

/* Dispatch to a brokers subcommand. */
static int
cmd_brokers_run(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int, char **);
	} subs[] = {
		{ "list", brokers_list },
		{ "show", brokers_show },
		{ "validate", brokers_validate },
		{ "search", brokers_search },
		{ "import", brokers_import },
	};
	size_t i;

	if (argc < 2)
		return cmd_usage_error(&cmd_brokers, _("missing subcommand (list, show, validate, search, import)"));
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cmd_usage(&cmd_brokers, stdout);
		return 0;
	}
	for (i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		if (strcmp(argv[1], subs[i].name) == 0) {
			optind = 0;
			return subs[i].run(argc - 1, argv + 1);
		}
	}
	if (argv[1][0] == '-') {
		cmd_error(_("brokers: unknown option '%s'"), argv[1]);
		fprintf(stderr, _("Try 'optout brokers --help'.\n"));
		return EX_USAGE;
	}
	return cmd_usage_error(&cmd_brokers, _("unknown subcommand '%s'"), argv[1]);
}
