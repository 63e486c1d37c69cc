#!/bin/sh
# optout serve over plain HTTP with curl: the security headers, CSRF, size
# limits and hostile input (the server must answer and stay up), the idle
# wipe decided on a test clock, an English person's flow to a downloaded
# packet (plain and passphrase-sealed), and nothing written to disk.
. "$TOP_SRCDIR/tests/e2e/lib.sh"
. "$TOP_SRCDIR/tests/e2e/serve-lib.sh"

command -v curl >/dev/null || { echo "1..0 # SKIP curl not installed"; exit 0; }
export OPTOUT_TODAY=2026-12-01
clock="$work/clock"
echo 1000 >"$clock"
export OPTOUT_TEST_CLOCK_FILE="$clock" OPTOUT_TEST_SERVE_TRACE="$work/trace"
# The server runs in an empty folder with empty homes: it must leave them empty.
mkdir -p "$work/run" "$work/tmp"
export TMPDIR="$work/tmp"
serve_start
ok "the server starts and says where (on 127.0.0.1)"

jar="$work/jar"
# get PATH: GET with the cookie jar; the page in $work/page, headers in $work/head.
get() { curl -s -D "$work/head" -o "$work/page" -b "$jar" -c "$jar" -w '%{http_code}' "$url${1#/}"; }
# post ARGS...: a form post to / with the jar.
post() { curl -s -D "$work/head" -o "$work/page" -b "$jar" -c "$jar" -w '%{http_code}' "$url" "$@"; }
token() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$work/page" | head -n 1; }

code=$(get /)
check_eq "the first page answers 200" 200 "$code"
check_has "a strict Content-Security-Policy" "$work/head" "Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
check_has "personal pages are never cached" "$work/head" "Cache-Control: no-store"
check_has "no sniffing" "$work/head" "X-Content-Type-Options: nosniff"
check_has "the session cookie is HttpOnly and SameSite=Strict" "$work/head" "; Path=/; HttpOnly; SameSite=Strict"
sid=$(sed -n 's/^Set-Cookie: optout_session=\([^;]*\);.*/\1/p' "$work/head" | tr -d '\r')
case $sid in
????????????????????????????????????????????????????????????????) ok "the session id is 256 random bits in hex" ;;
*) not_ok "the session id is 256 random bits in hex" "$sid" ;;
esac
check_lacks "the page loads no script" "$work/page" "<script"
check_has "every field is labelled" "$work/page" '<label for="f-given">What is your first (given) name?</label>'
check_has "every field says why it is asked" "$work/page" "Brokers look you up by name."
check_has "a start-over button on the page" "$work/page" 'value="clear"'
tok=$(token)
code=$(get /style.css)
check_eq "the style sheet is served by optout itself" 200 "$code"

# CSRF: a post without the token, or with another one, changes nothing.
code=$(post --data-urlencode action=lang-es)
check_eq "a post without the CSRF token is refused" 403 "$code"
code=$(post --data-urlencode csrf=0000 --data-urlencode action=lang-es)
check_eq "a post with a wrong CSRF token is refused" 403 "$code"
get / >/dev/null
check_has "the refused posts changed nothing" "$work/page" '<html lang="en">'

# Hostile input.
head -c 200000 /dev/zero | tr '\0' A >"$work/huge"
code=$(post --data-urlencode "csrf=$tok" --data-urlencode action=next --data-urlencode "given@$work/huge")
check_eq "a huge field is refused (413)" 413 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" -H 'Transfer-Encoding: chunked' \
	--data-binary "@$work/huge" "$url")
check_eq "a huge chunked body without a length is refused (413)" 413 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" -H 'Content-Type: application/json' \
	--data-binary '{"csrf":"x"}' "$url")
check_eq "a body that is not a form is refused (415)" 415 "$code"
printf 'csrf=%s&action=next&given=Jos%%C3%%28&family=Smith' "$tok" >"$work/badutf8"
code=$(post --data-binary "@$work/badutf8")
check_eq "bad UTF-8 is answered" 303 "$code"
get / >/dev/null
check_has "bad UTF-8 gets optout init's own message" "$work/page" "Please use letters, numbers and punctuation only."
check_lacks "bad UTF-8 is not echoed back" "$work/page" "Jos"
code=$(post --data-urlencode "csrf=$tok" --data-urlencode action=next --data-urlencode 'given=<script>alert(1)</script>' \
	--data-urlencode 'family="><img src=x onerror=alert(1)>' --data-urlencode 'email=not-an-email')
get / >/dev/null
check_has "HTML in a name is shown as text" "$work/page" 'value="&lt;script&gt;alert(1)&lt;/script&gt;"'
check_has "quotes in a name cannot leave the attribute" "$work/page" 'value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"'
check_lacks "no markup from the input reaches the page" "$work/page" "<img src=x"
check_has "a bad email gets optout init's own message" "$work/page" "Expected an email address, such as name@example.com."
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$url")
check_eq "other methods are refused" 405 "$code"
code=$(get /packet.tar)
check_eq "no packet before it is made" 404 "$code"
if kill -0 "$pid" 2>/dev/null; then ok "the server stays up after hostile input"; else not_ok "the server stays up after hostile input"; fi

# The flow, in English, to a downloaded packet.
post --data-urlencode "csrf=$tok" --data-urlencode action=next --data-urlencode 'given=Ana María' \
	--data-urlencode 'family=Ruiz' --data-urlencode 'email=' --data-urlencode 'phone=' >/dev/null
post --data-urlencode "csrf=$tok" --data-urlencode action=next --data-urlencode 'street=1234 Main St Apt 5' \
	--data-urlencode 'city=Los Angeles' --data-urlencode 'state=ca' --data-urlencode 'zip=900331234' >/dev/null
get / >/dev/null
check_has "the brokers step comes third" "$work/page" "Step 3 of 5: which companies"
check_has "a government seller is preselected" "$work/page" 'value="lexisnexis-risk" checked'
check_has "and says why" "$work/page" "Sells to government agencies."
check_has "quoting its sources, marked as English for a screen reader" "$work/page" \
	'What the sources say (in English): <span lang="en">'
check_has "a broker that does not sell to government is offered, not preselected" "$work/page" 'value="acxiom">'
post --data-urlencode "csrf=$tok" --data-urlencode action=next >/dev/null
get / >/dev/null
check_has "choosing no broker is refused" "$work/page" "Please choose at least one company."
post --data-urlencode "csrf=$tok" --data-urlencode action=next --data-urlencode broker=lexisnexis-risk \
	--data-urlencode broker=nctue >/dev/null
get / >/dev/null
check_has "the review says what is sent to whom" "$work/page" '<th scope="row">LexisNexis Risk Solutions</th><td>delete my data</td><td>letter by mail</td><td>Full name<br>Current address<br></td>'
check_has "the review says what is never sent" "$work/page" "Never sent: your Social Security number and your date of birth."
post --data-urlencode "csrf=$tok" --data-urlencode action=next >/dev/null
get / >/dev/null
check_has "the packet page offers the download" "$work/page" 'href="/packet.tar"'
code=$(get /packet.tar)
check_eq "the packet downloads" 200 "$code"
check_has "as an attachment" "$work/head" 'Content-Disposition: attachment; filename="optout-packet.tar"'
mkdir "$work/pk"
tar -xf "$work/page" -C "$work/pk"
"$PDFTOTEXT" -enc UTF-8 "$work/pk/letters/lexisnexis-risk-delete.pdf" "$work/letter.txt"
check_has "the letter is from the person" "$work/letter.txt" "Ana María Ruiz"
check_has "with their address" "$work/letter.txt" "Los Angeles, CA 90033-1234"
check_has "under their state's law" "$work/letter.txt" "Cal. Civ. Code §1798.105"
"$PDFTOTEXT" -enc UTF-8 "$work/pk/cover.pdf" "$work/cover.txt"
check_has "the cover is in English" "$work/cover.txt" "Your data-broker request packet"
code=$(get /letters.pdf)
check_eq "the letters open for printing" 200 "$code"
"$PDFTOTEXT" -enc UTF-8 "$work/page" "$work/print.txt"
check_has "the print file holds the letters" "$work/print.txt" "Attn: California Consumer Privacy Act (CCPA) Request"

# Sealed to a passphrase.
post --data-urlencode "csrf=$tok" --data-urlencode action=seal --data-urlencode passphrase=short \
	--data-urlencode passphrase2=short >/dev/null
get / >/dev/null
check_has "a short passphrase is refused" "$work/page" "The passphrase is too short: use at least 10 characters."
post --data-urlencode "csrf=$tok" --data-urlencode action=seal --data-urlencode 'passphrase=correct horse battery' \
	--data-urlencode 'passphrase2=correct horse battery' >/dev/null
code=$(get /packet.tar)
check_eq "once sealed, the plain packet is gone" 404 "$code"
code=$(get /packet.tar.age)
check_eq "the sealed packet downloads" 200 "$code"
cp "$work/page" "$work/packet.tar.age"
if command -v age >/dev/null && command -v script >/dev/null; then
	printf 'correct horse battery\n' | script -qec "age -d -o '$work/opened.tar' '$work/packet.tar.age'" /dev/null >/dev/null 2>&1 || true
	if tar -tf "$work/opened.tar" 2>/dev/null | grep -qx 'letters/nctue-delete.pdf'; then
		ok "age opens it with the passphrase"; else not_ok "age opens it with the passphrase"; fi
fi

# Finishing wipes the session; the old cookie reaches nothing.
post --data-urlencode "csrf=$tok" --data-urlencode action=finish >/dev/null
check_has "finishing says the data is erased" "$work/page" "Your data has been erased from this computer."
check_has "the trace records the wipe" "$work/trace" "session 1 wiped: finished"
check_has "the wipe releases the letter fonts, whose subsets show the characters used" "$work/trace" "session 1: letter fonts released"
code=$(curl -s -o /dev/null -w '%{http_code}' -b "optout_session=$sid" "${url}packet.tar.age")
check_eq "the finished session's packet is gone" 404 "$code"

# Idle: the clock file moves; the server decides, nobody waits.
rm -f "$jar"
get / >/dev/null
tok=$(token)
n=$(grep -c 'created' "$work/trace")
echo 1599 >"$clock"
get / >/dev/null
check_lacks "599 idle seconds keep the session" "$work/page" "Your session ended"
echo 2199 >"$clock"
get / >/dev/null
check_has "600 idle seconds end it, and the person is told" "$work/page" "Your session ended after 10 minutes without activity"
check_has "the trace shows the idle wipe" "$work/trace" "session $n wiped: idle"
check_lacks "the trace holds no personal data" "$work/trace" "Ruiz"

kill "$pid"
set +e; wait "$pid"; st=$?; set -e
cleanup_pids=
check_eq "SIGTERM stops the server cleanly (no leak under the sanitizers)" 0 "$st"
check_has "stopping wipes the sessions left" "$work/trace" "wiped: server stopped"
left=$(find "$work/run" "$work/tmp" "$work/xdg-data" "$work/xdg-config" -type f 2>/dev/null | wc -l)
check_eq "nothing was written to disk" 0 "$left"
check_lacks "the server's output holds no personal data" "$work/serve.err" "Ruiz"

# Staff mode: the clinic's agent files, the person signs the authorization,
# and the clinic's ledger records each request under a random label.
ex="$TOP_SRCDIR/letters/examples"
unset OPTOUT_TEST_CLOCK_FILE
serve_start --staff --agent "$ex/agent.json" --ledger "$work/clinic.db"
rm -f "$jar"
get / >/dev/null
tok=$(token)
post --data-urlencode "csrf=$tok" --data-urlencode action=next --data-urlencode 'given=Ana María' \
	--data-urlencode 'family=Ruiz' >/dev/null
post --data-urlencode "csrf=$tok" --data-urlencode action=next --data-urlencode 'street=1234 Main St Apt 5' \
	--data-urlencode 'city=Los Angeles' --data-urlencode 'state=CA' --data-urlencode 'zip=90033' >/dev/null
post --data-urlencode "csrf=$tok" --data-urlencode action=next --data-urlencode broker=lexisnexis-risk >/dev/null
get / >/dev/null
check_has "the review names the clinic as the person's agent" "$work/page" "Your requests are filed by Community Legal Aid Clinic (Example) as your authorized agent."
post --data-urlencode "csrf=$tok" --data-urlencode action=next >/dev/null
get / >/dev/null
label=$(sed -n 's/.*under the label \(kiosk-[0-9a-f]*\),.*/\1/p' "$work/page")
check_has "the packet page gives the ledger label" "$work/page" "under the label kiosk-"
code=$(get /authorization.pdf)
check_eq "the authorization form opens for printing" 200 "$code"
"$PDFTOTEXT" -enc UTF-8 "$work/page" "$work/auth.txt"
check_has "the authorization names the person" "$work/auth.txt" "Ana María Ruiz"
check_has "and the clinic" "$work/auth.txt" "Community Legal Aid Clinic (Example)"
get /packet.tar >/dev/null
rm -rf "$work/pk2"; mkdir "$work/pk2"
tar -xf "$work/page" -C "$work/pk2"
"$PDFTOTEXT" -enc UTF-8 "$work/pk2/letters/lexisnexis-risk-delete.pdf" "$work/agent-letter.txt"
check_has "the letter is written by the agent" "$work/agent-letter.txt" "Community Legal Aid Clinic (Example)"
kill "$pid"; wait "$pid" || true
cleanup_pids=
run status --ledger "$work/clinic.db" --client "$label" --json
check_status "the clinic's ledger can be read" 0
check_has "the ledger holds the person's requests under the label" "$work/out" "lexisnexis-risk"
check_lacks "the ledger's rows do not name the person" "$work/out" "Ruiz"
run serve --staff
check_status "--staff without --agent is refused" 64

# --listen: another address is a warning; a bad one an error.
run serve --listen 192.0.2.1 --port 0
check_has "--listen warns that others can reach the page" "$work/err" "warning: listening on 192.0.2.1"
check_status "an address this machine does not have cannot be used" 69
run serve --listen nowhere
check_status "--listen needs an IPv4 address" 64
done_testing
