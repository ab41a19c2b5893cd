/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-run-bitmap.c: the summary-level bitmap against a plain bitmap as
 * oracle (random ranges, word and level edges, sizes that are and are not
 * multiples of a word), and the cost claim: a search reads O(levels)
 * words wherever its answer lies.
 */
#include "qemu/osdep.h"
#include "qemu/bitmap.h"
#include "qemu/run-bitmap.h"

/* The obvious answer from a plain bitmap. */
static uint64_t oracle_next(const unsigned long *map, uint64_t nbits,
                            uint64_t start, bool set)
{
    for (uint64_t i = start; i < nbits; i++) {
        if (test_bit(i, map) == set) {
            return i;
        }
    }
    return nbits;
}

static void compare_all(RunBitmap *rb, const unsigned long *map,
                        uint64_t nbits)
{
    g_assert_true(run_bitmap_check(rb));
    g_assert_cmpuint(run_bitmap_weight(rb), ==, bitmap_weight(map, nbits));
    for (uint64_t i = 0; i <= nbits + 1; i++) {
        g_assert_cmpuint(run_bitmap_next_set(rb, i), ==,
                         oracle_next(map, nbits, i, true));
        g_assert_cmpuint(run_bitmap_next_clear(rb, i), ==,
                         oracle_next(map, nbits, i, false));
    }
}

static void test_empty(void)
{
    RunBitmap *rb = run_bitmap_try_new(0);

    g_assert_nonnull(rb);
    g_assert_cmpuint(run_bitmap_size(rb), ==, 0);
    g_assert_cmpuint(run_bitmap_next_set(rb, 0), ==, 0);
    g_assert_cmpuint(run_bitmap_next_clear(rb, 0), ==, 0);
    g_assert_true(run_bitmap_all_set(rb, 0, 0));
    g_assert_true(run_bitmap_check(rb));
    run_bitmap_free(rb);
}

static void test_random_against_oracle(void)
{
    /* One word, partial words, exact levels (64^2), and beyond. */
    static const uint64_t sizes[] = { 1, 63, 64, 65, 127, 4095, 4096, 4097,
                                      64 * 64 * 3 + 17 };
    GRand *r = g_rand_new_with_seed(42);

    for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
        uint64_t nbits = sizes[s];
        RunBitmap *rb = run_bitmap_try_new(nbits);
        unsigned long *map = bitmap_new(nbits);

        for (int op = 0; op < 200; op++) {
            uint64_t start = g_rand_int_range(r, 0, nbits);
            uint64_t nr = g_rand_int_range(r, 0, nbits - start + 1);

            if (g_rand_boolean(r)) {
                run_bitmap_set_range(rb, start, nr);
                bitmap_set(map, start, nr);
            } else {
                run_bitmap_clear_range(rb, start, nr);
                bitmap_clear(map, start, nr);
            }
            if (op % 40 == 39 || nbits < 200) {
                compare_all(rb, map, nbits);
            }
        }
        /* Full, then cleared by clear_all. */
        run_bitmap_set_range(rb, 0, nbits);
        bitmap_set(map, 0, nbits);
        compare_all(rb, map, nbits);
        g_assert_true(run_bitmap_all_set(rb, 0, nbits));
        run_bitmap_clear_all(rb);
        bitmap_zero(map, nbits);
        compare_all(rb, map, nbits);
        g_assert_true(run_bitmap_all_clear(rb, 0, nbits));
        run_bitmap_free(rb);
        g_free(map);
    }
    g_rand_free(r);
}

static void test_all_set_clear_ranges(void)
{
    RunBitmap *rb = run_bitmap_try_new(1000);

    run_bitmap_set_range(rb, 100, 200);
    g_assert_true(run_bitmap_all_set(rb, 100, 200));
    g_assert_true(run_bitmap_all_set(rb, 150, 1));
    g_assert_false(run_bitmap_all_set(rb, 99, 2));
    g_assert_false(run_bitmap_all_set(rb, 299, 2));
    g_assert_true(run_bitmap_all_clear(rb, 0, 100));
    g_assert_true(run_bitmap_all_clear(rb, 300, 700));
    g_assert_false(run_bitmap_all_clear(rb, 0, 101));
    g_assert_true(run_bitmap_test(rb, 100));
    g_assert_false(run_bitmap_test(rb, 300));
    run_bitmap_free(rb);
}

/*
 * The cost claim: 2^40 / 2^20 = 2^20 bits (1 TiB of 1 MiB blocks), one
 * bit set near the end: finding it from 0 reads at most 2 words per level
 * (climb + descend), not the 2^14 words a flat scan would read.
 */
static void test_search_cost_is_levels(void)
{
    const uint64_t nbits = UINT64_C(1) << 20;
    RunBitmap *rb = run_bitmap_try_new(nbits);
    RunBitmapStats *st = run_bitmap_stats(rb);
    const uint64_t far = nbits - 3;

    run_bitmap_set_range(rb, far, 1);
    memset(st, 0, sizeof(*st));
    g_assert_cmpuint(run_bitmap_next_set(rb, 0), ==, far);
    g_assert_cmpuint(st->searches, ==, 1);
    g_assert_cmpuint(st->words_scanned, <=, 2 * (RUN_BITMAP_MAX_LEVELS));
    g_assert_cmpuint(st->words_scanned, <=, 8);     /* 4 levels here */

    /* Clear runs too: everything set except one bit near the end. */
    run_bitmap_set_range(rb, 0, nbits);
    run_bitmap_clear_range(rb, far, 1);
    memset(st, 0, sizeof(*st));
    g_assert_cmpuint(run_bitmap_next_clear(rb, 0), ==, far);
    g_assert_cmpuint(st->words_scanned, <=, 8);
    run_bitmap_free(rb);
}

/* clear_all touches the set words only: cost follows what was set. */
static void test_clear_all_cost(void)
{
    const uint64_t nbits = UINT64_C(1) << 26;
    RunBitmap *rb = run_bitmap_try_new(nbits);
    RunBitmapStats *st = run_bitmap_stats(rb);

    run_bitmap_set_range(rb, 12345, 3);
    run_bitmap_set_range(rb, nbits - 1, 1);
    memset(st, 0, sizeof(*st));
    run_bitmap_clear_all(rb);
    g_assert_cmpuint(run_bitmap_weight(rb), ==, 0);
    g_assert_cmpuint(st->searches, ==, 3);
    g_assert_cmpuint(st->words_scanned, <=, 3 * 2 * 5);
    g_assert_true(run_bitmap_check(rb));
    run_bitmap_free(rb);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/run-bitmap/empty", test_empty);
    g_test_add_func("/run-bitmap/random-vs-oracle",
                    test_random_against_oracle);
    g_test_add_func("/run-bitmap/all-set-clear", test_all_set_clear_ranges);
    g_test_add_func("/run-bitmap/cost/search-is-levels",
                    test_search_cost_is_levels);
    g_test_add_func("/run-bitmap/cost/clear-all", test_clear_all_cost);
    return g_test_run();
}
