/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-mem-check.c: the test-only invariant check of
 * virtio-mem-check.h.  It reads the device as virtio_mem_assert_state()
 * does, but reports instead of aborting, and adds the host-memory check
 * (unplugged blocks hold no populated memory) that is too costly for
 * every state change in the program.
 */
#include "qemu/osdep.h"
#include "exec/ramblock.h"
#include "hw/virtio/virtio-mem-check.h"
#include "sysemu/hostmem.h"
#include "virtio-mem-internal.h"

typedef struct UnpluggedScan {
    RAMBlock *rb;
    uint64_t bad_start, bad_end;    /* first populated extent found */
} UnpluggedScan;

static int unplugged_run_populated(uint64_t offset, uint64_t size,
                                   void *opaque)
{
    UnpluggedScan *scan = opaque;
    ram_addr_t s, e;

    if (ram_block_next_populated(scan->rb, offset, offset + size, &s, &e)) {
        scan->bad_start = s;
        scan->bad_end = e;
        return -EEXIST;
    }
    return 0;
}

uint64_t virtio_mem_plugged_bytes(VirtIOMEM *vmem)
{
    return ram_discard_bitmap_populated_size(&vmem->rdb);
}

char *virtio_mem_check_invariants(VirtIOMEM *vmem)
{
    uint64_t region = virtio_mem_region_size(vmem);
    uint64_t bs = vmem->block_size;
    UnpluggedScan scan = { 0 };

    if (vmem->size != virtio_mem_plugged_bytes(vmem)) {
        return g_strdup_printf("size 0x%" PRIx64 " but 0x%" PRIx64 " bytes "
                               "plugged", vmem->size,
                               virtio_mem_plugged_bytes(vmem));
    }
    if (!bs || !QEMU_IS_ALIGNED(vmem->usable_region_size, bs) ||
        vmem->usable_region_size > region) {
        return g_strdup_printf("usable_region_size 0x%" PRIx64 " (block "
                               "0x%" PRIx64 ", region 0x%" PRIx64 ")",
                               vmem->usable_region_size, bs, region);
    }
    if (!QEMU_IS_ALIGNED(vmem->requested_size, bs) ||
        vmem->requested_size > region) {
        return g_strdup_printf("requested_size 0x%" PRIx64 " (block 0x%"
                               PRIx64 ", region 0x%" PRIx64 ")",
                               vmem->requested_size, bs, region);
    }
    if (!ram_discard_bitmap_is_discarded(&vmem->rdb,
                                         vmem->usable_region_size,
                                         region - vmem->usable_region_size)) {
        return g_strdup_printf("a block beyond the usable region (0x%" PRIx64
                               ") is plugged", vmem->usable_region_size);
    }
    scan.rb = memory_region_get_ram_block(
        host_memory_backend_get_memory(vmem->memdev));
    if (ram_discard_bitmap_for_each_run(&vmem->rdb, false, 0, region,
                                        unplugged_run_populated, &scan)) {
        return g_strdup_printf("host memory populated in unplugged block(s) "
                               "at [0x%" PRIx64 ", 0x%" PRIx64 ")",
                               (uint64_t)scan.bad_start,
                               (uint64_t)scan.bad_end);
    }
    return NULL;
}
