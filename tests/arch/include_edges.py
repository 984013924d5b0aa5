#!/usr/bin/env python3
"""Layering guard: every `#include "x/..."` edge between src/ folders must be
in ALLOWED, and some headers/calls may appear only in the folders CONFINED
names. Exit 0 when the tree obeys both tables, 1 (listing every offence)
when it does not. Run by meson as the `include-edges` test (suite unit).

Usage: include_edges.py SRC_DIR
       include_edges.py --self-test   (the guard catches a planted offence)
       include_edges.py --readme README.md   (its Architecture table equals ALLOWED)
"""
import os
import re
import sys
import tempfile

# folder -> folders it may include from. Read bottom-up: core depends on
# nothing; the shell (app) sits on top of everything and nothing includes it.
ALLOWED = {
    "core": set(),
    "net": {"core"},
    "report": {"core"},
    "message": {"core"},
    "dns": {"core"},
    "tls": {"core"},
    "smtp": {"core", "net"},
    "imap": {"core", "net"},
    "insight": {"core", "imap"},
    "check": {"core", "net", "report", "message", "dns", "smtp", "imap", "insight"},
    "cleanup": {"core", "net", "imap", "insight", "check"},
    "policy": {"core", "net", "report", "dns", "smtp"},
    "probe": {"core", "net", "report", "message", "dns", "smtp", "tls", "policy"},
    "serve": {"core"},
    "app": {"core", "net", "report", "message", "dns", "tls", "smtp", "imap", "insight", "check", "cleanup",
            "policy", "probe", "serve"},
}

# text -> the only folders whose files may contain it.
CONFINED = {
    "<cxxopts.hpp>": {"app"},
    "curl_easy_setopt": {"net"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([A-Za-z0-9_]+)/[^"]+"', re.M)


def offences(src):
    found = []
    for folder in sorted(os.listdir(src)):
        path = os.path.join(src, folder)
        if not os.path.isdir(path):
            continue
        if folder not in ALLOWED:
            found.append(f"{folder}/: folder missing from the ALLOWED table")
            continue
        for root, _, files in os.walk(path):
            for name in sorted(files):
                if not name.endswith((".cpp", ".hpp")):
                    continue
                file = os.path.join(root, name)
                rel = os.path.relpath(file, src)
                with open(file, encoding="utf-8") as f:
                    text = f.read()
                for target in INCLUDE.findall(text):
                    if target != folder and target not in ALLOWED[folder]:
                        found.append(f"{rel}: {folder} -> {target} is not an allowed edge")
                for needle, owners in CONFINED.items():
                    if needle in text and folder not in owners:
                        found.append(f"{rel}: {needle} belongs in {'/, '.join(sorted(owners))}/ only")
    return found


def self_test():
    """Plants one bad edge and one confined header in a scratch tree."""
    with tempfile.TemporaryDirectory() as d:
        for folder, text in (("core", '#include "core/a.hpp"\n'),
                             ("serve", '#include "core/a.hpp"\n#include "check/config.hpp"\n'),
                             ("net", "#include <cxxopts.hpp>\n")):
            os.mkdir(os.path.join(d, folder))
            with open(os.path.join(d, folder, "a.hpp"), "w", encoding="utf-8") as f:
                f.write(text)
        found = offences(d)
    expected = ["net/a.hpp: <cxxopts.hpp> belongs in app/ only",
                "serve/a.hpp: serve -> check is not an allowed edge"]
    if found != expected:
        print(f"self-test: expected {expected}, got {found}")
        return 1
    print("self-test: planted offences found")
    return 0


ROW = re.compile(r"^\| `([a-z]+)/` \|.*\| ([^|]+) \|$")


def readme_table(path):
    """folder -> allowed folders, from the README's Architecture table."""
    table = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = ROW.match(line.strip())
            if not m:
                continue
            folder, cell = m.group(1), m.group(2).strip()
            if cell == "—":
                table[folder] = set()
            elif cell == "everything above":
                table[folder] = set(table)
            else:
                table[folder] = {x.strip() for x in cell.split(",")}
    return table


def check_readme(path):
    documented = readme_table(path)
    if documented == ALLOWED:
        print("README architecture table matches the allowed edges")
        return 0
    for folder in sorted(set(documented) | set(ALLOWED)):
        if documented.get(folder) != ALLOWED.get(folder):
            print(f"{folder}/: README says {sorted(documented.get(folder, []))}, "
                  f"the guard allows {sorted(ALLOWED.get(folder, []))}")
    return 1


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    if len(sys.argv) == 3 and sys.argv[1] == "--readme":
        return check_readme(sys.argv[2])
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    found = offences(sys.argv[1])
    for line in found:
        print(line)
    print(f"{len(found)} layering offence(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
