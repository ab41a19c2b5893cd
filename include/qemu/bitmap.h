/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bitmap.h: bit arrays of unsigned long words, bit 0 the least significant
 * bit of word 0, as in QEMU and Linux.
 *
 * The search helpers (find_next_bit / find_next_zero_bit) skip whole words,
 * so walking the runs of a sparse bitmap costs O(runs + words scanned), and
 * a run of set bits is found in O(run length / BITS_PER_LONG).
 * Sizes and positions are in bits; @size is exclusive.
 */
#ifndef QEMU_BITMAP_H
#define QEMU_BITMAP_H

#define BITS_PER_BYTE 8
#define BITS_PER_LONG (sizeof(unsigned long) * BITS_PER_BYTE)
#define BIT_WORD(nr) ((nr) / BITS_PER_LONG)
#define BIT_MASK(nr) (1UL << ((nr) % BITS_PER_LONG))
#define BITS_TO_LONGS(nr) DIV_ROUND_UP((uint64_t)(nr), BITS_PER_LONG)

/** bitmap_new: a zeroed bitmap of @nbits bits; free with g_free(). */
static inline unsigned long *bitmap_new(uint64_t nbits)
{
    return g_new0(unsigned long, BITS_TO_LONGS(nbits) ? BITS_TO_LONGS(nbits) : 1);
}

/** bitmap_try_new: as bitmap_new() but NULL when memory is short. */
static inline unsigned long *bitmap_try_new(uint64_t nbits)
{
    return g_try_new0(unsigned long,
                      BITS_TO_LONGS(nbits) ? BITS_TO_LONGS(nbits) : 1);
}

static inline void set_bit(uint64_t nr, unsigned long *addr)
{
    addr[BIT_WORD(nr)] |= BIT_MASK(nr);
}

static inline void clear_bit(uint64_t nr, unsigned long *addr)
{
    addr[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

static inline bool test_bit(uint64_t nr, const unsigned long *addr)
{
    return addr[BIT_WORD(nr)] & BIT_MASK(nr);
}

/** bitmap_set: set bits [@start, @start + @nr). */
void bitmap_set(unsigned long *map, uint64_t start, uint64_t nr);
/** bitmap_clear: clear bits [@start, @start + @nr). */
void bitmap_clear(unsigned long *map, uint64_t start, uint64_t nr);
/** bitmap_zero: clear the first @nbits bits. */
void bitmap_zero(unsigned long *map, uint64_t nbits);

/**
 * find_next_bit: the first set bit at or after @offset, below @size.
 *
 * Returns: its index, or @size when there is none.
 */
uint64_t find_next_bit(const unsigned long *addr, uint64_t size,
                       uint64_t offset);
/** find_next_zero_bit: as find_next_bit() for clear bits. */
uint64_t find_next_zero_bit(const unsigned long *addr, uint64_t size,
                            uint64_t offset);

static inline uint64_t find_first_bit(const unsigned long *addr,
                                      uint64_t size)
{
    return find_next_bit(addr, size, 0);
}

/** bitmap_weight: number of set bits among the first @nbits. */
uint64_t bitmap_weight(const unsigned long *map, uint64_t nbits);

/** bitmap_range_all_set: true if bits [@start, @start + @nr) are all set. */
static inline bool bitmap_range_all_set(const unsigned long *map,
                                        uint64_t start, uint64_t nr)
{
    return find_next_zero_bit(map, start + nr, start) >= start + nr;
}

/** bitmap_range_all_clear: true if bits [@start, @start + @nr) are clear. */
static inline bool bitmap_range_all_clear(const unsigned long *map,
                                          uint64_t start, uint64_t nr)
{
    return find_next_bit(map, start + nr, start) >= start + nr;
}

#endif /* QEMU_BITMAP_H */
