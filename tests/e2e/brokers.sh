#!/bin/sh
# The broker registry: every record valid under both the C validator and an
# independent JSON Schema validator; each invalid fixture rejected by both at
# the same JSON path; list/show/search output.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

schema="$TOP_SRCDIR/brokers/schema.json"
checker="$TOP_SRCDIR/tests/tools/jsonschema-check.py"
bad="$TOP_SRCDIR/tests/fixtures/brokers-invalid"
files=$(ls "$TOP_SRCDIR"/brokers/*.json "$TOP_SRCDIR"/brokers/imported/*.json | grep -vc '/schema.json$')
# An imported twin of a curated record (same id) joins it: one broker, two files.
count=$(ls "$TOP_SRCDIR"/brokers/*.json "$TOP_SRCDIR"/brokers/imported/*.json | grep -v '/schema.json$' |
	sed 's|.*/||' | sort -u | wc -l)

# The whole registry, both ways.
run brokers validate
check_status "optout brokers validate accepts the registry" 0
check_eq "it counts every broker file" "$files broker files are valid" "$(cat "$work/out")"
if "$PYTHON" "$checker" "$schema" $(ls "$TOP_SRCDIR"/brokers/*.json "$TOP_SRCDIR"/brokers/imported/*.json | grep -v '/schema.json$') >"$work/py" 2>&1; then
	ok "python3-jsonschema accepts every broker file"
else
	not_ok "python3-jsonschema accepts every broker file" "$(head -c 3000 "$work/py")"
fi
if [ "$count" -ge 40 ]; then ok "at least 40 brokers ($count)"; else not_ok "at least 40 brokers" "$count"; fi

# Each invalid fixture: both validators reject it and name the same path.
while IFS="$(printf '\t')" read -r file path; do
	[ -n "$file" ] || continue
	run brokers validate "$bad/$file"
	check_status "C validator rejects $file with 65" 65
	# A parse error (a duplicate key) has no path: the C loader gives its line and column.
	if [ "$path" = "(top)" ] && grep -Eq "$file:[0-9]+:[0-9]+: " "$work/err"; then
		ok "C validator places the parse error in $file by line and column"
	else
		check_has "C validator names $path in $file" "$work/err" "$file: $path"
	fi
	if "$PYTHON" "$checker" "$schema" "$bad/$file" >"$work/py" 2>&1; then
		not_ok "python3-jsonschema rejects $file" "it accepted it"
	else
		check_has "python3-jsonschema names $path in $file" "$work/py" "$file: $path"
	fi
done <"$bad/EXPECTED"
check_eq "every invalid fixture is listed in EXPECTED" \
	"$(ls "$bad" | grep -c '\.json$')" "$(grep -c '\.json' "$bad/EXPECTED")"

# An enum error reads as the conventions say.
run brokers validate "$bad/bad-enum.json"
check_has "enum error lists the allowed values" "$work/err" \
	'"mail" is not one of web, email, postal, phone, fax'

# list and its filters.
run brokers list
check_status "list exits 0" 0
check_eq "list prints a header and one line per broker" "$((count + 1))" "$(wc -l <"$work/out")"
run brokers list --sells-to-government --json
check_status "list --sells-to-government --json exits 0" 0
gov_ids=$("$PYTHON" -c 'import json,sys; print(" ".join(sorted(b["id"] for b in json.load(open(sys.argv[1])))))' "$work/out")
all_gov=$("$PYTHON" -c 'import json,sys,glob
ids=[]
for f in glob.glob(sys.argv[1]+"/brokers/*.json"):
    if f.endswith("schema.json"): continue
    b=json.load(open(f))
    if b["sells_to_government"]: ids.append(b["id"])
print(" ".join(sorted(ids)))' "$TOP_SRCDIR")
check_eq "--sells-to-government selects exactly the flagged records" "$all_gov" "$gov_ids"
case " $gov_ids " in *" lexisnexis-risk "*) ok "LexisNexis Risk is flagged as selling to government" ;;
*) not_ok "LexisNexis Risk is flagged as selling to government" "$gov_ids" ;; esac
run brokers list --channel postal --request access
check_status "list --channel --request exits 0" 0
check_has "postal access brokers include Equifax" "$work/out" "equifax"
run brokers list --request nonsense
check_status "a bad --request is a usage error" 64
check_has "a bad --request names the allowed values" "$work/err" "is not one of access, delete, opt-out, correct"
export OPTOUT_TODAY=2026-11-22
run brokers list --stale 100000
check_eq "--stale with a huge window selects nothing" "1" "$(wc -l <"$work/out")"
export OPTOUT_TODAY=2100-01-01
run brokers list --stale 1
check_eq "--stale 1 in 2100 selects every broker" "$((count + 1))" "$(wc -l <"$work/out")"
unset OPTOUT_TODAY

# show: a person can read what a procedure needs.
run brokers show lexisnexis-risk
check_status "show exits 0" 0
check_has "show names the broker" "$work/out" "LexisNexis Risk Solutions (lexisnexis-risk)"
check_has "show lists procedures" "$work/out" "Procedures:"
check_has "show gives sources with dates" "$work/out" "(as of "
check_has "show says what is required" "$work/out" "Requires: "
run brokers show appriss-insights
check_status "show appriss-insights exits 0" 0
check_has "Appriss: the tool says plainly that no consumer channel is known" "$work/out" \
	"No consumer channel is known for this broker."
run brokers show no-such-broker
check_status "show of an unknown id exits 65" 65
check_has "show of an unknown id names it" "$work/err" "no broker with id 'no-such-broker'"
run brokers show equifax --json
check_eq "show --json prints the record" "equifax" \
	"$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/out")"

# search ignores case and accents, and looks at aliases.
run brokers search ACCURINT
check_status "search by alias exits 0" 0
check_has "search by alias finds LexisNexis" "$work/out" "lexisnexis-risk"
run brokers search "thómson"
check_has "search ignores accents" "$work/out" "thomson-reuters"
run brokers search zzzznothing
check_status "search with no match exits 1" 1

done_testing
