/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runstate.h: the VM's run state, stop/cont, reset and shutdown requests,
 * and the main loop that serves them.
 *
 * Run states carry QEMU's names (query-status "status").  vm_stop() and
 * vm_start() emit STOP and RESUME; a reset runs the registered reset
 * handlers in registration order, then the late-phase handlers, and emits
 * RESET; a shutdown request ends
 * the main loop after emitting SHUTDOWN.  Guest-initiated requests (a write
 * to port 0xcf9) are only recorded where they happen and carried out by
 * the main loop, so a device is never reset from inside its own callback.
 */
#ifndef SYSEMU_RUNSTATE_H
#define SYSEMU_RUNSTATE_H

/* RunState and ShutdownCause: QEMU's values, from qapi/run-state.json */
#include "qapi/qapi-types.h"

/** runstate_get / runstate_set / runstate_is_running */
RunState runstate_get(void);
void runstate_set(RunState state);
bool runstate_is_running(void);
/** runstate_name: QEMU's name of @state ("running", "save-vm", ...). */
const char *runstate_name(RunState state);
/** shutdown_cause_name: QEMU's name ("host-qmp-quit", "guest-reset", ...) */
const char *shutdown_cause_name(ShutdownCause cause);

/** vm_stop: if running, enter @state and emit STOP. */
void vm_stop(RunState state);
/** vm_start: if not running, enter RUNNING and emit RESUME. */
void vm_start(void);

/**
 * qemu_system_reset: reset the machine now: run every reset handler in
 * registration order, then every late-phase handler in registration
 * order, then emit RESET {guest, reason} (unless @cause is NONE, the
 * reset at start-up).
 */
void qemu_system_reset(ShutdownCause cause);
/** qemu_system_reset_request: reset from the main loop soon (guest path). */
void qemu_system_reset_request(ShutdownCause cause);
/** qemu_system_shutdown_request: emit SHUTDOWN and leave the main loop. */
void qemu_system_shutdown_request(ShutdownCause cause);
/** qemu_system_shutdown_requested: the cause, or NONE. */
ShutdownCause qemu_system_shutdown_requested(void);

/**
 * qemu_register_reset / qemu_unregister_reset: reset handlers run in
 * registration order by qemu_system_reset().
 */
typedef void QEMUResetHandler(void *opaque);
void qemu_register_reset(QEMUResetHandler *func, void *opaque);
void qemu_unregister_reset(QEMUResetHandler *func, void *opaque);

/**
 * qemu_register_reset_late / qemu_unregister_reset_late: handlers of the
 * late phase.  qemu_system_reset() runs them, in registration order, after
 * every handler registered with qemu_register_reset() has run and before
 * RESET is emitted, whatever the order devices were created in.
 *
 * For work that must see the machine as the ordinary handlers leave it:
 * the TPM memory-overwrite clear runs here so that virtio-mem has already
 * unplugged (and discarded) its memory; it then zeroes only what is still
 * plugged, and nothing is zeroed first and discarded afterwards.
 * A late handler must not depend on another late handler's effects.
 */
void qemu_register_reset_late(QEMUResetHandler *func, void *opaque);
void qemu_unregister_reset_late(QEMUResetHandler *func, void *opaque);

/** qemu_main_loop: serve the main context until a shutdown is requested. */
void qemu_main_loop(void);

/**
 * qemu_add_vm_change_state_handler: call @cb(opaque, running, state)
 * whenever vm_stop / vm_start change the state.
 */
typedef void VMChangeStateHandler(void *opaque, bool running, RunState state);
void qemu_add_vm_change_state_handler(VMChangeStateHandler *cb, void *opaque);

/**
 * RunStateChangeCheck: may the VM change run state now?  Returns true if
 * so, else false with @errp (may be NULL) set to why, for the monitor.
 */
typedef bool RunStateChangeCheck(Error **errp);

/**
 * runstate_set_change_check: install the check asked before the VM stops,
 * continues or resets (one at a time; NULL removes it).  While it says
 * no, stop and cont fail with its error and resets (system_reset, guest
 * requests) are deferred until it says yes.
 */
void runstate_set_change_check(RunStateChangeCheck *check);

/**
 * runstate_init_memory_faults: install the handler that stops the VM when
 * the host cannot back guest memory the VMM accesses (DOC: guest memory
 * faults in softmmu/runstate.c).
 */
void runstate_init_memory_faults(void);

/** runstate_register_commands: query-status, stop, cont, system_reset,
 *  quit, and HMP info status / stop / cont / system_reset / quit. */
void runstate_register_commands(void);

#endif /* SYSEMU_RUNSTATE_H */
