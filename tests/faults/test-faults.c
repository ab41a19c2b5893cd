/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-faults.c: the fault-injection wrappers themselves (spec parsing,
 * once / from, errno, short writes, the fallible allocations), and the
 * memory layer under injected faults, linked with the wrappers:
 *
 * - a discard (madvise / fallocate PUNCH_HOLE) that fails while memory
 *   is zeroed (the MOR clear's path) falls back to writing zeros: every
 *   byte still reads zero;
 * - creating a memory backend (prealloc=on included) when memfd_create,
 *   ftruncate, open, mmap or fallocate fails gives an error, leaves no fd
 *   and no object behind, and the same creation succeeds once the fault
 *   is gone (a failed madvise may be absorbed: it is a hint, or
 *   preallocation falls back to touching the pages);
 * Calls from several threads at once are counted exactly (TSan suite).
 */
#include "qemu/osdep.h"
#include <dirent.h>
#include <linux/memfd.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include "exec/memory.h"
#include "exec/ram-zero.h"
#include "exec/ramblock.h"
#include "qemu/error.h"
#include "qom/object_interfaces.h"
#include "sysemu/hostmem.h"
#include "faults.h"
#include "qemu/units.h"


static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;

    g_assert_nonnull(d);
    while (readdir(d)) {
        n++;
    }
    closedir(d);
    return n;
}

static void test_parse(void)
{
    static const char *const bad[] = {
        "write", "write:x", "nope:1", "write:1:twice", "write:1:once:EWHAT",
        "write:1:once:EIO:extra", "write:-1",
    };
    Error *err = NULL;
    FaultStats st;

    g_assert_true(fault_parse("write:3:once:ENOSPC,mmap:1:from,,fsync:2",
                              &error_abort));
    fault_get_stats(FAULT_WRITE, &st);
    g_assert_true(st.armed && st.nth == 3 && !st.from && st.err == ENOSPC);
    fault_get_stats(FAULT_MMAP, &st);
    g_assert_true(st.armed && st.nth == 1 && st.from && st.err == ENOMEM);
    fault_get_stats(FAULT_FSYNC, &st);
    g_assert_true(st.armed && st.nth == 2 && st.err == EIO);
    fault_disarm_all();
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_assert_false(fault_parse(bad[i], &err));
        g_assert_nonnull(err);
        error_free(err);
        err = NULL;
    }
    /* a bad item arms nothing, not even the good ones before it */
    g_assert_false(fault_parse("write:1,nope:1", NULL));
    fault_get_stats(FAULT_WRITE, &st);
    g_assert_false(st.armed);
}

static void test_write_once_from(void)
{
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    FaultStats st;

    g_assert_cmpint(fd, >=, 0);
    fault_arm(FAULT_WRITE, 2, false, ENOSPC);
    g_assert_cmpint(write(fd, "a", 1), ==, 1);
    errno = 0;
    g_assert_cmpint(write(fd, "a", 1), ==, -1);
    g_assert_cmpint(errno, ==, ENOSPC);
    g_assert_cmpint(write(fd, "a", 1), ==, 1);
    fault_get_stats(FAULT_WRITE, &st);
    g_assert_cmpuint(st.calls, ==, 3);
    g_assert_cmpuint(st.injected, ==, 1);

    fault_arm(FAULT_WRITE, 2, true, EIO);
    g_assert_cmpint(write(fd, "a", 1), ==, 1);
    for (int i = 0; i < 3; i++) {
        g_assert_cmpint(write(fd, "a", 1), ==, -1);
        g_assert_cmpint(errno, ==, EIO);
    }
    fault_get_stats(FAULT_WRITE, &st);
    g_assert_cmpuint(st.injected, ==, 3);

    fault_arm(FAULT_WRITE, 0, false, 0);
    g_assert_cmpint(write(fd, "a", 1), ==, 1);
    close(fd);
}

static void test_short_write(void)
{
    g_autofree char *path = NULL;
    int fd = g_file_open_tmp("faults-XXXXXX", &path, NULL);
    struct stat st;

    g_assert_cmpint(fd, >=, 0);
    fault_arm(FAULT_PWRITE, 1, false, FAULT_SHORT);
    g_assert_cmpint(pwrite(fd, "0123456789", 10, 0), ==, 5);
    g_assert_cmpint(pwrite(fd, "0123456789", 10, 0), ==, 10);
    fault_arm(FAULT_WRITE, 1, false, FAULT_SHORT);
    g_assert_cmpint(write(fd, "x", 1), ==, 1);   /* one byte stays one */
    g_assert_cmpint(fstat(fd, &st), ==, 0);
    g_assert_cmpint(st.st_size, ==, 10);
    close(fd);
    unlink(path);
    fault_disarm_all();
}

/* A range of calls, FLAKY's threes, ZERO, and a disk full at a byte. */
static void test_range_flaky_full(void)
{
    g_autofree char *path = NULL;
    int fd = g_file_open_tmp("faults-XXXXXX", &path, NULL);
    struct iovec iov = { (void *)"abcd", 4 };
    FaultStats st;

    g_assert_cmpint(fd, >=, 0);
    fault_arm_range(FAULT_PWRITE, 2, 2, EIO);
    g_assert_cmpint(pwrite(fd, "ab", 2, 0), ==, 2);
    g_assert_cmpint(pwrite(fd, "ab", 2, 0), ==, -1);
    g_assert_cmpint(errno, ==, EIO);
    g_assert_cmpint(pwrite(fd, "ab", 2, 0), ==, -1);
    g_assert_cmpint(pwrite(fd, "ab", 2, 0), ==, 2);

    fault_arm(FAULT_PWRITE, 1, true, FAULT_FLAKY);
    g_assert_cmpint(pwrite(fd, "0123", 4, 0), ==, -1);
    g_assert_cmpint(errno, ==, EINTR);
    g_assert_cmpint(pwrite(fd, "0123", 4, 0), ==, 2);
    g_assert_cmpint(pwrite(fd, "0123", 4, 0), ==, 4);
    g_assert_cmpint(pwrite(fd, "0123", 4, 0), ==, -1);
    fault_get_stats(FAULT_PWRITE, &st);
    g_assert_cmpuint(st.calls, ==, 4);
    g_assert_cmpuint(st.injected, ==, 3);

    fault_arm(FAULT_WRITE, 1, false, FAULT_ZERO);
    g_assert_cmpint(write(fd, "x", 1), ==, 0);
    /* pwritev2 at the position is a write, positioned a pwritev */
    fault_arm(FAULT_WRITE, 1, false, ENOSPC);
    g_assert_cmpint(pwritev2(fd, &iov, 1, -1, 0), ==, -1);
    g_assert_cmpint(errno, ==, ENOSPC);
    fault_arm(FAULT_PWRITEV, 1, false, FAULT_SHORT);
    g_assert_cmpint(pwritev2(fd, &iov, 1, 0, 0), ==, 2);

    fault_disarm_all();
    fault_arm_at(10, ENOSPC);
    g_assert_cmpint(pwrite(fd, "0123456789abcdef", 16, 4), ==, 6);
    g_assert_cmpint(pwrite(fd, "abcdef", 6, 10), ==, -1);
    g_assert_cmpint(errno, ==, ENOSPC);
    g_assert_cmpint(pwrite(fd, "0123", 4, 0), ==, 4);
    fault_disarm_all();
    g_assert_cmpint(pwrite(fd, "abcdef", 6, 10), ==, 6);
    close(fd);
    unlink(path);
}

static void test_try_malloc(void)
{
    gpointer p;

    fault_arm(FAULT_MALLOC, 2, false, ENOMEM);
    p = g_try_malloc(16);
    g_assert_nonnull(p);
    g_assert_null(g_try_realloc(p, 32));
    g_free(p);
    p = g_try_malloc0(16);
    g_assert_nonnull(p);
    g_free(p);
    fault_arm(FAULT_MALLOC, 1, true, ENOMEM);
    g_assert_null(g_try_malloc0_n(4, 4));
    g_assert_null(g_try_malloc_n(4, 4));
    fault_disarm_all();
}

#define THREADS 4
#define CALLS_PER_THREAD 1000

static gpointer writer(gpointer opaque)
{
    int fd = GPOINTER_TO_INT(opaque);
    uintptr_t failed = 0;

    for (int i = 0; i < CALLS_PER_THREAD; i++) {
        if (write(fd, "a", 1) < 0) {
            g_assert_cmpint(errno, ==, EIO);
            failed++;
        }
    }
    return (gpointer)failed;
}

/* Calls from several threads are counted exactly (the dump thread's). */
static void test_threads(void)
{
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    GThread *t[THREADS];
    uintptr_t failed = 0;
    FaultStats st;

    g_assert_cmpint(fd, >=, 0);
    fault_arm(FAULT_WRITE, 1001, true, EIO);
    for (int i = 0; i < THREADS; i++) {
        t[i] = g_thread_new("writer", writer, GINT_TO_POINTER(fd));
    }
    for (int i = 0; i < THREADS; i++) {
        failed += (uintptr_t)g_thread_join(t[i]);
    }
    fault_get_stats(FAULT_WRITE, &st);
    fault_disarm_all();
    g_assert_cmpuint(st.calls, ==, THREADS * CALLS_PER_THREAD);
    g_assert_cmpuint(st.injected, ==, THREADS * CALLS_PER_THREAD - 1000);
    g_assert_cmpuint(failed, ==, st.injected);
    close(fd);
}

/* A failed discard while zeroing: zeros are written instead. */
static void test_zero_discard_fails(gconstpointer opaque)
{
    FaultOp op = GPOINTER_TO_INT(opaque);
    MemoryRegion mr;
    RAMBlock *rb;
    int fd = -1;
    uint8_t *host;
    FaultStats st;

    if (op == FAULT_FALLOCATE) {
        fd = memfd_create("test-faults", MFD_CLOEXEC);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(ftruncate(fd, 8 * MiB), ==, 0);
        g_assert_true(memory_region_init_ram_from_fd(&mr, NULL, "memfd",
                                                     8 * MiB, RAM_SHARED,
                                                     fd, 0, &error_abort));
    } else {
        g_assert_true(memory_region_init_ram_flags(&mr, NULL, "anon",
                                                   8 * MiB, 0,
                                                   &error_abort));
    }
    rb = memory_region_get_ram_block(&mr);
    host = memory_region_get_ram_ptr(&mr);
    memset(host, 0x5e, 8 * MiB);
    fault_arm(op, 1, true, EIO);
    ram_block_zero_range(rb, 0, 8 * MiB, 0, NULL);
    fault_get_stats(op, &st);
    fault_disarm_all();
    g_assert_cmpuint(st.injected, >=, 1);
    for (uint64_t i = 0; i < 8 * MiB; i++) {
        if (host[i]) {
            g_error("byte 0x%" PRIx64 " survived a failed discard", i);
        }
    }
    memory_region_destroy(&mr);
}

/* Creating a backend while @op fails, for each N until it succeeds. */
static void test_backend_create(gconstpointer opaque)
{
    const char *spec = opaque;
    FaultOp ops[] = { FAULT_MEMFD_CREATE, FAULT_FTRUNCATE, FAULT_OPEN,
                      FAULT_MMAP, FAULT_FALLOCATE, FAULT_MADVISE };
    int baseline = count_fds();
    unsigned injected = 0, survived = 0;

    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        for (unsigned nth = 1;; nth++) {
            Error *err = NULL;
            Object *obj;
            FaultStats st;

            fault_arm(ops[i], nth, false, EIO);
            obj = user_creatable_add_str(spec, &err);
            fault_get_stats(ops[i], &st);
            fault_disarm_all();
            if (!st.injected) {
                g_assert_nonnull(obj);
                g_assert_null(err);
                object_unparent(obj);
                break;
            }
            injected++;
            /* madvise hints may fail without failing the creation */
            if (obj) {
                g_assert_cmpint(ops[i], ==, FAULT_MADVISE);
                object_unparent(obj);
            } else {
                g_assert_nonnull(err);
                error_free(err);
            }
            g_assert_cmpint(count_fds(), ==, baseline);
            /* and the same creation works right away */
            obj = user_creatable_add_str(spec, &error_abort);
            object_unparent(obj);
            survived++;
        }
    }
    g_test_message("%s: %u faults injected, %u survived", spec, injected,
                   survived);
    g_assert_cmpuint(injected, ==, survived);
    g_assert_cmpint(count_fds(), ==, baseline);
}

int main(int argc, char **argv)
{
    g_autofree char *dir = NULL;
    g_autofree char *file_spec = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    type_register_object_types();
    hostmem_register_types();
    dir = g_dir_make_tmp("test-faults-XXXXXX", NULL);
    file_spec = g_strdup_printf("memory-backend-file,id=f0,size=4M,"
                                "mem-path=%s/backing,share=on", dir);
    g_test_add_func("/faults/parse", test_parse);
    g_test_add_func("/faults/write/once-from", test_write_once_from);
    g_test_add_func("/faults/write/short", test_short_write);
    g_test_add_func("/faults/write/range-flaky-full", test_range_flaky_full);
    g_test_add_func("/faults/malloc", test_try_malloc);
    g_test_add_func("/faults/threads", test_threads);
    g_test_add_data_func("/faults/ram-zero/madvise-fails",
                         GINT_TO_POINTER(FAULT_MADVISE),
                         test_zero_discard_fails);
    g_test_add_data_func("/faults/ram-zero/fallocate-fails",
                         GINT_TO_POINTER(FAULT_FALLOCATE),
                         test_zero_discard_fails);
    g_test_add_data_func("/faults/backend/ram",
                         "memory-backend-ram,id=r0,size=4M,prealloc=on",
                         test_backend_create);
    g_test_add_data_func("/faults/backend/memfd",
                         "memory-backend-memfd,id=m0,size=4M,prealloc=on",
                         test_backend_create);
    g_test_add_data_func("/faults/backend/file", file_spec,
                         test_backend_create);
    ret = g_test_run();
    g_autofree char *backing = g_build_filename(dir, "backing", NULL);
    unlink(backing);
    rmdir(dir);
    return ret;
}
