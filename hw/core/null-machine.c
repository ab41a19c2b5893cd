/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * null-machine.c: the "none" machine, as QEMU's: no devices, no firmware,
 * and RAM at guest-physical 0 only when -m asks for some.  Management
 * tools start it to probe an emulator (libvirt: -machine none) without
 * building a board; QMP works in full.  Virtio devices are refused (no
 * virtio-mmio bus), as on QEMU's none machine.
 */
#include "qemu/osdep.h"
#include "hw/boards.h"
#include "qemu/error.h"

#define TYPE_NULL_MACHINE "none-machine"

static bool null_machine_init(MachineState *ms, Error **errp)
{
    if (ms->ram_size) {
        if (!machine_init_ram(ms, errp)) {
            return false;
        }
        memory_region_add_subregion(&ms->sysmem, 0, ms->ram);
    }
    machine_create_cpus(ms);
    return true;
}

static void null_machine_class_init(ObjectClass *klass)
{
    MachineClass *mc = (MachineClass *)klass;

    mc->alias = "none";
    mc->desc = "empty machine";
    mc->default_ram_id = "ram";
    mc->default_ram_size = 0;
    mc->init = null_machine_init;
}

void null_machine_register_types(void)
{
    static const TypeInfo info = {
        .name = TYPE_NULL_MACHINE,
        .parent = TYPE_MACHINE,
        .instance_size = sizeof(MachineState),
        .class_init = null_machine_class_init,
    };

    type_register_static(&info);
}
