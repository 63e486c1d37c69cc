#!/bin/sh
# Ledgers made by earlier optouts migrate to the newest schema and keep what
# they hold.  tests/fixtures/ledger/v5.db, v6.db and v7.db were written by
# the optout of those versions (schema 5: before follow-up emails, at the
# merge base of wip/pg; 6: #15's mail kinds, commit 0932cdc; 7: main with
# #12's CRA pairs and DROP filings): a packet of delete and access requests
# to spokeo, acxiom and lexisnexis-risk planned on 2026-10-01 (lexisnexis-risk
# access under FCRA §612), acxiom's deletion marked sent on 2026-10-05, and
# in 7 a DROP filing on 2026-10-20.  Their email attempts were added with
# SQL, as those versions' send would have left them: the request's email
# sent, and in 6 and 7 a follow-up's email interrupted while 'sending'.
# Then the migrated ledgers go into PostgreSQL with 'optout ledger migrate',
# and a CRA pair and a DROP filing are recorded there directly.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

ex="$TOP_SRCDIR/letters/examples/profile.json"
export OPTOUT_DATADIR="$TOP_SRCDIR" OPTOUT_TODAY=2026-11-02 OPTOUT_SEAT=desk-1

# sq DB SQL: the rows of a query on an SQLite ledger, one per line, columns joined by '|'.
sq() {
	"$PYTHON" -c 'import sqlite3, sys
for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):
    print("|".join("" if c is None else str(c) for c in row))' "$1" "$2"
}
# lexis DB: lexisnexis-risk's access rows as "law|basis", by law.
lexis_sql="SELECT law, basis FROM requests WHERE broker = 'lexisnexis-risk' AND request = 'access' ORDER BY law"

for v in 5 6 7; do
	db="$work/v$v.db"
	cp "$TOP_SRCDIR/tests/fixtures/ledger/v$v.db" "$db"
	cp "$TOP_SRCDIR/tests/fixtures/ledger/v$v.db.key" "$db.key"
	chmod 600 "$db" "$db.key"
	check_eq "v$v: the fixture is at schema $v" "$v" "$(sq "$db" 'PRAGMA user_version')"
	run status --ledger "$db"
	check_status "v$v: status opens the ledger" 0
	check_eq "v$v: it is now at the newest version" "$schema_version" "$(sq "$db" 'PRAGMA user_version')"
	check_eq "v$v: events record their seat (events.actor), old ones none" "0" \
	    "$(sq "$db" 'SELECT count(actor) FROM events')"
	check_eq "v$v: the FCRA request is the pair's FCRA half, the others have no basis" \
	    "$(if [ "$v" = 7 ]; then printf 'fcra-612|fcra\nus-ca|privacy'; else echo 'fcra-612|fcra'; fi)" \
	    "$(sq "$db" "$lexis_sql")"
	check_eq "v$v: no other request got a basis" "0" \
	    "$(sq "$db" "SELECT count(*) FROM requests WHERE basis <> '' AND broker <> 'lexisnexis-risk'")"
	check_eq "v$v: the request's email is of kind 'request'; an interrupted follow-up's is uncertain" \
	    "$(if [ "$v" = 5 ]; then echo 'request|sent'; else printf 'request|sent\nfollowup|uncertain'; fi)" \
	    "$(sq "$db" 'SELECT kind, outcome FROM mail_sends ORDER BY id')"
	check_eq "v$v: the sent request kept its history" "acxiom|delete|sent|2026-10-05|planned sent" \
	    "$(sq "$db" "SELECT broker, request, state, sent, (SELECT group_concat(kind, ' ') FROM events e WHERE e.request_id = r.id) FROM requests r WHERE state = 'sent'")"
	run ledger check --ledger "$db"
	check_status "v$v: the migrated ledger checks out" 0
	check_has "v$v: at the newest version" "$work/out" "the ledger checks out (schema version $schema_version)"
	# The pair's privacy half is recorded beside the FCRA half, which is found again.
	run packet -p "$ex" -b lexisnexis-risk -r access -o "$work/pk$v" --ledger "$db" --lang en
	check_status "v$v: a packet on the migrated ledger exits 0" 0
	check_eq "v$v: the CRA pair is two rows: the old FCRA half and the privacy half" \
	    "$(printf 'fcra-612|fcra\nus-ca|privacy')" "$(sq "$db" "$lexis_sql")"
	check_eq "v$v: a step made now records its seat" "tester" \
	    "$(OPTOUT_SEAT=tester "$OPTOUT" mark "$(sq "$db" "SELECT reference FROM requests WHERE broker = 'spokeo' AND request = 'delete'")" \
	    sent --date 2026-11-02 --ledger "$db" >/dev/null && sq "$db" "SELECT actor FROM events ORDER BY id DESC LIMIT 1")"
done
run status --ledger "$work/v7.db"
check_has "v7: status shows the DROP filing made by the older optout" "$work/out" \
	"DROP (client example-person-only): filed on 2026-10-20;"

# ---- into PostgreSQL ------------------------------------------------------------------
. "$TOP_SRCDIR/tests/e2e/net.sh"
. "$TOP_SRCDIR/tests/e2e/pg.sh"
if [ ! -x "$PG_BIN/initdb" ]; then
	ok "# SKIP PostgreSQL 15 is not installed (Debian package postgresql)"
	done_testing
	exit 0
fi
pg_start
# A schema-5 file is migrated on opening, then copied.
cp "$TOP_SRCDIR/tests/fixtures/ledger/v5.db" "$work/v5b.db"
cp "$TOP_SRCDIR/tests/fixtures/ledger/v5.db.key" "$work/v5b.db.key"
chmod 600 "$work/v5b.db" "$work/v5b.db.key"
pg_newdb five
run ledger migrate --from "$work/v5b.db" --to "postgresql://postgres@127.0.0.1:$pg_port/five"
check_status "a schema-5 file migrates into PostgreSQL" 0
check_eq "its FCRA request has its basis there" "fcra-612|fcra" \
    "$(pg_sql "postgresql://postgres@127.0.0.1:$pg_port/five" "SELECT law, basis FROM requests WHERE broker = 'lexisnexis-risk' AND request = 'access'")"

run ledger migrate --from "$work/v7.db" --to "$pg_url"
check_status "ledger migrate copies the migrated v7 ledger into PostgreSQL" 0
check_has "and the copy checks out" "$work/out" "the copy checks out"
check_eq "PostgreSQL is at the newest version" "$schema_version" "$(pg_sql "$pg_url" 'SELECT version FROM optout_schema')"
check_eq "requests.basis is copied" "$(printf 'fcra-612|fcra\nus-ca|privacy')" "$(pg_sql "$pg_url" "$lexis_sql")"
check_eq "mail_sends.kind is copied" "$(printf 'request|sent\nfollowup|uncertain')" \
    "$(pg_sql "$pg_url" 'SELECT kind, outcome FROM mail_sends ORDER BY id')"
check_eq "the DROP filing is copied" "example-person-only|us-ca|2026-10-20" \
    "$(pg_sql "$pg_url" 'SELECT client, law, filed FROM drop_filings')"
check_eq "events.actor is copied, old events without one" "$(printf '8 0\n1 tester')" \
    "$(pg_sql "$pg_url" "SELECT count(*), coalesce(actor, '0') FROM events GROUP BY actor ORDER BY 2" | tr '|' ' ')"
run ledger migrate --from "$work/v7.db" --to "$pg_url"
check_has "a second copy copies nothing" "$work/out" "Copied 0 rows"

run status --ledger "$pg_url"
check_status "status reads the PostgreSQL ledger" 0
check_has "with the DROP filing" "$work/out" "DROP (client example-person-only): filed on 2026-10-20;"
run mark DROP filed --date 2026-10-28 --client other-client --ledger "$pg_url"
check_status "mark DROP filed records on PostgreSQL" 0
run status --ledger "$pg_url"
check_has "status lists the new filing from PostgreSQL" "$work/out" \
	"DROP (client other-client): filed on 2026-10-28;"
# A CRA pair recorded on PostgreSQL: two rows, and a second run records neither again.
pg_newdb pair
pair="postgresql://postgres@127.0.0.1:$pg_port/pair"
run packet -p "$ex" -b lexisnexis-risk -r access -o "$work/pk-pg" --ledger "$pair" --lang en
check_status "a packet with a CRA pair records on PostgreSQL" 0
run packet -p "$ex" -b lexisnexis-risk -r access -o "$work/pk-pg2" --ledger "$pair" --lang en
check_eq "the pair is two rows with their bases, once" "$(printf 'fcra-612|fcra\nus-ca|privacy')" \
    "$(pg_sql "$pair" "$lexis_sql")"
# The rules the database keeps on PostgreSQL too.
if pg_sql "$pg_url" "INSERT INTO drop_filings (client, law, filed, at) VALUES ('x', 'us-ca', '20 Oct', 'now')" \
	>/dev/null 2>"$work/pgerr"; then not_ok "PostgreSQL refuses a DROP filing day that is no date" "inserted"
else check_has "PostgreSQL refuses a DROP filing day that is no date" "$work/pgerr" "drop_filings_filed_check"; fi
if pg_sql "$pg_url" "UPDATE requests SET basis = 'other' WHERE id = 1" >/dev/null 2>"$work/pgerr"; then
	not_ok "PostgreSQL refuses an unknown basis" "updated"
else check_has "PostgreSQL refuses an unknown basis" "$work/pgerr" "requests_basis_check"; fi
run ledger check --ledger "$pg_url"
check_status "the PostgreSQL ledger checks out" 0
done_testing
