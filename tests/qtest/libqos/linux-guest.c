/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux-guest.c: the qtest guest dressed as a booted x86-64 Linux kernel
 * for dump readers (see linux-guest.h).  The values follow Linux's
 * x86-64 layout (arch/x86/include/asm/page_64_types.h, pgtable_64.h,
 * include/linux/utsname.h, kernel/crash_core.c's VMCOREINFO lines).
 */
#include <glib.h>
#include <string.h>
#include "libqos/linux-guest.h"

#define PTE_PRESENT     0x001ULL
#define PTE_RW          0x002ULL
#define PTE_PSE         0x080ULL        /* large page (PD / PDPT level) */
#define PTE_GLOBAL      0x100ULL
#define UTS_FIELD       65              /* __NEW_UTS_LEN + 1 */
#define KERNEL_CS       0x10            /* GDT_ENTRY_KERNEL_CS * 8 */
#define KERNEL_DS       0x18

/* the tables, one page each, right after swapper_pg_dir */
#define PDPT_KMAP   (QLINUX_PGD_PHYS + 0x1000)
#define PD_KMAP     (QLINUX_PGD_PHYS + 0x2000)
#define PDPT_DMAP   (QLINUX_PGD_PHYS + 0x3000)

static void write_u64(QTestState *qts, uint64_t pa, uint64_t v)
{
    qtest_writeq(qts, pa, v);
}

static void page_tables(QTestState *qts)
{
    uint64_t flags = PTE_PRESENT | PTE_RW;

    qtest_memset(qts, QLINUX_PGD_PHYS, 0, 4 * 4096);
    /* kernel image: PML4[511] -> PDPT[510] -> 2 MiB pages of 1 GiB */
    write_u64(qts, QLINUX_PGD_PHYS + 511 * 8, PDPT_KMAP | flags);
    write_u64(qts, PDPT_KMAP + 510 * 8, PD_KMAP | flags);
    for (uint64_t i = 0; i < 512; i++) {
        write_u64(qts, PD_KMAP + i * 8, (QLINUX_PHYS_BASE + (i << 21)) |
                  flags | PTE_PSE | PTE_GLOBAL);
    }
    /* direct map: PML4[273] -> one 1 GiB page at physical 0 */
    write_u64(qts, QLINUX_PGD_PHYS + 273 * 8, PDPT_DMAP | flags);
    write_u64(qts, PDPT_DMAP, 0 | flags | PTE_PSE | PTE_GLOBAL);
}

static void uts_namespace(QTestState *qts)
{
    static const char *const fields[6] = {
        "Linux", "sparsevm", QLINUX_RELEASE,
        "#1 SMP PREEMPT_DYNAMIC (qtest guest)", "x86_64", "(none)",
    };
    uint8_t name[6 * UTS_FIELD] = { 0 };

    for (int i = 0; i < 6; i++) {
        g_strlcpy((char *)name + i * UTS_FIELD, fields[i], UTS_FIELD);
    }
    qtest_memwrite(qts, QLINUX_UTS_PHYS, name, sizeof(name));
}

void qlinux_long_mode(QTestState *qts, unsigned cpu)
{
    /* the order a kernel's startup_64 path leaves behind */
    qtest_cpu_set(qts, cpu, "cr4", 0x20);               /* PAE */
    qtest_cpu_set(qts, cpu, "cr3", QLINUX_PGD_PHYS);
    qtest_cpu_set(qts, cpu, "efer", 0x100 | 0x800 | 0x1); /* LME NXE SCE */
    qtest_cpu_set(qts, cpu, "cr0", 0x80050033);         /* PG WP NE ET MP PE */
    qtest_cpu_set(qts, cpu, "cs", KERNEL_CS);
    qtest_cpu_set(qts, cpu, "cs.base", 0);
    qtest_cpu_set(qts, cpu, "cs.limit", 0xffffffff);
    qtest_cpu_set(qts, cpu, "cs.flags", 0xa09b00);      /* L, P, code */
    qtest_cpu_set(qts, cpu, "ss", KERNEL_DS);
    qtest_cpu_set(qts, cpu, "ds", 0);
    qtest_cpu_set(qts, cpu, "es", 0);
    qtest_cpu_set(qts, cpu, "rip", qlinux_vaddr(QLINUX_IMAGE_PHYS + 0x1234));
    qtest_cpu_set(qts, cpu, "rsp", qlinux_vaddr(QLINUX_STACK_PHYS - 0x100));
    qtest_cpu_set(qts, cpu, "rbp", qlinux_vaddr(QLINUX_STACK_PHYS - 0x80));
    qtest_cpu_set(qts, cpu, "rflags", 0x246);
    qtest_cpu_set(qts, cpu, "gs_base", QLINUX_PAGE_OFFSET + 0x3000000);
    g_assert_cmphex(qtest_cpu_get(qts, cpu, "efer") & 0x400, ==, 0x400);
}

char *qlinux_vmcoreinfo_text(void)
{
    return g_strdup_printf(
        "OSRELEASE=%s\n"
        "PAGESIZE=4096\n"
        "SYMBOL(init_uts_ns)=%" G_GINT64_MODIFIER "x\n"
        "OFFSET(uts_namespace.name)=0\n"
        "SYMBOL(swapper_pg_dir)=%" G_GINT64_MODIFIER "x\n"
        "SYMBOL(init_top_pgt)=%" G_GINT64_MODIFIER "x\n"
        "SYMBOL(_stext)=%" G_GINT64_MODIFIER "x\n"
        "NUMBER(pgtable_l5_enabled)=0\n"
        "NUMBER(phys_base)=%" G_GINT64_MODIFIER "u\n"
        "NUMBER(KERNEL_IMAGE_SIZE)=%u\n"
        "KERNELOFFSET=0\n",
        QLINUX_RELEASE, (guint64)qlinux_vaddr(QLINUX_UTS_PHYS),
        (guint64)qlinux_vaddr(QLINUX_PGD_PHYS),
        (guint64)qlinux_vaddr(QLINUX_PGD_PHYS),
        (guint64)qlinux_vaddr(QLINUX_IMAGE_PHYS),
        (guint64)QLINUX_PHYS_BASE, 1u << 30);
}

uint64_t qlinux_guest_setup(QTestState *qts, QGuestAllocator *alloc)
{
    g_autofree char *text = qlinux_vmcoreinfo_text();

    page_tables(qts);
    uts_namespace(qts);
    qlinux_long_mode(qts, 0);
    return qvmcoreinfo_publish(qts, alloc, text);
}
