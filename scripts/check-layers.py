#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check the include layering rules of STYLE.md ("Layout and layers").

1. include/qemu/ and util/ use only include/qemu/ headers (and glib/libc).
2. The memory core (include/exec/, softmmu/memory*.c, softmmu/physmem.c)
   does not include device, dump, monitor or control-plane headers.
3. softmmu/memory-internal.h is included only from softmmu/.
4. Only monitor/ and softmmu/vl.c include monitor/ headers (and the
   white-box tests: tests/unit/, tests/fuzz/).
5. tests/qtest/libqtest.c and libqos/ include no server headers (the
   virtio wire ABI in include/standard-headers/ is protocol, not server).
6. Only monitor/, qapi/ and the tests speak JSON: nothing else includes
   json-glib or the registry's and visitors' JSON headers
   (qapi/qmp-registry.h, qapi/qapi-json.h, qapi/qapi-visit.h).  The
   schema's C types (qapi/qapi-types.h) and the typed command and event
   headers are for everyone.
7. The virtio code (hw/virtio/, include/hw/virtio/) names no board: no
   hw/i386/ header, and no machine name (the .alias of every machine
   type, e.g. "microvm"; not "none", QEMU's empty machine) anywhere in
   its text.  Boards own their
   transports (VirtIOMMIOBus); the transport does not know them.
Prints each violation as FILE:LINE: rule: include, exits 1 if any.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SYS_INCLUDE = re.compile(r'^\s*#\s*include\s+<([^>]+)>')
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CORE_FORBIDDEN = ("hw/", "dump/", "monitor/", "sysemu/", "chardev/")
JSON_HEADERS = ("json-glib/", "qapi/qmp-registry.h", "qapi/qapi-json.h",
                "qapi/qapi-visit.h")
JSON_RULE = "only monitor/ and qapi/ speak JSON"
JSON_SPEAKERS = ("monitor/", "qapi/", "include/qapi/", "include/monitor/",
                 "tests/")


def rules_for(path):
    """Yield (rule name, predicate on the included header) for @path."""
    if path.startswith(("include/qemu/", "util/")):
        yield ("base uses only qemu/", lambda h: h.startswith("qemu/")
               or h == os.path.basename(h))
    if path.startswith("include/exec/") or re.match(
            r"softmmu/(memory|memory-[a-z]+|physmem)\.c$", path):
        yield ("memory core stays below devices",
               lambda h: not h.startswith(CORE_FORBIDDEN))
    if not path.startswith("softmmu/"):
        yield ("FlatView internals stay in softmmu/",
               lambda h: h != "softmmu/memory-internal.h")
    if not path.startswith(("monitor/", "tests/unit/", "tests/fuzz/")) and \
            path != "softmmu/vl.c":
        yield ("only vl.c and monitor/ see the monitor",
               lambda h: not h.startswith("monitor/"))
    if not path.startswith(JSON_SPEAKERS):
        yield (JSON_RULE,
               lambda h: not h.startswith(JSON_HEADERS))
    if path.startswith("tests/qtest/libqtest") or \
            path.startswith("tests/qtest/libqos/"):
        yield ("libqtest speaks only the wire protocol",
               lambda h: "/" not in h or
               h.startswith(("libqos/", "standard-headers/")))


def board_names():
    """The -machine names of every board (MachineClass.alias)."""
    names = set()
    for dirpath, _, files in os.walk(os.path.join(ROOT, "hw")):
        for name in files:
            if name.endswith(".c"):
                with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                    names.update(re.findall(r'->alias = "([^"]+)"',
                                            f.read()))
    # QEMU's empty machine is no board a device could depend on, and its
    # name is an ordinary word ("none")
    names.discard("none")
    return names


def check_virtio_boards():
    """Rule 7; returns the number of violations."""
    boards = board_names()
    # "TYPE_MICROVM_MACHINE" and "microvm_slot" count, "microvmx" not
    word = re.compile(r"(?<![A-Za-z])(" + "|".join(map(re.escape, boards)) +
                      r")(?![A-Za-z])", re.I) if boards else None
    bad = 0
    for top in ("hw/virtio", "include/hw/virtio"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for name in sorted(files):
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, ROOT)
                with open(full, encoding="utf-8") as f:
                    for lineno, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        hit = (m.group(1) if m and
                               m.group(1).startswith("hw/i386/") else None)
                        if not hit and word and word.search(line):
                            hit = word.search(line).group(1)
                        if hit:
                            print(f"{rel}:{lineno}: virtio names no board: "
                                  f"{hit}")
                            bad += 1
    return bad


def main():
    bad = check_virtio_boards()
    for top in ("include", "util", "qom", "qapi", "chardev", "softmmu",
                "backends", "hw", "dump", "monitor", "target", "tests"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if not name.endswith((".c", ".h")):
                    continue
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, ROOT)
                rules = list(rules_for(rel))
                if not rules:
                    continue
                with open(full, encoding="utf-8") as f:
                    for lineno, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        sys_m = SYS_INCLUDE.match(line)
                        if sys_m:
                            # <...> headers: only the JSON rule looks
                            rules_here = [r for r in rules
                                          if r[0] == JSON_RULE]
                            m = sys_m
                        else:
                            rules_here = rules
                        if not m:
                            continue
                        for rule, ok in rules_here:
                            if not ok(m.group(1)):
                                print(f"{rel}:{lineno}: {rule}: "
                                      f"{m.group(1)}")
                                bad += 1
    if bad:
        print(f"{bad} layering violation(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
