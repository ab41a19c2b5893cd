/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kdump-util.c: the shared helpers of the kdump qtests (kdump-util.h).
 */
#include <inttypes.h>
#include <string.h>
#include "kdump-util.h"

GStrv kdump_formats(QTestState *s)
{
    JsonObject *r = qtest_qmp(s, "{'execute': "
                              "'query-dump-guest-memory-capability'}");
    JsonArray *a = qtest_json_get_array(r, "return.formats");
    GPtrArray *out = g_ptr_array_new();

    for (guint i = 0; i < json_array_get_length(a); i++) {
        const char *f = json_array_get_string_element(a, i);

        if (g_str_has_prefix(f, "kdump-")) {
            g_ptr_array_add(out, g_strdup(f));
        }
    }
    g_ptr_array_add(out, NULL);
    json_object_unref(r);
    return (GStrv)g_ptr_array_free(out, false);
}

bool kdump_is_raw(const char *format)
{
    return g_str_has_prefix(format, "kdump-raw-");
}

void kdump_dump(QTestState *s, const char *format, const char *path,
                unsigned threads)
{
    kdump_dump_mode(s, format, path, threads, false);
}

void kdump_dump_mode(QTestState *s, const char *format, const char *path,
                     unsigned threads, bool zero_descs)
{
    g_autofree char *extra = g_strdup_printf(
        "%s%.0u%s", threads ? ", 'x-dump-threads': " : "", threads,
        zero_descs ? ", 'x-kdump-zero-descriptors': true" : "");

    unlink(path);
    qtest_qmp_assert_success(s, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, "
                             "'protocol': 'file:%s', 'format': '%s'%s}}",
                             path, format, extra);
}

void kdump_dump_pair(QTestState *s, GStrv formats, guint i)
{
    for (guint j = i; j <= i + 1 && formats[j]; j++) {
        g_autofree char *path = g_build_filename(qtest_tmpdir(), formats[j],
                                                 NULL);

        if (j > i && !kdump_is_raw(formats[j])) {
            break;
        }
        kdump_dump(s, formats[j], path, 0);
    }
}

GArray *kdump_ranges_from_flat(GArray *flat)
{
    GArray *r = g_array_new(false, false, sizeof(DumpRange));

    for (guint i = 0; i < flat->len; i++) {
        const FlatRange *f = &g_array_index(flat, FlatRange, i);
        DumpRange d = { f->start, f->end };

        if (!strcmp(f->kind, "ram") || !strcmp(f->kind, "rom")) {
            g_array_append_val(r, d);
        }
    }
    return r;
}

/* The guest's page @pfn: false if no range touches it. */
static bool expected_page(QTestState *s, const DumpModel *model,
                          GArray *flat, GArray *ranges, guint *first,
                          uint64_t pfn, uint8_t *page)
{
    uint64_t start = pfn * KDUMP_PAGE, end = start + KDUMP_PAGE;
    bool touched = false;

    /* ranges are sorted: skip those that end before this page */
    while (*first < ranges->len &&
           g_array_index(ranges, DumpRange, *first).end <= start) {
        (*first)++;
    }
    memset(page, 0, KDUMP_PAGE);
    for (guint i = *first; i < ranges->len; i++) {
        const DumpRange *r = &g_array_index(ranges, DumpRange, i);
        uint64_t lo = MAX(start, r->start), hi = MIN(end, r->end);

        if (r->start >= end) {
            break;
        }
        if (lo < hi) {
            expect_bytes(s, model, flat, lo, page + (lo - start), hi - lo);
            touched = true;
        }
    }
    return touched;
}

KdumpReader *kdump_check(QTestState *s, const char *path,
                         const DumpModel *model, GArray *flat,
                         GArray *ranges)
{
    return kdump_check_mode(s, path, model, flat, ranges, false);
}

KdumpReader *kdump_check_mode(QTestState *s, const char *path,
                              const DumpModel *model, GArray *flat,
                              GArray *ranges, bool zero_descs)
{
    GError *err = NULL;
    KdumpReader *r = kdump_reader_open(path, &err);
    const KdumpInfo *in;
    uint8_t want[KDUMP_PAGE], got[KDUMP_PAGE];
    uint64_t ram = 0, dumpable = 0, zero = 0, max_mapnr = 0;
    guint first = 0;

    g_assert_no_error(err);
    in = kdump_reader_info(r);
    g_assert_cmpuint(in->header_version, ==, 6);
    g_assert_cmpstr(in->machine, ==, "x86_64");
    g_assert_cmpuint(in->block_size, ==, KDUMP_PAGE);
    g_assert_cmpuint(in->status & KDUMP_DH_COMPRESSED_INCOMPLETE, ==, 0);
    if (ranges->len) {
        uint64_t last = g_array_index(ranges, DumpRange, ranges->len - 1).end;

        max_mapnr = (last + KDUMP_PAGE - 1) / KDUMP_PAGE;
    }
    g_assert_cmpuint(in->max_mapnr, ==, max_mapnr);
    for (uint64_t pfn = 0; pfn < max_mapnr + 64; pfn++) {
        bool touched = expected_page(s, model, flat, ranges, &first, pfn,
                                     want);

        bool is_zero = !memcmp(want, (uint8_t[KDUMP_PAGE]){ 0 },
                               KDUMP_PAGE);
        bool in_dump = touched && (zero_descs || !is_zero);

        if (kdump_reader_page_ram(r, pfn) != touched) {
            g_error("%s: pfn 0x%" PRIx64 " is %sin the 1st bitmap", path,
                    pfn, touched ? "not " : "");
        }
        if (kdump_reader_page_dumpable(r, pfn) != in_dump) {
            g_error("%s: pfn 0x%" PRIx64 " (%s) is %sin the 2nd bitmap",
                    path, pfn, is_zero ? "zero" : "data",
                    in_dump ? "not " : "");
        }
        ram += touched;
        if (!in_dump) {
            continue;           /* excluded: reads as zeros, see above */
        }
        dumpable++;
        if (!kdump_reader_read_page(r, pfn, got, &err)) {
            g_error("%s: pfn 0x%" PRIx64 ": %s", path, pfn, err->message);
        }
        if (memcmp(got, want, KDUMP_PAGE)) {
            g_error("%s: pfn 0x%" PRIx64 " differs from the guest's page",
                    path, pfn);
        }
        zero += is_zero;
    }
    g_assert_cmpuint(in->ram_pages, ==, ram);
    g_assert_cmpuint(in->dumpable_pages, ==, dumpable);
    g_assert_cmpuint(in->zero_desc_pages, ==, zero ? zero - 1 : 0);
    return r;
}

void kdump_assert_files_equal(const char *a, const char *b)
{
    g_autofree char *da = NULL, *db = NULL;
    gsize la, lb;

    g_assert_true(g_file_get_contents(a, &da, &la, NULL));
    g_assert_true(g_file_get_contents(b, &db, &lb, NULL));
    if (la != lb || memcmp(da, db, la)) {
        g_error("%s (%zu bytes) and %s (%zu bytes) differ", a, (size_t)la, b,
                (size_t)lb);
    }
}

bool kdump_makedumpfile_rearrange(const char *in, const char *out)
{
    char *argv[] = {
        (char *)"sh", (char *)"-c",
        (char *)"exec makedumpfile -R \"$1\" < \"$2\"", (char *)"sh",
        (char *)out, (char *)in, NULL,
    };
    g_autofree char *o = NULL, *e = NULL;
    int ret;

    if (!tool_available("makedumpfile")) {
        g_test_message("makedumpfile not installed: skipped");
        return false;
    }
    unlink(out);
    ret = run_tool(argv, &o, &e);
    if (ret) {
        g_error("makedumpfile -R %s < %s failed (%d): %s%s", out, in, ret,
                o, e);
    }
    return true;
}

void kdump_check_crash_excluded(const char *path)
{
    for (int zero = 0; zero <= 1; zero++) {
        char *argv[] = {
            (char *)"crash", (char *)"-d", (char *)"1", (char *)"--osrelease",
            (char *)path, NULL, NULL,
        };
        g_autofree char *o = NULL, *e = NULL;
        const char *want = zero ? "|ERROR_EXCLUDED|ZERO_EXCLUDED)"
                                : "|ERROR_EXCLUDED)";
        int ret;

        if (!tool_available("crash")) {
            g_test_message("crash not installed: skipped");
            return;
        }
        if (zero) {
            argv[3] = (char *)"--zero_excluded";
            argv[4] = (char *)"--osrelease";
            argv[5] = (char *)path;
        }
        ret = run_tool(argv, &o, &e);
        if (ret != 0 && ret != 1) {
            g_error("crash on %s failed (%d): %s%s", path, ret, o, e);
        }
        if (!strstr(o, "dump_level: 1 (0x1) (DUMP_EXCLUDE_ZERO)") ||
            !strstr(o, want)) {
            g_error("crash%s read %s differently: want dump level 1 and "
                    "\"%s\":\n%s", zero ? " --zero_excluded" : "", path,
                    want, o);
        }
    }
}

void kdump_check_crash(const char *path, uint32_t status, unsigned nr_cpus,
                       uint64_t valid_pages)
{
    char *argv[] = {
        (char *)"crash", (char *)"-d", (char *)"1", (char *)"--osrelease",
        (char *)path, NULL,
    };
    g_autofree char *o = NULL, *e = NULL;
    g_autofree char *want_status = NULL, *want_cpus = NULL;
    g_autofree char *want_pages = NULL;
    int ret;

    if (!tool_available("crash")) {
        g_test_message("crash not installed: skipped");
        return;
    }
    /*
     * Without a VMCOREINFO note there is no release to print: crash says
     * "unknown" and exits 1 -- after printing the headers it parsed.
     */
    ret = run_tool(argv, &o, &e);
    if (ret != 0 && ret != 1) {
        g_error("crash --osrelease %s failed (%d): %s%s", path, ret, o, e);
    }
    want_status = g_strdup_printf("status: %x (", status);
    want_cpus = g_strdup_printf("nr_cpus: %u\n", nr_cpus);
    want_pages = g_strdup_printf("total_valid_pages: %" PRIu64 "\n",
                                 valid_pages);
    if (!strstr(o, "header_version: 6\n") || !strstr(o, want_status) ||
        !strstr(o, want_cpus) || !strstr(o, want_pages)) {
        g_error("crash read %s differently: want \"%s\", \"%s\", \"%s\":\n%s",
                path, want_status, want_cpus, want_pages, o);
    }
}
