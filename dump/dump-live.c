/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-live.c: what a live dump adds to a dump job -- a write tracker
 * (include/exec/write-tracker.h) over every RAM block, set up before the
 * VM stops, and the snapshot taken while it is stopped: anonymous blocks
 * write-protected whole (the kernel skips their holes), fd-backed ones
 * extent by extent as SEEK_DATA finds them (protecting a hole of shared
 * memory would cost a page-table entry per page).
 *
 * The page source reads the snapshot through the tracker
 * (dump_source_set_tracker()); dump.c stops and resumes the VM around
 * dump_job_prepare(), which calls dump_live_protect().  Design:
 * docs/devel/live-dump.md.
 */
#include "qemu/osdep.h"
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

WriteTracker *dump_live_tracker_new(AddressSpace *as, uint64_t buffer_size,
                                    Error **errp)
{
    GuestPhysBlockList probe;
    GuestPhysBlock *b;
    g_autoptr(GPtrArray) seen = g_ptr_array_new();
    WriteTracker *wt;

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
        if (!write_tracker_add_range(wt, rb->host, len, rb->page_size, name,
                                     errp)) {
            goto fail;
        }
    }
    if (!write_tracker_start(wt, errp)) {
        goto fail;
    }
    guest_phys_blocks_free(&probe);
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
    int64_t t0 = g_get_monotonic_time(), t_find = 0;
    uint64_t bytes = 0;
    unsigned extents = 0;
    GuestPhysBlock *b;

    QTAILQ_FOREACH(b, &job->blocks.head, next) {
        RAMBlock *rb = memory_region_get_ram_block(b->mr);
        hwaddr start = MAX(b->target_start, fbegin);
        hwaddr last = MIN(b->target_end - 1, flast);
        ram_addr_t from, to, s, e;

        if (start > last) {
            continue;
        }
        from = (b->host_addr - rb->host) + (start - b->target_start);
        to = from + (last - start) + 1;
        if (rb->fd < 0 && !(rb->flags & RAM_PREALLOC)) {
            /*
             * Anonymous memory: protect the whole block in one walk (holes
             * cost nothing and stay unprotected, huge pages go whole); the
             * tracker tells the holes from the page tables later.
             */
            if (!write_tracker_protect_all(job->tracker, rb->host + from,
                                           to - from, errp)) {
                return false;
            }
            extents++;
            bytes += to - from;
            continue;
        }
        for (;;) {
            int64_t t = g_get_monotonic_time();
            bool found = from < to &&
                         ram_block_next_populated(rb, from, to, &s, &e);

            t_find += g_get_monotonic_time() - t;
            if (!found) {
                break;
            }
            if (!write_tracker_protect(job->tracker, rb->host + s, e - s,
                                       errp)) {
                return false;
            }
            extents++;
            bytes += e - s;
            from = e;
        }
    }
    write_tracker_seal(job->tracker);
    trace_event("dump_live_protect", "extents=%u bytes=%" PRIu64
                " find_us=%" PRId64 " total_us=%" PRId64, extents, bytes,
                t_find, g_get_monotonic_time() - t0);
    return true;
}
