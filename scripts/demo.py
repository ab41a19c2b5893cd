#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The end-to-end demonstration (`make demo`).

Starts sparsevm, shows what it built, and stops it.  The full story
(virtio-mem plugging, dumps, MOR reset) is added as those parts land.
"""
import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sparsevm.qmp import QMP  # noqa: E402


def step(text):
    print(f"\n==> {text}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default="build")
    ap.add_argument("--fast", action="store_true",
                    help="small sizes, for CI")
    args = ap.parse_args()
    binary = os.path.join(args.build, "sparsevm")
    with tempfile.TemporaryDirectory(prefix="sparsevm-demo-") as tmp:
        sock = os.path.join(tmp, "qmp.sock")
        step("Starting sparsevm: 1 GiB of RAM, room for 64 GiB of "
             "memory devices, a 32 GiB memfd backend that costs nothing "
             "until the guest uses it")
        vm = subprocess.Popen([binary, "-machine", "microvm",
                               "-accel", "qtest", "-display", "none",
                               "-m", "1G,maxmem=65G",
                               "-object",
                               "memory-backend-memfd,id=mem0,size=32G",
                               "-qmp", f"unix:{sock},server=on,wait=off"])
        try:
            qmp = QMP(sock)
            ver = qmp.command("query-version")["qemu"]
            print(f"    QMP speaks QEMU {ver['major']}.{ver['minor']}."
                  f"{ver['micro']}'s protocol")
            step("The guest-physical memory map (HMP 'info mtree -f'): "
                 "what a dump or a memory clear would walk")
            print(qmp.hmp("info mtree -f"))
            rss = 0
            with open(f"/proc/{vm.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss = int(line.split()[1])
            print(f"    resident memory of the VMM: {rss / 1024:.1f} MiB "
                  "(with a 32 GiB backend present)")
            step("Quitting")
            qmp.command("quit")
            qmp.event_wait("SHUTDOWN")
            vm.wait(timeout=30)
        finally:
            if vm.poll() is None:
                vm.kill()
    if vm.returncode != 0:
        print(f"sparsevm exited with {vm.returncode}")
        return 1
    print("\ndemo finished")
    return 0


if __name__ == "__main__":
    sys.exit(main())
