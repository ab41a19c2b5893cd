/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * int128.h: the 128-bit integer the memory core uses for sizes and ends so
 * that a region covering all of the 64-bit address space (size 2^64) is
 * representable.  We rely on the compiler's __int128 (gcc and clang on
 * x86_64); the helpers exist to make intent visible at call sites.
 */
#ifndef QEMU_INT128_H
#define QEMU_INT128_H

typedef __int128 Int128;

static inline Int128 int128_make64(uint64_t v)
{
    return (Int128)v;
}

static inline Int128 int128_2_64(void)
{
    return (Int128)1 << 64;
}

static inline Int128 int128_zero(void)
{
    return 0;
}

/** int128_get64: @v as uint64_t; @v must fit (caller bug otherwise). */
static inline uint64_t int128_get64(Int128 v)
{
    assert(v >= 0 && v <= (Int128)UINT64_MAX);
    return (uint64_t)v;
}

static inline bool int128_nz(Int128 v)
{
    return v != 0;
}

static inline Int128 int128_min(Int128 a, Int128 b)
{
    return a < b ? a : b;
}

static inline Int128 int128_max(Int128 a, Int128 b)
{
    return a > b ? a : b;
}

#endif /* QEMU_INT128_H */
