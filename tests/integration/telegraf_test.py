"""Proof by real consumers: what mailprobe prints is what Telegraf, InfluxDB
1.x and Prometheus actually accept.

- InfluxDB 1.x (`influxd`, Debian package influxdb) on loopback: line protocol
  of a success and of every failure kind the mail stack can provoke is
  written through the HTTP API (204 each), read back, and every field keeps
  one type; tags and strings with spaces, commas, '=', quotes and
  backslashes round-trip exactly.
- `promtool check metrics` (Debian package prometheus) accepts the textfile.
- An execd session driven like Telegraf (signal = "STDIN"): several
  newlines, slow checks, stdin closed -> exact records, exit 0.
- SIGTERM mid-check (wait, IMAP greeting, SMTP greeting), plain and execd:
  one complete result=timeout record naming the stage.
- telegraf/README.md's metrics table equals `mailprobe check --list-fields`
  (class ReadmeTable; needs no mail stack; MAILPROBE_UPDATE_README=1
  rewrites the README section instead of failing).

python3 stdlib only. Run: meson test -C build --suite mailstack telegraf
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
import urllib.request

from mailstack_fixture import MAILPROBE, load_env, reset

SRC_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
README = os.path.join(SRC_ROOT, "telegraf", "README.md")
BEGIN, END = "<!-- fields:begin (generated: mailprobe check --list-fields) -->", "<!-- fields:end -->"
TELEGRAF_PREFIXES = ("E! ", "W! ", "I! ", "D! ", "T! ")
# Special characters that line protocol escapes differently per element.
NASTY_MAILBOX = 'Team Inbox, "ops"=1 a\\b'
NASTY_FROM = "o=k\\x@mailprobe.test"

ENV = {}


def mailstack():
    if not ENV:
        ENV.update(load_env())
    return ENV


def list_fields():
    p = subprocess.run([MAILPROBE, "check", "--list-fields"], capture_output=True, text=True, check=True)
    return p.stdout


def table_rows(markdown):
    """key -> (role, type, formats) from the generated metrics table."""
    rows = {}
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = (cells[1], cells[2], cells[4].split(", "))
    return rows


# --- line protocol, parsed the way InfluxDB's docs define it -------------

def _split_unescaped(s, sep):
    out, cur, i, quoted = [], "", 0, False
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            cur += s[i:i + 2]
            i += 2
            continue
        if c == '"':
            quoted = not quoted
        if c == sep and not quoted:
            out.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    out.append(cur)
    return out


def _unescape_key(s):
    out, i = "", 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s) and s[i + 1] in ",= ":
            out += s[i + 1]
            i += 2
        else:
            out += s[i]
            i += 1
    return out


def _field_value(v):
    if v.startswith('"'):
        body, out, i = v[1:-1], "", 0
        while i < len(body):
            if body[i] == "\\" and i + 1 < len(body) and body[i + 1] in '"\\':
                out += body[i + 1]
                i += 2
            else:
                out += body[i]
                i += 1
        return out
    if v in ("true", "false"):
        return v == "true"
    if v.endswith("i"):
        return int(v[:-1])
    return float(v)


def parse_lp(line):
    """(measurement, tags, fields, timestamp) of one line-protocol line."""
    assert line.endswith("\n") and line.count("\n") == 1, repr(line)
    parts = _split_unescaped(line[:-1], " ")
    assert len(parts) == 3, parts
    head = _split_unescaped(parts[0], ",")
    tags = {}
    for t in head[1:]:
        k, v = _split_unescaped(t, "=")
        tags[_unescape_key(k)] = _unescape_key(v)
    fields = {}
    for f in _split_unescaped(parts[1], ","):
        k, v = f.split("=", 1) if "\\" not in f.split("=", 1)[0] else _split_unescaped(f, "=")
        fields[_unescape_key(k)] = _field_value(v)
    return head[0], tags, fields, int(parts[2])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Influxd:
    """A private influxd on loopback with its own temp config and dirs."""

    def __init__(self):
        binary = shutil.which(os.environ.get("INFLUXD", "influxd"))
        if not binary:
            raise AssertionError("influxd not found: install the Debian package influxdb")
        self.dir = tempfile.mkdtemp(prefix="mailprobe-influx-")
        self.port = free_port()
        conf = os.path.join(self.dir, "influxdb.conf")
        with open(conf, "w") as f:
            f.write(f"""reporting-disabled = true
bind-address = "127.0.0.1:{free_port()}"
[meta]
  dir = "{self.dir}/meta"
[data]
  dir = "{self.dir}/data"
  wal-dir = "{self.dir}/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:{self.port}"
  log-enabled = false
[monitor]
  store-enabled = false
[subscriber]
  enabled = false
[continuous_queries]
  enabled = false
""")
        self.log = open(os.path.join(self.dir, "influxd.log"), "w")
        self.proc = subprocess.Popen([binary, "-config", conf], stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(self.url("/ping"), timeout=1) as r:
                    if r.status == 204:
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError("influxd did not start; see its log")
            time.sleep(0.1)
        self.query("CREATE DATABASE mailprobe", db=None)

    def url(self, path, **params):
        q = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        return f"http://127.0.0.1:{self.port}{path}" + (f"?{q}" if q else "")

    def write(self, body):
        """(status, body) of POST /write; 204 = accepted."""
        req = urllib.request.Request(self.url("/write", db="mailprobe"), data=body.encode(), method="POST")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def query(self, q, db="mailprobe"):
        data = urllib.parse.urlencode({"q": q}).encode()
        req = urllib.request.Request(self.url("/query", db=db, epoch="ns"), data=data, method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            res = json.loads(r.read())["results"][0]
        if "error" in res:
            raise AssertionError(f"{q}: {res['error']}")
        return res.get("series", [])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# --- mailprobe command lines -----------------------------------------------

def args(to="BOB", fmt="influx", imap_port=None, smtp_port=None, ca=None, extra=()):
    e = mailstack()
    return ["check", "--email-from", e["MS_ALICE_USER"],
            "--email-to", e.get(f"MS_{to}_USER", to),
            "--smtp-host", "localhost", "--smtp-port", str(smtp_port or e["MS_SMTP_STARTTLS_PORT"]),
            "--smtp-username", e["MS_ALICE_USER"],
            "--imap-host", "localhost", "--imap-port", str(imap_port or e["MS_IMAP_PORT"]),
            "--imap-username", e["MS_BOB_USER"], "--ca-file", ca or e["MS_CA_FILE"],
            "--timeout", "20", "--check-frequency", "0.3", "--max-checks", "20",
            "--output-format", fmt, *extra]


def secrets(smtp=None, imap=None):
    e = mailstack()
    return {"MAILPROBE_SMTP_PASSWORD": smtp or e["MS_ALICE_PASS"],
            "MAILPROBE_IMAP_PASSWORD": imap or e["MS_BOB_PASS"]}


def child_env(extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILPROBE_")}
    env.update(extra)
    return env


def run(argv, env):
    p = subprocess.run([MAILPROBE] + argv, capture_output=True, text=True, env=child_env(env),
                       stdin=subprocess.DEVNULL, timeout=60)
    return p.returncode, p.stdout, p.stderr


def silent_server():
    """A TCP listener that accepts and never says a word (a hung server)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    conns = []

    def accept():
        while True:
            try:
                c, _ = s.accept()
                conns.append(c)
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return s, conns


class Lines:
    """Collects a pipe's lines in a thread, raw (newline kept)."""

    def __init__(self, pipe):
        self.lines = []
        self.cv = threading.Condition()
        self.thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self.thread.start()

    def _read(self, pipe):
        for line in iter(pipe.readline, ""):
            with self.cv:
                self.lines.append(line)
                self.cv.notify_all()

    def wait_for(self, n, secs=30):
        with self.cv:
            self.cv.wait_for(lambda: len(self.lines) >= n, timeout=secs)
            return len(self.lines)


# --- the scenarios ---------------------------------------------------------

def provoke_all():
    """name -> (expected result, expected stage, argv, env)."""
    e = mailstack()
    closed = free_port()
    nasty = args(extra=["--imap-mailbox", NASTY_MAILBOX])
    nasty[nasty.index("--email-from") + 1] = NASTY_FROM
    return {
        "success": ("success", "done", args(), secrets()),
        "smtp_auth_failed": ("auth_failed", "smtp_auth", args(), secrets(smtp="wrong")),
        "imap_auth_failed": ("auth_failed", "imap_login", args(), secrets(imap="wrong")),
        "perm_reject": ("perm_reject", "smtp_rcpt", args(to=e["MS_UNKNOWN_ADDR"]), secrets()),
        "smtp_refused": ("connection_refused", "smtp_connect", args(smtp_port=closed), secrets()),
        "imap_refused": ("connection_refused", "imap_connect", args(imap_port=closed), secrets()),
        "tls_verify_failed": ("tls_verify_failed", "imap_tls", args(ca=e["MS_OTHER_CA_FILE"]), secrets()),
        "starttls_unavailable": ("starttls_unavailable", "imap_starttls",
                                 args(imap_port=e["MS_IMAP_NOSTARTTLS_PORT"]), secrets()),
        "not_delivered": ("not_delivered", "imap_wait",
                          args(to="HOLD", extra=["--max-checks", "2", "--check-frequency", "0.2"]), secrets()),
        "imap_no_nasty": ("imap_no", "imap_select", nasty, secrets()),
    }


class InfluxDB(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        mailstack()
        reset()
        cls.influx = Influxd()
        cls.lines = {}
        for name, (result, stage, argv, env) in provoke_all().items():
            rc, out, err = run(argv, env)
            cls.lines[name] = (result, stage, rc, out, err)
        cls.lines["sigterm_timeout"] = ("timeout", "imap_wait",
                                        *sigterm_run(args(to="HOLD", extra=["--max-checks", "100"]), 1.5))

    @classmethod
    def tearDownClass(cls):
        cls.influx.stop()
        reset()

    def test_1_every_kind_is_one_line_with_the_expected_result_and_stage(self):
        for name, (result, stage, rc, out, err) in self.lines.items():
            with self.subTest(name):
                self.assertEqual(rc, 0 if result == "success" else 1, out + err)
                _, tags, fields, _ = parse_lp(out)
                self.assertEqual((tags["result"], tags["stage"]), (result, stage), out + err)
                self.assertEqual(fields["success"], result == "success")

    def test_2_influxdb_accepts_every_line_and_keeps_one_type_per_field(self):
        for name, (_, _, _, out, _) in self.lines.items():
            with self.subTest(name):
                status, body = self.influx.write(out)
                self.assertEqual(status, 204, f"{name}: {body}\n{out}")
        table = table_rows(list_fields())
        influx_type = {"boolean": "boolean", "integer": "integer", "float": "float", "string": "string"}
        series = self.influx.query("SHOW FIELD KEYS FROM mail_delivery")
        stored = {}
        for key, typ in series[0]["values"]:
            stored.setdefault(key, []).append(typ)
        for key, types in stored.items():
            with self.subTest(field=key):
                self.assertEqual(len(types), 1, f"{key} stored as {types}: a field type conflict")
                role, typ, formats = table[key]
                self.assertEqual(role, "field")
                self.assertIn("influx", formats)
                self.assertEqual(types[0], influx_type[typ])
        for key in ("success", "result_code", "tries", "total_seconds", "delivery_seconds", "error",
                    "smtp_reply_code", "queue_id", "token"):
            self.assertIn(key, stored)
        tag_keys = {v[0] for v in self.influx.query("SHOW TAG KEYS FROM mail_delivery")[0]["values"]}
        expected = {k for k, (role, _, formats) in table.items() if role == "tag" and "influx" in formats}
        expected.discard("route")  # set only by --routes runs (README "Many routes")
        self.assertEqual(tag_keys, expected)
        self.assertNotIn("host", tag_keys)  # Telegraf's own tag must win

    def test_3_tags_and_strings_round_trip_exactly(self):
        for _, (_, _, _, out, _) in self.lines.items():
            self.influx.write(out)
        rows = {}
        for s in self.influx.query("SELECT * FROM mail_delivery"):
            for v in s["values"]:
                rows[v[0]] = dict(zip(s["columns"], v))
        self.assertGreaterEqual(len(rows), len(self.lines))
        for name, (_, _, _, out, _) in self.lines.items():
            with self.subTest(name):
                _, tags, fields, ts = parse_lp(out)
                row = rows[ts]
                for k, v in {**tags, **fields}.items():
                    self.assertEqual(row[k], v, f"{name}: {k}")
                    # InfluxDB's JSON prints a float that is whole (0.0) as 0; the stored
                    # type is checked by SHOW FIELD KEYS in test_2.
                    got = float(row[k]) if isinstance(v, float) and type(row[k]) is int else row[k]
                    self.assertIs(type(got), type(v), f"{name}: {k}")
                for k, v in row.items():
                    if k != "time" and v is not None:
                        self.assertIn(k, {**tags, **fields}, f"{name}: {k} appeared from nowhere")
        _, tags, fields, ts = parse_lp(self.lines["imap_no_nasty"][3])
        self.assertEqual(rows[ts]["mailbox"], NASTY_MAILBOX)
        self.assertEqual(rows[ts]["email_from"], NASTY_FROM)
        self.assertIn(NASTY_MAILBOX, rows[ts]["error"])  # Dovecot echoes it: quotes and backslash
        self.assertEqual(len(self.influx.query(
            "SELECT result_code FROM mail_delivery WHERE mailbox = 'Team Inbox, \"ops\"=1 a\\\\b'")), 1)


def sigterm_run(argv, after, env=None, execd=False):
    """Starts a check, SIGTERMs it after `after` s: (rc, out, err)."""
    p = subprocess.Popen([MAILPROBE] + argv + (["--execd"] if execd else []),
                         stdin=subprocess.PIPE if execd else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=child_env(env or secrets()))
    if execd:
        p.stdin.write("\n")
        p.stdin.flush()
    time.sleep(after)
    t0 = time.monotonic()
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=10)
    took = time.monotonic() - t0
    assert took < 2.5, f"took {took:.1f} s to stop after SIGTERM"
    return p.returncode, out, err


class SigTerm(unittest.TestCase):
    def check(self, res, stage, rc):
        code, out, err = res
        self.assertEqual(code, rc, out + err)
        self.assertTrue(out.endswith("\n") and out.count("\n") == 1, repr(out))
        _, tags, fields, _ = parse_lp(out)
        self.assertEqual((tags["result"], tags["stage"], fields["result_code"]), ("timeout", stage, 1), out)
        self.assertIn("stopped by signal", fields["error"])

    def test_plain_check_mid_wait(self):
        self.check(sigterm_run(args(to="HOLD", extra=["--max-checks", "100"]), 1.5), "imap_wait", 1)

    def test_execd_mid_wait_prints_the_record_and_exits_0(self):
        self.check(sigterm_run(args(to="HOLD", extra=["--max-checks", "100"]), 1.5, execd=True), "imap_wait", 0)

    def test_imap_greeting_that_never_comes(self):
        srv, _ = silent_server()
        try:
            port = srv.getsockname()[1]
            self.check(sigterm_run(args(imap_port=port), 1.0), "imap_greeting", 1)
        finally:
            srv.close()

    def test_smtp_greeting_that_never_comes(self):
        srv, _ = silent_server()
        try:
            port = srv.getsockname()[1]
            self.check(sigterm_run(args(smtp_port=port), 1.0), "smtp_greeting", 1)
        finally:
            srv.close()


class Execd(unittest.TestCase):
    def start(self, argv):
        p = subprocess.Popen([MAILPROBE] + argv + ["--execd"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=child_env(secrets()))
        self.addCleanup(self.close, p)
        return p, Lines(p.stdout), Lines(p.stderr)

    @staticmethod
    def close(p):
        if p.poll() is None:
            p.kill()
            p.wait()
        for f in (p.stdin, p.stdout, p.stderr):
            try:
                f.close()
            except (OSError, ValueError):
                pass

    def send(self, p, data):
        p.stdin.write(data)
        p.stdin.flush()

    def assert_telegraf_log(self, err):
        for line in err.lines:
            self.assertTrue(line.startswith(TELEGRAF_PREFIXES), f"unprefixed stderr line {line!r}")

    def test_like_telegraf_several_newlines_slow_checks_stdin_closed(self):
        # Each check waits ~0.9 s for mail that is held and never delivered.
        p, out, err = self.start(args(to="HOLD", extra=["--max-checks", "3", "--check-frequency", "0.3"]))
        self.send(p, "\n\n\n")          # three ticks queued at once: one check
        time.sleep(0.3)
        self.send(p, "\n\n")            # ticks during the check: drained, not run
        self.assertEqual(out.wait_for(1), 1)
        time.sleep(1.5)
        self.assertEqual(len(out.lines), 1, "queued newlines ran checks back to back")
        self.send(p, "\n")
        self.assertEqual(out.wait_for(2), 2)
        self.send(p, "\n")              # a check starts ...
        time.sleep(0.3)
        p.stdin.close()                 # ... and Telegraf shuts down meanwhile
        self.assertEqual(p.wait(15), 0)
        out.thread.join(5)
        err.thread.join(5)
        self.assertEqual(len(out.lines), 3, out.lines)
        tokens, queue_ids = set(), set()
        for line in out.lines:
            _, tags, fields, _ = parse_lp(line)  # complete lines only
            self.assertEqual((tags["result"], tags["stage"]), ("not_delivered", "imap_wait"))
            tokens.add(fields["token"])
            queue_ids.add(fields["queue_id"])
        self.assertEqual(len(tokens), 3, "a token was reused")
        self.assertEqual(len(queue_ids), 3, "a message was reused")
        self.assert_telegraf_log(err)
        self.assertTrue(any(l.startswith("W! ") and "not_delivered" in l for l in err.lines), err.lines)
        self.assertTrue(err.lines[-1].startswith("I! ") and "stdin closed after 3 checks" in err.lines[-1])

    def test_json_records_are_one_compact_line_each(self):
        p, out, err = self.start(args(fmt="json"))
        for n in (1, 2):
            self.send(p, "\n")
            self.assertEqual(out.wait_for(n), n)
        p.stdin.close()
        self.assertEqual(p.wait(15), 0)
        out.thread.join(5)
        recs = [json.loads(line) for line in out.lines]
        self.assertEqual([r["result"] for r in recs], ["success", "success"])
        self.assertNotEqual(recs[0]["hash"], recs[1]["hash"])
        self.assert_telegraf_log(err)

    def test_multi_line_formats_are_refused(self):
        p, out, err = self.start(args(fmt="text"))
        self.assertEqual(p.wait(10), 2)
        err.thread.join(5)
        self.assertTrue(err.lines and err.lines[0].startswith("E! "), err.lines)


class Promtool(unittest.TestCase):
    def test_promtool_accepts_the_textfile_of_a_success_and_a_failure(self):
        promtool = shutil.which("promtool")
        self.assertTrue(promtool, "promtool not found: install the Debian package prometheus")
        d = tempfile.mkdtemp(prefix="mailprobe-prom-")
        try:
            for name, env in (("ok", secrets()), ("fail", secrets(imap="wrong"))):
                path = os.path.join(d, f"{name}.prom")
                rc, out, err = run(args(fmt="prometheus", extra=["--textfile", path]), env)
                self.assertEqual(rc, 0 if name == "ok" else 1, err)
                self.assertEqual(out, "")
                self.assertTrue(os.path.exists(path))
                with open(path) as f:
                    body = f.read()
                p = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True, text=True)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                self.assertIn("mailprobe_check_last_run_timestamp_seconds", body)
                for line in body.splitlines():
                    if not line.startswith("#"):  # no client-side timestamps (node_exporter skips the file)
                        self.assertEqual(len(line.rsplit("} ", 1)[1].split()), 1, line)
            self.assertEqual(sorted(os.listdir(d)), ["fail.prom", "ok.prom"])  # no temp files left
        finally:
            shutil.rmtree(d)


class ReadmeTable(unittest.TestCase):
    """telegraf/README.md carries the generated table verbatim."""

    def test_readme_table_equals_the_generated_one(self):
        generated = list_fields()
        for readme in (README, os.path.join(SRC_ROOT, "README.md")):
            with self.subTest(readme=readme):
                with open(readme) as f:
                    text = f.read()
                self.assertIn(BEGIN, text)
                head, rest = text.split(BEGIN, 1)
                current, tail = rest.split(END, 1)
                if os.environ.get("MAILPROBE_UPDATE_README") == "1":
                    with open(readme, "w") as f:
                        f.write(head + BEGIN + "\n" + generated + END + tail)
                    continue
                self.assertEqual(current.strip("\n"), generated.strip("\n"),
                                 f"{readme} is stale: rerun with MAILPROBE_UPDATE_README=1")

    def test_json_v2_config_types_every_json_field_like_line_protocol(self):
        table = table_rows(list_fields())
        with open(os.path.join(SRC_ROOT, "telegraf", "mailprobe-json_v2.conf")) as f:
            conf = f.read()
        typed, excluded, tags = {}, set(), set()
        section = conf.split("[inputs.exec.json_v2.object.fields]", 1)[1].split("\n\n", 1)[0]
        for line in section.splitlines():
            if "=" in line and not line.strip().startswith("#"):
                k, v = (x.strip().strip('"') for x in line.split("=", 1))
                typed[k] = v
        for name, into in (("excluded_keys", excluded), ("tags", tags)):
            body = conf.split(f"      {name} = [", 1)[1].split("]", 1)[0]
            into.update(x.strip().strip('"') for x in body.replace("\n", " ").split(",") if x.strip())
        lp = {"boolean": "bool", "integer": "int", "float": "float", "string": "string"}
        for key, (role, typ, formats) in table.items():
            if "json" not in formats:
                continue
            with self.subTest(key):
                if role == "tag":
                    self.assertIn(key, tags)
                elif key not in excluded and key != "start":  # start is the timestamp_key
                    self.assertEqual(typed.get(key), lp[typ], f"{key} untyped or mistyped in json_v2 conf")
        self.assertFalse(set(typed) - set(table), "json_v2 conf types keys that do not exist")


if __name__ == "__main__":
    unittest.main(argv=sys.argv, verbosity=2)
