#!/usr/bin/env python3
"""Benchmark for `mailprobe check` against the local Postfix + Dovecot
(tests/mailstack). Prints figures; asserts nothing (targets live here, not in
timed tests).

Detection lag: each probe goes to hold@, which Postfix parks in its hold
queue. After a random 0.3-2 s the benchmark releases it; the moment the
message file lands in hold's Maildir (new/) is the landing time, and
mailprobe's `end` (first seen) minus that is the detection lag.

Also per check: CPU time (user+sys) and peak RSS of the mailprobe process,
for a full check with STARTTLS on both legs (os.wait4 rusage).

Usage: tests/bench/check_bench.py [--runs N] [--binary build/src/mailprobe]
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


def iso_to_epoch(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


RUSAGE = os.path.join(HERE, "..", "..", "build", "tests", "rusage")


def run_mailprobe(binary, env, to_user, imap_user, imap_pw, extra=()):
    args = [RUSAGE, binary, "check", "--email-from", env["MS_ALICE_USER"], "--email-to", to_user,
            "--smtp-host", "localhost", "--smtp-port", env["MS_SMTP_STARTTLS_PORT"],
            "--smtp-username", env["MS_ALICE_USER"], "--imap-host", "localhost",
            "--imap-port", env["MS_IMAP_PORT"], "--imap-username", imap_user,
            "--ca-file", env["MS_CA_FILE"], "--timeout", "20", "--output-format", "json", *extra]
    penv = dict(os.environ, MAILPROBE_SMTP_PASSWORD=env["MS_ALICE_PASS"], MAILPROBE_IMAP_PASSWORD=imap_pw)
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=penv)
    return p


def finish(p):
    out, err = p.communicate()
    m = re.search(rb"RUSAGE maxrss_kib=(\d+) cpu_us=(\d+)", err)
    return json.loads(out), int(m.group(2)) / 1e6, int(m.group(1)) / 1024.0


def pct(values, q):
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(q / 100.0 * (len(v) - 1)))))
    return v[k]


def postfix(env, *cmd):
    subprocess.run([cmd[0], "-c", env["MS_POSTFIX_CONFIG_DIR"], *cmd[1:]], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def lag_run(binary, env):
    maildir_new = os.path.join(env["MS_MAIL_DIR"], env["MS_DOMAIN"], "hold", "new")
    before = set(os.listdir(maildir_new)) if os.path.isdir(maildir_new) else set()
    p = run_mailprobe(binary, env, env["MS_HOLD_USER"], env["MS_HOLD_USER"], env["MS_HOLD_PASS"],
                      ["--check-frequency", "2", "--max-checks", "10"])
    # Wait until the probe is parked in the hold queue, then hold it a while.
    deadline = time.time() + 10
    while time.time() < deadline:
        q = subprocess.run(["postqueue", "-c", env["MS_POSTFIX_CONFIG_DIR"], "-j"],
                           capture_output=True, text=True).stdout
        if '"queue_name": "hold"' in q:
            break
        time.sleep(0.01)
    time.sleep(random.uniform(0.3, 2.0))
    landed = {}

    def watch():
        end = time.time() + 10
        while time.time() < end and not landed:
            if os.path.isdir(maildir_new):
                for name in os.listdir(maildir_new):
                    if name not in before:
                        landed["t"] = time.time()
                        return
            time.sleep(0.0005)

    t = threading.Thread(target=watch)
    t.start()
    postfix(env, "postsuper", "-H", "ALL")
    postfix(env, "postqueue", "-f")
    record, cpu, rss = finish(p)
    t.join()
    if not record.get("success") or "t" not in landed:
        return None, record
    return iso_to_epoch(record["end"]) - landed["t"], record


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--binary", default=os.path.join(HERE, "..", "..", "build", "src", "mailprobe"))
    a = ap.parse_args()
    env = load_env()
    subprocess.run([os.environ.get("MAILSTACK_SH", os.path.join(HERE, "..", "mailstack", "mailstack.sh")), "reset"],
                   check=True, stdout=subprocess.DEVNULL)

    cpus, rsss, deliveries = [], [], []
    for _ in range(a.runs):
        p = run_mailprobe(a.binary, env, env["MS_BOB_USER"], env["MS_BOB_USER"], env["MS_BOB_PASS"])
        record, cpu, rss = finish(p)
        if record.get("success"):
            cpus.append(cpu * 1000)
            rsss.append(rss)
            deliveries.append(record["delivery_seconds"] * 1000)
    print(f"full check, STARTTLS both legs, {len(cpus)}/{a.runs} ok (load average {os.getloadavg()[0]:.1f})")
    print(f"  cpu per check   ms: p50 {statistics.median(cpus):.1f}  max {max(cpus):.1f}   (target <= 40)")
    print(f"  peak RSS       MiB: p50 {statistics.median(rsss):.1f}  max {max(rsss):.1f}   (target <= 14)")
    print(f"  delivery_seconds ms: p50 {statistics.median(deliveries):.1f}  p95 {pct(deliveries, 95):.1f}")

    lags, methods = [], {}
    for _ in range(a.runs):
        lag, record = lag_run(a.binary, env)
        if lag is None:
            print("  lag run failed:", record.get("result"), record.get("error"))
            continue
        lags.append(lag * 1000)
        methods[record["method"]] = methods.get(record["method"], 0) + 1
    print(f"detection lag after landing (hold released after 0.3-2 s), {len(lags)}/{a.runs} ok, methods {methods}")
    if lags:
        print(f"  lag ms: p50 {statistics.median(lags):.1f}  p95 {pct(lags, 95):.1f}  max {max(lags):.1f}"
              "   (targets p50 <= 50, p95 <= 150)")


if __name__ == "__main__":
    main()
