#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make bench's scripts, in their smallest form, against the real binary.

make bench takes minutes and no test ran it: its scripts broke without
anyone noticing (vs-qemu.py died at its first step when contrib/vmdriver
put its virtqueues outside the probe workload's boot RAM).  This runs

  scripts/bench/vs-qemu.py --smoke      (sparsevm only, tiny workloads)
  scripts/bench/vs-qemu.py --from-json  (the summary and plots again)
  scripts/bench/run-all.py --quick      (then --plot of its results)
  scripts/bench/live-bench.py --smoke   (--quick without hugetlb)

each into a directory of its own, and fails on a non-zero exit, a Python
traceback, a missing output line or result, or (when this interpreter
has matplotlib) a missing plot.  Needs neither QEMU nor swtpm: the MOR
reset is checked only when swtpm is installed.

Usage: bench-smoke.py BUILD_DIR
"""
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BENCH = os.path.join(SRC, "scripts", "bench")
TIMEOUT = 600

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what, flush=True)
    return cond


def run(name, args):
    """Run bench script @name with @args; its stdout, or None."""
    cmd = [sys.executable, os.path.join(BENCH, name)] + args
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT,
                       check=False)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    ok = check(p.returncode == 0, "%s exited with %d" % (name, p.returncode))
    ok &= check("Traceback" not in p.stderr + p.stdout,
                "%s raised an exception" % name)
    return p.stdout if ok else None


def expect(out, name, patterns):
    for pat in patterns:
        check(re.search(pat, out, re.M),
              "%s printed no line matching %r" % (name, pat))


def have_matplotlib():
    return importlib.util.find_spec("matplotlib") is not None


def expect_files(d, names, plots):
    for n in names:
        if n.endswith(".png") and not plots:
            continue
        check(os.path.getsize(os.path.join(d, n)) > 0
              if os.path.exists(os.path.join(d, n)) else False,
              "no %s in %s" % (n, d))


NUM = r"[0-9]+\.[0-9]+"


def vs_qemu(build, tmp, plots):
    out = run("vs-qemu.py", ["--build", build, "--smoke", "--outdir", tmp])
    if out is None:
        return
    fmts = re.findall(r"^  worst (kdump-\S+) ", out, re.M)
    check({"kdump-zlib", "kdump-raw-zlib"} <= set(fmts),
          "vs-qemu.py: worst case without kdump-zlib: %s" % fmts)
    pats = [r"^  worst elf +%s s, +%s MiB on disk, peak RSS +%s MiB$" %
            (NUM, NUM, NUM),
            r"^  sparsevm ELF %s s, populated 0 MiB$" % NUM,
            r"^smoke workload \(16 MiB written of 320 MiB\): sparsevm$"]
    for f in fmts:
        pats += [r"^  worst %s +%s s" % (f, NUM),
                 r"^  sparsevm %s +%s2 thr +%s s \(cpu +%s\), +%s MiB; "
                 r"dd %s s$" % (f, "" if "raw" in f else
                                r"1 thr +%s s \(cpu +%s\), " % (NUM, NUM),
                                NUM, NUM, NUM, NUM),
                 r"^  %s +2 thr .* of min\(2 x 1 thr, disk\) "
                 r"\[(cpu|disk)-bound\]%s$" % (
                     f, r" \| raw / flattened time %s" % NUM
                     if "raw" in f else "")]
    if os.path.exists(os.path.join(SRC, "tests", "guest",
                                   "plug-pattern-linux-6.1.txt")):
        pats += [r"^  sparsevm %s +%s s, +%s MiB$" % (f, NUM, NUM)
                 for f in ("elf", "kdump-zstd", "kdump-zlib")]
    if shutil.which("swtpm"):
        pats += [r"^  sparsevm MOR reset %s s$" % NUM,
                 r"^  MOR reset: %s s vs QEMU -$" % NUM]
    expect(out, "vs-qemu.py", pats)
    check("QEMU" not in out.replace("vs QEMU -", ""),
          "vs-qemu.py --smoke ran QEMU")
    with open(os.path.join(tmp, "vs-qemu.json")) as f:
        res = json.load(f)
    check(set(res["summary"]["formats"]) == set(fmts) and
          set(res["worst"]) == {"elf"} | set(fmts),
          "vs-qemu.json: not every format has its results")
    for n in ("vs-qemu-mixed.png", "vs-qemu-worst.png",
              "vs-qemu-mor-replay.png"):
        if os.path.exists(os.path.join(tmp, n)):
            os.unlink(os.path.join(tmp, n))
    out = run("vs-qemu.py", ["--from-json", os.path.join(tmp, "vs-qemu.json")])
    if out is not None:
        expect(out, "vs-qemu.py --from-json",
               [r"^  kdump-zlib +2 thr .* of min\(2 x 1 thr, disk\)"])
    expect_files(tmp, ["vs-qemu-mixed.png", "vs-qemu-worst.png",
                       "vs-qemu-mor-replay.png"], plots)


def run_all(build, tmp, plots):
    out = run("run-all.py", ["--build", build, "--quick", "--outdir", tmp])
    if out is None:
        return
    fmts = ("elf", "kdump-lzo", "kdump-zstd")
    expect(out, "run-all.py",
           [r"^formats: elf, kdump-lzo, kdump-zstd; 1 repetitions$"] +
           [r"^    %s +%s s \(ignoring the RDM: +%s s, x%s\)$" %
            (f, NUM, NUM, NUM) for f in fmts] +
           [r"^    cat of the written bytes %s s: ELF dump throughput / "
            r"cat = %s$" % (NUM, NUM)] +
           [r"^  MOR %s: .*: %s ms \(ignoring the RDM %s ms\)$" %
            (s, NUM, NUM) for s in ("plugged", "region", "written")])
    with open(os.path.join(tmp, "results.json")) as f:
        res = json.load(f)
    check(len(res["dumps"]) == 6 and len(res["mor"]) == 6 and
          all(set(d["formats"]) == set(fmts) for d in res["dumps"]),
          "results.json: not every point and format")
    pngs = ["dump-vs-plugged.png", "dump-vs-region.png",
            "dump-vs-written.png", "mor-clear.png"]
    expect_files(tmp, pngs, plots)
    redraw = os.path.join(tmp, "redraw")
    if run("run-all.py", ["--plot", os.path.join(tmp, "results.json"),
                          "--outdir", redraw]) is not None:
        expect_files(redraw, pngs, plots)


def live_bench(build, tmp):
    out = run("live-bench.py", ["--build", build, "--smoke", "--outdir",
                                tmp])
    if out is None:
        return
    pats = [r"^hugetlb: skipped: --smoke$"]
    for b in ("ram", "memfd"):
        for p in (1, 2):
            pats.append(r"^%-7s +%d GiB +%s / +%s " % (b, p, NUM, NUM))
        pats.append(r"^%s: pause target < 10 ms: worst %s ms -> "
                    r"(met|MISSED); throughput target >= %s: lowest %s -> "
                    r"(met|MISSED)$" % (b, NUM, NUM, NUM))
    expect(out, "live-bench.py", pats)
    with open(os.path.join(tmp, "live.json")) as f:
        check(len(json.load(f)["results"]) == 4, "live.json: not 4 points")


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    build = os.path.abspath(sys.argv[1])
    plots = have_matplotlib()
    if not plots:
        print("no matplotlib in %s: plots not checked" % sys.executable)
    # the benches keep their scratch files (dump files, dd) next to their
    # results, as make bench does in BUILD/bench
    top = os.path.join(build, "bench")
    os.makedirs(top, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="smoke-", dir=top)
    try:
        for name, fn in (("vs-qemu", lambda d: vs_qemu(build, d, plots)),
                         ("run-all", lambda d: run_all(build, d, plots)),
                         ("live", lambda d: live_bench(build, d))):
            d = os.path.join(tmp, name)
            os.mkdir(d)
            fn(d)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("%d failure(s):\n  %s" % (len(failures),
                                        "\n  ".join(failures)))
        return 1
    print("make bench's scripts: all parts ran")
    return 0


if __name__ == "__main__":
    sys.exit(main())
