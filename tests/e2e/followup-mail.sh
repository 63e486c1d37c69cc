#!/bin/sh
# optout followup --send against a real Postfix on 127.0.0.1 (STARTTLS, SASL, a
# throwaway CA): the follow-up of a request optout emailed goes by email as a
# reply to it (the exact message delivered: In-Reply-To, References, "Re:" with
# the reference, its own Message-ID), shown and not recorded without --send,
# recorded once the server took it, never sent twice; a temporary failure is
# retried by the next run; a crash between 'sending' and the answer is not
# resent blindly; complaints are not emailed.  Nothing reaches beyond 127.0.0.1.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v postfix >/dev/null 2>&1 ||
	! command -v saslpasswd2 >/dev/null 2>&1; then
	echo "1..0 # SKIP needs root and postfix, sasl2-bin (./bootstrap installs them)"
	exit 0
fi

ex="$TOP_SRCDIR/letters/examples/profile.json"
export OPTOUT_TEST_NO_WAIT=1

. "$TOP_SRCDIR/tests/e2e/mail-data.sh"

tls="$work/tls"
. "$TOP_SRCDIR/tests/e2e/net.sh"
make_ca "$tls"
. "$TOP_SRCDIR/tests/e2e/postfix.sh"
start_postfix
trap 'stop_postfix; cleanup' EXIT INT TERM

mkdir -p "$XDG_CONFIG_HOME/optout"
{
	printf '[account clinic]\nhost = 127.0.0.1\nport = %s\nuser = intake\n' "$smtp_port"
	printf 'from = intake@clinic.test\npassword_command = cat %s/password\n' "$work"
} >"$XDG_CONFIG_HOME/optout/config"
printf 'Correct-Horse-7\n' >"$work/password"
cafile="$tls/ca.pem"

field() {
	"$PYTHON" - "$1" "$2" <<'PY'
import sys, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m[sys.argv[2]] or "")
PY
}
count() { ls "$maildir/new" 2>/dev/null | wc -l | tr -d ' '; }
# sql DB QUERY: the rows, '|'-separated.
sql() {
	"$PYTHON" - "$1" "$2" <<'PY'
import sqlite3, sys
for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))
PY
}
db="$XDG_DATA_HOME/optout/ledger.db"

# ---- the request goes by email on 7 December ------------------------------------
OPTOUT_TODAY=2026-12-07 run send -p "$ex" -b mail-accepts -r delete --cacert "$cafile" --send
check_status "the request is sent" 0
wait_delivered 1 || true
ref=$(sed -n 's/^  reference: //p' "$work/out" | head -1)
orig_id="$ref.1@clinic.test"
check_eq "the ledger keeps its Message-ID" "$orig_id" \
	"$(sql "$db" "SELECT message_id FROM requests WHERE reference = '$ref'")"

# ---- overdue (CCPA: 45 days): the dry run shows the reply, sends and records nothing
export OPTOUT_TODAY=2027-01-25
run followup --overdue -o "$work/f" -p "$ex" --cacert "$cafile"
check_status "the dry run exits 0" 0
check_has "it says nothing was sent" "$work/out" \
	"mail-accepts — follow-up to $ref by email: dry run (nothing sent; add --send to send)"
check_has "it shows the envelope" "$work/out" \
	"envelope:  MAIL FROM:<intake@clinic.test> RCPT TO:<privacy@accepts.test>"
check_has "it shows In-Reply-To: the request's Message-ID" "$work/out" "    In-Reply-To: <$orig_id>"
check_has "it shows References" "$work/out" "    References: <$orig_id>"
check_has "it shows the follow-up's own Message-ID" "$work/out" "    Message-ID: <$ref.followup.1@clinic.test>"
check_has "it points to the PDF copy" "$work/out" "copy:      $work/f/example-person-only/followup-$ref.pdf"
check_eq "nothing was delivered" 1 "$(count)"
check_eq "nothing is recorded: no follow-up event, no email attempt" "0|0" \
	"$(sql "$db" "SELECT (SELECT count(*) FROM events WHERE kind = 'followup'), (SELECT count(*) FROM mail_sends WHERE kind <> 'request')")"

# ---- a temporary failure (the command exits 75): not recorded, the next run retries
run followup --overdue -o "$work/f" -p "$ex" --sendmail "cat >/dev/null; exit 75" --send
check_status "a temporary failure exits 75" 75
check_has "the outcome is try-later" "$work/out" "mail-accepts — follow-up to $ref by email: try-later"
check_eq "the attempt is kept, the follow-up not recorded" "followup|temporary|0" \
	"$(sql "$db" "SELECT kind, outcome, (SELECT count(*) FROM events WHERE kind = 'followup') FROM mail_sends WHERE kind <> 'request'")"

# ---- sent: the exact message Postfix delivered ----------------------------------
run followup --overdue -o "$work/f" -p "$ex" --cacert "$cafile" --send
check_status "followup --send exits 0" 0
check_has "the outcome is sent" "$work/out" "mail-accepts — follow-up to $ref by email: sent"
check_has "the summary counts it" "$work/out" "1 follow-up or appeal by email, 1 taken by the server and recorded."
wait_delivered 2 || true
check_eq "Postfix delivered the follow-up" 2 "$(count)"
msg=$(ls -t "$maildir"/new/* | head -1)
check_eq "delivered In-Reply-To" "<$orig_id>" "$(field "$msg" In-Reply-To)"
check_eq "delivered References" "<$orig_id>" "$(field "$msg" References)"
check_eq "delivered Message-ID: the second attempt of the follow-up" "<$ref.followup.2@clinic.test>" \
	"$(field "$msg" Message-ID)"
check_eq "delivered Subject: Re:, with the reference" \
	"Re: Follow-up: unanswered request to delete personal information of 7 December 2026 (reference $ref)" \
	"$(field "$msg" Subject)"
check_eq "delivered To" "Accepts Data Company <privacy@accepts.test>" "$(field "$msg" To)"
check_eq "delivered From" "José Núñez Peña <intake@clinic.test>" "$(field "$msg" From)"
check_has "received over TLS with authentication" "$msg" "with ESMTPSA"
"$PYTHON" - "$msg" >"$work/body" <<'PY'
import sys, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m.get_content_type(), m["Content-Transfer-Encoding"], m.get_content_charset())
print(" ".join(m.get_content().split()))
PY
check_has "a quoted-printable UTF-8 text body" "$work/body" "text/plain quoted-printable utf-8"
check_has "the body is the follow-up letter" "$work/body" \
	"On 7 December 2026 I sent you a request to delete personal information under"
check_has "the body cites the deadline" "$work/body" "by 21 January 2027. That date has passed"
check_eq "the ledger: the follow-up's attempts and the action recorded" \
	"temporary|sent|1|sent" \
	"$(sql "$db" "SELECT group_concat(outcome, '|'), (SELECT count(*) FROM events WHERE kind = 'followup'), (SELECT state FROM requests WHERE reference = '$ref') FROM (SELECT outcome FROM mail_sends WHERE kind = 'followup' ORDER BY id)")"

# ---- again: nothing twice ------------------------------------------------------
run followup --overdue -o "$work/f" -p "$ex" --cacert "$cafile" --send
check_status "a re-run exits 0" 0
check_lacks "a re-run has nothing to email" "$work/out" "by email:"
check_eq "nothing more was delivered" 2 "$(count)"

# ---- after the grace period: the complaint is written, not emailed ---------------
export OPTOUT_TODAY=2027-02-15
run followup --overdue -o "$work/f" -p "$ex" --cacert "$cafile" --send
check_status "the complaint run exits 0" 0
check_has "the complaint is written" "$work/out" "wrote $work/f/example-person-only/complaint-$ref.pdf"
check_has "it says complaints are not emailed" "$work/out" \
	"Complaints go to the regulator, not to the broker: optout does not email them."
check_eq "nothing was emailed to anyone" 2 "$(count)"

# ---- a crash between 'sending' and the answer: not resent blindly ---------------
# Through a command, the sender is the person's own address (example.org).
L="$work/crash.db"
OPTOUT_TODAY=2026-12-07 run send -p "$ex" -b mail-second -r delete --sendmail "cat >/dev/null; true" --send --ledger "$L"
check_status "another request is sent (with a command)" 0
ref2=$(sed -n 's/^  reference: //p' "$work/out" | head -1)
export OPTOUT_TODAY=2027-01-25
run followup --overdue -o "$work/g" -p "$ex" --sendmail "cat >$work/crash.eml; kill -9 \$PPID; true" --send --ledger "$L"
check_status "optout was killed mid-send" 137
check_has "the command got the follow-up" "$work/crash.eml" "In-Reply-To: <$ref2.1@example.org>"
check_eq "the attempt was committed as sending before the I/O" "followup|sending" \
	"$(sql "$L" "SELECT kind, outcome FROM mail_sends WHERE kind <> 'request'")"
run followup --overdue -o "$work/g" -p "$ex" --sendmail "cat >$work/again.eml; true" --send --ledger "$L"
check_status "the next run exits 69 (a person must check)" 69
check_has "it says it may have gone out" "$work/out" \
	"it may have gone out: look for Message-ID $ref2.followup.1@example.org in the sent mail"
if [ -e "$work/again.eml" ]; then not_ok "nothing was handed over twice"; else ok "nothing was handed over twice"; fi
check_eq "the attempt is now uncertain, the follow-up not recorded" "uncertain|0" \
	"$(sql "$L" "SELECT outcome, (SELECT count(*) FROM events WHERE kind = 'followup') FROM mail_sends WHERE kind <> 'request'")"
run followup --overdue -o "$work/g" -p "$ex" --sendmail "cat >$work/again.eml; true" --send --retry-failed --ledger "$L"
check_status "--retry-failed sends it after the person checked" 0
check_has "the retry is a new attempt replying to the request" "$work/again.eml" "In-Reply-To: <$ref2.1@example.org>"
check_has "with its own Message-ID" "$work/again.eml" "Message-ID: <$ref2.followup.2@"

done_testing
