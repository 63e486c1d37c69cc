#!/bin/sh
# optout inbox: realistic broker replies (written for these tests, in
# tests/fixtures/replies/) read from a Maildir, an mbox and a real Dovecot
# over IMAPS on 127.0.0.1; each class, the ledger states they bring, the
# evidence kept, the bounce note, --dry-run, and that a reply is read once.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

ex="$TOP_SRCDIR/letters/examples/profile.json"
export OPTOUT_TODAY=2026-12-07
. "$TOP_SRCDIR/tests/e2e/mail-data.sh"

# Four requests sent (through a command that only swallows the message).
run send -p "$ex" -b mail-accepts,mail-second,mail-busy,mail-gone -r delete \
	--sendmail "cat >/dev/null; true" --send
check_status "the requests are sent" 0
set -- $(sed -n 's/^  reference: //p' "$work/out")
if [ $# -ne 4 ]; then echo "Bail out! expected four references, got: $*"; exit 1; fi
acc=$1 sec=$2 busy=$3 gone=$4

# fill FILE: a reply with the run's references and Message-IDs in it.
fill() {
	sed -e "s/@REF_ACCEPTS@/$acc/g; s/@MID_ACCEPTS@/$acc.1@example.org/g" \
		-e "s/@REF_SECOND@/$sec/g; s/@MID_SECOND@/$sec.1@example.org/g" \
		-e "s/@REF_BUSY@/$busy/g; s/@MID_BUSY@/$busy.1@example.org/g" \
		-e "s/@REF_GONE@/$gone/g; s/@MID_GONE@/$gone.1@example.org/g" "$1"
}
md="$work/Maildir"
mkdir -p "$md/new" "$md/cur" "$md/tmp"
for f in "$TOP_SRCDIR"/tests/fixtures/replies/*.eml; do
	fill "$f" >"$md/new/$(basename "$f")"
done

# state REF: the request's state in the ledger.
state() {
	"$OPTOUT" status --json | "$PYTHON" -c '
import json, sys
for r in json.load(sys.stdin):
    if r["reference"] == sys.argv[1]:
        print(r["state"])' "$1"
}
# block REF CLASS: the report of one reply (from its first line to the blank line after).
block() {
	awk -v head="$1 — " -v cls=": $2" 'index($0, head) == 1 && index($0, cls) { p = 1 } p && /^$/ { exit } p' "$work/out"
}

# ---- dry run: what would change, nothing written ----------------------------------
run inbox --maildir "$md" --dry-run
check_status "dry run exits 0" 0
check_has "dry run: the acknowledgement would move the request" "$work/out" \
	"ledger:    would become acknowledged (dry run: nothing written)"
check_has "dry run: it says nothing was written" "$work/out" "Dry run: nothing was written."
check_eq "dry run: the ledger is unchanged" "sent" "$(state "$acc")"
if [ -d "$XDG_DATA_HOME/optout/evidence" ]; then not_ok "dry run keeps no evidence"; else
	ok "dry run keeps no evidence"; fi

# ---- the real run: every class ------------------------------------------------------
run inbox --maildir "$md"
check_status "inbox exits 0" 0
block "$acc" verification >"$work/b1"
check_has "verification: the link on the broker's own domain is given" "$work/b1" \
	"next:      Confirm the request with the broker's link: https://privacy.accepts.test/dsr/confirm?token=7f3a9c21e0"
check_lacks "verification: a tracking link elsewhere is not given" "$work/out" "email-tracking.example.net"
check_has "verification on another domain: the link is withheld" "$work/out" \
	"a link that is not on the broker's own domain, so it is not shown"
check_lacks "the off-domain link is never printed" "$work/out" "portal-example.net"
check_has "acknowledged (matched by In-Reply-To)" "$work/out" "$acc — mail-accepts (delete): acknowledged"
check_has "acknowledged: sent -> acknowledged" "$work/out" "ledger:    sent -> acknowledged"
check_has "acknowledged: the due date is given" "$work/out" "the answer is due by 2027-01-21"
check_has "more information (Spanish, ISO-8859-1, reference in the subject)" "$work/out" \
	"$sec — mail-second (delete): more-info"
check_has "more information: the request is quoted in UTF-8" "$work/out" \
	'says:      "Para procesar su solicitud necesitamos información adicional."'
check_has "completed (base64 body)" "$work/out" "$sec — mail-second (delete): completed"
check_has "automatic reply (matched by the broker's domain)" "$work/out" \
	"$busy — mail-busy (delete): auto-reply"
check_has "unknown (reference in the text)" "$work/out" "$busy — mail-busy (delete): unknown"
check_has "unknown: read it yourself" "$work/out" "Read the reply yourself, then record what it says with 'optout mark'."
check_has "denied" "$work/out" "$busy — mail-busy (delete): denied"
check_has "denied: the reason is quoted" "$work/out" \
	'says:      "After review, we are unable to process your request because the information is collected from public records and is exempt under the law."'
check_has "bounced (the returned message's Message-ID)" "$work/out" "$gone — mail-gone (delete): bounced"
check_has "bounced: the DSN status" "$work/out" "status:    5.1.1"
check_has "unmatched mail is left alone" "$work/out" \
	'(no request) from shop.example.com: "Our winter sale starts today" matches no request; left alone.'
check_has "the summary" "$work/out" "Replies matched: 9; not matched: 1; read before: 0."
check_eq "ledger: acknowledged" acknowledged "$(state "$acc")"
check_eq "ledger: completed" completed "$(state "$sec")"
check_eq "ledger: denied" denied "$(state "$busy")"
check_eq "ledger: a bounce fails the request" failed "$(state "$gone")"
ev="$XDG_DATA_HOME/optout/evidence/$acc-reply-ack-58213-accepts-test.eml"
if cmp -s "$ev" "$md/new/03-acknowledged.eml"; then ok "the reply is kept as evidence, byte for byte"
else not_ok "the reply is kept as evidence, byte for byte" "$(ls "$XDG_DATA_HOME/optout/evidence")"; fi
check_eq "evidence is 0600" 600 "$(stat -c %a "$ev")"
check_has "the evidence path is printed" "$work/out" "evidence:  $ev"
note="$XDG_DATA_HOME/optout/failing-addresses.tsv"
check_has "the bounced address is noted as failing" "$note" \
	"2026-12-07	mail-gone	ccpa-delete-email	privacy@gone.test	5.1.1"
check_eq "the note is 0600" 600 "$(stat -c %a "$note")"
"$OPTOUT" status --json >"$work/st.json"
check_lacks "no reply text in the ledger's notes" "$work/st.json" "public records"

# ---- read once ------------------------------------------------------------------------
run inbox --maildir "$md"
check_status "a second run exits 0" 0
check_has "a second run reads nothing twice" "$work/out" "Replies matched: 0; not matched: 0; read before: 10."
check_lacks "an unmatched reply is shown once only" "$work/out" "(no request)"
check_eq "the unmatched reply is recorded once, with no request and no evidence" \
	"None|unknown|None" "$("$PYTHON" -c '
import sqlite3, sys
for row in sqlite3.connect(sys.argv[1]).execute(
        "SELECT request_id, class, evidence FROM replies WHERE request_id IS NULL"):
    print("|".join(str(c) for c in row))' "$XDG_DATA_HOME/optout/ledger.db")"

# ---- mbox -----------------------------------------------------------------------------
for f in "$TOP_SRCDIR"/tests/fixtures/replies/03-acknowledged.eml \
	"$TOP_SRCDIR"/tests/fixtures/replies/10-unmatched.eml; do
	printf 'From privacy@accepts.test Mon Dec  7 11:30:00 2026\n'
	fill "$f"
	printf '\n'
done >"$work/replies.mbox"
run inbox --mbox "$work/replies.mbox" --dry-run
check_status "mbox exits 0" 0
check_has "an mbox is split into its messages" "$work/out" "Replies matched: 0; not matched: 0; read before: 2."
printf 'not a mailbox\n' >"$work/bad.mbox"
run inbox --mbox "$work/bad.mbox"
check_status "a file that is no mbox exits 66" 66
check_has "it names the file and what was expected" "$work/err" \
	"bad.mbox: not an mbox file (no line starts with \"From \")"

# ---- a version 2 ledger is migrated, keeps its history, and takes replies ------------
cp "$TOP_SRCDIR/tests/fixtures/ledger/v2-followup.db" "$work/v2.db"
mkdir -p "$work/md2/new"
printf 'From: privacy@bureau.example.org\nSubject: Re: OPT-DWGJ-SK23\nMessage-ID: <v2-ack@bureau.example.org>\n\nWe have received your request.\n' \
	>"$work/md2/new/1.eml"
run inbox --maildir "$work/md2" --ledger "$work/v2.db"
check_status "a version 2 ledger opens for inbox" 0
check_has "a reply is recorded in the migrated ledger" "$work/out" "ledger:    mailed -> acknowledged"
"$PYTHON" - "$work/v2.db" >"$work/v2.txt" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(c.execute("PRAGMA user_version").fetchone()[0])
print(" ".join(r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")))
print(c.execute("SELECT count(*) FROM events WHERE kind = 'followup'").fetchone()[0])
print(c.execute("SELECT class, evidence IS NOT NULL FROM replies").fetchall())
PY
check_eq "migrated to the newest version with the new tables, history kept" "$schema_version
clients drop_filings events mail_sends replies requests
1
[('acknowledged', 1)]" "$(cat "$work/v2.txt")"

# ---- IMAP over TLS from a real Dovecot ---------------------------------------------------
if [ "$(id -u)" -ne 0 ] || ! command -v dovecot >/dev/null 2>&1; then
	echo "# skipping IMAP: needs root and dovecot-imapd (./bootstrap installs it)"
	done_testing
	exit $?
fi
tls="$work/tls"
. "$TOP_SRCDIR/tests/e2e/net.sh"
make_ca "$tls"
. "$TOP_SRCDIR/tests/e2e/dovecot.sh"
start_dovecot
trap 'stop_dovecot; cleanup' EXIT INT TERM
# A fresh ledger with the same four requests, so IMAP reads them as new.
export XDG_DATA_HOME="$work/imap-data"
run send -p "$ex" -b mail-accepts,mail-second,mail-busy,mail-gone -r delete \
	--sendmail "cat >/dev/null; true" --send
set -- $(sed -n 's/^  reference: //p' "$work/out")
acc=$1 sec=$2 busy=$3 gone=$4
i=0
for f in 03-acknowledged 08-denied 09-bounced; do
	i=$((i + 1))
	fill "$TOP_SRCDIR/tests/fixtures/replies/$f.eml" | sed 's/$/\r/' >"$dv_maildir/new/100000000$i.M1P1.test"
done
chown -R 65534:65534 "$dv/mail"
mkdir -p "$XDG_CONFIG_HOME/optout"
printf '[account clinic]\nhost = 127.0.0.1\nfrom = intake@clinic.test\nuser = intake\npassword_command = printf Correct-Horse-7\nimap_host = 127.0.0.1\nimap_port = %s\n' \
	"$imap_port" >"$XDG_CONFIG_HOME/optout/config"
run inbox --account clinic --cacert "$tls/ca.pem"
check_status "IMAP: inbox exits 0" 0
check_has "IMAP: acknowledged" "$work/out" "$acc — mail-accepts (delete): acknowledged"
check_has "IMAP: denied" "$work/out" "$busy — mail-busy (delete): denied"
check_has "IMAP: bounced" "$work/out" "$gone — mail-gone (delete): bounced"
check_has "IMAP: three replies" "$work/out" "Replies matched: 3; not matched: 0; read before: 0."
check_eq "IMAP: the ledger follows" "acknowledged denied failed" \
	"$(state "$acc") $(state "$busy") $(state "$gone")"
# Flags as they were: no message is left marked seen (Maildir flag S).
seen=$(ls "$dv_maildir/cur" "$dv_maildir/new" | grep -c ':2,.*S' || true)
check_eq "IMAP: messages are not marked seen" 0 "$seen"
run inbox --account clinic
check_status "IMAP: a certificate from an unknown CA is refused (69)" 69
printf '[account clinic]\nhost = 127.0.0.1\nfrom = intake@clinic.test\nuser = intake\npassword_command = printf wrong\nimap_host = 127.0.0.1\nimap_port = %s\n' \
	"$imap_port" >"$XDG_CONFIG_HOME/optout/config"
run inbox --account clinic --cacert "$tls/ca.pem"
check_status "IMAP: a wrong password exits 69" 69
check_lacks "IMAP: the password is never printed" "$work/err" "wrong"
stop_dovecot
done_testing
