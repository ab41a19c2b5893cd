/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ram-discard-bitmap.h: a RamDiscardManager backed by one bit per block
 * of a RAM MemoryRegion (set = populated).  virtio-mem embeds one and
 * drives it from its plug/unplug requests; tests embed one to check the
 * interface contract (docs/devel/ram-discard-manager.md).
 *
 * What it does:
 *  - implements every RamDiscardManagerOps member over the bitmap, with
 *    replays that walk runs via run-bitmap searches: the cost of a replay
 *    is O(runs in the section x bitmap levels), independent of the size
 *    of the region and of where the runs are;
 *  - keeps the registered RamDiscardListeners (newest first, as QEMU) and
 *    tells them about changes: ram_discard_bitmap_populate() asks every
 *    listener whose section intersects before anything becomes populated
 *    and rolls the notification back if one vetoes;
 *    ram_discard_bitmap_discard() / _discard_all() tell them after.
 *
 * What it leaves to its owner: the host memory itself (discarding with
 * ram_block_discard_range, preallocating), bounds and alignment of guest
 * requests, and the order of those steps relative to the notifications.
 *
 * All offsets and sizes are bytes within the managed region and must be
 * multiples of the granularity (caller bugs otherwise: the owner validates
 * guest input first).  The state changes (populate, discard, discard_all)
 * must not be called while ram_discard_frozen(): the owner refuses the
 * request before it touches host memory (asserted here).  Changes run on the main loop; queries and replays
 * may also run on another thread while nothing changes (the dump writer,
 * with the VM stopped).
 */
#ifndef HW_MEM_RAM_DISCARD_BITMAP_H
#define HW_MEM_RAM_DISCARD_BITMAP_H

#include "exec/memory.h"
#include "qemu/queue.h"
#include "qemu/run-bitmap.h"

/**
 * struct RamDiscardBitmap
 * @rdm: the interface handle; memory_region_set_ram_discard_manager()
 *       takes &rdb->rdm.
 * @mr: the managed region (borrowed; outlives the bitmap).
 * @granularity: block size in bytes, a power of two.
 * @nb_blocks: region size / @granularity.
 * @map: bit i set <=> block i is populated.
 * @listeners: registered RamDiscardListeners, newest first.
 * @callbacks: number of callbacks made (replay functions and listener
 *             notifications), for tests that check cost; relaxed atomic.
 */
typedef struct RamDiscardBitmap {
    RamDiscardManager rdm;
    MemoryRegion *mr;
    uint64_t granularity;
    uint64_t nb_blocks;
    RunBitmap *map;
    QLIST_HEAD(, RamDiscardListener) listeners;
    uint64_t callbacks;
} RamDiscardBitmap;

/**
 * ram_discard_bitmap_init: manage @mr (RAM, size a multiple of
 * @granularity) in blocks of @granularity bytes, all discarded.  Does not
 * attach itself to @mr: the owner calls
 * memory_region_set_ram_discard_manager() before mapping the region.
 * Errors: the bitmap cannot be allocated.
 */
bool ram_discard_bitmap_init(RamDiscardBitmap *rdb, MemoryRegion *mr,
                             uint64_t granularity, Error **errp);
/** ram_discard_bitmap_destroy: free the bitmap; no listener may remain. */
void ram_discard_bitmap_destroy(RamDiscardBitmap *rdb);

/** ram_discard_bitmap_from_rdm: the bitmap behind @rdm (container_of). */
static inline RamDiscardBitmap *
ram_discard_bitmap_from_rdm(const RamDiscardManager *rdm)
{
    return container_of(rdm, RamDiscardBitmap, rdm);
}

/** ram_discard_bitmap_populated_size: bytes populated, in O(1). */
uint64_t ram_discard_bitmap_populated_size(const RamDiscardBitmap *rdb);

/**
 * ram_discard_bitmap_is_populated / _is_discarded: whether every block of
 * [@offset, @offset + @size) is populated (discarded).  O(levels).
 */
bool ram_discard_bitmap_is_populated(const RamDiscardBitmap *rdb,
                                     uint64_t offset, uint64_t size);
bool ram_discard_bitmap_is_discarded(const RamDiscardBitmap *rdb,
                                     uint64_t offset, uint64_t size);

/**
 * ram_discard_bitmap_populate: make [@offset, @offset + @size) populated,
 * which must be discarded now.  First every listener whose section
 * intersects gets notify_populate for the intersection, in list order;
 * if one returns non-zero, the listeners told before it get
 * notify_discard for the same part, the bitmap is left unchanged and the
 * error is returned.  Otherwise the blocks are marked populated.
 * Returns: 0, or the vetoing listener's (negative) error.
 */
int ram_discard_bitmap_populate(RamDiscardBitmap *rdb, uint64_t offset,
                                uint64_t size);

/**
 * ram_discard_bitmap_discard: mark [@offset, @offset + @size) (populated
 * now) discarded, after telling every intersecting listener with
 * notify_discard.  The owner has already given the memory back.
 */
void ram_discard_bitmap_discard(RamDiscardBitmap *rdb, uint64_t offset,
                                uint64_t size);

/**
 * ram_discard_bitmap_discard_all: everything populated becomes discarded.
 * Each listener hears it once as notify_discard_all if it has one, else
 * as one notify_discard over its whole section if it supports double
 * discards, else as one notify_discard per populated run.  Nothing is
 * sent when nothing was populated.
 */
void ram_discard_bitmap_discard_all(RamDiscardBitmap *rdb);

/**
 * ram_discard_bitmap_for_each_run: call @fn(offset, size, opaque) for
 * each maximal populated (@populated) or discarded run within
 * [@offset, @offset + @size), clipped to it, in address order; stop at
 * the first non-zero return and return it.
 */
int ram_discard_bitmap_for_each_run(const RamDiscardBitmap *rdb,
                                    bool populated, uint64_t offset,
                                    uint64_t size,
                                    int (*fn)(uint64_t offset, uint64_t size,
                                              void *opaque),
                                    void *opaque);

#endif /* HW_MEM_RAM_DISCARD_BITMAP_H */
