/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fault-dump-test.c: dump-guest-memory while each wrapped call fails in
 * turn (fault-loop-test.c explains the loop), for every format
 * query-dump-guest-memory-capability offers, to a file (synchronous,
 * detached, with paging) and to an fd passed with getfd.
 *
 * After every run that injected a fault:
 * - a dump that reports success is a complete, valid dump (ELF: the
 *   in-tree reader parses it and its PT_LOADs hold the guest's data);
 *   a call may be absorbed (a fallback such as buffered I/O when
 *   O_DIRECT cannot be had) but never turned into a bad file;
 * - a dump that fails says why, through the QMP error or DUMP_COMPLETED's
 *   "error", and query-dump says "failed";
 * - file: an earlier file at the destination is unchanged and no
 *   temporary is left in the directory;
 * - the VM runs again (the dump stopped it), answers QMP, has as many
 *   fds open as before, and the next dump without the fault succeeds.
 */
#include "qemu/osdep.h"
#include <elf.h>
#include "../qtest/dump-util.h"
#include "../elf/elf-reader.h"
#include "fault-qtest.h"

#define OLD_DUMP "an earlier dump, to be kept"

/* Guest data the dump must contain, so there are data writes. */
static const uint64_t data_at[] = { 1 * MiB, 17 * MiB + 4096, 60 * MiB };
#define DATA_LEN (256 * 1024)

typedef enum DumpVariant {
    DV_FILE,
    DV_FILE_DETACH,
    DV_FILE_PAGING,
    DV_FD,
    DV_LIVE,
} DumpVariant;

typedef struct DumpCase {
    const char *format;
    DumpVariant variant;
} DumpCase;

typedef struct Ctx {
    QTestState *qts;
    const DumpCase *dc;
    char *dir;
    char *path;
} Ctx;

static void put_data(QTestState *qts)
{
    for (size_t i = 0; i < G_N_ELEMENTS(data_at); i++) {
        qtest_memset(qts, data_at[i], 0x40 + i, DATA_LEN);
    }
}

/* Only out.dump may be in the directory: no temporary left. */
static void check_dir_clean(Ctx *c)
{
    GDir *dir = g_dir_open(c->dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name(dir))) {
        if (strcmp(name, "out.dump")) {
            g_error("'%s' left in %s", name, c->dir);
        }
    }
    g_dir_close(dir);
}

static void check_valid_dump(Ctx *c)
{
    g_autofree char *data = NULL;
    gsize len;

    g_assert_true(g_file_get_contents(c->path, &data, &len, NULL));
    g_assert_cmpuint(len, >, strlen(OLD_DUMP));
    if (!strcmp(c->dc->format, "elf")) {
        ElfCore core;
        unsigned loads = 0;

        dump_open(&core, c->path);
        for (unsigned i = 0; i < core.phnum; i++) {
            const ElfSegment *s = elf_core_segment(&core, i);

            loads += s->type == PT_LOAD;
        }
        g_assert_cmpuint(loads, >, 0);
        for (size_t i = 0; i < G_N_ELEMENTS(data_at); i++) {
            uint8_t b[DATA_LEN];

            g_assert_true(elf_core_read_phys(&core, data_at[i], b,
                                             DATA_LEN));
            for (size_t j = 0; j < DATA_LEN; j++) {
                g_assert_cmpuint(b[j], ==, 0x40 + i);
            }
        }
        elf_core_free(&core);
    } else {
        /* kdump: the header names itself */
        g_assert_true(!memcmp(data, "KDUMP   ", 8) ||
                      !memcmp(data, "makedumpfile", 12));
    }
}

/* One dump; true if it succeeded.  A failure must say why. */
static bool run_dump(Ctx *c)
{
    const DumpCase *dc = c->dc;
    g_autoptr(JsonObject) rsp = NULL;
    g_autoptr(JsonObject) ev = NULL;
    g_autofree char *protocol = NULL;
    bool live = dc->variant == DV_LIVE;
    bool detach = dc->variant == DV_FILE_DETACH || live;
    bool paging = dc->variant == DV_FILE_PAGING;
    bool ok;

    g_assert_true(g_file_set_contents(c->path, OLD_DUMP, -1, NULL));
    if (dc->variant == DV_FD) {
        int fd = open(c->path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        g_autoptr(JsonObject) r = NULL;

        g_assert_cmpint(fd, >=, 0);
        r = qtest_qmp_fds(c->qts, &fd, 1, "{'execute': 'getfd', "
                          "'arguments': {'fdname': 'dumpfd'}}");
        g_assert_true(json_object_has_member(r, "return"));
        close(fd);
        protocol = g_strdup("fd:dumpfd");
    } else {
        protocol = g_strdup_printf("file:%s", c->path);
    }
    qtest_qmp_events_clear(c->qts);
    rsp = qtest_qmp(c->qts, "{'execute': 'dump-guest-memory', 'arguments': "
                    "{'protocol': '%s', 'paging': %s, 'detach': %s, "
                    "'format': '%s', 'live': %s}}", protocol,
                    paging ? "true" : "false", detach ? "true" : "false",
                    dc->format, live ? "true" : "false");
    ok = json_object_has_member(rsp, "return");
    if (!ok) {
        g_assert_cmpuint(strlen(qtest_json_get_str(rsp, "error.desc")), >,
                         0);
        if (dc->variant == DV_FD) {
            /* if it was refused before taking the fd, close it */
            json_object_unref(qtest_qmp(c->qts, "{'execute': 'closefd', "
                                        "'arguments': {'fdname': "
                                        "'dumpfd'}}"));
        }
    }
    /* a failure after the start comes with DUMP_COMPLETED too */
    ev = ok ? qtest_qmp_eventwait_ref(c->qts, "DUMP_COMPLETED")
            : qtest_qmp_event_ref(c->qts, "DUMP_COMPLETED");
    if (ev) {
        if (qtest_json_has(ev, "data.error")) {
            g_assert_cmpuint(strlen(qtest_json_get_str(ev, "data.error")),
                             >, 0);
            ok = false;
        }
    }
    return ok;
}

static void check_after(Ctx *c, bool ok)
{
    g_autoptr(JsonNode) q = NULL;

    if (ok) {
        check_valid_dump(c);
    } else if (c->dc->variant != DV_FD) {
        g_autofree char *data = NULL;

        g_assert_true(g_file_get_contents(c->path, &data, NULL, NULL));
        g_assert_cmpstr(data, ==, OLD_DUMP);
    }
    if (c->dc->variant != DV_FD) {
        check_dir_clean(c);
    }
    if (c->dc->variant == DV_LIVE) {
        /* nothing left protected: these writes would never return */
        put_data(c->qts);
    }
    q = qtest_qmp_assert_success_ref(c->qts, "{'execute': 'query-status'}");
    g_assert_true(json_object_get_boolean_member(json_node_get_object(q),
                                                 "running"));
}

static void test_dump_faults(gconstpointer opaque)
{
    const DumpCase *dc = opaque;
    Ctx c = { .dc = dc };
    g_autofree char *what = NULL;
    FaultTally t = { 0 };
    int fds;

    c.qts = qtest_init("-machine microvm -m 64M");
    c.dir = g_strdup_printf("%s/dump-%s-%d", qtest_tmpdir(), dc->format,
                            dc->variant);
    g_assert_cmpint(g_mkdir_with_parents(c.dir, 0700), ==, 0);
    c.path = g_build_filename(c.dir, "out.dump", NULL);
    put_data(c.qts);
    g_assert_true(run_dump(&c));
    check_after(&c, true);
    fds = qtest_count_open_fds(qtest_pid(c.qts));

    for (size_t i = 0; i < fault_n_ops +
                       (dc->variant == DV_LIVE ? fault_n_live_ops : 0); i++) {
        const char *op = i < fault_n_ops ? fault_all_ops[i]
                                         : fault_live_ops[i - fault_n_ops];

        for (unsigned nth = 1;; nth++) {
            bool ok;

            fault_qmp_arm(c.qts, op, nth, NULL);
            ok = run_dump(&c);
            if (!fault_qmp_injected(c.qts, op)) {
                fault_qmp_disarm_all(c.qts);
                g_assert_true(ok);
                check_after(&c, true);
                break;
            }
            fault_qmp_disarm_all(c.qts);
            fault_tally_hit(&t, i);
            check_after(&c, ok);
            /* the next dump, without the fault, works */
            g_assert_true(run_dump(&c));
            check_after(&c, true);
            g_assert_cmpint(qtest_count_open_fds(qtest_pid(c.qts)), ==,
                            fds);
            t.survived++;
        }
    }
    qtest_quit(c.qts);
    what = g_strdup_printf("dump %s variant %d", dc->format, dc->variant);
    fault_tally_report(what, &t);
    /* a dump writes: some fault must have hit it */
    g_assert_cmpuint(t.injected, >, 0);
    unlink(c.path);
    rmdir(c.dir);
    g_free(c.path);
    g_free(c.dir);
}

/* The formats this build offers. */
static GPtrArray *dump_formats(void)
{
    QTestState *qts = qtest_init("-machine microvm -m 64M");
    g_autoptr(JsonNode) ret = qtest_qmp_assert_success_ref(
        qts, "{'execute': 'query-dump-guest-memory-capability'}");
    JsonArray *list = json_object_get_array_member(
        json_node_get_object(ret), "formats");
    GPtrArray *formats = g_ptr_array_new_with_free_func(g_free);

    for (guint i = 0; i < json_array_get_length(list); i++) {
        const char *f = json_array_get_string_element(list, i);

        if (!strcmp(f, "win-dmp")) {
            continue;       /* Windows guests only */
        }
        g_ptr_array_add(formats, g_strdup(f));
    }
    qtest_quit(qts);
    return formats;
}

int main(int argc, char **argv)
{
    static const char *const variant_names[] = {
        [DV_FILE] = "file", [DV_FILE_DETACH] = "file-detach",
        [DV_FILE_PAGING] = "file-paging", [DV_FD] = "fd",
        [DV_LIVE] = "live",
    };
    const char *live_kdump = NULL;
    g_autoptr(GPtrArray) formats = NULL;
    g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func(g_free);

    g_test_init(&argc, &argv, NULL);
    formats = dump_formats();
    for (guint i = 0; i < formats->len; i++) {
        const char *f = formats->pdata[i];

        for (DumpVariant v = DV_FILE; v <= DV_LIVE; v++) {
            DumpCase *dc;
            g_autofree char *path = NULL;

            /* paging is ELF's alone */
            if (v == DV_FILE_PAGING && strcmp(f, "elf")) {
                continue;
            }
            /* live: ELF and the first kdump format (the same source) */
            if (v == DV_LIVE && strcmp(f, "elf")) {
                if (live_kdump || !g_str_has_prefix(f, "kdump-")) {
                    continue;
                }
                live_kdump = f;
            }
            dc = g_new0(DumpCase, 1);
            dc->format = f;
            dc->variant = v;
            g_ptr_array_add(cases, dc);
            path = g_strdup_printf("/faults/dump/%s/%s", f,
                                   variant_names[v]);
            g_test_add_data_func(path, dc, test_dump_faults);
        }
    }
    return g_test_run();
}
