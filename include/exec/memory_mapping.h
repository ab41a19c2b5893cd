/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memory_mapping.h: snapshots of where guest RAM is (guest_phys_blocks) and
 * of how guest-virtual addresses map onto it (MemoryMappingList).
 *
 * A GuestPhysBlockList is what every walker of guest RAM uses -- the
 * dump writer, TPM memory clearing on reset -- so that it touches exactly
 * the memory the guest can see: RAM and ROM, but not ram_device regions
 * (reads may have side effects), not persistent memory, not MMIO, and of a
 * region with a RamDiscardManager (virtio-mem) only the populated parts.
 * The list is built by a temporary MemoryListener on the address space the
 * caller names, so it is a point-in-time snapshot in increasing
 * guest-physical order.  Each block holds a reference on its region.
 *
 * A MemoryMappingList describes guest-virtual -> guest-physical ranges for
 * the ELF dump's PT_LOAD headers: either one mapping per block (the
 * "simple" list), or what the x86 page tables of the vCPUs say (paging
 * dumps).  The page-table walker reads guest memory only through a
 * GuestPhysBlockList, so it never touches unplugged memory.
 *
 * Threads: building a list runs on the main loop thread (it walks the
 * FlatView); a finished list is immutable and may be read from any thread
 * while the VM is stopped.
 *
 * Cost: building costs O(sections + populated runs) time; a block costs
 * sizeof(GuestPhysBlock) bytes plus a share of one slab header, with no
 * per-block malloc.
 */
#ifndef EXEC_MEMORY_MAPPING_H
#define EXEC_MEMORY_MAPPING_H

#include "exec/hwaddr.h"
#include "qemu/queue.h"

/**
 * struct GuestPhysBlock: one run of guest RAM that is contiguous in guest
 * physical and host virtual memory and belongs to one MemoryRegion.
 * @target_start: guest-physical start.
 * @target_end: guest-physical end (exclusive); never 0 (see below).
 * @host_addr: host address of the byte at @target_start (borrowed from
 *             the region, valid while the block holds its reference).
 * @mr: the terminal region the block lies in; the list holds one
 *      reference per block (memory_region_ref), dropped by
 *      guest_phys_blocks_free().
 * @next: list link, in increasing @target_start order.
 */
struct GuestPhysBlock {
    hwaddr target_start;
    hwaddr target_end;
    uint8_t *host_addr;
    MemoryRegion *mr;
    QTAILQ_ENTRY(GuestPhysBlock) next;
};

typedef struct GuestPhysBlockSlab GuestPhysBlockSlab;

/**
 * struct GuestPhysBlockList: the snapshot.  Walk it with
 * QTAILQ_FOREACH(block, &list->head, next).
 * @num: number of blocks.
 * @head: the blocks, sorted by @target_start, never overlapping.
 * @slabs, @nslabs: private; the storage the blocks live in, in order.
 */
struct GuestPhysBlockList {
    unsigned num;
    QTAILQ_HEAD(, GuestPhysBlock) head;
    GuestPhysBlockSlab **slabs;
    unsigned nslabs;
};

/* guest_phys_blocks_append() flags */
/*
 * Treat regions with a RamDiscardManager as fully populated, i.e. behave
 * as QEMU did before the virtio-mem series (the machine property
 * x-ignore-discard-manager=on, used for "before" benchmarks and debugging).
 */
#define GUEST_PHYS_BLOCKS_IGNORE_DISCARD_MANAGER (1u << 0)

/** guest_phys_blocks_init: an empty list. */
void guest_phys_blocks_init(GuestPhysBlockList *list);

/**
 * guest_phys_blocks_append: add the RAM of @as to @list.
 * @list: an initialised list, still empty (the snapshot is built once).
 * @as: the address space to look at (normally the machine's as_memory).
 * @flags: GUEST_PHYS_BLOCKS_*.
 *
 * Rules, as in QEMU's merged series: a FlatView range is used only if its
 * region is RAM (ROM included) and neither ram_device nor nonvolatile; of
 * a region with a RamDiscardManager only the populated parts, as replayed
 * by ram_discard_manager_replay_populated(), are added (unless @flags says
 * to ignore managers); a part extends the previous block only if it
 * continues it in guest-physical address, host address and region, else
 * it starts a new block that takes a reference on the region.  A range
 * ending at 2^64 loses its last page, so that every block end is
 * representable.
 *
 * Context: main loop thread.
 */
void guest_phys_blocks_append(GuestPhysBlockList *list, AddressSpace *as,
                              unsigned flags);

/**
 * guest_phys_blocks_free: drop every block and its region reference; the
 * list is empty (and may be reused) afterwards.
 */
void guest_phys_blocks_free(GuestPhysBlockList *list);

/**
 * guest_phys_blocks_lookup: the block holding guest-physical @addr.
 * Returns: a block of @list (borrowed), or NULL if @addr is in none.
 * Cost: O(log n): a binary search over the slabs (about n / 4096 of
 * them), then one within the slab.
 */
const GuestPhysBlock *guest_phys_blocks_lookup(const GuestPhysBlockList *list,
                                               hwaddr addr);

/**
 * guest_phys_blocks_next: the first block of @list that ends after
 * guest-physical @addr: the block holding @addr if there is one, else the
 * lowest block above @addr.
 * Returns: a block of @list (borrowed), or NULL if every block ends at or
 * below @addr.
 * Cost: O(log n), as guest_phys_blocks_lookup().
 */
const GuestPhysBlock *guest_phys_blocks_next(const GuestPhysBlockList *list,
                                             hwaddr addr);

/**
 * guest_phys_blocks_read: copy @len bytes at guest-physical @addr into
 * @buf, through the host pointers of @list's blocks only.
 * Returns: true if every byte lies in some block; false (and @buf
 * unspecified) if any byte lies outside the list -- unplugged memory,
 * MMIO or a hole is never read.
 */
bool guest_phys_blocks_read(const GuestPhysBlockList *list, hwaddr addr,
                            void *buf, size_t len);

/**
 * guest_phys_blocks_total_size: sum of block sizes intersected with
 * [@begin, @begin + @length); @length == 0 means no filter.
 */
uint64_t guest_phys_blocks_total_size(const GuestPhysBlockList *list,
                                      hwaddr begin, uint64_t length);

/* ------------------------------------------------------------ mappings */

/**
 * struct MemoryMapping: guest-virtual [@virt_addr, +@length) maps to
 * guest-physical [@phys_addr, +@length), both contiguous.  @virt_addr 0
 * means "no virtual address" (the simple list).
 */
typedef struct MemoryMapping {
    hwaddr phys_addr;
    hwaddr virt_addr;
    uint64_t length;
    QTAILQ_ENTRY(MemoryMapping) next;
} MemoryMapping;

/**
 * struct MemoryMappingList: mappings sorted by @phys_addr (equal physical
 * starts keep insertion order).
 * @num: number of mappings.
 * @last_mapping: the mapping most recently created or grown (the merge
 *                fast path).
 * @phys_end_max: an upper bound of every mapping's physical end
 *                (exclusive), kept to append in O(1) when a new range lies
 *                beyond all others.
 */
struct MemoryMappingList {
    unsigned num;
    MemoryMapping *last_mapping;
    hwaddr phys_end_max;
    QTAILQ_HEAD(, MemoryMapping) head;
};

void memory_mapping_list_init(MemoryMappingList *list);
void memory_mapping_list_free(MemoryMappingList *list);

/**
 * memory_mapping_list_add_merge_sorted: record [@phys_addr, +@length) ->
 * [@virt_addr, +@length), as QEMU does: grow the last-touched mapping if
 * the range continues it in both address spaces; else grow the first
 * mapping it continues or overlaps with the same virt-phys offset; else
 * insert a new mapping in physical order.
 */
void memory_mapping_list_add_merge_sorted(MemoryMappingList *list,
                                          hwaddr phys_addr, hwaddr virt_addr,
                                          uint64_t length);

/**
 * memory_mapping_list_split: cut every mapping of @list where the memory
 * of @blocks starts or stops being contiguous under it, so that each
 * mapping afterwards lies either inside one run of blocks that continue
 * one another physically, or entirely outside every block.
 *
 * The page-table walk merges leaves by address alone, so one mapping can
 * run from RAM across a hole (unplugged virtio-mem memory, the end of
 * RAM) into RAM again; an ELF PT_LOAD describes one contiguous stretch of
 * the file, and blocks that continue one another physically (RAM, the
 * isa-bios ROM, RAM) are contiguous in the dump's memory area too, so a
 * mapping is cut only at holes, never between adjacent blocks.  The
 * pieces keep their virtual addresses (piece at phys + n maps virt + n)
 * and the list stays sorted by physical address (equal starts in the
 * order they had).  Nothing changes, in O(mappings * log blocks), when
 * no mapping crosses a hole.
 */
void memory_mapping_list_split(MemoryMappingList *list,
                               const GuestPhysBlockList *blocks);

/**
 * qemu_get_guest_simple_memory_mapping: one mapping per block,
 * virt_addr 0 (the ELF writer then uses the physical address).
 */
void qemu_get_guest_simple_memory_mapping(MemoryMappingList *list,
                                          const GuestPhysBlockList *blocks);

/**
 * qemu_get_guest_memory_mapping: the mappings of a paging dump.
 * @cpus, @ncpus: the vCPUs in index order.
 * @as: the address space @blocks was built from, to recognise page
 *      table entries that point at MMIO (skipped, as QEMU does).
 *
 * If some vCPU has paging enabled, the page tables of that vCPU and of
 * every vCPU after it are walked (x86: 32-bit, PAE, 4- and 5-level),
 * reading table entries only through @blocks: a table outside the blocks
 * (e.g. in unplugged memory) reads as "not present"; the mappings are
 * then cut at the holes of @blocks (memory_mapping_list_split()).
 * Otherwise every block maps virtual == physical.
 * Returns: false with @errp set on failure (none occur on x86 today).
 */
bool qemu_get_guest_memory_mapping(MemoryMappingList *list,
                                   const GuestPhysBlockList *blocks,
                                   CPUState *const *cpus, unsigned ncpus,
                                   AddressSpace *as, Error **errp);

/**
 * x86_cpu_get_memory_mapping: add the mappings of @cpu's page tables to
 * @list (nothing if its paging is off).  See
 * qemu_get_guest_memory_mapping() for @blocks and @as.
 * Virtual addresses are canonical (sign-extended from bit 47, or bit 56
 * with 5-level paging).
 */
bool x86_cpu_get_memory_mapping(const CPUState *cpu, MemoryMappingList *list,
                                const GuestPhysBlockList *blocks,
                                AddressSpace *as, Error **errp);

/**
 * memory_mapping_filter: keep only the parts of mappings inside
 * [@begin, @begin + @length) (guest-physical), as QEMU does: mappings
 * outside are removed, straddling ones are clipped (and their virt_addr
 * advanced along, unless it is 0).
 */
void memory_mapping_filter(MemoryMappingList *list, hwaddr begin,
                           uint64_t length);

#endif /* EXEC_MEMORY_MAPPING_H */
