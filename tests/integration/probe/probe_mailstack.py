#!/usr/bin/python3
"""`mailprobe probe` against the real Postfix + Dovecot of tests/mailstack.

Starts the stack when its env file is missing. Usage:
  probe_mailstack.py /path/to/mailprobe /path/to/tests/mailstack/mailstack.sh
"""
import datetime
import json
import os
import subprocess
import sys

BIN, STACK = sys.argv[1], sys.argv[2]
ENV_FILE = os.path.join(os.environ.get("MAILSTACK_DIR", "/var/tmp/mailprobe-mailstack"), "env")
failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else "  " + str(detail)))
    if not cond:
        failures.append(name)


if not os.path.exists(ENV_FILE):
    r = subprocess.run([STACK, "start"], capture_output=True, text=True, timeout=180)
    if r.returncode != 0 or not os.path.exists(ENV_FILE):
        print("mailstack did not start (skipping):", r.stderr[-500:])
        sys.exit(77)
env = {}
for line in open(ENV_FILE):
    if "=" in line:
        k, v = line.rstrip("\n").split("=", 1)
        env[k] = v


def probe(*args, password=None):
    e = dict(os.environ)
    if password:
        e["MAILPROBE_PASSWORD"] = password
    p = subprocess.run([BIN, "probe"] + list(args) + ["--output-format", "json"], capture_output=True,
                       text=True, timeout=60, env=e)
    try:
        return p.returncode, json.loads(p.stdout)
    except ValueError:
        return p.returncode, {"stdout": p.stdout, "stderr": p.stderr}


H = ["--host", "localhost", "--ca-file", env["MS_CA_FILE"]]

rc, r = probe("smtp", "--port", env["MS_SMTP_NONE_PORT"], "--tls", "none", *H)
check("smtp none: success", rc == 0 and r.get("result") == "success", r)
check("smtp none: AUTH offered in cleartext is a finding", r.get("auth_before_tls") is True, r)
check("smtp none: caps parsed", r.get("pipelining") is True and r.get("size_bytes", 0) > 0, r)
check("smtp none: all step timings present",
      all(k in r for k in ("dns_seconds", "connect_seconds", "greeting_seconds", "ehlo_seconds",
                           "response_time_seconds", "quit_seconds", "duration_seconds")), sorted(r))

rc, r = probe("smtp", "--port", env["MS_SMTP_NONE_PORT"], "--tls", "starttls", *H)
check("smtp none port with --tls starttls: starttls_unavailable",
      rc == 1 and r.get("result") == "starttls_unavailable" and r.get("stage") == "smtp_starttls", r)

rc, r = probe("smtp", "--port", env["MS_SMTP_STARTTLS_PORT"], "--tls", "starttls", *H)
check("smtp starttls: success", rc == 0 and r.get("result") == "success", r)
check("smtp starttls: STARTTLS offered, AUTH only after TLS",
      r.get("starttls_offered") is True and r.get("auth_before_tls") is False
      and "PLAIN" in r.get("auth_mechanisms", ""), r)
check("smtp starttls: caps before TLS listed", "STARTTLS" in r.get("capabilities_before_tls", ""), r)
check("smtp starttls: TLS facts", r.get("tls_version", "").startswith("TLSv1.")
      and r.get("cert_verified") is True and r.get("cert_host_match") is True
      and "DNS:localhost" in r.get("cert_sans", ""), r)
check("smtp starttls: handshake and post-TLS EHLO timed",
      "tls_handshake_seconds" in r and "ehlo_tls_seconds" in r, r)

rc, r = probe("smtp", "--port", env["MS_SMTP_TLS_PORT"], "--tls", "tls", *H)
check("smtp implicit tls: success", rc == 0 and r.get("result") == "success" and "tls_cipher" in r, r)

rc, r = probe("smtp", "--port", env["MS_SMTP_EXPIRING_PORT"], "--tls", "tls", *H)
not_after = datetime.datetime.strptime(env["MS_EXPIRING_NOT_AFTER"], "%Y-%m-%dT%H:%M:%SZ").replace(
    tzinfo=datetime.timezone.utc)
left = not_after - datetime.datetime.now(datetime.timezone.utc)
check("expiring cert: days until expiry computed right",
      r.get("cert_days_until_expiry") == left.days, (r.get("cert_days_until_expiry"), left))
check("expiring cert: notAfter reported",
      r.get("cert_not_after", "").startswith(env["MS_EXPIRING_NOT_AFTER"][:19]), r.get("cert_not_after"))
check("expiring cert: cert_expiring with default --warn-days 14",
      rc == 1 and r.get("result") == "cert_expiring" and r.get("stage") == "smtp_tls", r)
rc, r = probe("smtp", "--port", env["MS_SMTP_EXPIRING_PORT"], "--tls", "tls", "--warn-days", "5", *H)
check("expiring cert: success with --warn-days 5", rc == 0 and r.get("result") == "success", r)

rc, r = probe("smtp", "--port", env["MS_SMTP_STARTTLS_PORT"], "--host", "localhost",
              "--ca-file", env["MS_OTHER_CA_FILE"])
check("wrong CA: tls_verify_failed, facts still reported",
      rc == 1 and r.get("result") == "tls_verify_failed" and r.get("cert_verified") is False
      and r.get("cert_verify_error") and "cert_subject" in r, r)
rc, r = probe("smtp", "--port", env["MS_SMTP_STARTTLS_PORT"], "--host", "localhost",
              "--ca-file", env["MS_OTHER_CA_FILE"], "--insecure")
check("wrong CA with --insecure: success, still cert_verified false",
      rc == 0 and r.get("result") == "success" and r.get("cert_verified") is False, r)

rc, r = probe("smtp", "--port", env["MS_SMTP_STARTTLS_PORT"], "--host", "127.0.0.1",
              "--ca-file", env["MS_CA_FILE"])
check("IP literal host verifies via the IP SAN", rc == 0 and r.get("cert_host_match") is True, r)

rc, r = probe("imap", "--port", env["MS_IMAP_PORT"], *H)
check("imap starttls: success", rc == 0 and r.get("result") == "success", r)
check("imap starttls: capabilities and LOGOUT",
      "IMAP4REV1" in r.get("capabilities", "") and "Logout" in r.get("quit_reply", ""), r)
rc, r = probe("imap", "--port", env["MS_IMAPS_PORT"], "--tls", "tls", *H)
check("imaps: success", rc == 0 and r.get("result") == "success" and r.get("cert_verified") is True, r)
rc, r = probe("imap", "--port", env["MS_IMAP_NOSTARTTLS_PORT"], *H)
check("imap without STARTTLS: starttls_unavailable",
      rc == 1 and r.get("result") == "starttls_unavailable" and r.get("stage") == "imap_starttls", r)
rc, r = probe("imap", "--port", env["MS_IMAP_PORT"], "--username", env["MS_ALICE_USER"], *H,
              password=env["MS_ALICE_PASS"])
check("imap login: timed", rc == 0 and r.get("login_seconds", 0) > 0, r)
rc, r = probe("imap", "--port", env["MS_IMAP_PORT"], "--username", env["MS_ALICE_USER"], *H,
              password="wrong-password")
check("imap wrong password: auth_failed at imap_login",
      rc == 1 and r.get("result") == "auth_failed" and r.get("stage") == "imap_login", r)
check("imap wrong password: secret not echoed", "wrong-password" not in json.dumps(r), r)

rc, r = probe("imap", "--port", env["MS_IMAP_PORT"], "--host", "localhost", "--ca-file", env["MS_OTHER_CA_FILE"],
              "--username", env["MS_ALICE_USER"], password=env["MS_ALICE_PASS"])
check("imap login with an unverifiable cert: tls_verify_failed, no LOGIN timing (fails closed)",
      rc == 1 and r.get("result") == "tls_verify_failed" and r.get("stage") == "imap_tls"
      and "login_seconds" not in r, r)

rc, r = probe("smtp", "--port", env["MS_SMTP_STARTTLS_PORT"], *H, "--send-email-flag", "true",
              "--email-from", env["MS_ALICE_USER"], "--email-to", env["MS_BOB_USER"],
              "--username", env["MS_ALICE_USER"], password=env["MS_ALICE_PASS"])
check("send-email: accepted with a queue id",
      rc == 0 and r.get("sendmail_code") == 250 and len(r.get("queue_id", "")) >= 6, r)
qid = r.get("queue_id", "")
if qid:
    log = open(env["MS_POSTFIX_LOG"], errors="replace").read()
    check("send-email: queue id appears in the Postfix log", qid in log)

# MX ranking end to end: a fake DNS server gives two MX records; the first
# resolves (localhost: the mailstack STARTTLS port), the second does not.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_dns import FakeDns  # noqa: E402

dns = FakeDns({"mx.mailprobe.test": [(20, "nonexistent.invalid"), (10, "localhost")]})
p = subprocess.run([BIN, "probe", "mx", "mx.mailprobe.test", "--dns-server", "127.0.0.1:%d" % dns.port,
                    "--mx-port", env["MS_SMTP_STARTTLS_PORT"], "--ca-file", env["MS_CA_FILE"],
                    "--output-format", "json", "--timeout", "2"], capture_output=True, text=True, timeout=60)
rows = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
check("mx: exit 0 when an exchange is healthy", p.returncode == 0, (p.returncode, p.stderr))
check("mx: one record per address, ranked 1..n", [r.get("rank") for r in rows] == list(range(1, len(rows) + 1)), rows)
best = rows[0] if rows else {}
check("mx: rank 1 is the preferred, healthy localhost 127.0.0.1",
      best.get("mx_host") == "localhost" and best.get("preference") == 10 and best.get("address") == "127.0.0.1"
      and best.get("success") is True and best.get("starttls_offered") is True
      and best.get("cert_verified") is True and "cert_days_until_expiry" in best and "connect_seconds" in best, best)
last = rows[-1] if rows else {}
check("mx: the unresolvable exchange is last with dns_error",
      last.get("mx_host") == "nonexistent.invalid" and last.get("preference") == 20
      and last.get("result") == "dns_error", last)
check("mx: the fake server saw the MX query", ("mx.mailprobe.test", 15) in dns.queries, dns.queries)

dns2 = FakeDns({})
p = subprocess.run([BIN, "probe", "mx", "nope.mailprobe.test", "--dns-server", "127.0.0.1:%d" % dns2.port,
                    "--output-format", "json"], capture_output=True, text=True, timeout=30)
rows = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
check("mx: NXDOMAIN is one dns_error record at stage dns_mx",
      p.returncode == 1 and len(rows) == 1 and rows[0].get("result") == "dns_error"
      and rows[0].get("stage") == "dns_mx", rows)

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
