/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-ram-zero.c: ram_block_zero_range() per kind of backing: anonymous
 * private and shared (discarded, holes stay holes, memory given back),
 * memfd (punched extents, st_blocks never grows), a private file mapping
 * (only the private copies written, pages only read stay file pages, the
 * file untouched), backings without hole information (/dev/zero, a
 * hugetlb memfd with and without free huge pages, ramfs, a loop device:
 * only what the mapping holds), caller memory and KEEP_POPULATED
 * (written, pages stay), a discard that fails (a memfd sealed against
 * writes refuses hole punching: written instead), unaligned edges (only
 * the range is zeroed, bytes around it survive), and an empty range.
 */
#include "qemu/osdep.h"
#include <linux/memfd.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include "exec/memory.h"
#include "exec/ram-zero.h"
#include "exec/ramblock.h"
#include "qemu/error.h"
#include "qemu/units.h"
#include "tests/host/hugepages.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

#define REGION_SIZE (64 * MiB)

static size_t page;

static void fill(MemoryRegion *mr, uint64_t off, uint64_t len, uint8_t c)
{
    memset((uint8_t *)memory_region_get_ram_ptr(mr) + off, c, len);
}

/* true if [off, off + len) of @mr is all @c */
static bool all_equal(MemoryRegion *mr, uint64_t off, uint64_t len, uint8_t c)
{
    const uint8_t *p = (uint8_t *)memory_region_get_ram_ptr(mr) + off;

    for (uint64_t i = 0; i < len; i++) {
        if (p[i] != c) {
            return false;
        }
    }
    return true;
}

static uint64_t populated(MemoryRegion *mr)
{
    return ram_block_populated_bytes(memory_region_get_ram_block(mr));
}

static uint64_t fd_allocated(int fd)
{
    struct stat st;

    g_assert(fstat(fd, &st) == 0);
    return (uint64_t)st.st_blocks * 512;
}

/*
 * The common scenario: data at [8M, 12M), data in the page before an
 * unaligned start and after an unaligned end; zero [start, end) and check
 * that only it changed.  Returns the bytes populated right after zeroing
 * (checking reads the range, which maps the zero page).
 */
static uint64_t zero_and_check(MemoryRegion *mr, unsigned flags,
                               RamZeroStats *st)
{
    RAMBlock *rb = memory_region_get_ram_block(mr);
    uint64_t start = 4 * MiB + 100, end = 16 * MiB - 100;
    uint64_t after;

    fill(mr, 4 * MiB, 200, 0x11);           /* straddles start */
    fill(mr, 8 * MiB, 4 * MiB, 0x22);
    fill(mr, 16 * MiB - 200, 200, 0x33);    /* straddles end */
    ram_block_zero_range(rb, start, end - start, flags, st);
    after = populated(mr);
    g_assert(all_equal(mr, 4 * MiB, 100, 0x11));
    g_assert(all_equal(mr, start, end - start, 0));
    g_assert(all_equal(mr, end, 100, 0x33));
    return after;
}

static void test_anon(gconstpointer opaque)
{
    uint32_t ram_flags = GPOINTER_TO_UINT(opaque);
    MemoryRegion mr;
    RamZeroStats st = { 0 };

    g_assert(memory_region_init_ram_flags(&mr, NULL, "anon", REGION_SIZE,
                                          ram_flags, &error_abort));
    g_assert_cmpstr(ram_zero_method_name(ram_block_zero_method(
                        memory_region_get_ram_block(&mr), 0)), ==,
                    "discard-range");
    /* Only the two edge pages (outside bytes survive in them) remain. */
    g_assert_cmpuint(zero_and_check(&mr, 0, &st), ==, 2 * page);
    /* The range was given back; its holes were never populated. */
    g_assert_cmpuint(st.discarded, >=, 12 * MiB - 2 * page);
    g_assert_cmpuint(st.written, <=, 2 * page);
    memory_region_destroy(&mr);
}

static void test_memfd(void)
{
    int fd = memfd_create("test-ram-zero", MFD_CLOEXEC);
    MemoryRegion mr;
    RamZeroStats st = { 0 };
    RAMBlock *rb;

    g_assert(fd >= 0 && ftruncate(fd, REGION_SIZE) == 0);
    g_assert(memory_region_init_ram_from_fd(&mr, NULL, "memfd", REGION_SIZE,
                                            RAM_SHARED, fd, 0, &error_abort));
    rb = memory_region_get_ram_block(&mr);
    g_assert_cmpstr(ram_zero_method_name(ram_block_zero_method(rb, 0)), ==,
                    "discard-data");
    /* Zeroing pure holes allocates nothing and calls nothing. */
    ram_block_zero_range(rb, 0, REGION_SIZE, 0, &st);
    g_assert_cmpuint(fd_allocated(fd), ==, 0);
    g_assert_cmpuint(st.extents, ==, 0);

    /*
     * Three extents held data: two edges (written) and 4 MiB (punched).
     * Only the edge pages stay allocated (measured before the check reads
     * the range: a read fault on a memfd hole allocates a page).
     */
    g_assert_cmpuint(zero_and_check(&mr, 0, &st), ==, 2 * page);
    g_assert_cmpuint(st.discarded, ==, 4 * MiB);
    memory_region_destroy(&mr);
}

static void test_memfd_punch_refused(void)
{
    int fd = memfd_create("test-ram-zero-sealed",
                          MFD_CLOEXEC | MFD_ALLOW_SEALING);
    MemoryRegion mr;
    RamZeroStats st = { 0 };

    g_assert(fd >= 0 && ftruncate(fd, REGION_SIZE) == 0);
    g_assert(memory_region_init_ram_from_fd(&mr, NULL, "sealed",
                                            REGION_SIZE, RAM_SHARED, fd, 0,
                                            &error_abort));
    fill(&mr, 8 * MiB, 4 * MiB, 0x22);
    /* Existing mappings stay writable; punching a hole is refused. */
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE) < 0) {
        g_test_skip("F_SEAL_FUTURE_WRITE needs Linux 5.1");
        memory_region_destroy(&mr);
        return;
    }
    ram_block_zero_range(memory_region_get_ram_block(&mr), 0, REGION_SIZE,
                         0, &st);
    g_assert(all_equal(&mr, 8 * MiB, 4 * MiB, 0));
    g_assert_cmpuint(st.discarded, ==, 0);
    g_assert_cmpuint(st.written, ==, 4 * MiB);
    g_assert_cmpuint(fd_allocated(fd), ==, 4 * MiB);
    memory_region_destroy(&mr);
}

/* Bits of a /proc/self/pagemap entry (Documentation/admin-guide/mm). */
#define PM_PRESENT (1ULL << 63)
#define PM_FILE    (1ULL << 61)

/*
 * Count the pages of [p, p + len) that are private (anonymous) copies in
 * a private file mapping: present and not a file page.
 */
static uint64_t private_copies(const void *p, size_t len)
{
    size_t n = len / page;
    g_autofree uint64_t *pm = g_new(uint64_t, n);
    int fd = open("/proc/self/pagemap", O_RDONLY);
    uint64_t count = 0;

    g_assert(fd >= 0);
    g_assert(pread(fd, pm, n * 8, (uintptr_t)p / page * 8) == (ssize_t)n * 8);
    close(fd);
    for (size_t i = 0; i < n; i++) {
        count += (pm[i] & PM_PRESENT) && !(pm[i] & PM_FILE);
    }
    return count;
}

/* Resident pages of [p, p + len) according to mincore() (page cache). */
static uint64_t resident_pages(const void *p, size_t len)
{
    size_t n = len / page;
    g_autofree unsigned char *vec = g_malloc(n);
    uint64_t count = 0;

    g_assert(mincore((void *)p, len, vec) == 0);
    for (size_t i = 0; i < n; i++) {
        count += vec[i] & 1;
    }
    return count;
}

/* Read every page of [off, off + len) of @mr; returns a byte sum. */
static unsigned read_pages(MemoryRegion *mr, uint64_t off, uint64_t len)
{
    volatile uint8_t *p = (uint8_t *)memory_region_get_ram_ptr(mr) + off;
    unsigned sum = 0;

    for (uint64_t i = 0; i < len; i += page) {
        sum += p[i];
    }
    return sum;
}

/*
 * share=off over a file holding data in [0, 16M): the guest wrote
 * [8M, 12M) and 10 bytes at 20M (private copies) and only read
 * [12M, 16M) and [32M, 40M).  The clear zeroes the private copies and
 * nothing else: the pages only read stay file pages (no anonymous copy
 * made) and show the file's data, and the file is untouched.
 */
static void test_file_private(void)
{
    g_autofree char *path = NULL;
    GError *gerr = NULL;
    uint8_t *data = g_malloc(REGION_SIZE / 4);
    MemoryRegion mr;
    RamZeroStats st = { 0 };
    uint8_t byte, *host;
    int fd = g_file_open_tmp("test-ram-zero-XXXXXX", &path, &gerr);

    g_assert(fd >= 0);
    g_assert(ftruncate(fd, REGION_SIZE) == 0);
    memset(data, 0x44, REGION_SIZE / 4);
    g_assert(pwrite(fd, data, REGION_SIZE / 4, 0) == REGION_SIZE / 4);
    g_assert(memory_region_init_ram_from_fd(&mr, NULL, "private",
                                            REGION_SIZE, 0, fd, 0,
                                            &error_abort));
    host = memory_region_get_ram_ptr(&mr);
    g_assert_cmpstr(ram_zero_method_name(ram_block_zero_method(
                        memory_region_get_ram_block(&mr), 0)), ==,
                    "write-data");
    fill(&mr, 8 * MiB, 4 * MiB, 0x22);
    fill(&mr, 20 * MiB + 100, 10, 0x23);      /* one copy in a hole */
    g_assert_cmpuint(read_pages(&mr, 12 * MiB, 4 * MiB), ==,
                     0x44 * (4 * MiB / page));
    g_assert_cmpuint(read_pages(&mr, 32 * MiB, 8 * MiB), ==, 0);
    g_assert_cmpuint(private_copies(host, REGION_SIZE), ==,
                     4 * MiB / page + 1);
    ram_block_zero_range(memory_region_get_ram_block(&mr), 0, REGION_SIZE,
                         0, &st);
    g_assert_cmpuint(st.discarded, ==, 0);
    g_assert_cmpuint(st.written, ==, 4 * MiB + page);
    /* Only the copies changed, and no new copy was made. */
    g_assert_cmpuint(private_copies(host, REGION_SIZE), ==,
                     4 * MiB / page + 1);
    g_assert(all_equal(&mr, 8 * MiB, 4 * MiB, 0));
    g_assert(all_equal(&mr, 20 * MiB, page, 0));
    g_assert(all_equal(&mr, 12 * MiB, 4 * MiB, 0x44));
    g_assert(all_equal(&mr, 0, 8 * MiB, 0x44));
    g_assert_cmpuint(private_copies(host, REGION_SIZE), ==,
                     4 * MiB / page + 1);
    /* The file still holds what it held. */
    g_assert(pread(fd, &byte, 1, 9 * MiB) == 1);
    g_assert_cmpuint(byte, ==, 0x44);
    g_assert(pread(fd, &byte, 1, 20 * MiB + 100) == 1);
    g_assert_cmpuint(byte, ==, 0);
    memory_region_destroy(&mr);
    unlink(path);
    g_free(data);
}

/*
 * /dev/zero answers 0 to every SEEK_DATA and SEEK_HOLE: it is detected
 * as having no hole information when mapped, and walking its extents
 * and clearing it terminate and find only what was written (share=on:
 * shmem pages, given back; share=off: anonymous pages; the pages only
 * read map the zero page, which is not written).
 */
static void test_dev_zero(gconstpointer opaque)
{
    uint32_t ram_flags = GPOINTER_TO_UINT(opaque);
    int fd = open("/dev/zero", O_RDWR | O_CLOEXEC);
    MemoryRegion mr;
    RamZeroStats st = { 0 };
    RAMBlock *rb;

    g_assert(fd >= 0);
    g_assert(lseek(fd, 4096, SEEK_DATA) == 0);  /* the trap */
    g_assert(memory_region_init_ram_from_fd(&mr, NULL, "zero", REGION_SIZE,
                                            ram_flags, fd, 0, &error_abort));
    rb = memory_region_get_ram_block(&mr);
    g_assert_false(ram_block_has_hole_info(rb));
    g_assert_cmpuint(populated(&mr), ==, 0);
    fill(&mr, 8 * MiB, 1 * MiB, 0x22);
    g_assert_cmpuint(read_pages(&mr, 16 * MiB, 1 * MiB), ==, 0);
    g_assert_cmpuint(populated(&mr), >=, 1 * MiB);
    g_assert_cmpuint(populated(&mr), <=, 2 * MiB);
    ram_block_zero_range(rb, 0, REGION_SIZE, 0, &st);
    g_assert(all_equal(&mr, 0, REGION_SIZE, 0));
    if (ram_flags & RAM_SHARED) {
        /* shmem underneath: MADV_REMOVE gave it back */
        g_assert_cmpuint(st.discarded, ==, REGION_SIZE);
    } else {
        /* the pages only read (the zero page) were not written */
        g_assert_cmpuint(st.written, ==, 1 * MiB);
    }
    memory_region_destroy(&mr);
}

/* ------------------------------------------------------------ hugetlb */

#define HUGE (2 * MiB)

/* @n huge pages as memory-backend-memfd,hugetlb=on,reserve=off maps them. */
static bool hugetlb_region(MemoryRegion *mr, unsigned n)
{
    int fd = memfd_create("test-ram-zero-huge", MFD_CLOEXEC | MFD_HUGETLB);

    if (fd < 0 || ftruncate(fd, n * HUGE) < 0) {
        if (fd >= 0) {
            close(fd);
        }
        return false;
    }
    g_assert(memory_region_init_ram_from_fd(mr, NULL, "huge", n * HUGE,
                                            RAM_SHARED | RAM_NORESERVE, fd,
                                            0, &error_abort));
    g_assert_cmpuint(memory_region_get_ram_block(mr)->page_size, ==, HUGE);
    return true;
}

/*
 * The MOR clear on a hugetlb memfd: with no free huge page at all, the
 * clear of a partial huge page [0, 0xe0000) and of everything must not
 * write (SIGBUS); with free pages, it must not populate one, must punch
 * whole populated pages, and zero a partial page only where populated.
 */
static void test_hugetlb(void)
{
    long saved = hugepage_pool_size();
    uint8_t *host;
    MemoryRegion mr;
    RamZeroStats st = { 0 };

    if (saved < 0 || !hugepage_pool_set(0) || hugepage_pool_free() != 0) {
        g_test_skip("cannot set /proc/sys/vm/nr_hugepages (needs root and "
                    "huge pages not in use by others)");
        if (saved >= 0) {
            hugepage_pool_set(saved);
        }
        return;
    }
    if (!hugetlb_region(&mr, 4)) {
        hugepage_pool_set(saved);
        g_test_skip("memfd_create(MFD_HUGETLB) failed: no 2 MiB hugetlb");
        return;
    }
    host = memory_region_get_ram_ptr(&mr);
    g_assert_false(ram_block_has_hole_info(memory_region_get_ram_block(&mr)));
    /* No free huge page: nothing may be written (it would be SIGBUS). */
    ram_block_zero_range(memory_region_get_ram_block(&mr), 0, 0xe0000, 0,
                         &st);
    ram_block_zero_range(memory_region_get_ram_block(&mr), 0, 4 * HUGE, 0,
                         &st);
    g_assert_cmpuint(st.written, ==, 0);
    g_assert_cmpuint(populated(&mr), ==, 0);

    if (!hugepage_pool_set(4) || hugepage_pool_free() != 4) {
        memory_region_destroy(&mr);
        hugepage_pool_set(saved);
        g_test_skip("could not get 4 free huge pages");
        return;
    }
    host[HUGE + 0x100] = 0x11;                  /* populates page 1 */
    g_assert_cmpint(hugepage_pool_free(), ==, 3);
    g_assert_cmpuint(populated(&mr), ==, HUGE);
    memset(&st, 0, sizeof(st));
    ram_block_zero_range(memory_region_get_ram_block(&mr), 0, 0xe0000, 0,
                         &st);
    g_assert_cmpuint(st.written, ==, 0);
    g_assert_cmpint(hugepage_pool_free(), ==, 3);   /* page 0 not populated */
    ram_block_zero_range(memory_region_get_ram_block(&mr), 0x100000,
                         4 * HUGE - 0x100000, 0, &st);
    g_assert_cmpuint(st.written, ==, 0);
    g_assert_cmpuint(st.discarded, ==, 3 * HUGE);
    g_assert_cmpint(hugepage_pool_free(), ==, 4);   /* page 1 punched */

    /* A populated partial page: zeroed in the range only. */
    host[0x10] = 0x55;
    host[0xf0000] = 0x66;
    memset(&st, 0, sizeof(st));
    ram_block_zero_range(memory_region_get_ram_block(&mr), 0, 0xe0000, 0,
                         &st);
    g_assert_cmpuint(st.written, ==, 0xe0000);
    g_assert_cmpuint(host[0x10], ==, 0);
    g_assert_cmpuint(host[0xf0000], ==, 0x66);
    g_assert_cmpint(hugepage_pool_free(), ==, 3);
    memory_region_destroy(&mr);
    g_assert(hugepage_pool_set(saved));
}

/* The next populated run of @mr in [@start, @end) is [@s, @e). */
static void check_next(MemoryRegion *mr, ram_addr_t start, ram_addr_t end,
                       ram_addr_t s, ram_addr_t e)
{
    ram_addr_t fs, fe;

    g_assert_true(ram_block_next_populated(memory_region_get_ram_block(mr),
                                           start, end, &fs, &fe));
    g_assert_cmphex(fs, ==, s);
    g_assert_cmphex(fe, ==, e);
}

/*
 * Populated runs of a hugetlb memfd (found with PAGEMAP_SCAN where the
 * kernel has it, else from pagemap entries): huge pages 0, 2, 3 and 7 of
 * 8, asked whole and from inside pages.
 */
static void test_hugetlb_extents(void)
{
    long saved = hugepage_pool_size();
    RAMBlock *rb;
    uint8_t *host;
    MemoryRegion mr;
    ram_addr_t fs, fe;

    if (saved < 0 || !hugepage_pool_set(saved + 4) ||
        hugepage_pool_free() < 4) {
        g_test_skip("cannot get 4 free huge pages (/proc/sys/vm/nr_hugepages "
                    "needs root)");
        if (saved >= 0) {
            hugepage_pool_set(saved);
        }
        return;
    }
    if (!hugetlb_region(&mr, 8)) {
        hugepage_pool_set(saved);
        g_test_skip("memfd_create(MFD_HUGETLB) failed: no 2 MiB hugetlb");
        return;
    }
    rb = memory_region_get_ram_block(&mr);
    host = memory_region_get_ram_ptr(&mr);
    g_assert_false(ram_block_next_populated(rb, 0, 8 * HUGE, &fs, &fe));
    host[0] = 1;
    host[2 * HUGE + 5] = 1;
    host[3 * HUGE + HUGE - 1] = 1;
    host[7 * HUGE + 0x1000] = 1;
    check_next(&mr, 0, 8 * HUGE, 0, HUGE);
    check_next(&mr, HUGE, 8 * HUGE, 2 * HUGE, 4 * HUGE);
    check_next(&mr, 2 * HUGE + 0x1000, 8 * HUGE, 2 * HUGE + 0x1000,
               4 * HUGE);
    check_next(&mr, 0x3000, 3 * HUGE + 0x5000, 0x3000, HUGE);
    check_next(&mr, HUGE, 3 * HUGE + 0x5000, 2 * HUGE, 3 * HUGE + 0x5000);
    check_next(&mr, 4 * HUGE, 8 * HUGE, 7 * HUGE, 8 * HUGE);
    g_assert_false(ram_block_next_populated(rb, 4 * HUGE, 7 * HUGE, &fs,
                                            &fe));
    g_assert_false(ram_block_next_populated(rb, HUGE + 0x1000,
                                            2 * HUGE, &fs, &fe));
    g_assert_cmpuint(ram_block_populated_bytes(rb), ==, 4 * HUGE);
    memory_region_destroy(&mr);
    g_assert(hugepage_pool_set(saved));
}

/* -------------------------------------------------------- ramfs, loop */

/*
 * A ramfs mounted on a fresh directory in a private mount namespace (the
 * test process's own), or NULL with the reason in @why.
 */
static char *ramfs_dir(const char **why)
{
    static bool unshared;
    char *dir;

    if (!unshared) {
        if (unshare(CLONE_NEWNS) < 0) {
            *why = "unshare(CLONE_NEWNS) failed (needs CAP_SYS_ADMIN)";
            return NULL;
        }
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
            *why = "cannot make mounts private in the new namespace";
            return NULL;
        }
        unshared = true;
    }
    dir = g_dir_make_tmp("test-ram-zero-ramfs-XXXXXX", NULL);
    g_assert(dir);
    if (mount("none", dir, "ramfs", 0, NULL) < 0) {
        *why = "cannot mount ramfs";
        rmdir(dir);
        g_free(dir);
        return NULL;
    }
    return dir;
}

/*
 * ramfs has no holes to report (SEEK_DATA calls the whole file data) and
 * cannot punch: the clear asks the mapping which pages exist and writes
 * only those.  share=on: what was written or read is in the page cache,
 * nothing else gets allocated.  share=off: only the private copy.
 */
static void test_ramfs(gconstpointer opaque)
{
    uint32_t ram_flags = GPOINTER_TO_UINT(opaque);
    const char *why = NULL;
    g_autofree char *dir = ramfs_dir(&why);
    g_autofree char *path = NULL;
    MemoryRegion mr;
    RamZeroStats st = { 0 };
    uint8_t *host;
    uint64_t resident;
    int fd;

    if (!dir) {
        g_test_skip(why);
        return;
    }
    path = g_build_filename(dir, "ram", NULL);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    g_assert(fd >= 0 && ftruncate(fd, REGION_SIZE) == 0);
    g_assert(memory_region_init_ram_from_fd(&mr, NULL, "ramfs", REGION_SIZE,
                                            ram_flags, fd, 0, &error_abort));
    host = memory_region_get_ram_ptr(&mr);
    g_assert_false(ram_block_has_hole_info(memory_region_get_ram_block(&mr)));
    fill(&mr, 1 * MiB, 600, 0x77);
    g_assert_cmpuint(read_pages(&mr, 16 * MiB, 4 * MiB), ==, 0);
    resident = resident_pages(host, REGION_SIZE);
    ram_block_zero_range(memory_region_get_ram_block(&mr), 0, REGION_SIZE,
                         0, &st);
    g_assert(all_equal(&mr, 1 * MiB, 600, 0));
    g_assert_cmpuint(resident_pages(host, REGION_SIZE), ==, resident);
    if (ram_flags & RAM_SHARED) {
        /* the written page and the pages read are in the page cache */
        g_assert_cmpuint(resident, ==, 1 + 4 * MiB / page);
        g_assert_cmpuint(st.written, <=, resident * page);
    } else {
        g_assert_cmpuint(st.written, ==, page);
        g_assert_cmpuint(private_copies(host, REGION_SIZE), ==, 1);
    }
    memory_region_destroy(&mr);
    unlink(path);
    g_assert(umount(dir) == 0);
    rmdir(dir);
}

/* Attach @file to a free loop device; returns its path or NULL. */
static char *loop_attach(const char *file)
{
    const char *argv[] = { "losetup", "-f", "--show", file, NULL };
    g_autofree char *out = NULL;
    int status;

    if (!g_spawn_sync(NULL, (char **)argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, &out, NULL, &status, NULL) ||
        !g_spawn_check_wait_status(status, NULL) || !out || !*out) {
        return NULL;
    }
    return g_strdup(g_strstrip(out));
}

static void loop_detach(const char *dev)
{
    const char *argv[] = { "losetup", "-d", dev, NULL };

    g_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH,
                          NULL, NULL, NULL, NULL, NULL, NULL));
}

/*
 * A loop block device (no hole information).  share=off: only the
 * private copy is written, the 16 MiB only read stay device pages (no
 * anonymous memory).  share=on: the device range is discarded (a block
 * device zeroes it) instead of written page by page.
 */
static void test_loop_device(gconstpointer opaque)
{
    uint32_t ram_flags = GPOINTER_TO_UINT(opaque);
    g_autofree char *dir = g_dir_make_tmp("test-ram-zero-loop-XXXXXX", NULL);
    g_autofree char *file = g_build_filename(dir, "disk", NULL);
    g_autofree char *dev = NULL;
    MemoryRegion mr;
    RamZeroStats st = { 0 };
    uint8_t *host, byte;
    int fd;

    g_assert(dir);
    fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    g_assert(fd >= 0 && ftruncate(fd, REGION_SIZE) == 0);
    close(fd);
    dev = loop_attach(file);
    if (!dev) {
        g_test_skip("losetup cannot attach a loop device");
        unlink(file);
        rmdir(dir);
        return;
    }
    fd = open(dev, O_RDWR | O_CLOEXEC);
    g_assert(fd >= 0);
    g_assert(memory_region_init_ram_from_fd(&mr, NULL, "loop", REGION_SIZE,
                                            ram_flags, fd, 0, &error_abort));
    host = memory_region_get_ram_ptr(&mr);
    g_assert_false(ram_block_has_hole_info(memory_region_get_ram_block(&mr)));
    fill(&mr, 8 * MiB, 1 * MiB, 0x22);
    g_assert_cmpuint(read_pages(&mr, 32 * MiB, 16 * MiB), ==, 0);
    ram_block_zero_range(memory_region_get_ram_block(&mr), 0, REGION_SIZE,
                         0, &st);
    g_assert(all_equal(&mr, 8 * MiB, 1 * MiB, 0));
    if (ram_flags & RAM_SHARED) {
        g_assert_cmpuint(st.discarded, ==, REGION_SIZE);
        g_assert_cmpuint(st.written, ==, 0);
        fd = open(dev, O_RDONLY | O_CLOEXEC);
        g_assert(pread(fd, &byte, 1, 8 * MiB) == 1);
        g_assert_cmpuint(byte, ==, 0);
        close(fd);
    } else {
        g_assert_cmpuint(st.written, ==, 1 * MiB);
        g_assert_cmpuint(private_copies(host, REGION_SIZE), ==,
                         1 * MiB / page);
    }
    memory_region_destroy(&mr);
    loop_detach(dev);
    unlink(file);
    rmdir(dir);
}

static void test_write_methods(void)
{
    size_t size = 16 * MiB;
    void *buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    MemoryRegion caller, anon;
    RamZeroStats st = { 0 };
    uint64_t before;

    g_assert(buf != MAP_FAILED);
    memory_region_init_ram_ptr(&caller, NULL, "caller", size, buf);
    fill(&caller, 0, size, 0x55);
    ram_block_zero_range(memory_region_get_ram_block(&caller), 0, size, 0,
                         &st);
    g_assert(all_equal(&caller, 0, size, 0));
    g_assert_cmpuint(st.written, ==, size);
    memory_region_destroy(&caller);
    munmap(buf, size);

    /* KEEP_POPULATED: written, and the pages stay resident. */
    g_assert(memory_region_init_ram(&anon, NULL, "prealloc", REGION_SIZE,
                                    &error_abort));
    memset(&st, 0, sizeof(st));
    zero_and_check(&anon, RAM_ZERO_KEEP_POPULATED, &st);
    g_assert_cmpuint(st.discarded, ==, 0);
    before = populated(&anon);
    g_assert_cmpuint(before, >=, 4 * MiB);
    ram_block_zero_range(memory_region_get_ram_block(&anon), 0, REGION_SIZE,
                         RAM_ZERO_KEEP_POPULATED, NULL);
    g_assert_cmpuint(populated(&anon), ==, before);
    memory_region_destroy(&anon);
}

static void test_empty_range(void)
{
    MemoryRegion mr;
    RamZeroStats st = { 0 };

    g_assert(memory_region_init_ram(&mr, NULL, "empty", 4 * MiB,
                                    &error_abort));
    fill(&mr, 0, 4 * MiB, 0x66);
    ram_block_zero_range(memory_region_get_ram_block(&mr), 2 * MiB, 0, 0,
                         &st);
    ram_block_zero_range(memory_region_get_ram_block(&mr), 4 * MiB, 0, 0,
                         &st);
    g_assert(all_equal(&mr, 0, 4 * MiB, 0x66));
    g_assert_cmpuint(st.extents, ==, 0);
    memory_region_destroy(&mr);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    page = qemu_real_host_page_size();
    g_test_add_data_func("/ram-zero/anon-private", GUINT_TO_POINTER(0),
                         test_anon);
    g_test_add_data_func("/ram-zero/anon-shared",
                         GUINT_TO_POINTER(RAM_SHARED), test_anon);
    g_test_add_func("/ram-zero/memfd", test_memfd);
    g_test_add_func("/ram-zero/memfd-punch-refused",
                    test_memfd_punch_refused);
    g_test_add_func("/ram-zero/file-private", test_file_private);
    g_test_add_data_func("/ram-zero/dev-zero/shared",
                         GUINT_TO_POINTER(RAM_SHARED), test_dev_zero);
    g_test_add_data_func("/ram-zero/dev-zero/private", GUINT_TO_POINTER(0),
                         test_dev_zero);
    g_test_add_func("/ram-zero/hugetlb", test_hugetlb);
    g_test_add_func("/ram-zero/hugetlb-extents", test_hugetlb_extents);
    g_test_add_data_func("/ram-zero/ramfs/shared",
                         GUINT_TO_POINTER(RAM_SHARED), test_ramfs);
    g_test_add_data_func("/ram-zero/ramfs/private", GUINT_TO_POINTER(0),
                         test_ramfs);
    g_test_add_data_func("/ram-zero/loop/shared",
                         GUINT_TO_POINTER(RAM_SHARED), test_loop_device);
    g_test_add_data_func("/ram-zero/loop/private", GUINT_TO_POINTER(0),
                         test_loop_device);
    g_test_add_func("/ram-zero/write-methods", test_write_methods);
    g_test_add_func("/ram-zero/empty-range", test_empty_range);
    return g_test_run();
}
