/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-dump.c: ELF dumps of fuzzed guest-memory layouts into an fd sink
 * whose system calls fail, come up short or are interrupted at fuzzed
 * points.
 *
 * The machine is tests/unit/dump-test-machine.c's (RAM, MMIO, a
 * ram_device, ROM, and a memfd-backed discard-managed region standing for
 * virtio-mem, 64 blocks of 64 KiB), built once.  Input layout (missing
 * bytes read as zero):
 *   0      flags: bit 0 paging, bit 1 begin/length given, bit 2
 *          x-ignore-discard-manager, bit 3 sequential (pipe-like) memory
 *          sink instead of the fd sink, bit 4 no O_DIRECT
 *   1-8    which of the 64 blocks are plugged (a bitmap)
 *   9-16   begin, 17-24 length (little-endian)
 *   25-26  the fd sink's call that fails first (0: none), 27: how
 *          (0 ENOSPC, 1 EIO, 2 EINTR, 3 short write, 4 a write of
 *          nothing), 28: how many calls fail in a row
 *   29...  (offset, byte) pairs of 4 + 1 bytes written into RAM and
 *          into plugged blocks, so zero detection and page-table walks
 *          see data
 * Checked: a dump that reports success is a valid ELF core (the in-tree
 * reader parses it) whose PT_LOADs hold exactly guest memory and never
 * cover an unplugged block; a failure comes with an error; the dump never
 * allocates memory in the memfd (it reads without populating); nothing
 * leaks (LSan) and the machine is as before.
 */
#include "qemu/osdep.h"
#include <elf.h>
#include <linux/memfd.h>
#include <sys/mman.h>
#include "qemu/bitmap.h"
#include "qemu/error.h"
#include "dump/dump-internal.h"
#include "dump/dump-sink.h"
#include "exec/memory_mapping.h"
#include "../unit/dump-test-machine.h"
#include "../elf/elf-reader.h"
#include "faults.h"
#include "fuzz.h"
#include "qemu/units.h"

#define RAM_SIZE   (2 * MiB)
#define VMEM_GRAN  (64 * KiB)
#define VMEM_BLOCKS 64
#define VMEM_SIZE  (VMEM_GRAN * VMEM_BLOCKS)

static TestMachine tm;
static int out_fd = -1;

/* ------------------------------------------------------ failing writes */

/* What the sink's writes meet (tests/faults/, linked in). */
typedef enum FaultKind {
    FK_ENOSPC, FK_EIO, FK_EINTR, FK_SHORT, FK_ZERO, FK__MAX
} FaultKind;

static const int fault_kind_err[FK__MAX] = {
    [FK_ENOSPC] = ENOSPC, [FK_EIO] = EIO, [FK_EINTR] = EINTR,
    [FK_SHORT] = FAULT_SHORT, [FK_ZERO] = FAULT_ZERO,
};

/* Fail @count write and pwrite calls of the sink from call @first on. */
static void flaky_arm(unsigned first, unsigned count, FaultKind kind)
{
    fault_arm_range(FAULT_WRITE, first, count, fault_kind_err[kind]);
    fault_arm_range(FAULT_PWRITE, first, count, fault_kind_err[kind]);
}

/* Whether an error that no retry hides (ENOSPC, EIO) was returned. */
static bool flaky_failed_hard(FaultKind kind)
{
    FaultStats w, pw;

    fault_get_stats(FAULT_WRITE, &w);
    fault_get_stats(FAULT_PWRITE, &pw);
    return (kind == FK_ENOSPC || kind == FK_EIO) &&
           w.injected + pw.injected > 0;
}

/* --------------------------------------------------------------- input */

typedef struct Input {
    const uint8_t *data;
    size_t size;
} Input;

static uint64_t in_u64(const Input *in, size_t at, unsigned len)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < len; i++) {
        if (at + i < in->size) {
            v |= (uint64_t)in->data[at + i] << (8 * i);
        }
    }
    return v;
}

/* Write the (offset, byte) pairs into RAM and plugged blocks. */
static void poke(const Input *in)
{
    for (size_t at = 29; at + 5 <= in->size; at += 5) {
        uint64_t off = in_u64(in, at, 4) % (RAM_SIZE + VMEM_SIZE);
        uint8_t val = in->data[at + 4];

        if (off < RAM_SIZE) {
            tm_host(&tm, off)[0] = val;
        } else if (test_bit((off - RAM_SIZE) / VMEM_GRAN, tm.rdm.bitmap)) {
            tm_host(&tm, TM_VMEM_BASE + off - RAM_SIZE)[0] = val;
        }
    }
}

/* ------------------------------------------------------------- checks */

static bool plugged(hwaddr gpa)
{
    return test_bit((gpa - TM_VMEM_BASE) / VMEM_GRAN, tm.rdm.bitmap);
}

/* A successful dump: a valid core, guest bytes, no unplugged block. */
static void check_dump(const uint8_t *data, size_t len, bool ignore_rdm)
{
    ElfCore core;
    g_autofree char *err = elf_core_parse(&core, data, len);
    g_autofree uint8_t *buf = NULL;

    if (err) {
        fprintf(stderr, "fuzz-dump: the dump does not parse: %s\n", err);
        abort();
    }
    for (unsigned i = 0; i < core.phnum; i++) {
        const ElfSegment *s = elf_core_segment(&core, i);

        if (s->type != PT_LOAD) {
            continue;
        }
        g_assert_cmpuint(s->offset + s->filesz, <=, len);
        buf = g_realloc(buf, MAX(s->filesz, 1));
        tm_read(&tm, s->paddr, buf, s->filesz);
        if (memcmp(buf, data + s->offset, s->filesz)) {
            fprintf(stderr, "fuzz-dump: PT_LOAD at 0x%" PRIx64 " differs "
                    "from guest memory\n", s->paddr);
            abort();
        }
        if (!ignore_rdm && s->paddr >= TM_VMEM_BASE &&
            s->paddr < TM_VMEM_BASE + VMEM_SIZE) {
            for (uint64_t a = s->paddr; a < s->paddr + s->memsz;
                 a += VMEM_GRAN) {
                g_assert_true(plugged(a));
            }
        }
    }
    elf_core_free(&core);
}

static const uint8_t *fd_contents(size_t *len, GByteArray *store)
{
    struct stat st;

    g_assert_cmpint(fstat(out_fd, &st), ==, 0);
    g_byte_array_set_size(store, st.st_size);
    g_assert_cmpint(pread(out_fd, store->data, st.st_size, 0), ==,
                    st.st_size);
    *len = st.st_size;
    return store->data;
}

/* ------------------------------------------------------------ libFuzzer */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_sandbox_enter(*argc, *argv);
    error_init("fuzz-dump");
    type_register_object_types();
    tm_init(&tm, RAM_SIZE, VMEM_SIZE, VMEM_GRAN, 0, 2);
    out_fd = memfd_create("fuzz-dump-out", MFD_CLOEXEC);
    g_assert_cmpint(out_fd, >=, 0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Input in = { data, size };
    uint8_t flags = in_u64(&in, 0, 1);
    uint64_t plug = in_u64(&in, 1, 8);
    DumpRequest cfg = {
        .as = &tm.as,
        .cpus = tm.cpus,
        .ncpus = tm.ncpus,
        .paging = flags & 1,
        .has_begin = flags & 2,
        .has_length = flags & 2,
        .begin = in_u64(&in, 9, 8),
        .length = in_u64(&in, 17, 8),
        .block_flags = flags & 4 ? GUEST_PHYS_BLOCKS_IGNORE_DISCARD_MANAGER : 0,
    };
    bool sequential = flags & 8;

    /* what the command lets through (dump_check_filter()) */
    if (cfg.has_begin && (cfg.length <= 0 || cfg.begin < 0)) {
        cfg.has_begin = cfg.has_length = false;
    }
    uint64_t allocated = tm_fd_allocated(&tm);
    g_autoptr(GByteArray) store = g_byte_array_new();
    Error *err = NULL;
    DumpSink *sink;
    DumpJob job;
    FaultKind kind;
    bool failed_hard;
    bool ok;

    fake_rdm_unplug(&tm.rdm, 0, VMEM_BLOCKS);
    for (unsigned b = 0; b < VMEM_BLOCKS; b++) {
        if (plug & (1ULL << b)) {
            fake_rdm_plug(&tm.rdm, b, 1);
        }
    }
    poke(&in);
    allocated = tm_fd_allocated(&tm);

    kind = in_u64(&in, 27, 1) % FK__MAX;
    g_assert_cmpint(ftruncate(out_fd, 0), ==, 0);
    g_assert_cmpint(lseek(out_fd, 0, SEEK_SET), ==, 0);
    dump_fd_sink_set_direct_io(!(flags & 16));
    if (sequential) {
        sink = dump_mem_sink_new(true);
    } else {
        flaky_arm(in_u64(&in, 25, 2), MAX(in_u64(&in, 28, 1), 1), kind);
        sink = dump_fd_sink_new(out_fd);
    }

    ok = dump_job_prepare(&job, &dump_elf_encoder, &cfg, sink, &err);
    if (ok) {
        ok = dump_job_write(&job, &err);
        dump_job_cleanup(&job);
    }
    failed_hard = flaky_failed_hard(kind);
    fault_disarm_all();
    if (ok) {
        size_t len;
        const uint8_t *out = sequential ? dump_mem_sink_data(sink, &len)
                                        : fd_contents(&len, store);

        g_assert_null(err);
        g_assert_false(failed_hard);
        check_dump(out, len, flags & 4);
        if (getenv("FUZZ_VERBOSE")) {
            fprintf(stderr, "dump: %zu bytes\n", len);
        }
    } else {
        if (getenv("FUZZ_VERBOSE")) {
            fprintf(stderr, "dump: %s\n", error_get_pretty(err));
        }
        /* an error, saying what failed */
        g_assert_nonnull(err);
        g_assert_cmpuint(strlen(error_get_pretty(err)), >, 0);
        error_free(err);
    }
    dump_sink_free(sink);
    /* the dump read the memfd without allocating anything in it */
    g_assert_cmpuint(tm_fd_allocated(&tm), ==, allocated);
    return 0;
}
