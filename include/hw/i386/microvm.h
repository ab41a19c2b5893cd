/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm.h: the microvm board (x86_64).  Guest-physical layout:
 *
 *   0x0_0000_0000  RAM below 4 GiB (up to 3 GiB: "ram-below-4g")
 *   0x0_000e_0000  isa-bios: last 128 KiB of the firmware ROM (prio 1)
 *   0x0_feb0_0000  24 virtio-mmio transports of 0x200 bytes, slot n on
 *                  IRQ 5+n; all exist from machine init, a -device
 *                  virtio-*-device takes the first free one
 *   0x0_fec0_0000  I/O APIC
 *   0x0_fed4_0000  TPM CRB (when configured), PPI buffer at 0xfed45000
 *   4G - fw size   firmware ROM "pc.bios" (256 KiB of zeros, or -bios)
 *   0x1_0000_0000  RAM above 4 GiB ("ram-above-4g")
 *   1 GiB aligned  device memory (maxmem - ram) for virtio-mem
 *
 * I/O port 0xcf9 is a reset control register: writing a value with bit 2
 * (0x04) set requests a system reset, as on PC chipsets.
 */
#ifndef HW_I386_MICROVM_H
#define HW_I386_MICROVM_H

#include "hw/boards.h"

#define TYPE_MICROVM_MACHINE "microvm-machine"

#define MICROVM_LOWMEM_MAX          UINT64_C(0xc0000000)    /* 3 GiB */
#define MICROVM_4G                  UINT64_C(0x100000000)
#define MICROVM_BIOS_DEFAULT_SIZE   (256 * 1024)
#define MICROVM_BIOS_MAX_SIZE       (16 * 1024 * 1024)
#define MICROVM_ISA_BIOS_MAX_SIZE   (128 * 1024)
#define MICROVM_VIRTIO_MMIO_BASE    UINT64_C(0xfeb00000)
#define MICROVM_VIRTIO_MMIO_SIZE    0x200
#define MICROVM_VIRTIO_MMIO_SLOTS   24
#define MICROVM_VIRTIO_MMIO_IRQ_BASE 5
#define MICROVM_RESET_CONTROL_PORT  0xcf9
#define MICROVM_RESET_CONTROL_HARD  0x04

typedef struct MicrovmMachineState {
    MachineState parent_obj;
    MemoryRegion bios;
    MemoryRegion isa_bios;
    MemoryRegion reset_control;
    DeviceState *ioapic;
    char *pit, *pic, *rtc, *isa_serial, *acpi, *pcie, *ioapic2;
    bool option_roms, auto_kernel_cmdline;
} MicrovmMachineState;

#define MICROVM_MACHINE(obj) \
    ((MicrovmMachineState *)object_dynamic_cast_assert(OBJECT(obj), \
                                                       TYPE_MICROVM_MACHINE))

/** microvm_virtio_slot_irq: the interrupt line of slot @slot. */
qemu_irq microvm_virtio_slot_irq(MachineState *ms, int slot);
static inline hwaddr microvm_virtio_slot_base(int slot)
{
    return MICROVM_VIRTIO_MMIO_BASE + (hwaddr)slot * MICROVM_VIRTIO_MMIO_SIZE;
}

/** microvm_dumpdtb: write the flattened device tree to @path. */
bool microvm_dumpdtb(MachineState *ms, const char *path, Error **errp);

#endif /* HW_I386_MICROVM_H */
