#!/bin/sh
# A clinic's shared ledger on PostgreSQL: an SQLite ledger copied in (twice,
# changing nothing the second time), two seats' batches over one client list
# at the same time ending with every request exactly once, a client another
# seat holds passed over, and who did what (status --by).
. "$TOP_SRCDIR/tests/e2e/lib.sh"
. "$TOP_SRCDIR/tests/e2e/net.sh"
. "$TOP_SRCDIR/tests/e2e/pg.sh"
pg_start

fx="$TOP_SRCDIR/tests/fixtures"
fill="$TOP_BUILDDIR/tests/tools/ledger-fill"
export OPTOUT_TODAY=2026-11-22 OPTOUT_DATADIR="$fx/data"
agent="$TOP_SRCDIR/letters/examples/agent.json"
brokers=example-cra,example-history

# json_get FILE EXPR: evaluate a Python expression over the JSON value j.
json_get() { "$PYTHON" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# A laptop's SQLite ledger moves to the shared server.
"$fill" "$work/laptop.db" client-a:acxiom:delete:us-ca:email:sent@2026-10-01 \
	client-b:lexisnexis-risk:access:us-ca:postal:planned@2026-11-20 >"$work/fill.out"
A=$(sed -n 1p "$work/fill.out" | cut -d' ' -f1)
run ledger migrate --from "$work/laptop.db" --to "$pg_url"
check_status "ledger migrate exits 0" 0
check_has "it says what it copied" "$work/out" "Copied 6 rows from $work/laptop.db into $pg_url (0 were there already); the copy checks out."
run ledger migrate --from "$work/laptop.db" --to "$pg_url"
check_has "a second run copies nothing" "$work/out" "Copied 0 rows from $work/laptop.db into $pg_url (6 were there already)"
check_eq "the server holds the laptop's requests and events" "2 4" \
	"$(pg_sql "$pg_url" "SELECT (SELECT count(*) FROM requests) || ' ' || (SELECT count(*) FROM events)")"
run status --ledger "$pg_url" --json
check_eq "status reads them from the server, with their dates" "$A sent 2026-10-01" \
	"$(json_get "$work/out" '[r["reference"] + " " + r["state"] + " " + r["sent"] for r in j if r["client"] == "client-a"][0]')"
pg_newdb other
"$fill" "${pg_url%/optout}/other" client-z:acxiom:delete:us-ca:email:sent@2026-10-01 >/dev/null
run ledger migrate --from "$work/laptop.db" --to "${pg_url%/optout}/other"
check_status "copying into a ledger whose ids hold other requests is refused" 65
check_has "saying which request clashes" "$work/err" "clashes with another request already there"
check_eq "and nothing of the copy stays" "1" "$(pg_sql "${pg_url%/optout}/other" "SELECT count(*) FROM requests")"
run ledger check --ledger "$pg_url"
check_status "ledger check on the server exits 0" 0
check_has "and says it checks out" "$work/out" "the ledger checks out (schema version $schema_version)"
pg_sql "$pg_url" "UPDATE requests SET state = 'mailed' WHERE reference = '$A'"
run ledger check --ledger "$pg_url"
check_status "a broken rule is found on PostgreSQL too" 65
check_has "naming the request" "$work/err" "$A has a state different from its last event"
pg_sql "$pg_url" "UPDATE requests SET state = 'sent' WHERE reference = '$A'"

# The database's own constraints refuse a second open request of one type.
if pg_sql "$pg_url" "INSERT INTO requests (reference, client, broker, procedure, request, law,
	channel, created, deadline_days, deadline_unit) SELECT 'OPT-0000-0001', client, broker,
	procedure, request, law, channel, created, 45, 'calendar' FROM requests WHERE reference = '$A'" \
	>"$work/dup.out" 2>&1; then
	not_ok "a duplicate open request is refused by the database"
else
	check_has "a duplicate open request is refused by the database" "$work/dup.out" "requests_open"
fi

# Who did what.
run mark "$A" acknowledged --date 2026-11-20 --ledger "$pg_url"
check_status "a seat without OPTOUT_SEAT marks a request" 0
OPTOUT_SEAT=front-desk "$OPTOUT" mark "$A" completed --date 2026-11-21 --ledger "$pg_url" >/dev/null
check_eq "each event names its seat" "postgres front-desk" \
	"$(pg_sql "$pg_url" "SELECT string_agg(actor, ' ' ORDER BY e.id) FROM events e JOIN requests r
		ON r.id = e.request_id WHERE r.reference = '$A' AND kind IN ('acknowledged', 'completed')")"
run status --ledger "$pg_url" --by front-desk --json
check_eq "status --by lists what a seat touched" "$A" "$(json_get "$work/out" '" ".join(r["reference"] for r in j)')"
run status --ledger "$pg_url" --by nobody
check_eq "and nothing for a seat that did nothing" "No requests in the ledger." "$(cat "$work/out")"

# Two seats run the same list at once.
"$PYTHON" - "$work/clients.csv" "$TOP_SRCDIR/letters/examples/clients.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
with open(sys.argv[1], "w", encoding="utf-8", newline="") as f:
    w = csv.DictWriter(f, fieldnames=rows[0].keys())
    w.writeheader()
    for i in range(40):
        r = dict(rows[i % len(rows)])
        r["label"] = "seat-client-%03d" % i
        r["family"] = r["family"] + " " + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i % 26] + str(i)
        w.writerow(r)
PY
before=$(pg_sql "$pg_url" "SELECT count(*) FROM requests")
OPTOUT_SEAT=seat-1 "$OPTOUT" batch -c "$work/clients.csv" --agent "$agent" -b "$brokers" \
	-r opt-out,access -o "$work/seat1" --ledger "$pg_url" >"$work/s1.out" 2>"$work/s1.err" &
p1=$!
OPTOUT_SEAT=seat-2 "$OPTOUT" batch -c "$work/clients.csv" --agent "$agent" -b "$brokers" \
	-r opt-out,access -o "$work/seat2" --ledger "$pg_url" >"$work/s2.out" 2>"$work/s2.err" &
p2=$!
cleanup_pids="$cleanup_pids $p1 $p2"
set +e
wait "$p1"; r1=$?
wait "$p2"; r2=$?
set -e
check_eq "both seats' batches exit 0" "0 0" "$r1 $r2"
n1=$(sed -n 's/.*: \([0-9]*\) requests recorded, .*/\1/p' "$work/s1.out")
n2=$(sed -n 's/.*: \([0-9]*\) requests recorded, .*/\1/p' "$work/s2.out")
total=$(pg_sql "$pg_url" "SELECT count(*) FROM requests WHERE client LIKE 'seat-client-%'")
check_eq "each request was recorded by exactly one seat" "$total" "$((n1 + n2))"
# The same list by one person into a file: the requests the seats must have made together.
"$OPTOUT" batch -c "$work/clients.csv" --agent "$agent" -b "$brokers" -r opt-out,access \
	-o "$work/alone" --ledger "$work/alone.db" >/dev/null 2>&1
triples='" ".join(sorted(r["client"] + "/" + r["broker"] + "/" + r["request"] for r in j if r["client"].startswith("seat-client")))'
run status --ledger "$work/alone.db" --json
alone=$(json_get "$work/out" "$triples")
run status --ledger "$pg_url" --json
check_eq "the seats made together what one run makes alone" "$alone" "$(json_get "$work/out" "$triples")"
check_eq "that is every request of the list" "$(echo "$alone" | wc -w)" "$total"
check_eq "no reference twice, no client with two open requests of one type" "0 0" \
	"$(pg_sql "$pg_url" "SELECT (SELECT count(*) - count(DISTINCT reference) FROM requests) || ' ' ||
		(SELECT count(*) FROM (SELECT 1 FROM requests WHERE state NOT IN ('completed', 'denied')
		GROUP BY client, broker, request HAVING count(*) > 1) d)")"
check_eq "no client was passed over by both seats" "" \
	"$(cat "$work/seat1/summary.csv" "$work/seat2/summary.csv" | grep ',other-seat,' | cut -d, -f1 | sort | uniq -d)"
check_eq "each client's planned event was made by the seat that recorded it" "0" \
	"$(pg_sql "$pg_url" "SELECT count(*) FROM events WHERE kind = 'planned' AND actor NOT IN ('seat-1', 'seat-2')
		AND request_id IN (SELECT id FROM requests WHERE client LIKE 'seat-client-%')")"
run ledger check --ledger "$pg_url"
check_status "the shared ledger checks out after the race" 0
[ "$before" -eq 2 ] || not_ok "the ledger held only the migrated requests before the race" "$before"

# A client another seat's run holds is passed over, deterministically: a
# session takes the claim a batch would take and keeps it.
"$PG_BIN/psql" -qAt -d "$pg_url" -c "SELECT pg_advisory_lock(1869640817, hashtext('seat-client-041'))" \
	-c "SELECT pg_sleep(300)" >/dev/null 2>&1 &
holder=$!
cleanup_pids="$cleanup_pids $holder"
# claimed: the session holds the client's claim, or it is gone and never will.
claimed() {
	[ "$(pg_sql "$pg_url" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1869640817 AND granted")" = 1 ] ||
		! kill -0 "$holder" 2>/dev/null
}
wait_until claimed
head -1 "$work/clients.csv" >"$work/two.csv"
sed -n 2,3p "$work/clients.csv" | sed 's/^seat-client-000/seat-client-040/; s/^seat-client-001/seat-client-041/' >>"$work/two.csv"
run batch -c "$work/two.csv" --agent "$agent" -b "$brokers" -r opt-out,access -o "$work/seat3" --ledger "$pg_url"
check_status "a batch beside a held client exits 0" 0
check_has "it says another seat has one client" "$work/out" "1 clients were taken by another seat's batch"
check_eq "the held client is passed over, the other done" "seat-client-040,written
seat-client-041,other-seat" "$(grep '^seat-client' "$work/seat3/summary.csv" | cut -d, -f1,2)"
check_eq "and nothing is recorded for the held one" "4 0" \
	"$(pg_sql "$pg_url" "SELECT (SELECT count(*) FROM requests WHERE client = 'seat-client-040') || ' ' ||
		(SELECT count(*) FROM requests WHERE client = 'seat-client-041')")"
kill "$holder" 2>/dev/null || true

done_testing
