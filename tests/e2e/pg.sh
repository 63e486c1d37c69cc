# A throwaway PostgreSQL 15 for a test file: initdb in the test's work folder,
# listening on a free 127.0.0.1 port with its socket in the folder, stopped by
# lib.sh's cleanup.  Source after lib.sh and net.sh; then call pg_start.
# As root, initdb refuses to run: the server runs as the user postgres.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

# pg_as CMD...: run a server command as postgres when we are root.
pg_as() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_start: start the server; sets pg_url (the database "optout") and pg_port.
pg_start() {
	if [ ! -x "$PG_BIN/initdb" ]; then
		echo "1..0 # SKIP PostgreSQL 15 is not installed (Debian package postgresql)"
		exit 0
	fi
	pg_dir="$work/pg"
	mkdir -p "$pg_dir"
	# The server user must reach its folder through the test's own.
	chmod 755 "$work"
	[ "$(id -u)" -ne 0 ] || chown postgres "$pg_dir"
	if ! pg_as "$PG_BIN/initdb" -D "$pg_dir/data" -A trust -U postgres --no-sync -E UTF8 \
		--locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1; then
		echo "Bail out! initdb failed: $(tail -3 "$pg_dir/initdb.log")"
		exit 1
	fi
	pg_port=$(free_port)
	pg_as "$PG_BIN/postgres" -D "$pg_dir/data" -c listen_addresses=127.0.0.1 -p "$pg_port" \
		-k "$pg_dir" -c fsync=off -c max_connections=40 >"$pg_dir/server.log" 2>&1 &
	pg_pid=$!
	cleanup_pids="$cleanup_pids $pg_pid"
	# The server is stopped (and waited for) before the folder is removed.
	trap 'pg_stop; cleanup' EXIT INT TERM
	# Accepting connections is not ready: the database may still be starting up.
	tries=0
	while wait_port "$pg_port" && ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$pg_port" &&
		[ "$tries" -lt 300 ]; do
		tries=$((tries + 1))
		sleep 0.05
	done
	if ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$pg_port"; then
		echo "Bail out! PostgreSQL did not start: $(tail -3 "$pg_dir/server.log")"
		exit 1
	fi
	pg_admin_url="postgresql://postgres@127.0.0.1:$pg_port/postgres"
	pg_newdb optout
	pg_url="postgresql://postgres@127.0.0.1:$pg_port/optout"
}

# pg_stop: stop the server at once and wait until it has.
pg_stop() {
	[ -z "${pg_dir:-}" ] || pg_as "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m immediate -w stop \
		>/dev/null 2>&1 || true
}

# pg_backend: with OPTOUT_TEST_BACKEND=pg, start a server and set db to its
# URL (the ledger the test uses); sets backend to sqlite or pg.
pg_backend() {
	backend=${OPTOUT_TEST_BACKEND:-sqlite}
	[ "$backend" = pg ] || return 0
	pg_start
	db=$pg_url
}

# pg_newdb NAME: create an empty database.
pg_newdb() {
	"$PG_BIN/psql" -qAt -d "$pg_admin_url" -c "CREATE DATABASE \"$1\"" >/dev/null
}

# pg_sql URL SQL: run SQL, printing the rows unaligned.
pg_sql() {
	"$PG_BIN/psql" -qAt -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}
