/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hugepages.h: tests' access to the host's pool of default-size huge
 * pages (/proc/sys/vm/nr_hugepages).  Changing the pool needs root and
 * affects the whole host: a test that does it restores the old size and
 * does not run in parallel with another that does.
 */
#ifndef TESTS_HOST_HUGEPAGES_H
#define TESTS_HOST_HUGEPAGES_H

/* hugepage_pool_size: pages in the pool; -1 if it cannot be read. */
long hugepage_pool_size(void);

/* hugepage_pool_set: resize the pool; true if it now holds exactly @n. */
bool hugepage_pool_set(long n);

/* hugepage_pool_free: HugePages_Free of /proc/meminfo; -1 if unknown. */
long hugepage_pool_free(void);

#endif
