/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * host-mem.c: SIGBUS-safe copies to and from host mappings of guest
 * memory (see include/qemu/host-mem.h for the contract).
 *
 * The guard is thread-local: each thread has at most one armed access at
 * a time, described by HostMemGuard.  The handler runs on the faulting
 * thread (SIGBUS from a memory access is synchronous), so it reads the
 * guard of the thread that faulted and needs no lock.  The compiler must
 * not move the copy outside the armed window: signal fences keep the
 * stores that arm and disarm on either side of it.
 *
 * Left to callers: deciding what a fault means (the dump fails with an
 * error) and not reading holes that would allocate.
 */
#include "qemu/osdep.h"
#include "qemu/host-mem.h"

#include <setjmp.h>
#include <pthread.h>
#include <signal.h>
#include <ucontext.h>

/*
 * HostMemGuard: the armed access of one thread.
 * @env: where the handler jumps to; NULL when nothing is armed.
 * @lo: first byte of the host range being accessed.
 * @end: one past its last byte (exclusive).
 */
typedef struct HostMemGuard {
    sigjmp_buf *env;
    uintptr_t lo;
    uintptr_t end;
} HostMemGuard;

static __thread HostMemGuard host_mem_guard;

/* The faulting address belongs to the armed range (rounded out to pages). */
static bool host_mem_fault_is_armed(const HostMemGuard *g,
                                    const siginfo_t *info)
{
    uintptr_t addr = (uintptr_t)info->si_addr;
    uintptr_t page = qemu_real_host_page_size();
    uintptr_t lo = g->lo & ~(page - 1);

    if (!g->env || info->si_code <= 0) {
        /* Nothing armed, or sent by kill()/tgkill()/sigqueue(). */
        return false;
    }
#ifdef BUS_MCEERR_AR
    if (info->si_code == BUS_MCEERR_AR && info->si_addr_lsb > 0 &&
        info->si_addr_lsb < 8 * sizeof(uintptr_t)) {
        /* Poison is reported for a whole (possibly huge) page. */
        lo = g->lo & ~(((uintptr_t)1 << info->si_addr_lsb) - 1);
    }
#endif
    return addr >= lo && addr < g->end;
}

static void host_mem_sigbus(int sig, siginfo_t *info, void *uctx)
{
    HostMemGuard *g = &host_mem_guard;
    struct sigaction dfl;

    if (host_mem_fault_is_armed(g, info)) {
        sigjmp_buf *env = g->env;

        g->env = NULL;
        /*
         * sigsetjmp() did not save the mask (that would cost a system call
         * per access), so put back the one the fault interrupted: the
         * kernel keeps it in the ucontext.  With our SA_NODEFER it is
         * unchanged anyway, but a wrapper between the kernel and us (the
         * ThreadSanitizer runtime installs its own handler) may have
         * blocked SIGBUS, and the next fault would then kill the process.
         */
        pthread_sigmask(SIG_SETMASK, &((ucontext_t *)uctx)->uc_sigmask,
                        NULL);
        siglongjmp(*env, 1);
    }

    /*
     * Not ours: die the way an unhandled SIGBUS dies.  SA_NODEFER left the
     * signal unblocked, so raise() delivers it now; for a fault, returning
     * would re-execute the access and fault again anyway.
     */
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    raise(sig);
}

static gpointer host_mem_install(gpointer unused)
{
    struct sigaction sa;

    (void)unused;
    /* Cache the page size now: the handler must not call sysconf(). */
    qemu_real_host_page_size();
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = host_mem_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, NULL) < 0) {
        g_error("host-mem: cannot install the SIGBUS handler: %s",
                g_strerror(errno));
    }
    return NULL;
}

void host_mem_guard_init(void)
{
    static GOnce once = G_ONCE_INIT;

    g_once(&once, host_mem_install, NULL);
}

/*
 * Guest memory is shared with the guest by design (see tests/tsan.supp):
 * under ThreadSanitizer the guarded copy is not recorded at all.  Besides
 * keeping its reports out, this keeps make check-tsan usable: reporting
 * (then suppressing) a race on every page of a multi-MiB copy made one
 * qtest take minutes.
 */
#if defined(__SANITIZE_THREAD__)
#define HOST_MEM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HOST_MEM_TSAN 1
#endif
#endif

#ifdef HOST_MEM_TSAN
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
void AnnotateIgnoreWritesBegin(const char *file, int line);
void AnnotateIgnoreWritesEnd(const char *file, int line);

static void host_mem_tsan_ignore(bool on)
{
    if (on) {
        AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
        AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
    } else {
        AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
        AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
    }
}
#else
static inline void host_mem_tsan_ignore(bool on)
{
}
#endif

typedef enum HostMemOp {
    HOST_MEM_READ,
    HOST_MEM_WRITE,
    HOST_MEM_FILL,
} HostMemOp;

/*
 * Run one guarded copy.  @host is the side that may fault; nothing is
 * modified between sigsetjmp() and siglongjmp() that is read afterwards,
 * so no local needs to be volatile.
 */
static int host_mem_access(HostMemOp op, void *host, void *buf, int c,
                           size_t len)
{
    HostMemGuard *g = &host_mem_guard;
    sigjmp_buf env;

    if (len == 0) {
        return 0;
    }
    host_mem_guard_init();
    /* One armed access per thread: the handler never calls back here. */
    assert(g->env == NULL);

    host_mem_tsan_ignore(true);
    if (sigsetjmp(env, 0)) {
        /* The handler disarmed before jumping. */
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        /*
         * No host_mem_tsan_ignore(false) here: ThreadSanitizer clears a
         * thread's ignores before it runs a signal handler and restores
         * them when the handler returns, which ours never does.
         */
        return -EFAULT;
    }
    g->lo = (uintptr_t)host;
    g->end = (uintptr_t)host + len;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    g->env = &env;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);

    switch (op) {
    case HOST_MEM_READ:
        memcpy(buf, host, len);
        break;
    case HOST_MEM_WRITE:
        memcpy(host, buf, len);
        break;
    case HOST_MEM_FILL:
        memset(host, c, len);
        break;
    }

    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    g->env = NULL;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    host_mem_tsan_ignore(false);
    return 0;
}

int host_mem_read(void *dst, const void *host_src, size_t len)
{
    return host_mem_access(HOST_MEM_READ, (void *)host_src, dst, 0, len);
}

int host_mem_write(void *host_dst, const void *src, size_t len)
{
    return host_mem_access(HOST_MEM_WRITE, host_dst, (void *)src, 0, len);
}

int host_mem_fill(void *host_dst, int c, size_t len)
{
    return host_mem_access(HOST_MEM_FILL, host_dst, NULL, c, len);
}
