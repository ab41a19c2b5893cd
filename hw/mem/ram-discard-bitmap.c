/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ram-discard-bitmap.c: the bitmap-backed RamDiscardManager (see
 * include/hw/mem/ram-discard-bitmap.h for what it does and what it leaves
 * to its owner, and docs/devel/ram-discard-manager.md for the contract).
 *
 * Every walk goes through for_each_run(), which asks the run bitmap for
 * the next block in the wanted state and then for the end of that run, so
 * a walk over a section costs two O(levels) searches per run plus the
 * callback, and never looks at blocks in between.
 */
#include "qemu/osdep.h"
#include "hw/mem/ram-discard-bitmap.h"
#include "qemu/error.h"

typedef int (*RunFn)(uint64_t offset, uint64_t size, void *opaque);

/* Replays may run on the dump thread while the main loop reads: atomic. */
static void count_callback(RamDiscardBitmap *rdb)
{
    __atomic_fetch_add(&rdb->callbacks, 1, __ATOMIC_RELAXED);
}

static uint64_t region_size(const RamDiscardBitmap *rdb)
{
    return rdb->nb_blocks * rdb->granularity;
}

/* [start, end) of a section of the managed region, in region offsets. */
static void section_range(const RamDiscardBitmap *rdb,
                          const MemoryRegionSection *s, uint64_t *start,
                          uint64_t *end)
{
    Int128 e = (Int128)s->offset_within_region + s->size;

    assert(s->mr == rdb->mr);
    assert(e <= (Int128)region_size(rdb));
    *start = s->offset_within_region;
    *end = (uint64_t)e;
}

/*
 * Call @fn for each maximal run of blocks in state @populated that
 * intersects [@start, @end), clipped to it, in address order.
 */
static int for_each_run(const RamDiscardBitmap *rdb, bool populated,
                        uint64_t start, uint64_t end, RunFn fn, void *opaque)
{
    const uint64_t g = rdb->granularity;
    uint64_t bit, end_bit;

    if (start >= end) {
        return 0;
    }
    bit = start / g;
    end_bit = DIV_ROUND_UP(end, g);
    while (bit < end_bit) {
        uint64_t first, last, run_start, run_end;
        int ret;

        first = populated ? run_bitmap_next_set(rdb->map, bit)
                          : run_bitmap_next_clear(rdb->map, bit);
        if (first >= end_bit) {
            break;
        }
        /* @last: the first block after the run (or the end of the map). */
        last = populated ? run_bitmap_next_clear(rdb->map, first + 1)
                         : run_bitmap_next_set(rdb->map, first + 1);
        run_start = MAX(first * g, start);
        run_end = MIN(last * g, end);
        ret = fn(run_start, run_end - run_start, opaque);
        if (ret) {
            return ret;
        }
        bit = last;
    }
    return 0;
}

int ram_discard_bitmap_for_each_run(const RamDiscardBitmap *rdb,
                                    bool populated, uint64_t offset,
                                    uint64_t size, RunFn fn, void *opaque)
{
    assert(offset + size >= offset && offset + size <= region_size(rdb));
    return for_each_run(rdb, populated, offset, offset + size, fn, opaque);
}

/* ------------------------------------------------------------ state */

uint64_t ram_discard_bitmap_populated_size(const RamDiscardBitmap *rdb)
{
    return run_bitmap_weight(rdb->map) * rdb->granularity;
}

static void check_range(const RamDiscardBitmap *rdb, uint64_t offset,
                        uint64_t size)
{
    assert(QEMU_IS_ALIGNED(offset, rdb->granularity));
    assert(QEMU_IS_ALIGNED(size, rdb->granularity));
    assert(offset + size >= offset && offset + size <= region_size(rdb));
}

bool ram_discard_bitmap_is_populated(const RamDiscardBitmap *rdb,
                                     uint64_t offset, uint64_t size)
{
    check_range(rdb, offset, size);
    return run_bitmap_all_set(rdb->map, offset / rdb->granularity,
                              size / rdb->granularity);
}

bool ram_discard_bitmap_is_discarded(const RamDiscardBitmap *rdb,
                                     uint64_t offset, uint64_t size)
{
    check_range(rdb, offset, size);
    return run_bitmap_all_clear(rdb->map, offset / rdb->granularity,
                                size / rdb->granularity);
}

/* ---------------------------------------------------- notifications */

/* A replay function and the section it sees, for for_each_run(). */
typedef struct SectionWalk {
    RamDiscardBitmap *rdb;          /* for the callback counter */
    const MemoryRegionSection *section;
    ReplayRamDiscardState fn;
    void *opaque;
} SectionWalk;

static bool clip(const MemoryRegionSection *s, uint64_t offset,
                 uint64_t size, MemoryRegionSection *out)
{
    *out = *s;
    return memory_region_section_intersect_range(out, offset, size);
}

/* One run, clipped to the walk's section, to the walk's function. */
static int walk_cb(uint64_t offset, uint64_t size, void *opaque)
{
    SectionWalk *w = opaque;
    MemoryRegionSection tmp;

    if (!clip(w->section, offset, size, &tmp)) {
        return 0;
    }
    count_callback(w->rdb);
    return w->fn(&tmp, w->opaque);
}

/* Call @fn for each populated (or discarded) run of section @s. */
static int walk_section(RamDiscardBitmap *rdb, bool populated,
                        const MemoryRegionSection *s,
                        ReplayRamDiscardState fn, void *opaque)
{
    SectionWalk w = { .rdb = rdb, .section = s, .fn = fn, .opaque = opaque };
    uint64_t start, end;

    section_range(rdb, s, &start, &end);
    return for_each_run(rdb, populated, start, end, walk_cb, &w);
}

/* Listener callbacks in the replay function shape (opaque: the listener). */
static int listener_populate_fn(MemoryRegionSection *s, void *opaque)
{
    RamDiscardListener *rdl = opaque;

    return rdl->notify_populate(rdl, s);
}

static int listener_discard_fn(MemoryRegionSection *s, void *opaque)
{
    RamDiscardListener *rdl = opaque;

    rdl->notify_discard(rdl, s);
    return 0;
}

/* Tell @rdl that everything populated in its section went away. */
static void listener_discard_populated(RamDiscardBitmap *rdb,
                                       RamDiscardListener *rdl)
{
    if (rdl->notify_discard_all) {
        count_callback(rdb);
        rdl->notify_discard_all(rdl);
    } else if (rdl->double_discard_supported) {
        count_callback(rdb);
        rdl->notify_discard(rdl, rdl->section);
    } else {
        walk_section(rdb, true, rdl->section, listener_discard_fn, rdl);
    }
}

int ram_discard_bitmap_populate(RamDiscardBitmap *rdb, uint64_t offset,
                                uint64_t size)
{
    RamDiscardListener *rdl, *told;
    MemoryRegionSection tmp;
    int ret = 0;

    check_range(rdb, offset, size);
    assert(ram_discard_bitmap_is_discarded(rdb, offset, size));
    /* The owner asks ram_discard_frozen() before it preallocates. */
    assert(!ram_discard_frozen());
    QLIST_FOREACH(rdl, &rdb->listeners, next) {
        if (!clip(rdl->section, offset, size, &tmp)) {
            continue;
        }
        count_callback(rdb);
        ret = rdl->notify_populate(rdl, &tmp);
        if (ret) {
            break;
        }
    }
    if (ret) {
        /* Roll back: the listeners before @rdl were told; untell them. */
        QLIST_FOREACH(told, &rdb->listeners, next) {
            if (told == rdl) {
                break;
            }
            if (clip(told->section, offset, size, &tmp)) {
                count_callback(rdb);
                told->notify_discard(told, &tmp);
            }
        }
        return ret;
    }
    run_bitmap_set_range(rdb->map, offset / rdb->granularity,
                         size / rdb->granularity);
    return 0;
}

void ram_discard_bitmap_discard(RamDiscardBitmap *rdb, uint64_t offset,
                                uint64_t size)
{
    RamDiscardListener *rdl;
    MemoryRegionSection tmp;

    check_range(rdb, offset, size);
    assert(ram_discard_bitmap_is_populated(rdb, offset, size));
    /* The owner asks ram_discard_frozen() before it discards memory. */
    assert(!ram_discard_frozen());
    QLIST_FOREACH(rdl, &rdb->listeners, next) {
        if (clip(rdl->section, offset, size, &tmp)) {
            count_callback(rdb);
            rdl->notify_discard(rdl, &tmp);
        }
    }
    run_bitmap_clear_range(rdb->map, offset / rdb->granularity,
                           size / rdb->granularity);
}

void ram_discard_bitmap_discard_all(RamDiscardBitmap *rdb)
{
    RamDiscardListener *rdl;

    if (!run_bitmap_weight(rdb->map)) {
        return;
    }
    assert(!ram_discard_frozen());
    QLIST_FOREACH(rdl, &rdb->listeners, next) {
        listener_discard_populated(rdb, rdl);
    }
    run_bitmap_clear_all(rdb->map);
}

/* ------------------------------------------------------ manager ops */

static uint64_t rdb_get_min_granularity(const RamDiscardManager *rdm,
                                        const MemoryRegion *mr)
{
    const RamDiscardBitmap *rdb = ram_discard_bitmap_from_rdm(rdm);

    assert(mr == rdb->mr);
    return rdb->granularity;
}

static bool rdb_is_populated(const RamDiscardManager *rdm,
                             const MemoryRegionSection *s)
{
    const RamDiscardBitmap *rdb = ram_discard_bitmap_from_rdm(rdm);
    uint64_t start, end;

    section_range(rdb, s, &start, &end);
    if (start == end) {
        return false;   /* as QEMU: an empty range is not a valid range */
    }
    start = QEMU_ALIGN_DOWN(start, rdb->granularity);
    end = QEMU_ALIGN_UP(end, rdb->granularity);
    return ram_discard_bitmap_is_populated(rdb, start, end - start);
}

static int rdb_replay(const RamDiscardManager *rdm, bool populated,
                      MemoryRegionSection *s, ReplayRamDiscardState fn,
                      void *opaque)
{
    /* The callback counter is bookkeeping, not manager state. */
    return walk_section(ram_discard_bitmap_from_rdm(rdm), populated, s, fn,
                        opaque);
}

static int rdb_replay_populated(const RamDiscardManager *rdm,
                                MemoryRegionSection *s,
                                ReplayRamDiscardState fn, void *opaque)
{
    return rdb_replay(rdm, true, s, fn, opaque);
}

static int rdb_replay_discarded(const RamDiscardManager *rdm,
                                MemoryRegionSection *s,
                                ReplayRamDiscardState fn, void *opaque)
{
    return rdb_replay(rdm, false, s, fn, opaque);
}

static void rdb_register_listener(RamDiscardManager *rdm,
                                  RamDiscardListener *rdl,
                                  MemoryRegionSection *s)
{
    RamDiscardBitmap *rdb = ram_discard_bitmap_from_rdm(rdm);
    int ret;

    assert(rdl->notify_populate && rdl->notify_discard);
    assert(s->mr == rdb->mr);
    rdl->section = memory_region_section_new_copy(s);
    QLIST_INSERT_HEAD(&rdb->listeners, rdl, next);
    ret = walk_section(rdb, true, rdl->section, listener_populate_fn, rdl);
    if (ret) {
        error_report("%s: Replaying plugged ranges failed: %s",
                     memory_region_name(rdb->mr), g_strerror(-ret));
    }
}

static void rdb_unregister_listener(RamDiscardManager *rdm,
                                    RamDiscardListener *rdl)
{
    RamDiscardBitmap *rdb = ram_discard_bitmap_from_rdm(rdm);

    assert(rdl->section && rdl->section->mr == rdb->mr);
    if (run_bitmap_weight(rdb->map)) {
        listener_discard_populated(rdb, rdl);
    }
    memory_region_section_free_copy(rdl->section);
    rdl->section = NULL;
    QLIST_REMOVE(rdl, next);
}

static const RamDiscardManagerOps ram_discard_bitmap_ops = {
    .get_min_granularity = rdb_get_min_granularity,
    .is_populated = rdb_is_populated,
    .replay_populated = rdb_replay_populated,
    .replay_discarded = rdb_replay_discarded,
    .register_listener = rdb_register_listener,
    .unregister_listener = rdb_unregister_listener,
};

bool ram_discard_bitmap_init(RamDiscardBitmap *rdb, MemoryRegion *mr,
                             uint64_t granularity, Error **errp)
{
    uint64_t size = memory_region_size(mr);

    assert(memory_region_is_ram(mr));
    assert(is_power_of_2(granularity) && QEMU_IS_ALIGNED(size, granularity));
    memset(rdb, 0, sizeof(*rdb));
    rdb->rdm.ops = &ram_discard_bitmap_ops;
    rdb->mr = mr;
    rdb->granularity = granularity;
    rdb->nb_blocks = size / granularity;
    QLIST_INIT(&rdb->listeners);
    rdb->map = run_bitmap_try_new(rdb->nb_blocks);
    if (!rdb->map) {
        error_setg(errp, "cannot allocate the block bitmap of '%s' (%" PRIu64
                   " blocks)", memory_region_name(mr), rdb->nb_blocks);
        return false;
    }
    return true;
}

void ram_discard_bitmap_destroy(RamDiscardBitmap *rdb)
{
    assert(QLIST_EMPTY(&rdb->listeners));
    run_bitmap_free(rdb->map);
    rdb->map = NULL;
}
