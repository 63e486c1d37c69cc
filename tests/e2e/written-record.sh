#!/bin/sh
# A web form without a message field ("message_field": false) cannot carry the request's
# legal text: the packet also writes the same request, with the same reference, to the
# broker's written contact as the written record, and the web sheet says so.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fx="$TOP_SRCDIR/tests/fixtures"
ex="$TOP_SRCDIR/letters/examples/profile.json"
export OPTOUT_TODAY=2026-11-22

fixture_datadir
"$PYTHON" - "$fx/data/brokers/example-cra.json" "$work/data/brokers" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
json.dump(b, open(sys.argv[2] + "/example-cra.json", "w"), ensure_ascii=False)
b["id"], b["name"] = "no-message-cra", "No Message CRA"
for p in b["procedures"]:
    if p["channel"] == "web":
        p["message_field"] = False
json.dump(b, open(sys.argv[2] + "/no-message-cra.json", "w"), ensure_ascii=False)
PY
export OPTOUT_DATADIR="$work/data"

run brokers validate "$work/data/brokers/no-message-cra.json"
check_status "a procedure with message_field false is valid" 0

run packet -p "$ex" -b no-message-cra,example-cra -r opt-out -o "$work/pk" --ledger "$work/l.db" --lang en
check_status "packet exits 0" 0
sheet="$work/pk/web/no-message-cra-opt-out.txt"
tr '\n' ' ' <"$sheet" | tr -s ' ' >"$work/sheet"
check_has "the sheet says the form cannot carry the legal text" "$work/sheet" \
	"This form has no field for a message, so it cannot carry the request's legal basis and deadline."
check_has "the sheet names the written record to send" "$work/sheet" \
	"The same request, with the same reference, is also written to the broker's written contact: emails/no-message-cra-opt-out.eml. Send it as well"
check_lacks "the sheet gives no text to paste into a field the form lacks" "$sheet" "Text for the form's message field"
ref=$(sed -n 's/^Reference: \(OPT-[A-Z0-9-]*\).*/\1/p' "$sheet" | head -n 1)
[ -n "$ref" ] || ref=$(grep -o 'OPT-[A-Z0-9]\{4\}-[A-Z0-9]\{4\}' "$sheet" | head -n 1)
eml="$work/pk/emails/no-message-cra-opt-out.eml"
if [ -f "$eml" ]; then ok "the written record is an email to the broker's written contact"; else
	not_ok "the written record is an email to the broker's written contact" "$(ls -R "$work/pk")"; fi
check_has "the email goes to the broker's privacy contact" "$eml" "To: No Message CRA <privacy@bureau.example.org>"
check_has "the email carries the form's reference" "$eml" "$ref"
tr '\n' ' ' <"$work/pk/emails/no-message-cra-opt-out.txt" | tr -s ' ' >"$work/record"
check_has "the email states the law of the request" "$work/record" "Cal. Civ. Code §1798.120"

tr '\n' ' ' <"$work/pk/web/example-cra-opt-out.txt" | tr -s ' ' >"$work/sheet2"
check_has "a form with a message field gets the text to paste" "$work/sheet2" "Text for the form's message field"
check_lacks "and no written record" "$work/sheet2" "The written record"
if [ -e "$work/pk/emails/example-cra-opt-out.eml" ]; then
	not_ok "no email is written for a form with a message field"; else
	ok "no email is written for a form with a message field"; fi

run status --ledger "$work/l.db" --json
"$PYTHON" - "$work/out" >"$work/rows" <<'PY'
import json, sys
print(sorted((r["broker"], r["channel"]) for r in json.load(open(sys.argv[1]))))
PY
check_eq "the ledger holds the form's request once, not the record as a second request" \
	"[('example-cra', 'web'), ('no-message-cra', 'web')]" "$(cat "$work/rows")"

run packet -p "$ex" -b no-message-cra -r opt-out -o "$work/pk-es" --lang es
tr '\n' ' ' <"$work/pk-es/web/no-message-cra-opt-out.txt" | tr -s ' ' >"$work/sheet-es"
check_has "the Spanish sheet says so too" "$work/sheet-es" \
	"Este formulario no tiene un campo para un mensaje"

done_testing
