#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run the commands the user documentation shows, as a test.

Every fenced block of README.md and docs/**/*.md is classified by its
info string (the word after the opening fence), as
docs/devel/docs-tests.md describes:

    ```shell                 commands, run in order with bash
    ```qmp                   QMP requests, expected replies and events
    ```text (c, xml, json)   output, diagrams, code: not run
    ```shell norun: REASON   commands that cannot run in make check

A block needs an info string everywhere but in docs/devel/, where an
untagged block is text; blocks pulled in by docs-sync.py (between
`<!-- DOC: ... -->` markers) are text.

Each page runs in a scratch directory of its own that stands in for the
top of the source tree: `build/` and `scripts/` are links to the build
and the sources, and every `/tmp/...` and `/var/tmp/...` path of the page
is rewritten into the scratch directory.  A `./build/sparsevm` command
whose monitor or chardev is a listening unix socket is started in the
background and stays up until the page ends or the next one starts; a
page that talks to QMP without starting a VM gets the default one
(DEFAULT_VM).  In a shell block with `$ ` lines, those are the commands
and the lines after them their expected output; every expected line must
appear in the actual output, in order, compared by shape (numbers are
any number, `...` is anything).  A command must exit with status 0.

A qmp block is a series of JSON values: requests (`execute`), each
followed by its expected reply (`return` / `error`) and events (`event`)
if the page shows them, and optionally the greeting (`QMP`) first.
`...` stands for omitted members.  A request whose reply is not shown
must succeed; a shown reply must have the same members and JSON types
(strings are compared only for `class` and `event`, and an error's `desc`
by shape, as shell output is).

Usage: docs-run.py --build BUILD_DIR [PAGE...]
Exit status 0 when every runnable block passed.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
RUN_LANGS = {"shell", "qmp"}
TEXT_LANGS = {"text", "c", "xml", "json"}
DEFAULT_VM = ("./build/sparsevm -machine microvm -accel qtest -display none"
              " -m 1G,maxmem=65G"
              " -object memory-backend-memfd,id=mem0,size=32G"
              " -device virtio-mem-device,id=vm0,memdev=mem0,block-size=2M"
              " -qmp unix:/tmp/qmp.sock,server=on,wait=off")
COMMAND_TIMEOUT = 120
SOCKET_TIMEOUT = 20
FENCE = re.compile(r"^(\s*)```(.*)$")


class DocError(Exception):
    """A block that failed, with the reason."""


class DocSkip(Exception):
    """A block this host cannot run (a missing kernel feature)."""


# Errors that mean the host lacks a feature, not that the doc is wrong.
HOST_LACKS = re.compile(r"^live dump: (the host refused a userfaultfd|the "
                        r"host kernel lacks userfaultfd|userfaultfd "
                        r"UFFDIO_API)")


class Block:
    def __init__(self, page, line, info, text):
        self.page = page
        self.line = line
        self.info = info.strip()
        self.text = text
        words = self.info.split(None, 1)
        self.lang = words[0] if words else ""
        rest = words[1] if len(words) > 1 else ""
        self.norun = None
        if rest.startswith("norun"):
            self.norun = rest[len("norun"):].lstrip(":").strip()

    def where(self):
        return "%s:%d" % (os.path.relpath(self.page, ROOT), self.line)


def blocks_of(page):
    """The fenced blocks of @page; DOC-sync blocks are marked 'text'."""
    with open(page, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, info = m.group(1), m.group(2)
        start = i
        body = []
        i += 1
        while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
            body.append(lines[i][len(indent):]
                        if lines[i].startswith(indent) else lines[i])
            i += 1
        i += 1
        prev = lines[start - 1] if start else ""
        if prev.startswith("<!-- DOC:"):
            info = "text"
        out.append(Block(page, start + 1, info, "\n".join(body) + "\n"))
    return out


def classify(block):
    """Problems with @block's info string, or None."""
    devel = os.sep + os.path.join("docs", "devel") + os.sep in block.page
    if not block.lang:
        if devel:
            block.lang = "text"
            return None
        return ("a block needs an info string: shell, qmp or text "
                "(docs/devel/docs-tests.md)")
    if block.lang in ("sh", "bash", "console"):
        return "write 'shell', not '%s'" % block.lang
    if block.lang not in RUN_LANGS | TEXT_LANGS:
        return "unknown info string '%s'" % block.lang
    if block.norun is not None and not block.norun:
        return "'norun' needs a reason: 'norun: WHY'"
    return None


def join_lines(lines):
    """Shell lines with backslash continuations joined."""
    out = []
    cur = ""
    for line in lines:
        if line.rstrip().endswith("\\"):
            cur += line.rstrip()[:-1] + " "
            continue
        cur += line
        out.append(cur)
        cur = ""
    if cur:
        out.append(cur)
    return out


def shell_steps(text):
    """(command, expected output lines or None) for a shell block."""
    lines = text.rstrip("\n").split("\n")
    if not any(l.startswith("$ ") for l in lines):
        cmds = [l for l in join_lines(lines)
                if l.strip() and not l.strip().startswith("#")]
        return [(c, None) for c in cmds]
    steps = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith("$ "):
            raise DocError("output before the first '$ ' command")
        cmd = [lines[i][2:]]
        while cmd[-1].rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
            cmd.append(lines[i])
        i += 1
        expect = []
        while i < len(lines) and not lines[i].startswith("$ "):
            if lines[i].strip():
                expect.append(lines[i])
            i += 1
        steps.append((join_lines(cmd)[0], expect))
    return steps


NUMBER = re.compile(r"0x[0-9a-fA-F]+|\d+(?:\.\d+)?")


def shape_re(line):
    """A regex matching lines shaped like @line."""
    out = []
    for part in re.split(r"(\.\.\.|0x[0-9a-fA-F]+|\d+(?:\.\d+)?|\s+)",
                         line.strip()):
        if not part:
            continue
        if part == "...":
            out.append(".*")
        elif NUMBER.fullmatch(part):
            out.append(r"(?:0x[0-9a-fA-F]+|-?\d+(?:\.\d+)?)")
        elif part.isspace():
            out.append(r"\s+")
        else:
            out.append(re.escape(part))
    return re.compile("".join(out))


def match_output(expect, actual):
    """None when each expected line matches an actual line, in order;
    otherwise the first expected line that did not."""
    lines = [l.strip() for l in actual.split("\n")]
    pos = 0
    for want in expect:
        rx = shape_re(want)
        while pos < len(lines) and not rx.fullmatch(lines[pos]):
            pos += 1
        if pos == len(lines):
            return want
        pos += 1
    return None


def json_values(text):
    """The JSON values of a qmp block; '...' marks omitted members."""
    text = re.sub(r"\{\s*\.\.\.\s*\}", "{}", text)
    text = re.sub(r",\s*\.\.\.\s*(?=[}\]])", "", text)
    dec = json.JSONDecoder()
    values = []
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            return values
        try:
            val, pos = dec.raw_decode(text, pos)
        except ValueError as e:
            raise DocError("not JSON: %s" % e)
        values.append(val)


def shape_diff(want, got, path="", key=None):
    """None when @got has @want's shape, else what differs."""
    kind = {dict: "object", list: "array", str: "string", bool: "boolean",
            int: "number", float: "number", type(None): "null"}
    if kind[type(want)] != kind[type(got)]:
        return "%s: %s where the doc shows %s" % (
            path or "value", kind[type(got)], kind[type(want)])
    if isinstance(want, dict):
        for k, v in want.items():
            if k not in got:
                return "%s: no member '%s'" % (path or "value", k)
            d = shape_diff(v, got[k], path + "." + k, k)
            if d:
                return d
    elif isinstance(want, list):
        for i, v in enumerate(want):
            if i >= len(got):
                return "%s: %d elements, the doc shows %d" % (
                    path, len(got), len(want))
            d = shape_diff(v, got[i], "%s[%d]" % (path, i))
            if d:
                return d
    elif isinstance(want, str) and key in ("class", "event") and want != got:
        return "%s: '%s', the doc shows '%s'" % (path, got, want)
    elif isinstance(want, str) and key == "desc" and \
            not shape_re(want).fullmatch(got):
        return "%s: '%s', the doc shows '%s'" % (path, got, want)
    return None


class QMP:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(COMMAND_TIMEOUT)
        self.sock.connect(path)
        self.buf = b""
        self.events = []
        self.greeting = self.read()

    def read(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise DocError("the QMP connection was closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def execute(self, req):
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        while True:
            msg = self.read()
            if "event" in msg:
                self.events.append(msg)
            else:
                return msg

    def wait_event(self, name, timeout):
        end = time.monotonic() + timeout
        while True:
            for ev in self.events:
                if ev["event"] == name:
                    self.events.remove(ev)
                    return ev
            left = end - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                msg = self.read()
            except socket.timeout:
                return None
            finally:
                self.sock.settimeout(COMMAND_TIMEOUT)
            if "event" in msg:
                self.events.append(msg)

    def close(self):
        self.sock.close()


class Page:
    """The scratch directory, the background VM and processes of a page."""

    def __init__(self, page, build):
        self.page = page
        self.dir = tempfile.mkdtemp(prefix="docs-run-")
        os.symlink(os.path.abspath(build), os.path.join(self.dir, "build"))
        os.symlink(os.path.join(ROOT, "scripts"),
                   os.path.join(self.dir, "scripts"))
        self.groups = []
        self.vm = None
        self.qmp_path = None
        self.log = os.path.join(self.dir, "vm.log")

    def subst(self, text):
        return re.sub(r"(?<![\w.])/(?:var/)?tmp/", self.dir + "/", text)

    def cleanup(self):
        try:
            self.stop_vm()
        finally:
            for pgid in self.groups:
                try:
                    os.killpg(pgid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            shutil.rmtree(self.dir, ignore_errors=True)

    def stop_vm(self):
        """SIGTERM, as a user's Ctrl-C; a sanitizer's report in the VM's
        output (an ASan build) fails the page."""
        if self.vm:
            try:
                os.killpg(self.vm.pid, signal.SIGTERM)
                self.vm.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.vm.pid, signal.SIGKILL)
                self.vm.wait()
            self.vm = None
            self.qmp_path = None
            with open(self.log, errors="replace") as f:
                log = f.read()
            if re.search(r"Sanitizer|runtime error:", log):
                raise DocError("the VM's sanitizer report:\n" + log)

    def start_vm(self, cmd):
        self.stop_vm()
        for m in re.finditer(r"-chardev socket,(\S+)", cmd):
            opts = m.group(1)
            p = re.search(r"path=([^,\s]+)", opts)
            if p and "server" not in opts:
                self.wait_path(p.group(1), "the peer's socket")
        logf = open(self.log, "w")
        self.vm = subprocess.Popen(["bash", "-c", "exec " + cmd],
                                   cwd=self.dir, stdin=subprocess.DEVNULL,
                                   stdout=logf, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        logf.close()
        q = re.search(r"-qmp(?:-pretty)? unix:([^,\s]+)", cmd)
        self.qmp_path = q.group(1) if q else None
        for path in re.findall(r"unix:([^,\s]+),server", cmd):
            self.wait_path(path, "the VM's socket")

    def wait_path(self, path, what):
        end = time.monotonic() + SOCKET_TIMEOUT
        while not os.path.exists(path):
            if self.vm and self.vm.poll() is not None:
                raise DocError("the VM exited (%d): %s" % (
                    self.vm.returncode, open(self.log).read().strip()))
            if time.monotonic() > end:
                raise DocError("%s %s did not appear" % (what, path))
            time.sleep(0.05)

    def ensure_vm(self):
        if not self.vm:
            self.start_vm(self.subst(DEFAULT_VM))
        if not self.qmp_path:
            raise DocError("the page's VM has no -qmp unix: monitor")

    def run_shell(self, block):
        for cmd, expect in shell_steps(block.text):
            cmd = self.subst(cmd)
            words = cmd.split()
            if words and words[-1] == "&" and words[0].endswith(
                    "build/sparsevm"):
                cmd = cmd.rstrip()[:-1]
            if words and words[0].endswith("build/sparsevm") and \
                    re.search(r"unix:[^,\s]+,server|path=[^\s]*server=on",
                              cmd):
                self.start_vm(cmd)
                if expect:
                    raise DocError("a VM started in the background shows "
                                   "no output")
                continue
            if "qmp.sock" in cmd:
                self.ensure_vm()
            out = tempfile.TemporaryFile(dir=self.dir)
            proc = subprocess.Popen(["bash", "-o", "pipefail", "-c", cmd],
                                    cwd=self.dir, stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
            self.groups.append(proc.pid)
            try:
                rc = proc.wait(COMMAND_TIMEOUT)
            except subprocess.TimeoutExpired:
                raise DocError("'%s' did not end in %d s" % (
                    cmd, COMMAND_TIMEOUT))
            out.seek(0)
            text = out.read().decode(errors="replace")
            out.close()
            if rc != 0:
                raise DocError("'%s' exited with %d:\n%s" % (cmd, rc, text))
            if expect:
                miss = match_output(expect, text)
                if miss is not None:
                    raise DocError("'%s': no line shaped like\n  %s\n"
                                   "in its output:\n%s" % (cmd, miss, text))

    def run_qmp(self, block):
        self.ensure_vm()
        values = json_values(self.subst(block.text))
        qmp = QMP(self.qmp_path)
        try:
            if values and "QMP" in values[0]:
                d = shape_diff(values.pop(0), qmp.greeting)
                if d:
                    raise DocError("greeting: %s" % d)
            if not (values and values[0].get("execute") ==
                    "qmp_capabilities"):
                qmp.execute({"execute": "qmp_capabilities"})
            i = 0
            while i < len(values):
                req = values[i]
                if "execute" not in req:
                    raise DocError("expected a request: %s" % req)
                reply = qmp.execute(req)
                i += 1
                if HOST_LACKS.match(reply.get("error", {}).get("desc", "")):
                    raise DocSkip(reply["error"]["desc"])
                shown = False
                while i < len(values) and "execute" not in values[i]:
                    want = values[i]
                    i += 1
                    if "event" in want:
                        ev = qmp.wait_event(want["event"], 30)
                        if not ev:
                            raise DocError("no event %s after %s" % (
                                want["event"], req["execute"]))
                        d = shape_diff(want, ev)
                    else:
                        shown = True
                        d = shape_diff(want, reply)
                    if d:
                        raise DocError("%s: %s\n  reply: %s" % (
                            req["execute"], d, json.dumps(reply)))
                if not shown and "return" not in reply:
                    raise DocError("%s failed: %s" % (
                        req["execute"], json.dumps(reply)))
            self.settle(qmp)
        finally:
            qmp.close()

    def settle(self, qmp):
        """Let a detached dump end before the next block."""
        end = time.monotonic() + COMMAND_TIMEOUT
        while time.monotonic() < end:
            st = qmp.execute({"execute": "query-dump"})
            if st.get("return", {}).get("status") != "active":
                return
            time.sleep(0.1)
        raise DocError("a dump was still active after %d s" %
                       COMMAND_TIMEOUT)


def pages(args):
    if args:
        return [os.path.abspath(p) for p in args]
    out = [os.path.join(ROOT, "README.md")]
    for dirpath, dirs, files in os.walk(os.path.join(ROOT, "docs")):
        dirs.sort()
        out += [os.path.join(dirpath, f) for f in sorted(files)
                if f.endswith(".md")]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True,
                    help="the build directory (with sparsevm)")
    ap.add_argument("--list", action="store_true",
                    help="classify the blocks only, run nothing")
    ap.add_argument("page", nargs="*")
    args = ap.parse_args()

    failed = ran = skipped = 0
    norun = []
    for path in pages(args.page):
        blocks = blocks_of(path)
        bad = [(b, classify(b)) for b in blocks]
        for b, why in bad:
            if why:
                print("FAIL %s: %s" % (b.where(), why))
                failed += 1
        todo = [b for b, why in bad if not why and b.lang in RUN_LANGS]
        for b in todo:
            if b.norun is not None:
                norun.append(b)
        todo = [b for b in todo if b.norun is None]
        if not todo or args.list:
            continue
        page = Page(path, args.build)
        try:
            for b in todo:
                try:
                    if b.lang == "shell":
                        page.run_shell(b)
                    else:
                        page.run_qmp(b)
                    ran += 1
                    print("ok   %s %s" % (b.where(), b.lang))
                except DocSkip as e:
                    skipped += 1
                    print("skip %s %s: the host lacks a feature: %s" % (
                        b.where(), b.lang, e))
                except (DocError, OSError, ValueError) as e:
                    failed += 1
                    print("FAIL %s %s: %s" % (b.where(), b.lang, e))
        finally:
            try:
                page.cleanup()
            except DocError as e:
                failed += 1
                print("FAIL %s: %s" % (os.path.relpath(path, ROOT), e))
    for b in norun:
        print("norun %s: %s" % (b.where(), b.norun))
    print("%d blocks run, %d failed, %d not run (norun)%s" %
          (ran, failed, len(norun),
           ", %d skipped (host)" % skipped if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
