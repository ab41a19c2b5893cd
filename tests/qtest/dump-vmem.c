/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-vmem.c: the virtio-mem machine of the dump qtests (dump-vmem.h).
 */
#include <string.h>
#include "dump-vmem.h"

void vm_start(VM *v, uint64_t maxmem, const char *backend,
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

void vm_stop(VM *v)
{
    model_free(&v->model);
    qvirtio_mem_free(v->vm);
    guest_alloc_destroy(v->alloc);
    qtest_quit(v->qts);
}

void plug(VM *v, uint64_t first, uint16_t n)
{
    g_assert_cmpuint(qvirtio_mem_plug(v->vm, blk(v, first), n), ==,
                     VIRTIO_MEM_RESP_ACK);
}

void unplug(VM *v, uint64_t first, uint16_t n)
{
    g_assert_cmpuint(qvirtio_mem_unplug(v->vm, blk(v, first), n), ==,
                     VIRTIO_MEM_RESP_ACK);
    model_forget(&v->model, blk(v, first), n * v->cfg.block_size);
}

const uint64_t FRAG_RUNS[FRAG_RUNS_LEN] = {
    0, 3, 5, 6, 7, 9, 100, 111, 511, 512,
};

void vm_start_fragmented(VM *v)
{
    vm_start(v, 4 * GiB, "memory-backend-memfd,size=1G",
             "requested-size=1G", "");
    for (unsigned i = 0; i < FRAG_RUNS_LEN; i += 2) {
        plug(v, FRAG_RUNS[i], FRAG_RUNS[i + 1] - FRAG_RUNS[i]);
    }
    /* data across the blocks of the first run, and elsewhere */
    model_write(v->qts, &v->model, blk(v, 0) + 4096, 3 * MiB, 11);
    model_write(v->qts, &v->model, blk(v, 5) + 100, 1000, 12);
    model_write(v->qts, &v->model, blk(v, 110), 2 * MiB, 13);
    model_write(v->qts, &v->model, blk(v, 512) - 4096, 4096, 14);
    model_write(v->qts, &v->model, 1 * MiB, 1 * MiB, 15);  /* base RAM */
}
