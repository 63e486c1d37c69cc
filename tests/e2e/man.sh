#!/bin/sh
# The manual pages agree with the command table: each page's SYNOPSIS is the
# command's usage line and its options are those --help lists; every page is
# clean under mandoc -T lint; optout(1)'s EXAMPLES run on the bundled example.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

man="$TOP_SRCDIR/man"
export OPTOUT_TODAY=2026-11-22
# render PAGE: the page as plain text, one very long line per paragraph.
render() { mandoc -T ascii -O width=1000 "$1" | col -b; }
# section TITLE: the lines of a rendered page's section, from standard input.
section() { awk -v t="$1" '/^[A-Z]/ { on = ($0 == t) ; next } on'; }
# squash: whitespace collapsed, and none around | [ ] ( ).
squash() { tr '\n' ' ' | tr -s ' \t' '  ' | sed 's/ *\([][|()]\) */\1/g; s/^ //; s/ $//'; }
# page_options PAGE: "-p --profile FILE" per option entry in the page's source.
page_options() {
	sed -n 's/^\.It Fl \([A-Za-z]\) , Fl \\-\([a-z-]*\)\( Ar \(.*\)\)\{0,1\}$/-\1 --\2 \4/p;
		s/^\.It Fl \\-\([a-z-]*\)\( Ar \(.*\)\)\{0,1\}$/--\1 \3/p' "$1" | sed 's/ *$//' | sort
}
# help_options CMD: the same from 'optout CMD --help'.
help_options() {
	"$OPTOUT" "$@" --help | sed -n 's/^ *\(-[A-Za-z]\), \(--[a-z-]*\)\( \([^ ]*\)\)\{0,1\}\( .*\)\{0,1\}$/\1 \2 \4/p;
		s/^ *\(--[a-z-]*\)\( \([^ ]*\)\)\{0,1\}\( .*\)\{0,1\}$/\1 \3/p' | sed 's/ *$//' | sort
}

cmds=$("$OPTOUT" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
for lang in "" es; do
	dir=$man${lang:+/$lang}
	for cmd in $cmds; do
		page=$dir/optout-$cmd.1
		if [ ! -f "$page" ]; then not_ok "${lang:-en}: $cmd has a page" "no $page"; continue; fi
		want=$(LANGUAGE=${lang:-en} "$OPTOUT" "$cmd" --help | sed -n '1s/^[^:]*: //p' | squash)
		got=$(render "$page" | section SYNOPSIS | squash)
		check_eq "${lang:-en}: optout-$cmd(1)'s SYNOPSIS is the usage line" "$want" "$got"
		check_eq "${lang:-en}: optout-$cmd(1) lists the options of --help" \
		    "$(help_options "$cmd")" "$(page_options "$page")"
	done
	check_eq "${lang:-en}: optout(1) lists the global options of --help" \
	    "$("$OPTOUT" --help | sed -n '/^Options:/,/^$/p' | sed -n 's/^ *\(-[A-Za-z]\), \(--[a-z-]*\).*/\1 \2/p; s/^ *\(--[a-z-]*\)\( \([A-Z]*\)\)\{0,1\}.*/\1 \3/p' | sed 's/ *$//' | sort)" \
	    "$(page_options "$dir/optout.1" | sed 's/^\(-[A-Za-z] --[a-z-]*\) .*/\1/' | sort)"
	if mandoc -T lint -W warning "$dir"/*.1 >"$work/lint" 2>&1; then ok "${lang:-en}: mandoc -T lint finds no warnings"; else
		not_ok "${lang:-en}: mandoc -T lint finds no warnings" "$(cat "$work/lint")"; fi
done
# Every page has its Spanish counterpart, and no page is left over.
check_eq "every English page has a Spanish one" "$(cd "$man" && ls *.1)" "$(cd "$man/es" && ls *.1)"

# The README's command reference: each '### `optout CMD`' section's synopsis
# block is the usage line.
for cmd in $cmds; do
	block=$(awk -v c="### \`optout $cmd\`" 'index($0, c) == 1 { on = 1; next }
		on && /^    optout / { inb = 1 } inb && !/^    / { exit } inb { print }' "$TOP_SRCDIR/README.md")
	[ -n "$block" ] || continue
	want=$("$OPTOUT" "$cmd" --help | sed -n '1s/^Usage: //p' | squash)
	check_eq "README: the synopsis of optout $cmd is its usage line" "$want" "$(printf '%s\n' "$block" | squash)"
done

# optout(1)'s EXAMPLES, run in order on the bundled example profile.
cp "$TOP_SRCDIR/letters/examples/profile.json" "$work/profile.json"
sed -n '/^\.Sh EXAMPLES/,/^\.Sh /s/^\.Dl //p' "$man/optout.1" >"$work/examples"
n=$(wc -l <"$work/examples")
[ "$n" -ge 5 ] && ok "optout(1) has $n examples" || not_ok "optout(1) has examples" "$n"
while IFS= read -r ex; do
	set +e
	(cd "$work" && PATH="$(dirname "$OPTOUT"):$PATH" sh -c "$ex" >"$work/ex.out" 2>"$work/ex.err")
	st=$?
	set -e
	if [ "$st" -eq 0 ]; then ok "example runs: $ex"; else
		not_ok "example runs: $ex" "exit $st; $(head -c 1000 "$work/ex.err")"; fi
	case $ex in
	"optout status") check_has "the example's status shows the recorded request" "$work/ex.out" "spokeo" ;;
	"optout brokers search"*) check_has "the example's search finds LexisNexis" "$work/ex.out" "lexisnexis-risk" ;;
	"optout completion bash"*) check_has "the example wrote the bash completion" "$work/optout.bash" "complete -F _optout optout" ;;
	"optout plan"*) check_has "the example's plan names the law" "$work/ex.out" "spokeo" ;;
	"optout demo"*) [ -f "$work/demo/cover.pdf" ] && ok "the demo example wrote cover.pdf" || not_ok "the demo example wrote cover.pdf" ;;
	esac
done <"$work/examples"

done_testing
