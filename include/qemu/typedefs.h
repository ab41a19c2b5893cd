/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * typedefs.h: forward typedefs of the structures shared across layers, so a
 * header can name a pointer type without including the header that defines
 * it.  Definitions live with their owners; only names live here.
 */
#ifndef QEMU_TYPEDEFS_H
#define QEMU_TYPEDEFS_H

typedef struct AddressSpace AddressSpace;
typedef struct CPUState CPUState;
typedef struct DeviceState DeviceState;
typedef struct Error Error;
typedef struct FlatView FlatView;
typedef struct GuestPhysBlock GuestPhysBlock;
typedef struct GuestPhysBlockList GuestPhysBlockList;
typedef struct HostMemoryBackend HostMemoryBackend;
typedef struct IRQState *qemu_irq;
typedef struct MachineState MachineState;
typedef struct MemoryListener MemoryListener;
typedef struct MemoryMapping MemoryMapping;
typedef struct MemoryMappingList MemoryMappingList;
typedef struct MemoryRegion MemoryRegion;
typedef struct MemoryRegionOps MemoryRegionOps;
typedef struct MemoryRegionSection MemoryRegionSection;
typedef struct Notifier Notifier;
typedef struct NotifierList NotifierList;
typedef struct Object Object;
typedef struct ObjectClass ObjectClass;
typedef struct QEMUTimer QEMUTimer;
typedef struct RAMBlock RAMBlock;
typedef struct RamDiscardListener RamDiscardListener;
typedef struct RamDiscardManager RamDiscardManager;

#endif /* QEMU_TYPEDEFS_H */
