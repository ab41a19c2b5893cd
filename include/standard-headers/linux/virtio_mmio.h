/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio_mmio.h: the register map of the virtio-mmio transport, version 2
 * (virtio 1.2 section 4.2.2).  Every register is a 32-bit little-endian
 * access; the device configuration space starts at VIRTIO_MMIO_CONFIG.
 * Wire ABI only (device model and test driver share it).
 */
#ifndef STANDARD_HEADERS_LINUX_VIRTIO_MMIO_H
#define STANDARD_HEADERS_LINUX_VIRTIO_MMIO_H

#define VIRTIO_MMIO_MAGIC_VALUE         0x000   /* R: "virt" */
#define VIRTIO_MMIO_VERSION             0x004   /* R: 2 */
#define VIRTIO_MMIO_DEVICE_ID           0x008   /* R: 0 = empty slot */
#define VIRTIO_MMIO_VENDOR_ID           0x00c   /* R */
#define VIRTIO_MMIO_DEVICE_FEATURES     0x010   /* R: bank DeviceFeaturesSel */
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014   /* W */
#define VIRTIO_MMIO_DRIVER_FEATURES     0x020   /* W: bank DriverFeaturesSel */
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024   /* W */
#define VIRTIO_MMIO_GUEST_PAGE_SIZE     0x028   /* legacy (version 1) only */
#define VIRTIO_MMIO_QUEUE_SEL           0x030   /* W */
#define VIRTIO_MMIO_QUEUE_NUM_MAX       0x034   /* R: 0 = no such queue */
#define VIRTIO_MMIO_QUEUE_NUM           0x038   /* W */
#define VIRTIO_MMIO_QUEUE_ALIGN         0x03c   /* legacy only */
#define VIRTIO_MMIO_QUEUE_PFN           0x040   /* legacy only */
#define VIRTIO_MMIO_QUEUE_READY         0x044   /* RW */
#define VIRTIO_MMIO_QUEUE_NOTIFY        0x050   /* W: queue index */
#define VIRTIO_MMIO_INTERRUPT_STATUS    0x060   /* R */
#define VIRTIO_MMIO_INTERRUPT_ACK       0x064   /* W */
#define VIRTIO_MMIO_STATUS              0x070   /* RW */
#define VIRTIO_MMIO_QUEUE_DESC_LOW      0x080   /* W */
#define VIRTIO_MMIO_QUEUE_DESC_HIGH     0x084   /* W */
#define VIRTIO_MMIO_QUEUE_AVAIL_LOW     0x090   /* W: "QueueDriver" */
#define VIRTIO_MMIO_QUEUE_AVAIL_HIGH    0x094   /* W */
#define VIRTIO_MMIO_QUEUE_USED_LOW      0x0a0   /* W: "QueueDevice" */
#define VIRTIO_MMIO_QUEUE_USED_HIGH     0x0a4   /* W */
#define VIRTIO_MMIO_SHM_SEL             0x0ac   /* W */
#define VIRTIO_MMIO_SHM_LEN_LOW         0x0b0   /* R: all ones = none */
#define VIRTIO_MMIO_SHM_LEN_HIGH        0x0b4   /* R */
#define VIRTIO_MMIO_SHM_BASE_LOW        0x0b8   /* R */
#define VIRTIO_MMIO_SHM_BASE_HIGH       0x0bc   /* R */
#define VIRTIO_MMIO_QUEUE_RESET         0x0c0   /* RW, VIRTIO_F_RING_RESET */
#define VIRTIO_MMIO_CONFIG_GENERATION   0x0fc   /* R */
#define VIRTIO_MMIO_CONFIG              0x100   /* device configuration */

#define VIRTIO_MMIO_MAGIC               0x74726976  /* "virt", little-endian */
#define VIRTIO_MMIO_VERSION_MODERN      2

/* InterruptStatus / InterruptACK bits. */
#define VIRTIO_MMIO_INT_VRING           (1u << 0)
#define VIRTIO_MMIO_INT_CONFIG          (1u << 1)

#endif /* STANDARD_HEADERS_LINUX_VIRTIO_MMIO_H */
