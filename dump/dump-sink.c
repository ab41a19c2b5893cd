/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-sink.c: the byte sinks of dump-sink.h -- a file descriptor
 * (regular file with holes, or any sequential stream) and memory -- the
 * wrappers that check the offset rule and supply fallbacks, and the
 * staged writer.
 */
#include "qemu/osdep.h"
#include <linux/falloc.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include "qemu/host-mem.h"
#include "dump/dump-sink.h"

/* Zeros written to sequential outputs come from here. */
#define ZERO_CHUNK (256 * 1024)
static const uint8_t zero_chunk[ZERO_CHUNK];

/* ---------------------------------------------------------------- wrappers */

static void sink_advance(DumpSink *sink, uint64_t offset, uint64_t len)
{
    sink->end = MAX(sink->end, offset + len);
}

static int sink_check_offset(DumpSink *sink, uint64_t offset, uint64_t len)
{
    if (offset + len < offset) {
        return -EFBIG;
    }
    if (!sink->seekable && offset != sink->end) {
        return -ESPIPE;
    }
    return 0;
}

int dump_sink_pwrite(DumpSink *sink, const void *buf, size_t len,
                     uint64_t offset)
{
    int ret = sink_check_offset(sink, offset, len);

    if (ret || !len) {
        return ret;
    }
    ret = sink->ops->pwrite(sink, buf, len, offset);
    if (!ret) {
        sink->bytes_written += len;
        sink_advance(sink, offset, len);
    }
    return ret;
}

int dump_sink_zero(DumpSink *sink, uint64_t offset, uint64_t len)
{
    int ret = sink_check_offset(sink, offset, len);

    if (ret || !len) {
        return ret;
    }
    ret = sink->ops->zero(sink, offset, len);
    if (!ret) {
        sink_advance(sink, offset, len);
    }
    return ret;
}

int dump_sink_copy_fd(DumpSink *sink, int fd, off_t fd_offset,
                      const void *fallback, size_t len, uint64_t offset)
{
    int ret = sink_check_offset(sink, offset, len);

    if (ret || !len) {
        return ret;
    }
    if (sink->ops->copy_fd && fd >= 0) {
        ret = sink->ops->copy_fd(sink, fd, fd_offset, len, offset);
        if (!ret) {
            sink->bytes_written += len;
            sink_advance(sink, offset, len);
            return 0;
        }
        if (ret != -EOPNOTSUPP && ret != -EXDEV && ret != -EINVAL) {
            return ret;
        }
    }
    return dump_sink_pwrite(sink, fallback, len, offset);
}

int dump_sink_finish(DumpSink *sink, uint64_t size)
{
    if (size < sink->end) {
        return -EINVAL;
    }
    if (size > sink->end) {
        /* a trailing hole */
        int ret = dump_sink_zero(sink, sink->end, size - sink->end);

        if (ret) {
            return ret;
        }
    }
    return sink->ops->finish ? sink->ops->finish(sink, size) : 0;
}

int dump_sink_flush(DumpSink *sink)
{
    return sink->ops->flush ? sink->ops->flush(sink) : 0;
}

void dump_sink_interrupt(DumpSink *sink)
{
    if (sink->ops->interrupt) {
        sink->ops->interrupt(sink);
    }
}

void dump_sink_free(DumpSink *sink)
{
    if (sink && sink->ops->destroy) {
        sink->ops->destroy(sink);
    } else {
        g_free(sink);
    }
}

/* -------------------------------------------------------------- fd sink */

/*
 * A write at a stream's current position; with @nowait, one that does
 * not block (EAGAIN instead).  Fault-injection tests fail these calls by
 * link-time wrapping (tests/faults/).
 */
static ssize_t fd_stream_write(int fd, const void *buf, size_t len,
                               bool nowait)
{
    struct iovec iov = { (void *)buf, len };

    return nowait ? pwritev2(fd, &iov, 1, -1, RWF_NOWAIT)
                  : write(fd, buf, len);
}

static bool direct_io_enabled = true;

void dump_fd_sink_set_direct_io(bool enabled)
{
    direct_io_enabled = enabled;
}

/*
 * struct FdSink
 * @fd: the output (borrowed).
 * @regular: random access with holes (regular file, no O_APPEND).
 * @base: file offset of output offset 0 (the fd's position at creation).
 * @stale_end: output offsets below this held data before the dump (the
 *             file was not empty): holes there must be punched.
 * @no_copy: copy_file_range() failed as "cannot here"; don't retry.
 * @direct_fd: the same file opened again with O_DIRECT, or -1: aligned
 *             parts of large writes go there, from guest memory straight
 *             to the disk (no copy into the page cache, no dirty-page
 *             throttling, a cheap final fsync).
 * @dio_align: alignment O_DIRECT needs for memory, offsets and lengths.
 * @nowait: stream writes use RWF_NOWAIT and wait in poll() instead, so
 *          that dump_sink_interrupt() can end a write a stalled reader
 *          would block forever (cleared if the file type refuses it).
 * @wake_fd: eventfd written by dump_sink_interrupt() (streams only).
 */
typedef struct FdSink {
    DumpSink base;
    int fd;
    bool regular;
    uint64_t base_offset;
    uint64_t stale_end;
    bool no_copy;
    int direct_fd;
    uint32_t dio_align;
    bool nowait;
    int wake_fd;
} FdSink;

static FdSink *fd_sink(DumpSink *sink)
{
    return container_of(sink, FdSink, base);
}

/* Wait until the stream takes bytes again, or the sink is interrupted. */
static int fd_wait_writable(FdSink *s)
{
    struct pollfd p[2] = {
        { .fd = s->fd, .events = POLLOUT },
        { .fd = s->wake_fd, .events = POLLIN },
    };

    while (poll(p, s->wake_fd >= 0 ? 2 : 1, -1) < 0) {
        if (errno != EINTR) {
            return -errno;
        }
    }
    return (p[1].revents & POLLIN) ? -ECANCELED : 0;
}

/*
 * Write all of @buf to @fd (the sink's, or its O_DIRECT twin),
 * positioned (@pos >= 0) or at the stream's end.
 */
static int fd_write_full_fd(FdSink *s, int fd, const uint8_t *buf,
                            size_t len, off_t pos)
{
    while (len) {
        ssize_t n = pos >= 0 ? pwrite(fd, buf, len, pos)
                             : fd_stream_write(fd, buf, len, s->nowait);

        if (n < 0) {
            int ret;

            if (errno == EINTR) {
                continue;
            }
            if (pos < 0 && errno == EOPNOTSUPP && s->nowait) {
                s->nowait = false;      /* the file type refuses NOWAIT */
                continue;
            }
            if (errno != EAGAIN) {
                return -errno;
            }
            ret = fd_wait_writable(s);
            if (ret) {
                return ret;
            }
            continue;
        }
        if (n == 0) {
            return -ENOSPC;
        }
        buf += n;
        len -= n;
        if (pos >= 0) {
            pos += n;
        }
    }
    return 0;
}

static int fd_write_full(FdSink *s, const uint8_t *buf, size_t len,
                         off_t pos)
{
    return fd_write_full_fd(s, s->fd, buf, len, pos);
}

/* Below this, a write goes through the page cache whatever its alignment. */
#define DIRECT_MIN (256 * 1024)

/*
 * Write the aligned middle of [@buf, +@len) at @pos with O_DIRECT.
 * Returns bytes written from @buf's start (0: nothing suitable), or a
 * negative errno.  A file system that refuses turns direct I/O off.
 */
static ssize_t fd_write_direct(FdSink *s, const uint8_t *buf, size_t len,
                               uint64_t pos)
{
    uint64_t a = s->dio_align;
    uint64_t head = ROUND_UP(pos, a) - pos;
    size_t mid;
    int ret;

    if (s->direct_fd < 0 || len < DIRECT_MIN || len <= head ||
        ((uintptr_t)(buf + head) & (a - 1))) {
        return 0;
    }
    mid = ROUND_DOWN(len - head, a);
    if (!mid) {
        return 0;
    }
    if (head) {
        ret = fd_write_full_fd(s, s->fd, buf, head, pos);
        if (ret) {
            return ret;
        }
    }
    ret = fd_write_full_fd(s, s->direct_fd, buf + head, mid, pos + head);
    if (ret == -EINVAL) {
        close(s->direct_fd);            /* not for this file system */
        s->direct_fd = -1;
        return head;
    }
    if (ret) {
        return ret;
    }
    s->base.bytes_direct += mid;
    return head + mid;
}

static int fd_sink_pwrite(DumpSink *sink, const void *buf, size_t len,
                          uint64_t offset)
{
    FdSink *s = fd_sink(sink);
    uint64_t pos = s->base_offset + offset;
    ssize_t done;

    if (!s->regular) {
        return fd_write_full(s, buf, len, -1);
    }
    done = fd_write_direct(s, buf, len, pos);
    if (done < 0) {
        return done;
    }
    return fd_write_full(s, (const uint8_t *)buf + done, len - done,
                         pos + done);
}

static int fd_sink_write_zeros(FdSink *s, uint64_t offset, uint64_t len)
{
    while (len) {
        size_t n = MIN(len, ZERO_CHUNK);
        int ret = fd_write_full(s, zero_chunk, n,
                                s->regular ? (off_t)(s->base_offset + offset)
                                           : -1);

        if (ret) {
            return ret;
        }
        s->base.bytes_written += n;
        offset += n;
        len -= n;
    }
    return 0;
}

static int fd_sink_zero(DumpSink *sink, uint64_t offset, uint64_t len)
{
    FdSink *s = fd_sink(sink);
    uint64_t stale;

    if (!s->regular) {
        return fd_sink_write_zeros(s, offset, len);
    }
    if (offset >= s->stale_end) {
        return 0;   /* past the old end of file: a hole as it is */
    }
    stale = MIN(len, s->stale_end - offset);
    if (fallocate(s->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  s->base_offset + offset, stale) < 0) {
        return fd_sink_write_zeros(s, offset, stale);
    }
    return 0;
}

static int fd_sink_copy_fd(DumpSink *sink, int fd, off_t fd_offset,
                           size_t len, uint64_t offset)
{
    FdSink *s = fd_sink(sink);
    loff_t in = fd_offset, out = s->base_offset + offset;

    if (!s->regular || s->no_copy || s->direct_fd >= 0) {
        return -EOPNOTSUPP;     /* direct writes beat a page-cache copy */
    }
    while (len) {
        ssize_t n = copy_file_range(fd, &in, s->fd, &out, len, 0);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n == 0) {
            /* @fd ends before the range: its memory was truncated away */
            return -EFAULT;
        }
        if (n < 0) {
            int err = errno;

            if (err == EXDEV || err == EOPNOTSUPP || err == EINVAL ||
                err == ENOSYS) {
                /* the caller rewrites the whole range with write() */
                s->no_copy = true;
                return -EOPNOTSUPP;
            }
            return -err;
        }
        len -= n;
    }
    return 0;
}

static int fd_sink_finish(DumpSink *sink, uint64_t size)
{
    FdSink *s = fd_sink(sink);
    struct stat st;

    if (!s->regular) {
        return 0;
    }
    if (fstat(s->fd, &st) < 0) {
        return -errno;
    }
    if ((uint64_t)st.st_size < s->base_offset + size &&
        ftruncate(s->fd, s->base_offset + size) < 0) {
        return -errno;
    }
    return 0;
}

static void fd_sink_interrupt(DumpSink *sink)
{
    FdSink *s = fd_sink(sink);
    uint64_t one = 1;

    if (s->wake_fd >= 0 && write(s->wake_fd, &one, sizeof(one)) < 0) {
        /* the counter cannot overflow from one write; nothing to do */
    }
}

static void fd_sink_destroy(DumpSink *sink)
{
    FdSink *s = fd_sink(sink);

    if (s->wake_fd >= 0) {
        close(s->wake_fd);
    }
    if (s->direct_fd >= 0) {
        close(s->direct_fd);
    }
    g_free(s);
}

static const DumpSinkOps fd_sink_ops = {
    .pwrite = fd_sink_pwrite,
    .zero = fd_sink_zero,
    .copy_fd = fd_sink_copy_fd,
    .finish = fd_sink_finish,
    .interrupt = fd_sink_interrupt,
    .destroy = fd_sink_destroy,
};

/* Open the file again with O_DIRECT, if the file system allows. */
static void fd_sink_open_direct(FdSink *s)
{
    g_autofree char *proc = g_strdup_printf("/proc/self/fd/%d", s->fd);
    struct statx stx;

    if (!direct_io_enabled) {
        return;
    }
    s->dio_align = 4096;
    if (statx(s->fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) == 0 &&
        (stx.stx_mask & STATX_DIOALIGN)) {
        if (!stx.stx_dio_offset_align) {
            return;             /* no direct I/O on this file */
        }
        s->dio_align = MAX(MAX(stx.stx_dio_mem_align,
                               stx.stx_dio_offset_align), 512);
    }
    if (!is_power_of_2(s->dio_align) || s->dio_align > 65536) {
        return;
    }
    s->direct_fd = open(proc, O_WRONLY | O_DIRECT | O_CLOEXEC);
}

/*
 * Whether @fd is random access (see dump_fd_random_access()); if so, its
 * status in *@st and its position in *@pos.
 */
static bool fd_probe(int fd, struct stat *st, off_t *pos)
{
    int fl = fcntl(fd, F_GETFL);

    if (fl < 0 || (fl & O_APPEND) || fstat(fd, st) < 0 ||
        !S_ISREG(st->st_mode)) {
        return false;
    }
    *pos = lseek(fd, 0, SEEK_CUR);
    return *pos >= 0;
}

bool dump_fd_random_access(int fd)
{
    struct stat st;
    off_t pos;

    return fd_probe(fd, &st, &pos);
}

DumpSink *dump_fd_sink_new(int fd)
{
    FdSink *s = g_new0(FdSink, 1);
    struct stat st;
    off_t pos;

    s->base.ops = &fd_sink_ops;
    s->fd = fd;
    s->wake_fd = -1;
    s->direct_fd = -1;
    if (fd_probe(fd, &st, &pos)) {
        s->regular = true;
        s->base.seekable = true;
        s->base_offset = pos;
        s->stale_end = st.st_size > pos ? st.st_size - pos : 0;
        fd_sink_open_direct(s);
    } else {
        s->nowait = true;
        s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (s->wake_fd < 0) {
            /* without it a stalled reader could hold the dump forever */
            int err = errno;

            g_free(s);
            errno = err;
            return NULL;
        }
    }
    return &s->base;
}

/* ------------------------------------------------------------ memory sink */

typedef struct MemSink {
    DumpSink base;
    GByteArray *data;
    uint64_t hole_bytes;
} MemSink;

static MemSink *mem_sink(DumpSink *sink)
{
    return container_of(sink, MemSink, base);
}

/* GByteArray lengths are guint: a memory sink holds up to 4 GiB. */
static int mem_sink_grow(MemSink *s, uint64_t end)
{
    if (end > G_MAXUINT) {
        return -EFBIG;
    }
    if (end > s->data->len) {
        size_t old = s->data->len;

        g_byte_array_set_size(s->data, end);
        memset(s->data->data + old, 0, end - old);
    }
    return 0;
}

static int mem_sink_pwrite(DumpSink *sink, const void *buf, size_t len,
                           uint64_t offset)
{
    MemSink *s = mem_sink(sink);
    int ret = mem_sink_grow(s, offset + len);

    if (!ret) {
        /* @buf may be guest memory (the ELF writer's DATA extents) */
        ret = host_mem_read(s->data->data + offset, buf, len);
    }
    return ret;
}

static int mem_sink_zero(DumpSink *sink, uint64_t offset, uint64_t len)
{
    MemSink *s = mem_sink(sink);
    int ret = mem_sink_grow(s, offset + len);

    if (ret) {
        return ret;
    }
    memset(s->data->data + offset, 0, len);
    if (sink->seekable) {
        s->hole_bytes += len;
    } else {
        sink->bytes_written += len;
    }
    return 0;
}

static void mem_sink_destroy(DumpSink *sink)
{
    MemSink *s = mem_sink(sink);

    g_byte_array_unref(s->data);
    g_free(s);
}

static const DumpSinkOps mem_sink_ops = {
    .pwrite = mem_sink_pwrite,
    .zero = mem_sink_zero,
    .destroy = mem_sink_destroy,
};

DumpSink *dump_mem_sink_new(bool sequential)
{
    MemSink *s = g_new0(MemSink, 1);

    s->base.ops = &mem_sink_ops;
    s->base.seekable = !sequential;
    s->data = g_byte_array_new();
    return &s->base;
}

const uint8_t *dump_mem_sink_data(DumpSink *sink, size_t *len)
{
    MemSink *s = mem_sink(sink);

    *len = s->data->len;
    return s->data->data;
}

uint64_t dump_mem_sink_hole_bytes(DumpSink *sink)
{
    return mem_sink(sink)->hole_bytes;
}

/* ---------------------------------------------------------- staged writer */

void dump_stage_init(DumpStage *st, DumpSink *sink, uint64_t start,
                     size_t cap)
{
    assert(cap >= 2 * DUMP_STAGE_ALIGN && cap % DUMP_STAGE_ALIGN == 0);
    st->sink = sink;
    st->pos = start;
    st->cap = cap;
    /* posix_memalign: g_aligned_alloc() needs GLib 2.72 */
    if (posix_memalign((void **)&st->buf, DUMP_STAGE_ALIGN, cap)) {
        g_error("dump: cannot allocate %zu bytes", cap);
    }
    st->skip = start % DUMP_STAGE_ALIGN;
    st->len = 0;
}

void dump_stage_destroy(DumpStage *st)
{
    free(st->buf);
    st->buf = NULL;
}

/* Write the queued bytes up to the last aligned offset (all if @all). */
static int stage_write(DumpStage *st, bool all)
{
    size_t end = st->skip + st->len;
    size_t upto = all ? end : ROUND_DOWN(end, DUMP_STAGE_ALIGN);
    uint64_t first = st->pos - st->len;
    int ret;

    if (upto <= st->skip) {
        return 0;
    }
    ret = dump_sink_pwrite(st->sink, st->buf + st->skip, upto - st->skip,
                           first);
    if (ret) {
        return ret;
    }
    if (all) {
        st->skip = st->pos % DUMP_STAGE_ALIGN;
        st->len = 0;
    } else {
        /* the unaligned tail moves to the start: its offset is aligned */
        memmove(st->buf, st->buf + upto, end - upto);
        st->skip = 0;
        st->len = end - upto;
    }
    return 0;
}

int dump_stage_append(DumpStage *st, const void *data, size_t len)
{
    const uint8_t *p = data;

    while (len) {
        size_t room = st->cap - st->skip - st->len;
        size_t n = MIN(room, len);
        int ret;

        memcpy(st->buf + st->skip + st->len, p, n);
        st->len += n;
        st->pos += n;
        p += n;
        len -= n;
        if (st->skip + st->len == st->cap) {
            ret = stage_write(st, false);
            if (ret) {
                return ret;
            }
        }
    }
    return 0;
}

int dump_stage_flush(DumpStage *st)
{
    return stage_write(st, true);
}
