# SPDX-License-Identifier: GPL-2.0-or-later
"""A real guest's virtio-mem requests, from QEMU's virtio_mem_* trace
events (log backend, -D file), as a replayable plug pattern.

The format (plug-pattern-*.txt), one item per line, '#' starts a comment:
  block-size SIZE        device block size (bytes; the unit of nb_blocks)
  region-size SIZE       size of the device's memory region
  requested-size SIZE    the host asks the guest to plug SIZE in all; the
                         requests that follow answer it (it appears again
                         when the host changed it)
  plug OFFSET SIZE RESULT
  unplug OFFSET SIZE RESULT
  unplug-all RESULT
OFFSET is relative to the start of the device's region; all numbers are
hexadecimal with 0x; RESULT is the device's answer: ack, nack, busy or
error.  Lines are in the order the guest sent the requests.  State
requests (the guest asking what is plugged) are left out.
"""

import re

RESULTS = {0: "ack", 1: "nack", 2: "busy", 3: "error"}


def parse_trace(path, base, block_size):
    """List of [kind, offset, size, result] from a trace log."""
    reqs = []
    pending = None
    with open(path) as f:
        for line in f:
            m = re.search(r"virtio_mem_(plug|unplug)_request "
                          r"addr=(0x[0-9a-f]+) nb_blocks=(\d+)", line)
            if m:
                pending = [m.group(1), int(m.group(2), 16) - base,
                           int(m.group(3)) * block_size, None]
                reqs.append(pending)
                continue
            if "virtio_mem_unplug_all_request" in line:
                pending = ["unplug-all", None, None, None]
                reqs.append(pending)
                continue
            if "virtio_mem_state_request" in line:
                pending = None
                continue
            m = re.search(r"virtio_mem_send_response type=(\d+)", line)
            if m and pending is not None and pending[3] is None:
                pending[3] = RESULTS.get(int(m.group(1)), m.group(1))
                pending = None
    return reqs


def convert(trace, out, kernel, region_size, requested, base,
            block_size=2 * 1024 * 1024, qemu="", shrunk_to=None):
    """Write the pattern; shrunk_to is the smaller requested size the
    host set at the end (check_guest.py does), announced before the first
    unplug request."""
    reqs = parse_trace(trace, base, block_size)
    with open(out, "w") as f:
        f.write("# virtio-mem requests of a Linux %s guest (Debian's "
                "linux-image-amd64),\n" % kernel)
        f.write("# recorded by make check-guest (tests/guest/) from "
                "QEMU %s trace events.\n" % qemu)
        f.write("# Format: tests/guest/plugpattern.py.\n")
        f.write("block-size 0x%x\nregion-size 0x%x\nrequested-size 0x%x\n"
                % (block_size, region_size, requested))
        for kind, off, size, res in reqs:
            if kind != "plug" and shrunk_to is not None:
                f.write("requested-size 0x%x\n" % shrunk_to)
                shrunk_to = None
            if kind == "unplug-all":
                f.write("unplug-all %s\n" % res)
            else:
                f.write("%s 0x%x 0x%x %s\n" % (kind, off, size, res))
    return len(reqs)


def load(path):
    """Parse a plug pattern file: (header dict, list of (kind, offset,
    size, result)), requested-size changes included in order."""
    hdr, reqs = {}, []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            if line[0] in ("block-size", "region-size"):
                hdr[line[0]] = int(line[1], 16)
            elif line[0] == "requested-size":
                hdr.setdefault(line[0], int(line[1], 16))
                reqs.append((line[0], None, int(line[1], 16), None))
            elif line[0] in ("plug", "unplug"):
                reqs.append((line[0], int(line[1], 16), int(line[2], 16),
                             line[3]))
            elif line[0] == "unplug-all":
                reqs.append((line[0], None, None, line[1]))
            else:
                raise ValueError("%s: unknown line %r" % (path, line))
    return hdr, reqs
