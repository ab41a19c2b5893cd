/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * faults.h: fault injection for the file, memory and allocation calls
 * sparsevm's own code makes (docs/devel/fault-injection.md).
 *
 * faults.c defines __wrap_write, __wrap_mmap64, ... ; a program linked
 * with `-Wl,--wrap=write,...` (meson: fault_wrap_args) sends every call
 * its own objects make to these wrappers, which pass it on to the C
 * library or glib (__real_*) unless a fault is armed for it.  Calls made
 * inside glib or the C library are not seen, and the normal `sparsevm`
 * binary has no wrappers at all.
 *
 * A fault is armed per operation: fail the Nth call counted from when it
 * was armed ("once"), or the Nth and every later one ("from"), with a
 * given errno.  Arm from the environment before start,
 *   SPARSEVM_FAULT=write:3:once:ENOSPC,mmap:1:from
 * or over QMP while running (x-debug-fault, faults-qmp.c).
 *
 * Thread-safe: the dump thread's calls count too.
 */
#ifndef TESTS_FAULTS_FAULTS_H
#define TESTS_FAULTS_FAULTS_H

/**
 * enum FaultOp: the operations that can fail.  Each stands for every
 * variant of the call (open: open, open64, openat, openat64; rename:
 * rename, renameat, renameat2; malloc: g_try_malloc, g_try_malloc0,
 * g_try_realloc and their _n forms, the fallible allocations; g_malloc
 * aborts on failure by design, as in QEMU, and is not wrapped;
 * set_contents: g_file_set_contents; userfaultfd: syscall(SYS_userfaultfd);
 * uffd_api, uffd_register, uffd_unregister, uffd_writeprotect (protect and
 * un-protect alike), uffd_wake: ioctl() with that userfaultfd request,
 * pagemap_scan: ioctl(PAGEMAP_SCAN) on /proc/self/pagemap, other ioctls
 * pass uncounted; thread_create: pthread_create).
 */
typedef enum FaultOp {
    FAULT_WRITE,
    FAULT_PWRITE,
    FAULT_PWRITEV,
    FAULT_FSYNC,
    FAULT_FDATASYNC,
    FAULT_OPEN,
    FAULT_RENAME,
    FAULT_MMAP,
    FAULT_MADVISE,
    FAULT_FALLOCATE,
    FAULT_COPY_FILE_RANGE,
    FAULT_SENDFILE,
    FAULT_FTRUNCATE,
    FAULT_MEMFD_CREATE,
    FAULT_MALLOC,
    FAULT_SET_CONTENTS,
    FAULT_USERFAULTFD,
    FAULT_UFFD_API,
    FAULT_UFFD_REGISTER,
    FAULT_UFFD_UNREGISTER,
    FAULT_UFFD_WRITEPROTECT,
    FAULT_UFFD_WAKE,
    FAULT_PAGEMAP_SCAN,
    FAULT_THREAD_CREATE,
    FAULT__MAX,
} FaultOp;

/*
 * Pseudo-errno for write, pwrite and pwritev: write only half of the
 * bytes (at least one) and report that, as a short write does.
 */
#define FAULT_SHORT (-1)

/** fault_op_name: "write", "mmap", ... (the names SPARSEVM_FAULT uses). */
const char *fault_op_name(FaultOp op);

/**
 * fault_arm: fail call number @nth (1-based, counted from now) of @op
 * with @err (an errno value or FAULT_SHORT), and with @from every later
 * call too.  Resets @op's counters.  @nth 0 disarms @op.
 */
void fault_arm(FaultOp op, unsigned nth, bool from, int err);

/** fault_disarm_all: disarm every operation and reset the counters. */
void fault_disarm_all(void);

/**
 * fault_parse: arm what @spec says: "OP:N[:once|from][:ERRNO]", several
 * separated by commas; ERRNO is a name (ENOSPC, EIO, ...) or SHORT.  The
 * default errno depends on the operation (ENOSPC for writes and
 * fallocate, EIO for syncs, ENOMEM for mmap, madvise and malloc, EACCES
 * for open and rename, ...).
 * Returns: false with @errp set on a malformed spec (nothing armed).
 */
bool fault_parse(const char *spec, Error **errp);

/**
 * FaultStats: how one operation is armed, and its counters since then.
 * @nth, @from, @err: as given to fault_arm(); @armed: @nth > 0.
 * @calls: calls seen; @injected: calls failed.
 */
typedef struct FaultStats {
    bool armed;
    unsigned nth;
    bool from;
    int err;
    uint64_t calls;
    uint64_t injected;
} FaultStats;

/** fault_get_stats: @op's state and counters. */
void fault_get_stats(FaultOp op, FaultStats *st);

/** fault_errno_name: "ENOSPC", "SHORT", ... for @err. */
const char *fault_errno_name(int err);

#endif /* TESTS_FAULTS_FAULTS_H */
