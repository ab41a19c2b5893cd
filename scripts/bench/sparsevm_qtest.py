# SPDX-License-Identifier: GPL-2.0-or-later
"""Drive a sparsevm process from Python for benchmarks: started by
qtest_client.QtestVM with the qtest accelerator, and virtio-mem blocks
plugged by a minimal guest driver (virtio-mmio version 2, one split
virtqueue, one request at a time).  Standard library only.
"""

import struct
import subprocess

from qtest_client import QtestVM

# virtio-mmio registers (virtio 1.2, 4.2.2)
MMIO_MAGIC, MMIO_VERSION, MMIO_DEVICE_ID = 0x000, 0x004, 0x008
MMIO_DEV_FEATURES, MMIO_DEV_FEATURES_SEL = 0x010, 0x014
MMIO_DRV_FEATURES, MMIO_DRV_FEATURES_SEL = 0x020, 0x024
MMIO_QUEUE_SEL, MMIO_QUEUE_NUM_MAX, MMIO_QUEUE_NUM = 0x030, 0x034, 0x038
MMIO_QUEUE_READY, MMIO_QUEUE_NOTIFY = 0x044, 0x050
MMIO_INT_STATUS, MMIO_INT_ACK, MMIO_STATUS = 0x060, 0x064, 0x070
MMIO_QUEUE_DESC, MMIO_QUEUE_AVAIL, MMIO_QUEUE_USED = 0x080, 0x090, 0x0a0
MMIO_CONFIG = 0x100
MMIO_MAGIC_VALUE = 0x74726976           # "virt"
STATUS_ACK, STATUS_DRIVER, STATUS_DRIVER_OK, STATUS_FEATURES_OK = 1, 2, 4, 8
VIRTIO_F_VERSION_1 = 32
VIRTQ_DESC_F_NEXT, VIRTQ_DESC_F_WRITE = 1, 2

# microvm's transports
MICROVM_MMIO_BASE, MICROVM_MMIO_SIZE, MICROVM_MMIO_SLOTS = \
    0xfeb00000, 0x200, 24

# virtio-mem (device ID 24)
VIRTIO_ID_MEM = 24
VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE = 1
VIRTIO_MEM_REQ_PLUG = 0
VIRTIO_MEM_RESP_ACK = 0
VIRTIO_MEM_REQ_SIZE = 24
VIRTIO_MEM_RESP_SIZE = 16


class VM(QtestVM):
    """A sparsevm process with its qtest and QMP connections."""

    def __init__(self, binary, args):
        super().__init__(binary, ["-accel", "qtest"] + args,
                         qtest_log="none", name="sparsevm")


class VirtioMem:
    """The first virtio-mem device of @vm, driven from guest RAM at @ram."""

    QUEUE_SIZE = 8

    def __init__(self, vm, ram):
        self.vm = vm
        self.base = None
        for slot in range(MICROVM_MMIO_SLOTS):
            base = MICROVM_MMIO_BASE + slot * MICROVM_MMIO_SIZE
            if (vm.readl(base + MMIO_MAGIC) == MMIO_MAGIC_VALUE and
                    vm.readl(base + MMIO_VERSION) == 2 and
                    vm.readl(base + MMIO_DEVICE_ID) == VIRTIO_ID_MEM):
                self.base = base
                break
        if self.base is None:
            raise RuntimeError("no virtio-mem device")
        self.desc = ram
        self.avail = ram + 16 * self.QUEUE_SIZE
        self.used = ram + 4096
        self.req = ram + 8192
        self.resp = ram + 8192 + 64
        self.avail_idx = 0
        self._setup()
        cfg = vm.read(self.base + MMIO_CONFIG, 56)
        (self.block_size, _, self.addr, self.region_size, _, _,
         _) = struct.unpack("<QH6xQQQQQ", cfg)

    def _reg(self, off, val=None):
        if val is None:
            return self.vm.readl(self.base + off)
        self.vm.writel(self.base + off, val)
        return None

    def _setup(self):
        self._reg(MMIO_STATUS, 0)
        self._reg(MMIO_STATUS, STATUS_ACK | STATUS_DRIVER)
        self._reg(MMIO_DEV_FEATURES_SEL, 0)
        lo = self._reg(MMIO_DEV_FEATURES)
        self._reg(MMIO_DEV_FEATURES_SEL, 1)
        hi = self._reg(MMIO_DEV_FEATURES)
        want = (1 << VIRTIO_F_VERSION_1) | \
            (1 << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE)
        feat = ((hi << 32) | lo) & want
        self._reg(MMIO_DRV_FEATURES_SEL, 0)
        self._reg(MMIO_DRV_FEATURES, feat & 0xffffffff)
        self._reg(MMIO_DRV_FEATURES_SEL, 1)
        self._reg(MMIO_DRV_FEATURES, feat >> 32)
        self._reg(MMIO_STATUS, STATUS_ACK | STATUS_DRIVER |
                  STATUS_FEATURES_OK)
        self.vm.write(self.desc, bytes(8192))
        self._reg(MMIO_QUEUE_SEL, 0)
        self._reg(MMIO_QUEUE_NUM, self.QUEUE_SIZE)
        for off, addr in ((MMIO_QUEUE_DESC, self.desc),
                          (MMIO_QUEUE_AVAIL, self.avail),
                          (MMIO_QUEUE_USED, self.used)):
            self._reg(off, addr & 0xffffffff)
            self._reg(off + 4, addr >> 32)
        self._reg(MMIO_QUEUE_READY, 1)
        self._reg(MMIO_STATUS, STATUS_ACK | STATUS_DRIVER |
                  STATUS_FEATURES_OK | STATUS_DRIVER_OK)

    def request(self, rtype, addr, nb_blocks):
        """One request; returns the response type."""
        vm = self.vm
        vm.write(self.req, struct.pack("<H6xQH6x", rtype, addr, nb_blocks))
        vm.write(self.desc, struct.pack("<QIHH", self.req, VIRTIO_MEM_REQ_SIZE,
                                        VIRTQ_DESC_F_NEXT, 1) +
                 struct.pack("<QIHH", self.resp, VIRTIO_MEM_RESP_SIZE,
                             VIRTQ_DESC_F_WRITE, 0))
        slot = self.avail_idx % self.QUEUE_SIZE
        vm.write(self.avail + 4 + 2 * slot, struct.pack("<H", 0))
        self.avail_idx = (self.avail_idx + 1) & 0xffff
        vm.write(self.avail + 2, struct.pack("<H", self.avail_idx))
        self._reg(MMIO_QUEUE_NOTIFY, 0)
        while vm.readw(self.used + 2) != self.avail_idx:
            pass
        self._reg(MMIO_INT_ACK, self._reg(MMIO_INT_STATUS))
        return vm.readw(self.resp)

    def plug(self, first_block, nb_blocks):
        """Plug in requests of at most 65,535 blocks; raise on refusal."""
        while nb_blocks:
            n = min(nb_blocks, 0xffff)
            resp = self.request(VIRTIO_MEM_REQ_PLUG,
                                self.addr + first_block * self.block_size, n)
            if resp != VIRTIO_MEM_RESP_ACK:
                raise RuntimeError("plug refused: response %d" % resp)
            first_block += n
            nb_blocks -= n


def has_device(binary, name):
    """Whether @binary knows -device @name."""
    out = subprocess.run([binary, "-device", "help"], capture_output=True,
                         text=True, check=False)
    return name in out.stdout + out.stderr
