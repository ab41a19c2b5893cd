/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tpm-mor-util.h: what the TPM memory-overwrite qtests share: a VM with
 * tpm-crb on a fresh swtpm, a -bios image with a known pattern and a
 * trace of the clear; writing secrets and checking every byte of a range;
 * the PPI buffer; the memfd behind a memory backend.  Test side only.
 */
#ifndef TESTS_QTEST_TPM_MOR_UTIL_H
#define TESTS_QTEST_TPM_MOR_UTIL_H

#include "libqtest.h"
#include "tests/tpm/swtpm.h"
#include "qemu/units.h"


#define PPI_BASE        0xfed45000ULL
#define PPI_SIZE        0x400
#define PPI_MOVV        (PPI_BASE + 0x15a)  /* docs/specs/tpm.rst */
#define MOVV_CLEAR      0x01

#define BIOS_SIZE       (64 * 1024)
#define BIOS_BASE       (4 * GiB - BIOS_SIZE)
#define ISA_BIOS_BASE   (1 * MiB - BIOS_SIZE)   /* its alias below 1 MiB */
#define SECRET_SIZE     (16 * MiB)
#define CHUNK           (1 * MiB)

/* The CRB command buffer (PTP CRB: 4 KiB minus 0x80 of registers). */
#define CRB_CMD_BUFFER_SIZE 0xf80

/**
 * struct MorVm: one VM under test.
 * @bios: the -bios image; @trace: the -D file of the clear's trace.
 */
typedef struct MorVm {
    Swtpm *swtpm;
    QTestState *qts;
    char *bios;
    char *trace;
} MorVm;

/**
 * mor_vm_start_with: a VM with tpm-crb (ppi=on), -bios and a trace of the
 * clear; @before and @after are options that go before and after
 * -device tpm-crb (the order reset handlers are registered in).
 */
MorVm *mor_vm_start_with(const char *before, const char *after);
/** mor_vm_start: mor_vm_start_with(@machine_args, ""). */
MorVm *mor_vm_start(const char *machine_args);
/** mor_vm_free: quit the VM, stop swtpm, remove the files. */
void mor_vm_free(MorVm *vm);

/** write_secret: fill [@addr, +@size) with the secret byte 0x5e. */
void write_secret(QTestState *qts, uint64_t addr, uint64_t size);
/** check_all: every byte of [@addr, +@size) reads @c. */
void check_all(QTestState *qts, uint64_t addr, uint64_t size, uint8_t c);
/** check_bios: the -bios image reads back, at 4G - 64K and below 1 MiB. */
void check_bios(QTestState *qts);
/** fill_ppi / check_ppi: a pattern in the PPI buffer, MOR byte @movv. */
void fill_ppi(QTestState *qts, uint8_t movv);
void check_ppi(QTestState *qts, uint8_t movv);
/** system_reset: QMP system_reset and its RESET event. */
void system_reset(QTestState *qts);

/** read_file: the contents of @path (g_free it). */
char *read_file(const char *path);
/** count_lines_with: occurrences of @needle in @text. */
int count_lines_with(const char *text, const char *needle);
/** trace_field: the number after " @key=" in the last line with it. */
uint64_t trace_field(const char *text, const char *key);

/** find_memfd: /proc/PID/fd/N of the memfd of a memory backend (g_free). */
char *find_memfd(pid_t pid);
/** allocated_bytes: st_blocks * 512 of the file @path names. */
uint64_t allocated_bytes(const char *path);

#endif /* TESTS_QTEST_TPM_MOR_UTIL_H */
