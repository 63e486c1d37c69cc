#!/bin/sh
# Spanish reading copies of what 'optout followup' writes (issue #16): for a
# person whose language is es, each follow-up, appeal and complaint gets
# DIR/<client>/translations/<kind>-<ref>.es.pdf, marked at the top as a
# translation not to sign or send, with Spanish dates, the deadline sentence
# and the regulator's block; the English letter stays what is sent.  An
# English-speaking person gets none; --lang overrides the profile's language.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

export OPTOUT_DATADIR="$TOP_SRCDIR/tests/fixtures/data"
L="$work/l.db"
# text PDF: the PDF's text on one line, in a file whose name is printed.
text() { "$PDFTOTEXT" -enc UTF-8 "$1" "$work/t.txt" && flat "$work/t.txt" >/dev/null && cp "$work/t.txt.flat" "$1.txt" && echo "$1.txt"; }

cat >"$work/c.csv" <<'CSV'
label,given,family,street,city,region,postal_code,country,email,language
va-es,Flor,Ejemplo,5 Example Way,Richmond,VA,23220,US,flor@example.org,es
ct-es,Dora,Ejemplo,4 Example Way,Hartford,CT,06103,US,dora@example.org,es
ca-en,Ana,Ejemplo,1 Example Way,Fresno,CA,93701,US,ana@example.org,en
CSV

# Deletion requests sent by email on Monday 2 November; Connecticut's is refused on 20 November.
export OPTOUT_TODAY=2026-11-02
"$OPTOUT" batch -c "$work/c.csv" -b example-cra -r delete -o "$work/b" --ledger "$L" >/dev/null
"$OPTOUT" status --ledger "$L" --json >"$work/st.json"
va=$(ref_of va-es); ct=$(ref_of ct-es); ca=$(ref_of ca-en)
for r in $va $ct $ca; do "$OPTOUT" mark "$r" sent --ledger "$L" >/dev/null; done
OPTOUT_TODAY=2026-11-20 "$OPTOUT" mark "$ct" denied --reason "The request could not be verified." --ledger "$L" >/dev/null

# 23 November: Connecticut's appeal (Conn. Gen. Stat. §42-518(d), 60 days).
export OPTOUT_TODAY=2026-11-23
run followup -o "$work/f" -c "$work/c.csv" --ledger "$L"
check_status "the appeal is written" 0
check_has "with its reading copy, said to be one" "$work/out" \
	"wrote $work/f/ct-es/translations/appeal-$ct.es.pdf (a translation for you to read: sign and send the English letter)"
t=$(text "$work/f/ct-es/translations/appeal-$ct.es.pdf")
check_has "the appeal's copy is marked as a translation" "$t" \
	"Traducción para su información; la carta que usted firma y envía es la versión en inglés."
check_has "not to sign or send" "$t" "No firme ni envíe esta copia: a la empresa se envía solo la carta en inglés."
check_has "dated in Spanish" "$t" "23 de noviembre de 2026"
check_has "with the appeal's section and its 60 days" "$t" \
	"Apelo esa decisión conforme a Conn. Gen. Stat. §42-518(d). La ley les exige informarme por escrito, dentro de los 60 días siguientes"
check_has "the answer's day in Spanish" "$t" "a más tardar el 22 de enero de 2027"
check_has "the refusal quoted as the broker wrote it" "$t" "\"The request could not be verified.\""
check_has "the regulator named" "$t" "presentaré una queja ante el organismo regulador, Connecticut Attorney General"
check_has "its footer is Spanish" "$t" "Referencia: $ct"
check_has "with Spanish page numbers" "$t" "Página 1 de "
t=$(text "$work/f/ct-es/appeal-$ct.pdf")
check_has "the appeal itself stays in English" "$t" "I appeal that decision under Conn. Gen. Stat. §42-518(d)."
check_lacks "and has no Spanish in it" "$t" "Traducción"
check_has "and its footer stays English" "$t" "Page 1 of "

# 18 December: Virginia's and California's answers (45 days) are overdue: follow-ups.
cp "$L" "$work/l-en.db"
cp "$L" "$work/l-es.db"
export OPTOUT_TODAY=2026-12-18
run followup -o "$work/f" -c "$work/c.csv" --ledger "$L"
check_has "two follow-ups, Connecticut's appeal still waiting" "$work/out" \
	"Written: 2 follow-up letters, 0 appeals, 0 complaints; 1 appealed, waiting"
t=$(text "$work/f/va-es/translations/followup-$va.es.pdf")
check_has "the follow-up's copy is marked as a translation" "$t" \
	"Traducción para su información; la carta que usted firma y envía es la versión en inglés."
check_has "its subject in Spanish" "$t" \
	"Recordatorio: solicitud de borrado de datos personales del 2 de noviembre de 2026 sin respuesta (referencia $va)"
check_has "the Spanish deadline sentence, with its section" "$t" \
	"La ley les exigía responder dentro de un plazo de 45 días naturales (Va. Code §59.1-577(B)(1)), es decir, a más tardar el 17 de diciembre de 2026."
check_has "the day the clock ran from" "$t" "que les llegó el mismo día en que la envié, el 2 de noviembre de 2026"
check_has "the regulator it will go to" "$t" \
	"presentaré una queja ante el organismo regulador, Office of the Attorney General of Virginia, Consumer Protection Section"
check_has "the reply-by day in Spanish" "$t" "a más tardar el 1 de enero de 2027"
check_has "unsigned" "$t" "(Esta copia no lleva firma: la que vale es la carta en inglés.)"
t=$(text "$work/f/va-es/followup-$va.pdf")
check_has "the follow-up sent stays in English" "$t" "That date has passed"
check_has "dated in English" "$t" "18 December 2026"
check_lacks "the English letter has no Spanish" "$t" "Recordatorio"
check_lacks "an English-speaking person gets no reading copy" "$work/out" "ca-en/translations"
if [ -e "$work/f/ca-en/translations" ]; then not_ok "no translations folder for ca-en"; else ok "no translations folder for ca-en"; fi

# --lang overrides each profile's language, both ways.
run followup -o "$work/f-en" -c "$work/c.csv" --lang en --ledger "$work/l-en.db"
check_status "--lang en runs" 0
check_lacks "--lang en: no reading copies" "$work/out" "translations/"
run followup -o "$work/f-es" -c "$work/c.csv" --lang es --ledger "$work/l-es.db"
check_has "--lang es: the English-speaking person gets one too" "$work/out" \
	"wrote $work/f-es/ca-en/translations/followup-$ca.es.pdf"

# 5 January: no answer 14 days after the follow-up: Virginia's complaint, and its copy.
export OPTOUT_TODAY=2027-01-05
run followup -o "$work/f" -c "$work/c.csv" --ledger "$L"
check_has "the complaints are written" "$work/out" "wrote $work/f/va-es/complaint-$va.pdf"
t=$(text "$work/f/va-es/translations/complaint-$va.es.pdf")
check_has "the complaint's copy is marked as a translation" "$t" \
	"Traducción para su información; la carta que usted firma y envía es la versión en inglés."
check_has "not to be sent to the regulator" "$t" "No firme ni envíe esta copia: al organismo regulador se envía solo la carta en inglés."
check_has "addressed to the regulator's confirmed address" "$t" \
	"Office of the Attorney General Consumer Protection Section 202 North Ninth Street Richmond, VA 23219 5 de enero de 2027"
check_has "its subject in Spanish" "$t" \
	"Queja: Example Consumer Data Bureau no cumplió una solicitud de borrado de datos personales conforme a la ley Virginia Consumer Data Protection Act"
check_has "the timeline in Spanish" "$t" \
	"2 de noviembre de 2026 Se envió la solicitud. 17 de diciembre de 2026 Vencía la fecha límite que fija la ley para responder. 18 de diciembre de 2026 Se envió un recordatorio"
check_has "the deadline missed, with its section" "$t" \
	"La empresa no respondió a más tardar el 17 de diciembre de 2026, la fecha límite que fija la ley (Va. Code §59.1-577(B)(1)), ni después de un recordatorio."
t=$(text "$work/f/va-es/complaint-$va.pdf")
check_has "the complaint filed stays in English" "$t" "I complain that Example Consumer Data Bureau has not honoured my request"
check_lacks "the English-speaking person's complaint has no copy" "$work/out" "ca-en/translations"

# 23 January: the appeal went unanswered: Connecticut's complaint, online.
export OPTOUT_TODAY=2027-01-23
run followup -o "$work/f" -c "$work/c.csv" --ledger "$L"
t=$(text "$work/f/ct-es/translations/complaint-$ct.es.pdf")
check_has "after the appeal, the complaint's copy" "$t" \
	"Esta queja también se puede presentar en línea en https://portal.ct.gov/ag/sections/consumer-advocacy/consumer-advocacy"
check_has "saying the appeal went unanswered" "$t" \
	"su respuesta a la apelación debía llegar a más tardar el 22 de enero de 2027"
check_has "with the appeal and the refusal in the timeline" "$t" \
	"20 de noviembre de 2026 La empresa rechazó la solicitud. 23 de noviembre de 2026 Se envió a la empresa una apelación de su negativa."

# Nothing is written twice: a run again writes no letter and no copy.
run followup -o "$work/f" -c "$work/c.csv" --ledger "$L"
check_lacks "a run again writes no copy" "$work/out" "translations/"

done_testing
