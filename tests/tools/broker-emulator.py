#!/usr/bin/python3
"""A data broker's web forms, emulated for the tests of 'optout submit'.

Serves HTTPS (or, with --plain, HTTP) on 127.0.0.1 at a free port, which it
writes to --port-file once it is listening.  Every request it receives is
appended to --log as one JSON line: method, path, query, content type, the
decoded form fields (urlencoded, multipart or JSON), the cookies and headers
of interest, the time, and how many requests were in progress when it
arrived (for the concurrency tests).  It runs until it is killed.

Only the Python standard library is used.  Scenarios are paths:

  /plain/      a plain POST form                 /csrf/       CSRF token + session cookie
  /search/     search, pick the listing, confirm /captcha/    a reCAPTCHA page
  /retry/      503 (Retry-After: 1), then 200    /busy/       always 429
  /redirect/   a redirect to http:// (refused)   /endless/    a body that never ends
  /malformed/  broken HTML                        /json/       a JSON API behind a page
  /multipart/  a multipart/form-data form         /jsonly/     a JavaScript-only page
  /fail/       a reply that says the request failed
  /drop/       the form's POST is read, then the connection closes with no reply
  /down/       the form's POST always gets 503     /odd/        a reply no pattern knows
  /hang/       the form's POST is never answered
"""

import argparse
import email.parser
import email.policy
import json
import os
import secrets
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"active": 0, "retry": 0, "sessions": {}}
ARGS = None

PAGE = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title>{head}</head>\n<body>\n{body}\n</body></html>\n"


def page(title, body, head=""):
    """A whole HTML page."""
    return PAGE.format(title=title, head=head, body=body)


def record(entry):
    """Append one JSON line to the log (the tests read it)."""
    with LOCK:
        with open(ARGS.log, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")


def decode_fields(ctype, body):
    """The submitted fields as a list of [name, value] pairs, in order."""
    main = ctype.split(";")[0].strip().lower()
    if main == "application/x-www-form-urlencoded":
        return urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    if main == "multipart/form-data":
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + body)
        out = []
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            out.append([name, part.get_payload(decode=True).decode("utf-8")])
        return out
    if main == "application/json":
        obj = json.loads(body.decode("utf-8"))
        return [[k, v] for k, v in obj.items()]
    return []


class Handler(BaseHTTPRequestHandler):
    """One request: log it, then answer as the scenario says."""

    server_version = "BrokerEmulator/1"

    def log_message(self, fmt, *args):
        """Quiet: the JSON log is the record."""

    def cookies(self):
        """The request's cookies as a dict."""
        out = {}
        for part in (self.headers.get("Cookie") or "").split(";"):
            if "=" in part:
                k, v = part.strip().split("=", 1)
                out[k] = v
        return out

    def record_once(self):
        """Log this request once.  Done before the first byte of the reply, so
        a client that has its answer never finds its request missing from the
        log (the tests read the log as soon as optout exits)."""
        if not getattr(self, "recorded", True):
            self.recorded = True
            record(self.entry)

    def send_response(self, code, message=None):
        self.record_once()
        super().send_response(code, message)

    def reply(self, status, text, ctype="text/html; charset=utf-8", headers=()):
        """Send a whole reply."""
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def handle_one(self, method):
        """Read, log, delay if asked, and dispatch."""
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        ctype = self.headers.get("Content-Type") or ""
        with LOCK:
            STATE["active"] += 1
            active = STATE["active"]
        busy = True
        try:
            entry = {
                "method": method,
                "path": url.path,
                "query": urllib.parse.parse_qsl(url.query, keep_blank_values=True),
                "content_type": ctype.split(";")[0].strip().lower(),
                "fields": decode_fields(ctype, body) if body else [],
                "cookies": self.cookies(),
                "user_agent": self.headers.get("User-Agent"),
                "csrf_header": self.headers.get("X-CSRF-Token"),
                "referer": self.headers.get("Referer"),
                "time": time.time(),
                "active": active,
            }
            if ARGS.delay:
                time.sleep(ARGS.delay)
            # A request stops counting as in progress before its reply goes out,
            # so the client's next request can never overlap it in the count.
            with LOCK:
                STATE["active"] -= 1
            busy = False
            self.entry = entry
            self.recorded = False
            self.dispatch(method, url.path, dict(entry["fields"]))
            self.record_once()
        finally:
            if busy:
                with LOCK:
                    STATE["active"] -= 1

    def do_GET(self):
        self.handle_one("GET")

    def do_POST(self):
        self.handle_one("POST")

    def form_page(self, scenario, extra_head="", extra_body=""):
        """The ordinary opt-out form used by several scenarios."""
        return page("Opt out", f"""<h1>Remove your information</h1>
<form id="newsletter" action="/{scenario}/newsletter" method="post"><input name="email"></form>
<form id="optout" action="/{scenario}/submit" method="post">
<input type="hidden" name="form_version" value="3">
<label>First name <input name="first_name" type="text"></label>
<label>Last name <input name="last_name"></label>
<label>Email <input type="email" name="email"></label>
<select name="state"><option value="">--</option><option value="CA">California</option></select>
<label><input type="checkbox" name="agree" value="yes"> I am the person named</label>
<input type="text" name="nickname" value="">
<button type="submit" name="go" value="1">Submit</button>
</form>{extra_body}""", extra_head)

    def dispatch(self, method, path, fields):
        """The scenarios."""
        if path in ("/plain/", "/retry/", "/busy/", "/fail/", "/drop/", "/down/", "/odd/",
                    "/hang/") and method == "GET":
            if path == "/retry/":
                with LOCK:
                    STATE["retry"] = 0
            return self.reply(200, self.form_page(path.strip("/")))
        if path == "/plain/submit" and method == "POST":
            return self.reply(200, page("Thanks", "<p>Your opt-out request has been received.</p>"))
        if path == "/retry/submit" and method == "POST":
            with LOCK:
                STATE["retry"] += 1
                n = STATE["retry"]
            if n == 1:
                return self.reply(503, page("Busy", "<p>Service unavailable</p>"),
                                  headers=[("Retry-After", "1")])
            return self.reply(200, page("Thanks", "<p>Your opt-out request has been received.</p>"))
        if path == "/busy/submit":
            return self.reply(429, page("Slow down", "<p>Too many requests</p>"))
        if path == "/drop/submit" and method == "POST":
            # The body was read; the connection closes without a status line.
            self.close_connection = True
            return None
        if path == "/down/submit" and method == "POST":
            return self.reply(503, page("Error", "<p>Service unavailable</p>"))
        if path == "/odd/submit" and method == "POST":
            return self.reply(200, page("Hello", "<p>Welcome to our new website!</p>"))
        if path == "/hang/submit" and method == "POST":
            # Never answered: only the client's own timeout ends the exchange.
            self.record_once()
            threading.Event().wait(3600)
            return None
        if path == "/fail/submit":
            return self.reply(200, page("Sorry", "<p>We could not process your request: no matching record.</p>"))

        if path == "/csrf/" and method == "GET":
            sid = secrets.token_hex(8)
            token, meta = "A-" + secrets.token_hex(6), "M-" + secrets.token_hex(6)
            with LOCK:
                STATE["sessions"][sid] = (token, meta)
            self.entry["issued"] = {"sid": sid, "token": token, "meta": meta}
            body = f"""<form id="remove" action="submit" method="post">
<input type="hidden" name="authenticity_token" value="{token}">
<input type="email" name="email"><input type="submit" value="Remove me"></form>"""
            return self.reply(200, page("Remove", body, f'<meta name="csrf-token" content="{meta}">'),
                              headers=[("Set-Cookie", f"sid={sid}; Path=/; Secure; HttpOnly")])
        if path == "/csrf/submit" and method == "POST":
            sid = self.cookies().get("sid")
            with LOCK:
                want = STATE["sessions"].get(sid)
            ok = (want is not None and fields.get("authenticity_token") == want[0]
                  and self.headers.get("X-CSRF-Token") == want[1])
            self.entry["accepted"] = ok
            if not ok:
                return self.reply(403, page("Forbidden", "<p>Invalid session or token.</p>"))
            return self.reply(200, page("Almost done", "<p>Please check your email to confirm your request.</p>"))

        if path == "/search/" and method == "GET":
            return self.reply(200, page("Find your record", """<form name="lookup" action="/search/results" method="get">
<input name="fn"><input name="ln"><select name="st"><option>AK</option><option>CA</option></select>
<input type="submit" value="Search"></form>"""))
        if path == "/search/results" and method == "GET":
            return self.reply(200, page("Results", """<ul>
<li><a href="/search/record/4711">José Núñez Peña, Los Angeles, CA</a></li>
<li><a href="/search/record/4712">Maria Example, Houston, TX</a></li>
<li><a href="/about">About us</a></li></ul>"""))
        if path.startswith("/search/record/") and method == "GET":
            rec = path.rsplit("/", 1)[1]
            return self.reply(200, page("Confirm", f"""<p>Remove this record?</p>
<form id="confirm" action="/search/confirm" method="post">
<input type="hidden" name="record" value="{rec}"><input type="email" name="email">
<button>Remove</button></form>"""))
        if path == "/search/confirm" and method == "POST":
            return self.reply(200, page("Done", "<p>The record has been removed.</p>"))

        if path == "/captcha/" and method == "GET":
            body = """<form id="optout" action="/captcha/submit" method="post">
<input name="first_name"><input name="last_name"><input name="email">
<div class="g-recaptcha" data-sitekey="6Lc-test"></div><button>Send</button></form>"""
            return self.reply(200, page("Opt out", body,
                              '<script src="https://www.google.com/recaptcha/api.js" async defer></script>'))

        if path == "/redirect/":
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/plain/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None

        if path == "/endless/":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            chunk = b"<p>" + b"x" * 65530 + b"</p>\n"
            sent, start = 0, time.time()
            try:
                # No length announced; the client must stop reading.  The
                # limits only keep a broken client from filling the disk.
                while sent < 256 * 1024 * 1024 and time.time() - start < 30:
                    self.wfile.write(chunk)
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
                pass
            self.close_connection = True
            return None

        if path == "/malformed/" and method == "GET":
            data = """<html><head><title>Opt-out<body>
<table><FORM NAME=removal ACTION="/malformed/go" METHOD=POST><tr><td>Name<td><INPUT NAME=fullname>
<tr><td><input type=hidden name=k value='a&amp;b'><td><input name=mail></div>
</table></form></span><p>unclosed <b>bold &nbsp; <i>italic
"""
            return self.reply(200, data)
        if path == "/malformed/go" and method == "POST":
            return self.reply(200, "<p>Your opt-out request has been received")

        if path == "/json/" and method == "GET":
            return self.reply(200, page("Privacy requests", '<div id="app">Loading...</div>'
                                        '<script src="/json/app.js"></script>',
                                        '<meta name="csrf-token" content="J-1234">'))
        if path == "/json/api" and method == "POST":
            ok = self.headers.get("X-CSRF-Token") == "J-1234"
            return self.reply(200 if ok else 403,
                              json.dumps({"status": "received" if ok else "rejected"}),
                              "application/json")

        if path == "/multipart/" and method == "GET":
            return self.reply(200, page("Opt out", """<form action="/multipart/submit" method="post" enctype="multipart/form-data">
<input type="hidden" name="kind" value="opt-out"><input name="full_name"><input name="email">
<textarea name="comment">default text</textarea><input type="submit"></form>"""))
        if path == "/multipart/submit" and method == "POST":
            return self.reply(200, page("Thanks", "<p>Your opt-out request has been received.</p>"))

        if path == "/jsonly/" and method == "GET":
            return self.reply(200, page("App", '<div id="root"></div><form></form>'
                                        '<noscript>You need to enable JavaScript to run this app.</noscript>'
                                        '<script src="/static/app.js"></script>'))

        return self.reply(404, page("Not found", "<p>Not found</p>"))


class Server(ThreadingHTTPServer):
    """A threaded server whose TLS handshake happens in the request's thread."""

    daemon_threads = True
    context = None

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.context is not None:
            sock = self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        """A failed handshake (an untrusted certificate, say) is logged, not printed."""
        record({"event": "error", "error": str(sys.exc_info()[1])})


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cert", help="server certificate (PEM)")
    ap.add_argument("--key", help="its private key (PEM)")
    ap.add_argument("--plain", action="store_true", help="serve HTTP instead of HTTPS")
    ap.add_argument("--port-file", required=True, help="write the port here once listening")
    ap.add_argument("--log", required=True, help="append one JSON line per request here")
    ap.add_argument("--delay", type=float, default=0, help="seconds to wait before each reply")
    ARGS = ap.parse_args()
    server = Server(("127.0.0.1", 0), Handler)
    if not ARGS.plain:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(ARGS.cert, ARGS.key)
        server.context = ctx
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_port))
    os.rename(tmp, ARGS.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
