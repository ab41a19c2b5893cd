/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memory_mapping.c: guest_phys_blocks, the snapshot of guest RAM every
 * RAM walker uses, and the guest-virtual memory mapping lists of the ELF
 * dump.
 *
 * The block list is built by registering a MemoryListener on the address
 * space the caller names and unregistering it at once: registration
 * replays the current FlatView, one region_add per range in increasing
 * address order, which is all we need.  Regions with a RamDiscardManager
 * contribute only their populated runs.  Blocks are carved out of slabs
 * rather than malloc'ed one by one, so a heavily fragmented virtio-mem
 * device (hundreds of thousands of runs) costs ~48 bytes per run.
 *
 * The x86 page-table walker lives in target/i386/arch_memory_mapping.c.
 * What to do with the lists is their users' business (dump/, hw/tpm/).
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include "exec/memory_mapping.h"
#include "hw/core/cpu.h"
#include "qemu/range.h"
#include "qemu/trace.h"

/* ------------------------------------------------------------------ slabs */

/*
 * struct GuestPhysBlockSlab: storage for @cap blocks, of which the first
 * @used are in use.  The list keeps its slabs in an array in allocation
 * order, so blocks are sorted across slabs as well as within each one,
 * and a lookup can bisect both.
 */
struct GuestPhysBlockSlab {
    unsigned used;
    unsigned cap;
    GuestPhysBlock blocks[];
};

/* Slab sizes double from the first to the last, bounding the unused tail. */
#define GUEST_PHYS_SLAB_FIRST 16
#define GUEST_PHYS_SLAB_MAX   4096

static GuestPhysBlock *guest_phys_block_alloc(GuestPhysBlockList *list)
{
    GuestPhysBlockSlab *slab = list->nslabs ? list->slabs[list->nslabs - 1]
                                            : NULL;

    if (!slab || slab->used == slab->cap) {
        unsigned cap = slab ? MIN(slab->cap * 2, GUEST_PHYS_SLAB_MAX)
                            : GUEST_PHYS_SLAB_FIRST;

        slab = g_malloc(sizeof(*slab) + cap * sizeof(GuestPhysBlock));
        slab->used = 0;
        slab->cap = cap;
        /* the index doubles, from 16: few reallocations */
        if (list->nslabs >= 16 && !(list->nslabs & (list->nslabs - 1))) {
            list->slabs = g_renew(GuestPhysBlockSlab *, list->slabs,
                                  list->nslabs * 2);
        } else if (!list->slabs) {
            list->slabs = g_new(GuestPhysBlockSlab *, 16);
        }
        list->slabs[list->nslabs++] = slab;
    }
    return memset(&slab->blocks[slab->used++], 0, sizeof(GuestPhysBlock));
}

/* ------------------------------------------------------------------ blocks */

void guest_phys_blocks_init(GuestPhysBlockList *list)
{
    list->num = 0;
    QTAILQ_INIT(&list->head);
    list->slabs = NULL;
    list->nslabs = 0;
}

void guest_phys_blocks_free(GuestPhysBlockList *list)
{
    GuestPhysBlock *block;

    QTAILQ_FOREACH(block, &list->head, next) {
        memory_region_unref(block->mr);
    }
    for (unsigned i = 0; i < list->nslabs; i++) {
        g_free(list->slabs[i]);
    }
    g_free(list->slabs);
    guest_phys_blocks_init(list);
}

typedef struct GuestPhysListener {
    GuestPhysBlockList *list;
    unsigned flags;
    MemoryListener listener;
} GuestPhysListener;

/* Blocks end at most here, so that target_end never wraps to 0. */
#define GUEST_PHYS_END_MAX ((hwaddr)0 - TARGET_PAGE_SIZE)

static void guest_phys_block_add_section(GuestPhysListener *g,
                                         const MemoryRegionSection *section)
{
    GuestPhysBlockList *list = g->list;
    hwaddr target_start = section->offset_within_address_space;
    Int128 end128 = (Int128)target_start + section->size;
    hwaddr target_end;
    uint8_t *host_addr;
    GuestPhysBlock *pred, *block;

    if (end128 > (Int128)GUEST_PHYS_END_MAX) {
        if (target_start >= GUEST_PHYS_END_MAX) {
            return;
        }
        end128 = GUEST_PHYS_END_MAX;
    }
    target_end = (hwaddr)end128;
    host_addr = (uint8_t *)memory_region_get_ram_ptr(section->mr) +
                section->offset_within_region;

    pred = QTAILQ_LAST(&list->head);
    if (pred) {
        /* The FlatView is replayed in increasing address order. */
        assert(pred->target_end <= target_start);
        if (pred->target_end == target_start &&
            pred->host_addr + (pred->target_end - pred->target_start) ==
                host_addr &&
            pred->mr == section->mr) {
            pred->target_end = target_end;
            return;
        }
    }

    block = guest_phys_block_alloc(list);
    block->target_start = target_start;
    block->target_end = target_end;
    block->host_addr = host_addr;
    block->mr = section->mr;
    memory_region_ref(section->mr);
    QTAILQ_INSERT_TAIL(&list->head, block, next);
    list->num++;
}

static int guest_phys_ram_populate_cb(MemoryRegionSection *section,
                                      void *opaque)
{
    guest_phys_block_add_section(opaque, section);
    return 0;
}

static void guest_phys_blocks_region_add(MemoryListener *listener,
                                         MemoryRegionSection *section)
{
    GuestPhysListener *g = container_of(listener, GuestPhysListener,
                                        listener);
    MemoryRegion *mr = section->mr;
    RamDiscardManager *rdm;

    /* RAM (ROM included), but no device memory and no persistent memory */
    if (!memory_region_is_ram(mr) || memory_region_is_ram_device(mr) ||
        memory_region_is_nonvolatile(mr) || section->nonvolatile) {
        return;
    }

    rdm = memory_region_get_ram_discard_manager(mr);
    if (rdm && !(g->flags & GUEST_PHYS_BLOCKS_IGNORE_DISCARD_MANAGER)) {
        /* Only the populated parts of sparse regions (virtio-mem). */
        ram_discard_manager_replay_populated(rdm, section,
                                             guest_phys_ram_populate_cb, g);
        return;
    }
    guest_phys_block_add_section(g, section);
}

void guest_phys_blocks_append(GuestPhysBlockList *list, AddressSpace *as,
                              unsigned flags)
{
    GuestPhysListener g = {
        .list = list,
        .flags = flags,
        .listener = {
            .region_add = guest_phys_blocks_region_add,
            .name = "guest-phys-blocks",
        },
    };

    memory_listener_register(&g.listener, as);
    memory_listener_unregister(&g.listener);
    trace_event("guest_phys_blocks_append", "as=%s blocks=%u",
                as->name, list->num);
}

/* The index of the first block of @slab ending after @addr (or @used). */
static unsigned slab_search(const GuestPhysBlockSlab *slab, hwaddr addr)
{
    unsigned lo = 0, hi = slab->used;

    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;

        if (slab->blocks[mid].target_end <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

const GuestPhysBlock *guest_phys_blocks_next(const GuestPhysBlockList *list,
                                             hwaddr addr)
{
    unsigned lo = 0, hi = list->nslabs;
    const GuestPhysBlockSlab *slab;

    /* the first slab whose last block ends after @addr */
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;

        slab = list->slabs[mid];
        if (!slab->used || slab->blocks[slab->used - 1].target_end <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == list->nslabs) {
        return NULL;
    }
    slab = list->slabs[lo];
    return &slab->blocks[slab_search(slab, addr)];
}

const GuestPhysBlock *guest_phys_blocks_lookup(const GuestPhysBlockList *list,
                                               hwaddr addr)
{
    const GuestPhysBlock *b = guest_phys_blocks_next(list, addr);

    return b && addr >= b->target_start ? b : NULL;
}

bool guest_phys_blocks_read(const GuestPhysBlockList *list, hwaddr addr,
                            void *buf, size_t len)
{
    uint8_t *out = buf;

    if (range_add_overflows(addr, len)) {
        return false;
    }
    while (len) {
        const GuestPhysBlock *b = guest_phys_blocks_lookup(list, addr);
        size_t n;

        if (!b) {
            return false;
        }
        n = MIN(len, b->target_end - addr);
        memcpy(out, b->host_addr + (addr - b->target_start), n);
        out += n;
        addr += n;
        len -= n;
    }
    return true;
}

uint64_t guest_phys_blocks_total_size(const GuestPhysBlockList *list,
                                      hwaddr begin, uint64_t length)
{
    const GuestPhysBlock *b;
    uint64_t total = 0;

    QTAILQ_FOREACH(b, &list->head, next) {
        uint64_t size = b->target_end - b->target_start;

        if (length) {
            hwaddr lo = MAX(begin, b->target_start);
            /* the filter may reach 2^64: compare last bytes */
            hwaddr last = MIN(begin + (length - 1), b->target_end - 1);

            size = lo <= last ? last - lo + 1 : 0;
        }
        total += size;
    }
    return total;
}

/* --------------------------------------------------------------- mappings */

void memory_mapping_list_init(MemoryMappingList *list)
{
    list->num = 0;
    list->last_mapping = NULL;
    list->phys_end_max = 0;
    QTAILQ_INIT(&list->head);
}

void memory_mapping_list_free(MemoryMappingList *list)
{
    MemoryMapping *p, *q;

    QTAILQ_FOREACH_SAFE(p, &list->head, next, q) {
        QTAILQ_REMOVE(&list->head, p, next);
        g_free(p);
    }
    memory_mapping_list_init(list);
}

/*
 * Insert before the first mapping whose phys_addr is >= ours, as QEMU
 * does, but search from the tail: lists are mostly built in increasing
 * order, and a head-first search made one mapping per block O(n^2).
 */
static void memory_mapping_insert_sorted(MemoryMappingList *list,
                                         MemoryMapping *m)
{
    MemoryMapping *p = QTAILQ_LAST(&list->head), *at = NULL;

    while (p && p->phys_addr >= m->phys_addr) {
        at = p;
        p = QTAILQ_PREV(p, next);
    }
    if (at) {
        QTAILQ_INSERT_BEFORE(at, m, next);
    } else {
        QTAILQ_INSERT_TAIL(&list->head, m, next);
    }
}

static void memory_mapping_note_end(MemoryMappingList *list,
                                    const MemoryMapping *m)
{
    hwaddr end = m->phys_addr + m->length;

    /* a mapping reaching 2^64 disables the fast path */
    list->phys_end_max = MAX(list->phys_end_max,
                             end < m->phys_addr ? HWADDR_MAX : end);
}

static void create_new_memory_mapping(MemoryMappingList *list,
                                      hwaddr phys_addr, hwaddr virt_addr,
                                      uint64_t length)
{
    MemoryMapping *m = g_new(MemoryMapping, 1);

    m->phys_addr = phys_addr;
    m->virt_addr = virt_addr;
    m->length = length;
    list->last_mapping = m;
    list->num++;
    memory_mapping_insert_sorted(list, m);
    memory_mapping_note_end(list, m);
}

/* @m continues with [@phys_addr, ...) -> [@virt_addr, ...) */
static bool mapping_contiguous(const MemoryMapping *m, hwaddr phys_addr,
                               hwaddr virt_addr)
{
    return phys_addr == m->phys_addr + m->length &&
           virt_addr == m->virt_addr + m->length;
}

/* [@phys_addr, +@length) touches or overlaps @m (QEMU's closed test) */
static bool mapping_have_same_region(const MemoryMapping *m,
                                     hwaddr phys_addr, uint64_t length)
{
    return !(phys_addr + length < m->phys_addr ||
             phys_addr >= m->phys_addr + m->length);
}

/* the virt-phys offset differs from @m's */
static bool mapping_conflict(const MemoryMapping *m, hwaddr phys_addr,
                             hwaddr virt_addr)
{
    return virt_addr - m->virt_addr != phys_addr - m->phys_addr;
}

/* grow @m to cover [@virt_addr, +@length) (same offset, overlapping) */
static void mapping_merge(MemoryMapping *m, hwaddr virt_addr, uint64_t length)
{
    if (virt_addr < m->virt_addr) {
        m->length += m->virt_addr - virt_addr;
        m->virt_addr = virt_addr;
    }
    if (virt_addr + length > m->virt_addr + m->length) {
        m->length = virt_addr + length - m->virt_addr;
    }
}

void memory_mapping_list_add_merge_sorted(MemoryMappingList *list,
                                          hwaddr phys_addr, hwaddr virt_addr,
                                          uint64_t length)
{
    MemoryMapping *m;

    if (QTAILQ_EMPTY(&list->head)) {
        create_new_memory_mapping(list, phys_addr, virt_addr, length);
        return;
    }
    m = list->last_mapping;
    if (m && mapping_contiguous(m, phys_addr, virt_addr)) {
        m->length += length;
        memory_mapping_note_end(list, m);
        return;
    }
    /*
     * Beyond every mapping's end: nothing to continue or overlap, and the
     * search below would end up appending at the tail anyway.
     */
    if (phys_addr > list->phys_end_max) {
        create_new_memory_mapping(list, phys_addr, virt_addr, length);
        return;
    }
    QTAILQ_FOREACH(m, &list->head, next) {
        if (mapping_contiguous(m, phys_addr, virt_addr)) {
            m->length += length;
            list->last_mapping = m;
            memory_mapping_note_end(list, m);
            return;
        }
        if (phys_addr + length < m->phys_addr) {
            break;
        }
        if (mapping_have_same_region(m, phys_addr, length) &&
            !mapping_conflict(m, phys_addr, virt_addr)) {
            mapping_merge(m, virt_addr, length);
            list->last_mapping = m;
            memory_mapping_note_end(list, m);
            return;
        }
    }
    create_new_memory_mapping(list, phys_addr, virt_addr, length);
}

/*
 * The length of the first piece of [@phys, +@length): up to where the
 * memory of @blocks under it starts or stops being contiguous.  Inside
 * the blocks a piece runs on across blocks that continue one another.
 */
static uint64_t mapping_piece_length(const GuestPhysBlockList *blocks,
                                     hwaddr phys, uint64_t length)
{
    const GuestPhysBlock *b = guest_phys_blocks_next(blocks, phys);
    hwaddr end;

    if (!b) {
        return length;                  /* above every block */
    }
    if (phys < b->target_start) {
        return MIN(length, b->target_start - phys);     /* in a hole */
    }
    end = b->target_end;
    while (end - phys < length) {
        const GuestPhysBlock *n = QTAILQ_NEXT(b, next);

        if (!n || n->target_start != end) {
            break;
        }
        b = n;
        end = b->target_end;
    }
    return MIN(length, end - phys);
}

/* a piece of a split mapping, and its rank for a stable sort */
typedef struct MappingPiece {
    MemoryMapping *m;
    size_t rank;
} MappingPiece;

static gint mapping_piece_cmp(gconstpointer a, gconstpointer b)
{
    const MappingPiece *x = a, *y = b;

    if (x->m->phys_addr != y->m->phys_addr) {
        return x->m->phys_addr < y->m->phys_addr ? -1 : 1;
    }
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

void memory_mapping_list_split(MemoryMappingList *list,
                               const GuestPhysBlockList *blocks)
{
    MemoryMapping *m, *next;
    GArray *pieces;

    QTAILQ_FOREACH(m, &list->head, next) {
        if (mapping_piece_length(blocks, m->phys_addr, m->length) <
            m->length) {
            break;
        }
    }
    if (!m) {
        return;                         /* no mapping crosses a hole */
    }

    /*
     * Cut every mapping into pieces, then sort them all: a mapping's later
     * pieces may belong after mappings that start inside it.
     */
    pieces = g_array_sized_new(false, false, sizeof(MappingPiece),
                               list->num + 16);
    QTAILQ_FOREACH_SAFE(m, &list->head, next, next) {
        QTAILQ_REMOVE(&list->head, m, next);
        for (;;) {
            uint64_t n = mapping_piece_length(blocks, m->phys_addr,
                                              m->length);
            MappingPiece p = { m, pieces->len };
            MemoryMapping *rest;

            g_array_append_val(pieces, p);
            if (n == m->length) {
                break;
            }
            rest = g_new(MemoryMapping, 1);
            rest->phys_addr = m->phys_addr + n;
            rest->virt_addr = m->virt_addr + n;
            rest->length = m->length - n;
            m->length = n;
            m = rest;
        }
    }
    g_array_sort(pieces, mapping_piece_cmp);
    memory_mapping_list_init(list);
    for (unsigned i = 0; i < pieces->len; i++) {
        m = g_array_index(pieces, MappingPiece, i).m;
        QTAILQ_INSERT_TAIL(&list->head, m, next);
        list->num++;
        memory_mapping_note_end(list, m);
    }
    g_array_free(pieces, true);
}

void qemu_get_guest_simple_memory_mapping(MemoryMappingList *list,
                                          const GuestPhysBlockList *blocks)
{
    const GuestPhysBlock *b;

    QTAILQ_FOREACH(b, &blocks->head, next) {
        create_new_memory_mapping(list, b->target_start, 0,
                                  b->target_end - b->target_start);
    }
}

bool qemu_get_guest_memory_mapping(MemoryMappingList *list,
                                   const GuestPhysBlockList *blocks,
                                   CPUState *const *cpus, unsigned ncpus,
                                   AddressSpace *as, Error **errp)
{
    const GuestPhysBlock *b;
    unsigned first;

    for (first = 0; first < ncpus; first++) {
        if (cpus[first]->env.cr[0] & CR0_PG_MASK) {
            break;
        }
    }
    if (first < ncpus) {
        for (unsigned i = first; i < ncpus; i++) {
            if (!x86_cpu_get_memory_mapping(cpus[i], list, blocks, as,
                                            errp)) {
                return false;
            }
        }
        memory_mapping_list_split(list, blocks);
        return true;
    }
    /* No vCPU uses paging: virtual == physical. */
    QTAILQ_FOREACH(b, &blocks->head, next) {
        create_new_memory_mapping(list, b->target_start, b->target_start,
                                  b->target_end - b->target_start);
    }
    return true;
}

void memory_mapping_filter(MemoryMappingList *list, hwaddr begin,
                           uint64_t length)
{
    MemoryMapping *cur, *next;

    QTAILQ_FOREACH_SAFE(cur, &list->head, next, next) {
        if (!ranges_overlap(cur->phys_addr, cur->length, begin, length)) {
            QTAILQ_REMOVE(&list->head, cur, next);
            if (list->last_mapping == cur) {
                list->last_mapping = NULL;
            }
            g_free(cur);
            list->num--;
            continue;
        }
        if (cur->phys_addr < begin) {
            cur->length -= begin - cur->phys_addr;
            if (cur->virt_addr) {
                cur->virt_addr += begin - cur->phys_addr;
            }
            cur->phys_addr = begin;
        }
        /* compare last bytes: the filter may end at 2^64 */
        if (cur->phys_addr + (cur->length - 1) > begin + (length - 1)) {
            cur->length = begin + (length - 1) - cur->phys_addr + 1;
        }
    }
}
