# SPDX-License-Identifier: GPL-2.0-or-later
"""A QEMU process running the check-guest Linux guest: its QMP monitor,
the guest's control channel (second UART on a unix socket), the memfd
that backs the virtio-mem region, and an optional swtpm for TPM CRB."""

import ctypes
import json
import os
import signal
import socket
import subprocess
import time

MIB = 1024 * 1024


def _die_with_parent():
    """preexec_fn: SIGKILL the child when the test process dies, so that
    no QEMU or swtpm outlives an interrupted run."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class QMPError(Exception):
    def __init__(self, cmd, err):
        super().__init__("%s: %s: %s" % (cmd, err.get("class"),
                                         err.get("desc")))
        self.error = err


class QMP:
    def __init__(self, path, timeout=30):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock.connect(path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.f = self.sock.makefile("rwb")
        self.events = []
        json.loads(self.f.readline())
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.f.write(json.dumps(msg).encode() + b"\n")
        self.f.flush()
        while True:
            line = self.f.readline()
            if not line:
                raise EOFError("QMP closed during " + name)
            resp = json.loads(line)
            if "event" in resp:
                self.events.append(resp)
                continue
            if "error" in resp:
                raise QMPError(name, resp["error"])
            return resp["return"]

    def close(self):
        self.sock.close()


class Control:
    """The guest /init's line channel (see init.sh)."""

    def __init__(self, path, proc, stderr_path, timeout=30):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock.connect(path)
                break
            except OSError:
                if proc.poll() is not None:
                    with open(stderr_path, errors="replace") as f:
                        raise RuntimeError("QEMU exited (%d): %s" % (
                            proc.returncode, f.read()[-1000:].strip()))
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        self.buf = b""

    def readline(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                return None
            if not data:
                raise EOFError("control channel closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode(errors="replace").strip("\r")

    def wait_ready(self, timeout):
        """Release string from READY, or None on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.readline(max(0, deadline - time.monotonic()))
            if line is None:
                return None
            if line.startswith("READY"):
                return line.split(" ", 1)[1]

    def request(self, line, timeout=120):
        self.sock.sendall(line.encode() + b"\n")
        resp = self.readline(timeout)
        if resp is None:
            raise TimeoutError("guest did not answer '%s'" % line)
        if not resp.startswith("OK"):
            raise RuntimeError("guest: '%s' -> '%s'" % (line, resp))
        return resp[3:]


class Guest:
    """One QEMU process.  boot_mib of boot RAM, a region_mib memfd region
    behind virtio-mem-pci 'vm0', TPM CRB when tpm=True."""

    def __init__(self, qemu, setup, workdir, boot_mib=1024, region_mib=2048,
                 tpm=False, trace=False):
        self.qemu = qemu
        self.dir = workdir
        self.region = region_mib * MIB
        os.makedirs(workdir, exist_ok=True)
        self.qmp_path = os.path.join(workdir, "qmp.sock")
        self.ctl_path = os.path.join(workdir, "ctl.sock")
        self.console = os.path.join(workdir, "console.log")
        self.trace_log = os.path.join(workdir, "trace.log") if trace else None
        self.swtpm = None
        # Debian's firmware directories, named so that both binaries boot
        # the same SeaBIOS whatever their configured data directories
        args = [qemu, "-L", "/usr/share/seabios", "-L", "/usr/share/qemu",
                "-nodefaults", "-machine", "q35", "-accel", "tcg",
                "-cpu", "max,la57=off",
                "-m", "%dM,maxmem=%dM" % (boot_mib, boot_mib + region_mib),
                "-smp", "1",
                "-object", "memory-backend-memfd,id=vmem0,size=%dM"
                % region_mib,
                "-device", "virtio-mem-pci,id=vm0,memdev=vmem0,"
                "requested-size=0",
                "-device", "vmcoreinfo",
                "-kernel", setup["kernel"], "-initrd", setup["initrd"],
                # no_timer_check: under TCG on a starved host the
                # kernel's IO-APIC timer check can miss its ticks and
                # panic ("IO-APIC + timer doesn't work!", seen at a load
                # average of 30); the usual setting for virtual machines
                "-append", "console=ttyS0 memhp_default_state=online_movable"
                " panic=-1 init_on_alloc=0 loglevel=6 no_timer_check",
                "-display", "none",
                "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path,
                "-chardev", "file,id=con,path=%s" % self.console,
                "-serial", "chardev:con",
                "-chardev", "socket,id=ctl,path=%s,server=on,wait=off"
                % self.ctl_path,
                "-device", "isa-serial,chardev=ctl,index=1"]
        if tpm:
            state = os.path.join(workdir, "tpm")
            os.makedirs(state, exist_ok=True)
            tsock = os.path.join(workdir, "swtpm.sock")
            self.swtpm = subprocess.Popen(
                ["swtpm", "socket", "--tpm2", "--tpmstate", "dir=" + state,
                 "--ctrl", "type=unixio,path=" + tsock,
                 "--flags", "startup-clear"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                preexec_fn=_die_with_parent)
            deadline = time.monotonic() + 10
            while not os.path.exists(tsock):
                if time.monotonic() > deadline or self.swtpm.poll() is not None:
                    raise RuntimeError("swtpm did not start")
                time.sleep(0.02)
            args += ["-chardev", "socket,id=chrtpm,path=" + tsock,
                     "-tpmdev", "emulator,id=tpm0,chardev=chrtpm",
                     "-device", "tpm-crb,tpmdev=tpm0"]
        if trace:
            args += ["-trace", "virtio_mem_*", "-D", self.trace_log]
        self.stderr = open(os.path.join(workdir, "qemu.stderr"), "wb")
        self.proc = subprocess.Popen(args, stdout=self.stderr,
                                     stderr=self.stderr,
                                     preexec_fn=_die_with_parent)
        self.boot_start = time.monotonic()
        self.ctl = Control(self.ctl_path, self.proc, self.stderr.name)
        self.qmp = QMP(self.qmp_path)

    def wait_ready(self, timeout=180):
        release = self.ctl.wait_ready(timeout)
        self.boot_seconds = time.monotonic() - self.boot_start
        return release

    def memfd_path(self):
        fddir = "/proc/%d/fd" % self.proc.pid
        for fd in os.listdir(fddir):
            try:
                target = os.readlink(os.path.join(fddir, fd))
            except OSError:
                continue
            path = os.path.join(fddir, fd)
            # QEMU names it after the backend type, not its id
            if (target.startswith("/memfd:") and
                    os.stat(path).st_size == self.region):
                return path
        raise RuntimeError("no memfd of the region's size in " + fddir)

    def memfd_populated(self):
        """Bytes allocated to the virtio-mem memfd right now."""
        return os.stat(self.memfd_path()).st_blocks * 512

    def rss_anon(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
        return 0

    def plug(self, size, timeout=60):
        self.qmp.cmd("qom-set", path="vm0", property="requested-size",
                     value=size)
        deadline = time.monotonic() + timeout
        while self.qmp.cmd("qom-get", path="vm0", property="size") != size:
            if time.monotonic() > deadline:
                raise TimeoutError("virtio-mem did not reach %d" % size)
            time.sleep(0.1)

    def plug_region(self):
        """(address, region size) of the virtio-mem device."""
        for dev in self.qmp.cmd("query-memory-devices"):
            if dev["type"] == "virtio-mem" and dev["data"]["id"] == "vm0":
                return dev["data"]["memaddr"], dev["data"]["max-size"]
        raise RuntimeError("vm0 not in query-memory-devices")

    def hmp(self, line):
        return self.qmp.cmd("human-monitor-command", **{"command-line": line})

    def quit(self):
        try:
            self.qmp.cmd("quit")
        except (EOFError, OSError):
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.swtpm:
            self.swtpm.terminate()
            self.swtpm.wait()
        self.stderr.close()
