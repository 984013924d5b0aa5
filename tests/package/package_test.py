#!/usr/bin/env python3
"""What a package ships: the man page covers every option of every command
and renders cleanly, `meson install` puts binary, man page, completions,
units, Telegraf configs, examples and LICENSE under the usual prefixes, and
the bash completion offers the options of the binary it completes for.

Environment: MAILPROBE (the built binary), MESON_BUILD_ROOT, MESON_SOURCE_ROOT.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

MAILPROBE = os.environ["MAILPROBE"]
BUILD = os.environ["MESON_BUILD_ROOT"]
SOURCE = os.environ["MESON_SOURCE_ROOT"]
MAN = os.path.join(BUILD, "doc", "mailprobe.1")


def help_options(*args):
    out = subprocess.run([MAILPROBE, *args, "--help"], capture_output=True, text=True, check=True).stdout
    return set(re.findall(r"^\s+(?:-\w, )?(--[\w-]+)", out, re.M))


def commands():
    out = subprocess.run([MAILPROBE, "--help"], capture_output=True, text=True, check=True).stdout
    return re.findall(r"^  (\w+)\s", out.split("commands:", 1)[1], re.M)


class ManPage(unittest.TestCase):
    def setUp(self):
        with open(MAN, encoding="utf-8") as f:
            self.roff = f.read()

    def test_every_option_of_every_command_is_documented(self):
        names = set(re.findall(r"^\.B (?:\\-\w, )?((?:\\-){2}[\w\\-]+)", self.roff, re.M))
        documented = {n.replace("\\-", "-") for n in names}
        for cmd in commands():
            missing = help_options(cmd) - documented
            self.assertFalse(missing, f"mailprobe {cmd} options missing from mailprobe.1: {sorted(missing)}")

    def test_renders_without_warnings(self):
        r = subprocess.run(["groff", "-man", "-ww", "-z", MAN], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stderr, "")

    def test_whatis_entry(self):
        r = subprocess.run(["lexgrog", MAN], capture_output=True, text=True)
        self.assertIn("mailprobe - prove that mail really flows", r.stdout)

    def test_exit_status_matches_readme(self):
        for code in "0123":
            self.assertRegex(self.roff, rf"\.SH \"EXIT STATUS\"(.|\n)*\.B {code}\n")


class Install(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dest = tempfile.mkdtemp(prefix="mailprobe-install-")
        r = subprocess.run(["meson", "install", "-C", BUILD, "--no-rebuild", "--quiet", "--destdir", cls.dest],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError("meson install failed: " + r.stdout + r.stderr)
        intro = subprocess.run(["meson", "introspect", "--buildoptions", BUILD], capture_output=True, text=True,
                               check=True).stdout
        cls.prefix = re.search(r'"name": "prefix", "value": "([^"]+)"', intro).group(1)
        cls.root = cls.dest + cls.prefix

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dest)

    def test_files_land_under_the_usual_prefixes(self):
        for rel in ("bin/mailprobe", "share/man/man1/mailprobe.1",
                    "share/bash-completion/completions/mailprobe", "share/zsh/site-functions/_mailprobe",
                    "lib/systemd/system/mailprobe-check.service", "lib/systemd/system/mailprobe-check.timer",
                    "share/doc/mailprobe/LICENSE", "share/doc/mailprobe/README.md",
                    "share/doc/mailprobe/examples/post-deploy-check.sh",
                    "share/doc/mailprobe/examples/systemd/mailprobe-check.env",
                    "share/doc/mailprobe/examples/systemd/telegraf.service.d/mailprobe-credentials.conf",
                    "share/doc/mailprobe/telegraf/mailprobe-check.conf"):
            self.assertTrue(os.path.isfile(os.path.join(self.root, rel)), rel + " not installed")

    def test_unit_runs_the_installed_binary(self):
        with open(os.path.join(self.root, "lib/systemd/system/mailprobe-check.service")) as f:
            unit = f.read()
        self.assertIn("ExecStart=" + self.prefix + "/bin/mailprobe check ", unit)

    def test_installed_units_verify(self):
        if not shutil.which("systemd-analyze"):
            self.skipTest("no systemd-analyze")
        unit_dir = os.path.join(self.root, "lib/systemd/system")
        with tempfile.TemporaryDirectory() as d:
            for u in ("mailprobe-check.service", "mailprobe-check.timer"):
                with open(os.path.join(unit_dir, u)) as f:
                    text = f.read().replace(self.prefix + "/bin/mailprobe", MAILPROBE)
                with open(os.path.join(d, u), "w") as f:
                    f.write(text)
            r = subprocess.run(["systemd-analyze", "verify", "--man=no", os.path.join(d, "mailprobe-check.service"),
                                os.path.join(d, "mailprobe-check.timer")], capture_output=True, text=True)
            problems = [l for l in r.stderr.splitlines() if "mailprobe" in l and "EnvironmentFile" not in l]
            self.assertEqual(problems, [])

    def test_license_is_mit(self):
        with open(os.path.join(self.root, "share/doc/mailprobe/LICENSE")) as f:
            self.assertTrue(f.read().startswith("MIT License"))


class BashCompletion(unittest.TestCase):
    def complete(self, *words):
        script = os.path.join(SOURCE, "completions", "mailprobe.bash")
        words_q = " ".join("'" + w + "'" for w in words)
        prog = (f"source '{script}'; COMP_WORDS=({words_q}); COMP_CWORD={len(words) - 1}; "
                f"_mailprobe; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
        env = dict(os.environ, PATH=os.path.dirname(MAILPROBE) + ":" + os.environ["PATH"])
        r = subprocess.run(["bash", "-c", prog], capture_output=True, text=True, env=env)
        self.assertEqual(r.stderr, "")
        return r.stdout.split()

    def test_commands(self):
        self.assertEqual(self.complete("mailprobe", "pr"), ["probe"])

    def test_options_come_from_the_binary(self):
        self.assertEqual(self.complete("mailprobe", "check", "--imap-h"), ["--imap-host"])
        self.assertIn("--warn-days", self.complete("mailprobe", "probe", "smtp", "--w"))

    def test_values(self):
        self.assertEqual(self.complete("mailprobe", "check", "--smtp-tls", "s"), ["starttls"])
        self.assertEqual(sorted(self.complete("mailprobe", "completion", "")), ["bash", "zsh"])


class ZshCompletion(unittest.TestCase):
    def test_parses(self):
        if not shutil.which("zsh"):
            self.skipTest("no zsh")
        r = subprocess.run(["zsh", "-n", os.path.join(SOURCE, "completions", "_mailprobe")],
                           capture_output=True, text=True)
        self.assertEqual((r.returncode, r.stderr), (0, ""))


if __name__ == "__main__":
    unittest.main(verbosity=2)
