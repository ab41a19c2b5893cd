/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-elf.c: the ELF core encoder (format "elf"), one implementation for
 * ELFCLASS64 and ELFCLASS32; the layout and the writer's states are
 * described below and pulled into docs/devel/dump.md.
 */

/**
 * DOC: ELF dump layout
 *
 * QEMU 7.2+'s layout, with the memory area starting on a page boundary:
 *
 *   offset 0         +------------------------------------------+
 *                    | Elf64_Ehdr / Elf32_Ehdr                  |
 *   shdr_offset      +------------------------------------------+
 *                    | Shdr[0]  null; sh_info = phdr_num when   |
 *                    |          phdr_num >= PN_XNUM (0xffff)    |
 *                    | Shdr[1]  .shstrtab, SHT_STRTAB           |
 *   phdr_offset      +------------------------------------------+
 *                    | Phdr[0]   PT_NOTE                        |
 *                    | Phdr[1..] PT_LOAD, one per mapping       |
 *   note_offset      +------------------------------------------+
 *                    | NT_PRSTATUS "CORE" note, per vCPU        |
 *                    | "QEMU" note (QEMUCPUState), per vCPU     |
 *                    | guest VMCOREINFO note (optional)         |
 *                    +------------------------------------------+
 *                    | zeros up to a page boundary (a hole)     |
 *   memory_offset    +------------------------------------------+
 *                    | block 0 (clipped to begin/length)        |
 *                    | block 1 ...                              |
 *                    | (never-touched and all-zero pages are    |
 *                    |  holes in the file: they read as zeros)  |
 *   section_offset   +------------------------------------------+
 *                    | "\0.shstrtab\0" (11 bytes)               |
 *   file_size        +------------------------------------------+
 *
 * e_phnum = min(phdr_num, PN_XNUM); e_shnum = 2; e_shstrndx = 1;
 * e_ehsize 64 / 52; phdr_num = 1 + mappings (at most UINT32_MAX).
 * A PT_LOAD's p_offset points at its mapping's first byte in the memory
 * area (blocks concatenated in order) and p_filesz runs to the mapping's
 * end or to the first hole in guest-physical memory after it, whichever
 * comes first: blocks that continue one another physically (RAM, the
 * isa-bios ROM, RAM) are contiguous in the file too, and paging mappings
 * are cut at holes beforehand, so every byte of a mapping that is in the
 * dump is in its PT_LOAD's file part.  A mapping whose start lies in no
 * block (paging dumps of unplugged memory) gets p_offset all ones and
 * p_filesz 0, as in QEMU.
 * p_vaddr is the virtual address, or p_paddr when that is 0; p_flags and
 * p_align are 0.
 */

/**
 * DOC: ELF writer states
 *
 *   PREPARED --elf_write_headers()--> HEADERS --elf_write_notes()-->
 *   NOTES --elf_write_memory()--> MEMORY --elf_write_trailer()-->
 *   TRAILER --> DONE
 *   any state --write error or cancellation (elf_fail())--> FAILED
 *
 * PREPARED: elf_prepare() computed every offset; nothing is written.
 * On entering HEADERS, NOTES, MEMORY, TRAILER and DONE, the sink's end is
 * exactly where that part starts: 0, note_offset, memory_offset,
 * section_offset and file_size (elf_assert_state() checks it), so the
 * file is produced strictly in order and can go down a pipe.  FAILED is
 * final: the caller drops the output (the temporary file disappears).
 */
#include "qemu/osdep.h"
#include <elf.h>
#include "qemu/error.h"
#include "dump/dump-internal.h"

typedef enum ElfWriterState {
    ELF_W_PREPARED,
    ELF_W_HEADERS,
    ELF_W_NOTES,
    ELF_W_MEMORY,
    ELF_W_TRAILER,
    ELF_W_DONE,
    ELF_W_FAILED,
} ElfWriterState;

/* The string table: the null name, then the table's own name at 1. */
static const char elf_shstrtab[] = "\0.shstrtab";
#define ELF_SHSTRTAB_SIZE sizeof(elf_shstrtab)     /* 11, both NULs */
#define ELF_SHSTRTAB_NAME 1
#define ELF_SHDR_NUM 2

/* PT_LOAD headers are generated and written in batches of this many. */
#define ELF_PHDR_BATCH 1024

/*
 * struct ElfWriter: the layout (computed in prepare) and the state.
 * All offsets are output offsets; sizes are bytes.
 */
typedef struct ElfWriter {
    ElfWriterState state;
    bool is64;
    unsigned ehsize, phentsize, shentsize;
    uint32_t phdr_num;              /* PT_NOTE + PT_LOADs written */
    uint64_t shdr_offset;
    uint64_t phdr_offset;
    uint64_t note_offset;
    uint64_t note_size;
    uint64_t memory_offset;
    uint64_t section_offset;
} ElfWriter;

static ElfWriter *elf_writer(DumpJob *job)
{
    return job->encoder_state;
}

static uint64_t elf_state_offset(const DumpJob *job, const ElfWriter *w,
                                 ElfWriterState state)
{
    switch (state) {
    case ELF_W_HEADERS:
        return 0;
    case ELF_W_NOTES:
        return w->note_offset;
    case ELF_W_MEMORY:
        return w->memory_offset;
    case ELF_W_TRAILER:
        return w->section_offset;
    case ELF_W_DONE:
        return job->file_size;
    default:
        g_assert_not_reached();
    }
}

/* Enter @state, checking the writer's invariant for it. */
static void elf_assert_state(DumpJob *job, ElfWriter *w,
                             ElfWriterState state)
{
    assert(w->state != ELF_W_FAILED && w->state != ELF_W_DONE);
    assert(state == w->state + 1);
    assert(dump_sink_end(job->sink) == elf_state_offset(job, w, state));
    w->state = state;
}

/* Enter FAILED; a write interrupted by cancellation reports the cancel. */
static bool elf_fail(DumpJob *job, ElfWriter *w, Error **errp, int err,
                     const char *what)
{
    w->state = ELF_W_FAILED;
    if (dump_job_cancelled(job)) {
        dump_job_cancel_error(job, errp);
    } else {
        error_setg_errno(errp, -err, "dump: failed to %s", what);
    }
    return false;
}

/* ------------------------------------------------------ class helpers */

/* Serialize one header of either class into @buf (little-endian). */
static size_t elf_put_ehdr(const ElfWriter *w, const DumpJob *job,
                           uint8_t *buf)
{
    uint16_t phnum = MIN(w->phdr_num, PN_XNUM);

#define EHDR_FILL(h, off_t_conv) do {                                   \
        memset(&(h), 0, sizeof(h));                                     \
        memcpy((h).e_ident, ELFMAG, SELFMAG);                           \
        (h).e_ident[EI_CLASS] = job->arch.d_class;                      \
        (h).e_ident[EI_DATA] = job->arch.d_endian;                      \
        (h).e_ident[EI_VERSION] = EV_CURRENT;                           \
        (h).e_type = GUINT16_TO_LE(ET_CORE);                            \
        (h).e_machine = GUINT16_TO_LE(job->arch.d_machine);             \
        (h).e_version = GUINT32_TO_LE(EV_CURRENT);                      \
        (h).e_ehsize = GUINT16_TO_LE(w->ehsize);                        \
        (h).e_phoff = off_t_conv(w->phdr_offset);                       \
        (h).e_phentsize = GUINT16_TO_LE(w->phentsize);                  \
        (h).e_phnum = GUINT16_TO_LE(phnum);                             \
        (h).e_shoff = off_t_conv(w->shdr_offset);                       \
        (h).e_shentsize = GUINT16_TO_LE(w->shentsize);                  \
        (h).e_shnum = GUINT16_TO_LE(ELF_SHDR_NUM);                      \
        (h).e_shstrndx = GUINT16_TO_LE(ELF_SHDR_NUM - 1);               \
    } while (0)

    if (w->is64) {
        Elf64_Ehdr h;

        EHDR_FILL(h, GUINT64_TO_LE);
        memcpy(buf, &h, sizeof(h));
        return sizeof(h);
    } else {
        Elf32_Ehdr h;

        EHDR_FILL(h, GUINT32_TO_LE);
        memcpy(buf, &h, sizeof(h));
        return sizeof(h);
    }
#undef EHDR_FILL
}

static size_t elf_put_shdr(const ElfWriter *w, uint8_t *buf, uint32_t name,
                           uint32_t type, uint64_t offset, uint64_t size,
                           uint32_t info)
{
    if (w->is64) {
        Elf64_Shdr h = {
            .sh_name = GUINT32_TO_LE(name),
            .sh_type = GUINT32_TO_LE(type),
            .sh_offset = GUINT64_TO_LE(offset),
            .sh_size = GUINT64_TO_LE(size),
            .sh_info = GUINT32_TO_LE(info),
        };

        memcpy(buf, &h, sizeof(h));
        return sizeof(h);
    } else {
        Elf32_Shdr h = {
            .sh_name = GUINT32_TO_LE(name),
            .sh_type = GUINT32_TO_LE(type),
            .sh_offset = GUINT32_TO_LE(offset),
            .sh_size = GUINT32_TO_LE(size),
            .sh_info = GUINT32_TO_LE(info),
        };

        memcpy(buf, &h, sizeof(h));
        return sizeof(h);
    }
}

static size_t elf_put_phdr(const ElfWriter *w, uint8_t *buf, uint32_t type,
                           uint64_t offset, uint64_t vaddr, uint64_t paddr,
                           uint64_t filesz, uint64_t memsz)
{
    if (w->is64) {
        Elf64_Phdr h = {
            .p_type = GUINT32_TO_LE(type),
            .p_offset = GUINT64_TO_LE(offset),
            .p_vaddr = GUINT64_TO_LE(vaddr),
            .p_paddr = GUINT64_TO_LE(paddr),
            .p_filesz = GUINT64_TO_LE(filesz),
            .p_memsz = GUINT64_TO_LE(memsz),
        };

        memcpy(buf, &h, sizeof(h));
        return sizeof(h);
    } else {
        Elf32_Phdr h = {
            .p_type = GUINT32_TO_LE(type),
            .p_offset = GUINT32_TO_LE(offset),
            .p_vaddr = GUINT32_TO_LE(vaddr),
            .p_paddr = GUINT32_TO_LE(paddr),
            .p_filesz = GUINT32_TO_LE(filesz),
            .p_memsz = GUINT32_TO_LE(memsz),
        };

        memcpy(buf, &h, sizeof(h));
        return sizeof(h);
    }
}

/* --------------------------------------------- mapping -> file offset */

/*
 * Walks the blocks (clipped to the filter) alongside the mappings, which
 * are sorted by physical address, so finding every PT_LOAD's offset is
 * one linear pass instead of QEMU's scan of all blocks per mapping.
 * @off is the file offset of @b's clipped start.
 */
typedef struct BlockCursor {
    const GuestPhysBlock *b;
    uint64_t off;
} BlockCursor;

/* @b clipped to the filter: [*s, *e); false if they do not meet */
static bool clip_block(const DumpJob *job, const GuestPhysBlock *b,
                       hwaddr *s, hwaddr *e)
{
    hwaddr last = b->target_end - 1;

    *s = b->target_start;
    if (job->filter_length) {
        hwaddr flast = job->filter_begin + (job->filter_length - 1);

        *s = MAX(*s, job->filter_begin);
        last = MIN(last, flast);
    }
    if (*s > last) {
        return false;
    }
    *e = last + 1;
    return true;
}

static void elf_offset_range(const DumpJob *job, BlockCursor *c,
                             hwaddr phys, uint64_t length,
                             uint64_t *p_offset, uint64_t *p_filesz)
{
    hwaddr s = 0, e = 0;

    for (; c->b; c->b = QTAILQ_NEXT(c->b, next)) {
        if (!clip_block(job, c->b, &s, &e)) {
            continue;
        }
        if (phys < e) {
            break;
        }
        c->off += e - s;
    }
    if (c->b && phys >= s) {
        const GuestPhysBlock *b = c->b;
        hwaddr ns, ne;

        /*
         * Blocks that continue this one physically follow it in the file
         * too (RAM, the isa-bios ROM, RAM): the file part runs on across
         * them.  Paging mappings are cut at holes beforehand
         * (memory_mapping_list_split()), so it ends only with the mapping.
         */
        while (e - phys < length && (b = QTAILQ_NEXT(b, next)) &&
               clip_block(job, b, &ns, &ne) && ns == e) {
            e = ne;
        }
        *p_offset = c->off + (phys - s);
        *p_filesz = MIN(length, e - phys);
    } else {
        *p_offset = UINT64_MAX;     /* not in the file */
        *p_filesz = 0;
    }
}

/* ------------------------------------------------------------ prepare */

static void elf_set_class(ElfWriter *w, bool is64)
{
    w->is64 = is64;
    w->ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
    w->phentsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
    w->shentsize = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
}

static void elf_layout(DumpJob *job, ElfWriter *w)
{
    uint64_t nloads = MIN((uint64_t)job->mappings.num, UINT32_MAX - 1);

    w->phdr_num = 1 + nloads;
    w->shdr_offset = w->ehsize;
    w->phdr_offset = w->shdr_offset + (uint64_t)ELF_SHDR_NUM * w->shentsize;
    w->note_offset = w->phdr_offset + (uint64_t)w->phdr_num * w->phentsize;
    w->note_size = job->notes->len;
    w->memory_offset = ROUND_UP(w->note_offset + w->note_size,
                                job->arch.page_size);
    w->section_offset = w->memory_offset + job->total_size;
    job->file_size = w->section_offset + ELF_SHSTRTAB_SIZE;
}

/* Does every value of an ELF32 dump fit in 32 bits? */
static bool elf32_fits(const DumpJob *job, const ElfWriter *w)
{
    const MemoryMapping *m;

    if (job->file_size > UINT32_MAX) {
        return false;
    }
    QTAILQ_FOREACH(m, &job->mappings.head, next) {
        if (m->phys_addr + m->length - 1 > UINT32_MAX ||
            m->virt_addr + m->length - 1 > UINT32_MAX) {
            return false;
        }
    }
    return true;
}

static bool elf_prepare(DumpJob *job, Error **errp)
{
    ElfWriter *w = g_new0(ElfWriter, 1);

    job->encoder_state = w;
    if (job->filter_length) {
        memory_mapping_filter(&job->mappings, job->filter_begin,
                              job->filter_length);
    }
    elf_set_class(w, job->arch.d_class == ELFCLASS64);
    elf_layout(job, w);
    if (!w->is64 && !elf32_fits(job, w)) {
        /*
         * QEMU would truncate addresses or offsets; describe the same
         * dump with 64-bit fields instead (notes are class-neutral).
         */
        job->arch.d_class = ELFCLASS64;
        elf_set_class(w, true);
        elf_layout(job, w);
    }
    w->state = ELF_W_PREPARED;
    return true;
}

static void elf_cleanup(DumpJob *job)
{
    g_free(job->encoder_state);
}

/* -------------------------------------------------------------- write */

static bool elf_write_headers(DumpJob *job, ElfWriter *w, Error **errp)
{
    uint8_t buf[ELF_PHDR_BATCH * sizeof(Elf64_Phdr)];
    const MemoryMapping *m = QTAILQ_FIRST(&job->mappings.head);
    BlockCursor cur = { QTAILQ_FIRST(&job->blocks.head), w->memory_offset };
    uint64_t pos = 0;
    uint32_t left = w->phdr_num - 1;
    size_t n;
    int ret;

    elf_assert_state(job, w, ELF_W_HEADERS);

    n = elf_put_ehdr(w, job, buf);
    n += elf_put_shdr(w, buf + n, 0, SHT_NULL, 0, 0,
                      w->phdr_num >= PN_XNUM ? w->phdr_num : 0);
    n += elf_put_shdr(w, buf + n, ELF_SHSTRTAB_NAME, SHT_STRTAB,
                      w->section_offset, ELF_SHSTRTAB_SIZE, 0);
    ret = dump_sink_pwrite(job->sink, buf, n, pos);
    if (ret) {
        return elf_fail(job, w, errp, ret, "write elf header");
    }
    pos += n;

    n = elf_put_phdr(w, buf, PT_NOTE, w->note_offset, 0, 0, w->note_size,
                     w->note_size);
    while (n || left) {
        for (; left && n + w->phentsize <= sizeof(buf); left--) {
            uint64_t off, filesz;

            elf_offset_range(job, &cur, m->phys_addr, m->length, &off,
                             &filesz);
            n += elf_put_phdr(w, buf + n, PT_LOAD, off,
                              m->virt_addr ? m->virt_addr : m->phys_addr,
                              m->phys_addr, filesz, m->length);
            m = QTAILQ_NEXT(m, next);
        }
        ret = dump_sink_pwrite(job->sink, buf, n, pos);
        if (ret) {
            return elf_fail(job, w, errp, ret, "write program header table");
        }
        pos += n;
        n = 0;
    }
    return true;
}

static bool elf_write_notes(DumpJob *job, ElfWriter *w, Error **errp)
{
    uint64_t end = w->note_offset + w->note_size;
    int ret;

    elf_assert_state(job, w, ELF_W_NOTES);
    ret = dump_sink_pwrite(job->sink, job->notes->data, job->notes->len,
                           w->note_offset);
    if (!ret) {
        ret = dump_sink_zero(job->sink, end, w->memory_offset - end);
    }
    return ret ? elf_fail(job, w, errp, ret, "write elf notes") : true;
}

static bool elf_write_memory(DumpJob *job, ElfWriter *w, Error **errp)
{
    DumpSource src;
    DumpExtent ext;
    hwaddr fault_gpa;

    elf_assert_state(job, w, ELF_W_MEMORY);
    dump_source_init(&src, &job->blocks, job->filter_begin,
                     job->filter_length, DUMP_MAX_EXTENT);
    dump_source_set_tracker(&src, job->tracker);
    while (dump_source_next(&src, &ext)) {
        uint64_t off = w->memory_offset + ext.offset;

        /*
         * HOLE and ZERO extents can be gigabytes; on a pipe they are
         * written, so they go in DUMP_MAX_EXTENT pieces too, for progress
         * and cancellation.
         */
        for (uint64_t done = 0; done < ext.len; ) {
            uint64_t n = MIN(ext.len - done, DUMP_MAX_EXTENT);
            int ret;

            if (dump_job_cancelled(job)) {
                dump_source_destroy(&src);
                return elf_fail(job, w, errp, 0, NULL);
            }
            if (ext.kind == DUMP_EXTENT_DATA) {
                n = ext.len;
                ret = dump_sink_copy_fd(job->sink, ext.fd, ext.fd_offset,
                                        ext.host, n, off);
            } else {
                ret = dump_sink_zero(job->sink, off + done, n);
            }
            if (ret == -EFAULT && !dump_job_cancelled(job)) {
                /* the kernel could not read ext.host (or the fd ended) */
                dump_source_destroy(&src);
                w->state = ELF_W_FAILED;
                dump_error_fault(errp, ext.gpa);
                return false;
            }
            if (ret) {
                dump_source_destroy(&src);
                return elf_fail(job, w, errp, ret, "save memory");
            }
            dump_job_progress(job, n);
            done += n;
        }
    }
    dump_source_destroy(&src);
    if (dump_source_error(&src, &fault_gpa)) {
        w->state = ELF_W_FAILED;
        dump_error_fault(errp, fault_gpa);
        return false;
    }
    return true;
}

static bool elf_write_trailer(DumpJob *job, ElfWriter *w, Error **errp)
{
    int ret;

    elf_assert_state(job, w, ELF_W_TRAILER);
    ret = dump_sink_pwrite(job->sink, elf_shstrtab, ELF_SHSTRTAB_SIZE,
                           w->section_offset);
    if (ret) {
        return elf_fail(job, w, errp, ret, "write string table data");
    }
    elf_assert_state(job, w, ELF_W_DONE);
    return true;
}

static bool elf_write(DumpJob *job, Error **errp)
{
    ElfWriter *w = elf_writer(job);

    return elf_write_headers(job, w, errp) &&
           elf_write_notes(job, w, errp) &&
           elf_write_memory(job, w, errp) &&
           elf_write_trailer(job, w, errp);
}

const DumpEncoder dump_elf_encoder = {
    .format = "elf",
    .supports_filter = true,
    .needs_mappings = true,
    .prepare = elf_prepare,
    .write = elf_write,
    .cleanup = elf_cleanup,
};
