/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-mor-clear.c: how long the TPM memory-overwrite clear
 * (tpm_ppi_clear_memory) takes, for
 *
 *   sparse  a 16 GiB region with a RamDiscardManager (as virtio-mem's
 *           memdev) of which 4 GiB are plugged -- every fourth 2 MiB
 *           block, 2048 runs -- and 1 GiB written (the first 512 KiB of
 *           every plugged block);
 *   dense   a 1 GiB region, all plugged, all written;
 *
 * side by side, per backing (memfd as memory-backend-memfd, anonymous as
 * memory-backend-ram).  The rule of cost says the two should take about
 * the same time: what is cleared is what the guest wrote.  Writes one
 * line per measurement ("backing scenario rep ms discarded written
 * populated_after") and a summary with medians and the ratio.
 *
 *   bench-mor-clear [--reps N] [--backing memfd|anon|all]
 *   bench-mor-clear --point REGION_MIB PLUG_EVERY WRITE_KIB_PER_BLOCK
 *                   [--ignore-rdm] [--reps N] [--backing memfd|anon]
 *
 * --point measures one custom scenario (for scripts/bench/run-all.py's
 * sweeps) and prints "point MEDIAN_MS MIN_MS MAX_MS"; --ignore-rdm builds
 * the block list as before QEMU 6.2, ignoring the discard manager.
 */
#include "qemu/osdep.h"
#include <linux/memfd.h>
#include <sys/mman.h>
#include "exec/memory.h"
#include "exec/memory_mapping.h"
#include "exec/ramblock.h"
#include "hw/tpm/tpm_ppi.h"
#include "qemu/error.h"
#include "tests/unit/fake-rdm.h"
#include "qemu/units.h"

#define BLOCK (2 * MiB)
#define REGION_GPA (8 * GiB)

typedef struct Scenario {
    const char *name;
    uint64_t region;        /* region size */
    uint64_t plug_every;    /* plug one block in this many */
    uint64_t plugged;       /* bytes plugged */
    uint64_t write_per_block;
} Scenario;

static const Scenario scenarios[] = {
    { "sparse", 16 * GiB, 4, 4 * GiB, 512 * 1024 },
    { "dense", 1 * GiB, 1, 1 * GiB, BLOCK },
};

typedef struct Result {
    double ms;
    uint64_t discarded;
    uint64_t written;
    uint64_t populated_after;
} Result;

static bool region_init(MemoryRegion *mr, const char *backing, uint64_t size)
{
    if (!strcmp(backing, "memfd")) {
        int fd = memfd_create("bench-mor-clear", MFD_CLOEXEC);

        if (fd < 0 || ftruncate(fd, size) < 0) {
            return false;
        }
        return memory_region_init_ram_from_fd(mr, NULL, "vmem", size,
                                              RAM_SHARED, fd, 0,
                                              &error_abort);
    }
    return memory_region_init_ram(mr, NULL, "vmem", size, &error_abort);
}

static unsigned blocks_flags;

static Result run_once(const char *backing, const Scenario *sc)
{
    MemoryRegion root, mr;
    AddressSpace as;
    FakeRdm rdm;
    TPMPPIClearStats st;
    uint64_t nblocks = sc->region / BLOCK;
    Result r;

    memory_region_init(&root, NULL, "system", UINT64_MAX);
    address_space_init(&as, &root, "memory");
    if (!region_init(&mr, backing, sc->region)) {
        g_error("cannot create a %s region of %" PRIu64 " bytes", backing,
                sc->region);
    }
    fake_rdm_attach(&rdm, &mr, BLOCK);
    memory_region_add_subregion(&root, REGION_GPA, &mr);
    for (uint64_t b = 0; b < nblocks; b += sc->plug_every) {
        fake_rdm_plug(&rdm, b, 1);
        memset((uint8_t *)memory_region_get_ram_ptr(&mr) + b * BLOCK, 0x5e,
               sc->write_per_block);
    }

    tpm_ppi_clear_memory(&as, blocks_flags, &st);
    r.ms = st.ns / 1e6;
    r.discarded = st.zero.discarded;
    r.written = st.zero.written;
    r.populated_after = ram_block_populated_bytes(
        memory_region_get_ram_block(&mr));
    g_assert_cmpuint(st.bytes, ==, blocks_flags ? sc->region : sc->plugged);

    memory_region_del_subregion(&root, &mr);
    fake_rdm_detach(&rdm);
    memory_region_destroy(&mr);
    address_space_destroy(&as);
    memory_region_destroy(&root);
    return r;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int reps = 5;
    const char *which = "all";
    Scenario point = { .name = "point" };
    bool have_point = false;
    const char *backings[] = { "memfd", "anon" };

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
            reps = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--backing") && i + 1 < argc) {
            which = argv[++i];
        } else if (!strcmp(argv[i], "--point") && i + 3 < argc) {
            point.region = g_ascii_strtoull(argv[++i], NULL, 0) * MiB;
            point.plug_every = g_ascii_strtoull(argv[++i], NULL, 0);
            point.plug_every = MAX(1, point.plug_every);
            point.write_per_block = g_ascii_strtoull(argv[++i], NULL, 0) *
                                    1024;
            point.plugged = DIV_ROUND_UP(point.region / BLOCK,
                                         point.plug_every) * BLOCK;
            have_point = true;
        } else if (!strcmp(argv[i], "--ignore-rdm")) {
            blocks_flags = GUEST_PHYS_BLOCKS_IGNORE_DISCARD_MANAGER;
        } else {
            fprintf(stderr, "usage: %s [--reps N] [--backing memfd|anon|all]"
                    " [--point REGION_MIB PLUG_EVERY WRITE_KIB_PER_BLOCK]"
                    " [--ignore-rdm]\n", argv[0]);
            return 2;
        }
    }
    if (reps < 1) {
        reps = 1;
    }
    if (have_point) {
        g_autofree double *ms = g_new(double, reps);

        for (int rep = 0; rep < reps; rep++) {
            ms[rep] = run_once(strcmp(which, "all") ? which : "memfd",
                               &point).ms;
        }
        qsort(ms, reps, sizeof(double), cmp_double);
        printf("point %.3f %.3f %.3f\n", ms[reps / 2], ms[0], ms[reps - 1]);
        return 0;
    }
    printf("# backing scenario rep ms discarded written populated_after\n");
    for (size_t b = 0; b < G_N_ELEMENTS(backings); b++) {
        double median[G_N_ELEMENTS(scenarios)];

        if (strcmp(which, "all") && strcmp(which, backings[b])) {
            continue;
        }
        for (size_t s = 0; s < G_N_ELEMENTS(scenarios); s++) {
            g_autofree double *ms = g_new(double, reps);

            for (int rep = 0; rep < reps; rep++) {
                Result r = run_once(backings[b], &scenarios[s]);

                ms[rep] = r.ms;
                printf("%s %s %d %.2f %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
                       backings[b], scenarios[s].name, rep, r.ms,
                       r.discarded, r.written, r.populated_after);
                fflush(stdout);
            }
            qsort(ms, reps, sizeof(double), cmp_double);
            median[s] = ms[reps / 2];
        }
        printf("summary %s sparse_ms %.2f dense_ms %.2f ratio %.2f\n",
               backings[b], median[0], median[1], median[0] / median[1]);
    }
    return 0;
}
