/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pagemap.h: /proc/self/pagemap, as the kernel documents it
 * (Documentation/admin-guide/mm/pagemap.rst): the bits of an entry, and
 * PAGEMAP_SCAN (Linux 6.7, include/uapi/linux/fs.h), which reports runs
 * of pages in given states in one ioctl.  Debian 12's headers (6.1) lack
 * the ioctl; the layout and values are the kernel's uapi.
 */
#ifndef QEMU_PAGEMAP_H
#define QEMU_PAGEMAP_H

#include <linux/fs.h>

/* Bits of a /proc/self/pagemap entry. */
#define PAGEMAP_PRESENT (1ULL << 63)
#define PAGEMAP_SWAPPED (1ULL << 62)
#define PAGEMAP_FILE    (1ULL << 61)    /* file page or shared anonymous */
#define PAGEMAP_UFFD_WP (1ULL << 57)    /* write-protected by userfaultfd */

#ifndef PAGEMAP_SCAN
struct page_region {
    uint64_t start;
    uint64_t end;
    uint64_t categories;
};

struct pm_scan_arg {
    uint64_t size;
    uint64_t flags;
    uint64_t start;
    uint64_t end;
    uint64_t walk_end;
    uint64_t vec;
    uint64_t vec_len;
    uint64_t max_pages;
    uint64_t category_inverted;
    uint64_t category_mask;
    uint64_t category_anyof_mask;
    uint64_t return_mask;
};

#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_WRITTEN (1 << 1)
#define PAGE_IS_PRESENT (1 << 3)
#define PAGE_IS_SWAPPED (1 << 4)
#define PAGE_IS_HUGE (1 << 6)
#endif

#endif /* QEMU_PAGEMAP_H */
