/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-notes.c: how an x86 dump describes the machine: the ELF class and
 * machine, the per-vCPU notes (NT_PRSTATUS "CORE" in the kernel's x86-64
 * or i386 elf_prstatus layout, and QEMU's own "QEMU" QEMUCPUState note
 * that crash and gdb scripts read), and the guest's VMCOREINFO note.
 *
 * The layouts are those of QEMU's target/i386/arch_dump.c (the facts;
 * the structures below are written from the kernel's elf_prstatus and
 * user_regs_struct definitions).  Everything is little-endian, as the
 * target is; the host is assumed little-endian too (x86-64 hosts), which
 * the static asserts below cannot check, so we store fields explicitly.
 */
#include "qemu/osdep.h"
#include <elf.h>
#include "hw/core/cpu.h"
#include "qemu/cutils.h"
#include "qemu/error.h"
#include "dump/dump-internal.h"

#define NOTE_ALIGN 4
#define NOTE_PAD(n) ROUND_UP((n), NOTE_ALIGN)

/* struct user_regs_struct, x86-64 (27 registers) */
typedef struct X8664UserRegs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10;
    uint64_t r9, r8, rax, rcx, rdx, rsi, rdi, orig_rax;
    uint64_t rip, cs, eflags;
    uint64_t rsp, ss;
    uint64_t fs_base, gs_base;
    uint64_t ds, es, fs, gs;
} X8664UserRegs;

/* struct elf_prstatus, x86-64: pid at 32, registers at 112 */
typedef struct X8664Prstatus {
    uint8_t pad1[32];
    uint32_t pid;
    uint8_t pad2[76];
    X8664UserRegs regs;
    uint8_t pad3[8];
} X8664Prstatus;

/* struct user_regs_struct, i386 */
typedef struct I386UserRegs {
    uint32_t ebx, ecx, edx, esi, edi, ebp, eax;
    uint16_t ds, ds_hi, es, es_hi;
    uint16_t fs, fs_hi, gs, gs_hi;
    uint32_t orig_eax, eip;
    uint16_t cs, cs_hi;
    uint32_t eflags, esp;
    uint16_t ss, ss_hi;
} I386UserRegs;

/* struct elf_prstatus, i386: pid at 24, registers at 72 */
typedef struct I386Prstatus {
    uint8_t pad1[24];
    uint32_t pid;
    uint8_t pad2[44];
    I386UserRegs regs;
    uint8_t pad3[4];
} I386Prstatus;

/* QEMU's QEMUCPUState (version 1; kernel_gs_base appended in 7.x) */
typedef struct QemuCpuSegment {
    uint32_t selector;
    uint32_t limit;
    uint32_t flags;
    uint32_t pad;
    uint64_t base;
} QemuCpuSegment;

typedef struct QemuCpuState {
    uint32_t version;
    uint32_t size;
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
    QemuCpuSegment cs, ds, es, fs, gs, ss;
    QemuCpuSegment ldt, tr, gdt, idt;
    uint64_t cr[5];
    uint64_t kernel_gs_base;
} QemuCpuState;

_Static_assert(sizeof(X8664Prstatus) == DUMP_X86_64_PRSTATUS_SIZE,
               "x86-64 elf_prstatus");
_Static_assert(offsetof(X8664Prstatus, regs) == 112, "x86-64 pr_reg");
_Static_assert(sizeof(I386Prstatus) == DUMP_I386_PRSTATUS_SIZE,
               "i386 elf_prstatus");
_Static_assert(offsetof(I386Prstatus, regs) == 72, "i386 pr_reg");
_Static_assert(sizeof(QemuCpuState) == DUMP_QEMU_CPUSTATE_SIZE,
               "QEMUCPUState");
_Static_assert(sizeof(Elf32_Nhdr) == sizeof(Elf64_Nhdr), "note header");

void dump_arch_info_init(DumpArchInfo *info, CPUState *const *cpus,
                         unsigned ncpus, const GuestPhysBlockList *blocks)
{
    bool lma = ncpus && x86_cpu_long_mode(&cpus[0]->env);
    const GuestPhysBlock *b;

    memset(info, 0, sizeof(*info));
    info->d_machine = lma ? EM_X86_64 : EM_386;
    info->d_endian = ELFDATA2LSB;
    info->page_size = TARGET_PAGE_SIZE;
    info->d_class = ELFCLASS32;
    if (lma) {
        info->d_class = ELFCLASS64;
    } else {
        QTAILQ_FOREACH(b, &blocks->head, next) {
            if (b->target_end > UINT32_MAX) {
                info->d_class = ELFCLASS64;     /* memory above 4 GiB */
                break;
            }
        }
    }
}

/* Append one note: header, name and descriptor, each padded to 4. */
static void note_append(GByteArray *out, const char *name, uint32_t type,
                        const void *desc, uint32_t descsz)
{
    Elf64_Nhdr h = {
        .n_namesz = GUINT32_TO_LE(strlen(name) + 1),
        .n_descsz = GUINT32_TO_LE(descsz),
        .n_type = GUINT32_TO_LE(type),
    };
    size_t at = out->len;
    size_t name_at = at + NOTE_PAD(sizeof(h));
    size_t desc_at = name_at + NOTE_PAD(strlen(name) + 1);
    size_t end = desc_at + NOTE_PAD(descsz);

    g_byte_array_set_size(out, end);
    memset(out->data + at, 0, end - at);
    memcpy(out->data + at, &h, sizeof(h));
    memcpy(out->data + name_at, name, strlen(name) + 1);
    memcpy(out->data + desc_at, desc, descsz);
}

static void note_x86_64_prstatus(GByteArray *out, const CPUState *cpu)
{
    const CPUX86State *env = &cpu->env;
    X8664Prstatus p;
    X8664UserRegs *r = &p.regs;

    memset(&p, 0, sizeof(p));
    p.pid = GUINT32_TO_LE(cpu->cpu_index + 1);
    r->r15 = GUINT64_TO_LE(env->regs[R_R15]);
    r->r14 = GUINT64_TO_LE(env->regs[R_R14]);
    r->r13 = GUINT64_TO_LE(env->regs[R_R13]);
    r->r12 = GUINT64_TO_LE(env->regs[R_R12]);
    r->rbp = GUINT64_TO_LE(env->regs[R_EBP]);
    r->rbx = GUINT64_TO_LE(env->regs[R_EBX]);
    r->r11 = GUINT64_TO_LE(env->regs[R_R11]);
    r->r10 = GUINT64_TO_LE(env->regs[R_R10]);
    r->r9 = GUINT64_TO_LE(env->regs[R_R9]);
    r->r8 = GUINT64_TO_LE(env->regs[R_R8]);
    r->rax = GUINT64_TO_LE(env->regs[R_EAX]);
    r->rcx = GUINT64_TO_LE(env->regs[R_ECX]);
    r->rdx = GUINT64_TO_LE(env->regs[R_EDX]);
    r->rsi = GUINT64_TO_LE(env->regs[R_ESI]);
    r->rdi = GUINT64_TO_LE(env->regs[R_EDI]);
    r->orig_rax = 0;
    r->rip = GUINT64_TO_LE(env->eip);
    r->cs = GUINT64_TO_LE(env->segs[R_CS].selector);
    r->eflags = GUINT64_TO_LE(env->eflags);
    r->rsp = GUINT64_TO_LE(env->regs[R_ESP]);
    r->ss = GUINT64_TO_LE(env->segs[R_SS].selector);
    r->fs_base = GUINT64_TO_LE(env->segs[R_FS].base);
    r->gs_base = GUINT64_TO_LE(env->segs[R_GS].base);
    r->ds = GUINT64_TO_LE(env->segs[R_DS].selector);
    r->es = GUINT64_TO_LE(env->segs[R_ES].selector);
    r->fs = GUINT64_TO_LE(env->segs[R_FS].selector);
    r->gs = GUINT64_TO_LE(env->segs[R_GS].selector);
    note_append(out, "CORE", NT_PRSTATUS, &p, sizeof(p));
}

static void note_i386_prstatus(GByteArray *out, const CPUState *cpu)
{
    const CPUX86State *env = &cpu->env;
    I386Prstatus p;
    I386UserRegs *r = &p.regs;

    memset(&p, 0, sizeof(p));
    p.pid = GUINT32_TO_LE(cpu->cpu_index + 1);
    r->ebx = GUINT32_TO_LE((uint32_t)env->regs[R_EBX]);
    r->ecx = GUINT32_TO_LE((uint32_t)env->regs[R_ECX]);
    r->edx = GUINT32_TO_LE((uint32_t)env->regs[R_EDX]);
    r->esi = GUINT32_TO_LE((uint32_t)env->regs[R_ESI]);
    r->edi = GUINT32_TO_LE((uint32_t)env->regs[R_EDI]);
    r->ebp = GUINT32_TO_LE((uint32_t)env->regs[R_EBP]);
    r->eax = GUINT32_TO_LE((uint32_t)env->regs[R_EAX]);
    r->ds = GUINT16_TO_LE(env->segs[R_DS].selector);
    r->es = GUINT16_TO_LE(env->segs[R_ES].selector);
    r->fs = GUINT16_TO_LE(env->segs[R_FS].selector);
    r->gs = GUINT16_TO_LE(env->segs[R_GS].selector);
    r->eip = GUINT32_TO_LE((uint32_t)env->eip);
    r->cs = GUINT16_TO_LE(env->segs[R_CS].selector);
    r->eflags = GUINT32_TO_LE((uint32_t)env->eflags);
    r->esp = GUINT32_TO_LE((uint32_t)env->regs[R_ESP]);
    r->ss = GUINT16_TO_LE(env->segs[R_SS].selector);
    note_append(out, "CORE", NT_PRSTATUS, &p, sizeof(p));
}

static void qemu_segment(QemuCpuSegment *d, const SegmentCache *s)
{
    d->selector = GUINT32_TO_LE(s->selector);
    d->limit = GUINT32_TO_LE(s->limit);
    d->flags = GUINT32_TO_LE(s->flags);
    d->pad = 0;
    d->base = GUINT64_TO_LE(s->base);
}

static void note_qemu_cpustate(GByteArray *out, const CPUState *cpu)
{
    const CPUX86State *env = &cpu->env;
    QemuCpuState s;

    memset(&s, 0, sizeof(s));
    s.version = GUINT32_TO_LE(DUMP_QEMU_CPUSTATE_VERSION);
    s.size = GUINT32_TO_LE(sizeof(s));
    s.rax = GUINT64_TO_LE(env->regs[R_EAX]);
    s.rbx = GUINT64_TO_LE(env->regs[R_EBX]);
    s.rcx = GUINT64_TO_LE(env->regs[R_ECX]);
    s.rdx = GUINT64_TO_LE(env->regs[R_EDX]);
    s.rsi = GUINT64_TO_LE(env->regs[R_ESI]);
    s.rdi = GUINT64_TO_LE(env->regs[R_EDI]);
    s.rsp = GUINT64_TO_LE(env->regs[R_ESP]);
    s.rbp = GUINT64_TO_LE(env->regs[R_EBP]);
    s.r8 = GUINT64_TO_LE(env->regs[R_R8]);
    s.r9 = GUINT64_TO_LE(env->regs[R_R9]);
    s.r10 = GUINT64_TO_LE(env->regs[R_R10]);
    s.r11 = GUINT64_TO_LE(env->regs[R_R11]);
    s.r12 = GUINT64_TO_LE(env->regs[R_R12]);
    s.r13 = GUINT64_TO_LE(env->regs[R_R13]);
    s.r14 = GUINT64_TO_LE(env->regs[R_R14]);
    s.r15 = GUINT64_TO_LE(env->regs[R_R15]);
    s.rip = GUINT64_TO_LE(env->eip);
    s.rflags = GUINT64_TO_LE(env->eflags);
    qemu_segment(&s.cs, &env->segs[R_CS]);
    qemu_segment(&s.ds, &env->segs[R_DS]);
    qemu_segment(&s.es, &env->segs[R_ES]);
    qemu_segment(&s.fs, &env->segs[R_FS]);
    qemu_segment(&s.gs, &env->segs[R_GS]);
    qemu_segment(&s.ss, &env->segs[R_SS]);
    qemu_segment(&s.ldt, &env->ldt);
    qemu_segment(&s.tr, &env->tr);
    qemu_segment(&s.gdt, &env->gdt);
    qemu_segment(&s.idt, &env->idt);
    for (int i = 0; i < 5; i++) {
        s.cr[i] = GUINT64_TO_LE(env->cr[i]);
    }
    s.kernel_gs_base = GUINT64_TO_LE(env->kernelgsbase);
    note_append(out, "QEMU", 0, &s, sizeof(s));
}

GByteArray *dump_build_notes(const DumpArchInfo *info, CPUState *const *cpus,
                             unsigned ncpus, const uint8_t *guest_note,
                             size_t guest_note_size)
{
    GByteArray *out = g_byte_array_new();

    for (unsigned i = 0; i < ncpus; i++) {
        if (info->d_machine == EM_X86_64) {
            note_x86_64_prstatus(out, cpus[i]);
        } else {
            note_i386_prstatus(out, cpus[i]);
        }
    }
    for (unsigned i = 0; i < ncpus; i++) {
        note_qemu_cpustate(out, cpus[i]);
    }
    if (guest_note) {
        g_byte_array_append(out, guest_note, guest_note_size);
    }
    return out;
}

/* ---------------------------------------------------------- VMCOREINFO */

/*
 * "NUMBER(phys_base)=<n>" in the VMCOREINFO text of an x86-64 guest.
 * Linux prints it with "%ld": decimal, and negative when KASLR put the
 * kernel below where it was linked.  (QEMU reads it as hex.)
 */
static void guest_note_phys_base(DumpArchInfo *info, const char *text)
{
    static const char prefix[] = "NUMBER(phys_base)=";
    g_auto(GStrv) lines = NULL;
    int64_t v;

    if (info->d_machine != EM_X86_64) {
        return;
    }
    lines = g_strsplit(text, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        if (g_str_has_prefix(lines[i], prefix)) {
            if (qemu_strtoi64(lines[i] + strlen(prefix), NULL, 10, &v) < 0) {
                warn_report("Failed to read %s", prefix);
            } else {
                info->phys_base = (uint64_t)v;
            }
            return;
        }
    }
}

uint8_t *dump_guest_note_load(DumpArchInfo *info,
                              const GuestPhysBlockList *blocks,
                              uint16_t format, uint32_t size, uint64_t paddr,
                              size_t *note_size)
{
    Elf64_Nhdr h;
    uint8_t *note;
    uint64_t name_size, desc_size, padded;

    if (size < sizeof(h) || size > DUMP_GUEST_NOTE_MAX_SIZE) {
        warn_report("guest note size is invalid: %" PRIu32, size);
        return NULL;
    }
    if (format != DUMP_GUEST_NOTE_FORMAT_ELF) {
        warn_report("guest note format is unsupported: %" PRIu16, format);
        return NULL;
    }
    note = g_malloc(size + 1);      /* + NUL for the text parser */
    if (!guest_phys_blocks_read(blocks, paddr, note, size)) {
        warn_report("guest note at 0x%" PRIx64 " is outside guest RAM",
                    paddr);
        g_free(note);
        return NULL;
    }
    note[size] = 0;
    memcpy(&h, note, sizeof(h));
    name_size = GUINT32_FROM_LE(h.n_namesz);
    desc_size = GUINT32_FROM_LE(h.n_descsz);
    padded = NOTE_PAD(sizeof(h)) + NOTE_PAD(name_size) + NOTE_PAD(desc_size);
    if (name_size > DUMP_GUEST_NOTE_MAX_SIZE ||
        desc_size > DUMP_GUEST_NOTE_MAX_SIZE || padded > size) {
        warn_report("Invalid guest note header");
        g_free(note);
        return NULL;
    }
    if (name_size == sizeof("VMCOREINFO") &&
        !memcmp(note + NOTE_PAD(sizeof(h)), "VMCOREINFO", name_size)) {
        uint8_t *desc = note + NOTE_PAD(sizeof(h)) + NOTE_PAD(name_size);
        char *text = g_strndup((const char *)desc, desc_size);

        guest_note_phys_base(info, text);
        g_free(text);
    }
    *note_size = padded;
    return note;
}

bool dump_guest_note_fetch(DumpArchInfo *info,
                           const GuestPhysBlockList *blocks,
                           DumpVmcoreinfoFn provider,
                           uint8_t **note, size_t *note_size)
{
    uint16_t format;
    uint32_t size;
    uint64_t paddr;

    *note = NULL;
    *note_size = 0;
    if (!provider) {
        return false;
    }
    if (!provider(&format, &size, &paddr)) {
        warn_report("guest note is not present");
        return false;
    }
    *note = dump_guest_note_load(info, blocks, format, size, paddr,
                                 note_size);
    return *note != NULL;
}

/* ------------------------------------------------- utsname from the guest */

#define UTS_FIELDS 6
#define UTS_FIELD_LEN 65                /* __NEW_UTS_LEN + 1 */
#define X86_64_START_KERNEL_MAP UINT64_C(0xffffffff80000000)

/* The VMCOREINFO text among @notes (a new string), or NULL. */
static char *notes_vmcoreinfo(const GByteArray *notes)
{
    static const char name[] = "VMCOREINFO";
    size_t pos = 0;

    while (pos + sizeof(Elf64_Nhdr) <= notes->len) {
        Elf64_Nhdr h;
        size_t desc_at;
        uint32_t namesz, descsz;

        memcpy(&h, notes->data + pos, sizeof(h));
        namesz = GUINT32_FROM_LE(h.n_namesz);
        descsz = GUINT32_FROM_LE(h.n_descsz);
        desc_at = pos + sizeof(h) + NOTE_PAD((size_t)namesz);
        if (desc_at > notes->len || descsz > notes->len - desc_at) {
            return NULL;
        }
        if (namesz == sizeof(name) &&
            !memcmp(notes->data + pos + sizeof(h), name, sizeof(name))) {
            return g_strndup((const char *)notes->data + desc_at, descsz);
        }
        pos = desc_at + NOTE_PAD((size_t)descsz);
    }
    return NULL;
}

/* The value of the VMCOREINFO line "@key=" (borrowed from @lines), or NULL */
static const char *vmci_value(GStrv lines, const char *key)
{
    size_t len = strlen(key);

    for (size_t i = 0; lines[i]; i++) {
        if (!strncmp(lines[i], key, len) && lines[i][len] == '=') {
            return lines[i] + len + 1;
        }
    }
    return NULL;
}

/* Each field NUL-terminated within its 65 bytes, sysname "Linux". */
static bool uts_looks_sane(const uint8_t *uts)
{
    for (int i = 0; i < UTS_FIELDS; i++) {
        if (!memchr(uts + i * UTS_FIELD_LEN, 0, UTS_FIELD_LEN)) {
            return false;
        }
    }
    return !strcmp((const char *)uts, "Linux") &&
           uts[2 * UTS_FIELD_LEN] && uts[3 * UTS_FIELD_LEN] &&
           uts[4 * UTS_FIELD_LEN];
}

/*
 * init_uts_ns.name out of guest memory: SYMBOL(init_uts_ns) +
 * OFFSET(uts_namespace.name) in the kernel image mapping, translated
 * with NUMBER(phys_base) (decimal, as Linux prints it).
 */
static bool guest_uts_read(const GuestPhysBlockList *blocks, GStrv lines,
                           uint8_t *uts)
{
    const char *sym = vmci_value(lines, "SYMBOL(init_uts_ns)");
    const char *off = vmci_value(lines, "OFFSET(uts_namespace.name)");
    const char *pb = vmci_value(lines, "NUMBER(phys_base)");
    uint64_t vaddr, name_off = 0, phys_base = 0, paddr;

    if (!sym || qemu_strtou64(sym, NULL, 16, &vaddr) < 0 ||
        (off && qemu_strtou64(off, NULL, 10, &name_off) < 0) ||
        (pb && qemu_strtou64(pb, NULL, 10, &phys_base) < 0)) {
        return false;
    }
    if (vaddr < X86_64_START_KERNEL_MAP || name_off > 4096 ||
        vaddr + name_off < vaddr) {
        return false;
    }
    paddr = vaddr + name_off - X86_64_START_KERNEL_MAP + phys_base;
    return paddr >= phys_base &&
           guest_phys_blocks_read(blocks, paddr, uts,
                                  UTS_FIELDS * UTS_FIELD_LEN) &&
           uts_looks_sane(uts);
}

bool dump_guest_utsname(const DumpArchInfo *info,
                        const GuestPhysBlockList *blocks,
                        const GByteArray *notes, uint8_t *uts)
{
    g_autofree char *text = notes_vmcoreinfo(notes);
    g_auto(GStrv) lines = NULL;
    const char *release;

    if (!text) {
        return false;
    }
    lines = g_strsplit(text, "\n", -1);
    if (info->d_machine == EM_X86_64 && guest_uts_read(blocks, lines, uts)) {
        return true;
    }
    release = vmci_value(lines, "OSRELEASE");
    if (!release || !*release || strlen(release) >= UTS_FIELD_LEN) {
        return false;
    }
    memset(uts, 0, UTS_FIELDS * UTS_FIELD_LEN);
    strcpy((char *)uts, "Linux");
    strcpy((char *)uts + 2 * UTS_FIELD_LEN, release);
    strcpy((char *)uts + 3 * UTS_FIELD_LEN, "unknown");
    strcpy((char *)uts + 4 * UTS_FIELD_LEN, "x86_64");
    return true;
}
