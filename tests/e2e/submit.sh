#!/bin/sh
# optout submit against a broker emulator on 127.0.0.1, over HTTPS with a CA made
# for this run: the exact requests the emulator receives, each outcome, the
# evidence kept, and that nothing at all is sent without --send.  Nothing here
# reaches anything but 127.0.0.1.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

ex="$TOP_SRCDIR/letters/examples/profile.json"
emu="$TOP_SRCDIR/tests/tools/broker-emulator.py"
ua="Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
export OPTOUT_TODAY=2026-11-22

# The scenario brokers live in their own data directory: the shared fixture
# registry's --all runs (packet, plan) must not see them.
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

# start_emulator NAME [ARGS...]: start an emulator; sets $port and $log.
start_emulator() {
	name=$1
	shift
	"$PYTHON" "$emu" --cert "$tls/srv.pem" --key "$tls/srv.key" --port-file "$work/$name.port" \
		--log "$work/$name.log" "$@" 2>"$work/$name.stderr" &
	cleanup_pids="$cleanup_pids $!"
	n=0
	while [ ! -s "$work/$name.port" ]; do
		n=$((n + 1))
		if [ $n -gt 200 ]; then
			echo "Bail out! the broker emulator did not start: $(cat "$work/$name.stderr")"
			exit 1
		fi
		sleep 0.05
	done
	port=$(cat "$work/$name.port")
	log="$work/$name.log"
	: >"$log"
}

# reqs: the requests the emulator received since the log was emptied, one a line:
# METHOD PATH[?QUERY] CONTENT-TYPE FIELDS (JSON); connections that failed show as ERROR.
reqs() {
	"$PYTHON" - "$log" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(line)
    if "method" not in e:
        print("ERROR")
        continue
    q = "?" + "&".join(k + "=" + v for k, v in e["query"]) if e["query"] else ""
    print(e["method"], e["path"] + q, e["content_type"] or "-", json.dumps(e["fields"], ensure_ascii=False))
PY
}
# logq EXPR: a Python expression over L, the list of logged requests.
logq() {
	"$PYTHON" -c 'import json,sys; L=[json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]; print(eval(sys.argv[2]))' "$log" "$1"
}
# submit ARGS...: run optout submit for the example person, opt-out, trusting the test CA,
# with a ledger of its own each time (a shared ledger would rightly refuse to send twice).
nsub=0
submit() {
	: >"$log"
	nsub=$((nsub + 1))
	run submit -p "$ex" -r opt-out --cacert "$tls/ca.pem" --ledger "$work/ledger-$nsub.db" "$@"
}

start_emulator main
export OPTOUT_TEST_BASE="https://127.0.0.1:$port" OPTOUT_TEST_HOST_INTERVAL_MS=0 OPTOUT_TEST_RETRY_BASE_MS=50
form='application/x-www-form-urlencoded'
person='["first_name", "José"], ["last_name", "Núñez Peña"], ["email", "jose.nunez@example.org"], ["state", "CA"], ["agree", "yes"]'

# The dry run: the exact requests, and nothing sent.
submit -b emu-plain
check_status "a dry run exits 0" 0
check_has "the dry run says nothing was sent" "$work/out" "emu-plain — opt-out: dry run (nothing sent; add --send to submit)"
check_has "the dry run shows the page it would open" "$work/out" "1. GET  https://broker.test/plain/"
check_has "the dry run shows the form it would fill" "$work/out" '2. submit the form with id "optout" on that page'
check_has "the dry run shows each field and its value" "$work/out" "first_name         = José   (name)"
check_has "the dry run says hidden inputs come from the page" "$work/out" "+ the form's hidden inputs, as the page gives them"
check_eq "a dry run sends nothing at all" "" "$(reqs)"
submit -b emu-dob --disclose dob
check_has "a sensitive value is masked in the dry run" "$work/out" "birth              = *****   (dob)"
check_lacks "the date of birth is not shown" "$work/out" "1985"
submit -b emu-dob --disclose dob --show
check_has "--show prints it" "$work/out" "birth              = 03/14/1985   (dob)"
check_eq "still nothing sent" "" "$(reqs)"

# Minimization: a withheld field, or a form asking beyond the record, refuses with 65 and sends nothing.
submit -b emu-dob --send
check_status "a form needing a withheld field is refused (65)" 65
check_has "the refusal says how to allow it" "$work/err" "allow it with --disclose dob"
check_eq "nothing sent for the refused plan" "" "$(reqs)"
submit -b emu-inconsistent --send
check_status "a form field beyond the procedure's fields is refused (65)" 65
check_has "the refusal names the field" "$work/err" "form field 'phone' carries phone, which procedure optout-web does not ask for"
check_lacks "the refusal shows no value" "$work/err" "555"
check_eq "nothing sent for the inconsistent record" "" "$(reqs)"

# A plain POST form.
submit -b emu-plain --send
check_status "plain form: exit 0" 0
check_has "plain form: done" "$work/out" "emu-plain — opt-out: done"
check_eq "plain form: exactly these requests" "GET /plain/ - []
POST /plain/submit $form [[\"form_version\", \"3\"], $person]" "$(reqs)"
check_eq "one fixed generic User-Agent on every request" "True" "$(logq "all(e['user_agent'] == '$ua' for e in L)")"
ev=$(sed -n 's/^  evidence:  //p' "$work/out")
check_eq "the evidence is kept under XDG_DATA_HOME" "$XDG_DATA_HOME/optout/evidence/$(sed -n 's/^  reference: //p' "$work/out").html" "$ev"
check_has "the evidence holds the reply" "$ev" "Your opt-out request has been received."
check_has "the evidence notes the status" "$ev" "status:    200"
check_eq "the evidence is readable by the user only" "600" "$(stat -c %a "$ev")"
check_eq "its folder too" "700" "$(stat -c %a "$(dirname "$ev")")"

# The ledger: a submission is recorded as sent with its deadline, and never sent twice.
: >"$log"
run submit -p "$ex" -r opt-out --cacert "$tls/ca.pem" --ledger "$work/shared.db" -b emu-plain --send
check_status "a submission with a ledger exits 0" 0
ref=$(sed -n 's/^  reference: //p' "$work/out")
"$OPTOUT" status --ledger "$work/shared.db" --json >"$work/st.json"
check_eq "the ledger records it as sent today, with its due date" "$ref sent 2026-11-22 2026-12-14" \
	"$("$PYTHON" -c 'import json,sys; r=json.load(open(sys.argv[1]))[0]; print(r["reference"], r["state"], r["sent"], r["due"])' "$work/st.json")"
: >"$log"
run submit -p "$ex" -r opt-out --cacert "$tls/ca.pem" --ledger "$work/shared.db" -b emu-plain,emu-plain --send
check_has "a request the ledger shows as sent is not sent again" "$work/err" "emu-plain: already sent in the ledger (see 'optout status'): not sent again"
check_eq "and the broker receives nothing" "" "$(reqs)"

# A hidden CSRF token tied to a session cookie, and a token from a meta tag sent as a header.
submit -b emu-csrf --send
check_status "CSRF form: exit 0" 0
check_has "CSRF form: awaiting email confirmation" "$work/out" "emu-csrf — opt-out: awaiting-email-confirmation"
check_eq "CSRF form: the requests" "GET /csrf/ - []
POST /csrf/submit $form [[\"authenticity_token\", \"$(logq 'L[0]["issued"]["token"]')\"], [\"email\", \"jose.nunez@example.org\"]]" "$(reqs)"
check_eq "the session cookie went back" "$(logq 'L[0]["issued"]["sid"]')" "$(logq 'L[1]["cookies"].get("sid")')"
check_eq "the meta tag's token went back as X-CSRF-Token" "$(logq 'L[0]["issued"]["meta"]')" "$(logq 'L[1]["csrf_header"]')"
check_eq "the emulator accepted the session" "True" "$(logq 'L[1]["accepted"]')"
submit -b emu-csrf --send
check_eq "each run has its own session: no cookie on the first request" "{}" "$(logq 'L[0]["cookies"]')"

# Three sessions in one run, through the multi interface: each keeps its own cookies.
submit -b emu-csrf,emu-csrf-b,emu-csrf-c --send
check_eq "three sessions: three different session cookies issued" "3" "$(logq 'len(set(e["issued"]["sid"] for e in L if "issued" in e))')"
check_eq "three sessions: each POST carried its own session and token" "True True True" \
	"$(logq '" ".join(str(e["accepted"]) for e in L if e["method"] == "POST")')"

# Search, pick the listing, confirm.
submit -b emu-search --send
check_status "search flow: exit 0" 0
check_has "search flow: done" "$work/out" "emu-search — opt-out: done"
check_eq "search flow: the four requests" "GET /search/ - []
GET /search/results?fn=José&ln=Núñez Peña&st=CA - []
GET /search/record/4711 - []
POST /search/confirm $form [[\"record\", \"4711\"], [\"email\", \"jose.nunez@example.org\"]]" "$(reqs)"
check_has "the trace hides the search query" "$work/out" "GET https://127.0.0.1:$port/search/results?… → 200"
check_lacks "the output shows no query values" "$work/out" "fn="

# A reCAPTCHA: needs a person, and nothing is submitted.
submit -b emu-captcha --send
check_status "CAPTCHA: exit 0 (an expected outcome)" 0
check_has "CAPTCHA: needs-human" "$work/out" "emu-captcha — opt-out: needs-human"
check_has "CAPTCHA: says it is never solved" "$work/out" "optout never solves or bypasses one"
check_has "CAPTCHA: the page to open" "$work/out" "open:      https://broker.test/captcha/"
check_has "CAPTCHA: the values to paste" "$work/out" "Last name                      Núñez Peña   (field last_name)"
check_eq "CAPTCHA: only the page was fetched" "GET /captcha/ - []" "$(reqs)"

# 503 with Retry-After, then success.
export OPTOUT_TEST_HTTP_TRACE="$work/trace"
: >"$work/trace"
submit -b emu-retry --send
unset OPTOUT_TEST_HTTP_TRACE
check_status "503 then success: exit 0" 0
check_has "503 then success: done after two tries" "$work/out" "/retry/submit → 200 (after 2 tries)"
check_eq "503 then success: the same POST twice" "GET /retry/ - []
POST /retry/submit $form [[\"form_version\", \"3\"], $person]
POST /retry/submit $form [[\"form_version\", \"3\"], $person]" "$(reqs)"
check_eq "Retry-After: 1 was honoured: the retry put off by 1000 ms" "1000" \
	"$(awk '$3 == "wait" { print $4 }' "$work/trace")"
check_eq "and started no sooner" "yes" \
	"$(awk '$3 == "wait" { w = $1 + $4 } $3 == "start" && w { print ($1 >= w) ? "yes" : "no"; w = 0 }' "$work/trace")"

# Always busy: three tries, then try again later (75).
submit -b emu-busy --send
check_status "always 429: exit 75" 75
check_has "always 429: says to try later" "$work/out" "The site answered 429 (busy) 3 times; try again later."
check_eq "always 429: three tries, no more" "4 3" "$(logq 'str(len(L)) + " " + str(sum(e["method"] == "POST" for e in L))')"

# A redirect to http:// is refused, and no plain-http request follows.
submit -b emu-redirect --send
check_status "redirect to http: exit 69" 69
check_has "redirect to http: refused" "$work/out" "The site redirected to an address that is not https: refused."
check_eq "redirect to http: the one https request, nothing after" "GET /redirect/ - []" "$(reqs)"

# An endless body is cut at the cap.
submit -b emu-endless --send
check_status "endless body: exit 69" 69
check_has "endless body: capped" "$work/out" "The reply was longer than 2097152 bytes: stopped reading."
check_eq "endless body: one request" "GET /endless/ - []" "$(reqs)"
check_eq "endless body: the evidence keeps the capped part only" "True" \
	"$(test "$(stat -c %s "$(sed -n 's/^  evidence:  //p' "$work/out")")" -lt 2200000 && echo True)"

# Malformed HTML: the form in a table, unquoted attributes, entities.
submit -b emu-malformed --send
check_status "malformed HTML: exit 0" 0
check_eq "malformed HTML: the requests" "GET /malformed/ - []
POST /malformed/go $form [[\"k\", \"a&b\"], [\"fullname\", \"José Núñez Peña\"], [\"mail\", \"jose.nunez@example.org\"]]" "$(reqs)"

# A JSON endpoint behind a script-built page, and a multipart form.
submit -b emu-json --send
check_status "JSON: exit 0" 0
check_eq "JSON: the requests" "GET /json/ - []
POST /json/api application/json [[\"email\", \"jose.nunez@example.org\"], [\"fullName\", \"José Núñez Peña\"], [\"requestType\", \"opt-out\"]]" "$(reqs)"
check_eq "JSON: the meta token as a header" "J-1234" "$(logq 'L[1]["csrf_header"]')"
submit -b emu-multipart --send
check_status "multipart: exit 0" 0
ref=$(sed -n 's/^  reference: //p' "$work/out")
check_eq "multipart: the requests" "GET /multipart/ - []
POST /multipart/submit multipart/form-data [[\"kind\", \"opt-out\"], [\"full_name\", \"José Núñez Peña\"], [\"email\", \"jose.nunez@example.org\"], [\"comment\", \"Please remove my information. Reference $ref.\"]]" "$(reqs)"

# Pages a machine must leave to a person, and replies that say no.
submit -b emu-jsonly --send
check_status "script-only page: exit 0" 0
check_has "script-only page: needs-human" "$work/out" "The page works only with JavaScript"
check_eq "script-only page: nothing submitted" "GET /jsonly/ - []" "$(reqs)"
submit -b emu-mismatch --send
check_has "a changed form: needs-human, nothing sent" "$work/out" 'has no field "middle_name": the registry'"'"'s description (unverified) may be out of date. Nothing was sent.'
check_eq "a changed form: only the page fetched" "GET /plain/ - []" "$(reqs)"
submit -b emu-fail --send
check_status "a refusing reply: exit 69" 69
check_has "a refusing reply: failed with the reason" "$work/out" "The broker's reply says the request failed"
submit -b emu-person --send
check_status "a form marked for a person: exit 0" 0
check_has "it prints the prepared sheet" "$work/out" "why:       The form has a CAPTCHA, and optout never solves or bypasses one."
check_has "with the values" "$work/out" "City and state                 Los Angeles, CA"
check_eq "and sends nothing, even with --send" "" "$(reqs)"

# Certificates are always checked: without the test CA nothing goes out.
: >"$log"
run submit -p "$ex" -r opt-out -b emu-plain --send
check_status "an untrusted certificate: exit 69" 69
check_has "an untrusted certificate: says so" "$work/out" "The secure connection failed"
check_eq "an untrusted certificate: no request was made" "ERROR" "$(reqs)"
check_eq "no evidence for a reply that never came" "" "$(sed -n 's/^  evidence:  //p' "$work/out")"

# Machine-readable output.
submit -b emu-plain,emu-captcha --send --json
check_status "--json: exit 0" 0
check_eq "--json: outcomes, sent flags and the trace" "done True 2 | needs-human True 1" \
	"$("$PYTHON" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(" | ".join("%s %s %d" % (x["outcome"], x["sent"], len(x["requests"])) for x in j))' "$work/out")"

# Usage: only socks5h proxies, a readable CA file, a request type.
run submit -p "$ex" -r opt-out -b emu-plain --proxy http://127.0.0.1:3128
check_status "--proxy http:// is a usage error" 64
run submit -p "$ex" -r opt-out -b emu-plain --cacert "$work/no-such.pem"
check_status "a missing --cacert file exits 66" 66
run submit -p "$ex" -b emu-plain
check_status "-r is required" 64

# The rate limit: starts to one host are spaced apart.  Checked on what
# optout's scheduler decided (its test-only trace of start times on its own
# monotonic clock), not on when the emulator saw each request: a fresh TLS
# handshake and a reused connection take different times on a busy machine.
export OPTOUT_TEST_HOST_INTERVAL_MS=300 OPTOUT_TEST_HTTP_TRACE="$work/trace"
: >"$work/trace"
submit -b emu-plain --send
check_eq "the scheduler started both requests to the one host" "2 1" \
	"$(awk '$3 == "start" { n++; h[$2] = 1 } END { print n, length(h) }' "$work/trace")"
check_eq "and started the second no sooner than 300 ms after the first" "yes" \
	"$(awk '$3 != "start" { next } ++n == 1 { a = $1 } n == 2 { print ($1 - a >= 300) ? "yes" : "no: " $1 - a " ms" }' "$work/trace")"
check_eq "the emulator received them in that order" "GET POST" "$(logq '" ".join(e["method"] for e in L)')"
export OPTOUT_TEST_HOST_INTERVAL_MS=0
unset OPTOUT_TEST_HTTP_TRACE

# The test-only http switch: plain http to 127.0.0.1 only when it is set.
start_emulator plain --plain
export OPTOUT_TEST_BASE="http://127.0.0.1:$port"
submit -b emu-plain --send
check_status "plain http without the test switch: refused (69)" 69
check_eq "plain http without the test switch: nothing received" "" "$(reqs)"
export OPTOUT_TEST_ALLOW_HTTP_LOOPBACK=1
submit -b emu-plain --send
check_status "plain http to 127.0.0.1 with the test switch: exit 0" 0
check_eq "plain http with the test switch: the same requests" "GET /plain/ - []
POST /plain/submit $form [[\"form_version\", \"3\"], $person]" "$(reqs)"
unset OPTOUT_TEST_ALLOW_HTTP_LOOPBACK

# Several brokers at once through the multi interface: concurrent, at most 2 per host.
# The limits are checked on the scheduler's trace (how many transfers to the
# host were running when it started each one), not on what the emulator saw.
start_emulator slow --delay 0.4
export OPTOUT_TEST_BASE="https://127.0.0.1:$port" OPTOUT_TEST_HTTP_TRACE="$work/trace"
: >"$work/trace"
submit -b emu-plain,emu-malformed,emu-multipart --send
check_status "three brokers at once: exit 0" 0
check_eq "three brokers at once: all done" "3" "$(grep -c ': done$' "$work/out")"
check_eq "three brokers at once: six requests" "6" "$(logq 'len(L)')"
check_eq "six starts in the scheduler's trace" "6" "$(wc -l <"$work/trace")"
check_eq "at most two at a time to one host, and two did run at once" "2" \
	"$(awk '$3 == "start" && $4 > m { m = $4 } END { print m }' "$work/trace")"
unset OPTOUT_TEST_HTTP_TRACE

# The real registry: every form prepares, and its dry run sends nothing (no network here).
export OPTOUT_DATADIR="$TOP_SRCDIR"
unset OPTOUT_TEST_BASE
everything=ssn,ssn_last4,drivers_license,dob,phone,email,prior_addresses
for r in opt-out delete access correct; do
	run submit -p "$ex" -r "$r" --all --disclose "$everything" --item "a debt" --correct-to "not mine"
	check_status "the registry's $r forms all prepare (dry run)" 0
	check_lacks "no SSN in the $r dry run" "$work/out" "123-45-6789"
done
run submit -p "$ex" -r opt-out --all --disclose "$everything"
check_has "a CAPTCHA form gets the sheet" "$work/out" "fastpeoplesearch — opt-out: needs-human"
check_has "with the reason" "$work/out" "The form has a CAPTCHA, and optout never solves or bypasses one."
run submit -p "$ex" -r opt-out -b checkpeople --procedure optout-web
check_status "an automatic registry form needs its sensitive field allowed" 65
run submit -p "$ex" -r opt-out -b checkpeople --procedure optout-web --disclose dob
check_status "then its dry run exits 0" 0
check_has "it is described" "$work/out" "checkpeople — opt-out: dry run"
check_has "its field names are marked unverified" "$work/out" "field names unverified"
check_has "the date of birth is masked" "$work/out" "dob                = *****   (dob)"
run submit -p "$ex" -r opt-out -b checkpeople --procedure no-such
check_status "an unknown --procedure exits 69" 69

# batch --send: every client's automatic forms go out once, through the ledger; forms
# with a CAPTCHA are left to a person; a second run sends nothing.
export OPTOUT_DATADIR="$work/data"
start_emulator batch
export OPTOUT_TEST_BASE="https://127.0.0.1:$port"
cat >"$work/clients.csv" <<'CSV'
label,given,family,street,city,region,postal_code,country,email
bs-1,Ana,Uno,1 Example Way,Los Angeles,CA,90012,US,ana@example.org
bs-2,Bea,Dos,2 Example Way,Los Angeles,CA,90012,US,bea@example.org
bs-3,Cy,Tres,3 Example Way,Los Angeles,CA,90012,US,cy@example.org
CSV
: >"$log"
run batch -c "$work/clients.csv" -b emu-plain,emu-csrf,emu-captcha -r opt-out -o "$work/bsend" \
	--ledger "$work/bsend.db" --send --cacert "$tls/ca.pem"
check_status "batch --send exits 0" 0
check_has "batch --send reports the forms' outcomes" "$work/out" "Web forms: 3 done, 3 awaiting the emailed confirmation link, 0 failed; 3 to fill in by hand"
check_eq "each client's plain form was posted once, with that client's name" "Ana Bea Cy" \
	"$(logq '" ".join(sorted(dict(e["fields"])["first_name"] for e in L if e["method"] == "POST" and e["path"] == "/plain/submit"))')"
check_eq "each client's CSRF form was posted once, in its own session" "3 True" \
	"$(logq 'str(len([e for e in L if e["method"] == "POST" and e["path"] == "/csrf/submit"])) + " " + str(all(e["accepted"] for e in L if e["method"] == "POST" and e["path"] == "/csrf/submit"))')"
check_eq "nothing was posted to the CAPTCHA form" "0" \
	"$(logq 'len([e for e in L if e["method"] == "POST" and e["path"].startswith("/captcha")])')"
"$OPTOUT" status --ledger "$work/bsend.db" --json >"$work/bst.json"
check_eq "the ledger: six sent; the three CAPTCHA forms failed, to be done by hand" "failed:3 sent:6" \
	"$("$PYTHON" -c 'import json,sys,collections; c=collections.Counter(r["state"] for r in json.load(open(sys.argv[1]))); print(" ".join("%s:%d" % kv for kv in sorted(c.items())))' "$work/bst.json")"
check_has "summary.csv counts each client's forms" "$work/bsend/summary.csv" "bs-1,written,"
: >"$log"
run batch -c "$work/clients.csv" -b emu-plain,emu-csrf,emu-captcha -r opt-out -o "$work/bsend" \
	--ledger "$work/bsend.db" --send --cacert "$tls/ca.pem"
check_status "a second batch --send exits 0" 0
check_eq "and sends nothing again" "0" "$(logq 'len([e for e in L if e["method"] == "POST"])')"
run batch -c "$work/clients.csv" -b emu-plain -o "$work/bsend2" --cacert "$tls/ca.pem"
check_status "--cacert without --send is a usage error" 64

done_testing
