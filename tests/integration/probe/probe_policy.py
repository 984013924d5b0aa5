#!/usr/bin/python3
"""`mailprobe probe mx|smtp --policy` and `probe smtp --expect`, all offline.

The fake DNS server answers MX, TXT and TLSA (with or without the AD bit), a
loopback HTTPS server plays mta-sts.DOMAIN for every test domain (told apart
by the Host header), and `mailprobe serve` is the MX host (localhost). The
certificates come from openssl. Usage: probe_policy.py /path/to/mailprobe
"""
import hashlib
import http.server
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "serve"))
sys.path.insert(0, HERE)
from serve_harness import Serve, binary  # noqa: E402
from fake_dns import FakeDns  # noqa: E402

BIN = binary()
failures = []
if shutil.which("openssl") is None:
    print("openssl not found; skipping")
    sys.exit(77)


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else "  " + str(detail)))
    if not cond:
        failures.append(name)


tmp = tempfile.TemporaryDirectory(prefix="mailprobe-policy-")
T = tmp.name


def path(name):
    return os.path.join(T, name)


def openssl(*args, stdin=None):
    return subprocess.run(["openssl", *args], check=True, capture_output=True, input=stdin).stdout


def leaf(name, sans, ca="ca", days="30"):
    """An EC leaf signed by `ca`; writes NAME.key, NAME.pem and NAME.chain.pem (leaf + CA)."""
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path(name + ".key"),
            "-out", path(name + ".csr"), "-subj", "/CN=" + sans[0].split(":", 1)[1])
    with open(path(name + ".ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\nsubjectAltName=" + ",".join(sans) + "\n")
    openssl("x509", "-req", "-in", path(name + ".csr"), "-CA", path(ca + ".pem"), "-CAkey", path(ca + ".key"),
            "-CAcreateserial", "-days", days, "-out", path(name + ".pem"), "-extfile", path(name + ".ext"))
    with open(path(name + ".chain.pem"), "w") as out:
        out.write(open(path(name + ".pem")).read() + open(path(ca + ".pem")).read())


openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("ca.key"),
        "-out", path("ca.pem"), "-days", "30", "-subj", "/CN=mailprobe policy test CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
leaf("mx-a", ["DNS:localhost", "IP:127.0.0.1"])
leaf("mx-b", ["DNS:localhost", "IP:127.0.0.1"])            # the "rotated" certificate
leaf("mx-wrong", ["DNS:other.example", "IP:192.0.2.1"])    # not valid for localhost
DOMAINS = ["enforce", "testing", "none", "missing", "big", "redirect", "notxt", "nofile", "badtxt", "badpolicy",
           "wrongtype", "pkix", "dane"]
leaf("policy", ["DNS:mta-sts.%s.test" % d for d in DOMAINS])


def tlsa_data(cert, selector, matching):
    der = openssl("x509", "-in", path(cert + ".pem"), "-outform", "DER")
    if selector == 1:
        pub = openssl("x509", "-in", path(cert + ".pem"), "-pubkey", "-noout")
        der = openssl("pkey", "-pubin", "-outform", "DER", stdin=pub)
    if matching == 1:
        return hashlib.sha256(der).digest()
    if matching == 2:
        return hashlib.sha512(der).digest()
    return der


# --- the HTTPS policy server -------------------------------------------------
GOOD = "version: STSv1\nmode: %s\nmx: %s\nmax_age: 86400\n"
POLICIES = {
    "mta-sts.enforce.test": (200, "text/plain", GOOD % ("enforce", "localhost")),
    "mta-sts.testing.test": (200, "text/plain; charset=utf-8", GOOD % ("testing", "mx.other.example")),
    "mta-sts.none.test": (200, "text/plain", "version: STSv1\nmode: none\nmax_age: 86400\n"),
    "mta-sts.missing.test": (200, "text/plain", GOOD % ("enforce", "mx.other.example")),
    "mta-sts.big.test": (200, "text/plain", GOOD % ("enforce", "localhost") + "x: " + "y" * 70000 + "\n"),
    "mta-sts.redirect.test": (301, "text/plain", ""),
    "mta-sts.notxt.test": (200, "text/plain", GOOD % ("enforce", "localhost")),
    "mta-sts.nofile.test": (404, "text/plain", "not found\n"),
    "mta-sts.badtxt.test": (200, "text/plain", GOOD % ("enforce", "localhost")),
    "mta-sts.badpolicy.test": (200, "text/plain", "version: STSv1\nmode: enforcing\nmx: localhost\nmax_age: 1\n"),
    "mta-sts.wrongtype.test": (200, "text/html", GOOD % ("enforce", "localhost")),
    "mta-sts.pkix.test": (200, "text/plain", GOOD % ("enforce", "localhost")),
}
fetched = []


class PolicyHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0]
        fetched.append((host, self.path))
        status, ctype, body = POLICIES.get(host, (404, "text/plain", ""))
        if self.path != "/.well-known/mta-sts.txt":
            status, body = 404, ""
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if status == 301:
            self.send_header("Location", "https://%s/.well-known/mta-sts.txt" % "mta-sts.enforce.test")
        self.end_headers()
        try:
            self.wfile.write(data)
        except (OSError, ssl.SSLError):
            pass  # the client stops reading past its size cap (the "big" policy)

    def log_message(self, *args):
        pass


httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PolicyHandler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(path("policy.chain.pem"), path("policy.key"))
httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
threading.Thread(target=httpd.serve_forever, daemon=True).start()
HTTPS = "127.0.0.1:%d" % httpd.server_address[1]

# --- DNS ---------------------------------------------------------------------
TXT = {
    "enforce": ["v=STSv1; id=e1"], "testing": ["v=STSv1; id=t1"], "none": ["v=STSv1; id=n1"],
    "missing": ["v=STSv1; id=m1"], "big": ["v=STSv1; id=b1"], "redirect": ["v=STSv1; id=r1"], "notxt": [],
    "nofile": ["v=STSv1; id=f1"], "badtxt": ["v=STSv1; id=not-alnum!"], "badpolicy": ["v=STSv1; id=p1"],
    "wrongtype": ["v=STSv1; id=w1"], "pkix": ["v=STSv1; id=k1"], "dane": [],
}
table = {}
for d in DOMAINS:
    table[d + ".test"] = {"MX": [(10, "localhost")], "ad": True}
    table["_mta-sts.%s.test" % d] = {"TXT": TXT[d] + ["v=spf1 -all"]}
table["_smtp._tls.enforce.test"] = {"TXT": [("v=TLSRPTv1; ", "rua=mailto:tls@enforce.test,https://r.enforce.test/v1")]}
table["_smtp._tls.testing.test"] = {"TXT": ["v=TLSRPTv1; rua=ftp://nope.example/"]}
dns = FakeDns(table)
DNS = "127.0.0.1:%d" % dns.port


def set_tlsa(port, records, ad=True, rcode=0):
    dns.table["_%d._tcp.localhost" % port] = {"TLSA": records, "ad": ad, "rcode": rcode}


def probe(args):
    p = subprocess.run([BIN, "probe", *args, "--output-format", "json", "--timeout", "5", "--warn-days", "0"],
                       capture_output=True, text=True, timeout=120)
    rows = []
    for line in p.stdout.splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:
            rows.append({"unparsed": line})
    return p.returncode, rows, p.stderr


def mx(domain, port, *extra, ca=True):
    args = ["mx", domain, "--policy", "--dns-server", DNS, "--mx-port", str(port), "--mta-sts-connect-to", HTTPS,
            *extra]
    if ca:
        args += ["--ca-file", path("ca.pem")]
    rc, rows, err = probe(args)
    return rc, (rows[0] if len(rows) == 1 else {"rows": rows, "stderr": err})


with Serve("--tls-cert", path("mx-a.chain.pem"), "--tls-key", path("mx-a.key")) as srv:
    port = srv.port("smtp")
    set_tlsa(port, [])

    # --- MTA-STS -------------------------------------------------------------
    rc, r = mx("enforce.test", port)
    check("sts enforce, listed MX, valid cert: success", rc == 0 and r.get("result") == "success", r)
    check("sts enforce: mode, id, max_age, mx_in_policy, pkix",
          r.get("mta_sts_mode") == "enforce" and r.get("mta_sts_id") == "e1" and r.get("mta_sts_max_age_seconds") == 86400
          and r.get("mx_in_policy") is True and r.get("mta_sts_pkix_valid") is True and "mta_sts_error" not in r, r)
    check("tls-rpt: well-formed record, rua joined from two strings",
          r.get("tlsrpt") is True and r.get("tlsrpt_rua") == "mailto:tls@enforce.test,https://r.enforce.test/v1", r)
    check("no TLSA: dane none, 0 records", r.get("dane") == "none" and r.get("tlsa_records") == 0, r)
    check("the policy was fetched from mta-sts.enforce.test over HTTPS",
          ("mta-sts.enforce.test", "/.well-known/mta-sts.txt") in fetched, fetched)

    rc, r = mx("testing.test", port)
    check("sts testing, MX not listed: reported, not a violation",
          rc == 0 and r.get("result") == "success" and r.get("mta_sts_mode") == "testing"
          and r.get("mx_in_policy") is False, r)
    check("tls-rpt with an ftp: rua: tlsrpt false with the reason",
          r.get("tlsrpt") is False and "neither mailto: nor https:" in r.get("tlsrpt_error", ""), r)

    rc, r = mx("none.test", port)
    check("sts none: mode none, success, mx_in_policy absent",
          rc == 0 and r.get("mta_sts_mode") == "none" and "mx_in_policy" not in r, r)
    check("no TLS-RPT record: tlsrpt false, no error", r.get("tlsrpt") is False and "tlsrpt_error" not in r, r)

    rc, r = mx("missing.test", port)
    check("sts enforce, MX missing from the policy: policy_violation at stage policy",
          rc == 1 and r.get("result") == "policy_violation" and r.get("stage") == "policy"
          and r.get("mx_in_policy") is False and "not listed" in r.get("error", ""), r)
    check("policy_violation: the reason is also its own field", "not listed" in r.get("policy_violation", ""), r)

    for dom, needle in (("big", "larger than 65536"), ("redirect", "redirect refused"),
                        ("notxt", "no _mta-sts TXT record"), ("nofile", "HTTP 404"),
                        ("badtxt", "id must be 1 to 32 letters or digits"),
                        ("badpolicy", "mode must be enforce, testing or none"),
                        ("wrongtype", "media type 'text/html'")):
        rc, r = mx(dom + ".test", port)
        check("sts %s: no policy applies, the error says why, no violation" % dom,
              rc == 0 and r.get("result") == "success" and "mta_sts_mode" not in r
              and needle in r.get("mta_sts_error", ""), r)
    rc, r = mx("enforce.test", port, ca=False)
    check("policy server not trusted (system CA store): fetch fails on verification, no policy applies",
          "mta_sts_mode" not in r and "MTA-STS policy fetch" in r.get("mta_sts_error", ""), r)

    # --- DANE: every combination RFC 7672 allows, for the chain serve presents
    for usage in (2, 3):
        for selector in (0, 1):
            for matching in (0, 1, 2):
                cert = "mx-a" if usage == 3 else "ca"
                data = tlsa_data(cert, selector, matching)
                set_tlsa(port, [(usage, selector, matching, data)])
                rc, r = mx("dane.test", port)
                name = "dane %d %d %d" % (usage, selector, matching)
                check(name + ": pass, the record is reported",
                      rc == 0 and r.get("result") == "success" and r.get("dane") == "pass" and r.get("tlsa_records") == 1
                      and r.get("dane_matched_record", "").startswith("%d %d %d " % (usage, selector, matching)), r)

    set_tlsa(port, [(3, 1, 1, tlsa_data("mx-b", 1, 1))])
    rc, r = mx("dane.test", port)
    check("stale TLSA after a certificate change: dane fail, policy_violation",
          rc == 1 and r.get("dane") == "fail" and r.get("result") == "policy_violation"
          and "no TLSA record matches" in r.get("error", ""), r)
    set_tlsa(port, [(3, 1, 1, tlsa_data("mx-b", 1, 1)), (3, 1, 1, tlsa_data("mx-a", 1, 1))])
    rc, r = mx("dane.test", port)
    check("rollover (old + new TLSA): pass on the second record", rc == 0 and r.get("dane") == "pass"
          and r.get("tlsa_records") == 2, r)
    dns.table["dane.test"] = {"MX": [(10, "localhost")], "ad": False}
    rc, r = mx("dane.test", port)
    check("matching authenticated TLSA, but the MX answer lacks AD: dane insecure (RFC 7672 §2.2.1)",
          rc == 0 and r.get("dane") == "insecure" and "MX records not DNSSEC" in r.get("dane_error", ""), r)
    dns.table["dane.test"] = {"MX": [(10, "localhost")], "ad": True}
    set_tlsa(port, [(3, 1, 1, tlsa_data("mx-b", 1, 1))], ad=False)
    rc, r = mx("dane.test", port)
    check("unauthenticated TLSA (no AD): dane insecure, never a violation",
          rc == 0 and r.get("dane") == "insecure" and r.get("result") == "success" and "AD bit" in r.get("dane_error", ""), r)
    set_tlsa(port, [(3, 1, 1, tlsa_data("mx-a", 1, 1))], ad=False)
    rc, r = mx("dane.test", port)
    check("unauthenticated matching TLSA: still insecure, not pass", r.get("dane") == "insecure", r)
    set_tlsa(port, [(1, 1, 1, tlsa_data("mx-a", 1, 1)), (0, 0, 1, tlsa_data("ca", 0, 1))])
    rc, r = mx("dane.test", port)
    check("only PKIX-TA/PKIX-EE records: unusable for SMTP, dane none",
          rc == 0 and r.get("dane") == "none" and "unusable for SMTP" in r.get("dane_error", ""), r)
    set_tlsa(port, [b"\x03\x01"])
    rc, r = mx("dane.test", port)
    check("malformed TLSA RDATA: counted, no usable record",
          r.get("tlsa_records") == 1 and "malformed" in r.get("dane_error", ""), r)
    set_tlsa(port, [(3, 1, 1, b"\x00" * 31)])
    rc, r = mx("dane.test", port)
    check("SHA-256 data of the wrong length: unusable", "31 octets" in r.get("dane_error", ""), r)
    set_tlsa(port, [], rcode=2)
    rc, r = mx("dane.test", port)
    check("TLSA SERVFAIL: dane fail (senders defer), policy_violation",
          rc == 1 and r.get("dane") == "fail" and r.get("result") == "policy_violation", r)
    set_tlsa(port, [(3, 1, 1, tlsa_data("mx-a", 1, 1))])
    rc, r = mx("dane.test", port, ca=False)
    check("DANE-EE pass authenticates a certificate the system store does not trust",
          rc == 0 and r.get("result") == "success" and r.get("dane") == "pass" and r.get("cert_verified") is False, r)
    set_tlsa(port, [])
    rc, r = mx("dane.test", port, ca=False)
    check("same without TLSA: tls_verify_failed as before", rc == 1 and r.get("result") == "tls_verify_failed", r)

    # --- probe smtp --policy: one host, DANE plus --policy-domain ------------
    set_tlsa(port, [(2, 0, 1, tlsa_data("ca", 0, 1))])
    rc, rows, err = probe(["smtp", "--host", "localhost", "--port", str(port), "--policy", "--policy-domain",
                           "enforce.test", "--dns-server", DNS, "--mta-sts-connect-to", HTTPS,
                           "--ca-file", path("ca.pem")])
    r = rows[0] if rows else {}
    check("probe smtp --policy: DANE-TA pass and the domain's MTA-STS in one record",
          rc == 0 and len(rows) == 1 and r.get("dane") == "pass" and r.get("mta_sts_mode") == "enforce"
          and r.get("mx_in_policy") is True and r.get("tlsrpt") is True, (rc, rows, err))
    rc, rows, err = probe(["smtp", "--host", "localhost", "--port", str(port), "--policy", "--dns-server", DNS,
                           "--ca-file", path("ca.pem")])
    r = rows[0] if rows else {}
    check("probe smtp --policy without a domain: DANE only", rc == 0 and r.get("dane") == "pass"
          and "mta_sts_mode" not in r and "tlsrpt" not in r, (rc, rows, err))
    set_tlsa(port, [(2, 0, 1, tlsa_data("ca", 0, 1))])
    rc, rows, err = probe(["smtp", "--host", "127.0.0.1", "--port", str(port), "--policy", "--dns-server", DNS,
                           "--ca-file", path("ca.pem")])
    r = rows[0] if rows else {}
    check("an IP literal has no TLSA name: dane none, nothing asked",
          r.get("dane") == "none" and not any(n.endswith(".127.0.0.1") for n, _ in dns.queries), (rc, rows, err))

    # --- the embedded server for --expect ------------------------------------
    pw = path("wrong-pw")
    with open(pw, "w") as f:
        f.write("not-alice\n")
    rc, rows, err = probe(["smtp", "--host", "localhost", "--port", str(port), "--ca-file", path("ca.pem"),
                           "--username", "alice", "--password-file", pw, "--expect", "auth-refused"])
    check("serve: --expect auth-refused met (535), two rows, exit 0",
          rc == 0 and len(rows) == 2 and rows[1].get("expect") == "auth_refused" and rows[1].get("success") is True
          and rows[1].get("reply_code") == 535, (rc, rows, err))

with Serve("--tls-cert", path("mx-wrong.chain.pem"), "--tls-key", path("mx-wrong.key")) as srv:
    rc, r = mx("pkix.test", srv.port("smtp"))
    check("sts enforce, certificate not valid for the MX name: policy_violation",
          rc == 1 and r.get("result") == "policy_violation" and "not PKIX-valid" in r.get("error", "")
          and r.get("mta_sts_pkix_valid") is False, r)
    rc, r = mx("testing.test", srv.port("smtp"))
    check("sts testing, certificate not valid: reported (pkix false) but no policy_violation",
          r.get("result") == "tls_verify_failed" and r.get("mta_sts_pkix_valid") is False, r)

with Serve("--tls-cert", path("mx-a.chain.pem"), "--tls-key", path("mx-a.key"), "--smtp-reply", "AUTH=235 2.7.0 ok") as srv:
    rc, rows, err = probe(["smtp", "--host", "localhost", "--port", str(srv.port("smtp")), "--ca-file", path("ca.pem"),
                           "--username", "alice", "--password-file", pw, "--expect", "auth-refused"])
    check("serve accepting any password: --expect auth-refused fails, exit 1",
          rc == 1 and len(rows) == 2 and rows[1].get("result") == "expectation_failed"
          and rows[1].get("reply_code") == 235, (rc, rows, err))

# --- usage errors: one line, exit 2 --------------------------------------------
for args in (["imap", "--host", "x", "--policy"], ["smtp", "--host", "x", "--policy-domain", "a.test"],
             ["smtp", "--host", "x", "--mta-sts-connect-to", "127.0.0.1:1"],
             ["smtp", "--host", "x", "--policy", "--mta-sts-connect-to", "nowhere"],
             ["mx", "a.test", "--expect", "auth-refused"], ["smtp", "--host", "x", "--expect", "open-relay"],
             ["smtp", "--host", "x", "--expect", "auth-refused"],
             ["smtp", "--host", "x", "--tls", "tls", "--expect", "tls-required=a@b.test"],
             ["smtp", "--host", "x", "--expect", "relay-refused"]):
    p = subprocess.run([BIN, "probe", *args], capture_output=True, text=True, timeout=30)
    check("usage error: %s" % " ".join(args), p.returncode == 2 and p.stdout == "" and p.stderr.count("\n") == 1,
          (p.returncode, p.stdout, p.stderr))

httpd.shutdown()
print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
