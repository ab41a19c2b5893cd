/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * target/i386/cpu.h: the x86 register state kept per vCPU: what a dump
 * note records (general registers, segments, control registers) and what
 * the page-table walker needs (CR0.PG, CR3, CR4.PAE/LA57, EFER.LMA).
 */
#ifndef TARGET_I386_CPU_H
#define TARGET_I386_CPU_H

enum {
    R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI,
    R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15,
    CPU_NB_REGS,
};

enum { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS, SEG_NB };

#define CR0_PE_MASK  (1u << 0)
#define CR0_PG_MASK  (1u << 31)
#define CR4_PSE_MASK (1u << 4)
#define CR4_PAE_MASK (1u << 5)
#define CR4_LA57_MASK (1u << 12)
#define EFER_LME     (1u << 8)
#define EFER_LMA     (1u << 10)

typedef struct SegmentCache {
    uint32_t selector;
    uint64_t base;
    uint32_t limit;
    uint32_t flags;
} SegmentCache;

typedef struct CPUX86State {
    uint64_t regs[CPU_NB_REGS];
    uint64_t eip;
    uint64_t eflags;
    SegmentCache segs[SEG_NB];
    SegmentCache ldt, tr, gdt, idt;
    uint64_t cr[5];
    uint64_t efer;
    uint64_t kernelgsbase;
} CPUX86State;

/** x86_cpu_reset_state: the architectural state after RESET/INIT. */
void x86_cpu_reset_state(CPUX86State *env);

/** x86_cpu_long_mode: EFER.LMA (the CPU runs 64-bit code). */
static inline bool x86_cpu_long_mode(const CPUX86State *env)
{
    return env->efer & EFER_LMA;
}

#endif /* TARGET_I386_CPU_H */
