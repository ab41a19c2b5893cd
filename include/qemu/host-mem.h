/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * host-mem.h: copies to and from host mappings of guest memory that
 * survive SIGBUS.
 *
 * A shared file mapping (memfd, hugetlbfs, a -object memory-backend-file)
 * raises SIGBUS instead of returning data when the page behind an address
 * cannot be provided: the file was truncated under the mapping, the huge
 * page pool is empty, the page is hardware-poisoned.  For a vCPU that is
 * the guest's problem; for a dump thread reading guest memory it would kill
 * the whole VMM.  These helpers turn such a fault into -EFAULT for the one
 * access that was armed, on the thread that made it.
 *
 * How: host_mem_guard_init() installs one process-wide SIGBUS handler
 * (SA_SIGINFO | SA_NODEFER).  An access arms a thread-local guard (a
 * sigjmp_buf and the host range it touches), copies with memcpy/memset and
 * disarms.  When the kernel raises SIGBUS on that thread for an address in
 * the armed range, the handler siglongjmp()s back and the access returns
 * -EFAULT.  Any other SIGBUS (unarmed thread, address outside the armed
 * range, a kill(2) from outside) restores SIG_DFL and re-raises, so the
 * process dies exactly as it would have without us.
 *
 * What this does not do: it does not make the access atomic (a faulting
 * copy may have written part of the destination), and it does not prevent
 * a read from allocating memory (reading a hole of a shared memfd
 * populates it); callers that must not allocate find holes first
 * (SEEK_DATA/SEEK_HOLE, see dump-source.c).  SIGSEGV is not caught: a
 * pointer outside any mapping is a bug, not an I/O error.
 *
 * Fast path: no allocation and no system call (sigsetjmp() does not save
 * the signal mask; on a fault the handler restores the interrupted mask
 * from its ucontext before jumping).
 */
#ifndef QEMU_HOST_MEM_H
#define QEMU_HOST_MEM_H

/**
 * host_mem_guard_init: install the SIGBUS handler behind host_mem_read(),
 * host_mem_write() and host_mem_fill().
 *
 * Idempotent and thread-safe; the access functions call it themselves, so
 * calling it early only fixes the moment the handler replaces whatever
 * SIGBUS disposition was there before.
 *
 * Context: any thread.
 */
void host_mem_guard_init(void);

/**
 * host_mem_read: copy @len bytes from a host mapping of guest memory.
 * @dst: ordinary process memory (heap, stack); a fault here is not caught.
 * @host_src: the mapping to read; may raise SIGBUS.
 * @len: bytes to copy; 0 is a no-op.
 *
 * Context: any thread; reentrant across threads (the guard is per thread).
 * Returns: 0, or -EFAULT if reading @host_src raised SIGBUS, in which case
 * @dst holds an unspecified prefix of the data.
 */
int host_mem_read(void *dst, const void *host_src, size_t len);

/**
 * host_mem_write: copy @len bytes into a host mapping of guest memory.
 * @host_dst: the mapping to write; may raise SIGBUS.
 * @src: ordinary process memory.
 * @len: bytes to copy.
 *
 * Context: any thread.
 * Returns: 0, or -EFAULT if writing @host_dst raised SIGBUS (a prefix of
 * @host_dst may have been written).
 */
int host_mem_write(void *host_dst, const void *src, size_t len);

/**
 * host_mem_fill: memset() on a host mapping of guest memory.
 * @host_dst: the mapping to fill; may raise SIGBUS.
 * @c: the byte value, as for memset().
 * @len: bytes to fill.
 *
 * Context: any thread.
 * Returns: 0, or -EFAULT if writing @host_dst raised SIGBUS.
 */
int host_mem_fill(void *host_dst, int c, size_t len);

#endif /* QEMU_HOST_MEM_H */
