"""Load: 200 concurrent SMTP sessions (all open at once), then every message present exactly once."""
import collections
import imaplib
import re
import smtplib
import sys
import threading
import time

from serve_harness import Serve, check

SENDERS = 200


def main():
    with Serve("--quiet") as srv:
        barrier = threading.Barrier(SENDERS, timeout=30)
        errors = []

        def sender(i):
            try:
                rcpt = "alice" if i % 2 == 0 else "bob@example.org"
                with smtplib.SMTP("127.0.0.1", srv.port("smtp"), timeout=30) as s:
                    s.ehlo("load-%d" % i)
                    barrier.wait()  # all sessions are open at the same time
                    s.sendmail("load@example.org", [rcpt],
                               "Subject: load %d\r\nX-Load-Token: token-%04d\r\n\r\nmessage %d\r\n" % (i, i, i))
            except Exception as e:  # noqa: BLE001 - collected and reported below
                errors.append((i, repr(e)))

        t0 = time.monotonic()
        threads = [threading.Thread(target=sender, args=(i,)) for i in range(SENDERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - t0
        check(not errors, "all %d concurrent senders succeeded %s" % (SENDERS, errors[:3]))
        print("load: %d messages over %d concurrent sessions in %.2f s (%.0f msg/s)" % (SENDERS, SENDERS, elapsed, SENDERS / elapsed))

        seen = collections.Counter()
        for user in ("alice", "bob"):
            m = imaplib.IMAP4("127.0.0.1", srv.port("imap"))
            m.login(user, user)
            typ, data = m.select("INBOX")
            check(int(data[0]) == SENDERS // 2, "%s has %d messages" % (user, SENDERS // 2))
            typ, data = m.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (X-Load-Token)])")
            for part in data:
                if isinstance(part, tuple):
                    seen.update(re.findall(rb"token-\d{4}", part[1]))
            m.logout()
        check(len(seen) == SENDERS and all(v == 1 for v in seen.values()), "every token present exactly once")
        check(srv.stop() == 0, "SIGTERM exits 0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
