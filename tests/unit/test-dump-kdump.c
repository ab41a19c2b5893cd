/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-dump-kdump.c: the kdump-compressed encoders through DumpJob into
 * real files, read back with the in-tree reader (tests/dumpfmt): header
 * and sub-header fields (64- and 32-bit layouts), notes and VMCOREINFO,
 * the bitmap set for exactly the pfns blocks touch (ROM in; MMIO,
 * ram_device, pmem and unplugged memory out), every dumpable page equal
 * to guest memory, zero and never-touched pages sharing one descriptor
 * without the memfd being allocated, incompressible pages stored raw,
 * blocks that are not page aligned, flattened = raw after rearranging,
 * the same bytes with 1, 2 and 8 threads, progress, cancellation, and
 * DUMP_DH_COMPRESSED_INCOMPLETE after a failed write.
 */
#include "qemu/osdep.h"
#include <sys/mman.h>
#include <elf.h>
#include <glib/gstdio.h>
#include "config-host.h"
#include "exec/memory_mapping.h"
#include "qemu/error.h"
#include "dump/dump-kdump.h"
#include "dump-test-machine.h"
#include "kdump-reader.h"
#include "qemu/units.h"

#define PS 4096

static const char *const all_formats[] = {
    "kdump-zlib", "kdump-raw-zlib",
#ifdef CONFIG_LZO
    "kdump-lzo", "kdump-raw-lzo",
#endif
#ifdef CONFIG_SNAPPY
    "kdump-snappy", "kdump-raw-snappy",
#endif
#ifdef CONFIG_ZSTD
    "kdump-zstd", "kdump-raw-zstd",
#endif
};

static char *tmpdir;

static char *tmp_file(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

/* Reads guest memory for the checks (never allocating memfd pages). */
typedef void (*ReadFn)(void *opaque, hwaddr gpa, void *buf, size_t len);

static void tm_read_fn(void *opaque, hwaddr gpa, void *buf, size_t len)
{
    tm_read(opaque, gpa, buf, len);
}

static const DumpEncoder *encoder(const char *format)
{
    const DumpEncoder *enc;

    dump_register_encoders();
    enc = dump_encoder_find(format);
    g_assert_nonnull(enc);
    return enc;
}

/*
 * Dump @cfg in @format to a new file @path through the fd sink.
 * Returns the job's total size; *@completed gets the progress.
 */
static uint64_t dump_file(const DumpJobConfig *cfg, const char *format,
                          const char *path, uint64_t *completed)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    DumpSink *sink;
    DumpJob job;
    uint64_t total;

    g_assert_cmpint(fd, >=, 0);
    sink = dump_fd_sink_new(fd);
    g_assert_true(dump_job_prepare(&job, encoder(format), cfg, sink,
                                   &error_abort));
    g_assert_true(dump_job_write(&job, &error_abort));
    g_assert_cmpuint(dump_sink_end(sink), ==, job.file_size);
    total = job.total_size;
    if (completed) {
        *completed = dump_job_completed(&job);
    }
    dump_job_cleanup(&job);
    dump_sink_free(sink);
    close(fd);
    return total;
}

static KdumpReader *open_dump(const char *path)
{
    GError *err = NULL;
    KdumpReader *r = kdump_reader_open(path, &err);

    g_assert_no_error(err);
    return r;
}

/* The page of pfn @pfn as the blocks show it (zeros outside them). */
static bool expected_page(const GuestPhysBlockList *blocks, uint64_t pfn,
                          ReadFn read, void *opaque, uint8_t *page)
{
    const GuestPhysBlock *b;
    hwaddr start = pfn * PS, end = start + PS;
    bool touched = false;

    memset(page, 0, PS);
    QTAILQ_FOREACH(b, &blocks->head, next) {
        hwaddr s = MAX(start, b->target_start);
        hwaddr e = MIN(end, b->target_end);

        if (s < e) {
            read(opaque, s, page + (s - start), e - s);
            touched = true;
        }
    }
    return touched;
}

/*
 * Everything a dump of @as must satisfy: 1st-bitmap bits for exactly the
 * pfns the blocks touch; 2nd-bitmap bits for those of them with non-zero
 * bytes (the default) or for all of them (@zero_descs, the zero pages
 * then sharing one descriptor); each dumped page equal to guest memory.
 * Returns the number of zero pages.
 */
static uint64_t check_pages_mode(KdumpReader *r, AddressSpace *as,
                                 ReadFn read, void *opaque, bool zero_descs)
{
    const KdumpInfo *in = kdump_reader_info(r);
    GuestPhysBlockList blocks;
    g_autofree uint8_t *want = g_malloc(PS);
    g_autofree uint8_t *got = g_malloc(PS);
    uint64_t max_mapnr, count, zero = 0;
    GError *err = NULL;

    guest_phys_blocks_init(&blocks);
    guest_phys_blocks_append(&blocks, as, 0);
    count = kdump_count_pfns(&blocks, PS, &max_mapnr);
    g_assert_cmpuint(in->max_mapnr, ==, max_mapnr);
    g_assert_cmpuint(in->ram_pages, ==, count);
    for (uint64_t pfn = 0; pfn < max_mapnr + 64; pfn++) {
        bool touched = expected_page(&blocks, pfn, read, opaque, want);
        bool is_zero = dump_buffer_is_zero(want, PS);
        bool dumped = touched && (zero_descs || !is_zero);

        if (kdump_reader_page_ram(r, pfn) != touched) {
            g_error("pfn 0x%" PRIx64 ": 1st bitmap bit %d, blocks say %d",
                    pfn, !touched, touched);
        }
        if (kdump_reader_page_dumpable(r, pfn) != dumped) {
            g_error("pfn 0x%" PRIx64 ": 2nd bitmap bit %d, want %d", pfn,
                    !dumped, dumped);
        }
        zero += touched && is_zero;
        if (!dumped) {
            /* an excluded zero page is not readable: it has no desc */
            g_assert_false(touched &&
                           kdump_reader_read_page(r, pfn, got, NULL));
            continue;
        }
        g_assert_true(kdump_reader_read_page(r, pfn, got, &err));
        g_assert_no_error(err);
        if (memcmp(want, got, PS)) {
            g_error("pfn 0x%" PRIx64 " differs from guest memory", pfn);
        }
    }
    if (zero_descs) {
        /* all zero pages but one point at the shared zero page */
        g_assert_cmpuint(in->dumpable_pages, ==, count);
        g_assert_cmpuint(in->zero_desc_pages, ==, zero ? zero - 1 : 0);
    } else {
        g_assert_cmpuint(in->dumpable_pages, ==, count - zero);
        g_assert_cmpuint(in->zero_desc_pages, ==, 0);
    }
    guest_phys_blocks_free(&blocks);
    return zero;
}

static uint64_t check_pages(KdumpReader *r, AddressSpace *as, ReadFn read,
                            void *opaque)
{
    return check_pages_mode(r, as, read, opaque, false);
}

static DumpJobConfig tm_config(TestMachine *tm, unsigned threads)
{
    return (DumpJobConfig) {
        .as = &tm->as, .cpus = tm->cpus, .ncpus = tm->ncpus,
        .threads = threads,
    };
}

/* Fill @len bytes at @p: a third zero, a third text-like, a third random */
static void fill_mix(uint8_t *p, size_t len, uint32_t seed)
{
    static const char words[] = "the quick brown fox jumps over the lazy "
                                "dog while kdump compresses pages ";
    GRand *rnd = g_rand_new_with_seed(seed);

    for (size_t pg = 0; pg < len / PS; pg++) {
        uint8_t *q = p + pg * PS;

        switch ((pg + seed) % 3) {
        case 0:
            memset(q, 0, PS);
            break;
        case 1:
            for (size_t i = 0; i < PS; i++) {
                q[i] = words[(i * 7 + pg) % (sizeof(words) - 1)];
            }
            break;
        default:
            for (size_t i = 0; i < PS; i += 4) {
                uint32_t v = g_rand_int(rnd);

                memcpy(q + i, &v, 4);
            }
        }
    }
    g_rand_free(rnd);
}

/* A machine with RAM, ROM, ppi, pmem and a fragmented vmem, with data. */
static void machine_fragmented(TestMachine *tm, unsigned ncpus)
{
    tm_init(tm, 16 * MiB, 64 * MiB, 2 * MiB, TM_PMEM, ncpus);
    fake_rdm_plug(&tm->rdm, 0, 3);      /* [0, 6) MiB */
    fake_rdm_plug(&tm->rdm, 5, 1);      /* [10, 12) */
    fake_rdm_plug(&tm->rdm, 31, 1);     /* [62, 64) */
    fill_mix(tm_host(tm, 0x1000), 2 * MiB, 1);
    memset(tm_host(tm, 15 * MiB), 0xcd, PS);
    fill_mix(tm_host(tm, TM_VMEM_BASE + 1 * MiB), 1 * MiB, 2);
    memset(tm_host(tm, TM_VMEM_BASE + 10 * MiB + PS), 0, PS);
    memset(tm_host(tm, TM_VMEM_BASE + 64 * MiB - 1), 0x34, 1);
}

/* ------------------------------------------------------------ tests */

/*
 * Pages of one repeated byte skip the compressor after the first of each
 * value, with the same bytes as compressing them; a page that differs in
 * its last byte only is compressed; a zero page is stored as nothing.
 */
static void test_repeated_pages(void)
{
    static const uint32_t flags[] = {
        KDUMP_DH_COMPRESSED_ZLIB, KDUMP_DH_COMPRESSED_LZO,
        KDUMP_DH_COMPRESSED_SNAPPY, KDUMP_DH_COMPRESSED_ZSTD,
    };
    static const int fill[] = { 0x41, 0, 0x41, 0xff, -1, 0x41, -2 };
    g_autofree uint8_t *pages = g_malloc(G_N_ELEMENTS(fill) * PS);
    g_autofree uint8_t *want = g_malloc(PS);

    for (size_t i = 0; i < G_N_ELEMENTS(fill); i++) {
        uint8_t *p = pages + i * PS;

        if (fill[i] >= 0) {
            memset(p, fill[i], PS);
        } else if (fill[i] == -1) {
            memset(p, 0x41, PS);        /* all but the last byte */
            p[PS - 1] = 0x42;
        } else {
            for (size_t j = 0; j < PS; j++) {
                p[j] = j * 7 + (j >> 5);
            }
        }
        g_assert_cmpint(kdump_page_repeated_byte(p, PS), ==,
                        fill[i] >= 0 ? fill[i] : -1);
    }
    g_assert_cmpint(kdump_page_repeated_byte((uint8_t *)"aaa", 3), ==, 'a');
    g_assert_cmpint(kdump_page_repeated_byte((uint8_t *)"aab", 3), ==, -1);
    for (size_t f = 0; f < G_N_ELEMENTS(flags); f++) {
        KdumpCompressor *c, *ref;
        KdumpBatch *b;
        size_t pos = 0;

        if (!kdump_compression_available(flags[f])) {
            continue;
        }
        g_assert_true(kdump_compression_init(flags[f], &error_abort));
        c = kdump_compressor_new(flags[f], PS, 1);
        ref = kdump_compressor_new(flags[f], PS, 1);
        b = kdump_batch_new(PS);
        b->n = G_N_ELEMENTS(fill);
        for (unsigned i = 0; i < b->n; i++) {
            b->pages[i] = (KdumpPage) { .data = pages + i * PS, .pfn = i,
                                        .covered = PS };
        }
        kdump_batch_compress(b, c, PS, flags[f]);
        for (unsigned i = 0; i < b->n; i++) {
            size_t len;

            if (!fill[i]) {
                g_assert_cmpuint(b->pages[i].size, ==, 0);
                continue;
            }
            /* the probe's pages go raw without the compressor */
            len = kdump_page_incompressible(ref, pages + i * PS) ? 0 :
                  kdump_compress_page(ref, pages + i * PS, want);
            if (!len) {
                memcpy(want, pages + i * PS, PS);
                len = PS;
            }
            g_assert_cmpuint(b->pages[i].size, ==, len);
            g_assert_cmpmem(b->out + pos, len, want, len);
            pos += len;
        }
        g_assert_cmpuint(b->out_len, ==, pos);
        kdump_batch_free(b);
        kdump_compressor_free(ref);
        kdump_compressor_free(c);
    }
}

/*
 * The incompressible-page probe: random pages are caught for zlib and
 * zstd (which would have stored them raw too), never for lzo and snappy;
 * pages that compress by their matches or by their byte frequencies
 * alone -- text, random bytes of 64 values, random bytes repeated, a
 * short random period, random bytes where the probe samples and a
 * repeated string between them -- go to the compressor.
 */
static void test_incompressible_probe(void)
{
    enum { RANDOM, TEXT, FEW_VALUES, HALVES, PERIOD, BETWEEN, KINDS };
    static const uint32_t flags[] = {
        KDUMP_DH_COMPRESSED_ZLIB, KDUMP_DH_COMPRESSED_LZO,
        KDUMP_DH_COMPRESSED_SNAPPY, KDUMP_DH_COMPRESSED_ZSTD,
    };
    g_autofree uint8_t *pages = g_malloc(KINDS * PS);
    g_autofree uint8_t *mix = g_malloc(3 * PS);
    g_autofree uint8_t *out = g_malloc(PS);
    GRand *rnd = g_rand_new_with_seed(17);

    for (size_t j = 0; j < PS; j++) {
        pages[RANDOM * PS + j] = g_rand_int(rnd);
        pages[FEW_VALUES * PS + j] = g_rand_int_range(rnd, 0, 64) * 4;
        pages[PERIOD * PS + j] = j < 300 ? g_rand_int(rnd)
                                         : pages[PERIOD * PS + j - 300];
        /* random bytes where the probe samples, one string between */
        pages[BETWEEN * PS + j] = j % 8 ? "kdump!!"[j % 8 - 1]
                                        : g_rand_int(rnd);
    }
    /* the mix with seed 5: pfn 0 random, 1 zero, 2 text */
    fill_mix(mix, 3 * PS, 5);
    memcpy(pages + TEXT * PS, mix + 2 * PS, PS);
    memcpy(pages + HALVES * PS, mix, PS / 2);
    memcpy(pages + HALVES * PS + PS / 2, mix, PS / 2);
    g_rand_free(rnd);

    for (size_t f = 0; f < G_N_ELEMENTS(flags); f++) {
        bool entropy_coder = flags[f] == KDUMP_DH_COMPRESSED_ZLIB ||
                             flags[f] == KDUMP_DH_COMPRESSED_ZSTD;
        KdumpCompressor *c;

        if (!kdump_compression_available(flags[f])) {
            continue;
        }
        g_assert_true(kdump_compression_init(flags[f], &error_abort));
        c = kdump_compressor_new(flags[f], PS, 1);
#ifdef CONFIG_LZO
        g_assert_cmpint(kdump_page_incompressible(c, pages + RANDOM * PS),
                        ==, entropy_coder);
#else
        g_assert_false(kdump_page_incompressible(c, pages + RANDOM * PS));
#endif
        /* what the probe catches, the compressor would store raw */
        g_assert_cmpuint(kdump_compress_page(c, pages + RANDOM * PS, out),
                         ==, 0);
        for (unsigned k = TEXT; k < KINDS; k++) {
            g_assert_false(kdump_page_incompressible(c, pages + k * PS));
            if (entropy_coder || k != FEW_VALUES) {
                g_assert_cmpuint(kdump_compress_page(c, pages + k * PS, out),
                                 >, 0);
            }
        }
        kdump_compressor_free(c);
    }
}

/*
 * Every format, with zero pages excluded (@opaque NULL) or given the zero
 * page's descriptor: headers, notes, the pages; flattened input
 * rearranges to the raw variant byte for byte; the memfd is not
 * allocated.
 */
static void test_formats(gconstpointer opaque)
{
    bool zero_descs = opaque;
    TestMachine tm;
    DumpJobConfig cfg;
    uint64_t alloc, total, completed;

    machine_fragmented(&tm, 2);
    alloc = tm_fd_allocated(&tm);
    cfg = tm_config(&tm, 2);
    cfg.kdump.zero_descs = zero_descs;
    for (size_t i = 0; i < G_N_ELEMENTS(all_formats); i++) {
        const char *format = all_formats[i];
        bool raw = g_str_has_prefix(format, "kdump-raw-");
        g_autofree char *path = tmp_file(format);
        const DumpEncoder *enc = encoder(format);
        const KdumpInfo *in;
        KdumpReader *r;
        DumpJob job;
        DumpSink *mem = dump_mem_sink_new(false);

        g_autofree char *rawpath = raw ? NULL
                                       : tmp_file(all_formats[i + 1]);

        g_test_message("format %s", format);
        total = dump_file(&cfg, format, path, &completed);
        if (!raw) {
            /*
             * The raw variant now: the checks below read never-touched
             * anonymous memory, which maps it, which makes it populated
             * (pagemap), which grows the descriptor area of later dumps.
             */
            dump_file(&cfg, all_formats[i + 1], rawpath, NULL);
        }
        g_assert_cmpuint(completed, ==, total);
        g_assert_cmpuint(total, ==, 16 * MiB + TM_BIOS_SIZE + 10 * MiB);
        g_assert_cmpuint(tm_fd_allocated(&tm), ==, alloc);
        g_assert_cmpint(enc->needs_seekable, ==, raw);
        g_assert_false(enc->supports_filter);

        r = open_dump(path);
        in = kdump_reader_info(r);
        g_assert_cmpint(in->flattened, ==, !raw);
        g_assert_true(in->is64);
        g_assert_cmpuint(in->header_version, ==, 6);
        g_assert_cmpstr(in->machine, ==, "x86_64");
        g_assert_cmpuint(in->block_size, ==, PS);
        g_assert_cmpuint(in->nr_cpus, ==, 2);
        g_assert_cmpuint(in->status & ~0x27u, ==, 0);
        g_assert_cmpuint(in->status, !=, 0);
        g_assert_cmphex(in->offset_note, ==, PS + 104);
        g_assert_cmpuint(in->offset_vmcoreinfo, ==, 0);
        g_assert_cmpuint(in->size_vmcoreinfo, ==, 0);
        /* the notes are the job's, as in the ELF dump */
        g_assert_true(dump_job_prepare(&job, enc, &cfg, mem, &error_abort));
        g_assert_cmpmem(kdump_reader_notes(r), in->note_size,
                        job.notes->data, job.notes->len);
        dump_job_cleanup(&job);
        dump_sink_free(mem);
        /* unplugged vmem, ppi, mmio, pmem: no bits */
        g_assert_false(kdump_reader_page_dumpable(r, (TM_VMEM_BASE +
                                                      7 * MiB) / PS));
        g_assert_false(kdump_reader_page_dumpable(r, TM_PPI_BASE / PS));
        g_assert_false(kdump_reader_page_dumpable(r, TM_MMIO_BASE / PS));
        g_assert_cmpuint(in->max_mapnr, ==, (TM_VMEM_BASE + 64 * MiB) / PS);
        g_assert_cmpuint(check_pages_mode(r, &tm.as, tm_read_fn, &tm,
                                          zero_descs), >, 1000);
        kdump_reader_close(r);

        if (!raw) {
            g_autofree char *plain = tmp_file("plain");
            g_autofree char *a = NULL, *b = NULL;
            gsize la, lb;

            g_assert_true(kdump_flattened_to_plain(path, plain, NULL));
            g_assert_true(g_file_get_contents(plain, &a, &la, NULL));
            g_assert_true(g_file_get_contents(rawpath, &b, &lb, NULL));
            g_assert_cmpmem(a, la, b, lb);
            g_unlink(plain);
            g_unlink(rawpath);
        }
        g_unlink(path);
    }
    tm_fini(&tm);
}

/* The same bytes whatever the number of compression threads. */
static void test_threads_identical(void)
{
    static const unsigned threads[] = { 1, 2, 8 };
    TestMachine tm;

    machine_fragmented(&tm, 1);
    fill_mix(tm_host(&tm, 4 * MiB), 8 * MiB, 3);
    for (size_t f = 0; f < G_N_ELEMENTS(all_formats); f++) {
        g_autofree char *first = NULL;
        gsize first_len = 0;

        for (size_t i = 0; i < G_N_ELEMENTS(threads); i++) {
            DumpJobConfig cfg = tm_config(&tm, threads[i]);
            g_autofree char *path = tmp_file("threads");
            g_autofree char *data = NULL;
            gsize len;

            dump_file(&cfg, all_formats[f], path, NULL);
            g_assert_true(g_file_get_contents(path, &data, &len, NULL));
            if (!first) {
                first = g_steal_pointer(&data);
                first_len = len;
            } else {
                g_assert_cmpmem(data, len, first, first_len);
            }
            g_unlink(path);
        }
    }
    tm_fini(&tm);
}

/*
 * Random pages do not compress: stored raw (flags 0, a whole page);
 * text-like ones do.  Read through the descriptors.
 */
static void test_raw_fallback(void)
{
    TestMachine tm;
    DumpJobConfig cfg;
    g_autofree char *path = tmp_file("fallback");
    g_autofree char *data = NULL;
    gsize len;
    const KdumpInfo *in;
    KdumpReader *r;
    uint64_t desc_off;
    unsigned raw = 0, compressed = 0;

    tm_init(&tm, 1 * MiB, 0, 0, TM_NO_BIOS, 1);
    fill_mix(tm_host(&tm, 0), 1 * MiB, 0);
    cfg = tm_config(&tm, 2);
    dump_file(&cfg, "kdump-raw-zlib", path, NULL);
    r = open_dump(path);
    in = kdump_reader_info(r);
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    desc_off = (uint64_t)(1 + in->sub_hdr_size + in->bitmap_blocks) * PS;
    /* zero pages (pfn % 3 == 0) are excluded: no descriptor */
    for (unsigned pfn = 1, i = 0; pfn < 256; pfn += 1 + (pfn % 3 == 2),
         i++) {
        const uint8_t *d = (uint8_t *)data + desc_off + i * 24;
        uint32_t size, flags;

        memcpy(&size, d + 8, 4);
        memcpy(&flags, d + 12, 4);
        switch (pfn % 3) {
        case 2:         /* random: raw */
            g_assert_cmpuint(size, ==, PS);
            g_assert_cmpuint(flags, ==, 0);
            raw++;
            break;
        case 1:
            g_assert_cmpuint(size, <, PS);
            g_assert_cmpuint(flags, ==, KDUMP_DH_COMPRESSED_ZLIB);
            compressed++;
            break;
        }
    }
    g_assert_cmpuint(raw, >, 0);
    g_assert_cmpuint(compressed, >, 0);
    check_pages(r, &tm.as, tm_read_fn, &tm);
    kdump_reader_close(r);
    g_unlink(path);
    tm_fini(&tm);
}

/*
 * Blocks that start and end inside pages, and two blocks sharing a page
 * (aliases into page-sized RAM, at unaligned offsets): each pfn once,
 * assembled; max_mapnr rounded up.
 */
#define UA_REGIONS 3

typedef struct Unaligned {
    MemoryRegion root;
    MemoryRegion ram[UA_REGIONS], alias[UA_REGIONS];
    hwaddr base[UA_REGIONS];
    uint64_t size[UA_REGIONS], offset[UA_REGIONS];
    AddressSpace as;
} Unaligned;

static void ua_read(void *opaque, hwaddr gpa, void *buf, size_t len)
{
    Unaligned *u = opaque;

    for (unsigned i = 0; i < UA_REGIONS; i++) {
        if (gpa >= u->base[i] && gpa + len <= u->base[i] + u->size[i]) {
            memcpy(buf, (uint8_t *)memory_region_get_ram_ptr(&u->ram[i]) +
                   u->offset[i] + (gpa - u->base[i]), len);
            return;
        }
    }
    g_assert_not_reached();
}

static void test_unaligned_blocks(void)
{
    static const struct {
        hwaddr base;
        uint64_t size, offset;
        uint8_t fill;
    } regs[UA_REGIONS] = {
        { 0x800, 0x1000, 0x100, 0x11 },     /* pages 0, 1 partly */
        { 0x1800, 0x2100, 0x300, 0x22 },    /* shares page 1, ends in 3 */
        { 0x6100, 0x100, 0x40, 0 },         /* zeros inside one page */
    };
    Unaligned u;
    CPUState cpu;
    CPUState *cpus[] = { &cpu };
    DumpJobConfig cfg = { .as = &u.as, .cpus = cpus, .ncpus = 1 };

    memset(&cpu, 0, sizeof(cpu));
    x86_cpu_reset_state(&cpu.env);
    memory_region_init(&u.root, NULL, "root", UINT64_MAX);
    address_space_init(&u.as, &u.root, "unaligned");
    for (unsigned i = 0; i < UA_REGIONS; i++) {
        uint8_t *host;

        u.base[i] = regs[i].base;
        u.size[i] = regs[i].size;
        u.offset[i] = regs[i].offset;
        g_assert_true(memory_region_init_ram(&u.ram[i], NULL, "ram",
                                             4 * PS, &error_abort));
        host = memory_region_get_ram_ptr(&u.ram[i]);
        for (unsigned j = 0; j < 4 * PS; j++) {
            host[j] = regs[i].fill ? regs[i].fill ^ (j >> 4) : 0;
        }
        memory_region_init_alias(&u.alias[i], NULL, "alias", &u.ram[i],
                                 regs[i].offset, regs[i].size);
        memory_region_add_subregion(&u.root, regs[i].base, &u.alias[i]);
    }
    for (size_t f = 0; f < G_N_ELEMENTS(all_formats); f++) {
        g_autofree char *path = tmp_file("unaligned");
        uint64_t total, completed;
        KdumpReader *r;

        total = dump_file(&cfg, all_formats[f], path, &completed);
        g_assert_cmpuint(total, ==, 0x1000 + 0x2100 + 0x100);
        /* progress counts guest bytes: the covered part of each page */
        g_assert_cmpuint(completed, ==, total);
        r = open_dump(path);
        g_assert_cmpuint(kdump_reader_info(r)->max_mapnr, ==, 7);
        g_assert_cmpuint(kdump_reader_info(r)->ram_pages, ==, 5);
        g_assert_false(kdump_reader_page_dumpable(r, 4));
        g_assert_false(kdump_reader_page_dumpable(r, 5));
        check_pages(r, &u.as, ua_read, &u);
        kdump_reader_close(r);
        g_unlink(path);
    }
    for (unsigned i = 0; i < UA_REGIONS; i++) {
        memory_region_del_subregion(&u.root, &u.alias[i]);
        memory_region_destroy(&u.alias[i]);
        memory_region_destroy(&u.ram[i]);
    }
    address_space_destroy(&u.as);
    memory_region_destroy(&u.root);
}

/*
 * libkdumpfile (python3-libkdumpfile, in /usr/bin/python3) reads @len
 * bytes at guest-physical @gpa of @path into @buf.  False if the module
 * is not installed.
 */
static bool libkdumpfile_read(const char *path, uint64_t gpa, void *buf,
                              size_t len)
{
    g_autofree char *addr = g_strdup_printf("%" PRIu64, gpa);
    g_autofree char *size = g_strdup_printf("%zu", len);
    char *argv[] = {
        (char *)"/usr/bin/python3", (char *)"-c", (char *)
        "import sys\n"
        "try:\n"
        "    import kdumpfile\n"
        "except ImportError:\n"
        "    sys.exit(77)\n"
        "k = kdumpfile.kdumpfile(sys.argv[1])\n"
        "d = k.read(kdumpfile.KDUMP_MACHPHYSADDR, int(sys.argv[2]),\n"
        "           int(sys.argv[3]))\n"
        "print(bytes(d).hex())\n",
        (char *)path, addr, size, NULL,
    };
    g_autofree char *out = NULL, *err = NULL;
    int status;

    g_assert_true(g_spawn_sync(NULL, argv, NULL, 0, NULL, NULL, &out, &err,
                               &status, NULL));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
        return false;
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_error("libkdumpfile could not read %s: %s", path, err);
    }
    g_assert_cmpuint(strlen(out), ==, 2 * len + 1);
    for (size_t i = 0; i < len; i++) {
        sscanf(out + 2 * i, "%2hhx", (uint8_t *)buf + i);
    }
    return true;
}

/*
 * Below 4 GiB and not in long mode: QEMU's 32-bit header layout, which
 * libkdumpfile reads too (crash, keyed on utsname.machine "x86_64" as
 * QEMU writes it, expects the 64-bit layout).
 */
static void test_header32(void)
{
    TestMachine tm;
    DumpJobConfig cfg;
    g_autofree char *path = tmp_file("h32");
    const KdumpInfo *in;
    KdumpReader *r;

    tm_init(&tm, 4 * MiB, 0, 0, TM_NO_BIOS, 3);
    fill_mix(tm_host(&tm, 0), 1 * MiB, 5);
    cfg = tm_config(&tm, 1);
    dump_file(&cfg, "kdump-raw-zlib", path, NULL);
    r = open_dump(path);
    in = kdump_reader_info(r);
    g_assert_false(in->is64);
    g_assert_cmpuint(in->header_version, ==, 6);
    g_assert_cmpuint(in->nr_cpus, ==, 3);
    g_assert_cmpuint(in->max_mapnr, ==, 4 * MiB / PS);
    g_assert_cmphex(in->offset_note, ==, PS + 80);
    check_pages(r, &tm.as, tm_read_fn, &tm);
    kdump_reader_close(r);
    {
        uint8_t got[64];

        /* pfn 2 holds text, pfn 3 random bytes (fill_mix, seed 5) */
        if (libkdumpfile_read(path, 2 * PS + 4000, got, sizeof(got))) {
            g_assert_cmpmem(got, sizeof(got), tm_host(&tm, 2 * PS + 4000),
                            sizeof(got));
        } else {
            g_test_message("python3-libkdumpfile not installed: skipped");
        }
    }
    g_unlink(path);
    tm_fini(&tm);
}

/* The guest's VMCOREINFO: offset/size point at its descriptor. */
static const char vmci_text[] = "OSRELEASE=6.1\nNUMBER(phys_base)=33554432\n";

static bool fake_vmcoreinfo(uint16_t *format, uint32_t *size,
                            uint64_t *paddr)
{
    *format = DUMP_GUEST_NOTE_FORMAT_ELF;
    *size = 12 + 12 + ROUND_UP(strlen(vmci_text), 4);
    *paddr = 0x3000;
    return true;
}

static void test_vmcoreinfo(void)
{
    TestMachine tm;
    DumpJobConfig cfg;
    g_autofree char *path = tmp_file("vmci");
    uint32_t hdr[3] = { sizeof("VMCOREINFO"), strlen(vmci_text), 0 };
    const KdumpInfo *in;
    KdumpReader *r;
    uint8_t *p;

    tm_init(&tm, 4 * MiB, 0, 0, 0, 1);
    tm.cpus[0]->env.efer |= EFER_LMA;   /* x86-64: phys_base is read */
    p = tm_host(&tm, 0x3000);
    memcpy(p, hdr, sizeof(hdr));
    memcpy(p + 12, "VMCOREINFO", sizeof("VMCOREINFO"));
    memcpy(p + 24, vmci_text, strlen(vmci_text));
    cfg = tm_config(&tm, 1);
    cfg.vmcoreinfo = fake_vmcoreinfo;
    dump_file(&cfg, "kdump-zlib", path, NULL);
    r = open_dump(path);
    in = kdump_reader_info(r);
    g_assert_cmphex(in->phys_base, ==, 0x2000000);
    g_assert_cmpuint(in->size_vmcoreinfo, ==, strlen(vmci_text));
    g_assert_cmpmem(kdump_reader_notes(r) +
                    (in->offset_vmcoreinfo - in->offset_note),
                    in->size_vmcoreinfo, vmci_text, strlen(vmci_text));
    kdump_reader_close(r);
    g_unlink(path);
    tm_fini(&tm);
}

static void test_cancel(void)
{
    TestMachine tm;
    DumpJobConfig cfg;
    DumpSink *sink = dump_mem_sink_new(false);
    Error *err = NULL;
    DumpJob job;

    tm_init(&tm, 8 * MiB, 0, 0, 0, 1);
    cfg = tm_config(&tm, 2);
    g_assert_true(dump_job_prepare(&job, encoder("kdump-raw-lzo"), &cfg,
                                   sink, &error_abort));
    dump_job_request_cancel(&job, DUMP_CANCEL_COMMAND);
    g_assert_false(dump_job_write(&job, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "dump: cancelled by dump-cancel");
    error_free(err);
    g_assert_cmpuint(dump_job_completed(&job), <, job.total_size);
    dump_job_cleanup(&job);
    dump_sink_free(sink);
    tm_fini(&tm);
}

/*
 * Guest memory that faults under the compression threads: caller memory
 * (no fd, so the source calls all of it populated) over a memfd that is
 * truncated after it was written.  The threads' guarded copies take the
 * SIGBUS; the dump fails naming the first page that is gone, and the
 * process lives on.
 */
static void test_sigbus(void)
{
    const hwaddr base = 1024 * MiB;
    const unsigned threads[] = { 1, 4 };
    TestMachine tm;
    MemoryRegion mr;
    int fd = memfd_create("caller", MFD_CLOEXEC);
    uint8_t *host;

    g_assert_cmpint(ftruncate(fd, 1 * MiB), ==, 0);
    host = mmap(NULL, 1 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    g_assert_true(host != MAP_FAILED);
    fill_mix(host, 1 * MiB, 3);
    tm_init(&tm, 8 * MiB, 0, 0, 0, 1);
    memory_region_init_ram_ptr(&mr, NULL, "caller", 1 * MiB, host);
    memory_region_add_subregion(&tm.root, base, &mr);
    g_assert_cmpint(ftruncate(fd, 5 * 4096), ==, 0);

    for (unsigned i = 0; i < ARRAY_SIZE(threads); i++) {
        DumpJobConfig cfg = tm_config(&tm, threads[i]);
        DumpSink *sink = dump_mem_sink_new(true);
        g_autofree char *want = g_strdup_printf(
            "dump: cannot read guest memory at 0x%" PRIx64 ": the host "
            "memory behind it is gone (backing file truncated, or no huge "
            "pages left)", (uint64_t)base + 5 * 4096);
        Error *err = NULL;
        DumpJob job;

        g_assert_true(dump_job_prepare(&job, encoder("kdump-zlib"), &cfg,
                                       sink, &error_abort));
        g_assert_false(dump_job_write(&job, &err));
        g_assert_cmpstr(error_get_pretty(err), ==, want);
        error_free(err);
        dump_job_cleanup(&job);
        dump_sink_free(sink);
    }
    memory_region_del_subregion(&tm.root, &mr);
    memory_region_destroy(&mr);
    tm_fini(&tm);
    munmap(host, 1 * MiB);
    close(fd);
}

/* --------------------------------------------- incomplete dumps */

/*
 * Each page reads as guest memory or is lost: reported lost (a zero
 * descriptor), or, holding data, not in the 2nd bitmap (which is written
 * as the pages go when zero pages are excluded: a cut-short dump lacks
 * the bits of pages it did not reach).  Returns the number lost.
 */
static uint64_t check_incomplete(KdumpReader *r, TestMachine *tm)
{
    GuestPhysBlockList blocks;
    uint8_t want[PS], got[PS];
    uint64_t lost = 0, good = 0, max_mapnr;
    GError *err = NULL;

    g_assert_cmphex(kdump_reader_info(r)->status &
                    KDUMP_DH_COMPRESSED_INCOMPLETE, ==,
                    KDUMP_DH_COMPRESSED_INCOMPLETE);
    guest_phys_blocks_init(&blocks);
    guest_phys_blocks_append(&blocks, &tm->as, 0);
    kdump_count_pfns(&blocks, PS, &max_mapnr);
    for (uint64_t pfn = 0; pfn < max_mapnr; pfn++) {
        if (!expected_page(&blocks, pfn, tm_read_fn, tm, want)) {
            continue;
        }
        if (!kdump_reader_page_dumpable(r, pfn)) {
            lost += !dump_buffer_is_zero(want, PS);
        } else if (kdump_reader_read_page(r, pfn, got, &err)) {
            g_assert_cmpmem(got, PS, want, PS);
            good++;
        } else {
            g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
            g_clear_error(&err);
            lost++;
        }
    }
    guest_phys_blocks_free(&blocks);
    g_test_message("%" PRIu64 " pages read, %" PRIu64 " lost", good, lost);
    return lost;
}

/*
 * ENOSPC part-way into a passed regular file: the header is rewritten
 * with DUMP_DH_COMPRESSED_INCOMPLETE (in place, in the flattened stream
 * too); what was written before stays readable, the rest is lost; no
 * descriptor points past the end.
 */
static void test_incomplete_enospc(void)
{
    static const char *const formats[] = { "kdump-raw-zlib", "kdump-zlib" };
    TestMachine tm;
    DumpJobConfig cfg;

    machine_fragmented(&tm, 1);
    fill_mix(tm_host(&tm, 2 * MiB), 12 * MiB, 7);
    cfg = tm_config(&tm, 2);
    for (size_t f = 0; f < G_N_ELEMENTS(formats); f++) {
        g_autofree char *path = tmp_file("enospc");
        struct stat st;
        Error *err = NULL;
        DumpSink *sink;
        DumpJob job;
        KdumpReader *r;
        uint64_t lost;
        int fd;

        dump_file(&cfg, formats[f], path, NULL);
        g_assert_cmpint(stat(path, &st), ==, 0);
        tm_fail_at = st.st_size / 5 * 4;    /* some descriptors written */
        dump_fd_sink_set_syscalls(&tm_faulty_syscalls);
        fd = open(path, O_RDWR | O_TRUNC | O_CLOEXEC);
        sink = dump_fd_sink_new(fd);
        g_assert_true(dump_job_prepare(&job, encoder(formats[f]), &cfg,
                                       sink, &error_abort));
        g_assert_false(dump_job_write(&job, &err));
        g_assert_cmpstr(error_get_pretty(err), ==, "dump: failed to write "
                        "page data: No space left on device");
        error_free(err);
        dump_job_cleanup(&job);
        dump_sink_free(sink);
        close(fd);
        dump_fd_sink_set_syscalls(NULL);
        tm_fail_at = UINT64_MAX;

        r = open_dump(path);
        lost = check_incomplete(r, &tm);
        g_assert_cmpuint(lost, >, 0);
        /* a plain file keeps the 2nd bitmap's bits as pages are done */
        if (f == 0) {
            g_assert_cmpuint(kdump_reader_info(r)->dumpable_pages, >, 0);
        }
        kdump_reader_close(r);
        g_unlink(path);
    }
    tm_fini(&tm);
}

/*
 * Cancelled between writes, a flattened stream on a pipe is still
 * intact: it gets the marked header as one more record and its end
 * marker; a raw file gets the header rewritten.
 */
static void test_incomplete_cancel(void)
{
    static const char *const formats[] = { "kdump-snappy", "kdump-raw-zstd" };
    TestMachine tm;
    DumpJobConfig cfg;

    machine_fragmented(&tm, 1);
    cfg = tm_config(&tm, 1);
    for (size_t f = 0; f < G_N_ELEMENTS(formats); f++) {
        g_autofree char *path = tmp_file("cancelled");
        g_autofree char *plain = tmp_file("cancelled-plain");
        bool raw = g_str_has_prefix(formats[f], "kdump-raw-");
        DumpSink *sink = dump_mem_sink_new(!raw);
        Error *err = NULL;
        const uint8_t *data;
        size_t len;
        DumpJob job;
        KdumpReader *r;

        if (!kdump_compression_available(raw ? KDUMP_DH_COMPRESSED_ZSTD
                                             : KDUMP_DH_COMPRESSED_SNAPPY)) {
            continue;
        }
        g_assert_true(dump_job_prepare(&job, encoder(formats[f]), &cfg,
                                       sink, &error_abort));
        dump_job_request_cancel(&job, DUMP_CANCEL_COMMAND);
        g_assert_false(dump_job_write(&job, &err));
        g_assert_cmpstr(error_get_pretty(err), ==,
                        "dump: cancelled by dump-cancel");
        error_free(err);
        dump_job_cleanup(&job);
        data = dump_mem_sink_data(sink, &len);
        g_assert_true(g_file_set_contents(path, (const char *)data, len,
                                          NULL));
        dump_sink_free(sink);
        if (!raw) {
            /* well formed: rebuilds without leniency */
            g_assert_true(kdump_flattened_to_plain(path, plain, NULL));
            g_unlink(plain);
        }
        r = open_dump(path);
        /* cancelled before the first batch: every page is lost */
        g_assert_cmpuint(kdump_reader_info(r)->dumpable_pages, ==, 0);
        g_assert_cmpuint(check_incomplete(r, &tm), >, 500);
        kdump_reader_close(r);
        g_unlink(path);
    }
    tm_fini(&tm);
}

/* ------------------------------------------- file: destination faults */

/* Dump @cfg in @format to file: @path; false with the error in *@msg. */
static bool dump_dest_file(const DumpJobConfig *cfg, const char *format,
                           const char *path, char **msg)
{
    return tm_dump_to_file(encoder(format), cfg, path, NULL, msg);
}

/*
 * ENOSPC anywhere -- first byte, sub-header, notes, bitmap, page
 * descriptors, page data, last byte -- to a file: destination: the
 * error names the part, the old file stays, no temporary is left.  EINTR
 * and short writes at every call give the same bytes as a clean run.
 */
static void test_file_faults(void)
{
    static const char *const formats[] = { "kdump-raw-zlib", "kdump-zlib" };
    TestMachine tm;
    DumpJobConfig cfg;

    machine_fragmented(&tm, 1);
    cfg = tm_config(&tm, 2);
    for (size_t f = 0; f < G_N_ELEMENTS(formats); f++) {
        g_autofree char *target = tmp_file("vmcore");
        g_autofree char *clean = NULL;
        g_autofree char *msg = NULL;
        gsize clean_len;
        const KdumpInfo *in;
        KdumpReader *r;
        struct {
            uint64_t at;
            const char *error;
        } faults[] = {
            { 0, "dump: failed to write disk dump header" },
            { 0, "dump: failed to write kdump sub header" },
            { 0, "dump: failed to write notes" },
            { 0, "dump: failed to write dump_bitmap" },
            { 0, "dump: failed to write page desc" },
            { 0, "dump: failed to write page data" },
        };

        g_assert_true(dump_dest_file(&cfg, formats[f], target, &msg));
        g_assert_true(g_file_get_contents(target, &clean, &clean_len,
                                          NULL));
        r = open_dump(target);
        in = kdump_reader_info(r);
        if (!f) {
            /* a plain file: the offsets are the layout's */
            faults[0].at = 10;
            faults[1].at = PS + 8;
            faults[2].at = in->offset_note + 20;
            faults[3].at = (1 + in->sub_hdr_size) * PS + 100;
            faults[4].at = (1 + in->sub_hdr_size + in->bitmap_blocks) * PS;
            faults[5].at = clean_len - 1;
        } else {
            /*
             * A stream: the flat header, then one record per header,
             * the notes and each bitmap chunk, in that order; the page
             * area's records are buffered (a fault there names page
             * data or descriptors, whichever flushed); the end marker.
             */
            uint64_t rec = KDUMP_FLAT_HEADER_SIZE + KDUMP_FLAT_RECORD_SIZE;
            uint64_t dh = 464, sh = 104, notes = in->note_size;

            faults[0].at = 100;
            faults[0].error = "dump: failed to write start flat header";
            faults[1].at = rec + 10;
            faults[1].error = "dump: failed to write disk dump header";
            faults[2].at = rec + dh + KDUMP_FLAT_RECORD_SIZE + 8;
            faults[2].error = "dump: failed to write kdump sub header";
            faults[3].at = rec + dh + sh + 2 * KDUMP_FLAT_RECORD_SIZE + 8;
            faults[3].error = "dump: failed to write notes";
            faults[4].at = rec + dh + sh + notes +
                           3 * KDUMP_FLAT_RECORD_SIZE + 100;
            faults[4].error = "dump: failed to write dump_bitmap";
            faults[5].at = clean_len - 1;
            faults[5].error = "dump: failed to write end flat header";
        }
        kdump_reader_close(r);
        dump_fd_sink_set_syscalls(&tm_faulty_syscalls);
        for (size_t i = 0; i < G_N_ELEMENTS(faults); i++) {
            g_autofree char *got = NULL;
            g_autofree char *want = NULL;
            gsize len;

            if (faults[i].at == UINT64_MAX) {
                break;
            }
            want = g_strdup_printf("%s: No space left on device",
                                   faults[i].error);
            tm_fail_at = faults[i].at;
            g_assert_false(dump_dest_file(&cfg, formats[f], target, &msg));
            g_assert_cmpstr(msg, ==, want);
            g_clear_pointer(&msg, g_free);
            g_assert_true(g_file_get_contents(target, &got, &len, NULL));
            g_assert_cmpmem(got, len, clean, clean_len);
        }
        tm_fail_at = UINT64_MAX;
        tm_flaky_calls = true;
        tm_call_no = 0;
        g_assert_true(dump_dest_file(&cfg, formats[f], target, &msg));
        tm_flaky_calls = false;
        dump_fd_sink_set_syscalls(NULL);
        g_assert_cmpuint(tm_call_no, >, 10);
        {
            g_autofree char *got = NULL;
            gsize len;

            g_assert_true(g_file_get_contents(target, &got, &len, NULL));
            g_assert_cmpmem(got, len, clean, clean_len);
        }
        g_unlink(target);
        /* nothing else is left in the directory */
        {
            GDir *d = g_dir_open(tmpdir, 0, NULL);

            g_assert_null(g_dir_read_name(d));
            g_dir_close(d);
        }
    }
    tm_fini(&tm);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("test-dump-kdump-XXXXXX", NULL);
    g_test_add_func("/dump-kdump/repeated-pages", test_repeated_pages);
    g_test_add_func("/dump-kdump/incompressible-probe",
                    test_incompressible_probe);
    g_test_add_data_func("/dump-kdump/formats/exclude-zero", NULL,
                         test_formats);
    g_test_add_data_func("/dump-kdump/formats/zero-descriptors",
                         (void *)1, test_formats);
    g_test_add_func("/dump-kdump/threads-identical", test_threads_identical);
    g_test_add_func("/dump-kdump/raw-fallback", test_raw_fallback);
    g_test_add_func("/dump-kdump/unaligned-blocks", test_unaligned_blocks);
    g_test_add_func("/dump-kdump/header32", test_header32);
    g_test_add_func("/dump-kdump/vmcoreinfo", test_vmcoreinfo);
    g_test_add_func("/dump-kdump/cancel", test_cancel);
    g_test_add_func("/dump-kdump/sigbus", test_sigbus);
    g_test_add_func("/dump-kdump/incomplete/enospc", test_incomplete_enospc);
    g_test_add_func("/dump-kdump/incomplete/cancel", test_incomplete_cancel);
    g_test_add_func("/dump-kdump/file-faults", test_file_faults);
    ret = g_test_run();
    g_rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
