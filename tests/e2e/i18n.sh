#!/bin/sh
# Spanish: the person's pages (cover, authorization, sheets) chosen by the
# profile's language or --lang, letters to brokers still in English, and a
# complete message catalogue.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

ex="$TOP_SRCDIR/letters/examples"
export OPTOUT_TODAY=2026-11-22
pdf_text() { "$PDFTOTEXT" -enc UTF-8 "$1" -; }

# The example profile says "language": "es".
run packet -p "$ex/profile.json" -b spokeo,lexisnexis-risk -o "$work/es" --agent "$ex/agent.json" --no-ledger
check_status "a Spanish packet is written" 0
pdf_text "$work/es/cover.pdf" >"$work/cover.txt"
check_has "the cover is in Spanish" "$work/cover.txt" "Su paquete de solicitudes a los corredores de datos"
check_has "the cover's date is written in Spanish" "$work/cover.txt" "Preparado el 22 de noviembre de 2026"
tr '\n' ' ' <"$work/cover.txt" | tr -s ' ' >"$work/cover.flat"
check_has "a Californian's first step is DROP, filed by the client" "$work/cover.flat" "1. Primero, use la plataforma de California"
check_has "the client files DROP, not the agent" "$work/cover.flat" "DROP comprueba que la persona vive en California, así que la presenta el cliente"
check_has "the cover's next step is the letters to mail" "$work/cover.txt" "2. Cartas para imprimir, firmar y enviar por correo: 1"
check_has "the cover gives the time in plain words" "$work/cover.txt" "En total le llevarán unos"
check_has "the cover names the request types in Spanish" "$work/cover.txt" "no vender"
check_has "the cover puts government sellers first" "$work/cover.txt" "Empiece por estas empresas: venden datos personales a agencias del gobierno"
check_has "the cover flags contacts not confirmed lately" "$work/cover.txt" "(revisar)"
check_lacks "the cover has no English heading" "$work/cover.txt" "Your data-broker request packet"
# The steps are the first page; the table comes after.
first=$("$PDFTOTEXT" -enc UTF-8 -f 1 -l 1 "$work/es/cover.pdf" -)
case $first in *"Todas las solicitudes"*) not_ok "the table is not on the first page" ;; *) ok "the table is not on the first page" ;; esac

pdf_text "$work/es/authorization.pdf" >"$work/auth.txt"
check_has "the authorization is in Spanish" "$work/auth.txt" "Autorización de un agente autorizado"
check_has "the Spanish authorization names the person" "$work/auth.txt" "Yo, José Núñez Peña, con domicilio en"
check_has "the Spanish authorization cites the CCPA regulation" "$work/auth.txt" "11 CCR §7063(a)(1)"
check_has "the Spanish authorization gives the end date in Spanish" "$work/auth.txt" "termina el 22 de noviembre de 2027"
check_has "the English authorization follows for the businesses" "$work/auth.txt" "I, José Núñez Peña, of"
check_has "the English authorization ends on the English date" "$work/auth.txt" "it ends on 22 November 2027"

check_has "the web sheet is in Spanish" "$work/es/web/spokeo-opt-out.txt" "Abra esta página: https://"
check_has "the web sheet flags a stale contact" "$work/es/web/spokeo-opt-out.txt" "Revise primero"
check_has "the web sheet's deadline is in Spanish" "$work/es/web/spokeo-opt-out.txt" "plazo legal"

# The letter to the broker stays in English.
pdf_text "$work/es/letters/lexisnexis-risk-delete.pdf" >"$work/letter.txt"
check_has "the letter to the broker is in English" "$work/letter.txt" "Dear"

# A Spanish reading copy of the letter, marked as a translation, is not sent.
tr="$work/es/translations/lexisnexis-risk-delete.pdf"
if [ -f "$tr" ]; then ok "the packet has a Spanish reading copy of the letter"; else
	not_ok "the packet has a Spanish reading copy of the letter" "$(cd "$work/es" && find . -type f)"; fi
"$PDFTOTEXT" -enc UTF-8 -f 1 -l 1 "$tr" - 2>/dev/null | tr '\n' ' ' >"$work/copy1.txt" || true
check_has "the reading copy says on its first page that it is a translation" "$work/copy1.txt" "Traducción para su información; la carta que usted firma y envía es la versión en inglés."
pdf_text "$tr" >"$work/copy.txt" 2>/dev/null || true
check_has "the reading copy is the deletion letter in Spanish" "$work/copy.txt" "Mi cliente es residente de California."
check_has "the reading copy keeps the citations" "$work/copy.txt" "Cal. Civ. Code §1798.105"
check_has "the reading copy words the deadline in Spanish" "$work/copy.txt" "45 días naturales"
check_has "the reading copy is not for signing" "$work/copy.txt" "Esta copia no lleva firma"
check_lacks "the letter that is sent has no Spanish" "$work/letter.txt" "Traducción"
pdf_text "$work/es/print-all.pdf" >"$work/all.txt"
check_lacks "print-all.pdf holds no reading copy" "$work/all.txt" "Traducción"
check_has "the cover points to the reading copies" "$work/cover.txt" "translations/ tiene una copia en español"

# An Oregon deletion by email gets its reading copy too (the US state family).
OPTOUT_DATADIR="$TOP_SRCDIR/tests/fixtures/data" run packet -p "$TOP_SRCDIR/tests/fixtures/profiles/nguyen-or.json" \
	-b example-cra -r delete -o "$work/or" --no-ledger --lang es
check_status "an Oregon packet in Spanish is written" 0
pdf_text "$work/or/translations/example-cra-delete.pdf" 2>/dev/null | tr "\n" " " | tr -s " " >"$work/or.txt" || true
check_has "the state-law reading copy is in Spanish" "$work/or.txt" "la ley de privacidad del consumidor del estado"
check_has "the state-law reading copy keeps the section" "$work/or.txt" "ORS 646A.574(1)(c)"

# A credit bureau's FCRA file disclosure, and a California access request.
run packet -p "$ex/profile.json" -b experian -r access -o "$work/fcra" --no-ledger
pdf_text "$work/fcra/translations/experian-access.pdf" >"$work/fcra.txt" 2>/dev/null || true
check_has "the FCRA reading copy words the §612 deadline in Spanish" "$work/fcra.txt" "Deben darla dentro de un plazo de 15 días naturales"
check_has "the FCRA reading copy asks about sales to ICE" "$work/fcra.txt" "Servicio de Inmigración y Control de Aduanas (ICE)"
OPTOUT_DATADIR="$TOP_SRCDIR/tests/fixtures/data" run packet -p "$ex/profile.json" -b example-history -r access -o "$work/ccpa-access" --no-ledger
pdf_text "$work/ccpa-access/translations/example-history-access.pdf" >"$work/acc.txt" 2>/dev/null || true
check_has "the CCPA access reading copy lists what is asked" "$work/acc.txt" "las categorías de datos personales que han recopilado sobre mí"

# A courtesy request (no statute in Illinois) for a name in Chinese script: the
# reading copy, like the letter, uses the Latin form the PDF can print.
OPTOUT_DATADIR="$TOP_SRCDIR/tests/fixtures/data" run packet -p "$TOP_SRCDIR/tests/fixtures/profiles/chen-il.json" \
	-b example-cra -r delete -o "$work/il" --no-ledger --lang es
check_status "a Spanish packet for a name in Chinese script is written" 0
pdf_text "$work/il/translations/example-cra-delete.pdf" >"$work/il.txt" 2>/dev/null || true
check_has "the courtesy reading copy says no law applies" "$work/il.txt" "Ninguna ley de privacidad me"
check_has "the courtesy reading copy claims no legal deadline" "$work/il.txt" "Ninguna ley fija un plazo para esta solicitud."

# An FCRA §611 dispute: its reading copy words both periods in Spanish.
OPTOUT_DATADIR="$TOP_SRCDIR/tests/fixtures/data" run packet -p "$ex/profile.json" -b example-cra -r correct \
	-o "$work/disp" --no-ledger --item Address --correct-to Other --evidence "A bill"
pdf_text "$work/disp/translations/example-cra-correct.pdf" | tr '\n' ' ' >"$work/disp.txt" 2>/dev/null || true
check_has "the dispute reading copy gives the 30 days" "$work/disp.txt" "dentro de un plazo de 30 días naturales"
check_has "the dispute reading copy gives the 15-day extension" "$work/disp.txt" "prórroga de 15 días naturales como"

# A GDPR erasure (a resident of Germany) in Spanish, on A4.
OPTOUT_DATADIR="$TOP_SRCDIR/tests/fixtures/data" run packet -p "$TOP_SRCDIR/tests/fixtures/profiles/mueller-de.json" \
	-b example-cra -r delete -o "$work/de" --no-ledger --lang es
pdf_text "$work/de/translations/example-cra-delete.pdf" | tr '\n' ' ' >"$work/de.txt" 2>/dev/null || true
check_has "the GDPR reading copy names the regulation in Spanish" "$work/de.txt" "artículo 17 del Reglamento General de Protección de Datos (RGPD)"

# Every Spanish letter template mirrors an English one and renders as a marked
# translation (with the Spanish partials over the English ones).
OPTOUT_DATADIR="$TOP_SRCDIR/tests/fixtures/data" run letter -p "$ex/profile.json" -b example-cra -r correct \
	--item Address --correct-to Other --evidence "A bill" --data
cp "$work/out" "$work/data.json"
mkdir -p "$work/parts"
cp "$TOP_SRCDIR"/letters/partials/*.mustache "$work/parts/"
cp "$TOP_SRCDIR"/letters/es/partials/*.mustache "$work/parts/"
bad=
for t in "$TOP_SRCDIR"/letters/es/*-*.mustache; do
	name=$(basename "$t")
	case $name in batch-summary.mustache) continue ;; esac
	[ -f "$TOP_SRCDIR/letters/$name" ] || bad="$bad $name(no English)"
	"$OPTOUT" template render "$t" --data "$work/data.json" --partials "$work/parts" --escape doc \
		>"$work/r.txt" 2>&1 || bad="$bad $name(render)"
	grep -q "^# Traducción para su información" "$work/r.txt" || bad="$bad $name(notice)"
done
check_eq "every Spanish letter mirrors an English one and is marked as a translation" "" "$bad"

# DROP comes first when the cover's model has it (another issue fills the model in).
cat >"$work/drop.json" <<'JSON'
{"drop": {"url": "https://consumer.drop.example", "citation": "Cal. Civ. Code §1798.99.86", "cycle_citation": "Cal. Civ. Code §1798.99.86(c)(1)", "cycle_days": 45, "processing": true}, "step_drop": 1, "has_postal": true, "step_postal": 2,
 "count_postal": 3, "step_record": 3, "step_wait": 4, "count_ready": 3, "minutes_total": 45,
 "today": "22 de noviembre de 2026", "person_name": "Ana", "packet_id": "optout packet"}
JSON
run template render "$TOP_SRCDIR/letters/es/cover.mustache" --data "$work/drop.json" \
	--partials "$TOP_SRCDIR/letters/partials" --escape doc
check_has "the Spanish cover's first step is DROP, with its section" "$work/out" "1. Primero, use la plataforma de California"
check_has "the DROP step cites the statute" "$work/out" "Cal. Civ. Code §1798.99.86"
check_has "the letters are the second step after DROP" "$work/out" "2. Cartas para imprimir"
run template render "$TOP_SRCDIR/letters/cover.mustache" --data "$work/drop.json" \
	--partials "$TOP_SRCDIR/letters/partials" --escape doc
check_has "the English cover's first step is DROP" "$work/out" "1. First, use California's Delete Request and Opt-out Platform (DROP"

# The batch summary in Spanish (--lang es); each client's pages follow its language column.
printf '%s\n' 'label,given,family,street,city,region,postal_code,country,language' \
	'c-es,Ana,López,1 Main St,Los Angeles,CA,90033,US,es' 'c-en,Bo,Lee,2 Main St,Los Angeles,CA,90033,US,en' >"$work/clients.csv"
run batch -c "$work/clients.csv" -b spokeo -r opt-out -o "$work/batch" --ledger "$work/l.db" --lang es
check_status "a batch with --lang es runs" 0
pdf_text "$work/batch/summary.pdf" >"$work/summary.txt"
check_has "the batch summary is in Spanish" "$work/summary.txt" "Resumen del lote"
check_has "the batch summary's date is in Spanish" "$work/summary.txt" "Preparado el 22 de noviembre de 2026"
check_has "the batch summary words each client's status" "$work/summary.txt" "escrito"
pdf_text "$work/batch/c-es/cover.pdf" >"$work/c-es.txt"
pdf_text "$work/batch/c-en/cover.pdf" >"$work/c-en.txt"
check_has "a client whose language column says es gets a Spanish cover" "$work/c-es.txt" "Su paquete de solicitudes"
check_has "a client whose language column says en gets an English cover" "$work/c-en.txt" "Your data-broker request packet"

# --lang en overrides the profile's language.
run packet -p "$ex/profile.json" -b spokeo -o "$work/en" --no-ledger --lang en
check_status "--lang en is accepted" 0
pdf_text "$work/en/cover.pdf" >"$work/cover-en.txt"
check_has "--lang en gives the English cover" "$work/cover-en.txt" "Your data-broker request packet"
check_has "the English cover starts with the steps" "$work/cover-en.txt" "What to do, step by step"

# A language without templates falls back to English.
run packet -p "$ex/profile.json" -b spokeo -o "$work/vi" --no-ledger --lang vi
check_status "a language without templates still works" 0
pdf_text "$work/vi/cover.pdf" >"$work/cover-vi.txt"
check_has "a language without templates gives English pages" "$work/cover-vi.txt" "Your data-broker request packet"

# Every message in the Spanish catalogue is translated, and none is fuzzy.
stats=$(LC_ALL=C "$MSGFMT" --check --statistics -o /dev/null "$TOP_SRCDIR/po/es.po" 2>&1)
case $stats in
*untranslated* | *fuzzy*) not_ok "es.po is complete" "$stats" ;;
*"translated message"*) ok "es.po is complete ($stats)" ;;
*) not_ok "es.po is complete" "$stats" ;;
esac
# Every message the sources mark is in es.po (make update-po was run).
(cd "$TOP_SRCDIR" && xgettext --from-code=UTF-8 --language=C -k_ -kN_ -ki18n_ngettext:1,2 \
	-o "$work/optout.pot" src/*.c)
msgmerge --quiet -o "$work/merged.po" "$TOP_SRCDIR/po/es.po" "$work/optout.pot"
stats=$(LC_ALL=C "$MSGFMT" --statistics -o /dev/null "$work/merged.po" 2>&1)
case $stats in
*untranslated* | *fuzzy*) not_ok "every marked message is translated in es.po" "$stats" ;;
*) ok "every marked message is translated in es.po" ;;
esac

# The program's messages follow the locale.
(export LANGUAGE=es LANG=C.UTF-8; run frobnicate)
check_has "an unknown command is reported in Spanish" "$work/err" "no existe la orden «frobnicate»"
(export LANGUAGE=es LANG=C.UTF-8; run pakcet)
check_has "a mistyped command gets a suggestion, in Spanish" "$work/err" "¿Quiso decir «packet»?"
run pakcet
check_has "a mistyped command gets a suggestion" "$work/err" "Did you mean 'packet'?"

done_testing
