/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio_config.h: the device status bits and transport feature bits of
 * the virtio 1.2 specification (sections 2.1, 2.2 and 6).  Wire ABI only:
 * both the device model (hw/virtio/) and the test driver
 * (tests/qtest/libqos/) include it, as QEMU's tree does with its copy of
 * the Linux headers.  Values are facts of the specification.
 */
#ifndef STANDARD_HEADERS_LINUX_VIRTIO_CONFIG_H
#define STANDARD_HEADERS_LINUX_VIRTIO_CONFIG_H

/* Device status (the Status register). */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE         1
#define VIRTIO_CONFIG_S_DRIVER              2
#define VIRTIO_CONFIG_S_DRIVER_OK           4
#define VIRTIO_CONFIG_S_FEATURES_OK         8
#define VIRTIO_CONFIG_S_NEEDS_RESET         0x40
#define VIRTIO_CONFIG_S_FAILED              0x80

/* Transport feature bits (bit numbers). */
#define VIRTIO_RING_F_INDIRECT_DESC         28
#define VIRTIO_RING_F_EVENT_IDX             29
#define VIRTIO_F_VERSION_1                  32
#define VIRTIO_F_ACCESS_PLATFORM            33
#define VIRTIO_F_RING_PACKED                34
#define VIRTIO_F_RING_RESET                 40

/* Device-specific feature bits live below this one. */
#define VIRTIO_TRANSPORT_F_START            24

#endif /* STANDARD_HEADERS_LINUX_VIRTIO_CONFIG_H */
