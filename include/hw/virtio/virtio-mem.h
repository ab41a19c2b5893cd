/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-mem.h: the virtio-mem device (`-device virtio-mem-device`): a
 * region of guest-physical memory, backed by a memory backend, that the
 * guest plugs and unplugs in blocks on request of the host
 * (requested-size).  Users: docs/system/virtio-mem.md.
 *
 * Other subsystems do not call the device: whatever walks guest RAM asks
 * the RamDiscardManager the device sets on its backend's region
 * (memory_region_get_ram_discard_manager), which answers which blocks are
 * plugged.
 *
 * Block states (one bit each in the RamDiscardBitmap @rdb):
 *   UNPLUGGED: bit clear; host memory discarded (reads zero, costs
 *              nothing); guest and DMA access is refused by the memory
 *              core (reads zero, writes dropped).
 *   PLUGGED:   bit set; the guest owns the memory.
 * Transitions:
 *   UNPLUGGED -> PLUGGED    PLUG request: virtio_mem_plug_range()
 *                           (optional prealloc, listeners' populate; on
 *                           failure the range is discarded again: BUSY)
 *   PLUGGED -> UNPLUGGED    UNPLUG request: virtio_mem_unplug_range()
 *                           (discard first, then listeners, then the bit)
 *   all -> UNPLUGGED        UNPLUG_ALL request and system reset:
 *                           virtio_mem_unplug_all()
 *   A virtio reset (Status = 0) changes no block.
 *   None of the transitions happens while ram_discard_frozen(): PLUG,
 *   UNPLUG and UNPLUG_ALL are answered BUSY, a system reset's unplug-all
 *   is refused (memory stays plugged).
 * Invariants (virtio_mem_assert_state()): size == plugged blocks x
 * block_size; no block at or beyond usable_region_size is plugged;
 * usable_region_size and requested_size are multiples of block_size and
 * at most the region size.
 */
#ifndef HW_VIRTIO_VIRTIO_MEM_H
#define HW_VIRTIO_VIRTIO_MEM_H

#include "hw/mem/ram-discard-bitmap.h"
#include "hw/virtio/virtio.h"
#include "qemu/units.h"
#include "standard-headers/linux/virtio_mem.h"

#define TYPE_VIRTIO_MEM "virtio-mem-device"

/* Property names, as QEMU's. */
#define VIRTIO_MEM_MEMDEV_PROP          "memdev"
#define VIRTIO_MEM_ADDR_PROP            "memaddr"
#define VIRTIO_MEM_NODE_PROP            "node"
#define VIRTIO_MEM_PREALLOC_PROP        "prealloc"
#define VIRTIO_MEM_SIZE_PROP            "size"
#define VIRTIO_MEM_REQUESTED_SIZE_PROP  "requested-size"
#define VIRTIO_MEM_BLOCK_SIZE_PROP      "block-size"
#define VIRTIO_MEM_UNPLUGGED_INACCESSIBLE_PROP "unplugged-inaccessible"
#define VIRTIO_MEM_EARLY_MIGRATION_PROP "early-migration"
#define VIRTIO_MEM_DYNAMIC_MEMSLOTS_PROP "dynamic-memslots"

/* Blocks are at least 1 MiB (keeps the bitmap small), as QEMU. */
#define VIRTIO_MEM_MIN_BLOCK_SIZE       (1 * MiB)
/* The usable region reaches this far past requested-size (x86). */
#define VIRTIO_MEM_USABLE_EXTENT        (2 * 128 * MiB)
/* Size of the request queue. */
#define VIRTIO_MEM_QUEUE_SIZE           128

/**
 * struct VirtIOMEM
 * @memdev: the backend ("memdev" link); its region is the device memory.
 * @addr: guest-physical start ("memaddr"); chosen at realize if 0.
 * @node: NUMA node ("node"); must be 0 (no NUMA here).
 * @prealloc: populate blocks when they get plugged ("prealloc").
 * @unplugged_inaccessible_prop: "on" | "off" | "auto".
 * @early_migration, @dynamic_memslots: accepted for compatibility; no
 *       migration and no KVM memslots here.
 * @requested_size: what the host asks the guest to plug.
 * @block_size: 0 until realize picks the default, unless set.
 * @inject_discard_errors, @inject_prealloc_errors: test hooks
 *       ("x-inject-discard-errors", "x-inject-prealloc-errors"): the next
 *       N discards (preallocations) fail as if the host refused.
 * @unplugged_inaccessible: resolved at realize: offer the feature.
 * @usable_region_size: the part of the region the guest may plug now.
 * @size: bytes plugged (config plugged_size, property "size").
 * @rdb: the plugged-block map and RamDiscardManager.
 * @vq: the request queue.
 * @memory_plugged: memory_device_plug() mapped the region.
 */
typedef struct VirtIOMEM {
    VirtIODevice parent_obj;

    HostMemoryBackend *memdev;
    uint64_t addr;
    uint32_t node;
    bool prealloc;
    char *unplugged_inaccessible_prop;
    bool early_migration;
    bool dynamic_memslots;
    uint64_t requested_size;
    uint64_t block_size;
    uint32_t inject_discard_errors;
    uint32_t inject_prealloc_errors;

    bool unplugged_inaccessible;
    uint64_t usable_region_size;
    uint64_t size;
    RamDiscardBitmap rdb;
    bool rdb_inited;
    VirtQueue *vq;
    bool memory_plugged;
} VirtIOMEM;

#define VIRTIO_MEM(obj) \
    ((VirtIOMEM *)object_dynamic_cast_assert(OBJECT(obj), TYPE_VIRTIO_MEM))

/** virtio_mem_register_types: TYPE_VIRTIO_MEM (user-creatable). */
void virtio_mem_register_types(void);

#endif /* HW_VIRTIO_VIRTIO_MEM_H */
