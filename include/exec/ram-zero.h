/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ram-zero.h: make a range of a RAMBlock read as zero without populating
 * memory the guest never touched (softmmu/ram-zero.c).  The TPM
 * memory-overwrite clear on reset uses it for every block of guest RAM.
 *
 * How, per kind of backing (ram_block_zero_method()):
 *
 *   anonymous, private or shared      DISCARD_RANGE: one
 *   (memory-backend-ram, the          madvise(MADV_DONTNEED / MADV_REMOVE)
 *   machine's own RAM)                over the whole range.  The kernel
 *                                     walks only page tables / page-cache
 *                                     entries that exist, so holes cost
 *                                     nothing and stay holes; reading
 *                                     /proc/self/pagemap first would cost
 *                                     8 bytes per page of the range.
 *   fd-backed and shared              DISCARD_DATA: find the extents that
 *   (memory-backend-memfd,            hold data with SEEK_DATA/SEEK_HOLE
 *   memory-backend-file share=on)     (ram_block_next_populated) and punch
 *                                     each (FALLOC_FL_PUNCH_HOLE); the
 *                                     file's holes are never visited.
 *   fd-backed and shared, no hole     DISCARD_DATA without extents: one
 *   information (hugetlb memfd,       discard (PUNCH_HOLE, or MADV_REMOVE
 *   ramfs, a block or character       for /dev/zero) over the whole range's
 *   device: ram_block_has_hole_info)  aligned part; the partial backend
 *                                     pages at its edges (a huge page) are
 *                                     written only where the mapping holds
 *                                     them (pagemap, mincore).  If the
 *                                     discard is refused (ramfs), the pages
 *                                     the mapping holds are written.
 *   fd-backed and private             WRITE_DATA over the private copies
 *   (file share=off, readonly=on      only (what the guest wrote: pagemap
 *   with rom=off)                     present without the file-page bit, or
 *                                     swapped), skipping pages that already
 *                                     read zero.  File pages the guest only
 *                                     read stay file pages and show the
 *                                     file's data, which the guest did not
 *                                     write.  Punching would change the
 *                                     file a private mapping promised not
 *                                     to change, and dropping the private
 *                                     copies would show the file's data
 *                                     again instead of zeros.
 *   caller-provided memory            WRITE_DATA over everything (nothing
 *   (RAM_PREALLOC)                    to give back, no way to find holes).
 *   RAM_ZERO_KEEP_POPULATED asked     WRITE_DATA over the populated
 *   (a backend with prealloc=on)      extents: discarding would undo the
 *                                     preallocation the user asked for.
 *
 * Discarding is chosen where allowed.  It leaves the same zeros (after
 * DONTNEED / REMOVE / PUNCH_HOLE every byte reads 0) and is cheaper in
 * what counts here: the kernel skips holes by itself, so the cost follows
 * what the guest wrote and not what was plugged (writing needs the
 * populated extents first: pagemap costs 8 bytes per page scanned, and
 * SEEK_DATA one call per run), and the host gets the memory back, which a
 * guest that is being reset does not use.  Writing over resident pages is
 * faster per byte than freeing them (on the build host 26 ms against
 * 66-170 ms per GiB, see docs/system/tpm.md), so it is used where
 * discarding is not allowed.  When a discard fails (a filesystem without
 * hole punching, huge-page alignment) that extent is written instead.
 * Parts of pages at unaligned edges are always written, and only where
 * populated, at the backend's page size: a huge page the mapping does not
 * hold is never written (that would populate it, or raise SIGBUS when no
 * huge page is free).
 *
 * Dirty tracking is the caller's business: every byte of the range reads
 * zero afterwards, so marking the whole range dirty is exact for the
 * bytes that changed and harmless for holes (zero before and after).
 */
#ifndef EXEC_RAM_ZERO_H
#define EXEC_RAM_ZERO_H

#include "exec/ramblock.h"

/* ram_block_zero_range() flags */
#define RAM_ZERO_KEEP_POPULATED (1u << 0)   /* write, never discard */

typedef enum RamZeroMethod {
    RAM_ZERO_DISCARD_RANGE,
    RAM_ZERO_DISCARD_DATA,
    RAM_ZERO_WRITE_DATA,
} RamZeroMethod;

/**
 * struct RamZeroStats: what ram_block_zero_range() did, accumulated.
 * @discarded: bytes given back to the host (DISCARD_RANGE counts the
 *             whole range, holes included: the kernel skipped them).
 * @written: bytes set to zero with memset (these are populated now).
 * @extents: discard and memset calls made.
 */
typedef struct RamZeroStats {
    uint64_t discarded;
    uint64_t written;
    uint64_t extents;
} RamZeroStats;

/** ram_block_zero_method: how @rb is cleared given @flags (table above). */
RamZeroMethod ram_block_zero_method(const RAMBlock *rb, unsigned flags);
/** ram_zero_method_name: "discard-range", "discard-data", "write-data". */
const char *ram_zero_method_name(RamZeroMethod method);

/**
 * ram_block_zero_range: make [@start, @start + @length) of @rb read as
 * zero, populating nothing that was not populated (see above).  Cannot
 * fail: a discard that fails falls back to writing.
 * @stats: accumulated into; may be NULL.
 */
void ram_block_zero_range(RAMBlock *rb, ram_addr_t start, ram_addr_t length,
                          unsigned flags, RamZeroStats *stats);

#endif /* EXEC_RAM_ZERO_H */
