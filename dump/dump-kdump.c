/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-kdump.c: the kdump-compressed encoders (formats kdump-zlib,
 * kdump-lzo, kdump-snappy, kdump-zstd and their kdump-raw-* variants):
 * the layout, the headers, the bitmaps, and the writer that emits page
 * descriptors and page data in pfn order from the compression pipeline
 * (dump-kdump-pool.c).  The layout and the writer's states are described
 * below and pulled into docs/devel/dump.md.
 */

/**
 * DOC: kdump dump layout
 *
 * makedumpfile's "compressed kdump" file (header_version 6), as QEMU
 * writes it; block = page = 4096 bytes; integers little-endian.
 *
 *   0                +----------------------------------------------+
 *                    | disk_dump_header: "KDUMP   ", version 6,     |
 *                    | utsname (machine "x86_64"; all six fields    |
 *                    | from a VMCOREINFO guest), status (the        |
 *                    | compression; | 0x8 if incomplete), block_size,|
 *                    | sub_hdr_size, bitmap_blocks, max_mapnr (32   |
 *                    | bits), nr_cpus  (464 bytes; 452 for ELF32)   |
 *   1 block          +----------------------------------------------+
 *                    | kdump_sub_header: phys_base, dump_level 1,   |
 *                    | offset/size_vmcoreinfo, offset_note,         |
 *                    | note_size, max_mapnr_64  (104 bytes; 80)     |
 *   offset_note      | ELF notes: NT_PRSTATUS x vCPUs, QEMU x vCPUs,|
 *                    | the guest's VMCOREINFO note (if any)         |
 *   offset_bitmap    +----------------------------------------------+
 *   = (1 + sub_hdr_  | 1st bitmap: bit pfn set for every pfn a      |
 *      size) blocks  | block touches (LSB first); len_bitmap bytes  |
 *                    | = max_mapnr / 8 rounded up to a block        |
 *                    | 2nd bitmap (dumpable): of those, the pages   |
 *                    | with non-zero bytes (dump level 1)           |
 *   offset_desc      +----------------------------------------------+
 *                    | page_desc[] {offset, size, flags, 0}, 24     |
 *                    | bytes, one per 2nd-bitmap bit, in pfn order; |
 *                    | room for every populated page, the unused    |
 *                    | end a hole                                   |
 *   offset_data      +----------------------------------------------+
 *                    | page data, in pfn order: compressed if that  |
 *                    | is smaller than a page (flags = algorithm),  |
 *                    | else raw (flags 0, size 4096)                |
 *   file end         +----------------------------------------------+
 *
 * max_mapnr = the pfn past the end of the last block (rounded up).
 * Holes between blocks -- unplugged virtio-mem memory, MMIO, the
 * ram_device regions -- have bit 0 and no descriptor.  A page only
 * partly inside blocks is dumped with zeros for the rest.  Pages that
 * read as zero -- never touched (found without reading them) or all
 * zero -- are in the 1st bitmap only: readers treat them as excluded
 * (crash --zero_excluded and libkdumpfile's file.zero_excluded read
 * them as zeros).  Which populated pages are zero is known only once
 * they are compressed, so the descriptor area has room for every
 * populated page and the 2nd bitmap is written as the pages go.
 * With x-kdump-zero-descriptors (QEMU's layout), the 2nd bitmap equals
 * the 1st, and the data area starts with one zero page (4096 zero
 * bytes) that the descriptors of all zero pages point to.  Unwritten
 * parts of the metadata area (bitmap chunks without bits) are holes.
 * The kdump-* formats wrap this file in the flattened format; the
 * kdump-raw-* formats write it as is, to a seekable file.
 */

/**
 * DOC: kdump writer states
 *
 *   PREPARED --kdump_write_headers()--> HEADERS --kdump_write_bitmaps()
 *   --> BITMAPS --kdump_write_pages()--> PAGES --kdump_write_end()-->
 *   DONE
 *   any state --write error or cancellation (kdump_fail())--> FAILED
 *
 * PREPARED: kdump_prepare() computed the layout, nothing is written.
 * HEADERS: disk_dump_header (then @header_written), sub-header, notes.
 * BITMAPS: the 1st bitmap (with zero descriptors, both), chunk by
 *   chunk, only chunks with bits.
 * PAGES: (with zero descriptors, the zero page), then per batch its
 *   data and its descriptors, and each chunk of the 2nd bitmap once the
 *   pages pass it; page data is flushed before the descriptors that
 *   point to it, so a file cut short anywhere has no descriptor pointing
 *   past its end (a plain file also gets the 2nd bitmap's chunk in
 *   progress after each flush of descriptors: a page whose bit is set
 *   but whose descriptor is still zero reads as lost).
 * DONE: everything flushed, the flattened end marker written,
 *   job->file_size set.
 * FAILED: final.  If the header had been written, it is rewritten with
 * status | DUMP_DH_COMPRESSED_INCOMPLETE where that is still possible --
 * in place in a seekable output (kdump-raw, or a flattened stream in a
 * regular file), or, for a flattened stream that is still intact (a
 * cancellation between writes), as one more record before the end
 * marker -- so that readers know the file is truncated (makedumpfile
 * does the same on ENOSPC).  A file: destination is then dropped anyway;
 * an fd: one keeps what was written.
 */
#include "qemu/osdep.h"
#include <elf.h>
#include "config-host.h"
#include "qemu/bitmap.h"
#include "qemu/error.h"
#include "qemu/trace.h"
#include "dump/dump-kdump.h"

typedef enum KdumpWriterState {
    KDUMP_W_PREPARED,
    KDUMP_W_HEADERS,
    KDUMP_W_BITMAPS,
    KDUMP_W_PAGES,
    KDUMP_W_DONE,
    KDUMP_W_FAILED,
} KdumpWriterState;

/*
 * Field offsets of disk_dump_header and kdump_sub_header, 64-bit
 * (DiskDumpHeader64 / KdumpSubHeader64) and 32-bit layouts.  All other
 * fields (timestamp, split, start/end pfn, eraseinfo, ...) stay 0.
 */
typedef struct KdumpHeaderLayout {
    unsigned dh_size;
    unsigned dh_status, dh_block_size, dh_sub_hdr_size, dh_bitmap_blocks;
    unsigned dh_max_mapnr, dh_nr_cpus;
    unsigned sh_size;
    unsigned sh_word;           /* size of phys_base, size_vmcoreinfo, .. */
    unsigned sh_phys_base, sh_dump_level, sh_offset_vmcoreinfo;
    unsigned sh_size_vmcoreinfo, sh_offset_note, sh_note_size;
    unsigned sh_max_mapnr_64;
} KdumpHeaderLayout;

#define KDUMP_DH_OFF_SIGNATURE  0
#define KDUMP_DH_OFF_VERSION    8
#define KDUMP_DH_OFF_UTSNAME    12
#define KDUMP_UTS_MACHINE_INDEX 4       /* sysname, nodename, release, */
                                        /* version, machine, domainname */
#define KDUMP_HEADER_MAX        464

static const KdumpHeaderLayout kdump_layout64 = {
    .dh_size = 464, .dh_status = 424, .dh_block_size = 428,
    .dh_sub_hdr_size = 432, .dh_bitmap_blocks = 436, .dh_max_mapnr = 440,
    .dh_nr_cpus = 460,
    .sh_size = 104, .sh_word = 8, .sh_phys_base = 0, .sh_dump_level = 8,
    .sh_offset_vmcoreinfo = 32, .sh_size_vmcoreinfo = 40,
    .sh_offset_note = 48, .sh_note_size = 56, .sh_max_mapnr_64 = 96,
};

static const KdumpHeaderLayout kdump_layout32 = {
    .dh_size = 452, .dh_status = 412, .dh_block_size = 416,
    .dh_sub_hdr_size = 420, .dh_bitmap_blocks = 424, .dh_max_mapnr = 428,
    .dh_nr_cpus = 448,
    .sh_size = 80, .sh_word = 4, .sh_phys_base = 0, .sh_dump_level = 4,
    .sh_offset_vmcoreinfo = 20, .sh_size_vmcoreinfo = 28,
    .sh_offset_note = 32, .sh_note_size = 40, .sh_max_mapnr_64 = 72,
};

/* Bytes of each staging buffer of the page area. */
#define KDUMP_DESC_STAGE (1024 * 1024)
#define KDUMP_DATA_STAGE (2 * 1024 * 1024)

/**
 * struct KdumpFormat: one registered kdump format.
 * @enc: what the registry sees (first member).
 * @flag: KDUMP_DH_COMPRESSED_*.
 * @raw: a plain seekable file (kdump-raw-*), else flattened.
 */
typedef struct KdumpFormat {
    DumpEncoder enc;
    uint32_t flag;
    bool raw;
} KdumpFormat;

/*
 * struct KdumpWriter: the layout (computed in prepare) and the state.
 * Offsets are in the plain file; sizes in bytes unless said otherwise.
 */
typedef struct KdumpWriter {
    KdumpWriterState state;
    const KdumpFormat *fmt;
    const KdumpHeaderLayout *lay;
    uint32_t ps;
    unsigned threads;
    int level;
    bool exclude_zero;              /* not x-kdump-zero-descriptors */
    uint64_t max_mapnr;
    uint64_t num_dumpable;          /* pfns in blocks: the 1st bitmap */
    uint64_t max_descs;             /* room in the descriptor area */
    uint64_t num_descs;             /* descriptors written */
    uint64_t bm2_chunk;             /* 2nd bitmap chunk being built */
    unsigned long *bm2_bits;        /* its bits (exclude_zero) */
    bool bm2_dirty;                 /* it has bits */
    uint32_t sub_hdr_blocks;
    uint64_t len_bitmap;            /* one bitmap */
    uint32_t bitmap_blocks;         /* both */
    uint64_t offset_note, note_size;
    uint64_t offset_vmcoreinfo, size_vmcoreinfo;
    uint64_t offset_bitmap, offset_desc, offset_data;
    uint8_t header[KDUMP_HEADER_MAX];
    bool header_written;
    DumpSink *out;                  /* job->sink, or @flat */
    DumpSink *flat;                 /* the flattened adapter, or NULL */
    bool broken;                    /* a write to @out failed */
    KdumpPool *pool;                /* started by prepare, for one write */
} KdumpWriter;

static const KdumpFormat *kdump_format(const DumpJob *job)
{
    return container_of(job->encoder, KdumpFormat, enc);
}

static void put_le(uint8_t *p, unsigned width, uint64_t v)
{
    for (unsigned i = 0; i < width; i++) {
        p[i] = v >> (8 * i);
    }
}

/* ------------------------------------------------------------ prepare */

/*
 * The guest's VMCOREINFO note among the notes: offset of its descriptor
 * within @notes and its size.  False if there is none.
 */
static bool find_vmcoreinfo(const GByteArray *notes, uint64_t *desc_off,
                            uint64_t *desc_size)
{
    static const char name[] = "VMCOREINFO";
    size_t pos = 0;

    while (pos + sizeof(Elf64_Nhdr) <= notes->len) {
        Elf64_Nhdr h;
        size_t name_at, desc_at;

        memcpy(&h, notes->data + pos, sizeof(h));
        name_at = pos + sizeof(h);
        desc_at = name_at + ROUND_UP(GUINT32_FROM_LE(h.n_namesz), 4);
        if (desc_at + GUINT32_FROM_LE(h.n_descsz) > notes->len) {
            return false;
        }
        if (GUINT32_FROM_LE(h.n_namesz) == sizeof(name) &&
            !memcmp(notes->data + name_at, name, sizeof(name))) {
            *desc_off = desc_at;
            *desc_size = GUINT32_FROM_LE(h.n_descsz);
            return true;
        }
        pos = desc_at + ROUND_UP(GUINT32_FROM_LE(h.n_descsz), 4);
    }
    return false;
}

/* The disk_dump_header, serialized into @w->header. */
static void kdump_build_header(const DumpJob *job, KdumpWriter *w)
{
    const KdumpHeaderLayout *l = w->lay;
    uint8_t *h = w->header;

    memset(h, 0, sizeof(w->header));
    memcpy(h + KDUMP_DH_OFF_SIGNATURE, KDUMP_SIGNATURE, KDUMP_SIGNATURE_LEN);
    put_le(h + KDUMP_DH_OFF_VERSION, 4, KDUMP_HEADER_VERSION);
    /* a guest with VMCOREINFO: its utsname; else QEMU's machine only */
    if (!dump_guest_utsname(&job->arch, &job->blocks, job->notes,
                            h + KDUMP_DH_OFF_UTSNAME)) {
        memcpy(h + KDUMP_DH_OFF_UTSNAME +
               KDUMP_UTS_MACHINE_INDEX * KDUMP_UTS_FIELD_LEN,
               KDUMP_UTS_MACHINE, strlen(KDUMP_UTS_MACHINE));
    }
    put_le(h + l->dh_status, 4, w->fmt->flag);
    put_le(h + l->dh_block_size, 4, w->ps);
    put_le(h + l->dh_sub_hdr_size, 4, w->sub_hdr_blocks);
    put_le(h + l->dh_bitmap_blocks, 4, w->bitmap_blocks);
    /* may be truncated: the full value is in max_mapnr_64 */
    put_le(h + l->dh_max_mapnr, 4, MIN(w->max_mapnr, UINT32_MAX));
    put_le(h + l->dh_nr_cpus, 4, job->nr_cpus);
}

static bool kdump_prepare(DumpJob *job, Error **errp)
{
    KdumpWriter *w = g_new0(KdumpWriter, 1);
    uint64_t desc_off, desc_size;

    job->encoder_state = w;
    w->fmt = kdump_format(job);
    if (!kdump_compression_init(w->fmt->flag, errp)) {
        return false;
    }
    w->lay = job->arch.d_class == ELFCLASS64 ? &kdump_layout64
                                             : &kdump_layout32;
    w->ps = job->arch.page_size;
    w->threads = job->threads ? job->threads : kdump_pool_default_threads();
    w->level = kdump_level_or_default(w->fmt->flag,
                                      w->fmt->flag == KDUMP_DH_COMPRESSED_ZSTD
                                      ? job->kdump.zstd_level
                                      : job->kdump.zlib_level);
    if (!kdump_level_check(w->fmt->flag, w->level, errp)) {
        return false;
    }
    w->exclude_zero = !job->kdump.zero_descs;
    w->num_dumpable = kdump_count_pfns(&job->blocks, w->ps, &w->max_mapnr);
    /*
     * Excluding zero pages, only pages with backing memory can get a
     * descriptor; which of them are not all zero is known only once they
     * are compressed, so their descriptor area is sized for all of them
     * (the unused end stays a hole).
     */
    w->max_descs = w->exclude_zero ?
        kdump_count_populated_pfns(&job->blocks, w->ps) : w->num_dumpable;

    w->note_size = job->notes->len;
    w->offset_note = KDUMP_HEADER_BLOCKS * w->ps + w->lay->sh_size;
    if (find_vmcoreinfo(job->notes, &desc_off, &desc_size)) {
        w->offset_vmcoreinfo = w->offset_note + desc_off;
        w->size_vmcoreinfo = desc_size;
    }
    w->sub_hdr_blocks = DIV_ROUND_UP(w->lay->sh_size + w->note_size, w->ps);
    w->len_bitmap = ROUND_UP(DIV_ROUND_UP(w->max_mapnr, 8), w->ps);
    w->bitmap_blocks = 2 * (w->len_bitmap / w->ps);
    w->offset_bitmap = (uint64_t)(KDUMP_HEADER_BLOCKS + w->sub_hdr_blocks) *
                       w->ps;
    w->offset_desc = w->offset_bitmap + (uint64_t)w->bitmap_blocks * w->ps;
    w->offset_data = w->offset_desc + w->max_descs * KDUMP_PAGE_DESC_SIZE;
    kdump_build_header(job, w);
    /* the real size is known once the pages are compressed */
    job->file_size = 0;
    /* threads and buffers now: a failure refuses the command */
    w->pool = kdump_pool_new(w->threads, w->fmt->flag, w->ps, w->level);
    if (!w->pool) {
        error_setg(errp, "dump: failed to start %u compression threads",
                   w->threads);
        return false;
    }
    w->state = KDUMP_W_PREPARED;
    return true;
}

static void kdump_cleanup(DumpJob *job)
{
    KdumpWriter *w = job->encoder_state;

    if (w) {
        kdump_pool_free(w->pool);
        g_free(w->bm2_bits);
    }
    g_free(w);
}

/* ------------------------------------------------------------- write */

/* Enter @state (the next one). */
static void kdump_enter(KdumpWriter *w, KdumpWriterState state)
{
    assert(w->state != KDUMP_W_FAILED && w->state != KDUMP_W_DONE);
    assert(state == w->state + 1);
    w->state = state;
}

/* Enter FAILED; a write interrupted by cancellation reports the cancel. */
static bool kdump_fail(DumpJob *job, KdumpWriter *w, Error **errp, int err,
                       const char *what)
{
    w->state = KDUMP_W_FAILED;
    if (err) {
        w->broken = true;
    }
    if (dump_job_cancelled(job)) {
        dump_job_cancel_error(job, errp);
    } else {
        error_setg_errno(errp, -err, "dump: failed to %s", what);
    }
    return false;
}

/*
 * Write a piece of the metadata (headers, notes, bitmap chunks), at once
 * even in a flattened stream, so that a failure is reported for the
 * piece that failed, as QEMU reports it; only the page area is buffered.
 */
static int kdump_write_meta(KdumpWriter *w, const void *buf, size_t len,
                            uint64_t offset)
{
    int ret = dump_sink_pwrite(w->out, buf, len, offset);

    return ret || !w->flat ? ret : dump_flat_sink_flush(w->flat);
}

static bool kdump_write_headers(DumpJob *job, KdumpWriter *w, Error **errp)
{
    const KdumpHeaderLayout *l = w->lay;
    g_autofree uint8_t *sh = g_malloc0(l->sh_size);
    int ret;

    kdump_enter(w, KDUMP_W_HEADERS);
    if (w->flat) {
        ret = dump_flat_sink_begin(w->flat);
        if (!ret) {
            ret = dump_flat_sink_flush(w->flat);
        }
        if (ret) {
            return kdump_fail(job, w, errp, ret, "write start flat header");
        }
    } else {
        /* stale bytes of an fd: file must not show through the gaps */
        ret = dump_sink_zero(w->out, 0, w->offset_data);
        if (ret) {
            return kdump_fail(job, w, errp, ret, "write disk dump header");
        }
    }
    ret = kdump_write_meta(w, w->header, l->dh_size, 0);
    if (ret) {
        return kdump_fail(job, w, errp, ret, "write disk dump header");
    }
    w->header_written = true;

    put_le(sh + l->sh_phys_base, l->sh_word, job->arch.phys_base);
    put_le(sh + l->sh_dump_level, 4, KDUMP_DUMP_LEVEL);
    put_le(sh + l->sh_offset_vmcoreinfo, 8, w->offset_vmcoreinfo);
    put_le(sh + l->sh_size_vmcoreinfo, l->sh_word, w->size_vmcoreinfo);
    put_le(sh + l->sh_offset_note, 8, w->offset_note);
    put_le(sh + l->sh_note_size, l->sh_word, w->note_size);
    put_le(sh + l->sh_max_mapnr_64, 8, w->max_mapnr);
    ret = kdump_write_meta(w, sh, l->sh_size, KDUMP_HEADER_BLOCKS * w->ps);
    if (ret) {
        return kdump_fail(job, w, errp, ret, "write kdump sub header");
    }
    ret = kdump_write_meta(w, job->notes->data, w->note_size,
                           w->offset_note);
    if (ret) {
        return kdump_fail(job, w, errp, ret, "write notes");
    }
    return true;
}

/* Chunks of the 1st bitmap written at once (one write per MiB). */
#define KDUMP_BITMAP_WRITE_CHUNKS 256

/*
 * Write @n consecutive bitmap chunks (blocks) from chunk @first to the
 * 1st bitmap, and to the 2nd unless zero pages are excluded (the 2nd is
 * then written with the pages).
 */
static int kdump_write_bitmap_chunks(KdumpWriter *w, const void *bits,
                                     uint64_t first, unsigned n)
{
    uint64_t off = w->offset_bitmap + first * w->ps;
    int ret = kdump_write_meta(w, bits, (size_t)n * w->ps, off);

    if (ret || w->exclude_zero) {
        return ret;
    }
    return kdump_write_meta(w, bits, (size_t)n * w->ps, off + w->len_bitmap);
}

/*
 * The 1st bitmap (and the 2nd, the same, with zero descriptors), in pfn
 * order, consecutive block-sized chunks with bits written together: the
 * cost follows the blocks, not max_mapnr; chunks without bits stay holes.
 */
static bool kdump_write_bitmaps(DumpJob *job, KdumpWriter *w, Error **errp)
{
    const uint64_t chunk_bits = (uint64_t)w->ps * 8;
    g_autofree uint8_t *buf = g_malloc0((size_t)KDUMP_BITMAP_WRITE_CHUNKS *
                                        w->ps);
    const GuestPhysBlock *b;
    uint64_t first = 0, next = 0;   /* chunks [first, first + n) in @buf */
    unsigned n = 0;
    int ret;

    kdump_enter(w, KDUMP_W_BITMAPS);
    /* bitmap_set()'s longs are LSB-first bytes on little-endian hosts */
    G_STATIC_ASSERT(G_BYTE_ORDER == G_LITTLE_ENDIAN);
    QTAILQ_FOREACH(b, &job->blocks.head, next) {
        uint64_t pfn = MAX(b->target_start / w->ps, next);
        uint64_t end = DIV_ROUND_UP(b->target_end, w->ps);

        while (pfn < end) {
            uint64_t c = pfn / chunk_bits;
            uint64_t k = MIN(end, (c + 1) * chunk_bits) - pfn;

            if (n && (c >= first + KDUMP_BITMAP_WRITE_CHUNKS ||
                      c > first + n)) {
                /* not contiguous with, or past, what @buf holds */
                ret = kdump_write_bitmap_chunks(w, buf, first, n);
                if (ret) {
                    return kdump_fail(job, w, errp, ret,
                                      "write dump_bitmap");
                }
                memset(buf, 0, (size_t)n * w->ps);
                n = 0;
            }
            if (!n) {
                first = c;
            }
            n = c - first + 1;
            bitmap_set((unsigned long *)(buf + (c - first) * w->ps),
                       pfn - c * chunk_bits, k);
            pfn += k;
        }
        next = MAX(next, end);
    }
    if (n) {
        ret = kdump_write_bitmap_chunks(w, buf, first, n);
        if (ret) {
            return kdump_fail(job, w, errp, ret, "write dump_bitmap");
        }
    }
    return true;
}

/*
 * Write the 2nd bitmap's chunk being built, if it has bits (zero pages
 * excluded).  Chunks without bits stay holes.
 */
static int kdump_flush_bitmap2(KdumpWriter *w)
{
    uint64_t off = w->offset_bitmap + w->len_bitmap + w->bm2_chunk * w->ps;
    int ret;

    if (!w->bm2_dirty) {
        return 0;
    }
    ret = dump_sink_pwrite(w->out, w->bm2_bits, w->ps, off);
    memset(w->bm2_bits, 0, w->ps);
    w->bm2_dirty = false;
    return ret;
}

/* Set @pfn's bit of the 2nd bitmap; a chunk is written once passed. */
static int kdump_mark_dumpable(KdumpWriter *w, uint64_t pfn)
{
    const uint64_t chunk_bits = (uint64_t)w->ps * 8;
    uint64_t c = pfn / chunk_bits;
    int ret = 0;

    if (c != w->bm2_chunk) {
        ret = kdump_flush_bitmap2(w);
        w->bm2_chunk = c;
    }
    set_bit(pfn - c * chunk_bits, w->bm2_bits);
    w->bm2_dirty = true;
    return ret;
}

/*
 * The descriptors of batch @b, whose data starts at *@data_pos (advanced),
 * into @descs, *@ndescs of them; with zero pages excluded, only pages
 * with data get one, and a bit in the 2nd bitmap.  Returns 0, the
 * -errno of a bitmap write, or 1 if there are more pages with data than
 * descriptor room.
 */
static int kdump_batch_descs(KdumpWriter *w, const KdumpBatch *b,
                             uint64_t *data_pos, uint8_t *descs,
                             unsigned *ndescs)
{
    unsigned n = 0;

    for (unsigned i = 0; i < b->n; i++) {
        const KdumpPage *pg = &b->pages[i];
        uint8_t *d = descs + n * KDUMP_PAGE_DESC_SIZE;

        if (!pg->size && w->exclude_zero) {
            continue;
        }
        if (w->num_descs + n == w->max_descs) {
            /* memory populated after the descriptor area was sized */
            return 1;
        }
        memset(d, 0, KDUMP_PAGE_DESC_SIZE);
        if (pg->size) {
            put_le(d, 8, *data_pos);
            put_le(d + 8, 4, pg->size);
            put_le(d + 12, 4, pg->flags);
            *data_pos += pg->size;
        } else {
            put_le(d, 8, w->offset_data);       /* the zero page */
            put_le(d + 8, 4, w->ps);
        }
        n++;
        if (w->exclude_zero) {
            int ret = kdump_mark_dumpable(w, pg->pfn);

            if (ret) {
                return ret;
            }
        }
    }
    *ndescs = n;
    return 0;
}

/* The guest bytes batch @b accounts for: its pages and what it skipped. */
static uint64_t kdump_batch_covered(const KdumpBatch *b)
{
    uint64_t covered = b->skipped;

    for (unsigned i = 0; i < b->n; i++) {
        covered += b->pages[i].covered;
    }
    return covered;
}

/*
 * Page data goes through a stage for a plain file (large writes aligned
 * for O_DIRECT), straight to the adapter for a flattened stream, which
 * buffers the stream itself (one copy, not two).
 */
static int kdump_put_data(KdumpWriter *w, DumpStage *data, const void *buf,
                          size_t len, uint64_t pos)
{
    return w->flat ? dump_sink_pwrite(w->out, buf, len, pos)
                   : dump_stage_append(data, buf, len);
}

static int kdump_flush_data(KdumpWriter *w, DumpStage *data)
{
    return w->flat ? 0 : dump_stage_flush(data);
}

static bool kdump_write_pages(DumpJob *job, KdumpWriter *w, Error **errp)
{
    uint8_t descs[KDUMP_BATCH_PAGES * KDUMP_PAGE_DESC_SIZE];
    g_autofree uint8_t *zero_page = g_malloc0(w->ps);
    uint64_t data_pos = w->offset_data + (w->exclude_zero ? 0 : w->ps);
    KdumpPages pages;
    KdumpPool *pool = w->pool;
    KdumpBatch *b;
    DumpStage desc, data = { 0 };
    hwaddr fault_gpa;
    bool ok = false;
    int ret;

    kdump_enter(w, KDUMP_W_PAGES);
    trace_event("kdump_write_pages", "pages=%" PRIu64 " threads=%u "
                "pipeline memory at most %zu bytes", w->num_dumpable,
                w->threads, kdump_pool_memory_bound(w->threads, w->ps) +
                KDUMP_DESC_STAGE +
                (w->flat ? DUMP_FLAT_STAGE_SIZE : KDUMP_DATA_STAGE));
    kdump_pages_init(&pages, &job->blocks, w->ps, w->exclude_zero);
    kdump_pages_set_tracker(&pages, job->tracker);
    if (w->exclude_zero) {
        w->bm2_bits = g_malloc0(w->ps);
    }
    dump_stage_init(&desc, w->out, w->offset_desc, KDUMP_DESC_STAGE);
    if (!w->flat) {
        dump_stage_init(&data, w->out, w->offset_data, KDUMP_DATA_STAGE);
    }

    /* the zero page, for the descriptors of zero pages */
    ret = w->exclude_zero ? 0 :
          kdump_put_data(w, &data, zero_page, w->ps, w->offset_data);
    if (ret) {
        kdump_fail(job, w, errp, ret, "write page data (zero page)");
        goto out;
    }
    while ((b = kdump_pool_next(pool, &pages))) {
        unsigned ndescs = 0;
        bool flushing;
        size_t dlen;

        if (dump_job_cancelled(job)) {
            kdump_fail(job, w, errp, 0, NULL);
            goto out;
        }
        if (b->error) {
            w->state = KDUMP_W_FAILED;
            dump_error_fault(errp, b->error_pfn * w->ps);
            goto out;
        }
        ret = kdump_put_data(w, &data, b->out, b->out_len, data_pos);
        if (ret) {
            kdump_fail(job, w, errp, ret, "write page data");
            goto out;
        }
        ret = kdump_batch_descs(w, b, &data_pos, descs, &ndescs);
        if (ret > 0) {
            error_setg(errp, "dump: guest memory was populated during the "
                       "dump");
            w->state = KDUMP_W_FAILED;
            goto out;
        } else if (ret) {
            kdump_fail(job, w, errp, ret, "write dump_bitmap");
            goto out;
        }
        w->num_descs += ndescs;
        dlen = (size_t)ndescs * KDUMP_PAGE_DESC_SIZE;
        flushing = desc.cap - desc.skip - desc.len <= dlen;
        if (flushing) {
            /* descriptors go out only after the data they point to */
            ret = kdump_flush_data(w, &data);
            if (ret) {
                kdump_fail(job, w, errp, ret, "write page data");
                goto out;
            }
        }
        ret = dump_stage_append(&desc, descs, dlen);
        if (ret) {
            kdump_fail(job, w, errp, ret, "write page desc");
            goto out;
        }
        if (flushing && w->exclude_zero && !w->flat && w->bm2_dirty) {
            /*
             * A plain file gets the 2nd bitmap's chunk in progress after
             * the descriptors too, so that a dump cut short keeps the
             * pages written so far (a bit whose descriptor is still
             * buffered reads as a lost page).  A flattened stream must
             * not hold two records for one offset: it gets each chunk
             * once, when done.
             */
            ret = dump_sink_pwrite(w->out, w->bm2_bits, w->ps,
                                   w->offset_bitmap + w->len_bitmap +
                                   w->bm2_chunk * w->ps);
            if (ret) {
                kdump_fail(job, w, errp, ret, "write dump_bitmap");
                goto out;
            }
        }
        dump_job_progress(job, kdump_batch_covered(b));
    }
    if (kdump_pages_error(&pages, &fault_gpa)) {
        w->state = KDUMP_W_FAILED;
        dump_error_fault(errp, fault_gpa);
        goto out;
    }
    ret = kdump_flush_data(w, &data);
    if (ret) {
        kdump_fail(job, w, errp, ret, "write page data");
        goto out;
    }
    ret = dump_stage_flush(&desc);
    if (ret) {
        kdump_fail(job, w, errp, ret, "write page desc");
        goto out;
    }
    ret = w->exclude_zero ? kdump_flush_bitmap2(w) : 0;
    if (ret) {
        kdump_fail(job, w, errp, ret, "write dump_bitmap");
        goto out;
    }
    assert(desc.pos == w->offset_desc +
           w->num_descs * KDUMP_PAGE_DESC_SIZE);
    assert(w->exclude_zero || w->num_descs == w->max_descs);
    assert(w->flat || data.pos == data_pos);
    ok = true;
out:
    dump_stage_destroy(&data);
    dump_stage_destroy(&desc);
    kdump_pages_destroy(&pages);
    return ok;
}

static bool kdump_write_end(DumpJob *job, KdumpWriter *w, Error **errp)
{
    int ret;

    kdump_enter(w, KDUMP_W_DONE);
    if (w->flat) {
        ret = dump_flat_sink_end(w->flat);
        if (ret) {
            return kdump_fail(job, w, errp, ret, "write end flat header");
        }
        job->file_size = dump_flat_sink_stream_end(w->flat);
    } else {
        job->file_size = dump_sink_end(w->out);
    }
    return true;
}

/* FAILED: tell readers the file is truncated, where that still works. */
static void kdump_mark_incomplete(KdumpWriter *w)
{
    uint32_t status = w->fmt->flag | KDUMP_DH_COMPRESSED_INCOMPLETE;
    int ret;

    if (!w->header_written) {
        return;
    }
    put_le(w->header + w->lay->dh_status, 4, status);
    if (!w->flat) {
        dump_sink_pwrite(w->out, w->header, w->lay->dh_size, 0);
        return;
    }
    ret = dump_flat_sink_patch(w->flat, w->header, w->lay->dh_size, 0);
    if (w->broken) {
        return;
    }
    /*
     * An intact stream (cancelled between writes): unless the header
     * could be patched, a new record (later records win when the file is
     * rebuilt); then the end marker, so the stream is well formed.
     */
    if (ret) {
        ret = dump_sink_pwrite(w->flat, w->header, w->lay->dh_size, 0);
    }
    if (!ret) {
        dump_flat_sink_end(w->flat);
    }
}

static bool kdump_write(DumpJob *job, Error **errp)
{
    KdumpWriter *w = job->encoder_state;
    bool ok;

    assert(w->state == KDUMP_W_PREPARED);
    w->out = job->sink;
    if (!w->fmt->raw) {
        w->flat = w->out = dump_flat_sink_new(job->sink);
    }
    ok = kdump_write_headers(job, w, errp) &&
         kdump_write_bitmaps(job, w, errp) &&
         kdump_write_pages(job, w, errp) &&
         kdump_write_end(job, w, errp);
    if (!ok) {
        kdump_mark_incomplete(w);
    }
    if (w->flat) {
        dump_sink_free(w->flat);
        w->flat = NULL;
    }
    w->out = NULL;
    return ok;
}

/* ------------------------------------------------------------ formats */

#define KDUMP_FORMAT(name, fl, is_raw) {                                \
        .enc = {                                                        \
            .format = name,                                             \
            .needs_seekable = is_raw,                                   \
            .prepare = kdump_prepare,                                   \
            .write = kdump_write,                                       \
            .cleanup = kdump_cleanup,                                   \
        },                                                              \
        .flag = fl,                                                     \
        .raw = is_raw,                                                  \
    }

static const KdumpFormat kdump_formats[] = {
    KDUMP_FORMAT("kdump-zlib", KDUMP_DH_COMPRESSED_ZLIB, false),
    KDUMP_FORMAT("kdump-raw-zlib", KDUMP_DH_COMPRESSED_ZLIB, true),
    KDUMP_FORMAT("kdump-lzo", KDUMP_DH_COMPRESSED_LZO, false),
    KDUMP_FORMAT("kdump-raw-lzo", KDUMP_DH_COMPRESSED_LZO, true),
    KDUMP_FORMAT("kdump-snappy", KDUMP_DH_COMPRESSED_SNAPPY, false),
    KDUMP_FORMAT("kdump-raw-snappy", KDUMP_DH_COMPRESSED_SNAPPY, true),
    KDUMP_FORMAT("kdump-zstd", KDUMP_DH_COMPRESSED_ZSTD, false),
    KDUMP_FORMAT("kdump-raw-zstd", KDUMP_DH_COMPRESSED_ZSTD, true),
};

void dump_kdump_register_encoders(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(kdump_formats); i++) {
        const KdumpFormat *f = &kdump_formats[i];

        if (kdump_compression_available(f->flag) &&
            !dump_encoder_find(f->enc.format)) {
            dump_encoder_register(&f->enc);
        }
    }
}
