/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hotplug-test.c: memory hot-plug at run time, as a QEMU user does it:
 * object-add a backend, device_add a virtio-mem-device, let the guest
 * driver (libqos) find the device in the transport that read as empty,
 * plug and write memory, see it in query-memory-devices,
 * query-memory-size-summary and in a dump read back; then unplug,
 * device_del (DEVICE_DELETED, the slot empty again) and object-del.
 * Every refusal on the way keeps the VM running: unknown or
 * non-hotpluggable drivers, duplicate ids, no free transport, missing
 * and busy backends, device_del with memory plugged or requested,
 * object-del of a backend in use.  Hot-plug while a detached dump is
 * held on a pipe: the new device's plug requests are answered BUSY, an
 * empty device can go, a device with plugged memory cannot, and the dump
 * holds exactly what was plugged when it started.  The HMP forms, over
 * human-monitor-command, print QEMU's formats; on a chardev of their own
 * they take whole lines from scripts, and keys from a terminal with
 * QEMU's line editing (echo, history, Tab completion), and stop reading a
 * client that does not read its output.
 */
#include <elf.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "dump-util.h"
#include "libqos/guest-alloc.h"
#include "libqos/virtio-mem.h"
#include "libqos/virtio-mmio.h"

/* The driver's rings live in the top 16 MiB of base RAM. */
#define HP_RAM          (256 * MiB)
#define HP_ALLOC_START  (240 * MiB)
#define HP_MACHINE      "-machine microvm -m 256M,maxmem=8G "

static QTestState *hp_start(const char *extra)
{
    return qtest_initf(HP_MACHINE "%s", extra);
}

static void object_add_ram(QTestState *s, const char *type, const char *id,
                           uint64_t size)
{
    qtest_qmp_assert_success(s, "{'execute': 'object-add', 'arguments': "
                             "{'qom-type': '%s', 'id': '%s', "
                             "'size': %" PRIu64 "}}", type, id, size);
}

static void device_add_vmem(QTestState *s, const char *id, const char *memdev,
                            uint64_t requested)
{
    qtest_qmp_assert_success(s, "{'execute': 'device_add', 'arguments': "
                             "{'driver': 'virtio-mem-device', 'id': '%s', "
                             "'memdev': '%s', 'requested-size': %" PRIu64
                             "}}", id, memdev, requested);
}

/* device_del @id, which must succeed and be followed by DEVICE_DELETED. */
static void device_del_ok(QTestState *s, const char *id)
{
    g_autofree char *path = g_strdup_printf("/machine/peripheral/%s", id);
    JsonObject *ev, *data;

    qtest_qmp_events_clear(s);
    qtest_qmp_assert_success(s, "{'execute': 'device_del', 'arguments': "
                             "{'id': '%s'}}", id);
    /* before the reply: already stashed, no waiting */
    ev = qtest_qmp_event_ref(s, "DEVICE_DELETED");
    g_assert_nonnull(ev);
    data = json_object_get_object_member(ev, "data");
    g_assert_cmpstr(json_object_get_string_member(data, "device"), ==, id);
    g_assert_cmpstr(json_object_get_string_member(data, "path"), ==, path);
    json_object_unref(ev);
}

static void expect_error(QTestState *s, const char *klass, const char *want,
                         const char *cmd)
{
    g_autofree char *desc = qtest_qmp_expect_error(s, klass, "%s", cmd);

    g_assert_cmpstr(desc, ==, want);
}

static void expect_running(QTestState *s)
{
    JsonNode *r = qtest_qmp_assert_success_ref(s, "{'execute': "
                                               "'query-status'}");

    g_assert_true(json_object_get_boolean_member(json_node_get_object(r),
                                                 "running"));
    json_node_unref(r);
}

/* The "return" of a query command (a new reference). */
static JsonNode *query(QTestState *s, const char *cmd)
{
    return qtest_qmp_assert_success_ref(s, "{'execute': '%s'}", cmd);
}

static guint memory_devices(QTestState *s)
{
    g_autoptr(JsonNode) r = query(s, "query-memory-devices");

    return json_array_get_length(json_node_get_array(r));
}

static uint64_t plugged_memory(QTestState *s)
{
    g_autoptr(JsonNode) r = query(s, "query-memory-size-summary");

    return json_object_get_int_member(json_node_get_object(r),
                                      "plugged-memory");
}

/* PT_LOADs of @core at or above @from: their count and total size. */
static unsigned loads_above(const ElfCore *core, uint64_t from,
                            uint64_t *bytes)
{
    unsigned n = 0;

    *bytes = 0;
    for (unsigned i = 0; i < core->phnum; i++) {
        const ElfSegment *seg = elf_core_segment(core, i);

        if (seg->type == PT_LOAD && seg->paddr >= from) {
            n++;
            *bytes += seg->memsz;
        }
    }
    return n;
}

static char *dump_to_file(QTestState *s, const char *name)
{
    char *path = g_build_filename(qtest_tmpdir(), name, NULL);

    qtest_qmp_assert_success(s, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, "
                             "'protocol': 'file:%s'}}", path);
    return path;
}

/* ------------------------------------------------------------- the cycle */

/*
 * The whole life of a hot-plugged device, twice with the same ids (an id
 * is free again after DEVICE_DELETED, a backend after object-del).
 */
static void hotplug_cycle(QTestState *s, DumpModel *model, unsigned round)
{
    QGuestAllocator *alloc = guest_alloc_new(HP_ALLOC_START, HP_RAM);
    g_autofree char *name = g_strdup_printf("hotplug-%u.elf", round);
    g_autofree char *path = NULL, *gone = NULL, *desc = NULL;
    QVirtioMMIODevice *probe;
    QVirtioMemConfig cfg;
    QVirtioMem *vm;
    GArray *flat;
    ElfCore core;
    uint64_t bytes;
    uint8_t *got, *want;

    /* nothing in slot 0 yet: a scanning driver sees DeviceID 0 */
    g_assert_cmpint(qvirtio_mmio_find_slot(s, VIRTIO_ID_MEM, 0), ==, -1);
    g_assert_cmpint(qvirtio_mmio_find_slot(s, 0, 0), ==, 0);
    g_assert_cmpuint(memory_devices(s), ==, 0);

    object_add_ram(s, "memory-backend-memfd", "mem1", 1 * GiB);
    device_add_vmem(s, "vm1", "mem1", 64 * MiB);
    /* a reset reaches the new device and its transport like any other */
    qtest_qmp_assert_success(s, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(s, "RESET");

    /* the first empty transport now holds it; the driver finds it there */
    g_assert_cmpint(qvirtio_mmio_find_slot(s, VIRTIO_ID_MEM, 0), ==, 0);
    probe = qvirtio_mmio_new(s, 0);
    g_assert_cmphex(qvirtio_mmio_readl(probe, VIRTIO_MMIO_MAGIC_VALUE), ==,
                    0x74726976);
    g_assert_cmpuint(qvirtio_mmio_readl(probe, VIRTIO_MMIO_VERSION), ==, 2);
    g_assert_cmpuint(qvirtio_get_status(probe), ==, 0);
    g_free(probe);
    vm = qvirtio_mem_init(s, alloc, 0);
    qvirtio_mem_read_config(vm, &cfg);
    g_assert_cmpuint(cfg.region_size, ==, 1 * GiB);
    g_assert_cmpuint(cfg.requested_size, ==, 64 * MiB);
    g_assert_cmpuint(cfg.plugged_size, ==, 0);
    g_assert_cmpuint(memory_devices(s), ==, 1);

    /* plug 3 blocks, write across them */
    g_assert_cmpuint(qvirtio_mem_plug(vm, cfg.addr, 3), ==,
                     VIRTIO_MEM_RESP_ACK);
    model_write(s, model, cfg.addr + 4096, 3 * cfg.block_size - 8192,
                40 + round);
    g_assert_cmpuint(plugged_memory(s), ==, 3 * cfg.block_size);

    /* the dump has the new region: one PT_LOAD, every byte right */
    path = dump_to_file(s, name);
    dump_open(&core, path);
    g_assert_cmpuint(loads_above(&core, cfg.addr, &bytes), ==, 1);
    g_assert_cmpuint(bytes, ==, 3 * cfg.block_size);
    got = g_malloc(3 * cfg.block_size);
    want = g_malloc(3 * cfg.block_size);
    g_assert_true(elf_core_read_phys(&core, cfg.addr, got,
                                     3 * cfg.block_size));
    model_expect(s, model, cfg.addr, want, 3 * cfg.block_size);
    g_assert_cmpmem(got, 3 * cfg.block_size, want, 3 * cfg.block_size);
    flat = flat_ranges(s);
    check_dump_loads(s, &core, model, flat);
    g_array_free(flat, true);
    elf_core_free(&core);
    unlink(path);
    g_free(got);
    g_free(want);

    /* not while memory is plugged, nor while memory is requested */
    expect_error(s, "GenericError", "virtio-mem device cannot get unplugged "
                 "while some of its memory is still plugged",
                 "{'execute': 'device_del', 'arguments': {'id': 'vm1'}}");
    expect_error(s, "GenericError", "object 'mem1' is in use, can not be "
                 "deleted",
                 "{'execute': 'object-del', 'arguments': {'id': 'mem1'}}");
    g_assert_cmpuint(qvirtio_mem_unplug_all(vm), ==, VIRTIO_MEM_RESP_ACK);
    model_forget(model, cfg.addr, 3 * cfg.block_size);
    expect_error(s, "GenericError", "virtio-mem device cannot get unplugged "
                 "while 'requested-size' != '0'",
                 "{'execute': 'device_del', 'arguments': {'id': 'vm1'}}");
    qtest_qmp_assert_success(s, "{'execute': 'qom-set', 'arguments': "
                             "{'path': 'vm1', 'property': 'requested-size', "
                             "'value': 0}}");

    /* the guest lets go of the device; then it goes */
    qvirtio_mem_free(vm);
    device_del_ok(s, "vm1");

    /* and forgets it once it is gone */
    qtest_qmp_assert_success(s, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(s, "RESET");
    /* gone: the slot reads empty, the id is free, nothing left to dump */
    g_assert_cmpint(qvirtio_mmio_find_slot(s, VIRTIO_ID_MEM, 0), ==, -1);
    g_assert_cmpint(qvirtio_mmio_find_slot(s, 0, 0), ==, 0);
    g_assert_cmpuint(memory_devices(s), ==, 0);
    g_assert_cmpuint(plugged_memory(s), ==, 0);
    desc = qtest_qmp_expect_error(s, "DeviceNotFound", "{'execute': "
                                  "'device_del', 'arguments': "
                                  "{'id': 'vm1'}}");
    g_assert_cmpstr(desc, ==, "Device 'vm1' not found");
    gone = dump_to_file(s, "after-del.elf");
    dump_open(&core, gone);
    g_assert_cmpuint(loads_above(&core, cfg.addr, &bytes), ==, 0);
    flat = flat_ranges(s);
    check_dump_loads(s, &core, model, flat);
    g_array_free(flat, true);
    elf_core_free(&core);
    unlink(gone);

    qtest_qmp_assert_success(s, "{'execute': 'object-del', 'arguments': "
                             "{'id': 'mem1'}}");
    expect_error(s, "GenericError", "object 'mem1' not found",
                 "{'execute': 'object-del', 'arguments': {'id': 'mem1'}}");
    guest_alloc_destroy(alloc);
}

static void test_cycle(void)
{
    QTestState *s = hp_start("");
    DumpModel model;

    model_init(&model);
    model_foreign(&model, HP_ALLOC_START, HP_RAM - HP_ALLOC_START);
    model_write(s, &model, 1 * MiB, 64 * KiB, 7);   /* base RAM */
    hotplug_cycle(s, &model, 0);
    hotplug_cycle(s, &model, 1);
    expect_running(s);
    model_free(&model);
    qtest_quit(s);
}

/*
 * A driver still holding a device that was deleted (a guest that did not
 * let go) talks to an empty transport: reads give an empty slot, writes
 * are ignored, the VMM is unharmed.
 */
static void test_stale_driver(void)
{
    QTestState *s = hp_start("");
    QGuestAllocator *alloc = guest_alloc_new(HP_ALLOC_START, HP_RAM);
    QVirtioMem *vm;

    object_add_ram(s, "memory-backend-ram", "mem1", 256 * MiB);
    device_add_vmem(s, "vm1", "mem1", 0);
    vm = qvirtio_mem_init(s, alloc, 0);
    device_del_ok(s, "vm1");
    g_assert_cmpuint(qvirtio_mmio_readl(vm->dev, VIRTIO_MMIO_DEVICE_ID), ==,
                     0);
    qvirtio_mmio_writel(vm->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    qvirtio_mmio_writel(vm->dev, VIRTIO_MMIO_STATUS, 0);
    g_assert_cmpuint(qvirtio_isr(vm->dev), ==, 0);
    /* the driver's reset reads back Status 0 from the empty slot */
    qvirtio_mem_free(vm);
    expect_running(s);
    guest_alloc_destroy(alloc);
    qtest_quit(s);
}

/* ------------------------------------------------------------ refusals */

static void test_errors(void)
{
    QTestState *s = hp_start("-object memory-backend-ram,id=mem0,size=64M "
                             "-device virtio-mem-device,id=vm0,memdev=mem0");
    JsonObject *ev, *data;

    object_add_ram(s, "memory-backend-ram", "mem1", 64 * MiB);
    expect_error(s, "GenericError", "Parameter 'driver' is missing",
                 "{'execute': 'device_add', 'arguments': {'id': 'x'}}");
    expect_error(s, "GenericError",
                 "Invalid parameter type for 'driver', expected: string",
                 "{'execute': 'device_add', 'arguments': {'driver': 1}}");
    expect_error(s, "GenericError", "'nosuch' is not a valid device model "
                 "name",
                 "{'execute': 'device_add', 'arguments': "
                 "{'driver': 'nosuch'}}");
    expect_error(s, "GenericError", "Device 'tpm-crb' does not support "
                 "hotplugging",
                 "{'execute': 'device_add', 'arguments': "
                 "{'driver': 'tpm-crb'}}");
    expect_error(s, "GenericError", "Duplicate ID 'vm0' for device",
                 "{'execute': 'device_add', 'arguments': "
                 "{'driver': 'virtio-mem-device', 'id': 'vm0', "
                 "'memdev': 'mem1'}}");
    /* as QEMU, QMP gets the message without its hint (test_hmp) */
    expect_error(s, "GenericError", "Parameter 'id' expects an identifier",
                 "{'execute': 'device_add', 'arguments': "
                 "{'driver': 'virtio-mem-device', 'id': '0bad', "
                 "'memdev': 'mem1'}}");
    expect_error(s, "DeviceNotFound", "Device 'nomem' not found",
                 "{'execute': 'device_add', 'arguments': "
                 "{'driver': 'virtio-mem-device', 'id': 'vm1', "
                 "'memdev': 'nomem'}}");
    expect_error(s, "GenericError", "'memdev' property specifies a busy "
                 "memdev: mem0",
                 "{'execute': 'device_add', 'arguments': "
                 "{'driver': 'virtio-mem-device', 'id': 'vm1', "
                 "'memdev': 'mem0'}}");
    expect_error(s, "GenericError", "Bus 'virtio-mmio-bus.3' not found",
                 "{'execute': 'device_add', 'arguments': "
                 "{'driver': 'virtio-mem-device', 'id': 'vm1', "
                 "'memdev': 'mem1', 'bus': 'virtio-mmio-bus.3'}}");
    expect_error(s, "GenericError", "Property 'virtio-mem-device.nosuch' "
                 "not found",
                 "{'execute': 'device_add', 'arguments': "
                 "{'driver': 'virtio-mem-device', 'id': 'vm1', "
                 "'memdev': 'mem1', 'nosuch': 1}}");
    expect_error(s, "GenericError",
                 "Invalid parameter type for 'memdev', expected: string",
                 "{'execute': 'device_add', 'arguments': "
                 "{'driver': 'virtio-mem-device', 'id': 'vm1', "
                 "'memdev': ['mem1']}}");
    /* a failed device_add leaves the backend free for the next one */
    device_add_vmem(s, "vm1", "mem1", 0);

    expect_error(s, "DeviceNotFound", "Device 'nosuch' not found",
                 "{'execute': 'device_del', 'arguments': {'id': 'nosuch'}}");
    expect_error(s, "GenericError", "/objects/mem1 is not a hotpluggable "
                 "device",
                 "{'execute': 'device_del', 'arguments': "
                 "{'id': '/objects/mem1'}}");
    expect_error(s, "GenericError", "Device 'ioapic' does not support "
                 "hotplugging",
                 "{'execute': 'device_del', 'arguments': "
                 "{'id': '/machine/ioapic'}}");

    expect_error(s, "GenericError", "attempt to add duplicate property "
                 "'mem1' to object (type 'container')",
                 "{'execute': 'object-add', 'arguments': "
                 "{'qom-type': 'memory-backend-ram', 'id': 'mem1', "
                 "'size': 1048576}}");
    expect_error(s, "GenericError", "Parameter 'qom-type' does not accept "
                 "value 'nosuch'",
                 "{'execute': 'object-add', 'arguments': "
                 "{'qom-type': 'nosuch', 'id': 'x'}}");
    expect_error(s, "GenericError", "Parameter 'size' is missing",
                 "{'execute': 'object-add', 'arguments': "
                 "{'qom-type': 'memory-backend-ram', 'id': 'x'}}");
    expect_error(s, "GenericError", "Parameter 'mem-path' is unexpected",
                 "{'execute': 'object-add', 'arguments': "
                 "{'qom-type': 'memory-backend-ram', 'id': 'x', "
                 "'size': 1048576, 'mem-path': '/tmp'}}");
    expect_error(s, "GenericError", "property 'size' of memory-backend-ram "
                 "doesn't take value '0'",
                 "{'execute': 'object-add', 'arguments': "
                 "{'qom-type': 'memory-backend-ram', 'id': 'x', "
                 "'size': 0}}");
    expect_error(s, "GenericError", "object 'mem0' is in use, can not be "
                 "deleted",
                 "{'execute': 'object-del', 'arguments': {'id': 'mem0'}}");

    /* a device without id goes by its path; the event has no "device" */
    object_add_ram(s, "memory-backend-ram", "mem2", 64 * MiB);
    qtest_qmp_assert_success(s, "{'execute': 'device_add', 'arguments': "
                             "{'driver': 'virtio-mem-device', "
                             "'memdev': 'mem2'}}");
    qtest_qmp_events_clear(s);
    qtest_qmp_assert_success(s, "{'execute': 'device_del', 'arguments': "
                             "{'id': '/machine/peripheral-anon/"
                             "device[0]'}}");
    ev = qtest_qmp_event_ref(s, "DEVICE_DELETED");
    g_assert_nonnull(ev);
    data = json_object_get_object_member(ev, "data");
    g_assert_false(json_object_has_member(data, "device"));
    g_assert_cmpstr(json_object_get_string_member(data, "path"), ==,
                    "/machine/peripheral-anon/device[0]");
    json_object_unref(ev);

    /* a cold-plugged device with nothing requested may go too */
    device_del_ok(s, "vm0");
    qtest_qmp_assert_success(s, "{'execute': 'object-del', 'arguments': "
                             "{'id': 'mem0'}}");
    expect_running(s);
    qtest_quit(s);
}

/* Every transport taken: QEMU's "no bus" message, nothing half-made. */
static void test_no_free_slot(void)
{
    QTestState *s = hp_start("");
    g_autofree char *desc = NULL;

    for (unsigned i = 0; i < QVIRTIO_MMIO_SLOTS; i++) {
        g_autofree char *mem = g_strdup_printf("mem%u", i);
        g_autofree char *dev = g_strdup_printf("vm%u", i);

        object_add_ram(s, "memory-backend-ram", mem, 2 * MiB);
        device_add_vmem(s, dev, mem, 0);
    }
    object_add_ram(s, "memory-backend-ram", "extra", 2 * MiB);
    desc = qtest_qmp_expect_error(s, "GenericError", "{'execute': "
                                  "'device_add', 'arguments': {'driver': "
                                  "'virtio-mem-device', 'id': 'extra', "
                                  "'memdev': 'extra'}}");
    g_assert_cmpstr(desc, ==, "No 'virtio-mmio-bus' bus found for device "
                    "'virtio-mem-device': all 24 virtio-mmio slots are in "
                    "use");
    g_assert_cmpuint(memory_devices(s), ==, QVIRTIO_MMIO_SLOTS);
    /* the backend was not claimed by the failed device */
    qtest_qmp_assert_success(s, "{'execute': 'object-del', 'arguments': "
                             "{'id': 'extra'}}");
    /* freeing one slot in the middle makes room there */
    device_del_ok(s, "vm7");
    object_add_ram(s, "memory-backend-ram", "extra", 2 * MiB);
    device_add_vmem(s, "extra", "extra", 0);
    g_assert_cmpint(qvirtio_mmio_find_slot(s, 0, 0), ==, -1);
    expect_running(s);
    qtest_quit(s);
}

/* --------------------------------------------------------- during a dump */

/*
 * A detached dump held on a one-page pipe nobody reads: the discard
 * freeze holds the plug state of every device; hot-plug neither breaks
 * it nor is broken by it.
 */
static void test_during_dump(void)
{
    QTestState *s = hp_start("-object memory-backend-memfd,id=mem0,size=256M "
                             "-device virtio-mem-device,id=vm0,memdev=mem0,"
                             "requested-size=64M");
    QGuestAllocator *alloc = guest_alloc_new(HP_ALLOC_START, HP_RAM);
    QVirtioMem *vm0 = qvirtio_mem_init(s, alloc, 0), *vm1;
    QVirtioMemConfig cfg0, cfg1;
    DumpDrain drain = { .got = g_byte_array_new() };
    GThread *drainer;
    DumpModel model;
    GArray *flat;
    ElfCore core;
    uint64_t bytes;
    char *err;
    int p[2];

    model_init(&model);
    model_foreign(&model, HP_ALLOC_START, HP_RAM - HP_ALLOC_START);
    qvirtio_mem_read_config(vm0, &cfg0);
    g_assert_cmpuint(qvirtio_mem_plug(vm0, cfg0.addr, 2), ==,
                     VIRTIO_MEM_RESP_ACK);
    model_write(s, &model, cfg0.addr, 2 * cfg0.block_size, 21);

    g_assert_cmpint(pipe(p), ==, 0);
    fcntl(p[1], F_SETPIPE_SZ, 4096);
    dump_getfd(s, p[1], "held");
    close(p[1]);
    qtest_qmp_assert_success(s, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, 'detach': true, "
                             "'protocol': 'fd:held'}}");

    /* add a backend and a device under the held dump */
    object_add_ram(s, "memory-backend-memfd", "mem1", 256 * MiB);
    device_add_vmem(s, "vm1", "mem1", 64 * MiB);
    vm1 = qvirtio_mem_init(s, alloc, 1);
    qvirtio_mem_read_config(vm1, &cfg1);
    g_assert_cmphex(cfg1.addr, >=, cfg0.addr + cfg0.region_size);
    /* its plug state is frozen with the rest: BUSY, nothing plugged */
    g_assert_cmpuint(qvirtio_mem_plug(vm1, cfg1.addr, 1), ==,
                     VIRTIO_MEM_RESP_BUSY);
    g_assert_cmpuint(plugged_memory(s), ==, 2 * cfg0.block_size);
    /* a device with memory in the dump cannot go; an empty one can */
    err = qtest_qmp_expect_error(s, "GenericError", "{'execute': "
                                 "'device_del', 'arguments': "
                                 "{'id': 'vm0'}}");
    g_free(err);
    qtest_qmp_assert_success(s, "{'execute': 'qom-set', 'arguments': "
                             "{'path': 'vm1', 'property': 'requested-size', "
                             "'value': 0}}");
    qvirtio_mem_free(vm1);
    device_del_ok(s, "vm1");
    qtest_qmp_assert_success(s, "{'execute': 'object-del', 'arguments': "
                             "{'id': 'mem1'}}");
    /* and a new one again, still under the dump */
    object_add_ram(s, "memory-backend-ram", "mem2", 128 * MiB);
    device_add_vmem(s, "vm2", "mem2", 32 * MiB);

    drain.fd = p[0];
    drainer = g_thread_new("drain", dump_drain_thread, &drain);
    qtest_qmp_eventwait(s, "DUMP_COMPLETED");
    g_thread_join(drainer);
    close(p[0]);

    /* the dump holds what was plugged when it started, and only that */
    g_assert_null(elf_core_parse(&core, drain.got->data, drain.got->len));
    g_assert_cmpuint(loads_above(&core, cfg0.addr, &bytes), ==, 1);
    g_assert_cmpuint(bytes, ==, 2 * cfg0.block_size);
    flat = flat_ranges(s);
    check_dump_loads(s, &core, &model, flat);
    g_array_free(flat, true);
    elf_core_free(&core);
    g_byte_array_unref(drain.got);

    /* thawed: the device added during the dump plugs now */
    vm1 = qvirtio_mem_init(s, alloc, 1);
    qvirtio_mem_read_config(vm1, &cfg1);
    g_assert_cmpuint(qvirtio_mem_plug(vm1, cfg1.addr, 1), ==,
                     VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(plugged_memory(s), ==,
                     2 * cfg0.block_size + cfg1.block_size);
    qvirtio_mem_free(vm1);
    qvirtio_mem_free(vm0);
    expect_running(s);
    model_free(&model);
    guest_alloc_destroy(alloc);
    qtest_quit(s);
}

/* ------------------------------------------------------------------ HMP */

static void test_hmp(void)
{
    QTestState *s = hp_start("");
    g_autofree char *out = NULL;

    out = qtest_hmp(s, "object_add memory-backend-ram,id=mem1,size=128M");
    g_assert_cmpstr(out, ==, "");
    g_free(out);
    out = qtest_hmp(s, "device_add virtio-mem-device,id=vm1,memdev=mem1,"
                    "requested-size=4M");
    g_assert_cmpstr(out, ==, "");
    g_free(out);
    out = qtest_hmp(s, "info memory-devices");
    g_assert_cmpstr(out, ==,
                    "Memory device [virtio-mem]: \"vm1\"\r\n"
                    "  memaddr: 0x100000000\r\n"
                    "  node: 0\r\n"
                    "  requested-size: 4194304\r\n"
                    "  size: 0\r\n"
                    "  max-size: 134217728\r\n"
                    "  block-size: 2097152\r\n"
                    "  memdev: /objects/mem1\r\n");
    g_free(out);
    out = qtest_hmp(s, "info memory_size_summary");
    g_assert_cmpstr(out, ==, "base memory: 268435456\r\n"
                    "plugged memory: 0\r\n");
    g_free(out);
    out = qtest_hmp(s, "qom-get /machine/peripheral/vm1 requested-size");
    g_assert_cmpstr(out, ==, "4194304\r\n");
    g_free(out);
    out = qtest_hmp(s, "qom-get vm1 memdev");
    g_assert_cmpstr(out, ==, "\"/objects/mem1\"\r\n");
    g_free(out);
    out = qtest_hmp(s, "info qtree");
    g_assert_nonnull(strstr(out,
                            "  dev: virtio-mmio, id \"\"\r\n"
                            "    mmio 00000000feb00000/0000000000000200\r\n"
                            "    bus: virtio-mmio-bus.0\r\n"
                            "      type virtio-mmio-bus\r\n"
                            "      dev: virtio-mem-device, id \"vm1\"\r\n"));
    g_assert_nonnull(strstr(out, "        requested-size = 4194304 "
                            "(4 MiB)\r\n"));
    g_assert_true(g_str_has_prefix(out, "bus: main-system-bus\r\n"
                                   "  type System\r\n"));
    g_free(out);
    out = qtest_hmp(s, "device_del vm1");
    g_assert_cmpstr(out, ==, "Error: virtio-mem device cannot get unplugged "
                    "while 'requested-size' != '0'\r\n");
    g_free(out);
    out = qtest_hmp(s, "object_del mem1");
    g_assert_cmpstr(out, ==, "Error: object 'mem1' is in use, can not be "
                    "deleted\r\n");
    g_free(out);
    out = qtest_hmp(s, "qom-set vm1 requested-size 0");
    g_assert_cmpstr(out, ==, "");
    g_free(out);
    out = qtest_hmp(s, "qom-set -j vm1 requested-size 2097152");
    g_assert_cmpstr(out, ==, "");
    g_free(out);
    out = qtest_hmp(s, "qom-set -j vm1 requested-size 0");
    g_assert_cmpstr(out, ==, "");
    g_free(out);
    out = qtest_hmp(s, "qom-set nosuch requested-size 0");
    g_assert_cmpstr(out, ==, "Error: Device 'nosuch' not found\r\n");
    g_free(out);
    qtest_qmp_events_clear(s);
    out = qtest_hmp(s, "device_del vm1");
    g_assert_cmpstr(out, ==, "");
    qtest_qmp_eventwait(s, "DEVICE_DELETED");
    g_free(out);
    out = qtest_hmp(s, "object_del mem1");
    g_assert_cmpstr(out, ==, "");
    g_free(out);
    out = qtest_hmp(s, "info memory-devices");
    g_assert_cmpstr(out, ==, "");
    g_free(out);
    out = qtest_hmp(s, "device_add nosuch");
    g_assert_cmpstr(out, ==, "Error: 'nosuch' is not a valid device model "
                    "name\r\n");
    g_free(out);
    out = qtest_hmp(s, "device_add");
    g_assert_cmpstr(out, ==, "Error: Parameter 'device' is missing\r\n");
    g_free(out);
    /* HMP prints an error's hint after it, as QEMU does (QMP does not) */
    out = qtest_hmp(s, "device_add virtio-mem-device,id=0bad");
    g_assert_cmpstr(out, ==, "Error: Parameter 'id' expects an identifier\r\n"
                    "Identifiers consist of letters, digits, '-', '.', '_', "
                    "starting with a letter.\r\n");
    g_free(out);
    out = qtest_hmp(s, "object_add memory-backend-ram,id=1bad,size=1M");
    g_assert_cmpstr(out, ==, "Error: Parameter 'id' expects an identifier\r\n"
                    "Identifiers consist of letters, digits, '-', '.', '_', "
                    "starting with a letter.\r\n");
    expect_running(s);
    qtest_quit(s);
}

/* ------------------------------------------------ HMP on a chardev */

/* The monitor's output not yet consumed (it may hold several answers). */
static GString *hmp_pending;

/* The text up to and with the next @mark @fd sends; reads as needed. */
static char *hmp_read_until(int fd, const char *mark)
{
    char buf[4096], *at, *text;
    size_t end;
    ssize_t n;

    while (!(at = strstr(hmp_pending->str, mark))) {
        n = read(fd, buf, sizeof(buf));
        g_assert_cmpint(n, >, 0);
        g_string_append_len(hmp_pending, buf, n);
    }
    end = at - hmp_pending->str + strlen(mark);
    text = g_strndup(hmp_pending->str, end);
    g_string_erase(hmp_pending, 0, end);
    return text;
}

/* The text before the next "(qemu) " prompt @fd sends; reads as needed. */
static char *hmp_until_prompt(int fd)
{
    static const char prompt[] = "(qemu) ";
    char *text = hmp_read_until(fd, prompt);

    text[strlen(text) - strlen(prompt)] = '\0';
    return text;
}

static int hmp_connect(const char *sock)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(addr.sun_path, sock, sizeof(addr.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), ==,
                    0);
    return fd;
}

static char *hmp_cmd(int fd, const char *line)
{
    g_assert_cmpint(write(fd, line, strlen(line)), ==, strlen(line));
    return hmp_until_prompt(fd);
}

/*
 * End an HMP test: nothing unread came after the last prompt; the VM
 * still runs after the client leaves.
 */
static void hmp_close(QTestState *s, int fd)
{
    g_assert_cmpstr(hmp_pending->str, ==, "");
    g_string_free(hmp_pending, true);
    close(fd);
    expect_running(s);
    qtest_quit(s);
}

/*
 * Connect to the human monitor at @sock: QEMU's banner and prompt, then
 * one command's exact output.
 */
static int hmp_open(const char *sock)
{
    int fd = hmp_connect(sock);
    char *out = hmp_until_prompt(fd);

    g_assert_cmpstr(out, ==, "QEMU 7.2.0 monitor - type 'help' for more "
                    "information\r\n");
    g_free(out);
    out = hmp_cmd(fd, "info memory_size_summary\n");
    g_assert_cmpstr(out, ==, "base memory: 268435456\r\n"
                    "plugged memory: 0\r\n");
    g_free(out);
    return fd;
}

/*
 * -mon chardev=ID without mode= is a human monitor, as in QEMU: banner,
 * "(qemu) " prompt, a command per line (LF, CRLF or CR), CRLF output;
 * hot-plug works from it; an overlong line is dropped, not run.
 */
static void test_hmp_monitor(void)
{
    g_autofree char *sock = g_build_filename(qtest_tmpdir(), "hmp.sock",
                                             NULL);
    QTestState *s;
    g_autofree char *longline = NULL;
    char *out;
    int fd;

    hmp_pending = g_string_new(NULL);
    s = qtest_initf(HP_MACHINE "-chardev socket,id=hmp0,path=%s,server=on,"
                    "wait=off -mon chardev=hmp0", sock);
    fd = hmp_open(sock);
    out = hmp_cmd(fd, "object_add memory-backend-ram,id=mem1,size=64M\r\n");
    g_assert_cmpstr(out, ==, "");
    g_free(out);
    out = hmp_cmd(fd, "\n");
    g_assert_cmpstr(out, ==, "");
    g_free(out);
    /* a terminal in raw mode ends lines with CR alone */
    out = hmp_cmd(fd, "device_add virtio-mem-device,id=vm1,memdev=mem1\r");
    g_assert_cmpstr(out, ==, "");
    g_free(out);
    g_assert_cmpint(qvirtio_mmio_find_slot(s, VIRTIO_ID_MEM, 0), ==, 0);
    out = hmp_cmd(fd, "device_del vm1\nobject_del mem1\n");
    /* two lines, two prompts: the first answer ends with the first one */
    g_assert_cmpstr(out, ==, "");
    g_free(out);
    out = hmp_until_prompt(fd);
    g_assert_cmpstr(out, ==, "");
    g_free(out);
    g_assert_cmpint(qvirtio_mmio_find_slot(s, VIRTIO_ID_MEM, 0), ==, -1);
    out = hmp_cmd(fd, "nosuch\n");
    g_assert_cmpstr(out, ==, "unknown command: 'nosuch'\r\n");
    g_free(out);
    longline = g_strnfill(5000, 'x');
    g_assert_cmpint(write(fd, longline, 5000), ==, 5000);
    out = hmp_cmd(fd, "\n");
    g_assert_cmpstr(out, ==, "Error: command line longer than 4095 bytes "
                    "dropped\r\n");
    g_free(out);
    hmp_close(s, fd);
}

/* QEMU's -monitor unix:...: the same human monitor, on its own socket. */
static void test_monitor_option(void)
{
    g_autofree char *sock = g_build_filename(qtest_tmpdir(), "mon.sock",
                                             NULL);
    QTestState *s;
    char *out;
    int fd;

    hmp_pending = g_string_new(NULL);
    s = qtest_initf(HP_MACHINE "-monitor unix:%s,server=on,wait=off", sock);
    fd = hmp_open(sock);
    out = hmp_cmd(fd, "info status\n");
    g_assert_cmpstr(out, ==, "VM status: running\r\n");
    g_free(out);
    hmp_close(s, fd);
}

#define LEFT5 "\033[D\033[D\033[D\033[D\033[D"

/* Send @keys, then read until @until arrives; return what came, @until too. */
static char *hmp_keys(int fd, const char *keys, const char *until)
{
    g_assert_cmpint(write(fd, keys, strlen(keys)), ==, strlen(keys));
    return hmp_read_until(fd, until);
}

/* Send @keys: exactly @want comes back. */
static void hmp_expect_keys(int fd, const char *keys, const char *want)
{
    g_autofree char *out = hmp_keys(fd, keys, want);

    g_assert_cmpstr(out, ==, want);
}

/*
 * The human monitor as a terminal drives it (socat -,raw,echo=0, telnet in
 * character mode): keys come one by one and are echoed; Tab completes a
 * command, an info subcommand and a device id, and lists candidates; Up
 * recalls the last line; ^U clears the line.  The bytes checked are what
 * the terminal gets.  A new client starts without echo again.
 */
static void test_hmp_readline(void)
{
    g_autofree char *sock = g_build_filename(qtest_tmpdir(), "hmp-rl.sock",
                                             NULL);
    QTestState *s;
    char *out;
    int fd;

    hmp_pending = g_string_new(NULL);
    s = qtest_initf(HP_MACHINE "-chardev socket,id=hmp0,path=%s,server=on,"
                    "wait=off -mon chardev=hmp0 -object memory-backend-ram,"
                    "id=mem1,size=64M -device virtio-mem-device,id=vm1,"
                    "memdev=mem1", sock);
    fd = hmp_connect(sock);
    g_free(hmp_until_prompt(fd));

    /* typed: echoed; Tab completes the subcommand, with a space */
    hmp_expect_keys(fd, "info sta", "info sta");
    hmp_expect_keys(fd, "\t", "tus ");
    out = hmp_cmd(fd, "\r");
    g_assert_cmpstr(out, ==, "\r\nVM status: running\r\n");
    g_free(out);
    /* Up recalls it (its trailing space too), Enter runs it again */
    hmp_expect_keys(fd, "\033[A", "info status ");
    out = hmp_cmd(fd, "\r");
    g_assert_cmpstr(out, ==, "\r\nVM status: running\r\n");
    g_free(out);
    /* ^U drops what was typed before it: "stop" never runs */
    out = hmp_cmd(fd, "stop\025info status\r");
    g_assert_cmpstr(out, ==, "info status\r\nVM status: running\r\n");
    g_free(out);
    /* ambiguous: listed in columns, then the prompt and the line again */
    out = hmp_keys(fd, "info m\t", "(qemu) info m");
    g_assert_cmpstr(out, ==, "info m\r\n"
                    "memory-devices       memory_size_summary  "
                    "mtree                \r\n(qemu) info m");
    g_free(out);
    /* edit in the middle: the terminal gets what changed, and moves */
    hmp_expect_keys(fd, "tree", "tree");
    hmp_expect_keys(fd, LEFT5, LEFT5);
    hmp_expect_keys(fd, " ", " mtree" LEFT5);      /* "info  mtree" */
    hmp_expect_keys(fd, "\177", "\033[D" "mtree\033[K" LEFT5);
    hmp_expect_keys(fd, "\001\013", LEFT5 "\033[K");  /* ^A ^K: all gone */
    /* command names: two candidates, the common part is completed */
    out = hmp_keys(fd, "devi\t", "(qemu) device_");
    g_assert_cmpstr(out, ==, "devi\r\ndevice_add  device_del  \r\n"
                    "(qemu) device_");
    g_free(out);
    /* then the id of a device for device_del */
    hmp_expect_keys(fd, "d\tv\t", "del vm1 ");
    out = hmp_cmd(fd, "\r");
    g_assert_cmpstr(out, ==, "\r\n");
    g_free(out);
    g_assert_cmpint(qvirtio_mmio_find_slot(s, VIRTIO_ID_MEM, 0), ==, -1);
    g_assert_cmpstr(hmp_pending->str, ==, "");
    close(fd);

    /* the next client writes whole lines: no echo */
    fd = hmp_connect(sock);
    g_free(hmp_until_prompt(fd));
    out = hmp_cmd(fd, "info status\n");
    g_assert_cmpstr(out, ==, "VM status: running\r\n");
    g_free(out);
    hmp_close(s, fd);
}

/* Count "(qemu) " in a stream read in pieces ("(" never recurs in it). */
static size_t hmp_count_prompts(const char *buf, size_t len, size_t *matched)
{
    static const char prompt[] = "(qemu) ";
    size_t count = 0;

    for (size_t i = 0; i < len; i++) {
        if (buf[i] == prompt[*matched]) {
            if (++*matched == strlen(prompt)) {
                count++;
                *matched = 0;
            }
        } else {
            *matched = buf[i] == prompt[0];
        }
    }
    return count;
}

/*
 * A client that types but does not read: ^L writes 17 bytes for each
 * byte typed.  Once a MiB of output waits, the monitor stops reading the
 * client, whose writes then block (nothing grows without bound); QMP
 * still answers; once the client reads, every key is served.
 */
static void test_hmp_not_reading(void)
{
    g_autofree char *sock = g_build_filename(qtest_tmpdir(), "hmp-nr.sock",
                                             NULL);
    const size_t total = 1 * MiB;
    g_autofree char *keys = g_strnfill(64 * 1024, '\014');
    g_autofree char *buf = g_malloc(64 * 1024);
    size_t sent = 0, prompts = 0, matched = 0;
    QTestState *s;
    ssize_t n;
    int fd;

    s = qtest_initf(HP_MACHINE "-chardev socket,id=hmp0,path=%s,server=on,"
                    "wait=off -mon chardev=hmp0", sock);
    fd = hmp_connect(sock);
    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLOUT };

        n = send(fd, keys, MIN(64 * 1024, total - sent), MSG_DONTWAIT);
        if (n > 0) {
            sent += n;
            g_assert_cmpuint(sent, <, total);
            continue;
        }
        g_assert_cmpint(errno, ==, EAGAIN);
        if (poll(&pfd, 1, 1000) == 0) {
            break;              /* the monitor stopped reading */
        }
    }
    expect_running(s);
    while (sent < total || prompts < total + 1) {
        struct pollfd pfd = {
            .fd = fd, .events = POLLIN | (sent < total ? POLLOUT : 0),
        };

        g_assert_cmpint(poll(&pfd, 1, 30000), ==, 1);
        if (sent < total && (pfd.revents & POLLOUT)) {
            n = send(fd, keys, MIN(64 * 1024, total - sent), MSG_DONTWAIT);
            if (n > 0) {
                sent += n;
            }
        }
        if (pfd.revents & POLLIN) {
            n = read(fd, buf, 64 * 1024);
            g_assert_cmpint(n, >, 0);
            prompts += hmp_count_prompts(buf, n, &matched);
        }
    }
    g_assert_cmpuint(prompts, ==, total + 1);
    close(fd);
    expect_running(s);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/hotplug/cycle", test_cycle);
    g_test_add_func("/hotplug/stale-driver", test_stale_driver);
    g_test_add_func("/hotplug/errors", test_errors);
    g_test_add_func("/hotplug/no-free-slot", test_no_free_slot);
    g_test_add_func("/hotplug/during-dump", test_during_dump);
    g_test_add_func("/hotplug/hmp", test_hmp);
    g_test_add_func("/hotplug/hmp-monitor", test_hmp_monitor);
    g_test_add_func("/hotplug/monitor-option", test_monitor_option);
    g_test_add_func("/hotplug/hmp-readline", test_hmp_readline);
    g_test_add_func("/hotplug/hmp-not-reading", test_hmp_not_reading);
    return g_test_run();
}
