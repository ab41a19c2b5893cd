/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-paging-test.c: dump-guest-memory with paging: true through the
 * real binary, on page tables the test builds in guest memory with a
 * vCPU in long mode (qtest cpu_set), where one guest-virtual range maps
 * across a boundary of what is dumped:
 *
 *   - the guest dressed as x86-64 Linux (libqos/linux-guest.h): its
 *     kernel-image map and direct map run from RAM over the isa-bios ROM
 *     window [0xe0000, 0x100000) into RAM again and past the end of RAM;
 *     init_uts_ns lies above the ROM.  The in-tree ELF reader, gdb and
 *     drgn's own ELF reader (no libkdumpfile) read it at its virtual
 *     address; the tools skip with the reason when not installed;
 *   - three 2 MiB pages over virtio-mem blocks plugged, unplugged and
 *     plugged: the bytes after the hole read back at their virtual
 *     address, the hole itself has no file data.
 *
 * Every PT_LOAD either has all its bytes in the file, equal to guest
 * memory, or none (memory outside the dump).
 */
#include <elf.h>
#include <sys/wait.h>
#include <unistd.h>
#include "dump-util.h"
#include "dump-vmem.h"
#include "libqos/fw-cfg.h"
#include "libqos/linux-guest.h"

#define LINUX_MACHINE DUMP_MACHINE "-device vmcoreinfo "
#define ALLOC_START (64 * MiB)
#define ALLOC_END (512 * MiB)
#define SYSTEM_PYTHON "/usr/bin/python3"
#define ISA_BIOS_START 0xe0000ULL
#define ISA_BIOS_END 0x100000ULL
#define UTS_FIELD 65

static void dump_paging(QTestState *s, const char *path)
{
    qtest_qmp_assert_success(s, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': true, "
                             "'protocol': 'file:%s'}}", path);
}

/*
 * Every PT_LOAD is all in the file (and equals guest memory: RAM per
 * @model, the rest as the guest reads it) or not at all (p_offset all
 * ones).  Returns the number of PT_LOADs with file data.
 */
static unsigned check_paging_loads(QTestState *s, const ElfCore *core,
                                   const DumpModel *model, GArray *flat)
{
    unsigned with_data = 0;

    for (unsigned i = 0; i < core->phnum; i++) {
        const ElfSegment *seg = elf_core_segment(core, i);

        if (seg->type != PT_LOAD) {
            continue;
        }
        g_test_message("PT_LOAD paddr 0x%" PRIx64 " vaddr 0x%" PRIx64
                       " filesz 0x%" PRIx64 " memsz 0x%" PRIx64, seg->paddr,
                       seg->vaddr, seg->filesz, seg->memsz);
        if (!seg->filesz) {
            g_assert_cmphex(seg->offset, ==, UINT64_MAX);
            continue;
        }
        g_assert_cmphex(seg->filesz, ==, seg->memsz);
        with_data++;
        check_load_data(s, core, i, model, flat);
    }
    return with_data;
}

/* @core at guest-virtual @va equals guest-physical @pa (@len bytes). */
static void check_virt(QTestState *s, const ElfCore *core, uint64_t va,
                       uint64_t pa, size_t len)
{
    g_autofree uint8_t *got = g_malloc(len);
    g_autofree uint8_t *want = g_malloc(len);

    g_assert_true(elf_core_read_virt(core, va, got, len));
    qtest_memread(s, pa, want, len);
    g_assert_cmpmem(got, len, want, len);
}

/* ----------------------------------------------------- the Linux guest */

typedef struct LinuxPagingDump {
    QTestState *s;
    DumpModel model;
    char *path;
    ElfCore core;
} LinuxPagingDump;

static void linux_paging_dump(LinuxPagingDump *d)
{
    QGuestAllocator *a = guest_alloc_new(ALLOC_START, ALLOC_END);

    d->s = qtest_init(LINUX_MACHINE);
    qlinux_guest_setup(d->s, a);
    guest_alloc_destroy(a);
    /* what qlinux_guest_setup() wrote: tables, init_uts_ns, the note */
    model_init(&d->model);
    model_foreign(&d->model, QLINUX_PGD_PHYS, 4 * 4096);
    model_foreign(&d->model, QLINUX_UTS_PHYS, 6 * UTS_FIELD);
    model_foreign(&d->model, ALLOC_START, 1 * MiB);
    d->path = qtest_tmp_path("paging.elf");
    dump_paging(d->s, d->path);
    dump_open(&d->core, d->path);
}

static void linux_paging_dump_free(LinuxPagingDump *d)
{
    elf_core_free(&d->core);
    unlink(d->path);
    g_free(d->path);
    model_free(&d->model);
    qtest_quit(d->s);
}

/*
 * The kernel-image map and the direct map each start at physical 0 and
 * run over the ROM window: their PT_LOADs cover all of RAM in the file,
 * and what lies above the ROM -- init_uts_ns, the page tables -- reads
 * back at its virtual addresses (QEMU 7.2 stops the file part at
 * 0xe0000: zeros).
 */
static void test_linux_rom_boundary(void)
{
    LinuxPagingDump d;
    g_autoptr(GArray) flat = NULL;
    char release[UTS_FIELD];
    const uint64_t kmap[] = { QLINUX_KERNEL_MAP, QLINUX_PAGE_OFFSET };
    unsigned covering = 0;

    linux_paging_dump(&d);
    flat = flat_ranges(d.s);
    g_assert_cmpuint(check_paging_loads(d.s, &d.core, &d.model, flat), >=,
                     2);
    for (unsigned i = 0; i < d.core.phnum; i++) {
        const ElfSegment *seg = elf_core_segment(&d.core, i);

        /* a PT_LOAD from 0 across the ROM window to the end of RAM */
        if (seg->type == PT_LOAD && seg->paddr == 0 &&
            seg->filesz >= 512 * MiB) {
            covering++;
        }
    }
    g_assert_cmpuint(covering, ==, 2);

    for (unsigned i = 0; i < ARRAY_SIZE(kmap); i++) {
        uint64_t base = kmap[i] - QLINUX_PHYS_BASE;

        g_assert_true(elf_core_read_virt(&d.core, base + QLINUX_UTS_PHYS +
                                         2 * UTS_FIELD, release,
                                         sizeof(release)));
        g_assert_cmpstr(release, ==, QLINUX_RELEASE);
        /* across both edges of the ROM window, and the page tables */
        check_virt(d.s, &d.core, base + ISA_BIOS_START - 64,
                   ISA_BIOS_START - 64, 128);
        check_virt(d.s, &d.core, base + ISA_BIOS_END - 64,
                   ISA_BIOS_END - 64, 128);
        check_virt(d.s, &d.core, base + QLINUX_PGD_PHYS,
                   QLINUX_PGD_PHYS, 4 * 4096);
    }
    linux_paging_dump_free(&d);
}

/* gdb reads init_uts_ns.name.release at its kernel-image address. */
static void test_linux_gdb(void)
{
    LinuxPagingDump d;
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *cmd = NULL;
    char *argv[] = { (char *)"gdb", (char *)"-nx", (char *)"-batch",
                     (char *)"-ex", NULL, (char *)"-c", NULL, NULL };

    if (!tool_available("gdb")) {
        g_test_skip("gdb is not installed");
        return;
    }
    linux_paging_dump(&d);
    cmd = g_strdup_printf("x/s 0x%" PRIx64,
                          qlinux_vaddr(QLINUX_UTS_PHYS) + 2 * UTS_FIELD);
    argv[4] = cmd;
    argv[6] = d.path;
    g_assert_cmpint(run_tool(argv, &out, &err), ==, 0);
    g_test_message("gdb: %s%s", out, err);
    g_assert_nonnull(strstr(out, "\"" QLINUX_RELEASE "\""));
    linux_paging_dump_free(&d);
}

/*
 * drgn 0.0.22's own ELF reader (no DRGN_USE_LIBKDUMPFILE_FOR_ELF): with
 * paging the dump has segments at kernel virtual addresses, and drgn
 * reads init_uts_ns's release through them.
 */
static const char drgn_script[] =
    "import sys, drgn\n"
    "p = drgn.Program()\n"
    "p.set_core_dump(sys.argv[1])\n"
    "assert p.flags & drgn.ProgramFlags.IS_LINUX_KERNEL, p.flags\n"
    "v = int(sys.argv[2], 16)\n"
    "print('release', p.read(v, 65).split(b'\\0')[0].decode())\n";

static void test_linux_drgn(void)
{
    LinuxPagingDump d;
    g_autofree char *vaddr = NULL;
    g_autofree char *out = NULL, *err = NULL;
    g_auto(GStrv) env = NULL;
    g_autoptr(GError) gerr = NULL;
    char *argv[] = { (char *)SYSTEM_PYTHON, (char *)"-c",
                     (char *)drgn_script, NULL, NULL, NULL };
    int status;

    if (!g_file_test(SYSTEM_PYTHON, G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_skip(SYSTEM_PYTHON " is not installed");
        return;
    }
    {
        char *probe[] = { (char *)SYSTEM_PYTHON, (char *)"-c",
                          (char *)"import drgn", NULL };
        g_autofree char *pout = NULL, *perr = NULL;

        if (run_tool(probe, &pout, &perr) != 0) {
            g_test_skip("drgn is not installed (python3-drgn)");
            return;
        }
    }
    linux_paging_dump(&d);
    vaddr = g_strdup_printf("%" PRIx64,
                            qlinux_vaddr(QLINUX_UTS_PHYS) + 2 * UTS_FIELD);
    argv[3] = d.path;
    argv[4] = vaddr;
    env = g_get_environ();
    env = g_environ_unsetenv(env, "DRGN_USE_LIBKDUMPFILE_FOR_ELF");
    g_assert_true(g_spawn_sync(NULL, argv, env, 0, NULL, NULL, &out, &err,
                               &status, &gerr));
    g_test_message("drgn: status %d\n%s%s", status, out, err);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_assert_nonnull(strstr(out, "release " QLINUX_RELEASE "\n"));
    linux_paging_dump_free(&d);
}

/* ------------------------------------------------------ virtio-mem hole */

#define HOLE_VA   0xffffff8000000000ULL   /* PML4[511], PDPT[0], PD[0] */
#define HOLE_PML4 QLINUX_PGD_PHYS
#define HOLE_PDPT (QLINUX_PGD_PHYS + 0x1000)
#define HOLE_PD   (QLINUX_PGD_PHYS + 0x2000)
#define PTE_P_RW  0x3ULL
#define PTE_PS    0x80ULL

/*
 * 2 MiB pages at HOLE_VA over device blocks 0, 1 and 2, of which 1 is
 * unplugged: one range in the page tables, three PT_LOADs in the dump,
 * and the data in block 2 reads back at HOLE_VA + 4 MiB + ...
 */
static void test_vmem_hole(void)
{
    VmemMachine v;
    g_autofree char *path = qtest_tmp_path("vmem-paging.elf");
    g_autoptr(GArray) flat = NULL;
    g_autofree uint8_t *want = g_malloc(8192);
    g_autofree uint8_t *got = g_malloc(8192);
    ElfCore core;
    unsigned hole = 0;

    vmem_start(&v, 1 * GiB, "memory-backend-memfd,size=64M",
               "requested-size=64M,block-size=2M", "");
    g_assert_cmpuint(v.cfg.block_size, ==, 2 * MiB);
    g_assert_cmphex(v.cfg.addr % (2 * MiB), ==, 0);
    vmem_plug(&v, 0, 1);
    vmem_plug(&v, 2, 1);
    model_write(v.qts, &v.model, vmem_blk(&v, 0) + 100, 4096, 21);
    model_write(v.qts, &v.model, vmem_blk(&v, 2) + 4096, 8192, 22);

    qtest_memset(v.qts, HOLE_PML4, 0, 3 * 4096);
    qtest_writeq(v.qts, HOLE_PML4 + 511 * 8, HOLE_PDPT | PTE_P_RW);
    qtest_writeq(v.qts, HOLE_PDPT, HOLE_PD | PTE_P_RW);
    for (unsigned i = 0; i < 3; i++) {
        qtest_writeq(v.qts, HOLE_PD + i * 8,
                     vmem_blk(&v, i) | PTE_P_RW | PTE_PS);
    }
    model_foreign(&v.model, HOLE_PML4, 3 * 4096);
    qlinux_long_mode(v.qts, 0);

    dump_paging(v.qts, path);
    dump_open(&core, path);
    flat = flat_ranges(v.qts);
    check_paging_loads(v.qts, &core, &v.model, flat);
    for (unsigned i = 0; i < core.phnum; i++) {
        const ElfSegment *seg = elf_core_segment(&core, i);

        if (seg->type != PT_LOAD || seg->vaddr < HOLE_VA ||
            seg->vaddr >= HOLE_VA + 6 * MiB) {
            continue;
        }
        g_assert_cmphex(seg->vaddr - HOLE_VA, ==,
                        seg->paddr - vmem_blk(&v, 0));
        g_assert_cmpuint(seg->memsz, ==, 2 * MiB);
        if (seg->paddr == vmem_blk(&v, 1)) {
            g_assert_cmpuint(seg->filesz, ==, 0);
        } else {
            g_assert_cmpuint(seg->filesz, ==, 2 * MiB);
        }
        hole++;
    }
    g_assert_cmpuint(hole, ==, 3);

    /* after the hole, at the virtual address */
    g_assert_true(elf_core_read_virt(&core, HOLE_VA + 4 * MiB + 4096, got,
                                     8192));
    model_expect(v.qts, &v.model, vmem_blk(&v, 2) + 4096, want, 8192);
    g_assert_cmpmem(got, 8192, want, 8192);
    /* before it */
    g_assert_true(elf_core_read_virt(&core, HOLE_VA + 100, got, 4096));
    model_expect(v.qts, &v.model, vmem_blk(&v, 0) + 100, want, 4096);
    g_assert_cmpmem(got, 4096, want, 4096);
    /* the unplugged block reads as zeros */
    g_assert_true(elf_core_read_virt(&core, HOLE_VA + 2 * MiB, got, 8192));
    memset(want, 0, 8192);
    g_assert_cmpmem(got, 8192, want, 8192);

    elf_core_free(&core);
    unlink(path);
    vmem_stop(&v);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dump-paging/linux/rom-boundary",
                    test_linux_rom_boundary);
    g_test_add_func("/dump-paging/linux/gdb", test_linux_gdb);
    g_test_add_func("/dump-paging/linux/drgn", test_linux_drgn);
    g_test_add_func("/dump-paging/vmem/hole", test_vmem_hole);
    return g_test_run();
}
