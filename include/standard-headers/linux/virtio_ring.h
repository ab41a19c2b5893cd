/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio_ring.h: the split virtqueue layout (virtio 1.2 section 2.7).
 * All fields are little-endian in guest memory; the structs describe the
 * layout (sizes and offsets), and code reads and writes the fields with
 * explicit little-endian conversions.  Wire ABI only.
 *
 *   descriptor table  align 16   num x struct vring_desc
 *   available ring    align 2    flags, idx, ring[num], used_event
 *   used ring         align 4    flags, idx, ring[num] of vring_used_elem,
 *                                avail_event
 */
#ifndef STANDARD_HEADERS_LINUX_VIRTIO_RING_H
#define STANDARD_HEADERS_LINUX_VIRTIO_RING_H

#include <stdint.h>

#define VRING_DESC_F_NEXT       1   /* the chain continues at @next */
#define VRING_DESC_F_WRITE      2   /* device-writable buffer */
#define VRING_DESC_F_INDIRECT   4   /* buffer is a table of descriptors */

#define VRING_AVAIL_F_NO_INTERRUPT  1   /* driver: no used-buffer interrupts */
#define VRING_USED_F_NO_NOTIFY      1   /* device: no kicks wanted */

/* The largest queue a split ring may have (virtio 1.2 2.7: 32768). */
#define VRING_SPLIT_MAX_SIZE    32768

#define VRING_DESC_ALIGN        16
#define VRING_AVAIL_ALIGN       2
#define VRING_USED_ALIGN        4

struct vring_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct vring_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[];
};

struct vring_used_elem {
    uint32_t id;    /* head of the chain */
    uint32_t len;   /* bytes the device wrote */
};

struct vring_used {
    uint16_t flags;
    uint16_t idx;
    struct vring_used_elem ring[];
};

/* Byte sizes of the three parts for a queue of @num entries, including
 * the trailing event fields (present whether EVENT_IDX is used or not). */
static inline uint64_t vring_desc_size(unsigned int num)
{
    return (uint64_t)num * sizeof(struct vring_desc);
}

static inline uint64_t vring_avail_size(unsigned int num)
{
    return sizeof(struct vring_avail) + (uint64_t)num * sizeof(uint16_t) +
           sizeof(uint16_t);
}

static inline uint64_t vring_used_size(unsigned int num)
{
    return sizeof(struct vring_used) +
           (uint64_t)num * sizeof(struct vring_used_elem) + sizeof(uint16_t);
}

/* Offsets of the event fields (EVENT_IDX). */
static inline uint64_t vring_used_event_offset(unsigned int num)
{
    return sizeof(struct vring_avail) + (uint64_t)num * sizeof(uint16_t);
}

static inline uint64_t vring_avail_event_offset(unsigned int num)
{
    return sizeof(struct vring_used) +
           (uint64_t)num * sizeof(struct vring_used_elem);
}

/*
 * vring_need_event: with EVENT_IDX, whether moving an index from @old to
 * @new_idx crossed @event_idx (the other side asked to be told once the
 * entry at @event_idx was produced).  Free-running 16-bit arithmetic.
 */
static inline int vring_need_event(uint16_t event_idx, uint16_t new_idx,
                                   uint16_t old)
{
    return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old);
}

#endif /* STANDARD_HEADERS_LINUX_VIRTIO_RING_H */
