/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-kdump-reader.c: the in-tree kdump reader against files built here
 * by hand from the format description (raw and flattened, zero page,
 * zlib/lzo/snappy/zstd and uncompressed pages, pfns above 4 GiB), and the
 * same files against libkdumpfile (python3-libkdumpfile), so that the
 * reader's understanding of the layout is checked by an outside reader.
 */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include "kdump-reader.h"

#define BS 4096
#define MAX_MAPNR 0x100010ULL       /* pfns up to just above 4 GiB */

typedef struct Page {
    uint64_t pfn;
    uint32_t flags;         /* compression, 0 = raw, ~0u = zero page */
    uint8_t fill;
} Page;

static const Page pages[] = {
    { 0, ~0u, 0 }, { 1, KDUMP_DH_COMPRESSED_ZLIB, 0x11 },
    { 2, KDUMP_DH_COMPRESSED_LZO, 0x22 },
    { 3, KDUMP_DH_COMPRESSED_SNAPPY, 0x33 },
    { 7, KDUMP_DH_COMPRESSED_ZSTD, 0x44 }, { 8, 0, 0x55 },
    { 0x100000, ~0u, 0 }, { 0x10000f, KDUMP_DH_COMPRESSED_ZLIB, 0x66 },
};

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = v >> (8 * i);
    }
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, v);
    put32(p + 4, v >> 32);
}

/* Page content: recognisable and compressible, random-ish for raw. */
static void page_content(const Page *pg, uint8_t *buf)
{
    for (int i = 0; i < BS; i++) {
        buf[i] = pg->flags == ~0u ? 0 :
                 pg->flags == 0 ? (uint8_t)(i * 2654435761u >> 13) ^ pg->fill
                                : (i % 64 < 8 ? pg->fill : i / 64);
    }
}

static size_t compress_page(uint32_t flags, const uint8_t *in, uint8_t *out)
{
    if (flags == KDUMP_DH_COMPRESSED_ZLIB) {
        uLongf len = 2 * BS;

        g_assert_cmpint(compress2(out, &len, in, BS, Z_BEST_SPEED), ==,
                        Z_OK);
        return len;
    }
    if (flags == KDUMP_DH_COMPRESSED_LZO) {
        static uint8_t wrk[LZO1X_1_MEM_COMPRESS];
        lzo_uint len = 2 * BS;

        g_assert_cmpint(lzo_init(), ==, LZO_E_OK);
        g_assert_cmpint(lzo1x_1_compress(in, BS, out, &len, wrk), ==,
                        LZO_E_OK);
        return len;
    }
    if (flags == KDUMP_DH_COMPRESSED_SNAPPY) {
        size_t len = 2 * BS;

        g_assert_cmpint(snappy_compress((const char *)in, BS, (char *)out,
                                        &len), ==, SNAPPY_OK);
        return len;
    }
    if (flags == KDUMP_DH_COMPRESSED_ZSTD) {
        return ZSTD_compress(out, 2 * BS, in, BS, 1);
    }
    memcpy(out, in, BS);
    return BS;
}

/* The logical file as a sparse byte image: (offset, bytes) pieces. */
typedef struct Piece {
    uint64_t off;
    GBytes *data;
} Piece;

static void add_piece(GArray *pieces, uint64_t off, const void *data,
                      size_t len)
{
    Piece p = { off, g_bytes_new(data, len) };

    g_array_append_val(pieces, p);
}

static GArray *build_dump(void)
{
    GArray *pieces = g_array_new(false, false, sizeof(Piece));
    uint8_t dh[BS] = { 0 }, sh[BS] = { 0 };
    uint64_t bitmap_len = ((MAX_MAPNR + 7) / 8 + BS - 1) / BS * BS;
    g_autofree uint8_t *bitmap = g_malloc0(bitmap_len);
    uint32_t bitmap_blocks = 2 * (bitmap_len / BS);
    uint64_t desc_off = (1 + 1 + bitmap_blocks) * (uint64_t)BS;
    uint64_t data_off = desc_off + G_N_ELEMENTS(pages) * 24;
    uint64_t zero_off = data_off;
    uint8_t page[BS], comp[2 * BS], pd[24];
    static const char notes[] = "NOTES-AREA";

    memcpy(dh, "KDUMP   ", 8);
    put32(dh + 8, 6);
    memcpy(dh + 12 + 4 * 65, "x86_64", 6);
    put32(dh + 424, KDUMP_DH_COMPRESSED_ZLIB);
    put32(dh + 428, BS);
    put32(dh + 432, 1);
    put32(dh + 436, bitmap_blocks);
    put32(dh + 440, (uint32_t)MAX_MAPNR);
    put32(dh + 460, 1);
    add_piece(pieces, 0, dh, 464);

    put64(sh + 0, 0x1000000);           /* phys_base */
    put32(sh + 8, 1);                   /* dump_level */
    put64(sh + 48, BS + 104);           /* offset_note */
    put64(sh + 56, sizeof(notes));      /* note_size */
    put64(sh + 96, MAX_MAPNR);          /* max_mapnr_64 */
    memcpy(sh + 104, notes, sizeof(notes));
    add_piece(pieces, BS, sh, 104 + sizeof(notes));

    for (size_t i = 0; i < G_N_ELEMENTS(pages); i++) {
        bitmap[pages[i].pfn / 8] |= 1 << (pages[i].pfn % 8);
    }
    add_piece(pieces, 2 * BS, bitmap, bitmap_len);
    add_piece(pieces, 2 * BS + bitmap_len, bitmap, bitmap_len);

    /* The shared zero page first, then each page's data. */
    memset(page, 0, BS);
    add_piece(pieces, data_off, page, BS);
    data_off += BS;
    for (size_t i = 0; i < G_N_ELEMENTS(pages); i++) {
        const Page *pg = &pages[i];
        size_t len;

        page_content(pg, page);
        if (pg->flags == ~0u) {
            put64(pd, zero_off);
            put32(pd + 8, BS);
            put32(pd + 12, 0);
        } else {
            len = compress_page(pg->flags, page, comp);
            put64(pd, data_off);
            put32(pd + 8, len);
            put32(pd + 12, pg->flags);
            add_piece(pieces, data_off, comp, len);
            data_off += len;
        }
        put64(pd + 16, 0);
        add_piece(pieces, desc_off + i * 24, pd, 24);
    }
    return pieces;
}

static void write_raw(GArray *pieces, const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    g_assert(fd >= 0);
    for (guint i = 0; i < pieces->len; i++) {
        Piece *p = &g_array_index(pieces, Piece, i);
        gsize len;
        const void *d = g_bytes_get_data(p->data, &len);

        g_assert(pwrite(fd, d, len, p->off) == (ssize_t)len);
    }
    close(fd);
}

static void be64put(uint8_t *p, int64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = v & 0xff;
        v >>= 8;
    }
}

static void write_flat(GArray *pieces, const char *path)
{
    FILE *f = fopen(path, "wb");
    uint8_t head[4096] = "makedumpfile", rec[16];

    be64put(head + 16, 1);
    be64put(head + 24, 1);
    fwrite(head, 1, sizeof(head), f);
    for (guint i = 0; i < pieces->len; i++) {
        Piece *p = &g_array_index(pieces, Piece, i);
        gsize len;
        const void *d = g_bytes_get_data(p->data, &len);

        be64put(rec, p->off);
        be64put(rec + 8, len);
        fwrite(rec, 1, 16, f);
        fwrite(d, 1, len, f);
    }
    memset(rec, 0xff, 16);
    fwrite(rec, 1, 16, f);
    fclose(f);
}

static void check_reader(const char *path, bool flattened)
{
    GError *err = NULL;
    KdumpReader *r = kdump_reader_open(path, &err);
    const KdumpInfo *in;
    uint8_t want[BS], got[BS];

    g_assert_no_error(err);
    in = kdump_reader_info(r);
    g_assert_cmpint(in->flattened, ==, flattened);
    g_assert_cmpuint(in->header_version, ==, 6);
    g_assert_cmpstr(in->machine, ==, "x86_64");
    g_assert_cmpuint(in->max_mapnr, ==, MAX_MAPNR);
    g_assert_cmpuint(in->dumpable_pages, ==, G_N_ELEMENTS(pages));
    g_assert_cmpuint(in->zero_desc_pages, ==, 1);
    g_assert_cmphex(in->phys_base, ==, 0x1000000);
    g_assert_cmpstr((const char *)kdump_reader_notes(r), ==, "NOTES-AREA");
    for (size_t i = 0; i < G_N_ELEMENTS(pages); i++) {
        page_content(&pages[i], want);
        g_assert_true(kdump_reader_read_page(r, pages[i].pfn, got, &err));
        g_assert_no_error(err);
        g_assert_cmpmem(want, BS, got, BS);
    }
    g_assert_false(kdump_reader_page_dumpable(r, 4));
    g_assert_false(kdump_reader_read_page(r, 4, got, &err));
    g_clear_error(&err);
    kdump_reader_close(r);
}

/* Read pfn 0x10000f through libkdumpfile and compare. */
static void check_libkdumpfile(const char *path)
{
    const char *py = "/usr/bin/python3";
    g_autofree char *script = NULL, *out = NULL, *errout = NULL;
    uint8_t want[BS];
    int status;
    GError *gerr = NULL;
    char *argv[] = { (char *)py, (char *)"-c", NULL, NULL };

    if (!g_file_test(py, G_FILE_TEST_IS_EXECUTABLE) ||
        system("/usr/bin/python3 -c 'import kdumpfile' 2>/dev/null")) {
        g_test_skip("python3-libkdumpfile is not installed");
        return;
    }
    page_content(&pages[7], want);
    script = g_strdup_printf(
        "import kdumpfile, sys, hashlib\n"
        "k = kdumpfile.kdumpfile(%s)\n"
        "k.attr['addrxlat.ostype'] = 'linux'\n"
        "d = k.read(kdumpfile.KDUMP_MACHPHYSADDR, 0x10000f000, 4096)\n"
        "z = k.read(kdumpfile.KDUMP_MACHPHYSADDR, 0x100000000, 4096)\n"
        "print(hashlib.sha256(d).hexdigest(), z == bytes(4096),\n"
        "      k.attr['file.format'])\n", "sys.argv[1]");
    argv[2] = script;
    {
        char *full[] = { argv[0], argv[1], argv[2], (char *)path, NULL };

        g_assert_true(g_spawn_sync(NULL, full, NULL, 0, NULL, NULL, &out,
                                   &errout, &status, &gerr));
    }
    if (status) {
        g_error("libkdumpfile could not read %s: %s", path, errout);
    }
    {
        g_autofree char *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
                                                           want, BS);
        g_autofree char *expect = g_strdup_printf("%s True diskdump\n", sum);

        g_assert_cmpstr(out, ==, expect);
    }
}

static void test_raw_and_flat(void)
{
    GArray *pieces = build_dump();
    g_autofree char *dir = g_dir_make_tmp("kdr-XXXXXX", NULL);
    g_autofree char *raw = g_build_filename(dir, "raw.kdump", NULL);
    g_autofree char *flat = g_build_filename(dir, "flat.kdump", NULL);
    g_autofree char *conv = g_build_filename(dir, "conv.kdump", NULL);
    g_autofree char *a = NULL, *b = NULL;
    gsize la, lb;

    write_raw(pieces, raw);
    write_flat(pieces, flat);
    check_reader(raw, false);
    check_reader(flat, true);
    /* Rearranging the flattened stream gives the raw file byte for byte. */
    g_assert_true(kdump_flattened_to_plain(flat, conv, NULL));
    g_assert_true(g_file_get_contents(raw, &a, &la, NULL));
    g_assert_true(g_file_get_contents(conv, &b, &lb, NULL));
    g_assert_cmpmem(a, la, b, lb);
    check_libkdumpfile(raw);

    for (guint i = 0; i < pieces->len; i++) {
        g_bytes_unref(g_array_index(pieces, Piece, i).data);
    }
    g_array_free(pieces, true);
    g_unlink(raw);
    g_unlink(flat);
    g_unlink(conv);
    g_rmdir(dir);
}

static void test_bad_files(void)
{
    g_autofree char *dir = g_dir_make_tmp("kdr-XXXXXX", NULL);
    g_autofree char *p = g_build_filename(dir, "bad", NULL);
    GError *err = NULL;
    uint8_t junk[8192] = "KDUMP   ";

    g_assert_true(g_file_set_contents(p, "hello", 5, NULL));
    g_assert_null(kdump_reader_open(p, &err));
    g_clear_error(&err);
    put32(junk + 428, 1000);        /* block size not a power of two */
    g_assert_true(g_file_set_contents(p, (char *)junk, sizeof(junk), NULL));
    g_assert_null(kdump_reader_open(p, &err));
    g_assert_nonnull(strstr(err->message, "block_size"));
    g_clear_error(&err);
    /* A flattened stream without its end marker. */
    memset(junk, 0, sizeof(junk));
    memcpy(junk, "makedumpfile", 12);
    be64put(junk + 16, 1);
    be64put(junk + 24, 1);
    g_assert_true(g_file_set_contents(p, (char *)junk, 4096, NULL));
    g_assert_null(kdump_reader_open(p, &err));
    g_assert_nonnull(strstr(err->message, "end marker"));
    g_clear_error(&err);
    g_unlink(p);
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/kdump-reader/raw-and-flattened", test_raw_and_flat);
    g_test_add_func("/kdump-reader/bad-files", test_bad_files);
    return g_test_run();
}
