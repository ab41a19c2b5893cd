/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio_mem.h: the virtio-mem device ABI (device ID 24): feature bits,
 * the configuration layout, and the request and response formats of its
 * one virtqueue ("guest-request").  All fields little-endian.  Wire ABI
 * only; the device is hw/virtio/virtio-mem.c.
 */
#ifndef STANDARD_HEADERS_LINUX_VIRTIO_MEM_H
#define STANDARD_HEADERS_LINUX_VIRTIO_MEM_H

#include <stdint.h>

/* Feature bits. */
#define VIRTIO_MEM_F_ACPI_PXM                   0
#define VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE     1
#define VIRTIO_MEM_F_PERSISTENT_SUSPEND         2

/* Request types. */
#define VIRTIO_MEM_REQ_PLUG         0
#define VIRTIO_MEM_REQ_UNPLUG       1
#define VIRTIO_MEM_REQ_UNPLUG_ALL   2
#define VIRTIO_MEM_REQ_STATE        3

/* Response types. */
#define VIRTIO_MEM_RESP_ACK         0
#define VIRTIO_MEM_RESP_NACK        1
#define VIRTIO_MEM_RESP_BUSY        2
#define VIRTIO_MEM_RESP_ERROR       3

/* STATE response values. */
#define VIRTIO_MEM_STATE_PLUGGED    0
#define VIRTIO_MEM_STATE_UNPLUGGED  1
#define VIRTIO_MEM_STATE_MIXED      2

/* Request: 24 bytes.  PLUG, UNPLUG and STATE use addr/nb_blocks. */
struct virtio_mem_req {
    uint16_t type;
    uint16_t padding[3];
    uint64_t addr;
    uint16_t nb_blocks;
    uint16_t padding2[3];
};

/* Response: 10 bytes; @state is valid for STATE only. */
struct virtio_mem_resp {
    uint16_t type;
    uint16_t padding[3];
    uint16_t state;
};

/* Configuration space: 56 bytes, read-only for the driver. */
struct virtio_mem_config {
    uint64_t block_size;
    uint16_t node_id;
    uint8_t padding[6];
    uint64_t addr;
    uint64_t region_size;
    uint64_t usable_region_size;
    uint64_t plugged_size;
    uint64_t requested_size;
};

#define VIRTIO_MEM_REQ_SIZE     24
#define VIRTIO_MEM_RESP_SIZE    10
#define VIRTIO_MEM_CONFIG_SIZE  56

#endif /* STANDARD_HEADERS_LINUX_VIRTIO_MEM_H */
