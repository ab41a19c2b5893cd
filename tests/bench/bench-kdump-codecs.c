/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-kdump-codecs: where a kdump dump's compression time goes, per
 * codec and level, on one thread, measured in thread CPU time (so that
 * other load on the machine does not count).
 *
 * It builds @mib MiB of issue 17's mix in memory -- runs of 16 pages, a
 * third one repeated byte, a third text-like, a third random -- and runs
 * the kdump encoder's own code over it: kdump_page_repeated_byte() (the
 * zero and repeated-byte detection), kdump_compress_page() per kind of
 * page, and kdump_batch_compress() as the pool's threads run it (with the
 * repeated-byte cache and the incompressible-page probe,
 * kdump_page_incompressible(), with the share of text and random pages it
 * sends raw).  Per codec and level it prints the CPU time of each part in
 * ns per page, the batch throughput, and the stored size.
 *
 * usage: bench-kdump-codecs [MIB] [zstd levels, comma-separated]
 */
#include "qemu/osdep.h"
#include <time.h>
#include "config-host.h"
#include "dump/dump-kdump.h"

#define PS 4096
#define RUN_PAGES 16

enum { KIND_REP, KIND_TEXT, KIND_RANDOM, KINDS };
/* Results fed here so the compiler cannot drop the timed calls. */
static volatile int bench_sink;

static const char *const kind_names[KINDS] = { "repeated", "text", "random" };

static double cpu_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *const words[] = {
    "the", "of", "and", "to", "in", "is", "was", "for", "that", "with",
    "kernel", "page", "memory", "dump", "guest", "virtio", "block",
    "plugged", "region", "struct", "int", "return", "static", "void",
    "unsigned", "long", "error", "file", "device", "buffer", "list", "node",
    "next", "prev", "lock", "unlock", "mutex", "thread", "task", "process",
    "sched", "irq", "0x0000", "0xffff", "1024", "4096", "NULL", "true",
};

/* @npages pages of the mix at @mem; the kind of each page in @kind. */
static void build_mix(uint8_t *mem, uint8_t *kind, size_t npages)
{
    GRand *rnd = g_rand_new_with_seed(17);
    size_t text_len = 4 << 20;
    g_autofree char *text = g_malloc(text_len);

    for (size_t n = 0, col = 0; n < text_len; ) {
        const char *w = words[g_rand_int_range(rnd, 0, G_N_ELEMENTS(words))];

        for (size_t i = 0; w[i] && n < text_len; i++) {
            text[n++] = w[i];
        }
        if (n < text_len) {
            text[n++] = ++col % 10 ? ' ' : '\n';
        }
    }
    for (size_t p = 0; p < npages; p += RUN_PAGES) {
        int k = g_rand_int_range(rnd, 0, KINDS);
        size_t n = MIN(RUN_PAGES, npages - p);
        uint8_t *q = mem + p * PS;

        memset(kind + p, k, n);
        if (k == KIND_REP) {
            memset(q, g_rand_int_range(rnd, 1, 256), n * PS);
        } else if (k == KIND_TEXT) {
            memcpy(q, text + g_rand_int_range(rnd, 0, text_len - n * PS),
                   n * PS);
        } else {
            for (size_t i = 0; i < n * PS; i += 4) {
                uint32_t v = g_rand_int(rnd);

                memcpy(q + i, &v, 4);
            }
        }
    }
    g_rand_free(rnd);
}

static void run(const char *name, uint32_t flag, int level, uint8_t *mem,
                const uint8_t *kind, size_t npages)
{
    KdumpCompressor *c = kdump_compressor_new(flag, PS, level);
    KdumpBatch *b = kdump_batch_new(PS);
    g_autofree uint8_t *out = g_malloc(PS);
    double t, detect, probe = 0, per_kind[KINDS] = { 0 };
    size_t count[KINDS] = { 0 }, caught[KINDS] = { 0 }, stored = 0;

    g_assert(c);
    /* detection alone */
    t = cpu_now();
    for (size_t p = 0; p < npages; p++) {
        bench_sink += kdump_page_repeated_byte(mem + p * PS, PS);
    }
    detect = cpu_now() - t;
    /* the incompressible-page probe, on the pages it would see */
    for (size_t p = 0; p < npages; p++) {
        if (kind[p] != KIND_REP) {
            t = cpu_now();
            if (kdump_page_incompressible(c, mem + p * PS)) {
                caught[kind[p]]++;
            }
            probe += cpu_now() - t;
        }
    }
    /* the compressor alone, per kind of page, every page */
    for (size_t p = 0; p < npages; p++) {
        t = cpu_now();
        bench_sink += kdump_compress_page(c, mem + p * PS, out);
        per_kind[kind[p]] += cpu_now() - t;
        count[kind[p]]++;
    }
    /* what a compression thread does, batch by batch */
    t = cpu_now();
    for (size_t p = 0; p < npages; p += KDUMP_BATCH_PAGES) {
        b->n = MIN(KDUMP_BATCH_PAGES, npages - p);
        for (unsigned i = 0; i < b->n; i++) {
            b->pages[i] = (KdumpPage) { .data = mem + (p + i) * PS,
                                        .pfn = p + i, .covered = PS };
        }
        kdump_batch_compress(b, c, PS, flag);
        stored += b->out_len;
    }
    t = cpu_now() - t;
    printf("%-6s %4d | %6.0f | %5.0f %3.0f%% %3.0f%% | "
           "%8.0f %8.0f %8.0f | %7.2f %7.0f | %8.1f %5.1f%%\n",
           name, level, detect / npages * 1e9,
           probe / (count[KIND_TEXT] + count[KIND_RANDOM]) * 1e9,
           100.0 * caught[KIND_TEXT] / count[KIND_TEXT],
           100.0 * caught[KIND_RANDOM] / count[KIND_RANDOM],
           per_kind[KIND_REP] / count[KIND_REP] * 1e9,
           per_kind[KIND_TEXT] / count[KIND_TEXT] * 1e9,
           per_kind[KIND_RANDOM] / count[KIND_RANDOM] * 1e9,
           t, npages * (double)PS / (1 << 20) / t,
           stored / 1048576.0, 100.0 * stored / (npages * (double)PS));
    kdump_batch_free(b);
    kdump_compressor_free(c);
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 512;
    const char *zlevels = argc > 2 ? argv[2] : "-7,-5,-3,-1,1,2,3";
    size_t npages = mib * (1 << 20) / PS;
    g_autofree uint8_t *mem = g_malloc(npages * PS);
    g_autofree uint8_t *kind = g_malloc(npages);
    g_auto(GStrv) levels = g_strsplit(zlevels, ",", 0);
    size_t count[KINDS] = { 0 };

    build_mix(mem, kind, npages);
    for (size_t p = 0; p < npages; p++) {
        count[kind[p]]++;
    }
    printf("%zu MiB of the mix: %s %zu, %s %zu, %s %zu pages; "
           "one thread, CPU time\n", mib, kind_names[0], count[0],
           kind_names[1], count[1], kind_names[2], count[2]);
    printf("codec level | detect | probe  raw: text rnd | "
           "compress ns/page by kind   | batches s   MiB/s | stored MiB\n");
    printf("            |  ns/pg | ns/pg                | "
           "repeated     text   random |\n");
    kdump_compression_init(KDUMP_DH_COMPRESSED_LZO, NULL);
    run("zlib", KDUMP_DH_COMPRESSED_ZLIB, 1, mem, kind, npages);
#ifdef CONFIG_LZO
    run("lzo", KDUMP_DH_COMPRESSED_LZO, 0, mem, kind, npages);
#endif
#ifdef CONFIG_SNAPPY
    run("snappy", KDUMP_DH_COMPRESSED_SNAPPY, 0, mem, kind, npages);
#endif
#ifdef CONFIG_ZSTD
    for (unsigned i = 0; levels[i]; i++) {
        run("zstd", KDUMP_DH_COMPRESSED_ZSTD, atoi(levels[i]), mem, kind,
            npages);
    }
#endif
    return 0;
}
