/* optout init: make a profile by answering questions, one at a time, in English or Spanish. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmd.h"
#include "optout/date.h"
#include "optout/i18n.h"
#include "optout/intake.h"
#include "optout/jv.h"
#include "optout/util.h"

static int cmd_init_run(int argc, char **argv);

static const struct cmd_option init_options[] = {
	{ "output", 'o', "FILE", N_("where to save the profile (default: profile.json)"),
	    CMD_ARG_FILE },
	{ "lang", 0, "LANG", N_("ask in English (en) or Spanish (es); without it, the first "
	    "question asks which"), CMD_ARG_WORDS, "en es" },
	{ "force", 0, NULL, N_("replace FILE if it exists") },
	{ NULL },
};

const struct command cmd_init = {
	.name = "init",
	.usage = "[-o FILE] [--lang en|es] [--force]",
	.summary = N_("make a profile by answering a few questions"),
	.options = init_options,
	.help = N_("Asks one thing at a time and says why; checks each answer at once.  The\n"
		   "answers can also come from standard input, one per line.  The profile is\n"
		   "saved readable by you only (mode 0600).\n"),
	.run = cmd_init_run,
};

/* The terminal (or the lines of standard input) the questions go through. */
struct interview {
	FILE *in, *out;
	int tty;
	char lang[8]; /* "en", or a language with its own letters/<lang> folder */
};

/* An answer that ended the input early (compared by address): the caller reports it. */
static char answer_eof[1];
#define ANSWER_EOF answer_eof

/* Read one line, trimmed; ANSWER_EOF at the end of input.  hide: no echo on a terminal. */
static char *
read_answer(struct interview *iv, int hide)
{
	struct termios old, quiet;
	char *line = NULL, *s, *e;
	size_t cap = 0;
	ssize_t n;
	int hidden = 0;

	/* Echo goes off before the prompt shows, so nothing typed after it is echoed. */
	if (hide && iv->tty && tcgetattr(fileno(iv->in), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		hidden = tcsetattr(fileno(iv->in), TCSANOW, &quiet) == 0;
	}
	fputs("> ", iv->out);
	fflush(iv->out);
	n = getline(&line, &cap, iv->in);
	if (hidden) {
		tcsetattr(fileno(iv->in), TCSANOW, &old);
		fputc('\n', iv->out);
	}
	if (n < 0) {
		free(line);
		return ANSWER_EOF;
	}
	if (!iv->tty)
		fputc('\n', iv->out); /* the answer was not echoed: end the prompt's line */
	for (s = line; *s == ' ' || *s == '\t'; s++)
		;
	e = s + strlen(s);
	while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	s = xstrdup(s);
	secure_free(line);
	return s;
}

/* Print a question and why it is asked. */
static void
ask(struct interview *iv, const char *question, const char *why)
{
	fprintf(iv->out, "\n%s\n", question);
	if (why != NULL)
		fprintf(iv->out, "  %s\n", why);
}

/* A checker: 0 and *norm (allocated) when the answer is good, else -1 and *err (borrowed). */
typedef int (*checker)(struct interview *iv, const char *in, char **norm, const char **err);

/*
 * Ask until the answer passes check (optional: an empty answer gives NULL).
 * Returns 0 with *answer set, or -1 at the end of input.
 */
static int
ask_until(struct interview *iv, const char *question, const char *why, int optional, int hide,
    checker check, char **answer)
{
	ask(iv, question, why);
	for (;;) {
		char *in = read_answer(iv, hide), *norm = NULL;
		const char *err = NULL;

		if (in == ANSWER_EOF)
			return -1;
		if (*in == '\0' && optional) {
			free(in);
			*answer = NULL;
			return 0;
		}
		if (*in == '\0')
			err = _("This one is needed: please type an answer.");
		else if (check(iv, in, &norm, &err) == 0) {
			secure_free(in);
			*answer = norm;
			return 0;
		}
		secure_free(in);
		fprintf(iv->out, "  %s\n", err);
	}
}

/* A name or an address line: printable text of at most 100 characters. */
static int
check_text(struct interview *iv, const char *in, char **norm, const char **err)
{
	const unsigned char *p;

	(void)iv;
	for (p = (const unsigned char *)in; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			*err = _("Please use letters, numbers and punctuation only.");
			return -1;
		}
	}
	if (utf8_width(in, strlen(in)) > 100) {
		*err = _("That is too long: 100 characters at most.");
		return -1;
	}
	*norm = xstrdup(in);
	return 0;
}

/* A US state by code or name. */
static int
check_state(struct interview *iv, const char *in, char **norm, const char **err)
{
	char code[3];

	(void)iv;
	if (intake_state(in, code) != 0) {
		*err = _("Expected a US state: its two-letter code (CA) or its name (California).");
		return -1;
	}
	*norm = xstrdup(code);
	return 0;
}

/* A US ZIP code. */
static int
check_zip(struct interview *iv, const char *in, char **norm, const char **err)
{
	char zip[11];

	(void)iv;
	if (intake_zip(in, zip) != 0) {
		*err = _("Expected a US ZIP code (12345 or 12345-6789).");
		return -1;
	}
	*norm = xstrdup(zip);
	return 0;
}

/* An email address: something@somewhere.tld, no spaces. */
static int
check_email(struct interview *iv, const char *in, char **norm, const char **err)
{
	const char *at = strchr(in, '@');

	(void)iv;
	if (at == NULL || at == in || strchr(at + 1, '@') != NULL || strchr(at, '.') == NULL ||
	    strpbrk(in, " \t") != NULL || in[strlen(in) - 1] == '.' || strlen(in) > 254) {
		*err = _("Expected an email address, such as name@example.com.");
		return -1;
	}
	*norm = xstrdup(in);
	return 0;
}

/* A phone number that can be written in E.164 (US numbers without +1 too). */
static int
check_phone(struct interview *iv, const char *in, char **norm, const char **err)
{
	char *e = phone_e164(in, "US");

	(void)iv;
	if (e == NULL || strlen(in) > 25) {
		secure_free(e);
		*err = _("Expected a phone number with its area code, such as (213) 555-0142, or "
			 "with a country code, such as +52 55 1234 5678.");
		return -1;
	}
	secure_free(e);
	*norm = xstrdup(in);
	return 0;
}

/* A Social Security number: nine digits, with or without hyphens. */
static int
check_ssn(struct interview *iv, const char *in, char **norm, const char **err)
{
	char d[10];
	size_t n = 0;
	const char *p;

	(void)iv;
	for (p = in; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9' && n < 9)
			d[n++] = *p;
		else if (*p != '-' && *p != ' ') {
			n = 0;
			break;
		}
	}
	if (n != 9) {
		*err = _("Expected a Social Security number: nine digits, such as 123-45-6789.");
		return -1;
	}
	*norm = xasprintf("%.3s-%.2s-%.4s", d, d + 3, d + 5);
	explicit_bzero(d, sizeof d);
	return 0;
}

/* A yes or no. */
static int
check_yes(struct interview *iv, const char *in, char **norm, const char **err)
{
	int y = intake_yes(in);

	(void)iv;
	if (y < 0) {
		*err = _("Please answer yes or no.");
		return -1;
	}
	*norm = xstrdup(y ? "yes" : "no");
	return 0;
}

/* Ask yes or no; def when the answer is empty.  1 yes, 0 no, -1 end of input. */
static int
ask_yes(struct interview *iv, const char *question, const char *why, int def)
{
	char *a;
	int r;

	if (ask_until(iv, question, why, 1, 0, check_yes, &a) != 0)
		return -1;
	r = a == NULL ? def : strcmp(a, "yes") == 0;
	free(a);
	return r;
}

/* A date of birth; an ambiguous one is settled by a second question. */
static int
check_dob(struct interview *iv, const char *in, char **norm, const char **err)
{
	char iso[11], alt[11];
	date_t d;

	switch (intake_date(in, iso, alt)) {
	case INTAKE_DATE_BAD:
		*err = _("Expected a date of birth such as 1985-03-14 or 03/14/1985 (month, day, "
			 "year).");
		return -1;
	case INTAKE_DATE_AMBIGUOUS: {
		char *a, *b, *pick = NULL;
		date_t da, db;
		int rc;

		date_parse(iso, &da);
		date_parse(alt, &db);
		a = i18n_date_long(da, strcmp(iv->lang, "en") == 0 ? NULL : iv->lang, data_dir());
		b = i18n_date_long(db, strcmp(iv->lang, "en") == 0 ? NULL : iv->lang, data_dir());
		fprintf(iv->out, "  ");
		fprintf(iv->out, _("That date can be read two ways. Type 1 for %s, or 2 for %s."),
		    a, b);
		fputc('\n', iv->out);
		secure_free(a);
		secure_free(b);
		for (;;) {
			pick = read_answer(iv, 0);
			if (pick == ANSWER_EOF) {
				*err = _("The answers ended before the date was settled.");
				return -1;
			}
			if (strcmp(pick, "1") == 0 || strcmp(pick, "2") == 0)
				break;
			fprintf(iv->out, "  %s\n", _("Please type 1 or 2."));
			free(pick);
		}
		rc = strcmp(pick, "1") == 0;
		free(pick);
		*norm = xstrdup(rc ? iso : alt);
		return 0;
	}
	case INTAKE_DATE_OK:
		break;
	}
	if (date_parse(iso, &d) != 0 || d > date_today()) {
		*err = _("That date is in the future: please give your date of birth.");
		return -1;
	}
	*norm = xstrdup(iso);
	return 0;
}

/* Set obj.key to an answer, taking it. */
static void
take(struct jv *obj, const char *key, char *answer)
{
	if (answer != NULL)
		jv_set_str(obj, key, answer);
	secure_free(answer);
}

/* Put an answer in a one-element array obj.key, taking it. */
static void
take_list(struct jv *obj, const char *key, char *answer)
{
	struct jv *a;

	if (answer == NULL)
		return;
	a = jv_new_array();
	jv_push(a, jv_new_string(answer));
	jv_set(obj, key, a);
	secure_free(answer);
}

/* Choose the language: --lang, else the first (bilingual) question. */
static int
choose_language(struct interview *iv, const char *lang)
{
	char *a, *t;

	if (lang == NULL) {
		fputs("\nEnglish: type 1 and press Enter.\nEspañol: escriba 2 y pulse Enter.\n",
		    iv->out);
		for (;;) {
			a = read_answer(iv, 0);
			if (a == ANSWER_EOF)
				return -1;
			if (strcmp(a, "1") == 0 || strcmp(a, "2") == 0)
				break;
			fputs("  1 / 2\n", iv->out);
			free(a);
		}
		lang = strcmp(a, "2") == 0 ? "es" : "en";
		free(a);
	}
	/* Any language translators gave pages to (letters/<lang>), else English. */
	t = i18n_template_language(lang, data_dir());
	snprintf(iv->lang, sizeof iv->lang, "%s", t != NULL ? t : "en");
	free(t);
	i18n_use_language(iv->lang);
	return 0;
}

/* The questions, in order; fills the profile document.  -1 at the end of input. */
static int
interview(struct interview *iv, struct jv *doc)
{
	struct jv *names = jv_new_object(), *addr = jv_new_object(), *street = jv_new_array();
	struct jv *addrs = jv_new_array();
	char *a;
	int y;

	jv_set(doc, "names", names);
	jv_push(addrs, addr);
	jv_set(doc, "addresses", addrs);
	jv_set(addr, "street", street);
	fprintf(iv->out, "%s\n", _("This makes your profile: the details optout puts in your "
	    "requests to data brokers. Each request sends only what that broker's own procedure "
	    "requires. Press Enter to skip a question that says it is optional."));
	if (ask_until(iv, _("What is your first (given) name?"),
	    _("Brokers look you up by name."), 0, 0, check_text, &a) != 0)
		return -1;
	take(names, "given", a);
	if (ask_until(iv, _("What is your last name (family name)? Write both surnames if you "
	    "use both."), NULL, 0, 0, check_text, &a) != 0)
		return -1;
	take(names, "family", a);
	if (ask_until(iv, _("Street address, with the apartment number (for example: 1234 Main "
	    "St Apt 5)."), _("Letters are sent from this address, and brokers use it to find "
	    "your records."), 0, 0, check_text, &a) != 0)
		return -1;
	jv_push(street, jv_new_string(a));
	secure_free(a);
	if (ask_until(iv, _("City?"), NULL, 0, 0, check_text, &a) != 0)
		return -1;
	take(addr, "city", a);
	if (ask_until(iv, _("State? (for example CA or California)"),
	    _("Your state decides which law protects you."), 0, 0, check_state, &a) != 0)
		return -1;
	take(addr, "region", a);
	if (ask_until(iv, _("ZIP code?"), NULL, 0, 0, check_zip, &a) != 0)
		return -1;
	take(addr, "postal_code", a);
	jv_set_str(addr, "country", "US");
	jv_set(addr, "current", jv_new_bool(1));
	if (ask_until(iv, _("Email address (optional)."), _("Some brokers confirm a request "
	    "by email; it is sent only to those."), 1, 0, check_email, &a) != 0)
		return -1;
	take_list(doc, "emails", a);
	if (ask_until(iv, _("Phone number (optional)."), _("A few brokers ask for it to find "
	    "your records; it is sent only to those."), 1, 0, check_phone, &a) != 0)
		return -1;
	take_list(doc, "phones", a);
	if (ask_until(iv, _("Date of birth (optional), for example 1985-03-14 or 03/14/1985."),
	    _("Some brokers need it to tell people with the same name apart. It is sensitive: "
	    "it is sent only when you allow it for a request."), 1, 0, check_dob, &a) != 0)
		return -1;
	take(doc, "dob", a);
	y = ask_yes(iv, _("Do you want to add your Social Security number? (yes/no; Enter means "
	    "no)"), _("Most requests do not need it. A few credit bureaus ask for it; optout sends "
	    "it only when you allow it for that request. You can always leave it out."), 0);
	if (y < 0)
		return -1;
	if (y == 1) {
		struct jv *ids = jv_new_object();

		jv_set(doc, "identifiers", ids);
		if (ask_until(iv, _("Social Security number (it is not shown as you type)."), NULL,
		    0, 1, check_ssn, &a) != 0)
			return -1;
		take(ids, "ssn", a);
	}
	jv_set_str(doc, "language", iv->lang);
	return 0;
}

/* optout init */
static int
cmd_init_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "lang", required_argument, NULL, 'G' },
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct interview iv = { 0 };
	const char *out = "profile.json", *lang = NULL;
	struct jv *doc;
	struct profile *p;
	char *cause = NULL, *json;
	int force = 0, c, rc;

	while ((c = cmd_getopt(&cmd_init, argc, argv, "o:", longopts)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'G': lang = optarg; break;
		case 'F': force = 1; break;
		case 'h': cmd_usage(&cmd_init, stdout); return 0;
		default: return EX_USAGE;
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_init, _("unexpected argument '%s'"), argv[optind]);
	if (lang != NULL && strcmp(lang, "en") != 0) {
		char *t = i18n_template_language(lang, data_dir());
		int known = t != NULL;

		free(t);
		if (!known)
			return cmd_usage_error(&cmd_init, _("--lang: '%s' is neither en nor a language "
			    "with its own pages in letters/"), lang);
	}
	if (out == NULL || *out == '\0')
		return cmd_usage_error(&cmd_init, _("-o needs a file name"));
	if (!force && access(out, F_OK) == 0) {
		cmd_error(_("%s already exists: choose another file with -o, or replace it with "
		    "--force"), out);
		return EX_CANTCREAT;
	}
	iv.in = stdin;
	iv.out = stdout;
	iv.tty = isatty(fileno(stdin));
	doc = jv_new_object();
	if (choose_language(&iv, lang) != 0 || interview(&iv, doc) != 0) {
		jv_free(doc);
		fputc('\n', stdout);
		cmd_error(_("the answers ended before the last question: nothing was saved"));
		return EX_DATAERR;
	}
	json = jv_dump(doc, 1);
	/* The same checks as every profile load, before anything is written. */
	p = profile_from_jv(doc, out, data_dir(), &cause);
	if (p == NULL) {
		secure_free(json);
		cmd_error_cause(cause);
		return EX_DATAERR;
	}
	profile_free(p);
	rc = write_file_atomic(out, json, strlen(json), 0600, &cause);
	secure_free(json);
	if (rc != 0) {
		cmd_error_cause(cause);
		return EX_CANTCREAT;
	}
	printf("\n");
	printf(_("Saved your profile in %s (only you can read it)."), out);
	printf("\n");
	printf(_("Next: optout plan -p %s --all shows what each broker would get; "
	    "optout packet -p %s --all -o FOLDER writes the requests."), out, out);
	printf("\n");
	return 0;
}
