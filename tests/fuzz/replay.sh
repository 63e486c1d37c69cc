# Replay every fuzzing seed and regression input once through its harness,
# built with the ordinary compiler (tests/fuzz/replay.c): one TAP result per
# harness.  A crash, a sanitizer report (in CI's sanitizer pass) or an empty
# corpus fails it.  `make fuzz` is the real fuzzing; this keeps what it found fixed.
set -eu

: "${TOP_SRCDIR:?run through make check}"
: "${TOP_BUILDDIR:?run through make check}"
: "${FUZZERS:?run through make check}"
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

work=$(mktemp -d "${TMPDIR:-/tmp}/optout-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
export TMPDIR="$work"

set -- $FUZZERS
echo "1..$#"
n=0 failed=0
for name in "$@"; do
	n=$((n + 1))
	inputs="$TOP_SRCDIR/tests/fuzz/corpus/$name"
	if [ -d "$TOP_SRCDIR/tests/fuzz/regressions/$name" ]; then
		inputs="$inputs $TOP_SRCDIR/tests/fuzz/regressions/$name"
	fi
	if [ "$name" = ttf ]; then
		# Font seeds are cut from the installed font at test time (never committed).
		"$TOP_BUILDDIR/tests/fuzz/ttf-seeds" "$font" "$work/ttf-seeds" >"$work/err" 2>&1 ||
			{ echo "not ok $n - fuzz-$name: cannot make the font seeds"; sed 's/^/# /' "$work/err";
			  failed=$((failed + 1)); continue; }
		inputs="$inputs $work/ttf-seeds $font"
	fi
	# shellcheck disable=SC2086
	if "$TOP_BUILDDIR/tests/fuzz/replay-$name" $inputs >"$work/out" 2>"$work/err"; then
		echo "ok $n - fuzz-$name replays $(cat "$work/out")"
	else
		echo "not ok $n - fuzz-$name: replay failed (exit $?)"
		head -c 4000 "$work/err" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ]
