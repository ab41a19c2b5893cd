#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Set-up of make check-guest: packages, the guest kernel, its debug
vmlinux and the initramfs, cached under /var/cache/sparsevm/guest/.

The guest kernel is /boot/vmlinuz-VERSION of the installed
linux-image-amd64 package; crash and drgn need the debug vmlinux of
exactly that VERSION, which only linux-image-VERSION-amd64-dbg (about
860 MB) carries.  Only the vmlinux is kept (VERSION/vmlinux-VERSION in
the cache); the .deb is deleted.  The initramfs is keyed by a hash of
everything that goes into it, so editing init.sh or fill.c rebuilds it.

Usage as a script: setup.py [--cache DIR]; prints the paths it prepared.
"""

import argparse
import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_CACHE = os.environ.get("SVM_GUEST_CACHE",
                               "/var/cache/sparsevm/guest")

# Load order from modules.dep; qemu_fw_cfg hands VMCOREINFO to
# -device vmcoreinfo.
MODULES = ["virtio_ring", "virtio", "virtio_pci_modern_dev",
           "virtio_pci_legacy_dev", "virtio_pci", "virtio_mem",
           "qemu_fw_cfg"]


def log(msg):
    print("check-guest: " + msg, flush=True)


def install_packages():
    subprocess.run([os.path.join(SRC, "scripts", "install-deps.sh"),
                    "guest"], check=True)


def kernel_version():
    """VERSION of the kernel linux-image-amd64 depends on."""
    out = subprocess.run(["dpkg-query", "-W", "-f=${Depends}",
                          "linux-image-amd64"], check=True,
                         capture_output=True, text=True).stdout
    for dep in out.split(","):
        name = dep.strip().split(" ")[0]
        if name.startswith("linux-image-") and name.endswith("-amd64"):
            return name[len("linux-image-"):]
    raise RuntimeError("linux-image-amd64 depends on no kernel: " + out)


def debug_vmlinux(cache, version, stats):
    """Path of the cached debug vmlinux, downloading it when missing."""
    d = os.path.join(cache, version)
    path = os.path.join(d, "vmlinux-" + version)
    if os.path.exists(path):
        stats["vmlinux"] = "warm"
        return path
    stats["vmlinux"] = "cold"
    os.makedirs(d, exist_ok=True)
    start = time.monotonic()
    with tempfile.TemporaryDirectory(dir=d) as tmp:
        pkg = "linux-image-%s-dbg" % version
        log("downloading %s (about 860 MB)" % pkg)
        subprocess.run(["apt-get", "download", pkg], cwd=tmp, check=True)
        deb = [f for f in os.listdir(tmp) if f.endswith(".deb")][0]
        member = "./usr/lib/debug/boot/vmlinux-" + version
        log("extracting %s from %s (about 2 min)" % (member, deb))
        tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb],
                               cwd=tmp, stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", member], cwd=tmp, stdin=tar.stdout,
                       check=True)
        tar.stdout.close()
        if tar.wait() != 0:
            raise RuntimeError("dpkg-deb failed on " + deb)
        os.unlink(os.path.join(tmp, deb))
        os.rename(os.path.join(tmp, member), path)
    log("debug vmlinux cached in %.0f s: %s" % (time.monotonic() - start,
                                                 path))
    return path


def find_module(version, name):
    base = os.path.join("/lib/modules", version)
    for root, _dirs, files in os.walk(os.path.join(base, "kernel")):
        for f in files:
            if f == name + ".ko":
                return os.path.join(root, f)
    raise RuntimeError("module %s not found under %s" % (name, base))


def cpio_newc(entries):
    """A newc cpio archive of (name, mode, data-or-link-target) entries."""
    out = bytearray()
    ino = 1

    def put(name, mode, data):
        nonlocal ino
        name_b = name.encode() + b"\0"
        hdr = "070701" + "".join("%08X" % v for v in (
            ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name_b), 0))
        ino += 1
        out.extend(hdr.encode() + name_b)
        out.extend(b"\0" * (-len(out) % 4))
        out.extend(data)
        out.extend(b"\0" * (-len(out) % 4))

    for name, mode, data in entries:
        put(name, mode, data)
    put("TRAILER!!!", 0, b"")
    return bytes(out)


def initramfs(cache, version, stats):
    """Path of the cached initramfs for this kernel, init.sh and fill.c."""
    files = {"init.sh": open(os.path.join(HERE, "init.sh"), "rb").read(),
             "fill.c": open(os.path.join(HERE, "fill.c"), "rb").read(),
             "busybox": open("/bin/busybox", "rb").read()}
    mods = {m: open(find_module(version, m), "rb").read() for m in MODULES}
    h = hashlib.sha256(version.encode())
    for k in sorted(files):
        h.update(k.encode() + hashlib.sha256(files[k]).digest())
    for k in MODULES:
        h.update(k.encode() + hashlib.sha256(mods[k]).digest())
    d = os.path.join(cache, "initramfs-" + h.hexdigest()[:16])
    path = os.path.join(d, "initramfs.cpio.gz")
    if os.path.exists(path):
        stats["initramfs"] = "warm"
        return path
    stats["initramfs"] = "cold"
    os.makedirs(d, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=d) as tmp:
        fill = os.path.join(tmp, "svm-fill")
        subprocess.run(["gcc", "-O2", "-static", "-Wall", "-Wextra",
                        "-Werror", "-o", fill,
                        os.path.join(HERE, "fill.c")], check=True)
        applets = subprocess.run(["/bin/busybox", "--list-full"],
                                 check=True, capture_output=True,
                                 text=True).stdout.split()
        ents = [(dn, 0o40755, b"") for dn in
                ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "proc",
                 "sys", "dev", "tmp", "lib", "lib/modules")]
        ents.append(("init", 0o100755, files["init.sh"]))
        ents.append(("bin/busybox", 0o100755, files["busybox"]))
        ents.append(("bin/svm-fill", 0o100755, open(fill, "rb").read()))
        for a in applets:
            if a != "bin/busybox" and a != "linuxrc":
                ents.append((a, 0o120777, b"/bin/busybox"))
        for m in MODULES:
            ents.append(("lib/modules/%s.ko" % m, 0o100644, mods[m]))
        tmpout = os.path.join(tmp, "initramfs.cpio.gz")
        with gzip.open(tmpout, "wb", compresslevel=1) as f:
            f.write(cpio_newc(ents))
        os.rename(tmpout, path)
    return path


def prepare(cache=DEFAULT_CACHE):
    """Everything the guest test needs: a dict of paths and cold/warm."""
    stats = {}
    install_packages()
    version = kernel_version()
    os.makedirs(cache, exist_ok=True)
    kernel = "/boot/vmlinuz-" + version
    if not os.path.exists(kernel):
        raise RuntimeError(kernel + " is missing")
    return {"version": version, "kernel": kernel,
            "vmlinux": debug_vmlinux(cache, version, stats),
            "initrd": initramfs(cache, version, stats),
            "cache": stats}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", default=DEFAULT_CACHE)
    args = ap.parse_args()
    for k, v in prepare(args.cache).items():
        print("%s: %s" % (k, v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
