"""`mailprobe check --routes FILE` against `mailprobe serve` (issue 12): many
routes in one run, every output format with many records, the file's
errors (exit 2, nothing sent), execd triggers naming routes."""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_harness import Serve, binary  # noqa: E402

USERS = ("alice", "bob", "carol")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def read(path):
    with open(path) as f:
        return f.read()


def routes_file(srv, tmp, routes, defaults=""):
    """A routes file with one account per user (password files in tmp) and
    `routes` = [(name, from, to, extra_toml)]."""
    text = "[defaults]\n"
    text += f'ca-file = "{srv.info["ca_file"]}"\ntimeout = 20\ncheck-frequency = 0.2\nmax-checks = 40\n' + defaults
    for u in USERS:
        pw = write(os.path.join(tmp, u + ".pw"), u + "\n")
        text += (f'\n[account.{u}]\nemail = "{u}@localhost"\nsmtp-host = "localhost"\n'
                 f'smtp-port = {srv.port("smtp")}\nsmtp-username = "{u}"\nsmtp-password-file = "{pw}"\n'
                 f'imap-host = "localhost"\nimap-port = {srv.port("imap")}\nimap-username = "{u}"\n'
                 f'imap-password-file = "{pw}"\n')
    for name, frm, to, extra in routes:
        text += f'\n[[route]]\nname = "{name}"\nfrom = "{frm}"\nto = "{to}"\n{extra}'
    return write(os.path.join(tmp, "routes.toml"), text)


def run(args, timeout=120, stdin=None):
    t0 = time.monotonic()
    p = subprocess.run([binary(), "check", *args], capture_output=True, text=True, timeout=timeout,
                       input=stdin, env={k: v for k, v in os.environ.items() if not k.startswith("MAILPROBE_")})
    return p, time.monotonic() - t0


def serve(*extra):
    return Serve("--user", "alice:alice", "--user", "bob:bob", "--user", "carol:carol", *extra)


class RoutesAgainstServe(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="mailprobe-routes-it-")

    def tearDown(self):
        self.tmp.cleanup()

    def test_100_routes_deliver_100_records_with_route_tags(self):
        with serve() as srv:
            routes = [(f"r{i:03d}", USERS[i % 3], USERS[(i + 1) % 3], "") for i in range(100)]
            f = routes_file(srv, self.tmp.name, routes)
            p, wall = run(["--routes", f, "--output-format", "json", "--concurrency", "100",
                           "--tag", "team=mail", "--source", "it-serve"], timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout[-2000:] + p.stderr[-2000:])
        recs = [json.loads(line) for line in p.stdout.splitlines()]
        self.assertEqual(len(recs), 100)
        self.assertEqual(sorted(r["route"] for r in recs), sorted(n for n, *_ in routes))
        for r in recs:
            self.assertTrue(r["success"], r)
            self.assertEqual(r["source"], "it-serve")
            self.assertEqual(r["team"], "mail")
            self.assertEqual(r["cleanup"], "expunged")
        print(f"ok - 100 routes in {wall:.2f} s")

    def test_routes_of_one_account_share_a_few_smtp_sessions(self):
        # 30 routes from three accounts: each account's probes go over at
        # most kSessionsPerAccount (3) sessions, one transaction after another.
        with serve() as srv:
            routes = [(f"r{i:02d}", USERS[i % 3], USERS[(i + 1) % 3], "") for i in range(30)]
            p, _ = run(["--routes", routes_file(srv, self.tmp.name, routes), "--output-format", "json",
                        "--concurrency", "30"])
            time.sleep(0.2)  # the log pump
            queued = [l for l in srv.stderr_lines if "mailprobe serve: queued " in l]
        self.assertEqual(p.returncode, 0, p.stdout[-2000:] + p.stderr[-2000:])
        self.assertEqual(len(queued), 30, queued)
        sessions = sum(1 for l in queued if "message 1 of its session" in l)
        self.assertGreaterEqual(sessions, 3, queued)
        self.assertLessEqual(sessions, 9, queued)
        recs = [json.loads(line) for line in p.stdout.splitlines()]
        self.assertTrue(all(r["success"] for r in recs), recs)
        # Every record still has its own transaction and a distinct queue id.
        self.assertEqual(len({r["queue_id"] for r in recs}), 30)
        print(f"ok - 30 routes over {sessions} SMTP sessions")

    def test_route_records_carry_the_landing_window_and_round_trips(self):
        # Issue 11's honest timing for routes: serve holds each delivery
        # 300 ms after its 250; the shared watcher's window brackets that.
        with serve("--delay-delivery", "300") as srv:
            routes = [(f"r{i}", USERS[i % 3], USERS[(i + 1) % 3], "") for i in range(6)]
            p, _ = run(["--routes", routes_file(srv, self.tmp.name, routes), "--output-format", "json"])
        self.assertEqual(p.returncode, 0, p.stdout[-2000:] + p.stderr[-2000:])
        for r in (json.loads(line) for line in p.stdout.splitlines()):
            self.assertTrue(r["success"], r)
            for f in ("delivery_error_seconds", "smtp_rtt_seconds", "imap_rtt_seconds"):
                self.assertIn(f, r)
            # It cannot have landed before the delay (which serve starts as it
            # takes the message, a moment before its 250 leaves: 2 ms slack);
            # the bound covers the rest.
            self.assertGreaterEqual(r["delivery_seconds"] + r["delivery_error_seconds"], 0.298, r)
            self.assertLess(r["delivery_error_seconds"], 0.3, r)

    def test_the_records_are_out_before_a_held_back_221(self):
        # Issue 11 for routes: the pool's sessions QUIT after the records
        # are written, not before. The server holds every 221 for 1.8 s.
        with serve("--quit-delay", "1800") as srv:
            routes = [(f"r{i}", USERS[i % 3], USERS[(i + 1) % 3], "") for i in range(3)]
            f = routes_file(srv, self.tmp.name, routes)
            p = subprocess.Popen([binary(), "check", "--routes", f, "--output-format", "json"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            first = p.stdout.readline()
            record_at = time.monotonic()
            rest = p.stdout.read()  # (communicate() would skip what readline() buffered)
            err = p.stderr.read()
            p.wait(timeout=30)
            exited_at = time.monotonic()
        recs = [json.loads(line) for line in (first + rest).splitlines()]
        self.assertEqual(p.returncode, 0, err)
        self.assertEqual(sorted(r["route"] for r in recs), ["r0", "r1", "r2"])
        self.assertTrue(all(r["success"] for r in recs), recs)
        self.assertGreater(exited_at - record_at, 0.9, "the records came only after the 221s")

    def test_an_accounts_sessions_quit_once_its_last_route_has_sent(self):
        # Delivery takes 1 s, the 221 is held 1.5 s: QUIT right after each
        # account's last 250 puts its 221 0.5 s after the records; QUIT at
        # the end of the run (before) put it 1.5 s after them.
        with serve("--delay-delivery", "1000", "--quit-delay", "1500") as srv:
            routes = [(f"r{i}", USERS[i % 3], USERS[(i + 1) % 3], "") for i in range(3)]
            f = routes_file(srv, self.tmp.name, routes)
            p = subprocess.Popen([binary(), "check", "--routes", f, "--output-format", "json"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            first = p.stdout.readline()
            record_at = time.monotonic()
            rest = p.stdout.read()
            err = p.stderr.read()
            p.wait(timeout=30)
            exited_at = time.monotonic()
        recs = [json.loads(line) for line in (first + rest).splitlines()]
        self.assertEqual(p.returncode, 0, err)
        self.assertTrue(all(r["success"] for r in recs), recs)
        # The 221s come 1.5 s after the 250s, the records 1 s after them: exit
        # about 0.5 s after the records (QUIT after the records: 1.5 s). An
        # ordering with a second's margin, not a bound on how fast the build is.
        self.assertLess(exited_at - record_at, 1.1, "the sessions said goodbye only after the records")

    def test_a_mailbox_is_watched_over_one_connection_and_its_junk_folder_opens_only_when_needed(self):
        def logins(srv):
            time.sleep(0.2)  # the log pump
            return [l for l in srv.stderr_lines if "mailprobe serve: IMAP login as bob" in l]

        with serve("--junk-match", "[junk-me]") as srv:
            inbox_only = [(f"in{i}", ("alice", "carol")[i % 2], "bob", "") for i in range(6)]
            p, _ = run(["--routes", routes_file(srv, self.tmp.name, inbox_only), "--output-format", "json"])
            self.assertEqual(p.returncode, 0, p.stdout[-2000:] + p.stderr[-2000:])
            recs = [json.loads(line) for line in p.stdout.splitlines()]
            self.assertEqual({(r["placement"], r["junk_mailbox"]) for r in recs}, {("inbox", "Junk")}, recs)
            self.assertEqual(len(logins(srv)), 1, "six probes seen in the inbox: one login, no junk connection")
            srv.stderr_lines.clear()
            mixed = inbox_only[:4] + [(f"junk{i}", "alice", "bob", 'prefix = "[junk-me] "\n') for i in range(2)]
            p, _ = run(["--routes", routes_file(srv, self.tmp.name, mixed), "--output-format", "json"])
            self.assertEqual(p.returncode, 0, p.stdout[-2000:] + p.stderr[-2000:])
            recs = {r["route"]: r for r in (json.loads(line) for line in p.stdout.splitlines())}
            self.assertEqual({n: r["placement"] for n, r in recs.items()},
                             {"in0": "inbox", "in1": "inbox", "in2": "inbox", "in3": "inbox",
                              "junk0": "junk", "junk1": "junk"}, recs)
            self.assertTrue(all(r["cleanup"] == "expunged" for r in recs.values()), recs)
            self.assertEqual(len(logins(srv)), 2, "probes filed as junk: the junk folder opened once for both")

    def test_a_probe_not_seen_in_the_mailbox_is_looked_for_in_the_junk_folder_before_giving_up(self):
        with serve("--delay-delivery", "3000") as srv:
            routes = [("late", "alice", "bob", "max-checks = 2\n")]
            p, _ = run(["--routes", routes_file(srv, self.tmp.name, routes),
                        "--output-format", "json"])
            time.sleep(0.2)  # the log pump
            logins = [l for l in srv.stderr_lines if "mailprobe serve: IMAP login as bob" in l]
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        rec = json.loads(p.stdout)
        self.assertEqual((rec["stage"], rec["result"]), ("imap_wait", "not_delivered"), rec)
        self.assertIn("or Junk", rec["error"], rec)
        self.assertEqual(len(logins), 2, "the junk folder opened for the last look")

    def test_a_session_the_server_closes_with_421_is_replaced_and_nothing_is_lost(self):
        # The server takes two messages per connection, then answers MAIL with
        # 421 and hangs up (Exim's smtp_accept_max_per_connection): the route
        # that met the 421 goes again on a fresh session.
        with serve("--session-messages", "2") as srv:
            routes = [(f"r{i:02d}", "alice", "bob", "") for i in range(12)]
            p, _ = run(["--routes", routes_file(srv, self.tmp.name, routes), "--output-format", "json",
                        "--concurrency", "12"])
            time.sleep(0.2)
            queued = [l for l in srv.stderr_lines if "mailprobe serve: queued " in l]
        self.assertEqual(p.returncode, 0, p.stdout[-2000:] + p.stderr[-2000:])
        recs = [json.loads(line) for line in p.stdout.splitlines()]
        self.assertEqual(len(recs), 12)
        self.assertTrue(all(r["success"] for r in recs), [r.get("error") for r in recs])
        self.assertEqual(len(queued), 12, queued)
        self.assertFalse([l for l in queued if "message 3 of its session" in l], queued)
        self.assertGreaterEqual(sum(1 for l in queued if "message 2 of its session" in l), 1, queued)

    def test_an_account_whose_session_cannot_be_set_up_fails_all_its_routes_from_one_attempt(self):
        # Every SMTP AUTH fails: the account's routes get the one set-up failure
        # (at most kSessionsPerAccount attempts ran at once before it was
        # known), not one AUTH per route behind the cap. The records that
        # share an attempt carry its very timings.
        with serve("--smtp-reply", "AUTH=535 5.7.8 Error: authentication failed") as srv:
            routes = [(f"r{i:02d}", "alice", "bob", "") for i in range(20)]
            p, _ = run(["--routes", routes_file(srv, self.tmp.name, routes), "--output-format", "json",
                        "--concurrency", "20"])
        self.assertEqual(p.returncode, 1, p.stdout[-2000:] + p.stderr[-2000:])
        recs = [json.loads(line) for line in p.stdout.splitlines()]
        self.assertEqual(len(recs), 20)
        for r in recs:
            self.assertFalse(r["success"])
            self.assertEqual((r["stage"], r["result"]), ("smtp_auth", "auth_failed"), r)
        attempts = {(r["smtp_connect_seconds"], r["smtp_auth_seconds"]) for r in recs}
        self.assertLessEqual(len(attempts), 3, attempts)

    def test_a_failing_route_beside_passing_ones_exits_1_and_reports_each(self):
        with serve() as srv:
            routes = [("good1", "alice", "bob", ""), ("good2", "bob", "carol", ""),
                      ("nobody", "alice", "bob", 'email-to = "nobody@localhost"\n')]
            # The third route sends to an unknown user: refused at RCPT.
            text = read(routes_file(srv, self.tmp.name, routes[:2]))
            text += ('\n[[route]]\nname = "nobody"\nfrom = "alice"\nemail-to = "nobody@localhost"\n'
                     f'imap-host = "localhost"\nimap-port = {srv.port("imap")}\nimap-username = "bob"\n'
                     f'imap-password-file = "{self.tmp.name}/bob.pw"\n')
            f = write(os.path.join(self.tmp.name, "mixed.toml"), text)
            p, _ = run(["--routes", f, "--output-format", "json"])
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        recs = {json.loads(line)["route"]: json.loads(line) for line in p.stdout.splitlines()}
        self.assertEqual(set(recs), {"good1", "good2", "nobody"})
        self.assertTrue(recs["good1"]["success"])
        self.assertTrue(recs["good2"]["success"])
        self.assertFalse(recs["nobody"]["success"])
        self.assertEqual(recs["nobody"]["stage"], "smtp_rcpt")

    def test_refusals_inside_a_flight_of_transactions_stay_with_their_routes(self):
        # Twelve routes submit as alice over at most three sessions, so most
        # go out several to a flight (MAIL, RCPT, BDAT and chunk each; seen
        # here: flights of 1, 1, 1 and 9): the two to an unknown user must
        # fail at RCPT, alone, and the rest arrive.
        with serve() as srv:
            text = read(routes_file(srv, self.tmp.name, []))
            for i in range(12):
                text += f'\n[[route]]\nname = "r{i:02d}"\nfrom = "alice"\n'
                if i in (4, 9):
                    text += ('email-to = "nobody@localhost"\nimap-host = "localhost"\n'
                             f'imap-port = {srv.port("imap")}\nimap-username = "bob"\n'
                             f'imap-password-file = "{self.tmp.name}/bob.pw"\n')
                else:
                    text += 'to = "bob"\n'
            f = write(os.path.join(self.tmp.name, "flight.toml"), text)
            p, _ = run(["--routes", f, "--output-format", "json", "--concurrency", "12"])
            time.sleep(0.2)  # the log pump
            queued = [l for l in srv.stderr_lines if "mailprobe serve: queued " in l]
        self.assertEqual(p.returncode, 1, p.stdout[-2000:] + p.stderr[-2000:])
        recs = {r["route"]: r for r in (json.loads(line) for line in p.stdout.splitlines())}
        self.assertEqual(len(recs), 12)
        for name, r in recs.items():
            if name in ("r04", "r09"):
                self.assertEqual((r["success"], r["stage"], r["reply_code"]), (False, "smtp_rcpt", 550), r)
            else:
                self.assertTrue(r["success"], r)
                self.assertEqual(r["cleanup"], "expunged", r)
        self.assertEqual(len(queued), 10, queued)
        self.assertEqual(len({r["queue_id"] for r in recs.values() if r["success"]}), 10, recs)

    def test_every_format_handles_many_records(self):
        with serve() as srv:
            f = routes_file(srv, self.tmp.name, [("a", "alice", "bob", ""), ("b", "bob", "alice", "")])
            p, _ = run(["--routes", f, "--output-format", "influx"])
            self.assertEqual(p.returncode, 0, p.stderr)
            lines = p.stdout.splitlines()
            self.assertEqual(len(lines), 2)
            self.assertTrue(all(l.startswith("mail_delivery,") for l in lines))
            self.assertTrue(any(",route=a," in l for l in lines) and any(",route=b," in l for l in lines))

            prom = os.path.join(self.tmp.name, "routes.prom")
            p, _ = run(["--routes", f, "--output-format", "prometheus", "--textfile", prom])
            self.assertEqual(p.returncode, 0, p.stderr)
            text = read(prom)
            self.assertEqual(text.count("# TYPE mailprobe_check_delivery_seconds gauge"), 1)
            self.assertIn('route="a"', text)
            self.assertIn('route="b"', text)

            p, _ = run(["--routes", f, "--output-format", "nagios", "-w", "30"])
            self.assertEqual(p.returncode, 0, p.stdout)
            self.assertTrue(p.stdout.startswith("MAIL OK - 2 of 2 routes OK |"), p.stdout)
            self.assertIn("a.delivery_seconds=", p.stdout)
            self.assertIn("b.delivery_seconds=", p.stdout)

            p, _ = run(["--routes", f, "--output-format", "text"])
            self.assertEqual(p.returncode, 0, p.stdout)
            self.assertTrue(p.stdout.startswith("OK: 2 of 2 delivered\nROUTE"), p.stdout)

    def test_bad_files_exit_2_with_file_line_and_key_and_send_nothing(self):
        with serve() as srv:
            good = read(routes_file(srv, self.tmp.name, [("a", "alice", "bob", "")]))
            cases = {
                "unknown key": (good + "smtp-hots = \"x\"\n", "key 'smtp-hots': not a check flag"),
                "inline secret": (good + "smtp-password = \"alice\"\n", "key 'smtp-password': secrets"),
                "duplicate": (good + "\n[[route]]\nname = \"a\"\nfrom = \"alice\"\nto = \"bob\"\n",
                              "duplicate route name 'a'"),
                "missing flag": (good + "\n[[route]]\nname = \"b\"\nfrom = \"alice\"\n",
                                 "route 'b': --email-to is required"),
                "wrong type": (good + "smtp-port = \"25\"\n", "key 'smtp-port': must be an integer"),
            }
            for what, (text, needle) in cases.items():
                with self.subTest(what):
                    f = write(os.path.join(self.tmp.name, "bad.toml"), text)
                    p, _ = run(["--routes", f])
                    self.assertEqual(p.returncode, 2, p.stderr)
                    self.assertEqual(p.stdout, "")
                    self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
                    self.assertIn(f + ":", p.stderr)
                    self.assertIn(needle, p.stderr)
            # Nothing was sent: the server queued no message; a good run then queues one.
            time.sleep(0.2)
            self.assertEqual(srv_queued(srv), 0, srv.stderr_lines)
            f = routes_file(srv, self.tmp.name, [("a", "alice", "bob", "")])
            p, _ = run(["--routes", f, "--output-format", "json"])
            self.assertEqual(p.returncode, 0, p.stderr)
            time.sleep(0.2)
            self.assertEqual(srv_queued(srv), 1, srv.stderr_lines)

    def test_command_line_flags_override_defaults_and_routes_override_both(self):
        with serve() as srv:
            f = routes_file(srv, self.tmp.name, [("a", "alice", "bob", ""), ("b", "alice", "bob", 'imap-mailbox = "Nope"\n')],
                            defaults='imap-mailbox = "Missing"\n')
            p, _ = run(["--routes", f, "--output-format", "json", "--imap-mailbox", "INBOX", "--no-cleanup"])
        self.assertEqual(p.returncode, 1, p.stderr)
        recs = {json.loads(l)["route"]: json.loads(l) for l in p.stdout.splitlines()}
        # a: the command line's INBOX beat [defaults]' Missing; b: its own key beat the command line.
        self.assertTrue(recs["a"]["success"], recs["a"])
        self.assertEqual((recs["a"]["mailbox"], recs["a"]["cleanup"]), ("INBOX", "skipped"))
        self.assertEqual((recs["b"]["mailbox"], recs["b"]["stage"]), ("Nope", "imap_select"), recs["b"])

    def test_execd_runs_every_route_or_the_named_ones(self):
        with serve() as srv:
            f = routes_file(srv, self.tmp.name, [("a", "alice", "bob", ""), ("b", "bob", "carol", ""),
                                                 ("c", "carol", "alice", "")])
            p = subprocess.Popen([binary(), "check", "--routes", f, "--execd", "--output-format", "influx"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            p.stdin.write("\n")
            p.stdin.flush()
            first = [p.stdout.readline() for _ in range(3)]
            p.stdin.write("b c\n")
            p.stdin.flush()
            second = [p.stdout.readline() for _ in range(2)]
            p.stdin.close()
            rest = p.stdout.read()
            rc = p.wait(timeout=30)
        self.assertEqual(rc, 0, p.stderr.read())
        self.assertEqual(sorted(l.split(",route=")[1].split(",")[0] for l in first), ["a", "b", "c"])
        self.assertEqual(sorted(l.split(",route=")[1].split(",")[0] for l in second), ["b", "c"])
        self.assertEqual(rest, "")


def srv_queued(srv):
    """Messages the server accepted, from its "queued" log lines."""
    return sum(1 for l in srv.stderr_lines if "mailprobe serve: queued " in l)


if __name__ == "__main__":
    unittest.main(verbosity=2)
