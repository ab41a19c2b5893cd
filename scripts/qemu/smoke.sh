#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Smoke test of the patched QEMU: see scripts/qemu/smoke.py.
# Usage: scripts/qemu/smoke.sh [QEMU-BINARY]   (default: $QEMU, else
# build-qemu/qemu-system-x86_64)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
qemu=${1:-${QEMU:-$here/../../build-qemu/qemu-system-x86_64}}
exec /usr/bin/python3 "$here/smoke.py" "$qemu"
