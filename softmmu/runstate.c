/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runstate.c: run state, stop/cont, reset and shutdown, the main loop, and
 * their QMP/HMP commands (query-status, stop, cont, system_reset, quit,
 * info status).
 *
 * States and transitions (QEMU's names):
 *   prelaunch --cont--> running            (started with -S)
 *   running --stop/vm_stop(S)--> paused | save-vm | ...   emits STOP
 *   any stopped state --cont/vm_start--> running          emits RESUME
 *   any --quit/signal--> shutdown requested: the main loop emits SHUTDOWN
 *                                            and returns
 *   running --guest memory fault--> io-error                emits STOP
 *                                    (after GUEST_MEMORY_FAULT)
 * A reset does not change the run state.  It runs in two phases: the
 * handlers of qemu_register_reset(), then those of
 * qemu_register_reset_late() (include/sysemu/runstate.h says who needs
 * the second phase), then emits RESET.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"
#include "qapi/qapi-commands.h"
#include "qapi/qapi-events.h"
#include "qapi/hmp-registry.h"
#include "exec/ramblock.h"
#include "qemu/error.h"
#include "qemu/log.h"
#include "qemu/queue.h"
#include "sysemu/runstate.h"

static RunState current_run_state = RUN_STATE_PRELAUNCH;
static ShutdownCause shutdown_requested;
static ShutdownCause reset_requested;
static guint reset_source;

typedef struct ResetEntry {
    QEMUResetHandler *func;
    void *opaque;
    QTAILQ_ENTRY(ResetEntry) link;
} ResetEntry;

typedef QTAILQ_HEAD(, ResetEntry) ResetList;

/* The two reset phases; see qemu_register_reset_late() for why. */
static ResetList reset_handlers = QTAILQ_HEAD_INITIALIZER(reset_handlers);
static ResetList reset_handlers_late =
    QTAILQ_HEAD_INITIALIZER(reset_handlers_late);

typedef struct VMChangeEntry {
    VMChangeStateHandler *cb;
    void *opaque;
} VMChangeEntry;

static GArray *vm_change_handlers;

const char *runstate_name(RunState state)
{
    return state < RUN_STATE__MAX ? RunState_str(state) : "unknown";
}

const char *shutdown_cause_name(ShutdownCause cause)
{
    return cause < SHUTDOWN_CAUSE__MAX ? ShutdownCause_str(cause) : "unknown";
}

RunState runstate_get(void)
{
    return current_run_state;
}

void runstate_set(RunState state)
{
    current_run_state = state;
}

bool runstate_is_running(void)
{
    return current_run_state == RUN_STATE_RUNNING;
}

void qemu_add_vm_change_state_handler(VMChangeStateHandler *cb, void *opaque)
{
    VMChangeEntry e = { cb, opaque };

    if (!vm_change_handlers) {
        vm_change_handlers = g_array_new(false, false, sizeof(VMChangeEntry));
    }
    g_array_append_val(vm_change_handlers, e);
}

static void vm_state_notify(bool running, RunState state)
{
    for (guint i = 0; vm_change_handlers && i < vm_change_handlers->len;
         i++) {
        VMChangeEntry *e = &g_array_index(vm_change_handlers, VMChangeEntry,
                                          i);

        e->cb(e->opaque, running, state);
    }
}

void vm_stop(RunState state)
{
    if (!runstate_is_running()) {
        return;     /* as QEMU: a stopped VM keeps its state */
    }
    runstate_set(state);
    vm_state_notify(false, state);
    qapi_event_send_stop();
}

void vm_start(void)
{
    if (runstate_is_running()) {
        return;
    }
    runstate_set(RUN_STATE_RUNNING);
    vm_state_notify(true, RUN_STATE_RUNNING);
    qapi_event_send_resume();
}

/* ------------------------------------------------------ guest memory faults */

/**
 * DOC: guest memory faults
 * When the host cannot back guest memory that the VMM itself accesses (a
 * qtest read or write, virtio DMA, the MOR clear) -- no free huge page
 * with reserve=off, a backing file on a full filesystem, a backing file
 * truncated by another process -- the kernel raises SIGBUS.  The access
 * fails instead (reads give zeros, like a bus error on hardware), and the
 * VM stops so the guest does not run on with memory that cannot be
 * written:
 *   1. one line on stderr (rate-limited), naming the backend, the offset
 *      and the likely causes;
 *   2. the event GUEST_MEMORY_FAULT {"memdev": NAME, "offset": N,
 *      "size": N, "access": "read" | "write"} (ours: QEMU dies of the
 *      SIGBUS instead; QMP clients ignore events they do not know);
 *   3. if the VM was running: run state io-error (QEMU's state for a
 *      stopped-on-error VM) and STOP.
 * QMP keeps answering; `cont` resumes once the cause is fixed.  Data
 * already written stays.  The fault may be reported on a worker thread:
 * steps 2 and 3 run on the main loop.
 */

typedef struct GuestMemoryFault {
    char *memdev;
    uint64_t offset;
    uint64_t size;
    bool is_write;
} GuestMemoryFault;

static gboolean guest_memory_fault_main(gpointer opaque)
{
    GuestMemoryFault *f = opaque;

    qapi_event_send_guest_memory_fault(f->memdev, f->offset, f->size,
                                       f->is_write ? GUEST_MEMORY_ACCESS_WRITE
                                                   : GUEST_MEMORY_ACCESS_READ);
    vm_stop(RUN_STATE_IO_ERROR);
    g_free(f->memdev);
    g_free(f);
    return G_SOURCE_REMOVE;
}

static void guest_memory_fault(RAMBlock *rb, ram_addr_t offset, size_t len,
                               bool is_write)
{
    static LogRateLimit rl = LOG_RATE_LIMIT_DEFAULT;
    GuestMemoryFault *f = g_new0(GuestMemoryFault, 1);

    error_report_ratelimited(&rl, "guest memory '%s': cannot %s 0x%zx bytes "
                             "at offset 0x%" PRIx64 ": the host cannot back "
                             "this memory (SIGBUS: no free huge page, a "
                             "full filesystem, or a truncated backing "
                             "file); the VM is stopped", rb->idstr,
                             is_write ? "write" : "read", len,
                             (uint64_t)offset);
    f->memdev = g_strdup(rb->idstr);
    f->offset = offset;
    f->size = len;
    f->is_write = is_write;
    /* at once on the main loop; from a worker thread, soon */
    g_main_context_invoke(NULL, guest_memory_fault_main, f);
}

void runstate_init_memory_faults(void)
{
    ram_block_set_fault_handler(guest_memory_fault);
}

/* ------------------------------------------------------------------ reset */

static void reset_list_add(ResetList *list, QEMUResetHandler *func,
                           void *opaque)
{
    ResetEntry *e = g_new0(ResetEntry, 1);

    e->func = func;
    e->opaque = opaque;
    QTAILQ_INSERT_TAIL(list, e, link);
}

static void reset_list_remove(ResetList *list, QEMUResetHandler *func,
                              void *opaque)
{
    ResetEntry *e, *next;

    QTAILQ_FOREACH_SAFE(e, list, link, next) {
        if (e->func == func && e->opaque == opaque) {
            QTAILQ_REMOVE(list, e, link);
            g_free(e);
            return;
        }
    }
}

static void reset_list_run(ResetList *list)
{
    ResetEntry *e, *next;

    QTAILQ_FOREACH_SAFE(e, list, link, next) {
        e->func(e->opaque);
    }
}

void qemu_register_reset(QEMUResetHandler *func, void *opaque)
{
    reset_list_add(&reset_handlers, func, opaque);
}

void qemu_unregister_reset(QEMUResetHandler *func, void *opaque)
{
    reset_list_remove(&reset_handlers, func, opaque);
}

void qemu_register_reset_late(QEMUResetHandler *func, void *opaque)
{
    reset_list_add(&reset_handlers_late, func, opaque);
}

void qemu_unregister_reset_late(QEMUResetHandler *func, void *opaque)
{
    reset_list_remove(&reset_handlers_late, func, opaque);
}

static bool shutdown_cause_is_guest(ShutdownCause cause)
{
    return cause >= SHUTDOWN_CAUSE_GUEST_SHUTDOWN &&
           cause != SHUTDOWN_CAUSE_SUBSYSTEM_RESET;
}

void qemu_system_reset(ShutdownCause cause)
{
    reset_list_run(&reset_handlers);
    reset_list_run(&reset_handlers_late);
    if (cause != SHUTDOWN_CAUSE_NONE) {
        qapi_event_send_reset(shutdown_cause_is_guest(cause), cause);
    }
}

/* ------------------------------------------------- run state changes */

/*
 * Whether the VM may change run state now: stop and cont are refused
 * with the check's error, resets wait until it allows them.  A subsystem
 * above us (the dump) installs the check; run state knows nothing of it.
 */
static RunStateChangeCheck *change_check;
/* How often a deferred reset looks again, in milliseconds. */
#define RESET_RETRY_MS 10

void runstate_set_change_check(RunStateChangeCheck *check)
{
    change_check = check;
}

static bool runstate_change_allowed(Error **errp)
{
    return !change_check || change_check(errp);
}

static gboolean reset_request_cb(gpointer opaque)
{
    ShutdownCause cause = reset_requested;

    if (!runstate_change_allowed(NULL)) {
        reset_source = g_timeout_add(RESET_RETRY_MS, reset_request_cb, NULL);
        return G_SOURCE_REMOVE;
    }
    reset_source = 0;
    reset_requested = SHUTDOWN_CAUSE_NONE;
    if (cause != SHUTDOWN_CAUSE_NONE) {
        qemu_system_reset(cause);
    }
    return G_SOURCE_REMOVE;
}

void qemu_system_reset_request(ShutdownCause cause)
{
    reset_requested = cause;
    if (!reset_source) {
        reset_source = g_idle_add(reset_request_cb, NULL);
    }
}

void qemu_system_shutdown_request(ShutdownCause cause)
{
    shutdown_requested = cause;
    g_main_context_wakeup(NULL);
}

ShutdownCause qemu_system_shutdown_requested(void)
{
    return shutdown_requested;
}

/* SHUTDOWN has been sent (once per run). */
static bool shutdown_announced;

static void shutdown_announce(void)
{
    if (!shutdown_announced) {
        shutdown_announced = true;
        qapi_event_send_shutdown(shutdown_cause_is_guest(shutdown_requested),
                                 shutdown_requested);
    }
}

void qemu_main_loop(void)
{
    while (!shutdown_requested) {
        g_main_context_iteration(NULL, TRUE);
    }
    shutdown_announce();
    /* Let the SHUTDOWN event reach the monitors' queues. */
    while (g_main_context_iteration(NULL, FALSE)) {
    }
}

/* --------------------------------------------------------------- commands */

static StatusInfo *qmp_query_status(Error **errp)
{
    StatusInfo *info = g_new0(StatusInfo, 1);

    info->running = runstate_is_running();
    info->status = runstate_get();
    return info;
}

static void qmp_stop(Error **errp)
{
    if (!runstate_change_allowed(errp)) {
        return;
    }
    vm_stop(RUN_STATE_PAUSED);
}

static void qmp_cont(Error **errp)
{
    if (!runstate_change_allowed(errp)) {
        return;
    }
    switch (runstate_get()) {
    case RUN_STATE_INMIGRATE:
        error_setg(errp, "Migration is not finalized yet");
        return;
    case RUN_STATE_INTERNAL_ERROR:
    case RUN_STATE_SHUTDOWN:
    case RUN_STATE_GUEST_PANICKED:
        error_setg(errp, "Resetting the Virtual Machine is required");
        return;
    default:
        vm_start();
    }
}

static void qmp_system_reset(Error **errp)
{
    if (!runstate_change_allowed(NULL)) {
        /* deferred until the state may change */
        qemu_system_reset_request(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
        return;
    }
    qemu_system_reset(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
}

/*
 * QEMU 7.2 handles the request in its main loop before the command's
 * reply is sent, so a client reads SHUTDOWN, then quit's {"return": {}}:
 * the same order here.
 */
static void qmp_quit(Error **errp)
{
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
    shutdown_announce();
}

static bool hmp_info_status(int argc, char **argv, GString *out,
                            Error **errp)
{
    g_string_append_printf(out, "VM status: %s",
                           runstate_is_running() ? "running" : "paused");
    if (!runstate_is_running() && runstate_get() != RUN_STATE_PAUSED) {
        g_string_append_printf(out, " (%s)", runstate_name(runstate_get()));
    }
    g_string_append(out, "\n");
    return true;
}

/* HMP commands that are their QMP twin without arguments. */
#define HMP_FROM_QMP(fn, qmp_fn)                                        \
static bool fn(int argc, char **argv, GString *out, Error **errp)       \
{                                                                       \
    Error *err = NULL;                                                  \
                                                                        \
    qmp_fn(&err);                                                       \
    if (err) {                                                          \
        error_propagate(errp, err);                                     \
        return false;                                                   \
    }                                                                   \
    return true;                                                        \
}

HMP_FROM_QMP(hmp_stop, qmp_stop)
HMP_FROM_QMP(hmp_cont, qmp_cont)
HMP_FROM_QMP(hmp_system_reset, qmp_system_reset)
HMP_FROM_QMP(hmp_quit, qmp_quit)

void runstate_register_commands(void)
{
    qmp_register_query_status(qmp_query_status);
    qmp_register_stop(qmp_stop);
    qmp_register_cont(qmp_cont);
    qmp_register_system_reset(qmp_system_reset);
    qmp_register_quit(qmp_quit);
    hmp_register_command("info status", "", "show the current VM status "
                         "(running|paused)", hmp_info_status);
    hmp_register_command("stop", "", "stop emulation", hmp_stop);
    hmp_register_command("cont", "", "resume emulation", hmp_cont);
    hmp_register_command("c", "", "resume emulation", hmp_cont);
    hmp_register_command("system_reset", "", "reset the system",
                         hmp_system_reset);
    hmp_register_command("quit", "", "quit the emulator", hmp_quit);
    hmp_register_command("q", "", "quit the emulator", hmp_quit);
}
