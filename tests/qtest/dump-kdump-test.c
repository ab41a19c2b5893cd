/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-kdump-test.c: kdump-compressed dumps through the real binary, on
 * microvm's map (RAM split by the isa-bios ROM window, the firmware ROM
 * below 4 GiB, MMIO and holes between; virtio-mem layouts are in
 * dump-kdump-virtio-mem-test.c):
 * every format checked page by page against what the test wrote, with
 * bits for exactly the RAM and ROM pfns; the external readers --
 * `makedumpfile -R` rebuilding each flattened file into the raw
 * variant's bytes, python3-libkdumpfile reading the same bytes, crash
 * parsing the headers; identical files for 1, 2 and 8 threads; fd: to a
 * pipe (flattened) and the raw formats refused there and on an O_APPEND
 * file (refused before the VM stops); a socket whose
 * reader is gone (EPIPE, no SIGPIPE death); HMP's -z/-l/-s/-R;
 * a detached dump's progress and dump-cancel; and ENOSPC on a passed
 * file leaving a header marked incomplete.
 */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kdump-util.h"

#define RAM_SIZE (512 * MiB)

static void write_guest(QTestState *s, DumpModel *m)
{
    model_write(s, m, 0x1000, 3 * 4096 + 17, 1);
    model_write(s, m, 0x9ffff, 2, 2);               /* below isa-bios */
    model_write(s, m, 64 * MiB, 1 * MiB, 4);
    model_write(s, m, RAM_SIZE - 4096, 4096, 5);    /* the last page */
    model_write(s, m, 300 * MiB + 100, 300 * KiB, 6);
}

static uint32_t status_of(const char *format)
{
    if (strstr(format, "zlib")) {
        return KDUMP_DH_COMPRESSED_ZLIB;
    }
    if (strstr(format, "lzo")) {
        return KDUMP_DH_COMPRESSED_LZO;
    }
    if (strstr(format, "snappy")) {
        return KDUMP_DH_COMPRESSED_SNAPPY;
    }
    g_assert_nonnull(strstr(format, "zstd"));
    return KDUMP_DH_COMPRESSED_ZSTD;
}

/* libkdumpfile reads these addresses (plain files only, in 0.5.1) */
static const uint64_t probe_addrs[] = {
    0x1000, 0x3ff0, 0x9ffe0, 0xfffe0, 64 * MiB + 4000, RAM_SIZE - 32,
    300 * MiB + 96, 4 * GiB - 64,
};

/*
 * Every format: page by page through the in-tree reader, progress, the
 * flattened ones rebuilt by makedumpfile into the raw one's bytes, and
 * libkdumpfile and crash on the plain files.
 */
static void test_formats(void)
{
    QTestState *s = qtest_init(DUMP_MACHINE "-smp 2");
    g_auto(GStrv) formats = kdump_formats(s);
    g_autoptr(GArray) flat = NULL;
    g_autoptr(GArray) ranges = NULL;
    DumpModel m;

    model_init(&m);
    write_guest(s, &m);
    flat = flat_ranges(s);
    ranges = kdump_ranges_from_flat(flat);
    g_assert_cmpuint(ranges->len, >=, 4);
    g_assert_cmpuint(g_strv_length(formats), >=, 2);
    for (guint i = 0; formats[i]; i++) {
        const char *format = formats[i];
        g_autofree char *path = qtest_tmp_path(format);
        KdumpReader *r;
        JsonObject *q;

        g_test_message("format %s", format);
        if (!kdump_is_raw(format)) {
            kdump_dump_pair(s, formats, i);
        }
        q = qtest_qmp(s, "{'execute': 'query-dump'}");
        g_assert_cmpstr(qtest_json_get_str(q, "return.status"), ==,
                        "completed");
        g_assert_cmpint(qtest_json_get_int(q, "return.completed"), ==,
                        qtest_json_get_int(q, "return.total"));
        g_assert_cmpint(qtest_json_get_int(q, "return.total"), ==,
                        RAM_SIZE + 256 * KiB);
        json_object_unref(q);

        r = kdump_check(s, path, &m, flat, ranges);
        g_assert_cmpint(kdump_reader_info(r)->flattened, ==,
                        !kdump_is_raw(format));
        g_assert_cmphex(kdump_reader_info(r)->status, ==, status_of(format));
        g_assert_cmpuint(kdump_reader_info(r)->nr_cpus, ==, 2);
        if (kdump_is_raw(format)) {
            g_autofree char *flatpath = qtest_tmp_path(formats[i - 1]);
            g_autofree char *rebuilt = qtest_tmp_path("rebuilt");

            /* formats come as kdump-X, kdump-raw-X */
            g_assert_true(g_str_has_suffix(formats[i - 1], format +
                                           strlen("kdump-raw")));
            if (kdump_makedumpfile_rearrange(flatpath, rebuilt)) {
                kdump_assert_files_equal(rebuilt, path);
                unlink(rebuilt);
            }
            check_libkdumpfile_ex(s, &m, flat, path, probe_addrs,
                                  ARRAY_SIZE(probe_addrs), true, -1);
            kdump_check_crash(path, status_of(format), 2,
                              kdump_reader_info(r)->dumpable_pages);
            unlink(flatpath);
            unlink(path);
        }
        kdump_reader_close(r);
    }
    model_free(&m);
    qtest_quit(s);
}

/* x-dump-threads 1, 2 and 8: the same bytes. */
static void test_threads(void)
{
    QTestState *s = qtest_init(DUMP_MACHINE);
    g_auto(GStrv) formats = kdump_formats(s);
    DumpModel m;

    model_init(&m);
    write_guest(s, &m);
    for (guint i = 0; formats[i]; i++) {
        g_autofree char *one = qtest_tmp_path("t1");
        g_autofree char *two = qtest_tmp_path("t2");
        g_autofree char *eight = qtest_tmp_path("t8");

        kdump_dump(s, formats[i], one, 1);
        kdump_dump(s, formats[i], two, 2);
        kdump_dump(s, formats[i], eight, 8);
        kdump_assert_files_equal(one, two);
        kdump_assert_files_equal(one, eight);
        unlink(one);
        unlink(two);
        unlink(eight);
    }
    model_free(&m);
    qtest_quit(s);
}

/*
 * fd: to a pipe: a flattened dump is the same stream as to a file; a
 * raw one is refused before the VM stops (and the fd is used up).
 */
static void test_pipe(void)
{
    QTestState *s = qtest_init(DUMP_MACHINE);
    g_autofree char *ref = qtest_tmp_path("pipe-ref");
    g_autofree char *ref_data = NULL;
    g_autofree char *err = NULL;
    g_autofree char *ev = NULL;
    gsize ref_len;
    DumpModel m;
    DumpDrain d;
    GThread *t;
    int p[2];

    model_init(&m);
    write_guest(s, &m);
    kdump_dump(s, "kdump-zlib", ref, 0);
    g_assert_true(g_file_get_contents(ref, &ref_data, &ref_len, NULL));

    g_assert_cmpint(pipe(p), ==, 0);
    d.fd = p[0];
    d.got = g_byte_array_new();
    t = g_thread_new("drain", dump_drain_thread, &d);
    dump_getfd(s, p[1], "pipefd");
    close(p[1]);
    qtest_qmp_assert_success(s, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, 'protocol': "
                             "'fd:pipefd', 'format': 'kdump-zlib'}}");
    g_thread_join(t);
    close(p[0]);
    g_assert_cmpmem(d.got->data, d.got->len, ref_data, ref_len);
    g_byte_array_unref(d.got);

    g_assert_cmpint(pipe(p), ==, 0);
    dump_getfd(s, p[1], "rawfd");
    close(p[1]);
    qtest_qmp_events_clear(s);
    err = qtest_qmp_expect_error(s, "GenericError", "{'execute': "
                                 "'dump-guest-memory', 'arguments': "
                                 "{'paging': false, 'protocol': 'fd:rawfd', "
                                 "'format': 'kdump-raw-zlib'}}");
    g_assert_cmpstr(err, ==, "kdump-raw formats require a seekable file");
    ev = events_take(s);
    g_assert_cmpstr(ev, ==, "");
    /* the dump closed its end: the pipe reads EOF */
    {
        char c;

        g_assert_cmpint(read(p[0], &c, 1), ==, 0);
    }
    close(p[0]);
    model_free(&m);
    qtest_quit(s);
    unlink(ref);
}

/* Dump @format to the O_APPEND file @path through fd: "appendfd". */
static void dump_to_append_fd(QTestState *s, const char *path,
                              const char *format)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);

    g_assert_cmpint(fd, >=, 0);
    dump_getfd(s, fd, "appendfd");
    close(fd);
    qtest_qmp_assert_success(s, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, 'protocol': "
                             "'fd:appendfd', 'format': '%s'}}", format);
}

/*
 * fd: to an O_APPEND file: it can only be written in order, like a
 * pipe.  Every raw format is refused up front -- before the VM stops,
 * with nothing written -- instead of failing after the zeroed metadata
 * with "Illegal seek" (issue 14); a flattened kdump and an ELF dump,
 * which need no seeking, are appended after what the file held.
 */
static void test_append(void)
{
    static const char prefix[] = "kept";
    QTestState *s = qtest_init(DUMP_MACHINE);
    g_auto(GStrv) formats = kdump_formats(s);
    g_autofree char *path = qtest_tmp_path("append");
    DumpModel m;

    model_init(&m);
    write_guest(s, &m);
    for (guint i = 0; formats[i]; i++) {
        g_autofree char *err = NULL;
        g_autofree char *ev = NULL;
        g_autofree char *got = NULL;
        gsize len;
        int fd;

        if (!g_str_has_prefix(formats[i], "kdump-raw-")) {
            continue;
        }
        g_assert_true(g_file_set_contents(path, prefix, strlen(prefix),
                                          NULL));
        fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
        g_assert_cmpint(fd, >=, 0);
        dump_getfd(s, fd, "rawfd");
        close(fd);
        qtest_qmp_events_clear(s);
        err = qtest_qmp_expect_error(s, "GenericError", "{'execute': "
                                     "'dump-guest-memory', 'arguments': "
                                     "{'paging': false, 'protocol': "
                                     "'fd:rawfd', 'format': '%s'}}",
                                     formats[i]);
        g_assert_cmpstr(err, ==, "kdump-raw formats require a seekable "
                        "file");
        ev = events_take(s);
        g_assert_cmpstr(ev, ==, "");
        g_assert_true(g_file_get_contents(path, &got, &len, NULL));
        g_assert_cmpmem(got, len, prefix, strlen(prefix));
    }

    for (guint i = 0; i < 2; i++) {
        const char *format = i ? "elf" : "kdump-zlib";
        g_autofree char *ref = qtest_tmp_path("append-ref");
        g_autofree char *ref_data = NULL;
        g_autofree char *got = NULL;
        gsize ref_len, len;

        qtest_qmp_assert_success(s, "{'execute': 'dump-guest-memory', "
                                 "'arguments': {'paging': false, "
                                 "'protocol': 'file:%s', 'format': '%s'}}",
                                 ref, format);
        g_assert_true(g_file_get_contents(ref, &ref_data, &ref_len, NULL));
        g_assert_cmpuint(ref_len, >, 0);
        g_assert_true(g_file_set_contents(path, prefix, strlen(prefix),
                                          NULL));
        dump_to_append_fd(s, path, format);
        g_assert_true(g_file_get_contents(path, &got, &len, NULL));
        g_assert_cmpuint(len, ==, strlen(prefix) + ref_len);
        g_assert_cmpmem(got, strlen(prefix), prefix, strlen(prefix));
        g_assert_cmpmem(got + strlen(prefix), ref_len, ref_data, ref_len);
        unlink(ref);
    }
    model_free(&m);
    qtest_quit(s);
    unlink(path);
}

/*
 * A socket whose reader is gone: the first write fails with EPIPE, the
 * dump reports it, and the process lives on (no SIGPIPE death).
 */
static void test_reader_gone(void)
{
    QTestState *s = qtest_init(DUMP_MACHINE);
    g_autofree char *err = NULL;
    JsonObject *r;
    int sv[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    dump_getfd(s, sv[1], "gone");
    close(sv[1]);
    close(sv[0]);
    err = qtest_qmp_expect_error(s, "GenericError", "{'execute': "
                                 "'dump-guest-memory', 'arguments': "
                                 "{'paging': false, 'protocol': 'fd:gone', "
                                 "'format': 'kdump-snappy'}}");
    g_assert_cmpstr(err, ==, "dump: failed to write start flat header: "
                    "Broken pipe");
    r = qtest_qmp(s, "{'execute': 'query-dump'}");
    g_assert_cmpstr(qtest_json_get_str(r, "return.status"), ==, "failed");
    json_object_unref(r);
    qtest_quit(s);
}

/* HMP: -z/-l/-s pick the compression, -R the raw file. */
static void test_hmp(void)
{
    static const struct {
        const char *flags;
        const char *format;
    } cases[] = {
        { "-z", "kdump-zlib" }, { "-z -R", "kdump-raw-zlib" },
        { "-l", "kdump-lzo" }, { "-R -l", "kdump-raw-lzo" },
        { "-s", "kdump-snappy" }, { "-s -R", "kdump-raw-snappy" },
    };
    QTestState *s = qtest_init(DUMP_MACHINE);
    g_auto(GStrv) formats = kdump_formats(s);
    g_autofree char *path = qtest_tmp_path("hmp.kdump");
    g_autofree char *ref = qtest_tmp_path("hmp-ref.kdump");

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        g_autofree char *out = NULL;

        if (!g_strv_contains((const char *const *)formats,
                             cases[i].format)) {
            continue;
        }
        unlink(path);
        out = qtest_hmp(s, "dump-guest-memory %s %s", cases[i].flags, path);
        g_assert_cmpstr(out, ==, "");
        kdump_dump(s, cases[i].format, ref, 0);
        kdump_assert_files_equal(path, ref);
    }
    qtest_quit(s);
    unlink(path);
    unlink(ref);
}

/*
 * A detached dump: progress while it runs (held by a pipe nobody reads
 * yet), DUMP_COMPLETED with completed == total; then dump-cancel on a
 * stalled one: failed, and the VM runs again.
 */
static void test_detach_cancel(void)
{
    QTestState *s = qtest_init(DUMP_MACHINE);
    JsonObject *r;
    DumpModel m;
    DumpDrain d;
    GThread *t;
    int p[2];

    model_init(&m);
    write_guest(s, &m);
    /*
     * 32 MiB no codec shrinks: more than the dump reads ahead (its
     * batches, its data stage, the pipe), so it is still in its pages
     * when asked, however fast it runs
     */
    write_noise(s, 128 * MiB, 32 * MiB, 0xd1ce);
    g_assert_cmpint(pipe(p), ==, 0);
    dump_getfd(s, p[1], "slow");
    close(p[1]);
    qtest_qmp_events_clear(s);
    qtest_qmp_assert_success(s, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, 'protocol': "
                             "'fd:slow', 'format': 'kdump-lzo', "
                             "'detach': true}}");
    r = qtest_qmp(s, "{'execute': 'query-dump'}");
    g_assert_cmpstr(qtest_json_get_str(r, "return.status"), ==, "active");
    g_assert_cmpint(qtest_json_get_int(r, "return.completed"), <,
                    qtest_json_get_int(r, "return.total"));
    json_object_unref(r);
    d.fd = p[0];
    d.got = g_byte_array_new();
    t = g_thread_new("drain", dump_drain_thread, &d);
    r = qtest_qmp_eventwait_ref(s, "DUMP_COMPLETED");
    g_assert_cmpstr(qtest_json_get_str(r, "data.result.status"), ==,
                    "completed");
    g_assert_cmpint(qtest_json_get_int(r, "data.result.completed"), ==,
                    qtest_json_get_int(r, "data.result.total"));
    json_object_unref(r);
    g_thread_join(t);
    close(p[0]);
    g_assert_cmpuint(d.got->len, >, 4096);
    g_assert_cmpmem(d.got->data, 12, "makedumpfile", 12);
    g_byte_array_unref(d.got);

    /* stalled for good: cancel */
    g_assert_cmpint(pipe(p), ==, 0);
    dump_getfd(s, p[1], "stuck");
    close(p[1]);
    qtest_qmp_events_clear(s);
    qtest_qmp_assert_success(s, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, 'protocol': "
                             "'fd:stuck', 'format': 'kdump-zlib', "
                             "'detach': true}}");
    qtest_qmp_assert_success(s, "{'execute': 'dump-cancel'}");
    r = qtest_qmp_eventwait_ref(s, "DUMP_COMPLETED");
    g_assert_cmpstr(qtest_json_get_str(r, "data.result.status"), ==,
                    "failed");
    g_assert_cmpstr(qtest_json_get_str(r, "data.error"), ==,
                    "dump: cancelled by dump-cancel");
    json_object_unref(r);
    close(p[0]);
    r = qtest_qmp(s, "{'execute': 'query-status'}");
    g_assert_true(qtest_json_get_bool(r, "return.running"));
    json_object_unref(r);
    model_free(&m);
    qtest_quit(s);
}

/*
 * ENOSPC on an fd: file (it cannot be dropped like a file: temporary):
 * the dump fails, and the file's header says it is incomplete; what was
 * written reads back, the rest is reported lost.
 */
static void test_enospc_incomplete(void)
{
    static const char *const formats[] = { "kdump-raw-zlib", "kdump-zlib" };
    g_autofree char *dir = qtest_tmp_path("kdump-small");
    g_autofree char *why = NULL;
    QTestState *s;
    DumpModel m;

    if (!mount_tmpfs(dir, "size=2m", &why)) {
        g_test_skip(why);
        return;
    }
    s = qtest_init("-machine microvm -m 512M");
    model_init(&m);
    /* pseudo-random data: about 4 MiB even compressed */
    for (unsigned i = 0; i < 64; i++) {
        g_autofree uint8_t *buf = g_malloc(64 * KiB);

        for (size_t j = 0; j < 64 * KiB; j++) {
            buf[j] = g_test_rand_int();
        }
        qtest_bufwrite(s, 8 * MiB + i * 64 * KiB, buf, 64 * KiB);
    }
    for (size_t f = 0; f < ARRAY_SIZE(formats); f++) {
        g_autofree char *path = g_build_filename(dir, formats[f], NULL);
        g_autofree char *copy = qtest_tmp_path(formats[f]);
        g_autofree char *err = NULL;
        const KdumpInfo *in;
        GError *gerr = NULL;
        KdumpReader *r;
        int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
        uint8_t page[KDUMP_PAGE];

        g_assert_cmpint(fd, >=, 0);
        dump_getfd(s, fd, "small");
        close(fd);
        err = qtest_qmp_expect_error(s, "GenericError", "{'execute': "
                                     "'dump-guest-memory', 'arguments': "
                                     "{'paging': false, 'protocol': "
                                     "'fd:small', 'format': '%s'}}",
                                     formats[f]);
        g_assert_true(g_str_has_prefix(err, "dump: failed to write page "));
        g_assert_true(g_str_has_suffix(err, ": No space left on device"));

        /* read a copy: rebuilding a flattened file needs room */
        {
            g_autofree char *data = NULL;
            gsize len;

            g_assert_true(g_file_get_contents(path, &data, &len, NULL));
            unlink(path);
            g_assert_true(g_file_set_contents(copy, data, len, NULL));
        }
        r = kdump_reader_open(copy, &gerr);
        g_assert_no_error(gerr);
        in = kdump_reader_info(r);
        g_assert_cmphex(in->status, ==, KDUMP_DH_COMPRESSED_ZLIB |
                        KDUMP_DH_COMPRESSED_INCOMPLETE);
        /*
         * the last random page did not make it: lost (a zero
         * descriptor), or not reached (no bit in the 2nd bitmap, which is
         * written as the pages go)
         */
        g_assert_false(kdump_reader_read_page(r, (8 * MiB + 4 * MiB) /
                                              KDUMP_PAGE - 1, page, &gerr));
        if (kdump_reader_page_dumpable(r, (8 * MiB + 4 * MiB) /
                                       KDUMP_PAGE - 1)) {
            g_assert_error(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT);
        }
        g_clear_error(&gerr);
        kdump_reader_close(r);
        unlink(copy);
    }
    model_free(&m);
    qtest_quit(s);
    umount(dir);
    rmdir(dir);
}

/*
 * x-kdump-zstd-level and x-kdump-zlib-level: a level out of range fails
 * the dump with the range, leaving the VM running; other levels give
 * other (valid) files: a negative zstd level a larger one, zlib 9 a
 * smaller one than the defaults.
 */
static void test_levels(void)
{
    static const struct {
        const char *format, *prop;
        int bad, other;
        bool larger;
    } cases[] = {
        { "kdump-raw-zstd", "x-kdump-zstd-level", 23, -50, true },
        { "kdump-raw-zlib", "x-kdump-zlib-level", 10, 9, false },
    };
    QTestState *s = qtest_init(DUMP_MACHINE);
    g_auto(GStrv) formats = kdump_formats(s);
    g_autoptr(GArray) flat = NULL;
    g_autoptr(GArray) ranges = NULL;
    DumpModel m;

    model_init(&m);
    write_guest(s, &m);
    flat = flat_ranges(s);
    ranges = kdump_ranges_from_flat(flat);
    for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
        g_autofree char *def = qtest_tmp_path("default");
        g_autofree char *other = qtest_tmp_path("other");
        g_autofree char *err = NULL;
        g_autofree char *want = NULL;
        struct stat a, b;

        if (!g_strv_contains((const char *const *)formats,
                             cases[c].format)) {
            continue;
        }
        kdump_dump(s, cases[c].format, def, 0);
        qtest_qmp_assert_success(s, "{'execute': 'qom-set', 'arguments': "
                                 "{'path': '/machine', 'property': '%s', "
                                 "'value': %d}}", cases[c].prop,
                                 cases[c].bad);
        err = qtest_qmp_expect_error(s, "GenericError", "{'execute': "
                                     "'dump-guest-memory', 'arguments': "
                                     "{'paging': false, 'protocol': "
                                     "'file:%s', 'format': '%s'}}", other,
                                     cases[c].format);
        want = g_strdup_printf("%s must be between ", cases[c].prop);
        g_assert_true(g_str_has_prefix(err, want));
        g_assert_true(g_str_has_suffix(err, ", or 0 for the default"));
        qtest_qmp_assert_success(s, "{'execute': 'qom-set', 'arguments': "
                                 "{'path': '/machine', 'property': '%s', "
                                 "'value': %d}}", cases[c].prop,
                                 cases[c].other);
        kdump_dump(s, cases[c].format, other, 0);
        kdump_reader_close(kdump_check(s, other, &m, flat, ranges));
        g_assert_cmpint(stat(def, &a), ==, 0);
        g_assert_cmpint(stat(other, &b), ==, 0);
        if (cases[c].larger) {
            g_assert_cmpint(b.st_size, >, a.st_size);
        } else {
            g_assert_cmpint(b.st_size, <, a.st_size);
        }
        qtest_qmp_assert_success(s, "{'execute': 'qom-set', 'arguments': "
                                 "{'path': '/machine', 'property': '%s', "
                                 "'value': 0}}", cases[c].prop);
        unlink(def);
        unlink(other);
    }
    model_free(&m);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dump/kdump/formats", test_formats);
    g_test_add_func("/dump/kdump/threads", test_threads);
    g_test_add_func("/dump/kdump/levels", test_levels);
    g_test_add_func("/dump/kdump/pipe", test_pipe);
    g_test_add_func("/dump/kdump/append", test_append);
    g_test_add_func("/dump/kdump/reader-gone", test_reader_gone);
    g_test_add_func("/dump/kdump/hmp", test_hmp);
    g_test_add_func("/dump/kdump/detach-cancel", test_detach_cancel);
    g_test_add_func("/dump/kdump/enospc-incomplete", test_enospc_incomplete);
    return g_test_run();
}
