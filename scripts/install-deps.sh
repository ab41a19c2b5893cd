#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install the Debian 12 packages sparsevm needs to build, test, run the demo
# and the benchmarks.  Idempotent, and quiet when everything is present:
# dpkg-query is asked first and apt-get runs only for what is missing.
#
# Usage: scripts/install-deps.sh [build|check|demo|bench|fuzz|qemu|guest]...
#   build  compilers, meson, ninja and the libraries we link against
#   check  build + the external readers and peers the test suite uses
#          (socat: the QMP client the docs show, which docs-run runs),
#          clang (second compiler, scan-build) and gcovr (coverage)
#   demo   check (the demo verifies with the same readers)
#   bench  demo + python3-matplotlib for the plots and qemu-system-x86
#          (Debian's QEMU 7.2) for the side-by-side figures
#   fuzz   check + clang's libFuzzer runtime
#   qemu   what scripts/qemu/build.sh needs to build Debian's QEMU from
#          source with our patch series (dpkg-dev for apt-get source)
#   guest  check + what make check-guest needs: the guest kernel, busybox,
#          the crash-analysis tools and Debian's QEMU to compare with
set -eu

build_pkgs="build-essential pkg-config meson ninja-build libglib2.0-dev
libjson-glib-dev libfdt-dev zlib1g-dev liblzo2-dev libsnappy-dev libzstd-dev"
check_pkgs="$build_pkgs binutils elfutils gdb makedumpfile python3
python3-libkdumpfile crash swtpm swtpm-tools clang libclang-rt-14-dev
device-tree-compiler clang-tools gcovr socat"
bench_pkgs="$check_pkgs python3-matplotlib qemu-system-x86"
fuzz_pkgs="$check_pkgs clang libclang-rt-14-dev"
qemu_pkgs="build-essential pkg-config meson ninja-build dpkg-dev ccache git
python3 libglib2.0-dev libpixman-1-dev zlib1g-dev liblzo2-dev libsnappy-dev
libzstd-dev libfdt-dev libslirp-dev"
guest_pkgs="$check_pkgs qemu-system-x86 linux-image-amd64 busybox-static cpio
kmod crash python3-drgn"

want=""
[ $# -eq 0 ] && set -- build
for what in "$@"; do
    case "$what" in
    build) want="$want $build_pkgs" ;;
    check|demo) want="$want $check_pkgs" ;;
    bench) want="$want $bench_pkgs" ;;
    fuzz) want="$want $fuzz_pkgs" ;;
    qemu) want="$want $qemu_pkgs" ;;
    guest) want="$want $guest_pkgs" ;;
    *) echo "install-deps.sh: unknown package set '$what'" >&2; exit 1 ;;
    esac
done

missing=""
for p in $(echo $want | tr ' ' '\n' | sort -u); do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

sudo=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo="sudo"
    else
        echo "install-deps.sh: need root (or sudo) to install:$missing" >&2
        exit 1
    fi
fi
echo "install-deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null || true
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
