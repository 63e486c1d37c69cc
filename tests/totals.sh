#!/bin/sh
# Count the test results automake wrote (.trs files) under a folder and print
# the one closing line both ./bootstrap check and .ci/run end with:
#   N passed, N failed, N skipped
# Usage: tests/totals.sh [--exclude-builds] [DIR]   (DIR defaults to .)
# --exclude-builds leaves out the build-*/ clones (the sanitizer pass of .ci/run).
set -eu
prune=
if [ "${1:-}" = --exclude-builds ]; then
	prune=yes
	shift
fi
dir=${1:-.}
passed=0 failed=0 skipped=0
list=$(mktemp)
trap 'rm -f "$list"' EXIT
if [ -n "$prune" ]; then
	find "$dir" -path "$dir/build-*" -prune -o -name '*.trs' -print >"$list"
else
	find "$dir" -name '*.trs' -print >"$list"
fi
while IFS= read -r trs; do
	p=$(grep -c '^:test-result: \(PASS\|XFAIL\)' "$trs" || true)
	f=$(grep -c '^:test-result: \(FAIL\|XPASS\|ERROR\)' "$trs" || true)
	s=$(grep -c '^:test-result: SKIP' "$trs" || true)
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done <"$list"
echo "$passed passed, $failed failed, $skipped skipped"
