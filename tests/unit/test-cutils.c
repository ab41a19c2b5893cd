/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-cutils.c: strict number and QEMU-syntax size parsing. */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/option.h"
#include "qemu/error.h"

static void test_strtosz_valid(void)
{
    static const struct {
        const char *in;
        uint64_t out;
    } ok[] = {
        { "0", 0 }, { "12345", 12345 }, { "1k", 1024 }, { "1K", 1024 },
        { "16G", 16ULL << 30 }, { "1.5G", 3ULL << 29 }, { "0x1000", 4096 },
        { "1E", 1ULL << 60 }, { "15.9999E", 0 /* checked below */ },
        { "8B", 8 }, { "0.5M", 512 * 1024 },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
        uint64_t v = 42;

        g_assert_cmpint(qemu_strtosz(ok[i].in, NULL, &v), ==, 0);
        if (ok[i].out || !strcmp(ok[i].in, "0")) {
            g_assert_cmpuint(v, ==, ok[i].out);
        }
    }
}

static void test_strtosz_invalid(void)
{
    static const struct {
        const char *in;
        int err;
    } bad[] = {
        { "", -EINVAL }, { "-1", -EINVAL }, { "0x", -EINVAL },
        { "18446744073709551616", -ERANGE }, { "20E", -ERANGE },
        { "1.5E999", -EINVAL }, { "1e3k", -EINVAL }, { "123-45", -EINVAL },
        { "0x1.8G", -EINVAL }, { "0x10k", -EINVAL }, { " 1", -EINVAL },
        { "1.5", -EINVAL }, { "1.5B", -EINVAL }, { "12abc", -EINVAL },
        { "16.0000000001E", -ERANGE },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        uint64_t v = 42;

        g_assert_cmpint(qemu_strtosz(bad[i].in, NULL, &v), ==, bad[i].err);
        g_assert_cmpuint(v, ==, 42);
    }
}

static void test_strtosz_mib(void)
{
    uint64_t v;

    g_assert_cmpint(qemu_strtosz_MiB("512", NULL, &v), ==, 0);
    g_assert_cmpuint(v, ==, 512ULL << 20);
    g_assert_cmpint(qemu_strtosz_MiB("2G", NULL, &v), ==, 0);
    g_assert_cmpuint(v, ==, 2ULL << 30);
}

static void test_strtou64(void)
{
    uint64_t v;
    const char *end;

    g_assert_cmpint(qemu_strtou64("0x10", NULL, 0, &v), ==, 0);
    g_assert_cmpuint(v, ==, 16);
    g_assert_cmpint(qemu_strtou64("-1", NULL, 0, &v), ==, -EINVAL);
    g_assert_cmpint(qemu_strtou64("99999999999999999999", NULL, 0, &v), ==,
                    -ERANGE);
    g_assert_cmpint(qemu_strtou64("12 ", NULL, 0, &v), ==, -EINVAL);
    g_assert_cmpint(qemu_strtou64("12 ", &end, 0, &v), ==, 0);
    g_assert_cmpstr(end, ==, " ");
}

static void test_opts(void)
{
    Error *err = NULL;
    QemuOpts *o = qemu_opts_parse("memory-backend-ram,id=m,size=1G,x=a,,b",
                                  "qom-type", false, &error_abort);
    uint64_t sz;

    g_assert_cmpstr(qemu_opt_get(o, "qom-type"), ==, "memory-backend-ram");
    g_assert_cmpstr(qemu_opt_get(o, "x"), ==, "a,b");
    g_assert(qemu_opt_get_size(o, "size", 0, &sz, &error_abort));
    g_assert_cmpuint(sz, ==, 1ULL << 30);
    g_assert_false(qemu_opts_check_unused(o, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Invalid parameter 'id'");
    error_free_or_abort(&err);
    qemu_opts_free(o);

    o = qemu_opts_parse("socket,server,nowait", "backend", true,
                        &error_abort);
    g_assert_cmpstr(qemu_opt_get(o, "server"), ==, "on");
    g_assert_cmpstr(qemu_opt_get(o, "wait"), ==, "off");
    qemu_opts_free(o);

    g_assert_null(qemu_opts_parse("a=1,b", NULL, false, &err));
    error_free_or_abort(&err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cutils/strtosz/valid", test_strtosz_valid);
    g_test_add_func("/cutils/strtosz/invalid", test_strtosz_invalid);
    g_test_add_func("/cutils/strtosz/mib", test_strtosz_mib);
    g_test_add_func("/cutils/strtou64", test_strtou64);
    g_test_add_func("/cutils/opts", test_opts);
    return g_test_run();
}
