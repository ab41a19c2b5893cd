#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""scripts/dump-guest-memory when its output is not a terminal.

Starts the real sparsevm, dumps into a FIFO whose reader waits before
reading (so the dump lasts a few seconds), and runs the script with its
output on a pipe: by default it must print the summary line only, not a
line per poll; with --interval 1 a progress line about every second.

Usage: test-dump-guest-memory.py BUILD_DIR
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.realpath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "dump-guest-memory")
HOLD_SECONDS = 3.0
PROGRESS = re.compile(r"^\[[#.]+\] +\d+\.\d%")
SUMMARY = re.compile(r"^dump-guest-memory: .* of guest memory in [\d.]+ s$")


def slow_reader(fd, nbytes):
    """Hold the FIFO unread, then drain it."""
    time.sleep(HOLD_SECONDS)
    os.set_blocking(fd, True)
    while True:
        data = os.read(fd, 1 << 20)
        if not data:
            break
        nbytes.append(len(data))
    os.close(fd)


def run(tmp, sock, extra):
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    nbytes = []
    reader = threading.Thread(target=slow_reader, args=(rfd, nbytes))
    reader.start()
    start = time.monotonic()
    proc = subprocess.run([sys.executable, SCRIPT, "-s", sock, fifo] + extra,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          stdin=subprocess.DEVNULL, timeout=120)
    took = time.monotonic() - start
    reader.join()
    os.unlink(fifo)
    lines = proc.stdout.decode().splitlines()
    if proc.returncode != 0:
        raise SystemExit("FAIL: exit %d: %s" % (proc.returncode, lines))
    if not lines or not SUMMARY.match(lines[-1]):
        raise SystemExit("FAIL: no summary line last: %s" % lines)
    if sum(nbytes) < 256 << 20:
        raise SystemExit("FAIL: the reader got %d bytes" % sum(nbytes))
    if took < HOLD_SECONDS:
        raise SystemExit("FAIL: the dump took %.2f s, under the reader's "
                         "hold" % took)
    return lines[:-1], took


def main():
    build = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="test-dump-guest-memory-")
    sock = os.path.join(tmp, "qmp.sock")
    vm = subprocess.Popen([os.path.join(build, "sparsevm"), "-machine",
                           "microvm", "-display", "none", "-m", "256M",
                           "-qmp", "unix:%s,server=on,wait=off" % sock],
                          stdin=subprocess.DEVNULL)
    try:
        end = time.monotonic() + 20
        while not os.path.exists(sock):
            if vm.poll() is not None or time.monotonic() > end:
                raise SystemExit("FAIL: sparsevm did not start")
            time.sleep(0.05)

        other, took = run(tmp, sock, [])
        print("default: %.2f s, %d lines before the summary" %
              (took, len(other)))
        # one line per 10 s at most (a loaded machine may stretch the
        # dump past 10 s); the old script printed one per 0.2 s poll
        if len(other) > int(took // 10):
            raise SystemExit("FAIL: %d progress lines off a terminal in "
                             "%.2f s: %s" % (len(other), took, other))

        other, took = run(tmp, sock, ["--interval", "1"])
        print("--interval 1: %.2f s, %d progress lines" % (took, len(other)))
        if not other or not all(PROGRESS.match(l) for l in other):
            raise SystemExit("FAIL: expected progress lines: %s" % other)
        if len(other) > took + 1:
            raise SystemExit("FAIL: %d progress lines in %.2f s" %
                             (len(other), took))
    finally:
        vm.terminate()
        vm.wait(20)
        shutil.rmtree(tmp, ignore_errors=True)
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
