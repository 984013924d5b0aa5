"""mailprobe cleanup against a real Postfix + Dovecot (tests/mailstack): only
old probes go; fresh probes, look-alikes, \\Deleted-flagged mail and anything
without a real token header stay."""
import json
import os
import re
import secrets
import tempfile
import time
import unittest

from mailstack_fixture import Run, imap_connect, load_env, mailbox_uids, reset

ENV = load_env()
USER = "CAROL"
HOUR = 3600


def cleanup_args(extra=()):
    return ["cleanup", "--imap-host", "localhost", "--imap-port", ENV["MS_IMAPS_PORT"], "--imap-tls", "tls",
            "--imap-username", ENV[f"MS_{USER}_USER"], "--ca-file", ENV["MS_CA_FILE"], "--timeout", "30", *extra]


def pw_env():
    return {"MAILPROBE_IMAP_PASSWORD": ENV[f"MS_{USER}_PASS"]}


def message(test_id, token=None, subject=None, token_header=True, raw_token_value=None):
    """A message like mailprobe's probe (token in Subject, Message-ID and
    X-Mailprobe-Token) or a look-alike; X-Test-Id names it for the asserts."""
    token = token or secrets.token_hex(16)
    subject = subject or f"[e2e email monitoring] {token}"
    lines = [f"From: {ENV['MS_ALICE_USER']}", f"To: {ENV[f'MS_{USER}_USER']}", f"Subject: {subject}",
             f"Message-ID: <{token}@mailprobe.test>", "Date: Sun, 22 Nov 2026 18:17:06 +0000", f"X-Test-Id: {test_id}"]
    if token_header:
        lines.append(f"X-Mailprobe-Token: {raw_token_value if raw_token_value is not None else token}")
    return ("\r\n".join(lines) + "\r\n\r\nprobe body\r\n").encode()


def append(mailbox, test_id, age_seconds, flags="", **kw):
    m = imap_connect(ENV, USER)
    try:
        typ, data = m.append(mailbox, flags, time.time() - age_seconds, message(test_id, **kw))
        assert typ == "OK", (typ, data)
    finally:
        m.logout()


def test_ids(mailbox):
    """X-Test-Id -> (uid, flags), for every message in the mailbox. \\Recent is
    left out: it belongs to whichever session saw the message first (RFC 3501
    §2.3.2), so merely looking changes it."""
    out = {}
    for uid, (meta, hdr) in mailbox_uids(ENV, USER, mailbox).items():
        m = re.search(rb"X-Test-Id: (\S+)", hdr)
        f = re.search(r"FLAGS \(([^)]*)\)", meta)
        flags = frozenset(x for x in (f.group(1).split() if f else []) if x != "\\Recent")
        out[m.group(1).decode() if m else f"uid{uid}"] = (uid, flags)
    return out


class CleanupTest(unittest.TestCase):
    def setUp(self):
        reset()
        tok = secrets.token_hex(16)
        # INBOX
        append("INBOX", "old-2h", 2 * HOUR)
        append("INBOX", "old-1d", 24 * HOUR)
        append("INBOX", "old-3700s", 3700)                  # same calendar date as the fresh ones
        append("INBOX", "fresh-3500s", 3500)                # a date-only bound would take it too
        append("INBOX", "fresh-now", 0)
        append("INBOX", "lookalike-subject", 24 * HOUR, token=tok, token_header=False)  # token word, no header
        append("INBOX", "bad-token-header", 24 * HOUR, raw_token_value="not-a-token")
        append("INBOX", "empty-token-header", 24 * HOUR, raw_token_value="")
        append("INBOX", "user-deleted-plain", 24 * HOUR, flags="(\\Deleted)", token_header=False,
               subject="keep me: user flagged me deleted")
        append("INBOX", "fresh-deleted-probe", 60, flags="(\\Deleted)")
        append("INBOX", "ordinary", 48 * HOUR, token_header=False, subject="quarterly report")
        # Junk (found through SPECIAL-USE \Junk)
        append("Junk", "junk-old", 3 * HOUR)
        append("Junk", "junk-fresh", 10)
        append("Junk", "junk-ordinary", 3 * HOUR, token_header=False, subject="cheap watches")

    def run_cleanup(self, extra=()):
        r = Run(cleanup_args(["--output-format", "json", *extra]), env=pw_env())
        self.assertEqual(r.rc, 0, r.err + r.out)
        return r.record()

    def test_deletes_only_old_probes_in_inbox_and_junk(self):
        rec = self.run_cleanup()
        self.assertTrue(rec["success"])
        self.assertEqual(rec["command"], "cleanup")
        self.assertEqual(rec["older_than_seconds"], 3600)
        self.assertFalse(rec["dry_run"])
        boxes = {b["mailbox"]: b for b in rec["mailboxes"]}
        self.assertEqual(set(boxes), {"INBOX", "Junk"})
        self.assertEqual(boxes["INBOX"]["role"], "inbox")
        self.assertEqual(boxes["Junk"]["role"], "junk")
        # Candidates: every message with the header field (the empty one too).
        self.assertEqual(boxes["INBOX"]["candidates"], 8)
        self.assertEqual(boxes["INBOX"]["found"], 3)
        self.assertEqual(boxes["INBOX"]["deleted"], 3)
        self.assertEqual(boxes["INBOX"]["action"], "expunged")
        self.assertEqual(boxes["Junk"]["found"], 1)
        self.assertEqual(boxes["Junk"]["deleted"], 1)
        self.assertEqual(rec["found"], 4)
        self.assertEqual(rec["deleted"], 4)

        inbox = test_ids("INBOX")
        self.assertEqual(set(inbox), {"fresh-3500s", "fresh-now", "lookalike-subject", "bad-token-header",
                                      "empty-token-header", "user-deleted-plain", "fresh-deleted-probe", "ordinary"})
        self.assertIn("\\Deleted", inbox["user-deleted-plain"][1])   # still there, still flagged
        self.assertIn("\\Deleted", inbox["fresh-deleted-probe"][1])
        self.assertEqual(inbox["fresh-now"][1], frozenset())            # untouched: no flag added
        self.assertEqual(set(test_ids("Junk")), {"junk-fresh", "junk-ordinary"})
        self.assertEqual(test_ids("Trash"), {})                    # expunged, not moved

        again = self.run_cleanup()
        self.assertEqual(again["found"], 0)
        self.assertEqual(again["deleted"], 0)

    def test_dry_run_counts_and_changes_nothing(self):
        before_inbox, before_junk = test_ids("INBOX"), test_ids("Junk")
        rec = self.run_cleanup(["--dry-run"])
        self.assertTrue(rec["dry_run"])
        self.assertEqual(rec["found"], 4)
        self.assertEqual(rec["deleted"], 0)
        self.assertEqual({b["action"] for b in rec["mailboxes"]}, {"dry_run"})
        self.assertEqual(test_ids("INBOX"), before_inbox)
        self.assertEqual(test_ids("Junk"), before_junk)

    def test_older_than_and_no_junk(self):
        rec = self.run_cleanup(["--older-than", str(20 * HOUR), "--no-junk"])
        self.assertEqual([b["mailbox"] for b in rec["mailboxes"]], ["INBOX"])
        self.assertEqual(rec["deleted"], 1)
        self.assertNotIn("old-1d", test_ids("INBOX"))
        self.assertIn("old-2h", test_ids("INBOX"))
        self.assertIn("junk-old", test_ids("Junk"))

    def test_junk_mailbox_override(self):
        append("Trash", "trash-old", 5 * HOUR)
        rec = self.run_cleanup(["--junk-mailbox", "Trash"])
        boxes = {b["mailbox"]: b for b in rec["mailboxes"]}
        self.assertEqual(set(boxes), {"INBOX", "Trash"})
        self.assertEqual(boxes["Trash"]["deleted"], 1)
        self.assertIn("junk-old", test_ids("Junk"))  # the override replaces discovery

    def test_text_format_and_password_file(self):
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write(ENV[f"MS_{USER}_PASS"] + "\n")
        try:
            r = Run(cleanup_args(["--output-format", "text", "--imap-password-file", f.name, "--dry-run"]), env={})
        finally:
            os.unlink(f.name)
        self.assertEqual(r.rc, 0, r.err)
        self.assertIn("INBOX (inbox): 3 old probe(s)", r.out)
        self.assertIn("Junk (junk): 1 old probe(s)", r.out)

    def test_wrong_password_is_one_failed_record(self):
        r = Run(cleanup_args(["--output-format", "json"]), env={"MAILPROBE_IMAP_PASSWORD": "wrong"})
        self.assertEqual(r.rc, 1, r.err)
        rec = r.record()
        self.assertFalse(rec["success"])
        self.assertEqual(rec["result"], "auth_failed")
        self.assertEqual(len(test_ids("INBOX")), 11)

    def test_usage_errors(self):
        for extra, needle in [(["--older-than", "-1"], "--older-than"), (["--output-format", "xml"], "--output-format"),
                              (["--imap-tls", "ssl"], "--imap-tls"), (["--junk-mailbox", "X", "--no-junk"], "only one")]:
            r = Run(cleanup_args(extra), env=pw_env())
            self.assertEqual(r.rc, 2, (extra, r.err))
            self.assertIn(needle, r.err)
            self.assertEqual(r.out, "")
        r = Run(["cleanup", "--help"])
        self.assertEqual(r.rc, 0)
        self.assertIn("--older-than", r.out)
        self.assertEqual(len(test_ids("INBOX")), 11)


if __name__ == "__main__":
    unittest.main(verbosity=2)
