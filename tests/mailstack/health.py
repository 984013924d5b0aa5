#!/usr/bin/python3
"""Health check for the mailstack (stdlib only; run by mailstack.sh start).

usage: health.py cold|warm ENVFILE

Waits until every port accepts (cold: up to 20 s; warm: no waiting), checks
the TLS mode of each listener against the test CA, then sends a real probe
through Postfix -> LMTP -> Dovecot as the internal healthcheck user and finds
it over IMAP, deleting it afterwards. Prints one line per step; exit 1 on the
first failure.
"""

import imaplib
import smtplib
import socket
import ssl
import sys
import time
import uuid


def load_env(path):
    env = {}
    with open(path, encoding="ascii") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                key, _, value = line.partition("=")
                env[key] = value
    return env


def wait_ports(host, ports, deadline):
    pending = set(ports)
    while pending:
        for port in sorted(pending):
            try:
                with socket.create_connection((host, port), timeout=0.5):
                    pending.discard(port)
            except OSError:
                pass
        if pending:
            if time.monotonic() > deadline:
                raise RuntimeError(f"ports not accepting: {sorted(pending)}")
            time.sleep(0.02)


T0 = time.monotonic()


def say(text):
    print(f"health: [{time.monotonic() - T0:.2f}s] {text}", flush=True)


def main():
    mode, env_path = sys.argv[1], sys.argv[2]
    t0 = T0
    env = load_env(env_path)
    host = env["MS_HOST"]
    port = {k: int(v) for k, v in env.items() if k.endswith("_PORT")}
    ctx = ssl.create_default_context(cafile=env["MS_CA_FILE"])
    timeout = 10

    wait_ports(host, port.values(), t0 + (20 if mode == "cold" else 0.5))
    say(f"all {len(port)} ports accept")

    # SMTP listeners: TLS mode and AUTH as advertised.
    with smtplib.SMTP(host, port["MS_SMTP_NONE_PORT"], timeout=timeout) as s:
        s.ehlo("health.mailstack")
        assert not s.has_extn("starttls"), "smtp none port offers STARTTLS"
        assert s.has_extn("auth"), "smtp none port does not offer AUTH"
    with smtplib.SMTP(host, port["MS_SMTP_STARTTLS_PORT"], timeout=timeout) as s:
        s.ehlo("health.mailstack")
        assert s.has_extn("starttls"), "smtp starttls port lacks STARTTLS"
        s.starttls(context=ctx)
        s.ehlo("health.mailstack")
        assert s.has_extn("auth"), "smtp starttls port lacks AUTH after STARTTLS"
    for key in ("MS_SMTP_TLS_PORT", "MS_SMTP_EXPIRING_PORT"):
        with smtplib.SMTP_SSL(host, port[key], timeout=timeout, context=ctx) as s:
            s.ehlo("health.mailstack")
            assert s.has_extn("auth"), f"{key} lacks AUTH"
    say("smtp none/starttls/tls/expiring answer with the right TLS mode")

    # IMAP listeners.
    m = imaplib.IMAP4(host, port["MS_IMAP_PORT"], timeout=timeout)
    assert "STARTTLS" in m.capabilities, "imap port lacks STARTTLS"
    m.starttls(ssl_context=ctx)
    m.logout()
    m = imaplib.IMAP4_SSL(host, port["MS_IMAPS_PORT"], ssl_context=ctx, timeout=timeout)
    m.logout()
    m = imaplib.IMAP4(host, port["MS_IMAP_NOSTARTTLS_PORT"], timeout=timeout)
    assert "STARTTLS" not in m.capabilities, "imap nostarttls port offers STARTTLS"
    m.login(env["MS_HEALTHCHECK_USER"], env["MS_HEALTHCHECK_PASS"])
    m.logout()
    say("imap starttls/imaps/nostarttls answer with the right TLS mode")

    # Round trip: SMTP (AUTH over the plain port) -> Postfix -> LMTP -> Dovecot -> IMAP.
    user, password = env["MS_HEALTHCHECK_USER"], env["MS_HEALTHCHECK_PASS"]
    token = "mailstack-health-" + uuid.uuid4().hex
    msg = (f"From: <{user}>\r\nTo: <{user}>\r\nSubject: {token}\r\n"
           f"Message-ID: <{token}@mailstack>\r\n\r\nhealth check\r\n")
    t_send = time.monotonic()
    with smtplib.SMTP(host, port["MS_SMTP_NONE_PORT"], timeout=timeout) as s:
        s.login(user, password)
        s.sendmail(user, [user], msg)
    m = imaplib.IMAP4(host, port["MS_IMAP_PORT"], timeout=timeout)
    m.login(user, password)
    m.select("INBOX")
    deadline = time.monotonic() + timeout
    while True:
        m.noop()
        typ, data = m.uid("SEARCH", None, "HEADER", "Subject", token)
        uids = data[0].split() if typ == "OK" and data and data[0] else []
        if uids:
            break
        if time.monotonic() > deadline:
            raise RuntimeError("round trip: probe not delivered within 10 s")
        time.sleep(0.01)
    t_found = time.monotonic()
    m.uid("STORE", b",".join(uids), "+FLAGS.SILENT", r"(\Deleted)")
    m.expunge()
    m.logout()
    say(f"round trip ok in {1000 * (t_found - t_send):.0f} ms")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one line for the caller's log
        print(f"health: FAILED: {type(e).__name__}: {e}")
        sys.exit(1)
