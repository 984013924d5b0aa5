"""The shipped examples, run as written against the real Postfix + Dovecot
(tests/mailstack), as the user each one names. Only the route is rewritten
(hosts, ports, addresses, password files, plus --ca-file for the stack's
private CA); every other argument, the user and the paths stay as shipped.

The textfile examples write to /var/lib/prometheus/node-exporter as on stock
Debian: a private mount namespace (unshare -m, root) puts an empty tmpfs
there, root:root 0755 like the prometheus-node-exporter package ships it.
"""
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
import tomllib
import unittest

from mailstack_fixture import MAILPROBE, load_env

ENV = load_env()
SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
TEXTFILE_DIR = "/var/lib/prometheus/node-exporter"


def example(*parts):
    return os.path.join(SRC, *parts)


class Route:
    """Stack values for the flags that name a route."""

    def __init__(self, d):
        self.smtp_pw = os.path.join(d, "smtp.pw")
        self.imap_pw = os.path.join(d, "imap.pw")
        for path, pw in ((self.smtp_pw, ENV["MS_ALICE_PASS"]), (self.imap_pw, ENV["MS_BOB_PASS"])):
            with open(path, "w") as f:
                f.write(pw + "\n")
            os.chmod(path, 0o600)

    def flag_value(self, flag, value, argv):
        smtp_ports = {"587": "MS_SMTP_STARTTLS_PORT", "465": "MS_SMTP_TLS_PORT", "25": "MS_SMTP_STARTTLS_PORT"}
        imap_ports = {"143": "MS_IMAP_PORT", "993": "MS_IMAPS_PORT"}
        probe_imap = "imap" in argv[:4]
        table = {
            "--email-from": ENV["MS_ALICE_USER"], "--smtp-username": ENV["MS_ALICE_USER"],
            "--email-to": ENV["MS_BOB_USER"], "--imap-username": ENV["MS_BOB_USER"],
            "--smtp-host": "localhost", "--imap-host": "localhost", "--host": "localhost",
            "--smtp-password-file": self.smtp_pw, "--imap-password-file": self.imap_pw,
        }
        if flag == "--smtp-port":
            return ENV[smtp_ports[value]]
        if flag == "--imap-port":
            return ENV[imap_ports[value]]
        if flag == "--port":
            return ENV[(imap_ports if probe_imap else smtp_ports)[value]]
        if flag in table and not value.startswith("${"):
            return table[flag]
        return value

    def rewrite(self, argv):
        out = list(argv)
        for i in range(1, len(out) - 1):
            if out[i].startswith("--"):
                out[i + 1] = self.flag_value(out[i], out[i + 1], out)
        if out[0] == "/usr/local/bin/mailprobe":
            out[0] = MAILPROBE
        # A port the example leaves at its default (587, 143) is the stack's too.
        if "check" in out[:3]:
            if "--smtp-port" not in out:
                out += ["--smtp-port", ENV["MS_SMTP_STARTTLS_PORT"]]
            if "--imap-port" not in out:
                out += ["--imap-port", ENV["MS_IMAP_PORT"]]
        return out + ["--ca-file", ENV["MS_CA_FILE"]]

    def environment(self, assignments, credentials_dir):
        env = {}
        for a in assignments:
            k, v = a.split("=", 1)
            v = v.replace("${CREDENTIALS_DIRECTORY}", credentials_dir)
            if k == "MAILPROBE_SMTP_PASSWORD_FILE" and not v.startswith(credentials_dir):
                v = self.smtp_pw
            if k == "MAILPROBE_IMAP_PASSWORD_FILE" and not v.startswith(credentials_dir):
                v = self.imap_pw
            env[k] = v
        return env


def run_as(user, argv, env=None, textfile_dir=False, stdin=None, timeout=120):
    """Runs argv as `user`; with textfile_dir in a namespace where the Debian
    textfile directory is a fresh root:root 0755 tmpfs. Returns (rc, out, err, prom files)."""
    base = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
    base.update(env or {})
    cmd = ["runuser", "-u", user, "--", "env", "-i"] + [f"{k}={v}" for k, v in base.items()] + argv
    out_dir = tempfile.mkdtemp(prefix="mailprobe-prom-out-")
    if textfile_dir:
        script = (f"mount -t tmpfs -o mode=0755 tmpfs {TEXTFILE_DIR} && "
                  f"\"$@\"; rc=$?; cp -p {TEXTFILE_DIR}/. {out_dir}/ -r; exit $rc")
        cmd = ["unshare", "-m", "sh", "-c", script, "sh"] + cmd
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, input=stdin, timeout=timeout)
        proms = {}
        for name in sorted(os.listdir(out_dir)):
            with open(os.path.join(out_dir, name)) as f:
                proms[os.path.join(TEXTFILE_DIR, name)] = f.read()
    finally:
        shutil.rmtree(out_dir)
    return p.returncode, p.stdout, p.stderr, proms


def execd_one_tick(user, argv, env, records=1):
    """Telegraf's execd with signal = "STDIN", as `user`: one newline, the
    records read back, then stdin closed (Telegraf stopping). (rc, out, err)."""
    base = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
    base.update(env or {})
    cmd = ["runuser", "-u", user, "--", "env", "-i"] + [f"{k}={v}" for k, v in base.items()] + argv
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        p.stdin.write("\n")
        p.stdin.flush()
        line = "".join(p.stdout.readline() for _ in range(records))
        p.stdin.close()
        p.wait(timeout=120)
        rest, err = p.stdout.read(), p.stderr.read()
    finally:
        if p.poll() is None:
            p.kill()
    return p.returncode, line + rest, err


@unittest.skipUnless(os.geteuid() == 0 and shutil.which("unshare") and os.path.isdir(TEXTFILE_DIR),
                     "needs root, unshare(1) and prometheus-node-exporter's textfile directory")
class Examples(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mailprobe-examples-")
        os.chmod(self.tmp, 0o755)
        self.route = Route(self.tmp)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_cron_line_as_root_writes_the_textfile(self):
        with open(example("examples", "cron-prometheus-textfile")) as f:
            line = [l for l in f if l.strip() and not l.startswith("#") and not l.startswith("MAILTO")][0]
        fields = line.split(None, 6)
        user, command = fields[5], fields[6]
        self.assertEqual(user, "root")
        argv = shlex.split(command)
        self.assertEqual(argv[-1], ">/dev/null")
        argv = argv[:-1]
        at = argv.index("/usr/local/bin/mailprobe")
        argv = argv[:at] + self.route.rewrite(argv[at:])
        rc, out, err, proms = run_as(user, argv, textfile_dir=True)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, "")
        body = proms.get(TEXTFILE_DIR + "/mailprobe-check.prom", "")
        self.assertRegex(body, r"(?m)^mailprobe_check_success\{[^}]*\} 1$")

    def test_cron_as_a_user_that_cannot_write_fails_before_sending(self):
        with open(example("examples", "cron-prometheus-textfile")) as f:
            line = [l for l in f if l.strip() and not l.startswith("#") and not l.startswith("MAILTO")][0]
        argv = shlex.split(line.split(None, 6)[6])[:-1]
        argv = self.route.rewrite(argv[argv.index("/usr/local/bin/mailprobe"):])
        for pw in (self.route.smtp_pw, self.route.imap_pw):
            os.chown(pw, 65534, 65534)
        t0 = time.monotonic()
        rc, out, err, proms = run_as("nobody", argv, textfile_dir=True)
        self.assertLess(time.monotonic() - t0, 5)
        self.assertEqual(rc, 2, err)
        self.assertEqual(err, f"mailprobe check: cannot write --textfile: {TEXTFILE_DIR} is not writable: "
                              f"Permission denied (running as uid 65534)\n")
        self.assertEqual(proms, {})

    def test_systemd_unit_execstart_as_its_user(self):
        with open(example("examples", "systemd", "mailprobe-check.service")) as f:
            unit = f.read().replace("\\\n", " ")
        self.assertNotRegex(unit, r"(?m)^User=")  # root, no capabilities (see the unit)
        self.assertRegex(unit, r"(?m)^CapabilityBoundingSet=$")
        exec_start = re.search(r"(?m)^ExecStart=(.*)$", unit).group(1)
        with open(example("examples", "systemd", "mailprobe-check.env")) as f:
            args = re.search(r"(?m)^MAILPROBE_CHECK_ARGS=(.*)$", f.read()).group(1).split()
        creds = os.path.join(self.tmp, "credentials")
        state = os.path.join(self.tmp, "state")
        os.mkdir(creds)
        os.mkdir(state)
        shutil.copy(self.route.smtp_pw, os.path.join(creds, "smtp.pw"))
        shutil.copy(self.route.imap_pw, os.path.join(creds, "imap.pw"))
        argv = []
        for word in exec_start.split():
            if word == "$MAILPROBE_CHECK_ARGS":
                argv += args
            else:
                argv.append(word.replace("${CREDENTIALS_DIRECTORY}", creds).replace("${STATE_DIRECTORY}", state))
        argv = self.route.rewrite(argv)
        for run in (1, 2):
            rc, out, err, proms = run_as("root", argv, textfile_dir=True)
            self.assertEqual(rc, 0, err)
            body = proms.get(TEXTFILE_DIR + "/mailprobe-check.prom", "")
            self.assertRegex(body, r"(?m)^mailprobe_check_success\{[^}]*\} 1$")
        self.assertTrue(os.path.exists(os.path.join(state, "check.state")))

    def telegraf_inputs(self, path):
        with open(path, "rb") as f:
            conf = tomllib.load(f)
        return conf["inputs"]

    def run_telegraf_exec(self, path):
        """Each [[inputs.exec]] command, as user nobody (standing in for
        telegraf), with the input's environment and credentials readable by
        that user only, as systemd's LoadCredential= hands them out."""
        creds = os.path.join(self.tmp, "credentials")
        os.makedirs(creds, exist_ok=True)
        for name, src in (("telegraf.mailprobe_smtp", self.route.smtp_pw),
                          ("telegraf.mailprobe_imap", self.route.imap_pw)):
            shutil.copy(src, os.path.join(creds, name))
            os.chown(os.path.join(creds, name), 65534, 65534)
            os.chmod(os.path.join(creds, name), 0o400)
        for pw in (self.route.smtp_pw, self.route.imap_pw):
            os.chown(pw, 65534, 65534)
        results = []
        for inp in self.telegraf_inputs(path).get("exec", []):
            self.assertTrue(inp.get("log_stderr"), f"{path}: an exec input without log_stderr = true")
            env = self.route.environment(inp.get("environment", []), creds)
            for argv in inp["commands"]:
                rc, out, err, _ = run_as("nobody", self.route.rewrite(argv), env=env)
                results.append((argv, rc, out, err))
        # [[inputs.execd]] with signal = "STDIN": one tick, then Telegraf stops (stdin closes).
        for inp in self.telegraf_inputs(path).get("execd", []):
            self.assertEqual(inp.get("signal"), "STDIN", path)
            env = self.route.environment(inp.get("environment", []), creds)
            argv = inp["command"]
            results.append((argv, *execd_one_tick("nobody", self.route.rewrite(argv), env)))
        return results

    def test_telegraf_exec_configs_as_the_telegraf_user(self):
        for conf in (("telegraf", "mailprobe-check.conf"), ("telegraf", "mailprobe-json_v2.conf"),
                     ("telegraf", "mailprobe-probe.conf"), ("examples", "telegraf-three-routes.conf")):
            for argv, rc, out, err in self.run_telegraf_exec(example(*conf)):
                with self.subTest(conf=conf[1], argv=" ".join(argv[1:4])):
                    self.assertEqual(rc, 0, err)
                    self.assertEqual(len(out.splitlines()), 1, out)
                    self.assertRegex(out, r"success[\"=:]+(true|1)")

    def test_telegraf_execd_config_as_the_telegraf_user(self):
        results = self.run_telegraf_exec(example("telegraf", "mailprobe-execd.conf"))
        self.assertEqual(len(results), 1)
        for argv, rc, out, err in results:
            self.assertEqual(rc, 0, err)  # stdin closed: the running check finishes, then exit 0
            self.assertEqual(len(out.splitlines()), 1, out + err)
            self.assertTrue(out.startswith("mail_delivery,"), out)
            self.assertRegex(out, r"success=true")

    def test_routes_example_parses_and_says_what_to_change(self):
        # examples/routes.toml as written: every key, account and route is
        # valid, so the first thing it stops at (exit 2, nothing sent) is the
        # first secret file a user has to create.
        p = subprocess.run([MAILPROBE, "check", "--routes", example("examples", "routes.toml")],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        self.assertRegex(p.stderr, r"routes\.toml:\d+: key 'smtp-password-file': route 'own-to-gmail': "
                                   r"cannot read --smtp-password-file '/etc/mailprobe/own\.pw': No such file")

    def test_telegraf_execd_routes_config_as_the_telegraf_user(self):
        # telegraf/mailprobe-routes.conf as written (its --jitter too), with
        # only the routes file it names replaced by one for this stack.
        creds = os.path.join(self.tmp, "credentials")
        os.makedirs(creds, exist_ok=True)
        for pw in (self.route.smtp_pw, self.route.imap_pw):
            os.chown(pw, 65534, 65534)
        routes = os.path.join(self.tmp, "routes.toml")
        with open(routes, "w") as f:
            f.write(f"""[defaults]
ca-file = "{ENV['MS_CA_FILE']}"
timeout = 60

[account.alice]
email = "{ENV['MS_ALICE_USER']}"
smtp-host = "localhost"
smtp-port = {ENV['MS_SMTP_STARTTLS_PORT']}
smtp-username = "{ENV['MS_ALICE_USER']}"
smtp-password-file = "{self.route.smtp_pw}"

[account.bob]
email = "{ENV['MS_BOB_USER']}"
imap-host = "localhost"
imap-port = {ENV['MS_IMAP_PORT']}
imap-username = "{ENV['MS_BOB_USER']}"
imap-password-file = "{self.route.imap_pw}"

[[route]]
name = "alice-to-bob"
from = "alice"
to = "bob"

[[route]]
name = "alice-to-bob-again"
from = "alice"
to = "bob"
""")
        os.chmod(routes, 0o644)
        inputs = self.telegraf_inputs(example("telegraf", "mailprobe-routes.conf"))["execd"]
        self.assertEqual(len(inputs), 1)
        argv = list(inputs[0]["command"])
        self.assertEqual(argv[argv.index("--routes") + 1], "/etc/mailprobe/routes.toml")
        argv[argv.index("--routes") + 1] = routes
        argv[0] = MAILPROBE
        rc, out, err = execd_one_tick("nobody", argv, {}, records=2)
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertEqual(len(lines), 2, out + err)
        self.assertEqual(sorted(re.search(r",route=([^,]+)", l).group(1) for l in lines),
                         ["alice-to-bob", "alice-to-bob-again"])
        self.assertTrue(all("success=true" in l for l in lines), out)

    def test_post_deploy_script(self):
        env = {"SMTP_HOST": "localhost", "IMAP_HOST": "localhost", "SMTP_PORT": ENV["MS_SMTP_STARTTLS_PORT"],
               "IMAP_PORT": ENV["MS_IMAPS_PORT"], "MAIL_FROM": ENV["MS_ALICE_USER"],
               "MAIL_TO": ENV["MS_BOB_USER"], "CA_FILE": ENV["MS_CA_FILE"], "PAUSE": "1",
               "MAILPROBE_SMTP_PASSWORD_FILE": self.route.smtp_pw,
               "MAILPROBE_IMAP_PASSWORD_FILE": self.route.imap_pw,
               "PATH": os.path.dirname(MAILPROBE) + ":/usr/sbin:/usr/bin:/sbin:/bin"}
        script = example("examples", "post-deploy-check.sh")
        rc, out, err, _ = run_as("root", ["sh", script], env=env)
        self.assertEqual(rc, 0, out + err)
        self.assertTrue(out.endswith("post-deploy: mail flows\n"), out)
        self.assertEqual(len(out.splitlines()), 2, out)
        # A wrong password is final at once: one attempt, no 20 s pauses.
        wrong = os.path.join(self.tmp, "wrong.pw")
        with open(wrong, "w") as f:
            f.write("not-the-password\n")
        env["MAILPROBE_SMTP_PASSWORD_FILE"] = wrong
        env["PAUSE"] = "30"
        t0 = time.monotonic()
        rc, out, err, _ = run_as("root", ["sh", script], env=env)
        self.assertEqual(rc, 1, out + err)
        self.assertLess(time.monotonic() - t0, 20)
        self.assertEqual(out.count("attempt "), 1, out)
        self.assertIn("smtp_auth: auth_failed", out)
        self.assertIn("not retried", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
