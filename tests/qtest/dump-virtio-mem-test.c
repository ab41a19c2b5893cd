/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-virtio-mem-test.c: dumps of machines with virtio-mem devices
 * plugged by the libqos guest driver in fragmented patterns: one PT_LOAD
 * per plugged run and none for unplugged memory, every byte checked
 * against what the test wrote, unplugging a middle block splitting a run
 * into two PT_LOADs, more than 65,535 runs (PN_XNUM), a pmem=on memdev
 * left out, the x-ignore-discard-manager=on baseline, the memfd never
 * allocated by a dump, and libkdumpfile reading plugged memory.
 */
#include <elf.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dump-vmem.h"

static char *dump(VmemMachine *v, const char *name)
{
    char *path = g_build_filename(qtest_tmpdir(), name, NULL);

    qtest_qmp_assert_success(v->qts, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, "
                             "'protocol': 'file:%s'}}", path);
    return path;
}

/* The PT_LOADs at or above the device: [start, end) pairs. */
static GArray *device_loads(VmemMachine *v, const ElfCore *core)
{
    GArray *r = g_array_new(false, false, sizeof(uint64_t));

    for (unsigned i = 1; i < core->phnum; i++) {
        const ElfSegment *s = elf_core_segment(core, i);

        if (s->paddr >= v->cfg.addr) {
            uint64_t end = s->paddr + s->memsz;

            g_array_append_val(r, s->paddr);
            g_array_append_val(r, end);
        }
    }
    return r;
}

static void expect_runs(VmemMachine *v, const ElfCore *core,
                        const uint64_t *runs, unsigned n)
{
    g_autoptr(GArray) got = device_loads(v, core);

    g_assert_cmpuint(got->len, ==, 2 * n);
    for (unsigned i = 0; i < n; i++) {
        g_assert_cmphex(g_array_index(got, uint64_t, 2 * i), ==,
                        vmem_blk(v, runs[2 * i]));
        g_assert_cmphex(g_array_index(got, uint64_t, 2 * i + 1), ==,
                        vmem_blk(v, runs[2 * i + 1]));
    }
}

/*
 * A fragmented plug pattern on a memfd: PT_LOADs for exactly the runs,
 * every byte right, the memfd's allocation unchanged by the dump, and
 * libkdumpfile agreeing.
 */
static void test_fragmented(void)
{
    VmemMachine v;
    g_autofree char *path = NULL;
    GArray *flat;
    ElfCore core;
    uint64_t before;

    vmem_start_fragmented(&v);
    before = memfd_allocated(qtest_pid(v.qts), "memory-backend-memfd");

    path = dump(&v, "fragmented.elf");
    g_assert_cmpuint(memfd_allocated(qtest_pid(v.qts),
                                     "memory-backend-memfd"), ==, before);
    flat = flat_ranges(v.qts);
    dump_open(&core, path);
    expect_runs(&v, &core, FRAG_RUNS, FRAG_RUNS_LEN / 2);
    check_dump_loads(v.qts, &core, &v.model, flat);
    {
        uint8_t b;

        /* unplugged memory is in no PT_LOAD */
        g_assert_false(elf_core_read_phys(&core, vmem_blk(&v, 4), &b, 1));
        g_assert_false(elf_core_read_phys(&core, vmem_blk(&v, 300), &b, 1));
    }
    elf_core_free(&core);
    {
        const uint64_t addrs[] = {
            vmem_blk(&v, 0) + 4096, vmem_blk(&v, 2) + 12345,
            vmem_blk(&v, 5) + 100, vmem_blk(&v, 110) + 2 * MiB - 32,
            vmem_blk(&v, 512) - 32, 1 * MiB + 8,
        };

        check_libkdumpfile(v.qts, &v.model, flat, path, addrs,
                           ARRAY_SIZE(addrs));
    }
    g_array_free(flat, true);
    unlink(path);
    vmem_stop(&v);
}

/* Unplugging a middle block splits the run; the hole is not in the file. */
static void test_unplug_splits(void)
{
    VmemMachine v;
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;
    GArray *flat;
    ElfCore core;
    static const uint64_t one[] = { 0, 8 };
    static const uint64_t two[] = { 0, 3, 4, 8 };

    vmem_start(&v, 4 * GiB, "memory-backend-memfd,size=1G",
             "requested-size=1G", "");
    vmem_plug(&v, 0, 8);
    model_write(v.qts, &v.model, vmem_blk(&v, 0), 8 * v.cfg.block_size, 21);
    a = dump(&v, "one-run.elf");
    dump_open(&core, a);
    expect_runs(&v, &core, one, 1);
    elf_core_free(&core);

    vmem_unplug(&v, 3, 1);
    b = dump(&v, "two-runs.elf");
    flat = flat_ranges(v.qts);
    dump_open(&core, b);
    expect_runs(&v, &core, two, 2);
    check_dump_loads(v.qts, &core, &v.model, flat);
    {
        struct stat sa, sb;

        /* one block less in the file */
        g_assert_cmpint(stat(a, &sa), ==, 0);
        g_assert_cmpint(stat(b, &sb), ==, 0);
        g_assert_cmpint(sa.st_size - sb.st_size, >=,
                        (int64_t)v.cfg.block_size - 4096);
    }
    elf_core_free(&core);
    g_array_free(flat, true);
    unlink(a);
    unlink(b);
    vmem_stop(&v);
}

/* More than 65,535 runs: e_phnum is PN_XNUM, section 0 has the count. */
static void test_pn_xnum(void)
{
    const uint64_t runs = 66000;
    VmemMachine v;
    g_autofree char *path = NULL;
    g_autofree uint64_t *addrs = g_new(uint64_t, runs);
    g_autofree char *backend = g_strdup_printf("memory-backend-memfd,size=%"
                                               PRIu64, 2 * runs * MiB);
    /* the whole region usable, so every other block can be plugged */
    g_autofree char *dev = g_strdup_printf("block-size=1M,requested-size=%"
                                           PRIu64, 2 * runs * MiB);
    ElfCore core;
    uint8_t byte;

    vmem_start(&v, 2 * runs * MiB + 1 * GiB, backend, dev, "");
    for (uint64_t i = 0; i < runs; i++) {
        addrs[i] = vmem_blk(&v, 2 * i);
    }
    g_assert_cmpuint(qvirtio_mem_plug_ranges(v.vm, addrs, runs, 1), ==,
                     runs);
    model_write(v.qts, &v.model, vmem_blk(&v, 2 * (runs - 1)) + 77, 1, 0x44);
    path = dump(&v, "pn-xnum.elf");
    dump_open(&core, path);
    g_assert_cmpuint(core.e_phnum, ==, PN_XNUM);
    g_assert_cmpuint(g_array_index(core.sections, ElfSection, 0).info, ==,
                     core.phnum);
    {
        g_autoptr(GArray) loads = device_loads(&v, &core);

        g_assert_cmpuint(loads->len, ==, 2 * runs);
    }
    g_assert_true(elf_core_read_phys(&core, vmem_blk(&v, 2 * (runs - 1)) + 77,
                                     &byte, 1));
    {
        uint8_t want;

        model_expect(v.qts, &v.model, vmem_blk(&v, 2 * (runs - 1)) + 77,
                     &want, 1);
        g_assert_cmphex(byte, ==, want);
    }
    g_assert_false(elf_core_read_phys(&core, vmem_blk(&v, 1), &byte, 1));
    if (tool_available("readelf")) {
        char *argv[] = { "readelf", "-h", path, NULL };
        g_autofree char *out = NULL;
        g_autofree char *err = NULL;
        g_autofree char *want = g_strdup_printf("%u (%u)", PN_XNUM,
                                                core.phnum);

        g_assert_cmpint(run_tool(argv, &out, &err), ==, 0);
        g_assert_nonnull(strstr(out, want));
    }
    elf_core_free(&core);
    unlink(path);
    vmem_stop(&v);
}

/* A pmem=on memdev is persistent memory: never in a dump. */
static void test_pmem_memdev(void)
{
    g_autofree char *file = g_build_filename(qtest_tmpdir(), "vmem-pmem",
                                             NULL);
    g_autofree char *backend = g_strdup_printf(
        "memory-backend-file,size=256M,mem-path=%s,share=on,pmem=on", file);
    g_autofree char *path = NULL;
    VmemMachine v;
    ElfCore core;

    vmem_start(&v, 4 * GiB, backend, "requested-size=256M", "");
    vmem_plug(&v, 0, 4);
    model_write(v.qts, &v.model, vmem_blk(&v, 0), 4096, 31);
    path = dump(&v, "pmem.elf");
    dump_open(&core, path);
    {
        g_autoptr(GArray) loads = device_loads(&v, &core);

        g_assert_cmpuint(loads->len, ==, 0);
    }
    elf_core_free(&core);
    unlink(path);
    vmem_stop(&v);
    unlink(file);
}

/*
 * x-ignore-discard-manager=on (the pre-series behaviour): the whole
 * region is one PT_LOAD -- still written sparsely, and the memfd still
 * not allocated, since never-touched memory is found without reading.
 */
static void test_ignore_discard_manager(void)
{
    VmemMachine v;
    g_autofree char *path = NULL;
    ElfCore core;
    uint64_t before;
    static const uint64_t whole[] = { 0, 512 };

    vmem_start(&v, 4 * GiB, "memory-backend-memfd,size=1G",
             "requested-size=1G", ",x-ignore-discard-manager=on");
    vmem_plug(&v, 10, 2);
    model_write(v.qts, &v.model, vmem_blk(&v, 10), 4096, 41);
    before = memfd_allocated(qtest_pid(v.qts), "memory-backend-memfd");
    path = dump(&v, "ignore-rdm.elf");
    g_assert_cmpuint(memfd_allocated(qtest_pid(v.qts),
                                     "memory-backend-memfd"), ==, before);
    dump_open(&core, path);
    expect_runs(&v, &core, whole, 1);
    elf_core_free(&core);
    unlink(path);
    vmem_stop(&v);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dump/virtio-mem/fragmented", test_fragmented);
    g_test_add_func("/dump/virtio-mem/unplug-splits", test_unplug_splits);
    g_test_add_func("/dump/virtio-mem/pn-xnum", test_pn_xnum);
    g_test_add_func("/dump/virtio-mem/pmem-memdev", test_pmem_memdev);
    g_test_add_func("/dump/virtio-mem/ignore-discard-manager",
                    test_ignore_discard_manager);
    return g_test_run();
}
