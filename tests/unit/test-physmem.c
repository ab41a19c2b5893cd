/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-physmem.c: RAMBlocks against the real kernel: discarding gives the
 * memory back (memfd st_blocks, anonymous RSS), populated extents are
 * found without touching memory, dirty bitmaps mark exact page ranges,
 * and a 1 TiB NORESERVE block costs nothing until touched.
 */
#include "qemu/osdep.h"
#include <sys/mman.h>
#include "exec/memory.h"
#include "exec/ramblock.h"
#include "qemu/error.h"

#define MiB (1024ULL * 1024)
#define TiB (1024ULL * 1024 * 1024 * 1024)

static uint64_t memfd_allocated(int fd)
{
    struct stat st;

    g_assert(fstat(fd, &st) == 0);
    return (uint64_t)st.st_blocks * 512;
}

/* Resident bytes of [p, p + len) according to mincore(). */
static uint64_t resident_bytes(void *p, size_t len)
{
    size_t psize = qemu_real_host_page_size(), n = len / psize;
    g_autofree unsigned char *vec = g_malloc(n);
    uint64_t total = 0;

    g_assert(mincore(p, len, vec) == 0);
    for (size_t i = 0; i < n; i++) {
        total += (vec[i] & 1) ? psize : 0;
    }
    return total;
}

static void test_discard_memfd(void)
{
    MemoryRegion mr;
    int fd = memfd_create("t", MFD_CLOEXEC);
    RAMBlock *rb;
    ram_addr_t s, e;

    g_assert(ftruncate(fd, 64 * MiB) == 0);
    g_assert(memory_region_init_ram_from_fd(&mr, NULL, "m", 64 * MiB,
                                            RAM_SHARED, fd, 0,
                                            &error_abort));
    rb = memory_region_get_ram_block(&mr);
    g_assert_cmpuint(memfd_allocated(fd), ==, 0);
    g_assert_false(ram_block_next_populated(rb, 0, 64 * MiB, &s, &e));

    memset(rb->host + 8 * MiB, 1, 4 * MiB);
    memset(rb->host + 32 * MiB, 1, 1);
    g_assert_cmpuint(memfd_allocated(fd), ==, 4 * MiB + 4096);
    g_assert_true(ram_block_next_populated(rb, 0, 64 * MiB, &s, &e));
    g_assert_cmphex(s, ==, 8 * MiB);
    g_assert_cmphex(e, ==, 12 * MiB);
    g_assert_true(ram_block_next_populated(rb, e, 64 * MiB, &s, &e));
    g_assert_cmphex(s, ==, 32 * MiB);
    g_assert_cmphex(e, ==, 32 * MiB + 4096);
    g_assert_cmpuint(ram_block_populated_bytes(rb), ==, 4 * MiB + 4096);
    /* Clipping to the asked window. */
    g_assert_true(ram_block_next_populated(rb, 9 * MiB, 10 * MiB, &s, &e));
    g_assert_cmphex(s, ==, 9 * MiB);
    g_assert_cmphex(e, ==, 10 * MiB);

    g_assert_cmpint(ram_block_discard_range(rb, 8 * MiB, 4 * MiB), ==, 0);
    g_assert_cmpuint(memfd_allocated(fd), ==, 4096);
    {
        /* pread of a hole reads zeros without allocating ... */
        uint8_t b = 1;

        g_assert(pread(fd, &b, 1, 8 * MiB) == 1);
        g_assert_cmphex(b, ==, 0);
        g_assert_cmpuint(memfd_allocated(fd), ==, 4096);
    }
    /* Misaligned or out-of-range requests change nothing. */
    g_assert_cmpint(ram_block_discard_range(rb, 100, 4096), ==, -EINVAL);
    g_assert_cmpint(ram_block_discard_range(rb, 0, 100), ==, -EINVAL);
    g_assert_cmpint(ram_block_discard_range(rb, 60 * MiB, 8 * MiB), ==,
                    -EINVAL);
    g_assert_cmpuint(memfd_allocated(fd), ==, 4096);
    /*
     * ... but a read through the shared mapping allocates a page: the
     * reason discarded memory must never be read through its mapping.
     */
    g_assert_cmphex(rb->host[8 * MiB], ==, 0);
    g_assert_cmpuint(memfd_allocated(fd), ==, 8192);
    memory_region_destroy(&mr);
}

static void test_discard_anon(void)
{
    MemoryRegion mr;
    RAMBlock *rb;
    ram_addr_t s, e;

    g_assert(memory_region_init_ram(&mr, NULL, "a", 64 * MiB, &error_abort));
    rb = memory_region_get_ram_block(&mr);
    g_assert_cmpuint(resident_bytes(rb->host, 64 * MiB), ==, 0);
    memset(rb->host + 16 * MiB, 2, 8 * MiB);
    g_assert_cmpuint(resident_bytes(rb->host, 64 * MiB), >=, 8 * MiB);
    g_assert_true(ram_block_next_populated(rb, 0, 64 * MiB, &s, &e));
    g_assert_cmphex(s, <=, 16 * MiB);
    g_assert_cmphex(e, >=, 24 * MiB);
    g_assert_cmpint(ram_block_discard_range(rb, 0, 64 * MiB), ==, 0);
    g_assert_cmpuint(resident_bytes(rb->host, 64 * MiB), ==, 0);
    g_assert_false(ram_block_next_populated(rb, 0, 64 * MiB, &s, &e));
    g_assert_cmphex(rb->host[16 * MiB], ==, 0);
    memory_region_destroy(&mr);
}

static void test_discard_anon_shared(void)
{
    MemoryRegion mr;
    RAMBlock *rb;

    g_assert(memory_region_init_ram_flags(&mr, NULL, "s", 16 * MiB,
                                          RAM_SHARED | RAM_NORESERVE,
                                          &error_abort));
    rb = memory_region_get_ram_block(&mr);
    memset(rb->host, 3, 16 * MiB);
    g_assert_cmpint(ram_block_discard_range(rb, 0, 16 * MiB), ==, 0);
    g_assert_cmpuint(resident_bytes(rb->host, 16 * MiB), ==, 0);
    g_assert_cmphex(rb->host[0], ==, 0);
    memory_region_destroy(&mr);
}

static void test_huge_noreserve(void)
{
    MemoryRegion mr;
    RAMBlock *rb;
    ram_addr_t s, e;

    g_assert(memory_region_init_ram(&mr, NULL, "huge", 1 * TiB,
                                    &error_abort));
    rb = memory_region_get_ram_block(&mr);
    rb->host[512ULL * 1024 * MiB] = 1;
    g_assert_true(ram_block_next_populated(rb, 500ULL * 1024 * MiB,
                                           600ULL * 1024 * MiB, &s, &e));
    g_assert_cmphex(s, ==, 512ULL * 1024 * MiB);
    memory_region_set_dirty(&mr, 512ULL * 1024 * MiB, 1);
    g_assert_true(memory_region_get_dirty(&mr, 512ULL * 1024 * MiB, 4096,
                                          DIRTY_MEMORY_VGA));
    memory_region_destroy(&mr);
}

static void test_dirty_ranges(void)
{
    MemoryRegion mr;

    g_assert(memory_region_init_ram(&mr, NULL, "d", 1 * MiB, &error_abort));
    g_assert_false(memory_region_get_dirty(&mr, 0, 1 * MiB,
                                           DIRTY_MEMORY_MIGRATION));
    /* A partial page at each end counts as the whole page. */
    memory_region_set_dirty(&mr, 0x1800, 0x1000);
    g_assert_false(memory_region_get_dirty(&mr, 0, 0x1000,
                                           DIRTY_MEMORY_MIGRATION));
    g_assert_true(memory_region_get_dirty(&mr, 0x1000, 1,
                                          DIRTY_MEMORY_MIGRATION));
    g_assert_true(memory_region_get_dirty(&mr, 0x2fff, 1,
                                          DIRTY_MEMORY_CODE));
    g_assert_false(memory_region_get_dirty(&mr, 0x3000, 0x1000,
                                           DIRTY_MEMORY_MIGRATION));
    memory_region_reset_dirty(&mr, 0, 1 * MiB, DIRTY_MEMORY_MIGRATION);
    g_assert_false(memory_region_get_dirty(&mr, 0, 1 * MiB,
                                           DIRTY_MEMORY_MIGRATION));
    g_assert_true(memory_region_get_dirty(&mr, 0x1000, 1,
                                          DIRTY_MEMORY_VGA));
    /* Past the end: clipped, not crashing. */
    memory_region_set_dirty(&mr, 1 * MiB - 1, 100);
    g_assert_true(memory_region_get_dirty(&mr, 1 * MiB - 4096, 4096,
                                          DIRTY_MEMORY_VGA));
    memory_region_destroy(&mr);
}

/* ---------------------------------------------------------- faults */

static unsigned faults;
static ram_addr_t fault_offset;
static bool fault_write;

static void record_fault(RAMBlock *rb, ram_addr_t offset, size_t len,
                         bool is_write)
{
    faults++;
    fault_offset = offset;
    fault_write = is_write;
}

/*
 * A memfd cut to 4 MiB under an 8 MiB mapping: accesses past the end
 * raise SIGBUS, which ram_block_read/write/fill turn into -EFAULT and one
 * call of the fault handler each; accesses before the end work.
 */
static void test_sigbus_access(void)
{
    int fd = memfd_create("t", MFD_CLOEXEC);
    MemoryRegion mr;
    RAMBlock *rb;
    uint8_t buf[64] = { 0x77 }, back[64];

    g_assert(fd >= 0 && ftruncate(fd, 8 * MiB) == 0);
    g_assert(memory_region_init_ram_from_fd(&mr, NULL, "cut", 8 * MiB,
                                            RAM_SHARED, fd, 0,
                                            &error_abort));
    rb = memory_region_get_ram_block(&mr);
    ram_block_set_fault_handler(record_fault);
    g_assert_cmpint(ram_block_write(rb, 1 * MiB, buf, sizeof(buf)), ==, 0);
    g_assert(ftruncate(fd, 4 * MiB) == 0);
    g_assert_cmpint(ram_block_read(rb, 1 * MiB, back, sizeof(back)), ==, 0);
    g_assert_cmpmem(back, sizeof(back), buf, sizeof(buf));
    g_assert_cmpuint(faults, ==, 0);

    g_assert_cmpint(ram_block_read(rb, 6 * MiB, back, sizeof(back)), ==,
                    -EFAULT);
    g_assert_cmpuint(faults, ==, 1);
    g_assert_cmpuint(fault_offset, ==, 6 * MiB);
    g_assert_false(fault_write);
    g_assert_cmpint(ram_block_write(rb, 5 * MiB, buf, sizeof(buf)), ==,
                    -EFAULT);
    g_assert_cmpint(ram_block_fill(rb, 4 * MiB - 32, 0, 64), ==, -EFAULT);
    g_assert_cmpuint(faults, ==, 3);
    g_assert_true(fault_write);
    ram_block_set_fault_handler(NULL);
    g_assert_cmpint(ram_block_read(rb, 6 * MiB, back, 1), ==, -EFAULT);
    g_assert_cmpuint(faults, ==, 3);
    memory_region_destroy(&mr);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/physmem/discard/memfd", test_discard_memfd);
    g_test_add_func("/physmem/discard/anon-private", test_discard_anon);
    g_test_add_func("/physmem/discard/anon-shared", test_discard_anon_shared);
    g_test_add_func("/physmem/noreserve-1TiB", test_huge_noreserve);
    g_test_add_func("/physmem/dirty/ranges", test_dirty_ranges);
    g_test_add_func("/physmem/sigbus-access", test_sigbus_access);
    return g_test_run();
}
