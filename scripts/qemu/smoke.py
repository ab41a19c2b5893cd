#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Smoke test of the patched QEMU (scripts/qemu/build.sh): no guest code
# runs (-accel qtest); the test writes guest memory through the qtest
# socket and drives QMP, like QEMU's own qtests.
#
# Machine: q35, 1 GiB of boot RAM on a memfd (memory-backend-memfd as the
# machine's memory backend), a memfd-backed virtio-mem-pci (nothing
# plugged: no driver), vmcoreinfo, and a tpm-crb on swtpm when swtpm is
# installed.  Checks:
#   - every format query-dump-guest-memory-capability offers (but win-dmp,
#     which needs a Windows guest) dumps, and the memfds' allocated size
#     is the same before and after each dump;
#   - the written data reads back from each dump through real readers:
#     readelf and our ELF parser for ELF, makedumpfile -R + libkdumpfile
#     for the flattened kdump formats, libkdumpfile for the raw ones;
#     never-written memory reads back as zeroes; ELF files are sparse;
#   - the kdump output is the same byte for byte with 1, 2 and 3 threads;
#   - dump-cancel stops a detached dump, DUMP_COMPLETED says why, the
#     previous file of that name is untouched and no temporary is left;
#   - the MOR reset (swtpm): memory cleared and discarded (the memfd is
#     back to its size before the data was written), the BIOS reset
#     vector intact.
# Usage: smoke.py QEMU-BINARY
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time

MiB = 1 << 20
GiB = 1 << 30
PY = "/usr/bin/python3"      # Debian's python, which has kdumpfile

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


class QMP:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.events = []
        self.recv()                      # greeting
        self.cmd("qmp_capabilities")

    def recv(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise RuntimeError("QMP connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            r = self.recv()
            if "event" in r:
                self.events.append(r)
                continue
            return r

    def ok(self, name, **args):
        r = self.cmd(name, **args)
        if "error" in r:
            raise RuntimeError("%s: %s" % (name, r["error"]))
        return r["return"]

    def wait_event(self, name, timeout=120):
        end = time.time() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e["event"] == name:
                    return self.events.pop(i)
            if time.time() > end:
                raise RuntimeError("no %s event" % name)
            self.sock.settimeout(max(0.1, end - time.time()))
            try:
                self.events.append(self.recv())
            finally:
                self.sock.settimeout(None)


class QTest:
    def __init__(self, sock):
        self.f = sock.makefile("rwb", buffering=0)

    def cmd(self, line):
        self.f.write(line.encode() + b"\n")
        while True:
            r = self.f.readline().decode().strip()
            if r.startswith("IRQ"):
                continue
            if not r.startswith("OK"):
                raise RuntimeError("qtest %s: %s" % (line, r))
            return r

    def write(self, addr, data):
        self.cmd("write 0x%x 0x%x 0x%s" % (addr, len(data), data.hex()))

    def read(self, addr, size):
        r = self.cmd("read 0x%x 0x%x" % (addr, size))
        return bytes.fromhex(r.split()[1][2:])


# The memfds are all named "memory-backend-memfd": told apart by size.
MEMFD_SIZE = {"ram0": 1 * GiB, "vmem0": 2 * GiB}


def memfd_bytes(pid, name):
    """Allocated bytes of the memfd of backend @name in process @pid."""
    fddir = "/proc/%d/fd" % pid
    for fd in os.listdir(fddir):
        try:
            target = os.readlink(os.path.join(fddir, fd))
        except OSError:
            continue
        if target.startswith("/memfd:"):
            st = os.stat(os.path.join(fddir, fd))
            if st.st_size == MEMFD_SIZE[name]:
                return st.st_blocks * 512
    raise RuntimeError("memfd %s not found" % name)


def pattern(seed, size):
    out = bytearray()
    x = seed
    while len(out) < size:
        x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        out += x.to_bytes(8, "little")
    return bytes(out[:size])


# Guest-physical ranges the test writes (inside the 1 GiB of boot RAM).
DATA = [(0x100000, pattern(1, 64 * 1024)),
        (0x2345000, pattern(2, 4096)),
        (0x3ffff000, pattern(3, 4096))]
UNTOUCHED = [0x20000000, 0x30000000]


def elf_read(path, addr, size):
    """Read guest-physical memory from an ELF core, by its PT_LOADs."""
    import struct
    with open(path, "rb") as f:
        eh = f.read(64)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        f.seek(phoff)
        for _ in range(phnum):
            p = f.read(phentsize)
            ptype, _, off, vaddr, paddr, filesz, memsz = \
                struct.unpack_from("<IIQQQQQ", p)
            if ptype == 1 and paddr <= addr and addr + size <= paddr + memsz:
                f.seek(off + addr - paddr)
                data = f.read(size)
                return data + bytes(size - len(data))
    return None


def kdump_read(path, addr, size):
    script = ("import kdumpfile, sys\n"
              "k = kdumpfile.kdumpfile(sys.argv[1])\n"
              "d = k.read(kdumpfile.KDUMP_MACHPHYSADDR, int(sys.argv[2]),"
              " int(sys.argv[3]))\n"
              "sys.stdout.write(bytes(d).hex())\n")
    r = subprocess.run([PY, "-c", script, path, str(addr), str(size)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stderr.strip()[-500:])
        return None
    return bytes.fromhex(r.stdout)


# A VMCOREINFO note as a Linux guest hands it over (qemu_fw_cfg writes
# etc/vmcoreinfo by fw_cfg DMA), with a made-up kernel: its image mapped
# at phys_base, its init_uts_ns holding UTS.
PHYS_BASE = 0x1000000
KMAP = 0xffffffff80000000
INIT_UTS_NS = 0xffffffff82000000
UTS_PADDR = INIT_UTS_NS - KMAP + PHYS_BASE
UTS = [b"Linux", b"smokehost", b"6.1.0-smoke", b"#1 SMP smoke", b"x86_64",
       b"(none)"]
VMCOREINFO = ("OSRELEASE=6.1.0-smoke\nPAGESIZE=4096\n"
              "SYMBOL(swapper_pg_dir)=ffffffff82c0a000\n"
              "SYMBOL(init_uts_ns)=%x\n"
              "OFFSET(uts_namespace.name)=0\n"
              "NUMBER(phys_base)=%d\n"
              "NUMBER(KERNEL_IMAGE_SIZE)=1073741824\n"
              "KERNELOFFSET=0\n" % (INIT_UTS_NS, PHYS_BASE)).encode()
NOTE_PADDR = 0x5000000
DMA_PADDR = 0x5001000


def fw_cfg_file(qt, name):
    """The selector of fw_cfg file @name (read from FW_CFG_FILE_DIR)."""
    qt.cmd("outw 0x510 0x19")

    def byte():
        return int(qt.cmd("inb 0x511").split()[1], 16)

    def read(n):
        return bytes(byte() for _ in range(n))

    count = int.from_bytes(read(4), "big")
    for _ in range(count):
        ent = read(64)
        if ent[8:].split(b"\0")[0] == name.encode():
            return int.from_bytes(ent[4:6], "big")
    raise RuntimeError("fw_cfg has no " + name)


def give_vmcoreinfo(qt):
    import struct
    desc = VMCOREINFO
    note = struct.pack("<III", 11, len(desc), 0) + b"VMCOREINFO\0\0" + desc
    note += bytes(-len(note) % 4)
    qt.write(NOTE_PADDR, note)
    qt.write(UTS_PADDR, b"".join(f.ljust(65, b"\0") for f in UTS))
    # FWCfgVMCoreInfo: host_format, guest_format (1: ELF), size, paddr
    info = struct.pack("<HHIQ", 0, 1, len(note), NOTE_PADDR)
    qt.write(DMA_PADDR + 0x100, info)
    sel = fw_cfg_file(qt, "etc/vmcoreinfo")
    ctl = (sel << 16) | 0x08 | 0x10            # select + write
    qt.write(DMA_PADDR, struct.pack(">IIQ", ctl, len(info), DMA_PADDR + 0x100))
    qt.cmd("outl 0x514 0x0")
    qt.cmd("outl 0x518 0x%x" % int.from_bytes(
        DMA_PADDR.to_bytes(4, "big"), "little"))
    ctl_after = struct.unpack(">I", qt.read(DMA_PADDR, 4))[0]
    return ctl_after == 0


def elf_kimage_loads(path):
    """The PT_LOADs of an ELF core with a kernel-image virtual address."""
    import struct
    loads = []
    with open(path, "rb") as f:
        eh = f.read(64)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        f.seek(phoff)
        for _ in range(phnum):
            ptype, _, off, vaddr, paddr, filesz, memsz = \
                struct.unpack_from("<IIQQQQQ", f.read(phentsize))
            if ptype == 1 and vaddr >= KMAP:
                loads.append((vaddr, paddr, off, filesz))
    return loads


def main():
    qemu = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="sparsevm-qemu-smoke-")
    procs = []
    try:
        run(qemu, tmp, procs)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if os.environ.get("SMOKE_KEEP"):
            print("smoke: files kept in " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("smoke: %d FAILED: %s" % (len(failures), "; ".join(failures)))
        sys.exit(1)
    print("smoke: all passed")


def run(qemu, tmp, procs):
    qmp_path = os.path.join(tmp, "qmp.sock")
    qtest_path = os.path.join(tmp, "qtest.sock")
    lq = socket.socket(socket.AF_UNIX)
    lq.bind(qtest_path)
    lq.listen(1)

    args = [qemu, "-nodefaults", "-display", "none",
            "-machine", "q35,memory-backend=ram0", "-accel", "qtest",
            "-m", "1G,maxmem=3G",
            "-object", "memory-backend-memfd,id=ram0,size=1G",
            "-object", "memory-backend-memfd,id=vmem0,size=2G",
            "-device", "virtio-mem-pci,id=vm0,memdev=vmem0,requested-size=0",
            "-device", "vmcoreinfo",
            "-qtest", "unix:" + qtest_path, "-qtest-log", "/dev/null",
            "-qmp", "unix:%s,server=on,wait=off" % qmp_path]
    have_tpm = shutil.which("swtpm") is not None
    if have_tpm:
        tpm_dir = os.path.join(tmp, "tpm")
        os.mkdir(tpm_dir)
        tpm_sock = os.path.join(tpm_dir, "swtpm.sock")
        procs.append(subprocess.Popen(
            ["swtpm", "socket", "--tpm2", "--tpmstate", "dir=" + tpm_dir,
             "--ctrl", "type=unixio,path=" + tpm_sock],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(100):
            if os.path.exists(tpm_sock):
                break
            time.sleep(0.05)
        args += ["-chardev", "socket,id=chrtpm,path=" + tpm_sock,
                 "-tpmdev", "emulator,id=tpm0,chardev=chrtpm",
                 "-device", "tpm-crb,tpmdev=tpm0"]
    else:
        print("skip MOR: swtpm is not installed")

    vm = subprocess.Popen(args)
    procs.append(vm)
    lq.settimeout(30)
    qsock, _ = lq.accept()
    qt = QTest(qsock)
    for _ in range(200):
        if os.path.exists(qmp_path):
            break
        time.sleep(0.05)
    s = socket.socket(socket.AF_UNIX)
    s.connect(qmp_path)
    qmp = QMP(s)

    before_data = memfd_bytes(vm.pid, "ram0")
    for addr, data in DATA:
        qt.write(addr, data)
    check(give_vmcoreinfo(qt), "VMCOREINFO handed over by fw_cfg DMA")
    # 128 MiB of non-zero pages keep a single-threaded kdump busy for a
    # while (the dump-cancel check needs it running).
    qt.cmd("memset 0x10000000 0x8000000 0x5a")
    ram0 = memfd_bytes(vm.pid, "ram0")
    vmem0 = memfd_bytes(vm.pid, "vmem0")
    print("memfd ram0 %d MiB allocated (%d MiB before writing), vmem0 %d"
          % (ram0 // MiB, before_data // MiB, vmem0))
    check(ram0 < 256 * MiB, "only what was written is allocated")

    formats = qmp.ok("query-dump-guest-memory-capability")["formats"]
    print("formats: " + " ".join(formats))
    for want in ["elf", "kdump-zlib", "kdump-lzo", "kdump-snappy",
                 "kdump-zstd", "kdump-raw-zlib", "kdump-raw-zstd"]:
        check(want in formats, "format %s offered" % want)

    for fmt in formats:
        if fmt == "win-dmp":
            continue
        path = os.path.join(tmp, "dump." + fmt)
        t = time.time()
        qmp.ok("dump-guest-memory", paging=False, protocol="file:" + path,
               format=fmt)
        took = time.time() - t
        st = os.stat(path)
        print("%-16s %6.2f s  %8d KiB  (%d KiB on disk)"
              % (fmt, took, st.st_size // 1024, st.st_blocks // 2))
        check(memfd_bytes(vm.pid, "ram0") == ram0 and
              memfd_bytes(vm.pid, "vmem0") == vmem0,
              "%s: memfd allocation unchanged" % fmt)
        if fmt == "elf":
            r = subprocess.run(["readelf", "-h", "-l", "-n", path],
                               capture_output=True, text=True)
            check(r.returncode == 0 and "CORE" in r.stdout,
                  "elf: readelf reads it")
            reader = elf_read
            check(st.st_blocks * 512 < st.st_size // 2,
                  "elf: the file is sparse")
            # No vCPU runs, so the CPU is not in long mode: the dump is
            # not an x86_64 kernel's, and gets no kernel-image PT_LOAD
            # (tests/guest checks those with a real Linux guest).
            check(elf_kimage_loads(path) == [],
                  "elf: no kernel-image PT_LOAD without long mode")
        elif fmt.startswith("kdump-raw-"):
            reader = kdump_read
        else:
            flat = path + ".raw"
            with open(path, "rb") as f:
                r = subprocess.run(["makedumpfile", "-R", flat], stdin=f,
                                   capture_output=True, text=True)
            check(r.returncode == 0, "%s: makedumpfile -R" % fmt)
            path = flat
            reader = kdump_read
        for addr, data in DATA:
            got = reader(path, addr, len(data))
            check(got == data, "%s: data at 0x%x" % (fmt, addr))
        for addr in UNTOUCHED:
            check(reader(path, addr, 4096) == bytes(4096),
                  "%s: never written 0x%x reads zero" % (fmt, addr))

    # Byte-identical kdump output at any thread count.
    sums = []
    for n in (1, 2, 3):
        path = os.path.join(tmp, "threads%d" % n)
        qmp.ok("dump-guest-memory", paging=False, protocol="file:" + path,
               format="kdump-raw-zstd" if "kdump-raw-zstd" in formats
               else "kdump-raw-zlib", **{"x-dump-threads": n})
        with open(path, "rb") as f:
            sums.append(f.read())
        os.unlink(path)
    check(sums[0] == sums[1] == sums[2], "kdump: same bytes with 1, 2, 3 threads")
    r = qmp.cmd("dump-guest-memory", paging=False, protocol="file:/nonexistent",
                format="kdump-zlib", **{"x-dump-threads": 0})
    check("error" in r and "x-dump-threads" in r["error"]["desc"],
          "x-dump-threads 0 refused")

    # A FIFO destination is written in place: renaming a temporary file
    # over it would replace it (as it would /dev/null or any device).
    fifo = os.path.join(tmp, "dump.fifo")
    os.mkfifo(fifo)
    streamed_path = os.path.join(tmp, "streamed.core")
    with open(streamed_path, "wb") as out:
        reader = subprocess.Popen(["cat", fifo], stdout=out)
    qmp.ok("dump-guest-memory", paging=False, protocol="file:" + fifo)
    try:
        reader.wait(timeout=60)
    except subprocess.TimeoutExpired:
        # the FIFO was replaced: its reader never sees a writer
        reader.kill()
        reader.wait()
    with open(streamed_path, "rb") as f:
        streamed = f.read(4)
    os.unlink(streamed_path)
    check(stat.S_ISFIFO(os.lstat(fifo).st_mode) and streamed[:4] == b"\x7fELF"
          and not [n for n in os.listdir(tmp) if n.startswith("dump.fifo.")],
          "file: on a FIFO: written in place, the FIFO kept")
    os.unlink(fifo)
    for n in os.listdir(tmp):
        if n.startswith("dump.fifo."):
            os.unlink(os.path.join(tmp, n))

    # dump-cancel: a detached single-threaded zlib dump of 128 MiB of data
    # takes long enough to be caught running.
    target = os.path.join(tmp, "cancel.core")
    with open(target, "wb") as f:
        f.write(b"previous dump\n")
    qmp.events.clear()
    qmp.ok("dump-guest-memory", paging=False, protocol="file:" + target,
           format="kdump-zlib", detach=True, **{"x-dump-threads": 1})
    status = qmp.ok("query-dump")["status"]
    r = qmp.cmd("dump-cancel")
    ev = qmp.wait_event("DUMP_COMPLETED")
    if status == "active" and "error" not in r:
        check(ev["data"]["result"]["status"] == "failed" and
              ev["data"].get("error") == "dump: cancelled by dump-cancel",
              "dump-cancel: DUMP_COMPLETED failed, 'cancelled by dump-cancel'")
        with open(target, "rb") as f:
            check(f.read() == b"previous dump\n",
                  "dump-cancel: the previous file is untouched")
    else:
        check(False, "dump-cancel: the dump finished before it could be "
              "cancelled (%s)" % status)
    left = [n for n in os.listdir(tmp) if n.startswith("cancel.core.")]
    check(not left, "dump-cancel: no temporary file left")
    r = qmp.cmd("dump-cancel")
    check(r.get("error", {}).get("desc") == "No dump in progress",
          "dump-cancel without a dump: 'No dump in progress'")
    check(memfd_bytes(vm.pid, "ram0") == ram0, "memfd unchanged after all")

    if have_tpm:
        vector = qt.read(0xfffffff0, 16)
        # A firmware shadow like SeaBIOS's: RAM at 0xf0000 filled while
        # the MCH's PAM0 maps it read-write, then mapped read-only.  A
        # reset leaves PAM as it is, so the firmware runs from this RAM.
        shadow = pattern(4, 4096)
        qt.cmd("outl 0xcf8 0x80000090")
        qt.cmd("outb 0xcfc 0x30")
        qt.write(0xf0000, shadow)
        qt.cmd("outb 0xcfc 0x10")
        # conventional memory below 1 MiB: firmware state (BDA, EBDA)
        lowmem = pattern(5, 4096)
        qt.write(0x90000, lowmem)
        qt.cmd("writeb 0xfed4515a 0x1")
        qmp.events.clear()
        qmp.ok("system_reset")
        qmp.wait_event("RESET")
        after = memfd_bytes(vm.pid, "ram0")
        print("MOR reset: ram0 %d -> %d KiB allocated"
              % (ram0 // 1024, after // 1024))
        check(after <= before_data + 2 * 4096, "MOR: cleared memory is "
              "discarded, nothing populated (but the two kept pages)")
        check(all(qt.read(a, len(d)) == bytes(len(d)) for a, d in DATA) and
              qt.read(UTS_PADDR, 5) == bytes(5),
              "MOR: the written data is gone")
        check(qt.read(0x10000000, 4096) == bytes(4096), "MOR: memset gone")
        check(qt.read(0xfffffff0, 16) == vector and vector != bytes(16),
              "MOR: the BIOS reset vector is intact")
        check(qt.read(0xf0000, 4096) == shadow,
              "MOR: read-only mapped RAM (a firmware shadow) is intact")
        check(qt.read(0x90000, 4096) == lowmem,
              "MOR: the PC firmware area (first MiB) is intact")
        # cleared once: SeaBIOS resets again right after the first reset
        check(qt.read(0xfed4515a, 1) == b"\x00",
              "MOR: the request is dropped once memory is clear")

    qmp.cmd("quit")
    vm.wait(timeout=30)


if __name__ == "__main__":
    main()
