#!/bin/sh
# The reach of the GDPR (Art. 3): a broker record says whether the GDPR and the UK GDPR reach
# the company (gdpr_reach); a request to one they do not reach asks for an answer without
# claiming the Regulation's deadline, while one they reach, or whose reach is not researched,
# keeps it.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fx="$TOP_SRCDIR/tests/fixtures"
export OPTOUT_TODAY=2026-11-22
fixture_datadir
"$PYTHON" - "$fx/data/brokers/example-cra.json" "$work/data/brokers" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
json.dump(b, open(sys.argv[2] + "/example-cra.json", "w"), ensure_ascii=False)
src = [{"ref": "invented fixture: the company's own statement of where it operates", "as_of": "2026-11-01"}]
b["id"], b["name"] = "us-only-cra", "US Only CRA"
b["gdpr_reach"] = {"eu": "neither", "uk": "targets", "sources": src}
json.dump(b, open(sys.argv[2] + "/us-only-cra.json", "w"), ensure_ascii=False)
PY
export OPTOUT_DATADIR="$work/data"

run brokers validate "$work/data/brokers/us-only-cra.json"
check_status "a record with gdpr_reach is valid" 0

run plan -p "$fx/profiles/mueller-de.json" -b us-only-cra,example-cra -r delete --json
"$PYTHON" - "$work/out" >"$work/items" <<'PY'
import json, sys
for x in json.load(open(sys.argv[1])):
    print(x["broker"], x["law"], x["citation"], x["deadline"], x["deadline_binding"], x["due"], sep="|")
PY
check_eq "outside the GDPR's reach the deadline is not binding; unresearched reach keeps it" \
	"us-only-cra|gdpr|GDPR Art. 17|1 month|False|2026-12-22
example-cra|gdpr|GDPR Art. 17|1 month|True|2026-12-22" "$(cat "$work/items")"

run letter -p "$fx/profiles/mueller-de.json" -b us-only-cra -r delete -f txt
check_status "the letter is written" 0
tr '\n' ' ' <"$work/out" | tr -s ' ' >"$work/flat"
check_has "the letter says honestly why it claims no deadline" "$work/flat" \
	"The General Data Protection Regulation (GDPR) binds a company that is not established in the European Union or the European Economic Area only where it offers goods or services to people there or monitors their behaviour there (GDPR Art. 3). As far as I know, that may not be so for you, so I do not claim the time limit the Regulation sets. I ask you all the same to answer within 1 month, that is by 22 December 2026"
check_lacks "and does not say it must respond within the month" "$work/flat" "You must respond to this request within"
check_lacks "nor offer it an extension the law would allow" "$work/flat" "the law allows an extension"

# The UK GDPR's reach is recorded apart: this one targets UK residents, so the deadline holds.
run letter -p "$fx/profiles/smith-gb.json" -b us-only-cra -r delete -f txt
tr '\n' ' ' <"$work/out" | tr -s ' ' >"$work/flat-uk"
check_has "a UK resident's letter to a company targeting the UK claims the deadline" "$work/flat-uk" \
	"You must respond to this request within 1 month of receiving it (UK GDPR Art. 12(3))."

done_testing
