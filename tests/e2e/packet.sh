#!/bin/sh
# The request packet: every file there, every PDF valid and readable with the
# right names, addresses, citations and page numbers, nothing sensitive that was
# not allowed, and nothing half-written when a run fails.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fx="$TOP_SRCDIR/tests/fixtures"
ex="$TOP_SRCDIR/letters/examples/profile.json"
export OPTOUT_TODAY=2026-11-22 OPTOUT_DATADIR="$fx/data"

# pdf_text FILE: the text of a PDF, in reading order.
pdf_text() { "$PDFTOTEXT" -enc UTF-8 "$1" -; }
# all_text DIR: every file's text (PDFs converted) for leak checks.
all_text() {
	find "$1" -type f | sort | while read -r f; do
		case $f in *.pdf) pdf_text "$f" ;; *) cat "$f" ;; esac
	done
}
# check_pdfs DIR: qpdf --check passes on every PDF.
check_pdfs() {
	bad=
	for f in $(find "$1" -name '*.pdf'); do
		"$QPDF" --check "$f" >/dev/null 2>&1 || bad="$bad $f"
	done
	if [ -z "$bad" ]; then ok "qpdf --check passes on every PDF in $(basename "$1")"; else
		not_ok "qpdf --check passes on every PDF in $(basename "$1")" "$bad"; fi
}

# The California example: a postal deletion (multi-page with prior addresses), an email, a web sheet.
run packet -p "$ex" --all -r delete,opt-out,access -o "$work/jose" --lang en
check_status "packet exits 0" 0
check_has "packet reports what it wrote" "$work/out" "Wrote $work/jose/"
for f in cover.pdf print-all.pdf packet.json letters/example-history-delete.pdf \
	emails/example-cra-delete.eml emails/example-cra-delete.txt web/example-cra-opt-out.txt; do
	if [ -f "$work/jose/$f" ]; then ok "packet holds $f"; else not_ok "packet holds $f" "$(cd "$work/jose" && find . -type f)"; fi
done
check_pdfs "$work/jose"
pdf_text "$work/jose/letters/example-history-delete.pdf" >"$work/l.txt"
check_has "the letter names the person as written" "$work/l.txt" "José Núñez Peña"
check_has "the letter has the person's address" "$work/l.txt" "1234 Calle Ejemplo Apt 5"
check_has "the letter has the broker's address" "$work/l.txt" "Austin, TX 78701"
check_has "the letter cites the CCPA deletion section" "$work/l.txt" "1798.105"
check_has "the letter gives the due date" "$work/l.txt" "6 January 2027"
check_has "the letter lists the prior address it must disclose" "$work/l.txt" "567 Example Street"
check_has "the footer carries the reference" "$work/l.txt" "Reference: OPT-"
check_lacks "no SSN without --disclose" "$work/l.txt" "123-45-6789"
# The table's columns take their widths from their contents, random
# references included, so where a cell wraps (even inside a long word)
# differs from run to run: its cells are checked in the text's own order
# with every space and line break removed.
"$PDFTOTEXT" -raw -enc UTF-8 "$work/jose/cover.pdf" - | tr -s ' \n\f' '   ' >"$work/cover.txt"
tr -d ' ' <"$work/cover.txt" >"$work/cover-cells.txt"
check_has "the cover's table lists the broker" "$work/cover-cells.txt" "ExampleAddressHistory"
check_has "the cover's table gives the legal basis" "$work/cover-cells.txt" "§1798.105"
check_has "the cover's table gives the due date" "$work/cover-cells.txt" "2027-01-06"
check_has "the cover's table says what each request sends" "$work/cover-cells.txt" "prior_addresses"
check_has "the cover gives mailing advice" "$work/cover.txt" "certified mail with return receipt"
check_has "the cover says what was left out and why" "$work/cover.txt" "run again with --disclose dob"
check_has "the email is addressed to the broker" "$work/jose/emails/example-cra-delete.eml" "To: Example Consumer Data Bureau <privacy@bureau.example.org>"
check_has "the email is quoted-printable UTF-8" "$work/jose/emails/example-cra-delete.eml" "Content-Transfer-Encoding: quoted-printable"
check_has "the web sheet gives the page" "$work/jose/web/example-cra-opt-out.txt" "Open this page: https://bureau.example.org/opt-out"
check_has "the web sheet warns of the CAPTCHA" "$work/jose/web/example-cra-opt-out.txt" "CAPTCHA"
"$PYTHON" - "$work/jose/packet.json" >"$work/pj" <<'PY' || true
import json, sys
p = json.load(open(sys.argv[1]))
r = p["requests"]
print(len(r), sorted(set(x["status"] for x in r)), sum(1 for x in r if "file" in x))
PY
# Access to the CRA is two requests (FCRA file, privacy law), and the opt-out the history
# broker lists no procedure for goes to its privacy office: seven items, six written.
check_eq "packet.json lists every broker x request (x basis) with its status" \
	"7 ['needs-consent', 'ready'] 6" "$(cat "$work/pj")"
all_text "$work/jose" >"$work/all.txt"
check_lacks "no SSN anywhere in the packet" "$work/all.txt" "123-45-6789"
check_lacks "no SSN last four anywhere in the packet" "$work/all.txt" "6789"
check_lacks "no date of birth anywhere in the packet" "$work/all.txt" "1985-03-14"
check_has "the packet's requests are recorded in the ledger" "$work/out" "Recorded 6 requests in the ledger $XDG_DATA_HOME/optout/ledger.db"
"$OPTOUT" status --json >"$work/st.json"
check_eq "the ledger holds the ready requests, planned" "6 planned example-person-only" \
	"$("$PYTHON" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(len(j), " ".join(sorted(set(r["state"] for r in j))), " ".join(sorted(set(r["client"] for r in j))))' "$work/st.json")"
check_eq "files are private (0600)" "" "$(find "$work/jose" -type f ! -perm 600)"
check_eq "folders are private (0700)" "" "$(find "$work/jose" -type d ! -perm 700)"
pdfinfo "$work/jose/letters/example-history-delete.pdf" >"$work/info" 2>&1
check_lacks "PDF metadata carries no name" "$work/info" "Núñez"
check_has "PDF producer is optout" "$work/info" "optout"

# With consent the SSN goes exactly where a procedure requires it.
run packet -p "$ex" -b example-cra -r access --disclose ssn,dob -o "$work/consent" --no-ledger
check_status "packet with --disclose exits 0" 0
pdf_text "$work/consent/letters/example-cra-access.pdf" >"$work/c.txt"
check_has "the FCRA access letter carries the SSN once allowed" "$work/c.txt" "123-45-6789"
check_has "it cites FCRA §609" "$work/c.txt" "1681g"
check_lacks "--no-ledger records nothing" "$work/out" "Recorded"
check_eq "and the ledger still holds only the first packet's six" "6" \
	"$("$OPTOUT" status --json | "$PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)))')"

# Multi-page letters number their pages; print-all.pdf holds every letter.
run packet -p "$fx/profiles/long-address.json" -b example-history -r delete -o "$work/long"
check_status "a letter with many prior addresses is written" 0
pdf_text "$work/long/letters/example-history-delete.pdf" >"$work/long.txt"
check_has "page 1 of 2 or more" "$work/long.txt" "Page 1 of "
check_has "page 2 is numbered" "$work/long.txt" "Page 2 of "
pages=$(pdfinfo "$work/long/letters/example-history-delete.pdf" | sed -n 's/^Pages: *//p')
check_has "the last page says so" "$work/long.txt" "Page $pages of $pages"

# Names in other scripts: Vietnamese, Cyrillic (printed as written), Chinese (Latin form).
run packet -p "$fx/profiles/nguyen-or.json" -b example-history -r access -o "$work/nguyen"
check_status "a Vietnamese name's packet is written" 0
pdf_text "$work/nguyen/letters/example-history-access.pdf" >"$work/n.txt"
check_has "Nguyễn Văn Anh is printed with every diacritic" "$work/n.txt" "Nguyễn Văn Anh"
check_has "an Oregon resident's letter cites Oregon's law" "$work/n.txt" "646A"
run packet -p "$fx/profiles/ivanova-ny.json" -b example-history -r access -o "$work/ivanova"
check_status "a Cyrillic name's packet is written" 0
pdf_text "$work/ivanova/letters/example-history-access.pdf" >"$work/i.txt"
check_has "Мария Иванова is printed as written" "$work/i.txt" "Мария Иванова"
check_has "with the Latin form brokers index" "$work/i.txt" "Maria Ivanova"
check_has "a New York resident gets a courtesy request" "$work/i.txt" "courtesy"
run packet -p "$fx/profiles/chen-il.json" -b example-history -r access -o "$work/chen"
check_status "a Chinese name's packet is written" 0
pdf_text "$work/chen/letters/example-history-access.pdf" >"$work/z.txt"
check_has "a name PDFs cannot print uses the profile's Latin form" "$work/z.txt" "Meiling Chen"
check_pdfs "$work/chen"

# A name that cannot be printed, with no Latin form: refused, and nothing is left behind.
"$PYTHON" - "$fx/profiles/chen-il.json" "$work/nolatin.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1])); del p["names"]["latin"]; p["names"]["aliases"] = []
json.dump(p, open(sys.argv[2], "w"), ensure_ascii=False)
PY
run packet -p "$work/nolatin.json" -b example-cra,example-history -r opt-out,access -o "$work/fail"
check_status "an unprintable name without a Latin form is refused" 65
check_has "the error says what to add" "$work/err" "add its Latin form to the profile (names.latin)"
check_lacks "the error does not print the name" "$work/err" "美玲"
check_eq "a failed run leaves no packet folder" "no" "$([ -e "$work/fail" ] && echo yes || echo no)"
check_eq "and no temporary folder" "" "$(ls "$work" | grep 'fail.tmp' || true)"

# An existing, non-empty folder is never overwritten.
run packet -p "$ex" -b example-cra -o "$work/jose"
check_status "a non-empty output folder is refused with 73" 73
check_has "the error names the folder" "$work/err" "already exists and is not empty"
mkdir "$work/empty"
run packet -p "$ex" -b example-cra -r opt-out -o "$work/empty"
check_status "an empty output folder is used" 0

# The demo: the bundled example over the real registry.
export OPTOUT_DATADIR="$TOP_SRCDIR"
run demo -o "$work/demo"
check_status "optout demo exits 0" 0
check_has "the demo names its fictional person" "$work/out" "fictional"
check_lacks "the demo records nothing in the ledger" "$work/out" "Recorded"
check_pdfs "$work/demo"
all_text "$work/demo" >"$work/demo.txt"
check_lacks "the demo discloses no SSN" "$work/demo.txt" "123-45-6789"
run demo -o "$work/demo"
check_status "running the demo again replaces its earlier packet" 0
check_eq "and leaves nothing beside it" "" "$(ls "$work" | grep -E '^demo\.(old|tmp)-' || true)"
mkdir -p "$work/other" && echo keep >"$work/other/notes.txt"
run demo -o "$work/other"
check_status "the demo never overwrites a folder that is not a packet" 73
check_eq "whose files stay" "keep" "$(cat "$work/other/notes.txt")"
pdf_text "$work/demo/cover.pdf" >"$work/dc.txt"
check_has "the demo cover lists LexisNexis" "$work/dc.txt" "LexisNexis"

# A web sheet gives the text to paste into the form's message field: statute, deadline and,
# for access, the questions about sales to DHS, ICE and CBP (Equifax's CCPA access form).
OPTOUT_DATADIR="$TOP_SRCDIR" run packet -p "$ex" -b equifax -r access -o "$work/eqx" --no-ledger
tr '\n' ' ' <"$work/eqx/web/equifax-access-privacy.txt" | tr -s ' ' >"$work/eqx.flat"
check_has "the access sheet's paste text cites the statute and deadline" "$work/eqx.flat" \
	"I make this access request under the California Consumer Privacy Act (as amended by CPRA) (Cal. Civ. Code §§1798.110, 1798.115). The law gives you 45 calendar days to respond to it (Cal. Civ. Code §1798.130(a)(2)(A); 11 CCR §7021(b)), so I expect your response by 6 January 2027."
check_has "the access sheet's paste text asks about DHS, ICE and CBP" "$work/eqx.flat" \
	"in particular to the Department of Homeland Security (DHS), U.S. Immigration and Customs Enforcement (ICE), U.S. Customs and Border Protection (CBP) or any other law enforcement agency"
check_has "the opt-out sheet's paste text says act on" "$work/jose/web/example-cra-opt-out.txt" "to act on it"

done_testing
