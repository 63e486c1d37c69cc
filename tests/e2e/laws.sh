#!/bin/sh
# The legal bases, profiles and agents: letters/laws.json and the example files
# are valid under both python3-jsonschema and optout's own loader, and broken
# copies of laws.json are refused by both, at the same JSON path.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

L="$TOP_SRCDIR/letters"

# pyvalid SCHEMA FILE: validate with python3-jsonschema (format checks on); prints the errors' paths.
pyvalid() {
	"$PYTHON" - "$1" "$2" <<'PY'
import json, sys
from jsonschema import Draft202012Validator, FormatChecker
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
bad = 0
for e in Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(doc):
    path = "".join("[%d]" % p if isinstance(p, int) else ("." if i else "") + p for i, p in enumerate(e.absolute_path))
    print(path or "(top)")
    bad = 1
sys.exit(bad)
PY
}

for pair in "laws.schema.json laws.json" "profile.schema.json examples/profile.json" \
	"agent.schema.json examples/agent.json"; do
	set -- $pair
	if pyvalid "$L/$1" "$L/$2" >"$work/py" 2>&1; then ok "python3-jsonschema accepts letters/$2"; else
		not_ok "python3-jsonschema accepts letters/$2" "$(cat "$work/py")"; fi
done
export OPTOUT_TODAY=2026-11-22 OPTOUT_DATADIR="$TOP_SRCDIR"
run plan -p "$L/examples/profile.json" -b equifax -r delete --agent "$L/examples/agent.json" --json
check_status "optout loads laws.json, the example profile and agent" 0

# The holiday list is exactly the US federal holidays (5 U.S.C. 6103) as observed, for every
# year it covers, computed here from the rules.
check_eq "holidays follow the federal rules, 2025 through 2032" "ok" "$("$PYTHON" - "$L/laws.json" <<'PY'
import datetime as D, json, sys
def nth(y, m, wd, n):
    x = D.date(y, m, 1)
    while x.weekday() != wd: x += D.timedelta(1)
    return x + D.timedelta(7 * (n - 1))
def last(y, m, wd):
    x = D.date(y, m + 1, 1) - D.timedelta(1)
    while x.weekday() != wd: x -= D.timedelta(1)
    return x
def obs(x):
    return x - D.timedelta(1) if x.weekday() == 5 else x + D.timedelta(1) if x.weekday() == 6 else x
want = set()
# 2033 too: New Year's Day 2033 falls on a Saturday and is observed on 2032-12-31.
for y in range(2025, 2034):
    want |= {obs(D.date(y, 1, 1)), nth(y, 1, 0, 3), nth(y, 2, 0, 3), last(y, 5, 0), obs(D.date(y, 6, 19)),
             obs(D.date(y, 7, 4)), nth(y, 9, 0, 1), nth(y, 10, 0, 2), obs(D.date(y, 11, 11)),
             nth(y, 11, 3, 4), obs(D.date(y, 12, 25))}
want = {x for x in want if x.year <= 2032}
got = json.load(open(sys.argv[1]))["holidays"]
print("ok" if got == sorted(x.isoformat() for x in want) else "differs: %s" % sorted(set(got) ^ {x.isoformat() for x in want}))
PY
)"

# Every law a broker procedure can stand on has a letter template for each request it covers.
missing=
for law in $("$PYTHON" -c 'import json,sys
for l in json.load(open(sys.argv[1]))["laws"]:
    for r in l["requests"]:
        print(l["family"] + "-" + r)' "$L/laws.json" | sort -u); do
	case $law in fcra-delete|fcra-opt-out) continue ;; esac
	[ -f "$L/$law.mustache" ] || missing="$missing $law"
done
check_eq "a template for every law family and request it covers" "" "$missing"

# What the statute texts confirm shows in the letters themselves (PDF text, agent covers, appeals).
fx="$TOP_SRCDIR/tests/fixtures"
PDFTOTEXT=${PDFTOTEXT:-pdftotext}
flat() { tr '\n' ' ' <"$1" | tr -s ' '; }
# resident STATE CITY ZIP: the Oregon fixture's person, living in another state.
resident() {
	"$PYTHON" - "$fx/profiles/nguyen-or.json" "$1" "$2" "$3" "$work/p-$1.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
a = p["addresses"][0]
a["region"], a["city"], a["postal_code"] = sys.argv[2:5]
json.dump(p, open(sys.argv[5], "w"), ensure_ascii=False)
PY
	echo "$work/p-$1.json"
}
ne=$(resident NE Lincoln 68508)
nh=$(resident NH Concord 03301)
OPTOUT_DATADIR="$fx/data" run letter -p "$ne" -b example-cra -r delete -f pdf -o "$work/ne.pdf"
check_status "a Nebraska deletion letter as PDF" 0
"$PDFTOTEXT" -enc UTF-8 "$work/ne.pdf" "$work/ne.txt"
flat "$work/ne.txt" >"$work/ne.flat"
check_has "NE: the rights section of the Data Privacy Act" "$work/ne.flat" \
	"This request is made under the Nebraska Data Privacy Act, Neb. Rev. Stat. §87-1101 et seq., in particular Neb. Rev. Stat. §87-1107."
check_has "NE: the 45 days, cited to §87-1108(2)" "$work/ne.flat" \
	"within 45 calendar days of receiving it (Neb. Rev. Stat. §87-1108(2))"
# New Hampshire: an agent files opt-outs only (RSA 507-H:4, II).
OPTOUT_DATADIR="$fx/data" run letter -p "$nh" -b example-cra -r opt-out -f txt --agent "$L/examples/agent.json"
flat "$work/out" >"$work/nh.flat"
check_has "NH: an agent's opt-out cites RSA 507-H:4, II" "$work/nh.flat" \
	"The New Hampshire Data Privacy Act allows a consumer to make this request through an authorized agent (RSA 507-H:4, II)."
check_has "NH: under RSA 507-H:4, I(e)" "$work/nh.flat" \
	"This request is made under the New Hampshire Data Privacy Act, RSA ch. 507-H, in particular RSA 507-H:4, I(e)."
OPTOUT_DATADIR="$fx/data" run plan -p "$nh" -b example-history -r access --agent "$L/examples/agent.json" --json
check_eq "NH: an agent's access request is signed by the person too" \
	"us-nh|This law gives no clear right to file this request through an agent: the person signs the letter as well." \
	"$("$PYTHON" -c 'import json,sys
for x in json.load(open(sys.argv[1])):
    print(x["law"], *[n for n in x["notes"] if "agent" in n], sep="|")' "$work/out")"
# Kentucky's refusal gets its appeal under KRS 367.3615(4) and Nebraska's under
# Neb. Rev. Stat. §87-1109, each with 60 days; Tennessee's, whose window is not
# in the statute text seen, goes to the Attorney General.
cat >"$work/c.csv" <<'CSV'
label,given,family,street,city,region,postal_code,country,email
ky-1,Ana,Ejemplo,1 Example Way,Frankfort,KY,40601,US,ana@example.org
ne-1,Bea,Ejemplo,2 Example Way,Lincoln,NE,68508,US,bea@example.org
tn-1,Cai,Ejemplo,3 Example Way,Nashville,TN,37219,US,cai@example.org
CSV
export OPTOUT_DATADIR="$fx/data" OPTOUT_TODAY=2026-11-02
"$OPTOUT" batch -c "$work/c.csv" -b example-cra -r delete -o "$work/b" --ledger "$work/l.db" >/dev/null
"$OPTOUT" status --ledger "$work/l.db" --json >"$work/st.json"
ref_of() { "$PYTHON" -c 'import json,sys; print([r["reference"] for r in json.load(open(sys.argv[1])) if r["client"]==sys.argv[2]][0])' "$work/st.json" "$1"; }
ky=$(ref_of ky-1)
nebr=$(ref_of ne-1)
tenn=$(ref_of tn-1)
refuse "$work/l.db" "$ky" "$nebr" "$tenn"
OPTOUT_TODAY=2026-11-23 run followup -o "$work/f" -c "$work/c.csv" --ledger "$work/l.db"
check_has "KY: the refusal gets the appeal first" "$work/out" "wrote $work/f/ky-1/appeal-$ky.pdf"
check_has "NE: the refusal gets the appeal first" "$work/out" "wrote $work/f/ne-1/appeal-$nebr.pdf"
check_lacks "NE: no complaint while the appeal is pending" "$work/out" "wrote $work/f/ne-1/complaint-$nebr.pdf"
check_has "TN: the refusal goes to the complaint" "$work/out" "wrote $work/f/tn-1/complaint-$tenn.pdf"
"$PDFTOTEXT" -enc UTF-8 "$work/f/ky-1/appeal-$ky.pdf" "$work/ky.txt"
flat "$work/ky.txt" >"$work/ky.flat"
check_has "KY: the appeal cites its section" "$work/ky.flat" "I appeal that decision under KRS 367.3615(4)."
check_has "KY: with the law's 60 days" "$work/ky.flat" "within 60 days of receiving this appeal"
"$PDFTOTEXT" -enc UTF-8 "$work/f/ne-1/appeal-$nebr.pdf" "$work/ne-a.txt"
flat "$work/ne-a.txt" >"$work/ne-a.flat"
check_has "NE: the appeal cites its section" "$work/ne-a.flat" "I appeal that decision under Neb. Rev. Stat. §87-1109."
check_has "NE: with the law's 60 days" "$work/ne-a.flat" "within 60 days of receiving this appeal"
check_has "NE: a denial must point to the Attorney General" "$work/ne-a.flat" \
	"If you deny the appeal, the law also requires you to tell me how I can submit a complaint to this regulator"
export OPTOUT_DATADIR="$TOP_SRCDIR" OPTOUT_TODAY=2026-11-22

# Broken copies: each is refused by both validators at the path given.
mkdir -p "$work/data/brokers"
ln -s "$TOP_SRCDIR/brokers/schema.json" "$work/data/brokers/schema.json"
ln -s "$TOP_SRCDIR/brokers/equifax.json" "$work/data/brokers/equifax.json"
mkdir "$work/data/letters"
for f in "$L"/*; do [ "$(basename "$f")" = laws.json ] || ln -s "$f" "$work/data/letters/"; done
export OPTOUT_DATADIR="$work/data"
# break EXPECTED-PATH PYTHON-STATEMENT: write a laws.json changed by the statement, then check.
break_laws() {
	path=$1
	"$PYTHON" - "$L/laws.json" "$work/data/letters/laws.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
PY
	run plan -p "$L/examples/profile.json" -b equifax
	check_status "C loader refuses laws.json with a bad $path" 65
	check_has "C loader names $path" "$work/err" "laws.json: $path"
	if pyvalid "$L/laws.schema.json" "$work/data/letters/laws.json" >"$work/py" 2>&1; then
		not_ok "python3-jsonschema refuses the bad $path" "it accepted it"
	else
		check_has "python3-jsonschema names $path" "$work/py" "$path"
	fi
}
break_laws "laws[0].deadline.unit" 'd["laws"][0]["deadline"]["unit"] = "weeks"'
break_laws "laws[1]" 'del d["laws"][1]["citation"]'
check_has "C loader says which field is missing" "$work/err" 'missing required field "citation"'
break_laws "laws[2].regulator.url" 'd["laws"][2]["regulator"]["url"] = "http://example.org/"'
break_laws "holidays[0]" 'd["holidays"][0] = "2026-02-30"'
break_laws "laws[0].rights[0]" 'd["laws"][0]["rights"][0] = "everything"'
"$PYTHON" - "$L/laws.json" "$work/data/letters/laws.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["laws"][2]["id"] = d["laws"][1]["id"]
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
PY
run plan -p "$L/examples/profile.json" -b equifax
check_status "a repeated law id is refused" 65
check_has "and named" "$work/err" "laws[2].id: \"us-va\" is already used by laws[1]"

done_testing
