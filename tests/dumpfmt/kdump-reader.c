/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kdump-reader.c: reader of kdump-compressed dumps (see kdump-reader.h).
 *
 * Plain file layout (block = block_size bytes, little-endian fields):
 *
 *   block 0                 disk_dump_header (464 bytes used)
 *   block 1 .. sub_hdr      kdump_sub_header (104 bytes), then ELF notes
 *   next bitmap_blocks      1st bitmap, then 2nd bitmap (same length)
 *   next                    page_desc[] (24 bytes each, one per set bit of
 *                           the 2nd bitmap, in pfn order)
 *   anywhere after          page data the descriptors point to
 *
 * Flattened stream: a 4096-byte header ("makedumpfile", type 1, version
 * 1, big-endian int64s), then records {int64 BE offset, int64 BE size,
 * data}, ending with offset = size = -1.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include "kdump-reader.h"

#define FLAT_HEADER_SIZE 4096
#define FLAT_SIGNATURE "makedumpfile"
#define KDUMP_SIGNATURE "KDUMP   "
#define DH_OFF_VERSION 8
#define DH_OFF_UTSNAME 12
#define DH_UTS_LEN 65
#define DH_SIZE 464
#define PD_SIZE 24

/*
 * disk_dump_header and kdump_sub_header field offsets: the 64-bit
 * layout (timestamp[22] after utsname) and the 32-bit one (timestamp[10];
 * sub-header with 32-bit words, 64-bit fields packed), which QEMU writes
 * for ELF32 dumps.  A header is taken as 64-bit if its fields make sense
 * there, else as 32-bit (libkdumpfile probes the same fields).
 */
typedef struct Layout {
    unsigned status, block_size, sub_hdr_size, bitmap_blocks, max_mapnr;
    unsigned nr_cpus;
    unsigned sh_size, sh_word, sh_vmcoreinfo_off, sh_vmcoreinfo_size;
    unsigned sh_note_off, sh_note_size, sh_max_mapnr_64;
} Layout;

static const Layout layout64 = {
    424, 428, 432, 436, 440, 460, 104, 8, 32, 40, 48, 56, 96,
};
static const Layout layout32 = {
    412, 416, 420, 424, 428, 448, 80, 4, 20, 28, 32, 40, 72,
};
#define MAX_BLOCK_SIZE (1 << 20)

struct KdumpReader {
    KdumpInfo info;
    int fd;
    char *path;
    char *tmp_path;         /* rearranged flattened input, removed at close */
    uint8_t *bitmap1;
    uint8_t *bitmap2;
    uint64_t bitmap_len;
    uint32_t *rank;         /* set bits before each 4096-bit chunk */
    uint64_t desc_off;
    uint8_t *notes;
    uint8_t *cbuf;          /* compressed data buffer */
    bool lenient;           /* incomplete dump: zeros past the end */
};

#define RANK_CHUNK_BITS 4096

static uint32_t le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int64_t be64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++) {
        v = v << 8 | p[i];
    }
    return (int64_t)v;
}

static bool pread_full(int fd, void *buf, size_t len, uint64_t off,
                       GError **err)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = pread(fd, (char *)buf + done, len - done, off + done);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_IO,
                        "short read at offset %" PRIu64 " (%zu of %zu "
                        "bytes)", off, done, len);
            return false;
        }
        done += n;
    }
    return true;
}

/*
 * pread_full() for the reader: a dump marked incomplete may end early;
 * what lies past its end reads as zeros (descriptors of lost pages).
 */
static bool reader_pread(KdumpReader *r, void *buf, size_t len, uint64_t off,
                         GError **err)
{
    struct stat st;

    if (r->lenient && fstat(r->fd, &st) == 0 &&
        off + len > (uint64_t)st.st_size) {
        uint64_t have = off < (uint64_t)st.st_size ? st.st_size - off : 0;

        memset((char *)buf + have, 0, len - have);
        len = have;
    }
    return pread_full(r->fd, buf, len, off, err);
}

static bool read_full(int fd, void *buf, size_t len, bool *eof)
{
    size_t done = 0;

    *eof = false;
    while (done < len) {
        ssize_t n = read(fd, (char *)buf + done, len - done);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            *eof = n == 0 && done == 0;
            return false;
        }
        done += n;
    }
    return true;
}

/*
 * Rebuild the plain file; with @truncated, a stream that ends early
 * (no end marker, or a record cut short) is rebuilt as far as it goes
 * and *@truncated set, instead of failing.
 */
static bool flattened_to_plain(const char *in, const char *out,
                               bool *truncated, GError **err)
{
    uint8_t head[FLAT_HEADER_SIZE], rec[16];
    g_autofree uint8_t *buf = g_malloc(1 << 20);
    int ifd = open(in, O_RDONLY | O_CLOEXEC);
    int ofd = -1;
    bool eof, ok = false;

    if (ifd < 0) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "cannot open %s: %s", in, g_strerror(errno));
        return false;
    }
    if (!read_full(ifd, head, sizeof(head), &eof) ||
        memcmp(head, FLAT_SIGNATURE, strlen(FLAT_SIGNATURE)) ||
        be64(head + 16) != 1 || be64(head + 24) != 1) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s: not a flattened makedumpfile stream (signature, "
                    "type 1, version 1)", in);
        goto out;
    }
    ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (ofd < 0) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "cannot create %s: %s", out, g_strerror(errno));
        goto out;
    }
    for (;;) {
        int64_t off, size;

        if (!read_full(ifd, rec, sizeof(rec), &eof)) {
            if (truncated) {
                *truncated = true;
                break;
            }
            g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s: stream ends without the end marker", in);
            goto out;
        }
        off = be64(rec);
        size = be64(rec + 8);
        if (off == -1 && size == -1) {
            break;
        }
        if (off < 0 || size < 0 || off + size < off) {
            g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s: bad record offset %" PRId64 " size %" PRId64,
                        in, off, size);
            goto out;
        }
        while (size) {
            size_t n = MIN((uint64_t)size, 1 << 20);

            if (!read_full(ifd, buf, n, &eof)) {
                if (truncated) {
                    *truncated = true;
                    size = 0;
                    break;
                }
                g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_IO,
                            "%s: truncated record data", in);
                goto out;
            }
            if (pwrite(ofd, buf, n, off) != (ssize_t)n) {
                g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_IO,
                            "%s: cannot write the rebuilt file", in);
                goto out;
            }
            off += n;
            size -= n;
        }
        if (truncated && *truncated) {
            break;
        }
    }
    ok = true;
out:
    close(ifd);
    if (ofd >= 0) {
        close(ofd);
    }
    return ok;
}

bool kdump_flattened_to_plain(const char *in, const char *out, GError **err)
{
    return flattened_to_plain(in, out, NULL, err);
}

/*
 * Set *err and evaluate to false.  A macro, not a variadic function: the
 * static analyzer does not follow variadic calls and would assume one
 * might return true.
 */
#define fail(err, ...) \
    (g_set_error((err), G_FILE_ERROR, G_FILE_ERROR_INVAL, __VA_ARGS__), false)

static bool block_size_ok(uint32_t bs)
{
    return bs >= 512 && bs <= MAX_BLOCK_SIZE && !(bs & (bs - 1));
}

/* Do the fields at @l's offsets make sense (as libkdumpfile checks)? */
static bool layout_plausible(const Layout *l, const uint8_t *dh)
{
    uint32_t bs = le32(dh + l->block_size);
    uint64_t bitmap_bits = (uint64_t)le32(dh + l->bitmap_blocks) * bs * 8;

    return block_size_ok(bs) && le32(dh + l->sub_hdr_size) &&
           bitmap_bits >= 2 * (uint64_t)le32(dh + l->max_mapnr);
}

/* Sub-header word (phys_base, sizes): 32 or 64 bits by layout. */
static uint64_t sh_word(const Layout *l, const uint8_t *p)
{
    return l->sh_word == 8 ? le64(p) : le32(p);
}

static bool parse_headers(KdumpReader *r, GError **err)
{
    uint8_t dh[DH_SIZE], sh[104];
    KdumpInfo *in = &r->info;
    const Layout *l = &layout64;
    uint64_t sub_off, bitmap_off;

    if (!reader_pread(r, dh, sizeof(dh), 0, err)) {
        return false;
    }
    if (memcmp(dh, KDUMP_SIGNATURE, 8)) {
        return fail(err, "bad signature '%.8s' (expected 'KDUMP   ')", dh);
    }
    if (!layout_plausible(&layout64, dh) &&
        layout_plausible(&layout32, dh)) {
        l = &layout32;
    }
    in->is64 = l == &layout64;
    in->header_version = le32(dh + DH_OFF_VERSION);
    memcpy(in->machine, dh + DH_OFF_UTSNAME + 4 * DH_UTS_LEN, DH_UTS_LEN);
    in->status = le32(dh + l->status);
    r->lenient = in->status & KDUMP_DH_COMPRESSED_INCOMPLETE;
    in->block_size = le32(dh + l->block_size);
    in->sub_hdr_size = le32(dh + l->sub_hdr_size);
    in->bitmap_blocks = le32(dh + l->bitmap_blocks);
    in->max_mapnr = le32(dh + l->max_mapnr);
    in->nr_cpus = le32(dh + l->nr_cpus);
    if (!block_size_ok(in->block_size)) {
        return fail(err, "bad block_size %u", in->block_size);
    }
    if (!in->sub_hdr_size || in->bitmap_blocks % 2) {
        return fail(err, "bad sub_hdr_size %u / bitmap_blocks %u",
                    in->sub_hdr_size, in->bitmap_blocks);
    }
    sub_off = in->block_size;
    if (!reader_pread(r, sh, l->sh_size, sub_off, err)) {
        return false;
    }
    in->phys_base = sh_word(l, sh);
    in->offset_vmcoreinfo = le64(sh + l->sh_vmcoreinfo_off);
    in->size_vmcoreinfo = sh_word(l, sh + l->sh_vmcoreinfo_size);
    in->offset_note = le64(sh + l->sh_note_off);
    in->note_size = sh_word(l, sh + l->sh_note_size);
    if (in->header_version >= 6) {
        in->max_mapnr = le64(sh + l->sh_max_mapnr_64);
    }
    if (in->note_size > 64 * 1024 * 1024) {
        return fail(err, "note_size %" PRIu64 " is absurd", in->note_size);
    }
    r->notes = g_malloc0(in->note_size + 1);
    if (in->note_size &&
        !reader_pread(r, r->notes, in->note_size, in->offset_note, err)) {
        return false;
    }

    r->bitmap_len = (uint64_t)in->bitmap_blocks / 2 * in->block_size;
    if (r->bitmap_len * 8 < in->max_mapnr) {
        return fail(err, "bitmap of %" PRIu64 " bytes cannot hold "
                    "max_mapnr %" PRIu64, r->bitmap_len, in->max_mapnr);
    }
    bitmap_off = (uint64_t)(1 + in->sub_hdr_size) * in->block_size;
    r->bitmap2 = g_malloc(r->bitmap_len);
    if (!reader_pread(r, r->bitmap2, r->bitmap_len,
                    bitmap_off + r->bitmap_len, err)) {
        return false;
    }
    r->bitmap1 = g_malloc(r->bitmap_len);
    if (!reader_pread(r, r->bitmap1, r->bitmap_len, bitmap_off, err)) {
        return false;
    }
    for (uint64_t i = 0; i < r->bitmap_len; i++) {
        if (r->bitmap2[i] & ~r->bitmap1[i]) {
            return fail(err, "pfn 0x%" PRIx64 " is in the 2nd bitmap but "
                        "not in the 1st", i * 8 +
                        __builtin_ctz(r->bitmap2[i] & ~r->bitmap1[i]));
        }
        r->info.ram_pages += __builtin_popcount(r->bitmap1[i]);
    }
    r->desc_off = (uint64_t)(1 + in->sub_hdr_size + in->bitmap_blocks) *
                  in->block_size;
    return true;
}

static void build_rank(KdumpReader *r)
{
    uint64_t nbits = r->bitmap_len * 8;
    uint64_t chunks = nbits / RANK_CHUNK_BITS + 1;
    uint64_t count = 0;

    r->rank = g_new0(uint32_t, chunks + 1);
    for (uint64_t c = 0; c < chunks; c++) {
        uint64_t first = c * RANK_CHUNK_BITS / 8;
        uint64_t last = MIN(r->bitmap_len, first + RANK_CHUNK_BITS / 8);

        r->rank[c] = count;
        for (uint64_t b = first; b < last; b++) {
            count += __builtin_popcount(r->bitmap2[b]);
        }
    }
    r->rank[chunks] = count;
    r->info.dumpable_pages = count;
}

bool kdump_reader_page_ram(const KdumpReader *r, uint64_t pfn)
{
    if (pfn >= r->bitmap_len * 8) {
        return false;
    }
    return r->bitmap1[pfn / 8] & (1u << (pfn % 8));
}

bool kdump_reader_page_dumpable(const KdumpReader *r, uint64_t pfn)
{
    if (pfn >= r->bitmap_len * 8) {
        return false;
    }
    return r->bitmap2[pfn / 8] & (1u << (pfn % 8));
}

static uint64_t desc_index(const KdumpReader *r, uint64_t pfn)
{
    uint64_t c = pfn / RANK_CHUNK_BITS, idx = r->rank[c];

    for (uint64_t b = c * RANK_CHUNK_BITS; b < pfn; b++) {
        idx += kdump_reader_page_dumpable(r, b);
    }
    return idx;
}

static bool count_shared_descs(KdumpReader *r, GError **err)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_int64_hash,
                                                  g_int64_equal);
    g_autofree gint64 *offsets = g_new(gint64, MAX(1, r->info.dumpable_pages));
    const uint64_t batch = 4096;
    g_autofree uint8_t *pd = g_malloc(batch * PD_SIZE);

    for (uint64_t i = 0; i < r->info.dumpable_pages; i += batch) {
        uint64_t n = MIN(batch, r->info.dumpable_pages - i);

        if (!reader_pread(r, pd, n * PD_SIZE, r->desc_off + i * PD_SIZE,
                        err)) {
            return false;
        }
        for (uint64_t k = 0; k < n; k++) {
            offsets[i + k] = le64(pd + k * PD_SIZE);
            if (!g_hash_table_add(seen, &offsets[i + k])) {
                r->info.zero_desc_pages++;
            }
        }
    }
    return true;
}

KdumpReader *kdump_reader_open(const char *path, GError **err)
{
    KdumpReader *r = g_new0(KdumpReader, 1);
    char sig[16] = { 0 };
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    bool truncated = false, parsed;
    GError *perr = NULL;

    r->fd = -1;
    if (fd < 0) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "cannot open %s: %s", path, g_strerror(errno));
        goto fail;
    }
    if (pread(fd, sig, sizeof(sig), 0) == sizeof(sig) &&
        !memcmp(sig, FLAT_SIGNATURE, strlen(FLAT_SIGNATURE))) {
        close(fd);
        r->tmp_path = g_strdup_printf("%s.plain-XXXXXX", path);
        fd = g_mkstemp(r->tmp_path);
        if (fd < 0) {
            g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
                        "cannot create a temporary file next to %s", path);
            goto fail;
        }
        close(fd);
        if (!flattened_to_plain(path, r->tmp_path, &truncated, err)) {
            goto fail;
        }
        fd = open(r->tmp_path, O_RDONLY | O_CLOEXEC);
        r->info.flattened = true;
    }
    r->fd = fd;
    r->path = g_strdup(r->tmp_path ? r->tmp_path : path);
    parsed = parse_headers(r, &perr);
    if (truncated && !r->lenient) {
        /* a cut-short stream is fine only if it says it is incomplete */
        g_clear_error(&perr);
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s: stream ends without the end marker", path);
        goto fail;
    }
    if (!parsed) {
        g_propagate_error(err, perr);
        goto fail;
    }
    build_rank(r);
    if (!count_shared_descs(r, err)) {
        goto fail;
    }
    r->cbuf = g_malloc(r->info.block_size);
    return r;
fail:
    kdump_reader_close(r);
    return NULL;
}

void kdump_reader_close(KdumpReader *r)
{
    if (!r) {
        return;
    }
    if (r->fd >= 0) {
        close(r->fd);
    }
    if (r->tmp_path) {
        g_unlink(r->tmp_path);
    }
    g_free(r->tmp_path);
    g_free(r->path);
    g_free(r->bitmap1);
    g_free(r->bitmap2);
    g_free(r->rank);
    g_free(r->notes);
    g_free(r->cbuf);
    g_free(r);
}

const KdumpInfo *kdump_reader_info(const KdumpReader *r)
{
    return &r->info;
}

const uint8_t *kdump_reader_notes(const KdumpReader *r)
{
    return r->notes;
}

const char *kdump_reader_plain_path(const KdumpReader *r)
{
    return r->path;
}

static bool decompress(uint32_t flags, const uint8_t *src, uint32_t len,
                       uint8_t *dst, uint32_t block, GError **err)
{
    if (flags & KDUMP_DH_COMPRESSED_ZLIB) {
        uLongf out = block;

        if (uncompress(dst, &out, src, len) != Z_OK || out != block) {
            return fail(err, "zlib data does not inflate to a page");
        }
    } else if (flags & KDUMP_DH_COMPRESSED_LZO) {
        lzo_uint out = block;

        if (lzo1x_decompress_safe(src, len, dst, &out, NULL) != LZO_E_OK ||
            out != block) {
            return fail(err, "lzo data does not inflate to a page");
        }
    } else if (flags & KDUMP_DH_COMPRESSED_SNAPPY) {
        size_t out = block;

        if (snappy_uncompress((const char *)src, len, (char *)dst, &out) !=
            SNAPPY_OK || out != block) {
            return fail(err, "snappy data does not inflate to a page");
        }
    } else if (flags & KDUMP_DH_COMPRESSED_ZSTD) {
        size_t out = ZSTD_decompress(dst, block, src, len);

        if (ZSTD_isError(out) || out != block) {
            return fail(err, "zstd data does not inflate to a page");
        }
    } else {
        if (len != block) {
            return fail(err, "uncompressed page of %u bytes (block %u)", len,
                        block);
        }
        memcpy(dst, src, block);
    }
    return true;
}

bool kdump_reader_read_page(KdumpReader *r, uint64_t pfn, void *buf,
                            GError **err)
{
    uint8_t pd[PD_SIZE];
    uint64_t idx, off;
    uint32_t size, flags;

    if (!kdump_reader_page_dumpable(r, pfn)) {
        return fail(err, "pfn 0x%" PRIx64 " is not in the dump", pfn);
    }
    idx = desc_index(r, pfn);
    if (!reader_pread(r, pd, PD_SIZE, r->desc_off + idx * PD_SIZE, err)) {
        return false;
    }
    off = le64(pd);
    size = le32(pd + 8);
    flags = le32(pd + 12);
    if (!off && (r->info.status & KDUMP_DH_COMPRESSED_INCOMPLETE)) {
        /* makedumpfile's convention: a page lost when the dump failed */
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    "pfn 0x%" PRIx64 " was lost: the dump is incomplete",
                    pfn);
        return false;
    }
    if (size > r->info.block_size || !size) {
        return fail(err, "pfn 0x%" PRIx64 ": descriptor size %u", pfn, size);
    }
    if (!reader_pread(r, r->cbuf, size, off, err)) {
        return false;
    }
    return decompress(flags, r->cbuf, size, buf, r->info.block_size, err);
}
