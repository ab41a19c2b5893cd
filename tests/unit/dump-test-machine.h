/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-test-machine.h: a small machine for dump unit tests, without the
 * program around it: an address space with RAM, ROM, a ram_device
 * region, MMIO, optionally a pmem region and a memfd-backed
 * discard-managed region (a fake virtio-mem), and vCPU records with
 * recognisable register values.
 *
 * Layout:
 *   [0, ram_size)                 "ram" anonymous
 *   0xfe000000 + 4 KiB            "mmio"
 *   0xfed45000 + 64 KiB           "ppi" ram_device
 *   0xfffc0000 + 256 KiB          "bios" ROM with a pattern (unless
 *                                 TM_NO_BIOS; it ends at 4 GiB, which
 *                                 makes a non-long-mode dump ELF64)
 *   4 GiB + vmem_size             "vmem" memfd, RDM with @gran units
 *   8 GiB + 2 MiB                 "pmem" nonvolatile (if TM_PMEM)
 */
#ifndef TESTS_UNIT_DUMP_TEST_MACHINE_H
#define TESTS_UNIT_DUMP_TEST_MACHINE_H

#include "exec/memory.h"
#include "hw/core/cpu.h"
#include "dump/dump-internal.h"
#include "dump/dump-sink.h"
#include "fake-rdm.h"

#define TM_MMIO_BASE  0xfe000000ULL
#define TM_PPI_BASE   0xfed45000ULL
#define TM_PPI_SIZE   0x10000ULL
#define TM_BIOS_BASE  0xfffc0000ULL
#define TM_BIOS_SIZE  0x40000ULL
#define TM_VMEM_BASE  0x100000000ULL
#define TM_PMEM_BASE  0x200000000ULL
#define TM_PMEM_SIZE  0x200000ULL
#define TM_MAX_CPUS   4

/* tm_init() flags */
#define TM_PMEM    (1u << 0)
#define TM_NO_BIOS (1u << 1)

typedef struct TestMachine {
    MemoryRegion root, ram, mmio, ppi, bios, vmem, pmem;
    AddressSpace as;
    FakeRdm rdm;
    int vmem_fd;
    uint64_t ram_size, vmem_size;
    bool has_vmem, has_pmem, has_bios;
    void *ppi_buf;
    CPUState cpu_store[TM_MAX_CPUS];
    CPUState *cpus[TM_MAX_CPUS];
    unsigned ncpus;
} TestMachine;

/**
 * tm_init: build the machine.  @vmem_size 0: no vmem region; @gran: its
 * plug unit; @flags: TM_*.  Every vCPU's registers are set to values
 * derived from its index (tm_reg()).
 */
void tm_init(TestMachine *tm, uint64_t ram_size, uint64_t vmem_size,
             uint64_t gran, unsigned flags, unsigned ncpus);
void tm_fini(TestMachine *tm);

/** tm_reg: the value tm_init() puts in register @r of vCPU @cpu. */
uint64_t tm_reg(unsigned cpu, unsigned r);

/** tm_host: host pointer of guest-physical @gpa (any RAM region). */
uint8_t *tm_host(TestMachine *tm, hwaddr gpa);

/**
 * tm_read: copy guest memory at @gpa (one region) into @buf; the vmem
 * region is read with pread(), which never allocates memfd pages.
 */
void tm_read(TestMachine *tm, hwaddr gpa, void *buf, size_t len);

/** tm_fd_allocated: bytes allocated in the vmem memfd. */
uint64_t tm_fd_allocated(TestMachine *tm);

/**
 * tm_dump_to_file: dump @cfg with @enc to a file: destination at @path
 * (temporary file, then rename, as QMP's file: protocol does); the
 * planned file size in *@file_size if not NULL.  False with the error
 * text in *@msg (NULL on success).
 */
bool tm_dump_to_file(const DumpEncoder *enc, const DumpRequest *cfg,
                     const char *path, uint64_t *file_size, char **msg);

#endif /* TESTS_UNIT_DUMP_TEST_MACHINE_H */
