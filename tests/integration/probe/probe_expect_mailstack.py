#!/usr/bin/python3
"""`mailprobe probe smtp --expect` against the real Postfix of tests/mailstack:
every negative check once met and once violated; then Postfix as the MX of
`probe mx --policy` (DANE with TLSA from the fake DNS, MTA-STS enforce).

Ports (tests/mailstack/README.md): `starttls` requires TLS and offers AUTH
only after it; `none` is plaintext with AUTH in the clear and takes
unauthenticated mail for the local domain; `openrelay` relays for anyone and
offers no AUTH. Starts the stack when its env file is missing. Usage:
  probe_expect_mailstack.py /path/to/mailprobe /path/to/tests/mailstack/mailstack.sh
"""
import json
import os
import subprocess
import sys
import tempfile

BIN, STACK = sys.argv[1], sys.argv[2]
ENV_FILE = os.path.join(os.environ.get("MAILSTACK_DIR", "/var/tmp/mailprobe-mailstack"), "env")
failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else "  " + str(detail)))
    if not cond:
        failures.append(name)


if not os.path.exists(ENV_FILE) or "MS_SMTP_OPENRELAY_PORT" not in open(ENV_FILE).read():
    r = subprocess.run([STACK, "start"], capture_output=True, text=True, timeout=180)
    if r.returncode != 0 or not os.path.exists(ENV_FILE):
        print("mailstack did not start (skipping):", r.stderr[-500:])
        sys.exit(77)
env = {}
for line in open(ENV_FILE):
    if "=" in line:
        k, v = line.rstrip("\n").split("=", 1)
        env[k] = v
if "MS_RELAY_TEST_DOMAIN" not in env:
    print("the running mailstack predates the openrelay listener: restart it (mailstack.sh stop; start)")
    sys.exit(1)

tmp = tempfile.TemporaryDirectory(prefix="mailprobe-expect-")
wrong = os.path.join(tmp.name, "wrong")
with open(wrong, "w") as f:
    f.write("definitely-not-the-password\n")
LOCAL = "alice@" + env["MS_DOMAIN"]
FOREIGN = "someone@" + env["MS_RELAY_TEST_DOMAIN"]


def expect(port_key, tls, *checks, creds=False):
    args = [BIN, "probe", "smtp", "--host", "localhost", "--port", env[port_key], "--tls", tls,
            "--ca-file", env["MS_CA_FILE"], "--output-format", "json", "--timeout", "5", "--warn-days", "0"]
    if creds:
        args += ["--username", env["MS_ALICE_USER"], "--password-file", wrong]
    for c in checks:
        args += ["--expect", c]
    p = subprocess.run(args, capture_output=True, text=True, timeout=120)
    rows = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    return p.returncode, rows, p.stderr


def row_for(rows, name):
    for r in rows:
        if r.get("expect") == name:
            return r
    return {}


# The correctly configured submission-like port: every check is met.
rc, rows, err = expect("MS_SMTP_STARTTLS_PORT", "starttls", "auth-refused", "no-auth-before-tls",
                       "relay-refused=" + FOREIGN, "tls-required=" + LOCAL, creds=True)
check("starttls port: health row plus four smtp_expect rows, exit 0",
      rc == 0 and len(rows) == 5 and rows[0].get("result") == "success", (rc, rows, err))
r = row_for(rows, "auth_refused")
check("starttls port: wrong password refused with 535 (met)", r.get("success") is True and r.get("reply_code") == 535, r)
r = row_for(rows, "no_auth_before_tls")
check("starttls port: AUTH not offered before STARTTLS (met)", r.get("success") is True, r)
r = row_for(rows, "relay_refused")
check("starttls port: relaying without AUTH refused (met)",
      r.get("success") is True and r.get("reply_code", 0) >= 454, r)
r = row_for(rows, "tls_required")
check("starttls port: no mail without STARTTLS, 530 (met)", r.get("success") is True and r.get("reply_code") == 530, r)

# The plaintext port: AUTH in the clear and mail without TLS are violations;
# relaying is still refused and a wrong password still gets 535.
rc, rows, err = expect("MS_SMTP_NONE_PORT", "none", "no-auth-before-tls", "tls-required=" + LOCAL,
                       "relay-refused=" + FOREIGN, "auth-refused", creds=True)
check("none port: exit 1 because expectations fail", rc == 1 and len(rows) == 5, (rc, rows, err))
r = row_for(rows, "no_auth_before_tls")
check("none port: AUTH offered in plaintext (violated)",
      r.get("success") is False and r.get("result") == "expectation_failed" and "PLAIN" in r.get("detail", ""), r)
r = row_for(rows, "tls_required")
check("none port: message accepted without STARTTLS, DATA 354 (violated)",
      r.get("success") is False and r.get("reply_code") == 354, r)
r = row_for(rows, "relay_refused")
check("none port: relaying refused with 554 (met)", r.get("success") is True and r.get("reply_code") == 554, r)
r = row_for(rows, "auth_refused")
check("none port: wrong password refused in plaintext too (met)", r.get("success") is True and r.get("reply_code") == 535, r)

# The open relay: relaying is accepted, and there is no AUTH to refuse anything.
rc, rows, err = expect("MS_SMTP_OPENRELAY_PORT", "starttls", "relay-refused=" + FOREIGN, "auth-refused", creds=True)
check("openrelay port: exit 1", rc == 1 and len(rows) == 3, (rc, rows, err))
r = row_for(rows, "relay_refused")
check("openrelay port: RCPT to a foreign domain accepted without AUTH (violated)",
      r.get("success") is False and r.get("reply_code") == 250 and "ACCEPTED" in r.get("detail", ""), r)
r = row_for(rows, "auth_refused")
check("openrelay port: no AUTH offered, so a wrong password is never shown refused (violated)",
      r.get("success") is False and "never attempted" in r.get("detail", ""), r)

# Nothing the checks did may have delivered or queued a message.
q = subprocess.run(["postqueue", "-c", env["MS_POSTFIX_CONFIG_DIR"], "-p"], capture_output=True, text=True)
# Other tests leave held mail (hold@) in the queue; none may be ours.
check("no message queued by the checks",
      q.returncode == 0 and ("Mail queue is empty" in q.stdout or "Queue ID" in q.stdout) and FOREIGN not in q.stdout
      and "mailprobe@" not in q.stdout, q.stdout[-500:])
log = open(env["MS_POSTFIX_LOG"], errors="replace").read()
check("the open relay saw RCPT and DATA but no message (lost connection after DATA)",
      "smtp-openrelay" in log and "relay-test" not in log and "lost connection after DATA" in log, log[-800:])

# Postfix as a DANE MX: TLSA records for its STARTTLS port from the fake DNS.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_dns import FakeDns  # noqa: E402
import hashlib  # noqa: E402


def spki_sha256(pem_file):
    pub = subprocess.run(["openssl", "x509", "-in", pem_file, "-pubkey", "-noout"], capture_output=True, check=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub, capture_output=True,
                         check=True).stdout
    return hashlib.sha256(der).digest()


port = int(env["MS_SMTP_STARTTLS_PORT"])
dns = FakeDns({"dane.mailprobe.test": {"MX": [(10, "localhost")], "ad": True}})
for name, pem, ad, want in (("current certificate", env["MS_CERT_FILE"], True, "pass"),
                            ("stale record (another certificate)", env["MS_EXPIRING_CERT_FILE"], True, "fail"),
                            ("unauthenticated answer", env["MS_CERT_FILE"], False, "insecure")):
    dns.table["_%d._tcp.localhost" % port] = {"TLSA": [(3, 1, 1, spki_sha256(pem))], "ad": ad}
    p = subprocess.run([BIN, "probe", "mx", "dane.mailprobe.test", "--policy", "--dns-server", "127.0.0.1:%d" % dns.port,
                        "--mx-port", str(port), "--ca-file", env["MS_CA_FILE"], "--output-format", "json",
                        "--warn-days", "0"], capture_output=True, text=True, timeout=60)
    rows = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    r = rows[0] if len(rows) == 1 else {"rows": rows, "stderr": p.stderr}
    check("postfix MX, TLSA 3 1 1 of the %s: dane %s" % (name, want),
          r.get("dane") == want and (p.returncode == 1) == (want == "fail")
          and (r.get("result") == "policy_violation") == (want == "fail"), r)

# Postfix as an MTA-STS MX: a loopback HTTPS server with a self-signed
# certificate for mta-sts.DOMAIN plays the policy host; the CA bundle given
# to the probe holds the mailstack CA (for Postfix) and that certificate.
import http.server  # noqa: E402
import ssl  # noqa: E402
import threading  # noqa: E402

STS_DOMAIN = "sts.mailprobe.test"
subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", os.path.join(tmp.name, "sts.key"), "-out", os.path.join(tmp.name, "sts.pem"), "-days", "2",
                "-subj", "/CN=mta-sts." + STS_DOMAIN, "-addext", "subjectAltName=DNS:mta-sts." + STS_DOMAIN],
               check=True, capture_output=True)
bundle = os.path.join(tmp.name, "bundle.pem")
with open(bundle, "w") as f:
    f.write(open(env["MS_CA_FILE"]).read() + open(os.path.join(tmp.name, "sts.pem")).read())
policy_body = {"mx": "localhost"}


class Sts(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("version: STSv1\nmode: enforce\nmx: %s\nmax_age: 604800\n" % policy_body["mx"]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sts)
sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
sctx.load_cert_chain(os.path.join(tmp.name, "sts.pem"), os.path.join(tmp.name, "sts.key"))
httpd.socket = sctx.wrap_socket(httpd.socket, server_side=True)
threading.Thread(target=httpd.serve_forever, daemon=True).start()
dns.table[STS_DOMAIN] = {"MX": [(10, "localhost")], "ad": True}
dns.table["_mta-sts." + STS_DOMAIN] = {"TXT": ["v=STSv1; id=pf1"]}
dns.table["_smtp._tls." + STS_DOMAIN] = {"TXT": ["v=TLSRPTv1; rua=mailto:tlsrpt@" + STS_DOMAIN]}
dns.table.pop("_%d._tcp.localhost" % port, None)
for mx_pattern, want in (("localhost", "success"), ("mx.elsewhere.example", "policy_violation")):
    policy_body["mx"] = mx_pattern
    p = subprocess.run([BIN, "probe", "mx", STS_DOMAIN, "--policy", "--dns-server", "127.0.0.1:%d" % dns.port,
                        "--mx-port", str(port), "--ca-file", bundle, "--mta-sts-connect-to",
                        "127.0.0.1:%d" % httpd.server_address[1], "--output-format", "json", "--warn-days", "0"],
                       capture_output=True, text=True, timeout=60)
    rows = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    r = rows[0] if len(rows) == 1 else {"rows": rows, "stderr": p.stderr}
    check("postfix MX, MTA-STS enforce with mx: %s: %s" % (mx_pattern, want),
          r.get("result") == want and r.get("mta_sts_mode") == "enforce" and r.get("mta_sts_id") == "pf1"
          and r.get("mta_sts_pkix_valid") is True and r.get("mx_in_policy") is (want == "success")
          and r.get("tlsrpt") is True and r.get("dane") == "none", r)
httpd.shutdown()

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
