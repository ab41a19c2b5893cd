/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-kdump.h: what the parts of the kdump-compressed encoder share --
 * the on-disk constants (makedumpfile's diskdump_mod.h values), the page
 * compressors, the batches pages travel in, the compression pipeline,
 * the flattened-stream sink adapter and the staged (buffered, O_DIRECT
 * friendly) sequential writer.
 *
 *   dump-kdump.c          the encoders: layout, headers, bitmaps, the
 *                         writer's states, incomplete-dump marking
 *   dump-kdump-pages.c    guest pages out of a DumpSource, assembled per
 *                         pfn (blocks need not be page aligned), in batches
 *   dump-kdump-pool.c     worker threads compressing batches while one
 *                         writer emits them in pfn order
 *   dump-kdump-compress.c zlib / lzo / snappy / zstd, one context a thread
 *   dump-kdump-flat.c     the makedumpfile flattened format as a DumpSink
 *                         adapter, and the staged sequential writer
 */
#ifndef DUMP_KDUMP_H
#define DUMP_KDUMP_H

#include "dump/dump-internal.h"

/* ------------------------------------------------------------ format */

#define KDUMP_SIGNATURE             "KDUMP   "     /* 8 bytes, no NUL */
#define KDUMP_SIGNATURE_LEN         8
#define KDUMP_HEADER_VERSION        6
#define KDUMP_DUMP_LEVEL            1
#define KDUMP_HEADER_BLOCKS         1       /* DISKDUMP_HEADER_BLOCKS */
#define KDUMP_UTS_FIELD_LEN         65      /* struct new_utsname fields */
#define KDUMP_UTS_MACHINE           "x86_64"        /* ELF_MACHINE_UNAME */

/* disk_dump_header.status and page_desc.flags */
#define KDUMP_DH_COMPRESSED_ZLIB        0x1
#define KDUMP_DH_COMPRESSED_LZO         0x2
#define KDUMP_DH_COMPRESSED_SNAPPY      0x4
#define KDUMP_DH_COMPRESSED_INCOMPLETE  0x8
#define KDUMP_DH_COMPRESSED_ZSTD        0x20

/* struct page_desc: offset u64, size u32, flags u32, page_flags u64 */
#define KDUMP_PAGE_DESC_SIZE        24

/* makedumpfile's flattened format */
#define KDUMP_FLAT_SIGNATURE        "makedumpfile"
#define KDUMP_FLAT_SIGNATURE_LEN    16
#define KDUMP_FLAT_HEADER_SIZE      4096    /* MAX_SIZE_MDF_HEADER */
#define KDUMP_FLAT_TYPE             1       /* TYPE_FLAT_HEADER */
#define KDUMP_FLAT_VERSION          1       /* VERSION_FLAT_HEADER */
#define KDUMP_FLAT_RECORD_SIZE      16      /* BE int64 offset, size */
#define KDUMP_FLAT_END              (-1)    /* END_FLAG_FLAT_HEADER */

/* ------------------------------------------------------- compressors */

typedef struct KdumpCompressor KdumpCompressor;

/**
 * kdump_compressor_new: a compression context for one thread.
 * @flag: KDUMP_DH_COMPRESSED_{ZLIB,LZO,SNAPPY,ZSTD}.
 * @page_size: bytes per page.
 * @level: the zlib or zstd compression level (x-kdump-zlib-level,
 *         x-kdump-zstd-level); ignored by lzo and snappy.
 * Returns: the context, or NULL if the library refused to set up
 * (out of memory).  Free with kdump_compressor_free().
 */
KdumpCompressor *kdump_compressor_new(uint32_t flag, uint32_t page_size,
                                      int level);
void kdump_compressor_free(KdumpCompressor *c);

/**
 * kdump_compress_page: compress one page (@page_size bytes at @page) into
 * @out, which has room for @page_size - 1 bytes: the format keeps a
 * compressed page only if it is smaller than a page.  zlib and zstd at
 * the compressor's level, lzo1x_1, snappy.
 * Returns: the compressed size, or 0 if it would not be smaller than a
 * page (or the library failed): store the page raw.
 */
size_t kdump_compress_page(KdumpCompressor *c, const uint8_t *page,
                           uint8_t *out);

/** kdump_compression_available: built with the library for @flag. */
bool kdump_compression_available(uint32_t flag);

/**
 * kdump_compression_init: one-time library set-up for @flag (lzo_init(),
 * which the zlib and zstd probe needs too),
 * main thread.  Error: "failed to initialize the LZO library".
 */
bool kdump_compression_init(uint32_t flag, Error **errp);

/*
 * The default levels (x-kdump-zlib-level, x-kdump-zstd-level): zlib 1 is
 * QEMU's Z_BEST_SPEED; zstd's was chosen from measurements of the mixed
 * workload in docs/bench.md (a negative "fast" level would be faster but
 * makes a larger file than QEMU's zlib).
 */
#define KDUMP_ZLIB_LEVEL_DEFAULT    1
#define KDUMP_ZSTD_LEVEL_DEFAULT    1

/**
 * kdump_level_check: whether @level is valid for @flag's library: 0 (the
 * default), or zlib 1..9, zstd its minimum (negative, "fast") level to
 * its maximum.  Levels of other algorithms are not checked.
 * Error: "x-kdump-zstd-level must be between -131072 and 22, or 0 for
 * the default".
 */
bool kdump_level_check(uint32_t flag, int64_t level, Error **errp);

/** kdump_level_or_default: @level, or @flag's default level for 0. */
int kdump_level_or_default(uint32_t flag, int level);

/* ------------------------------------------------------------ batches */

/** Pages per batch: the unit of work a compression thread takes. */
#define KDUMP_BATCH_PAGES 256

/**
 * struct KdumpPage: one dumpable pfn.
 * @data: page_size bytes to compress (guest memory, or the batch's
 *        assembly area), or NULL for a page known to read as zeros
 *        (never touched, or an all-zero edge page); compression finds
 *        the other zero pages.
 * @covered: guest bytes of the page that lie inside blocks (the page size
 *           except at unaligned block edges): its share of the progress.
 * @size, @flags: set by compression: bytes stored and page_desc.flags
 *                (0 = raw); @size 0 for zero pages.
 * @pfn: the page frame number (for the error when @data cannot be read).
 */
typedef struct KdumpPage {
    const uint8_t *data;
    uint64_t pfn;
    uint32_t covered;
    uint32_t size;
    uint32_t flags;
} KdumpPage;

/**
 * struct KdumpBatch: up to KDUMP_BATCH_PAGES consecutive dumpable pfns.
 * Filled by the writer thread (kdump_pages_fill()), compressed by one
 * worker (kdump_batch_compress()), emitted by the writer.
 * @n: pages in use.
 * @ndata: pages with @data (0: nothing to compress).
 * @skipped: guest bytes of never-touched pages the cursor passed over
 *           without a page entry (zero pages excluded from the dump):
 *           their share of the progress.
 * @pages: the pages, in pfn order.
 * @assembly: page copies for edge pages assembled from several blocks
 *            (allocated on first use, KDUMP_BATCH_PAGES pages); @nassembled
 *            used.
 * @out: the stored bytes of the batch's pages, concatenated in order
 *       (KDUMP_BATCH_PAGES pages); @out_len used.
 * @error: set by compression: 0, or -EFAULT if the guest memory of page
 *         @error_pfn raised SIGBUS (the rest of the batch is not valid).
 */
typedef struct KdumpBatch {
    unsigned n;
    unsigned ndata;
    uint64_t skipped;
    KdumpPage pages[KDUMP_BATCH_PAGES];
    uint8_t *assembly;
    unsigned nassembled;
    uint8_t *out;
    size_t out_len;
    int error;
    uint64_t error_pfn;
} KdumpBatch;

/** Bytes a batch may hold at most (the pipeline's memory bound). */
static inline size_t kdump_batch_max_bytes(uint32_t page_size)
{
    return sizeof(KdumpBatch) + 2 * (size_t)KDUMP_BATCH_PAGES * page_size;
}

KdumpBatch *kdump_batch_new(uint32_t page_size);
void kdump_batch_free(KdumpBatch *b);

/**
 * kdump_page_repeated_byte: the byte a page of @len bytes repeats -- 0 for
 * a zero page --, or -1 if it holds different bytes.  Reads one word of
 * most data pages.
 */
int kdump_page_repeated_byte(const uint8_t *page, size_t len);

/* lzo1x_1's documented worst-case output for a page of @ps bytes */
#define KDUMP_PROBE_OUT(ps)     ((ps) + (ps) / 16 + 64 + 3)

/**
 * kdump_page_incompressible: whether @c's compressor, zlib or zstd, need
 * not be run on @page: its bytes are spread over nearly all 256 values
 * (on a sample) and lzo1x_1 finds no repeated string in it.  Such a page
 * is stored raw.  A heuristic: a page it passes could in rare cases have
 * compressed by a few percent; deterministic, so the file does not depend
 * on the number of threads.  Always false for lzo and snappy (their
 * compressors are as fast as the probe) and in builds without lzo.
 * Context: the thread owning @c.
 */
bool kdump_page_incompressible(KdumpCompressor *c, const uint8_t *page);

/**
 * kdump_batch_compress: compress every data page of @b with @c into
 * @b->out, setting each page's size and flags (size 0: the page is all
 * zero: it is excluded, or gets the shared zero page).  Each page is
 * first copied out of guest memory with host_mem_read(); a page that
 * faults sets @b->error and @b->error_pfn and ends the batch.  A page of
 * one repeated byte is compressed once per byte value and copied after
 * that; the bytes are the same.  Worker threads.
 */
void kdump_batch_compress(KdumpBatch *b, KdumpCompressor *c,
                          uint32_t page_size, uint32_t flag);

/* ------------------------------------------------------- page cursor */

/**
 * struct KdumpPages: walks a job's guest memory as a sequence of
 * dumpable pfns: every pfn that some block touches, in increasing order,
 * each exactly once, a page that spans several blocks (or a block and a
 * hole) assembled into one, as QEMU 7.2+ does.  HOLE extents are never
 * read; with @skip_holes they yield no pages at all (only their bytes,
 * in KdumpBatch.skipped), so that their cost is that of the extent, not
 * of its pages.  Fields are private to dump-kdump-pages.c.
 */
typedef struct KdumpPages {
    DumpSource src;
    uint32_t page_size;
    DumpExtent ext;
    uint64_t ext_done;          /* bytes of @ext consumed */
    bool have_ext;
    bool exhausted;             /* the source has no more extents */
    bool skip_holes;
    bool partial;               /* an edge page is being assembled */
    uint64_t partial_pfn;
    bool partial_data;          /* @partial_buf holds guest data */
    uint32_t partial_covered;
    uint8_t *partial_buf;       /* one page */
    int error;                  /* 0 or -EFAULT: see kdump_pages_error() */
    hwaddr error_gpa;
    bool copy_pages;            /* live: extents do not outlive the call */
} KdumpPages;

void kdump_pages_init(KdumpPages *p, const GuestPhysBlockList *blocks,
                      uint32_t page_size, bool skip_holes);
void kdump_pages_destroy(KdumpPages *p);
/**
 * kdump_pages_set_tracker: a live dump: read the snapshot @wt keeps
 * (borrowed; NULL: none), copying every page into its batch.
 */
void kdump_pages_set_tracker(KdumpPages *p, WriteTracker *wt);

/**
 * kdump_pages_fill: empty @b and fill it with the next pages.
 * Returns: false if there was nothing left (no page added, no byte
 * skipped), or on an error: see kdump_pages_error().
 */
bool kdump_pages_fill(KdumpPages *p, KdumpBatch *b);

/**
 * kdump_pages_error: 0, or -EFAULT if copying an edge page (or the
 * source's walk) could not read guest memory at *@gpa; no further pages
 * are produced after that.
 */
int kdump_pages_error(const KdumpPages *p, hwaddr *gpa);

/**
 * kdump_count_pfns: the number of distinct pfns @blocks touch (the
 * dumpable pages) and one past the highest (max_mapnr).  Costs O(blocks).
 */
uint64_t kdump_count_pfns(const GuestPhysBlockList *blocks,
                          uint32_t page_size, uint64_t *max_mapnr);

/**
 * kdump_count_populated_pfns: the number of distinct pfns that populated
 * (non-HOLE) extents of @blocks touch: an upper bound of the pages that
 * can hold non-zero bytes.  Costs one walk of the extents (SEEK_DATA),
 * reading no memory.
 */
uint64_t kdump_count_populated_pfns(const GuestPhysBlockList *blocks,
                                    uint32_t page_size);

/* ------------------------------------------------------------- pool */

typedef struct KdumpPool KdumpPool;

/**
 * kdump_pool_default_threads: the number of online CPUs (at least 1, at
 * most DUMP_MAX_THREADS).
 */
unsigned kdump_pool_default_threads(void);

/**
 * kdump_pool_new: start @nthreads compression threads for @flag, and
 * 2 * @nthreads + 2 batches to pass around (the in-flight window).
 * Returns: NULL if a thread or a compressor could not be created.
 */
KdumpPool *kdump_pool_new(unsigned nthreads, uint32_t flag,
                          uint32_t page_size, int level);

/**
 * kdump_pool_next: the next batch of @pages, compressed, in order; NULL at
 * the end.  Fills and submits batches ahead up to the window.  The batch
 * is the pool's; it stays valid until the next call.  Writer thread only.
 */
KdumpBatch *kdump_pool_next(KdumpPool *pool, KdumpPages *pages);

/** kdump_pool_free: stop the threads (finishing no more work), free. */
void kdump_pool_free(KdumpPool *pool);

/**
 * kdump_pool_memory_bound: the most memory the pool can hold: batches,
 * plus per-thread compressor state.
 */
size_t kdump_pool_memory_bound(unsigned nthreads, uint32_t page_size);

/* ------------------------------------------------- staged writer */

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

/* ------------------------------------------------- flattened format */

/* Bytes the flattened adapter buffers in front of its output. */
#define DUMP_FLAT_STAGE_SIZE (1024 * 1024)

/**
 * dump_flat_sink_new: a sink that turns each write at (offset, length)
 * into a makedumpfile flattened record {BE int64 offset, BE int64 size,
 * data} on @out, which is written strictly sequentially (a pipe will do).
 * Zero ranges produce no record (a rearranged file has zeros there).
 * The adapter is seekable: writes may come at any offset.
 * @out is borrowed; dump_sink_free() frees only the adapter.
 */
DumpSink *dump_flat_sink_new(DumpSink *out);

/** dump_flat_sink_begin: write the 4096-byte flattened header first. */
int dump_flat_sink_begin(DumpSink *flat);

/** dump_flat_sink_flush: write out what the adapter buffers. */
int dump_flat_sink_flush(DumpSink *flat);

/** dump_flat_sink_end: write the end marker and flush everything. */
int dump_flat_sink_end(DumpSink *flat);

/**
 * dump_flat_sink_patch: overwrite @len bytes at logical @offset in the
 * stream already produced, in place, without a new record: possible only
 * for bytes of the first record, and only while it is still buffered or
 * @out is seekable.  Used to mark a failed dump incomplete.
 * Returns: 0, -ENOENT if the bytes are not patchable, or @out's -errno.
 */
int dump_flat_sink_patch(DumpSink *flat, const void *buf, size_t len,
                         uint64_t offset);

/** dump_flat_sink_stream_end: bytes of flattened stream produced. */
uint64_t dump_flat_sink_stream_end(DumpSink *flat);

#endif /* DUMP_KDUMP_H */
