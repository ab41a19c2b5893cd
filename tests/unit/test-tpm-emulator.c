/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-tpm-emulator.c: the "emulator" TPM back end against a real swtpm:
 * start-up, TPM2_Startup and TPM2_GetRandom through the data channel,
 * swtpm dying while idle and in the middle of a command (clear error, a
 * fatal-error answer, no crash), reconnection at the next start-up,
 * a reset abandoning the command in flight, a stopped swtpm holding up
 * only the worker thread, never the caller, shutdown at exit, and the
 * -tpmdev option errors.  Skips (saying why) when swtpm is not installed.
 */
#include "qemu/osdep.h"
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "backends/tpm/tpm_int.h"
#include "backends/tpm/tpm_ioctl.h"
#include "chardev/char.h"
#include "qemu/error.h"
#include "sysemu/tpm_backend.h"
#include "tests/tpm/swtpm.h"
#include "stderr-capture.h"

#define WAIT_TIMEOUT_US (10 * G_USEC_PER_SEC)
#define CRB_LIKE_BUFFER 3968

typedef struct Frontend {
    TPMBackendCmd cmd;
    uint8_t out[CRB_LIKE_BUFFER];
    bool done;
    int ret;
} Frontend;

static char *tmpdir;

static void completed(void *opaque, int ret)
{
    Frontend *f = opaque;

    f->done = true;
    f->ret = ret;
}

/* Run the main loop until @cond holds (or fail after 10 s). */
#define WAIT_FOR(cond) do {                                             \
    gint64 deadline_ = g_get_monotonic_time() + WAIT_TIMEOUT_US;        \
    while (!(cond)) {                                                   \
        g_assert_cmpint(g_get_monotonic_time(), <, deadline_);          \
        g_main_context_iteration(NULL, FALSE);                          \
        g_usleep(1000);                                                 \
    }                                                                   \
} while (0)

static void send_cmd(TPMBackend *tb, Frontend *f, const uint8_t *cmd,
                     size_t len)
{
    memset(f->out, 0xaa, sizeof(f->out));
    f->done = false;
    f->cmd = (TPMBackendCmd) {
        .in = cmd, .in_len = len, .out = f->out, .out_len = sizeof(f->out),
    };
    tpm_backend_deliver_request(tb, &f->cmd);
}

static void run_cmd(TPMBackend *tb, Frontend *f, const uint8_t *cmd,
                    size_t len)
{
    send_cmd(tb, f, cmd, len);
    WAIT_FOR(f->done);
}

static TPMBackend *backend_new(Swtpm *t, Frontend *f)
{
    g_autofree char *chr = g_strdup_printf("socket,id=chrtpm,path=%s",
                                           t->ctrl_path);
    TPMBackend *tb;

    g_assert(qemu_chr_parse_opts(chr, &error_abort));
    g_assert(tpm_backend_add_opts("emulator,id=tpm0,chardev=chrtpm",
                                  &error_abort));
    tb = tpm_backend_find("tpm0");
    g_assert(tb);
    g_assert_cmpint(tpm_backend_get_tpm_version(tb), ==, TPM_VERSION_2_0);
    g_assert(tpm_backend_init(tb, "tpm-crb", completed, f, &error_abort));
    return tb;
}

static size_t startup(TPMBackend *tb)
{
    size_t actual = 0;

    g_assert(tpm_backend_startup_tpm(tb, CRB_LIKE_BUFFER, &actual,
                                     &error_abort));
    g_assert_cmpuint(actual, ==, CRB_LIKE_BUFFER);
    g_assert(tpm_backend_is_operational(tb));
    return actual;
}

static void teardown(void)
{
    tpm_backend_cleanup();
    qemu_chr_cleanup();
}

/* A started TPM that has run TPM2_Startup: the usual starting point. */
static Swtpm *running_tpm(Frontend *f, TPMBackend **tb)
{
    Swtpm *t = swtpm_start(tmpdir);

    *tb = backend_new(t, f);
    startup(*tb);
    run_cmd(*tb, f, tpm2_cmd_startup_clear, sizeof(tpm2_cmd_startup_clear));
    g_assert_cmphex(tpm2_test_resp_code(f->out), ==, TPM2_TEST_RC_SUCCESS);
    return t;
}

/* Freeze swtpm and send it a command, which stays in flight. */
static void freeze_with_command(Swtpm *t, TPMBackend *tb, Frontend *f)
{
    kill(t->pid, SIGSTOP);
    send_cmd(tb, f, tpm2_cmd_getrandom16, sizeof(tpm2_cmd_getrandom16));
    for (int i = 0; i < 50; i++) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
    g_assert(!f->done && tpm_backend_is_busy(tb));
}

static void test_commands(void)
{
    Frontend f = { 0 };
    TPMBackend *tb;
    Swtpm *t;

    if (swtpm_test_skip()) {
        return;
    }
    t = swtpm_start(tmpdir);
    tb = backend_new(t, &f);
    /* Before start-up the TPM is stopped: commands fail at once. */
    g_assert(!tpm_backend_is_operational(tb));
    send_cmd(tb, &f, tpm2_cmd_startup_clear, sizeof(tpm2_cmd_startup_clear));
    g_assert(f.done && f.ret < 0);
    g_assert_cmpuint(tpm2_test_resp_code(f.out), ==, TPM_FAIL);

    startup(tb);
    run_cmd(tb, &f, tpm2_cmd_startup_clear, sizeof(tpm2_cmd_startup_clear));
    g_assert_cmpint(f.ret, ==, 0);
    g_assert_cmpuint(tpm2_test_resp_size(f.out), ==, TPM_HEADER_SIZE);
    g_assert_cmphex(tpm2_test_resp_code(f.out), ==, TPM2_TEST_RC_SUCCESS);

    run_cmd(tb, &f, tpm2_cmd_getrandom16, sizeof(tpm2_cmd_getrandom16));
    g_assert_cmpint(f.ret, ==, 0);
    g_assert_cmphex(tpm2_test_resp_code(f.out), ==, TPM2_TEST_RC_SUCCESS);
    /* header, TPM2B size, the bytes; the rest of out is untouched */
    g_assert_cmpuint(tpm2_test_resp_size(f.out), ==,
                     TPM_HEADER_SIZE + 2 + TPM2_TEST_GETRANDOM_BYTES);
    g_assert_cmpuint(f.out[TPM_HEADER_SIZE + 1], ==,
                     TPM2_TEST_GETRANDOM_BYTES);
    g_assert_cmpuint(f.out[TPM_HEADER_SIZE + 2 + TPM2_TEST_GETRANDOM_BYTES],
                     ==, 0xaa);
    g_assert(!tpm_backend_get_tpm_established_flag(tb));

    /* A reset re-initialises: Startup is accepted again. */
    startup(tb);
    run_cmd(tb, &f, tpm2_cmd_startup_clear, sizeof(tpm2_cmd_startup_clear));
    g_assert_cmphex(tpm2_test_resp_code(f.out), ==, TPM2_TEST_RC_SUCCESS);
    run_cmd(tb, &f, tpm2_cmd_startup_clear, sizeof(tpm2_cmd_startup_clear));
    g_assert_cmphex(tpm2_test_resp_code(f.out), ==, TPM2_TEST_RC_INITIALIZE);

    /* At exit the emulator is shut down cleanly, and swtpm exits. */
    teardown();
    g_assert(swtpm_wait_exit(t, 5000));
    swtpm_free(t);
}

static void test_dies_idle(void)
{
    Frontend f = { 0 };
    StderrCapture cap;
    g_autofree char *log = NULL;
    g_autofree char *log2 = NULL;
    Error *err = NULL;
    size_t actual;
    TPMBackend *tb;
    Swtpm *t;

    if (swtpm_test_skip()) {
        return;
    }
    t = running_tpm(&f, &tb);
    stderr_capture_begin(&cap, tmpdir);
    swtpm_kill(t);
    /* Noticed while idle, from the main loop: no command needed. */
    WAIT_FOR(!tpm_backend_is_operational(tb));
    log = stderr_capture_end(&cap);
    g_assert(strstr(log, "lost the TPM emulator behind chardev 'chrtpm'"));
    g_assert(strstr(log, "until a system reset reconnects"));

    send_cmd(tb, &f, tpm2_cmd_getrandom16, sizeof(tpm2_cmd_getrandom16));
    g_assert(f.done && f.ret < 0);
    g_assert_cmpuint(tpm2_test_resp_size(f.out), ==, TPM_HEADER_SIZE);
    g_assert_cmpuint(tpm2_test_resp_code(f.out), ==, TPM_FAIL);

    /* A reset while swtpm is gone fails with a clear error... */
    g_assert(!tpm_backend_startup_tpm(tb, CRB_LIKE_BUFFER, &actual, &err));
    g_assert(strstr(error_get_pretty(err), "cannot reach the TPM emulator "
                    "through chardev 'chrtpm'"));
    error_free(err);
    err = NULL;

    /* ...and one after swtpm is back reconnects. */
    stderr_capture_begin(&cap, tmpdir);
    swtpm_restart(t);
    startup(tb);
    log2 = stderr_capture_end(&cap);
    g_assert_cmpstr(log2, ==, "");
    run_cmd(tb, &f, tpm2_cmd_startup_clear, sizeof(tpm2_cmd_startup_clear));
    g_assert_cmpint(f.ret, ==, 0);
    g_assert_cmphex(tpm2_test_resp_code(f.out), ==, TPM2_TEST_RC_SUCCESS);
    teardown();
    swtpm_free(t);
}

static void test_dies_mid_command(void)
{
    Frontend f = { 0 };
    StderrCapture cap;
    g_autofree char *log = NULL;
    TPMBackend *tb;
    Swtpm *t;

    if (swtpm_test_skip()) {
        return;
    }
    t = running_tpm(&f, &tb);
    /* Frozen swtpm: the command stays in flight... */
    freeze_with_command(t, tb, &f);

    /* ...until it dies: the command fails, with a fatal-error answer. */
    stderr_capture_begin(&cap, tmpdir);
    swtpm_kill(t);
    WAIT_FOR(f.done);
    log = stderr_capture_end(&cap);
    g_assert_cmpint(f.ret, <, 0);
    g_assert_cmpuint(tpm2_test_resp_code(f.out), ==, TPM_FAIL);
    g_assert(!tpm_backend_is_busy(tb));
    g_assert(strstr(log, "lost the TPM emulator"));
    teardown();
    swtpm_free(t);
}

/*
 * A reset does not wait for the command in flight (a frozen swtpm would
 * hold the main loop): it completes at once with a fatal-error answer,
 * and the answer swtpm gives later is dropped.  Once swtpm runs again the
 * start-up and the next command work.
 */
static void test_finish_sync(void)
{
    Frontend f = { 0 };
    TPMBackend *tb;
    Swtpm *t;
    gint64 t0;

    if (swtpm_test_skip()) {
        return;
    }
    t = running_tpm(&f, &tb);
    freeze_with_command(t, tb, &f);
    t0 = g_get_monotonic_time();
    tpm_backend_finish_sync(tb);
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 100 * 1000);
    g_assert(f.done);
    g_assert_cmpint(f.ret, ==, -ECANCELED);
    g_assert_cmphex(tpm2_test_resp_code(f.out), ==, TPM_FAIL);
    g_assert(!tpm_backend_is_busy(tb));

    kill(t->pid, SIGCONT);
    startup(tb);
    memset(f.out, 0, sizeof(f.out));
    run_cmd(tb, &f, tpm2_cmd_startup_clear, sizeof(tpm2_cmd_startup_clear));
    g_assert_cmpint(f.ret, ==, 0);
    g_assert_cmphex(tpm2_test_resp_code(f.out), ==, TPM2_TEST_RC_SUCCESS);
    teardown();
    swtpm_free(t);
}

/*
 * A stopped swtpm: sending a command, a reset's start-up and reading the
 * established flag all return at once (the worker waits, not the main
 * loop), and the main loop keeps running.  When swtpm continues, the
 * queued start-up and command complete.
 */
static void test_stalled_swtpm(void)
{
    Frontend f = { 0 };
    TPMBackend *tb;
    size_t actual;
    Swtpm *t;
    gint64 t0;

    if (swtpm_test_skip()) {
        return;
    }
    t = running_tpm(&f, &tb);
    kill(t->pid, SIGSTOP);
    t0 = g_get_monotonic_time();
    send_cmd(tb, &f, tpm2_cmd_getrandom16, sizeof(tpm2_cmd_getrandom16));
    tpm_backend_cancel_cmd(tb);
    g_assert(!tpm_backend_get_tpm_established_flag(tb));
    tpm_backend_finish_sync(tb);                    /* a reset... */
    g_assert(tpm_backend_startup_tpm(tb, CRB_LIKE_BUFFER, &actual,
                                     &error_abort));
    send_cmd(tb, &f, tpm2_cmd_startup_clear, sizeof(tpm2_cmd_startup_clear));
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 200 * 1000);
    for (int i = 0; i < 100; i++) {                 /* the loop runs */
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
    g_assert(!f.done);
    kill(t->pid, SIGCONT);
    WAIT_FOR(f.done);
    g_assert_cmpint(f.ret, ==, 0);
    g_assert_cmphex(tpm2_test_resp_code(f.out), ==, TPM2_TEST_RC_SUCCESS);
    g_assert(tpm_backend_is_operational(tb));
    teardown();
    swtpm_free(t);
}

/* ------------------------------------------------- a misbehaving swtpm */

/*
 * A fake swtpm speaking just enough of the control protocol
 * (backends/tpm/tpm_ioctl.h) to be connected and started, whose answers
 * to TPM commands (other than the TPM2_ReadClock probe) have a header
 * whose size field is @answer_size: what a broken emulator could send.
 */
typedef struct FakeSwtpm {
    char *path;
    int listen_fd;
    uint32_t answer_size;
    GThread *thread;
} FakeSwtpm;

#define FAKE_CAPS (PTM_CAPS_REQUIRED_TPM2 | PTM_CAP_CANCEL_TPM_CMD)

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

/* One control request (a single message, maybe with an fd). */
static bool fake_ctrl_request(FakeSwtpm *f, int ctrl, int *data_fd)
{
    uint8_t req[64], resp[16] = { 0 };
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    struct iovec iov = { .iov_base = req, .iov_len = sizeof(req) };
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = control.buf, .msg_controllen = sizeof(control.buf),
    };
    ssize_t n = recvmsg(ctrl, &msg, 0);
    struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
    size_t len = 4;

    if (n < 4) {
        return false;
    }
    if (c && c->cmsg_type == SCM_RIGHTS) {
        memcpy(data_fd, CMSG_DATA(c), sizeof(int));
    }
    switch (req[3]) {
    case PTM_CMD_GET_CAPABILITY:
        put_be32(resp, (uint32_t)(FAKE_CAPS >> 32));
        put_be32(resp + 4, (uint32_t)FAKE_CAPS);
        len = 8;
        break;
    case PTM_CMD_GET_TPMESTABLISHED:
        len = 8;
        break;
    case PTM_CMD_SET_BUFFERSIZE:
        memcpy(resp + 4, req + 4, 4);
        len = 16;
        break;
    }
    return send(ctrl, resp, len, MSG_NOSIGNAL) == (ssize_t)len &&
           req[3] != PTM_CMD_SHUTDOWN;
}

/* One TPM command on the data channel. */
static bool fake_data_request(FakeSwtpm *f, int data)
{
    uint8_t req[4096], resp[TPM_HEADER_SIZE] = { 0x80, 0x01 };
    ssize_t n = recv(data, req, sizeof(req), 0);

    if (n < TPM_HEADER_SIZE) {
        return false;
    }
    put_be32(resp + 2, tpm_cmd_get_code(req) == TPM2_CC_READCLOCK ?
                       TPM_HEADER_SIZE : f->answer_size);
    return send(data, resp, sizeof(resp), MSG_NOSIGNAL) == sizeof(resp);
}

static gpointer fake_swtpm_thread(gpointer opaque)
{
    FakeSwtpm *f = opaque;
    int ctrl = accept(f->listen_fd, NULL, NULL);
    int data = -1;

    for (;;) {
        struct pollfd p[2] = {
            { .fd = ctrl, .events = POLLIN },
            { .fd = data, .events = POLLIN },
        };

        if (poll(p, 2, -1) < 0) {
            continue;
        }
        if (p[0].revents && !fake_ctrl_request(f, ctrl, &data)) {
            break;
        }
        if (data >= 0 && p[1].revents && !fake_data_request(f, data)) {
            break;
        }
    }
    close(ctrl);
    if (data >= 0) {
        close(data);
    }
    return NULL;
}

static FakeSwtpm *fake_swtpm_start(uint32_t answer_size)
{
    FakeSwtpm *f = g_new0(FakeSwtpm, 1);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };

    f->path = g_build_filename(tmpdir, "fake-swtpm.sock", NULL);
    f->answer_size = answer_size;
    g_assert_cmpuint(strlen(f->path), <, sizeof(sa.sun_path));
    strcpy(sa.sun_path, f->path);
    unlink(f->path);
    f->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert(f->listen_fd >= 0);
    g_assert(bind(f->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    g_assert(listen(f->listen_fd, 1) == 0);
    f->thread = g_thread_new("fake-swtpm", fake_swtpm_thread, f);
    return f;
}

static void fake_swtpm_free(FakeSwtpm *f)
{
    g_thread_join(f->thread);
    close(f->listen_fd);
    unlink(f->path);
    g_free(f->path);
    g_free(f);
}

/*
 * Answers whose size field is 4 (less than the header) or larger than
 * the buffer: the emulator is dropped with a message saying which.
 */
static void test_bad_answer_size(gconstpointer opaque)
{
    uint32_t size = GPOINTER_TO_UINT(opaque);
    g_autofree char *chr = NULL;
    g_autofree char *log = NULL;
    g_autofree char *want = NULL;
    Frontend f = { 0 };
    FakeSwtpm *fake = fake_swtpm_start(size);
    StderrCapture cap;
    TPMBackend *tb;

    chr = g_strdup_printf("socket,id=chrtpm,path=%s", fake->path);
    g_assert(qemu_chr_parse_opts(chr, &error_abort));
    g_assert(tpm_backend_add_opts("emulator,id=tpm0,chardev=chrtpm",
                                  &error_abort));
    tb = tpm_backend_find("tpm0");
    g_assert(tpm_backend_init(tb, "tpm-crb", completed, &f, &error_abort));
    startup(tb);
    stderr_capture_begin(&cap, tmpdir);
    run_cmd(tb, &f, tpm2_cmd_getrandom16, sizeof(tpm2_cmd_getrandom16));
    WAIT_FOR(!tpm_backend_is_operational(tb));
    log = stderr_capture_end(&cap);
    g_assert_cmpint(f.ret, <, 0);
    g_assert_cmpuint(tpm2_test_resp_code(f.out), ==, TPM_FAIL);
    if (size < TPM_HEADER_SIZE) {
        want = g_strdup_printf("answer's size field says %u bytes, less "
                               "than its own 10-byte header", size);
    } else {
        want = g_strdup_printf("answer's size field says %u bytes, more "
                               "than the %u-byte buffer", size,
                               CRB_LIKE_BUFFER);
    }
    if (!strstr(log, want)) {
        g_error("'%s' not in '%s'", want, log);
    }
    g_assert_null(strstr(log, "larger than the buffer"));
    teardown();
    fake_swtpm_free(fake);
}

static void expect_tpmdev_error(const char *opts, const char *msg)
{
    Error *err = NULL;

    g_assert(!tpm_backend_add_opts(opts, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_option_errors(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "nobody-home", NULL);
    g_autofree char *chr = g_strdup_printf("socket,id=nobody,path=%s", path);
    g_autofree char *srv = g_strdup_printf("socket,id=srv,path=%s.srv,"
                                           "server=on,wait=off", path);
    Error *err = NULL;

    g_assert(qemu_chr_parse_opts(chr, &error_abort));
    g_assert(qemu_chr_parse_opts(srv, &error_abort));
    expect_tpmdev_error("emulator,chardev=nobody", "Parameter 'id' is missing");
    expect_tpmdev_error("id=t0,chardev=nobody", "Parameter 'type' is missing");
    expect_tpmdev_error("passthrough,id=t0",
                        "Parameter 'type' expects a TPM backend type");
    expect_tpmdev_error("emulator,id=t0",
                        "tpm-emulator: parameter 'chardev' is missing");
    expect_tpmdev_error("emulator,id=t0,chardev=nochr",
                        "tpm-emulator: tpm chardev 'nochr' not found");
    expect_tpmdev_error("emulator,id=t0,chardev=nobody,path=/dev/tpm0",
                        "Invalid parameter 'path'");
    expect_tpmdev_error("emulator,id=t0,chardev=srv",
                        "tpm-emulator: No valid chardev found at 'srv': the "
                        "TPM emulator needs a client socket chardev "
                        "(socket,path=PATH without server=on)");
    g_assert(!tpm_backend_add_opts("emulator,id=t0,chardev=nobody", &err));
    g_assert(g_str_has_prefix(error_get_pretty(err),
                              "tpm-emulator: cannot reach the TPM emulator "
                              "through chardev 'nobody': Failed to connect"));
    error_free(err);
    err = NULL;
    g_assert(!tpm_backend_find("t0"));

    if (!swtpm_missing()) {
        Swtpm *t = swtpm_start(tmpdir);
        g_autofree char *good = g_strdup_printf("socket,id=good,path=%s",
                                                t->ctrl_path);

        g_assert(qemu_chr_parse_opts(good, &error_abort));
        g_assert(tpm_backend_add_opts("emulator,id=t1,chardev=good",
                                      &error_abort));
        expect_tpmdev_error("emulator,id=t1,chardev=good",
                            "Duplicate ID 't1' for tpmdev");
        g_assert(tpm_backend_init(tpm_backend_find("t1"), "tpm-crb", NULL,
                                  NULL, &error_abort));
        g_assert(!tpm_backend_init(tpm_backend_find("t1"), "tpm-crb", NULL,
                                   NULL, &err));
        g_assert_cmpstr(error_get_pretty(err), ==, "TPM backend 't1' is "
                        "already in use by a tpm-crb device");
        error_free(err);
        teardown();
        swtpm_free(t);
    } else {
        teardown();
    }
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("test-tpm-emulator-XXXXXX", NULL);
    g_assert(tmpdir);
    g_test_add_func("/tpm/emulator/commands", test_commands);
    g_test_add_func("/tpm/emulator/dies-idle", test_dies_idle);
    g_test_add_func("/tpm/emulator/dies-mid-command", test_dies_mid_command);
    g_test_add_func("/tpm/emulator/finish-sync", test_finish_sync);
    g_test_add_func("/tpm/emulator/stalled-swtpm", test_stalled_swtpm);
    g_test_add_data_func("/tpm/emulator/bad-answer-size/4",
                         GUINT_TO_POINTER(4), test_bad_answer_size);
    g_test_add_data_func("/tpm/emulator/bad-answer-size/huge",
                         GUINT_TO_POINTER(100000), test_bad_answer_size);
    g_test_add_func("/tpm/emulator/option-errors", test_option_errors);
    ret = g_test_run();
    rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
