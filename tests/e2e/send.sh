#!/bin/sh
# optout send against a real Postfix started here on 127.0.0.1 (STARTTLS
# required, SASL from a sasldb, a throwaway CA): the exact message delivered,
# the ledger around each send, a 4xx then success, a 5xx, a server without
# STARTTLS, a refused login, the daily limit and spacing, a crash between
# 'sending' and the reply, and --prefer email.  Nothing here reaches beyond
# 127.0.0.1.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v postfix >/dev/null 2>&1 ||
	! command -v saslpasswd2 >/dev/null 2>&1; then
	echo "1..0 # SKIP needs root and postfix, sasl2-bin (./bootstrap installs them)"
	exit 0
fi

ex="$TOP_SRCDIR/letters/examples/profile.json"
agent="$TOP_SRCDIR/letters/examples/agent.json"
export OPTOUT_TODAY=2026-12-07 OPTOUT_TEST_NO_WAIT=1

. "$TOP_SRCDIR/tests/e2e/mail-data.sh"

tls="$work/tls"
. "$TOP_SRCDIR/tests/e2e/net.sh"
make_ca "$tls"

. "$TOP_SRCDIR/tests/e2e/postfix.sh"
start_postfix
trap 'stop_postfix; cleanup' EXIT INT TERM

# write_config [EXTRA LINES]: the clinic's account, and more accounts after it.
mkdir -p "$XDG_CONFIG_HOME/optout"
write_config() {
	{
		printf '# the clinic account for the tests\n[account clinic]\nhost = 127.0.0.1\n'
		printf 'port = %s\nuser = intake\nfrom = intake@clinic.test\n' "$smtp_port"
		printf 'password_command = cat %s/password\nspacing = 20\n' "$work"
		printf '%s\n' "$@"
	} >"$XDG_CONFIG_HOME/optout/config"
}
printf 'Correct-Horse-7\n' >"$work/password"
write_config
cafile="$tls/ca.pem"

# field FILE HEADER: a header of a delivered message, decoded (RFC 2047).
field() {
	"$PYTHON" - "$1" "$2" <<'PY'
import sys, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m[sys.argv[2]] or "")
PY
}
# newest: the Maildir file delivered last.
newest() { ls -t "$maildir"/new/* | head -1; }
count() { ls "$maildir/new" 2>/dev/null | wc -l | tr -d ' '; }
# ---- dry run: envelope and headers, nothing sent, no ledger -------------------
run send -p "$ex" -b mail-accepts -r delete
check_status "dry run exits 0" 0
check_has "dry run says nothing was sent" "$work/out" "dry run (nothing sent; add --send to send)"
check_has "dry run shows the envelope" "$work/out" \
	"envelope:  MAIL FROM:<intake@clinic.test> RCPT TO:<privacy@accepts.test>"
check_has "dry run shows the account" "$work/out" "via:       account clinic, 127.0.0.1:$smtp_port (STARTTLS required)"
check_has "dry run shows the To header" "$work/out" "To: Accepts Data Company <privacy@accepts.test>"
check_has "dry run shows a Message-ID in the sender's domain" "$work/out" "@clinic.test>"
check_eq "dry run delivers nothing" 0 "$(count)"
if [ -e "$XDG_DATA_HOME/optout/ledger.db" ]; then not_ok "dry run writes no ledger"; else
	ok "dry run writes no ledger"; fi

# ---- send two: delivered exactly, ledger sent, spacing decided ------------------
run send -p "$ex" -b mail-accepts,mail-second -r delete --cacert "$cafile" --send
check_status "send exits 0" 0
wait_delivered 2 || true
check_eq "Postfix delivered two messages" 2 "$(count)"
msg=$(ls -tr "$maildir"/new/* | head -1)
ref=$(sed -n 's/^  reference: //p' "$work/out" | head -1)
ref2=$(sed -n 's/^  reference: //p' "$work/out" | sed -n 2p)
check_eq "delivered From" "José Núñez Peña <intake@clinic.test>" "$(field "$msg" From)"
check_eq "delivered To" "Accepts Data Company <privacy@accepts.test>" "$(field "$msg" To)"
check_eq "delivered Subject (RFC 2047 decoded)" \
	"Request to delete personal information (Cal. Civ. Code §1798.105)" "$(field "$msg" Subject)"
check_eq "delivered Message-ID: reference, attempt, sender's domain" "<$ref.1@clinic.test>" \
	"$(field "$msg" Message-ID)"
check_eq "delivered Return-Path is the account's address" "<intake@clinic.test>" \
	"$(field "$msg" Return-Path)"
check_has "received over TLS with authentication (ESMTPSA)" "$msg" "with ESMTPSA"
check_lacks "the EHLO name is the sender's domain, not this machine's" "$msg" "$(hostname)"
"$PYTHON" - "$msg" >"$work/body" <<'PY'
import sys, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m.get_content_type(), m["Content-Transfer-Encoding"], m.get_content_charset())
print(m.get_content())
PY
check_has "a quoted-printable UTF-8 text body" "$work/body" "text/plain quoted-printable utf-8"
check_has "the body is the letter, with its citation" "$work/body" "1798.105"
check_has "the body names the person" "$work/body" "José Núñez Peña"
check_has "the body carries the reference" "$work/body" "$ref"
first_block=$(sed -n '1,/reference:/p' "$work/out")
case $first_block in *waited:*) not_ok "no wait before the first message" ;; *) ok "no wait before the first message" ;; esac
check_has "the second message waits the account's spacing" "$work/out" \
	"waited:    20 s before this message (spacing between messages)"
"$OPTOUT" status --json >"$work/status.json"
"$PYTHON" - "$work/status.json" "$ref" >"$work/st" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1])):
    if r["reference"] == sys.argv[2]:
        print(r["state"], r.get("message_id"), r.get("sent"))
PY
check_eq "ledger: sent, with the Message-ID and the day" "sent $ref.1@clinic.test 2026-12-07" "$(cat "$work/st")"

# ---- a second run sends nothing again ---------------------------------------------
run send -p "$ex" -b mail-accepts -r delete --cacert "$cafile" --send
check_status "a re-run exits 0" 0
check_has "a re-run says it is already sent" "$work/out" "the ledger shows this request as sent: not sent again."
check_eq "a re-run delivers nothing" 2 "$(count)"

# ---- an agent's email carries the signed authorization ---------------------------
qpdf --empty "$work/signed.pdf"
run send -p "$ex" --agent "$agent" -b mail-accepts -r delete --cacert "$cafile" --send \
	--ledger "$work/agent.db"
check_status "an agent without --authorization is refused with --send" 64
check_has "it says what to add" "$work/err" "give --authorization FILE.pdf"
run send -p "$ex" --agent "$agent" --authorization "$work/signed.pdf" -b mail-accepts -r delete \
	--cacert "$cafile" --send --ledger "$work/agent.db"
check_status "the agent's email is sent" 0
wait_delivered 3 || true
msg=$(newest)
"$PYTHON" - "$msg" "$work/got.pdf" >"$work/parts" <<'PY'
import sys, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m.get_content_type())
for p in m.iter_parts():
    print(p.get_content_type(), p["Content-Transfer-Encoding"], p.get_filename())
    if p.get_filename():
        open(sys.argv[2], "wb").write(p.get_content())
PY
check_eq "multipart: the letter, then the authorization" "multipart/mixed
text/plain quoted-printable None
application/pdf base64 authorization.pdf" "$(cat "$work/parts")"
if cmp -s "$work/signed.pdf" "$work/got.pdf"; then ok "the attachment is the signed PDF, byte for byte"
else not_ok "the attachment is the signed PDF, byte for byte"; fi

# ---- 4xx: failed, retried by the next run, then sent -----------------------------
printf 'privacy@busy.test 450 4.2.1 Mailbox busy, try again later\n' >"$pf_access"
run send -p "$ex" -b mail-busy -r delete --cacert "$cafile" --send
check_status "a 4xx exits 75 (try again)" 75
check_has "the outcome is try-later" "$work/out" "mail-busy — delete: try-later"
check_has "the server's reply is shown" "$work/out" "450 4.2.1"
"$OPTOUT" status >"$work/st"
check_has "the ledger shows it failed" "$work/st" "failed"
: >"$pf_access"
run send -p "$ex" -b mail-busy -r delete --cacert "$cafile" --send
check_status "the next run sends it" 0
check_has "now sent" "$work/out" "mail-busy — delete: sent"
busyref=$(sed -n 's/^  reference: //p' "$work/out")
check_has "the second attempt has its own Message-ID" "$work/out" "Message-ID: <$busyref.2@clinic.test>"
wait_delivered 4 || true
check_eq "delivered once" 1 "$(grep -l "privacy@busy.test" "$maildir"/new/* | wc -l | tr -d ' ')"

# ---- 5xx: failed with the reply, held until --retry-failed ----------------------
printf 'privacy@gone.test 550 5.1.1 No such mailbox here\n' >"$pf_access"
run send -p "$ex" -b mail-gone -r delete --cacert "$cafile" --send
check_status "a 5xx exits 69" 69
check_has "the outcome is rejected" "$work/out" "mail-gone — delete: rejected"
check_has "the reply is quoted" "$work/out" "550 5.1.1"
goneref=$(sed -n 's/^  reference: //p' "$work/out")
"$OPTOUT" status >"$work/st"
run send -p "$ex" -b mail-gone -r delete --cacert "$cafile" --send
check_status "a re-run does not retry a 5xx" 0
check_has "it is held" "$work/out" "mail-gone — delete: held"
: >"$pf_access"

# ---- no STARTTLS offered: nothing goes out, no password in plain text ---------
write_config "[account plain]" "host = 127.0.0.1" "port = $plain_port" "user = intake" \
	"from = intake@clinic.test" "password_command = cat $work/password"
run send -p "$ex" -b mail-second -r delete --account plain --cacert "$cafile" --send \
	--ledger "$work/plain.db"
check_status "a server without STARTTLS is refused (69)" 69
check_has "it says why" "$work/out" "does not offer STARTTLS: nothing was sent, and no password, in plain text"
grep "disconnect from" "$pf/maillog" | tail -1 >"$work/last"
check_lacks "no AUTH was attempted there" "$work/last" "auth="
check_lacks "no message was given there" "$work/last" "data="
# The server side: AUTH without TLS is refused (530) on the submission port.
set +e
curl -sS --max-time 10 "smtp://127.0.0.1:$smtp_port/client.test" -u "intake:Correct-Horse-7" \
	--mail-from intake@clinic.test --mail-rcpt privacy@accepts.test -T "$work/signed.pdf" \
	>"$work/curl.out" 2>&1
set -e
if grep -q "530\|Login denied\|STARTTLS" "$work/curl.out" || grep -q "530 5.7.0" "$pf/maillog"; then
	ok "the server refuses plain-text mail and AUTH (530)"
else not_ok "the server refuses plain-text mail and AUTH (530)" "$(cat "$work/curl.out")"; fi

# ---- a wrong password: refused, nothing sent ------------------------------------
printf 'wrong\n' >"$work/password"
run send -p "$ex" -b mail-second -r delete --account clinic --cacert "$cafile" --send \
	--ledger "$work/wrong.db"
check_status "a refused login exits 69" 69
check_has "it says the login was refused" "$work/out" "refused the login"
check_lacks "the password is never shown" "$work/out" "wrong"
printf 'Correct-Horse-7\n' >"$work/password"

# ---- the daily limit: the second message waits for another day -------------------
write_config "[account capped]" "host = 127.0.0.1" "port = $smtp_port" "user = intake" \
	"from = intake@clinic.test" "password_command = cat $work/password" "daily_limit = 1"
before=$(count)
run send -p "$ex" -b mail-accepts,mail-second -r delete --account capped --cacert "$cafile" \
	--send --ledger "$work/cap.db"
check_status "the daily limit exits 75" 75
check_has "the first is sent" "$work/out" "mail-accepts — delete: sent"
check_has "the second waits for the limit" "$work/out" "mail-second — delete: daily-limit"
wait_delivered $((before + 1)) || true
check_eq "one message went out" $((before + 1)) "$(count)"
OPTOUT_TODAY=2026-12-08 run send -p "$ex" -b mail-accepts,mail-second -r delete --account capped \
	--cacert "$cafile" --send --ledger "$work/cap.db"
check_status "the next day it goes" 0
check_has "the second is sent the next day" "$work/out" "mail-second — delete: sent"

# ---- a crash between 'sending' and the reply: never resent blindly ---------------
# The sendmail command takes the message and kills optout before it hears back.
run send -p "$ex" -b mail-accepts -r delete --sendmail "cat >$work/crash.eml; kill -9 \$PPID; true" \
	--send --ledger "$work/crash.db"
check_status "optout was killed mid-send" 137
check_has "the command got the message" "$work/crash.eml" "To: Accepts Data Company <privacy@accepts.test>"
run send -p "$ex" -b mail-accepts -r delete --sendmail "cat >$work/again.eml; true" --send \
	--ledger "$work/crash.db"
check_status "the next run exits 0" 0
check_has "it says the request needs review" "$work/err" "interrupted while being sent now need review"
check_has "it is not sent again" "$work/out" "the ledger shows this request as needs-review: not sent again."
if [ -e "$work/again.eml" ]; then not_ok "nothing was handed over twice"; else ok "nothing was handed over twice"; fi

# ---- --sendmail hands the message over with the envelope ------------------------
printf '#!/bin/sh\nprintf "%%s " "$@" >%s/args\ncat >%s/sm.eml\n' "$work" "$work" >"$work/fake-sendmail"
chmod +x "$work/fake-sendmail"
run send -p "$ex" -b mail-second -r delete --sendmail "$work/fake-sendmail" --send --ledger "$work/sm.db"
check_status "--sendmail exits 0" 0
check_has "the command gets the whole message" "$work/sm.eml" "Content-Transfer-Encoding: quoted-printable"
check_eq "the command gets -i -f FROM -- TO" "-i -f jose.nunez@example.org -- privacy@second.test " \
	"$(cat "$work/args" 2>/dev/null)"

# ---- --prefer email: the email address a broker takes besides the form the plan picks ----
run send -p "$ex" -b mail-webform -r delete --account clinic
check_has "without --prefer, the form the plan picks is left to submit" "$work/err" \
	"mail-webform: the plan sends delete requests another way (see 'optout plan'); add --prefer email to use the email address the broker also takes"
check_has "and nothing is sent" "$work/out" "No email request to send"
rm -f "$work/args" "$work/sm.eml"
run send -p "$ex" -b mail-webform -r delete --prefer email --sendmail "$work/fake-sendmail" \
	--send --ledger "$work/prefer.db"
check_status "--prefer email exits 0" 0
check_eq "it goes to the broker's email address" "-i -f jose.nunez@example.org -- privacy@webform.test " \
	"$(cat "$work/args" 2>/dev/null)"
check_has "the message is addressed to the broker" "$work/sm.eml" "To: Webform Data Company <privacy@webform.test>"
"$OPTOUT" status --json --ledger "$work/prefer.db" >"$work/prefer.json"
check_eq "the ledger records the email procedure, sent" "ccpa-delete-email sent" "$("$PYTHON" -c '
import json, sys
for r in json.load(open(sys.argv[1])):
    print(r["procedure"], r["state"])' "$work/prefer.json")"
run send -p "$ex" -b mail-webform -r opt-out --prefer email --account clinic
# No email procedure for opt-outs: the statutory right still goes to the broker's
# privacy contact (#12), which takes email here.
check_has "--prefer email with no email procedure: the privacy contact's address" "$work/out" \
	"privacy@webform.test"
run send -p "$ex" -b mail-webform -r delete --prefer fax
check_status "--prefer another channel is a usage error" 64
check_has "it says what is expected" "$work/err" "--prefer: expected 'email' (send delivers email only), not 'fax'"

# ---- batch --send delivers the email requests too ----------------------------------
head -3 "$TOP_SRCDIR/letters/examples/clients.csv" >"$work/clients.csv"
before=$(count)
run batch -c "$work/clients.csv" --agent "$agent" -b mail-accepts -r delete -o "$work/batch" \
	--send --account clinic --cacert "$cafile" --ledger "$work/batch.db"
check_status "batch --send --account exits 0" 0
check_has "without signatures the emails wait" "$work/out" \
	"Emails held until the client's signed authorization is in $work/batch/<client>/authorization-signed.pdf: 2."
check_eq "batch sent nothing unsigned" "$before" "$(count)"
cp "$work/signed.pdf" "$work/batch/client-0001/authorization-signed.pdf"
run batch -c "$work/clients.csv" --agent "$agent" -b mail-accepts -r delete -o "$work/batch" \
	--send --account clinic --cacert "$cafile" --ledger "$work/batch.db"
check_status "batch again exits 0" 0
check_has "the signed client's email is sent" "$work/out" "Emails: 1 sent, 0 to send again later, 0 failed."
check_has "the other still waits" "$work/out" "authorization-signed.pdf: 1."
wait_delivered $((before + 1)) || true
check_eq "one batch email delivered" $((before + 1)) "$(count)"
check_has "it carries the signed authorization" "$(newest)" "filename=\"authorization.pdf\""
run batch -c "$work/clients.csv" --agent "$agent" -b mail-accepts -r delete -o "$work/batch" \
	--send --account clinic --cacert "$cafile" --ledger "$work/batch.db"
check_has "a third run sends nothing twice" "$work/out" "Emails: 0 sent, 0 to send again later, 0 failed."
check_eq "still one batch email" $((before + 1)) "$(count)"

stop_postfix
done_testing
