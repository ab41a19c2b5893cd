/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-mem-check.h: for tests and fuzzers only: check a virtio-mem
 * device's invariants from outside without aborting and without reading
 * its fields (hw/virtio/virtio-mem-check.c).  Nothing in the program
 * calls this.
 */
#ifndef HW_VIRTIO_VIRTIO_MEM_CHECK_H
#define HW_VIRTIO_VIRTIO_MEM_CHECK_H

#include "hw/virtio/virtio-mem.h"

/**
 * virtio_mem_check_invariants: the invariants of virtio-mem.h, and what
 * the device promises the host about memory:
 * - "size" (plugged_size) equals the plugged blocks times block_size;
 * - usable_region_size and requested_size are multiples of block_size
 *   and at most the region size;
 * - no block at or beyond usable_region_size is plugged;
 * - no host memory is populated in any unplugged block (the backend's
 *   RAMBlock is asked without touching it: SEEK_DATA or pagemap).
 * Cost: one populated-extent query per run of unplugged blocks.
 * Returns: NULL if all hold, else a description of the first that does
 * not (a new string).
 */
char *virtio_mem_check_invariants(VirtIOMEM *vmem);

/**
 * virtio_mem_plugged_bytes: bytes plugged according to the block map
 * (not the "size" property): for tests that compare the two.
 */
uint64_t virtio_mem_plugged_bytes(VirtIOMEM *vmem);

#endif /* HW_VIRTIO_VIRTIO_MEM_CHECK_H */
