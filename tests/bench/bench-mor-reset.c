/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-mor-reset.c: end to end, the time of a QMP system_reset with the
 * TPM MOR bit set, on the real binary with swtpm:
 *
 *   sparse  512 MiB base RAM, a virtio-mem device on a 16 GiB memfd
 *           backend with 4 GiB plugged (by the test's driver, every
 *           fourth 2 MiB block) and 1 GiB written (the first 512 KiB of
 *           each plugged block);
 *   dense   1 GiB of base RAM on a memfd backend, all written.
 *
 * The sparse reset discards the device's memory (virtio-mem's
 * unplug-all) and then clears base RAM; the dense one clears 1 GiB.
 * Prints "scenario rep reset_ms clear_us" lines (clear_us from the
 * tpm_ppi_memory_clear trace) and a summary with medians and the ratio.
 *
 *   QTEST_QEMU_BINARY=build/sparsevm bench-mor-reset [--reps N]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "libqtest.h"
#include "libqos/virtio-mem.h"
#include "tests/tpm/swtpm.h"
#include "qemu/units.h"

#define BLOCK (2 * MiB)
#define PPI_MOVV 0xfed4515aULL
#define BASE_RAM (512 * MiB)

typedef struct Run {
    double reset_ms;
    double clear_ms;
} Run;

static char *tmpdir;

static double now_ms(void)
{
    return g_get_monotonic_time() / 1000.0;
}

static double trace_clear_ms(const char *path)
{
    g_autofree char *text = NULL;
    const char *p;

    g_assert(g_file_get_contents(path, &text, NULL, NULL));
    p = g_strrstr(text, " time_us=");
    g_assert(p);
    return g_ascii_strtoull(p + strlen(" time_us="), NULL, 10) / 1000.0;
}

static Run run_once(bool sparse)
{
    Swtpm *t = swtpm_start(tmpdir);
    g_autofree char *trace = g_strdup_printf("%s/trace.log", tmpdir);
    g_autofree char *args = NULL;
    QTestState *qts;
    Run r;
    double t0;

    unlink(trace);
    if (sparse) {
        args = g_strdup_printf(
            "-machine microvm -m 512M,maxmem=32G "
            "-object memory-backend-memfd,id=mem0,size=16G "
            "-device virtio-mem-device,id=vm0,memdev=mem0,requested-size=16G "
            "-chardev socket,id=chrtpm,path=%s "
            "-tpmdev emulator,id=tpm0,chardev=chrtpm "
            "-device tpm-crb,tpmdev=tpm0 "
            "-trace tpm_ppi_memory_clear -D %s", t->ctrl_path, trace);
    } else {
        args = g_strdup_printf(
            "-machine microvm,memory-backend=ram0 -m 1G "
            "-object memory-backend-memfd,id=ram0,size=1G "
            "-chardev socket,id=chrtpm,path=%s "
            "-tpmdev emulator,id=tpm0,chardev=chrtpm "
            "-device tpm-crb,tpmdev=tpm0 "
            "-trace tpm_ppi_memory_clear -D %s", t->ctrl_path, trace);
    }
    qts = qtest_init(args);
    if (sparse) {
        QGuestAllocator *alloc = guest_alloc_new(1 * MiB, BASE_RAM);
        QVirtioMem *vm = qvirtio_mem_init(qts, alloc, 0);
        QVirtioMemConfig cfg;
        size_t n = 4 * GiB / BLOCK;
        g_autofree uint64_t *addrs = g_new(uint64_t, n);

        qvirtio_mem_read_config(vm, &cfg);
        g_assert_cmpuint(cfg.block_size, ==, BLOCK);
        for (size_t i = 0; i < n; i++) {
            addrs[i] = cfg.addr + i * 4 * BLOCK;
        }
        g_assert_cmpuint(qvirtio_mem_plug_ranges(vm, addrs, n, 1), ==, n);
        for (size_t i = 0; i < n; i++) {
            qtest_memset(qts, addrs[i], 0x5e, 512 * 1024);
        }
        qvirtio_mem_free(vm);
        guest_alloc_destroy(alloc);
    } else {
        qtest_memset(qts, 0, 0x5e, 1 * GiB);
    }
    qtest_writeb(qts, PPI_MOVV, 1);

    t0 = now_ms();
    qtest_qmp_assert_success(qts, "{\"execute\": \"system_reset\"}");
    r.reset_ms = now_ms() - t0;
    qtest_qmp_eventwait(qts, "RESET");
    qtest_quit(qts);
    r.clear_ms = trace_clear_ms(trace);
    unlink(trace);
    swtpm_free(t);
    return r;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int reps = 3;
    double med[2];

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
            reps = atoi(argv[++i]);
            reps = MAX(reps, 1);
        } else {
            fprintf(stderr, "usage: %s [--reps N]\n", argv[0]);
            return 2;
        }
    }
    if (swtpm_missing()) {
        printf("# skipped: %s\n", swtpm_missing());
        return 0;
    }
    tmpdir = g_dir_make_tmp("bench-mor-reset-XXXXXX", NULL);
    printf("# scenario rep reset_ms clear_ms\n");
    for (int s = 0; s < 2; s++) {
        g_autofree double *ms = g_new(double, reps);

        for (int rep = 0; rep < reps; rep++) {
            Run r = run_once(s == 0);

            ms[rep] = r.reset_ms;
            printf("%s %d %.2f %.2f\n", s == 0 ? "sparse" : "dense", rep,
                   r.reset_ms, r.clear_ms);
            fflush(stdout);
        }
        qsort(ms, reps, sizeof(double), cmp_double);
        med[s] = ms[reps / 2];
    }
    printf("summary reset sparse_ms %.2f dense_ms %.2f ratio %.2f\n",
           med[0], med[1], med[0] / med[1]);
    rmdir(tmpdir);
    g_free(tmpdir);
    return 0;
}
