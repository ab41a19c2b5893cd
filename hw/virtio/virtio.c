/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio.c: the virtio device core: status and features, configuration
 * space, ISR and interrupts, reset, and split virtqueues (see
 * include/hw/virtio/virtio.h for the status state machine and the rules
 * every guest access follows).
 *
 * How a chain is taken (virtqueue_pop):
 *   1. read the available index once; it may be at most a queue's worth
 *      ahead of what the device consumed;
 *   2. read the ring entry once; the head must be inside the table;
 *   3. walk the chain reading each descriptor once into a local copy (an
 *      indirect table is copied whole, once), validating the copy and
 *      stopping after as many steps as the table has entries;
 *   4. check every buffer is populated RAM of the right kind.
 * The element then holds only validated addresses and lengths; the data
 * behind them is fetched by the device once (virtqueue_elem_read), and
 * both the data path and the used ring are re-checked at each access,
 * because a buffer may sit in memory that was unplugged meanwhile.
 *
 * What is left to the transport: registers, the interrupt line, and when
 * to call virtio_reset().
 */
#include "qemu/osdep.h"
#include "hw/boards.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-mmio.h"
#include "qemu/error.h"
#include "qemu/log.h"
#include "qemu/trace.h"

/**
 * struct VirtQueue
 * @num_max: size given by virtio_add_queue (0: the slot is unused).
 * @num: size in use, valid while @ready.
 * @desc, @avail, @used: ring addresses, checked when the queue was enabled.
 * @last_avail_idx: the next available entry the device will take.
 * @used_idx: the next used entry the device will write.
 * @signalled_used: @used_idx at the last interrupt (EVENT_IDX);
 *                  @signalled_used_valid false until there was one.
 * @inuse: elements popped and not yet pushed or detached.
 * @epoch: bumped at every reset or re-enable; elements popped in an
 *         older epoch are ignored by push and detach, so an element that
 *         outlives a reset can never touch the new rings.
 */
struct VirtQueue {
    VirtIODevice *vdev;
    unsigned int index;
    unsigned int num_max;
    unsigned int num;
    bool ready;
    hwaddr desc;
    hwaddr avail;
    hwaddr used;
    uint16_t last_avail_idx;
    uint16_t used_idx;
    uint16_t signalled_used;
    bool signalled_used_valid;
    unsigned int inuse;
    uint64_t epoch;
    VirtIOHandleOutput handle_output;
};

/* Offsets of the fixed ring fields. */
#define VRING_AVAIL_FLAGS_OFF   offsetof(struct vring_avail, flags)
#define VRING_AVAIL_IDX_OFF     offsetof(struct vring_avail, idx)
#define VRING_AVAIL_RING_OFF    offsetof(struct vring_avail, ring)
#define VRING_USED_IDX_OFF      offsetof(struct vring_used, idx)
#define VRING_USED_RING_OFF     offsetof(struct vring_used, ring)

/* Status bits a driver may write. */
#define VIRTIO_STATUS_DRIVER_BITS \
    (VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | \
     VIRTIO_CONFIG_S_DRIVER_OK | VIRTIO_CONFIG_S_FEATURES_OK | \
     VIRTIO_CONFIG_S_FAILED)

/* ------------------------------------------------------------ guest memory */

/*
 * Copy between @buf and guest memory, but only if the whole range is
 * populated RAM (writable RAM for @is_write): never MMIO, never a
 * discarded block.  Returns 0 or -EFAULT.
 */
static int vdev_dma(VirtIODevice *vdev, hwaddr addr, void *buf, hwaddr len,
                    bool is_write)
{
    if (!len) {
        return 0;
    }
    if (!address_space_translate_ram(vdev->dma_as, addr, len, is_write)) {
        return -EFAULT;
    }
    return address_space_rw(vdev->dma_as, addr, buf, len, is_write) ==
           MEMTX_OK ? 0 : -EFAULT;
}

static int vring_read16(VirtQueue *vq, hwaddr addr, uint16_t *val)
{
    uint16_t le;

    if (vdev_dma(vq->vdev, addr, &le, sizeof(le), false) < 0) {
        return -EFAULT;
    }
    *val = GUINT16_FROM_LE(le);
    return 0;
}

static int vring_write16(VirtQueue *vq, hwaddr addr, uint16_t val)
{
    uint16_t le = GUINT16_TO_LE(val);

    return vdev_dma(vq->vdev, addr, &le, sizeof(le), true);
}

static void desc_from_le(struct vring_desc *d)
{
    d->addr = GUINT64_FROM_LE(d->addr);
    d->len = GUINT32_FROM_LE(d->len);
    d->flags = GUINT16_FROM_LE(d->flags);
    d->next = GUINT16_FROM_LE(d->next);
}

/* ----------------------------------------------------------------- device */

void virtio_init(VirtIODevice *vdev, const char *name, uint16_t device_id,
                 size_t config_len)
{
    MachineState *ms = machine_get_current();

    vdev->name = name;
    vdev->device_id = device_id;
    vdev->config_len = config_len;
    vdev->config = g_malloc0(MAX(config_len, 1));
    vdev->vq = g_new0(VirtQueue, VIRTIO_QUEUE_MAX);
    for (unsigned int i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        vdev->vq[i].vdev = vdev;
        vdev->vq[i].index = i;
    }
    vdev->dma_as = &ms->as_memory;
}

void virtio_cleanup(VirtIODevice *vdev)
{
    g_clear_pointer(&vdev->config, g_free);
    g_clear_pointer(&vdev->vq, g_free);
}

static void virtio_update_irq(VirtIODevice *vdev)
{
    if (vdev->transport_update_irq) {
        vdev->transport_update_irq(vdev->transport);
    }
}

static void virtio_set_isr(VirtIODevice *vdev, uint8_t bits)
{
    uint8_t old = vdev->isr;

    vdev->isr |= bits;
    if (vdev->isr != old) {
        virtio_update_irq(vdev);
    }
}

void virtio_isr_ack(VirtIODevice *vdev, uint32_t bits)
{
    vdev->isr &= ~bits;
    virtio_update_irq(vdev);
}

void virtio_config_changed(VirtIODevice *vdev)
{
    vdev->generation++;
}

void virtio_notify_config(VirtIODevice *vdev)
{
    virtio_config_changed(vdev);
    if (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) {
        virtio_set_isr(vdev, VIRTIO_ISR_CONFIG);
    }
}

void virtio_error(VirtIODevice *vdev, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qemu_log_guest_error("%s: %s\n", vdev->name, msg);
    trace_event("virtio_error", "%s: %s", vdev->name, msg);
    vdev->broken = true;
    vdev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
    virtio_notify_config(vdev);
}

/* The driver's feature choice, checked when it sets FEATURES_OK. */
static bool virtio_accept_features(VirtIODevice *vdev, uint64_t features)
{
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_GET_CLASS(vdev);

    if (features & ~vdev->host_features) {
        qemu_log_guest_error("%s: driver accepted features 0x%" PRIx64
                             " that were not offered: FEATURES_OK refused\n",
                             vdev->name, features & ~vdev->host_features);
        return false;
    }
    if (!(features & (UINT64_C(1) << VIRTIO_F_VERSION_1))) {
        qemu_log_guest_error("%s: driver did not accept VIRTIO_F_VERSION_1: "
                             "FEATURES_OK refused\n", vdev->name);
        return false;
    }
    vdev->guest_features = features;
    if (vdc->validate_features && vdc->validate_features(vdev) < 0) {
        qemu_log_guest_error("%s: device refused features 0x%" PRIx64
                             ": FEATURES_OK refused\n", vdev->name,
                             features);
        vdev->guest_features = 0;
        return false;
    }
    return true;
}

void virtio_set_status(VirtIODevice *vdev, uint8_t val,
                       uint64_t driver_features)
{
    uint8_t old = vdev->status & VIRTIO_STATUS_DRIVER_BITS;
    uint8_t new = val & VIRTIO_STATUS_DRIVER_BITS;

    if (val & ~VIRTIO_STATUS_DRIVER_BITS) {
        qemu_log_guest_error("%s: driver wrote device-owned status bits "
                             "0x%x: ignored\n", vdev->name,
                             val & ~VIRTIO_STATUS_DRIVER_BITS);
    }
    if (old & ~new) {
        virtio_error(vdev, "driver cleared status bits 0x%x without a reset",
                     old & ~new);
        return;
    }
    if ((new & ~old) & VIRTIO_CONFIG_S_FEATURES_OK) {
        if (old & VIRTIO_CONFIG_S_DRIVER_OK) {
            virtio_error(vdev, "driver set FEATURES_OK after DRIVER_OK");
            return;
        }
        if (!virtio_accept_features(vdev, driver_features)) {
            new &= ~(VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
        }
    }
    if ((new & VIRTIO_CONFIG_S_DRIVER_OK) &&
        !(new & VIRTIO_CONFIG_S_FEATURES_OK)) {
        virtio_error(vdev, "driver set DRIVER_OK without FEATURES_OK");
        return;
    }
    vdev->status = (vdev->status & ~VIRTIO_STATUS_DRIVER_BITS) | new;
    trace_event("virtio_set_status", "%s status=0x%x", vdev->name,
                vdev->status);
}

static void virtqueue_reset_one(VirtQueue *vq)
{
    vq->ready = false;
    vq->num = 0;
    vq->desc = vq->avail = vq->used = 0;
    vq->last_avail_idx = vq->used_idx = 0;
    vq->signalled_used = 0;
    vq->signalled_used_valid = false;
    vq->inuse = 0;
    vq->epoch++;
}

void virtio_reset(VirtIODevice *vdev)
{
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_GET_CLASS(vdev);

    if (vdc->reset) {
        vdc->reset(vdev);
    }
    vdev->status = 0;
    vdev->broken = false;
    vdev->guest_features = 0;
    vdev->isr = 0;
    virtio_update_irq(vdev);
    for (unsigned int i = 0; vdev->vq && i < VIRTIO_QUEUE_MAX; i++) {
        virtqueue_reset_one(&vdev->vq[i]);
    }
}

uint32_t virtio_config_read(VirtIODevice *vdev, uint32_t offset,
                            unsigned size)
{
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_GET_CLASS(vdev);
    uint32_t val = 0;

    assert(size == 1 || size == 2 || size == 4);
    if (offset > vdev->config_len || size > vdev->config_len - offset) {
        return size == 4 ? UINT32_MAX : (1u << (8 * size)) - 1;
    }
    vdc->get_config(vdev, vdev->config);
    for (unsigned int i = 0; i < size; i++) {
        val |= (uint32_t)vdev->config[offset + i] << (8 * i);
    }
    return val;
}

void virtio_config_write(VirtIODevice *vdev, uint32_t offset, unsigned size,
                         uint32_t val)
{
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_GET_CLASS(vdev);

    assert(size == 1 || size == 2 || size == 4);
    if (!vdc->set_config || offset > vdev->config_len ||
        size > vdev->config_len - offset) {
        qemu_log_guest_error("%s: %u-byte write of 0x%x to read-only "
                             "configuration offset 0x%x dropped\n",
                             vdev->name, size, val, offset);
        return;
    }
    vdc->get_config(vdev, vdev->config);
    for (unsigned int i = 0; i < size; i++) {
        vdev->config[offset + i] = val >> (8 * i);
    }
    vdc->set_config(vdev, vdev->config);
}

/* ----------------------------------------------------------- queue set-up */

VirtQueue *virtio_add_queue(VirtIODevice *vdev, unsigned int queue_size,
                            VirtIOHandleOutput handle_output)
{
    unsigned int i;

    assert(queue_size && is_power_of_2(queue_size) &&
           queue_size <= VIRTQUEUE_MAX_SIZE);
    for (i = 0; i < VIRTIO_QUEUE_MAX && vdev->vq[i].num_max; i++) {
    }
    assert(i < VIRTIO_QUEUE_MAX);
    vdev->vq[i].num_max = queue_size;
    vdev->vq[i].handle_output = handle_output;
    return &vdev->vq[i];
}

bool virtio_queue_exists(VirtIODevice *vdev, unsigned int n)
{
    return n < VIRTIO_QUEUE_MAX && vdev->vq && vdev->vq[n].num_max;
}

unsigned int virtio_queue_default_size(VirtIODevice *vdev, unsigned int n)
{
    return virtio_queue_exists(vdev, n) ? vdev->vq[n].num_max : 0;
}

bool virtio_queue_is_ready(VirtIODevice *vdev, unsigned int n)
{
    return virtio_queue_exists(vdev, n) && vdev->vq[n].ready;
}

/* One part of a ring: aligned, and wholly in populated RAM. */
static bool ring_part_ok(VirtIODevice *vdev, unsigned int n,
                         const char *what, hwaddr addr, uint64_t size,
                         uint64_t align, bool is_write)
{
    if (addr % align) {
        qemu_log_guest_error("%s: queue %u: %s address 0x%" HWADDR_PRIx
                             " is not %" PRIu64 "-byte aligned\n",
                             vdev->name, n, what, addr, align);
        return false;
    }
    if (!address_space_translate_ram(vdev->dma_as, addr, size, is_write)) {
        qemu_log_guest_error("%s: queue %u: cannot map %s "
                             "[0x%" HWADDR_PRIx ", +0x%" PRIx64 "): not "
                             "populated %sRAM\n", vdev->name, n, what, addr,
                             size, is_write ? "writable " : "");
        return false;
    }
    return true;
}

bool virtio_queue_enable(VirtIODevice *vdev, unsigned int n,
                         unsigned int num, hwaddr desc, hwaddr avail,
                         hwaddr used)
{
    VirtQueue *vq;

    if (!virtio_queue_exists(vdev, n)) {
        qemu_log_guest_error("%s: QueueReady for queue %u, which does not "
                             "exist\n", vdev->name, n);
        return false;
    }
    vq = &vdev->vq[n];
    if (!num || num > VIRTQUEUE_MAX_SIZE || !is_power_of_2(num)) {
        qemu_log_guest_error("%s: queue %u: size %u is not a power of two "
                             "in 1..%u: QueueReady stays 0\n", vdev->name,
                             n, num, VIRTQUEUE_MAX_SIZE);
        return false;
    }
    if (!ring_part_ok(vdev, n, "descriptor table", desc, vring_desc_size(num),
                      VRING_DESC_ALIGN, false) ||
        !ring_part_ok(vdev, n, "available ring", avail,
                      vring_avail_size(num), VRING_AVAIL_ALIGN, false) ||
        !ring_part_ok(vdev, n, "used ring", used, vring_used_size(num),
                      VRING_USED_ALIGN, true)) {
        return false;
    }
    virtqueue_reset_one(vq);
    vq->num = num;
    vq->desc = desc;
    vq->avail = avail;
    vq->used = used;
    vq->ready = true;
    trace_event("virtio_queue_enable", "%s queue=%u num=%u desc=0x%"
                HWADDR_PRIx " avail=0x%" HWADDR_PRIx " used=0x%" HWADDR_PRIx,
                vdev->name, n, num, desc, avail, used);
    return true;
}

void virtio_queue_disable(VirtIODevice *vdev, unsigned int n)
{
    if (virtio_queue_exists(vdev, n)) {
        virtqueue_reset_one(&vdev->vq[n]);
    }
}

void virtio_queue_notify(VirtIODevice *vdev, unsigned int n)
{
    VirtQueue *vq;

    if (!virtio_queue_exists(vdev, n)) {
        qemu_log_guest_error("%s: notify for queue %u, which does not "
                             "exist: ignored\n", vdev->name, n);
        return;
    }
    vq = &vdev->vq[n];
    if (!vq->ready || !(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) ||
        vdev->broken) {
        qemu_log_guest_error("%s: notify for queue %u while %s: ignored\n",
                             vdev->name, n,
                             vdev->broken ? "the device needs a reset" :
                             !vq->ready ? "the queue is not ready" :
                             "DRIVER_OK is not set");
        return;
    }
    vq->handle_output(vdev, vq);
}

/* ------------------------------------------------------------ descriptors */

/* Buffers of the element being collected. */
typedef struct ChainBufs {
    GArray *out;    /* VirtQueueBuf */
    GArray *in;
    uint64_t out_len;
    uint64_t in_len;
} ChainBufs;

/* Check one (local copy of a) descriptor's buffer and add it. */
static bool chain_add_buf(VirtQueue *vq, ChainBufs *cb,
                          const struct vring_desc *d, bool in_table)
{
    VirtIODevice *vdev = vq->vdev;
    bool is_write = d->flags & VRING_DESC_F_WRITE;
    VirtQueueBuf buf = { .addr = d->addr, .len = d->len };

    if (d->flags & VRING_DESC_F_INDIRECT) {
        virtio_error(vdev, in_table ? "Nested indirect descriptor" :
                     "Indirect descriptor not at the head of the chain");
        return false;
    }
    if (!d->len) {
        virtio_error(vdev, "zero sized buffers are not allowed");
        return false;
    }
    if (d->addr + d->len < d->addr) {
        virtio_error(vdev, "buffer 0x%" PRIx64 "+0x%x wraps past 2^64",
                     d->addr, d->len);
        return false;
    }
    if (!address_space_translate_ram(vdev->dma_as, d->addr, d->len,
                                     is_write)) {
        virtio_error(vdev, "cannot map buffer 0x%" PRIx64 "+0x%x: not "
                     "populated %sRAM", d->addr, d->len,
                     is_write ? "writable " : "");
        return false;
    }
    if (is_write) {
        g_array_append_val(cb->in, buf);
        cb->in_len += d->len;
    } else {
        if (cb->in->len) {
            virtio_error(vdev, "Incorrect order for descriptors");
            return false;
        }
        g_array_append_val(cb->out, buf);
        cb->out_len += d->len;
    }
    return true;
}

/* Copy the indirect table @d points to; NULL (device broken) if bad. */
static struct vring_desc *indirect_table_copy(VirtQueue *vq,
                                              const struct vring_desc *d,
                                              unsigned int *entries)
{
    VirtIODevice *vdev = vq->vdev;
    struct vring_desc *table;

    if (!virtio_vdev_has_feature(vdev, VIRTIO_RING_F_INDIRECT_DESC)) {
        virtio_error(vdev, "Indirect descriptor without "
                     "VIRTIO_RING_F_INDIRECT_DESC");
        return NULL;
    }
    if (d->flags & VRING_DESC_F_NEXT) {
        virtio_error(vdev, "Indirect descriptor with the NEXT flag");
        return NULL;
    }
    if (!d->len || d->len % sizeof(struct vring_desc)) {
        virtio_error(vdev, "Invalid size for indirect buffer table: %u",
                     d->len);
        return NULL;
    }
    *entries = d->len / sizeof(struct vring_desc);
    if (*entries > VIRTQUEUE_MAX_SIZE) {
        virtio_error(vdev, "Indirect buffer table of %u entries exceeds %u",
                     *entries, VIRTQUEUE_MAX_SIZE);
        return NULL;
    }
    table = g_new(struct vring_desc, *entries);
    if (vdev_dma(vdev, d->addr, table, d->len, false) < 0) {
        virtio_error(vdev, "Cannot map indirect buffer table 0x%" PRIx64
                     "+0x%x", d->addr, d->len);
        g_free(table);
        return NULL;
    }
    for (unsigned int i = 0; i < *entries; i++) {
        desc_from_le(&table[i]);
    }
    return table;
}

static int read_desc(VirtQueue *vq, unsigned int i, struct vring_desc *d)
{
    if (vdev_dma(vq->vdev, vq->desc + (hwaddr)i * sizeof(*d), d, sizeof(*d),
                 false) < 0) {
        virtio_error(vq->vdev, "cannot read descriptor %u", i);
        return -EFAULT;
    }
    desc_from_le(d);
    return 0;
}

static VirtQueueElement *chain_finish(ChainBufs *cb, unsigned int head)
{
    VirtQueueElement *elem = g_new0(VirtQueueElement, 1);

    elem->index = head;
    elem->out_num = cb->out->len;
    elem->in_num = cb->in->len;
    elem->out_len = cb->out_len;
    elem->in_len = cb->in_len;
    elem->out = (VirtQueueBuf *)g_array_free(cb->out, false);
    elem->in = (VirtQueueBuf *)g_array_free(cb->in, false);
    return elem;
}

/* Walk the chain starting at @head; NULL (device broken) if it is bad. */
static VirtQueueElement *chain_collect(VirtQueue *vq, unsigned int head)
{
    VirtIODevice *vdev = vq->vdev;
    ChainBufs cb = {
        .out = g_array_new(false, false, sizeof(VirtQueueBuf)),
        .in = g_array_new(false, false, sizeof(VirtQueueBuf)),
    };
    g_autofree struct vring_desc *table = NULL;
    unsigned int table_size = vq->num, steps = 0, i = head;
    struct vring_desc d;

    if (read_desc(vq, i, &d) < 0) {
        goto fail;
    }
    if (d.flags & VRING_DESC_F_INDIRECT) {
        table = indirect_table_copy(vq, &d, &table_size);
        if (!table) {
            goto fail;
        }
        d = table[0];
    }
    for (;;) {
        if (++steps > table_size) {
            virtio_error(vdev, "Looped descriptor");
            goto fail;
        }
        if (!chain_add_buf(vq, &cb, &d, table != NULL)) {
            goto fail;
        }
        if (!(d.flags & VRING_DESC_F_NEXT)) {
            break;
        }
        if (d.next >= table_size) {
            virtio_error(vdev, "Desc next is %u", d.next);
            goto fail;
        }
        i = d.next;
        if (table) {
            d = table[i];
        } else if (read_desc(vq, i, &d) < 0) {
            goto fail;
        }
    }
    return chain_finish(&cb, head);

fail:
    g_array_free(cb.out, true);
    g_array_free(cb.in, true);
    return NULL;
}

/* --------------------------------------------------------------- the rings */

VirtQueueElement *virtqueue_pop(VirtQueue *vq)
{
    VirtIODevice *vdev = vq->vdev;
    VirtQueueElement *elem;
    uint16_t avail_idx, head, pending;

    if (vdev->broken || !vq->ready) {
        return NULL;
    }
    if (vring_read16(vq, vq->avail + VRING_AVAIL_IDX_OFF, &avail_idx) < 0) {
        virtio_error(vdev, "cannot read the available ring index");
        return NULL;
    }
    pending = avail_idx - vq->last_avail_idx;
    if (pending > vq->num) {
        virtio_error(vdev, "Guest moved avail index from %u to %u",
                     vq->last_avail_idx, avail_idx);
        return NULL;
    }
    if (!pending) {
        return NULL;
    }
    if (vq->inuse >= vq->num) {
        virtio_error(vdev, "Virtqueue size exceeded");
        return NULL;
    }
    if (vring_read16(vq, vq->avail + VRING_AVAIL_RING_OFF +
                     (vq->last_avail_idx % vq->num) * sizeof(uint16_t),
                     &head) < 0) {
        virtio_error(vdev, "cannot read the available ring");
        return NULL;
    }
    if (head >= vq->num) {
        virtio_error(vdev, "Guest says index %u is available", head);
        return NULL;
    }
    vq->last_avail_idx++;
    if (virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX) &&
        vring_write16(vq, vq->used + vring_avail_event_offset(vq->num),
                      vq->last_avail_idx) < 0) {
        virtio_error(vdev, "cannot write avail_event");
        return NULL;
    }
    elem = chain_collect(vq, head);
    if (elem) {
        elem->epoch = vq->epoch;
        vq->inuse++;
    }
    return elem;
}

void virtqueue_detach_element(VirtQueue *vq, const VirtQueueElement *elem)
{
    if (elem->epoch == vq->epoch) {
        assert(vq->inuse);
        vq->inuse--;
    }
}

void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem,
                    uint32_t len)
{
    VirtIODevice *vdev = vq->vdev;
    struct vring_used_elem ue = {
        .id = GUINT32_TO_LE(elem->index),
        .len = GUINT32_TO_LE(len),
    };
    hwaddr slot;

    if (elem->epoch != vq->epoch) {
        return;     /* popped before a reset: the rings are not its own */
    }
    virtqueue_detach_element(vq, elem);
    if (vdev->broken || !vq->ready) {
        return;
    }
    slot = vq->used + VRING_USED_RING_OFF +
           (hwaddr)(vq->used_idx % vq->num) * sizeof(ue);
    /* The element before the index that publishes it. */
    if (vdev_dma(vdev, slot, &ue, sizeof(ue), true) < 0 ||
        vring_write16(vq, vq->used + VRING_USED_IDX_OFF,
                      (uint16_t)(vq->used_idx + 1)) < 0) {
        virtio_error(vdev, "cannot write the used ring");
        return;
    }
    vq->used_idx++;
}

void virtqueue_elem_free(VirtQueueElement *elem)
{
    if (elem) {
        g_free(elem->out);
        g_free(elem->in);
        g_free(elem);
    }
}

static ssize_t elem_copy(VirtQueue *vq, const VirtQueueBuf *bufs,
                         unsigned int n, uint8_t *buf, size_t size,
                         bool is_write)
{
    size_t done = 0;

    for (unsigned int i = 0; i < n && done < size; i++) {
        size_t l = MIN(bufs[i].len, size - done);

        if (vdev_dma(vq->vdev, bufs[i].addr, buf + done, l, is_write) < 0) {
            return -EFAULT;
        }
        done += l;
    }
    return done;
}

ssize_t virtqueue_elem_read(VirtQueue *vq, const VirtQueueElement *elem,
                            void *buf, size_t size)
{
    return elem_copy(vq, elem->out, elem->out_num, buf, size, false);
}

ssize_t virtqueue_elem_write(VirtQueue *vq, const VirtQueueElement *elem,
                             const void *buf, size_t size)
{
    return elem_copy(vq, elem->in, elem->in_num, (uint8_t *)buf, size, true);
}

/* Whether the driver wants an interrupt for what was pushed since the
 * last one. */
static bool virtio_should_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    uint16_t flags, event, old;
    bool valid;

    if (!virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
        if (vring_read16(vq, vq->avail + VRING_AVAIL_FLAGS_OFF, &flags) < 0) {
            virtio_error(vdev, "cannot read the available ring flags");
            return false;
        }
        return !(flags & VRING_AVAIL_F_NO_INTERRUPT);
    }
    if (vring_read16(vq, vq->avail + vring_used_event_offset(vq->num),
                     &event) < 0) {
        virtio_error(vdev, "cannot read used_event");
        return false;
    }
    old = vq->signalled_used;
    valid = vq->signalled_used_valid;
    vq->signalled_used = vq->used_idx;
    vq->signalled_used_valid = true;
    return !valid || vring_need_event(event, vq->used_idx, old);
}

void virtio_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    if (vdev->broken || !vq->ready || !virtio_should_notify(vdev, vq)) {
        return;
    }
    virtio_set_isr(vdev, VIRTIO_ISR_QUEUE);
}

/* ---------------------------------------------------------------- QOM type */

static bool virtio_device_realize(DeviceState *dev, Error **errp)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_GET_CLASS(dev);
    uint64_t features = UINT64_C(1) << VIRTIO_F_VERSION_1;

    if (!vdc->realize(vdev, errp)) {
        return false;
    }
    if (vdev->indirect_desc) {
        features |= UINT64_C(1) << VIRTIO_RING_F_INDIRECT_DESC;
    }
    if (vdev->event_idx) {
        features |= UINT64_C(1) << VIRTIO_RING_F_EVENT_IDX;
    }
    vdev->host_features = vdc->get_features ?
                          vdc->get_features(vdev, features) : features;
    if (!virtio_mmio_plug(vdev, errp)) {
        if (vdc->unrealize) {
            vdc->unrealize(vdev);
        }
        virtio_cleanup(vdev);
        return false;
    }
    return true;
}

static void virtio_device_unrealize(DeviceState *dev)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_GET_CLASS(dev);

    virtio_mmio_unplug(vdev);
    if (vdc->unrealize) {
        vdc->unrealize(vdev);
    }
    virtio_cleanup(vdev);
}

static void virtio_device_instance_init(Object *obj)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(obj);

    vdev->indirect_desc = true;
    vdev->event_idx = true;
    object_property_add_field(obj, "indirect_desc", "bool", PROP_KIND_BOOL,
                              offsetof(VirtIODevice, indirect_desc),
                              OBJ_PROP_FLAG_BEFORE_REALIZE);
    object_property_add_field(obj, "event_idx", "bool", PROP_KIND_BOOL,
                              offsetof(VirtIODevice, event_idx),
                              OBJ_PROP_FLAG_BEFORE_REALIZE);
}

static void virtio_device_class_init(ObjectClass *klass)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = virtio_device_realize;
    dc->unrealize = virtio_device_unrealize;
}

void virtio_register_types(void)
{
    static const TypeInfo info = {
        .name = TYPE_VIRTIO_DEVICE,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(VirtIODevice),
        .class_size = sizeof(VirtioDeviceClass),
        .instance_init = virtio_device_instance_init,
        .class_init = virtio_device_class_init,
        .abstract = true,
    };

    type_register_static(&info);
}
