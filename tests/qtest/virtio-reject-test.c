/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-reject-test.c: the reject branches of the virtqueue walker and
 * the virtio-mem request path that need guest memory to vanish under a
 * ring: a "tenant" virtio-mem device keeps a ring (or part of one) in
 * blocks that a "host" virtio-mem device plugged, the host unplugs them,
 * and the tenant is kicked.  Each must end with the tenant broken
 * (DEVICE_NEEDS_RESET), no host memory populated again, and the VM
 * answering.  The last case unplugs, by its own request, the block that
 * holds the request's response buffer.
 *
 * scripts/reject-coverage.py lists which test covers each reject branch;
 * the others are in virtio-mmio-test.c, virtio-mem-test.c and the
 * virtio-mem fuzz corpus.
 */
#include <inttypes.h>
#include "libqos/host-mem.h"
#include "libqos/virtio-mem.h"
#include "standard-headers/linux/virtio_config.h"
#include "standard-headers/linux/virtio_ids.h"
#include "standard-headers/linux/virtio_ring.h"
#include "qemu/units.h"

#define RAM_END (512 * MiB)
#define VMEM_BASE (4 * GiB)
#define BLOCK (2 * MiB)
#define B1 VMEM_BASE                /* the host's first block */
#define EDGE (VMEM_BASE + BLOCK)    /* between its first and second */
#define NUM 16
#define F_V1  (1ULL << VIRTIO_F_VERSION_1)
#define F_UI  (1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE)
#define F_EVT (1ULL << VIRTIO_RING_F_EVENT_IDX)

/* A queue programmed by hand, its parts wherever the test wants them. */
typedef struct RawQueue {
    QTestState *qts;
    QVirtioMMIODevice *d;
    uint64_t desc, avail, used;
    uint16_t avail_idx;
} RawQueue;

typedef struct Env {
    QTestState *qts;
    QGuestAllocator *alloc;
    QVirtioMem *host;
    RawQueue tenant;
} Env;

static void raw_setup(RawQueue *q, QTestState *qts, int slot,
                      uint64_t features, uint64_t desc, uint64_t avail,
                      uint64_t used)
{
    q->qts = qts;
    q->d = qvirtio_mmio_new(qts, slot);
    q->desc = desc;
    q->avail = avail;
    q->used = used;
    q->avail_idx = 0;
    g_assert_true(qvirtio_negotiate_exact(q->d, features));
    qvirtio_mmio_writel(q->d, VIRTIO_MMIO_QUEUE_SEL, 0);
    qvirtio_mmio_writel(q->d, VIRTIO_MMIO_QUEUE_NUM, NUM);
    qvirtio_mmio_writel(q->d, VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
    qvirtio_mmio_writel(q->d, VIRTIO_MMIO_QUEUE_DESC_HIGH, desc >> 32);
    qvirtio_mmio_writel(q->d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, avail);
    qvirtio_mmio_writel(q->d, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, avail >> 32);
    qvirtio_mmio_writel(q->d, VIRTIO_MMIO_QUEUE_USED_LOW, used);
    qvirtio_mmio_writel(q->d, VIRTIO_MMIO_QUEUE_USED_HIGH, used >> 32);
    qvirtio_mmio_writel(q->d, VIRTIO_MMIO_QUEUE_READY, 1);
    g_assert_cmpuint(qvirtio_mmio_readl(q->d, VIRTIO_MMIO_QUEUE_READY), ==,
                     1);
    qvirtio_driver_ok(q->d);
}

static void put_desc(RawQueue *q, unsigned i, uint64_t addr, uint32_t len,
                     uint16_t flags, uint16_t next)
{
    uint64_t at = q->desc + i * sizeof(struct vring_desc);

    qtest_writeq(q->qts, at, addr);
    qtest_writel(q->qts, at + 8, len);
    qtest_writew(q->qts, at + 12, flags);
    qtest_writew(q->qts, at + 14, next);
}

/*
 * One request as [request readable] -> [response writable] at
 * descriptors 0 and 1, published and kicked.  Guest writes that fall in
 * unplugged memory are dropped by the memory core, as the guest's own
 * stores would be.
 */
static void raw_request(RawQueue *q, uint16_t type, uint64_t addr,
                        uint16_t nb, uint64_t req_gpa, uint64_t resp_gpa)
{
    qtest_writew(q->qts, req_gpa, type);
    qtest_writeq(q->qts, req_gpa + 8, addr);
    qtest_writew(q->qts, req_gpa + 16, nb);
    put_desc(q, 0, req_gpa, VIRTIO_MEM_REQ_SIZE, VRING_DESC_F_NEXT, 1);
    put_desc(q, 1, resp_gpa, VIRTIO_MEM_RESP_SIZE, VRING_DESC_F_WRITE, 0);
    qtest_writew(q->qts, q->avail + 4 + (q->avail_idx % NUM) * 2, 0);
    q->avail_idx++;
    qtest_writew(q->qts, q->avail + 2, q->avail_idx);
    qvirtio_mmio_writel(q->d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

/* A VM with two devices; the host plugs its first two blocks. */
static void env_start(Env *e)
{
    e->qts = qtest_init("-machine microvm -m 512M,maxmem=4G "
                        "-object memory-backend-memfd,id=m0,size=1G "
                        "-object memory-backend-memfd,id=m1,size=1G "
                        "-device virtio-mem-device,memdev=m0,"
                        "requested-size=64M "
                        "-device virtio-mem-device,memdev=m1,"
                        "requested-size=64M");
    e->alloc = guest_alloc_new(1 * MiB, RAM_END);
    e->host = qvirtio_mem_init(e->qts, e->alloc, 0);
    g_assert_cmpuint(qvirtio_mem_plug(e->host, B1, 2), ==,
                     VIRTIO_MEM_RESP_ACK);
}

/* The second virtio-mem transport: the tenant's. */
static int tenant_slot(Env *e)
{
    int slot = qvirtio_mmio_find_slot(e->qts, VIRTIO_ID_MEM, 1);

    g_assert_cmpint(slot, >=, 0);
    return slot;
}

static uint64_t ram(Env *e, uint64_t size)
{
    return guest_alloc(e->alloc, size, 4096);
}

/* Unplug @block of the host, kick the tenant: it must break. */
static void env_pull_and_kick(Env *e, uint64_t block)
{
    uint64_t req = ram(e, 64), resp = ram(e, 64);
    pid_t pid = qtest_pid(e->qts);

    g_assert_cmpuint(qvirtio_mem_unplug(e->host, block, 1), ==,
                     VIRTIO_MEM_RESP_ACK);
    raw_request(&e->tenant, VIRTIO_MEM_REQ_PLUG, VMEM_BASE + 1 * GiB, 1,
                req, resp);
    g_assert_true(qvirtio_needs_reset(e->tenant.d));
    /* the host device is unaffected and nothing was populated again */
    g_assert_false(qvirtio_needs_reset(e->host->dev));
    g_assert_cmpuint(qos_memfd_allocated(pid, "memory-backend-memfd", 1),
                     ==, 0);
    qtest_qmp_assert_success(e->qts, "{'execute': 'query-status'}");
}

static void env_free(Env *e)
{
    g_free(e->tenant.d);
    qvirtio_mem_free(e->host);
    guest_alloc_destroy(e->alloc);
    qtest_quit(e->qts);
}

/* virtio.c read_desc(): "cannot read descriptor 0" */
static void test_desc_table_unplugged(void)
{
    Env e;

    env_start(&e);
    raw_setup(&e.tenant, e.qts, tenant_slot(&e), F_V1 | F_UI, B1, ram(&e, 4096),
              ram(&e, 4096));
    env_pull_and_kick(&e, B1);
    env_free(&e);
}

/* chain_collect(): the second descriptor of a chain is unreadable */
static void test_next_desc_unplugged(void)
{
    Env e;

    env_start(&e);
    raw_setup(&e.tenant, e.qts, tenant_slot(&e), F_V1 | F_UI,
              EDGE - sizeof(struct vring_desc), ram(&e, 4096),
              ram(&e, 4096));
    env_pull_and_kick(&e, EDGE);
    env_free(&e);
}

/* virtqueue_pop(): "cannot read the available ring" (idx is readable) */
static void test_avail_ring_unplugged(void)
{
    Env e;

    env_start(&e);
    raw_setup(&e.tenant, e.qts, tenant_slot(&e), F_V1 | F_UI, ram(&e, 4096), EDGE - 4,
              ram(&e, 4096));
    env_pull_and_kick(&e, EDGE);
    env_free(&e);
}

/* virtqueue_push(): "cannot write the used ring" */
static void test_used_ring_unplugged(void)
{
    Env e;

    env_start(&e);
    raw_setup(&e.tenant, e.qts, tenant_slot(&e), F_V1 | F_UI, ram(&e, 4096),
              ram(&e, 4096), B1);
    env_pull_and_kick(&e, B1);
    env_free(&e);
}

/* virtqueue_pop() with EVENT_IDX: "cannot write avail_event" */
static void test_avail_event_unplugged(void)
{
    Env e;

    env_start(&e);
    raw_setup(&e.tenant, e.qts, tenant_slot(&e), F_V1 | F_UI | F_EVT, ram(&e, 4096),
              ram(&e, 4096), B1);
    env_pull_and_kick(&e, B1);
    env_free(&e);
}

/* notification: "cannot read the available ring flags" */
static void test_avail_flags_unplugged(void)
{
    Env e;

    env_start(&e);
    /* flags in the first block, idx and ring in the second */
    raw_setup(&e.tenant, e.qts, tenant_slot(&e), F_V1 | F_UI, ram(&e, 4096), EDGE - 2,
              ram(&e, 4096));
    env_pull_and_kick(&e, B1);
    env_free(&e);
}

/* notification with EVENT_IDX: "cannot read used_event" */
static void test_used_event_unplugged(void)
{
    Env e;

    env_start(&e);
    /* flags, idx and the ring in the first block, used_event after it */
    raw_setup(&e.tenant, e.qts, tenant_slot(&e), F_V1 | F_UI | F_EVT, ram(&e, 4096),
              EDGE - (4 + 2 * NUM), ram(&e, 4096));
    env_pull_and_kick(&e, EDGE);
    env_free(&e);
}

/*
 * virtio-mem: the request UNPLUGs the block its own response buffer is
 * in: "cannot write the response", the device breaks, the block is
 * unplugged and stays so.
 */
static void test_response_unplugged_by_request(void)
{
    QTestState *qts = qtest_init("-machine microvm -m 512M,maxmem=4G "
                                 "-object memory-backend-memfd,id=m0,"
                                 "size=1G -device virtio-mem-device,"
                                 "memdev=m0,requested-size=64M");
    QGuestAllocator *alloc = guest_alloc_new(1 * MiB, RAM_END);
    RawQueue q;
    uint64_t req = guest_alloc(alloc, 64, 64);

    raw_setup(&q, qts, qvirtio_mmio_find_slot(qts, VIRTIO_ID_MEM, 0),
              F_V1 | F_UI, guest_alloc(alloc, 4096, 4096),
              guest_alloc(alloc, 4096, 4096),
              guest_alloc(alloc, 4096, 4096));
    raw_request(&q, VIRTIO_MEM_REQ_PLUG, B1, 1, req,
                guest_alloc(alloc, 64, 64));
    g_assert_false(qvirtio_needs_reset(q.d));
    g_assert_cmpuint(qtest_readw(qts, q.used + 2), ==, 1);
    raw_request(&q, VIRTIO_MEM_REQ_UNPLUG, B1, 1, req, B1 + 4096);
    g_assert_true(qvirtio_needs_reset(q.d));
    g_assert_cmpuint(qtest_readw(qts, q.used + 2), ==, 1);
    g_assert_cmpuint(qos_memfd_allocated(qtest_pid(qts),
                                         "memory-backend-memfd", 0), ==, 0);
    qtest_qmp_assert_success(qts, "{'execute': 'query-status'}");
    g_free(q.d);
    guest_alloc_destroy(alloc);
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-reject/ring/desc-table-unplugged",
                    test_desc_table_unplugged);
    g_test_add_func("/virtio-reject/ring/next-desc-unplugged",
                    test_next_desc_unplugged);
    g_test_add_func("/virtio-reject/ring/avail-ring-unplugged",
                    test_avail_ring_unplugged);
    g_test_add_func("/virtio-reject/ring/used-ring-unplugged",
                    test_used_ring_unplugged);
    g_test_add_func("/virtio-reject/ring/avail-event-unplugged",
                    test_avail_event_unplugged);
    g_test_add_func("/virtio-reject/ring/avail-flags-unplugged",
                    test_avail_flags_unplugged);
    g_test_add_func("/virtio-reject/ring/used-event-unplugged",
                    test_used_event_unplugged);
    g_test_add_func("/virtio-reject/mem/response-unplugged-by-request",
                    test_response_unplugged_by_request);
    return g_test_run();
}
