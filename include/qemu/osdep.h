/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * osdep.h: the first header every sparsevm source file includes.
 *
 * It pulls in the C library and glib headers the whole tree relies on and
 * defines the handful of helpers (alignment, container_of, host page size)
 * that QEMU code is written against.  Nothing here knows about guests,
 * devices or memory regions.
 */
#ifndef QEMU_OSDEP_H
#define QEMU_OSDEP_H

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib.h>

#include "qemu/typedefs.h"

#ifndef container_of
#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))
#endif

#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

/* Round @n down/up to a multiple of @m (any positive @m). */
#define QEMU_ALIGN_DOWN(n, m) ((n) / (m) * (m))
#define QEMU_ALIGN_UP(n, m) QEMU_ALIGN_DOWN((n) + (m) - 1, (m))
#define QEMU_IS_ALIGNED(n, m) (((n) % (m)) == 0)
/* Power-of-two variants: @m must be a power of two. */
#define ROUND_DOWN(n, m) ((n) & -(0 ? (n) : (m)))
#define ROUND_UP(n, m) ROUND_DOWN((n) + (m) - 1, (m))

#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define QEMU_PACKED __attribute__((packed))
#define QEMU_NORETURN __attribute__((noreturn))
#define G_GNUC_PRINTF_CHECK(a, b) G_GNUC_PRINTF(a, b)

/**
 * qemu_real_host_page_size: the host's base page size in bytes.
 *
 * Returns: sysconf(_SC_PAGESIZE), cached after the first call.
 */
size_t qemu_real_host_page_size(void);

/** qemu_real_host_page_mask: ~(qemu_real_host_page_size() - 1). */
static inline uintptr_t qemu_real_host_page_mask(void)
{
    return ~(uintptr_t)(qemu_real_host_page_size() - 1);
}

/**
 * qemu_write_full: write all of @buf to @fd, retrying on EINTR and short
 * writes.
 *
 * Returns: the number of bytes written; fewer than @count only on error,
 * in which case errno is set.
 */
size_t qemu_write_full(int fd, const void *buf, size_t count);

/** is_power_of_2: true for 1, 2, 4, ...; false for 0. */
static inline bool is_power_of_2(uint64_t value)
{
    return value && !(value & (value - 1));
}

/** pow2floor: the largest power of two not above @value (0 for 0). */
static inline uint64_t pow2floor(uint64_t value)
{
    return value ? (uint64_t)1 << (63 - __builtin_clzll(value)) : 0;
}

/** ctz64: count trailing zeros, 64 for 0. */
static inline int ctz64(uint64_t val)
{
    return val ? __builtin_ctzll(val) : 64;
}

/** clz64: count leading zeros, 64 for 0. */
static inline int clz64(uint64_t val)
{
    return val ? __builtin_clzll(val) : 64;
}

#endif /* QEMU_OSDEP_H */
