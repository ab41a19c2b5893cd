/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-kdump-pages.c: guest memory as kdump sees it -- one entry per
 * dumpable pfn, i.e. every pfn some block touches -- built from the
 * extents of a DumpSource, and counted from the block list alone.
 *
 * A pfn whose page lies wholly inside one extent is passed by reference
 * (host memory, or NULL when the extent is a HOLE, which is then never
 * read -- or, when zero pages are excluded from the dump, a HOLE's
 * pages are passed over all at once; populated pages are not read here
 * either: the compression threads copy them out with host_mem_read() and
 * tell zero pages from the others).  A pfn touched only partly -- a
 * block that starts or
 * ends inside the page, or two blocks sharing it -- is assembled into a
 * copy: the covered parts copied, the rest zero, as QEMU 7.2+'s
 * get_next_page() does ("dump: fix kdump to work over non-aligned
 * blocks").  The bitmap (dump-kdump.c) and this walk agree on the pfn set
 * because both derive it from the same blocks.
 */
#include "qemu/osdep.h"
#include "qemu/host-mem.h"
#include "dump/dump-kdump.h"

uint64_t kdump_count_pfns(const GuestPhysBlockList *blocks,
                          uint32_t page_size, uint64_t *max_mapnr)
{
    const GuestPhysBlock *b;
    uint64_t count = 0, next = 0;   /* next: first pfn not yet counted */

    QTAILQ_FOREACH(b, &blocks->head, next) {
        uint64_t first = b->target_start / page_size;
        uint64_t end = DIV_ROUND_UP(b->target_end, page_size);

        first = MAX(first, next);   /* a page shared with the last block */
        if (end > first) {
            count += end - first;
            next = end;
        }
    }
    *max_mapnr = next;
    return count;
}

uint64_t kdump_count_populated_pfns(const GuestPhysBlockList *blocks,
                                    uint32_t page_size)
{
    DumpSource src;
    DumpExtent ext;
    uint64_t count = 0, next = 0;   /* next: first pfn not yet counted */

    dump_source_init(&src, blocks, 0, 0, DUMP_MAX_EXTENT);
    dump_source_skip_zero_scan(&src);
    while (dump_source_next(&src, &ext)) {
        uint64_t first = MAX(ext.gpa / page_size, next);
        uint64_t end = DIV_ROUND_UP(ext.gpa + ext.len, page_size);

        if (ext.kind != DUMP_EXTENT_HOLE && end > first) {
            count += end - first;
            next = end;
        }
    }
    return count;
}

void kdump_pages_init(KdumpPages *p, const GuestPhysBlockList *blocks,
                      uint32_t page_size, bool skip_holes)
{
    memset(p, 0, sizeof(*p));
    p->page_size = page_size;
    p->skip_holes = skip_holes;
    dump_source_init(&p->src, blocks, 0, 0, DUMP_MAX_EXTENT);
    /* zero pages are found by the compression threads, in parallel */
    dump_source_skip_zero_scan(&p->src);
}

void kdump_pages_set_tracker(KdumpPages *p, WriteTracker *wt)
{
    dump_source_set_tracker(&p->src, wt);
    p->copy_pages = wt != NULL;
}

void kdump_pages_destroy(KdumpPages *p)
{
    g_free(p->partial_buf);
    p->partial_buf = NULL;
    dump_source_destroy(&p->src);
}

int kdump_pages_error(const KdumpPages *p, hwaddr *gpa)
{
    if (p->error) {
        *gpa = p->error_gpa;
        return p->error;
    }
    return dump_source_error(&p->src, gpa);
}

/* Append page @pfn to @b; the batch must have room. */
static void batch_add(KdumpBatch *b, uint64_t pfn, const uint8_t *data,
                      uint32_t covered)
{
    KdumpPage *pg = &b->pages[b->n++];

    assert(b->n <= KDUMP_BATCH_PAGES);
    pg->data = data;
    pg->pfn = pfn;
    pg->covered = covered;
    pg->size = 0;
    pg->flags = 0;
    if (data) {
        b->ndata++;
    }
}

/*
 * A copy of @data in @b's assembly area: edge pages, and every page of a
 * live dump (whose extents point into the source's buffer, valid only
 * until its next extent).  @data is ours, not guest memory.
 */
static const uint8_t *batch_copy(KdumpBatch *b, const uint8_t *data,
                                 uint32_t page_size)
{
    uint8_t *copy;

    if (!b->assembly) {
        b->assembly = g_malloc((size_t)KDUMP_BATCH_PAGES * page_size);
    }
    copy = b->assembly + (size_t)b->nassembled++ * page_size;
    memcpy(copy, data, page_size);
    return copy;
}

/* Emit the page being assembled: a copy if it holds non-zero bytes. */
static void flush_partial(KdumpPages *p, KdumpBatch *b)
{
    const uint8_t *data = NULL;

    if (p->partial_data &&
        !dump_buffer_is_zero(p->partial_buf, p->page_size)) {
        data = batch_copy(b, p->partial_buf, p->page_size);
    }
    if (data || !p->skip_holes) {
        batch_add(b, p->partial_pfn, data, p->partial_covered);
    } else {
        b->skipped += p->partial_covered;
    }
    p->partial = false;
}

/*
 * Add [@off, @off + @n) of the current extent to the edge page.
 * Returns: false if reading the guest memory faulted (p->error is set).
 */
static bool add_partial(KdumpPages *p, uint64_t pfn, uint32_t in_page,
                        uint64_t n)
{
    if (!p->partial) {
        p->partial = true;
        p->partial_pfn = pfn;
        p->partial_data = false;
        p->partial_covered = 0;
    }
    assert(p->partial_pfn == pfn);
    if (p->ext.kind == DUMP_EXTENT_DATA) {
        if (!p->partial_buf) {
            p->partial_buf = g_malloc(p->page_size);
        }
        if (!p->partial_data) {
            memset(p->partial_buf, 0, p->page_size);
            p->partial_data = true;
        }
        if (host_mem_read(p->partial_buf + in_page,
                          p->ext.host + p->ext_done, n) < 0) {
            p->error = -EFAULT;
            p->error_gpa = p->ext.gpa + p->ext_done;
            return false;
        }
    }
    p->partial_covered += n;
    return true;
}

bool kdump_pages_fill(KdumpPages *p, KdumpBatch *b)
{
    const uint32_t ps = p->page_size;

    b->n = 0;
    b->ndata = 0;
    b->skipped = 0;
    b->nassembled = 0;
    b->out_len = 0;
    b->error = 0;
    if (p->error) {
        return false;
    }
    while (b->n < KDUMP_BATCH_PAGES) {
        uint64_t pos, pfn, n;
        uint32_t in_page;

        if (!p->have_ext || p->ext_done == p->ext.len) {
            /* the source starts over once exhausted: ask it only once */
            p->have_ext = !p->exhausted && dump_source_next(&p->src,
                                                            &p->ext);
            p->ext_done = 0;
            if (!p->have_ext) {
                p->exhausted = true;
                if (p->partial) {
                    flush_partial(p, b);
                }
                break;
            }
        }
        pos = p->ext.gpa + p->ext_done;
        pfn = pos / ps;
        in_page = pos % ps;
        n = MIN(p->ext.len - p->ext_done, ps - in_page);

        if (p->partial && p->partial_pfn != pfn) {
            flush_partial(p, b);        /* the edge page is done */
            continue;
        }
        if (!p->partial && n == ps) {
            uint64_t whole;

            if (p->ext.kind == DUMP_EXTENT_DATA) {
                /* a whole page inside the extent: by reference (or a copy) */
                const uint8_t *data = p->ext.host + p->ext_done;

                if (p->copy_pages) {
                    data = batch_copy(b, data, ps);
                }
                batch_add(b, pfn, data, ps);
                p->ext_done += n;
                continue;
            }
            if (!p->skip_holes) {
                batch_add(b, pfn, NULL, ps);
                p->ext_done += n;
                continue;
            }
            /* every whole page of a hole at once, none in the batch */
            whole = (p->ext.len - p->ext_done) / ps * ps;
            b->skipped += whole;
            p->ext_done += whole;
            continue;
        }
        if (!add_partial(p, pfn, in_page, n)) {
            p->exhausted = true;        /* an error ends the walk */
            p->have_ext = false;
            p->partial = false;
            break;
        }
        p->ext_done += n;
        if (in_page + n == ps) {
            flush_partial(p, b);        /* nothing later shares it */
        }
    }
    return b->n || b->skipped;
}
