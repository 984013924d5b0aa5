"""Every command-line mistake is one line in mailprobe's words, with the exit
code a wrapper relies on (2; Nagios UNKNOWN 3 with --output-format nagios),
and nothing is sent (no server is given a chance: the hosts do not exist).
Needs only the built binary."""
import os
import subprocess
import unittest

MAILPROBE = os.environ["MAILPROBE"]
SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
BASE = ["--email-from", "a@example.test", "--email-to", "b@example.test", "--smtp-host", "smtp.invalid",
        "--imap-host", "imap.invalid", "--imap-username", "b"]


def run(*args, env=None):
    e = {k: v for k, v in os.environ.items() if not k.startswith("MAILPROBE_")}
    e.update(env or {"MAILPROBE_IMAP_PASSWORD": "x"})
    p = subprocess.run([MAILPROBE, *args], capture_output=True, text=True, env=e, stdin=subprocess.DEVNULL,
                       timeout=10)
    return p.returncode, p.stdout, p.stderr


class Usage(unittest.TestCase):
    def assertLine(self, args, rc, stderr, stdout=""):
        self.assertEqual(run(*args), (rc, stdout, stderr))

    def test_bare_name_prints_the_usage(self):
        rc, out, err = run()
        self.assertEqual((rc, out), (2, ""))
        self.assertTrue(err.startswith("usage: mailprobe [command] [options]\n\ncommands:\n  check "), err)
        self.assertIn("  completion ", err)

    def test_typo_names_the_nearest_option(self):
        self.assertLine(["check", *BASE, "--imap-hots", "x"], 2,
                        "mailprobe check: unknown option --imap-hots (did you mean --imap-host?); see --help\n")
        self.assertLine(["--emial-to", "x"], 2,
                        "mailprobe check: unknown option --emial-to (did you mean --email-to?); see --help\n")
        self.assertLine(["check", "--frobnicate"], 2, "mailprobe check: unknown option --frobnicate; see --help\n")
        self.assertLine(["probe", "smtp", "--hots", "x"], 2,
                        "mailprobe probe: unknown option --hots (did you mean --host?); see --help\n")

    def test_bad_number_names_its_option(self):
        self.assertLine(["check", *BASE, "--timeout", "abc"], 2, "mailprobe check: --timeout: 'abc' is not a number\n")
        self.assertLine(["check", *BASE, "--timeout=abc"], 2, "mailprobe check: --timeout: 'abc' is not a number\n")
        self.assertLine(["check", *BASE, "-t", "abc"], 2, "mailprobe check: -t: 'abc' is not a number\n")

    def test_missing_value(self):
        self.assertLine(["check", *BASE, "--timeout"], 2, "mailprobe check: --timeout needs a value\n")

    def test_nagios_mode_usage_errors_are_unknown_with_one_stdout_line(self):
        self.assertLine(["check", "--email-from", "a@example.test", "--output-format", "nagios"], 3,
                        "mailprobe check: --email-to is required\n", "MAIL UNKNOWN - --email-to is required\n")
        self.assertLine(["check", *BASE, "--output-format=nagios", "--imap-hots", "x"], 3,
                        "mailprobe check: unknown option --imap-hots (did you mean --imap-host?); see --help\n",
                        "MAIL UNKNOWN - unknown option --imap-hots (did you mean --imap-host?); see --help\n")
        self.assertLine(["check", *BASE, "--output-format", "nagios", "--ca-file", "/nonexistent/ca.pem"], 3,
                        "mailprobe check: cannot read --ca-file '/nonexistent/ca.pem': No such file or directory\n",
                        "MAIL UNKNOWN - cannot read --ca-file '/nonexistent/ca.pem': No such file or directory\n")
        rc, out, err = run("probe", "smtp", "--output-format", "nagios")
        self.assertEqual(rc, 3, err)
        self.assertEqual(len(out.splitlines()), 1)
        self.assertTrue(out.startswith("MAILPROBE UNKNOWN - "), out)

    def test_version_spellings(self):
        for args in (["--version"], ["-V"], ["check", "-V"], ["probe", "-V"]):
            rc, out, err = run(*args)
            self.assertEqual((rc, err), (0, ""), args)
            self.assertRegex(out, r"^mailprobe \d+\.\d+\.\d+ \(libcurl/", args)

    def test_help_for_a_command(self):
        rc, out, err = run("help", "check")
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("--imap-host", out)
        self.assertIn("-v, --verbose", out)

    def test_completion_prints_the_installed_scripts(self):
        for shell, name in (("bash", "mailprobe.bash"), ("zsh", "_mailprobe")):
            with open(os.path.join(SRC, "completions", name)) as f:
                self.assertEqual(run("completion", shell), (0, f.read(), ""))
        self.assertLine(["completion", "fish"], 2, "mailprobe completion: unknown shell 'fish': give bash or zsh\n")
        self.assertLine(["completion"], 2, "mailprobe completion: give the shell: mailprobe completion bash|zsh\n")


if __name__ == "__main__":
    unittest.main(verbosity=2)
