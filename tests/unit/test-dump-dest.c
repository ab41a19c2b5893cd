/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-dump-dest.c: "file:" destinations: a complete dump replaces the
 * target atomically (a new file gets mode 0400, a replaced one keeps its
 * mode, as QEMU's O_TRUNC does), a failed one leaves the old target and
 * no other file behind, refusals create nothing; directories, missing
 * directories, symbolic links (followed, dangling ones too) and
 * non-regular targets.  Then the whole pipeline (job, ELF encoder, fd
 * sink, destination) with ENOSPC injected at the first byte, in the
 * headers, in the notes, mid-memory and at the last byte, and with EINTR
 * and short writes at every call, which must give the same file as a
 * clean run.
 */
#include "qemu/osdep.h"
#include <sys/syscall.h>
#include "qemu/error.h"
#include "qom/object.h"
#include "dump/dump-internal.h"
#include "dump-test-machine.h"
#include "faults.h"
#include "tests/elf/elf-reader.h"
#include "qemu/units.h"


static char *tmp_dir(void)
{
    char *d = g_dir_make_tmp("dump-dest-XXXXXX", NULL);

    g_assert_nonnull(d);
    return d;
}

static gint cmp_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in @dir, sorted, joined by spaces. */
static char *dir_list(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *n;
    char *out;

    while ((n = g_dir_read_name(d))) {
        g_ptr_array_add(names, g_strdup(n));
    }
    g_dir_close(d);
    g_ptr_array_sort(names, cmp_names);
    g_ptr_array_add(names, NULL);
    out = g_strjoinv(" ", (char **)names->pdata);
    g_ptr_array_free(names, true);
    return out;
}

static void rm_rf(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *n;

    while ((n = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, n, NULL);

        unlink(p);
    }
    g_dir_close(d);
    rmdir(dir);
}

static char *slurp(const char *path)
{
    char *s = NULL;

    g_assert_true(g_file_get_contents(path, &s, NULL, NULL));
    return s;
}

static void test_commit_replaces(void)
{
    g_autofree char *dir = tmp_dir();
    g_autofree char *target = g_build_filename(dir, "vmcore", NULL);
    g_autofree char *list = NULL;
    g_autofree char *got = NULL;
    DumpDest d;
    struct stat st;

    g_assert_true(g_file_set_contents(target, "OLD", -1, NULL));
    g_assert_cmpint(chmod(target, 0604), ==, 0);
    g_assert_true(dump_dest_open_file(&d, target, &error_abort));
    g_assert_cmpint(write(d.fd, "NEW", 3), ==, 3);
    /* nothing visible while writing */
    list = dir_list(dir);
    g_assert_cmpstr(list, ==, "vmcore");
    got = slurp(target);
    g_assert_cmpstr(got, ==, "OLD");
    g_free(got);
    g_assert_true(dump_dest_commit(&d, &error_abort));
    got = slurp(target);
    g_assert_cmpstr(got, ==, "NEW");
    g_assert_cmpint(stat(target, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0604);    /* the old file's */
    g_free(list);
    list = dir_list(dir);
    g_assert_cmpstr(list, ==, "vmcore");
    rm_rf(dir);
}

/* A replaced file keeps its permissions, as QEMU's O_TRUNC keeps them. */
static void test_commit_keeps_mode(void)
{
    g_autofree char *dir = tmp_dir();
    g_autofree char *target = g_build_filename(dir, "vmcore", NULL);
    g_autofree char *fresh = g_build_filename(dir, "new", NULL);
    g_autofree char *got = NULL;
    DumpDest d;
    struct stat st;

    g_assert_true(g_file_set_contents(target, "OLD", -1, NULL));
    g_assert_cmpint(chmod(target, 0640), ==, 0);
    g_assert_true(dump_dest_open_file(&d, target, &error_abort));
    g_assert_cmpint(write(d.fd, "NEW", 3), ==, 3);
    g_assert_true(dump_dest_commit(&d, &error_abort));
    got = slurp(target);
    g_assert_cmpstr(got, ==, "NEW");
    g_assert_cmpint(stat(target, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, 0640);
    g_assert_cmpint(st.st_uid, ==, geteuid());

    /* a new file: 0400 whatever the umask allows */
    g_assert_true(dump_dest_open_file(&d, fresh, &error_abort));
    g_assert_true(dump_dest_commit(&d, &error_abort));
    g_assert_cmpint(stat(fresh, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, 0400);
    rm_rf(dir);
}

/*
 * fsync() for this test program: fails with EIO while fail_fsync is set
 * (a disk that loses the data), else the real system call.  Interposed
 * by name: dump-dest.c, linked in statically, calls this one.
 */
static bool fail_fsync;

int fsync(int fd)
{
    if (fail_fsync) {
        errno = EIO;
        return -1;
    }
    return syscall(SYS_fsync, fd);
}

/* rename() likewise, failing with EIO while fail_rename is set. */
static bool fail_rename;

int rename(const char *from, const char *to)
{
    if (fail_rename) {
        errno = EIO;
        return -1;
    }
    return syscall(SYS_rename, from, to);
}

/*
 * A commit over an existing "vmcore" fails while *@fail is set: the old
 * file is still there, whole, and nothing else is left in the directory.
 * Returns the error message, with the target's path in it as "%T".
 */
static char *commit_fails_keeps_old(bool *fail)
{
    g_autofree char *dir = tmp_dir();
    g_autofree char *target = g_build_filename(dir, "vmcore", NULL);
    g_autofree char *list = NULL;
    g_autofree char *got = NULL;
    g_auto(GStrv) parts = NULL;
    Error *err = NULL;
    DumpDest d;

    g_assert_true(g_file_set_contents(target, "OLD", -1, NULL));
    g_assert_true(dump_dest_open_file(&d, target, &error_abort));
    g_assert_cmpint(write(d.fd, "NEW", 3), ==, 3);
    *fail = true;
    g_assert_false(dump_dest_commit(&d, &err));
    *fail = false;
    g_assert_nonnull(err);
    got = slurp(target);
    g_assert_cmpstr(got, ==, "OLD");
    list = dir_list(dir);
    g_assert_cmpstr(list, ==, "vmcore");
    rm_rf(dir);
    parts = g_strsplit(error_get_pretty(err), target, -1);
    error_free(err);
    return g_strjoinv("%T", parts);
}

/*
 * The rename into place fails after the temporary got its name: the old
 * file is still there and the temporary is gone, named or not.
 */
static void test_commit_rename_fails(void)
{
    g_autofree char *msg = commit_fails_keeps_old(&fail_rename);

    g_assert_nonnull(strstr(msg, "could not rename"));
}

/*
 * The file must be on disk before it replaces the old one: when the
 * fsync fails, the commit fails and the old file is still there, whole
 * (a rename before the fsync would have replaced it already).
 */
static void test_commit_fsync_fails(void)
{
    g_autofree char *msg = commit_fails_keeps_old(&fail_fsync);

    g_assert_cmpstr(msg, ==, "dump: failed to sync '%T': Input/output error");
}

static void test_abort_keeps(void)
{
    g_autofree char *dir = tmp_dir();
    g_autofree char *target = g_build_filename(dir, "vmcore", NULL);
    g_autofree char *fresh = g_build_filename(dir, "fresh", NULL);
    g_autofree char *list = NULL;
    g_autofree char *got = NULL;
    DumpDest d;

    g_assert_true(g_file_set_contents(target, "OLD", -1, NULL));
    g_assert_true(dump_dest_open_file(&d, target, &error_abort));
    g_assert_cmpint(write(d.fd, "PARTIAL", 7), ==, 7);
    dump_dest_abort(&d);
    got = slurp(target);
    g_assert_cmpstr(got, ==, "OLD");
    /* a target that did not exist is not created by a failed dump */
    g_assert_true(dump_dest_open_file(&d, fresh, &error_abort));
    dump_dest_abort(&d);
    list = dir_list(dir);
    g_assert_cmpstr(list, ==, "vmcore");
    rm_rf(dir);
}

static void expect_open_error(const char *path, const char *msg)
{
    DumpDest d;
    Error *err = NULL;

    g_assert_false(dump_dest_open_file(&d, path, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_refusals(void)
{
    g_autofree char *dir = tmp_dir();
    g_autofree char *missing = g_build_filename(dir, "no", "vmcore", NULL);
    g_autofree char *msg = NULL;
    g_autofree char *list = NULL;
    g_autofree char *loop = g_build_filename(dir, "loop", NULL);

    msg = g_strdup_printf("Could not open '%s': Is a directory", dir);
    expect_open_error(dir, msg);
    g_free(msg);
    msg = g_strdup_printf("Could not open '%s': No such file or "
                          "directory", missing);
    expect_open_error(missing, msg);
    g_free(msg);
    g_assert_cmpint(symlink("loop", loop), ==, 0);
    msg = g_strdup_printf("Could not open '%s': Too many levels of "
                          "symbolic links", loop);
    expect_open_error(loop, msg);
    unlink(loop);
    list = dir_list(dir);
    g_assert_cmpstr(list, ==, "");
    rm_rf(dir);
}

/*
 * Names checked before anything is created (issue 12, item 6): the empty
 * name, a name over NAME_MAX; and a 255-byte name (the longest) works,
 * although ".NAME.%08x" would not fit: the temporary's name is cut.
 */
static void test_name_checks(void)
{
    g_autofree char *dir = tmp_dir();
    g_autofree char *name255 = g_strnfill(NAME_MAX, 'n');
    g_autofree char *name256 = g_strnfill(NAME_MAX + 1, 'n');
    g_autofree char *path255 = g_build_filename(dir, name255, NULL);
    g_autofree char *path256 = g_build_filename(dir, name256, NULL);
    g_autofree char *msg = NULL;
    g_autofree char *got = NULL;
    g_autofree char *list = NULL;
    Error *err = NULL;
    DumpDest d;
    int fd;

    g_assert_false(dump_dest_check_file("", NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "parameter 'protocol' expects "
                    "a file name after 'file:'");
    error_free(err);
    expect_open_error("", "parameter 'protocol' expects a file name after "
                      "'file:'");
    msg = g_strdup_printf("Could not open '%s': File name too long",
                          path256);
    expect_open_error(path256, msg);

    g_assert_true(dump_dest_check_file(path255, NULL, &error_abort));
    /* (not g_file_set_contents(): its own temporary name is too long) */
    fd = open(path255, O_WRONLY | O_CREAT | O_EXCL, 0600);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, "OLD", 3), ==, 3);
    close(fd);
    g_assert_true(dump_dest_open_file(&d, path255, &error_abort));
    g_assert_cmpint(write(d.fd, "NEW", 3), ==, 3);
    g_assert_true(dump_dest_commit(&d, &error_abort));
    got = slurp(path255);
    g_assert_cmpstr(got, ==, "NEW");
    list = dir_list(dir);
    g_assert_cmpstr(list, ==, name255);
    rm_rf(dir);
}

static void test_symlinks(void)
{
    g_autofree char *dir = tmp_dir();
    g_autofree char *real = g_build_filename(dir, "real", NULL);
    g_autofree char *link = g_build_filename(dir, "link", NULL);
    g_autofree char *dangling = g_build_filename(dir, "dangling", NULL);
    g_autofree char *made = g_build_filename(dir, "made", NULL);
    g_autofree char *got = NULL;
    g_autofree char *list = NULL;
    DumpDest d;

    g_assert_true(g_file_set_contents(real, "OLD", -1, NULL));
    g_assert_cmpint(symlink("real", link), ==, 0);
    g_assert_true(dump_dest_open_file(&d, link, &error_abort));
    g_assert_cmpint(write(d.fd, "NEW", 3), ==, 3);
    g_assert_true(dump_dest_commit(&d, &error_abort));
    g_assert_true(g_file_test(link, G_FILE_TEST_IS_SYMLINK));
    got = slurp(real);
    g_assert_cmpstr(got, ==, "NEW");

    /* a dangling link: its target is created, as open(O_CREAT) would */
    g_assert_cmpint(symlink("made", dangling), ==, 0);
    g_assert_true(dump_dest_open_file(&d, dangling, &error_abort));
    g_assert_cmpint(write(d.fd, "X", 1), ==, 1);
    g_assert_true(dump_dest_commit(&d, &error_abort));
    g_assert_true(g_file_test(dangling, G_FILE_TEST_IS_SYMLINK));
    g_free(got);
    got = slurp(made);
    g_assert_cmpstr(got, ==, "X");
    list = dir_list(dir);
    g_assert_cmpstr(list, ==, "dangling link made real");
    rm_rf(dir);
}

/* Not a regular file: written in place (it cannot be renamed over). */
static void test_char_device(void)
{
    DumpDest d;

    g_assert_true(dump_dest_open_file(&d, "/dev/null", &error_abort));
    g_assert_true(d.direct);
    g_assert_cmpint(write(d.fd, "X", 1), ==, 1);
    g_assert_true(dump_dest_commit(&d, &error_abort));
    g_assert_true(g_file_test("/dev/null", G_FILE_TEST_EXISTS));
}

/* A FIFO: written in place; without a reader refused, not blocked on. */
static void test_fifo(void)
{
    g_autofree char *dir = tmp_dir();
    g_autofree char *fifo = g_build_filename(dir, "fifo", NULL);
    g_autofree char *msg = g_strdup_printf("Could not open '%s': no reader "
                                           "on the FIFO (a dump to a FIFO "
                                           "needs its reader to open it "
                                           "first)", fifo);
    DumpDest d;
    int rd;

    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    expect_open_error(fifo, msg);
    rd = open(fifo, O_RDONLY | O_NONBLOCK);
    g_assert_cmpint(rd, >=, 0);
    g_assert_true(dump_dest_open_file(&d, fifo, &error_abort));
    g_assert_true(d.direct);
    g_assert_cmpint(write(d.fd, "X", 1), ==, 1);
    g_assert_true(dump_dest_commit(&d, &error_abort));
    close(rd);
    unlink(fifo);
    rm_rf(dir);
}

/* ------------------------------------------------ whole pipeline, faults */

/* Dump @tm to @path; returns false with the error text in *@msg. */
static bool dump_file(TestMachine *tm, const char *path, char **msg,
                      uint64_t *file_size)
{
    DumpRequest cfg = {
        .as = &tm->as, .cpus = tm->cpus, .ncpus = tm->ncpus,
    };

    return tm_dump_to_file(&dump_elf_encoder, &cfg, path, file_size, msg);
}

static void test_pipeline_faults(void)
{
    FaultStats st;
    g_autofree char *dir = tmp_dir();
    g_autofree char *target = g_build_filename(dir, "vmcore", NULL);
    g_autofree char *clean = NULL;
    g_autofree char *msg = NULL;
    TestMachine tm;
    uint64_t size;
    size_t clean_len;
    struct {
        const char *what;
        uint64_t at;        /* set below from the layout */
        const char *error;
    } faults[] = {
        { "first byte", 0, "dump: failed to write elf header" },
        { "headers", 200, "dump: failed to write program header table" },
        { "notes", 0, "dump: failed to write elf notes" },
        { "memory", 0, "dump: failed to save memory" },
        { "last byte", 0, "dump: failed to write string table data" },
    };

    tm_init(&tm, 8 * MiB, 8 * MiB, 2 * MiB, 0, 2);
    fake_rdm_plug(&tm.rdm, 0, 4);
    memset(tm_host(&tm, 1 * MiB), 0x11, 1 * MiB);
    memset(tm_host(&tm, TM_VMEM_BASE + 4 * MiB), 0x22, 64 * KiB);

    /* the clean result */
    g_assert_true(dump_file(&tm, target, &msg, &size));
    g_assert_true(g_file_get_contents(target, &clean, &clean_len, NULL));
    g_assert_cmpuint(clean_len, ==, size);

    /* every fault leaves the clean file in place and nothing else */
    {
        ElfCore core;
        g_autofree char *err = elf_core_parse(&core, (uint8_t *)clean,
                                              clean_len);

        g_assert_null(err);
        faults[2].at = elf_core_segment(&core, 0)->offset + 10;
        elf_core_free(&core);
    }
    faults[3].at = size - 11 - 4 * MiB;           /* in vmem data */
    faults[4].at = size - 1;
    for (unsigned i = 0; i < ARRAY_SIZE(faults); i++) {
        g_autofree char *got = NULL;
        g_autofree char *list = NULL;
        g_autofree char *want = g_strdup_printf("%s: No space left on "
                                                "device", faults[i].error);
        gsize len;

        fault_arm_at(faults[i].at, ENOSPC);
        g_assert_false(dump_file(&tm, target, &msg, NULL));
        g_assert_cmpstr(msg, ==, want);
        g_free(msg);
        msg = NULL;
        g_assert_true(g_file_get_contents(target, &got, &len, NULL));
        g_assert_cmpmem(got, len, clean, clean_len);
        list = dir_list(dir);
        g_assert_cmpstr(list, ==, "vmcore");
    }
    fault_arm_at(UINT64_MAX, 0);

    /* EINTR and short writes at two calls in three: the same file */
    unlink(target);
    fault_arm(FAULT_PWRITE, 1, true, FAULT_FLAKY);
    g_assert_true(dump_file(&tm, target, &msg, NULL));
    fault_get_stats(FAULT_PWRITE, &st);
    fault_disarm_all();
    g_assert_cmpuint(st.injected, >, 10);
    {
        g_autofree char *got = NULL;
        gsize len;

        g_assert_true(g_file_get_contents(target, &got, &len, NULL));
        g_assert_cmpmem(got, len, clean, clean_len);
    }
    tm_fini(&tm);
    rm_rf(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    type_register_object_types();
    dump_register_encoders();
    g_test_add_func("/dump-dest/commit-replaces", test_commit_replaces);
    g_test_add_func("/dump-dest/commit-keeps-mode", test_commit_keeps_mode);
    g_test_add_func("/dump-dest/commit-fsync-fails",
                    test_commit_fsync_fails);
    g_test_add_func("/dump-dest/commit-rename-fails",
                    test_commit_rename_fails);
    g_test_add_func("/dump-dest/abort-keeps", test_abort_keeps);
    g_test_add_func("/dump-dest/refusals", test_refusals);
    g_test_add_func("/dump-dest/name-checks", test_name_checks);
    g_test_add_func("/dump-dest/symlinks", test_symlinks);
    g_test_add_func("/dump-dest/char-device", test_char_device);
    g_test_add_func("/dump-dest/fifo", test_fifo);
    g_test_add_func("/dump-dest/pipeline-faults", test_pipeline_faults);
    return g_test_run();
}
