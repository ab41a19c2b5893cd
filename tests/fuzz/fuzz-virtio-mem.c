/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-virtio-mem.c: a hostile guest against virtio-mem-device on the
 * virtio-mmio transport, as an operation stream in the style of QEMU's
 * generic-fuzz, checking the device's invariants after every operation.
 *
 * The machine (microvm, 64 MiB RAM, a 128 MiB memfd backend, a
 * virtio-mem-device with 2 MiB blocks) is built once; before each input
 * it is brought back to a fresh state: system reset (unplugs everything,
 * resets the transport), requested-size back to its start value, the
 * guest RAM the rings live in zeroed.  Each input is then a sequence of
 * operations, one opcode byte and its operands each (bytes past the end
 * read as zero):
 *
 *   MMIO write/read     any register of the virtio-mmio window, any width
 *   guest write         into the descriptor table, the rings, the request
 *                       buffers, the virtio-mem region (plugged or not),
 *                       the transport's own registers, or anywhere
 *   kick                QueueNotify with a valid or invalid queue index
 *   device reset        Status = 0
 *   system reset        qemu_system_reset()
 *   requested-size      qom-set through the property, aligned or not
 *   driver init         the whole handshake with fuzzed features and
 *                       queue size (so the stream reaches requests)
 *   request             a virtio-mem request (type, address, blocks) as
 *                       a two-descriptor chain with fuzzed lengths,
 *                       directions, INDIRECT, loops, then a kick
 *   interrupt ack       InterruptACK
 *
 * After each: virtio_mem_check_invariants() (plugged_size equals the
 * plugged blocks times the block size, the usable region rules, no host
 * memory populated in an unplugged block).  The sanitizers catch the
 * rest; a hang is a finding (libFuzzer's -timeout).
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include "hw/i386/microvm.h"
#include "hw/virtio/virtio-mem-check.h"
#include "qemu/error.h"
#include "standard-headers/linux/virtio_config.h"
#include "standard-headers/linux/virtio_ids.h"
#include "standard-headers/linux/virtio_mem.h"
#include "standard-headers/linux/virtio_mmio.h"
#include "standard-headers/linux/virtio_ring.h"
#include "sysemu/runstate.h"
#include "fuzz.h"

#define BLOCK (2 * MiB)
#define START_REQUESTED (64 * MiB)

/* Where the fuzzer's driver keeps its rings and buffers (guest RAM). */
#define RING_AREA   0x100000ULL
#define DESC_ADDR   0x100000ULL
#define AVAIL_ADDR  0x108000ULL
#define USED_ADDR   0x110000ULL
#define REQ_ADDR    0x118000ULL
#define RESP_ADDR   0x11c000ULL
#define INDIR_ADDR  0x11e000ULL
#define RING_AREA_SIZE 0x20000ULL

static MachineState *ms;
static VirtIOMEM *vmem;
static hwaddr mmio;             /* the transport's window */
static hwaddr region;           /* guest-physical start of the memory */
static uint64_t region_size;

typedef struct Stream {
    const uint8_t *data;
    size_t size, pos;
    uint16_t avail_idx;         /* the driver's next avail index */
    uint16_t qsize;             /* queue size it set */
} Stream;

static uint64_t take(Stream *s, unsigned bytes)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < bytes; i++, s->pos++) {
        if (s->pos < s->size) {
            v |= (uint64_t)s->data[s->pos] << (8 * i);
        }
    }
    return v;
}

static void gwrite(hwaddr addr, const void *buf, size_t len)
{
    address_space_write(&ms->as_memory, addr, buf, len);
}

static void reg_write(uint32_t off, uint32_t val)
{
    uint32_t le = GUINT32_TO_LE(val);

    gwrite(mmio + off, &le, 4);
}

static uint32_t reg_read(uint32_t off)
{
    uint32_t le = 0;

    address_space_read(&ms->as_memory, mmio + off, &le, 4);
    return GUINT32_FROM_LE(le);
}

static void check(const char *after)
{
    g_autofree char *broken = virtio_mem_check_invariants(vmem);

    if (broken) {
        fprintf(stderr, "fuzz-virtio-mem: after %s: %s\n", after, broken);
        abort();
    }
}

/* ------------------------------------------------------------ operations */

static void op_mmio_write(Stream *s)
{
    unsigned width = 1u << (take(s, 1) % 4);
    uint32_t off = take(s, 2) % 0x200;
    uint64_t val = take(s, 8);

    gwrite(mmio + off, &val, width);
}

static void op_mmio_read(Stream *s)
{
    unsigned width = 1u << (take(s, 1) % 4);
    uint32_t off = take(s, 2) % 0x200;
    uint64_t val;

    address_space_read(&ms->as_memory, mmio + off, &val, width);
}

static void op_guest_write(Stream *s)
{
    static const hwaddr targets[] = {
        DESC_ADDR, AVAIL_ADDR, USED_ADDR, REQ_ADDR, RESP_ADDR, INDIR_ADDR,
    };
    unsigned target = take(s, 1) % (ARRAY_SIZE(targets) + 3);
    uint64_t off = take(s, 4);
    unsigned len = take(s, 1) % 64 + 1;
    uint8_t buf[64];
    hwaddr addr;

    for (unsigned i = 0; i < len; i++) {
        buf[i] = take(s, 1);
    }
    if (target < ARRAY_SIZE(targets)) {
        addr = targets[target] + off % 0x2000;
    } else if (target == ARRAY_SIZE(targets)) {
        addr = region + off % region_size;      /* plugged or not */
    } else if (target == ARRAY_SIZE(targets) + 1) {
        addr = mmio + off % 0x200;              /* DMA into registers */
    } else {
        addr = off | take(s, 4) << 32;          /* anywhere */
    }
    gwrite(addr, buf, len);
}

static void op_kick(Stream *s)
{
    reg_write(VIRTIO_MMIO_QUEUE_NOTIFY, take(s, 1) % 4 == 3 ? take(s, 4) : 0);
}

static void op_device_reset(Stream *s)
{
    reg_write(VIRTIO_MMIO_STATUS, 0);
    s->avail_idx = 0;
}

static void op_system_reset(Stream *s)
{
    qemu_system_reset(SHUTDOWN_CAUSE_GUEST_RESET);
    s->avail_idx = 0;
}

static void op_requested_size(Stream *s)
{
    uint8_t how = take(s, 1);
    uint64_t size = how & 1 ? take(s, 8) : (how >> 1) * BLOCK;

    object_property_set_uint(OBJECT(vmem), "requested-size", size, NULL);
}

static void op_driver_init(Stream *s)
{
    uint8_t how = take(s, 1);
    uint64_t features = (1ULL << VIRTIO_F_VERSION_1) |
                        (1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE);
    uint32_t qmax;

    if (how & 1) {
        features = take(s, 8);
    }
    reg_write(VIRTIO_MMIO_STATUS, 0);
    reg_write(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
    reg_write(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
              VIRTIO_CONFIG_S_DRIVER);
    for (uint32_t bank = 0; bank < 2; bank++) {
        reg_write(VIRTIO_MMIO_DRIVER_FEATURES_SEL, bank);
        reg_write(VIRTIO_MMIO_DRIVER_FEATURES, features >> (32 * bank));
    }
    reg_write(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
              VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
    reg_write(VIRTIO_MMIO_QUEUE_SEL, 0);
    qmax = reg_read(VIRTIO_MMIO_QUEUE_NUM_MAX);
    s->qsize = how & 2 ? take(s, 2) : qmax;
    reg_write(VIRTIO_MMIO_QUEUE_NUM, s->qsize);
    reg_write(VIRTIO_MMIO_QUEUE_DESC_LOW, DESC_ADDR);
    reg_write(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
    reg_write(VIRTIO_MMIO_QUEUE_AVAIL_LOW, AVAIL_ADDR);
    reg_write(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
    reg_write(VIRTIO_MMIO_QUEUE_USED_LOW, USED_ADDR);
    reg_write(VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
    reg_write(VIRTIO_MMIO_QUEUE_READY, 1);
    reg_write(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
              VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |
              VIRTIO_CONFIG_S_DRIVER_OK);
    s->avail_idx = 0;
}

static void put_desc(hwaddr table, unsigned i, uint64_t addr, uint32_t len,
                     uint16_t flags, uint16_t next)
{
    struct vring_desc d = {
        .addr = GUINT64_TO_LE(addr), .len = GUINT32_TO_LE(len),
        .flags = GUINT16_TO_LE(flags), .next = GUINT16_TO_LE(next),
    };

    gwrite(table + (uint64_t)i * sizeof(d), &d, sizeof(d));
}

/*
 * A request as a chain: [request, readable] -> [response, writable], or
 * the same through an indirect table.  @how's bits bend the rules.
 */
static void op_request(Stream *s)
{
    uint16_t qsize = s->qsize ? s->qsize : 1;
    uint16_t type = take(s, 1) % 5;       /* 4: no such type */
    uint8_t where = take(s, 1);
    uint16_t nb = take(s, 1);
    uint16_t how = take(s, 2);
    struct virtio_mem_req req = { .type = GUINT16_TO_LE(type),
                                  .nb_blocks = GUINT16_TO_LE(nb) };
    unsigned head = (s->avail_idx * 2u) % qsize;
    unsigned next = (head + 1) % qsize;
    uint32_t req_len = how & 1 ? (how >> 8) % 32 : sizeof(req);
    uint32_t resp_len = how & 2 ? (how >> 11) % 16 : VIRTIO_MEM_RESP_SIZE;
    uint16_t req_flags = how & 4 ? VRING_DESC_F_WRITE : 0;
    uint16_t resp_flags = how & 8 ? 0 : VRING_DESC_F_WRITE;
    uint16_t idx;

    req.addr = GUINT64_TO_LE(where & 0x80 ? take(s, 8)
                             : region + (where % 64) * BLOCK);
    gwrite(REQ_ADDR + head * 32ULL, &req, sizeof(req));
    if (how & 16) {
        next = head;                        /* a chain that loops */
    }
    if (how & 32) {
        /* both descriptors in an indirect table */
        put_desc(INDIR_ADDR, 0, REQ_ADDR + head * 32ULL, req_len,
                 req_flags | VRING_DESC_F_NEXT, how & 16 ? 0 : 1);
        put_desc(INDIR_ADDR, 1, RESP_ADDR + head * 16ULL, resp_len,
                 resp_flags | (how & 64 ? VRING_DESC_F_INDIRECT : 0), 0);
        put_desc(DESC_ADDR, head, INDIR_ADDR,
                 how & 128 ? (how >> 8) : 2 * sizeof(struct vring_desc),
                 VRING_DESC_F_INDIRECT | (how & 64 ? VRING_DESC_F_NEXT : 0),
                 next);
    } else {
        put_desc(DESC_ADDR, head, REQ_ADDR + head * 32ULL, req_len,
                 req_flags | VRING_DESC_F_NEXT, next);
        put_desc(DESC_ADDR, next, RESP_ADDR + head * 16ULL, resp_len,
                 resp_flags, 0);
    }
    idx = GUINT16_TO_LE(how & 256 ? take(s, 2) : head);
    gwrite(AVAIL_ADDR + 4 + (s->avail_idx % qsize) * 2ULL, &idx, 2);
    s->avail_idx += how & 512 ? take(s, 2) : 1;   /* a jump in avail.idx */
    idx = GUINT16_TO_LE(s->avail_idx);
    gwrite(AVAIL_ADDR + 2, &idx, 2);
    reg_write(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

static void op_irq_ack(Stream *s)
{
    reg_write(VIRTIO_MMIO_INTERRUPT_ACK, take(s, 4));
}

typedef void FuzzOp(Stream *s);

static const struct {
    const char *name;
    FuzzOp *fn;
} ops[] = {
    { "mmio-write", op_mmio_write }, { "mmio-read", op_mmio_read },
    { "guest-write", op_guest_write }, { "kick", op_kick },
    { "device-reset", op_device_reset },
    { "system-reset", op_system_reset },
    { "requested-size", op_requested_size },
    { "driver-init", op_driver_init }, { "request", op_request },
    { "request", op_request }, { "irq-ack", op_irq_ack },
};

/* --------------------------------------------------------------- set-up */

static int find_slot(void)
{
    for (int slot = 0; slot < MICROVM_VIRTIO_MMIO_SLOTS; slot++) {
        uint32_t id = 0;

        address_space_read(&ms->as_memory, microvm_virtio_slot_base(slot) +
                           VIRTIO_MMIO_DEVICE_ID, &id, 4);
        if (GUINT32_FROM_LE(id) == VIRTIO_ID_MEM) {
            return slot;
        }
    }
    g_error("no virtio-mem transport found");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const objects[] = {
        "memory-backend-memfd,id=mem0,size=128M", NULL
    };
    static const char *const devices[] = {
        "virtio-mem-device,id=vm0,memdev=mem0,block-size=2M,"
        "requested-size=64M", NULL
    };

    fuzz_sandbox_enter(*argc, *argv);
    error_init("fuzz-virtio-mem");
    ms = fuzz_machine_new("64M,maxmem=1G", objects, devices);
    vmem = VIRTIO_MEM(object_resolve_path("/machine/peripheral/vm0", NULL));
    mmio = microvm_virtio_slot_base(find_slot());
    region = object_property_get_uint(OBJECT(vmem), "memaddr",
                                      &error_abort);
    region_size = 128 * MiB;
    check("set-up");
    return 0;
}

/* Back to the state after set-up. */
static void fresh_state(void)
{
    qemu_system_reset(SHUTDOWN_CAUSE_NONE);
    object_property_set_uint(OBJECT(vmem), "requested-size",
                             START_REQUESTED, &error_abort);
    address_space_set(&ms->as_memory, RING_AREA, 0, RING_AREA_SIZE);
    fuzz_machine_settle();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Stream s = { .data = data, .size = size };

    fresh_state();
    while (s.pos < s.size) {
        unsigned op = take(&s, 1) % ARRAY_SIZE(ops);

        ops[op].fn(&s);
        /* a reset the guest asked for through the machine runs now */
        while (g_main_context_iteration(NULL, false)) {
            /* nothing */
        }
        check(ops[op].name);
    }
    if (getenv("FUZZ_VERBOSE")) {
        fprintf(stderr, "virtio-mem: %" PRIu64 " bytes plugged, status 0x%x"
                "\n", virtio_mem_plugged_bytes(vmem),
                reg_read(VIRTIO_MMIO_STATUS));
    }
    return 0;
}
