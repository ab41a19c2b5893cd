/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fake-rdm.h: a bitmap-backed RamDiscardManager for unit tests.
 *
 * One bit per @gran bytes of the managed region; a set bit is a populated
 * (plugged) block.  replay_populated / replay_discarded walk maximal runs
 * with find_next_bit / find_next_zero_bit, clipped to the section, as
 * virtio-mem does, and count their calls so tests can check that cost
 * follows the number of runs.  Listeners are accepted and ignored.
 */
#ifndef TESTS_UNIT_FAKE_RDM_H
#define TESTS_UNIT_FAKE_RDM_H

#include "exec/memory.h"

typedef struct FakeRdm {
    RamDiscardManager rdm;
    MemoryRegion *mr;
    unsigned long *bitmap;
    uint64_t gran;
    uint64_t nbits;
    unsigned replay_cb_calls;   /* callbacks made by replays so far */
} FakeRdm;

/**
 * fake_rdm_attach: manage all of @mr (unmapped, RAM) in @gran units,
 * everything discarded.  Undo with fake_rdm_detach().
 */
void fake_rdm_attach(FakeRdm *f, MemoryRegion *mr, uint64_t gran);
void fake_rdm_detach(FakeRdm *f);

/** fake_rdm_plug / _unplug: set / clear @n units from unit @first. */
void fake_rdm_plug(FakeRdm *f, uint64_t first, uint64_t n);
void fake_rdm_unplug(FakeRdm *f, uint64_t first, uint64_t n);

#endif /* TESTS_UNIT_FAKE_RDM_H */
