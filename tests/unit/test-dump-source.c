/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-dump-source.c: the dump page source over real RAM: memfd-backed
 * (SEEK_DATA) and anonymous (pagemap) regions with written, zero-written
 * and never-touched pages; a discard-managed region; filters cutting
 * blocks; extent size limits; unaligned block edges.  Iterating must not
 * allocate backend memory: the memfd's allocated size and the process's
 * resident set of a never-touched region stay the same.
 */
#include "qemu/osdep.h"
#include <sys/mman.h>
#include "exec/memory.h"
#include "exec/memory_mapping.h"
#include "exec/ramblock.h"
#include "qemu/error.h"
#include "qom/object.h"
#include "dump/dump-source.h"
#include "fake-rdm.h"

#define KiB 1024ULL
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)
#define PAGE TARGET_PAGE_SIZE
#define DUMP_MAX_EXTENT_TEST (4 * MiB)

typedef struct Ext {
    DumpExtentKind kind;
    hwaddr gpa;
    uint64_t len;
    uint64_t offset;
} Ext;

typedef struct Env {
    MemoryRegion root;
    AddressSpace as;
    GuestPhysBlockList blocks;
} Env;

static void env_init(Env *e)
{
    memory_region_init(&e->root, NULL, "root", UINT64_MAX);
    address_space_init(&e->as, &e->root, "test");
    guest_phys_blocks_init(&e->blocks);
}

static void env_build(Env *e)
{
    guest_phys_blocks_free(&e->blocks);
    guest_phys_blocks_append(&e->blocks, &e->as, 0);
}

static void env_fini(Env *e)
{
    guest_phys_blocks_free(&e->blocks);
    address_space_destroy(&e->as);
    memory_region_destroy(&e->root);
}

static GArray *collect(const GuestPhysBlockList *blocks, hwaddr begin,
                       uint64_t length, uint64_t max)
{
    GArray *out = g_array_new(false, false, sizeof(Ext));
    DumpSource src;
    DumpExtent ext;
    uint64_t offset = 0;

    dump_source_init(&src, blocks, begin, length, max);
    while (dump_source_next(&src, &ext)) {
        Ext x = { ext.kind, ext.gpa, ext.len, ext.offset };

        /* extents are contiguous in the concatenation */
        g_assert_cmpuint(ext.offset, ==, offset);
        offset += ext.len;
        g_assert_true(ext.host == ext.block->host_addr +
                      (ext.gpa - ext.block->target_start));
        g_assert_cmpuint(ext.len, >, 0);
        if (ext.kind != DUMP_EXTENT_HOLE) {
            g_assert_cmpuint(ext.len, <=, max);
        }
        g_array_append_val(out, x);
    }
    return out;
}

static void check(GArray *got, const Ext *want, unsigned n)
{
    g_assert_cmpuint(got->len, ==, n);
    for (unsigned i = 0; i < n; i++) {
        Ext *g = &g_array_index(got, Ext, i);

        g_assert_cmpint(g->kind, ==, want[i].kind);
        g_assert_cmphex(g->gpa, ==, want[i].gpa);
        g_assert_cmphex(g->len, ==, want[i].len);
    }
    g_array_free(got, true);
}

/*
 * Only the DATA extents and the total: with transparent huge pages, an
 * untouched anonymous page next to a written one may be populated
 * (reported ZERO) rather than a HOLE; both are right.
 */
static void check_data(GArray *got, const Ext *want, unsigned n,
                       uint64_t total)
{
    uint64_t sum = 0;
    unsigned j = 0;

    for (unsigned i = 0; i < got->len; i++) {
        Ext *g = &g_array_index(got, Ext, i);

        sum += g->len;
        if (g->kind != DUMP_EXTENT_DATA) {
            continue;
        }
        g_assert_cmpuint(j, <, n);
        g_assert_cmphex(g->gpa, ==, want[j].gpa);
        g_assert_cmphex(g->len, ==, want[j].len);
        j++;
    }
    g_assert_cmpuint(j, ==, n);
    g_assert_cmpuint(sum, ==, total);
    g_array_free(got, true);
}

static uint64_t fd_allocated(int fd)
{
    struct stat st;

    g_assert_cmpint(fstat(fd, &st), ==, 0);
    return st.st_blocks * 512;
}

/*
 * A 16 MiB memfd region at 1 GiB: pages [0, 4) written, [4, 8) written
 * with zeros, [8, 16) never touched, [16, 17) written, rest untouched.
 */
static void test_memfd(void)
{
    Env e;
    MemoryRegion mr;
    int fd = memfd_create("guest", MFD_CLOEXEC);
    uint8_t *host;
    uint64_t before;
    const hwaddr base = 1 * GiB;

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, 16 * MiB), ==, 0);
    g_assert(memory_region_init_ram_from_fd(&mr, NULL, "guest", 16 * MiB,
                                            RAM_SHARED, fd, 0,
                                            &error_abort));
    env_init(&e);
    memory_region_add_subregion(&e.root, base, &mr);
    host = memory_region_get_ram_ptr(&mr);
    memset(host, 0x11, 4 * PAGE);
    memset(host + 4 * PAGE, 0, 4 * PAGE);
    memset(host + 16 * PAGE, 0x22, PAGE);
    env_build(&e);

    before = fd_allocated(fd);
    g_assert_cmpuint(before, ==, 9 * PAGE);
    {
        Ext want[] = {
            { DUMP_EXTENT_DATA, base, 4 * PAGE },
            { DUMP_EXTENT_ZERO, base + 4 * PAGE, 4 * PAGE },
            { DUMP_EXTENT_HOLE, base + 8 * PAGE, 8 * PAGE },
            { DUMP_EXTENT_DATA, base + 16 * PAGE, PAGE },
            { DUMP_EXTENT_HOLE, base + 17 * PAGE, 16 * MiB - 17 * PAGE },
        };
        check(collect(&e.blocks, 0, 0, DUMP_MAX_EXTENT_TEST), want,
              ARRAY_SIZE(want));
    }
    /* without the zero scan: populated is DATA, unread; holes stay */
    {
        Ext want[] = {
            { DUMP_EXTENT_DATA, base, 8 * PAGE },
            { DUMP_EXTENT_HOLE, base + 8 * PAGE, 8 * PAGE },
            { DUMP_EXTENT_DATA, base + 16 * PAGE, PAGE },
            { DUMP_EXTENT_HOLE, base + 17 * PAGE, 16 * MiB - 17 * PAGE },
        };
        GArray *got = g_array_new(false, false, sizeof(Ext));
        DumpSource src;
        DumpExtent ext;

        dump_source_init(&src, &e.blocks, 0, 0, DUMP_MAX_EXTENT_TEST);
        dump_source_skip_zero_scan(&src);
        while (dump_source_next(&src, &ext)) {
            Ext x = { ext.kind, ext.gpa, ext.len, ext.offset };

            g_array_append_val(got, x);
        }
        check(got, want, ARRAY_SIZE(want));
    }
    /* DATA of shared fd-backed RAM names the fd */
    {
        DumpSource src;
        DumpExtent ext;

        dump_source_init(&src, &e.blocks, 0, 0, 1 * MiB);
        g_assert_true(dump_source_next(&src, &ext));
        g_assert_cmpint(ext.fd, ==, fd);
        g_assert_cmpint(ext.fd_offset, ==, 0);
    }
    /* small extents split DATA and ZERO runs, never holes */
    {
        Ext want[] = {
            { DUMP_EXTENT_DATA, base, 2 * PAGE },
            { DUMP_EXTENT_DATA, base + 2 * PAGE, 2 * PAGE },
            { DUMP_EXTENT_ZERO, base + 4 * PAGE, 2 * PAGE },
            { DUMP_EXTENT_ZERO, base + 6 * PAGE, 2 * PAGE },
            { DUMP_EXTENT_HOLE, base + 8 * PAGE, 8 * PAGE },
            { DUMP_EXTENT_DATA, base + 16 * PAGE, PAGE },
            { DUMP_EXTENT_HOLE, base + 17 * PAGE, 16 * MiB - 17 * PAGE },
        };
        check(collect(&e.blocks, 0, 0, 2 * PAGE), want, ARRAY_SIZE(want));
    }
    /* a filter starting and ending inside pages */
    {
        Ext want[] = {
            { DUMP_EXTENT_DATA, base + 3 * PAGE + 100, PAGE - 100 },
            { DUMP_EXTENT_ZERO, base + 4 * PAGE, 4 * PAGE },
            { DUMP_EXTENT_HOLE, base + 8 * PAGE, 8 * PAGE },
            { DUMP_EXTENT_DATA, base + 16 * PAGE, 10 },
        };
        check(collect(&e.blocks, base + 3 * PAGE + 100,
                      13 * PAGE - 100 + 10, DUMP_MAX_EXTENT_TEST),
              want, ARRAY_SIZE(want));
    }
    /* reading never allocated anything */
    g_assert_cmpuint(fd_allocated(fd), ==, before);

    memory_region_del_subregion(&e.root, &mr);
    memory_region_destroy(&mr);
    env_fini(&e);
}

/* Anonymous RAM: pagemap tells; a partial last page; two blocks. */
static void test_anon(void)
{
    Env e;
    MemoryRegion a, b;
    uint8_t *ha, *hb;

    env_init(&e);
    g_assert(memory_region_init_ram(&a, NULL, "a", 8 * MiB, &error_abort));
    g_assert(memory_region_init_ram(&b, NULL, "b", 1 * MiB, &error_abort));
    memory_region_add_subregion(&e.root, 0, &a);
    memory_region_add_subregion(&e.root, 8 * MiB, &b);
    ha = memory_region_get_ram_ptr(&a);
    hb = memory_region_get_ram_ptr(&b);
    ha[2 * MiB] = 1;
    hb[0] = 0;                  /* populated, but zero */
    hb[1 * MiB - 1] = 7;
    env_build(&e);
    g_assert_cmpuint(e.blocks.num, ==, 2);
    {
        Ext want[] = {
            { DUMP_EXTENT_DATA, 2 * MiB, PAGE },
            { DUMP_EXTENT_DATA, 9 * MiB - PAGE, PAGE },
        };
        GArray *got = collect(&e.blocks, 0, 0, DUMP_MAX_EXTENT_TEST);

        /* the first 2 MiB were never touched, whatever THP does */
        g_assert_cmpint(g_array_index(got, Ext, 0).kind, ==,
                        DUMP_EXTENT_HOLE);
        check_data(got, want, ARRAY_SIZE(want), 9 * MiB);
    }
    /* a filter in the middle of block a only */
    {
        Ext want[] = { { DUMP_EXTENT_DATA, 2 * MiB, PAGE } };

        check_data(collect(&e.blocks, 1 * MiB, 2 * MiB,
                           DUMP_MAX_EXTENT_TEST),
                   want, ARRAY_SIZE(want), 2 * MiB);
    }
    /* a filter outside every block */
    check(collect(&e.blocks, 100 * MiB, 1 * MiB, DUMP_MAX_EXTENT_TEST),
          NULL, 0);

    memory_region_del_subregion(&e.root, &a);
    memory_region_del_subregion(&e.root, &b);
    memory_region_destroy(&a);
    memory_region_destroy(&b);
    env_fini(&e);
}

/*
 * Discard-managed memfd RAM: only plugged blocks are iterated, and
 * iterating a plugged but never-written block allocates nothing.
 */
static void test_discard_managed(void)
{
    Env e;
    MemoryRegion mr;
    FakeRdm f;
    int fd = memfd_create("vmem", MFD_CLOEXEC);
    uint8_t *host;
    uint64_t before;

    g_assert_cmpint(ftruncate(fd, 64 * MiB), ==, 0);
    g_assert(memory_region_init_ram_from_fd(&mr, NULL, "vmem", 64 * MiB,
                                            RAM_SHARED, fd, 0,
                                            &error_abort));
    fake_rdm_attach(&f, &mr, 2 * MiB);
    fake_rdm_plug(&f, 1, 2);    /* [2, 6) MiB */
    fake_rdm_plug(&f, 10, 1);   /* [20, 22) MiB */
    env_init(&e);
    memory_region_add_subregion(&e.root, 4 * GiB, &mr);
    host = memory_region_get_ram_ptr(&mr);
    memset(host + 3 * MiB, 0x33, PAGE);
    env_build(&e);
    before = fd_allocated(fd);
    {
        Ext want[] = {
            { DUMP_EXTENT_HOLE, 4 * GiB + 2 * MiB, 1 * MiB },
            { DUMP_EXTENT_DATA, 4 * GiB + 3 * MiB, PAGE },
            { DUMP_EXTENT_HOLE, 4 * GiB + 3 * MiB + PAGE, 3 * MiB - PAGE },
            { DUMP_EXTENT_HOLE, 4 * GiB + 20 * MiB, 2 * MiB },
        };
        check(collect(&e.blocks, 0, 0, DUMP_MAX_EXTENT_TEST), want,
              ARRAY_SIZE(want));
    }
    g_assert_cmpuint(fd_allocated(fd), ==, before);
    g_assert_cmpuint(before, ==, PAGE);

    memory_region_del_subregion(&e.root, &mr);
    fake_rdm_detach(&f);
    memory_region_destroy(&mr);
    env_fini(&e);
}

static void test_is_zero(void)
{
    uint8_t buf[PAGE + 7];

    memset(buf, 0, sizeof(buf));
    g_assert_true(dump_buffer_is_zero(buf, sizeof(buf)));
    g_assert_true(dump_buffer_is_zero(buf, 0));
    for (size_t i = 0; i < sizeof(buf); i += 61) {
        buf[i] = 1;
        g_assert_false(dump_buffer_is_zero(buf, sizeof(buf)));
        buf[i] = 0;
    }
    buf[sizeof(buf) - 1] = 0x80;
    g_assert_false(dump_buffer_is_zero(buf, sizeof(buf)));
    g_assert_true(dump_buffer_is_zero(buf, sizeof(buf) - 1));
    g_assert_false(dump_buffer_is_zero(buf + 1, sizeof(buf) - 1));
}

/* Walk to the end; returns the source's error and where it happened. */
static int walk_error(const GuestPhysBlockList *blocks, hwaddr *gpa,
                      uint64_t *data_bytes)
{
    DumpSource src;
    DumpExtent ext;

    *data_bytes = 0;
    dump_source_init(&src, blocks, 0, 0, DUMP_MAX_EXTENT_TEST);
    while (dump_source_next(&src, &ext)) {
        if (ext.kind == DUMP_EXTENT_DATA) {
            *data_bytes += ext.len;
        }
    }
    if (dump_source_error(&src, gpa)) {
        g_assert_false(dump_source_next(&src, &ext));    /* stays over */
    }
    return dump_source_error(&src, gpa);
}

/*
 * Guest memory whose backing file was truncated under it.  fd-backed RAM:
 * the source sees the file is short before reading (SEEK_DATA alone
 * would call the missing part a hole and the dump would hold zeros).
 * Caller memory over the same kind of mapping (no fd to ask: everything
 * counts as populated): the zero scan's read raises SIGBUS, which ends
 * the walk with the same error instead of killing the process.
 */
static void test_truncated(void)
{
    const hwaddr base = 1 * GiB;
    hwaddr gpa = 0;
    uint64_t data;

    /* fd-backed */
    {
        Env e;
        MemoryRegion mr;
        int fd = memfd_create("guest", MFD_CLOEXEC);
        uint8_t *host;

        g_assert_cmpint(ftruncate(fd, 1 * MiB), ==, 0);
        g_assert(memory_region_init_ram_from_fd(&mr, NULL, "guest", 1 * MiB,
                                                RAM_SHARED, fd, 0,
                                                &error_abort));
        env_init(&e);
        memory_region_add_subregion(&e.root, base, &mr);
        host = memory_region_get_ram_ptr(&mr);
        memset(host, 0x11, 8 * PAGE);
        env_build(&e);
        g_assert_cmpint(walk_error(&e.blocks, &gpa, &data), ==, 0);
        g_assert_cmpuint(data, ==, 8 * PAGE);

        g_assert_cmpint(ftruncate(fd, 3 * PAGE), ==, 0);
        g_assert_cmpint(walk_error(&e.blocks, &gpa, &data), ==, -EFAULT);
        g_assert_cmphex(gpa, ==, base + 3 * PAGE);

        memory_region_del_subregion(&e.root, &mr);
        env_fini(&e);
        memory_region_destroy(&mr);
        close(fd);
    }
    /* caller memory: the read itself faults */
    {
        Env e;
        MemoryRegion mr;
        int fd = memfd_create("caller", MFD_CLOEXEC);
        uint8_t *host;

        g_assert_cmpint(ftruncate(fd, 1 * MiB), ==, 0);
        host = mmap(NULL, 1 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        g_assert_true(host != MAP_FAILED);
        memset(host, 0x22, 1 * MiB);
        memory_region_init_ram_ptr(&mr, NULL, "caller", 1 * MiB, host);
        env_init(&e);
        memory_region_add_subregion(&e.root, base, &mr);
        env_build(&e);

        g_assert_cmpint(ftruncate(fd, 5 * PAGE), ==, 0);
        g_assert_cmpint(walk_error(&e.blocks, &gpa, &data), ==, -EFAULT);
        g_assert_cmphex(gpa, ==, base + 5 * PAGE);

        memory_region_del_subregion(&e.root, &mr);
        env_fini(&e);
        memory_region_destroy(&mr);
        munmap(host, 1 * MiB);
        close(fd);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    type_register_object_types();
    g_test_add_func("/dump-source/memfd", test_memfd);
    g_test_add_func("/dump-source/anonymous", test_anon);
    g_test_add_func("/dump-source/discard-managed", test_discard_managed);
    g_test_add_func("/dump-source/is-zero", test_is_zero);
    g_test_add_func("/dump-source/truncated", test_truncated);
    return g_test_run();
}
