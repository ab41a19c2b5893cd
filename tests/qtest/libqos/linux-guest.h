/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux-guest.h: make the qtest guest look like a booted x86-64 Linux
 * kernel to dump readers (crash, drgn, gdb), without running one:
 *
 *   - vCPU 0 in long mode as the kernel leaves it (CR0.PE|PG, CR4.PAE,
 *     EFER.LME -> LMA, CR3 = swapper_pg_dir, 64-bit CS 0x10, RIP in the
 *     kernel text, RSP on a kernel stack), set with qtest "cpu_set";
 *   - 4-level page tables at swapper_pg_dir mapping the kernel image
 *     (__START_KERNEL_map, 0xffffffff80000000 -> phys_base) with 2 MiB
 *     pages and the direct map (0xffff888000000000 -> 0) with 1 GiB pages;
 *   - init_uts_ns (struct uts_namespace, name first: "Linux", nodename,
 *     release, version, machine "x86_64", domainname; 65 bytes each);
 *   - a VMCOREINFO note with the lines the readers need (OSRELEASE,
 *     PAGESIZE, SYMBOL(init_uts_ns), SYMBOL(swapper_pg_dir),
 *     SYMBOL(_stext), OFFSET(uts_namespace.name), NUMBER(phys_base),
 *     NUMBER(KERNEL_IMAGE_SIZE), NUMBER(pgtable_l5_enabled), KERNELOFFSET)
 *     published through fw_cfg etc/vmcoreinfo (fw-cfg.h).
 *
 * The kernel image occupies [QLINUX_IMAGE_PHYS, + 32 MiB) of guest RAM:
 * give the machine at least 128 MiB and keep allocators above it.
 */
#ifndef LIBQOS_LINUX_GUEST_H
#define LIBQOS_LINUX_GUEST_H

#include "libqos/fw-cfg.h"

#define QLINUX_KERNEL_MAP       0xffffffff80000000ULL   /* __START_KERNEL_map */
#define QLINUX_PAGE_OFFSET      0xffff888000000000ULL
#define QLINUX_PHYS_BASE        0ULL            /* not relocated */
#define QLINUX_IMAGE_PHYS       0x1000000ULL    /* _stext: 16 MiB */
#define QLINUX_PGD_PHYS         0x2000000ULL    /* swapper_pg_dir */
#define QLINUX_UTS_PHYS         0x2010000ULL    /* init_uts_ns */
#define QLINUX_STACK_PHYS       0x2020000ULL    /* top of the idle stack */
#define QLINUX_IMAGE_END        0x3000000ULL    /* exclusive */
#define QLINUX_RELEASE          "6.1.0-sparsevm-qtest"

/** qlinux_vaddr: the kernel-image virtual address of image phys @pa. */
static inline uint64_t qlinux_vaddr(uint64_t pa)
{
    return pa - QLINUX_PHYS_BASE + QLINUX_KERNEL_MAP;
}

/**
 * qlinux_guest_setup: write the page tables and init_uts_ns, put vCPU 0
 * in long mode, and publish the VMCOREINFO note (from @alloc, which must
 * hand out memory outside the image).
 * Returns: the note's guest-physical address.
 */
uint64_t qlinux_guest_setup(QTestState *qts, QGuestAllocator *alloc);

/** qlinux_long_mode: only the vCPU part of qlinux_guest_setup(). */
void qlinux_long_mode(QTestState *qts, unsigned cpu);

/** qlinux_vmcoreinfo_text: the note's text (g_free it). */
char *qlinux_vmcoreinfo_text(void);

#endif /* LIBQOS_LINUX_GUEST_H */
