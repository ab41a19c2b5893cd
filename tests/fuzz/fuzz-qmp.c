/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-qmp.c: raw bytes into a real QMP monitor, over a real socket, with
 * the program's whole command set registered against a real machine.
 *
 * Input layout: byte 0 is a control byte, the rest goes to the monitor as
 * it is.
 *   bit 0     pass an fd (/dev/null) with the first piece (SCM_RIGHTS);
 *   bits 1-3  piece size: all at once, 1, 2, 3, 7, 64, 4096 or 65536
 *             bytes per send, so values split at every point;
 *   bit 4     send {"execute":"qmp_capabilities"} first, so mutations
 *             of the rest reach the commands instead of the negotiation.
 * Each input is one client session (connect, send, half-close, read until
 * the server hangs up).  After it the monitor must be back in its closed
 * state with its invariants, named fds are closed, no fd of this process
 * has leaked, and the machine is settled (a "stop" or "quit" undone) so
 * inputs do not depend on one another.
 */
#include "qemu/osdep.h"
#include "chardev/char.h"
#include "monitor/monitor.h"
#include "monitor/monitor-internal.h"
#include "qemu/error.h"
#include "fuzz.h"

#define CAPS "{\"execute\":\"qmp_capabilities\"}\n"

static FuzzChrServer server;

static const size_t piece_sizes[8] = { 0, 1, 2, 3, 7, 64, 4096, 65536 };

static void check_closed(MonitorQMP *mon, void *opaque)
{
    monitor_close_named_fds(mon);
    g_assert_cmpint(mon->state, ==, QMP_SESSION_CLOSED);
    assert_monitor_qmp_state(mon);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const objects[] = {
        "memory-backend-ram,id=mem0,size=8M",
        "memory-backend-memfd,id=mem1,size=4M,share=on",
        NULL
    };
    g_autofree char *spec = NULL;
    Chardev *chr;

    fuzz_sandbox_enter(*argc, *argv);
    error_init("fuzz-qmp");
    fuzz_machine_new("64M,maxmem=1G", objects, NULL);
    spec = fuzz_chr_spec(&server, "qmp");
    chr = qemu_chr_new_compat("fuzz-qmp", spec, &error_abort);
    g_assert_true(monitor_init_qmp(chr, false, &error_abort));
    while (g_main_context_iteration(NULL, false)) {
        /* nothing */
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* compared per input: libFuzzer opens files of its own between them */
    g_autofree char *fds_before = NULL;
    g_autofree uint8_t *buf = NULL;
    size_t len = 0;
    int fd = -1;
    uint8_t ctl;

    if (!size) {
        return 0;
    }
    fuzz_fds_check(&fds_before);
    ctl = data[0];
    buf = g_malloc(strlen(CAPS) + size);
    if (ctl & 0x10) {
        memcpy(buf, CAPS, strlen(CAPS));
        len = strlen(CAPS);
    }
    memcpy(buf + len, data + 1, size - 1);
    len += size - 1;
    if (ctl & 1) {
        fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        g_assert_cmpint(fd, >=, 0);
    }
    fuzz_chr_session(&server, buf, len, piece_sizes[(ctl >> 1) & 7], fd);
    if (fd >= 0) {
        close(fd);      /* our copy; the monitor closed or named its own */
    }
    monitor_qmp_foreach(check_closed, NULL);
    fuzz_machine_settle();
    fuzz_fds_check(&fds_before);
    return 0;
}
