/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-mem.c: the test-side virtio-mem driver (see virtio-mem.h).
 *
 * A batch: responses pre-filled with 0xff (so an unanswered request
 * cannot pass for an ACK), all requests written with one qtest write,
 * one chain per request staged, one kick, then every used element read
 * back and checked (id of a chain of this batch, 10 bytes written), the
 * responses read with one qtest read, the interrupt acknowledged.
 */
#include "libqos/virtio-mem.h"

#define RESP_SLOT 16    /* a 10-byte response, padded */

QVirtioMem *qvirtio_mem_init_full(QTestState *qts, QGuestAllocator *alloc,
                                  int slot, uint64_t features,
                                  unsigned int queue_size)
{
    QVirtioMem *vm = g_new0(QVirtioMem, 1);

    vm->qts = qts;
    vm->alloc = alloc;
    vm->dev = qvirtio_mmio_new(qts, slot);
    g_assert_cmpuint(vm->dev->device_id, ==, VIRTIO_ID_MEM);
    g_assert_true(qvirtio_negotiate_exact(vm->dev, features));
    vm->vq = qvirtqueue_setup(vm->dev, alloc, 0, queue_size);
    vm->req_base = guest_alloc(alloc, queue_size * VIRTIO_MEM_REQ_SIZE, 64);
    vm->resp_base = guest_alloc(alloc, queue_size * RESP_SLOT, 64);
    qvirtio_driver_ok(vm->dev);
    return vm;
}

QVirtioMem *qvirtio_mem_init(QTestState *qts, QGuestAllocator *alloc,
                             int nth)
{
    int slot = qvirtio_mmio_find_slot(qts, VIRTIO_ID_MEM, nth);
    QVirtioMMIODevice *probe;
    uint64_t offered;

    g_assert_cmpint(slot, >=, 0);
    probe = qvirtio_mmio_new(qts, slot);
    offered = qvirtio_get_device_features(probe);
    g_free(probe);
    return qvirtio_mem_init_full(qts, alloc, slot,
                                 offered & QVIRTIO_MEM_DEFAULT_FEATURES,
                                 QVIRTIO_MEM_QUEUE_SIZE);
}

void qvirtio_mem_free(QVirtioMem *vm)
{
    if (!vm) {
        return;
    }
    qvirtio_reset(vm->dev);
    qvirtqueue_cleanup(vm->vq);
    guest_free(vm->alloc, vm->req_base);
    guest_free(vm->alloc, vm->resp_base);
    g_free(vm->dev);
    g_free(vm);
}

void qvirtio_mem_read_config(QVirtioMem *vm, QVirtioMemConfig *cfg)
{
    QVirtioMMIODevice *d = vm->dev;

#define FIELD(f) offsetof(struct virtio_mem_config, f)
    cfg->block_size = qvirtio_config_read64(d, FIELD(block_size));
    cfg->node_id = qvirtio_config_read16(d, FIELD(node_id));
    cfg->addr = qvirtio_config_read64(d, FIELD(addr));
    cfg->region_size = qvirtio_config_read64(d, FIELD(region_size));
    cfg->usable_region_size = qvirtio_config_read64(d,
                                                    FIELD(usable_region_size));
    cfg->plugged_size = qvirtio_config_read64(d, FIELD(plugged_size));
    cfg->requested_size = qvirtio_config_read64(d, FIELD(requested_size));
#undef FIELD
}

/* Requests per kick: two descriptors each, or one with indirect tables. */
static size_t batch_capacity(QVirtioMem *vm)
{
    unsigned int num = qvirtqueue_num(vm->vq);

    return vm->use_indirect ? num : num / 2;
}

static void submit_batch(QVirtioMem *vm, QVirtioMemReq *reqs, size_t n)
{
    g_autofree struct virtio_mem_req *wire = g_new0(struct virtio_mem_req, n);
    g_autofree uint8_t *resp = g_malloc(n * RESP_SLOT);
    g_autofree int *slot_of_head = g_new(int, qvirtqueue_num(vm->vq));

    for (size_t i = 0; i < n; i++) {
        wire[i].type = GUINT16_TO_LE(reqs[i].type);
        wire[i].addr = GUINT64_TO_LE(reqs[i].addr);
        wire[i].nb_blocks = GUINT16_TO_LE(reqs[i].nb_blocks);
    }
    qtest_memset(vm->qts, vm->resp_base, 0xff, n * RESP_SLOT);
    qtest_memwrite(vm->qts, vm->req_base, wire, n * sizeof(*wire));
    for (unsigned int i = 0; i < qvirtqueue_num(vm->vq); i++) {
        slot_of_head[i] = -1;
    }
    for (size_t i = 0; i < n; i++) {
        QVirtQueueBuf bufs[2] = {
            { vm->req_base + i * VIRTIO_MEM_REQ_SIZE, VIRTIO_MEM_REQ_SIZE,
              false },
            { vm->resp_base + i * RESP_SLOT, VIRTIO_MEM_RESP_SIZE, true },
        };
        int head = vm->use_indirect ?
                   qvirtqueue_add_indirect(vm->vq, bufs, 2) :
                   qvirtqueue_add(vm->vq, bufs, 2);

        g_assert_cmpint(head, >=, 0);
        slot_of_head[head] = i;
    }
    qvirtqueue_kick(vm->vq);
    for (size_t done = 0; done < n; done++) {
        uint32_t head, len;

        g_assert_true(qvirtqueue_wait_used(vm->vq, &head, &len));
        g_assert_cmpint(slot_of_head[head], >=, 0);
        g_assert_cmpuint(len, ==, VIRTIO_MEM_RESP_SIZE);
        slot_of_head[head] = -1;
    }
    qtest_memread(vm->qts, vm->resp_base, resp, n * RESP_SLOT);
    for (size_t i = 0; i < n; i++) {
        struct virtio_mem_resp r;

        memcpy(&r, resp + i * RESP_SLOT, sizeof(r));
        reqs[i].resp = GUINT16_FROM_LE(r.type);
        reqs[i].state = GUINT16_FROM_LE(r.state);
    }
    qvirtio_isr_ack(vm->dev, qvirtio_isr(vm->dev));
}

void qvirtio_mem_submit(QVirtioMem *vm, QVirtioMemReq *reqs, size_t n)
{
    size_t cap = batch_capacity(vm);

    for (size_t i = 0; i < n; i += cap) {
        submit_batch(vm, reqs + i, MIN(cap, n - i));
    }
}

static uint16_t one_request(QVirtioMem *vm, uint16_t type, uint64_t addr,
                            uint16_t nb_blocks, uint16_t *state)
{
    QVirtioMemReq r = { .type = type, .addr = addr, .nb_blocks = nb_blocks };

    qvirtio_mem_submit(vm, &r, 1);
    if (state) {
        *state = r.state;
    }
    return r.resp;
}

uint16_t qvirtio_mem_plug(QVirtioMem *vm, uint64_t addr, uint16_t nb_blocks)
{
    return one_request(vm, VIRTIO_MEM_REQ_PLUG, addr, nb_blocks, NULL);
}

uint16_t qvirtio_mem_unplug(QVirtioMem *vm, uint64_t addr,
                            uint16_t nb_blocks)
{
    return one_request(vm, VIRTIO_MEM_REQ_UNPLUG, addr, nb_blocks, NULL);
}

uint16_t qvirtio_mem_unplug_all(QVirtioMem *vm)
{
    return one_request(vm, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0, NULL);
}

uint16_t qvirtio_mem_state(QVirtioMem *vm, uint64_t addr, uint16_t nb_blocks,
                           uint16_t *state)
{
    return one_request(vm, VIRTIO_MEM_REQ_STATE, addr, nb_blocks, state);
}

size_t qvirtio_mem_plug_ranges(QVirtioMem *vm, const uint64_t *addrs,
                               size_t n, uint16_t nb_blocks)
{
    g_autofree QVirtioMemReq *reqs = g_new0(QVirtioMemReq, n);
    size_t acked = 0;

    for (size_t i = 0; i < n; i++) {
        reqs[i].type = VIRTIO_MEM_REQ_PLUG;
        reqs[i].addr = addrs[i];
        reqs[i].nb_blocks = nb_blocks;
    }
    qvirtio_mem_submit(vm, reqs, n);
    for (size_t i = 0; i < n; i++) {
        acked += reqs[i].resp == VIRTIO_MEM_RESP_ACK;
    }
    return acked;
}
