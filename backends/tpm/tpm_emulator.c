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
#include <poll.h>
#include <sys/socket.h>
#include "backends/tpm/tpm_int.h"
#include "backends/tpm/tpm_ioctl.h"
#include "chardev/char.h"
#include "qemu/error.h"
#include "qemu/log.h"
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
 * All I/O on both channels after creation happens on a worker thread, as
 * QEMU's TPM back ends run their requests in a thread pool: a stopped or
 * silent swtpm (each wait is bounded by TPM_EMULATOR_TIMEOUT_MS) then
 * holds up the TPM, never the main loop, so QMP and qtest answer
 * meanwhile.  The main loop queues jobs (start-up after a reset, TPM
 * commands, the shutdown at exit); the worker runs them in order and
 * hands finished ones back through a pipe the main loop watches, where
 * the front end's completion runs.  A command carries copies of its
 * buffers, so the worker never touches the front end's memory.
 */

/**
 * DOC: states
 *   DISCONNECTED  no channels.  Commands fail at once with a fatal-error
 *                 answer.  -> STOPPED by connecting (at creation, on the
 *                 main thread; after a reset, the control socket is
 *                 opened on the main thread, the rest on the worker).
 *   STOPPED       channels open, TPM not initialised (CMD_STOP sent, or
 *                 CMD_INIT not yet / failed).  Commands fail.
 *                 -> RUNNING by the start-up job (CMD_INIT).
 *   RUNNING       ready for commands.  -> BUSY while the worker runs one.
 *   BUSY          the worker is running a command: it sent it and is
 *                 collecting the answer.  -> RUNNING when complete.
 *   any -> DISCONNECTED by tpm_emulator_lost() (worker): a channel
 *                 closed, an I/O error or timeout, or an answer that
 *                 breaks the protocol.  The command being run fails and
 *                 one (rate-limited) error message says what happened.
 * The state is the worker's; the main loop reads it (atomically) to
 * answer is_operational, and counts the start-ups it queued that have
 * not finished (a reset's start-up is assumed to succeed until it
 * fails, and commands queue behind it).
 * Invariants (worker): ctrl_fd >= 0 and data_fd >= 0 exactly when not
 * DISCONNECTED.  Main loop: parent.cmd != NULL exactly while a command
 * job of the current generation is queued or running.
 *
 * A reset does not wait for the command in flight: tpm_emulator_finish_sync()
 * completes it at once with a fatal-error answer and starts a new
 * generation; the worker's eventual answer to it is dropped.
 */

/* Longest the worker waits for swtpm to answer a control message or a
 * command. */
#define TPM_EMULATOR_TIMEOUT_MS     10000
/* Slices of that wait, between which the worker looks for a cancel. */
#define TPM_EMULATOR_SLICE_MS       20
/* How often an idle worker checks that swtpm is still there. */
#define TPM_EMULATOR_IDLE_CHECK_US  (100 * 1000)

/* Largest control message body we send. */
#define TPM_EMULATOR_CTRL_MAX       16

typedef enum TPMEmulatorState {
    TPM_EMULATOR_DISCONNECTED,
    TPM_EMULATOR_STOPPED,
    TPM_EMULATOR_RUNNING,
    TPM_EMULATOR_BUSY,
} TPMEmulatorState;

typedef enum TPMEmulatorJobKind {
    TPM_EMULATOR_JOB_STARTUP,
    TPM_EMULATOR_JOB_COMMAND,
    TPM_EMULATOR_JOB_SHUTDOWN,
} TPMEmulatorJobKind;

typedef struct TPMEmulator TPMEmulator;

/**
 * struct TPMEmulatorJob: one unit of work for the worker; owned by the
 * queue, then the worker, then the done queue, then freed by the main
 * loop.
 * @gen: the main loop's generation when queued (COMMAND).
 * @ctrl_fd: STARTUP of a disconnected emulator: the control socket the
 *           main loop opened, or -1.
 * @wanted: STARTUP: buffer size to ask for.
 * @locty, @in, @in_len: COMMAND: copies of the front end's command.
 * @out, @out_len: COMMAND: the answer (the worker's buffer).
 * @ret: result: 0 or a negative errno.
 * @err: STARTUP: why it failed (NULL on success).
 */
typedef struct TPMEmulatorJob {
    TPMEmulatorJobKind kind;
    uint64_t gen;
    int ctrl_fd;
    size_t wanted;
    uint8_t locty;
    uint8_t *in;
    uint32_t in_len;
    uint8_t *out;
    uint32_t out_len;
    int ret;
    Error *err;
} TPMEmulatorJob;

struct TPMEmulator {
    TPMBackend parent;
    Chardev *chr;               /* borrowed; chardevs live until exit */
    char *chardev_id;
    /* shared: atomics */
    int version;                /* TPMVersion; set again at reconnect */
    uint64_t caps;              /* PTM_CAP_* the emulator offers */
    int state;                  /* TPMEmulatorState; written by worker */
    int established;            /* flag read after start-up, 0 or 1 */
    uint64_t cancel_gen;        /* generation + 1 of a command to cancel */

    /* guest-triggerable messages: per emulator (log.c locks them) */
    LogRateLimit lost_rl;       /* "lost the TPM emulator" */
    LogRateLimit startup_rl;    /* "the TPM did not start" */

    /* main loop only */
    uint64_t gen;               /* bumped by a reset (finish_sync) */
    unsigned startups_pending;  /* STARTUP jobs queued, not done */
    guint done_watch;           /* on done_pipe[0] */

    /* worker only */
    int ctrl_fd;                /* control channel, or -1 */
    int data_fd;                /* our end of the data channel, or -1 */
    int cur_locty;              /* locality last set, -1: unknown */

    /* the thread and its queues */
    GThread *worker;
    GAsyncQueue *jobs;          /* main -> worker */
    GAsyncQueue *done;          /* worker -> main */
    int done_pipe[2];           /* a byte per finished job wakes main */
};

#define TPM_EMULATOR(tb) container_of(tb, TPMEmulator, parent)

static const char *const tpm_emulator_state_names[] = {
    [TPM_EMULATOR_DISCONNECTED] = "disconnected",
    [TPM_EMULATOR_STOPPED] = "stopped",
    [TPM_EMULATOR_RUNNING] = "running",
    [TPM_EMULATOR_BUSY] = "busy",
};

static TPMEmulatorState tpm_emulator_get_state(TPMEmulator *s)
{
    return g_atomic_int_get(&s->state);
}

/* Worker (or main before the worker starts). */
static void assert_tpm_emulator_state(TPMEmulator *s)
{
    bool connected = tpm_emulator_get_state(s) != TPM_EMULATOR_DISCONNECTED;

    assert((s->ctrl_fd >= 0) == connected);
    assert((s->data_fd >= 0) == connected);
}

static void tpm_emulator_set_state(TPMEmulator *s, TPMEmulatorState state)
{
    trace_event("tpm_emulator_state", "%s: %s -> %s", s->parent.id,
                tpm_emulator_state_names[tpm_emulator_get_state(s)],
                tpm_emulator_state_names[state]);
    g_atomic_int_set(&s->state, state);
}

/*
 * The emulator is gone or broke the protocol (worker): close everything
 * and report (rate-limited).  @what says what we were doing.
 */
static void tpm_emulator_lost(TPMEmulator *s, const char *what, int err)
{
    if (tpm_emulator_get_state(s) == TPM_EMULATOR_DISCONNECTED) {
        return;
    }
    /* a guest reset reconnects: an emulator that dies each time repeats */
    error_report_ratelimited(&s->lost_rl, "tpm-emulator: lost the TPM emulator "
                             "behind chardev '%s' (%s: %s); the TPM reports "
                             "a fatal error to the guest until a system "
                             "reset reconnects it", s->chardev_id, what,
                             g_strerror(-err));
    close(s->ctrl_fd);
    close(s->data_fd);
    s->ctrl_fd = s->data_fd = -1;
    tpm_emulator_set_state(s, TPM_EMULATOR_DISCONNECTED);
    assert_tpm_emulator_state(s);
}

/*
 * Send control message @cmd with @in_len bytes of @in (and @pass_fd if
 * >= 0) and read @out_len bytes of answer into @out.  An I/O failure
 * loses the emulator; the TPM result inside @out is the caller's to
 * check.  Worker (or main before the worker starts).
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
    TPMVersion version;
    int ret = tpm_util_test_tpmdev(s->data_fd, TPM_EMULATOR_TIMEOUT_MS,
                                   &version);

    if (ret < 0) {
        error_setg(errp, "'%s' is not emulating TPM device. Error: %s",
                   s->chardev_id, g_strerror(-ret));
        return false;
    }
    if (version != TPM_VERSION_2_0) {
        error_setg(errp, "tpm-emulator: the emulator behind '%s' is a TPM "
                   "%s; only TPM 2.0 is supported (start swtpm with --tpm2)",
                   s->chardev_id, tpm_version_name(version));
        return false;
    }
    if (!tpm_emulator_ctrlcmd(s, PTM_CMD_GET_CAPABILITY, NULL, 0, caps,
                              sizeof(caps), -1, "CMD_GET_CAPABILITY",
                              errp)) {
        return false;
    }
    g_atomic_int_set(&s->version, version);
    __atomic_store_n(&s->caps, (uint64_t)tpm_cmd_get_be32(caps) << 32 |
                     tpm_cmd_get_be32(caps + 4), __ATOMIC_RELAXED);
    trace_event("tpm_emulator_probe_caps", "%s: caps=0x%" PRIx64,
                s->parent.id, __atomic_load_n(&s->caps, __ATOMIC_RELAXED));
    if ((__atomic_load_n(&s->caps, __ATOMIC_RELAXED) &
         PTM_CAPS_REQUIRED_TPM2) != PTM_CAPS_REQUIRED_TPM2) {
        error_setg(errp, "tpm-emulator: TPM does not implement minimum set "
                   "of required capabilities for TPM 2 (0x%x)",
                   (unsigned)PTM_CAPS_REQUIRED_TPM2);
        return false;
    }
    return true;
}

/* Open the control socket (quick: a unix socket connect). */
static int tpm_emulator_open_ctrl(TPMEmulator *s, Error **errp)
{
    Error *err = NULL;
    int fd = qemu_chr_connect_sync(s->chr, &err);

    if (fd < 0) {
        error_setg(errp, "tpm-emulator: cannot reach the TPM emulator "
                   "through chardev '%s': %s", s->chardev_id,
                   error_get_pretty(err));
        error_free(err);
    }
    return fd;
}

/*
 * DISCONNECTED -> STOPPED over the control socket @ctrl_fd (taken over):
 * the data channel and the checks.  Worker, or main before it starts.
 */
static bool tpm_emulator_connect(TPMEmulator *s, int ctrl_fd, Error **errp)
{
    assert(tpm_emulator_get_state(s) == TPM_EMULATOR_DISCONNECTED);
    s->ctrl_fd = ctrl_fd;
    if (!tpm_emulator_set_datafd(s, errp) || !tpm_emulator_probe(s, errp)) {
        /* set_datafd / probe may have lost it already (fds closed) */
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
    tpm_emulator_set_state(s, TPM_EMULATOR_STOPPED);
    assert_tpm_emulator_state(s);
    return true;
}

/* ------------------------------------------------------------ the worker */

/* STOP, SET_BUFFERSIZE, INIT, and the established flag. */
static bool tpm_emulator_do_startup(TPMEmulator *s, TPMEmulatorJob *job,
                                    Error **errp)
{
    uint8_t req[PTM_BUFSIZE_REQ_SIZE];
    uint8_t resp[PTM_BUFSIZE_RESP_SIZE];
    uint8_t init[PTM_INIT_REQ_SIZE] = { 0 };   /* no flags */
    uint8_t res[PTM_RES_SIZE];
    uint8_t est[PTM_EST_RESP_SIZE];
    Error *err = NULL;
    size_t actual;

    if (tpm_emulator_get_state(s) == TPM_EMULATOR_DISCONNECTED) {
        if (job->ctrl_fd < 0) {
            int fd = tpm_emulator_open_ctrl(s, errp);

            if (fd < 0) {
                return false;
            }
            job->ctrl_fd = fd;
        }
        if (!tpm_emulator_connect(s, job->ctrl_fd, errp)) {
            job->ctrl_fd = -1;
            return false;
        }
        job->ctrl_fd = -1;
    }
    /*
     * A buffer size may only be set while the TPM is stopped.  From here
     * on commands fail until CMD_INIT succeeds.
     */
    tpm_emulator_set_state(s, TPM_EMULATOR_STOPPED);
    g_atomic_int_set(&s->established, 0);
    if (!tpm_emulator_simple_cmd(s, PTM_CMD_STOP, "CMD_STOP", errp)) {
        return false;
    }
    tpm_cmd_set_be32(req, job->wanted);
    if (!tpm_emulator_ctrlcmd(s, PTM_CMD_SET_BUFFERSIZE, req, sizeof(req),
                              resp, sizeof(resp), -1, "CMD_SET_BUFFERSIZE",
                              errp) ||
        !tpm_emulator_check_result(resp, "CMD_SET_BUFFERSIZE", errp)) {
        return false;
    }
    actual = tpm_cmd_get_be32(resp + PTM_BUFSIZE_RESP_SIZE_OFFSET);
    if (!tpm_emulator_ctrlcmd(s, PTM_CMD_INIT, init, sizeof(init), res,
                              sizeof(res), -1, "CMD_INIT", errp) ||
        !tpm_emulator_check_result(res, "CMD_INIT", errp)) {
        return false;
    }
    s->cur_locty = -1;
    if (tpm_emulator_ctrlcmd(s, PTM_CMD_GET_TPMESTABLISHED, NULL, 0, est,
                             sizeof(est), -1, "CMD_GET_TPMESTABLISHED",
                             &err) &&
        tpm_emulator_check_result(est, "CMD_GET_TPMESTABLISHED", &err)) {
        g_atomic_int_set(&s->established, est[PTM_EST_RESP_BIT_OFFSET] != 0);
    } else {
        trace_event("tpm_emulator_established_fail", "%s: %s", s->parent.id,
                    error_get_pretty(err));
        error_free(err);
        if (tpm_emulator_get_state(s) == TPM_EMULATOR_DISCONNECTED) {
            error_setg(errp, "tpm-emulator: lost during start-up");
            return false;
        }
    }
    tpm_emulator_set_state(s, TPM_EMULATOR_RUNNING);
    trace_event("tpm_emulator_startup", "%s: buffer %zu of %zu wanted",
                s->parent.id, actual, job->wanted);
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

/* The main loop asked to cancel @job: tell swtpm (best effort). */
static void tpm_emulator_maybe_cancel(TPMEmulator *s, TPMEmulatorJob *job)
{
    uint64_t want = job->gen + 1;
    Error *err = NULL;

    if (!__atomic_compare_exchange_n(&s->cancel_gen, &want, 0, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        return;
    }
    if (!tpm_emulator_simple_cmd(s, PTM_CMD_CANCEL_TPM_CMD,
                                 "CMD_CANCEL_TPM_CMD", &err)) {
        /* The guest may ask often; a trace point, not the terminal. */
        trace_event("tpm_emulator_cancel_fail", "%s: %s", s->parent.id,
                    error_get_pretty(err));
        error_free(err);
    }
}

/*
 * Collect the whole answer of @job within TPM_EMULATOR_TIMEOUT_MS.
 * Returns 0 or a negative errno (the emulator is then lost).
 */
static int tpm_emulator_receive(TPMEmulator *s, TPMEmulatorJob *job)
{
    gint64 deadline = g_get_monotonic_time() +
                      TPM_EMULATOR_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
    uint32_t got = 0, total = TPM_HEADER_SIZE;

    while (got < total) {
        ssize_t n = tpm_util_recv_some(s->data_fd, job->out + got,
                                       total - got, TPM_EMULATOR_SLICE_MS);

        if (n == -ETIMEDOUT || n == -EAGAIN) {
            if (g_get_monotonic_time() > deadline) {
                tpm_emulator_lost(s, "waiting for an answer", -ETIMEDOUT);
                return -ETIMEDOUT;
            }
            tpm_emulator_maybe_cancel(s, job);
            if (s->data_fd < 0) {
                return -ECONNRESET;     /* the cancel lost it */
            }
            continue;
        }
        if (n < 0) {
            tpm_emulator_lost(s, "data channel", n);
            return n;
        }
        got += n;
        if (got == TPM_HEADER_SIZE) {
            total = tpm_cmd_get_size(job->out);
            if (total < TPM_HEADER_SIZE || total > job->out_len) {
                g_autofree char *what = NULL;

                trace_event("tpm_emulator_bad_answer", "%s: size %u, room %u",
                            s->parent.id, total, job->out_len);
                if (total < TPM_HEADER_SIZE) {
                    what = g_strdup_printf("answer's size field says %u "
                                           "bytes, less than its own %u-byte "
                                           "header", total, TPM_HEADER_SIZE);
                } else {
                    what = g_strdup_printf("answer's size field says %u "
                                           "bytes, more than the %u-byte "
                                           "buffer", total, job->out_len);
                }
                tpm_emulator_lost(s, what, -EPROTO);
                return -EPROTO;
            }
        }
    }
    return 0;
}

static int tpm_emulator_do_command(TPMEmulator *s, TPMEmulatorJob *job)
{
    int ret;

    if (tpm_emulator_get_state(s) != TPM_EMULATOR_RUNNING) {
        return -ENOTCONN;   /* not connected, or the last startup failed */
    }
    tpm_emulator_set_state(s, TPM_EMULATOR_BUSY);
    if (!tpm_emulator_set_locality(s, job->locty)) {
        if (tpm_emulator_get_state(s) == TPM_EMULATOR_BUSY) {
            /* Refused but still connected: only this command fails. */
            tpm_emulator_set_state(s, TPM_EMULATOR_RUNNING);
            return -EINVAL;
        }
        return -ECONNRESET;
    }
    ret = tpm_util_send_all(s->data_fd, job->in, job->in_len, -1,
                            TPM_EMULATOR_TIMEOUT_MS);
    if (ret < 0) {
        tpm_emulator_lost(s, "data channel", ret);
        return ret;
    }
    ret = tpm_emulator_receive(s, job);
    if (ret == 0) {
        tpm_emulator_set_state(s, TPM_EMULATOR_RUNNING);
    }
    return ret;
}

/* Idle: notice swtpm dying (its control socket closing) with no job. */
static void tpm_emulator_idle_check(TPMEmulator *s)
{
    struct pollfd pfd = { .fd = s->ctrl_fd, .events = POLLIN };
    uint8_t byte;
    ssize_t n;

    if (s->ctrl_fd < 0 || poll(&pfd, 1, 0) <= 0) {
        return;
    }
    n = recv(s->ctrl_fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return;
    }
    tpm_emulator_lost(s, "control channel",
                      n == 0 ? -ECONNRESET : n < 0 ? -errno : -EPROTO);
}

static void tpm_emulator_do_shutdown(TPMEmulator *s)
{
    Error *err = NULL;

    if (tpm_emulator_get_state(s) == TPM_EMULATOR_DISCONNECTED) {
        return;
    }
    /* As QEMU: a clean shutdown, after which swtpm exits. */
    if (!tpm_emulator_simple_cmd(s, PTM_CMD_SHUTDOWN, "CMD_SHUTDOWN",
                                 &err)) {
        error_report("tpm-emulator: Could not cleanly shutdown the TPM: "
                     "%s", error_get_pretty(err));
        error_free(err);
    }
    if (s->ctrl_fd >= 0) {
        close(s->ctrl_fd);
        close(s->data_fd);
        s->ctrl_fd = s->data_fd = -1;
        tpm_emulator_set_state(s, TPM_EMULATOR_DISCONNECTED);
    }
}

static gpointer tpm_emulator_worker(gpointer opaque)
{
    TPMEmulator *s = opaque;
    static const uint8_t one = 1;

    for (;;) {
        TPMEmulatorJob *job = g_async_queue_timeout_pop(
            s->jobs, TPM_EMULATOR_IDLE_CHECK_US);

        if (!job) {
            tpm_emulator_idle_check(s);
            continue;
        }
        switch (job->kind) {
        case TPM_EMULATOR_JOB_STARTUP:
            job->ret = tpm_emulator_do_startup(s, job, &job->err) ? 0
                                                                  : -EIO;
            break;
        case TPM_EMULATOR_JOB_COMMAND:
            job->ret = tpm_emulator_do_command(s, job);
            if (job->ret < 0) {
                tpm_util_write_fatal_error_response(job->out, job->out_len);
            }
            break;
        case TPM_EMULATOR_JOB_SHUTDOWN:
            tpm_emulator_do_shutdown(s);
            g_free(job);
            return NULL;
        }
        g_async_queue_push(s->done, job);
        while (write(s->done_pipe[1], &one, 1) < 0 && errno == EINTR) {
            /* retry */
        }
    }
}

/* ------------------------------------------------------- main-loop side */

static void tpm_emulator_job_free(TPMEmulatorJob *job)
{
    if (job->ctrl_fd >= 0) {
        close(job->ctrl_fd);
    }
    error_free(job->err);
    g_free(job->in);
    g_free(job->out);
    g_free(job);
}

static void tpm_emulator_push(TPMEmulator *s, TPMEmulatorJob *job)
{
    g_async_queue_push(s->jobs, job);
}

/* A job came back from the worker: complete it for the front end. */
static void tpm_emulator_job_done(TPMEmulator *s, TPMEmulatorJob *job)
{
    TPMBackendCmd *cmd = s->parent.cmd;

    switch (job->kind) {
    case TPM_EMULATOR_JOB_STARTUP:
        assert(s->startups_pending > 0);
        s->startups_pending--;
        if (job->err) {
            /* the front end's words: it asked for the start-up */
            error_report_ratelimited(&s->startup_rl, "%s: the TPM did not start: %s; "
                                     "it reports a fatal error to the guest",
                                     s->parent.model ? s->parent.model
                                                     : "tpm",
                                     error_get_pretty(job->err));
        }
        break;
    case TPM_EMULATOR_JOB_COMMAND:
        if (job->gen != s->gen || !cmd) {
            trace_event("tpm_emulator_drop_answer", "%s: abandoned at reset",
                        s->parent.id);
            break;
        }
        /* the answer only: the rest of the front end's buffer stays */
        memcpy(cmd->out, job->out,
               MIN(MAX(tpm_cmd_get_size(job->out), TPM_HEADER_SIZE),
                   MIN(job->out_len, cmd->out_len)));
        tpm_backend_request_completed(&s->parent, job->ret);
        break;
    case TPM_EMULATOR_JOB_SHUTDOWN:
        g_assert_not_reached();
    }
    tpm_emulator_job_free(job);
}

static gboolean tpm_emulator_done_event(int fd, GIOCondition cond,
                                        gpointer opaque)
{
    TPMEmulator *s = opaque;
    uint8_t buf[64];
    TPMEmulatorJob *job;

    while (read(fd, buf, sizeof(buf)) > 0) {
        /* drain the wake-ups; the queue says what is done */
    }
    while ((job = g_async_queue_try_pop(s->done))) {
        tpm_emulator_job_done(s, job);
    }
    return G_SOURCE_CONTINUE;
}

static void tpm_emulator_start_worker(TPMEmulator *s)
{
    g_assert(g_unix_open_pipe(s->done_pipe, FD_CLOEXEC, NULL));
    g_assert(g_unix_set_fd_nonblocking(s->done_pipe[0], true, NULL));
    s->jobs = g_async_queue_new();
    s->done = g_async_queue_new();
    s->done_watch = g_unix_fd_add(s->done_pipe[0], G_IO_IN,
                                  tpm_emulator_done_event, s);
    s->worker = g_thread_new("tpm-emulator", tpm_emulator_worker, s);
}

/* ------------------------------------------------------------- TPM ops */

static TPMBackend *tpm_emulator_create(const char *id, QemuOpts *opts,
                                       Error **errp)
{
    const char *chardev = qemu_opt_get(opts, "chardev");
    TPMEmulator *s;
    Chardev *chr;
    int fd;

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
    s->lost_rl = (LogRateLimit)LOG_RATE_LIMIT_DEFAULT;
    s->startup_rl = (LogRateLimit)LOG_RATE_LIMIT_DEFAULT;
    /* At creation (command line) the checks are synchronous. */
    fd = tpm_emulator_open_ctrl(s, errp);
    if (fd < 0 || !tpm_emulator_connect(s, fd, errp)) {
        g_free(s->parent.id);
        g_free(s->chardev_id);
        g_free(s);
        return NULL;
    }
    tpm_emulator_start_worker(s);
    return &s->parent;
}

/*
 * Queue the start-up (the main loop does not wait for it): *@actual is
 * @wanted.  Only a lost emulator that cannot even be reached (its socket
 * refuses, which is quick to tell) fails here; a start-up that fails
 * later is reported then, and commands fail meanwhile.
 */
static bool tpm_emulator_startup_tpm(TPMBackend *tb, size_t wanted,
                                     size_t *actual, Error **errp)
{
    TPMEmulator *s = TPM_EMULATOR(tb);
    TPMEmulatorJob *job = g_new0(TPMEmulatorJob, 1);

    assert(!tb->cmd);
    job->kind = TPM_EMULATOR_JOB_STARTUP;
    job->wanted = wanted;
    job->ctrl_fd = -1;
    if (tpm_emulator_get_state(s) == TPM_EMULATOR_DISCONNECTED) {
        job->ctrl_fd = tpm_emulator_open_ctrl(s, errp);
        if (job->ctrl_fd < 0) {
            g_free(job);
            return false;
        }
    }
    *actual = wanted;
    s->startups_pending++;
    tpm_emulator_push(s, job);
    return true;
}

static void tpm_emulator_deliver_request(TPMBackend *tb, TPMBackendCmd *cmd)
{
    TPMEmulator *s = TPM_EMULATOR(tb);
    TPMEmulatorState state = tpm_emulator_get_state(s);
    TPMEmulatorJob *job;

    if (!s->startups_pending && state != TPM_EMULATOR_RUNNING &&
        state != TPM_EMULATOR_BUSY) {
        /* Not connected, or the last startup failed: fail at once. */
        tpm_util_write_fatal_error_response(cmd->out, cmd->out_len);
        tpm_backend_request_completed(tb, -ENOTCONN);
        return;
    }
    job = g_new0(TPMEmulatorJob, 1);
    job->kind = TPM_EMULATOR_JOB_COMMAND;
    job->gen = s->gen;
    job->ctrl_fd = -1;
    job->locty = cmd->locty;
    job->in = g_memdup2(cmd->in, cmd->in_len);
    job->in_len = cmd->in_len;
    job->out = g_malloc0(cmd->out_len);
    job->out_len = cmd->out_len;
    tpm_emulator_push(s, job);
}

/*
 * A reset: do not wait for the command in flight.  It completes now
 * with a fatal-error answer; the worker's answer to it will be dropped.
 */
static void tpm_emulator_finish_sync(TPMBackend *tb)
{
    TPMEmulator *s = TPM_EMULATOR(tb);
    TPMBackendCmd *cmd = tb->cmd;

    s->gen++;
    if (cmd) {
        trace_event("tpm_emulator_abandon", "%s: reset with a command in "
                    "flight", tb->id);
        tpm_util_write_fatal_error_response(cmd->out, cmd->out_len);
        tpm_backend_request_completed(tb, -ECANCELED);
    }
}

static void tpm_emulator_cancel_cmd(TPMBackend *tb)
{
    TPMEmulator *s = TPM_EMULATOR(tb);

    if (!tb->cmd ||
        !(__atomic_load_n(&s->caps, __ATOMIC_RELAXED) &
          PTM_CAP_CANCEL_TPM_CMD)) {
        return;
    }
    __atomic_store_n(&s->cancel_gen, s->gen + 1, __ATOMIC_RELEASE);
}

static bool tpm_emulator_get_tpm_established_flag(TPMBackend *tb)
{
    TPMEmulator *s = TPM_EMULATOR(tb);

    return tpm_backend_is_operational(tb) &&
           g_atomic_int_get(&s->established);
}

static TPMVersion tpm_emulator_get_tpm_version(TPMBackend *tb)
{
    return g_atomic_int_get(&TPM_EMULATOR(tb)->version);
}

static bool tpm_emulator_is_operational(TPMBackend *tb)
{
    TPMEmulator *s = TPM_EMULATOR(tb);
    TPMEmulatorState state = tpm_emulator_get_state(s);

    return s->startups_pending || state == TPM_EMULATOR_RUNNING ||
           state == TPM_EMULATOR_BUSY;
}

static void tpm_emulator_get_options(TPMBackend *tb, JsonObject *o)
{
    json_object_set_string_member(o, "chardev", TPM_EMULATOR(tb)->chardev_id);
}

static void tpm_emulator_destroy(TPMBackend *tb)
{
    TPMEmulator *s = TPM_EMULATOR(tb);
    TPMEmulatorJob *job = g_new0(TPMEmulatorJob, 1);

    tpm_emulator_finish_sync(tb);
    job->kind = TPM_EMULATOR_JOB_SHUTDOWN;
    job->ctrl_fd = -1;
    tpm_emulator_push(s, job);
    g_thread_join(s->worker);
    g_clear_handle_id(&s->done_watch, g_source_remove);
    while ((job = g_async_queue_try_pop(s->done))) {
        tpm_emulator_job_free(job);
    }
    while ((job = g_async_queue_try_pop(s->jobs))) {
        tpm_emulator_job_free(job);
    }
    g_async_queue_unref(s->done);
    g_async_queue_unref(s->jobs);
    close(s->done_pipe[0]);
    close(s->done_pipe[1]);
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
