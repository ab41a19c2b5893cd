/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memory_mapping.c: guest_phys_blocks, the snapshot of guest RAM every
 * RAM walker uses.
 *
 * The block list is built by registering a MemoryListener on the address
 * space the caller names and unregistering it at once: registration
 * replays the current FlatView, one region_add per range in increasing
 * address order, which is all we need.  Regions with a RamDiscardManager
 * contribute only their populated runs.  Blocks are carved out of slabs
 * rather than malloc'ed one by one, so a heavily fragmented virtio-mem
 * device (hundreds of thousands of runs) costs ~48 bytes per run.
 *
 * What to do with the list is its users' business (dump/, hw/tpm/).
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include "exec/memory_mapping.h"
#include "qemu/range.h"
#include "qemu/trace.h"

/* ------------------------------------------------------------------ slabs */

/*
 * struct GuestPhysBlockSlab: storage for @cap blocks, of which the first
 * @used are in use.  Slabs are chained in allocation order, so blocks are
 * sorted across slabs as well as within each one.
 */
struct GuestPhysBlockSlab {
    GuestPhysBlockSlab *next;
    unsigned used;
    unsigned cap;
    GuestPhysBlock blocks[];
};

/* Slab sizes double from the first to the last, bounding the unused tail. */
#define GUEST_PHYS_SLAB_FIRST 16
#define GUEST_PHYS_SLAB_MAX   4096

static GuestPhysBlock *guest_phys_block_alloc(GuestPhysBlockList *list)
{
    GuestPhysBlockSlab *slab = list->slab_tail;

    if (!slab || slab->used == slab->cap) {
        unsigned cap = slab ? MIN(slab->cap * 2, GUEST_PHYS_SLAB_MAX)
                            : GUEST_PHYS_SLAB_FIRST;

        slab = g_malloc(sizeof(*slab) + cap * sizeof(GuestPhysBlock));
        slab->next = NULL;
        slab->used = 0;
        slab->cap = cap;
        if (list->slab_tail) {
            list->slab_tail->next = slab;
        } else {
            list->slabs = slab;
        }
        list->slab_tail = slab;
    }
    return memset(&slab->blocks[slab->used++], 0, sizeof(GuestPhysBlock));
}

/* ------------------------------------------------------------------ blocks */

void guest_phys_blocks_init(GuestPhysBlockList *list)
{
    list->num = 0;
    QTAILQ_INIT(&list->head);
    list->slabs = NULL;
    list->slab_tail = NULL;
}

void guest_phys_blocks_free(GuestPhysBlockList *list)
{
    GuestPhysBlockSlab *slab, *next;
    GuestPhysBlock *block;

    QTAILQ_FOREACH(block, &list->head, next) {
        memory_region_unref(block->mr);
    }
    for (slab = list->slabs; slab; slab = next) {
        next = slab->next;
        g_free(slab);
    }
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

const GuestPhysBlock *guest_phys_blocks_lookup(const GuestPhysBlockList *list,
                                               hwaddr addr)
{
    const GuestPhysBlockSlab *slab;

    for (slab = list->slabs; slab; slab = slab->next) {
        const GuestPhysBlock *b;
        unsigned i;

        if (!slab->used || slab->blocks[slab->used - 1].target_end <= addr) {
            continue;
        }
        i = slab_search(slab, addr);
        b = &slab->blocks[i];
        return addr >= b->target_start ? b : NULL;
    }
    return NULL;
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
