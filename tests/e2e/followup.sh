#!/bin/sh
# Follow-ups and complaints: an overdue request gets one follow-up letter citing
# the deadline and statute, counted from receipt (the mail-transit allowance until
# a delivery is recorded); still ignored after the grace period, or denied, it gets
# a complaint to the one regulator of the residence and law; courtesy requests
# have none; nothing is written twice.  Also: ledgers of schema 1 and 2 migrate.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fx="$TOP_SRCDIR/tests/fixtures"
export OPTOUT_DATADIR="$fx/data"
L="$work/l.db"

cat >"$work/c.csv" <<'CSV'
label,given,family,street,city,region,postal_code,country,email
ca-1,Ana,Ejemplo,1 Example Way,Los Angeles,CA,90012,US,ana@example.org
ca-2,Cy,Ejemplo,3 Example Way,San Diego,CA,92101,US,cy@example.org
il-1,Bo,Ejemplo,2 Example Way,Chicago,IL,60601,US,bo@example.org
CSV
export OPTOUT_TODAY=2026-11-02
"$OPTOUT" batch -c "$work/c.csv" -b example-cra -r delete,opt-out -o "$work/b" --ledger "$L" >/dev/null
"$OPTOUT" status --ledger "$L" --json >"$work/st.json"
ca_del=$(ref_of ca-1 delete); ca_opt=$(ref_of ca-1 opt-out); il_del=$(ref_of il-1 delete)
ca2_del=$(ref_of ca-2 delete)
"$OPTOUT" mark "$ca_del" mailed --tracking 9400111899223456789012 --ledger "$L" >/dev/null
"$OPTOUT" mark "$ca_opt" mailed --ledger "$L" >/dev/null
"$OPTOUT" mark "$il_del" mailed --ledger "$L" >/dev/null
"$OPTOUT" mark "$ca2_del" mailed --ledger "$L" >/dev/null
OPTOUT_TODAY=2026-11-16 "$OPTOUT" mark "$ca2_del" denied --reason "refused: not verified" \
	--note "private: Cy asked me to wait" --ledger "$L" >/dev/null
# The deletion and the courtesy request reached the broker on 4 November (return receipts).
OPTOUT_TODAY=2026-11-06 "$OPTOUT" mark "$ca_del" delivered --date 2026-11-04 --ledger "$L" >"$work/dl.txt"
check_has "delivery restarts the clock from receipt (45 days after 4 November)" "$work/dl.txt" \
	"$ca_del: delivered on 2026-11-04; due 2026-12-19 (45 calendar days from the day of receipt)."
OPTOUT_TODAY=2026-11-06 "$OPTOUT" mark "$il_del" delivered --date 2026-11-04 --ledger "$L" >/dev/null
"$OPTOUT" status --ledger "$L" --json >"$work/st.json"
due_of() { "$PYTHON" -c 'import json,sys; r=[r for r in json.load(open(sys.argv[1])) if r["reference"]==sys.argv[2]][0]; print(r["due"], r["clock_start"], r["clock_basis"])' "$work/st.json" "$1"; }
check_eq "a mailed opt-out counts 15 business days from the mailing day plus 5 business days of transit" \
	"2026-12-02 2026-11-09 transit" "$(due_of "$ca_opt")"
check_eq "a delivered one counts from the day of receipt" "2026-12-19 2026-11-04 received" "$(due_of "$ca_del")"
# flat FILE: a PDF's text on one line, so wrapped phrases can be found.

# Nothing is overdue yet.
export OPTOUT_TODAY=2026-11-20
run followup --overdue -o "$work/f" -c "$work/c.csv" --ledger "$L"
check_status "followup with nothing overdue exits 0" 0
check_has "and writes nothing" "$work/out" "Written: 0 follow-up letters, 0 appeals, 0 complaints"

# Counted from the mailing day (2 December), the opt-out would be overdue now; counted
# from its expected delivery (9 November) it is not.
export OPTOUT_TODAY=2026-12-02
run followup --overdue -o "$work/f" -c "$work/c.csv" --ledger "$L"
check_has "no follow-up claims a deadline passed before it could have" "$work/out" \
	"Written: 0 follow-up letters, 0 appeals, 0 complaints"

# The CCPA opt-out (15 business days) is overdue first; the deletion (45 days) later.
export OPTOUT_TODAY=2026-12-03
"$PYTHON" - "$work/other.json" <<'PY'
import json, sys
json.dump({"label": "ca-9", "names": {"given": "Di", "family": "Ejemplo"},
           "addresses": [{"street": ["9 Example Way"], "city": "Fresno", "region": "CA",
                          "postal_code": "93701", "country": "US", "current": True}]}, open(sys.argv[1], "w"))
PY
run followup --overdue -o "$work/f" -p "$work/other.json" --ledger "$L"
check_has "requests of clients whose details were not given are counted, not written" "$work/out" \
	"1 requests belong to clients whose details were not given"
run followup --overdue -o "$work/f" -c "$work/c.csv" --ledger "$L"
check_status "followup exits 0" 0
check_has "the overdue opt-out gets a follow-up" "$work/out" "wrote $work/f/ca-1/followup-$ca_opt.pdf"
check_has "one letter" "$work/out" "Written: 1 follow-up letter, 0 appeals, 0 complaints"
"$PDFTOTEXT" -enc UTF-8 "$work/f/ca-1/followup-$ca_opt.pdf" "$work/f1.txt"
check_has "it names the original request's date" "$work/f1.txt" "2 November 2026"
check_has "it cites the deadline's authority" "$work/f1.txt" "7026(f)"
check_has "it says when the answer was due (15 business days, Veterans Day and Thanksgiving skipped)" "$(flat "$work/f1.txt")" "that is by 2 December 2026"
check_has "it says which day the clock runs from, and why" "$(flat "$work/f1.txt")" \
	"I count it from 9 November 2026, allowing 5 business days after mailing for First-Class Mail delivery"
check_has "it names the one regulator a complaint would go to" "$(flat "$work/f1.txt")" \
	"file a complaint with the regulator, California Privacy Protection Agency, enclosing"
check_lacks "never an article glued to a name" "$(flat "$work/f1.txt")" "the The"
check_has "it is addressed from the person" "$work/f1.txt" "Ana Ejemplo"
run followup --overdue -o "$work/f" -c "$work/c.csv" --ledger "$L"
check_has "run again, it writes nothing twice" "$work/out" "Written: 0 follow-up letters, 0 appeals, 0 complaints"
check_has "and says it is waiting before a complaint" "$work/out" "1 followed up, waiting out the 14 days"

# After the grace period, the still-ignored request gets a complaint; the deletion its follow-up;
# the Illinois courtesy request a follow-up but never a complaint.
export OPTOUT_TODAY=2026-12-22
run followup --overdue -o "$work/f" -c "$work/c.csv" --ledger "$L"
check_has "the ignored opt-out now gets a complaint" "$work/out" "wrote $work/f/ca-1/complaint-$ca_opt.pdf"
check_has "the overdue deletion gets its follow-up" "$work/out" "wrote $work/f/ca-1/followup-$ca_del.pdf"
check_has "the courtesy request gets a follow-up" "$work/out" "wrote $work/f/il-1/followup-$il_del.pdf"
"$PDFTOTEXT" -enc UTF-8 "$work/f/ca-1/complaint-$ca_opt.pdf" "$work/c1.txt"
check_has "the complaint goes to the CPPA" "$(flat "$work/c1.txt")" "California Privacy Protection Agency"
check_lacks "and to no one else" "$(flat "$work/c1.txt")" "or the California Attorney General"
check_has "with its online complaint form" "$(flat "$work/c1.txt")" "filed online at https://cppa.ca.gov/webapplications/complaint"
check_has "and says its postal address is not confirmed rather than guessing one" "$(flat "$work/c1.txt")" \
	"The postal address of California Privacy Protection Agency could not be confirmed"
check_has "from the person's full address" "$work/c1.txt" "1 Example Way"
check_has "naming the business" "$(flat "$work/c1.txt")" "The business"
check_has "with a timeline including the follow-up" "$(flat "$work/c1.txt")" "A follow-up letter was sent; no complete answer came."
check_has "and the due date the law set" "$(flat "$work/c1.txt")" "2 December 2026 The answer the law requires was due."
check_has "and the government-sales question for a broker that sells to government" "$work/c1.txt" "ICE"
"$PDFTOTEXT" -enc UTF-8 "$work/f/ca-1/followup-$ca_del.pdf" "$work/f2.txt"
check_has "the deletion follow-up gives the tracking number" "$work/f2.txt" "9400111899223456789012"
check_has "and the day the broker received it" "$(flat "$work/f2.txt")" "you received it on 4 November 2026"
"$PDFTOTEXT" -enc UTF-8 "$work/f/il-1/followup-$il_del.pdf" "$work/f3.txt"
check_lacks "a courtesy follow-up threatens no complaint" "$work/f3.txt" "file a complaint"
export OPTOUT_TODAY=2027-02-01
run followup --overdue -o "$work/f" -c "$work/c.csv" --ledger "$L"
check_has "a courtesy request has no regulator to complain to" "$work/out" "1 requests stand on no statute with a regulator"

# A denial gets a complaint (not with --overdue), for the client whose profile is given.
run followup -o "$work/f" -p "$work/one.json" --ledger "$L"
check_status "a missing profile file exits 66" 66
"$PYTHON" - "$work/one.json" <<'PY'
import json, sys
json.dump({"label": "ca-2", "names": {"given": "Cy", "family": "Ejemplo"},
           "addresses": [{"street": ["3 Example Way"], "city": "San Diego", "region": "CA",
                          "postal_code": "92101", "country": "US", "current": True}],
           "emails": ["cy@example.org"]}, open(sys.argv[1], "w"))
PY
run followup --overdue -o "$work/f" -p "$work/one.json" --ledger "$L"
check_lacks "--overdue leaves denied requests alone" "$work/out" "complaint-$ca2_del"
run followup -o "$work/f" -p "$work/one.json" --ledger "$L"
check_has "a denied request gets a complaint" "$work/out" "wrote $work/f/ca-2/complaint-$ca2_del.pdf"
"$PDFTOTEXT" -enc UTF-8 "$work/f/ca-2/complaint-$ca2_del.pdf" "$work/c2.txt"
check_has "the complaint says the business refused" "$work/c2.txt" "The business refused the request"
check_has "and quotes what it said as its words" "$(flat "$work/c2.txt")" "In its own words, the business said: \"refused: not verified\""
check_lacks "never the person's private note" "$(flat "$work/c2.txt")" "Cy asked me to wait"
run followup -o "$work/f" --ledger "$L"
check_status "followup without profiles is a usage error" 64
check_eq "letters are private (0600)" "" "$(find "$work/f" -type f ! -perm 600)"

# A ledger written by schema version 1 opens, is migrated, and keeps its history.
cp "$fx/ledger/v1.db" "$work/v1.db"
export OPTOUT_TODAY=2026-11-20
run status --ledger "$work/v1.db" --json
check_status "a version 1 ledger opens" 0
check_eq "with its requests and states" "completed mailed planned planned" \
	"$("$PYTHON" -c 'import json,sys; print(" ".join(sorted(r["state"] for r in json.load(open(sys.argv[1])))))' "$work/out")"
check_eq "it is now at the newest version" "$schema_version" "$("$PYTHON" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA user_version").fetchone()[0])' "$work/v1.db")"
export OPTOUT_TODAY=2026-12-20
run followup --overdue -o "$work/v1f" -p "$work/one.json" --ledger "$work/v1.db"
check_status "followup works on the migrated ledger" 0

# A ledger of schema version 2: its clocks ran from the day each request went out, and
# its events keep their notes; a delivery can be recorded after the migration.
cp "$fx/ledger/v2.db" "$work/v2.db"
export OPTOUT_TODAY=2026-11-20
run status --ledger "$work/v2.db" --json
check_status "a version 2 ledger opens" 0
check_eq "mailed requests keep their due dates, counted from sending" "2026-12-17 2026-11-02 sent" \
	"$("$PYTHON" -c 'import json,sys; r=[r for r in json.load(open(sys.argv[1])) if r["reference"]=="OPT-DWGJ-SK23"][0]; print(r["due"], r["clock_start"], r["clock_basis"])' "$work/out")"
check_eq "its events and notes survive" "completed|2026-11-10|deletion confirmed|None" \
	"$("$PYTHON" -c 'import sqlite3,sys; print("|".join(map(str, sqlite3.connect(sys.argv[1]).execute("SELECT kind, day, note, reason FROM events WHERE kind = ? ", ("completed",)).fetchone())))' "$work/v2.db")"
run mark OPT-DWGJ-SK23 delivered --date 2026-11-06 --ledger "$work/v2.db"
check_has "a migrated request takes a delivery date" "$work/out" "due 2026-12-21 (45 calendar days from the day of receipt)"

done_testing
