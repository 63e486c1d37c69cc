#!/bin/sh
# The ledger survives SIGKILL at random points: a worker records and "sends"
# M requests (no network) and is killed again and again, then re-run until it
# finishes.  Afterwards the file is sound, every request is there exactly
# once, none was sent twice, and the only ones left for review are those a
# kill interrupted between "sending" and "sent".  With OPTOUT_TEST_BACKEND=pg
# (tests/e2e/ledger-crash-pg.sh) the ledger is a PostgreSQL database.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

tool="$TOP_BUILDDIR/tests/tools/ledger-crash"
db="$work/crash/ledger.db"
. "$TOP_SRCDIR/tests/e2e/net.sh"
. "$TOP_SRCDIR/tests/e2e/pg.sh"
pg_backend
m=1000
max_kills=20

# rand_ms LO HI: a random number of milliseconds in [LO, HI].
rand_ms() {
	r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	echo $(( $1 + r % ($2 - $1 + 1) ))
}

kills=0 runs=0 recovered=0 finished=0
mark="$work/under-way"
while [ "$finished" -eq 0 ] && [ "$runs" -lt 200 ]; do
	runs=$((runs + 1))
	rm -f "$mark"
	if [ "$kills" -lt "$max_kills" ]; then
		# The worker says when it has sent K requests in this run; the kill
		# comes after that, a random moment later, so it lands while work
		# remains however busy the machine is, and at a random point.
		k=$(rand_ms 1 40)
		"$tool" run "$db" "$m" "$k" "$mark" >"$work/run.out" 2>"$work/run.err" &
		pid=$!
		cleanup_pids="$pid"
		while [ ! -e "$mark" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
		ms=$(rand_ms 0 20)
		sleep "$(printf '0.%03d' "$ms")"
		kill -KILL "$pid" 2>/dev/null || true
	else
		"$tool" run "$db" "$m" >"$work/run.out" 2>"$work/run.err" &
		pid=$!
		cleanup_pids="$pid"
	fi
	set +e
	wait "$pid"
	rc=$?
	set -e
	cleanup_pids=
	# A run that got far enough to recover says how many it flagged.
	n=$(sed -n 's/^recovered //p' "$work/run.out")
	recovered=$((recovered + ${n:-0}))
	case $rc in
	0) finished=1 ;;
	137) kills=$((kills + 1)); echo "# run $runs killed ${ms} ms after send number ${k}" ;;
	*) break ;;
	esac
done

if [ "$finished" -eq 1 ]; then ok "the worker finished after $kills kills ($runs runs)"; else
	not_ok "the worker finished" "last run exited $rc: $(cat "$work/run.err")"; fi
# Each kill comes after at most 40 sends and 20 ms of the 1000 requests: the
# first kills always land.
if [ "$kills" -ge 5 ]; then ok "the worker was killed $kills times"; else
	not_ok "the worker was killed at least 5 times" "only $kills kills landed"; fi

set +e
"$tool" check "$db" "$m" >"$work/check.out" 2>"$work/check.err"
rc=$?
set -e
if [ "$rc" -eq 0 ]; then ok "integrity, foreign keys, events and outcomes check out"; else
	not_ok "integrity, foreign keys, events and outcomes check out" "$(head -c 2000 "$work/check.err")"; fi
sent=$(sed -n 's/^sent \([0-9]*\) needs-review [0-9]*$/\1/p' "$work/check.out")
review=$(sed -n 's/^sent [0-9]* needs-review \([0-9]*\)$/\1/p' "$work/check.out")
check_eq "every request is sent or flagged for review, exactly once" "$m" "$((${sent:-0} + ${review:-0}))"
# Each run reports what it recovered; a kill right after a recovery's commit
# can swallow that report, never invent one, so the sum is a lower bound.
if [ "$recovered" -le "${review:-0}" ] && [ "${review:-99}" -le "$kills" ]; then
	ok "flagged for review: $review, reported $recovered, at most one per kill"; else
	not_ok "flagged for review: at most one per kill, as reported" \
		"$review flagged, $recovered reported, $kills kills"; fi

# A finished run changes nothing when run again: nothing is sent twice.
"$tool" run "$db" "$m" >"$work/run.out" 2>"$work/run.err"
check_eq "a re-run sends nothing" "recovered 0
done sent 0 skipped $m" "$(cat "$work/run.out")"
"$tool" check "$db" "$m" >"$work/check2.out" 2>&1 || true
check_eq "and the outcome is unchanged" "$(cat "$work/check.out")" "$(cat "$work/check2.out")"

# The file and its companions are private.
if [ "$backend" = sqlite ]; then
check_eq "the ledger file is 0600" "600" "$(stat -c %a "$db")"
check_eq "its directory is 0700" "700" "$(stat -c %a "$work/crash")"
fi

done_testing
