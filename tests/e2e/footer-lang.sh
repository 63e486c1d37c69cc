#!/bin/sh
# The footer of every PDF page ("Reference: …", "Page N of M") speaks the
# page's language (issue #16): the person's Spanish pages (cover,
# authorization, reading copies) say "Referencia: …" and "Página N de M",
# the letters to brokers of the same packet keep the English footer, under
# LANG=C.UTF-8 as under a Spanish command line.  A third language gets its
# footer from its catalogue alone.  No PDF carries the person's name or
# address in its metadata.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

ex="$TOP_SRCDIR/letters/examples"
export OPTOUT_TODAY=2026-11-22 OPTOUT_DATADIR="$TOP_SRCDIR/tests/fixtures/data"
unset LANGUAGE LC_MESSAGES || true
# text PDF: the PDF's text, one page after another, in $work/<name>.txt (printed).
text() {
	t="$work/$(echo "$1" | tr '/' '_').txt"
	"$PDFTOTEXT" -enc UTF-8 "$1" "$t"
	echo "$t"
}

LC_ALL=C.UTF-8 LANG=C.UTF-8 run packet -p "$ex/profile.json" -b example-history -r delete \
	--agent "$ex/agent.json" -o "$work/es" --no-ledger
check_status "a Spanish packet is written under LANG=C.UTF-8" 0
ref=$("$PYTHON" -c 'import json,sys; print([i["reference"] for i in json.load(open(sys.argv[1]))["requests"] if i.get("reference")][0])' "$work/es/packet.json")

t=$(text "$work/es/cover.pdf")
check_has "the Spanish cover's footer numbers its pages in Spanish" "$t" "Página 1 de "
check_has "and names the reference in Spanish" "$t" "Referencia: "
check_lacks "no English page number on the Spanish cover" "$t" "Page 1 of"
check_lacks "no English reference label on the Spanish cover" "$t" "Reference:"

t=$(text "$work/es/translations/example-history-delete.pdf")
check_has "the Spanish reading copy's footer carries the letter's reference" "$t" "Referencia: $ref"
check_has "and its page number in Spanish" "$t" "Página 1 de "
check_lacks "no English footer on the reading copy" "$t" "Page 1 of"
check_has "the reading copy lists what is enclosed under a Spanish heading" "$t" "Documentos adjuntos:"
check_lacks "not the English one" "$t" "Enclosures:"

t=$(text "$work/es/authorization.pdf")
check_has "the Spanish authorization's footer is Spanish" "$t" "Página 1 de "
check_lacks "no English footer on the authorization" "$t" "Page 1 of"

t=$(text "$work/es/letters/example-history-delete.pdf")
check_has "the letter to the broker keeps the English reference label" "$t" "Reference: $ref"
check_has "and the English page number" "$t" "Page 1 of "
check_lacks "no Spanish footer on the broker's letter" "$t" "Página"
check_lacks "no Spanish reference label on the broker's letter" "$t" "Referencia"
check_has "the broker's letter keeps its English enclosures heading" "$t" "Enclosures:"

# A Spanish command line changes nothing on the pages: the footer follows the page.
LANGUAGE=es LC_ALL=C.UTF-8 run packet -p "$ex/profile.json" -b example-history -r delete \
	-o "$work/es2" --no-ledger
check_status "the same packet is written under LANGUAGE=es" 0
t=$(text "$work/es2/letters/example-history-delete.pdf")
check_has "the broker's letter still says Page N of M" "$t" "Page 1 of "
check_lacks "and nothing in Spanish" "$t" "Página"
t=$(text "$work/es2/cover.pdf")
check_has "the cover still says Página N de M" "$t" "Página 1 de "

# No personal data in the document information of the cover or the letter.
for f in "$work/es/cover.pdf" "$work/es/letters/example-history-delete.pdf"; do
	pdfinfo "$f" >"$work/info.txt"
	check_has "$(basename "$f") says only who produced it" "$work/info.txt" "Producer:        optout"
	check_lacks "$(basename "$f") has no title" "$work/info.txt" "Title:"
	check_lacks "$(basename "$f") has no author" "$work/info.txt" "Author:"
	check_lacks "$(basename "$f") has no subject" "$work/info.txt" "Subject:"
	check_lacks "$(basename "$f") has no keywords" "$work/info.txt" "Keywords:"
	check_has "$(basename "$f") has no other information fields" "$work/info.txt" "Custom Metadata: no"
	check_has "$(basename "$f") has no XMP metadata" "$work/info.txt" "Metadata Stream: no"
done

# A third language by translation alone: a folder of templates and a catalogue,
# with a footer beyond Windows-1252 (Vietnamese), so the page embeds its font.
mkdir -p "$work/data/letters/vi" "$work/locale/vi/LC_MESSAGES"
ln -s "$TOP_SRCDIR/tests/fixtures/data/brokers" "$work/data/brokers"
for f in "$TOP_SRCDIR/letters/"*; do ln -s "$f" "$work/data/letters/$(basename "$f")"; done
cp "$TOP_SRCDIR/letters/cover.mustache" "$work/data/letters/vi/cover.mustache"
ln -s "$OPTOUT_LOCALEDIR/es" "$work/locale/es"
cat >"$work/vi.po" <<'PO'
msgid ""
msgstr ""
"Project-Id-Version: optout test\n"
"PO-Revision-Date: 2026-11-22 00:00+0000\n"
"Last-Translator: test\n"
"Language-Team: test\n"
"Language: vi\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Content-Transfer-Encoding: 8bit\n"

#, c-format
msgid "Reference: %s"
msgstr "Tham chiếu: %s"

#, c-format
msgid "Page %u of %u"
msgstr "Trang %u trên %u"
PO
"${MSGFMT:-msgfmt}" --check -o "$work/locale/vi/LC_MESSAGES/optout.mo" "$work/vi.po"
OPTOUT_DATADIR="$work/data" OPTOUT_LOCALEDIR="$work/locale" LC_ALL=C.UTF-8 LANG=C.UTF-8 \
	run packet -p "$ex/profile.json" -b example-history -r delete -o "$work/vi" --lang vi --no-ledger
check_status "a packet in a language with only a cover template and a catalogue" 0
t=$(text "$work/vi/cover.pdf")
check_has "its cover's footer comes from the catalogue" "$t" "Trang 1 trên "
check_has "with the reference label translated" "$t" "Tham chiếu: "
check_lacks "not in English" "$t" "Page 1 of"
t=$(text "$work/vi/letters/example-history-delete.pdf")
check_has "its letter to the broker stays English" "$t" "Page 1 of "

done_testing
