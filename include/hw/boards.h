/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * boards.h: the machine object.  It owns the two root regions ("system"
 * memory and "io" ports), their address spaces, the vCPU records, the RAM
 * and the device-memory area where memory devices (virtio-mem) are mapped.
 *
 * There is one machine per process at /machine; code that runs on behalf
 * of a QMP command or a device gets it with machine_get_current() and
 * passes it (or its address spaces) down explicitly.
 */
#ifndef HW_BOARDS_H
#define HW_BOARDS_H

#include "exec/memory.h"
#include "hw/core/cpu.h"
#include "qom/object.h"

#define TYPE_MACHINE "machine"

/**
 * struct DeviceMemoryState: the area memory devices are placed in.
 * @base: guest-physical start (1 GiB aligned, above RAM).
 * @mr: container of @size bytes mapped at @base.
 * @used: bytes already claimed by plugged devices.
 */
typedef struct DeviceMemoryState {
    hwaddr base;
    uint64_t size;
    uint64_t used;
    MemoryRegion mr;
    GPtrArray *devices;     /* DeviceState * of plugged memory devices */
} DeviceMemoryState;

typedef struct MachineState {
    Object parent_obj;

    /* Configuration (command line) */
    uint64_t ram_size;          /* -m SIZE */
    uint64_t maxram_size;       /* -m maxmem=; == ram_size if not given */
    uint64_t ram_slots;         /* -m slots= */
    unsigned smp_cpus;          /* -smp */
    char *firmware;             /* -bios */
    char *dumpdtb;              /* -machine dumpdtb= */
    char *ram_memdev_id;        /* -machine memory-backend= */
    bool ignore_discard_manager;/* -machine x-ignore-discard-manager=on */
    bool dump_guest_core;       /* -machine dump-guest-core= (default on) */
    bool usb;                   /* -machine usb= (only off: no USB here) */
    bool mem_merge;             /* -machine mem-merge= (default on) */
    int64_t kdump_zlib_level;   /* -machine x-kdump-zlib-level; 0: default */
    int64_t kdump_zstd_level;   /* -machine x-kdump-zstd-level; 0: default */
    uint64_t live_dump_copy_buffer; /* -machine live-dump-copy-buffer= */
    bool created;               /* command line applied: see below */

    /* Built by init */
    MemoryRegion sysmem;        /* "system": 2^64 container */
    MemoryRegion sysio;         /* "io": 64 KiB container */
    AddressSpace as_memory;
    AddressSpace as_io;
    MemoryRegion *ram;          /* main RAM (backend's or ram_internal) */
    MemoryRegion ram_internal;
    MemoryRegion ram_below_4g;
    MemoryRegion ram_above_4g;
    uint64_t below_4g_mem_size;
    uint64_t above_4g_mem_size;
    DeviceMemoryState *device_memory;   /* NULL without maxmem */
    /* the board's virtio-mmio transports; NULL if it has none */
    struct VirtIOMMIOBus *virtio_mmio_bus;
    CPUState **cpus;
    const X86CPUModel *cpu_model;   /* -cpu; NULL until set or created */
} MachineState;

/**
 * struct MachineClass
 * @alias: short name for -machine ("microvm").
 * @init: build the board (RAM, ROM, built-in devices).
 * @dumpdtb: write the flattened device tree to @path.
 */
typedef struct MachineClass {
    ObjectClass parent_class;
    const char *alias;
    const char *desc;
    const char *default_ram_id;
    uint64_t default_ram_size;
    bool (*init)(MachineState *ms, Error **errp);
    bool (*dumpdtb)(MachineState *ms, const char *path, Error **errp);
} MachineClass;

#define MACHINE(obj) \
    ((MachineState *)object_dynamic_cast_assert(OBJECT(obj), TYPE_MACHINE))
#define MACHINE_GET_CLASS(obj) ((MachineClass *)object_get_class(obj))

void machine_register_types(void);
void microvm_register_types(void);
void null_machine_register_types(void);

/** machine_get_current: the machine at /machine (NULL before creation). */
MachineState *machine_get_current(void);

/**
 * machine_set_created: the command line is applied (-machine, -m,
 * -device...): from now on the machine's properties flagged
 * OBJ_PROP_FLAG_BEFORE_REALIZE (x-ignore-discard-manager) refuse to be
 * set, as a realized device's do.
 */
void machine_set_created(MachineState *ms);
/**
 * machine_check_options: refuse machine options that can not work here
 * (usb=on).  Call after -machine is applied, before the board is built.
 */
bool machine_check_options(MachineState *ms, Error **errp);
/** machine_class_find: the machine class called @name or its alias. */
MachineClass *machine_class_find(const char *name);
/** machine_help: print the machine types (-machine help). */
void machine_help(void);

/**
 * machine_set_ram_sizes: parse the -m argument ("SIZE[,maxmem=][,slots=]"
 * or "size=SIZE,...") into @ms, with QEMU's checks and messages.
 */
bool machine_parse_memory_opts(MachineState *ms, const char *optarg,
                               Error **errp);
/** machine_parse_smp: parse -smp ("N" or "cpus=N[,maxcpus=,sockets=...]"). */
bool machine_parse_smp(MachineState *ms, const char *optarg, Error **errp);

/**
 * machine_init_ram: the main RAM: from -machine memory-backend=ID if
 * given (its size must equal -m), else an internal private anonymous
 * region named after the machine's default_ram_id.
 */
bool machine_init_ram(MachineState *ms, Error **errp);
/**
 * machine_init_device_memory: create the device-memory container at
 * @base (rounded up to 1 GiB) sized maxmem - ram, if maxmem exceeds ram.
 */
bool machine_init_device_memory(MachineState *ms, hwaddr base, Error **errp);
/**
 * machine_set_cpu_model: -cpu @name (before machine init).
 * Errors: QEMU's "unable to find CPU model 'X'".
 */
bool machine_set_cpu_model(MachineState *ms, const char *name,
                           Error **errp);

/**
 * machine_create_cpus: ms->smp_cpus records of model ms->cpu_model
 * (default qemu64) in reset state; system reset resets them again.
 */
void machine_create_cpus(MachineState *ms);

/** machine_register_commands: QMP dumpdtb, HMP info mtree. */
void machine_register_commands(void);

#endif /* HW_BOARDS_H */
