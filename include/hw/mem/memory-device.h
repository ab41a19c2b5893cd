/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memory-device.h: devices that provide guest memory in the machine's
 * device-memory area (virtio-mem).  The machine picks a free, aligned
 * address (or checks a requested one), maps the device's region there,
 * and lists the device in query-memory-devices.
 */
#ifndef HW_MEM_MEMORY_DEVICE_H
#define HW_MEM_MEMORY_DEVICE_H

#include "hw/boards.h"
#include "hw/qdev.h"
#include "qapi/qapi-types.h"

/**
 * struct MemoryDeviceOps: what the machine asks a memory device.
 * @get_memory_region: the region to map (its size is what is claimed).
 * @fill_info: fill @info (type and data; strings are new copies) for
 *             query-memory-devices.
 */
typedef struct MemoryDeviceOps {
    MemoryRegion *(*get_memory_region)(DeviceState *dev, Error **errp);
    void (*fill_info)(DeviceState *dev, MemoryDeviceInfo *info);
} MemoryDeviceOps;

/**
 * memory_device_plug: place @dev's region in device memory and map it.
 * @addr: in: the requested address, or 0 to choose; out: the address used.
 * @align: required alignment of the address (power of two).
 * Errors as QEMU's ("memory devices (e.g. for memory hotplug) are not
 * enabled, please specify the maxmem option", address conflicts,
 * misalignment, not enough space).
 */
bool memory_device_plug(MachineState *ms, DeviceState *dev,
                        const MemoryDeviceOps *ops, uint64_t align,
                        uint64_t *addr, Error **errp);
/** memory_device_unplug: unmap and forget @dev. */
void memory_device_unplug(MachineState *ms, DeviceState *dev);

/**
 * memory_device_plugged_size: the memory the machine's memory devices
 * provide now (virtio-mem: its plugged size), in bytes; 0 without any.
 */
uint64_t memory_device_plugged_size(MachineState *ms);

/** memory_device_register_commands: query-memory-devices. */
void memory_device_register_commands(void);

#endif /* HW_MEM_MEMORY_DEVICE_H */
