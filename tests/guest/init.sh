#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# /init of the make check-guest initramfs.  Loads the virtio-mem and
# fw_cfg modules, then serves a line-based control channel on ttyS1 (the
# host's unix socket): one command per line, one answer line each.
#   ping               -> "OK pong"
#   fill MIB SEED BASE SIZE
#                      -> "OK filled PAGES in_plug N sample I:PFN,..."
#                         (svm-fill, which keeps holding the memory)
#   mor                -> "OK mor VALUE": sets the TPM MOR bit (CRB's
#                         PPI/MOR byte at 0xFED4515A), VALUE read back
#   reboot             -> "OK reboot", then an immediate reboot
# Anything else gets "ERR ...".  After boot it prints "READY RELEASE".
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev \
         virtio_pci virtio_mem qemu_fw_cfg; do
    insmod /lib/modules/$m.ko || echo "init: insmod $m failed"
done
stty -F /dev/ttyS1 raw -echo 115200
exec 3<>/dev/ttyS1
echo "READY $(uname -r)" >&3
while read -r cmd a1 a2 a3 a4 <&3; do
    case "$cmd" in
    ping)
        echo "OK pong" >&3 ;;
    fill)
        rm -f /tmp/fill.out
        /bin/svm-fill "$a1" "$a2" "$a3" "$a4" >/tmp/fill.out 2>&1 &
        while ! grep -q -e filled -e svm-fill /tmp/fill.out 2>/dev/null; do
            if ! kill -0 $! 2>/dev/null; then
                break
            fi
            sleep 0.2
        done
        if grep -q filled /tmp/fill.out; then
            echo "OK $(cat /tmp/fill.out)" >&3
        else
            echo "ERR $(cat /tmp/fill.out)" >&3
        fi ;;
    mor)
        devmem 0xFED4515A 8 1
        echo "OK mor $(devmem 0xFED4515A 8)" >&3 ;;
    reboot)
        echo "OK reboot" >&3
        sync
        reboot -f ;;
    *)
        echo "ERR unknown command '$cmd'" >&3 ;;
    esac
done
echo "init: control channel closed" >&2
while :; do sleep 3600; done
