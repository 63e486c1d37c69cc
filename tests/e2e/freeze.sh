#!/bin/sh
# The security freeze (-r freeze): FCRA §605A(i) at the nationwide credit bureaus (1 business
# day online or by phone, 3 by mail), a request without a statute at the specialty agencies
# that offer one, the PIN kept by the person and never by optout, and no ledger row.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fx="$TOP_SRCDIR/tests/fixtures"
ex="$TOP_SRCDIR/letters/examples/profile.json"
export OPTOUT_TODAY=2026-11-22

# items FILE: one line per plan item (law, citation, procedure, deadline, due, status) and its notes.
items() {
	"$PYTHON" - "$1" <<'PY'
import json, sys
for x in json.load(open(sys.argv[1])):
    print(x["broker"], x["law"], x["citation"], x["procedure"], x["deadline"], x["due"], x["status"], sep="|")
    for n in x.get("notes", []):
        print("note", x["broker"], n, sep="|")
PY
}

export OPTOUT_DATADIR="$TOP_SRCDIR"
run plan -p "$ex" -b equifax,transunion,experian,chexsystems,lexisnexis-risk -r freeze --disclose dob,ssn --json
check_status "plan -r freeze exits 0" 0
items "$work/out" >"$work/items"
check_eq "the bureaus' freeze stands on §605A(i), the specialty agencies' on no statute" \
	"equifax|fcra-605a|15 U.S.C. §1681c-1(i)(2)(A)|fcra-freeze-web|1 business day|2026-11-23|ready
transunion|fcra-605a|15 U.S.C. §1681c-1(i)(2)(A)|fcra-freeze-web|1 business day|2026-11-23|ready
experian|fcra-605a|15 U.S.C. §1681c-1(i)(2)(A)|fcra-freeze-web|1 business day|2026-11-23|ready
chexsystems|none|No statute applies|voluntary-freeze-web|45 calendar days|2027-01-06|ready
lexisnexis-risk|none|No statute applies|voluntary-freeze-web|45 calendar days|2027-01-06|ready" \
	"$(grep -v '^note' "$work/items")"
check_has "the bureau's item states the statutory times" "$work/items" \
	"note|equifax|The freeze is free. Asked for online or by telephone, it must be in place within one business day; by mail, within three business days. Lifting it online or by telephone takes at most one hour (15 U.S.C. §1681c-1(i)(2)(A), (i)(3))."
check_has "a specialty agency's item says no federal law sets its freeze" "$work/items" \
	"note|chexsystems|No federal law sets this agency's freeze: the federal freeze duty binds only the three nationwide credit bureaus (15 U.S.C. §1681c-1(i)(1)(A))."
check_has "the PIN stays with the person" "$work/items" \
	"note|lexisnexis-risk|If the agency gives you a PIN, password or confirmation number for lifting the freeze later, keep it somewhere safe, away from this packet. optout never asks for it and never stores it."
check_lacks "no specialty agency's freeze is given the federal deadline" "$work/items" "chexsystems|fcra-605a"

# Without consent, the bureau's form (it asks for the SSN and date of birth) waits for it.
run plan -p "$ex" -b equifax -r freeze
check_has "the consent hint names both fields" "$work/out" "--disclose dob,ssn"

# The packet: a web sheet that says what the request is, and no ledger row (not tracked).
run packet -p "$ex" -b equifax,chexsystems -r freeze --disclose dob,ssn -o "$work/pk" --ledger "$work/l.db" --lang en
check_status "packet -r freeze exits 0" 0
sheet="$work/pk/web/equifax-freeze.txt"
tr '\n' ' ' <"$sheet" | tr -s ' ' >"$work/sheet.flat"
check_has "the sheet names the request and its section" "$work/sheet.flat" \
	"This request is made under the Fair Credit Reporting Act §605A(i) (national security freeze) (15 U.S.C. §1681c-1(i)(2)(A))."
check_has "the sheet tells the person to keep the PIN safe" "$work/sheet.flat" "keep it somewhere safe, away from this packet"
check_lacks "a specialty agency's sheet claims no statute" "$work/pk/web/chexsystems-freeze.txt" "This request is made under"
check_lacks "the sheet has no PIN field" "$sheet" "PIN |"
check_has "nothing is recorded in the ledger" "$work/out" "Recorded 0 requests"

# By mail: 3 business days and the §605A(i) letter (a fixture bureau with a postal freeze).
mkdir -p "$work/data/brokers"
ln -s "$TOP_SRCDIR/letters" "$work/data/letters"
ln -s "$TOP_SRCDIR/brokers/schema.json" "$work/data/brokers/schema.json"
"$PYTHON" - "$fx/data/brokers/example-cra.json" "$work/data/brokers/example-bureau.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
b["id"], b["name"] = "example-bureau", "Example Credit Bureau"
b["cra_kind"] = {"kind": "nationwide", "sources": [{"ref": "invented fixture: a nationwide CRA"}]}
p = dict(b["procedures"][0])
p.update({"id": "fcra-freeze-postal", "request": "freeze", "requires": ["name", "address"],
    "sensitive": [], "notes": "Fixture: a freeze by mail."})
p.pop("requires_one_of", None)
b["procedures"].append(p)
json.dump(b, open(sys.argv[2], "w"), ensure_ascii=False)
PY
export OPTOUT_DATADIR="$work/data"
run plan -p "$ex" -b example-bureau -r freeze --json
items "$work/out" >"$work/items"
check_has "by mail the freeze is due in 3 business days" "$work/items" \
	"example-bureau|fcra-605a|15 U.S.C. §1681c-1(i)(2)(A)|fcra-freeze-postal|3 business days|2026-11-25|ready"
run letter -p "$ex" -b example-bureau -r freeze
check_status "letter -r freeze exits 0" 0
tr '\n' ' ' <"$work/out" | tr -s ' ' >"$work/flat"
check_has "the letter asks for the freeze under §605A(i)" "$work/flat" \
	"Under section 605A(i) of the Fair Credit Reporting Act (15 U.S.C. §1681c-1(i)(2)(A)), I ask you to place a security freeze on my consumer file, free of charge."
check_has "the letter gives 3 business days" "$work/flat" "within 3 business days of receiving it"
check_has "the letter asks for the PIN by post only" "$work/flat" "send any PIN or password for doing so by post only"

done_testing
