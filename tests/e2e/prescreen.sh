#!/bin/sh
# Opt-out at a nationwide consumer reporting agency is two requests: the FCRA §604(e)
# election out of prescreened lists for its file (never a CCPA "sale" opt-out), and the
# privacy-law opt-out for what lies outside that file.  Plan, sheet and letter wording.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fx="$TOP_SRCDIR/tests/fixtures"
ex="$TOP_SRCDIR/letters/examples/profile.json"
export OPTOUT_TODAY=2026-11-22

# The real registry: Equifax, a California resident.
OPTOUT_DATADIR="$TOP_SRCDIR" run plan -p "$ex" -b equifax -r opt-out --json
check_status "plan exits 0" 0
"$PYTHON" - "$work/out" >"$work/items" <<'PY'
import json, sys
for x in json.load(open(sys.argv[1])):
    print(x.get("basis"), x["law"], x["citation"], x["procedure"], x["deadline"], x["due"], sep="|")
    for n in x.get("notes", []):
        print("note", x.get("basis"), n, sep="|")
PY
check_eq "two opt-outs at Equifax: §604(e) for the file, the CCPA beyond it" \
	"fcra|fcra-604e|15 U.S.C. §1681b(e)(1)–(2)|fcra-optout-web-prescreen|5 business days|2026-11-30
privacy|us-ca|Cal. Civ. Code §1798.120|ccpa-optout-web|15 business days|2026-12-14" \
	"$(grep -v '^note' "$work/items")"
check_has "the prescreen item says how long it lasts and how to make it permanent" "$work/items" \
	"note|fcra|Made online or by telephone, this opt-out lasts five years (15 U.S.C. §1681b(e)(3)(A), (e)(4)(B)). To make it permanent, sign and mail the Permanent Opt-Out Election form that optoutprescreen.com offers after the online request (15 U.S.C. §1681b(e)(2)(B))."
check_lacks "the prescreen procedure never stands on the CCPA" "$work/items" "us-ca|Cal. Civ. Code §1798.120|fcra-optout"

# A fixture nationwide CRA whose prescreen procedures are a web form and a postal address.
mkdir -p "$work/data/brokers"
ln -s "$TOP_SRCDIR/letters" "$work/data/letters"
for f in "$fx"/data/brokers/*.json; do ln -s "$f" "$work/data/brokers/"; done
"$PYTHON" - "$fx/data/brokers/example-cra.json" "$work/data/brokers/example-bureau.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
b["id"], b["name"] = "example-bureau", "Example Credit Bureau"
b["cra_kind"] = {"kind": "nationwide", "sources": [{"ref": "invented fixture: a nationwide CRA"}]}
src = [{"ref": "invented fixture", "as_of": "2026-11-01"}]
b["procedures"].append({"id": "fcra-optout-web-prescreen", "request": "opt-out", "laws": ["fcra"],
    "channel": "web", "url": "https://prescreen.example.org/", "status": "current", "sources": src})
json.dump(b, open(sys.argv[2], "w"), ensure_ascii=False)
PY
export OPTOUT_DATADIR="$work/data"

run packet -p "$ex" -b example-bureau -r opt-out -o "$work/pk" --no-ledger
check_status "packet exits 0" 0
sheet="$work/pk/web/example-bureau-opt-out.txt"
check_has "the prescreen sheet names the FCRA request" "$sheet" "prescreen opt-out"
check_has "the prescreen sheet cites §604(e)" "$sheet" "§1681b(e)(1)–(2)"
check_lacks "the prescreen sheet is no sale opt-out" "$sheet" "sale and sharing"
check_has "the privacy-law sheet is the sale opt-out" "$work/pk/web/example-bureau-opt-out-privacy.txt" \
	"opt-out of sale and sharing"

# The same bureau with the prescreen election by post: the §604(e) letter.
"$PYTHON" - "$work/data/brokers/example-bureau.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
p = [x for x in b["procedures"] if x["id"] == "fcra-optout-web-prescreen"][0]
del p["url"]
p["channel"] = "postal"
p["postal"] = {"recipient": "Prescreen Opt-Out", "street": ["P.O. Box 1"], "city": "Atlanta",
    "region": "GA", "postal_code": "30301", "country": "US"}
b["procedures"] = [x for x in b["procedures"] if x["id"] not in ("optout-web", "optout-phone")]
json.dump(b, open(sys.argv[1], "w"), ensure_ascii=False)
PY
run letter -p "$ex" -b example-bureau -r opt-out
check_status "letter exits 0" 0
tr '\n' ' ' <"$work/out" | tr -s ' ' >"$work/flat"
check_has "the letter makes the §604(e) election" "$work/flat" \
	"Under section 604(e) of the Fair Credit Reporting Act (15 U.S.C. §1681b(e)(1)), I elect to have my name and address excluded from any list you provide in connection with a credit or insurance transaction that I did not initiate."
check_has "the letter asks for the signed form that makes it permanent" "$work/flat" \
	"send me the signed notice of election form that makes it permanent (15 U.S.C. §1681b(e)(2)(B), (e)(3))"
check_has "the letter gives the statutory 5 business days" "$work/flat" "within 5 business days of receiving it (15 U.S.C. §1681b(e)(4)(A))"
check_lacks "the FCRA letter claims no CCPA right" "$work/flat" "1798.120"
run letter -p "$ex" -b example-bureau -r opt-out --basis privacy
tr '\n' ' ' <"$work/out" | tr -s ' ' >"$work/flat"
check_has "the privacy-law letter is the CCPA opt-out" "$work/flat" "Cal. Civ. Code §1798.120"
check_has "the privacy-law letter says the prescreen election is separate" "$work/flat" \
	"I am opting out of prescreened offers drawn from my consumer file separately, under section 604(e) of the Fair Credit Reporting Act (15 U.S.C. §1681b(e))."

done_testing
