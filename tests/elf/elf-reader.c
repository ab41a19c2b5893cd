/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * elf-reader.c: the minimal ELF core reader of elf-reader.h, written
 * from the ELF specification (System V gABI, "Object Files"), not from
 * the writer.
 */
#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "elf-reader.h"

/* Read little-endian integers of the file image at @off. */
static uint64_t rd(const uint8_t *p, size_t n)
{
    uint64_t v = 0;

    for (size_t i = 0; i < n; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

static bool in_file(const ElfCore *c, uint64_t off, uint64_t len)
{
    return off <= c->size && len <= c->size - off;
}

static void clear_note(gpointer p)
{
    g_free(((ElfNote *)p)->name);
}

static void clear_section(gpointer p)
{
    g_free(((ElfSection *)p)->name);
}

/* Field offsets within the headers: (64-bit, 32-bit). */
#define F(c, o64, o32) ((c)->is64 ? (o64) : (o32))
#define W(c) ((c)->is64 ? 8 : 4)       /* address / offset width */

static char *parse_sections(ElfCore *c, uint16_t shnum, uint16_t shentsize,
                            uint16_t shstrndx)
{
    const ElfSection *strtab;

    if (!shnum) {
        return NULL;
    }
    if (shentsize != (c->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr))) {
        return g_strdup_printf("e_shentsize %u", shentsize);
    }
    if (!in_file(c, c->shoff, (uint64_t)shnum * shentsize)) {
        return g_strdup("section headers beyond the file");
    }
    for (unsigned i = 0; i < shnum; i++) {
        const uint8_t *h = c->data + c->shoff + (uint64_t)i * shentsize;
        ElfSection s = {
            .type = rd(h + 4, 4),
            .offset = rd(h + F(c, 24, 16), W(c)),
            .size = rd(h + F(c, 32, 20), W(c)),
            .info = rd(h + F(c, 44, 28), 4),
        };

        s.name = g_strdup_printf("#%u", (unsigned)rd(h, 4));
        if (s.type != SHT_NULL && s.type != SHT_NOBITS &&
            !in_file(c, s.offset, s.size)) {
            g_free(s.name);
            return g_strdup_printf("section %u beyond the file", i);
        }
        g_array_append_val(c->sections, s);
    }
    if (shstrndx >= shnum) {
        return g_strdup_printf("e_shstrndx %u of %u", shstrndx, shnum);
    }
    strtab = &g_array_index(c->sections, ElfSection, shstrndx);
    if (strtab->type != SHT_STRTAB || !strtab->size ||
        c->data[strtab->offset + strtab->size - 1] != 0) {
        return g_strdup("bad section name string table");
    }
    for (unsigned i = 0; i < shnum; i++) {
        ElfSection *s = &g_array_index(c->sections, ElfSection, i);
        const uint8_t *h = c->data + c->shoff + (uint64_t)i * shentsize;
        uint32_t name = rd(h, 4);

        if (name >= strtab->size) {
            return g_strdup_printf("section %u name out of range", i);
        }
        g_free(s->name);
        s->name = g_strdup((const char *)c->data + strtab->offset + name);
    }
    return NULL;
}

static char *parse_notes(ElfCore *c, const ElfSegment *seg)
{
    uint64_t pos = seg->offset, end = seg->offset + seg->filesz;

    while (pos < end) {
        uint32_t namesz, descsz;
        ElfNote n;

        if (end - pos < 12) {
            return g_strdup("truncated note header");
        }
        namesz = rd(c->data + pos, 4);
        descsz = rd(c->data + pos + 4, 4);
        n.type = rd(c->data + pos + 8, 4);
        pos += 12;
        if ((uint64_t)((namesz + 3) & ~3u) + ((descsz + 3) & ~3u) >
            end - pos) {
            return g_strdup("note runs past PT_NOTE");
        }
        if (namesz && c->data[pos + namesz - 1] != 0) {
            return g_strdup("note name not NUL-terminated");
        }
        n.name = g_strndup((const char *)c->data + pos, namesz);
        pos += (namesz + 3) & ~3u;
        n.desc = c->data + pos;
        n.descsz = descsz;
        pos += (descsz + 3) & ~3u;
        g_array_append_val(c->notes, n);
    }
    return NULL;
}

char *elf_core_parse(ElfCore *c, const uint8_t *data, size_t size)
{
    uint16_t phentsize, shentsize, shnum, shstrndx;
    char *err;

    memset(c, 0, sizeof(*c));
    c->data = data;
    c->size = size;
    c->segments = g_array_new(false, true, sizeof(ElfSegment));
    c->sections = g_array_new(false, true, sizeof(ElfSection));
    g_array_set_clear_func(c->sections, clear_section);
    c->notes = g_array_new(false, true, sizeof(ElfNote));
    g_array_set_clear_func(c->notes, clear_note);

    if (size < EI_NIDENT || memcmp(data, ELFMAG, SELFMAG)) {
        return g_strdup("not an ELF file");
    }
    if (data[EI_CLASS] != ELFCLASS64 && data[EI_CLASS] != ELFCLASS32) {
        return g_strdup("bad class");
    }
    c->is64 = data[EI_CLASS] == ELFCLASS64;
    if (data[EI_DATA] != ELFDATA2LSB || data[EI_VERSION] != EV_CURRENT) {
        return g_strdup("not little-endian version 1");
    }
    if (size < (c->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr))) {
        return g_strdup("truncated ELF header");
    }
    if (rd(data + 16, 2) != ET_CORE) {
        return g_strdup("not ET_CORE");
    }
    c->machine = rd(data + 18, 2);
    if (rd(data + 20, 4) != EV_CURRENT) {
        return g_strdup("e_version");
    }
    c->phoff = rd(data + F(c, 32, 28), W(c));
    c->shoff = rd(data + F(c, 40, 32), W(c));
    c->ehsize = rd(data + F(c, 52, 40), 2);
    phentsize = rd(data + F(c, 54, 42), 2);
    c->e_phnum = rd(data + F(c, 56, 44), 2);
    shentsize = rd(data + F(c, 58, 46), 2);
    shnum = rd(data + F(c, 60, 48), 2);
    shstrndx = rd(data + F(c, 62, 50), 2);
    if (c->ehsize != (c->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr))) {
        return g_strdup_printf("e_ehsize %u", c->ehsize);
    }
    if (phentsize != (c->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr))) {
        return g_strdup_printf("e_phentsize %u", phentsize);
    }
    err = parse_sections(c, shnum, shentsize, shstrndx);
    if (err) {
        return err;
    }
    c->phnum = c->e_phnum;
    if (c->e_phnum == PN_XNUM) {
        if (!shnum) {
            return g_strdup("PN_XNUM without section 0");
        }
        c->phnum = g_array_index(c->sections, ElfSection, 0).info;
    }
    if (!in_file(c, c->phoff, (uint64_t)c->phnum * phentsize)) {
        return g_strdup("program headers beyond the file");
    }
    for (uint32_t i = 0; i < c->phnum; i++) {
        const uint8_t *h = c->data + c->phoff + (uint64_t)i * phentsize;
        ElfSegment s = {
            .type = rd(h, 4),
            .offset = rd(h + F(c, 8, 4), W(c)),
            .vaddr = rd(h + F(c, 16, 8), W(c)),
            .paddr = rd(h + F(c, 24, 12), W(c)),
            .filesz = rd(h + F(c, 32, 16), W(c)),
            .memsz = rd(h + F(c, 40, 20), W(c)),
        };

        if (s.filesz && !in_file(c, s.offset, s.filesz)) {
            return g_strdup_printf("segment %u beyond the file", i);
        }
        if (s.type == PT_LOAD && s.filesz > s.memsz) {
            return g_strdup_printf("segment %u: filesz > memsz", i);
        }
        g_array_append_val(c->segments, s);
        if (s.type == PT_NOTE) {
            err = parse_notes(c, &g_array_index(c->segments, ElfSegment,
                                                i));
            if (err) {
                return err;
            }
        }
    }
    return NULL;
}

char *elf_core_open(ElfCore *core, const char *path)
{
    struct stat st;
    void *p;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    char *err;

    if (fd < 0 || fstat(fd, &st) < 0) {
        if (fd >= 0) {
            close(fd);
        }
        return g_strdup_printf("cannot open %s", path);
    }
    p = st.st_size ? mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)
                   : NULL;
    close(fd);
    if (p == MAP_FAILED) {
        return g_strdup_printf("cannot map %s", path);
    }
    err = elf_core_parse(core, p, st.st_size);
    core->mapped = true;
    return err;
}

void elf_core_free(ElfCore *c)
{
    if (c->mapped && c->size) {
        munmap((void *)c->data, c->size);
    }
    if (c->segments) {
        g_array_free(c->segments, true);
        g_array_free(c->sections, true);
        g_array_free(c->notes, true);
    }
    memset(c, 0, sizeof(*c));
}

/* Read [@addr, +@len) of the physical or the virtual address space. */
static bool elf_core_read(const ElfCore *c, bool virt, uint64_t addr,
                          void *buf, size_t len)
{
    uint8_t *out = buf;

    while (len) {
        const ElfSegment *hit = NULL;
        uint64_t delta, n;

        for (unsigned i = 0; i < c->segments->len; i++) {
            const ElfSegment *s = elf_core_segment(c, i);
            uint64_t start = virt ? s->vaddr : s->paddr;

            if (s->type == PT_LOAD && addr >= start &&
                addr - start < s->memsz) {
                hit = s;
                break;
            }
        }
        if (!hit) {
            return false;
        }
        delta = addr - (virt ? hit->vaddr : hit->paddr);
        n = MIN(len, hit->memsz - delta);
        if (delta < hit->filesz) {
            uint64_t f = MIN(n, hit->filesz - delta);

            memcpy(out, c->data + hit->offset + delta, f);
            memset(out + f, 0, n - f);
        } else {
            memset(out, 0, n);
        }
        out += n;
        addr += n;
        len -= n;
    }
    return true;
}

bool elf_core_read_phys(const ElfCore *c, uint64_t paddr, void *buf,
                        size_t len)
{
    return elf_core_read(c, false, paddr, buf, len);
}

bool elf_core_read_virt(const ElfCore *c, uint64_t vaddr, void *buf,
                        size_t len)
{
    return elf_core_read(c, true, vaddr, buf, len);
}
