/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * faults.c: the link-time wrappers of faults.h and their fault table.
 *
 * Link-time wrapping (ld --wrap) rather than an LD_PRELOAD shim: it
 * coexists with ASan's interceptors (a preloaded write() would come
 * before or after them depending on load order), it sees only the calls
 * of our own objects (not glib's or libFuzzer's), and it needs no second
 * shared object at run time.
 *
 * The table is read lazily: the first wrapped call parses SPARSEVM_FAULT.
 * Every injected failure is reported on stderr as
 *   sparsevm-faults: failing write call #3 with ENOSPC
 * so that a test can tell which fault fired.
 */
#include "qemu/osdep.h"
#include <pthread.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include "qemu/error.h"
#include "faults.h"

static const struct {
    const char *name;
    int default_err;
} fault_ops[FAULT__MAX] = {
    [FAULT_WRITE] = { "write", ENOSPC },
    [FAULT_PWRITE] = { "pwrite", ENOSPC },
    [FAULT_PWRITEV] = { "pwritev", ENOSPC },
    [FAULT_FSYNC] = { "fsync", EIO },
    [FAULT_FDATASYNC] = { "fdatasync", EIO },
    [FAULT_OPEN] = { "open", EACCES },
    [FAULT_RENAME] = { "rename", EACCES },
    [FAULT_MMAP] = { "mmap", ENOMEM },
    [FAULT_MADVISE] = { "madvise", ENOMEM },
    [FAULT_FALLOCATE] = { "fallocate", ENOSPC },
    [FAULT_COPY_FILE_RANGE] = { "copy_file_range", EIO },
    [FAULT_SENDFILE] = { "sendfile", EIO },
    [FAULT_FTRUNCATE] = { "ftruncate", EFBIG },
    [FAULT_MEMFD_CREATE] = { "memfd_create", EMFILE },
    [FAULT_MALLOC] = { "malloc", ENOMEM },
    [FAULT_SET_CONTENTS] = { "set_contents", ENOSPC },
    [FAULT_USERFAULTFD] = { "userfaultfd", EPERM },
    [FAULT_UFFD_API] = { "uffd_api", EINVAL },
    [FAULT_UFFD_REGISTER] = { "uffd_register", EINVAL },
    [FAULT_UFFD_UNREGISTER] = { "uffd_unregister", EINVAL },
    [FAULT_UFFD_WRITEPROTECT] = { "uffd_writeprotect", ENOMEM },
    [FAULT_UFFD_WAKE] = { "uffd_wake", EINVAL },
    [FAULT_PAGEMAP_SCAN] = { "pagemap_scan", EINVAL },
    [FAULT_THREAD_CREATE] = { "thread_create", EAGAIN },
};

static const struct {
    const char *name;
    int err;
} fault_errnos[] = {
    { "SHORT", FAULT_SHORT }, { "ENOSPC", ENOSPC }, { "EIO", EIO },
    { "ENOMEM", ENOMEM }, { "EACCES", EACCES }, { "EPERM", EPERM },
    { "EINTR", EINTR }, { "EAGAIN", EAGAIN }, { "EROFS", EROFS },
    { "EDQUOT", EDQUOT }, { "EFBIG", EFBIG }, { "EPIPE", EPIPE },
    { "EBADF", EBADF }, { "EINVAL", EINVAL }, { "EEXIST", EEXIST },
    { "ENOENT", ENOENT }, { "EXDEV", EXDEV }, { "EMFILE", EMFILE },
    { "ENOSYS", ENOSYS }, { "EOPNOTSUPP", EOPNOTSUPP },
};

/*
 * Protects fault_table.  A pthread mutex, not a GMutex: glib's futex
 * based locks are invisible to ThreadSanitizer.
 */
static pthread_mutex_t fault_lock = PTHREAD_MUTEX_INITIALIZER;
static FaultStats fault_table[FAULT__MAX];

const char *fault_op_name(FaultOp op)
{
    return op < FAULT__MAX ? fault_ops[op].name : "?";
}

const char *fault_errno_name(int err)
{
    for (size_t i = 0; i < ARRAY_SIZE(fault_errnos); i++) {
        if (fault_errnos[i].err == err) {
            return fault_errnos[i].name;
        }
    }
    return "E?";
}

static void fault_arm_locked(FaultOp op, unsigned nth, bool from, int err)
{
    FaultStats *f = &fault_table[op];

    f->armed = nth > 0;
    f->nth = nth;
    f->from = from;
    f->err = err;
    f->calls = 0;
    f->injected = 0;
}

void fault_arm(FaultOp op, unsigned nth, bool from, int err)
{
    assert(op < FAULT__MAX);
    pthread_mutex_lock(&fault_lock);
    fault_arm_locked(op, nth, from, err);
    pthread_mutex_unlock(&fault_lock);
}

void fault_disarm_all(void)
{
    pthread_mutex_lock(&fault_lock);
    for (FaultOp op = 0; op < FAULT__MAX; op++) {
        fault_arm_locked(op, 0, false, 0);
    }
    pthread_mutex_unlock(&fault_lock);
}

void fault_get_stats(FaultOp op, FaultStats *st)
{
    assert(op < FAULT__MAX);
    pthread_mutex_lock(&fault_lock);
    *st = fault_table[op];
    pthread_mutex_unlock(&fault_lock);
}

typedef struct FaultSpec {
    FaultOp op;
    unsigned nth;
    bool from;
    int err;
} FaultSpec;

static bool fault_parse_one(const char *item, FaultSpec *fs, Error **errp)
{
    g_auto(GStrv) f = g_strsplit(item, ":", -1);
    guint n = g_strv_length(f);
    uint64_t nth;
    size_t i;

    if (n < 2 || n > 4) {
        error_setg(errp, "fault '%s': expected OP:N[:once|from][:ERRNO]",
                   item);
        return false;
    }
    for (i = 0; i < FAULT__MAX && strcmp(f[0], fault_ops[i].name); i++) {
        /* look the operation up */
    }
    if (i == FAULT__MAX) {
        error_setg(errp, "fault '%s': unknown operation '%s'", item, f[0]);
        return false;
    }
    fs->op = i;
    if (!g_ascii_string_to_unsigned(f[1], 10, 0, UINT_MAX, &nth, NULL)) {
        error_setg(errp, "fault '%s': N must be a number", item);
        return false;
    }
    fs->nth = nth;
    fs->from = n >= 3 && !strcmp(f[2], "from");
    if (n >= 3 && !fs->from && strcmp(f[2], "once")) {
        error_setg(errp, "fault '%s': mode must be 'once' or 'from'", item);
        return false;
    }
    fs->err = fault_ops[fs->op].default_err;
    if (n == 4) {
        for (i = 0; i < ARRAY_SIZE(fault_errnos) &&
             strcmp(f[3], fault_errnos[i].name); i++) {
            /* look the errno up */
        }
        if (i == ARRAY_SIZE(fault_errnos)) {
            error_setg(errp, "fault '%s': unknown errno '%s'", item, f[3]);
            return false;
        }
        fs->err = fault_errnos[i].err;
    }
    return true;
}

bool fault_parse(const char *spec, Error **errp)
{
    g_auto(GStrv) items = g_strsplit(spec, ",", -1);
    g_autofree FaultSpec *fs = g_new0(FaultSpec, g_strv_length(items) + 1);
    guint n = 0;

    for (guint i = 0; items[i]; i++) {
        if (!*items[i]) {
            continue;
        }
        if (!fault_parse_one(items[i], &fs[n++], errp)) {
            return false;
        }
    }
    for (guint i = 0; i < n; i++) {
        fault_arm(fs[i].op, fs[i].nth, fs[i].from, fs[i].err);
    }
    return true;
}

static void fault_parse_env(void)
{
    const char *spec = getenv("SPARSEVM_FAULT");
    Error *err = NULL;

    if (spec && !fault_parse(spec, &err)) {
        fprintf(stderr, "SPARSEVM_FAULT: %s\n", error_get_pretty(err));
        exit(1);
    }
}

static void fault_init_from_env(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, fault_parse_env);
}

/*
 * Once exit() has begun, calls pass through uncounted: what runs then
 * (gcov writing its counters in a coverage build, libc flushing stdio)
 * is not ours, and failing it would fail no operation of the program.
 * Registered from a constructor, the handler runs before the exit-time
 * work of the runtime, which was registered earlier.
 */
static bool fault_exiting;

static void fault_mark_exiting(void)
{
    pthread_mutex_lock(&fault_lock);
    fault_exiting = true;
    pthread_mutex_unlock(&fault_lock);
}

static void __attribute__((constructor)) fault_register_exit(void)
{
    atexit(fault_mark_exiting);
}

/* Count a call of @op; true (with *@err set) if it must fail. */
static bool fault_hit(FaultOp op, int *err)
{
    FaultStats *f = &fault_table[op];
    bool fail;

    fault_init_from_env();
    pthread_mutex_lock(&fault_lock);
    if (fault_exiting) {
        pthread_mutex_unlock(&fault_lock);
        return false;
    }
    f->calls++;
    fail = f->armed && (f->calls == f->nth || (f->from &&
                                               f->calls > f->nth));
    if (fail) {
        f->injected++;
        *err = f->err;
        fprintf(stderr, "sparsevm-faults: failing %s call #%" PRIu64
                " with %s\n", fault_ops[op].name, f->calls,
                fault_errno_name(f->err));
    }
    pthread_mutex_unlock(&fault_lock);
    return fail;
}

/* For calls that return -1 and set errno. */
#define FAULT_RETURN_ERRNO(op, errval)                                  \
    do {                                                                \
        int err_;                                                       \
        if (fault_hit(op, &err_)) {                                     \
            errno = err_ == FAULT_SHORT ? EIO : err_;                   \
            return errval;                                              \
        }                                                               \
    } while (0)

/* ------------------------------------------------------------- writes */

ssize_t __real_write(int fd, const void *buf, size_t n);
ssize_t __real_pwrite64(int fd, const void *buf, size_t n, off_t off);
ssize_t __real_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t __real_pwritev64(int fd, const struct iovec *iov, int cnt,
                         off_t off);
ssize_t __real_pwritev(int fd, const struct iovec *iov, int cnt, off_t off);

/* How much a SHORT fault lets through: half, at least one byte. */
static size_t fault_short_len(size_t n)
{
    return n > 1 ? n / 2 : n;
}

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
    int err;

    if (fault_hit(FAULT_WRITE, &err)) {
        if (err == FAULT_SHORT) {
            return __real_write(fd, buf, fault_short_len(n));
        }
        errno = err;
        return -1;
    }
    return __real_write(fd, buf, n);
}

static ssize_t fault_pwrite(ssize_t (*real)(int, const void *, size_t,
                                            off_t),
                            int fd, const void *buf, size_t n, off_t off)
{
    int err;

    if (fault_hit(FAULT_PWRITE, &err)) {
        if (err == FAULT_SHORT) {
            return real(fd, buf, fault_short_len(n), off);
        }
        errno = err;
        return -1;
    }
    return real(fd, buf, n, off);
}

ssize_t __wrap_pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    return fault_pwrite(__real_pwrite64, fd, buf, n, off);
}

ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off)
{
    return fault_pwrite(__real_pwrite, fd, buf, n, off);
}

static ssize_t fault_pwritev(ssize_t (*real)(int, const struct iovec *, int,
                                             off_t),
                             int fd, const struct iovec *iov, int cnt,
                             off_t off)
{
    int err;

    if (fault_hit(FAULT_PWRITEV, &err)) {
        if (err == FAULT_SHORT && cnt > 0) {
            struct iovec first = iov[0];

            first.iov_len = fault_short_len(first.iov_len);
            return real(fd, &first, 1, off);
        }
        errno = err == FAULT_SHORT ? EIO : err;
        return -1;
    }
    return real(fd, iov, cnt, off);
}

ssize_t __wrap_pwritev64(int fd, const struct iovec *iov, int cnt, off_t off)
{
    return fault_pwritev(__real_pwritev64, fd, iov, cnt, off);
}

ssize_t __wrap_pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
    return fault_pwritev(__real_pwritev, fd, iov, cnt, off);
}

/* -------------------------------------------------------------- syncs */

int __real_fsync(int fd);
int __real_fdatasync(int fd);

int __wrap_fsync(int fd)
{
    FAULT_RETURN_ERRNO(FAULT_FSYNC, -1);
    return __real_fsync(fd);
}

int __wrap_fdatasync(int fd)
{
    FAULT_RETURN_ERRNO(FAULT_FDATASYNC, -1);
    return __real_fdatasync(fd);
}

/* ------------------------------------------------------ open, rename */

int __real_open(const char *path, int flags, ...);
int __real_open64(const char *path, int flags, ...);
int __real_openat(int dirfd, const char *path, int flags, ...);
int __real_openat64(int dirfd, const char *path, int flags, ...);

/* The mode argument exists only when the flags create a file. */
#define FAULT_OPEN_MODE(flags, last, mode)                              \
    do {                                                                \
        if ((flags) & (O_CREAT | O_TMPFILE)) {                          \
            va_list ap_;                                                \
            va_start(ap_, last);                                        \
            mode = va_arg(ap_, int);                                    \
            va_end(ap_);                                                \
        }                                                               \
    } while (0)

int __wrap_open(const char *path, int flags, ...)
{
    int mode = 0;

    FAULT_OPEN_MODE(flags, flags, mode);
    FAULT_RETURN_ERRNO(FAULT_OPEN, -1);
    return __real_open(path, flags, mode);
}

int __wrap_open64(const char *path, int flags, ...)
{
    int mode = 0;

    FAULT_OPEN_MODE(flags, flags, mode);
    FAULT_RETURN_ERRNO(FAULT_OPEN, -1);
    return __real_open64(path, flags, mode);
}

int __wrap_openat(int dirfd, const char *path, int flags, ...)
{
    int mode = 0;

    FAULT_OPEN_MODE(flags, flags, mode);
    FAULT_RETURN_ERRNO(FAULT_OPEN, -1);
    return __real_openat(dirfd, path, flags, mode);
}

int __wrap_openat64(int dirfd, const char *path, int flags, ...)
{
    int mode = 0;

    FAULT_OPEN_MODE(flags, flags, mode);
    FAULT_RETURN_ERRNO(FAULT_OPEN, -1);
    return __real_openat64(dirfd, path, flags, mode);
}

int __real_rename(const char *from, const char *to);
int __real_renameat(int fd1, const char *from, int fd2, const char *to);
int __real_renameat2(int fd1, const char *from, int fd2, const char *to,
                     unsigned flags);

int __wrap_rename(const char *from, const char *to)
{
    FAULT_RETURN_ERRNO(FAULT_RENAME, -1);
    return __real_rename(from, to);
}

int __wrap_renameat(int fd1, const char *from, int fd2, const char *to)
{
    FAULT_RETURN_ERRNO(FAULT_RENAME, -1);
    return __real_renameat(fd1, from, fd2, to);
}

int __wrap_renameat2(int fd1, const char *from, int fd2, const char *to,
                     unsigned flags)
{
    FAULT_RETURN_ERRNO(FAULT_RENAME, -1);
    return __real_renameat2(fd1, from, fd2, to, flags);
}

/* ------------------------------------------------------------- memory */

void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd,
                  off_t off);
void *__real_mmap64(void *addr, size_t len, int prot, int flags, int fd,
                    off_t off);
int __real_madvise(void *addr, size_t len, int advice);
int __real_memfd_create(const char *name, unsigned flags);

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
                  off_t off)
{
    FAULT_RETURN_ERRNO(FAULT_MMAP, MAP_FAILED);
    return __real_mmap(addr, len, prot, flags, fd, off);
}

void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd,
                    off_t off)
{
    FAULT_RETURN_ERRNO(FAULT_MMAP, MAP_FAILED);
    return __real_mmap64(addr, len, prot, flags, fd, off);
}

int __wrap_madvise(void *addr, size_t len, int advice)
{
    FAULT_RETURN_ERRNO(FAULT_MADVISE, -1);
    return __real_madvise(addr, len, advice);
}

int __wrap_memfd_create(const char *name, unsigned flags)
{
    FAULT_RETURN_ERRNO(FAULT_MEMFD_CREATE, -1);
    return __real_memfd_create(name, flags);
}

/* ------------------------------------------------- file size and copy */

int __real_fallocate(int fd, int mode, off_t off, off_t len);
int __real_fallocate64(int fd, int mode, off_t off, off_t len);
int __real_ftruncate(int fd, off_t len);
int __real_ftruncate64(int fd, off_t len);
ssize_t __real_copy_file_range(int in, loff_t *in_off, int out,
                               loff_t *out_off, size_t len, unsigned flags);
ssize_t __real_sendfile(int out, int in, off_t *off, size_t n);
ssize_t __real_sendfile64(int out, int in, off_t *off, size_t n);

int __wrap_fallocate(int fd, int mode, off_t off, off_t len)
{
    FAULT_RETURN_ERRNO(FAULT_FALLOCATE, -1);
    return __real_fallocate(fd, mode, off, len);
}

int __wrap_fallocate64(int fd, int mode, off_t off, off_t len)
{
    FAULT_RETURN_ERRNO(FAULT_FALLOCATE, -1);
    return __real_fallocate64(fd, mode, off, len);
}

int __wrap_ftruncate(int fd, off_t len)
{
    FAULT_RETURN_ERRNO(FAULT_FTRUNCATE, -1);
    return __real_ftruncate(fd, len);
}

int __wrap_ftruncate64(int fd, off_t len)
{
    FAULT_RETURN_ERRNO(FAULT_FTRUNCATE, -1);
    return __real_ftruncate64(fd, len);
}

ssize_t __wrap_copy_file_range(int in, loff_t *in_off, int out,
                               loff_t *out_off, size_t len, unsigned flags)
{
    FAULT_RETURN_ERRNO(FAULT_COPY_FILE_RANGE, -1);
    return __real_copy_file_range(in, in_off, out, out_off, len, flags);
}

ssize_t __wrap_sendfile(int out, int in, off_t *off, size_t n)
{
    FAULT_RETURN_ERRNO(FAULT_SENDFILE, -1);
    return __real_sendfile(out, in, off, n);
}

ssize_t __wrap_sendfile64(int out, int in, off_t *off, size_t n)
{
    FAULT_RETURN_ERRNO(FAULT_SENDFILE, -1);
    return __real_sendfile64(out, in, off, n);
}

/* -------------------------------------------------------------- glib */

gpointer __real_g_try_malloc(gsize n);
gpointer __real_g_try_malloc0(gsize n);
gpointer __real_g_try_realloc(gpointer p, gsize n);
gpointer __real_g_try_malloc_n(gsize n, gsize size);
gpointer __real_g_try_malloc0_n(gsize n, gsize size);
gpointer __real_g_try_realloc_n(gpointer p, gsize n, gsize size);
gboolean __real_g_file_set_contents(const gchar *path, const gchar *data,
                                    gssize len, GError **error);

gpointer __wrap_g_try_malloc(gsize n)
{
    FAULT_RETURN_ERRNO(FAULT_MALLOC, NULL);
    return __real_g_try_malloc(n);
}

gpointer __wrap_g_try_malloc0(gsize n)
{
    FAULT_RETURN_ERRNO(FAULT_MALLOC, NULL);
    return __real_g_try_malloc0(n);
}

gpointer __wrap_g_try_realloc(gpointer p, gsize n)
{
    FAULT_RETURN_ERRNO(FAULT_MALLOC, NULL);
    return __real_g_try_realloc(p, n);
}

gpointer __wrap_g_try_malloc_n(gsize n, gsize size)
{
    FAULT_RETURN_ERRNO(FAULT_MALLOC, NULL);
    return __real_g_try_malloc_n(n, size);
}

gpointer __wrap_g_try_malloc0_n(gsize n, gsize size)
{
    FAULT_RETURN_ERRNO(FAULT_MALLOC, NULL);
    return __real_g_try_malloc0_n(n, size);
}

gpointer __wrap_g_try_realloc_n(gpointer p, gsize n, gsize size)
{
    FAULT_RETURN_ERRNO(FAULT_MALLOC, NULL);
    return __real_g_try_realloc_n(p, n, size);
}

gboolean __wrap_g_file_set_contents(const gchar *path, const gchar *data,
                                    gssize len, GError **error)
{
    int err;

    if (fault_hit(FAULT_SET_CONTENTS, &err)) {
        err = err == FAULT_SHORT ? EIO : err;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
                    "Failed to write file “%s”: %s", path,
                    g_strerror(err));
        return FALSE;
    }
    return __real_g_file_set_contents(path, data, len, error);
}

/* ---------------------------------------------- userfaultfd, threads */

long __real_syscall(long nr, ...);
int __real_ioctl(int fd, unsigned long request, ...);
int __real_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg);

/*
 * Only SYS_userfaultfd is counted.  The six argument words are passed on
 * as the C library's syscall() takes them (unused ones are ignored by the
 * kernel).
 */
long __wrap_syscall(long nr, ...)
{
    long a[6];
    va_list ap;

    va_start(ap, nr);
    for (int i = 0; i < 6; i++) {
        a[i] = va_arg(ap, long);
    }
    va_end(ap);
    if (nr == SYS_userfaultfd) {
        FAULT_RETURN_ERRNO(FAULT_USERFAULTFD, -1);
    }
    return __real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/*
 * PAGEMAP_SCAN (Linux 6.7, include/uapi/linux/fs.h: _IOWR('f', 16,
 * struct pm_scan_arg), 96 bytes), which Debian 12's headers lack.
 */
#define FAULT_PAGEMAP_SCAN_REQUEST _IOC(_IOC_READ | _IOC_WRITE, 'f', 16, 96)

static int fault_uffd_op(unsigned long request)
{
    switch (request) {
    case UFFDIO_API:
        return FAULT_UFFD_API;
    case UFFDIO_REGISTER:
        return FAULT_UFFD_REGISTER;
    case UFFDIO_UNREGISTER:
        return FAULT_UFFD_UNREGISTER;
    case UFFDIO_WRITEPROTECT:
        return FAULT_UFFD_WRITEPROTECT;
    case UFFDIO_WAKE:
        return FAULT_UFFD_WAKE;
    case FAULT_PAGEMAP_SCAN_REQUEST:
        return FAULT_PAGEMAP_SCAN;
    default:
        return -1;
    }
}

/* Every ioctl our code makes takes at most one argument. */
int __wrap_ioctl(int fd, unsigned long request, ...)
{
    int op = fault_uffd_op(request);
    void *arg;
    va_list ap;

    va_start(ap, request);
    arg = va_arg(ap, void *);
    va_end(ap);
    if (op >= 0) {
        FAULT_RETURN_ERRNO(op, -1);
    }
    return __real_ioctl(fd, request, arg);
}

/* pthread_create returns the error number instead of setting errno. */
int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg)
{
    int err;

    if (fault_hit(FAULT_THREAD_CREATE, &err)) {
        return err == FAULT_SHORT ? EAGAIN : err;
    }
    return __real_pthread_create(thread, attr, fn, arg);
}
