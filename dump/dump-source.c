/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-source.c: the page source of dump-source.h.
 *
 * The cursor walks the blocks in order, clipped to the filter.  Within a
 * block it asks the RAMBlock for the next populated extent (without
 * touching memory) and reports what lies before it as a HOLE; inside a
 * populated extent it reads page by page (each copied out with
 * host_mem_read(), so a SIGBUS ends the walk with an error) and groups
 * pages into ZERO and DATA runs.  In a live dump the populated extents
 * come from the write tracker's record of the snapshot, and a populated
 * chunk is read once through the tracker into @snap before it is scanned.
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include "exec/ramblock.h"
#include "qemu/error.h"
#include "qemu/host-mem.h"
#include "dump/dump-source.h"

void dump_error_fault(Error **errp, hwaddr gpa)
{
    error_setg(errp, "dump: cannot read guest memory at 0x%" PRIx64 ": the "
               "host memory behind it is gone (backing file truncated, or "
               "no huge pages left)", (uint64_t)gpa);
}

int dump_source_error(const DumpSource *src, hwaddr *gpa)
{
    if (src->error) {
        *gpa = src->error_gpa;
    }
    return src->error;
}

bool dump_buffer_is_zero(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    size_t i = 0;

    /* most data pages fail on the first word */
    if (len >= sizeof(uint64_t)) {
        uint64_t w;

        memcpy(&w, p, sizeof(w));
        if (w) {
            return false;
        }
    }
    for (; i + 64 <= len; i += 64) {
        uint64_t w[8], acc = 0;

        memcpy(w, p + i, sizeof(w));
        for (int j = 0; j < 8; j++) {
            acc |= w[j];
        }
        if (acc) {
            return false;
        }
    }
    for (; i < len; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

void dump_source_init(DumpSource *src, const GuestPhysBlockList *blocks,
                      hwaddr begin, uint64_t length, uint64_t max_extent)
{
    assert(max_extent && QEMU_IS_ALIGNED(max_extent, TARGET_PAGE_SIZE));
    memset(src, 0, sizeof(*src));
    src->blocks = blocks;
    src->max_extent = max_extent;
    if (length) {
        src->filter_begin = begin;
        src->filter_last = begin + (length - 1);
    } else {
        src->filter_begin = 0;
        src->filter_last = HWADDR_MAX;
    }
}

void dump_source_set_tracker(DumpSource *src, WriteTracker *wt)
{
    src->tracker = wt;
    if (wt && !src->snap) {
        src->snap = g_malloc(src->max_extent);
    }
}

void dump_source_destroy(DumpSource *src)
{
    g_free(src->snap);
    src->snap = NULL;
}

void dump_source_skip_zero_scan(DumpSource *src)
{
    src->no_zero_scan = true;
}

/* Move to the next block that intersects the filter. */
static bool source_next_block(DumpSource *src)
{
    const GuestPhysBlock *b = src->block ? QTAILQ_NEXT(src->block, next)
                                         : QTAILQ_FIRST(&src->blocks->head);

    for (; b; b = QTAILQ_NEXT(b, next)) {
        hwaddr start = MAX(b->target_start, src->filter_begin);
        hwaddr last = MIN(b->target_end - 1, src->filter_last);
        uint8_t *rb_host;

        if (start > last) {
            if (b->target_start > src->filter_last) {
                break;          /* sorted: nothing further qualifies */
            }
            continue;
        }
        src->block = b;
        src->pos = start;
        src->block_end = last + 1;
        src->rb = memory_region_get_ram_block(b->mr);
        rb_host = src->rb->host;
        src->rb_delta = b->host_addr - rb_host;
        src->pop_valid = false;
        src->snap_start = src->snap_end = 0;
        return true;
    }
    src->block = NULL;
    return false;
}

static uint64_t rb_offset(const DumpSource *src, hwaddr gpa)
{
    return src->rb_delta + (gpa - src->block->target_start);
}

/*
 * fd-backed RAM whose file no longer covers [pos, block_end): it was
 * truncated under the VM.  SEEK_DATA would call the missing part a hole
 * and the dump would hold zeros for memory the guest had; say so instead.
 * (A truncation after this check still ends in a SIGBUS that the guarded
 * reads turn into the same error.)
 * Returns: false, with the error set, if the file is too short.
 */
static bool source_backing_present(DumpSource *src)
{
    struct stat st;
    uint64_t covered;           /* RAMBlock offsets below this have a file */
    hwaddr gap;

    if (src->rb->fd < 0 || fstat(src->rb->fd, &st) < 0 ||
        !S_ISREG(st.st_mode)) {
        /* nothing to check, or cannot tell (a device has no st_size) */
        return true;
    }
    covered = (uint64_t)st.st_size > (uint64_t)src->rb->fd_offset ?
              st.st_size - src->rb->fd_offset : 0;
    if (covered >= rb_offset(src, src->block_end)) {
        return true;
    }
    gap = src->block->target_start +
          (covered > src->rb_delta ? covered - src->rb_delta : 0);
    src->error = -EFAULT;
    src->error_gpa = MAX(src->pos, gap);
    return false;
}

/* Find the populated extent at or after pos (cached). */
static void source_find_populated(DumpSource *src)
{
    ram_addr_t s, e;
    uint64_t from = rb_offset(src, src->pos);
    uint64_t to = rb_offset(src, src->block_end);

    if (src->pop_valid && src->pop_end > src->pos) {
        return;
    }
    src->pop_valid = true;
    if (src->tracker) {
        const uint8_t *hs, *he;

        if (write_tracker_next_populated(src->tracker, src->rb->host + from,
                                         src->rb->host + to, &hs, &he)) {
            src->pop_start = src->pos + (hs - (src->rb->host + from));
            src->pop_end = src->pos + (he - (src->rb->host + from));
        } else {
            src->pop_start = src->pop_end = src->block_end;
        }
        return;
    }
    if (ram_block_next_populated(src->rb, from, to, &s, &e)) {
        src->pop_start = src->pos + (s - from);
        src->pop_end = src->pos + (e - from);
    } else {
        src->pop_start = src->pop_end = src->block_end;
    }
}

/* Bytes from @gpa to the next target page boundary, at most @limit. */
static uint64_t page_chunk(hwaddr gpa, hwaddr limit)
{
    hwaddr next = (gpa | (TARGET_PAGE_SIZE - 1)) + 1;

    return (next == 0 || next > limit ? limit : next) - gpa;
}

/* Where the dump reads @gpa: guest memory, or the live snapshot. */
static const uint8_t *source_ptr(const DumpSource *src, hwaddr gpa)
{
    if (src->tracker && gpa >= src->snap_start && gpa < src->snap_end) {
        return src->snap + (gpa - src->snap_start);
    }
    return src->block->host_addr + (gpa - src->block->target_start);
}

static void source_fill(DumpSource *src, DumpExtent *ext, DumpExtentKind kind,
                        uint64_t len)
{
    const GuestPhysBlock *b = src->block;

    ext->kind = kind;
    ext->gpa = src->pos;
    ext->len = len;
    ext->offset = src->offset;
    ext->block = b;
    ext->host = source_ptr(src, src->pos);
    ext->fd = -1;
    ext->fd_offset = 0;
    if (kind == DUMP_EXTENT_DATA && !src->tracker && src->rb->fd >= 0 &&
        qemu_ram_is_shared(src->rb)) {
        ext->fd = src->rb->fd;
        ext->fd_offset = src->rb->fd_offset + rb_offset(src, src->pos);
    }
    src->pos += len;
    src->offset += len;
}

/*
 * Whether the @len bytes of guest memory at @gpa (one page or less) are
 * zero, through a guarded copy.  Returns 1, 0, or -EFAULT (recorded).
 */
static int source_page_is_zero(DumpSource *src, hwaddr gpa, uint64_t len)
{
    const uint8_t *host = source_ptr(src, gpa);

    assert(len <= sizeof(src->page));
    if (src->tracker) {
        return dump_buffer_is_zero(host, len);  /* the snapshot: ours */
    }
    if (host_mem_read(src->page, host, len) < 0) {
        src->error = -EFAULT;
        src->error_gpa = gpa;
        return -EFAULT;
    }
    return dump_buffer_is_zero(src->page, len);
}

bool dump_source_next(DumpSource *src, DumpExtent *ext)
{
    hwaddr limit, p;
    int zero, z;

    if (src->error) {
        return false;
    }
    if (!src->block || src->pos >= src->block_end) {
        if (!source_next_block(src)) {
            return false;
        }
    }
    if (!(src->pop_valid && src->pop_end > src->pos) &&
        !source_backing_present(src)) {
        return false;
    }
    source_find_populated(src);
    if (src->pos < src->pop_start) {
        source_fill(src, ext, DUMP_EXTENT_HOLE, src->pop_start - src->pos);
        return true;
    }

    /* Inside a populated extent: group pages by zero / non-zero. */
    limit = src->pop_end;
    if (limit - src->pos > src->max_extent) {
        limit = src->pos + src->max_extent;
    }
    if (src->tracker) {
        /* read the chunk out of the snapshot once; it is released then */
        if (src->pos < src->snap_start || src->pos >= src->snap_end) {
            int ret = write_tracker_read(src->tracker,
                                         src->block->host_addr +
                                         (src->pos - src->block->target_start),
                                         limit - src->pos, src->snap);

            if (ret) {
                src->error = ret;
                src->error_gpa = src->pos;
                return false;
            }
            src->snap_start = src->pos;
            src->snap_end = limit;
        }
        limit = MIN(limit, src->snap_end);
    }
    if (src->no_zero_scan) {
        source_fill(src, ext, DUMP_EXTENT_DATA, limit - src->pos);
        return true;
    }
    p = src->pos;
    zero = source_page_is_zero(src, p, page_chunk(p, limit));
    if (zero < 0) {
        return false;
    }
    p += page_chunk(p, limit);
    while (p < limit) {
        uint64_t n = page_chunk(p, limit);

        z = source_page_is_zero(src, p, n);
        if (z < 0) {
            return false;
        }
        if (z != zero) {
            break;
        }
        p += n;
    }
    source_fill(src, ext, zero ? DUMP_EXTENT_ZERO : DUMP_EXTENT_DATA,
                p - src->pos);
    return true;
}
