/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memory-internal.h: FlatView internals, shared by the files of softmmu/
 * and by nothing else (users see FlatViews only through
 * MemoryRegionSection.fv and flatview_for_each_range()).
 */
#ifndef SOFTMMU_MEMORY_INTERNAL_H
#define SOFTMMU_MEMORY_INTERNAL_H

#include "exec/memory.h"

/**
 * struct FlatRange: one piece of a rendered address space.
 * @mr: the terminal region (RAM or MMIO) providing the bytes.
 * @offset_in_region: where @start falls within @mr.
 * @start: guest-physical start (Int128 so 2^64 ends are representable).
 * @size: bytes; never 0.
 */
typedef struct FlatRange {
    MemoryRegion *mr;
    hwaddr offset_in_region;
    Int128 start;
    Int128 size;
    bool readonly;
    bool nonvolatile;
} FlatRange;

/**
 * struct FlatView: the ranges of an address space sorted by @start, none
 * overlapping, adjacent ranges of one region with contiguous offsets and
 * equal attributes merged.  Immutable once built; refcounted because
 * sections handed to listeners point at it.
 */
struct FlatView {
    unsigned ref;
    FlatRange *ranges;
    unsigned nr;
    unsigned nr_allocated;
    MemoryRegion *root;
};

void flatview_ref(FlatView *fv);
void flatview_unref(FlatView *fv);

/**
 * flatview_lookup: the range holding @addr, or NULL.  If NULL and
 * @next_start is non-NULL, it receives the start of the first range above
 * @addr, or 2^64 if there is none.
 */
FlatRange *flatview_lookup(FlatView *fv, hwaddr addr, Int128 *next_start);

/** flatview_section: the section describing all of @fr. */
MemoryRegionSection flatview_section(FlatView *fv, const FlatRange *fr);

#endif /* SOFTMMU_MEMORY_INTERNAL_H */
