/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtqueue.c: the test-side split virtqueue driver (see virtqueue.h).
 *
 * Host-side state mirrors what the driver owns in guest RAM:
 *  - shadow[]: the descriptor table (host byte order); dirty[] marks
 *    entries staged since the last kick;
 *  - a free list threaded through shadow[].next, as Linux keeps it;
 *  - avail_ring[]: ring entries; avail_idx is the next index to use,
 *    published_idx the index last written to guest RAM;
 *  - chain_len[head] / indirect[head]: what to free when @head comes back;
 *  - used_cache[]: used elements read in bulk (one read of the used index
 *    and at most two of the ring for everything new), consumed one by one.
 */
#include "libqos/virtqueue.h"

/* Pending indirect table: written to guest RAM at the next kick. */
typedef struct PendingTable {
    uint64_t addr;
    struct vring_desc *entries;     /* little-endian, ready to write */
    unsigned int n;
} PendingTable;

struct QVirtQueue {
    QVirtioMMIODevice *dev;
    QGuestAllocator *alloc;
    unsigned int index;
    unsigned int num;
    uint64_t desc;
    uint64_t avail;
    uint64_t used;
    struct vring_desc *shadow;
    bool *dirty;
    uint16_t free_head;
    unsigned int num_free;
    unsigned int *chain_len;
    uint64_t *indirect;
    GArray *pending;                /* PendingTable */
    uint16_t *avail_ring;
    uint16_t avail_idx;
    uint16_t published_idx;
    struct vring_used_elem *used_cache;
    uint16_t last_used_idx;         /* next used element to consume */
    uint16_t seen_used_idx;         /* used index as last read */
};

#define RING_ALIGN 4096

QVirtQueue *qvirtqueue_setup(QVirtioMMIODevice *d, QGuestAllocator *alloc,
                             unsigned int index, unsigned int num)
{
    QVirtQueue *vq = g_new0(QVirtQueue, 1);

    g_assert_true(num && !(num & (num - 1)));
    vq->dev = d;
    vq->alloc = alloc;
    vq->index = index;
    vq->num = num;
    vq->shadow = g_new0(struct vring_desc, num);
    vq->dirty = g_new0(bool, num);
    vq->chain_len = g_new0(unsigned int, num);
    vq->indirect = g_new0(uint64_t, num);
    vq->avail_ring = g_new0(uint16_t, num);
    vq->used_cache = g_new0(struct vring_used_elem, num);
    vq->pending = g_array_new(false, false, sizeof(PendingTable));
    for (unsigned int i = 0; i < num; i++) {
        vq->shadow[i].next = i + 1;
    }
    vq->num_free = num;

    vq->desc = guest_alloc(alloc, vring_desc_size(num), RING_ALIGN);
    vq->avail = guest_alloc(alloc, vring_avail_size(num), RING_ALIGN);
    vq->used = guest_alloc(alloc, vring_used_size(num), RING_ALIGN);
    qtest_memset(d->qts, vq->desc, 0, vring_desc_size(num));
    qtest_memset(d->qts, vq->avail, 0, vring_avail_size(num));
    qtest_memset(d->qts, vq->used, 0, vring_used_size(num));

    qvirtio_mmio_writel(d, VIRTIO_MMIO_QUEUE_SEL, index);
    g_assert_cmpuint(qvirtio_mmio_readl(d, VIRTIO_MMIO_QUEUE_NUM_MAX), >=,
                     num);
    qvirtio_mmio_writel(d, VIRTIO_MMIO_QUEUE_NUM, num);
    qvirtio_mmio_writel(d, VIRTIO_MMIO_QUEUE_DESC_LOW, vq->desc);
    qvirtio_mmio_writel(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, vq->desc >> 32);
    qvirtio_mmio_writel(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, vq->avail);
    qvirtio_mmio_writel(d, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, vq->avail >> 32);
    qvirtio_mmio_writel(d, VIRTIO_MMIO_QUEUE_USED_LOW, vq->used);
    qvirtio_mmio_writel(d, VIRTIO_MMIO_QUEUE_USED_HIGH, vq->used >> 32);
    qvirtio_mmio_writel(d, VIRTIO_MMIO_QUEUE_READY, 1);
    g_assert_cmpuint(qvirtio_mmio_readl(d, VIRTIO_MMIO_QUEUE_READY), ==, 1);
    return vq;
}

void qvirtqueue_cleanup(QVirtQueue *vq)
{
    if (!vq) {
        return;
    }
    for (unsigned int i = 0; i < vq->num; i++) {
        guest_free(vq->alloc, vq->indirect[i]);
    }
    for (guint i = 0; i < vq->pending->len; i++) {
        g_free(g_array_index(vq->pending, PendingTable, i).entries);
    }
    g_array_free(vq->pending, true);
    guest_free(vq->alloc, vq->desc);
    guest_free(vq->alloc, vq->avail);
    guest_free(vq->alloc, vq->used);
    g_free(vq->shadow);
    g_free(vq->dirty);
    g_free(vq->chain_len);
    g_free(vq->indirect);
    g_free(vq->avail_ring);
    g_free(vq->used_cache);
    g_free(vq);
}

unsigned int qvirtqueue_num(QVirtQueue *vq)
{
    return vq->num;
}

uint64_t qvirtqueue_desc_addr(QVirtQueue *vq)
{
    return vq->desc;
}

uint64_t qvirtqueue_avail_addr(QVirtQueue *vq)
{
    return vq->avail;
}

uint64_t qvirtqueue_used_addr(QVirtQueue *vq)
{
    return vq->used;
}

unsigned int qvirtqueue_free_descs(QVirtQueue *vq)
{
    return vq->num_free;
}

/* ---------------------------------------------------------------- staging */

/* Room for one more chain of @n descriptors in the table and the ring. */
static bool has_room(QVirtQueue *vq, unsigned int n)
{
    return n && n <= vq->num_free &&
           (uint16_t)(vq->avail_idx - vq->last_used_idx) < vq->num;
}

/* Take @n descriptors off the free list, chained; returns the head. */
static uint16_t take_descs(QVirtQueue *vq, unsigned int n)
{
    uint16_t head = vq->free_head;

    for (unsigned int k = 0; k < n; k++) {
        uint16_t i = vq->free_head;

        vq->free_head = vq->shadow[i].next;
        vq->shadow[i].flags = k + 1 < n ? VRING_DESC_F_NEXT : 0;
        vq->shadow[i].next = k + 1 < n ? vq->free_head : 0;
        vq->dirty[i] = true;
    }
    vq->num_free -= n;
    vq->chain_len[head] = n;
    return head;
}

static void publish(QVirtQueue *vq, uint16_t head)
{
    vq->avail_ring[vq->avail_idx % vq->num] = head;
    vq->avail_idx++;
}

int qvirtqueue_add(QVirtQueue *vq, const QVirtQueueBuf *bufs, unsigned int n)
{
    uint16_t head, i;

    if (!has_room(vq, n)) {
        return -1;
    }
    head = take_descs(vq, n);
    i = head;
    for (unsigned int k = 0; k < n; k++) {
        vq->shadow[i].addr = bufs[k].addr;
        vq->shadow[i].len = bufs[k].len;
        if (bufs[k].write) {
            vq->shadow[i].flags |= VRING_DESC_F_WRITE;
        }
        i = vq->shadow[i].next;
    }
    publish(vq, head);
    return head;
}

int qvirtqueue_add_indirect(QVirtQueue *vq, const QVirtQueueBuf *bufs,
                            unsigned int n)
{
    PendingTable t;
    uint16_t head;

    g_assert_cmpuint(n, >, 0);
    if (!has_room(vq, 1)) {
        return -1;
    }
    t.n = n;
    t.addr = guest_alloc(vq->alloc, n * sizeof(struct vring_desc),
                         sizeof(struct vring_desc));
    t.entries = g_new0(struct vring_desc, n);
    for (unsigned int k = 0; k < n; k++) {
        uint16_t flags = (bufs[k].write ? VRING_DESC_F_WRITE : 0) |
                         (k + 1 < n ? VRING_DESC_F_NEXT : 0);

        t.entries[k].addr = GUINT64_TO_LE(bufs[k].addr);
        t.entries[k].len = GUINT32_TO_LE(bufs[k].len);
        t.entries[k].flags = GUINT16_TO_LE(flags);
        t.entries[k].next = GUINT16_TO_LE(k + 1 < n ? k + 1 : 0);
    }
    g_array_append_val(vq->pending, t);

    head = take_descs(vq, 1);
    vq->shadow[head].addr = t.addr;
    vq->shadow[head].len = n * sizeof(struct vring_desc);
    vq->shadow[head].flags = VRING_DESC_F_INDIRECT;
    vq->indirect[head] = t.addr;
    publish(vq, head);
    return head;
}

/* ---------------------------------------------------------------- kicking */

static void write_desc_run(QVirtQueue *vq, unsigned int first,
                           unsigned int count)
{
    g_autofree struct vring_desc *le = g_new(struct vring_desc, count);

    for (unsigned int k = 0; k < count; k++) {
        const struct vring_desc *s = &vq->shadow[first + k];

        le[k].addr = GUINT64_TO_LE(s->addr);
        le[k].len = GUINT32_TO_LE(s->len);
        le[k].flags = GUINT16_TO_LE(s->flags);
        le[k].next = GUINT16_TO_LE(s->next);
        vq->dirty[first + k] = false;
    }
    qtest_memwrite(vq->dev->qts, vq->desc + first * sizeof(*le), le,
                   count * sizeof(*le));
}

static void write_avail_run(QVirtQueue *vq, unsigned int first,
                            unsigned int count)
{
    g_autofree uint16_t *le = g_new(uint16_t, count);

    for (unsigned int k = 0; k < count; k++) {
        le[k] = GUINT16_TO_LE(vq->avail_ring[first + k]);
    }
    qtest_memwrite(vq->dev->qts, vq->avail + 4 + first * sizeof(uint16_t),
                   le, count * sizeof(uint16_t));
}

unsigned int qvirtqueue_kick(QVirtQueue *vq)
{
    QTestState *qts = vq->dev->qts;
    uint16_t count = vq->avail_idx - vq->published_idx;
    unsigned int start = vq->published_idx % vq->num;

    /* Descriptors, in contiguous runs. */
    for (unsigned int i = 0; i < vq->num;) {
        unsigned int j = i;

        while (j < vq->num && vq->dirty[j]) {
            j++;
        }
        if (j > i) {
            write_desc_run(vq, i, j - i);
        }
        i = j + 1;
    }
    for (guint i = 0; i < vq->pending->len; i++) {
        PendingTable *t = &g_array_index(vq->pending, PendingTable, i);

        qtest_memwrite(qts, t->addr, t->entries,
                       t->n * sizeof(struct vring_desc));
        g_free(t->entries);
    }
    g_array_set_size(vq->pending, 0);

    /* Ring entries (at most two runs: the ring may wrap), then the index
     * that publishes them, then the notification. */
    if (count) {
        unsigned int first_run = MIN(count, vq->num - start);

        write_avail_run(vq, start, first_run);
        if (count > first_run) {
            write_avail_run(vq, 0, count - first_run);
        }
    }
    if (vq->dev->features & (1ULL << VIRTIO_RING_F_EVENT_IDX)) {
        /* Interrupt me once the next element I have not seen is used. */
        qvirtqueue_set_used_event(vq, vq->last_used_idx);
    }
    qtest_writew(qts, vq->avail + 2, vq->avail_idx);
    vq->published_idx = vq->avail_idx;
    qvirtio_mmio_writel(vq->dev, VIRTIO_MMIO_QUEUE_NOTIFY, vq->index);
    return count;
}

/* ------------------------------------------------------------ used buffers */

uint16_t qvirtqueue_used_idx(QVirtQueue *vq)
{
    return qtest_readw(vq->dev->qts, vq->used + 2);
}

static void read_used_run(QVirtQueue *vq, unsigned int first,
                          unsigned int count)
{
    qtest_memread(vq->dev->qts,
                  vq->used + 4 + first * sizeof(struct vring_used_elem),
                  &vq->used_cache[first],
                  count * sizeof(struct vring_used_elem));
}

/* Read everything the device published since the last refresh. */
static void refresh_used(QVirtQueue *vq)
{
    uint16_t idx = qvirtqueue_used_idx(vq);
    uint16_t count = idx - vq->seen_used_idx;
    unsigned int start = vq->seen_used_idx % vq->num;
    unsigned int first_run;

    g_assert_cmpuint(count, <=, vq->num);
    if (!count) {
        return;
    }
    first_run = MIN(count, vq->num - start);
    read_used_run(vq, start, first_run);
    if (count > first_run) {
        read_used_run(vq, 0, count - first_run);
    }
    vq->seen_used_idx = idx;
}

static void free_chain(QVirtQueue *vq, uint16_t head)
{
    unsigned int n = vq->chain_len[head];
    uint16_t last = head;

    g_assert_cmpuint(n, >, 0);
    for (unsigned int k = 1; k < n; k++) {
        last = vq->shadow[last].next;
    }
    vq->shadow[last].next = vq->free_head;
    vq->free_head = head;
    vq->num_free += n;
    vq->chain_len[head] = 0;
    guest_free(vq->alloc, vq->indirect[head]);
    vq->indirect[head] = 0;
}

bool qvirtqueue_get_used(QVirtQueue *vq, uint32_t *head, uint32_t *len)
{
    struct vring_used_elem *e;
    uint32_t id;

    if (vq->last_used_idx == vq->seen_used_idx) {
        refresh_used(vq);
        if (vq->last_used_idx == vq->seen_used_idx) {
            return false;
        }
    }
    e = &vq->used_cache[vq->last_used_idx % vq->num];
    id = GUINT32_FROM_LE(e->id);
    g_assert_cmpuint(id, <, vq->num);
    free_chain(vq, id);
    vq->last_used_idx++;
    if (head) {
        *head = id;
    }
    if (len) {
        *len = GUINT32_FROM_LE(e->len);
    }
    return true;
}

bool qvirtqueue_wait_used(QVirtQueue *vq, uint32_t *head, uint32_t *len)
{
    for (int tries = 0; tries < 1000; tries++) {
        if (qvirtqueue_get_used(vq, head, len)) {
            return true;
        }
        g_usleep(1000);
    }
    return false;
}

void qvirtqueue_set_used_event(QVirtQueue *vq, uint16_t idx)
{
    qtest_writew(vq->dev->qts, vq->avail + vring_used_event_offset(vq->num),
                 idx);
}

void qvirtqueue_set_avail_flags(QVirtQueue *vq, uint16_t flags)
{
    qtest_writew(vq->dev->qts, vq->avail, flags);
}
