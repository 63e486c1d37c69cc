#!/bin/sh
# Human messages: bad input is explained in words (never a regular expression,
# never the value), common ways of writing states, ZIP codes, countries and
# dates are accepted, and a mistyped command or broker id gets a suggestion.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fx="$TOP_SRCDIR/tests/fixtures"
export OPTOUT_TODAY=2026-11-22 OPTOUT_DATADIR="$fx/data"

# Profiles: the schema's patterns are explained in words.
run plan -p "$fx/profiles-invalid/bad-postal-us.json" -b example-cra
check_status "a bad ZIP code is bad data" 65
check_has "a bad ZIP code is explained" "$work/err" "addresses[0].postal_code: expected a US ZIP code (12345 or 12345-6789)"
check_lacks "no regular expression is shown" "$work/err" "pattern"
run plan -p "$fx/profiles-invalid/bad-ssn.json" -b example-cra
check_has "a bad SSN is explained without its value" "$work/err" "identifiers.ssn: expected a Social Security number as 123-45-6789 or nine digits"
check_lacks "the SSN message has no regular expression" "$work/err" "[0-9]{3}"
run plan -p "$fx/profiles-invalid/bad-phone.json" -b example-cra
check_has "a bad phone number is explained" "$work/err" "phones[0]: expected a phone number such as (213) 555-0142"

# The batch CSV: states by name, ZIP codes of nine digits, country names and
# month-first or day-first dates are read; an ambiguous date is explained.
cat >"$work/clients.csv" <<'CSV'
label,given,family,dob,street,city,region,postal_code,country
c-1,Ana,Lopez,03/14/1985,1 Main St,Los Angeles,california,900331234,USA
c-2,Bea,Ruiz,05/06/1985,2 Main St,Los Angeles,CA,90033,US
c-3,Cid,Diaz,25/12/1980,3 Main St,New York,Nueva York,10001,Estados Unidos
c-4,Dan,Paz,1985-03-14,4 Main St,Los Angeles,CA,9003,US
CSV
run batch -c "$work/clients.csv" -b example-cra -r opt-out -o "$work/b" --ledger "$work/l.db"
check_status "rows with errors make the run end in 65" 65
check_has "a state name, a 9-digit ZIP and USA are read" "$work/b/summary.csv" "c-1,written"
check_has "a Spanish state name, a day-first date and Estados Unidos are read" "$work/b/summary.csv" "c-3,written"
check_has "an ambiguous date is explained" "$work/err" "clients.csv:3: column dob: expected a date as YYYY-MM-DD"
check_has "the explanation says why the date was not read" "$work/err" "not a date such as 03/04/1985 that reads two ways"
check_has "a short ZIP code in the CSV is explained" "$work/err" "clients.csv:5: column postal_code: expected a US ZIP code (12345 or 12345-6789)"
check_lacks "no CSV message shows a regular expression" "$work/err" "{5}"
check_lacks "no CSV message shows the person's own date" "$work/err" "05/06/1985"

# Did you mean: commands and broker ids.
run pakcet
check_status "a mistyped command is a usage error" 64
check_has "a mistyped command gets a suggestion" "$work/err" "unknown command 'pakcet'. Did you mean 'packet'?"
run xyzzy
check_lacks "a word like no command gets no suggestion" "$work/err" "Did you mean"
run plan -p "$TOP_SRCDIR/letters/examples/profile.json" -b example-crs
check_has "a mistyped broker id gets a suggestion" "$work/err" "no broker with id 'example-crs': did you mean 'example-cra'?"
run plan -p "$TOP_SRCDIR/letters/examples/profile.json" -b nosuchbroker
check_has "an unknown broker id points to search" "$work/err" "(try 'optout brokers search WORD')"

done_testing
