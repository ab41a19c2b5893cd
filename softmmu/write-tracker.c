/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * write-tracker.c: the userfaultfd write tracker of write-tracker.h.
 *
 * It protects pages, saves a page's contents when a writer faults on it,
 * hands the snapshot to one reader and releases what was read.  Which
 * memory to protect, and what the snapshot means, is the caller's.
 * Design notes: docs/devel/live-dump.md.
 */

/**
 * DOC: write tracker states
 *
 * Per page of a registered range (the range's page size):
 *
 *   HOLE       not populated at the snapshot: never protected, never read
 *   PROTECTED  write-protected; the page itself holds the snapshot
 *   SAVED      a copy in the buffer holds the snapshot; the page is
 *              writable again
 *   DONE       read by the dump (or tracking stopped): no copy; writable,
 *              or queued in @releases until the fault thread un-protects it
 *
 *   HOLE --write_tracker_protect()--> PROTECTED
 *   PROTECTED --early fault, fault_handle()--> EARLY (written before
 *              the snapshot: writable, populated, in @early_faulted)
 *   EARLY --write_tracker_snapshot()--> PROTECTED
 *   HOLE --write_tracker_protect_written() (mapped since)--> PROTECTED
 *   PROTECTED --fault thread, fault_save_locked()--> SAVED
 *   PROTECTED, SAVED --write_tracker_read() of the whole page--> DONE
 *   PROTECTED, SAVED --write_tracker_stop() / tracker_fail_locked()--> DONE
 *
 * Invariants: a page is PROTECTED iff its bit in @prot is set; SAVED iff
 * it is a key of @saved; never both.  A DONE page may still be
 * write-protected in the page tables while it waits in @releases: the
 * reader hands un-protecting to the fault thread, which does it before
 * it handles any fault (so a writer on such a page waits for that, not
 * for the dump).  Only the fault thread makes a page
 * SAVED, and never one inside the reader's window [@win_start, @win_end):
 * a fault there waits until the reader has copied the window and released
 * it (a memcpy, no I/O), so the reader may copy PROTECTED pages without
 * the lock.  A SAVED page's slot is freed only by the reader or by stop.
 * The fault thread copies without the lock: it takes the slots and marks
 * the pages busy [@busy_start, @busy_end) under it, copies, and makes them
 * SAVED (then un-protects them) under it again; busy pages are PROTECTED,
 * and the reader opens no window over them.
 *
 * The tracker as a whole: EARLY from write_tracker_start() to
 * write_tracker_snapshot() (or seal), then RUNNING; STOPPED
 * after write_tracker_stop() or a failure on the fault thread (@error
 * set).  STOPPED is final: nothing is protected, @saved is empty, the
 * fault thread has exited or is exiting, and write_tracker_read() fails.
 *
 * Locking: @lock (a pthread mutex: ThreadSanitizer cannot see GLib's
 * futex-based GMutex) protects every field below it in struct
 * WriteTracker and every uffd ioctl issued after write_tracker_start(),
 * so the ioctls cannot race with stop and with each other.  The
 * exception, once sealed (@protects_done: nothing is protected any more),
 * is the fault thread lifting protection without the lock, from queued
 * DONE pages and from pages it has just SAVED: an un-protect can then only
 * meet another un-protect.  Nobody waits
 * for the main thread while holding it.  The fault thread waits on
 * @space_cond (a slot freed, the window moved, or STOPPED) without it; the
 * reader waits on it for busy pages to be saved.
 */
#include "qemu/osdep.h"
#include <linux/fs.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "qemu/bitmap.h"
#include "qemu/host-mem.h"
#include "qemu/pagemap.h"
#include "qemu/trace.h"
#include "exec/write-tracker.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23      /* Linux 5.14 */
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

/* Runs one PAGEMAP_SCAN call reports at most. */
#define WT_SCAN_BATCH 256

/* The fault thread looks at @stopped at least this often (ms). */
#define WT_POLL_MS 100
/* Messages read from the userfaultfd at once. */
#define WT_MSG_BATCH 16

/*
 * A protected extent.  @lazy: protected whole by
 * write_tracker_protect_all(); its populated pages are those still
 * protected or saved (see tracker_lazy_next()).
 */
typedef struct WtExtent {
    size_t start, end;          /* offsets in the range; end exclusive */
    bool lazy;
} WtExtent;

/* Pagemap entries read at once (under the lock: keep it short). */
#define WT_PAGEMAP_BATCH 512
/* Bytes of queued releases un-protected under one hold of the lock. */
#define WT_RELEASE_CHUNK (4 * 1024 * 1024)
/* Small pages one write fault saves at most (see fault_pick_locked()). */
#define WT_FAULT_AROUND 16
/* The size of a PMD-mapped transparent huge page, from the kernel. */
#define WT_THP_SIZE_FILE "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size"

/*
 * struct WtRange: one registered mapping.
 * @prot: one bit per page, set while PROTECTED (NULL until the first
 *        write_tracker_protect() in this range).
 * @extents: populated at the snapshot; sorted and merged by seal.
 */
typedef struct WtRange {
    uint8_t *host;
    size_t len;
    size_t page_size;
    char *name;
    bool registered;
    bool armed;                 /* something in it was protected */
    bool refault_writable;      /* see write_tracker_add_range() */
    /*
     * Every page the page tables protect has its @prot bit or waits in
     * @releases (or is being un-protected by the fault thread): cleared
     * by a protect ioctl that failed part-way.
     */
    bool prot_exact;
    unsigned long *prot;
    GArray *extents;
} WtRange;

struct WriteTracker {
    int uffd;
    int pagemap_fd;             /* /proc/self/pagemap, or -1 */
    bool can_scan;              /* PAGEMAP_SCAN works on @pagemap_fd */
    int wake_fd;                /* eventfd: stop, or @releases to do */
    size_t buffer_size;
    GPtrArray *ranges;          /* WtRange *, owned */
    pthread_t thread;
    bool thread_started;
    bool sealed;
    /*
     * A PMD-mapped transparent huge page, in bytes (0: none, or no
     * PAGEMAP_SCAN to recognise one): a fault inside one that is still
     * protected whole saves it whole (fault_pick_locked()).
     */
    size_t thp_size;
    /* The fault thread's: the slots of the pages it is saving. */
    unsigned *fault_slots;
    /* The reader's: slot + 1 (0: none) per page of its window. */
    unsigned *read_slots;
    size_t read_slots_len;

    pthread_mutex_t lock;
    pthread_cond_t space_cond;
    bool stopped;
    /*
     * Before write_tracker_snapshot(): a write fault is let through (the
     * write happens before the snapshot); its page goes to @early_faulted
     * (uint8_t *, page addresses) to be protected again at the snapshot.
     */
    bool early;
    GArray *early_faulted;
    /*
     * Sealed: nothing is protected any more, so an un-protect cannot
     * undo a protect and may run without the lock (see
     * tracker_do_releases_locked() and fault_save_locked()).
     */
    bool protects_done;
    char *error;                /* first failure on the fault thread */
    uint8_t *buffer;            /* nslots * slot_size bytes */
    size_t slot_size;
    unsigned nslots;
    unsigned *free_slots;       /* a stack of free slot numbers */
    unsigned nfree;
    GHashTable *saved;          /* page address -> slot + 1 */
    const uint8_t *win_start;   /* the reader's window, or NULL */
    const uint8_t *win_end;
    /*
     * Pages the fault thread is copying without the lock, or NULL: still
     * PROTECTED, their slots taken; the reader opens no window over them.
     */
    const uint8_t *busy_start;
    const uint8_t *busy_end;
    /*
     * DONE pages still write-protected (WtRelease, in the order the
     * reader passed them), for the fault thread to un-protect:
     * releases[release_head..] are pending.
     */
    GArray *releases;
    guint release_head;
    WriteTrackerStats stats;
};

/* A run of DONE pages the fault thread has yet to un-protect. */
typedef struct WtRelease {
    WtRange *r;
    size_t first, n;            /* pages of @r */
} WtRelease;

/* ------------------------------------------------------------- helpers */

/*
 * Copy guest memory that a writer may be about to store into; 0, or
 * -EFAULT if the host memory behind it is gone (SIGBUS: a backing file
 * truncated under the VM), through host_mem_read().  The kernel orders
 * the writer's store after our copy (the writer waits in the fault until
 * we un-protect the page), an ordering ThreadSanitizer cannot see: it
 * records the store when it is attempted, before the fault.  In a
 * ThreadSanitizer build the copy is therefore a loop it does not
 * instrument (which GCC must not turn back into an intercepted memcpy
 * call), without the SIGBUS guard.
 */
#if defined(__SANITIZE_THREAD__) && !defined(__clang__)
__attribute__((no_sanitize_thread, noinline,
               optimize("no-tree-loop-distribute-patterns")))
static int wt_copy_guest(void *dst, const void *src, size_t len)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    size_t i = 0;

    for (; i + sizeof(uint64_t) <= len; i += sizeof(uint64_t)) {
        uint64_t w;

        __builtin_memcpy(&w, s + i, sizeof(w));
        __builtin_memcpy(d + i, &w, sizeof(w));
    }
    for (; i < len; i++) {
        d[i] = s[i];
    }
    return 0;
}
#else
static int wt_copy_guest(void *dst, const void *src, size_t len)
{
    return host_mem_read(dst, src, len);
}
#endif

static WtRange *tracker_find_range(WriteTracker *wt, const uint8_t *addr)
{
    for (guint i = 0; i < wt->ranges->len; i++) {
        WtRange *r = g_ptr_array_index(wt->ranges, i);

        if (addr >= r->host && addr < r->host + r->len) {
            return r;
        }
    }
    return NULL;
}

static size_t range_page(const WtRange *r, const uint8_t *addr)
{
    return (addr - r->host) / r->page_size;
}

/* UFFDIO_WRITEPROTECT; retried while the mm is changing.  0 or -errno. */
static int uffd_writeprotect(int uffd, const void *addr, size_t len,
                             bool protect)
{
    struct uffdio_writeprotect wp = {
        .range = { .start = (uintptr_t)addr, .len = len },
        .mode = protect ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
    };

    while (ioctl(uffd, UFFDIO_WRITEPROTECT, &wp) < 0) {
        if (errno != EAGAIN) {
            return -errno;
        }
    }
    return 0;
}

/* UFFDIO_WAKE: let waiters on a page retry (their fault was spurious). */
static int uffd_wake(int uffd, const void *addr, size_t len)
{
    struct uffdio_range range = { .start = (uintptr_t)addr, .len = len };

    return ioctl(uffd, UFFDIO_WAKE, &range) < 0 ? -errno : 0;
}

static void uffd_unregister(int uffd, WtRange *r)
{
    struct uffdio_range range = { .start = (uintptr_t)r->host,
                                  .len = r->len };

    if (r->registered && ioctl(uffd, UFFDIO_UNREGISTER, &range) == 0) {
        r->registered = false;
    }
}

static void slot_free_locked(WriteTracker *wt, gpointer key, unsigned slot)
{
    g_hash_table_remove(wt->saved, key);
    wt->free_slots[wt->nfree++] = slot;
}

/*
 * Lift all protection from @r: un-protect it whole, else unregister it
 * (which lifts it too) and wake its writers (unregistering a WP-only
 * range wakes nobody); if that fails too, closing the userfaultfd
 * (write_tracker_free()) does.
 */
static void tracker_lift_range_locked(WriteTracker *wt, WtRange *r)
{
    if (uffd_writeprotect(wt->uffd, r->host, r->len, false) < 0) {
        uffd_unregister(wt->uffd, r);
        uffd_wake(wt->uffd, r->host, r->len);
    }
}

/* Un-protect [@start, @start + @len) of @r, or failing that all of it. */
static bool tracker_unprotect_or_range(WriteTracker *wt, WtRange *r,
                                       uint8_t *start, size_t len)
{
    return uffd_writeprotect(wt->uffd, start, len, false) == 0 ||
           uffd_writeprotect(wt->uffd, r->host, r->len, false) == 0;
}

/*
 * Un-protect what @r still protects: the runs of set @prot bits and its
 * queued releases.  Un-protecting a whole range instead writes every
 * present page-table entry in it again, whether protected or not: at the
 * end of a dump, when nearly nothing is left, that was 35 ms per GiB of
 * memfd on the dump thread.  False if an ioctl failed.
 */
static bool tracker_release_exact_locked(WriteTracker *wt, WtRange *r)
{
    size_t npages = r->len / r->page_size;

    for (guint i = wt->release_head; i < wt->releases->len; i++) {
        WtRelease *rel = &g_array_index(wt->releases, WtRelease, i);

        if (rel->r == r &&
            !tracker_unprotect_or_range(wt, r,
                                        r->host + rel->first * r->page_size,
                                        rel->n * r->page_size)) {
            return false;
        }
    }
    for (size_t pg = find_next_bit(r->prot, npages, 0); pg < npages; ) {
        size_t end = find_next_zero_bit(r->prot, npages, pg);

        if (!tracker_unprotect_or_range(wt, r, r->host + pg * r->page_size,
                                        (end - pg) * r->page_size)) {
            return false;
        }
        pg = end < npages ? find_next_bit(r->prot, npages, end) : npages;
    }
    return true;
}

/*
 * Release everything: un-protect each range (waking its writers), drop
 * the copies.  Only what is still protected when the books are exact,
 * else the whole range.  If un-protecting fails, unregistering the range
 * also lifts the protection and wakes the writers; if that fails too,
 * closing the userfaultfd (write_tracker_free()) does.
 */
static void tracker_release_all_locked(WriteTracker *wt)
{
    for (guint i = 0; i < wt->ranges->len; i++) {
        WtRange *r = g_ptr_array_index(wt->ranges, i);

        if (!r->armed) {
            continue;
        }
        if (!r->prot_exact || wt->error ||
            !tracker_release_exact_locked(wt, r)) {
            tracker_lift_range_locked(wt, r);
        }
        bitmap_zero(r->prot, r->len / r->page_size);
    }
    if (wt->saved) {
        g_hash_table_remove_all(wt->saved);
    }
    wt->nfree = wt->nslots;
    for (unsigned i = 0; i < wt->nslots; i++) {
        wt->free_slots[i] = i;
    }
}

/* CPU time the fault thread has run so far (for a trace), or 0. */
static int64_t tracker_fault_thread_cpu_us(WriteTracker *wt)
{
    clockid_t clock;
    struct timespec ts;

    if (!wt->thread_started ||
        pthread_getcpuclockid(wt->thread, &clock) ||
        clock_gettime(clock, &ts) < 0) {
        return 0;
    }
    return (int64_t)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void tracker_stop_locked(WriteTracker *wt)
{
    int64_t fault_cpu_us;

    if (wt->stopped) {
        return;
    }
    /* before the fault thread is told: it exits without the lock */
    fault_cpu_us = tracker_fault_thread_cpu_us(wt);
    wt->stopped = true;
    tracker_release_all_locked(wt);
    g_array_set_size(wt->releases, 0);
    wt->release_head = 0;
    pthread_cond_broadcast(&wt->space_cond);
    if (wt->wake_fd >= 0) {
        /* cannot fail but for overflow; the thread also polls @stopped */
        eventfd_write(wt->wake_fd, 1);
    }
    trace_event("write_tracker_stop", "faults=%" PRIu64 " early_faults=%"
                PRIu64 " copies=%" PRIu64 " buffer_waits=%" PRIu64
                " buffer_peak=%" PRIu64 " fault_cpu_us=%" PRId64 " error=%s",
                wt->stats.faults, wt->stats.early_faults, wt->stats.copies,
                wt->stats.buffer_waits, wt->stats.buffer_peak,
                fault_cpu_us, wt->error ? "yes" : "none");
}

/* A failure on the fault thread: record it and release everything. */
static void tracker_fail_locked(WriteTracker *wt, const char *what, int err)
{
    if (!wt->error) {
        wt->error = g_strdup_printf("%s: %s", what, g_strerror(err));
    }
    tracker_stop_locked(wt);
}

/*
 * An un-protect of @r's pages, issued without the lock, failed.  Before
 * stop it is a failure like any other (and stop lifts every range whole);
 * once stopped, stop has not seen those pages: lift @r whole now.
 */
static void tracker_unprotect_failed_locked(WriteTracker *wt, WtRange *r,
                                            const char *what, int err)
{
    if (wt->stopped) {
        tracker_lift_range_locked(wt, r);
    } else {
        tracker_fail_locked(wt, what, err);
    }
}

/* ----------------------------------------------------------- releases */

/*
 * The reader's DONE pages [@first, @first + @n) of @r: queue them for the
 * fault thread to un-protect (merged with the run before when they follow
 * it), and wake it if the queue was empty.  Un-protecting 4 KiB pages
 * writes one page-table entry each, the dearest part of releasing; on the
 * fault thread it runs beside the dump, not in its way.
 */
static void tracker_queue_release_locked(WriteTracker *wt, WtRange *r,
                                         size_t first, size_t n)
{
    WtRelease rel = { .r = r, .first = first, .n = n };

    if (wt->release_head < wt->releases->len) {
        WtRelease *last = &g_array_index(wt->releases, WtRelease,
                                         wt->releases->len - 1);

        if (last->r == r && last->first + last->n == first) {
            last->n += n;
            return;
        }
        g_array_append_val(wt->releases, rel);
        return;
    }
    g_array_append_val(wt->releases, rel);
    /* cannot fail but for overflow; the thread also polls */
    eventfd_write(wt->wake_fd, 1);
}

/*
 * Map writable again the pages of [@start, @start + @n pages) that are
 * present and no longer write-protected.  After UFFDIO_WRITEPROTECT lifts
 * the protection of a shared shmem page the kernel leaves its entry
 * read-only, so a writer would take a minor fault per 4 KiB page (254,000
 * for a GiB the guest keeps rewriting); one MADV_POPULATE_WRITE over a run
 * costs a fraction of that.  Only present pages: in a shmem mapping a
 * present page is allocated already, so nothing is populated; holes and
 * pages still protected are left alone.  Any failure (a kernel without
 * MADV_POPULATE_WRITE, memory gone) ends it for the range: writers then
 * fault as before.  Fault thread only, without the lock.
 */
static void tracker_refault_writable(WriteTracker *wt, WtRange *r,
                                     uint8_t *start, size_t n)
{
    const uint64_t want = PAGEMAP_PRESENT, mask = want | PAGEMAP_UFFD_WP;
    uint64_t pm[WT_PAGEMAP_BATCH];
    size_t ps = r->page_size;

    for (size_t done = 0; done < n && r->refault_writable; ) {
        size_t batch = MIN(n - done, WT_PAGEMAP_BATCH);
        ssize_t got = pread(wt->pagemap_fd, pm, batch * sizeof(pm[0]),
                            ((uintptr_t)start / ps + done) * sizeof(pm[0]));

        if (got < (ssize_t)sizeof(pm[0])) {
            r->refault_writable = false;
            return;
        }
        got /= sizeof(pm[0]);
        for (size_t i = 0; i < (size_t)got; ) {
            size_t j = i;

            while (j < (size_t)got && (pm[j] & mask) == want) {
                j++;
            }
            if (j > i && madvise(start + (done + i) * ps, (j - i) * ps,
                                 MADV_POPULATE_WRITE) < 0) {
                r->refault_writable = false;
                return;
            }
            i = MAX(j, i + 1);
        }
        done += got;
    }
}

/*
 * Un-protect the queued DONE pages, at most WT_RELEASE_CHUNK bytes per
 * ioctl, each chunk taken off the queue under the lock and done without
 * it, so the reader is not held up.  That ioctl is the one that may run
 * beside another (stop's): both only lift protection, and no DONE page is
 * ever protected again.  Anything done after stop is harmless until
 * write_tracker_free() has joined this thread, which its caller does
 * before memory may be discarded again.  Called and returns with the lock
 * held; fault thread only.
 */
static void tracker_do_releases_locked(WriteTracker *wt)
{
    while (!wt->stopped && wt->release_head < wt->releases->len) {
        WtRelease *rel = &g_array_index(wt->releases, WtRelease,
                                        wt->release_head);
        WtRange *r = rel->r;
        size_t n = MIN(rel->n, MAX(WT_RELEASE_CHUNK / r->page_size, 1));
        uint8_t *start = r->host + rel->first * r->page_size;
        int ret;

        rel->first += n;
        rel->n -= n;
        if (!rel->n && ++wt->release_head == wt->releases->len) {
            g_array_set_size(wt->releases, 0);
            wt->release_head = 0;
        }
        pthread_mutex_unlock(&wt->lock);
        ret = uffd_writeprotect(wt->uffd, start, n * r->page_size, false);
        if (!ret && r->refault_writable) {
            tracker_refault_writable(wt, r, start, n);
        }
        pthread_mutex_lock(&wt->lock);
        if (ret < 0) {
            tracker_unprotect_failed_locked(wt, r, "live dump: "
                                            "un-protecting pages the dump "
                                            "has saved failed", -ret);
            return;
        }
        wt->stats.released_bytes += n * r->page_size;
    }
}

/* ---------------------------------------------------------- set-up */

static int uffd_open(void)
{
    int fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);

    if (fd < 0 && errno == EPERM) {
        /* unprivileged: faults from the kernel's own accesses fail */
        fd = syscall(__NR_userfaultfd,
                     O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
    }
    return fd;
}

/*
 * PAGEMAP_SCAN of a one-page range nothing is mapped at: 0 runs on a
 * kernel that has the ioctl, ENOTTY (or EINVAL) on one that does not.
 */
static bool pagemap_scan_works(int pagemap_fd)
{
    struct page_region reg;
    struct pm_scan_arg arg = {
        .size = sizeof(arg),
        .start = 0,
        .end = qemu_real_host_page_size(),
        .vec = (uintptr_t)&reg,
        .vec_len = 1,
        .category_mask = PAGE_IS_PRESENT,
        .return_mask = PAGE_IS_PRESENT,
    };

    return ioctl(pagemap_fd, PAGEMAP_SCAN, &arg) >= 0;
}

/* The host's PMD-mapped transparent huge page size, or 0. */
static size_t tracker_thp_size(void)
{
    g_autofree char *text = NULL;
    guint64 size;

    if (!g_file_get_contents(WT_THP_SIZE_FILE, &text, NULL, NULL) ||
        !g_ascii_string_to_unsigned(g_strstrip(text), 10,
                                    qemu_real_host_page_size() * 2,
                                    (guint64)1 << 30, &size, NULL) ||
        (size & (size - 1))) {
        return 0;
    }
    return size;
}

WriteTracker *write_tracker_new(size_t buffer_size, Error **errp)
{
    struct uffdio_api api = { .api = UFFD_API };
    WriteTracker *wt;
    int fd;

    fd = uffd_open();
    if (fd < 0) {
        error_setg_errno(errp, errno, "live dump: the host refused a "
                         "userfaultfd (write-protect tracking)");
        return NULL;
    }
    /* probe the features, then ask for the ones write-protect needs */
    if (ioctl(fd, UFFDIO_API, &api) < 0) {
        error_setg_errno(errp, errno, "live dump: userfaultfd UFFDIO_API "
                         "failed");
        close(fd);
        return NULL;
    }
    close(fd);
    if (!(api.features & UFFD_FEATURE_PAGEFAULT_FLAG_WP)) {
        error_setg(errp, "live dump: the host kernel lacks userfaultfd "
                   "write-protect faults (UFFD_FEATURE_PAGEFAULT_FLAG_WP)");
        return NULL;
    }
    fd = uffd_open();
    if (fd < 0) {
        error_setg_errno(errp, errno, "live dump: the host refused a "
                         "userfaultfd (write-protect tracking)");
        return NULL;
    }
    api = (struct uffdio_api) {
        .api = UFFD_API,
        .features = api.features & (UFFD_FEATURE_PAGEFAULT_FLAG_WP |
                                    UFFD_FEATURE_WP_HUGETLBFS_SHMEM),
    };
    if (ioctl(fd, UFFDIO_API, &api) < 0) {
        error_setg_errno(errp, errno, "live dump: userfaultfd UFFDIO_API "
                         "failed");
        close(fd);
        return NULL;
    }

    wt = g_new0(WriteTracker, 1);
    wt->uffd = fd;
    wt->pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    wt->can_scan = wt->pagemap_fd >= 0 && pagemap_scan_works(wt->pagemap_fd);
    wt->thp_size = wt->can_scan ? tracker_thp_size() : 0;
    wt->early_faulted = g_array_new(false, false, sizeof(uint8_t *));
    wt->wake_fd = -1;
    wt->releases = g_array_new(false, false, sizeof(WtRelease));
    wt->buffer_size = buffer_size;
    wt->ranges = g_ptr_array_new();
    pthread_mutex_init(&wt->lock, NULL);
    pthread_cond_init(&wt->space_cond, NULL);
    wt->saved = g_hash_table_new(g_direct_hash, g_direct_equal);
    return wt;
}

bool write_tracker_add_range(WriteTracker *wt, void *host, size_t len,
                             size_t page_size, bool refault_writable,
                             const char *name, Error **errp)
{
    struct uffdio_register reg = {
        .range = { .start = (uintptr_t)host, .len = len },
        .mode = UFFDIO_REGISTER_MODE_WP,
    };
    WtRange *r;

    assert(!wt->thread_started);
    assert(len && page_size && QEMU_IS_ALIGNED(len, page_size) &&
           QEMU_IS_ALIGNED((uintptr_t)host, page_size));
    if (ioctl(wt->uffd, UFFDIO_REGISTER, &reg) < 0) {
        error_setg_errno(errp, errno, "live dump: %s cannot be "
                         "write-protected: the host has no userfaultfd "
                         "write-protect support for this kind of memory "
                         "(UFFDIO_REGISTER_MODE_WP)", name);
        return false;
    }
    r = g_new0(WtRange, 1);
    r->host = host;
    r->len = len;
    r->page_size = page_size;
    r->refault_writable = refault_writable && wt->pagemap_fd >= 0 &&
                          page_size == qemu_real_host_page_size();
    r->name = g_strdup(name);
    r->registered = true;
    r->prot_exact = true;
    r->extents = g_array_new(false, false, sizeof(WtExtent));
    g_ptr_array_add(wt->ranges, r);
    if (!(reg.ioctls & ((uint64_t)1 << _UFFDIO_WRITEPROTECT))) {
        error_setg(errp, "live dump: %s cannot be write-protected: the "
                   "host offers no UFFDIO_WRITEPROTECT for it", name);
        return false;
    }
    return true;
}

static void *fault_thread_main(void *opaque);

bool write_tracker_start(WriteTracker *wt, Error **errp)
{
    size_t slot = qemu_real_host_page_size();
    size_t nslots;
    int ret;

    assert(!wt->thread_started);
    for (guint i = 0; i < wt->ranges->len; i++) {
        WtRange *r = g_ptr_array_index(wt->ranges, i);

        slot = MAX(slot, r->page_size);
    }
    if (wt->buffer_size < slot) {
        error_setg(errp, "live dump: a copy buffer of %zu bytes cannot "
                   "hold one page of %zu bytes", wt->buffer_size, slot);
        return false;
    }
    wt->slot_size = slot;
    nslots = wt->buffer_size / slot;
    /* untouched parts of the buffer cost no memory */
    wt->buffer = g_try_malloc(nslots * slot);
    wt->free_slots = g_try_new(unsigned, nslots);
    wt->fault_slots = g_try_new(unsigned,
                                MAX(WT_FAULT_AROUND, wt->thp_size /
                                    qemu_real_host_page_size()));
    if (!wt->buffer || !wt->free_slots || !wt->fault_slots) {
        error_setg(errp, "live dump: cannot allocate a copy buffer of %zu "
                   "bytes", nslots * slot);
        return false;
    }
    wt->nslots = nslots;
    wt->nfree = wt->nslots;
    for (unsigned i = 0; i < wt->nslots; i++) {
        wt->free_slots[i] = i;
    }
    wt->stats.buffer_size = (uint64_t)wt->nslots * slot;
    /*
     * The page bitmaps now, not while the VM is stopped: touching a few
     * MiB of fresh memory (2 MiB per 64 GiB) costs milliseconds here.
     */
    for (guint i = 0; i < wt->ranges->len; i++) {
        WtRange *r = g_ptr_array_index(wt->ranges, i);
        size_t longs = BITS_TO_LONGS(r->len / r->page_size);

        r->prot = g_try_new(unsigned long, longs);
        if (!r->prot) {
            error_setg(errp, "live dump: cannot allocate the page bitmap "
                       "of %s", r->name);
            return false;
        }
        memset(r->prot, 0, longs * sizeof(unsigned long));
    }
    wt->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wt->wake_fd < 0) {
        error_setg_errno(errp, errno, "live dump: cannot create an eventfd");
        return false;
    }
    ret = pthread_create(&wt->thread, NULL, fault_thread_main, wt);
    if (ret) {
        error_setg_errno(errp, ret, "live dump: cannot start the "
                         "write-fault thread");
        return false;
    }
    wt->thread_started = true;
    pthread_mutex_lock(&wt->lock);
    wt->early = true;
    pthread_mutex_unlock(&wt->lock);
    return true;
}

static bool tracker_protect(WriteTracker *wt, const void *host, size_t len,
                            bool lazy, Error **errp)
{
    const uint8_t *start = host, *end = start + len;
    WtRange *r;
    size_t first, last;
    WtExtent ext;
    int ret;

    assert(!wt->sealed && len);
    r = tracker_find_range(wt, start);
    assert(r && end <= r->host + r->len);
    first = range_page(r, start);
    last = range_page(r, end - 1);
    ext.start = first * r->page_size;
    ext.end = (last + 1) * r->page_size;
    ext.lazy = lazy;

    pthread_mutex_lock(&wt->lock);
    if (lazy && wt->pagemap_fd < 0) {
        ret = -ENOENT;      /* cannot tell holes later: no pagemap */
    } else if (wt->stopped) {
        ret = -ECANCELED;
    } else {
        /* armed first: a partial failure is undone by stop */
        r->armed = true;
        ret = uffd_writeprotect(wt->uffd, r->host + ext.start,
                                ext.end - ext.start, true);
    }
    if (!ret) {
        /* a lazy extent's holes have their bit too: they never fault */
        bitmap_set(r->prot, first, last - first + 1);
        g_array_append_val(r->extents, ext);
        wt->stats.protected_bytes += ext.end - ext.start;
    } else if (r->armed) {
        r->prot_exact = false;      /* some of it may be protected */
    }
    pthread_mutex_unlock(&wt->lock);
    if (ret) {
        error_setg_errno(errp, -ret, "live dump: failed to write-protect "
                         "%s", r->name);
        return false;
    }
    return true;
}

bool write_tracker_protect(WriteTracker *wt, const void *host, size_t len,
                           Error **errp)
{
    return tracker_protect(wt, host, len, false, errp);
}

bool write_tracker_protect_all(WriteTracker *wt, const void *host,
                               size_t len, Error **errp)
{
    return tracker_protect(wt, host, len, true, errp);
}

bool write_tracker_can_protect_early(WriteTracker *wt)
{
    return wt->can_scan;
}

/*
 * End the early phase: from now on a fault saves the page.  Pages let
 * through since their early protection are protected again, adjacent
 * ones in one ioctl.  (The scan of write_tracker_protect_written() finds
 * them too, once their writer has mapped them; this list also covers a
 * writer that has not yet retried its fault.)
 */
static int tracker_snapshot_locked(WriteTracker *wt)
{
    uint8_t **pages = (uint8_t **)(void *)wt->early_faulted->data;
    guint n = wt->early_faulted->len;
    int ret = 0;

    if (!wt->early) {
        return 0;
    }
    wt->early = false;
    for (guint i = 0; i < n && !ret; ) {
        WtRange *r = tracker_find_range(wt, pages[i]);
        guint j = i + 1;

        while (j < n && pages[j] == pages[j - 1] + r->page_size &&
               pages[j] < r->host + r->len) {
            j++;
        }
        ret = uffd_writeprotect(wt->uffd, pages[i],
                                (size_t)(j - i) * r->page_size, true);
        if (!ret) {
            bitmap_set(r->prot, range_page(r, pages[i]), j - i);
        } else {
            r->prot_exact = false;
        }
        i = j;
    }
    g_array_set_size(wt->early_faulted, 0);
    return ret;
}

static gint page_ptr_cmp(gconstpointer a, gconstpointer b)
{
    const uint8_t *x = *(uint8_t *const *)a, *y = *(uint8_t *const *)b;

    return x < y ? -1 : x > y;
}

bool write_tracker_snapshot(WriteTracker *wt, Error **errp)
{
    int ret;

    pthread_mutex_lock(&wt->lock);
    if (wt->stopped) {
        ret = -ECANCELED;
    } else {
        g_array_sort(wt->early_faulted, page_ptr_cmp);
        ret = tracker_snapshot_locked(wt);
    }
    trace_event("write_tracker_snapshot", "early_faults=%" PRIu64,
                wt->stats.early_faults);
    pthread_mutex_unlock(&wt->lock);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "live dump: failed to write-protect "
                         "pages written before the snapshot");
        return false;
    }
    return true;
}

bool write_tracker_protect_written(WriteTracker *wt, const void *host,
                                   size_t len, Error **errp)
{
    struct page_region regs[WT_SCAN_BATCH];
    uint64_t cur = (uintptr_t)host, end = cur + len;
    WtRange *r = tracker_find_range(wt, host);

    assert(!wt->sealed && r && len &&
           (const uint8_t *)host + len <= r->host + r->len);
    if (!wt->can_scan) {
        error_setg(errp, "live dump: cannot scan the page tables of %s: "
                   "the host kernel has no PAGEMAP_SCAN", r->name);
        return false;
    }
    cur = ROUND_DOWN(cur, qemu_real_host_page_size());
    end = ROUND_UP(end, qemu_real_host_page_size());
    while (cur < end) {
        /* mapped and not write-protected: written, or newly populated */
        struct pm_scan_arg arg = {
            .size = sizeof(arg),
            .start = cur,
            .end = end,
            .vec = (uintptr_t)regs,
            .vec_len = WT_SCAN_BATCH,
            .category_mask = PAGE_IS_PRESENT | PAGE_IS_WRITTEN,
            .return_mask = PAGE_IS_PRESENT | PAGE_IS_WRITTEN,
        };
        long n = ioctl(wt->pagemap_fd, PAGEMAP_SCAN, &arg);

        if (n < 0) {
            error_setg_errno(errp, errno, "live dump: cannot scan the page "
                             "tables of %s (PAGEMAP_SCAN)", r->name);
            return false;
        }
        for (long i = 0; i < n; i++) {
            if (!tracker_protect(wt, (const void *)(uintptr_t)regs[i].start,
                                 regs[i].end - regs[i].start, false, errp)) {
                return false;
            }
        }
        if (arg.walk_end <= cur) {
            break;              /* cannot happen: never loop for ever */
        }
        cur = arg.walk_end;
    }
    return true;
}

static gint extent_cmp(gconstpointer a, gconstpointer b)
{
    const WtExtent *x = a, *y = b;

    return x->start < y->start ? -1 : x->start > y->start;
}

void write_tracker_seal(WriteTracker *wt)
{
    int ret;

    pthread_mutex_lock(&wt->lock);
    g_array_sort(wt->early_faulted, page_ptr_cmp);
    ret = tracker_snapshot_locked(wt);
    wt->protects_done = true;
    if (ret < 0) {
        tracker_fail_locked(wt, "live dump: write-protecting pages written "
                            "before the snapshot failed", -ret);
    }
    pthread_mutex_unlock(&wt->lock);
    for (guint i = 0; i < wt->ranges->len; i++) {
        WtRange *r = g_ptr_array_index(wt->ranges, i);
        WtExtent *e;
        guint n = 0;

        g_array_sort(r->extents, extent_cmp);
        e = (WtExtent *)(void *)r->extents->data;
        for (guint j = 0; j < r->extents->len; j++) {
            if (n && e[j].start <= e[n - 1].end &&
                e[j].lazy == e[n - 1].lazy) {
                e[n - 1].end = MAX(e[n - 1].end, e[j].end);
            } else {
                e[n++] = e[j];
            }
        }
        g_array_set_size(r->extents, n);
    }
    wt->sealed = true;
}

/*
 * The first run of pages in [@from, @to) (offsets in @r, page aligned, in
 * a lazy extent) that were populated at the snapshot: still protected, or
 * saved.  Both are looked at under the lock, so a page being saved is
 * seen in one state or the other.
 */
/* Bytes of a lazy extent one PAGEMAP_SCAN looks at under the lock. */
#define WT_LAZY_SCAN_WINDOW (32 * 1024 * 1024)

/*
 * tracker_lazy_next() with PAGEMAP_SCAN: the kernel reports only the
 * runs of pages that are mapped or swapped out and skips the holes, which
 * are most of a sparse block (reading an entry for each page of 64 GiB
 * plugged, 1 GiB written, cost 45 ms).  A page of such a run was
 * populated at the snapshot if it is still write-protected (the uffd-wp
 * bit: not PAGE_IS_WRITTEN) and PROTECTED, or if it is SAVED.  Returns
 * -1 if the scan failed (the caller reads entries instead).
 */
static int tracker_lazy_next_scan(WriteTracker *wt, WtRange *r, size_t from,
                                  size_t to, size_t *fs, size_t *fe)
{
    struct page_region regs[WT_SCAN_BATCH];
    bool in_run = false;
    size_t pos = from, ps = r->page_size;

    while (pos < to) {
        size_t win_end = MIN(to, pos + WT_LAZY_SCAN_WINDOW);
        struct pm_scan_arg arg = {
            .size = sizeof(arg),
            .start = (uintptr_t)(r->host + pos),
            .end = (uintptr_t)(r->host + win_end),
            .vec = (uintptr_t)regs,
            .vec_len = WT_SCAN_BATCH,
            .category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
            .return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED |
                           PAGE_IS_WRITTEN,
        };
        bool any_saved;
        long n;

        pthread_mutex_lock(&wt->lock);
        if (wt->stopped) {
            /* as the entry reader: say populated, the read then fails */
            pthread_mutex_unlock(&wt->lock);
            if (!in_run) {
                *fs = pos;
            }
            *fe = to;
            return 1;
        }
        n = ioctl(wt->pagemap_fd, PAGEMAP_SCAN, &arg);
        if (n < 0 || arg.walk_end <= arg.start) {
            pthread_mutex_unlock(&wt->lock);
            if (in_run) {
                *fe = pos;
                return 1;
            }
            return -1;          /* read the entries instead */
        }
        any_saved = g_hash_table_size(wt->saved);
        for (long i = 0; i < n; i++) {
            size_t p = QEMU_ALIGN_DOWN(regs[i].start - (uintptr_t)r->host,
                                       ps);
            size_t e = QEMU_ALIGN_UP(regs[i].end - (uintptr_t)r->host, ps);
            bool written = regs[i].categories & PAGE_IS_WRITTEN;

            if (in_run && p != pos) {
                /* a hole since the last page looked at */
                pthread_mutex_unlock(&wt->lock);
                *fe = pos;
                return 1;
            }
            for (p = MAX(p, pos); p < e; p += ps) {
                bool pop = written ?
                           any_saved &&
                           g_hash_table_contains(wt->saved, r->host + p) :
                           test_bit(p / ps, r->prot);

                if (pop && !in_run) {
                    in_run = true;
                    *fs = p;
                } else if (!pop && in_run) {
                    pthread_mutex_unlock(&wt->lock);
                    *fe = p;
                    return 1;
                }
            }
            pos = e;
        }
        pthread_mutex_unlock(&wt->lock);
        if (in_run && pos < arg.walk_end - (uintptr_t)r->host) {
            *fe = pos;          /* a hole after the last run */
            return 1;
        }
        pos = arg.walk_end - (uintptr_t)r->host;
    }
    if (in_run) {
        *fe = to;
    }
    return in_run;
}

static bool tracker_lazy_next(WriteTracker *wt, WtRange *r, size_t from,
                              size_t to, size_t *fs, size_t *fe)
{
    uint64_t pm[WT_PAGEMAP_BATCH];
    bool in_run = false;
    size_t pos = from;

    if (wt->can_scan) {
        int ret = tracker_lazy_next_scan(wt, r, from, to, fs, fe);

        if (ret >= 0) {
            return ret;
        }
    }

    while (pos < to) {
        size_t n = MIN(WT_PAGEMAP_BATCH, (to - pos) / r->page_size);
        size_t step = r->page_size / qemu_real_host_page_size();
        off_t vpn = (uintptr_t)(r->host + pos) / qemu_real_host_page_size();
        ssize_t got;

        pthread_mutex_lock(&wt->lock);
        /* one entry per host page; a huge page's first stands for it */
        if (step == 1) {
            got = pread(wt->pagemap_fd, pm, n * sizeof(pm[0]),
                        vpn * sizeof(pm[0]));
        } else {
            got = 0;
            for (size_t i = 0; i < n; i++) {
                if (pread(wt->pagemap_fd, &pm[i], sizeof(pm[0]),
                          (vpn + i * step) * sizeof(pm[0])) !=
                    sizeof(pm[0])) {
                    break;
                }
                got += sizeof(pm[0]);
            }
        }
        if (got < (ssize_t)sizeof(pm[0]) || wt->stopped) {
            /*
             * Cannot tell (or stopped: the protection is gone): say
             * populated; the read that follows fails if stopped.
             */
            pthread_mutex_unlock(&wt->lock);
            if (!in_run) {
                *fs = pos;
            }
            *fe = to;
            return true;
        }
        n = got / sizeof(pm[0]);
        for (size_t i = 0; i < n; i++, pos += r->page_size) {
            /*
             * A SAVED page was populated at the snapshot and nothing may
             * discard it during the dump: it is present or swapped out.
             * Holes (most of a sparse block) skip the table.
             */
            bool pop = ((pm[i] & PAGEMAP_UFFD_WP) &&
                        test_bit(pos / r->page_size, r->prot)) ||
                       ((pm[i] & (PAGEMAP_PRESENT | PAGEMAP_SWAPPED)) &&
                        g_hash_table_size(wt->saved) &&
                        g_hash_table_contains(wt->saved, r->host + pos));

            if (pop && !in_run) {
                in_run = true;
                *fs = pos;
            } else if (!pop && in_run) {
                pthread_mutex_unlock(&wt->lock);
                *fe = pos;
                return true;
            }
        }
        pthread_mutex_unlock(&wt->lock);
    }
    if (in_run) {
        *fe = to;
    }
    return in_run;
}

bool write_tracker_next_populated(WriteTracker *wt, const uint8_t *start,
                                  const uint8_t *end,
                                  const uint8_t **found_start,
                                  const uint8_t **found_end)
{
    WtRange *r = tracker_find_range(wt, start);
    const WtExtent *e;
    size_t from, to;
    guint lo = 0, hi;

    assert(wt->sealed);
    if (!r || start >= end) {
        return false;
    }
    from = start - r->host;
    to = MIN((size_t)(end - r->host), r->len);
    e = (const WtExtent *)(const void *)r->extents->data;
    hi = r->extents->len;
    /* the first extent that ends after @from */
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;

        if (e[mid].end <= from) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    for (; lo < r->extents->len && e[lo].start < to; lo++) {
        size_t s = MAX(e[lo].start, from), t = MIN(e[lo].end, to);
        size_t ps, pe;

        if (!e[lo].lazy) {
            *found_start = r->host + s;
            *found_end = r->host + t;
            return true;
        }
        /* whole pages: a partial one at either end counts whole */
        ps = QEMU_ALIGN_DOWN(s, r->page_size);
        pe = QEMU_ALIGN_UP(t, r->page_size);
        if (tracker_lazy_next(wt, r, ps, pe, &ps, &pe)) {
            *found_start = r->host + MAX(ps, s);
            *found_end = r->host + MIN(pe, t);
            return true;
        }
    }
    return false;
}

/* ------------------------------------------------------------ faults */

static bool page_in_window(WriteTracker *wt, const uint8_t *page,
                           size_t page_size)
{
    return wt->win_start && page < wt->win_end &&
           page + page_size > wt->win_start;
}

/*
 * Whether the huge page at @start (thp_size aligned) is mapped by one PMD
 * that is still write-protected whole.  PAGEMAP_SCAN reports PAGE_IS_HUGE
 * for a PMD-mapped page only (or hugetlb, which has its own page size
 * here), and PAGE_IS_WRITTEN once its protection is gone.  A failed scan
 * says no: the fault then saves small pages.
 */
static bool tracker_thp_protected(WriteTracker *wt, const uint8_t *start)
{
    struct page_region reg;
    struct pm_scan_arg arg = {
        .size = sizeof(arg),
        .start = (uintptr_t)start,
        .end = (uintptr_t)start + wt->thp_size,
        .vec = (uintptr_t)&reg,
        .vec_len = 1,
        .category_mask = PAGE_IS_HUGE,
        .return_mask = PAGE_IS_HUGE | PAGE_IS_WRITTEN,
    };

    return ioctl(wt->pagemap_fd, PAGEMAP_SCAN, &arg) == 1 &&
           reg.start == arg.start && reg.end == arg.end &&
           !(reg.categories & PAGE_IS_WRITTEN);
}

/*
 * The pages a write fault on the PROTECTED page @page saves: *@first and
 * the return value (a count of pages), 0 if the buffer lacks the room.
 *
 * - Inside a transparent huge page that is still protected whole, the
 *   whole huge page, or nothing until that much room is free: the kernel
 *   would split the huge page to un-protect part of it (a page table of
 *   512 entries written, on this kind of host the dearest part of a
 *   fault), and the dump's own un-protect of those pages later would
 *   write them all again.  Only if the buffer can ever hold one.
 * - Else @page and the protected pages right after it, up to
 *   WT_FAULT_AROUND, while slots last: a writer moving forward then
 *   faults once per WT_FAULT_AROUND pages, not once per page.  Pages
 *   count only if the page tables say they are protected (a hole of a
 *   write_tracker_protect_all() range has its @prot bit but is not).
 *
 * None inside the reader's window.
 */
static size_t fault_pick_locked(WriteTracker *wt, WtRange *r, uint8_t *page,
                                uint8_t **first)
{
    uint64_t pm[WT_FAULT_AROUND];
    size_t n = 1, max = 1;

    *first = page;
    if (wt->thp_size > r->page_size &&
        wt->thp_size / r->page_size <= wt->nslots) {
        size_t hp = wt->thp_size / r->page_size;
        uint8_t *hs = (uint8_t *)ROUND_DOWN((uintptr_t)page, wt->thp_size);

        if (hs >= r->host && hs + wt->thp_size <= r->host + r->len &&
            !page_in_window(wt, hs, wt->thp_size) &&
            bitmap_range_all_set(r->prot, range_page(r, hs), hp) &&
            tracker_thp_protected(wt, hs)) {
            if (wt->nfree < hp) {
                return 0;
            }
            *first = hs;
            return hp;
        }
    }
    if (!wt->nfree) {
        return 0;
    }
    if (r->page_size == qemu_real_host_page_size() && wt->pagemap_fd >= 0) {
        max = MIN(WT_FAULT_AROUND, (size_t)(r->host + r->len - page) /
                  r->page_size);
        max = MIN(max, wt->nfree);
        if (max > 1) {
            ssize_t got = pread(wt->pagemap_fd, pm, max * sizeof(pm[0]),
                                (uintptr_t)page / r->page_size *
                                sizeof(pm[0]));

            max = got > 0 ? (size_t)got / sizeof(pm[0]) : 1;
        }
    }
    for (; n < max; n++) {
        uint8_t *p = page + n * r->page_size;

        if (!(pm[n] & PAGEMAP_UFFD_WP) ||
            !test_bit(range_page(r, p), r->prot) ||
            page_in_window(wt, p, r->page_size)) {
            break;
        }
    }
    return n;
}

/*
 * Save the @n PROTECTED pages from @first (fault_pick_locked()) into free
 * slots and un-protect them with one ioctl, which lets the writer go on.
 * The copy runs without the lock -- a huge page is 2 MiB of memcpy --
 * with the pages marked busy so that the reader opens no window over
 * them meanwhile; they stay protected until they are SAVED.  Called and
 * returns with the lock held.  Returns false if tracking failed or
 * stopped meanwhile.
 */
static bool fault_save_locked(WriteTracker *wt, WtRange *r, uint8_t *first,
                              size_t n)
{
    size_t ps = r->page_size, copied = 0;
    uint64_t used;
    int ret;

    assert(n && n <= wt->nfree);
    for (size_t i = 0; i < n; i++) {
        wt->fault_slots[i] = wt->free_slots[--wt->nfree];
    }
    wt->busy_start = first;
    wt->busy_end = first + n * ps;
    pthread_mutex_unlock(&wt->lock);

    for (; copied < n; copied++) {
        if (wt_copy_guest(wt->buffer +
                          (size_t)wt->fault_slots[copied] * wt->slot_size,
                          first + copied * ps, ps) < 0) {
            break;              /* save what we have; the rest faults */
        }
    }

    pthread_mutex_lock(&wt->lock);
    wt->busy_start = wt->busy_end = NULL;
    pthread_cond_broadcast(&wt->space_cond);
    if (wt->stopped) {
        return false;           /* stop freed every slot */
    }
    for (size_t i = copied; i < n; i++) {
        wt->free_slots[wt->nfree++] = wt->fault_slots[i];
    }
    if (!copied) {
        tracker_fail_locked(wt, "live dump: saving a page before a write "
                            "failed", EFAULT);
        return false;
    }
    for (size_t i = 0; i < copied; i++) {
        uint8_t *p = first + i * ps;

        g_hash_table_insert(wt->saved, p,
                            GUINT_TO_POINTER(wt->fault_slots[i] + 1));
        clear_bit(range_page(r, p), r->prot);
    }
    wt->stats.copies += copied;
    used = (uint64_t)(wt->nslots - wt->nfree) * wt->slot_size;
    wt->stats.buffer_peak = MAX(wt->stats.buffer_peak, used);
    if (wt->protects_done) {
        /*
         * The pages are SAVED: the reader takes them from the buffer
         * now.  Un-protecting writes their page-table entries and waits
         * for other CPUs to flush their TLBs; not with the lock held.
         */
        pthread_mutex_unlock(&wt->lock);
        ret = uffd_writeprotect(wt->uffd, first, copied * ps, false);
        pthread_mutex_lock(&wt->lock);
        if (ret < 0) {
            tracker_unprotect_failed_locked(wt, r, "live dump: "
                                            "un-protecting a page after "
                                            "saving it failed", -ret);
            return false;
        }
        if (wt->stopped) {
            return false;
        }
    } else {
        ret = uffd_writeprotect(wt->uffd, first, copied * ps, false);
    }
    if (ret < 0) {
        tracker_fail_locked(wt, "live dump: un-protecting a page after "
                            "saving it failed", -ret);
        return false;
    }
    return true;
}

/* One write fault at @addr.  Returns false once tracking has stopped. */
static bool fault_handle(WriteTracker *wt, uint64_t addr)
{
    uint8_t *page;
    WtRange *r;
    bool waited = false, running;
    int ret;

    pthread_mutex_lock(&wt->lock);
    wt->stats.faults++;
    r = tracker_find_range(wt, (const uint8_t *)(uintptr_t)addr);
    if (!r) {
        /* not ours: cannot happen, but never leave a writer waiting */
        ret = uffd_writeprotect(wt->uffd, (void *)(uintptr_t)
                                ROUND_DOWN(addr, qemu_real_host_page_size()),
                                qemu_real_host_page_size(), false);
        if (ret < 0) {
            tracker_fail_locked(wt, "live dump: un-protecting a stray "
                                "fault failed", -ret);
        }
        goto out;
    }
    page = r->host + range_page(r, (uint8_t *)(uintptr_t)addr) *
           r->page_size;
    for (;;) {
        if (wt->stopped) {
            goto out;
        }
        if (!r->prot || !test_bit(range_page(r, page), r->prot)) {
            /*
             * Released or saved since the fault was queued.  A released
             * page may still wait in the queue, protected: un-protect
             * the queue now (which wakes its writers), then wake.
             */
            tracker_do_releases_locked(wt);
            if (wt->stopped) {
                goto out;
            }
            ret = uffd_wake(wt->uffd, page, r->page_size);
            if (ret < 0) {
                tracker_fail_locked(wt, "live dump: waking a writer "
                                    "failed", -ret);
            }
            goto out;
        }
        if (wt->early) {
            /* before the snapshot: the write is part of it, let it be */
            ret = uffd_writeprotect(wt->uffd, page, r->page_size, false);
            if (ret < 0) {
                tracker_fail_locked(wt, "live dump: un-protecting a page "
                                    "written before the snapshot failed",
                                    -ret);
                goto out;
            }
            clear_bit(range_page(r, page), r->prot);
            g_array_append_val(wt->early_faulted, page);
            wt->stats.early_faults++;
            goto out;
        }
        if (!page_in_window(wt, page, r->page_size)) {
            uint8_t *first;
            size_t n = fault_pick_locked(wt, r, page, &first);

            if (n) {
                fault_save_locked(wt, r, first, n);
                goto out;
            }
            /* the buffer lacks the room */
            if (!waited) {
                wt->stats.buffer_waits++;
                waited = true;
            }
        }
        /* the reader is copying it, or the buffer is full: wait */
        pthread_cond_wait(&wt->space_cond, &wt->lock);
    }
out:
    running = !wt->stopped;
    pthread_mutex_unlock(&wt->lock);
    return running;
}

static void *fault_thread_main(void *opaque)
{
    WriteTracker *wt = opaque;
    struct uffd_msg msgs[WT_MSG_BATCH];
    struct pollfd pfd[2] = {
        { .fd = wt->uffd, .events = POLLIN },
        { .fd = wt->wake_fd, .events = POLLIN },
    };

    /* a name for top, perf and /proc/PID/task: "wt-fault" */
    pthread_setname_np(pthread_self(), "wt-fault");

    for (;;) {
        bool stopped;
        ssize_t n;

        pthread_mutex_lock(&wt->lock);
        stopped = wt->stopped;
        pthread_mutex_unlock(&wt->lock);
        if (stopped) {
            break;
        }
        /* woken by a fault or by stop's eventfd; the timeout is a backstop */
        if (poll(pfd, 2, WT_POLL_MS) < 0) {
            if (errno == EINTR) {
                continue;
            }
            pthread_mutex_lock(&wt->lock);
            tracker_fail_locked(wt, "live dump: poll on the userfaultfd "
                                "failed", errno);
            pthread_mutex_unlock(&wt->lock);
            break;
        }
        if (pfd[1].revents) {
            eventfd_t v;

            eventfd_read(wt->wake_fd, &v);
        }
        /* released pages first: a writer may be waiting on one */
        pthread_mutex_lock(&wt->lock);
        tracker_do_releases_locked(wt);
        stopped = wt->stopped;
        pthread_mutex_unlock(&wt->lock);
        if (stopped) {
            break;
        }
        if (!pfd[0].revents) {
            continue;
        }
        n = read(wt->uffd, msgs, sizeof(msgs));
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) {
                continue;
            }
            pthread_mutex_lock(&wt->lock);
            tracker_fail_locked(wt, "live dump: reading the userfaultfd "
                                "failed", errno);
            pthread_mutex_unlock(&wt->lock);
            break;
        }
        for (size_t i = 0; i < n / sizeof(msgs[0]); i++) {
            if (msgs[i].event != UFFD_EVENT_PAGEFAULT) {
                continue;
            }
            if (!fault_handle(wt, msgs[i].arg.pagefault.address)) {
                return NULL;
            }
        }
    }
    return NULL;
}

/* ------------------------------------------------------------ reading */

int write_tracker_read(WriteTracker *wt, const void *host, size_t len,
                       void *dst)
{
    const uint8_t *start = host, *end = start + len;
    uint8_t *out = dst;
    WtRange *r = tracker_find_range(wt, start);
    size_t first, last, npages;
    bool fault = false;
    int ret = 0;

    assert(wt->sealed && r && len && end <= r->host + r->len);
    first = range_page(r, start);
    last = range_page(r, end - 1);
    npages = last - first + 1;
    if (wt->read_slots_len < npages) {
        /* the reader's own array: no lock */
        g_free(wt->read_slots);
        wt->read_slots = g_new(unsigned, npages);
        wt->read_slots_len = npages;
    }

    /*
     * Open the window: from now on the fault thread saves no page in it,
     * so a PROTECTED page stays unchanged while we copy it, and a SAVED
     * page keeps its slot.  Which pages are SAVED, and where, is
     * therefore known now, in one go.  Pages the fault thread is copying
     * (busy) are waited for first: it saves them without the lock.
     */
    pthread_mutex_lock(&wt->lock);
    while (!wt->stopped && wt->busy_start && wt->busy_start < end &&
           wt->busy_end > start) {
        pthread_cond_wait(&wt->space_cond, &wt->lock);
    }
    if (wt->stopped) {
        pthread_mutex_unlock(&wt->lock);
        return -ECANCELED;
    }
    wt->win_start = start;
    wt->win_end = end;
    for (size_t i = 0; i < npages; i++) {
        wt->read_slots[i] = GPOINTER_TO_UINT(
            g_hash_table_lookup(wt->saved, r->host +
                                (first + i) * r->page_size));
    }
    pthread_mutex_unlock(&wt->lock);

    /* runs of PROTECTED pages in one copy each, SAVED ones from slots */
    for (size_t i = 0; i < npages && !fault; ) {
        uint8_t *page = r->host + (first + i) * r->page_size;
        const uint8_t *from = MAX(page, start);
        const uint8_t *to;

        if (wt->read_slots[i]) {
            const uint8_t *copy = wt->buffer +
                (size_t)(wt->read_slots[i] - 1) * wt->slot_size;

            to = MIN(page + r->page_size, end);
            memcpy(out, copy + (from - page), to - from);
            i++;
        } else {
            size_t j = i + 1;

            while (j < npages && !wt->read_slots[j]) {
                j++;
            }
            to = MIN(r->host + (first + j) * r->page_size, end);
            fault = wt_copy_guest(out, from, to - from) < 0;
            i = j;
        }
        out += to - from;
    }

    /* Release the whole pages, close the window. */
    pthread_mutex_lock(&wt->lock);
    if (fault) {
        ret = -EFAULT;      /* the memory is gone: released at stop */
    } else if (wt->stopped) {
        ret = -ECANCELED;   /* released under our feet: @dst is torn */
    } else {
        /* pages [pfirst, pend) lie wholly inside the range */
        size_t pfirst = start == r->host + first * r->page_size ?
                        first : first + 1;
        size_t pend = end == r->host + (last + 1) * r->page_size ?
                      last + 1 : last;

        for (size_t pg = pfirst; pg < pend; pg++) {
            unsigned slot = wt->read_slots[pg - first];

            if (slot) {
                slot_free_locked(wt, r->host + pg * r->page_size, slot - 1);
            }
        }
        if (pfirst < pend) {
            bitmap_clear(r->prot, pfirst, pend - pfirst);
            tracker_queue_release_locked(wt, r, pfirst, pend - pfirst);
        }
    }
    wt->win_start = wt->win_end = NULL;
    pthread_cond_broadcast(&wt->space_cond);
    pthread_mutex_unlock(&wt->lock);
    return ret;
}

/* ----------------------------------------------------------- teardown */

void write_tracker_stop(WriteTracker *wt)
{
    pthread_mutex_lock(&wt->lock);
    tracker_stop_locked(wt);
    pthread_mutex_unlock(&wt->lock);
}

void write_tracker_free(WriteTracker *wt)
{
    if (!wt) {
        return;
    }
    write_tracker_stop(wt);
    if (wt->thread_started) {
        pthread_join(wt->thread, NULL);
    }
    for (guint i = 0; i < wt->ranges->len; i++) {
        WtRange *r = g_ptr_array_index(wt->ranges, i);

        uffd_unregister(wt->uffd, r);
        g_free(r->prot);
        g_array_free(r->extents, true);
        g_free(r->name);
        g_free(r);
    }
    g_ptr_array_free(wt->ranges, true);
    /* closing lifts whatever protection an ioctl failure left behind */
    close(wt->uffd);
    if (wt->pagemap_fd >= 0) {
        close(wt->pagemap_fd);
    }
    if (wt->wake_fd >= 0) {
        close(wt->wake_fd);
    }
    g_array_free(wt->releases, true);
    g_hash_table_destroy(wt->saved);
    g_array_free(wt->early_faulted, true);
    pthread_cond_destroy(&wt->space_cond);
    pthread_mutex_destroy(&wt->lock);
    g_free(wt->buffer);
    g_free(wt->free_slots);
    g_free(wt->fault_slots);
    g_free(wt->read_slots);
    g_free(wt->error);
    g_free(wt);
}

const char *write_tracker_error(WriteTracker *wt)
{
    const char *e;

    pthread_mutex_lock(&wt->lock);
    e = wt->error;
    pthread_mutex_unlock(&wt->lock);
    return e;
}

void write_tracker_get_stats(WriteTracker *wt, WriteTrackerStats *st)
{
    pthread_mutex_lock(&wt->lock);
    *st = wt->stats;
    pthread_mutex_unlock(&wt->lock);
}
