/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ram-zero.c: clear a RAMBlock range without populating its holes; the
 * choice of method per kind of backing and why is in
 * include/exec/ram-zero.h.
 */
#include "qemu/osdep.h"
#include "exec/ram-zero.h"
#include "qemu/trace.h"

RamZeroMethod ram_block_zero_method(const RAMBlock *rb, unsigned flags)
{
    if ((rb->flags & RAM_PREALLOC) || (flags & RAM_ZERO_KEEP_POPULATED)) {
        return RAM_ZERO_WRITE_DATA;
    }
    if (rb->fd < 0) {
        return RAM_ZERO_DISCARD_RANGE;
    }
    return qemu_ram_is_shared(rb) ? RAM_ZERO_DISCARD_DATA
                                  : RAM_ZERO_WRITE_DATA;
}

const char *ram_zero_method_name(RamZeroMethod method)
{
    switch (method) {
    case RAM_ZERO_DISCARD_RANGE:
        return "discard-range";
    case RAM_ZERO_DISCARD_DATA:
        return "discard-data";
    case RAM_ZERO_WRITE_DATA:
        return "write-data";
    }
    return "?";
}

/* true if the @len bytes at @p are all zero */
static bool bytes_are_zero(const uint8_t *p, size_t len)
{
    return len == 0 || (p[0] == 0 && memcmp(p, p + 1, len - 1) == 0);
}

/*
 * memset the populated parts of [start, end): for a private mapping of an
 * fd only its private copies (what the guest wrote; the file pages it
 * only read stay file pages), skipping pages that already read zero (the
 * shared zero page of a private /dev/zero mapping would otherwise become
 * a copy).  Never writes a page the mapping does not hold, so nothing is
 * populated and an unbacked huge page is never touched (SIGBUS).
 */
static void zero_write_populated(RAMBlock *rb, ram_addr_t start,
                                 ram_addr_t end, RamZeroStats *st)
{
    bool private_copies = rb->fd >= 0 && !qemu_ram_is_shared(rb);
    size_t psize = qemu_real_host_page_size();
    ram_addr_t s, e;

    while (start < end &&
           ram_block_next_private_copy(rb, start, end, &s, &e)) {
        assert(s >= start && e > s);
        if (!private_copies) {
            /* a fault is reported (the VM stops); go on with the rest */
            if (ram_block_fill(rb, s, 0, e - s) == 0) {
                st->written += e - s;
            }
            st->extents++;
        } else {
            for (ram_addr_t p = s; p < e;) {
                ram_addr_t n = MIN(QEMU_ALIGN_DOWN(p, psize) + psize, e) - p;

                if (!bytes_are_zero(rb->host + p, n) &&
                    ram_block_fill(rb, p, 0, n) == 0) {
                    st->written += n;
                    st->extents++;
                }
                p += n;
            }
        }
        start = e;
    }
}

/*
 * Discard the whole pages of [start, end) and write the populated parts
 * of the partial pages at its edges; write instead if the discard fails.
 */
static void zero_discard(RAMBlock *rb, ram_addr_t start, ram_addr_t end,
                         RamZeroStats *st)
{
    ram_addr_t first = ROUND_UP(start, rb->page_size);
    ram_addr_t last = ROUND_DOWN(end, rb->page_size);
    int ret;

    if (first >= last) {
        zero_write_populated(rb, start, end, st);
        return;
    }
    zero_write_populated(rb, start, first, st);
    ret = ram_block_discard_range(rb, first, last - first);
    if (ret == 0) {
        st->discarded += last - first;
        st->extents++;
    } else {
        trace_event("ram_block_zero_discard_fail", "%s 0x%" PRIx64 "+0x%"
                    PRIx64 ": %s, writing zeros instead", rb->idstr,
                    (uint64_t)first, (uint64_t)(last - first),
                    g_strerror(-ret));
        zero_write_populated(rb, first, last, st);
    }
    zero_write_populated(rb, last, end, st);
}

void ram_block_zero_range(RAMBlock *rb, ram_addr_t start, ram_addr_t length,
                          unsigned flags, RamZeroStats *stats)
{
    RamZeroStats local = { 0 };
    RamZeroStats *st = stats ? stats : &local;
    ram_addr_t end, s, e;

    assert(start <= rb->used_length && length <= rb->used_length - start);
    end = start + length;
    switch (ram_block_zero_method(rb, flags)) {
    case RAM_ZERO_DISCARD_RANGE:
        zero_discard(rb, start, end, st);
        break;
    case RAM_ZERO_DISCARD_DATA:
        if (!ram_block_has_hole_info(rb)) {
            /*
             * No extents to walk (a device, ramfs, hugetlbfs): discard the
             * whole range at once (the kernel skips what does not exist;
             * a block device zeroes its blocks) and ask the mapping for
             * the partial pages at the edges or if the discard fails.
             */
            zero_discard(rb, start, end, st);
            break;
        }
        while (start < end &&
               ram_block_next_populated(rb, start, end, &s, &e)) {
            assert(s >= start && e > s);
            zero_discard(rb, s, e, st);
            start = e;
        }
        break;
    case RAM_ZERO_WRITE_DATA:
        zero_write_populated(rb, start, end, st);
        break;
    }
}
