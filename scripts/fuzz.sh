#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the libFuzzer targets (build-fuzz/, clang, -Dfuzzing=true) and run
# each for SECONDS, one after the other (the targets are single-threaded;
# running them in turn keeps a 2-core machine usable).
#
# Usage: scripts/fuzz.sh [--merge] [SECONDS] [TARGET...]
#   SECONDS  per target (default 60)
#   TARGET   tests/fuzz/corpus/TARGET must exist; default: all of them
#   --merge  afterwards, add to tests/fuzz/corpus/TARGET the inputs of
#            this run that reach code the committed corpus does not
#
# Each target starts from its committed corpus and keeps what it finds in
# build-fuzz/fuzz-work/TARGET/corpus; crashes, leaks, timeouts and
# out-of-memory inputs go to build-fuzz/fuzz-work/TARGET/crashes/.  To
# keep a crash as a regression test, fix it and copy the input to
# tests/fuzz/regressions/TARGET/ (docs/devel/fuzzing.md).
#
# Prints one line per target (runs, exec/s, edges, corpus size, crashes),
# keeps them in build-fuzz/fuzz-work/summary.txt, writes "PASS fuzz-T" or
# "FAIL fuzz-T" per target to build-fuzz/fuzz-work/steps.txt (for
# scripts/ci-summary.py), and exits non-zero if any target crashed or
# could not run.
set -u
cd "$(dirname "$0")/.." || exit 1
src=$(pwd)

merge=0
if [ "${1:-}" = "--merge" ]; then
    merge=1
    shift
fi
secs=${1:-60}
[ $# -gt 0 ] && shift
build=${FUZZ_BUILD:-build-fuzz}
targets=${*:-$(ls tests/fuzz/corpus)}

if [ ! -f "$build/build.ninja" ]; then
    CC=clang meson setup "$build" -Dfuzzing=true >/dev/null || exit 1
fi
exes=""
for t in $targets; do
    exes="$exes tests/fuzz/fuzz-$t"
done
# shellcheck disable=SC2086
ninja -C "$build" -j2 $exes >/dev/null || exit 1

status=0
summary=""
mkdir -p "$build/fuzz-work"
steps="$build/fuzz-work/steps.txt"
: >"$steps"
for t in $targets; do
    work="$src/$build/fuzz-work/$t"
    log="$work/fuzz.log"
    rm -rf "$work/crashes"
    mkdir -p "$work/corpus" "$work/crashes"
    extra=""
    [ -f "tests/fuzz/dict/$t.dict" ] && extra="-dict=$src/tests/fuzz/dict/$t.dict"
    # qtest may fill all of its 3 GiB of guest RAM: allow for it
    rss=2048
    [ "$t" = qtest ] && rss=6144
    # shellcheck disable=SC2086
    (cd "$work" && "$src/$build/tests/fuzz/fuzz-$t" -max_total_time="$secs" \
        -timeout=25 -report_slow_units=25 -rss_limit_mb=$rss \
        -print_final_stats=1 -print_funcs=0 \
        -artifact_prefix="$work/crashes/" $extra \
        "$work/corpus" "$src/tests/fuzz/corpus/$t") >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    edges=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    # libFuzzer's own count of the inputs it keeps (seeds and finds)
    corpus=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
    # an input slower than the timeout fails the target (timeout-*); one
    # that merely set a record below it (slow-unit-*) is only reported:
    # a qtest memset over 3 GiB of RAM takes ~10 s on a loaded 2-core host
    crashes=$(find "$work/crashes" -type f ! -name 'slow-unit-*' | wc -l)
    slow=$(find "$work/crashes" -type f -name 'slow-unit-*' | wc -l)
    line="$t: runs=${runs:-?} exec/s=${eps:-?} edges=${edges:-?} corpus=${corpus:-?} crashes=$crashes slow=$slow"
    echo "fuzz: $line"
    summary="$summary$line
"
    if [ $rc -eq 0 ] && [ "$crashes" -eq 0 ]; then
        echo "PASS fuzz-$t" >>"$steps"
    else
        echo "FAIL fuzz-$t" >>"$steps"
        status=1
        echo "fuzz: $t failed (exit $rc); see $log" >&2
        grep -E 'ERROR|SUMMARY|^==' "$log" | head -20 >&2
    fi
    if [ $merge = 1 ] && [ $rc -eq 0 ]; then
        (cd "$work" && "$src/$build/tests/fuzz/fuzz-$t" -merge=1 \
            -rss_limit_mb=$rss "$src/tests/fuzz/corpus/$t" "$work/corpus") \
            >>"$log" 2>&1 || status=1
    fi
done
printf '%s' "$summary" >"$build/fuzz-work/summary.txt"
exit $status
