"""OAuth2 (XOAUTH2 / OAUTHBEARER) on both legs against the real mailstack:
Dovecot's oauth2 passdb validates HS256 JWTs locally, Postfix asks Dovecot
(SASL) on submission, and oauth/token_endpoint.py plays the token endpoint
(client credentials and refresh token grants) over HTTPS."""
import base64
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from mailstack_fixture import MAILPROBE, Run, load_env, mailbox_uids, reset
from oauth.token_endpoint import claims_for, mint

ENV = load_env()
KEY = ENV["MS_OAUTH2_HS256_KEY"]
ISS = ENV["MS_OAUTH2_ISSUER"]
AUD = ENV["MS_OAUTH2_AUDIENCE"]
ALICE, BOB = ENV["MS_ALICE_USER"], ENV["MS_BOB_USER"]
CLIENT_SECRET = "Cl1ent~Secret.Value-7q"
REFRESH_TOKEN = "1//0refresh-token-value-Zx"
ENDPOINT = os.path.join(os.path.dirname(__file__), "oauth", "token_endpoint.py")


def token(user, **kw):
    key = kw.pop("key", KEY)
    aud = kw.pop("aud", AUD)
    return mint(key, claims_for(user, ISS, aud, **kw))


def log_since(path, offset):
    with open(path, errors="replace") as f:
        f.seek(offset)
        return f.read()


class Endpoint:
    """token_endpoint.py as a child process on a free port."""

    def __init__(self, user, expires_in=3599, delay=0.0):
        self.p = subprocess.Popen(
            [sys.executable, ENDPOINT, "--cert", ENV["MS_CERT_FILE"], "--key", ENV["MS_TLS_KEY_FILE"],
             "--hs256-key", KEY, "--issuer", ISS, "--audience", AUD, "--user", user, "--client-id", "mailprobe-app",
             "--client-secret", CLIENT_SECRET, "--refresh-token", REFRESH_TOKEN, "--expires-in", str(expires_in),
             "--delay", str(delay)], stdout=subprocess.PIPE, text=True)
        self.port = int(self.p.stdout.readline())
        self.url = f"https://localhost:{self.port}"

    def stats(self):
        import ssl
        import urllib.request
        ctx = ssl.create_default_context(cafile=ENV["MS_CA_FILE"])
        with urllib.request.urlopen(self.url + "/stats", context=ctx) as r:
            return json.load(r)

    def close(self):
        self.p.kill()
        self.p.wait()
        self.p.stdout.close()


class OAuthChecks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        reset()
        cls.dir = tempfile.mkdtemp(prefix="mailprobe-oauth-")
        cls.secret_file = cls.write("secret", CLIENT_SECRET + "\n")
        cls.bad_secret_file = cls.write("bad-secret", "wrong-secret\n")
        cls.refresh_file = cls.write("refresh", REFRESH_TOKEN + "\n")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def write(cls, name, text):
        path = os.path.join(cls.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def args(self, smtp_auth=None, imap_auth=None, smtp_port="MS_SMTP_STARTTLS_PORT", smtp_tls="starttls",
             imap_port="MS_IMAP_PORT", imap_tls="starttls", extra=()):
        a = ["check", "--email-from", ALICE, "--email-to", BOB, "--smtp-host", "localhost",
             "--smtp-port", ENV[smtp_port], "--smtp-tls", smtp_tls, "--smtp-username", ALICE,
             "--imap-host", "localhost", "--imap-port", ENV[imap_port], "--imap-tls", imap_tls,
             "--imap-username", BOB, "--ca-file", ENV["MS_CA_FILE"], "--timeout", "20",
             "--check-frequency", "0.3", "--max-checks", "30", "--output-format", "json"]
        env = {}
        if smtp_auth:
            a += ["--smtp-auth", smtp_auth[0], *smtp_auth[1]]
        else:
            env["MAILPROBE_SMTP_PASSWORD"] = ENV["MS_ALICE_PASS"]
        if imap_auth:
            a += ["--imap-auth", imap_auth[0], *imap_auth[1]]
        else:
            env["MAILPROBE_IMAP_PASSWORD"] = ENV["MS_BOB_PASS"]
        return a + list(extra), env

    def tokfile(self, name, tok):
        return ["--" + name + "-token-file", self.write(name + "-token", tok + "\n")]

    def fetch(self, leg, ep, refresh=False, secret=None, path="/token"):
        a = [f"--{leg}-oauth2-token-url", ep.url + path, f"--{leg}-oauth2-client-id", "mailprobe-app",
             f"--{leg}-oauth2-client-secret-file", secret or self.secret_file,
             f"--{leg}-oauth2-scope", "https://outlook.office365.com/.default"]
        if refresh:
            a += [f"--{leg}-oauth2-refresh-token-file", self.refresh_file]
        return a

    def run_check(self, smtp_auth=None, imap_auth=None, **kw):
        a, env = self.args(smtp_auth, imap_auth, **kw)
        return Run(a, env=env)

    def assert_result(self, r, result, stage, error_re=None):
        d = r.record()
        self.assertEqual((d["result"], d["stage"]), (result, stage), r.out + r.err)
        if error_re:
            self.assertRegex(d.get("error", ""), error_re)
        self.assertEqual(r.rc, 0 if result == "success" else 1, r.err)
        return d

    # --- success on both legs -------------------------------------------------
    def test_xoauth2_on_both_legs_delivers(self):
        r = self.run_check(("xoauth2", self.tokfile("smtp", token(ALICE))), ("xoauth2", self.tokfile("imap", token(BOB))))
        d = self.assert_result(r, "success", "done")
        self.assertEqual(d["cleanup"], "expunged")

    def test_oauthbearer_on_both_legs_delivers_also_over_implicit_tls(self):
        r = self.run_check(("oauthbearer", self.tokfile("smtp", token(ALICE))),
                           ("oauthbearer", self.tokfile("imap", token(BOB))),
                           smtp_port="MS_SMTP_TLS_PORT", smtp_tls="tls", imap_port="MS_IMAPS_PORT", imap_tls="tls")
        self.assert_result(r, "success", "done")

    def test_mixed_password_imap_and_oauth_smtp_logs_the_mechanism(self):
        r = self.run_check(("xoauth2", self.tokfile("smtp", token(ALICE))), None)
        d = self.assert_result(r, "success", "done")
        with open(ENV["MS_POSTFIX_LOG"]) as f:
            log = f.read()
        self.assertRegex(log, rf"{d['queue_id']}: client=.*sasl_method=XOAUTH2, sasl_username={re.escape(ALICE)}")

    def test_3kb_token_on_smtp_goes_after_the_334(self):
        # RFC 4954 §4: too long for the AUTH line, so libcurl sends it after 334.
        big = token(ALICE, pad=2300)
        self.assertGreater(len(big), 3000)
        r = self.run_check(("xoauth2", self.tokfile("smtp", big)), None)
        d = self.assert_result(r, "success", "done")
        with open(ENV["MS_POSTFIX_LOG"]) as f:
            self.assertRegex(f.read(), rf"{d['queue_id']}: client=.*sasl_method=XOAUTH2")

    # --- the server rejects the token ------------------------------------------
    def test_rejected_tokens_are_auth_failed_with_the_decoded_challenge(self):
        now = int(time.time())
        bad = {
            "expired": lambda user: token(user, now=now - 3600, lifetime=600),
            "wrong audience": lambda user: token(user, aud="someone-else"),
            "wrong key": lambda user: token(user, key="not-the-key"),
        }
        for what, make in bad.items():
            for mech in ("xoauth2", "oauthbearer"):
                with self.subTest(what=what, leg="imap", mech=mech):
                    r = self.run_check(None, (mech, self.tokfile("imap", make(BOB))))
                    self.assert_result(r, "auth_failed", "imap_login", r'^server rejected the token: \{"status":')
                with self.subTest(what=what, leg="smtp", mech=mech):
                    r = self.run_check((mech, self.tokfile("smtp", make(ALICE))), None)
                    self.assert_result(r, "auth_failed", "smtp_auth", r'^server rejected the token: \{"status":')

    # --- the server does not offer the mechanism -------------------------------
    def test_mechanism_not_offered_is_its_own_result_and_nothing_else_is_tried(self):
        dv_log, pf_log = ENV["MS_DOVECOT_NOSTARTTLS_LOG"], ENV["MS_POSTFIX_LOG"]
        dv_at, pf_at = os.path.getsize(dv_log), os.path.getsize(pf_log)
        r = self.run_check(None, ("xoauth2", self.tokfile("imap", token(BOB))),
                           imap_port="MS_IMAP_NOSTARTTLS_PORT", imap_tls="none")
        self.assert_result(r, "auth_mechanism_unavailable", "imap_login",
                           r"^the server does not offer AUTH=XOAUTH2 \(it offers PLAIN LOGIN\)$")
        r = self.run_check(("oauthbearer", self.tokfile("smtp", token(ALICE))), None,
                           smtp_port="MS_SMTP_NONE_PORT", smtp_tls="none")
        self.assert_result(r, "auth_mechanism_unavailable", "smtp_auth",
                           r"^the server does not offer AUTH OAUTHBEARER \(EHLO AUTH PLAIN LOGIN\)$")
        # No other mechanism was tried: Dovecot saw no auth attempt, Postfix no AUTH command.
        time.sleep(0.3)
        dv_new, pf_new = log_since(dv_log, dv_at), log_since(pf_log, pf_at)
        self.assertIn("no auth attempts", dv_new)
        self.assertNotIn("method=", dv_new)
        none_lines = [l for l in pf_new.splitlines() if "smtp-none" in l and "disconnect from" in l]
        self.assertTrue(none_lines, pf_new)
        for l in none_lines:
            self.assertNotIn("auth=", l)

    # --- the built-in fetch --------------------------------------------------
    def test_both_grants_fetch_and_deliver(self):
        ep_smtp, ep_imap = Endpoint(ALICE), Endpoint(BOB)
        try:
            r = self.run_check(("xoauth2", self.fetch("smtp", ep_smtp)), ("xoauth2", self.fetch("imap", ep_imap, refresh=True)))
            self.assert_result(r, "success", "done")
            self.assertEqual(ep_smtp.stats()["client_credentials"], 1)
            self.assertEqual(ep_imap.stats()["refresh_token"], 1)
        finally:
            ep_smtp.close()
            ep_imap.close()

    def test_token_endpoint_failures_are_token_error_at_the_token_stage(self):
        ep = Endpoint(BOB)
        try:
            r = self.run_check(None, ("xoauth2", self.fetch("imap", ep, secret=self.bad_secret_file)))
            self.assert_result(r, "token_error", "imap_token", r"^HTTP 401: invalid_client: AADSTS7000215: ")
            r = self.run_check(("xoauth2", self.fetch("smtp", ep, path="/malformed")), None)
            self.assert_result(r, "token_error", "smtp_token", r"^malformed JSON from the token endpoint \(HTTP 200")
            r = self.run_check(("xoauth2", self.fetch("smtp", ep, path="/noaccess")), None)
            self.assert_result(r, "token_error", "smtp_token", r"^no access_token")
            a = self.fetch("imap", ep, refresh=True)
            self.write("refresh-bad", "1//0bad-refresh-token\n")
            a[a.index(self.refresh_file)] = os.path.join(self.dir, "refresh-bad")
            r = self.run_check(None, ("oauthbearer", a))
            self.assert_result(r, "token_error", "imap_token", r"^HTTP 400: invalid_grant: Token has been expired or revoked")
        finally:
            ep.close()
        # The endpoint is gone now: nothing listens on its port.
        r = self.run_check(None, ("xoauth2", self.fetch("imap", ep)))
        self.assert_result(r, "token_error", "imap_token", r"^token endpoint unreachable: ")

    def test_a_token_command_without_shell_and_bounded(self):
        tok = token(BOB)
        r = self.run_check(None, ("xoauth2", ["--imap-token-command", f"printf '%s\\n' {tok}"]))
        self.assert_result(r, "success", "done")
        r = self.run_check(None, ("xoauth2", ["--imap-token-command", "sh -c 'exit 4'"]))
        self.assert_result(r, "token_error", "imap_token", r"^token command exited with status 4$")

    def test_cleanup_logs_in_with_oauth2_too(self):
        base = ["cleanup", "--imap-host", "localhost", "--imap-port", ENV["MS_IMAP_PORT"], "--imap-username", BOB,
                "--ca-file", ENV["MS_CA_FILE"], "--dry-run", "--output-format", "json", "--imap-auth", "xoauth2"]
        r = Run(base + self.tokfile("imap", token(BOB)))
        self.assertEqual((r.rc, r.record()["result"]), (0, "success"), r.out + r.err)
        r = Run(base + self.tokfile("imap", token(BOB, aud="someone-else")))
        d = r.record()
        self.assertEqual((r.rc, d["result"], d["stage"]), (1, "auth_failed", "imap_login"), r.out)
        self.assertRegex(d["error"], r'^server rejected the token: \{"status":')
        r = Run(base + ["--imap-token-command", "false"])
        self.assertEqual((r.record()["result"], r.record()["stage"]), ("token_error", "imap_token"), r.out)

    # --- caching -----------------------------------------------------------------
    def execd(self, args, env, triggers, pause=0.0):
        p = subprocess.Popen([MAILPROBE] + args + ["--execd", "--output-format", "json"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**{k: v for k, v in os.environ.items() if not k.startswith("MAILPROBE_")}, **env})
        records = []
        try:
            for i in range(triggers):
                if i and pause:
                    time.sleep(pause)
                p.stdin.write("\n")
                p.stdin.flush()
                records.append(json.loads(p.stdout.readline()))
        finally:
            p.stdin.close()
            err = p.stderr.read()
            p.wait(timeout=30)
            p.stdout.close()
            p.stderr.close()
        return records, err

    def test_routes_file_oauth2_keys_on_both_legs_and_a_shared_mailbox(self):
        # Issue 13 "the same keys in the routes file": two routes read bob's
        # mailbox with XOAUTH2 (one shared watcher), the third has an expired
        # SMTP token and must fail at smtp_token without sending.
        good_s = self.write("routes-smtp-token", token(ALICE) + "\n")
        good_i = self.write("routes-imap-token", token(BOB) + "\n")
        bad_s = self.write("routes-bad-token", "\n")
        routes = self.write("routes.toml", f"""
[defaults]
ca-file = "{ENV['MS_CA_FILE']}"
timeout = 20
check-frequency = 0.3
max-checks = 30

[account.alice]
email = "{ALICE}"
smtp-host = "localhost"
smtp-port = {ENV['MS_SMTP_STARTTLS_PORT']}
smtp-username = "{ALICE}"
smtp-auth = "xoauth2"
smtp-token-file = "{good_s}"

[account.bob]
email = "{BOB}"
imap-host = "localhost"
imap-port = {ENV['MS_IMAP_PORT']}
imap-username = "{BOB}"
imap-auth = "oauthbearer"
imap-token-file = "{good_i}"

[[route]]
name = "a-to-b-1"
from = "alice"
to = "bob"

[[route]]
name = "a-to-b-2"
from = "alice"
to = "bob"

[[route]]
name = "a-to-b-empty-token"
from = "alice"
to = "bob"
smtp-token-file = "{bad_s}"
""")
        before = mailbox_uids(ENV, "BOB")
        r = Run(["check", "--routes", routes, "--output-format", "json"])
        recs = {d["route"]: d for d in (json.loads(l) for l in r.out.splitlines() if l.strip())}
        self.assertEqual(set(recs), {"a-to-b-1", "a-to-b-2", "a-to-b-empty-token"}, r.out + r.err)
        for name in ("a-to-b-1", "a-to-b-2"):
            self.assertEqual((recs[name]["result"], recs[name]["stage"]), ("success", "done"), r.out + r.err)
            self.assertEqual(recs[name]["cleanup"], "expunged")
        bad = recs["a-to-b-empty-token"]
        self.assertEqual((bad["result"], bad["stage"]), ("token_error", "smtp_token"), r.out + r.err)
        self.assertEqual(r.rc, 1, r.err)
        self.assertNotIn(token(ALICE), r.out + r.err)
        self.assertEqual(mailbox_uids(ENV, "BOB"), before, "only the probes were removed")

    def test_execd_fetches_once_for_several_checks_and_renews_early(self):
        ep = Endpoint(BOB, expires_in=6)  # renewed a fifth early: after 5 s
        try:
            a, env = self.args(None, ("xoauth2", self.fetch("imap", ep)))
            recs, err = self.execd(a, env, 3)
            self.assertEqual([r["result"] for r in recs], ["success"] * 3, err)
            self.assertEqual(ep.stats()["client_credentials"], 1)
            recs, err = self.execd(a, env, 2, pause=5.5)
            self.assertEqual([r["result"] for r in recs], ["success"] * 2, err)
            self.assertEqual(ep.stats()["client_credentials"], 3)  # one per session start, one renewal
        finally:
            ep.close()

    def test_execd_rereads_the_token_file_before_every_check(self):
        path = self.write("rotating-token", token(BOB) + "\n")
        a, env = self.args(None, ("xoauth2", ["--imap-token-file", path]))
        p = subprocess.Popen([MAILPROBE] + a + ["--execd"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True,
                             env={**{k: v for k, v in os.environ.items() if not k.startswith("MAILPROBE_")}, **env})
        results = []
        try:
            for tok in (token(BOB), token(BOB, key="rotated-away"), token(BOB)):
                self.write("rotating-token", tok + "\n")
                p.stdin.write("\n")
                p.stdin.flush()
                results.append(json.loads(p.stdout.readline())["result"])
        finally:
            p.stdin.close()
            p.wait(timeout=30)
            p.stdout.close()
        self.assertEqual(results, ["success", "auth_failed", "success"])

    def test_cache_file_beside_state_file_is_0600_and_shared_by_one_shot_runs(self):
        ep = Endpoint(BOB)
        state = os.path.join(self.dir, "probes.state")
        try:
            for _ in range(2):
                r = self.run_check(None, ("xoauth2", self.fetch("imap", ep)), extra=["--state-file", state])
                self.assert_result(r, "success", "done")
            self.assertEqual(ep.stats()["client_credentials"], 1)
            st = os.stat(state + ".oauth2-tokens")
            self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        finally:
            ep.close()

    # --- secrets -----------------------------------------------------------------
    def test_verbose_dialogue_masks_bearer_tokens_on_both_legs(self):
        st, it = token(ALICE), token(BOB)
        r = self.run_check(("xoauth2", self.tokfile("smtp", st)), ("oauthbearer", self.tokfile("imap", it)),
                           extra=["-v"])
        self.assert_result(r, "success", "done")
        self.assertIn(" smtp    > AUTH XOAUTH2 ****", r.err)
        self.assertIn(" AUTHENTICATE OAUTHBEARER ****", r.err)
        for t in (st, it):
            self.assertNotIn(t, r.err + r.out)
            self.assertNotIn(t.split(".")[2], r.err + r.out)
        for line in r.err.splitlines():  # no SASL payload of any length gets through
            self.assertNotRegex(line, r"[A-Za-z0-9+/]{80,}")

    def test_no_secret_in_any_output_format_or_process_arguments(self):
        ep = Endpoint(BOB, delay=1.5)
        good = token(ALICE)
        secrets = [CLIENT_SECRET, REFRESH_TOKEN, good, good.split(".")[2]]
        try:
            for fmt in ("json", "influx", "text", "prometheus", "nagios"):
                for imap in (self.fetch("imap", ep, refresh=True), self.fetch("imap", ep, secret=self.bad_secret_file)):
                    a, env = self.args(("xoauth2", self.tokfile("smtp", good)), ("xoauth2", imap))
                    a[a.index("--output-format") + 1] = fmt
                    p = subprocess.Popen([MAILPROBE] + a, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                         env={**os.environ, **env})
                    time.sleep(0.7)  # inside the endpoint's delay: the fetch is in flight
                    cmdlines = []
                    for pid in os.listdir("/proc"):
                        if pid.isdigit():
                            try:
                                with open(f"/proc/{pid}/cmdline", "rb") as f:
                                    cmdlines.append(f.read().decode(errors="replace"))
                            except OSError:
                                pass
                    out, err = p.communicate(timeout=60)
                    self.assertTrue(any("--imap-oauth2-token-url" in c for c in cmdlines))
                    # The endpoint's own argv holds them by design; mailprobe's must not.
                    ours = [c for c in cmdlines if "--imap-oauth2-token-url" in c]
                    for s in secrets:
                        self.assertNotIn(s, out + err, fmt)
                        for c in ours:
                            self.assertNotIn(s, c)
        finally:
            ep.close()


class ScriptedSmtp:
    """A plaintext SMTP server on loopback that offers AUTH XOAUTH2 and
    records the lines it receives (the wire format check of the SMTP leg)."""

    def __init__(self, auth="AUTH PLAIN XOAUTH2"):
        self.auth = auth
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.lines = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        f = conn.makefile("rwb")

        def send(text):
            f.write(text.encode() + b"\r\n")
            f.flush()

        send("220 scripted ESMTP")
        in_data = False
        for raw in f:
            line = raw.decode().rstrip("\r\n")
            if in_data:
                if line == ".":
                    in_data = False
                    send("250 2.0.0 Ok: queued as ABC123")
                continue
            self.lines.append(line)
            verb = line.split(" ", 1)[0].upper()
            if verb == "EHLO":
                send("250-scripted\r\n" + (f"250-{self.auth}\r\n" if self.auth else "") + "250 8BITMIME")
            elif line.upper() == "AUTH XOAUTH2":
                send("334 ")  # RFC 4954 §4: an empty challenge, the response follows
                self.lines.append(f.readline().decode().rstrip("\r\n"))
                send("235 2.7.0 Authentication successful")
            elif verb == "AUTH":
                send("235 2.7.0 Authentication successful")
            elif verb == "DATA":
                in_data = True
                send("354 go ahead")
            elif verb == "QUIT":
                send("221 bye")
                break
            else:
                send("250 ok")
        conn.close()

    def close(self):
        self.sock.close()
        self.thread.join(5)


class SmtpWireFormat(unittest.TestCase):
    """What goes on the wire for XOAUTH2 over SMTP, short and long tokens."""

    def run_against(self, tok, auth="AUTH PLAIN XOAUTH2", result="not_delivered"):
        srv = ScriptedSmtp(auth)
        d = tempfile.mkdtemp(prefix="mailprobe-oauth-wire-")
        path = os.path.join(d, "tok")
        with open(path, "w") as f:
            f.write(tok + "\n")
        try:
            r = Run(["check", "--email-from", ALICE, "--email-to", BOB, "--smtp-host", "127.0.0.1",
                     "--smtp-port", str(srv.port), "--smtp-tls", "none", "--smtp-username", ALICE,
                     "--smtp-auth", "xoauth2", "--smtp-token-file", path,
                     "--imap-host", "localhost", "--imap-port", ENV["MS_IMAP_PORT"], "--imap-username", BOB,
                     "--ca-file", ENV["MS_CA_FILE"], "--timeout", "10", "--check-frequency", "0.1",
                     "--max-checks", "1", "--junk-mailbox", "none", "--output-format", "json"],
                    env={"MAILPROBE_IMAP_PASSWORD": ENV["MS_BOB_PASS"]})
        finally:
            srv.close()
            shutil.rmtree(d, ignore_errors=True)
        # The scripted server swallows the probe: it is accepted, then never found.
        self.assertEqual(r.record()["result"], result, r.out + r.err)
        self.record = r.record()
        self.all_lines = list(srv.lines)
        return [l for l in srv.lines if not l.upper().startswith(("EHLO", "MAIL", "RCPT", "DATA", "QUIT"))]

    def expected(self, tok):
        return base64.b64encode(f"user={ALICE}\x01auth=Bearer {tok}\x01\x01".encode()).decode()

    def test_short_token_goes_inline_as_the_initial_response(self):
        tok = token(ALICE)
        self.assertEqual(self.run_against(tok), ["AUTH XOAUTH2 " + self.expected(tok)])

    def test_no_auth_in_ehlo_stops_before_any_recipient(self):
        self.assertEqual(self.run_against(token(ALICE), auth=None, result="auth_mechanism_unavailable"), [])
        self.assertEqual((self.record["stage"], self.record["error"]),
                         ("smtp_auth", "the server does not offer AUTH XOAUTH2 (no AUTH in EHLO)"))
        self.assertFalse([l for l in self.all_lines if l.upper().startswith(("RCPT", "DATA"))], self.all_lines)

    def test_3kb_token_goes_after_the_334(self):
        tok = token(ALICE, pad=2300)
        self.assertGreater(len(tok), 3000)
        self.assertEqual(self.run_against(tok), ["AUTH XOAUTH2", self.expected(tok)])


if __name__ == "__main__":
    unittest.main(verbosity=2)
