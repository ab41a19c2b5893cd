/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cpu.c: x86 vCPU state records: the state at reset (Intel SDM vol. 3,
 * "Processor State After Reset"), the -cpu models, and setting registers
 * by name (the qtest "cpu_set" command, which plays what a booting guest
 * does to its own vCPU: enter protected mode, enable paging, long mode).
 * Nothing executes guest code: the values matter for what a dump records
 * (the ELF class and machine, NT_PRSTATUS, the QEMU note) and for the
 * page-table walk of dump-guest-memory paging=true.
 */
#include "qemu/osdep.h"
#include "hw/core/cpu.h"
#include "qemu/error.h"

/* Names and descriptions of QEMU's models of the same name. */
static const X86CPUModel x86_cpu_model_table[] = {
    { "qemu64", "QEMU Virtual CPU version 2.5+", true },
    { "qemu32", "QEMU Virtual CPU version 2.5+ (no long mode)", false },
    { "max", "Enables all features supported by the accelerator in the "
      "current host", true },
    { "base", "base CPU model type with no features enabled", false },
    { NULL },
};

const X86CPUModel *x86_cpu_models(void)
{
    return x86_cpu_model_table;
}

const X86CPUModel *x86_cpu_model_find(const char *name)
{
    for (const X86CPUModel *m = x86_cpu_model_table; m->name; m++) {
        if (!strcmp(m->name, name)) {
            return m;
        }
    }
    return NULL;
}

void x86_cpu_model_list(FILE *out)
{
    fprintf(out, "Available CPUs:\n");
    for (const X86CPUModel *m = x86_cpu_model_table; m->name; m++) {
        fprintf(out, "x86 %-20s  %s\n", m->name, m->desc);
    }
}

void x86_cpu_reset_state(CPUX86State *env)
{
    memset(env, 0, sizeof(*env));
    env->model = x86_cpu_model_find(X86_CPU_DEFAULT_MODEL);
    env->eflags = 0x2;
    env->eip = 0xfff0;
    env->cr[0] = 0x60000010;
    for (int i = 0; i < SEG_NB; i++) {
        env->segs[i].limit = 0xffff;
        env->segs[i].flags = 0x9300;    /* present, read/write data */
    }
    env->segs[R_CS].selector = 0xf000;
    env->segs[R_CS].base = 0xffff0000;
    env->segs[R_CS].flags = 0x9b00;     /* present, execute/read code */
    env->gdt.limit = 0xffff;
    env->idt.limit = 0xffff;
    env->ldt.limit = 0xffff;
    env->ldt.flags = 0x8200;
    env->tr.limit = 0xffff;
    env->tr.flags = 0x8b00;
    env->regs[R_EDX] = 0x600;           /* family 6 signature */
}

bool cpu_paging_enabled(const CPUState *cpu)
{
    return cpu->env.cr[0] & CR0_PG_MASK;
}

/* ------------------------------------------------------ registers by name */

static const char *const gpr_names[CPU_NB_REGS] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};
static const char *const seg_names[SEG_NB] = {
    "es", "cs", "ss", "ds", "fs", "gs",
};

typedef enum { F_SELECTOR, F_BASE, F_LIMIT, F_FLAGS } SegField;

/* "cs", "cs.base", "gdt.limit" ... -> the cache and the field */
static SegmentCache *seg_lookup(CPUX86State *env, const char *name,
                                SegField *field)
{
    static const char *const sys[] = { "ldt", "tr", "gdt", "idt" };
    SegmentCache *sys_cache[] = { &env->ldt, &env->tr, &env->gdt, &env->idt };
    const char *dot = strchr(name, '.');
    size_t len = dot ? (size_t)(dot - name) : strlen(name);
    SegmentCache *c = NULL;

    for (int i = 0; i < SEG_NB && !c; i++) {
        if (strlen(seg_names[i]) == len && !strncmp(name, seg_names[i], len)) {
            c = &env->segs[i];
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(sys) && !c; i++) {
        if (strlen(sys[i]) == len && !strncmp(name, sys[i], len)) {
            c = sys_cache[i];
        }
    }
    if (!c) {
        return NULL;
    }
    if (!dot) {
        *field = F_SELECTOR;
    } else if (!strcmp(dot, ".base")) {
        *field = F_BASE;
    } else if (!strcmp(dot, ".limit")) {
        *field = F_LIMIT;
    } else if (!strcmp(dot, ".flags")) {
        *field = F_FLAGS;
    } else {
        return NULL;
    }
    return c;
}

/* EFER.LMA as the CPU sets it: long mode enabled and paging on with PAE */
static void x86_cpu_update_lma(CPUX86State *env)
{
    if ((env->efer & EFER_LME) && (env->cr[0] & CR0_PG_MASK) &&
        (env->cr[4] & CR4_PAE_MASK)) {
        env->efer |= EFER_LMA;
    } else {
        env->efer &= ~(uint64_t)EFER_LMA;
    }
}

static bool set_cr(CPUX86State *env, int n, uint64_t value, Error **errp)
{
    if (n == 1 || n > 4) {
        error_setg(errp, "cr%d does not exist", n);
        return false;
    }
    if ((n == 0 || n == 4) && value > UINT32_MAX) {
        error_setg(errp, "cr%d: 0x%" PRIx64 " sets reserved bits (#GP)", n,
                   value);
        return false;
    }
    if (n == 0 && (value & CR0_PG_MASK) && !(value & CR0_PE_MASK)) {
        error_setg(errp, "cr0: paging (PG) needs protected mode (PE) (#GP)");
        return false;
    }
    if (n == 0 && (value & CR0_PG_MASK) && (env->efer & EFER_LME) &&
        !(env->cr[4] & CR4_PAE_MASK)) {
        error_setg(errp, "cr0: long mode paging needs cr4.PAE first (#GP)");
        return false;
    }
    if (n == 4 && !(value & CR4_PAE_MASK) && (env->efer & EFER_LMA)) {
        error_setg(errp, "cr4: PAE can not be cleared in long mode (#GP)");
        return false;
    }
    env->cr[n] = value;
    x86_cpu_update_lma(env);
    return true;
}

static bool set_efer(CPUX86State *env, uint64_t value, Error **errp)
{
    const uint64_t known = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;

    if (value & ~known) {
        error_setg(errp, "efer: 0x%" PRIx64 " sets reserved bits (#GP)",
                   value);
        return false;
    }
    if ((value & EFER_LME) && env->model && !env->model->lm) {
        error_setg(errp, "efer: CPU model '%s' has no long mode (#GP)",
                   env->model->name);
        return false;
    }
    if ((env->cr[0] & CR0_PG_MASK) &&
        !!(value & EFER_LME) != !!(env->efer & EFER_LME)) {
        error_setg(errp, "efer: LME can not change while paging is on (#GP)");
        return false;
    }
    /* LMA is read-only: the CPU derives it */
    env->efer = (value & ~(uint64_t)EFER_LMA) | (env->efer & EFER_LMA);
    x86_cpu_update_lma(env);
    return true;
}

bool x86_cpu_set_reg(CPUX86State *env, const char *name, uint64_t value,
                     Error **errp)
{
    SegmentCache *c;
    SegField f;

    for (int i = 0; i < CPU_NB_REGS; i++) {
        if (!strcmp(name, gpr_names[i])) {
            env->regs[i] = value;
            return true;
        }
    }
    if (!strcmp(name, "rip")) {
        env->eip = value;
    } else if (!strcmp(name, "rflags")) {
        env->eflags = value | 0x2;          /* bit 1 always reads 1 */
    } else if (!strcmp(name, "efer")) {
        return set_efer(env, value, errp);
    } else if (!strncmp(name, "cr", 2) && name[2] >= '0' && name[2] <= '9' &&
               !name[3]) {
        return set_cr(env, name[2] - '0', value, errp);
    } else if (!strcmp(name, "fs_base")) {
        env->segs[R_FS].base = value;
    } else if (!strcmp(name, "gs_base")) {
        env->segs[R_GS].base = value;
    } else if (!strcmp(name, "kernel_gs_base")) {
        env->kernelgsbase = value;
    } else if ((c = seg_lookup(env, name, &f))) {
        if (f == F_BASE) {
            c->base = value;
        } else if (value > (f == F_SELECTOR ? UINT16_MAX : UINT32_MAX)) {
            error_setg(errp, "%s: 0x%" PRIx64 " does not fit the register",
                       name, value);
            return false;
        } else if (f == F_SELECTOR) {
            c->selector = value;
        } else if (f == F_LIMIT) {
            c->limit = value;
        } else {
            c->flags = value;
        }
    } else {
        error_setg(errp, "unknown register '%s'", name);
        return false;
    }
    return true;
}

bool x86_cpu_get_reg(const CPUX86State *env, const char *name,
                     uint64_t *value, Error **errp)
{
    const SegmentCache *c;
    SegField f;

    for (int i = 0; i < CPU_NB_REGS; i++) {
        if (!strcmp(name, gpr_names[i])) {
            *value = env->regs[i];
            return true;
        }
    }
    if (!strcmp(name, "rip")) {
        *value = env->eip;
    } else if (!strcmp(name, "rflags")) {
        *value = env->eflags;
    } else if (!strcmp(name, "efer")) {
        *value = env->efer;
    } else if (!strncmp(name, "cr", 2) && name[2] >= '0' && name[2] <= '4' &&
               name[2] != '1' && !name[3]) {
        *value = env->cr[name[2] - '0'];
    } else if (!strcmp(name, "fs_base")) {
        *value = env->segs[R_FS].base;
    } else if (!strcmp(name, "gs_base")) {
        *value = env->segs[R_GS].base;
    } else if (!strcmp(name, "kernel_gs_base")) {
        *value = env->kernelgsbase;
    } else if ((c = seg_lookup((CPUX86State *)env, name, &f))) {
        *value = f == F_SELECTOR ? c->selector : f == F_BASE ? c->base :
                 f == F_LIMIT ? c->limit : c->flags;
    } else {
        error_setg(errp, "unknown register '%s'", name);
        return false;
    }
    return true;
}
