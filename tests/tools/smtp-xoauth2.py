#!/usr/bin/python3
"""A minimal SMTP server over implicit TLS that offers only AUTH XOAUTH2, for
the test of optout's XOAUTH2 login (Postfix's SASL has no XOAUTH2).  It
writes its port to --port-file once listening, appends each client's AUTH
argument (decoded) and each message to --log as JSON lines, accepts one
message per connection and exits after --connections connections.
Only the Python standard library is used."""
import argparse
import base64
import json
import socket
import ssl

ap = argparse.ArgumentParser()
ap.add_argument("--cert", required=True)
ap.add_argument("--key", required=True)
ap.add_argument("--port-file", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--token", required=True, help="the bearer token to accept")
ap.add_argument("--connections", type=int, default=1)
args = ap.parse_args()

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(args.cert, args.key)
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(4)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(srv.getsockname()[1]))
import os
os.rename(args.port_file + ".tmp", args.port_file)


def log(entry):
    with open(args.log, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")


for _ in range(args.connections):
    raw, _ = srv.accept()
    try:
        conn = ctx.wrap_socket(raw, server_side=True)
    except (ssl.SSLError, OSError) as e:
        log({"event": "tls-error", "error": str(e)})
        raw.close()
        continue
    rf = conn.makefile("rb")

    def say(line):
        conn.sendall(line.encode() + b"\r\n")

    say("220 xoauth2.test ESMTP")
    authed = False
    while True:
        line = rf.readline()
        if not line:
            break
        cmd = line.decode("utf-8", "replace").rstrip("\r\n")
        verb = cmd.split(" ", 1)[0].upper()
        if verb in ("EHLO", "HELO"):
            say("250-xoauth2.test")
            say("250-AUTH XOAUTH2")
            say("250 8BITMIME")
        elif verb == "AUTH":
            parts = cmd.split(" ")
            arg = parts[2] if len(parts) > 2 else ""
            if not arg:
                say("334 ")
                arg = rf.readline().decode().strip()
            decoded = base64.b64decode(arg).decode("utf-8", "replace")
            log({"event": "auth", "mechanism": parts[1].upper(), "decoded": decoded})
            if decoded.endswith("auth=Bearer " + args.token + "\x01\x01"):
                authed = True
                say("235 2.7.0 Accepted")
            else:
                say("535 5.7.8 Bad token")
        elif verb == "MAIL":
            say("250 2.1.0 Ok" if authed else "530 5.7.0 Authentication required")
        elif verb == "RCPT":
            say("250 2.1.5 Ok")
        elif verb == "DATA":
            say("354 End data with <CR><LF>.<CR><LF>")
            body = []
            while True:
                l = rf.readline()
                if not l or l in (b".\r\n", b".\n"):
                    break
                body.append(l.decode("utf-8", "replace"))
            # Logged before the reply, so the client never exits before the log has it.
            log({"event": "message", "data": "".join(body)})
            say("250 2.0.0 Ok: queued")
        elif verb == "QUIT":
            say("221 2.0.0 Bye")
            break
        else:
            say("250 2.0.0 Ok")
    conn.close()
