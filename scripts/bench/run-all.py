#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make bench: the cost of dumps and of the MOR memory clear, against the
naive way, in one run.

Dumps (the real binary, driven by contrib/vmdriver as the guest):
  sweep "plugged"  region 64 GiB, written 512 MiB, plugged 1 / 8 / 32 GiB
  sweep "region"   plugged 4 GiB, written 512 MiB, region 8 / 32 / 128 GiB
  sweep "written"  region 32 GiB, plugged 8 GiB, written 0 / 256 MiB / 1 GiB
For every point and format (ELF, kdump-lzo and kdump-zstd; every flattened
kdump format with --all-formats), the dump is timed with the RamDiscardManager honoured and with it ignored
(a second VM built the same way with `-machine
x-ignore-discard-manager=on`, a command-line-only knob: guest_phys_blocks
takes whole virtio-mem regions, as before QEMU 6.2), --reps times each;
for ELF also `cat` of the written bytes to the same file system, with
fsync, as the dump does.

MOR clear (tests/bench/bench-mor-clear: tpm_ppi_clear_memory over a
memfd region with a discard manager, with and without --ignore-rdm):
  vs plugged, vs region size, vs written size.

Writes BUILD/bench/results.json and BUILD/bench/*.png (python3-matplotlib;
--outdir for another directory),
and prints medians, spreads and ratios.  --quick: one repetition and
smaller points (a smoke test of the script itself).
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from sparsevm.qmp import QMP  # noqa: E402

MiB = 1 << 20
GiB = 1 << 30

SWEEPS = {
    "plugged": dict(fixed=dict(region=64 * GiB, written=512 * MiB),
                    vary="plugged", values=[1 * GiB, 8 * GiB, 32 * GiB]),
    "region": dict(fixed=dict(plugged=4 * GiB, written=512 * MiB),
                   vary="region", values=[8 * GiB, 32 * GiB, 128 * GiB]),
    "written": dict(fixed=dict(region=32 * GiB, plugged=8 * GiB),
                    vary="written", values=[0, 256 * MiB, 1 * GiB]),
}
QUICK = {
    "plugged": [1 * GiB, 2 * GiB], "region": [8 * GiB, 16 * GiB],
    "written": [0, 64 * MiB],
}
MOR_SWEEPS = {
    # (region MiB, plug one block in N, KiB written per plugged block);
    # each sweep varies one thing: 512 MiB written at every plugged size
    "plugged": [(16384, 16, 1024), (16384, 4, 256), (16384, 1, 64)],
    "region": [(4096, 2, 512), (16384, 8, 512), (65536, 32, 512)],
    "written": [(16384, 4, 0), (16384, 4, 512), (16384, 4, 2048)],
}


def median_spread(xs):
    return dict(median=statistics.median(xs), min=min(xs), max=max(xs),
                samples=xs)


class Point:
    """One VM with a virtio-mem device plugged and written as asked."""

    def __init__(self, build, tmp, region, plugged, written,
                 ignore_rdm=False):
        self.qmp_sock = os.path.join(tmp, "qmp.sock")
        ram = 512
        machine = "microvm,x-ignore-discard-manager=on" if ignore_rdm \
            else "microvm"
        args = ["-machine", machine,
                "-m", f"{ram}M,maxmem={ram + region // MiB}M",
                "-object", f"memory-backend-memfd,id=mem0,"
                           f"size={region // MiB}M",
                "-device", "virtio-mem-device,id=vm0,memdev=mem0,"
                           "block-size=2M",
                "-qmp", f"unix:{self.qmp_sock},server=on,wait=off"]
        self.drv = subprocess.Popen([os.path.join(build, "contrib",
                                                  "vmdriver")] + args,
                                    stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True)
        self._answer()
        self.qmp = QMP(self.qmp_sock)
        self.cmd("init")
        self.qmp.command("qom-set", path="vm0", property="requested-size",
                         value=plugged)
        cfg = dict(kv.split("=") for kv in self.cmd("reinit").split())
        self.addr = int(cfg["addr"], 0)
        self.cmd(f"plug 16384 0 {plugged}")
        if written:
            self.cmd(f"write {self.addr} {written}")

    def _answer(self):
        line = self.drv.stdout.readline().strip()
        if not line.startswith("ok"):
            raise RuntimeError(f"vmdriver: {line or 'exited'}")
        return line[3:]

    def cmd(self, line):
        self.drv.stdin.write(line + "\n")
        self.drv.stdin.flush()
        return self._answer()

    def dump(self, fmt, path):
        t0 = time.monotonic()
        self.qmp.command("dump-guest-memory", paging=False,
                         protocol=f"file:{path}", format=fmt)
        elapsed = time.monotonic() - t0
        size = os.stat(path).st_blocks * 512
        os.chmod(path, 0o600)
        os.unlink(path)
        return elapsed, size

    def close(self):
        self.qmp.close()
        self.drv.stdin.write("quit\n")
        self.drv.stdin.flush()
        self.drv.wait(timeout=120)


def time_cat(tmp, nbytes):
    """cat of @nbytes of data to the same file system, fsynced."""
    if not nbytes:
        return None
    src, dst = os.path.join(tmp, "cat-src"), os.path.join(tmp, "cat-dst")
    if not os.path.exists(src) or os.stat(src).st_size != nbytes:
        with open(src, "wb") as f:
            left = nbytes
            while left:
                n = min(left, 64 * MiB)
                f.write(os.urandom(n))
                left -= n
            os.fsync(f.fileno())
    t0 = time.monotonic()
    subprocess.run(f"cat {src} > {dst} && sync {dst}", shell=True,
                   check=True)
    elapsed = time.monotonic() - t0
    os.unlink(dst)
    return elapsed


def run_dumps(args, formats, tmp, results):
    for name, sweep in SWEEPS.items():
        values = QUICK[name] if args.quick else sweep["values"]
        for v in values:
            p = dict(sweep["fixed"])
            p[sweep["vary"]] = v
            if args.quick:
                p["region"] = min(p["region"], 16 * GiB)
                p["written"] = min(p["written"], 64 * MiB)
            print(f"  dump sweep {name}: region {p['region'] // GiB} GiB, "
                  f"plugged {p['plugged'] / GiB:g} GiB, written "
                  f"{p['written'] // MiB} MiB", flush=True)
            entry = dict(sweep=name, **p, formats={})
            path = os.path.join(tmp, "vmcore")
            runs = {}
            for ignore in (False, True):
                vm = Point(args.build, tmp, p["region"], p["plugged"],
                           p["written"], ignore)
                try:
                    for fmt in formats:
                        runs[fmt, ignore] = [vm.dump(fmt, path)
                                             for _ in range(args.reps)]
                finally:
                    vm.close()
            for fmt in formats:
                t_rdm = [t for t, _ in runs[fmt, False]]
                t_ign = [t for t, _ in runs[fmt, True]]
                sizes = [s for _, s in runs[fmt, False]]
                e = dict(rdm=median_spread(t_rdm),
                         ignore_rdm=median_spread(t_ign),
                         disk_bytes=statistics.median(sizes))
                e["ratio_ignore_over_rdm"] = (e["ignore_rdm"]["median"] /
                                              e["rdm"]["median"])
                entry["formats"][fmt] = e
                print(f"    {fmt:<14} {e['rdm']['median']:7.3f} s "
                      f"(ignoring the RDM: "
                      f"{e['ignore_rdm']['median']:7.3f} s, "
                      f"x{e['ratio_ignore_over_rdm']:.2f})", flush=True)
            cats = [time_cat(tmp, p["written"]) for _ in range(args.reps)]
            if cats[0] is not None:
                entry["cat"] = median_spread(cats)
                elf = entry["formats"]["elf"]["rdm"]["median"]
                # Throughput over the same written bytes.
                entry["elf_vs_cat_throughput"] = \
                    entry["cat"]["median"] / elf
                print(f"    cat of the written bytes "
                      f"{entry['cat']['median']:.3f} s: ELF dump "
                      f"throughput / cat = "
                      f"{entry['elf_vs_cat_throughput']:.2f}",
                      flush=True)
            results["dumps"].append(entry)


def run_mor(args, results):
    exe = os.path.join(args.build, "tests", "bench", "bench-mor-clear")
    for name, points in MOR_SWEEPS.items():
        for region, every, wkib in (points[:2] if args.quick else points):
            out = {}
            for mode, extra in (("rdm", []), ("ignore_rdm", ["--ignore-rdm"])):
                res = subprocess.run([exe, "--point", str(region), str(every),
                                      str(wkib), "--reps", str(args.reps),
                                      "--backing", "memfd"] + extra,
                                     capture_output=True, text=True,
                                     check=True)
                f = res.stdout.split()
                out[mode] = dict(median=float(f[1]) / 1e3,
                                 min=float(f[2]) / 1e3, max=float(f[3]) / 1e3)
            plugged = region // every * MiB
            entry = dict(sweep=name, region=region * MiB, plugged=plugged,
                         written=plugged // (2 * MiB) * wkib * 1024, **out)
            entry["ratio_ignore_over_rdm"] = (out["ignore_rdm"]["median"] /
                                              out["rdm"]["median"])
            results["mor"].append(entry)
            print(f"  MOR {name}: region {region // 1024} GiB, plugged "
                  f"{plugged / GiB:g} GiB, written "
                  f"{entry['written'] // MiB} MiB: "
                  f"{out['rdm']['median'] * 1e3:.1f} ms (ignoring the RDM "
                  f"{out['ignore_rdm']['median'] * 1e3:.1f} ms)", flush=True)


CAPTION = ("RDM: the RamDiscardManager, through which virtio-mem says which "
           "blocks are plugged.  Solid: RDM honoured (only plugged memory "
           "is read or cleared).  Dashed, 'RDM ignored': -machine "
           "x-ignore-discard-manager=on, the whole region, as before QEMU "
           "6.2.")
LABEL = dict(plugged="plugged", region="region", written="written")


def gib(n):
    return f"{n / GiB:g} GiB"


def fixed_params(pts, vary):
    """'region 64 GiB, written 0.5 GiB': what the points of a sweep share."""
    out = []
    for key in ("region", "plugged", "written"):
        if key == vary:
            continue
        vals = {d[key] for d in pts}
        out.append(f"{LABEL[key]} {gib(vals.pop())}" if len(vals) == 1
                   else f"{LABEL[key]} varies")
    return ", ".join(out)


def dump_panel(ax, pts, sweep, fmts, cat):
    xs = [d[sweep] / GiB for d in pts]
    for fmt in fmts:
        color = f"C{list(pts[0]['formats']).index(fmt)}"
        ys = [d["formats"][fmt]["rdm"]["median"] for d in pts]
        lo = [y - d["formats"][fmt]["rdm"]["min"] for y, d in zip(ys, pts)]
        hi = [d["formats"][fmt]["rdm"]["max"] - y for y, d in zip(ys, pts)]
        ax.errorbar(xs, ys, yerr=[lo, hi], marker="o", color=color,
                    label=fmt, capsize=3)
        if any("ignore_rdm" not in d["formats"][fmt] for d in pts):
            continue
        yb = [d["formats"][fmt]["ignore_rdm"]["median"] for d in pts]
        ax.plot(xs, yb, marker="x", linestyle="--", color=color,
                label=f"{fmt}, RDM ignored")
    pc = [(d[sweep] / GiB, d["cat"]["median"]) for d in pts if "cat" in d]
    if cat and pc:
        ax.plot(*zip(*pc), marker="s", color="black", linestyle=":",
                label="cat of the written bytes")
    ax.set_xlabel(f"{LABEL[sweep]} (GiB)")
    ax.set_ylabel("seconds (median, min-max bars)")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, ncol=2 if len(fmts) > 1 else 1)


def plot(results, outdir):
    """One figure per dump sweep (kdump-zlib, ten times slower than the
    rest, in a panel of its own so it does not flatten them) and one for
    the MOR clear; every axis from 0, the fixed parameters in each
    title."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("python3-matplotlib is missing: no plots")
        return
    reps = results.get("reps", "?")
    for sweep in SWEEPS:
        pts = [d for d in results["dumps"] if d["sweep"] == sweep]
        if not pts:
            continue
        fmts = list(pts[0]["formats"])
        slow = [f for f in fmts if f == "kdump-zlib"]
        fast = [f for f in fmts if f not in slow]
        fig, axes = plt.subplots(1, 2 if slow else 1, figsize=(12, 5),
                                 squeeze=False,
                                 gridspec_kw=dict(width_ratios=[2, 1]
                                                  if slow else [1]))
        fixed = fixed_params(pts, sweep)
        dump_panel(axes[0][0], pts, sweep, fast, True)
        axes[0][0].set_title(f"dump time vs {LABEL[sweep]}\n({fixed}; "
                             f"2 MiB blocks; median of {reps})", fontsize=9)
        if slow:
            dump_panel(axes[0][1], pts, sweep, slow, False)
            axes[0][1].set_title(f"kdump-zlib vs {LABEL[sweep]}\n"
                                 f"({fixed})", fontsize=9)
        fig.text(0.01, 0.01, CAPTION, fontsize=7, wrap=True)
        fig.tight_layout(rect=(0, 0.05, 1, 1))
        fig.savefig(os.path.join(outdir, f"dump-vs-{sweep}.png"), dpi=100)
        plt.close(fig)
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.6))
    for ax, sweep in zip(axes, MOR_SWEEPS):
        pts = [d for d in results["mor"] if d["sweep"] == sweep]
        if not pts:
            continue
        xs = [d[sweep] / GiB for d in pts]
        for mode, style in (("rdm", "-o"), ("ignore_rdm", "--x")):
            ax.plot(xs, [d[mode]["median"] * 1e3 for d in pts], style,
                    label="RDM honoured" if mode == "rdm" else
                    "RDM ignored")
        ax.set_xlabel(f"{LABEL[sweep]} (GiB)")
        ax.set_ylabel("ms (median)")
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
        ax.set_title(f"MOR clear vs {LABEL[sweep]}\n"
                     f"({fixed_params(pts, sweep)}; median of {reps})",
                     fontsize=9)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fig.text(0.01, 0.01, CAPTION, fontsize=7, wrap=True)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    fig.savefig(os.path.join(outdir, "mor-clear.png"), dpi=100)
    plt.close(fig)


def machine_info():
    info = dict(kernel=platform.release(), cpus=os.cpu_count())
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            info["mem_kib"] = int(f.readline().split()[1])
    except OSError:
        pass
    df = shutil.disk_usage(".")
    info["disk_free_gib"] = df.free // GiB
    return info


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--all-formats", action="store_true",
                    help="sweep every flattened kdump format, not only "
                         "the fastest (lzo) and the best (zstd): each "
                         "codec's own figures are vs-qemu.py's")
    ap.add_argument("--outdir", metavar="DIR",
                    help="results.json and the plots (default BUILD/bench)")
    ap.add_argument("--plot", metavar="RESULTS",
                    help="only draw the plots of a results.json, into "
                         "OUTDIR")
    args = ap.parse_args()
    outdir = args.outdir or os.path.join(args.build, "bench")
    if args.plot:
        with open(args.plot) as f:
            results = json.load(f)
        os.makedirs(outdir, exist_ok=True)
        plot(results, outdir)
        print(f"plots in {outdir}/*.png")
        return 0
    if args.quick:
        args.reps = 1
    os.makedirs(outdir, exist_ok=True)
    t0 = time.monotonic()
    results = dict(machine=machine_info(), reps=args.reps, dumps=[], mor=[])
    with tempfile.TemporaryDirectory(dir=outdir) as tmp:
        probe = Point(args.build, tmp, 4 * GiB, 0, 0, False)
        formats = [f for f in probe.qmp.command(
            "query-dump-guest-memory-capability")["formats"]
            if f == "elf" or (f.startswith("kdump-") and "raw" not in f)]
        if not args.all_formats:
            formats = [f for f in formats
                       if f in ("elf", "kdump-lzo", "kdump-zstd")]
        probe.close()
        print(f"formats: {', '.join(formats)}; {args.reps} repetitions")
        run_dumps(args, formats, tmp, results)
    run_mor(args, results)
    results["seconds"] = time.monotonic() - t0
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    plot(results, outdir)
    print(f"\nresults in {outdir}/results.json, plots in {outdir}/*.png; "
          f"{results['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
