/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio.h: the transport-independent half of a virtio device: device
 * status and feature negotiation, configuration space with its generation
 * counter, the interrupt status (ISR), reset, and split virtqueues
 * hardened against a hostile driver.
 *
 * A device type (virtio-mem) derives from TYPE_VIRTIO_DEVICE, fills in a
 * VirtioDeviceClass and, in its realize, calls virtio_init() and
 * virtio_add_queue().  After the device's realize succeeds the core plugs
 * it into a transport (virtio-mmio, the only one here), which turns
 * register accesses into the virtio_* calls below.
 *
 * Guest memory is reached only through the machine's memory address
 * space, and every guest address a virtqueue uses is checked with
 * address_space_translate_ram() first: it must be populated RAM (never
 * MMIO, so a device can never be made to write its own registers, never
 * ROM for writes, never a discarded virtio-mem block).  Descriptors,
 * indirect tables and ring entries are each read once into private
 * copies that are validated and then used; a device reads its request
 * bytes once with virtqueue_elem_read().  A driver that breaks the rules
 * gets the device marked broken (DEVICE_NEEDS_RESET, a configuration
 * interrupt, a guest error in the log) until it resets the device: the
 * process never aborts on guest input.
 *
 * Device status state machine (driver-written bits, virtio 1.2 3.1):
 *   RESET (0) --ACKNOWLEDGE|DRIVER--> DISCOVERED
 *   DISCOVERED --FEATURES_OK, features acceptable--> FEATURES_OK
 *   DISCOVERED --FEATURES_OK, features refused--> DISCOVERED (bit not kept)
 *   FEATURES_OK --DRIVER_OK--> LIVE (queues processed)
 *   any --driver clears a bit / DRIVER_OK without FEATURES_OK /
 *         virtqueue violation--> BROKEN (NEEDS_RESET set, nothing processed)
 *   any --Status = 0 (virtio_reset)--> RESET
 * Invariants: guest_features is 0 unless FEATURES_OK is set; queues are
 * processed only in LIVE; nothing the driver writes clears NEEDS_RESET
 * except a reset.  virtio_set_status() performs the driver transitions,
 * virtio_error() the move to BROKEN, virtio_reset() the reset.
 *
 * Main loop only.
 */
#ifndef HW_VIRTIO_VIRTIO_H
#define HW_VIRTIO_VIRTIO_H

#include "exec/memory.h"
#include "hw/qdev.h"
#include "standard-headers/linux/virtio_config.h"
#include "standard-headers/linux/virtio_ring.h"

#define TYPE_VIRTIO_DEVICE "virtio-device"

/* Queues per device this core supports. */
#define VIRTIO_QUEUE_MAX        8
/* The largest queue a driver may ask for (QueueNumMax), as QEMU. */
#define VIRTQUEUE_MAX_SIZE      1024

/* ISR bits (virtio-mmio InterruptStatus). */
#define VIRTIO_ISR_QUEUE        (1u << 0)
#define VIRTIO_ISR_CONFIG       (1u << 1)

typedef struct VirtQueue VirtQueue;
typedef struct VirtIODevice VirtIODevice;

/**
 * struct VirtQueueBuf: one guest buffer of a popped element, already
 * checked to be populated RAM (writable RAM for device-writable buffers)
 * when it was popped.
 * @addr: guest-physical address.
 * @len: bytes, never 0.
 */
typedef struct VirtQueueBuf {
    hwaddr addr;
    uint32_t len;
} VirtQueueBuf;

/**
 * struct VirtQueueElement: a descriptor chain the device took from the
 * available ring; owned by the device until it pushes (or detaches) it,
 * then freed with virtqueue_elem_free().
 * @index: head descriptor index (the id the used ring reports).
 * @out: device-readable buffers, in chain order; @out_num of them.
 * @in: device-writable buffers, after every readable one; @in_num.
 * @out_len, @in_len: total bytes of each direction.
 * @epoch: private to virtio.c: the queue state the element belongs to
 *         (push and detach ignore elements that outlived a reset).
 */
typedef struct VirtQueueElement {
    unsigned int index;
    unsigned int out_num;
    unsigned int in_num;
    VirtQueueBuf *out;
    VirtQueueBuf *in;
    uint64_t out_len;
    uint64_t in_len;
    uint64_t epoch;
} VirtQueueElement;

/** VirtIOHandleOutput: the driver kicked @vq; pop and serve elements. */
typedef void (*VirtIOHandleOutput)(VirtIODevice *vdev, VirtQueue *vq);

/**
 * struct VirtIODevice
 * @name: short device name for messages ("virtio-mem").
 * @device_id: virtio device ID (24 for virtio-mem).
 * @status: the Status register (VIRTIO_CONFIG_S_*).
 * @isr: pending interrupt causes (VIRTIO_ISR_*); the line is raised while
 *       non-zero.
 * @broken: a driver error was seen; only a reset clears it.
 * @host_features: features offered (fixed at realize).
 * @guest_features: features accepted, valid while FEATURES_OK is set.
 * @generation: ConfigGeneration; bumped on every configuration change.
 * @config_len: bytes of configuration space.
 * @config: scratch buffer the device's get_config fills for each access.
 * @vq: VIRTIO_QUEUE_MAX queues; those never added have num_max 0.
 * @dma_as: where guest memory is (the machine's memory address space).
 * @indirect_desc, @event_idx: the "indirect_desc" and "event_idx"
 *       properties: offer VIRTIO_RING_F_INDIRECT_DESC / _EVENT_IDX.
 * @transport: the transport the device is plugged into, or NULL;
 *       @transport_update_irq(@transport) is called when @isr changes.
 */
struct VirtIODevice {
    DeviceState parent_obj;
    const char *name;
    uint16_t device_id;
    uint8_t status;
    uint8_t isr;
    bool broken;
    uint64_t host_features;
    uint64_t guest_features;
    uint32_t generation;
    size_t config_len;
    uint8_t *config;
    VirtQueue *vq;
    AddressSpace *dma_as;
    bool indirect_desc;
    bool event_idx;
    void *transport;
    void (*transport_update_irq)(void *transport);
};

/**
 * struct VirtioDeviceClass: what a device type implements.
 * @realize: device-specific realize; call virtio_init() and
 *           virtio_add_queue() here.
 * @unrealize: undo @realize (also called when plugging into a transport
 *             fails after @realize succeeded).
 * @get_features: add device feature bits to @features (the transport
 *             bits the core offers) and return the result.
 * @validate_features: called when the driver sets FEATURES_OK, with
 *             guest_features set; a negative errno refuses FEATURES_OK.
 * @get_config: fill the configuration space (little-endian) into @config.
 * @set_config: optional; the driver wrote @config.  Without it, writes
 *             to configuration space are dropped and logged.
 * @reset: optional; device-specific part of a virtio reset.  virtio-mem
 *             keeps its plugged blocks: a virtio reset must not change
 *             them.
 */
typedef struct VirtioDeviceClass {
    DeviceClass parent_class;
    bool (*realize)(VirtIODevice *vdev, Error **errp);
    void (*unrealize)(VirtIODevice *vdev);
    uint64_t (*get_features)(VirtIODevice *vdev, uint64_t features);
    int (*validate_features)(VirtIODevice *vdev);
    void (*get_config)(VirtIODevice *vdev, uint8_t *config);
    void (*set_config)(VirtIODevice *vdev, const uint8_t *config);
    void (*reset)(VirtIODevice *vdev);
} VirtioDeviceClass;

#define VIRTIO_DEVICE(obj) \
    ((VirtIODevice *)object_dynamic_cast_assert(OBJECT(obj), \
                                                TYPE_VIRTIO_DEVICE))
#define VIRTIO_DEVICE_GET_CLASS(obj) \
    ((VirtioDeviceClass *)object_get_class(obj))
#define VIRTIO_DEVICE_CLASS(klass) ((VirtioDeviceClass *)(klass))

/** virtio_register_types: TYPE_VIRTIO_DEVICE (abstract). */
void virtio_register_types(void);

/* ------------------------------------------------------------- device */

/**
 * virtio_init: set the device up: @name, @device_id, @config_len bytes of
 * configuration space, guest memory in the current machine's memory
 * address space.  Call from VirtioDeviceClass.realize.
 */
void virtio_init(VirtIODevice *vdev, const char *name, uint16_t device_id,
                 size_t config_len);
/** virtio_cleanup: free what virtio_init and virtio_add_queue allocated. */
void virtio_cleanup(VirtIODevice *vdev);

static inline bool virtio_host_has_feature(const VirtIODevice *vdev,
                                           unsigned int bit)
{
    return vdev->host_features & (UINT64_C(1) << bit);
}

static inline bool virtio_vdev_has_feature(const VirtIODevice *vdev,
                                           unsigned int bit)
{
    return vdev->guest_features & (UINT64_C(1) << bit);
}

/**
 * virtio_set_status: the driver wrote @val to Status (not 0: the
 * transport resets for 0).  @driver_features: the features the driver
 * wrote, used if @val newly sets FEATURES_OK: they must be a subset of
 * the offered ones, include VIRTIO_F_VERSION_1 and pass the device's
 * validate_features, else FEATURES_OK (and DRIVER_OK) are not kept.
 * Clearing a bit without a reset, setting DRIVER_OK without FEATURES_OK
 * or FEATURES_OK after DRIVER_OK breaks the device.
 */
void virtio_set_status(VirtIODevice *vdev, uint8_t val,
                       uint64_t driver_features);

/**
 * virtio_reset: the virtio reset (Status = 0, or system reset through the
 * transport): status, features, ISR (the line drops), broken flag and
 * every queue go back to their initial state; then the device's reset.
 */
void virtio_reset(VirtIODevice *vdev);

/**
 * virtio_error: the driver broke the protocol: log @fmt as a guest error,
 * mark the device broken and, as the specification asks, set
 * DEVICE_NEEDS_RESET and send a configuration interrupt.
 */
void virtio_error(VirtIODevice *vdev, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/**
 * virtio_config_read / virtio_config_write: an access of @size (1, 2 or
 * 4) bytes at @offset of configuration space.  Reads beyond the space
 * return all ones (as QEMU); writes beyond it, or to a device without
 * set_config, are dropped with a guest error logged.
 */
uint32_t virtio_config_read(VirtIODevice *vdev, uint32_t offset,
                            unsigned size);
void virtio_config_write(VirtIODevice *vdev, uint32_t offset, unsigned size,
                         uint32_t val);

/**
 * virtio_config_changed: the device changed its configuration: bump the
 * generation (no interrupt).  virtio_notify_config: the same, plus the
 * configuration-change interrupt if the driver is live (DRIVER_OK).
 */
void virtio_config_changed(VirtIODevice *vdev);
void virtio_notify_config(VirtIODevice *vdev);

/** virtio_isr_ack: the driver acknowledged the ISR bits in @bits. */
void virtio_isr_ack(VirtIODevice *vdev, uint32_t bits);

/* ------------------------------------------------------------- queues */

/**
 * virtio_add_queue: add the next queue, @queue_size entries by default
 * (the size used when the driver does not write QueueNum), served by
 * @handle_output.
 * Returns: the queue (owned by the device).
 */
VirtQueue *virtio_add_queue(VirtIODevice *vdev, unsigned int queue_size,
                            VirtIOHandleOutput handle_output);

/** virtio_queue_exists: @n names a queue the device added. */
bool virtio_queue_exists(VirtIODevice *vdev, unsigned int n);
/** virtio_queue_default_size: the size given to virtio_add_queue. */
unsigned int virtio_queue_default_size(VirtIODevice *vdev, unsigned int n);
/** virtio_queue_is_ready: queue @n is enabled (QueueReady reads 1). */
bool virtio_queue_is_ready(VirtIODevice *vdev, unsigned int n);

/**
 * virtio_queue_enable: the driver set QueueReady for queue @n with @num
 * entries and the three ring addresses.  Checked: @num a power of two in
 * 1..VIRTQUEUE_MAX_SIZE, each part aligned as the specification says and
 * lying wholly in populated RAM (the used ring in writable RAM).
 * Returns: false, with the reason logged as a guest error, if the queue
 * stays disabled.
 */
bool virtio_queue_enable(VirtIODevice *vdev, unsigned int n,
                         unsigned int num, hwaddr desc, hwaddr avail,
                         hwaddr used);
/** virtio_queue_disable: QueueReady = 0. */
void virtio_queue_disable(VirtIODevice *vdev, unsigned int n);

/**
 * virtio_queue_notify: the driver kicked queue @n.  Ignored (logged) for
 * queues that do not exist or are not ready, and unless the device is
 * live; otherwise the queue's handler runs.  Work per kick is bounded by
 * the queue size.
 */
void virtio_queue_notify(VirtIODevice *vdev, unsigned int n);

/**
 * virtqueue_pop: take the next available chain.  Validates the available
 * index (at most a queue's worth ahead), the head, each descriptor (in
 * range, no loop, at most the table size, non-empty, no overflow, in
 * populated RAM, readable before writable, INDIRECT only if negotiated,
 * only at the head, not with NEXT, not nested, its table 16-byte entries
 * of at most VIRTQUEUE_MAX_SIZE) and the number in flight.
 * Returns: the element (the caller owns it), or NULL if none is available
 * or the driver broke a rule (the device is then broken).
 */
VirtQueueElement *virtqueue_pop(VirtQueue *vq);
/**
 * virtqueue_push: publish @elem as used, with @len bytes written: the used
 * element first, then the used index.  @elem stays the caller's.
 */
void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem,
                    uint32_t len);
/** virtqueue_detach_element: forget @elem without publishing it. */
void virtqueue_detach_element(VirtQueue *vq, const VirtQueueElement *elem);
/** virtqueue_elem_free: free @elem (NULL is fine). */
void virtqueue_elem_free(VirtQueueElement *elem);

/**
 * virtqueue_elem_read: copy the first @size bytes of @elem's readable
 * buffers into @buf: one fetch of guest memory, so the caller validates
 * and uses its copy.  virtqueue_elem_write: copy @buf into the first
 * @size bytes of its writable buffers.  Both re-check the memory (it may
 * have been unplugged since the pop).
 * Returns: bytes copied (less than @size if the buffers are shorter), or
 * -EFAULT if the memory is no longer populated RAM.
 */
ssize_t virtqueue_elem_read(VirtQueue *vq, const VirtQueueElement *elem,
                            void *buf, size_t size);
ssize_t virtqueue_elem_write(VirtQueue *vq, const VirtQueueElement *elem,
                             const void *buf, size_t size);

/**
 * virtio_notify: raise the used-buffer interrupt for @vq unless the driver
 * suppressed it (VRING_AVAIL_F_NO_INTERRUPT, or used_event with
 * EVENT_IDX).  Devices call it once after pushing a batch.
 */
void virtio_notify(VirtIODevice *vdev, VirtQueue *vq);

#endif /* HW_VIRTIO_VIRTIO_H */
