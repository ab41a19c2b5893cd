/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * monitor.h: what softmmu/vl.c needs from the QMP monitor (monitor/).
 *
 * Nothing below the control plane includes this header: subsystems offer
 * commands and events through the generated qapi/qapi-commands.h and
 * qapi/qapi-events.h (and HMP commands through qapi/hmp-registry.h).
 */
#ifndef MONITOR_MONITOR_H
#define MONITOR_MONITOR_H

#include "chardev/char.h"
#include "qemu/timer.h"

/**
 * monitor_init_globals: install the event emitter and named-fd hook, and
 * register the monitor's own commands (qmp_capabilities, query-version,
 * query-commands, getfd, closefd, human-monitor-command, qom-list,
 * qom-get, qom-set, help/info for HMP).  Call before any
 * monitor_init_qmp(), on the main loop thread (events sent from other
 * threads are handed to it).  Calling it again after monitor_cleanup()
 * re-installs the hooks; commands are registered only once.
 */
void monitor_init_globals(void);

/**
 * monitor_init_qmp: serve QMP on @chr (which must not have a front end
 * yet).  @pretty: pretty-print replies (-mon pretty=on).  The protocol is
 * described in monitor/qmp.c (DOC: QMP wire protocol).
 * Returns: false with @errp set if @chr cannot take the monitor.
 */
bool monitor_init_qmp(Chardev *chr, bool pretty, Error **errp);
/**
 * monitor_init_hmp: run a human monitor (HMP, QEMU's "readline" mode) on
 * @chr: banner, "(qemu) " prompt, one command per line.
 */
bool monitor_init_hmp(Chardev *chr, Error **errp);

/**
 * monitor_set_event_clock: the clock that paces rate-limited events
 * (RTC_CHANGE, MEMORY_DEVICE_SIZE_CHANGE, ...: at most one per second per
 * source).  QEMU_CLOCK_REALTIME unless changed; QEMU uses
 * QEMU_CLOCK_VIRTUAL under qtest so that tests can step through the
 * one-second windows with clock_step.  Set it before events are sent.
 */
void monitor_set_event_clock(QEMUClockType type);

/**
 * monitor_cleanup: deliver events queued by other threads, flush pending
 * output (the reply to `quit`, the SHUTDOWN event; waits up to a second
 * per monitor for a client that does not read), close named fds and free
 * the monitors.  Called once at exit, after other threads that send
 * events have stopped.  The chardevs still point at the freed monitors:
 * call qemu_chr_cleanup() before the main loop runs again.
 * monitor_init_globals() may be called again afterwards (tests do).
 */
void monitor_cleanup(void);

/**
 * monitor_register_qdev_commands: offer device_add, device_del,
 * object-add, object-del (QMP and HMP) and HMP info qtree.  Separate from
 * the monitor's own commands because these reach down into the device
 * and object layers, which a program linking only the monitor lacks.
 */
void monitor_register_qdev_commands(void);

#endif /* MONITOR_MONITOR_H */
