/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * write-tracker.h: keep a snapshot of host memory while it is being
 * written, with userfaultfd write protection and copy-before-write.
 *
 * A live dump stops the VM only long enough to write-protect the pages
 * that are populated at that instant.  Afterwards a write to a protected
 * page stops the writing thread in the kernel until the tracker's fault
 * thread has saved the page's contents in a bounded copy buffer and lifted
 * the protection.  The dump reads the snapshot through
 * write_tracker_read(): the saved copy where there is one, else the page
 * itself (still protected, so unchanged); either way the pages it read are
 * released: the copy freed at once, the protection lifted by the fault
 * thread right after (un-protecting 4 KiB pages costs a page-table write
 * each, which then runs beside the dump instead of inside it; a writer
 * that reaches such a page first has the queue done before it goes on).
 *
 * The tracker knows host addresses only: no guest-physical addresses, no
 * RAMBlocks, no VM state.  The caller (dump/) decides which ranges to
 * register and which populated extents form the snapshot.
 *
 * Life cycle, and the thread each step runs on:
 *   write_tracker_new()        any     open the userfaultfd (UFFDIO_API)
 *   write_tracker_add_range()  any     register a mapping for WP
 *   write_tracker_start()      any     allocate the buffer, start the thread
 *   write_tracker_protect()    any     early: record + write-protect an
 *                                      extent while the VM still runs
 *       -- the VM stops here --
 *   write_tracker_snapshot()   any     the snapshot instant: end the early
 *                                      phase
 *   write_tracker_protect()    any     record + write-protect an extent
 *   write_tracker_protect_written()    what was written or populated
 *                                      since the early protection
 *   write_tracker_seal()       any     the snapshot is complete
 *       -- the VM may run again --
 *   write_tracker_read()       one reader thread at a time
 *   write_tracker_stop()       any     un-protect everything (idempotent)
 *   write_tracker_free()       any but the fault thread
 * Everything that can fail for lack of a host feature or of memory happens
 * before the VM stops, except the write-protect ioctls themselves.
 *
 * The early phase moves the costly part out of the pause: protecting
 * memory 4 KiB page by page writes one page-table entry per page.  A
 * write to an early-protected page before write_tracker_snapshot() is let
 * through (un-protected, no copy: it happens before the snapshot); at the
 * snapshot, with the VM stopped, write_tracker_protect_written() finds
 * what changed since in one read-only page-table walk (PAGEMAP_SCAN) and
 * protects only that.
 *
 * A writer whose page is protected waits for the fault thread alone, never
 * for the thread that calls write_tracker_read() or write_tracker_stop():
 * the thread that writes guest memory may be the one that runs the
 * monitor and would free the tracker.
 */
#ifndef EXEC_WRITE_TRACKER_H
#define EXEC_WRITE_TRACKER_H

#include "qemu/error.h"

typedef struct WriteTracker WriteTracker;

/** The copy buffer's default size (the live-copy-buffer property). */
#define WRITE_TRACKER_DEFAULT_BUFFER (64 * 1024 * 1024)

/**
 * write_tracker_new: open a userfaultfd with write-protect support.
 * @buffer_size: bytes of page copies the tracker may hold at once (the
 *               buffer is allocated by write_tracker_start()).
 * Errors: "live dump: ... userfaultfd ...: <strerror>" when the host has
 * no userfaultfd, forbids it, or lacks write-protect faults.
 * Returns: a new tracker (write_tracker_free() it), or NULL.
 */
WriteTracker *write_tracker_new(size_t buffer_size, Error **errp);

/**
 * write_tracker_add_range: register the mapping [@host, @host + @len) for
 * write-protect tracking (UFFDIO_REGISTER_MODE_WP).
 * @page_size: the mapping's page size (the unit of protection and of
 *             copies: 2 MiB or 1 GiB for hugetlbfs); @host and @len are
 *             multiples of it.
 * @refault_writable: the mapping is shared shmem (a memfd, a tmpfs file,
 *             shared anonymous memory), where a page present is allocated
 *             already: after un-protecting released pages, map the present
 *             ones writable again (MADV_POPULATE_WRITE), since the kernel
 *             leaves them read-only and a writer would take a minor fault
 *             per page.  Never for other mappings: there a write may
 *             allocate (a private copy, file blocks).  Ignored unless the
 *             pages are the host's base page size.
 * @name: what the error names (e.g. "memory backend 'mem0' (memfd)").
 * Errors: "live dump: NAME cannot be write-protected: ..." naming what the
 * kernel refused (shared memory or hugetlbfs without
 * UFFD_FEATURE_WP_HUGETLBFS_SHMEM, a file system without userfaultfd,
 * no UFFDIO_WRITEPROTECT on the range).
 * Context: before write_tracker_start().
 */
bool write_tracker_add_range(WriteTracker *wt, void *host, size_t len,
                             size_t page_size, bool refault_writable,
                             const char *name, Error **errp);

/**
 * write_tracker_start: allocate the copy buffer (at least one page of the
 * largest page size registered) and start the fault thread.
 */
bool write_tracker_start(WriteTracker *wt, Error **errp);

/**
 * write_tracker_protect: [@host, @host + @len) is populated at the
 * snapshot: record it and write-protect it.  Rounded out to whole pages;
 * may overlap earlier calls.  Must lie in a registered range.
 * Errors: "live dump: failed to write-protect NAME: <strerror>".  After a
 * failure the caller write_tracker_stop()s (nothing is left protected).
 */
bool write_tracker_protect(WriteTracker *wt, const void *host, size_t len,
                           Error **errp);

/**
 * write_tracker_can_protect_early: the host can find, at the snapshot,
 * the pages written since an early write_tracker_protect()
 * (PAGEMAP_SCAN, Linux 6.7); if not, protect everything at the snapshot.
 */
bool write_tracker_can_protect_early(WriteTracker *wt);

/**
 * write_tracker_snapshot: the snapshot instant: end the early phase.
 * From now on a write to a protected page saves it first.  The pages
 * written in the early phase are protected again (they are populated:
 * their extents were recorded).
 * Errors: "live dump: failed to write-protect pages written before the
 * snapshot: <strerror>"; the caller then write_tracker_stop()s.
 * Context: the VM stopped: no writer may run until it returns.  Called
 * by write_tracker_seal() if the caller did not.
 */
bool write_tracker_snapshot(WriteTracker *wt, Error **errp);

/**
 * write_tracker_protect_written: record and write-protect the pages of
 * [@host, @host + @len) that are mapped and not write-protected: those
 * written (or first populated through the mapping) since the early
 * write_tracker_protect() calls.  Together with them, every page
 * populated at the snapshot is protected, provided that the memory is
 * populated only through this process's mapping (true of guest RAM).
 * Cost: a read of the page tables that exist, plus one protection per
 * run found.
 * Errors: "live dump: cannot scan the page tables of NAME ...", or as
 * write_tracker_protect().
 * Context: after write_tracker_snapshot(), before write_tracker_seal().
 */
bool write_tracker_protect_written(WriteTracker *wt, const void *host,
                                   size_t len, Error **errp);

/**
 * write_tracker_protect_all: write-protect all of [@host, @host + @len),
 * populated or not, without recording extents: for anonymous memory,
 * where protecting a hole costs nothing and leaves it unprotected, and
 * huge pages are protected whole.  Which pages were populated at the
 * snapshot is found later, page by page: a page that is still protected
 * (pagemap's uffd-wp bit) or whose copy was saved.  The pause then costs
 * one page-table walk, whatever the size.  Errors as
 * write_tracker_protect().
 * Context: after write_tracker_snapshot() (a hole written in the early
 * phase would not be protected).
 */
bool write_tracker_protect_all(WriteTracker *wt, const void *host,
                               size_t len, Error **errp);

/**
 * write_tracker_seal: every populated extent has been protected; from
 * now on write_tracker_next_populated() answers from the record.
 */
void write_tracker_seal(WriteTracker *wt);

/**
 * write_tracker_next_populated: the first extent populated at the
 * snapshot that intersects [@start, @end), clipped to it: *@found_start,
 * *@found_end (exclusive).  The answer does not change when the memory is
 * populated or written later.
 * Returns: false if there is none (all of it was a hole).
 * Context: after write_tracker_seal(); the reader thread, ahead of its
 * write_tracker_read() calls (a page read is released, and a released
 * page of a write_tracker_protect_all() range reads as a hole).
 */
bool write_tracker_next_populated(WriteTracker *wt, const uint8_t *start,
                                  const uint8_t *end,
                                  const uint8_t **found_start,
                                  const uint8_t **found_end);

/**
 * write_tracker_read: copy the snapshot contents of [@host, @host + @len)
 * into @dst and release the pages wholly inside the range (un-protect
 * them, free their copies).  Each byte may be read once: a released page
 * holds what the guest wrote since.  The range must lie inside extents
 * recorded by write_tracker_protect().
 * Returns: 0, or -errno if tracking failed (see write_tracker_error()) or
 * was stopped, or -EFAULT if the host memory behind the range is gone
 * (SIGBUS, caught by host_mem_read()); @dst is then garbage.
 * Context: one reader thread at a time, after write_tracker_seal().
 */
int write_tracker_read(WriteTracker *wt, const void *host, size_t len,
                       void *dst);

/**
 * write_tracker_stop: end tracking: un-protect every page, drop every
 * copy, wake every writer, let the fault thread exit.  Idempotent; safe
 * while a writer waits.  Any thread but the fault thread.
 */
void write_tracker_stop(WriteTracker *wt);

/**
 * write_tracker_free: stop, join the fault thread, unregister the
 * ranges, close the userfaultfd, free everything.  NULL is a no-op.
 */
void write_tracker_free(WriteTracker *wt);

/**
 * write_tracker_error: why tracking failed on the fault thread (e.g. an
 * un-protect ioctl failed and everything was released), or NULL.
 * Borrowed; valid until write_tracker_free().
 */
const char *write_tracker_error(WriteTracker *wt);

/**
 * struct WriteTrackerStats
 * @protected_bytes: bytes write-protected at the snapshot.
 * @faults: write faults handled.
 * @early_faults: of which let through before the snapshot.
 * @copies: pages saved before a write.
 * @buffer_waits: faults that waited for the buffer to drain.
 * @buffer_peak: most bytes of copies held at once.
 * @buffer_size: the buffer's capacity in bytes.
 * @released_bytes: bytes the fault thread un-protected after the reader
 *                  (and, where asked, made writable again).
 */
typedef struct WriteTrackerStats {
    uint64_t protected_bytes;
    uint64_t faults;
    uint64_t early_faults;
    uint64_t copies;
    uint64_t buffer_waits;
    uint64_t buffer_peak;
    uint64_t buffer_size;
    uint64_t released_bytes;
} WriteTrackerStats;

/** write_tracker_get_stats: a consistent copy of the counters. */
void write_tracker_get_stats(WriteTracker *wt, WriteTrackerStats *st);

#endif /* EXEC_WRITE_TRACKER_H */
