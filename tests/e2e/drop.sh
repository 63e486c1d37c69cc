#!/bin/sh
# California's DROP: the cover's first step for a California resident (what it reaches and
# what it does not), the DROP paragraph in deletion letters to registered brokers even when
# they are CRAs, the filing recorded in the ledger and its 45-day cycles in status; and each
# half of a CRA pair (FCRA file, state law) with its own ledger row and reference.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fx="$TOP_SRCDIR/tests/fixtures"
ex="$TOP_SRCDIR/letters/examples/profile.json"
export OPTOUT_DATADIR="$TOP_SRCDIR" OPTOUT_TODAY=2026-11-22

# flat PDF OUT: the PDF's text on one line, spaces squeezed.
flat() { pdftotext -layout "$1" - | tr '\n' ' ' | tr -s ' ' >"$2"; }

run packet -p "$ex" -b spokeo,acxiom -r delete -o "$work/pk" --ledger "$work/l.db" --lang en
check_status "packet for a California resident exits 0" 0
flat "$work/pk/cover.pdf" "$work/cover"
check_has "DROP is the first step, at its address, with its section" "$work/cover" \
	"1. First, use California's Delete Request and Opt-out Platform (DROP, Cal. Civ. Code §1798.99.86) at https://privacy.ca.gov/drop/: one deletion request there reaches every data broker registered with California."
check_has "the cover gives the brokers' 45-day cycle and its subsection" "$work/cover" \
	"Registered brokers must process DROP requests at least every 45 days and keep deleting what they get about you (Cal. Civ. Code §1798.99.86(c)(1))."
check_has "the cover says what DROP does not reach" "$work/cover" \
	"DROP does not reach the files of credit bureaus and other consumer reporting agencies (the FCRA governs them), sites that are not registered as data brokers, or requests to see or correct your data: the requests in this packet cover those."
check_has "the cover says how to record the filing" "$work/cover" "optout mark DROP filed --date YYYY-MM-DD"
check_has "the letters come second" "$work/cover" "2. Emails to send"

run packet -p "$ex" -b spokeo -r delete -o "$work/pk-es" --lang es
flat "$work/pk-es/cover.pdf" "$work/cover-es"
check_has "the Spanish cover's first step is DROP, with its cycle" "$work/cover-es" \
	"al menos cada 45 días y seguir borrando lo que reciban sobre usted (Cal. Civ. Code §1798.99.86(c)(1))"

OPTOUT_TODAY=2026-03-02 run packet -p "$ex" -b spokeo -r delete -o "$work/pk-mar" --lang en
flat "$work/pk-mar/cover.pdf" "$work/cover-mar"
check_has "before the first processing day the cover says when cycles begin" "$work/cover-mar" \
	"From 1 August 2026, registered brokers must process DROP requests at least every 45 days"
OPTOUT_TODAY=2025-12-15 run packet -p "$ex" -b spokeo -r delete -o "$work/pk-2025" --lang en
flat "$work/pk-2025/cover.pdf" "$work/cover-2025"
check_lacks "before DROP opened the cover does not send people to it" "$work/cover-2025" "DROP"

run packet -p "$fx/profiles/nguyen-or.json" -b spokeo -r delete -o "$work/pk-or" --lang en
flat "$work/pk-or/cover.pdf" "$work/cover-or"
check_lacks "an Oregon resident's cover has no DROP step" "$work/cover-or" "DROP"

# A CRA registered as a California data broker gets the DROP paragraph, with the FCRA limit.
fixture_datadir
"$PYTHON" - "$fx/data/brokers/example-cra.json" "$work/data/brokers" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
json.dump(b, open(sys.argv[2] + "/example-cra.json", "w"), ensure_ascii=False)
b["id"], b["name"] = "registered-cra", "Registered CRA"
b["registrations"] = [{"registry": "california", "source": {"ref": "invented fixture: a California registration", "as_of": "2026-01-31"}}]
json.dump(b, open(sys.argv[2] + "/registered-cra.json", "w"), ensure_ascii=False)
PY
export OPTOUT_DATADIR="$work/data"
run letter -p "$ex" -b registered-cra -r delete -f txt
check_status "letter to a registered CRA exits 0" 0
tr '\n' ' ' <"$work/out" | tr -s ' ' >"$work/reg"
check_has "a registered CRA's deletion letter has the DROP paragraph" "$work/reg" \
	"It is separate from, and in addition to, any deletion request made through DROP, California's Delete Request and Opt-out Platform (Cal. Civ. Code §1798.99.86)"
check_has "and says its FCRA files are exempt but its other data is not" "$work/reg" \
	"The consumer reports you furnish are governed by the Fair Credit Reporting Act and exempt from this law (Cal. Civ. Code §1798.145(d)); this request covers the personal information you hold outside them"
check_has "the \$200-a-day fine is cited to the Delete Act section it comes from" "$work/reg" \
	"Cal. Civ. Code §1798.99.82 (Delete Act, SB 362 of 2023): A registered data broker that fails to delete personal information as a deletion request made through DROP requires is liable for an administrative fine of \$200 for each deletion request for each day it fails to delete."
run letter -p "$ex" -b example-cra -r delete -f txt
check_lacks "an unregistered CRA's deletion letter has no DROP paragraph" "$work/out" "any deletion request made through DROP"

# Each half of a CRA pair has its own ledger row and reference.
run packet -p "$ex" -b example-cra -r access --disclose dob,ssn -o "$work/pk-cra" --ledger "$work/l.db" --lang en
check_status "packet with a CRA access pair exits 0" 0
run status --ledger "$work/l.db" --json
"$PYTHON" - "$work/out" >"$work/pair" <<'PY'
import json, sys
rows = [r for r in json.load(open(sys.argv[1])) if r["broker"] == "example-cra" and r["request"] == "access"]
print(len(rows), len({r["reference"] for r in rows}), " ".join(sorted(r["law"] for r in rows)))
PY
check_eq "the FCRA request and the state-law request are two rows with two references" \
	"2 2 fcra-612 us-ca" "$(cat "$work/pair")"
run packet -p "$ex" -b example-cra -r access --disclose dob,ssn -o "$work/pk-cra2" --ledger "$work/l.db" --lang en
run status --ledger "$work/l.db" --json
"$PYTHON" - "$work/out" >"$work/pair2" <<'PY'
import json, sys
rows = [r for r in json.load(open(sys.argv[1])) if r["broker"] == "example-cra" and r["request"] == "access"]
print(len(rows), len({r["reference"] for r in rows}), " ".join(sorted(r["law"] for r in rows)))
PY
check_eq "a second run records neither half again" "2 2 fcra-612 us-ca" "$(cat "$work/pair2")"
export OPTOUT_DATADIR="$TOP_SRCDIR"

# The DROP filing in the ledger, and its cycles in status.
run mark DROP filed --date 2026-09-10 --ledger "$work/l.db"
check_status "mark DROP filed exits 0 with one client" 0
check_has "mark names the next processing day (cycles of 45 days from the filing)" "$work/out" \
	"From 2026-08-01 registered data brokers must process DROP requests at least every 45 days (Cal. Civ. Code §1798.99.86(c)(1)): the next processing is due by 2026-12-09."
run status --ledger "$work/l.db"
check_has "status shows the filing and the next processing day" "$work/out" \
	"DROP (client example-person-only): filed on 2026-09-10; from 2026-08-01 registered data brokers process it at least every 45 days (Cal. Civ. Code §1798.99.86(c)(1)); next processing due by 2026-12-09."
OPTOUT_TODAY=2027-01-01 run status --ledger "$work/l.db"
check_has "a later day gives the next cycle" "$work/out" "next processing due by 2027-01-23."

run mark DROP filed --date 2026-02-10 --ledger "$work/l2.db"
check_status "an empty ledger cannot say whose filing it is" 66
run packet -p "$ex" -b spokeo -r delete -o "$work/pk3" --ledger "$work/l2.db" --lang en
run mark DROP filed --date 2026-02-10 --ledger "$work/l2.db"
run status --ledger "$work/l2.db"
check_has "a filing before the first processing day counts from 2026-08-01" "$work/out" \
	"filed on 2026-02-10; from 2026-08-01 registered data brokers process it at least every 45 days (Cal. Civ. Code §1798.99.86(c)(1)); next processing due by 2026-12-14."

run mark DROP filed --date 2025-12-01 --ledger "$work/l.db"
check_status "a day before DROP opened is refused" 65
check_has "the error says DROP was not open then" "$work/err" "DROP did not take requests on 2025-12-01"
run mark DROP sent --ledger "$work/l.db"
check_status "DROP takes only 'filed'" 64
run packet -p "$fx/profiles/nguyen-or.json" -b spokeo -r delete -o "$work/pk4" --ledger "$work/l.db" --lang en
run mark DROP filed --date 2026-09-10 --ledger "$work/l.db"
check_status "with two clients, --client is needed" 64
check_has "the error asks for --client" "$work/err" "say whose filing it is with --client LABEL"
run mark DROP filed --date 2026-10-01 --client fixture-0105 --ledger "$work/l.db"
check_status "--client names whose filing it is" 0
run status --ledger "$work/l.db"
check_eq "status lists each client's filing" "2" "$(grep -c '^DROP (client ' "$work/out")"
check_has "the second client's filing has its own cycle" "$work/out" \
	"DROP (client fixture-0105): filed on 2026-10-01; from 2026-08-01 registered data brokers process it at least every 45 days (Cal. Civ. Code §1798.99.86(c)(1)); next processing due by 2026-12-30."
run mark OPT-AAAA-AAAA sent --client x --ledger "$work/l.db"
check_status "--client goes with DROP only" 64

done_testing
