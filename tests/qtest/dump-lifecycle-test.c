/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-lifecycle-test.c: the life of a dump through the real binary:
 * every validation error with QEMU's text, in QEMU's order, creating no
 * file and leaving the VM running; a detached dump held by a slow pipe
 * reader -- query-dump progress, info dump, the second dump, stop and
 * cont refused, system_reset deferred, and the STOP / DUMP_COMPLETED /
 * RESUME order; dump-cancel; quit while a dump is stalled; and file
 * system failures on a small tmpfs: ENOSPC mid-dump keeps the old file,
 * a read-only file system is refused before the VM stops; and without
 * permission to write the directory, a refused dump keeps the file.
 */
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include "dump-util.h"

static void expect_dump_error(QTestState *s, const char *args,
                              const char *msg)
{
    g_autofree char *err = qtest_qmp_expect_error(s, "GenericError",
        "{'execute': 'dump-guest-memory', 'arguments': %s}", args);

    g_assert_cmpstr(err, ==, msg);
}

static void check_running(QTestState *s)
{
    JsonObject *r = qtest_qmp(s, "{'execute': 'query-status'}");

    g_assert_true(qtest_json_get_bool(r, "return.running"));
    json_object_unref(r);
}

static bool format_available(QTestState *s, const char *format)
{
    JsonObject *r = qtest_qmp(s, "{'execute': "
                              "'query-dump-guest-memory-capability'}");
    JsonArray *a = qtest_json_get_array(r, "return.formats");
    bool found = false;

    for (guint i = 0; i < json_array_get_length(a); i++) {
        found |= !strcmp(json_array_get_string_element(a, i), format);
    }
    json_object_unref(r);
    return found;
}

/* Each refusal: exact text, no file, VM still running, no dump event. */
static void test_validation(void)
{
    QTestState *s = qtest_init(DUMP_MACHINE);
    g_autofree char *dir = qtest_tmp_path("validation");
    g_autofree char *f = g_build_filename(dir, "vmcore", NULL);
    g_autofree char *missing = g_build_filename(dir, "no", "vmcore", NULL);
    g_autofree char *args = NULL;
    g_autofree char *msg = NULL;
    g_autofree char *ev = NULL;
    GDir *d;

    g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
    qtest_qmp_events_clear(s);

#define FILE_ARGS(extra) \
    g_strdup_printf("{'paging': false, 'protocol': 'file:%s'" extra "}", f)

    args = g_strdup_printf("{'paging': true, 'protocol': 'file:%s', "
                           "'format': 'kdump-zlib'}", f);
    expect_dump_error(s, args, "kdump-compressed format doesn't support "
                      "paging or filter");
    g_clear_pointer(&args, g_free);
    args = FILE_ARGS(", 'format': 'kdump-lzo', 'begin': 0, 'length': 4096");
    expect_dump_error(s, args, "kdump-compressed format doesn't support "
                      "paging or filter");
    g_clear_pointer(&args, g_free);
    args = FILE_ARGS(", 'format': 'win-dmp', 'length': 4096");
    expect_dump_error(s, args, "kdump-compressed format doesn't support "
                      "paging or filter");
    g_clear_pointer(&args, g_free);
    args = FILE_ARGS(", 'begin': 4096");
    expect_dump_error(s, args, "Parameter 'length' is missing");
    g_clear_pointer(&args, g_free);
    args = FILE_ARGS(", 'length': 4096");
    expect_dump_error(s, args, "Parameter 'begin' is missing");
    g_clear_pointer(&args, g_free);
    /* formats without an encoder in this build */
    if (!format_available(s, "kdump-zlib")) {
        args = FILE_ARGS(", 'format': 'kdump-zlib'");
        expect_dump_error(s, args, "kdump-zlib is not available now");
        g_clear_pointer(&args, g_free);
    }
    if (!format_available(s, "kdump-lzo")) {
        /* kdump-raw-X is reported under its base name, as in QEMU */
        args = FILE_ARGS(", 'format': 'kdump-raw-lzo'");
        expect_dump_error(s, args, "kdump-lzo is not available now");
        g_clear_pointer(&args, g_free);
    }
    args = FILE_ARGS(", 'format': 'win-dmp'");
    expect_dump_error(s, args, "win-dmp is not available now");
    g_clear_pointer(&args, g_free);
    args = FILE_ARGS(", 'format': 'bogus'");
    expect_dump_error(s, args, "Parameter 'format' does not accept value "
                      "'bogus'");
    g_clear_pointer(&args, g_free);
    expect_dump_error(s, "{'paging': false, 'protocol': 'tcp:1.2.3.4:5'}",
                      "Invalid parameter 'protocol'");
    expect_dump_error(s, "{'paging': false, 'protocol': 'fd:nosuch'}",
                      "File descriptor named 'nosuch' has not been found");
    expect_dump_error(s, "{'protocol': 'file:/x'}",
                      "Parameter 'paging' is missing");
    expect_dump_error(s, "{'paging': false}",
                      "Parameter 'protocol' is missing");
    args = g_strdup_printf("{'paging': false, 'protocol': 'file:%s'}",
                           missing);
    msg = g_strdup_printf("Could not open '%s': No such file or "
                          "directory", missing);
    expect_dump_error(s, args, msg);
    g_clear_pointer(&args, g_free);
    g_clear_pointer(&msg, g_free);
    args = g_strdup_printf("{'paging': false, 'protocol': 'file:%s'}", dir);
    msg = g_strdup_printf("Could not open '%s': Is a directory", dir);
    expect_dump_error(s, args, msg);
    g_clear_pointer(&args, g_free);
    /* an empty name, not the working directory (issue 12, item 6) */
    expect_dump_error(s, "{'paging': false, 'protocol': 'file:'}",
                      "parameter 'protocol' expects a file name after "
                      "'file:'");
    /* refused before the VM stops: no event at all */
    ev = events_take(s);
    g_assert_cmpstr(ev, ==, "");
    g_clear_pointer(&ev, g_free);

    /* refused after the VM stopped (QEMU's order): STOP, RESUME only */
    args = FILE_ARGS(", 'begin': 0, 'length': 0");
    expect_dump_error(s, args, "parameter 'length' expects a non-zero size");
    g_clear_pointer(&args, g_free);
    args = FILE_ARGS(", 'begin': 0, 'length': -5");
    expect_dump_error(s, args, "parameter 'length' expects a positive size");
    g_clear_pointer(&args, g_free);
    args = FILE_ARGS(", 'begin': 3221225472, 'length': 4096");
    expect_dump_error(s, args, "dump: no guest memory to dump");
    g_clear_pointer(&args, g_free);
    ev = events_take(s);
    g_assert_cmpstr(ev, ==, "STOP RESUME STOP RESUME STOP RESUME");
    check_running(s);
    {
        JsonObject *r = qtest_qmp(s, "{'execute': 'query-dump'}");

        g_assert_cmpstr(qtest_json_get_str(r, "return.status"), ==,
                        "failed");
        json_object_unref(r);
    }
    /* and no file anywhere */
    d = g_dir_open(dir, 0, NULL);
    g_assert_null(g_dir_read_name(d));
    g_dir_close(d);
    rmdir(dir);
    qtest_quit(s);
#undef FILE_ARGS
}

/* ------------------------------------------- a dump held by a pipe */

typedef struct Stalled {
    QTestState *s;
    int rd;             /* our end of the pipe */
    GByteArray *got;
} Stalled;

/* Start a detached dump into a pipe nobody reads yet. */
static void start_stalled(Stalled *st, const char *extra)
{
    int p[2];
    JsonObject *r;

    st->s = qtest_initf(DUMP_MACHINE "%s", extra);
    g_assert_cmpint(pipe(p), ==, 0);
    st->rd = p[0];
    st->got = g_byte_array_new();
    r = qtest_qmp_fds(st->s, &p[1], 1, "{'execute': 'getfd', "
                      "'arguments': {'fdname': 'pipe'}}");
    g_assert_true(qtest_json_has(r, "return"));
    json_object_unref(r);
    close(p[1]);
    qtest_qmp_events_clear(st->s);
    qtest_qmp_assert_success(st->s, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, "
                             "'protocol': 'fd:pipe', 'detach': true}}");
}

/* Read @max bytes (or to EOF if 0). */
static void drain(Stalled *st, size_t max)
{
    uint8_t buf[65536];

    while (!max || st->got->len < max) {
        ssize_t n = read(st->rd, buf, sizeof(buf));

        if (n <= 0) {
            break;
        }
        g_byte_array_append(st->got, buf, n);
    }
}

static void query(QTestState *s, char **status, int64_t *completed,
                  int64_t *total)
{
    JsonObject *r = qtest_qmp(s, "{'execute': 'query-dump'}");

    *status = g_strdup(qtest_json_get_str(r, "return.status"));
    *completed = qtest_json_get_int(r, "return.completed");
    *total = qtest_json_get_int(r, "return.total");
    json_object_unref(r);
}

static void test_detach_progress(void)
{
    Stalled st;
    g_autofree char *other = qtest_tmp_path("other.elf");
    g_autofree char *ev = NULL;
    g_autofree char *out = NULL;
    char *status;
    int64_t done, total, last = 0;
    JsonObject *r;

    start_stalled(&st, "");
    g_usleep(100 * 1000);
    query(st.s, &status, &done, &total);
    g_assert_cmpstr(status, ==, "active");
    g_free(status);
    g_assert_cmpint(total, >, 512 * (int64_t)MiB);
    g_assert_cmpint(done, <, total);

    out = qtest_hmp(st.s, "info dump");
    g_assert_true(g_str_has_prefix(out, "Status: active\r\nFinished: "));
    g_assert_true(g_str_has_suffix(out, " %\r\n"));

    expect_dump_error(st.s, "{'paging': false, 'protocol': 'file:/tmp/x'}",
                      "There is a dump in process, please wait.");
    g_free(qtest_qmp_expect_error(st.s, "GenericError",
                                  "{'execute': 'stop'}"));
    g_free(qtest_qmp_expect_error(st.s, "GenericError",
                                  "{'execute': 'cont'}"));
    r = qtest_qmp(st.s, "{'execute': 'query-status'}");
    g_assert_cmpstr(qtest_json_get_str(r, "return.status"), ==, "save-vm");
    json_object_unref(r);
    /* a reset waits for the dump */
    qtest_qmp_assert_success(st.s, "{'execute': 'system_reset'}");
    g_assert_null(qtest_qmp_event_ref(st.s, "RESET"));

    /* read in steps; progress only grows */
    for (int i = 0; i < 20; i++) {
        drain(&st, st.got->len + 16 * MiB);
        query(st.s, &status, &done, &total);
        g_assert_cmpint(done, >=, last);
        g_assert_cmpint(done, <=, total);
        last = done;
        if (strcmp(status, "active")) {
            g_free(status);
            break;
        }
        g_free(status);
    }
    drain(&st, 0);
    /* the deferred reset comes last; the rest is stashed in order */
    qtest_qmp_eventwait(st.s, "RESET");
    ev = events_peek(st.s);
    g_assert_cmpstr(ev, ==, "STOP DUMP_COMPLETED RESUME");
    r = qtest_qmp_event_ref(st.s, "DUMP_COMPLETED");
    g_assert_cmpstr(qtest_json_get_str(r, "data.result.status"), ==,
                    "completed");
    g_assert_cmpint(qtest_json_get_int(r, "data.result.completed"), ==,
                    total);
    g_assert_false(qtest_json_has(r, "data.error"));
    json_object_unref(r);
    check_running(st.s);

    /* the streamed bytes are a complete ELF file */
    {
        ElfCore core;
        g_autofree char *err = elf_core_parse(&core, st.got->data,
                                              st.got->len);

        g_assert_null(err);
        g_assert_cmpuint(core.phnum, >, 1);
        elf_core_free(&core);
    }
    close(st.rd);
    g_byte_array_unref(st.got);
    qtest_quit(st.s);
    unlink(other);
}

static void test_cancel(void)
{
    Stalled st;
    g_autofree char *err = NULL;
    g_autofree char *ev = NULL;
    char *status;
    int64_t done, total;
    JsonObject *r;

    start_stalled(&st, "");
    drain(&st, 1 * MiB);
    qtest_qmp_assert_success(st.s, "{'execute': 'dump-cancel'}");
    qtest_qmp_eventwait(st.s, "RESUME");
    ev = events_peek(st.s);
    g_assert_cmpstr(ev, ==, "STOP DUMP_COMPLETED");
    r = qtest_qmp_event_ref(st.s, "DUMP_COMPLETED");
    g_assert_cmpstr(qtest_json_get_str(r, "data.result.status"), ==,
                    "failed");
    g_assert_cmpstr(qtest_json_get_str(r, "data.error"), ==,
                    "dump: cancelled by dump-cancel");
    json_object_unref(r);
    query(st.s, &status, &done, &total);
    g_assert_cmpstr(status, ==, "failed");
    g_assert_cmpint(done, <, total);
    g_free(status);
    check_running(st.s);
    err = qtest_qmp_expect_error(st.s, "GenericError",
                                 "{'execute': 'dump-cancel'}");
    g_assert_cmpstr(err, ==, "There is no dump in process");
    /* the pipe was closed by the dump: EOF after what was written */
    drain(&st, 0);
    close(st.rd);
    g_byte_array_unref(st.got);
    qtest_quit(st.s);
}

/* quit while the dump waits for its reader: a clean exit, status 0. */
static void test_quit_stalled(void)
{
    Stalled st;

    start_stalled(&st, "");
    drain(&st, 64 * KiB);
    qtest_quit(st.s);
    close(st.rd);
    g_byte_array_unref(st.got);
}

/* ---------------------------------------------- the client script */

/*
 * scripts/dump-guest-memory on a second QMP socket: a complete dump with
 * its summary line (progress lines only every 10 s off a terminal; see
 * tests/scripts/test-dump-guest-memory.py), exit 0; a refused one exits 1 with QEMU's message.
 */
static void test_client_script(void)
{
    g_autofree char *sock = qtest_tmp_path("client.qmp");
    g_autofree char *path = qtest_tmp_path("client.elf");
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    QTestState *s = qtest_initf(DUMP_MACHINE "-qmp unix:%s,server=on,wait=off",
                                sock);
    char *ok_argv[] = { "/usr/bin/python3", DUMP_CLIENT, "-s", sock, path,
                        NULL };
    char *bad_argv[] = { "/usr/bin/python3", DUMP_CLIENT, "-s", sock,
                         "--begin", "4096", path, NULL };
    char *live_argv[] = { "/usr/bin/python3", DUMP_CLIENT, "-s", sock,
                          "--live", path, NULL };
    ElfCore core;

    g_assert_cmpint(run_tool(ok_argv, &out, &err), ==, 0);
    /* off a terminal, a quick dump prints only its summary */
    g_assert_null(strstr(err, "100.0%"));
    g_assert_nonnull(strstr(err, "of guest memory in"));
    dump_open(&core, path);
    g_assert_cmpuint(core.phnum, >, 1);
    elf_core_free(&core);
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&err, g_free);
    g_assert_cmpint(run_tool(bad_argv, &out, &err), ==, 1);
    g_assert_cmpstr(err, ==, "dump-guest-memory: Parameter 'length' is "
                    "missing\n");
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&err, g_free);
    /* --live: the pause is reported, the file is complete */
    unlink(path);
    g_assert_cmpint(run_tool(live_argv, &out, &err), ==, 0);
    g_assert_nonnull(strstr(err, "guest paused "));
    g_assert_nonnull(strstr(err, " ms for the snapshot"));
    dump_open(&core, path);
    g_assert_cmpuint(core.phnum, >, 1);
    elf_core_free(&core);
    qtest_quit(s);
    unlink(path);
}

static void test_enospc_keeps_old_file(void)
{
    g_autofree char *dir = qtest_tmp_path("small");
    g_autofree char *target = g_build_filename(dir, "vmcore", NULL);
    g_autofree char *why = NULL;
    g_autofree char *args = NULL;
    g_autofree char *got = NULL;
    g_autofree char *ev = NULL;
    struct statvfs before, after;
    QTestState *s;
    DumpModel m;
    JsonObject *r;
    GDir *d;

    if (!mount_tmpfs(dir, "size=1m", &why)) {
        g_test_skip(why);
        return;
    }
    g_assert_true(g_file_set_contents(target, "OLD DUMP", -1, NULL));
    g_assert_cmpint(statvfs(dir, &before), ==, 0);
    s = qtest_init(DUMP_MACHINE);
    model_init(&m);
    model_write(s, &m, 1 * MiB, 2 * MiB, 7);     /* more than fits */
    qtest_qmp_events_clear(s);
    args = g_strdup_printf("{'paging': false, 'protocol': 'file:%s'}",
                           target);
    expect_dump_error(s, args, "dump: failed to save memory: No space left "
                      "on device");
    ev = events_peek(s);
    g_assert_cmpstr(ev, ==, "STOP DUMP_COMPLETED RESUME");
    r = qtest_qmp_event_ref(s, "DUMP_COMPLETED");
    g_assert_nonnull(r);
    g_assert_cmpstr(qtest_json_get_str(r, "data.result.status"), ==,
                    "failed");
    g_assert_cmpstr(qtest_json_get_str(r, "data.error"), ==,
                    "dump: failed to save memory: No space left on device");
    json_object_unref(r);
    check_running(s);

    /* the old file is intact, nothing else is there, space is back */
    g_assert_true(g_file_get_contents(target, &got, NULL, NULL));
    g_assert_cmpstr(got, ==, "OLD DUMP");
    d = g_dir_open(dir, 0, NULL);
    g_assert_cmpstr(g_dir_read_name(d), ==, "vmcore");
    g_assert_null(g_dir_read_name(d));
    g_dir_close(d);
    g_assert_cmpint(statvfs(dir, &after), ==, 0);
    g_assert_cmpuint(after.f_bfree, ==, before.f_bfree);
    model_free(&m);
    qtest_quit(s);
    umount(dir);
    rmdir(dir);
}

/* A read-only file system is refused before the VM stops. */
static void test_read_only_fs(void)
{
    g_autofree char *dir = qtest_tmp_path("ro");
    g_autofree char *target = g_build_filename(dir, "vmcore", NULL);
    g_autofree char *why = NULL;
    g_autofree char *args = NULL;
    g_autofree char *msg = NULL;
    g_autofree char *ev = NULL;
    QTestState *s;

    if (!mount_tmpfs(dir, "size=1m,mode=0755", &why)) {
        g_test_skip(why);
        return;
    }
    g_assert_cmpint(mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL),
                    ==, 0);
    s = qtest_init(DUMP_MACHINE);
    qtest_qmp_events_clear(s);
    args = g_strdup_printf("{'paging': false, 'protocol': 'file:%s'}",
                           target);
    msg = g_strdup_printf("Could not open '%s': Read-only file system",
                          target);
    expect_dump_error(s, args, msg);
    ev = events_take(s);
    g_assert_cmpstr(ev, ==, "");
    qtest_quit(s);
    umount(dir);
    rmdir(dir);
}

/*
 * As root, start the binary without the capabilities that bypass
 * permission checks (dropped from the bounding set of this process, so
 * only the last tests may call this).  False (the test skipped) if that
 * is impossible.
 */
static bool drop_dac_capabilities(void)
{
    if (geteuid() == 0 &&
        (prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0) < 0 ||
         prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0) < 0)) {
        g_test_skip("running as root without CAP_SETPCAP: cannot start the "
                    "binary without its permission-bypassing capabilities");
        return false;
    }
    return true;
}

/* A directory we may not write. */
static void test_permission_denied(void)
{
    g_autofree char *dir = qtest_tmp_path("noperm");
    g_autofree char *target = g_build_filename(dir, "vmcore", NULL);
    g_autofree char *args = NULL;
    g_autofree char *msg = NULL;
    QTestState *s;

    if (!drop_dac_capabilities()) {
        return;
    }
    g_assert_cmpint(g_mkdir_with_parents(dir, 0500), ==, 0);
    s = qtest_init(DUMP_MACHINE);
    args = g_strdup_printf("{'paging': false, 'protocol': 'file:%s'}",
                           target);
    msg = g_strdup_printf("Could not open '%s': Permission denied",
                          target);
    expect_dump_error(s, args, msg);
    qtest_quit(s);
    rmdir(dir);
}

/* The dump @args is refused with @msg, and @path still holds @want. */
static void refused_keeps(QTestState *s, const char *args, const char *msg,
                          const char *path, const char *want, size_t len)
{
    g_autofree char *err = qtest_qmp_expect_error(s, "GenericError",
        "{'execute': 'dump-guest-memory', 'arguments': %s}", args);
    g_autofree char *got = NULL;
    gsize got_len;

    g_assert_true(g_file_get_contents(path, &got, &got_len, NULL));
    g_assert_cmpmem(got, got_len, want, len);
    g_assert_cmpstr(err, ==, msg);
}

/*
 * A file we may write in a directory we may not (issue 12, item 3): no
 * temporary file is possible there, so the dump is refused with an error
 * naming the directory, and so is every invalid argument -- and the file
 * keeps its 900 bytes throughout (the old code truncated it in place
 * before validating anything, and a cancelled dump left a partial ELF).
 */
static void test_refused_keeps_file(void)
{
    g_autofree char *dir = qtest_tmp_path("rodir");
    g_autofree char *target = g_build_filename(dir, "vmcore", NULL);
    g_autofree char *msg = NULL;
    g_autofree char *ev = NULL;
    g_autofree char *old = g_strnfill(900, 'o');
    QTestState *s;

    if (!drop_dac_capabilities()) {
        return;
    }
    g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
    g_assert_true(g_file_set_contents(target, old, 900, NULL));
    g_assert_cmpint(chmod(target, 0600), ==, 0);
    g_assert_cmpint(chmod(dir, 0500), ==, 0);
    s = qtest_init(DUMP_MACHINE);
#define ARGS(extra) g_strdup_printf("{'paging': false, 'protocol': " \
                                    "'file:%s'" extra "}", target)
    {
        g_autofree char *a1 = ARGS(", 'begin': 0, 'length': -1");
        g_autofree char *a2 = ARGS(", 'begin': 3221225472, 'length': 4096");
        g_autofree char *a3 = ARGS("");
        g_autofree char *a4 = ARGS(", 'detach': true");

        msg = g_strdup_printf("Could not open '%s': the directory '%s' is "
                              "not writable (a dump replaces a file only "
                              "once it is complete, through a temporary "
                              "file next to it)", target, dir);
        refused_keeps(s, a1, msg, target, old, 900);
        refused_keeps(s, a2, msg, target, old, 900);
        refused_keeps(s, a3, msg, target, old, 900);
        refused_keeps(s, a4, msg, target, old, 900);
    }
#undef ARGS
    /* refused before the VM stopped */
    ev = events_take(s);
    g_assert_cmpstr(ev, ==, "");
    check_running(s);
    qtest_quit(s);
    chmod(dir, 0700);
    unlink(target);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dump/lifecycle/validation", test_validation);
    g_test_add_func("/dump/lifecycle/detach-progress", test_detach_progress);
    g_test_add_func("/dump/lifecycle/cancel", test_cancel);
    g_test_add_func("/dump/lifecycle/quit-while-stalled", test_quit_stalled);
    g_test_add_func("/dump/lifecycle/client-script", test_client_script);
    g_test_add_func("/dump/lifecycle/enospc-keeps-old-file",
                    test_enospc_keeps_old_file);
    g_test_add_func("/dump/lifecycle/read-only-fs", test_read_only_fs);
    /* last: they drop capabilities for the rest of the process */
    g_test_add_func("/dump/lifecycle/permission-denied",
                    test_permission_denied);
    g_test_add_func("/dump/lifecycle/refused-keeps-file",
                    test_refused_keeps_file);
    return g_test_run();
}
