/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmdriver: play the guest for the demo.  It starts sparsevm through
 * libqtest (the same way the qtests do), drives its virtio-mem device with
 * the libqos driver, and takes one command per line on stdin, answering one
 * line on stdout ("ok ..." or "error ...").  The demo script (scripts/
 * demo.py) talks QMP to the VM itself on a second monitor and asks this
 * program to do what a guest kernel would do.
 *
 * usage: vmdriver SPARSEVM-ARGUMENTS...
 *
 * Commands:
 *   init                       find and set up virtio-mem; report its config
 *   config                     report the config space
 *   plug RUN GAP BYTES         plug BYTES as runs of RUN blocks separated by
 *                              GAP unplugged blocks, from the region start
 *   unplug-every N             unplug every Nth plugged run
 *   runs                       the plugged runs as START-END,... (hex)
 *   write START LEN            fill [START, START+LEN) with the demo
 *                              pattern (see demo_page())
 *   sha256 START LEN           SHA-256 of guest memory as the guest sees it
 *   pattern-sha256 START LEN   SHA-256 the pattern has over that range
 *                              (what a correct dump must hold there)
 *   writeb ADDR VALUE          store one byte (the TPM PPI MOR byte)
 *   fill START LEN BYTE        set [START, START+LEN) to BYTE (a guest
 *                              overwriting its memory)
 *   readb ADDR                 load one byte
 *   linux                      dress the guest as a booted x86-64 Linux
 *                              kernel (libqos/linux-guest.h): page tables,
 *                              init_uts_ns, vCPU 0 in long mode, and its
 *                              VMCOREINFO note published through fw_cfg
 *                              (needs -device vmcoreinfo)
 *   reinit                     set the device up again (after a reset)
 *   quit                       stop the VM
 *
 * The pattern: each 4 KiB page starts with the text
 * "sparsevm demo page at 0x%012x\n" padded with spaces to 64 bytes, then
 * bytes from xorshift64* seeded with the page's address, so every page is
 * distinct and recognisable in a hex dump.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libqtest.h"
#include "libqos/guest-alloc.h"
#include "libqos/linux-guest.h"
#include "libqos/virtio-mem.h"

#define PAGE 4096
/*
 * below the kernel image libqos/linux-guest.h puts at 16..48 MiB, so
 * that a machine with little boot RAM (the benchmarks' 64 MiB probe)
 * still has the virtqueues in RAM
 */
#define ALLOC_START (1ULL << 20)
#define ALLOC_END (16ULL << 20)
#define WRITE_CHUNK (4ULL << 20)
#define BATCH 4096

typedef struct Driver {
    QTestState *qts;
    QGuestAllocator *alloc;
    QVirtioMem *vm;
    QVirtioMemConfig cfg;
    unsigned long *plugged;     /* one bit per block, our own view */
    uint64_t nblocks;
} Driver;

static void demo_page(uint64_t gpa, uint8_t *page)
{
    uint64_t x = gpa * 0x9e3779b97f4a7c15ULL + 1;
    int n = snprintf((char *)page, 65, "sparsevm demo page at 0x%012" PRIx64
                     "\n", gpa);

    memset(page + n, ' ', 64 - n);
    page[63] = '\n';
    for (int i = 64; i < PAGE; i += 8) {
        uint64_t v;

        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        v = x * 0x2545f4914f6cdd1dULL;
        memcpy(page + i, &v, 8);
    }
}

static bool test_plugged(Driver *d, uint64_t b)
{
    return d->plugged[b / 64] >> (b % 64) & 1;
}

static void set_plugged(Driver *d, uint64_t b, bool v)
{
    if (v) {
        d->plugged[b / 64] |= 1ULL << (b % 64);
    } else {
        d->plugged[b / 64] &= ~(1ULL << (b % 64));
    }
}

static void print_config(Driver *d)
{
    qvirtio_mem_read_config(d->vm, &d->cfg);
    printf("ok pid=%d addr=0x%" PRIx64 " region=0x%" PRIx64 " block=0x%"
           PRIx64 " usable=0x%" PRIx64 " plugged=0x%" PRIx64
           " requested=0x%" PRIx64 "\n", (int)qtest_pid(d->qts), d->cfg.addr,
           d->cfg.region_size, d->cfg.block_size, d->cfg.usable_region_size,
           d->cfg.plugged_size, d->cfg.requested_size);
}

static void cmd_init(Driver *d)
{
    if (!d->alloc) {
        d->alloc = guest_alloc_new(ALLOC_START, ALLOC_END);
    }
    if (d->vm) {
        qvirtio_mem_free(d->vm);
    }
    d->vm = qvirtio_mem_init(d->qts, d->alloc, 0);
    qvirtio_mem_read_config(d->vm, &d->cfg);
    if (!d->plugged) {
        d->nblocks = d->cfg.region_size / d->cfg.block_size;
        d->plugged = g_new0(unsigned long, d->nblocks / 64 + 1);
    }
    /* What the device says is plugged (none after a system reset). */
    for (uint64_t b = 0; b < d->nblocks; b++) {
        set_plugged(d, b, false);
    }
    if (d->cfg.plugged_size) {
        for (uint64_t b = 0; b < d->nblocks; b++) {
            uint16_t state;

            qvirtio_mem_state(d->vm, d->cfg.addr + b * d->cfg.block_size, 1,
                              &state);
            set_plugged(d, b, state == VIRTIO_MEM_STATE_PLUGGED);
        }
    }
    print_config(d);
}

/* Send @n single-run requests of @type, check every answer is ACK. */
static bool submit_all(Driver *d, QVirtioMemReq *reqs, size_t n)
{
    for (size_t i = 0; i < n; i += BATCH) {
        size_t k = MIN(BATCH, n - i);

        qvirtio_mem_submit(d->vm, reqs + i, k);
        for (size_t j = i; j < i + k; j++) {
            if (reqs[j].resp != VIRTIO_MEM_RESP_ACK) {
                printf("error request for 0x%" PRIx64 " answered %u\n",
                       reqs[j].addr, reqs[j].resp);
                return false;
            }
        }
    }
    return true;
}

static void cmd_plug(Driver *d, uint64_t run, uint64_t gap, uint64_t bytes)
{
    uint64_t want = bytes / d->cfg.block_size, b = 0, done = 0, runs = 0;
    g_autoptr(GArray) reqs = g_array_new(false, true, sizeof(QVirtioMemReq));

    if (!run || run > 65535) {
        printf("error RUN must be 1..65535 blocks\n");
        return;
    }
    while (done < want && b < d->nblocks) {
        uint64_t n = MIN(run, want - done);
        QVirtioMemReq r = {
            .type = VIRTIO_MEM_REQ_PLUG,
            .addr = d->cfg.addr + b * d->cfg.block_size,
            .nb_blocks = n,
        };

        if (b + n > d->nblocks) {
            break;
        }
        g_array_append_val(reqs, r);
        b += n + gap;
        done += n;
        runs++;
    }
    if (!submit_all(d, (QVirtioMemReq *)reqs->data, reqs->len)) {
        return;
    }
    for (guint i = 0; i < reqs->len; i++) {
        QVirtioMemReq *r = &g_array_index(reqs, QVirtioMemReq, i);
        uint64_t first = (r->addr - d->cfg.addr) / d->cfg.block_size;

        for (uint64_t k = 0; k < r->nb_blocks; k++) {
            set_plugged(d, first + k, true);
        }
    }
    qvirtio_mem_read_config(d->vm, &d->cfg);
    printf("ok runs=%" PRIu64 " plugged=0x%" PRIx64 "\n", runs,
           d->cfg.plugged_size);
}

/* Call @fn for each maximal run of plugged blocks. */
static void foreach_run(Driver *d, void (*fn)(Driver *d, uint64_t first,
                                              uint64_t n, void *opaque),
                        void *opaque)
{
    uint64_t b = 0;

    while (b < d->nblocks) {
        uint64_t e;

        if (!test_plugged(d, b)) {
            b++;
            continue;
        }
        for (e = b; e < d->nblocks && test_plugged(d, e); e++) {
        }
        fn(d, b, e - b, opaque);
        b = e;
    }
}

typedef struct UnplugCtx {
    uint64_t every, index;
    GArray *reqs;
} UnplugCtx;

static void collect_unplug(Driver *d, uint64_t first, uint64_t n,
                           void *opaque)
{
    UnplugCtx *c = opaque;

    if (c->index++ % c->every == c->every - 1) {
        for (uint64_t done = 0; done < n;) {
            QVirtioMemReq r = {
                .type = VIRTIO_MEM_REQ_UNPLUG,
                .addr = d->cfg.addr + (first + done) * d->cfg.block_size,
                .nb_blocks = MIN(n - done, 65535),
            };

            g_array_append_val(c->reqs, r);
            done += r.nb_blocks;
        }
    }
}

static void cmd_unplug_every(Driver *d, uint64_t every)
{
    UnplugCtx c = { .every = every ? every : 1 };

    c.reqs = g_array_new(false, true, sizeof(QVirtioMemReq));
    foreach_run(d, collect_unplug, &c);
    if (submit_all(d, (QVirtioMemReq *)c.reqs->data, c.reqs->len)) {
        for (guint i = 0; i < c.reqs->len; i++) {
            QVirtioMemReq *r = &g_array_index(c.reqs, QVirtioMemReq, i);
            uint64_t first = (r->addr - d->cfg.addr) / d->cfg.block_size;

            for (uint64_t k = 0; k < r->nb_blocks; k++) {
                set_plugged(d, first + k, false);
            }
        }
        qvirtio_mem_read_config(d->vm, &d->cfg);
        printf("ok unplugged_requests=%u plugged=0x%" PRIx64 "\n",
               c.reqs->len, d->cfg.plugged_size);
    }
    g_array_free(c.reqs, true);
}

static void print_run(Driver *d, uint64_t first, uint64_t n, void *opaque)
{
    bool *comma = opaque;

    printf("%s%" PRIx64 "-%" PRIx64, *comma ? "," : "",
           d->cfg.addr + first * d->cfg.block_size,
           d->cfg.addr + (first + n) * d->cfg.block_size);
    *comma = true;
}

static void cmd_runs(Driver *d)
{
    bool comma = false;

    printf("ok ");
    foreach_run(d, print_run, &comma);
    printf("\n");
}

static void cmd_write(Driver *d, uint64_t start, uint64_t len)
{
    g_autofree uint8_t *buf = g_malloc(WRITE_CHUNK);

    if (start % PAGE || len % PAGE) {
        printf("error START and LEN must be page aligned\n");
        return;
    }
    for (uint64_t off = 0; off < len; off += WRITE_CHUNK) {
        uint64_t n = MIN(WRITE_CHUNK, len - off);

        for (uint64_t p = 0; p < n; p += PAGE) {
            demo_page(start + off + p, buf + p);
        }
        qtest_bufwrite(d->qts, start + off, buf, n);
    }
    printf("ok\n");
}

static void cmd_sha256(Driver *d, uint64_t start, uint64_t len)
{
    g_autofree uint8_t *buf = g_malloc(WRITE_CHUNK);
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);

    for (uint64_t off = 0; off < len; off += WRITE_CHUNK) {
        uint64_t n = MIN(WRITE_CHUNK, len - off);

        qtest_bufread(d->qts, start + off, buf, n);
        g_checksum_update(sum, buf, n);
    }
    printf("ok %s\n", g_checksum_get_string(sum));
    g_checksum_free(sum);
}

static void cmd_pattern_sha256(uint64_t start, uint64_t len)
{
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    uint8_t page[PAGE];

    for (uint64_t off = 0; off < len; off += PAGE) {
        demo_page(start + off, page);
        g_checksum_update(sum, page, MIN(PAGE, len - off));
    }
    printf("ok %s\n", g_checksum_get_string(sum));
    g_checksum_free(sum);
}

static bool parse_args(char **w, int need, uint64_t *v)
{
    for (int i = 0; i < need; i++) {
        char *end;

        if (!w[i + 1]) {
            printf("error missing argument\n");
            return false;
        }
        v[i] = g_ascii_strtoull(w[i + 1], &end, 0);
        if (*end) {
            printf("error bad number '%s'\n", w[i + 1]);
            return false;
        }
    }
    return true;
}

int main(int argc, char **argv)
{
    Driver d = { 0 };
    g_autofree char *args = NULL;
    char line[1024];

    if (argc < 2) {
        fprintf(stderr, "usage: vmdriver SPARSEVM-ARGUMENTS...\n");
        return 2;
    }
    {
        GString *s = g_string_new("");

        for (int i = 1; i < argc; i++) {
            g_autofree char *q = g_shell_quote(argv[i]);

            g_string_append_printf(s, "%s ", q);
        }
        args = g_string_free(s, false);
    }
    d.qts = qtest_init(args);
    printf("ok started pid=%d\n", (int)qtest_pid(d.qts));
    fflush(stdout);
    while (fgets(line, sizeof(line), stdin)) {
        g_auto(GStrv) w = g_strsplit(g_strstrip(line), " ", -1);
        uint64_t v[3];

        if (!w[0] || !*w[0]) {
            continue;
        }
        if (!strcmp(w[0], "quit")) {
            break;
        } else if (!strcmp(w[0], "pattern-sha256")) {
            if (parse_args(w, 2, v)) {
                cmd_pattern_sha256(v[0], v[1]);
            }
        } else if (!strcmp(w[0], "init") || !strcmp(w[0], "reinit")) {
            cmd_init(&d);
        } else if (!d.vm) {
            printf("error run init first\n");
        } else if (!strcmp(w[0], "linux")) {
            /* page tables, init_uts_ns, long mode, VMCOREINFO (fw_cfg) */
            uint64_t note = qlinux_guest_setup(d.qts, d.alloc);

            printf("ok vmcoreinfo=0x%" PRIx64 " release=%s\n", note,
                   QLINUX_RELEASE);
        } else if (!strcmp(w[0], "config")) {
            print_config(&d);
        } else if (!strcmp(w[0], "plug") && parse_args(w, 3, v)) {
            cmd_plug(&d, v[0], v[1], v[2]);
        } else if (!strcmp(w[0], "unplug-every") && parse_args(w, 1, v)) {
            cmd_unplug_every(&d, v[0]);
        } else if (!strcmp(w[0], "runs")) {
            cmd_runs(&d);
        } else if (!strcmp(w[0], "write") && parse_args(w, 2, v)) {
            cmd_write(&d, v[0], v[1]);
        } else if (!strcmp(w[0], "sha256") && parse_args(w, 2, v)) {
            cmd_sha256(&d, v[0], v[1]);
        } else if (!strcmp(w[0], "writeb") && parse_args(w, 2, v)) {
            qtest_writeb(d.qts, v[0], v[1]);
            printf("ok\n");
        } else if (!strcmp(w[0], "fill") && parse_args(w, 3, v)) {
            qtest_memset(d.qts, v[0], v[1], v[2]);
            printf("ok\n");
        } else if (!strcmp(w[0], "readb") && parse_args(w, 1, v)) {
            printf("ok 0x%02x\n", qtest_readb(d.qts, v[0]));
        } else if (strcmp(w[0], "plug") && strcmp(w[0], "unplug-every") &&
                   strcmp(w[0], "write") && strcmp(w[0], "sha256") &&
                   strcmp(w[0], "writeb") && strcmp(w[0], "readb") &&
                   strcmp(w[0], "fill")) {
            printf("error unknown command '%s'\n", w[0]);
        }
        fflush(stdout);
    }
    if (d.vm) {
        qvirtio_mem_free(d.vm);
    }
    if (d.alloc) {
        guest_alloc_destroy(d.alloc);
    }
    g_free(d.plugged);
    qtest_quit(d.qts);
    return 0;
}
