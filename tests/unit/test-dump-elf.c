/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-dump-elf.c: the ELF encoder through DumpJob, into memory and file
 * sinks, read back with the in-tree reader (tests/elf): header fields,
 * class choice (ELF32, ELF64 for memory above 4 GiB or long mode), the
 * section table, PT_NOTE first with the per-vCPU CORE and QEMU notes,
 * one PT_LOAD per block with every byte equal to guest memory, ROM in and
 * ram_device / pmem / unplugged memory out, holes for untouched and zero
 * pages (and the memfd never allocated), begin/length, PN_XNUM past
 * 65,534 program headers, paging mappings into unplugged memory, pipe
 * output equal to file output, cancellation, and validation errors.
 */
#include "qemu/osdep.h"
#include <elf.h>
#include "exec/memory_mapping.h"
#include "qemu/error.h"
#include "qom/object.h"
#include "dump/dump-internal.h"
#include "dump-test-machine.h"
#include "tests/elf/elf-reader.h"
#include "qemu/units.h"


static DumpRequest tm_config(TestMachine *tm)
{
    return (DumpRequest) {
        .as = &tm->as,
        .cpus = tm->cpus,
        .ncpus = tm->ncpus,
    };
}

/* Dump @tm with @cfg into a new memory sink; the job is cleaned up. */
static DumpSink *dump_to_mem(TestMachine *tm, const DumpRequest *cfg,
                             bool sequential, uint64_t *total)
{
    DumpSink *sink = dump_mem_sink_new(sequential);
    DumpJob job;

    g_assert_true(dump_job_prepare(&job, &dump_elf_encoder, cfg, sink,
                                   &error_abort));
    g_assert_true(dump_job_write(&job, &error_abort));
    g_assert_cmpuint(dump_job_completed(&job), ==, job.total_size);
    g_assert_cmpuint(dump_sink_end(sink), ==, job.file_size);
    if (total) {
        *total = job.total_size;
    }
    dump_job_cleanup(&job);
    return sink;
}

static void parse(ElfCore *core, DumpSink *sink)
{
    size_t len;
    const uint8_t *data = dump_mem_sink_data(sink, &len);
    g_autofree char *err = elf_core_parse(core, data, len);

    g_assert_null(err);
}

/*
 * A paging dump of @tm with vCPU 0 in 4-level long mode, its page tables
 * at @cr3, parsed into @core.  Returns the sink (the caller frees it).
 */
static DumpSink *dump_paged_long_mode(TestMachine *tm, uint64_t cr3,
                                      ElfCore *core)
{
    DumpRequest cfg;
    DumpSink *sink;

    tm->cpus[0]->env.cr[0] |= CR0_PG_MASK | CR0_PE_MASK;
    tm->cpus[0]->env.cr[4] |= CR4_PAE_MASK;
    tm->cpus[0]->env.efer |= EFER_LMA | EFER_LME;
    tm->cpus[0]->env.cr[3] = cr3;
    cfg = tm_config(tm);
    cfg.paging = true;
    sink = dump_to_mem(tm, &cfg, false, NULL);
    parse(core, sink);
    return sink;
}

/*
 * Every PT_LOAD byte equals guest memory; returns the sum of filesz.
 * Guest memory is read with tm_read(), which never populates the vmem
 * memfd.
 */
static uint64_t check_loads(TestMachine *tm, const ElfCore *core)
{
    const size_t chunk = 1 * MiB;
    g_autofree uint8_t *buf = g_malloc(chunk);
    uint64_t sum = 0;

    for (unsigned i = 1; i < core->phnum; i++) {
        const ElfSegment *s = elf_core_segment(core, i);

        g_assert_cmpuint(s->type, ==, PT_LOAD);
        g_assert_cmpuint(s->filesz, ==, s->memsz);
        for (uint64_t done = 0; done < s->filesz; done += chunk) {
            size_t n = MIN(chunk, s->filesz - done);
            const uint8_t *a = core->data + s->offset + done;

            tm_read(tm, s->paddr + done, buf, n);
            if (memcmp(a, buf, n)) {
                size_t j = 0;

                while (a[j] == buf[j]) {
                    j++;
                }
                g_error("PT_LOAD %u (paddr 0x%" PRIx64 "): byte 0x%" PRIx64
                        " is 0x%02x, guest has 0x%02x", i, s->paddr,
                        done + j, a[j], buf[j]);
            }
        }
        sum += s->filesz;
    }
    return sum;
}

/* PT_NOTE: CORE x n (i386 or x86-64 layout), then QEMU x n. */
static void check_notes(TestMachine *tm, const ElfCore *core, bool x86_64)
{
    const ElfSegment *note = elf_core_segment(core, 0);

    g_assert_cmpuint(note->type, ==, PT_NOTE);
    g_assert_cmpuint(core->notes->len, ==, 2 * tm->ncpus);
    for (unsigned i = 0; i < tm->ncpus; i++) {
        const ElfNote *n = &g_array_index(core->notes, ElfNote, i);
        const ElfNote *q = &g_array_index(core->notes, ElfNote,
                                          tm->ncpus + i);
        uint32_t pid;
        uint64_t v;

        g_assert_cmpstr(n->name, ==, "CORE");
        g_assert_cmpuint(n->type, ==, NT_PRSTATUS);
        if (x86_64) {
            g_assert_cmpuint(n->descsz, ==, 336);
            memcpy(&pid, n->desc + 32, 4);
            memcpy(&v, n->desc + 112 + 10 * 8, 8);      /* rax */
            g_assert_cmphex(v, ==, tm_reg(i, R_EAX));
            memcpy(&v, n->desc + 112 + 16 * 8, 8);      /* rip */
            g_assert_cmphex(v, ==, tm_reg(i, 100));
            memcpy(&v, n->desc + 112 + 21 * 8, 8);      /* fs_base */
            g_assert_cmphex(v, ==, tm_reg(i, 200 + R_FS));
        } else {
            uint32_t v32;

            g_assert_cmpuint(n->descsz, ==, 144);
            memcpy(&pid, n->desc + 24, 4);
            memcpy(&v32, n->desc + 72 + 6 * 4, 4);      /* eax */
            g_assert_cmphex(v32, ==, (uint32_t)tm_reg(i, R_EAX));
            memcpy(&v32, n->desc + 72 + 48, 4);         /* eip */
            g_assert_cmphex(v32, ==, (uint32_t)tm_reg(i, 100));
        }
        g_assert_cmpuint(pid, ==, i + 1);

        g_assert_cmpstr(q->name, ==, "QEMU");
        g_assert_cmpuint(q->type, ==, 0);
        g_assert_cmpuint(q->descsz, ==, 440);
        memcpy(&pid, q->desc, 4);
        g_assert_cmpuint(pid, ==, 1);                   /* version */
        memcpy(&pid, q->desc + 4, 4);
        g_assert_cmpuint(pid, ==, 440);                 /* size */
        memcpy(&v, q->desc + 8, 8);                     /* rax */
        g_assert_cmphex(v, ==, tm_reg(i, R_EAX));
        memcpy(&v, q->desc + 8 + 17 * 8, 8);            /* rflags */
        g_assert_cmphex(v, ==, 0x246);
        memcpy(&v, q->desc + 432, 8);                   /* kernel_gs_base */
        g_assert_cmphex(v, ==, tm_reg(i, 300));
    }
}

static void check_sections(const ElfCore *core, size_t file_size)
{
    const ElfSection *s0, *s1;

    g_assert_cmpuint(core->sections->len, ==, 2);
    s0 = &g_array_index(core->sections, ElfSection, 0);
    s1 = &g_array_index(core->sections, ElfSection, 1);
    g_assert_cmpuint(s0->type, ==, SHT_NULL);
    g_assert_cmpuint(s0->info, ==, core->e_phnum == PN_XNUM ?
                     core->phnum : 0);
    g_assert_cmpstr(s1->name, ==, ".shstrtab");
    g_assert_cmpuint(s1->type, ==, SHT_STRTAB);
    g_assert_cmpuint(s1->offset + s1->size, ==, file_size);
    /* section headers right after the ELF header */
    g_assert_cmpuint(core->shoff, ==, core->ehsize);
}

/* ------------------------------------------------------------ tests */

/*
 * Base RAM, ROM, ppi (ram_device), pmem and a fragmented vmem: PT_LOADs
 * for exactly RAM, ROM and the plugged runs; never-touched and zero
 * pages are holes; the memfd is not allocated further by the dump.
 */
static void test_basic(void)
{
    TestMachine tm;
    DumpRequest cfg;
    DumpSink *sink;
    ElfCore core;
    uint64_t total, alloc;
    size_t len;

    tm_init(&tm, 16 * MiB, 64 * MiB, 2 * MiB, TM_PMEM, 2);
    fake_rdm_plug(&tm.rdm, 0, 3);       /* [0, 6) MiB */
    fake_rdm_plug(&tm.rdm, 5, 1);       /* [10, 12) */
    fake_rdm_plug(&tm.rdm, 31, 1);      /* [62, 64) */
    memset(tm_host(&tm, 0x1000), 0xab, 8192);
    memset(tm_host(&tm, 15 * MiB), 0xcd, 4096);
    memset(tm_host(&tm, TM_VMEM_BASE + 1 * MiB), 0x12, 4096);
    memset(tm_host(&tm, TM_VMEM_BASE + 10 * MiB + 4096), 0, 4096);
    memset(tm_host(&tm, TM_VMEM_BASE + 64 * MiB - 1), 0x34, 1);
    alloc = tm_fd_allocated(&tm);

    cfg = tm_config(&tm);
    sink = dump_to_mem(&tm, &cfg, false, &total);
    g_assert_cmpuint(tm_fd_allocated(&tm), ==, alloc);
    g_assert_cmpuint(total, ==, 16 * MiB + TM_BIOS_SIZE + 10 * MiB);

    parse(&core, sink);
    dump_mem_sink_data(sink, &len);
    g_assert_true(core.is64);               /* memory above 4 GiB */
    g_assert_cmpuint(core.machine, ==, EM_386);
    g_assert_cmpuint(core.phnum, ==, 1 + 5);
    check_sections(&core, len);
    check_notes(&tm, &core, false);
    {
        static const struct { uint64_t paddr, size; } want[] = {
            { 0, 16 * MiB },
            { TM_BIOS_BASE, TM_BIOS_SIZE },
            { TM_VMEM_BASE, 6 * MiB },
            { TM_VMEM_BASE + 10 * MiB, 2 * MiB },
            { TM_VMEM_BASE + 62 * MiB, 2 * MiB },
        };

        for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
            const ElfSegment *s = elf_core_segment(&core, i + 1);

            g_assert_cmphex(s->paddr, ==, want[i].paddr);
            g_assert_cmphex(s->vaddr, ==, want[i].paddr);
            g_assert_cmphex(s->memsz, ==, want[i].size);
            /* memory starts page aligned, so do all blocks here */
            g_assert_cmpuint(s->offset % 4096, ==, 0);
        }
    }
    g_assert_cmpuint(check_loads(&tm, &core), ==, total);
    /* only the written pages (and the ROM) were written out */
    g_assert_cmpuint(dump_mem_sink_hole_bytes(sink), >=,
                     total - TM_BIOS_SIZE - 5 * 4096);
    elf_core_free(&core);
    dump_sink_free(sink);
    tm_fini(&tm);
}

/* Long mode: EM_X86_64 and the x86-64 prstatus layout. */
static void test_long_mode(void)
{
    TestMachine tm;
    DumpRequest cfg;
    DumpSink *sink;
    ElfCore core;

    tm_init(&tm, 4 * MiB, 0, 0, TM_NO_BIOS, 3);
    tm.cpus[0]->env.efer |= EFER_LMA | EFER_LME;
    cfg = tm_config(&tm);
    sink = dump_to_mem(&tm, &cfg, false, NULL);
    parse(&core, sink);
    g_assert_true(core.is64);
    g_assert_cmpuint(core.machine, ==, EM_X86_64);
    check_notes(&tm, &core, true);
    check_loads(&tm, &core);
    elf_core_free(&core);
    dump_sink_free(sink);
    tm_fini(&tm);
}

/* All memory below 4 GiB, no long mode: ELFCLASS32 throughout. */
static void test_class32(void)
{
    TestMachine tm;
    DumpRequest cfg;
    DumpSink *sink;
    ElfCore core;
    size_t len;

    tm_init(&tm, 8 * MiB, 0, 0, TM_NO_BIOS, 1);
    memset(tm_host(&tm, 0), 0x42, 3 * MiB + 123);
    cfg = tm_config(&tm);
    sink = dump_to_mem(&tm, &cfg, false, NULL);
    parse(&core, sink);
    dump_mem_sink_data(sink, &len);
    g_assert_false(core.is64);
    g_assert_cmpuint(core.ehsize, ==, 52);
    g_assert_cmpuint(core.machine, ==, EM_386);
    check_sections(&core, len);
    check_notes(&tm, &core, false);
    g_assert_cmpuint(check_loads(&tm, &core), ==, 8 * MiB);
    elf_core_free(&core);
    dump_sink_free(sink);
    tm_fini(&tm);
}

/* begin/length: PT_LOADs clipped, offsets follow, total is the cut. */
static void test_filter(void)
{
    TestMachine tm;
    DumpRequest cfg;
    DumpSink *sink;
    ElfCore core;
    uint64_t total;

    tm_init(&tm, 16 * MiB, 16 * MiB, 2 * MiB, 0, 1);
    fake_rdm_plug(&tm.rdm, 0, 8);
    for (uint64_t a = 0; a < 16 * MiB; a += 4096) {
        memset(tm_host(&tm, a), a >> 12, 4096);
        memset(tm_host(&tm, TM_VMEM_BASE + a), ~(a >> 12), 4096);
    }
    cfg = tm_config(&tm);
    cfg.has_begin = cfg.has_length = true;
    cfg.begin = 12 * MiB + 100;
    cfg.length = TM_VMEM_BASE + 1 * MiB - cfg.begin;
    sink = dump_to_mem(&tm, &cfg, false, &total);
    parse(&core, sink);
    g_assert_cmpuint(total, ==, 4 * MiB - 100 + TM_BIOS_SIZE + 1 * MiB);
    g_assert_cmpuint(core.phnum, ==, 4);
    g_assert_cmphex(elf_core_segment(&core, 1)->paddr, ==, 12 * MiB + 100);
    g_assert_cmphex(elf_core_segment(&core, 1)->memsz, ==, 4 * MiB - 100);
    g_assert_cmphex(elf_core_segment(&core, 3)->paddr, ==, TM_VMEM_BASE);
    g_assert_cmphex(elf_core_segment(&core, 3)->memsz, ==, 1 * MiB);
    g_assert_cmpuint(check_loads(&tm, &core), ==, total);
    elf_core_free(&core);
    dump_sink_free(sink);

    /* a range with no memory at all */
    {
        DumpJob job;
        Error *err = NULL;

        cfg.begin = 0x80000000;
        cfg.length = 4096;
        sink = dump_mem_sink_new(false);
        g_assert_false(dump_job_prepare(&job, &dump_elf_encoder, &cfg,
                                        sink, &err));
        g_assert_cmpstr(error_get_pretty(err), ==,
                        "dump: no guest memory to dump");
        error_free(err);
        dump_sink_free(sink);
    }
    tm_fini(&tm);
}

/*
 * A job holds a discard freeze from the start of dump_job_prepare() to
 * dump_job_cleanup() (whether it was written or not), and a prepare that
 * fails gives it back.
 */
static void test_discard_freeze(void)
{
    TestMachine tm;
    DumpRequest cfg;
    DumpSink *sink;
    DumpJob job;
    Error *err = NULL;

    tm_init(&tm, 4 * MiB, 8 * MiB, 2 * MiB, 0, 1);
    fake_rdm_plug(&tm.rdm, 1, 1);
    cfg = tm_config(&tm);
    g_assert_false(ram_discard_frozen());

    /* Prepared, then dropped without writing (a cancelled start). */
    sink = dump_mem_sink_new(false);
    g_assert_true(dump_job_prepare(&job, &dump_elf_encoder, &cfg, sink,
                                   &error_abort));
    g_assert_true(ram_discard_frozen());
    dump_job_cleanup(&job);
    g_assert_false(ram_discard_frozen());
    dump_job_cleanup(&job);             /* idempotent: no second thaw */
    g_assert_false(ram_discard_frozen());
    dump_sink_free(sink);

    /* Written: frozen all along, until cleanup. */
    sink = dump_mem_sink_new(false);
    g_assert_true(dump_job_prepare(&job, &dump_elf_encoder, &cfg, sink,
                                   &error_abort));
    g_assert_true(dump_job_write(&job, &error_abort));
    g_assert_true(ram_discard_frozen());
    dump_job_cleanup(&job);
    g_assert_false(ram_discard_frozen());
    dump_sink_free(sink);

    /* Nested in a freeze someone else holds: that one stays. */
    ram_discard_freeze();
    sink = dump_mem_sink_new(false);
    g_assert_true(dump_job_prepare(&job, &dump_elf_encoder, &cfg, sink,
                                   &error_abort));
    dump_job_cleanup(&job);
    g_assert_true(ram_discard_frozen());
    ram_discard_thaw();
    dump_sink_free(sink);

    /* A failing prepare thaws before it returns. */
    cfg.has_begin = cfg.has_length = true;
    cfg.begin = INT64_MAX;      /* nothing to dump there */
    cfg.length = INT64_MAX;
    sink = dump_mem_sink_new(false);
    g_assert_false(dump_job_prepare(&job, &dump_elf_encoder, &cfg, sink,
                                    &err));
    error_free(err);
    g_assert_false(ram_discard_frozen());
    dump_sink_free(sink);
    tm_fini(&tm);
}

static void expect_prepare_error(TestMachine *tm, int64_t begin,
                                 int64_t length, const char *msg)
{
    DumpRequest cfg = tm_config(tm);
    DumpSink *sink = dump_mem_sink_new(false);
    Error *err = NULL;
    DumpJob job;
    size_t len;

    cfg.has_begin = cfg.has_length = true;
    cfg.begin = begin;
    cfg.length = length;
    g_assert_false(dump_job_prepare(&job, &dump_elf_encoder, &cfg, sink,
                                    &err));
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
    dump_mem_sink_data(sink, &len);
    g_assert_cmpuint(len, ==, 0);       /* nothing written */
    dump_sink_free(sink);
}

static void test_filter_errors(void)
{
    TestMachine tm;

    tm_init(&tm, 4 * MiB, 0, 0, 0, 1);
    /* the arguments' own checks are the command's (dump-lifecycle-test) */
    expect_prepare_error(&tm, INT64_MAX, INT64_MAX,
                         "dump: no guest memory to dump");
    tm_fini(&tm);
}

/* Dump into a (sparse) temporary file and map it. */
static void dump_to_file(TestMachine *tm, const DumpRequest *cfg,
                         ElfCore *core)
{
    g_autofree char *path = g_build_filename(g_get_tmp_dir(),
                                             "dump-elf-XXXXXX", NULL);
    int fd = g_mkstemp(path);
    DumpSink *sink;
    DumpJob job;
    g_autofree char *err = NULL;

    g_assert_cmpint(fd, >=, 0);
    sink = dump_fd_sink_new(fd);
    g_assert_true(dump_job_prepare(&job, &dump_elf_encoder, cfg, sink,
                                   &error_abort));
    g_assert_true(dump_job_write(&job, &error_abort));
    dump_job_cleanup(&job);
    dump_sink_free(sink);
    close(fd);
    err = elf_core_open(core, path);
    g_assert_null(err);
    unlink(path);
}

/*
 * @opaque program headers in all (note, base RAM, one per plugged run).
 * 65,535 or more: e_phnum = PN_XNUM and section 0's sh_info holds the
 * real count; 65,534 and fewer: e_phnum is the count, sh_info 0.  The
 * edges (65,534 and 65,535) catch an off-by-one in the switch.
 */
static void test_pn_xnum(gconstpointer opaque)
{
    const uint64_t phnum = GPOINTER_TO_UINT(opaque);
    TestMachine tm;
    DumpRequest cfg;
    ElfCore core;
    const uint64_t runs = phnum - 2, gran = 4 * KiB;

    tm_init(&tm, 1 * MiB, 2 * runs * gran, gran, TM_NO_BIOS, 1);
    for (uint64_t i = 0; i < runs; i++) {
        fake_rdm_plug(&tm.rdm, 2 * i, 1);
    }
    *tm_host(&tm, TM_VMEM_BASE + 2 * (runs - 1) * gran + 5) = 0x99;
    cfg = tm_config(&tm);
    dump_to_file(&tm, &cfg, &core);
    g_assert_cmpuint(core.phnum, ==, phnum);
    if (phnum >= PN_XNUM) {
        g_assert_cmpuint(core.e_phnum, ==, PN_XNUM);
        g_assert_cmpuint(g_array_index(core.sections, ElfSection, 0).info,
                         ==, phnum);
    } else {
        g_assert_cmpuint(core.e_phnum, ==, phnum);
        g_assert_cmpuint(g_array_index(core.sections, ElfSection, 0).info,
                         ==, 0);
    }
    g_assert_cmphex(elf_core_segment(&core, core.phnum - 1)->paddr, ==,
                    TM_VMEM_BASE + 2 * (runs - 1) * gran);
    {
        uint8_t b;

        g_assert_true(elf_core_read_phys(&core, TM_VMEM_BASE +
                                         2 * (runs - 1) * gran + 5, &b, 1));
        g_assert_cmphex(b, ==, 0x99);
        /* unplugged: no PT_LOAD at all */
        g_assert_false(elf_core_read_phys(&core, TM_VMEM_BASE + gran,
                                          &b, 1));
    }
    check_loads(&tm, &core);
    elf_core_free(&core);
    tm_fini(&tm);
}

/*
 * Paging: a 4-level table mapping one page of RAM and one of unplugged
 * vmem: the latter gets p_offset all ones and p_filesz 0, as in QEMU.
 * Two pages across the end of plugged block 0 are one mapping in the
 * page tables, cut in two where the plugged memory ends.
 */
static void test_paging(void)
{
    TestMachine tm;
    DumpSink *sink;
    ElfCore core;
    uint64_t *pml4, *pdpt, *pd, *pt;

    tm_init(&tm, 8 * MiB, 16 * MiB, 2 * MiB, TM_NO_BIOS, 1);
    fake_rdm_plug(&tm.rdm, 0, 1);
    pml4 = (uint64_t *)tm_host(&tm, 0x10000);
    pdpt = (uint64_t *)tm_host(&tm, 0x11000);
    pd = (uint64_t *)tm_host(&tm, 0x12000);
    pt = (uint64_t *)tm_host(&tm, 0x13000);
    pml4[511] = 0x11000 | 1;                /* 0xffffff80_00000000 */
    pdpt[0] = 0x12000 | 1;
    pd[0] = 0x13000 | 1;
    pt[0] = 0x200000 | 1;
    pt[1] = (TM_VMEM_BASE + 8 * MiB) | 1;   /* unplugged */
    /* two pages across the end of plugged block 0 */
    pt[2] = (TM_VMEM_BASE + 2 * MiB - 4096) | 1;
    pt[3] = (TM_VMEM_BASE + 2 * MiB) | 1;
    memset(tm_host(&tm, 0x200000), 0x61, 4096);
    memset(tm_host(&tm, TM_VMEM_BASE + 2 * MiB - 4096), 0x62, 4096);
    sink = dump_paged_long_mode(&tm, 0x10000, &core);
    g_assert_cmpuint(core.phnum, ==, 5);
    {
        /* by paddr */
        const ElfSegment *a = elf_core_segment(&core, 1);
        const ElfSegment *c = elf_core_segment(&core, 2);
        const ElfSegment *d = elf_core_segment(&core, 3);
        const ElfSegment *b = elf_core_segment(&core, 4);

        /* the plugged page, all in the file */
        g_assert_cmphex(c->paddr, ==, TM_VMEM_BASE + 2 * MiB - 4096);
        g_assert_cmphex(c->vaddr, ==, 0xffffff8000002000ULL);
        g_assert_cmpuint(c->memsz, ==, 4096);
        g_assert_cmpuint(c->filesz, ==, 4096);
        g_assert_cmphex(core.data[c->offset], ==, 0x62);
        /* the unplugged one after it */
        g_assert_cmphex(d->paddr, ==, TM_VMEM_BASE + 2 * MiB);
        g_assert_cmphex(d->vaddr, ==, 0xffffff8000003000ULL);
        g_assert_cmphex(d->offset, ==, UINT64_MAX);
        g_assert_cmpuint(d->filesz, ==, 0);
        g_assert_cmpuint(d->memsz, ==, 4096);

        g_assert_cmphex(a->paddr, ==, 0x200000);
        g_assert_cmphex(a->vaddr, ==, 0xffffff8000000000ULL);
        g_assert_cmpuint(a->filesz, ==, 4096);
        g_assert_cmphex(core.data[a->offset], ==, 0x61);
        g_assert_cmphex(b->paddr, ==, TM_VMEM_BASE + 8 * MiB);
        g_assert_cmphex(b->vaddr, ==, 0xffffff8000001000ULL);
        g_assert_cmphex(b->offset, ==, UINT64_MAX);
        g_assert_cmpuint(b->filesz, ==, 0);
        g_assert_cmpuint(b->memsz, ==, 4096);
    }
    elf_core_free(&core);
    dump_sink_free(sink);
    tm_fini(&tm);
}

/*
 * Paging mappings over several blocks: one across the end of the BIOS
 * ROM into the vmem region right above it (two blocks that continue one
 * another: one PT_LOAD whose file part covers both), and one of three
 * 2 MiB pages over plugged, unplugged and plugged vmem blocks (three
 * PT_LOADs: the bytes after the hole are in the file, not zeros).  With
 * begin/length cutting into both, the same holds for what is left.
 */
static void test_paging_blocks(void)
{
    const uint64_t va = 0xffffff8000000000ULL;
    TestMachine tm;
    DumpRequest cfg;
    DumpSink *sink;
    ElfCore core;
    uint64_t *pml4, *pdpt, *pd, *pt;
    uint8_t rom[16], want[16], got[16];

    tm_init(&tm, 8 * MiB, 16 * MiB, 2 * MiB, 0, 1);
    fake_rdm_plug(&tm.rdm, 0, 1);
    fake_rdm_plug(&tm.rdm, 2, 1);
    pml4 = (uint64_t *)tm_host(&tm, 0x10000);
    pdpt = (uint64_t *)tm_host(&tm, 0x11000);
    pd = (uint64_t *)tm_host(&tm, 0x12000);
    pt = (uint64_t *)tm_host(&tm, 0x13000);
    pml4[511] = 0x11000 | 1;
    pdpt[0] = 0x12000 | 1;
    pd[0] = 0x13000 | 1;
    /* va: the ROM's last page, then the first page of vmem block 0 */
    pt[0] = (TM_VMEM_BASE - 4096) | 1;
    pt[1] = TM_VMEM_BASE | 1;
    /* va + 2 MiB: vmem blocks 0 (plugged), 1 (unplugged), 2 (plugged) */
    pd[1] = TM_VMEM_BASE | 0x81;
    pd[2] = (TM_VMEM_BASE + 2 * MiB) | 0x81;
    pd[3] = (TM_VMEM_BASE + 4 * MiB) | 0x81;
    memset(tm_host(&tm, TM_VMEM_BASE), 0x72, 4096);
    memset(tm_host(&tm, TM_VMEM_BASE + 4 * MiB + 4096), 0x73, 4096);
    tm_read(&tm, TM_VMEM_BASE - sizeof(rom), rom, sizeof(rom));
    sink = dump_paged_long_mode(&tm, 0x10000, &core);
    g_assert_cmpuint(core.phnum, ==, 5);
    {
        const ElfSegment *rv = elf_core_segment(&core, 1);
        const ElfSegment *b0 = elf_core_segment(&core, 2);
        const ElfSegment *b1 = elf_core_segment(&core, 3);
        const ElfSegment *b2 = elf_core_segment(&core, 4);

        g_assert_cmphex(rv->paddr, ==, TM_VMEM_BASE - 4096);
        g_assert_cmphex(rv->vaddr, ==, va);
        g_assert_cmpuint(rv->filesz, ==, 8192);
        g_assert_cmpuint(rv->memsz, ==, 8192);
        g_assert_cmphex(b0->paddr, ==, TM_VMEM_BASE);
        g_assert_cmphex(b0->vaddr, ==, va + 2 * MiB);
        g_assert_cmpuint(b0->filesz, ==, 2 * MiB);
        g_assert_cmphex(b1->paddr, ==, TM_VMEM_BASE + 2 * MiB);
        g_assert_cmphex(b1->vaddr, ==, va + 4 * MiB);
        g_assert_cmpuint(b1->filesz, ==, 0);
        g_assert_cmpuint(b1->memsz, ==, 2 * MiB);
        g_assert_cmphex(b2->paddr, ==, TM_VMEM_BASE + 4 * MiB);
        g_assert_cmphex(b2->vaddr, ==, va + 6 * MiB);
        g_assert_cmpuint(b2->filesz, ==, 2 * MiB);
    }
    /* through virtual addresses: ROM, then vmem, across the boundary */
    g_assert_true(elf_core_read_virt(&core, va + 4096 - sizeof(rom), got,
                                     sizeof(got)));
    g_assert_cmpmem(got, sizeof(got), rom, sizeof(rom));
    g_assert_true(elf_core_read_virt(&core, va + 4096, got, sizeof(got)));
    memset(want, 0x72, sizeof(want));
    g_assert_cmpmem(got, sizeof(got), want, sizeof(want));
    /* after the hole */
    g_assert_true(elf_core_read_virt(&core, va + 6 * MiB + 4096, got,
                                     sizeof(got)));
    memset(want, 0x73, sizeof(want));
    g_assert_cmpmem(got, sizeof(got), want, sizeof(want));
    elf_core_free(&core);
    dump_sink_free(sink);

    /* a filter from inside the ROM page to inside block 2 */
    cfg = tm_config(&tm);
    cfg.paging = true;
    cfg.has_begin = cfg.has_length = true;
    cfg.begin = TM_VMEM_BASE - 16;
    cfg.length = 4 * MiB + 4096 + 32;
    sink = dump_to_mem(&tm, &cfg, false, NULL);
    parse(&core, sink);
    g_assert_cmpuint(core.phnum, ==, 5);
    {
        const ElfSegment *rv = elf_core_segment(&core, 1);
        const ElfSegment *b2 = elf_core_segment(&core, 4);

        g_assert_cmphex(rv->paddr, ==, TM_VMEM_BASE - 16);
        g_assert_cmpuint(rv->filesz, ==, 16 + 4096);
        g_assert_cmphex(b2->paddr, ==, TM_VMEM_BASE + 4 * MiB);
        g_assert_cmpuint(b2->filesz, ==, 4096 + 16);
    }
    g_assert_true(elf_core_read_virt(&core, va + 4096 - 16, got,
                                     sizeof(got)));
    g_assert_cmpmem(got, sizeof(got), rom, sizeof(rom));
    g_assert_true(elf_core_read_virt(&core, va + 6 * MiB + 4096, got,
                                     sizeof(got)));
    g_assert_cmpmem(got, sizeof(got), want, sizeof(want));
    elf_core_free(&core);
    dump_sink_free(sink);
    tm_fini(&tm);
}

/* A sequential sink (pipe) gets the very same bytes, zeros written. */
static void test_sequential_equal(void)
{
    TestMachine tm;
    DumpRequest cfg;
    DumpSink *a, *b;
    const uint8_t *da, *db;
    size_t la, lb;

    tm_init(&tm, 8 * MiB, 8 * MiB, 2 * MiB, 0, 2);
    fake_rdm_plug(&tm.rdm, 1, 2);
    memset(tm_host(&tm, 5 * MiB), 0x3c, 3 * 4096);
    memset(tm_host(&tm, TM_VMEM_BASE + 3 * MiB), 0x3d, 4096);
    cfg = tm_config(&tm);
    a = dump_to_mem(&tm, &cfg, false, NULL);
    b = dump_to_mem(&tm, &cfg, true, NULL);
    da = dump_mem_sink_data(a, &la);
    db = dump_mem_sink_data(b, &lb);
    g_assert_cmpmem(da, la, db, lb);
    g_assert_cmpuint(dump_mem_sink_hole_bytes(b), ==, 0);
    g_assert_cmpuint(b->bytes_written, ==, lb);
    dump_sink_free(a);
    dump_sink_free(b);
    tm_fini(&tm);
}

static void test_cancel(void)
{
    TestMachine tm;
    DumpRequest cfg;
    DumpSink *sink = dump_mem_sink_new(false);
    Error *err = NULL;
    DumpJob job;

    tm_init(&tm, 8 * MiB, 0, 0, 0, 1);
    cfg = tm_config(&tm);
    g_assert_true(dump_job_prepare(&job, &dump_elf_encoder, &cfg, sink,
                                   &error_abort));
    dump_job_request_cancel(&job, DUMP_CANCEL_COMMAND);
    g_assert_false(dump_job_write(&job, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "dump: cancelled by dump-cancel");
    error_free(err);
    g_assert_cmpuint(dump_job_completed(&job), <, job.total_size);
    dump_job_cleanup(&job);
    dump_sink_free(sink);
    tm_fini(&tm);
}

/* ignore-discard-manager: the whole region, as before the series. */
static void test_ignore_rdm(void)
{
    TestMachine tm;
    DumpRequest cfg;
    DumpSink *sink;
    uint64_t total, alloc;

    tm_init(&tm, 1 * MiB, 32 * MiB, 2 * MiB, TM_NO_BIOS, 1);
    fake_rdm_plug(&tm.rdm, 3, 1);
    alloc = tm_fd_allocated(&tm);
    cfg = tm_config(&tm);
    cfg.block_flags = GUEST_PHYS_BLOCKS_IGNORE_DISCARD_MANAGER;
    sink = dump_to_mem(&tm, &cfg, false, &total);
    g_assert_cmpuint(total, ==, 1 * MiB + 32 * MiB);
    /* still never reads (and so never allocates) the holes */
    g_assert_cmpuint(tm_fd_allocated(&tm), ==, alloc);
    dump_sink_free(sink);
    tm_fini(&tm);
}

/* ------------------------------------------------- guest VMCOREINFO */

/* Write a VMCOREINFO note with @text at @gpa; returns its size. */
static uint32_t put_vmcoreinfo(TestMachine *tm, hwaddr gpa, const char *text)
{
    uint32_t hdr[3] = { sizeof("VMCOREINFO"), strlen(text), 0 };
    uint8_t *p = tm_host(tm, gpa);

    memcpy(p, hdr, sizeof(hdr));
    memcpy(p + 12, "VMCOREINFO", sizeof("VMCOREINFO"));
    memcpy(p + 12 + 12, text, strlen(text));
    return 12 + 12 + ROUND_UP(strlen(text), 4);
}

static uint16_t vmci_format;
static uint32_t vmci_size;
static uint64_t vmci_paddr;

static bool fake_vmcoreinfo(uint16_t *format, uint32_t *size,
                            uint64_t *paddr)
{
    *format = vmci_format;
    *size = vmci_size;
    *paddr = vmci_paddr;
    return true;
}

static void test_guest_note(void)
{
    /* Linux prints phys_base in decimal ("%ld"), negative below its link */
    static const char text[] = "OSRELEASE=6.1\nNUMBER(phys_base)=16777216\n";
    static const char below[] = "OSRELEASE=6.1\nNUMBER(phys_base)=-2097152\n";
    TestMachine tm;
    GuestPhysBlockList blocks;
    DumpArchInfo info = { .d_machine = EM_X86_64 };
    uint32_t size;
    size_t padded;
    uint8_t *note;

    tm_init(&tm, 4 * MiB, 0, 0, TM_NO_BIOS, 1);
    size = put_vmcoreinfo(&tm, 0x3000, text);
    guest_phys_blocks_init(&blocks);
    guest_phys_blocks_append(&blocks, &tm.as, 0);

    /* each malformed variant is dropped (with a warning) */
    g_assert_null(dump_guest_note_load(&info, &blocks, 1, 0, 0x3000,
                                       &padded));
    g_assert_null(dump_guest_note_load(&info, &blocks, 1, (1 << 20) + 1,
                                       0x3000, &padded));
    g_assert_null(dump_guest_note_load(&info, &blocks, 2, size, 0x3000,
                                       &padded));
    g_assert_null(dump_guest_note_load(&info, &blocks, 1, size,
                                       TM_MMIO_BASE, &padded));
    g_assert_null(dump_guest_note_load(&info, &blocks, 1, size,
                                       4 * MiB - 8, &padded));
    g_assert_null(dump_guest_note_load(&info, &blocks, 1, size - 4, 0x3000,
                                       &padded));
    g_assert_cmphex(info.phys_base, ==, 0);

    note = dump_guest_note_load(&info, &blocks, 1, size, 0x3000, &padded);
    g_assert_nonnull(note);
    g_assert_cmpuint(padded, ==, size);
    g_assert_cmphex(info.phys_base, ==, 0x1000000);
    g_free(note);

    guest_phys_blocks_free(&blocks);

    /* through the provider, the note follows the QEMU notes */
    {
        DumpRequest cfg = tm_config(&tm);
        DumpSink *sink;
        ElfCore core;
        const ElfNote *n;

        vmci_format = 1;
        vmci_size = size;
        vmci_paddr = 0x3000;
        cfg.vmcoreinfo = fake_vmcoreinfo;
        sink = dump_to_mem(&tm, &cfg, false, NULL);
        parse(&core, sink);
        g_assert_cmpuint(core.notes->len, ==, 3);
        n = &g_array_index(core.notes, ElfNote, 2);
        g_assert_cmpstr(n->name, ==, "VMCOREINFO");
        g_assert_cmpmem(n->desc, n->descsz, text, strlen(text));
        elf_core_free(&core);
        dump_sink_free(sink);
    }

    size = put_vmcoreinfo(&tm, 0x3000, below);
    guest_phys_blocks_init(&blocks);
    guest_phys_blocks_append(&blocks, &tm.as, 0);
    note = dump_guest_note_load(&info, &blocks, 1, size, 0x3000, &padded);
    g_assert_nonnull(note);
    g_assert_cmphex(info.phys_base, ==, (uint64_t)-2097152);
    g_free(note);
    guest_phys_blocks_free(&blocks);
    tm_fini(&tm);
}

/* The kdump header's utsname (dump_guest_utsname) from hostile notes. */
static GByteArray *notes_with(const char *text)
{
    GByteArray *notes = g_byte_array_new();
    uint32_t hdr[3] = { sizeof("VMCOREINFO"), strlen(text), 0 };
    uint8_t name[12] = "VMCOREINFO";
    uint8_t pad[4] = { 0 };

    g_byte_array_append(notes, (uint8_t *)hdr, sizeof(hdr));
    g_byte_array_append(notes, name, sizeof(name));
    g_byte_array_append(notes, (const uint8_t *)text, strlen(text));
    g_byte_array_append(notes, pad, ROUND_UP(strlen(text), 4) - strlen(text));
    return notes;
}

static void test_guest_utsname(void)
{
    /* init_uts_ns at 0x20000 (kernel mapping, phys_base 0x10000) */
    static const char good[] =
        "OSRELEASE=6.1-note\nSYMBOL(init_uts_ns)=ffffffff80010000\n"
        "OFFSET(uts_namespace.name)=0\nNUMBER(phys_base)=65536\n";
    static const char *const fallback[] = {
        /* outside RAM, wrapping, below the kernel map, bad numbers */
        "OSRELEASE=6.1-note\nSYMBOL(init_uts_ns)=ffffffffff000000\n",
        "OSRELEASE=6.1-note\nSYMBOL(init_uts_ns)=ffffffffffffff00\n"
        "OFFSET(uts_namespace.name)=4096\n",
        "OSRELEASE=6.1-note\nSYMBOL(init_uts_ns)=10000\n",
        "OSRELEASE=6.1-note\nSYMBOL(init_uts_ns)=zz\n",
        "OSRELEASE=6.1-note\nSYMBOL(init_uts_ns)=ffffffff80010000\n"
        "NUMBER(phys_base)=-1\n",
    };
    TestMachine tm;
    GuestPhysBlockList blocks;
    DumpArchInfo info = { .d_machine = EM_X86_64 };
    uint8_t uts[6 * 65];
    uint8_t *g;
    GByteArray *notes;

    tm_init(&tm, 4 * MiB, 0, 0, TM_NO_BIOS, 1);
    g = tm_host(&tm, 0x20000);
    memset(g, 0, 6 * 65);
    strcpy((char *)g, "Linux");
    strcpy((char *)g + 65, "host");
    strcpy((char *)g + 130, "6.1-guest");
    strcpy((char *)g + 195, "#1");
    strcpy((char *)g + 260, "x86_64");
    guest_phys_blocks_init(&blocks);
    guest_phys_blocks_append(&blocks, &tm.as, 0);

    /* no VMCOREINFO: untouched (QEMU's header, machine only) */
    notes = g_byte_array_new();
    memset(uts, 0xaa, sizeof(uts));
    g_assert_false(dump_guest_utsname(&info, &blocks, notes, uts));
    g_assert_cmpuint(uts[0], ==, 0xaa);
    g_byte_array_unref(notes);

    /* the guest's own */
    notes = notes_with(good);
    g_assert_true(dump_guest_utsname(&info, &blocks, notes, uts));
    g_assert_cmpstr((char *)uts + 130, ==, "6.1-guest");
    g_assert_cmpstr((char *)uts + 65, ==, "host");

    /* not NUL-terminated, or not Linux: the note's release instead */
    memset(g + 65, 'x', 65);
    g_assert_true(dump_guest_utsname(&info, &blocks, notes, uts));
    g_assert_cmpstr((char *)uts + 130, ==, "6.1-note");
    g_assert_cmpstr((char *)uts + 195, ==, "unknown");
    strcpy((char *)g + 65, "host");
    memcpy(g, "Linu\0", 5);
    g_assert_true(dump_guest_utsname(&info, &blocks, notes, uts));
    g_assert_cmpstr((char *)uts + 130, ==, "6.1-note");
    strcpy((char *)g, "Linux");
    /* an i386 guest: no kernel mapping to follow */
    info.d_machine = EM_386;
    g_assert_true(dump_guest_utsname(&info, &blocks, notes, uts));
    g_assert_cmpstr((char *)uts + 130, ==, "6.1-note");
    info.d_machine = EM_X86_64;
    g_byte_array_unref(notes);

    for (size_t i = 0; i < G_N_ELEMENTS(fallback); i++) {
        notes = notes_with(fallback[i]);
        g_assert_true(dump_guest_utsname(&info, &blocks, notes, uts));
        g_assert_cmpstr((char *)uts, ==, "Linux");
        g_assert_cmpstr((char *)uts + 130, ==, "6.1-note");
        g_assert_cmpstr((char *)uts + 260, ==, "x86_64");
        g_byte_array_unref(notes);
    }
    /* no usable OSRELEASE: nothing to say */
    notes = notes_with("PAGESIZE=4096\n");
    g_assert_false(dump_guest_utsname(&info, &blocks, notes, uts));
    g_byte_array_unref(notes);
    notes = notes_with("OSRELEASE=\n");
    g_assert_false(dump_guest_utsname(&info, &blocks, notes, uts));
    g_byte_array_unref(notes);
    /* a note whose descsz runs past the notes */
    notes = notes_with("OSRELEASE=6.1\n");
    notes->data[4] = 0xff;
    g_assert_false(dump_guest_utsname(&info, &blocks, notes, uts));
    g_byte_array_unref(notes);
    guest_phys_blocks_free(&blocks);
    tm_fini(&tm);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    type_register_object_types();
    dump_register_encoders();
    g_test_add_func("/dump-elf/basic", test_basic);
    g_test_add_func("/dump-elf/long-mode", test_long_mode);
    g_test_add_func("/dump-elf/class32", test_class32);
    g_test_add_func("/dump-elf/filter", test_filter);
    g_test_add_func("/dump-elf/filter-errors", test_filter_errors);
    g_test_add_data_func("/dump-elf/pn-xnum/70000", GUINT_TO_POINTER(70000),
                         test_pn_xnum);
    g_test_add_data_func("/dump-elf/pn-xnum/65535", GUINT_TO_POINTER(65535),
                         test_pn_xnum);
    g_test_add_data_func("/dump-elf/pn-xnum/65534", GUINT_TO_POINTER(65534),
                         test_pn_xnum);
    g_test_add_func("/dump-elf/paging", test_paging);
    g_test_add_func("/dump-elf/paging-blocks", test_paging_blocks);
    g_test_add_func("/dump-elf/sequential-equal", test_sequential_equal);
    g_test_add_func("/dump-elf/cancel", test_cancel);
    g_test_add_func("/dump-elf/discard-freeze", test_discard_freeze);
    g_test_add_func("/dump-elf/ignore-discard-manager", test_ignore_rdm);
    g_test_add_func("/dump-elf/guest-note", test_guest_note);
    g_test_add_func("/dump-elf/guest-utsname", test_guest_utsname);
    return g_test_run();
}
