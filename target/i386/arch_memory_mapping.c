/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * arch_memory_mapping.c: walk a vCPU's x86 page tables into a
 * MemoryMappingList for paging dumps: 32-bit paging (with PSE 4 MiB
 * pages), PAE, IA-32e 4-level and 5-level (LA57) paging, with 4 KiB,
 * 2 MiB, 4 MiB and 1 GiB pages (Intel SDM vol. 3A, chapter 4).
 *
 * Page tables are read only through the GuestPhysBlockList of the dump:
 * a table that lies outside every block -- in unplugged virtio-mem
 * memory, MMIO or a hole -- is treated as all "not present", which is
 * what reading it would give for discarded memory, without touching it.
 * A leaf that points at MMIO is skipped as QEMU does; a leaf that points
 * at RAM outside the blocks (unplugged memory) is kept: the dump then
 * records the mapping with no file data, i.e. zeros.
 *
 * What to do with the mappings (PT_LOAD headers) is dump/'s business.
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include "exec/memory_mapping.h"
#include "hw/core/cpu.h"

/* Page-table entry bits */
#define PG_PRESENT_MASK  (1ULL << 0)
#define PG_PSE_MASK      (1ULL << 7)    /* large page in a PDE/PDPTE */
/* Physical-address bits of 64-bit entries (MAXPHYADDR 52) */
#define PG_ADDR_MASK     0x000ffffffffff000ULL
#define PG_ADDR_MASK_2M  0x000fffffffe00000ULL
#define PG_ADDR_MASK_1G  0x000fffffc0000000ULL
/* 32-bit paging: PDE bits 20:13 hold physical bits 39:32 (PSE-36) */
#define PDE32_PSE36_MASK 0x001fe000U
#define PDE32_PSE36_SHIFT 19
#define PDE32_ADDR_MASK_4M 0xffc00000U
#define PTE32_ADDR_MASK  0xfffff000U
/* PAE: CR3 holds the 32-byte aligned PDPT address */
#define CR3_PAE_PDPT_MASK 0xffffffe0U
#define CR3_ADDR_MASK     PG_ADDR_MASK

#define PAGE_4K (1ULL << 12)
#define PAGE_2M (1ULL << 21)
#define PAGE_4M (1ULL << 22)
#define PAGE_1G (1ULL << 30)

/* Entries per table */
#define PT64_ENTRIES 512
#define PT32_ENTRIES 1024
#define PDPT_PAE_ENTRIES 4

typedef struct PageWalk {
    MemoryMappingList *list;
    const GuestPhysBlockList *blocks;
    AddressSpace *as;
    unsigned va_top_bit;    /* sign-extend virtual addresses from here */
} PageWalk;

/*
 * Read @n entries of @size bytes at guest-physical @addr into @out; an
 * entry outside the blocks reads as 0 (not present).
 */
static void walk_read_table(const PageWalk *w, hwaddr addr, void *out,
                            unsigned n, unsigned size)
{
    uint8_t *p = out;

    if (guest_phys_blocks_read(w->blocks, addr, out, (size_t)n * size)) {
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        if (!guest_phys_blocks_read(w->blocks, addr + (hwaddr)i * size,
                                    p + i * size, size)) {
            memset(p + i * size, 0, size);
        }
    }
}

/* Leaves pointing at MMIO or nothing are skipped, as QEMU does. */
static bool walk_is_io(const PageWalk *w, hwaddr paddr)
{
    MemoryRegionSection s;
    bool io;

    if (guest_phys_blocks_lookup(w->blocks, paddr)) {
        return false;
    }
    if (!w->as) {
        return true;
    }
    s = memory_region_find(w->as->root, paddr, 1);
    io = !s.mr || !memory_region_is_ram(s.mr);
    if (s.mr) {
        memory_region_unref(s.mr);
    }
    return io;
}

static hwaddr walk_canonical(const PageWalk *w, hwaddr va)
{
    unsigned shift;

    if (!w->va_top_bit) {
        return va;
    }
    shift = 63 - w->va_top_bit;
    return (hwaddr)((int64_t)(va << shift) >> shift);
}

static void walk_leaf(const PageWalk *w, hwaddr paddr, hwaddr vaddr,
                      uint64_t size)
{
    if (walk_is_io(w, paddr)) {
        return;
    }
    memory_mapping_list_add_merge_sorted(w->list, paddr,
                                         walk_canonical(w, vaddr), size);
}

/* ------------------------------------------------ PAE and IA-32e tables */

static void walk_pt64(const PageWalk *w, hwaddr table, hwaddr va)
{
    uint64_t e[PT64_ENTRIES];

    walk_read_table(w, table, e, PT64_ENTRIES, sizeof(e[0]));
    for (unsigned i = 0; i < PT64_ENTRIES; i++) {
        if (e[i] & PG_PRESENT_MASK) {
            walk_leaf(w, e[i] & PG_ADDR_MASK, va | ((hwaddr)i << 12),
                      PAGE_4K);
        }
    }
}

static void walk_pd64(const PageWalk *w, hwaddr table, hwaddr va)
{
    uint64_t e[PT64_ENTRIES];

    walk_read_table(w, table, e, PT64_ENTRIES, sizeof(e[0]));
    for (unsigned i = 0; i < PT64_ENTRIES; i++) {
        hwaddr line = va | ((hwaddr)i << 21);

        if (!(e[i] & PG_PRESENT_MASK)) {
            continue;
        }
        if (e[i] & PG_PSE_MASK) {
            walk_leaf(w, e[i] & PG_ADDR_MASK_2M, line, PAGE_2M);
        } else {
            walk_pt64(w, e[i] & PG_ADDR_MASK, line);
        }
    }
}

static void walk_pdpt64(const PageWalk *w, hwaddr table, hwaddr va)
{
    uint64_t e[PT64_ENTRIES];

    walk_read_table(w, table, e, PT64_ENTRIES, sizeof(e[0]));
    for (unsigned i = 0; i < PT64_ENTRIES; i++) {
        hwaddr line = va | ((hwaddr)i << 30);

        if (!(e[i] & PG_PRESENT_MASK)) {
            continue;
        }
        if (e[i] & PG_PSE_MASK) {
            walk_leaf(w, e[i] & PG_ADDR_MASK_1G, line, PAGE_1G);
        } else {
            walk_pd64(w, e[i] & PG_ADDR_MASK, line);
        }
    }
}

static void walk_pml4(const PageWalk *w, hwaddr table, hwaddr va)
{
    uint64_t e[PT64_ENTRIES];

    walk_read_table(w, table, e, PT64_ENTRIES, sizeof(e[0]));
    for (unsigned i = 0; i < PT64_ENTRIES; i++) {
        if (e[i] & PG_PRESENT_MASK) {
            walk_pdpt64(w, e[i] & PG_ADDR_MASK, va | ((hwaddr)i << 39));
        }
    }
}

static void walk_pml5(const PageWalk *w, hwaddr table)
{
    uint64_t e[PT64_ENTRIES];

    walk_read_table(w, table, e, PT64_ENTRIES, sizeof(e[0]));
    for (unsigned i = 0; i < PT64_ENTRIES; i++) {
        if (e[i] & PG_PRESENT_MASK) {
            walk_pml4(w, e[i] & PG_ADDR_MASK, (hwaddr)i << 48);
        }
    }
}

/* PAE: 4 PDPTEs, each a 1 GiB quarter of the 32-bit space */
static void walk_pdpt_pae(const PageWalk *w, hwaddr table)
{
    uint64_t e[PDPT_PAE_ENTRIES];

    walk_read_table(w, table, e, PDPT_PAE_ENTRIES, sizeof(e[0]));
    for (unsigned i = 0; i < PDPT_PAE_ENTRIES; i++) {
        if (e[i] & PG_PRESENT_MASK) {
            walk_pd64(w, e[i] & PG_ADDR_MASK, (hwaddr)i << 30);
        }
    }
}

/* ------------------------------------------------------- 32-bit paging */

static void walk_pt32(const PageWalk *w, hwaddr table, hwaddr va)
{
    uint32_t e[PT32_ENTRIES];

    walk_read_table(w, table, e, PT32_ENTRIES, sizeof(e[0]));
    for (unsigned i = 0; i < PT32_ENTRIES; i++) {
        if (e[i] & PG_PRESENT_MASK) {
            walk_leaf(w, e[i] & PTE32_ADDR_MASK, va | ((hwaddr)i << 12),
                      PAGE_4K);
        }
    }
}

static void walk_pd32(const PageWalk *w, hwaddr table, bool pse)
{
    uint32_t e[PT32_ENTRIES];

    walk_read_table(w, table, e, PT32_ENTRIES, sizeof(e[0]));
    for (unsigned i = 0; i < PT32_ENTRIES; i++) {
        hwaddr line = (hwaddr)i << 22;

        if (!(e[i] & PG_PRESENT_MASK)) {
            continue;
        }
        if ((e[i] & PG_PSE_MASK) && pse) {
            hwaddr high = (hwaddr)(e[i] & PDE32_PSE36_MASK) <<
                          PDE32_PSE36_SHIFT;

            walk_leaf(w, (e[i] & PDE32_ADDR_MASK_4M) | high, line, PAGE_4M);
        } else {
            walk_pt32(w, e[i] & PTE32_ADDR_MASK, line);
        }
    }
}

bool x86_cpu_get_memory_mapping(const CPUState *cpu, MemoryMappingList *list,
                                const GuestPhysBlockList *blocks,
                                AddressSpace *as, Error **errp)
{
    const CPUX86State *env = &cpu->env;
    PageWalk w = { .list = list, .blocks = blocks, .as = as };

    if (!(env->cr[0] & CR0_PG_MASK)) {
        return true;
    }
    if (env->cr[4] & CR4_PAE_MASK) {
        if (x86_cpu_long_mode(env)) {
            hwaddr root = env->cr[3] & CR3_ADDR_MASK;

            if (env->cr[4] & CR4_LA57_MASK) {
                w.va_top_bit = 56;
                walk_pml5(&w, root);
            } else {
                w.va_top_bit = 47;
                walk_pml4(&w, root, 0);
            }
        } else {
            walk_pdpt_pae(&w, env->cr[3] & CR3_PAE_PDPT_MASK);
        }
    } else {
        walk_pd32(&w, env->cr[3] & PTE32_ADDR_MASK,
                  env->cr[4] & CR4_PSE_MASK);
    }
    return true;
}
