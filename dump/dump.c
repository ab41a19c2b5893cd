/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump.c: the dump-guest-memory command and the life of the one dump a
 * process may run at a time: validation in QEMU's order with QEMU's
 * messages, the destination, stopping and resuming the VM, the dump
 * thread for detached dumps, DUMP_COMPLETED, query-dump,
 * query-dump-guest-memory-capability, and our own dump-cancel.
 */

/**
 * DOC: dump life cycle
 *
 * The QMP "status" of the process's one dump:
 *
 *   none | completed | failed
 *     --dump_guest_memory(): arguments and destination checked--> active
 *   active --dump_job_prepare() or opening the destination fails (VM
 *            resumed, no event; no file created or changed)--> failed
 *   active --written and committed, dump_finish()--> completed | failed
 *
 * While active, the VM is stopped (if it was running: state save-vm),
 * stop and cont are refused and resets wait, a second dump is refused,
 * and the DumpJob is immutable except for its progress counter and its
 * cancel flag.  Every dump is written by a dump thread, a synchronous
 * one too: its command's reply is deferred (qmp_return_defer()), so the
 * main loop -- other monitors, qtest, signals -- runs on while it
 * writes.  Everything the dump needs (output, its eventfd, compression
 * threads, the dump thread) is acquired before it starts; a failure is
 * the command's error.  A live dump (our extension) stops the VM only
 * inside dump_guest_memory(): its write tracker is set up first (so an
 * unsupported backend is refused before anything stops), then STOP, the
 * job with the snapshot write-protected (dump_live_protect()), RESUME;
 * the rest of the rules hold while it is active, and the VM runs.  Its
 * tracker is stopped as soon as the writing ends (dump_job_write()), so
 * no guest write waits on a dump that is over.  dump_finish() runs on
 * the main loop thread in both modes: it sets the status, sends
 * DUMP_COMPLETED (with "error" on
 * failure), then resumes the VM, so the events are STOP, DUMP_COMPLETED,
 * RESUME, and a synchronous dump's reply comes last.  At exit (quit,
 * SIGTERM) the dump is cancelled and its thread waited for, at most
 * DUMP_EXIT_WAIT_US.  The dump thread never touches the monitor, the
 * memory tree or vCPU state: it writes, commits the file and hands back
 * to the main loop with an idle source.
 */
#include "qemu/osdep.h"
#include <sys/resource.h>
#include "exec/memory.h"
#include "hw/boards.h"
#include "hw/misc/vmcoreinfo.h"
#include "qapi/qapi-commands.h"
#include "qapi/qapi-events.h"
#include "qapi/qmp-fds.h"
#include "qemu/error.h"
#include "qemu/trace.h"
#include "sysemu/dump.h"
#include "sysemu/runstate.h"
#include "dump/dump-internal.h"

/*
 * struct DumpState: the process's dump.  Main loop thread only, except
 * @job's progress/cancel fields and @error (written by the dump thread
 * before it hands over, read after the join).
 * @status: the QMP status.
 * @resume: the VM was running and is restarted by dump_finish().
 * @thread: the dump thread (every dump has one), until joined.
 * @thread_exited: set (atomically) by the thread as its last act: at
 *                 exit, dump_cleanup_at_exit() waits for it, bounded.
 * @finish_pending: the thread's hand-over has not run yet.
 * @done, @done_opaque: a synchronous dump's completion (the deferred
 *                      reply of the command that started it), or NULL.
 */
typedef struct DumpState {
    DumpStatus status;
    DumpJob job;
    DumpDest dest;
    DumpSink *sink;
    bool resume;
    GThread *thread;
    int thread_exited;
    bool finish_pending;
    DumpDoneFn *done;
    void *done_opaque;
    Error *error;
} DumpState;

static DumpState dump_state = {
    .status = DUMP_STATUS_NONE,
    .dest = { .fd = -1 },
};

static const char *const dump_status_names[] = {
    [DUMP_STATUS_NONE] = "none",
    [DUMP_STATUS_ACTIVE] = "active",
    [DUMP_STATUS_COMPLETED] = "completed",
    [DUMP_STATUS_FAILED] = "failed",
};

const char *dump_status_name(DumpStatus status)
{
    return dump_status_names[status];
}

bool qemu_system_dump_in_progress(void)
{
    return dump_state.status == DUMP_STATUS_ACTIVE;
}

/*
 * While a dump is active the VM stays as it is: no dump, stop or cont,
 * and resets wait (run state asks through runstate_set_change_check()).
 * The one place that says so, in QEMU's words.
 */
static bool dump_allows_state_change(Error **errp)
{
    if (qemu_system_dump_in_progress()) {
        error_setg(errp, "There is a dump in process, please wait.");
        return false;
    }
    return true;
}

void dump_query(DumpStatus *status, uint64_t *completed, uint64_t *total)
{
    *status = dump_state.status;
    *completed = dump_job_completed(&dump_state.job);
    *total = dump_state.job.total_size;
}

/*
 * The order query-dump-guest-memory-capability lists formats in (QEMU's:
 * each kdump format followed by its raw variant); only formats with an
 * encoder are listed.
 */
static const char *const capability_order[] = {
    "elf", "kdump-zlib", "kdump-raw-zlib", "kdump-lzo", "kdump-raw-lzo",
    "kdump-snappy", "kdump-raw-snappy", "kdump-zstd", "kdump-raw-zstd",
    "win-dmp", NULL,
};

/* ------------------------------------------------------------ finishing */

static DumpQueryResult *dump_result_new(void)
{
    DumpQueryResult *r = g_new0(DumpQueryResult, 1);
    uint64_t completed, total;

    dump_query(&r->status, &completed, &total);
    r->completed = completed;
    r->total = total;
    return r;
}

/* Release the job, close the destination and restart the VM. */
static void dump_release(DumpState *s, bool resume)
{
    dump_job_cleanup(&s->job);
    dump_sink_free(s->sink);
    s->sink = NULL;
    if (s->dest.fd >= 0) {
        dump_dest_abort(&s->dest);
    }
    if (resume && s->resume) {
        vm_start();
    }
    s->resume = false;
}

/*
 * The end of every dump that got past prepare; main loop thread.  The
 * error, if any, goes to the synchronous dump's completion, else to
 * @errp.
 */
static void dump_finish(DumpState *s, bool resume, Error **errp)
{
    g_autoptr(DumpQueryResult) result = NULL;
    DumpDoneFn *done = s->done;

    if (s->thread) {
        g_thread_join(s->thread);
        s->thread = NULL;
    }
    s->finish_pending = false;
    s->status = s->error ? DUMP_STATUS_FAILED : DUMP_STATUS_COMPLETED;
    trace_event("dump_finish", "status=%s", dump_status_name(s->status));

    result = dump_result_new();
    qapi_event_send_dump_completed(result, s->error ?
                                   error_get_pretty(s->error) : NULL);
    dump_release(s, resume);
    s->done = NULL;
    if (done) {
        /* QEMU's order: STOP, DUMP_COMPLETED, RESUME, then the reply */
        done(s->done_opaque, s->error);
    } else if (s->error) {
        error_propagate(errp, s->error);
    }
    s->error = NULL;
}

/*
 * Write, then commit or drop the file.  Dump thread or main thread.  The
 * sink stays alive until dump_release() on the main thread: dump-cancel
 * may interrupt it at any time until the thread is joined.
 */
static void dump_body(DumpState *s)
{
    Error *err = NULL;

    if (dump_job_write(&s->job, &err)) {
        dump_dest_commit(&s->dest, &err);
    } else {
        dump_dest_abort(&s->dest);
    }
    s->error = err;
}

static int64_t dump_thread_cpu_us(void);

/*
 * For the trace: the dump thread's CPU time, how long it waited for a
 * CPU (the scheduler's run delay) and how often it slept (voluntary
 * switches: a lock, a full pipe) or was preempted.
 */
static void dump_trace_thread_times(void)
{
    g_autofree char *schedstat = NULL;
    unsigned long long run_ns = 0, delay_ns = 0;
    struct rusage ru = { 0 };

    if (!trace_event_enabled("dump_thread_cpu")) {
        return;
    }
    if (g_file_get_contents("/proc/thread-self/schedstat", &schedstat, NULL,
                            NULL)) {
        sscanf(schedstat, "%llu %llu", &run_ns, &delay_ns);
    }
    getrusage(RUSAGE_THREAD, &ru);
    trace_event("dump_thread_cpu", "cpu_us=%" PRId64 " run_delay_us=%llu"
                " nvcsw=%ld nivcsw=%ld", dump_thread_cpu_us(),
                delay_ns / 1000, ru.ru_nvcsw, ru.ru_nivcsw);
}

static gboolean dump_thread_done(gpointer opaque)
{
    DumpState *s = opaque;

    if (s->finish_pending) {
        dump_finish(s, true, NULL);
    }
    return G_SOURCE_REMOVE;
}

static gpointer dump_thread(gpointer opaque)
{
    DumpState *s = opaque;

    dump_body(s);
    dump_trace_thread_times();
    /* an idle source: runs on the main loop thread, never here */
    g_idle_add(dump_thread_done, s);
    __atomic_store_n(&s->thread_exited, 1, __ATOMIC_RELEASE);
    return NULL;
}

/*
 * How long the exit waits for a cancelled dump thread.  A write to a
 * stalled pipe or socket is interrupted at once (the sink's eventfd), so
 * only a write the kernel does not let go of (a hung network file
 * system, a terminal nobody reads) can hold the thread longer; the
 * process then exits without it.
 */
#define DUMP_EXIT_WAIT_US (2 * G_USEC_PER_SEC)

/*
 * At exit, the dump thread is stuck in the kernel: report the dump as
 * failed and leave the thread (and everything it uses) to the process's
 * end; a named temporary file goes now (an O_TMPFILE one has no name).
 */
static void dump_abandon(DumpState *s)
{
    g_autoptr(DumpQueryResult) result = NULL;
    Error *err = NULL;

    if (s->dest.tmp_path) {
        unlink(s->dest.tmp_path);
    }
    s->thread = NULL;
    s->finish_pending = false;
    s->status = DUMP_STATUS_FAILED;
    error_setg(&err, "dump: abandoned at exit: the writer did not stop "
               "within %d s", (int)(DUMP_EXIT_WAIT_US / G_USEC_PER_SEC));
    result = dump_result_new();
    qapi_event_send_dump_completed(result, error_get_pretty(err));
    if (s->done) {
        s->done(s->done_opaque, err);
        s->done = NULL;
    } else {
        error_free(err);
    }
}

void dump_cleanup_at_exit(void)
{
    DumpState *s = &dump_state;
    gint64 deadline = g_get_monotonic_time() + DUMP_EXIT_WAIT_US;

    if (!s->thread) {
        return;
    }
    dump_job_request_cancel(&s->job, DUMP_CANCEL_EXIT);
    while (!__atomic_load_n(&s->thread_exited, __ATOMIC_ACQUIRE) &&
           g_get_monotonic_time() < deadline) {
        g_usleep(10 * 1000);
    }
    if (__atomic_load_n(&s->thread_exited, __ATOMIC_ACQUIRE)) {
        dump_finish(s, false, NULL);
    } else {
        dump_abandon(s);
    }
}

/* ------------------------------------------------------------- starting */

/* "kdump-raw-zlib" -> "kdump-zlib"; others unchanged.  New string. */
static char *dump_base_format(const char *format)
{
    if (!g_str_has_prefix(format, "kdump-raw-")) {
        return g_strdup(format);
    }
    return g_strdup_printf("kdump-%s", format + strlen("kdump-raw-"));
}

/*
 * The destination named by @protocol: for "fd:", take the fd (that
 * changes no file); a "file:" destination is only checked here, and
 * opened by dump_open_dest() once every argument is known to be good.
 * Either way *@random_access says what the output can do.
 */
static bool dump_check_dest(DumpDest *dest, const char *protocol,
                            bool *random_access, Error **errp)
{
    if (g_str_has_prefix(protocol, "fd:")) {
        int fd = qmp_take_named_fd(protocol + strlen("fd:"), errp);

        if (fd < 0) {
            return false;
        }
        dump_dest_open_fd(dest, fd);
        *random_access = dest->random_access;
        return true;
    }
    if (g_str_has_prefix(protocol, "file:")) {
        return dump_dest_check_file(protocol + strlen("file:"),
                                    random_access, errp);
    }
    error_setg(errp, "Invalid parameter 'protocol'");   /* QEMU's text */
    return false;
}

/* What the format needs of its output, against what the output can do. */
static bool dump_check_output(const DumpEncoder *enc, bool random_access,
                              Error **errp)
{
    if (enc->needs_random_access && !random_access) {
        error_setg(errp, "kdump-raw formats require a seekable file");
        return false;
    }
    return true;
}

/*
 * Every check made before anything changes, in QEMU's order with its
 * messages: the run state, a dump already running, the arguments, the
 * format (its encoder's capabilities), the destination, and what the
 * destination can do against what the format needs.  On success
 * *@encp is the format's encoder and @dest holds an "fd:" destination's
 * fd (a "file:" one is opened later); on failure @dest holds nothing.
 * The filter's values are checked later, once the VM has stopped, as
 * QEMU does: dump_check_filter().
 */
static bool dump_check_request(const DumpRequest *req,
                               const DumpEncoder **encp, DumpDest *dest,
                               Error **errp)
{
    const char *format = req->format ? req->format : "elf";
    const DumpEncoder *enc = dump_encoder_find(format);
    bool random_access = false;

    *dest = (DumpDest) { .fd = -1 };
    if (req->has_threads &&
        (req->threads < 1 || req->threads > DUMP_MAX_THREADS)) {
        error_setg(errp, "parameter 'x-dump-threads' expects a value "
                   "between 1 and %u", DUMP_MAX_THREADS);
        return false;
    }
    if (runstate_get() == RUN_STATE_INMIGRATE) {
        error_setg(errp, "Dump not allowed during incoming migration.");
        return false;
    }
    if (!dump_allows_state_change(errp)) {
        return false;
    }
    /* a format without an encoder supports nothing: ELF always has one */
    if ((!enc || !enc->supports_filter) &&
        (req->paging || req->has_begin || req->has_length)) {
        error_setg(errp, "kdump-compressed format doesn't support paging or "
                   "filter");
        return false;
    }
    if (req->live && req->paging) {
        error_setg(errp, "parameter 'paging' cannot be used with 'live': "
                   "the guest's page tables change while a live dump runs");
        return false;
    }
    if (req->has_begin && !req->has_length) {
        error_setg(errp, "Parameter 'length' is missing");
        return false;
    }
    if (!req->has_begin && req->has_length) {
        error_setg(errp, "Parameter 'begin' is missing");
        return false;
    }
    if (!enc) {
        g_autofree char *base = dump_base_format(format);

        error_setg(errp, "%s is not available now", base);
        return false;
    }
    if (!dump_check_dest(dest, req->protocol, &random_access, errp)) {
        return false;
    }
    if (!dump_check_output(enc, random_access, errp)) {
        dump_dest_abort(dest);
        return false;
    }
    *encp = enc;
    return true;
}

/*
 * The filter's values, checked once the VM has stopped as QEMU's
 * dump_init() does (so a refusal shows STOP, RESUME); the job takes them
 * as they are.
 */
static bool dump_check_filter(const DumpRequest *req, Error **errp)
{
    if (!req->has_begin) {
        return true;
    }
    if (!req->length) {
        error_setg(errp, "parameter 'length' expects a non-zero size");
        return false;
    }
    if (req->length < 0) {
        error_setg(errp, "parameter 'length' expects a positive size");
        return false;
    }
    if (req->begin < 0) {
        error_setg(errp, "parameter 'begin' expects a non-negative "
                   "guest-physical address");
        return false;
    }
    return true;
}

/* Open a "file:" destination (an "fd:" one is open already). */
static bool dump_open_dest(const DumpEncoder *enc, DumpDest *dest,
                           const char *protocol, Error **errp)
{
    if (dest->fd < 0 &&
        !dump_dest_open_file(dest, protocol + strlen("file:"), errp)) {
        return false;
    }
    /* the path may have changed since it was checked */
    return dump_check_output(enc, dest->random_access, errp);
}

/* CPU time this thread has run, in microseconds (for a trace). */
static int64_t dump_thread_cpu_us(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0) {
        return 0;
    }
    return (int64_t)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

bool dump_guest_memory(const DumpRequest *req, DumpDoneFn *done,
                       void *opaque, Error **errp)
{
    DumpState *s = &dump_state;
    MachineState *ms = machine_get_current();
    const DumpEncoder *enc;
    DumpRequest cfg;
    WriteTracker *tracker = NULL;
    GError *local_err = NULL;
    int64_t pause_wall, pause_cpu;
    DumpDest dest;

    /* into a local: a refused request must not touch the running dump's */
    if (!dump_check_request(req, &enc, &dest, errp)) {
        return false;
    }
    s->dest = dest;
    assert(ms);
    /* everything a live dump may lack is found before the VM stops */
    if (req->live) {
        DumpLiveScope scope = {
            .block_flags = ms->ignore_discard_manager ?
                           GUEST_PHYS_BLOCKS_IGNORE_DISCARD_MANAGER : 0,
            .has_filter = req->has_begin,
            .begin = req->begin,
            .length = req->length,
        };

        tracker = dump_live_tracker_new(&ms->as_memory,
                                        ms->live_dump_copy_buffer, &scope,
                                        errp);
        if (!tracker) {
            dump_dest_abort(&s->dest);
            return false;
        }
    }

    /* QEMU's dump_state_prepare() + dump_init() */
    s->status = DUMP_STATUS_ACTIVE;
    s->error = NULL;
    s->resume = runstate_is_running();
    if (s->resume) {
        vm_stop(RUN_STATE_SAVE_VM);
    }
    pause_wall = g_get_monotonic_time();
    pause_cpu = dump_thread_cpu_us();
    if (!dump_check_filter(req, errp)) {
        write_tracker_free(tracker);
        memset(&s->job, 0, sizeof(s->job));
        goto fail;
    }
    cfg = *req;
    cfg.as = &ms->as_memory;
    cfg.block_flags = ms->ignore_discard_manager ?
                      GUEST_PHYS_BLOCKS_IGNORE_DISCARD_MANAGER : 0;
    cfg.kdump.zlib_level = ms->kdump_zlib_level;
    cfg.kdump.zstd_level = ms->kdump_zstd_level;
    cfg.tracker = tracker;
    if (vmcoreinfo_present()) {
        cfg.vmcoreinfo = vmcoreinfo_guest_note;
    }
    cfg.cpus = machine_cpus(&cfg.ncpus);
    if (!dump_job_prepare(&s->job, enc, &cfg, NULL, errp)) {
        goto fail;
    }
    if (req->live && s->resume) {
        /* the snapshot is protected: the guest runs on while we write */
        vm_start();
        s->resume = false;
        /* the pause, and how much of it this thread ran (the rest: host) */
        trace_event("dump_live_pause", "wall_us=%" PRId64 " cpu_us=%" PRId64,
                    g_get_monotonic_time() - pause_wall,
                    dump_thread_cpu_us() - pause_cpu);
    }
    /* every argument is good: only now is a file created */
    if (!dump_open_dest(enc, &s->dest, req->protocol, errp)) {
        goto fail;
    }
    /* everything the dump needs, before it starts: failures are ours */
    s->sink = dump_fd_sink_new(s->dest.fd);
    if (!s->sink) {
        error_setg_errno(errp, errno, "dump: cannot prepare the output");
        goto fail;
    }
    s->job.sink = s->sink;

    if (!req->detach && !done) {
        /* no monitor to answer later (unit tests): on this thread */
        dump_body(s);
        dump_finish(s, true, errp);
        return s->status == DUMP_STATUS_COMPLETED;
    }
    s->thread_exited = 0;
    s->finish_pending = true;
    s->done = req->detach ? NULL : done;
    s->done_opaque = opaque;
    s->thread = g_thread_try_new("dump_thread", dump_thread, s, &local_err);
    if (!s->thread) {
        error_setg(errp, "dump: cannot start the dump thread: %s",
                   local_err->message);
        g_error_free(local_err);
        s->finish_pending = false;
        s->done = NULL;
        goto fail;
    }
    return true;

fail:
    s->status = DUMP_STATUS_FAILED;
    dump_release(s, true);
    return false;
}

/* ----------------------------------------------------------------- QMP */

/* A synchronous dump is over: its command's reply. */
static void qmp_dump_done(void *opaque, Error *err)
{
    qmp_return_dump_guest_memory(opaque, err);
}

static void qmp_dump_guest_memory(bool paging, const char *protocol,
                                  bool has_detach, bool detach,
                                  bool has_begin, int64_t begin,
                                  bool has_length, int64_t length,
                                  bool has_format,
                                  DumpGuestMemoryFormat format,
                                  bool has_x_dump_threads,
                                  int64_t x_dump_threads,
                                  bool has_x_kdump_zero_descriptors,
                                  bool x_kdump_zero_descriptors,
                                  bool has_live, bool live, Error **errp)
{
    DumpRequest req = {
        .paging = paging,
        .protocol = protocol,
        .detach = detach,
        .has_begin = has_begin,
        .begin = begin,
        .has_length = has_length,
        .length = length,
        .format = has_format ? DumpGuestMemoryFormat_str(format) : NULL,
        .kdump.zero_descs = has_x_kdump_zero_descriptors &&
                            x_kdump_zero_descriptors,
        .live = has_live && live,
        .has_threads = has_x_dump_threads,
        .threads = x_dump_threads,
    };
    QmpReturn *r = NULL;

    if (!req.detach) {
        /* answered when the dump ends; the main loop runs on meanwhile */
        r = qmp_return_defer();
    }
    if (!dump_guest_memory(&req, r ? qmp_dump_done : NULL, r, errp) && r) {
        qmp_return_cancel(r);
    }
}

static DumpQueryResult *qmp_query_dump(Error **errp)
{
    return dump_result_new();
}

static DumpGuestMemoryCapability *
qmp_query_dump_guest_memory_capability(Error **errp)
{
    DumpGuestMemoryCapability *cap = g_new0(DumpGuestMemoryCapability, 1);
    DumpGuestMemoryFormatList **tail = &cap->formats;

    for (unsigned i = 0; capability_order[i]; i++) {
        DumpGuestMemoryFormatList *elem;

        if (!dump_encoder_find(capability_order[i])) {
            continue;
        }
        elem = g_new0(DumpGuestMemoryFormatList, 1);
        elem->value = DumpGuestMemoryFormat_parse(capability_order[i]);
        assert((int)elem->value >= 0);
        *tail = elem;
        tail = &elem->next;
    }
    /* ours: QEMU's clients read "formats" only and ignore the rest */
    cap->has_live = true;
    cap->live = true;
    return cap;
}

static void qmp_dump_cancel(Error **errp)
{
    DumpState *s = &dump_state;

    if (!qemu_system_dump_in_progress() || !s->thread) {
        error_setg(errp, "There is no dump in process");
        return;
    }
    dump_job_request_cancel(&s->job, DUMP_CANCEL_COMMAND);
}

void dump_register_commands(void)
{
    dump_register_encoders();
    runstate_set_change_check(dump_allows_state_change);
    qmp_register_dump_guest_memory(qmp_dump_guest_memory);
    qmp_register_query_dump(qmp_query_dump);
    qmp_register_query_dump_guest_memory_capability(
        qmp_query_dump_guest_memory_capability);
    qmp_register_dump_cancel(qmp_dump_cancel);
    dump_hmp_register_commands();
}
