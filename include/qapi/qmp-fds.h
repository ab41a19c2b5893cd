/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-fds.h: file descriptors a QMP client passed with getfd, as the
 * commands that take "fd:NAME" arguments reach them, without depending
 * on the monitor (which installs the hook) or on JSON.
 *
 * Threads: main loop thread only (from inside a QMP command).
 */
#ifndef QAPI_QMP_FDS_H
#define QAPI_QMP_FDS_H

#include "qemu/typedefs.h"

/**
 * qmp_take_named_fd: remove the fd passed with `getfd` as @name from the
 * monitor that is running the current command, and return it (the caller
 * owns it now).
 * Errors: "File descriptor named '%s' has not been found".
 */
int qmp_take_named_fd(const char *name, Error **errp);

typedef int (*QmpFdTaker)(const char *name, Error **errp);
/** qmp_set_fd_taker: installed by the monitor. */
void qmp_set_fd_taker(QmpFdTaker taker);

#endif /* QAPI_QMP_FDS_H */
