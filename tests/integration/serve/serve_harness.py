"""Start and stop `mailprobe serve` for integration tests (stdlib only).

The binary comes from $MAILPROBE (set by meson) or argv[1]. Every server
binds 127.0.0.1 with port 0 and reports its ports as one JSON line.
"""
import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import threading

SKIP = 77


def binary():
    path = os.environ.get("MAILPROBE") or (sys.argv[1] if len(sys.argv) > 1 else "")
    if not path or not os.access(path, os.X_OK):
        print("MAILPROBE not set or not executable; skipping", file=sys.stderr)
        sys.exit(SKIP)
    return path


class Serve:
    """A running `mailprobe serve`; use as a context manager."""

    def __init__(self, *extra, capture_stdout=False):
        self.tmp = tempfile.TemporaryDirectory(prefix="mailprobe-serve-it-")
        self.ca_path = os.path.join(self.tmp.name, "ca.pem")
        args = [binary(), "serve", "--smtp-port", "0", "--smtps-port", "0", "--imap-port", "0",
                "--imaps-port", "0", "--tls-cert-out", self.ca_path, *extra]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read().decode(errors="replace")
            raise RuntimeError("serve did not start: " + err)
        self.info = json.loads(line)
        self.stdout_lines = []
        self.stderr_lines = []
        self._readers = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, self.stdout_lines), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr_lines), daemon=True),
        ]
        for r in self._readers:
            r.start()

    @staticmethod
    def _pump(stream, sink):
        for line in iter(stream.readline, b""):
            sink.append(line.decode(errors="replace"))

    def port(self, name):
        return self.info[name]

    def ssl_context(self):
        ctx = ssl.create_default_context(cafile=self.info["ca_file"])
        return ctx

    def stop(self, timeout=10):
        """SIGTERM and wait; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
            raise AssertionError("serve did not stop within %ss of SIGTERM" % timeout)
        for r in self._readers:
            r.join(timeout=2)
        return rc

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.stop()
        self.tmp.cleanup()


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok -", what)
