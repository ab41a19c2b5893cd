/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-dump-qmp.c: the checks dump-guest-memory makes before it looks at
 * the machine, in QEMU's order -- including the one no qtest can reach
 * (an incoming migration: sparsevm has no -incoming) -- and the
 * capability list following the registered encoders.
 */
#include "qemu/osdep.h"
#include "config-host.h"
#include "qapi/qmp-registry.h"
#include "qemu/error.h"
#include "sysemu/dump.h"
#include "sysemu/runstate.h"
#include "dump/dump-internal.h"

static void expect(const DumpRequest *req, const char *msg)
{
    Error *err = NULL;

    g_assert_false(dump_guest_memory(req, NULL, NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_order(void)
{
    DumpRequest req = {
        .protocol = "file:/nonexistent/x", .format = "kdump-zlib",
        .paging = true, .has_begin = true,
    };

    /* every check below fails; each time the first in QEMU's order wins */
    runstate_set(RUN_STATE_INMIGRATE);
    expect(&req, "Dump not allowed during incoming migration.");
    runstate_set(RUN_STATE_PAUSED);
    expect(&req, "kdump-compressed format doesn't support paging or "
           "filter");
    req.format = NULL;
    expect(&req, "Parameter 'length' is missing");
    req.has_begin = false;
    req.has_length = true;
    expect(&req, "Parameter 'begin' is missing");
    req.has_length = false;
    req.paging = false;
#ifndef CONFIG_SNAPPY
    /* a raw format is named by its flattened twin, as in QEMU */
    req.format = "kdump-raw-snappy";
    expect(&req, "kdump-snappy is not available now");
#endif
#ifndef CONFIG_ZSTD
    req.format = "kdump-raw-zstd";
    expect(&req, "kdump-zstd is not available now");
#endif
    req.format = "win-dmp";
    expect(&req, "win-dmp is not available now");
    g_assert_false(qemu_system_dump_in_progress());
}

static void test_capability(void)
{
    const QmpCommand *cmd = qmp_find_command(
        "query-dump-guest-memory-capability");
    JsonNode *ret = NULL;
    JsonObject *args = json_object_new();
    JsonArray *formats;

    g_assert_nonnull(cmd);
    g_assert_true(cmd->fn(args, &ret, &error_abort));
    formats = json_object_get_array_member(json_node_get_object(ret),
                                           "formats");
    g_assert_cmpuint(json_array_get_length(formats), >=, 1);
    g_assert_cmpstr(json_array_get_string_element(formats, 0), ==, "elf");
    for (guint i = 0; i < json_array_get_length(formats); i++) {
        g_assert_nonnull(dump_encoder_find(
            json_array_get_string_element(formats, i)));
    }
    /* QEMU's order: each kdump format followed by its raw variant */
    {
        static const char *const want[] = {
            "elf", "kdump-zlib", "kdump-raw-zlib",
#ifdef CONFIG_LZO
            "kdump-lzo", "kdump-raw-lzo",
#endif
#ifdef CONFIG_SNAPPY
            "kdump-snappy", "kdump-raw-snappy",
#endif
#ifdef CONFIG_ZSTD
            "kdump-zstd", "kdump-raw-zstd",
#endif
        };

        g_assert_cmpuint(json_array_get_length(formats), ==,
                         G_N_ELEMENTS(want));
        for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
            g_assert_cmpstr(json_array_get_string_element(formats, i), ==,
                            want[i]);
        }
    }
    json_node_unref(ret);
    json_object_unref(args);
}

/* x-dump-threads: 1 to DUMP_MAX_THREADS, checked before anything else */
static void test_threads_range(void)
{
    const QmpCommand *cmd = qmp_find_command("dump-guest-memory");
    static const int64_t bad[] = { 0, -1, 65, INT64_MAX };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        JsonObject *args = json_object_new();
        JsonNode *ret = NULL;
        Error *err = NULL;

        json_object_set_boolean_member(args, "paging", false);
        json_object_set_string_member(args, "protocol", "file:/nonexistent");
        json_object_set_string_member(args, "format", "kdump-zlib");
        json_object_set_int_member(args, "x-dump-threads", bad[i]);
        g_assert_false(cmd->fn(args, &ret, &err));
        g_assert_cmpstr(error_get_pretty(err), ==, "parameter "
                        "'x-dump-threads' expects a value between 1 and 64");
        error_free(err);
        json_object_unref(args);
    }
    g_assert_false(qemu_system_dump_in_progress());
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    dump_register_commands();
    g_test_add_func("/dump-qmp/validation-order", test_order);
    g_test_add_func("/dump-qmp/capability", test_capability);
    g_test_add_func("/dump-qmp/threads-range", test_threads_range);
    return g_test_run();
}
