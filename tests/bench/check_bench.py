#!/usr/bin/env python3
"""Benchmark for `mailprobe check` against the local Postfix + Dovecot
(tests/mailstack), optionally across a simulated WAN. Prints figures;
asserts nothing (targets live here, not in timed tests).

For each RTT in --rtt-ms, both legs go through tests/bench/latency_proxy.py
with RTT/2 added in each direction (RTT 0: direct, no proxy).

Full checks (to bob@, STARTTLS + AUTH on both legs): process wall time
(spawn to exit), CPU time (user+sys) and peak RSS of the mailprobe process
(os.wait4 rusage through tests/rusage).

Held checks (to hold@, which Postfix parks in its hold queue):
- the true acceptance time is the ctime of the queue file in hold/ (cleanup
  finishes and renames it there right before smtpd sends the final 250);
- after a random 0.3-2 s the benchmark releases it; the moment the file
  lands in hold's Maildir new/ is the true landing time;
- detection lag = mailprobe's `end` (first seen) - landing;
- delivery error = delivery_seconds - (landing - acceptance);
- commands while waiting = the record's `imap_wait_commands` (older builds:
  `tries`, one IDLE + NOOP cycle, about two commands, each).

Usage: tests/bench/check_bench.py [--runs N] [--rtt-ms 0,50,150] [--binary build/src/mailprobe]
"""
import argparse
import datetime
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from mailstack_fixture import load_env  # noqa: E402

RUSAGE = os.environ.get("RUSAGE", os.path.join(HERE, "..", "..", "build", "tests", "rusage"))
PROXY = os.path.join(HERE, "latency_proxy.py")
VERBOSE = False


def iso_to_epoch(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


class Legs:
    """Where mailprobe connects: the mailstack directly, or through the proxy."""

    def __init__(self, env, rtt_ms):
        self.proc = None
        self.smtp_port = env["MS_SMTP_STARTTLS_PORT"]
        self.imap_port = env["MS_IMAP_PORT"]
        if rtt_ms <= 0:
            return
        half = str(rtt_ms / 2.0)
        self.proc = subprocess.Popen(
            [sys.executable, PROXY, "--map", f"0:127.0.0.1:{self.smtp_port}",
             "--map", f"0:127.0.0.1:{self.imap_port}", "--up-ms", half, "--down-ms", half],
            stdout=subprocess.PIPE, text=True)
        words = self.proc.stdout.readline().split()
        assert words and words[0] == "ready", words
        self.smtp_port, self.imap_port = words[1], words[2]

    def close(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait()


def run_mailprobe(binary, env, legs, to_user, imap_user, imap_pw, extra=()):
    args = [RUSAGE, binary, "check", "--email-from", env["MS_ALICE_USER"], "--email-to", to_user,
            "--smtp-host", "localhost", "--smtp-port", legs.smtp_port,
            "--smtp-username", env["MS_ALICE_USER"], "--imap-host", "localhost",
            "--imap-port", legs.imap_port, "--imap-username", imap_user,
            "--ca-file", env["MS_CA_FILE"], "--timeout", "20", "--output-format", "json", *extra]
    penv = dict(os.environ, MAILPROBE_SMTP_PASSWORD=env["MS_ALICE_PASS"], MAILPROBE_IMAP_PASSWORD=imap_pw)
    t0 = time.monotonic()
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=penv)
    return p, t0


def finish(p, t0):
    out, err = p.communicate()
    wall = time.monotonic() - t0
    m = re.search(rb"RUSAGE maxrss_kib=(\d+) cpu_us=(\d+)", err)
    return json.loads(out), int(m.group(2)) / 1e6, int(m.group(1)) / 1024.0, wall


def pct(values, q):
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(q / 100.0 * (len(v) - 1)))))
    return v[k]


def postfix(env, *cmd):
    subprocess.run([cmd[0], "-c", env["MS_POSTFIX_CONFIG_DIR"], *cmd[1:]], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def held_run(binary, env, legs):
    maildir_new = os.path.join(env["MS_MAIL_DIR"], env["MS_DOMAIN"], "hold", "new")
    hold_dir = os.path.join(env["MS_POSTFIX_QUEUE_DIR"], "hold")
    before = set(os.listdir(maildir_new)) if os.path.isdir(maildir_new) else set()
    held_before = set(os.listdir(hold_dir))
    p, t0 = run_mailprobe(binary, env, legs, env["MS_HOLD_USER"], env["MS_HOLD_USER"], env["MS_HOLD_PASS"],
                          ["--check-frequency", "2", "--max-checks", "10"])
    accepted = None
    deadline = time.time() + 15
    while time.time() < deadline and accepted is None:
        for name in set(os.listdir(hold_dir)) - held_before:
            try:
                accepted = os.stat(os.path.join(hold_dir, name)).st_ctime_ns / 1e9
            except FileNotFoundError:
                continue
        time.sleep(0.001)
    time.sleep(random.uniform(0.3, 2.0))
    landed = {}

    def watch():
        end = time.time() + 10
        while time.time() < end and not landed:
            if os.path.isdir(maildir_new):
                for name in os.listdir(maildir_new):
                    if name not in before:
                        landed["seen"] = time.time()
                        # The kernel's ctime of the rename into new/ is the
                        # landing; this thread only notices it (later, by its
                        # polling and scheduling on a busy machine).
                        try:
                            landed["t"] = os.stat(os.path.join(maildir_new, name)).st_ctime_ns / 1e9
                        except FileNotFoundError:  # already moved to cur/ by the IMAP side
                            landed["t"] = landed["seen"]
                        return
            time.sleep(0.0005)

    t = threading.Thread(target=watch)
    t.start()
    postfix(env, "postsuper", "-H", "ALL")
    postfix(env, "postqueue", "-f")
    record, cpu, rss, wall = finish(p, t0)
    t.join()
    if not record.get("success") or "t" not in landed or accepted is None:
        return None, record
    lag = iso_to_epoch(record["end"]) - landed["t"]
    err = record["delivery_seconds"] - (landed["t"] - accepted)
    if VERBOSE:
        print(f"    held: lag {lag * 1000:.1f} ms, delivery {record['delivery_seconds'] * 1000:.1f} ms"
              f" (true {(landed['t'] - accepted) * 1000:.1f}, bound {record.get('delivery_error_seconds', 0) * 1000:.1f}),"
              f" landed {(landed['t'] - iso_to_epoch(record['start_time_imap_search'])) * 1000:.0f} ms into the wait,"
              f" noticed +{(landed['seen'] - landed['t']) * 1000:.1f} ms after ctime,"
              f" tries {record.get('tries')}, commands {record.get('imap_wait_commands')}, method {record.get('method')}")
    # imap_wait_commands counts every command; older builds only have tries.
    return (lag, err, record.get("imap_wait_commands", record.get("tries", 0))), record


def ms(v):
    return f"{v:.1f}"


def bench_rtt(binary, env, rtt, runs):
    legs = Legs(env, rtt)
    try:
        walls, cpus, rsss = [], [], []
        for _ in range(runs):
            p, t0 = run_mailprobe(binary, env, legs, env["MS_BOB_USER"], env["MS_BOB_USER"], env["MS_BOB_PASS"])
            record, cpu, rss, wall = finish(p, t0)
            if record.get("success"):
                walls.append(wall * 1000)
                cpus.append(cpu * 1000)
                rsss.append(rss)
            else:
                print("  full run failed:", record.get("result"), record.get("error"))
        lags, errs, tries = [], [], []
        for _ in range(runs):
            got, record = held_run(binary, env, legs)
            if got is None:
                print("  held run failed:", record.get("result"), record.get("error"))
                continue
            lags.append(got[0] * 1000)
            errs.append(got[1] * 1000)
            tries.append(got[2])
    finally:
        legs.close()
    print(f"RTT {rtt} ms (load average {os.getloadavg()[0]:.1f})")
    if walls:
        print(f"  full check wall  ms: p50 {ms(statistics.median(walls))}  max {ms(max(walls))}"
              f"   cpu ms: p50 {ms(statistics.median(cpus))}  max {ms(max(cpus))}"
              f"   peak RSS MiB: p50 {statistics.median(rsss):.1f}  max {max(rsss):.1f}  ({len(walls)}/{runs} ok)")
    if lags:
        aerr = [abs(e) for e in errs]
        print(f"  detection lag    ms: p50 {ms(statistics.median(lags))}  p95 {ms(pct(lags, 95))}"
              f"  max {ms(max(lags))}  ({len(lags)}/{runs} ok)")
        print(f"  delivery error   ms: p50 {ms(statistics.median(errs))}  |err| p95 {ms(pct(aerr, 95))}"
              f"  max |err| {ms(max(aerr))}")
        print(f"  IMAP commands while waiting: p50 {statistics.median(tries):.0f}  max {max(tries)}")
    return {"rtt": rtt, "walls": walls, "lags": lags, "errs": errs, "cpus": cpus, "rss": rsss, "tries": tries}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--rtt-ms", default="0", help="comma-separated RTTs to simulate, e.g. 0,50,150")
    ap.add_argument("--verbose", action="store_true", help="one line per held run")
    ap.add_argument("--binary", default=os.path.join(HERE, "..", "..", "build", "src", "mailprobe"))
    a = ap.parse_args()
    global VERBOSE
    VERBOSE = a.verbose
    env = load_env()
    subprocess.run([os.environ.get("MAILSTACK_SH", os.path.join(HERE, "..", "mailstack", "mailstack.sh")), "reset"],
                   check=True, stdout=subprocess.DEVNULL)
    print(f"goals at RTT 50: lag p50 <= 35, p95 <= 60 ms; wall <= 800 ms; |delivery error| <= 15 ms;"
          f" at RTT 0: lag p50 <= 30 ms, cpu <= 40 ms, RSS <= 14 MiB")
    for rtt in [float(x) for x in a.rtt_ms.split(",")]:
        bench_rtt(a.binary, env, int(rtt) if rtt.is_integer() else rtt, a.runs)


if __name__ == "__main__":
    main()
