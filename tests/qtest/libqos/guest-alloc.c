/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guest-alloc.c: first-fit allocator of guest-physical ranges (see
 * guest-alloc.h).  Free ranges live in a list sorted by address; an
 * allocation may split a free range in up to three (alignment gap,
 * allocation, rest); a free merges with both neighbours.
 */
#include "libqos/guest-alloc.h"

typedef struct Range {
    uint64_t start;
    uint64_t size;
} Range;

struct QGuestAllocator {
    GList *free;            /* Range *, sorted by start, never adjacent */
    GHashTable *used;       /* start -> size (guint64 keys and values) */
    uint64_t in_use;
};

static Range *range_new(uint64_t start, uint64_t size)
{
    Range *r = g_new(Range, 1);

    r->start = start;
    r->size = size;
    return r;
}

QGuestAllocator *guest_alloc_new(uint64_t start, uint64_t end)
{
    QGuestAllocator *a = g_new0(QGuestAllocator, 1);

    g_assert_cmphex(start, <, end);
    a->free = g_list_append(NULL, range_new(start, end - start));
    a->used = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                    g_free);
    return a;
}

void guest_alloc_destroy(QGuestAllocator *a)
{
    if (a) {
        g_list_free_full(a->free, g_free);
        g_hash_table_destroy(a->used);
        g_free(a);
    }
}

uint64_t guest_alloc(QGuestAllocator *a, uint64_t size, uint64_t align)
{
    g_assert_cmpuint(size, >, 0);
    g_assert_true(align && !(align & (align - 1)));
    for (GList *l = a->free; l; l = l->next) {
        Range *r = l->data;
        uint64_t addr = (r->start + align - 1) & ~(align - 1);
        uint64_t gap = addr - r->start;
        uint64_t *key, *val;

        if (addr < r->start || gap > r->size || size > r->size - gap) {
            continue;
        }
        if (r->size - gap - size) {
            /* The rest after the allocation stays free, after @r. */
            a->free = g_list_insert_before(a->free, l->next,
                                           range_new(addr + size,
                                                     r->size - gap - size));
        }
        if (gap) {
            r->size = gap;
        } else {
            g_free(r);
            a->free = g_list_delete_link(a->free, l);
        }
        key = g_new(uint64_t, 1);
        val = g_new(uint64_t, 1);
        *key = addr;
        *val = size;
        g_hash_table_insert(a->used, key, val);
        a->in_use += size;
        return addr;
    }
    g_error("guest_alloc: no room for 0x%" G_GINT64_MODIFIER "x bytes",
            size);
}

/* Merge the free range at @node with the one after it if they touch. */
static void merge_with_next(QGuestAllocator *a, GList *node)
{
    Range *r = node->data, *next;

    if (!node->next) {
        return;
    }
    next = node->next->data;
    if (r->start + r->size == next->start) {
        r->size += next->size;
        g_free(next);
        a->free = g_list_delete_link(a->free, node->next);
    }
}

void guest_free(QGuestAllocator *a, uint64_t addr)
{
    uint64_t *size_p, size;
    GList *l, *node;

    if (!addr) {
        return;
    }
    size_p = g_hash_table_lookup(a->used, &addr);
    g_assert_nonnull(size_p);
    size = *size_p;
    g_hash_table_remove(a->used, &addr);
    a->in_use -= size;

    for (l = a->free; l && ((Range *)l->data)->start < addr; l = l->next) {
    }
    a->free = g_list_insert_before(a->free, l, range_new(addr, size));
    node = l ? l->prev : g_list_last(a->free);
    merge_with_next(a, node);
    if (node->prev) {
        merge_with_next(a, node->prev);
    }
}

uint64_t guest_alloc_in_use(QGuestAllocator *a)
{
    return a->in_use;
}
