/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-mem-internal.h: what virtio-mem.c (requests, block states,
 * memory-device glue) and virtio-mem-props.c (properties, realize) share.
 * Private to hw/virtio/.
 */
#ifndef HW_VIRTIO_VIRTIO_MEM_INTERNAL_H
#define HW_VIRTIO_VIRTIO_MEM_INTERNAL_H

#include "hw/mem/memory-device.h"
#include "hw/virtio/virtio-mem.h"

/** virtio_mem_region_size: bytes of the backend's region. */
uint64_t virtio_mem_region_size(const VirtIOMEM *vmem);

/** virtio_mem_assert_state: check the invariants of virtio-mem.h. */
void virtio_mem_assert_state(const VirtIOMEM *vmem);

/**
 * virtio_mem_discard: ram_block_discard_range() of the backend, unless an
 * injected failure is pending (x-inject-discard-errors).
 * Returns: 0 or a negative errno.
 */
int virtio_mem_discard(VirtIOMEM *vmem, uint64_t offset, uint64_t size);

/**
 * virtio_mem_resize_usable_region: the usable region for @requested bytes:
 * requested + VIRTIO_MEM_USABLE_EXTENT, capped at the region and aligned
 * up to the block size, 0 if @requested is 0; it shrinks only if
 * @can_shrink.  A change bumps the configuration generation.
 */
void virtio_mem_resize_usable_region(VirtIOMEM *vmem, uint64_t requested,
                                     bool can_shrink);

/**
 * virtio_mem_unplug_all: every block becomes unplugged (whole backend
 * discarded first), then the usable region may shrink.
 * Returns: 0, or -EBUSY if discarding failed or a discard freeze is held
 * (nothing changed).
 */
int virtio_mem_unplug_all(VirtIOMEM *vmem);

/** virtio_mem_system_reset: the qemu_register_reset handler. */
void virtio_mem_system_reset(void *opaque);

/** virtio_mem_md_ops: the memory-device callbacks. */
extern const MemoryDeviceOps virtio_mem_md_ops;

/** virtio_mem_init_device: virtio_init and the request queue. */
void virtio_mem_init_device(VirtIOMEM *vmem);

/** virtio_mem_class_init_virtio: the VirtioDeviceClass callbacks. */
void virtio_mem_class_init_virtio(VirtioDeviceClass *vdc);

#endif /* HW_VIRTIO_VIRTIO_MEM_INTERNAL_H */
