#!/bin/sh
# The person's pages in the person's language whatever the command line's
# locale: plan notes and the reasons a request was left out follow the
# profile's language (or --lang), not LANG; English pages stay English
# under a Spanish locale.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

ex="$TOP_SRCDIR/letters/examples/profile.json"
export OPTOUT_TODAY=2026-11-22 OPTOUT_DATADIR="$TOP_SRCDIR/tests/fixtures/data"
unset LANGUAGE LC_MESSAGES || true

# The example profile says "language": "es"; the command line runs in English.
LC_ALL=C.UTF-8 LANG=C.UTF-8 run packet -p "$ex" --all -r delete,opt-out,access -o "$work/es" --no-ledger
check_status "a Spanish profile's packet is written under LANG=C.UTF-8" 0
check_has "the command line itself speaks English" "$work/out" "letters to print and mail"
"$PDFTOTEXT" -enc UTF-8 "$work/es/cover.pdf" - | tr '\n' ' ' | tr -s ' ' >"$work/cover.txt"
check_has "the cover's skip reason is a Spanish sentence" "$work/cover.txt" \
	"El procedimiento exige Fecha de nacimiento, Número de Seguro Social, Número de licencia de conducir; vuelva a ejecutar con --disclose dob,ssn,drivers_license si está de acuerdo en enviarlo."
check_has "the skipped request is named in Spanish" "$work/cover.txt" "Example Consumer Data Bureau (acceso):"
check_lacks "no English skip reason on the Spanish cover" "$work/cover.txt" "The procedure requires"
check_lacks "the cover no longer says the reasons are in English" "$work/cover.txt" "El motivo está en inglés"
sheet="$work/es/web/example-cra-opt-out.txt"
check_has "the Spanish sheet's CAPTCHA note is in Spanish" "$sheet" "El formulario tiene un CAPTCHA: tiene que resolverlo una persona."
check_has "the Spanish sheet's stale-record note is in Spanish" "$sheet" "Los datos de este procedimiento son antiguos"
check_lacks "no English plan note on the Spanish sheet" "$sheet" "The form has a CAPTCHA"
check_lacks "no English stale-record note on the Spanish sheet" "$sheet" "The record of this procedure"
check_has "the Spanish sheet labels the address in Spanish" "$sheet" "Domicilio  1234 Calle Ejemplo Apt 5"
# packet.json keeps the reasons in English, for scripts.
check_has "packet.json keeps the English reason" "$work/es/packet.json" "run again with --disclose dob,ssn,drivers_license"
# The letters to brokers stay English.
"$PDFTOTEXT" -enc UTF-8 "$work/es/letters/example-history-delete.pdf" "$work/letter.txt"
check_has "the letter to the broker is English" "$work/letter.txt" "Dear"
check_lacks "the English letter carries no Spanish note" "$work/letter.txt" "Los datos de este procedimiento"

# The plain C locale (where gettext itself translates nothing) gives the same Spanish pages.
LC_ALL=C LANG=C run packet -p "$ex" -b example-cra -r opt-out,freeze -o "$work/c" --no-ledger
check_status "a Spanish packet is written under LANG=C" 0
check_has "the sheet's notes are Spanish under LANG=C" "$work/c/web/example-cra-opt-out.txt" \
	"El formulario tiene un CAPTCHA"
"$PDFTOTEXT" -enc UTF-8 "$work/c/cover.pdf" - | tr '\n' ' ' | tr -s ' ' >"$work/c.txt"
check_has "a missing procedure is a whole Spanish sentence" "$work/c.txt" \
	"Example Consumer Data Bureau (congelar el expediente): No se conoce ningún procedimiento de la empresa para pedir que congele su expediente."

# A correction request without --item/--correct-to: what it lacks, said in Spanish.
LC_ALL=C.UTF-8 LANG=C.UTF-8 run packet -p "$ex" -b example-history -r correct -o "$work/corr" --no-ledger
"$PDFTOTEXT" -enc UTF-8 "$work/corr/cover.pdf" - | tr '\n' ' ' | tr -s ' ' >"$work/corr.txt"
check_has "the missing correction is described in Spanish" "$work/corr.txt" \
	"la corrección (qué está mal y qué es lo correcto: --item y --correct-to)"
check_lacks "not in English" "$work/corr.txt" "what is wrong and what is right"

# English pages under a Spanish command line stay English.
LANGUAGE=es LC_ALL=C.UTF-8 run packet -p "$ex" --all -r delete,opt-out,access -o "$work/en" --lang en --no-ledger
check_status "an English packet is written under LANGUAGE=es" 0
check_has "the command line speaks Spanish" "$work/out" "Se escribió"
check_has "the English sheet's notes are English" "$work/en/web/example-cra-opt-out.txt" \
	"The form has a CAPTCHA: a person must complete it."
check_lacks "no Spanish note on the English sheet" "$work/en/web/example-cra-opt-out.txt" "El formulario"
check_has "the English sheet labels the address in English" "$work/en/web/example-cra-opt-out.txt" "Address  1234 Calle Ejemplo Apt 5"
"$PDFTOTEXT" -enc UTF-8 "$work/en/cover.pdf" - | tr '\n' ' ' | tr -s ' ' >"$work/en.txt"
check_has "the English cover's reason is English" "$work/en.txt" \
	"The procedure requires Date of birth, Social Security number, Driver's license number; run again with --disclose dob,ssn,drivers_license if you agree to send it."
check_lacks "no Spanish reason on the English cover" "$work/en.txt" "El procedimiento exige"

# ---- table headers in Spanish, columns aligned by characters, not bytes ----------------
# aligned FILE FIRST-WORD HEADER...: every row's cell starts where its translated header does.
aligned() {
	"$PYTHON" - "$@" <<'PY'
import sys
path, first, heads = sys.argv[1], sys.argv[2], sys.argv[3:]
lines = open(path, encoding="utf-8").read().split("\n")
hdr = [l for l in lines if l.startswith(first)]
if not hdr:
    print("no header line starting with " + first); sys.exit(0)
i = lines.index(hdr[0])
rows = []
for l in lines[i + 1:]:
    if not l.strip():
        break
    rows.append(l)
bad = []
for h in heads:
    c = hdr[0].find(h)
    for r in rows:
        if c < 1 or len(r) <= c or r[c - 1] != " " or r[c] == " ":
            bad.append("%s at %d: %r" % (h, c, r))
print("aligned" if rows and not bad else "\n".join(bad) or "no rows")
PY
}
LANGUAGE=es LC_ALL=C.UTF-8 run brokers list
check_has "brokers list's headers are in Spanish" "$work/out" "ID                           GOB  VERIFICACIÓN SOLICITUDES"
check_eq "brokers list's columns line up under the Spanish headers" "aligned" \
	"$(aligned "$work/out" ID GOB VERIFICACIÓN SOLICITUDES CANALES)"
LC_ALL=C.UTF-8 run brokers list
check_has "brokers list's headers stay English in English" "$work/out" "ID                           GOV  VERIFIED   REQUESTS"
check_eq "brokers list's English columns line up" "aligned" "$(aligned "$work/out" ID GOV VERIFIED REQUESTS CHANNELS)"

# Two people in one ledger; one request mailed, so its "from" cell is wider than the column's minimum.
L="$work/l.db"
sed 's/"label": "example-person-only"/"label": "ana-1"/' "$ex" >"$work/a.json"
sed 's/"label": "example-person-only"/"label": "alexander-longer"/' "$ex" >"$work/b.json"
LC_ALL=C.UTF-8 run packet -p "$work/a.json" -b example-cra -r delete -o "$work/la" --ledger "$L"
check_status "the first person's requests are recorded" 0
LC_ALL=C.UTF-8 run packet -p "$work/b.json" -b example-history -r delete -o "$work/lb" --ledger "$L"
check_status "the second person's requests are recorded" 0
ref=$("$OPTOUT" status --ledger "$L" --json | "$PYTHON" -c 'import json,sys; print([r["reference"] for r in json.load(sys.stdin) if r["broker"] == "example-history"][0])')
run mark "$ref" mailed --ledger "$L"
check_status "one request is mailed" 0
LANGUAGE=es LC_ALL=C.UTF-8 run status --ledger "$L"
check_has "status's headers are in Spanish" "$work/out" "REFERENCIA"
check_has "status names the broker column in Spanish" "$work/out" "EMPRESA"
check_has "status's mail estimate is in Spanish" "$work/out" "correo est."
check_lacks "no English header is left" "$work/out" "REFERENCE"
check_eq "status's columns line up under the Spanish headers" "aligned" \
	"$(aligned "$work/out" REFERENCIA CLIENTE EMPRESA SOLICITUD ESTADO DESDE VENCE PLAZO)"
LANGUAGE=es LC_ALL=C.UTF-8 run status --ledger "$L" --client nadie
check_has "an empty status says so in Spanish" "$work/out" "No hay solicitudes de este cliente."

done_testing
