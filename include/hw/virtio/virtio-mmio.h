/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-mmio.h: the virtio-mmio transport, modern layout (version 2).
 *
 * As in QEMU, the board creates every transport when it is built (24 on
 * microvm, one 0x200-byte window and one interrupt line each), and a
 * virtio device, when realized, plugs into the first transport without
 * a device.  An empty transport reads as MagicValue "virt", Version 2,
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
 * virtio_mmio_create: create and realize a transport named @name under
 * @parent, decoding [@base, @base + 0x200) of @sysmem and driving @irq.
 * Returns: the transport (borrowed: @parent holds it).
 */
DeviceState *virtio_mmio_create(Object *parent, const char *name,
                                MemoryRegion *sysmem, hwaddr base,
                                qemu_irq irq);

/**
 * virtio_mmio_plug: attach @vdev to the machine's first free transport.
 * Errors: every slot is taken (the board's message).
 */
bool virtio_mmio_plug(VirtIODevice *vdev, Error **errp);
/** virtio_mmio_unplug: detach @vdev; its transport becomes empty. */
void virtio_mmio_unplug(VirtIODevice *vdev);

/** virtio_mmio_register_types: TYPE_VIRTIO_MMIO. */
void virtio_mmio_register_types(void);

#endif /* HW_VIRTIO_VIRTIO_MMIO_H */
