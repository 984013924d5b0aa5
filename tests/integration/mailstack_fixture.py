"""Shared fixture for integration tests against the private Postfix + Dovecot
started by tests/mailstack/mailstack.sh (real servers on loopback high ports).

Environment:
  MAILPROBE     path of the built binary (meson passes it)
  MAILSTACK_SH  path of tests/mailstack/mailstack.sh
"""
import imaplib
import json
import os
import ssl
import subprocess
import time

MAILPROBE = os.environ.get("MAILPROBE", "build/src/mailprobe")
MAILSTACK_SH = os.environ.get("MAILSTACK_SH", "tests/mailstack/mailstack.sh")
STATE_DIR = os.environ.get("MAILSTACK_DIR", "/var/tmp/mailprobe-mailstack")


def load_env():
    """Starts the stack if needed (idempotent) and returns its env file as a dict."""
    subprocess.run([MAILSTACK_SH, "start"], check=True, stdout=subprocess.DEVNULL)
    env = {}
    with open(os.path.join(STATE_DIR, "env")) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                k, v = line.split("=", 1)
                env[k] = v.strip("'\"")
    return env


def reset():
    subprocess.run([MAILSTACK_SH, "reset"], check=True, stdout=subprocess.DEVNULL)


class Run:
    """One mailprobe invocation: exit code, stdout, stderr, wall time."""

    def __init__(self, args, env=None, timeout=120):
        t0 = time.monotonic()
        full_env = dict(os.environ)
        for k in list(full_env):
            if k.startswith("MAILPROBE_"):
                del full_env[k]
        full_env.update(env or {})
        p = subprocess.run([MAILPROBE] + args, capture_output=True, text=True, env=full_env,
                           timeout=timeout, stdin=subprocess.DEVNULL)
        self.seconds = time.monotonic() - t0
        self.rc = p.returncode
        self.out = p.stdout
        self.err = p.stderr

    def record(self):
        lines = self.out.splitlines()
        assert len(lines) == 1, f"expected one record line, got {lines!r} (stderr {self.err!r})"
        return json.loads(lines[0])


def imap_connect(env, user):
    ctx = ssl.create_default_context(cafile=env["MS_CA_FILE"])
    m = imaplib.IMAP4_SSL("127.0.0.1", int(env["MS_IMAPS_PORT"]), ssl_context=ctx)
    m.login(env[f"MS_{user}_USER"], env[f"MS_{user}_PASS"])
    return m


def mailbox_uids(env, user, mailbox="INBOX"):
    """UID -> (flags, header bytes) of every message in the mailbox."""
    m = imap_connect(env, user)
    try:
        m.select(mailbox)
        typ, data = m.uid("SEARCH", None, "ALL")
        uids = data[0].split() if data and data[0] else []
        out = {}
        for uid in uids:
            typ, fd = m.uid("FETCH", uid, "(FLAGS BODY.PEEK[HEADER])")
            meta = fd[0][0].decode() if isinstance(fd[0], tuple) else fd[0].decode()
            hdr = fd[0][1] if isinstance(fd[0], tuple) else b""
            out[int(uid)] = (meta, hdr)
        return out
    finally:
        m.logout()
