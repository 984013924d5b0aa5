"""Python smtplib against `mailprobe serve`: plain, STARTTLS (verified), SMTPS, AUTH, errors."""
import imaplib
import smtplib
import ssl
import sys

from serve_harness import Serve, check


def inbox_count(srv, user):
    m = imaplib.IMAP4("127.0.0.1", srv.port("imap"))
    m.login(user, user)
    typ, data = m.select("INBOX")
    m.logout()
    return int(data[0])


def main():
    with Serve("--debug") as srv:
        ctx = srv.ssl_context()
        # Plain SMTP, several messages in one session.
        with smtplib.SMTP("127.0.0.1", srv.port("smtp"), timeout=10) as s:
            code, caps = s.ehlo("client.test")
            check(code == 250 and b"PIPELINING" in caps and b"STARTTLS" in caps, "EHLO advertises PIPELINING and STARTTLS")
            check(s.has_extn("size") and s.has_extn("8bitmime") and s.has_extn("enhancedstatuscodes"), "SIZE 8BITMIME ENHANCEDSTATUSCODES")
            refused = s.sendmail("sender@example.org", ["alice@example.org"], "Subject: plain 1\r\n\r\nhello\r\n")
            check(refused == {}, "plain sendmail accepted")
            s.sendmail("sender@example.org", ["alice"], "Subject: plain 2\r\n\r\n.leading dot\r\n")
            try:
                s.sendmail("sender@example.org", ["mallory@example.org"], "Subject: x\r\n\r\nx\r\n")
                check(False, "unknown recipient refused")
            except smtplib.SMTPRecipientsRefused as e:
                code, msg = e.recipients["mallory@example.org"]
                check(code == 550 and msg.startswith(b"5.1.1"), "unknown recipient gets 550 5.1.1")
            code, msg = s.verify("alice")
            check(code == 252, "VRFY answers 252")
            code, msg = s.docmd("FROB")
            check(code == 500, "unknown command gets 500")
            s.rset()
            code, msg = s.docmd("RCPT TO:<alice>")
            check(code == 503 and b"need MAIL command" in msg, "RCPT before MAIL gets 503")

        # STARTTLS with certificate verification, then AUTH PLAIN and LOGIN.
        with smtplib.SMTP("127.0.0.1", srv.port("smtp"), timeout=10) as s:
            s.starttls(context=ctx)
            s.ehlo("client.test")
            check(not s.has_extn("starttls"), "no STARTTLS after TLS")
            try:
                s.login("alice", "wrong")
                check(False, "wrong password refused")
            except smtplib.SMTPAuthenticationError as e:
                check(e.smtp_code == 535, "wrong password gets 535")
            s.login("bob", "bob")
            s.sendmail("bob@example.org", ["bob"], "Subject: via starttls\r\n\r\nsecure\r\n")
        with smtplib.SMTP("127.0.0.1", srv.port("smtp"), timeout=10) as s:
            s.starttls(context=ctx)
            s.ehlo("c")
            s.user, s.password = "alice", "alice"
            code, msg = s.auth("LOGIN", s.auth_login, initial_response_ok=False)
            check(code == 235, "AUTH LOGIN (no initial response) succeeds")

        # SMTPS with verification; the final reply names the queue id.
        with smtplib.SMTP_SSL("127.0.0.1", srv.port("smtps"), context=ctx, timeout=10) as s:
            s.ehlo("c")
            s.mail("x@example.org")
            s.rcpt("alice")
            code, msg = s.data(b"Subject: smtps\r\n\r\n\xc3\xa9 8-bit\r\n")
            check(code == 250 and b"queued as" in msg, "SMTPS DATA: 250 ... queued as <id>")

        # A client that does not trust the cert must fail verification.
        bad = ssl.create_default_context()
        try:
            with smtplib.SMTP_SSL("127.0.0.1", srv.port("smtps"), context=bad, timeout=10):
                pass
            check(False, "untrusted certificate rejected")
        except ssl.SSLCertVerificationError:
            check(True, "untrusted certificate rejected by a default context")

        check(inbox_count(srv, "alice") == 3, "alice has 3 messages")
        check(inbox_count(srv, "bob") == 1, "bob has 1 message")
        rc = srv.stop()
        out = "".join(srv.stdout_lines)
        check(rc == 0, "SIGTERM exits 0")
        check(out.count("MESSAGE FOLLOWS") == 4 and "X-Rcpt-To: <alice@example.org>" in out, "--debug prints each message")

    # --require-tls: 530 before STARTTLS.
    with Serve("--require-tls") as srv:
        with smtplib.SMTP("127.0.0.1", srv.port("smtp"), timeout=10) as s:
            s.ehlo("c")
            check(not s.has_extn("auth"), "no AUTH before TLS when TLS is required")
            code, msg = s.docmd("MAIL FROM:<a@b.c>")
            check(code == 530 and b"Must issue a STARTTLS command first" in msg, "530 before STARTTLS")
            s.starttls(context=srv.ssl_context())
            s.ehlo("c")
            check(s.has_extn("auth"), "AUTH after STARTTLS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
