# Shared helpers for end-to-end tests: TAP output, a private work folder,
# and assertions that show what differed.  Source it with `. "$TOP_SRCDIR/tests/e2e/lib.sh"`.
set -eu

: "${OPTOUT:?run through make check}"
: "${TOP_SRCDIR:?run through make check}"
PYTHON=${PYTHON:-/usr/bin/python3}

# The ledger schema version this optout writes (for migration tests).
schema_version=$(sed -n 's/^#define LEDGER_SCHEMA_VERSION \([0-9]*\)$/\1/p' "$TOP_SRCDIR/include/optout/ledger.h")
tap_n=0
tap_failed=0
work=$(mktemp -d "${TMPDIR:-/tmp}/optout-e2e.XXXXXX")
# Everything a test starts is stopped, and its folder removed, however it ends.
cleanup_pids=
cleanup() {
	for p in $cleanup_pids; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
export XDG_DATA_HOME="$work/xdg-data" XDG_CONFIG_HOME="$work/xdg-config" XDG_CACHE_HOME="$work/xdg-cache"

# ok DESCRIPTION: report a passed check.
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
# not_ok DESCRIPTION [DETAIL]: report a failed check with details as TAP comments.
not_ok() {
	tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"
	[ $# -lt 2 ] || printf '%s\n' "$2" | sed 's/^/# /'
}
# run ARGS...: run optout, keeping stdout, stderr and status in $work.
run() {
	set +e
	"$OPTOUT" "$@" >"$work/out" 2>"$work/err"
	status=$?
	set -e
}
# check_status DESC N: the last run exited with N.
check_status() {
	if [ "$status" -eq "$2" ]; then ok "$1"; else
		not_ok "$1" "expected exit $2, got $status; stderr: $(head -c 2000 "$work/err")"; fi
}
# check_out DESC FILE FIXED-STRING: FILE contains the string.
check_has() {
	if grep -qF -- "$3" "$2"; then ok "$1"; else
		not_ok "$1" "'$3' not found in $(basename "$2"): $(head -c 2000 "$2")"; fi
}
# check_lacks DESC FILE FIXED-STRING: FILE does not contain the string.
check_lacks() {
	if grep -qF -- "$3" "$2"; then
		not_ok "$1" "'$3' unexpectedly found in $(basename "$2")"; else ok "$1"; fi
}
# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2
actual:   $3"; fi
}
# fixture_datadir: $work/data, a data folder with the project's letters and broker schema, to
# which a test adds broker records of its own (then OPTOUT_DATADIR="$work/data").
fixture_datadir() {
	mkdir -p "$work/data/brokers"
	ln -s "$TOP_SRCDIR/letters" "$work/data/letters"
	ln -s "$TOP_SRCDIR/brokers/schema.json" "$work/data/brokers/schema.json"
}
# flat FILE: FILE's text on one line (line breaks as spaces, runs of spaces as one)
# in FILE.flat, whose name it prints, for checks on wrapped PDF text.
flat() { tr '\n' ' ' <"$1" | tr -s ' ' >"$1.flat"; echo "$1.flat"; }
# ref_of CLIENT [REQUEST] and law_of REFERENCE: from $work/st.json (status --json).
ref_of() { "$PYTHON" -c 'import json,sys; print([r["reference"] for r in json.load(open(sys.argv[1])) if r["client"]==sys.argv[2] and (len(sys.argv)<4 or r["request"]==sys.argv[3])][0])' "$work/st.json" "$@"; }
law_of() { "$PYTHON" -c 'import json,sys; print([r["law"] for r in json.load(open(sys.argv[1])) if r["reference"]==sys.argv[2]][0])' "$work/st.json" "$1"; }

# refuse LEDGER REF...: each request marked sent (on today's date) and refused on
# 20 November 2026, with the broker's words that complaints quote.
refuse() {
	_ledger=$1
	shift
	for _ref in "$@"; do
		"$OPTOUT" mark "$_ref" sent --ledger "$_ledger" >/dev/null
		OPTOUT_TODAY=2026-11-20 "$OPTOUT" mark "$_ref" denied \
			--reason "The request could not be verified." --ledger "$_ledger" >/dev/null
	done
}

# wait_until CMD...: run CMD every 50 ms until it succeeds.  It waits for a state
# to be reached, however slow the machine: CMD should also succeed once the state
# can no longer come (a process it waits on is gone), and the check after it
# asserts the state.  Only a hang is cut off, after 10 minutes (status 1).
wait_until() {
	_tries=0
	until "$@"; do
		_tries=$((_tries + 1))
		[ "$_tries" -lt 12000 ] || return 1
		sleep 0.05
	done
}

# done_testing: print the plan; the exit status tells make about failures.
done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
