"""`mailprobe check` and `mailprobe demo` against `mailprobe serve`, across
every fault-injection case: each fault must surface as the right stage and
result in the record (issue 3, "check against serve")."""
import json
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_harness import Serve, binary  # noqa: E402


def check(srv, smtp_tls="starttls", imap_tls="starttls", extra=(), to="bob@localhost", timeout=15):
    smtp_port = srv.port("smtps" if smtp_tls == "tls" else "smtp")
    imap_port = srv.port("imaps" if imap_tls == "tls" else "imap")
    args = [binary(), "check", "--email-from", "alice@localhost", "--email-to", to,
            "--smtp-host", "localhost", "--smtp-port", str(smtp_port), "--smtp-tls", smtp_tls,
            "--smtp-username", "alice", "--imap-host", "localhost", "--imap-port", str(imap_port),
            "--imap-tls", imap_tls, "--imap-username", "bob", "--ca-file", srv.info["ca_file"],
            "--timeout", "8", "--check-frequency", "0.2", "--max-checks", "10", "--output-format", "json",
            *extra]
    env = dict(os.environ, MAILPROBE_SMTP_PASSWORD="alice", MAILPROBE_IMAP_PASSWORD="bob")
    t0 = time.monotonic()
    p = subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout)
    lines = p.stdout.splitlines()
    assert len(lines) == 1, (p.stdout, p.stderr)
    return p.returncode, json.loads(lines[0]), time.monotonic() - t0


def check_v(srv, extra=()):
    """check() with -v: (exit code, record, stderr with the dialogue)."""
    args = [binary(), "check", "-v", "--email-from", "alice@localhost", "--email-to", "bob@localhost",
            "--smtp-host", "localhost", "--smtp-port", str(srv.port("smtp")), "--smtp-username", "alice",
            "--imap-host", "localhost", "--imap-port", str(srv.port("imap")), "--imap-username", "bob",
            "--ca-file", srv.info["ca_file"], "--timeout", "8", "--check-frequency", "0.2", "--max-checks", "10",
            "--output-format", "json", *extra]
    env = dict(os.environ, MAILPROBE_SMTP_PASSWORD="alice", MAILPROBE_IMAP_PASSWORD="bob")
    p = subprocess.run(args, capture_output=True, text=True, env=env, timeout=15)
    return p.returncode, json.loads(p.stdout.splitlines()[-1]), p.stderr


class CheckAgainstServe(unittest.TestCase):
    def test_demo_round_trip_succeeds(self):
        p = subprocess.run([binary(), "demo", "--output-format", "json"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        d = json.loads(p.stdout)
        self.assertTrue(d["success"])
        self.assertEqual(d["smtp_tls"], "starttls")
        self.assertEqual(d["cleanup"], "expunged")
        p = subprocess.run([binary(), "demo"], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0)
        self.assertIn("OK: delivered", p.stdout)

    def test_all_tls_modes_succeed_with_verification(self):
        with Serve() as srv:
            for smtp_tls in ("none", "starttls", "tls"):
                for imap_tls in ("none", "starttls", "tls"):
                    with self.subTest(smtp=smtp_tls, imap=imap_tls):
                        rc, d, _ = check(srv, smtp_tls, imap_tls)
                        self.assertEqual(rc, 0, d)
                        self.assertEqual(d["cleanup"], "expunged")

    def test_idle_push_is_the_detection_method_when_delivery_is_delayed(self):
        # After 3 s the watcher IDLEs in windows of at least 300 ms with one
        # DONE/NOOP/IDLE round trip between them, so the EXISTS push lands
        # inside an IDLE wait and is what finds the probe (RFC 2177).
        with Serve("--delay-delivery", "3500") as srv:
            rc, d, _ = check(srv, extra=["--check-frequency", "2"])
            self.assertEqual(rc, 0, d)
            self.assertGreaterEqual(d["delivery_seconds"], 3.49)
            self.assertEqual(d["method"], "idle", d)

    def test_without_idle_the_poll_finds_it(self):
        with Serve("--no-idle", "--delay-delivery", "300") as srv:
            rc, d, _ = check(srv)
            self.assertEqual(rc, 0, d)
            self.assertEqual(d["method"], "poll")

    def test_envelope_is_pipelined_only_where_pipelining_is_offered(self):
        # Issue 11 (RFC 2920): MAIL, RCPT and DATA (or BDAT) in one flight when offered...
        def dialogue(*serve_args):
            with Serve(*serve_args) as srv:
                smtp_port = srv.port("smtp")
                args = [binary(), "check", "-v", "--email-from", "alice@localhost", "--email-to", "bob@localhost",
                        "--smtp-host", "localhost", "--smtp-port", str(smtp_port), "--smtp-username", "alice",
                        "--imap-host", "localhost", "--imap-port", str(srv.port("imap")), "--imap-username", "bob",
                        "--ca-file", srv.info["ca_file"], "--timeout", "8", "--output-format", "json"]
                env = dict(os.environ, MAILPROBE_SMTP_PASSWORD="alice", MAILPROBE_IMAP_PASSWORD="bob")
                p = subprocess.run(args, capture_output=True, text=True, env=env, timeout=20)
            smtp = [m.group(1) for m in (re.match(r"^\+\S+ smtp +([<>] .*)$", l) for l in p.stderr.splitlines()) if m]
            # The content is one note line where it went; the commands are what counts here.
            self.assertEqual(sum(1 for l in smtp if l.startswith("> (message content, ")), 1, smtp)
            smtp = [l for l in smtp if not l.startswith("> (message content, ")]
            return p, json.loads(p.stdout), smtp
        # With CHUNKING too (RFC 3030 §4.2), the chunk goes in the same flight
        # behind "BDAT <n> LAST", and its 250 is the final reply.
        p, d, smtp = dialogue()
        self.assertEqual(d["result"], "success", p.stderr)
        i = next(n for n, l in enumerate(smtp) if l.startswith("> MAIL FROM:"))
        self.assertTrue(smtp[i + 1].startswith("> RCPT TO:") and re.fullmatch(r"> BDAT \d+ LAST", smtp[i + 2]), smtp)
        self.assertEqual([l[:5] for l in smtp[i + 3:i + 6]], ["< 250", "< 250", "< 250"], smtp)
        self.assertIn("queued as", smtp[i + 5])
        # Without CHUNKING: DATA last in the flight, the content after its 354.
        p, d, smtp = dialogue("--no-chunking")
        self.assertEqual(d["result"], "success", p.stderr)
        i = next(n for n, l in enumerate(smtp) if l.startswith("> MAIL FROM:"))
        self.assertTrue(smtp[i + 1].startswith("> RCPT TO:") and smtp[i + 2] == "> DATA", smtp)
        self.assertEqual([l[:5] for l in smtp[i + 3:i + 6]], ["< 250", "< 250", "< 354"], smtp)
        # ... and one command per reply where it is not: this server cuts off a
        # client that pipelines anyway, so success proves it did not.
        p, d, smtp = dialogue("--no-pipelining", "--no-chunking")
        self.assertEqual(d["result"], "success", p.stderr)
        i = next(n for n, l in enumerate(smtp) if l.startswith("> MAIL FROM:"))
        self.assertEqual([l[:6] for l in smtp[i:i + 6]], ["> MAIL", "< 250 ", "> RCPT", "< 250 ", "> DATA", "< 354 "], smtp)
        # CHUNKING without PIPELINING: BDAT, but only after RCPT's reply.
        p, d, smtp = dialogue("--no-pipelining")
        self.assertEqual(d["result"], "success", p.stderr)
        i = next(n for n, l in enumerate(smtp) if l.startswith("> MAIL FROM:"))
        self.assertEqual([l[:6] for l in smtp[i:i + 6]], ["> MAIL", "< 250 ", "> RCPT", "< 250 ", "> BDAT", "< 250 "], smtp)

    def assertFault(self, serve_args, stage, result, code=None, check_kw=None):
        with Serve(*serve_args) as srv:
            rc, d, secs = check(srv, **(check_kw or {}))
        self.assertEqual(rc, 1, d)
        self.assertEqual((d["stage"], d["result"]), (stage, result), d)
        if code is not None:
            self.assertEqual(d["reply_code"], code, d)
        self.assertLess(secs, 10)
        return d

    def test_every_smtp_fault_lands_in_its_stage(self):
        cases = [
            (["--smtp-reply", "GREETING=554 5.3.2 go away"], "smtp_greeting", "perm_reject", 554),
            (["--smtp-reply", "EHLO=421 4.3.2 shutting down"], "smtp_ehlo", "temp_reject", 421),
            (["--smtp-reply", "AUTH=535 5.7.8 no"], "smtp_auth", "auth_failed", 535),
            (["--smtp-reply", "MAIL=451 4.3.0 try later"], "smtp_mail", "temp_reject", 451),
            (["--smtp-reply", "RCPT=450 4.2.0 mailbox busy"], "smtp_rcpt", "temp_reject", 450),
            # serve offers CHUNKING: the client sends BDAT; --no-chunking for DATA.
            (["--smtp-reply", "BDAT=554 5.5.1 no data"], "smtp_data", "perm_reject", 554),
            (["--smtp-reply", "DATA=554 5.5.1 no data", "--no-chunking"], "smtp_data", "perm_reject", 554),
            (["--smtp-reply", "DOT=552 5.3.4 too big"], "smtp_data", "perm_reject", 552),
            (["--smtp-reply", "DOT=552 5.3.4 too big", "--no-chunking"], "smtp_data", "perm_reject", 552),
            (["--smtp-drop", "BDAT"], "smtp_data", "connection_closed", None),
            (["--smtp-drop", "RCPT"], "smtp_rcpt", "connection_closed", None),
            (["--smtp-drop", "DOT"], "smtp_data", "connection_closed", None),
        ]
        for serve_args, stage, result, code in cases:
            with self.subTest(fault=serve_args):
                self.assertFault(serve_args, stage, result, code)
        # IMAP logs in first, so faults that hit both legs surface there unless
        # the IMAP leg avoids them (implicit TLS skips STARTTLS).
        self.assertFault(["--no-starttls"], "imap_starttls", "starttls_unavailable")
        self.assertFault(["--no-starttls"], "smtp_starttls", "starttls_unavailable", check_kw={"imap_tls": "tls"})
        self.assertFault(["--refuse-auth"], "imap_login", "auth_failed")

    def test_imap_faults_land_in_their_stage(self):
        self.assertFault(["--imap-reply", "SELECT=NO no such mailbox"], "imap_select", "imap_no")
        self.assertFault(["--imap-reply", "UID SEARCH=BAD broken"], "imap_wait", "imap_bad")
        self.assertFault(["--imap-drop", "SELECT"], "imap_select", "connection_closed")

    def test_slow_greeting_hits_the_deadline_in_the_greeting_stage(self):
        with Serve("--slow-greeting", "5000") as srv:
            rc, d, secs = check(srv, extra=["--timeout", "2"])
        self.assertEqual((d["stage"], d["result"]), ("imap_greeting", "timeout"), d)
        self.assertLess(secs, 4)

    def test_delivery_slower_than_the_bound_is_not_delivered(self):
        with Serve("--delay-delivery", "3000") as srv:
            rc, d, secs = check(srv, extra=["--check-frequency", "0.2", "--max-checks", "5"])
        self.assertEqual((d["stage"], d["result"]), ("imap_wait", "not_delivered"), d)
        self.assertTrue(d["queue_id"])

    def test_junk_placement_is_its_own_result(self):
        with Serve("--junk-match", "[junk-me]") as srv:
            rc, d, _ = check(srv, extra=["--prefix", "[junk-me] "])
            self.assertEqual(rc, 0, d)
            self.assertEqual((d["placement"], d["result"], d["junk_mailbox"]), ("junk", "junk", "Junk"), d)
            self.assertTrue(d["success"])
            self.assertEqual(d["cleanup"], "expunged")
            rc, d, _ = check(srv, extra=["--prefix", "[junk-me] ", "--junk-is-failure"])
            self.assertEqual(rc, 1, d)
            self.assertFalse(d["success"])
            self.assertEqual(d["result"], "junk")
            rc, d, _ = check(srv)
            self.assertEqual((rc, d["placement"], d["result"]), (0, "inbox", "success"), d)

    def test_the_junk_folder_is_opened_only_when_the_inbox_has_not_shown_the_probe(self):
        # -v prints each connection's dialogue under its label (imap, junk, smtp).
        def labels(stderr):
            return {line.split()[1] for line in stderr.splitlines() if line.startswith("+") and len(line.split()) > 1}

        with Serve("--junk-match", "[junk-me]") as srv:
            rc, d, err = check_v(srv)
            self.assertEqual((rc, d["placement"], d["junk_mailbox"]), (0, "inbox", "Junk"), d)
            self.assertIn("imap", labels(err))
            self.assertNotIn("junk", labels(err), "a probe seen in the inbox needs no junk connection")
            rc, d, err = check_v(srv, extra=["--prefix", "[junk-me] "])
            self.assertEqual((rc, d["placement"]), (0, "junk"), d)
            self.assertIn("junk", labels(err))
            # Filed before the folder was opened: the window starts at the acceptance.
            self.assertGreaterEqual(d["delivery_error_seconds"], d["delivery_seconds"] * 0.99, d)

    def test_a_probe_not_seen_anywhere_was_also_looked_for_in_the_junk_folder(self):
        with Serve("--delay-delivery", "3000") as srv:
            rc, d, err = check_v(srv, extra=["--check-frequency", "0.1", "--max-checks", "2"])
        self.assertEqual((d["stage"], d["result"]), ("imap_wait", "not_delivered"), d)
        self.assertIn("or Junk", d["error"], d)
        self.assertRegex(err, r"junk +> \S+ UID SEARCH", "the inbox watch ended: one search in Junk")

    def test_idle_advertised_but_refused_falls_back_to_polling(self):
        with Serve("--delay-delivery", "300", "--imap-reply", "IDLE=NO no idle here") as srv:
            rc, d, _ = check(srv)
        self.assertEqual(rc, 0, d)
        self.assertEqual(d["method"], "poll")

    def test_an_inbox_failure_does_not_wait_out_the_junk_leg(self):
        with Serve("--imap-drop", "UID FETCH") as srv:
            rc, d, secs = check(srv, extra=["--timeout", "20"])
        self.assertEqual((d["stage"], d["result"]), ("imap_fetch", "connection_closed"), d)
        self.assertLess(secs, 5)
        self.assertLess(d["total_duration"], 5_000_000)

    def test_late_probes_are_remembered_after_imap_failures_and_kept_with_no_cleanup(self):
        import tempfile
        with tempfile.TemporaryDirectory() as tmp, Serve("--delay-delivery", "1200") as srv:
            state = os.path.join(tmp, "state.json")
            rc, d1, _ = check(srv, extra=["--state-file", state, "--timeout", "1", "--junk-mailbox", "none"])
            self.assertEqual(d1["result"], "not_delivered", d1)
            self.assertEqual(d1["pending_probes"], 1)
            time.sleep(1.5)  # the held-back delivery lands
            rc, d2, _ = check(srv, extra=["--state-file", state, "--no-cleanup", "--junk-mailbox", "none"])
            self.assertEqual((rc, d2["late_probes"], d2["pending_probes"]), (0, 1, 0), d2)
            import imaplib
            m = imaplib.IMAP4("localhost", srv.port("imap"))
            m.login("bob", "bob")
            m.select("INBOX")
            typ, data = m.uid("SEARCH", None, "SUBJECT", d1["hash"])
            self.assertTrue(data[0], "--no-cleanup kept the late probe")
            m.logout()

    def test_a_late_probe_filed_as_junk_is_found_by_a_run_that_never_needed_its_junk_folder(self):
        # Run 1's probe lands in Junk after run 1 gave up. Run 2 finds its own
        # probe in the inbox at once (no junk connection for that), so its
        # late-probe lookup must open the junk folder itself.
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            state, store = os.path.join(tmp, "state.json"), os.path.join(tmp, "maildir")
            with Serve("--maildir", store, "--junk-match", "[junk-me]", "--delay-delivery", "1200") as srv:
                rc, d1, _ = check(srv, extra=["--state-file", state, "--timeout", "1", "--prefix", "[junk-me] "])
                self.assertEqual((d1["result"], d1["pending_probes"]), ("not_delivered", 1), d1)
                time.sleep(1.5)  # the held-back delivery lands in Junk
            with Serve("--maildir", store, "--junk-match", "[junk-me]") as srv:
                rc, d2, err = check_v(srv, extra=["--state-file", state])
        self.assertEqual((rc, d2["placement"], d2["late_probes"], d2["pending_probes"]), (0, "inbox", 1, 0), d2)
        self.assertIn(" junk ", err, "the junk folder was opened for the late probe")

    def test_a_probe_accepted_before_an_imap_failure_is_remembered(self):
        import tempfile
        with tempfile.TemporaryDirectory() as tmp, Serve("--delay-delivery", "1500", "--imap-drop", "NOOP") as srv:
            state = os.path.join(tmp, "state.json")
            rc, d, _ = check(srv, extra=["--state-file", state, "--junk-mailbox", "none"])
        self.assertEqual((d["stage"], d["result"]), ("imap_wait", "connection_closed"), d)
        self.assertEqual(d["pending_probes"], 1, d)

    def test_unknown_recipient_is_refused_at_rcpt(self):
        with Serve() as srv:
            rc, d, _ = check(srv, to="nobody@localhost")
        self.assertEqual((d["stage"], d["result"], d["reply_code"]), ("smtp_rcpt", "perm_reject", 550), d)


if __name__ == "__main__":
    unittest.main(verbosity=2)
