/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-util.h: what the dump qtests share: a model of what the test
 * wrote into guest RAM (everything else reads as zero), the guest's
 * memory map as `info mtree -f` shows it, checking every byte of every
 * PT_LOAD of a dump against the model (ROM against what the guest reads),
 * event order, and running the external readers.
 */
#ifndef TESTS_QTEST_DUMP_UTIL_H
#define TESTS_QTEST_DUMP_UTIL_H

#include <inttypes.h>
#include <stdio.h>
#include "libqtest.h"
#include "tests/elf/elf-reader.h"
#include "qemu/units.h"


/*
 * The machine of the dump qtests: 512 MiB of RAM, split by the isa-bios
 * ROM window, the firmware ROM and holes.
 */
#define DUMP_MACHINE "-machine microvm -m 512M "

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#endif

/**
 * struct DumpModel: the test's writes into guest RAM, in order, and the
 * "foreign" ranges someone else writes (a test driver's virtqueues),
 * whose expected contents are read from the guest at check time.
 */
typedef struct DumpModel {
    GArray *writes;         /* ModelWrite */
    GArray *foreign;        /* ModelRange */
} DumpModel;

void model_init(DumpModel *m);
void model_free(DumpModel *m);
/**
 * model_write: write @len bytes of a pattern derived from @seed at @gpa
 * (through qtest) and remember them.
 */
void model_write(QTestState *s, DumpModel *m, uint64_t gpa, size_t len,
                 uint8_t seed);
/**
 * write_noise: write @len bytes of seeded random data at @gpa, without
 * remembering them (use model_foreign() if a check must skip them).  No
 * codec compresses it: a dump held on a pipe cannot read far past it.
 */
void write_noise(QTestState *s, uint64_t gpa, size_t len, uint32_t seed);
/**
 * model_snapshot: @dst becomes what @src says RAM holds now, foreign
 * ranges read from the guest through @s (so later writes by anyone do
 * not change it).  model_free() @dst.
 */
void model_snapshot(QTestState *s, DumpModel *dst, const DumpModel *src);
/** model_forget: the range was unplugged: it reads as zero again. */
void model_forget(DumpModel *m, uint64_t gpa, uint64_t len);
/** model_foreign: [@gpa, +@len) is written by others (read it back). */
void model_foreign(DumpModel *m, uint64_t gpa, uint64_t len);
/**
 * model_expect: what RAM at [@gpa, +@len) holds according to @m (foreign
 * parts read through @s).
 */
void model_expect(QTestState *s, const DumpModel *m, uint64_t gpa,
                  uint8_t *buf, size_t len);

/** struct FlatRange: one line of `info mtree -f` for AS "memory". */
typedef struct FlatRange {
    uint64_t start;
    uint64_t end;           /* exclusive */
    char kind[16];          /* "ram", "rom", "ramd", "i/o", ... */
    char name[64];
} FlatRange;

/** flat_ranges: the guest-physical map (g_array_free it). */
GArray *flat_ranges(QTestState *s);

/** flat_lookup: the range of @flat holding @gpa, or NULL. */
const FlatRange *flat_lookup(GArray *flat, uint64_t gpa);

/**
 * check_load_data: the file data of @core's program header @i (a
 * PT_LOAD) equals guest memory, as for check_dump_loads().
 */
void check_load_data(QTestState *s, const ElfCore *core, unsigned i,
                     const DumpModel *model, GArray *flat);

/**
 * check_dump_loads: every PT_LOAD of @core equals guest memory: RAM per
 * @model, ROM per a qtest read of the same addresses.  Ranges of kind
 * "ram" in @flat are RAM.  Returns the number of PT_LOADs.
 */
unsigned check_dump_loads(QTestState *s, const ElfCore *core,
                          const DumpModel *model, GArray *flat);

/**
 * check_libkdumpfile: python3-libkdumpfile (in /usr/bin/python3) reads
 * 32 bytes at each of @addrs[0..@n) from the dump at @path as physical
 * addresses; they must equal guest memory (as for check_dump_loads).
 * A missing module is reported and the check skipped.
 */
void check_libkdumpfile(QTestState *s, const DumpModel *model, GArray *flat,
                        const char *path, const uint64_t *addrs, unsigned n);

/**
 * check_libkdumpfile_ex: check_libkdumpfile() on a kdump file whose
 * all-zero pages are excluded (@zero_pages_excluded: not in the 2nd
 * bitmap) or not, with libkdumpfile's file.zero_excluded attribute set to
 * @zero_excluded (0 or 1), or left at its default (-1).  A probe in an
 * excluded page must raise NoDataException unless the attribute is 1,
 * when it must read as zeros.
 */
void check_libkdumpfile_ex(QTestState *s, const DumpModel *model,
                           GArray *flat, const char *path,
                           const uint64_t *addrs, unsigned n,
                           bool zero_pages_excluded, int zero_excluded);

/** dump_open: parse the ELF file at @path; fails the test on error. */
void dump_open(ElfCore *core, const char *path);

/**
 * events_take: the names of the stashed events, space separated, and
 * forget them.  Returns a new string.
 */
char *events_take(QTestState *s);
/** events_peek: the same without forgetting them. */
char *events_peek(QTestState *s);

/**
 * run_tool: run @argv, capture both outputs.  Returns the exit status,
 * or -1 if the program could not be started.
 */
int run_tool(char **argv, char **out, char **err);

/** tool_available: @name is on PATH. */
bool tool_available(const char *name);

/**
 * expect_bytes: guest memory at [@gpa, +@len) of one range of @flat:
 * per @model for RAM, as the guest reads it otherwise (ROM).
 */
void expect_bytes(QTestState *s, const DumpModel *model, GArray *flat,
                  uint64_t gpa, uint8_t *buf, size_t len);

/** dump_getfd: pass @fd to the monitor as @name (getfd); must work. */
void dump_getfd(QTestState *s, int fd, const char *name);

/**
 * struct DumpDrain: what dump_drain_thread() reads from @fd until EOF
 * into @got.
 */
typedef struct DumpDrain {
    int fd;
    GByteArray *got;
} DumpDrain;

/** dump_drain_thread: a GThread function reading a pipe (DumpDrain). */
gpointer dump_drain_thread(gpointer opaque);

/**
 * mount_tmpfs: a private mount namespace for this process (and the
 * binaries it starts) with a tmpfs mounted at @dir with @opts
 * ("size=1m").  Returns false (and the reason in *@why) if this host
 * does not let us.
 */
bool mount_tmpfs(const char *dir, const char *opts, char **why);

/** memfd_allocated: bytes allocated in the memfd @name of process @pid. */
uint64_t memfd_allocated(pid_t pid, const char *name);

#endif /* TESTS_QTEST_DUMP_UTIL_H */
