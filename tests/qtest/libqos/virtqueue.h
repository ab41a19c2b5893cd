/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtqueue.h: a test-side driver for split virtqueues in guest RAM.
 *
 * The rings live in memory from a QGuestAllocator.  The driver keeps a
 * host-side copy of its descriptor table and available ring: adding
 * chains only changes that copy, and qvirtqueue_kick() writes what
 * changed in as few qtest writes as it can (contiguous runs), then the
 * available index, then QueueNotify.  So a test can stage hundreds of
 * requests and send them with one kick:
 *
 *     for (i = 0; i < n; i++) {
 *         QVirtQueueBuf bufs[] = { { req[i], 24, false },
 *                                  { resp[i], 10, true } };
 *         head[i] = qvirtqueue_add(vq, bufs, 2);
 *     }
 *     qvirtqueue_kick(vq);
 *     for (i = 0; i < n; i++) {
 *         g_assert_true(qvirtqueue_get_used(vq, &id, &len));
 *     }
 *
 * The device processes a kick before the qtest write returns, so "wait
 * for used" is a read of the used index (bounded retry for safety).
 * Tests of hostile drivers corrupt rings through the addresses
 * qvirtqueue_desc_addr() & co. return.
 */
#ifndef LIBQOS_VIRTQUEUE_H
#define LIBQOS_VIRTQUEUE_H

#include "libqos/guest-alloc.h"
#include "libqos/virtio-mmio.h"
#include "standard-headers/linux/virtio_ring.h"

typedef struct QVirtQueue QVirtQueue;

/**
 * struct QVirtQueueBuf: one buffer of a chain.
 * @addr, @len: guest-physical buffer.
 * @write: device-writable (VRING_DESC_F_WRITE).
 */
typedef struct QVirtQueueBuf {
    uint64_t addr;
    uint32_t len;
    bool write;
} QVirtQueueBuf;

/**
 * qvirtqueue_setup: allocate rings of @num entries for queue @index of
 * @d (num a power of two no larger than QueueNumMax), write QueueNum and
 * the addresses, set QueueReady and check it reads back 1.
 * Returns: the queue; free with qvirtqueue_cleanup().
 */
QVirtQueue *qvirtqueue_setup(QVirtioMMIODevice *d, QGuestAllocator *alloc,
                             unsigned int index, unsigned int num);
/**
 * qvirtqueue_cleanup: give the rings (and indirect tables) back to the
 * allocator.  The device must no longer use them (reset it first).
 */
void qvirtqueue_cleanup(QVirtQueue *vq);

unsigned int qvirtqueue_num(QVirtQueue *vq);
uint64_t qvirtqueue_desc_addr(QVirtQueue *vq);
uint64_t qvirtqueue_avail_addr(QVirtQueue *vq);
uint64_t qvirtqueue_used_addr(QVirtQueue *vq);
/** qvirtqueue_free_descs: descriptors available for new chains. */
unsigned int qvirtqueue_free_descs(QVirtQueue *vq);

/**
 * qvirtqueue_add: stage a chain of @n direct descriptors for @bufs
 * (readable ones first, as the specification asks).
 * Returns: the head index, or -1 if there are not @n free descriptors
 * or the available ring is full.
 */
int qvirtqueue_add(QVirtQueue *vq, const QVirtQueueBuf *bufs, unsigned int n);
/**
 * qvirtqueue_add_indirect: stage one descriptor pointing to an indirect
 * table of @n entries for @bufs (written at kick).  The device must have
 * offered, and the driver negotiated, VIRTIO_RING_F_INDIRECT_DESC.
 * Returns: the head, or -1 if the queue is full.
 */
int qvirtqueue_add_indirect(QVirtQueue *vq, const QVirtQueueBuf *bufs,
                            unsigned int n);

/**
 * qvirtqueue_kick: write the staged descriptors, indirect tables and
 * available entries, publish the new available index, and notify.  With
 * EVENT_IDX negotiated, used_event first asks for an interrupt at the
 * next used element the driver has not consumed.
 * Returns: how many chains were published.
 */
unsigned int qvirtqueue_kick(QVirtQueue *vq);

/**
 * qvirtqueue_get_used: take the next used element, if the device has
 * published one: its chain's descriptors become free again.
 * @head, @len: the element's id and written length (may be NULL).
 * Returns: false if there is none.
 */
bool qvirtqueue_get_used(QVirtQueue *vq, uint32_t *head, uint32_t *len);
/**
 * qvirtqueue_wait_used: qvirtqueue_get_used, retried for up to a second
 * (the device answers within the kick; a missing answer is a failure).
 */
bool qvirtqueue_wait_used(QVirtQueue *vq, uint32_t *head, uint32_t *len);
/** qvirtqueue_used_idx: the device's used index as it is in guest RAM. */
uint16_t qvirtqueue_used_idx(QVirtQueue *vq);

/**
 * qvirtqueue_set_used_event / qvirtqueue_set_avail_flags: write the
 * interrupt-suppression fields (EVENT_IDX's used_event, or
 * VRING_AVAIL_F_NO_INTERRUPT).
 */
void qvirtqueue_set_used_event(QVirtQueue *vq, uint16_t idx);
void qvirtqueue_set_avail_flags(QVirtQueue *vq, uint16_t flags);

#endif /* LIBQOS_VIRTQUEUE_H */
