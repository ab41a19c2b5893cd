#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Static analysis: build everything under clang's analyzer (scan-build)
# in build-scan/ and sort its findings by severity.
#
#   high    core.* (null dereference, garbage or undefined values,
#           division by zero, bad calls), security.*, unix.API,
#           unix.cstring, cplusplus.*: CI fails on any
#   other   unix.Malloc leaks, deadcode.*, optin.*: reported only.  clang
#           14's analyzer does not model __attribute__((cleanup)), so
#           every g_autofree / g_autoptr variable it sees leave scope
#           looks like a leak; LeakSanitizer in the ASan build is the
#           leak check that counts.
#
# The HTML report is in build-scan/report/; the findings, one per line
# ("FILE:LINE:COL: warning: TEXT [CHECKER]"), in build-scan/findings.txt.
# Exit status: 0 only if there is no high-severity finding.
set -u
cd "$(dirname "$0")/.." || exit 1
build=${SCAN_BUILD_DIR:-build-scan}

rm -rf "$build"
scan-build meson setup "$build" >/dev/null 2>&1 || {
    echo "analyze: meson setup under scan-build failed" >&2
    exit 1
}
scan-build -o "$build/report" ninja -C "$build" -j2 >"$build/scan.log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
    echo "analyze: the build failed under scan-build; see $build/scan.log" >&2
    exit 1
fi
grep -E 'warning: .*\[[a-zA-Z.]+\]$' "$build/scan.log" | sort -u \
    >"$build/findings.txt"
high=$(grep -cE '\[(core|security|unix\.API|unix\.cstring|cplusplus)' \
       "$build/findings.txt")
total=$(wc -l <"$build/findings.txt")
echo "analyze: $high high-severity finding(s), $((total - high)) other"
if [ "$high" -ne 0 ]; then
    grep -E '\[(core|security|unix\.API|unix\.cstring|cplusplus)' \
        "$build/findings.txt" >&2
    exit 1
fi
exit 0
