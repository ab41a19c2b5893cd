/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-cmdline.c: the parsers behind the command line: sizes with
 * suffixes, numbers, booleans, "key=value,..." option strings, -m, -smp
 * and property values set on real objects (the board and the memory
 * backends, without realizing them).
 *
 * Input layout: byte 0 picks the parser (modulo the number of parsers),
 * the rest up to the first NUL byte is the string.  Besides the
 * sanitizers, the target checks what each parser promises: an end
 * pointer inside the string, results untouched on error, sizes that
 * print, -m results that keep ram <= maxmem.
 */
#include "qemu/osdep.h"
#include "hw/boards.h"
#include "hw/i386/microvm.h"
#include "qemu/cutils.h"
#include "qemu/error.h"
#include "qemu/option.h"
#include "qom/object_interfaces.h"
#include "sysemu/hostmem.h"
#include "fuzz.h"

#define POISON UINT64_C(0x5a5a5a5a5a5a5a5a)

typedef void FuzzParser(const char *s);

static void check_end(const char *s, const char *end)
{
    g_assert_true(end >= s && end <= s + strlen(s));
}

static void fuzz_numbers(const char *s)
{
    int (*const size_parsers[])(const char *, const char **, uint64_t *) = {
        qemu_strtosz, qemu_strtosz_MiB
    };
    static const int bases[] = { 0, 10, 16 };

    for (size_t i = 0; i < ARRAY_SIZE(size_parsers); i++) {
        uint64_t v = POISON;
        const char *end = NULL;

        if (size_parsers[i](s, NULL, &v) == 0) {
            g_free(size_to_str(v));
        } else {
            g_assert_cmphex(v, ==, POISON);
        }
        v = POISON;
        if (size_parsers[i](s, &end, &v) == 0) {
            check_end(s, end);
        } else {
            g_assert_cmphex(v, ==, POISON);
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(bases); i++) {
        uint64_t u = POISON;
        int64_t n = (int64_t)POISON;
        const char *end = NULL;

        if (qemu_strtou64(s, &end, bases[i], &u) == 0) {
            check_end(s, end);
        } else {
            g_assert_cmphex(u, ==, POISON);
        }
        if (qemu_strtoi64(s, NULL, bases[i], &n) != 0) {
            g_assert_cmpint(n, ==, (int64_t)POISON);
        }
    }
    {
        bool b;

        qemu_parse_bool(s, &b);
        id_wellformed(s);
    }
}

static void fuzz_opts(const char *s)
{
    for (int bare = 0; bare < 2; bare++) {
        g_autoptr(QemuOpts) opts = qemu_opts_parse(s, bare ? NULL : "type",
                                                   bare, NULL);
        bool b;
        uint64_t v;

        if (!opts) {
            continue;
        }
        for (guint i = 0; i < opts->opts->len; i++) {
            QemuOpt *opt = opts->opts->pdata[i];

            g_assert_nonnull(opt->name);
            g_assert_nonnull(opt->value);
            qemu_opt_has(opts, opt->name);
            qemu_opt_get_bool(opts, opt->name, false, &b, NULL);
            qemu_opt_get_size(opts, opt->name, 0, &v, NULL);
            qemu_opt_get_number(opts, opt->name, 0, &v, NULL);
            g_assert_nonnull(qemu_opt_get(opts, opt->name));
        }
        qemu_opts_check_unused(opts, NULL);
    }
}

static MachineState *new_board(void)
{
    return MACHINE(object_new(TYPE_MICROVM_MACHINE));
}

static void fuzz_memory(const char *s)
{
    MachineState *ms = new_board();

    ms->ram_size = 512 * 1024 * 1024;
    ms->maxram_size = ms->ram_size;
    if (machine_parse_memory_opts(ms, s, NULL)) {
        g_assert_cmpuint(ms->ram_size, <=, ms->maxram_size);
    }
    object_unref(OBJECT(ms));
}

static void fuzz_smp(const char *s)
{
    MachineState *ms = new_board();

    if (machine_parse_smp(ms, s, NULL)) {
        g_assert_cmpuint(ms->smp_cpus, >=, 1);
    }
    object_unref(OBJECT(ms));
}

/* "TYPE,prop=value,...": set each property on a new, unrealized object. */
static void fuzz_properties(const char *s)
{
    static const char *const types[] = {
        TYPE_MICROVM_MACHINE, TYPE_MEMORY_BACKEND_RAM,
        TYPE_MEMORY_BACKEND_MEMFD, TYPE_MEMORY_BACKEND_FILE,
    };
    g_autoptr(QemuOpts) opts = qemu_opts_parse(s, "qom-type", false, NULL);
    const char *type;
    Object *obj = NULL;

    if (!opts) {
        return;
    }
    type = qemu_opt_get(opts, "qom-type");
    for (size_t i = 0; type && i < ARRAY_SIZE(types); i++) {
        if (!strcmp(type, types[i])) {
            obj = object_new(types[i]);
        }
    }
    if (!obj) {
        obj = object_new(TYPE_MEMORY_BACKEND_RAM);
    }
    for (guint i = 0; i < opts->opts->len; i++) {
        QemuOpt *opt = opts->opts->pdata[i];

        if (strcmp(opt->name, "qom-type") &&
            object_property_parse(obj, opt->name, opt->value, NULL)) {
            g_free(object_property_print(obj, opt->name, NULL));
        }
    }
    object_unref(obj);
}

static FuzzParser *const parsers[] = {
    fuzz_numbers, fuzz_opts, fuzz_memory, fuzz_smp, fuzz_properties,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_sandbox_enter(*argc, *argv);
    error_init("fuzz-cmdline");
    fuzz_machine_new(NULL, NULL, NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *s = NULL;

    if (!size) {
        return 0;
    }
    s = g_strndup((const char *)data + 1, size - 1);
    parsers[data[0] % ARRAY_SIZE(parsers)](s);
    return 0;
}
