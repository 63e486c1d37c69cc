#!/bin/sh
# Table-driven: for a resident of each state or country, each kind of broker and each request
# type, the plan's law, citation, deadline, channel and due date (tests/fixtures/law-table.tsv,
# one row per case; every law in letters/laws.json appears in it, which is checked too).
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fx="$TOP_SRCDIR/tests/fixtures"
table="$fx/law-table.tsv"
export OPTOUT_TODAY=2026-11-22
# The fixture registry, plus a CRA of the "other" kind (so §609, not §612).
mkdir -p "$work/data/brokers"
ln -s "$TOP_SRCDIR/letters" "$work/data/letters"
for f in "$fx"/data/brokers/*.json; do ln -s "$f" "$work/data/brokers/"; done
"$PYTHON" - "$fx/data/brokers/example-cra.json" "$work/data/brokers/example-other-cra.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
b["id"] = "example-other-cra"
b["name"] = "Example Regional Reporting Agency"
b["cra_kind"] = {"kind": "other", "sources": [{"ref": "invented fixture: a CRA that is neither nationwide nor nationwide specialty"}]}
json.dump(b, open(sys.argv[2], "w"), ensure_ascii=False)
PY
# And a nationwide CRA with a prescreen opt-out (so opt-out is two requests: §604(e) and privacy
# law) and a freeze (§605A(i), which binds only nationwide CRAs).
"$PYTHON" - "$fx/data/brokers/example-cra.json" "$work/data/brokers/example-nationwide-cra.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
b["id"] = "example-nationwide-cra"
b["name"] = "Example Nationwide Credit Bureau"
b["cra_kind"] = {"kind": "nationwide", "sources": [{"ref": "invented fixture: a nationwide CRA"}]}
b["procedures"].append({"id": "fcra-optout-web-prescreen", "request": "opt-out", "laws": ["fcra"],
    "channel": "web", "url": "https://prescreen.example.org/", "status": "current",
    "sources": [{"ref": "invented fixture", "as_of": "2026-11-01"}]})
b["procedures"].append({"id": "fcra-freeze-web", "request": "freeze", "laws": ["fcra"],
    "channel": "web", "url": "https://freeze.example.org/", "status": "current",
    "sources": [{"ref": "invented fixture", "as_of": "2026-11-01"}]})
json.dump(b, open(sys.argv[2], "w"), ensure_ascii=False)
PY
export OPTOUT_DATADIR="$work/data"

# profile COUNTRY REGION: a profile living there (from the Oregon or Berlin fixture).
profile() {
	"$PYTHON" - "$fx/profiles/nguyen-or.json" "$fx/profiles/mueller-de.json" "$1" "$2" \
		"$work/p-$1-$2.json" <<'PY'
import json, sys
us, eu, country, region, out = sys.argv[1:6]
p = json.load(open(us if country == "US" else eu))
a = p["addresses"][0]
a["country"], a["region"] = country, region
p["addresses"].append({"street": ["1 Former Street"], "city": "Boise", "region": "ID",
    "postal_code": "83702", "country": "US", "from": "2001-01", "to": "2004-12", "current": False})
json.dump(p, open(out, "w"), ensure_ascii=False)
PY
	echo "$work/p-$1-$2.json"
}

tab=$(printf '\t')
while IFS="$tab" read -r country region broker request basis law citation deadline channel due today; do
	case $country in ''|'#'*) continue ;; esac
	p=$(profile "$country" "$region")
	OPTOUT_TODAY=${today:-2026-11-22} "$OPTOUT" plan -p "$p" -b "$broker" -r "$request" --item "Address: 9 Wrong St" \
		--correct-to "Address: 1 Example Way" --json >"$work/out" 2>"$work/err" || true
	got=$("$PYTHON" - "$work/out" "$basis" <<'PY'
import json, sys
items = [x for x in json.load(open(sys.argv[1])) if x.get("basis", "-") == sys.argv[2]]
x = items[0]
print("\t".join(str(x.get(k) or "-") for k in ("law", "citation", "deadline", "channel", "due")))
PY
)
	check_eq "$country/$region $request to $broker ($basis)" \
		"$law$tab$citation$tab$deadline$tab$channel$tab$due" "$got"
done <"$table"

# Every law in laws.json is the answer of at least one row.
check_eq "the table covers every law in letters/laws.json" "" "$("$PYTHON" - \
	"$TOP_SRCDIR/letters/laws.json" "$table" <<'PY'
import json, sys
laws = {l["id"] for l in json.load(open(sys.argv[1]))["laws"]}
seen = {line.split("\t")[5] for line in open(sys.argv[2]) if line.strip() and not line.startswith("#")}
print(" ".join(sorted(laws - seen)))
PY
)"

done_testing
