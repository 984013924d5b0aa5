"""`mailprobe check` against `mailprobe serve` faults that mimic servers
nobody here wrote (issue 15): a 221 held back as Exim does, a server with
neither UIDPLUS nor MOVE, a watch that ends without delivery, and a TLS
handshake that fails after STARTTLS."""
import imaplib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_harness import Serve, binary  # noqa: E402
from check_serve_test import check  # noqa: E402


def inbox_uids(srv, *criteria):
    m = imaplib.IMAP4("localhost", srv.port("imap"))
    m.login("bob", "bob")
    m.select("INBOX")
    typ, data = m.uid("SEARCH", None, *(criteria or ("ALL",)))
    m.logout()
    return data[0].split()


def append(srv, subject, flags=""):
    m = imaplib.IMAP4("localhost", srv.port("imap"))
    m.login("bob", "bob")
    msg = ("From: carol@localhost\r\nTo: bob@localhost\r\nSubject: " + subject + "\r\n\r\nnot a probe\r\n")
    typ, _ = m.append("INBOX", flags, None, msg.encode())
    assert typ == "OK"
    m.logout()


def broken_starttls_server():
    """One SMTP connection: STARTTLS offered and accepted with 220, then bytes
    that are no TLS handshake. Returns (port, thread)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)

    def run():
        sock.settimeout(15)
        try:
            conn, _ = sock.accept()
        except OSError:
            return
        f = conn.makefile("rb")
        try:
            conn.sendall(b"220 mx.test ESMTP\r\n")
            while True:
                line = f.readline().decode("latin-1").strip().upper()
                if not line:
                    return
                if line.startswith("EHLO"):
                    conn.sendall(b"250-mx.test\r\n250 STARTTLS\r\n")
                elif line.startswith("STARTTLS"):
                    conn.sendall(b"220 2.0.0 go ahead\r\n")
                    time.sleep(0.1)  # the client's ClientHello is on its way: answer it with junk
                    conn.sendall(b"this is not a TLS server hello\r\n")
                    return
                else:
                    conn.sendall(b"502 5.5.2 no\r\n")
        except OSError:
            pass
        finally:
            conn.close()
            sock.close()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return sock.getsockname()[1], t


class CheckInterop(unittest.TestCase):
    def test_a_broken_handshake_after_starttls_is_smtp_tls_in_check_and_probe(self):
        # README "Stages": *_starttls is the command, the handshake after its 220 is *_tls.
        with Serve() as srv:
            port, t = broken_starttls_server()
            args = [binary(), "check", "--email-from", "alice@localhost", "--email-to", "bob@localhost",
                    "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--smtp-tls", "starttls",
                    "--imap-host", "localhost", "--imap-port", str(srv.port("imap")), "--imap-tls", "starttls",
                    "--imap-username", "bob", "--ca-file", srv.info["ca_file"], "--timeout", "8",
                    "--output-format", "json"]
            env = dict(os.environ, MAILPROBE_IMAP_PASSWORD="bob")
            p = subprocess.run(args, capture_output=True, text=True, env=env, timeout=20)
            t.join(5)
            d = json.loads(p.stdout)
            self.assertEqual((d["stage"], d["result"]), ("smtp_tls", "tls_error"), d)
        port, t = broken_starttls_server()
        p = subprocess.run([binary(), "probe", "smtp", "--host", "127.0.0.1", "--port", str(port), "--tls",
                            "starttls", "--output-format", "json"], capture_output=True, text=True, timeout=20)
        t.join(5)
        d = json.loads(p.stdout)
        self.assertEqual((d["stage"], d["result"]), ("smtp_tls", "tls_error"), d)

    def test_a_held_back_221_does_not_inflate_delivery_seconds(self):
        # Without the fix the watch began after QUIT: delivery_seconds >= 0.6.
        with Serve("--quit-delay", "600") as srv:
            for smtp_tls in ("none", "starttls"):
                with self.subTest(smtp_tls=smtp_tls):
                    rc, d, _ = check(srv, smtp_tls=smtp_tls)
                    self.assertEqual(rc, 0, d)
                    self.assertLess(d["delivery_seconds"], 0.3, d)
                    self.assertEqual(d["cleanup"], "expunged")

    def test_the_record_is_out_before_a_held_back_221_and_the_goodbye_still_happens(self):
        # Issue 11: the record must not wait for goodbyes. The server holds
        # its 221 for 1.8 s; the record arrives while the process is still
        # waiting for it (before the fix it came only after the 221), and
        # the QUIT is still sent and its 221 read (RFC 5321 §4.1.1.10).
        with Serve("--quit-delay", "1800") as srv:
            args = [binary(), "check", "-v", "--email-from", "alice@localhost", "--email-to", "bob@localhost",
                    "--smtp-host", "localhost", "--smtp-port", str(srv.port("smtp")), "--smtp-username", "alice",
                    "--imap-host", "localhost", "--imap-port", str(srv.port("imap")), "--imap-username", "bob",
                    "--ca-file", srv.info["ca_file"], "--timeout", "8", "--output-format", "json"]
            env = dict(os.environ, MAILPROBE_SMTP_PASSWORD="alice", MAILPROBE_IMAP_PASSWORD="bob")
            p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            line = p.stdout.readline()
            record_at = time.monotonic()
            out = p.stdout.read()  # (communicate() would skip what readline() buffered)
            err = p.stderr.read()
            p.wait(timeout=15)
            exited_at = time.monotonic()
        d = json.loads(line)
        self.assertTrue(d["success"], d)
        # The 221 comes 1.8 s after the QUIT, which follows the 250 at once:
        # the record, seen tens of ms after the 250, is out long before.
        self.assertGreater(exited_at - record_at, 0.9, "the record came only after the 221")
        self.assertEqual(out, "", "one record")
        self.assertEqual(p.returncode, 0)
        self.assertIn("> QUIT", err)
        self.assertRegex(err, r"< 221 ", "the 221 was still awaited after the record")

    def test_not_delivered_has_no_spurious_junk_error(self):
        with Serve("--delay-delivery", "3000") as srv:
            rc, d, _ = check(srv, extra=["--check-frequency", "0.2", "--max-checks", "4"])
        self.assertEqual((d["stage"], d["result"]), ("imap_wait", "not_delivered"), d)
        self.assertEqual(d.get("junk_mailbox"), "Junk", d)
        self.assertFalse(d.get("junk_error"), d)

    def test_without_uidplus_or_move_a_lone_probe_is_expunged_after_a_check(self):
        with Serve("--no-uidplus-move") as srv:
            append(srv, "foreign, kept")
            rc, d, _ = check(srv, extra=["--junk-mailbox", "none"])
            self.assertEqual(rc, 0, d)
            self.assertEqual(d["cleanup"], "expunged_checked", d)
            self.assertEqual(inbox_uids(srv, "SUBJECT", d["hash"]), [], "the probe is gone")
            self.assertEqual(len(inbox_uids(srv, "SUBJECT", "foreign")), 1, "foreign mail untouched")

    def test_without_uidplus_or_move_another_deleted_message_blocks_expunge(self):
        with Serve("--no-uidplus-move") as srv:
            append(srv, "foreign, flagged deleted by its owner", r"(\Deleted)")
            append(srv, "foreign, kept")
            rc, d, _ = check(srv, extra=["--junk-mailbox", "none"])
            self.assertEqual(rc, 0, d)
            self.assertEqual(d["cleanup"], "flagged", d)
            self.assertEqual(len(inbox_uids(srv, "SUBJECT", d["hash"], "DELETED")), 1, "probe flagged, kept")
            self.assertEqual(len(inbox_uids(srv, "SUBJECT", "foreign")), 2, "no EXPUNGE: both still there")
            self.assertEqual(len(inbox_uids(srv, "DELETED", "SUBJECT", "owner")), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
