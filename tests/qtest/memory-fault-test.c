/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memory-fault-test.c: guest memory the host cannot back.  A backing
 * file truncated by another process (this test) and a hugetlb memfd with
 * reserve=off and no free huge page raise SIGBUS when the VMM touches
 * them; the access must fail instead (reads give zeros), the VM stop
 * with GUEST_MEMORY_FAULT, STOP and status io-error plus one line on
 * stderr, QMP keep answering, and what was written before stay.  The
 * hugetlb case sets /proc/sys/vm/nr_hugepages to 0 for its duration
 * (root) and skips, saying why, where it cannot.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "libqtest.h"
#include "qemu/units.h"
#include "tests/host/hugepages.h"


static char *tmpdir;

/* The VM's stderr goes to @path while it starts (it inherits fd 2). */
static QTestState *start_capturing(const char *args, const char *path)
{
    int saved = dup(STDERR_FILENO);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    QTestState *qts;

    g_assert(fd >= 0 && saved >= 0);
    dup2(fd, STDERR_FILENO);
    close(fd);
    qts = qtest_init(args);
    dup2(saved, STDERR_FILENO);
    close(saved);
    return qts;
}

static void check_status(QTestState *qts, const char *status, bool running)
{
    JsonObject *r = qtest_qmp(qts, "{'execute': 'query-status'}");

    g_assert_cmpstr(qtest_json_get_str(r, "return.status"), ==, status);
    g_assert(qtest_json_get_bool(r, "return.running") == running);
    json_object_unref(r);
}

/* Wait for GUEST_MEMORY_FAULT and check what it says. */
static void expect_fault(QTestState *qts, const char *memdev,
                         const char *access, uint64_t offset)
{
    JsonObject *ev = qtest_qmp_eventwait_ref(qts, "GUEST_MEMORY_FAULT");

    g_assert_cmpstr(qtest_json_get_str(ev, "data.memdev"), ==, memdev);
    g_assert_cmpstr(qtest_json_get_str(ev, "data.access"), ==, access);
    g_assert_cmpuint(qtest_json_get_int(ev, "data.offset"), <=, offset);
    g_assert_cmpuint(qtest_json_get_int(ev, "data.offset") +
                     qtest_json_get_int(ev, "data.size"), >, offset);
    json_object_unref(ev);
}

static void test_truncated_file(void)
{
    g_autofree char *file = g_build_filename(tmpdir, "ram.img", NULL);
    g_autofree char *errpath = g_build_filename(tmpdir, "stderr.txt", NULL);
    g_autofree char *args = g_strdup_printf(
        "-machine microvm -m 64M -object memory-backend-file,id=ram0,"
        "size=64M,mem-path=%s,share=on -machine memory-backend=ram0", file);
    g_autofree char *text = NULL;
    uint8_t buf[4096], back[4096];
    QTestState *qts;

    qts = start_capturing(args, errpath);
    check_status(qts, "running", true);
    memset(buf, 0x5a, sizeof(buf));
    qtest_memwrite(qts, 2 * MiB, buf, sizeof(buf));
    qtest_memwrite(qts, 8 * MiB, buf, sizeof(buf));

    /* Another process cuts the file under the mapping. */
    g_assert(truncate(file, 4 * MiB) == 0);
    memset(back, 0xee, sizeof(back));
    qtest_memread(qts, 8 * MiB, back, sizeof(back));
    for (size_t i = 0; i < sizeof(back); i++) {
        g_assert_cmphex(back[i], ==, 0);            /* a bus error reads 0 */
    }
    expect_fault(qts, "ram0", "read", 8 * MiB);
    qtest_qmp_eventwait(qts, "STOP");
    check_status(qts, "io-error", false);

    /* What is still backed still works and kept its data. */
    qtest_memread(qts, 2 * MiB, back, sizeof(back));
    g_assert_cmpmem(back, sizeof(back), buf, sizeof(buf));
    /* A write past the end fails the same way; no second STOP. */
    qtest_writeb(qts, 16 * MiB, 0x11);
    expect_fault(qts, "ram0", "write", 16 * MiB);
    check_status(qts, "io-error", false);
    g_assert(qtest_probe_child(qts));
    qtest_quit(qts);

    g_assert(g_file_get_contents(errpath, &text, NULL, NULL));
    g_assert_nonnull(strstr(text, "guest memory 'ram0': cannot read"));
    g_assert_nonnull(strstr(text, "the VM is stopped"));
    g_assert_null(strstr(text, "Sanitizer"));
    unlink(errpath);
    unlink(file);
}

static void test_hugetlb_no_pages(void)
{
    g_autofree char *errpath = g_build_filename(tmpdir, "stderr2.txt", NULL);
    long saved = hugepage_pool_size();
    QTestState *qts;

    if (saved < 0 || !hugepage_pool_set(0) || hugepage_pool_free() != 0) {
        if (saved >= 0) {
            hugepage_pool_set(saved);
        }
        g_test_skip("cannot empty the huge page pool (needs root, and no "
                    "huge pages in use)");
        return;
    }
    qts = start_capturing("-machine microvm -m 64M -object "
                          "memory-backend-memfd,id=ram0,size=64M,"
                          "hugetlb=on,hugetlbsize=2M,reserve=off "
                          "-machine memory-backend=ram0", errpath);
    /* The guest's first write: no huge page to give it. */
    qtest_writeb(qts, 8 * MiB, 0x42);
    expect_fault(qts, "ram0", "write", 8 * MiB);
    qtest_qmp_eventwait(qts, "STOP");
    check_status(qts, "io-error", false);
    g_assert_cmpuint(qtest_readb(qts, 8 * MiB), ==, 0);
    g_assert(qtest_probe_child(qts));
    qtest_quit(qts);
    g_assert(hugepage_pool_set(saved));
    unlink(errpath);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("memory-fault-test-XXXXXX", NULL);
    g_assert(tmpdir);
    g_test_add_func("/memory-fault/truncated-file", test_truncated_file);
    g_test_add_func("/memory-fault/hugetlb-no-pages", test_hugetlb_no_pages);
    ret = g_test_run();
    rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
