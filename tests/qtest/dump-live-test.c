/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-live-test.c: live dumps (dump-guest-memory 'live': true, our
 * extension) of a guest that keeps writing.
 *
 * The "guest" rewrites memory while the dump runs, through qtest writes
 * and through virtio DMA (virtio-mem requests, which the discard freeze
 * answers with BUSY): old data, pages that were holes at the snapshot, base
 * RAM and the device's fragmented plug pattern.  The dump must equal, byte
 * for byte, a model of memory at the snapshot instant taken by the test,
 * for ELF (tests/elf reader) and every kdump format (tests/dumpfmt
 * reader); pages first written after the snapshot read as zero.  Non-raw
 * formats stream into a pipe the test reads only after its writes, so the
 * writes, including the virtio requests, happen while the dump is held;
 * kdump-raw wants a file, which may be done before the writes.  A kdump
 * dump (zero pages excluded) while the guest writes more never-touched
 * pages than the snapshot had populated must not fail for lack of
 * descriptors: those pages were holes at the snapshot, and stay excluded.
 *
 * Then the edges: STOP and RESUME before the command returns, the VmemMachine
 * running meanwhile; paging refused; a backend userfaultfd cannot
 * protect refused before anything stops, naming it; and a dump stalled on
 * a pipe that is cancelled, quit, or reset mid-way: the guest is never
 * left blocked or protected, and the freeze is gone.
 */
#include <elf.h>
#include <sys/wait.h>
#include "dump-vmem.h"
#include "kdump-util.h"

/* -------------------------------------------------------------- helpers */

static void check_running(QTestState *s)
{
    JsonObject *r = qtest_qmp(s, "{'execute': 'query-status'}");

    g_assert_true(qtest_json_get_bool(r, "return.running"));
    g_assert_cmpstr(qtest_json_get_str(r, "return.status"), ==, "running");
    json_object_unref(r);
}

/* Pass a new pipe's write end as @name; returns the read end. */
static int pipe_to_vm(QTestState *s, const char *name)
{
    int p[2];

    g_assert_cmpint(pipe(p), ==, 0);
    dump_getfd(s, p[1], name);
    close(p[1]);
    return p[0];
}

/* Start a detached live dump; the snapshot is taken when it returns. */
static void live_start(QTestState *s, const char *protocol,
                       const char *format)
{
    g_autofree char *ev = NULL;

    qtest_qmp_events_clear(s);
    qtest_qmp_assert_success(s, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, "
                             "'protocol': '%s', 'format': '%s', "
                             "'detach': true, 'live': true}}",
                             protocol, format);
    /* the VmemMachine stopped and resumed inside the command */
    ev = events_peek(s);
    g_assert_true(g_str_has_prefix(ev, "STOP RESUME"));
    check_running(s);
}

/* Wait for DUMP_COMPLETED; returns its error (NULL on success). */
static char *live_wait(QTestState *s)
{
    JsonObject *r = qtest_qmp_eventwait_ref(s, "DUMP_COMPLETED");
    char *err = NULL;

    if (qtest_json_has(r, "data.error")) {
        err = g_strdup(qtest_json_get_str(r, "data.error"));
    }
    json_object_unref(r);
    return err;
}

/*
 * What the guest does while the dump runs, on top of @v's model: old data
 * rewritten, holes written for the first time (they must stay zero in
 * the dump), and, if the dump is @held (by a pipe: it cannot have ended),
 * virtio-mem requests refused with BUSY by the freeze -- the device
 * writes their responses and used rings into guest RAM (DMA).
 */
static void guest_keeps_writing(VmemMachine *v, bool held)
{
    model_write(v->qts, &v->model, vmem_blk(v, 0) + 64 * KiB, 1 * MiB, 101);
    model_write(v->qts, &v->model, vmem_blk(v, 1) + 512 * KiB, 256 * KiB, 102);
    model_write(v->qts, &v->model, vmem_blk(v, 110) + 4096, 512 * KiB, 103);
    model_write(v->qts, &v->model, 1 * MiB + 8192, 64 * KiB, 104);
    model_write(v->qts, &v->model, 64 * MiB, 128 * KiB, 105);
    if (held) {
        g_assert_cmpuint(qvirtio_mem_plug(v->vm, vmem_blk(v, 20), 2), ==,
                         VIRTIO_MEM_RESP_BUSY);
        g_assert_cmpuint(qvirtio_mem_unplug(v->vm, vmem_blk(v, 5), 1), ==,
                         VIRTIO_MEM_RESP_BUSY);
    }
    model_write(v->qts, &v->model, vmem_blk(v, 8) + 4096, 8192, 106);
    model_write(v->qts, &v->model, vmem_blk(v, 512) - 4096, 4096, 107);
    for (unsigned i = 0; i < 64; i++) {
        /* one byte per page: many small faults */
        model_write(v->qts, &v->model, vmem_blk(v, 2) + i * 4096 + i, 1,
                    108 + i);
    }
}

/*
 * The guest writes 16 MiB of plugged memory it never touched before (a
 * hole at the snapshot: blocks 100-107), more pages than the snapshot had
 * populated.  A kdump dump sizes its descriptor area for the pages
 * populated at the snapshot, zero pages excluded: these pages must stay
 * excluded, not be taken as memory populated during the dump.
 */
static void guest_writes_holes(VmemMachine *v, bool held)
{
    model_write(v->qts, &v->model, vmem_blk(v, 100), 16 * MiB, 120);
}

/* The writes reached guest memory (read back a few). */
static void check_current(VmemMachine *v)
{
    static const uint64_t probes[] = { 64 * KiB, 600 * KiB, 1 * MiB };
    uint8_t want[64], got[64];

    for (unsigned i = 0; i < ARRAY_SIZE(probes); i++) {
        uint64_t gpa = vmem_blk(v, 0) + probes[i];

        model_expect(v->qts, &v->model, gpa, want, sizeof(want));
        qtest_bufread(v->qts, gpa, got, sizeof(got));
        g_assert_cmpmem(got, sizeof(got), want, sizeof(want));
    }
}

/*
 * After a live dump, however it ended: every page written before can be
 * written again (nothing is left protected, no write blocks) and the
 * device plugs (the freeze is gone).
 */
static void guest_keeps_writing_after(VmemMachine *v)
{
    model_write(v->qts, &v->model, vmem_blk(v, 0) + 4096, 3 * MiB, 201);
    model_write(v->qts, &v->model, vmem_blk(v, 1), 2 * MiB, 202);
    model_write(v->qts, &v->model, vmem_blk(v, 110), 2 * MiB, 203);
    model_write(v->qts, &v->model, 1 * MiB, 1 * MiB, 204);
    vmem_plug(v, 20, 2);
    check_current(v);
}

static gint range_cmp(gconstpointer a, gconstpointer b)
{
    const DumpRange *x = a, *y = b;

    return x->start < y->start ? -1 : x->start > y->start;
}

/* What a kdump of the fragmented machine holds: RAM/ROM, plugged runs. */
static GArray *expected_ranges(VmemMachine *v, GArray *flat)
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
    for (unsigned i = 0; i < FRAG_RUNS_LEN; i += 2) {
        DumpRange r = { vmem_blk(v, FRAG_RUNS[i]), vmem_blk(v, FRAG_RUNS[i + 1]) };

        g_array_append_val(all, r);
    }
    g_array_sort(all, range_cmp);
    return all;
}

/* ---------------------------------------------- the snapshot is exact */

/*
 * Under ThreadSanitizer (make check-tsan: the tsan suite) a live dump is
 * tens of times slower, and nine of them outlast the timeout.  There one
 * flattened (a pipe: the writes happen while the dump is held) and one
 * raw kdump format (a file) stand for the others: the live code paths
 * are the same for every codec, which dump-kdump-test covers.
 */
#if defined(__SANITIZE_THREAD__)
#define LIVE_EVERY_FORMAT false
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LIVE_EVERY_FORMAT false
#endif
#endif
#ifndef LIVE_EVERY_FORMAT
#define LIVE_EVERY_FORMAT true
#endif

static void live_round(VmemMachine *v, GArray *flat, const char *format,
                       void (*writes)(VmemMachine *v, bool held))
{
    bool raw = kdump_is_raw(format);
    g_autofree char *path = g_build_filename(qtest_tmpdir(), "live.dump",
                                             NULL);
    g_autofree char *proto = NULL;
    g_autofree char *err = NULL;
    DumpModel snap;
    DumpDrain d = { -1, NULL };
    GThread *t;

    g_test_message("live dump, format %s", format);
    model_snapshot(v->qts, &snap, &v->model);
    if (raw) {
        unlink(path);
        proto = g_strdup_printf("file:%s", path);
    } else {
        d.fd = pipe_to_vm(v->qts, "live");
        d.got = g_byte_array_new();
        proto = g_strdup("fd:live");
    }
    live_start(v->qts, proto, format);
    writes(v, !raw);
    if (!raw) {
        /* the dump was held by the pipe until now */
        g_autofree char *ev = events_peek(v->qts);

        g_assert_null(strstr(ev, "DUMP_COMPLETED"));
        t = g_thread_new("drain", dump_drain_thread, &d);
        err = live_wait(v->qts);
        g_thread_join(t);
        close(d.fd);
        g_assert_true(g_file_set_contents(path, (char *)d.got->data,
                                          d.got->len, NULL));
        g_byte_array_unref(d.got);
    } else {
        err = live_wait(v->qts);
    }
    g_assert_null(err);
    check_running(v->qts);
    check_current(v);

    if (!strcmp(format, "elf")) {
        ElfCore core;

        dump_open(&core, path);
        g_assert_cmpuint(check_dump_loads(v->qts, &core, &snap, flat), >, 5);
        elf_core_free(&core);
    } else {
        g_autoptr(GArray) ranges = expected_ranges(v, flat);

        kdump_reader_close(kdump_check(v->qts, path, &snap, flat, ranges));
    }
    unlink(path);
    model_free(&snap);
}

static void test_snapshot_formats(void)
{
    VmemMachine v;
    g_auto(GStrv) formats = NULL;
    g_autoptr(GArray) flat = NULL;
    JsonObject *r;

    vmem_start_fragmented(&v);
    flat = flat_ranges(v.qts);
    r = qtest_qmp(v.qts, "{'execute': "
                  "'query-dump-guest-memory-capability'}");
    g_assert_true(qtest_json_get_bool(r, "return.live"));
    json_object_unref(r);

    live_round(&v, flat, "elf", guest_keeps_writing);
    formats = kdump_formats(v.qts);
    for (guint i = 0, flat_done = 0, raw_done = 0; formats[i]; i++) {
        bool raw = kdump_is_raw(formats[i]);

        if (!LIVE_EVERY_FORMAT && (raw ? raw_done : flat_done)) {
            continue;
        }
        live_round(&v, flat, formats[i], guest_keeps_writing);
        raw_done += raw;
        flat_done += !raw;
    }
    /* the freeze ended with the dumps: plugging works again */
    vmem_plug(&v, 20, 2);
    vmem_stop(&v);
}

/*
 * begin/length: a live ELF dump of blocks 0-7 of the device (the plugged
 * runs 0-2, 5 and 7 -- the last cut by the window -- holes between), held by a pipe while the guest writes
 * inside the window and outside it.  Only the window is protected, early
 * (the device's memfd) or at the snapshot: the file holds the window at
 * the snapshot and nothing else.
 */
static void test_filtered(void)
{
    g_autofree char *path = g_build_filename(qtest_tmpdir(), "live.dump",
                                             NULL);
    g_autofree char *err = NULL;
    g_autoptr(GArray) flat = NULL;
    DumpDrain d = { -1, NULL };
    uint64_t begin, end;
    DumpModel snap;
    ElfCore core;
    VmemMachine v;
    GThread *t;

    vmem_start_fragmented(&v);
    flat = flat_ranges(v.qts);
    begin = vmem_blk(&v, 0);
    end = vmem_blk(&v, 8);
    model_snapshot(v.qts, &snap, &v.model);
    d.fd = pipe_to_vm(v.qts, "live");
    d.got = g_byte_array_new();
    qtest_qmp_events_clear(v.qts);
    qtest_qmp_assert_success(v.qts, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, "
                             "'protocol': 'fd:live', 'detach': true, "
                             "'live': true, 'begin': %" PRIu64 ", "
                             "'length': %" PRIu64 "}}", begin, end - begin);
    guest_keeps_writing(&v, true);
    t = g_thread_new("drain", dump_drain_thread, &d);
    err = live_wait(v.qts);
    g_thread_join(t);
    close(d.fd);
    g_assert_null(err);
    g_assert_true(g_file_set_contents(path, (char *)d.got->data, d.got->len,
                                      NULL));
    g_byte_array_unref(d.got);
    check_running(v.qts);
    check_current(&v);

    dump_open(&core, path);
    /* blocks 0-2, 5 and 7: three loads, inside the window */
    g_assert_cmpuint(check_dump_loads(v.qts, &core, &snap, flat), ==, 3);
    for (unsigned i = 0; i < core.phnum; i++) {
        const ElfSegment *seg = elf_core_segment(&core, i);

        if (seg->type == PT_LOAD) {
            g_assert_cmpuint(seg->paddr, >=, begin);
            g_assert_cmpuint(seg->paddr + seg->memsz, <=, end);
        }
    }
    elf_core_free(&core);
    unlink(path);
    model_free(&snap);
    /* nothing left protected, inside the window or out */
    guest_keeps_writing_after(&v);
    vmem_stop(&v);
}

/*
 * Never-touched pages the guest writes during a live kdump dump stay
 * excluded (they were holes at the snapshot), with zero pages excluded
 * by default: the dump succeeds and reads as the snapshot.
 */
static void test_holes_written(void)
{
    VmemMachine v;
    g_auto(GStrv) formats = NULL;
    g_autoptr(GArray) flat = NULL;
    const char *format = NULL;

    vmem_start_fragmented(&v);
    flat = flat_ranges(v.qts);
    formats = kdump_formats(v.qts);
    for (guint i = 0; formats[i] && !format; i++) {
        if (!kdump_is_raw(formats[i])) {
            format = formats[i];    /* a pipe holds it during the writes */
        }
    }
    g_assert_nonnull(format);
    /*
     * 16 MiB of random bytes in base RAM, which the dump reaches first:
     * too much to fit in the pipe and the dump's buffers once compressed,
     * so the dump is still before the holes when the guest writes them.
     */
    {
        g_autofree uint8_t *noise = g_malloc(16 * MiB);

        for (size_t i = 0; i < 16 * MiB; i += 4) {
            uint32_t x = g_random_int();

            memcpy(noise + i, &x, 4);
        }
        qtest_bufwrite(v.qts, 256 * MiB, noise, 16 * MiB);
        model_foreign(&v.model, 256 * MiB, 16 * MiB);
    }
    live_round(&v, flat, format, guest_writes_holes);
    vmem_stop(&v);
}

/* ------------------------------------------------------------ refusals */

static void test_refused(void)
{
    g_autofree char *dir = g_dir_make_tmp("dump-live-XXXXXX", NULL);
    g_autofree char *out = g_build_filename(dir, "out", NULL);
    g_autofree char *msg = NULL;
    g_autofree char *ev = NULL;
    QTestState *s;

    /* a file on this disk: no userfaultfd write-protect for it */
    s = qtest_initf("-machine microvm -m 64M -object memory-backend-file,"
                    "id=f0,size=64M,mem-path=%s/ram,share=on "
                    "-machine memory-backend=f0", dir);
    qtest_qmp_events_clear(s);
    msg = qtest_qmp_expect_error(s, "GenericError",
                                 "{'execute': 'dump-guest-memory', "
                                 "'arguments': {'paging': false, "
                                 "'protocol': 'file:%s', 'live': true}}",
                                 out);
    if (strstr(msg, "UFFDIO_REGISTER_MODE_WP")) {
        g_assert_nonnull(strstr(msg, "memory-backend-file 'f0' (file "));
        g_assert_nonnull(strstr(msg, "cannot be write-protected"));
        g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
        /* refused before anything stopped */
        ev = events_peek(s);
        g_assert_cmpstr(ev, ==, "");
        check_running(s);
    } else {
        g_test_message("this file system supports write-protect: %s", msg);
    }
    g_free(msg);

    /* paging with live */
    msg = qtest_qmp_expect_error(s, "GenericError",
                                 "{'execute': 'dump-guest-memory', "
                                 "'arguments': {'paging': true, "
                                 "'protocol': 'file:%s', 'live': true}}",
                                 out);
    g_assert_cmpstr(msg, ==, "parameter 'paging' cannot be used with "
                    "'live': the guest's page tables change while a live "
                    "dump runs");
    /* a paused dump of the same guest is fine */
    qtest_qmp_assert_success(s, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, "
                             "'protocol': 'file:%s'}}", out);
    qtest_quit(s);
    unlink(out);
    g_autofree char *ram = g_build_filename(dir, "ram", NULL);
    unlink(ram);
    rmdir(dir);
}

/* HMP dump-guest-memory -L on anonymous RAM: STOP, RESUME, a whole file. */
static void test_hmp(void)
{
    g_autofree char *path = g_build_filename(qtest_tmpdir(), "hmp.elf",
                                             NULL);
    g_autofree char *out = NULL;
    g_autofree char *ev = NULL;
    QTestState *s = qtest_init("-machine microvm -m 64M");
    DumpModel m;
    ElfCore core;
    GArray *flat = flat_ranges(s);

    model_init(&m);
    model_write(s, &m, 1 * MiB, 64 * KiB, 3);
    qtest_qmp_events_clear(s);
    out = qtest_hmp(s, "dump-guest-memory -L %s", path);
    g_assert_cmpstr(out, ==, "");
    ev = events_peek(s);
    g_assert_cmpstr(ev, ==, "STOP RESUME DUMP_COMPLETED");
    check_running(s);
    dump_open(&core, path);
    check_dump_loads(s, &core, &m, flat);
    elf_core_free(&core);
    g_array_free(flat, true);
    model_free(&m);
    unlink(path);
    qtest_quit(s);
}

/* ------------------------------------------ teardown of a stalled dump */

typedef enum Ending {
    END_CANCEL,
    END_QUIT,
    END_RESET,
} Ending;

/*
 * A live dump into a pipe nobody reads; the guest writes (copies are
 * made), then the dump ends one way or another.  Afterwards the guest
 * writes everything again without blocking, and can plug.
 */
static void test_stalled(gconstpointer opaque)
{
    Ending how = GPOINTER_TO_INT(opaque);
    g_autofree char *err = NULL;
    VmemMachine v;
    int rd;

    vmem_start_fragmented(&v);
    rd = pipe_to_vm(v.qts, "stall");
    live_start(v.qts, "fd:stall", "elf");
    guest_keeps_writing(&v, true);

    switch (how) {
    case END_CANCEL:
        qtest_qmp_assert_success(v.qts, "{'execute': 'dump-cancel'}");
        err = live_wait(v.qts);
        g_assert_cmpstr(err, ==, "dump: cancelled by dump-cancel");
        break;
    case END_RESET: {
        DumpDrain d = { rd, g_byte_array_new() };
        GThread *t;

        /* deferred until the dump ends, as for any dump */
        qtest_qmp_assert_success(v.qts, "{'execute': 'system_reset'}");
        g_assert_null(qtest_qmp_event_ref(v.qts, "RESET"));
        t = g_thread_new("drain", dump_drain_thread, &d);
        err = live_wait(v.qts);
        g_assert_null(err);
        qtest_qmp_eventwait(v.qts, "RESET");
        g_thread_join(t);
        g_byte_array_unref(d.got);
        /* the reset unplugged everything: the driver starts over */
        qvirtio_mem_free(v.vm);
        v.vm = qvirtio_mem_init(v.qts, v.alloc, 0);
        model_forget(&v.model, v.cfg.addr, v.cfg.region_size);
        vmem_plug(&v, 0, 3);
        vmem_plug(&v, 110, 1);
        break;
    }
    case END_QUIT:
        /* the driver lets go of the device (a virtio reset), then quit */
        qvirtio_mem_free(v.vm);
        guest_alloc_destroy(v.alloc);
        model_free(&v.model);
        qtest_qmp_send(v.qts, "{'execute': 'quit'}");
        g_assert_cmpint(qtest_wait_exit(v.qts), ==, 0);
        close(rd);
        qtest_quit(v.qts);
        return;
    }
    close(rd);
    /* nothing protected any more, the freeze is gone */
    check_running(v.qts);
    guest_keeps_writing_after(&v);
    vmem_stop(&v);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dump/live/snapshot-every-format",
                    test_snapshot_formats);
    g_test_add_func("/dump/live/holes-written", test_holes_written);
    g_test_add_func("/dump/live/filtered", test_filtered);
    g_test_add_func("/dump/live/refused", test_refused);
    g_test_add_func("/dump/live/hmp", test_hmp);
    g_test_add_data_func("/dump/live/stalled/cancel",
                         GINT_TO_POINTER(END_CANCEL), test_stalled);
    g_test_add_data_func("/dump/live/stalled/quit",
                         GINT_TO_POINTER(END_QUIT), test_stalled);
    g_test_add_data_func("/dump/live/stalled/reset",
                         GINT_TO_POINTER(END_RESET), test_stalled);
    return g_test_run();
}
