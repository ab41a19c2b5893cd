/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-dump-sink.c: the dump byte sinks: a regular file gets holes (and
 * stale data below its old end is punched, not left visible), a pipe gets
 * written zeros and refuses going back, O_APPEND files are sequential,
 * EINTR and short writes at every call give byte-identical output,
 * ENOSPC surfaces as -ENOSPC, copy_fd falls back cleanly, and the memory
 * sink records holes.
 */
#include "qemu/osdep.h"
#include <sys/mman.h>
#include "dump/dump-sink.h"
#include "faults.h"
#include "qemu/units.h"


static char *tmp_file(int *fd)
{
    char *path = g_build_filename(g_get_tmp_dir(), "dump-sink-XXXXXX", NULL);

    *fd = g_mkstemp(path);
    g_assert_cmpint(*fd, >=, 0);
    return path;
}

static void fill(uint8_t *buf, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = seed + i * 13 + (i >> 12);
    }
}

/* Read the whole file at @fd. */
static GBytes *slurp(int fd)
{
    struct stat st;
    uint8_t *buf;

    g_assert_cmpint(fstat(fd, &st), ==, 0);
    buf = g_malloc(st.st_size + 1);
    g_assert_cmpint(pread(fd, buf, st.st_size, 0), ==, st.st_size);
    return g_bytes_new_take(buf, st.st_size);
}

/* The pattern every sink test writes: data, a 1 MiB hole, data, tail. */
static void write_pattern(DumpSink *sink, const uint8_t *data)
{
    g_assert_cmpint(dump_sink_pwrite(sink, data, 100, 0), ==, 0);
    g_assert_cmpint(dump_sink_zero(sink, 100, 1 * MiB), ==, 0);
    g_assert_cmpint(dump_sink_pwrite(sink, data + 100, 64 * KiB,
                                     100 + 1 * MiB), ==, 0);
    g_assert_cmpint(dump_sink_finish(sink, 100 + 1 * MiB + 64 * KiB +
                                     2 * MiB), ==, 0);
}

static void check_pattern(GBytes *b, const uint8_t *data)
{
    gsize len;
    const uint8_t *p = g_bytes_get_data(b, &len);

    g_assert_cmpuint(len, ==, 100 + 1 * MiB + 64 * KiB + 2 * MiB);
    g_assert_cmpmem(p, 100, data, 100);
    for (size_t i = 100; i < 100 + 1 * MiB; i++) {
        g_assert_cmphex(p[i], ==, 0);
    }
    g_assert_cmpmem(p + 100 + 1 * MiB, 64 * KiB, data + 100, 64 * KiB);
    for (size_t i = 100 + 1 * MiB + 64 * KiB; i < len; i++) {
        g_assert_cmphex(p[i], ==, 0);
    }
}

static void test_file_holes(void)
{
    int fd;
    g_autofree char *path = tmp_file(&fd);
    uint8_t *data = g_malloc(128 * KiB);
    DumpSink *sink;
    struct stat st;

    fill(data, 128 * KiB, 1);
    sink = dump_fd_sink_new(fd);
    g_assert_true(sink->seekable);
    write_pattern(sink, data);
    g_assert_cmpuint(sink->bytes_written, ==, 100 + 64 * KiB);
    dump_sink_free(sink);
    {
        g_autoptr(GBytes) b = slurp(fd);

        check_pattern(b, data);
    }
    /* The holes take no space: a few blocks around the data only. */
    g_assert_cmpint(fstat(fd, &st), ==, 0);
    g_assert_cmpuint(st.st_blocks * 512, <=, 64 * KiB + 3 * 4 * KiB);
    g_assert_cmpint(lseek(fd, 8 * KiB, SEEK_DATA), ==, 100 + 1 * MiB -
                    (100 + 1 * MiB) % 4096);
    close(fd);
    unlink(path);
    g_free(data);
}

/*
 * Large writes go to the disk with O_DIRECT for their aligned middle,
 * through the page cache for the unaligned head and tail: same bytes.
 */
static void test_file_direct(void)
{
    int fd;
    g_autofree char *path = tmp_file(&fd);
    void *mem = NULL;
    uint8_t *data;
    DumpSink *sink;

    g_assert_cmpint(posix_memalign(&mem, 4096, 2 * MiB), ==, 0);
    data = mem;
    fill(data, 2 * MiB, 13);
    sink = dump_fd_sink_new(fd);
    /* unaligned offset: 3996 bytes before the first aligned one */
    g_assert_cmpint(dump_sink_pwrite(sink, data + 4096 - 3996, 1 * MiB,
                                     100), ==, 0);
    g_assert_cmpint(dump_sink_finish(sink, 100 + 1 * MiB), ==, 0);
    if (!sink->bytes_direct) {
        g_test_message("no O_DIRECT on %s: buffered only", g_get_tmp_dir());
    }
    /* whole units of the file system's direct I/O alignment (>= 512) */
    g_assert_cmpuint(sink->bytes_direct % 512, ==, 0);
    g_assert_cmpuint(sink->bytes_direct, <, 1 * MiB);
    dump_sink_free(sink);
    {
        g_autoptr(GBytes) b = slurp(fd);
        gsize len;
        const uint8_t *p = g_bytes_get_data(b, &len);

        g_assert_cmpuint(len, ==, 100 + 1 * MiB);
        g_assert_cmpmem(p + 100, 1 * MiB, data + 4096 - 3996, 1 * MiB);
    }
    /* and with direct I/O switched off, the same */
    dump_fd_sink_set_direct_io(false);
    sink = dump_fd_sink_new(fd);
    g_assert_cmpint(dump_sink_pwrite(sink, data, 1 * MiB, 0), ==, 0);
    g_assert_cmpuint(sink->bytes_direct, ==, 0);
    dump_sink_free(sink);
    dump_fd_sink_set_direct_io(true);
    close(fd);
    unlink(path);
    free(mem);
}

/* A passed regular file with old contents: holes must not show them. */
static void test_file_stale(void)
{
    int fd;
    g_autofree char *path = tmp_file(&fd);
    uint8_t *data = g_malloc(128 * KiB);
    uint8_t *junk = g_malloc(4 * MiB);
    DumpSink *sink;

    fill(data, 128 * KiB, 7);
    memset(junk, 0xa5, 4 * MiB);
    g_assert_cmpint(write(fd, junk, 4 * MiB), ==, 4 * MiB);
    g_assert_cmpint(lseek(fd, 0, SEEK_SET), ==, 0);
    sink = dump_fd_sink_new(fd);
    write_pattern(sink, data);
    dump_sink_free(sink);
    {
        g_autoptr(GBytes) b = slurp(fd);
        gsize len;
        const uint8_t *p = g_bytes_get_data(b, &len);

        /* QEMU leaves bytes past the dump alone; so do we */
        g_assert_cmpuint(len, ==, 4 * MiB);
        g_assert_cmpmem(p, 100, data, 100);
        for (size_t i = 100; i < 100 + 1 * MiB; i++) {
            g_assert_cmphex(p[i], ==, 0);
        }
        for (size_t i = 100 + 1 * MiB + 64 * KiB;
             i < 100 + 1 * MiB + 64 * KiB + 2 * MiB; i++) {
            g_assert_cmphex(p[i], ==, 0);
        }
        g_assert_cmphex(p[4 * MiB - 1], ==, 0xa5);
    }
    close(fd);
    unlink(path);
    g_free(data);
    g_free(junk);
}

/* A file passed at a non-zero position: output offset 0 is there. */
static void test_file_position(void)
{
    int fd;
    g_autofree char *path = tmp_file(&fd);
    uint8_t data[300];
    DumpSink *sink;

    fill(data, sizeof(data), 3);
    g_assert_cmpint(write(fd, "HEADER", 6), ==, 6);
    sink = dump_fd_sink_new(fd);
    g_assert_cmpint(dump_sink_pwrite(sink, data, 300, 0), ==, 0);
    g_assert_cmpint(dump_sink_finish(sink, 300), ==, 0);
    dump_sink_free(sink);
    {
        g_autoptr(GBytes) b = slurp(fd);
        gsize len;
        const uint8_t *p = g_bytes_get_data(b, &len);

        g_assert_cmpuint(len, ==, 306);
        g_assert_cmpmem(p, 6, "HEADER", 6);
        g_assert_cmpmem(p + 6, 300, data, 300);
    }
    close(fd);
    unlink(path);
}

typedef struct PipeReader {
    int fd;
    GByteArray *got;
} PipeReader;

static gpointer pipe_reader(gpointer opaque)
{
    PipeReader *r = opaque;
    uint8_t buf[65536];
    ssize_t n;

    while ((n = read(r->fd, buf, sizeof(buf))) > 0) {
        g_byte_array_append(r->got, buf, n);
    }
    return NULL;
}

static void test_pipe(void)
{
    int p[2];
    PipeReader r;
    GThread *t;
    uint8_t *data = g_malloc(128 * KiB);
    DumpSink *sink;

    fill(data, 128 * KiB, 9);
    g_assert_cmpint(pipe(p), ==, 0);
    r.fd = p[0];
    r.got = g_byte_array_new();
    t = g_thread_new("reader", pipe_reader, &r);
    sink = dump_fd_sink_new(p[1]);
    g_assert_false(sink->seekable);
    /* going back is refused */
    g_assert_cmpint(dump_sink_pwrite(sink, data, 10, 0), ==, 0);
    g_assert_cmpint(dump_sink_pwrite(sink, data, 10, 5), ==, -ESPIPE);
    g_assert_cmpint(dump_sink_pwrite(sink, data, 10, 20), ==, -ESPIPE);
    dump_sink_free(sink);
    close(p[1]);
    g_thread_join(t);
    g_assert_cmpuint(r.got->len, ==, 10);
    g_byte_array_unref(r.got);
    close(p[0]);

    /* the pattern through a pipe: zeros are written */
    g_assert_cmpint(pipe(p), ==, 0);
    r.fd = p[0];
    r.got = g_byte_array_new();
    t = g_thread_new("reader", pipe_reader, &r);
    sink = dump_fd_sink_new(p[1]);
    write_pattern(sink, data);
    g_assert_cmpuint(sink->bytes_written, ==, 100 + 1 * MiB + 64 * KiB +
                     2 * MiB);
    dump_sink_free(sink);
    close(p[1]);
    g_thread_join(t);
    {
        g_autoptr(GBytes) b = g_byte_array_free_to_bytes(r.got);

        check_pattern(b, data);
    }
    close(p[0]);

    /* the reader went away: EPIPE, not death by SIGPIPE */
    g_assert_cmpint(pipe(p), ==, 0);
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    sink = dump_fd_sink_new(p[1]);
    g_assert_cmpint(dump_sink_pwrite(sink, data, 100, 0), ==, -EPIPE);
    dump_sink_free(sink);
    close(p[1]);
    g_free(data);
}

typedef struct StalledWrite {
    DumpSink *sink;
    const uint8_t *data;
    int ret;
} StalledWrite;

static gpointer stalled_writer(gpointer opaque)
{
    StalledWrite *w = opaque;

    __atomic_store_n(&w->ret, dump_sink_pwrite(w->sink, w->data, 1 * MiB, 0),
                     __ATOMIC_SEQ_CST);
    return NULL;
}

/* A reader that never reads: the write waits, interrupt ends it. */
static void test_pipe_interrupt(void)
{
    int p[2];
    uint8_t *data = g_malloc0(1 * MiB);
    StalledWrite w = { .data = data, .ret = 1 };
    GThread *t;

    g_assert_cmpint(pipe(p), ==, 0);
    w.sink = dump_fd_sink_new(p[1]);
    t = g_thread_new("writer", stalled_writer, &w);
    g_usleep(100 * 1000);
    g_assert_cmpint(__atomic_load_n(&w.ret, __ATOMIC_SEQ_CST), ==, 1);
    dump_sink_interrupt(w.sink);
    g_thread_join(t);
    g_assert_cmpint(w.ret, ==, -ECANCELED);
    dump_sink_free(w.sink);
    close(p[0]);
    close(p[1]);
    g_free(data);
}

static void test_append_is_sequential(void)
{
    int fd;
    g_autofree char *path = tmp_file(&fd);
    int afd = open(path, O_WRONLY | O_APPEND);
    DumpSink *sink = dump_fd_sink_new(afd);

    g_assert_false(sink->seekable);
    dump_sink_free(sink);
    close(afd);
    close(fd);
    unlink(path);
}

/* ----------------------------------------------------- fault injection */

/*
 * EINTR and short writes at two calls in three (tests/faults/, linked
 * in): the sink retries until every byte is written.
 */
static void test_eintr_short(void)
{
    int fd;
    g_autofree char *path = tmp_file(&fd);
    uint8_t *data = g_malloc(128 * KiB);
    DumpSink *sink;
    FaultStats st;

    fill(data, 128 * KiB, 5);
    fault_arm(FAULT_PWRITE, 1, true, FAULT_FLAKY);
    sink = dump_fd_sink_new(fd);
    write_pattern(sink, data);
    dump_sink_free(sink);
    fault_get_stats(FAULT_PWRITE, &st);
    fault_disarm_all();
    g_assert_cmpuint(st.injected, >, 0);
    {
        g_autoptr(GBytes) b = slurp(fd);

        check_pattern(b, data);
    }
    close(fd);
    unlink(path);
    g_free(data);
}

/* The same through a pipe: the stream writes (pwritev2 at the position) */
static void test_eintr_short_stream(void)
{
    uint8_t data[64 * KiB];
    g_autoptr(GByteArray) got = g_byte_array_new();
    DumpSink *sink;
    FaultStats st;
    int p[2];

    fill(data, sizeof(data), 9);
    g_assert_cmpint(pipe(p), ==, 0);
    g_assert_cmpint(fcntl(p[0], F_SETPIPE_SZ, 1024 * 1024), >=, 0);
    fault_arm(FAULT_WRITE, 1, true, FAULT_FLAKY);
    sink = dump_fd_sink_new(p[1]);
    g_assert_cmpint(dump_sink_pwrite(sink, data, sizeof(data), 0), ==, 0);
    dump_sink_free(sink);
    fault_get_stats(FAULT_WRITE, &st);
    fault_disarm_all();
    close(p[1]);
    g_assert_cmpuint(st.injected, >, 0);
    for (;;) {
        uint8_t buf[4096];
        ssize_t n = read(p[0], buf, sizeof(buf));

        if (n <= 0) {
            break;
        }
        g_byte_array_append(got, buf, n);
    }
    close(p[0]);
    g_assert_cmpmem(got->data, got->len, data, sizeof(data));
}

/* A disk that fills at byte 40 (tests/faults/) */
static void test_enospc(void)
{
    int fd;
    g_autofree char *path = tmp_file(&fd);
    uint8_t data[64];
    DumpSink *sink;

    fill(data, sizeof(data), 5);
    fault_arm_at(40, ENOSPC);
    sink = dump_fd_sink_new(fd);
    g_assert_cmpint(dump_sink_pwrite(sink, data, 32, 0), ==, 0);
    g_assert_cmpint(dump_sink_pwrite(sink, data, 32, 32), ==, -ENOSPC);
    g_assert_cmpuint(dump_sink_end(sink), ==, 32);
    dump_sink_free(sink);
    fault_disarm_all();
    close(fd);
    unlink(path);
}

/* copy_fd from a memfd: copied in the kernel or written; same bytes. */
static void test_copy_fd(void)
{
    int fd, mfd = memfd_create("src", MFD_CLOEXEC);
    g_autofree char *path = tmp_file(&fd);
    uint8_t *map;
    DumpSink *sink;

    g_assert_cmpint(mfd, >=, 0);
    g_assert_cmpint(ftruncate(mfd, 1 * MiB), ==, 0);
    map = mmap(NULL, 1 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
    g_assert_true(map != MAP_FAILED);
    fill(map, 1 * MiB, 11);
    sink = dump_fd_sink_new(fd);
    g_assert_cmpint(dump_sink_copy_fd(sink, mfd, 4096, map + 4096, 512 * KiB,
                                      0), ==, 0);
    g_assert_cmpint(dump_sink_copy_fd(sink, mfd, 0, map, 4096, 512 * KiB),
                    ==, 0);
    g_assert_cmpint(dump_sink_finish(sink, 512 * KiB + 4096), ==, 0);
    g_assert_cmpuint(sink->bytes_written, ==, 512 * KiB + 4096);
    dump_sink_free(sink);
    {
        g_autoptr(GBytes) b = slurp(fd);
        gsize len;
        const uint8_t *p = g_bytes_get_data(b, &len);

        g_assert_cmpuint(len, ==, 512 * KiB + 4096);
        g_assert_cmpmem(p, 512 * KiB, map + 4096, 512 * KiB);
        g_assert_cmpmem(p + 512 * KiB, 4096, map, 4096);
    }
    munmap(map, 1 * MiB);
    close(mfd);
    close(fd);
    unlink(path);
}

static void test_mem_sink(void)
{
    DumpSink *sink = dump_mem_sink_new(false);
    uint8_t *data = g_malloc(128 * KiB);
    size_t len;
    const uint8_t *p;

    fill(data, 128 * KiB, 21);
    /* random access */
    g_assert_cmpint(dump_sink_pwrite(sink, data, 10, 1000), ==, 0);
    g_assert_cmpint(dump_sink_pwrite(sink, data + 10, 10, 0), ==, 0);
    p = dump_mem_sink_data(sink, &len);
    g_assert_cmpuint(len, ==, 1010);
    g_assert_cmpmem(p, 10, data + 10, 10);
    g_assert_cmpmem(p + 1000, 10, data, 10);
    /* finish smaller than what was written is a caller bug */
    g_assert_cmpint(dump_sink_finish(sink, 5), ==, -EINVAL);
    dump_sink_free(sink);

    sink = dump_mem_sink_new(false);
    write_pattern(sink, data);
    g_assert_cmpuint(dump_mem_sink_hole_bytes(sink), ==, 3 * MiB);
    p = dump_mem_sink_data(sink, &len);
    {
        g_autoptr(GBytes) b = g_bytes_new(p, len);

        check_pattern(b, data);
    }
    dump_sink_free(sink);

    sink = dump_mem_sink_new(true);
    write_pattern(sink, data);
    g_assert_cmpuint(dump_mem_sink_hole_bytes(sink), ==, 0);
    g_assert_cmpint(dump_sink_pwrite(sink, data, 1, 0), ==, -ESPIPE);
    dump_sink_free(sink);
    g_free(data);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dump-sink/file/holes", test_file_holes);
    g_test_add_func("/dump-sink/file/stale-data", test_file_stale);
    g_test_add_func("/dump-sink/file/direct", test_file_direct);
    g_test_add_func("/dump-sink/file/position", test_file_position);
    g_test_add_func("/dump-sink/file/append", test_append_is_sequential);
    g_test_add_func("/dump-sink/file/eintr-short", test_eintr_short);
    g_test_add_func("/dump-sink/pipe/eintr-short", test_eintr_short_stream);
    g_test_add_func("/dump-sink/file/enospc", test_enospc);
    g_test_add_func("/dump-sink/file/copy-fd", test_copy_fd);
    g_test_add_func("/dump-sink/pipe", test_pipe);
    g_test_add_func("/dump-sink/pipe-interrupt", test_pipe_interrupt);
    g_test_add_func("/dump-sink/memory", test_mem_sink);
    return g_test_run();
}
