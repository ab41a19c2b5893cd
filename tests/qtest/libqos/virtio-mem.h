/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-mem.h: a test-side virtio-mem driver on top of virtio-mmio.h and
 * virtqueue.h: find the device, negotiate, set its request queue up,
 * read its configuration, and send PLUG / UNPLUG / UNPLUG_ALL / STATE
 * requests, one at a time or many per kick.
 *
 *     QGuestAllocator *alloc = guest_alloc_new(1 * MiB, 256 * MiB);
 *     QVirtioMem *vm = qvirtio_mem_init(qts, alloc, 0);
 *     QVirtioMemConfig cfg;
 *
 *     qvirtio_mem_read_config(vm, &cfg);
 *     g_assert_cmpuint(qvirtio_mem_plug(vm, cfg.addr, 4), ==,
 *                      VIRTIO_MEM_RESP_ACK);
 *     ...
 *     qvirtio_mem_free(vm);
 *
 * Used by the virtio-mem, dump, TPM and demo tests to plug memory the
 * way a guest driver does.  Request and response buffers come from the
 * allocator once, one pair per queue entry, so a batch of up to half the
 * queue size (two descriptors per request) goes out with a single kick.
 * Every function checks the device answered (a used element with the
 * right id and a 10-byte response) and fails the test otherwise; tests of
 * protocol violations build their chains with virtqueue.h directly.
 */
#ifndef LIBQOS_VIRTIO_MEM_H
#define LIBQOS_VIRTIO_MEM_H

#include "libqos/virtqueue.h"
#include "standard-headers/linux/virtio_mem.h"

/* The features qvirtio_mem_init() accepts when offered. */
#define QVIRTIO_MEM_DEFAULT_FEATURES \
    ((1ULL << VIRTIO_F_VERSION_1) | \
     (1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE) | \
     (1ULL << VIRTIO_RING_F_EVENT_IDX))

/* Queue size qvirtio_mem_init() asks for (QueueNumMax is 1024). */
#define QVIRTIO_MEM_QUEUE_SIZE 1024

/** struct QVirtioMemConfig: the configuration space, host byte order. */
typedef struct QVirtioMemConfig {
    uint64_t block_size;
    uint16_t node_id;
    uint64_t addr;
    uint64_t region_size;
    uint64_t usable_region_size;
    uint64_t plugged_size;
    uint64_t requested_size;
} QVirtioMemConfig;

/**
 * struct QVirtioMemReq: one request of a batch.
 * @type: VIRTIO_MEM_REQ_*.
 * @addr, @nb_blocks: the range (ignored for UNPLUG_ALL).
 * @resp: out: VIRTIO_MEM_RESP_*.
 * @state: out: VIRTIO_MEM_STATE_* (STATE requests answered ACK).
 */
typedef struct QVirtioMemReq {
    uint16_t type;
    uint64_t addr;
    uint16_t nb_blocks;
    uint16_t resp;
    uint16_t state;
} QVirtioMemReq;

/**
 * struct QVirtioMem
 * @dev: the transport driver; @vq: request queue 0.
 * @alloc: where the rings and buffers came from (borrowed).
 * @req_base, @resp_base: one request (24 bytes) and one response slot
 *     (16 bytes) per queue entry.
 * @use_indirect: send each request as one indirect descriptor (set
 *     before sending; needs VIRTIO_RING_F_INDIRECT_DESC negotiated).
 */
typedef struct QVirtioMem {
    QTestState *qts;
    QVirtioMMIODevice *dev;
    QVirtQueue *vq;
    QGuestAllocator *alloc;
    uint64_t req_base;
    uint64_t resp_base;
    bool use_indirect;
} QVirtioMem;

/**
 * qvirtio_mem_init: the @nth virtio-mem device: negotiate
 * QVIRTIO_MEM_DEFAULT_FEATURES (those offered), set up a queue of
 * QVIRTIO_MEM_QUEUE_SIZE entries, DRIVER_OK.
 */
QVirtioMem *qvirtio_mem_init(QTestState *qts, QGuestAllocator *alloc,
                             int nth);
/**
 * qvirtio_mem_init_full: the same on transport @slot with @features
 * (which must be accepted) and a queue of @queue_size entries.
 */
QVirtioMem *qvirtio_mem_init_full(QTestState *qts, QGuestAllocator *alloc,
                                  int slot, uint64_t features,
                                  unsigned int queue_size);
/**
 * qvirtio_mem_free: reset the device (plugged blocks stay plugged: a
 * virtio reset does not unplug) and give the guest memory back.
 */
void qvirtio_mem_free(QVirtioMem *vm);

/** qvirtio_mem_read_config: every configuration field. */
void qvirtio_mem_read_config(QVirtioMem *vm, QVirtioMemConfig *cfg);

/**
 * qvirtio_mem_submit: send @n requests, as many per kick as the queue
 * takes, and fill in each answer.  The device's interrupt is acknowledged
 * after each kick.
 */
void qvirtio_mem_submit(QVirtioMem *vm, QVirtioMemReq *reqs, size_t n);

/** qvirtio_mem_plug / _unplug: one request; returns the response type. */
uint16_t qvirtio_mem_plug(QVirtioMem *vm, uint64_t addr, uint16_t nb_blocks);
uint16_t qvirtio_mem_unplug(QVirtioMem *vm, uint64_t addr,
                            uint16_t nb_blocks);
/** qvirtio_mem_unplug_all: one UNPLUG_ALL; returns the response type. */
uint16_t qvirtio_mem_unplug_all(QVirtioMem *vm);
/**
 * qvirtio_mem_state: one STATE request.
 * @state: out: VIRTIO_MEM_STATE_* when the answer is ACK.
 */
uint16_t qvirtio_mem_state(QVirtioMem *vm, uint64_t addr, uint16_t nb_blocks,
                           uint16_t *state);

/**
 * qvirtio_mem_plug_ranges: PLUG @nb_blocks at each of @addrs[0..@n), in
 * batches (many ranges per kick).
 * Returns: how many were acknowledged.
 */
size_t qvirtio_mem_plug_ranges(QVirtioMem *vm, const uint64_t *addrs,
                               size_t n, uint16_t nb_blocks);

#endif /* LIBQOS_VIRTIO_MEM_H */
