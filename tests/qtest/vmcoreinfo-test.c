/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmcoreinfo-test.c: fw_cfg on microvm, -device vmcoreinfo, the vCPU
 * state a test sets (cpu_set) and the dumps that come out of them,
 * through the real binary:
 *
 *   - fw_cfg: signature, ID (DMA), the DMA register's signature, the
 *     file directory, reads through the data port and DMA;
 *   - hostile DMA descriptors: outside RAM, wrapping, too long, writes to
 *     read-only items, partial writes of etc/vmcoreinfo, unknown items;
 *     the VM keeps running and nothing is published by accident;
 *   - vmcoreinfo: QEMU's rules (one instance, reset forgets the note,
 *     a note outside RAM is dropped with a warning), the note in the ELF
 *     dump and in the kdump header;
 *   - -cpu models and cpu_set (long mode, refused values);
 *   - real readers on a dump of a guest dressed as x86-64 Linux
 *     (libqos/linux-guest.h): readelf, gdb, crash --osrelease, drgn.
 *     Each skips with the reason when the tool is not installed.
 */
#include <elf.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "dump-util.h"
#include "dump-vmem.h"
#include "kdump-util.h"
#include "libqos/fw-cfg.h"
#include "libqos/linux-guest.h"

#define VMCI_MACHINE DUMP_MACHINE "-device vmcoreinfo "
#define ALLOC_START (64 * MiB)
#define ALLOC_END (512 * MiB)
#define SYSTEM_PYTHON "/usr/bin/python3"

static void dump_to(QTestState *s, const char *path, const char *format)
{
    if (format) {
        qtest_qmp_assert_success(s, "{'execute': 'dump-guest-memory', "
                                 "'arguments': {'paging': false, "
                                 "'protocol': 'file:%s', 'format': '%s'}}",
                                 path, format);
    } else {
        qtest_qmp_assert_success(s, "{'execute': 'dump-guest-memory', "
                                 "'arguments': {'paging': false, "
                                 "'protocol': 'file:%s'}}", path);
    }
}

/* the VMCOREINFO note of an ELF dump, or NULL */
static const ElfNote *find_note(const ElfCore *core, const char *name)
{
    for (unsigned i = 0; i < core->notes->len; i++) {
        const ElfNote *n = &g_array_index(core->notes, ElfNote, i);

        if (!strcmp(n->name, name)) {
            return n;
        }
    }
    return NULL;
}

static char *dump_vmcoreinfo(QTestState *s, const char *name)
{
    g_autofree char *path = qtest_tmp_path(name);
    const ElfNote *n;
    ElfCore core;
    char *text = NULL;

    dump_to(s, path, NULL);
    dump_open(&core, path);
    n = find_note(&core, "VMCOREINFO");
    if (n) {
        text = g_strndup((const char *)n->desc, n->descsz);
    }
    elf_core_free(&core);
    unlink(path);
    return text;
}

/* The struct new_utsname of a plain (kdump-raw-*) dump: field @i. */
static char *kdump_uts_field(const char *path, int i)
{
    g_autofree char *data = NULL;
    gsize len;

    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    g_assert_cmpuint(len, >, 12 + 6 * 65);
    return g_strndup(data + 12 + i * 65, 65);
}

/* ------------------------------------------------------------- fw_cfg */

static void test_fw_cfg_ids(void)
{
    QTestState *s = qtest_init(DUMP_MACHINE "-smp 2");
    char sig[4];
    uint8_t dma_sig[8];
    uint16_t sel;
    uint32_t size;

    qfw_cfg_select(s, FW_CFG_SIGNATURE);
    qfw_cfg_read_data(s, sig, sizeof(sig));
    g_assert_cmpmem(sig, 4, "QEMU", 4);
    g_assert_cmphex(qfw_cfg_get_u32(s, FW_CFG_ID), ==,
                    FW_CFG_VERSION | FW_CFG_VERSION_DMA);
    qfw_cfg_select(s, FW_CFG_NB_CPUS);
    g_assert_cmpuint(qtest_inb(s, FW_CFG_IO_BASE + FW_CFG_IO_DATA), ==, 2);
    /* the DMA register reads "QEMU CFG" */
    for (int i = 0; i < 8; i++) {
        dma_sig[i] = qtest_inb(s, FW_CFG_IO_BASE + FW_CFG_IO_DMA + i);
    }
    g_assert_cmpmem(dma_sig, 8, "QEMU CFG", 8);
    /* no vmcoreinfo device: an empty directory, past the end reads 0 */
    g_assert_cmpuint(qfw_cfg_get_u32(s, FW_CFG_FILE_DIR), ==, 0);
    g_assert_false(qfw_cfg_find_file(s, FW_CFG_VMCOREINFO_FILENAME, &sel,
                                     &size));
    qfw_cfg_select(s, FW_CFG_SIGNATURE);
    qfw_cfg_read_data(s, sig, sizeof(sig));
    g_assert_cmpuint(qtest_inb(s, FW_CFG_IO_BASE + FW_CFG_IO_DATA), ==, 0);
    /* arch-local and out-of-range keys select nothing */
    g_assert_cmpuint(qfw_cfg_get_u32(s, FW_CFG_ARCH_LOCAL), ==, 0);
    g_assert_cmpuint(qfw_cfg_get_u32(s, 0x3fff), ==, 0);
    qtest_quit(s);
}

static void test_fw_cfg_dma_read(void)
{
    QTestState *s = qtest_init(VMCI_MACHINE);
    QGuestAllocator *a = guest_alloc_new(ALLOC_START, ALLOC_END);
    struct fw_cfg_vmcoreinfo info;
    uint8_t buf[12];
    uint16_t sel;
    uint32_t size;

    g_assert_true(qfw_cfg_find_file(s, FW_CFG_VMCOREINFO_FILENAME, &sel,
                                    &size));
    g_assert_cmpuint(sel, ==, FW_CFG_FILE_FIRST);
    g_assert_cmpuint(size, ==, 16);
    g_assert_cmphex(qfw_cfg_dma(s, a, FW_CFG_DMA_CTL_SELECT |
                                FW_CFG_DMA_CTL_READ | sel << 16, &info,
                                sizeof(info)), ==, 0);
    g_assert_cmpuint(GUINT16_FROM_LE(info.host_format), ==,
                     FW_CFG_VMCOREINFO_FORMAT_ELF);
    g_assert_cmpuint(info.guest_format, ==, 0);
    /* a read past the end of an item fills with zeros, no error */
    memset(buf, 0xaa, sizeof(buf));
    g_assert_cmphex(qfw_cfg_dma(s, a, FW_CFG_DMA_CTL_SELECT |
                                FW_CFG_DMA_CTL_READ | FW_CFG_SIGNATURE << 16,
                                buf, sizeof(buf)), ==, 0);
    g_assert_cmpmem(buf, 4, "QEMU", 4);
    for (int i = 4; i < 12; i++) {
        g_assert_cmpuint(buf[i], ==, 0);
    }
    /* skip then read continues at the offset */
    g_assert_cmphex(qfw_cfg_dma(s, a, FW_CFG_DMA_CTL_SELECT |
                                FW_CFG_DMA_CTL_SKIP | FW_CFG_SIGNATURE << 16,
                                buf, 2), ==, 0);
    g_assert_cmphex(qfw_cfg_dma(s, a, FW_CFG_DMA_CTL_READ, buf, 2), ==, 0);
    g_assert_cmpmem(buf, 2, "MU", 2);
    guest_alloc_destroy(a);
    qtest_quit(s);
}

/* Descriptors a hostile guest may send: none may hurt the VMM. */
static void test_fw_cfg_dma_hostile(void)
{
    QTestState *s = qtest_init(VMCI_MACHINE);
    QGuestAllocator *a = guest_alloc_new(ALLOC_START, ALLOC_END);
    uint64_t desc = guest_alloc(a, 16, 16);
    uint64_t data = guest_alloc(a, 4096, 4096);
    uint32_t vsel = FW_CFG_FILE_FIRST << 16;
    uint8_t zeros[16] = { 0 };
    struct fw_cfg_vmcoreinfo info = {
        .guest_format = GUINT16_TO_LE(FW_CFG_VMCOREINFO_FORMAT_ELF),
        .size = GUINT32_TO_LE(64), .paddr = GUINT64_TO_LE(data),
    };
    struct {
        const char *what;
        uint32_t control;
        uint32_t length;
        uint64_t address;
    } bad[] = {
        { "read into unmapped memory", FW_CFG_DMA_CTL_SELECT |
          FW_CFG_DMA_CTL_READ, 4, 0x7000000000ULL },
        { "read wrapping around 2^64", FW_CFG_DMA_CTL_SELECT |
          FW_CFG_DMA_CTL_READ, 0x100, 0xfffffffffffffff0ULL },
        { "4 GiB of zeros past RAM", FW_CFG_DMA_CTL_READ |
          FW_CFG_DMA_CTL_SELECT | 0x3ff0u << 16, 0xffffffff, data },
        { "write to the signature", FW_CFG_DMA_CTL_SELECT |
          FW_CFG_DMA_CTL_WRITE, 4, data },
        { "write past a file", FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_WRITE |
          vsel, 17, data },
        { "write of an unknown item", FW_CFG_DMA_CTL_SELECT |
          FW_CFG_DMA_CTL_WRITE | 0x3ffu << 16, 4, data },
        { "write from unmapped memory", FW_CFG_DMA_CTL_SELECT |
          FW_CFG_DMA_CTL_WRITE | vsel, 16, 0x7000000000ULL },
        { "write from the ROM's end", FW_CFG_DMA_CTL_SELECT |
          FW_CFG_DMA_CTL_WRITE | vsel, 16, 0xfffffff8ULL },
    };
    uint32_t status;
    char *text;

    /* guest data the file write would take */
    qtest_memwrite(s, data, &info, sizeof(info));
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_test_message("%s", bad[i].what);
        status = qfw_cfg_dma_raw(s, desc, bad[i].control, bad[i].length,
                                 bad[i].address);
        if (i == 2) {
            /* zeros past RAM: the part in RAM is written, then error */
            g_assert_cmphex(status, ==, FW_CFG_DMA_CTL_ERROR);
            qtest_memwrite(s, data, &info, sizeof(info));
        } else {
            g_assert_cmphex(status, ==, FW_CFG_DMA_CTL_ERROR);
        }
    }
    /* a descriptor outside RAM, or straddling its end: nothing to answer */
    qfw_cfg_dma_raw(s, desc, 0, 0, 0);
    qtest_outl(s, FW_CFG_IO_BASE + FW_CFG_IO_DMA, GUINT32_SWAP_LE_BE(0x70));
    qtest_outl(s, FW_CFG_IO_BASE + FW_CFG_IO_DMA + 4, 0);
    qtest_outl(s, FW_CFG_IO_BASE + FW_CFG_IO_DMA, 0);
    qtest_outl(s, FW_CFG_IO_BASE + FW_CFG_IO_DMA + 4,
               GUINT32_SWAP_LE_BE(512 * MiB - 8));
    qtest_outl(s, FW_CFG_IO_BASE + FW_CFG_IO_DMA, 0xffffffff);
    qtest_outl(s, FW_CFG_IO_BASE + FW_CFG_IO_DMA + 4, 0xfcffffff);
    /* odd register accesses are ignored */
    qtest_outb(s, FW_CFG_IO_BASE + FW_CFG_IO_DMA + 3, 1);
    qtest_outw(s, FW_CFG_IO_BASE + FW_CFG_IO_DMA + 6, 1);
    g_assert_cmpuint(qtest_inw(s, FW_CFG_IO_BASE + FW_CFG_IO_CTL), ==, 0);
    qtest_outb(s, FW_CFG_IO_BASE + FW_CFG_IO_DATA, 0x55);

    /* a half write of etc/vmcoreinfo publishes nothing */
    status = qfw_cfg_dma_raw(s, desc, FW_CFG_DMA_CTL_SELECT |
                             FW_CFG_DMA_CTL_WRITE | vsel, 8, data);
    g_assert_cmphex(status, ==, 0);
    status = qfw_cfg_dma_raw(s, desc, FW_CFG_DMA_CTL_WRITE, 8, data + 8);
    g_assert_cmphex(status, ==, 0);
    text = dump_vmcoreinfo(s, "hostile.elf");
    g_assert_null(text);
    /* a whole write with format NONE neither */
    qtest_memwrite(s, data + 4096 - 16, zeros, sizeof(zeros));
    status = qfw_cfg_dma_raw(s, desc, FW_CFG_DMA_CTL_SELECT |
                             FW_CFG_DMA_CTL_WRITE | vsel, 16,
                             data + 4096 - 16);
    g_assert_cmphex(status, ==, 0);
    text = dump_vmcoreinfo(s, "hostile2.elf");
    g_assert_null(text);
    /* the whole structure naming guest RAM that holds no note: dropped */
    status = qfw_cfg_dma_raw(s, desc, FW_CFG_DMA_CTL_SELECT |
                             FW_CFG_DMA_CTL_WRITE | vsel, 16, data);
    g_assert_cmphex(status, ==, 0);
    text = dump_vmcoreinfo(s, "hostile3.elf");
    g_assert_null(text);

    /* still alive and answering */
    qtest_qmp_assert_success(s, "{'execute': 'query-status'}");
    guest_alloc_destroy(a);
    qtest_quit(s);
}

/* ----------------------------------------------------------- vmcoreinfo */

/* Run the binary with @args, expecting exit status 1 and @msg on stderr. */
static void expect_startup_error(const char *args, const char *msg)
{
    g_autofree char *cmd = g_strdup_printf("%s -accel qtest -display none "
                                           "%s", qtest_get_binary(), args);
    g_autofree char *out = NULL, *err = NULL;
    g_autoptr(GError) gerr = NULL;
    int wstatus;

    g_assert_true(g_spawn_command_line_sync(cmd, &out, &err, &wstatus,
                                            &gerr));
    g_assert_true(WIFEXITED(wstatus));
    g_assert_cmpint(WEXITSTATUS(wstatus), ==, 1);
    g_test_message("%s: %s", args, err);
    g_assert_nonnull(strstr(err, msg));
}

static void test_vmcoreinfo_one_instance(void)
{
    expect_startup_error(DUMP_MACHINE "-device vmcoreinfo "
                         "-device vmcoreinfo,id=second",
                         "at most one vmcoreinfo device is permitted");
    /* QEMU's empty machine has no fw_cfg */
    expect_startup_error("-machine none -device vmcoreinfo",
                         "vmcoreinfo device requires fw_cfg with DMA");
}

static void test_vmcoreinfo_elf_kdump(void)
{
    QTestState *s = qtest_init(VMCI_MACHINE);
    QGuestAllocator *a = guest_alloc_new(ALLOC_START, ALLOC_END);
    g_autofree char *path = qtest_tmp_path("vmci.kdump");
    g_autofree char *want = qlinux_vmcoreinfo_text();
    g_autofree char *text = NULL;
    KdumpReader *r;

    /* no note yet: the dump goes on without one */
    text = dump_vmcoreinfo(s, "none.elf");
    g_assert_null(text);

    qvmcoreinfo_publish(s, a, want);
    text = dump_vmcoreinfo(s, "vmci.elf");
    g_assert_cmpstr(text, ==, want);

    /* kdump: the header's offset_vmcoreinfo / size_vmcoreinfo */
    dump_to(s, path, "kdump-zlib");
    r = kdump_reader_open(path, NULL);
    g_assert_nonnull(r);
    g_assert_cmpuint(kdump_reader_info(r)->size_vmcoreinfo, ==,
                     strlen(want));
    kdump_reader_close(r);
    unlink(path);
    /* no init_uts_ns in memory: the header's utsname from OSRELEASE */
    dump_to(s, path, "kdump-raw-zlib");
    {
        g_autofree char *sysname = kdump_uts_field(path, 0);
        g_autofree char *release = kdump_uts_field(path, 2);
        g_autofree char *machine = kdump_uts_field(path, 4);

        g_assert_cmpstr(sysname, ==, "Linux");
        g_assert_cmpstr(release, ==, QLINUX_RELEASE);
        g_assert_cmpstr(machine, ==, "x86_64");
    }
    unlink(path);

    /* a reset forgets the note, as in QEMU */
    qtest_qmp_assert_success(s, "{'execute': 'system_reset'}");
    g_free(text);
    text = dump_vmcoreinfo(s, "reset.elf");
    g_assert_null(text);
    guest_alloc_destroy(a);
    qtest_quit(s);
}

/*
 * A note in virtio-mem memory the guest later unplugs: the dump must not
 * read the discarded block (it would populate it); it drops the note.
 */
static void test_vmcoreinfo_unplugged(void)
{
    VmemMachine v;
    QGuestAllocator *in_block;
    g_autofree char *want = qlinux_vmcoreinfo_text();
    g_autofree char *text = NULL;

    vmem_start(&v, 1 * GiB, "memory-backend-memfd,size=512M",
               "requested-size=64M", " -device vmcoreinfo");
    vmem_plug(&v, 0, 2);
    in_block = guest_alloc_new(vmem_blk(&v, 1), vmem_blk(&v, 2));
    qvmcoreinfo_publish(v.qts, in_block, want);
    text = dump_vmcoreinfo(v.qts, "plugged.elf");
    g_assert_cmpstr(text, ==, want);
    g_clear_pointer(&text, g_free);

    vmem_unplug(&v, 1, 1);
    text = dump_vmcoreinfo(v.qts, "unplugged.elf");
    g_assert_null(text);
    guest_alloc_destroy(in_block);
    vmem_stop(&v);
}

/* ----------------------------------------------------------------- vCPU */

static void test_cpu_models(void)
{
    QTestState *s = qtest_init(DUMP_MACHINE "-cpu qemu32");
    g_autofree char *r = NULL;
    g_autofree char *path = qtest_tmp_path("i386.elf");
    ElfCore core;

    /* qemu32 has no long mode: EFER.LME is refused */
    r = qtest_raw_cmd(s, "cpu_set 0 efer 0x100");
    g_assert_true(g_str_has_prefix(r, "FAIL"));
    g_assert_nonnull(strstr(r, "no long mode"));
    g_clear_pointer(&r, g_free);
    r = qtest_raw_cmd(s, "cpu_set 1 rax 1");
    g_assert_cmpstr(r, ==, "FAIL no vCPU 1 (the machine has 1)");
    g_clear_pointer(&r, g_free);
    r = qtest_raw_cmd(s, "cpu_set 0 xmm0 1");
    g_assert_cmpstr(r, ==, "FAIL unknown register 'xmm0'");
    g_clear_pointer(&r, g_free);
    r = qtest_raw_cmd(s, "cpu_set 0 cr0 0x80000000");
    g_assert_true(g_str_has_prefix(r, "FAIL cr0: paging"));
    g_clear_pointer(&r, g_free);
    r = qtest_raw_cmd(s, "cpu_set 0 cs 0x10000");
    g_assert_true(g_str_has_prefix(r, "FAIL cs: 0x10000 does not fit"));
    g_clear_pointer(&r, g_free);
    qtest_cpu_set(s, 0, "rip", 0x1234);
    g_assert_cmphex(qtest_cpu_get(s, 0, "rip"), ==, 0x1234);
    dump_to(s, path, NULL);
    dump_open(&core, path);
    g_assert_cmpuint(core.machine, ==, EM_386);
    elf_core_free(&core);
    unlink(path);
    qtest_quit(s);

    /* an unknown model: QEMU's message, exit 1 */
    expect_startup_error(DUMP_MACHINE "-cpu pentium9",
                         "unable to find CPU model 'pentium9'");
}

static void test_cpu_long_mode(void)
{
    QTestState *s = qtest_init(DUMP_MACHINE "-smp 2");
    g_autofree char *path = qtest_tmp_path("x86-64.elf");
    const ElfNote *n;
    ElfCore core;
    uint64_t rip;

    qlinux_long_mode(s, 0);
    g_assert_cmphex(qtest_cpu_get(s, 0, "efer") & 0x500, ==, 0x500);
    dump_to(s, path, NULL);
    dump_open(&core, path);
    g_assert_true(core.is64);
    g_assert_cmpuint(core.machine, ==, EM_X86_64);
    /* NT_PRSTATUS x86-64: pr_reg at 112, rip is register 16 */
    n = &g_array_index(core.notes, ElfNote, 0);
    g_assert_cmpstr(n->name, ==, "CORE");
    g_assert_cmpuint(n->type, ==, NT_PRSTATUS);
    g_assert_cmpuint(n->descsz, ==, 336);
    memcpy(&rip, n->desc + 112 + 16 * 8, 8);
    g_assert_cmphex(GUINT64_FROM_LE(rip), ==,
                    qlinux_vaddr(QLINUX_IMAGE_PHYS + 0x1234));
    g_assert_nonnull(find_note(&core, "QEMU"));
    elf_core_free(&core);
    unlink(path);

    /* cr4.PAE can not go in long mode; a reset leaves long mode */
    g_free(qtest_raw_cmd(s, "cpu_set 0 cr4 0"));
    g_assert_cmphex(qtest_cpu_get(s, 0, "cr4"), ==, 0x20);
    qtest_qmp_assert_success(s, "{'execute': 'system_reset'}");
    g_assert_cmphex(qtest_cpu_get(s, 0, "efer"), ==, 0);
    g_assert_cmphex(qtest_cpu_get(s, 0, "rip"), ==, 0xfff0);
    qtest_quit(s);
}

/* -------------------------------------------------------- real readers */

typedef struct LinuxDump {
    QTestState *s;
    char *elf;
    char *kdump;
} LinuxDump;

static void linux_dump_init(LinuxDump *d)
{
    QGuestAllocator *a = guest_alloc_new(ALLOC_START, ALLOC_END);

    d->s = qtest_init(VMCI_MACHINE);
    qlinux_guest_setup(d->s, a);
    guest_alloc_destroy(a);
    d->elf = qtest_tmp_path("linux.elf");
    d->kdump = qtest_tmp_path("linux.kdump");
    dump_to(d->s, d->elf, NULL);
    dump_to(d->s, d->kdump, "kdump-raw-zlib");
}

static void linux_dump_free(LinuxDump *d)
{
    qtest_quit(d->s);
    unlink(d->elf);
    unlink(d->kdump);
    g_free(d->elf);
    g_free(d->kdump);
}

/* The kdump header carries the guest's own init_uts_ns.name. */
static void test_kdump_utsname(void)
{
    LinuxDump d;
    g_autofree char *version = NULL, *nodename = NULL;

    linux_dump_init(&d);
    version = kdump_uts_field(d.kdump, 3);
    nodename = kdump_uts_field(d.kdump, 1);
    g_assert_cmpstr(version, ==, "#1 SMP PREEMPT_DYNAMIC (qtest guest)");
    g_assert_cmpstr(nodename, ==, "sparsevm");
    linux_dump_free(&d);
}

static void test_readelf(void)
{
    LinuxDump d;
    g_autofree char *out = NULL, *err = NULL;
    char *argv[] = { (char *)"readelf", (char *)"-h", (char *)"-n", NULL,
                     NULL };

    if (!tool_available("readelf")) {
        g_test_skip("readelf is not installed (binutils)");
        return;
    }
    linux_dump_init(&d);
    argv[3] = d.elf;
    g_assert_cmpint(run_tool(argv, &out, &err), ==, 0);
    g_assert_nonnull(strstr(out, "ELF64"));
    g_assert_nonnull(strstr(out, "Advanced Micro Devices X86-64"));
    g_assert_nonnull(strstr(out, "NT_PRSTATUS"));
    g_assert_nonnull(strstr(out, "VMCOREINFO"));
    linux_dump_free(&d);
}

static void test_gdb(void)
{
    LinuxDump d;
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *want = NULL;
    char *argv[] = { (char *)"gdb", (char *)"-nx", (char *)"-batch",
                     (char *)"-ex", (char *)"info registers rip rsp cs",
                     (char *)"-ex", (char *)"show architecture",
                     (char *)"-c", NULL, NULL };

    if (!tool_available("gdb")) {
        g_test_skip("gdb is not installed");
        return;
    }
    linux_dump_init(&d);
    argv[8] = d.elf;
    g_assert_cmpint(run_tool(argv, &out, &err), ==, 0);
    g_test_message("gdb: %s%s", out, err);
    want = g_strdup_printf("0x%" PRIx64,
                           qlinux_vaddr(QLINUX_IMAGE_PHYS + 0x1234));
    g_assert_nonnull(strstr(out, want));
    g_assert_nonnull(strstr(out, "i386:x86-64"));
    linux_dump_free(&d);
}

static void test_crash_osrelease(void)
{
    LinuxDump d;
    const char *files[2];
    char *argv[] = { (char *)"crash", (char *)"--osrelease", NULL, NULL };

    if (!tool_available("crash")) {
        g_test_skip("crash is not installed");
        return;
    }
    linux_dump_init(&d);
    files[0] = d.elf;
    files[1] = d.kdump;
    for (int i = 0; i < 2; i++) {
        g_autofree char *out = NULL, *err = NULL;

        argv[2] = (char *)files[i];
        g_assert_cmpint(run_tool(argv, &out, &err), ==, 0);
        g_test_message("crash --osrelease %s: %s%s", files[i], out, err);
        g_assert_cmpstr(g_strstrip(out), ==, QLINUX_RELEASE);
    }
    linux_dump_free(&d);
}

/*
 * drgn 0.0.22 (Debian's python3-drgn) from the system python: the dump is
 * a Linux kernel core; only debug info is missing.  With argv[3] "read"
 * it also reads kernel virtual memory through the guest page tables:
 * init_uts_ns's release at SYMBOL(init_uts_ns) (for the ELF dump only
 * with DRGN_USE_LIBKDUMPFILE_FOR_ELF=1: drgn 0.0.22's own ELF reader can
 * not translate addresses of a dump without a kernel-image segment, see
 * docs/system/vmcoreinfo.md).
 */
static const char drgn_script[] =
    "import sys, drgn\n"
    "p = drgn.Program()\n"
    "p.set_core_dump(sys.argv[1])\n"
    "assert p.flags & drgn.ProgramFlags.IS_LINUX_KERNEL, p.flags\n"
    "print('platform', p.platform.arch)\n"
    "if sys.argv[3] == 'read':\n"
    "    v = int(sys.argv[2], 16) + 2 * 65\n"
    "    print('release', p.read(v, 65).split(b'\\0')[0].decode())\n"
    "try:\n"
    "    p.load_default_debug_info()\n"
    "except drgn.MissingDebugInfoError as e:\n"
    "    print('missing debug info:', str(e).splitlines()[1])\n";

/*
 * Run drgn's script on @path.  Without MALLOC_PERTURB_ (which meson sets):
 * drgn 0.0.22 with libkdumpfile 0.5.1 dies at exit with it after reading
 * a kdump file (their teardown, after all our checks have printed).
 */
static int run_drgn(const char *path, const char *vaddr, bool libkdumpfile,
                    char **out, char **err)
{
    char *argv[] = { (char *)SYSTEM_PYTHON, (char *)"-c",
                     (char *)drgn_script, (char *)path, (char *)vaddr,
                     (char *)(libkdumpfile ? "read" : "noread"), NULL };
    g_auto(GStrv) env = g_get_environ();
    g_autoptr(GError) gerr = NULL;
    int status;

    env = g_environ_unsetenv(env, "MALLOC_PERTURB_");
    if (libkdumpfile) {
        env = g_environ_setenv(env, "DRGN_USE_LIBKDUMPFILE_FOR_ELF", "1",
                               true);
    }
    if (!g_spawn_sync(NULL, argv, env, 0, NULL, NULL, out, err, &status,
                      &gerr)) {
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_drgn(void)
{
    LinuxDump d;
    g_autofree char *vaddr = NULL;
    const char *files[2];

    if (!g_file_test(SYSTEM_PYTHON, G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_skip(SYSTEM_PYTHON " is not installed");
        return;
    }
    {
        g_autofree char *out = NULL, *err = NULL;
        char *argv[] = { (char *)SYSTEM_PYTHON, (char *)"-c",
                         (char *)"import drgn", NULL };

        if (run_tool(argv, &out, &err) != 0) {
            g_test_skip("drgn is not installed (python3-drgn)");
            return;
        }
    }
    linux_dump_init(&d);
    vaddr = g_strdup_printf("%" PRIx64, qlinux_vaddr(QLINUX_UTS_PHYS));
    files[0] = d.elf;
    files[1] = d.kdump;
    for (int i = 0; i < 2; i++) {
        g_autofree char *out = NULL, *err = NULL;
        int rc = run_drgn(files[i], vaddr, true, &out, &err);

        g_test_message("drgn %s: rc %d\n%s%s", files[i], rc, out, err);
        g_assert_cmpint(rc, ==, 0);
        g_assert_null(strstr(err, "unrecognized QEMU memory dump"));
        g_assert_nonnull(strstr(out, "platform Architecture.X86_64"));
        g_assert_nonnull(strstr(out, "release " QLINUX_RELEASE));
        g_assert_nonnull(strstr(out, "missing debug info: kernel (could "
                                "not find vmlinux for " QLINUX_RELEASE ")"));
    }
    /* the ELF dump through drgn's own reader: a Linux kernel core too */
    {
        g_autofree char *out = NULL, *err = NULL;
        int rc = run_drgn(d.elf, vaddr, false, &out, &err);

        g_test_message("drgn (own ELF reader): rc %d\n%s%s", rc, out, err);
        g_assert_cmpint(rc, ==, 0);
        g_assert_nonnull(strstr(out, "platform Architecture.X86_64"));
        g_assert_nonnull(strstr(out, "missing debug info: kernel"));
    }
    linux_dump_free(&d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmcoreinfo/fw-cfg/ids", test_fw_cfg_ids);
    g_test_add_func("/vmcoreinfo/fw-cfg/dma-read", test_fw_cfg_dma_read);
    g_test_add_func("/vmcoreinfo/fw-cfg/dma-hostile", test_fw_cfg_dma_hostile);
    g_test_add_func("/vmcoreinfo/device/one-instance",
                   test_vmcoreinfo_one_instance);
    g_test_add_func("/vmcoreinfo/device/elf-kdump", test_vmcoreinfo_elf_kdump);
    g_test_add_func("/vmcoreinfo/cpu/models", test_cpu_models);
    g_test_add_func("/vmcoreinfo/cpu/long-mode", test_cpu_long_mode);
    g_test_add_func("/vmcoreinfo/device/kdump-utsname", test_kdump_utsname);
    g_test_add_func("/vmcoreinfo/device/unplugged-note",
                    test_vmcoreinfo_unplugged);
    g_test_add_func("/vmcoreinfo/readers/readelf", test_readelf);
    g_test_add_func("/vmcoreinfo/readers/gdb", test_gdb);
    g_test_add_func("/vmcoreinfo/readers/crash-osrelease",
                   test_crash_osrelease);
    g_test_add_func("/vmcoreinfo/readers/drgn", test_drgn);
    return g_test_run();
}
