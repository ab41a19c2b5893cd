/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-kdump-virtio-mem-test.c: kdump-compressed dumps of machines with a
 * virtio-mem device plugged by the libqos guest driver in fragmented
 * patterns, in every format: bitmap bits for exactly base RAM, ROM and
 * the plugged blocks (none for unplugged ones), every dumpable page
 * equal to what the test wrote, the memfd never allocated by a dump;
 * makedumpfile -R, libkdumpfile and crash on the files; the same bytes
 * with 1, 2 and 8 threads; unplugging a block taking its pfns out;
 * thousands of runs; and the x-ignore-discard-manager=on baseline.
 */
#include "dump-vmem.h"
#include "kdump-util.h"

static gint range_cmp(gconstpointer a, gconstpointer b)
{
    const DumpRange *x = a, *y = b;

    return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * What must be dumped: RAM and ROM outside the device, and the plugged
 * runs @runs ([first, end) in blocks, @n pairs).
 */
static GArray *expected_ranges(VmemMachine *v, GArray *flat,
                               const uint64_t *runs, unsigned n)
{
    GArray *all = kdump_ranges_from_flat(flat);
    uint64_t dev_end = v->cfg.addr + v->cfg.region_size;

    for (guint i = 0; i < all->len; ) {
        DumpRange *r = &g_array_index(all, DumpRange, i);

        if (r->start >= v->cfg.addr && r->end <= dev_end) {
            g_array_remove_index(all, i);
        } else {
            i++;
        }
    }
    for (unsigned i = 0; i < n; i++) {
        DumpRange r = { vmem_blk(v, runs[2 * i]),
                        vmem_blk(v, runs[2 * i + 1]) };

        g_array_append_val(all, r);
    }
    g_array_sort(all, range_cmp);
    return all;
}

/*
 * Every format of a fragmented plug pattern on a memfd, page by page,
 * with the external readers; no dump allocates the memfd.
 */
static void test_fragmented(void)
{
    static const uint64_t probe_blocks[] = { 0, 2, 5, 110, 511 };
    VmemMachine v;
    g_auto(GStrv) formats = NULL;
    g_autoptr(GArray) flat = NULL;
    g_autoptr(GArray) ranges = NULL;
    uint64_t before;

    vmem_start_fragmented(&v);
    formats = kdump_formats(v.qts);
    flat = flat_ranges(v.qts);
    ranges = expected_ranges(&v, flat, FRAG_RUNS, FRAG_RUNS_LEN / 2);
    before = memfd_allocated(qtest_pid(v.qts), "memory-backend-memfd");
    for (guint i = 0; formats[i]; i++) {
        g_autofree char *path = g_build_filename(qtest_tmpdir(), formats[i],
                                                 NULL);
        KdumpReader *r;

        g_test_message("format %s", formats[i]);
        if (!kdump_is_raw(formats[i])) {
            kdump_dump_pair(v.qts, formats, i);
        }
        g_assert_cmpuint(memfd_allocated(qtest_pid(v.qts),
                                         "memory-backend-memfd"), ==,
                         before);
        r = kdump_check(v.qts, path, &v.model, flat, ranges);
        /* unplugged blocks have no bits */
        g_assert_false(kdump_reader_page_dumpable(r, vmem_blk(&v, 4) /
                                                  KDUMP_PAGE));
        g_assert_false(kdump_reader_page_dumpable(r, vmem_blk(&v, 300) /
                                                  KDUMP_PAGE));
        g_assert_cmpuint(kdump_reader_info(r)->max_mapnr, ==,
                         vmem_blk(&v, 512) / KDUMP_PAGE);
        if (kdump_is_raw(formats[i])) {
            g_autofree char *flatpath = g_build_filename(qtest_tmpdir(),
                                                         formats[i - 1],
                                                         NULL);
            g_autofree char *rebuilt = g_build_filename(qtest_tmpdir(),
                                                        "rebuilt", NULL);
            uint64_t addrs[ARRAY_SIZE(probe_blocks) + 1];

            if (kdump_makedumpfile_rearrange(flatpath, rebuilt)) {
                kdump_assert_files_equal(rebuilt, path);
                unlink(rebuilt);
            }
            for (unsigned j = 0; j < ARRAY_SIZE(probe_blocks); j++) {
                addrs[j] = vmem_blk(&v, probe_blocks[j]) + 4096 + 8 * j;
            }
            addrs[ARRAY_SIZE(probe_blocks)] = 1 * MiB + 8;
            check_libkdumpfile_ex(v.qts, &v.model, flat, path, addrs,
                                  ARRAY_SIZE(addrs), true, -1);
            kdump_check_crash(path, kdump_reader_info(r)->status, 1,
                              kdump_reader_info(r)->dumpable_pages);
            unlink(flatpath);
            unlink(path);
        }
        kdump_reader_close(r);
    }
    vmem_stop(&v);
}

/* 1, 2 and 8 threads: the same bytes, with data spread over the runs. */
static void test_threads(void)
{
    VmemMachine v;
    g_auto(GStrv) formats = NULL;

    vmem_start(&v, 4 * GiB, "memory-backend-memfd,size=1G",
             "requested-size=1G", "");
    vmem_plug(&v, 0, 4);
    vmem_plug(&v, 10, 6);
    for (unsigned i = 0; i < 16; i++) {
        model_write(v.qts, &v.model, vmem_blk(&v, i < 4 ? i : 10 + i % 6) +
                    i * 40000, 200 * KiB, 50 + i);
    }
    formats = kdump_formats(v.qts);
    for (guint i = 0; formats[i]; i++) {
        g_autofree char *one = g_build_filename(qtest_tmpdir(), "t1", NULL);
        g_autofree char *two = g_build_filename(qtest_tmpdir(), "t2", NULL);
        g_autofree char *eight = g_build_filename(qtest_tmpdir(), "t8",
                                                  NULL);

        kdump_dump(v.qts, formats[i], one, 1);
        kdump_dump(v.qts, formats[i], two, 2);
        kdump_dump(v.qts, formats[i], eight, 8);
        kdump_assert_files_equal(one, two);
        kdump_assert_files_equal(one, eight);
        unlink(one);
        unlink(two);
        unlink(eight);
    }
    vmem_stop(&v);
}

/* Unplugging a middle block takes its pfns out of the bitmap. */
static void test_unplug(void)
{
    static const uint64_t before_runs[] = { 0, 8 };
    static const uint64_t after_runs[] = { 0, 3, 4, 8 };
    g_autofree char *path = g_build_filename(qtest_tmpdir(), "unplug",
                                             NULL);
    g_autoptr(GArray) flat = NULL;
    g_autoptr(GArray) ranges = NULL;
    KdumpReader *r;
    VmemMachine v;

    vmem_start(&v, 4 * GiB, "memory-backend-memfd,size=1G",
             "requested-size=1G", "");
    vmem_plug(&v, 0, 8);
    model_write(v.qts, &v.model, vmem_blk(&v, 0), 8 * v.cfg.block_size, 21);
    flat = flat_ranges(v.qts);
    ranges = expected_ranges(&v, flat, before_runs, 1);
    kdump_dump(v.qts, "kdump-raw-zlib", path, 0);
    r = kdump_check(v.qts, path, &v.model, flat, ranges);
    g_assert_true(kdump_reader_page_dumpable(r, vmem_blk(&v, 3) / KDUMP_PAGE));
    kdump_reader_close(r);

    vmem_unplug(&v, 3, 1);
    g_array_unref(ranges);
    ranges = expected_ranges(&v, flat, after_runs, 2);
    kdump_dump(v.qts, "kdump-zlib", path, 0);
    r = kdump_check(v.qts, path, &v.model, flat, ranges);
    g_assert_false(kdump_reader_page_dumpable(r, vmem_blk(&v, 3) / KDUMP_PAGE));
    g_assert_false(kdump_reader_page_dumpable(r, (vmem_blk(&v, 4) - 1) /
                                              KDUMP_PAGE));
    kdump_reader_close(r);
    unlink(path);
    vmem_stop(&v);
}

/*
 * Thousands of 1 MiB runs (every other block): the 1st bitmap has exactly
 * them, the 2nd only the one page written; it reads back.
 */
static void test_many_runs(void)
{
    const uint64_t runs = 3000, pages = 1 * MiB / KDUMP_PAGE;
    g_autofree uint64_t *addrs = g_new(uint64_t, runs);
    g_autofree char *backend = g_strdup_printf("memory-backend-memfd,size=%"
                                               PRIu64, 2 * runs * MiB);
    g_autofree char *dev = g_strdup_printf("block-size=1M,requested-size=%"
                                           PRIu64, 2 * runs * MiB);
    g_autofree char *path = g_build_filename(qtest_tmpdir(), "many", NULL);
    uint8_t page[KDUMP_PAGE], want[KDUMP_PAGE];
    const KdumpInfo *in;
    GError *err = NULL;
    KdumpReader *r;
    VmemMachine v;

    vmem_start(&v, 2 * runs * MiB + 1 * GiB, backend, dev, "");
    for (uint64_t i = 0; i < runs; i++) {
        addrs[i] = vmem_blk(&v, 2 * i);
    }
    g_assert_cmpuint(qvirtio_mem_plug_ranges(v.vm, addrs, runs, 1), ==,
                     runs);
    model_write(v.qts, &v.model, vmem_blk(&v, 2 * (runs - 1)) + 77, 100, 0x44);
    kdump_dump(v.qts, "kdump-lzo", path, 0);
    r = kdump_reader_open(path, &err);
    g_assert_no_error(err);
    in = kdump_reader_info(r);
    g_assert_cmpuint(in->max_mapnr, ==,
                     vmem_blk(&v, 2 * runs - 1) / KDUMP_PAGE);
    for (uint64_t b = 0; b < 2 * runs - 1; b++) {
        uint64_t pfn = vmem_blk(&v, b) / KDUMP_PAGE;

        for (uint64_t p = 0; p < pages; p += pages - 1) {
            g_assert_cmpint(kdump_reader_page_ram(r, pfn + p), ==,
                            b % 2 == 0);
        }
    }
    g_assert_cmpuint(in->ram_pages, >=, runs * pages);
    /* never-touched plugged memory costs no descriptor */
    g_assert_cmpuint(in->dumpable_pages, <, 1000);
    g_assert_true(kdump_reader_read_page(r, vmem_blk(&v, 2 * (runs - 1)) /
                                         KDUMP_PAGE, page, &err));
    model_expect(v.qts, &v.model, vmem_blk(&v, 2 * (runs - 1)), want,
                 KDUMP_PAGE);
    g_assert_cmpmem(page, KDUMP_PAGE, want, KDUMP_PAGE);
    kdump_reader_close(r);
    unlink(path);
    vmem_stop(&v);
}

/*
 * x-ignore-discard-manager=on: the whole region is dumped (as before the
 * series), yet the never-touched memory is still not read: the memfd is
 * not allocated.
 */
static void test_ignore_discard_manager(void)
{
    static const uint64_t whole[] = { 0, 512 };
    g_autofree char *path = g_build_filename(qtest_tmpdir(), "ignore-rdm",
                                             NULL);
    g_autoptr(GArray) flat = NULL;
    g_autoptr(GArray) ranges = NULL;
    uint64_t before;
    KdumpReader *r;
    VmemMachine v;

    vmem_start(&v, 4 * GiB, "memory-backend-memfd,size=1G",
             "requested-size=1G", ",x-ignore-discard-manager=on");
    vmem_plug(&v, 10, 2);
    model_write(v.qts, &v.model, vmem_blk(&v, 10), 4096, 41);
    before = memfd_allocated(qtest_pid(v.qts), "memory-backend-memfd");
    kdump_dump(v.qts, "kdump-raw-snappy", path, 0);
    g_assert_cmpuint(memfd_allocated(qtest_pid(v.qts),
                                     "memory-backend-memfd"), ==, before);
    flat = flat_ranges(v.qts);
    ranges = expected_ranges(&v, flat, whole, 1);
    r = kdump_check(v.qts, path, &v.model, flat, ranges);
    kdump_reader_close(r);
    g_assert_cmpuint(memfd_allocated(qtest_pid(v.qts),
                                     "memory-backend-memfd"), ==, before);
    unlink(path);
    vmem_stop(&v);
}

/*
 * Never-touched and all-zero pages: excluded from the 2nd bitmap by
 * default, or (x-kdump-zero-descriptors) given the shared zero page's
 * descriptor, in every format, with the external readers on each:
 * makedumpfile -R, libkdumpfile with and without its zero_excluded
 * attribute (an excluded page raises NoDataException unless it is set),
 * crash counting the dumpable pages.  The memfd is never allocated.
 */
static void test_zero_pages(void)
{
    static const uint64_t runs[] = { 0, 3, 6, 7 };
    VmemMachine v;
    g_auto(GStrv) formats = NULL;
    g_autoptr(GArray) flat = NULL;
    g_autoptr(GArray) ranges = NULL;
    uint64_t before, addrs[5];

    vmem_start(&v, 4 * GiB, "memory-backend-memfd,size=1G",
             "requested-size=1G", "");
    vmem_plug(&v, 0, 3);
    vmem_plug(&v, 6, 1);
    /* block 0: data, then a page written with zeros (populated, zero) */
    model_write(v.qts, &v.model, vmem_blk(&v, 0), 3 * 4096, 0x5a);
    before = memfd_allocated(qtest_pid(v.qts), "memory-backend-memfd");
    qtest_memset(v.qts, vmem_blk(&v, 0) + 3 * 4096, 0, 4096);
    g_assert_cmpuint(memfd_allocated(qtest_pid(v.qts),
                                     "memory-backend-memfd"), >, before);
    model_write(v.qts, &v.model, vmem_blk(&v, 6) + 8192 + 100, 50, 0x11);
    addrs[0] = vmem_blk(&v, 0) + 8;              /* data */
    addrs[1] = vmem_blk(&v, 0) + 3 * 4096 + 64;  /* written, all zero */
    addrs[2] = vmem_blk(&v, 1) + 4096;           /* never touched */
    addrs[3] = vmem_blk(&v, 6) + 8192 + 96;      /* data */
    addrs[4] = vmem_blk(&v, 6);                  /* never touched */
    flat = flat_ranges(v.qts);
    ranges = expected_ranges(&v, flat, runs, 2);
    formats = kdump_formats(v.qts);
    before = memfd_allocated(qtest_pid(v.qts), "memory-backend-memfd");
    for (int zero_descs = 0; zero_descs <= 1; zero_descs++) {
        for (guint i = 0; formats[i]; i++) {
            g_autofree char *path = g_build_filename(qtest_tmpdir(),
                                                     formats[i], NULL);
            g_autofree char *rawpath = NULL;
            g_autofree char *rebuilt = NULL;
            KdumpReader *r;
            const KdumpInfo *in;

            if (kdump_is_raw(formats[i])) {
                continue;
            }
            g_test_message("format %s, zero descriptors %d", formats[i],
                           zero_descs);
            rawpath = g_build_filename(qtest_tmpdir(), formats[i + 1],
                                       NULL);
            kdump_dump_mode(v.qts, formats[i], path, 0, zero_descs);
            kdump_dump_mode(v.qts, formats[i + 1], rawpath, 0, zero_descs);
            g_assert_cmpuint(memfd_allocated(qtest_pid(v.qts),
                                             "memory-backend-memfd"), ==,
                             before);
            r = kdump_check_mode(v.qts, rawpath, &v.model, flat, ranges,
                                 zero_descs);
            in = kdump_reader_info(r);
            /* plugged: 4 blocks of 256 pages (and boot RAM, ROM) */
            g_assert_cmpuint(in->ram_pages, >, 4 * 256);
            if (zero_descs) {
                g_assert_cmpuint(in->dumpable_pages, ==, in->ram_pages);
                check_libkdumpfile_ex(v.qts, &v.model, flat, rawpath, addrs,
                                      ARRAY_SIZE(addrs), false, -1);
            } else {
                /* the 4 data pages of the device and what boot RAM has */
                g_assert_cmpuint(in->dumpable_pages, <, in->ram_pages / 2);
                g_assert_true(kdump_reader_page_dumpable(r, addrs[0] /
                                                         KDUMP_PAGE));
                g_assert_false(kdump_reader_page_dumpable(r, addrs[1] /
                                                          KDUMP_PAGE));
                g_assert_true(kdump_reader_page_ram(r, addrs[1] /
                                                    KDUMP_PAGE));
                g_assert_false(kdump_reader_page_dumpable(r, addrs[2] /
                                                          KDUMP_PAGE));
                check_libkdumpfile_ex(v.qts, &v.model, flat, rawpath, addrs,
                                      ARRAY_SIZE(addrs), true, -1);
                check_libkdumpfile_ex(v.qts, &v.model, flat, rawpath, addrs,
                                      ARRAY_SIZE(addrs), true, 1);
            }
            kdump_check_crash(rawpath, in->status, 1, in->dumpable_pages);
            kdump_check_crash_excluded(rawpath);
            rebuilt = g_build_filename(qtest_tmpdir(), "rebuilt", NULL);
            if (kdump_makedumpfile_rearrange(path, rebuilt)) {
                kdump_assert_files_equal(rebuilt, rawpath);
                unlink(rebuilt);
            }
            kdump_reader_close(r);
            unlink(path);
            unlink(rawpath);
        }
    }
    vmem_stop(&v);
}

/*
 * Memory populated during a detached dump (the guest writing pages that
 * were never touched when the dump started, while it waits on a pipe):
 * they do not fit the descriptor room made for the populated pages, so
 * the dump fails with a clear error, as an incomplete, well-formed
 * stream, and the VmemMachine keeps running.
 */
static void test_populated_during_dump(void)
{
    VmemMachine v;
    JsonObject *r;
    DumpDrain d;
    GThread *t;
    int p[2];

    vmem_start(&v, 4 * GiB, "memory-backend-memfd,size=1G",
             "requested-size=1G", "");
    vmem_plug(&v, 0, 64);
    /*
     * 32 MiB of random data first: more than the pipeline reads ahead
     * (2 * threads + 2 batches of 1 MiB, the 2 MiB data stage and the
     * pipe).  Compressible data would not do: its compressed output is
     * small, and the walk could pass the pages filled below before they
     * are.
     */
    write_noise(v.qts, vmem_blk(&v, 0), 16 * v.cfg.block_size, 0x5eed);
    g_assert_cmpint(pipe(p), ==, 0);
    dump_getfd(v.qts, p[1], "slow");
    close(p[1]);
    qtest_qmp_events_clear(v.qts);
    qtest_qmp_assert_success(v.qts, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, 'protocol': "
                             "'fd:slow', 'format': 'kdump-lzo', "
                             "'detach': true}}");
    /*
     * the dump waits on the pipe; the guest fills 96 MiB it left, more
     * than any room populated zero pages (huge pages of boot RAM) leave
     */
    for (unsigned i = 16; i < 64; i++) {
        qtest_memset(v.qts, vmem_blk(&v, i), 0x77, v.cfg.block_size);
    }
    d.fd = p[0];
    d.got = g_byte_array_new();
    t = g_thread_new("drain", dump_drain_thread, &d);
    r = qtest_qmp_eventwait_ref(v.qts, "DUMP_COMPLETED");
    g_assert_cmpstr(qtest_json_get_str(r, "data.result.status"), ==,
                    "failed");
    g_assert_cmpstr(qtest_json_get_str(r, "data.error"), ==,
                    "dump: guest memory was populated during the dump");
    json_object_unref(r);
    g_thread_join(t);
    close(p[0]);
    /* a flattened stream that ends with its end marker */
    g_assert_cmpuint(d.got->len, >, 4096);
    g_assert_cmpmem(d.got->data + d.got->len - 16, 16,
                    "\xff\xff\xff\xff\xff\xff\xff\xff"
                    "\xff\xff\xff\xff\xff\xff\xff\xff", 16);
    g_byte_array_unref(d.got);
    qtest_qmp_assert_success(v.qts, "{'execute': 'query-status'}");
    vmem_stop(&v);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dump/kdump/virtio-mem/fragmented", test_fragmented);
    g_test_add_func("/dump/kdump/virtio-mem/threads", test_threads);
    g_test_add_func("/dump/kdump/virtio-mem/unplug", test_unplug);
    g_test_add_func("/dump/kdump/virtio-mem/many-runs", test_many_runs);
    g_test_add_func("/dump/kdump/virtio-mem/zero-pages", test_zero_pages);
    g_test_add_func("/dump/kdump/virtio-mem/populated-during-dump",
                    test_populated_during_dump);
    g_test_add_func("/dump/kdump/virtio-mem/ignore-discard-manager",
                    test_ignore_discard_manager);
    return g_test_run();
}
