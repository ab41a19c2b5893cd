/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-memory-mapping.c: MemoryMappingList (QEMU's merge and filter
 * rules, the simple list, virt == phys without paging) and the x86
 * page-table walker on tables built in a test address space: 4-level and
 * 5-level IA-32e with 4 KiB, 2 MiB and 1 GiB pages, PAE, 32-bit paging
 * with PSE-36, non-present entries, leaves pointing at MMIO, at plugged
 * and at unplugged memory, tables lying in unplugged memory (never read),
 * and the NX / protection-key bits that are not address bits.
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include "exec/memory_mapping.h"
#include "hw/core/cpu.h"
#include "qemu/error.h"
#include "qom/object.h"
#include "fake-rdm.h"
#include "qemu/units.h"


#define PTE_P   (1ULL << 0)
#define PTE_RW  (1ULL << 1)
#define PTE_PS  (1ULL << 7)
#define PTE_NX  (1ULL << 63)
#define PTE_PKEY (0xfULL << 59)

typedef struct Expect {
    hwaddr phys;
    hwaddr virt;
    uint64_t len;
} Expect;

static void check_list(const MemoryMappingList *list, const Expect *e,
                       unsigned n)
{
    const MemoryMapping *m;
    unsigned i = 0;

    QTAILQ_FOREACH(m, &list->head, next) {
        g_assert_cmpuint(i, <, n);
        g_assert_cmphex(m->phys_addr, ==, e[i].phys);
        g_assert_cmphex(m->virt_addr, ==, e[i].virt);
        g_assert_cmphex(m->length, ==, e[i].len);
        i++;
    }
    g_assert_cmpuint(i, ==, n);
    g_assert_cmpuint(list->num, ==, n);
}

/* ------------------------------------------------------- list rules */

static void test_merge_sorted(void)
{
    MemoryMappingList list;

    memory_mapping_list_init(&list);
    /* out of order inserts end up sorted by phys */
    memory_mapping_list_add_merge_sorted(&list, 0x10000, 0xa0000, 0x1000);
    memory_mapping_list_add_merge_sorted(&list, 0x2000, 0xb2000, 0x1000);
    /* continues the last one in both spaces: grows it */
    memory_mapping_list_add_merge_sorted(&list, 0x3000, 0xb3000, 0x1000);
    /* continues the first one (not the last touched) */
    memory_mapping_list_add_merge_sorted(&list, 0x11000, 0xa1000, 0x1000);
    /* overlaps [0x2000, 0x4000) with the same offset: merged */
    memory_mapping_list_add_merge_sorted(&list, 0x3000, 0xb3000, 0x2000);
    /* same physical page, other virtual address: a new mapping */
    memory_mapping_list_add_merge_sorted(&list, 0x2000, 0xc2000, 0x1000);
    /* far beyond everything: appended */
    memory_mapping_list_add_merge_sorted(&list, 0x100000, 0x100000, 0x1000);
    {
        Expect e[] = {
            { 0x2000, 0xc2000, 0x1000 },
            { 0x2000, 0xb2000, 0x3000 },
            { 0x10000, 0xa0000, 0x2000 },
            { 0x100000, 0x100000, 0x1000 },
        };
        check_list(&list, e, ARRAY_SIZE(e));
    }
    memory_mapping_list_free(&list);
    g_assert_cmpuint(list.num, ==, 0);
    g_assert_null(list.last_mapping);
}

static void test_filter(void)
{
    MemoryMappingList list;

    memory_mapping_list_init(&list);
    memory_mapping_list_add_merge_sorted(&list, 0x0, 0x0, 0x10000);
    memory_mapping_list_add_merge_sorted(&list, 0x20000, 0x80020000, 0x10000);
    memory_mapping_list_add_merge_sorted(&list, 0x40000, 0x80040000, 0x10000);
    /* keep [0x8000, 0x48000) */
    memory_mapping_filter(&list, 0x8000, 0x40000);
    {
        Expect e[] = {
            { 0x8000, 0x0, 0x8000 },            /* virt 0 stays 0 */
            { 0x20000, 0x80020000, 0x10000 },
            { 0x40000, 0x80040000, 0x8000 },
        };
        check_list(&list, e, ARRAY_SIZE(e));
    }
    /* a window in the middle of one mapping: virt advances with phys */
    memory_mapping_filter(&list, 0x24000, 0x1000);
    {
        Expect e[] = { { 0x24000, 0x80024000, 0x1000 } };
        check_list(&list, e, ARRAY_SIZE(e));
    }
    /* nothing left; the merge fast path must not use a freed mapping */
    memory_mapping_filter(&list, 0x90000, 0x1000);
    g_assert_cmpuint(list.num, ==, 0);
    g_assert_null(list.last_mapping);
    memory_mapping_list_add_merge_sorted(&list, 0x1000, 0x1000, 0x1000);
    g_assert_cmpuint(list.num, ==, 1);
    memory_mapping_list_free(&list);

    /* a filter reaching 2^64 */
    memory_mapping_list_init(&list);
    memory_mapping_list_add_merge_sorted(&list, (hwaddr)0 - 0x2000, 0,
                                         0x2000);
    memory_mapping_filter(&list, (hwaddr)0 - 0x1000, 0x1000);
    {
        Expect e[] = { { (hwaddr)0 - 0x1000, 0, 0x1000 } };
        check_list(&list, e, ARRAY_SIZE(e));
    }
    memory_mapping_list_free(&list);
}

/* ------------------------------------------------------ test machine */

/*
 * Guest-physical layout:
 *   [0, 64 MiB)            "ram" (page tables and data)
 *   [1 GiB, 3 GiB)         "vmem", discard-managed, 2 MiB blocks; only
 *                          [1 GiB, 1 GiB + 4 MiB) is plugged
 *   [0xfe000000, +4 KiB)   "mmio"
 */
#define VMEM_BASE (1 * GiB)
#define VMEM_SIZE (2 * GiB)
#define MMIO_BASE 0xfe000000ULL
#define PT_BASE   (32 * MiB)     /* page tables are allocated from here */

typedef struct Machine {
    MemoryRegion root, ram, vmem, mmio;
    AddressSpace as;
    FakeRdm rdm;
    GuestPhysBlockList blocks;
    hwaddr next_table;
    CPUState cpu;
} Machine;

static uint64_t mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    g_assert_not_reached();
    return 0;
}

static void mmio_write(void *opaque, hwaddr addr, uint64_t val,
                       unsigned size)
{
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
};

static void machine_init(Machine *m)
{
    memset(m, 0, sizeof(*m));
    memory_region_init(&m->root, NULL, "root", UINT64_MAX);
    address_space_init(&m->as, &m->root, "test");
    g_assert(memory_region_init_ram(&m->ram, NULL, "ram", 64 * MiB,
                                    &error_abort));
    g_assert(memory_region_init_ram(&m->vmem, NULL, "vmem", VMEM_SIZE,
                                    &error_abort));
    memory_region_init_io(&m->mmio, NULL, &mmio_ops, NULL, "mmio", 4 * KiB);
    fake_rdm_attach(&m->rdm, &m->vmem, 2 * MiB);
    fake_rdm_plug(&m->rdm, 0, 2);
    memory_region_add_subregion(&m->root, 0, &m->ram);
    memory_region_add_subregion(&m->root, VMEM_BASE, &m->vmem);
    memory_region_add_subregion(&m->root, MMIO_BASE, &m->mmio);
    m->next_table = PT_BASE;
    x86_cpu_reset_state(&m->cpu.env);
}

static void machine_fini(Machine *m)
{
    guest_phys_blocks_free(&m->blocks);
    memory_region_del_subregion(&m->root, &m->ram);
    memory_region_del_subregion(&m->root, &m->vmem);
    memory_region_del_subregion(&m->root, &m->mmio);
    fake_rdm_detach(&m->rdm);
    memory_region_destroy(&m->ram);
    memory_region_destroy(&m->vmem);
    memory_region_destroy(&m->mmio);
    address_space_destroy(&m->as);
    memory_region_destroy(&m->root);
}

/* Host pointer of guest-physical @gpa, plugged or not (the test may). */
static void *host_of(Machine *m, hwaddr gpa)
{
    if (gpa < 64 * MiB) {
        return (uint8_t *)memory_region_get_ram_ptr(&m->ram) + gpa;
    }
    g_assert(gpa >= VMEM_BASE && gpa < VMEM_BASE + VMEM_SIZE);
    return (uint8_t *)memory_region_get_ram_ptr(&m->vmem) + gpa - VMEM_BASE;
}

static hwaddr new_table(Machine *m)
{
    hwaddr t = m->next_table;

    m->next_table += 4 * KiB;
    memset(host_of(m, t), 0, 4 * KiB);
    return t;
}

static void set64(Machine *m, hwaddr table, unsigned idx, uint64_t val)
{
    uint64_t *e = host_of(m, table);

    e[idx] = val;
}

static void set32(Machine *m, hwaddr table, unsigned idx, uint32_t val)
{
    uint32_t *e = host_of(m, table);

    e[idx] = val;
}

static void walk(Machine *m, MemoryMappingList *list)
{
    CPUState *cpus[] = { &m->cpu };

    guest_phys_blocks_free(&m->blocks);
    guest_phys_blocks_init(&m->blocks);
    guest_phys_blocks_append(&m->blocks, &m->as, 0);
    memory_mapping_list_init(list);
    g_assert_true(qemu_get_guest_memory_mapping(list, &m->blocks, cpus, 1,
                                                &m->as, &error_abort));
}

static void long_mode(Machine *m, hwaddr root, bool la57)
{
    m->cpu.env.cr[0] |= CR0_PG_MASK | CR0_PE_MASK;
    m->cpu.env.cr[4] |= CR4_PAE_MASK | (la57 ? CR4_LA57_MASK : 0);
    m->cpu.env.efer |= EFER_LME | EFER_LMA;
    m->cpu.env.cr[3] = root;
}

/* ------------------------------------------------------ 4-level */

static void test_walk_4level(void)
{
    Machine m;
    MemoryMappingList list;
    hwaddr pml4, pdpt, pd, pt, pdpt_hi, pd_hi, bad;

    machine_init(&m);
    pml4 = new_table(&m);
    pdpt = new_table(&m);
    pd = new_table(&m);
    pt = new_table(&m);
    pdpt_hi = new_table(&m);
    pd_hi = new_table(&m);

    /* VA 0: PML4[0] -> PDPT -> PD -> PT */
    set64(&m, pml4, 0, pdpt | PTE_P | PTE_RW);
    set64(&m, pdpt, 0, pd | PTE_P | PTE_RW);
    set64(&m, pd, 2, pt | PTE_P | PTE_RW);             /* VA 4 MiB */
    /* two 4 KiB pages, contiguous in VA and PA: one mapping */
    set64(&m, pt, 0, 0x200000 | PTE_P);
    set64(&m, pt, 1, 0x201000 | PTE_P | PTE_NX | PTE_PKEY);
    /* not present, with address bits set: ignored */
    set64(&m, pt, 2, 0x300000 | PTE_RW);
    /* a leaf at MMIO: skipped */
    set64(&m, pt, 3, MMIO_BASE | PTE_P);
    /* a leaf at unplugged RAM: kept (the dump records zeros) */
    set64(&m, pt, 4, (VMEM_BASE + 64 * MiB) | PTE_P);
    /* a leaf at nothing at all: skipped like MMIO */
    set64(&m, pt, 5, (16 * GiB) | PTE_P);
    /* 2 MiB page: VA 2 MiB -> PA 8 MiB */
    set64(&m, pd, 1, (8 * MiB) | PTE_P | PTE_PS);
    /* 1 GiB page: VA 1 GiB -> PA 1 GiB (the virtio-mem region) */
    set64(&m, pdpt, 1, VMEM_BASE | PTE_P | PTE_PS);
    /* upper half: PML4[256] -> VA 0xffff800000000000 */
    set64(&m, pml4, 256, pdpt_hi | PTE_P);
    set64(&m, pdpt_hi, 0, pd_hi | PTE_P);
    set64(&m, pd_hi, 0, (10 * MiB) | PTE_P | PTE_PS);
    /*
     * PML4[1] points at a PDPT in unplugged memory which holds a
     * plausible entry: the walker must not read it.
     */
    bad = VMEM_BASE + 32 * MiB;
    memset(host_of(&m, bad), 0, 4 * KiB);
    set64(&m, pml4, 1, bad | PTE_P);
    set64(&m, bad, 0, 0 | PTE_P | PTE_PS);
    long_mode(&m, pml4, false);

    walk(&m, &list);
    {
        /* the 1 GiB page is cut where the plugged blocks end */
        Expect e[] = {
            { 0x200000, 0x400000, 0x2000 },
            { 8 * MiB, 2 * MiB, 2 * MiB },
            { 10 * MiB, 0xffff800000000000ULL, 2 * MiB },
            { VMEM_BASE, VMEM_BASE, 4 * MiB },
            { VMEM_BASE + 4 * MiB, VMEM_BASE + 4 * MiB, 1 * GiB - 4 * MiB },
            { VMEM_BASE + 64 * MiB, 0x404000, 4 * KiB },
        };
        check_list(&list, e, ARRAY_SIZE(e));
    }
    memory_mapping_list_free(&list);

    /* Once the table's block is plugged, it is walked. */
    fake_rdm_plug(&m.rdm, 16, 1);
    walk(&m, &list);
    {
        /*
         * PML4[1]'s 1 GiB page at PA 0 is cut at the end of "ram"; the
         * one at VMEM_BASE around the plugged blocks 0-1 and 16.
         */
        Expect e[] = {
            { 0, 1ULL << 39, 64 * MiB },
            { 0x200000, 0x400000, 0x2000 },
            { 8 * MiB, 2 * MiB, 2 * MiB },
            { 10 * MiB, 0xffff800000000000ULL, 2 * MiB },
            { 64 * MiB, (1ULL << 39) + 64 * MiB, 1 * GiB - 64 * MiB },
            { VMEM_BASE, VMEM_BASE, 4 * MiB },
            { VMEM_BASE + 4 * MiB, VMEM_BASE + 4 * MiB, 28 * MiB },
            { VMEM_BASE + 32 * MiB, VMEM_BASE + 32 * MiB, 2 * MiB },
            { VMEM_BASE + 34 * MiB, VMEM_BASE + 34 * MiB,
              1 * GiB - 34 * MiB },
            { VMEM_BASE + 64 * MiB, 0x404000, 4 * KiB },
        };
        check_list(&list, e, ARRAY_SIZE(e));
    }
    memory_mapping_list_free(&list);
    machine_fini(&m);
}

/* ------------------------------------------------------ 5-level */

static void test_walk_5level(void)
{
    Machine m;
    MemoryMappingList list;
    hwaddr pml5, pml4, pdpt, pd, pt;

    machine_init(&m);
    pml5 = new_table(&m);
    pml4 = new_table(&m);
    pdpt = new_table(&m);
    pd = new_table(&m);
    pt = new_table(&m);
    /* PML5[256] -> VA bit 56 set: canonical 0xff00000000000000 */
    set64(&m, pml5, 256, pml4 | PTE_P);
    set64(&m, pml4, 1, pdpt | PTE_P);                /* + 1 << 39 */
    set64(&m, pdpt, 0, pd | PTE_P);
    set64(&m, pd, 0, pt | PTE_P);
    set64(&m, pt, 7, 0x5000 | PTE_P);
    /* PML5[1] -> lower half, a 1 GiB page at PA 1 GiB */
    set64(&m, pml5, 1, new_table(&m) | PTE_P);
    {
        hwaddr pml4b = m.next_table - 4 * KiB;
        hwaddr pdptb = new_table(&m);

        set64(&m, pml4b, 0, pdptb | PTE_P);
        set64(&m, pdptb, 3, VMEM_BASE | PTE_P | PTE_PS);
    }
    long_mode(&m, pml5, true);

    walk(&m, &list);
    {
        Expect e[] = {
            { 0x5000, 0xff00008000007000ULL, 4 * KiB },
            { VMEM_BASE, (1ULL << 48) | (3ULL << 30), 4 * MiB },
            { VMEM_BASE + 4 * MiB, (1ULL << 48) | (3ULL << 30) | (4 * MiB),
              1 * GiB - 4 * MiB },
        };
        check_list(&list, e, ARRAY_SIZE(e));
    }
    memory_mapping_list_free(&list);
    machine_fini(&m);
}

/* ------------------------------------------------------ PAE, 32-bit */

static void test_walk_pae(void)
{
    Machine m;
    MemoryMappingList list;
    hwaddr pdpt, pd, pt;

    machine_init(&m);
    pdpt = new_table(&m) + 0x20;        /* 32-byte aligned is enough */
    pd = new_table(&m);
    pt = new_table(&m);
    set64(&m, pdpt - 0x20, 4 + 3, pd | PTE_P);      /* PDPT[3]: 3 GiB */
    set64(&m, pd, 0, (4 * MiB) | PTE_P | PTE_PS);
    set64(&m, pd, 1, pt | PTE_P);
    set64(&m, pt, 0x10, 0x9000 | PTE_P);
    m.cpu.env.cr[0] |= CR0_PG_MASK | CR0_PE_MASK;
    m.cpu.env.cr[4] |= CR4_PAE_MASK;
    m.cpu.env.cr[3] = pdpt;

    walk(&m, &list);
    {
        Expect e[] = {
            { 0x9000, 0xc0210000ULL, 4 * KiB },
            { 4 * MiB, 0xc0000000ULL, 2 * MiB },
        };
        check_list(&list, e, ARRAY_SIZE(e));
    }
    memory_mapping_list_free(&list);
    machine_fini(&m);
}

static void test_walk_32bit(void)
{
    Machine m;
    MemoryMappingList list;
    hwaddr pd, pt;

    machine_init(&m);
    pd = new_table(&m);
    pt = new_table(&m);
    /* 4 MiB page at PA 4 MiB, VA 0x00800000 */
    set32(&m, pd, 2, (4 * MiB) | PTE_P | PTE_PS);
    /* PSE-36: physical bits 39:32 = 1 -> PA 4 GiB + 8 MiB: no RAM, skip */
    set32(&m, pd, 3, (8 * MiB) | (1u << 13) | PTE_P | PTE_PS);
    set32(&m, pd, 0x300, pt | PTE_P);
    set32(&m, pt, 1, 0x7000 | PTE_P);
    m.cpu.env.cr[0] |= CR0_PG_MASK | CR0_PE_MASK;
    m.cpu.env.cr[4] |= CR4_PSE_MASK;
    m.cpu.env.cr[3] = pd;

    walk(&m, &list);
    {
        Expect e[] = {
            { 0x7000, 0xc0001000ULL, 4 * KiB },
            { 4 * MiB, 0x00800000ULL, 4 * MiB },
        };
        check_list(&list, e, ARRAY_SIZE(e));
    }
    memory_mapping_list_free(&list);

    /* Without CR4.PSE the PS bit means nothing: PD[2] is a table. */
    m.cpu.env.cr[4] &= ~CR4_PSE_MASK;
    walk(&m, &list);
    {
        const MemoryMapping *mm;

        QTAILQ_FOREACH(mm, &list.head, next) {
            g_assert_cmphex(mm->length, ==, 4 * KiB);
        }
    }
    memory_mapping_list_free(&list);
    machine_fini(&m);
}

/* ------------------------------------- no paging, simple, many blocks */

static void test_no_paging(void)
{
    Machine m;
    MemoryMappingList list;

    machine_init(&m);
    walk(&m, &list);
    {
        Expect e[] = {
            { 0, 0, 64 * MiB },
            { VMEM_BASE, VMEM_BASE, 4 * MiB },
        };
        check_list(&list, e, ARRAY_SIZE(e));
    }
    memory_mapping_list_free(&list);

    memory_mapping_list_init(&list);
    qemu_get_guest_simple_memory_mapping(&list, &m.blocks);
    {
        Expect e[] = {
            { 0, 0, 64 * MiB },
            { VMEM_BASE, 0, 4 * MiB },
        };
        check_list(&list, e, ARRAY_SIZE(e));
    }
    memory_mapping_list_free(&list);
    machine_fini(&m);
}

/* Only the vCPUs from the first paging one on are walked. */
static void test_first_paging_cpu(void)
{
    Machine m;
    MemoryMappingList list;
    CPUState other;
    CPUState *cpus[2];
    hwaddr pml4, pdpt;

    machine_init(&m);
    pml4 = new_table(&m);
    pdpt = new_table(&m);
    set64(&m, pml4, 0, pdpt | PTE_P);
    set64(&m, pdpt, 0, 0 | PTE_P | PTE_PS);
    long_mode(&m, pml4, false);
    x86_cpu_reset_state(&other.env);
    cpus[0] = &other;
    cpus[1] = &m.cpu;
    guest_phys_blocks_init(&m.blocks);
    guest_phys_blocks_append(&m.blocks, &m.as, 0);
    memory_mapping_list_init(&list);
    g_assert_true(qemu_get_guest_memory_mapping(&list, &m.blocks, cpus, 2,
                                                &m.as, &error_abort));
    {
        Expect e[] = { { 0, 0, 64 * MiB }, { 64 * MiB, 64 * MiB, 960 * MiB } };
        check_list(&list, e, ARRAY_SIZE(e));
    }
    memory_mapping_list_free(&list);
    machine_fini(&m);
}

/*
 * memory_mapping_list_split() on a list built by hand: cut at holes
 * only, pieces in physical order among the other mappings, a mapping
 * inside one block or one hole left alone.
 */
static void test_split(void)
{
    Machine m;
    MemoryMappingList list;

    machine_init(&m);
    guest_phys_blocks_init(&m.blocks);
    guest_phys_blocks_append(&m.blocks, &m.as, 0);
    memory_mapping_list_init(&list);
    /* inside "ram": untouched */
    memory_mapping_list_add_merge_sorted(&list, 0, 0xa000000000ULL,
                                         64 * MiB);
    /* nothing crosses a hole: the list is left as it is */
    memory_mapping_list_split(&list, &m.blocks);
    {
        Expect e[] = { { 0, 0xa000000000ULL, 64 * MiB } };
        check_list(&list, e, ARRAY_SIZE(e));
    }
    /*
     * From the end of "ram" over the hole up to 1 GiB, the plugged
     * blocks 0-1 and the unplugged rest of block 2..3.
     */
    memory_mapping_list_add_merge_sorted(&list, 60 * MiB, 0xb000000000ULL,
                                         VMEM_BASE + 8 * MiB - 60 * MiB);
    /* in the hole, starting inside the mapping above: sorted between */
    memory_mapping_list_add_merge_sorted(&list, 100 * MiB, 0xc000000000ULL,
                                         4 * KiB);
    /* above every block */
    memory_mapping_list_add_merge_sorted(&list, 16 * GiB, 0xd000000000ULL,
                                         4 * KiB);
    memory_mapping_list_split(&list, &m.blocks);
    {
        Expect e[] = {
            { 0, 0xa000000000ULL, 64 * MiB },
            { 60 * MiB, 0xb000000000ULL, 4 * MiB },
            { 64 * MiB, 0xb000000000ULL + 4 * MiB, VMEM_BASE - 64 * MiB },
            { 100 * MiB, 0xc000000000ULL, 4 * KiB },
            { VMEM_BASE, 0xb000000000ULL + VMEM_BASE - 60 * MiB, 4 * MiB },
            { VMEM_BASE + 4 * MiB,
              0xb000000000ULL + VMEM_BASE - 56 * MiB, 4 * MiB },
            { 16 * GiB, 0xd000000000ULL, 4 * KiB },
        };
        check_list(&list, e, ARRAY_SIZE(e));
    }
    /* the merge fast path still works on the rebuilt list */
    memory_mapping_list_add_merge_sorted(&list, 16 * GiB + 4 * KiB,
                                         0xd000001000ULL, 4 * KiB);
    g_assert_cmpuint(list.num, ==, 7);
    g_assert_cmphex(QTAILQ_LAST(&list.head)->length, ==, 8 * KiB);
    memory_mapping_list_free(&list);
    machine_fini(&m);
}

/*
 * An address space with one RAM region of @runs x 2 MiB, its RamDiscardManager
 * plugging the first MiB of each 2 MiB, and its block list: every second
 * MiB a block, the rest holes.
 */
typedef struct Alternating {
    MemoryRegion root, vmem;
    AddressSpace as;
    FakeRdm f;
    GuestPhysBlockList blocks;
} Alternating;

static void alternating_init(Alternating *a, uint64_t runs)
{
    memory_region_init(&a->root, NULL, "root", UINT64_MAX);
    address_space_init(&a->as, &a->root, "test");
    g_assert(memory_region_init_ram(&a->vmem, NULL, "vmem", 2 * runs * MiB,
                                    &error_abort));
    fake_rdm_attach(&a->f, &a->vmem, 1 * MiB);
    for (uint64_t r = 0; r < runs; r++) {
        fake_rdm_plug(&a->f, 2 * r, 1);
    }
    memory_region_add_subregion(&a->root, 0, &a->vmem);
    guest_phys_blocks_init(&a->blocks);
    guest_phys_blocks_append(&a->blocks, &a->as, 0);
}

static void alternating_destroy(Alternating *a)
{
    guest_phys_blocks_free(&a->blocks);
    memory_region_del_subregion(&a->root, &a->vmem);
    fake_rdm_detach(&a->f);
    memory_region_destroy(&a->vmem);
    address_space_destroy(&a->as);
    memory_region_destroy(&a->root);
}

/* Splitting one mapping over 131,072 holes stays O(n log n). */
static void test_split_many(void)
{
    MemoryMappingList list;
    Alternating a;
    const uint64_t runs = 131072;
    const MemoryMapping *mm;
    uint64_t i = 0;
    gint64 t0;

    alternating_init(&a, runs);
    memory_mapping_list_init(&list);
    memory_mapping_list_add_merge_sorted(&list, 0, 0xffff888000000000ULL,
                                         2 * runs * MiB);
    t0 = g_get_monotonic_time();
    memory_mapping_list_split(&list, &a.blocks);
    g_test_message("split over %" PRIu64 " holes: %.1f ms", runs,
                   (g_get_monotonic_time() - t0) / 1000.0);
    g_assert_cmpuint(list.num, ==, 2 * runs);
    QTAILQ_FOREACH(mm, &list.head, next) {
        g_assert_cmphex(mm->phys_addr, ==, i * MiB);
        g_assert_cmphex(mm->virt_addr, ==, 0xffff888000000000ULL + i * MiB);
        g_assert_cmphex(mm->length, ==, 1 * MiB);
        i++;
    }
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 10 * G_USEC_PER_SEC);

    memory_mapping_list_free(&list);
    alternating_destroy(&a);
}

/* One mapping per block for 262,144 blocks stays linear. */
static void test_simple_many(void)
{
    MemoryMappingList list;
    Alternating a;
    const uint64_t runs = 262144;
    gint64 t0;

    alternating_init(&a, runs);
    t0 = g_get_monotonic_time();
    memory_mapping_list_init(&list);
    qemu_get_guest_simple_memory_mapping(&list, &a.blocks);
    memory_mapping_filter(&list, 1 * MiB, UINT64_MAX - 1 * MiB);
    g_test_message("simple mapping + filter of %" PRIu64 " blocks: %.1f ms",
                   runs, (g_get_monotonic_time() - t0) / 1000.0);
    g_assert_cmpuint(list.num, ==, runs - 1);
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 10 * G_USEC_PER_SEC);

    memory_mapping_list_free(&list);
    alternating_destroy(&a);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    type_register_object_types();
    g_test_add_func("/memory-mapping/list/merge-sorted", test_merge_sorted);
    g_test_add_func("/memory-mapping/list/filter", test_filter);
    g_test_add_func("/memory-mapping/list/simple-many", test_simple_many);
    g_test_add_func("/memory-mapping/list/split", test_split);
    g_test_add_func("/memory-mapping/list/split-many", test_split_many);
    g_test_add_func("/memory-mapping/walk/4-level", test_walk_4level);
    g_test_add_func("/memory-mapping/walk/5-level", test_walk_5level);
    g_test_add_func("/memory-mapping/walk/pae", test_walk_pae);
    g_test_add_func("/memory-mapping/walk/32-bit", test_walk_32bit);
    g_test_add_func("/memory-mapping/walk/no-paging", test_no_paging);
    g_test_add_func("/memory-mapping/walk/first-paging-cpu",
                    test_first_paging_cpu);
    return g_test_run();
}
