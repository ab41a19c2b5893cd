/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tpm_emulator.c: the "emulator" TPM back end: a TPM implemented by a
 * separate swtpm process, reached through a -chardev socket (client).
 *
 *   -chardev socket,id=chrtpm,path=/run/swtpm.ctrl
 *   -tpmdev emulator,id=tpm0,chardev=chrtpm
 */
#include "qemu/osdep.h"
#include <glib-unix.h>
#include <sys/socket.h>
#include "backends/tpm/tpm_int.h"
#include "backends/tpm/tpm_ioctl.h"
#include "chardev/char.h"
#include "qemu/error.h"
#include "qemu/trace.h"

/**
 * DOC: the two channels
 * The chardev's socket is swtpm's *control channel*: request/response
 * messages (backends/tpm/tpm_ioctl.h) to initialise, stop, shut down and
 * query the TPM.  TPM commands travel on a separate *data channel*: a
 * socketpair whose one end we pass to swtpm with CMD_SET_DATAFD
 * (SCM_RIGHTS), as QEMU does.  On the data channel we write a command and
 * read back one response: a 10-byte header whose size field says how
 * much follows.
 *
 * Control messages are synchronous (swtpm answers at once) and bounded by
 * TPM_EMULATOR_TIMEOUT_MS.  TPM commands are asynchronous: the answer is
 * collected by a main-loop watch on the data channel, so a slow TPM
 * command (key generation) never blocks the monitor.
 */

/**
 * DOC: states
 *   DISCONNECTED  no channels.  Commands fail at once with a fatal-error
 *                 answer.  -> STOPPED by tpm_emulator_connect() (at
 *                 creation, and again from startup_tpm at a system reset).
 *   STOPPED       channels open, TPM not initialised (CMD_STOP sent, or
 *                 CMD_INIT not yet / failed).  Commands fail at once.
 *                 -> RUNNING by tpm_emulator_startup_tpm() (CMD_INIT).
 *   RUNNING       ready for one command.  -> BUSY by deliver_request.
 *   BUSY          one command in flight (s->parent.cmd != NULL); its
 *                 answer is being collected in cmd->out (resp_len bytes
 *                 so far).  -> RUNNING when complete.
 *   any -> DISCONNECTED by tpm_emulator_lost(): a channel closed, an I/O
 *                 error or timeout, or an answer that breaks the protocol.
 *                 The command in flight (if any) completes with failure
 *                 and one error message says what happened.
 * Invariants: ctrl_fd >= 0 and data_fd >= 0 exactly when not
 * DISCONNECTED; data_watch != 0 exactly in BUSY; ctrl_watch != 0 when not
 * DISCONNECTED (it notices swtpm dying while we are idle).
 */

/* Longest we wait for swtpm to answer a control message or finish a
 * command we must wait for (reset, exit). */
#define TPM_EMULATOR_TIMEOUT_MS     10000

/* Largest control message body we send. */
#define TPM_EMULATOR_CTRL_MAX       16

typedef enum TPMEmulatorState {
    TPM_EMULATOR_DISCONNECTED,
    TPM_EMULATOR_STOPPED,
    TPM_EMULATOR_RUNNING,
    TPM_EMULATOR_BUSY,
} TPMEmulatorState;

typedef struct TPMEmulator {
    TPMBackend parent;
    Chardev *chr;               /* borrowed; chardevs live until exit */
    char *chardev_id;
    TPMEmulatorState state;
    int ctrl_fd;                /* control channel, or -1 */
    int data_fd;                /* our end of the data channel, or -1 */
    guint ctrl_watch;
    guint data_watch;
    TPMVersion version;
    uint64_t caps;              /* PTM_CAP_* the emulator offers */
    int cur_locty;              /* locality last set, -1: unknown */
    bool established_cached;
    bool established;
    uint32_t resp_len;          /* BUSY: bytes of the answer received */
} TPMEmulator;

#define TPM_EMULATOR(tb) container_of(tb, TPMEmulator, parent)

static const char *const tpm_emulator_state_names[] = {
    [TPM_EMULATOR_DISCONNECTED] = "disconnected",
    [TPM_EMULATOR_STOPPED] = "stopped",
    [TPM_EMULATOR_RUNNING] = "running",
    [TPM_EMULATOR_BUSY] = "busy",
};

static void assert_tpm_emulator_state(const TPMEmulator *s)
{
    bool connected = s->state != TPM_EMULATOR_DISCONNECTED;

    assert((s->ctrl_fd >= 0) == connected);
    assert((s->data_fd >= 0) == connected);
    assert((s->ctrl_watch != 0) == connected);
    assert((s->data_watch != 0) == (s->state == TPM_EMULATOR_BUSY));
    assert((s->parent.cmd != NULL) == (s->state == TPM_EMULATOR_BUSY));
}

static void tpm_emulator_set_state(TPMEmulator *s, TPMEmulatorState state)
{
    trace_event("tpm_emulator_state", "%s: %s -> %s", s->parent.id,
                tpm_emulator_state_names[s->state],
                tpm_emulator_state_names[state]);
    s->state = state;
}

/*
 * Answer the command in flight with a fatal error.  The state must
 * already be the one to stay in: the front end may send the next command
 * from its completion callback.
 */
static void tpm_emulator_fail_cmd(TPMEmulator *s, int ret)
{
    TPMBackendCmd *cmd = s->parent.cmd;

    tpm_util_write_fatal_error_response(cmd->out, cmd->out_len);
    tpm_backend_request_completed(&s->parent, ret);
}

/*
 * The emulator is gone or broke the protocol: close everything, report
 * once, and fail the command in flight.  @what says what we were doing.
 */
static void tpm_emulator_lost(TPMEmulator *s, const char *what, int err)
{
    bool busy = s->state == TPM_EMULATOR_BUSY;

    if (s->state == TPM_EMULATOR_DISCONNECTED) {
        return;
    }
    error_report("tpm-emulator: lost the TPM emulator behind chardev '%s' "
                 "(%s: %s); the TPM reports a fatal error to the guest "
                 "until a system reset reconnects it", s->chardev_id, what,
                 g_strerror(-err));
    g_clear_handle_id(&s->ctrl_watch, g_source_remove);
    g_clear_handle_id(&s->data_watch, g_source_remove);
    close(s->ctrl_fd);
    close(s->data_fd);
    s->ctrl_fd = s->data_fd = -1;
    tpm_emulator_set_state(s, TPM_EMULATOR_DISCONNECTED);
    if (busy) {
        tpm_emulator_fail_cmd(s, err);
    }
    assert_tpm_emulator_state(s);
}

/*
 * Send control message @cmd with @in_len bytes of @in (and @pass_fd if
 * >= 0) and read @out_len bytes of answer into @out.  An I/O failure
 * loses the emulator; the TPM result inside @out is the caller's to
 * check.
 */
static bool tpm_emulator_ctrlcmd(TPMEmulator *s, uint32_t cmd,
                                 const void *in, size_t in_len, void *out,
                                 size_t out_len, int pass_fd,
                                 const char *name, Error **errp)
{
    uint8_t buf[sizeof(uint32_t) + TPM_EMULATOR_CTRL_MAX];
    int ret;

    assert(in_len <= TPM_EMULATOR_CTRL_MAX);
    if (s->ctrl_fd < 0) {
        error_setg(errp, "tpm-emulator: cannot send %s: not connected", name);
        return false;
    }
    tpm_cmd_set_be32(buf, cmd);
    if (in_len) {
        memcpy(buf + sizeof(uint32_t), in, in_len);
    }
    ret = tpm_util_send_all(s->ctrl_fd, buf, sizeof(uint32_t) + in_len,
                            pass_fd, TPM_EMULATOR_TIMEOUT_MS);
    if (ret == 0) {
        ret = tpm_util_recv_all(s->ctrl_fd, out, out_len,
                                TPM_EMULATOR_TIMEOUT_MS);
    }
    trace_event("tpm_emulator_ctrlcmd", "%s: %s ret=%d", s->parent.id, name,
                ret);
    /* 0 or -errno; any other value would leave @out unread: refuse it */
    if (ret != 0) {
        error_setg(errp, "tpm-emulator: %s failed: %s", name,
                   g_strerror(-ret));
        tpm_emulator_lost(s, name, ret);
        return false;
    }
    return true;
}

/* Check the leading TPM result of a control answer. */
static bool tpm_emulator_check_result(const uint8_t *resp, const char *name,
                                      Error **errp)
{
    uint32_t res = tpm_cmd_get_be32(resp);

    if (res) {
        error_setg(errp, "tpm-emulator: TPM result for %s: 0x%x", name, res);
        return false;
    }
    return true;
}

/* A control message whose request and answer are a bare result. */
static bool tpm_emulator_simple_cmd(TPMEmulator *s, uint32_t cmd,
                                    const char *name, Error **errp)
{
    uint8_t res[PTM_RES_SIZE];

    return tpm_emulator_ctrlcmd(s, cmd, NULL, 0, res, sizeof(res), -1, name,
                                errp) &&
           tpm_emulator_check_result(res, name, errp);
}

/* ------------------------------------------------------------- idle watch */

static gboolean tpm_emulator_ctrl_event(int fd, GIOCondition cond,
                                        gpointer opaque)
{
    TPMEmulator *s = opaque;
    uint8_t byte;
    ssize_t n = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);

    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return G_SOURCE_CONTINUE;
    }
    s->ctrl_watch = 0;      /* returning REMOVE drops it */
    tpm_emulator_lost(s, "control channel",
                      n == 0 ? -ECONNRESET : n < 0 ? -errno : -EPROTO);
    return G_SOURCE_REMOVE;
}

/* --------------------------------------------------------------- connect */

/* Hand swtpm one end of a fresh socketpair as its data channel. */
static bool tpm_emulator_set_datafd(TPMEmulator *s, Error **errp)
{
    uint8_t res[PTM_RES_SIZE];
    int fds[2];
    bool ok;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
        error_setg_errno(errp, errno, "tpm-emulator: cannot create the data "
                         "channel");
        return false;
    }
    ok = tpm_emulator_ctrlcmd(s, PTM_CMD_SET_DATAFD, NULL, 0, res,
                              sizeof(res), fds[1], "CMD_SET_DATAFD", errp) &&
         tpm_emulator_check_result(res, "CMD_SET_DATAFD", errp);
    close(fds[1]);
    if (!ok) {
        close(fds[0]);
        return false;
    }
    s->data_fd = fds[0];
    return true;
}

static bool tpm_emulator_probe(TPMEmulator *s, Error **errp)
{
    uint8_t caps[PTM_CAP_RESP_SIZE];
    int ret = tpm_util_test_tpmdev(s->data_fd, TPM_EMULATOR_TIMEOUT_MS,
                                   &s->version);

    if (ret < 0) {
        error_setg(errp, "'%s' is not emulating TPM device. Error: %s",
                   s->chardev_id, g_strerror(-ret));
        return false;
    }
    if (s->version != TPM_VERSION_2_0) {
        error_setg(errp, "tpm-emulator: the emulator behind '%s' is a TPM "
                   "%s; only TPM 2.0 is supported (start swtpm with --tpm2)",
                   s->chardev_id, tpm_version_name(s->version));
        return false;
    }
    if (!tpm_emulator_ctrlcmd(s, PTM_CMD_GET_CAPABILITY, NULL, 0, caps,
                              sizeof(caps), -1, "CMD_GET_CAPABILITY",
                              errp)) {
        return false;
    }
    s->caps = (uint64_t)tpm_cmd_get_be32(caps) << 32 |
              tpm_cmd_get_be32(caps + 4);
    trace_event("tpm_emulator_probe_caps", "%s: caps=0x%" PRIx64,
                s->parent.id, s->caps);
    if ((s->caps & PTM_CAPS_REQUIRED_TPM2) != PTM_CAPS_REQUIRED_TPM2) {
        error_setg(errp, "tpm-emulator: TPM does not implement minimum set "
                   "of required capabilities for TPM 2 (0x%x)",
                   (unsigned)PTM_CAPS_REQUIRED_TPM2);
        return false;
    }
    return true;
}

/* DISCONNECTED -> STOPPED: open both channels and check the emulator. */
static bool tpm_emulator_connect(TPMEmulator *s, Error **errp)
{
    Error *err = NULL;

    assert(s->state == TPM_EMULATOR_DISCONNECTED);
    s->ctrl_fd = qemu_chr_connect_sync(s->chr, &err);
    if (s->ctrl_fd < 0) {
        error_setg(errp, "tpm-emulator: cannot reach the TPM emulator "
                   "through chardev '%s': %s", s->chardev_id,
                   error_get_pretty(err));
        error_free(err);
        return false;
    }
    if (!tpm_emulator_set_datafd(s, errp) || !tpm_emulator_probe(s, errp)) {
        if (s->ctrl_fd >= 0) {
            close(s->ctrl_fd);
        }
        if (s->data_fd >= 0) {
            close(s->data_fd);
        }
        s->ctrl_fd = s->data_fd = -1;
        return false;
    }
    s->cur_locty = -1;
    s->established_cached = false;
    s->ctrl_watch = g_unix_fd_add(s->ctrl_fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                  tpm_emulator_ctrl_event, s);
    tpm_emulator_set_state(s, TPM_EMULATOR_STOPPED);
    assert_tpm_emulator_state(s);
    return true;
}

/* ------------------------------------------------------------- TPM ops */

static TPMBackend *tpm_emulator_create(const char *id, QemuOpts *opts,
                                       Error **errp)
{
    const char *chardev = qemu_opt_get(opts, "chardev");
    TPMEmulator *s;
    Chardev *chr;

    if (!qemu_opts_check_unused(opts, errp)) {
        return NULL;
    }
    if (!chardev) {
        error_setg(errp, "tpm-emulator: parameter 'chardev' is missing");
        return NULL;
    }
    chr = qemu_chr_find(chardev);
    if (!chr) {
        error_setg(errp, "tpm-emulator: tpm chardev '%s' not found",
                   chardev);
        return NULL;
    }
    if (!qemu_chr_get_path(chr) || qemu_chr_is_server(chr)) {
        error_setg(errp, "tpm-emulator: No valid chardev found at '%s': the "
                   "TPM emulator needs a client socket chardev "
                   "(socket,path=PATH without server=on)", chardev);
        return NULL;
    }
    s = g_new0(TPMEmulator, 1);
    s->parent.ops = &tpm_emulator_ops;
    s->parent.id = g_strdup(id);
    s->chr = chr;
    s->chardev_id = g_strdup(chardev);
    s->ctrl_fd = s->data_fd = -1;
    s->cur_locty = -1;
    if (!tpm_emulator_connect(s, errp)) {
        g_free(s->parent.id);
        g_free(s->chardev_id);
        g_free(s);
        return NULL;
    }
    return &s->parent;
}

static bool tpm_emulator_startup_tpm(TPMBackend *tb, size_t wanted,
                                     size_t *actual, Error **errp)
{
    TPMEmulator *s = TPM_EMULATOR(tb);
    uint8_t req[PTM_BUFSIZE_REQ_SIZE];
    uint8_t resp[PTM_BUFSIZE_RESP_SIZE];
    uint8_t init[PTM_INIT_REQ_SIZE] = { 0 };   /* no flags */
    uint8_t res[PTM_RES_SIZE];

    assert(s->state != TPM_EMULATOR_BUSY);
    if (s->state == TPM_EMULATOR_DISCONNECTED &&
        !tpm_emulator_connect(s, errp)) {
        return false;
    }
    /*
     * A buffer size may only be set while the TPM is stopped.  From here
     * on commands fail until CMD_INIT succeeds.
     */
    tpm_emulator_set_state(s, TPM_EMULATOR_STOPPED);
    if (!tpm_emulator_simple_cmd(s, PTM_CMD_STOP, "CMD_STOP", errp)) {
        return false;
    }
    tpm_cmd_set_be32(req, wanted);
    if (!tpm_emulator_ctrlcmd(s, PTM_CMD_SET_BUFFERSIZE, req, sizeof(req),
                              resp, sizeof(resp), -1, "CMD_SET_BUFFERSIZE",
                              errp) ||
        !tpm_emulator_check_result(resp, "CMD_SET_BUFFERSIZE", errp)) {
        return false;
    }
    *actual = tpm_cmd_get_be32(resp + PTM_BUFSIZE_RESP_SIZE_OFFSET);
    if (!tpm_emulator_ctrlcmd(s, PTM_CMD_INIT, init, sizeof(init), res,
                              sizeof(res), -1, "CMD_INIT", errp) ||
        !tpm_emulator_check_result(res, "CMD_INIT", errp)) {
        return false;
    }
    s->cur_locty = -1;
    s->established_cached = false;
    tpm_emulator_set_state(s, TPM_EMULATOR_RUNNING);
    trace_event("tpm_emulator_startup", "%s: buffer %zu of %zu wanted",
                tb->id, *actual, wanted);
    return true;
}

static bool tpm_emulator_set_locality(TPMEmulator *s, uint8_t locty)
{
    uint8_t req[PTM_LOC_REQ_SIZE] = { locty };
    uint8_t res[PTM_RES_SIZE];
    Error *err = NULL;

    if (s->cur_locty == locty) {
        return true;
    }
    if (!tpm_emulator_ctrlcmd(s, PTM_CMD_SET_LOCALITY, req, sizeof(req), res,
                              sizeof(res), -1, "CMD_SET_LOCALITY", &err) ||
        !tpm_emulator_check_result(res, "CMD_SET_LOCALITY", &err)) {
        trace_event("tpm_emulator_set_locality_fail", "%s: %s", s->parent.id,
                    error_get_pretty(err));
        error_free(err);
        return false;
    }
    s->cur_locty = locty;
    return true;
}

/*
 * Take in what the data channel has of the answer, waiting up to
 * @timeout_ms for it to start.  Returns 1 when the answer is complete,
 * 0 when more is to come, or a negative errno (the emulator is lost).
 */
static int tpm_emulator_receive(TPMEmulator *s, int timeout_ms)
{
    TPMBackendCmd *cmd = s->parent.cmd;
    uint32_t total;
    ssize_t n;

    total = s->resp_len < TPM_HEADER_SIZE ? TPM_HEADER_SIZE
                                          : tpm_cmd_get_size(cmd->out);
    n = tpm_util_recv_some(s->data_fd, cmd->out + s->resp_len,
                           total - s->resp_len, timeout_ms);
    if (n == -EAGAIN) {
        return 0;
    }
    if (n < 0) {
        tpm_emulator_lost(s, "data channel", n);
        return n;
    }
    s->resp_len += n;
    if (s->resp_len == TPM_HEADER_SIZE) {
        total = tpm_cmd_get_size(cmd->out);
        if (total < TPM_HEADER_SIZE || total > cmd->out_len) {
            trace_event("tpm_emulator_bad_answer", "%s: size %u, room %u",
                        s->parent.id, total, cmd->out_len);
            tpm_emulator_lost(s, "answer larger than the buffer", -EPROTO);
            return -EPROTO;
        }
    }
    if (s->resp_len < TPM_HEADER_SIZE || s->resp_len < total) {
        return 0;
    }
    g_clear_handle_id(&s->data_watch, g_source_remove);
    tpm_emulator_set_state(s, TPM_EMULATOR_RUNNING);
    tpm_backend_request_completed(&s->parent, 0);
    return 1;
}

static gboolean tpm_emulator_data_event(int fd, GIOCondition cond,
                                        gpointer opaque)
{
    TPMEmulator *s = opaque;
    guint self = s->data_watch;
    int ret = tpm_emulator_receive(s, 0);

    /* Done or lost: the watch was removed (it is us; GLib allows it). */
    if (ret != 0 || s->data_watch != self) {
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static void tpm_emulator_deliver_request(TPMBackend *tb, TPMBackendCmd *cmd)
{
    TPMEmulator *s = TPM_EMULATOR(tb);
    int ret;

    assert(s->state != TPM_EMULATOR_BUSY);
    if (s->state != TPM_EMULATOR_RUNNING) {
        /* Not connected, or the last startup failed. */
        tpm_emulator_fail_cmd(s, -ENOTCONN);
        return;
    }
    tpm_emulator_set_state(s, TPM_EMULATOR_BUSY);
    s->resp_len = 0;
    if (!tpm_emulator_set_locality(s, cmd->locty)) {
        if (s->state == TPM_EMULATOR_BUSY) {
            /* Refused but still connected: only this command fails. */
            tpm_emulator_set_state(s, TPM_EMULATOR_RUNNING);
            tpm_emulator_fail_cmd(s, -EINVAL);
        }
        return;     /* else lost, and the command failed with it */
    }
    ret = tpm_util_send_all(s->data_fd, cmd->in, cmd->in_len, -1,
                            TPM_EMULATOR_TIMEOUT_MS);
    if (ret < 0) {
        tpm_emulator_lost(s, "data channel", ret);
        return;
    }
    s->data_watch = g_unix_fd_add(s->data_fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                  tpm_emulator_data_event, s);
    assert_tpm_emulator_state(s);
}

static void tpm_emulator_finish_sync(TPMBackend *tb)
{
    TPMEmulator *s = TPM_EMULATOR(tb);
    gint64 deadline = g_get_monotonic_time() +
                      TPM_EMULATOR_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

    while (s->state == TPM_EMULATOR_BUSY) {
        gint64 left = (deadline - g_get_monotonic_time()) /
                      G_TIME_SPAN_MILLISECOND;

        if (left <= 0) {
            tpm_emulator_lost(s, "waiting for an answer", -ETIMEDOUT);
            break;
        }
        tpm_emulator_receive(s, left);
    }
}

static void tpm_emulator_cancel_cmd(TPMBackend *tb)
{
    TPMEmulator *s = TPM_EMULATOR(tb);
    Error *err = NULL;

    if (s->state != TPM_EMULATOR_BUSY ||
        !(s->caps & PTM_CAP_CANCEL_TPM_CMD)) {
        return;
    }
    if (!tpm_emulator_simple_cmd(s, PTM_CMD_CANCEL_TPM_CMD,
                                 "CMD_CANCEL_TPM_CMD", &err)) {
        /* The guest may ask often; a trace point, not the terminal. */
        trace_event("tpm_emulator_cancel_fail", "%s: %s", tb->id,
                    error_get_pretty(err));
        error_free(err);
    }
}

static bool tpm_emulator_get_tpm_established_flag(TPMBackend *tb)
{
    TPMEmulator *s = TPM_EMULATOR(tb);
    uint8_t resp[PTM_EST_RESP_SIZE];
    Error *err = NULL;

    if (s->state != TPM_EMULATOR_RUNNING && s->state != TPM_EMULATOR_BUSY) {
        return false;
    }
    if (s->established_cached) {
        return s->established;
    }
    if (!tpm_emulator_ctrlcmd(s, PTM_CMD_GET_TPMESTABLISHED, NULL, 0, resp,
                              sizeof(resp), -1, "CMD_GET_TPMESTABLISHED",
                              &err) ||
        !tpm_emulator_check_result(resp, "CMD_GET_TPMESTABLISHED", &err)) {
        trace_event("tpm_emulator_established_fail", "%s: %s", tb->id,
                    error_get_pretty(err));
        error_free(err);
        return false;
    }
    s->established = resp[PTM_EST_RESP_BIT_OFFSET] != 0;
    s->established_cached = true;
    return s->established;
}

static TPMVersion tpm_emulator_get_tpm_version(TPMBackend *tb)
{
    return TPM_EMULATOR(tb)->version;
}

static bool tpm_emulator_is_operational(TPMBackend *tb)
{
    TPMEmulator *s = TPM_EMULATOR(tb);

    return s->state == TPM_EMULATOR_RUNNING || s->state == TPM_EMULATOR_BUSY;
}

static void tpm_emulator_get_options(TPMBackend *tb, TpmTypeOptions *options)
{
    options->type = TPM_TYPE_EMULATOR;
    options->u.emulator.data = g_new0(TPMEmulatorOptions, 1);
    options->u.emulator.data->chardev = g_strdup(TPM_EMULATOR(tb)->chardev_id);
}

static void tpm_emulator_destroy(TPMBackend *tb)
{
    TPMEmulator *s = TPM_EMULATOR(tb);
    Error *err = NULL;

    tpm_emulator_finish_sync(tb);
    if (s->state != TPM_EMULATOR_DISCONNECTED) {
        /* As QEMU: a clean shutdown, after which swtpm exits. */
        if (!tpm_emulator_simple_cmd(s, PTM_CMD_SHUTDOWN, "CMD_SHUTDOWN",
                                     &err)) {
            error_report("tpm-emulator: Could not cleanly shutdown the TPM: "
                         "%s", error_get_pretty(err));
            error_free(err);
        }
    }
    if (s->state != TPM_EMULATOR_DISCONNECTED) {
        g_clear_handle_id(&s->ctrl_watch, g_source_remove);
        close(s->ctrl_fd);
        close(s->data_fd);
    }
    g_free(s->chardev_id);
    g_free(s);
}

const TPMBackendOps tpm_emulator_ops = {
    .type = "emulator",
    .desc = "TPM emulator backend driver",
    .create = tpm_emulator_create,
    .startup_tpm = tpm_emulator_startup_tpm,
    .deliver_request = tpm_emulator_deliver_request,
    .finish_sync = tpm_emulator_finish_sync,
    .cancel_cmd = tpm_emulator_cancel_cmd,
    .get_tpm_established_flag = tpm_emulator_get_tpm_established_flag,
    .get_tpm_version = tpm_emulator_get_tpm_version,
    .is_operational = tpm_emulator_is_operational,
    .get_options = tpm_emulator_get_options,
    .destroy = tpm_emulator_destroy,
};
