/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * monitor.h: what softmmu/vl.c needs from the QMP monitor (monitor/).
 *
 * Nothing below the control plane includes this header: subsystems offer
 * commands and events through include/qapi/qmp-registry.h instead.
 */
#ifndef MONITOR_MONITOR_H
#define MONITOR_MONITOR_H

#include "chardev/char.h"

/**
 * monitor_init_globals: install the event emitter and named-fd hook, and
 * register the monitor's own commands (qmp_capabilities, query-version,
 * query-commands, getfd, closefd, human-monitor-command, qom-list,
 * qom-get, qom-set, help/info for HMP).  Call once, before any
 * monitor_init_qmp().
 */
void monitor_init_globals(void);

/**
 * monitor_init_qmp: serve QMP on @chr (which must not have a front end
 * yet).  @pretty: pretty-print replies (-mon pretty=on).
 */
bool monitor_init_qmp(Chardev *chr, bool pretty, Error **errp);

/**
 * monitor_cleanup: flush pending output (the reply to `quit`, the
 * SHUTDOWN event) and free the monitors.  Called once at exit.
 */
void monitor_cleanup(void);

#endif /* MONITOR_MONITOR_H */
