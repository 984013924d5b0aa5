"""Python imaplib (and a raw socket for IDLE) against `mailprobe serve`."""
import imaplib
import smtplib
import socket
import sys
import time

from serve_harness import Serve, check


def send(srv, rcpt, subject, extra=""):
    with smtplib.SMTP("127.0.0.1", srv.port("smtp"), timeout=10) as s:
        s.sendmail("probe@example.org", [rcpt], "Subject: %s\r\n%s\r\nbody %s\r\n" % (subject, extra, subject))


def main():
    with Serve("--junk-match", "X-Spam-Flag: YES") as srv:
        for i in range(3):
            send(srv, "alice", "msg %d" % i, "X-Probe-Token: tok-%d\r\n" % i)
        send(srv, "alice", "spammy", "X-Spam-Flag: YES\r\n")

        m = imaplib.IMAP4("127.0.0.1", srv.port("imap"))
        typ, caps = m.capability()
        check(b"IDLE" in caps[0] and b"UIDPLUS" in caps[0] and b"MOVE" in caps[0] and b"SPECIAL-USE" in caps[0], "CAPABILITY lists IDLE UIDPLUS MOVE SPECIAL-USE")
        m.starttls(ssl_context=srv.ssl_context())
        m.login("alice@example.org", "alice")
        typ, boxes = m.list()
        check(any(b"\\Junk" in b and b"Junk" in b for b in boxes), "LIST shows Junk with \\Junk")
        typ, data = m.select("INBOX")
        check(typ == "OK" and data == [b"3"], "SELECT INBOX: 3 EXISTS (spam went to Junk)")
        check(m.response("UIDNEXT")[1] == [b"4"] and m.response("UIDVALIDITY")[1][0].isdigit(), "SELECT reports UIDVALIDITY and UIDNEXT 4")
        typ, data = m.uid("SEARCH", None, "HEADER", "X-Probe-Token", "tok-1")
        check(data == [b"2"], "UID SEARCH HEADER finds the probe")
        typ, data = m.search(None, "SUBJECT", "msg")
        check(data == [b"1 2 3"], "SEARCH SUBJECT")
        typ, data = m.uid("FETCH", "2", "(UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER])")
        check(typ == "OK" and b"X-Probe-Token: tok-1" in data[0][1] and b"Received: from" in data[0][1], "UID FETCH BODY.PEEK[HEADER] with Received header")
        typ, data = m.fetch("2", "(BODY[])")
        check(b"body msg 1" in data[0][1], "FETCH BODY[]")
        typ, data = m.fetch("2", "(FLAGS)")
        check(b"\\Seen" in data[0], "BODY[] set \\Seen")
        typ, data = m.store("1", "+FLAGS", "(\\Deleted)")
        check(typ == "OK" and b"\\Deleted" in data[0], "STORE +FLAGS \\Deleted")
        typ, data = m.expunge()
        check(data == [b"1"], "EXPUNGE reports message 1")
        typ, data = m.uid("SEARCH", None, "ALL")
        check(data == [b"2 3"], "remaining UIDs 2 3")
        typ, data = m.uid("MOVE", "3", "Trash")
        check(typ == "OK", "UID MOVE to Trash")
        typ, data = m.select("Junk")
        check(data == [b"1"], "Junk holds the --junk-match message")
        m.logout()

        # IDLE over a raw socket: the EXISTS push must arrive promptly after delivery.
        sock = socket.create_connection(("127.0.0.1", srv.port("imap")), timeout=10)
        f = sock.makefile("rb")
        f.readline()
        sock.sendall(b"a LOGIN bob bob\r\nb SELECT INBOX\r\n")
        while not f.readline().startswith(b"b OK"):
            pass
        sock.sendall(b"c IDLE\r\n")
        check(f.readline() == b"+ idling\r\n", "IDLE continuation")
        t0 = time.monotonic()
        send(srv, "bob", "pushed")
        line = f.readline()
        dt = time.monotonic() - t0
        check(line == b"* 1 EXISTS\r\n", "EXISTS pushed during IDLE")
        check(dt < 1.0, "push within 1 s of delivery (%.3f s)" % dt)
        f.readline()  # RECENT
        sock.sendall(b"DONE\r\n")
        check(f.readline() == b"c OK IDLE terminated\r\n", "DONE ends IDLE")
        sock.sendall(b"d LOGOUT\r\n")
        sock.close()

        # IMAPS with verification and a literal LOGIN.
        m = imaplib.IMAP4_SSL("127.0.0.1", srv.port("imaps"), ssl_context=srv.ssl_context())
        m.literal = b"bob"  # imaplib sends the password as a synchronizing literal {3}
        typ, data = m._simple_command("LOGIN", "bob")
        check(typ == "OK", "IMAPS LOGIN with a literal password")
        m.logout()
        check(srv.stop() == 0, "SIGTERM exits 0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
