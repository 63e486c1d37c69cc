#!/bin/sh
# The command line in Spanish (LANGUAGE=es over C.UTF-8, see TESTING-ON-DEBIAN.md):
# errors of mark and batch, what mark and status say, the plan's periods, notes and
# refusals, a send dry run, and the Spanish cover, each asserted word for word; then a
# third language added with translators' files only (letters/fr, a po file).
. "$TOP_SRCDIR/tests/e2e/lib.sh"

ex="$TOP_SRCDIR/letters/examples/profile.json"
export OPTOUT_DATADIR="$TOP_SRCDIR/tests/fixtures/data" OPTOUT_TODAY=2026-12-07
export LANGUAGE=es LANG=C.UTF-8
unset LC_ALL LC_MESSAGES
L="$work/l.db"

# ---- run from the build folder without OPTOUT_LOCALEDIR (as the README's ./optout) ----
# optout finds the catalogues the build made beside it, in po/locale.
if [ -d "$(dirname "$OPTOUT")/po/locale" ]; then
	(unset OPTOUT_LOCALEDIR; "$OPTOUT" --help) >"$work/help" 2>&1 || true
	check_has "./optout finds its build's catalogues without OPTOUT_LOCALEDIR" "$work/help" "Uso: optout"
fi
# ---- a Spanish locale the system has not generated (a fresh Debian has only C.UTF-8) ----
# LANG=es_US.UTF-8 alone must still give Spanish, not silent English; a language
# without a catalogue gives English; LANGUAGE, when set, still decides.
(unset LANGUAGE; LANG=es_US.UTF-8 "$OPTOUT" --help) >"$work/help-es" 2>&1 || true
check_has "LANG=es_US.UTF-8 alone gives Spanish" "$work/help-es" "Uso: optout"
(unset LANGUAGE; LANG=es_MX.UTF-8 "$OPTOUT" mark OPT-AAAA-1111 frobbed --ledger "$L") >"$work/mark-es" 2>&1 || true
check_has "and Spanish errors" "$work/mark-es" "no es ninguno de mailed"
(unset LANGUAGE; LANG=fr_FR.UTF-8 "$OPTOUT" --help) >"$work/help-fr" 2>&1 || true
check_has "a language without a catalogue gives English" "$work/help-fr" "Usage: optout"
(LANGUAGE=en LANG=es_US.UTF-8 "$OPTOUT" --help) >"$work/help-en" 2>&1 || true
check_has "LANGUAGE still decides" "$work/help-en" "Usage: optout"
(unset LANGUAGE; LANG=C "$OPTOUT" --help) >"$work/help-c" 2>&1 || true
check_has "the C locale stays English" "$work/help-c" "Usage: optout"

rm -rf "$work/held"
(unset OPTOUT_LOCALEDIR; "$OPTOUT" packet -p "$ex" -b example-cra -r access -o "$work/held" \
	--no-ledger) >"$work/held.out" 2>&1 || true
check_has "the consent hint names the field in Spanish" "$work/held.out" "(por ejemplo Fecha de nacimiento)"

# ---- mark: usage errors --------------------------------------------------------
run mark OPT-AAAA-1111 frobbed --ledger "$L"
check_status "an unknown state is a usage error" 64
check_has "and is named in Spanish" "$work/err" \
	"optout: mark: «frobbed» no es ninguno de mailed, delivered, acknowledged, extended, completed, denied, sent, failed"
check_has "with the Spanish pointer to the help" "$work/err" "Pruebe «optout mark --help»."
run mark OPT-AAAA-1111 sent --reason "No." --ledger "$L"
check_has "--reason without denied is explained in Spanish" "$work/err" \
	"--reason va con «denied»: anota lo que dijo la empresa al negarse (use --note para sus propias notas)"
run mark OPT-AAAA-1111 delivered --note x --ledger "$L"
check_has "--note with delivered is refused in Spanish" "$work/err" "--note no va con «delivered»"

# ---- batch: options and a client without a label ---------------------------------
run batch -c "$work/none.csv" -o "$work/x" --account clinic
check_status "--account without --send is a usage error" 64
check_has "and says so in Spanish" "$work/err" "optout: batch: --account, --sendmail y --config van con --send"
cat >"$work/c.csv" <<'CSV'
label,given,family,street,city,region,postal_code,country,email,dob,drivers_license,drivers_license_region
tx-1,Eva,Ejemplo,4 Example Way,Austin,TX,78701,US,eva@example.org,1980-01-02,T1234567,TX
,Ana,Sin,1 Main St,Austin,TX,78701,US,,,,
CSV
run batch -c "$work/c.csv" -b example-cra -r access --disclose dob,drivers_license -o "$work/b" --ledger "$L"
check_status "a row without a label is bad data" 65
check_has "the missing label is named with its file and line, in Spanish" "$work/err" \
	"c.csv:3: label: cada cliente necesita una etiqueta (da nombre a su carpeta y a sus entradas en el registro)"
check_has "the summary counts without a broken plural" "$work/out" \
	"clientes: 1 (nuevos: 1; hechos antes: 0); filas sin procesar: 1"
check_has "the ledger line is in Spanish" "$work/out" "l.db: solicitudes anotadas: 2; ya estaban:"
check_has "the batch points to the summary in Spanish" "$work/out" \
	"la carpeta de cada cliente empieza con cover.pdf."

# ---- mark and status ----------------------------------------------------------------
ref=$("$OPTOUT" status --ledger "$L" --json | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[0]["reference"])')
run mark "$ref" mailed --ledger "$L"
check_status "mark mailed works in Spanish" 0
check_has "mark mailed gives the period in Spanish words" "$work/out" \
	"$ref: enviada por correo el 2026-12-07; fecha límite 2026-12-29 (15 días naturales desde el 2026-12-14, la entrega prevista después del plazo de tránsito del correo)."
check_has "and how to record the delivery" "$work/out" \
	"Cuando la entreguen, ejecute «optout mark $ref delivered --date AAAA-MM-DD»"
run status --ledger "$L"
check_has "status says where the clock starts, in Spanish" "$work/out" "2026-12-14 correo est."
check_has "status gives the days left with the Spanish plural" "$work/out" "22 días"
check_has "status's totals are in Spanish" "$work/out" "2 solicitudes: 1 esperando respuesta, 0 vencidas, 0 por revisar."
run status --ledger "$L" --json
check_has "the JSON for scripts stays in English" "$work/out" '"deadline": "15 calendar days"'
OPTOUT_TODAY=2026-12-11 run mark "$ref" delivered --date 2026-12-10 --ledger "$L"
check_has "mark delivered counts from receipt, in Spanish" "$work/out" \
	"$ref: entregada el 2026-12-10; fecha límite 2026-12-25 (15 días naturales desde el día de recepción)."

# ---- plan: periods, notes and refusals -------------------------------------------------
run plan -p "$ex" -b example-cra -r access
check_has "the plan names the consumer-file basis in Spanish" "$work/out" \
	"example-cra — access (expediente del consumidor, FCRA): needs-consent"
check_has "the plan's period is in Spanish" "$work/out" "2027-01-21 (45 días naturales, fijado por la ley)"
check_has "the plan's note is in Spanish" "$work/out" \
	"así que la carta va a la dirección de su procedimiento de la FCRA"
check_lacks "no English note is left" "$work/out" "The broker lists no procedure"
run plan -p "$ex" -b example-cra -r freeze
check_has "a request the broker does not take is refused in Spanish" "$work/out" \
	"No se conoce ningún procedimiento de Example Consumer Data Bureau para solicitudes de tipo freeze."

# ---- send: a dry run ----------------------------------------------------------------------
run send -p "$ex" -b example-cra -r delete --sendmail /bin/true
check_status "a send dry run works in Spanish" 0
check_has "the dry run says nothing was sent, in Spanish" "$work/out" \
	"example-cra — delete: simulación (no se envió nada; añada --send para enviar)"
check_has "the dry run names the command it would use" "$work/out" "  por:       la orden /bin/true"
run send -p "$ex" -b example-cra -r delete --sendmail ""
check_has "an empty --sendmail is refused in Spanish" "$work/err" "--sendmail: la orden está vacía"

# ---- the Spanish cover names every request type ------------------------------------------
OPTOUT_DATADIR="$TOP_SRCDIR" run packet -p "$ex" -b equifax,chexsystems -r freeze --disclose dob,ssn \
	-o "$work/fz" --no-ledger --lang es
check_status "a Spanish freeze packet is written" 0
"$PDFTOTEXT" -enc UTF-8 "$work/fz/cover.pdf" - | tr '\n' ' ' | tr -s ' ' >"$work/fz.txt"
check_has "the Spanish cover's table words a freeze" "$work/fz.txt" "congelar el expediente"

# ---- a third language needs only translators' files ----------------------------------------
# A data folder whose letters/ gains fr/ (a cover and language.json), and a French
# catalogue built from a po file: no code names the language.
mkdir -p "$work/fr-data/letters/fr" "$work/locale/fr/LC_MESSAGES"
ln -s "$TOP_SRCDIR/brokers" "$work/fr-data/brokers"
for f in "$TOP_SRCDIR"/letters/*; do ln -s "$f" "$work/fr-data/letters/"; done
sed 's/^# Your data-broker request packet$/# Votre dossier de demandes aux courtiers de données/' \
	"$TOP_SRCDIR/letters/cover.mustache" >"$work/fr-data/letters/fr/cover.mustache"
cat >"$work/fr-data/letters/fr/language.json" <<'JSON'
{"language": "fr", "name": "Français", "date": "{day} {month} {year}",
 "months": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
            "septembre", "octobre", "novembre", "décembre"]}
JSON
cat >"$work/fr.po" <<'PO'
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\n"

msgid "--note does not go with 'delivered'"
msgstr "--note ne va pas avec « delivered »"
PO
"$MSGFMT" --check -o "$work/locale/fr/LC_MESSAGES/optout.mo" "$work/fr.po" 2>/dev/null
OPTOUT_DATADIR="$work/fr-data" run packet -p "$ex" -b spokeo -o "$work/fr" --no-ledger --lang fr
check_status "a packet in a language added by translators is written" 0
"$PDFTOTEXT" -enc UTF-8 "$work/fr/cover.pdf" - >"$work/fr.txt"
check_has "its cover comes from letters/fr" "$work/fr.txt" "Votre dossier de demandes aux courtiers de données"
check_has "its date follows letters/fr/language.json" "$work/fr.txt" "7 décembre 2026"
OPTOUT_DATADIR="$work/fr-data" run init --lang fr -o "$work/fr.json" </dev/null
check_has "init takes the added language (the interview starts, then input ends)" "$work/err" \
	"the answers ended before the last question"
OPTOUT_DATADIR="$work/fr-data" run init --lang zz -o "$work/zz.json" </dev/null
check_status "init refuses a language nobody translated" 64
check_has "and says why in Spanish" "$work/err" "«zz» no es en ni un idioma con sus propias páginas en letters/"
OPTOUT_LOCALEDIR="$work/locale" LANGUAGE=fr run mark OPT-AAAA-1111 delivered --note x --ledger "$L"
check_has "the messages follow a catalogue added as a po file" "$work/err" "--note ne va pas avec « delivered »"

done_testing
