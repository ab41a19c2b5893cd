#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""sparsevm against Debian's QEMU 7.2, side by side in one run, on issue
17's workloads (scripts/bench/kdump_workload.py):

mixed  512 MiB boot RAM + 8 GiB plugged of a 32 GiB memfd region, 2 MiB
       blocks, every other block plugged, 2 GiB written (a third one
       repeated byte, a third text-like, a third random).  sparsevm: ELF
       and every kdump format at 2 threads (x-dump-threads), the
       flattened ones also at 1 thread, a warm-up dump first (it maps
       the memory the fill wrote from outside, as a running guest would
       have it mapped), with `dd` of each file's byte count to the same file system (fsync) for
       what the disk allows; QEMU: ELF twice (the first read populates
       the memfd) and kdump-zlib (its only kdump format).  Then the MOR
       reset (swtpm, tpm-crb, MOR bit set, system_reset until the RESET
       event) on both.
replay the plug pattern a real Linux 6.1 guest sent (tests/guest/
       plug-pattern-linux-6.1.txt, from make check-guest; skipped if
       absent), replayed on both, the plugged blocks then written with
       the mix: ELF and kdump.
worst  1 TiB region, 2 MiB blocks, every second block plugged (262,144
       runs, 512 GiB plugged), 64 pages written: sparsevm only (QEMU
       reads, so allocates, all 512 GiB: more than this host has), ELF
       and every kdump format: time, file size on disk, peak RSS.

--smoke runs every part on sparsevm alone (no QEMU) with tiny workloads
("smoke": 256 MiB boot RAM, 64 MiB plugged of a 2 GiB region, 16 MiB
written; "smoke-worst": 8 GiB plugged of 16 GiB, 64 pages written), in
seconds: the meson test bench-smoke, so that make bench's scripts cannot
break unnoticed.

Times are wall clock of the synchronous dump-guest-memory (command to
reply, fsync and rename included) and the CPU time the VM process used.
Writes BUILD/bench/vs-qemu.json and BUILD/bench/vs-qemu-*.png (mixed,
worst, and mor-replay: the MOR reset and the replayed pattern, QEMU
next to sparsevm).
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
import kdump_workload as kw  # noqa: E402

MiB, GiB = kw.MiB, kw.GiB
QEMU = "/usr/bin/qemu-system-x86_64"
PPI_MOR = 0xfed4515a


def size_str(n):
    """@n bytes as "1 TiB", "8 GiB" or "64 MiB"."""
    if n >= 1024 * GiB:
        return "%g TiB" % (n / (1024 * GiB))
    return "%g GiB" % (n / GiB) if n >= GiB else "%g MiB" % (n / MiB)


def dump(w, path, fmt, threads=None, fsize=True):
    """One synchronous dump; returns its figures."""
    args = {"x-dump-threads": threads} if threads else {}
    kw.reset_peak_rss(w.pid)
    cpu = kw.proc_cpu(w.pid)
    t0 = time.monotonic()
    w.qmp.command("dump-guest-memory", paging=False,
                  protocol="file:" + path, format=fmt, **args)
    r = dict(seconds=time.monotonic() - t0,
             cpu=kw.proc_cpu(w.pid) - cpu,
             peak_rss=kw.proc_peak_rss(w.pid))
    st = os.stat(path)
    r["file_bytes"], r["disk_bytes"] = st.st_size, st.st_blocks * 512
    os.unlink(path)
    return r


def dd_seconds(tmp, nbytes):
    """Writing @nbytes to the same file system with fsync, as a dump
    does: what the disk allows."""
    path = os.path.join(tmp, "dd")
    t0 = time.monotonic()
    subprocess.run(["dd", "if=/dev/zero", "of=" + path, "bs=1M",
                    "count=%d" % max(1, nbytes // MiB), "conv=fsync"],
                   check=True, capture_output=True)
    t = time.monotonic() - t0
    os.unlink(path)
    return t


def swtpm_start(tmp):
    state = tempfile.mkdtemp(dir=tmp)
    sock = os.path.join(state, "ctrl.sock")
    proc = subprocess.Popen(["swtpm", "socket", "--tpm2", "--ctrl",
                             "type=unixio,path=" + sock, "--tpmstate",
                             "dir=" + state], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    return proc, sock, state


def tpm_args(sock):
    return ["-chardev", "socket,id=chrtpm,path=" + sock,
            "-tpmdev", "emulator,id=tpm0,chardev=chrtpm",
            "-device", "tpm-crb,tpmdev=tpm0"]


def mor_reset(make, tmp):
    """system_reset with the MOR bit set, until the RESET event."""
    proc, sock, state = swtpm_start(tmp)
    w = None
    try:
        w = make(tpm_args(sock))
        w.writeb(PPI_MOR, 1)
        before = kw.memfd_allocated(w.pid)
        t0 = time.monotonic()
        w.qmp.command("system_reset")
        w.qmp.event_wait("RESET")
        return dict(seconds=time.monotonic() - t0, populated_before=before,
                    populated_after=kw.memfd_allocated(w.pid))
    finally:
        if w:
            w.close()
        proc.kill()
        proc.wait()
        shutil.rmtree(state, ignore_errors=True)


def run_sparsevm_mixed(build, tmp, formats, workload="mixed"):
    w = kw.Workload(build, tmp, workload)
    path = os.path.join(tmp, "vmcore")
    out = dict(formats={})
    try:
        before = kw.memfd_allocated(w.pid)
        out["elf"] = dump(w, path, "elf")
        out["elf"]["populated"] = kw.memfd_allocated(w.pid) - before
        print("  sparsevm ELF %.2f s, populated %d MiB" % (
            out["elf"]["seconds"], out["elf"]["populated"] // MiB),
            flush=True)
        dump(w, path, "kdump-raw-lzo")      # warm-up: maps guest memory
        for fmt in formats:
            # one thread for the flattened formats (the speed-up is the
            # codec's); the raw ones are compared with them at 2 threads
            e = {}
            for threads in (2,) if "raw" in fmt else (1, 2):
                e[threads] = dump(w, path, fmt, threads)
            e["dd_seconds"] = dd_seconds(tmp, e[2]["file_bytes"])
            out["formats"][fmt] = e
            print("  sparsevm %-16s %s2 thr %6.2f s (cpu %5.2f), %7.1f MiB; "
                  "dd %.2f s" % (
                      fmt, "1 thr %6.2f s (cpu %5.2f), " % (
                          e[1]["seconds"], e[1]["cpu"]) if 1 in e else "",
                      e[2]["seconds"], e[2]["cpu"], e[2]["file_bytes"] / MiB,
                      e["dd_seconds"]), flush=True)
    finally:
        w.close()
    return out


def run_qemu_mixed(tmp):
    w = kw.QemuWorkload(QEMU, "mixed")
    path = os.path.join(tmp, "vmcore")
    out = {}
    try:
        for key in ("elf_first", "elf"):
            before = kw.memfd_allocated(w.pid)
            out[key] = dump(w, path, "elf")
            out[key]["populated"] = kw.memfd_allocated(w.pid) - before
            print("  QEMU ELF %.2f s, populated %d MiB" % (
                out[key]["seconds"], out[key]["populated"] // MiB),
                flush=True)
        out["kdump-zlib"] = dump(w, path, "kdump-zlib")
        print("  QEMU kdump-zlib %.2f s (cpu %.2f), %.1f MiB" % (
            out["kdump-zlib"]["seconds"], out["kdump-zlib"]["cpu"],
            out["kdump-zlib"]["file_bytes"] / MiB), flush=True)
    finally:
        w.close()
    return out


def run_worst(build, tmp, formats, workload="worst"):
    w = kw.Workload(build, tmp, workload)
    path = os.path.join(tmp, "vmcore")
    out = {}
    try:
        for fmt in ["elf"] + formats:
            out[fmt] = dump(w, path, fmt)
            print("  worst %-18s %6.3f s, %6.1f MiB on disk, peak RSS "
                  "%5.1f MiB" % (fmt, out[fmt]["seconds"],
                                 out[fmt]["disk_bytes"] / MiB,
                                 out[fmt]["peak_rss"] / MiB), flush=True)
    finally:
        w.close()
    return out


PATTERN = os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests",
                       "guest", "plug-pattern-linux-6.1.txt")


def run_replay(build, qemu=True):
    """The real guest's recorded plug pattern, on both (sparsevm alone
    without @qemu)."""
    out = {}
    for who, make, fmts in (
            ("sparsevm", lambda: kw.ReplayWorkload(
                os.path.join(build, "sparsevm"), PATTERN),
             ["elf", "kdump-zstd", "kdump-zlib"]),
            ("qemu", lambda: kw.ReplayWorkload(QEMU, PATTERN, qemu=True),
             ["elf", "kdump-zlib"])):
        if who == "qemu" and not (qemu and os.path.exists(QEMU)):
            continue
        w = make()
        out[who] = dict(written=w.written)
        tmp = tempfile.mkdtemp(dir=os.path.join(build, "bench"))
        try:
            for fmt in fmts:
                out[who][fmt] = dump(w, os.path.join(tmp, "vmcore"), fmt)
                print("  %s %-10s %6.2f s, %7.1f MiB" % (
                    who, fmt, out[who][fmt]["seconds"],
                    out[who][fmt]["disk_bytes"] / MiB), flush=True)
        finally:
            w.close()
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def summarize(res):
    """Ratios, the headline and the 2-thread share of what the disk
    allows, into @res["summary"]; printed."""
    s = dict(formats={})
    mixed, q = res["sparsevm"], res.get("qemu")
    boot, _, plugged, guest = kw.WORKLOADS[res.get("workload", "mixed")]
    qz = q["kdump-zlib"] if q else None
    best = None
    print("\n%s workload (%s written of %s): sparsevm%s" % (
        res.get("workload", "mixed"), size_str(guest),
        size_str(boot * MiB + plugged), " vs QEMU 7.2" if q else ""))
    if q:
        print("  ELF: %.2f s vs %.2f s first (%.2f after): x%.1f; populated "
              "%d MiB vs %d MiB" % (
                  mixed["elf"]["seconds"], q["elf_first"]["seconds"],
                  q["elf"]["seconds"],
                  q["elf_first"]["seconds"] / mixed["elf"]["seconds"],
                  mixed["elf"]["populated"] // MiB,
                  q["elf_first"]["populated"] // MiB))
    for fmt, e in mixed["formats"].items():
        flat = fmt.replace("kdump-raw-", "kdump-")
        t1 = mixed["formats"][flat][1]["seconds"]
        t2 = e[2]["seconds"]
        s1, s2 = guest / t1, guest / t2
        disk = guest / e["dd_seconds"]
        share = s2 / min(2 * s1, disk)
        f = dict(speedup=t1 / t2, share_of_allowed=share,
                 bound="disk" if disk < 2 * s1 else "cpu")
        if flat != fmt:
            f["raw_over_flat"] = t2 / mixed["formats"][flat][2]["seconds"]
        if qz:
            f["ratio_vs_qemu_zlib"] = qz["seconds"] / t2
            f["cpu_ratio_vs_qemu_zlib"] = qz["cpu"] / e[2]["cpu"]
            f["size_vs_qemu_zlib"] = e[2]["file_bytes"] / qz["file_bytes"]
            if (f["size_vs_qemu_zlib"] <= 1 and
                    (best is None or
                     f["ratio_vs_qemu_zlib"] >
                     s["formats"][best]["ratio_vs_qemu_zlib"])):
                best = fmt
        s["formats"][fmt] = f
        print("  %-16s 2 thr %6.2f s %7.1f MiB%s | 2/1 thr x%.2f = %.2f of "
              "min(2 x 1 thr, disk) [%s-bound]" % (
                  fmt, t2, e[2]["file_bytes"] / MiB,
                  " | x%.1f QEMU's zlib time (CPU x%.1f), size %.3f of "
                  "it" % (f["ratio_vs_qemu_zlib"],
                          f["cpu_ratio_vs_qemu_zlib"],
                          f["size_vs_qemu_zlib"])
                  if qz else "", f["speedup"], share, f["bound"]) +
              (" | raw / flattened time %.2f" % f["raw_over_flat"]
               if "raw_over_flat" in f else ""))
    if qz:
        print("  QEMU kdump-zlib %.2f s, %.1f MiB" % (
            qz["seconds"], qz["file_bytes"] / MiB))
    if best:
        s["headline"] = dict(format=best, **s["formats"][best])
        print("  headline: %s, x%.1f QEMU's kdump-zlib time (CPU time "
              "x%.1f) at %.3f of its size" % (
                  best, s["formats"][best]["ratio_vs_qemu_zlib"],
                  s["formats"][best]["cpu_ratio_vs_qemu_zlib"],
                  s["formats"][best]["size_vs_qemu_zlib"]))
    if "mor" in res:
        m = res["mor"]
        print("  MOR reset: %.2f s vs QEMU %s" % (
            m["sparsevm"]["seconds"], "%.2f s: x%.1f" % (
                m["qemu"]["seconds"],
                m["qemu"]["seconds"] / m["sparsevm"]["seconds"])
            if "qemu" in m else "-"))
    res["summary"] = s


def plot_mor_replay(res, outdir, plt):
    """vs-qemu-mor-replay.png: the two workloads with QEMU figures that
    vs-qemu-mixed.png does not show, the MOR reset and the real guest's
    replayed plug pattern, each with QEMU next to sparsevm."""
    panels = [k for k in ("mor", "replay") if k in res]
    if not panels:
        return
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.6),
                             squeeze=False)
    boot, region, plugged, written = kw.WORKLOADS[res.get("workload",
                                                          "mixed")]
    for ax, key in zip(axes[0], panels):
        if key == "mor":
            m = res["mor"]
            who = [w for w in ("sparsevm", "qemu") if w in m]
            ax.bar(range(len(who)), [m[w]["seconds"] for w in who],
                   color=["C0" if w == "sparsevm" else "C2" for w in who])
            ax.set_xticks(range(len(who)))
            ax.set_xticklabels(["sparsevm" if w == "sparsevm" else
                                "QEMU 7.2" for w in who])
            ax.set_ylabel("seconds, system_reset to RESET")
            ax.set_title("MOR reset (MOR bit set, tpm-crb + swtpm)\n"
                         "%d MiB boot RAM + %s plugged of %s, "
                         "%s written" % (boot, size_str(plugged),
                                         size_str(region),
                                         size_str(written)),
                         fontsize=8)
        else:
            r = res["replay"]
            fmts = [f for f in ("elf", "kdump-zlib", "kdump-zstd")
                    if f in r.get("sparsevm", {})]
            w = 0.38
            ax.bar([i - w / 2 for i in range(len(fmts))],
                   [r["sparsevm"][f]["seconds"] for f in fmts], w,
                   label="sparsevm", color="C0")
            if "qemu" in r:
                ax.bar([i + w / 2 for i in range(len(fmts))],
                       [r["qemu"][f]["seconds"] if f in r["qemu"] else 0
                        for f in fmts], w, label="QEMU 7.2", color="C2")
            ax.set_xticks(range(len(fmts)))
            ax.set_xticklabels(fmts)
            ax.set_ylabel("seconds")
            ax.legend(fontsize=7)
            ax.set_title("dump time, a real Linux 6.1 guest's plug pattern "
                         "replayed\n%d MiB written (plugged blocks filled "
                         "with the mix); QEMU has no kdump-zstd" %
                         (r["sparsevm"].get("written", 0) // MiB),
                         fontsize=8)
        ax.set_ylim(bottom=0)
        ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "vs-qemu-mor-replay.png"), dpi=100)
    plt.close(fig)


def plot(res, outdir):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("python3-matplotlib is missing: no plots")
        return
    plot_mor_replay(res, outdir, plt)
    if "sparsevm" not in res:
        return
    mixed, q = res["sparsevm"], res.get("qemu")
    fmts = list(mixed["formats"])
    boot, region, plugged, written = kw.WORKLOADS[res.get("workload",
                                                          "mixed")]
    title = ("%d MiB + %s plugged of %s (2 MiB blocks, every other), "
             "%s written" % (boot, size_str(plugged), size_str(region),
                             size_str(written)))
    fig, axes = plt.subplots(1, 3, figsize=(18, 4.8))
    names = ["elf"] + fmts
    x = range(len(names))
    ours = [mixed["elf"]["seconds"]] + [mixed["formats"][f][2]["seconds"]
                                        for f in fmts]
    one = [mixed["elf"]["seconds"]] + [
        mixed["formats"][f][1]["seconds"] if 1 in mixed["formats"][f] else 0
        for f in fmts]
    qemu = [q["elf_first"]["seconds"] if q else 0] + \
        [q["kdump-zlib"]["seconds"] if q and f == "kdump-zlib" else 0
         for f in fmts]
    w = 0.28
    ax = axes[0]
    ax.bar([i - w for i in x], one, w, label="sparsevm, 1 thread")
    ax.bar(list(x), ours, w, label="sparsevm, 2 threads")
    ax.bar([i + w for i in x], qemu, w, label="QEMU 7.2 (ELF: first dump)")
    ax.set_xticks(list(x))
    ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("seconds")
    ax.set_ylim(bottom=0)
    ax.set_title("dump time by format\n" + title, fontsize=8)
    ax.legend(fontsize=7)
    ax = axes[2]
    cpu = [mixed["elf"]["cpu"]] + [mixed["formats"][f][2]["cpu"]
                                   for f in fmts]
    qcpu = [q["elf_first"]["cpu"] if q else 0] + \
        [q["kdump-zlib"]["cpu"] if q and f == "kdump-zlib" else 0
         for f in fmts]
    ax.bar([i - w / 2 for i in x], cpu, w, label="sparsevm, 2 threads")
    ax.bar([i + w / 2 for i in x], qcpu, w,
           label="QEMU 7.2 (ELF: first dump)")
    ax.set_xticks(list(x))
    ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("CPU seconds of the VM process")
    ax.set_ylim(bottom=0)
    ax.set_title("dump CPU time by format\n" + title, fontsize=8)
    ax.legend(fontsize=7)
    ax = axes[1]
    sizes = [mixed["formats"][f][2]["file_bytes"] / MiB for f in fmts]
    ax.bar([i - w / 2 for i in range(len(fmts))], sizes, w,
           label="sparsevm")
    if q:
        ax.bar([i + w / 2 for i in range(len(fmts))],
               [q["kdump-zlib"]["file_bytes"] / MiB if f == "kdump-zlib"
                else 0 for f in fmts], w, label="QEMU 7.2")
        ax.axhline(q["kdump-zlib"]["file_bytes"] / MiB, color="gray",
                   linestyle=":", label="QEMU kdump-zlib size")
    ax.set_xticks(list(range(len(fmts))))
    ax.set_xticklabels(fmts, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("MiB")
    ax.set_ylim(bottom=0)
    ax.set_title("kdump file size by format\n" + title, fontsize=8)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "vs-qemu-mixed.png"), dpi=100)
    plt.close(fig)
    if "worst" in res:
        wr = res["worst"]
        names = list(wr)
        fig, axes = plt.subplots(1, 3, figsize=(13, 4))
        _, region, plugged, written = kw.WORKLOADS[res.get("worst_workload",
                                                           "worst")]
        title = ("%s region, 2 MiB blocks, every second plugged "
                 "(%s), %d pages written" % (size_str(region),
                                             size_str(plugged),
                                             written // kw.PAGE))
        for ax, key, scale, label in (
                (axes[0], "seconds", 1, "seconds"),
                (axes[1], "disk_bytes", MiB, "MiB on disk"),
                (axes[2], "peak_rss", MiB, "peak RSS, MiB")):
            ax.bar(range(len(names)), [wr[n][key] / scale for n in names])
            ax.set_xticks(range(len(names)))
            ax.set_xticklabels(names, rotation=30, ha="right", fontsize=7)
            ax.set_ylabel(label)
            ax.set_ylim(bottom=0)
            ax.set_title("%s by format\n%s" % (label, title), fontsize=7)
        fig.tight_layout()
        fig.savefig(os.path.join(outdir, "vs-qemu-worst.png"), dpi=100)
        plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--no-qemu", action="store_true")
    ap.add_argument("--only", choices=("mixed", "worst", "mor", "replay"))
    ap.add_argument("--smoke", action="store_true",
                    help="every part on sparsevm alone, tiny workloads, "
                         "in seconds (a test of this script)")
    ap.add_argument("--outdir", metavar="DIR",
                    help="results and plots (default BUILD/bench)")
    ap.add_argument("--out", metavar="FILE",
                    help="results file (default OUTDIR/vs-qemu.json)")
    ap.add_argument("--from-json", metavar="FILE",
                    help="summarize and plot the results of an earlier "
                         "run instead of running")
    args = ap.parse_args()
    if args.from_json:
        with open(args.from_json) as f:
            res = json.load(f)
        for part in ("sparsevm", "qemu", "worst"):
            for v in res.get(part, {}).get("formats", {}).values():
                for k in [k for k in v if k in ("1", "2")]:
                    v[int(k)] = v.pop(k)
        if "sparsevm" in res:
            summarize(res)
        plot(res, os.path.dirname(args.from_json) or ".")
        return 0
    outdir = args.outdir or os.path.join(args.build, "bench")
    os.makedirs(outdir, exist_ok=True)
    qemu = not args.no_qemu and not args.smoke and os.path.exists(QEMU)
    if args.smoke:
        print("smoke test: sparsevm only, tiny workloads")
    elif not qemu:
        print("no %s (scripts/install-deps.sh bench): sparsevm only" % QEMU)
    mixed = "smoke" if args.smoke else "mixed"
    worst = "smoke-worst" if args.smoke else "worst"
    res = dict(load_before=os.getloadavg(), workload=mixed,
               worst_workload=worst)
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(dir=outdir) as tmp:
        probe = kw.Workload(args.build, tmp, "probe")
        formats = [f for f in probe.qmp.command(
            "query-dump-guest-memory-capability")["formats"]
            if f.startswith("kdump-")]
        probe.close()
        if args.only in (None, "worst"):
            print("worst case (sparsevm):", flush=True)
            res["worst"] = run_worst(args.build, tmp, formats, worst)
        if args.only in (None, "mixed"):
            print("%s workload:" % mixed, flush=True)
            res["sparsevm"] = run_sparsevm_mixed(args.build, tmp, formats,
                                                 mixed)
            if qemu:
                res["qemu"] = run_qemu_mixed(tmp)
        if args.only in (None, "replay") and os.path.exists(PATTERN):
            print("a real Linux guest's plug pattern (%s), replayed:" %
                  os.path.basename(PATTERN), flush=True)
            res["replay"] = run_replay(args.build, qemu)
        if args.only in (None, "mor") and shutil.which("swtpm"):
            print("MOR reset (%s workload, swtpm):" % mixed, flush=True)
            res["mor"] = dict(sparsevm=mor_reset(
                lambda extra: kw.Workload(args.build, tmp, mixed, extra),
                tmp))
            if qemu:
                res["mor"]["qemu"] = mor_reset(
                    lambda extra: kw.QemuWorkload(QEMU, mixed, extra), tmp)
            for who, m in res["mor"].items():
                print("  %s MOR reset %.2f s" % (who, m["seconds"]),
                      flush=True)
    res["seconds"] = time.monotonic() - t0
    res["load_after"] = os.getloadavg()
    if "sparsevm" in res:
        summarize(res)
    out = args.out or os.path.join(outdir, "vs-qemu.json")
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
    plot(res, outdir)
    print("load average before %.1f, after %.1f; %.0f s; results in %s" % (
        res["load_before"][0], res["load_after"][0], res["seconds"], out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
