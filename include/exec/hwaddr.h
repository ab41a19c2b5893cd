/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hwaddr.h: address types.
 *
 * hwaddr      a guest-physical address, or an offset within a MemoryRegion.
 * ram_addr_t  an offset within one RAMBlock (not a global RAM address: each
 *             RAMBlock has its own dirty bitmaps, so none is needed).
 */
#ifndef EXEC_HWADDR_H
#define EXEC_HWADDR_H

typedef uint64_t hwaddr;
#define HWADDR_MAX UINT64_MAX
#define HWADDR_PRIx PRIx64

typedef uint64_t ram_addr_t;
#define RAM_ADDR_MAX UINT64_MAX

/* The guest page size dumps and dirty bitmaps work in (x86). */
#define TARGET_PAGE_BITS 12
#define TARGET_PAGE_SIZE (1ULL << TARGET_PAGE_BITS)
#define TARGET_PAGE_MASK (~(TARGET_PAGE_SIZE - 1))

#endif /* EXEC_HWADDR_H */
