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
# Each command checks its getopt options against its table when it parses
# (exit 70 on a drift): every command and brokers subcommand parses --help.
for c in $cmds "brokers list" "brokers show" "brokers validate" "brokers search" "brokers import"; do
	# shellcheck disable=SC2086
	run $c --help
	check_status "optout $c --help: getopt agrees with the options table" 0
done
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

# Every page's EXAMPLES run, page by page, in order, in a fresh folder holding
# the bundled example files (profile.json, agent.json, clients.csv) with a
# ledger of its own.  In the page source, a '.Dl' line is an example; a
# comment line '.\" not run: WHY' just before it keeps it from running (it
# needs a server or the network); comment lines after it,
# '.\" expect: TEXT' or '.\" expect FILE: TEXT', say what its standard output
# or FILE (a PDF's text) must contain.
# examples PAGE: "run<TAB>CMD", "skip<TAB>WHY<TAB>CMD", "expect<TAB>FILE or -<TAB>TEXT" lines.
examples() {
	awk '/^\.Sh / { on = ($2 == "EXAMPLES" || $2 == "EJEMPLOS"); next } !on { next }
		/^\.\\" not run: / { why = substr($0, 14); next }
		/^\.Dl / { ex = substr($0, 5); gsub(/\\-/, "-", ex); gsub(/\\\(dq/, "\"", ex); gsub(/\\e/, "\\", ex)
			if (why != "") print "skip\t" why "\t" ex; else print "run\t" ex; why = ""; next }
		/^\.\\" expect: / { print "expect\t-\t" substr($0, 13); next }
		/^\.\\" expect [^:]*: / { f = substr($0, 12); t = f; sub(/: .*/, "", f); sub(/^[^:]*: /, "", t)
			print "expect\t" f "\t" t; next }' "$1"
}
ex_files=$TOP_SRCDIR/letters/examples
ran=0 skipped=0
for page in "$man"/optout.1 $(for c in $cmds; do echo "$man/optout-$c.1"; done); do
	name=$(basename "$page" .1)
	examples "$page" >"$work/examples"
	nrun=$(grep -c '^run' "$work/examples" || true)
	nexp=$(grep -c '^expect' "$work/examples" || true)
	if [ "$nrun" -ge 1 ] && [ "$nexp" -ge "$nrun" ]; then ok "$name(1) has $nrun examples that run, each checked"; else
		not_ok "$name(1) has examples that run, each checked" "$nrun run, $nexp expectations"; fi
	# The Spanish page shows the same commands.
	check_eq "es/$name(1) has the same examples" "$(cut -f1,3 "$work/examples" | grep -v '^expect' || true)" \
	    "$(examples "$man/es/$name.1" | cut -f1,3 | grep -v '^expect' || true)"
	dir=$work/ex/$name
	mkdir -p "$dir"
	cp "$ex_files/profile.json" "$ex_files/agent.json" "$ex_files/clients.csv" "$dir/"
	ex=
	while IFS="$(printf '\t')" read -r kind a b; do
		case $kind in
		skip)
			skipped=$((skipped + 1))
			ok "$name: example not run: $b # SKIP $a" ;;
		run)
			ex=$a
			ran=$((ran + 1))
			set +e
			(cd "$dir" && XDG_DATA_HOME="$dir/.data" XDG_CONFIG_HOME="$dir/.config" \
			    PATH="$(dirname "$OPTOUT"):$PATH" sh -c "$ex" >"$dir/.out" 2>"$dir/.err")
			st=$?
			set -e
			if [ "$st" -eq 0 ]; then ok "$name: example runs: $ex"; else
				not_ok "$name: example runs: $ex" "exit $st; $(head -c 1000 "$dir/.err")"; fi ;;
		expect)
			f=$a; [ "$f" != - ] || f=.out
			case $f in *.pdf) "$PDFTOTEXT" -enc UTF-8 "$dir/$f" "$dir/.pdf.txt" 2>/dev/null || true
				f=.pdf.txt ;; esac
			tr '\n' ' ' <"$dir/$f" 2>/dev/null | tr -s ' ' >"$dir/.flat" || true
			check_has "$name: $ex: $f says '$b'" "$dir/.flat" "$b" ;;
		esac
	done <"$work/examples"
done
[ "$ran" -ge 30 ] && ok "$ran examples ran; $skipped need a server or the network and were not run" ||
	not_ok "the pages' examples ran" "$ran ran, $skipped not run"

done_testing
