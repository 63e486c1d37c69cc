#!/bin/sh
# Request references: random (nothing about the person goes in), made once per
# request and kept by the ledger, so a packet written again -- even on a later
# day -- prints the references the ledger recorded and `mark` finds them; a
# ledger written by an older optout keeps its references.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fx="$TOP_SRCDIR/tests/fixtures"
export OPTOUT_DATADIR="$fx/data"
ex="$TOP_SRCDIR/letters/examples/profile.json"
sel="-b example-cra,example-history -r opt-out,delete"

# refs DIR: "broker/request=REFERENCE" for each ready request in DIR/packet.json, sorted.
refs() {
	"$PYTHON" -c 'import json,sys; print(" ".join(sorted("%s/%s=%s" % (r["broker"], r["request"], r["reference"]) for r in json.load(open(sys.argv[1]))["requests"] if r["status"] == "ready")))' "$1/packet.json"
}
# ledger_refs FILE: the same, from the ledger's open requests.
ledger_refs() {
	"$OPTOUT" status --ledger "$1" --json | "$PYTHON" -c 'import json,sys; print(" ".join(sorted("%s/%s=%s" % (r["broker"], r["request"], r["reference"]) for r in json.load(sys.stdin) if r["state"] not in ("completed", "denied"))))'
}
# printed DIR: every reference printed in DIR's letters, emails and sheets, sorted and unique.
printed() {
	for f in "$1"/letters/*.pdf "$1"/emails/*.eml "$1"/web/*.txt "$1"/phone/*.txt; do
		[ -f "$f" ] || continue
		case $f in *.pdf) "$PDFTOTEXT" "$f" - ;; *) cat "$f" ;; esac
	done | grep -o 'OPT-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}' | sort -u | tr '\n' ' ' | sed 's/ $//'
}
vals() { printf '%s\n' "$1" | tr ' ' '\n' | sed 's/.*=//' | sort -u | tr '\n' ' ' | sed 's/ $//'; }

# Without a ledger, the same person, brokers and day get new references each run.
OPTOUT_TODAY=2026-11-22 run packet -p "$ex" $sel -o "$work/n1" --no-ledger
check_status "a packet without a ledger" 0
OPTOUT_TODAY=2026-11-22 run packet -p "$ex" $sel -o "$work/n2" --no-ledger
check_eq "four ready requests (the opt-out without a listed procedure goes to the privacy contact)" "4" "$(refs "$work/n1" | wc -w)"
check_eq "the same person, brokers and day get other references on another run" "0" \
	"$("$PYTHON" -c 'import sys; a=set(sys.argv[1].split()); b=set(sys.argv[2].split()); print(len({x.split("=")[1] for x in a} & {x.split("=")[1] for x in b}))' "$(refs "$work/n1")" "$(refs "$work/n2")")"

# With a ledger: recorded once; written again on a later day, the same references.
OPTOUT_TODAY=2026-11-22 run packet -p "$ex" $sel -o "$work/p1"
check_status "a packet with the ledger" 0
check_has "its requests are recorded" "$work/out" "Recorded 4 requests in the ledger"
first=$(refs "$work/p1")
db="$XDG_DATA_HOME/optout/ledger.db"
check_eq "packet.json holds the references the ledger recorded" "$(ledger_refs "$db")" "$first"
check_eq "the letters print them" "$(vals "$first")" "$(printed "$work/p1")"
OPTOUT_TODAY=2026-12-03 run packet -p "$ex" $sel -o "$work/p2"
check_status "the packet written again on a later day" 0
check_has "nothing is recorded twice" "$work/out" "Recorded 0 requests in the ledger $db (4 were there already"
check_eq "a packet written again on a later day keeps the recorded references" "$first" "$(refs "$work/p2")"
check_eq "and its letters, emails and sheets print them" "$(vals "$first")" "$(printed "$work/p2")"
ref=$(printf '%s\n' "$first" | tr ' ' '\n' | sed -n 's/^example-cra\/delete=//p')
OPTOUT_TODAY=2026-12-03 run letter -f txt -p "$ex" -b example-cra -r delete
check_has "a single letter for an open request prints its recorded reference" "$work/out" "Reference: $ref"
check_lacks "and records nothing" "$work/out" "Recorded"
OPTOUT_TODAY=2026-12-03 run plan -p "$ex" -b example-cra -r delete
check_has "the plan of an open request shows its recorded reference" "$work/out" "reference: $ref"

OPTOUT_TODAY=2026-12-03 run mark "$ref" mailed
check_status "mark works with the reference the later letter prints" 0
check_has "mark names it" "$work/out" "$ref: mailed on 2026-12-03"

# A closed request is done with: a new packet gets a new reference for it.
OPTOUT_TODAY=2026-12-20 run mark "$ref" completed
check_status "the request is completed" 0
OPTOUT_TODAY=2026-12-21 run packet -p "$ex" $sel -o "$work/p3"
check_has "a new request replaces the completed one" "$work/out" "Recorded 1 requests"
check_lacks "its letter does not reuse the closed reference" "$work/p3/packet.json" "$ref"
check_eq "the open ones keep theirs" "$(printf '%s\n' "$first" | tr ' ' '\n' | grep -v '^example-cra/delete=' | tr '\n' ' ' | sed 's/ $//')" \
	"$(refs "$work/p3" | tr ' ' '\n' | grep -v '^example-cra/delete=' | tr '\n' ' ' | sed 's/ $//')"

# A ledger from an older optout (references made the old way) keeps working.
cp "$fx/ledger/v1.db" "$work/old.db"
sed 's/"label": *"[^"]*"/"label": "v1-a"/' "$ex" >"$work/v1-a.json"
OPTOUT_TODAY=2026-12-03 run packet -p "$work/v1-a.json" -b example-cra -r opt-out,delete -o "$work/old" --ledger "$work/old.db"
check_status "a packet against an older ledger" 0
check_eq "it prints the references the older ledger recorded" \
	"example-cra/delete=OPT-DWGJ-SK23 example-cra/opt-out=OPT-TM79-JGY0" "$(refs "$work/old")"
OPTOUT_TODAY=2026-12-03 run mark --ledger "$work/old.db" OPT-TM79-JGY0 mailed
check_status "and mark finds an old reference" 0

done_testing
