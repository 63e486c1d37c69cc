#!/bin/sh
# The GLBA exemption (issue #12): where a law exempts only the data the
# Gramm-Leach-Bliley Act covers (letters/laws.json, glba.scope "data", confirmed),
# a letter under it to a consumer reporting agency says so with the section and
# claims everything else; not to other brokers, not under a law whose exemption
# is unconfirmed, and in the Spanish reading copy too.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fx="$TOP_SRCDIR/tests/fixtures"
ex="$TOP_SRCDIR/letters/examples/profile.json"
agent="$TOP_SRCDIR/letters/examples/agent.json"
export OPTOUT_TODAY=2026-11-22 OPTOUT_DATADIR="$fx/data"

# one FILE OUT: the text on one line, spaces squeezed.
one() { tr '\n' ' ' <"$1" | tr -s ' ' >"$2"; }

run letter -f txt -p "$ex" -b example-cra -r delete
check_status "a California deletion letter to a CRA is written" 0
one "$work/out" "$work/ca"
check_has "it states the GLBA exemption with its section" "$work/ca" \
	"This law exempts personal information collected, processed, sold or disclosed under the federal Gramm-Leach-Bliley Act (Cal. Civ. Code §1798.145(e))."
check_has "and that the exemption covers only that data: the request covers the rest" "$work/ca" \
	"That exemption covers only such information, not the business that holds it: this request covers all other personal information you hold about me."

run letter -f txt -p "$ex" -b example-cra -r delete --agent "$agent"
one "$work/out" "$work/ca-agent"
check_has "an agent's letter claims the rest for the client" "$work/ca-agent" \
	"this request covers all other personal information you hold about my client."

run letter -f txt -p "$ex" -b example-cra -r access --basis privacy
one "$work/out" "$work/ca-access"
check_has "the privacy-law access request to a CRA states it too" "$work/ca-access" \
	"Gramm-Leach-Bliley Act (Cal. Civ. Code §1798.145(e))"

run letter -f txt -p "$ex" -b example-history -r delete
check_status "a deletion letter to a broker that is not a CRA is written" 0
check_lacks "it says nothing of the GLBA" "$work/out" "Gramm-Leach-Bliley"

run letter -f txt -p "$fx/profiles/nguyen-or.json" -b example-cra -r delete
check_status "an Oregon deletion letter to a CRA is written" 0
check_lacks "Oregon's GLBA exemption is unconfirmed: not in the letter" "$work/out" "Gramm-Leach-Bliley"

run packet -p "$ex" -b example-cra -r delete -o "$work/es" --no-ledger --lang es
check_status "a packet with Spanish reading copies is written" 0
pdftotext -enc UTF-8 "$work/es/translations/example-cra-delete.pdf" - 2>/dev/null | tr '\n' ' ' | tr -s ' ' >"$work/es.txt" || true
check_has "the Spanish reading copy states the exemption with its section" "$work/es.txt" \
	"Gramm-Leach-Bliley Act (Cal. Civ. Code §1798.145(e))"
check_has "and that the request covers everything else" "$work/es.txt" \
	"esta solicitud abarca toda otra información personal que ustedes tienen sobre"
done_testing
