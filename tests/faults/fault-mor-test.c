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
#include "fault-qtest.h"

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

static void test_mor_reset(gconstpointer opaque)
{
    const char *machine = opaque;
    FaultTally t = { 0 };
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

    for (size_t i = 0; i < fault_n_ops; i++) {
        for (unsigned nth = 1;; nth++) {
            put_secrets(vm->qts);
            fault_qmp_arm(vm->qts, fault_all_ops[i], nth, "EIO");
            system_reset(vm->qts);
            check_cleared(vm->qts);
            if (!fault_qmp_injected(vm->qts, fault_all_ops[i])) {
                break;
            }
            fault_tally_hit(&t, i);
            fault_qmp_disarm_all(vm->qts);
            check_bios(vm->qts);
            check_ppi(vm->qts, MOVV_CLEAR);
            /* and the next reset, without the fault, clears too */
            put_secrets(vm->qts);
            system_reset(vm->qts);
            check_cleared(vm->qts);
            g_assert_cmpint(qtest_count_open_fds(qtest_pid(vm->qts)), ==,
                            fds);
            t.survived++;
        }
    }
    fault_qmp_disarm_all(vm->qts);
    vm_free(vm);
    fault_tally_report(machine, &t);
    /* the clear discards: a failed discard must have been tried */
    g_assert_cmpuint(t.injected, >, 0);
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
