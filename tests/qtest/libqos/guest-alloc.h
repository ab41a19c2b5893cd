/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guest-alloc.h: a simple allocator of guest-physical memory for test
 * drivers (virtqueues, request buffers).  It only does bookkeeping on the
 * test side: nothing is written to the guest when memory is handed out or
 * returned.  First fit over a sorted free list, neighbours merged on free.
 */
#ifndef LIBQOS_GUEST_ALLOC_H
#define LIBQOS_GUEST_ALLOC_H

#include <glib.h>
#include <stdint.h>

typedef struct QGuestAllocator QGuestAllocator;

/**
 * guest_alloc_new: hand out [@start, @end) of guest-physical memory (RAM
 * the test knows is there, e.g. 1 MiB up to the end of -m).
 * Returns: a new allocator; free with guest_alloc_destroy().
 */
QGuestAllocator *guest_alloc_new(uint64_t start, uint64_t end);
/** guest_alloc_destroy: forget the allocator (and what it handed out). */
void guest_alloc_destroy(QGuestAllocator *a);

/**
 * guest_alloc: @size bytes (> 0) aligned to @align (a power of two).
 * Returns: the guest-physical address; the test fails if nothing fits.
 */
uint64_t guest_alloc(QGuestAllocator *a, uint64_t size, uint64_t align);
/** guest_free: return a block guest_alloc gave (0 is ignored). */
void guest_free(QGuestAllocator *a, uint64_t addr);
/** guest_alloc_in_use: bytes currently handed out. */
uint64_t guest_alloc_in_use(QGuestAllocator *a);

#endif /* LIBQOS_GUEST_ALLOC_H */
