/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-host-mem.c: the SIGBUS guard of util/host-mem.c against real
 * faults: a memfd truncated under a shared mapping makes every access past
 * the new end raise SIGBUS.  Guarded reads, writes and fills must return
 * -EFAULT and leave the process running (also from several threads at
 * once, each faulting on its own), unguarded accesses and SIGBUS sent from
 * outside must still kill the process by SIGBUS (checked in a forked
 * child), and a guarded access that does not fault must behave like
 * memcpy/memset.
 */
#include "qemu/osdep.h"
#include "qemu/host-mem.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define NPAGES 4

typedef struct Mapping {
    int fd;
    uint8_t *host;
    size_t page;
} Mapping;

/* A memfd of NPAGES pages, mapped shared, page i filled with 0xa0 + i. */
static void mapping_init(Mapping *m)
{
    m->page = qemu_real_host_page_size();
    m->fd = memfd_create("test-host-mem", MFD_CLOEXEC);
    g_assert_cmpint(m->fd, >=, 0);
    g_assert_cmpint(ftruncate(m->fd, NPAGES * m->page), ==, 0);
    m->host = mmap(NULL, NPAGES * m->page, PROT_READ | PROT_WRITE,
                   MAP_SHARED, m->fd, 0);
    g_assert_true(m->host != MAP_FAILED);
    for (int i = 0; i < NPAGES; i++) {
        memset(m->host + i * m->page, 0xa0 + i, m->page);
    }
}

static void mapping_truncate(Mapping *m, size_t pages)
{
    g_assert_cmpint(ftruncate(m->fd, pages * m->page), ==, 0);
}

static void mapping_destroy(Mapping *m)
{
    munmap(m->host, NPAGES * m->page);
    close(m->fd);
}

static void test_no_fault(void)
{
    Mapping m;
    g_autofree uint8_t *buf = NULL;

    mapping_init(&m);
    buf = g_malloc(NPAGES * m.page);

    g_assert_cmpint(host_mem_read(buf, m.host, NPAGES * m.page), ==, 0);
    g_assert_cmpint(memcmp(buf, m.host, NPAGES * m.page), ==, 0);
    g_assert_cmpint(buf[m.page * 3], ==, 0xa3);

    memset(buf, 0x5a, m.page);
    g_assert_cmpint(host_mem_write(m.host + 1, buf, m.page - 2), ==, 0);
    g_assert_cmpint(m.host[0], ==, 0xa0);
    g_assert_cmpint(m.host[1], ==, 0x5a);
    g_assert_cmpint(m.host[m.page - 2], ==, 0x5a);
    g_assert_cmpint(m.host[m.page - 1], ==, 0xa0);

    g_assert_cmpint(host_mem_fill(m.host + m.page, 0, m.page), ==, 0);
    g_assert_cmpint(m.host[m.page], ==, 0);
    g_assert_cmpint(m.host[2 * m.page - 1], ==, 0);
    g_assert_cmpint(m.host[2 * m.page], ==, 0xa2);

    /* Zero length touches nothing, even a bad pointer. */
    g_assert_cmpint(host_mem_read(buf, NULL, 0), ==, 0);
    g_assert_cmpint(host_mem_fill(NULL, 0, 0), ==, 0);
    mapping_destroy(&m);
}

/* Every kind of access past the truncated end fails; before it, works. */
static void test_truncated(void)
{
    Mapping m;
    g_autofree uint8_t *buf = NULL;

    mapping_init(&m);
    buf = g_malloc0(NPAGES * m.page);
    mapping_truncate(&m, 1);

    /* Page 0 is still there. */
    g_assert_cmpint(host_mem_read(buf, m.host, m.page), ==, 0);
    g_assert_cmpint(buf[m.page - 1], ==, 0xa0);

    /* A read that starts inside and runs past the end. */
    g_assert_cmpint(host_mem_read(buf, m.host + m.page / 2, m.page), ==,
                    -EFAULT);
    /* Entirely past the end: read, write, fill, several times over. */
    for (int i = 0; i < 3; i++) {
        g_assert_cmpint(host_mem_read(buf, m.host + 2 * m.page, 8), ==,
                        -EFAULT);
        g_assert_cmpint(host_mem_write(m.host + 3 * m.page, buf, 8), ==,
                        -EFAULT);
        g_assert_cmpint(host_mem_fill(m.host + m.page, 0, m.page), ==,
                        -EFAULT);
    }

    /* After a fault the guard is disarmed and the next access works. */
    g_assert_cmpint(host_mem_fill(m.host, 0x11, 16), ==, 0);
    g_assert_cmpint(m.host[15], ==, 0x11);

    /* Growing the file back makes the pages readable again (as zeros). */
    mapping_truncate(&m, NPAGES);
    g_assert_cmpint(host_mem_read(buf, m.host + 2 * m.page, m.page), ==, 0);
    g_assert_cmpint(buf[0], ==, 0);
    g_assert_cmpint(buf[m.page - 1], ==, 0);
    mapping_destroy(&m);
}

typedef struct ThreadArg {
    Mapping *m;
    unsigned seed;
    size_t slice_lo;    /* this thread's bytes in each page: [lo, end) */
    size_t slice_end;
    unsigned faults;
    unsigned good;
} ThreadArg;

/*
 * Alternate faulting and good accesses; each thread checks its own
 * results, so a jump delivered to the wrong thread or a guard left armed
 * shows up as a wrong return value or a dead process.  Threads fault in
 * disjoint slices of the missing pages: ThreadSanitizer records a copy
 * before it faults and would call two overlapping writes a race.
 */
static gpointer hammer(gpointer opaque)
{
    ThreadArg *a = opaque;
    Mapping *m = a->m;
    GRand *r = g_rand_new_with_seed(a->seed);
    uint8_t buf[256];

    for (int i = 0; i < 2000; i++) {
        size_t off = g_rand_int_range(r, a->slice_lo,
                                      a->slice_end - sizeof(buf) + 1);
        int bad_page = g_rand_int_range(r, 2, NPAGES);

        switch (i % 3) {
        case 0:
            g_assert_cmpint(host_mem_read(buf, m->host + bad_page * m->page
                                          + off, sizeof(buf)), ==, -EFAULT);
            break;
        case 1:
            g_assert_cmpint(host_mem_write(m->host + bad_page * m->page
                                           + off, buf, sizeof(buf)), ==,
                            -EFAULT);
            break;
        default:
            g_assert_cmpint(host_mem_fill(m->host + bad_page * m->page + off,
                                          0, sizeof(buf)), ==, -EFAULT);
            break;
        }
        a->faults++;
        /* Page 1 is read-only data for everyone: 0xa1. */
        g_assert_cmpint(host_mem_read(buf, m->host + m->page + off,
                                      sizeof(buf)), ==, 0);
        g_assert_cmpint(buf[0], ==, 0xa1);
        g_assert_cmpint(buf[sizeof(buf) - 1], ==, 0xa1);
        a->good++;
    }
    g_rand_free(r);
    return NULL;
}

static void test_threads(void)
{
    enum { NTHREADS = 4 };
    Mapping m;
    GThread *t[NTHREADS];
    ThreadArg args[NTHREADS];

    mapping_init(&m);
    mapping_truncate(&m, 2);
    for (int i = 0; i < NTHREADS; i++) {
        size_t slice = m.page / NTHREADS;

        args[i] = (ThreadArg){ .m = &m, .seed = 17 + i,
                               .slice_lo = i * slice,
                               .slice_end = (i + 1) * slice };
        t[i] = g_thread_new("hammer", hammer, &args[i]);
    }
    for (int i = 0; i < NTHREADS; i++) {
        g_thread_join(t[i]);
        g_assert_cmpuint(args[i].faults, ==, 2000);
        g_assert_cmpuint(args[i].good, ==, 2000);
    }
    mapping_destroy(&m);
}

typedef enum UnarmedHow {
    UNARMED_PLAIN_READ,     /* a plain load from the truncated page */
    UNARMED_KILL,           /* kill(getpid(), SIGBUS) */
    UNARMED_OTHER_RANGE,    /* fault while armed for another range */
} UnarmedHow;

/* Runs in the child: must not return. */
static void child_fault(Mapping *m, UnarmedHow how)
{
    struct rlimit no_core = { 0, 0 };
    volatile uint8_t *p = m->host + 2 * m->page;
    uint8_t buf[16];

    setrlimit(RLIMIT_CORE, &no_core);
    host_mem_guard_init();
    switch (how) {
    case UNARMED_PLAIN_READ:
        (void)*p;
        break;
    case UNARMED_KILL:
        kill(getpid(), SIGBUS);
        break;
    case UNARMED_OTHER_RANGE:
        /*
         * The destination is the broken mapping, but host_mem_read() armed
         * only the source: that is a caller bug and must not be swallowed.
         */
        host_mem_read((void *)p, m->host, sizeof(buf));
        break;
    }
    _exit(0);
}

static void check_dies_by_sigbus(UnarmedHow how)
{
    Mapping m;
    pid_t pid;
    int status;

    mapping_init(&m);
    mapping_truncate(&m, 1);
    /* The parent's guard is installed: the child inherits the handler. */
    host_mem_guard_init();
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        child_fault(&m, how);
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFSIGNALED(status));
    g_assert_cmpint(WTERMSIG(status), ==, SIGBUS);
    mapping_destroy(&m);
}

static void test_unarmed_plain_read(void)
{
    check_dies_by_sigbus(UNARMED_PLAIN_READ);
}

static void test_unarmed_kill(void)
{
    check_dies_by_sigbus(UNARMED_KILL);
}

static void test_unarmed_other_range(void)
{
    check_dies_by_sigbus(UNARMED_OTHER_RANGE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/host-mem/no-fault", test_no_fault);
    g_test_add_func("/host-mem/truncated-memfd", test_truncated);
    g_test_add_func("/host-mem/threads", test_threads);
    g_test_add_func("/host-mem/unarmed/plain-read", test_unarmed_plain_read);
    g_test_add_func("/host-mem/unarmed/kill", test_unarmed_kill);
    g_test_add_func("/host-mem/unarmed/other-range",
                    test_unarmed_other_range);
    return g_test_run();
}
