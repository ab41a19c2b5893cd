/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cpu.h: vCPU state records.  Nothing executes guest code yet (the only
 * accelerator is qtest), but -smp N still creates N CPUs whose register
 * state the dump writes into its notes, and whose paging state decides
 * whether a dump can walk page tables.  A later KVM accelerator fills the
 * same records from the kernel.
 */
#ifndef HW_CORE_CPU_H
#define HW_CORE_CPU_H

#include "target/i386/cpu.h"

struct CPUState {
    int cpu_index;
    uint32_t apic_id;
    CPUX86State env;
};

/** machine_cpus: the vCPUs of the machine, in index order (borrowed). */
CPUState **machine_cpus(unsigned *count);

/** cpu_paging_enabled: CR0.PG is set. */
bool cpu_paging_enabled(const CPUState *cpu);

#endif /* HW_CORE_CPU_H */
