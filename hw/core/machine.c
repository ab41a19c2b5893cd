/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * machine.c: the abstract machine type: memory sizes (-m), vCPU count
 * (-smp), main RAM, the device-memory area, and the machine-level QMP/HMP
 * commands (`info mtree`, `dumpdtb`).
 * Board layout lives in hw/i386/microvm.c.
 */
#include "qemu/osdep.h"
#include <sys/mman.h>
#include "exec/ramblock.h"
#include "exec/write-tracker.h"
#include "hw/boards.h"
#include "hw/mem/memory-device.h"
#include "hw/qdev.h"
#include "hw/virtio/virtio-mmio.h"
#include "qapi/qapi-commands.h"
#include "qapi/hmp-registry.h"
#include "qemu/cutils.h"
#include "qemu/error.h"
#include "qemu/option.h"
#include "qemu/units.h"
#include "sysemu/hostmem.h"
#include "sysemu/runstate.h"

#define MACHINE_MAX_RAM_SLOTS 256
#define MACHINE_MAX_CPUS 255

static void machine_instance_init(Object *obj)
{
    MachineState *ms = MACHINE(obj);
    ObjectProperty *prop;

    ms->smp_cpus = 1;
    /* -machine options: init reads them once, qom-set must not change them */
    prop = object_property_add_field(obj, "dumpdtb", "str", PROP_KIND_STR,
                                     offsetof(MachineState, dumpdtb),
                                     OBJ_PROP_FLAG_BEFORE_REALIZE);
    object_property_set_description(prop, "Dump current dtb to a file and "
                                    "quit");
    prop = object_property_add_field(obj, "memory-backend", "str",
                                     PROP_KIND_STR,
                                     offsetof(MachineState, ram_memdev_id),
                                     OBJ_PROP_FLAG_BEFORE_REALIZE);
    object_property_set_description(prop, "Set RAM backend id (valid value: "
                                    "ID of a memory-backend object)");
    prop = object_property_add_field(obj, "x-ignore-discard-manager", "bool",
                                     PROP_KIND_BOOL,
                                     offsetof(MachineState,
                                              ignore_discard_manager),
                                     OBJ_PROP_FLAG_BEFORE_REALIZE);
    object_property_set_description(prop, "Debug: guest_phys_blocks takes "
                                    "whole discard-managed regions, as "
                                    "before QEMU 6.2 (for benchmarks)");
    /* the two management layers always pass (QEMU: every machine) */
    ms->dump_guest_core = true;
    prop = object_property_add_field(obj, "dump-guest-core", "bool",
                                     PROP_KIND_BOOL,
                                     offsetof(MachineState, dump_guest_core),
                                     OBJ_PROP_FLAG_BEFORE_REALIZE);
    object_property_set_description(prop, "Include guest memory in a core "
                                    "dump");
    ms->mem_merge = true;
    prop = object_property_add_field(obj, "mem-merge", "bool",
                                     PROP_KIND_BOOL,
                                     offsetof(MachineState, mem_merge),
                                     OBJ_PROP_FLAG_BEFORE_REALIZE);
    object_property_set_description(prop, "Enable/disable memory merge "
                                    "support");
    prop = object_property_add_field(obj, "usb", "bool", PROP_KIND_BOOL,
                                     offsetof(MachineState, usb),
                                     OBJ_PROP_FLAG_BEFORE_REALIZE);
    object_property_set_description(prop, "Set on/off to enable/disable usb");
    prop = object_property_add_field(obj, "x-kdump-zlib-level", "int",
                                     PROP_KIND_INT,
                                     offsetof(MachineState,
                                              kdump_zlib_level), 0);
    object_property_set_description(prop, "kdump-zlib dumps: zlib level "
                                    "1-9 (0: the default, 1)");
    prop = object_property_add_field(obj, "x-kdump-zstd-level", "int",
                                     PROP_KIND_INT,
                                     offsetof(MachineState,
                                              kdump_zstd_level), 0);
    object_property_set_description(prop, "kdump-zstd dumps: zstd level, "
                                    "negative ones are faster "
                                    "(0: the default, 1)");
    ms->live_dump_copy_buffer = WRITE_TRACKER_DEFAULT_BUFFER;
    prop = object_property_add_field(obj, "live-dump-copy-buffer", "size",
                                     PROP_KIND_SIZE,
                                     offsetof(MachineState,
                                              live_dump_copy_buffer), 0);
    object_property_set_description(prop, "Bytes of guest pages a live "
                                    "dump may hold copies of while the "
                                    "guest overwrites them (default 64M); "
                                    "writers wait when it is full");
    prop = object_property_add_field(obj, "firmware", "str", PROP_KIND_STR,
                                     offsetof(MachineState, firmware),
                                     OBJ_PROP_FLAG_BEFORE_REALIZE);
    object_property_set_description(prop, "Firmware image (-bios)");
}

static void machine_instance_finalize(Object *obj)
{
    MachineState *ms = MACHINE(obj);

    g_free(ms->cpus);
    g_clear_pointer(&ms->virtio_mmio_bus, virtio_mmio_bus_free);
}

/* Once created, the machine refuses OBJ_PROP_FLAG_BEFORE_REALIZE sets. */
static bool machine_settable_check(Object *obj, const char *name,
                                   Error **errp)
{
    MachineState *ms = (MachineState *)object_dynamic_cast(obj, TYPE_MACHINE);

    if (!ms || !ms->created) {
        return true;
    }
    error_setg(errp, "Attempt to set property '%s' on the machine (type "
               "'%s') after it was created; it can only be set with "
               "-machine", name, object_get_typename(obj));
    return false;
}

/* dump-guest-core=off: keep one region's RAM out of host core dumps. */
static void machine_dontdump(MemoryRegion *mr)
{
    void *host = mr ? memory_region_get_ram_ptr(mr) : NULL;

    /* a hint: a kernel without MADV_DONTDUMP still runs the guest */
    if (host && madvise(host, memory_region_size(mr), MADV_DONTDUMP)) {
        warn_report("dump-guest-core=off: madvise: %s", g_strerror(errno));
    }
}

static int machine_dontdump_backend(Object *obj, void *opaque)
{
    if (object_dynamic_cast(obj, TYPE_MEMORY_BACKEND)) {
        machine_dontdump(host_memory_backend_get_memory(MEMORY_BACKEND(obj)));
    }
    return 0;
}

bool machine_check_options(MachineState *ms, Error **errp)
{
    if (ms->usb) {
        error_setg(errp, "usb=on is not supported: this machine has no USB "
                   "controller (use usb=off)");
        return false;
    }
    return true;
}

void machine_set_created(MachineState *ms)
{
    ms->created = true;
    if (!ms->dump_guest_core) {
        /* as QEMU: main RAM and every memory backend */
        machine_dontdump(ms->ram);
        object_child_foreach(object_get_objects_root(),
                             machine_dontdump_backend, NULL);
    }
}

void machine_register_types(void)
{
    static const TypeInfo info = {
        .name = TYPE_MACHINE,
        .parent = TYPE_OBJECT,
        .abstract = true,
        .instance_size = sizeof(MachineState),
        .class_size = sizeof(MachineClass),
        .instance_init = machine_instance_init,
        .instance_finalize = machine_instance_finalize,
    };

    type_register_static(&info);
    object_add_field_settable_check(machine_settable_check);
}

MachineState *machine_get_current(void)
{
    ObjectProperty *prop = object_property_find(object_get_root(), "machine");

    if (!prop || prop->kind != PROP_KIND_CHILD ||
        !object_dynamic_cast(prop->opaque, TYPE_MACHINE)) {
        return NULL;
    }
    return MACHINE(prop->opaque);
}

MachineClass *machine_class_find(const char *name)
{
    GSList *list = object_class_get_list(TYPE_MACHINE, false);
    MachineClass *found = NULL;

    for (GSList *l = list; l; l = l->next) {
        MachineClass *mc = l->data;

        if (!strcmp(object_class_get_name(l->data), name) ||
            (mc->alias && !strcmp(mc->alias, name))) {
            found = mc;
            break;
        }
    }
    g_slist_free(list);
    return found;
}

void machine_help(void)
{
    GSList *list = object_class_get_list(TYPE_MACHINE, false);

    printf("Supported machines are:\n");
    for (GSList *l = list; l; l = l->next) {
        MachineClass *mc = l->data;

        printf("%-20s %s\n", mc->alias ? mc->alias :
               object_class_get_name(l->data), mc->desc ? mc->desc : "");
    }
    g_slist_free(list);
}

bool machine_parse_memory_opts(MachineState *ms, const char *optarg,
                               Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_parse(optarg, "size", false, errp);
    const char *size_str, *maxmem_str;
    uint64_t sz = ms->ram_size, maxmem, slots;

    if (!opts) {
        return false;
    }
    size_str = qemu_opt_get(opts, "size");
    if (!size_str && !qemu_opt_has(opts, "maxmem") &&
        !qemu_opt_has(opts, "slots")) {
        size_str = "";     /* "-m ''": an empty size is not a size */
    }
    if (size_str) {
        if (qemu_strtosz_MiB(size_str, NULL, &sz)) {
            error_setg(errp, "Parameter 'size' expects a non-negative "
                       "number below 2^64");
            error_append_hint(errp, QEMU_SIZE_SUFFIX_HINT);
            return false;
        }
        if (sz == 0) {
            error_setg(errp, "Invalid RAM size: 0 (RAM must not be empty)");
            return false;
        }
        /* As QEMU: whole 8 KiB units. */
        if (sz > UINT64_MAX - 8191) {
            error_setg(errp, "ram size too large");
            return false;
        }
        sz = QEMU_ALIGN_UP(sz, 8192);
    }
    if (!qemu_opt_get_number(opts, "slots", 0, &slots, errp)) {
        return false;
    }
    maxmem_str = qemu_opt_get(opts, "maxmem");
    maxmem = sz;
    if (maxmem_str && qemu_strtosz(maxmem_str, NULL, &maxmem)) {
        error_setg(errp, "Parameter 'maxmem' expects a non-negative number "
                   "below 2^64");
        error_append_hint(errp, QEMU_SIZE_SUFFIX_HINT);
        return false;
    }
    if (!qemu_opts_check_unused(opts, errp)) {
        return false;
    }
    if (maxmem < sz) {
        error_setg(errp, "invalid value of maxmem: maximum memory size "
                   "(0x%" PRIx64 ") must be at least the initial memory "
                   "size (0x%" PRIx64 ")", maxmem, sz);
        return false;
    }
    if (slots > MACHINE_MAX_RAM_SLOTS) {
        error_setg(errp, "invalid value of -m option slots: %" PRIu64
                   " exceeds the maximum of %d", slots,
                   MACHINE_MAX_RAM_SLOTS);
        return false;
    }
    if (slots && !maxmem_str) {
        error_setg(errp, "invalid -m option value: missing 'maxmem' option");
        return false;
    }
    ms->ram_size = sz;
    ms->maxram_size = maxmem;
    ms->ram_slots = slots;
    return true;
}

/*
 * -smp as QEMU 7.2's machine_parse_smp_config() reads it for x86 boards
 * without dies or clusters (microvm, none): omitted values are computed
 * from the given ones, preferring cores over sockets (QEMU 6.2 and
 * later), threads last; then the product must equal maxcpus and maxcpus
 * must hold cpus, with QEMU's messages naming the computed topology.
 * An explicit 0 is refused (QEMU 7.2 warns that it is "considered
 * invalid").
 */
bool machine_parse_smp(MachineState *ms, const char *optarg, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_parse(optarg, "cpus", false, errp);
    static const char *const names[] = {
        "cpus", "maxcpus", "sockets", "dies", "clusters", "cores", "threads"
    };
    enum { CPUS, MAXCPUS, SOCKETS, DIES, CLUSTERS, CORES, THREADS };
    uint64_t v[ARRAY_SIZE(names)] = { 0 };
    uint64_t cpus, maxcpus, sockets, cores, threads, product;

    if (!opts) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (!qemu_opt_get_number(opts, names[i], 0, &v[i], errp)) {
            return false;
        }
        /* QEMU's bound: the values are unsigned int there */
        if (v[i] > UINT32_MAX) {
            error_setg(errp, "Parameter '%s' expects a number below 2^32",
                       names[i]);
            return false;
        }
        if (i >= SOCKETS && qemu_opt_has(opts, names[i]) && !v[i]) {
            error_setg(errp, "Invalid CPU topology: CPU topology "
                       "parameters must be greater than zero");
            return false;
        }
    }
    if (!qemu_opts_check_unused(opts, errp)) {
        return false;
    }
    if (v[DIES] > 1) {
        error_setg(errp, "dies not supported by this machine's CPU "
                   "topology");
        return false;
    }
    if (v[CLUSTERS] > 1) {
        error_setg(errp, "clusters not supported by this machine's CPU "
                   "topology");
        return false;
    }
    cpus = v[CPUS];
    maxcpus = v[MAXCPUS];
    sockets = v[SOCKETS];
    cores = v[CORES];
    threads = v[THREADS];
    if (!cpus && !maxcpus) {
        sockets = sockets ? sockets : 1;
        cores = cores ? cores : 1;
        threads = threads ? threads : 1;
    } else {
        maxcpus = maxcpus ? maxcpus : cpus;
        if (!cores) {
            sockets = sockets ? sockets : 1;
            threads = threads ? threads : 1;
            cores = maxcpus / (sockets * threads);
        } else if (!sockets) {
            threads = threads ? threads : 1;
            sockets = maxcpus / (cores * threads);
        }
        if (!threads) {
            threads = maxcpus / (sockets * cores);
        }
    }
    /* at most 2^96 before the check: compare without wrapping */
    if (__builtin_mul_overflow(sockets, cores, &product) ||
        __builtin_mul_overflow(product, threads, &product)) {
        product = 0;        /* matches no maxcpus: refused below */
        maxcpus = maxcpus ? maxcpus : 1;
    }
    maxcpus = maxcpus ? maxcpus : product;
    cpus = cpus ? cpus : maxcpus;
    if (product != maxcpus) {
        error_setg(errp, "Invalid CPU topology: product of the hierarchy "
                   "must match maxcpus: sockets (%" PRIu64 ") * cores (%"
                   PRIu64 ") * threads (%" PRIu64 ") != maxcpus (%" PRIu64
                   ")", sockets, cores, threads, maxcpus);
        return false;
    }
    if (maxcpus < cpus) {
        error_setg(errp, "Invalid CPU topology: maxcpus must be equal to or "
                   "greater than smp: sockets (%" PRIu64 ") * cores (%"
                   PRIu64 ") * threads (%" PRIu64 ") == maxcpus (%" PRIu64
                   ") < smp_cpus (%" PRIu64 ")", sockets, cores, threads,
                   maxcpus, cpus);
        return false;
    }
    if (maxcpus > MACHINE_MAX_CPUS) {
        error_setg(errp, "Invalid SMP CPUs %" PRIu64 ". The max CPUs "
                   "supported by machine '%s' is %d", maxcpus,
                   MACHINE_GET_CLASS(ms)->alias ? MACHINE_GET_CLASS(ms)->alias
                   : object_get_typename(OBJECT(ms)), MACHINE_MAX_CPUS);
        return false;
    }
    ms->smp_cpus = cpus;
    return true;
}

bool machine_init_ram(MachineState *ms, Error **errp)
{
    MachineClass *mc = MACHINE_GET_CLASS(ms);
    HostMemoryBackend *backend;
    Object *obj;

    if (!ms->ram_memdev_id) {
        if (!memory_region_init_ram(&ms->ram_internal, OBJECT(ms),
                                    mc->default_ram_id, ms->ram_size, errp)) {
            return false;
        }
        ms->ram = &ms->ram_internal;
        if (ms->mem_merge) {
            memory_region_ram_mergeable(ms->ram);
        }
        return true;
    }
    obj = object_resolve_path_type(ms->ram_memdev_id, TYPE_MEMORY_BACKEND,
                                   NULL);
    if (!obj || obj->parent != object_get_objects_root()) {
        error_setg(errp, "Memory backend '%s' not found", ms->ram_memdev_id);
        return false;
    }
    backend = MEMORY_BACKEND(obj);
    if (host_memory_backend_is_mapped(backend)) {
        error_setg(errp, "memory backend %s can't be used multiple times.",
                   ms->ram_memdev_id);
        return false;
    }
    if (backend->size != ms->ram_size) {
        g_autofree char *want = size_to_str(ms->ram_size);

        error_setg(errp, "Machine memory size does not match the size of "
                   "the memory backend");
        error_append_hint(errp, "Machine memory size %s, backend '%s' size "
                          "0x%" PRIx64, want, ms->ram_memdev_id,
                          backend->size);
        return false;
    }
    host_memory_backend_set_mapped(backend, true);
    ms->ram = host_memory_backend_get_memory(backend);
    return true;
}

bool machine_init_device_memory(MachineState *ms, hwaddr base, Error **errp)
{
    DeviceMemoryState *dms;
    uint64_t size = ms->maxram_size - ms->ram_size;

    if (!size) {
        return true;
    }
    base = QEMU_ALIGN_UP(base, GiB);
    if (base + size < base) {
        error_setg(errp, "maxmem 0x%" PRIx64 " is too large: device memory "
                   "would end above 2^64", ms->maxram_size);
        return false;
    }
    dms = g_new0(DeviceMemoryState, 1);
    dms->base = base;
    dms->size = size;
    dms->devices = g_ptr_array_new();
    memory_region_init(&dms->mr, OBJECT(ms), "device-memory", size);
    memory_region_add_subregion(&ms->sysmem, base, &dms->mr);
    ms->device_memory = dms;
    return true;
}

bool machine_set_cpu_model(MachineState *ms, const char *name,
                           Error **errp)
{
    const X86CPUModel *m = x86_cpu_model_find(name);

    if (!m) {
        /* QEMU's message */
        error_setg(errp, "unable to find CPU model '%s'", name);
        return false;
    }
    ms->cpu_model = m;
    return true;
}

/* System reset puts every vCPU back in its reset state (real mode). */
static void machine_reset_cpus(void *opaque)
{
    MachineState *ms = opaque;

    if (!ms->cpus) {
        return;                 /* not created yet */
    }
    for (unsigned i = 0; i < ms->smp_cpus; i++) {
        CPUState *cpu = ms->cpus[i];

        if (!cpu) {
            continue;
        }
        x86_cpu_reset_state(&cpu->env);
        cpu->env.model = ms->cpu_model;
    }
}

void machine_create_cpus(MachineState *ms)
{
    if (!ms->cpu_model) {
        ms->cpu_model = x86_cpu_model_find(X86_CPU_DEFAULT_MODEL);
    }
    ms->cpus = g_new0(CPUState *, ms->smp_cpus + 1);
    for (unsigned i = 0; i < ms->smp_cpus; i++) {
        CPUState *cpu = g_new0(CPUState, 1);

        cpu->cpu_index = i;
        cpu->apic_id = i;
        ms->cpus[i] = cpu;
    }
    machine_reset_cpus(ms);
    qemu_register_reset(machine_reset_cpus, ms);
}

CPUState **machine_cpus(unsigned *count)
{
    MachineState *ms = machine_get_current();

    if (!ms || !ms->cpus) {
        *count = 0;
        return NULL;
    }
    *count = ms->smp_cpus;
    return ms->cpus;
}

/* --------------------------------------------------------------- commands */

static bool hmp_info_mtree(int argc, char **argv, GString *out, Error **errp)
{
    bool flat = false;
    g_autofree char *text = NULL;

    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-f")) {
            flat = true;
        } else {
            error_setg(errp, "info mtree: unknown option '%s'", argv[i]);
            return false;
        }
    }
    text = mtree_info(flat);
    g_string_append(out, text);
    return true;
}

static void qmp_dumpdtb(const char *filename, Error **errp)
{
    MachineState *ms = machine_get_current();
    MachineClass *mc = ms ? MACHINE_GET_CLASS(ms) : NULL;

    if (!mc || !mc->dumpdtb) {
        error_setg(errp, "This machine doesn't have an FDT");
        return;
    }
    mc->dumpdtb(ms, filename, errp);
}

/* ------------------------------------------- what management tools probe */

static TargetInfo *qmp_query_target(Error **errp)
{
    TargetInfo *info = g_new0(TargetInfo, 1);

    info->arch = SYS_EMU_TARGET_X86_64;
    return info;
}

/* KVM is neither in use nor built in: the only accelerator is qtest. */
static KvmInfo *qmp_query_kvm(Error **errp)
{
    return g_new0(KvmInfo, 1);
}

static MachineInfoList *qmp_query_machines(Error **errp)
{
    GSList *list = object_class_get_list(TYPE_MACHINE, false);
    MachineInfoList *head = NULL, **tail = &head;

    for (GSList *l = list; l; l = l->next) {
        MachineClass *mc = l->data;
        MachineInfo *info = g_new0(MachineInfo, 1);
        MachineInfoList *elem = g_new0(MachineInfoList, 1);

        /* QEMU's names: "microvm", whose QOM type is "microvm-machine" */
        info->name = g_strdup(mc->alias ? mc->alias
                              : object_class_get_name(l->data));
        /* -machine defaults to microvm (softmmu/vl.c) */
        info->has_is_default = !g_strcmp0(mc->alias, "microvm");
        info->is_default = info->has_is_default;
        info->cpu_max = MACHINE_MAX_CPUS;
        info->default_ram_id = g_strdup(mc->default_ram_id);
        elem->value = info;
        *tail = elem;
        tail = &elem->next;
    }
    g_slist_free(list);
    return head;
}

/* The -cpu models (target/i386/cpu.c), with QEMU's type names. */
static CpuDefinitionInfoList *qmp_query_cpu_definitions(Error **errp)
{
    CpuDefinitionInfoList *head = NULL, **tail = &head;

    for (const X86CPUModel *m = x86_cpu_models(); m->name; m++) {
        CpuDefinitionInfoList *elem = g_new0(CpuDefinitionInfoList, 1);
        CpuDefinitionInfo *info = g_new0(CpuDefinitionInfo, 1);

        info->name = g_strdup(m->name);
        info->typename = g_strdup_printf("%s-x86_64-cpu", m->name);
        info->q_static = !strcmp(m->name, "base");
        elem->value = info;
        *tail = elem;
        tail = &elem->next;
    }
    return head;
}

/*
 * The vCPUs.  They are not QOM objects here, so their qom-path (which
 * QEMU's clients only display) names /machine/cpu[N], which does not
 * resolve; the thread running them is the main loop's (qtest plays the
 * CPU).  Topology as QEMU reports -smp N: one core per socket.
 */
static CpuInfoFastList *qmp_query_cpus_fast(Error **errp)
{
    CpuInfoFastList *head = NULL, **tail = &head;
    unsigned n;
    CPUState **cpus = machine_cpus(&n);

    for (unsigned i = 0; cpus && i < n; i++) {
        CpuInfoFastList *elem = g_new0(CpuInfoFastList, 1);
        CpuInfoFast *info = g_new0(CpuInfoFast, 1);

        info->cpu_index = cpus[i]->cpu_index;
        info->qom_path = g_strdup_printf("/machine/cpu[%u]", i);
        info->thread_id = getpid();
        info->props = g_new0(CpuInstanceProperties, 1);
        info->props->has_socket_id = true;
        info->props->socket_id = i;
        info->props->has_core_id = true;
        info->props->has_thread_id = true;
        info->target = SYS_EMU_TARGET_X86_64;
        elem->value = info;
        *tail = elem;
        tail = &elem->next;
    }
    return head;
}

static HotpluggableCPUList *qmp_query_hotpluggable_cpus(Error **errp)
{
    /* QEMU's answer for machines without CPU hot-plug */
    error_setg(errp, "machine does not support hot-plugging CPUs");
    return NULL;
}

static MemoryInfo *qmp_query_memory_size_summary(Error **errp)
{
    MachineState *ms = machine_get_current();
    MemoryInfo *info = g_new0(MemoryInfo, 1);

    if (ms) {
        info->base_memory = ms->ram_size;
        /* as QEMU: present when the machine has device memory */
        info->has_plugged_memory = ms->device_memory != NULL;
        info->plugged_memory = memory_device_plugged_size(ms);
    }
    return info;
}

/* info memory_size_summary: QEMU's hmp_info_memory_size_summary(). */
static bool hmp_info_memory_size_summary(int argc, char **argv, GString *out,
                                         Error **errp)
{
    g_autoptr(MemoryInfo) info = qmp_query_memory_size_summary(errp);

    g_string_append_printf(out, "base memory: %" PRIu64 "\n",
                           info->base_memory);
    if (info->has_plugged_memory) {
        g_string_append_printf(out, "plugged memory: %" PRIu64 "\n",
                               info->plugged_memory);
    }
    return true;
}

void machine_register_commands(void)
{
    qmp_register_dumpdtb(qmp_dumpdtb);
    qmp_register_query_target(qmp_query_target);
    qmp_register_query_kvm(qmp_query_kvm);
    qmp_register_query_machines(qmp_query_machines);
    qmp_register_query_cpu_definitions(qmp_query_cpu_definitions);
    qmp_register_query_cpus_fast(qmp_query_cpus_fast);
    qmp_register_query_hotpluggable_cpus(qmp_query_hotpluggable_cpus);
    qmp_register_query_memory_size_summary(qmp_query_memory_size_summary);
    hmp_register_command("info mtree", "[-f]",
                         "show memory tree (-f: flattened views)",
                         hmp_info_mtree);
    hmp_register_command("info memory_size_summary", "",
                         "show memory size information",
                         hmp_info_memory_size_summary);
}
