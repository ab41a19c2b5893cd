/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tpm_crb.c: "tpm-crb", a TPM 2.0 behind the Command Response Buffer
 * interface of the PTP specification (registers in
 * include/hw/tpm/tpm_crb.h), talking to a -tpmdev back end.
 *
 *   -device tpm-crb,tpmdev=ID[,ppi=on|off]
 *
 * Registers at 0xfed40000 (MMIO), the command/response buffer right
 * after them at 0xfed40080 (RAM the guest writes the command into and
 * reads the response from), and with ppi=on (the default) the PPI buffer
 * at 0xfed45000, whose MOR bit makes every system reset clear guest
 * memory (hw/tpm/tpm_ppi.c).
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include "exec/memory_mapping.h"
#include "hw/boards.h"
#include "hw/qdev.h"
#include "hw/tpm/tpm_crb.h"
#include "hw/tpm/tpm_ppi.h"
#include "qemu/error.h"
#include "qemu/log.h"
#include "qemu/trace.h"
#include "sysemu/tpm_backend.h"

/**
 * DOC: guest interface
 * How a guest driver sends a command (locality 0 only):
 *  1. LOC_CTRL = requestAccess; LOC_STS.granted and LOC_STATE.locAssigned
 *     become 1.
 *  2. CTRL_REQ = cmdReady; CTRL_STS.tpmIdle becomes 0.
 *  3. write the command into the buffer, CTRL_START = 1.
 *  4. poll until CTRL_START reads 0; the response is in the buffer;
 *     CTRL_STS.tpmSts = 1 means the TPM failed (fatal error).
 *  5. CTRL_REQ = goIdle, LOC_CTRL = relinquish.
 *
 * Command states:
 *   IDLE      CTRL_START reads 0; a START write with locality 0 assigned
 *             snapshots the command (tpm_crb_start) -> EXECUTING.  A
 *             command whose header size is below 10 bytes is answered at
 *             once with TPM_RC_COMMAND_SIZE and logged as a guest error.
 *   EXECUTING CTRL_START reads 1 and further START writes are ignored;
 *             CTRL_CANCEL asks the back end to cancel.  The back end's
 *             completion (tpm_crb_request_completed) copies the response
 *             into the buffer -> IDLE; a failure sets CTRL_STS.tpmSts.
 * System reset (tpm_crb_reset) abandons a command in flight (it
 * completes at once with a fatal error; the back end does not make the
 * reset wait for a slow or stopped swtpm), restores the power-on
 * registers and restarts the TPM in the background (commands queue
 * behind the start-up); if the back end cannot start (swtpm gone) the
 * error is reported (rate-limited), CTRL_STS.tpmSts reads 1 and every
 * command fails, but the VM keeps running (QEMU exits instead).
 * While the back end is not operational, CTRL_STS.tpmSts reads 1.
 */

#define TPM_CRB_NUM_REGS            (TPM_CRB_REGS_SIZE / sizeof(uint32_t))

typedef struct CRBState {
    DeviceState parent_obj;

    /* Properties */
    char *tpmdev;               /* -tpmdev id */
    bool ppi_enabled;

    TPMBackend *tpmbe;          /* bound at realize; the registry owns it */
    uint32_t regs[TPM_CRB_NUM_REGS];
    MemoryRegion mmio;
    MemoryRegion cmdmem;
    uint8_t *cmdbuf;            /* host memory of cmdmem; page aligned */
    size_t be_buffer_size;      /* largest command/response exchanged */
    TPMBackendCmd cmd;
    uint8_t cmd_in[TPM_CRB_CMD_BUFFER_SIZE];    /* snapshot of a command */
    uint8_t cmd_out[TPM_CRB_CMD_BUFFER_SIZE];   /* its response */
    MemoryRegion *container;    /* where the regions are mapped */
    TPMPPI ppi;
} CRBState;

#define CRB(obj) \
    ((CRBState *)object_dynamic_cast_assert(OBJECT(obj), TYPE_TPM_CRB))

static inline uint32_t *crb_reg(CRBState *s, hwaddr offset)
{
    return &s->regs[offset / sizeof(uint32_t)];
}

/* Invariant of both command states: START reads 1 iff a command is out. */
static void assert_tpm_crb_state(CRBState *s)
{
    bool started = *crb_reg(s, TPM_CRB_CTRL_START) &
                   TPM_CRB_CTRL_START_INVOKE;

    assert(started == tpm_backend_is_busy(s->tpmbe));
}

static bool tpm_crb_locality0_assigned(CRBState *s)
{
    return *crb_reg(s, TPM_CRB_LOC_STATE) & TPM_CRB_LOC_STATE_LOC_ASSIGNED;
}

/* --------------------------------------------------------------- command */

static void tpm_crb_request_completed(void *opaque, int ret)
{
    CRBState *s = opaque;
    uint32_t len = tpm_cmd_get_size(s->cmd_out);

    /* The back end guarantees a whole response within out_len. */
    assert(len >= TPM_HEADER_SIZE && len <= s->cmd.out_len);
    memcpy(s->cmdbuf, s->cmd_out, len);
    memory_region_set_dirty(&s->cmdmem, 0, len);
    if (ret) {
        *crb_reg(s, TPM_CRB_CTRL_STS) |= TPM_CRB_CTRL_STS_TPM_STS;
    }
    *crb_reg(s, TPM_CRB_CTRL_START) &= ~TPM_CRB_CTRL_START_INVOKE;
    trace_event("tpm_crb_request_completed", "ret=%d response %u bytes, "
                "code 0x%x", ret, len, tpm_cmd_get_code(s->cmd_out));
    assert_tpm_crb_state(s);
}

static void tpm_crb_start(CRBState *s)
{
    uint32_t size = tpm_cmd_get_size(s->cmdbuf);

    if (size < TPM_HEADER_SIZE) {
        qemu_log_guest_error("tpm-crb: command size %u is less than the "
                             "TPM header size %u\n", size, TPM_HEADER_SIZE);
        tpm_util_write_header(s->cmdbuf, TPM_CRB_CMD_BUFFER_SIZE,
                              TPM2_ST_NO_SESSIONS, TPM2_RC_COMMAND_SIZE);
        return;
    }
    /* Snapshot: the guest may scribble on the buffer meanwhile. */
    s->cmd = (TPMBackendCmd) {
        .locty = 0,
        .in = s->cmd_in,
        .in_len = MIN(size, s->be_buffer_size),
        .out = s->cmd_out,
        .out_len = s->be_buffer_size,
    };
    memcpy(s->cmd_in, s->cmdbuf, s->cmd.in_len);
    *crb_reg(s, TPM_CRB_CTRL_START) |= TPM_CRB_CTRL_START_INVOKE;
    trace_event("tpm_crb_start", "command 0x%x, %u bytes",
                tpm_cmd_get_code(s->cmd_in), s->cmd.in_len);
    tpm_backend_deliver_request(s->tpmbe, &s->cmd);
    assert_tpm_crb_state(s);
}

/* ------------------------------------------------------------- registers */

static uint64_t tpm_crb_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    CRBState *s = opaque;
    hwaddr reg = QEMU_ALIGN_DOWN(addr, sizeof(uint32_t));
    uint32_t val = *crb_reg(s, reg);

    switch (reg) {
    case TPM_CRB_LOC_STATE:
        /* As QEMU: the bit reads 1 while the TPM is not established. */
        if (!tpm_backend_get_tpm_established_flag(s->tpmbe)) {
            val |= TPM_CRB_LOC_STATE_ESTABLISHED;
        }
        break;
    case TPM_CRB_CTRL_STS:
        if (!tpm_backend_is_operational(s->tpmbe)) {
            val |= TPM_CRB_CTRL_STS_TPM_STS;
        }
        break;
    }
    val >>= 8 * (addr - reg);
    return size < sizeof(uint32_t) ? val & ((1u << (8 * size)) - 1) : val;
}

static void tpm_crb_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                               unsigned size)
{
    CRBState *s = opaque;
    uint32_t *loc_state = crb_reg(s, TPM_CRB_LOC_STATE);
    uint32_t *loc_sts = crb_reg(s, TPM_CRB_LOC_STS);
    uint32_t *ctrl_sts = crb_reg(s, TPM_CRB_CTRL_STS);
    bool busy = *crb_reg(s, TPM_CRB_CTRL_START) & TPM_CRB_CTRL_START_INVOKE;

    trace_event("tpm_crb_mmio_write", "addr=0x%" HWADDR_PRIx " size=%u "
                "val=0x%" PRIx64, addr, size, val);
    /* Requests are whole values written at the register's offset. */
    switch (addr) {
    case TPM_CRB_CTRL_REQ:
        if (val == TPM_CRB_CTRL_REQ_CMD_READY) {
            *ctrl_sts &= ~TPM_CRB_CTRL_STS_TPM_IDLE;
        } else if (val == TPM_CRB_CTRL_REQ_GO_IDLE) {
            *ctrl_sts |= TPM_CRB_CTRL_STS_TPM_IDLE;
        }
        break;
    case TPM_CRB_CTRL_CANCEL:
        if (val == TPM_CRB_CTRL_CANCEL_INVOKE && busy) {
            tpm_backend_cancel_cmd(s->tpmbe);
        }
        break;
    case TPM_CRB_CTRL_START:
        if (val == TPM_CRB_CTRL_START_INVOKE && !busy &&
            tpm_crb_locality0_assigned(s)) {
            tpm_crb_start(s);
        }
        break;
    case TPM_CRB_LOC_CTRL:
        if (val == TPM_CRB_LOC_CTRL_REQUEST_ACCESS) {
            *loc_sts |= TPM_CRB_LOC_STS_GRANTED;
            *loc_sts &= ~TPM_CRB_LOC_STS_BEEN_SEIZED;
            *loc_state |= TPM_CRB_LOC_STATE_LOC_ASSIGNED;
        } else if (val == TPM_CRB_LOC_CTRL_RELINQUISH) {
            *loc_sts &= ~TPM_CRB_LOC_STS_GRANTED;
            *loc_state &= ~TPM_CRB_LOC_STATE_LOC_ASSIGNED;
        }
        /* seize and resetEstablishment are for localities 3 and 4. */
        break;
    }
}

static const MemoryRegionOps tpm_crb_mmio_ops = {
    .read = tpm_crb_mmio_read,
    .write = tpm_crb_mmio_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

/* ----------------------------------------------------------------- reset */

static void tpm_crb_reset(DeviceState *dev)
{
    CRBState *s = CRB(dev);
    hwaddr buffer = TPM_CRB_ADDR_BASE + TPM_CRB_DATA_BUFFER;
    size_t actual = 0;
    Error *err = NULL;

    /* A command in flight completes first, into the old registers. */
    tpm_backend_finish_sync(s->tpmbe);
    memset(s->regs, 0, sizeof(s->regs));
    *crb_reg(s, TPM_CRB_LOC_STATE) = TPM_CRB_LOC_STATE_REG_VALID;
    *crb_reg(s, TPM_CRB_CTRL_STS) = TPM_CRB_CTRL_STS_TPM_IDLE;
    *crb_reg(s, TPM_CRB_INTF_ID) =
        TPM_CRB_INTF_TYPE_CRB_ACTIVE | TPM_CRB_INTF_VERSION_CRB |
        TPM_CRB_INTF_CAP_LOCALITY_0_ONLY | TPM_CRB_INTF_CAP_IDLE_FAST |
        TPM_CRB_INTF_CAP_XFER_SIZE_64 | TPM_CRB_INTF_CAP_FIFO_NOT_SUPPORTED |
        TPM_CRB_INTF_CAP_CRB_SUPPORTED | TPM_CRB_INTF_IF_SELECTOR_CRB;
    *crb_reg(s, TPM_CRB_INTF_ID2) = TPM_CRB_INTF_ID2_VID_IBM;
    *crb_reg(s, TPM_CRB_CTRL_CMD_SIZE) = TPM_CRB_CMD_BUFFER_SIZE;
    *crb_reg(s, TPM_CRB_CTRL_CMD_LADDR) = buffer;
    *crb_reg(s, TPM_CRB_CTRL_RSP_SIZE) = TPM_CRB_CMD_BUFFER_SIZE;
    *crb_reg(s, TPM_CRB_CTRL_RSP_ADDR) = buffer;

    if (!tpm_backend_startup_tpm(s->tpmbe, TPM_CRB_CMD_BUFFER_SIZE, &actual,
                                 &err)) {
        /* every reset tries again, and the guest can reset at will */
        static LogRateLimit rl = LOG_RATE_LIMIT_DEFAULT;

        error_report_ratelimited(&rl, "tpm-crb: the TPM did not start: %s; "
                                 "it reports a fatal error to the guest",
                                 error_get_pretty(err));
        error_free(err);
        actual = TPM_CRB_CMD_BUFFER_SIZE;
    }
    s->be_buffer_size = MAX(MIN(actual, TPM_CRB_CMD_BUFFER_SIZE),
                            TPM_HEADER_SIZE);
    assert_tpm_crb_state(s);
}

/* --------------------------------------------------------------- realize */

static int tpm_crb_find_other(Object *obj, void *opaque)
{
    return obj != opaque && object_dynamic_cast(obj, TYPE_TPM_CRB) &&
           DEVICE(obj)->realized;
}

static bool tpm_crb_realize(DeviceState *dev, Error **errp)
{
    CRBState *s = CRB(dev);
    MachineState *ms = machine_get_current();
    size_t page = qemu_real_host_page_size();
    void *buf;

    if (object_child_foreach_recursive(object_get_root(),
                                       tpm_crb_find_other, s)) {
        error_setg(errp, "at most one TPM device is permitted");
        return false;
    }
    if (!s->tpmdev) {
        error_setg(errp, "'tpmdev' property is required");
        return false;
    }
    s->tpmbe = tpm_backend_find(s->tpmdev);
    if (!s->tpmbe) {
        error_setg(errp, "Property 'tpm-crb.tpmdev' can't find value '%s'",
                   s->tpmdev);
        return false;
    }
    if (!tpm_backend_init(s->tpmbe, TYPE_TPM_CRB, tpm_crb_request_completed,
                          s, errp)) {
        s->tpmbe = NULL;
        return false;
    }
    if (posix_memalign(&buf, page, ROUND_UP(TPM_CRB_CMD_BUFFER_SIZE, page))) {
        g_error("tpm-crb: cannot allocate the command buffer");
    }
    s->cmdbuf = buf;
    memset(s->cmdbuf, 0, TPM_CRB_CMD_BUFFER_SIZE);

    s->container = &ms->sysmem;
    memory_region_transaction_begin();
    memory_region_init_io(&s->mmio, OBJECT(s), &tpm_crb_mmio_ops, s,
                          "tpm-crb-mmio", TPM_CRB_REGS_SIZE);
    memory_region_init_ram_ptr(&s->cmdmem, OBJECT(s), "tpm-crb-cmd",
                               TPM_CRB_CMD_BUFFER_SIZE, s->cmdbuf);
    memory_region_add_subregion(s->container, TPM_CRB_ADDR_BASE, &s->mmio);
    memory_region_add_subregion(s->container,
                                TPM_CRB_ADDR_BASE + TPM_CRB_DATA_BUFFER,
                                &s->cmdmem);
    if (s->ppi_enabled) {
        tpm_ppi_init(&s->ppi, s->container, &ms->as_memory,
                     ms->ignore_discard_manager ?
                     GUEST_PHYS_BLOCKS_IGNORE_DISCARD_MANAGER : 0,
                     TPM_PPI_ADDR_BASE, OBJECT(s));
    }
    memory_region_transaction_commit();
    return true;
}

static void tpm_crb_unrealize(DeviceState *dev)
{
    CRBState *s = CRB(dev);

    tpm_backend_deinit(s->tpmbe);
    memory_region_transaction_begin();
    if (s->ppi_enabled) {
        tpm_ppi_uninit(&s->ppi);
    }
    memory_region_del_subregion(s->container, &s->mmio);
    memory_region_del_subregion(s->container, &s->cmdmem);
    memory_region_transaction_commit();
    memory_region_destroy(&s->mmio);
    memory_region_destroy(&s->cmdmem);
    free(s->cmdbuf);
    s->cmdbuf = NULL;
}

static void tpm_crb_instance_init(Object *obj)
{
    CRBState *s = CRB(obj);
    ObjectProperty *prop;

    s->ppi_enabled = true;
    prop = object_property_add_field(obj, "tpmdev", "str", PROP_KIND_STR,
                                     offsetof(CRBState, tpmdev),
                                     OBJ_PROP_FLAG_BEFORE_REALIZE);
    object_property_set_description(prop, "ID of a tpm to use as a backend");
    object_property_add_field(obj, "ppi", "bool", PROP_KIND_BOOL,
                              offsetof(CRBState, ppi_enabled),
                              OBJ_PROP_FLAG_BEFORE_REALIZE);
}

static void tpm_crb_class_init(ObjectClass *klass)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = tpm_crb_realize;
    dc->unrealize = tpm_crb_unrealize;
    dc->reset = tpm_crb_reset;
    dc->desc = "TPM 2.0 CRB interface (swtpm via -tpmdev emulator)";
    dc->user_creatable = true;
}

void tpm_crb_register_types(void)
{
    static const TypeInfo info = {
        .name = TYPE_TPM_CRB,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(CRBState),
        .instance_init = tpm_crb_instance_init,
        .class_init = tpm_crb_class_init,
    };

    type_register_static(&info);
    tpm_backend_register_model(TYPE_TPM_CRB);
}
