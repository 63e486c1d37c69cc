# A private Dovecot on 127.0.0.1 for the mail tests: IMAP over TLS only
# (imaps), one user from a passwd-file, mail in a Maildir owned by 65534.
# Source it after lib.sh and net.sh, with a CA made by make_ca in $tls.
#   start_dovecot   sets $dv (its folder), $imap_port, $dv_maildir
#   stop_dovecot    stops it

start_dovecot() {
	dv="$work/dovecot"
	chmod 711 "$work"
	mkdir -p "$dv/run" "$dv/state" "$dv/mail/intake"
	imap_port=$(free_port)
	dv_maildir="$dv/mail/intake"
	mkdir -p "$dv_maildir/new" "$dv_maildir/cur" "$dv_maildir/tmp"
	chown -R 65534:65534 "$dv/mail"
	printf 'intake:{PLAIN}Correct-Horse-7\n' >"$dv/passwd"
	cat >"$dv/dovecot.conf" <<CF
base_dir = $dv/run
state_dir = $dv/state
log_path = $dv/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = required
ssl_cert = <$tls/srv.pem
ssl_key = <$tls/srv.key
disable_plaintext_auth = yes
auth_failure_delay = 0
mail_location = maildir:$dv/mail/%u
passdb {
  driver = passwd-file
  args = $dv/passwd
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=$dv/mail/%u
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = $imap_port
    ssl = yes
  }
}
CF
	dovecot -F -c "$dv/dovecot.conf" >"$dv/stderr" 2>&1 &
	dovecot_pid=$!
	cleanup_pids="$cleanup_pids $dovecot_pid"
	if ! wait_port "$imap_port"; then
		echo "Bail out! dovecot did not start: $(cat "$dv/stderr" "$dv/dovecot.log" 2>/dev/null | tail -5)"
		exit 1
	fi
}

stop_dovecot() {
	if [ -n "${dovecot_pid:-}" ]; then
		kill "$dovecot_pid" 2>/dev/null || true
		wait "$dovecot_pid" 2>/dev/null || true
		dovecot_pid=
	fi
}
