# Start `optout serve --port 0` in $work/run (an empty folder) for serve.sh and
# kiosk.sh, with any further options given; sets $pid and $url
# (http://127.0.0.1:PORT/), or stops the test.
serve_start() {
	mkdir -p "$work/run"
	rm -f "$work/serve.out" # an earlier server's address is not this one's
	(cd "$work/run" && exec "$OPTOUT" serve --port 0 "$@" >"$work/serve.out" 2>"$work/serve.err") &
	pid=$!
	cleanup_pids="$pid"
	url=
	i=0
	# It prints its address once it listens (the file may not exist yet); the
	# count only bounds a broken start.
	while [ -z "$url" ] && [ $i -lt 1200 ]; do
		url=$(sed -n 's|.*\(http://127\.0\.0\.1:[0-9]*/\).*|\1|p' "$work/serve.out" 2>/dev/null || true)
		[ -n "$url" ] || { kill -0 "$pid" 2>/dev/null || break; i=$((i + 1)); sleep 0.05; }
	done
	if [ -z "$url" ]; then
		echo "not ok 1 - the server starts"
		sed 's/^/# /' "$work/serve.err"
		echo 1..1
		exit 1
	fi
}
