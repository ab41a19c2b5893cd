/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memory-device.c: placing memory devices in the machine's device-memory
 * area, and query-memory-devices.
 *
 * Placement follows QEMU: an address given by the user must be aligned,
 * inside the area and free; otherwise the lowest free aligned address that
 * fits is taken.  The sum of all devices' sizes may not exceed the area.
 */
#include "qemu/osdep.h"
#include "hw/mem/memory-device.h"
#include "qapi/hmp-registry.h"
#include "qapi/qapi-commands.h"
#include "qemu/error.h"
#include "qemu/range.h"

typedef struct PluggedMemoryDevice {
    DeviceState *dev;
    const MemoryDeviceOps *ops;
    MemoryRegion *mr;
    hwaddr addr;
    uint64_t size;
} PluggedMemoryDevice;

static PluggedMemoryDevice *find_conflict(DeviceMemoryState *dms,
                                          hwaddr addr, uint64_t size)
{
    for (guint i = 0; i < dms->devices->len; i++) {
        PluggedMemoryDevice *pmd = dms->devices->pdata[i];

        if (ranges_overlap(addr, size, pmd->addr, pmd->size)) {
            return pmd;
        }
    }
    return NULL;
}

static bool check_free(DeviceMemoryState *dms, hwaddr addr, uint64_t size,
                       Error **errp)
{
    PluggedMemoryDevice *pmd = find_conflict(dms, addr, size);

    if (pmd) {
        error_setg(errp, "address range conflicts with memory device "
                   "id='%s'", pmd->dev->id ? pmd->dev->id : "");
        return false;
    }
    return true;
}

static bool pick_address(DeviceMemoryState *dms, uint64_t align,
                         uint64_t size, uint64_t *addr, Error **errp)
{
    hwaddr end = dms->base + dms->size;
    hwaddr cand;

    if (*addr) {
        if (!QEMU_IS_ALIGNED(*addr, align)) {
            error_setg(errp, "address must be aligned to 0x%" PRIx64
                       " bytes", align);
            return false;
        }
        if (*addr < dms->base || *addr > end || size > end - *addr) {
            error_setg(errp, "can't add memory device [0x%" PRIx64 ":0x%"
                       PRIx64 "], usable range for memory devices [0x%"
                       PRIx64 ":0x%" PRIx64 "]", *addr, size, dms->base,
                       dms->size);
            return false;
        }
        return check_free(dms, *addr, size, errp);
    }
    cand = QEMU_ALIGN_UP(dms->base, align);
    while (cand >= dms->base && cand <= end && size <= end - cand) {
        PluggedMemoryDevice *pmd = find_conflict(dms, cand, size);

        if (!pmd) {
            *addr = cand;
            return true;
        }
        cand = QEMU_ALIGN_UP(pmd->addr + pmd->size, align);
    }
    error_setg(errp, "could not find position in guest address space for "
               "memory device - memory fragmented due to alignments");
    return false;
}

bool memory_device_plug(MachineState *ms, DeviceState *dev,
                        const MemoryDeviceOps *ops, uint64_t align,
                        uint64_t *addr, Error **errp)
{
    DeviceMemoryState *dms = ms->device_memory;
    PluggedMemoryDevice *pmd;
    MemoryRegion *mr;
    uint64_t size;

    if (!dms) {
        error_setg(errp, "memory devices (e.g. for memory hotplug) are not "
                   "enabled, please specify the maxmem option");
        return false;
    }
    mr = ops->get_memory_region(dev, errp);
    if (!mr) {
        return false;
    }
    size = memory_region_size(mr);
    if (dms->used + size > dms->size || dms->used + size < dms->used) {
        error_setg(errp, "not enough space, currently 0x%" PRIx64 " in use "
                   "of total space for memory devices 0x%" PRIx64,
                   dms->used, dms->size);
        return false;
    }
    if (!pick_address(dms, align, size, addr, errp)) {
        return false;
    }
    pmd = g_new0(PluggedMemoryDevice, 1);
    pmd->dev = dev;
    pmd->ops = ops;
    pmd->mr = mr;
    pmd->addr = *addr;
    pmd->size = size;
    g_ptr_array_add(dms->devices, pmd);
    dms->used += size;
    memory_region_add_subregion(&dms->mr, *addr - dms->base, mr);
    return true;
}

void memory_device_unplug(MachineState *ms, DeviceState *dev)
{
    DeviceMemoryState *dms = ms->device_memory;

    for (guint i = 0; dms && i < dms->devices->len; i++) {
        PluggedMemoryDevice *pmd = dms->devices->pdata[i];

        if (pmd->dev == dev) {
            memory_region_del_subregion(&dms->mr, pmd->mr);
            dms->used -= pmd->size;
            g_ptr_array_remove_index(dms->devices, i);
            g_free(pmd);
            return;
        }
    }
}

uint64_t memory_device_plugged_size(MachineState *ms)
{
    DeviceMemoryState *dms = ms->device_memory;
    uint64_t total = 0;

    for (guint i = 0; dms && i < dms->devices->len; i++) {
        PluggedMemoryDevice *pmd = dms->devices->pdata[i];
        g_autoptr(MemoryDeviceInfo) info = g_new0(MemoryDeviceInfo, 1);

        pmd->ops->fill_info(pmd->dev, info);
        if (info->type == MEMORY_DEVICE_INFO_KIND_VIRTIO_MEM) {
            total += info->u.virtio_mem.data->size;
        }
    }
    return total;
}

static MemoryDeviceInfoList *qmp_query_memory_devices(Error **errp)
{
    MachineState *ms = machine_get_current();
    DeviceMemoryState *dms = ms ? ms->device_memory : NULL;
    MemoryDeviceInfoList *head = NULL, **tail = &head;

    for (guint i = 0; dms && i < dms->devices->len; i++) {
        PluggedMemoryDevice *pmd = dms->devices->pdata[i];
        MemoryDeviceInfoList *elem = g_new0(MemoryDeviceInfoList, 1);

        elem->value = g_new0(MemoryDeviceInfo, 1);
        pmd->ops->fill_info(pmd->dev, elem->value);
        *tail = elem;
        tail = &elem->next;
    }
    return head;
}

/* info memory-devices: QEMU's hmp_info_memory_devices() layout. */
static bool hmp_info_memory_devices(int argc, char **argv, GString *out,
                                    Error **errp)
{
    g_autoptr(MemoryDeviceInfoList) list = qmp_query_memory_devices(errp);

    for (MemoryDeviceInfoList *l = list; l; l = l->next) {
        VirtioMEMDeviceInfo *vmi;

        if (l->value->type != MEMORY_DEVICE_INFO_KIND_VIRTIO_MEM) {
            continue;
        }
        vmi = l->value->u.virtio_mem.data;
        g_string_append_printf(out, "Memory device [%s]: \"%s\"\n",
                               MemoryDeviceInfoKind_str(l->value->type),
                               vmi->id ? vmi->id : "");
        g_string_append_printf(out, "  memaddr: 0x%" PRIx64 "\n",
                               vmi->memaddr);
        g_string_append_printf(out, "  node: %" PRId64 "\n", vmi->node);
        g_string_append_printf(out, "  requested-size: %" PRIu64 "\n",
                               vmi->requested_size);
        g_string_append_printf(out, "  size: %" PRIu64 "\n", vmi->size);
        g_string_append_printf(out, "  max-size: %" PRIu64 "\n",
                               vmi->max_size);
        g_string_append_printf(out, "  block-size: %" PRIu64 "\n",
                               vmi->block_size);
        g_string_append_printf(out, "  memdev: %s\n", vmi->memdev);
    }
    return true;
}

void memory_device_register_commands(void)
{
    qmp_register_query_memory_devices(qmp_query_memory_devices);
    hmp_register_command("info memory-devices", "",
                         "show memory devices", hmp_info_memory_devices);
}
