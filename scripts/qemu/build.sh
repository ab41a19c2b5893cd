#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build Debian 12's QEMU with sparsevm's patch series (qemu/*.patch) and
# cache the result.  Idempotent; run as root or with sudo available.
#
# Usage: scripts/qemu/build.sh [--check] [--no-patches] [--cached-only]
#   --check       also build and run QEMU's own qtests that touch the
#                 patched code, and scripts/qemu/smoke.sh (cached by a stamp)
#   --no-patches  build Debian's source as it is (stock; cached apart)
#   --cached-only use the cached build, or exit with status 3 if there is
#                 none for these inputs (nothing is fetched or built)
#
# Steps: install the build dependencies (scripts/install-deps.sh qemu),
# enable deb-src, fetch the source of exactly the installed qemu-system-x86
# version, unpack it with Debian's patches (dpkg-source -x), apply the
# series with git am, configure, build with ninja through ccache, and copy
# the binary to /var/cache/sparsevm/qemu/<key>/ where key is the sha256 of
# the source version, every patch, the configure flags and this script.
# A second run with the same inputs only relinks build-qemu/.
#
# The source tree and its build directory persist under
# /var/cache/sparsevm/qemu-work/ so a changed series rebuilds incrementally
# (ninja, and ccache in /var/cache/sparsevm/ccache).
#
# The last line on stdout is the path of build-qemu/qemu-system-x86_64.
# The binary is configured like Debian's (prefix /usr, the same firmware
# path), so it finds SeaBIOS, the option ROMs and keymaps where Debian's
# qemu-system-x86 does and takes the same options.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${SPARSEVM_CACHE:-/var/cache/sparsevm}
check=0
patches=1
cached_only=0
for a in "$@"; do
    case "$a" in
    --check) check=1 ;;
    --no-patches) patches=0 ;;
    --cached-only) cached_only=1 ;;
    *) echo "build.sh: unknown argument '$a'" >&2; exit 2 ;;
    esac
done

log() { echo "build.sh: $*" >&2; }

sudo=""
if [ "$(id -u)" != 0 ]; then
    sudo="sudo"
fi

configure_flags=(
    --prefix=/usr
    --sysconfdir=/etc
    --libexecdir=/usr/lib/qemu
    --localstatedir=/var
    --firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu
    --target-list=x86_64-softmmu
    --without-default-features
    --enable-tcg
    --enable-kvm
    --enable-fdt=system
    --enable-tpm
    --enable-lzo
    --enable-snappy
    --enable-zstd
    --enable-slirp
    --enable-trace-backends=log
    --disable-docs
    --disable-werror
)

# 1. Build dependencies (quiet when present).
"$repo/scripts/install-deps.sh" qemu >&2

version=$(dpkg-query -W -f='${source:Version}' qemu-system-x86 2>/dev/null || true)
if [ -z "$version" ]; then
    log "qemu-system-x86 is not installed; installing it"
    $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
        --no-install-recommends qemu-system-x86 >&2
    version=$(dpkg-query -W -f='${source:Version}' qemu-system-x86)
fi

series=()
if [ $patches = 1 ]; then
    shopt -s nullglob
    series=("$repo"/qemu/[0-9][0-9][0-9][0-9]-*.patch)
    shopt -u nullglob
fi

key=$(
    {
        echo "version $version"
        for p in "${series[@]}"; do
            echo "patch $(basename "$p")"
            cat "$p"
        done
        printf 'flag %s\n' "${configure_flags[@]}"
        cat "$0"
    } | sha256sum | cut -c1-16
)
out="$cache/qemu/$key"
# What the work tree must hold: the source version and the series.
tree_key=$(
    {
        echo "version $version"
        for p in "${series[@]}"; do cat "$p"; done
    } | sha256sum | cut -c1-16
)

install_link() {
    mkdir -p "$repo/build-qemu"
    ln -sfn "$out/bin/qemu-system-x86_64" "$repo/build-qemu/qemu-system-x86_64"
    ln -sfn "$out/info" "$repo/build-qemu/info"
}

# QEMU's own qtests that exercise the patched code (7.2 has no dump or
# virtio-mem qtest; qmp-cmd-test runs every query command, including
# query-dump and query-dump-guest-memory-capability), then our smoke test.
qtests=(tpm-crb-test tpm-tis-test tpm-crb-swtpm-test tpm-tis-swtpm-test
        qmp-cmd-test)

run_checks() {
    local stamp="$out/check.stamp"
    local work="$cache/qemu-work"
    if [ -e "$stamp" ]; then
        log "qtests and smoke test already passed for $key ($(cat "$stamp"))"
        return
    fi
    # The work tree must hold exactly this key's sources.
    if [ "$(cat "$work/KEY" 2>/dev/null)" != "$key" ]; then
        prepare_tree
    fi
    log "building and running qtests: ${qtests[*]}"
    (
        cd "$work/src/build"
        export PATH="/usr/lib/ccache:$PATH" CCACHE_DIR="$cache/ccache" \
            CCACHE_BASEDIR="$work" CCACHE_NOHASHDIR=1
        nice -n 10 ninja qemu-system-x86_64 \
            $(printf 'tests/qtest/%s ' "${qtests[@]}") >&2
        # The build tree's binary looks for its data in qemu-bundle/,
        # which lacks the firmware Debian's source does not ship: link
        # Debian's (as the cached binary's share/ does).
        local b=qemu-bundle/usr
        mkdir -p "$b/share/qemu" "$b/lib/ipxe"
        for f in /usr/share/qemu/*; do
            [ -e "$b/share/qemu/${f##*/}" ] || ln -sfn "$f" "$b/share/qemu/"
        done
        ln -sfn /usr/share/seabios "$b/share/seabios"
        ln -sfn /usr/lib/ipxe/qemu "$b/lib/ipxe/qemu"
        # meson names them qtest-x86_64/NAME; each must exist.
        local list
        list=$(meson test --list 2>/dev/null)
        names=()
        for t in "${qtests[@]}"; do
            if ! grep -q "/ qtest-x86_64/$t\$" <<<"$list"; then
                echo "build.sh: no qtest $t in this tree" >&2
                exit 1
            fi
            names+=("qtest-x86_64/$t")
        done
        nice -n 10 meson test --no-rebuild --print-errorlogs \
            "${names[@]}" >&2
    )
    "$repo/scripts/qemu/smoke.sh" "$out/bin/qemu-system-x86_64" >&2
    date -u +%FT%TZ > "$stamp"
}

prepare_tree() {
    # 2. deb-src entries, then the source package (kept per version).
    if ! apt-cache showsrc qemu 2>/dev/null | grep -qx "Version: $version"; then
        local src_list=/etc/apt/sources.list.d/debian-src.sources
        if [ ! -e "$src_list" ]; then
            log "enabling deb-src in $src_list"
            sed 's/^Types: deb$/Types: deb-src/' \
                /etc/apt/sources.list.d/debian.sources | $sudo tee "$src_list" >/dev/null
        fi
        $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
    fi
    local srcdir="$cache/qemu-src/$version"
    if [ ! -e "$srcdir/UNPACKED" ]; then
        log "fetching qemu=$version source"
        rm -rf "$srcdir"
        mkdir -p "$srcdir"
        (cd "$srcdir" && apt-get source --download-only -qq "qemu=$version" >&2)
        (cd "$srcdir" && dpkg-source --no-check -x ./*.dsc tree >&2)
        touch "$srcdir/UNPACKED"
    fi

    # 3. The persistent git work tree: the pristine commit, then the series.
    local work="$cache/qemu-work"
    local tag="pristine-$(echo "$version" | tr ':~+' '___')"
    if ! git -C "$work/src" rev-parse -q --verify "refs/tags/$tag" >/dev/null 2>&1; then
        log "importing the unpacked source into $work/src"
        rm -rf "$work"
        mkdir -p "$work"
        cp -a "$srcdir/tree" "$work/src"
        (
            cd "$work/src"
            rm -rf .pc
            git init -q -b debian
            git config user.name "sparsevm developers"
            git config user.email "sparsevm@localhost"
            git config gc.auto 0
            # Debian's tree ships its own .gitignore entries; keep them.
            git add -A -f .
            git commit -q -m "Debian qemu $version (dpkg-source -x, quilt patches applied)"
            git tag "$tag"
        )
    fi
    if [ "$(cat "$work/TREE" 2>/dev/null)" = "$tree_key" ] &&
       [ -z "$(git -C "$work/src" status --porcelain --untracked-files=no)" ]; then
        echo "$key" > "$work/KEY"
        return
    fi
    rm -f "$work/TREE"
    (
        cd "$work/src"
        git am --abort >/dev/null 2>&1 || true
        # checkout -B keeps the mtime of files that do not change, so ninja
        # only rebuilds what the new series touches.
        git checkout -q -f -B series "$tag"
        git clean -q -fdx -e build -e /build
        for p in "${series[@]}"; do
            log "applying $(basename "$p")"
            git am -q --keep-cr "$p" >&2
        done
    )
    echo "$tree_key" > "$work/TREE"
    echo "$key" > "$work/KEY"
}

# Serialise: the work tree and its build directory are shared by every
# caller (a cached build takes the lock for a moment only).
mkdir -p "$cache/qemu"
exec 9>"$cache/qemu/.lock"
flock 9

if [ -x "$out/bin/qemu-system-x86_64" ]; then
    log "cached build $key (qemu $version, ${#series[@]} patches)"
    install_link
    if [ $check = 1 ]; then
        run_checks
    fi
    echo "$repo/build-qemu/qemu-system-x86_64"
    exit 0
fi

if [ $cached_only = 1 ]; then
    log "no cached build $key (qemu $version, ${#series[@]} patches)"
    exit 3
fi

start=$(date +%s)
prepare_tree
work="$cache/qemu-work"

# 4. Configure (once per flag set) and build through ccache.
export PATH="/usr/lib/ccache:$PATH"
export CCACHE_DIR="$cache/ccache" CCACHE_BASEDIR="$work" CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
flags_sum=$(printf '%s\n' "${configure_flags[@]}" | sha256sum | cut -c1-16)
cd "$work/src"
if [ "$(cat build/FLAGS 2>/dev/null)" != "$flags_sum" ]; then
    log "configuring"
    rm -rf build
    mkdir build
    (cd build && ../configure "${configure_flags[@]}" >&2)
    echo "$flags_sum" > build/FLAGS
fi
log "building (nice ninja; 20-30 min cold on 2 cores)"
nice -n 10 ninja -C build qemu-system-x86_64 >&2

# QEMU finds its data relative to the binary (bindir/../share/qemu for
# /usr/share/qemu, and so on): lay the cache directory out like /usr
# with links to Debian's data and firmware (qemu-system-data, seabios,
# ipxe-qemu), so that the binary finds what Debian's finds.
rm -rf "$out.tmp"
mkdir -p "$out.tmp/bin" "$out.tmp/share" "$out.tmp/lib/ipxe"
cp build/qemu-system-x86_64 "$out.tmp/bin/"
ln -s /usr/share/qemu "$out.tmp/share/qemu"
ln -s /usr/share/seabios "$out.tmp/share/seabios"
ln -s /usr/lib/ipxe/qemu "$out.tmp/lib/ipxe/qemu"
ln -s /usr/lib/qemu "$out.tmp/lib/qemu"
{
    echo "key=$key"
    echo "version=$version"
    echo "patches=${#series[@]}"
    for p in "${series[@]}"; do echo "patch=$(basename "$p")"; done
    echo "configure=${configure_flags[*]}"
    echo "built=$(date -u +%FT%TZ) seconds=$(( $(date +%s) - start ))"
} > "$out.tmp/info"
rm -rf "$out"
mv "$out.tmp" "$out"
log "built $key in $(( $(date +%s) - start )) s"
install_link
if [ $check = 1 ]; then
    run_checks
fi
echo "$repo/build-qemu/qemu-system-x86_64"
