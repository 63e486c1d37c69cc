#!/bin/sh
# optout send with XOAUTH2 (a Gmail or Outlook account): the bearer token
# comes from token_command, never from the config file or the command line,
# and goes to the server only inside TLS.  Postfix's SASL has no XOAUTH2, so
# the server here is a small test double (tests/tools/smtp-xoauth2.py) that
# offers only that mechanism over implicit TLS on 127.0.0.1.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

ex="$TOP_SRCDIR/letters/examples/profile.json"
export OPTOUT_TODAY=2026-12-07 OPTOUT_TEST_NO_WAIT=1
. "$TOP_SRCDIR/tests/e2e/mail-data.sh"
tls="$work/tls"
. "$TOP_SRCDIR/tests/e2e/net.sh"
make_ca "$tls"

token="ya29.test-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')"
"$PYTHON" "$TOP_SRCDIR/tests/tools/smtp-xoauth2.py" --cert "$tls/srv.pem" --key "$tls/srv.key" \
	--port-file "$work/port" --log "$work/smtp.log" --token "$token" --connections 2 \
	2>"$work/smtp.err" &
cleanup_pids="$cleanup_pids $!"
n=0
while [ ! -s "$work/port" ] && [ $n -lt 200 ]; do n=$((n + 1)); sleep 0.05; done
port=$(cat "$work/port")

printf '%s\n' "$token" >"$work/token"
mkdir -p "$XDG_CONFIG_HOME/optout"
{
	printf '[account gmail]\nhost = 127.0.0.1\nport = %s\ntls = implicit\n' "$port"
	printf 'user = intake@clinic.test\nfrom = intake@clinic.test\nauth = xoauth2\n'
	printf 'token_command = cat %s/token\n' "$work"
} >"$XDG_CONFIG_HOME/optout/config"

run send -p "$ex" -b mail-accepts -r delete --account gmail --cacert "$tls/ca.pem" --send \
	--ledger "$work/l.db"
check_status "send with an XOAUTH2 account exits 0" 0
logq() { "$PYTHON" -c 'import json,sys; L=[json.loads(l) for l in open(sys.argv[1])]; print(eval(sys.argv[2]))' "$work/smtp.log" "$1"; }
check_eq "the client logged in with XOAUTH2" "XOAUTH2" "$(logq '[e["mechanism"] for e in L if e["event"] == "auth"][0]')"
check_eq "as the account's user, with the token token_command printed" \
	"user=intake@clinic.test^Aauth=Bearer $token^A^A" \
	"$(logq '[e["decoded"] for e in L if e["event"] == "auth"][0].replace("\x01", "^A")')"
check_eq "the server received the request" "1" \
	"$(logq 'sum(1 for e in L if e["event"] == "message" and "privacy@accepts.test" in e["data"])')"
check_lacks "the token is not in optout's output" "$work/out" "$token"
check_lacks "nor in the ledger" "$work/l.db" "$token"

# A token the server refuses: a clear error, nothing recorded as sent.
printf 'expired-token\n' >"$work/token"
run send -p "$ex" -b mail-second -r delete --account gmail --cacert "$tls/ca.pem" --send \
	--ledger "$work/l.db"
check_status "a refused token is not a success" 69
check_eq "the server saw the refused token" "1" \
	"$(logq 'sum(1 for e in L if e["event"] == "auth" and "expired-token" in e["decoded"])')"
check_eq "and no message" "1" "$(logq 'sum(1 for e in L if e["event"] == "message")')"

done_testing
