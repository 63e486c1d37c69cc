#!/bin/sh
# optout submit: proxies from the environment are never used.
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
tls="$work/tls"
mkdir "$tls"
if ! {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-keyout "$tls/ca.key" -out "$tls/ca.pem" -subj "/CN=optout test CA" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" &&
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$tls/srv.key" -out "$tls/srv.csr" -subj "/CN=127.0.0.1" &&
	printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$tls/ext" &&
	openssl x509 -req -in "$tls/srv.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
		-CAcreateserial -days 2 -extfile "$tls/ext" -out "$tls/srv.pem"
} >"$tls/log" 2>&1; then
	echo "Bail out! cannot make test certificates: $(tail -3 "$tls/log")"
	exit 1
fi

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

done_testing
