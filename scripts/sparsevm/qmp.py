# SPDX-License-Identifier: GPL-2.0-or-later
"""A small QMP client: connect to a unix socket, negotiate, run commands,
collect events.  Standard library only, so the demo and the benchmarks run
with Debian's python3 as it comes."""
import json
import socket
import time


class QMPError(Exception):
    """A command answered {"error": {...}}."""

    def __init__(self, klass, desc):
        super().__init__(f"{klass}: {desc}")
        self.klass = klass
        self.desc = desc


class QMP:
    def __init__(self, path, timeout=600.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.sock.settimeout(timeout)
        self.buf = b""
        self.events = []
        self.greeting = self._read()
        self.command("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("QMP connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def send(self, name, fds=None, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        data = json.dumps(msg).encode()
        if fds:
            socket.send_fds(self.sock, [data], fds)
        else:
            self.sock.sendall(data)

    def receive(self):
        """The next reply; events met on the way are kept in .events."""
        while True:
            msg = self._read()
            if "event" in msg:
                self.events.append(msg)
                continue
            return msg

    def command(self, name, fds=None, **args):
        self.send(name, fds=fds, **args)
        reply = self.receive()
        if "error" in reply:
            raise QMPError(reply["error"]["class"], reply["error"]["desc"])
        return reply["return"]

    def event_wait(self, name, timeout=600.0):
        deadline = time.monotonic() + timeout
        while True:
            for i, ev in enumerate(self.events):
                if ev["event"] == name:
                    return self.events.pop(i)
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {name} event")
            msg = self._read()
            if "event" in msg:
                self.events.append(msg)

    def hmp(self, line):
        return self.command("human-monitor-command", **{"command-line": line})

    def close(self):
        self.sock.close()
