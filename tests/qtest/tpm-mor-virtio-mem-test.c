/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tpm-mor-virtio-mem-test.c: the TPM memory-overwrite clear with a
 * virtio-mem device whose plugged blocks hold secrets.  System reset
 * unplugs everything (virtio-mem's handler, an ordinary one) before the
 * clear runs (a late handler), whichever -device comes first: afterwards
 * the plugged blocks read zero, the memfd behind them holds no more
 * blocks than before (none), the clear covered base RAM only (its trace
 * says how many bytes), and base RAM, ROM and the PPI buffer are as in
 * tpm-mor-test.c.  Built once the libqos virtio-mem driver is in the
 * tree; skipped, saying why, without swtpm.
 */
#include "libqos/virtio-mem.h"
#include "tpm-mor-util.h"

#define VMEM_BLOCK      (2 * MiB)
#define VMEM_BASE_RAM   (512 * MiB)
/* What the clear covers without the device: base RAM around the 64 KiB
 * isa-bios window, and the CRB command buffer (0xf80 bytes). */
#define VMEM_CLEARED    (VMEM_BASE_RAM - BIOS_SIZE + CRB_CMD_BUFFER_SIZE)

static void test_virtio_mem(gconstpointer opaque)
{
    bool vmem_first = GPOINTER_TO_INT(opaque);
    static const char vmem_dev[] =
        "-object memory-backend-memfd,id=mem0,size=1G "
        "-device virtio-mem-device,id=vm0,memdev=mem0,requested-size=64M";
    g_autofree char *args = NULL;
    g_autofree char *memfd = NULL;
    g_autofree char *trace = NULL;
    QGuestAllocator *alloc;
    QVirtioMem *vm;
    QVirtioMemConfig cfg;
    uint64_t before;
    MorVm *v;

    if (swtpm_test_skip()) {
        return;
    }
    /* Reset handlers are registered in -device order: try both. */
    args = g_strdup_printf("-m 512M,maxmem=4G %s",
                           vmem_first ? vmem_dev : "");
    v = mor_vm_start_with(args, vmem_first ? "" : vmem_dev);
    alloc = guest_alloc_new(1 * MiB, VMEM_BASE_RAM);
    vm = qvirtio_mem_init(v->qts, alloc, 0);
    qvirtio_mem_read_config(vm, &cfg);
    g_assert_cmpuint(cfg.block_size, ==, VMEM_BLOCK);
    g_assert_cmphex(qvirtio_mem_plug(vm, cfg.addr, 4), ==,
                    VIRTIO_MEM_RESP_ACK);
    g_assert_cmphex(qvirtio_mem_plug(vm, cfg.addr + 10 * VMEM_BLOCK, 1), ==,
                    VIRTIO_MEM_RESP_ACK);
    /* Secrets in plugged blocks 0-3; block 10 plugged, never written. */
    write_secret(v->qts, cfg.addr, 4 * VMEM_BLOCK);
    write_secret(v->qts, 256 * MiB, SECRET_SIZE);
    memfd = find_memfd(qtest_pid(v->qts));
    before = allocated_bytes(memfd);
    g_assert_cmpuint(before, >=, 4 * VMEM_BLOCK);
    fill_ppi(v->qts, MOVV_CLEAR);

    system_reset(v->qts);
    /* Unplugged by the device's reset; nothing of it cleared or
     * populated by the MOR clear (measured before anything reads it). */
    g_assert_cmpuint(allocated_bytes(memfd), <=, before);
    g_assert_cmpuint(allocated_bytes(memfd), ==, 0);
    qvirtio_mem_read_config(vm, &cfg);
    g_assert_cmpuint(cfg.plugged_size, ==, 0);
    check_all(v->qts, cfg.addr, 4 * VMEM_BLOCK, 0);
    check_all(v->qts, 256 * MiB, SECRET_SIZE, 0);
    g_assert_cmpuint(allocated_bytes(memfd), ==, 0);
    check_bios(v->qts);
    check_ppi(v->qts, MOVV_CLEAR);
    trace = read_file(v->trace);
    g_assert_cmpuint(trace_field(trace, "bytes"), ==, VMEM_CLEARED);
    g_assert_cmpuint(trace_field(trace, "skipped"), ==, 2);

    qvirtio_mem_free(vm);
    guest_alloc_destroy(alloc);
    mor_vm_free(v);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/tpm-mor/virtio-mem/device-first",
                         GINT_TO_POINTER(true), test_virtio_mem);
    g_test_add_data_func("/tpm-mor/virtio-mem/device-last",
                         GINT_TO_POINTER(false), test_virtio_mem);
    return g_test_run();
}
