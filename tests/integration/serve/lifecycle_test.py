"""Shutdown, Maildir persistence across a restart, and fault injection seen from real clients."""
import imaplib
import os
import smtplib
import socket
import sys
import tempfile
import time

from serve_harness import Serve, check


def send(srv, rcpt="alice", subject="x"):
    with smtplib.SMTP("127.0.0.1", srv.port("smtp"), timeout=10) as s:
        return s.sendmail("p@example.org", [rcpt], "Subject: %s\r\n\r\nbody\r\n" % subject)


def count(srv, folder="INBOX", user="alice"):
    m = imaplib.IMAP4("127.0.0.1", srv.port("imap"))
    m.login(user, user)
    typ, data = m.select(folder)
    m.logout()
    return int(data[0])


def main():
    with tempfile.TemporaryDirectory(prefix="mailprobe-maildir-") as maildir, \
            tempfile.TemporaryDirectory(prefix="mailprobe-users-") as etc:
        users = os.path.join(etc, "users.txt")
        with open(users, "w") as f:
            f.write("# seed 004 format\nAlice\ncarol:c4rol\n")
        with Serve("--maildir", maildir, "--users-file", users) as srv:
            send(srv, "ALICE@example.org", "persist me")
            send(srv, "carol", "for carol")
            # A session idle in the middle of DATA must not leave anything behind.
            sock = socket.create_connection(("127.0.0.1", srv.port("smtp")))
            sock.recv(512)
            sock.sendall(b"HELO c\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<alice>\r\nDATA\r\nSubject: half\r\n")
            time.sleep(0.2)
            sock.close()
            t0 = time.monotonic()
            rc = srv.stop()
            check(rc == 0 and time.monotonic() - t0 < 5, "SIGTERM exits 0 promptly")
        new = os.listdir(os.path.join(maildir, "alice", "new"))
        check(len(new) == 1, "Maildir alice/new holds exactly one file (no half message)")
        with open(os.path.join(maildir, "alice", "new", new[0]), "rb") as f:
            check(b"Subject: persist me" in f.read(), "the Maildir file is the message")
        check(os.path.isdir(os.path.join(maildir, "alice", ".Junk", "cur")), "Maildir++ .Junk folder exists")
        with Serve("--maildir", maildir, "--users-file", users) as srv:
            check(count(srv) == 1, "mail survives a restart")
            m = imaplib.IMAP4("127.0.0.1", srv.port("imap"))
            m.login("carol", "c4rol")
            m.select("INBOX")
            typ, data = m.uid("SEARCH", None, "SUBJECT", "carol")
            check(data == [b"1"], "carol's UID 1 is stable across restart")
            m.logout()
            send(srv, "alice", "second")
            check(count(srv) == 2, "new mail after restart")

    # Fault injection as clients see it.
    with Serve("--smtp-reply", "RCPT=450 4.2.0 try later", "--imap-reply", "SELECT=NO [UNAVAILABLE] maintenance") as srv:
        try:
            send(srv)
            check(False, "RCPT fault")
        except smtplib.SMTPRecipientsRefused as e:
            check(list(e.recipients.values())[0][0] == 450, "--smtp-reply RCPT=450 reaches smtplib")
        m = imaplib.IMAP4("127.0.0.1", srv.port("imap"))
        m.login("alice", "alice")
        typ, data = m.select("INBOX")
        check(typ == "NO" and b"maintenance" in data[0], "--imap-reply SELECT=NO reaches imaplib")
        m.logout()
    with Serve("--smtp-drop", "DATA", "--refuse-auth") as srv:
        with smtplib.SMTP("127.0.0.1", srv.port("smtp"), timeout=10) as s:
            try:
                s.login("alice", "alice")
                check(False, "--refuse-auth")
            except smtplib.SMTPAuthenticationError:
                check(True, "--refuse-auth refuses correct credentials")
            s.mail("p@example.org")
            s.rcpt("alice")
            try:
                s.data("Subject: x\r\n\r\nx\r\n")
                check(False, "--smtp-drop DATA")
            except smtplib.SMTPServerDisconnected:
                check(True, "--smtp-drop DATA closes the connection")
    with Serve("--delay-delivery", "700", "--slow-greeting", "300", "--no-idle") as srv:
        t0 = time.monotonic()
        send(srv, "alice", "late")
        check(time.monotonic() - t0 >= 0.3, "--slow-greeting delays the 220")
        check(count(srv) == 0, "--delay-delivery: not in the mailbox yet")
        time.sleep(1.0)
        check(count(srv) == 1, "--delay-delivery: arrives later")
        m = imaplib.IMAP4("127.0.0.1", srv.port("imap"))
        check(b"IDLE" not in m.capability()[1][0], "--no-idle hides IDLE")
        m.logout()
        send(srv, "alice", "pending at shutdown")
        check(srv.stop() == 0, "SIGTERM with delayed mail pending exits 0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
