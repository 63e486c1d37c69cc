#!/bin/sh
# Labels: a label that gives the person away is refused (never quoting the
# value); a profile without one gets a random label kept in the person's note,
# or is refused on a shared ledger; one label is one person in a ledger (a
# keyed fingerprint, whose key lives beside the ledger, not in it); a batch
# refuses a client list with a repeated label before writing anything; and a
# version-2 ledger migrates.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fx="$TOP_SRCDIR/tests/fixtures"
export OPTOUT_DATADIR="$fx/data" OPTOUT_TODAY=2026-11-22
ex="$TOP_SRCDIR/letters/examples/profile.json"

# with_label LABEL FILE: the example person with this label.
with_label() { sed "s/\"label\": *\"[^\"]*\"/\"label\": \"$1\"/" "$ex" >"$2"; }
# without_label FILE [GIVEN]: the example person (or another given name) with no label.
without_label() {
	"$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("label"); d["names"]["given"]=sys.argv[3] if len(sys.argv) > 3 else d["names"]["given"]; d["names"].pop("aliases", None); d["emails"]=["x%d@example.org" % len(sys.argv)]; json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)' "$ex" "$@"
}

# Labels that give the person away.
for case in "jose-01:names" "NUNEZ-7:names" "c-pena:names" "c-19850314:dob" "c-03-14-1985:dob" \
	"c-3-14-85:dob" "mar14-x:dob" "c-123456789:identifiers.ssn" "c-6789:identifiers.ssn" \
	"c-2135550142:phones" "jnunez-1:names" "c-555-0142:phones"; do
	label=${case%%:*} field=${case#*:}
	with_label "$label" "$work/p.json"
	run plan -p "$work/p.json" -b example-cra -r opt-out
	check_status "label $label is refused" 65
	check_has "label $label: the message names the field ($field)" "$work/err" "label: contains"
	check_has "label $label: ... $field" "$work/err" "($field)"
	check_lacks "label $label: the message does not repeat it" "$work/err" "$label"
done
with_label "x-jose.nunez-x" "$work/p.json"
run plan -p "$work/p.json" -b example-cra -r opt-out
check_has "a label with the email's local part names emails" "$work/err" "(emails)"
for label in client-0042 k-7 employee-7; do
	with_label "$label" "$work/p.json"
	run plan -p "$work/p.json" -b example-cra -r opt-out
	check_status "label $label is accepted" 0
done
check_has "the example profile's label says it is the example's only" "$ex" '"label": "example-person-only"'

# No label, the person's own ledger: a random label from the note, the same next time.
without_label "$work/me.json"
run packet -p "$work/me.json" -b example-cra,example-history -r opt-out -o "$work/a1"
check_status "a profile without a label gets a packet" 0
label=$(sed -n 's/^This profile has no label, so optout gave it one: \(p-[0-9]\{4\}-[0-9]\{4\}\) (kept in .*$/\1/p' "$work/out")
check_eq "it is given a random label, said on stdout" "1" "$(printf '%s' "$label" | grep -c '^p-[0-9]\{4\}-[0-9]\{4\}$')"
check_has "it says where the note is and what to add to the profile" "$work/out" "(kept in $XDG_DATA_HOME/optout/labels). Add \"label\": \"$label\" to the profile"
check_eq "the note is readable by the person only" "600" "$(stat -c %a "$XDG_DATA_HOME/optout/labels")"
check_lacks "the note names nobody" "$XDG_DATA_HOME/optout/labels" "Jos"
check_lacks "the note names nobody (folded)" "$XDG_DATA_HOME/optout/labels" "nunez"
n1=$(sed -n 's/^Recorded \([0-9]*\) requests.*/\1/p' "$work/out")
check_eq "the requests are recorded under that label" "$n1" \
	"$("$OPTOUT" status --client "$label" --json | "$PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)))')"
run packet -p "$work/me.json" -b example-cra,example-history -r opt-out -o "$work/a2"
check_has "the same person gets the same label next time" "$work/out" "optout uses $label, the one it gave this person before"
check_has "and nothing is recorded twice" "$work/out" "Recorded 0 requests"
# A second person on the same laptop is a client of their own.
without_label "$work/other.json" Marisol
run packet -p "$work/other.json" -b example-cra,example-history -r opt-out -o "$work/b1"
check_status "a second person without a label" 0
other=$(sed -n 's/^This profile has no label, so optout gave it one: \(p-[0-9-]*\) .*/\1/p' "$work/out")
check_eq "gets a label of their own" "yes" "$([ -n "$other" ] && [ "$other" != "$label" ] && echo yes)"
check_has "and their own requests (not 'were there already')" "$work/out" "Recorded $n1 requests"
run status --client "$other" --json
check_eq "status finds the second person's requests" "$n1" "$("$PYTHON" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/out")"

# A shared ledger (--ledger FILE) needs the profile's own label.
run packet -p "$work/me.json" -b example-cra -r opt-out -o "$work/s1" --ledger "$work/shared.db"
check_status "no label on a shared ledger is refused" 65
check_has "with a clear message" "$work/err" "label: a ledger named with --ledger is shared, and every person in it needs a label of their own"
check_eq "and nothing is written" "no" "$([ -e "$work/s1" ] && echo yes || echo no)"

# One label, one person.
with_label "client-0042" "$work/c42.json"
run packet -p "$work/c42.json" -b example-cra -r opt-out -o "$work/c1" --ledger "$work/shared.db"
check_status "a label used for the first time" 0
"$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["names"]={"given": "Marisol", "family": "Ejemplo"}; d["emails"]=["m@example.org"]; json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)' "$work/c42.json" "$work/c42-other.json"
run packet -p "$work/c42-other.json" -b example-cra -r opt-out -o "$work/c2" --ledger "$work/shared.db"
check_status "the same label for another person is refused" 65
check_has "with a clear message" "$work/err" "label \"client-0042\" is already used in the ledger $work/shared.db for another person (a different name, or a different state or country of residence): give this profile its own label."
check_eq "nothing is written for them" "no" "$([ -e "$work/c2" ] && echo yes || echo no)"
check_lacks "the message names nobody" "$work/err" "Marisol"
"$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); a=d["addresses"][0]; a.update({"street": ["1 Example Str"], "city": "Berlin", "region": "BE", "postal_code": "10115", "country": "DE"}); d["addresses"]=[a]; json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)' "$work/c42.json" "$work/c42-berlin.json"
run packet -p "$work/c42-berlin.json" -b example-cra -r opt-out -o "$work/c3" --ledger "$work/shared.db"
check_status "the same name under another law (Berlin, GDPR) is refused" 65
"$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["names"]["given"]="JOSE"; d["names"]["family"]="nunez pena"; json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)' "$work/c42.json" "$work/c42-caps.json"
run packet -p "$work/c42-caps.json" -b example-cra -r opt-out -o "$work/c4" --ledger "$work/shared.db"
check_status "the same person written without accents or in capitals is the same client" 0
check_eq "the key is beside the ledger, readable by the person only" "600 32" "$(stat -c '%a %s' "$work/shared.db.key")"
# Whole values only: the ledger's random references, fingerprints and the
# fractions of a second in its timestamps may hold any short run of digits
# (a check for "555" failed once that way), never a whole phone number or date.
for v in José Jose JOSE Núñez Nunez nunez 1985-03-14 "Los Angeles" "Calle Ejemplo" \
	555-0142 5550142 123-45-6789 123456789 Marisol; do
	if grep -aqF "$v" "$work/shared.db" "$work/shared.db-wal" 2>/dev/null; then
		not_ok "the ledger holds no personal data ($v)"; else ok "the ledger holds no personal data ($v)"; fi
done
check_eq "the ledger keeps one fingerprint per label" "1" \
	"$("$PYTHON" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM clients WHERE label = ?", ("client-0042",)).fetchone()[0])' "$work/shared.db")"

# submit --send and followup use the same rule.
run submit -p "$work/c42-other.json" -b example-cra -r opt-out --ledger "$work/shared.db" --send
check_status "submit refuses a label of another person" 65
run followup -o "$work/f1" -p "$work/c42-other.json" --ledger "$work/shared.db"
check_status "followup refuses a label of another person" 65

# batch: a repeated label anywhere in the list stops it before anything is written.
cat >"$work/dup.csv" <<'CSV'
label,given,family,street,city,region,postal_code,country,email
r-1,Ana,Uno,1 Example Way,Los Angeles,CA,90012,US,
r-2,Bea,Dos,2 Example Way,Los Angeles,CA,90012,US,
r-3,Cy,Tres,3 Example Way,Chicago,IL,60601,US,
r-1,Dee,Cuatro,4 Example Way,Chicago,IL,60601,US,
CSV
run batch -c "$work/dup.csv" -b example-history -r access -o "$work/bd" --ledger "$work/bd.db"
check_status "a client list with a repeated label is refused" 65
check_has "naming the label and its rows" "$work/err" "label: \"r-1\" is on more than one row ($work/dup.csv:2, $work/dup.csv:5): every client needs a label of their own"
check_has "and saying nothing was written" "$work/err" "Nothing was written"
check_eq "no folder at all" "no" "$([ -e "$work/bd" ] && echo yes || echo no)"
run status --ledger "$work/bd.db" --json
check_eq "no request recorded" "[]" "$(tr -d ' \n' <"$work/out")"
# A label the ledger has for someone else: that row is refused, the others go on.
cat >"$work/b.csv" <<'CSV'
label,given,family,street,city,region,postal_code,country,email
client-0042,Marisol,Ejemplo,1 Example Way,Los Angeles,CA,90012,US,
r-9,Bea,Dos,2 Example Way,Los Angeles,CA,90012,US,
CSV
run batch -c "$work/b.csv" -b example-history -r access -o "$work/bb" --ledger "$work/shared.db"
check_status "a batch row whose label is another person's is a bad row (65)" 65
check_has "it is reported by its row" "$work/err" "b.csv:2: label \"client-0042\" is already used in the ledger"
check_eq "the other rows are done" "r-9" "$(cd "$work/bb" && ls -d client-* r-* 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"

# A version-2 ledger (written by the previous optout) migrates, and its labels still work.
cp "$fx/ledger/v2.db" "$work/v2.db"
sed 's/"label": *"[^"]*"/"label": "v1-a"/' "$ex" >"$work/v1-a.json"
run packet -p "$work/v1-a.json" -b example-cra -r opt-out,delete -o "$work/m1" --ledger "$work/v2.db"
check_status "a packet against a version-2 ledger" 0
check_eq "it is now at the newest version" "$schema_version" "$("$PYTHON" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA user_version").fetchone()[0])' "$work/v2.db")"
check_has "its open requests keep their old references" "$work/m1/packet.json" "OPT-TM79-JGY0"
check_eq "the label is now tied to this person" "1" \
	"$("$PYTHON" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM clients WHERE label = ?", ("v1-a",)).fetchone()[0])' "$work/v2.db")"
run ledger check --ledger "$work/v2.db"
run mark --ledger "$work/v2.db" OPT-TM79-JGY0 mailed
check_status "mark finds an old reference after the migration" 0

done_testing
