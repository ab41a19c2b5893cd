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
 * no fd leaks.  With virtio-mem, the reset's unplug-all may fail to
 * discard: the blocks it left plugged are zeroed all the same.  Skipped,
 * saying why, when swtpm is missing.
 */
#include "qemu/osdep.h"
#include "../qtest/tpm-mor-util.h"
#include "fault-qtest.h"
#include "libqos/virtio-mem.h"

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
    MorVm *vm;
    int fds;

    if (swtpm_test_skip()) {
        return;
    }
    vm = mor_vm_start(machine);
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
    mor_vm_free(vm);
    fault_tally_report(machine, &t);
    /* the clear discards: a failed discard must have been tried */
    g_assert_cmpuint(t.injected, >, 0);
}

/*
 * With virtio-mem: the system reset unplugs every block (discarding it)
 * before the MOR clear runs.  Whatever fails there, no secret written
 * into a plugged block survives: blocks whose discard failed are still
 * plugged, and the clear zeroes them.
 */
static void test_mor_reset_virtio_mem(void)
{
    FaultTally t = { 0 };
    QGuestAllocator *alloc;
    MorVm *vm;

    if (swtpm_test_skip()) {
        return;
    }
    vm = mor_vm_start_with("-m 512M,maxmem=4G -object memory-backend-memfd,"
                       "id=mem0,size=1G -device virtio-mem-device,id=vm0,"
                       "memdev=mem0,requested-size=64M", "");
    alloc = guest_alloc_new(1 * MiB, 256 * MiB);
    fill_ppi(vm->qts, MOVV_CLEAR);
    for (size_t i = 0; i < fault_n_ops; i++) {
        for (unsigned nth = 1;; nth++) {
            QVirtioMem *dev = qvirtio_mem_init(vm->qts, alloc, 0);
            QVirtioMemConfig cfg;
            int64_t hit;

            qvirtio_mem_read_config(dev, &cfg);
            g_assert_cmpuint(qvirtio_mem_unplug_all(dev), ==,
                             VIRTIO_MEM_RESP_ACK);
            g_assert_cmpuint(qvirtio_mem_plug(dev, cfg.addr, 4), ==,
                             VIRTIO_MEM_RESP_ACK);
            for (uint64_t b = 0; b < 4; b++) {
                qtest_memset(vm->qts, cfg.addr + b * cfg.block_size, 0x5e,
                             64 * 1024);
            }
            qvirtio_mem_free(dev);
            fault_qmp_arm(vm->qts, fault_all_ops[i], nth, "EIO");
            system_reset(vm->qts);
            hit = fault_qmp_injected(vm->qts, fault_all_ops[i]);
            fault_qmp_disarm_all(vm->qts);
            for (uint64_t b = 0; b < 4; b++) {
                check_all(vm->qts, cfg.addr + b * cfg.block_size,
                          64 * 1024, 0);
            }
            if (!hit) {
                break;
            }
            fault_tally_hit(&t, i);
            check_ppi(vm->qts, MOVV_CLEAR);
            qtest_qmp_assert_success(vm->qts, "{'execute': 'query-status'}");
            t.survived++;
        }
    }
    guest_alloc_destroy(alloc);
    mor_vm_free(vm);
    fault_tally_report("MOR reset with virtio-mem", &t);
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
    g_test_add_func("/faults/mor-reset/virtio-mem",
                    test_mor_reset_virtio_mem);
    return g_test_run();
}
