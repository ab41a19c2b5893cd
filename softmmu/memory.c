/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memory.c: the region tree, its rendering into FlatViews, transactions,
 * memory listeners, the RamDiscardManager wrappers and the discard freeze.
 *
 * State kept here and nowhere else: the list of address spaces, the list
 * of all listeners, the transaction depth and the discard freeze count.  Accessors below are the
 * only way in.  Accesses to guest memory are in memory-access.c; `info
 * mtree` is in memory-mtree.c.
 *
 * Rendering (generate_flatview): walk the tree from the root, subregions
 * in priority order (highest first; among equals, the most recently added
 * first).  Each terminal region fills only the gaps the ranges rendered
 * before it left inside its clip window, so whatever was rendered first
 * wins.  Aliases shift the base and recurse into their target.  Finally
 * adjacent ranges that continue each other are merged.
 *
 * Listener updates (address_space_update_topology): the old and new views
 * are walked together in address order; a range present in both (same
 * region, offset, size, attributes) is a "nop", anything else is a "del"
 * from the old view or an "add" from the new one.  All dels go out before
 * any add, so a listener never sees two ranges overlap.
 */
#include "qemu/osdep.h"
#include <sys/mman.h>
#include "exec/ramblock.h"
#include "qemu/error.h"
#include "qemu/trace.h"
#include "qom/object.h"
#include "softmmu/memory-internal.h"

static unsigned transaction_depth;
static bool update_pending;
static QTAILQ_HEAD(, MemoryListener) memory_listeners =
    QTAILQ_HEAD_INITIALIZER(memory_listeners);
static QTAILQ_HEAD(, AddressSpace) address_spaces =
    QTAILQ_HEAD_INITIALIZER(address_spaces);

/* ------------------------------------------------------------ region init */

static Int128 size_from_u64(uint64_t size)
{
    return size == UINT64_MAX ? int128_2_64() : int128_make64(size);
}

static void memory_region_do_init(MemoryRegion *mr, Object *owner,
                                  const char *name, uint64_t size)
{
    memset(mr, 0, sizeof(*mr));
    mr->owner = owner;
    mr->name = g_strdup(name);
    mr->size = size_from_u64(size);
    mr->enabled = true;
    QTAILQ_INIT(&mr->subregions);
}

void memory_region_init(MemoryRegion *mr, Object *owner, const char *name,
                        uint64_t size)
{
    memory_region_do_init(mr, owner, name, size);
}

void memory_region_init_io(MemoryRegion *mr, Object *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size)
{
    memory_region_do_init(mr, owner, name, size);
    mr->ops = ops;
    mr->opaque = opaque;
    mr->terminates = true;
}

static void memory_region_init_ram_common(MemoryRegion *mr, Object *owner,
                                          const char *name, uint64_t size)
{
    memory_region_do_init(mr, owner, name, size);
    mr->ram = true;
    mr->terminates = true;
}

bool memory_region_init_ram_flags(MemoryRegion *mr, Object *owner,
                                  const char *name, uint64_t size,
                                  uint32_t ram_flags, Error **errp)
{
    memory_region_init_ram_common(mr, owner, name, size);
    mr->ram_block = qemu_ram_alloc_anon(mr, size, ram_flags, errp);
    if (!mr->ram_block) {
        g_clear_pointer(&mr->name, g_free);
        return false;
    }
    return true;
}

bool memory_region_init_ram(MemoryRegion *mr, Object *owner,
                            const char *name, uint64_t size, Error **errp)
{
    return memory_region_init_ram_flags(mr, owner, name, size, RAM_NORESERVE,
                                        errp);
}

bool memory_region_init_ram_from_fd(MemoryRegion *mr, Object *owner,
                                    const char *name, uint64_t size,
                                    uint32_t ram_flags, int fd, off_t offset,
                                    Error **errp)
{
    memory_region_init_ram_common(mr, owner, name, size);
    mr->ram_block = qemu_ram_alloc_from_fd(mr, size, ram_flags, fd, offset,
                                           errp);
    if (!mr->ram_block) {
        g_clear_pointer(&mr->name, g_free);
        return false;
    }
    mr->nonvolatile = ram_flags & RAM_PMEM;
    return true;
}

void memory_region_init_ram_ptr(MemoryRegion *mr, Object *owner,
                                const char *name, uint64_t size, void *ptr)
{
    memory_region_init_ram_common(mr, owner, name, size);
    mr->ram_block = qemu_ram_alloc_from_ptr(mr, size, ptr);
}

void memory_region_init_ram_device_ptr(MemoryRegion *mr, Object *owner,
                                       const char *name, uint64_t size,
                                       void *ptr)
{
    memory_region_init_ram_ptr(mr, owner, name, size, ptr);
    mr->ram_device = true;
}

bool memory_region_init_rom(MemoryRegion *mr, Object *owner, const char *name,
                            uint64_t size, Error **errp)
{
    if (!memory_region_init_ram_flags(mr, owner, name, size, RAM_NORESERVE,
                                      errp)) {
        return false;
    }
    mr->readonly = true;
    return true;
}

void memory_region_init_alias(MemoryRegion *mr, Object *owner,
                              const char *name, MemoryRegion *orig,
                              hwaddr offset, uint64_t size)
{
    memory_region_do_init(mr, owner, name, size);
    mr->alias = orig;
    mr->alias_offset = offset;
}

void memory_region_destroy(MemoryRegion *mr)
{
    if (!mr->name && !mr->ram_block) {
        return;     /* never initialised, or already destroyed */
    }
    assert(!mr->container);
    assert(QTAILQ_EMPTY(&mr->subregions));
    assert(!mr->mapped_via_alias);
    qemu_ram_free(mr->ram_block);
    mr->ram_block = NULL;
    g_clear_pointer(&mr->name, g_free);
}

void memory_region_ref(MemoryRegion *mr)
{
    if (mr && mr->owner) {
        object_ref(mr->owner);
    }
}

void memory_region_unref(MemoryRegion *mr)
{
    if (mr && mr->owner) {
        object_unref(mr->owner);
    }
}

/* ------------------------------------------------------------ transactions */

static void memory_region_update_pending(void)
{
    update_pending = true;
}

void memory_region_transaction_begin(void)
{
    transaction_depth++;
}

static void address_space_update_topology(AddressSpace *as);

#define LISTENER_CALL_GLOBAL(cb, reverse) do {                          \
    MemoryListener *_l;                                                 \
    if (!(reverse)) {                                                   \
        QTAILQ_FOREACH(_l, &memory_listeners, link) {                   \
            if (_l->cb) {                                               \
                _l->cb(_l);                                             \
            }                                                           \
        }                                                               \
    } else {                                                            \
        QTAILQ_FOREACH_REVERSE(_l, &memory_listeners, link) {           \
            if (_l->cb) {                                               \
                _l->cb(_l);                                             \
            }                                                           \
        }                                                               \
    }                                                                   \
} while (0)

void memory_region_transaction_commit(void)
{
    AddressSpace *as;

    assert(transaction_depth);
    if (--transaction_depth || !update_pending) {
        return;
    }
    update_pending = false;
    LISTENER_CALL_GLOBAL(begin, false);
    QTAILQ_FOREACH(as, &address_spaces, address_spaces_link) {
        address_space_update_topology(as);
    }
    LISTENER_CALL_GLOBAL(commit, false);
}

/* ---------------------------------------------------------- tree changes */

static void memory_region_update_container_subregions(MemoryRegion *sub)
{
    MemoryRegion *mr = sub->container, *other;

    memory_region_transaction_begin();
    memory_region_ref(sub);
    QTAILQ_FOREACH(other, &mr->subregions, subregions_link) {
        if (sub->priority >= other->priority) {
            QTAILQ_INSERT_BEFORE(other, sub, subregions_link);
            goto done;
        }
    }
    QTAILQ_INSERT_TAIL(&mr->subregions, sub, subregions_link);
done:
    if (sub->alias) {
        sub->alias->mapped_via_alias++;
    }
    memory_region_update_pending();
    memory_region_transaction_commit();
}

static void memory_region_add_subregion_common(MemoryRegion *mr,
                                               hwaddr offset,
                                               MemoryRegion *sub)
{
    assert(!sub->container);
    assert(mr != sub);
    sub->container = mr;
    sub->addr = offset;
    memory_region_update_container_subregions(sub);
}

void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset,
                                 MemoryRegion *subregion)
{
    subregion->priority = 0;
    subregion->may_overlap = false;
    memory_region_add_subregion_common(mr, offset, subregion);
}

void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
                                         MemoryRegion *subregion,
                                         int priority)
{
    subregion->priority = priority;
    subregion->may_overlap = true;
    memory_region_add_subregion_common(mr, offset, subregion);
}

void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *subregion)
{
    memory_region_transaction_begin();
    assert(subregion->container == mr);
    subregion->container = NULL;
    if (subregion->alias) {
        assert(subregion->alias->mapped_via_alias);
        subregion->alias->mapped_via_alias--;
    }
    QTAILQ_REMOVE(&mr->subregions, subregion, subregions_link);
    memory_region_unref(subregion);
    memory_region_update_pending();
    memory_region_transaction_commit();
}

#define MR_SETTER(fn, field, type)                                      \
void fn(MemoryRegion *mr, type value)                                   \
{                                                                       \
    if (mr->field == value) {                                           \
        return;                                                         \
    }                                                                   \
    memory_region_transaction_begin();                                  \
    mr->field = value;                                                  \
    memory_region_update_pending();                                     \
    memory_region_transaction_commit();                                 \
}

MR_SETTER(memory_region_set_enabled, enabled, bool)
MR_SETTER(memory_region_set_readonly, readonly, bool)
MR_SETTER(memory_region_set_nonvolatile, nonvolatile, bool)
MR_SETTER(memory_region_set_alias_offset, alias_offset, hwaddr)

void memory_region_set_address(MemoryRegion *mr, hwaddr addr)
{
    MemoryRegion *container = mr->container;

    if (addr == mr->addr || !container) {
        mr->addr = addr;
        return;
    }
    memory_region_transaction_begin();
    memory_region_ref(mr);
    memory_region_del_subregion(container, mr);
    mr->addr = addr;
    mr->container = container;
    memory_region_update_container_subregions(mr);
    memory_region_unref(mr);
    memory_region_transaction_commit();
}

/* --------------------------------------------------------------- queries */

const char *memory_region_name(const MemoryRegion *mr)
{
    return mr->name ? mr->name : "";
}

uint64_t memory_region_size(const MemoryRegion *mr)
{
    return mr->size >= int128_2_64() ? UINT64_MAX : int128_get64(mr->size);
}

bool memory_region_is_ram(const MemoryRegion *mr)
{
    return mr->ram;
}

bool memory_region_is_ram_device(const MemoryRegion *mr)
{
    return mr->ram_device;
}

bool memory_region_is_rom(const MemoryRegion *mr)
{
    return mr->ram && mr->readonly;
}

bool memory_region_is_nonvolatile(const MemoryRegion *mr)
{
    return mr->nonvolatile;
}

bool memory_region_is_mapped(const MemoryRegion *mr)
{
    return mr->container || mr->mapped_via_alias;
}

static MemoryRegion *memory_region_resolve_alias(MemoryRegion *mr,
                                                 hwaddr *offset)
{
    while (mr->alias) {
        *offset += mr->alias_offset;
        mr = mr->alias;
    }
    return mr;
}

void *memory_region_get_ram_ptr(MemoryRegion *mr)
{
    hwaddr offset = 0;

    mr = memory_region_resolve_alias(mr, &offset);
    assert(mr->ram_block);
    return mr->ram_block->host + offset;
}

void memory_region_ram_mergeable(MemoryRegion *mr)
{
    void *host = memory_region_get_ram_ptr(mr);

    if (host && madvise(host, memory_region_size(mr), MADV_MERGEABLE) &&
        errno != EINVAL) {
        warn_report("%s: mem-merge: madvise: %s", mr->name,
                    g_strerror(errno));
    }
}

RAMBlock *memory_region_get_ram_block(MemoryRegion *mr)
{
    hwaddr offset = 0;

    return memory_region_resolve_alias(mr, &offset)->ram_block;
}

int memory_region_get_fd(MemoryRegion *mr)
{
    RAMBlock *rb = memory_region_get_ram_block(mr);

    return rb ? rb->fd : -1;
}

void memory_region_set_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size)
{
    assert(mr->ram_block);
    ram_block_dirty_set(mr->ram_block, addr, size);
}

bool memory_region_get_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size,
                             unsigned client)
{
    assert(mr->ram_block);
    return ram_block_dirty_get(mr->ram_block, addr, size, client);
}

void memory_region_reset_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size,
                               unsigned client)
{
    assert(mr->ram_block);
    ram_block_dirty_reset(mr->ram_block, addr, size, client);
}

/* -------------------------------------------------------------- sections */

MemoryRegionSection *memory_region_section_new_copy(const MemoryRegionSection *s)
{
    MemoryRegionSection *copy = g_memdup2(s, sizeof(*s));

    if (copy->fv) {
        flatview_ref(copy->fv);
    }
    memory_region_ref(copy->mr);
    return copy;
}

void memory_region_section_free_copy(MemoryRegionSection *s)
{
    if (!s) {
        return;
    }
    if (s->fv) {
        flatview_unref(s->fv);
    }
    memory_region_unref(s->mr);
    g_free(s);
}

bool memory_region_section_intersect_range(MemoryRegionSection *s,
                                           uint64_t offset, uint64_t size)
{
    Int128 start = int128_max((Int128)s->offset_within_region, (Int128)offset);
    Int128 end = int128_min((Int128)s->offset_within_region + s->size,
                            (Int128)offset + size);

    if (end <= start) {
        return false;
    }
    s->offset_within_address_space += (uint64_t)(start -
                                                 s->offset_within_region);
    s->offset_within_region = (uint64_t)start;
    s->size = end - start;
    return true;
}

/* ------------------------------------------------------------- flat views */

static FlatView *flatview_new(MemoryRegion *root)
{
    FlatView *fv = g_new0(FlatView, 1);

    fv->ref = 1;
    fv->root = root;
    return fv;
}

void flatview_ref(FlatView *fv)
{
    fv->ref++;
}

void flatview_unref(FlatView *fv)
{
    if (fv && --fv->ref == 0) {
        for (unsigned i = 0; i < fv->nr; i++) {
            memory_region_unref(fv->ranges[i].mr);
        }
        g_free(fv->ranges);
        g_free(fv);
    }
}

static void flatview_insert(FlatView *fv, unsigned pos, const FlatRange *fr)
{
    if (fv->nr == fv->nr_allocated) {
        fv->nr_allocated = MAX(16, fv->nr_allocated * 2);
        fv->ranges = g_renew(FlatRange, fv->ranges, fv->nr_allocated);
    }
    memmove(&fv->ranges[pos + 1], &fv->ranges[pos],
            (fv->nr - pos) * sizeof(FlatRange));
    fv->ranges[pos] = *fr;
    memory_region_ref(fr->mr);
    fv->nr++;
}

static Int128 flatrange_end(const FlatRange *fr)
{
    return fr->start + fr->size;
}

/*
 * Render @mr, placed at @base (the address its container's offset 0 has)
 * into @fv, restricted to [@clip_start, @clip_end).
 */
static void render_region(FlatView *fv, MemoryRegion *mr, Int128 base,
                          Int128 clip_start, Int128 clip_end, bool readonly,
                          bool nonvolatile)
{
    MemoryRegion *sub;
    Int128 start, end, pos;
    hwaddr offset_in_region;
    FlatRange fr;
    unsigned i;

    if (!mr->enabled) {
        return;
    }
    base += mr->addr;
    readonly |= mr->readonly;
    nonvolatile |= mr->nonvolatile;
    start = int128_max(base, clip_start);
    end = int128_min(base + mr->size, clip_end);
    if (end <= start) {
        return;
    }
    if (mr->alias) {
        /* The target's offset @alias_offset appears at @base. */
        render_region(fv, mr->alias, base - mr->alias->addr - mr->alias_offset,
                      start, end, readonly, nonvolatile);
        return;
    }
    QTAILQ_FOREACH(sub, &mr->subregions, subregions_link) {
        render_region(fv, sub, base, start, end, readonly, nonvolatile);
    }
    if (!mr->terminates) {
        return;
    }

    /* Fill the gaps in [start, end) that earlier renders left open. */
    fr.mr = mr;
    fr.readonly = readonly;
    fr.nonvolatile = nonvolatile;
    pos = start;
    offset_in_region = (hwaddr)(start - base);
    for (i = 0; i < fv->nr && pos < end; i++) {
        FlatRange *cur = &fv->ranges[i];
        Int128 step;

        if (pos >= flatrange_end(cur)) {
            continue;
        }
        if (pos < cur->start) {
            step = int128_min(end, cur->start) - pos;
            fr.start = pos;
            fr.size = step;
            fr.offset_in_region = offset_in_region;
            flatview_insert(fv, i, &fr);
            i++;
            cur = &fv->ranges[i];
            pos += step;
            offset_in_region += (hwaddr)step;
        }
        /* Skip what @cur already covers. */
        step = int128_min(end, flatrange_end(cur)) - pos;
        if (step > 0) {
            pos += step;
            offset_in_region += (hwaddr)step;
        }
    }
    if (pos < end) {
        fr.start = pos;
        fr.size = end - pos;
        fr.offset_in_region = offset_in_region;
        flatview_insert(fv, i, &fr);
    }
}

static bool flatrange_can_merge(const FlatRange *a, const FlatRange *b)
{
    return a->mr == b->mr && flatrange_end(a) == b->start &&
           a->offset_in_region + (hwaddr)a->size == b->offset_in_region &&
           a->readonly == b->readonly && a->nonvolatile == b->nonvolatile;
}

static void flatview_simplify(FlatView *fv)
{
    unsigned i = 0, j, k;

    while (i < fv->nr) {
        j = i + 1;
        while (j < fv->nr && flatrange_can_merge(&fv->ranges[j - 1],
                                                 &fv->ranges[j])) {
            fv->ranges[i].size += fv->ranges[j].size;
            j++;
        }
        i++;
        for (k = i; k < j; k++) {
            memory_region_unref(fv->ranges[k].mr);
        }
        memmove(&fv->ranges[i], &fv->ranges[j],
                (fv->nr - j) * sizeof(FlatRange));
        fv->nr -= j - i;
    }
}

static FlatView *generate_flatview(MemoryRegion *root)
{
    FlatView *fv = flatview_new(root);

    if (root) {
        render_region(fv, root, 0, 0, int128_2_64(), false, false);
    }
    flatview_simplify(fv);
    return fv;
}

FlatRange *flatview_lookup(FlatView *fv, hwaddr addr, Int128 *next_start)
{
    unsigned lo = 0, hi = fv->nr;

    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        FlatRange *fr = &fv->ranges[mid];

        if ((Int128)addr < fr->start) {
            hi = mid;
        } else if ((Int128)addr >= flatrange_end(fr)) {
            lo = mid + 1;
        } else {
            return fr;
        }
    }
    if (next_start) {
        *next_start = lo < fv->nr ? fv->ranges[lo].start : int128_2_64();
    }
    return NULL;
}

MemoryRegionSection flatview_section(FlatView *fv, const FlatRange *fr)
{
    return (MemoryRegionSection) {
        .size = fr->size,
        .mr = fr->mr,
        .fv = fv,
        .offset_within_region = fr->offset_in_region,
        .offset_within_address_space = (hwaddr)fr->start,
        .readonly = fr->readonly,
        .nonvolatile = fr->nonvolatile,
    };
}

void flatview_for_each_range(AddressSpace *as, FlatviewIterate cb,
                             void *opaque)
{
    FlatView *fv = as->current_map;

    flatview_ref(fv);
    for (unsigned i = 0; i < fv->nr; i++) {
        MemoryRegionSection s = flatview_section(fv, &fv->ranges[i]);

        if (cb(&s, opaque)) {
            break;
        }
    }
    flatview_unref(fv);
}

/* -------------------------------------------------------------- listeners */

static bool flatrange_equal(const FlatRange *a, const FlatRange *b)
{
    return a->mr == b->mr && a->start == b->start && a->size == b->size &&
           a->offset_in_region == b->offset_in_region &&
           a->readonly == b->readonly && a->nonvolatile == b->nonvolatile;
}

typedef enum { LISTENER_ADD, LISTENER_DEL, LISTENER_NOP } ListenerOp;

static void listener_call(MemoryListener *l, ListenerOp op,
                          MemoryRegionSection *s)
{
    switch (op) {
    case LISTENER_ADD:
        if (l->region_add) {
            l->region_add(l, s);
        }
        break;
    case LISTENER_DEL:
        if (l->region_del) {
            l->region_del(l, s);
        }
        break;
    case LISTENER_NOP:
        if (l->region_nop) {
            l->region_nop(l, s);
        }
        break;
    }
}

static void as_listeners_call(AddressSpace *as, FlatView *fv,
                              const FlatRange *fr, ListenerOp op)
{
    MemoryRegionSection s = flatview_section(fv, fr);
    MemoryListener *l;

    if (op == LISTENER_DEL) {
        QTAILQ_FOREACH_REVERSE(l, &as->listeners, link_as) {
            listener_call(l, op, &s);
        }
    } else {
        QTAILQ_FOREACH(l, &as->listeners, link_as) {
            listener_call(l, op, &s);
        }
    }
}

static void update_topology_pass(AddressSpace *as, FlatView *old,
                                 FlatView *new, bool adding)
{
    unsigned iold = 0, inew = 0;

    while (iold < old->nr || inew < new->nr) {
        FlatRange *frold = iold < old->nr ? &old->ranges[iold] : NULL;
        FlatRange *frnew = inew < new->nr ? &new->ranges[inew] : NULL;

        if (frold && frnew && flatrange_equal(frold, frnew)) {
            if (adding) {
                as_listeners_call(as, new, frnew, LISTENER_NOP);
            }
            iold++;
            inew++;
        } else if (frold && (!frnew || frold->start <= frnew->start)) {
            if (!adding) {
                as_listeners_call(as, old, frold, LISTENER_DEL);
            }
            iold++;
        } else {
            if (adding) {
                as_listeners_call(as, new, frnew, LISTENER_ADD);
            }
            inew++;
        }
    }
}

static void address_space_update_topology(AddressSpace *as)
{
    FlatView *old = as->current_map;
    FlatView *new = generate_flatview(as->root);

    update_topology_pass(as, old, new, false);
    update_topology_pass(as, old, new, true);
    as->current_map = new;
    flatview_unref(old);
}

void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name)
{
    memory_region_ref(root);
    as->root = root;
    as->name = g_strdup(name);
    as->current_map = generate_flatview(root);
    QTAILQ_INIT(&as->listeners);
    QTAILQ_INSERT_TAIL(&address_spaces, as, address_spaces_link);
}

void address_space_destroy(AddressSpace *as)
{
    MemoryListener *l, *next;

    QTAILQ_FOREACH_SAFE(l, &as->listeners, link_as, next) {
        memory_listener_unregister(l);
    }
    QTAILQ_REMOVE(&address_spaces, as, address_spaces_link);
    flatview_unref(as->current_map);
    as->current_map = NULL;
    memory_region_unref(as->root);
    g_clear_pointer(&as->name, g_free);
}

static void listener_replay(MemoryListener *l, AddressSpace *as,
                            ListenerOp op)
{
    FlatView *fv = as->current_map;

    if (l->begin) {
        l->begin(l);
    }
    for (unsigned i = 0; i < fv->nr; i++) {
        MemoryRegionSection s = flatview_section(fv, &fv->ranges[i]);

        listener_call(l, op, &s);
    }
    if (l->commit) {
        l->commit(l);
    }
}

void memory_listener_register(MemoryListener *listener, AddressSpace *as)
{
    MemoryListener *other;

    listener->address_space = as;
    QTAILQ_FOREACH(other, &memory_listeners, link) {
        if (listener->priority < other->priority) {
            QTAILQ_INSERT_BEFORE(other, listener, link);
            goto global_done;
        }
    }
    QTAILQ_INSERT_TAIL(&memory_listeners, listener, link);
global_done:
    QTAILQ_FOREACH(other, &as->listeners, link_as) {
        if (listener->priority < other->priority) {
            QTAILQ_INSERT_BEFORE(other, listener, link_as);
            goto as_done;
        }
    }
    QTAILQ_INSERT_TAIL(&as->listeners, listener, link_as);
as_done:
    listener_replay(listener, as, LISTENER_ADD);
}

void memory_listener_unregister(MemoryListener *listener)
{
    AddressSpace *as = listener->address_space;

    if (!as) {
        return;
    }
    listener_replay(listener, as, LISTENER_DEL);
    QTAILQ_REMOVE(&memory_listeners, listener, link);
    QTAILQ_REMOVE(&as->listeners, listener, link_as);
    listener->address_space = NULL;
}

MemoryRegionSection memory_region_find(MemoryRegion *mr, hwaddr addr,
                                       uint64_t size)
{
    MemoryRegionSection ret = { 0 };
    AddressSpace *as;
    FlatRange *fr;

    QTAILQ_FOREACH(as, &address_spaces, address_spaces_link) {
        if (as->root == mr) {
            break;
        }
    }
    if (!as || !(fr = flatview_lookup(as->current_map, addr, NULL))) {
        return ret;
    }
    ret = flatview_section(as->current_map, fr);
    ret.offset_within_region += addr - ret.offset_within_address_space;
    ret.size -= addr - ret.offset_within_address_space;
    ret.offset_within_address_space = addr;
    ret.size = int128_min(ret.size, (Int128)size);
    ret.fv = NULL;
    memory_region_ref(ret.mr);
    return ret;
}

/* ------------------------------------------------------ discard managers */

/*
 * Number of ram_discard_freeze() calls not yet thawed.  Changed on the
 * main loop thread only; read from any thread (atomically, so a dump
 * worker or a test thread may ask).
 */
static unsigned discard_freeze_count;

void ram_discard_freeze(void)
{
    unsigned n = __atomic_add_fetch(&discard_freeze_count, 1,
                                    __ATOMIC_SEQ_CST);

    assert(n > 0);
    trace_event("ram_discard_freeze", "count=%u", n);
}

void ram_discard_thaw(void)
{
    unsigned n = __atomic_load_n(&discard_freeze_count, __ATOMIC_SEQ_CST);

    assert(n > 0);
    __atomic_store_n(&discard_freeze_count, n - 1, __ATOMIC_SEQ_CST);
    trace_event("ram_discard_thaw", "count=%u", n - 1);
}

bool ram_discard_frozen(void)
{
    return __atomic_load_n(&discard_freeze_count, __ATOMIC_SEQ_CST) != 0;
}

uint64_t ram_discard_manager_get_min_granularity(const RamDiscardManager *rdm,
                                                 const MemoryRegion *mr)
{
    assert(rdm->ops->get_min_granularity);
    return rdm->ops->get_min_granularity(rdm, mr);
}

bool ram_discard_manager_is_populated(const RamDiscardManager *rdm,
                                      const MemoryRegionSection *section)
{
    assert(rdm->ops->is_populated);
    return rdm->ops->is_populated(rdm, section);
}

int ram_discard_manager_replay_populated(const RamDiscardManager *rdm,
                                         MemoryRegionSection *section,
                                         ReplayRamDiscardState fn,
                                         void *opaque)
{
    assert(rdm->ops->replay_populated);
    return rdm->ops->replay_populated(rdm, section, fn, opaque);
}

int ram_discard_manager_replay_discarded(const RamDiscardManager *rdm,
                                         MemoryRegionSection *section,
                                         ReplayRamDiscardState fn,
                                         void *opaque)
{
    assert(rdm->ops->replay_discarded);
    return rdm->ops->replay_discarded(rdm, section, fn, opaque);
}

void ram_discard_manager_register_listener(RamDiscardManager *rdm,
                                           RamDiscardListener *rdl,
                                           MemoryRegionSection *section)
{
    assert(rdm->ops->register_listener);
    rdm->ops->register_listener(rdm, rdl, section);
}

void ram_discard_manager_unregister_listener(RamDiscardManager *rdm,
                                             RamDiscardListener *rdl)
{
    assert(rdm->ops->unregister_listener);
    rdm->ops->unregister_listener(rdm, rdl);
}

RamDiscardManager *memory_region_get_ram_discard_manager(MemoryRegion *mr)
{
    if (!memory_region_is_ram(mr) || !memory_region_is_mapped(mr)) {
        return NULL;
    }
    return mr->rdm;
}

void memory_region_set_ram_discard_manager(MemoryRegion *mr,
                                           RamDiscardManager *rdm)
{
    assert(memory_region_is_ram(mr));
    assert(!memory_region_is_mapped(mr));
    assert(!rdm || !mr->rdm || mr->rdm == rdm);
    mr->rdm = rdm;
}

/* For memory-mtree.c: iterate the address spaces. */
AddressSpace *memory_address_space_next(AddressSpace *as);
AddressSpace *memory_address_space_next(AddressSpace *as)
{
    return as ? QTAILQ_NEXT(as, address_spaces_link)
              : QTAILQ_FIRST(&address_spaces);
}
