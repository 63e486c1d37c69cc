#!/bin/sh
# Follow-through: deadlines counted from receipt (the 7 December mailing is not
# overdue on 23 December), the clock restarted by a recorded delivery, each
# regulator's block in a complaint (the CFPB, a state attorney general, a German
# Land's authority), appeals before complaints where the law gives one, the
# broker's words quoted and private notes never, and due dates as iCalendar.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fx="$TOP_SRCDIR/tests/fixtures"
export OPTOUT_DATADIR="$fx/data"
L="$work/l.db"
field() { "$PYTHON" -c 'import json,sys; r=[r for r in json.load(open(sys.argv[1])) if r["reference"]==sys.argv[2]][0]; print(" ".join(str(r[k]) for k in sys.argv[3:]))' "$work/st.json" "$@"; }

cat >"$work/c.csv" <<'CSV'
label,given,family,street,city,region,postal_code,country,email,dob,drivers_license,drivers_license_region
tx-1,Eva,Ejemplo,4 Example Way,Austin,TX,78701,US,eva@example.org,1980-01-02,T1234567,TX
va-1,Flo,Ejemplo,5 Example Way,Richmond,VA,23220,US,flo@example.org,,,
de-1,Gus,Ejemplo,Example-Straße 6,Berlin,Berlin,10115,DE,gus@example.org,,,
CSV

# A credit-report request (FCRA §612: 15 days after receipt), mailed on Monday 7 December.
export OPTOUT_TODAY=2026-12-07
"$OPTOUT" batch -c "$work/c.csv" -b example-cra -r access --disclose dob,drivers_license -o "$work/b" --ledger "$L" >/dev/null
"$OPTOUT" status --ledger "$L" --json >"$work/st.json"
tx=$(ref_of tx-1 access)
run mark "$tx" mailed --ledger "$L"
check_has "mark mailed says the clock starts after the transit allowance" "$work/out" \
	"$tx: mailed on 2026-12-07; due 2026-12-29 (15 calendar days from 2026-12-14, the expected delivery after the mail-transit allowance)."
check_has "and how to record the delivery" "$work/out" "optout mark $tx delivered --date YYYY-MM-DD"
"$OPTOUT" status --ledger "$L" --json >"$work/st.json"
check_eq "status holds the clock's start and basis" "2026-12-14 transit 2026-12-29 None" \
	"$(field "$tx" clock_start clock_basis due received)"
run status --ledger "$L"
check_has "the table says which day the clock runs from" "$work/out" "2026-12-14 mail est.  2026-12-29"

export OPTOUT_TODAY=2026-12-23
run followup --overdue -o "$work/f" -c "$work/c.csv" --ledger "$L"
check_has "on 23 December no follow-up claims the deadline passed" "$work/out" \
	"Written: 0 follow-up letters, 0 appeals, 0 complaints"
run status --ledger "$L" --overdue
check_has "and status shows nothing overdue" "$work/out" "No overdue requests."

# The return receipt says it arrived on 9 December: due 24 December.
run mark "$tx" delivered --date 2026-12-09 --tracking "9407 1118 9876 5432 1000 00" --ledger "$L"
check_has "delivery restarts the clock" "$work/out" \
	"$tx: delivered on 2026-12-09; due 2026-12-24 (15 calendar days from the day of receipt)."
run mark "$tx" delivered --date 2026-12-10 --ledger "$L"
check_status "a second delivery is refused" 65
check_has "with the first one's date" "$work/err" "its delivery was already recorded (on 2026-12-09)"
run mark "$tx" delivered --date 2026-12-10 --note "x" --ledger "$L"
check_status "a note does not go with delivered" 64

export OPTOUT_TODAY=2026-12-28
run followup --overdue -o "$work/f" -c "$work/c.csv" --ledger "$L"
check_has "after 24 December the follow-up is written" "$work/out" "wrote $work/f/tx-1/followup-$tx.pdf"
"$PDFTOTEXT" -enc UTF-8 "$work/f/tx-1/followup-$tx.pdf" "$work/f1.txt"
check_has "it says the clock runs from receipt, and the day" "$(flat "$work/f1.txt")" \
	"The law's period runs from your receipt of the request, and you received it on 9 December 2026."
check_has "and the due date from it" "$(flat "$work/f1.txt")" "that is by 24 December 2026"
check_has "with the tracking number" "$(flat "$work/f1.txt")" "9407 1118 9876 5432 1000 00"
check_has "naming the CFPB as the regulator" "$(flat "$work/f1.txt")" \
	"file a complaint with the regulator, Consumer Financial Protection Bureau, enclosing"

# Refused: the CFPB complaint quotes the broker, never the person's note.
run mark "$tx" denied --reason "We could not locate a consumer file." --note "Eva's cousin called them" --ledger "$L"
check_status "denied with a reason" 0
run mark "$tx" completed --reason "x" --ledger "$L"
check_status "a reason without denied is a usage error" 64
run followup -o "$work/f" -c "$work/c.csv" --ledger "$L"
check_has "the FCRA refusal gets a complaint (the law gives no appeal)" "$work/out" "wrote $work/f/tx-1/complaint-$tx.pdf"
"$PDFTOTEXT" -enc UTF-8 "$work/f/tx-1/complaint-$tx.pdf" "$work/c1.txt"
check_has "addressed to the CFPB's postal address" "$(flat "$work/c1.txt")" \
	"Consumer Financial Protection Bureau PO Box 4503 Iowa City, IA 52244"
check_has "with its online form" "$(flat "$work/c1.txt")" "https://www.consumerfinance.gov/complaint/"
check_lacks "its postal address is confirmed, so no warning" "$(flat "$work/c1.txt")" "could not be confirmed"
check_has "from the person's full address" "$(flat "$work/c1.txt")" "Eva Ejemplo 4 Example Way"
check_has "quoting the broker's words as its words" "$(flat "$work/c1.txt")" \
	"In its own words, the business said: \"We could not locate a consumer file.\""
check_lacks "never the private note" "$(flat "$work/c1.txt")" "cousin"
check_has "with the delivery in the timeline" "$(flat "$work/c1.txt")" \
	"9 December 2026 The request was delivered to the business."

# A Virginia deletion (45 days, email): the complaint goes to the Virginia Attorney General.
export OPTOUT_TODAY=2026-11-02
"$OPTOUT" batch -c "$work/c.csv" -b example-cra -r delete -o "$work/b2" --ledger "$L" >/dev/null
"$OPTOUT" status --ledger "$L" --json >"$work/st.json"
va=$(ref_of va-1 delete)
"$OPTOUT" mark "$va" sent --ledger "$L" >/dev/null
"$OPTOUT" status --ledger "$L" --json >"$work/st.json"
check_eq "an email's clock runs from the day it was sent" "2026-11-02 sent 2026-12-17" \
	"$(field "$va" clock_start clock_basis due)"
OPTOUT_TODAY=2026-12-18 "$OPTOUT" followup --overdue -o "$work/f" -c "$work/c.csv" --ledger "$L" >/dev/null
"$PDFTOTEXT" -enc UTF-8 "$work/f/va-1/followup-$va.pdf" "$work/f2.txt"
check_has "the follow-up says it counts from the day sent" "$(flat "$work/f2.txt")" \
	"which reached you on the day I sent it, 2 November 2026"
OPTOUT_TODAY=2027-01-05 "$OPTOUT" followup --overdue -o "$work/f" -c "$work/c.csv" --ledger "$L" >/dev/null
"$PDFTOTEXT" -enc UTF-8 "$work/f/va-1/complaint-$va.pdf" "$work/c2.txt"
check_has "the complaint is addressed to the Virginia Attorney General" "$(flat "$work/c2.txt")" \
	"Office of the Attorney General Consumer Protection Section 202 North Ninth Street Richmond, VA 23219"
check_lacks "and to no other authority" "$(flat "$work/c2.txt")" "Privacy Protection Agency"

# A Berlin resident under the GDPR: the Land's authority, online (its postal address is not confirmed).
export OPTOUT_TODAY=2026-11-02
"$OPTOUT" batch -c "$work/c.csv" -b example-history -r delete -o "$work/b3" --ledger "$L" >/dev/null
"$OPTOUT" status --ledger "$L" --json >"$work/st.json"
de=$(ref_of de-1 delete)
check_eq "the Berlin request stands on the GDPR" "gdpr" "$(field "$de" law)"
"$OPTOUT" mark "$de" mailed --ledger "$L" >/dev/null
OPTOUT_TODAY=2026-11-20 "$OPTOUT" mark "$de" denied --reason "Keine Daten gespeichert." --ledger "$L" >/dev/null
OPTOUT_TODAY=2026-11-21 "$OPTOUT" followup -o "$work/f" -c "$work/c.csv" --ledger "$L" >/dev/null
"$PDFTOTEXT" -enc UTF-8 "$work/f/de-1/complaint-$de.pdf" "$work/c3.txt"
check_has "the complaint names the Berlin authority" "$(flat "$work/c3.txt")" \
	"Berliner Beauftragte für Datenschutz und Informationsfreiheit"
check_has "with its online complaint page" "$(flat "$work/c3.txt")" \
	"https://www.datenschutz-berlin.de/buergerinnen-und-buerger/rechte/beschwerderecht"
check_has "and its public record's address, said to be unchecked, with the record and its date" "$(flat "$work/c3.txt")" \
	"Berliner Beauftragte für Datenschutz und Informationsfreiheit Alt-Moabit 59-61 10555 Berlin Deutschland 21 November 2026"
check_has "with the caution naming that record and its date" "$(flat "$work/c3.txt")" \
	"The address above comes from the public records of datenanfragen.de, as last updated there on 27 February 2023, and could not be checked against Berliner Beauftragte für Datenschutz und Informationsfreiheit's own pages, so check it on https://www.datenschutz-berlin.de/ before sending this letter."
check_lacks "never 'the The'" "$(flat "$work/c3.txt")" "the The"

# A Dublin resident under the GDPR: Ireland's Data Protection Commission, at its confirmed postal address.
cat >"$work/ie.csv" <<'CSV'
label,given,family,street,city,region,postal_code,country,email,dob,drivers_license,drivers_license_region
ie-1,Ida,Ejemplo,7 Example Street,Dublin,,D02 XY00,IE,ida@example.org,,,
CSV
E="$work/ie.db"
export OPTOUT_TODAY=2026-11-02
"$OPTOUT" batch -c "$work/ie.csv" -b example-history -r access -o "$work/b6" --ledger "$E" >/dev/null
"$OPTOUT" status --ledger "$E" --json >"$work/st.json"
ie=$(ref_of ie-1 access)
check_eq "the Dublin request stands on the GDPR" "gdpr" "$(field "$ie" law)"
"$OPTOUT" mark "$ie" mailed --ledger "$E" >/dev/null
OPTOUT_TODAY=2026-11-20 "$OPTOUT" mark "$ie" denied --reason "No record found." --ledger "$E" >/dev/null
OPTOUT_TODAY=2026-11-21 "$OPTOUT" followup -o "$work/f" -c "$work/ie.csv" --ledger "$E" >/dev/null
"$PDFTOTEXT" -enc UTF-8 "$work/f/ie-1/complaint-$ie.pdf" "$work/c4.txt"
check_has "the complaint goes to the Data Protection Commission's postal address" "$(flat "$work/c4.txt")" \
	"Data Protection Commission 21 Fitzwilliam Square South Dublin 2, D02 RD28 Ireland"
check_lacks "and to no German authority" "$(flat "$work/c4.txt")" "Datenschutz"

# Appeals under the law as recorded: Virginia's, confirmed (Va. Code §59.1-577(C), 60 days).
A="$work/a.db"
export OPTOUT_TODAY=2026-11-02
"$OPTOUT" batch -c "$work/c.csv" -b example-cra -r delete -o "$work/b4" --ledger "$A" >/dev/null
"$OPTOUT" status --ledger "$A" --json >"$work/st.json"
va2=$(ref_of va-1 delete)
"$OPTOUT" mark "$va2" sent --ledger "$A" >/dev/null
OPTOUT_TODAY=2026-11-20 "$OPTOUT" mark "$va2" denied --reason "Request not verified." --ledger "$A" >/dev/null
export OPTOUT_TODAY=2026-11-21
run followup -o "$work/fa" -c "$work/c.csv" --ledger "$A"
check_has "a refusal under a law with an appeal gets the appeal first" "$work/out" "wrote $work/fa/va-1/appeal-$va2.pdf"
check_has "not a complaint" "$work/out" "Written: 0 follow-up letters, 1 appeal, 0 complaints"
"$PDFTOTEXT" -enc UTF-8 "$work/fa/va-1/appeal-$va2.pdf" "$work/a1.txt"
check_has "the appeal cites the appeal section" "$(flat "$work/a1.txt")" "I appeal that decision under Va. Code §59.1-577(C)."
check_has "and says the business must point to the regulator on a denial" "$(flat "$work/a1.txt")" \
	"the law also requires you to tell me how I can submit a complaint to this regulator: Office of the Attorney General of Virginia, Consumer Protection Section."
check_has "and the law's window" "$(flat "$work/a1.txt")" "within 60 days of receiving this appeal"
check_has "and the day its answer is due (60 days from 21 November)" "$(flat "$work/a1.txt")" "by 20 January 2027 at the latest"
check_has "and quotes the refusal" "$(flat "$work/a1.txt")" "You gave this reason: \"Request not verified.\""
check_has "it is addressed to the broker" "$(flat "$work/a1.txt")" "Example Consumer Data Bureau privacy@bureau.example.org"
"$OPTOUT" status --ledger "$A" --json >"$work/st.json"
check_eq "status holds the appeal clock" "2027-01-20 60" "$(field "$va2" appeal_due appeal_days_left)"
run status --ledger "$A"
check_has "and shows it" "$work/out" "appeal: 60 days"
export OPTOUT_TODAY=2027-01-20
run followup -o "$work/fa" -c "$work/c.csv" --ledger "$A"
check_has "within the appeal's window there is no complaint" "$work/out" "1 appealed, waiting for the business's answer"
export OPTOUT_TODAY=2027-01-21
run followup -o "$work/fa" -c "$work/c.csv" --ledger "$A"
check_has "after it, the complaint" "$work/out" "wrote $work/fa/va-1/complaint-$va2.pdf"
"$PDFTOTEXT" -enc UTF-8 "$work/fa/va-1/complaint-$va2.pdf" "$work/a2.txt"
check_has "which says the appeal went unanswered" "$(flat "$work/a2.txt")" \
	"its answer to the appeal was due by 20 January 2027"
check_has "with the appeal in the timeline" "$(flat "$work/a2.txt")" \
	"21 November 2026 An appeal of the refusal was sent to the business."
check_has "addressed to the Virginia Attorney General's postal address" "$(flat "$work/a2.txt")" \
	"Office of the Attorney General Consumer Protection Section 202 North Ninth Street Richmond, VA 23219"

# Due dates as iCalendar, read back by an independent parser (python3-icalendar).
export OPTOUT_TODAY=2026-12-07
I="$work/i.db"
"$OPTOUT" batch -c "$work/c.csv" -b example-cra -r access,delete --disclose dob,drivers_license -o "$work/b5" --ledger "$I" >/dev/null
"$OPTOUT" status --ledger "$I" --json >"$work/st.json"
i1=$(ref_of tx-1 access); i2=$(ref_of va-1 delete)
export OPTOUT_TODAY=2026-12-10
"$OPTOUT" mark "$i1" mailed --date 2026-12-07 --ledger "$I" >/dev/null
"$OPTOUT" mark "$i2" sent --date 2026-12-08 --ledger "$I" >/dev/null
run status --ics "$work/due.ics" --ledger "$I"
check_status "status --ics exits 0" 0
check_eq "the calendar is private (0600)" "600" "$(stat -c %a "$work/due.ics")"
check_eq "its lines end in CRLF and none is longer than 75 octets" "ok" \
	"$("$PYTHON" -c 'import sys; b=open(sys.argv[1],"rb").read(); ls=b.split(b"\r\n"); print("ok" if ls[-1]==b"" and all(b"\n" not in l and len(l)<=75 for l in ls) else "bad")' "$work/due.ics")"
/usr/bin/python3 - "$work/due.ics" "$i1" "$i2" >"$work/ics.txt" 2>&1 <<'PY' || true
import sys
from icalendar import Calendar
cal = Calendar.from_ical(open(sys.argv[1], "rb").read())
ev = sorted((str(e["UID"]), e.decoded("DTSTART").isoformat(), type(e.decoded("DTSTART")).__name__,
             str(e["SUMMARY"]), "DTSTAMP" in e) for e in cal.walk("VEVENT"))
for e in ev:
    print("|".join(map(str, e)))
PY
check_has "icalendar reads the letter's due date as an all-day event" "$work/ics.txt" \
	"$i1-due@optout|2026-12-29|date|optout $i1: example-cra's answer is due (access request)|True"
check_has "and the email's" "$work/ics.txt" \
	"$i2-due@optout|2027-01-22|date|optout $i2: example-cra's answer is due (delete request)|True"
check_eq "and nothing else (planned requests have no due date)" "2" "$(grep -c '@optout|' "$work/ics.txt")"
check_lacks "no names or addresses in the calendar" "$work/due.ics" "Ejemplo"

# The record for a regulator or an attorney: one PDF with the timeline, the broker's words,
# the saved reply of a web form, and the request letter; never the person's note.
export OPTOUT_TODAY=2027-01-10
mkdir -p "$XDG_DATA_HOME/optout/evidence"
printf '<html><head><style>p{color:red}</style><script>var x = "hidden";</script></head><body><h1>Thank you</h1>\n<p>Your request   %s was received on 8 December.</p></body></html>' "$tx" \
	>"$XDG_DATA_HOME/optout/evidence/$tx.html"
run evidence "$tx" -o "$work/ev.pdf" -c "$work/c.csv" --ledger "$L"
check_status "evidence exits 0" 0
check_has "it says what it wrote" "$work/out" "wrote $work/ev.pdf: the record of 1 request."
check_has "and how many letters it reproduces" "$work/out" "1 letter reproduced."
"$PDFTOTEXT" -enc UTF-8 "$work/ev.pdf" "$work/ev.txt"
check_has "the record names the request and business" "$(flat "$work/ev.txt")" "Request $tx"
check_has "the day the clock ran from and why" "$(flat "$work/ev.txt")" \
	"9 December 2026 (the day the business received the request)"
"$PDFTOTEXT" -layout -enc UTF-8 "$work/ev.pdf" "$work/ev-layout.txt"
grep "The request was mailed." "$work/ev-layout.txt" | tr -s ' ' >"$work/ev-row.txt" || true
check_has "every event with its date, channel and tracking number" "$work/ev-row.txt" \
	"7 December 2026 The request was mailed. postal 9407 1118 9876 5432 1000 00"
check_has "the delivery" "$(flat "$work/ev.txt")" "9 December 2026 The request was delivered to the business."
check_has "the follow-up" "$(flat "$work/ev.txt")" "28 December 2026 A follow-up letter was written."
check_has "the refusal" "$(flat "$work/ev.txt")" "The business refused the request."
check_has "the complaint" "$(flat "$work/ev.txt")" "A complaint to the regulator was written."
check_has "the broker's words" "$(flat "$work/ev.txt")" "In its own words, the business said: \"We could not locate a consumer file.\""
check_has "the saved reply's text" "$(flat "$work/ev.txt")" "Thank you Your request $tx was received on 8 December."
check_lacks "without its script" "$(flat "$work/ev.txt")" "hidden"
check_has "and the request letter itself" "$(flat "$work/ev.txt")" "15 U.S.C."
check_lacks "never the private note" "$(flat "$work/ev.txt")" "cousin"
check_eq "the PDF is private (0600)" "600" "$(stat -c %a "$work/ev.pdf")"
"$QPDF" --check "$work/ev.pdf" >/dev/null 2>&1 && ok "the PDF is well formed" || not_ok "the PDF is well formed"
run evidence --client tx-1 -o "$work/ev2.pdf" --ledger "$L"
# Three: the CRA's FCRA disclosure and its state-law access request (one row each), and the deletion.
check_has "for a whole client, without details, letters are not reproduced" "$work/out" \
	"the record of 3 requests."
check_has "and reproduces none" "$work/out" "0 letters reproduced."
"$PDFTOTEXT" -enc UTF-8 "$work/ev2.pdf" "$work/ev2.txt"
check_has "and the record says where the copy is" "$(flat "$work/ev2.txt")" \
	"The request letter is not reproduced here because the person's details were not given"
run evidence OPT-ZZZZ-ZZZZ -o "$work/ev3.pdf" --ledger "$L"
check_status "an unknown reference exits 66" 66
run evidence --client nobody -o "$work/ev3.pdf" --ledger "$L"
check_status "a client without requests exits 66" 66
check_has "and says so" "$work/err" "the ledger has no requests for client 'nobody'"
run evidence "$tx" --ledger "$L"
check_status "-o is required" 64

done_testing
