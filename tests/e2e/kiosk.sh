#!/bin/sh
# optout serve in a real browser: headless Chromium, driven by Selenium,
# walks a person through the Spanish flow and downloads the packet, whose
# PDFs' text is checked here.  Screenshots of each step are kept in
# tests/e2e/kiosk-artifacts/ (in the build folder).
. "$TOP_SRCDIR/tests/e2e/lib.sh"
. "$TOP_SRCDIR/tests/e2e/serve-lib.sh"

if ! [ -x /usr/bin/chromium ] || ! [ -x /usr/bin/chromedriver ] ||
    ! /usr/bin/python3 -c 'import selenium' 2>/dev/null; then
	echo "1..0 # SKIP chromium, chromium-driver or python3-selenium is not installed"
	exit 0
fi
export OPTOUT_TODAY=2026-12-01
shots="${TOP_BUILDDIR:-.}/tests/e2e/kiosk-artifacts"
rm -rf "$shots"
mkdir -p "$shots" "$work/downloads" "$work/run"
serve_start

# The browser's checks are TAP lines of their own; they are renumbered here.
set +e
HOME="$work" /usr/bin/python3 "$TOP_SRCDIR/tests/e2e/kiosk.py" "$url" "$work/downloads" "$shots" \
	"$work" >"$work/browser.tap" 2>"$work/browser.err"
brc=$?
set -e
while IFS= read -r line; do
	case $line in
	"ok "*) ok "${line#ok * - }" ;;
	"not ok "*) not_ok "${line#not ok * - }" ;;
	"# "*) echo "$line" ;;
	esac
done <"$work/browser.tap"
[ "$brc" -eq 0 ] || not_ok "the browser script ran to its end" "$(grep -v "^#[0-9]* 0x" "$work/browser.err" | tail -n 20)"

tarball="$work/downloads/optout-packet.tar"
if [ -f "$tarball" ]; then
	mkdir "$work/pk"
	tar -xf "$tarball" -C "$work/pk"
	"$PDFTOTEXT" -enc UTF-8 "$work/pk/cover.pdf" "$work/cover.txt"
	check_has "the downloaded cover is in Spanish" "$work/cover.txt" "Su paquete de solicitudes a los corredores de datos"
	"$PDFTOTEXT" -enc UTF-8 "$work/pk/letters/lexisnexis-risk-delete.pdf" "$work/letter.txt"
	check_has "the letter is from the person" "$work/letter.txt" "José Núñez Peña"
	check_has "the letter has their address" "$work/letter.txt" "Los Angeles, CA 90033"
	check_has "the letter to the broker stays in English, under California law" "$work/letter.txt" "Cal. Civ. Code §1798.105"
	"$PDFTOTEXT" -enc UTF-8 "$work/pk/translations/lexisnexis-risk-delete.pdf" "$work/copy.txt"
	check_has "a Spanish reading copy comes with it" "$work/copy.txt" "Traducción para su información"
	if [ -f "$work/pk/letters/nctue-opt-out.pdf" ] && ! [ -e "$work/pk/letters/acxiom-delete.pdf" ]; then
		ok "the packet holds the chosen brokers only"; else
		not_ok "the packet holds the chosen brokers only" "$(cd "$work/pk" && find . -type f)"; fi
else
	not_ok "the packet was downloaded" "$(ls -la "$work/downloads")"
fi
n=$(find "$shots" -name '*.png' | wc -l)
if [ "$n" -ge 7 ]; then ok "a screenshot of each step is kept ($n)"; else not_ok "a screenshot of each step is kept" "$n"; fi
kill "$pid"; wait "$pid" || true
cleanup_pids=
left=$(find "$work/run" -type f | wc -l)
check_eq "the server wrote nothing to disk" 0 "$left"
done_testing
