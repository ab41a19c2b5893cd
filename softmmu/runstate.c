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
#include "qapi/qmp-registry.h"
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

static const char *const run_state_names[RUN_STATE__MAX] = {
    [RUN_STATE_DEBUG] = "debug",
    [RUN_STATE_INMIGRATE] = "inmigrate",
    [RUN_STATE_INTERNAL_ERROR] = "internal-error",
    [RUN_STATE_IO_ERROR] = "io-error",
    [RUN_STATE_PAUSED] = "paused",
    [RUN_STATE_POSTMIGRATE] = "postmigrate",
    [RUN_STATE_PRELAUNCH] = "prelaunch",
    [RUN_STATE_FINISH_MIGRATE] = "finish-migrate",
    [RUN_STATE_RESTORE_VM] = "restore-vm",
    [RUN_STATE_RUNNING] = "running",
    [RUN_STATE_SAVE_VM] = "save-vm",
    [RUN_STATE_SHUTDOWN] = "shutdown",
    [RUN_STATE_SUSPENDED] = "suspended",
    [RUN_STATE_WATCHDOG] = "watchdog",
    [RUN_STATE_GUEST_PANICKED] = "guest-panicked",
    [RUN_STATE_COLO] = "colo",
};

static const char *const shutdown_cause_names[SHUTDOWN_CAUSE__MAX] = {
    [SHUTDOWN_CAUSE_NONE] = "none",
    [SHUTDOWN_CAUSE_HOST_ERROR] = "host-error",
    [SHUTDOWN_CAUSE_HOST_QMP_QUIT] = "host-qmp-quit",
    [SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET] = "host-qmp-system-reset",
    [SHUTDOWN_CAUSE_HOST_SIGNAL] = "host-signal",
    [SHUTDOWN_CAUSE_HOST_UI] = "host-ui",
    [SHUTDOWN_CAUSE_GUEST_SHUTDOWN] = "guest-shutdown",
    [SHUTDOWN_CAUSE_GUEST_RESET] = "guest-reset",
    [SHUTDOWN_CAUSE_GUEST_PANIC] = "guest-panic",
    [SHUTDOWN_CAUSE_SUBSYSTEM_RESET] = "subsystem-reset",
};

const char *runstate_name(RunState state)
{
    return state < RUN_STATE__MAX ? run_state_names[state] : "unknown";
}

const char *shutdown_cause_name(ShutdownCause cause)
{
    return cause < SHUTDOWN_CAUSE__MAX ? shutdown_cause_names[cause]
                                       : "unknown";
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
    qapi_event_send("STOP", NULL);
}

void vm_start(void)
{
    if (runstate_is_running()) {
        return;
    }
    runstate_set(RUN_STATE_RUNNING);
    vm_state_notify(true, RUN_STATE_RUNNING);
    qapi_event_send("RESUME", NULL);
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
    JsonObject *data = json_object_new();

    json_object_set_string_member(data, "memdev", f->memdev);
    json_object_set_int_member(data, "offset", f->offset);
    json_object_set_int_member(data, "size", f->size);
    json_object_set_string_member(data, "access",
                                  f->is_write ? "write" : "read");
    qapi_event_send("GUEST_MEMORY_FAULT", data);
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
        JsonObject *data = json_object_new();

        json_object_set_boolean_member(data, "guest",
                                       shutdown_cause_is_guest(cause));
        json_object_set_string_member(data, "reason",
                                      shutdown_cause_name(cause));
        qapi_event_send("RESET", data);
    }
}

/* ----------------------------------------------------- a dump in process */

/*
 * While a dump runs, the VM must stay stopped and its memory unchanged:
 * stop and cont are refused (QEMU's message), resets wait until the dump
 * is over.  The dump subsystem (above us) installs the predicate.
 */
static bool (*dump_in_progress_fn)(void);
/* How often a deferred reset looks again, in milliseconds. */
#define RESET_RETRY_MS 10

void runstate_set_dump_in_progress_fn(bool (*fn)(void))
{
    dump_in_progress_fn = fn;
}

static bool dump_in_progress(Error **errp)
{
    if (dump_in_progress_fn && dump_in_progress_fn()) {
        error_setg(errp, "There is a dump in process, please wait.");
        return true;
    }
    return false;
}

static gboolean reset_request_cb(gpointer opaque)
{
    ShutdownCause cause = reset_requested;

    if (dump_in_progress(NULL)) {
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

void qemu_main_loop(void)
{
    while (!shutdown_requested) {
        g_main_context_iteration(NULL, TRUE);
    }
    {
        JsonObject *data = json_object_new();

        json_object_set_boolean_member(data, "guest",
                                       shutdown_cause_is_guest(
                                           shutdown_requested));
        json_object_set_string_member(data, "reason",
                                      shutdown_cause_name(shutdown_requested));
        qapi_event_send("SHUTDOWN", data);
    }
    /* Let the SHUTDOWN event reach the monitors' queues. */
    while (g_main_context_iteration(NULL, FALSE)) {
    }
}

/* --------------------------------------------------------------- commands */

static bool qmp_query_status(JsonObject *args, JsonNode **ret, Error **errp)
{
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "running");
    json_builder_add_boolean_value(b, runstate_is_running());
    json_builder_set_member_name(b, "status");
    json_builder_add_string_value(b, runstate_name(runstate_get()));
    json_builder_end_object(b);
    *ret = json_builder_get_root(b);
    return true;
}

static bool qmp_stop(JsonObject *args, JsonNode **ret, Error **errp)
{
    if (dump_in_progress(errp)) {
        return false;
    }
    vm_stop(RUN_STATE_PAUSED);
    return true;
}

static bool qmp_cont(JsonObject *args, JsonNode **ret, Error **errp)
{
    if (dump_in_progress(errp)) {
        return false;
    }
    switch (runstate_get()) {
    case RUN_STATE_INMIGRATE:
        error_setg(errp, "Migration is not finalized yet");
        return false;
    case RUN_STATE_INTERNAL_ERROR:
    case RUN_STATE_SHUTDOWN:
    case RUN_STATE_GUEST_PANICKED:
        error_setg(errp, "Resetting the Virtual Machine is required");
        return false;
    case RUN_STATE_SAVE_VM:
        error_setg(errp, "There is a dump in process, please wait.");
        return false;
    default:
        vm_start();
        return true;
    }
}

static bool qmp_system_reset(JsonObject *args, JsonNode **ret, Error **errp)
{
    if (dump_in_progress(NULL)) {
        /* deferred until the dump is over */
        qemu_system_reset_request(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
        return true;
    }
    qemu_system_reset(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
    return true;
}

static bool qmp_quit(JsonObject *args, JsonNode **ret, Error **errp)
{
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
    return true;
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
    JsonNode *ret = NULL;                                               \
    bool ok = qmp_fn(NULL, &ret, errp);                                 \
    if (ret) {                                                          \
        json_node_unref(ret);                                           \
    }                                                                   \
    return ok;                                                          \
}

HMP_FROM_QMP(hmp_stop, qmp_stop)
HMP_FROM_QMP(hmp_cont, qmp_cont)
HMP_FROM_QMP(hmp_system_reset, qmp_system_reset)
HMP_FROM_QMP(hmp_quit, qmp_quit)

void runstate_register_commands(void)
{
    static const QmpArgSpec no_args[] = { { NULL } };

    qmp_register_command("query-status", qmp_query_status, no_args,
                         QMP_CMD_ALLOW_PRECONFIG);
    qmp_register_command("stop", qmp_stop, no_args, 0);
    qmp_register_command("cont", qmp_cont, no_args, 0);
    qmp_register_command("system_reset", qmp_system_reset, no_args, 0);
    qmp_register_command("quit", qmp_quit, no_args, QMP_CMD_ALLOW_PRECONFIG);
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
