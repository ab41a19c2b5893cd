#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The end-to-end demonstration (`make demo`; `make demo DEMO_FAST=1` for
the small version CI runs).

No guest kernel is involved: contrib/vmdriver plays the guest over the
qtest socket, exactly as the tests do, while this script is the operator
at the QMP monitor.  The story:

 1. start sparsevm with base RAM, a large memfd-backed virtio-mem device
    and a TPM (swtpm) with its memory-overwrite (MOR) switch;
 2. the "guest" plugs memory in a fragmented pattern, writes recognisable
    data into part of it, and unplugs some runs again;
 3. dump the guest in ELF and every kdump format the build supports,
    with the progress bar of scripts/dump-guest-memory;
 4. verify every dump with readelf, libkdumpfile, makedumpfile -R and the
    in-tree reader (contrib/dumpcheck); the guest published its
    VMCOREINFO (-device vmcoreinfo), so crash --osrelease names its
    kernel;
 5. dump the guest live while it keeps overwriting its data: show how
    long it was paused, and verify the dump holds the memory of the
    snapshot, not what the guest wrote afterwards;
 6. set MOR, reset, and show the secrets are gone and nothing unplugged
    was populated;
 7. print one table of what each dump cost.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from sparsevm.qmp import QMP  # noqa: E402

MiB = 1 << 20
GiB = 1 << 30
PAGE = 4096
PPI_MOR = 0xfed45000 + 0x15a
SECRET_ADDR = 512 * MiB
SECRET_LEN = 16 * MiB

SIZES = {
    # base RAM, virtio-mem region, requested, plugged, written
    "full": dict(ram=1 * GiB, region=32 * GiB, requested=12 * GiB,
                 plug=8 * GiB, write=1 * GiB),
    "fast": dict(ram=1 * GiB, region=4 * GiB, requested=1536 * MiB,
                 plug=1 * GiB, write=64 * MiB),
}


def step(text):
    print(f"\n==> {text}", flush=True)


def say(text):
    print(f"    {text}", flush=True)


def human(n):
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024
    return str(n)


class Driver:
    """contrib/vmdriver: the guest, one command per line."""

    def __init__(self, exe, vm_args):
        self.proc = subprocess.Popen([exe] + vm_args, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.pid = int(self._answer().split("pid=")[1])

    def _answer(self):
        line = self.proc.stdout.readline().strip()
        if not line.startswith("ok"):
            raise RuntimeError(f"vmdriver: {line or 'exited'}")
        return line[3:]

    def cmd(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self._answer()

    def config(self, line="config"):
        return {k: int(v, 0) for k, v in
                (kv.split("=") for kv in self.cmd(line).split())}

    def runs(self):
        text = self.cmd("runs")
        if not text:
            return []
        return [tuple(int(x, 16) for x in r.split("-"))
                for r in text.split(",")]

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=60)


def memfd_allocated(pid):
    """Bytes the virtio-mem memfd has allocated (st_blocks)."""
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(f"{fd_dir}/{fd}")
        except OSError:
            continue
        if "memfd:memory-backend-memfd" in target:
            return os.stat(f"{fd_dir}/{fd}").st_blocks * 512
    raise RuntimeError("the virtio-mem memfd was not found")


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


KDUMPFILE_CHECK = r"""
import hashlib, json, sys, kdumpfile
k = kdumpfile.kdumpfile(sys.argv[1])
k.attr['addrxlat.ostype'] = 'linux'
out = {"format": str(k.attr['file.format']), "pages": {}, "absent": []}
for a in json.loads(sys.argv[2]):
    d = k.read(kdumpfile.KDUMP_MACHPHYSADDR, a, 4096)
    out["pages"][str(a)] = hashlib.sha256(d).hexdigest()
for a in json.loads(sys.argv[3]):
    try:
        k.read(kdumpfile.KDUMP_MACHPHYSADDR, a, 4096)
    except Exception:
        out["absent"].append(a)
print(json.dumps(out))
"""


class Demo:
    def __init__(self, args):
        self.args = args
        self.sizes = SIZES["fast" if args.fast else "full"]
        self.build = args.build
        self.tmp = tempfile.mkdtemp(prefix="demo-", dir=args.workdir)
        self.rows = []
        self.failures = []
        self.sha_cache = {}

    def tool(self, *parts):
        path = os.path.join(self.build, *parts)
        if not os.access(path, os.X_OK):
            raise SystemExit(f"demo: {path} is missing (run make first)")
        return path

    # ------------------------------------------------------------ set-up

    def start(self):
        s = self.sizes
        step("Starting a TPM emulator (swtpm) for the guest's TPM 2.0 "
             "and its memory-overwrite switch")
        tpmdir = os.path.join(self.tmp, "tpm")
        os.mkdir(tpmdir)
        self.tpm_sock = os.path.join(self.tmp, "swtpm.sock")
        self.swtpm = subprocess.Popen(
            ["swtpm", "socket", "--tpm2", "--ctrl",
             f"type=unixio,path={self.tpm_sock}", "--tpmstate",
             f"dir={tpmdir}"], stderr=subprocess.DEVNULL)
        for _ in range(200):
            if os.path.exists(self.tpm_sock):
                break
            time.sleep(0.02)

        step(f"Starting sparsevm: {human(s['ram'])} of base RAM and a "
             f"{human(s['region'])} virtio-mem device on a memfd, 2 MiB "
             "blocks.  Nothing is plugged yet, so the memfd holds 0 bytes")
        self.qmp_sock = os.path.join(self.tmp, "qmp.sock")
        self.dump_sock = os.path.join(self.tmp, "qmp-dump.sock")
        ram_mib = s["ram"] // MiB
        maxmem = (s["ram"] + s["region"]) // MiB
        vm_args = [
            "-machine", "microvm", "-m", f"{ram_mib}M,maxmem={maxmem}M",
            "-object",
            f"memory-backend-memfd,id=mem0,size={s['region'] // MiB}M",
            "-device", "virtio-mem-device,id=vm0,memdev=mem0,block-size=2M",
            "-chardev", f"socket,id=chrtpm,path={self.tpm_sock}",
            "-tpmdev", "emulator,id=tpm0,chardev=chrtpm",
            "-device", "tpm-crb,tpmdev=tpm0",
            "-device", "vmcoreinfo",
            "-qmp", f"unix:{self.qmp_sock},server=on,wait=off",
            "-qmp", f"unix:{self.dump_sock},server=on,wait=off",
        ]
        self.guest = Driver(self.tool("contrib", "vmdriver"), vm_args)
        self.qmp = QMP(self.qmp_sock)
        cfg = self.guest.config("init")
        self.cfg = cfg
        say(f"virtio-mem region at 0x{cfg['addr']:x}, "
            f"{human(cfg['region'])}; memfd allocated: "
            f"{human(memfd_allocated(self.guest.pid))}")

    def plug_and_write(self):
        s = self.sizes
        step(f"Asking the guest for {human(s['requested'])} "
             "(qom-set requested-size): the device raises a config "
             "interrupt and the guest driver starts plugging")
        self.qmp.command("qom-set", path="vm0", property="requested-size",
                         value=s["requested"])
        self.guest.cmd("reinit")
        t0 = time.monotonic()
        out = self.guest.cmd(f"plug 2 1 {s['plug']}")
        say(f"the guest plugged {human(s['plug'])} as runs of 2 blocks "
            f"with 1-block gaps ({out.split()[0]}) in "
            f"{time.monotonic() - t0:.2f} s: a fragmented map, as a guest "
            "that onlined and offlined memory would leave it")
        say("memfd allocated after plugging: "
            f"{human(memfd_allocated(self.guest.pid))} (plugged memory "
            "costs nothing until written)")

        step(f"The guest writes recognisable pages into "
             f"{human(s['write'])} of the plugged memory, and secrets into "
             "its base RAM")
        runs = self.guest.runs()
        left, self.written = s["write"], []
        for start, end in runs:
            if left <= 0:
                break
            n = min(end - start, left)
            self.written.append((start, start + n))
            left -= n
        t0 = time.monotonic()
        for start, end in self.written:
            self.guest.cmd(f"write {start} {end - start}")
        self.guest.cmd(f"write {SECRET_ADDR} {SECRET_LEN}")
        say(f"wrote {human(s['write'] + SECRET_LEN)} in "
            f"{time.monotonic() - t0:.1f} s; memfd allocated: "
            f"{human(memfd_allocated(self.guest.pid))}")

        step("The guest unplugs every third run again: those blocks are "
             "discarded (holes punched in the memfd) and must vanish "
             "from every dump, data or not")
        out = self.guest.cmd("unplug-every 3")
        self.runs = self.guest.runs()
        self.cfg = self.guest.config()
        self.unplugged_written = []
        for start, end in self.written:
            for page in range(start, end, 2 * MiB):
                if not any(a <= page < b for a, b in self.runs):
                    self.unplugged_written.append(page)
        self.written = [(max(a, s0), min(b, e0)) for s0, e0 in self.written
                        for a, b in self.runs if a < e0 and s0 < b]
        say(f"{out}; {len(self.runs)} plugged runs remain, "
            f"{human(self.cfg['plugged'])} plugged; memfd allocated: "
            f"{human(memfd_allocated(self.guest.pid))}")
        mem = self.qmp.command("query-memory-devices")[0]["data"]
        say(f"query-memory-devices: size {human(mem['size'])}, "
            f"requested-size {human(mem['requested-size'])}, "
            f"block-size {human(mem['block-size'])}")

    def publish_vmcoreinfo(self):
        step("The guest's kernel publishes its VMCOREINFO note through "
             "fw_cfg (-device vmcoreinfo, file etc/vmcoreinfo), as Linux's "
             "qemu_fw_cfg driver does; its vCPU runs in long mode")
        out = self.guest.cmd("linux")
        fields = dict(f.split("=", 1) for f in out.split())
        self.release = fields["release"]
        say(f"note at {fields['vmcoreinfo']}, kernel release "
            f"{self.release}: every dump carries it, crash and drgn "
            "recognise the kernel")

    def check_osrelease(self, path, fmt):
        """crash --osrelease on ELF and plain kdump files."""
        if fmt != "elf" and not fmt.startswith("kdump-raw"):
            return []
        if not shutil.which("crash"):
            return []
        res = run(["crash", "--osrelease", path])
        got = res.stdout.strip()
        if fmt == "elf":
            say(f"$ crash --osrelease vmcore.{fmt}\n    {got}")
        if res.returncode or got != self.release:
            return [f"crash --osrelease says '{got}', not "
                    f"'{self.release}'"]
        return []

    # ----------------------------------------------------------- dumping

    def expected_sha(self, start, length):
        # the guest does not change between dumps: ask it once per range
        key = (start, length)
        if key not in self.sha_cache:
            self.sha_cache[key] = self.guest.cmd(
                f"pattern-sha256 {start} {length}")
        return self.sha_cache[key]

    def verify(self, path, fmt, summary):
        problems = []
        dumpcheck = self.tool("contrib", "dumpcheck")
        ranges = summary["ranges"]
        # Every plugged run is in the dump, nothing unplugged is.
        base = self.cfg["addr"]
        # a kdump bitmap run may begin in the ROM that ends where the
        # device begins: count only its part from the device on
        dumped = [(max(a, base), b) for a, b in ranges if b > base]
        merged = []
        for a, b in dumped:
            if merged and merged[-1][1] == a:
                merged[-1] = (merged[-1][0], b)
            else:
                merged.append((a, b))
        if merged != [tuple(r) for r in self.runs]:
            problems.append("the dump's virtio-mem ranges differ from the "
                            "plugged runs")
        # Every written byte reads back, through the in-tree reader (one
        # call for every range: it opens the dump once).
        ranges = list(self.written) + [(SECRET_ADDR,
                                        SECRET_ADDR + SECRET_LEN)]
        args = [str(v) for s, e in ranges for v in (s, e - s)]
        res = run([dumpcheck, path, "--sha256"] + args)
        got = res.stdout.split()
        if res.returncode or len(got) != len(ranges):
            problems.append("the in-tree reader failed: " +
                            res.stderr.strip()[-200:])
        else:
            for (start, end), sha in zip(ranges, got):
                if sha != self.expected_sha(start, end - start):
                    what = ("base RAM data" if start == SECRET_ADDR
                            else f"data at 0x{start:x}")
                    problems.append(f"{what} differs")
                    break
        # A flattened kdump file: makedumpfile -R rebuilds the plain file,
        # which must be the raw variant's bytes; libkdumpfile (0.5.1 opens
        # only plain files) reads the rebuilt one.
        lk_path = path
        plain = path + ".plain"
        if fmt.startswith("kdump-") and not fmt.startswith("kdump-raw"):
            with open(path, "rb") as f:
                res = subprocess.run(["makedumpfile", "-R", plain], stdin=f,
                                     capture_output=True, text=True)
            raw = self.raw_files.get(fmt.replace("kdump-", "kdump-raw-"))
            if res.returncode:
                problems.append("makedumpfile -R failed: " +
                                res.stderr.strip()[-200:])
            elif raw and run(["cmp", "-s", plain, raw]).returncode:
                problems.append("makedumpfile -R output differs from the "
                                "raw variant")
            lk_path = plain
        # libkdumpfile: sample pages, and unplugged-but-written pages
        # must be absent.
        samples = [a for s, e in self.written
                   for a in (s, e - PAGE)][:64]
        res = run(["/usr/bin/python3", "-c", KDUMPFILE_CHECK, lk_path,
                   json.dumps(samples),
                   json.dumps(self.unplugged_written[:16])])
        if os.path.exists(plain):
            os.unlink(plain)
        if res.returncode:
            problems.append("libkdumpfile: " + res.stderr.strip()[-200:])
        else:
            lk = json.loads(res.stdout)
            for a in samples:
                if lk["pages"][str(a)] != self.expected_sha(a, PAGE):
                    problems.append(f"libkdumpfile reads 0x{a:x} wrong")
                    break
            if len(lk["absent"]) != len(self.unplugged_written[:16]):
                problems.append("libkdumpfile finds unplugged pages")
        if fmt == "elf":
            res = run(["readelf", "-lnS", "-W", path])
            loads = res.stdout.count("  LOAD ")
            if res.returncode or res.stderr.strip() or \
                    loads != summary["pt_load"]:
                problems.append("readelf disagrees")
        return problems

    def dump_all(self):
        formats = self.qmp.command(
            "query-dump-guest-memory-capability")["formats"]
        formats = [f for f in formats if f == "elf" or f.startswith("kdump")]
        # Raw variants first, so flattened ones can be compared with them.
        formats.sort(key=lambda f: (not f.startswith("kdump-raw"),
                                    f != "elf", f))
        step(f"Dumping the guest in every format this build supports: "
             f"{', '.join(formats)}.  Each dump stops the VM, reads only "
             "plugged memory, skips never-written pages without reading "
             "them, and must populate nothing")
        self.raw_files = {}
        client = os.path.join(os.path.dirname(HERE), "scripts",
                              "dump-guest-memory")
        for fmt in formats:
            path = os.path.join(self.tmp, f"vmcore.{fmt}")
            before = memfd_allocated(self.guest.pid)
            print(f"    {fmt}:", flush=True)
            t0 = time.monotonic()
            res = subprocess.run([sys.executable, client, "-s",
                                  self.dump_sock, "-f", fmt, path])
            elapsed = time.monotonic() - t0
            after = memfd_allocated(self.guest.pid)
            if res.returncode:
                self.failures.append(f"{fmt}: dump failed")
                continue
            total = self.qmp.command("query-dump")["total"]
            st = os.stat(path)
            summary = json.loads(run([self.tool("contrib", "dumpcheck"),
                                      path]).stdout)
            problems = self.verify(path, fmt, summary)
            problems += self.check_osrelease(path, fmt)
            populated = (after - before) // PAGE
            if populated:
                problems.append(f"{populated} pages populated")
            self.rows.append(dict(fmt=fmt, disk=st.st_blocks * 512,
                                  apparent=st.st_size, time=elapsed,
                                  rate=total / elapsed / MiB,
                                  populated=populated,
                                  ok="; ".join(problems) or "ok"))
            if problems:
                self.failures.append(f"{fmt}: {'; '.join(problems)}")
            if fmt.startswith("kdump-raw"):
                self.raw_files[fmt] = path
            elif fmt != "elf" or not self.args.keep:
                os.unlink(path)
        for path in self.raw_files.values():
            os.unlink(path)

    # -------------------------------------------------------------- live

    def live_dump(self):
        step("A live dump while the guest keeps overwriting its data: the VM "
             "pauses only to write-protect what is populated; a guest write "
             "to a page not yet dumped waits while the page is copied")
        path = os.path.join(self.tmp, "vmcore.live.elf")
        ranges = list(self.written) + [(SECRET_ADDR,
                                        SECRET_ADDR + SECRET_LEN)]
        chunks = [(a, min(e, a + MiB)) for s, e in ranges
                  for a in range(s, e, MiB)]
        self.qmp.events.clear()
        before = memfd_allocated(self.guest.pid)
        t0 = time.monotonic()
        self.qmp.command("dump-guest-memory", paging=False,
                         protocol=f"file:{path}", detach=True, live=True)
        stop = self.qmp.event_wait("STOP", 10)
        resume = self.qmp.event_wait("RESUME", 10)
        pause = ((resume["timestamp"]["seconds"] -
                  stop["timestamp"]["seconds"]) * 1e6 +
                 resume["timestamp"]["microseconds"] -
                 stop["timestamp"]["microseconds"]) / 1e3
        # the guest overwrites its data until the dump is over
        during, i = 0, 0
        while self.qmp.command("query-dump")["status"] == "active":
            a, e = chunks[i % len(chunks)]
            self.guest.cmd(f"fill {a} {e - a} 238")
            during += e - a
            i += 1
        ev = self.qmp.event_wait("DUMP_COMPLETED", 600)
        elapsed = time.monotonic() - t0
        if "error" in ev["data"]:
            self.failures.append(f"live dump: {ev['data']['error']}")
            return
        # and once more after it, so that nothing of the data is left
        for a, e in chunks:
            self.guest.cmd(f"fill {a} {e - a} 238")
        say(f"guest paused {pause:.2f} ms (STOP to RESUME); the dump took "
            f"{elapsed:.2f} s while the guest overwrote "
            f"{human(during)} of its data")
        now = self.guest.cmd(f"sha256 {ranges[0][0]} "
                             f"{ranges[0][1] - ranges[0][0]}")
        changed = now != self.expected_sha(ranges[0][0],
                                           ranges[0][1] - ranges[0][0])
        summary = json.loads(run([self.tool("contrib", "dumpcheck"),
                                  path]).stdout)
        problems = self.verify(path, "elf", summary)
        if not changed:
            problems.append("the guest's memory did not change")
        say("guest memory now: overwritten" if changed else
            "guest memory now: UNCHANGED")
        say("the dump: " + ("every written range holds the snapshot's "
                            "bytes (in-tree reader, libkdumpfile, readelf)"
                            if not problems else "; ".join(problems)))
        st = os.stat(path)
        total = self.qmp.command("query-dump")["total"]
        # the guest rewrote populated pages only: nothing new is allocated
        populated = (memfd_allocated(self.guest.pid) - before) // PAGE
        if populated:
            problems.append(f"{populated} pages populated")
        self.rows.append(dict(fmt="elf (live)", disk=st.st_blocks * 512,
                              apparent=st.st_size, time=elapsed,
                              rate=total / elapsed / MiB,
                              populated=populated,
                              ok="; ".join(problems) or
                              f"ok, paused {pause:.2f} ms"))
        if problems:
            self.failures.append("live dump: " + "; ".join(problems))
        os.unlink(path)

    # --------------------------------------------------------------- MOR

    def mor_reset(self):
        step("Setting the TPM's memory-overwrite bit (MOR) the way firmware "
             "would, then resetting: every populated byte of RAM must be "
             "cleared before the guest runs again")
        before = memfd_allocated(self.guest.pid)
        secret_sha = self.guest.cmd(f"sha256 {SECRET_ADDR} {SECRET_LEN}")
        self.guest.cmd(f"writeb {PPI_MOR} 1")
        t0 = time.monotonic()
        self.qmp.command("system_reset")
        self.qmp.event_wait("RESET")
        elapsed = time.monotonic() - t0
        cfg = self.guest.config("reinit")
        after_sha = self.guest.cmd(f"sha256 {SECRET_ADDR} {SECRET_LEN}")
        zeros = run(["sh", "-c", f"head -c {SECRET_LEN} /dev/zero | "
                     "sha256sum"]).stdout.split()[0]
        after = memfd_allocated(self.guest.pid)
        gone = after_sha == zeros and after_sha != secret_sha
        say(f"reset took {elapsed * 1000:.0f} ms; base-RAM secrets "
            f"{'are gone (reads all zeros)' if gone else 'SURVIVED'}")
        say(f"virtio-mem after reset: plugged {human(cfg['plugged'])} "
            "(system reset unplugs everything); memfd allocated "
            f"{human(before)} before, {human(after)} after: the clear "
            "populated nothing")
        if not gone:
            self.failures.append("MOR: secrets survived the reset")
        if after > before or cfg["plugged"]:
            self.failures.append("MOR: memory was populated or stayed "
                                 "plugged")

    # ------------------------------------------------------------- table

    def table(self):
        step("What each dump cost (guest: "
             f"{human(self.sizes['ram'])} base RAM + "
             f"{human(self.cfg['plugged'])} plugged of a "
             f"{human(self.cfg['region'])} virtio-mem region, "
             f"{human(self.sizes['write'])} written)")
        head = (f"    {'format':<18} {'on disk':>10} {'apparent':>10} "
                f"{'time':>7} {'MiB/s':>8} {'populated':>9}  verified")
        print(head)
        print("    " + "-" * (len(head) - 4))
        for r in self.rows:
            print(f"    {r['fmt']:<18} {human(r['disk']):>10} "
                  f"{human(r['apparent']):>10} {r['time']:>6.2f}s "
                  f"{r['rate']:>8.0f} {r['populated']:>9}  {r['ok']}")
        say("'populated': memfd pages the dump caused to be allocated "
            "(must be 0).  'MiB/s': guest memory covered per second.")

    def stop(self):
        try:
            self.qmp.close()
        except Exception:
            pass
        self.guest.close()
        self.swtpm.terminate()
        self.swtpm.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--fast", action="store_true", help="small sizes (CI)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the ELF dump")
    ap.add_argument("--workdir", default=None,
                    help="where dumps are written (default: BUILD/demo)")
    args = ap.parse_args()
    if not args.workdir:
        args.workdir = os.path.join(args.build, "demo")
    os.makedirs(args.workdir, exist_ok=True)
    demo = Demo(args)
    t0 = time.monotonic()
    try:
        demo.start()
        demo.plug_and_write()
        demo.publish_vmcoreinfo()
        demo.dump_all()
        demo.live_dump()
        demo.mor_reset()
        demo.table()
    finally:
        demo.stop()
    print(f"\ndemo finished in {time.monotonic() - t0:.0f} s")
    if demo.failures:
        print("FAILED:\n  " + "\n  ".join(demo.failures))
        return 1
    print("every dump verified, nothing populated, secrets cleared")
    return 0


if __name__ == "__main__":
    sys.exit(main())
