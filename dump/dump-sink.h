/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-sink.h: where the bytes of a dump go.
 *
 * A DumpSink is an ops table behind which a format encoder writes the
 * dump as (offset, bytes) pairs, without knowing whether it lands in a
 * regular file (random access, holes), a pipe or socket (strictly
 * sequential; holes become written zeros) or memory (unit tests).  Two
 * operations are mandatory -- write bytes, write zeros -- and two are
 * optional -- copy from an fd without passing through user memory,
 * flush and finish.  Wrappers below supply the fallbacks, and the staged
 * writer (DumpStage) turns many small sequential writes into large
 * aligned ones, which the fd sink sends with O_DIRECT.
 *
 * Sinks never read guest memory and never decide formats: encoders
 * (dump-elf.c, dump-kdump.c) do.  A makedumpfile "flattened" stream is
 * itself a sink adapter over a sequential sink (records of offset + size
 * + data), so encoders need not know about it either.
 *
 * Errors are 0 / -errno.  Writes are retried on EINTR and short writes;
 * a write that makes no progress is -ENOSPC, as write(2) tells.
 * Threads: a sink is used by one thread at a time (the dump thread).
 */
#ifndef DUMP_SINK_H
#define DUMP_SINK_H

typedef struct DumpSink DumpSink;

/**
 * struct DumpSinkOps
 * @pwrite: write @len bytes of @buf at byte @offset of the output.  A
 *   sequential sink accepts only @offset == dump_sink_end() (else
 *   -ESPIPE).  @buf may be guest memory: -EFAULT if it cannot be read
 *   (the kernel's answer for fd sinks; host_mem_read() for the memory
 *   sink), never a signal.
 * @zero: make [@offset, @offset + @len) read as zeros: a hole where the
 *   output supports them, written zero bytes otherwise.  Same offset rule.
 * @copy_fd: optional; copy @len bytes of @fd at @fd_offset to @offset
 *   inside the kernel.  -EOPNOTSUPP, -EXDEV or -EINVAL mean "cannot here";
 *   dump_sink_copy_fd() then writes @fallback instead.  -EFAULT: @fd
 *   ends before the range (guest memory truncated away).
 * @flush: optional; write out what the sink buffers, so that an error
 *   is reported for the bytes just given (the flattened adapter).
 * @finish: optional; the output is complete and @size bytes long (a
 *   trailing hole still counts).
 * @interrupt: optional; make a write that waits for a stalled reader
 *   return -ECANCELED now and later.  Any thread.
 * @destroy: optional; free the sink (not the fd it writes to).
 */
typedef struct DumpSinkOps {
    int (*pwrite)(DumpSink *sink, const void *buf, size_t len,
                  uint64_t offset);
    int (*zero)(DumpSink *sink, uint64_t offset, uint64_t len);
    int (*copy_fd)(DumpSink *sink, int fd, off_t fd_offset, size_t len,
                   uint64_t offset);
    int (*flush)(DumpSink *sink);
    int (*finish)(DumpSink *sink, uint64_t size);
    void (*interrupt)(DumpSink *sink);
    void (*destroy)(DumpSink *sink);
} DumpSinkOps;

/**
 * struct DumpSink: the base every sink embeds first.
 * @ops: the implementation.
 * @seekable: @pwrite accepts any offset (kdump-raw needs this).
 * @keeps_overwrites: bytes written twice at one offset are stored twice
 *                    (the flattened adapter: one record each), so writers
 *                    should write each range once; else the second write
 *                    replaces the first.
 * @end: one past the highest byte written or zeroed so far.
 * @bytes_written: bytes that went through @pwrite or @copy_fd (zeros not
 *                 counted): what a sparse output really cost.
 * @bytes_direct: of those, bytes written with O_DIRECT (fd sink).
 */
struct DumpSink {
    const DumpSinkOps *ops;
    bool seekable;
    bool keeps_overwrites;
    uint64_t end;
    uint64_t bytes_written;
    uint64_t bytes_direct;
};

int dump_sink_pwrite(DumpSink *sink, const void *buf, size_t len,
                     uint64_t offset);
int dump_sink_zero(DumpSink *sink, uint64_t offset, uint64_t len);
/**
 * dump_sink_copy_fd: copy through @copy_fd when the sink has it and it
 * works here, else dump_sink_pwrite(@fallback) (the same bytes, mapped).
 */
int dump_sink_copy_fd(DumpSink *sink, int fd, off_t fd_offset,
                      const void *fallback, size_t len, uint64_t offset);
/** dump_sink_flush: see @flush; 0 for sinks that buffer nothing. */
int dump_sink_flush(DumpSink *sink);
int dump_sink_finish(DumpSink *sink, uint64_t size);
/** dump_sink_end: one past the last byte produced so far. */
static inline uint64_t dump_sink_end(const DumpSink *sink)
{
    return sink->end;
}
/** dump_sink_interrupt: see @interrupt; callable from any thread. */
void dump_sink_interrupt(DumpSink *sink);
void dump_sink_free(DumpSink *sink);

/**
 * dump_fd_random_access: what @fd can do as a dump's output -- the one
 * place that decides it, for the command's checks ("kdump-raw formats
 * require a seekable file", before anything is stopped) and for
 * dump_fd_sink_new() alike.  True for a regular file opened without
 * O_APPEND that has a file position: writes may go to any offset and
 * skipped ranges stay holes.  False for everything else: a pipe, FIFO,
 * socket, terminal or other character device, or an O_APPEND file, to
 * which a dump is written strictly in order.
 */
bool dump_fd_random_access(int fd);

/**
 * dump_fd_sink_new: a sink writing to @fd (borrowed; the caller closes
 * it after dump_sink_free()).
 *
 * A random-access fd (dump_fd_random_access()): output offset 0 is
 * the fd's current position, skipped ranges stay holes (ranges below the
 * file's original size are punched, so stale data never shows through),
 * and @finish extends the file to the full size.  Large writes go to a
 * second, O_DIRECT descriptor of the same file for their aligned part
 * when the file system supports it (guest memory is page aligned, and so
 * are the dump formats' memory areas), which skips the page cache and is
 * several times faster than writing through it and fsyncing.  Anything
 * else (pipe,
 * socket, character device, O_APPEND file) is sequential; writes to it
 * never block uninterruptibly (RWF_NOWAIT + poll), so a stalled reader
 * cannot hold a cancelled dump or the process's exit.
 * Returns: the sink, or NULL with errno set if what it needs for that
 * (an eventfd) cannot be had, e.g. at the process's fd limit.
 */
DumpSink *dump_fd_sink_new(int fd);

/**
 * dump_mem_sink_new: a sink into memory, for tests: random access, holes
 * recorded, at most 4 GiB (-EFBIG beyond).  Read back with
 * dump_mem_sink_data(); holes read as zeros.
 * @sequential: behave like a pipe (offset rule, zeros written).
 */
DumpSink *dump_mem_sink_new(bool sequential);
/** dump_mem_sink_data: the bytes so far (borrowed) and their count. */
const uint8_t *dump_mem_sink_data(DumpSink *sink, size_t *len);
/** dump_mem_sink_hole_bytes: bytes produced by @zero, not written. */
uint64_t dump_mem_sink_hole_bytes(DumpSink *sink);

/** dump_fd_sink_set_direct_io: allow O_DIRECT in new fd sinks (default). */
void dump_fd_sink_set_direct_io(bool enabled);

/* ------------------------------------------------------ staged writer */


/**
 * struct DumpStage: a sequential writer of one region of a sink, buffered
 * so that the sink gets large writes whose memory and file offsets have
 * the same alignment (the fd sink then sends them with O_DIRECT).  Bytes
 * are appended at @pos; a flush writes only whole DUMP_STAGE_ALIGN units
 * (except the final one), keeping the tail for the next.
 * @sink: where to (borrowed).
 * @pos: output offset of the next byte appended.
 * @buf: DUMP_STAGE_ALIGN-aligned, @cap bytes; @buf[@skip] is the first
 *       byte not yet written, at output offset @pos - @len.
 */
#define DUMP_STAGE_ALIGN 4096

typedef struct DumpStage {
    DumpSink *sink;
    uint64_t pos;
    uint8_t *buf;
    size_t cap;
    size_t skip;
    size_t len;
} DumpStage;

/** dump_stage_init: write [@start, ...) of @sink through @cap bytes. */
void dump_stage_init(DumpStage *st, DumpSink *sink, uint64_t start,
                     size_t cap);
void dump_stage_destroy(DumpStage *st);
/** dump_stage_append: queue @len bytes; 0 or the sink's -errno. */
int dump_stage_append(DumpStage *st, const void *data, size_t len);
/** dump_stage_flush: write everything queued; 0 or -errno. */
int dump_stage_flush(DumpStage *st);

#endif /* DUMP_SINK_H */
