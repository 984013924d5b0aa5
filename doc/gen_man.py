#!/usr/bin/env python3
"""Writes mailprobe(1) from the built binary's own --help texts and the
README's exit-code table, so the man page cannot drift from either.

usage: gen_man.py MAILPROBE README.md OUTPUT
"""
import re
import subprocess
import sys

COMMANDS_RE = re.compile(r"^  (\w+)\s+(.*)$")
GROUP_RE = re.compile(r"^ (\S.*) options:$")
OPTION_RE = re.compile(r"^ {2,6}((?:-\w, )?--[\w-]+(?: arg)?(?: \[=arg\(=[^)]*\)\])?)(?:\s{2,}(.*))?$")


def roff(text):
    """Escapes text for a troff line: backslashes, leading dots/quotes, hyphens."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    # groff reads ASCII; other characters as \[uXXXX] escapes.
    text = "".join(c if ord(c) < 128 else "\\[u%04X]" % ord(c) for c in text)
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def run_help(binary, *args):
    out = subprocess.run([binary, *args], capture_output=True, text=True, check=True)
    return out.stdout


def parse_commands(top_help):
    """The command table of `mailprobe --help`: [(name, summary)]."""
    commands, in_table = [], False
    for line in top_help.splitlines():
        if line.strip() == "commands:":
            in_table = True
            continue
        if in_table:
            m = COMMANDS_RE.match(line)
            if not m:
                break
            commands.append((m.group(1), m.group(2)))
    return commands


def parse_command_help(text):
    """cxxopts help → (description lines, usage lines, [(group, [(spec, help)])])."""
    desc, usage, groups = [], [], []
    section = "desc"
    current = None
    for line in text.splitlines():
        if line.strip() == "Usage:":
            section = "usage"
            continue
        if section == "desc":
            desc.append(line)
            continue
        if section == "usage":
            if line.startswith("  ") and not line.lstrip().startswith("-"):
                usage.append(line.strip())
                continue
            section = "options"
        g = GROUP_RE.match(line)
        if g:
            current = (g.group(1), [])
            groups.append(current)
            continue
        m = OPTION_RE.match(line)
        if m:
            if current is None:
                current = ("", [])
                groups.append(current)
            current[1].append([m.group(1), (m.group(2) or "").strip()])
            continue
        if line.strip() and current and current[1]:
            entry = current[1][-1]
            entry[1] = (entry[1] + " " + line.strip()).strip()
    return [d for d in desc if d.strip()], usage, groups


def exit_table(readme):
    """Rows of the README's '### Exit codes and failures' table."""
    rows, seen = [], False
    for line in readme.splitlines():
        if line.startswith("### Exit codes"):
            seen = True
            continue
        if seen:
            m = re.match(r"^\| (\d) \| (.*) \|$", line)
            if m:
                rows.append((m.group(1), m.group(2)))
            elif rows and not line.startswith("|"):
                break
    return rows


def main():
    binary, readme_path, output = sys.argv[1:4]
    version = run_help(binary, "--version").split()[1]
    top = run_help(binary, "--help")
    commands = parse_commands(top)
    with open(readme_path, encoding="utf-8") as f:
        exits = exit_table(f.read())
    if not commands or not exits:
        sys.exit("gen_man.py: could not find the command table or the README exit-code table")

    out = []
    w = out.append
    w('.TH MAILPROBE 1 "" "mailprobe %s" "User Commands"' % version)
    w(".SH NAME")
    w("mailprobe \\- prove that mail really flows: send a probe over SMTP, find it over IMAP, time every stage")
    w(".SH SYNOPSIS")
    w(".B mailprobe")
    w("[\\fIcommand\\fR] [\\fIoptions\\fR]")
    w(".SH DESCRIPTION")
    w(roff("mailprobe sends a uniquely tagged message through an SMTP server, waits for it in an IMAP "
           "mailbox, deletes it and reports each stage's duration as JSON, InfluxDB line protocol, "
           "text, a Prometheus textfile or a Nagios plugin line. With no command, the options are "
           "those of check."))
    w(".SH COMMANDS")
    for name, summary in commands:
        w(".TP")
        w(".B %s" % roff(name))
        w(roff(summary))
    for name, _ in commands:
        desc, usage, groups = parse_command_help(run_help(binary, name, "--help"))
        w('.SH "%s"' % roff(name.upper() + " OPTIONS"))
        for d in desc:
            w(roff(d.strip()))
            w(".br")
        for u in usage:
            w(".PP")
            w(".B " + roff(u))
        for group, options in groups:
            if group:
                w('.SS "%s"' % roff(group))
            for spec, text in options:
                w(".TP")
                w(".B " + roff(spec))
                w(roff(text))
    w('.SH "EXIT STATUS"')
    for code, meaning in exits:
        w(".TP")
        w(".B %s" % code)
        w(roff(meaning.replace("`", "")))
    w(".SH ENVIRONMENT")
    for var, text in (
        ("MAILPROBE_SMTP_PASSWORD_FILE, MAILPROBE_IMAP_PASSWORD_FILE",
         "files holding the passwords when no --smtp-password-file/--imap-password-file is given"),
        ("MAILPROBE_SMTP_PASSWORD, MAILPROBE_IMAP_PASSWORD", "the passwords themselves (last resort)"),
        ("NO_COLOR", "when set and not empty, the text report uses no colour"),
    ):
        w(".TP")
        w(".B " + roff(var))
        w(roff(text))
    w(".SH EXAMPLES")
    w(".nf")
    w(roff("mailprobe demo"))
    w(roff("mailprobe check --email-from probe@example.org --email-to inbox@example.org \\"))
    w(roff("  --smtp-host smtp.example.org --smtp-username probe@example.org \\"))
    w(roff("  --smtp-password-file /etc/mailprobe/smtp.pw --imap-host imap.example.org \\"))
    w(roff("  --imap-username inbox@example.org --imap-password-file /etc/mailprobe/imap.pw"))
    w(roff("mailprobe probe smtp --host smtp.example.org --port 587"))
    w(".fi")
    w(".SH FILES")
    w(roff("Examples for cron, systemd, Telegraf and node_exporter are installed under "
           "/usr/share/doc/mailprobe/examples."))
    w('.SH "SEE ALSO"')
    w(".BR swaks (1), " + ".BR prometheus-node-exporter (1)")
    with open(output, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
