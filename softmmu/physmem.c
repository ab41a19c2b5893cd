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
#include <sys/mman.h>
#include <sys/statfs.h>
#include "exec/ramblock.h"
#include "qemu/bitmap.h"
#include "qemu/cutils.h"
#include "qemu/error.h"
#include "qemu/trace.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* /proc/self/pagemap entry bits. */
#define PAGEMAP_PRESENT (1ULL << 63)
#define PAGEMAP_SWAPPED (1ULL << 62)
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
    trace_event("ram_block_alloc", "%s anon size=0x%" PRIx64 " host=%p "
                "flags=0x%x", mr && mr->name ? mr->name : "", size, host,
                ram_flags);
    return ram_block_new(mr, size, host, ram_flags, -1, 0,
                         qemu_real_host_page_size());
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
    return ram_block_new(mr, size, host, ram_flags, fd, offset, page_size);
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
                      rb->fd_offset + start, length) < 0) {
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

/*
 * Find the next run of present (or swapped-out) pages of @rb's mapping in
 * [@start, @end).  Returns -1 if pagemap cannot be read, 0 if there is no
 * run, 1 if [*fs, *fe) is one.
 */
static int pagemap_extent(RAMBlock *rb, ram_addr_t start, ram_addr_t end,
                          ram_addr_t *fs, ram_addr_t *fe)
{
    size_t psize = qemu_real_host_page_size();
    uint64_t buf[PAGEMAP_BATCH];
    int fd = pagemap_fd();
    ram_addr_t pos = QEMU_ALIGN_DOWN(start, psize);
    bool in_run = false;

    if (fd < 0) {
        return -1;
    }
    while (pos < end) {
        uint64_t vpn = ((uintptr_t)rb->host + pos) / psize;
        size_t want = MIN(PAGEMAP_BATCH, DIV_ROUND_UP(end - pos, psize));
        ssize_t got = pread(fd, buf, want * sizeof(uint64_t),
                            vpn * sizeof(uint64_t));

        if (got < (ssize_t)sizeof(uint64_t)) {
            if (got < 0 && errno == EINTR) {
                continue;
            }
            return in_run ? (*fe = MIN(pos, end), 1) : -1;
        }
        for (size_t i = 0; i < (size_t)got / sizeof(uint64_t); i++) {
            bool present = buf[i] & (PAGEMAP_PRESENT | PAGEMAP_SWAPPED);

            if (present && !in_run) {
                in_run = true;
                *fs = MAX(pos, start);
            } else if (!present && in_run) {
                *fe = pos;
                return 1;
            }
            pos += psize;
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

/* As pagemap_extent(), from the fd's SEEK_DATA / SEEK_HOLE. */
static int seek_extent(RAMBlock *rb, ram_addr_t start, ram_addr_t end,
                       ram_addr_t *fs, ram_addr_t *fe)
{
    off_t data, hole;

    data = lseek(rb->fd, rb->fd_offset + start, SEEK_DATA);
    if (data < 0) {
        return errno == ENXIO ? 0 : -1;
    }
    if ((uint64_t)(data - rb->fd_offset) >= end) {
        return 0;
    }
    hole = lseek(rb->fd, data, SEEK_HOLE);
    if (hole < 0) {
        return -1;
    }
    *fs = MAX((ram_addr_t)(data - rb->fd_offset), start);
    *fe = MIN((ram_addr_t)(hole - rb->fd_offset), end);
    return 1;
}

bool ram_block_next_populated(RAMBlock *rb, ram_addr_t start, ram_addr_t end,
                              ram_addr_t *found_start, ram_addr_t *found_end)
{
    ram_addr_t s, e, s2, e2;
    int r, r2;

    end = MIN(end, rb->used_length);
    if (start >= end) {
        return false;
    }
    if (rb->flags & RAM_PREALLOC) {
        *found_start = start;
        *found_end = end;
        return true;
    }
    if (rb->fd < 0 || rb->page_size > qemu_real_host_page_size()) {
        /*
         * Anonymous memory, or hugetlbfs: its lseek() is the generic one,
         * which calls the whole file data, and reading a hole there
         * allocates a huge page (or raises SIGBUS when the pool is
         * empty).  Our page tables are the truth for both: every page
         * this process wrote or preallocated is mapped in them.
         */
        r = pagemap_extent(rb, start, end, &s, &e);
    } else {
        r = seek_extent(rb, start, end, &s, &e);
        if (r >= 0 && !qemu_ram_is_shared(rb)) {
            /*
             * A private file mapping: written pages are private copies
             * the file does not show.  Take the union with pagemap.
             */
            r2 = pagemap_extent(rb, start, end, &s2, &e2);
            if (r2 < 0) {
                r = -1;
            } else if (r2 == 1 && (r == 0 || s2 < s)) {
                s = s2;
                e = e2;
                r = 1;
            }
            /* Grow the run while either source continues it. */
            while (r == 1 && e < end) {
                if (seek_extent(rb, e, end, &s2, &e2) == 1 && s2 == e) {
                    e = e2;
                } else if (pagemap_extent(rb, e, end, &s2, &e2) == 1 &&
                           s2 == e) {
                    e = e2;
                } else {
                    break;
                }
            }
        }
    }
    if (r < 0) {
        /* Cannot tell: say everything may hold data. */
        *found_start = start;
        *found_end = end;
        return true;
    }
    if (r == 0) {
        return false;
    }
    *found_start = s;
    *found_end = e;
    return true;
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
