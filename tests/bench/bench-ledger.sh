#!/bin/sh
# bench-ledger: requests recorded per second in an SQLite file and in a local
# PostgreSQL 15 (each one transaction with its event, as optout records them),
# then two seats' batches over one list of 1,000 clients on PostgreSQL.
# A benchmark (make bench), never part of make check; prints, asserts nothing
# but that the shared ledger checks out afterwards.
. "$TOP_SRCDIR/tests/e2e/lib.sh"
. "$TOP_SRCDIR/tests/e2e/net.sh"
. "$TOP_SRCDIR/tests/e2e/pg.sh"
pg_start >/dev/null

fill="$TOP_BUILDDIR/tests/tools/ledger-fill"
n=${BENCH_LEDGER_N:-2000}
clients=${BENCH_LEDGER_CLIENTS:-1000}
export OPTOUT_TODAY=2026-11-22

# now: seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }
# rate COUNT START END: COUNT per second.
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }

# Specs for n requests: n/4 clients x 4 brokers, one opt-out each, recorded only.
i=0
: >"$work/specs"
while [ "$i" -lt "$n" ]; do
	echo "bench-$((i / 4)):broker-$((i % 4)):opt-out:us-ca:web:planned@2026-11-20" >>"$work/specs"
	i=$((i + 1))
done
for target in "$work/bench.db" "$pg_url"; do
	t0=$(now)
	xargs "$fill" "$target" <"$work/specs" >/dev/null
	t1=$(now)
	case $target in postgresql*) name=PostgreSQL ;; *) name=SQLite ;; esac
	echo "ledger $name: $n requests recorded in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s, $(rate "$n" "$t0" "$t1") per second"
done

# Two seats, one list of clients, at the same time.
fx="$TOP_SRCDIR/tests/fixtures"
export OPTOUT_DATADIR="$fx/data"
"$PYTHON" - "$work/clients.csv" "$TOP_SRCDIR/letters/examples/clients.csv" "$clients" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
with open(sys.argv[1], "w", encoding="utf-8", newline="") as f:
    w = csv.DictWriter(f, fieldnames=rows[0].keys())
    w.writeheader()
    for i in range(int(sys.argv[3])):
        r = dict(rows[i % len(rows)])
        r["label"] = "bench-client-%04d" % i
        r["family"] = r["family"] + " B" + str(i)
        w.writerow(r)
PY
pg_newdb seats
seats="${pg_url%/optout}/seats"
t0=$(now)
for s in 1 2; do
	OPTOUT_SEAT=seat-$s "$OPTOUT" batch -c "$work/clients.csv" -b example-cra,example-history \
		-r opt-out,access -o "$work/seat$s" --ledger "$seats" >"$work/seat$s.out" 2>&1 &
	eval "p$s=\$!"
done
wait "$p1" "$p2"
t1=$(now)
total=$(pg_sql "$seats" "SELECT count(*) FROM requests")
taken=$(grep -h -c ',written,' "$work/seat1/summary.csv" "$work/seat2/summary.csv" | tr '\n' ' ')
echo "batch, 2 seats on PostgreSQL: $clients clients in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s ($(rate "$clients" "$t0" "$t1") clients per second), $total requests; clients written by each seat: $taken"
"$OPTOUT" ledger check --ledger "$seats"
