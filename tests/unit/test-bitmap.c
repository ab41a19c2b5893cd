/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-bitmap.c: bitmap updates and run searches against a bool model. */
#include "qemu/osdep.h"
#include "qemu/bitmap.h"

#define NBITS 1000

static void check_against_model(const unsigned long *map, const bool *model)
{
    for (uint64_t start = 0; start <= NBITS; start += 7) {
        uint64_t want_set = NBITS, want_clear = NBITS;

        for (uint64_t i = start; i < NBITS; i++) {
            if (model[i] && want_set == NBITS) {
                want_set = i;
            }
            if (!model[i] && want_clear == NBITS) {
                want_clear = i;
            }
        }
        g_assert_cmpuint(find_next_bit(map, NBITS, start), ==, want_set);
        g_assert_cmpuint(find_next_zero_bit(map, NBITS, start), ==,
                         want_clear);
    }
}

static void test_random_ops(void)
{
    g_autofree unsigned long *map = bitmap_new(NBITS);
    bool model[NBITS] = { false };
    GRand *r = g_rand_new_with_seed(1234);

    for (int iter = 0; iter < 300; iter++) {
        uint64_t start = g_rand_int_range(r, 0, NBITS);
        uint64_t nr = g_rand_int_range(r, 0, NBITS - start + 1);
        bool set = g_rand_boolean(r);
        uint64_t weight = 0;

        if (set) {
            bitmap_set(map, start, nr);
        } else {
            bitmap_clear(map, start, nr);
        }
        for (uint64_t i = start; i < start + nr; i++) {
            model[i] = set;
        }
        for (uint64_t i = 0; i < NBITS; i++) {
            weight += model[i];
            g_assert_cmpint(test_bit(i, map), ==, model[i]);
        }
        g_assert_cmpuint(bitmap_weight(map, NBITS), ==, weight);
        if (iter % 30 == 0) {
            check_against_model(map, model);
        }
    }
    g_rand_free(r);
}

static void test_edges(void)
{
    g_autofree unsigned long *map = bitmap_new(128);

    g_assert_cmpuint(find_first_bit(map, 128), ==, 128);
    g_assert_cmpuint(find_next_bit(map, 128, 200), ==, 128);
    bitmap_set(map, 63, 2);
    g_assert_cmpuint(find_first_bit(map, 128), ==, 63);
    g_assert_cmpuint(find_next_zero_bit(map, 128, 63), ==, 65);
    g_assert_true(bitmap_range_all_set(map, 63, 2));
    g_assert_false(bitmap_range_all_set(map, 62, 2));
    g_assert_true(bitmap_range_all_clear(map, 0, 63));
    /* A size that ends inside a word ignores bits beyond it. */
    bitmap_set(map, 100, 28);
    g_assert_cmpuint(find_next_bit(map, 90, 66), ==, 90);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bitmap/random-ops", test_random_ops);
    g_test_add_func("/bitmap/edges", test_edges);
    return g_test_run();
}
