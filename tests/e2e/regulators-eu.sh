#!/bin/sh
# European complaints go to the one authority of the person's country (Germany:
# of the Land), with exactly the postal lines and online form letters/laws.json
# confirms for it: Norway and Belgium (both confirmed), Baden-Württemberg and
# the UK ICO (the form only: the address is said to be unconfirmed, never
# guessed), Denmark (the address only: no form is printed), and Portugal
# (neither: the letter sends the person to the authority's own site). And a
# complaint prints for a resident of every European authority's territory.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fx="$TOP_SRCDIR/tests/fixtures"
export OPTOUT_DATADIR="$fx/data"
L="$work/l.db"
flat() { tr '\n' ' ' <"$1" | tr -s ' ' >"$1.flat"; echo "$1.flat"; }
ref_of() { "$PYTHON" -c 'import json,sys; j=json.load(open(sys.argv[1])); print([r["reference"] for r in j if r["client"]==sys.argv[2]][0])' "$work/st.json" "$1"; }
law_of() { "$PYTHON" -c 'import json,sys; print([r["law"] for r in json.load(open(sys.argv[1])) if r["reference"]==sys.argv[2]][0])' "$work/st.json" "$1"; }

cat >"$work/eu.csv" <<'CSV'
label,given,family,street,city,region,postal_code,country,email
no-1,Hanne,Ejemplo,Eksempelveien 1,Bergen,,5003,NO,hanne@example.org
be-1,Ines,Ejemplo,Rue d'Exemple 2,Liège,,4000,BE,ines@example.org
bw-1,Jonas,Ejemplo,Beispielweg 3,Freiburg,Baden-Württemberg,79098,DE,jonas@example.org
gb-1,Kate,Ejemplo,4 Example Road,Leeds,,LS1 1AA,GB,kate@example.org
dk-1,Lars,Ejemplo,Eksempelvej 5,Aarhus,,8000,DK,lars@example.org
pt-1,Marta,Ejemplo,Rua do Exemplo 6,Porto,,4000-001,PT,marta@example.org
CSV
clients="no-1 be-1 bw-1 gb-1 dk-1 pt-1"

# Deletion requests sent by email on Monday 2 November, all refused on 20 November.
export OPTOUT_TODAY=2026-11-02
"$OPTOUT" batch -c "$work/eu.csv" -b example-cra -r delete -o "$work/b" --ledger "$L" >/dev/null
"$OPTOUT" status --ledger "$L" --json >"$work/st.json"
for c in $clients; do
	eval "r_$(echo $c | tr -d -- -)=$(ref_of $c)"
done
check_eq "each request stands on the GDPR, the UK's own for the UK resident" "gdpr gdpr gdpr uk-gdpr gdpr gdpr" \
	"$(law_of "$r_no1") $(law_of "$r_be1") $(law_of "$r_bw1") $(law_of "$r_gb1") $(law_of "$r_dk1") $(law_of "$r_pt1")"
for c in $clients; do
	r=$(eval echo "\$r_$(echo $c | tr -d -- -)")
	"$OPTOUT" mark "$r" sent --ledger "$L" >/dev/null
	OPTOUT_TODAY=2026-11-20 "$OPTOUT" mark "$r" denied --reason "The request could not be verified." --ledger "$L" >/dev/null
done

export OPTOUT_TODAY=2026-11-23
run followup -o "$work/f" -c "$work/eu.csv" --ledger "$L"
check_status "followup for the European residents exits 0" 0
check_has "six complaints" "$work/out" "0 follow-up letters, 0 appeals and 6 complaints written"
for c in $clients; do
	r=$(eval echo "\$r_$(echo $c | tr -d -- -)")
	"$PDFTOTEXT" -enc UTF-8 "$work/f/$c/complaint-$r.pdf" "$work/$c.txt"
	t=$(flat "$work/$c.txt")
	check_has "$c: quoting the refusal" "$t" "In its own words, the business said: \"The request could not be verified.\""
	check_has "$c: the reference" "$t" "$r"
done

# Norway (an EEA state): the address and the form, both confirmed on Datatilsynet's own page.
t=$(flat "$work/no-1.txt")
check_has "NO: to Datatilsynet's postal lines, country last" "$t" \
	"hanne@example.org Datatilsynet PO Box 458 Sentrum 0105 Oslo Norway 23 November 2026"
check_has "NO: its online form" "$t" \
	"This complaint can also be filed online at https://www.datatilsynet.no/en/about-us/contact-us/how-to-complain-to-the-norwegian-dpa/"
check_lacks "NO: no warning on a confirmed address" "$t" "could not be confirmed"
check_lacks "NO: not the Danish authority" "$t" "Valby"

# Belgium: both confirmed on the authority's complaint page.
t=$(flat "$work/be-1.txt")
check_has "BE: to the authority's postal lines" "$t" \
	"ines@example.org Autorité de protection des données Rue de la Presse 35 1000 Bruxelles Belgium 23 November 2026"
check_has "BE: its complaint page" "$t" \
	"This complaint can also be filed online at https://www.autoriteprotectiondonnees.be/citoyen/agir/introduire-une-plainte"
check_lacks "BE: no warning on a confirmed address" "$t" "could not be confirmed"

# Baden-Württemberg (a German Land): its online form; its address is not confirmed, and none is guessed.
t=$(flat "$work/bw-1.txt")
check_has "BW: to the Land's authority" "$t" \
	"jonas@example.org Landesbeauftragter für den Datenschutz und die Informationsfreiheit Baden-Württemberg 23 November 2026"
check_has "BW: its complaint page" "$t" \
	"This complaint can also be filed online at https://www.baden-wuerttemberg.datenschutz.de/beschwerde-/"
check_has "BW: its address unconfirmed, said so" "$t" \
	"The postal address of Landesbeauftragter für den Datenschutz und die Informationsfreiheit Baden-Württemberg could not be confirmed when this letter was prepared, so file it online at the address above rather than by mail."
check_lacks "BW: no Stuttgart address guessed" "$t" "70025"
check_lacks "BW: not the Bavarian authority" "$t" "Ansbach"

# The UK ICO: the online form; its head office moved in 2026 and no address is printed.
t=$(flat "$work/gb-1.txt")
check_has "GB: to the ICO" "$t" "kate@example.org Information Commissioner's Office 23 November 2026"
check_has "GB: its online form" "$t" \
	"This complaint can also be filed online at https://ico.org.uk/make-a-complaint/data-protection-complaints/data-protection-complaints/"
check_has "GB: its address unconfirmed, said so" "$t" \
	"The postal address of Information Commissioner's Office could not be confirmed when this letter was prepared"
check_lacks "GB: no old Wilmslow address" "$t" "Wilmslow"

# Denmark: the address only; no form is named and no warning printed.
t=$(flat "$work/dk-1.txt")
check_has "DK: to Datatilsynet's postal lines" "$t" \
	"lars@example.org Datatilsynet Carl Jacobsens Vej 35 2500 Valby Denmark 23 November 2026"
check_lacks "DK: no form named" "$t" "can also be filed online"
check_lacks "DK: no warning on a confirmed address" "$t" "could not be confirmed"

# Portugal: neither confirmed; only the authority's own site, as the place to take them from.
t=$(flat "$work/pt-1.txt")
check_has "PT: to the CNPD by name" "$t" "marta@example.org Comissão Nacional de Proteção de Dados 23 November 2026"
check_has "PT: its own site only" "$t" \
	"Neither the postal address nor the complaint form of Comissão Nacional de Proteção de Dados could be confirmed when this letter was prepared. Take the current address or online form from its own site, https://www.cnpd.pt/, and file this letter there."
check_lacks "PT: no form printed" "$t" "can also be filed online"

# A resident of every European authority's territory gets a complaint that can be printed: no
# authority's name, however long (a German Land's commissioner), breaks the address window.
"$PYTHON" - "$TOP_SRCDIR/letters/laws.json" >"$work/all.csv" <<'PY'
import json, sys
print("label,given,family,street,city,region,postal_code,country,email")
for r in json.load(open(sys.argv[1]))["regulators"]:
    if r["id"].startswith("us-") or "sectors" in r:
        continue
    region = r["regions"][-1] if "regions" in r else ""
    print("%s,Nora,Ejemplo,Exempelgatan 1,Exempelstad,%s,12345,%s,nora@example.org" % (r["id"], region, r["countries"][0]))
PY
n_all=$(($(wc -l <"$work/all.csv") - 1))
L2="$work/l2.db"
OPTOUT_TODAY=2026-11-02 "$OPTOUT" batch -c "$work/all.csv" -b example-cra -r delete -o "$work/b2" --ledger "$L2" >/dev/null
"$OPTOUT" status --ledger "$L2" --json >"$work/st2.json"
for r in $("$PYTHON" -c 'import json,sys; print(" ".join(r["reference"] for r in json.load(open(sys.argv[1]))))' "$work/st2.json"); do
	OPTOUT_TODAY=2026-11-02 "$OPTOUT" mark "$r" sent --ledger "$L2" >/dev/null
	OPTOUT_TODAY=2026-11-20 "$OPTOUT" mark "$r" denied --ledger "$L2" >/dev/null
done
run followup -o "$work/f2" -c "$work/all.csv" --ledger "$L2"
check_status "a complaint for a resident of each of the $n_all European authorities exits 0" 0
check_has "all $n_all complaints written" "$work/out" "0 follow-up letters, 0 appeals and $n_all complaints written"
r_bb=$("$PYTHON" -c 'import json,sys; print([r["reference"] for r in json.load(open(sys.argv[1])) if r["client"]=="de-bb-lda"][0])' "$work/st2.json")
"$PDFTOTEXT" -enc UTF-8 "$work/f2/de-bb-lda/complaint-$r_bb.pdf" "$work/bb.txt"
check_has "BB: the longest Land name, whole, over two lines" "$(flat "$work/bb.txt")" \
	"nora@example.org Landesbeauftragte für den Datenschutz und für das Recht auf Akteneinsicht Brandenburg 23 November 2026"

# The data behind the letters: every European entry is either confirmed with a source of the
# authority's own or marks what is not, and a confirmed address ends with the country.
check_eq "European entries: confirmed fields present, unconfirmed ones named, countries last" "ok" \
	"$("$PYTHON" - "$TOP_SRCDIR/letters/laws.json" <<'PY'
import json, sys
names = {"AT": "Austria", "BE": "Belgium", "DK": "Denmark", "FI": "Finland", "LU": "Luxembourg",
         "MT": "Malta", "NO": "Norway", "SE": "Sweden", "IE": "Ireland", "NL": "Nederland",
         "DE": "Germany"}
bad = []
for r in json.load(open(sys.argv[1]))["regulators"]:
    if r["id"].startswith("us-"):
        continue
    unc = r.get("unconfirmed_fields", [])
    if bool(unc) != bool(r.get("unconfirmed")):
        bad.append(r["id"] + ": unconfirmed flag")
    for f in ("postal", "complaint_url"):
        if (f in r) == (f in unc):
            bad.append(r["id"] + ": " + f)
    if "postal" in r and r["postal"][-1] != names.get(r["countries"][0]):
        bad.append(r["id"] + ": country line " + r["postal"][-1])
    if any(s.get("as_of") != "2026-12-06" or not s.get("url") for s in r["sources"]):
        bad.append(r["id"] + ": source without url or date")
print("ok" if not bad else "; ".join(bad))
PY
)"

done_testing
