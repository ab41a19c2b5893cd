# SPDX-License-Identifier: GPL-2.0-or-later
"""Play the guest of a stock QEMU (Debian's qemu-system-x86_64, q35,
-accel tcg -S: the vCPU never runs; Debian's build has no qtest
accelerator) over its qtest socket, for the side-by-side benchmarks:
PCI configuration through ports 0xcf8/0xcfc, a minimal virtio-pci modern
driver (common config, device config and notify capabilities, one split
virtqueue in guest RAM) for virtio-mem-pci, and PLUG requests in
batches.  The qtest and QMP client is qtest_client.QtestVM, shared with
sparsevm_qtest.py.  Standard library only.
"""

import struct

from qtest_client import QtestVM

PCI_VENDOR_REDHAT = 0x1af4
PCI_DEVICE_VIRTIO_MEM = 0x1040 + 24     # modern virtio-pci: 0x1040 + ID
PCI_CAP_VENDOR = 0x09
CAP_COMMON, CAP_NOTIFY, CAP_ISR, CAP_DEVICE = 1, 2, 3, 4
BAR_ADDR = 0xe0000000                   # inside q35's 32-bit PCI hole

# virtio_pci_common_cfg offsets (virtio 1.2, 4.1.4.3)
CC_DFSELECT, CC_DF, CC_GFSELECT, CC_GF = 0x00, 0x04, 0x08, 0x0c
CC_STATUS, CC_Q_SELECT, CC_Q_SIZE, CC_Q_ENABLE = 0x14, 0x16, 0x18, 0x1c
CC_Q_NOFF, CC_Q_DESC, CC_Q_AVAIL, CC_Q_USED = 0x1e, 0x20, 0x28, 0x30

STATUS_ACK, STATUS_DRIVER, STATUS_DRIVER_OK, STATUS_FEATURES_OK = 1, 2, 4, 8
VIRTQ_DESC_F_NEXT, VIRTQ_DESC_F_WRITE = 1, 2
VIRTIO_F_VERSION_1 = 32
VIRTIO_MEM_F_ACPI_PXM, VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE = 0, 1
VIRTIO_MEM_REQ_PLUG, VIRTIO_MEM_RESP_ACK = 0, 0
REQ_SIZE, RESP_SIZE = 24, 16

RING = 0x100000                         # guest RAM for the rings, 1 MiB


class QemuVM(QtestVM):
    """A qemu-system-x86_64 process (q35, -accel tcg -S), with its qtest
    and QMP connections."""

    def __init__(self, binary, args):
        super().__init__(binary, ["-nodefaults", "-accel", "tcg", "-S",
                                  "-machine", "q35"] + args, name="QEMU")


class PciDevice:
    """Configuration space of bus 0 device @slot through 0xcf8/0xcfc."""

    def __init__(self, vm, slot):
        self.vm, self.slot = vm, slot

    def _addr(self, off):
        return 0x80000000 | (self.slot << 11) | (off & 0xfc)

    def cfg_read(self, off, width=4):
        self.vm.outl(0xcf8, self._addr(off))
        val = self.vm.inl(0xcfc) >> (8 * (off & 3))
        return val & ((1 << (8 * width)) - 1)

    def cfg_write32(self, off, val):
        self.vm.outl(0xcf8, self._addr(off))
        self.vm.outl(0xcfc, val)

    @staticmethod
    def find(vm, vendor, device):
        for slot in range(32):
            d = PciDevice(vm, slot)
            if d.cfg_read(0) == (device << 16) | vendor:
                return d
        raise RuntimeError("no PCI device %04x:%04x" % (vendor, device))


class VirtioMemPci:
    """The virtio-mem-pci device of @vm, set up with one virtqueue."""

    def __init__(self, vm):
        self.vm = vm
        pci = PciDevice.find(vm, PCI_VENDOR_REDHAT, PCI_DEVICE_VIRTIO_MEM)
        caps, bars = {}, {}
        ptr = pci.cfg_read(0x34, 1)
        while ptr:
            if pci.cfg_read(ptr, 1) == PCI_CAP_VENDOR:
                ctype, bar = pci.cfg_read(ptr + 3, 1), pci.cfg_read(ptr + 4, 1)
                caps[ctype] = (bar, pci.cfg_read(ptr + 8),
                               pci.cfg_read(ptr + 16))
            ptr = pci.cfg_read(ptr + 1, 1)
        for bar, _, _ in caps.values():
            if bar in bars:
                continue
            off = 0x10 + 4 * bar
            lo = pci.cfg_read(off)
            pci.cfg_write32(off, BAR_ADDR + 0x100000 * len(bars))
            if lo & 0x6 == 0x4:                 # 64-bit BAR
                pci.cfg_write32(off + 4, 0)
            bars[bar] = BAR_ADDR + 0x100000 * len(bars)
        pci.cfg_write32(0x04, pci.cfg_read(0x04) | 0x6)  # memory, master
        self.common = bars[caps[CAP_COMMON][0]] + caps[CAP_COMMON][1]
        self.device = bars[caps[CAP_DEVICE][0]] + caps[CAP_DEVICE][1]
        bar, off, mult = caps[CAP_NOTIFY]
        self.notify_base, self.notify_mult = bars[bar] + off, mult
        self._setup()
        cfg = vm.read(self.device, 56)
        (self.block_size, _, self.addr, self.region_size, _, _,
         _) = struct.unpack("<QH6xQQQQQ", cfg)

    def _cc(self, off, width, val=None):
        if val is None:
            return self.vm.read_n(self.common + off, width)
        self.vm.write_n(self.common + off, width, val)
        return None

    def _setup(self):
        self._cc(CC_STATUS, 1, 0)
        self._cc(CC_STATUS, 1, STATUS_ACK | STATUS_DRIVER)
        feat = 0
        for sel in (0, 1):
            self._cc(CC_DFSELECT, 4, sel)
            feat |= self._cc(CC_DF, 4) << (32 * sel)
        feat &= ((1 << VIRTIO_F_VERSION_1) | (1 << VIRTIO_MEM_F_ACPI_PXM) |
                 (1 << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE))
        for sel in (0, 1):
            self._cc(CC_GFSELECT, 4, sel)
            self._cc(CC_GF, 4, (feat >> (32 * sel)) & 0xffffffff)
        self._cc(CC_STATUS, 1, STATUS_ACK | STATUS_DRIVER |
                 STATUS_FEATURES_OK)
        if not self._cc(CC_STATUS, 1) & STATUS_FEATURES_OK:
            raise RuntimeError("virtio-mem refused features 0x%x" % feat)
        self._cc(CC_Q_SELECT, 2, 0)
        self.qsize = min(self._cc(CC_Q_SIZE, 2), 128)
        self._cc(CC_Q_SIZE, 2, self.qsize)
        self.desc = RING
        self.avail = RING + 16 * self.qsize
        self.used = RING + 0x4000
        self.reqs = RING + 0x8000
        self.resps = RING + 0x10000
        self.vm.write(RING, bytes(0x18000))
        for off, addr in ((CC_Q_DESC, self.desc), (CC_Q_AVAIL, self.avail),
                          (CC_Q_USED, self.used)):
            self._cc(off, 4, addr & 0xffffffff)
            self._cc(off + 4, 4, addr >> 32)
        self.notify = self.notify_base + \
            self._cc(CC_Q_NOFF, 2) * self.notify_mult
        self._cc(CC_Q_ENABLE, 2, 1)
        self._cc(CC_STATUS, 1, STATUS_ACK | STATUS_DRIVER |
                 STATUS_FEATURES_OK | STATUS_DRIVER_OK)
        self.idx = 0

    def _batch(self, reqs):
        """Submit (type, addr, nb_blocks) requests at once; return their
        response types."""
        vm, n = self.vm, len(reqs)
        vm.write(self.reqs, b"".join(struct.pack("<H6xQH6x", *r)
                                     for r in reqs))
        descs = b""
        for i in range(n):
            descs += struct.pack("<QIHH", self.reqs + REQ_SIZE * i, REQ_SIZE,
                                 VIRTQ_DESC_F_NEXT, 2 * i + 1)
            descs += struct.pack("<QIHH", self.resps + RESP_SIZE * i,
                                 RESP_SIZE, VIRTQ_DESC_F_WRITE, 0)
        vm.write(self.desc, descs)
        ring = b"".join(struct.pack("<H", 2 * i) for i in range(n))
        start = self.idx % self.qsize
        first = min(n, self.qsize - start)
        vm.write(self.avail + 4 + 2 * start, ring[:2 * first])
        if first < n:
            vm.write(self.avail + 4, ring[2 * first:])
        self.idx = (self.idx + n) & 0xffff
        vm.write(self.avail + 2, struct.pack("<H", self.idx))
        vm.write_n(self.notify, 2, 0)
        while vm.read_n(self.used + 2, 2) != self.idx:
            pass
        data = vm.read(self.resps, RESP_SIZE * n)
        return [struct.unpack_from("<H", data, RESP_SIZE * i)[0]
                for i in range(n)]

    def plug_blocks(self, blocks):
        """PLUG one block at each index of @blocks; raise on a refusal."""
        per = self.qsize // 2
        for i in range(0, len(blocks), per):
            reqs = [(VIRTIO_MEM_REQ_PLUG, self.addr + b * self.block_size, 1)
                    for b in blocks[i:i + per]]
            for r, resp in zip(reqs, self._batch(reqs)):
                if resp != VIRTIO_MEM_RESP_ACK:
                    raise RuntimeError("plug of 0x%x refused: %d" %
                                       (r[1], resp))
