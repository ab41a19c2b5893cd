/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-live.c: what a live dump adds to a dump job -- a write tracker
 * (include/exec/write-tracker.h) over every RAM block, set up before the
 * VM stops, and the snapshot taken while it is stopped: anonymous blocks
 * write-protected whole (the kernel skips their holes).  fd-backed ones
 * are protected extent by extent as SEEK_DATA finds them (protecting a
 * hole of shared memory would cost a page-table entry per page), early,
 * before the VM stops; at the snapshot only what was written or
 * populated since is protected (one read-only page-table walk).
 *
 * The page source reads the snapshot through the tracker
 * (dump_source_set_tracker()); dump.c stops and resumes the VM around
 * dump_job_prepare(), which calls dump_live_protect().  Design:
 * docs/devel/live-dump.md.
 */
#include "qemu/osdep.h"
#include <linux/magic.h>
#include <sys/statfs.h>
#include "exec/memory.h"
#include "exec/ramblock.h"
#include "qemu/error.h"
#include "qemu/trace.h"
#include "qom/object.h"
#include "dump/dump-internal.h"

/* "memory-backend-memfd 'mem0' (memfd)": what the user calls it. */
static char *dump_live_describe(RAMBlock *rb)
{
    MemoryRegion *mr = rb->mr;
    g_autofree char *kind = NULL;

    if (rb->fd < 0) {
        kind = g_strdup("anonymous memory");
    } else if (rb->flags & RAM_ANON_FD) {
        kind = g_strdup("memfd");
    } else {
        g_autofree char *link = g_strdup_printf("/proc/self/fd/%d", rb->fd);
        g_autofree char *target = g_file_read_link(link, NULL);

        kind = g_strdup_printf("file %s", target ? target : "?");
    }
    if (mr && mr->owner && object_get_canonical_path_component(mr->owner)) {
        return g_strdup_printf("%s '%s' (%s)",
                               object_get_typename(mr->owner),
                               object_get_canonical_path_component(mr->owner),
                               kind);
    }
    return g_strdup_printf("RAM '%s' (%s)", rb->idstr, kind);
}

/*
 * Call @fn for each part of @blocks that a dump with the filter
 * [@fbegin, @flast] (last inclusive) reads: a RAMBlock and the offsets
 * [@from, @to) in it.
 */
typedef struct DumpLiveCtx {
    WriteTracker *wt;
    bool early;                 /* fd-backed RAM was protected early */
    /* for the trace: */
    uint64_t bytes;             /* bytes protected (anonymous: whole) */
    unsigned extents;
    int64_t find_us;            /* finding extents (SEEK_DATA, pagemap) */
} DumpLiveCtx;

typedef bool DumpLiveRangeFn(DumpLiveCtx *ctx, RAMBlock *rb,
                             ram_addr_t from, ram_addr_t to, Error **errp);

static bool dump_live_for_each_range(GuestPhysBlockList *blocks,
                                     hwaddr fbegin, hwaddr flast,
                                     DumpLiveRangeFn *fn, DumpLiveCtx *ctx,
                                     Error **errp)
{
    GuestPhysBlock *b;

    QTAILQ_FOREACH(b, &blocks->head, next) {
        RAMBlock *rb = memory_region_get_ram_block(b->mr);
        hwaddr start = MAX(b->target_start, fbegin);
        hwaddr last = MIN(b->target_end - 1, flast);
        ram_addr_t from;

        if (!rb || start > last) {
            continue;
        }
        from = (b->host_addr - rb->host) + (start - b->target_start);
        if (!fn(ctx, rb, from, from + (last - start) + 1, errp)) {
            return false;
        }
    }
    return true;
}

static bool dump_live_is_anon(RAMBlock *rb)
{
    return rb->fd < 0 && !(rb->flags & RAM_PREALLOC);
}

/*
 * Shared shmem (a memfd, a tmpfs file, shared anonymous memory): the
 * tracker maps released pages writable again (write_tracker_add_range()).
 */
static bool dump_live_is_shared_shmem(RAMBlock *rb)
{
    struct statfs fs;

    if (!(rb->flags & RAM_SHARED) || (rb->flags & RAM_PREALLOC)) {
        return false;
    }
    return rb->fd < 0 ||
           (fstatfs(rb->fd, &fs) == 0 && fs.f_type == TMPFS_MAGIC);
}

/* Protect the extents SEEK_DATA (or pagemap) finds in [@from, @to). */
static bool dump_live_protect_extents(DumpLiveCtx *ctx, RAMBlock *rb,
                                      ram_addr_t from, ram_addr_t to,
                                      Error **errp)
{
    ram_addr_t s, e;

    for (;;) {
        int64_t t = g_get_monotonic_time();
        bool found = from < to &&
                     ram_block_next_populated(rb, from, to, &s, &e);

        ctx->find_us += g_get_monotonic_time() - t;
        if (!found) {
            return true;
        }
        if (!write_tracker_protect(ctx->wt, rb->host + s, e - s, errp)) {
            return false;
        }
        ctx->extents++;
        ctx->bytes += e - s;
        from = e;
    }
}

/*
 * Early (the VM still running): fd-backed RAM, extent by extent.  This
 * is where a memfd's 4 KiB page-table entries are written, one per
 * populated page: the cost the pause no longer carries.
 */
static bool dump_live_range_early(DumpLiveCtx *ctx, RAMBlock *rb,
                                  ram_addr_t from, ram_addr_t to,
                                  Error **errp)
{
    if (dump_live_is_anon(rb)) {
        return true;            /* protected whole at the snapshot */
    }
    return dump_live_protect_extents(ctx, rb, from, to, errp);
}

/* At the snapshot (the VM stopped). */
static bool dump_live_range_snapshot(DumpLiveCtx *ctx, RAMBlock *rb,
                                     ram_addr_t from, ram_addr_t to,
                                     Error **errp)
{
    if (dump_live_is_anon(rb)) {
        /*
         * Anonymous memory: protect the whole block in one walk (holes
         * cost nothing and stay unprotected, huge pages go whole); the
         * tracker tells the holes from the page tables later.
         */
        ctx->extents++;
        ctx->bytes += to - from;
        return write_tracker_protect_all(ctx->wt, rb->host + from,
                                         to - from, errp);
    }
    if (ctx->early) {
        /* what was written or populated since the early protection */
        return write_tracker_protect_written(ctx->wt, rb->host + from,
                                             to - from, errp);
    }
    return dump_live_protect_extents(ctx, rb, from, to, errp);
}

WriteTracker *dump_live_tracker_new(AddressSpace *as, uint64_t buffer_size,
                                    const DumpLiveScope *scope,
                                    Error **errp)
{
    GuestPhysBlockList probe;
    GuestPhysBlock *b;
    g_autoptr(GPtrArray) seen = g_ptr_array_new();
    WriteTracker *wt;
    DumpLiveCtx ctx = { .early = true };
    int64_t t0;

    wt = write_tracker_new(buffer_size, errp);
    if (!wt) {
        return NULL;
    }
    /* every RAM block that backs guest RAM, plugged or not */
    guest_phys_blocks_init(&probe);
    guest_phys_blocks_append(&probe, as,
                             GUEST_PHYS_BLOCKS_IGNORE_DISCARD_MANAGER);
    QTAILQ_FOREACH(b, &probe.head, next) {
        RAMBlock *rb = memory_region_get_ram_block(b->mr);
        g_autofree char *name = NULL;
        size_t len;

        if (!rb || g_ptr_array_find(seen, rb, NULL)) {
            continue;
        }
        g_ptr_array_add(seen, rb);
        name = dump_live_describe(rb);
        len = ROUND_UP(rb->used_length, rb->page_size);
        if (!write_tracker_add_range(wt, rb->host, len, rb->page_size,
                                     dump_live_is_shared_shmem(rb), name,
                                     errp)) {
            goto fail;
        }
    }
    if (!write_tracker_start(wt, errp)) {
        goto fail;
    }
    guest_phys_blocks_free(&probe);

    /*
     * The early phase: protect fd-backed RAM now, while the VM runs, the
     * same ranges the job's block list will hold (same address space,
     * flags and filter; the discard freeze keeps the plug state, and the
     * job takes its block list on this same main-loop turn).  A bad
     * filter is left to dump_job_prepare() to refuse.
     */
    if (!write_tracker_can_protect_early(wt) ||
        (scope->has_filter && (scope->begin < 0 || scope->length <= 0))) {
        return wt;
    }
    t0 = g_get_monotonic_time();
    ctx.wt = wt;
    ram_discard_freeze();
    guest_phys_blocks_init(&probe);
    guest_phys_blocks_append(&probe, as, scope->block_flags);
    if (!dump_live_for_each_range(&probe, scope->has_filter ?
                                  scope->begin : 0,
                                  scope->has_filter ?
                                  scope->begin + (scope->length - 1) :
                                  HWADDR_MAX,
                                  dump_live_range_early, &ctx, errp)) {
        guest_phys_blocks_free(&probe);
        ram_discard_thaw();
        write_tracker_free(wt);
        return NULL;
    }
    guest_phys_blocks_free(&probe);
    ram_discard_thaw();
    trace_event("dump_live_protect_early", "extents=%u bytes=%" PRIu64
                " find_us=%" PRId64 " total_us=%" PRId64, ctx.extents,
                ctx.bytes, ctx.find_us, g_get_monotonic_time() - t0);
    return wt;

fail:
    guest_phys_blocks_free(&probe);
    write_tracker_free(wt);
    return NULL;
}

bool dump_live_protect(DumpJob *job, Error **errp)
{
    hwaddr fbegin = job->filter_length ? job->filter_begin : 0;
    hwaddr flast = job->filter_length ?
                   job->filter_begin + (job->filter_length - 1) : HWADDR_MAX;
    DumpLiveCtx ctx = {
        .wt = job->tracker,
        .early = write_tracker_can_protect_early(job->tracker),
    };
    int64_t t0 = g_get_monotonic_time();

    if (!write_tracker_snapshot(job->tracker, errp) ||
        !dump_live_for_each_range(&job->blocks, fbegin, flast,
                                  dump_live_range_snapshot, &ctx, errp)) {
        return false;
    }
    write_tracker_seal(job->tracker);
    trace_event("dump_live_protect", "early=%d extents=%u bytes=%" PRIu64
                " find_us=%" PRId64 " total_us=%" PRId64, ctx.early,
                ctx.extents, ctx.bytes, ctx.find_us,
                g_get_monotonic_time() - t0);
    return true;
}
