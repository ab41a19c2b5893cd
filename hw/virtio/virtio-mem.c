/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-mem.c: the virtio-mem device: its request queue (PLUG, UNPLUG,
 * UNPLUG_ALL, STATE with QEMU's validation order and answers), the block
 * state machine drawn in include/hw/virtio/virtio-mem.h, the usable
 * region, configuration space, system reset, and the memory-device glue
 * (placement, query-memory-devices, MEMORY_DEVICE_SIZE_CHANGE).  The QOM
 * properties and realize checks are in virtio-mem-props.c.
 *
 * Ordering that matters:
 *  - unplug discards the host memory before the listeners hear of it and
 *    before the guest gets its ACK, so plugged-again blocks read zero;
 *  - plug asks the listeners before the bit is set, and discards the
 *    range again if any step fails, answering BUSY with nothing changed;
 *  - requests are read once from guest memory into a local copy, which is
 *    what is validated and acted on;
 *  - while a discard freeze is held (ram_discard_frozen(): a dump is
 *    reading the plugged blocks) a valid PLUG or UNPLUG, and every
 *    UNPLUG_ALL, is answered BUSY before anything is touched; STATE and
 *    requested-size changes (config only) keep working.
 */
#include "qemu/osdep.h"
#include "exec/ramblock.h"
#include "hw/virtio/virtio-mem-internal.h"
#include "qapi/qmp-registry.h"
#include "qemu/error.h"
#include "qemu/trace.h"
#include "standard-headers/linux/virtio_ids.h"
#include "sysemu/hostmem.h"

G_STATIC_ASSERT(sizeof(struct virtio_mem_req) == VIRTIO_MEM_REQ_SIZE);
G_STATIC_ASSERT(sizeof(struct virtio_mem_resp) == VIRTIO_MEM_RESP_SIZE);
G_STATIC_ASSERT(sizeof(struct virtio_mem_config) == VIRTIO_MEM_CONFIG_SIZE);

uint64_t virtio_mem_region_size(const VirtIOMEM *vmem)
{
    return memory_region_size(&vmem->memdev->mr);
}

static RAMBlock *virtio_mem_ram_block(const VirtIOMEM *vmem)
{
    return memory_region_get_ram_block(&vmem->memdev->mr);
}

void virtio_mem_assert_state(const VirtIOMEM *vmem)
{
    uint64_t region = virtio_mem_region_size(vmem);

    assert(vmem->size == ram_discard_bitmap_populated_size(&vmem->rdb));
    assert(vmem->usable_region_size <= region);
    assert(QEMU_IS_ALIGNED(vmem->usable_region_size, vmem->block_size));
    assert(QEMU_IS_ALIGNED(vmem->requested_size, vmem->block_size));
    assert(vmem->requested_size <= region);
    assert(ram_discard_bitmap_is_discarded(&vmem->rdb,
                                           vmem->usable_region_size,
                                           region -
                                           vmem->usable_region_size));
}

/* --------------------------------------------------------- host memory */

/*
 * Give [@offset, +@size) of the backend back to the host; the
 * x-inject-discard-errors hook makes it fail as the host could.
 */
int virtio_mem_discard(VirtIOMEM *vmem, uint64_t offset, uint64_t size)
{
    if (vmem->inject_discard_errors) {
        vmem->inject_discard_errors--;
        trace_event("virtio_mem_inject", "discard 0x%" PRIx64 "+0x%" PRIx64
                    " fails", offset, size);
        return -EIO;
    }
    return ram_block_discard_range(virtio_mem_ram_block(vmem), offset, size);
}

static int virtio_mem_prealloc(VirtIOMEM *vmem, uint64_t offset,
                               uint64_t size)
{
    static bool warned;
    int ret = 0;

    if (vmem->inject_prealloc_errors) {
        vmem->inject_prealloc_errors--;
        ret = -ENOMEM;
    } else if (vmem->prealloc) {
        ret = qemu_ram_prealloc(virtio_mem_ram_block(vmem), offset, size);
    }
    if (ret && !warned) {
        /* Once: a guest must not be able to flood the host's log. */
        warn_report("virtio-mem: preallocating 0x%" PRIx64 " bytes failed: "
                    "%s", size, g_strerror(-ret));
        warned = true;
    }
    return ret;
}

/* ------------------------------------------------------- state changes */

/* The plugged size changed: the event, and a new config generation. */
static void virtio_mem_size_changed(VirtIOMEM *vmem)
{
    DeviceState *dev = DEVICE(vmem);
    JsonObject *data = json_object_new();
    g_autofree char *path = object_get_canonical_path(OBJECT(vmem));

    if (dev->id) {
        json_object_set_string_member(data, "id", dev->id);
    }
    json_object_set_int_member(data, "size", vmem->size);
    json_object_set_string_member(data, "qom-path", path);
    qapi_event_send("MEMORY_DEVICE_SIZE_CHANGE", data);
    virtio_config_changed(VIRTIO_DEVICE(vmem));
}

void virtio_mem_resize_usable_region(VirtIOMEM *vmem, uint64_t requested,
                                     bool can_shrink)
{
    uint64_t region = virtio_mem_region_size(vmem);
    uint64_t newsize = requested > region - MIN(region,
                                                VIRTIO_MEM_USABLE_EXTENT) ?
                       region : requested + VIRTIO_MEM_USABLE_EXTENT;

    newsize = QEMU_ALIGN_UP(newsize, vmem->block_size);
    if (!requested) {
        newsize = 0;
    }
    if (newsize < vmem->usable_region_size && !can_shrink) {
        return;
    }
    if (newsize != vmem->usable_region_size) {
        trace_event("virtio_mem_resized_usable_region", "0x%" PRIx64
                    " -> 0x%" PRIx64, vmem->usable_region_size, newsize);
        vmem->usable_region_size = newsize;
        virtio_config_changed(VIRTIO_DEVICE(vmem));
    }
}

/* UNPLUGGED -> PLUGGED for [@offset, +@size). */
static int virtio_mem_plug_range(VirtIOMEM *vmem, uint64_t offset,
                                 uint64_t size)
{
    int ret = virtio_mem_prealloc(vmem, offset, size);

    if (!ret) {
        ret = ram_discard_bitmap_populate(&vmem->rdb, offset, size);
    }
    if (ret) {
        /* Prealloc or a listener may have populated memory: give it back.
         * The range stays unplugged whatever this returns. */
        virtio_mem_discard(vmem, offset, size);
        return -EBUSY;
    }
    return 0;
}

/* PLUGGED -> UNPLUGGED for [@offset, +@size). */
static int virtio_mem_unplug_range(VirtIOMEM *vmem, uint64_t offset,
                                   uint64_t size)
{
    if (virtio_mem_discard(vmem, offset, size) < 0) {
        return -EBUSY;
    }
    ram_discard_bitmap_discard(&vmem->rdb, offset, size);
    return 0;
}

/*
 * A plug change was refused because a discard freeze is held (a dump is
 * reading the plugged blocks).  Trace every refusal; tell the host's log
 * at most once per VIRTIO_MEM_FROZEN_LOG_INTERVAL, with how many were
 * refused meanwhile, since the guest decides how often it retries.
 */
#define VIRTIO_MEM_FROZEN_LOG_INTERVAL (10 * G_TIME_SPAN_SECOND)

static void virtio_mem_refused_frozen(VirtIOMEM *vmem, const char *what)
{
    static int64_t last_logged = INT64_MIN;
    static uint64_t suppressed;
    int64_t now = g_get_monotonic_time();

    trace_event("virtio_mem_busy_frozen", "%s: plug state frozen, BUSY",
                what);
    if (last_logged != INT64_MIN &&
        now - last_logged < VIRTIO_MEM_FROZEN_LOG_INTERVAL) {
        suppressed++;
        return;
    }
    if (suppressed) {
        info_report("virtio-mem '%s': %s answered BUSY: the plug state is "
                    "frozen while a dump runs (and %" PRIu64 " other "
                    "requests since the last message)",
                    DEVICE(vmem)->id ? DEVICE(vmem)->id : "", what,
                    suppressed);
    } else {
        info_report("virtio-mem '%s': %s answered BUSY: the plug state is "
                    "frozen while a dump runs; the guest may retry later",
                    DEVICE(vmem)->id ? DEVICE(vmem)->id : "", what);
    }
    last_logged = now;
    suppressed = 0;
}

int virtio_mem_unplug_all(VirtIOMEM *vmem)
{
    if (ram_discard_frozen()) {
        /* Neither the blocks nor the usable region change. */
        return -EBUSY;
    }
    if (vmem->size) {
        if (virtio_mem_discard(vmem, 0, virtio_mem_region_size(vmem)) < 0) {
            return -EBUSY;
        }
        ram_discard_bitmap_discard_all(&vmem->rdb);
        vmem->size = 0;
        virtio_mem_size_changed(vmem);
    }
    virtio_mem_resize_usable_region(vmem, vmem->requested_size, true);
    virtio_mem_assert_state(vmem);
    return 0;
}

/* ------------------------------------------------------------ requests */

/* A range the guest may name: aligned, non-empty, inside the usable
 * region, no wrap-around. */
static bool virtio_mem_valid_range(const VirtIOMEM *vmem, uint64_t gpa,
                                   uint64_t size)
{
    if (!QEMU_IS_ALIGNED(gpa, vmem->block_size)) {
        return false;
    }
    if (gpa + size < gpa || !size) {
        return false;
    }
    if (gpa < vmem->addr || gpa - vmem->addr >= vmem->usable_region_size) {
        return false;
    }
    return gpa + size - vmem->addr <= vmem->usable_region_size;
}

/* Bytes of @nb_blocks blocks; false if that does not fit 64 bits. */
static bool virtio_mem_blocks_size(const VirtIOMEM *vmem, uint16_t nb_blocks,
                                   uint64_t *size)
{
    return !__builtin_mul_overflow((uint64_t)nb_blocks, vmem->block_size,
                                   size);
}

static uint16_t virtio_mem_state_change_request(VirtIOMEM *vmem,
                                                uint64_t gpa,
                                                uint16_t nb_blocks, bool plug)
{
    uint64_t size, offset;

    if (!virtio_mem_blocks_size(vmem, nb_blocks, &size) ||
        !virtio_mem_valid_range(vmem, gpa, size)) {
        return VIRTIO_MEM_RESP_ERROR;
    }
    if (plug && vmem->size + size > vmem->requested_size) {
        return VIRTIO_MEM_RESP_NACK;
    }
    offset = gpa - vmem->addr;
    if (plug ? !ram_discard_bitmap_is_discarded(&vmem->rdb, offset, size)
             : !ram_discard_bitmap_is_populated(&vmem->rdb, offset, size)) {
        return VIRTIO_MEM_RESP_ERROR;
    }
    /* A valid request, but someone holds the plug state: try later. */
    if (ram_discard_frozen()) {
        virtio_mem_refused_frozen(vmem, plug ? "PLUG" : "UNPLUG");
        return VIRTIO_MEM_RESP_BUSY;
    }
    if (plug ? virtio_mem_plug_range(vmem, offset, size)
             : virtio_mem_unplug_range(vmem, offset, size)) {
        return VIRTIO_MEM_RESP_BUSY;
    }
    if (plug) {
        vmem->size += size;
    } else {
        vmem->size -= size;
    }
    virtio_mem_size_changed(vmem);
    virtio_mem_assert_state(vmem);
    return VIRTIO_MEM_RESP_ACK;
}

static uint16_t virtio_mem_state_request(VirtIOMEM *vmem, uint64_t gpa,
                                         uint16_t nb_blocks, uint16_t *state)
{
    uint64_t size, offset;

    if (!virtio_mem_blocks_size(vmem, nb_blocks, &size) ||
        !virtio_mem_valid_range(vmem, gpa, size)) {
        return VIRTIO_MEM_RESP_ERROR;
    }
    offset = gpa - vmem->addr;
    if (ram_discard_bitmap_is_populated(&vmem->rdb, offset, size)) {
        *state = VIRTIO_MEM_STATE_PLUGGED;
    } else if (ram_discard_bitmap_is_discarded(&vmem->rdb, offset, size)) {
        *state = VIRTIO_MEM_STATE_UNPLUGGED;
    } else {
        *state = VIRTIO_MEM_STATE_MIXED;
    }
    return VIRTIO_MEM_RESP_ACK;
}

/*
 * Serve one request (a local copy); fill @resp.
 * Returns: false for an unknown type (a protocol violation).
 */
static bool virtio_mem_serve(VirtIOMEM *vmem, const struct virtio_mem_req *req,
                             struct virtio_mem_resp *resp)
{
    uint16_t type = GUINT16_FROM_LE(req->type);
    uint64_t gpa = GUINT64_FROM_LE(req->addr);
    uint16_t nb_blocks = GUINT16_FROM_LE(req->nb_blocks);
    uint16_t rtype, state = 0;

    switch (type) {
    case VIRTIO_MEM_REQ_PLUG:
    case VIRTIO_MEM_REQ_UNPLUG:
        rtype = virtio_mem_state_change_request(vmem, gpa, nb_blocks,
                                                type == VIRTIO_MEM_REQ_PLUG);
        break;
    case VIRTIO_MEM_REQ_UNPLUG_ALL:
        if (ram_discard_frozen()) {
            virtio_mem_refused_frozen(vmem, "UNPLUG_ALL");
        }
        rtype = virtio_mem_unplug_all(vmem) ? VIRTIO_MEM_RESP_BUSY
                                             : VIRTIO_MEM_RESP_ACK;
        break;
    case VIRTIO_MEM_REQ_STATE:
        rtype = virtio_mem_state_request(vmem, gpa, nb_blocks, &state);
        break;
    default:
        return false;
    }
    trace_event("virtio_mem_request", "type=%u addr=0x%" PRIx64 " nb=%u -> "
                "resp=%u state=%u", type, gpa, nb_blocks, rtype, state);
    memset(resp, 0, sizeof(*resp));
    resp->type = GUINT16_TO_LE(rtype);
    resp->state = GUINT16_TO_LE(state);
    return true;
}

static void virtio_mem_handle_request(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOMEM *vmem = VIRTIO_MEM(vdev);
    VirtQueueElement *elem;
    bool pushed = false;

    while ((elem = virtqueue_pop(vq))) {
        struct virtio_mem_req req;
        struct virtio_mem_resp resp;
        ssize_t got = virtqueue_elem_read(vq, elem, &req, sizeof(req));

        if (got < (ssize_t)sizeof(req)) {
            virtio_error(vdev, "virtio-mem protocol violation: invalid "
                         "request size: %" PRIu64, elem->out_len);
        } else if (elem->in_len < sizeof(resp)) {
            virtio_error(vdev, "virtio-mem protocol violation: not enough "
                         "space for response: %" PRIu64, elem->in_len);
        } else if (!virtio_mem_serve(vmem, &req, &resp)) {
            virtio_error(vdev, "virtio-mem protocol violation: unknown "
                         "request type: %u", GUINT16_FROM_LE(req.type));
        } else if (virtqueue_elem_write(vq, elem, &resp, sizeof(resp)) !=
                   sizeof(resp)) {
            virtio_error(vdev, "virtio-mem: cannot write the response: its "
                         "buffer is no longer populated RAM");
        } else {
            virtqueue_push(vq, elem, sizeof(resp));
            virtqueue_elem_free(elem);
            pushed = true;
            continue;
        }
        virtqueue_detach_element(vq, elem);
        virtqueue_elem_free(elem);
        break;
    }
    if (pushed) {
        virtio_notify(vdev, vq);
    }
}

/* ---------------------------------------------------- virtio callbacks */

static void virtio_mem_get_config(VirtIODevice *vdev, uint8_t *config_data)
{
    VirtIOMEM *vmem = VIRTIO_MEM(vdev);
    struct virtio_mem_config config = {
        .block_size = GUINT64_TO_LE(vmem->block_size),
        .node_id = GUINT16_TO_LE(vmem->node),
        .addr = GUINT64_TO_LE(vmem->addr),
        .region_size = GUINT64_TO_LE(virtio_mem_region_size(vmem)),
        .usable_region_size = GUINT64_TO_LE(vmem->usable_region_size),
        .plugged_size = GUINT64_TO_LE(vmem->size),
        .requested_size = GUINT64_TO_LE(vmem->requested_size),
    };

    memcpy(config_data, &config, sizeof(config));
}

static uint64_t virtio_mem_get_features(VirtIODevice *vdev,
                                        uint64_t features)
{
    VirtIOMEM *vmem = VIRTIO_MEM(vdev);

    /* No NUMA (ACPI_PXM) and no suspend (PERSISTENT_SUSPEND) here. */
    if (vmem->unplugged_inaccessible) {
        features |= UINT64_C(1) << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE;
    }
    return features;
}

static int virtio_mem_validate_features(VirtIODevice *vdev)
{
    if (virtio_host_has_feature(vdev, VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE) &&
        !virtio_vdev_has_feature(vdev, VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE)) {
        return -EFAULT;
    }
    return 0;
}

/*
 * System reset: unplug everything (a virtio reset does not).  If that is
 * refused, the memory stays plugged and the guest driver is expected to
 * ask for UNPLUG_ALL, as in QEMU.  Registered with qemu_register_reset at
 * realize, so it runs after every device reset and before the late reset
 * phase (the TPM memory-overwrite clear).
 */
void virtio_mem_system_reset(void *opaque)
{
    VirtIOMEM *vmem = opaque;

    /*
     * Resets wait for the end of a dump (runstate.c), which is when its
     * freeze is released; should another freeze be held, the memory stays
     * plugged as for any refused unplug-all.
     */

    if (virtio_mem_unplug_all(vmem)) {
        trace_event("virtio_mem_system_reset", "unplug-all refused: 0x%"
                    PRIx64 " bytes stay plugged", vmem->size);
    }
}

/* ------------------------------------------------------- memory device */

static MemoryRegion *virtio_mem_md_get_memory_region(DeviceState *dev,
                                                     Error **errp)
{
    VirtIOMEM *vmem = VIRTIO_MEM(dev);

    if (!vmem->memdev) {
        error_setg(errp, "'%s' property must be set",
                   VIRTIO_MEM_MEMDEV_PROP);
        return NULL;
    }
    return &vmem->memdev->mr;
}

static void json_add_uint(JsonBuilder *b, const char *name, uint64_t v)
{
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, v);
}

/* One VirtioMEMDeviceInfo, wrapped as a MemoryDeviceInfo. */
static void virtio_mem_md_fill_info(DeviceState *dev, JsonBuilder *b)
{
    VirtIOMEM *vmem = VIRTIO_MEM(dev);
    g_autofree char *memdev = object_get_canonical_path(OBJECT(vmem->memdev));

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "type");
    json_builder_add_string_value(b, "virtio-mem");
    json_builder_set_member_name(b, "data");
    json_builder_begin_object(b);
    if (dev->id) {
        json_builder_set_member_name(b, "id");
        json_builder_add_string_value(b, dev->id);
    }
    json_add_uint(b, "memaddr", vmem->addr);
    json_add_uint(b, "requested-size", vmem->requested_size);
    json_add_uint(b, "size", vmem->size);
    json_add_uint(b, "max-size", virtio_mem_region_size(vmem));
    json_add_uint(b, "block-size", vmem->block_size);
    json_add_uint(b, "node", vmem->node);
    json_builder_set_member_name(b, "memdev");
    json_builder_add_string_value(b, memdev);
    json_builder_end_object(b);
    json_builder_end_object(b);
}

const MemoryDeviceOps virtio_mem_md_ops = {
    .get_memory_region = virtio_mem_md_get_memory_region,
    .fill_info = virtio_mem_md_fill_info,
};

/* ---------------------------------------------------------------- type */

void virtio_mem_init_device(VirtIOMEM *vmem)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(vmem);

    virtio_init(vdev, "virtio-mem", VIRTIO_ID_MEM, VIRTIO_MEM_CONFIG_SIZE);
    vmem->vq = virtio_add_queue(vdev, VIRTIO_MEM_QUEUE_SIZE,
                                virtio_mem_handle_request);
}

void virtio_mem_class_init_virtio(VirtioDeviceClass *vdc)
{
    vdc->get_features = virtio_mem_get_features;
    vdc->validate_features = virtio_mem_validate_features;
    vdc->get_config = virtio_mem_get_config;
}
