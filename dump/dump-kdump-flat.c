/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-kdump-flat.c: makedumpfile's flattened format as a sink adapter:
 * a kdump file written sequentially, through a staged writer
 * (dump-sink.h) on the output.
 */

/**
 * DOC: flattened format
 *
 * makedumpfile's "flattened" format carries a kdump file over a pipe:
 * every write of the plain file becomes a record, and `makedumpfile -R`
 * (or a reader such as libkdumpfile) replays the records to rebuild the
 * plain file.  All integers are big-endian int64.
 *
 *   0      +----------------------------------------------+
 *          | "makedumpfile" (signature[16], NUL padded)   |
 *   16     | type = 1                                     |
 *   24     | version = 1                                  |
 *   32     | zeros                                        |
 *   4096   +----------------------------------------------+
 *          | record: offset, size | size bytes of data    |  plain file
 *          | record: offset, size | size bytes of data    |  bytes at
 *          | ...                                          |  [offset,
 *          +----------------------------------------------+   +size)
 *          | end marker: offset = -1, size = -1           |
 *          +----------------------------------------------+
 *
 * Records never have size 0 (libkdumpfile refuses them) and may come in
 * any order; later records win where they overlap.  Ranges no record
 * covers read as zeros in the rebuilt file.
 */
#include "qemu/osdep.h"
#include "dump/dump-kdump.h"

/* --------------------------------------------------- flattened sink */

/*
 * struct FlatSink
 * @out: the stream (borrowed).
 * @stage: buffers the stream in front of @out.
 * @first_*: where the first record's data lies: its logical offset and
 *           length, and its position in the stream (for patching).
 */
typedef struct FlatSink {
    DumpSink base;
    DumpSink *out;
    DumpStage stage;
    bool have_first;
    uint64_t first_offset;
    uint64_t first_len;
    uint64_t first_stream_pos;
} FlatSink;

static FlatSink *flat_sink(DumpSink *sink)
{
    return container_of(sink, FlatSink, base);
}

static void put_be64(uint8_t *p, int64_t v)
{
    uint64_t u = v;

    for (int i = 7; i >= 0; i--) {
        p[i] = u & 0xff;
        u >>= 8;
    }
}

static int flat_sink_pwrite(DumpSink *sink, const void *buf, size_t len,
                            uint64_t offset)
{
    FlatSink *s = flat_sink(sink);
    uint8_t rec[KDUMP_FLAT_RECORD_SIZE];
    int ret;

    put_be64(rec, offset);
    put_be64(rec + 8, len);
    ret = dump_stage_append(&s->stage, rec, sizeof(rec));
    if (ret) {
        return ret;
    }
    if (!s->have_first) {
        s->have_first = true;
        s->first_offset = offset;
        s->first_len = len;
        s->first_stream_pos = s->stage.pos;
    }
    return dump_stage_append(&s->stage, buf, len);
}

static int flat_sink_zero(DumpSink *sink, uint64_t offset, uint64_t len)
{
    return 0;       /* no record: zeros in the rebuilt file */
}

static int flat_sink_flush(DumpSink *sink)
{
    return dump_stage_flush(&flat_sink(sink)->stage);
}

static void flat_sink_interrupt(DumpSink *sink)
{
    dump_sink_interrupt(flat_sink(sink)->out);
}

static void flat_sink_destroy(DumpSink *sink)
{
    FlatSink *s = flat_sink(sink);

    dump_stage_destroy(&s->stage);
    g_free(s);
}

static const DumpSinkOps flat_sink_ops = {
    .pwrite = flat_sink_pwrite,
    .zero = flat_sink_zero,
    .flush = flat_sink_flush,
    .interrupt = flat_sink_interrupt,
    .destroy = flat_sink_destroy,
};

DumpSink *dump_flat_sink_new(DumpSink *out)
{
    FlatSink *s = g_new0(FlatSink, 1);

    s->base.ops = &flat_sink_ops;
    s->base.seekable = true;
    s->base.keeps_overwrites = true;
    s->out = out;
    dump_stage_init(&s->stage, out, dump_sink_end(out), DUMP_FLAT_STAGE_SIZE);
    return &s->base;
}

int dump_flat_sink_begin(DumpSink *flat)
{
    FlatSink *s = flat_sink(flat);
    uint8_t head[KDUMP_FLAT_HEADER_SIZE] = { 0 };

    memcpy(head, KDUMP_FLAT_SIGNATURE, strlen(KDUMP_FLAT_SIGNATURE));
    put_be64(head + KDUMP_FLAT_SIGNATURE_LEN, KDUMP_FLAT_TYPE);
    put_be64(head + KDUMP_FLAT_SIGNATURE_LEN + 8, KDUMP_FLAT_VERSION);
    return dump_stage_append(&s->stage, head, sizeof(head));
}

int dump_flat_sink_end(DumpSink *flat)
{
    FlatSink *s = flat_sink(flat);
    uint8_t rec[KDUMP_FLAT_RECORD_SIZE];
    int ret;

    put_be64(rec, KDUMP_FLAT_END);
    put_be64(rec + 8, KDUMP_FLAT_END);
    ret = dump_stage_append(&s->stage, rec, sizeof(rec));
    return ret ? ret : dump_stage_flush(&s->stage);
}

uint64_t dump_flat_sink_stream_end(DumpSink *flat)
{
    return flat_sink(flat)->stage.pos;
}

int dump_flat_sink_patch(DumpSink *flat, const void *buf, size_t len,
                         uint64_t offset)
{
    FlatSink *s = flat_sink(flat);
    DumpStage *st = &s->stage;
    const uint8_t *p = buf;
    uint64_t sp, unwritten;

    if (!s->have_first || offset < s->first_offset ||
        offset + len > s->first_offset + s->first_len) {
        return -ENOENT;
    }
    sp = s->first_stream_pos + (offset - s->first_offset);
    unwritten = st->pos - st->len;      /* first byte still buffered */
    if (sp + len > unwritten) {
        /* the buffered part: patch it in memory */
        uint64_t from = MAX(sp, unwritten);

        memcpy(st->buf + st->skip + (from - unwritten), p + (from - sp),
               sp + len - from);
        len = from - sp;
    }
    if (!len) {
        return 0;
    }
    /* the part already in @out, if it can be rewritten in place */
    return s->out->seekable ? dump_sink_pwrite(s->out, p, len, sp)
                            : -ESPIPE;
}
