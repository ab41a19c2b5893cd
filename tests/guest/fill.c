/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Guest-side helper of make check-guest: fill MiB of anonymous memory with
 * a pattern the host finds in a dump, say where it landed, then hold it.
 *
 * Usage: svm-fill MIB SEED PLUG_BASE PLUG_SIZE
 *
 * Page i of the fill starts with the 8 bytes "SVMFILL!", then i and SEED
 * as little-endian u64; the rest of the page repeats the u64
 * (i * 0x9e3779b97f4a7c15) ^ SEED.  After filling, /proc/self/pagemap
 * gives every page's frame; one line goes to stdout:
 *   filled PAGES in_plug IN_PLUG sample I:PFN,I:PFN,...
 * where IN_PLUG counts the pages in [PLUG_BASE, PLUG_BASE + PLUG_SIZE) and
 * the sample gives the frame of SAMPLES pages spread over the fill, for
 * the host to read back by physical address.
 * Then the process sleeps until killed, keeping the pages in place.
 * Statically linked: the initramfs has no C library.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096u
#define SAMPLES 8

int main(int argc, char **argv)
{
    uint64_t mib, seed, base, size, pages, in_plug = 0;
    uint64_t sample_idx[SAMPLES], sample_pfn[SAMPLES];
    unsigned nsamples = 0;
    uint8_t *mem;
    int fd;

    if (argc != 5) {
        fprintf(stderr, "usage: svm-fill MIB SEED PLUG_BASE PLUG_SIZE\n");
        return 2;
    }
    mib = strtoull(argv[1], NULL, 0);
    seed = strtoull(argv[2], NULL, 0);
    base = strtoull(argv[3], NULL, 0);
    size = strtoull(argv[4], NULL, 0);
    pages = mib * (1024 * 1024 / PAGE);

    mem = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (mem == MAP_FAILED) {
        perror("svm-fill: mmap");
        return 1;
    }
    for (uint64_t i = 0; i < pages; i++) {
        uint64_t *p = (uint64_t *)(mem + i * PAGE);
        uint64_t v = (i * 0x9e3779b97f4a7c15ull) ^ seed;

        memcpy(p, "SVMFILL!", 8);
        p[1] = i;
        p[2] = seed;
        for (unsigned j = 3; j < PAGE / 8; j++) {
            p[j] = v;
        }
    }
    if (mlock(mem, pages * PAGE) < 0) {
        perror("svm-fill: mlock");
    }

    fd = open("/proc/self/pagemap", O_RDONLY);
    if (fd < 0) {
        perror("svm-fill: pagemap");
        return 1;
    }
    for (uint64_t i = 0; i < pages; i++) {
        uint64_t ent, pfn;
        off_t off = ((uintptr_t)mem / PAGE + i) * 8;

        if (pread(fd, &ent, 8, off) != 8) {
            perror("svm-fill: pagemap read");
            return 1;
        }
        if (!(ent >> 63)) {
            continue;
        }
        pfn = ent & ((1ull << 55) - 1);
        if (nsamples < SAMPLES && i >= nsamples * (pages / SAMPLES)) {
            sample_idx[nsamples] = i;
            sample_pfn[nsamples++] = pfn;
        }
        if (pfn * PAGE >= base && pfn * PAGE < base + size) {
            in_plug++;
        }
    }
    close(fd);
    printf("filled %" PRIu64 " in_plug %" PRIu64 " sample ", pages, in_plug);
    for (unsigned k = 0; k < nsamples; k++) {
        printf("%s%" PRIu64 ":0x%" PRIx64, k ? "," : "", sample_idx[k],
               sample_pfn[k]);
    }
    printf("\n");
    fflush(stdout);
    for (;;) {
        pause();
    }
}
