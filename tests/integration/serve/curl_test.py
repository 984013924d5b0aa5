"""The curl command line (smtp://, smtps://, imap://, imaps://) against `mailprobe serve`."""
import shutil
import subprocess
import sys

from serve_harness import SKIP, Serve, check


def curl(*args, data=None):
    r = subprocess.run(["curl", "-sS", "--max-time", "20", *args], input=data, capture_output=True)
    return r.returncode, r.stdout, r.stderr


def main():
    if not shutil.which("curl"):
        print("curl not installed; skipping")
        return SKIP
    with Serve() as srv:
        ca = srv.info["ca_file"]
        msg = b"From: probe@example.org\r\nTo: alice@example.org\r\nSubject: curl probe\r\n\r\nsent by curl\r\n"
        rc, out, err = curl("smtp://127.0.0.1:%d" % srv.port("smtp"), "--ssl-reqd", "--cacert", ca,
                            "--mail-from", "probe@example.org", "--mail-rcpt", "alice@example.org",
                            "--user", "alice:alice", "--upload-file", "-", data=msg)
        check(rc == 0, "curl smtp:// with STARTTLS (--ssl-reqd, verified) and AUTH: %s" % err.decode())
        rc, out, err = curl("smtps://127.0.0.1:%d" % srv.port("smtps"), "--cacert", ca,
                            "--mail-from", "probe@example.org", "--mail-rcpt", "alice",
                            "--upload-file", "-", data=msg.replace(b"curl probe", b"curl smtps"))
        check(rc == 0, "curl smtps:// %s" % err.decode())
        rc, out, err = curl("smtp://127.0.0.1:%d" % srv.port("smtp"), "--mail-from", "p@example.org",
                            "--mail-rcpt", "nobody@example.org", "--upload-file", "-", data=msg)
        check(rc != 0 and b"550" in err, "curl sees 550 for an unknown recipient")

        base = "imap://127.0.0.1:%d/INBOX" % srv.port("imap")
        rc, out, err = curl(base, "--ssl-reqd", "--cacert", ca, "--user", "alice:alice", "-X", "UID SEARCH SUBJECT \"curl probe\"")
        check(rc == 0 and out.strip() == b"* SEARCH 1", "curl imap:// STARTTLS UID SEARCH: %r" % out)
        rc, out, err = curl(base + "/;UID=1", "--ssl-reqd", "--cacert", ca, "--user", "alice:alice")
        check(rc == 0 and b"sent by curl" in out and b"Received: from" in out, "curl imap:// fetch by UID")
        rc, out, err = curl("imaps://127.0.0.1:%d/INBOX/;UID=2" % srv.port("imaps"), "--cacert", ca, "--user", "alice:alice")
        check(rc == 0 and b"curl smtps" in out, "curl imaps:// fetch")
        rc, out, err = curl("imap://127.0.0.1:%d/" % srv.port("imap"), "--user", "alice:alice")
        check(rc == 0 and b"INBOX" in out and b"Junk" in out, "curl imap:// LIST")
        rc, out, err = curl(base, "--user", "alice:nope", "-X", "NOOP")
        check(rc == 67, "curl login failure (exit 67)")
        check(srv.stop() == 0, "SIGTERM exits 0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
