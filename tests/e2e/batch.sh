#!/bin/sh
# Batch filing: a folder and an authorization per client, a summary, every
# request in the ledger once; bad rows reported by line and column while the
# batch goes on; and a run killed with SIGKILL at random points, then run
# again, ends complete with no duplicates and nothing half-written.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fx="$TOP_SRCDIR/tests/fixtures"
export OPTOUT_TODAY=2026-11-22 OPTOUT_DATADIR="$fx/data"
agent="$TOP_SRCDIR/letters/examples/agent.json"

# count_json FILE EXPR: evaluate a Python expression over the JSON value j.
count_json() { "$PYTHON" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# The bundled example list, with an agent.
run batch -c "$TOP_SRCDIR/letters/examples/clients.csv" --agent "$agent" -b example-cra,example-history \
	-r opt-out,access -o "$work/b1" --ledger "$work/b1.db"
check_status "batch over the example clients exits 0" 0
check_eq "a folder per client" "client-0001 client-0002 client-0003 client-0004 client-0005" \
	"$(cd "$work/b1" && ls -d client-* | tr '\n' ' ' | sed 's/ $//')"
for c in client-0001 client-0003; do
	if [ -f "$work/b1/$c/authorization.pdf" ] && [ -f "$work/b1/$c/cover.pdf" ]; then
		ok "$c has its packet and authorization"; else not_ok "$c has its packet and authorization" "$(ls "$work/b1/$c")"; fi
done
"$PDFTOTEXT" -enc UTF-8 "$work/b1/client-0003/authorization.pdf" "$work/auth.txt"
check_has "the authorization names the client as written" "$work/auth.txt" "Мария Иванова"
check_has "the authorization names the agent" "$work/auth.txt" "Community Legal Aid Clinic (Example)"
check_has "the authorization cites 11 CCR §7063 or says how other laws work" "$work/auth.txt" "Business"
"$PDFTOTEXT" -enc UTF-8 "$work/b1/client-0001/authorization.pdf" "$work/auth1.txt"
check_has "a California client's authorization cites 11 CCR §7063" "$work/auth1.txt" "7063"
check_has "and §7026(j) for opt-outs" "$work/auth1.txt" "7026(j)"
check_has "the summary CSV has a header" "$work/b1/summary.csv" "client,status,ready,letters,emails,web,phone,not_included"
check_eq "the summary CSV has a row per client" "5" "$(grep -c '^client-' "$work/b1/summary.csv")"
if [ -f "$work/b1/summary.pdf" ] && "$QPDF" --check "$work/b1/summary.pdf" >/dev/null 2>&1; then
	ok "summary.pdf is a valid PDF"; else not_ok "summary.pdf is a valid PDF"; fi
run status --ledger "$work/b1.db" --json
check_status "status reads the batch's ledger" 0
n1=$(count_json "$work/out" 'len(j)')
# One open ledger request per client, broker and type: a CRA's two access requests share one.
check_eq "the ledger holds exactly the ready requests" \
	"$("$PYTHON" -c 'import glob, json, sys
print(sum(len({(r["broker"], r["request"]) for r in json.load(open(f))["requests"] if r["status"] == "ready"})
          for f in glob.glob(sys.argv[1] + "/client-*/packet.json")))' "$work/b1")" "$n1"
check_eq "references are unique" "$n1" "$(count_json "$work/out" 'len(set(r["reference"] for r in j))')"
check_eq "the ledger holds labels, never names" "0" \
	"$(grep -c -a -e 'Núñez' -e 'Иванова' -e 'example.org' "$work/b1.db" || true)"

# Running it again skips what is done and records nothing twice.
run batch -c "$TOP_SRCDIR/letters/examples/clients.csv" --agent "$agent" -b example-cra,example-history \
	-r opt-out,access -o "$work/b1" --ledger "$work/b1.db"
check_status "a second run exits 0" 0
check_has "the second run skips every client" "$work/out" "(0 new, 5 done before)"
check_has "and records nothing new" "$work/out" "0 requests recorded, $n1 already there"

# On a terminal, a progress bar: done/total, rate, time left.
if command -v script >/dev/null 2>&1; then
	script -qec "\"$OPTOUT\" batch -c \"$TOP_SRCDIR/letters/examples/clients.csv\" -b example-cra -r opt-out -o \"$work/tty\" --ledger \"$work/tty.db\"" /dev/null >"$work/tty.out" 2>&1 || true
	check_has "a terminal shows a progress bar with done/total" "$work/tty.out" "5/5 clients"
	check_has "and the time left" "$work/tty.out" "s left"
	"$OPTOUT" batch -c "$TOP_SRCDIR/letters/examples/clients.csv" -b example-cra -r opt-out -o "$work/notty" --ledger "$work/notty.db" >/dev/null 2>"$work/notty.err"
	check_lacks "without a terminal, no progress bar" "$work/notty.err" "clients,"
fi

# CSV edge cases: BOM, CRLF, quotes, a line break in a quoted field, bad rows.
printf '\357\273\277label,given,family,street,city,region,postal_code,country,email\r\n' >"$work/c.csv"
printf 'q-1,"Ana ""Nana""",Ejemplo,"1 Example Way, Apt 2",Los Angeles,CA,90012,US,ana@example.org\r\n' >>"$work/c.csv"
printf 'q-2,Bea,Ejemplo,"2 Example\r\nWay",Portland,OR,9721,US,\r\n' >>"$work/c.csv"
printf 'q-3,Cy,Ejemplo,3 Example Way\r\n' >>"$work/c.csv"
printf 'q-4,Dee,Ejemplo,4 Example Way,Chicago,IL,60601,US,dee@example.org\r\n' >>"$work/c.csv"
run batch -c "$work/c.csv" -b example-history -r access -o "$work/b2" --ledger "$work/b2.db"
check_status "a batch with bad rows exits 65 after doing the good ones" 65
check_eq "the good rows got folders" "q-1 q-4" "$(cd "$work/b2" && ls -d q-* | tr '\n' ' ' | sed 's/ $//')"
check_has "a bad ZIP code is reported by line and column" "$work/err" "c.csv:3: column postal_code: "
check_lacks "a street over two lines in a cell is two address lines, not an error" "$work/err" "column street"
check_has "a short row is reported by line" "$work/err" "c.csv:5: expected 9 columns as in the header, found 4"
check_lacks "errors do not quote values" "$work/err" "9721"
"$PDFTOTEXT" -enc UTF-8 "$work/b2/q-1/letters/example-history-access.pdf" "$work/q1.txt"
check_has "a quoted field with a comma survives" "$work/q1.txt" "1 Example Way, Apt 2"
check_has "doubled quotes are read as one" "$work/q1.txt" 'Ana "Nana" Ejemplo'

# A JSON client list works the same way.
"$PYTHON" - "$fx/profiles/nguyen-or.json" "$fx/profiles/ivanova-ny.json" >"$work/c.json" <<'PY'
import json, sys
print(json.dumps([json.load(open(f)) for f in sys.argv[1:]], ensure_ascii=False))
PY
run batch -c "$work/c.json" -b example-history -r access -o "$work/b3" --ledger "$work/b3.db"
check_status "a JSON client list is accepted" 0
check_eq "with a folder per client" "fixture-0102 fixture-0105" "$(cd "$work/b3" && ls -d fixture-* | tr '\n' ' ' | sed 's/ $//')"

# Crash and resume: SIGKILL at random points, then run to the end.
"$PYTHON" - "$work/many.csv" <<'PY'
import sys
rows = ["label,given,family,street,city,region,postal_code,country,email"]
states = [("Los Angeles", "CA", "900"), ("Portland", "OR", "972"), ("Chicago", "IL", "606"), ("Denver", "CO", "802")]
for i in range(40):
    city, st, z = states[i % 4]
    rows.append("k-%03d,Given%d,Family%d,%d Example Way,%s,%s,%s%02d,US,k%d@example.org" % (i, i, i, 100 + i, city, st, z, i % 90, i))
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
PY
batch_args="-c $work/many.csv --agent $agent -b example-cra,example-history -r opt-out,delete,access"
# The reference: one uninterrupted run.
"$OPTOUT" batch $batch_args -o "$work/ref" --ledger "$work/ref.db" >/dev/null 2>&1 || true
"$OPTOUT" status --ledger "$work/ref.db" --json >"$work/ref.json"
want=$(count_json "$work/ref.json" 'len(j)')
kills=0
for delay in 0.05 0.3 0.1 0.5 0.2 0.7 0.15 0.4; do
	"$OPTOUT" batch $batch_args -o "$work/crash" --ledger "$work/crash.db" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
	wait "$pid" 2>/dev/null || true
done
run batch $batch_args -o "$work/crash" --ledger "$work/crash.db"
check_status "after $kills kills, a final run completes" 0
check_eq "every client has a complete packet" "40" "$(ls "$work/crash"/k-*/packet.json | wc -l)"
check_eq "nothing half-written is left" "" "$(ls "$work/crash" | grep -E '\.(tmp|old)-' || true)"
"$OPTOUT" status --ledger "$work/crash.db" --json >"$work/crash.json"
check_eq "the ledger holds exactly as many requests as an uninterrupted run" "$want" \
	"$(count_json "$work/crash.json" 'len(j)')"
check_eq "no request is recorded twice" "$want" \
	"$(count_json "$work/crash.json" 'len(set((r["client"], r["broker"], r["request"]) for r in j))')"
# References are random, so a crashed run has others than an uninterrupted one; what
# must hold is that every letter, email and sheet prints the reference the ledger
# recorded for its request, and packet.json says the same.
"$PYTHON" - "$work/crash" "$work/crash.json" "$PDFTOTEXT" >"$work/refcheck" <<'PY'
import json, os, re, subprocess, sys
top, ledger, pdftotext = sys.argv[1:4]
recorded = {(r["client"], r["broker"], r["request"]): r["reference"] for r in json.load(open(ledger))}
files = bad = 0
for client in sorted(os.listdir(top)):
    pj = os.path.join(top, client, "packet.json")
    if not os.path.exists(pj):
        continue
    for it in json.load(open(pj))["requests"]:
        if it["status"] != "ready":
            continue
        want = recorded.get((client, it["broker"], it["request"]))
        if it["reference"] != want:
            bad += 1
            print("packet.json", client, it["broker"], it["request"], it["reference"], want)
        path = os.path.join(top, client, it["file"])
        text = (subprocess.run([pdftotext, path, "-"], capture_output=True, text=True).stdout
                if path.endswith(".pdf") else open(path, encoding="utf-8").read())
        refs = set(re.findall(r"OPT-[0-9A-Z]{4}-[0-9A-Z]{4}", text))
        files += 1
        if refs != {want}:
            bad += 1
            print(it["file"], client, sorted(refs), want)
print(files, bad)
PY
check_eq "every letter, email and sheet prints the reference the ledger recorded" \
	"$want 0" "$(tail -1 "$work/refcheck")"
check_eq "every reference is new: none from the uninterrupted run" "0" \
	"$("$PYTHON" -c 'import json,sys; a={r["reference"] for r in json.load(open(sys.argv[1]))}; b={r["reference"] for r in json.load(open(sys.argv[2]))}; print(len(a & b))' "$work/ref.json" "$work/crash.json")"
cmp_ok=yes
# The words, not the line breaks: a random reference is wider or narrower in a
# proportional font, so a paragraph holding it may wrap at another word.
for f in "$work/ref"/k-007/letters/*.pdf; do
	"$PDFTOTEXT" "$f" - | sed 's/OPT-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}/OPT-REF/g' | tr -s ' \n\f' '   ' >"$work/a.txt"
	"$PDFTOTEXT" "$work/crash/k-007/letters/$(basename "$f")" - | sed 's/OPT-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}/OPT-REF/g' | tr -s ' \n\f' '   ' >"$work/b.txt"
	cmp -s "$work/a.txt" "$work/b.txt" || cmp_ok=no
done
check_eq "letters after a crash read the same as without one, but for the reference" "yes" "$cmp_ok"

done_testing
