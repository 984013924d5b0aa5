"""mailprobe check against a real Postfix + Dovecot (tests/mailstack)."""
import base64
import json
import os
import re
import shutil
import smtplib
import ssl
import subprocess
import tempfile
import time
import unittest

from mailstack_fixture import MAILPROBE, Run, imap_connect, load_env, mailbox_uids, reset

ENV = load_env()
SEED_KEYS = ["success", "hash", "start", "end", "start_time_smtp", "start_time_imap",
             "start_time_imap_search", "tries", "total_duration", "smtp_duration", "imap_duration"]
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")

SMTP_PORTS = {"none": "MS_SMTP_NONE_PORT", "starttls": "MS_SMTP_STARTTLS_PORT", "tls": "MS_SMTP_TLS_PORT"}
IMAP_PORTS = {"none": "MS_IMAP_PORT", "starttls": "MS_IMAP_PORT", "tls": "MS_IMAPS_PORT"}


def check_args(smtp_tls="starttls", imap_tls="starttls", to="BOB", extra=()):
    """A seed-002 style command line (passwords through the environment)."""
    return ["check", "--email-from", ENV["MS_ALICE_USER"], "--email-to",
            ENV.get(f"MS_{to}_USER", to), "--smtp-host", "localhost",
            "--smtp-port", ENV[SMTP_PORTS[smtp_tls]], "--smtp-tls", smtp_tls,
            "--smtp-username", ENV["MS_ALICE_USER"], "--imap-host", "localhost",
            "--imap-port", ENV[IMAP_PORTS[imap_tls]], "--imap-tls", imap_tls,
            "--imap-username", ENV[f"MS_{to}_USER"] if f"MS_{to}_USER" in ENV else ENV["MS_BOB_USER"],
            "--ca-file", ENV["MS_CA_FILE"], "--timeout", "20", "--check-frequency", "0.5",
            "--max-checks", "20", *extra]


def pw_env(to="BOB"):
    user = to if f"MS_{to}_PASS" in ENV else "BOB"
    return {"MAILPROBE_SMTP_PASSWORD": ENV["MS_ALICE_PASS"], "MAILPROBE_IMAP_PASSWORD": ENV[f"MS_{user}_PASS"]}


def send_plain(to_user, subject, body="hello"):
    """Puts a normal (non-probe) message into a mailbox through Postfix."""
    ctx = ssl.create_default_context(cafile=ENV["MS_CA_FILE"])
    with smtplib.SMTP("localhost", int(ENV["MS_SMTP_STARTTLS_PORT"])) as s:
        s.starttls(context=ctx)
        s.login(ENV["MS_ALICE_USER"], ENV["MS_ALICE_PASS"])
        msg = f"From: {ENV['MS_ALICE_USER']}\r\nTo: {to_user}\r\nSubject: {subject}\r\n\r\n{body}\r\n"
        s.sendmail(ENV["MS_ALICE_USER"], [to_user], msg)


def wait_for_count(user, n, mailbox="INBOX", secs=10):
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        msgs = mailbox_uids(ENV, user, mailbox)
        if len(msgs) >= n:
            return msgs
        time.sleep(0.1)
    raise AssertionError(f"{user} {mailbox} never reached {n} messages")


class RoundTrip(unittest.TestCase):
    def test_all_nine_tls_combinations_deliver_and_clean_up(self):
        for smtp_tls in ("none", "starttls", "tls"):
            for imap_tls in ("none", "starttls", "tls"):
                with self.subTest(smtp=smtp_tls, imap=imap_tls):
                    r = Run(check_args(smtp_tls, imap_tls), env=pw_env())
                    self.assertEqual(r.rc, 0, r.out + r.err)
                    d = r.record()
                    self.assertTrue(d["success"])
                    self.assertEqual((d["result"], d["stage"], d["result_code"]), ("success", "done", 0))
                    self.assertEqual(d["cleanup"], "expunged")
                    self.assertEqual(d["smtp_tls"], smtp_tls)
                    self.assertEqual(d["imap_tls"], imap_tls)
                    self.assertRegex(d["queue_id"], r"^[0-9A-F]{6,}$")
                    self.assertIn(d["method"], ("idle", "poll"))
                    self.assertGreater(d["delivery_seconds"], 0)
                    if smtp_tls != "none":
                        self.assertTrue(d["smtp_tls_version"].startswith("TLS"))
                    else:
                        self.assertNotIn("smtp_tls_version", d)
                        self.assertIn("unencrypted", r.err)
        # Nothing left behind in bob's mailbox.
        for uid, (meta, hdr) in mailbox_uids(ENV, "BOB").items():
            self.assertNotIn(b"X-Mailprobe-Token", hdr)

    def test_seed_keys_timestamps_and_durations_are_right(self):
        r = Run(check_args(), env=pw_env())
        d = r.record()
        for k in SEED_KEYS:
            self.assertIn(k, d)
        for k in ("start", "end", "start_time_smtp", "start_time_imap", "start_time_imap_search"):
            self.assertRegex(d[k], ISO)
        self.assertRegex(d["hash"], r"^[0-9a-f]{32}$")
        for k in ("total_duration", "smtp_duration", "imap_duration", "tries"):
            self.assertIsInstance(d[k], int)
        self.assertGreaterEqual(d["total_duration"], d["smtp_duration"] + d["imap_duration"])
        self.assertAlmostEqual(d["total_seconds"] * 1e6, d["total_duration"], delta=2)
        self.assertGreaterEqual(d["tries"], 1)

    def test_queue_id_is_in_the_postfix_log(self):
        d = Run(check_args(), env=pw_env()).record()
        time.sleep(0.2)
        with open(ENV["MS_POSTFIX_LOG"], errors="replace") as f:
            self.assertIn(d["queue_id"], f.read())

    def test_seed_command_line_works_unchanged_without_subcommand(self):
        args = ["--email-from", ENV["MS_ALICE_USER"], "--email-to", ENV["MS_BOB_USER"],
                "--smtp-host", "localhost", "--smtp-port", ENV["MS_SMTP_STARTTLS_PORT"],
                "--smtp-username", ENV["MS_ALICE_USER"], "--smtp-password", ENV["MS_ALICE_PASS"],
                "--imap-host", "localhost", "--imap-port", ENV["MS_IMAP_PORT"],
                "--imap-username", ENV["MS_BOB_USER"], "--imap-password", ENV["MS_BOB_PASS"],
                "--output-format", "influx", "--ca-file", ENV["MS_CA_FILE"]]
        r = Run(args)
        self.assertEqual(r.rc, 0, r.err)
        self.assertTrue(r.out.startswith("mail_delivery,"))
        self.assertIn("success=true", r.out)
        self.assertIn("puts the password on the command line", r.err)

    def test_password_files_and_env_files(self):
        with tempfile.TemporaryDirectory() as d:
            sp, ip = os.path.join(d, "smtp"), os.path.join(d, "imap")
            for path, pw in ((sp, ENV["MS_ALICE_PASS"]), (ip, ENV["MS_BOB_PASS"])):
                with open(path, "w") as f:
                    f.write(pw + "\n")
            r = Run(check_args(extra=["--smtp-password-file", sp, "--imap-password-file", ip]))
            self.assertEqual(r.rc, 0, r.out + r.err)
            self.assertEqual(r.err, "")
            r = Run(check_args(), env={"MAILPROBE_SMTP_PASSWORD_FILE": sp, "MAILPROBE_IMAP_PASSWORD_FILE": ip})
            self.assertEqual(r.rc, 0, r.out + r.err)

    def test_no_cleanup_leaves_the_probe(self):
        reset()
        d = Run(check_args(extra=["--no-cleanup"]), env=pw_env()).record()
        self.assertEqual(d["cleanup"], "skipped")
        tokens = [h for _, h in mailbox_uids(ENV, "BOB").values() if d["hash"].encode() in h]
        self.assertEqual(len(tokens), 1)


class TrustStore(unittest.TestCase):
    """Without --ca-file the system store is used, read the OpenSSL way
    ($SSL_CERT_DIR hashed directory, $SSL_CERT_FILE bundle, else the default
    directory): one store per run, shared by every connection."""

    @staticmethod
    def args_without_ca(*legs):
        a = check_args(*legs)
        i = a.index("--ca-file")
        return a[:i] + a[i + 2:]

    def test_hashed_directory_from_ssl_cert_dir(self):
        with tempfile.TemporaryDirectory() as d:
            shutil.copy(ENV["MS_CA_FILE"], os.path.join(d, "mailstack-ca.pem"))
            subprocess.run(["openssl", "rehash", d], check=True, capture_output=True)
            for legs in (("starttls", "starttls"), ("tls", "tls")):
                r = Run(self.args_without_ca(*legs), env=dict(pw_env(), SSL_CERT_DIR=d))
                self.assertEqual(r.rc, 0, r.out + r.err)
                self.assertTrue(r.record()["success"])

    def test_bundle_from_ssl_cert_file(self):
        r = Run(self.args_without_ca(), env=dict(pw_env(), SSL_CERT_FILE=ENV["MS_CA_FILE"]))
        self.assertEqual(r.rc, 0, r.out + r.err)

    def test_the_default_system_store_does_not_trust_the_test_ca(self):
        env = dict(pw_env())
        r = Run(self.args_without_ca(), env=env)
        self.assertEqual(r.rc, 1, r.out + r.err)
        self.assertEqual((r.record()["stage"], r.record()["result"]), ("imap_tls", "tls_verify_failed"))


class Placement(unittest.TestCase):
    def test_probe_filed_as_junk_by_sieve_is_found_in_the_special_use_folder(self):
        reset()
        r = Run(check_args(extra=["--prefix", "[junk] "]), env=pw_env())
        self.assertEqual(r.rc, 0, r.out + r.err)
        d = r.record()
        self.assertEqual((d["placement"], d["result"], d["junk_mailbox"]), ("junk", "junk", "Junk"), d)
        self.assertEqual(d["cleanup"], "expunged")
        self.assertEqual(mailbox_uids(ENV, "BOB", "Junk"), {})

    def test_inbox_delivery_reports_inbox_and_the_junk_folder_watched(self):
        d = Run(check_args(), env=pw_env()).record()
        self.assertEqual((d["placement"], d["junk_mailbox"]), ("inbox", "Junk"))


class Insight(unittest.TestCase):
    def test_received_hops_and_the_queue_id_join(self):
        d = Run(check_args(), env=pw_env()).record()
        self.assertTrue(d["success"], d)
        self.assertGreaterEqual(d["hops"], 1)
        self.assertIn(d["queue_id"], d["receiving_queue_ids"].split(","))
        self.assertFalse(d["clock_skew"])
        self.assertGreaterEqual(d["slowest_hop_seconds"], 0)

    def test_bounce_fails_fast_with_the_remote_status(self):
        env = pw_env()
        env["MAILPROBE_BOUNCE_IMAP_PASSWORD"] = ENV["MS_ALICE_PASS"]
        args = check_args(to=ENV["MS_BOUNCE_ADDR"], extra=["--bounce-imap-username", ENV["MS_ALICE_USER"],
                                                           "--max-checks", "40"])
        r = Run(args, env=env)
        d = Failures.assertFailure(self, r, "imap_wait", "bounced", max_seconds=8)
        self.assertTrue(d["bounce_status"].startswith("5."), d)
        self.assertLess(d["total_seconds"], 5, "fails fast instead of waiting out --max-checks")

    def test_state_file_counts_late_and_lost_probes(self):
        reset()
        postfix = ["-c", ENV["MS_POSTFIX_CONFIG_DIR"]]
        with tempfile.TemporaryDirectory() as tmp:
            state = os.path.join(tmp, "state.json")
            base = check_args(to="HOLD", extra=["--state-file", state, "--check-frequency", "0.2",
                                                "--max-checks", "3", "--junk-mailbox", "none"])
            d1 = Run(base, env=pw_env("HOLD")).record()
            self.assertEqual(d1["result"], "not_delivered")
            self.assertEqual((d1["pending_probes"], d1["late_probes"], d1["lost_probes"]), (1, 0, 0), d1)
            # Release the held probe: it lands after its run gave up.
            subprocess.run(["postsuper", *postfix, "-H", "ALL"], check=True, capture_output=True)
            subprocess.run(["postqueue", *postfix, "-f"], check=True, capture_output=True)
            wait_for_count("HOLD", 1)
            d2 = Run(base, env=pw_env("HOLD")).record()
            self.assertEqual(d2["late_probes"], 1, d2)
            self.assertGreaterEqual(d2["late_max_seconds"], 0)  # whole seconds (INTERNALDATE)
            self.assertEqual(d2["pending_probes"], 1, "run 2's own probe is now pending")
            self.assertEqual([h for h in mailbox_uids(ENV, "HOLD").values() if d1["hash"].encode() in h[1]], [],
                             "the late probe was cleaned up")
            time.sleep(1.2)
            d3 = Run(base + ["--lost-after", "1"], env=pw_env("HOLD")).record()
            self.assertGreaterEqual(d3["lost_probes"], 1, d3)
            with open(state) as f:
                self.assertEqual(len(json.load(f)["pending"]), 1, "only run 3's probe is remembered")
        subprocess.run(["postsuper", *postfix, "-d", "ALL"], capture_output=True)


class MxMode(unittest.TestCase):
    """--smtp-host mx: delivers straight to the recipient domain's MX hosts."""

    def run_mx(self, table, extra=()):
        import sys
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "probe"))
        from fake_dns import FakeDns
        dns = FakeDns(table)
        args = ["check", "--email-from", ENV["MS_ALICE_USER"], "--email-to", ENV["MS_BOB_USER"],
                "--smtp-host", "mx:", "--smtp-port", ENV["MS_SMTP_NONE_PORT"], "--smtp-tls", "none",
                "--dns-server", f"127.0.0.1:{dns.port}", "--imap-host", "localhost",
                "--imap-port", ENV["MS_IMAPS_PORT"], "--imap-tls", "tls", "--imap-username", ENV["MS_BOB_USER"],
                "--ca-file", ENV["MS_CA_FILE"], "--timeout", "20", *extra]
        return Run(args, env={"MAILPROBE_IMAP_PASSWORD": ENV["MS_BOB_PASS"]})

    def test_delivers_through_the_reachable_mx(self):
        # Preference 5 does not resolve and is skipped; among localhost's
        # addresses the one that accepts a connection is tried first.
        r = self.run_mx({"mailprobe.test": [(5, "no-such-mx.invalid"), (10, "localhost")]})
        self.assertEqual(r.rc, 0, r.out + r.err)
        d = r.record()
        self.assertTrue(d["success"])
        self.assertTrue(d["smtp_server"].startswith("localhost:"), d["smtp_server"])
        self.assertGreaterEqual(d["mx_tried"], 1)

    def test_every_mx_is_tried_before_giving_up(self):
        r = self.run_mx({"mailprobe.test": [(5, "localhost"), (10, "localhost")]}, ["--smtp-port", "1"])
        d = r.record()
        self.assertEqual((d["stage"], d["result"]), ("smtp_connect", "connection_refused"), d)
        self.assertGreaterEqual(d["mx_tried"], 2, "every MX address was tried")

    def test_domain_without_mx_is_a_dns_error(self):
        r = self.run_mx({})
        d = r.record()
        self.assertEqual((d["stage"], d["result"]), ("smtp_connect", "dns_error"), d)


class Cleanup(unittest.TestCase):
    def test_cleanup_touches_nothing_but_the_probe(self):
        reset()
        send_plain(ENV["MS_BOB_USER"], "keep me")
        send_plain(ENV["MS_BOB_USER"], "flagged deleted but not expunged")
        before = wait_for_count("BOB", 2)
        m = imap_connect(ENV, "BOB")
        m.select("INBOX")
        flagged_uid = [u for u, (_, h) in before.items() if b"flagged deleted" in h][0]
        m.uid("STORE", str(flagged_uid), "+FLAGS", "(\\Deleted)")
        m.logout()

        d = Run(check_args(), env=pw_env()).record()
        self.assertTrue(d["success"])
        self.assertEqual(d["cleanup"], "expunged")
        after = mailbox_uids(ENV, "BOB")
        self.assertEqual(set(after), set(before), "exactly the two user messages remain")
        self.assertIn("\\Deleted", after[flagged_uid][0])
        self.assertTrue(all(d["hash"].encode() not in h for _, h in after.values()))


class Failures(unittest.TestCase):
    def assertFailure(self, r, stage, result, code=None, max_seconds=None):
        self.assertEqual(r.rc, 1, r.out + r.err)
        d = r.record()
        self.assertFalse(d["success"])
        self.assertEqual((d["stage"], d["result"]), (stage, result), d)
        self.assertNotEqual(d["result_code"], 0)
        if code is not None:
            self.assertEqual(d["reply_code"], code)
        self.assertTrue(d.get("error"), "a failure says why")
        for k in SEED_KEYS:
            self.assertIn(k, d)
        if max_seconds is not None:
            self.assertLess(r.seconds, max_seconds)
        return d

    def test_wrong_smtp_password(self):
        env = pw_env()
        env["MAILPROBE_SMTP_PASSWORD"] = "wrong"
        self.assertFailure(Run(check_args(), env=env), "smtp_auth", "auth_failed", 535)

    def test_wrong_imap_password_sends_nothing(self):
        reset()
        env = pw_env()
        env["MAILPROBE_IMAP_PASSWORD"] = "wrong"
        self.assertFailure(Run(check_args(), env=env), "imap_login", "auth_failed")
        time.sleep(0.3)
        self.assertEqual(mailbox_uids(ENV, "BOB"), {}, "no probe was sent")

    def test_unknown_recipient(self):
        d = self.assertFailure(Run(check_args(to=ENV["MS_UNKNOWN_ADDR"]), env=pw_env()),
                               "smtp_rcpt", "perm_reject", 550)
        self.assertIn("5.1.1", d["error"])

    def test_connection_refused(self):
        args = check_args()
        args[args.index("--smtp-port") + 1] = "1"
        self.assertFailure(Run(args, env=pw_env()), "smtp_connect", "connection_refused")

    def test_untrusted_certificate_on_each_leg(self):
        args = check_args(extra=["--ca-file", ENV["MS_OTHER_CA_FILE"]])
        self.assertFailure(Run(args, env=pw_env()), "imap_tls", "tls_verify_failed")
        args = check_args("tls", "none", extra=["--ca-file", ENV["MS_OTHER_CA_FILE"]])
        self.assertFailure(Run(args, env=pw_env()), "smtp_tls", "tls_verify_failed")

    def test_insecure_skips_verification_loudly(self):
        args = check_args(extra=["--ca-file", ENV["MS_OTHER_CA_FILE"], "--insecure"])
        r = Run(args, env=pw_env())
        self.assertEqual(r.rc, 0, r.out + r.err)
        self.assertIn("NOT verified", r.err)

    def test_starttls_required_but_not_offered(self):
        args = check_args()
        args[args.index("--smtp-port") + 1] = ENV["MS_SMTP_NONE_PORT"]
        self.assertFailure(Run(args, env=pw_env()), "smtp_starttls", "starttls_unavailable")
        if ENV.get("MS_IMAP_NOSTARTTLS_PORT"):
            args = check_args()
            args[args.index("--imap-port") + 1] = ENV["MS_IMAP_NOSTARTTLS_PORT"]
            self.assertFailure(Run(args, env=pw_env()), "imap_starttls", "starttls_unavailable")

    def test_missing_mailbox_is_an_imap_no(self):
        self.assertFailure(Run(check_args(extra=["--imap-mailbox", "NoSuchBox"]), env=pw_env()),
                           "imap_select", "imap_no")

    def test_probe_that_never_arrives_ends_within_the_bound(self):
        args = check_args(to="HOLD", extra=["--check-frequency", "0.5", "--max-checks", "4"])
        d = self.assertFailure(Run(args, env=pw_env("HOLD")), "imap_wait", "not_delivered", max_seconds=8)
        self.assertTrue(d["queue_id"])
        self.assertGreaterEqual(d["tries"], 4)

    def test_overall_timeout_wins_over_max_checks(self):
        args = check_args(to="HOLD", extra=["--timeout", "3", "--max-checks", "100", "--check-frequency", "2"])
        self.assertFailure(Run(args, env=pw_env("HOLD")), "imap_wait", "not_delivered", max_seconds=4.5)

    def test_dns_failure(self):
        args = check_args()
        args[args.index("--smtp-host") + 1] = "no-such-host.invalid"
        self.assertFailure(Run(args, env=pw_env()), "smtp_connect", "dns_error")


class MisbehavingServers(unittest.TestCase):
    """Loopback listeners that stall or hang up, to prove the deadline and the stage."""

    def serve(self, behaviour):
        import socket
        import threading
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", 0))
        srv.listen(4)
        conns = []

        def loop():
            while True:
                try:
                    c, _ = srv.accept()
                except OSError:
                    return
                conns.append(c)
                behaviour(c)

        threading.Thread(target=loop, daemon=True).start()
        self.addCleanup(lambda: [x.close() for x in conns + [srv]])
        return str(srv.getsockname()[1])

    def test_smtp_server_that_never_greets_times_out_in_the_greeting_stage(self):
        port = self.serve(lambda c: None)
        args = check_args(extra=["--timeout", "2"])
        args[args.index("--smtp-port") + 1] = port
        r = Run(args, env=pw_env())
        d = Failures.assertFailure(self, r, "smtp_greeting", "timeout", max_seconds=4)
        self.assertTrue(d["error"])

    def test_smtp_server_that_hangs_up_after_the_greeting(self):
        def greet_and_close(c):
            c.sendall(b"220 flaky ESMTP\r\n")
            c.recv(100)
            c.close()
        port = self.serve(greet_and_close)
        args = check_args("none", "starttls")
        args[args.index("--smtp-port") + 1] = port
        Failures.assertFailure(self, Run(args, env=pw_env()), "smtp_ehlo", "connection_closed", max_seconds=5)

    def test_smtp_421_greeting_is_a_temporary_rejection(self):
        def busy(c):
            c.sendall(b"421 4.3.2 too busy, try later\r\n")
            c.close()
        port = self.serve(busy)
        args = check_args("none", "starttls")
        args[args.index("--smtp-port") + 1] = port
        Failures.assertFailure(self, Run(args, env=pw_env()), "smtp_greeting", "temp_reject", 421)

    def test_imap_server_that_never_greets_times_out(self):
        port = self.serve(lambda c: None)
        args = check_args(extra=["--timeout", "2"])
        args[args.index("--imap-port") + 1] = port
        Failures.assertFailure(self, Run(args, env=pw_env()), "imap_greeting", "timeout", max_seconds=4)


class Formats(unittest.TestCase):
    def test_influx_standard_and_legacy(self):
        r = Run(check_args(extra=["--output-format", "influx"]), env=pw_env())
        line = r.out.strip()
        self.assertEqual(len(r.out.splitlines()), 1)
        self.assertRegex(line, r"^mail_delivery,\S+ .+ \d{19}$")
        self.assertIn("result=success", line)
        self.assertIn("result_code=0i", line)
        self.assertRegex(line, r"delivery_seconds=\d+\.\d+")
        r = Run(check_args(extra=["--output-format", "influx", "--schema", "legacy"]), env=pw_env())
        self.assertRegex(r.out, r"^mail-e2e,email-from=alice@mailprobe\.test,email-to=bob@mailprobe\.test,"
                                r"smtp=localhost:\d+,imap=localhost:\d+ success=1,total_dur=\d+,smtp_dur=\d+,imap_dur=\d+\n$")

    def test_text_report_names_each_stage(self):
        r = Run(check_args(extra=["--output-format", "text"]), env=pw_env())
        self.assertEqual(r.rc, 0)
        self.assertIn("delivered", r.out)
        self.assertGreater(len(r.out.splitlines()), 10)

    def test_verbose_shows_both_dialogues_on_stderr_with_secrets_masked(self):
        # Issue 14: -v is every field plus the SMTP/IMAP dialogue, secrets masked.
        r = Run(check_args(extra=["--output-format", "json", "-v"]), env=pw_env())
        self.assertEqual(r.rc, 0, r.err)
        self.assertEqual(json.loads(r.out)["result"], "success")  # stdout stays the record
        for shown in (" smtp    > EHLO ", " smtp    > STARTTLS", " smtp    > AUTH PLAIN ****",
                      " smtp    > MAIL FROM:<",
                      " imap    > A002 STARTTLS", " AUTHENTICATE PLAIN ****", " imap    > m1 LIST ",
                      " UID STORE ", " imap    < * SEARCH "):
            self.assertIn(shown, r.err)
        plain = lambda u, p: base64.b64encode(f"\0{u}\0{p}".encode()).decode()
        for secret in (ENV["MS_ALICE_PASS"], ENV["MS_BOB_PASS"],
                       plain(ENV["MS_ALICE_USER"], ENV["MS_ALICE_PASS"]), plain(ENV["MS_BOB_USER"], ENV["MS_BOB_PASS"])):
            self.assertNotIn(secret, r.err + r.out)
        # The message body is never logged, only the commands and replies around it.
        self.assertNotIn("automated end-to-end delivery probe", r.err)
        self.assertRegex(r.err, r" smtp    > \(message content, \d+ bytes\)\n")
        # Postfix offers CHUNKING and PIPELINING: the chunk rides with BDAT in
        # one flight (RFC 3030 §4.2), and its reply is the final one.
        self.assertRegex(r.err, r" smtp    > RCPT TO:<[^\n]*\n[^\n]* smtp    > BDAT \d+ LAST\n"
                                r"[^\n]* smtp    > \(message content, \d+ bytes\)\n")
        self.assertRegex(r.err, r" smtp    < 250 2\.0\.0 Ok: \d+ bytes queued as \w+\n")
        self.assertNotIn(" smtp    > DATA", r.err)
        self.assertTrue(all(re.match(r"^\+\d+\.\d{3} (smtp|imap|junk)", l) for l in r.err.splitlines()), r.err[:2000])

    def test_nagios_exit_codes(self):
        r = Run(check_args(extra=["--output-format", "nagios", "-w", "~:0.000001", "-c", "60"]), env=pw_env())
        self.assertEqual(r.rc, 1, r.out)
        self.assertTrue(r.out.startswith("MAIL WARNING"))
        self.assertIn("|", r.out)
        env = pw_env()
        env["MAILPROBE_IMAP_PASSWORD"] = "wrong"
        r = Run(check_args(extra=["--output-format", "nagios"]), env=env)
        self.assertEqual(r.rc, 2, r.out)

    def test_prometheus_textfile_passes_promtool(self):
        promtool = shutil.which("promtool")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "mailprobe.prom")
            r = Run(check_args(extra=["--output-format", "prometheus", "--textfile", path]), env=pw_env())
            self.assertEqual(r.rc, 0, r.err)
            self.assertEqual(r.out, "")
            with open(path) as f:
                body = f.read()
            self.assertIn("mailprobe_check_delivery_seconds", body)
            self.assertEqual([f for f in os.listdir(d)], ["mailprobe.prom"], "no temp file left")
            if promtool:
                p = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True, text=True)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


class Usage(unittest.TestCase):
    def assertUsage(self, args, env=None, needle=None):
        r = Run(args, env=env if env is not None else pw_env())
        self.assertEqual(r.rc, 2, r.out + r.err)
        self.assertEqual(r.out, "")
        self.assertEqual(len(r.err.strip().splitlines()), 1, r.err)
        if needle:
            self.assertIn(needle, r.err)

    def test_bad_values_are_one_line_errors_and_send_nothing(self):
        reset()
        a = check_args()
        a[a.index("--smtp-port") + 1] = "0"
        self.assertUsage(a, needle="--smtp-port")
        a = check_args()
        a[a.index("--smtp-tls") + 1] = "ssl"
        self.assertUsage(a, needle="--smtp-tls")
        a = check_args()
        a[a.index("--email-to") + 1] = "bob@mailprobe.test\r\nRCPT TO:<x@y>"
        self.assertUsage(a, needle="--email-to")
        self.assertUsage(check_args(extra=["--prefix", "a\nb"]), needle="--prefix")
        self.assertUsage(check_args(extra=["--imap-password-file", "/nonexistent/pw"]), env={}, needle="cannot read")
        self.assertUsage(check_args(extra=["--output-format", "xml"]), needle="--output-format")
        self.assertUsage(check_args(extra=["--bogus-flag"]))
        self.assertUsage(check_args(extra=["--check-frequency", "-1"]), needle="--check-frequency")
        self.assertUsage(["check", "--email-from", "a@b"], needle="required")
        # Nagios plugin API: a bad command line is UNKNOWN (3) with one line on stdout.
        r = Run(check_args(extra=["--output-format", "nagios", "-w", "abc"]), env=pw_env())
        self.assertEqual((r.rc, r.out, r.err), (3, "MAIL UNKNOWN - invalid nagios range 'abc'\n",
                                                "mailprobe check: invalid nagios range 'abc'\n"))
        time.sleep(0.3)
        self.assertEqual(mailbox_uids(ENV, "BOB"), {})

    def test_help_names_the_environment_variables(self):
        r = Run(["check", "--help"])
        self.assertEqual(r.rc, 0)
        self.assertIn("MAILPROBE_IMAP_PASSWORD_FILE", r.out.replace("X_PASSWORD", "IMAP_PASSWORD"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
