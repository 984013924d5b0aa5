#!/usr/bin/env python3
"""Load and abuse benchmark for `mailprobe serve` (issue 17). Prints figures;
asserts nothing (the limits themselves are tested in tests/unit/serve).

1. Throughput: smtp-source (Postfix) sends MSGS messages over SESSIONS
   concurrent sessions, once to the memory store and once to --maildir
   (which fsyncs each message and its directory before 250); msgs/s and the
   server's peak RSS (VmHWM), then a check that every message was stored.
2. Descriptor limit: the server under RLIMIT_NOFILE 256 (soft = hard), FLOOD
   idle connections; how many were greeted, how many refused with 421, and
   the server's CPU time while they sit there (no spinning).

Usage: tests/bench/serve_bench.py [--binary build/src/mailprobe] [--msgs 5000] [--sessions 50]
"""
import argparse
import os
import resource
import shutil
import socket
import subprocess
import tempfile
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_serve(binary, extra, nofile=None):
    smtp, imap = free_port(), free_port()
    def limit():
        if nofile:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    p = subprocess.Popen([binary, "serve", "--smtp-port", str(smtp), "--imap-port", str(imap), "--smtps-port", "-1",
                          "--imaps-port", "-1", "--no-tls", "--quiet", "--user", "bench:bench"] + extra,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=limit)
    p.stdout.readline()  # the "listening" line
    return p, smtp, imap


def status(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def imap_count(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    f = s.makefile("rb")
    f.readline()
    s.sendall(b"a LOGIN bench bench\r\nb STATUS INBOX (MESSAGES)\r\n")
    n = -1
    while True:
        line = f.readline()
        if not line or line.startswith(b"b "):
            break
        if line.startswith(b"* STATUS"):
            n = int(line.split(b"MESSAGES ")[1].split(b")")[0])
    s.close()
    return n


def throughput(binary, store, msgs, sessions):
    tmp = tempfile.mkdtemp(prefix="serve-bench-")
    extra = ["--maildir", tmp] if store == "maildir" else []
    p, smtp, imap = start_serve(binary, extra)
    try:
        t0 = time.monotonic()
        subprocess.run(["smtp-source", "-s", str(sessions), "-m", str(msgs), "-l", "2048", "-f", "load@example.org",
                        "-t", "bench@example.org", "127.0.0.1:%d" % smtp], check=True)
        elapsed = time.monotonic() - t0
        stored = imap_count(imap)
        print("%-8s %5d msgs over %3d sessions: %6.2f s, %7.0f msgs/s, peak RSS %6.1f MiB, stored %d" % (
            store, msgs, sessions, elapsed, msgs / elapsed, status(p.pid, "VmHWM") / 1024.0, stored))
    finally:
        p.terminate()
        p.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


def fd_limit(binary, flood):
    p, smtp, _ = start_serve(binary, ["--max-connections-per-ip", "100000"], nofile=256)
    socks, greeted, refused, silent = [], 0, 0, 0
    try:
        for _ in range(flood):
            s = socket.create_connection(("127.0.0.1", smtp), timeout=5)
            socks.append(s)
        for s in socks:
            try:
                line = s.recv(200)
            except socket.timeout:
                silent += 1
                continue
            if line.startswith(b"220"):
                greeted += 1
            elif line.startswith(b"421"):
                refused += 1
            else:
                silent += 1
        c0 = cpu_seconds(p.pid)
        time.sleep(3)
        cpu = cpu_seconds(p.pid) - c0
        print("fd limit 256: %d connections: %d greeted, %d refused with 421, %d unanswered; server CPU %.2f s in 3 s idle"
              % (flood, greeted, refused, silent, cpu))
    finally:
        for s in socks:
            s.close()
        p.terminate()
        p.wait(10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/src/mailprobe")
    ap.add_argument("--msgs", type=int, default=5000)
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--flood", type=int, default=400)
    a = ap.parse_args()
    if not shutil.which("smtp-source"):
        raise SystemExit("smtp-source (Debian package postfix) is needed")
    for store in ("memory", "maildir"):
        throughput(a.binary, store, a.msgs, a.sessions)
    fd_limit(a.binary, a.flood)


if __name__ == "__main__":
    main()
