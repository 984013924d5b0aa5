"""Python imaplib (and a raw socket for IDLE) against `mailprobe serve`."""
import email.message
import email.policy
import imaplib
import re
import smtplib
import socket
import sys
import time

from serve_harness import Serve, check


def send(srv, rcpt, subject, extra=""):
    with smtplib.SMTP("127.0.0.1", srv.port("smtp"), timeout=10) as s:
        s.sendmail("probe@example.org", [rcpt], "Subject: %s\r\n%s\r\nbody %s\r\n" % (subject, extra, subject))


def parse_imap(data):
    """Nested lists from IMAP response bytes (atoms, quoted strings, NIL as None).
    Raises ValueError on unbalanced parentheses or a bad quoted string."""
    stack, cur, i = [], [], 0
    while i < len(data):
        c = data[i:i + 1]
        if c in b" \r\n":
            i += 1
        elif c == b"(":
            stack.append(cur)
            cur = []
            i += 1
        elif c == b")":
            if not stack:
                raise ValueError("unbalanced ')' at %d" % i)
            done, cur = cur, stack.pop()
            cur.append(done)
            i += 1
        elif c == b'"':
            j, out = i + 1, b""
            while j < len(data) and data[j:j + 1] != b'"':
                if data[j:j + 1] == b"\\":
                    j += 1
                out += data[j:j + 1]
                j += 1
            if j >= len(data):
                raise ValueError("unterminated quoted string")
            cur.append(out)
            i = j + 1
        else:
            m = re.match(rb"[^ ()\"]+", data[i:])
            atom = m.group(0)
            if atom.endswith(b"[") or b"[" in atom and b"]" not in atom:
                atom = data[i:data.index(b"]", i) + 1]  # BODY[HEADER.FIELDS (A B)]
            cur.append(None if atom == b"NIL" else atom)
            i += len(atom)
    if stack:
        raise ValueError("unbalanced '('")
    return cur


def fetch_items(data):
    """The FETCH attribute list of a one-message imaplib fetch without literals, as a dict."""
    parsed = parse_imap(data[0])
    check(len(parsed) == 2 and isinstance(parsed[1], list), "FETCH response parses: %r" % data[0][:80])
    items = parsed[1]
    return {items[k].decode(): items[k + 1] for k in range(0, len(items), 2)}


def mime_checks(srv):
    """ENVELOPE, BODYSTRUCTURE, BODY, ALL, FULL and part sections of a MIME message."""
    inner = email.message.EmailMessage()
    inner["From"] = "Inner Sender <inner@example.org>"
    inner["Subject"] = "inner"
    inner.set_content("inner text\n")
    msg = email.message.EmailMessage()
    msg["From"] = '"Probe, The" <probe@example.org>'
    msg["To"] = "bob@example.org, Team: c@example.org;"
    msg["Subject"] = 'mime "quoted" test'
    msg["Message-ID"] = "<mime-1@example.org>"
    msg.set_content("hello text\n")
    msg.add_attachment(b"\x00\x01binary" * 20, maintype="application", subtype="octet-stream", filename="data.bin")
    msg.add_attachment(inner)
    with smtplib.SMTP("127.0.0.1", srv.port("smtp"), timeout=10) as s:
        s.sendmail("probe@example.org", ["bob"], msg.as_bytes(policy=email.policy.SMTP))

    m = imaplib.IMAP4("127.0.0.1", srv.port("imap"))
    m.login("bob", "bob")
    m.select("INBOX")
    typ, data = m.search(None, "SUBJECT", "mime")
    num = data[0].split()[-1].decode()
    typ, data = m.fetch(num, "(ENVELOPE BODYSTRUCTURE)")
    check(typ == "OK", "FETCH (ENVELOPE BODYSTRUCTURE) OK")
    items = fetch_items(data)
    env, bs = items["ENVELOPE"], items["BODYSTRUCTURE"]
    check(len(env) == 10, "ENVELOPE has 10 fields")
    check(env[1] == b'mime "quoted" test', "ENVELOPE subject unescaped")
    check(env[2] == [[b"Probe, The", None, b"probe", b"example.org"]], "ENVELOPE from with display name")
    check(env[3] == env[2] and env[4] == env[2], "sender and reply-to default to from")
    check(env[5] == [[None, None, b"bob", b"example.org"], [None, None, b"Team", None], [None, None, b"c", b"example.org"], [None, None, None, None]],
          "ENVELOPE to with a group")
    check(env[9] == b"<mime-1@example.org>", "ENVELOPE message-id")
    check(isinstance(bs[0], list) and isinstance(bs[1], list) and isinstance(bs[2], list), "BODYSTRUCTURE has 3 parts")
    check(bs[3].upper() == b"MIXED" and bs[4][0].upper() == b"BOUNDARY", "multipart/mixed with a boundary")
    check(bs[0][:2] == [b"TEXT", b"PLAIN"] and bs[0][5] == b"7BIT", "part 1 text/plain")
    check(bs[1][:2] == [b"APPLICATION", b"OCTET-STREAM"] and bs[1][5] == b"BASE64", "part 2 base64 attachment")
    check(bs[1][8][0] == b"ATTACHMENT" and bs[1][8][1] == [b"FILENAME", b"data.bin"], "part 2 disposition attachment")
    check(bs[2][:2] == [b"MESSAGE", b"RFC822"] and bs[2][7][1] == b"inner" and bs[2][8][:2] == [b"TEXT", b"PLAIN"],
          "part 3 message/rfc822 with envelope and body")
    typ, data = m.fetch(num, "ALL")
    items = fetch_items(data)
    check(sorted(items) == ["ENVELOPE", "FLAGS", "INTERNALDATE", "RFC822.SIZE"], "ALL = FLAGS INTERNALDATE RFC822.SIZE ENVELOPE")
    typ, data = m.fetch(num, "FULL")
    items = fetch_items(data)
    check(sorted(items) == ["BODY", "ENVELOPE", "FLAGS", "INTERNALDATE", "RFC822.SIZE"], "FULL adds BODY")
    check(len(items["BODY"]) == 4 and len(items["BODY"][0]) == 8, "BODY is non-extensible (text part has 8 fields)")
    typ, data = m.fetch(num, "(BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[3.HEADER] BODY.PEEK[3.1] BODY.PEEK[9])")
    check(typ == "OK", "FETCH part sections OK")
    got = {}
    for d in data:
        if isinstance(d, tuple):
            got[re.search(rb"BODY\[[^\]]*\]", d[0]).group(0).decode()] = d[1]
    check(got.get("BODY[1]") == b"hello text\r\n", "BODY[1] is the text part")
    check(b"Content-Disposition: attachment" in got.get("BODY[2.MIME]", b""), "BODY[2.MIME] is the attachment's MIME header")
    check(got.get("BODY[3.HEADER]", b"").startswith(b"From: Inner Sender"), "BODY[3.HEADER] is the inner message header")
    check(got.get("BODY[3.1]") == b"inner text\r\n", "BODY[3.1] is the inner message body")
    check(b"BODY[9] NIL" in b"".join(d if isinstance(d, bytes) else d[0] for d in data), "missing part is NIL")
    typ, data = m.fetch(num, "(FLAGS)")
    check(b"\\Seen" not in data[0], "BODY.PEEK left \\Seen unset")
    m.logout()


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

        mime_checks(srv)

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
