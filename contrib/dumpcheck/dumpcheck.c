/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dumpcheck: look into a guest memory dump with the in-tree readers
 * (tests/elf/elf-reader.c, tests/dumpfmt/kdump-reader.c), which share no
 * code with the writer.  Used by the demo to verify every dump.
 *
 *   dumpcheck FILE
 *       print a JSON summary: format, ELF class or kdump header fields,
 *       and the guest-physical ranges the dump holds (for kdump, the 1st
 *       bitmap: pages excluded as all zero read as zeros)
 *   dumpcheck FILE --sha256 START LENGTH [START LENGTH]...
 *       print, one per line, the SHA-256 of each guest-physical range
 *       [START, START+LENGTH) as read from the dump; fails if any byte of
 *       one is not in the dump.  Many ranges in one call open (and, for a
 *       flattened file, index) the dump once.
 *
 * Exit status: 0 on success, 1 if the file is not a valid dump or a range
 * is missing, 2 on usage errors.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elf-reader.h"
#include "kdump-reader.h"

#define PAGE 4096

typedef struct Dump {
    bool is_elf;
    ElfCore elf;
    KdumpReader *kdump;
} Dump;

static bool dump_open(Dump *d, const char *path, char **err)
{
    char magic[4] = { 0 };
    FILE *f = fopen(path, "rb");
    GError *gerr = NULL;

    memset(d, 0, sizeof(*d));
    if (!f) {
        *err = g_strdup_printf("cannot open %s", path);
        return false;
    }
    if (fread(magic, 1, 4, f) != 4) {
        magic[0] = 0;
    }
    fclose(f);
    if (!memcmp(magic, "\177ELF", 4)) {
        d->is_elf = true;
        *err = elf_core_open(&d->elf, path);
        return *err == NULL;
    }
    d->kdump = kdump_reader_open(path, &gerr);
    if (!d->kdump) {
        *err = g_strdup(gerr->message);
        g_error_free(gerr);
        return false;
    }
    return true;
}

static void dump_close(Dump *d)
{
    if (d->is_elf) {
        elf_core_free(&d->elf);
    } else {
        kdump_reader_close(d->kdump);
    }
}

/* Read one page of guest-physical memory from the dump. */
/*
 * A kdump page in the 1st bitmap but not in the 2nd was excluded as all
 * zero (dump level 1): it reads as zeros, as crash --zero_excluded reads
 * it.
 */
static bool dump_read_page(Dump *d, uint64_t pfn, uint8_t *buf)
{
    if (d->is_elf) {
        return elf_core_read_phys(&d->elf, pfn * PAGE, buf, PAGE);
    }
    if (kdump_reader_page_ram(d->kdump, pfn) &&
        !kdump_reader_page_dumpable(d->kdump, pfn)) {
        memset(buf, 0, PAGE);
        return true;
    }
    return kdump_reader_read_page(d->kdump, pfn, buf, NULL);
}

static void print_summary(Dump *d)
{
    bool first = true;

    printf("{\"format\": \"%s\", ", d->is_elf ? "elf" : "kdump");
    if (d->is_elf) {
        unsigned loads = 0;

        for (unsigned i = 0; i < d->elf.segments->len; i++) {
            loads += elf_core_segment(&d->elf, i)->type == 1;
        }
        printf("\"class\": %d, \"machine\": %u, \"phnum\": %u, "
               "\"pt_load\": %u, \"notes\": %u, \"ranges\": [",
               d->elf.is64 ? 64 : 32, d->elf.machine, d->elf.phnum, loads,
               d->elf.notes->len);
        for (unsigned i = 0; i < d->elf.segments->len; i++) {
            const ElfSegment *s = elf_core_segment(&d->elf, i);

            if (s->type != 1 || !s->filesz) {
                continue;
            }
            printf("%s[%" PRIu64 ", %" PRIu64 "]", first ? "" : ", ",
                   s->paddr, s->paddr + s->filesz);
            first = false;
        }
    } else {
        const KdumpInfo *in = kdump_reader_info(d->kdump);
        uint64_t run_start = 0;
        bool in_run = false;

        printf("\"flattened\": %s, \"header_version\": %u, "
               "\"machine\": \"%s\", \"status\": %u, \"block_size\": %u, "
               "\"max_mapnr\": %" PRIu64 ", \"ram_pages\": %" PRIu64
               ", \"dumpable_pages\": %" PRIu64
               ", \"shared_zero_pages\": %" PRIu64 ", \"note_size\": %"
               PRIu64 ", \"ranges\": [", in->flattened ? "true" : "false",
               in->header_version, in->machine, in->status, in->block_size,
               in->max_mapnr, in->ram_pages, in->dumpable_pages,
               in->zero_desc_pages, in->note_size);
        /* the memory the dump covers: the 1st bitmap */
        for (uint64_t pfn = 0; pfn <= in->max_mapnr; pfn++) {
            bool present = pfn < in->max_mapnr &&
                           kdump_reader_page_ram(d->kdump, pfn);

            if (present && !in_run) {
                run_start = pfn;
                in_run = true;
            } else if (!present && in_run) {
                printf("%s[%" PRIu64 ", %" PRIu64 "]", first ? "" : ", ",
                       run_start * in->block_size, pfn * in->block_size);
                first = false;
                in_run = false;
            }
        }
    }
    printf("]}\n");
}

static int hash_range(Dump *d, uint64_t start, uint64_t length)
{
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    uint8_t page[PAGE];
    uint64_t pos = start, end = start + length;

    while (pos < end) {
        uint64_t pfn = pos / PAGE, off = pos % PAGE;
        uint64_t n = MIN(PAGE - off, end - pos);

        if (!dump_read_page(d, pfn, page)) {
            fprintf(stderr, "dumpcheck: guest-physical 0x%" PRIx64
                    " is not in the dump\n", pos);
            g_checksum_free(sum);
            return 1;
        }
        g_checksum_update(sum, page + off, n);
        pos += n;
    }
    printf("%s\n", g_checksum_get_string(sum));
    g_checksum_free(sum);
    return 0;
}

int main(int argc, char **argv)
{
    Dump d;
    char *err = NULL;
    int ret = 0;

    if (argc != 2 && !(argc >= 5 && argc % 2 == 1 &&
                       !strcmp(argv[2], "--sha256"))) {
        fprintf(stderr, "usage: dumpcheck FILE "
                "[--sha256 START LENGTH [START LENGTH]...]\n");
        return 2;
    }
    if (!dump_open(&d, argv[1], &err)) {
        fprintf(stderr, "dumpcheck: %s: %s\n", argv[1], err);
        g_free(err);
        return 1;
    }
    if (argc == 2) {
        print_summary(&d);
    } else {
        for (int i = 3; i < argc && !ret; i += 2) {
            ret = hash_range(&d, g_ascii_strtoull(argv[i], NULL, 0),
                             g_ascii_strtoull(argv[i + 1], NULL, 0));
        }
    }
    dump_close(&d);
    return ret;
}
