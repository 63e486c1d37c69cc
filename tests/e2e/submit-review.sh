#!/bin/sh
# optout submit when a form may have reached the broker without a clear answer
# (a dropped connection, a timeout, a 5xx, a reply no pattern knows): the exact
# number of POSTs the emulator received, the ledger state (needs-review, never
# failed), the report; and that proxies from the environment are never used.
# Nothing here reaches anything but 127.0.0.1.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

ex="$TOP_SRCDIR/letters/examples/profile.json"
emu="$TOP_SRCDIR/tests/tools/broker-emulator.py"
export OPTOUT_TODAY=2026-11-22

mkdir -p "$work/data/brokers"
ln -s "$TOP_SRCDIR/letters" "$work/data/letters"
ln -s "$TOP_SRCDIR/brokers/schema.json" "$work/data/brokers/schema.json"
for f in "$TOP_SRCDIR"/tests/fixtures/data/brokers/submit/*.json; do
	ln -s "$f" "$work/data/brokers/"
done
export OPTOUT_DATADIR="$work/data"

# A throwaway CA, and a server certificate for the address 127.0.0.1 signed by it.
. "$TOP_SRCDIR/tests/e2e/net.sh"
tls="$work/tls"
make_ca "$tls"

"$PYTHON" "$emu" --cert "$tls/srv.pem" --key "$tls/srv.key" --port-file "$work/emu.port" \
	--log "$work/emu.log" 2>"$work/emu.stderr" &
cleanup_pids="$cleanup_pids $!"
n=0
while [ ! -s "$work/emu.port" ]; do
	n=$((n + 1))
	if [ $n -gt 200 ]; then
		echo "Bail out! the broker emulator did not start: $(cat "$work/emu.stderr")"
		exit 1
	fi
	sleep 0.05
done
port=$(cat "$work/emu.port")
log="$work/emu.log"
export OPTOUT_TEST_BASE="https://127.0.0.1:$port" OPTOUT_TEST_HOST_INTERVAL_MS=0 OPTOUT_TEST_RETRY_BASE_MS=50

# posts PATH: how many POSTs to PATH the emulator received since the log was emptied.
posts() {
	"$PYTHON" -c 'import json,sys; print(sum(1 for l in open(sys.argv[1], encoding="utf-8") if json.loads(l).get("method") == "POST" and json.loads(l)["path"] == sys.argv[2]))' "$log" "$1"
}
# state LEDGER BROKER: the ledger state of the broker's request.
state() {
	"$OPTOUT" status --ledger "$1" --json >"$work/st.json"
	"$PYTHON" -c 'import json,sys; print(" ".join(r["state"] for r in json.load(open(sys.argv[1])) if r["broker"] == sys.argv[2]))' "$work/st.json" "$2"
}
# send BROKERS: submit for the example person with a ledger of its own.
nsub=0
send() {
	: >"$log"
	nsub=$((nsub + 1))
	run submit -p "$ex" -r opt-out --cacert "$tls/ca.pem" --ledger "$work/ledger-$nsub.db" -b "$1" --send
}

# Proxy variables pointing at a dead address: the request still goes straight to the broker.
dead=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
(
	export https_proxy="http://127.0.0.1:$dead" HTTPS_PROXY="http://127.0.0.1:$dead"
	export ALL_PROXY="socks5://127.0.0.1:$dead" all_proxy="socks5://127.0.0.1:$dead"
	export http_proxy="http://127.0.0.1:$dead" no_proxy= NO_PROXY=
	send emu-plain
	echo "$status" >"$work/proxy.status"
	cp "$work/out" "$work/proxy.out"
)
check_eq "with proxy variables set to a dead address: exit 0" "0" "$(cat "$work/proxy.status")"
check_has "with proxy variables set: the form is done" "$work/proxy.out" "emu-plain — opt-out: done"
check_eq "with proxy variables set: the emulator got the page and the form directly" "1 1" \
	"$("$PYTHON" -c 'import json,sys; L=[json.loads(l) for l in open(sys.argv[1])]; print(sum(e.get("path") == "/plain/" for e in L), sum(e.get("path") == "/plain/submit" for e in L))' "$log")"

# A connection dropped after the form went out: one POST, needs-review, never failed.
send emu-drop
check_status "dropped connection: exit 69" 69
check_has "dropped connection: needs-review" "$work/out" "emu-drop — opt-out: needs-review"
check_has "dropped connection: says it may have been received" "$work/out" "the request may have been received"
check_eq "dropped connection: exactly one POST" "1" "$(posts /drop/submit)"
check_eq "dropped connection: the ledger says needs-review" "needs-review" "$(state "$work/ledger-$nsub.db" emu-drop)"
check_has "dropped connection: the report counts it and says what to do" "$work/out" \
	"1 request needs review: it may have reached the broker, so it was not sent again. Check your email and the broker's site, then run 'optout mark REFERENCE sent' or 'optout mark REFERENCE failed'."
# A second run with the same ledger sends nothing.
: >"$log"
run submit -p "$ex" -r opt-out --cacert "$tls/ca.pem" --ledger "$work/ledger-$nsub.db" -b emu-drop --send
check_has "a request in review is not sent again" "$work/err" "emu-drop: already needs-review in the ledger"
check_eq "and the broker receives nothing" "0" "$(posts /drop/submit)"
ref=$(sed -n 's/^  reference: //p' "$work/out")
run mark --ledger "$work/ledger-$nsub.db" "$ref" sent
check_status "a request in review can be marked sent" 0

# Always 503 to the form: one POST, not three; needs-review.
send emu-down
check_has "503 after the form: needs-review" "$work/out" "emu-down — opt-out: needs-review"
check_has "503 after the form: the reason" "$work/out" "The site answered 503 after the form was sent"
check_eq "503 after the form: exactly one POST (no automatic retry)" "1" "$(posts /down/submit)"
check_eq "503 after the form: the ledger says needs-review" "needs-review" "$(state "$work/ledger-$nsub.db" emu-down)"

# A reply no pattern recognises.
send emu-odd
check_has "an unrecognised reply: needs-review" "$work/out" "emu-odd — opt-out: needs-review"
check_eq "an unrecognised reply: exactly one POST" "1" "$(posts /odd/submit)"
check_eq "an unrecognised reply: the ledger says needs-review" "needs-review" "$(state "$work/ledger-$nsub.db" emu-odd)"

# No answer at all: the client's own timeout ends it (the emulator never replies).
OPTOUT_TEST_TIMEOUT_MS=1000 send emu-hang
check_has "a timeout after the form: needs-review" "$work/out" "emu-hang — opt-out: needs-review"
check_eq "a timeout after the form: exactly one POST" "1" "$(posts /hang/submit)"
check_eq "a timeout after the form: the ledger says needs-review" "needs-review" "$(state "$work/ledger-$nsub.db" emu-hang)"

# Two at once: the count.
send emu-drop,emu-down
check_has "two requests in review are counted" "$work/out" "2 requests need review: they may have reached the brokers"

# A documented idempotent form is retried after a 503 (the emulator's /retry/ answers 503 once).
send emu-retry
check_has "an idempotent form: done after the retry" "$work/out" "emu-retry — opt-out: done"
check_eq "an idempotent form: two POSTs" "2" "$(posts /retry/submit)"

# Nothing reached before the form went out: failed (may be sent again), not needs-review.
send emu-busy
check_has "429 to the form: failed, not review" "$work/out" "emu-busy — opt-out: failed"
check_eq "429 to the form: the ledger says failed" "failed" "$(state "$work/ledger-$nsub.db" emu-busy)"

# batch --send: forms left in review are reported, counted in summary.csv, and not sent again.
cat >"$work/clients.csv" <<'CSV'
label,given,family,street,city,region,postal_code,country,email
rv-1,Ana,Uno,1 Example Way,Los Angeles,CA,90012,US,ana@example.org
rv-2,Bea,Dos,2 Example Way,Los Angeles,CA,90012,US,bea@example.org
CSV
: >"$log"
run batch -c "$work/clients.csv" -b emu-drop,emu-plain -r opt-out -o "$work/bsend" \
	--ledger "$work/bsend.db" --send --cacert "$tls/ca.pem"
check_status "batch --send with forms in review exits 0" 0
check_has "batch --send reports the requests in review" "$work/out" \
	"2 requests need review: their forms went out but no clear answer came back, so they may have been received and are not sent again."
check_eq "batch --send: one POST per client to the dropping form" "2" "$(posts /drop/submit)"
check_eq "summary.csv counts them in forms_needs_review" "rv-1 1|rv-2 1" \
	"$("$PYTHON" -c 'import csv,sys; print("|".join(r["client"] + " " + r["forms_needs_review"] for r in csv.DictReader(open(sys.argv[1]))))' "$work/bsend/summary.csv")"
check_eq "the ledger: two in review, two sent" "needs-review:2 sent:2" \
	"$("$OPTOUT" status --ledger "$work/bsend.db" --json | "$PYTHON" -c 'import json,sys,collections; c=collections.Counter(r["state"] for r in json.load(sys.stdin)); print(" ".join("%s:%d" % kv for kv in sorted(c.items())))')"
"$PDFTOTEXT" -layout "$work/bsend/summary.pdf" "$work/summary.txt"
check_has "summary.pdf says how many need review" "$work/summary.txt" "Requests that need review: 2."
: >"$log"
run batch -c "$work/clients.csv" -b emu-drop,emu-plain -r opt-out -o "$work/bsend" \
	--ledger "$work/bsend.db" --send --cacert "$tls/ca.pem"
check_eq "a second batch --send posts nothing" "0" "$(posts /drop/submit)"
check_has "and still reports the requests left in review" "$work/out" "2 requests need review"

done_testing
