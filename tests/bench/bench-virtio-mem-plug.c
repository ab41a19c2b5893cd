/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-virtio-mem-plug.c: the acceptance check, on the real
 * binary: a 64 GiB memfd behind virtio-mem-device at 2 MiB blocks takes
 * 20,000 alternating PLUG requests (every other block, then the odd ones)
 * from the libqos guest driver in under 10 s, and the memfd allocates
 * nothing until blocks are written.
 *
 * Per run it prints one line:
 *   run N: 20000 PLUGs in S s (R/s, B per kick), memfd 0 B after plugging,
 *          X B after writing 3 blocks
 * and exits 1 if a run took 10 s or more or the memfd held anything before
 * it was written.  Started by scripts/bench/virtio-mem-plug.sh, which
 * points QTEST_QEMU_BINARY at the build's sparsevm.
 *
 * Options: --reps N (default 3), --requests N (default 20000),
 * --per-kick N (requests sent per kick, default 512: a full queue of 1024
 * descriptors; 1 is how the Linux driver sends them), --json FILE.
 */
#include <inttypes.h>
#include <stdio.h>
#include "libqos/host-mem.h"
#include "libqos/virtio-mem.h"
#include "qemu/units.h"

#define LIMIT_S 10.0

typedef struct Result {
    double seconds;
    uint64_t alloc_plugged;     /* memfd bytes after the PLUGs */
    uint64_t alloc_written;     /* after writing one byte in 3 blocks */
} Result;

/* PLUG each of @addrs, @per_kick requests per kick; returns the ACKs. */
static size_t plug_all(QVirtioMem *vm, const uint64_t *addrs, size_t n,
                       size_t per_kick)
{
    size_t acked = 0;

    for (size_t i = 0; i < n; i += per_kick) {
        acked += qvirtio_mem_plug_ranges(vm, addrs + i, MIN(per_kick, n - i),
                                         1);
    }
    return acked;
}

static Result run_once(size_t requests, size_t per_kick)
{
    QTestState *qts = qtest_init("-machine microvm -m 512M,maxmem=65G "
                                 "-object memory-backend-memfd,id=mem0,"
                                 "size=64G -device virtio-mem-device,id=vm0,"
                                 "memdev=mem0,requested-size=64G");
    QGuestAllocator *alloc = guest_alloc_new(1 * MiB, 512 * MiB);
    QVirtioMem *vm = qvirtio_mem_init(qts, alloc, 0);
    g_autofree uint64_t *addrs = g_new(uint64_t, requests);
    QVirtioMemConfig cfg;
    uint64_t nblocks;
    Result r;
    gint64 t0;

    qvirtio_mem_read_config(vm, &cfg);
    nblocks = cfg.region_size / cfg.block_size;
    g_assert_cmpuint(cfg.block_size, ==, 2 * MiB);
    g_assert_cmpuint(requests, <=, nblocks);
    for (size_t i = 0; i < requests; i++) {
        uint64_t b = 2 * i < nblocks ? 2 * i : 2 * i - nblocks + 1;

        addrs[i] = cfg.addr + b * cfg.block_size;
    }
    t0 = g_get_monotonic_time();
    g_assert_cmpuint(plug_all(vm, addrs, requests, per_kick), ==, requests);
    r.seconds = (g_get_monotonic_time() - t0) / 1e6;
    qvirtio_mem_read_config(vm, &cfg);
    g_assert_cmpuint(cfg.plugged_size, ==, requests * cfg.block_size);
    r.alloc_plugged = qos_memfd_allocated(qtest_pid(qts),
                                          "memory-backend-memfd", 0);
    for (int i = 0; i < 3; i++) {
        qtest_writeb(qts, addrs[i * (requests / 3)], 1);
    }
    r.alloc_written = qos_memfd_allocated(qtest_pid(qts),
                                          "memory-backend-memfd", 0);
    qvirtio_mem_free(vm);
    guest_alloc_destroy(alloc);
    qtest_quit(qts);
    return r;
}

int main(int argc, char **argv)
{
    int reps = 3, failed = 0;
    size_t requests = 20000, per_kick = QVIRTIO_MEM_QUEUE_SIZE / 2;
    const char *json = NULL;
    g_autoptr(GString) out = g_string_new("{\"runs\": [");

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
            reps = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--requests") && i + 1 < argc) {
            requests = strtoull(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--per-kick") && i + 1 < argc) {
            per_kick = strtoull(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--json") && i + 1 < argc) {
            json = argv[++i];
        } else {
            fprintf(stderr, "usage: %s [--reps N] [--requests N] "
                    "[--per-kick N] [--json FILE]\n", argv[0]);
            return 2;
        }
    }
    if (!per_kick || per_kick > QVIRTIO_MEM_QUEUE_SIZE / 2) {
        fprintf(stderr, "--per-kick: 1..%d\n", QVIRTIO_MEM_QUEUE_SIZE / 2);
        return 2;
    }
    for (int rep = 0; rep < reps; rep++) {
        Result r = run_once(requests, per_kick);
        bool ok = r.seconds < LIMIT_S && r.alloc_plugged == 0;

        printf("run %d: %zu PLUGs in %.3f s (%.0f/s, %zu per kick), memfd "
               "%" PRIu64 " B after plugging, %" PRIu64 " B after writing 3 "
               "blocks%s\n", rep + 1, requests, r.seconds,
               requests / r.seconds, per_kick,
               r.alloc_plugged, r.alloc_written, ok ? "" : "  FAILED");
        fflush(stdout);
        g_string_append_printf(out, "%s{\"seconds\": %.4f, "
                               "\"memfd_after_plug\": %" PRIu64 ", "
                               "\"memfd_after_write\": %" PRIu64 "}",
                               rep ? ", " : "", r.seconds, r.alloc_plugged,
                               r.alloc_written);
        failed |= !ok;
    }
    g_string_append_printf(out, "], \"requests\": %zu, \"per_kick\": %zu, "
                           "\"limit_s\": %.1f}\n", requests, per_kick,
                           LIMIT_S);
    if (json && !g_file_set_contents(json, out->str, -1, NULL)) {
        fprintf(stderr, "cannot write %s\n", json);
        return 2;
    }
    return failed;
}
