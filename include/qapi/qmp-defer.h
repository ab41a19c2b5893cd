/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-defer.h: commands that answer later, without depending on the
 * monitor (which installs the mechanism) or on JSON.  A handler defers
 * with qmp_return_defer() and, when done, completes with the generated
 * qmp_return_CMD() (qapi/qapi-commands.h), which converts its C reply.
 */
#ifndef QAPI_QMP_DEFER_H
#define QAPI_QMP_DEFER_H

#include "qemu/typedefs.h"

/**
 * QmpReturn: the pending reply of a command that answers later (as
 * QEMU's coroutine commands are seen by the client): the command returns
 * at once, its monitor stops reading that client's input (so replies
 * stay in order), and every other monitor, qtest and the main loop carry
 * on; completing it sends the reply, with the request's "id".  Opaque.
 */
typedef struct QmpReturn QmpReturn;

/**
 * qmp_return_defer: called by a command handler (a QMP command, or an
 * HMP command run by human-monitor-command) that will answer later.  The
 * handler then returns without an error; what it returns is ignored.
 * Returns: the token to complete (exactly once), or NULL when no monitor
 * is dispatching a command (the caller must then run synchronously).
 * Context: main loop thread, inside a command handler.
 */
QmpReturn *qmp_return_defer(void);

/**
 * qmp_return_cancel: the handler that called qmp_return_defer() fails
 * synchronously after all: its return value and error are the reply, as
 * usual.  Frees @r.  Context: inside that handler.
 */
void qmp_return_cancel(QmpReturn *r);

#endif /* QAPI_QMP_DEFER_H */
