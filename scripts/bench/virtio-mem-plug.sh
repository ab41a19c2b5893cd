#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The virtio-mem acceptance check, from a shell: the real binary with a
# 64 GiB memfd virtio-mem device at 2 MiB blocks accepts 20,000
# alternating PLUG requests from the qtest guest driver (libqos) in under
# 10 s, and the memfd allocates nothing until blocks are written.
#
#   scripts/bench/virtio-mem-plug.sh [BUILD_DIR [REPS]]
#
# Two drivers: one filling the queue (512 requests per kick) and one
# sending a request at a time as Linux's virtio_mem driver does.  Prints
# one line per run (time, rate, memfd allocation after plugging and after
# writing 3 blocks), writes BUILD_DIR/bench/virtio-mem-plug-*.json and
# exits non-zero if any run missed the target.
set -eu

build=${1:-build}
reps=${2:-3}
exe=$build/tests/bench/bench-virtio-mem-plug

if [ ! -x "$exe" ] || [ ! -x "$build/sparsevm" ]; then
    echo "$0: build first (ninja -C $build)" >&2
    exit 2
fi
mkdir -p "$build/bench"
for per_kick in 512 1; do
    echo "== $per_kick request(s) per kick"
    QTEST_QEMU_BINARY=$build/sparsevm \
        "$exe" --reps "$reps" --per-kick "$per_kick" \
        --json "$build/bench/virtio-mem-plug-$per_kick.json"
done
echo "target: under 10 s per run, memfd 0 B until written: met"
