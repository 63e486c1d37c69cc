/*
 * optout completion bash|zsh|fish: shell completions made from the command
 * table, so they know every command and option --help shows.  Broker ids and
 * ledger references are asked of optout itself ('optout brokers list',
 * 'optout status') when the shell completes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "optout/i18n.h"

static int cmd_completion_run(int argc, char **argv);

static const struct cmd_word completion_shells[] = {
	{ "bash", NULL, N_("for bash: install as completions/optout (see pkg-config "
	    "--variable=completionsdir bash-completion), or source it from ~/.bashrc") },
	{ "zsh", NULL, N_("for zsh: install as _optout in a folder of $fpath") },
	{ "fish", NULL, N_("for fish: install as vendor_completions.d/optout.fish") },
	{ NULL },
};

const struct command cmd_completion = {
	.name = "completion",
	.usage = "bash|zsh|fish",
	.summary = N_("print the shell completion script for bash, zsh or fish"),
	.words_title = N_("Shells:"),
	.words = completion_shells,
	.operands = { CMD_ARG_WORDS },
	.help = N_("'make install' installs all three where each shell looks for them.\n"),
	.run = cmd_completion_run,
};

/* The optout commands that list broker ids and ledger references, for every shell. */
#define LIST_BROKERS "brokers list 2>/dev/null | awk 'NR>1{print $1}'"
#define LIST_REFS "status 2>/dev/null | awk 'NR>1 && /^[A-Z]+-/{print $1}'"

/* What the bash script calls an argument: file, dir, brokers, words:..., or "". */
static const char *
bash_kind(enum cmd_arg a, const char *words, char *buf, size_t size)
{
	switch (a) {
	case CMD_ARG_FILE:
		return "file";
	case CMD_ARG_DIR:
		return "dir";
	case CMD_ARG_BROKERS:
		return "brokers";
	case CMD_ARG_REQUESTS:
		return "requests";
	case CMD_ARG_REF:
		return "ref";
	case CMD_ARG_COMMAND:
		return "command";
	case CMD_ARG_WORDS:
		snprintf(buf, size, "words:%s", words != NULL ? words : "");
		return buf;
	case CMD_ARG_TEXT:
		return "text";
	case CMD_ARG_NONE:
	default:
		return "";
	}
}

/* The words a command's operand of kind CMD_ARG_WORDS takes, space-separated. */
static void
word_list(const struct command *cmd, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; cmd->words != NULL && cmd->words[i].word != NULL; i++) {
		int n = snprintf(buf + len, size - len, "%s%s", i ? " " : "", cmd->words[i].word);

		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
}

/* Does an option belong to the key "cmd" (sub NULL) or "cmd sub"? */
static int
option_in(const struct cmd_option *o, const char *sub)
{
	return o->sub == NULL || (sub != NULL && strcmp(o->sub, sub) == 0);
}

/* bash: the case arms of _optout_arg for one options table under a key. */
static void
bash_arg_arms(const char *key, const struct cmd_option *opts, const char *sub)
{
	char buf[512];
	size_t i;

	for (i = 0; opts != NULL && opts[i].name != NULL; i++) {
		const struct cmd_option *o = &opts[i];

		if (o->arg == NULL || !option_in(o, sub))
			continue;
		printf("\t'%s --%s'", key, o->name);
		if (o->letter != 0)
			printf("|'%s -%c'", key, o->letter);
		printf(") echo '%s' ;;\n", bash_kind(o->complete, o->words, buf, sizeof buf));
	}
}

/* bash: the options of a key, space-separated. */
static void
bash_opt_words(const struct cmd_option *opts, const char *sub)
{
	size_t i;

	for (i = 0; opts != NULL && opts[i].name != NULL; i++) {
		if (!option_in(&opts[i], sub))
			continue;
		if (opts[i].letter != 0)
			printf("-%c ", opts[i].letter);
		printf("--%s ", opts[i].name);
	}
	printf("--help");
}

/* Print the bash completion script. */
static void
print_bash(void)
{
	char buf[512];
	size_t i, k;

	printf("# bash completion for optout; made by 'optout completion bash' from its command "
	    "table.\n\n");
	/* What the argument of an option is ("" when it takes none). */
	printf("_optout_arg()\n{\n\tcase \"$1 $2\" in\n");
	bash_arg_arms("", cmd_global_options, NULL);
	for (i = 0; commands[i] != NULL; i++) {
		const struct command *c = commands[i];

		bash_arg_arms(c->name, c->options, NULL);
		for (k = 0; c->words != NULL && c->operands[0] == CMD_ARG_WORDS &&
		    c->words[k].word != NULL; k++) {
			char *key = xasprintf("%s %s", c->name, c->words[k].word);

			bash_arg_arms(key, c->options, c->words[k].word);
			free(key);
		}
	}
	printf("\tesac\n}\n\n");
	/* The options of a command, or of a command's subcommand. */
	printf("_optout_opts()\n{\n\tcase $1 in\n\t'') echo '");
	bash_opt_words(cmd_global_options, NULL);
	printf("' ;;\n");
	for (i = 0; commands[i] != NULL; i++) {
		const struct command *c = commands[i];

		printf("\t'%s') echo '", c->name);
		bash_opt_words(c->options, NULL);
		printf("' ;;\n");
		for (k = 0; c->words != NULL && c->operands[0] == CMD_ARG_WORDS &&
		    c->words[k].word != NULL; k++) {
			printf("\t'%s %s') echo '", c->name, c->words[k].word);
			bash_opt_words(c->options, c->words[k].word);
			printf("' ;;\n");
		}
	}
	printf("\tesac\n}\n\n");
	/* What a command's first and second operands are. */
	printf("_optout_operand()\n{\n\tcase \"$1 $2\" in\n");
	for (i = 0; commands[i] != NULL; i++) {
		const struct command *c = commands[i];
		char words[512];

		word_list(c, words, sizeof words);
		for (k = 0; k < 2; k++) {
			if (c->operands[k] != CMD_ARG_NONE)
				printf("\t'%s %zu') echo '%s' ;;\n", c->name, k,
				    bash_kind(c->operands[k], words, buf, sizeof buf));
		}
	}
	printf("\t*) echo file ;;\n\tesac\n}\n\n");
	/* Does the command's first operand choose a subcommand? */
	printf("_optout_has_subs()\n{\n\tcase $1 in\n\t");
	for (i = k = 0; commands[i] != NULL; i++) {
		if (commands[i]->words != NULL && commands[i]->operands[0] == CMD_ARG_WORDS)
			printf("%s%s", k++ ? "|" : "", commands[i]->name);
	}
	printf(") return 0 ;;\n\tesac\n\treturn 1\n}\n\n");
	printf("_optout_commands='");
	for (i = 0; commands[i] != NULL; i++)
		printf("%s%s", i ? " " : "", commands[i]->name);
	printf("'\n\n");
	printf(
	    "# Complete the current word as a KIND (file, dir, brokers, requests, ref,\n"
	    "# command, words:W1 W2...); comma lists complete their last item.\n"
	    "_optout_complete()\n"
	    "{\n"
	    "\tlocal cur=$1 kind=$2 optout=$3 pre= list=\n"
	    "\tcase $kind in\n"
	    "\tfile) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
	    "\tdir) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n"
	    "\tcommand) list=$_optout_commands ;;\n"
	    "\tref) list=$(\"$optout\" " LIST_REFS ") ;;\n"
	    "\twords:*) list=${kind#words:} ;;\n"
	    "\tbrokers|requests)\n"
	    "\t\tif [[ $kind == brokers ]]; then\n"
	    "\t\t\tlist=$(\"$optout\" " LIST_BROKERS ")\n"
	    "\t\telse\n"
	    "\t\t\tlist='" CMD_REQUEST_WORDS "'\n"
	    "\t\tfi\n"
	    "\t\tif [[ $cur == *,* ]]; then pre=${cur%%,*},; cur=${cur##*,}; fi\n"
	    "\t\tCOMPREPLY=($(compgen -P \"$pre\" -W \"$list\" -- \"$cur\"))\n"
	    "\t\treturn ;;\n"
	    "\t*) return ;;\n"
	    "\tesac\n"
	    "\tCOMPREPLY=($(compgen -W \"$list\" -- \"$cur\"))\n"
	    "}\n\n"
	    "_optout()\n"
	    "{\n"
	    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} optout=${COMP_WORDS[0]} i w kind cmd= key= nop=0\n"
	    "\tCOMPREPLY=()\n"
	    "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	    "\t\tw=${COMP_WORDS[i]}\n"
	    "\t\tkind=$(_optout_arg \"$key\" \"$w\")\n"
	    "\t\tif [[ -n $kind ]]; then\n"
	    "\t\t\tif ((i + 1 == COMP_CWORD)); then\n"
	    "\t\t\t\t_optout_complete \"$cur\" \"$kind\" \"$optout\"\n"
	    "\t\t\t\treturn\n"
	    "\t\t\tfi\n"
	    "\t\t\t((i++))\n"
	    "\t\telif [[ $w == -* ]]; then\n"
	    "\t\t\tcontinue\n"
	    "\t\telif [[ -z $cmd ]]; then\n"
	    "\t\t\tcmd=$w key=$w\n"
	    "\t\telse\n"
	    "\t\t\tif ((nop == 0)) && _optout_has_subs \"$cmd\"; then key=\"$cmd $w\"; fi\n"
	    "\t\t\t((nop++))\n"
	    "\t\tfi\n"
	    "\tdone\n"
	    "\tif [[ $cur == -* ]]; then\n"
	    "\t\tCOMPREPLY=($(compgen -W \"$(_optout_opts \"$key\")\" -- \"$cur\"))\n"
	    "\telif [[ -z $cmd ]]; then\n"
	    "\t\tCOMPREPLY=($(compgen -W \"$_optout_commands\" -- \"$cur\"))\n"
	    "\telse\n"
	    "\t\t_optout_complete \"$cur\" \"$(_optout_operand \"$cmd\" \"$nop\")\" \"$optout\"\n"
	    "\tfi\n"
	    "}\n"
	    "complete -F _optout optout\n");
}

/* Print s for a single-quoted shell string ('\'' for '), only up to the first of stop. */
static void
print_quoted(const char *s, const char *stop, const char *drop)
{
	for (; *s != '\0' && strchr(stop, *s) == NULL; s++) {
		if (strchr(drop, *s) != NULL)
			continue;
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	}
}

/* zsh: the _arguments action for an argument. */
static void
zsh_action(enum cmd_arg a, const char *words)
{
	switch (a) {
	case CMD_ARG_FILE:
		fputs("_files", stdout);
		break;
	case CMD_ARG_DIR:
		fputs("_files -/", stdout);
		break;
	case CMD_ARG_BROKERS:
		fputs("_optout_brokers", stdout);
		break;
	case CMD_ARG_REQUESTS:
		fputs("_values -s , type " CMD_REQUEST_WORDS, stdout);
		break;
	case CMD_ARG_REF:
		fputs("_optout_refs", stdout);
		break;
	case CMD_ARG_COMMAND:
		fputs("_optout_commands", stdout);
		break;
	case CMD_ARG_WORDS:
		printf("(%s)", words != NULL ? words : "");
		break;
	case CMD_ARG_TEXT:
	case CMD_ARG_NONE:
	default:
		fputs(" ", stdout);
		break;
	}
}

/* zsh: one _arguments spec per option of a table (every subcommand's too). */
static void
zsh_specs(const struct cmd_option *opts)
{
	size_t i, k;

	for (i = 0; opts != NULL && opts[i].name != NULL; i++) {
		const struct cmd_option *o = &opts[i];

		for (k = 0; k < i && strcmp(opts[k].name, o->name) != 0; k++)
			;
		if (k < i)
			continue; /* brokers list --json and brokers show --json */
		fputs(" \\\n\t\t'", stdout);
		if (o->letter != 0)
			printf("(-%c --%s)'{-%c,--%s}'", o->letter, o->name, o->letter, o->name);
		else
			printf("--%s", o->name);
		fputs("[", stdout);
		print_quoted(_(o->help), "(;:", "[]\\`$");
		fputs("]", stdout);
		if (o->arg != NULL) {
			printf(":%s:", o->arg);
			zsh_action(o->complete, o->words);
		}
		fputs("'", stdout);
	}
}

/* Print the zsh completion script. */
static void
print_zsh(void)
{
	size_t i, k;

	printf("#compdef optout\n# zsh completion for optout; made by 'optout completion zsh' "
	    "from its command table.\n\n");
	printf("_optout_brokers()\n{\n\tlocal -a ids\n"
	    "\tids=(${(f)\"$(optout " LIST_BROKERS ")\"})\n"
	    "\t_values -s , broker $ids\n}\n\n");
	printf("_optout_refs()\n{\n\tlocal -a refs\n"
	    "\trefs=(${(f)\"$(optout " LIST_REFS ")\"})\n"
	    "\tcompadd -a refs\n}\n\n");
	printf("_optout_commands()\n{\n\tlocal -a cmds\n\tcmds=(");
	for (i = 0; commands[i] != NULL; i++) {
		printf("\n\t\t'%s:", commands[i]->name);
		print_quoted(_(commands[i]->summary), "", ":");
		fputs("'", stdout);
	}
	printf("\n\t)\n\t_describe command cmds\n}\n\n");
	printf("_optout()\n{\n\tlocal curcontext=$curcontext state line ret=1\n"
	    "\t_arguments -C");
	zsh_specs(cmd_global_options);
	printf(" \\\n\t\t'1:command:_optout_commands' \\\n\t\t'*::arg:->args' && ret=0\n");
	printf("\t[[ $state == args ]] || return ret\n\tcase $words[1] in\n");
	for (i = 0; commands[i] != NULL; i++) {
		const struct command *c = commands[i];
		char words[512];

		word_list(c, words, sizeof words);
		printf("\t%s)\n\t\t_arguments", c->name);
		zsh_specs(c->options);
		for (k = 0; k < 2; k++) {
			if (c->operands[k] == CMD_ARG_NONE)
				continue;
			printf(" \\\n\t\t'%zu:%s:", k + 1, k == 0 ? "operand" : "operand2");
			zsh_action(c->operands[k], words);
			fputs("'", stdout);
		}
		printf(" && ret=0\n\t\t;;\n");
	}
	printf("\tesac\n\treturn ret\n}\n\n_optout \"$@\"\n");
}

/* fish: the -a/-r/-x part of a complete line for an argument. */
static void
fish_action(enum cmd_arg a, const char *words)
{
	switch (a) {
	case CMD_ARG_FILE:
		fputs(" -r -F", stdout);
		break;
	case CMD_ARG_DIR:
		fputs(" -x -a '(__fish_complete_directories)'", stdout);
		break;
	case CMD_ARG_BROKERS:
		fputs(" -x -a '(__optout_brokers)'", stdout);
		break;
	case CMD_ARG_REQUESTS:
		fputs(" -x -a '" CMD_REQUEST_WORDS "'", stdout);
		break;
	case CMD_ARG_REF:
		fputs(" -x -a '(__optout_refs)'", stdout);
		break;
	case CMD_ARG_COMMAND:
		fputs(" -x -a '(__optout_commands)'", stdout);
		break;
	case CMD_ARG_WORDS:
		printf(" -x -a '%s'", words != NULL ? words : "");
		break;
	case CMD_ARG_TEXT:
		fputs(" -x", stdout);
		break;
	case CMD_ARG_NONE:
	default:
		break;
	}
}

/* fish: the complete lines of an options table under a condition. */
static void
fish_options(const struct cmd_option *opts, const char *cond)
{
	size_t i;

	for (i = 0; opts != NULL && opts[i].name != NULL; i++) {
		const struct cmd_option *o = &opts[i];

		printf("complete -c optout -n '%s'", cond);
		if (o->letter != 0)
			printf(" -s %c", o->letter);
		printf(" -l %s", o->name);
		if (o->arg != NULL)
			fish_action(o->complete, o->words);
		fputs(" -d '", stdout);
		print_quoted(_(o->help), "(;", "\\");
		fputs("'\n", stdout);
	}
}

/* Print the fish completion script. */
static void
print_fish(void)
{
	size_t i, k;

	printf("# fish completion for optout; made by 'optout completion fish' from its command "
	    "table.\n\n");
	printf("function __optout_brokers\n\toptout " LIST_BROKERS "\nend\n\n");
	printf("function __optout_refs\n\toptout " LIST_REFS "\nend\n\n");
	printf("function __optout_commands\n\tprintf '%%s\\n'");
	for (i = 0; commands[i] != NULL; i++)
		printf(" %s", commands[i]->name);
	printf("\nend\n\n");
	printf("complete -c optout -f\n");
	fish_options(cmd_global_options, "__fish_use_subcommand");
	for (i = 0; commands[i] != NULL; i++) {
		const struct command *c = commands[i];
		char *cond = xasprintf("__fish_seen_subcommand_from %s", c->name);
		char words[512];

		printf("complete -c optout -n __fish_use_subcommand -a %s -d '", c->name);
		print_quoted(_(c->summary), "", "\\");
		printf("'\n");
		fish_options(c->options, cond);
		word_list(c, words, sizeof words);
		for (k = 0; k < 2; k++) {
			if (c->operands[k] != CMD_ARG_NONE && c->operands[k] != CMD_ARG_TEXT) {
				printf("complete -c optout -n '%s'", cond);
				fish_action(c->operands[k], words);
				printf("\n");
			}
		}
		free(cond);
	}
}

/* optout completion SHELL */
static int
cmd_completion_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *shell;
	int c;

	while ((c = cmd_getopt(&cmd_completion, argc, argv, "", longopts)) != -1) {
		if (c == 'h') {
			cmd_usage(&cmd_completion, stdout);
			return 0;
		}
		return EX_USAGE;
	}
	if (argc - optind != 1)
		return cmd_usage_error(&cmd_completion, _("name one shell: bash, zsh or fish"));
	shell = argv[optind];
	if (strcmp(shell, "bash") == 0)
		print_bash();
	else if (strcmp(shell, "zsh") == 0)
		print_zsh();
	else if (strcmp(shell, "fish") == 0)
		print_fish();
	else
		return cmd_usage_error(&cmd_completion, _("'%s' is not one of bash, zsh, fish"),
		    shell);
	return 0;
}
