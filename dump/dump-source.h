/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-source.h: the page source of a dump: guest RAM as a sequence of
 * extents, in guest-physical order, over a GuestPhysBlockList clipped to
 * the dump's filter.
 *
 * Each extent says what an encoder needs to emit it cheaply:
 *   HOLE  never populated (found with ram_block_next_populated(): SEEK_DATA
 *         on fd-backed RAM, /proc/self/pagemap on anonymous RAM), so never
 *         read -- reading it could allocate backend memory;
 *   ZERO  populated pages that are all zero (read to find out);
 *   DATA  pages holding non-zero bytes, with the host address and, for
 *         shared fd-backed RAM, the fd and offset to copy from.
 * HOLE and ZERO read as zeros; encoders turn them into file holes (ELF)
 * or the shared zero page (kdump, which finds ZERO pages itself: see
 * dump_source_skip_zero_scan()).  Zero detection works on whole target
 * pages (TARGET_PAGE_SIZE, aligned in guest-physical space); a partial
 * page at a block edge is DATA unless it is all zero.
 *
 * Extents never cross a block, and ZERO/DATA extents are at most
 * @max_extent bytes, which bounds a single write and the time between
 * cancellation checks.  The source holds no memory of its own beyond the
 * cursor (which has room for one page).  Threads: used by the dump thread
 * only, while the VM is stopped.
 *
 * Reading guest memory: the zero scan copies each page out with
 * host_mem_read(), so a page that faults (a backing file truncated under
 * the VM, a huge page pool that ran dry) ends the walk with an error
 * (dump_source_error()) instead of killing the process.  Readers of the
 * extents do the same: user-space copies go through host_mem_read(),
 * kernel copies (write(2) from @host, copy_file_range() from @fd) fail
 * with EFAULT or stop at the end of the file, and dump_error_fault()
 * words the error.
 *
 * Live dumps (dump_source_set_tracker()): guest memory changes while it
 * is read, so the source answers from the snapshot the write tracker
 * keeps: extents populated at the snapshot (pages first written later
 * are HOLEs), and the contents of a populated chunk read once through
 * write_tracker_read() into a buffer of the source's, which also
 * releases those pages to the guest.  DATA extents then point into that
 * buffer (fd -1), valid until the next dump_source_next() call: an
 * encoder that keeps pages longer copies them.  A failed snapshot read
 * ends the walk like a fault (dump_source_error(); the dump's error then
 * comes from the tracker, see dump_job_write()).
 */
#ifndef DUMP_SOURCE_H
#define DUMP_SOURCE_H

#include "exec/memory_mapping.h"
#include "exec/write-tracker.h"

typedef enum DumpExtentKind {
    DUMP_EXTENT_HOLE,
    DUMP_EXTENT_ZERO,
    DUMP_EXTENT_DATA,
} DumpExtentKind;

/**
 * struct DumpExtent
 * @kind: see above.
 * @gpa: guest-physical start.
 * @len: bytes.
 * @offset: bytes of (filtered) guest memory before @gpa in block order,
 *          i.e. where the extent lies in the concatenation of all blocks.
 * @host: host address of @gpa (borrowed; do not read a HOLE).
 * @fd, @fd_offset: for DATA of shared fd-backed RAM, the same bytes in a
 *                  file (-1 otherwise).
 * @block: the block the extent lies in (borrowed).
 */
typedef struct DumpExtent {
    DumpExtentKind kind;
    hwaddr gpa;
    uint64_t len;
    uint64_t offset;
    const uint8_t *host;
    int fd;
    off_t fd_offset;
    const GuestPhysBlock *block;
} DumpExtent;

/* Cursor; the fields are private to dump-source.c. */
typedef struct DumpSource {
    const GuestPhysBlockList *blocks;
    hwaddr filter_begin;
    hwaddr filter_last;         /* inclusive */
    uint64_t max_extent;
    const GuestPhysBlock *block;
    hwaddr pos;                 /* next guest-physical address */
    hwaddr block_end;           /* current block clipped to the filter */
    uint64_t offset;
    RAMBlock *rb;
    uint64_t rb_delta;          /* RAMBlock offset of the block's start */
    hwaddr pop_start, pop_end;  /* populated extent at or after pos */
    bool pop_valid;
    bool no_zero_scan;          /* see dump_source_skip_zero_scan() */
    int error;                  /* 0, or -errno: see dump_source_error() */
    hwaddr error_gpa;           /* where the zero scan faulted */
    WriteTracker *tracker;      /* live dump: the snapshot (borrowed) */
    uint8_t *snap;              /* live dump: max_extent bytes (owned) */
    hwaddr snap_start, snap_end;/* the guest range @snap holds */
    uint8_t page[TARGET_PAGE_SIZE];     /* the zero scan's copy */
} DumpSource;

/**
 * dump_source_init: iterate @blocks (borrowed, must outlive @src) within
 * [@begin, @begin + @length), or everything if @length is 0.
 * @max_extent: a multiple of TARGET_PAGE_SIZE.
 */
void dump_source_init(DumpSource *src, const GuestPhysBlockList *blocks,
                      hwaddr begin, uint64_t length, uint64_t max_extent);

/**
 * dump_source_skip_zero_scan: report populated memory as DATA extents
 * without reading it, for a caller that checks pages for zeros itself
 * (the kdump encoder does, on its compression threads).  HOLE extents
 * are unchanged: never-populated memory is still found without reading.
 */
void dump_source_skip_zero_scan(DumpSource *src);

/**
 * dump_source_set_tracker: read the snapshot @wt keeps (see above)
 * instead of live memory.  @wt is borrowed and must be sealed.
 */
void dump_source_set_tracker(DumpSource *src, WriteTracker *wt);

/** dump_source_destroy: free what the source holds (idempotent). */
void dump_source_destroy(DumpSource *src);

/**
 * dump_source_next: the next extent.
 * Returns: false when the blocks are exhausted.
 */
bool dump_source_next(DumpSource *src, DumpExtent *ext);

/**
 * dump_source_error: why dump_source_next() returned false.
 * @gpa: receives the guest-physical address that could not be read.
 * Returns: 0 (the blocks are exhausted), or -EFAULT (reading guest memory
 * raised SIGBUS at *@gpa; the walk is over), or for a live dump another
 * -errno if the snapshot could not be read (the tracker failed).
 */
int dump_source_error(const DumpSource *src, hwaddr *gpa);

/**
 * dump_error_fault: set the error of a dump that could not read guest
 * memory at @gpa: "dump: cannot read guest memory at 0x...: the host
 * memory behind it is gone (backing file truncated, or no huge pages
 * left)".
 */
void dump_error_fault(Error **errp, hwaddr gpa);

/** dump_buffer_is_zero: true if @len bytes at @buf are all zero. */
bool dump_buffer_is_zero(const void *buf, size_t len);

#endif /* DUMP_SOURCE_H */
