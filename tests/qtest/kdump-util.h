/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kdump-util.h: what the kdump qtests share: dumping in a format, the
 * check of a kdump file against the guest through the in-tree reader
 * (tests/dumpfmt) -- bitmap bits for exactly the expected pfns, every
 * dumpable page equal to guest memory -- and the external readers:
 * `makedumpfile -R`, python3-libkdumpfile and crash.
 */
#ifndef TESTS_QTEST_KDUMP_UTIL_H
#define TESTS_QTEST_KDUMP_UTIL_H

#include "dump-util.h"
#include "kdump-reader.h"

#define KDUMP_PAGE 4096

/** struct DumpRange: guest-physical [start, end) that is dumped. */
typedef struct DumpRange {
    uint64_t start;
    uint64_t end;
} DumpRange;

/**
 * kdump_formats: the kdump formats the binary offers
 * (query-dump-guest-memory-capability), flattened ones followed by their
 * raw variant.  Returns a new NULL-terminated array.
 */
GStrv kdump_formats(QTestState *s);

/** kdump_is_raw: a kdump-raw-* format. */
bool kdump_is_raw(const char *format);

/**
 * kdump_dump: a synchronous dump in @format to @path; @threads > 0 is
 * passed as x-dump-threads.
 */
void kdump_dump(QTestState *s, const char *format, const char *path,
                unsigned threads);

/**
 * kdump_dump_mode: kdump_dump(), with x-kdump-zero-descriptors if
 * @zero_descs (never-touched and all-zero pages get a descriptor to the
 * shared zero page instead of being excluded from the 2nd bitmap).
 */
void kdump_dump_mode(QTestState *s, const char *format, const char *path,
                     unsigned threads, bool zero_descs);

/**
 * kdump_dump_pair: dump in flattened format @formats[@i] and, if
 * @formats[@i + 1] is its raw variant, in that one too, one after the
 * other, to qtest_tmpdir()/FORMAT.  Both come before any check reads
 * guest memory: a read of never-touched RAM populates it (the zero page
 * is mapped), which sizes later dumps' descriptor area differently.
 */
void kdump_dump_pair(QTestState *s, GStrv formats, guint i);

/** kdump_ranges_from_flat: the RAM and ROM ranges of @flat (new array). */
GArray *kdump_ranges_from_flat(GArray *flat);

/**
 * kdump_check: the dump at @path (made with the default: zero pages
 * excluded) has 1st-bitmap bits for exactly the pfns @ranges (sorted)
 * touch, 2nd-bitmap bits and descriptors for those of them that hold
 * non-zero bytes, and each such page equals guest memory (per @model and
 * the guest, see expect_bytes(); zeros outside @ranges).
 * Returns the reader (kdump_reader_close() it).
 */
KdumpReader *kdump_check(QTestState *s, const char *path,
                         const DumpModel *model, GArray *flat,
                         GArray *ranges);

/**
 * kdump_check_mode: kdump_check(), or, with @zero_descs, the check of a
 * dump made with x-kdump-zero-descriptors: both bitmaps hold every pfn
 * @ranges touch, and the zero pages share one descriptor.
 */
KdumpReader *kdump_check_mode(QTestState *s, const char *path,
                              const DumpModel *model, GArray *flat,
                              GArray *ranges, bool zero_descs);

/** kdump_assert_files_equal: byte for byte. */
void kdump_assert_files_equal(const char *a, const char *b);

/**
 * kdump_makedumpfile_rearrange: `makedumpfile -R @out < @in`.
 * Returns false (with a test message) if makedumpfile is not installed.
 */
bool kdump_makedumpfile_rearrange(const char *in, const char *out);

/**
 * kdump_check_crash: `crash -d 1 --osrelease @path` parses the plain
 * file's headers (without a vmlinux crash can go no further): its
 * header_version, status, nr_cpus and number of valid pages must be
 * these.  Skipped (with a message) if crash is not installed.
 */
void kdump_check_crash(const char *path, uint32_t status, unsigned nr_cpus,
                       uint64_t valid_pages);

/**
 * kdump_check_crash_excluded: crash parses the plain file at @path as a
 * dump level 1 file (zero pages excluded) and, without --zero_excluded,
 * treats excluded pages as errors (ERROR_EXCLUDED), with it as zeros
 * (ZERO_EXCLUDED).  Skipped if crash is not installed.
 */
void kdump_check_crash_excluded(const char *path);

#endif /* TESTS_QTEST_KDUMP_UTIL_H */
