#!/usr/bin/env python3
"""Benchmark for `mailprobe check --routes` (issue 12): 1, 10, 30 and 100
routes in one run. Prints, per size: wall time, CPU per route (user+sys of
the whole process divided by the routes), peak RSS, and the IMAP and SMTP
connections the run opened. Asserts nothing; the goals (100 routes <= 2x the wall of one
route, <= 40 ms CPU per route) are printed beside the figures.

Target: `mailprobe serve` on loopback (default), or the real Postfix +
Dovecot of tests/mailstack with --mailstack. Routes cycle over three
users (alice -> bob -> carol -> alice), so a run has three mailbox groups.

Wall, CPU and RSS come from tests/bench/rusage (posix_spawn + wait4); the
connections from a separate, untimed run under strace (connect(2) calls
to the IMAP and SMTP ports), since strace slows the process it traces.
The routes' own timing is printed too: the median over every record of
the runs of delivery_seconds and delivery_error_seconds.

With --rtt-ms both legs go through tests/bench/latency_proxy.py with
RTT/2 each way, as check_bench does. With --delay-ms D (serve only) serve
delivers every message D ms after its 250, so the truth is known: the
figures then include each record's delivery_seconds minus D (p50, largest
|error|) and how many records fell outside their delivery_error_seconds
(plus 2 ms for the server's own scheduling).

Usage: tests/bench/routes_bench.py [--runs N] [--sizes 1,10,30,100] [--mailstack]
                                   [--rtt-ms 0,50] [--delay-ms 300] [--binary build/src/mailprobe]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
RUSAGE = os.path.join(ROOT, "build", "tests", "rusage")
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "integration", "serve"))

USERS = ("alice", "bob", "carol")


def routes_text(n, accounts, ca_file):
    text = f'[defaults]\nca-file = "{ca_file}"\ntimeout = 60\ncheck-frequency = 0.5\nmax-checks = 100\n'
    for name, a in accounts.items():
        text += f"\n[account.{name}]\n" + "".join(f'{k} = {json.dumps(v)}\n' for k, v in a.items())
    for i in range(n):
        text += f'\n[[route]]\nname = "r{i:03d}"\nfrom = "{USERS[i % 3]}"\nto = "{USERS[(i + 1) % 3]}"\n'
    return text


def accounts_for(tmp, smtp_port, imap_port, user_of, pass_of):
    out = {}
    for u in USERS:
        pw = os.path.join(tmp, u + ".pw")
        with open(pw, "w") as f:
            f.write(pass_of(u) + "\n")
        out[u] = {"email": user_of(u) if "@" in user_of(u) else user_of(u) + "@localhost",
                  "smtp-host": "localhost", "smtp-port": int(smtp_port), "smtp-username": user_of(u),
                  "smtp-password-file": pw, "imap-host": "localhost", "imap-port": int(imap_port),
                  "imap-username": user_of(u), "imap-password-file": pw}
    return out


def timed(binary, path, n):
    p = subprocess.run([RUSAGE, binary, "check", "--routes", path, "--output-format", "json",
                        "--concurrency", str(max(n, 1))], capture_output=True, text=True, timeout=300)
    m = re.search(r"RUSAGE maxrss_kib=(\d+) cpu_us=(\d+)", p.stderr)
    recs = [json.loads(line) for line in p.stdout.splitlines()]
    ok = sum(1 for r in recs if r.get("success"))
    good = [r for r in recs if r.get("success")]
    return {"ok": ok, "records": len(recs), "cpu_s": int(m.group(2)) / 1e6, "rss_mib": int(m.group(1)) / 1024.0,
            "delivery_ms": [r["delivery_seconds"] * 1000 for r in good],
            "error_ms": [r["delivery_error_seconds"] * 1000 for r in good if "delivery_error_seconds" in r],
            "pairs": [(r["delivery_seconds"] * 1000, r.get("delivery_error_seconds", 0) * 1000) for r in good]}


def connections(binary, path, n, smtp_port, imap_port):
    """(SMTP, IMAP) connections one run opens, from connect(2) calls."""
    if not shutil.which("strace"):
        return None, None
    with tempfile.NamedTemporaryFile(prefix="routes-strace-", delete=False) as t:
        trace = t.name
    try:
        subprocess.run(["strace", "-f", "-e", "trace=connect", "-o", trace, binary, "check", "--routes", path,
                        "--output-format", "json", "--concurrency", str(max(n, 1))],
                       capture_output=True, timeout=300)
        with open(trace) as f:
            lines = f.read().splitlines()

        def count(port):
            return sum(1 for line in lines if f"sin_port=htons({port})" in line or f"sin6_port=htons({port})" in line)
        return count(smtp_port), count(imap_port)
    finally:
        os.unlink(trace)


def wall_of(binary, path, n):
    import time
    t0 = time.monotonic()
    r = timed(binary, path, n)
    r["wall_s"] = time.monotonic() - t0
    return r


def median_or_none(values):
    return statistics.median(values) if values else None


def bench(binary, sizes, runs, smtp_port, imap_port, user_of, pass_of, ca_file):
    tmp = tempfile.mkdtemp(prefix="routes-bench-")
    accounts = accounts_for(tmp, smtp_port, imap_port, user_of, pass_of)
    rows = []
    for n in sizes:
        path = os.path.join(tmp, f"routes-{n}.toml")
        with open(path, "w") as f:
            f.write(routes_text(n, accounts, ca_file))
        results = [wall_of(binary, path, n) for _ in range(runs)]
        smtp_conns, imap_conns = connections(binary, path, n, smtp_port, imap_port)
        rows.append({
            "routes": n,
            "wall_s": statistics.median(r["wall_s"] for r in results),
            "cpu_ms_per_route": statistics.median(r["cpu_s"] for r in results) * 1000 / n,
            "rss_mib": max(r["rss_mib"] for r in results),
            "delivered": f'{min(r["ok"] for r in results)}/{n}',
            "imap_connections": imap_conns,
            "smtp_connections": smtp_conns,
            "delivery_ms": median_or_none([v for r in results for v in r["delivery_ms"]]),
            "error_ms": median_or_none([v for r in results for v in r["error_ms"]]),
            "pairs": [p for r in results for p in r["pairs"]],
        })
    shutil.rmtree(tmp, ignore_errors=True)
    return rows


def print_truth(rows, delay_ms):
    print(f"against the truth (serve delivers {delay_ms} ms after each 250):")
    print(f"{'routes':>6} {'err p50 ms':>11} {'max |err| ms':>13} {'bound p50 ms':>13} {'outside bound':>14}")
    for r in rows:
        errs = [d - delay_ms for d, _ in r["pairs"]]
        if not errs:
            continue
        outside = sum(1 for d, b in r["pairs"] if abs(d - delay_ms) > b + 2)
        print(f"{r['routes']:>6} {statistics.median(errs):>11.1f} {max(abs(e) for e in errs):>13.1f} "
              f"{statistics.median(b for _, b in r['pairs']):>13.1f} {outside:>8}/{len(errs)}")


def print_rows(rows, title):
    print(title)
    print(f"{'routes':>6} {'wall s':>8} {'x one':>6} {'CPU ms/route':>13} {'peak RSS MiB':>13} "
          f"{'IMAP conns':>10} {'SMTP conns':>10} {'delivered':>10} {'delivery ms':>12} {'error ms':>9}")
    one = rows[0]["wall_s"]
    for r in rows:
        imap = "-" if r["imap_connections"] is None else str(r["imap_connections"])
        smtp = "-" if r["smtp_connections"] is None else str(r["smtp_connections"])
        dl = "-" if r["delivery_ms"] is None else f"{r['delivery_ms']:.1f}"
        er = "-" if r["error_ms"] is None else f"{r['error_ms']:.1f}"
        print(f"{r['routes']:>6} {r['wall_s']:>8.3f} {r['wall_s'] / one:>6.2f} {r['cpu_ms_per_route']:>13.1f} "
              f"{r['rss_mib']:>13.1f} {imap:>10} {smtp:>10} {r['delivered']:>10} {dl:>12} {er:>9}")


def main():
    from check_bench import Legs  # the latency proxy in front of both legs
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sizes", default="1,10,30,100")
    ap.add_argument("--mailstack", action="store_true", help="the real Postfix + Dovecot instead of serve")
    ap.add_argument("--rtt-ms", default="0", help="simulated round-trip times, e.g. 0,50")
    ap.add_argument("--delay-ms", type=int, default=0, help="serve only: deliver each message this long after its 250")
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "src", "mailprobe"))
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    rtts = [int(r) for r in a.rtt_ms.split(",")]
    binary = os.path.abspath(a.binary)
    if a.mailstack:
        from mailstack_fixture import load_env, reset
        env = load_env()
        reset()
        for rtt in rtts:
            legs = Legs(env, rtt)
            try:
                rows = bench(binary, sizes, a.runs, legs.smtp_port, legs.imap_port,
                             lambda u: env[f"MS_{u.upper()}_USER"], lambda u: env[f"MS_{u.upper()}_PASS"],
                             env["MS_CA_FILE"])
            finally:
                legs.close()
            print_rows(rows, f"routes benchmark against mailstack (Postfix + Dovecot), RTT {rtt} ms, "
                             f"median of {a.runs} runs, STARTTLS on both legs")
    else:
        os.environ["MAILPROBE"] = binary
        from serve_harness import Serve
        extra = ["--delay-delivery", str(a.delay_ms)] if a.delay_ms else []
        with Serve("--user", "alice:alice", "--user", "bob:bob", "--user", "carol:carol", *extra) as srv:
            for rtt in rtts:
                legs = Legs({"MS_SMTP_STARTTLS_PORT": srv.port("smtp"), "MS_IMAP_PORT": srv.port("imap")}, rtt)
                try:
                    rows = bench(binary, sizes, a.runs, legs.smtp_port, legs.imap_port, lambda u: u, lambda u: u,
                                 srv.info["ca_file"])
                finally:
                    legs.close()
                print_rows(rows, f"routes benchmark against mailprobe serve, RTT {rtt} ms, median of {a.runs} runs, "
                                 f"STARTTLS on both legs")
                if a.delay_ms:
                    print_truth(rows, a.delay_ms)
    print("goals: 100 routes <= 2x the wall of one route; <= 40 ms CPU per route")


if __name__ == "__main__":
    main()
