#!/bin/sh
# The US regulators in letters/laws.json: an address or form is on file only
# where it was confirmed (and then it is not listed as unconfirmed), a state
# authority's address is in its own state, and a complaint prints exactly what
# is on file.  Kentucky's address and form are both confirmed; New Hampshire's
# form but not its address; Iowa's address but not its form; Montana's neither,
# so its complaint sends the person to the Department's own site.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fx="$TOP_SRCDIR/tests/fixtures"
export OPTOUT_DATADIR="$fx/data"
L="$work/l.db"

# The data: what is printed is what is confirmed, and nothing else.
check_eq "each US regulator's postal and complaint_url are present exactly when not unconfirmed" "" \
	"$("$PYTHON" - "$TOP_SRCDIR/letters/laws.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["regulators"]:
    if not r["id"].startswith("us-"):
        continue
    unc = r.get("unconfirmed_fields", [])
    for f in ("postal", "complaint_url"):
        if (f in r) == (f in unc):
            print(r["id"], f, "present" if f in r else "absent", "but unconfirmed_fields is", unc)
    if bool(r.get("unconfirmed")) != bool(unc):
        print(r["id"], "unconfirmed is", r.get("unconfirmed"), "with unconfirmed_fields", unc)
    if not r.get("website", "").startswith("https://"):
        print(r["id"], "has no https website to send a person to")
    for s in r["sources"]:
        if not s.get("as_of"):
            print(r["id"], "source without as_of:", s["ref"][:60])
PY
)"
check_eq "a state authority's confirmed address is in its own state, with a ZIP code" "" \
	"$("$PYTHON" - "$TOP_SRCDIR/letters/laws.json" <<'PY'
import json, re, sys
for r in json.load(open(sys.argv[1]))["regulators"]:
    if not r["id"].startswith("us-") or "postal" not in r or "regions" not in r:
        continue
    last = r["postal"][-1]
    if not re.fullmatch(r"[A-Z][A-Za-z .'-]+, %s \d{5}(-\d{4})?" % r["regions"][0], last):
        print(r["id"], "last postal line", repr(last), "is not 'City, %s ZIP'" % r["regions"][0])
PY
)"
check_eq "Kentucky: address and form both confirmed, with their sources" \
	"Frankfort, KY 40601|https://secure.kentucky.gov/formservices/AttorneyGeneral/ConsumerMediationForm|False|True|True" \
	"$("$PYTHON" - "$TOP_SRCDIR/letters/laws.json" <<'PY'
import json, sys
r = [r for r in json.load(open(sys.argv[1]))["regulators"] if r["id"] == "us-ky-ag"][0]
urls = [s.get("url", "") for s in r["sources"]]
print(r["postal"][-1], r["complaint_url"], "unconfirmed" in r,
      "https://apps.legislature.ky.gov/law/kar/titles/040/002/076/" in urls,
      r["complaint_url"] in urls, sep="|")
PY
)"

cat >"$work/us.csv" <<'CSV'
label,given,family,street,city,region,postal_code,country,email
ky-1,Hana,Ejemplo,8 Example Way,Louisville,KY,40202,US,hana@example.org
nh-1,Ines,Ejemplo,9 Example Way,Concord,NH,03301,US,ines@example.org
ia-1,Jon,Ejemplo,10 Example Way,Ames,IA,50010,US,jon@example.org
mt-1,Kai,Ejemplo,11 Example Way,Billings,MT,59101,US,kai@example.org
CSV

# Deletion requests sent by email on Monday 2 November, all refused on 20 November.
export OPTOUT_TODAY=2026-11-02
"$OPTOUT" batch -c "$work/us.csv" -b example-cra -r delete -o "$work/b" --ledger "$L" >/dev/null
"$OPTOUT" status --ledger "$L" --json >"$work/st.json"
r_ky=$(ref_of ky-1) r_nh=$(ref_of nh-1) r_ia=$(ref_of ia-1) r_mt=$(ref_of mt-1)
check_eq "each request stands on the law of the person's state" "us-ky us-nh us-ia us-mt" \
	"$("$PYTHON" -c 'import json,sys; j={r["reference"]: r["law"] for r in json.load(open(sys.argv[1]))}; print(" ".join(j[x] for x in sys.argv[2:]))' \
		"$work/st.json" "$r_ky" "$r_nh" "$r_ia" "$r_mt")"
refuse "$L" $r_ky $r_nh $r_ia $r_mt

# Kentucky's appeal (KRS 367.3615(4)) and Iowa's (Iowa Code §715D.3(3)) are
# confirmed, each with 60 days: those refusals are appealed first, and the
# complaint follows once the answer is overdue.  New Hampshire's and Montana's
# appeal windows are not confirmed, so those refusals go to the regulator.
export OPTOUT_TODAY=2026-11-23
run followup -o "$work/f" -c "$work/us.csv" --ledger "$L"
check_status "followup exits 0" 0
check_has "Kentucky's and Iowa's appeals and two complaints" "$work/out" "Written: 0 follow-up letters, 2 appeals, 2 complaints"
check_has "KY: the appeal first" "$work/out" "wrote $work/f/ky-1/appeal-$r_ky.pdf"
check_has "IA: the appeal first" "$work/out" "wrote $work/f/ia-1/appeal-$r_ia.pdf"
check_lacks "IA: no complaint while the appeal is pending" "$work/out" "wrote $work/f/ia-1/complaint-$r_ia.pdf"
"$PDFTOTEXT" -enc UTF-8 "$work/f/ia-1/appeal-$r_ia.pdf" "$work/ia-a.txt"
t=$(flat "$work/ia-a.txt")
check_has "IA: the appeal cites its section" "$t" "I appeal that decision under Iowa Code §715D.3(3)."
check_has "IA: with the law's 60 days" "$t" "within 60 days of receiving this appeal"
check_has "IA: a denial must point to the Attorney General" "$t" \
	"If you deny the appeal, the law also requires you to tell me how I can submit a complaint to this regulator"
OPTOUT_TODAY=2027-01-23 run followup -o "$work/f" -c "$work/us.csv" --ledger "$L"
check_has "KY: the complaint once the appeal's 60 days are over" "$work/out" "wrote $work/f/ky-1/complaint-$r_ky.pdf"
check_has "IA: the complaint once the appeal's 60 days are over" "$work/out" "wrote $work/f/ia-1/complaint-$r_ia.pdf"
for c in ky nh ia mt; do
	r=$(eval echo "\$r_$c")
	"$PDFTOTEXT" -enc UTF-8 "$work/f/$c-1/complaint-$r.pdf" "$work/$c.txt"
	t=$(flat "$work/$c.txt")
	check_has "$c: the broker's refusal quoted" "$t" "In its own words, the business said: \"The request could not be verified.\""
	check_lacks "$c: not the CFPB" "$t" "Consumer Financial Protection Bureau"
	check_lacks "$c: not the FTC" "$t" "Federal Trade Commission"
done

# Kentucky: the confirmed address is the addressee, and the form is offered too.
t=$(flat "$work/ky.txt")
check_has "KY: to the Office of Consumer Protection's address" "$t" \
	"hana@example.org Office of the Attorney General Office of Consumer Protection 1024 Capital Center Drive Frankfort, KY 40601 23 January 2027"
check_has "KY: its online form" "$t" \
	"This complaint can also be filed online at https://secure.kentucky.gov/formservices/AttorneyGeneral/ConsumerMediationForm"
check_lacks "KY: no warning when both are confirmed" "$t" "could not be confirmed"
check_lacks "KY: no other state's authority" "$t" "New Hampshire"

# New Hampshire: the form, and a plain word that the address is not on file.
t=$(flat "$work/nh.txt")
check_has "NH: addressed by name only" "$t" \
	"ines@example.org New Hampshire Department of Justice, Consumer Protection and Antitrust Bureau 23 November 2026"
check_has "NH: its online form" "$t" "This complaint can also be filed online at https://business.nh.gov/ConsumerComplaint/"
check_has "NH: file online, since the address is not confirmed" "$t" \
	"The postal address of New Hampshire Department of Justice, Consumer Protection and Antitrust Bureau could not be confirmed when this letter was prepared, so file it online at the address above rather than by mail."
check_lacks "NH: no address guessed" "$t" "Concord, NH 03301 23 November"
check_lacks "NH: not sent to the site instead" "$t" "Take the current address"

# Iowa: the confirmed address, and no form claimed; written after the appeal went unanswered.
t=$(flat "$work/ia.txt")
check_has "IA: to the Consumer Protection Division's address" "$t" \
	"jon@example.org Office of the Attorney General of Iowa Consumer Protection Division 1305 E. Walnut St. Des Moines, IA 50319 23 January 2027"
check_has "IA: saying the appeal went unanswered" "$t" "its answer to the appeal was due by 22 January 2027"
check_lacks "IA: no online form claimed" "$t" "filed online"
check_lacks "IA: no warning on a confirmed address" "$t" "could not be confirmed"

# Montana: neither is confirmed, so only the Department's own site.
t=$(flat "$work/mt.txt")
check_has "MT: addressed by name only" "$t" \
	"kai@example.org Montana Department of Justice, Office of Consumer Protection 23 November 2026"
check_has "MT: sent to the Department's own site" "$t" \
	"Neither the postal address nor the complaint form of Montana Department of Justice, Office of Consumer Protection could be confirmed when this letter was prepared. Take the current address or online form from its own site, https://dojmt.gov/, and file this letter there."
check_lacks "MT: no online form claimed" "$t" "filed online"
check_lacks "MT: no address guessed" "$t" "Helena"


# complaint_for TAG ROW: the client of the CSV ROW (own list and ledger, so the
# checks above are untouched) asks for deletion on 2 November, is refused on
# 20 November, and followup runs on 23 November into $work/f-TAG; sets ref.
complaint_for() {
	printf 'label,given,family,street,city,region,postal_code,country,email\n%s\n' "$2" >"$work/us-$1.csv"
	OPTOUT_TODAY=2026-11-02 "$OPTOUT" batch -c "$work/us-$1.csv" -b example-cra -r delete -o "$work/b-$1" \
		--ledger "$work/l-$1.db" >/dev/null
	"$OPTOUT" status --ledger "$work/l-$1.db" --json >"$work/st.json"
	ref=$(ref_of "${2%%,*}")
	OPTOUT_TODAY=2026-11-02 refuse "$work/l-$1.db" "$ref"
	OPTOUT_TODAY=2026-11-23 run followup -o "$work/f-$1" -c "$work/us-$1.csv" --ledger "$work/l-$1.db"
}

# New Jersey (a second pass, #13): the Office of Consumer Protection's address
# is confirmed from the Division's own page, its online form is not; a
# New Jersey refusal goes straight to the regulator (no appeal is written
# under N.J.S.A. 56:8-166.4 et seq.).
check_eq "NJ and the FTC: the confirmed addresses, with their sources" \
	"New Jersey Division of Consumer Affairs|Office of Consumer Protection|124 Halsey Street|Newark, NJ 07101|['complaint_url']|True|Federal Trade Commission|600 Pennsylvania Avenue, NW|Washington, DC 20580|['complaint_url']|True" \
	"$("$PYTHON" - "$TOP_SRCDIR/letters/laws.json" <<'PY'
import json, sys
regs = {r["id"]: r for r in json.load(open(sys.argv[1]))["regulators"]}
out = []
for rid, url in (("us-nj-ag", "https://njconsumeraffairs.gov/ocp/Pages/default.aspx"),
                 ("us-ftc", "https://lexbuild.dev/ecfr/title-16/chapter-I/part-0/section-0.2")):
    r = regs[rid]
    out += r["postal"] + [str(r["unconfirmed_fields"]), str(url in [s["url"] for s in r["sources"]])]
print("|".join(out))
PY
)"
complaint_for nj "nj-1,Lia,Ejemplo,12 Example Way,Trenton,NJ,08608,US,lia@example.org"
r_nj=$ref
check_eq "NJ: the request stands on New Jersey's law" "us-nj" "$(law_of "$r_nj")"
check_status "NJ: followup exits 0" 0
check_has "NJ: one complaint, no appeal" "$work/out" "Written: 0 follow-up letters, 0 appeals, 1 complaint"
check_lacks "NJ: no appeal written" "$work/out" "appeal-$r_nj.pdf"
check_has "NJ: the complaint is written" "$work/out" "wrote $work/f-nj/nj-1/complaint-$r_nj.pdf"
"$PDFTOTEXT" -enc UTF-8 "$work/f-nj/nj-1/complaint-$r_nj.pdf" "$work/nj.txt"
t=$(flat "$work/nj.txt")
check_has "NJ: to the Office of Consumer Protection's address" "$t" \
	"lia@example.org New Jersey Division of Consumer Affairs Office of Consumer Protection 124 Halsey Street Newark, NJ 07101 23 November 2026"
check_has "NJ: the broker's refusal quoted" "$t" "In its own words, the business said: \"The request could not be verified.\""
check_lacks "NJ: no online form claimed" "$t" "filed online"
check_lacks "NJ: no warning on a confirmed address" "$t" "could not be confirmed"
check_lacks "NJ: not sent to the site instead" "$t" "Take the current address"
check_lacks "NJ: not the FTC" "$t" "Federal Trade Commission"

# Texas: its online complaint page is confirmed (the office's own page, read
# in its Spanish version), its postal address is not, and Texas's appeal
# window is not confirmed, so a refusal goes straight to the complaint.
complaint_for tx "tx-2,Luz,Ejemplo,12 Example Way,Austin,TX,78701,US,luz@example.org"
r_tx=$ref
check_eq "TX: the request stands on Texas law" "us-tx" "$(law_of "$r_tx")"
check_status "TX: followup exits 0" 0
check_has "TX: no appeal, straight to the complaint" "$work/out" "Written: 0 follow-up letters, 0 appeals, 1 complaint"
check_has "TX: the complaint written" "$work/out" "wrote $work/f-tx/tx-2/complaint-$r_tx.pdf"
check_lacks "TX: no appeal written" "$work/out" "appeal-$r_tx.pdf"
"$PDFTOTEXT" -enc UTF-8 "$work/f-tx/tx-2/complaint-$r_tx.pdf" "$work/tx.txt"
t=$(flat "$work/tx.txt")
check_has "TX: addressed by name only" "$t" \
	"luz@example.org Office of the Attorney General of Texas, Consumer Protection Division 23 November 2026"
check_has "TX: its confirmed online complaint page" "$t" \
	"This complaint can also be filed online at https://oag.state.tx.us/es/consumer-protection/presente-una-queja-de-consumidor"
check_has "TX: file online, since the address is not confirmed" "$t" \
	"The postal address of Office of the Attorney General of Texas, Consumer Protection Division could not be confirmed when this letter was prepared, so file it online at the address above rather than by mail."
check_lacks "TX: no address guessed" "$t" "Austin, TX 78711"
check_lacks "TX: not sent to the site instead" "$t" "Take the current address"
check_eq "TX: the page on file is one of its sources, and only the address stays unconfirmed" \
	"True|['postal']" \
	"$("$PYTHON" - "$TOP_SRCDIR/letters/laws.json" <<'PY2'
import json, sys
r = [r for r in json.load(open(sys.argv[1]))["regulators"] if r["id"] == "us-tx-ag"][0]
print(r["complaint_url"] in [s.get("url") for s in r["sources"]], r["unconfirmed_fields"], sep="|")
PY2
)"


done_testing
