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

/* memset the populated parts of [start, end). */
static void zero_write_populated(RAMBlock *rb, ram_addr_t start,
                                 ram_addr_t end, RamZeroStats *st)
{
    ram_addr_t s, e;

    while (start < end && ram_block_next_populated(rb, start, end, &s, &e)) {
        memset(rb->host + s, 0, e - s);
        st->written += e - s;
        st->extents++;
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
        while (start < end &&
               ram_block_next_populated(rb, start, end, &s, &e)) {
            zero_discard(rb, s, e, st);
            start = e;
        }
        break;
    case RAM_ZERO_WRITE_DATA:
        zero_write_populated(rb, start, end, st);
        break;
    }
}
