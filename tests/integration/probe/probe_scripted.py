#!/usr/bin/python3
"""`mailprobe probe` against scripted loopback SMTP/IMAP servers (stdlib only).

Each case starts a one-connection server on 127.0.0.1:0 that plays a fixed
script, runs the built binary, and checks the record and the exit code.
Usage: probe_scripted.py /path/to/mailprobe
"""
import json
import socket
import subprocess
import sys
import threading
import time

BIN = sys.argv[1]
failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else "  " + str(detail)))
    if not cond:
        failures.append(name)


class Server:
    """Accepts one connection and runs `script(conn, readline)`."""

    def __init__(self, script):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.script = script
        self.commands = []
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        self.sock.settimeout(15)
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        f = conn.makefile("rb")

        def readline():
            line = f.readline().decode("latin-1").rstrip("\r\n")
            if line:
                self.commands.append(line)
            return line

        try:
            self.script(conn, readline)
        except OSError:
            pass
        finally:
            conn.close()
            self.sock.close()


def send(conn, *lines):
    conn.sendall("".join(l + "\r\n" for l in lines).encode())


def smtp_loop(greeting, ehlo, noop=("250 2.0.0 OK",), starttls=None, noop_delay=0.0):
    def script(conn, readline):
        send(conn, *greeting)
        while True:
            cmd = readline()
            if not cmd:
                return
            verb = cmd.split(" ")[0].upper()
            if verb == "EHLO":
                send(conn, *ehlo)
            elif verb == "STARTTLS" and starttls:
                send(conn, *starttls)
                if starttls[0].startswith("220"):
                    conn.sendall(b"this is not a TLS server hello\r\n")
                    return
            elif verb == "NOOP":
                time.sleep(noop_delay)
                send(conn, *noop)
            elif verb == "QUIT":
                send(conn, "221 2.0.0 Bye")
                return
            else:
                send(conn, "502 5.5.2 not implemented")
    return script


def run(args, timeout=30):
    t0 = time.monotonic()
    p = subprocess.run([BIN, "probe"] + args, capture_output=True, text=True, timeout=timeout)
    return p, time.monotonic() - t0


def probe_json(server, *extra):
    p, elapsed = run(["smtp", "--host", "127.0.0.1", "--port", str(server.port), "--tls", "none",
                      "--output-format", "json", "--timeout", "2"] + list(extra))
    server.thread.join(5)
    try:
        rec = json.loads(p.stdout)
    except ValueError:
        rec = {"unparsable": p.stdout, "stderr": p.stderr}
    return p.returncode, rec, elapsed


# 1. multi-line 220- greeting (postscreen style) and a delayed NOOP.
s = Server(smtp_loop(["220-mx.test ESMTP", "220-please wait", "220 mx.test ready"],
                     ["250-mx.test Hello", "250-SIZE 33554432", "250-AUTH PLAIN LOGIN",
                      "250-ENHANCEDSTATUSCODES", "250 8BITMIME"], noop_delay=0.15))
rc, rec, _ = probe_json(s)
check("multi-line greeting: success", rc == 0 and rec.get("result") == "success", rec)
check("multi-line greeting: all three lines kept",
      rec.get("greeting") == "mx.test ESMTP; please wait; mx.test ready", rec.get("greeting"))
check("multi-line greeting: SIZE bytes and MB", rec.get("size_bytes") == 33554432 and rec.get("size_mb") == 32.0)
check("AUTH before TLS is flagged", rec.get("auth_before_tls") is True)
check("NOOP round trip measures the server delay",
      0.14 <= rec.get("response_time_seconds", 0) < 1.0, rec.get("response_time_seconds"))
check("NOOP enhanced code", rec.get("noop_enhanced_code") == "2.0.0")
check("commands sent: EHLO, NOOP, QUIT and nothing else (read-only)",
      [c.split(" ")[0] for c in s.commands] == ["EHLO", "NOOP", "QUIT"], s.commands)

# 2. bare "250" replies.
s = Server(smtp_loop(["220 mx.test"], ["250"], noop=("250",)))
rc, rec, _ = probe_json(s)
check("bare 250 EHLO: success", rc == 0 and rec.get("result") == "success", rec)
check("bare 250 EHLO: no capabilities", "capabilities" not in rec and rec.get("ehlo_code") == 250, rec)

# 3. server closes after the greeting.
def close_after_greeting(conn, readline):
    send(conn, "220 mx.test")
    readline()
s = Server(close_after_greeting)
rc, rec, _ = probe_json(s)
check("close after greeting: connection_closed at smtp_ehlo",
      rc == 1 and rec.get("result") == "connection_closed" and rec.get("stage") == "smtp_ehlo", rec)

# 4. STARTTLS advertised, then refused with 454.
s = Server(smtp_loop(["220 mx.test"], ["250-mx.test", "250 STARTTLS"], starttls=("454 4.7.0 TLS not available",)))
rc, rec, _ = probe_json(s, "--tls", "starttls")
check("STARTTLS 454: starttls_unavailable at smtp_starttls with code",
      rc == 1 and rec.get("stage") == "smtp_starttls" and rec.get("result") == "starttls_unavailable"
      and rec.get("reply_code") == 454, rec)
check("STARTTLS 454: nothing after STARTTLS but QUIT",
      all(c.split(" ")[0].upper() in ("EHLO", "STARTTLS", "QUIT") for c in s.commands), s.commands)

# 5. STARTTLS advertised, 220, then garbage instead of a TLS handshake.
s = Server(smtp_loop(["220 mx.test"], ["250-mx.test", "250 STARTTLS"], starttls=("220 2.0.0 go ahead",)))
rc, rec, _ = probe_json(s, "--tls", "starttls")
check("STARTTLS then broken handshake: tls_error at smtp_tls (the handshake, as in check)",
      rc == 1 and rec.get("stage") == "smtp_tls" and rec.get("result") == "tls_error", rec)

# 6. STARTTLS required but not offered: fail closed, never send anything else.
s = Server(smtp_loop(["220 mx.test"], ["250-mx.test", "250 AUTH PLAIN"]))
rc, rec, _ = probe_json(s, "--tls", "starttls")
check("STARTTLS not offered: starttls_unavailable",
      rc == 1 and rec.get("result") == "starttls_unavailable" and rec.get("stage") == "smtp_starttls", rec)
check("STARTTLS not offered: no NOOP, no MAIL, no AUTH",
      not any(c.split(" ")[0].upper() in ("NOOP", "MAIL", "AUTH") for c in s.commands), s.commands)

# 7. a server that never greets: a timeout record within the timeout.
def silent(conn, readline):
    time.sleep(4)
s = Server(silent)
rc, rec, elapsed = probe_json(s, "--timeout", "1")
check("silent server: timeout at smtp_greeting",
      rc == 1 and rec.get("result") == "timeout" and rec.get("stage") == "smtp_greeting", rec)
check("silent server: record printed within about the timeout", elapsed < 3.5, elapsed)

# 8. 554 greeting.
s = Server(smtp_loop(["554 5.7.1 go away"], ["250 x"]))
rc, rec, _ = probe_json(s)
check("554 greeting: perm_reject at smtp_greeting",
      rc == 1 and rec.get("result") == "perm_reject" and rec.get("reply_code") == 554, rec)

# 9. seed schema, success and connect failure.
s = Server(smtp_loop(["220 mx.test"], ["250-mx.test Hello", "250-SIZE 33554432", "250 PIPELINING"]))
p, _ = run(["smtp", "--target-host", "127.0.0.1", "--target-port", str(s.port), "--tls", "none",
            "--schema", "seed", "--send-email-flag", "False"])
s.thread.join(5)
seed = json.loads(p.stdout)
out = seed.get("output", {})
check("seed: output and queue are identical", seed.get("output") == seed.get("queue"))
check("seed: keys in the seed's order",
      list(out.keys()) == ["target_host", "target_port", "IP_address", "connected_time", "server_msg",
                           "ehlo_op", "noop_op", "response_time", "quit_op", "duration"], list(out.keys()))
check("seed: every value a string or an object of strings",
      all(isinstance(v, str) or (isinstance(v, dict) and all(isinstance(x, str) for x in v.values()))
          for v in out.values()))
check("seed: ehlo_op", out.get("ehlo_op") == {"status_code": "250", "status_msg": "['SIZE 33554432', 'PIPELINING']",
                                               "SIZE": "32.0 MB"}, out.get("ehlo_op"))
check("seed: noop_op", out.get("noop_op") == {"status_code": "250", "status_msg": "b'2.0.0 OK'"}, out.get("noop_op"))
check("seed: server_msg", out.get("server_msg") == "250-mx.test Hello", out.get("server_msg"))
check("seed: response_time and duration like 0.019s",
      out.get("response_time", "").endswith("s") and out.get("duration", "").endswith("s"))

closed = socket.socket()
closed.bind(("127.0.0.1", 0))
dead_port = closed.getsockname()[1]
closed.close()
p, _ = run(["smtp", "--target-host", "127.0.0.1", "--target-port", str(dead_port), "--schema", "seed"])
seed = json.loads(p.stdout)
check("seed failure shape",
      p.returncode == 1 and seed["output"] == {"target_host": "127.0.0.1", "target_port": str(dead_port),
                                               "retcode": "ERROR: on port %d can't connect." % dead_port,
                                               "errcode": "[Errno 111] Connection refused"}, seed)

# 10. IMAP: greeting, CAPABILITY, NOOP, LOGOUT without credentials (no LOGIN sent).
def imap_script(conn, readline):
    send(conn, "* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] ready")
    while True:
        cmd = readline()
        if not cmd:
            return
        tag, verb = (cmd.split(" ") + [""])[:2]
        verb = verb.upper()
        if verb == "CAPABILITY":
            send(conn, "* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN IDLE", tag + " OK done")
        elif verb == "NOOP":
            send(conn, tag + " OK NOOP completed")
        elif verb == "LOGOUT":
            send(conn, "* BYE bye", tag + " OK Logout completed")
            return
        else:
            send(conn, tag + " BAD unexpected")
s = Server(imap_script)
p, _ = run(["imap", "--host", "127.0.0.1", "--port", str(s.port), "--tls", "none", "--output-format", "json"])
s.thread.join(5)
rec = json.loads(p.stdout)
check("imap plain: success", p.returncode == 0 and rec.get("result") == "success", rec)
check("imap plain: capabilities", "IDLE" in rec.get("capabilities", ""), rec.get("capabilities"))
check("imap plain: plaintext login possible is flagged", rec.get("auth_before_tls") is True)
check("imap plain: no LOGIN/AUTHENTICATE without credentials",
      not any(c.split(" ")[1].upper() in ("LOGIN", "AUTHENTICATE") for c in s.commands if " " in c), s.commands)

# 11. usage errors: exit 2, one line on stderr, nothing on stdout.
for args in (["smtp", "--host", ""], ["smtp", "--host", "a b"], ["smtp", "--host", "x", "--port", "99999"],
             ["smtp", "--host", "x\x01y"], ["smtp", "--host", "x", "--tls", "ssl"], ["mx"]):
    p, _ = run(args)
    check("usage error %r" % args, p.returncode == 2 and p.stdout == "" and p.stderr.count("\n") == 1,
          (p.returncode, p.stdout, p.stderr))

# 12. influx output is one line with typed fields.
s = Server(smtp_loop(["220 mx.test"], ["250 mx.test"]))
p, _ = run(["smtp", "--host", "127.0.0.1", "--port", str(s.port), "--tls", "none", "--output-format", "influx"])
s.thread.join(5)
check("influx: one line, measurement smtp_probe, result tag, integer codes",
      p.stdout.count("\n") == 1 and p.stdout.startswith("smtp_probe,") and "result=success" in p.stdout
      and "result_code=0i" in p.stdout, p.stdout)

# 14. seed input JSON: accepted as the seed writes it, wrong types rejected.
s = Server(smtp_loop(["220 mx.test"], ["250 mx.test"]))
p = subprocess.run([BIN, "probe", "smtp", "--seed-input", "-", "--tls", "none", "--schema", "seed"],
                   input=json.dumps({"target_host": "127.0.0.1", "target_port": str(s.port),
                                     "send_email_flag": "False"}), capture_output=True, text=True, timeout=30)
s.thread.join(5)
check("seed input: runs the probe", p.returncode == 0 and json.loads(p.stdout)["output"]["target_port"] == str(s.port),
      (p.returncode, p.stdout, p.stderr))
for bad in ({"target_host": 5}, {"target_host": "x", "target_port": [25]}, {"target_host": "x", "send_email_flag": 1},
            {"target_port": "25"}, {"target_host": "x", "target_port": "0"}, [1], "not json"):
    text = bad if isinstance(bad, str) else json.dumps(bad)
    p = subprocess.run([BIN, "probe", "smtp", "--seed-input", "-"], input=text, capture_output=True, text=True,
                       timeout=30)
    check("seed input rejected: %s" % text, p.returncode == 2 and p.stdout == "" and p.stderr.count("\n") == 1,
          (p.returncode, p.stdout, p.stderr))

# 13. MX with an unreachable DNS server: one dns_error record, quickly.
closed = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
closed.bind(("127.0.0.1", 0))
dns_port = closed.getsockname()[1]
closed.close()
p, elapsed = run(["mx", "example.org", "--dns-server", "127.0.0.1:%d" % dns_port, "--timeout", "1",
                  "--output-format", "json"])
rows = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
check("mx, DNS unreachable: one dns_error record at dns_mx, exit 1",
      p.returncode == 1 and len(rows) == 1 and rows[0].get("result") == "dns_error"
      and rows[0].get("stage") == "dns_mx", (p.returncode, rows, p.stderr))
check("mx, DNS unreachable: within the timeout", elapsed < 5, elapsed)

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
