/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-tpm-ppi.c: the TPM memory-overwrite (MOR) clear on a hand-built
 * address space: base RAM split in two aliases (the second one starts
 * 32 MiB into its region, as ram-above-4g does), a memfd region with a
 * bitmap-backed RamDiscardManager (plugged and unplugged blocks), ROM,
 * nonvolatile memory, caller-provided RAM and the PPI buffer itself.
 *
 * Checked: the dirty bitmap afterwards marks exactly each cleared block's
 * range within its own region (the bug QEMU's 45e576c74533 fixed: a block
 * that does not start at its region's start); plugged memory reads zero
 * and the memfd gains no allocated blocks; unplugged memory, ROM,
 * nonvolatile memory and the PPI buffer keep their contents; only bit 0
 * of the MOR byte counts; the clear runs in the late reset phase, after an
 * ordinary handler that unplugs everything (so it clears no virtio-mem
 * memory then), or zeroes what that handler failed to unplug; 1000
 * resets in a row do not slow down or leak.
 */
#include "qemu/osdep.h"

#include <malloc.h>
#include <linux/memfd.h>
#include <sys/mman.h>
#include "exec/memory.h"
#include "exec/memory_mapping.h"
#include "exec/ramblock.h"
#include "hw/tpm/tpm_ppi.h"
#include "qemu/error.h"
#include "sysemu/runstate.h"
#include "fake-rdm.h"

#define KiB 1024ULL
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)
#define PAGE 4096ULL    /* TARGET_PAGE_SIZE: dirty bitmap granularity */

#define RAM_SIZE        (64 * MiB)
#define BELOW_SIZE      (16 * MiB)      /* ram [0, 16M) at GPA 0 */
#define ABOVE_OFFSET    (32 * MiB)      /* ram [32M, 64M) at GPA 4G */
#define ABOVE_GPA       (4 * GiB)
#define VMEM_SIZE       (64 * MiB)
#define VMEM_GPA        (8 * GiB)
#define VMEM_BLOCK      (2 * MiB)
#define ROM_SIZE        (64 * KiB)
#define ROM_GPA         (4 * GiB - ROM_SIZE)
#define PMEM_SIZE       (1 * MiB)
#define PMEM_GPA        (16 * GiB)
#define CALLER_SIZE     (4 * KiB)
#define CALLER_GPA      0xfed40000ULL
#define PPI_GPA         0xfed45000ULL

typedef struct Machine {
    MemoryRegion root;
    AddressSpace as;
    MemoryRegion ram, below, above;
    MemoryRegion vmem;
    int vmem_fd;
    FakeRdm rdm;
    MemoryRegion rom, pmem, caller;
    uint8_t *caller_buf;
    TPMPPI ppi;
} Machine;

static uint8_t *host(MemoryRegion *mr, uint64_t off)
{
    return (uint8_t *)memory_region_get_ram_ptr(mr) + off;
}

static bool all_equal(const uint8_t *p, uint64_t len, uint8_t c)
{
    for (uint64_t i = 0; i < len; i++) {
        if (p[i] != c) {
            return false;
        }
    }
    return true;
}

static uint64_t allocated(int fd)
{
    struct stat st;

    g_assert(fstat(fd, &st) == 0);
    return (uint64_t)st.st_blocks * 512;
}

static void machine_init(Machine *m)
{
    memset(m, 0, sizeof(*m));
    memory_region_init(&m->root, NULL, "system", UINT64_MAX);
    address_space_init(&m->as, &m->root, "memory");

    g_assert(memory_region_init_ram(&m->ram, NULL, "ram", RAM_SIZE,
                                    &error_abort));
    memory_region_init_alias(&m->below, NULL, "ram-below-4g", &m->ram, 0,
                             BELOW_SIZE);
    memory_region_init_alias(&m->above, NULL, "ram-above-4g", &m->ram,
                             ABOVE_OFFSET, RAM_SIZE - ABOVE_OFFSET);
    memory_region_add_subregion(&m->root, 0, &m->below);
    memory_region_add_subregion(&m->root, ABOVE_GPA, &m->above);

    m->vmem_fd = memfd_create("test-tpm-ppi", MFD_CLOEXEC);
    g_assert(m->vmem_fd >= 0 && ftruncate(m->vmem_fd, VMEM_SIZE) == 0);
    g_assert(memory_region_init_ram_from_fd(&m->vmem, NULL, "vmem",
                                            VMEM_SIZE, RAM_SHARED,
                                            dup(m->vmem_fd), 0,
                                            &error_abort));
    fake_rdm_attach(&m->rdm, &m->vmem, VMEM_BLOCK);
    memory_region_add_subregion(&m->root, VMEM_GPA, &m->vmem);

    g_assert(memory_region_init_rom(&m->rom, NULL, "pc.bios", ROM_SIZE,
                                    &error_abort));
    memory_region_add_subregion(&m->root, ROM_GPA, &m->rom);
    g_assert(memory_region_init_ram(&m->pmem, NULL, "pmem", PMEM_SIZE,
                                    &error_abort));
    memory_region_set_nonvolatile(&m->pmem, true);
    memory_region_add_subregion(&m->root, PMEM_GPA, &m->pmem);
    m->caller_buf = g_malloc0(CALLER_SIZE);
    memory_region_init_ram_ptr(&m->caller, NULL, "tpm-crb-cmd", CALLER_SIZE,
                               m->caller_buf);
    memory_region_add_subregion(&m->root, CALLER_GPA, &m->caller);

    tpm_ppi_init(&m->ppi, &m->root, &m->as, 0, PPI_GPA, NULL);
}

static void machine_fini(Machine *m)
{
    MemoryRegion *sub;

    tpm_ppi_uninit(&m->ppi);
    while ((sub = QTAILQ_FIRST(&m->root.subregions))) {
        memory_region_del_subregion(&m->root, sub);
    }
    fake_rdm_detach(&m->rdm);
    memory_region_destroy(&m->below);
    memory_region_destroy(&m->above);
    memory_region_destroy(&m->ram);
    memory_region_destroy(&m->vmem);
    memory_region_destroy(&m->rom);
    memory_region_destroy(&m->pmem);
    memory_region_destroy(&m->caller);
    g_free(m->caller_buf);
    close(m->vmem_fd);
    address_space_destroy(&m->as);
    memory_region_destroy(&m->root);
}

/*
 * The guest's state before the reset: secrets everywhere it can write,
 * stale bytes in an unplugged block (as if its discard had not happened),
 * firmware in ROM, data in pmem and the PPI buffer.  Plugged: blocks
 * 1-2 and 10 (written) and 20 (never written).
 */
static void machine_fill(Machine *m)
{
    fake_rdm_plug(&m->rdm, 1, 2);
    fake_rdm_plug(&m->rdm, 10, 1);
    fake_rdm_plug(&m->rdm, 20, 1);
    memset(host(&m->ram, 0), 0x5a, BELOW_SIZE);
    memset(host(&m->ram, ABOVE_OFFSET), 0xa5, 8 * MiB);
    memset(host(&m->ram, BELOW_SIZE), 0x77, 1 * MiB);   /* not mapped */
    memset(host(&m->vmem, 1 * VMEM_BLOCK), 0x11, 2 * VMEM_BLOCK);
    memset(host(&m->vmem, 10 * VMEM_BLOCK), 0x22, VMEM_BLOCK);
    memset(host(&m->vmem, 5 * VMEM_BLOCK), 0x33, VMEM_BLOCK); /* unplugged */
    memset(host(&m->rom, 0), 0xea, ROM_SIZE);
    memset(host(&m->pmem, 0), 0x99, PMEM_SIZE);
    memset(m->caller_buf, 0x44, CALLER_SIZE);
    memset(m->ppi.buf, 0x00, TPM_PPI_ADDR_SIZE);
    m->ppi.buf[TPM_PPI_FUNC_OFFSET] = 0x07;
    m->ppi.buf[TPM_PPI_MOVV_OFFSET] = TPM_PPI_MOVV_CLEAR_MEMORY;
}

static void clean_all(MemoryRegion *mr)
{
    for (unsigned c = 0; c < DIRTY_MEMORY_NUM; c++) {
        memory_region_reset_dirty(mr, 0, memory_region_size(mr), c);
    }
}

/* Every page of @mr in [start, end) has dirty state @dirty (all clients). */
static void check_dirty(MemoryRegion *mr, uint64_t start, uint64_t end,
                        bool dirty)
{
    for (uint64_t a = start; a < end; a += PAGE) {
        for (unsigned c = 0; c < DIRTY_MEMORY_NUM; c++) {
            if (memory_region_get_dirty(mr, a, PAGE, c) != dirty) {
                g_error("%s page 0x%" PRIx64 " client %u: dirty=%d, "
                        "expected %d", memory_region_name(mr), a, c, !dirty,
                        dirty);
            }
        }
    }
}

static void test_dirty_range_in_own_region(void)
{
    Machine m;

    machine_init(&m);
    machine_fill(&m);
    clean_all(&m.ram);
    clean_all(&m.vmem);
    clean_all(&m.caller);
    g_assert(tpm_ppi_reset(&m.ppi));

    /* ram-above-4g's block starts 32 MiB into "ram": [32M, 64M) only. */
    check_dirty(&m.ram, 0, BELOW_SIZE, true);
    check_dirty(&m.ram, BELOW_SIZE, ABOVE_OFFSET, false);
    check_dirty(&m.ram, ABOVE_OFFSET, RAM_SIZE, true);
    /* The plugged runs of vmem, at their offsets; nothing else. */
    check_dirty(&m.vmem, 0, VMEM_BLOCK, false);
    check_dirty(&m.vmem, VMEM_BLOCK, 3 * VMEM_BLOCK, true);
    check_dirty(&m.vmem, 3 * VMEM_BLOCK, 10 * VMEM_BLOCK, false);
    check_dirty(&m.vmem, 10 * VMEM_BLOCK, 11 * VMEM_BLOCK, true);
    check_dirty(&m.vmem, 11 * VMEM_BLOCK, 20 * VMEM_BLOCK, false);
    check_dirty(&m.vmem, 20 * VMEM_BLOCK, 21 * VMEM_BLOCK, true);
    check_dirty(&m.vmem, 21 * VMEM_BLOCK, VMEM_SIZE, false);
    check_dirty(&m.caller, 0, CALLER_SIZE, true);
    /* Not cleared, not dirtied. */
    check_dirty(&m.rom, 0, ROM_SIZE, false);
    check_dirty(&m.pmem, 0, PMEM_SIZE, false);
    machine_fini(&m);
}

static void test_clears_plugged_only(void)
{
    TPMPPIClearStats *st;
    uint64_t before;
    Machine m;

    machine_init(&m);
    machine_fill(&m);
    before = allocated(m.vmem_fd);
    g_assert_cmpuint(before, ==, 4 * VMEM_BLOCK);
    g_assert(tpm_ppi_reset(&m.ppi));
    st = &m.ppi.last_clear;
    /* Measured before anything reads vmem (a read fault allocates). */
    g_assert_cmpuint(allocated(m.vmem_fd), ==, VMEM_BLOCK);

    /* below, above, vmem 1-2, 10, 20, the caller's buffer; ROM skipped */
    g_assert_cmpuint(st->blocks, ==, 6);
    g_assert_cmpuint(st->skipped, ==, 1);
    g_assert_cmpuint(st->bytes, ==, BELOW_SIZE + (RAM_SIZE - ABOVE_OFFSET) +
                     4 * VMEM_BLOCK + CALLER_SIZE);
    g_assert_cmpuint(st->zero.written, ==, CALLER_SIZE);
    g_assert_cmpuint(m.ppi.clears, ==, 1);

    g_assert(all_equal(host(&m.ram, 0), BELOW_SIZE, 0));
    g_assert(all_equal(host(&m.ram, ABOVE_OFFSET), 8 * MiB, 0));
    g_assert(all_equal(host(&m.vmem, 1 * VMEM_BLOCK), 2 * VMEM_BLOCK, 0));
    g_assert(all_equal(host(&m.vmem, 10 * VMEM_BLOCK), VMEM_BLOCK, 0));
    g_assert(all_equal(m.caller_buf, CALLER_SIZE, 0));
    /* Untouched: unmapped RAM, unplugged memory, ROM, pmem, PPI. */
    g_assert(all_equal(host(&m.ram, BELOW_SIZE), 1 * MiB, 0x77));
    g_assert(all_equal(host(&m.vmem, 5 * VMEM_BLOCK), VMEM_BLOCK, 0x33));
    g_assert(all_equal(host(&m.rom, 0), ROM_SIZE, 0xea));
    g_assert(all_equal(host(&m.pmem, 0), PMEM_SIZE, 0x99));
    g_assert_cmpuint(m.ppi.buf[TPM_PPI_FUNC_OFFSET], ==, 0x07);
    /* The firmware owns the MOR byte: left as the guest wrote it. */
    g_assert_cmpuint(m.ppi.buf[TPM_PPI_MOVV_OFFSET], ==,
                     TPM_PPI_MOVV_CLEAR_MEMORY);
    machine_fini(&m);
}

static void test_only_bit0(void)
{
    Machine m;

    machine_init(&m);
    machine_fill(&m);
    m.ppi.buf[TPM_PPI_MOVV_OFFSET] = 0xfe;
    g_assert(!tpm_ppi_reset(&m.ppi));
    g_assert(all_equal(host(&m.ram, 0), BELOW_SIZE, 0x5a));
    g_assert(all_equal(host(&m.vmem, 10 * VMEM_BLOCK), VMEM_BLOCK, 0x22));
    g_assert_cmpuint(m.ppi.clears, ==, 0);

    m.ppi.buf[TPM_PPI_MOVV_OFFSET] = 0x03;
    g_assert(tpm_ppi_reset(&m.ppi));
    g_assert(all_equal(host(&m.ram, 0), BELOW_SIZE, 0));
    g_assert_cmpuint(m.ppi.buf[TPM_PPI_MOVV_OFFSET], ==, 0x03);
    machine_fini(&m);
}

typedef struct UnplugAll {
    Machine *m;
    bool discard_fails;
    uint64_t clears_seen;
} UnplugAll;

/* What virtio-mem's system-reset handler does (an ordinary handler). */
static void unplug_all(void *opaque)
{
    UnplugAll *u = opaque;
    RAMBlock *rb = memory_region_get_ram_block(&u->m->vmem);

    u->clears_seen = u->m->ppi.clears;
    if (u->discard_fails) {
        return;     /* virtio-mem then leaves everything plugged */
    }
    g_assert(ram_block_discard_range(rb, 0, VMEM_SIZE) == 0);
    fake_rdm_unplug(&u->m->rdm, 0, VMEM_SIZE / VMEM_BLOCK);
}

static void test_late_phase(void)
{
    Machine m;
    UnplugAll u = { .m = &m };

    machine_init(&m);
    machine_fill(&m);
    /* Registered after the PPI, yet it runs first. */
    qemu_register_reset(unplug_all, &u);
    qemu_system_reset(SHUTDOWN_CAUSE_NONE);
    g_assert_cmpuint(u.clears_seen, ==, 0);
    g_assert_cmpuint(m.ppi.clears, ==, 1);
    /* The unplugged memory was not cleared again, nor populated. */
    g_assert_cmpuint(m.ppi.last_clear.blocks, ==, 3);
    g_assert_cmpuint(allocated(m.vmem_fd), ==, 0);
    g_assert(all_equal(host(&m.ram, 0), BELOW_SIZE, 0));

    /* The unplug fails: the plugged blocks are still zeroed. */
    machine_fill(&m);
    u.discard_fails = true;
    qemu_system_reset(SHUTDOWN_CAUSE_NONE);
    g_assert_cmpuint(m.ppi.last_clear.blocks, ==, 6);
    g_assert_cmpuint(allocated(m.vmem_fd), ==, VMEM_BLOCK);
    g_assert(all_equal(host(&m.vmem, 1 * VMEM_BLOCK), 2 * VMEM_BLOCK, 0));
    g_assert(all_equal(host(&m.vmem, 10 * VMEM_BLOCK), VMEM_BLOCK, 0));
    qemu_unregister_reset(unplug_all, &u);
    machine_fini(&m);
}

static void test_ignore_discard_manager(void)
{
    Machine m;

    machine_init(&m);
    machine_fill(&m);
    /* x-ignore-discard-manager=on: QEMU before the series, all of vmem. */
    m.ppi.blocks_flags = GUEST_PHYS_BLOCKS_IGNORE_DISCARD_MANAGER;
    g_assert(tpm_ppi_reset(&m.ppi));
    g_assert_cmpuint(m.ppi.last_clear.blocks, ==, 4);
    g_assert_cmpuint(allocated(m.vmem_fd), ==, 0);
    g_assert(all_equal(host(&m.vmem, 5 * VMEM_BLOCK), VMEM_BLOCK, 0));
    machine_fini(&m);
}

static void test_repeated(void)
{
    enum { ROUNDS = 1000, SAMPLE = 100 };
    size_t heap_after_sample = 0;
    Machine m;

    machine_init(&m);
    for (int i = 0; i < ROUNDS; i++) {
        memset(host(&m.ram, 0), i, 1 * MiB);
        memset(host(&m.ram, ABOVE_OFFSET), i, 1 * MiB);
        m.ppi.buf[TPM_PPI_MOVV_OFFSET] = TPM_PPI_MOVV_CLEAR_MEMORY;
        qemu_system_reset(SHUTDOWN_CAUSE_NONE);
        g_assert(all_equal(host(&m.ram, 0), 1 * MiB, 0));
        if (i == SAMPLE - 1) {
            heap_after_sample = mallinfo2().uordblks;
        }
    }
    g_assert_cmpuint(m.ppi.clears, ==, ROUNDS);
    /*
     * Constant cost per reset: no list or bitmap that keeps growing.  The
     * heap in use, not the time, is compared (a timed assertion fails on a
     * loaded machine; the time per reset is measured by bench-mor-reset).
     */
    g_assert_cmpuint(mallinfo2().uordblks, <=, heap_after_sample + 4096);
    machine_fini(&m);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tpm-ppi/mor/dirty-range-in-own-region",
                    test_dirty_range_in_own_region);
    g_test_add_func("/tpm-ppi/mor/clears-plugged-only",
                    test_clears_plugged_only);
    g_test_add_func("/tpm-ppi/mor/only-bit0", test_only_bit0);
    g_test_add_func("/tpm-ppi/mor/late-phase", test_late_phase);
    g_test_add_func("/tpm-ppi/mor/ignore-discard-manager",
                    test_ignore_discard_manager);
    g_test_add_func("/tpm-ppi/mor/repeated", test_repeated);
    return g_test_run();
}
