#!/bin/sh
# optout init: a profile made by answering questions, through a real terminal
# (a pseudo-terminal from script(1)) and from standard input; every answer
# checked at once with a human message; the result a valid profile, mode 0600.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

export OPTOUT_TODAY=2026-11-22

# In Spanish, through a pseudo-terminal: "2" picks Spanish; a short ZIP code and
# a number without its area code are refused, then corrected; the state is
# written as people write it; 03/04/1985 is ambiguous and the person picks 2;
# they choose to add an SSN, typed only once the hidden prompt shows (as a
# person would), and the terminal does not echo it.
mkfifo "$work/keys"
script -qec "'$OPTOUT' init -o '$work/es.json'" /dev/null <"$work/keys" >"$work/tty.out" 2>&1 &
pid=$!
cleanup_pids="$cleanup_pids $pid"
exec 3>"$work/keys"
printf '%s\n' 2 'José' 'Núñez Peña' '1234 Calle Ejemplo Apt 5' 'Los Angeles' 'california' \
	9003 90033 'jose@example.org' 555 '(213) 555-0142' 03/04/1985 2 'sí' >&3
# Wait for the SSN prompt (the program's own output, not a timer, decides when to type).
i=0
until tr -d '\r' <"$work/tty.out" | grep -A1 'no se muestra mientras lo escribe' | grep -q '^> '; do
	i=$((i + 1)); [ "$i" -lt 300 ] || break; sleep 0.1
done
printf '%s\n' 123-45-6789 >&3
exec 3>&-
wait "$pid" || true
tr -d '\r' <"$work/tty.out" >"$work/tty.txt"
check_has "the questions are in Spanish" "$work/tty.txt" "¿Cuál es su nombre (o nombres de pila)?"
check_has "each question says why it is asked" "$work/tty.txt" "Las empresas buscan sus datos por su nombre."
check_has "it says only what a broker requires is sent" "$work/tty.txt" "Cada solicitud envía solo lo que exige el procedimiento de esa empresa."
check_has "a bad ZIP code gets a human message" "$work/tty.txt" "Se esperaba un código postal (ZIP) de EE. UU. (12345 o 12345-6789)."
check_lacks "no message shows a regular expression" "$work/tty.txt" "[0-9]{5}"
check_has "a bad phone number gets a human message" "$work/tty.txt" "Se esperaba un número de teléfono con su código de área"
check_has "an ambiguous date is asked about" "$work/tty.txt" "Escriba 1 para el 4 de marzo de 1985, o 2 para el 3 de abril de 1985."
check_has "the SSN is asked only after the person chose to give it" "$work/tty.txt" "Número de Seguro Social (no se muestra mientras lo escribe)."
check_lacks "the SSN is not echoed on the terminal" "$work/tty.txt" "123-45-6789"
check_has "it says where the profile was saved" "$work/tty.txt" "Su perfil quedó guardado en"
if [ -f "$work/es.json" ]; then ok "the profile was written"; else not_ok "the profile was written" "$(tail -20 "$work/tty.txt")"; fi
check_eq "the profile is readable by its owner only" "600" "$(stat -c %a "$work/es.json" 2>/dev/null)"
"$PYTHON" - "$work/es.json" >"$work/fields" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
a = d["addresses"][0]
print(a["region"], a["postal_code"], d["dob"], d["identifiers"]["ssn"], d["language"], d["names"]["family"])
PY
check_eq "the answers are stored in the profile's forms" "CA 90033 1985-04-03 123-45-6789 es Núñez Peña" "$(cat "$work/fields")"
"$PYTHON" -c 'import json, sys, jsonschema
jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))' \
	"$TOP_SRCDIR/letters/profile.schema.json" "$work/es.json" >"$work/schema.out" 2>&1 &&
	ok "an independent validator accepts the profile" || not_ok "an independent validator accepts the profile" "$(cat "$work/schema.out")"
run plan -p "$work/es.json" -b spokeo
check_status "optout accepts the profile it made" 0

# In English, from standard input (--lang en); no SSN unless asked for.
printf '%s\n' Ana Lopez '1 Main St' Houston TX 77023 '' '' 14/03/1985 '' |
	"$OPTOUT" init --lang en -o "$work/en.json" >"$work/en.out" 2>&1 && st=0 || st=$?
check_eq "init works from standard input" 0 "$st"
check_has "the questions are in English" "$work/en.out" "What is your first (given) name?"
check_has "the SSN question says it can be left out" "$work/en.out" "You can always leave it out."
"$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["dob"], "identifiers" in d, d["language"])' "$work/en.json" >"$work/fields"
check_eq "a day-first date is read, and no SSN is stored" "1985-03-14 False en" "$(cat "$work/fields")"

# Answers that end early save nothing.
printf '%s\n' Ana | "$OPTOUT" init --lang en -o "$work/short.json" >"$work/out" 2>"$work/err" && st=0 || st=$?
check_eq "answers that end early fail with 65" 65 "$st"
check_has "it says nothing was saved" "$work/err" "nothing was saved"
if [ -e "$work/short.json" ]; then not_ok "no file is left"; else ok "no file is left"; fi

# An existing profile is not replaced without --force.
printf '\n' | "$OPTOUT" init --lang en -o "$work/en.json" >"$work/out" 2>"$work/err" && st=0 || st=$?
check_eq "an existing file is kept" 73 "$st"
check_has "it says how to replace it" "$work/err" "replace it with --force"

done_testing
