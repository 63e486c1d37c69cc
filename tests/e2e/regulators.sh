#!/bin/sh
# Each family's complaint names exactly one regulator, the one of the person's
# residence and law, with its confirmed address and form, or those of a public
# record marked as such (the CNIL), or, where it has neither, its own site to
# take them from; from the person's full address,
# to the broker's address, quoting the broker's refusal, with the day the
# clock ran from.  And appeals: Connecticut's (s42-518(d), 60 days) comes
# before the complaint; Colorado's, whose window is unconfirmed, does not.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fx="$TOP_SRCDIR/tests/fixtures"
export OPTOUT_DATADIR="$fx/data"
L="$work/l.db"

cat >"$work/us.csv" <<'CSV'
label,given,family,street,city,region,postal_code,country,email
ca-1,Ana,Ejemplo,1 Example Way,Fresno,CA,93701,US,ana@example.org
co-1,Bea,Ejemplo,2 Example Way,Denver,CO,80202,US,bea@example.org
tx-1,Cruz,Ejemplo,3 Example Way,El Paso,TX,79901,US,cruz@example.org
ct-1,Dora,Ejemplo,4 Example Way,Hartford,CT,06103,US,dora@example.org
CSV
cat >"$work/eu.csv" <<'CSV'
label,given,family,street,city,region,postal_code,country,email
by-1,Emil,Ejemplo,Beispielweg 5,München,Bayern,80331,DE,emil@example.org
fr-1,Fanny,Ejemplo,6 rue d'Exemple,Lyon,,69001,FR,fanny@example.org
hh-1,Greta,Ejemplo,Beispielstraße 7,Hamburg,Hamburg,20095,DE,greta@example.org
CSV

# Deletion requests sent by email on Monday 2 November, all refused on 20 November.
export OPTOUT_TODAY=2026-11-02
"$OPTOUT" batch -c "$work/us.csv" -b example-cra -r delete -o "$work/b1" --ledger "$L" >/dev/null
"$OPTOUT" batch -c "$work/eu.csv" -b example-cra -r delete -o "$work/b2" --ledger "$L" >/dev/null
"$OPTOUT" status --ledger "$L" --json >"$work/st.json"
for c in ca-1 co-1 tx-1 ct-1 by-1 fr-1 hh-1; do
	eval "r_$(echo $c | tr -d -- -)=$(ref_of $c)"
done
check_eq "each request stands on the law of its residence" "us-ca us-co us-tx us-ct gdpr gdpr gdpr" \
	"$(law_of "$r_ca1") $(law_of "$r_co1") $(law_of "$r_tx1") $(law_of "$r_ct1") $(law_of "$r_by1") $(law_of "$r_fr1") $(law_of "$r_hh1")"
refuse "$L" $r_ca1 $r_co1 $r_tx1 $r_ct1 $r_by1 $r_fr1 $r_hh1

export OPTOUT_TODAY=2026-11-23
run followup -o "$work/f" -c "$work/us.csv" --ledger "$L"
check_status "followup for the US residents exits 0" 0
check_has "three complaints and Connecticut's appeal" "$work/out" "Written: 0 follow-up letters, 1 appeal, 3 complaints"
check_has "Connecticut's refusal gets the appeal first" "$work/out" "wrote $work/f/ct-1/appeal-$r_ct1.pdf"
check_has "Colorado's, whose appeal window is unconfirmed, goes to the complaint" "$work/out" \
	"wrote $work/f/co-1/complaint-$r_co1.pdf"
run followup -o "$work/f" -c "$work/eu.csv" --ledger "$L"
check_has "three complaints for the EU residents" "$work/out" "Written: 0 follow-up letters, 0 appeals, 3 complaints"

# What every complaint has: the sender's full address, the broker's, the refusal in its words,
# the day the clock ran from, and no doubled words.
for c in ca-1 co-1 tx-1 by-1 fr-1 hh-1; do
	r=$(eval echo "\$r_$(echo $c | tr -d -- -)")
	"$PDFTOTEXT" -enc UTF-8 "$work/f/$c/complaint-$r.pdf" "$work/$c.txt"
	t=$(flat "$work/$c.txt")
	check_has "$c: to the broker at its address" "$t" "The business Example Consumer Data Bureau privacy@bureau.example.org"
	check_lacks "$c: the broker named once there" "$t" "Example Consumer Data Bureau Example Consumer Data Bureau"
	check_has "$c: quoting the refusal" "$t" "In its own words, the business said: \"The request could not be verified.\""
	check_has "$c: with the day the clock ran from" "$t" "which reached it on the day it was sent, 2 November 2026"
	check_lacks "$c: never 'the The'" "$t" "the The "
	check_has "$c: the reference" "$t" "$r"
done
check_has "CA: from the person's full address" "$(flat "$work/ca-1.txt")" "Ana Ejemplo 1 Example Way Fresno, CA 93701 ana@example.org"
check_has "BY: from the person's full address" "$(flat "$work/by-1.txt")" "Emil Ejemplo Beispielweg 5 80331 München"

# Each regulator's block.
t=$(flat "$work/ca-1.txt")
check_has "CA: to the CPPA" "$t" "ana@example.org California Privacy Protection Agency 23 November 2026"
check_has "CA: its online form" "$t" "This complaint can also be filed online at https://cppa.ca.gov/webapplications/complaint"
check_has "CA: its address unconfirmed, said so" "$t" "The postal address of California Privacy Protection Agency could not be confirmed"
check_lacks "CA: no other authority" "$t" "Attorney General"
t=$(flat "$work/co-1.txt")
check_has "CO: to the Colorado Attorney General" "$t" "bea@example.org Colorado Attorney General 23 November 2026"
check_has "CO: its online form" "$t" "https://coag.gov/file-complaint/"
check_lacks "CO: no appeal claimed on an unconfirmed window" "$t" "I appealed"
t=$(flat "$work/tx-1.txt")
check_has "TX: to the Texas Attorney General" "$t" \
	"cruz@example.org Office of the Attorney General of Texas, Consumer Protection Division 23 November 2026"
check_has "TX: its confirmed online complaint page" "$t" \
	"This complaint can also be filed online at https://oag.state.tx.us/es/consumer-protection/presente-una-queja-de-consumidor"
check_has "TX: its address unconfirmed, said so" "$t" \
	"The postal address of Office of the Attorney General of Texas, Consumer Protection Division could not be confirmed when this letter was prepared, so file it online at the address above rather than by mail."
check_lacks "TX: no address guessed" "$t" "PO Box"
t=$(flat "$work/by-1.txt")
check_has "BY: to the Bavarian authority's confirmed address" "$t" \
	"Bayerisches Landesamt für Datenschutzaufsicht Promenade 27 91522 Ansbach Germany 23 November 2026"
check_lacks "BY: no warning on a confirmed address" "$t" "could not be confirmed"
check_lacks "BY: not the Berlin authority nor the federal one" "$t" "Beauftragte"
t=$(flat "$work/fr-1.txt")
check_has "FR: to the CNIL at the address of datenanfragen.de's record" "$t" \
	"fanny@example.org Commission nationale de l'informatique et des libertés (CNIL) 3 Place de Fontenoy TSA 80715 75334 PARIS CEDEX 07 France 23 November 2026"
check_has "FR: the record's form, then the caution naming the record and its date" "$t" \
	"This complaint can also be filed online at https://www.cnil.fr/fr/plaintes; this letter sets out the facts to enter there. The address and the online form above come from the public records of datenanfragen.de, as last updated there on 27 February 2023, and could not be checked against Commission nationale de l'informatique et des libertés (CNIL)'s own pages, so check them on https://www.cnil.fr/ before sending or filing this complaint."
check_lacks "FR: no German authority" "$t" "Datenschutz"
t=$(flat "$work/hh-1.txt")
check_has "HH: to the Hamburg authority's address, confirmed on its own site" "$t" \
	"Der Hamburgische Beauftragte für Datenschutz und Informationsfreiheit Ludwig-Erhard-Straße 22, 7. OG 20459 Hamburg Germany 23 November 2026"
check_lacks "HH: no warning on a confirmed address" "$t" "could not be confirmed"
check_lacks "HH: not the Bavarian authority" "$t" "Ansbach"

# Connecticut: the appeal under s42-518(d), its 60 days, then the complaint after them.
"$PDFTOTEXT" -enc UTF-8 "$work/f/ct-1/appeal-$r_ct1.pdf" "$work/ct-a.txt"
t=$(flat "$work/ct-a.txt")
check_has "CT: the appeal cites its section" "$t" "I appeal that decision under Conn. Gen. Stat. §42-518(d)."
check_has "CT: with the law's 60 days" "$t" "within 60 days of receiving this appeal"
check_has "CT: and the day the answer is due (an email: 60 days from 23 November)" "$t" "by 22 January 2027 at the latest"
check_has "CT: the regulator it will go to" "$t" "I will file a complaint with the regulator, Connecticut Attorney General"
"$OPTOUT" status --ledger "$L" --json >"$work/st.json"
check_eq "CT: status holds the appeal clock" "2027-01-22 60" \
	"$("$PYTHON" -c 'import json,sys; r=[r for r in json.load(open(sys.argv[1])) if r["reference"]==sys.argv[2]][0]; print(r["appeal_due"], r["appeal_days_left"])' "$work/st.json" "$r_ct1")"
run status --ledger "$L"
check_has "CT: and shows it" "$work/out" "appeal: 60 days"
OPTOUT_TODAY=2027-01-22 run followup -o "$work/f" -c "$work/us.csv" --ledger "$L"
check_has "CT: on the last day of the appeal's window, no complaint" "$work/out" "1 appealed, waiting for the business's answer"
OPTOUT_TODAY=2027-01-23 run followup -o "$work/f" -c "$work/us.csv" --ledger "$L"
check_has "CT: the day after, the complaint" "$work/out" "wrote $work/f/ct-1/complaint-$r_ct1.pdf"
"$PDFTOTEXT" -enc UTF-8 "$work/f/ct-1/complaint-$r_ct1.pdf" "$work/ct-c.txt"
t=$(flat "$work/ct-c.txt")
check_has "CT: to the Connecticut Attorney General's form" "$t" \
	"https://portal.ct.gov/ag/sections/consumer-advocacy/consumer-advocacy"
check_has "CT: saying the appeal went unanswered" "$t" "its answer to the appeal was due by 22 January 2027"
check_has "CT: with the appeal in the timeline" "$t" "23 November 2026 An appeal of the refusal was sent to the business."

done_testing
