/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * range.h: helpers for ranges given as (start, length) with 64-bit wrap
 * checks.  "end" is exclusive, "last" inclusive; a range that touches 2^64
 * is described by its last byte so it stays representable.
 */
#ifndef QEMU_RANGE_H
#define QEMU_RANGE_H

/**
 * range_covers_byte: true if [@offset, @offset + @len) holds @byte.
 * @len == 0 covers nothing.
 */
static inline bool range_covers_byte(uint64_t offset, uint64_t len,
                                     uint64_t byte)
{
    return len && byte >= offset && byte - offset < len;
}

/**
 * ranges_overlap: true if [@first1, +@len1) and [@first2, +@len2) share a
 * byte.  Empty ranges overlap nothing.  Handles ranges ending at 2^64.
 */
static inline bool ranges_overlap(uint64_t first1, uint64_t len1,
                                  uint64_t first2, uint64_t len2)
{
    uint64_t last1 = first1 + len1 - 1;
    uint64_t last2 = first2 + len2 - 1;

    if (!len1 || !len2) {
        return false;
    }
    return !(last2 < first1 || last1 < first2);
}

/**
 * range_add_overflows: true if @start + @len wraps past 2^64 (a range
 * ending exactly at 2^64 is allowed: its last byte is UINT64_MAX).
 */
static inline bool range_add_overflows(uint64_t start, uint64_t len)
{
    return len && start + (len - 1) < start;
}

#endif /* QEMU_RANGE_H */
