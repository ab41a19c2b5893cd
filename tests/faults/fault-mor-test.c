/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fault-mor-test.c: the TPM memory-overwrite clear on reset while each
 * wrapped call fails in turn (fault-loop-test.c explains the loop).
 *
 * The clear gives memory back by discarding it (madvise(DONTNEED) for
 * anonymous RAM, fallocate(PUNCH_HOLE) for a shared memfd); when that
 * fails it must write zeros instead.  So whatever fails, every secret
 * byte reads zero after the reset, the firmware and the PPI buffer keep
 * their contents, the VM answers QMP, the next reset clears again, and
 * no fd leaks.  Skipped, saying why, when swtpm is missing.
 */
#include "qemu/osdep.h"
#include "../qtest/tpm-mor-util.h"

static const char *const all_ops[] = {
    "write", "pwrite", "pwritev", "fsync", "fdatasync", "open", "rename",
    "mmap", "madvise", "fallocate", "copy_file_range", "sendfile",
    "ftruncate", "memfd_create", "malloc", "set_contents",
};

/* Small secrets, below and above the hole, so each try is quick. */
static const uint64_t secret_at[] = { 2 * MiB, 3 * GiB - 4 * MiB,
                                      4 * GiB + 8 * MiB };
#define SMALL_SECRET (1 * MiB)

static void put_secrets(QTestState *qts)
{
    for (size_t i = 0; i < G_N_ELEMENTS(secret_at); i++) {
        qtest_memset(qts, secret_at[i], 0x5e, SMALL_SECRET);
    }
}

static void check_cleared(QTestState *qts)
{
    g_autofree uint8_t *buf = g_malloc(SMALL_SECRET);

    for (size_t i = 0; i < G_N_ELEMENTS(secret_at); i++) {
        qtest_memread(qts, secret_at[i], buf, SMALL_SECRET);
        for (uint64_t j = 0; j < SMALL_SECRET; j++) {
            if (buf[j]) {
                g_error("0x%" PRIx64 " survived the clear",
                        secret_at[i] + j);
            }
        }
    }
}

static int64_t injected(QTestState *qts, const char *op)
{
    g_autoptr(JsonNode) ret = qtest_qmp_assert_success_ref(
        qts, "{'execute': 'x-query-debug-faults'}");
    JsonArray *list = json_node_get_array(ret);

    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *o = json_array_get_object_element(list, i);

        if (!strcmp(json_object_get_string_member(o, "op"), op)) {
            return json_object_get_int_member(o, "injected");
        }
    }
    g_assert_not_reached();
}

static void test_mor_reset(gconstpointer opaque)
{
    const char *machine = opaque;
    unsigned n_injected = 0, n_survived = 0;
    Vm *vm;
    int fds;

    if (swtpm_test_skip()) {
        return;
    }
    vm = vm_start(machine);
    fill_ppi(vm->qts, MOVV_CLEAR);
    put_secrets(vm->qts);
    system_reset(vm->qts);
    check_cleared(vm->qts);
    fds = qtest_count_open_fds(qtest_pid(vm->qts));

    for (size_t i = 0; i < G_N_ELEMENTS(all_ops); i++) {
        for (unsigned nth = 1;; nth++) {
            put_secrets(vm->qts);
            qtest_qmp_assert_success(vm->qts, "{'execute': 'x-debug-fault',"
                                     " 'arguments': {'op': '%s', 'nth': %u,"
                                     " 'mode': 'once', 'errno': 'EIO'}}",
                                     all_ops[i], nth);
            system_reset(vm->qts);
            check_cleared(vm->qts);
            if (!injected(vm->qts, all_ops[i])) {
                break;
            }
            n_injected++;
            qtest_qmp_assert_success(vm->qts, "{'execute': 'x-debug-fault',"
                                     " 'arguments': {'op': 'all', "
                                     "'nth': 0}}");
            check_bios(vm->qts);
            check_ppi(vm->qts, MOVV_CLEAR);
            /* and the next reset, without the fault, clears too */
            put_secrets(vm->qts);
            system_reset(vm->qts);
            check_cleared(vm->qts);
            g_assert_cmpint(qtest_count_open_fds(qtest_pid(vm->qts)), ==,
                            fds);
            n_survived++;
        }
    }
    qtest_qmp_assert_success(vm->qts, "{'execute': 'x-debug-fault', "
                             "'arguments': {'op': 'all', 'nth': 0}}");
    vm_free(vm);
    g_test_message("MOR reset (%s): faults injected = %u, survived = %u",
                   machine, n_injected, n_survived);
    g_assert_cmpuint(n_injected, ==, n_survived);
    /* the clear discards: a failed discard must have been tried */
    g_assert_cmpuint(n_injected, >, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/faults/mor-reset/anonymous", "-m 3136M",
                         test_mor_reset);
    g_test_add_data_func("/faults/mor-reset/memfd",
                         "-m 3136M -object memory-backend-memfd,id=mem0,"
                         "size=3136M,share=on -machine "
                         "memory-backend=mem0", test_mor_reset);
    return g_test_run();
}
