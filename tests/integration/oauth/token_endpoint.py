"""A small OAuth2 token endpoint for the tests (RFC 6749 §4.4 client
credentials and §6 refresh token), over HTTPS with the mailstack's server
certificate. Access tokens are HS256 JWTs that the mailstack's Dovecot
(passdb oauth2, local validation) accepts.

Run: token_endpoint.py --cert C --key K --hs256-key KEY --issuer I --audience A
     --user alice@mailprobe.test --client-id app --client-secret S
     [--refresh-token R] [--expires-in N] [--delay SECONDS]
Prints the port on stdout, then serves until killed.

Paths: POST /token (the real one), POST /malformed (200 with broken JSON),
POST /noaccess (200 without access_token), GET /stats (request counts).
"""
import argparse
import base64
import hashlib
import hmac
import http.server
import json
import ssl
import sys
import threading
import time
import urllib.parse


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(key, claims, alg="HS256"):
    """An HS256 JWT over `claims` (RFC 7519), signed with `key`."""
    head = b64u(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    body = b64u(json.dumps(claims, separators=(",", ":")).encode())
    sig = hmac.new(key.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64u(sig)}"


def claims_for(user, issuer, audience, lifetime=600, now=None, pad=0):
    now = int(now if now is not None else time.time())
    c = {"sub": user.split("@")[0], "email": user, "iss": issuer, "aud": audience, "iat": now, "exp": now + lifetime}
    if pad:
        c["pad"] = "x" * pad
    return c


class Handler(http.server.BaseHTTPRequestHandler):
    opts = None
    stats = {"client_credentials": 0, "refresh_token": 0, "rejected": 0, "other": 0}
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def reply(self, code, obj=None, raw=None):
        body = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def count(self, what):
        with self.lock:
            self.stats[what] += 1

    def do_GET(self):
        if self.path == "/stats":
            with self.lock:
                return self.reply(200, dict(self.stats))
        self.reply(404, {"error": "not_found"})

    def do_POST(self):
        o = self.opts
        n = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(n).decode(), keep_blank_values=True)
        f = {k: v[0] for k, v in form.items()}
        if o.delay:
            time.sleep(o.delay)
        if self.path == "/malformed":
            self.count("other")
            return self.reply(200, raw=b'{"access_token": "abc", "expires_in": ')
        if self.path == "/noaccess":
            self.count("other")
            return self.reply(200, {"token_type": "Bearer", "expires_in": 3599})
        if self.path != "/token":
            return self.reply(404, {"error": "not_found"})
        grant = f.get("grant_type")
        if f.get("client_id") != o.client_id or f.get("client_secret") != o.client_secret:
            self.count("rejected")
            return self.reply(401, {
                "error": "invalid_client",
                "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent "
                                     "in the request is the client secret value, not the client secret ID.",
                "error_codes": [7000215], "trace_id": "0f1e2d3c", "correlation_id": "4b5a6978"})
        if grant == "client_credentials":
            if not f.get("scope"):
                self.count("rejected")
                return self.reply(400, {"error": "invalid_scope", "error_description": "AADSTS1002012: scope missing"})
            self.count("client_credentials")
        elif grant == "refresh_token":
            if f.get("refresh_token") != o.refresh_token:
                self.count("rejected")
                return self.reply(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
            self.count("refresh_token")
        else:
            self.count("rejected")
            return self.reply(400, {"error": "unsupported_grant_type"})
        token = mint(o.hs256_key, claims_for(o.user, o.issuer, o.audience, lifetime=max(o.expires_in, 60)))
        self.reply(200, {"token_type": "Bearer", "expires_in": o.expires_in, "ext_expires_in": o.expires_in,
                         "access_token": token})


def main():
    p = argparse.ArgumentParser()
    for a in ("cert", "key", "hs256-key", "issuer", "audience", "user", "client-id", "client-secret"):
        p.add_argument("--" + a, required=True)
    p.add_argument("--refresh-token", default="")
    p.add_argument("--expires-in", type=int, default=3599)
    p.add_argument("--delay", type=float, default=0)
    o = p.parse_args()
    Handler.opts = o
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(o.cert, o.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
