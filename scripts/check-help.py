#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check that `sparsevm -help` and docs/system/ name the same options.

The options the docs name are the first column of the options table in
docs/system/invocation.md and every option of a `sparsevm ...` command
line in a code block of docs/system/*.md.  Each must be in -help; each
`PARAM=` and `PROTOCOL:` form the table's first column gives for an
option must appear on that option's -help line (so `-smp dies=` or
`-qmp chardev:ID` can not be documented and missing from -help); and
each -help option must have a row in the table.

Usage: check-help.py SPARSEVM
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs", "system")


def help_options(binary):
    out = subprocess.run([binary, "-help"], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    opts = {}
    for line in out.splitlines():
        m = re.match(r"^-(\S+)\s*(.*)$", line)
        if m:
            opts[m.group(1)] = m.group(2)
    return opts


def table_spans():
    """(option, span) of the options table's first column."""
    with open(os.path.join(DOCS, "invocation.md"), encoding="utf-8") as f:
        text = f.read()
    table = text.split("## Options", 1)[1].split("\n\n", 2)[1]
    for row in table.splitlines():
        if not row.startswith("| `"):
            continue
        first = re.split(r"(?<!\\)\|", row)[1]
        for span in re.findall(r"`([^`]+)`", first):
            if span.startswith("-"):
                yield span.split()[0][1:], span.replace("\\|", "|")


def command_line_options():
    """(file, option) of `sparsevm ...` lines in code blocks."""
    for name in sorted(os.listdir(DOCS)):
        if not name.endswith(".md"):
            continue
        with open(os.path.join(DOCS, name), encoding="utf-8") as f:
            text = f.read()
        for block in re.findall(r"```[^\n]*\n(.*?)```", text, re.S):
            cont = False
            for line in block.splitlines():
                if re.match(r"^\s*(\S*/)?sparsevm\s", line) or cont:
                    for tok in re.findall(r"(?:^|\s)-([a-zA-Z][\w-]*)", line):
                        yield name, tok
                cont = (cont or re.match(r"^\s*(\S*/)?sparsevm\s", line)) \
                    and line.rstrip().endswith("\\")


def main():
    opts = help_options(sys.argv[1])
    bad = []
    documented = set()
    for opt, span in table_spans():
        documented.add(opt)
        if opt not in opts:
            bad.append(f"invocation.md documents -{opt}, -help lacks it")
            continue
        for param in re.findall(r"(?:^|[\s\[,])([a-z][\w-]*)=", span):
            if f"{param}=" not in opts[opt]:
                bad.append(f"-{opt}: documented '{param}=' is not in -help")
        for proto in re.findall(r"(?:^|\s)([a-z]+):[A-Z]", span):
            if f"{proto}:" not in opts[opt]:
                bad.append(f"-{opt}: documented '{proto}:' is not in -help")
    for doc, opt in command_line_options():
        if opt not in opts:
            bad.append(f"{doc}: a command line uses -{opt}, -help lacks it")
    for opt in opts:
        if opt not in documented:
            bad.append(f"-help lists -{opt}, invocation.md's table lacks it")
    for b in bad:
        print("FAIL:", b)
    print(f"{len(opts)} options in -help, {len(documented)} in the table")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
