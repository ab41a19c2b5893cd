/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fault-virtio-mem-test.c: virtio-mem PLUG, UNPLUG and UNPLUG_ALL while
 * each wrapped call fails in turn (fault-loop-test.c explains the loop),
 * with memfd and private anonymous backends, with and without prealloc.
 *
 * The guest is the libqos driver.  After every request that met an
 * injected fault:
 * - the answer is ACK (the failure was absorbed) or BUSY, never ERROR
 *   and never a broken device (no NEEDS_RESET);
 * - the device's state is what the answer says: after BUSY the range is
 *   exactly as before (STATE), plugged_size unchanged; after ACK it
 *   changed completely;
 * - the VM answers QMP, the same request succeeds once the fault is gone,
 *   and the VM has as many fds open as before.
 */
#include "qemu/osdep.h"
#include "libqos/virtio-mem.h"
#include "fault-qtest.h"
#include "qemu/units.h"

#define BLOCK (2 * MiB)
#define NB 4                        /* blocks per request */

typedef enum MemOp { OP_PLUG, OP_UNPLUG, OP_UNPLUG_ALL } MemOp;

typedef struct MemCase {
    const char *backend;            /* -object, without id */
    const char *dev_opts;           /* extra -device options */
    MemOp op;
} MemCase;

typedef struct Ctx {
    QTestState *qts;
    QGuestAllocator *alloc;
    QVirtioMem *vm;
    uint64_t base;                  /* the region's guest-physical start */
} Ctx;

static uint64_t plugged_size(Ctx *c)
{
    QVirtioMemConfig cfg;

    qvirtio_mem_read_config(c->vm, &cfg);
    return cfg.plugged_size;
}

static uint16_t range_state(Ctx *c, uint64_t addr)
{
    uint16_t state = 0xffff;

    g_assert_cmpuint(qvirtio_mem_state(c->vm, addr, NB, &state), ==,
                     VIRTIO_MEM_RESP_ACK);
    return state;
}

/* Bring the device to where @op starts: nothing, or two ranges plugged. */
static void op_prepare(Ctx *c, MemOp op)
{
    g_assert_cmpuint(qvirtio_mem_unplug_all(c->vm), ==, VIRTIO_MEM_RESP_ACK);
    if (op != OP_PLUG) {
        g_assert_cmpuint(qvirtio_mem_plug(c->vm, c->base, NB), ==,
                         VIRTIO_MEM_RESP_ACK);
        g_assert_cmpuint(qvirtio_mem_plug(c->vm, c->base + 8 * BLOCK, NB),
                         ==, VIRTIO_MEM_RESP_ACK);
    }
}

static uint16_t op_run(Ctx *c, MemOp op)
{
    switch (op) {
    case OP_PLUG:
        return qvirtio_mem_plug(c->vm, c->base, NB);
    case OP_UNPLUG:
        return qvirtio_mem_unplug(c->vm, c->base, NB);
    default:
        return qvirtio_mem_unplug_all(c->vm);
    }
}

/* The state after @op answered @resp, starting from op_prepare(). */
static void op_check(Ctx *c, MemOp op, uint16_t resp)
{
    bool done = resp == VIRTIO_MEM_RESP_ACK;

    g_assert_false(qvirtio_needs_reset(c->vm->dev));
    g_assert_true(resp == VIRTIO_MEM_RESP_ACK ||
                  resp == VIRTIO_MEM_RESP_BUSY);
    switch (op) {
    case OP_PLUG:
        g_assert_cmpuint(range_state(c, c->base), ==,
                         done ? VIRTIO_MEM_STATE_PLUGGED
                              : VIRTIO_MEM_STATE_UNPLUGGED);
        g_assert_cmpuint(plugged_size(c), ==, done ? NB * BLOCK : 0);
        break;
    case OP_UNPLUG:
        g_assert_cmpuint(range_state(c, c->base), ==,
                         done ? VIRTIO_MEM_STATE_UNPLUGGED
                              : VIRTIO_MEM_STATE_PLUGGED);
        g_assert_cmpuint(range_state(c, c->base + 8 * BLOCK), ==,
                         VIRTIO_MEM_STATE_PLUGGED);
        g_assert_cmpuint(plugged_size(c), ==, (done ? 1 : 2) * NB * BLOCK);
        break;
    default:
        g_assert_cmpuint(range_state(c, c->base), ==,
                         done ? VIRTIO_MEM_STATE_UNPLUGGED
                              : VIRTIO_MEM_STATE_PLUGGED);
        g_assert_cmpuint(plugged_size(c), ==, done ? 0 : 2 * NB * BLOCK);
        break;
    }
}

static void test_mem_faults(gconstpointer opaque)
{
    static const char *const names[] = { "plug", "unplug", "unplug-all" };
    const MemCase *mc = opaque;
    Ctx c = { 0 };
    FaultTally t = { 0 };
    QVirtioMemConfig cfg;
    g_autofree char *what = NULL;
    int fds;

    c.qts = qtest_initf("-machine microvm -m 512M,maxmem=4G -object %s,"
                        "id=mem0,size=256M -device virtio-mem-device,id=vm0,"
                        "memdev=mem0,requested-size=256M%s", mc->backend,
                        mc->dev_opts);
    c.alloc = guest_alloc_new(1 * MiB, 512 * MiB);
    c.vm = qvirtio_mem_init(c.qts, c.alloc, 0);
    qvirtio_mem_read_config(c.vm, &cfg);
    c.base = cfg.addr;
    op_prepare(&c, mc->op);
    op_check(&c, mc->op, op_run(&c, mc->op));
    fds = qtest_count_open_fds(qtest_pid(c.qts));

    for (size_t i = 0; i < fault_n_ops; i++) {
        for (unsigned nth = 1;; nth++) {
            uint16_t resp;

            op_prepare(&c, mc->op);
            fault_qmp_arm(c.qts, fault_all_ops[i], nth, NULL);
            resp = op_run(&c, mc->op);
            if (!fault_qmp_injected(c.qts, fault_all_ops[i])) {
                fault_qmp_disarm_all(c.qts);
                g_assert_cmpuint(resp, ==, VIRTIO_MEM_RESP_ACK);
                op_check(&c, mc->op, resp);
                break;
            }
            fault_qmp_disarm_all(c.qts);
            fault_tally_hit(&t, i);
            op_check(&c, mc->op, resp);
            qtest_qmp_assert_success(c.qts, "{'execute': 'query-status'}");
            /* the same request works once the fault is gone */
            op_prepare(&c, mc->op);
            resp = op_run(&c, mc->op);
            g_assert_cmpuint(resp, ==, VIRTIO_MEM_RESP_ACK);
            op_check(&c, mc->op, resp);
            g_assert_cmpint(qtest_count_open_fds(qtest_pid(c.qts)), ==,
                            fds);
            t.survived++;
        }
    }
    qvirtio_mem_free(c.vm);
    guest_alloc_destroy(c.alloc);
    qtest_quit(c.qts);
    what = g_strdup_printf("%s %s%s", names[mc->op], mc->backend,
                           mc->dev_opts);
    fault_tally_report(what, &t);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name, *backend, *dev_opts;
    } backends[] = {
        { "memfd", "memory-backend-memfd", "" },
        { "memfd-prealloc", "memory-backend-memfd", ",prealloc=on" },
        { "anon", "memory-backend-ram", "" },
        { "anon-prealloc", "memory-backend-ram", ",prealloc=on" },
    };
    static const char *const op_names[] = { "plug", "unplug", "unplug-all" };
    g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func(g_free);

    g_test_init(&argc, &argv, NULL);
    for (size_t b = 0; b < G_N_ELEMENTS(backends); b++) {
        for (MemOp op = OP_PLUG; op <= OP_UNPLUG_ALL; op++) {
            MemCase *mc = g_new0(MemCase, 1);
            g_autofree char *path = g_strdup_printf(
                "/faults/virtio-mem/%s/%s", backends[b].name, op_names[op]);

            mc->backend = backends[b].backend;
            mc->dev_opts = backends[b].dev_opts;
            mc->op = op;
            g_ptr_array_add(cases, mc);
            g_test_add_data_func(path, mc, test_mem_faults);
        }
    }
    return g_test_run();
}
