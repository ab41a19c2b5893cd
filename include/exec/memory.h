/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memory.h: the memory API.  MemoryRegions form a tree; an AddressSpace
 * renders the tree below its root into a FlatView (a sorted array of
 * non-overlapping ranges, each backed by one terminal region) at the end of
 * every transaction; MemoryListeners hear which ranges appeared and
 * disappeared; address_space_read/write dispatch accesses to RAM or MMIO.
 *
 * The model is QEMU's (docs/devel/memory.rst in this tree has our version,
 * with a worked example):
 *  - a region is RAM (host memory, possibly read-only ROM or a "ram_device"
 *    whose reads may have side effects), MMIO (read/write callbacks), a
 *    container (holds subregions, may have no content of its own) or an
 *    alias (a window onto part of another region);
 *  - a subregion lies at an offset in its container; where subregions
 *    overlap, the higher priority wins, and among equal priorities the one
 *    added last wins; the container's own content (if any) shows through
 *    where no subregion covers it;
 *  - a region may carry a RamDiscardManager that knows which parts of it
 *    are populated (virtio-mem); the FlatView always holds the whole region,
 *    and users that must not touch discarded parts ask the manager.
 *
 * Sizes: a region's size is an Int128 so that a container spanning the
 * whole 64-bit space (size 2^64) is representable; the init functions take
 * uint64_t and treat UINT64_MAX as 2^64, as QEMU does.  Every "end" below
 * is exclusive.
 *
 * Threads: the tree, FlatViews and listeners belong to the main loop
 * thread.  Other threads (the dump writer) may read guest RAM through host
 * pointers they obtained on the main thread and through
 * ram_discard_manager_* calls, while the VM is stopped.
 */
#ifndef EXEC_MEMORY_H
#define EXEC_MEMORY_H

#include "exec/hwaddr.h"
#include "qemu/int128.h"
#include "qemu/queue.h"

/* ---------------------------------------------------------------- results */

/* Bits of a memory transaction's result; MEMTX_OK is 0. */
typedef unsigned MemTxResult;
#define MEMTX_OK            0
#define MEMTX_ERROR         (1U << 0)   /* device returned an error */
#define MEMTX_DECODE_ERROR  (1U << 1)   /* nothing at that address */
#define MEMTX_ACCESS_DENIED (1U << 2)   /* e.g. a discarded virtio-mem block */

/* ---------------------------------------------------------------- regions */

/**
 * struct MemoryRegionOps: callbacks of an MMIO region.
 * @read: return the value of @size bytes at offset @addr of the region.
 * @write: store @data (@size bytes) at offset @addr.
 * @valid: accesses the device accepts; others read as 0 / are dropped and
 *         answer MEMTX_DECODE_ERROR.  Sizes default to 1..4 bytes.
 * @impl: access sizes the callbacks implement (default: @valid's); larger
 *        accesses are split, smaller ones are widened (reads only; a
 *        narrower write to a wider-only implementation is refused).
 *
 * Values are little-endian (every device here is).
 */
struct MemoryRegionOps {
    uint64_t (*read)(void *opaque, hwaddr addr, unsigned size);
    void (*write)(void *opaque, hwaddr addr, uint64_t data, unsigned size);
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
        bool unaligned;
    } valid;
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
    } impl;
};

/**
 * struct MemoryRegion: a node of the memory tree.  Embedded in its owner;
 * initialise with one memory_region_init_*() and destroy with
 * memory_region_destroy() (or let the owner's finalize do it).
 *
 * Only the memory core writes these fields; users call the accessors.
 */
struct MemoryRegion {
    Object *owner;          /* refcounted on behalf of the region, or NULL */
    char *name;
    Int128 size;
    hwaddr addr;            /* offset within container */
    int32_t priority;
    bool enabled;
    bool terminates;        /* has content of its own (RAM or MMIO) */
    bool ram;               /* backed by a RAMBlock */
    bool ram_device;        /* RAM whose accesses may have side effects */
    bool readonly;          /* ROM: guest writes are ignored */
    bool nonvolatile;       /* persistent memory (pmem=on) */
    bool may_overlap;       /* added with memory_region_add_subregion_overlap */
    RAMBlock *ram_block;
    const MemoryRegionOps *ops;
    void *opaque;
    MemoryRegion *container;
    MemoryRegion *alias;
    hwaddr alias_offset;
    unsigned mapped_via_alias;  /* number of mapped aliases pointing here */
    RamDiscardManager *rdm;     /* only for RAM */
    QTAILQ_HEAD(, MemoryRegion) subregions;
    QTAILQ_ENTRY(MemoryRegion) subregions_link;
};

/**
 * struct MemoryRegionSection: a part of a region as seen at some place of
 * an address space.
 * @size: bytes.
 * @mr: the (terminal) region; aliases are already resolved.
 * @fv: the FlatView it came from (NULL for sections built by hand).
 * @offset_within_region: start of the section within @mr.
 * @offset_within_address_space: guest-physical start.
 * @readonly, @nonvolatile: attributes accumulated along the path from the
 *                          root (an alias or container can add them).
 */
struct MemoryRegionSection {
    Int128 size;
    MemoryRegion *mr;
    FlatView *fv;
    hwaddr offset_within_region;
    hwaddr offset_within_address_space;
    bool readonly;
    bool nonvolatile;
};

/**
 * memory_region_section_new_copy: a heap copy of @s holding a reference on
 * its region.  Release with memory_region_section_free_copy().
 */
MemoryRegionSection *memory_region_section_new_copy(const MemoryRegionSection *s);
void memory_region_section_free_copy(MemoryRegionSection *s);

/**
 * memory_region_section_intersect_range: clip @s to [@offset, @offset +
 * @size) of its region.
 * Returns: false (and leaves @s alone) if they do not intersect.
 */
bool memory_region_section_intersect_range(MemoryRegionSection *s,
                                           uint64_t offset, uint64_t size);

/** memory_region_init: a container (no content of its own). */
void memory_region_init(MemoryRegion *mr, Object *owner, const char *name,
                        uint64_t size);
/** memory_region_init_io: an MMIO region. */
void memory_region_init_io(MemoryRegion *mr, Object *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size);
/**
 * memory_region_init_ram_flags: RAM backed by anonymous memory.
 * @ram_flags: RAM_SHARED (MAP_SHARED), RAM_NORESERVE (MAP_NORESERVE).
 * Errors: the mmap failure, with the size asked for.
 */
bool memory_region_init_ram_flags(MemoryRegion *mr, Object *owner,
                                  const char *name, uint64_t size,
                                  uint32_t ram_flags, Error **errp);
/** memory_region_init_ram: private anonymous RAM (NORESERVE). */
bool memory_region_init_ram(MemoryRegion *mr, Object *owner,
                            const char *name, uint64_t size, Error **errp);
/**
 * memory_region_ram_mergeable: offer @mr's RAM to the host's same-page
 * merging (KSM, MADV_MERGEABLE), as -machine mem-merge=on and a
 * backend's merge=on ask.  Only private anonymous memory is merged; the
 * kernel takes the advice for shared and hugetlb memory and leaves them
 * alone.  A hint, as in QEMU: a kernel without KSM (EINVAL) runs the
 * guest the same; other failures are warned about.
 */
void memory_region_ram_mergeable(MemoryRegion *mr);
/**
 * memory_region_init_ram_from_fd: RAM mapped from @fd at @offset.
 * The region's RAMBlock takes ownership of @fd on success.
 * @ram_flags: RAM_SHARED, RAM_NORESERVE, RAM_PMEM, RAM_READONLY_FD.
 */
bool memory_region_init_ram_from_fd(MemoryRegion *mr, Object *owner,
                                    const char *name, uint64_t size,
                                    uint32_t ram_flags, int fd, off_t offset,
                                    Error **errp);
/**
 * memory_region_init_ram_ptr: RAM over caller-provided host memory, which
 * the caller frees after memory_region_destroy().
 */
void memory_region_init_ram_ptr(MemoryRegion *mr, Object *owner,
                                const char *name, uint64_t size, void *ptr);
/**
 * memory_region_init_ram_device_ptr: as memory_region_init_ram_ptr() but
 * flagged ram_device: guest_phys_blocks, dumps and memory clearing skip it
 * (reads may have side effects in general; the TPM PPI buffer uses it).
 */
void memory_region_init_ram_device_ptr(MemoryRegion *mr, Object *owner,
                                       const char *name, uint64_t size,
                                       void *ptr);
/** memory_region_init_rom: read-only (for the guest) anonymous RAM. */
bool memory_region_init_rom(MemoryRegion *mr, Object *owner, const char *name,
                            uint64_t size, Error **errp);
/**
 * memory_region_init_alias: a window of @size bytes onto @orig starting at
 * @offset within it.
 */
void memory_region_init_alias(MemoryRegion *mr, Object *owner,
                              const char *name, MemoryRegion *orig,
                              hwaddr offset, uint64_t size);

/**
 * memory_region_destroy: undo memory_region_init_*().  The region must not
 * be mapped and must have no subregions; RAM is unmapped and its fd closed.
 */
void memory_region_destroy(MemoryRegion *mr);

/**
 * memory_region_ref / memory_region_unref: keep the region's owner alive
 * (no-op for regions without owner, which live as long as the machine).
 */
void memory_region_ref(MemoryRegion *mr);
void memory_region_unref(MemoryRegion *mr);

/**
 * memory_region_add_subregion: map @subregion at @offset in @mr, with
 * priority 0 and no overlap expected.
 */
void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset,
                                 MemoryRegion *subregion);
/** memory_region_add_subregion_overlap: as above, at @priority. */
void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
                                         MemoryRegion *subregion,
                                         int priority);
/** memory_region_del_subregion: unmap @subregion from @mr. */
void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *subregion);

void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
void memory_region_set_readonly(MemoryRegion *mr, bool readonly);
void memory_region_set_nonvolatile(MemoryRegion *mr, bool nonvolatile);
/** memory_region_set_address: move @mr within its container. */
void memory_region_set_address(MemoryRegion *mr, hwaddr addr);
void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset);

const char *memory_region_name(const MemoryRegion *mr);
/** memory_region_size: size in bytes; UINT64_MAX for a 2^64 region. */
uint64_t memory_region_size(const MemoryRegion *mr);
bool memory_region_is_ram(const MemoryRegion *mr);
bool memory_region_is_ram_device(const MemoryRegion *mr);
bool memory_region_is_rom(const MemoryRegion *mr);
bool memory_region_is_nonvolatile(const MemoryRegion *mr);
/** memory_region_is_mapped: in a container, or the target of a mapped alias. */
bool memory_region_is_mapped(const MemoryRegion *mr);

/**
 * memory_region_get_ram_ptr: host address of offset 0 of @mr, following
 * aliases.  @mr must be (an alias of) RAM.  Borrowed: valid while the
 * region exists.
 */
void *memory_region_get_ram_ptr(MemoryRegion *mr);
/** memory_region_get_ram_block: the RAMBlock behind @mr (aliases followed). */
RAMBlock *memory_region_get_ram_block(MemoryRegion *mr);
/** memory_region_get_fd: the fd behind @mr's RAM, or -1. */
int memory_region_get_fd(MemoryRegion *mr);

/* Dirty memory clients, as QEMU's DIRTY_MEMORY_*. */
#define DIRTY_MEMORY_VGA       0
#define DIRTY_MEMORY_CODE      1
#define DIRTY_MEMORY_MIGRATION 2
#define DIRTY_MEMORY_NUM       3

/**
 * memory_region_set_dirty: mark [@addr, @addr + @size) of @mr dirty for
 * every client.  @addr is an offset within @mr (not a guest address);
 * @mr must be RAM.  Pages are TARGET_PAGE_SIZE; partial pages count.
 */
void memory_region_set_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size);
/** memory_region_get_dirty: true if any page of the range is dirty. */
bool memory_region_get_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size,
                             unsigned client);
/** memory_region_reset_dirty: clear the range for @client. */
void memory_region_reset_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size,
                               unsigned client);

/**
 * memory_region_transaction_begin / _commit: batch topology changes; the
 * FlatViews are re-rendered and listeners told once, when the outermost
 * transaction commits.  Every mapping change above runs in its own
 * transaction, so batching is only an optimisation.
 */
void memory_region_transaction_begin(void);
void memory_region_transaction_commit(void);

/**
 * memory_region_find: the part of the region tree that @addr..+@size
 * resolves to below @mr (which must be an address space root).  The
 * section's mr is NULL if nothing is mapped at @addr; otherwise a reference
 * is held: release with memory_region_unref(section.mr).
 */
MemoryRegionSection memory_region_find(MemoryRegion *mr, hwaddr addr,
                                       uint64_t size);

/* ------------------------------------------------------- discard managers */

/**
 * ReplayRamDiscardState: called for each populated (or discarded) part of
 * a section during replay.
 * Returns: 0 to continue, non-zero to stop the replay (which returns it).
 */
typedef int (*ReplayRamDiscardState)(MemoryRegionSection *section,
                                     void *opaque);

/**
 * struct RamDiscardListener: told when parts of a registered section are
 * about to be populated or were discarded.  Owned by the registrant.
 *
 * @notify_populate: the range is about to be populated.  Returning
 *   non-zero (a negative errno, e.g. -ENOMEM) vetoes it: the manager then
 *   sends notify_discard to the listeners it already told, and the
 *   populate fails.  Called in the manager's granularity, clipped to the
 *   registered section.
 * @notify_discard: the range was discarded; drop anything that refers to
 *   it.  Cannot fail.
 * @notify_discard_all: optional; everything populated in the registered
 *   section was discarded (unplug-all).  Without it the manager sends
 *   notify_discard for the whole section if @double_discard_supported, else
 *   one per populated run.
 * @double_discard_supported: notify_discard may cover already-discarded
 *   parts.
 * @section: the registered section (a copy owned by the manager).
 */
struct RamDiscardListener {
    int (*notify_populate)(RamDiscardListener *rdl,
                           MemoryRegionSection *section);
    void (*notify_discard)(RamDiscardListener *rdl,
                           MemoryRegionSection *section);
    void (*notify_discard_all)(RamDiscardListener *rdl);
    bool double_discard_supported;
    MemoryRegionSection *section;
    QLIST_ENTRY(RamDiscardListener) next;
};

static inline void ram_discard_listener_init(
    RamDiscardListener *rdl,
    int (*populate)(RamDiscardListener *, MemoryRegionSection *),
    void (*discard)(RamDiscardListener *, MemoryRegionSection *),
    bool double_discard_supported)
{
    memset(rdl, 0, sizeof(*rdl));
    rdl->notify_populate = populate;
    rdl->notify_discard = discard;
    rdl->double_discard_supported = double_discard_supported;
}

/**
 * struct RamDiscardManagerOps: what a manager (virtio-mem) implements.
 * All offsets are within the managed region; every section passed in
 * belongs to that region.  Mandatory: every member.
 *
 * @get_min_granularity: size and alignment of the units it populates and
 *   discards (virtio-mem: the block size); a power of two.
 * @is_populated: true if every byte of @section is populated.  No
 *   alignment requirement.
 * @replay_populated: call @fn once per maximal populated run intersected
 *   with @section, in increasing address order; stop at the first non-zero
 *   return and propagate it.  Cost grows with the number of runs, not with
 *   the section size.
 * @replay_discarded: the same for discarded runs.
 * @register_listener: register @rdl for @section and immediately send it
 *   notify_populate for every populated part.
 * @unregister_listener: send notify_discard for the populated parts (or
 *   notify_discard_all), then forget @rdl.
 *
 * A manager changes its populated/discarded state only while
 * ram_discard_frozen() is false (see "discard freeze" below).
 */
typedef struct RamDiscardManagerOps {
    uint64_t (*get_min_granularity)(const RamDiscardManager *rdm,
                                    const MemoryRegion *mr);
    bool (*is_populated)(const RamDiscardManager *rdm,
                         const MemoryRegionSection *section);
    int (*replay_populated)(const RamDiscardManager *rdm,
                            MemoryRegionSection *section,
                            ReplayRamDiscardState fn, void *opaque);
    int (*replay_discarded)(const RamDiscardManager *rdm,
                            MemoryRegionSection *section,
                            ReplayRamDiscardState fn, void *opaque);
    void (*register_listener)(RamDiscardManager *rdm,
                              RamDiscardListener *rdl,
                              MemoryRegionSection *section);
    void (*unregister_listener)(RamDiscardManager *rdm,
                                RamDiscardListener *rdl);
} RamDiscardManagerOps;

/**
 * struct RamDiscardManager: the interface handle, embedded in its
 * implementer (container_of gets back to it).
 */
struct RamDiscardManager {
    const RamDiscardManagerOps *ops;
};

uint64_t ram_discard_manager_get_min_granularity(const RamDiscardManager *rdm,
                                                 const MemoryRegion *mr);
bool ram_discard_manager_is_populated(const RamDiscardManager *rdm,
                                      const MemoryRegionSection *section);
int ram_discard_manager_replay_populated(const RamDiscardManager *rdm,
                                         MemoryRegionSection *section,
                                         ReplayRamDiscardState fn,
                                         void *opaque);
int ram_discard_manager_replay_discarded(const RamDiscardManager *rdm,
                                         MemoryRegionSection *section,
                                         ReplayRamDiscardState fn,
                                         void *opaque);
void ram_discard_manager_register_listener(RamDiscardManager *rdm,
                                           RamDiscardListener *rdl,
                                           MemoryRegionSection *section);
void ram_discard_manager_unregister_listener(RamDiscardManager *rdm,
                                             RamDiscardListener *rdl);

/**
 * DOC: discard freeze
 *
 * A user that takes a picture of which parts of RAM are populated (the
 * dump builds its block list from replay_populated, then reads the
 * blocks, possibly on other threads, for as long as the destination
 * takes) needs that picture to stay true until it is done.  It holds a
 * freeze for that time:
 *
 *   ram_discard_freeze();  ... build the list, read the blocks ...
 *   ram_discard_thaw();
 *
 * Freezes nest (a count).  While the count is non-zero every
 * RamDiscardManager keeps its populated/discarded state as it is: it
 * refuses requests that would populate or discard (virtio-mem answers
 * PLUG, UNPLUG and UNPLUG_ALL with VIRTIO_MEM_RESP_BUSY, which Linux's
 * driver retries later) and defers nothing.  Queries, replays and
 * listener registration keep working.  The count lives here, in the
 * memory core, so that any manager and any user get it, not as a
 * dump-to-device call; managers ask ram_discard_frozen() before they
 * touch host memory (ram_discard_bitmap_populate/_discard assert it).
 *
 * Context: freeze and thaw on the main loop thread (where managers serve
 * requests, so a request never sees the count change under it);
 * ram_discard_frozen() from any thread.
 */

/**
 * ram_discard_freeze: hold the populated/discarded state of every
 * RamDiscardManager as it is now, until the matching ram_discard_thaw().
 * Nests.
 *
 * Context: main loop thread.
 */
void ram_discard_freeze(void);

/**
 * ram_discard_thaw: release one ram_discard_freeze(); managers may change
 * state again when the last one is released.  Thawing more often than
 * freezing is a caller bug (asserted).
 *
 * Context: main loop thread.
 */
void ram_discard_thaw(void);

/**
 * ram_discard_frozen: whether any freeze is held.
 *
 * Context: any thread.
 * Returns: true while at least one ram_discard_freeze() is not thawed.
 */
bool ram_discard_frozen(void);

/**
 * memory_region_get_ram_discard_manager: the manager of @mr, or NULL if
 * it has none, is not RAM, or is not mapped.
 */
RamDiscardManager *memory_region_get_ram_discard_manager(MemoryRegion *mr);
static inline bool memory_region_has_ram_discard_manager(MemoryRegion *mr)
{
    return memory_region_get_ram_discard_manager(mr) != NULL;
}
/**
 * memory_region_set_ram_discard_manager: attach @rdm (or detach with NULL).
 * @mr must be RAM and not mapped; replacing one manager by another is a
 * caller bug.
 */
void memory_region_set_ram_discard_manager(MemoryRegion *mr,
                                           RamDiscardManager *rdm);

/* --------------------------------------------------------- address spaces */

/**
 * struct MemoryListener: hears about the ranges of one address space.
 * Callbacks are optional.  On registration, begin / region_add for every
 * current range (in increasing address order) / commit are replayed; on
 * unregistration, begin / region_del for every range / commit.  At each
 * topology change: begin on every listener, then per address space the
 * removed ranges (region_del, listeners in decreasing priority), the added
 * and unchanged ones (region_add / region_nop, increasing priority), then
 * commit on every listener.
 * @priority: order among listeners (lower first for adds).
 * @name: for debugging.
 */
struct MemoryListener {
    void (*begin)(MemoryListener *listener);
    void (*commit)(MemoryListener *listener);
    void (*region_add)(MemoryListener *listener, MemoryRegionSection *section);
    void (*region_del)(MemoryListener *listener, MemoryRegionSection *section);
    void (*region_nop)(MemoryListener *listener, MemoryRegionSection *section);
    unsigned priority;
    const char *name;
    AddressSpace *address_space;
    QTAILQ_ENTRY(MemoryListener) link;
    QTAILQ_ENTRY(MemoryListener) link_as;
};

/**
 * struct AddressSpace: a view of a root region, with its current FlatView.
 * Embedded by its owner; init with address_space_init().
 */
struct AddressSpace {
    char *name;
    MemoryRegion *root;
    FlatView *current_map;
    QTAILQ_HEAD(, MemoryListener) listeners;
    QTAILQ_ENTRY(AddressSpace) address_spaces_link;
};

void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name);
void address_space_destroy(AddressSpace *as);

/** memory_listener_register: attach @listener to @as (replays the view). */
void memory_listener_register(MemoryListener *listener, AddressSpace *as);
/** memory_listener_unregister: detach (sends region_del for every range). */
void memory_listener_unregister(MemoryListener *listener);

/**
 * address_space_rw: copy @len bytes between @buf and guest address @addr.
 *
 * RAM is copied directly (ROM ignores writes); MMIO is split into accesses
 * the device accepts; unmapped addresses read as 0 and ignore writes
 * (MEMTX_DECODE_ERROR).  Parts of a region whose RamDiscardManager says
 * they are discarded read as 0 without touching host memory, and writes
 * to them are dropped with a guest error logged (MEMTX_ACCESS_DENIED):
 * guest or DMA access must never populate unplugged memory.
 * Writes to RAM mark the pages dirty.
 *
 * Returns: MEMTX_OK, or the OR of the failure bits of each piece.
 */
MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, void *buf,
                             hwaddr len, bool is_write);
MemTxResult address_space_read(AddressSpace *as, hwaddr addr, void *buf,
                               hwaddr len);
MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
                                const void *buf, hwaddr len);
/**
 * address_space_set: fill @len bytes at @addr with @c (same rules as
 * address_space_write).
 */
MemTxResult address_space_set(AddressSpace *as, hwaddr addr, uint8_t c,
                              hwaddr len);

/**
 * address_space_translate_ram: if [@addr, @addr + @len) lies entirely in
 * one populated RAM range of @as (not ROM if @is_write, not ram_device),
 * return its host address; else NULL.  Used by devices to validate DMA
 * targets (virtqueues) without copying.  Borrowed pointer.
 */
void *address_space_translate_ram(AddressSpace *as, hwaddr addr, hwaddr len,
                                  bool is_write);

/** flatview_for_each_range: call @cb for every range of @as's view. */
typedef bool (*FlatviewIterate)(MemoryRegionSection *section, void *opaque);
void flatview_for_each_range(AddressSpace *as, FlatviewIterate cb,
                             void *opaque);

/**
 * mtree_info: the tree below each address space root and (if @flatview)
 * the rendered views, as HMP `info mtree` prints them.
 * Returns: a new string.
 */
char *mtree_info(bool flatview);

#endif /* EXEC_MEMORY_H */
