#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Branch coverage of the parts that take hostile input: build with gcov
# (build-cov/, -Dcoverage_branches=true), run the unit and qtest suites
# (fuzz corpus replays and fault loops included), and write with gcovr:
#   build-cov/coverage/index.html   per-file pages with branch detail
#   build-cov/coverage/summary.txt  lines and branches per file
#   build-cov/coverage/coverage.json
# for hw/virtio/, softmmu/memory*, dump/, monitor/ and softmmu/qtest.c.
# Exit status: non-zero if a test failed or the report could not be made.
set -u
cd "$(dirname "$0")/.." || exit 1
build=${COV_BUILD:-build-cov}
out="$build/coverage"

# -O0: with optimisation gcc merges and moves lines, and an inlined
# "return ERROR;" may show as never run although its test passes
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" -Dcoverage_branches=true --buildtype=debug \
        >/dev/null || exit 1
fi
ninja -C "$build" -j2 >/dev/null || exit 1
find "$build" -name '*.gcda' -delete
status=0
meson test -C "$build" --num-processes 2 --suite unit --suite qtest \
    >"$build/test.log" 2>&1 || status=1
rm -rf "$out"
mkdir -p "$out"
root=$(pwd)
filters="--filter $root/hw/virtio/ --filter $root/softmmu/memory
--filter $root/dump/ --filter $root/monitor/ --filter $root/softmmu/qtest\.c"
# gcovr runs gcov in the current directory: keep its files in the build
# shellcheck disable=SC2086
(cd "$build" && gcovr -r "$root" . $filters --exclude-unreachable-branches \
    --exclude-throw-branches --html-details "coverage/index.html" \
    --json "coverage/coverage.json") >/dev/null || exit 1
# shellcheck disable=SC2086
(cd "$build" && gcovr -r "$root" . $filters --exclude-unreachable-branches \
    --branches --txt "coverage/branches.txt") >/dev/null || exit 1
/usr/bin/python3 - "$out" <<'EOF' || exit 1
import json, os, sys
out = sys.argv[1]
data = json.load(open(os.path.join(out, "coverage.json")))
rows = []
for f in data["files"]:
    lines = [l for l in f["lines"] if not l.get("gcovr/noncode")]
    lt = len(lines)
    lc = sum(1 for l in lines if l["count"] > 0)
    bt = sum(len(l["branches"]) for l in lines)
    bc = sum(1 for l in lines for b in l["branches"] if b["count"] > 0)
    rows.append((f["file"], lc, lt, bc, bt))
rows.sort()
with open(os.path.join(out, "summary.txt"), "w") as s:
    s.write("%-40s %15s %17s\n" % ("file", "lines", "branches"))
    for name, lc, lt, bc, bt in rows:
        pl = 100.0 * lc / lt if lt else 100.0
        pb = 100.0 * bc / bt if bt else 100.0
        s.write("%-40s %5d/%-5d %3.0f%% %6d/%-6d %3.0f%%\n"
                % (name, lc, lt, pl, bc, bt, pb))
    LC = sum(r[1] for r in rows); LT = sum(r[2] for r in rows)
    BC = sum(r[3] for r in rows); BT = sum(r[4] for r in rows)
    s.write("%-40s %5d/%-5d %3.0f%% %6d/%-6d %3.0f%%\n"
            % ("TOTAL", LC, LT, 100.0 * LC / max(LT, 1), BC, BT,
               100.0 * BC / max(BT, 1)))
EOF
cat "$out/summary.txt"
exit $status
