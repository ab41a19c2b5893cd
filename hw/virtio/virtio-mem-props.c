/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-mem-props.c: the user-facing side of virtio-mem-device: its QOM
 * properties with QEMU's names, defaults and error messages, the default
 * block size as QEMU computes it, realize (QEMU's checks in QEMU's order,
 * then placement in device memory and the slot on a virtio-mmio
 * transport) and unrealize.
 *
 * Realize order, and why:
 *   1. what QEMU's memory-device pre-plug checks (device memory exists,
 *      memdev set), then QEMU's realize checks (memdev busy / unsupported
 *      / preallocated, node, unplugged-inaccessible, block size,
 *      alignments);
 *   2. discard the whole backend: a reused backend or file starts clean,
 *      so every block reads zero when first plugged;
 *   3. the bitmap, the queue, the usable region;
 *   4. the RamDiscardManager is set on the backend's region before the
 *      region is mapped (the interface requires it), then the region is
 *      placed and mapped by memory_device_plug();
 *   5. the system-reset handler; the virtio core then plugs the device
 *      into the first free virtio-mmio transport.
 * A failure at any step undoes the earlier ones.
 */
#include "qemu/osdep.h"
#include "exec/ramblock.h"
#include "hw/boards.h"
#include "hw/test-hooks.h"
#include "hw/virtio/virtio-mem-internal.h"
#include "qemu/cutils.h"
#include "qemu/error.h"
#include "sysemu/hostmem.h"
#include "sysemu/runstate.h"

static const char *const on_off_auto[] = { "on", "off", "auto", NULL };

/* ---------------------------------------------------- default block size */

#define HPAGE_PATH          "/sys/kernel/mm/transparent_hugepage/"
#define HPAGE_PMD_SIZE_PATH HPAGE_PATH "hpage_pmd_size"
/* The THP size of x86_64 hosts, when the kernel does not say. */
#define VIRTIO_MEM_DEFAULT_THP_SIZE (2 * MiB)

/*
 * The host's transparent huge page size, probed once as QEMU does: no THP
 * at all means no constraint (the minimum block size); an unreadable or
 * odd value falls back to the architecture's usual size, with a warning.
 */
static uint64_t virtio_mem_thp_size(void)
{
    static uint64_t thp_size;
    g_autofree char *content = NULL;
    const char *endptr;
    uint64_t tmp;

    if (thp_size) {
        return thp_size;
    }
    if (!g_file_test(HPAGE_PATH, G_FILE_TEST_EXISTS)) {
        thp_size = VIRTIO_MEM_MIN_BLOCK_SIZE;
        return thp_size;
    }
    if (g_file_get_contents(HPAGE_PMD_SIZE_PATH, &content, NULL, NULL) &&
        !qemu_strtou64(content, &endptr, 0, &tmp) &&
        (!endptr || *endptr == '\n')) {
        if (!tmp || !is_power_of_2(tmp)) {
            warn_report("Read unsupported THP size: %" PRIx64, tmp);
        } else {
            thp_size = tmp;
        }
    }
    if (!thp_size) {
        thp_size = VIRTIO_MEM_DEFAULT_THP_SIZE;
        warn_report("Could not detect THP size, falling back to %" PRIx64
                    "  MiB.", thp_size / MiB);
    }
    return thp_size;
}

static uint64_t virtio_mem_default_block_size(RAMBlock *rb)
{
    const uint64_t page_size = rb->page_size;

    /* hugetlbfs pages may be smaller than the THP size. */
    if (page_size == qemu_real_host_page_size()) {
        return MAX(page_size, virtio_mem_thp_size());
    }
    return MAX(page_size, VIRTIO_MEM_MIN_BLOCK_SIZE);
}

/* Only private anonymous RAM of normal pages reads unplugged memory as the
 * shared zero page without allocating. */
static bool virtio_mem_has_shared_zeropage(RAMBlock *rb)
{
    return !qemu_ram_is_shared(rb) && rb->fd < 0 &&
           rb->page_size == qemu_real_host_page_size();
}

/* ------------------------------------------------------------- realize */

/* Step 1: the checks, in QEMU's order.  Fills in block_size and
 * unplugged_inaccessible. */
static bool virtio_mem_check(VirtIOMEM *vmem, Error **errp)
{
    MachineState *ms = machine_get_current();
    HostMemoryBackend *memdev = vmem->memdev;
    MemoryRegion *mr;
    RAMBlock *rb;
    uint64_t page_size, region_size;
    const char *ui = vmem->unplugged_inaccessible_prop;

    if (!ms->device_memory) {
        error_setg(errp, "memory devices (e.g. for memory hotplug) are not "
                   "enabled, please specify the maxmem option");
        return false;
    }
    if (!memdev) {
        error_setg(errp, "'%s' property must be set", VIRTIO_MEM_MEMDEV_PROP);
        return false;
    }
    if (host_memory_backend_is_mapped(memdev)) {
        error_setg(errp, "'%s' property specifies a busy memdev: %s",
                   VIRTIO_MEM_MEMDEV_PROP,
                   host_memory_backend_get_name(memdev));
        return false;
    }
    mr = host_memory_backend_get_memory(memdev);
    if (!mr || !memory_region_is_ram(mr) || memory_region_is_rom(mr) ||
        !memory_region_get_ram_block(mr)) {
        error_setg(errp, "'%s' property specifies an unsupported memdev",
                   VIRTIO_MEM_MEMDEV_PROP);
        return false;
    }
    if (memdev->prealloc) {
        error_setg(errp, "'%s' property specifies a memdev with preallocation"
                   " enabled: %s. Instead, specify 'prealloc=on' for the"
                   " virtio-mem device. ", VIRTIO_MEM_MEMDEV_PROP,
                   host_memory_backend_get_name(memdev));
        return false;
    }
    if (vmem->node) {
        /* No -numa here: QEMU's message for a machine without NUMA. */
        error_setg(errp, "'%s' property has value '%" PRIu32 "', which "
                   "exceedsthe number of numa nodes: %d",
                   VIRTIO_MEM_NODE_PROP, vmem->node, 1);
        return false;
    }

    rb = memory_region_get_ram_block(mr);
    page_size = rb->page_size;
    region_size = memory_region_size(mr);
    if (!strcmp(ui, "auto")) {
        vmem->unplugged_inaccessible = !virtio_mem_has_shared_zeropage(rb);
    } else {
        vmem->unplugged_inaccessible = !strcmp(ui, "on");
        if (!vmem->unplugged_inaccessible &&
            !virtio_mem_has_shared_zeropage(rb)) {
            warn_report("'%s' property set to 'off' with a memdev that does"
                        " not support the shared zeropage.",
                        VIRTIO_MEM_UNPLUGGED_INACCESSIBLE_PROP);
        }
    }
    if (vmem->dynamic_memslots && !vmem->unplugged_inaccessible) {
        error_setg(errp, "'%s' property set to 'on' requires '%s' to be 'on'",
                   VIRTIO_MEM_DYNAMIC_MEMSLOTS_PROP,
                   VIRTIO_MEM_UNPLUGGED_INACCESSIBLE_PROP);
        return false;
    }

    if (!vmem->block_size) {
        vmem->block_size = virtio_mem_default_block_size(rb);
    }
    if (vmem->block_size < page_size) {
        error_setg(errp, "'%s' property has to be at least the page size "
                   "(0x%" PRIx64 ")", VIRTIO_MEM_BLOCK_SIZE_PROP, page_size);
        return false;
    } else if (vmem->block_size < virtio_mem_default_block_size(rb)) {
        warn_report("'%s' property is smaller than the default block size "
                    "(%" PRIx64 " MiB)", VIRTIO_MEM_BLOCK_SIZE_PROP,
                    virtio_mem_default_block_size(rb) / MiB);
    }
    if (!QEMU_IS_ALIGNED(vmem->requested_size, vmem->block_size)) {
        error_setg(errp, "'%s' property has to be multiples of '%s' (0x%"
                   PRIx64 ")", VIRTIO_MEM_REQUESTED_SIZE_PROP,
                   VIRTIO_MEM_BLOCK_SIZE_PROP, vmem->block_size);
        return false;
    } else if (!QEMU_IS_ALIGNED(vmem->addr, vmem->block_size)) {
        error_setg(errp, "'%s' property has to be multiples of '%s' (0x%"
                   PRIx64 ")", VIRTIO_MEM_ADDR_PROP,
                   VIRTIO_MEM_BLOCK_SIZE_PROP, vmem->block_size);
        return false;
    } else if (!QEMU_IS_ALIGNED(region_size, vmem->block_size)) {
        error_setg(errp, "'%s' property memdev size has to be multiples of"
                   "'%s' (0x%" PRIx64 ")", VIRTIO_MEM_MEMDEV_PROP,
                   VIRTIO_MEM_BLOCK_SIZE_PROP, vmem->block_size);
        return false;
    }
    if (vmem->requested_size > region_size) {
        /* QEMU accepts this at realize; we refuse it as qom-set does. */
        error_setg(errp, "'%s' cannot exceed the memory backend size"
                   "(0x%" PRIx64 ")", VIRTIO_MEM_REQUESTED_SIZE_PROP,
                   region_size);
        return false;
    }
    return true;
}

/* Undo realize; safe at any point of it (each step has its flag). */
static void virtio_mem_teardown(VirtIOMEM *vmem)
{
    qemu_unregister_reset(virtio_mem_system_reset, vmem);
    if (vmem->memory_plugged) {
        memory_device_unplug(machine_get_current(), DEVICE(vmem));
        vmem->memory_plugged = false;
    }
    if (vmem->rdb_inited) {
        /* The memdev was claimed right after the bitmap was made. */
        memory_region_set_ram_discard_manager(&vmem->memdev->mr, NULL);
        host_memory_backend_set_mapped(vmem->memdev, false);
        ram_discard_bitmap_destroy(&vmem->rdb);
        vmem->rdb_inited = false;
    }
    virtio_cleanup(VIRTIO_DEVICE(vmem));
}

static bool virtio_mem_realize(VirtIODevice *vdev, Error **errp)
{
    VirtIOMEM *vmem = VIRTIO_MEM(vdev);
    MemoryRegion *mr;
    int ret;

    if (!virtio_mem_check(vmem, errp)) {
        return false;
    }
    mr = &vmem->memdev->mr;
    ret = virtio_mem_discard(vmem, 0, memory_region_size(mr));
    if (ret) {
        error_setg_errno(errp, -ret, "Unexpected error discarding RAM");
        return false;
    }
    if (!ram_discard_bitmap_init(&vmem->rdb, mr, vmem->block_size, errp)) {
        return false;
    }
    vmem->rdb_inited = true;
    host_memory_backend_set_mapped(vmem->memdev, true);
    virtio_mem_init_device(vmem);
    virtio_mem_resize_usable_region(vmem, vmem->requested_size, true);

    memory_region_set_ram_discard_manager(mr, &vmem->rdb.rdm);
    if (!memory_device_plug(machine_get_current(), DEVICE(vmem),
                            &virtio_mem_md_ops, vmem->block_size,
                            &vmem->addr, errp)) {
        virtio_mem_teardown(vmem);
        return false;
    }
    vmem->memory_plugged = true;
    qemu_register_reset(virtio_mem_system_reset, vmem);
    virtio_mem_assert_state(vmem);
    return true;
}

static void virtio_mem_unrealize(VirtIODevice *vdev)
{
    virtio_mem_teardown(VIRTIO_MEM(vdev));
}

/* ---------------------------------------------------------- properties */

static bool virtio_mem_get_size(Object *obj, ObjectProperty *prop,
                                PropValue *v, Error **errp)
{
    v->u = VIRTIO_MEM(obj)->size;
    return true;
}

static bool virtio_mem_get_requested_size(Object *obj, ObjectProperty *prop,
                                          PropValue *v, Error **errp)
{
    v->u = VIRTIO_MEM(obj)->requested_size;
    return true;
}

static bool virtio_mem_set_requested_size(Object *obj, ObjectProperty *prop,
                                          const PropValue *v, Error **errp)
{
    VirtIOMEM *vmem = VIRTIO_MEM(obj);
    uint64_t value = v->u;

    /* Block size and backend are checked by realize until then. */
    if (!DEVICE(obj)->realized) {
        vmem->requested_size = value;
        return true;
    }
    if (!QEMU_IS_ALIGNED(value, vmem->block_size)) {
        error_setg(errp, "'%s' has to be multiples of '%s' (0x%" PRIx64 ")",
                   prop->name, VIRTIO_MEM_BLOCK_SIZE_PROP, vmem->block_size);
        return false;
    }
    if (value > virtio_mem_region_size(vmem)) {
        error_setg(errp, "'%s' cannot exceed the memory backend size"
                   "(0x%" PRIx64 ")", prop->name,
                   virtio_mem_region_size(vmem));
        return false;
    }
    if (value != vmem->requested_size) {
        virtio_mem_resize_usable_region(vmem, value, false);
        vmem->requested_size = value;
    }
    /* Always tell the guest, as QEMU does (helps debugging). */
    virtio_notify_config(VIRTIO_DEVICE(vmem));
    virtio_mem_assert_state(vmem);
    return true;
}

static bool virtio_mem_get_block_size(Object *obj, ObjectProperty *prop,
                                      PropValue *v, Error **errp)
{
    VirtIOMEM *vmem = VIRTIO_MEM(obj);
    MemoryRegion *mr = vmem->memdev ?
                       host_memory_backend_get_memory(vmem->memdev) : NULL;

    /* Before realize: the default the current backend would get. */
    v->u = vmem->block_size;
    if (!v->u) {
        v->u = mr && memory_region_is_ram(mr) ?
               virtio_mem_default_block_size(memory_region_get_ram_block(mr))
               : virtio_mem_thp_size();
    }
    return true;
}

static bool virtio_mem_set_block_size(Object *obj, ObjectProperty *prop,
                                      const PropValue *v, Error **errp)
{
    if (DEVICE(obj)->realized) {
        error_setg(errp, "'%s' cannot be changed", prop->name);
        return false;
    }
    if (v->u < VIRTIO_MEM_MIN_BLOCK_SIZE) {
        error_setg(errp, "'%s' property has to be at least 0x%" PRIx64,
                   prop->name, (uint64_t)VIRTIO_MEM_MIN_BLOCK_SIZE);
        return false;
    }
    if (!is_power_of_2(v->u)) {
        error_setg(errp, "'%s' property has to be a power of two",
                   prop->name);
        return false;
    }
    VIRTIO_MEM(obj)->block_size = v->u;
    return true;
}

static void virtio_mem_instance_init(Object *obj)
{
    VirtIOMEM *vmem = VIRTIO_MEM(obj);
    const uint32_t before = OBJ_PROP_FLAG_BEFORE_REALIZE;

    vmem->unplugged_inaccessible_prop = g_strdup("on");
    vmem->early_migration = true;
    object_property_add_link(obj, VIRTIO_MEM_MEMDEV_PROP, TYPE_MEMORY_BACKEND,
                             offsetof(VirtIOMEM, memdev), NULL, before);
    object_property_add_field(obj, VIRTIO_MEM_ADDR_PROP, "uint64",
                              PROP_KIND_UINT, offsetof(VirtIOMEM, addr),
                              before);
    object_property_add_field(obj, VIRTIO_MEM_NODE_PROP, "uint32",
                              PROP_KIND_UINT, offsetof(VirtIOMEM, node),
                              before);
    object_property_add_field(obj, VIRTIO_MEM_PREALLOC_PROP, "bool",
                              PROP_KIND_BOOL, offsetof(VirtIOMEM, prealloc),
                              before);
    object_property_add_enum_field(obj,
                                   VIRTIO_MEM_UNPLUGGED_INACCESSIBLE_PROP,
                                   "OnOffAuto", on_off_auto,
                                   offsetof(VirtIOMEM,
                                            unplugged_inaccessible_prop),
                                   before);
    object_property_add_field(obj, VIRTIO_MEM_EARLY_MIGRATION_PROP, "bool",
                              PROP_KIND_BOOL,
                              offsetof(VirtIOMEM, early_migration), before);
    object_property_add_field(obj, VIRTIO_MEM_DYNAMIC_MEMSLOTS_PROP, "bool",
                              PROP_KIND_BOOL,
                              offsetof(VirtIOMEM, dynamic_memslots), before);
    object_property_add(obj, VIRTIO_MEM_SIZE_PROP, "size", PROP_KIND_SIZE,
                        virtio_mem_get_size, NULL, NULL, NULL);
    object_property_add(obj, VIRTIO_MEM_REQUESTED_SIZE_PROP, "size",
                        PROP_KIND_SIZE, virtio_mem_get_requested_size,
                        virtio_mem_set_requested_size, NULL, NULL);
    object_property_add(obj, VIRTIO_MEM_BLOCK_SIZE_PROP, "size",
                        PROP_KIND_SIZE, virtio_mem_get_block_size,
                        virtio_mem_set_block_size, NULL, NULL);
    /* Test hooks (sparsevm-test only): the next N discards / preallocs fail */
    if (qdev_test_hooks_enabled()) {
        object_property_add_field(obj, "x-inject-discard-errors", "uint32",
                                  PROP_KIND_UINT,
                                  offsetof(VirtIOMEM, inject_discard_errors),
                                  0);
        object_property_add_field(obj, "x-inject-prealloc-errors", "uint32",
                                  PROP_KIND_UINT,
                                  offsetof(VirtIOMEM,
                                           inject_prealloc_errors), 0);
    }
}

/*
 * device_del: QEMU's virtio_mem_unplug_request_check().  The guest must
 * have given everything back (size 0) and be asked for nothing
 * (requested-size 0), or its memory would vanish under it.  The first
 * message is the one QEMU uses since 9.1 (8.2 said "'size' != '0'").
 */
static bool virtio_mem_unplug_request_check(DeviceState *dev, Error **errp)
{
    VirtIOMEM *vmem = VIRTIO_MEM(dev);

    if (!strcmp(vmem->unplugged_inaccessible_prop, "off")) {
        error_setg(errp, "virtio-mem device cannot get unplugged while '%s' "
                   "!= 'on'", VIRTIO_MEM_UNPLUGGED_INACCESSIBLE_PROP);
        return false;
    }
    if (vmem->size) {
        error_setg(errp, "virtio-mem device cannot get unplugged while some "
                   "of its memory is still plugged");
        return false;
    }
    if (vmem->requested_size) {
        error_setg(errp, "virtio-mem device cannot get unplugged while '%s' "
                   "!= '0'", VIRTIO_MEM_REQUESTED_SIZE_PROP);
        return false;
    }
    return true;
}

static void virtio_mem_class_init(ObjectClass *klass)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_CLASS(klass);

    dc->desc = "virtio memory device";
    dc->user_creatable = true;
    dc->hotpluggable = true;
    dc->unplug_request_check = virtio_mem_unplug_request_check;
    vdc->realize = virtio_mem_realize;
    vdc->unrealize = virtio_mem_unrealize;
    virtio_mem_class_init_virtio(vdc);
}

void virtio_mem_register_types(void)
{
    static const TypeInfo info = {
        .name = TYPE_VIRTIO_MEM,
        .parent = TYPE_VIRTIO_DEVICE,
        .instance_size = sizeof(VirtIOMEM),
        .instance_init = virtio_mem_instance_init,
        .class_init = virtio_mem_class_init,
    };

    type_register_static(&info);
}
