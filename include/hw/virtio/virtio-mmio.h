/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-mmio.h: the virtio-mmio transport, modern layout (version 2).
 *
 * As in QEMU (its virtio-mmio bus) and kvmtool (device__register), the
 * board creates and owns the transports: it builds a VirtIOMMIOBus, adds
 * one transport per slot when it is built (a 0x200-byte window and an
 * interrupt line each), and hangs the bus on its MachineState.  A virtio
 * device, when realized, plugs into the bus's first transport without a
 * device.  The transport never names a board: a second machine type
 * touches only its own file.  An empty transport reads as MagicValue
 * "virt", Version 2,
 * VendorID "QEMU" and DeviceID 0 (no device), everything else 0, and
 * ignores writes, so a driver scanning the slots skips it.
 *
 * The transport keeps what the driver writes to the queue registers as
 * shadows and hands them to the core only when the driver sets
 * QueueReady: the core then validates them once, and nothing the driver
 * writes to those registers afterwards (logged and ignored while the
 * queue is ready) can change what the device uses.
 */
#ifndef HW_VIRTIO_VIRTIO_MMIO_H
#define HW_VIRTIO_VIRTIO_MMIO_H

#include "exec/memory.h"
#include "hw/qdev.h"
#include "standard-headers/linux/virtio_mmio.h"

#define TYPE_VIRTIO_MMIO "virtio-mmio"

/* The window each transport decodes. */
#define VIRTIO_MMIO_WINDOW_SIZE 0x200
/* VendorID: "QEMU", as QEMU reports it. */
#define VIRTIO_MMIO_VENDOR      0x554d4551

typedef struct VirtIODevice VirtIODevice;

/**
 * struct VirtIOMMIOBus: the transports of a board, in slot order.  Owned
 * by the board (MachineState.virtio_mmio_bus, freed with the machine);
 * the transports themselves are QOM children of the board.
 */
typedef struct VirtIOMMIOBus VirtIOMMIOBus;

/** virtio_mmio_bus_new: an empty bus; free with virtio_mmio_bus_free(). */
VirtIOMMIOBus *virtio_mmio_bus_new(void);
/** virtio_mmio_bus_free: forget the slots (not the transports). */
void virtio_mmio_bus_free(VirtIOMMIOBus *bus);
/**
 * virtio_mmio_bus_add: create a transport as the bus's next slot (see
 * virtio_mmio_create() for the arguments).  Returns: the transport.
 */
DeviceState *virtio_mmio_bus_add(VirtIOMMIOBus *bus, Object *parent,
                                 const char *name, MemoryRegion *sysmem,
                                 hwaddr base, qemu_irq irq);
/** virtio_mmio_bus_slots: the number of transports. */
unsigned virtio_mmio_bus_slots(const VirtIOMMIOBus *bus);
/**
 * virtio_mmio_bus_device: the device plugged into slot @slot (which must
 * exist), or NULL if its transport is empty.
 */
VirtIODevice *virtio_mmio_bus_device(const VirtIOMMIOBus *bus,
                                     unsigned slot);

/**
 * virtio_mmio_create: create and realize a transport named @name under
 * @parent, decoding [@base, @base + 0x200) of @sysmem and driving @irq.
 * Returns: the transport (borrowed: @parent holds it).
 */
DeviceState *virtio_mmio_create(Object *parent, const char *name,
                                MemoryRegion *sysmem, hwaddr base,
                                qemu_irq irq);

/**
 * virtio_mmio_plug: attach @vdev to the first free transport of the
 * current machine's bus.  Errors (QEMU's wording): the machine has no
 * virtio-mmio bus; every slot is taken.
 */
bool virtio_mmio_plug(VirtIODevice *vdev, Error **errp);
/** virtio_mmio_unplug: detach @vdev; its transport becomes empty. */
void virtio_mmio_unplug(VirtIODevice *vdev);

/** virtio_mmio_register_types: TYPE_VIRTIO_MMIO. */
void virtio_mmio_register_types(void);

#endif /* HW_VIRTIO_VIRTIO_MMIO_H */
