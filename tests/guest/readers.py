#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The real crash-analysis tools on one dump of the check-guest guest.

Each check runs in its own process (drgn and libkdumpfile are C
libraries fed a file we made: a crash there must not take the test down)
and answers one JSON object.  Run with Debian's /usr/bin/python3, where
the drgn and kdumpfile modules live.

  readers.py kdumpfile DUMP SEED SAMPLES BASE SIZE
      libkdumpfile: open, linux.uts.release, the sample pages, and a scan
      of [BASE, BASE + SIZE) counting the pages that carry the fill
  readers.py drgn VMLINUX DUMP SEED SAMPLES
      drgn: init_uts_ns, a stack trace, the sample pages by physical
      address
SAMPLES is svm-fill's "I:PFN,I:PFN,..." (fill.c describes the pattern).
"""

import json
import struct
import sys

PAGE = 4096
MAGIC = b"SVMFILL!"


def expected_page(i, seed):
    v = ((i * 0x9e3779b97f4a7c15) & (2**64 - 1)) ^ seed
    return MAGIC + struct.pack("<QQ", i, seed) + struct.pack("<Q", v) * 509


def parse_samples(text):
    out = []
    for item in text.split(","):
        i, pfn = item.split(":")
        out.append((int(i), int(pfn, 0)))
    return out


def check_samples(read_page, seed, samples):
    bad = []
    for i, pfn in samples:
        try:
            data = bytes(read_page(pfn * PAGE))
        except Exception as e:  # a reader's own error is a result
            bad.append("pfn 0x%x: %s" % (pfn, e))
            continue
        if data != expected_page(i, seed):
            bad.append("pfn 0x%x: %r..." % (pfn, data[:24]))
    return bad


def do_kdumpfile(path, seed, samples, base, size):
    import kdumpfile

    res = {"tool": "libkdumpfile", "ok": False}
    try:
        k = kdumpfile.kdumpfile(path)
        res["format"] = str(k.attr["file.format"])
        res["release"] = str(k.attr["linux.uts.release"])

        def read(addr, n=PAGE):
            return k.read(kdumpfile.KDUMP_MACHPHYSADDR, addr, n)

        res["bad_samples"] = check_samples(read, seed, samples)
        found = errors = 0
        chunk = 1 << 20
        for addr in range(base, base + size, chunk):
            try:
                pages = [bytes(read(addr, chunk))]
            except Exception:
                pages = []
                for a in range(addr, addr + chunk, PAGE):
                    try:
                        pages.append(bytes(read(a)))
                    except Exception:
                        errors += 1
            for buf in pages:
                off = buf.find(MAGIC)
                while off >= 0:
                    if off % PAGE == 0:
                        i, s = struct.unpack_from("<QQ", buf, off + 8)
                        if (s == seed and buf[off:off + PAGE] ==
                                expected_page(i, seed)):
                            found += 1
                    off = buf.find(MAGIC, off + 1)
        res["filled_found"] = found
        res["unreadable_pages"] = errors
        res["ok"] = not res["bad_samples"] or not samples
    except Exception as e:
        res["error"] = "%s: %s" % (type(e).__name__, e)
    return res


def do_drgn(vmlinux, path, seed, samples):
    import drgn

    res = {"tool": "drgn", "ok": False, "version": drgn.__version__}
    try:
        prog = drgn.Program()
        prog.set_core_dump(path)
        try:
            prog.load_debug_info([vmlinux])
        except drgn.MissingDebugInfoError:
            pass  # modules have no debug info here; vmlinux is what counts
        uts = prog["init_uts_ns"].name
        res["release"] = uts.release.string_().decode()
        res["machine"] = uts.machine.string_().decode()
        trace = prog.threads().__next__().stack_trace()
        res["frames"] = len(trace)
        res["bad_samples"] = check_samples(
            lambda a: prog.read(a, PAGE, True), seed, samples)
        res["ok"] = not res["bad_samples"] and res["frames"] > 0
    except Exception as e:
        res["error"] = "%s: %s" % (type(e).__name__, e)
    return res


def main(argv):
    if argv[1] == "kdumpfile":
        r = do_kdumpfile(argv[2], int(argv[3], 0),
                         parse_samples(argv[4]) if argv[4] else [],
                         int(argv[5], 0), int(argv[6], 0))
    elif argv[1] == "drgn":
        r = do_drgn(argv[2], argv[3], int(argv[4], 0),
                    parse_samples(argv[5]) if argv[5] else [])
    else:
        raise SystemExit("readers.py: unknown tool " + argv[1])
    print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
