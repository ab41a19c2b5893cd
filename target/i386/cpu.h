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
#define EFER_SCE     (1u << 0)
#define EFER_NXE     (1u << 11)

/**
 * struct X86CPUModel: a -cpu model.  Only what the state records need:
 * @lm: the model has long mode (CPUID.80000001h:EDX.LM): EFER.LME may be
 *      set, so a guest (or a test playing one) can run 64-bit.
 */
typedef struct X86CPUModel {
    const char *name;
    const char *desc;
    bool lm;
} X86CPUModel;

#define X86_CPU_DEFAULT_MODEL "qemu64"      /* QEMU's x86_64 default */

/** x86_cpu_model_find: the model called @name, or NULL. */
const X86CPUModel *x86_cpu_model_find(const char *name);
/** x86_cpu_model_list: print the models as `-cpu help` does. */
void x86_cpu_model_list(FILE *out);
/** x86_cpu_models: the model table, NULL-name terminated. */
const X86CPUModel *x86_cpu_models(void);

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
    const X86CPUModel *model;   /* never NULL after reset; kept by it */
} CPUX86State;

/** x86_cpu_reset_state: the architectural state after RESET/INIT. */
void x86_cpu_reset_state(CPUX86State *env);

/** x86_cpu_long_mode: EFER.LMA (the CPU runs 64-bit code). */
static inline bool x86_cpu_long_mode(const CPUX86State *env)
{
    return env->efer & EFER_LMA;
}

/**
 * x86_cpu_set_reg: set the register called @name ("rax".."r15", "rip",
 * "rflags", "cr0".."cr4", "efer", "cs".."gs" selectors, "cs.base",
 * "cs.limit", "cs.flags" and the same for the other segments, "ldt",
 * "tr", "gdt", "idt" ".base"/".limit", "fs_base", "gs_base",
 * "kernel_gs_base") to @value, with the checks a CPU makes on
 * WRMSR/MOV CR: EFER.LME needs a long-mode model; EFER.LMA is not
 * writable but follows LME && CR0.PG && CR4.PAE, as the hardware sets it
 * when paging is enabled; CR0.PG needs CR0.PE; long mode needs
 * CR4.PAE; 32-bit registers (cr0, cr4, selectors, limits, flags) refuse
 * values above 32 bits (16 for selectors).
 * Errors: an unknown name, or a value the CPU would refuse (#GP).
 */
bool x86_cpu_set_reg(CPUX86State *env, const char *name, uint64_t value,
                     Error **errp);
/** x86_cpu_get_reg: read the register @name (names as above). */
bool x86_cpu_get_reg(const CPUX86State *env, const char *name,
                     uint64_t *value, Error **errp);

#endif /* TARGET_I386_CPU_H */
