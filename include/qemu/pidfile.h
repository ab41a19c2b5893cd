/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pidfile.h: the -pidfile of a running VMM, as QEMU keeps it: a regular
 * file that holds our process id under a write lock while we run, so a
 * second instance with the same file is refused, and that we remove at
 * exit only if the path still names the file we wrote.
 */
#ifndef QEMU_PIDFILE_H
#define QEMU_PIDFILE_H

#include "qemu/error.h"

/**
 * qemu_write_pidfile: create or open @path (0600), refuse anything that
 * is not a regular file (a device such as /dev/null, a FIFO), take a
 * write lock on it (another process holding it: refused), truncate it
 * and write "PID\n".  The file stays open, and locked, until
 * qemu_unlink_pidfile().
 * Returns: true on success; false with @errp set.
 */
bool qemu_write_pidfile(const char *path, Error **errp);

/**
 * qemu_unlink_pidfile: remove @path if it is still the file
 * qemu_write_pidfile() wrote (same device and inode), then release it.
 * Nothing happens if no pid file was written.
 */
void qemu_unlink_pidfile(const char *path);

#endif
