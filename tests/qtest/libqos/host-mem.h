/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * host-mem.h: how much host memory the VM's memory backends really use,
 * measured from outside the process: the blocks allocated to a memfd the
 * VM holds (found through /proc/PID/fd) or to a backing file.  Tests use
 * it to check that unplugged memory is never populated and that
 * discarding gives memory back.
 */
#ifndef LIBQOS_HOST_MEM_H
#define LIBQOS_HOST_MEM_H

#include <stdint.h>
#include <sys/types.h>

/**
 * qos_memfd_allocated: bytes allocated to the memfd of @pid whose name
 * (as /proc/PID/fd shows it, "/memfd:NAME (deleted)") contains @name
 * (memory-backend-memfd names its memfd "memory-backend-memfd").
 * @nth: which one, for VMs with several (0-based, in fd order).
 * Returns: st_blocks x 512; the test fails if there is no such memfd.
 */
uint64_t qos_memfd_allocated(pid_t pid, const char *name, int nth);

/** qos_file_allocated: bytes allocated to the file @path. */
uint64_t qos_file_allocated(const char *path);

#endif /* LIBQOS_HOST_MEM_H */
