#!/bin/sh
# Letters as text: golden files for several people, laws and request types
# (a change to a template or to the plan shows up here as a diff to review),
# minimization across every letter, and 'optout template render'.
# Regenerate the golden files after a deliberate change with:
#   OPTOUT_GOLDEN_UPDATE=1 make check TESTS=tests/e2e/letters.sh
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fx="$TOP_SRCDIR/tests/fixtures"
golden="$TOP_SRCDIR/tests/golden"
ex="$TOP_SRCDIR/letters/examples/profile.json"
agent="$TOP_SRCDIR/letters/examples/agent.json"
export OPTOUT_TODAY=2026-11-22 OPTOUT_DATADIR="$fx/data"

# golden NAME ARGS...: the text letter for ARGS must equal tests/golden/NAME.txt,
# but for the reference, which is random: it shows there as OPT-XXXX-XXXX.
golden() {
	name=$1
	shift
	run letter -f txt "$@"
	if [ "$status" -ne 0 ]; then
		not_ok "golden $name" "exit $status: $(cat "$work/err")"
		return
	fi
	sed 's/OPT-[0-9A-HJKMNP-TV-Z]\{4\}-[0-9A-HJKMNP-TV-Z]\{4\}/OPT-XXXX-XXXX/g' "$work/out" >"$work/masked"
	mv "$work/masked" "$work/out"
	if [ "${OPTOUT_GOLDEN_UPDATE:-}" = 1 ]; then
		cp "$work/out" "$golden/$name.txt"
	fi
	if diff -u "$golden/$name.txt" "$work/out" >"$work/diff"; then
		ok "golden $name"
	else
		not_ok "golden $name" "$(head -c 3000 "$work/diff")"
	fi
}

golden ccpa-access-postal -p "$ex" -b example-history -r access
golden ccpa-delete-email -p "$ex" -b example-cra -r delete
golden ccpa-opt-out-agent -p "$ex" -b example-cra -r opt-out --agent "$agent"
golden fcra-access-consent -p "$ex" -b example-cra -r access --disclose ssn,dob
golden fcra-correct -p "$fx/profiles/minimal-ca.json" -b example-cra -r correct \
	--item "Address: 9 Wrong Street, Los Angeles, CA" --correct-to "Address: 1 Example Way, Los Angeles, CA" \
	--evidence "Copy of a recent utility bill (account number covered)"
golden ccpa-access-cra-privacy -p "$ex" -b example-cra -r access --basis privacy
golden ccpa-opt-out-privacy-contact -p "$ex" -b example-history -r opt-out
golden oregon-access -p "$fx/profiles/nguyen-or.json" -b example-history -r access
golden courtesy-ny-access -p "$fx/profiles/ivanova-ny.json" -b example-history -r access
golden courtesy-il-access-agent -p "$fx/profiles/chen-il.json" -b example-history -r access --agent "$agent"
golden gdpr-delete-berlin -p "$fx/profiles/mueller-de.json" -b example-cra -r delete
golden prior-addresses -p "$fx/profiles/long-address.json" -b example-history -r delete
golden uk-gdpr-access-london -p "$fx/profiles/smith-gb.json" -b example-history -r access
golden gdpr-delete-oslo-eea -p "$fx/profiles/hansen-no.json" -b example-cra -r delete
# Oklahoma's law from its first day in force (2027-01-01); before it, a courtesy request.
export OPTOUT_TODAY=2027-01-04
golden oklahoma-delete -p "$fx/profiles/okafor-ok.json" -b example-cra -r delete
export OPTOUT_TODAY=2026-11-22
golden courtesy-oklahoma-2026 -p "$fx/profiles/okafor-ok.json" -b example-cra -r delete

# Minimization: across every request type, with and without consent, the SSN
# appears only where the procedure requires it and --disclose ssn was given.
leaks=
for r in access delete opt-out; do
	for b in example-cra example-history; do
		for d in "" "--disclose ssn" "--disclose ssn,dob,drivers_license"; do
			# shellcheck disable=SC2086
			run letter -f txt -p "$ex" -b "$b" -r "$r" $d
			[ "$status" -eq 0 ] || continue
			if grep -q "123-45-6789\|6789" "$work/out"; then
				case "$b $r $d" in
				"example-cra access --disclose ssn"*) ;;
				*) leaks="$leaks [$b $r $d]" ;;
				esac
			fi
		done
	done
done
check_eq "no SSN in any letter unless the procedure requires it and it was allowed" "" "$leaks"
run letter -f txt -p "$ex" -b example-cra -r access --disclose ssn,dob
check_has "with consent, the FCRA disclosure letter carries the SSN" "$work/out" "123-45-6789"
run letter -f txt -p "$ex" -b example-cra -r access
check_status "without consent that letter is refused" 65
check_has "and the refusal says how to allow it" "$work/err" "allow it with --disclose"
run letter -f eml -p "$ex" -b example-history -r access
check_status "an email of a postal procedure is a usage error" 64

# One letter as PDF takes the packet's path: a name the PDF cannot print uses its Latin form.
run letter -f pdf -p "$fx/profiles/chen-il.json" -b example-history -r access -o "$work/chen.pdf"
check_status "letter -f pdf for a name in Chinese characters exits 0" 0
check_has "and prints the profile's Latin form" "$("$PDFTOTEXT" -enc UTF-8 "$work/chen.pdf" "$work/chen.txt" 2>/dev/null; echo "$work/chen.txt")" "Meiling Chen"
# Without -f, the -o file's extension chooses: .pdf a PDF, .eml an email, anything else text;
# an explicit -f still wins.
run letter -p "$ex" -b example-history -r access -o "$work/by-ext.PDF"
check_eq "-o FILE.PDF without -f writes a PDF" "%PDF-" "$(head -c 5 "$work/by-ext.PDF")"
run letter -p "$ex" -b example-cra -r delete -o "$work/by-ext.eml"
check_has "-o FILE.eml without -f writes an email" "$work/by-ext.eml" "<jose.nunez@example.org>"
run letter -p "$ex" -b example-history -r access -o "$work/by-ext.txt"
check_has "-o FILE.txt writes the text" "$work/by-ext.txt" "Reference: OPT-"
run letter -f txt -p "$ex" -b example-history -r access -o "$work/forced.pdf"
check_has "-f txt with -o FILE.pdf writes text, as asked" "$work/forced.pdf" "Reference: OPT-"
# An agent's email comes from the agent, as in a packet.
run letter -f eml -p "$ex" -b example-cra -r delete --agent "$agent"
check_has "an agent's email is from the agent" "$work/out" 'From: "Community Legal Aid Clinic (Example)" <intake@clinic.example.org>'
run letter -f eml -p "$ex" -b example-cra -r delete
check_has "a person's email is from the person" "$work/out" "<jose.nunez@example.org>"

# The data a template gets, for letter writers.
run letter --data -p "$ex" -b example-cra -r delete
check_status "letter --data exits 0" 0
check_eq "--data shows the law's family and due date" "True 6 January 2027" \
	"$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["law"]["is_ccpa"], d["law"]["due"])' "$work/out")"

# optout template render.
printf 'Dear {{name}},\n{{#items}}- {{.}}\n{{/items}}{{> sig}}\n' >"$work/t.mustache"
mkdir "$work/partials" && printf '{{name}} & co' >"$work/partials/sig.mustache"
run template render "$work/t.mustache" --data '{"name": "Ana <A&B>", "items": ["one", "two"]}' \
	--partials "$work/partials"
check_status "template render exits 0" 0
check_eq "it renders sections, partials and HTML escaping" "Dear Ana &lt;A&amp;B&gt;,
- one
- two
Ana &lt;A&amp;B&gt; & co" "$(cat "$work/out")"
printf '{{name}}\n' >"$work/line.mustache"
run template render "$work/line.mustache" --data '{"name": "@to x\ny"}' --escape doc
check_eq "doc escaping keeps a value from starting markup or a new line" '\@to x y' "$(cat "$work/out")"
printf '{{name}}\n{{#items}}\n' >"$work/bad.mustache"
run template render "$work/bad.mustache" --data '{}'
check_status "a malformed template exits 65" 65
check_has "the error gives the line and column" "$work/err" "bad.mustache:2:"
run template render "$work/t.mustache" --data '{"name": '
check_status "malformed data exits 65" 65
check_has "the data error gives line and column" "$work/err" "--data:1:"

done_testing
