#!/bin/sh
# The ledger's commands: 'optout status' and 'optout mark', on requests
# recorded through the ledger API by tests/tools/ledger-fill.  With
# OPTOUT_TEST_BACKEND=pg (tests/e2e/ledger-pg.sh) the same checks run on a
# PostgreSQL ledger named by OPTOUT_LEDGER; those about the file are skipped.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fill="$TOP_BUILDDIR/tests/tools/ledger-fill"
export OPTOUT_TODAY=2026-12-01
db="$XDG_DATA_HOME/optout/ledger.db"
. "$TOP_SRCDIR/tests/e2e/net.sh"
. "$TOP_SRCDIR/tests/e2e/pg.sh"
pg_backend
[ "$backend" = sqlite ] || export OPTOUT_LEDGER="$db"

# json_get FILE EXPR: evaluate a Python expression over the JSON value j.
json_get() { "$PYTHON" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# ref_of N: the reference ledger-fill printed on line N.
ref_of() { sed -n "${1}p" "$work/fill.out" | cut -d' ' -f1; }

# Nothing recorded yet.
if [ "$backend" = sqlite ]; then
run status
check_status "status without a ledger exits 66" 66
check_has "and says there is none" "$work/err" "$db: no ledger"
run mark OPT-0000-0000 mailed
check_status "mark without a ledger exits 66" 66
run status --ledger "$work/elsewhere.db"
check_status "--ledger names the file" 66
check_has "the named file is the one looked for" "$work/err" "$work/elsewhere.db: no ledger"
fi

# A: a CCPA deletion sent on 1 October (due 15 November); B: a CCPA opt-out sent the day
# before Thanksgiving (15 business days: 17 December); C: a letter not yet mailed;
# D: a GDPR access request sent on 1 November (one month: due today).
set -- client-a:acxiom:delete:us-ca:email:sent@2026-10-01 \
	client-a:spokeo:opt-out:us-ca:web:sent@2026-11-25 \
	client-b:lexisnexis-risk:access:us-ca:postal:planned@2026-11-20 \
	client-b:acxiom:access:gdpr:email:sent@2026-11-01
"$fill" "$db" "$@" >"$work/fill.out"
A=$(ref_of 1) B=$(ref_of 2) C=$(ref_of 3) D=$(ref_of 4)
check_eq "four requests recorded" "new sent
new sent
new planned
new sent" "$(cut -d' ' -f2- "$work/fill.out")"
"$fill" "$db" "$@" >"$work/fill2.out"
check_eq "recording them again finds them (nothing duplicated)" "existing sent
existing sent
existing planned
existing sent" "$(cut -d' ' -f2- "$work/fill2.out")"
if [ "$backend" = sqlite ]; then
check_eq "the ledger file is private (0600)" "600" "$(stat -c %a "$db")"
check_eq "in a private folder (0700)" "700" "$(stat -c %a "$XDG_DATA_HOME/optout")"
fi

run status
check_status "status exits 0" 0
check_has "a table with a heading" "$work/out" "REFERENCE      CLIENT    BROKER           REQUEST  STATE         FROM                  DUE         LEFT"
check_has "an overdue request, by how many days" "$work/out" "$A  client-a  acxiom           delete   sent          2026-10-01 sent       2026-11-15  overdue by 16 days"
check_has "business days skip the weekends and Thanksgiving" "$work/out" "$B  client-a  spokeo           opt-out  sent          2026-11-25 sent       2026-12-17  16 days"
check_has "a month under the GDPR, due today" "$work/out" "$D  client-b  acxiom           access   sent          2026-11-01 sent       2026-12-01  due today"
check_has "a planned letter has no due date yet" "$work/out" "$C  client-b  lexisnexis-risk  access   planned       -                     -           -"
check_has "totals" "$work/out" "4 requests: 3 awaiting an answer, 1 overdue, 0 to review."
check_eq "overdue first, undated last" "$A $D $B $C" "$(sed -n '2,5p' "$work/out" | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//')"

run status --json
check_status "status --json exits 0" 0
check_eq "every request in the JSON" "4" "$(json_get "$work/out" 'len(j)')"
check_eq "days left, negative when overdue" "-16 0 16 None" \
	"$(json_get "$work/out" '" ".join(str(r["days_left"]) for r in j)')"
check_eq "the deadline in words and the law" "45 calendar days us-ca | 1 month gdpr | 15 business days us-ca" \
	"$(json_get "$work/out" '" | ".join(r["deadline"] + " " + r["law"] for r in j if r["state"] == "sent")')"
check_eq "A is overdue, sent by email with a message id" "True email <synthetic@test.invalid>" \
	"$(json_get "$work/out" '[str(r["overdue"]) + " " + r["channel"] + " " + r["message_id"] for r in j if r["reference"] == "'"$A"'"][0]')"

run status --overdue --json
check_eq "--overdue: only A" "$A" "$(json_get "$work/out" '" ".join(r["reference"] for r in j)')"
run status --client client-b --json
check_eq "--client: only that client's" "$D $C" "$(json_get "$work/out" '" ".join(r["reference"] for r in j)')"
run status --client client-c
check_eq "no requests for an unknown client" "No requests for this client." "$(cat "$work/out")"

# The letter went out: the deadline starts after the mail-transit allowance (5 business
# days, Thanksgiving skipped) until its delivery is recorded.
run mark "$C" mailed --date 2026-11-25 --tracking "9400 1000 0000 0000 0000 00"
check_status "mark mailed exits 0" 0
check_eq "mark says when it is due, and from which day" "$C: mailed on 2026-11-25; due 2027-01-17 (45 calendar days from 2026-12-03, the expected delivery after the mail-transit allowance).
When it is delivered, run 'optout mark $C delivered --date YYYY-MM-DD' to count from the day of receipt.
Tracking number: 9400 1000 0000 0000 0000 00" "$(cat "$work/out")"
run status --client client-b --json
check_eq "the tracking number is kept" "9400 1000 0000 0000 0000 00 2026-11-25" \
	"$(json_get "$work/out" '[r["tracking"] + " " + r["sent"] for r in j if r["reference"] == "'"$C"'"][0]')"

# Extensions follow the law.
run mark "$A" extended
check_status "an extension noticed after the first period is refused with 65" 65
check_has "citing the rule" "$work/err" "the law requires notice of an extension within the first period, which ended on 2026-11-15"
run mark "$B" extended --date 2026-11-30
check_status "no extension for a CCPA opt-out" 65
check_has "the law allows none" "$work/err" "allows no extension for this request"
run mark "$C" extended --date 2026-12-01 --note "letter from the broker"
check_status "a timely extension is recorded" 0
check_eq "with the new due date" "$C: extended (notice on 2026-12-01); now due 2027-03-03 (45 calendar days more)." "$(cat "$work/out")"

# Closing.
run mark "$(echo "$A" | tr 'A-Z' 'a-z')" completed --note "deletion confirmed"
check_status "mark completed (the reference in any case) exits 0" 0
check_eq "completed today" "$A: completed on 2026-12-01." "$(cat "$work/out")"
run mark "$A" mailed
check_status "a closed request does not change" 65
check_has "and mark says so" "$work/err" "$A is already completed (on 2026-12-01)"
run status --overdue
check_eq "nothing overdue any more" "No overdue requests." "$(cat "$work/out")"
run mark "$D" acknowledged --date 2026-10-31
check_status "a day before the request went out is refused" 65
check_has "naming both days" "$work/err" "2026-10-31 is before the request went out (2026-11-01)"
run mark OPT-ZZZZ-ZZZZ denied
check_status "an unknown reference exits 65" 65
check_has "naming it" "$work/err" "no request OPT-ZZZZ-ZZZZ in the ledger"

# Usage errors.
run mark "$D" frobnicated
check_status "an unknown state is a usage error" 64
run mark "$D"
check_status "a missing state is a usage error" 64
run mark "$D" denied --date 2027-01-01
check_status "a date in the future is a usage error" 64
run mark "$D" denied --date 2026-02-30
check_status "an impossible date is a usage error" 64
run mark "$D" mailed --tracking "no;way"
check_status "a tracking number with odd characters is a usage error" 64
run status --bogus
check_status "an unknown option is a usage error" 64
run status --help
check_status "status --help exits 0" 0
check_has "status --help shows the options" "$work/out" "--overdue"
run mark --help
check_status "mark --help exits 0" 0
# --help wraps its descriptions: compare the words, not the line breaks.
tr '\n' ' ' <"$work/out" | tr -s ' ' >"$work/mark-help"
check_has "mark --help explains the extension rule" "$work/mark-help" "refused when the notice came after the first period"

# A send a crash interrupted is flagged for review, never resent blindly.
"$fill" "$db" client-c:radaris:delete:us-ca:email:sending@2026-11-30 >"$work/fill.out"
E=$(ref_of 1)
run status
check_status "status after a crash exits 0" 0
check_has "and says a request needs review" "$work/err" "1 request was interrupted while being sent and now needs review"
check_has "the request is listed for review" "$work/out" "$E  client-c  radaris          delete   needs-review  -                     -           check it"
check_has "with what to do" "$work/out" "optout mark REFERENCE sent"
run status
check_lacks "recovery happens once" "$work/err" "interrupted"
run mark "$E" acknowledged
check_status "a request to review cannot skip the review" 65
run mark "$E" sent --date 2026-11-30
check_status "a person confirms it went out" 0
check_eq "and its deadline starts that day" "$E: sent on 2026-11-30; due 2027-01-14 (45 calendar days from the day it was sent)." "$(cat "$work/out")"
"$fill" "$db" client-c:radaris:opt-out:us-ca:web:sending@2026-11-30 >"$work/fill.out"
F=$(ref_of 1)
run mark "$F" failed --note "the form never loaded"
check_status "mark recovers first too, so a person can say the send failed" 0
check_has "saying so" "$work/err" "1 request was interrupted while being sent"
check_eq "a failed request can be sent again" "$F: failed; it can be sent again." "$(cat "$work/out")"

# What the ledger holds: labels and ids only.
if [ "$backend" = sqlite ]; then
check_lacks "no email address in the file" "$db" "@example"
else
	pg_sql "$db" "SELECT * FROM requests; SELECT * FROM events; SELECT * FROM clients" >"$work/dump"
	check_lacks "no email address in the database" "$work/dump" "@example"
fi

# A ledger from a newer optout is refused, naming both versions.
if [ "$backend" = sqlite ]; then
cp "$db" "$work/newer.db"
printf '\000\000\000\143' | dd of="$work/newer.db" bs=1 seek=60 conv=notrunc 2>/dev/null
newer="$work/newer.db"
else
	pg_newdb newer
	newer="${pg_url%/optout}/newer"
	pg_sql "$newer" "CREATE TABLE optout_schema (version integer NOT NULL); INSERT INTO optout_schema VALUES (99)"
fi
run status --ledger "$newer"
check_status "a newer ledger exits 65" 65
check_has "naming both versions" "$work/err" "schema version 99, but this optout knows versions up to $schema_version"

done_testing
