/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-test.c: what dump-guest-memory writes, through the real binary:
 * base RAM and ROM with every byte of every PT_LOAD checked against what
 * the test wrote (ROM against what the guest reads), exactly the RAM and
 * ROM of the memory map and nothing else, a sparse file, a memfd whose
 * allocation the dump does not change, a pmem=on backend left out,
 * begin/length, paging under qtest (virt = phys), fd: to a regular file
 * and to a pipe (the same bytes), HMP, and the external readers: readelf,
 * eu-readelf, gdb and libkdumpfile.
 */
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dump-util.h"

#define RAM_SIZE (512 * MiB)

/* A few writes: page-crossing, unaligned, the last RAM page, big. */
static void write_guest(QTestState *s, DumpModel *m)
{
    model_write(s, m, 0x1000, 3 * 4096 + 17, 1);
    model_write(s, m, 0x7ffff, 2, 2);               /* straddles a page */
    model_write(s, m, 0x123456, 100, 3);
    model_write(s, m, 64 * MiB, 1 * MiB, 4);
    model_write(s, m, RAM_SIZE - 4096, 4096, 5);
}

static void dump_sync(QTestState *s, const char *protocol)
{
    qtest_qmp_assert_success(s, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, "
                             "'protocol': '%s'}}", protocol);
}

/* The RAM and ROM ranges of the map, as the PT_LOADs must be. */
static void check_layout(const ElfCore *core, GArray *flat)
{
    unsigned seg = 1;

    g_assert_cmpuint(elf_core_segment(core, 0)->type, ==, PT_NOTE);
    for (unsigned i = 0; i < flat->len; i++) {
        const FlatRange *f = &g_array_index(flat, FlatRange, i);
        const ElfSegment *s;

        if (strcmp(f->kind, "ram") && strcmp(f->kind, "rom")) {
            continue;
        }
        g_assert_cmpuint(seg, <, core->phnum);
        s = elf_core_segment(core, seg++);
        g_assert_cmphex(s->paddr, ==, f->start);
        g_assert_cmphex(s->paddr + s->memsz, ==, f->end);
        g_assert_cmphex(s->vaddr, ==, s->paddr);
    }
    g_assert_cmpuint(seg, ==, core->phnum);
}

static void test_base_ram_rom(void)
{
    QTestState *s = qtest_init(DUMP_MACHINE);
    g_autofree char *path = qtest_tmp_path("base.elf");
    g_autofree char *ev = NULL;
    g_autofree char *proto = g_strdup_printf("file:%s", path);
    DumpModel m;
    GArray *flat;
    ElfCore core;
    JsonObject *r;
    struct stat st;

    model_init(&m);
    write_guest(s, &m);
    qtest_qmp_events_clear(s);
    dump_sync(s, proto);
    ev = events_take(s);
    g_assert_cmpstr(ev, ==, "STOP DUMP_COMPLETED RESUME");

    r = qtest_qmp(s, "{'execute': 'query-dump'}");
    g_assert_cmpstr(qtest_json_get_str(r, "return.status"), ==, "completed");
    g_assert_cmpint(qtest_json_get_int(r, "return.completed"), ==,
                    qtest_json_get_int(r, "return.total"));
    flat = flat_ranges(s);
    dump_open(&core, path);
    check_layout(&core, flat);
    g_assert_cmpuint(check_dump_loads(s, &core, &m, flat), ==,
                     core.phnum - 1);
    {
        uint64_t sum = 0;

        for (unsigned i = 1; i < core.phnum; i++) {
            sum += elf_core_segment(&core, i)->filesz;
        }
        g_assert_cmpint(qtest_json_get_int(r, "return.total"), ==, sum);
    }
    json_object_unref(r);
    /* notes: one CORE and one QEMU note for the one vCPU */
    g_assert_cmpuint(core.notes->len, ==, 2);
    g_assert_false(core.is64 && core.machine == EM_X86_64);
    /* sparse: the untouched half gigabyte takes no space */
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpuint(st.st_mode & 0777, ==, 0400);
    g_assert_cmpuint(st.st_blocks * 512, <, 4 * MiB);
    g_assert_cmpuint(st.st_size, >, RAM_SIZE);
    elf_core_free(&core);
    g_array_free(flat, true);
    model_free(&m);
    qtest_quit(s);
    unlink(path);
}

/* Main RAM from a memfd: the dump does not allocate any of it. */
static void test_memfd_not_allocated(void)
{
    QTestState *s = qtest_init(DUMP_MACHINE "-object memory-backend-memfd,"
                               "id=mem0,size=512M "
                               "-machine memory-backend=mem0");
    g_autofree char *path = qtest_tmp_path("memfd.elf");
    g_autofree char *proto = g_strdup_printf("file:%s", path);
    DumpModel m;
    GArray *flat;
    ElfCore core;
    uint64_t before;

    model_init(&m);
    write_guest(s, &m);
    before = memfd_allocated(qtest_pid(s), "memory-backend-memfd");
    g_assert_cmpuint(before, <, 4 * MiB);
    dump_sync(s, proto);
    g_assert_cmpuint(memfd_allocated(qtest_pid(s), "memory-backend-memfd"),
                     ==, before);
    flat = flat_ranges(s);
    dump_open(&core, path);
    check_dump_loads(s, &core, &m, flat);
    elf_core_free(&core);
    g_array_free(flat, true);
    /* the dump itself was read back without touching guest memory */
    g_assert_cmpuint(memfd_allocated(qtest_pid(s), "memory-backend-memfd"),
                     ==, before);
    model_free(&m);
    qtest_quit(s);
    unlink(path);
}

/* pmem=on memory is persistent: dumps leave it out (RAM here). */
static void test_pmem_backend(void)
{
    g_autofree char *pmem = qtest_tmp_path("pmem.img");
    g_autofree char *path = qtest_tmp_path("pmem.elf");
    g_autofree char *proto = g_strdup_printf("file:%s", path);
    QTestState *s = qtest_initf(DUMP_MACHINE "-object memory-backend-file,"
                                "id=pm,size=512M,mem-path=%s,share=on,"
                                "pmem=on -machine memory-backend=pm", pmem);
    DumpModel m;
    GArray *flat;
    ElfCore core;

    model_init(&m);
    write_guest(s, &m);
    dump_sync(s, proto);
    flat = flat_ranges(s);
    dump_open(&core, path);
    /* only ROM: no PT_LOAD covers the (persistent) RAM */
    for (unsigned i = 1; i < core.phnum; i++) {
        const ElfSegment *seg = elf_core_segment(&core, i);

        for (unsigned j = 0; j < flat->len; j++) {
            const FlatRange *f = &g_array_index(flat, FlatRange, j);

            if (seg->paddr >= f->start && seg->paddr < f->end) {
                g_assert_cmpstr(f->kind, ==, "rom");
            }
        }
    }
    check_dump_loads(s, &core, &m, flat);
    g_assert_cmpuint(core.phnum, >=, 2);
    elf_core_free(&core);
    g_array_free(flat, true);
    model_free(&m);
    qtest_quit(s);
    unlink(path);
    unlink(pmem);
}

static void test_begin_length(void)
{
    QTestState *s = qtest_init(DUMP_MACHINE);
    g_autofree char *path = qtest_tmp_path("filter.elf");
    DumpModel m;
    GArray *flat;
    ElfCore core;
    JsonObject *r;

    model_init(&m);
    write_guest(s, &m);
    qtest_qmp_assert_success(s, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, "
                             "'protocol': 'file:%s', 'begin': %" PRIu64 ", "
                             "'length': %" PRIu64 "}}", path,
                             64 * MiB + 100, 2 * MiB);
    r = qtest_qmp(s, "{'execute': 'query-dump'}");
    g_assert_cmpint(qtest_json_get_int(r, "return.total"), ==, 2 * MiB);
    json_object_unref(r);
    flat = flat_ranges(s);
    dump_open(&core, path);
    g_assert_cmpuint(core.phnum, ==, 2);
    g_assert_cmphex(elf_core_segment(&core, 1)->paddr, ==, 64 * MiB + 100);
    g_assert_cmphex(elf_core_segment(&core, 1)->memsz, ==, 2 * MiB);
    check_dump_loads(s, &core, &m, flat);
    elf_core_free(&core);
    g_array_free(flat, true);
    model_free(&m);
    qtest_quit(s);
    unlink(path);
}

/* No vCPU pages under qtest: paging falls back to virt == phys. */
static void test_paging_fallback(void)
{
    QTestState *s = qtest_init(DUMP_MACHINE);
    g_autofree char *path = qtest_tmp_path("paging.elf");
    ElfCore core;

    qtest_qmp_assert_success(s, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': true, "
                             "'protocol': 'file:%s'}}", path);
    dump_open(&core, path);
    g_assert_cmpuint(core.phnum, >, 1);
    for (unsigned i = 1; i < core.phnum; i++) {
        const ElfSegment *seg = elf_core_segment(&core, i);

        g_assert_cmphex(seg->vaddr, ==, seg->paddr);
    }
    elf_core_free(&core);
    qtest_quit(s);
    unlink(path);
}

/*
 * fd: to a regular file and to a pipe (written sequentially, holes as
 * zeros): the same bytes as a file: dump.  The fd is consumed.
 */
static void test_fd_file_and_pipe(void)
{
    QTestState *s = qtest_init(DUMP_MACHINE);
    g_autofree char *ref = qtest_tmp_path("ref.elf");
    g_autofree char *viafd = qtest_tmp_path("viafd.elf");
    g_autofree char *proto = g_strdup_printf("file:%s", ref);
    g_autofree char *ref_data = NULL;
    g_autofree char *fd_data = NULL;
    gsize ref_len, fd_len;
    DumpModel m;
    DumpDrain d;
    GThread *t;
    int fd, p[2];
    char *err;

    model_init(&m);
    write_guest(s, &m);
    dump_sync(s, proto);
    g_assert_true(g_file_get_contents(ref, &ref_data, &ref_len, NULL));

    fd = open(viafd, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    g_assert_cmpint(fd, >=, 0);
    dump_getfd(s, fd, "dumpfd");
    close(fd);
    dump_sync(s, "fd:dumpfd");
    g_assert_true(g_file_get_contents(viafd, &fd_data, &fd_len, NULL));
    g_assert_cmpmem(fd_data, fd_len, ref_data, ref_len);
    /* the monitor handed the fd over to the dump */
    err = qtest_qmp_expect_error(s, "GenericError", "{'execute': 'closefd', "
                                 "'arguments': {'fdname': 'dumpfd'}}");
    g_assert_cmpstr(err, ==, "File descriptor named 'dumpfd' not found");
    g_free(err);

    g_assert_cmpint(pipe(p), ==, 0);
    d.fd = p[0];
    d.got = g_byte_array_new();
    t = g_thread_new("drain", dump_drain_thread, &d);
    dump_getfd(s, p[1], "pipefd");
    close(p[1]);
    dump_sync(s, "fd:pipefd");
    g_thread_join(t);
    close(p[0]);
    g_assert_cmpmem(d.got->data, d.got->len, ref_data, ref_len);
    g_byte_array_unref(d.got);

    model_free(&m);
    qtest_quit(s);
    unlink(ref);
    unlink(viafd);
}

static void test_hmp(void)
{
    QTestState *s = qtest_init(DUMP_MACHINE);
    g_autofree char *a = qtest_tmp_path("hmp-a.elf");
    g_autofree char *b = qtest_tmp_path("hmp-b.elf");
    g_autofree char *c = qtest_tmp_path("hmp-c.elf");
    ElfCore core;
    char *out;

    out = qtest_hmp(s, "info dump");
    g_assert_cmpstr(out, ==, "Status: none\r\n");
    g_free(out);
    out = qtest_hmp(s, "dump-guest-memory %s", a);
    g_assert_cmpstr(out, ==, "");
    g_free(out);
    out = qtest_hmp(s, "info dump");
    g_assert_cmpstr(out, ==, "Status: completed\r\n");
    g_free(out);
    dump_open(&core, a);
    g_assert_cmpuint(core.phnum, >, 1);
    elf_core_free(&core);

    out = qtest_hmp(s, "dump-guest-memory -p %s 4096 8192", b);
    g_assert_cmpstr(out, ==, "");
    g_free(out);
    dump_open(&core, b);
    g_assert_cmpuint(core.phnum, ==, 2);
    g_assert_cmphex(elf_core_segment(&core, 1)->paddr, ==, 4096);
    g_assert_cmphex(elf_core_segment(&core, 1)->memsz, ==, 8192);
    elf_core_free(&core);

    qtest_qmp_events_clear(s);
    out = qtest_hmp(s, "dump-guest-memory -d %s", c);
    g_assert_cmpstr(out, ==, "");
    g_free(out);
    qtest_qmp_eventwait(s, "DUMP_COMPLETED");
    g_assert_true(g_file_test(c, G_FILE_TEST_EXISTS));

    out = qtest_hmp(s, "dump-guest-memory -z -s %s", c);
    g_assert_cmpstr(out, ==, "Error: only one of '-z|-l|-s|-w' can be "
                    "set\r\n");
    g_free(out);
    /* QEMU's -w parses, but help does not offer what always fails */
    out = qtest_hmp(s, "dump-guest-memory -w %s", c);
    g_assert_cmpstr(out, ==, "Error: win-dmp is not available now\r\n");
    g_free(out);
    out = qtest_hmp(s, "help dump-guest-memory");
    g_assert_nonnull(strstr(out, "[-z|-l|-s] [-R]"));
    g_assert_null(strstr(out, "-w"));
    g_free(out);
    /* -l -R: kdump-raw-lzo, a plain kdump file with lzo pages */
    out = qtest_hmp(s, "dump-guest-memory -l -R %s", c);
    g_assert_cmpstr(out, ==, "");
    g_free(out);
    {
        g_autofree char *data = NULL;
        gsize len;
        uint32_t status;

        g_assert_true(g_file_get_contents(c, &data, &len, NULL));
        g_assert_cmpuint(len, >, 4096);
        g_assert_cmpmem(data, 8, "KDUMP   ", 8);
        memcpy(&status, data + 424, 4);
        g_assert_cmphex(status, ==, 0x2);       /* DUMP_DH_COMPRESSED_LZO */
    }
    out = qtest_hmp(s, "dump-guest-memory %s 4096", c);
    g_assert_cmpstr(out, ==, "Error: Parameter 'length' is missing\r\n");
    g_free(out);
    qtest_quit(s);
    unlink(a);
    unlink(b);
    unlink(c);
}

/* ---------------------------------------------------- external readers */

static void test_readers(void)
{
    QTestState *s = qtest_init(DUMP_MACHINE "-smp 2");
    g_autofree char *path = qtest_tmp_path("readers.elf");
    g_autofree char *proto = g_strdup_printf("file:%s", path);
    DumpModel m;
    unsigned loads;
    ElfCore core;

    model_init(&m);
    write_guest(s, &m);
    dump_sync(s, proto);
    dump_open(&core, path);
    loads = core.phnum - 1;
    elf_core_free(&core);

    if (tool_available("readelf")) {
        char *argv[] = { "readelf", "-W", "-lnS", path, NULL };
        g_autofree char *out = NULL;
        g_autofree char *err = NULL;
        g_auto(GStrv) lines = NULL;
        unsigned n = 0, prstatus = 0;

        g_assert_cmpint(run_tool(argv, &out, &err), ==, 0);
        g_assert_cmpstr(err, ==, "");
        lines = g_strsplit(out, "\n", -1);
        for (size_t i = 0; lines[i]; i++) {
            n += g_str_has_prefix(g_strchug(lines[i]), "LOAD ");
            prstatus += strstr(lines[i], "NT_PRSTATUS") != NULL;
        }
        g_assert_cmpuint(n, ==, loads);
        g_assert_cmpuint(prstatus, ==, 2);
        g_assert_nonnull(strstr(out, ".shstrtab"));
    } else {
        g_test_message("readelf not installed: skipped");
    }

    /*
     * eu-readelf prints notes only from SHT_NOTE sections when a file has
     * section headers, which QEMU-format dumps have but without a note
     * section; it must still parse the headers without complaint.
     */
    if (tool_available("eu-readelf")) {
        char *argv[] = { "eu-readelf", "-h", "-l", "-S", path, NULL };
        g_autofree char *out = NULL;
        g_autofree char *err = NULL;
        g_autofree char *phnum = g_strdup_printf(
            "Number of program headers entries: %u\n", loads + 1);

        g_assert_cmpint(run_tool(argv, &out, &err), ==, 0);
        g_assert_cmpstr(err, ==, "");
        g_assert_nonnull(strstr(out, "CORE (Core file)"));
        g_assert_nonnull(strstr(out, ".shstrtab"));
        g_assert_nonnull(strstr(out, "NOTE"));
        g_assert_nonnull(strstr(out, phnum));
    } else {
        g_test_message("eu-readelf not installed: skipped");
    }

    if (tool_available("gdb")) {
        char *argv[] = { "gdb", "-nx", "-batch", "-c", path, NULL };
        g_autofree char *out = NULL;
        g_autofree char *err = NULL;

        g_assert_cmpint(run_tool(argv, &out, &err), ==, 0);
        if (strstr(out, "warning") || strstr(err, "warning")) {
            g_error("gdb complained:\n%s%s", out, err);
        }
    } else {
        g_test_message("gdb not installed: skipped");
    }

    /* libkdumpfile reads physical addresses: compare with the model */
    {
        static const uint64_t addrs[] = {
            0x1000, 0x3ff0, 0x7fff8, 0x123450, 64 * MiB + 4000,
            RAM_SIZE - 64, 300 * MiB, 0xffff0, 0xffffffe0,
        };
        GArray *flat = flat_ranges(s);

        check_libkdumpfile(s, &m, flat, path, addrs, ARRAY_SIZE(addrs));
        g_array_free(flat, true);
    }
    model_free(&m);
    qtest_quit(s);
    unlink(path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dump/elf/base-ram-rom", test_base_ram_rom);
    g_test_add_func("/dump/elf/memfd-not-allocated",
                    test_memfd_not_allocated);
    g_test_add_func("/dump/elf/pmem-backend", test_pmem_backend);
    g_test_add_func("/dump/elf/begin-length", test_begin_length);
    g_test_add_func("/dump/elf/paging-fallback", test_paging_fallback);
    g_test_add_func("/dump/elf/readers", test_readers);
    g_test_add_func("/dump/fd/file-and-pipe", test_fd_file_and_pipe);
    g_test_add_func("/dump/hmp", test_hmp);
    return g_test_run();
}
