#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Which named test covers each reject branch of the virtio request path.

A reject branch is a line of hw/virtio/virtio.c (the virtqueue walker and
the status/feature checks) or hw/virtio/virtio-mem.c (the request path)
that refuses guest input: a virtio_error() call, a "goto fail" of the
descriptor walker, or a VIRTIO_MEM_RESP_ERROR / _NACK / _BUSY answer.

With a coverage build (default build-cov/, -Dcoverage_branches=true,
built), every test path of the test programs below runs on its own, with
the counters reset before it, and the reject lines it executed are
recorded.  Writes a Markdown table (default
build-cov/coverage/reject-branches.md) and exits 1 if a reject branch is
covered by no test.

Usage: scripts/reject-coverage.py [--build DIR] [--out FILE]
"""
import glob
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILES = ["hw/virtio/virtio.c", "hw/virtio/virtio-mem.c"]
REJECT = re.compile(r"virtio_error\(|goto fail;|"
                    r"VIRTIO_MEM_RESP_(ERROR|NACK|BUSY)\b")
# Reject branches no guest input can reach, by their text, and why.
UNREACHABLE = {
    "driver set FEATURES_OK after DRIVER_OK":
        "unreachable: DRIVER_OK is only accepted with FEATURES_OK set "
        "(virtio.c:253) and status bits cannot be cleared without a reset "
        "(virtio.c:238), so FEATURES_OK can never be newly set after it",
    "Virtqueue size exceeded":
        "unreachable with virtio-mem, the only device: it pushes or drops "
        "every element before popping the next, and a drop breaks the "
        "device; kept for devices that hold elements",
}
# test program (relative to the build) -> the binary its qtests start
PROGRAMS = [
    ("tests/qtest/virtio-mmio-test", "sparsevm"),
    ("tests/qtest/virtio-mem-test", "sparsevm"),
    ("tests/qtest/virtio-reject-test", "sparsevm"),
    ("tests/faults/fault-virtio-mem-test", "tests/faults/sparsevm-faults"),
    ("tests/fuzz/fuzz-replay-virtio-mem", None),
]


def reject_sites():
    """(file, line, text) of every reject branch."""
    sites = []
    for path in FILES:
        with open(os.path.join(ROOT, path), encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if REJECT.search(line) and "void virtio_error" not in line \
                        and not line.lstrip().startswith(("*", "/*")):
                    sites.append((path, n, line.strip()))
    return sites


def reset_counters(build):
    for gcda in glob.glob(os.path.join(build, "**", "*.gcda"),
                          recursive=True):
        os.unlink(gcda)


def executed_lines(build):
    """{(file, line)} executed since the last reset, for FILES."""
    out = subprocess.run(
        ["gcovr", "-r", ROOT, build, "--json", "-"] +
        sum([["--filter", re.escape(os.path.join(ROOT, f))] for f in FILES],
            []),
        capture_output=True, text=True, check=True, cwd=build).stdout
    done = set()
    for f in json.loads(out)["files"]:
        for line in f["lines"]:
            if line["count"] > 0:
                done.add((f["file"], line["line_number"]))
    return done


def test_paths(build, program):
    out = subprocess.run([os.path.join(build, program), "-l"],
                         capture_output=True, text=True).stdout
    return [p for p in out.split() if p.startswith("/")]


def main():
    build = os.path.join(ROOT, "build-cov")
    out = None
    args = sys.argv[1:]
    while args:
        a = args.pop(0)
        if a == "--build":
            build = os.path.abspath(args.pop(0))
        elif a == "--out":
            out = args.pop(0)
    out = out or os.path.join(build, "coverage", "reject-branches.md")
    sites = reject_sites()
    covered = {(s[0], s[1]): [] for s in sites}
    corpus = os.path.join(ROOT, "tests/fuzz/corpus/virtio-mem")
    for program, binary in PROGRAMS:
        exe = os.path.join(build, program)
        if not os.path.exists(exe):
            continue
        env = dict(os.environ)
        if binary:
            env["QTEST_QEMU_BINARY"] = os.path.join(build, binary)
            runs = [([exe, "-p", p], p) for p in test_paths(build, program)]
        else:
            runs = [([exe, os.path.join(corpus, name)],
                     "fuzz corpus " + name)
                    for name in sorted(os.listdir(corpus))]
        for argv, name in runs:
            reset_counters(build)
            subprocess.run(argv, env=env, capture_output=True)
            done = executed_lines(build)
            for key in covered:
                if key in done:
                    covered[key].append(name)
    missing = 0
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        f.write("| reject branch | covered by |\n|---|---|\n")
        for path, n, text in sites:
            tests = covered[(path, n)]
            named = [t for t in tests if t.startswith("/")]
            shown = named[:3] or tests[:2]
            why = [r for k, r in UNREACHABLE.items() if k in text]
            if not tests and why:
                shown = why
            elif not tests:
                missing += 1
            text = text.replace("|", "\\|")
            f.write(f"| `{path}:{n}` `{text[:60]}` | "
                    f"{', '.join(shown) if shown else '**none**'}"
                    f"{' (+%d)' % (len(tests) - len(shown)) if len(tests) > len(shown) else ''} |\n")
    print(f"reject-coverage: {len(sites) - missing} of {len(sites)} reject "
          f"branches covered by a named test or known unreachable; table "
          f"in {out}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
