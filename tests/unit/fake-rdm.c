/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fake-rdm.c: the bitmap-backed RamDiscardManager of fake-rdm.h.
 */
#include "qemu/osdep.h"
#include "qemu/bitmap.h"
#include "fake-rdm.h"

static FakeRdm *fake_of(const RamDiscardManager *rdm)
{
    return container_of(rdm, FakeRdm, rdm);
}

static uint64_t fake_gran(const RamDiscardManager *rdm,
                          const MemoryRegion *mr)
{
    return fake_of(rdm)->gran;
}

static bool fake_is_populated(const RamDiscardManager *rdm,
                              const MemoryRegionSection *s)
{
    const FakeRdm *f = fake_of(rdm);
    uint64_t first = s->offset_within_region / f->gran;
    uint64_t last = (s->offset_within_region + (uint64_t)s->size - 1) /
                    f->gran;

    return bitmap_range_all_set(f->bitmap, first, last - first + 1);
}

/* Call @fn for each run of bits equal to @want intersecting @s. */
static int fake_replay(const RamDiscardManager *rdm, MemoryRegionSection *s,
                       ReplayRamDiscardState fn, void *opaque, bool want)
{
    FakeRdm *f = fake_of(rdm);
    uint64_t start = s->offset_within_region;
    uint64_t end = start + (uint64_t)s->size;
    uint64_t bit = start / f->gran;
    uint64_t last_bit = DIV_ROUND_UP(end, f->gran);

    while (bit < last_bit) {
        uint64_t run_end_bit;
        uint64_t rs, re;
        MemoryRegionSection sub;
        int ret;

        bit = want ? find_next_bit(f->bitmap, last_bit, bit)
                   : find_next_zero_bit(f->bitmap, last_bit, bit);
        if (bit >= last_bit) {
            break;
        }
        run_end_bit = want ? find_next_zero_bit(f->bitmap, last_bit, bit)
                           : find_next_bit(f->bitmap, last_bit, bit);
        rs = MAX(bit * f->gran, start);
        re = MIN(run_end_bit * f->gran, end);
        sub = *s;
        sub.offset_within_region = rs;
        sub.offset_within_address_space = s->offset_within_address_space +
                                          (rs - start);
        sub.size = re - rs;
        f->replay_cb_calls++;
        ret = fn(&sub, opaque);
        if (ret) {
            return ret;
        }
        bit = run_end_bit;
    }
    return 0;
}

static int fake_replay_populated(const RamDiscardManager *rdm,
                                 MemoryRegionSection *s,
                                 ReplayRamDiscardState fn, void *opaque)
{
    return fake_replay(rdm, s, fn, opaque, true);
}

static int fake_replay_discarded(const RamDiscardManager *rdm,
                                 MemoryRegionSection *s,
                                 ReplayRamDiscardState fn, void *opaque)
{
    return fake_replay(rdm, s, fn, opaque, false);
}

static void fake_register(RamDiscardManager *rdm, RamDiscardListener *rdl,
                          MemoryRegionSection *s)
{
}

static void fake_unregister(RamDiscardManager *rdm, RamDiscardListener *rdl)
{
}

static const RamDiscardManagerOps fake_rdm_ops = {
    .get_min_granularity = fake_gran,
    .is_populated = fake_is_populated,
    .replay_populated = fake_replay_populated,
    .replay_discarded = fake_replay_discarded,
    .register_listener = fake_register,
    .unregister_listener = fake_unregister,
};

void fake_rdm_attach(FakeRdm *f, MemoryRegion *mr, uint64_t gran)
{
    memset(f, 0, sizeof(*f));
    f->rdm.ops = &fake_rdm_ops;
    f->mr = mr;
    f->gran = gran;
    f->nbits = memory_region_size(mr) / gran;
    f->bitmap = bitmap_new(f->nbits);
    memory_region_set_ram_discard_manager(mr, &f->rdm);
}

void fake_rdm_detach(FakeRdm *f)
{
    memory_region_set_ram_discard_manager(f->mr, NULL);
    g_free(f->bitmap);
    f->bitmap = NULL;
}

void fake_rdm_plug(FakeRdm *f, uint64_t first, uint64_t n)
{
    g_assert(first + n <= f->nbits);
    bitmap_set(f->bitmap, first, n);
}

void fake_rdm_unplug(FakeRdm *f, uint64_t first, uint64_t n)
{
    g_assert(first + n <= f->nbits);
    bitmap_clear(f->bitmap, first, n);
}
