#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The dump benchmark: two comparisons, printed side by side.

1. Throughput: an ELF dump of N GiB of plugged and written virtio-mem
   memory, against `cat` of the resulting file (read once first, so it
   comes from the page cache) to a new file on the same file system.
   Both include fsync (the dump syncs before renaming into place; cat is
   followed by one).  Target: dump / cat >= 0.8.

2. Sparse cost: dumping a 64 GiB virtio-mem region with 32 GiB plugged
   and 1 GiB written, against dumping a 1 GiB region fully plugged and
   written.  Target: ratio <= 1.3.  For information, the same 64 GiB
   machine with -machine x-ignore-discard-manager=on (the block list as
   before the virtio-mem series) is timed too.

Without a virtio-mem device in the binary, main RAM stands in (then
"plugged" means "present"), and the output says so.

Usage: scripts/bench/dump-bench.py [--build DIR] [--gib N] [--dir DIR]
"""

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sparsevm_qtest as sq  # noqa: E402

GiB = 1 << 30
MiB = 1 << 20
RAM_MB = 512
# The test driver's rings live here in guest RAM.
DRIVER_RAM = 256 * MiB


def start(binary, region, plugged, written, virtio, extra=()):
    """A VM with @plugged bytes of a @region-byte device plugged and the
    first @written bytes filled.  Returns (vm, first data address)."""
    if virtio:
        args = ["-machine", "microvm" + "".join(extra),
                "-m", "%dM,maxmem=%d" % (RAM_MB, RAM_MB * MiB + region +
                                         GiB),
                "-object", "memory-backend-memfd,id=mem0,size=%d,share=on" %
                region,
                "-device", "virtio-mem-device,id=vm0,memdev=mem0,"
                "requested-size=%d" % plugged]
        vm = sq.VM(binary, args)
        dev = sq.VirtioMem(vm, DRIVER_RAM)
        dev.plug(0, plugged // dev.block_size)
        base = dev.addr
    else:
        size = plugged
        args = ["-machine", "microvm,memory-backend=mem0" + "".join(extra),
                "-m", "%dM" % (size // MiB),
                "-object", "memory-backend-memfd,id=mem0,size=%d,share=on" %
                size]
        vm = sq.VM(binary, args)
        base = 0
    for off in range(0, written, GiB):
        vm.memset(guest_addr(base, off, virtio), min(GiB, written - off),
                  0x5a)
    return vm, base


# microvm puts at most 3 GiB of RAM below 4 GiB, the rest above.
LOWMEM = 3 * GiB


def guest_addr(base, off, virtio):
    """Guest address of byte @off of the plugged memory."""
    if virtio or off < LOWMEM:
        return base + off
    return 4 * GiB + (off - LOWMEM)


def timed_dump(vm, path, repeat):
    """Synchronous dumps to @path; the best of @repeat, in seconds
    (command sent to reply)."""
    best = None
    for _ in range(repeat):
        if os.path.exists(path):
            os.unlink(path)
        t0 = time.monotonic()
        vm.command("dump-guest-memory", paging=False,
                   protocol="file:" + path)
        t = time.monotonic() - t0
        best = t if best is None else min(best, t)
    return best


def timed_cat(src, dst):
    """cat @src > @dst, then fsync @dst: (seconds, seconds without sync).
    @src is read once beforehand, so cat copies from the page cache (its
    best case: the dump was written around the page cache)."""
    with open(os.devnull, "wb") as null:
        subprocess.run(["cat", src], stdout=null, check=True)
    if os.path.exists(dst):
        os.unlink(dst)
    t0 = time.monotonic()
    with open(dst, "wb") as out:
        subprocess.run(["cat", src], stdout=out, check=True)
        t1 = time.monotonic()
        os.fsync(out.fileno())
    return time.monotonic() - t0, t1 - t0


def allocated(path):
    return os.stat(path).st_blocks * 512


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--gib", type=int, default=4,
                    help="GiB of plugged, written memory for the throughput "
                         "comparison (default 4)")
    ap.add_argument("--dir", default=None,
                    help="where dump files go (default BUILD/bench)")
    ap.add_argument("--region-gib", type=int, default=64)
    ap.add_argument("--plugged-gib", type=int, default=32)
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs per measurement; the best counts "
                         "(default 3)")
    args = ap.parse_args()

    binary = os.path.join(args.build, "sparsevm")
    outdir = args.dir or os.path.join(args.build, "bench")
    os.makedirs(outdir, exist_ok=True)
    virtio = sq.has_device(binary, "virtio-mem-device")
    st = os.statvfs(outdir)
    free = st.f_bavail * st.f_frsize
    gib = args.gib
    if free < 2.5 * gib * GiB:
        gib = max(1, int(free / GiB / 2.5))
        print("note: only %.1f GiB free in %s: using %d GiB" %
              (free / GiB, outdir, gib))
    if not virtio:
        print("note: this binary has no virtio-mem-device; main RAM (memfd) "
              "stands in for plugged memory")

    dump = os.path.join(outdir, "bench-dump.elf")
    copy = os.path.join(outdir, "bench-copy.elf")

    # 1. throughput
    vm, _ = start(binary, gib * GiB, gib * GiB, gib * GiB, virtio)
    t_dump = timed_dump(vm, dump, args.repeat)
    vm.quit()
    size = os.path.getsize(dump)
    t_cat, t_cat_nosync = min(timed_cat(dump, copy)
                              for _ in range(args.repeat))
    os.unlink(copy)
    os.unlink(dump)

    # 2. sparse cost
    region, plugged = args.region_gib * GiB, args.plugged_gib * GiB
    rows = []
    if virtio:
        sparse_label = "%d GiB region, %d GiB plugged, 1 GiB written" % (
            args.region_gib, args.plugged_gib)
    else:
        sparse_label = "%d GiB RAM (no virtio-mem), 1 GiB written" % (
            args.plugged_gib)
    for label, reg, plug, extra in (
            (sparse_label, region, plugged, ()),
            ("1 GiB region, fully written", GiB, GiB, ()),
            (sparse_label.split(",")[0] + ", x-ignore-discard-manager=on",
             region, plugged, (",x-ignore-discard-manager=on",))):
        vm, _ = start(binary, reg, plug, GiB, virtio, extra)
        t = timed_dump(vm, dump, args.repeat)
        vm.quit()
        rows.append((label, t, os.path.getsize(dump), allocated(dump)))
        os.unlink(dump)

    print()
    print("ELF dump throughput (%d GiB plugged and written, %s; best of %d)"
          % (gib, "virtio-mem" if virtio else "main RAM", args.repeat))
    print("  %-34s %9s %11s" % ("", "seconds", "MiB/s"))
    print("  %-34s %9.2f %11.0f" % ("dump-guest-memory (incl. fsync)",
                                    t_dump, size / MiB / t_dump))
    print("  %-34s %9.2f %11.0f" % ("cat + fsync", t_cat,
                                    size / MiB / t_cat))
    print("  %-34s %9.2f %11.0f" % ("cat, no fsync (page cache)",
                                    t_cat_nosync, size / MiB / t_cat_nosync))
    ratio1 = t_cat / t_dump
    print("  dump / cat throughput: %.2f (target >= 0.8) %s" %
          (ratio1, "OK" if ratio1 >= 0.8 else "MISSED"))
    print()
    print("Time to dump: sparse region vs. small dense region (best of %d)"
          % args.repeat)
    print("  %-48s %8s %12s %12s" % ("", "seconds", "file size",
                                     "allocated"))
    for label, t, fsize, alloc in rows:
        print("  %-48s %8.2f %10.1f G %10.2f G" % (label, t, fsize / GiB,
                                                  alloc / GiB))
    ratio2 = rows[0][1] / rows[1][1]
    print("  sparse / dense: %.2f (target <= 1.3) %s" %
          (ratio2, "OK" if ratio2 <= 1.3 else "MISSED"))
    return 0 if ratio1 >= 0.8 and ratio2 <= 1.3 else 1


if __name__ == "__main__":
    sys.exit(main())
