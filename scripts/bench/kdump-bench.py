#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The kdump benchmark: every kdump format at 1 and 2 compression threads,
side by side in one run.

N GiB (default 4) of plugged guest memory is filled with a realistic mix:
runs of 16 pages, each run at random a third of the time zero pages
(written as zeros, so the dump has to read them), text-like pages (words
from a vocabulary, compressing 2-4x) or random pages (incompressible).
The memory is a memory-backend-file in /dev/shm, filled from this script
through the file (share=on), which is much faster than the qtest socket.

After one warm-up dump (which maps the guest memory into the process,
as a guest that ran would have), for each format and thread count
(x-dump-threads), the best of --repeat synchronous dumps (command sent to reply, including the fsync and
rename into place) gives the time; throughput is guest memory per
second.  The speedup of 2 threads over 1 is printed per format (target
>= 1.7 on a 2-core machine; other work on the machine lowers it, so the
load average is printed before and after).

Usage: scripts/bench/kdump-bench.py [--build DIR] [--gib N] [--dir DIR]
                                     [--repeat N] [--formats A,B]
"""

import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sparsevm_qtest as sq  # noqa: E402
from kdump_workload import text_block  # noqa: E402

GiB = 1 << 30
MiB = 1 << 20
PAGE = 4096
RUN = 16 * PAGE
RAM_MB = 512
DRIVER_RAM = 256 * MiB      # the virtio-mem test driver's rings


def fill(path, size, seed=1):
    """Write the mix into @path (already @size bytes).  Returns the byte
    counts per kind."""
    rnd = random.Random(seed)
    text = text_block(rnd, 4 * MiB)
    zero = bytes(RUN)
    counts = {"zero": 0, "text": 0, "random": 0}
    fd = os.open(path, os.O_WRONLY)
    try:
        chunk = []
        off = 0
        for pos in range(0, size, RUN):
            kind = rnd.choice(("zero", "text", "random"))
            counts[kind] += RUN
            if kind == "zero":
                chunk.append(zero)
            elif kind == "text":
                start = rnd.randrange(0, len(text) - RUN)
                chunk.append(text[start:start + RUN])
            else:
                chunk.append(os.urandom(RUN))
            if len(chunk) == 64 or pos + RUN >= size:
                data = b"".join(chunk)
                os.pwrite(fd, data, off)
                off += len(data)
                chunk = []
    finally:
        os.close(fd)
    return counts


def start(binary, mem_path, size, virtio):
    """A VM whose @size bytes of plugged memory are the file @mem_path."""
    backend = ("memory-backend-file,id=mem0,size=%d,mem-path=%s,share=on" %
               (size, mem_path))
    if virtio:
        args = ["-machine", "microvm",
                "-m", "%dM,maxmem=%d" % (RAM_MB, RAM_MB * MiB + size + GiB),
                "-object", backend,
                "-device", "virtio-mem-device,id=vm0,memdev=mem0,"
                "requested-size=%d" % size]
        vm = sq.VM(binary, args)
        dev = sq.VirtioMem(vm, DRIVER_RAM)
        dev.plug(0, size // dev.block_size)
    else:
        args = ["-machine", "microvm,memory-backend=mem0",
                "-m", "%dM" % (size // MiB), "-object", backend]
        vm = sq.VM(binary, args)
    return vm


def timed_dump(vm, path, fmt, threads, repeat):
    best = None
    for _ in range(repeat):
        if os.path.exists(path):
            os.unlink(path)
        t0 = time.monotonic()
        vm.command("dump-guest-memory", paging=False, protocol="file:" + path,
                   format=fmt, **{"x-dump-threads": threads})
        t = time.monotonic() - t0
        best = t if best is None else min(best, t)
    return best


def load():
    return "%.2f %.2f %.2f" % os.getloadavg()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--gib", type=int, default=4)
    ap.add_argument("--dir", default=None,
                    help="where dump files go (default BUILD/bench)")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--formats", default=None,
                    help="comma-separated subset (default: every kdump "
                         "format the binary offers)")
    args = ap.parse_args()

    binary = os.path.join(args.build, "sparsevm")
    outdir = args.dir or os.path.join(args.build, "bench")
    os.makedirs(outdir, exist_ok=True)
    size = args.gib * GiB
    virtio = sq.has_device(binary, "virtio-mem-device")
    mem_path = "/dev/shm/sparsevm-kdump-bench-%d" % os.getpid()
    dump = os.path.join(outdir, "bench-dump.kdump")

    print("load average before: %s (%d CPUs)" % (load(), os.cpu_count()))
    with open(mem_path, "wb") as f:
        f.truncate(size)
    vm = None
    try:
        vm = start(binary, mem_path, size, virtio)
        t0 = time.monotonic()
        counts = fill(mem_path, size)
        print("filled %d GiB in %.1f s: %s" % (
            args.gib, time.monotonic() - t0,
            ", ".join("%s %.0f%%" % (k, 100.0 * v / size)
                      for k, v in counts.items())))
        if not virtio:
            print("note: this binary has no virtio-mem-device; main RAM "
                  "(the same file) stands in for plugged memory")
        caps = vm.command("query-dump-guest-memory-capability")["formats"]
        formats = [f for f in caps if f.startswith("kdump-")]
        if args.formats:
            formats = [f for f in formats if f in args.formats.split(",")]
        # A warm-up dump maps the guest memory into the process, as a
        # guest that ran would have; the file was filled from outside.
        timed_dump(vm, dump, "kdump-raw-snappy" if "kdump-raw-snappy" in
                   caps else "kdump-raw-zlib", 2, 1)
        os.unlink(dump)
        rows = []
        for fmt in formats:
            res = {}
            for threads in (1, 2):
                t = timed_dump(vm, dump, fmt, threads, args.repeat)
                res[threads] = (t, os.path.getsize(dump))
                os.unlink(dump)
            rows.append((fmt, res))
    finally:
        if vm:
            vm.quit()
        os.unlink(mem_path)

    print()
    print("kdump dumps of %d GiB plugged memory (a third each zero, text, "
          "random; best of %d)" % (args.gib, args.repeat))
    print("  %-18s %12s %8s | %8s %9s | %8s %9s | %7s" % (
        "format", "file size", "ratio", "1 thr s", "MiB/s", "2 thr s",
        "MiB/s", "speedup"))
    ok = True
    for fmt, res in rows:
        (t1, s1), (t2, s2) = res[1], res[2]
        assert s1 == s2, "%s: thread counts gave different sizes" % fmt
        speedup = t1 / t2
        ok &= speedup >= 1.7
        print("  %-18s %10.1f M %7.1f%% | %8.2f %9.0f | %8.2f %9.0f | %6.2fx"
              % (fmt, s1 / MiB, 100.0 * s1 / size, t1, size / MiB / t1, t2,
                 size / MiB / t2, speedup))
    print("  speedup target >= 1.7: %s" % ("met by every format" if ok else
                                            "MISSED by some format"))
    print("load average after: %s" % load())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
