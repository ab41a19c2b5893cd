/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-machine.c: a real microvm machine inside the fuzz target's
 * process, built in softmmu/vl.c's order (types and commands, -object,
 * the board, -device, reset, run) from the same public entry points, so
 * inputs reach the same code the program runs.  vl.c keeps its own copy
 * of the steps because it reports errors per option and exits; here any
 * error is a bug of the target's set-up and aborts.
 */
#include "qemu/osdep.h"
#include "exec/ramblock.h"
#include "hw/boards.h"
#include "hw/intc/ioapic.h"
#include "hw/mem/memory-device.h"
#include "hw/qdev.h"
#include "monitor/monitor.h"
#include "qemu/error.h"
#include "qom/object_interfaces.h"
#include "sysemu/hostmem.h"
#include "sysemu/runstate.h"
#include "sysemu/sysemu.h"
#include "fuzz.h"

static char *fuzz_vm_name;

static void fuzz_register_all(void)
{
    type_register_object_types();
    qdev_register_types();
    hostmem_register_types();
    machine_register_types();
    microvm_register_types();
    ioapic_register_types();
    sysemu_register_device_types();

    runstate_register_commands();
    machine_register_commands();
    memory_device_register_commands();
    hostmem_register_commands();
    sysemu_register_commands();
    vl_register_commands(&fuzz_vm_name);
    monitor_init_globals();
}

MachineState *fuzz_machine_new(const char *mem_opts,
                               const char *const *objects,
                               const char *const *devices)
{
    MachineClass *mc;
    MachineState *ms;

    fuzz_register_all();
    mc = machine_class_find("microvm");
    g_assert_nonnull(mc);
    ms = MACHINE(object_new(object_class_get_name(OBJECT_CLASS(mc))));
    object_property_add_child(object_get_root(), "machine", OBJECT(ms));
    object_unref(OBJECT(ms));
    ms->ram_size = mc->default_ram_size;
    ms->maxram_size = ms->ram_size;
    if (mem_opts) {
        machine_parse_memory_opts(ms, mem_opts, &error_abort);
    }
    for (size_t i = 0; objects && objects[i]; i++) {
        g_assert_nonnull(user_creatable_add_str(objects[i], &error_abort));
    }
    memory_region_init(&ms->sysmem, OBJECT(ms), "system", UINT64_MAX);
    memory_region_init(&ms->sysio, OBJECT(ms), "io", 0x10000);
    address_space_init(&ms->as_memory, &ms->sysmem, "memory");
    address_space_init(&ms->as_io, &ms->sysio, "I/O");
    g_assert_true(mc->init(ms, &error_abort));
    qemu_register_reset((QEMUResetHandler *)qdev_reset_all, NULL);
    for (size_t i = 0; devices && devices[i]; i++) {
        g_assert_nonnull(qdev_device_add(devices[i], &error_abort));
    }
    qemu_system_reset(SHUTDOWN_CAUSE_NONE);
    vm_start();
    /*
     * The first look at which RAM is populated opens /proc/self/pagemap
     * for good (physmem.c keeps the fd); take it now, before the targets'
     * per-input fd baselines, as the program takes it at its first zero
     * fill or dump.
     */
    if (ms->ram) {
        ram_block_populated_bytes(memory_region_get_ram_block(ms->ram));
    }
    return ms;
}

void fuzz_machine_settle(void)
{
    /* a guest or QMP reset request is served from an idle source */
    while (g_main_context_iteration(NULL, false)) {
        /* nothing */
    }
    /* "quit": the main loop that would end is not running; forget it */
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_NONE);
    if (!runstate_is_running()) {
        vm_start();
    }
}
