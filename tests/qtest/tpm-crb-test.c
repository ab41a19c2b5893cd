/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tpm-crb-test.c: tpm-crb backed by a real swtpm, driven through its
 * registers the way a guest driver does: the power-on register values,
 * TPM2_Startup and TPM2_GetRandom through the command buffer, a command
 * too short to be one, START without the locality, the PPI buffer (and
 * its absence with ppi=off), query-tpm, swtpm dying (clear error on
 * stderr, CTRL_STS.tpmSts, failing commands, the VM and QMP keep going)
 * and coming back at the next system_reset, swtpm exiting with the VM,
 * and command-line errors.  Skipped, saying why, without swtpm.
 *
 * Register offsets are written here from the PTP specification rather
 * than taken from the device's header, so the two are checked against
 * each other.
 */
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
#include "libqtest.h"
#include "tests/tpm/swtpm.h"

/* TCG PC Client PTP 2.0 r1.03 6.5.3: CRB registers of locality 0. */
#define CRB_BASE            0xfed40000ULL
#define CRB_LOC_STATE       (CRB_BASE + 0x00)
#define CRB_LOC_CTRL        (CRB_BASE + 0x08)
#define CRB_LOC_STS         (CRB_BASE + 0x0c)
#define CRB_INTF_ID         (CRB_BASE + 0x30)
#define CRB_INTF_ID2        (CRB_BASE + 0x34)
#define CRB_CTRL_REQ        (CRB_BASE + 0x40)
#define CRB_CTRL_STS        (CRB_BASE + 0x44)
#define CRB_CTRL_START      (CRB_BASE + 0x4c)
#define CRB_CTRL_CMD_SIZE   (CRB_BASE + 0x58)
#define CRB_CTRL_CMD_LADDR  (CRB_BASE + 0x5c)
#define CRB_CTRL_CMD_HADDR  (CRB_BASE + 0x60)
#define CRB_CTRL_RSP_SIZE   (CRB_BASE + 0x64)
#define CRB_CTRL_RSP_ADDR   (CRB_BASE + 0x68)
#define CRB_BUFFER          (CRB_BASE + 0x80)
#define CRB_BUFFER_SIZE     0xf80

#define LOC_STATE_LOC_ASSIGNED  (1u << 1)
#define LOC_STATE_REG_VALID     (1u << 7)
#define LOC_CTRL_REQUEST_ACCESS 1
#define LOC_CTRL_RELINQUISH     2
#define LOC_STS_GRANTED         1
#define CTRL_REQ_CMD_READY      1
#define CTRL_REQ_GO_IDLE        2
#define CTRL_STS_FATAL          (1u << 0)
#define CTRL_STS_IDLE           (1u << 1)
#define CTRL_START_INVOKE       1
/* INTF_ID: CRB active, version 1, 64-byte transfers, CRB, selector CRB */
#define INTF_ID_EXPECTED        0x00025811u
#define VID_IBM                 0x1014

/* QEMU docs/specs/tpm.rst: PPI buffer. */
#define PPI_BASE            0xfed45000ULL
#define PPI_SIZE            0x400
#define PPI_MOVV            (PPI_BASE + 0x15a)

#define TPM_FAIL_RC         0x9
#define TPM2_RC_COMMAND_SIZE 0x142
#define WAIT_US             (10 * G_USEC_PER_SEC)

static const char *tmpdir;

/* A VM with tpm-crb on @t; @dev_opts are added to -device tpm-crb. */
static char *vm_args(Swtpm *t, const char *dev_opts, const char *extra)
{
    return g_strdup_printf("-machine microvm -m 256M "
                           "-chardev socket,id=chrtpm,path=%s "
                           "-tpmdev emulator,id=tpm0,chardev=chrtpm "
                           "-device tpm-crb,tpmdev=tpm0,id=crb0%s %s",
                           t->ctrl_path, dev_opts ? dev_opts : "",
                           extra ? extra : "");
}

/* Start a VM with tpm-crb on @t (see vm_args). */
static QTestState *vm_start(Swtpm *t, const char *dev_opts, const char *extra)
{
    g_autofree char *args = vm_args(t, dev_opts, extra);

    return qtest_init(args);
}

/* The VM's stderr goes to a file while it starts (it inherits fd 2). */
static QTestState *start_capturing(const char *args, char **path)
{
    int saved = dup(STDERR_FILENO);
    int fd;
    QTestState *qts;

    *path = g_strdup_printf("%s/vm-stderr-%d.txt", tmpdir, (int)getpid());
    fd = open(*path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    g_assert(fd >= 0 && saved >= 0);
    dup2(fd, STDERR_FILENO);
    close(fd);
    qts = qtest_init(args);
    dup2(saved, STDERR_FILENO);
    close(saved);
    return qts;
}

static char *read_text(const char *path)
{
    char *text = NULL;

    g_assert(g_file_get_contents(path, &text, NULL, NULL));
    return text;
}

static int count_occurrences(const char *text, const char *needle)
{
    int n = 0;

    for (const char *p = text; (p = strstr(p, needle)); p++) {
        n++;
    }
    return n;
}

/* Wait until the file at @path contains @needle. */
static void wait_for_text(const char *path, const char *needle)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_US;

    for (;;) {
        g_autofree char *text = read_text(path);

        if (strstr(text, needle)) {
            return;
        }
        if (g_get_monotonic_time() > deadline) {
            g_error("'%s' never appeared; stderr was: %s", needle, text);
        }
        g_usleep(10 * 1000);
    }
}

/*
 * Send @cmd as a driver does (locality, cmdReady, buffer, START, poll)
 * and read the response into @resp.  Returns CTRL_STS after completion.
 */
static uint32_t crb_transact(QTestState *qts, const void *cmd, size_t len,
                             uint8_t *resp, size_t resp_size)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_US;
    uint32_t sts;

    qtest_writel(qts, CRB_LOC_CTRL, LOC_CTRL_REQUEST_ACCESS);
    g_assert_cmphex(qtest_readl(qts, CRB_LOC_STS) & LOC_STS_GRANTED, ==,
                    LOC_STS_GRANTED);
    g_assert(qtest_readl(qts, CRB_LOC_STATE) & LOC_STATE_LOC_ASSIGNED);
    qtest_writel(qts, CRB_CTRL_REQ, CTRL_REQ_CMD_READY);
    g_assert_cmphex(qtest_readl(qts, CRB_CTRL_STS) & CTRL_STS_IDLE, ==, 0);

    qtest_memwrite(qts, CRB_BUFFER, cmd, len);
    qtest_writel(qts, CRB_CTRL_START, CTRL_START_INVOKE);
    while (qtest_readl(qts, CRB_CTRL_START) & CTRL_START_INVOKE) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(1000);
    }
    sts = qtest_readl(qts, CRB_CTRL_STS);
    qtest_memread(qts, CRB_BUFFER, resp, resp_size);

    qtest_writel(qts, CRB_CTRL_REQ, CTRL_REQ_GO_IDLE);
    g_assert(qtest_readl(qts, CRB_CTRL_STS) & CTRL_STS_IDLE);
    qtest_writel(qts, CRB_LOC_CTRL, LOC_CTRL_RELINQUISH);
    g_assert_cmphex(qtest_readl(qts, CRB_LOC_STS) & LOC_STS_GRANTED, ==, 0);
    return sts;
}

static void check_startup_and_random(QTestState *qts)
{
    uint8_t resp[64], resp2[64];
    static const uint8_t zero[TPM2_TEST_GETRANDOM_BYTES];

    g_assert_cmphex(crb_transact(qts, tpm2_cmd_startup_clear,
                                 sizeof(tpm2_cmd_startup_clear), resp,
                                 sizeof(resp)) & CTRL_STS_FATAL, ==, 0);
    g_assert_cmphex(resp[0] << 8 | resp[1], ==, 0x8001);
    g_assert_cmpuint(tpm2_test_resp_size(resp), ==, 10);
    g_assert_cmphex(tpm2_test_resp_code(resp), ==, TPM2_TEST_RC_SUCCESS);

    g_assert_cmphex(crb_transact(qts, tpm2_cmd_getrandom16,
                                 sizeof(tpm2_cmd_getrandom16), resp,
                                 sizeof(resp)) & CTRL_STS_FATAL, ==, 0);
    g_assert_cmphex(tpm2_test_resp_code(resp), ==, TPM2_TEST_RC_SUCCESS);
    g_assert_cmpuint(tpm2_test_resp_size(resp), ==,
                     10 + 2 + TPM2_TEST_GETRANDOM_BYTES);
    g_assert_cmpuint(resp[10] << 8 | resp[11], ==, TPM2_TEST_GETRANDOM_BYTES);
    crb_transact(qts, tpm2_cmd_getrandom16, sizeof(tpm2_cmd_getrandom16),
                 resp2, sizeof(resp2));
    g_assert_cmphex(tpm2_test_resp_code(resp2), ==, TPM2_TEST_RC_SUCCESS);
    /* Sixteen random bytes: neither all zero nor twice the same. */
    g_assert(memcmp(resp + 12, zero, sizeof(zero)));
    g_assert(memcmp(resp + 12, resp2 + 12, TPM2_TEST_GETRANDOM_BYTES));
}

static void test_registers_and_commands(void)
{
    JsonNode *ret;
    JsonObject *info;
    QTestState *qts;
    Swtpm *t;

    if (swtpm_test_skip()) {
        return;
    }
    t = swtpm_start(tmpdir);
    qts = vm_start(t, NULL, NULL);

    /* Power-on values (PTP 6.5.3). */
    g_assert_cmphex(qtest_readl(qts, CRB_LOC_STATE) &
                    (LOC_STATE_REG_VALID | LOC_STATE_LOC_ASSIGNED), ==,
                    LOC_STATE_REG_VALID);
    g_assert_cmphex(qtest_readl(qts, CRB_INTF_ID), ==, INTF_ID_EXPECTED);
    g_assert_cmphex(qtest_readl(qts, CRB_INTF_ID2) & 0xffff, ==, VID_IBM);
    g_assert_cmphex(qtest_readl(qts, CRB_CTRL_STS), ==, CTRL_STS_IDLE);
    g_assert_cmphex(qtest_readl(qts, CRB_CTRL_START), ==, 0);
    g_assert_cmphex(qtest_readl(qts, CRB_CTRL_CMD_SIZE), ==, CRB_BUFFER_SIZE);
    g_assert_cmphex(qtest_readl(qts, CRB_CTRL_CMD_LADDR), ==, CRB_BUFFER);
    g_assert_cmphex(qtest_readl(qts, CRB_CTRL_CMD_HADDR), ==, 0);
    g_assert_cmphex(qtest_readl(qts, CRB_CTRL_RSP_SIZE), ==, CRB_BUFFER_SIZE);
    g_assert_cmphex(qtest_readq(qts, CRB_CTRL_RSP_ADDR), ==, CRB_BUFFER);
    /* Byte access to a register. */
    g_assert_cmphex(qtest_readb(qts, CRB_INTF_ID + 1), ==,
                    (INTF_ID_EXPECTED >> 8) & 0xff);

    check_startup_and_random(qts);

    ret = qtest_qmp_assert_success_ref(qts, "{\"execute\": \"query-tpm\"}");
    g_assert_cmpuint(json_array_get_length(json_node_get_array(ret)), ==, 1);
    info = json_array_get_object_element(json_node_get_array(ret), 0);
    g_assert_cmpstr(qtest_json_get_str(info, "id"), ==, "tpm0");
    g_assert_cmpstr(qtest_json_get_str(info, "model"), ==, "tpm-crb");
    g_assert_cmpstr(qtest_json_get_str(info, "options.type"), ==, "emulator");
    g_assert_cmpstr(qtest_json_get_str(info, "options.data.chardev"), ==,
                    "chrtpm");
    json_node_unref(ret);

    /* After a reset the TPM is initialised again: Startup succeeds. */
    qtest_qmp_assert_success(qts, "{\"execute\": \"system_reset\"}");
    qtest_qmp_eventwait(qts, "RESET");
    check_startup_and_random(qts);

    /* The VM's exit shuts swtpm down (CMD_SHUTDOWN), as with QEMU. */
    qtest_quit(qts);
    g_assert(swtpm_wait_exit(t, 5000));
    swtpm_free(t);
}

static void test_bad_guest_requests(void)
{
    /* Size field 4: shorter than a TPM header. */
    static const uint8_t short_cmd[] = { 0x80, 0x01, 0, 0, 0, 4, 0, 0, 1, 0x44 };
    /* Size field 4 GiB - 1: far more than the 0xf80-byte buffer. */
    static const uint8_t huge_cmd[] = { 0x80, 0x01, 0xff, 0xff, 0xff, 0xff,
                                        0, 0, 1, 0x44, 0, 0 };
    uint8_t resp[16];
    QTestState *qts;
    Swtpm *t;

    if (swtpm_test_skip()) {
        return;
    }
    t = swtpm_start(tmpdir);
    qts = vm_start(t, NULL, "-d guest_errors");

    g_assert_cmphex(crb_transact(qts, short_cmd, sizeof(short_cmd), resp,
                                 sizeof(resp)), ==, 0);
    g_assert_cmphex(tpm2_test_resp_code(resp), ==, TPM2_RC_COMMAND_SIZE);
    /* Size field larger than the buffer: cut to it; the TPM refuses. */
    g_assert_cmphex(crb_transact(qts, huge_cmd, sizeof(huge_cmd), resp,
                                 sizeof(resp)), ==, 0);
    g_assert_cmphex(tpm2_test_resp_code(resp), !=, TPM2_TEST_RC_SUCCESS);

    /* START without the locality is ignored. */
    qtest_memwrite(qts, CRB_BUFFER, tpm2_cmd_startup_clear,
                   sizeof(tpm2_cmd_startup_clear));
    qtest_writel(qts, CRB_CTRL_START, CTRL_START_INVOKE);
    g_assert_cmphex(qtest_readl(qts, CRB_CTRL_START), ==, 0);
    qtest_memread(qts, CRB_BUFFER, resp, sizeof(resp));
    g_assert(!memcmp(resp, tpm2_cmd_startup_clear,
                     sizeof(tpm2_cmd_startup_clear)));
    /* Garbage in other registers changes nothing. */
    qtest_writel(qts, CRB_CTRL_REQ, 0xffffffff);
    qtest_writel(qts, CRB_LOC_CTRL, 0xffffffff);
    qtest_writel(qts, CRB_CTRL_STS, 0xffffffff);
    qtest_writel(qts, CRB_INTF_ID, 0);
    g_assert_cmphex(qtest_readl(qts, CRB_CTRL_STS), ==, CTRL_STS_IDLE);
    g_assert_cmphex(qtest_readl(qts, CRB_INTF_ID), ==, INTF_ID_EXPECTED);

    /* And the TPM still works. */
    check_startup_and_random(qts);
    qtest_quit(qts);
    swtpm_free(t);
}

static void test_ppi(void)
{
    uint8_t buf[PPI_SIZE], pattern[PPI_SIZE];
    QTestState *qts;
    Swtpm *t;

    if (swtpm_test_skip()) {
        return;
    }
    t = swtpm_start(tmpdir);
    qts = vm_start(t, NULL, NULL);
    qtest_memread(qts, PPI_BASE, buf, sizeof(buf));
    for (size_t i = 0; i < sizeof(buf); i++) {
        g_assert_cmpuint(buf[i], ==, 0);
        pattern[i] = i * 7 + 1;
    }
    qtest_memwrite(qts, PPI_BASE, pattern, sizeof(pattern));
    qtest_memread(qts, PPI_BASE, buf, sizeof(buf));
    g_assert(!memcmp(buf, pattern, sizeof(buf)));
    /* The firmware owns it: a reset (without MOR set) keeps it. */
    qtest_writeb(qts, PPI_MOVV, 0);
    pattern[PPI_MOVV - PPI_BASE] = 0;
    qtest_qmp_assert_success(qts, "{\"execute\": \"system_reset\"}");
    qtest_memread(qts, PPI_BASE, buf, sizeof(buf));
    g_assert(!memcmp(buf, pattern, sizeof(buf)));
    qtest_quit(qts);
    swtpm_wait_exit(t, 5000);

    /* ppi=off: nothing at 0xfed45000. */
    swtpm_restart(t);
    qts = vm_start(t, ",ppi=off", NULL);
    qtest_writeb(qts, PPI_MOVV, 1);
    g_assert_cmpuint(qtest_readb(qts, PPI_MOVV), ==, 0);
    qtest_quit(qts);
    swtpm_free(t);
}

static void test_swtpm_dies(void)
{
    g_autofree char *args = NULL;
    g_autofree char *errpath = NULL;
    g_autofree char *text = NULL;
    gint64 deadline;
    uint8_t resp[16];
    QTestState *qts;
    Swtpm *t;

    if (swtpm_test_skip()) {
        return;
    }
    t = swtpm_start(tmpdir);
    args = vm_args(t, NULL, NULL);
    qts = start_capturing(args, &errpath);
    check_startup_and_random(qts);

    swtpm_kill(t);
    /* A clear message, and the device reports a fatal error... */
    wait_for_text(errpath, "tpm-emulator: lost the TPM emulator behind "
                  "chardev 'chrtpm'");
    deadline = g_get_monotonic_time() + WAIT_US;
    while (!(qtest_readl(qts, CRB_CTRL_STS) & CTRL_STS_FATAL)) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(1000);
    }
    /* ...commands fail at once with TPM_FAIL... */
    g_assert(crb_transact(qts, tpm2_cmd_getrandom16,
                          sizeof(tpm2_cmd_getrandom16), resp, sizeof(resp)) &
             CTRL_STS_FATAL);
    g_assert_cmphex(tpm2_test_resp_code(resp), ==, TPM_FAIL_RC);
    /* ...and the VM keeps running, QMP keeps answering. */
    g_assert(qtest_probe_child(qts));
    qtest_qmp_assert_success(qts, "{\"execute\": \"query-status\"}");

    /* A reset without swtpm: an error, still running. */
    qtest_qmp_assert_success(qts, "{\"execute\": \"system_reset\"}");
    qtest_qmp_eventwait(qts, "RESET");
    wait_for_text(errpath, "tpm-crb: the TPM did not start");
    g_assert(qtest_readl(qts, CRB_CTRL_STS) & CTRL_STS_FATAL);
    qtest_qmp_assert_success(qts, "{\"execute\": \"query-status\"}");

    /* The guest resets again and again: the log does not grow with it. */
    for (int i = 0; i < 40; i++) {
        qtest_outb(qts, 0xcf9, 0x06);
        qtest_qmp_eventwait(qts, "RESET");
    }
    g_free(text);
    text = read_text(errpath);
    g_assert_cmpint(count_occurrences(text, "the TPM did not start"), <=, 3);
    g_assert_cmpint(count_occurrences(text, "the TPM did not start"), >=, 1);

    /* swtpm is back: the next reset reconnects. */
    swtpm_restart(t);
    qtest_qmp_assert_success(qts, "{\"execute\": \"system_reset\"}");
    qtest_qmp_eventwait(qts, "RESET");
    g_assert_cmphex(qtest_readl(qts, CRB_CTRL_STS), ==, CTRL_STS_IDLE);
    check_startup_and_random(qts);
    qtest_quit(qts);

    g_free(text);
    text = read_text(errpath);
    g_assert_null(strstr(text, "Sanitizer"));
    unlink(errpath);
    swtpm_free(t);
}

/*
 * A stopped swtpm with a command in flight: QMP and qtest answer at once
 * (the back end's I/O runs on its own thread), a reset with the MOR bit
 * set comes back at once (the command is abandoned with a fatal error),
 * and once swtpm continues the TPM works again.
 */
static void test_swtpm_stopped(void)
{
    QTestState *qts;
    gint64 t0;
    Swtpm *t;

    if (swtpm_test_skip()) {
        return;
    }
    t = swtpm_start(tmpdir);
    qts = vm_start(t, NULL, NULL);
    check_startup_and_random(qts);

    kill(t->pid, SIGSTOP);
    qtest_writel(qts, CRB_LOC_CTRL, LOC_CTRL_REQUEST_ACCESS);
    qtest_writel(qts, CRB_CTRL_REQ, CTRL_REQ_CMD_READY);
    qtest_memwrite(qts, CRB_BUFFER, tpm2_cmd_getrandom16,
                   sizeof(tpm2_cmd_getrandom16));
    qtest_writel(qts, CRB_CTRL_START, CTRL_START_INVOKE);
    t0 = g_get_monotonic_time();
    g_assert_cmphex(qtest_readl(qts, CRB_CTRL_START), ==, CTRL_START_INVOKE);
    qtest_qmp_assert_success(qts, "{\"execute\": \"query-status\"}");
    qtest_writeb(qts, PPI_MOVV, 0x01);
    qtest_qmp_assert_success(qts, "{\"execute\": \"system_reset\"}");
    qtest_qmp_eventwait(qts, "RESET");
    qtest_qmp_assert_success(qts, "{\"execute\": \"query-status\"}");
    /* was 10-20 s with the I/O on the main loop */
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 2 * G_USEC_PER_SEC);
    g_assert_cmphex(qtest_readl(qts, CRB_CTRL_START), ==, 0);

    kill(t->pid, SIGCONT);
    check_startup_and_random(qts);
    qtest_quit(qts);
    swtpm_free(t);
}

/* Run the binary with @args; it must fail with @needle on stderr. */
static void expect_cmdline_error(const char *args, const char *needle)
{
    g_autofree char *cmd = g_strdup_printf("timeout -s KILL 30 %s -machine "
                                           "microvm -display none -accel "
                                           "qtest %s", qtest_get_binary(),
                                           args);
    g_autofree char *out = NULL, *err = NULL;
    GError *gerr = NULL;
    int status;

    if (!g_spawn_command_line_sync(cmd, &out, &err, &status, &gerr)) {
        g_error("cannot run %s: %s", cmd, gerr->message);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 1 ||
        !strstr(err, needle)) {
        g_error("'%s': status 0x%x, stderr '%s'; expected 1 and '%s'", args,
                status, err, needle);
    }
}

static void test_cmdline_errors(void)
{
    g_autofree char *nobody = g_strdup_printf("-chardev socket,id=c,path="
                                              "%s/nobody -tpmdev emulator,"
                                              "id=t,chardev=c", tmpdir);
    g_autofree char *two = NULL;
    Swtpm *t;

    expect_cmdline_error("-tpmdev emulator,id=t",
                         "tpm-emulator: parameter 'chardev' is missing");
    expect_cmdline_error("-tpmdev emulator,id=t,chardev=nope",
                         "tpm-emulator: tpm chardev 'nope' not found");
    expect_cmdline_error("-tpmdev passthrough,id=t",
                         "Parameter 'type' expects a TPM backend type");
    expect_cmdline_error(nobody, "cannot reach the TPM emulator through "
                         "chardev 'c'");
    expect_cmdline_error("-device tpm-crb", "'tpmdev' property is required");
    expect_cmdline_error("-device tpm-crb,tpmdev=nope",
                         "Property 'tpm-crb.tpmdev' can't find value 'nope'");
    if (swtpm_missing()) {
        return;
    }
    t = swtpm_start(tmpdir);
    two = g_strdup_printf("-chardev socket,id=c,path=%s -tpmdev emulator,"
                          "id=t,chardev=c -device tpm-crb,tpmdev=t "
                          "-device tpm-crb,tpmdev=t", t->ctrl_path);
    expect_cmdline_error(two, "at most one TPM device is permitted");
    swtpm_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tmpdir = qtest_tmpdir();
    g_test_add_func("/tpm-crb/registers-and-commands",
                    test_registers_and_commands);
    g_test_add_func("/tpm-crb/bad-guest-requests", test_bad_guest_requests);
    g_test_add_func("/tpm-crb/ppi", test_ppi);
    g_test_add_func("/tpm-crb/swtpm-dies", test_swtpm_dies);
    g_test_add_func("/tpm-crb/swtpm-stopped", test_swtpm_stopped);
    g_test_add_func("/tpm-crb/cmdline-errors", test_cmdline_errors);
    return g_test_run();
}
