#!/bin/sh
# The command line itself: help, version, unknown commands and options, exit statuses.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

run --version
check_status "--version exits 0" 0
check_eq "--version prints the package version" "optout $(sed -n 's/^AC_INIT(\[optout\], \[\([^]]*\)\].*/\1/p' "$TOP_SRCDIR/configure.ac")" "$(cat "$work/out")"

run --help
check_status "--help exits 0" 0
check_has "--help lists the help command" "$work/out" "  help "
check_has "--help documents exit statuses" "$work/out" "64 usage error"

run
check_status "no command is a usage error" 64
check_has "no command prints usage on stderr" "$work/err" "Usage: optout"

run frobnicate
check_status "unknown command exits 64" 64
check_eq "unknown command message" "optout: unknown command 'frobnicate'
Try 'optout --help'." "$(cat "$work/err")"
check_eq "unknown command prints nothing on stdout" "" "$(cat "$work/out")"

run --frob
check_status "unknown global option exits 64" 64
check_has "unknown global option is named" "$work/err" "optout: unknown option '--frob'"

run help help
check_status "help COMMAND exits 0" 0
check_has "help COMMAND shows its usage" "$work/out" "Usage: optout help [COMMAND]"

run help nosuch
check_status "help of an unknown command exits 64" 64
check_has "help of an unknown command names it" "$work/err" "optout: unknown command 'nosuch'"

# Every command in the table answers --help with its usage line and exit 0.
for c in $("$OPTOUT" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p'); do
	run "$c" --help
	if [ "$status" -eq 0 ] && grep -q "^Usage: optout $c" "$work/out"; then
		ok "$c --help"
	else
		not_ok "$c --help" "status $status: $(head -c 500 "$work/out" "$work/err")"
	fi
	run "$c" --no-such-flag
	check_status "$c rejects an unknown flag with 64" 64
	check_has "$c names the unknown flag" "$work/err" "unknown option '--no-such-flag'"
done

# Built in the source tree, ./optout finds the registry beside itself without any set-up.
if [ "$(cd "$TOP_BUILDDIR" && pwd -P)" = "$(cd "$TOP_SRCDIR" && pwd -P)" ] &&
	[ ! -e /usr/local/share/optout/brokers/schema.json ]; then
	(unset OPTOUT_DATADIR; cd "$work" && "$OPTOUT" brokers validate) >"$work/out" 2>"$work/err"
	check_has "./optout from the source tree finds its registry" "$work/out" "broker files are valid"
fi

done_testing
