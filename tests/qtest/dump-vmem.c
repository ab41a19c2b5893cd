/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-vmem.c: the virtio-mem machine of the dump qtests (dump-vmem.h).
 */
#include <string.h>
#include "dump-vmem.h"

void vmem_start(VmemMachine *v, uint64_t maxmem, const char *backend,
              const char *dev_opts, const char *machine_opts)
{
    memset(v, 0, sizeof(*v));
    v->qts = qtest_initf("-machine microvm%s -m 512M,maxmem=%" PRIu64
                         " -object %s,id=mem0 -device virtio-mem-device,"
                         "id=vm0,memdev=mem0,%s", machine_opts, maxmem,
                         backend, dev_opts);
    v->alloc = guest_alloc_new(VMEM_ALLOC_START, VMEM_RAM_SIZE);
    v->vm = qvirtio_mem_init(v->qts, v->alloc, 0);
    qvirtio_mem_read_config(v->vm, &v->cfg);
    model_init(&v->model);
    model_foreign(&v->model, VMEM_ALLOC_START,
                  VMEM_RAM_SIZE - VMEM_ALLOC_START);
}

void vmem_stop(VmemMachine *v)
{
    model_free(&v->model);
    qvirtio_mem_free(v->vm);
    guest_alloc_destroy(v->alloc);
    qtest_quit(v->qts);
}

void vmem_plug(VmemMachine *v, uint64_t first, uint16_t n)
{
    g_assert_cmpuint(qvirtio_mem_plug(v->vm, vmem_blk(v, first), n), ==,
                     VIRTIO_MEM_RESP_ACK);
}

void vmem_unplug(VmemMachine *v, uint64_t first, uint16_t n)
{
    g_assert_cmpuint(qvirtio_mem_unplug(v->vm, vmem_blk(v, first), n), ==,
                     VIRTIO_MEM_RESP_ACK);
    model_forget(&v->model, vmem_blk(v, first), n * v->cfg.block_size);
}

const uint64_t FRAG_RUNS[FRAG_RUNS_LEN] = {
    0, 3, 5, 6, 7, 9, 100, 111, 511, 512,
};

void vmem_start_fragmented(VmemMachine *v)
{
    vmem_start(v, 4 * GiB, "memory-backend-memfd,size=1G",
             "requested-size=1G", "");
    for (unsigned i = 0; i < FRAG_RUNS_LEN; i += 2) {
        vmem_plug(v, FRAG_RUNS[i], FRAG_RUNS[i + 1] - FRAG_RUNS[i]);
    }
    /* data across the blocks of the first run, and elsewhere */
    model_write(v->qts, &v->model, vmem_blk(v, 0) + 4096, 3 * MiB, 11);
    model_write(v->qts, &v->model, vmem_blk(v, 5) + 100, 1000, 12);
    model_write(v->qts, &v->model, vmem_blk(v, 110), 2 * MiB, 13);
    model_write(v->qts, &v->model, vmem_blk(v, 512) - 4096, 4096, 14);
    model_write(v->qts, &v->model, 1 * MiB, 1 * MiB, 15);  /* base RAM */
}
