#!/bin/sh
# optout brokers import: the two shipped state registries (counts, records
# checked field by field), a file with shuffled and renamed headers, broken
# rows, a company in both registries, and a curated record the import must
# leave as it is; then the shipped brokers/imported/ and the letters to an
# imported broker.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

regs="$TOP_SRCDIR/tests/fixtures/registries"
ca="$regs/california-oag-2022-06-28.csv"
vt="$regs/vermont-sos-2021.csv"
ex="$TOP_SRCDIR/letters/examples/profile.json"
checker="$TOP_SRCDIR/tests/tools/jsonschema-check.py"
export OPTOUT_TODAY=2026-11-22
# j FILE EXPR: evaluate a Python expression over the JSON value j of FILE.
j() { "$PYTHON" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# A data directory with one curated record (Acxiom, which both registries list).
mkdir -p "$work/data/brokers"
ln -s "$TOP_SRCDIR/letters" "$work/data/letters"
cp "$TOP_SRCDIR/brokers/schema.json" "$TOP_SRCDIR/brokers/acxiom.json" "$work/data/brokers/"
before=$(sha256sum <"$work/data/brokers/acxiom.json")
export OPTOUT_DATADIR="$work/data"

# Both shipped files.
run brokers import "$ca" "$vt"
check_status "importing both registries exits 0" 0
cp "$work/err" "$work/problems"
out="$work/data/brokers/imported"
check_has "it counts the rows it read" "$work/out" "Rows read: 762; unusable rows: 0"
n=$(ls "$out" | grep -vc "^acxiom.json$")
check_has "it says how many records it wrote" "$work/out" "Broker records written to $out: $n."
if [ "$n" -ge 500 ]; then ok "at least 500 files ($n)"; else not_ok "at least 500 files" "$n"; fi
check_has "it counts the registrants joined to the curated record" "$work/out" "Registrants joined to their curated record, which wins field by field: 1."
check_eq "the curated record is unchanged, byte for byte" "$before" "$(sha256sum <"$work/data/brokers/acxiom.json")"
check_eq "the registrations are written as its twin, under the curated id" "acxiom.json" "$(ls "$out" | grep -i acxiom)"
check_eq "the twin holds both registries' filings" "california vermont" \
	"$(j "$out/acxiom.json" '" ".join(r["registry"] for r in j["registrations"])')"
run brokers show acxiom --json
check_eq "the loaded record is the curated one, field by field" \
	"$(j "$work/data/brokers/acxiom.json" 'j')" "$(j "$work/out" 'j')"
run brokers show acxiom
check_lacks "the curated record is shown as curated" "$work/out" "only what the broker declared"
check_has "and gains the registrations it lacked" "$work/out" "Registered in vermont, number 352752, on 2019-01-30"
run brokers list
check_eq "one broker for the curated record and its twin" "1" "$(grep -c '^acxiom ' "$work/out")"
run brokers validate "$out"/*.json
check_status "every imported record is valid for optout" 0
if "$PYTHON" "$checker" "$TOP_SRCDIR/brokers/schema.json" "$out"/*.json >"$work/py" 2>&1; then
	ok "every imported record is valid for python3-jsonschema"
else
	not_ok "every imported record is valid for python3-jsonschema" "$(head -c 2000 "$work/py")"
fi
check_eq "every record has a written channel (email, postal or web)" "0" "$("$PYTHON" -c '
import json,sys
print(sum(1 for f in sys.argv[1:] if not any(p["channel"] in ("email","postal","web") for p in json.load(open(f))["procedures"])))' "$out"/*.json)"
check_eq "the problems name file, row, line and column, and go on" \
	'optout: california-oag-2022-06-28.csv: row 12 (line 13): column "physical address": not a US postal address with street, city, state and ZIP code; the row goes on without it' \
	"$(grep 'row 12 (line 13)' "$work/problems")"

# A California record, field by field: "x [at] y", an address on one line, a
# number found in free text, the source and its date.
a="$out/allantgroup.json"
check_eq "California: name" "Allant Group, LLC" "$(j "$a" 'j["name"]')"
check_eq "California: quality" "imported" "$(j "$a" 'j["quality"]')"
check_eq "California: website, as https" "https://www.allantgroup.com/" "$(j "$a" 'j["website"]')"
check_eq "California: the email written with [at]" "privacy@allantgroup.com" \
	"$(j "$a" '[p["email"] for p in j["procedures"] if p["channel"]=="email"][0]')"
check_eq "California: the address parsed into lines" \
	"{'recipient': 'Allant Group, LLC', 'street': ['2655 Warrenville Rd', 'Suite 200'], 'city': 'Downers Grover', 'region': 'IL', 'postal_code': '60515', 'country': 'US'}" \
	"$(j "$a" '[p["postal"] for p in j["procedures"] if p["channel"]=="postal"][0]')"
check_eq "California: the registration and its source" \
	"california 2020-01-29 2022-06-28 https://oag.ca.gov/data-brokers" \
	"$(j "$a" '" ".join([j["registrations"][0]["registry"], j["registrations"][0]["date"], j["registrations"][0]["source"]["as_of"], j["registrations"][0]["source"]["url"]])')"
check_eq "California: the phone number found in the free text" "['800-367-7311']" \
	"$(j "$a" 'j["registrations"][0]["phones"]')"
check_eq "California: requests under CCPA by email and post; opt-out also on the page its answer names" \
	"ccpa-access-email ccpa-delete-email ccpa-optout-email ccpa-access-postal ccpa-delete-postal ccpa-optout-postal ccpa-optout-web" \
	"$(j "$a" '" ".join(p["id"] for p in j["procedures"])')"
check_lacks "the broker's free-text sentences are not copied" "$a" "does not collect consumer data"

# A Vermont record: a registration number, M/D/YYYY dates, "No" to agents.
v="$out/localblox.json"
check_eq "Vermont: registration number and date" "vermont 360455 2019-07-23 2021" \
	"$(j "$v" '" ".join([j["registrations"][0]["registry"], j["registrations"][0]["id"], j["registrations"][0]["date"], j["registrations"][0]["source"]["as_of"]])')"
check_eq "Vermont: agents not accepted, as declared" "False" "$(j "$v" 'j["registrations"][0]["agent_allowed"]')"
check_eq "Vermont: the procedures carry the declaration" "False" "$(j "$v" 'j["procedures"][0]["agent_allowed"]')"
check_eq "Vermont: the address with the state and ZIP as their own parts" "Bellevue WA 98006" \
	"$(j "$v" '" ".join((lambda a: [a["city"], a["region"], a["postal_code"]])([p["postal"] for p in j["procedures"] if p["channel"]=="postal"][0]))')"
check_eq "Vermont: the opt-out page found in the answer, as a web procedure" "True" \
	"$(j "$v" '[p["url"] for p in j["procedures"] if p["channel"]=="web"][0].startswith("https://consumer.localblox.com/")')"
check_eq "Vermont only: requests under the state law family" "['us-state']" "$(j "$v" 'j["procedures"][0]["laws"]')"
check_eq "Vermont, 2021: the contact is stale" "stale" "$(j "$v" 'j["procedures"][0]["status"]')"

# The same company in both registries: one record with both registrations.
d="$out/180bytwo.json"
check_eq "one record for a company in both registries" "california vermont" \
	"$(j "$d" '" ".join(r["registry"] for r in j["registrations"])')"
check_eq "each registration keeps its own source" "california-oag-2022-06-28.csv vermont-sos-2021.csv" \
	"$(j "$d" '" ".join(r["source"]["ref"].split("file ")[1].split(",")[0] for r in j["registrations"])')"

# An operator family: three storefronts that filed one email domain.
check_eq "operator family linked on every member" "alescodata responsesoulutionsllc statlistics" \
	"$(j "$out/statlistics.json" '" ".join(j["family"]["members"])')"
check_eq "the family is the same seen from another member" \
	"$(j "$out/statlistics.json" 'j["family"]')" "$(j "$out/alescodata.json" 'j["family"]')"

# Running it again gives the same records.
cp -r "$out" "$work/first"
run brokers import "$ca" "$vt"
check_eq "a second import writes the same files" "" "$(diff -r "$work/first" "$out" || true)"

# Shuffled and renamed headers, a BOM and CRLF line ends.
printf '\357\273\277"Date registered","Mailing Address","Web Site","Business Name","Contact E-mail"\r\n' >"$work/texas-2025-01-15.csv"
printf '"2024-03-01","100 Main St, Suite 5, Austin, TX 78701, USA","acme-data.example","Acme Data, Inc.","privacy (at) acme-data.example"\r\n' >>"$work/texas-2025-01-15.csv"
run brokers import "$work/texas-2025-01-15.csv" -o "$work/tx"
check_status "a file with shuffled, renamed headers imports" 0
r="$work/tx/acme-data-example.json"
check_eq "its columns found by meaning" \
	"Acme Data, Inc.|https://acme-data.example|privacy@acme-data.example|['100 Main St', 'Suite 5']|Austin|texas|2024-03-01|2025-01-15|current" \
	"$(j "$r" '"|".join([j["name"], j["website"], j["procedures"][0]["email"], str(j["procedures"][3]["postal"]["street"]), j["procedures"][3]["postal"]["city"], j["registrations"][0]["registry"], j["registrations"][0]["date"], j["registrations"][0]["source"]["as_of"], j["procedures"][0]["status"]])')"

# Broken rows: each reported with its row and column, the others imported.
cat >"$work/bad.csv" <<'EOF'
Company Name,Email Address,Website,Physical Address
Good One,good@one.example,one.example,"1 A St, Springfield, IL 62701, USA"
Short Row,only@two.example
,nameless@three.example,three.example,
Bad Email,not-an-address,four.example,"4 D St, Dover, DE 19901, USA"
No Channel,,five.example,somewhere
Good Six,six@six.example,six.example,
EOF
run brokers import --registry oregon --as-of 2025-02 "$work/bad.csv" -o "$work/bad"
check_status "broken rows do not stop the import" 0
check_has "a short row: row and expected columns" "$work/err" "bad.csv: row 2 (line 3): expected 4 columns as in the header, found 2; row skipped"
check_has "an empty name: row and column" "$work/err" 'bad.csv: row 3 (line 4): column "company name": empty (expected the broker'"'"'s name); row skipped'
check_has "a bad email: row and column, the row goes on" "$work/err" 'bad.csv: row 4 (line 5): column "email address": not an email address (expected name@example.com or name [at] example.com); the row goes on without it'
check_lacks "the bad value is not repeated" "$work/err" "not-an-address"
check_has "an unusable address: row and column" "$work/err" 'bad.csv: row 5 (line 6): column "physical address": not a US postal address'
check_has "a row with no channel is skipped, saying why" "$work/err" "bad.csv: row 5 (line 6): no usable email, postal address or request page"
check_has "the count of unusable rows" "$work/out" "Rows read: 6; unusable rows: 3"
check_eq "the usable rows became records" "four-example.json one-example.json six-example.json" "$(ls "$work/bad" | tr '\n' ' ' | sed 's/ $//')"
check_eq "the bad-email row kept its address" "postal" "$(j "$work/bad/four-example.json" '" ".join(sorted(set(p["channel"] for p in j["procedures"])))')"

# Files that are not registry exports.
printf 'Colour,Size\nred,3\n' >"$work/x-2024.csv"
run brokers import --registry california "$work/x-2024.csv" -o "$work/x"
check_status "a file without a name column exits 65" 65
check_has "it says which column is missing" "$work/err" 'x-2024.csv: the header has no column for the broker'"'"'s name (expected a header such as "Data Broker Name")'
run brokers import "$work/bad.csv" -o "$work/x"
check_status "a file naming no registry exits 65" 65
check_has "it asks for --registry" "$work/err" "name it with --registry"
run brokers import --registry oregon "$work/bad.csv" -o "$work/x"
check_has "a file without a date asks for --as-of" "$work/err" "give the registry file's date with --as-of"
run brokers import --registry mars --as-of 2024 "$work/bad.csv" -o "$work/x"
check_status "an unknown registry exits 65" 65
run brokers import "$work/none-2024-california.csv"
check_status "a missing file exits 66" 66

# --scope government: curated sellers first, then brokers that declared sales.
mkdir -p "$work/gov/brokers"
ln -s "$TOP_SRCDIR/letters" "$work/gov/letters"
cp "$TOP_SRCDIR/brokers/schema.json" "$TOP_SRCDIR/brokers/lexisnexis-risk.json" \
	"$TOP_SRCDIR/brokers/acxiom.json" "$work/gov/brokers/"
cat >"$work/california-cppa-2025-07-01.csv" <<'EOF'
Data broker name,Email address,Website URL,"Sold or shared with the federal government in the past year?","Sold or shared with law enforcement in the past year?"
Aardvark Data,privacy@aardvark.example,aardvark.example,No,Yes
Quiet Data,privacy@quiet.example,quiet.example,No,No
EOF
export OPTOUT_DATADIR="$work/gov"
run brokers import "$work/california-cppa-2025-07-01.csv"
check_status "a file in the CPPA's wider format imports" 0
run plan -p "$ex" --scope government -r delete --json
check_eq "--scope government: curated sellers first, then declared ones; not the others" \
	"['lexisnexis-risk', 'aardvark-example']" "$(j "$work/out" '[i["broker"] for i in j]')"
run brokers show aardvark-example
check_has "show gives the declaration" "$work/out" "Declared sales to law enforcement: yes"

# The shipped registry: curated records and the import of the shipped files.
export OPTOUT_DATADIR="$TOP_SRCDIR"
run brokers list --source imported
shipped=$(ls "$TOP_SRCDIR"/brokers/imported/ | while read -r f; do
	[ -e "$TOP_SRCDIR/brokers/$f" ] || echo "$f"; done | wc -l)
check_eq "list --source imported: one line per imported record" "$((shipped + 1))" "$(wc -l <"$work/out")"
if [ "$shipped" -ge 500 ]; then ok "the shipped registry has at least 500 imported brokers ($shipped)"; else
	not_ok "the shipped registry has at least 500 imported brokers" "$shipped"; fi
run brokers list --source curated
check_eq "list --source curated: one line per curated record" \
	"$(( $(ls "$TOP_SRCDIR"/brokers/*.json | grep -vc schema.json) + 1 ))" "$(wc -l <"$work/out")"
run brokers list --source nonsense
check_status "an unknown --source is a usage error" 64
run brokers show allantgroup
check_has "show says plainly when a record is only what the broker declared" "$work/out" \
	"This record is only what the broker declared in a state data broker registry: nobody has checked it."
check_has "show lists the registration" "$work/out" "Registered in california, on 2020-01-29"
run brokers show alescodata
check_has "show names the operator family" "$work/out" "Same operator"

# A letter to an imported broker: its filed address, and where it comes from.
run letter -p "$ex" -b allantgroup -r delete -f txt -o "$work/allant.txt"
check_status "a letter to an imported broker" 0
check_has "it goes to the filed email" "$work/allant.txt" "privacy@allantgroup.com"
check_has "it says the address comes from the registry, and its date" "$work/allant.txt" \
	"I am writing to the contact address you filed with the California data broker"
tr '\n' ' ' <"$work/allant.txt" >"$work/allant1.txt"
check_has "with the registry file's date" "$work/allant1.txt" "as the registry published it on 28 June 2022."
check_has "under the person's law (a California resident: CCPA)" "$work/allant.txt" "Cal. Civ. Code §1798.105"

# The cover lists brokers that sell to the government first, whatever the -b order.
run packet -p "$ex" -b allantgroup,lexisnexis-risk -r delete -o "$work/pk" --no-ledger --disclose dob,ssn
check_status "a packet with an imported and a curated broker" 0
"$PDFTOTEXT" -enc UTF-8 "$work/pk/cover.pdf" - | tr '\n' ' ' >"$work/cover.txt"
check_eq "the government seller comes first on the cover" "LexisNexis" \
	"$(grep -o 'LexisNexis\|Allant Group' "$work/cover.txt" | head -1)"

done_testing
