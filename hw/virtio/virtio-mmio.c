/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-mmio.c: the virtio-mmio transport, version 2 (register map in
 * include/standard-headers/linux/virtio_mmio.h, behaviour in
 * include/hw/virtio/virtio-mmio.h).
 *
 * Registers are 32-bit accesses; anything else to the register block is
 * logged and ignored (reads give 0), as in QEMU.  The configuration space
 * behind VIRTIO_MMIO_CONFIG takes 1, 2 and 4-byte accesses.  Misuse of a
 * register (queue registers while the queue is ready, features after
 * FEATURES_OK, legacy registers, write-only reads) is a guest error:
 * logged, ignored, never fatal.  Protocol violations that leave the
 * device unable to go on are the core's business (virtio_error).
 *
 * What is left to others: the board decides where transports live and
 * which interrupt each drives; the core (virtio.c) validates and runs
 * the queues.
 */
#include "qemu/osdep.h"
#include "hw/boards.h"
#include "hw/virtio/virtio-mmio.h"
#include "hw/virtio/virtio.h"
#include "qemu/error.h"
#include "qemu/log.h"
#include "qemu/trace.h"

/**
 * struct VirtIOMMIOProxy: one transport.
 * @vdev: the device plugged in, or NULL (an empty slot).
 * @host_features_sel, @guest_features_sel: the feature bank selectors.
 * @guest_features: what the driver wrote to banks 0 and 1.
 * @guest_features_beyond: the driver wrote a non-zero value to a bank
 *                         beyond 1 (features that cannot be offered).
 * @queue_sel: QueueSel as written (may name a queue that does not exist).
 * @vqs: shadows of the queue registers, handed to the core at QueueReady.
 */
typedef struct VirtIOMMIOProxy {
    DeviceState parent_obj;
    MemoryRegion iomem;
    qemu_irq irq;
    hwaddr base;
    VirtIODevice *vdev;
    uint32_t host_features_sel;
    uint32_t guest_features_sel;
    uint32_t guest_features[2];
    bool guest_features_beyond;
    uint32_t queue_sel;
    struct {
        uint32_t num;
        uint32_t desc[2];
        uint32_t avail[2];
        uint32_t used[2];
    } vqs[VIRTIO_QUEUE_MAX];
} VirtIOMMIOProxy;

#define VIRTIO_MMIO(obj) \
    ((VirtIOMMIOProxy *)object_dynamic_cast_assert(OBJECT(obj), \
                                                   TYPE_VIRTIO_MMIO))

static uint64_t u64_from_halves(const uint32_t h[2])
{
    return (uint64_t)h[1] << 32 | h[0];
}

static void virtio_mmio_update_irq(void *opaque)
{
    VirtIOMMIOProxy *proxy = opaque;

    qemu_set_irq(proxy->irq, proxy->vdev && proxy->vdev->isr != 0);
}

/* The transport's share of a reset: selectors and shadows. */
static void virtio_mmio_soft_reset(VirtIOMMIOProxy *proxy)
{
    proxy->host_features_sel = 0;
    proxy->guest_features_sel = 0;
    proxy->guest_features[0] = proxy->guest_features[1] = 0;
    proxy->guest_features_beyond = false;
    proxy->queue_sel = 0;
    memset(proxy->vqs, 0, sizeof(proxy->vqs));
    for (unsigned int i = 0; proxy->vdev && i < VIRTIO_QUEUE_MAX; i++) {
        proxy->vqs[i].num = virtio_queue_default_size(proxy->vdev, i);
    }
}

static void virtio_mmio_log(VirtIOMMIOProxy *proxy, const char *what,
                            hwaddr offset)
{
    qemu_log_guest_error("virtio-mmio@0x%" HWADDR_PRIx ": %s (offset 0x%"
                         HWADDR_PRIx ")\n", proxy->base, what, offset);
}

/* ----------------------------------------------------------------- reads */

static uint64_t virtio_mmio_read_empty(hwaddr offset)
{
    switch (offset) {
    case VIRTIO_MMIO_MAGIC_VALUE:
        return VIRTIO_MMIO_MAGIC;
    case VIRTIO_MMIO_VERSION:
        return VIRTIO_MMIO_VERSION_MODERN;
    case VIRTIO_MMIO_VENDOR_ID:
        return VIRTIO_MMIO_VENDOR;
    default:
        return 0;   /* DeviceID 0: no device here */
    }
}

static uint64_t virtio_mmio_read(void *opaque, hwaddr offset, unsigned size)
{
    VirtIOMMIOProxy *proxy = opaque;
    VirtIODevice *vdev = proxy->vdev;
    uint32_t sel = proxy->queue_sel;

    if (!vdev) {
        return size == 4 ? virtio_mmio_read_empty(offset) : 0;
    }
    if (offset >= VIRTIO_MMIO_CONFIG) {
        return virtio_config_read(vdev, offset - VIRTIO_MMIO_CONFIG, size);
    }
    if (size != 4) {
        virtio_mmio_log(proxy, "wrong size access to register", offset);
        return 0;
    }
    switch (offset) {
    case VIRTIO_MMIO_MAGIC_VALUE:
        return VIRTIO_MMIO_MAGIC;
    case VIRTIO_MMIO_VERSION:
        return VIRTIO_MMIO_VERSION_MODERN;
    case VIRTIO_MMIO_DEVICE_ID:
        return vdev->device_id;
    case VIRTIO_MMIO_VENDOR_ID:
        return VIRTIO_MMIO_VENDOR;
    case VIRTIO_MMIO_DEVICE_FEATURES:
        return proxy->host_features_sel < 2 ?
               (uint32_t)(vdev->host_features >>
                          (32 * proxy->host_features_sel)) : 0;
    case VIRTIO_MMIO_QUEUE_NUM_MAX:
        return virtio_queue_exists(vdev, sel) ? VIRTQUEUE_MAX_SIZE : 0;
    case VIRTIO_MMIO_QUEUE_READY:
        return virtio_queue_is_ready(vdev, sel);
    case VIRTIO_MMIO_INTERRUPT_STATUS:
        return vdev->isr;
    case VIRTIO_MMIO_STATUS:
        return vdev->status;
    case VIRTIO_MMIO_CONFIG_GENERATION:
        return vdev->generation;
    case VIRTIO_MMIO_SHM_LEN_LOW:
    case VIRTIO_MMIO_SHM_LEN_HIGH:
        return UINT32_MAX;  /* no shared memory region */
    case VIRTIO_MMIO_GUEST_PAGE_SIZE:
    case VIRTIO_MMIO_QUEUE_ALIGN:
    case VIRTIO_MMIO_QUEUE_PFN:
        virtio_mmio_log(proxy, "read of a legacy register in non-legacy "
                        "mode", offset);
        return 0;
    case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
    case VIRTIO_MMIO_DRIVER_FEATURES:
    case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
    case VIRTIO_MMIO_QUEUE_SEL:
    case VIRTIO_MMIO_QUEUE_NUM:
    case VIRTIO_MMIO_QUEUE_NOTIFY:
    case VIRTIO_MMIO_INTERRUPT_ACK:
    case VIRTIO_MMIO_QUEUE_DESC_LOW:
    case VIRTIO_MMIO_QUEUE_DESC_HIGH:
    case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
    case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
    case VIRTIO_MMIO_QUEUE_USED_LOW:
    case VIRTIO_MMIO_QUEUE_USED_HIGH:
    case VIRTIO_MMIO_SHM_SEL:
        virtio_mmio_log(proxy, "read of write-only register", offset);
        return 0;
    default:
        virtio_mmio_log(proxy, "bad register offset", offset);
        return 0;
    }
}

/* ---------------------------------------------------------------- writes */

/* A queue register write is taken only for an existing, disabled queue. */
static bool queue_reg_writable(VirtIOMMIOProxy *proxy, hwaddr offset)
{
    uint32_t sel = proxy->queue_sel;

    if (!virtio_queue_exists(proxy->vdev, sel)) {
        virtio_mmio_log(proxy, "queue register write for a queue that does "
                        "not exist: ignored", offset);
        return false;
    }
    if (virtio_queue_is_ready(proxy->vdev, sel)) {
        virtio_mmio_log(proxy, "queue register write while the queue is "
                        "ready: ignored", offset);
        return false;
    }
    return true;
}

static void virtio_mmio_write_queue_num(VirtIOMMIOProxy *proxy,
                                        uint32_t value)
{
    if (!queue_reg_writable(proxy, VIRTIO_MMIO_QUEUE_NUM)) {
        return;
    }
    if (!value || value > VIRTQUEUE_MAX_SIZE || !is_power_of_2(value)) {
        qemu_log_guest_error("virtio-mmio@0x%" HWADDR_PRIx ": QueueNum %u is"
                             " not a power of two in 1..%u: ignored\n",
                             proxy->base, value, VIRTQUEUE_MAX_SIZE);
        return;
    }
    proxy->vqs[proxy->queue_sel].num = value;
}

static void virtio_mmio_write_queue_ready(VirtIOMMIOProxy *proxy,
                                          uint32_t value)
{
    VirtIODevice *vdev = proxy->vdev;
    uint32_t sel = proxy->queue_sel;

    if (!value) {
        virtio_queue_disable(vdev, sel);
        return;
    }
    if (!queue_reg_writable(proxy, VIRTIO_MMIO_QUEUE_READY)) {
        return;
    }
    virtio_queue_enable(vdev, sel, proxy->vqs[sel].num,
                        u64_from_halves(proxy->vqs[sel].desc),
                        u64_from_halves(proxy->vqs[sel].avail),
                        u64_from_halves(proxy->vqs[sel].used));
}

static void virtio_mmio_write_status(VirtIOMMIOProxy *proxy, uint32_t value)
{
    VirtIODevice *vdev = proxy->vdev;

    if (value & ~0xffu) {
        virtio_mmio_log(proxy, "Status bits above bit 7 ignored",
                        VIRTIO_MMIO_STATUS);
        value &= 0xff;
    }
    if (!value) {
        virtio_reset(vdev);
        virtio_mmio_soft_reset(proxy);
        return;
    }
    if ((value & VIRTIO_CONFIG_S_FEATURES_OK) &&
        !(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK) &&
        proxy->guest_features_beyond) {
        virtio_mmio_log(proxy, "driver accepted features beyond bit 63: "
                        "FEATURES_OK refused", VIRTIO_MMIO_STATUS);
        value &= ~(VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
    }
    virtio_set_status(vdev, value, u64_from_halves(proxy->guest_features));
}

static void virtio_mmio_write_driver_features(VirtIOMMIOProxy *proxy,
                                              uint32_t value)
{
    if (proxy->vdev->status & VIRTIO_CONFIG_S_FEATURES_OK) {
        virtio_mmio_log(proxy, "DriverFeatures written with FEATURES_OK "
                        "set: ignored", VIRTIO_MMIO_DRIVER_FEATURES);
        return;
    }
    if (proxy->guest_features_sel < 2) {
        proxy->guest_features[proxy->guest_features_sel] = value;
    } else if (value) {
        proxy->guest_features_beyond = true;
    }
}

/* QueueDesc/Driver/Device Low/High: the shadow half @offset names. */
static uint32_t *queue_addr_shadow(VirtIOMMIOProxy *proxy, hwaddr offset)
{
    uint32_t sel = proxy->queue_sel;
    unsigned int half = (offset & 4) ? 1 : 0;

    switch (offset & ~(hwaddr)4) {
    case VIRTIO_MMIO_QUEUE_DESC_LOW:
        return &proxy->vqs[sel].desc[half];
    case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
        return &proxy->vqs[sel].avail[half];
    default:
        return &proxy->vqs[sel].used[half];
    }
}

static void virtio_mmio_write(void *opaque, hwaddr offset, uint64_t value,
                              unsigned size)
{
    VirtIOMMIOProxy *proxy = opaque;
    VirtIODevice *vdev = proxy->vdev;

    if (!vdev) {
        return;     /* an empty transport ignores writes */
    }
    if (offset >= VIRTIO_MMIO_CONFIG) {
        virtio_config_write(vdev, offset - VIRTIO_MMIO_CONFIG, size, value);
        return;
    }
    if (size != 4) {
        virtio_mmio_log(proxy, "wrong size access to register", offset);
        return;
    }
    switch (offset) {
    case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
        proxy->host_features_sel = value;
        break;
    case VIRTIO_MMIO_DRIVER_FEATURES:
        virtio_mmio_write_driver_features(proxy, value);
        break;
    case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
        proxy->guest_features_sel = value;
        break;
    case VIRTIO_MMIO_QUEUE_SEL:
        proxy->queue_sel = value;
        break;
    case VIRTIO_MMIO_QUEUE_NUM:
        virtio_mmio_write_queue_num(proxy, value);
        break;
    case VIRTIO_MMIO_QUEUE_READY:
        virtio_mmio_write_queue_ready(proxy, value);
        break;
    case VIRTIO_MMIO_QUEUE_NOTIFY:
        virtio_queue_notify(vdev, value);
        break;
    case VIRTIO_MMIO_INTERRUPT_ACK:
        virtio_isr_ack(vdev, value);
        break;
    case VIRTIO_MMIO_STATUS:
        virtio_mmio_write_status(proxy, value);
        break;
    case VIRTIO_MMIO_QUEUE_DESC_LOW:
    case VIRTIO_MMIO_QUEUE_DESC_HIGH:
    case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
    case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
    case VIRTIO_MMIO_QUEUE_USED_LOW:
    case VIRTIO_MMIO_QUEUE_USED_HIGH:
        if (queue_reg_writable(proxy, offset)) {
            *queue_addr_shadow(proxy, offset) = value;
        }
        break;
    case VIRTIO_MMIO_GUEST_PAGE_SIZE:
    case VIRTIO_MMIO_QUEUE_ALIGN:
    case VIRTIO_MMIO_QUEUE_PFN:
        virtio_mmio_log(proxy, "write to a legacy register in non-legacy "
                        "mode", offset);
        break;
    case VIRTIO_MMIO_MAGIC_VALUE:
    case VIRTIO_MMIO_VERSION:
    case VIRTIO_MMIO_DEVICE_ID:
    case VIRTIO_MMIO_VENDOR_ID:
    case VIRTIO_MMIO_DEVICE_FEATURES:
    case VIRTIO_MMIO_QUEUE_NUM_MAX:
    case VIRTIO_MMIO_INTERRUPT_STATUS:
    case VIRTIO_MMIO_CONFIG_GENERATION:
    case VIRTIO_MMIO_SHM_LEN_LOW:
    case VIRTIO_MMIO_SHM_LEN_HIGH:
    case VIRTIO_MMIO_SHM_BASE_LOW:
    case VIRTIO_MMIO_SHM_BASE_HIGH:
        virtio_mmio_log(proxy, "write to read-only register", offset);
        break;
    default:
        /* SHMSel and QueueReset (VIRTIO_F_RING_RESET is not offered). */
        virtio_mmio_log(proxy, "bad register offset", offset);
        break;
    }
}

static const MemoryRegionOps virtio_mmio_ops = {
    .read = virtio_mmio_read,
    .write = virtio_mmio_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

/* ----------------------------------------------------- plugging devices */

struct VirtIOMMIOBus {
    GPtrArray *transports;      /* VirtIOMMIOProxy *, borrowed */
};

VirtIOMMIOBus *virtio_mmio_bus_new(void)
{
    VirtIOMMIOBus *bus = g_new0(VirtIOMMIOBus, 1);

    bus->transports = g_ptr_array_new();
    return bus;
}

void virtio_mmio_bus_free(VirtIOMMIOBus *bus)
{
    g_ptr_array_unref(bus->transports);
    g_free(bus);
}

DeviceState *virtio_mmio_bus_add(VirtIOMMIOBus *bus, Object *parent,
                                 const char *name, MemoryRegion *sysmem,
                                 hwaddr base, qemu_irq irq)
{
    DeviceState *dev = virtio_mmio_create(parent, name, sysmem, base, irq);

    g_ptr_array_add(bus->transports, VIRTIO_MMIO(dev));
    return dev;
}

unsigned virtio_mmio_bus_slots(const VirtIOMMIOBus *bus)
{
    return bus->transports->len;
}

VirtIODevice *virtio_mmio_bus_device(const VirtIOMMIOBus *bus,
                                     unsigned slot)
{
    VirtIOMMIOProxy *proxy;

    assert(slot < bus->transports->len);
    proxy = bus->transports->pdata[slot];
    return proxy->vdev;
}

bool virtio_mmio_plug(VirtIODevice *vdev, Error **errp)
{
    MachineState *ms = machine_get_current();
    VirtIOMMIOBus *bus = ms ? ms->virtio_mmio_bus : NULL;
    VirtIOMMIOProxy *proxy = NULL;

    if (!bus) {
        error_setg(errp, "No 'virtio-mmio-bus' bus found for device '%s'",
                   object_get_typename(OBJECT(vdev)));
        return false;
    }
    for (guint i = 0; i < bus->transports->len && !proxy; i++) {
        VirtIOMMIOProxy *p = bus->transports->pdata[i];

        proxy = p->vdev ? NULL : p;
    }
    if (!proxy) {
        error_setg(errp, "No 'virtio-mmio-bus' bus found for device '%s': "
                   "all %u virtio-mmio slots are in use",
                   object_get_typename(OBJECT(vdev)), bus->transports->len);
        return false;
    }
    proxy->vdev = vdev;
    DEVICE(vdev)->parent_bus_dev = DEVICE(proxy);
    vdev->transport = proxy;
    vdev->transport_update_irq = virtio_mmio_update_irq;
    virtio_mmio_soft_reset(proxy);
    trace_event("virtio_mmio_plug", "%s at 0x%" HWADDR_PRIx,
                object_get_typename(OBJECT(vdev)), proxy->base);
    return true;
}

void virtio_mmio_unplug(VirtIODevice *vdev)
{
    VirtIOMMIOProxy *proxy = vdev->transport;

    if (!proxy) {
        return;
    }
    vdev->isr = 0;
    virtio_mmio_update_irq(proxy);
    proxy->vdev = NULL;
    DEVICE(vdev)->parent_bus_dev = NULL;
    vdev->transport = NULL;
    vdev->transport_update_irq = NULL;
    virtio_mmio_soft_reset(proxy);
}

/* ------------------------------------------------------------ the type */

static void virtio_mmio_reset(DeviceState *dev)
{
    VirtIOMMIOProxy *proxy = VIRTIO_MMIO(dev);

    if (proxy->vdev) {
        virtio_reset(proxy->vdev);
    }
    virtio_mmio_soft_reset(proxy);
}

DeviceState *virtio_mmio_create(Object *parent, const char *name,
                                MemoryRegion *sysmem, hwaddr base,
                                qemu_irq irq)
{
    DeviceState *dev = qdev_new(TYPE_VIRTIO_MMIO);
    VirtIOMMIOProxy *proxy = VIRTIO_MMIO(dev);

    proxy->base = base;
    proxy->irq = irq;
    memory_region_init_io(&proxy->iomem, OBJECT(dev), &virtio_mmio_ops,
                          proxy, TYPE_VIRTIO_MMIO, VIRTIO_MMIO_WINDOW_SIZE);
    object_property_add_child(parent, name, OBJECT(dev));
    object_unref(OBJECT(dev));
    qdev_realize(dev, &error_abort);
    memory_region_add_subregion(sysmem, base, &proxy->iomem);
    return dev;
}

/* info qtree: the window, then the transport's bus and its device. */
static void virtio_mmio_print_dev(DeviceState *dev, GString *out, int indent)
{
    VirtIOMMIOProxy *proxy = VIRTIO_MMIO(dev);
    MachineState *ms = machine_get_current();
    VirtIOMMIOBus *bus = ms ? ms->virtio_mmio_bus : NULL;
    int slot = -1;

    g_string_append_printf(out, "%*smmio %016" PRIx64 "/%016" PRIx64 "\n",
                           indent, "", (uint64_t)proxy->base,
                           (uint64_t)VIRTIO_MMIO_WINDOW_SIZE);
    for (guint i = 0; bus && i < bus->transports->len; i++) {
        if (bus->transports->pdata[i] == proxy) {
            slot = i;
        }
    }
    g_string_append_printf(out, "%*sbus: virtio-mmio-bus.%d\n", indent, "",
                           slot);
    g_string_append_printf(out, "%*stype virtio-mmio-bus\n", indent + 2, "");
    if (proxy->vdev) {
        qdev_print_dev(DEVICE(proxy->vdev), out, indent + 2);
    }
}

static void virtio_mmio_class_init(ObjectClass *klass)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->print_dev = virtio_mmio_print_dev;
    dc->reset = virtio_mmio_reset;
    dc->desc = "virtio-mmio transport";
}

void virtio_mmio_register_types(void)
{
    static const TypeInfo info = {
        .name = TYPE_VIRTIO_MMIO,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(VirtIOMMIOProxy),
        .class_init = virtio_mmio_class_init,
    };

    type_register_static(&info);
}
