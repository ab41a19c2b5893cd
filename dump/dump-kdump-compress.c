/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-kdump-compress.c: page compression for kdump dumps -- one context
 * per thread, so compression threads share nothing -- and the batch a
 * thread compresses at a time.
 *
 * Each algorithm is used the way QEMU (zlib, lzo, snappy) and makedumpfile
 * (zstd) use it, so that at the default levels the bytes match theirs:
 * zlib's compress2() at Z_BEST_SPEED (here a reused deflate stream reset
 * per page, which emits the same bytes without allocating 256 KiB per
 * page), lzo1x_1, snappy, zstd level 1.  The zlib and zstd levels are
 * settable (x-kdump-zlib-level, x-kdump-zstd-level).  A page is stored
 * compressed only if that makes it smaller than a page; otherwise it is
 * stored raw (flags 0).
 *
 * zlib and zstd spend 4 (zstd) to 60 (zlib) microseconds finding out
 * that a page of random bytes does not compress; a probe costing about
 * one tells most such pages apart first (kdump_page_incompressible()),
 * and they are stored raw without reaching the compressor.
 */
#include "qemu/osdep.h"
#include <zlib.h>
#include "config-host.h"
#include "qemu/host-mem.h"
#ifdef CONFIG_LZO
#include <lzo/lzo1x.h>
#endif
#ifdef CONFIG_SNAPPY
#include <snappy-c.h>
#endif
#ifdef CONFIG_ZSTD
#include <zstd.h>
#endif
#include "qemu/error.h"
#include "dump/dump-kdump.h"

/*
 * struct KdumpCompressor
 * @scratch: output room for the libraries that need their worst-case
 *           bound (lzo, snappy); @scratch_size bytes.
 * @work: lzo's dictionary.
 * @rep_out, @rep_len: the stored form of a page of one repeated byte
 *                     value, per value, made on first use (@rep_len 0:
 *                     not yet; the compressed bytes, or the page raw).
 */
struct KdumpCompressor {
    uint32_t flag;
    uint32_t page_size;
    int level;
    uint8_t *rep_out[256];
    uint32_t rep_len[256];
    z_stream zs;
    bool zs_ready;
    uint8_t *scratch;
    size_t scratch_size;
    void *work;
    uint8_t *bounce;            /* one page: the guarded copy of a page */
    uint8_t *probe;             /* lzo's output for the probe, or NULL */
    void *probe_work;           /* lzo's dictionary for the probe */
#ifdef CONFIG_ZSTD
    ZSTD_CCtx *zctx;
#endif
};

bool kdump_compression_available(uint32_t flag)
{
    switch (flag) {
    case KDUMP_DH_COMPRESSED_ZLIB:
        return true;
#ifdef CONFIG_LZO
    case KDUMP_DH_COMPRESSED_LZO:
        return true;
#endif
#ifdef CONFIG_SNAPPY
    case KDUMP_DH_COMPRESSED_SNAPPY:
        return true;
#endif
#ifdef CONFIG_ZSTD
    case KDUMP_DH_COMPRESSED_ZSTD:
        return true;
#endif
    default:
        return false;
    }
}

bool kdump_compression_init(uint32_t flag, Error **errp)
{
#ifdef CONFIG_LZO
    /* zlib and zstd use lzo1x_1 too: kdump_page_incompressible() */
    if (lzo_init() != LZO_E_OK) {
        error_setg(errp, "failed to initialize the LZO library");
        return false;
    }
#endif
    return true;
}

bool kdump_level_check(uint32_t flag, int64_t level, Error **errp)
{
    int min, max;
    const char *name;

    switch (flag) {
    case KDUMP_DH_COMPRESSED_ZLIB:
        name = "x-kdump-zlib-level";
        min = Z_BEST_SPEED;
        max = Z_BEST_COMPRESSION;
        break;
#ifdef CONFIG_ZSTD
    case KDUMP_DH_COMPRESSED_ZSTD:
        name = "x-kdump-zstd-level";
        min = ZSTD_minCLevel();
        max = ZSTD_maxCLevel();
        break;
#endif
    default:
        return true;
    }
    if (level && (level < min || level > max)) {
        error_setg(errp, "%s must be between %d and %d, or 0 for the "
                   "default", name, min, max);
        return false;
    }
    return true;
}

int kdump_level_or_default(uint32_t flag, int level)
{
    if (level) {
        return level;
    }
    return flag == KDUMP_DH_COMPRESSED_ZSTD ? KDUMP_ZSTD_LEVEL_DEFAULT
                                            : KDUMP_ZLIB_LEVEL_DEFAULT;
}

KdumpCompressor *kdump_compressor_new(uint32_t flag, uint32_t page_size,
                                      int level)
{
    KdumpCompressor *c = g_new0(KdumpCompressor, 1);

    c->flag = flag;
    c->page_size = page_size;
    c->level = level;
    switch (flag) {
    case KDUMP_DH_COMPRESSED_ZLIB:
        if (deflateInit(&c->zs, level) != Z_OK) {
            goto fail;
        }
        c->zs_ready = true;
        break;
#ifdef CONFIG_LZO
    case KDUMP_DH_COMPRESSED_LZO:
        c->scratch_size = KDUMP_PROBE_OUT(page_size);
        c->work = g_malloc(LZO1X_1_MEM_COMPRESS);
        break;
#endif
#ifdef CONFIG_SNAPPY
    case KDUMP_DH_COMPRESSED_SNAPPY:
        c->scratch_size = snappy_max_compressed_length(page_size);
        break;
#endif
#ifdef CONFIG_ZSTD
    case KDUMP_DH_COMPRESSED_ZSTD:
        /* the level once, not per page: ZSTD_compress2() keeps it */
        c->zctx = ZSTD_createCCtx();
        if (!c->zctx ||
            ZSTD_isError(ZSTD_CCtx_setParameter(c->zctx,
                                                ZSTD_c_compressionLevel,
                                                level))) {
            goto fail;
        }
        break;
#endif
    default:
        g_assert_not_reached();
    }
    if (c->scratch_size) {
        c->scratch = g_malloc(c->scratch_size);
    }
#ifdef CONFIG_LZO
    if (flag == KDUMP_DH_COMPRESSED_ZLIB || flag == KDUMP_DH_COMPRESSED_ZSTD) {
        c->probe = g_malloc(KDUMP_PROBE_OUT(page_size));
        c->probe_work = g_malloc(LZO1X_1_MEM_COMPRESS);
    }
#endif
    c->bounce = g_malloc(page_size);
    return c;

fail:
    kdump_compressor_free(c);
    return NULL;
}

void kdump_compressor_free(KdumpCompressor *c)
{
    if (!c) {
        return;
    }
    if (c->zs_ready) {
        deflateEnd(&c->zs);
    }
#ifdef CONFIG_ZSTD
    ZSTD_freeCCtx(c->zctx);
#endif
    for (unsigned i = 0; i < 256; i++) {
        g_free(c->rep_out[i]);
    }
    g_free(c->scratch);
    g_free(c->work);
    g_free(c->bounce);
    g_free(c->probe);
    g_free(c->probe_work);
    g_free(c);
}

static size_t compress_zlib(KdumpCompressor *c, const uint8_t *page,
                            uint8_t *out)
{
    if (deflateReset(&c->zs) != Z_OK) {
        return 0;
    }
    c->zs.next_in = (Bytef *)page;
    c->zs.avail_in = c->page_size;
    c->zs.next_out = out;
    c->zs.avail_out = c->page_size - 1;
    /* Z_STREAM_END only if everything fit below a page */
    if (deflate(&c->zs, Z_FINISH) != Z_STREAM_END) {
        return 0;
    }
    return c->zs.total_out;
}

/* A result in @scratch: kept if smaller than a page. */
static size_t from_scratch(KdumpCompressor *c, size_t len, uint8_t *out)
{
    if (!len || len >= c->page_size) {
        return 0;
    }
    memcpy(out, c->scratch, len);
    return len;
}

size_t kdump_compress_page(KdumpCompressor *c, const uint8_t *page,
                           uint8_t *out)
{
    switch (c->flag) {
    case KDUMP_DH_COMPRESSED_ZLIB:
        return compress_zlib(c, page, out);
#ifdef CONFIG_LZO
    case KDUMP_DH_COMPRESSED_LZO: {
        lzo_uint len = c->scratch_size;

        if (lzo1x_1_compress(page, c->page_size, c->scratch, &len,
                             c->work) != LZO_E_OK) {
            return 0;
        }
        return from_scratch(c, len, out);
    }
#endif
#ifdef CONFIG_SNAPPY
    case KDUMP_DH_COMPRESSED_SNAPPY: {
        size_t len = c->scratch_size;

        if (snappy_compress((const char *)page, c->page_size,
                            (char *)c->scratch, &len) != SNAPPY_OK) {
            return 0;
        }
        return from_scratch(c, len, out);
    }
#endif
#ifdef CONFIG_ZSTD
    case KDUMP_DH_COMPRESSED_ZSTD: {
        size_t len = ZSTD_compress2(c->zctx, out, c->page_size - 1, page,
                                    c->page_size);

        return ZSTD_isError(len) ? 0 : len;
    }
#endif
    default:
        g_assert_not_reached();
    }
}

int kdump_page_repeated_byte(const uint8_t *page, size_t len)
{
    uint64_t first, pattern = page[0] * 0x0101010101010101ULL;
    size_t i = 0;

    /* most data pages fail on the first word */
    if (len >= sizeof(first)) {
        memcpy(&first, page, sizeof(first));
        if (first != pattern) {
            return -1;
        }
    }
    for (; i + 64 <= len; i += 64) {
        uint64_t w[8], acc = 0;

        memcpy(w, page + i, sizeof(w));
        for (int j = 0; j < 8; j++) {
            acc |= w[j] ^ pattern;
        }
        if (acc) {
            return -1;
        }
    }
    for (; i < len; i++) {
        if (page[i] != page[0]) {
            return -1;
        }
    }
    return page[0];
}

/*
 * The stored form of a page of byte @byte repeated, into @out: what
 * kdump_compress_page() makes of it (compressors are deterministic),
 * made once per value and copied after that.  Returns its size, or 0 if
 * it is stored raw.
 */
static size_t compress_repeated(KdumpCompressor *c, uint8_t byte,
                                uint8_t *out)
{
    if (!c->rep_len[byte]) {
        g_autofree uint8_t *page = g_malloc(c->page_size);
        size_t len;

        memset(page, byte, c->page_size);
        c->rep_out[byte] = g_malloc(c->page_size);
        len = kdump_compress_page(c, page, c->rep_out[byte]);
        /* 0 (raw) is remembered as a page's worth: nothing to copy */
        c->rep_len[byte] = len ? len : c->page_size;
    }
    if (c->rep_len[byte] == c->page_size) {
        return 0;
    }
    memcpy(out, c->rep_out[byte], c->rep_len[byte]);
    return c->rep_len[byte];
}

/*
 * The probe.  A compressor shrinks a page by matches (repeated strings)
 * and, zlib and zstd, by entropy coding (frequent bytes in fewer bits).
 * A page it cannot shrink has neither: its bytes are spread over nearly
 * every value, and it holds no repeated strings.  The first is checked on
 * a sample, the second with lzo1x_1, which gives up on such a page in
 * about a microsecond: a page passing both is stored raw.
 *
 * Sample: KDUMP_PROBE_SAMPLES bytes at an even stride.  Bytes drawn
 * uniformly from all 256 values show 256 * (1 - e^-2) = 221 distinct
 * values in 512 samples (standard deviation about 4.5); text shows under
 * 100, and data over 200 values at equal frequencies, the least spread
 * that passes, would save at most about 3 % by entropy coding.
 * lzo: its output must be larger than the page (lzo1x_1 expands a page
 * with no match of 4 bytes or more by about 16 bytes).
 */
#define KDUMP_PROBE_SAMPLES     512
#define KDUMP_PROBE_DISTINCT    200

bool kdump_page_incompressible(KdumpCompressor *c, const uint8_t *page)
{
#ifdef CONFIG_LZO
    uint64_t seen[4] = { 0 };
    size_t stride = c->page_size / KDUMP_PROBE_SAMPLES;
    unsigned distinct = 0;
    lzo_uint len = KDUMP_PROBE_OUT(c->page_size);

    if (!c->probe || !stride) {
        return false;
    }
    for (size_t i = 0; i < c->page_size; i += stride) {
        seen[page[i] >> 6] |= 1ULL << (page[i] & 63);
    }
    for (unsigned i = 0; i < 4; i++) {
        distinct += __builtin_popcountll(seen[i]);
    }
    if (distinct < KDUMP_PROBE_DISTINCT) {
        return false;
    }
    if (lzo1x_1_compress(page, c->page_size, c->probe, &len,
                         c->probe_work) != LZO_E_OK) {
        return false;
    }
    return len > c->page_size;
#else
    return false;
#endif
}

/* ------------------------------------------------------------ batches */

KdumpBatch *kdump_batch_new(uint32_t page_size)
{
    KdumpBatch *b = g_new0(KdumpBatch, 1);

    b->out = g_malloc((size_t)KDUMP_BATCH_PAGES * page_size);
    return b;
}

void kdump_batch_free(KdumpBatch *b)
{
    if (b) {
        g_free(b->assembly);
        g_free(b->out);
        g_free(b);
    }
}

void kdump_batch_compress(KdumpBatch *b, KdumpCompressor *c,
                          uint32_t page_size, uint32_t flag)
{
    size_t pos = 0;

    b->error = 0;
    for (unsigned i = 0; i < b->n; i++) {
        KdumpPage *pg = &b->pages[i];
        int rep;
        size_t len;

        if (pg->data && host_mem_read(c->bounce, pg->data, page_size) < 0) {
            b->error = -EFAULT;
            b->error_pfn = pg->pfn;
            break;
        }
        rep = pg->data ? kdump_page_repeated_byte(c->bounce, page_size) : 0;
        if (rep == 0) {
            pg->size = 0;           /* a zero page */
            pg->flags = 0;
            continue;
        }
        /* a page of one byte never reaches the compressor twice */
        if (rep > 0) {
            len = compress_repeated(c, rep, b->out + pos);
        } else if (kdump_page_incompressible(c, c->bounce)) {
            len = 0;
        } else {
            len = kdump_compress_page(c, c->bounce, b->out + pos);
        }
        if (len) {
            pg->flags = flag;
        } else {
            memcpy(b->out + pos, c->bounce, page_size);
            len = page_size;
            pg->flags = 0;
        }
        pg->size = len;
        pos += len;
    }
    b->out_len = pos;
}
