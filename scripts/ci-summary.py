#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Summarise meson test logs as one line: "N passed, N failed".

Counts TAP subtests ("ok"/"not ok" lines) of every test program in each
build directory's meson-logs/testlog.json.  A program that failed without
reporting a failing subtest (crash, sanitizer report, timeout) counts as one
more failure.  Skipped subtests are reported on a line of their own and are
neither passed nor failed.  A build directory without a log (build broke)
counts as one failure.  Steps that are not meson tests (a clang build,
the static analysis, the coverage report, each fuzz target) come from
--steps FILE, one "PASS NAME" or "FAIL NAME" per line, and count one
each.  Exit status: 0 only if nothing failed.
"""
import json
import os
import re
import sys

OK_RESULTS = {"OK", "EXPECTEDFAIL", "SKIP"}
TAP_LINE = re.compile(r"^(not ok|ok)\b(.*)$")


def summarise(logfile):
    passed = failed = skipped = 0
    failures = []
    with open(logfile, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            entry = json.loads(line)
            p = f_ = s = 0
            for tap in entry.get("stdout", "").splitlines():
                m = TAP_LINE.match(tap.strip())
                if not m:
                    continue
                if m.group(1) == "ok":
                    if "# SKIP" in m.group(2).upper():
                        s += 1
                    else:
                        p += 1
                else:
                    f_ += 1
            if entry.get("result") not in OK_RESULTS and f_ == 0:
                f_ = 1
            if p == 0 and f_ == 0 and s == 0:
                # Not a TAP program: count the program itself.
                if entry.get("result") in OK_RESULTS:
                    p = 1
                else:
                    f_ = 1
            if f_:
                failures.append(entry.get("name", "?"))
            passed += p
            failed += f_
            skipped += s
    return passed, failed, skipped, failures


def read_steps(path):
    """Count the PASS/FAIL lines of a steps file."""
    passed = failed = 0
    failures = []
    if not os.path.exists(path):
        return 0, 1, [path + " (missing)"]
    with open(path, encoding="utf-8") as f:
        for line in f:
            word, _, name = line.strip().partition(" ")
            if word == "PASS":
                passed += 1
            elif word == "FAIL":
                failed += 1
                failures.append(name)
    return passed, failed, failures


def main():
    total_p = total_f = total_s = 0
    args = sys.argv[1:]
    builds = []
    while args:
        arg = args.pop(0)
        if arg == "--steps" and args:
            p, f, failures = read_steps(args.pop(0))
            total_p, total_f = total_p + p, total_f + f
            for name in failures:
                print(f"step: FAILED {name}")
        else:
            builds.append(arg)
    for build in builds:
        log = os.path.join(build, "meson-logs", "testlog.json")
        if not os.path.exists(log):
            print(f"{build}: no test log (the build or test run broke)")
            total_f += 1
            continue
        p, f, s, failures = summarise(log)
        total_p, total_f, total_s = total_p + p, total_f + f, total_s + s
        for name in failures:
            print(f"{build}: FAILED {name}")
    print(f"{total_s} skipped")
    print(f"{total_p} passed, {total_f} failed")
    return 1 if total_f else 0


if __name__ == "__main__":
    sys.exit(main())
