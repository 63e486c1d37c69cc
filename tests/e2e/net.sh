# Helpers for tests that start servers on 127.0.0.1: a free port, waiting for
# a listener, and a throwaway CA with a certificate for 127.0.0.1.

# free_port: print a TCP port on 127.0.0.1 that nobody listens on.
free_port() {
	"$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port PORT: wait until something accepts connections on 127.0.0.1:PORT.
wait_port() {
	"$PYTHON" - "$1" <<'PY'
import socket, sys, time
for _ in range(300):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PY
}

# make_ca DIR: a CA (DIR/ca.pem) and a server certificate for 127.0.0.1 signed by it
# (DIR/srv.pem, DIR/srv.key); bails out when openssl fails.
make_ca() {
	mkdir -p "$1"
	if ! {
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
			-keyout "$1/ca.key" -out "$1/ca.pem" -subj "/CN=optout test CA" \
			-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" &&
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout "$1/srv.key" -out "$1/srv.csr" -subj "/CN=127.0.0.1" &&
		printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$1/ext" &&
		openssl x509 -req -in "$1/srv.csr" -CA "$1/ca.pem" -CAkey "$1/ca.key" \
			-CAcreateserial -days 2 -extfile "$1/ext" -out "$1/srv.pem"
	} >"$1/log" 2>&1; then
		echo "Bail out! cannot make test certificates: $(tail -3 "$1/log")"
		exit 1
	fi
}
