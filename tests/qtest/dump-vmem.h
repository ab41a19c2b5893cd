/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-vmem.h: the machine the virtio-mem dump qtests (ELF and kdump)
 * share: microvm with 512 MiB of RAM and one virtio-mem device driven by
 * the libqos guest driver, and a model of what the test wrote.
 */
#ifndef TESTS_QTEST_DUMP_VMEM_H
#define TESTS_QTEST_DUMP_VMEM_H

#include "dump-util.h"
#include "libqos/virtio-mem.h"

#define VMEM_RAM_SIZE (512 * MiB)
/* the driver's rings and buffers live here (read back, not modelled) */
#define VMEM_ALLOC_START (496 * MiB)

/**
 * struct VmemMachine: the machine.
 * @cfg: the device's configuration, read at start.
 * @model: what the test wrote (the driver's area is "foreign").
 */
typedef struct VmemMachine {
    QTestState *qts;
    QGuestAllocator *alloc;
    QVirtioMem *vm;
    QVirtioMemConfig cfg;
    DumpModel model;
} VmemMachine;

/**
 * vmem_start: start the machine: -m 512M,maxmem=@maxmem, -object @backend
 * (id mem0), a virtio-mem-device with @dev_opts, -machine options
 * @machine_opts (",x-..." or "").
 */
void vmem_start(VmemMachine *v, uint64_t maxmem, const char *backend,
              const char *dev_opts, const char *machine_opts);
void vmem_stop(VmemMachine *v);

/** vmem_blk: guest-physical address of device block @i. */
static inline uint64_t vmem_blk(VmemMachine *v, uint64_t i)
{
    return v->cfg.addr + i * v->cfg.block_size;
}

/** vmem_plug, vmem_unplug: blocks [@first, @first + @n); must succeed. */
void vmem_plug(VmemMachine *v, uint64_t first, uint16_t n);
void vmem_unplug(VmemMachine *v, uint64_t first, uint16_t n);

/*
 * The fragmented layout both dump formats are tested on: a machine with
 * a 1 GiB memfd device, blocks [FRAG_RUNS[2i], FRAG_RUNS[2i+1]) plugged,
 * and data written across the first run, inside single blocks, at the
 * very end of the device and in base RAM.
 */
#define FRAG_RUNS_LEN 10
extern const uint64_t FRAG_RUNS[FRAG_RUNS_LEN];
void vmem_start_fragmented(VmemMachine *v);

#endif /* TESTS_QTEST_DUMP_VMEM_H */
