/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run-bitmap.c: a bitmap with summary levels, so that the next set or
 * clear bit is found by climbing to the first summary word that has a
 * candidate and descending again (see include/qemu/run-bitmap.h for the
 * layout and its invariant).  The virtio-mem plugged-block map uses it:
 * replaying the plugged runs of a region then costs O(runs x levels),
 * whatever the size of the region.
 */
#include "qemu/osdep.h"
#include "qemu/bitmap.h"
#include "qemu/run-bitmap.h"

struct RunBitmap {
    uint64_t nbits;
    unsigned levels;        /* summary levels above level 0 */
    /* Per level: valid bits and words.  nvalid[0] == nbits. */
    uint64_t nvalid[RUN_BITMAP_MAX_LEVELS + 1];
    uint64_t nwords[RUN_BITMAP_MAX_LEVELS + 1];
    /* any[0] == full[0] == the bits themselves. */
    unsigned long *any[RUN_BITMAP_MAX_LEVELS + 1];
    unsigned long *full[RUN_BITMAP_MAX_LEVELS + 1];
    uint64_t weight;
    RunBitmapStats *stats;  /* separate so const searches may count */
};

#define WORD_ONES (~0UL)

/*
 * Searches may run on two threads at once (the dump writer replays while
 * the main loop answers is_populated): the counters are relaxed atomics.
 */
static void stat_inc(uint64_t *counter)
{
    __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

/* The bits of word @w of level @k that stand for something. */
static unsigned long valid_mask(const RunBitmap *rb, unsigned k, uint64_t w)
{
    uint64_t end = (w + 1) * BITS_PER_LONG;

    if (end <= rb->nvalid[k]) {
        return WORD_ONES;
    }
    return (1UL << (rb->nvalid[k] % BITS_PER_LONG)) - 1;
}

RunBitmap *run_bitmap_try_new(uint64_t nbits)
{
    RunBitmap *rb = g_new0(RunBitmap, 1);
    unsigned k = 0;

    rb->nbits = nbits;
    rb->stats = g_new0(RunBitmapStats, 1);
    rb->nvalid[0] = nbits;
    rb->nwords[0] = BITS_TO_LONGS(nbits);
    for (;;) {
        uint64_t alloc = MAX(rb->nwords[k], 1);

        rb->any[k] = g_try_new0(unsigned long, alloc);
        if (!rb->any[k]) {
            run_bitmap_free(rb);
            return NULL;
        }
        if (k == 0) {
            rb->full[k] = rb->any[k];
        } else {
            rb->full[k] = g_try_new0(unsigned long, alloc);
            if (!rb->full[k]) {
                run_bitmap_free(rb);
                return NULL;
            }
        }
        if (rb->nwords[k] <= 1) {
            break;
        }
        k++;
        assert(k <= RUN_BITMAP_MAX_LEVELS);
        rb->nvalid[k] = rb->nwords[k - 1];
        rb->nwords[k] = BITS_TO_LONGS(rb->nvalid[k]);
    }
    rb->levels = k;
    return rb;
}

void run_bitmap_free(RunBitmap *rb)
{
    if (!rb) {
        return;
    }
    for (unsigned k = 0; k <= RUN_BITMAP_MAX_LEVELS; k++) {
        if (rb->full[k] != rb->any[k]) {
            g_free(rb->full[k]);
        }
        g_free(rb->any[k]);
    }
    g_free(rb->stats);
    g_free(rb);
}

uint64_t run_bitmap_size(const RunBitmap *rb)
{
    return rb->nbits;
}

uint64_t run_bitmap_weight(const RunBitmap *rb)
{
    return rb->weight;
}

bool run_bitmap_test(const RunBitmap *rb, uint64_t nr)
{
    assert(nr < rb->nbits);
    return test_bit(nr, rb->any[0]);
}

RunBitmapStats *run_bitmap_stats(const RunBitmap *rb)
{
    return rb->stats;
}

/* ---------------------------------------------------------------- updates */

/* Recompute the summary bits for words [@first, @last] of level @k - 1. */
static void summary_update_level(RunBitmap *rb, unsigned k, uint64_t first,
                                 uint64_t last)
{
    for (uint64_t i = first; i <= last; i++) {
        bool any = rb->any[k - 1][i] != 0;
        bool full = (rb->full[k - 1][i] | ~valid_mask(rb, k - 1, i)) ==
                    WORD_ONES;

        if (any) {
            set_bit(i, rb->any[k]);
        } else {
            clear_bit(i, rb->any[k]);
        }
        if (full) {
            set_bit(i, rb->full[k]);
        } else {
            clear_bit(i, rb->full[k]);
        }
    }
}

/* Level-0 words [@first, @last] changed: bring every summary up to date. */
static void summary_update(RunBitmap *rb, uint64_t first, uint64_t last)
{
    for (unsigned k = 1; k <= rb->levels; k++) {
        summary_update_level(rb, k, first, last);
        first /= BITS_PER_LONG;
        last /= BITS_PER_LONG;
    }
}

static void update_range(RunBitmap *rb, uint64_t start, uint64_t nr,
                         bool set)
{
    uint64_t end = start + nr, first, last;

    assert(end >= start && end <= rb->nbits);
    if (!nr) {
        return;
    }
    first = BIT_WORD(start);
    last = BIT_WORD(end - 1);
    for (uint64_t w = first; w <= last; w++) {
        unsigned long mask = WORD_ONES;
        unsigned long *word = &rb->any[0][w];
        unsigned old_count = __builtin_popcountl(*word);

        if (w == first) {
            mask &= WORD_ONES << (start % BITS_PER_LONG);
        }
        if (w == last && end % BITS_PER_LONG) {
            mask &= (1UL << (end % BITS_PER_LONG)) - 1;
        }
        if (set) {
            *word |= mask;
        } else {
            *word &= ~mask;
        }
        rb->weight += __builtin_popcountl(*word);
        rb->weight -= old_count;
    }
    summary_update(rb, first, last);
}

void run_bitmap_set_range(RunBitmap *rb, uint64_t start, uint64_t nr)
{
    update_range(rb, start, nr, true);
}

void run_bitmap_clear_range(RunBitmap *rb, uint64_t start, uint64_t nr)
{
    update_range(rb, start, nr, false);
}

void run_bitmap_clear_all(RunBitmap *rb)
{
    uint64_t pos = run_bitmap_next_set(rb, 0);

    /* Visit only the words that hold set bits. */
    while (pos < rb->nbits) {
        uint64_t w = BIT_WORD(pos);

        rb->weight -= __builtin_popcountl(rb->any[0][w]);
        rb->any[0][w] = 0;
        summary_update(rb, w, w);
        pos = run_bitmap_next_set(rb, (w + 1) * BITS_PER_LONG);
    }
    assert(rb->weight == 0);
}

/* -------------------------------------------------------------- searches */

/*
 * Word @w of level @k as the search for @want_set sees it: a set bit marks
 * a candidate (a set bit, or a word below with a set bit) for the set
 * search; for the clear search, a clear bit of the bits or of a "full"
 * summary, restricted to valid positions.
 */
static unsigned long search_word(const RunBitmap *rb, unsigned k, uint64_t w,
                                 bool want_set)
{
    stat_inc(&rb->stats->words_scanned);
    if (want_set) {
        return rb->any[k][w];
    }
    return ~rb->full[k][w] & valid_mask(rb, k, w);
}

static uint64_t search(const RunBitmap *rb, uint64_t start, bool want_set)
{
    uint64_t pos, w;
    unsigned long word;
    unsigned k;

    stat_inc(&rb->stats->searches);
    if (start >= rb->nbits) {
        return rb->nbits;
    }
    w = BIT_WORD(start);
    word = search_word(rb, 0, w, want_set) &
           (WORD_ONES << (start % BITS_PER_LONG));
    if (word) {
        return MIN(w * BITS_PER_LONG + __builtin_ctzl(word), rb->nbits);
    }

    /* Climb until a summary word shows a candidate after word @w. */
    pos = w + 1;
    for (k = 1;; k++) {
        if (k > rb->levels || pos >= rb->nvalid[k]) {
            return rb->nbits;
        }
        w = BIT_WORD(pos);
        word = search_word(rb, k, w, want_set) &
               (WORD_ONES << (pos % BITS_PER_LONG));
        if (word) {
            pos = w * BITS_PER_LONG + __builtin_ctzl(word);
            break;
        }
        pos = w + 1;
    }

    /* Descend: @pos is a bit of level k, that is a word of level k - 1. */
    while (k-- > 0) {
        word = search_word(rb, k, pos, want_set);
        assert(word);   /* the summary invariant */
        pos = pos * BITS_PER_LONG + __builtin_ctzl(word);
    }
    return MIN(pos, rb->nbits);
}

uint64_t run_bitmap_next_set(const RunBitmap *rb, uint64_t start)
{
    return search(rb, start, true);
}

uint64_t run_bitmap_next_clear(const RunBitmap *rb, uint64_t start)
{
    return search(rb, start, false);
}

bool run_bitmap_all_set(const RunBitmap *rb, uint64_t start, uint64_t nr)
{
    assert(start + nr >= start && start + nr <= rb->nbits);
    return !nr || run_bitmap_next_clear(rb, start) >= start + nr;
}

bool run_bitmap_all_clear(const RunBitmap *rb, uint64_t start, uint64_t nr)
{
    assert(start + nr >= start && start + nr <= rb->nbits);
    return !nr || run_bitmap_next_set(rb, start) >= start + nr;
}

bool run_bitmap_check(const RunBitmap *rb)
{
    uint64_t weight = 0;

    for (uint64_t w = 0; w < rb->nwords[0]; w++) {
        if (rb->any[0][w] & ~valid_mask(rb, 0, w)) {
            return false;   /* a bit past the end */
        }
        weight += __builtin_popcountl(rb->any[0][w]);
    }
    if (weight != rb->weight) {
        return false;
    }
    for (unsigned k = 1; k <= rb->levels; k++) {
        for (uint64_t i = 0; i < rb->nvalid[k]; i++) {
            bool any = rb->any[k - 1][i] != 0;
            bool full = (rb->full[k - 1][i] | ~valid_mask(rb, k - 1, i)) ==
                        WORD_ONES;

            if (test_bit(i, rb->any[k]) != any ||
                test_bit(i, rb->full[k]) != full) {
                return false;
            }
        }
    }
    return true;
}
