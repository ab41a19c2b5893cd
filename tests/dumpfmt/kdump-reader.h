/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kdump-reader.h: an independent reader of kdump-compressed dumps (the
 * makedumpfile "diskdump" format), written from the format description,
 * not from our writer, so that tests and the demo can check what the
 * writer produced.  It reads both variants: the plain seekable file
 * ("kdump-raw-*") and makedumpfile's flattened stream ("kdump-*"), which it
 * first rearranges into a temporary plain file as `makedumpfile -R` does.
 *
 * Pages may be zlib, LZO, snappy or zstd compressed, or stored raw.
 */
#ifndef TESTS_KDUMP_READER_H
#define TESTS_KDUMP_READER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct KdumpReader KdumpReader;

/* disk_dump_header.status bits (makedumpfile diskdump_mod.h) */
#define KDUMP_DH_COMPRESSED_ZLIB        0x1
#define KDUMP_DH_COMPRESSED_LZO         0x2
#define KDUMP_DH_COMPRESSED_SNAPPY      0x4
#define KDUMP_DH_COMPRESSED_INCOMPLETE  0x8
#define KDUMP_DH_EXCLUDED_VMEMMAP       0x10
#define KDUMP_DH_COMPRESSED_ZSTD        0x20

/** KdumpInfo: the header fields tests look at. */
typedef struct KdumpInfo {
    bool flattened;             /* the file was in flattened format */
    bool is64;                  /* 64-bit header layout (else 32-bit) */
    uint32_t header_version;
    char machine[66];           /* utsname.machine */
    uint32_t status;            /* KDUMP_DH_* */
    uint32_t block_size;
    uint32_t sub_hdr_size;      /* in blocks */
    uint32_t bitmap_blocks;     /* both bitmaps, in blocks */
    uint64_t max_mapnr;         /* max_mapnr_64 for v6+ */
    uint32_t nr_cpus;
    uint64_t phys_base;
    uint64_t offset_note, note_size;
    uint64_t offset_vmcoreinfo, size_vmcoreinfo;
    uint64_t ram_pages;         /* set bits of the 1st bitmap */
    uint64_t dumpable_pages;    /* set bits of the 2nd bitmap */
    uint64_t zero_desc_pages;   /* pages sharing one descriptor's data */
} KdumpInfo;

/**
 * kdump_reader_open: open and validate @path.  Flattened input is
 * rearranged into a temporary file (sparse, removed at close).  A dump
 * whose header says DUMP_DH_COMPRESSED_INCOMPLETE may end early (a
 * flattened stream without its end marker included): what is missing
 * reads as zeros, i.e. lost pages.
 * Returns: the reader, or NULL with @err set (format error with the
 * offending field and value).
 */
KdumpReader *kdump_reader_open(const char *path, GError **err);
void kdump_reader_close(KdumpReader *r);

const KdumpInfo *kdump_reader_info(const KdumpReader *r);

/**
 * kdump_reader_page_ram: bit @pfn of the 1st bitmap (memory that exists).
 * A pfn set here but not in the 2nd bitmap was excluded from the dump
 * (makedumpfile's dump levels; dump level 1: an all-zero page).  The 2nd
 * bitmap must be a subset of the 1st.
 */
bool kdump_reader_page_ram(const KdumpReader *r, uint64_t pfn);

/** kdump_reader_page_dumpable: bit @pfn of the 2nd bitmap. */
bool kdump_reader_page_dumpable(const KdumpReader *r, uint64_t pfn);

/**
 * kdump_reader_read_page: decompress page @pfn into @buf (block_size
 * bytes).  A pfn that is not dumpable fails; so does one whose
 * descriptor is still zero in a dump marked incomplete (G_FILE_ERROR_NOENT:
 * the page was lost).
 */
bool kdump_reader_read_page(KdumpReader *r, uint64_t pfn, void *buf,
                            GError **err);

/**
 * kdump_reader_notes: the ELF note area (borrowed; note_size bytes).
 */
const uint8_t *kdump_reader_notes(const KdumpReader *r);

/**
 * kdump_reader_plain_path: path of the plain (raw) file being read: the
 * input itself, or the rearranged temporary file for flattened input.
 */
const char *kdump_reader_plain_path(const KdumpReader *r);

/**
 * kdump_flattened_to_plain: rearrange a flattened stream into a plain file
 * at @out (what `makedumpfile -R` does).  Used for byte comparison with
 * the raw variant.
 */
bool kdump_flattened_to_plain(const char *in, const char *out, GError **err);

#endif /* TESTS_KDUMP_READER_H */
