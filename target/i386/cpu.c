/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpu.c: x86 vCPU state at reset (Intel SDM vol. 3, "Processor State
 * After Reset"). */
#include "qemu/osdep.h"
#include "hw/core/cpu.h"

void x86_cpu_reset_state(CPUX86State *env)
{
    memset(env, 0, sizeof(*env));
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
