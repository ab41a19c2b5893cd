/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm.c: the microvm board: RAM split around the 3-4 GiB hole, the
 * firmware ROM and its isa-bios window, the I/O APIC, the 24 virtio-mmio
 * transports and their slot allocator, the reset control port and the
 * device-memory area.  The layout is drawn in include/hw/i386/microvm.h;
 * the device tree is built in microvm-dt.c.
 */
#include "qemu/osdep.h"
#include "hw/i386/microvm.h"
#include "hw/intc/ioapic.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/virtio/virtio-mmio.h"
#include "standard-headers/linux/qemu_fw_cfg.h"
#include "qemu/error.h"
#include "qemu/units.h"
#include "sysemu/runstate.h"

static const char *const on_off_auto[] = { "on", "off", "auto", NULL };

/* ------------------------------------------------------- reset control */

static uint64_t reset_control_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void reset_control_write(void *opaque, hwaddr addr, uint64_t val,
                                unsigned size)
{
    if (val & MICROVM_RESET_CONTROL_HARD) {
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

static const MemoryRegionOps reset_control_ops = {
    .read = reset_control_read,
    .write = reset_control_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

/* -------------------------------------------------------------- firmware */

static bool microvm_bios_init(MicrovmMachineState *mms, Error **errp)
{
    MachineState *ms = &mms->parent_obj;
    g_autofree char *contents = NULL;
    gsize len = 0;
    uint64_t size = MICROVM_BIOS_DEFAULT_SIZE, isa_size;

    if (ms->firmware) {
        g_autoptr(GError) gerr = NULL;

        if (!g_file_get_contents(ms->firmware, &contents, &len, &gerr)) {
            error_setg(errp, "could not load PC BIOS '%s': %s", ms->firmware,
                       gerr->message);
            return false;
        }
        if (!len || len % (64 * KiB) || len > MICROVM_BIOS_MAX_SIZE) {
            error_setg(errp, "could not load PC BIOS '%s': its size (%zu "
                       "bytes) must be a non-zero multiple of 64 KiB, at "
                       "most 16 MiB", ms->firmware, (size_t)len);
            return false;
        }
        size = len;
    }
    if (!memory_region_init_rom(&mms->bios, OBJECT(ms), "pc.bios", size,
                                errp)) {
        return false;
    }
    if (contents) {
        memcpy(memory_region_get_ram_ptr(&mms->bios), contents, len);
    }
    memory_region_add_subregion(&ms->sysmem, MICROVM_4G - size, &mms->bios);

    /* The last 128 KiB also answer below 1 MiB, above low RAM. */
    isa_size = MIN(size, MICROVM_ISA_BIOS_MAX_SIZE);
    memory_region_init_alias(&mms->isa_bios, OBJECT(ms), "isa-bios",
                             &mms->bios, size - isa_size, isa_size);
    memory_region_add_subregion_overlap(&ms->sysmem, 1 * MiB - isa_size,
                                        &mms->isa_bios, 1);
    memory_region_set_readonly(&mms->isa_bios, true);
    return true;
}

/* --------------------------------------------------------------- board */

static bool microvm_check_legacy(MicrovmMachineState *mms, Error **errp)
{
    struct { const char *name; const char *value; } opts[] = {
        { "pit", mms->pit }, { "pic", mms->pic }, { "rtc", mms->rtc },
        { "isa-serial", mms->isa_serial }, { "acpi", mms->acpi },
        { "pcie", mms->pcie }, { "ioapic2", mms->ioapic2 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
        if (opts[i].value && !strcmp(opts[i].value, "on")) {
            error_setg(errp, "microvm: '%s=on' is not supported: sparsevm "
                       "does not emulate that device (use off or auto)",
                       opts[i].name);
            return false;
        }
    }
    return true;
}

static bool microvm_init(MachineState *ms, Error **errp)
{
    MicrovmMachineState *mms = MICROVM_MACHINE(ms);
    uint64_t above_end;

    if (!microvm_check_legacy(mms, errp) || !machine_init_ram(ms, errp)) {
        return false;
    }
    ms->below_4g_mem_size = MIN(ms->ram_size, MICROVM_LOWMEM_MAX);
    ms->above_4g_mem_size = ms->ram_size - ms->below_4g_mem_size;

    memory_region_transaction_begin();
    memory_region_init_alias(&ms->ram_below_4g, OBJECT(ms), "ram-below-4g",
                             ms->ram, 0, ms->below_4g_mem_size);
    memory_region_add_subregion(&ms->sysmem, 0, &ms->ram_below_4g);
    if (ms->above_4g_mem_size) {
        memory_region_init_alias(&ms->ram_above_4g, OBJECT(ms),
                                 "ram-above-4g", ms->ram,
                                 ms->below_4g_mem_size,
                                 ms->above_4g_mem_size);
        memory_region_add_subregion(&ms->sysmem, MICROVM_4G,
                                    &ms->ram_above_4g);
    }
    if (!microvm_bios_init(mms, errp)) {
        memory_region_transaction_commit();
        return false;
    }
    memory_region_init_io(&mms->reset_control, OBJECT(ms),
                          &reset_control_ops, mms, "reset-control", 1);
    memory_region_add_subregion(&ms->sysio, MICROVM_RESET_CONTROL_PORT,
                                &mms->reset_control);
    above_end = MICROVM_4G + ms->above_4g_mem_size;
    if (!machine_init_device_memory(ms, above_end, errp)) {
        memory_region_transaction_commit();
        return false;
    }
    memory_region_transaction_commit();

    mms->ioapic = qdev_new(TYPE_IOAPIC);
    object_property_add_child(OBJECT(ms), "ioapic", OBJECT(mms->ioapic));
    object_unref(OBJECT(mms->ioapic));
    if (!qdev_realize(mms->ioapic, errp)) {
        return false;
    }
    /* the board owns its transports; devices plug into the bus */
    ms->virtio_mmio_bus = virtio_mmio_bus_new();
    for (int i = 0; i < MICROVM_VIRTIO_MMIO_SLOTS; i++) {
        g_autofree char *name = g_strdup_printf("virtio-mmio[%d]", i);

        virtio_mmio_bus_add(ms->virtio_mmio_bus, OBJECT(ms), name,
                            &ms->sysmem, microvm_virtio_slot_base(i),
                            microvm_virtio_slot_irq(ms, i));
    }
    machine_create_cpus(ms);
    /* QEMU's microvm: fw_cfg at port 0x510 with DMA, on every board */
    if (!fw_cfg_io_new(OBJECT(ms), &ms->sysio, FW_CFG_IO_BASE, &ms->as_memory,
                       errp)) {
        return false;
    }
    return true;
}

qemu_irq microvm_virtio_slot_irq(MachineState *ms, int slot)
{
    MicrovmMachineState *mms = MICROVM_MACHINE(ms);

    return qdev_get_gpio_in(mms->ioapic, MICROVM_VIRTIO_MMIO_IRQ_BASE + slot);
}

static void microvm_instance_init(Object *obj)
{
    MicrovmMachineState *mms = MICROVM_MACHINE(obj);
    struct {
        const char *name;
        size_t offset;
    } legacy[] = {
        { "pit", offsetof(MicrovmMachineState, pit) },
        { "pic", offsetof(MicrovmMachineState, pic) },
        { "rtc", offsetof(MicrovmMachineState, rtc) },
        { "isa-serial", offsetof(MicrovmMachineState, isa_serial) },
        { "acpi", offsetof(MicrovmMachineState, acpi) },
        { "pcie", offsetof(MicrovmMachineState, pcie) },
        { "ioapic2", offsetof(MicrovmMachineState, ioapic2) },
    };

    for (size_t i = 0; i < ARRAY_SIZE(legacy); i++) {
        *(char **)object_field_ptr(obj, legacy[i].offset) = g_strdup("auto");
        /* -machine options: init reads them once */
        object_property_add_enum_field(obj, legacy[i].name, "OnOffAuto",
                                       on_off_auto, legacy[i].offset,
                                       OBJ_PROP_FLAG_BEFORE_REALIZE);
    }
    mms->option_roms = true;
    object_property_add_field(obj, "x-option-roms", "bool", PROP_KIND_BOOL,
                              offsetof(MicrovmMachineState, option_roms),
                              OBJ_PROP_FLAG_BEFORE_REALIZE);
    object_property_add_field(obj, "auto-kernel-cmdline", "bool",
                              PROP_KIND_BOOL,
                              offsetof(MicrovmMachineState,
                                       auto_kernel_cmdline),
                              OBJ_PROP_FLAG_BEFORE_REALIZE);
}

static void microvm_class_init(ObjectClass *klass)
{
    MachineClass *mc = (MachineClass *)klass;

    mc->alias = "microvm";
    mc->desc = "microvm (i386)";
    mc->default_ram_id = "microvm.ram";
    mc->default_ram_size = 128 * MiB;
    mc->init = microvm_init;
    mc->dumpdtb = microvm_dumpdtb;
}

void microvm_register_types(void)
{
    static const TypeInfo info = {
        .name = TYPE_MICROVM_MACHINE,
        .parent = TYPE_MACHINE,
        .instance_size = sizeof(MicrovmMachineState),
        .instance_init = microvm_instance_init,
        .class_init = microvm_class_init,
    };

    type_register_static(&info);
    fw_cfg_register_types();
}
