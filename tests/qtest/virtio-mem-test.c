/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-mem-test.c: virtio-mem-device driven by the libqos guest driver,
 * checked from outside: answers to every request type and every ERROR /
 * NACK / BUSY case of QEMU's validation order, configuration after each
 * step, the usable region growing and shrinking, the configuration
 * interrupt, MEMORY_DEVICE_SIZE_CHANGE, qom-get/qom-set with QEMU's
 * messages, query-memory-devices, system reset versus virtio reset, 1 MiB
 * / 2 MiB / 1 GiB blocks, memfd / private anonymous / file backends,
 * zeroed re-plugs, and host memory never populated for unplugged blocks
 * (memfd and file allocation measured with st_blocks), including the
 * 64 GiB / 20,000-request case of the issue.
 *
 * Transport and virtqueue hostile inputs are in virtio-mmio-test.c.
 */
#include <inttypes.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "libqos/guest-log.h"
#include "libqos/host-mem.h"
#include "libqos/virtio-mem.h"
#include "qemu/units.h"

#define RAM_SIZE (512 * MiB)
#define DEVMEM_BASE (4 * GiB)     /* 1 GiB aligned above 4 GiB (RAM < 3G) */
#define BLOCK (2 * MiB)           /* the default on this x86_64 host */

typedef struct VmemTestVM {
    QTestState *qts;
    QGuestAllocator *alloc;
    QVirtioMem *vm;
    QVirtioMemConfig cfg;
    char *file;                   /* memory-backend-file's file, or NULL */
    char *log;                    /* the guest-error log */
} VmemTestVM;

/* Start a VM with backend @backend (an -object without id) and a
 * virtio-mem-device "vm0" with @dev_opts, then initialise the driver. */
static void vmt_start_ex(VmemTestVM *v, uint64_t maxmem, const char *backend,
                        const char *dev_opts, bool driver)
{
    g_autofree char *log_args = NULL;

    memset(v, 0, sizeof(*v));
    log_args = qos_guest_log_args(&v->log);
    v->qts = qtest_initf("-machine microvm -m 512M,maxmem=%" PRIu64
                         " -object %s,id=mem0 -device virtio-mem-device,"
                         "id=vm0,memdev=mem0%s%s %s", maxmem, backend,
                         *dev_opts ? "," : "", dev_opts, log_args);
    v->alloc = guest_alloc_new(1 * MiB, RAM_SIZE);
    if (driver) {
        v->vm = qvirtio_mem_init(v->qts, v->alloc, 0);
        qvirtio_mem_read_config(v->vm, &v->cfg);
    }
}

static void vmt_start(VmemTestVM *v, const char *backend, const char *dev_opts)
{
    vmt_start_ex(v, 4 * GiB, backend, dev_opts, true);
}

static void vmt_stop(VmemTestVM *v)
{
    qvirtio_mem_free(v->vm);
    guest_alloc_destroy(v->alloc);
    qtest_quit(v->qts);
    if (v->file) {
        unlink(v->file);
        g_free(v->file);
    }
    unlink(v->log);
    g_free(v->log);
}

/* Guest address of block @i of the device. */
static uint64_t blk(VmemTestVM *v, uint64_t i)
{
    return v->cfg.addr + i * v->cfg.block_size;
}

static QVirtioMemConfig *config(VmemTestVM *v)
{
    qvirtio_mem_read_config(v->vm, &v->cfg);
    return &v->cfg;
}

static uint16_t state_of(VmemTestVM *v, uint64_t first, uint16_t nb)
{
    uint16_t state = 0xffff;

    g_assert_cmpuint(qvirtio_mem_state(v->vm, blk(v, first), nb, &state),
                     ==, VIRTIO_MEM_RESP_ACK);
    return state;
}

/* ------------------------------------------------------------------ QMP */

static JsonNode *qom_get(QTestState *qts, const char *prop)
{
    return qtest_qmp_assert_success_ref(qts, "{\"execute\": \"qom-get\", "
                                        "\"arguments\": {\"path\": \"vm0\", "
                                        "\"property\": \"%s\"}}", prop);
}

static uint64_t qom_get_u64(QTestState *qts, const char *prop)
{
    JsonNode *n = qom_get(qts, prop);
    uint64_t v = json_node_get_int(n);

    json_node_unref(n);
    return v;
}

static void qom_set_u64(QTestState *qts, const char *prop, uint64_t value)
{
    qtest_qmp_assert_success(qts, "{\"execute\": \"qom-set\", \"arguments\":"
                             " {\"path\": \"vm0\", \"property\": \"%s\", "
                             "\"value\": %" PRIu64 "}}", prop, value);
}

static char *qom_set_error(QTestState *qts, const char *prop,
                           const char *json_value)
{
    return qtest_qmp_expect_error(qts, "GenericError",
                                  "{\"execute\": \"qom-set\", \"arguments\":"
                                  " {\"path\": \"vm0\", \"property\": \"%s\","
                                  " \"value\": %s}}", prop, json_value);
}

/* The "data" of the first query-memory-devices entry. */
static JsonObject *memory_device_info(QTestState *qts, guint index)
{
    JsonNode *ret = qtest_qmp_assert_success_ref(
        qts, "{\"execute\": \"query-memory-devices\"}");
    JsonArray *a = json_node_get_array(ret);
    JsonObject *entry, *data;

    g_assert_cmpuint(json_array_get_length(a), >, index);
    entry = json_array_get_object_element(a, index);
    g_assert_cmpstr(json_object_get_string_member(entry, "type"), ==,
                    "virtio-mem");
    data = json_object_ref(json_object_get_object_member(entry, "data"));
    json_node_unref(ret);
    return data;
}

static void system_reset(QTestState *qts)
{
    qtest_qmp_assert_success(qts, "{\"execute\": \"system_reset\"}");
    qtest_qmp_eventwait(qts, "RESET");
}

/* ---------------------------------------------------------- config */

static void test_config_initial(void)
{
    VmemTestVM v;
    JsonObject *info;

    vmt_start(&v, "memory-backend-ram,size=1G", "requested-size=128M");
    g_assert_cmphex(v.cfg.block_size, ==, BLOCK);
    g_assert_cmpuint(v.cfg.node_id, ==, 0);
    g_assert_cmphex(v.cfg.addr, ==, DEVMEM_BASE);
    g_assert_cmphex(v.cfg.region_size, ==, 1 * GiB);
    /* requested + 256 MiB, capped at the region */
    g_assert_cmphex(v.cfg.usable_region_size, ==, 384 * MiB);
    g_assert_cmphex(v.cfg.plugged_size, ==, 0);
    g_assert_cmphex(v.cfg.requested_size, ==, 128 * MiB);
    /* Reads past the 56 bytes of config space return all ones. */
    g_assert_cmphex(qvirtio_config_read32(v.vm->dev, 56), ==, 0xffffffff);

    g_assert_cmphex(qom_get_u64(v.qts, "memaddr"), ==, DEVMEM_BASE);
    g_assert_cmphex(qom_get_u64(v.qts, "block-size"), ==, BLOCK);
    g_assert_cmphex(qom_get_u64(v.qts, "requested-size"), ==, 128 * MiB);
    g_assert_cmphex(qom_get_u64(v.qts, "size"), ==, 0);
    g_assert_cmphex(qom_get_u64(v.qts, "node"), ==, 0);

    info = memory_device_info(v.qts, 0);
    g_assert_cmpstr(json_object_get_string_member(info, "id"), ==, "vm0");
    g_assert_cmphex(json_object_get_int_member(info, "memaddr"), ==,
                    DEVMEM_BASE);
    g_assert_cmphex(json_object_get_int_member(info, "requested-size"), ==,
                    128 * MiB);
    g_assert_cmphex(json_object_get_int_member(info, "size"), ==, 0);
    g_assert_cmphex(json_object_get_int_member(info, "max-size"), ==,
                    1 * GiB);
    g_assert_cmphex(json_object_get_int_member(info, "block-size"), ==,
                    BLOCK);
    g_assert_cmpint(json_object_get_int_member(info, "node"), ==, 0);
    g_assert_cmpstr(json_object_get_string_member(info, "memdev"), ==,
                    "/objects/mem0");
    json_object_unref(info);
    vmt_stop(&v);
}

/* --------------------------------------------------------- requests */

static void test_plug_and_state(void)
{
    VmemTestVM v;
    JsonObject *info;

    vmt_start(&v, "memory-backend-ram,size=1G", "requested-size=128M");
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 2), 4), ==,
                     VIRTIO_MEM_RESP_ACK);
    g_assert_cmphex(config(&v)->plugged_size, ==, 4 * BLOCK);
    g_assert_cmphex(v.cfg.usable_region_size, ==, 384 * MiB);
    g_assert_cmpuint(state_of(&v, 2, 4), ==, VIRTIO_MEM_STATE_PLUGGED);
    g_assert_cmpuint(state_of(&v, 3, 1), ==, VIRTIO_MEM_STATE_PLUGGED);
    g_assert_cmpuint(state_of(&v, 0, 2), ==, VIRTIO_MEM_STATE_UNPLUGGED);
    g_assert_cmpuint(state_of(&v, 1, 2), ==, VIRTIO_MEM_STATE_MIXED);
    g_assert_cmpuint(state_of(&v, 5, 3), ==, VIRTIO_MEM_STATE_MIXED);
    g_assert_cmpuint(state_of(&v, 6, 100), ==, VIRTIO_MEM_STATE_UNPLUGGED);
    g_assert_cmphex(qom_get_u64(v.qts, "size"), ==, 4 * BLOCK);
    info = memory_device_info(v.qts, 0);
    g_assert_cmphex(json_object_get_int_member(info, "size"), ==, 4 * BLOCK);
    json_object_unref(info);
    vmt_stop(&v);
}

/* Every malformed range gets ERROR and changes nothing. */
static void test_errors(void)
{
    VmemTestVM v;
    uint16_t state;
    const uint64_t usable_blocks = 384 * MiB / BLOCK;
    const struct {
        uint64_t addr;
        uint16_t nb;
    } bad[] = {
        { DEVMEM_BASE + 4096, 1 },              /* unaligned */
        { DEVMEM_BASE + BLOCK, 0 },             /* no blocks */
        { DEVMEM_BASE - BLOCK, 1 },             /* below the region */
        { DEVMEM_BASE - BLOCK, 2 },             /* starts below */
        { DEVMEM_BASE + usable_blocks * BLOCK, 1 },     /* past usable */
        { DEVMEM_BASE + (usable_blocks - 1) * BLOCK, 2 }, /* crosses end */
        { 0xffffffffffe00000ULL, 2 },           /* wraps past 2^64 */
        { 0, 1 },                               /* nowhere near */
    };

    vmt_start(&v, "memory-backend-ram,size=1G", "requested-size=1G");
    g_assert_cmphex(v.cfg.usable_region_size, ==, 1 * GiB);
    qom_set_u64(v.qts, "requested-size", 128 * MiB);    /* no shrink */
    g_assert_cmphex(config(&v)->usable_region_size, ==, 1 * GiB);
    vmt_stop(&v);

    vmt_start(&v, "memory-backend-ram,size=1G", "requested-size=128M");
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 10), 2), ==,
                     VIRTIO_MEM_RESP_ACK);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_cmpuint(qvirtio_mem_plug(v.vm, bad[i].addr, bad[i].nb), ==,
                         VIRTIO_MEM_RESP_ERROR);
        g_assert_cmpuint(qvirtio_mem_unplug(v.vm, bad[i].addr, bad[i].nb),
                         ==, VIRTIO_MEM_RESP_ERROR);
        g_assert_cmpuint(qvirtio_mem_state(v.vm, bad[i].addr, bad[i].nb,
                                           &state), ==,
                         VIRTIO_MEM_RESP_ERROR);
    }
    /* PLUG over any plugged block, UNPLUG over any unplugged block. */
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 10), 1), ==,
                     VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 9), 2), ==,
                     VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 11), 5), ==,
                     VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpuint(qvirtio_mem_unplug(v.vm, blk(&v, 12), 1), ==,
                     VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpuint(qvirtio_mem_unplug(v.vm, blk(&v, 9), 3), ==,
                     VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpuint(qvirtio_mem_unplug(v.vm, blk(&v, 11), 2), ==,
                     VIRTIO_MEM_RESP_ERROR);
    /* Nothing changed. */
    g_assert_cmphex(config(&v)->plugged_size, ==, 2 * BLOCK);
    g_assert_cmpuint(state_of(&v, 10, 2), ==, VIRTIO_MEM_STATE_PLUGGED);
    g_assert_cmpuint(state_of(&v, 9, 1), ==, VIRTIO_MEM_STATE_UNPLUGGED);
    g_assert_cmpuint(state_of(&v, 12, 1), ==, VIRTIO_MEM_STATE_UNPLUGGED);
    g_assert_false(qvirtio_needs_reset(v.vm->dev));
    vmt_stop(&v);
}

/* NACK once plugged + size would pass requested-size; ERROR first. */
static void test_nack(void)
{
    VmemTestVM v;

    vmt_start(&v, "memory-backend-ram,size=1G", "requested-size=16M");
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 0), 9), ==,
                     VIRTIO_MEM_RESP_NACK);
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 0), 8), ==,
                     VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 8), 1), ==,
                     VIRTIO_MEM_RESP_NACK);
    /* An invalid range is ERROR even when it would also be too much. */
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 8) + 4096, 1), ==,
                     VIRTIO_MEM_RESP_ERROR);
    /* A plugged range is checked after the size: NACK, not ERROR. */
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 0), 1), ==,
                     VIRTIO_MEM_RESP_NACK);
    g_assert_cmphex(config(&v)->plugged_size, ==, 16 * MiB);
    /* Growing requested-size lets more in. */
    qom_set_u64(v.qts, "requested-size", 18 * MiB);
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 8), 1), ==,
                     VIRTIO_MEM_RESP_ACK);
    /* Shrinking it below plugged: plug NACKs, unplug still works. */
    qom_set_u64(v.qts, "requested-size", 4 * MiB);
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 9), 1), ==,
                     VIRTIO_MEM_RESP_NACK);
    g_assert_cmpuint(qvirtio_mem_unplug(v.vm, blk(&v, 0), 7), ==,
                     VIRTIO_MEM_RESP_ACK);
    g_assert_cmphex(config(&v)->plugged_size, ==, 2 * BLOCK);
    vmt_stop(&v);
}

static void test_unplug_and_unplug_all(void)
{
    VmemTestVM v;

    vmt_start(&v, "memory-backend-ram,size=1G", "requested-size=512M");
    /* Nothing plugged: ACK, twice. */
    g_assert_cmpuint(qvirtio_mem_unplug_all(v.vm), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(qvirtio_mem_unplug_all(v.vm), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmphex(config(&v)->plugged_size, ==, 0);

    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 0), 4), ==,
                     VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 100), 3), ==,
                     VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(qvirtio_mem_unplug(v.vm, blk(&v, 1), 2), ==,
                     VIRTIO_MEM_RESP_ACK);
    g_assert_cmphex(config(&v)->plugged_size, ==, 5 * BLOCK);
    g_assert_cmpuint(state_of(&v, 0, 1), ==, VIRTIO_MEM_STATE_PLUGGED);
    g_assert_cmpuint(state_of(&v, 1, 2), ==, VIRTIO_MEM_STATE_UNPLUGGED);
    g_assert_cmpuint(state_of(&v, 3, 1), ==, VIRTIO_MEM_STATE_PLUGGED);

    g_assert_cmpuint(qvirtio_mem_unplug_all(v.vm), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmphex(config(&v)->plugged_size, ==, 0);
    g_assert_cmpuint(state_of(&v, 0, 200), ==, VIRTIO_MEM_STATE_UNPLUGGED);
    g_assert_cmpuint(qvirtio_mem_unplug_all(v.vm), ==, VIRTIO_MEM_RESP_ACK);
    vmt_stop(&v);
}

/* requested-size moves the usable region: grows at once, shrinks only
 * when everything is unplugged. */
static void test_usable_region(void)
{
    VmemTestVM v;
    uint32_t gen;

    vmt_start(&v, "memory-backend-ram,size=1G", "");
    g_assert_cmphex(v.cfg.requested_size, ==, 0);
    g_assert_cmphex(v.cfg.usable_region_size, ==, 0);
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 0), 1), ==,
                     VIRTIO_MEM_RESP_ERROR);

    gen = qvirtio_config_generation(v.vm->dev);
    qom_set_u64(v.qts, "requested-size", 100 * MiB);
    g_assert_cmpuint(qvirtio_config_generation(v.vm->dev), !=, gen);
    g_assert_cmphex(config(&v)->usable_region_size, ==, 356 * MiB);
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 177), 1), ==,
                     VIRTIO_MEM_RESP_ACK);     /* the last usable block */
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 178), 1), ==,
                     VIRTIO_MEM_RESP_ERROR);

    qom_set_u64(v.qts, "requested-size", 900 * MiB);
    g_assert_cmphex(config(&v)->usable_region_size, ==, 1 * GiB);
    qom_set_u64(v.qts, "requested-size", 10 * MiB);
    g_assert_cmphex(config(&v)->usable_region_size, ==, 1 * GiB);
    g_assert_cmphex(v.cfg.requested_size, ==, 10 * MiB);

    g_assert_cmpuint(qvirtio_mem_unplug_all(v.vm), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmphex(config(&v)->usable_region_size, ==, 266 * MiB);
    qom_set_u64(v.qts, "requested-size", 0);
    g_assert_cmphex(config(&v)->usable_region_size, ==, 266 * MiB);
    g_assert_cmpuint(qvirtio_mem_unplug_all(v.vm), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmphex(config(&v)->usable_region_size, ==, 0);
    vmt_stop(&v);
}

/* ------------------------------------------------------------- QOM */

static void test_qom_errors(void)
{
    VmemTestVM v;
    char *msg;

    vmt_start(&v, "memory-backend-ram,size=1G", "requested-size=64M");
    msg = qom_set_error(v.qts, "requested-size", "3145728");
    g_assert_cmpstr(msg, ==, "'requested-size' has to be multiples of "
                    "'block-size' (0x200000)");
    g_free(msg);
    msg = qom_set_error(v.qts, "requested-size", "2147483648");
    g_assert_cmpstr(msg, ==, "'requested-size' cannot exceed the memory "
                    "backend size(0x40000000)");
    g_free(msg);
    msg = qom_set_error(v.qts, "block-size", "4194304");
    g_assert_cmpstr(msg, ==, "'block-size' cannot be changed");
    g_free(msg);
    msg = qom_set_error(v.qts, "memaddr", "8589934592");
    g_assert_cmpstr(msg, ==, "Attempt to set property 'memaddr' on device "
                    "'vm0' (type 'virtio-mem-device') after it was realized");
    g_free(msg);
    g_free(qom_set_error(v.qts, "size", "2097152"));
    g_free(qom_set_error(v.qts, "memdev", "\"mem0\""));
    /* Nothing changed. */
    g_assert_cmphex(config(&v)->requested_size, ==, 64 * MiB);
    g_assert_cmphex(qom_get_u64(v.qts, "block-size"), ==, BLOCK);
    g_assert_cmphex(qom_get_u64(v.qts, "memaddr"), ==, DEVMEM_BASE);
    vmt_stop(&v);
}

/* ------------------------------------------- interrupts and events */

static void test_config_interrupt(void)
{
    VmemTestVM v;
    uint32_t gen;

    vmt_start(&v, "memory-backend-ram,size=1G", "requested-size=64M");
    qtest_irq_intercept_in(v.qts, "ioapic");
    g_assert_cmpint(v.vm->dev->irq, ==, QVIRTIO_MMIO_IRQ_BASE);
    g_assert_false(qvirtio_irq_raised(v.vm->dev));
    gen = qvirtio_config_generation(v.vm->dev);

    qom_set_u64(v.qts, "requested-size", 128 * MiB);
    g_assert_cmphex(qvirtio_isr(v.vm->dev), ==, VIRTIO_MMIO_INT_CONFIG);
    g_assert_true(qvirtio_irq_raised(v.vm->dev));
    g_assert_cmpuint(qvirtio_config_generation(v.vm->dev), !=, gen);
    qvirtio_isr_ack(v.vm->dev, VIRTIO_MMIO_INT_CONFIG);
    g_assert_cmphex(qvirtio_isr(v.vm->dev), ==, 0);
    g_assert_false(qvirtio_irq_raised(v.vm->dev));

    /* Always notified, even without a change (as QEMU). */
    qom_set_u64(v.qts, "requested-size", 128 * MiB);
    g_assert_true(qvirtio_irq_raised(v.vm->dev));
    qvirtio_isr_ack(v.vm->dev, VIRTIO_MMIO_INT_CONFIG);

    /* Before DRIVER_OK: the generation moves, no interrupt. */
    qvirtio_reset(v.vm->dev);
    gen = qvirtio_config_generation(v.vm->dev);
    qom_set_u64(v.qts, "requested-size", 256 * MiB);
    g_assert_cmpuint(qvirtio_config_generation(v.vm->dev), !=, gen);
    g_assert_cmphex(qvirtio_isr(v.vm->dev), ==, 0);
    g_assert_false(qvirtio_irq_raised(v.vm->dev));
    vmt_stop(&v);
}

/*
 * A MEMORY_DEVICE_SIZE_CHANGE for vm0 must come reporting @size; events
 * of earlier changes that were still on their way are skipped.  The
 * monitor sends the event at most once a second per device, on the
 * virtual clock under qtest (as QEMU): step a second so a held-back
 * event goes out.
 */
static void check_size_event(QTestState *qts, uint64_t size)
{
    for (int tries = 0; tries < 8; tries++) {
        JsonObject *ev, *data;
        uint64_t got;

        qtest_clock_step(qts, 1000 * 1000 * 1000);
        ev = qtest_qmp_eventwait_ref(qts, "MEMORY_DEVICE_SIZE_CHANGE");
        data = json_object_get_object_member(ev, "data");
        g_assert_cmpstr(json_object_get_string_member(data, "id"), ==,
                        "vm0");
        g_assert_cmpstr(json_object_get_string_member(data, "qom-path"), ==,
                        "/machine/peripheral/vm0");
        got = json_object_get_int_member(data, "size");
        json_object_unref(ev);
        if (got == size) {
            return;
        }
    }
    g_error("no MEMORY_DEVICE_SIZE_CHANGE with size 0x%" PRIx64, size);
}

static void test_size_change_event(void)
{
    VmemTestVM v;

    vmt_start(&v, "memory-backend-ram,size=1G", "requested-size=64M");
    qtest_qmp_events_clear(v.qts);
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 0), 3), ==,
                     VIRTIO_MEM_RESP_ACK);
    check_size_event(v.qts, 3 * BLOCK);
    /* A refused request changes nothing and says nothing; the next
     * change is reported (possibly after the per-device rate limit). */
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 0), 1), ==,
                     VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpuint(qvirtio_mem_unplug_all(v.vm), ==, VIRTIO_MEM_RESP_ACK);
    check_size_event(v.qts, 0);
    vmt_stop(&v);
}

/* ------------------------------------------------------------ reset */

static void write_pattern(VmemTestVM *v, uint64_t addr, uint8_t c, size_t len)
{
    qtest_memset(v->qts, addr, c, len);
}

static void assert_bytes(VmemTestVM *v, uint64_t addr, uint8_t c, size_t len)
{
    g_autofree uint8_t *buf = g_malloc(len);

    qtest_memread(v->qts, addr, buf, len);
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != c) {
            g_error("byte 0x%" PRIx64 " is 0x%02x, expected 0x%02x",
                    addr + i, buf[i], c);
        }
    }
}

/* A virtio reset keeps plugged blocks (and their content). */
static void test_device_reset_keeps_plugged(void)
{
    VmemTestVM v;

    vmt_start(&v, "memory-backend-memfd,size=1G", "requested-size=64M");
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 4), 3), ==,
                     VIRTIO_MEM_RESP_ACK);
    write_pattern(&v, blk(&v, 5), 0x5a, 8192);
    qvirtio_mem_free(v.vm);             /* Status = 0 */
    v.vm = qvirtio_mem_init(v.qts, v.alloc, 0);
    g_assert_cmphex(config(&v)->plugged_size, ==, 3 * BLOCK);
    g_assert_cmpuint(state_of(&v, 4, 3), ==, VIRTIO_MEM_STATE_PLUGGED);
    assert_bytes(&v, blk(&v, 5), 0x5a, 8192);
    vmt_stop(&v);
}

/* A system reset unplugs everything, discards it, shrinks the region. */
static void test_system_reset_unplugs(void)
{
    VmemTestVM v;
    pid_t pid;

    vmt_start(&v, "memory-backend-memfd,size=1G", "requested-size=64M");
    pid = qtest_pid(v.qts);
    qom_set_u64(v.qts, "requested-size", 600 * MiB);
    qom_set_u64(v.qts, "requested-size", 64 * MiB);
    g_assert_cmphex(config(&v)->usable_region_size, ==, 856 * MiB);
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 0), 2), ==,
                     VIRTIO_MEM_RESP_ACK);
    write_pattern(&v, blk(&v, 0), 0xa5, 2 * BLOCK);
    g_assert_cmpuint(qos_memfd_allocated(pid, "memory-backend-memfd", 0), ==,
                     2 * BLOCK);
    qtest_qmp_events_clear(v.qts);

    system_reset(v.qts);
    check_size_event(v.qts, 0);
    g_assert_cmpuint(qos_memfd_allocated(pid, "memory-backend-memfd", 0), ==,
                     0);
    /* The transport was reset with the machine: a new driver probes. */
    g_assert_cmpuint(qvirtio_get_status(v.vm->dev), ==, 0);
    qvirtio_mem_free(v.vm);
    v.vm = qvirtio_mem_init(v.qts, v.alloc, 0);
    g_assert_cmphex(config(&v)->plugged_size, ==, 0);
    g_assert_cmphex(v.cfg.usable_region_size, ==, 320 * MiB);
    g_assert_cmpuint(state_of(&v, 0, 2), ==, VIRTIO_MEM_STATE_UNPLUGGED);
    /* Plugged again: zeros, not the old content. */
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 0), 2), ==,
                     VIRTIO_MEM_RESP_ACK);
    assert_bytes(&v, blk(&v, 0), 0, 2 * BLOCK);

    /* The guest's own reset (port 0xcf9) does the same. */
    qtest_outb(v.qts, 0xcf9, 0x04);
    qtest_qmp_eventwait(v.qts, "RESET");
    qvirtio_mem_free(v.vm);
    v.vm = qvirtio_mem_init(v.qts, v.alloc, 0);
    g_assert_cmphex(config(&v)->plugged_size, ==, 0);
    vmt_stop(&v);
}

/* ----------------------------------------------------- failures: BUSY */

static void test_busy_discard(void)
{
    VmemTestVM v;

    vmt_start(&v, "memory-backend-memfd,size=1G", "requested-size=64M");
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 0), 4), ==,
                     VIRTIO_MEM_RESP_ACK);
    write_pattern(&v, blk(&v, 1), 0x11, 4096);

    qom_set_u64(v.qts, "x-inject-discard-errors", 1);
    g_assert_cmpuint(qvirtio_mem_unplug(v.vm, blk(&v, 1), 1), ==,
                     VIRTIO_MEM_RESP_BUSY);
    g_assert_cmphex(config(&v)->plugged_size, ==, 4 * BLOCK);
    g_assert_cmpuint(state_of(&v, 0, 4), ==, VIRTIO_MEM_STATE_PLUGGED);
    assert_bytes(&v, blk(&v, 1), 0x11, 4096);

    qom_set_u64(v.qts, "x-inject-discard-errors", 1);
    g_assert_cmpuint(qvirtio_mem_unplug_all(v.vm), ==, VIRTIO_MEM_RESP_BUSY);
    g_assert_cmphex(config(&v)->plugged_size, ==, 4 * BLOCK);
    assert_bytes(&v, blk(&v, 1), 0x11, 4096);

    /* A system reset that cannot discard leaves the memory plugged. */
    qom_set_u64(v.qts, "x-inject-discard-errors", 1);
    system_reset(v.qts);
    qvirtio_mem_free(v.vm);
    v.vm = qvirtio_mem_init(v.qts, v.alloc, 0);
    g_assert_cmphex(config(&v)->plugged_size, ==, 4 * BLOCK);
    g_assert_cmpuint(state_of(&v, 0, 4), ==, VIRTIO_MEM_STATE_PLUGGED);

    /* Once the host cooperates again: fine. */
    g_assert_cmpuint(qvirtio_mem_unplug(v.vm, blk(&v, 1), 1), ==,
                     VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(qvirtio_mem_unplug_all(v.vm), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmphex(config(&v)->plugged_size, ==, 0);
    vmt_stop(&v);
}

static void test_busy_prealloc(void)
{
    VmemTestVM v;
    pid_t pid;

    vmt_start(&v, "memory-backend-memfd,size=1G",
             "requested-size=64M,prealloc=on");
    pid = qtest_pid(v.qts);
    /* prealloc=on populates on plug ... */
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 0), 2), ==,
                     VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(qos_memfd_allocated(pid, "memory-backend-memfd", 0), ==,
                     2 * BLOCK);
    /* ... and a failure rolls the plug back: BUSY, nothing allocated. */
    qom_set_u64(v.qts, "x-inject-prealloc-errors", 1);
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 4), 3), ==,
                     VIRTIO_MEM_RESP_BUSY);
    g_assert_cmphex(config(&v)->plugged_size, ==, 2 * BLOCK);
    g_assert_cmpuint(state_of(&v, 4, 3), ==, VIRTIO_MEM_STATE_UNPLUGGED);
    g_assert_cmpuint(qos_memfd_allocated(pid, "memory-backend-memfd", 0), ==,
                     2 * BLOCK);
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 4), 3), ==,
                     VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(qos_memfd_allocated(pid, "memory-backend-memfd", 0), ==,
                     5 * BLOCK);
    vmt_stop(&v);
}

static bool hugetlb_memfd_without_pages(void)
{
    g_autofree char *meminfo = NULL;
    const char *p;
    int fd = memfd_create("probe", MFD_HUGETLB | MFD_CLOEXEC);

    if (fd < 0) {
        return false;
    }
    close(fd);
    if (!g_file_get_contents("/proc/meminfo", &meminfo, NULL, NULL)) {
        return false;
    }
    p = strstr(meminfo, "HugePages_Free:");
    return p && strtoull(p + strlen("HugePages_Free:"), NULL, 10) == 0;
}

/* A real preallocation failure: hugetlb pages that do not exist. */
static void test_busy_prealloc_hugetlb(void)
{
    VmemTestVM v;

    if (!hugetlb_memfd_without_pages()) {
        g_test_skip("needs hugetlb memfds and no free huge pages");
        return;
    }
    vmt_start(&v, "memory-backend-memfd,size=1G,hugetlb=on,reserve=off",
             "requested-size=64M,prealloc=on");
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 0), 1), ==,
                     VIRTIO_MEM_RESP_BUSY);
    g_assert_cmphex(config(&v)->plugged_size, ==, 0);
    g_assert_cmpuint(state_of(&v, 0, 1), ==, VIRTIO_MEM_STATE_UNPLUGGED);
    vmt_stop(&v);
}

/* ----------------------------------------------- protocol violations */

/* Send one chain built from @bufs; the device must break without
 * answering or changing anything. */
static void expect_violation(VmemTestVM *v, const QVirtQueueBuf *bufs,
                             unsigned n, const char *message)
{
    uint32_t head, len;
    uint16_t used = qvirtqueue_used_idx(v->vm->vq);

    g_assert_cmpint(qvirtqueue_add(v->vm->vq, bufs, n), >=, 0);
    qvirtqueue_kick(v->vm->vq);
    g_assert_false(qvirtqueue_get_used(v->vm->vq, &head, &len));
    g_assert_true(qvirtio_needs_reset(v->vm->dev));
    qos_assert_logged(v->log, message);
    g_assert_cmphex(qvirtio_isr(v->vm->dev) & VIRTIO_MMIO_INT_CONFIG, ==,
                    VIRTIO_MMIO_INT_CONFIG);
    g_assert_cmphex(config(v)->plugged_size, ==, 0);
    /* Kicks are ignored until a reset. */
    qvirtio_mmio_writel(v->vm->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    g_assert_cmpuint(qvirtqueue_used_idx(v->vm->vq), ==, used);
    /* A fresh driver works. */
    qvirtio_mem_free(v->vm);
    v->vm = qvirtio_mem_init(v->qts, v->alloc, 0);
    g_assert_false(qvirtio_needs_reset(v->vm->dev));
    g_assert_cmpuint(qvirtio_mem_plug(v->vm, blk(v, 0), 1), ==,
                     VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(qvirtio_mem_unplug_all(v->vm), ==, VIRTIO_MEM_RESP_ACK);
}

static void write_req(VmemTestVM *v, uint64_t addr, uint16_t type, uint64_t gpa,
                      uint16_t nb)
{
    struct virtio_mem_req req = {
        .type = GUINT16_TO_LE(type),
        .addr = GUINT64_TO_LE(gpa),
        .nb_blocks = GUINT16_TO_LE(nb),
    };

    qtest_memwrite(v->qts, addr, &req, sizeof(req));
}

static void test_protocol_violations(void)
{
    VmemTestVM v;
    uint64_t req, resp;

    vmt_start(&v, "memory-backend-ram,size=1G", "requested-size=64M");
    req = guest_alloc(v.alloc, 64, 64);
    resp = guest_alloc(v.alloc, 64, 64);

    /* Request shorter than 24 bytes (a valid PLUG in its first 23). */
    write_req(&v, req, VIRTIO_MEM_REQ_PLUG, blk(&v, 0), 1);
    expect_violation(&v, (QVirtQueueBuf[]) { { req, 23, false },
                                             { resp, 10, true } }, 2,
                     "virtio-mem protocol violation: invalid request size: "
                     "23");
    /* Response buffer shorter than 10 bytes. */
    write_req(&v, req, VIRTIO_MEM_REQ_PLUG, blk(&v, 0), 1);
    expect_violation(&v, (QVirtQueueBuf[]) { { req, 24, false },
                                             { resp, 9, true } }, 2,
                     "virtio-mem protocol violation: not enough space for "
                     "response: 9");
    /* Wrong directions: the request writable, the response readable. */
    expect_violation(&v, (QVirtQueueBuf[]) { { req, 24, true },
                                             { resp, 10, true } }, 2,
                     "invalid request size: 0");
    expect_violation(&v, (QVirtQueueBuf[]) { { req, 24, false },
                                             { resp, 10, false } }, 2,
                     "not enough space for response: 0");
    /* Unknown request types. */
    write_req(&v, req, 4, blk(&v, 0), 1);
    expect_violation(&v, (QVirtQueueBuf[]) { { req, 24, false },
                                             { resp, 10, true } }, 2,
                     "virtio-mem protocol violation: unknown request type: "
                     "4");
    write_req(&v, req, 0xffff, blk(&v, 0), 1);
    expect_violation(&v, (QVirtQueueBuf[]) { { req, 24, false },
                                             { resp, 10, true } }, 2,
                     "unknown request type: 65535");

    /* Split over several descriptors is fine (24 = 10 + 14, 10 = 4 + 6). */
    write_req(&v, req, VIRTIO_MEM_REQ_PLUG, blk(&v, 0), 1);
    qtest_memset(v.qts, resp, 0xff, 16);
    g_assert_cmpint(qvirtqueue_add(v.vm->vq, (QVirtQueueBuf[]) {
                        { req, 10, false }, { req + 10, 14, false },
                        { resp, 4, true }, { resp + 4, 6, true } }, 4), >=, 0);
    qvirtqueue_kick(v.vm->vq);
    g_assert_true(qvirtqueue_wait_used(v.vm->vq, NULL, NULL));
    g_assert_cmpuint(qtest_readw(v.qts, resp), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmphex(config(&v)->plugged_size, ==, BLOCK);
    vmt_stop(&v);
}

/* The response written over the request it answers: the device read the
 * request (once) before writing. */
static void test_response_overlaps_request(void)
{
    VmemTestVM v;
    uint64_t buf;

    vmt_start(&v, "memory-backend-ram,size=1G", "requested-size=64M");
    buf = guest_alloc(v.alloc, 64, 64);
    write_req(&v, buf, VIRTIO_MEM_REQ_PLUG, blk(&v, 3), 2);
    g_assert_cmpint(qvirtqueue_add(v.vm->vq, (QVirtQueueBuf[]) {
                        { buf, 24, false }, { buf, 10, true } }, 2), >=, 0);
    qvirtqueue_kick(v.vm->vq);
    g_assert_true(qvirtqueue_wait_used(v.vm->vq, NULL, NULL));
    g_assert_cmpuint(qtest_readw(v.qts, buf), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(state_of(&v, 3, 2), ==, VIRTIO_MEM_STATE_PLUGGED);
    vmt_stop(&v);
}

/* --------------------------------------------------------- features */

static void test_unplugged_inaccessible(void)
{
    VmemTestVM v;
    const uint64_t ui = 1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE;
    const uint64_t v1 = 1ULL << VIRTIO_F_VERSION_1;

    vmt_start(&v, "memory-backend-ram,size=1G", "");
    g_assert_true(qvirtio_get_device_features(v.vm->dev) & ui);
    g_assert_false(qvirtio_negotiate_exact(v.vm->dev, v1));
    g_assert_true(qvirtio_negotiate_exact(v.vm->dev, v1 | ui));
    vmt_stop(&v);

    vmt_start(&v, "memory-backend-ram,size=1G", "unplugged-inaccessible=off");
    g_assert_false(qvirtio_get_device_features(v.vm->dev) & ui);
    g_assert_true(qvirtio_negotiate_exact(v.vm->dev, v1));
    g_assert_false(qvirtio_negotiate_exact(v.vm->dev, v1 | ui));
    vmt_stop(&v);

    /* auto: off only for private anonymous memory (shared zero page). */
    vmt_start(&v, "memory-backend-ram,size=1G", "unplugged-inaccessible=auto");
    g_assert_false(qvirtio_get_device_features(v.vm->dev) & ui);
    vmt_stop(&v);
    vmt_start(&v, "memory-backend-memfd,size=1G",
             "unplugged-inaccessible=auto");
    g_assert_true(qvirtio_get_device_features(v.vm->dev) & ui);
    vmt_stop(&v);
}

/* Requests as indirect descriptors: a whole queue's worth per kick. */
static void test_indirect_batch(void)
{
    VmemTestVM v;
    QVirtioMemReq reqs[1000];
    int slot;

    vmt_start_ex(&v, 4 * GiB, "memory-backend-ram,size=3G",
                "requested-size=3G", false);
    slot = qvirtio_mmio_find_slot(v.qts, VIRTIO_ID_MEM, 0);
    v.vm = qvirtio_mem_init_full(v.qts, v.alloc, slot,
                                 QVIRTIO_MEM_DEFAULT_FEATURES |
                                 (1ULL << VIRTIO_RING_F_INDIRECT_DESC), 1024);
    v.vm->use_indirect = true;
    qvirtio_mem_read_config(v.vm, &v.cfg);
    for (int i = 0; i < 1000; i++) {
        reqs[i] = (QVirtioMemReq) { .type = VIRTIO_MEM_REQ_PLUG,
                                    .addr = blk(&v, i), .nb_blocks = 1 };
    }
    qvirtio_mem_submit(v.vm, reqs, 1000);
    for (int i = 0; i < 1000; i++) {
        g_assert_cmpuint(reqs[i].resp, ==, VIRTIO_MEM_RESP_ACK);
    }
    g_assert_cmphex(config(&v)->plugged_size, ==, 1000 * BLOCK);
    vmt_stop(&v);
}

/* -------------------------------------- block sizes and backends */

static void test_block_size(gconstpointer opaque)
{
    const char *variant = opaque;
    VmemTestVM v;
    uint64_t bs;

    if (!strcmp(variant, "1G")) {
        vmt_start_ex(&v, 3 * GiB, "memory-backend-memfd,size=2G",
                    "block-size=1G,requested-size=1G", true);
        bs = 1 * GiB;
        g_assert_cmphex(v.cfg.usable_region_size, ==, 2 * GiB);
    } else if (!strcmp(variant, "1M")) {
        vmt_start(&v, "memory-backend-ram,size=64M",
                 "block-size=1M,requested-size=8M");
        bs = 1 * MiB;
        g_assert_cmphex(v.cfg.usable_region_size, ==, 64 * MiB);
    } else {
        vmt_start(&v, "memory-backend-ram,size=64M",
                 "block-size=2M,requested-size=8M");
        bs = 2 * MiB;
    }
    g_assert_cmphex(v.cfg.block_size, ==, bs);
    g_assert_cmphex(v.cfg.addr % bs, ==, 0);
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 0), 1), ==,
                     VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 0) + bs / 2, 1), ==,
                     VIRTIO_MEM_RESP_ERROR);
    g_assert_cmphex(config(&v)->plugged_size, ==, bs);
    write_pattern(&v, blk(&v, 0) + bs - 4096, 0x77, 4096);
    assert_bytes(&v, blk(&v, 0) + bs - 4096, 0x77, 4096);
    g_assert_cmpuint(qvirtio_mem_unplug(v.vm, blk(&v, 0), 1), ==,
                     VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 0), 1), ==,
                     VIRTIO_MEM_RESP_ACK);
    assert_bytes(&v, blk(&v, 0) + bs - 4096, 0, 4096);
    vmt_stop(&v);
}

/* Bytes the backend holds, or -1 where it cannot be measured. */
static int64_t backend_allocated(VmemTestVM *v, const char *kind)
{
    if (!strcmp(kind, "memfd")) {
        return qos_memfd_allocated(qtest_pid(v->qts), "memory-backend-memfd",
                                   0);
    }
    if (!strcmp(kind, "file")) {
        return qos_file_allocated(v->file);
    }
    return -1;
}

static void vmt_start_backend(VmemTestVM *v, const char *kind, const char *size,
                             const char *dev_opts)
{
    g_autofree char *backend = NULL;
    g_autofree char *file = NULL;

    if (!strcmp(kind, "file")) {
        file = g_strdup_printf("%s/vmem-%d.img", qtest_tmpdir(), getpid());
        backend = g_strdup_printf("memory-backend-file,size=%s,mem-path=%s,"
                                  "share=on", size, file);
    } else if (!strcmp(kind, "memfd")) {
        backend = g_strdup_printf("memory-backend-memfd,size=%s", size);
    } else {
        backend = g_strdup_printf("memory-backend-ram,size=%s", size);
    }
    vmt_start(v, backend, dev_opts);
    v->file = g_steal_pointer(&file);
}

/* Plug, write, unplug, replug: zeros; the backend gives memory back. */
static void test_backend(gconstpointer opaque)
{
    const char *kind = opaque;
    VmemTestVM v;

    vmt_start_backend(&v, kind, "1G", "requested-size=64M");
    if (backend_allocated(&v, kind) >= 0) {
        g_assert_cmpint(backend_allocated(&v, kind), ==, 0);
    }
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 0), 4), ==,
                     VIRTIO_MEM_RESP_ACK);
    write_pattern(&v, blk(&v, 1), 0xcc, BLOCK);
    write_pattern(&v, blk(&v, 3) + BLOCK - 4096, 0xdd, 4096);
    assert_bytes(&v, blk(&v, 1), 0xcc, BLOCK);
    if (backend_allocated(&v, kind) >= 0) {
        g_assert_cmpint(backend_allocated(&v, kind), ==, BLOCK + 4096);
    }
    g_assert_cmpuint(qvirtio_mem_unplug(v.vm, blk(&v, 1), 1), ==,
                     VIRTIO_MEM_RESP_ACK);
    if (backend_allocated(&v, kind) >= 0) {
        g_assert_cmpint(backend_allocated(&v, kind), ==, 4096);
    }
    /* Unplugged: reads zero without populating. */
    assert_bytes(&v, blk(&v, 1), 0, BLOCK);
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 1), 1), ==,
                     VIRTIO_MEM_RESP_ACK);
    assert_bytes(&v, blk(&v, 1), 0, BLOCK);
    assert_bytes(&v, blk(&v, 3) + BLOCK - 4096, 0xdd, 4096);
    g_assert_cmpuint(qvirtio_mem_unplug_all(v.vm), ==, VIRTIO_MEM_RESP_ACK);
    if (backend_allocated(&v, kind) >= 0) {
        g_assert_cmpint(backend_allocated(&v, kind), ==, 0);
    }
    vmt_stop(&v);
}

/* Guest access to unplugged blocks never populates host memory. */
static void test_unplugged_never_populated(gconstpointer opaque)
{
    const char *kind = opaque;
    VmemTestVM v;

    vmt_start_backend(&v, kind, "1G", "requested-size=64M");
    write_pattern(&v, blk(&v, 5), 0xee, 4096);
    write_pattern(&v, blk(&v, 8), 0xee, 8 * BLOCK);
    qtest_writeq(v.qts, blk(&v, 20), 0x1122334455667788ULL);
    assert_bytes(&v, blk(&v, 5), 0, 4096);
    assert_bytes(&v, blk(&v, 0), 0, 64 * MiB);
    g_assert_cmphex(qtest_readq(v.qts, blk(&v, 20)), ==, 0);
    g_assert_cmpint(backend_allocated(&v, kind), ==, 0);

    /* Plugging does not populate either; writing does, just that. */
    g_assert_cmpuint(qvirtio_mem_plug(v.vm, blk(&v, 5), 1), ==,
                     VIRTIO_MEM_RESP_ACK);
    g_assert_cmpint(backend_allocated(&v, kind), ==, 0);
    assert_bytes(&v, blk(&v, 5), 0, 4096);
    qtest_writeb(v.qts, blk(&v, 5) + 123, 1);
    g_assert_cmpint(backend_allocated(&v, kind), >, 0);
    g_assert_cmpint(backend_allocated(&v, kind), <=, 4096);
    vmt_stop(&v);
}

/* The case: 64 GiB memfd, 2 MiB blocks, 20,000 alternating PLUG
 * requests (every other block, then the odd ones): all ACKed, and the
 * memfd holds nothing until blocks are written.  The timing is the
 * benchmark's business (scripts/bench/virtio-mem-plug.sh). */
static void test_64g_alternating_no_allocation(void)
{
    VmemTestVM v;
    const size_t n = 20000;
    g_autofree uint64_t *addrs = g_new(uint64_t, n);
    uint64_t nblocks;
    pid_t pid;
    gint64 t0;

    vmt_start_ex(&v, 65 * GiB, "memory-backend-memfd,size=64G",
                "requested-size=64G", true);
    pid = qtest_pid(v.qts);
    nblocks = v.cfg.region_size / v.cfg.block_size;
    g_assert_cmphex(v.cfg.block_size, ==, BLOCK);
    g_assert_cmpuint(nblocks, ==, 32768);
    for (size_t i = 0; i < n; i++) {
        uint64_t b = 2 * i < nblocks ? 2 * i : 2 * i - nblocks + 1;

        addrs[i] = blk(&v, b);
    }
    t0 = g_get_monotonic_time();
    g_assert_cmpuint(qvirtio_mem_plug_ranges(v.vm, addrs, n, 1), ==, n);
    g_test_message("20000 alternating PLUGs: %.3f s",
                   (g_get_monotonic_time() - t0) / 1e6);
    g_assert_cmphex(config(&v)->plugged_size, ==, n * BLOCK);
    g_assert_cmpuint(qos_memfd_allocated(pid, "memory-backend-memfd", 0), ==,
                     0);
    g_assert_cmpuint(state_of(&v, 0, 1), ==, VIRTIO_MEM_STATE_PLUGGED);
    g_assert_cmpuint(state_of(&v, 0, 3), ==, VIRTIO_MEM_STATE_PLUGGED);
    g_assert_cmpuint(state_of(&v, 2 * (n - 16384) + 1, 2), ==,
                     VIRTIO_MEM_STATE_MIXED);

    /* Written blocks, and only those, get memory. */
    qtest_writeb(v.qts, blk(&v, 0), 1);
    qtest_writeb(v.qts, blk(&v, 1) + 7, 1);
    qtest_writeb(v.qts, blk(&v, 32766) + BLOCK - 1, 1);
    qtest_writeb(v.qts, blk(&v, 32767), 1);    /* unplugged: dropped */
    g_assert_cmpuint(qos_memfd_allocated(pid, "memory-backend-memfd", 0), >,
                     0);
    g_assert_cmpuint(qos_memfd_allocated(pid, "memory-backend-memfd", 0), <=,
                     3 * BLOCK);
    g_assert_cmpuint(qvirtio_mem_unplug_all(v.vm), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(qos_memfd_allocated(pid, "memory-backend-memfd", 0), ==,
                     0);
    vmt_stop(&v);
}

/* ------------------------------------------------- several devices */

static void test_two_devices(void)
{
    QTestState *qts;
    QGuestAllocator *alloc;
    QVirtioMem *a, *b;
    QVirtioMemConfig ca, cb;
    JsonNode *ret;

    qts = qtest_init("-machine microvm -m 512M,maxmem=4G "
                     "-object memory-backend-ram,id=m0,size=1G "
                     "-object memory-backend-memfd,id=m1,size=1G "
                     "-device virtio-mem-device,id=d0,memdev=m0,"
                     "requested-size=16M "
                     "-device virtio-mem-device,id=d1,memdev=m1,"
                     "requested-size=32M");
    alloc = guest_alloc_new(1 * MiB, RAM_SIZE);
    g_assert_cmpint(qvirtio_mmio_find_slot(qts, VIRTIO_ID_MEM, 0), ==, 0);
    g_assert_cmpint(qvirtio_mmio_find_slot(qts, VIRTIO_ID_MEM, 1), ==, 1);
    g_assert_cmpint(qvirtio_mmio_find_slot(qts, VIRTIO_ID_MEM, 2), ==, -1);
    a = qvirtio_mem_init(qts, alloc, 0);
    b = qvirtio_mem_init(qts, alloc, 1);
    g_assert_cmpint(b->dev->irq, ==, QVIRTIO_MMIO_IRQ_BASE + 1);
    qvirtio_mem_read_config(a, &ca);
    qvirtio_mem_read_config(b, &cb);
    g_assert_cmphex(ca.addr, ==, DEVMEM_BASE);
    g_assert_cmphex(cb.addr, ==, DEVMEM_BASE + 1 * GiB);
    g_assert_cmphex(ca.requested_size, ==, 16 * MiB);
    g_assert_cmphex(cb.requested_size, ==, 32 * MiB);
    /* Each answers for its own region only. */
    g_assert_cmpuint(qvirtio_mem_plug(a, cb.addr, 1), ==,
                     VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpuint(qvirtio_mem_plug(b, cb.addr, 1), ==,
                     VIRTIO_MEM_RESP_ACK);
    ret = qtest_qmp_assert_success_ref(qts, "{\"execute\": "
                                       "\"query-memory-devices\"}");
    g_assert_cmpuint(json_array_get_length(json_node_get_array(ret)), ==, 2);
    json_node_unref(ret);
    qvirtio_mem_free(a);
    qvirtio_mem_free(b);
    guest_alloc_destroy(alloc);
    qtest_quit(qts);
}

/* ------------------------------------------------------ command line */

/* Run the binary; it must exit 1 printing @needle, before any guest. */
static void expect_cli_error(const char *args, const char *needle)
{
    g_autofree char *cmd = g_strdup_printf("timeout -s KILL 30 %s -machine "
                                           "microvm -display none %s",
                                           qtest_get_binary(), args);
    g_autofree char *out = NULL, *err = NULL;
    int wstatus;

    g_assert_true(g_spawn_command_line_sync(cmd, &out, &err, &wstatus, NULL));
    g_assert_true(WIFEXITED(wstatus));
    g_assert_cmpint(WEXITSTATUS(wstatus), ==, 1);
    if (!strstr(err, needle)) {
        g_error("'%s' printed '%s', not '%s'", args, err, needle);
    }
}

static void test_cmdline_errors(void)
{
    const char *ram = "-m 512M,maxmem=4G -object "
                      "memory-backend-ram,id=mem0,size=1G ";
    g_autofree char *a = NULL;
    struct {
        const char *dev;
        const char *needle;
    } cases[] = {
        { "memdev=mem0,requested-size=3M",
          "'requested-size' property has to be multiples of 'block-size' "
          "(0x200000)" },
        { "memdev=mem0,requested-size=2G",
          "'requested-size' cannot exceed the memory backend size" },
        { "memdev=mem0,block-size=3M",
          "'block-size' property has to be a power of two" },
        { "memdev=mem0,block-size=512K",
          "'block-size' property has to be at least 0x100000" },
        { "memdev=mem0,memaddr=0x100001000",
          "'memaddr' property has to be multiples of 'block-size'" },
        { "memdev=mem0,node=1",
          "'node' property has value '1', which exceedsthe number of numa "
          "nodes: 1" },
        { "", "'memdev' property must be set" },
        { "memdev=nosuch", "Device 'nosuch' not found" },
        { "memdev=mem0,unplugged-inaccessible=off,dynamic-memslots=on",
          "'dynamic-memslots' property set to 'on' requires "
          "'unplugged-inaccessible' to be 'on'" },
        { "memdev=mem0,x-inject-discard-errors=1",
          "Unexpected error discarding RAM" },
        { "memdev=mem0,memaddr=0x200000000",
          "can't add memory device" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *args = g_strdup_printf("%s-device virtio-mem-device,"
                                                "%s", ram, cases[i].dev);

        expect_cli_error(args, cases[i].needle);
    }
    expect_cli_error("-m 512M -object memory-backend-ram,id=mem0,size=1G "
                     "-device virtio-mem-device,memdev=mem0",
                     "please specify the maxmem option");
    a = g_strdup_printf("%s-device virtio-mem-device,memdev=mem0 "
                        "-device virtio-mem-device,memdev=mem0", ram);
    expect_cli_error(a, "'memdev' property specifies a busy memdev: mem0");
    expect_cli_error("-m 512M,maxmem=4G -object memory-backend-ram,id=mem0,"
                     "size=1G,prealloc=on -device virtio-mem-device,"
                     "memdev=mem0", "specifies a memdev with preallocation "
                     "enabled: mem0. Instead, specify 'prealloc=on' for the "
                     "virtio-mem device.");
    if (hugetlb_memfd_without_pages()) {
        expect_cli_error("-m 512M,maxmem=4G -object memory-backend-memfd,"
                         "id=mem0,size=1G,hugetlb=on,reserve=off -device "
                         "virtio-mem-device,memdev=mem0,block-size=1M",
                         "'block-size' property has to be at least the page "
                         "size (0x200000)");
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-mem/config/initial", test_config_initial);
    g_test_add_func("/virtio-mem/plug/ack-and-state", test_plug_and_state);
    g_test_add_func("/virtio-mem/requests/error", test_errors);
    g_test_add_func("/virtio-mem/plug/nack", test_nack);
    g_test_add_func("/virtio-mem/unplug/unplug-all",
                   test_unplug_and_unplug_all);
    g_test_add_func("/virtio-mem/usable-region", test_usable_region);
    g_test_add_func("/virtio-mem/qom/errors", test_qom_errors);
    g_test_add_func("/virtio-mem/config-interrupt", test_config_interrupt);
    g_test_add_func("/virtio-mem/event/size-change", test_size_change_event);
    g_test_add_func("/virtio-mem/reset/device-keeps-plugged",
                   test_device_reset_keeps_plugged);
    g_test_add_func("/virtio-mem/reset/system-unplugs",
                   test_system_reset_unplugs);
    g_test_add_func("/virtio-mem/busy/discard", test_busy_discard);
    g_test_add_func("/virtio-mem/busy/prealloc", test_busy_prealloc);
    g_test_add_func("/virtio-mem/busy/prealloc-hugetlb",
                   test_busy_prealloc_hugetlb);
    g_test_add_func("/virtio-mem/protocol/violations",
                   test_protocol_violations);
    g_test_add_func("/virtio-mem/protocol/response-overlaps-request",
                   test_response_overlaps_request);
    g_test_add_func("/virtio-mem/features/unplugged-inaccessible",
                   test_unplugged_inaccessible);
    g_test_add_func("/virtio-mem/batch/indirect", test_indirect_batch);
    g_test_add_data_func("/virtio-mem/block-size/1M", "1M", test_block_size);
    g_test_add_data_func("/virtio-mem/block-size/2M", "2M", test_block_size);
    g_test_add_data_func("/virtio-mem/block-size/1G", "1G", test_block_size);
    g_test_add_data_func("/virtio-mem/backend/ram", "ram", test_backend);
    g_test_add_data_func("/virtio-mem/backend/memfd", "memfd", test_backend);
    g_test_add_data_func("/virtio-mem/backend/file", "file", test_backend);
    g_test_add_data_func("/virtio-mem/unplugged-never-populated/memfd",
                        "memfd", test_unplugged_never_populated);
    g_test_add_data_func("/virtio-mem/unplugged-never-populated/file",
                        "file", test_unplugged_never_populated);
    g_test_add_func("/virtio-mem/alloc/64g-20000-alternating-plugs",
                   test_64g_alternating_no_allocation);
    g_test_add_func("/virtio-mem/two-devices", test_two_devices);
    g_test_add_func("/virtio-mem/cmdline/errors", test_cmdline_errors);
    return g_test_run();
}
