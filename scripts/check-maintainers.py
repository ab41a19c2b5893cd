#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every file in the repository belongs to an area of MAINTAINERS.

An F: pattern is a path, a directory (ending in /: everything below it)
or a glob (* and ?, not crossing /, as in QEMU's MAINTAINERS).  Prints
the files no pattern covers and the patterns that cover no file, and
exits 1 if there are any.
"""
import fnmatch
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def patterns():
    with open(os.path.join(ROOT, "MAINTAINERS"), encoding="utf-8") as f:
        return [line[2:].strip() for line in f if line.startswith("F:")]


def covers(pat, path):
    if pat.endswith("/"):
        return path.startswith(pat)
    if any(c in pat for c in "*?["):
        return (fnmatch.fnmatchcase(path, pat) and
                path.count("/") == pat.count("/"))
    return path == pat


def main():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split()
    if not files:
        # not a git checkout (an unpacked tarball): nothing to compare
        return 0
    pats = patterns()
    bad = 0
    for path in files:
        if path in ("MAINTAINERS", ".gitignore") or \
                not any(covers(p, path) for p in pats):
            if path not in ("MAINTAINERS", ".gitignore"):
                print(f"MAINTAINERS: no area covers {path}")
                bad += 1
    for p in pats:
        if not any(covers(p, path) for path in files):
            print(f"MAINTAINERS: F: {p} covers no file")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
