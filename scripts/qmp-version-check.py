#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check that query-version tells the truth.

sparsevm reports the QEMU release whose interface it follows for what it
implements (monitor/monitor-internal.h).  This test asks the sparsevm
binary and the installed QEMU (Debian 12's qemu-system-x86_64) for their
query-version and query-qmp-schema, and, when the QEMU is the release we
claim, checks that every command and event we have exists in it with the
same arguments and enumeration values, apart from the extensions listed
below (each one documented in docs/system/qmp.md).  A command we took
from a later release, or an argument QEMU renamed since, fails here.

Usage: qmp-version-check.py SPARSEVM [QEMU]   (exit 77: skipped)
"""
import json
import shutil
import subprocess
import sys

# What we have that QEMU 7.2 has not, and why.
EXTENSIONS = {
    ("command", "dump-cancel"): "ours: cancel a running dump",
    ("command", "query-events"): "QEMU 7.2 no longer has it; kept for "
                                 "older clients",
    ("event", "GUEST_MEMORY_FAULT"): "ours: a backend page could not be "
                                     "read",
    ("dump-guest-memory", "live"): "ours: live dumps",
    ("dump-guest-memory", "x-dump-threads"): "ours: debug knob",
    ("dump-guest-memory", "x-kdump-zero-descriptors"): "ours: debug knob",
    ("dump-guest-memory.format", "kdump-raw-zlib"): "QEMU 8.2, back-ported",
    ("dump-guest-memory.format", "kdump-raw-lzo"): "QEMU 8.2, back-ported",
    ("dump-guest-memory.format", "kdump-raw-snappy"): "QEMU 8.2, "
                                                      "back-ported",
    ("dump-guest-memory.format", "kdump-zstd"): "ours",
    ("dump-guest-memory.format", "kdump-raw-zstd"): "ours",
}


def ask(argv):
    """query-version and query-qmp-schema of a '-machine none' process."""
    reqs = ['{"execute": "qmp_capabilities"}',
            '{"execute": "query-version", "id": "v"}',
            '{"execute": "query-qmp-schema", "id": "s"}',
            '{"execute": "quit"}']
    out = subprocess.run(argv + ["-machine", "none", "-display", "none",
                                 "-S", "-qmp", "stdio"],
                         input="\n".join(reqs) + "\n", capture_output=True,
                         text=True, timeout=120, check=False).stdout
    replies = {}
    for line in out.splitlines():
        msg = json.loads(line)
        if "id" in msg:
            replies[msg["id"]] = msg["return"]
    return replies["v"], replies["s"]


def interface(schema):
    """{(kind, name): {arg: enum values or None}} of commands and events."""
    by_name = {e["name"]: e for e in schema}
    res = {}
    for e in schema:
        if e["meta-type"] not in ("command", "event"):
            continue
        args = {}
        arg_type = by_name.get(e.get("arg-type"))
        for m in (arg_type or {}).get("members", []):
            t = by_name.get(m["type"])
            enum = t["values"] if t and t["meta-type"] == "enum" else None
            args[m["name"]] = set(enum) if enum is not None else None
        res[(e["meta-type"], e["name"])] = args
    return res


def main():
    ours_bin = sys.argv[1]
    qemu = sys.argv[2] if len(sys.argv) > 2 else \
        shutil.which("qemu-system-x86_64")
    if not qemu:
        print("SKIP: no qemu-system-x86_64 to compare with")
        return 77
    our_ver, our_schema = ask([ours_bin])
    q_ver, q_schema = ask([qemu])
    mine = (our_ver["qemu"]["major"], our_ver["qemu"]["minor"])
    theirs = (q_ver["qemu"]["major"], q_ver["qemu"]["minor"])
    if not our_ver["package"].startswith("sparsevm "):
        print(f"FAIL: package '{our_ver['package']}' does not name sparsevm")
        return 1
    if mine != theirs:
        print(f"SKIP: we claim QEMU {mine[0]}.{mine[1]}, the installed QEMU "
              f"is {theirs[0]}.{theirs[1]}")
        return 77
    ours, qemus = interface(our_schema), interface(q_schema)
    bad, used = [], set()
    for key, args in sorted(ours.items()):
        if key not in qemus:
            if key in EXTENSIONS:
                used.add(key)
            else:
                bad.append(f"{key[0]} {key[1]} is not in QEMU "
                           f"{mine[0]}.{mine[1]}")
            continue
        for arg, values in sorted(args.items()):
            if arg not in qemus[key]:
                if (key[1], arg) in EXTENSIONS:
                    used.add((key[1], arg))
                else:
                    bad.append(f"{key[1]}: argument '{arg}' is not in QEMU")
                continue
            for v in sorted((values or set()) - (qemus[key][arg] or set())):
                ext = (f"{key[1]}.{arg}", v)
                if ext in EXTENSIONS:
                    used.add(ext)
                else:
                    bad.append(f"{key[1]}: {arg} value '{v}' is not in QEMU")
    for key in sorted(set(EXTENSIONS) - used):
        bad.append(f"stale extension entry {key}: QEMU has it, or we "
                   "dropped it")
    for b in bad:
        print("FAIL:", b)
    print(f"{len(ours)} commands and events compared with {qemu} "
          f"({q_ver['package']}); {len(used)} documented extensions")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
