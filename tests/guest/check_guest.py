#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make check-guest: Debian's own Linux kernel as a guest, under Debian's
QEMU 7.2 and under QEMU with the qemu/ patch series, side by side.

For each binary: boot (TCG, q35, -device vmcoreinfo, a memfd-backed
virtio-mem-pci), plug, let the guest fill memory with a known pattern
(svm-fill), then dump in every format the binary offers, each measured
(time, bytes of the memfd the dump populated, file size) and opened by
crash, libkdumpfile (after makedumpfile -R for flattened kdump) and drgn.
Then the MOR path: the guest sets the TPM MOR bit and reboots.

A format's dump runs on a guest whose memfd the previous dump left
untouched; when a dump populated memory, the next format gets a freshly
booted guest so that every 'populated' figure starts from the same
baseline.

Writes build/guest/results.json and prints the side-by-side table.
Exit status 0 when every expectation holds (see expect_* below): the
bugs of the stock build are asserted as bugs, the patched build must fix
them.
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

import setup  # noqa: E402
import vm  # noqa: E402

MIB = vm.MIB
PY = "/usr/bin/python3"  # Debian's python: drgn and kdumpfile live there
SEED = 0x5356_4d21_c0ff_ee00
CRASH_CMDS = "sys\nkmem -i\nps\nbt -a\nquit\n"
# win-dmp needs a Windows guest (its KDBG block); a Linux guest gets an
# error by design, not a finding
SKIP_FORMATS = {"win-dmp": "Windows guests only"}


def log(msg):
    print("check-guest: " + msg, flush=True)


class Checks:
    """Expectations: each one is printed and counted."""

    def __init__(self):
        self.results = []

    def expect(self, what, ok, detail=""):
        self.results.append({"check": what, "ok": bool(ok),
                             "detail": detail})
        log("%s %s%s" % ("PASS" if ok else "FAIL", what,
                         " (%s)" % detail if detail else ""))
        return ok

    def failed(self):
        return [r for r in self.results if not r["ok"]]


def run_crash(vmlinux, version, dump, workdir):
    cmds = os.path.join(workdir, "crash-cmds")
    with open(cmds, "w") as f:
        f.write(CRASH_CMDS)
    try:
        p = subprocess.run(["crash", "-s", "--no_scroll", "-i", cmds,
                            vmlinux, dump], capture_output=True, text=True,
                           timeout=900, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {"tool": "crash", "ok": False, "error": "timeout"}
    out = p.stdout + p.stderr
    errors = [ln for ln in out.splitlines()
              if re.match(r"^(crash|sys|kmem|ps|bt): ", ln)]
    # The vCPU can be stopped in the middle of a context switch: the
    # runqueue's current task and the task whose stack the registers
    # point into differ, and crash says so at start-up, picks one and
    # goes on.  That is the guest's state at the instant, not the dump
    # format (the same format passes on the next dump): a notice.
    notices = [ln for ln in errors
               if ln.startswith("crash: inconsistent active task "
                                "indications for CPU")]
    errors = [ln for ln in errors if ln not in notices]
    res = {"tool": "crash", "rc": p.returncode,
           "warnings": [ln for ln in out.splitlines() if "WARNING" in ln],
           "notices": notices,
           "errors": errors,
           "tasks": len(re.findall(r"^PID: ", out, re.M))}
    res["ok"] = (p.returncode == 0 and not errors and
                 re.search(r"RELEASE: %s" % re.escape(version), out) and
                 "TOTAL MEM" in out and res["tasks"] > 0) and True
    if not res["ok"]:
        res["tail"] = out[-2000:]
    return res


def run_reader(args):
    try:
        p = subprocess.run([PY, os.path.join(HERE, "readers.py")] + args,
                           capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": "timeout"}
    try:
        return json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"ok": False, "error": "exit %d: %s" % (p.returncode,
                                                       p.stderr[-500:])}


def elf_diagnosis(path):
    """For a drgn failure on an ELF dump: its LOAD headers with a kernel
    virtual address, and the VMCOREINFO values drgn depends on."""
    with open(path, "rb") as f:
        if f.read(4) != b"\x7fELF":
            return None
    p = subprocess.run(["readelf", "-l", "-W", path], capture_output=True,
                       text=True)
    loads = [ln.split() for ln in p.stdout.splitlines()
             if ln.strip().startswith("LOAD")]
    p = subprocess.run(["readelf", "-n", "-W", path], capture_output=True,
                       text=True)
    return {"kernel_loads": [ln[1:6] for ln in loads
                             if ln[2].startswith("0xffff")],
            "loads": len(loads),
            "vmcoreinfo_seen": "VMCOREINFO" in p.stdout}


def is_flattened(path):
    with open(path, "rb") as f:
        return f.read(12) == b"makedumpfile"


def open_with_tools(s, dump, fill, plug, workdir):
    """crash, libkdumpfile, drgn on one dump: a dict per tool.  They run
    side by side (crash with makedumpfile -R, then libkdumpfile with
    drgn): each is one process and mostly waits for the disk or one
    core, and they only read the dump."""
    tools = {}
    samples = fill["samples"]
    target = dump
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        crash = pool.submit(run_crash, s["vmlinux"], s["version"], dump,
                            workdir)
        if is_flattened(dump):
            raw = dump + ".raw"
            start = time.monotonic()
            with open(dump, "rb") as fin:
                p = subprocess.run(["makedumpfile", "-R", raw], stdin=fin,
                                   capture_output=True, text=True)
            tools["makedumpfile-R"] = {"ok": p.returncode == 0,
                                       "seconds": time.monotonic() - start}
            if p.returncode != 0:
                tools["makedumpfile-R"]["error"] = p.stderr[-500:]
            target = raw
        kdf = pool.submit(run_reader, ["kdumpfile", target, hex(SEED),
                                       samples, hex(plug[0]),
                                       hex(plug[1])])
        drgn = pool.submit(run_reader, ["drgn", s["vmlinux"], target,
                                        hex(SEED), samples])
        tools["crash"] = crash.result()
        tools["libkdumpfile"] = kdf.result()
        tools["drgn"] = drgn.result()
    if not tools["drgn"]["ok"] and not is_flattened(dump):
        tools["drgn"]["diagnosis"] = elf_diagnosis(target)
    if target != dump and os.path.exists(target):
        os.unlink(target)
    return tools


def boot(qemu, s, args, workdir, tpm=False, trace=False, fill_mib=None):
    g = vm.Guest(qemu, s, workdir, boot_mib=args.boot_mib,
                 region_mib=args.region_mib, tpm=tpm, trace=trace)
    release = g.wait_ready(args.boot_timeout)
    if release is None:
        g.quit()
        raise RuntimeError("guest did not boot within %d s (see %s)"
                           % (args.boot_timeout, g.console))
    start = time.monotonic()
    g.plug(args.plug_mib * MIB)
    plug_s = time.monotonic() - start
    base, _region = g.plug_region()
    start = time.monotonic()
    line = g.ctl.request("fill %d %d %d %d" % (fill_mib or args.fill_mib,
                                               SEED, base,
                                               args.plug_mib * MIB))
    fill_s = time.monotonic() - start
    m = re.match(r"filled (\d+) in_plug (\d+) sample (\S+)", line)
    if not m:
        raise RuntimeError("unexpected fill answer: " + line)
    g.info = {"release": release, "boot_s": round(g.boot_seconds, 1),
              "plug_base": base,
              "plug_s": round(plug_s, 2), "fill_s": round(fill_s, 2)}
    g.fill = {"pages": int(m.group(1)), "in_plug": int(m.group(2)),
              "samples": m.group(3)}
    g.plug_range = (base, args.plug_mib * MIB)
    return g


def write_baseline(path, nbytes):
    """Seconds to write nbytes of non-zero data to path in 1 MiB writes
    and fdatasync them, the yardstick for the ELF dump time: a file:
    dump of the patched build is fdatasynced before it is renamed into
    place, so its time includes getting the bytes to the disk too."""
    buf = b"\xa5" * MIB
    start = time.monotonic()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        left = nbytes
        while left > 0:
            left -= os.write(fd, buf[:min(left, MIB)])
        os.fdatasync(fd)
    finally:
        os.close(fd)
    secs = time.monotonic() - start
    os.unlink(path)
    return secs


def elf_timing(g, path, pairs, rounds):
    """The ELF dump time against the yardstick, fairly on a shared
    machine: each dump is followed at once by the write of as many bytes
    as it put on disk, to the same directory, and the fastest of
    `rounds` such pairs is kept on each side, so that a burst of load
    from other jobs hits neither side alone.  pairs holds the first
    (dump, write) pair; more are taken only after a dump that populated
    nothing, so that the repeats change nothing for the guest."""
    for _ in range(rounds - len(pairs)):
        r = dump_one(g, "elf", path)
        if "error" in r:
            break
        os.unlink(path)
        pairs.append((r["seconds"], write_baseline(path + ".baseline",
                                                   r["disk"])))
    return {"dump_s": [round(d, 2) for d, _ in pairs],
            "write_s": [round(w, 2) for _, w in pairs],
            "best_dump_s": round(min(d for d, _ in pairs), 2),
            "best_write_s": round(min(w for _, w in pairs), 2)}


def dump_one(g, fmt, path):
    """One dump with the VM stopped around it: seconds and populated."""
    g.qmp.cmd("stop")
    before = g.memfd_populated()
    rss_before = g.rss_anon()
    args = {"paging": False, "protocol": "file:" + path}
    if fmt != "elf":
        args["format"] = fmt
    start = time.monotonic()
    error = None
    try:
        g.qmp.cmd("dump-guest-memory", **args)
    except vm.QMPError as e:
        error = str(e)
    secs = time.monotonic() - start
    after = g.memfd_populated()
    rss_after = g.rss_anon()
    g.qmp.cmd("cont")
    r = {"seconds": round(secs, 2), "populated": after - before,
         "memfd_before": before, "rss_anon_growth": rss_after - rss_before}
    if error:
        r["error"] = error
    else:
        st = os.stat(path)
        r["size"] = st.st_size
        r["disk"] = st.st_blocks * 512
    return r


def scenario_dumps(label, qemu, s, args, workdir, checks, trace_to):
    res = {"path": qemu, "formats": {}, "guests": []}
    g = None
    formats = None
    n = 0
    try:
        while True:
            if g is None:
                n += 1
                g = boot(qemu, s, args, os.path.join(workdir, "g%d" % n),
                         trace=trace_to is not None and n == 1)
                res["guests"].append(dict(g.info, **g.fill))
                checks.expect("%s: fill landed in plugged memory" % label,
                              g.fill["in_plug"] == g.fill["pages"],
                              "%d of %d pages" % (g.fill["in_plug"],
                                                  g.fill["pages"]))
            if formats is None:
                caps = g.qmp.cmd("query-dump-guest-memory-capability")
                formats = [f for f in caps["formats"]]
                res["version"] = g.qmp.cmd("query-version")["package"]
                todo = list(formats)
            if not todo:
                break
            fmt = todo.pop(0)
            if fmt in SKIP_FORMATS:
                res["formats"][fmt] = {"skipped": SKIP_FORMATS[fmt]}
                continue
            path = os.path.join(workdir, "dump-%s-%s" % (label, fmt))
            log("%s: dump %s" % (label, fmt))
            r = dump_one(g, fmt, path)
            if "error" not in r:
                if fmt == "elf":
                    pairs = [(r["seconds"], write_baseline(
                        path + ".baseline", r["disk"]))]
                start = time.monotonic()
                r["tools"] = open_with_tools(s, path, g.fill, g.plug_range,
                                             workdir)
                r["tools_s"] = round(time.monotonic() - start, 1)
                os.unlink(path)
                if fmt == "elf":
                    r["timing"] = elf_timing(
                        g, path, pairs, 3 if r["populated"] == 0 else 1)
            res["formats"][fmt] = r
            log("%s: %s %.2f s, populated %d MiB, %s bytes" % (
                label, fmt, r["seconds"], r["populated"] // MIB,
                r.get("size")))
            if r["populated"] > 0:
                finish(g, args, trace_to, res)
                g = None
    finally:
        if g is not None:
            finish(g, args, trace_to, res)
    return res


def finish(g, args, trace_to, res):
    """Quit a guest; the traced one first gives back half its plugged
    memory, so that the recorded pattern has the guest's unplug requests
    too (Linux picks the blocks, migrating what it must)."""
    try:
        if g.trace_log and g.proc.poll() is None:
            want = args.plug_mib * MIB // 2
            try:
                g.plug(want, timeout=60)
            except TimeoutError:
                pass
            res["unplug_probe"] = {
                "requested": want,
                "size": g.qmp.cmd("qom-get", path="vm0", property="size")}
    finally:
        g.quit()
    if g.trace_log and trace_to:
        shutil.copy(g.trace_log, trace_to)


def reset_vector(g):
    out = g.hmp("xp /4xb 0xfffffff0")
    return [int(x, 16) for x in out.split(":", 1)[1].split()]


def wait_reboot(g, timeout, dead_wait=30):
    """(release or None, reset vector bytes, RssAnon right after the
    reset) after the guest asked for a
    reboot.  Once QEMU reported the reset, a reset vector that reads
    zero cannot boot anything: then only dead_wait more seconds are
    spent confirming that the guest stays silent."""
    deadline = time.monotonic() + timeout
    vector = rss = None
    g.qmp.events.clear()
    while time.monotonic() < deadline:
        release = g.ctl.wait_ready(0.5)
        if release is not None:
            return release, vector or reset_vector(g), rss
        g.qmp.cmd("query-status")  # collects the RESET event
        if vector is None and any(e["event"] == "RESET"
                                  for e in g.qmp.events):
            rss = g.rss_anon()
            vector = reset_vector(g)
            if vector == [0, 0, 0, 0]:
                deadline = min(deadline, time.monotonic() + dead_wait)
    return None, vector if vector is not None else reset_vector(g), rss


def scenario_mor(label, qemu, s, args, workdir, checks):
    """MOR set, reboot.  The fill is larger than the plugged memory so
    that part of it lands in boot RAM: virtio-mem's own reset discards
    the plugged part anyway, what the MOR clear must erase is the rest."""
    g = boot(qemu, s, args, os.path.join(workdir, "mor"), tpm=True,
             fill_mib=args.plug_mib + args.mor_extra_mib)
    res = dict(g.info, **g.fill)
    checks.expect("%s MOR guest: part of the fill is in boot RAM" % label,
                  g.fill["pages"] > g.fill["in_plug"],
                  "%d of %d pages" % (g.fill["pages"] - g.fill["in_plug"],
                                      g.fill["pages"]))
    try:
        g.qmp.cmd("query-status")
        res["rss_anon_before"] = g.rss_anon()
        res["memfd_before"] = g.memfd_populated()
        res["mor"] = g.ctl.request("mor")
        start = time.monotonic()
        g.ctl.request("reboot")
        release, vector, rss = wait_reboot(g, max(90,
                                                  3 * g.info["boot_s"]))
        res["came_back"] = release is not None
        res["reboot_s"] = round(time.monotonic() - start, 1)
        res["reset_vector"] = vector
        res["rss_anon_at_reset"] = rss
        res["rss_anon_after"] = g.rss_anon()
        res["memfd_after_reset"] = g.memfd_populated()
        if release is not None:
            deadline = time.monotonic() + 60
            while (g.qmp.cmd("qom-get", path="vm0", property="size") !=
                   args.plug_mib * MIB and time.monotonic() < deadline):
                time.sleep(0.2)
            path = os.path.join(workdir, "dump-%s-after-mor" % label)
            r = dump_one(g, "elf", path)
            if "error" not in r:
                r["tools"] = {
                    "plugged": run_reader(
                        ["kdumpfile", path, hex(SEED), "",
                         hex(g.plug_range[0]), hex(g.plug_range[1])]),
                    "boot_ram": run_reader(
                        ["kdumpfile", path, hex(SEED), "", "0",
                         hex(args.boot_mib * MIB)])}
                os.unlink(path)
            res["dump_after"] = r
    finally:
        g.quit()
    return res


def fmt_mib(n):
    return "%.0f MiB" % (n / MIB) if n is not None else "-"


def tools_cell(r):
    if "skipped" in r:
        return "n/a"
    if "error" in r:
        return "dump failed"
    t = r["tools"]
    return " ".join("%s %s" % (name, "ok" if t[key]["ok"] else "FAIL")
                    for name, key in (("crash", "crash"),
                                      ("kdf", "libkdumpfile"),
                                      ("drgn", "drgn")))


def table(results):
    stock = results["binaries"].get("stock", {}).get("formats", {})
    patched = results["binaries"].get("patched", {}).get("formats", {})
    fmts = list(stock) + [f for f in patched if f not in stock]
    rows = [["format", "stock time", "populated", "size", "patched time",
             "populated", "size", "tools stock", "tools patched"]]

    def cells(r):
        if r is None:
            return ["-", "-", "-"]
        if "skipped" in r:
            return ["n/a", "", ""]
        if "error" in r:
            return ["error", "", ""]
        return ["%.2f s" % r["seconds"], fmt_mib(r["populated"]),
                "%s (%s on disk)" % (fmt_mib(r["size"]),
                                     fmt_mib(r["disk"]))]

    for f in fmts:
        s, p = stock.get(f), patched.get(f)
        rows.append([f] + cells(s) + cells(p) +
                    [tools_cell(s) if s else "-",
                     tools_cell(p) if p else "-"])
    for label in ("stock", "patched"):
        m = results["binaries"].get(label, {}).get("mor")
        if not m:
            continue
        rows.append(["MOR reset (%s)" % label,
                     "%s after %.0f s" % ("back" if m["came_back"]
                                          else "NOT back", m["reboot_s"]),
                     "reset vector " + " ".join("%02x" % b for b in
                                                m["reset_vector"]),
                     "RssAnon %s -> %s" % (fmt_mib(m["rss_anon_before"]),
                                           fmt_mib(m["rss_anon_after"])),
                     "", "", "", "", ""])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"
             for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def pin_binary(path, workdir):
    """A private copy of a cached QEMU for the length of the run: a build
    started meanwhile may replace the cache entry build-qemu/ points at.
    The cache lays an entry out like /usr (bin/, share/ symlinks), and
    QEMU finds its data relative to the binary, so the entry is copied
    whole, symlinks as symlinks."""
    real = os.path.realpath(path)
    top = os.path.dirname(os.path.dirname(real))
    dest = os.path.join(workdir, "patched-qemu")
    if os.path.basename(os.path.dirname(real)) == "bin":
        shutil.copytree(top, dest, symlinks=True)
        return os.path.join(dest, "bin", os.path.basename(real))
    os.makedirs(dest)
    shutil.copy2(real, dest)
    return os.path.join(dest, os.path.basename(real))


def patched_qemu(args, checks):
    """Path of the patched build, or None with the reason recorded."""
    if args.patched:
        return None if args.patched == "none" else args.patched
    build = os.path.join(SRC, "scripts", "qemu", "build.sh")
    if not os.path.exists(build):
        log("no scripts/qemu/build.sh on this branch: stock QEMU only")
        return None
    start = time.monotonic()
    p = subprocess.run([build], stdout=subprocess.PIPE, text=True, cwd=SRC)
    secs = time.monotonic() - start
    lines = p.stdout.strip().splitlines()
    ok = p.returncode == 0 and lines and os.access(lines[-1], os.X_OK)
    checks.expect("patched QEMU built (scripts/qemu/build.sh, %.0f s)"
                  % secs, ok)
    return lines[-1] if ok else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stock", default="/usr/bin/qemu-system-x86_64")
    ap.add_argument("--patched", help="patched binary, or 'none' "
                    "(default: scripts/qemu/build.sh when it exists)")
    ap.add_argument("--out", default=os.path.join(SRC, "build", "guest"))
    ap.add_argument("--cache", default=setup.DEFAULT_CACHE)
    ap.add_argument("--boot-mib", type=int, default=1024)
    ap.add_argument("--region-mib", type=int, default=2048)
    ap.add_argument("--plug-mib", type=int, default=512)
    ap.add_argument("--fill-mib", type=int, default=256)
    # a boot takes 20-30 s under TCG, but minutes on a 2-core machine
    # shared with other jobs (load average 20-30); only a guest that
    # does not boot waits this long
    ap.add_argument("--boot-timeout", type=int, default=600)
    ap.add_argument("--no-mor", action="store_true")
    ap.add_argument("--mor-extra-mib", type=int, default=128,
                    help="the MOR guest fills plugged + this much, so "
                    "that part lands in boot RAM")
    args = ap.parse_args()

    # SIGTERM runs the finally clauses (guests quit, dumps deleted)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    t_all = time.monotonic()
    checks = Checks()
    os.makedirs(args.out, exist_ok=True)
    start = time.monotonic()
    s = setup.prepare(args.cache)
    setup_s = time.monotonic() - start
    log("set-up %.0f s (debug vmlinux %s, initramfs %s)" % (
        setup_s, s["cache"]["vmlinux"], s["cache"]["initramfs"]))
    results = {"guest": {"kernel": s["version"], "boot_mib": args.boot_mib,
                         "region_mib": args.region_mib,
                         "plug_mib": args.plug_mib,
                         "fill_mib": args.fill_mib},
               "cache": s["cache"], "setup_s": round(setup_s, 1),
               "binaries": {}}
    workdir = tempfile.mkdtemp(prefix="run.", dir=args.out)
    binaries = [("stock", args.stock)]
    start = time.monotonic()
    patched = patched_qemu(args, checks)
    results["qemu_build_s"] = round(time.monotonic() - start, 1)
    results["cache"]["qemu"] = ("none" if patched is None else
                                "warm" if results["qemu_build_s"] < 120
                                else "cold")
    if patched:
        binaries.append(("patched", pin_binary(patched, workdir)))
    trace_to = os.path.join(args.out, "virtio-mem-trace.log")
    try:
        for label, qemu in binaries:
            try:
                r = scenario_dumps(label, qemu, s, args, workdir, checks,
                                   trace_to if label == "stock" else None)
                if not args.no_mor:
                    r["mor"] = scenario_mor(label, qemu, s, args, workdir,
                                            checks)
            except (OSError, RuntimeError, EOFError, vm.QMPError) as e:
                # a binary that cannot run the scenario is one failure,
                # the other binary still runs
                checks.expect("%s: scenario ran" % label, False,
                              "%s: %s" % (type(e).__name__, e))
                continue
            results["binaries"][label] = r
            expect_results(label, r, checks)
    finally:
        # dumps are deleted as soon as they are checked; the logs
        # (console, QEMU's stderr, trace) stay when something failed
        if checks.failed():
            log("logs of this run kept in " + workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    pattern = os.path.join(args.out, "plug-pattern.txt")
    if os.path.exists(trace_to):
        import plugpattern
        stock = results["binaries"]["stock"]
        n = plugpattern.convert(trace_to, pattern, s["version"],
                                args.region_mib * MIB, args.plug_mib * MIB,
                                stock["guests"][0]["plug_base"],
                                qemu=stock.get("version", ""),
                                shrunk_to=stock.get("unplug_probe", {}).get(
                                    "requested"))
        checks.expect("plug pattern recorded (%d requests)" % n,
                      n > 0 and plugpattern.load(pattern)[1], pattern)
        ref = os.path.join(HERE, "plug-pattern-linux-6.1.txt")
        same = (plugpattern.load(pattern)[1] == plugpattern.load(ref)[1])
        log("plug pattern %s %s" % ("matches" if same else "differs from",
                                    ref))
    results["total_s"] = round(time.monotonic() - t_all, 1)
    results["checks"] = checks.results
    tab = table(results)
    results["table"] = tab
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    print(tab)
    log("total %.0f s; caches: debug vmlinux %s, initramfs %s, patched "
        "QEMU %s (%.0f s); results in %s" % (
            results["total_s"], s["cache"]["vmlinux"],
            s["cache"]["initramfs"], results["cache"]["qemu"],
            results["qemu_build_s"],
            os.path.join(args.out, "results.json")))
    bad = checks.failed()
    log("%d checks, %d failed" % (len(checks.results), len(bad)))
    return 1 if bad else 0


def expect_results(label, r, checks):
    """What each build must show.  Stock: its bugs, asserted.  Patched:
    the fixes."""
    for fmt, d in r["formats"].items():
        if "skipped" in d:
            continue
        if not checks.expect("%s %s: dump succeeded" % (label, fmt),
                             "error" not in d, d.get("error", "")):
            continue
        t = d["tools"]
        checks.expect("%s %s: crash sys/kmem -i/ps/bt -a" % (label, fmt),
                      t["crash"]["ok"], "; ".join(t["crash"].get("errors",
                                                                 [])))
        if "makedumpfile-R" in t:
            checks.expect("%s %s: makedumpfile -R" % (label, fmt),
                          t["makedumpfile-R"]["ok"])
        k = t["libkdumpfile"]
        checks.expect("%s %s: libkdumpfile reads the filled pages"
                      % (label, fmt), k["ok"] and
                      k.get("filled_found") == r["guests"][0]["pages"],
                      k.get("error", "found %s" % k.get("filled_found")))
        if label == "patched":
            checks.expect("patched %s: dump populated 0 bytes" % fmt,
                          d["populated"] == 0,
                          "%d bytes" % d["populated"])
            checks.expect("patched %s: drgn reads init_uts_ns and the "
                          "filled pages" % fmt, t["drgn"]["ok"],
                          t["drgn"].get("error", ""))
        elif not t["drgn"]["ok"]:
            # drgn 0.0.22's known failures on stock dumps (docs/qemu.md)
            log("stock %s: drgn fails as documented: %s" % (
                fmt, t["drgn"].get("error")))
    if label == "stock":
        elf = r["formats"].get("elf", {})
        checks.expect("stock elf: the dump populates the plugged memory "
                      "(the bug)", elf.get("populated", 0) > 0,
                      fmt_mib(elf.get("populated")))
    else:
        elf = r["formats"].get("elf", {})
        if "timing" in elf:
            t = elf["timing"]
            checks.expect("patched elf: dump time within 1.3x of writing "
                          "its bytes", t["best_dump_s"] <=
                          1.3 * t["best_write_s"] + 0.2,
                          "best of %d: %.2f s vs %.2f s" % (
                              len(t["dump_s"]), t["best_dump_s"],
                              t["best_write_s"]))
    m = r.get("mor")
    if not m:
        return
    if label == "stock":
        checks.expect("stock MOR reset: the guest does not come back "
                      "(the bug)", not m["came_back"])
        checks.expect("stock MOR reset: the reset vector reads zero "
                      "(the bug)", m["reset_vector"] == [0, 0, 0, 0],
                      str(m["reset_vector"]))
    else:
        checks.expect("patched MOR reset: the guest boots again",
                      m["came_back"])
        checks.expect("patched MOR reset: memfd not populated by the "
                      "reset", m["memfd_after_reset"] <= m["memfd_before"],
                      "%d -> %d" % (m["memfd_before"],
                                    m["memfd_after_reset"]))
        checks.expect("patched MOR reset: boot RAM not populated by the "
                      "reset", m["rss_anon_at_reset"] is not None and
                      m["rss_anon_at_reset"] <= m["rss_anon_before"],
                      "RssAnon %s -> %s" % (m["rss_anon_before"],
                                            m["rss_anon_at_reset"]))
        d = m.get("dump_after", {})
        for where in ("plugged", "boot_ram"):
            k = d.get("tools", {}).get(where, {})
            checks.expect("patched MOR reset: the filled data is gone (%s)"
                          % where, k.get("ok") and
                          k.get("filled_found") == 0,
                          "found %s" % k.get("filled_found"))
        checks.expect("patched MOR reset: the dump after it populated 0 "
                      "bytes", d.get("populated") == 0,
                      "%s" % d.get("populated"))


if __name__ == "__main__":
    sys.exit(main())
