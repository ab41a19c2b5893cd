/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * physmem.c: RAMBlocks, the host memory behind RAM regions.
 *
 * This file owns every mmap of guest memory and every call that gives
 * memory back to the host.  It also answers "which parts of this block hold
 * anything?" without touching the memory, which is what lets dumps and
 * memory clearing cost time proportional to what the guest used rather
 * than to what it could use.  It leaves to memory.c the question of where
 * a block appears in guest-physical space, and to its callers (virtio-mem)
 * the question of which parts the guest may use.
 */
#include "qemu/osdep.h"
#include <linux/falloc.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include "exec/ramblock.h"
#include "qemu/bitmap.h"
#include "qemu/cutils.h"
#include "qemu/error.h"
#include "qemu/host-mem.h"
#include "qemu/pagemap.h"
#include "qemu/trace.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* Entries read from pagemap per pread. */
#define PAGEMAP_BATCH 4096

static RAMBlock *ram_block_new(MemoryRegion *mr, uint64_t size, void *host,
                               uint32_t flags, int fd, off_t fd_offset,
                               size_t page_size)
{
    RAMBlock *rb = g_new0(RAMBlock, 1);

    rb->mr = mr;
    rb->host = host;
    rb->used_length = size;
    rb->flags = flags;
    rb->fd = fd;
    rb->fd_offset = fd_offset;
    rb->page_size = page_size;
    rb->idstr = g_strdup(mr && mr->name ? mr->name : "");
    return rb;
}

static void set_mmap_error(Error **errp, int err, const char *what,
                           uint64_t size, uint32_t flags)
{
    g_autofree char *sz = size_to_str(size);

    error_setg_errno(errp, err, "cannot map %s of guest memory (%s)", sz,
                     what);
    if (err == ENOMEM && !(flags & RAM_NORESERVE)) {
        error_append_hint(errp, "with reserve=on the host must be able to "
                          "commit all of it; use reserve=off for sparse "
                          "memory");
    }
}

RAMBlock *qemu_ram_alloc_anon(MemoryRegion *mr, uint64_t size,
                              uint32_t ram_flags, Error **errp)
{
    int mflags = MAP_ANONYMOUS;
    void *host;

    assert(size && QEMU_IS_ALIGNED(size, qemu_real_host_page_size()));
    mflags |= (ram_flags & RAM_SHARED) ? MAP_SHARED : MAP_PRIVATE;
    if (ram_flags & RAM_NORESERVE) {
        mflags |= MAP_NORESERVE;
    }
    host = mmap(NULL, size, PROT_READ | PROT_WRITE, mflags, -1, 0);
    if (host == MAP_FAILED) {
        set_mmap_error(errp, errno, "anonymous", size, ram_flags);
        return NULL;
    }
    if (!(ram_flags & RAM_SHARED)) {
        /*
         * Transparent huge pages where the host allows them, as QEMU asks
         * for all guest RAM: fewer TLB misses, and a live dump protects a
         * 2 MiB page with one page-table entry instead of 512.  A hint:
         * its failure changes nothing.
         */
        madvise(host, size, MADV_HUGEPAGE);
    }
    trace_event("ram_block_alloc", "%s anon size=0x%" PRIx64 " host=%p "
                "flags=0x%x", mr && mr->name ? mr->name : "", size, host,
                ram_flags);
    return ram_block_new(mr, size, host, ram_flags, -1, 0,
                         qemu_real_host_page_size());
}

/*
 * Whether SEEK_DATA / SEEK_HOLE on @fd say which parts of [@offset, ...)
 * hold data.  Not on character or block devices (/dev/zero answers 0 to
 * everything), nor on ramfs and hugetlbfs, whose generic lseek calls the
 * whole file data; and not where a probe at @offset goes backwards.
 */
static bool fd_has_hole_info(int fd, off_t offset)
{
    struct stat st;
    struct statfs fs;
    off_t data, hole;

    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        return false;
    }
    if (fstatfs(fd, &fs) == 0 &&
        (fs.f_type == RAMFS_MAGIC || fs.f_type == HUGETLBFS_MAGIC)) {
        return false;
    }
    data = lseek(fd, offset, SEEK_DATA);
    if (data < 0) {
        return errno == ENXIO;  /* all hole; EINVAL: not supported */
    }
    if (data < offset) {
        return false;
    }
    hole = lseek(fd, data, SEEK_HOLE);
    return hole > data;
}

static size_t fd_page_size(int fd)
{
    struct statfs fs;

    if (fstatfs(fd, &fs) == 0 && fs.f_type == HUGETLBFS_MAGIC) {
        return fs.f_bsize;
    }
    return qemu_real_host_page_size();
}

RAMBlock *qemu_ram_alloc_from_fd(MemoryRegion *mr, uint64_t size,
                                 uint32_t ram_flags, int fd, off_t offset,
                                 Error **errp)
{
    int prot = PROT_READ | PROT_WRITE;
    int mflags = (ram_flags & RAM_SHARED) ? MAP_SHARED : MAP_PRIVATE;
    size_t page_size = fd_page_size(fd);
    RAMBlock *rb;
    void *host;

    assert(size);
    if (!QEMU_IS_ALIGNED(size, page_size) ||
        !QEMU_IS_ALIGNED((uint64_t)offset, page_size)) {
        error_setg(errp, "size 0x%" PRIx64 " and offset 0x%" PRIx64
                   " must be multiples of the backing page size 0x%zx",
                   size, (uint64_t)offset, page_size);
        return NULL;
    }
    if (ram_flags & RAM_NORESERVE) {
        mflags |= MAP_NORESERVE;
    }
    host = mmap(NULL, size, prot, mflags, fd, offset);
    if (host == MAP_FAILED) {
        set_mmap_error(errp, errno, "from fd", size, ram_flags | RAM_NORESERVE);
        return NULL;
    }
    trace_event("ram_block_alloc", "%s fd=%d offset=0x%" PRIx64 " size=0x%"
                PRIx64 " host=%p flags=0x%x", mr && mr->name ? mr->name : "",
                fd, (uint64_t)offset, size, host, ram_flags);
    rb = ram_block_new(mr, size, host, ram_flags, fd, offset, page_size);
    rb->no_hole_info = !fd_has_hole_info(fd, offset);
    if (rb->no_hole_info) {
        trace_event("ram_block_no_hole_info", "%s: fd %d has no usable "
                    "SEEK_DATA/SEEK_HOLE; asking the mapping", rb->idstr, fd);
    }
    return rb;
}

RAMBlock *qemu_ram_alloc_from_ptr(MemoryRegion *mr, uint64_t size,
                                  void *host)
{
    return ram_block_new(mr, size, host, RAM_PREALLOC, -1, 0,
                         qemu_real_host_page_size());
}

void qemu_ram_free(RAMBlock *rb)
{
    if (!rb) {
        return;
    }
    if (!(rb->flags & RAM_PREALLOC)) {
        munmap(rb->host, rb->used_length);
    }
    if (rb->fd >= 0) {
        close(rb->fd);
    }
    for (int i = 0; i < DIRTY_MEMORY_NUM; i++) {
        g_free(rb->dirty[i]);
    }
    g_free(rb->idstr);
    g_free(rb);
}

int ram_block_discard_range(RAMBlock *rb, uint64_t start, size_t length)
{
    uint8_t *host = rb->host + start;
    int ret = 0;

    if (!QEMU_IS_ALIGNED((uintptr_t)host, rb->page_size) ||
        !QEMU_IS_ALIGNED(length, rb->page_size)) {
        return -EINVAL;
    }
    if (start > rb->used_length || length > rb->used_length - start) {
        return -EINVAL;
    }
    if (!length) {
        return 0;
    }
    if (rb->flags & RAM_PREALLOC) {
        /* Caller memory: we may not give it away; zero it instead. */
        memset(host, 0, length);
        return 0;
    }
    if (rb->fd >= 0) {
        if (fallocate(rb->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                      rb->fd_offset + start, length) < 0 &&
            !((errno == ENODEV || errno == EOPNOTSUPP) &&
              qemu_ram_is_shared(rb) &&
              madvise(host, length, MADV_REMOVE) == 0)) {
            /*
             * MADV_REMOVE covers a shared mapping of a character device
             * that is really shmem (/dev/zero); it fails where fallocate
             * did (ramfs).
             */
            ret = -errno;
            trace_event("ram_block_discard_range_fail", "%s fallocate: %s",
                        rb->idstr, g_strerror(errno));
            return ret;
        }
        /* Private mappings keep copies of written pages: drop them too. */
        if (!qemu_ram_is_shared(rb) &&
            madvise(host, length, MADV_DONTNEED) < 0) {
            return -errno;
        }
    } else if (qemu_ram_is_shared(rb)) {
        if (madvise(host, length, MADV_REMOVE) < 0) {
            ret = -errno;
        }
    } else if (madvise(host, length, MADV_DONTNEED) < 0) {
        ret = -errno;
    }
    trace_event("ram_block_discard_range", "%s start=0x%" PRIx64 " len=0x%zx"
                " ret=%d", rb->idstr, start, length, ret);
    return ret;
}

/* ------------------------------------------------------ populated extents */

static int pagemap_fd(void)
{
    static int fd = -2;

    if (fd == -2) {
        fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    }
    return fd;
}

/* What mapping_extent() looks for. */
typedef enum MappingQuery {
    /* anything mapped, swapped out, or (fd) in the page cache */
    MAPPING_ANY,
    /* private (anonymous) copies only: present without PAGEMAP_FILE, or
     * swapped out (a private mapping swaps only its anonymous copies) */
    MAPPING_PRIVATE_COPY,
} MappingQuery;

static bool mapping_page_present(const RAMBlock *rb, MappingQuery q,
                                 uint64_t pm, unsigned char mc)
{
    if (q == MAPPING_PRIVATE_COPY) {
        return (pm & PAGEMAP_SWAPPED) ||
               ((pm & PAGEMAP_PRESENT) && !(pm & PAGEMAP_FILE));
    }
    return (pm & (PAGEMAP_PRESENT | PAGEMAP_SWAPPED)) ||
           (rb->fd >= 0 && (mc & 1));
}

/*
 * mapping_extent() with PAGEMAP_SCAN, for hugetlbfs and anonymous
 * mappings: the kernel lists the pages mapped (or swapped out), one
 * region per run, and skips what has no page tables, instead of us
 * reading an entry for each 4 KiB (a 64 GiB hugetlbfs block has 16 Mi
 * entries: 128 MiB of pagemap, over 200 ms, however little of it the
 * guest touched; 45 ms for anonymous).  mincore() adds nothing for these:
 * for hugetlb it reads the same page tables, and anonymous memory has no
 * page cache.  Returns as mapping_extent(), and -2 if the kernel has no
 * PAGEMAP_SCAN.
 */
static int mapping_extent_scan(RAMBlock *rb, int fd, ram_addr_t start,
                               ram_addr_t end, ram_addr_t *fs,
                               ram_addr_t *fe)
{
    uintptr_t base = (uintptr_t)rb->host;
    uint64_t cur = base + QEMU_ALIGN_DOWN(start, rb->page_size);
    uint64_t stop = base + MIN(QEMU_ALIGN_UP(end, rb->page_size),
                               QEMU_ALIGN_UP(rb->used_length,
                                             rb->page_size));
    bool in_run = false;

    while (cur < stop) {
        struct page_region regs[16];
        struct pm_scan_arg arg = {
            .size = sizeof(arg),
            .start = cur,
            .end = stop,
            .vec = (uintptr_t)regs,
            .vec_len = ARRAY_SIZE(regs),
            .category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
            .return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
        };
        long n = ioctl(fd, PAGEMAP_SCAN, &arg);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (in_run) {
                break;          /* report what we have */
            }
            return errno == ENOTTY || errno == EINVAL ? -2 : -1;
        }
        for (long i = 0; i < n; i++) {
            if (in_run && regs[i].start != *fe + base) {
                return 1;       /* a gap: the run ended */
            }
            if (!in_run) {
                in_run = true;
                *fs = MAX(regs[i].start - base, start);
            }
            *fe = MIN(regs[i].end - base, end);
        }
        if (in_run && (n == 0 || *fe + base < arg.walk_end)) {
            return 1;           /* nothing more right after the run */
        }
        if (arg.walk_end <= cur) {
            break;              /* cannot happen: never loop for ever */
        }
        cur = arg.walk_end;
    }
    return in_run ? 1 : 0;
}

/*
 * Find the next run of @rb's backend pages (rb->page_size units: a huge
 * page is present or not as a whole) in [@start, @end) that the mapping
 * holds, by /proc/self/pagemap and, for fd mappings, mincore() (which
 * also sees page-cache pages this process never mapped).  Never touches
 * the memory.  Returns -1 if neither can be read, 0 if there is no run,
 * 1 if [*fs, *fe) is one (clipped to [@start, @end)).
 */
static int mapping_extent(RAMBlock *rb, ram_addr_t start, ram_addr_t end,
                          MappingQuery q, ram_addr_t *fs, ram_addr_t *fe)
{
    size_t psize = qemu_real_host_page_size();
    size_t gran = MAX(rb->page_size, psize);
    size_t step = gran / psize;       /* base pages per backend page */
    bool use_mincore = rb->fd >= 0 && q == MAPPING_ANY;
    uint64_t pm[PAGEMAP_BATCH];
    unsigned char mc[PAGEMAP_BATCH];    /* read only when use_mincore */
    int fd = pagemap_fd();
    ram_addr_t pos = QEMU_ALIGN_DOWN(start, gran);
    bool in_run = false;

    if (fd < 0 && !use_mincore) {
        return -1;
    }
    if (fd >= 0 && q == MAPPING_ANY && (step > 1 || rb->fd < 0)) {
        static bool no_scan;    /* read by any thread: relaxed atomics */
        int r = __atomic_load_n(&no_scan, __ATOMIC_RELAXED) ? -2 :
                mapping_extent_scan(rb, fd, start, end, fs, fe);

        if (r != -2) {
            return r;
        }
        /* an older kernel: read the entries */
        __atomic_store_n(&no_scan, true, __ATOMIC_RELAXED);
    }
    while (pos < end) {
        uint64_t vpn = ((uintptr_t)rb->host + pos) / psize;
        size_t want = MIN(PAGEMAP_BATCH, DIV_ROUND_UP(end - pos, psize));
        size_t got = want;

        want = MIN(want, rb->used_length / psize - pos / psize);
        got = want;
        if (fd >= 0) {
            ssize_t r = pread(fd, pm, want * sizeof(uint64_t),
                              vpn * sizeof(uint64_t));

            if (r < 0 && errno == EINTR) {
                continue;
            }
            if (r < (ssize_t)sizeof(uint64_t)) {
                if (!use_mincore) {
                    return in_run ? (*fe = MIN(pos, end), 1) : -1;
                }
                memset(pm, 0, want * sizeof(uint64_t));
            } else {
                got = r / sizeof(uint64_t);
            }
        } else {
            memset(pm, 0, want * sizeof(uint64_t));
        }
        if (use_mincore &&
            mincore(rb->host + pos, got * psize, mc) < 0) {
            if (fd < 0) {
                return in_run ? (*fe = MIN(pos, end), 1) : -1;
            }
            memset(mc, 0, got);
        }
        for (size_t i = 0; i < got; i += step) {
            bool present = mapping_page_present(rb, q, pm[i],
                                                use_mincore ? mc[i] : 0);

            if (present && !in_run) {
                in_run = true;
                *fs = MAX(pos, start);
            } else if (!present && in_run) {
                *fe = MIN(pos, end);
                return 1;
            }
            pos += gran;
            if (pos >= end) {
                break;
            }
        }
    }
    if (in_run) {
        *fe = end;
        return 1;
    }
    return 0;
}

/*
 * As mapping_extent(), from the fd's SEEK_DATA / SEEK_HOLE.  Returns -2
 * when the answers make no sense (going backwards, a hole that does not
 * follow its data): the caller then stops asking.
 */
static int seek_extent(RAMBlock *rb, ram_addr_t start, ram_addr_t end,
                       ram_addr_t *fs, ram_addr_t *fe)
{
    off_t data, hole;

    data = lseek(rb->fd, rb->fd_offset + start, SEEK_DATA);
    if (data < 0) {
        return errno == ENXIO ? 0 : -1;
    }
    if (data < rb->fd_offset + (off_t)start) {
        return -2;
    }
    if ((uint64_t)(data - rb->fd_offset) >= end) {
        return 0;
    }
    hole = lseek(rb->fd, data, SEEK_HOLE);
    if (hole < 0) {
        return -1;
    }
    if (hole <= data) {
        return -2;
    }
    *fs = MAX((ram_addr_t)(data - rb->fd_offset), start);
    *fe = MIN((ram_addr_t)(hole - rb->fd_offset), end);
    return 1;
}

bool ram_block_has_hole_info(RAMBlock *rb)
{
    return rb->fd >= 0 && !g_atomic_int_get(&rb->no_hole_info);
}

/* seek_extent() gave nonsense: use the mapping from now on, say so once. */
static void ram_block_drop_hole_info(RAMBlock *rb)
{
    if (g_atomic_int_compare_and_exchange(&rb->no_hole_info, 0, 1)) {
        trace_event("ram_block_no_hole_info", "%s: SEEK_DATA/SEEK_HOLE "
                    "answers are not monotonic; asking the mapping",
                    rb->idstr);
    }
}

/* Cannot tell: everything may hold data. */
static bool all_populated(ram_addr_t start, ram_addr_t end,
                          ram_addr_t *found_start, ram_addr_t *found_end)
{
    *found_start = start;
    *found_end = end;
    return true;
}

static bool report_extent(int r, ram_addr_t start, ram_addr_t end,
                          ram_addr_t s, ram_addr_t e,
                          ram_addr_t *found_start, ram_addr_t *found_end)
{
    if (r < 0) {
        return all_populated(start, end, found_start, found_end);
    }
    if (r == 0) {
        return false;
    }
    assert(s >= start && e > s && e <= end);
    *found_start = s;
    *found_end = e;
    return true;
}

bool ram_block_next_populated(RAMBlock *rb, ram_addr_t start, ram_addr_t end,
                              ram_addr_t *found_start, ram_addr_t *found_end)
{
    ram_addr_t s = 0, e = 0, s2, e2;
    int r, r2;

    end = MIN(end, rb->used_length);
    if (start >= end) {
        return false;
    }
    if (rb->flags & RAM_PREALLOC) {
        return all_populated(start, end, found_start, found_end);
    }
    if (!ram_block_has_hole_info(rb)) {
        r = mapping_extent(rb, start, end, MAPPING_ANY, &s, &e);
        return report_extent(r, start, end, s, e, found_start, found_end);
    }
    r = seek_extent(rb, start, end, &s, &e);
    if (r == -2) {
        ram_block_drop_hole_info(rb);
        return ram_block_next_populated(rb, start, end, found_start,
                                        found_end);
    }
    if (r >= 0 && !qemu_ram_is_shared(rb)) {
        /*
         * A private file mapping: written pages are private copies
         * the file does not show.  Take the union with pagemap.
         */
        r2 = mapping_extent(rb, start, end, MAPPING_ANY, &s2, &e2);
        if (r2 < 0) {
            r = -1;
        } else if (r2 == 1 && (r == 0 || s2 < s)) {
            s = s2;
            e = e2;
            r = 1;
        }
        /* Grow the run while either source continues it. */
        while (r == 1 && e < end) {
            if (seek_extent(rb, e, end, &s2, &e2) == 1 && s2 == e &&
                e2 > e) {
                e = e2;
            } else if (mapping_extent(rb, e, end, MAPPING_ANY, &s2,
                                      &e2) == 1 && s2 == e && e2 > e) {
                e = e2;
            } else {
                break;
            }
        }
    }
    return report_extent(r, start, end, s, e, found_start, found_end);
}

bool ram_block_next_private_copy(RAMBlock *rb, ram_addr_t start,
                                 ram_addr_t end, ram_addr_t *found_start,
                                 ram_addr_t *found_end)
{
    ram_addr_t s = 0, e = 0;
    int r;

    if (rb->fd < 0 || qemu_ram_is_shared(rb) || (rb->flags & RAM_PREALLOC)) {
        return ram_block_next_populated(rb, start, end, found_start,
                                        found_end);
    }
    end = MIN(end, rb->used_length);
    if (start >= end) {
        return false;
    }
    r = mapping_extent(rb, start, end, MAPPING_PRIVATE_COPY, &s, &e);
    return report_extent(r, start, end, s, e, found_start, found_end);
}

uint64_t ram_block_populated_bytes(RAMBlock *rb)
{
    ram_addr_t pos = 0, s, e;
    uint64_t total = 0;

    while (ram_block_next_populated(rb, pos, rb->used_length, &s, &e)) {
        total += e - s;
        pos = e;
    }
    return total;
}

/* ---------------------------------------------------------- dirty bitmaps */

static uint64_t ram_block_pages(const RAMBlock *rb)
{
    return DIV_ROUND_UP(rb->used_length, TARGET_PAGE_SIZE);
}

/* Page range [*first, *first + *count) covering the byte range, clipped. */
static bool dirty_page_range(const RAMBlock *rb, ram_addr_t start,
                             ram_addr_t length, uint64_t *first,
                             uint64_t *count)
{
    uint64_t last;

    if (!length || start >= rb->used_length) {
        return false;
    }
    length = MIN(length, rb->used_length - start);
    *first = start >> TARGET_PAGE_BITS;
    last = (start + length - 1) >> TARGET_PAGE_BITS;
    *count = last - *first + 1;
    return true;
}

void ram_block_dirty_set(RAMBlock *rb, ram_addr_t start, ram_addr_t length)
{
    uint64_t first, count;

    if (!dirty_page_range(rb, start, length, &first, &count)) {
        return;
    }
    for (int c = 0; c < DIRTY_MEMORY_NUM; c++) {
        if (!rb->dirty[c]) {
            rb->dirty[c] = bitmap_try_new(ram_block_pages(rb));
            if (!rb->dirty[c]) {
                continue;   /* no tracking is better than no VM */
            }
        }
        bitmap_set(rb->dirty[c], first, count);
    }
}

bool ram_block_dirty_get(RAMBlock *rb, ram_addr_t start, ram_addr_t length,
                         unsigned client)
{
    uint64_t first, count;

    assert(client < DIRTY_MEMORY_NUM);
    if (!rb->dirty[client] ||
        !dirty_page_range(rb, start, length, &first, &count)) {
        return false;
    }
    return find_next_bit(rb->dirty[client], first + count, first) <
           first + count;
}

void ram_block_dirty_reset(RAMBlock *rb, ram_addr_t start, ram_addr_t length,
                           unsigned client)
{
    uint64_t first, count;

    assert(client < DIRTY_MEMORY_NUM);
    if (rb->dirty[client] &&
        dirty_page_range(rb, start, length, &first, &count)) {
        bitmap_clear(rb->dirty[client], first, count);
    }
}

/* ------------------------------------------------- SIGBUS-safe access */

static RamBlockFaultHandler *fault_handler;

void ram_block_set_fault_handler(RamBlockFaultHandler *fn)
{
    host_mem_guard_init();
    __atomic_store_n(&fault_handler, fn, __ATOMIC_RELEASE);
}

static int ram_block_access_done(RAMBlock *rb, ram_addr_t offset, size_t len,
                                 bool is_write, int ret)
{
    RamBlockFaultHandler *fn;

    if (ret == 0) {
        return 0;
    }
    trace_event("ram_block_fault", "%s %s offset=0x%" PRIx64 " len=0x%zx",
                rb->idstr, is_write ? "write" : "read", (uint64_t)offset,
                len);
    fn = __atomic_load_n(&fault_handler, __ATOMIC_ACQUIRE);
    if (fn) {
        fn(rb, offset, len, is_write);
    }
    return ret;
}

int ram_block_read(RAMBlock *rb, ram_addr_t offset, void *buf, size_t len)
{
    assert(offset <= rb->used_length && len <= rb->used_length - offset);
    return ram_block_access_done(rb, offset, len, false,
                                 host_mem_read(buf, rb->host + offset, len));
}

int ram_block_write(RAMBlock *rb, ram_addr_t offset, const void *buf,
                    size_t len)
{
    assert(offset <= rb->used_length && len <= rb->used_length - offset);
    return ram_block_access_done(rb, offset, len, true,
                                 host_mem_write(rb->host + offset, buf, len));
}

int ram_block_fill(RAMBlock *rb, ram_addr_t offset, int c, size_t len)
{
    assert(offset <= rb->used_length && len <= rb->used_length - offset);
    return ram_block_access_done(rb, offset, len, true,
                                 host_mem_fill(rb->host + offset, c, len));
}

int qemu_ram_prealloc(RAMBlock *rb, ram_addr_t start, size_t length)
{
    uint8_t *host = rb->host + start;

    if (start > rb->used_length || length > rb->used_length - start) {
        return -EINVAL;
    }
    if (!length) {
        return 0;
    }
    if (rb->fd >= 0 && qemu_ram_is_shared(rb)) {
        if (fallocate(rb->fd, 0, rb->fd_offset + start, length) == 0) {
            return 0;
        }
        if (errno != EOPNOTSUPP) {
            return -errno;
        }
    }
    if (madvise(host, length, MADV_POPULATE_WRITE) == 0) {
        return 0;
    }
    if (errno != EINVAL) {
        return errno == EFAULT || errno == EHWPOISON ? -ENOMEM : -errno;
    }
    /* Old kernel: touch each page (preserving what is there). */
    for (size_t off = 0; off < length; off += rb->page_size) {
        volatile uint8_t *p = host + off;
        *p = *p;
    }
    return 0;
}
