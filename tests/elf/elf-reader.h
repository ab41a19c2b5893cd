/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * elf-reader.h: a minimal, independent reader of ELF core files for
 * round-trip tests of the dump writer (unit tests and qtests).
 *
 * It checks what a consumer relies on -- magic, class, byte order,
 * ET_CORE, header sizes, every table and segment inside the file, the
 * PN_XNUM escape through section 0, the section name string table, note
 * framing -- and reports the first violation as text.  It shares no code
 * or headers with dump/ on purpose: a bug copied into both would pass.
 * Little-endian files on a little-endian host only.
 */
#ifndef TESTS_ELF_READER_H
#define TESTS_ELF_READER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct ElfSegment {
    uint32_t type;
    uint64_t offset;
    uint64_t vaddr;
    uint64_t paddr;
    uint64_t filesz;
    uint64_t memsz;
} ElfSegment;

typedef struct ElfNote {
    char *name;
    uint32_t type;
    const uint8_t *desc;        /* points into the file image */
    uint32_t descsz;
} ElfNote;

typedef struct ElfSection {
    char *name;
    uint32_t type;
    uint32_t info;
    uint64_t offset;
    uint64_t size;
} ElfSection;

/**
 * struct ElfCore: a parsed core file.
 * @data, @size: the file image (mapped or borrowed).
 * @is64: ELFCLASS64.
 * @machine: e_machine.
 * @e_phnum: the header's raw e_phnum (PN_XNUM when escaped).
 * @phnum: the real number of program headers.
 * @segments, @sections, @notes: arrays of the structs above.
 */
typedef struct ElfCore {
    const uint8_t *data;
    size_t size;
    bool mapped;
    bool is64;
    uint16_t machine;
    uint16_t ehsize;
    uint16_t e_phnum;
    uint64_t phoff;
    uint64_t shoff;
    uint32_t phnum;
    GArray *segments;
    GArray *sections;
    GArray *notes;
} ElfCore;

/**
 * elf_core_parse: parse @size bytes at @data (borrowed; must outlive
 * @core).  Returns: NULL on success, else a message (g_free it).
 */
char *elf_core_parse(ElfCore *core, const uint8_t *data, size_t size);
/** elf_core_open: map @path read-only and parse it. */
char *elf_core_open(ElfCore *core, const char *path);
void elf_core_free(ElfCore *core);

/**
 * elf_core_read_phys: read guest-physical [@paddr, +@len) from the first
 * PT_LOAD covering each byte (bytes past p_filesz read as 0).
 * Returns: false if some byte lies in no PT_LOAD.
 */
bool elf_core_read_phys(const ElfCore *core, uint64_t paddr, void *buf,
                        size_t len);

/**
 * elf_core_read_virt: elf_core_read_phys() by p_vaddr: what a debugger
 * reads at guest-virtual [@vaddr, +@len) of a paging dump.
 */
bool elf_core_read_virt(const ElfCore *core, uint64_t vaddr, void *buf,
                        size_t len);

/** elf_core_segment: the @i-th program header. */
static inline const ElfSegment *elf_core_segment(const ElfCore *core,
                                                 unsigned i)
{
    return &g_array_index(core->segments, ElfSegment, i);
}

#endif /* TESTS_ELF_READER_H */
