/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-mmio-test.c: the virtio-mmio transport and the split virtqueue
 * core, with virtio-mem as the device behind them: the 24 transports of
 * microvm (empty ones read DeviceID 0; the device tree lists occupied
 * ones), the register map, feature negotiation and the status rules, the
 * interrupt line and its suppression, and every Virtqueue row of
 * bad-inputs.md: bad queue sizes and ring addresses, registers rewritten
 * while live, kicks that make no sense, and hostile descriptor chains.
 * Each hostile chain must break the device (DEVICE_NEEDS_RESET) without
 * an answer, without touching anything it points at, and a reset must
 * bring it back.
 *
 * The device serves a kick before the qtest write returns, so a driver
 * cannot change memory while the device looks at it; what can be checked
 * from outside is that buffers overlapping the rings and tables the
 * device already read do not change its behaviour.
 */
#include <inttypes.h>
#include <libfdt.h>
#include "libqos/guest-log.h"
#include "libqos/host-mem.h"
#include "libqos/virtio-mem.h"
#include "qemu/units.h"

#define RAM_END (512 * MiB)
#define VMEM_BASE (4 * GiB)
#define BLOCK (2 * MiB)
#define BIOS_ROM 0xfffc0000ULL      /* the 256 KiB firmware ROM */
#define NUM 8                       /* queue size of the hostile tests */

#define F_V1   (1ULL << VIRTIO_F_VERSION_1)
#define F_UI   (1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE)
#define F_IND  (1ULL << VIRTIO_RING_F_INDIRECT_DESC)
#define F_EVT  (1ULL << VIRTIO_RING_F_EVENT_IDX)

typedef struct Fixture {
    QTestState *qts;
    char *log;                      /* the guest-error log (-D) */
    QGuestAllocator *alloc;
    QVirtioMMIODevice *d;
    uint64_t desc, avail, used;     /* rings of the raw queue */
    uint16_t avail_idx;
    uint64_t req, resp;             /* a request and its response slot */
} Fixture;

static void fixture_start(Fixture *f, const char *extra)
{
    g_autofree char *log_args = NULL;

    memset(f, 0, sizeof(*f));
    log_args = qos_guest_log_args(&f->log);
    f->qts = qtest_initf("-machine microvm -m 512M,maxmem=4G "
                         "-object memory-backend-memfd,id=mem0,size=1G "
                         "-device virtio-mem-device,id=vm0,memdev=mem0,"
                         "requested-size=64M %s %s", log_args,
                         extra ? extra : "");
    f->alloc = guest_alloc_new(1 * MiB, RAM_END);
    f->d = qvirtio_mmio_new(f->qts, 0);
    f->req = guest_alloc(f->alloc, 64, 64);
    f->resp = guest_alloc(f->alloc, 64, 64);
}

static void fixture_stop(Fixture *f)
{
    g_free(f->d);
    guest_alloc_destroy(f->alloc);
    qtest_quit(f->qts);
    unlink(f->log);
    g_free(f->log);
}

/* The guest-error log must mention @needle. */
static void assert_logged(Fixture *f, const char *needle)
{
    qos_assert_logged(f->log, needle);
}

/* Queue 0 with @num entries at the given rings; true if QueueReady is 1. */
static bool queue_setup_at(Fixture *f, uint32_t num, uint64_t desc,
                           uint64_t avail, uint64_t used)
{
    QVirtioMMIODevice *d = f->d;

    qvirtio_mmio_writel(d, VIRTIO_MMIO_QUEUE_SEL, 0);
    if (num) {
        qvirtio_mmio_writel(d, VIRTIO_MMIO_QUEUE_NUM, num);
    }
    qvirtio_mmio_writel(d, VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
    qvirtio_mmio_writel(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, desc >> 32);
    qvirtio_mmio_writel(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, avail);
    qvirtio_mmio_writel(d, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, avail >> 32);
    qvirtio_mmio_writel(d, VIRTIO_MMIO_QUEUE_USED_LOW, used);
    qvirtio_mmio_writel(d, VIRTIO_MMIO_QUEUE_USED_HIGH, used >> 32);
    qvirtio_mmio_writel(d, VIRTIO_MMIO_QUEUE_READY, 1);
    return qvirtio_mmio_readl(d, VIRTIO_MMIO_QUEUE_READY);
}

/*
 * Negotiate @features, set up a raw queue of NUM entries (rings zeroed,
 * driver-written by the test itself), DRIVER_OK.
 */
static void live(Fixture *f, uint64_t features)
{
    g_assert_true(qvirtio_negotiate_exact(f->d, features));
    if (!f->desc) {
        f->desc = guest_alloc(f->alloc, 4096, 4096);
        f->avail = guest_alloc(f->alloc, 4096, 4096);
        f->used = guest_alloc(f->alloc, 4096, 4096);
    }
    qtest_memset(f->qts, f->desc, 0, 4096);
    qtest_memset(f->qts, f->avail, 0, 4096);
    qtest_memset(f->qts, f->used, 0, 4096);
    f->avail_idx = 0;
    g_assert_true(queue_setup_at(f, NUM, f->desc, f->avail, f->used));
    qvirtio_driver_ok(f->d);
}

static void put_desc(Fixture *f, uint64_t table, unsigned i, uint64_t addr,
                     uint32_t len, uint16_t flags, uint16_t next)
{
    struct vring_desc d = {
        .addr = GUINT64_TO_LE(addr), .len = GUINT32_TO_LE(len),
        .flags = GUINT16_TO_LE(flags), .next = GUINT16_TO_LE(next),
    };

    qtest_memwrite(f->qts, table + i * sizeof(d), &d, sizeof(d));
}

/* Publish @head with avail index @idx (may be anything) and kick. */
static void publish_raw(Fixture *f, uint16_t head, uint16_t idx)
{
    qtest_writew(f->qts, f->avail + 4 + (f->avail_idx % NUM) * 2, head);
    qtest_writew(f->qts, f->avail + 2, idx);
    f->avail_idx = idx;
    qvirtio_mmio_writel(f->d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

static void publish(Fixture *f, uint16_t head)
{
    publish_raw(f, head, f->avail_idx + 1);
}

static void write_plug(Fixture *f, uint64_t at, uint64_t gpa)
{
    struct virtio_mem_req req = {
        .type = GUINT16_TO_LE(VIRTIO_MEM_REQ_PLUG),
        .addr = GUINT64_TO_LE(gpa),
        .nb_blocks = GUINT16_TO_LE(1),
    };

    qtest_memwrite(f->qts, at, &req, sizeof(req));
}

static uint16_t used_idx(Fixture *f)
{
    return qtest_readw(f->qts, f->used + 2);
}

static uint64_t plugged_size(Fixture *f)
{
    return qvirtio_config_read64(f->d, offsetof(struct virtio_mem_config,
                                                plugged_size));
}

/* The normal chain: request (readable) then response (writable). */
static void put_good_chain(Fixture *f, unsigned first)
{
    put_desc(f, f->desc, first, f->req, 24, VRING_DESC_F_NEXT, first + 1);
    put_desc(f, f->desc, first + 1, f->resp, 10, VRING_DESC_F_WRITE, 0);
}

/*
 * After a hostile kick: the device is broken, answered nothing, changed
 * nothing; then it is reset and must serve a good request.
 */
static void expect_broken(Fixture *f, uint64_t features)
{
    g_assert_true(qvirtio_needs_reset(f->d));
    g_assert_cmpuint(used_idx(f), ==, 0);
    g_assert_cmphex(qvirtio_isr(f->d) & VIRTIO_MMIO_INT_CONFIG, ==,
                    VIRTIO_MMIO_INT_CONFIG);
    g_assert_cmphex(plugged_size(f), ==, 0);
    /* Kicks are ignored while broken. */
    qvirtio_mmio_writel(f->d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    g_assert_cmpuint(used_idx(f), ==, 0);

    live(f, features);
    g_assert_false(qvirtio_needs_reset(f->d));
    write_plug(f, f->req, VMEM_BASE);
    put_good_chain(f, 0);
    publish(f, 0);
    g_assert_cmpuint(used_idx(f), ==, 1);
    g_assert_cmpuint(qtest_readw(f->qts, f->resp), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmphex(plugged_size(f), ==, BLOCK);
    /* Unplug it again (through the same raw queue) for the next case. */
    write_plug(f, f->req, VMEM_BASE);
    qtest_writew(f->qts, f->req, VIRTIO_MEM_REQ_UNPLUG);
    put_good_chain(f, 0);
    publish(f, 0);
    g_assert_cmphex(plugged_size(f), ==, 0);
    live(f, features);
}

/* ------------------------------------------------------------ transports */

static void test_slots(void)
{
    QTestState *qts = qtest_init("-machine microvm -m 512M,maxmem=4G "
                                 "-object memory-backend-ram,id=m0,size=1G "
                                 "-device virtio-mem-device,memdev=m0");

    for (int slot = 0; slot < QVIRTIO_MMIO_SLOTS; slot++) {
        uint64_t base = QVIRTIO_MMIO_BASE + slot * QVIRTIO_MMIO_SIZE;

        g_assert_cmphex(qtest_readl(qts, base + VIRTIO_MMIO_MAGIC_VALUE), ==,
                        VIRTIO_MMIO_MAGIC);
        g_assert_cmphex(qtest_readl(qts, base + VIRTIO_MMIO_VERSION), ==, 2);
        g_assert_cmphex(qtest_readl(qts, base + VIRTIO_MMIO_VENDOR_ID), ==,
                        0x554d4551);
        g_assert_cmphex(qtest_readl(qts, base + VIRTIO_MMIO_DEVICE_ID), ==,
                        slot == 0 ? VIRTIO_ID_MEM : VIRTIO_ID_NONE);
        if (slot) {
            /* Empty: everything else reads 0, writes are ignored. */
            qtest_writel(qts, base + VIRTIO_MMIO_STATUS, 0xf);
            g_assert_cmphex(qtest_readl(qts, base + VIRTIO_MMIO_STATUS), ==,
                            0);
            g_assert_cmphex(qtest_readl(qts, base +
                                        VIRTIO_MMIO_DEVICE_FEATURES), ==, 0);
            g_assert_cmphex(qtest_readl(qts, base +
                                        VIRTIO_MMIO_QUEUE_NUM_MAX), ==, 0);
            qtest_writel(qts, base + VIRTIO_MMIO_QUEUE_NOTIFY, 0);
        }
    }
    /* Past the last transport there is nothing. */
    g_assert_cmphex(qtest_readl(qts, QVIRTIO_MMIO_BASE + QVIRTIO_MMIO_SLOTS *
                                QVIRTIO_MMIO_SIZE), ==, 0);
    g_assert_cmpint(qvirtio_mmio_find_slot(qts, VIRTIO_ID_NONE, 0), ==, 1);
    qtest_quit(qts);
}

/* The device tree lists occupied transports only, with their IRQ. */
static void test_dtb_lists_occupied(void)
{
    g_autofree char *path = g_strdup_printf("%s/vmmio-%d.dtb",
                                            qtest_tmpdir(), getpid());
    QTestState *qts = qtest_init("-machine microvm -m 512M,maxmem=4G "
                                 "-object memory-backend-ram,id=m0,size=1G "
                                 "-object memory-backend-ram,id=m1,size=1G "
                                 "-device virtio-mem-device,memdev=m0 "
                                 "-device virtio-mem-device,memdev=m1");
    g_autofree char *fdt = NULL;
    int node, count = 0;

    qtest_qmp_assert_success(qts, "{\"execute\": \"dumpdtb\", "
                             "\"arguments\": {\"filename\": \"%s\"}}", path);
    g_assert_true(g_file_get_contents(path, &fdt, NULL, NULL));
    unlink(path);
    for (node = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio");
         node >= 0;
         node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) {
        const void *reg_p = fdt_getprop(fdt, node, "reg", NULL);
        const void *irq_p = fdt_getprop(fdt, node, "interrupts", NULL);
        fdt64_t reg[2];     /* properties are only 4-byte aligned */
        fdt32_t irq;

        g_assert_nonnull(reg_p);
        g_assert_nonnull(irq_p);
        memcpy(reg, reg_p, sizeof(reg));
        memcpy(&irq, irq_p, sizeof(irq));
        g_assert_cmphex(fdt64_to_cpu(reg[0]), ==,
                        QVIRTIO_MMIO_BASE + count * QVIRTIO_MMIO_SIZE);
        g_assert_cmphex(fdt64_to_cpu(reg[1]), ==, QVIRTIO_MMIO_SIZE);
        g_assert_cmpuint(fdt32_to_cpu(irq), ==,
                         QVIRTIO_MMIO_IRQ_BASE + count);
        count++;
    }
    g_assert_cmpint(count, ==, 2);
    qtest_quit(qts);
}

static void test_registers(void)
{
    Fixture f;
    uint64_t feat;

    fixture_start(&f, NULL);
    g_assert_cmphex(qvirtio_mmio_readl(f.d, VIRTIO_MMIO_VERSION), ==, 2);
    feat = qvirtio_get_device_features(f.d);
    g_assert_cmphex(feat, ==, F_V1 | F_IND | F_EVT | F_UI);
    qvirtio_mmio_writel(f.d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
    g_assert_cmphex(qvirtio_mmio_readl(f.d, VIRTIO_MMIO_DEVICE_FEATURES), ==,
                    0);
    qvirtio_mmio_writel(f.d, VIRTIO_MMIO_QUEUE_SEL, 0);
    g_assert_cmpuint(qvirtio_mmio_readl(f.d, VIRTIO_MMIO_QUEUE_NUM_MAX), ==,
                     1024);
    g_assert_cmpuint(qvirtio_mmio_readl(f.d, VIRTIO_MMIO_QUEUE_READY), ==, 0);
    qvirtio_mmio_writel(f.d, VIRTIO_MMIO_QUEUE_SEL, 1);
    g_assert_cmpuint(qvirtio_mmio_readl(f.d, VIRTIO_MMIO_QUEUE_NUM_MAX), ==,
                     0);
    qvirtio_mmio_writel(f.d, VIRTIO_MMIO_QUEUE_SEL, 0xffffffff);
    g_assert_cmpuint(qvirtio_mmio_readl(f.d, VIRTIO_MMIO_QUEUE_NUM_MAX), ==,
                     0);
    qvirtio_mmio_writel(f.d, VIRTIO_MMIO_QUEUE_READY, 1);   /* no queue */
    g_assert_cmpuint(qvirtio_mmio_readl(f.d, VIRTIO_MMIO_QUEUE_READY), ==, 0);
    /* Write-only, legacy and unknown registers read 0; no shared memory. */
    g_assert_cmphex(qvirtio_mmio_readl(f.d, VIRTIO_MMIO_QUEUE_NOTIFY), ==, 0);
    g_assert_cmphex(qvirtio_mmio_readl(f.d, VIRTIO_MMIO_QUEUE_PFN), ==, 0);
    g_assert_cmphex(qvirtio_mmio_readl(f.d, VIRTIO_MMIO_QUEUE_RESET), ==, 0);
    g_assert_cmphex(qvirtio_mmio_readl(f.d, 0x0e8), ==, 0);
    g_assert_cmphex(qvirtio_mmio_readl(f.d, VIRTIO_MMIO_SHM_LEN_LOW), ==,
                    0xffffffff);
    g_assert_cmphex(qvirtio_mmio_readl(f.d, VIRTIO_MMIO_SHM_LEN_HIGH), ==,
                    0xffffffff);
    /* Registers are 32-bit: other widths read 0 and write nothing. */
    qvirtio_set_status(f.d, VIRTIO_CONFIG_S_ACKNOWLEDGE);
    g_assert_cmphex(qtest_readw(f.qts, f.d->base + VIRTIO_MMIO_STATUS), ==, 0);
    g_assert_cmphex(qtest_readb(f.qts, f.d->base + VIRTIO_MMIO_MAGIC_VALUE),
                    ==, 0);
    qtest_writeb(f.qts, f.d->base + VIRTIO_MMIO_STATUS, 0);
    g_assert_cmphex(qvirtio_get_status(f.d), ==, VIRTIO_CONFIG_S_ACKNOWLEDGE);
    /* Read-only registers ignore writes. */
    qvirtio_mmio_writel(f.d, VIRTIO_MMIO_DEVICE_ID, 7);
    qvirtio_mmio_writel(f.d, VIRTIO_MMIO_INTERRUPT_STATUS, 3);
    g_assert_cmphex(qvirtio_mmio_readl(f.d, VIRTIO_MMIO_DEVICE_ID), ==,
                    VIRTIO_ID_MEM);
    /* Configuration: any width; read-only; beyond the end all ones. */
    g_assert_cmphex(qvirtio_config_read8(f.d, 2), ==, 0x20); /* 2 MiB */
    g_assert_cmphex(qvirtio_config_read16(f.d, 2), ==, 0x20);
    g_assert_cmphex(qvirtio_config_read64(f.d, 0), ==, BLOCK);
    qtest_writel(f.qts, f.d->base + VIRTIO_MMIO_CONFIG, 0x1000);
    g_assert_cmphex(qvirtio_config_read64(f.d, 0), ==, BLOCK);
    g_assert_cmphex(qvirtio_config_read8(f.d, 56), ==, 0xff);
    g_assert_cmphex(qvirtio_config_read32(f.d, 0x100 - 4), ==, 0xffffffff);
    fixture_stop(&f);
}

static void test_features(void)
{
    Fixture f;

    fixture_start(&f, NULL);
    /* Refused: no VERSION_1; bits not offered (incl. beyond bit 63);
     * UNPLUGGED_INACCESSIBLE offered but not accepted. */
    g_assert_false(qvirtio_negotiate_exact(f.d, F_UI));
    g_assert_false(qvirtio_negotiate_exact(f.d, F_V1 | F_UI |
                                           (1ULL << VIRTIO_F_RING_PACKED)));
    g_assert_false(qvirtio_negotiate_exact(f.d, F_V1 | F_UI | (1ULL << 5)));
    g_assert_false(qvirtio_negotiate_exact(f.d, F_V1));
    g_assert_true(qvirtio_negotiate_exact(f.d, F_V1 | F_UI));
    /* A bank past 1. */
    qvirtio_reset(f.d);
    qvirtio_set_status(f.d, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                       VIRTIO_CONFIG_S_DRIVER);
    qvirtio_set_driver_features(f.d, F_V1 | F_UI);
    qvirtio_mmio_writel(f.d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2);
    qvirtio_mmio_writel(f.d, VIRTIO_MMIO_DRIVER_FEATURES, 1);
    qvirtio_set_status(f.d, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                       VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
    g_assert_false(qvirtio_get_status(f.d) & VIRTIO_CONFIG_S_FEATURES_OK);
    g_assert_false(qvirtio_needs_reset(f.d));

    /* After FEATURES_OK, DriverFeatures writes change nothing: the device
     * keeps working with what was negotiated. */
    live(&f, F_V1 | F_UI);
    qvirtio_set_driver_features(f.d, 0);
    write_plug(&f, f.req, VMEM_BASE);
    put_good_chain(&f, 0);
    publish(&f, 0);
    g_assert_cmpuint(used_idx(&f), ==, 1);
    g_assert_cmpuint(qtest_readw(f.qts, f.resp), ==, VIRTIO_MEM_RESP_ACK);
    fixture_stop(&f);
}

static void test_status_rules(void)
{
    Fixture f;
    const uint8_t ad = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

    fixture_start(&f, NULL);
    /* DRIVER_OK without FEATURES_OK. */
    qvirtio_reset(f.d);
    qvirtio_set_status(f.d, ad | VIRTIO_CONFIG_S_DRIVER_OK);
    g_assert_true(qvirtio_needs_reset(f.d));
    g_assert_false(qvirtio_get_status(f.d) & VIRTIO_CONFIG_S_DRIVER_OK);
    /* Nothing but a reset clears NEEDS_RESET. */
    g_assert_true(qvirtio_negotiate_exact(f.d, F_V1 | F_UI));
    g_assert_false(qvirtio_needs_reset(f.d));
    /* FEATURES_OK cleared after DRIVER_OK: broken, bits kept. */
    live(&f, F_V1 | F_UI);
    qvirtio_set_status(f.d, ad | VIRTIO_CONFIG_S_DRIVER_OK);
    g_assert_true(qvirtio_needs_reset(f.d));
    g_assert_true(qvirtio_get_status(f.d) & VIRTIO_CONFIG_S_FEATURES_OK);
    /* The driver cannot set NEEDS_RESET itself. */
    live(&f, F_V1 | F_UI);
    qvirtio_set_status(f.d, qvirtio_get_status(f.d) |
                       VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_false(qvirtio_needs_reset(f.d));
    /* Status = 0 resets the queue too. */
    qvirtio_reset(f.d);
    g_assert_cmpuint(qvirtio_mmio_readl(f.d, VIRTIO_MMIO_QUEUE_READY), ==, 0);
    fixture_stop(&f);
}

/* ----------------------------------------------------------------- queues */

static void test_queue_num(void)
{
    Fixture f;
    /* A used ring of 4 entries (38 bytes) ends exactly at the end of RAM;
     * one of 128 would not fit: QueueReady tells which size is in use. */
    const uint64_t used = RAM_END - 40;
    static const uint32_t bad[] = { 0, 3, 6, 2048, 32768, 65536,
                                    0xffffffff };

    fixture_start(&f, NULL);
    f.desc = guest_alloc(f.alloc, 4096, 4096);
    f.avail = guest_alloc(f.alloc, 4096, 4096);
    g_assert_true(qvirtio_negotiate_exact(f.d, F_V1 | F_UI));
    /* The default (128) does not fit. */
    g_assert_false(queue_setup_at(&f, 0, f.desc, f.avail, used));
    qvirtio_mmio_writel(f.d, VIRTIO_MMIO_QUEUE_NUM, 4);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        qvirtio_mmio_writel(f.d, VIRTIO_MMIO_QUEUE_NUM, bad[i]);
    }
    g_assert_true(queue_setup_at(&f, 0, f.desc, f.avail, used));
    fixture_stop(&f);
}

static void test_queue_addresses(void)
{
    Fixture f;
    uint64_t ok;
    struct {
        uint64_t desc, avail, used;
        const char *message;    /* what the refusal must say */
    } cases[12];
    size_t n = 0;

    fixture_start(&f, NULL);
    ok = guest_alloc(f.alloc, 3 * 4096, 4096);
#define CASE(d, a, u, m) \
    cases[n++] = (typeof(cases[0])) { d, a, u, m }
    CASE(ok + 8, ok + 4096, ok + 8192,
         "descriptor table address 0x%" PRIx64 " is not 16-byte aligned");
    CASE(ok, ok + 4097, ok + 8192,
         "available ring address 0x%" PRIx64 " is not 2-byte aligned");
    CASE(ok, ok + 4096, ok + 8194,
         "used ring address 0x%" PRIx64 " is not 4-byte aligned");
    /* On the transport's own registers. */
    CASE(QVIRTIO_MMIO_BASE, ok + 4096, ok + 8192,
         "cannot map descriptor table [0x%" PRIx64 ", +0x800)");
    CASE(ok, ok + 4096, QVIRTIO_MMIO_BASE,
         "cannot map used ring [0x%" PRIx64 ", +0x406)");
    /* Nothing mapped; wrapping past 2^64; ending beyond RAM. */
    CASE(0xf0000000ULL, ok + 4096, ok + 8192,
         "cannot map descriptor table [0x%" PRIx64 ", +0x800)");
    CASE(0xfffffffffffff000ULL, ok + 4096, ok + 8192,
         "cannot map descriptor table [0x%" PRIx64 ", +0x800)");
    CASE(RAM_END - 16, ok + 4096, ok + 8192,
         "cannot map descriptor table [0x%" PRIx64 ", +0x800)");
    /* The device writes the used ring: not in ROM. */
    CASE(ok, ok + 4096, BIOS_ROM,
         "cannot map used ring [0x%" PRIx64 ", +0x406): not populated "
         "writable RAM");
    /* Unplugged virtio-mem blocks. */
    CASE(ok, VMEM_BASE, ok + 8192,
         "cannot map available ring [0x%" PRIx64 ", +0x106)");
    CASE(ok, ok + 4096, VMEM_BASE + 4096,
         "cannot map used ring [0x%" PRIx64 ", +0x406)");
#undef CASE
    g_assert_true(qvirtio_negotiate_exact(f.d, F_V1 | F_UI));
    for (size_t i = 0; i < n; i++) {
        uint64_t bad = strstr(cases[i].message, "descriptor") ?
                       cases[i].desc : strstr(cases[i].message, "avail") ?
                       cases[i].avail : cases[i].used;
        g_autofree char *msg = g_strdup_printf(cases[i].message, bad);

        g_assert_false(queue_setup_at(&f, 128, cases[i].desc,
                                      cases[i].avail, cases[i].used));
        assert_logged(&f, msg);
    }
    /* The ROM can hold what the device only reads. */
    g_assert_true(queue_setup_at(&f, 128, BIOS_ROM, ok + 4096, ok + 8192));
    qvirtio_mmio_writel(f.d, VIRTIO_MMIO_QUEUE_READY, 0);
    g_assert_true(queue_setup_at(&f, 128, ok, ok + 4096, ok + 8192));
    fixture_stop(&f);
}

/* Queue registers written while the queue is live change nothing. */
static void test_queue_rewrite_while_ready(void)
{
    Fixture f;

    fixture_start(&f, NULL);
    live(&f, F_V1 | F_UI);
    qvirtio_mmio_writel(f.d, VIRTIO_MMIO_QUEUE_NUM, 2);
    qvirtio_mmio_writel(f.d, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x12345000);
    qvirtio_mmio_writel(f.d, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0xffffffff);
    qvirtio_mmio_writel(f.d, VIRTIO_MMIO_QUEUE_USED_LOW, 0);
    qvirtio_mmio_writel(f.d, VIRTIO_MMIO_QUEUE_READY, 1);
    write_plug(&f, f.req, VMEM_BASE);
    put_good_chain(&f, 0);
    publish(&f, 0);
    g_assert_cmpuint(used_idx(&f), ==, 1);
    g_assert_cmpuint(qtest_readw(f.qts, f.resp), ==, VIRTIO_MEM_RESP_ACK);
    /* QueueReady = 0 disables it: kicks do nothing. */
    qvirtio_mmio_writel(f.d, VIRTIO_MMIO_QUEUE_READY, 0);
    write_plug(&f, f.req, VMEM_BASE + BLOCK);
    publish(&f, 0);
    g_assert_cmpuint(used_idx(&f), ==, 1);
    g_assert_cmphex(plugged_size(&f), ==, BLOCK);
    fixture_stop(&f);
}

/* A ring that was fine when set up and then got unplugged under it. */
static void test_ring_unplugged_under_it(void)
{
    QTestState *qts = qtest_init("-machine microvm -m 512M,maxmem=4G "
                                 "-object memory-backend-memfd,id=m0,size=1G "
                                 "-object memory-backend-memfd,id=m1,size=1G "
                                 "-device virtio-mem-device,memdev=m0,"
                                 "requested-size=64M "
                                 "-device virtio-mem-device,memdev=m1,"
                                 "requested-size=64M");
    pid_t pid = qtest_pid(qts);
    QGuestAllocator *alloc = guest_alloc_new(1 * MiB, RAM_END);
    QGuestAllocator *in_block = guest_alloc_new(VMEM_BASE, VMEM_BASE + BLOCK);
    QVirtioMem *host = qvirtio_mem_init(qts, alloc, 0);
    QVirtioMem *tenant;

    /* Device 0 plugs its first block; device 1 puts its rings there. */
    g_assert_cmpuint(qvirtio_mem_plug(host, VMEM_BASE, 1), ==,
                     VIRTIO_MEM_RESP_ACK);
    tenant = qvirtio_mem_init_full(qts, in_block, 1, F_V1 | F_UI, 16);
    g_assert_cmpuint(qvirtio_mem_plug(tenant, VMEM_BASE + 1 * GiB, 1), ==,
                     VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(qos_memfd_allocated(pid, "memory-backend-memfd", 0), >,
                     0);
    g_assert_cmpuint(qvirtio_mem_unplug(host, VMEM_BASE, 1), ==,
                     VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(qos_memfd_allocated(pid, "memory-backend-memfd", 0), ==,
                     0);
    /* Its next kick finds no RAM: broken, and nothing populated again. */
    qvirtio_mmio_writel(tenant->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    g_assert_true(qvirtio_needs_reset(tenant->dev));
    g_assert_cmpuint(qos_memfd_allocated(pid, "memory-backend-memfd", 0), ==,
                     0);
    g_assert_cmpuint(qos_memfd_allocated(pid, "memory-backend-memfd", 1), ==,
                     0);
    qvirtio_mem_free(tenant);
    qvirtio_mem_free(host);
    guest_alloc_destroy(in_block);
    guest_alloc_destroy(alloc);
    qtest_quit(qts);
}

static void test_notify_bogus(void)
{
    Fixture f;
    static const uint32_t bad[] = { 1, 7, 8, 1024, 0xffffffff };

    fixture_start(&f, NULL);
    g_assert_true(qvirtio_negotiate_exact(f.d, F_V1 | F_UI));
    f.desc = guest_alloc(f.alloc, 4096, 4096);
    f.avail = guest_alloc(f.alloc, 4096, 4096);
    f.used = guest_alloc(f.alloc, 4096, 4096);
    /* Before the queue exists, and before DRIVER_OK: nothing happens. */
    qvirtio_mmio_writel(f.d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    g_assert_true(queue_setup_at(&f, NUM, f.desc, f.avail, f.used));
    write_plug(&f, f.req, VMEM_BASE);
    put_good_chain(&f, 0);
    publish(&f, 0);
    g_assert_cmpuint(used_idx(&f), ==, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        qvirtio_mmio_writel(f.d, VIRTIO_MMIO_QUEUE_NOTIFY, bad[i]);
    }
    g_assert_false(qvirtio_needs_reset(f.d));
    /* Once live, the pending request is served on the next kick. */
    qvirtio_driver_ok(f.d);
    qvirtio_mmio_writel(f.d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    g_assert_cmpuint(used_idx(&f), ==, 1);
    g_assert_cmphex(plugged_size(&f), ==, BLOCK);
    fixture_stop(&f);
}

/* 10^6 kicks, pipelined: each costs a read of the available index. */
static void test_notify_storm(void)
{
    Fixture f;
    const int total = 1000 * 1000, chunk = 20000;
    g_autofree char *line = NULL;
    g_autoptr(GString) burst = g_string_new("");
    gint64 t0;

    fixture_start(&f, NULL);
    live(&f, F_V1 | F_UI);
    line = g_strdup_printf("writel 0x%" PRIx64 " 0x0\n",
                           f.d->base + VIRTIO_MMIO_QUEUE_NOTIFY);
    for (int i = 0; i < chunk; i++) {
        g_string_append(burst, line);
    }
    t0 = g_get_monotonic_time();
    for (int sent = 0; sent < total; sent += chunk) {
        qtest_raw_send(f.qts, burst->str, burst->len);
        for (int i = 0; i < chunk; i++) {
            g_autofree char *reply = qtest_raw_reply(f.qts);

            g_assert_cmpstr(reply, ==, "OK");
        }
    }
    g_test_message("%d kicks: %.2f s", total,
                   (g_get_monotonic_time() - t0) / 1e6);
    g_assert_cmpuint(used_idx(&f), ==, 0);
    write_plug(&f, f.req, VMEM_BASE);
    put_good_chain(&f, 0);
    publish(&f, 0);
    g_assert_cmpuint(used_idx(&f), ==, 1);
    fixture_stop(&f);
}

/* ------------------------------------------------------------ interrupts */

static void test_used_interrupt(void)
{
    Fixture f;

    fixture_start(&f, NULL);
    qtest_irq_intercept_in(f.qts, "ioapic");
    live(&f, F_V1 | F_UI);
    g_assert_false(qvirtio_irq_raised(f.d));
    write_plug(&f, f.req, VMEM_BASE);
    put_good_chain(&f, 0);
    publish(&f, 0);
    g_assert_cmphex(qvirtio_isr(f.d), ==, VIRTIO_MMIO_INT_VRING);
    g_assert_true(qvirtio_irq_raised(f.d));
    qvirtio_isr_ack(f.d, VIRTIO_MMIO_INT_VRING);
    g_assert_false(qvirtio_irq_raised(f.d));

    /* VRING_AVAIL_F_NO_INTERRUPT: answered, no interrupt. */
    qtest_writew(f.qts, f.avail, VRING_AVAIL_F_NO_INTERRUPT);
    write_plug(&f, f.req, VMEM_BASE + BLOCK);
    publish(&f, 0);
    g_assert_cmpuint(used_idx(&f), ==, 2);
    g_assert_cmphex(qvirtio_isr(f.d), ==, 0);
    g_assert_false(qvirtio_irq_raised(f.d));

    /* A reset drops a raised line. */
    qtest_writew(f.qts, f.avail, 0);
    write_plug(&f, f.req, VMEM_BASE + 2 * BLOCK);
    publish(&f, 0);
    g_assert_true(qvirtio_irq_raised(f.d));
    qvirtio_reset(f.d);
    g_assert_false(qvirtio_irq_raised(f.d));
    g_assert_cmphex(qvirtio_isr(f.d), ==, 0);
    fixture_stop(&f);
}

static void test_event_idx(void)
{
    Fixture f;
    const uint64_t used_event = 4 + NUM * 2;    /* in the avail ring */

    fixture_start(&f, NULL);
    live(&f, F_V1 | F_UI | F_EVT);
    /* First used buffer: always told.  Then only at used_event. */
    write_plug(&f, f.req, VMEM_BASE);
    put_good_chain(&f, 0);
    qtest_writew(f.qts, f.avail + used_event, 2);
    publish(&f, 0);
    g_assert_cmphex(qvirtio_isr(f.d), ==, VIRTIO_MMIO_INT_VRING);
    /* The device tells where it read up to (avail_event). */
    g_assert_cmpuint(qtest_readw(f.qts, f.used + 4 + NUM * 8), ==, 1);
    qvirtio_isr_ack(f.d, VIRTIO_MMIO_INT_VRING);
    write_plug(&f, f.req, VMEM_BASE + BLOCK);   /* used idx 1 -> 2 */
    publish(&f, 0);
    g_assert_cmphex(qvirtio_isr(f.d), ==, 0);
    write_plug(&f, f.req, VMEM_BASE + 2 * BLOCK);   /* 2 -> 3 crosses 2 */
    publish(&f, 0);
    g_assert_cmphex(qvirtio_isr(f.d), ==, VIRTIO_MMIO_INT_VRING);
    g_assert_cmphex(plugged_size(&f), ==, 3 * BLOCK);
    fixture_stop(&f);
}

/* ------------------------------------------------------ hostile chains */

typedef void (*ChainFn)(Fixture *f);

static void chain_avail_jump(Fixture *f)
{
    write_plug(f, f->req, VMEM_BASE);
    put_good_chain(f, 0);
    publish_raw(f, 0, NUM + 1);
}

static void chain_head_out_of_range(Fixture *f)
{
    write_plug(f, f->req, VMEM_BASE);
    put_good_chain(f, 0);
    publish(f, NUM);
}

static void chain_next_out_of_range(Fixture *f)
{
    write_plug(f, f->req, VMEM_BASE);
    put_desc(f, f->desc, 0, f->req, 24, VRING_DESC_F_NEXT, NUM);
    publish(f, 0);
}

static void chain_self_loop(Fixture *f)
{
    write_plug(f, f->req, VMEM_BASE);
    put_desc(f, f->desc, 3, f->req, 24, VRING_DESC_F_NEXT, 3);
    publish(f, 3);
}

static void chain_two_cycle(Fixture *f)
{
    write_plug(f, f->req, VMEM_BASE);
    put_desc(f, f->desc, 0, f->req, 12, VRING_DESC_F_NEXT, 1);
    put_desc(f, f->desc, 1, f->req + 12, 12, VRING_DESC_F_NEXT, 0);
    publish(f, 0);
}

static void chain_zero_length(Fixture *f)
{
    write_plug(f, f->req, VMEM_BASE);
    put_desc(f, f->desc, 0, f->req, 24, VRING_DESC_F_NEXT, 1);
    put_desc(f, f->desc, 1, f->resp, 0, VRING_DESC_F_NEXT |
             VRING_DESC_F_WRITE, 2);
    put_desc(f, f->desc, 2, f->resp, 10, VRING_DESC_F_WRITE, 0);
    publish(f, 0);
}

static void chain_len_max(Fixture *f)
{
    write_plug(f, f->req, VMEM_BASE);
    put_desc(f, f->desc, 0, f->req, 0xffffffff, VRING_DESC_F_NEXT, 1);
    put_desc(f, f->desc, 1, f->resp, 10, VRING_DESC_F_WRITE, 0);
    publish(f, 0);
}

static void chain_wraps(Fixture *f)
{
    put_desc(f, f->desc, 0, 0xffffffffffffff00ULL, 0x200, VRING_DESC_F_NEXT,
             1);
    put_desc(f, f->desc, 1, f->resp, 10, VRING_DESC_F_WRITE, 0);
    publish(f, 0);
}

static void chain_not_ram(Fixture *f)
{
    put_desc(f, f->desc, 0, 0x80000000ULL, 24, VRING_DESC_F_NEXT, 1);
    put_desc(f, f->desc, 1, f->resp, 10, VRING_DESC_F_WRITE, 0);
    publish(f, 0);
}

static void chain_unplugged(Fixture *f)
{
    write_plug(f, f->req, VMEM_BASE);
    put_good_chain(f, 0);
    put_desc(f, f->desc, 1, VMEM_BASE + 4096, 10, VRING_DESC_F_WRITE, 0);
    publish(f, 0);
}

/* The response aimed at the transport's own Status register: had the
 * device written there, an ACK (0) would have reset it. */
static void chain_own_registers(Fixture *f)
{
    write_plug(f, f->req, VMEM_BASE);
    put_good_chain(f, 0);
    put_desc(f, f->desc, 1, f->d->base + VIRTIO_MMIO_STATUS, 10,
             VRING_DESC_F_WRITE, 0);
    publish(f, 0);
    g_assert_true(qvirtio_get_status(f->d) & VIRTIO_CONFIG_S_DRIVER_OK);
}

static void chain_rom_writable(Fixture *f)
{
    write_plug(f, f->req, VMEM_BASE);
    put_good_chain(f, 0);
    put_desc(f, f->desc, 1, BIOS_ROM, 10, VRING_DESC_F_WRITE, 0);
    publish(f, 0);
}

static void chain_read_after_write(Fixture *f)
{
    write_plug(f, f->req, VMEM_BASE);
    put_desc(f, f->desc, 0, f->resp, 10, VRING_DESC_F_NEXT |
             VRING_DESC_F_WRITE, 1);
    put_desc(f, f->desc, 1, f->req, 24, 0, 0);
    publish(f, 0);
}

/* Indirect table at @table with the good request/response pair. */
static void put_indirect_pair(Fixture *f, uint64_t table)
{
    put_desc(f, table, 0, f->req, 24, VRING_DESC_F_NEXT, 1);
    put_desc(f, table, 1, f->resp, 10, VRING_DESC_F_WRITE, 0);
}

static uint64_t scratch_table(Fixture *f)
{
    return f->resp + 4096 * 4;    /* well clear of the small buffers */
}

static void chain_indirect_not_negotiated(Fixture *f)
{
    uint64_t t = scratch_table(f);

    write_plug(f, f->req, VMEM_BASE);
    put_indirect_pair(f, t);
    put_desc(f, f->desc, 0, t, 32, VRING_DESC_F_INDIRECT, 0);
    publish(f, 0);
}

static void chain_indirect_with_next(Fixture *f)
{
    uint64_t t = scratch_table(f);

    write_plug(f, f->req, VMEM_BASE);
    put_indirect_pair(f, t);
    put_desc(f, f->desc, 0, t, 32, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT,
             1);
    put_desc(f, f->desc, 1, f->resp, 10, VRING_DESC_F_WRITE, 0);
    publish(f, 0);
}

static void chain_indirect_nested(Fixture *f)
{
    uint64_t t = scratch_table(f);

    write_plug(f, f->req, VMEM_BASE);
    put_desc(f, t, 0, t + 64, 32, VRING_DESC_F_INDIRECT, 0);
    put_indirect_pair(f, t + 64);
    put_desc(f, f->desc, 0, t, 16, VRING_DESC_F_INDIRECT, 0);
    publish(f, 0);
}

static void chain_indirect_len(Fixture *f, uint32_t len)
{
    uint64_t t = scratch_table(f);

    write_plug(f, f->req, VMEM_BASE);
    put_indirect_pair(f, t);
    put_desc(f, f->desc, 0, t, len, VRING_DESC_F_INDIRECT, 0);
    publish(f, 0);
}

static void chain_indirect_len0(Fixture *f)
{
    chain_indirect_len(f, 0);
}

static void chain_indirect_len24(Fixture *f)
{
    chain_indirect_len(f, 24);
}

static void chain_indirect_huge(Fixture *f)
{
    chain_indirect_len(f, 65537 * 16);
}

static void chain_indirect_not_head(Fixture *f)
{
    uint64_t t = scratch_table(f);

    write_plug(f, f->req, VMEM_BASE);
    put_indirect_pair(f, t);
    put_desc(f, f->desc, 0, f->req, 24, VRING_DESC_F_NEXT, 1);
    put_desc(f, f->desc, 1, t, 32, VRING_DESC_F_INDIRECT, 0);
    publish(f, 0);
}

/* A loop inside an indirect table stops after the table's size. */
static void chain_indirect_loop(Fixture *f)
{
    uint64_t t = scratch_table(f);

    write_plug(f, f->req, VMEM_BASE);
    for (unsigned i = 0; i < 8; i++) {
        put_desc(f, t, i, f->req, 24, VRING_DESC_F_NEXT, (i + 1) % 8);
    }
    put_desc(f, f->desc, 0, t, 8 * 16, VRING_DESC_F_INDIRECT, 0);
    publish(f, 0);
}

static void chain_indirect_table_unmapped(Fixture *f)
{
    put_desc(f, f->desc, 0, VMEM_BASE, 32, VRING_DESC_F_INDIRECT, 0);
    publish(f, 0);
}

typedef struct Hostile {
    const char *name;
    ChainFn fn;
    const char *message;    /* what the device must have logged */
} Hostile;

static const Hostile hostile[] = {
    { "avail-idx-jump", chain_avail_jump,
      "Guest moved avail index from 0 to 9" },
    { "head-out-of-range", chain_head_out_of_range,
      "Guest says index 8 is available" },
    { "next-out-of-range", chain_next_out_of_range, "Desc next is 8" },
    { "self-loop", chain_self_loop, "Looped descriptor" },
    { "two-cycle", chain_two_cycle, "Looped descriptor" },
    { "zero-length", chain_zero_length,
      "zero sized buffers are not allowed" },
    { "len-0xffffffff", chain_len_max, "+0xffffffff: not populated RAM" },
    { "addr-len-wraps", chain_wraps,
      "buffer 0xffffffffffffff00+0x200 wraps past 2^64" },
    { "not-ram", chain_not_ram,
      "cannot map buffer 0x80000000+0x18: not populated RAM" },
    { "unplugged-block", chain_unplugged,
      "cannot map buffer 0x100001000+0xa: not populated writable RAM" },
    { "own-registers", chain_own_registers,
      "cannot map buffer 0xfeb00070+0xa: not populated writable RAM" },
    { "rom-writable", chain_rom_writable,
      "cannot map buffer 0xfffc0000+0xa: not populated writable RAM" },
    { "readable-after-writable", chain_read_after_write,
      "Incorrect order for descriptors" },
    { "indirect/not-negotiated", chain_indirect_not_negotiated,
      "Indirect descriptor without VIRTIO_RING_F_INDIRECT_DESC" },
    { "indirect/with-next", chain_indirect_with_next,
      "Indirect descriptor with the NEXT flag" },
    { "indirect/nested", chain_indirect_nested,
      "Nested indirect descriptor" },
    { "indirect/len-0", chain_indirect_len0,
      "Invalid size for indirect buffer table: 0" },
    { "indirect/len-not-16x", chain_indirect_len24,
      "Invalid size for indirect buffer table: 24" },
    { "indirect/len-too-big", chain_indirect_huge,
      "Indirect buffer table of 65537 entries exceeds 1024" },
    { "indirect/not-at-head", chain_indirect_not_head,
      "Indirect descriptor not at the head of the chain" },
    { "indirect/loop", chain_indirect_loop, "Looped descriptor" },
    { "indirect/table-unmapped", chain_indirect_table_unmapped,
      "Cannot map indirect buffer table 0x100000000+0x20" },
};

static void run_hostile(gconstpointer opaque)
{
    const Hostile *h = opaque;
    const bool indirect = h->fn != chain_indirect_not_negotiated;
    const uint64_t features = F_V1 | F_UI | (indirect ? F_IND : 0);
    Fixture f;

    fixture_start(&f, NULL);
    live(&f, features);
    h->fn(&f);
    assert_logged(&f, h->message);
    expect_broken(&f, features);
    fixture_stop(&f);
}

/* ------------------------------------- private copies, resets, batches */

/*
 * The response overwrites the descriptors (and the indirect table) that
 * described it: the device had its own copy, answers once, plugs once.
 */
static void test_buffers_over_rings(void)
{
    Fixture f;
    uint64_t t;

    fixture_start(&f, NULL);
    live(&f, F_V1 | F_UI | F_IND);
    write_plug(&f, f.req, VMEM_BASE);
    put_desc(&f, f.desc, 0, f.req, 24, VRING_DESC_F_NEXT, 1);
    put_desc(&f, f.desc, 1, f.desc, 10, VRING_DESC_F_WRITE, 0);
    publish(&f, 0);
    g_assert_cmpuint(used_idx(&f), ==, 1);
    g_assert_cmpuint(qtest_readw(f.qts, f.desc), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmphex(plugged_size(&f), ==, BLOCK);

    t = scratch_table(&f);
    write_plug(&f, f.req, VMEM_BASE + BLOCK);
    put_desc(&f, t, 0, f.req, 24, VRING_DESC_F_NEXT, 1);
    put_desc(&f, t, 1, t, 10, VRING_DESC_F_WRITE, 0);
    put_desc(&f, f.desc, 0, t, 32, VRING_DESC_F_INDIRECT, 0);
    publish(&f, 0);
    g_assert_cmpuint(used_idx(&f), ==, 2);
    g_assert_cmpuint(qtest_readw(f.qts, t), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmphex(plugged_size(&f), ==, 2 * BLOCK);
    g_assert_false(qvirtio_needs_reset(f.d));
    fixture_stop(&f);
}

/* A chain as long as the table, in 1-byte pieces, through an indirect
 * table of the maximum size: fine. */
static void test_long_indirect_chain(void)
{
    Fixture f;
    uint64_t t;
    const unsigned entries = 1024;

    fixture_start(&f, NULL);
    live(&f, F_V1 | F_UI | F_IND);
    t = guest_alloc(f.alloc, entries * 16, 16);
    write_plug(&f, f.req, VMEM_BASE);
    for (unsigned i = 0; i < entries; i++) {
        bool out = i < 24;
        bool last = i == entries - 1;

        put_desc(&f, t, i, out ? f.req + i : f.resp + (i - 24) % 10, 1,
                 (out ? 0 : VRING_DESC_F_WRITE) |
                 (last ? 0 : VRING_DESC_F_NEXT), last ? 0 : i + 1);
    }
    put_desc(&f, f.desc, 0, t, entries * 16, VRING_DESC_F_INDIRECT, 0);
    publish(&f, 0);
    g_assert_cmpuint(used_idx(&f), ==, 1);
    g_assert_cmpuint(qtest_readw(f.qts, f.resp), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_false(qvirtio_needs_reset(f.d));
    fixture_stop(&f);
}

/* Reset with work published but not kicked: it is never served. */
static void test_reset_with_pending(void)
{
    Fixture f;

    fixture_start(&f, NULL);
    live(&f, F_V1 | F_UI);
    write_plug(&f, f.req, VMEM_BASE);
    put_good_chain(&f, 0);
    qtest_writew(f.qts, f.avail + 4, 0);
    qtest_writew(f.qts, f.avail + 2, 1);    /* published, no kick */
    qvirtio_reset(f.d);
    live(&f, F_V1 | F_UI);
    qvirtio_mmio_writel(f.d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    g_assert_cmpuint(used_idx(&f), ==, 0);
    g_assert_cmphex(plugged_size(&f), ==, 0);
    fixture_stop(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-mmio/slots", test_slots);
    g_test_add_func("/virtio-mmio/dtb-lists-occupied",
                    test_dtb_lists_occupied);
    g_test_add_func("/virtio-mmio/registers", test_registers);
    g_test_add_func("/virtio-mmio/features", test_features);
    g_test_add_func("/virtio-mmio/status-rules", test_status_rules);
    g_test_add_func("/virtio-mmio/queue/num", test_queue_num);
    g_test_add_func("/virtio-mmio/queue/addresses", test_queue_addresses);
    g_test_add_func("/virtio-mmio/queue/rewrite-while-ready",
                    test_queue_rewrite_while_ready);
    g_test_add_func("/virtio-mmio/queue/ring-unplugged-under-it",
                    test_ring_unplugged_under_it);
    g_test_add_func("/virtio-mmio/notify/bogus", test_notify_bogus);
    g_test_add_func("/virtio-mmio/notify/storm", test_notify_storm);
    g_test_add_func("/virtio-mmio/interrupt/used", test_used_interrupt);
    g_test_add_func("/virtio-mmio/interrupt/event-idx", test_event_idx);
    for (size_t i = 0; i < G_N_ELEMENTS(hostile); i++) {
        g_autofree char *path = g_strdup_printf("/virtio-mmio/vq/hostile/%s",
                                                hostile[i].name);

        g_test_add_data_func(path, &hostile[i], run_hostile);
    }
    g_test_add_func("/virtio-mmio/vq/buffers-over-rings",
                    test_buffers_over_rings);
    g_test_add_func("/virtio-mmio/vq/long-indirect-chain",
                    test_long_indirect_chain);
    g_test_add_func("/virtio-mmio/vq/reset-with-pending",
                    test_reset_with_pending);
    return g_test_run();
}
