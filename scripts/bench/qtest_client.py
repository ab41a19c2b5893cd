# SPDX-License-Identifier: GPL-2.0-or-later
"""A qtest + QMP client for the benchmarks, shared by the sparsevm and the
QEMU drivers (sparsevm_qtest.py, qemu_qtest.py): start the process with
a qtest and a QMP socket it connects to (as tests/qtest/libqtest.c does),
send qtest commands (memory and port accesses), and QMP commands with
their events kept for event_wait().  Standard library only.
"""

import json
import os
import socket
import subprocess
import tempfile


class QtestVM:
    """A process started with @args after its qtest and QMP options,
    with both connections; @name names it in errors."""

    def __init__(self, binary, args, qtest_log="/dev/null", name="VM"):
        self.name = name
        self.tmp = tempfile.mkdtemp(prefix="bench-qtest-")
        qtest_path = os.path.join(self.tmp, "qtest.sock")
        qmp_path = os.path.join(self.tmp, "qmp.sock")
        socks = []
        for path in (qtest_path, qmp_path):
            s = socket.socket(socket.AF_UNIX)
            s.bind(path)
            s.listen(1)
            socks.append(s)
        cmd = [binary, "-qtest", "unix:" + qtest_path, "-qtest-log",
               qtest_log, "-chardev", "socket,path=%s,id=qmp0" % qmp_path,
               "-mon", "chardev=qmp0,mode=control",
               "-display", "none"] + args
        self.proc = subprocess.Popen(cmd)
        self.qtest, _ = socks[0].accept()
        self.qmp, _ = socks[1].accept()
        for s in socks:
            s.close()
        self.bufs = {"qtest": b"", "qmp": b""}
        self.events = []
        self._qmp_read()                     # greeting
        self.command("qmp_capabilities")

    def _line(self, sock, key):
        while b"\n" not in self.bufs[key]:
            data = sock.recv(1 << 16)
            if not data:
                raise RuntimeError("%s closed the connection" % self.name)
            self.bufs[key] += data
        line, self.bufs[key] = self.bufs[key].split(b"\n", 1)
        return line.decode()

    # ----------------------------------------------------------- qtest
    def qt(self, line):
        """One qtest command; returns what follows "OK"."""
        self.qtest.sendall(line.encode() + b"\n")
        while True:
            reply = self._line(self.qtest, "qtest")
            if reply.startswith("IRQ"):
                continue
            if not reply.startswith("OK"):
                raise RuntimeError("qtest %r: %s" % (line, reply))
            return reply[3:]

    def read_n(self, addr, width):
        """Read @width (1, 2, 4, 8) bytes at guest address @addr."""
        return int(self.qt("read%s 0x%x" % ("bwlq"[width.bit_length() - 1],
                                            addr)), 16)

    def write_n(self, addr, width, val):
        self.qt("write%s 0x%x 0x%x" % ("bwlq"[width.bit_length() - 1], addr,
                                       val))

    def readw(self, addr):
        return self.read_n(addr, 2)

    def readl(self, addr):
        return self.read_n(addr, 4)

    def readq(self, addr):
        return self.read_n(addr, 8)

    def writel(self, addr, val):
        self.write_n(addr, 4, val)

    def inl(self, port):
        return int(self.qt("inl 0x%x" % port), 16)

    def outl(self, port, val):
        self.qt("outl 0x%x 0x%x" % (port, val))

    def write(self, addr, data):
        self.qt("write 0x%x 0x%x 0x%s" % (addr, len(data), data.hex()))

    def read(self, addr, size):
        return bytes.fromhex(self.qt("read 0x%x 0x%x" % (addr, size))[2:])

    def memset(self, addr, size, byte):
        self.qt("memset 0x%x 0x%x 0x%02x" % (addr, size, byte))

    # ------------------------------------------------------------- QMP
    def _qmp_read(self):
        return json.loads(self._line(self.qmp, "qmp"))

    def command(self, name, **args):
        """Run QMP command @name; its return value, or RuntimeError with
        the error's description.  Events seen meanwhile are kept."""
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.qmp.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._qmp_read()
            if "event" in reply:
                self.events.append(reply)
            if "error" in reply:
                raise RuntimeError("%s: %s" % (name, reply["error"]["desc"]))
            if "return" in reply:
                return reply["return"]

    def event_wait(self, name):
        """The first event @name, kept or still to come."""
        while True:
            for i, ev in enumerate(self.events):
                if ev["event"] == name:
                    return self.events.pop(i)
            self.events.append(self._qmp_read())

    def quit(self):
        try:
            self.command("quit")
        except (RuntimeError, OSError):
            pass
        self.proc.wait()
        for name in os.listdir(self.tmp):
            os.unlink(os.path.join(self.tmp, name))
        os.rmdir(self.tmp)
