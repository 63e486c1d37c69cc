#!/bin/sh
# optout shred: a person's data leaves the vault, the ledger (securely), the
# evidence folder and the label note; another person's stays; and the command
# says what it cannot remove.  --all removes everything optout keeps.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

export OPTOUT_TODAY=2026-12-01
ex="$TOP_SRCDIR/letters/examples/profile.json"
other="$TOP_SRCDIR/tests/fixtures/profiles/ivanova-ny.json"
label=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["label"])' "$ex")
olabel=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["label"])' "$other")
data="$XDG_DATA_HOME/optout"
printf 'sesame\n' >"$work/pass"

# A person in the vault, in the ledger (two packets), with a reply kept as evidence,
# and a label-less person who got a random label in the note.
"$OPTOUT" --passphrase-command "cat $work/pass" vault init >/dev/null
"$OPTOUT" vault add "$ex" >/dev/null
"$OPTOUT" packet -p "$ex" -b spokeo,acxiom -r opt-out,delete -o "$work/p1" >/dev/null
"$OPTOUT" packet -p "$other" -b spokeo -r opt-out -o "$work/p2" >/dev/null
"$PYTHON" - "$ex" "$work/nolabel.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1])); del p["label"]
p["names"] = {"given": "Unlabeled", "family": "Person"}
json.dump(p, open(sys.argv[2], "w"))
PY
"$OPTOUT" packet -p "$work/nolabel.json" -b spokeo -r opt-out -o "$work/p3" >"$work/p3.out"
nolabel=$(sed -n 's/.*label \(p-[0-9-]*\).*/\1/p' "$work/p3.out" | head -1)
refs=$("$OPTOUT" status --client "$label" --json | "$PYTHON" -c 'import json,sys; print(" ".join(r["reference"] for r in json.load(sys.stdin)))')
check_eq "the person has requests in the ledger" "yes" "$([ -n "$refs" ] && echo yes || echo no)"
mkdir -p "$data/evidence"
first=${refs%% *}
printf '<html>reply</html>' >"$data/evidence/$first.html"

run shred "$label"
check_status "shred LABEL exits 0" 0
check_has "the vault profile is removed" "$work/out" "Removed $label's profile from the vault."
check_has "the ledger's requests are removed" "$work/out" "of $label from the ledger"
check_has "with the evidence" "$work/out" "Removed 1 evidence file."
check_has "it says what it cannot remove" "$work/out" "printed letters"
check_eq "the vault no longer holds it" "" "$("$OPTOUT" vault list)"
check_eq "the evidence file is gone" "no" "$([ -e "$data/evidence/$first.html" ] && echo yes || echo no)"
check_eq "the ledger has no request of the label" "0" \
	"$("$OPTOUT" status --client "$label" --json | "$PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)))')"
check_eq "the other person's requests are kept" "1" \
	"$("$OPTOUT" status --client "$olabel" --json | "$PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)))')"
leak=
for r in $refs; do
	for f in "$data"/ledger.db*; do
		if grep -qa "$r" "$f"; then leak="$leak $r@$(basename "$f")"; fi
	done
done
check_eq "no byte of its references is left in the ledger files (secure delete, WAL cleared)" "" "$leak"

if [ -n "$nolabel" ]; then
	check_has "the label-less person's random label is in the note" "$data/labels" "$nolabel"
	run shred "$nolabel"
	check_has "shred removes it from the note" "$work/out" "Removed $nolabel from the label note."
	check_lacks "and the note no longer has it" "$data/labels" "$nolabel"
fi

run shred "../etc"
check_status "something that is not a label is refused" 64
run shred
check_status "a label or --all is needed" 64

run shred --all
check_status "shred --all exits 0" 0
check_eq "nothing optout kept is left" "" "$(ls -A "$data")"
check_has "and it still says what remains" "$work/out" "what the brokers hold"

done_testing
