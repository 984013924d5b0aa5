"""The newcomer's first-five-minute mistakes (shared/docs/review-newcomer.md §3),
each against the real Postfix + Dovecot: one clear line, fast, and for
configuration errors exit 2 before anything is sent. Also the text report on
a terminal (80x24 and 120x40) and node_exporter scraping check and probe
textfiles from one directory."""
import fcntl
import os
import pty
import re
import select
import shutil
import socket
import struct
import subprocess
import tempfile
import termios
import time
import unittest
import urllib.request

from mailstack_fixture import MAILPROBE, Run, load_env

ENV = load_env()


def base(smtp_port=None, smtp_tls="starttls", imap_port=None, imap_tls="starttls", ca=True, extra=()):
    args = ["check", "--email-from", ENV["MS_ALICE_USER"], "--email-to", ENV["MS_BOB_USER"],
            "--smtp-host", "127.0.0.1", "--smtp-port", smtp_port or ENV["MS_SMTP_STARTTLS_PORT"],
            "--smtp-tls", smtp_tls, "--smtp-username", ENV["MS_ALICE_USER"],
            "--imap-host", "127.0.0.1", "--imap-port", imap_port or ENV["MS_IMAP_PORT"], "--imap-tls", imap_tls,
            "--imap-username", ENV["MS_BOB_USER"], "--timeout", "30", "--check-frequency", "0.3"]
    if ca:
        args += ["--ca-file", ENV["MS_CA_FILE"]]
    return args + list(extra)


def pw_env():
    return {"MAILPROBE_SMTP_PASSWORD": ENV["MS_ALICE_PASS"], "MAILPROBE_IMAP_PASSWORD": ENV["MS_BOB_PASS"]}


class PortMixups(unittest.TestCase):
    """Each fails in about a second, naming the flag and value that fix it."""

    def assertFast(self, args, stage, result, error, limit=5.0):
        r = Run(args, env=pw_env())
        self.assertEqual(r.rc, 1, r.out + r.err)
        d = r.record()
        self.assertEqual((d["stage"], d["result"]), (stage, result), d)
        if error.startswith("^"):
            self.assertRegex(d["error"], error)
        else:
            self.assertEqual(d["error"], error)
        self.assertLess(r.seconds, limit, f"took {r.seconds:.1f} s")
        return d

    def test_starttls_against_implicit_tls_smtp_port(self):
        p = ENV["MS_SMTP_TLS_PORT"]
        self.assertFast(base(smtp_port=p), "smtp_greeting", "protocol_error",
                        "no greeting after 1 s, but the server answers a TLS handshake: it speaks TLS at once; "
                        f"use --smtp-tls tls for port {p}")

    def test_starttls_against_implicit_tls_imap_port(self):
        p = ENV["MS_IMAPS_PORT"]
        self.assertFast(base(imap_port=p), "imap_greeting", "protocol_error",
                        "no greeting after 1 s, but the server answers a TLS handshake: it speaks TLS at once; "
                        f"use --imap-tls tls for port {p}")

    def test_smtp_port_pointed_at_the_imap_server(self):
        p = ENV["MS_IMAP_PORT"]
        self.assertFast(base(smtp_port=p), "smtp_greeting", "protocol_error",
                        r'^the server greeted with "\* OK .*", an IMAP greeting: --smtp-port ' + p +
                        r" is an IMAP port; give the SMTP port \(587 submission, 465 SMTPS, 25\)$")

    def test_imap_port_pointed_at_the_smtp_server(self):
        p = ENV["MS_SMTP_STARTTLS_PORT"]
        self.assertFast(base(imap_port=p), "imap_greeting", "protocol_error",
                        r'^the server greeted with "220 .*", an SMTP greeting: --imap-port ' + p +
                        r" is an SMTP port; give the IMAP port \(143, or 993 with --imap-tls tls\)$")

    def test_implicit_tls_on_a_starttls_smtp_port(self):
        p = ENV["MS_SMTP_STARTTLS_PORT"]
        self.assertFast(base(smtp_tls="tls"), "smtp_tls", "tls_error",
                        "the server answered in plain text, not TLS (wrong version number): "
                        f"use --smtp-tls starttls (or none) for port {p}")

    def test_implicit_tls_on_a_starttls_imap_port(self):
        p = ENV["MS_IMAP_PORT"]
        self.assertFast(base(imap_tls="tls"), "imap_tls", "tls_error",
                        "the server answered in plain text, not TLS (wrong version number): "
                        f"use --imap-tls starttls (or none) for port {p}")

    def test_private_ca_without_ca_file_says_why(self):
        self.assertFast(base(ca=False), "imap_tls", "tls_verify_failed",
                        r"^certificate not trusted \((unable to get local issuer certificate|self-signed "
                        r"certificate in certificate chain)\): give the CA that issued it with --ca-file$")


class Listener:
    """A TCP port that records whether anyone connected (nothing may be sent)."""

    def __enter__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = str(self.sock.getsockname()[1])
        return self

    def connected(self):
        try:
            conn, _ = self.sock.accept()
            conn.close()
            return True
        except socket.timeout:
            return False

    def __exit__(self, *exc):
        self.sock.close()


class ConfigErrors(unittest.TestCase):
    """Exit 2, exactly one stderr line, nothing on stdout, no connection made."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mailprobe-newcomer-")
        os.chmod(self.tmp, 0o755)
        self.pw = os.path.join(self.tmp, "alice.pw")
        with open(self.pw, "w") as f:
            f.write(ENV["MS_ALICE_PASS"] + "\n")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def assertConfigError(self, extra, line, env=None, cwd=None, user=None, ca=True):
        with Listener() as smtp, Listener() as imap:
            args = base(smtp_port=smtp.port, imap_port=imap.port, ca=ca, extra=extra)
            e = dict(os.environ)
            for k in list(e):
                if k.startswith("MAILPROBE_"):
                    del e[k]
            e.update(env if env is not None else pw_env())
            cmd = [MAILPROBE] + args
            if user:
                cmd = ["runuser", "-u", user, "--"] + cmd
            t0 = time.monotonic()
            p = subprocess.run(cmd, capture_output=True, text=True, env=e, cwd=cwd, stdin=subprocess.DEVNULL)
            self.assertLess(time.monotonic() - t0, 3)
            self.assertEqual((p.returncode, p.stdout, p.stderr), (2, "", "mailprobe check: " + line + "\n"))
            self.assertFalse(smtp.connected() or imap.connected(), "a configuration error made a connection")

    def test_ca_file_that_is_not_pem(self):
        self.assertConfigError(["--ca-file", self.pw],
                               f"--ca-file '{self.pw}' is not a PEM CA bundle (no readable -----BEGIN CERTIFICATE----- "
                               "block): give the CA certificate(s) in PEM", ca=False)

    def test_textfile_in_a_missing_directory(self):
        path = os.path.join(self.tmp, "nodir", "x.prom")
        self.assertConfigError(["--output-format", "prometheus", "--textfile", path],
                               f"cannot write --textfile: directory {self.tmp}/nodir does not exist")

    def test_textfile_in_an_unwritable_directory(self):
        self.assertConfigError(["--output-format", "prometheus", "--textfile", self.tmp + "/x.prom"],
                               f"cannot write --textfile: {self.tmp} is not writable: Permission denied "
                               "(running as uid 65534)", user="nobody",
                               env={"MAILPROBE_SMTP_PASSWORD": "x", "MAILPROBE_IMAP_PASSWORD": "y"})

    def test_password_file_missing(self):
        path = os.path.join(self.tmp, "nope.pw")
        self.assertConfigError(["--imap-password-file", path],
                               f"cannot read --imap-password-file '{path}': No such file or directory")

    def test_password_file_relative_to_root(self):
        self.assertConfigError(["--imap-password-file", "nope.pw"],
                               "cannot read --imap-password-file 'nope.pw': No such file or directory (relative to /)",
                               cwd="/")

    def test_password_file_is_a_directory(self):
        self.assertConfigError(["--imap-password-file", self.tmp],
                               f"--imap-password-file '{self.tmp}' is a directory")

    def test_password_file_unreadable_for_the_user(self):
        os.chmod(self.pw, 0o600)
        self.assertConfigError(["--smtp-password-file", self.pw],
                               f"cannot read --smtp-password-file '{self.pw}': Permission denied (running as uid 65534)",
                               user="nobody", env={"MAILPROBE_IMAP_PASSWORD": "x"})


def run_on_terminal(args, cols, rows, env):
    """Runs mailprobe with stdout and stderr on a pty of cols x rows; returns all bytes written."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    full = dict(os.environ)
    for k in list(full):
        if k.startswith("MAILPROBE_") or k == "NO_COLOR":
            del full[k]
    full.update(env)
    p = subprocess.Popen([MAILPROBE] + args, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=full)
    os.close(slave)
    out = b""
    while True:
        r, _, _ = select.select([master], [], [], 30)
        if not r:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait(timeout=30)
    os.close(master)
    return p.returncode, out.decode("utf-8", "replace")


def screen_lines(out):
    """The report's rows as a terminal shows them: \\r-overwritten text dropped."""
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", out).replace("\r\n", "\n")
    return [l.split("\r")[-1] for l in text.split("\n")][:-1]


class TextReport(unittest.TestCase):
    def test_fits_the_screen_and_ends_with_the_verdict(self):
        for cols, rows in ((80, 24), (120, 40)):
            with self.subTest(size=f"{cols}x{rows}"):
                rc, out = run_on_terminal(base(), cols, rows, dict(pw_env(), TERM="xterm"))
                self.assertEqual(rc, 0, out)
                lines = screen_lines(out)
                used = sum(max(1, -(-len(l) // cols)) for l in lines)
                self.assertLessEqual(used, 20, "\n".join(lines))
                self.assertTrue(lines[-1].startswith("OK: delivered "), lines[-1])
                self.assertIn("\x1b[1;32mOK\x1b[0m", out)  # colour on a terminal
                self.assertRegex("\n".join(lines), r"(?m)^  delivery +[0-9.]+ m?s +\d+%  *\u2588+$")

    def test_no_escape_codes_with_no_color(self):
        rc, out = run_on_terminal(base(), 80, 24, dict(pw_env(), TERM="xterm", NO_COLOR="1"))
        self.assertEqual(rc, 0, out)
        self.assertNotIn("\x1b", out)
        self.assertTrue(screen_lines(out)[-1].startswith("OK: delivered "))

    def test_no_escape_codes_when_not_a_terminal(self):
        r = Run(base(extra=["--output-format", "text"]), env=dict(pw_env(), TERM="xterm"))
        self.assertEqual(r.rc, 0, r.err)
        self.assertNotIn("\x1b", r.out + r.err)
        lines = r.out.splitlines()
        self.assertLessEqual(len(lines), 20)
        self.assertTrue(lines[-1].startswith("OK: delivered "), r.out)

    def test_verbose_shows_every_field(self):
        r = Run(base(extra=["--output-format", "text", "-v"]), env=pw_env())
        self.assertEqual(r.rc, 0, r.err)
        self.assertGreater(len(r.out.splitlines()), 30)
        for key in ("smtp_dns_seconds", "queue_id", "imap_tls_version"):
            self.assertIn(key, r.out)


@unittest.skipUnless(shutil.which("prometheus-node-exporter"), "needs the Debian package prometheus-node-exporter")
class NodeExporter(unittest.TestCase):
    def test_check_and_probe_textfiles_in_one_directory(self):
        d = tempfile.mkdtemp(prefix="mailprobe-tf-")
        try:
            r = Run(base(extra=["--output-format", "prometheus", "--textfile", d + "/check.prom"]), env=pw_env())
            self.assertEqual(r.rc, 0, r.err)
            r = Run(["probe", "smtp", "--host", "127.0.0.1", "--port", ENV["MS_SMTP_STARTTLS_PORT"], "--tls",
                     "starttls", "--ca-file", ENV["MS_CA_FILE"], "--output-format", "prometheus",
                     "--textfile", d + "/probe-smtp.prom"])
            self.assertEqual(r.rc, 0, r.err)
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            ne = subprocess.Popen(["prometheus-node-exporter", f"--web.listen-address=127.0.0.1:{port}",
                                   "--collector.disable-defaults", "--collector.textfile",
                                   f"--collector.textfile.directory={d}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            try:
                body = ""
                for _ in range(50):
                    try:
                        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read().decode()
                        break
                    except OSError:
                        time.sleep(0.1)
            finally:
                ne.terminate()
                log = ne.communicate(timeout=10)[1]
            self.assertIn("node_textfile_scrape_error 0", body)
            self.assertNotIn("has help", log)
            self.assertRegex(body, r"(?m)^mailprobe_check_success\{.*\} 1$")
            self.assertRegex(body, r"(?m)^mailprobe_probe_smtp_success\{.*\} 1$")
            self.assertRegex(body, r"(?m)^mailprobe_check_last_success_timestamp_seconds\{.*\} \d")
            self.assertRegex(body, r'(?m)^mailprobe_check_outcome_info\{.*result="success".*\} 1$')
            self.assertNotRegex(body, r'(?m)^mailprobe_check_delivery_seconds\{[^}]*result=')
        finally:
            shutil.rmtree(d)


if __name__ == "__main__":
    unittest.main(verbosity=2)
