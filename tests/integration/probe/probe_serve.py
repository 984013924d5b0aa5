#!/usr/bin/python3
"""`mailprobe probe` against `mailprobe serve` and its fault injection.

Usage: probe_serve.py /path/to/mailprobe  (or $MAILPROBE)
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "serve"))
from serve_harness import Serve, binary  # noqa: E402

BIN = binary()
failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else "  " + str(detail)))
    if not cond:
        failures.append(name)


def probe(srv, mode, port_name, *extra):
    args = [BIN, "probe", mode, "--host", "localhost", "--port", str(srv.port(port_name)),
            "--ca-file", srv.info["ca_file"], "--output-format", "json"] + list(extra)
    t0 = time.monotonic()
    p = subprocess.run(args, capture_output=True, text=True, timeout=60)
    try:
        rec = json.loads(p.stdout)
    except ValueError:
        rec = {"stdout": p.stdout, "stderr": p.stderr}
    return p.returncode, rec, time.monotonic() - t0


with Serve() as srv:
    rc, r, _ = probe(srv, "smtp", "smtp", "--warn-days", "0")
    check("serve smtp starttls: success", rc == 0 and r.get("result") == "success", r)
    check("serve smtp: cert verified with serve's CA", r.get("cert_verified") is True, r)
    rc, r, _ = probe(srv, "smtp", "smtp")
    days = r.get("cert_days_until_expiry")
    check("serve's short-lived cert trips the default 14-day warning",
          days is not None and (days >= 14 or (rc == 1 and r.get("result") == "cert_expiring")), r)
    rc, r, _ = probe(srv, "smtp", "smtps", "--tls", "tls", "--warn-days", "0")
    check("serve smtps: success", rc == 0 and r.get("result") == "success", r)
    rc, r, _ = probe(srv, "imap", "imap", "--warn-days", "0")
    check("serve imap starttls: success", rc == 0 and r.get("result") == "success", r)
    rc, r, _ = probe(srv, "imap", "imaps", "--tls", "tls", "--warn-days", "0")
    check("serve imaps: success", rc == 0 and r.get("result") == "success", r)
    for pw, ok in (("alice", True), ("not-alice", False)):
        pw_file = os.path.join(srv.tmp.name, "pw-" + pw)
        with open(pw_file, "w") as f:
            f.write(pw + "\n")
        rc, r, _ = probe(srv, "imap", "imap", "--warn-days", "0", "--username", "alice", "--password-file", pw_file)
        if ok:
            check("serve imap login: timed", rc == 0 and r.get("login_seconds", 0) > 0, r)
        else:
            check("serve imap wrong password: auth_failed at imap_login",
                  rc == 1 and r.get("result") == "auth_failed" and r.get("stage") == "imap_login", r)

with Serve("--no-starttls") as srv:
    rc, r, _ = probe(srv, "smtp", "smtp")
    check("serve --no-starttls: smtp starttls_unavailable", rc == 1 and r.get("result") == "starttls_unavailable", r)
    rc, r, _ = probe(srv, "imap", "imap")
    check("serve --no-starttls: imap starttls_unavailable", rc == 1 and r.get("result") == "starttls_unavailable", r)

with Serve("--smtp-reply", "STARTTLS=454 4.7.0 TLS not available") as srv:
    rc, r, _ = probe(srv, "smtp", "smtp")
    check("serve STARTTLS 454: starttls_unavailable with code",
          rc == 1 and r.get("result") == "starttls_unavailable" and r.get("reply_code") == 454, r)

with Serve("--smtp-reply", "GREETING=421 4.3.2 busy") as srv:
    rc, r, _ = probe(srv, "smtp", "smtp")
    check("serve 421 greeting: temp_reject at smtp_greeting",
          rc == 1 and r.get("result") == "temp_reject" and r.get("stage") == "smtp_greeting", r)

with Serve("--smtp-drop", "EHLO") as srv:
    rc, r, _ = probe(srv, "smtp", "smtp")
    check("serve drop at EHLO: connection_closed at smtp_ehlo",
          rc == 1 and r.get("result") == "connection_closed" and r.get("stage") == "smtp_ehlo", r)

with Serve("--smtp-reply", "NOOP=500 5.5.1 no") as srv:
    rc, r, _ = probe(srv, "smtp", "smtp", "--warn-days", "0")
    check("serve NOOP 500: perm_reject at smtp_noop",
          rc == 1 and r.get("result") == "perm_reject" and r.get("stage") == "smtp_noop", r)

with Serve("--slow-greeting", "3000") as srv:
    rc, r, elapsed = probe(srv, "smtp", "smtp", "--timeout", "1")
    check("serve slow greeting: timeout at smtp_greeting within the timeout",
          rc == 1 and r.get("result") == "timeout" and r.get("stage") == "smtp_greeting" and elapsed < 3, (r, elapsed))

with Serve("--imap-drop", "GREETING") as srv:
    rc, r, _ = probe(srv, "imap", "imap")
    check("serve imap drop at greeting: fails at imap_greeting",
          rc == 1 and r.get("stage") == "imap_greeting", r)

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
