# A private Postfix on 127.0.0.1 for the mail tests: submission with STARTTLS
# required and SASL (sasldb), delivering every accepted message into one
# Maildir.  Source it after lib.sh and a CA ($tls/ca.pem, srv.pem, srv.key).
#   start_postfix   sets $pf (its folder), $smtp_port (TLS required),
#                   $plain_port (no STARTTLS offered), $maildir, $pf_access
#                   (a check_recipient_access table the test may rewrite)
#   stop_postfix    stops it (also done on exit)

. "$TOP_SRCDIR/tests/e2e/net.sh"

start_postfix() {
	pf="$work/postfix"
	# Postfix's own processes (user postfix, nobody) must reach their files in here.
	chmod 711 "$work"
	mkdir -p "$pf/conf/sasl" "$pf/queue" "$pf/data" "$pf/mail"
	smtp_port=$(free_port)
	plain_port=$(free_port)
	maildir="$pf/mail/inbox"
	pf_access="$pf/access"
	: >"$pf_access"
	chown postfix "$pf/data"
	chown 65534:65534 "$pf/mail"
	cp "$tls/srv.pem" "$tls/srv.key" "$pf/conf/"
	cat >"$pf/conf/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
meta_directory = /etc/postfix
maillog_file = $pf/maillog
maillog_file_prefixes = $pf
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mail.test
mydomain = mail.test
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtputf8_enable = no
virtual_mailbox_domains = accepts.test busy.test gone.test second.test
virtual_mailbox_base = $pf/mail
virtual_mailbox_maps = static:inbox/
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
smtpd_tls_security_level = encrypt
smtpd_tls_auth_only = yes
smtpd_tls_cert_file = $pf/conf/srv.pem
smtpd_tls_key_file = $pf/conf/srv.key
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtpd_sasl_local_domain = mail.test
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions = check_recipient_access texthash:$pf_access, permit_sasl_authenticated, reject
CF
	sed -e 's/^smtp\( *\)inet.*/127.0.0.1:'"$smtp_port"' inet n - n - - smtpd -o max_use=1/' \
		/etc/postfix/master.cf >"$pf/conf/master.cf"
	# A listener that offers no STARTTLS at all: the client must refuse to log in there.
	printf '127.0.0.1:%s inet n - n - - smtpd -o smtpd_tls_security_level=none -o smtpd_tls_auth_only=no\n' \
		"$plain_port" >>"$pf/conf/master.cf"
	postconf -c "$pf/conf" -F '*/*/chroot = n'
	printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\nsasldb_path: %s\n' \
		"$pf/sasldb2" >"$pf/conf/sasl/smtpd.conf"
	printf 'Correct-Horse-7\n' | saslpasswd2 -p -c -f "$pf/sasldb2" -u mail.test intake
	chgrp postfix "$pf/sasldb2"
	chmod 640 "$pf/sasldb2"
	if ! postfix -c "$pf/conf" start >"$pf/start.log" 2>&1 || ! wait_port "$smtp_port"; then
		echo "Bail out! postfix did not start: $(cat "$pf/start.log"; tail -5 "$pf/maillog" 2>/dev/null)"
		exit 1
	fi
	postfix_running=1
}

stop_postfix() {
	if [ "${postfix_running:-0}" = 1 ]; then
		postfix -c "$pf/conf" stop >/dev/null 2>&1 || true
		postfix_running=0
	fi
}

# wait_delivered N: wait until the Maildir holds N messages (delivery is asynchronous).
wait_delivered() {
	n=0
	while [ "$(ls "$maildir/new" 2>/dev/null | wc -l)" -lt "$1" ]; do
		n=$((n + 1))
		if [ $n -gt 200 ]; then return 1; fi
		sleep 0.05
	done
}
