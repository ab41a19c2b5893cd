/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-ram-zero.c: ram_block_zero_range() per kind of backing: anonymous
 * private and shared (discarded, holes stay holes, memory given back),
 * memfd (punched extents, st_blocks never grows), a private file mapping
 * (written, the file untouched), caller memory and KEEP_POPULATED
 * (written, pages stay), a discard that fails (a memfd sealed against
 * writes refuses hole punching: written instead), unaligned edges (only
 * the range is zeroed, bytes around it survive), and an empty range.
 */
#include "qemu/osdep.h"
#include <linux/memfd.h>
#include <sys/mman.h>
#include "exec/memory.h"
#include "exec/ram-zero.h"
#include "exec/ramblock.h"
#include "qemu/error.h"
#include "qemu/units.h"

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

static void test_file_private(void)
{
    g_autofree char *path = NULL;
    GError *gerr = NULL;
    uint8_t *data = g_malloc(REGION_SIZE / 4);
    MemoryRegion mr;
    RamZeroStats st = { 0 };
    uint8_t byte;
    int fd = g_file_open_tmp("test-ram-zero-XXXXXX", &path, &gerr);

    g_assert(fd >= 0);
    g_assert(ftruncate(fd, REGION_SIZE) == 0);
    /* The file holds data in its first quarter. */
    memset(data, 0x44, REGION_SIZE / 4);
    g_assert(pwrite(fd, data, REGION_SIZE / 4, 0) == REGION_SIZE / 4);
    g_assert(memory_region_init_ram_from_fd(&mr, NULL, "private",
                                            REGION_SIZE, 0, fd, 0,
                                            &error_abort));
    g_assert_cmpstr(ram_zero_method_name(ram_block_zero_method(
                        memory_region_get_ram_block(&mr), 0)), ==,
                    "write-data");
    zero_and_check(&mr, 0, &st);
    g_assert_cmpuint(st.discarded, ==, 0);
    /* The guest sees zeros; the file still holds what it held. */
    g_assert(all_equal(&mr, 12 * MiB, 1 * MiB, 0));
    g_assert(pread(fd, &byte, 1, 12 * MiB) == 1);
    g_assert_cmpuint(byte, ==, 0x44);
    g_assert(pread(fd, &byte, 1, 9 * MiB) == 1);
    g_assert_cmpuint(byte, ==, 0x44);
    memory_region_destroy(&mr);
    unlink(path);
    g_free(data);
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
    g_test_add_func("/ram-zero/write-methods", test_write_methods);
    g_test_add_func("/ram-zero/empty-range", test_empty_range);
    return g_test_run();
}
