/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-write-tracker.c: the userfaultfd write tracker (write-tracker.h)
 * on real anonymous and memfd mappings, with a writer thread rewriting
 * pages while a reader takes the snapshot, and with every uffd ioctl,
 * the userfaultfd call, thread creation and the buffer allocation failing
 * in turn (linked with the fault-injection wrappers).
 *
 * What each test holds the tracker to:
 * - the snapshot read back equals the memory at protect time, page for
 *   page, whether the page was saved by a fault, read in place, or both
 *   raced; holes at the snapshot stay holes however they are written;
 * - a writer waits while the copy buffer is full and goes on when the
 *   reader drains it;
 * - stop wakes a waiting writer; after any failure (and after stop) every
 *   page can be written without blocking;
 * - a write into a transparent huge page saves it whole, and the kernel
 *   keeps it mapped by one PMD (un-protecting part would split it).
 *
 * The writer stores with inline assembly: its stores are resumed by the
 * kernel after the fault thread un-protects the page, an ordering
 * ThreadSanitizer cannot see, so instrumented stores would be reported
 * as racing with the fault thread's copy.  Everything else is checked
 * after a join.
 */
#include "qemu/osdep.h"
#include <linux/memfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include "exec/write-tracker.h"
#include "qemu/error.h"
#include "faults.h"

#define NPAGES 64

typedef struct Mapping {
    uint8_t *host;
    size_t len;
    size_t page;
    int fd;
} Mapping;

static size_t page_size(void)
{
    return qemu_real_host_page_size();
}

static void mapping_init(Mapping *m, bool memfd)
{
    m->page = page_size();
    m->len = NPAGES * m->page;
    m->fd = -1;
    if (memfd) {
        m->fd = memfd_create("test-write-tracker", MFD_CLOEXEC);
        g_assert_cmpint(m->fd, >=, 0);
        g_assert_cmpint(ftruncate(m->fd, m->len), ==, 0);
        m->host = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_SHARED,
                       m->fd, 0);
    } else {
        m->host = mmap(NULL, m->len, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    }
    g_assert_true(m->host != MAP_FAILED);
}

static void mapping_destroy(Mapping *m)
{
    munmap(m->host, m->len);
    if (m->fd >= 0) {
        close(m->fd);
    }
}

/* A store the sanitizers do not see (see the file comment). */
static void page_fill_raw(uint8_t *p, size_t n, uint8_t v)
{
    asm volatile("rep stosb" : "+D"(p), "+c"(n) : "a"(v) : "memory");
}

static uint8_t pattern_before(size_t pg)
{
    return 0x10 + pg;
}

static uint8_t pattern_after(size_t pg)
{
    return 0x80 + pg;
}

/* Populate the even-numbered 8-page runs (0-7, 16-23, ...): A pattern. */
static bool page_populated(size_t pg)
{
    return (pg / 8) % 2 == 0;
}

static void mapping_populate(Mapping *m)
{
    for (size_t pg = 0; pg < NPAGES; pg++) {
        if (page_populated(pg)) {
            memset(m->host + pg * m->page, pattern_before(pg), m->page);
        }
    }
}

/*
 * Protect anonymous mappings whole (write_tracker_protect_all(): holes
 * told apart later by the kernel) instead of run by run.
 */
static bool protect_whole;

/*
 * Protect the populated runs early (before write_tracker_snapshot()),
 * have a writer store the same bytes into the first populated run (early
 * faults, let through), then take the snapshot with
 * write_tracker_protect_written() over the whole mapping.
 */
static bool protect_early;

static uint8_t pattern_early(size_t pg)
{
    return 0xc0 + pg;
}

/*
 * The early test: the pages [0, NPAGES / 2) were written with
 * pattern_early() between the early protection and the snapshot.
 */
static bool early_written;

/* What the snapshot holds for page @pg; 0 for a hole. */
static uint8_t snapshot_expected(size_t pg)
{
    if (early_written && pg < NPAGES / 2) {
        return pattern_early(pg);
    }
    return page_populated(pg) ? pattern_before(pg) : 0;
}

typedef struct Writer Writer;
static void writer_start(Writer *w, Mapping *m, size_t first, size_t end,
                         int step, unsigned rounds);
static void writer_join(Writer *w);
static Writer *writer_new(void);
static uint8_t (*writer_pattern)(size_t pg);

/* The tracker set up over @m with its populated runs protected. */
static WriteTracker *tracker_setup(Mapping *m, size_t buffer, Error **errp)
{
    WriteTracker *wt = write_tracker_new(buffer, errp);

    if (!wt) {
        return NULL;
    }
    /* a shared memfd is shmem: released pages are made writable again */
    if (!write_tracker_add_range(wt, m->host, m->len, m->page, m->fd >= 0,
                                 "test", errp) ||
        !write_tracker_start(wt, errp)) {
        goto fail;
    }
    if (protect_whole && m->fd < 0) {
        if (!write_tracker_protect_all(wt, m->host, m->len, errp)) {
            goto fail;
        }
    } else if (protect_early) {
        Writer *w = writer_new();

        for (size_t pg = 0; pg < NPAGES; pg += 16) {
            if (!write_tracker_protect(wt, m->host + pg * m->page,
                                       8 * m->page, errp)) {
                g_free(w);
                goto fail;
            }
        }
        /* early faults: the same bytes again, the snapshot unchanged */
        writer_pattern = pattern_before;
        writer_start(w, m, 0, 8, 1, 1);
        writer_join(w);
        writer_pattern = NULL;
        g_free(w);
        if (!write_tracker_snapshot(wt, errp) ||
            !write_tracker_protect_written(wt, m->host, m->len, errp)) {
            goto fail;
        }
    } else {
        for (size_t pg = 0; pg < NPAGES; pg += 16) {
            if (!write_tracker_protect(wt, m->host + pg * m->page,
                                       8 * m->page, errp)) {
                goto fail;
            }
        }
    }
    write_tracker_seal(wt);
    return wt;

fail:
    write_tracker_free(wt);
    return NULL;
}

/* --------------------------------------------------------- the writer */

struct Writer {
    Mapping *m;
    size_t first, end;          /* pages [first, end) */
    int step;                   /* +1 or -1 */
    unsigned rounds;
    uint64_t done;              /* pages written (atomic) */
    GThread *thread;
};

static gpointer writer_main(gpointer opaque)
{
    Writer *w = opaque;

    for (unsigned r = 0; r < w->rounds; r++) {
        for (size_t i = 0; i < w->end - w->first; i++) {
            size_t pg = w->step > 0 ? w->first + i : w->end - 1 - i;

            page_fill_raw(w->m->host + pg * w->m->page, w->m->page,
                          writer_pattern ? writer_pattern(pg) :
                          pattern_after(pg));
            __atomic_add_fetch(&w->done, 1, __ATOMIC_RELEASE);
        }
    }
    return NULL;
}

static void writer_start(Writer *w, Mapping *m, size_t first, size_t end,
                         int step, unsigned rounds)
{
    *w = (Writer) { .m = m, .first = first, .end = end, .step = step,
                    .rounds = rounds };
    w->thread = g_thread_new("writer", writer_main, w);
}

static Writer *writer_new(void)
{
    return g_new0(Writer, 1);
}

static void writer_join(Writer *w)
{
    g_thread_join(w->thread);
}

static uint64_t writer_done(Writer *w)
{
    return __atomic_load_n(&w->done, __ATOMIC_ACQUIRE);
}

/* Wait up to @ms for the writer to write @n pages. */
static bool writer_wait(Writer *w, uint64_t n, unsigned ms)
{
    for (unsigned i = 0; i < ms && writer_done(w) < n; i++) {
        g_usleep(1000);
    }
    return writer_done(w) >= n;
}

/* ---------------------------------------------------------- checking */

/* Read the whole snapshot in chunks of @chunk pages and check it. */
static int snapshot_check(WriteTracker *wt, Mapping *m, size_t chunk)
{
    g_autofree uint8_t *buf = g_malloc(chunk * m->page);

    for (size_t pg = 0; pg < NPAGES; ) {
        const uint8_t *s, *e;
        size_t n;
        int ret;

        if (!write_tracker_next_populated(wt, m->host + pg * m->page,
                                          m->host + m->len, &s, &e)) {
            for (; pg < NPAGES; pg++) {
                g_assert_cmpint(snapshot_expected(pg), ==, 0);
            }
            break;
        }
        for (; pg < (size_t)(s - m->host) / m->page; pg++) {
            g_assert_cmpint(snapshot_expected(pg), ==, 0);
        }
        n = MIN(chunk, (size_t)(e - s) / m->page);
        ret = write_tracker_read(wt, s, n * m->page, buf);
        if (ret) {
            return ret;
        }
        for (size_t i = 0; i < n; i++, pg++) {
            uint8_t want = snapshot_expected(pg);

            g_assert_cmpint(want, !=, 0);
            for (size_t b = 0; b < m->page; b++) {
                if (buf[i * m->page + b] != want) {
                    g_error("page %zu byte %zu: %#x, snapshot had %#x", pg,
                            b, buf[i * m->page + b], want);
                }
            }
        }
    }
    return 0;
}

/*
 * Every page can be written without blocking: a thread writes them all
 * while we wait at most 10 s.
 */
static void check_all_writable(Mapping *m)
{
    Writer w;

    writer_start(&w, m, 0, NPAGES, 1, 1);
    if (!writer_wait(&w, NPAGES, 10000)) {
        g_error("a page was left write-protected (%" PRIu64 " of %d "
                "written)", writer_done(&w), NPAGES);
    }
    g_thread_join(w.thread);
    for (size_t pg = 0; pg < NPAGES; pg++) {
        g_assert_cmpint(m->host[pg * m->page], ==, pattern_after(pg));
    }
}

/* ------------------------------------------------------------- tests */

/*
 * Writes first (every page saved by a fault), then the read; then a read
 * racing a writer that rewrites every page, backwards, many times.
 */
static void test_snapshot(gconstpointer opaque)
{
    bool memfd = GPOINTER_TO_INT(opaque) & 1;
    WriteTrackerStats st;
    Mapping m;
    Writer w;
    WriteTracker *wt;

    protect_whole = GPOINTER_TO_INT(opaque) & 2;
    mapping_init(&m, memfd);
    mapping_populate(&m);
    wt = tracker_setup(&m, WRITE_TRACKER_DEFAULT_BUFFER, &error_abort);
    write_tracker_get_stats(wt, &st);
    g_assert_cmpuint(st.protected_bytes, ==,
                     (protect_whole && !memfd ? NPAGES : NPAGES / 2) *
                     m.page);

    /* the first half written before any read: saved copies */
    writer_start(&w, &m, 0, NPAGES / 2, 1, 1);
    g_thread_join(w.thread);
    write_tracker_get_stats(wt, &st);
    g_assert_cmpuint(st.copies, ==, NPAGES / 4);
    g_assert_cmpint(snapshot_check(wt, &m, 3), ==, 0);
    /* holes at the snapshot stay holes though written since */
    for (size_t pg = 0; pg < NPAGES / 2; pg++) {
        g_assert_cmpint(m.host[pg * m.page], ==, pattern_after(pg));
    }
    write_tracker_free(wt);

    /* racing: the reader forwards, the writer backwards (fresh holes) */
    mapping_destroy(&m);
    mapping_init(&m, memfd);
    mapping_populate(&m);
    wt = tracker_setup(&m, WRITE_TRACKER_DEFAULT_BUFFER, &error_abort);
    writer_start(&w, &m, 0, NPAGES, -1, 50);
    g_assert_cmpint(snapshot_check(wt, &m, 1), ==, 0);
    g_thread_join(w.thread);
    write_tracker_free(wt);
    for (size_t pg = 0; pg < NPAGES; pg++) {
        g_assert_cmpint(m.host[pg * m.page], ==, pattern_after(pg));
    }
    mapping_destroy(&m);
    protect_whole = false;
}

/* Whether any page of [@host, @host + @len) is uffd write-protected. */
static bool range_write_protected(const uint8_t *host, size_t len)
{
    size_t n = len / page_size();
    g_autofree uint64_t *pm = g_new(uint64_t, n);
    int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    ssize_t got;

    g_assert_cmpint(fd, >=, 0);
    got = pread(fd, pm, n * sizeof(pm[0]),
                (uintptr_t)host / page_size() * sizeof(pm[0]));
    close(fd);
    g_assert_cmpint(got, ==, n * sizeof(pm[0]));
    for (size_t i = 0; i < n; i++) {
        if (pm[i] & (1ULL << 57)) {
            return true;
        }
    }
    return false;
}

static long thread_minor_faults(void)
{
    struct rusage ru;

    g_assert_cmpint(getrusage(RUSAGE_THREAD, &ru), ==, 0);
    return ru.ru_minflt;
}

static int cpu_a, cpu_b;

static void pin_to(int cpu)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    g_assert_cmpint(sched_setaffinity(0, sizeof(set), &set), ==, 0);
}

/*
 * Write the populated pages of @opaque (a Mapping) on cpu_b; returns the
 * minor faults it took.  Plain stores: no fault thread is involved now.
 */
static gpointer write_populated_on(gpointer opaque)
{
    Mapping *m = opaque;
    long faults;

    pin_to(cpu_b);
    faults = thread_minor_faults();
    for (size_t pg = 0; pg < NPAGES; pg++) {
        if (page_populated(pg)) {
            memset(m->host + pg * m->page, pattern_after(pg), m->page);
        }
    }
    return GSIZE_TO_POINTER(thread_minor_faults() - faults);
}

/*
 * A shared memfd: after the reader has passed the populated runs, the
 * fault thread un-protects them and maps them writable again, so that
 * writing them takes no minor fault per page (the kernel leaves an
 * un-protected shmem entry read-only), and populates nothing: the holes
 * between the runs stay holes.
 */
static void test_released_writable(void)
{
    g_autofree uint8_t *buf = NULL;
    struct stat before, after;
    WriteTrackerStats st;
    Mapping m;
    WriteTracker *wt;
    size_t faults;
    gint64 deadline;
    cpu_set_t all;

    /*
     * Read on one CPU, write on another: a CPU that read a page while it
     * was protected may keep a read-only TLB entry for it, and making an
     * entry writable flushes nobody's TLB, so a store there would still
     * take one (spurious) fault.
     */
    g_assert_cmpint(sched_getaffinity(0, sizeof(all), &all), ==, 0);
    if (CPU_COUNT(&all) < 2) {
        g_test_skip("needs two CPUs (a store on the CPU that read the "
                    "pages takes a spurious fault per page)");
        return;
    }
    cpu_a = -1;
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (CPU_ISSET(c, &all)) {
            if (cpu_a < 0) {
                cpu_a = c;
            } else {
                cpu_b = c;
                break;
            }
        }
    }
    pin_to(cpu_a);

    mapping_init(&m, true);
    mapping_populate(&m);
    buf = g_malloc(8 * m.page);
    wt = tracker_setup(&m, WRITE_TRACKER_DEFAULT_BUFFER, &error_abort);
    g_assert_cmpint(fstat(m.fd, &before), ==, 0);
    for (size_t pg = 0; pg < NPAGES; pg += 16) {
        g_assert_cmpint(write_tracker_read(wt, m.host + pg * m.page,
                                           8 * m.page, buf), ==, 0);
        g_assert_cmpint(buf[0], ==, pattern_before(pg));
    }
    /* the fault thread releases them on its own, soon */
    deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    for (;;) {
        write_tracker_get_stats(wt, &st);
        if (st.released_bytes == NPAGES / 2 * m.page) {
            break;
        }
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(1000);
    }
    g_assert_false(range_write_protected(m.host, m.len));
    g_assert_cmpint(fstat(m.fd, &after), ==, 0);
    g_assert_cmpint(after.st_blocks, ==, before.st_blocks);

    /* on the other CPU: this one's TLB may still hold read-only entries */
    faults = GPOINTER_TO_SIZE(g_thread_join(
        g_thread_new("writer", write_populated_on, &m)));
    /* one per populated page without the remapping: 32 */
    g_assert_cmpuint(faults, <, NPAGES / 8);
    g_assert_null(write_tracker_error(wt));
    write_tracker_free(wt);
    g_assert_cmpint(fstat(m.fd, &after), ==, 0);
    g_assert_cmpint(after.st_blocks, ==, before.st_blocks);
    mapping_destroy(&m);
    g_assert_cmpint(sched_setaffinity(0, sizeof(all), &all), ==, 0);
}

/* A buffer of two pages: the third write waits until a read drains it. */
static void test_buffer_full(gconstpointer opaque)
{
    bool memfd = GPOINTER_TO_INT(opaque);
    g_autofree uint8_t *buf = NULL;
    WriteTrackerStats st;
    Mapping m;
    Writer w;
    WriteTracker *wt;

    mapping_init(&m, memfd);
    mapping_populate(&m);
    buf = g_malloc(2 * m.page);
    wt = tracker_setup(&m, 2 * m.page, &error_abort);
    writer_start(&w, &m, 0, 3, 1, 1);
    g_assert_true(writer_wait(&w, 2, 10000));
    g_usleep(50 * 1000);
    g_assert_cmpuint(writer_done(&w), ==, 2);
    write_tracker_get_stats(wt, &st);
    g_assert_cmpuint(st.copies, ==, 2);
    g_assert_cmpuint(st.buffer_waits, ==, 1);
    g_assert_cmpuint(st.buffer_peak, ==, 2 * m.page);

    /* reading page 0 frees its copy: the writer goes on */
    g_assert_cmpint(write_tracker_read(wt, m.host, m.page, buf), ==, 0);
    g_assert_cmpint(buf[0], ==, pattern_before(0));
    g_thread_join(w.thread);
    g_assert_cmpint(write_tracker_read(wt, m.host + m.page, 2 * m.page,
                                       buf), ==, 0);
    g_assert_cmpint(buf[0], ==, pattern_before(1));
    g_assert_cmpint(buf[m.page], ==, pattern_before(2));
    g_assert_cmpint(m.host[2 * m.page], ==, pattern_after(2));
    write_tracker_free(wt);
    mapping_destroy(&m);
}

/* stop() while a writer waits for buffer space: it is woken. */
static void test_stop_wakes(gconstpointer opaque)
{
    bool memfd = GPOINTER_TO_INT(opaque);
    g_autofree uint8_t *buf = NULL;
    Mapping m;
    Writer w;
    WriteTracker *wt;

    mapping_init(&m, memfd);
    mapping_populate(&m);
    buf = g_malloc(m.page);
    wt = tracker_setup(&m, m.page, &error_abort);
    writer_start(&w, &m, 0, 8, 1, 1);
    g_assert_true(writer_wait(&w, 1, 10000));
    g_usleep(20 * 1000);
    g_assert_cmpuint(writer_done(&w), ==, 1);
    write_tracker_stop(wt);
    g_assert_true(writer_wait(&w, 8, 10000));
    g_thread_join(w.thread);
    g_assert_cmpint(write_tracker_read(wt, m.host, m.page, buf), ==,
                    -ECANCELED);
    g_assert_null(write_tracker_error(wt));
    check_all_writable(&m);
    write_tracker_free(wt);
    mapping_destroy(&m);
}

/*
 * The early phase: populated runs protected while a writer runs; it
 * rewrites the first half (old data: early faults let through; holes:
 * populated since), then stops.  At the snapshot only what it wrote is
 * protected again (write_tracker_protect_written()), and the snapshot is
 * the memory at that instant: the early writes in, the holes it wrote
 * populated, the rest as before.  Then a writer rewrites everything
 * while the reader reads.
 */
static void test_early(gconstpointer opaque)
{
    bool memfd = GPOINTER_TO_INT(opaque);
    WriteTrackerStats st;
    Mapping m;
    Writer w;
    WriteTracker *wt;

    mapping_init(&m, memfd);
    mapping_populate(&m);
    wt = write_tracker_new(WRITE_TRACKER_DEFAULT_BUFFER, &error_abort);
    if (!write_tracker_can_protect_early(wt)) {
        write_tracker_free(wt);
        mapping_destroy(&m);
        g_test_skip("the host kernel has no PAGEMAP_SCAN (Linux 6.7)");
        return;
    }
    g_assert_true(write_tracker_add_range(wt, m.host, m.len, m.page, false, "test",
                                          &error_abort));
    g_assert_true(write_tracker_start(wt, &error_abort));
    for (size_t pg = 0; pg < NPAGES; pg += 16) {
        g_assert_true(write_tracker_protect(wt, m.host + pg * m.page,
                                            8 * m.page, &error_abort));
    }
    writer_pattern = pattern_early;
    writer_start(&w, &m, 0, NPAGES / 2, 1, 1);
    writer_join(&w);
    writer_pattern = NULL;
    write_tracker_get_stats(wt, &st);
    /* the populated pages of the first half; the holes never fault */
    g_assert_cmpuint(st.early_faults, ==, NPAGES / 4);
    g_assert_cmpuint(st.copies, ==, 0);

    g_assert_true(write_tracker_snapshot(wt, &error_abort));
    g_assert_true(write_tracker_protect_written(wt, m.host, m.len,
                                                &error_abort));
    write_tracker_seal(wt);
    write_tracker_get_stats(wt, &st);
    /*
     * the early runs, and the holes of the first half written since (the
     * early-faulted pages were protected again by the snapshot: the scan
     * found them protected)
     */
    g_assert_cmpuint(st.protected_bytes, ==,
                     (NPAGES / 2 + NPAGES / 4) * m.page);

    early_written = true;
    writer_start(&w, &m, 0, NPAGES, -1, 50);
    g_assert_cmpint(snapshot_check(wt, &m, 3), ==, 0);
    writer_join(&w);
    early_written = false;
    write_tracker_get_stats(wt, &st);
    g_assert_cmpuint(st.early_faults, ==, NPAGES / 4);
    write_tracker_free(wt);
    for (size_t pg = 0; pg < NPAGES; pg++) {
        g_assert_cmpint(m.host[pg * m.page], ==, pattern_after(pg));
    }
    mapping_destroy(&m);
}

/* The host's PMD-mapped transparent huge page size, or 0. */
static size_t thp_size(void)
{
    g_autofree char *text = NULL;
    guint64 size;

    if (!g_file_get_contents("/sys/kernel/mm/transparent_hugepage/"
                             "hpage_pmd_size", &text, NULL, NULL) ||
        !g_ascii_string_to_unsigned(g_strstrip(text), 10, 0, G_MAXUINT64,
                                    &size, NULL)) {
        return 0;
    }
    return size;
}

/*
 * Bytes of the mapping that starts at @host mapped by PMDs: smaps's
 * AnonHugePages counts only those (a huge page split into page-table
 * entries no longer counts).
 */
static size_t anon_huge_bytes(const uint8_t *host)
{
    g_autofree char *smaps = NULL;
    g_auto(GStrv) lines = NULL;
    bool ours = false;

    g_assert_true(g_file_get_contents("/proc/self/smaps", &smaps, NULL,
                                      NULL));
    lines = g_strsplit(smaps, "\n", -1);
    for (char **l = lines; *l; l++) {
        unsigned long start, end;
        size_t kb;

        if (sscanf(*l, "%lx-%lx ", &start, &end) == 2) {
            ours = start == (uintptr_t)host;
        } else if (ours && sscanf(*l, "AnonHugePages: %zu kB", &kb) == 1) {
            return kb * 1024;
        }
    }
    return 0;
}

static uint8_t pattern_thp(size_t pg)
{
    return 0x20 + pg % 64;
}

/*
 * Two transparent huge pages protected whole; one page written in the
 * middle of the first.  That one fault saves the whole huge page and
 * un-protects it with one ioctl: both stay mapped by a PMD (saving 16
 * small pages, as before, split the first into page-table entries), the
 * second stays protected, and the snapshot reads back whole.
 */
static void test_thp(void)
{
    size_t thp = thp_size(), ps = page_size(), hp = thp / ps;
    g_autofree uint8_t *buf = NULL;
    WriteTrackerStats st;
    WriteTracker *wt;
    Mapping m;
    Writer w;
    uint8_t *map;

    wt = write_tracker_new(WRITE_TRACKER_DEFAULT_BUFFER, &error_abort);
    if (!thp || !write_tracker_can_protect_early(wt)) {
        write_tracker_free(wt);
        g_test_skip("no transparent huge pages, or no PAGEMAP_SCAN to "
                    "recognise them (Linux 6.7)");
        return;
    }
    map = mmap(NULL, 3 * thp, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    g_assert_true(map != MAP_FAILED);
    m = (Mapping) {
        .host = (uint8_t *)ROUND_UP((uintptr_t)map, thp),
        .len = 2 * thp, .page = ps, .fd = -1,
    };
    madvise(m.host, m.len, MADV_HUGEPAGE);
    for (size_t pg = 0; pg < 2 * hp; pg++) {
        memset(m.host + pg * ps, pattern_thp(pg), ps);
    }
    g_assert_true(write_tracker_add_range(wt, m.host, m.len, ps, false, "test",
                                          &error_abort));
    if (anon_huge_bytes(m.host) != m.len) {
        write_tracker_free(wt);
        munmap(map, 3 * thp);
        g_test_skip("the host gave no transparent huge pages");
        return;
    }
    g_assert_true(write_tracker_start(wt, &error_abort));
    g_assert_true(write_tracker_protect_all(wt, m.host, m.len,
                                            &error_abort));
    write_tracker_seal(wt);

    writer_start(&w, &m, hp / 2, hp / 2 + 1, 1, 1);
    writer_join(&w);
    write_tracker_get_stats(wt, &st);
    g_assert_cmpuint(st.faults, ==, 1);
    g_assert_cmpuint(st.copies, ==, hp);
    g_assert_cmpuint(anon_huge_bytes(m.host), ==, m.len);

    /* the snapshot, in chunks of half a huge page */
    buf = g_malloc(thp / 2);
    for (size_t off = 0; off < m.len; off += thp / 2) {
        g_assert_cmpint(write_tracker_read(wt, m.host + off, thp / 2, buf),
                        ==, 0);
        for (size_t i = 0; i < thp / 2; i++) {
            size_t pg = (off + i) / ps;

            if (buf[i] != pattern_thp(pg)) {
                g_error("page %zu byte %zu: %#x, snapshot had %#x", pg,
                        i % ps, buf[i], pattern_thp(pg));
            }
        }
    }
    write_tracker_free(wt);
    g_assert_cmpint(m.host[hp / 2 * ps], ==, pattern_after(hp / 2));
    munmap(map, 3 * thp);
}

/* A mapping the kernel cannot write-protect: refused, naming it. */
static void test_unsupported(void)
{
    g_autofree char *dir = g_dir_make_tmp("test-write-tracker-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "ram", NULL);
    size_t len = 4 * page_size();
    Error *err = NULL;
    WriteTracker *wt;
    uint8_t *host;
    int fd;

    fd = open(path, O_RDWR | O_CREAT, 0600);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, len), ==, 0);
    host = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    g_assert_true(host != MAP_FAILED);
    wt = write_tracker_new(WRITE_TRACKER_DEFAULT_BUFFER, &error_abort);
    if (write_tracker_add_range(wt, host, len, page_size(), false,
                                "memory backend 'f0' (file)", &err)) {
        g_test_skip("this file system supports userfaultfd write-protect");
    } else {
        g_assert_nonnull(strstr(error_get_pretty(err),
                                "memory backend 'f0' (file) cannot be "
                                "write-protected"));
        g_assert_nonnull(strstr(error_get_pretty(err),
                                "UFFDIO_REGISTER_MODE_WP"));
        error_free(err);
    }
    write_tracker_free(wt);
    munmap(host, len);
    close(fd);
    unlink(path);
    rmdir(dir);
}

/* ------------------------------------------------------ fault loops */

/*
 * One run of the whole life cycle with a writer, under whatever fault is
 * armed.  With @tiny_buffer (one page), the writer waits for the buffer
 * while the reader releases the page it waits on (the spurious-fault
 * path: UFFDIO_WAKE).  Whatever fails, it fails cleanly: an error from
 * the set-up, or a read error with the tracker's error set, and no page
 * is left protected.  Returns true if a fault was injected.
 */
static bool fault_run(bool memfd, bool tiny_buffer, FaultOp op)
{
    Error *err = NULL;
    FaultStats fst;
    Mapping m;
    Writer w;
    WriteTracker *wt;
    int ret;

    mapping_init(&m, memfd);
    mapping_populate(&m);
    wt = tracker_setup(&m, tiny_buffer ? m.page : WRITE_TRACKER_DEFAULT_BUFFER,
                       &err);
    if (!wt) {
        g_assert_nonnull(err);
        g_assert_nonnull(strstr(error_get_pretty(err), "live dump: "));
        error_free(err);
    } else {
        writer_start(&w, &m, 0, NPAGES / 2, 1, 1);
        if (tiny_buffer) {
            WriteTrackerStats st = { 0 };

            /* until the writer waits for space (or tracking failed) */
            for (unsigned i = 0; i < 10000 && !st.buffer_waits &&
                 writer_done(&w) < NPAGES / 2; i++) {
                g_usleep(1000);
                write_tracker_get_stats(wt, &st);
            }
        } else if (!writer_wait(&w, NPAGES / 2, 10000)) {
            g_error("the writer is stuck under a %s fault",
                    fault_op_name(op));
        }
        ret = snapshot_check(wt, &m, 4);
        if (ret) {
            g_assert_cmpint(ret, <, 0);
            g_assert_nonnull(write_tracker_error(wt));
        }
        if (!writer_wait(&w, NPAGES / 2, 10000)) {
            g_error("the writer is stuck under a %s fault",
                    fault_op_name(op));
        }
        g_thread_join(w.thread);
        write_tracker_stop(wt);
    }
    /* stopped (or never started): nothing may be protected any more */
    check_all_writable(&m);
    write_tracker_free(wt);
    fault_get_stats(op, &fst);
    fault_disarm_all();
    mapping_destroy(&m);
    return fst.injected > 0;
}

typedef struct FaultCase {
    FaultOp op;
    bool from;
} FaultCase;

/* The errno each call fails with: what the kernel would say. */
static int fault_errno(FaultOp op)
{
    switch (op) {
    case FAULT_USERFAULTFD:
        return EMFILE;
    case FAULT_UFFD_API:
    case FAULT_UFFD_REGISTER:
    case FAULT_UFFD_UNREGISTER:
    case FAULT_UFFD_WAKE:
    case FAULT_PAGEMAP_SCAN:
        return EINVAL;
    case FAULT_THREAD_CREATE:
        return EAGAIN;
    default:
        return ENOMEM;
    }
}

static void test_fault_loop(gconstpointer opaque)
{
    const FaultCase *fc = opaque;
    unsigned injected = 0;

    for (int run = 0; run < 8; run++) {
        /*
         * anon, memfd; big buffer, tiny buffer; anon protected whole;
         * memfd protected early
         */
        protect_whole = run == 4 || run == 5;
        protect_early = run >= 6;
        for (unsigned n = 1; n < 1000; n++) {
            fault_arm(fc->op, n, fc->from, fault_errno(fc->op));
            if (!fault_run((run & 1 && run < 4) || run >= 6, run & 2,
                           fc->op)) {
                break;
            }
            injected++;
        }
    }
    protect_whole = protect_early = false;
    fault_disarm_all();
    g_assert_cmpuint(injected, >, 0);
    g_test_message("%s%s: %u faults injected, all survived",
                   fault_op_name(fc->op), fc->from ? " (from)" : "",
                   injected);
}

static void test_no_host(gconstpointer reason)
{
    g_test_skip(reason);
}

int main(int argc, char **argv)
{
    static const FaultOp ops[] = {
        FAULT_USERFAULTFD, FAULT_UFFD_API, FAULT_UFFD_REGISTER,
        FAULT_UFFD_WRITEPROTECT, FAULT_UFFD_UNREGISTER, FAULT_UFFD_WAKE,
        FAULT_PAGEMAP_SCAN, FAULT_THREAD_CREATE, FAULT_MALLOC,
    };
    static FaultCase cases[2 * ARRAY_SIZE(ops)];
    Error *err = NULL;
    WriteTracker *probe;

    g_test_init(&argc, &argv, NULL);
    probe = write_tracker_new(WRITE_TRACKER_DEFAULT_BUFFER, &err);
    if (!probe) {
        /* no userfaultfd write-protect on this host: say why, run nothing */
        g_test_add_data_func("/write-tracker/host-support",
                             g_strdup(error_get_pretty(err)), test_no_host);
        error_free(err);
        return g_test_run();
    }
    write_tracker_free(probe);

    for (int memfd = 0; memfd < 2; memfd++) {
        const char *kind = memfd ? "memfd" : "anon";
        g_autofree char *p1 = g_strdup_printf("/write-tracker/%s/snapshot",
                                              kind);
        g_autofree char *p2 = g_strdup_printf("/write-tracker/%s/"
                                              "buffer-full", kind);
        g_autofree char *p3 = g_strdup_printf("/write-tracker/%s/"
                                              "stop-wakes-writer", kind);

        g_test_add_data_func(p1, GINT_TO_POINTER(memfd), test_snapshot);
        g_test_add_data_func(p2, GINT_TO_POINTER(memfd), test_buffer_full);
        g_test_add_data_func(p3, GINT_TO_POINTER(memfd), test_stop_wakes);
    }
    g_test_add_data_func("/write-tracker/memfd/early-protect",
                         GINT_TO_POINTER(1), test_early);
    g_test_add_data_func("/write-tracker/anon/early-protect",
                         GINT_TO_POINTER(0), test_early);
    g_test_add_data_func("/write-tracker/anon/snapshot-protect-whole",
                         GINT_TO_POINTER(2), test_snapshot);
    g_test_add_func("/write-tracker/anon/thp-saved-whole", test_thp);
    g_test_add_func("/write-tracker/memfd/released-pages-writable",
                    test_released_writable);
    g_test_add_func("/write-tracker/unsupported-file", test_unsupported);
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        for (int from = 0; from < 2; from++) {
            FaultCase *fc = &cases[2 * i + from];
            g_autofree char *path = NULL;

            fc->op = ops[i];
            fc->from = from;
            path = g_strdup_printf("/write-tracker/faults/%s%s",
                                   fault_op_name(ops[i]),
                                   from ? "-from" : "");
            g_test_add_data_func(path, fc, test_fault_loop);
        }
    }
    return g_test_run();
}
