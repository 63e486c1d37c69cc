#!/bin/sh
# European complaints go to the one authority of the person's country (Germany:
# of the Land), with exactly the postal lines and online form letters/laws.json
# confirms for it: Norway and Belgium (both confirmed, no caution), the UK ICO
# (the form only: the address is said to be unconfirmed, never guessed), and
# Denmark (the address only: no form is printed). Where a field is not
# confirmed, the second level of evidence (datenanfragen.de's public record)
# prints with one sentence naming that record and its date: Mecklenburg-
# Vorpommern (address and form, in English and Spanish), Baden-Württemberg (its
# address beside its confirmed form) and Portugal (the address only). An
# authority with neither still sends the person to its own site. And a
# complaint prints for a resident of every European authority's territory.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fx="$TOP_SRCDIR/tests/fixtures"
export OPTOUT_DATADIR="$fx/data"
L="$work/l.db"

cat >"$work/eu.csv" <<'CSV'
label,given,family,street,city,region,postal_code,country,email
no-1,Hanne,Ejemplo,Eksempelveien 1,Bergen,,5003,NO,hanne@example.org
be-1,Ines,Ejemplo,Rue d'Exemple 2,Liège,,4000,BE,ines@example.org
bw-1,Jonas,Ejemplo,Beispielweg 3,Freiburg,Baden-Württemberg,79098,DE,jonas@example.org
gb-1,Kate,Ejemplo,4 Example Road,Leeds,,LS1 1AA,GB,kate@example.org
dk-1,Lars,Ejemplo,Eksempelvej 5,Aarhus,,8000,DK,lars@example.org
pt-1,Marta,Ejemplo,Rua do Exemplo 6,Porto,,4000-001,PT,marta@example.org
mv-1,Paul,Ejemplo,Beispielstraße 7,Rostock,Mecklenburg-Vorpommern,18055,DE,paul@example.org
CSV
clients="no-1 be-1 bw-1 gb-1 dk-1 pt-1 mv-1"

# Deletion requests sent by email on Monday 2 November, all refused on 20 November.
export OPTOUT_TODAY=2026-11-02
"$OPTOUT" batch -c "$work/eu.csv" -b example-cra -r delete -o "$work/b" --ledger "$L" >/dev/null
"$OPTOUT" status --ledger "$L" --json >"$work/st.json"
for c in $clients; do
	eval "r_$(echo $c | tr -d -- -)=$(ref_of $c)"
done
check_eq "each request stands on the GDPR, the UK's own for the UK resident" "gdpr gdpr gdpr uk-gdpr gdpr gdpr gdpr" \
	"$(law_of "$r_no1") $(law_of "$r_be1") $(law_of "$r_bw1") $(law_of "$r_gb1") $(law_of "$r_dk1") $(law_of "$r_pt1") $(law_of "$r_mv1")"
refuse "$L" $r_no1 $r_be1 $r_bw1 $r_gb1 $r_dk1 $r_pt1 $r_mv1

export OPTOUT_TODAY=2026-11-23
cp "$L" "$work/l-denied.db"
cp "$L" "$work/l-denied2.db"
run followup -o "$work/f" -c "$work/eu.csv" --ledger "$L"
check_status "followup for the European residents exits 0" 0
check_has "seven complaints" "$work/out" "Written: 0 follow-up letters, 0 appeals, 7 complaints"
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
check_lacks "NO: no caution on confirmed fields" "$t" "could not be checked against"
check_lacks "NO: no secondary source named" "$t" "datenanfragen"
check_lacks "NO: not the Danish authority" "$t" "Valby"

# Belgium: both confirmed on the authority's complaint page.
t=$(flat "$work/be-1.txt")
check_has "BE: to the authority's postal lines" "$t" \
	"ines@example.org Autorité de protection des données Rue de la Presse 35 1000 Bruxelles Belgium 23 November 2026"
check_has "BE: its complaint page" "$t" \
	"This complaint can also be filed online at https://www.autoriteprotectiondonnees.be/citoyen/agir/introduire-une-plainte"
check_lacks "BE: no warning on a confirmed address" "$t" "could not be confirmed"

# Baden-Württemberg (a German Land): its confirmed online form, as today.  Its address is not
# confirmed, and the public record's Postfach dates from 2018, so no address is printed.
t=$(flat "$work/bw-1.txt")
check_has "BW: to the Land's authority by name" "$t" \
	"jonas@example.org Landesbeauftragter für den Datenschutz und die Informationsfreiheit Baden-Württemberg 23 November 2026"
check_has "BW: its complaint page" "$t" \
	"This complaint can also be filed online at https://www.baden-wuerttemberg.datenschutz.de/beschwerde-/; this letter sets out the facts to enter there."
check_has "BW: told to file online, since the address is not confirmed" "$t" "rather than by mail"
check_lacks "BW: the record's 2018 address is not printed" "$t" "Postfach 10 29 32"
check_lacks "BW: no caution without a record" "$t" "datenanfragen"
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

# Portugal: neither confirmed; the public record gives an address (no form), printed with its caution.
t=$(flat "$work/pt-1.txt")
check_has "PT: to the CNPD at the record's address" "$t" \
	"marta@example.org Comissão Nacional de Proteção de Dados Av. D. Carlos I, 134 - 1.º 1200-651 Lisboa Portugal 23 November 2026"
check_has "PT: the caution names the record and its date" "$t" \
	"The address above comes from the public records of datenanfragen.de, as last updated there on 27 February 2023, and could not be checked against Comissão Nacional de Proteção de Dados's own pages, so check it on https://www.cnpd.pt/ before sending this letter."
check_lacks "PT: no form printed" "$t" "can also be filed online"
check_lacks "PT: the site is no longer the only lead" "$t" "Neither the postal address nor the complaint form"

# Mecklenburg-Vorpommern: neither confirmed; the record's address lines fill the window under the
# authority's name and its form is offered, followed by the one sentence naming record and date.
t=$(flat "$work/mv-1.txt")
check_has "MV: the record's exact address lines in the window" "$t" \
	"paul@example.org Landesbeauftragter für Datenschutz und Informationsfreiheit Mecklenburg-Vorpommern Schloss Schwerin Lennéstraße 1 19053 Schwerin Deutschland 23 November 2026"
tr -d ' \n' <"$work/mv-1.txt" >"$work/mv-1.squashed"
check_has "MV: the record's form in the online line (spaces and line breaks aside)" "$work/mv-1.squashed" \
	"Thiscomplaintcanalsobefiledonlineathttps://www.datenschutz-mv.de/kontakt/online-beschwerdeformular-mitteilung-ueber-einen-datenschutzverstoss/;thislettersetsoutthefactstoenterthere."
check_has "MV: the caution names the record, its date and the site to check" "$t" \
	"The address and the online form above come from the public records of datenanfragen.de, as last updated there on 27 February 2023, and could not be checked against Landesbeauftragter für Datenschutz und Informationsfreiheit Mecklenburg-Vorpommern's own pages, so check them on https://www.datenschutz-mv.de/ before sending or filing this complaint. Dear Sir or Madam,"
check_lacks "MV: no website-only sentence" "$t" "Neither the postal address nor the complaint form"

# The same in Spanish (a reading copy): the address in the window and the caution in Spanish.
OPTOUT_TODAY=2026-11-23 "$OPTOUT" followup --lang es -o "$work/fes" -c "$work/eu.csv" --ledger "$work/l-denied.db" >/dev/null
"$PDFTOTEXT" -enc UTF-8 "$work/fes/mv-1/translations/complaint-$r_mv1.es.pdf" "$work/mv-1.es.txt"
t=$(flat "$work/mv-1.es.txt")
check_has "MV es: the record's exact address lines in the window" "$t" \
	"paul@example.org Landesbeauftragter für Datenschutz und Informationsfreiheit Mecklenburg-Vorpommern Schloss Schwerin Lennéstraße 1 19053 Schwerin Deutschland 23 de noviembre de 2026"
check_has "MV es: the caution in Spanish, naming the record and its date" "$t" \
	"La dirección y el formulario en línea de arriba proceden de los registros públicos de datenanfragen.de, según su última actualización, del 27 de febrero de 2023, y no se pudieron comprobar en las páginas de Landesbeauftragter für Datenschutz und Informationsfreiheit Mecklenburg-Vorpommern; compruébelos en https://www.datenschutz-mv.de/ antes de enviar o presentar esta queja."
"$PDFTOTEXT" -enc UTF-8 "$work/fes/no-1/translations/complaint-$r_no1.es.pdf" "$work/no-1.es.txt"
check_lacks "NO es: no caution on confirmed fields" "$(flat "$work/no-1.es.txt")" "datenanfragen"

# Without its secondary record, the same authority sends the person to its own site, as before.
mkdir -p "$work/nosec/brokers"
cp -R "$TOP_SRCDIR/letters" "$work/nosec/letters"
for f in "$TOP_SRCDIR/tests/fixtures/data/brokers/"*; do ln -s "$f" "$work/nosec/brokers/"; done
"$PYTHON" - "$work/nosec/letters/laws.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["regulators"]:
    if r["id"] == "de-mv-lfdi":
        del r["secondary"]
json.dump(d, open(sys.argv[1], "w"), ensure_ascii=False, indent=2)
PY
OPTOUT_DATADIR="$work/nosec" OPTOUT_TODAY=2026-11-23 "$OPTOUT" followup -o "$work/fnosec" -c "$work/eu.csv" --ledger "$work/l-denied2.db" >/dev/null
"$PDFTOTEXT" -enc UTF-8 "$work/fnosec/mv-1/complaint-$r_mv1.pdf" "$work/mv-1.nosec.txt"
t=$(flat "$work/mv-1.nosec.txt")
check_has "MV without the record: to the authority by name only" "$t" \
	"paul@example.org Landesbeauftragter für Datenschutz und Informationsfreiheit Mecklenburg-Vorpommern 23 November 2026"
check_has "MV without the record: the website sentence" "$t" \
	"Neither the postal address nor the complaint form of Landesbeauftragter für Datenschutz und Informationsfreiheit Mecklenburg-Vorpommern could be confirmed when this letter was prepared. Take the current address or online form from its own site, https://www.datenschutz-mv.de/, and file this letter there."
check_lacks "MV without the record: no caution" "$t" "could not be checked against"

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
check_has "all $n_all complaints written" "$work/out" "Written: 0 follow-up letters, 0 appeals, $n_all complaints"
r_bb=$("$PYTHON" -c 'import json,sys; print([r["reference"] for r in json.load(open(sys.argv[1])) if r["client"]=="de-bb-lda"][0])' "$work/st2.json")
"$PDFTOTEXT" -enc UTF-8 "$work/f2/de-bb-lda/complaint-$r_bb.pdf" "$work/bb.txt"
check_has "BB: the longest Land name, whole, over two lines, above the record's address" "$(flat "$work/bb.txt")" \
	"nora@example.org Landesbeauftragte für den Datenschutz und für das Recht auf Akteneinsicht Brandenburg Stahnsdorfer Damm 77 14532 Kleinmachnow Deutschland 23 November 2026"

# Each of them carries the caution exactly when its entry has a secondary address or form.
"$PYTHON" - "$TOP_SRCDIR/letters/laws.json" "$work/st2.json" "$work/f2" "$PDFTOTEXT" >"$work/cautions" <<'PY'
import json, subprocess, sys
sec = {r["id"]: "secondary" in r for r in json.load(open(sys.argv[1]))["regulators"]}
bad = []
for q in json.load(open(sys.argv[2])):
    text = subprocess.run([sys.argv[4], "-enc", "UTF-8", "%s/%s/complaint-%s.pdf" % (sys.argv[3], q["client"], q["reference"]), "-"],
                          capture_output=True, text=True, check=True).stdout
    text = " ".join(text.split())
    if ("could not be checked against" in text) != sec[q["client"]]:
        bad.append(q["client"])
print("ok" if not bad else "wrong: " + " ".join(bad))
PY
check_eq "a caution in each complaint whose authority has a secondary field, and in no other" "ok" "$(cat "$work/cautions")"

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

# The second level of evidence: only for fields not confirmed (never repeating a confirmed one),
# from a datenanfragen.de record at a fixed commit, dated 2022 or later, its address ending with
# the country; the ICO's record (still Wilmslow) is not used for its address.
check_eq "secondary: only unconfirmed fields, from a dated record, country last" "ok" \
	"$("$PYTHON" - "$TOP_SRCDIR/letters/laws.json" <<'PY'
import json, re, sys
countries = {"BG": "Bulgaria", "HR": "Croatia", "CY": "Cyprus", "CZ": "Czech Republic", "EE": "Estonia",
             "FR": "France", "GR": "Greece", "HU": "Hungary", "IT": "Italy", "LV": "Latvia",
             "LT": "Lithuania", "PL": "Poland", "PT": "Portugal", "SK": "Slovakia", "SI": "Slovenia",
             "ES": "Spain", "IS": "Iceland", "LI": "Liechtenstein", "DE": "Deutschland"}
bad = []
n = 0
for r in json.load(open(sys.argv[1]))["regulators"]:
    sec = r.get("secondary")
    if sec is None:
        continue
    n += 1
    unc = r.get("unconfirmed_fields", [])
    for f in ("postal", "complaint_url"):
        if f in sec and (f in r or f not in unc):
            bad.append(r["id"] + ": secondary " + f + " repeats a confirmed field")
    src = sec["source"]
    slug = re.fullmatch(r"datenanfragen\.de's record ([a-z]+) \(which cites .+\); as_of is the last change to the record other than its phone and fax numbers", src["ref"])
    if not slug or not re.fullmatch(r"https://github\.com/datenanfragen/data/blob/[0-9a-f]{40}/supervisory-authorities/%s\.json" % slug.group(1), src["url"]):
        bad.append(r["id"] + ": source ref/url")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", src["as_of"]) or src["as_of"] < "2022-01-01":
        bad.append(r["id"] + ": as_of " + src["as_of"])
    if "postal" in sec and sec["postal"][-1] != countries.get(r["countries"][0]):
        bad.append(r["id"] + ": country line " + sec["postal"][-1])
    if "datenanfragen.de" not in r["notes"]:
        bad.append(r["id"] + ": notes do not name the record")
    if r["id"] == "gb-ico" and "postal" in sec:
        bad.append("gb-ico: the Wilmslow address")
print("ok" if not bad and n >= 38 else "%d entries; %s" % (n, "; ".join(bad)))
PY
)"

# The schema says the same: a copy of laws.json where a secondary field repeats a confirmed one,
# or comes from a record older than 2022, is refused by python3-jsonschema.
"$PYTHON" - "$TOP_SRCDIR/letters/laws.schema.json" "$TOP_SRCDIR/letters/laws.json" >"$work/schema-secondary" <<'PY'
import copy, json, sys
from jsonschema import Draft202012Validator, FormatChecker
v = Draft202012Validator(json.load(open(sys.argv[1])), format_checker=FormatChecker())
doc = json.load(open(sys.argv[2]))
def errs(d):
    out = set()
    for e in v.iter_errors(d):
        p = list(e.absolute_path)
        if p[:1] == ["regulators"] and len(p) > 1:
            p[1] = d["regulators"][p[1]]["id"]
        out.add("/".join(str(x) for x in p))
    return sorted(out)
print("as is:", errs(doc))
for what in ("postal", "complaint_url", "as_of"):
    d = copy.deepcopy(doc)
    i = [r["id"] for r in d["regulators"]].index("de-mv-lfdi")
    r = d["regulators"][i]
    if what == "postal":
        r["postal"] = ["Landesbeauftragter", "Deutschland"]
    elif what == "complaint_url":
        r["complaint_url"] = "https://www.datenschutz-mv.de/"
    else:
        r["secondary"]["source"]["as_of"] = "2021-10-29"
    print(what + ":", errs(d))
PY
check_eq "the schema refuses a secondary field that repeats a confirmed one, or an old record" \
	"as is: []
postal: ['regulators/de-mv-lfdi/secondary']
complaint_url: ['regulators/de-mv-lfdi/secondary']
as_of: ['regulators/de-mv-lfdi/secondary/source/as_of']" "$(cat "$work/schema-secondary")"

done_testing
