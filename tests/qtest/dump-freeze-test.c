/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-freeze-test.c: the plug state a dump reads does not change under
 * it, and a dump survives host memory that vanishes.
 *
 * For ELF and every kdump format the binary offers (flattened and raw,
 * each codec), at 1 and 8 threads, a detached dump is held while the
 * guest driver sends PLUG, UNPLUG, UNPLUG_ALL and STATE requests and the
 * host changes requested-size:
 *  - the plug changes are answered BUSY, STATE still answers ACK with the
 *    right state, requested-size changes the configuration (and raises
 *    the config interrupt) without plugging anything;
 *  - the memfd's allocation does not change, during or after the dump;
 *  - the dump holds exactly what was plugged and written when it started
 *    (in-tree readers: tests/elf, tests/dumpfmt);
 *  - after DUMP_COMPLETED the guest can unplug again (ACK).
 * A synchronous dump (ELF, flattened kdump) gets the same BUSY answers
 * over qtest while its reply is pending.
 * ELF and flattened kdump go to a pipe the test does not read until it
 * has sent the requests.  A raw kdump needs a seekable file, which never
 * blocks, so there the dump's threads themselves are held: the test
 * ptrace()s the main thread with PTRACE_O_TRACECLONE across the command,
 * so the compression threads and the dump thread start stopped, and
 * releases them after the requests.  (Not in the tsan suite: under
 * ThreadSanitizer pthread_create() waits for the new thread to run, so a
 * thread held at birth would hold the command.)
 *
 * With memory-backend-memfd,hugetlb=on and a huge page pool exactly as
 * large as what the guest wrote (skipped where the pool cannot be
 * raised), a plugged block the guest never wrote must not be read: that
 * would take a huge page the pool does not have (SIGBUS).
 *
 * With memory-backend-file, the backing file is truncated under a
 * running dump: DUMP_COMPLETED carries an error naming the guest
 * address, and the VMM keeps answering QMP.
 */
#include <fcntl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
#include "dump-vmem.h"
#include "kdump-util.h"

#define FZ_RAM_SIZE (16 * MiB)
/* the driver's rings and buffers (about 70 KiB); read back by the checks */
#define FZ_ALLOC_START (FZ_RAM_SIZE - 256 * KiB)
#define FZ_DEV_SIZE (16 * MiB)
#define FZ_BLOCK (2 * MiB)
/* Blocks [0, FZ_PLUGGED) are plugged; block FZ_UNWRITTEN is never written */
#define FZ_PLUGGED 4
#define FZ_UNWRITTEN 2
#define MEMFD_NAME "memory-backend-memfd"

/* ------------------------------------------------------------ machine */

static void fz_start(VM *v, const char *backend)
{
    memset(v, 0, sizeof(*v));
    v->qts = qtest_initf("-machine microvm -m 16M,maxmem=1G -object "
                         "%s,id=mem0,size=16M -device virtio-mem-device,"
                         "id=vm0,memdev=mem0,requested-size=16M", backend);
    v->alloc = guest_alloc_new(FZ_ALLOC_START, FZ_RAM_SIZE);
    v->vm = qvirtio_mem_init(v->qts, v->alloc, 0);
    qvirtio_mem_read_config(v->vm, &v->cfg);
    g_assert_cmpuint(v->cfg.block_size, ==, FZ_BLOCK);
    model_init(&v->model);
    model_foreign(&v->model, FZ_ALLOC_START, FZ_RAM_SIZE - FZ_ALLOC_START);
}

/* Data in plugged block @b (not the whole block: the rest stays a hole). */
static void fz_write_block(VM *v, unsigned b)
{
    model_write(v->qts, &v->model, blk(v, b) + b * 64 * KiB + 4096,
                128 * KiB, 40 + b);
}

/* Plug [0, FZ_PLUGGED), write all of them but FZ_UNWRITTEN, and base RAM. */
static void fz_populate(VM *v)
{
    plug(v, 0, FZ_PLUGGED);
    for (unsigned b = 0; b < FZ_PLUGGED; b++) {
        if (b != FZ_UNWRITTEN) {
            fz_write_block(v, b);
        }
    }
    model_write(v->qts, &v->model, 1 * MiB, 64 * KiB, 7);
}

static gint range_cmp(gconstpointer a, gconstpointer b)
{
    const DumpRange *x = a, *y = b;

    return x->start < y->start ? -1 : x->start > y->start;
}

/* What a kdump must hold: RAM and ROM outside the device, plugged blocks. */
static GArray *fz_ranges(VM *v, GArray *flat)
{
    GArray *all = kdump_ranges_from_flat(flat);
    DumpRange plugged = { blk(v, 0), blk(v, FZ_PLUGGED) };

    for (guint i = 0; i < all->len; ) {
        DumpRange *r = &g_array_index(all, DumpRange, i);

        if (r->start >= v->cfg.addr &&
            r->end <= v->cfg.addr + v->cfg.region_size) {
            g_array_remove_index(all, i);
        } else {
            i++;
        }
    }
    g_array_append_val(all, plugged);
    g_array_sort(all, range_cmp);
    return all;
}

/* --------------------------------------------------- holding the dump */

/*
 * struct Held: a detached dump that cannot progress until released.
 * @rd: the read end of its pipe (ELF, flattened kdump), or -1.
 * @tids: the stopped threads it started (raw kdump), or NULL.
 * @path: the raw kdump's file.
 * @drain: the pipe reader, once released.
 */
typedef struct Held {
    int rd;
    GArray *tids;
    char *path;
    GThread *drainer;
    DumpDrain drain;
} Held;

static char *dump_args(const char *format, unsigned threads,
                       const char *protocol)
{
    return g_strdup_printf("{'execute': 'dump-guest-memory', 'arguments': "
                           "{'paging': false, 'detach': true, "
                           "'protocol': '%s', 'format': '%s', "
                           "'x-dump-threads': %u}}", protocol, format,
                           threads);
}

/* Into a pipe of one page that nobody reads yet. */
static void hold_on_pipe(QTestState *s, Held *h, const char *format,
                         unsigned threads)
{
    g_autofree char *cmd = dump_args(format, threads, "fd:frozen");
    int p[2];

    memset(h, 0, sizeof(*h));
    g_assert_cmpint(pipe(p), ==, 0);
    /* the smallest pipe: any dump is larger */
    fcntl(p[1], F_SETPIPE_SZ, 4096);
    dump_getfd(s, p[1], "frozen");
    close(p[1]);
    h->rd = p[0];
    qtest_qmp_assert_success(s, "%s", cmd);
}

typedef struct ReplyWait {
    QTestState *s;
    JsonObject *reply;
    int done;
} ReplyWait;

/* The reply to the command, on a thread of ours (the tracer must poll). */
static gpointer reply_thread(gpointer opaque)
{
    ReplyWait *w = opaque;

    w->reply = qtest_qmp_receive(w->s);
    __atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* Note a clone event of the main thread and let it go on. */
static void tracee_continue(pid_t pid, int st, GArray *tids)
{
    int sig = WSTOPSIG(st);

    g_assert_true(WIFSTOPPED(st));
    if (st >> 8 == (SIGTRAP | (PTRACE_EVENT_CLONE << 8))) {
        unsigned long msg;
        pid_t tid;

        g_assert_cmpint(ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg), ==, 0);
        tid = msg;
        g_array_append_val(tids, tid);
        sig = 0;
    } else if (sig == SIGTRAP || st >> 16 == PTRACE_EVENT_STOP) {
        sig = 0;
    }
    g_assert_cmpint(ptrace(PTRACE_CONT, pid, 0, sig), ==, 0);
}

/*
 * Into a file, with every thread the command starts (the kdump workers,
 * made while preparing, and the dump thread) stopped before its first
 * instruction: trace the main thread with PTRACE_O_TRACECLONE until the
 * command has answered, so each new thread is attached and stops at
 * birth; then let the main thread go and keep the new ones stopped.
 */
static void hold_thread(QTestState *s, Held *h, const char *format,
                        unsigned threads)
{
    pid_t pid = qtest_pid(s);
    g_autofree char *proto = NULL;
    g_autofree char *cmd = NULL;
    ReplyWait w = { .s = s };
    GThread *t;
    int st;

    memset(h, 0, sizeof(*h));
    h->rd = -1;
    h->tids = g_array_new(false, false, sizeof(pid_t));
    h->path = g_strdup_printf("%s/%s-%u", qtest_tmpdir(), format, threads);
    unlink(h->path);
    proto = g_strdup_printf("file:%s", h->path);
    cmd = dump_args(format, threads, proto);

    g_assert_cmpint(ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACECLONE), ==,
                    0);
    qtest_qmp_send(s, "%s", cmd);
    t = g_thread_new("reply", reply_thread, &w);
    while (!__atomic_load_n(&w.done, __ATOMIC_ACQUIRE)) {
        pid_t got = waitpid(pid, &st, __WALL | WNOHANG);

        g_assert_cmpint(got, >=, 0);
        if (got == pid) {
            tracee_continue(pid, st, h->tids);
        } else {
            g_usleep(1000);
        }
    }
    g_thread_join(t);
    g_assert_true(qtest_json_has(w.reply, "return"));
    json_object_unref(w.reply);

    /* the command is over: stop the main thread once more and let go */
    g_assert_cmpint(ptrace(PTRACE_INTERRUPT, pid, 0, 0), ==, 0);
    for (;;) {
        g_assert_cmpint(waitpid(pid, &st, __WALL), ==, pid);
        if (st >> 16 == PTRACE_EVENT_STOP) {
            break;
        }
        tracee_continue(pid, st, h->tids);
    }
    g_assert_cmpint(ptrace(PTRACE_DETACH, pid, 0, 0), ==, 0);
    /* a dump starts at least its own thread */
    g_assert_cmpuint(h->tids->len, >=, 1);
    for (guint i = 0; i < h->tids->len; i++) {
        pid_t tid = g_array_index(h->tids, pid_t, i);

        g_assert_cmpint(waitpid(tid, &st, __WALL), ==, tid);
        g_assert_true(WIFSTOPPED(st));
    }
}

static void hold(QTestState *s, Held *h, const char *format,
                 unsigned threads)
{
    if (kdump_is_raw(format)) {
        hold_thread(s, h, format, threads);
    } else {
        hold_on_pipe(s, h, format, threads);
    }
}

static void release(Held *h)
{
    if (h->tids) {
        for (guint i = 0; i < h->tids->len; i++) {
            g_assert_cmpint(ptrace(PTRACE_DETACH,
                                   g_array_index(h->tids, pid_t, i), 0, 0),
                            ==, 0);
        }
        g_array_free(h->tids, true);
        h->tids = NULL;
    } else {
        /* a one-page pipe is slow to drain: widen it first */
        fcntl(h->rd, F_SETPIPE_SZ, 1 << 20);
        h->drain = (DumpDrain) { .fd = h->rd, .got = g_byte_array_new() };
        h->drainer = g_thread_new("drain", dump_drain_thread, &h->drain);
    }
}

/*
 * Wait for DUMP_COMPLETED; returns its "error" (new string) or NULL.  A
 * pipe's bytes land in @h->path.
 */
static char *finish(QTestState *s, Held *h, const char *format,
                    unsigned threads)
{
    JsonObject *ev = qtest_qmp_eventwait_ref(s, "DUMP_COMPLETED");
    char *err = qtest_json_has(ev, "data.error") ?
                g_strdup(qtest_json_get_str(ev, "data.error")) : NULL;

    json_object_unref(ev);
    if (h->drainer) {
        g_thread_join(h->drainer);
        close(h->rd);
        h->path = g_strdup_printf("%s/%s-%u-pipe", qtest_tmpdir(), format,
                                  threads);
        g_assert_true(g_file_set_contents(h->path,
                                          (char *)h->drain.got->data,
                                          h->drain.got->len, NULL));
        g_byte_array_unref(h->drain.got);
        h->drainer = NULL;
    }
    return err;
}

static void held_free(Held *h)
{
    if (h->path) {
        unlink(h->path);
        g_free(h->path);
    }
}

/* ------------------------------------------------------ the requests */

static const char *status_of(QTestState *s)
{
    static char buf[32];
    JsonObject *r = qtest_qmp(s, "{'execute': 'query-dump'}");

    g_strlcpy(buf, qtest_json_get_str(r, "return.status"), sizeof(buf));
    json_object_unref(r);
    return buf;
}

static void set_requested(VM *v, uint64_t size)
{
    qtest_qmp_assert_success(v->qts, "{'execute': 'qom-set', 'arguments': "
                             "{'path': 'vm0', 'property': 'requested-size',"
                             " 'value': %" PRIu64 "}}", size);
}

/*
 * Every request type while the dump is held: nothing changes but the
 * requested size.
 */
static void requests_while_held(VM *v)
{
    QVirtioMemConfig cfg;
    uint16_t state;

    g_assert_cmpstr(status_of(v->qts), ==, "active");
    /* valid requests that would change the plug state: BUSY */
    g_assert_cmpuint(qvirtio_mem_plug(v->vm, blk(v, FZ_PLUGGED + 1), 1), ==,
                     VIRTIO_MEM_RESP_BUSY);
    g_assert_cmpuint(qvirtio_mem_unplug(v->vm, blk(v, 1), 1), ==,
                     VIRTIO_MEM_RESP_BUSY);
    g_assert_cmpuint(qvirtio_mem_unplug(v->vm, blk(v, 0), FZ_PLUGGED), ==,
                     VIRTIO_MEM_RESP_BUSY);
    g_assert_cmpuint(qvirtio_mem_unplug_all(v->vm), ==,
                     VIRTIO_MEM_RESP_BUSY);
    /* invalid ones are still invalid (validation comes first) */
    g_assert_cmpuint(qvirtio_mem_plug(v->vm, blk(v, 0), 1), ==,
                     VIRTIO_MEM_RESP_ERROR);
    /* STATE keeps answering */
    g_assert_cmpuint(qvirtio_mem_state(v->vm, blk(v, 0), FZ_PLUGGED, &state),
                     ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(state, ==, VIRTIO_MEM_STATE_PLUGGED);
    g_assert_cmpuint(qvirtio_mem_state(v->vm, blk(v, FZ_PLUGGED),
                                       FZ_DEV_SIZE / FZ_BLOCK - FZ_PLUGGED,
                                       &state), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(state, ==, VIRTIO_MEM_STATE_UNPLUGGED);
    g_assert_cmpuint(qvirtio_mem_state(v->vm, blk(v, FZ_PLUGGED - 1), 2,
                                       &state), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(state, ==, VIRTIO_MEM_STATE_MIXED);

    /* requested-size: the configuration and its interrupt, nothing else */
    qvirtio_isr_ack(v->vm->dev, qvirtio_isr(v->vm->dev));
    set_requested(v, 12 * MiB);
    g_assert_true(qvirtio_isr(v->vm->dev) & VIRTIO_MMIO_INT_CONFIG);
    qvirtio_isr_ack(v->vm->dev, VIRTIO_MMIO_INT_CONFIG);
    qvirtio_mem_read_config(v->vm, &cfg);
    g_assert_cmpuint(cfg.requested_size, ==, 12 * MiB);
    g_assert_cmpuint(cfg.plugged_size, ==, FZ_PLUGGED * FZ_BLOCK);
    g_assert_cmpuint(cfg.usable_region_size, ==, v->cfg.usable_region_size);
    set_requested(v, FZ_DEV_SIZE);
    /* still the same dump */
    g_assert_cmpstr(status_of(v->qts), ==, "active");
}

/* The dump at @path equals what was plugged and written at its start. */
static void check_dump(VM *v, const char *format, const char *path)
{
    g_autoptr(GArray) flat = flat_ranges(v->qts);

    if (!strcmp(format, "elf")) {
        ElfCore core;
        unsigned dev_loads = 0;

        dump_open(&core, path);
        check_dump_loads(v->qts, &core, &v->model, flat);
        for (unsigned i = 1; i < core.phnum; i++) {
            const ElfSegment *s = elf_core_segment(&core, i);

            if (s->paddr >= v->cfg.addr) {
                g_assert_cmphex(s->paddr, ==, blk(v, 0));
                g_assert_cmphex(s->memsz, ==, FZ_PLUGGED * FZ_BLOCK);
                dev_loads++;
            }
        }
        g_assert_cmpuint(dev_loads, ==, 1);
        elf_core_free(&core);
    } else {
        g_autoptr(GArray) ranges = fz_ranges(v, flat);

        kdump_reader_close(kdump_check(v->qts, path, &v->model, flat,
                                       ranges));
    }
}

/*
 * One format at one thread count: hold, ask, release, check; then the
 * guest unplugs and replugs a block to show the freeze is gone (and
 * writes it again: the next case sees the same memory).  The dump is
 * checked page by page against the model.
 */
static void run_case(VM *v, const char *format, unsigned threads,
                     const char *alloc_name)
{
    pid_t pid = qtest_pid(v->qts);
    uint64_t before = alloc_name ? memfd_allocated(pid, alloc_name) : 0;
    g_autofree char *err = NULL;
    Held h;

    g_test_message("%s, %u thread(s)", format, threads);
    hold(v->qts, &h, format, threads);
    requests_while_held(v);
    if (alloc_name) {
        g_assert_cmpuint(memfd_allocated(pid, alloc_name), ==, before);
    }
    release(&h);
    err = finish(v->qts, &h, format, threads);
    g_assert_null(err);
    if (alloc_name) {
        /* the dump did not read the holes (or the blocks it skipped) */
        g_assert_cmpuint(memfd_allocated(pid, alloc_name), ==, before);
    }
    check_dump(v, format, h.path);
    held_free(&h);

    /* thawed: the plug state moves again */
    unplug(v, FZ_PLUGGED - 1, 1);
    plug(v, FZ_PLUGGED - 1, 1);
    fz_write_block(v, FZ_PLUGGED - 1);
}

static GStrv all_formats(QTestState *s)
{
    g_auto(GStrv) kdump = kdump_formats(s);
    GStrvBuilder *b = g_strv_builder_new();
    GStrv all;

    g_strv_builder_add(b, "elf");
    g_strv_builder_addv(b, (const char **)kdump);
    all = g_strv_builder_end(b);
    g_strv_builder_unref(b);
    return all;
}

/*
 * A synchronous dump (no detach) to a pipe: its reply waits for the end,
 * but the guest keeps talking over qtest meanwhile, and gets BUSY.
 * (The dump's monitor is busy until the reply, so no QMP here.)
 */
static void sync_case(VM *v, const char *format)
{
    pid_t pid = qtest_pid(v->qts);
    uint64_t before = memfd_allocated(pid, MEMFD_NAME);
    g_autofree char *cmd = NULL;
    g_autofree char *err = NULL;
    uint16_t state;
    JsonObject *r;
    Held h;
    int p[2];

    g_test_message("%s, synchronous", format);
    memset(&h, 0, sizeof(h));
    g_assert_cmpint(pipe(p), ==, 0);
    fcntl(p[1], F_SETPIPE_SZ, 4096);
    dump_getfd(v->qts, p[1], "frozen");
    close(p[1]);
    h.rd = p[0];
    cmd = g_strdup_printf("{'execute': 'dump-guest-memory', 'arguments': "
                          "{'paging': false, 'protocol': 'fd:frozen', "
                          "'format': '%s'}}", format);
    qtest_qmp_events_clear(v->qts);
    qtest_qmp_send(v->qts, "%s", cmd);
    /*
     * STOP goes out while the command runs on the main loop, which takes
     * the freeze before it reads the qtest socket again.
     */
    qtest_qmp_eventwait(v->qts, "STOP");
    g_assert_cmpuint(qvirtio_mem_unplug(v->vm, blk(v, 1), 1), ==,
                     VIRTIO_MEM_RESP_BUSY);
    g_assert_cmpuint(qvirtio_mem_plug(v->vm, blk(v, FZ_PLUGGED + 1), 1), ==,
                     VIRTIO_MEM_RESP_BUSY);
    g_assert_cmpuint(qvirtio_mem_unplug_all(v->vm), ==,
                     VIRTIO_MEM_RESP_BUSY);
    g_assert_cmpuint(qvirtio_mem_state(v->vm, blk(v, 0), FZ_PLUGGED, &state),
                     ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(state, ==, VIRTIO_MEM_STATE_PLUGGED);
    g_assert_cmpuint(memfd_allocated(pid, MEMFD_NAME), ==, before);
    release(&h);
    r = qtest_qmp_receive(v->qts);
    g_assert_true(qtest_json_has(r, "return"));
    json_object_unref(r);
    err = finish(v->qts, &h, format, 0);
    g_assert_null(err);
    g_assert_cmpuint(memfd_allocated(pid, MEMFD_NAME), ==, before);
    check_dump(v, format, h.path);
    held_free(&h);
    unplug(v, FZ_PLUGGED - 1, 1);
    plug(v, FZ_PLUGGED - 1, 1);
    fz_write_block(v, FZ_PLUGGED - 1);
}

static void test_synchronous(void)
{
    g_auto(GStrv) formats = NULL;
    VM v;

    fz_start(&v, "memory-backend-memfd");
    fz_populate(&v);
    formats = all_formats(v.qts);
    sync_case(&v, "elf");
    sync_case(&v, formats[1]);      /* a flattened kdump */
    vm_stop(&v);
}

static void test_every_format(void)
{
    static const unsigned threads[] = { 1, 8 };
    g_auto(GStrv) formats = NULL;
    VM v;

    fz_start(&v, "memory-backend-memfd");
    fz_populate(&v);
    formats = all_formats(v.qts);
    for (guint i = 0; formats[i]; i++) {
        for (unsigned t = 0; t < ARRAY_SIZE(threads); t++) {
            run_case(&v, formats[i], threads[t], MEMFD_NAME);
        }
    }

    /* a cancelled dump thaws too */
    {
        g_autofree char *err = NULL;
        Held h;

        hold(v.qts, &h, "elf", 1);
        g_assert_cmpuint(qvirtio_mem_unplug(v.vm, blk(&v, 1), 1), ==,
                         VIRTIO_MEM_RESP_BUSY);
        qtest_qmp_assert_success(v.qts, "{'execute': 'dump-cancel'}");
        release(&h);
        err = finish(v.qts, &h, "elf", 1);
        g_assert_cmpstr(err, ==, "dump: cancelled by dump-cancel");
        held_free(&h);
        unplug(&v, 1, 1);
    }
    vm_stop(&v);
}

/* ------------------------------------------------------------ hugetlb */

static long read_long(const char *path)
{
    g_autofree char *s = NULL;

    if (!g_file_get_contents(path, &s, NULL, NULL)) {
        return -1;
    }
    return strtol(s, NULL, 10);
}

/* In place: /proc/sys files cannot be replaced by a rename. */
static bool write_long(const char *path, long v)
{
    FILE *f = fopen(path, "w");
    bool ok;

    if (!f) {
        return false;
    }
    ok = fprintf(f, "%ld\n", v) > 0;
    return (fclose(f) == 0) && ok;
}

static long meminfo_free_huge(void)
{
    g_autofree char *s = NULL;
    const char *p;

    if (!g_file_get_contents("/proc/meminfo", &s, NULL, NULL) ||
        !(p = strstr(s, "HugePages_Free:"))) {
        return -1;
    }
    return strtol(p + strlen("HugePages_Free:"), NULL, 10);
}

#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"
/* Huge pages the guest's writes take: one per written block. */
#define FZ_HUGE_NEED (FZ_PLUGGED - 1)

/*
 * The part that runs in a subprocess, so that the pool is given back
 * whatever happens here.  reserve=off (MAP_NORESERVE): the pool holds
 * exactly the huge pages the guest's writes take (plus any free pages
 * others left there); block FZ_UNWRITTEN is plugged but has none, and
 * reading it would take one more (SIGBUS when the pool is empty, a grown
 * allocation otherwise).
 * The dump must know it is a hole (pagemap: hugetlbfs's SEEK_DATA calls
 * everything data) and never touch it.
 */
static void hugetlb_child(void)
{
    g_auto(GStrv) formats = NULL;
    VM v;

    fz_start(&v, "memory-backend-memfd,hugetlb=on,hugetlbsize=2M,"
             "reserve=off");
    fz_populate(&v);
    /*
     * Empty unless someone else keeps free huge pages; either way a read
     * of the unwritten block would show in the memfd's allocation.
     */
    g_test_message("free huge pages after the guest's writes: %ld",
                   meminfo_free_huge());
    formats = all_formats(v.qts);
    run_case(&v, "elf", 1, MEMFD_NAME);
    run_case(&v, formats[1], 8, MEMFD_NAME);
    g_assert_cmpstr(status_of(v.qts), ==, "completed");
    vm_stop(&v);
}

static void test_hugetlb(void)
{
    long orig, free_before;

    if (g_test_subprocess()) {
        hugetlb_child();
        return;
    }
    orig = read_long(NR_HUGEPAGES);
    free_before = meminfo_free_huge();

    if (read_long("/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages")
        < 0) {
        g_test_skip("no 2 MiB huge pages on this host");
        return;
    }
    if (orig < 0 || !write_long(NR_HUGEPAGES, orig + FZ_HUGE_NEED)) {
        g_test_skip("cannot raise " NR_HUGEPAGES " (not root?)");
        return;
    }
    if (meminfo_free_huge() < free_before + FZ_HUGE_NEED) {
        write_long(NR_HUGEPAGES, MAX(read_long(NR_HUGEPAGES) - FZ_HUGE_NEED,
                                     0));
        g_test_skip("the kernel could not find memory for huge pages");
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
    /* give back what we added, whatever others did meanwhile */
    write_long(NR_HUGEPAGES, MAX(read_long(NR_HUGEPAGES) - FZ_HUGE_NEED, 0));
    g_test_trap_assert_passed();
    g_test_message("pool raised by %d over %ld free", FZ_HUGE_NEED,
                   free_before);
}

/* -------------------------------------------------- a vanishing file */

/*
 * The backing file of the device is truncated while a dump is held: the
 * dump fails with an error naming a guest address, and the VMM lives.
 */
static void truncate_under_dump(const char *format, unsigned threads)
{
    g_autofree char *file = g_strdup_printf("%s/ram-%s", qtest_tmpdir(),
                                            format);
    g_autofree char *backend = g_strdup_printf(
        "memory-backend-file,share=on,mem-path=%s", file);
    g_autofree char *err = NULL;
    JsonObject *r;
    Held h;
    VM v;

    g_test_message("%s, %u thread(s)", format, threads);
    fz_start(&v, backend);
    fz_populate(&v);
    hold(v.qts, &h, format, threads);
    g_assert_cmpint(truncate(file, 0), ==, 0);
    release(&h);
    err = finish(v.qts, &h, format, threads);
    g_assert_nonnull(err);
    g_assert_true(strstr(err, "cannot read guest memory at 0x"));
    g_assert_cmpstr(status_of(v.qts), ==, "failed");
    r = qtest_qmp(v.qts, "{'execute': 'query-status'}");
    g_assert_true(qtest_json_get_bool(r, "return.running"));
    json_object_unref(r);
    held_free(&h);
    /* the failed dump thawed: the guest can unplug (discarding is fine) */
    unplug(&v, 0, 1);
    /* the driver's rings are in base RAM, not in the vanished file */
    vm_stop(&v);
    unlink(file);
}

static void test_truncated_file(void)
{
    g_auto(GStrv) formats = NULL;
    QTestState *s = qtest_init("-machine microvm -m 16M");

    formats = all_formats(s);
    qtest_quit(s);
    truncate_under_dump("elf", 1);
    for (guint i = 1; formats[i]; i++) {
        /* one codec is enough: the read path is the same for all */
        if (i <= 2) {
            truncate_under_dump(formats[i], 8);
        }
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dump/freeze/every-format", test_every_format);
    g_test_add_func("/dump/freeze/synchronous", test_synchronous);
    g_test_add_func("/dump/freeze/hugetlb", test_hugetlb);
    g_test_add_func("/dump/freeze/truncated-file", test_truncated_file);
    return g_test_run();
}
