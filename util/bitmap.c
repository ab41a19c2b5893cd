/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bitmap.c: word-at-a-time bitmap updates and searches (see bitmap.h).
 */
#include "qemu/osdep.h"
#include "qemu/bitmap.h"

/* Mask of the bits of a word at and above bit (@start % BITS_PER_LONG). */
#define FIRST_WORD_MASK(start) (~0UL << ((start) % BITS_PER_LONG))
/* Mask of the bits of the word holding bit @end - 1 that lie below @end. */
#define LAST_WORD_MASK(end) (~0UL >> (-(end) % BITS_PER_LONG))

static void bitmap_update(unsigned long *map, uint64_t start, uint64_t nr,
                          bool set)
{
    uint64_t end = start + nr;
    uint64_t w = BIT_WORD(start), last_w;
    unsigned long mask;

    if (!nr) {
        return;
    }
    last_w = BIT_WORD(end - 1);
    for (; w <= last_w; w++) {
        mask = ~0UL;
        if (w == BIT_WORD(start)) {
            mask &= FIRST_WORD_MASK(start);
        }
        if (w == last_w) {
            mask &= LAST_WORD_MASK(end);
        }
        if (set) {
            map[w] |= mask;
        } else {
            map[w] &= ~mask;
        }
    }
}

void bitmap_set(unsigned long *map, uint64_t start, uint64_t nr)
{
    bitmap_update(map, start, nr, true);
}

void bitmap_clear(unsigned long *map, uint64_t start, uint64_t nr)
{
    bitmap_update(map, start, nr, false);
}

void bitmap_zero(unsigned long *map, uint64_t nbits)
{
    memset(map, 0, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}

/* Search for a bit equal to !@invert, i.e. @invert selects zero bits. */
static uint64_t find_next(const unsigned long *addr, uint64_t size,
                          uint64_t offset, unsigned long invert)
{
    uint64_t w;
    unsigned long word;

    if (offset >= size) {
        return size;
    }
    w = BIT_WORD(offset);
    word = (addr[w] ^ invert) & FIRST_WORD_MASK(offset);
    for (;;) {
        if (word) {
            uint64_t bit = w * BITS_PER_LONG + __builtin_ctzl(word);
            return bit < size ? bit : size;
        }
        w++;
        if (w * BITS_PER_LONG >= size) {
            return size;
        }
        word = addr[w] ^ invert;
    }
}

uint64_t find_next_bit(const unsigned long *addr, uint64_t size,
                       uint64_t offset)
{
    return find_next(addr, size, offset, 0);
}

uint64_t find_next_zero_bit(const unsigned long *addr, uint64_t size,
                            uint64_t offset)
{
    return find_next(addr, size, offset, ~0UL);
}

uint64_t bitmap_weight(const unsigned long *map, uint64_t nbits)
{
    uint64_t w, count = 0;

    for (w = 0; w < nbits / BITS_PER_LONG; w++) {
        count += __builtin_popcountl(map[w]);
    }
    if (nbits % BITS_PER_LONG) {
        count += __builtin_popcountl(map[w] & LAST_WORD_MASK(nbits));
    }
    return count;
}
