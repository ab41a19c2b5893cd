#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make bench, live dumps: what a live dump costs the guest, side by side.

For a virtio-mem device with 1, 8 and 64 GiB plugged and 1 GiB of it
written (--quick: 1 and 2 GiB plugged, 256 MiB written), backed by
anonymous memory (memory-backend-ram, transparent huge pages where the host
allows them) and by a memfd, on the real binary driven over qtest
(scripts/bench/sparsevm_qtest.py):

  pause       STOP to RESUME of a live ELF dump (the QMP events' own
              timestamps), median and worst of --reps; target < 10 ms and
              flat in the plugged size
  throughput  the same guest dumped paused (no writer: the guest is
              stopped) and live while a writer rewrites every written page
              over and over (qtest memset of 256 KiB chunks, cycling over
              the written GiB); ratio paused time / live time, target >= 0.8
  stalls      the writer's chunk latency while the live dump runs, median
              and worst, next to the same latency with no dump
  copies      pages the write tracker saved before a write, from the
              tracker's trace line (counted by the writer, not the dump)

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


class LiveVM(VM):
    """A VM whose QMP replies keep the events (with timestamps)."""

    def command(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.qmp.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._qmp_read()
            if "event" in reply:
                self.events.append(reply)
                continue
            if "error" in reply:
                raise RuntimeError("%s: %s" % (name, reply["error"]["desc"]))
            if "return" in reply:
                return reply["return"]

    def wait_event(self, name):
        while True:
            for i, ev in enumerate(self.events):
                if ev["event"] == name:
                    return self.events.pop(i)
            self.events.append(self._qmp_read())


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

    def run(self):
        off, val = 0, 0x40
        while not self.stop_flag.is_set():
            t0 = time.monotonic()
            self.vm.memset(self.start_addr + off, CHUNK, val)
            self.lat.append(time.monotonic() - t0)
            self.bytes += CHUNK
            off += CHUNK
            if off >= self.size:
                off, val = 0, (val + 1) & 0xff or 1

    def finish(self):
        self.stop_flag.set()
        self.join()
        return self.lat


BACKENDS = {
    "ram": "memory-backend-ram,reserve=off",
    "memfd": "memory-backend-memfd",
}


def start_vm(binary, backend, plugged, written):
    ram = 512
    vm = LiveVM(binary, [
        "-machine", "microvm", "-m", f"{ram}M,maxmem={ram + plugged // MiB}M",
        "-object", f"{BACKENDS[backend]},id=mem0,size={plugged // MiB}M",
        "-device", "virtio-mem-device,id=vm0,memdev=mem0,block-size=2M,"
                   f"requested-size={plugged // MiB}M"])
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


def dump(vm, path, live, writer=None):
    """One detached ELF dump; returns (seconds, pause seconds or None)."""
    vm.events.clear()
    t0 = time.monotonic()
    vm.command("dump-guest-memory", paging=False, protocol=f"file:{path}",
               detach=True, live=live)
    ev = vm.wait_event("DUMP_COMPLETED")
    elapsed = time.monotonic() - t0
    if "error" in ev["data"]:
        raise RuntimeError(ev["data"]["error"])
    pause = None
    if live:
        pause = event_time(vm.wait_event("RESUME")) - \
            event_time(vm.wait_event("STOP"))
    else:
        vm.wait_event("RESUME")
    os.unlink(path)
    return elapsed, pause


def point(binary, tmp, backend, plugged, written, reps):
    vm, vmem = start_vm(binary, backend, plugged, written)
    path = os.path.join(tmp, "live.elf")
    res = dict(backend=backend, plugged=plugged, written=written)
    try:
        pauses = [dump(vm, path, True)[1] for _ in range(reps)]
        res["pause_ms"] = dict(median=statistics.median(pauses) * 1e3,
                               worst=max(pauses) * 1e3,
                               samples=[p * 1e3 for p in pauses])

        # the writer alone: its latency with no dump
        w = Writer(vm, vmem.addr, written)
        w.start()
        time.sleep(1.0)
        base = w.finish()

        paused, live, stalls, rewritten = [], [], [], 0
        for _ in range(reps):
            paused.append(dump(vm, path, False)[0])
            w = Writer(vm, vmem.addr, written)
            w.start()
            time.sleep(0.05)            # the writer is going
            live.append(dump(vm, path, True)[0])
            lat = w.finish()
            stalls += lat
            rewritten += w.bytes
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
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    binary = os.path.join(args.build, "sparsevm")
    outdir = os.path.join(args.build, "bench")
    os.makedirs(outdir, exist_ok=True)
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    tmp = tempfile.mkdtemp(prefix="live-bench-", dir=shm)
    sizes = [1 * GiB, 2 * GiB] if args.quick else [1 * GiB, 8 * GiB, 64 * GiB]
    written = 256 * MiB if args.quick else 1 * GiB
    reps = 1 if args.quick else args.reps
    results = []
    print(f"live dumps: {written // MiB} MiB written, ELF, writer "
          f"rewriting it in {CHUNK // 1024} KiB qtest memsets", flush=True)
    try:
        for backend in BACKENDS:
            for p in sizes:
                print(f"  {backend}, plugged {p // GiB} GiB ...", flush=True)
                results.append(point(binary, tmp, backend, p, written, reps))
    finally:
        os.rmdir(tmp)

    hdr = ("backend plugged  pause ms (med/worst)  paused s  live s  ratio  "
           "writer chunk ms: no dump med/worst | live med/worst")
    print(hdr)
    for r in results:
        wc = r["writer_chunk_ms"]
        print(f"{r['backend']:<7} {r['plugged'] // GiB:3d} GiB  "
              f"{r['pause_ms']['median']:8.2f} /"
              f"{r['pause_ms']['worst']:7.2f}    {r['paused_s']:8.3f}  "
              f"{r['live_s']:6.3f}  {r['ratio']:5.2f}  "
              f"{wc['no_dump_median']:8.2f} /{wc['no_dump_worst']:7.2f} | "
              f"{wc['live_median']:6.2f} /{wc['live_worst']:7.2f}")
    for backend in BACKENDS:
        rs = [r for r in results if r["backend"] == backend]
        worst_pause = max(r["pause_ms"]["worst"] for r in rs)
        min_ratio = min(r["ratio"] for r in rs)
        print(f"{backend}: pause target < {PAUSE_TARGET_MS:g} ms: worst "
              f"{worst_pause:.2f} ms -> "
              f"{'met' if worst_pause < PAUSE_TARGET_MS else 'MISSED'}; "
              f"throughput target >= {RATIO_TARGET}: lowest {min_ratio:.2f}"
              f" -> {'met' if min_ratio >= RATIO_TARGET else 'MISSED'}")
    with open(os.path.join(outdir, "live.json"), "w") as f:
        json.dump(dict(results=results, chunk=CHUNK), f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
