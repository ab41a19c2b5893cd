#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make bench, live dumps: what a live dump costs the guest, side by side.

For a virtio-mem device with 1, 8 and 64 GiB plugged and 1 GiB of it
written (--quick: 1 and 2 GiB plugged, 256 MiB written), backed by
anonymous memory (memory-backend-ram, transparent huge pages where the host
allows them), by a memfd (4 KiB pages unless the host's shmem_enabled
allows more) and by a hugetlb memfd (2 MiB pages from a pool the bench
grows before and shrinks back after: needs root, else skipped), on the
real binary driven over qtest (scripts/bench/sparsevm_qtest.py):

  pause       STOP to RESUME of a live ELF dump (the QMP events' own
              timestamps), median and worst of --reps; target < 10 ms and
              flat in the plugged size
  command     the dump-guest-memory command from send to reply: the time
              the main loop -- and with it this qtest "guest", which has
              no vCPU thread -- is held; it includes the early protection
              of fd-backed RAM, done before STOP (a guest with vCPU
              threads would run through it)
  breakdown   from the trace (-trace dump_live_protect*, dump_live_pause):
              the early protection (extent search / total), inside the
              pause the snapshot's protection, and the CPU time the
              main thread ran during the pause (the rest of the pause
              is the host's scheduler: this machine is shared)
  throughput  the same guest dumped paused (no writer: the guest is
              stopped) and live while a writer rewrites every written page
              over and over (qtest memset of 256 KiB chunks, cycling over
              the written GiB); ratio paused time / live time, target >= 0.8
  stalls      the writer's chunk latency while the live dump runs, median
              and worst, next to the same latency with no dump
  copies      pages the write tracker saved before a write, from the
              tracker's trace line (counted by the writer, not the dump)
  cpu         CPU seconds per thread, median per dump: the dump thread
              (paused and live), the tracker's fault thread, sparsevm's
              main thread (which runs the writer's memsets) and the
              writer client itself (this script's writer thread): where a
              live dump's time goes on a host with few cores

Dumps go to files in /dev/shm (holes stay holes, nothing waits on a disk),
deleted after each dump.  Writes BUILD/bench/live.json and prints one table.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from sparsevm_qtest import VM, VirtioMem  # noqa: E402

MiB = 1 << 20
GiB = 1 << 30
CHUNK = 256 * 1024          # one writer command: 64 pages
PAUSE_TARGET_MS = 10.0
RATIO_TARGET = 0.8


def event_time(ev):
    return ev["timestamp"]["seconds"] + ev["timestamp"]["microseconds"] / 1e6


class Writer(threading.Thread):
    """Rewrites [start, start + size) in CHUNK pieces, cycling, until
    stopped; records each piece's latency."""

    def __init__(self, vm, start, size):
        super().__init__(daemon=True)
        self.vm, self.start_addr, self.size = vm, start, size
        self.stop_flag = threading.Event()
        self.lat = []
        self.bytes = 0
        self.stamps = []            # (monotonic, thread CPU) per chunk

    def run(self):
        off, val = 0, 0x40
        while not self.stop_flag.is_set():
            t0 = time.monotonic()
            self.vm.memset(self.start_addr + off, CHUNK, val)
            t1 = time.monotonic()
            self.lat.append(t1 - t0)
            self.stamps.append((t1, time.thread_time()))
            self.bytes += CHUNK
            off += CHUNK
            if off >= self.size:
                off, val = 0, (val + 1) & 0xff or 1

    def cpu_between(self, t0, t1):
        """CPU seconds this thread ran between monotonic @t0 and @t1
        (to the chunk)."""
        inside = [c for t, c in self.stamps if t0 <= t <= t1]
        return inside[-1] - inside[0] if len(inside) > 1 else 0.0

    def finish(self):
        self.stop_flag.set()
        self.join()
        return self.lat


BACKENDS = {
    "ram": "memory-backend-ram,reserve=off",
    "memfd": "memory-backend-memfd",
    "hugetlb": "memory-backend-memfd,hugetlb=on,hugetlbsize=2M,reserve=off",
}
NR_HUGEPAGES = "/proc/sys/vm/nr_hugepages"
HUGEPAGE = 2 * MiB


def hugepages_free():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("HugePages_Free:"):
                return int(line.split()[1])
    return 0


class HugePagePool:
    """Grow the host's pool of 2 MiB pages by @pages for the duration;
    shrink it back to what it was.  ok is False (with why) if the host
    does not let us."""

    def __init__(self, pages):
        self.pages, self.old, self.ok, self.why = pages, None, False, ""

    def __enter__(self):
        try:
            with open(NR_HUGEPAGES) as f:
                self.old = int(f.read())
            with open(NR_HUGEPAGES, "w") as f:
                f.write(str(self.old + self.pages))
            if hugepages_free() >= self.pages:
                self.ok = True
            else:
                self.why = (f"the host gave only {hugepages_free()} free "
                            f"huge pages of {self.pages}")
        except OSError as e:
            self.why = f"cannot resize the huge page pool: {e}"
        return self

    def __exit__(self, *exc):
        if self.old is not None:
            try:
                with open(NR_HUGEPAGES, "w") as f:
                    f.write(str(self.old))
            except OSError:
                pass


def start_vm(binary, backend, plugged, written, log):
    ram = 512
    vm = VM(binary, [
        "-machine", "microvm", "-m", f"{ram}M,maxmem={ram + plugged // MiB}M",
        "-object", f"{BACKENDS[backend]},id=mem0,size={plugged // MiB}M",
        "-device", "virtio-mem-device,id=vm0,memdev=mem0,block-size=2M,"
                   f"requested-size={plugged // MiB}M",
        "-trace", "enable=dump_live_p*", "-trace", "enable=dump_thread_cpu",
        "-trace", "enable=write_tracker_stop", "-D", log])
    vm.events = []
    vmem = VirtioMem(vm, 16 * MiB)
    blocks = plugged // vmem.block_size
    first = 0
    while first < blocks:
        n = min(blocks - first, 32768)
        vmem.plug(first, n)
        first += n
    for off in range(0, written, 64 * MiB):
        vm.memset(vmem.addr + off, min(64 * MiB, written - off), 0x3c)
    return vm, vmem


def main_thread_cpu(vm):
    """CPU seconds sparsevm's main thread has run (schedstat, ns)."""
    try:
        with open(f"/proc/{vm.proc.pid}/task/{vm.proc.pid}/schedstat") as f:
            return int(f.read().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return 0.0


def dump(vm, path, live, writer=None):
    """One detached ELF dump; returns (seconds, pause seconds or None,
    command seconds); vm.last_main_cpu is the main thread's CPU seconds
    during it."""
    # the previous dump's file is closed (and, unlinked, freed: 0.3 s for
    # 1.5 GiB of tmpfs) on the main loop after its DUMP_COMPLETED: wait
    # for that before timing this command
    vm.command("query-status")
    vm.events.clear()
    cpu0 = main_thread_cpu(vm)
    t0 = time.monotonic()
    vm.command("dump-guest-memory", paging=False, protocol=f"file:{path}",
               detach=True, live=live)
    t_cmd = time.monotonic() - t0
    ev = vm.event_wait("DUMP_COMPLETED")
    elapsed = time.monotonic() - t0
    vm.last_main_cpu = main_thread_cpu(vm) - cpu0
    vm.last_span = (t0, t0 + elapsed)
    if "error" in ev["data"]:
        raise RuntimeError(ev["data"]["error"])
    pause = None
    if live:
        pause = event_time(vm.event_wait("RESUME")) - \
            event_time(vm.event_wait("STOP"))
    else:
        vm.event_wait("RESUME")
    os.unlink(path)
    return elapsed, pause, t_cmd


def trace_times(log):
    """The last early and snapshot protection lines of the trace: their
    fields (find_us, total_us, ...) as ints, by name."""
    out = {}
    try:
        with open(log) as f:
            for line in f:
                for name in ("dump_live_protect_early", "dump_live_protect",
                             "dump_live_pause", "write_tracker_stop",
                             "dump_thread_cpu"):
                    if f":{name} " in line:
                        fields = line.split(f":{name} ", 1)[1].split()
                        out[name] = {k: int(v) for k, v in
                                     (x.split("=") for x in fields)
                                     if v.isdigit()}
    except OSError:
        pass
    return out


def point(binary, tmp, backend, plugged, written, reps):
    log = os.path.join(tmp, "trace.log")
    vm, vmem = start_vm(binary, backend, plugged, written, log)
    path = os.path.join(tmp, "live.elf")
    res = dict(backend=backend, plugged=plugged, written=written)
    try:
        pauses, cmds, early, snap, pcpu = [], [], [], [], []
        for _ in range(reps):
            _, p, c = dump(vm, path, True)
            pauses.append(p)
            cmds.append(c)
            tr = trace_times(log)
            early.append(tr.get("dump_live_protect_early", {}))
            snap.append(tr.get("dump_live_protect", {}))
            pcpu.append(tr.get("dump_live_pause", {}))
        res["pause_ms"] = dict(median=statistics.median(pauses) * 1e3,
                               worst=max(pauses) * 1e3,
                               samples=[p * 1e3 for p in pauses])
        res["command_ms"] = dict(median=statistics.median(cmds) * 1e3,
                                 worst=max(cmds) * 1e3)

        def med(rows, key):
            vals = [r[key] for r in rows if key in r]
            return statistics.median(vals) / 1e3 if vals else None
        res["breakdown_ms"] = dict(
            early_find=med(early, "find_us"),
            early_total=med(early, "total_us"),
            snapshot_protect=med(snap, "total_us"),
            pause_cpu=med(pcpu, "cpu_us"),
            pause_cpu_worst=max((r["cpu_us"] for r in pcpu if "cpu_us" in r),
                                default=0) / 1e3,
            snapshot_early_mode=bool(snap and snap[-1].get("early")))

        # the writer alone: its latency with no dump
        w = Writer(vm, vmem.addr, written)
        w.start()
        time.sleep(1.0)
        base = w.finish()

        paused, live, stalls, rewritten, tracker = [], [], [], 0, []
        cpu = dict(paused_dump=[], paused_dump_delay=[],
                   paused_dump_sleeps=[], live_dump=[], live_dump_delay=[],
                   live_dump_sleeps=[], fault=[], main=[], writer=[])
        for _ in range(reps):
            paused.append(dump(vm, path, False)[0])
            tr = trace_times(log).get("dump_thread_cpu", {})
            cpu["paused_dump"].append(tr.get("cpu_us", 0) / 1e6)
            cpu["paused_dump_delay"].append(tr.get("run_delay_us", 0) / 1e6)
            cpu["paused_dump_sleeps"].append(tr.get("nvcsw", 0))
            w = Writer(vm, vmem.addr, written)
            w.start()
            time.sleep(0.05)            # the writer is going
            live.append(dump(vm, path, True)[0])
            cpu["main"].append(vm.last_main_cpu)
            lat = w.finish()
            stalls += lat
            rewritten += w.bytes
            tr = trace_times(log)
            tracker.append(tr.get("write_tracker_stop", {}))
            cpu["live_dump"].append(tr.get("dump_thread_cpu", {}).get(
                "cpu_us", 0) / 1e6)
            cpu["live_dump_delay"].append(tr.get("dump_thread_cpu", {}).get(
                "run_delay_us", 0) / 1e6)
            cpu["live_dump_sleeps"].append(tr.get("dump_thread_cpu", {}).get(
                "nvcsw", 0))
            cpu["fault"].append(tracker[-1].get("fault_cpu_us", 0) / 1e6)
            cpu["writer"].append(w.cpu_between(*vm.last_span))
        res["tracker"] = tracker
        res["cpu_s"] = {k: statistics.median(v) for k, v in cpu.items()}
        res["paused_samples_s"] = paused
        res["live_samples_s"] = live
        res["paused_s"] = statistics.median(paused)
        res["live_s"] = statistics.median(live)
        res["ratio"] = res["paused_s"] / res["live_s"]
        res["writer_chunk_ms"] = dict(
            no_dump_median=statistics.median(base) * 1e3,
            no_dump_worst=max(base) * 1e3,
            live_median=statistics.median(stalls) * 1e3,
            live_worst=max(stalls) * 1e3,
            chunks=len(stalls))
        res["rewritten_bytes"] = rewritten
    finally:
        vm.quit()
        if os.path.exists(log):
            os.unlink(log)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--backends", default=",".join(BACKENDS),
                    help="comma-separated subset of " + ",".join(BACKENDS))
    ap.add_argument("--sizes", help="comma-separated plugged GiB "
                    "(default 1,8,64; --quick 1,2)")
    ap.add_argument("--smoke", action="store_true",
                    help="--quick without hugetlb, whose pool other tests "
                         "running at the same time also resize")
    ap.add_argument("--outdir", metavar="DIR",
                    help="live.json (default BUILD/bench)")
    args = ap.parse_args()
    args.quick = args.quick or args.smoke
    binary = os.path.join(args.build, "sparsevm")
    outdir = args.outdir or os.path.join(args.build, "bench")
    os.makedirs(outdir, exist_ok=True)
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    tmp = tempfile.mkdtemp(prefix="live-bench-", dir=shm)
    sizes = [1 * GiB, 2 * GiB] if args.quick else [1 * GiB, 8 * GiB, 64 * GiB]
    if args.sizes:
        sizes = [int(x) * GiB for x in args.sizes.split(",")]
    backends = args.backends.split(",")
    for b in backends:
        if b not in BACKENDS:
            ap.error(f"unknown backend {b}")
    written = 256 * MiB if args.quick else 1 * GiB
    reps = 1 if args.quick else args.reps
    results, skipped = [], {}
    print(f"live dumps: {written // MiB} MiB written, ELF, writer "
          f"rewriting it in {CHUNK // 1024} KiB qtest memsets", flush=True)
    try:
        for backend in backends:
            if args.smoke and backend == "hugetlb":
                skipped[backend] = "--smoke"
                print(f"  {backend}: skipped: --smoke", flush=True)
                continue
            # the written pages, and the guest's own use of the region
            pool = HugePagePool(written // HUGEPAGE + 64
                                if backend == "hugetlb" else 0)
            with pool:
                if backend == "hugetlb" and not pool.ok:
                    skipped[backend] = pool.why
                    print(f"  {backend}: skipped: {pool.why}", flush=True)
                    continue
                for p in sizes:
                    print(f"  {backend}, plugged {p // GiB} GiB ...",
                          flush=True)
                    results.append(point(binary, tmp, backend, p, written,
                                         reps))
    finally:
        os.rmdir(tmp)

    hdr = ("backend plugged  pause ms (med/worst)  pause cpu ms (med/worst)"
           "  command ms  early ms (find)  snapshot ms  paused s  live s  "
           "ratio  "
           "writer chunk ms: no dump med/worst | live med/worst")
    print(hdr)

    def ms(v):
        return f"{v:7.2f}" if v is not None else "      -"
    for r in results:
        wc, bd = r["writer_chunk_ms"], r["breakdown_ms"]
        print(f"{r['backend']:<7} {r['plugged'] // GiB:3d} GiB  "
              f"{r['pause_ms']['median']:8.2f} /"
              f"{r['pause_ms']['worst']:7.2f}    "
              f"{ms(bd['pause_cpu'])} /{ms(bd['pause_cpu_worst'])}  "
              f"{r['command_ms']['median']:8.1f}  "
              f"{ms(bd['early_total'])} ({ms(bd['early_find'])})  "
              f"{ms(bd['snapshot_protect'])}  "
              f"{r['paused_s']:8.3f}  "
              f"{r['live_s']:6.3f}  {r['ratio']:5.2f}  "
              f"{wc['no_dump_median']:8.2f} /{wc['no_dump_worst']:7.2f} | "
              f"{wc['live_median']:6.2f} /{wc['live_worst']:7.2f}")
    print("backend plugged  tracker per live dump under the writer "
          "(median): faults  copies  buffer waits  peak MiB")
    for r in results:
        def tmed(key):
            vals = [t[key] for t in r["tracker"] if key in t]
            return statistics.median(vals) if vals else 0
        print(f"{r['backend']:<7} {r['plugged'] // GiB:3d} GiB  "
              f"{tmed('faults'):10.0f} {tmed('copies'):7.0f} "
              f"{tmed('buffer_waits'):13.0f} "
              f"{tmed('buffer_peak') / MiB:9.1f}")
    print("backend plugged  cpu s per dump (median): paused dump (run "
          "delay s, sleeps) | live: dump (run delay s, sleeps)  fault  main  "
          "writer client")
    for r in results:
        c = r["cpu_s"]
        print(f"{r['backend']:<7} {r['plugged'] // GiB:3d} GiB  "
              f"{c['paused_dump']:23.3f} ({c['paused_dump_delay']:5.3f}, "
              f"{c['paused_dump_sleeps']:5.0f}) | {c['live_dump']:10.3f} "
              f"({c['live_dump_delay']:5.3f}, {c['live_dump_sleeps']:5.0f}) "
              f"{c['fault']:6.3f} {c['main']:5.3f} {c['writer']:6.3f}")
    for backend in backends:
        rs = [r for r in results if r["backend"] == backend]
        if not rs:
            print(f"{backend}: skipped: {skipped.get(backend, '?')}")
            continue
        worst_pause = max(r["pause_ms"]["worst"] for r in rs)
        min_ratio = min(r["ratio"] for r in rs)
        print(f"{backend}: pause target < {PAUSE_TARGET_MS:g} ms: worst "
              f"{worst_pause:.2f} ms -> "
              f"{'met' if worst_pause < PAUSE_TARGET_MS else 'MISSED'}; "
              f"throughput target >= {RATIO_TARGET}: lowest {min_ratio:.2f}"
              f" -> {'met' if min_ratio >= RATIO_TARGET else 'MISSED'}")
    with open(os.path.join(outdir, "live.json"), "w") as f:
        json.dump(dict(results=results, chunk=CHUNK, skipped=skipped), f,
                  indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
