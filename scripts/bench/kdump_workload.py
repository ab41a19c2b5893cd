# SPDX-License-Identifier: GPL-2.0-or-later
"""The workloads of issue 17, set up on a sparsevm process with
contrib/vmdriver playing the guest over qtest (virtio-mem on
virtio-mmio).

mixed: 512 MiB boot RAM; a 32 GiB memfd region with 2 MiB blocks,
       every other block plugged up to 8 GiB; 2 GiB of the plugged
       blocks written with a mix, in runs of 16 pages: a third one
       repeated byte, a third text-like, a third random.
worst: 1 TiB region, 2 MiB blocks, every second block plugged (262,144
       runs, 512 GiB plugged), 64 pages written.

Guest memory is written through the memfd itself (reopened through
/proc/PID/fd), which is much faster than the qtest socket and lands in
the same pages the guest would have written.
"""

import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from sparsevm.qmp import QMP  # noqa: E402

MiB = 1 << 20
GiB = 1 << 30
PAGE = 4096
RUN = 16 * PAGE
BLOCK = 2 * MiB

WORDS = ("the of and to in is was for that with as on by at from kernel "
         "page memory dump guest virtio block plugged region struct int "
         "return static void unsigned long error file device buffer list "
         "node next prev lock unlock mutex thread task process sched irq "
         "0x0000 0xffff 1024 4096 NULL true false if else while for").split()

WORKLOADS = {
    # boot MiB, region, plugged, written
    "mixed": (512, 32 * GiB, 8 * GiB, 2 * GiB),
    "worst": (512, 1024 * GiB, 512 * GiB, 64 * PAGE),
    "probe": (64, 1 * GiB, 2 * MiB, 0),
    # vs-qemu.py --smoke (the meson test bench-smoke): mixed and worst
    # made small enough to run in seconds
    "smoke": (256, 2 * GiB, 64 * MiB, 16 * MiB),
    "smoke-worst": (256, 16 * GiB, 8 * GiB, 64 * PAGE),
}


def text_block(rnd, size):
    """About @size bytes of word soup with line breaks."""
    out, n = [], 0
    while n < size:
        line = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(4, 14)))
        out.append(line)
        n += len(line) + 1
    return ("\n".join(out) + "\n").encode()[:size]


def mix_bytes(rnd, text, size):
    """@size bytes of the mix, in runs of 16 pages."""
    chunk = []
    for _ in range(0, size, RUN):
        kind = rnd.randrange(3)
        if kind == 0:
            chunk.append(bytes([rnd.randrange(1, 256)]) * RUN)
        elif kind == 1:
            start = rnd.randrange(0, len(text) - RUN)
            chunk.append(text[start:start + RUN])
        else:
            chunk.append(os.urandom(RUN))
    return b"".join(chunk)


def memfd_path(pid, backend_id):
    """The /proc path of the memfd behind memory backend @backend_id of
    process @pid (sparsevm names it "memory-backend-memfd", QEMU by the
    backend's id)."""
    fds = "/proc/%d/fd" % pid
    for fd in os.listdir(fds):
        try:
            target = os.readlink(os.path.join(fds, fd))
        except OSError:
            continue
        if target.startswith("/memfd:") and backend_id in target:
            return os.path.join(fds, fd)
    raise RuntimeError("no memfd %s in process %d" % (backend_id, pid))


def fill_blocks(path, offsets, written, seed=1):
    """Write @written bytes of the mix at the start of the blocks at
    @offsets (in the memfd at @path), whole blocks in order."""
    rnd = random.Random(seed)
    text = text_block(rnd, 4 * MiB)
    fd = os.open(path, os.O_WRONLY)
    try:
        left = written
        for off in offsets:
            if not left:
                break
            n = min(left, BLOCK)
            if written >= BLOCK:
                data = mix_bytes(rnd, text, n)
            else:
                data = os.urandom(n)
            os.pwrite(fd, data, off)
            left -= n
    finally:
        os.close(fd)


class Workload:
    """A sparsevm VM set up as workload @name, with contrib/vmdriver
    playing the guest (virtio-mem plugging over qtest) and a QMP socket
    in @tmp.  @qmp: the monitor; @pid: sparsevm's process."""

    def __init__(self, build, tmp, name, extra=()):
        boot, region, plugged, written = WORKLOADS[name]
        sock = os.path.join(tmp, "qmp-%s.sock" % name)
        args = ["-machine", "microvm",
                "-m", "%dM,maxmem=%dM" % (boot, boot + region // MiB),
                "-object", "memory-backend-memfd,id=mem0,size=%dM" %
                (region // MiB),
                "-device", "virtio-mem-device,id=vm0,memdev=mem0,"
                "block-size=2M",
                "-qmp", "unix:%s,server=on,wait=off" % sock] + list(extra)
        self.drv = subprocess.Popen(
            [os.path.join(build, "contrib", "vmdriver")] + args,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self._answer()
        self.qmp = QMP(sock)
        self.cmd("init")
        # every other block: the usable region (which follows the
        # requested size) must span twice the plugged size
        self.qmp.command("qom-set", path="vm0", property="requested-size",
                         value=region)
        cfg = dict(kv.split("=") for kv in self.cmd("reinit").split())
        self.addr = int(cfg["addr"], 0)
        self.cmd("plug 1 1 %d" % plugged)
        self.pid = self._child()
        offsets = [2 * i * BLOCK for i in range(plugged // BLOCK)]
        fill_blocks(memfd_path(self.pid, "memory-backend-memfd"), offsets,
                    written)
        self.written = written

    def _child(self):
        with open("/proc/%d/task/%d/children" % (self.drv.pid,
                                                 self.drv.pid)) as f:
            return int(f.read().split()[0])

    def _answer(self):
        line = self.drv.stdout.readline().strip()
        if not line.startswith("ok"):
            raise RuntimeError("vmdriver: %s" % (line or "exited"))
        return line[3:]

    def cmd(self, line):
        self.drv.stdin.write(line + "\n")
        self.drv.stdin.flush()
        return self._answer()

    def writeb(self, addr, val):
        self.cmd("writeb %d %d" % (addr, val))

    def close(self):
        self.qmp.close()
        self.drv.stdin.write("quit\n")
        self.drv.stdin.flush()
        self.drv.wait(timeout=120)


class QemuWorkload:
    """The same workload @name on Debian's qemu-system-x86_64 (q35,
    virtio-mem-pci, vCPU stopped), played by qemu_qtest's driver.
    @qmp: the monitor; @pid: QEMU's process."""

    def __init__(self, binary, name, extra=()):
        import qemu_qtest
        boot, region, plugged, written = WORKLOADS[name]
        self.qmp = qemu_qtest.QemuVM(binary, [
            "-m", "%dM,maxmem=%dM" % (boot, boot + region // MiB),
            "-object", "memory-backend-memfd,id=mem0,size=%dM" %
            (region // MiB),
            "-device", "virtio-mem-pci,id=vm0,memdev=mem0,block-size=2M,"
            "requested-size=%dM" % (region // MiB)] + list(extra))
        self.pid = self.qmp.proc.pid
        self.dev = qemu_qtest.VirtioMemPci(self.qmp)
        self.dev.plug_blocks([2 * i for i in range(plugged // BLOCK)])
        offsets = [2 * i * BLOCK for i in range(plugged // BLOCK)]
        fill_blocks(memfd_path(self.pid, "memory-backend-memfd"), offsets,
                    written)
        self.written = written

    def writeb(self, addr, val):
        self.qmp.write_n(addr, 1, val)

    def close(self):
        self.qmp.quit()


def read_plug_pattern(path):
    """A recorded plug pattern (tests/guest/plugpattern.py's format):
    (block size, region size, [(kind, offset, size)]) of the requests
    the device acknowledged."""
    bs = region = 0
    reqs = []
    with open(path) as f:
        for line in f:
            w = line.split("#", 1)[0].split()
            if not w:
                continue
            if w[0] == "block-size":
                bs = int(w[1], 16)
            elif w[0] == "region-size":
                region = int(w[1], 16)
            elif w[0] in ("plug", "unplug") and w[3] == "ack":
                reqs.append((w[0], int(w[1], 16), int(w[2], 16)))
    return bs, region, reqs


def replay_plugged(reqs, bs):
    """The plugged block indices after @reqs, in order."""
    plugged = set()
    for kind, off, size in reqs:
        blocks = range(off // bs, (off + size) // bs)
        if kind == "plug":
            plugged.update(blocks)
        else:
            plugged.difference_update(blocks)
    return sorted(plugged)


class ReplayWorkload:
    """A recorded real guest's plug pattern replayed on sparsevm (@qemu
    None: microvm, virtio-mem-device, sparsevm_qtest's driver) or QEMU
    (@qemu the binary: q35, virtio-mem-pci), then every plugged block
    written with the mix."""

    def __init__(self, binary, pattern, qemu=False):
        bs, region, reqs = read_plug_pattern(pattern)
        boot = 512
        mem = ["-m", "%dM,maxmem=%dM" % (boot, boot + region // MiB),
               "-object", "memory-backend-memfd,id=mem0,size=%dM" %
               (region // MiB)]
        dev = "memdev=mem0,block-size=%d,requested-size=%d" % (bs, region)
        if qemu:
            import qemu_qtest
            self.qmp = qemu_qtest.QemuVM(binary, mem + [
                "-device", "virtio-mem-pci,id=vm0," + dev])
            self.pid = self.qmp.proc.pid
            d = qemu_qtest.VirtioMemPci(self.qmp)
            for kind, off, size in reqs:
                resp = d._batch([(0 if kind == "plug" else 1, d.addr + off,
                                  size // bs)])[0]
                if resp:
                    raise RuntimeError("%s 0x%x refused" % (kind, off))
        else:
            import sparsevm_qtest
            self.qmp = sparsevm_qtest.VM(binary, ["-machine", "microvm"] +
                                         mem + ["-device",
                                                "virtio-mem-device,id=vm0," +
                                                dev])
            self.pid = self.qmp.proc.pid
            d = sparsevm_qtest.VirtioMem(self.qmp, 256 * MiB)
            for kind, off, size in reqs:
                if d.request(0 if kind == "plug" else 1, d.addr + off,
                             size // bs):
                    raise RuntimeError("%s 0x%x refused" % (kind, off))
        blocks = replay_plugged(reqs, bs)
        self.written = len(blocks) * bs
        fill_blocks(memfd_path(self.pid, "memory-backend-memfd"),
                    [b * bs for b in blocks], self.written)

    def close(self):
        self.qmp.quit()


def memfd_allocated(pid):
    """Bytes allocated in the memfd of process @pid's memory backend."""
    return os.stat(memfd_path(pid, "memory-backend-memfd")).st_blocks * 512


def proc_cpu(pid):
    """User + system CPU seconds of process @pid so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick


def proc_peak_rss(pid):
    """VmHWM of process @pid in bytes."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def reset_peak_rss(pid):
    """Reset VmHWM (writing 5 to clear_refs), if the kernel lets us."""
    try:
        with open("/proc/%d/clear_refs" % pid, "w") as f:
            f.write("5")
        return True
    except OSError:
        return False
