/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run-bitmap.h: a bitmap whose runs of set and clear bits are found in
 * time independent of where they are: next-set and next-clear searches
 * cost O(levels) word reads (at most 11 levels for 2^64 bits; 4 for a
 * 1 TiB region of 1 MiB blocks), not O(distance / BITS_PER_LONG) as the
 * flat find_next_bit() of bitmap.h does.
 *
 * Layout: level 0 holds the bits.  Summary level k (1 <= k <= levels)
 * has one bit per word of level k-1, twice over:
 *   any[k]  bit i set  <=>  word i of the level below has a set bit
 *                           (level 1 looks at the bits; level k>1 at any[k-1])
 *   full[k] bit i set  <=>  word i of the level below has every valid bit
 *                           set (level 1 looks at the bits; level k>1 at
 *                           full[k-1]); bits past the end count as set
 * The top level is a single word.  Invariant: after every update both
 * summaries agree with the level below (run_bitmap_check() verifies it).
 *
 * Memory: nbits / 8 bytes for level 0 plus about 1/32 of that for the
 * summaries, allocated zeroed with calloc-like semantics: the kernel
 * hands out untouched zero pages lazily, so a bitmap for a large region
 * costs host memory only where bits were ever set.
 *
 * Updates are not thread-safe: the owner serialises them (the main loop).
 * Searches only read, and may run on several threads while no update
 * runs (the dump writer replays while the VM is stopped).
 */
#ifndef QEMU_RUN_BITMAP_H
#define QEMU_RUN_BITMAP_H

#define RUN_BITMAP_MAX_LEVELS 11

/**
 * struct RunBitmapStats: work counters, for tests that check cost
 * (updated with relaxed atomic adds).
 * @words_scanned: words read by the searches (every level).
 * @searches: calls of run_bitmap_next_set / _next_clear.
 */
typedef struct RunBitmapStats {
    uint64_t words_scanned;
    uint64_t searches;
} RunBitmapStats;

typedef struct RunBitmap RunBitmap;

/**
 * run_bitmap_try_new: a bitmap of @nbits clear bits (@nbits may be 0).
 * Returns: the bitmap (free with run_bitmap_free), or NULL if the memory
 * could not be allocated.
 */
RunBitmap *run_bitmap_try_new(uint64_t nbits);
void run_bitmap_free(RunBitmap *rb);

/** run_bitmap_size: the number of bits. */
uint64_t run_bitmap_size(const RunBitmap *rb);
/** run_bitmap_weight: the number of set bits, in O(1). */
uint64_t run_bitmap_weight(const RunBitmap *rb);
/** run_bitmap_test: bit @nr (@nr < size). */
bool run_bitmap_test(const RunBitmap *rb, uint64_t nr);

/**
 * run_bitmap_set_range / run_bitmap_clear_range: set or clear bits
 * [@start, @start + @nr).  The range must lie inside the bitmap (caller
 * bug otherwise).  Cost: O(@nr / BITS_PER_LONG + levels).
 */
void run_bitmap_set_range(RunBitmap *rb, uint64_t start, uint64_t nr);
void run_bitmap_clear_range(RunBitmap *rb, uint64_t start, uint64_t nr);
/** run_bitmap_clear_all: clear every bit; O(set words), not O(size). */
void run_bitmap_clear_all(RunBitmap *rb);

/**
 * run_bitmap_next_set: the first set bit at or after @start.
 * Returns: its index, or the bitmap size if there is none (also when
 * @start >= size).
 */
uint64_t run_bitmap_next_set(const RunBitmap *rb, uint64_t start);
/** run_bitmap_next_clear: the same for clear bits. */
uint64_t run_bitmap_next_clear(const RunBitmap *rb, uint64_t start);

/**
 * run_bitmap_all_set / run_bitmap_all_clear: whether every bit of
 * [@start, @start + @nr) is set (clear).  True for @nr == 0.  The range
 * must lie inside the bitmap.
 */
bool run_bitmap_all_set(const RunBitmap *rb, uint64_t start, uint64_t nr);
bool run_bitmap_all_clear(const RunBitmap *rb, uint64_t start, uint64_t nr);

/**
 * run_bitmap_stats: the work counters (borrowed; tests may reset them by
 * writing zeros).  The counters are updated by the const search
 * functions too: they are bookkeeping, not bitmap state.
 */
RunBitmapStats *run_bitmap_stats(const RunBitmap *rb);

/**
 * run_bitmap_check: verify the summary invariant over the whole bitmap
 * (O(size): for tests).
 * Returns: true if consistent.
 */
bool run_bitmap_check(const RunBitmap *rb);

#endif /* QEMU_RUN_BITMAP_H */
