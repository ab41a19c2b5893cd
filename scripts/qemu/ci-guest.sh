#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest stage of .ci/run: make check-guest (Debian's QEMU and the
# patched QEMU side by side on a real Linux guest), within what is left
# of CI's time budget.
#
# Usage: scripts/qemu/ci-guest.sh STEPS CI_START [BUDGET]
#   STEPS     the file .ci/run collects "PASS NAME"/"FAIL NAME" lines in;
#             this stage appends one line per check of check-guest
#             ("PASS guest: ..."), or one "SKIP guest: ..." line
#   CI_START  when CI started (seconds since the epoch)
#   BUDGET    CI's time limit in seconds (default 3600)
#
# The caches decide what it costs.  The patched QEMU is cached under
# /var/cache/sparsevm/qemu/KEY (KEY hashes the source version, the
# series and the build script), the debug vmlinux and the initramfs
# under /var/cache/sparsevm/guest.  With the QEMU cache warm the stage
# always runs.  Without it, the QEMU build is started only when the time
# left covers a cold build plus a run (the estimates below, measured on
# the 2-core CI machine); otherwise the stage records a SKIP line with
# the figures, and the next CI run on a machine with the cache runs it.
# The debug vmlinux (an 860 MB download, about 3 minutes) is always
# fetched when missing: it is part of the run estimate.
#
# Exit status: 0 when every check passed or the stage was skipped.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
steps=$1
ci_start=$2
budget=${3:-3600}

# Estimates in seconds, from docs/qemu.md (2 cores shared with other
# jobs); the environment may override them.
cold_build_s=${CI_GUEST_COLD_BUILD_S:-1800}
run_s=${CI_GUEST_RUN_S:-1200}

cd "$repo" || exit 1
now=$(date +%s)
left=$((ci_start + budget - now))
results=build/guest/results.json

record() {
    echo "$*" >>"$steps"
    echo "ci-guest: $*"
}

scripts/qemu/build.sh --cached-only >/dev/null 2>&1
rc=$?
case $rc in
0) qemu=warm ;;
3) qemu=cold ;;
*)
    record "FAIL guest: scripts/qemu/build.sh --cached-only (exit $rc)"
    exit 1
    ;;
esac

echo "ci-guest: patched QEMU cache $qemu; ${left} s of CI's ${budget} s left"
if [ "$qemu" = cold ] && [ "$left" -lt $((cold_build_s + run_s)) ]; then
    record "SKIP guest: no patched QEMU in the cache and ${left} s left of" \
        "${budget} s: a cold build (~${cold_build_s} s) plus the run" \
        "(~${run_s} s) does not fit; run 'make qemu' once to warm it"
    exit 0
fi
if [ "$left" -le 0 ]; then
    record "SKIP guest: CI's ${budget} s are used up"
    exit 0
fi

rm -f "$results"
timeout --signal=TERM --kill-after=60 "$left" make check-guest
rc=$?
if [ ! -s "$results" ]; then
    if [ $rc = 124 ]; then
        record "FAIL guest: make check-guest did not finish in the ${left} s left"
    else
        record "FAIL guest: make check-guest wrote no results (exit $rc)"
    fi
    exit 1
fi
# One line per check of the run, plus the run itself if it failed in a
# way no check recorded.
/usr/bin/python3 - "$results" "$steps" "$rc" <<'EOF'
import json
import sys

results, steps, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
checks = json.load(open(results))["checks"]
lines = ["%s guest: %s" % ("PASS" if c["ok"] else "FAIL", c["check"])
         for c in checks]
if rc != 0 and all(c["ok"] for c in checks):
    lines.append("FAIL guest: make check-guest (exit %d)" % rc)
with open(steps, "a") as f:
    f.write("".join(line + "\n" for line in lines))
print("ci-guest: %d checks, %d failed" % (
    len(checks), sum(not c["ok"] for c in checks)))
EOF
[ $rc = 0 ]
