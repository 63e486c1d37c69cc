#!/bin/sh
# The form engine: legal basis by residence, deadlines, and minimal disclosure.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fx="$TOP_SRCDIR/tests/fixtures"
ex="$TOP_SRCDIR/letters/examples/profile.json"
export OPTOUT_TODAY=2026-11-22
# A fixture registry with one invented broker whose procedures exercise every rule.
export OPTOUT_DATADIR="$fx/data"

# json_get FILE EXPR: evaluate a Python expression over the JSON array j.
json_get() { "$PYTHON" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# FCRA for a consumer reporting agency's file; SSN withheld without consent.
run plan -p "$ex" -b example-cra -r access --json
check_status "plan --json exits 0" 0
check_eq "access to a CRA's file stands on FCRA §612" "fcra-612" "$(json_get "$work/out" 'j[0]["law"]')"
check_eq "the SSN-or-licence procedure needs consent" "needs-consent" "$(json_get "$work/out" 'j[0]["status"]')"
check_eq "name and address go out; DOB is sensitive here and withheld" \
	"['name', 'address'] ['dob', 'ssn', 'drivers_license']" \
	"$(json_get "$work/out" 'str(j[0]["disclosed"]) + " " + str(j[0]["withheld"])')"
check_eq "§612 disclosure due in 15 days" "2026-12-07" "$(json_get "$work/out" 'j[0]["due"]')"
check_lacks "the plan shows no SSN" "$work/out" "123-45-6789"
check_lacks "the plan shows no date of birth" "$work/out" "1985-03-14"
check_lacks "the plan shows no name" "$work/out" "José"

# Access to a CRA is two requests: the FCRA file disclosure and the privacy-law request for
# everything outside the file; the second borrows the FCRA address and discloses no more.
check_eq "two access requests to a CRA, on two bases" \
	"[('fcra', 'fcra-612', '15 U.S.C. §1681j'), ('privacy', 'us-ca', 'Cal. Civ. Code §§1798.110, 1798.115')]" \
	"$(json_get "$work/out" 'str([(x["basis"], x["law"], x["citation"]) for x in j])')"
check_eq "the privacy-law request is ready with name and address only, due in 45 days" \
	"ready ['name', 'address'] [] 2027-01-06 postal" \
	"$(json_get "$work/out" 'j[1]["status"] + " " + str(j[1]["disclosed"]) + " " + str(j[1]["withheld"]) + " " + j[1]["due"] + " " + j[1]["channel"]')"
check_has "and says whose address it borrows" "$work/out" "goes to the address of its FCRA procedure"
run plan -p "$fx/profiles/ivanova-ny.json" -b example-cra -r access --json
check_eq "New York: the second request is a courtesy one" "fcra-612 none" \
	"$(json_get "$work/out" 'j[0]["law"] + " " + j[1]["law"]')"
run plan -p "$fx/profiles/mueller-de.json" -b example-cra -r access --json
check_eq "Berlin: the second request stands on the GDPR" "privacy gdpr" \
	"$(json_get "$work/out" 'j[1]["basis"] + " " + j[1]["law"]')"
run plan -p "$ex" -b example-cra -r delete --json
check_eq "deletion at a CRA stays one request" "1 None" \
	"$(json_get "$work/out" 'str(len(j)) + " " + str(j[0].get("basis"))')"
run plan -p "$ex" -b example-cra -r access
check_has "the human plan names both bases" "$work/out" "example-cra — access (consumer file, FCRA): needs-consent"
check_has "the second one too" "$work/out" "example-cra — access (beyond the consumer file, privacy law): ready"

run plan -p "$ex" -b example-cra -r access --disclose ssn,dob --json
check_eq "with --disclose ssn,dob the request is ready" "ready" "$(json_get "$work/out" 'j[0]["status"]')"
check_eq "only the first allowed identifier of the either-or is sent" \
	"['name', 'address', 'dob', 'ssn']" "$(json_get "$work/out" 'str(j[0]["disclosed"])')"
run plan -p "$ex" -b example-cra -r access --disclose drivers_license,dob --json
check_eq "a licence instead of the SSN when only that is allowed" \
	"['name', 'address', 'dob', 'drivers_license']" "$(json_get "$work/out" 'str(j[0]["disclosed"])')"

# The human-readable plan says why the request is held back.
run plan -p "$ex" -b example-cra -r access
check_has "the plan explains the withheld field" "$work/out" "withheld:  dob, ssn, drivers_license — sensitive"
check_has "and how to allow all of it at once" "$work/out" "--disclose dob,ssn,drivers_license"

# California: CCPA, deletion by email (the email address is disclosed because it is the channel).
run plan -p "$ex" -b example-cra -r delete --json
check_eq "a California deletion cites the CCPA" "us-ca" "$(json_get "$work/out" 'j[0]["law"]')"
check_eq "CCPA deletion: 45 calendar days" "2027-01-06 2027-02-20" \
	"$(json_get "$work/out" 'j[0]["due"] + " " + j[0]["extended_due"]')"
check_eq "deletion by email discloses name and email only" "['name', 'email']" \
	"$(json_get "$work/out" 'str(j[0]["disclosed"])')"

# CCPA opt-out: 15 business days with Thanksgiving skipped; written channel before phone,
# even when the written one's record is older.
run plan -p "$ex" -b example-cra -r opt-out --json
check_eq "CCPA opt-out due in 15 business days (Thanksgiving skipped)" "2026-12-14" \
	"$(json_get "$work/out" 'j[0]["due"]')"
check_eq "a web form is chosen over a phone call" "optout-web web" \
	"$(json_get "$work/out" 'j[0]["procedure"] + " " + j[0]["channel"]')"
check_eq "the CAPTCHA and the stale record are noted" "2" "$(json_get "$work/out" 'len(j[0]["notes"])')"

# The holiday list runs to its last day: 2032-12-31 (New Year's Day 2033 observed) is skipped.
OPTOUT_TODAY=2032-12-09 "$OPTOUT" plan -p "$ex" -b example-cra -r opt-out --json >"$work/y2032" 2>&1
check_eq "15 business days from 2032-12-09 skip 24 and 31 December" "2033-01-03" \
	"$(json_get "$work/y2032" 'j[0]["due"]')"

# An EU period ending on a Saturday ends on the next working day (Reg. 1182/71 Art. 3(4));
# the extension runs from the period's own end.
OPTOUT_TODAY=2026-11-26 "$OPTOUT" plan -p "$fx/profiles/mueller-de.json" -b example-cra -r delete --json >"$work/eu" 2>&1
check_eq "one month from 2026-11-26 ends Saturday 26 December: due Monday 28 December" \
	"2026-12-28 2027-02-26" "$(json_get "$work/eu" 'j[0]["due"] + " " + j[0]["extended_due"]')"
OPTOUT_TODAY=2026-11-26 "$OPTOUT" plan -p "$ex" -b example-cra -r delete --json >"$work/us" 2>&1
check_eq "a US calendar-day period is not moved" "2027-01-10" "$(json_get "$work/us" 'j[0]["due"]')"

# Past the years the holiday list covers, the plan says the count skipped no holidays.
OPTOUT_TODAY=2033-03-01 "$OPTOUT" plan -p "$ex" -b example-cra -r opt-out >"$work/far" 2>&1
check_has "a business-day count past the holiday list says so" "$work/far" "holidays that year were not skipped"
check_lacks "not within it" "$work/out" "holidays that year"

# Missing data is a refusal that names the field.
run plan -p "$fx/profiles/minimal-ca.json" -b example-cra -r correct --item "Address: 9 Wrong St" --correct-to "Address: 1 Example Way" --json
check_eq "a profile without what is required: the DOB is there, the ID copy is a document" \
	"ready ['id_copy']" "$(json_get "$work/out" 'j[0]["status"] + " " + str(j[0]["documents"])')"
cp "$fx/profiles/minimal-ca.json" "$work/nodob.json"
"$PYTHON" -c 'import json,sys; p=json.load(open(sys.argv[1])); del p["dob"]; json.dump(p, open(sys.argv[1],"w"))' "$work/nodob.json"
run plan -p "$work/nodob.json" -b example-cra -r correct --item a --correct-to b
check_has "a missing date of birth is a refusal naming it" "$work/out" "refused:   the profile lacks dob"
run plan -p "$fx/profiles/minimal-ca.json" -b example-cra -r correct --json
check_eq "a correction without --item and --correct-to is refused" "missing-data" "$(json_get "$work/out" 'j[0]["status"]')"

# Residence decides the law.
run plan -p "$fx/profiles/nguyen-or.json" -b example-cra -r delete --json
check_eq "Oregon resident: Oregon's law" "us-or" "$(json_get "$work/out" 'j[0]["law"]')"
run plan -p "$fx/profiles/chen-il.json" -b example-cra -r delete --json
check_eq "Illinois resident: a courtesy request" "none False" \
	"$(json_get "$work/out" 'j[0]["law"] + " " + str(j[0]["deadline_binding"])')"
run plan -p "$fx/profiles/chen-il.json" -b example-cra -r delete
check_has "the courtesy deadline is not called a legal one" "$work/out" "a courtesy request, not a legal deadline"
run plan -p "$fx/profiles/ivanova-ny.json" -b example-cra -r delete --json
check_eq "New York resident: no comprehensive law, courtesy request" "none" "$(json_get "$work/out" 'j[0]["law"]')"
run plan -p "$fx/profiles/mueller-de.json" -b example-cra -r delete --json
check_eq "Berlin resident: GDPR, one month" "gdpr 2026-12-22" \
	"$(json_get "$work/out" 'j[0]["law"] + " " + j[0]["due"]')"

# A statutory right with no listed procedure still gets a request, to the broker's written
# privacy contact, carrying only the name and the address to reply to; no statute, no fallback.
run plan -p "$ex" -b example-history -r opt-out --json
check_eq "a California opt-out goes to the broker's privacy office by post" \
	"ready us-ca delete-postal-history postal ['name', 'address'] 2026-12-14" \
	"$(json_get "$work/out" 'j[0]["status"] + " " + j[0]["law"] + " " + j[0]["procedure"] + " " + j[0]["channel"] + " " + str(j[0]["disclosed"]) + " " + j[0]["due"]')"
check_has "the plan says why" "$work/out" "the law gives the right all the same"
run plan -p "$fx/profiles/ivanova-ny.json" -b example-history -r opt-out --json
check_eq "a New York opt-out (no statute) is not sent in the broker's other channel" "no-procedure" \
	"$(json_get "$work/out" 'j[0]["status"]')"

# A procedure is chosen only if it can work. A copy of the fixture registry where the web
# opt-out is defunct, a secondary but recent email opt-out competes with a stale first-hand
# letter, and a deletion form is only for people outside the US.
mkdir -p "$work/av/brokers"
ln -s "$TOP_SRCDIR/letters" "$work/av/letters"
ln -s "$fx/data/brokers/schema.json" "$work/av/brokers/schema.json"
"$PYTHON" - "$fx/data/brokers/example-cra.json" "$work/av/brokers/example-cra.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
P = {p["id"]: p for p in b["procedures"]}
P["optout-web"]["availability"] = {"state": "defunct", "source": {"ref": "test: the page is gone", "as_of": "2026-10"}}
post = {"recipient": "Example Bureau Privacy", "street": ["1 Old Road"], "city": "Springfield",
        "region": "IL", "postal_code": "62701", "country": "US"}
b["procedures"] += [
    {"id": "optout-postal-old", "request": "opt-out", "laws": ["ccpa", "us-state"], "channel": "postal",
     "postal": post, "status": "stale", "sources": [{"ref": "broker's own page", "as_of": "2020-03"}]},
    {"id": "optout-email-recent", "request": "opt-out", "laws": ["ccpa", "us-state"], "channel": "email",
     "email": "optout@bureau.example.org", "status": "unverified",
     "sources": [{"ref": "a 2026 third-party list", "as_of": "2026-09"}]},
    {"id": "gdpr-delete-web", "request": "delete", "laws": ["gdpr"], "channel": "web",
     "url": "https://bureau.example.org/eu", "restricted_to": "outside-us", "status": "current",
     "sources": [{"ref": "test", "as_of": "2026-11"}]},
]
json.dump(b, open(sys.argv[2], "w"))
PY
OPTOUT_DATADIR="$work/av" "$OPTOUT" plan -p "$ex" -b example-cra -r opt-out --json >"$work/av.json" 2>&1
check_eq "the defunct web form is passed over; a recent secondary record beats a 2020 first-hand one" \
	"optout-email-recent email" "$(json_get "$work/av.json" 'j[0]["procedure"] + " " + j[0]["channel"]')"
OPTOUT_DATADIR="$work/av" "$OPTOUT" plan -p "$fx/profiles/mueller-de.json" -b example-cra -r delete --json >"$work/av.json" 2>&1
check_eq "a form for people outside the US is chosen for a Berlin resident" "gdpr-delete-web gdpr" \
	"$(json_get "$work/av.json" 'j[0]["procedure"] + " " + j[0]["law"]')"
OPTOUT_DATADIR="$work/av" "$OPTOUT" plan -p "$ex" -b example-cra -r delete --json >"$work/av.json" 2>&1
check_eq "and never for a California resident" "state-delete-email" "$(json_get "$work/av.json" 'j[0]["procedure"]')"
"$PYTHON" - "$work/av/brokers/example-cra.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
for p in b["procedures"]:
    if p["request"] == "opt-out":
        p["availability"] = {"state": "not-a-request-form", "source": {"ref": "test", "as_of": "2026-11"}}
json.dump(b, open(sys.argv[1], "w"))
PY
OPTOUT_DATADIR="$work/av" "$OPTOUT" plan -p "$ex" -b example-cra -r opt-out --json >"$work/av.json" 2>&1
check_eq "with no working opt-out procedure the right goes to the privacy contact" \
	"ready state-delete-email email" \
	"$(json_get "$work/av.json" 'j[0]["status"] + " " + j[0]["procedure"] + " " + j[0]["channel"]')"
check_has "and the plan says the recorded one does not work" "$work/av.json" "no longer works or is not a way to make it"

# Rights per law: a Utah resident's correction stands on Utah law from 2026-07-01 (HB 418),
# and is a courtesy request the day before; Utah and Iowa deletion reach provided data only.
for st in UT:84101:Salt\ Lake\ City IA:50309:Des\ Moines; do
	"$PYTHON" -c 'import json,sys
p = json.load(open(sys.argv[1])); a = p["addresses"][0]
a["region"], a["postal_code"], a["city"] = sys.argv[3].split(":")
p["addresses"].append({"street": ["1 Former Street"], "city": "Boise", "region": "ID",
    "postal_code": "83702", "country": "US", "from": "2010-01", "to": "2016-03", "current": False})
json.dump(p, open(sys.argv[2], "w"))' "$fx/profiles/nguyen-or.json" "$work/$(echo "$st" | cut -c1-2).json" "$st"
done
run plan -p "$work/UT.json" -b example-cra -r correct --item a --correct-to b --json
check_eq "a Utah correction of a CRA's file is still an FCRA §611 dispute" \
	"fcra-611" "$(json_get "$work/out" 'j[0]["law"]')"
run plan -p "$work/UT.json" -b example-history -r correct --item a --correct-to b --json
check_eq "Utah correction at a non-CRA: Utah law, its section" "us-ut Utah Code §13-61-201(4)" \
	"$(json_get "$work/out" 'j[0]["law"] + " " + j[0]["citation"]')"
OPTOUT_TODAY=2026-06-30 "$OPTOUT" plan -p "$work/UT.json" -b example-history -r correct --item a --correct-to b --json >"$work/ut0" 2>&1
check_eq "the day before HB 418 took effect it is a courtesy request" "none" "$(json_get "$work/ut0" 'j[0]["law"]')"
# flat FILE: the letter's text on one line, so phrases that wrap still match.
flat() { tr '\n' ' ' <"$1" | tr -s ' ' >"$1.flat"; }
run letter -p "$work/UT.json" -b example-history -r delete
flat "$work/out"
check_has "a Utah deletion letter says what the right reaches" "$work/out.flat" "reaches the personal data the consumer provided to the"
check_has "cited to its subsection" "$work/out" "Utah Code §13-61-201(2)"
run letter -p "$work/IA.json" -b example-history -r delete
flat "$work/out"
check_has "an Iowa deletion letter too" "$work/out" "Iowa Code §715D.3(1)(b)"
check_has "Iowa's 90 days cite §715D.3(2)" "$work/out.flat" "within 90 calendar days of receiving it (Iowa Code §715D.3(2))"
check_lacks "a secondary-source fact is not stated as law" "$work/out.flat" "free of charge, at least once"
OPTOUT_TODAY=2026-07-31 "$OPTOUT" letter -p "$ex" -b example-history -r delete >"$work/ca-jul" 2>&1
check_lacks "the \$200-a-day DROP fine is not stated before 2026-08-01" "$work/ca-jul" "\$200"
run letter -p "$ex" -b example-cra -r delete
flat "$work/out"
check_has "and cited to the Delete Act section afterwards" "$work/out.flat" "Cal. Civ. Code §1798.99.82 (Delete Act, SB 362 of 2023)"

# A name in a script US brokers do not index, without its Latin form: the plan says so.
"$PYTHON" -c 'import json,sys; p=json.load(open(sys.argv[1])); del p["names"]["latin"]; json.dump(p, open(sys.argv[2],"w"), ensure_ascii=False)' \
	"$fx/profiles/ivanova-ny.json" "$work/nolatin.json"
run plan -p "$work/nolatin.json" -b example-cra -r delete
check_has "the plan asks for the Latin form of a Cyrillic name" "$work/out" "add its Latin form to the profile (names.latin)"
run plan -p "$fx/profiles/ivanova-ny.json" -b example-cra -r delete
check_lacks "not when the profile has one" "$work/out" "names.latin"

# Errors: bad input names the file and field, never the value.
run plan -p "$fx/profiles-invalid/bad-ssn.json" -b example-cra
check_status "an invalid profile exits 65" 65
check_has "the error names the field" "$work/err" "bad-ssn.json: identifiers.ssn"
run plan -p "$work/no-such.json" -b example-cra
check_status "a missing profile exits 66" 66
run plan -p "$ex" -b no-such-broker
check_status "an unknown broker exits 65" 65
check_has "the unknown broker is named" "$work/err" "no broker with id 'no-such-broker'"
run plan -p "$ex" -b example-cra --scope all
check_status "-b and --scope together are a usage error" 64
run plan -p "$ex" --scope nonsense
check_status "an unknown scope is a usage error" 64
check_has "the unknown scope's message lists the scopes" "$work/err" "curated, government, people-search, registered, all"
run plan -p "$ex" -b example-cra --disclose mothers_maiden_name
check_status "an unknown --disclose field is a usage error" 64

# Each invalid profile fixture is refused at the path EXPECTED names, without its values.
while IFS="$(printf '\t')" read -r file path; do
	[ -n "$file" ] || continue
	run plan -p "$fx/profiles-invalid/$file" -b example-cra
	check_status "$file is refused with 65" 65
	check_has "$file: the error names $path" "$work/err" "$file: $path"
done <"$fx/profiles-invalid/EXPECTED"
run plan -p "$fx/profiles-invalid/bad-email.json" -b example-cra
bad_email=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["emails"][0])' "$fx/profiles-invalid/bad-email.json")
check_lacks "the error does not repeat the bad value" "$work/err" "$bad_email"

# The real registry: every broker plans without error for the example person.
export OPTOUT_DATADIR="$TOP_SRCDIR"
curated=$(ls "$TOP_SRCDIR"/brokers/*.json | grep -vc schema.json)
# Imported records that are not twins of a curated one.
imported=$(ls "$TOP_SRCDIR"/brokers/imported/ | while read -r f; do
	[ -e "$TOP_SRCDIR/brokers/$f" ] || echo "$f"; done | wc -l)
run plan -p "$ex" --all --json
check_status "plan --all over the real registry exits 0" 0
# (opt-out at a nationwide CRA is two: the FCRA prescreen election and the privacy-law opt-out)
nationwide=$(cat "$TOP_SRCDIR"/brokers/*.json | grep -c '"kind": "nationwide"' || true)
check_eq "one plan item per broker and request type, two opt-outs per nationwide CRA" \
	"$(( (curated + imported) * 2 + nationwide ))" "$(json_get "$work/out" 'len(j)')"
run plan -p "$ex" --json
check_eq "without -b, the plan covers the curated records (the default scope)" \
	"$(( curated * 2 + nationwide ))" "$(json_get "$work/out" 'len(j)')"
run plan -p "$ex" --scope government --json
cp "$work/out" "$work/gov-plan"
run brokers list --sells-to-government --json
check_eq "--scope government: exactly the brokers known or declared to sell to government" \
	"$(json_get "$work/out" 'sorted(b["id"] for b in j)')" \
	"$(json_get "$work/gov-plan" 'sorted(set(i["broker"] for i in j))')"
check_lacks "no SSN anywhere in the plan" "$work/out" "6789"
# Which FCRA section: §612 for nationwide and nationwide specialty CRAs, §609 for the others
# (NCTUE's telecom and utility files are not among §1681a(x)'s kinds).
run plan -p "$ex" -b equifax,chexsystems,nctue -r access --json
check_eq "Equifax and ChexSystems §612, NCTUE §609" "['fcra-612', 'fcra-612', 'fcra-609']" \
	"$(json_get "$work/out" 'str([x["law"] for x in j if x.get("basis") == "fcra"])')"
check_eq "every CRA also gets the California request" "['us-ca', 'us-ca', 'us-ca']" \
	"$(json_get "$work/out" 'str([x["law"] for x in j if x.get("basis") == "privacy"])')"
run plan -p "$ex" -b appriss-insights -r access
check_has "Appriss: no consumer channel, said plainly" "$work/out" "No consumer channel is known for Appriss Insights"

done_testing
