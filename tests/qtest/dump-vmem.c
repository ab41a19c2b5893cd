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
