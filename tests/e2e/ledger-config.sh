#!/bin/sh
# The config file names the ledger ("ledger = postgresql://..." beside the
# mail accounts, read by the same parser): every command uses it unless
# OPTOUT_LEDGER or --ledger names another; bad ledger lines are refused with
# the file, the line and what was expected.  shred forgets a label in the
# PostgreSQL ledger.  Then two seats run 'send --send' on the same request at
# the same moment, against the real Postfix of tests/e2e/send.sh: it is
# delivered once.
. "$TOP_SRCDIR/tests/e2e/lib.sh"
. "$TOP_SRCDIR/tests/e2e/net.sh"
. "$TOP_SRCDIR/tests/e2e/pg.sh"
pg_start

ex="$TOP_SRCDIR/letters/examples/profile.json"
export OPTOUT_TODAY=2026-12-07 OPTOUT_TEST_NO_WAIT=1
unset OPTOUT_LEDGER
. "$TOP_SRCDIR/tests/e2e/mail-data.sh"
conf="$XDG_CONFIG_HOME/optout/config"
mkdir -p "$XDG_CONFIG_HOME/optout"
# account [PORT]: the clinic's account section.
account() {
	printf '[account clinic]\nhost = 127.0.0.1\nport = %s\nuser = intake\n' "${1:-2525}"
	printf 'from = intake@clinic.test\npassword_command = cat %s/password\n' "$work"
}
printf 'Correct-Horse-7\n' >"$work/password"
{ printf '# the clinic'"'"'s shared ledger\nledger = %s\n\n' "$pg_url"; account; } >"$conf"

# ---- the config file's ledger ---------------------------------------------------------
run mark DROP filed --date 2026-10-20 --client client-cfg
check_status "mark with no --ledger records in the config file's ledger" 0
check_eq "the filing is in PostgreSQL" "client-cfg|2026-10-20" \
	"$(pg_sql "$pg_url" 'SELECT client, filed FROM drop_filings')"
if [ -e "$XDG_DATA_HOME/optout/ledger.db" ]; then not_ok "no ledger file is made"; else ok "no ledger file is made"; fi
run status
check_has "status reads it" "$work/out" "DROP (client client-cfg): filed on 2026-10-20;"
run send -p "$ex" -b mail-accepts -r delete
check_status "the mail account still loads with a ledger line in the file" 0
check_has "the dry run names the account" "$work/out" "via:       account clinic, 127.0.0.1:2525"
fill="$TOP_BUILDDIR/tests/tools/ledger-fill"
"$fill" "$work/env.db" client-env:acxiom:delete:us-ca:email:planned@2026-10-01 >/dev/null
"$fill" "$work/opt.db" client-opt:acxiom:delete:us-ca:email:planned@2026-10-01 >/dev/null
OPTOUT_LEDGER="$work/env.db" run mark DROP filed --date 2026-10-21 --client client-env
check_status "OPTOUT_LEDGER comes before the config file" 0
check_eq "its filing is in the file, not in PostgreSQL" "client-env 1" \
	"$("$PYTHON" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT client FROM drop_filings").fetchone()[0])' "$work/env.db") $(pg_sql "$pg_url" 'SELECT count(*) FROM drop_filings')"
run mark DROP filed --date 2026-10-22 --client client-opt --ledger "$work/opt.db"
check_status "--ledger comes before both" 0
check_eq "PostgreSQL still holds one filing" "1" "$(pg_sql "$pg_url" 'SELECT count(*) FROM drop_filings')"

# bad LINE EXPECTED: a config file whose ledger line is LINE is refused, naming line 2.
bad() {
	printf '# the clinic\n%s\n' "$1" >"$conf"
	account >>"$conf"
	run status
	check_status "refused: $1" 66
	check_has "saying where and what was expected: $1" "$work/err" "$conf:2: $2"
}
bad "ledger = ledger.db" "ledger: expected a postgresql:// URL or a file's absolute path"
bad "ledger = postgresql://intake:hunter2@127.0.0.1/optout" \
	"ledger: a password is not kept in this file: put it in ~/.pgpass"
check_lacks "the password is not repeated" "$work/err" "hunter2"
bad "host = 127.0.0.1" "'host' comes before any [account NAME] section (the only key before one is ledger)"
printf 'ledger = %s\nledger = /tmp/x.db\n' "$pg_url" >"$conf"
run status
check_has "a second ledger line is refused" "$work/err" "$conf:2: ledger: given twice"
{ printf 'ledger = %s\n' "$pg_url"; account; } >"$conf"

# ---- shred forgets a label in the PostgreSQL ledger -----------------------------------
run shred client-cfg
check_status "shred of a label in the config file's PostgreSQL ledger exits 0" 0
check_eq "its DROP filing is gone from the server" "0" \
	"$(pg_sql "$pg_url" "SELECT count(*) FROM drop_filings WHERE client = 'client-cfg'")"
run shred --all
check_status "shred --all says the shared ledger stays" 69
check_has "and why" "$work/err" "the shared PostgreSQL ledger is not removed by --all"

# ---- two seats send one request at once -----------------------------------------------
if [ "$(id -u)" -ne 0 ] || ! command -v postfix >/dev/null 2>&1 ||
	! command -v saslpasswd2 >/dev/null 2>&1; then
	ok "# SKIP the two seats' send needs root and postfix, sasl2-bin (./bootstrap installs them)"
	done_testing
	exit $?
fi
tls="$work/tls"
make_ca "$tls"
. "$TOP_SRCDIR/tests/e2e/postfix.sh"
start_postfix
trap 'stop_postfix; pg_stop; cleanup' EXIT INT TERM
{ printf 'ledger = %s\n' "$pg_url"; account "$smtp_port"; } >"$conf"
count() { ls "$maildir/new" 2>/dev/null | wc -l | tr -d ' '; }

# The test holds the ledger's write lock; both seats start and wait for it
# at their first change; when both wait, it lets go.  Whichever goes first,
# the request is recorded once and sent once.
mkfifo "$work/hold"
"$PG_BIN/psql" -qAt -d "$pg_url" <"$work/hold" >"$work/hold.out" 2>&1 &
hold_pid=$!
exec 7>"$work/hold"
echo "BEGIN; SELECT pg_advisory_xact_lock(1869640816);" >&7
# locks STATE: how many hold the ledger's write lock (true) or wait for it (false).
locks() { pg_sql "$pg_url" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 1869640816 AND granted = $1"; }
# held, waiting: the lock's state is reached, or the processes that reach it are gone.
held() { [ "$(locks true)" = 1 ] || ! kill -0 "$hold_pid" 2>/dev/null; }
waiting() { [ "$(locks false)" = 2 ] || ! kill -0 "$pid_a" 2>/dev/null || ! kill -0 "$pid_b" 2>/dev/null; }
wait_until held
check_eq "the test holds the ledger's write lock" 1 "$(locks true)"
for seat in a b; do
	OPTOUT_SEAT=seat-$seat "$OPTOUT" send -p "$ex" -b mail-accepts -r delete --cacert "$tls/ca.pem" \
		--send >"$work/seat-$seat.out" 2>"$work/seat-$seat.err" &
	eval "pid_$seat=\$!"
done
wait_until waiting
check_eq "both seats wait for the ledger at the same point" 2 "$(locks false)"
echo "COMMIT;" >&7
exec 7>&-
wait "$hold_pid"
wait "$pid_a"; st_a=$?
wait "$pid_b"; st_b=$?
check_eq "both seats finish without an error" "0 0" "$st_a $st_b"
cat "$work/seat-a.out" "$work/seat-b.out" >"$work/both.out"
check_eq "the server accepted one message from the two seats" 1 "$(grep -c 'queued as' "$work/both.out")"
wait_delivered 1 || true
check_eq "and delivered it" 1 "$(count)"
check_eq "one request in the ledger, sent, with one email attempt" "1 sent 1" \
	"$(pg_sql "$pg_url" "SELECT (SELECT count(*) FROM requests WHERE broker = 'mail-accepts') || ' ' || (SELECT state FROM requests WHERE broker = 'mail-accepts') || ' ' || (SELECT count(*) FROM mail_sends)")"
check_eq "one 'sent' event, made by one of the seats" "1" \
	"$(pg_sql "$pg_url" "SELECT count(*) FROM events WHERE kind = 'sent' AND actor IN ('seat-a', 'seat-b')")"
check_eq "one seat says it sent it, the other that the ledger shows it going or gone" "1 1" \
	"$(grep -c 'mail-accepts — delete: sent$' "$work/both.out") $(grep -Ec 'the ledger shows this request as (sending|sent): not sent again' "$work/both.out")"
run ledger check
check_status "the shared ledger checks out" 0
done_testing
