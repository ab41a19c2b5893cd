/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-qtest.c: raw lines into the real qtest server (softmmu/qtest.c),
 * over a real socket, against a real microvm machine: RAM below and
 * above the 3-4 GiB hole, the BIOS ROM and its isa-bios alias, the I/O
 * APIC's MMIO window, the reset control port, fw_cfg (with DMA, and the
 * writable etc/vmcoreinfo of a vmcoreinfo device), the vCPU registers
 * (cpu_set) and an empty device-memory area, so reads and writes meet
 * every kind of region and none.
 *
 * Input layout: byte 0 is a control byte (bits 1-3: piece size, as in
 * fuzz-qmp.c; bit 0: pass an fd the server must close), the rest is the
 * protocol text.  After each session the server must have dropped its
 * partial line, no fd may have leaked, and the machine is settled (a reset
 * requested through port 0xcf9 is served).
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "sysemu/qtest.h"
#include "fuzz.h"

static FuzzChrServer server;

static const size_t piece_sizes[8] = { 0, 1, 2, 3, 7, 64, 4096, 65536 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    g_autofree char *spec = NULL;
    MachineState *ms;

    fuzz_sandbox_enter(*argc, *argv);
    error_init("fuzz-qtest");
    static const char *const devices[] = { "vmcoreinfo", NULL };

    /* 3 GiB + 64 MiB of RAM: some of it lands above 4 GiB; fw_cfg DMA */
    ms = fuzz_machine_new("3136M,maxmem=4G", NULL, devices);
    spec = fuzz_chr_spec(&server, "qtest");
    g_assert_true(qtest_server_init(spec, NULL, &ms->as_memory, &ms->as_io,
                                    &error_abort));
    while (g_main_context_iteration(NULL, false)) {
        /* nothing */
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* compared per input: libFuzzer opens files of its own between them */
    g_autofree char *fds_before = NULL;
    int fd = -1;

    if (!size) {
        return 0;
    }
    fuzz_fds_check(&fds_before);
    if (data[0] & 1) {
        fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        g_assert_cmpint(fd, >=, 0);
    }
    fuzz_chr_session(&server, data + 1, size - 1,
                     piece_sizes[(data[0] >> 1) & 7], fd);
    if (fd >= 0) {
        close(fd);
    }
    fuzz_machine_settle();
    fuzz_fds_check(&fds_before);
    return 0;
}
