/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp.c: QMP monitors on chardevs: the session with each connected
 * client (greeting, capabilities negotiation, reading requests, answering
 * them in order), SCM_RIGHTS fds that come with the input, and the entry
 * points vl.c calls (include/monitor/monitor.h).
 *
 * Framing and lexing are in json-streamer.c, request checking and
 * command dispatch in qmp-dispatch.c, serialisation and flow control in
 * qmp-output.c, events in qmp-events.c, the built-in commands in
 * qmp-cmds.c, hmp.c and qom-cmds.c.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qapi/qmp-registry.h"
#include "monitor/monitor.h"
#include "monitor/monitor-internal.h"

/**
 * DOC: QMP wire protocol
 *
 * Transport: a chardev (unix socket, server or client, or stdio); one
 * client per monitor at a time.  Input is UTF-8 JSON, framed as
 * described in json-streamer.c (single-quoted strings accepted).  Output
 * is ASCII JSON, one message per line, each ending in CRLF; ``pretty``
 * monitors indent, also with CRLF line ends.
 *
 * 1. On connect the server greets::
 *
 *      {"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7},
 *       "package": "sparsevm 0.1.0"}, "capabilities": ["oob"]}}
 *
 * 2. Capabilities negotiation: the only command is ``qmp_capabilities``
 *    (optional ``"arguments": {"enable": ["oob"]}``).  Anything that
 *    would be CommandNotFound is answered ``{"error": {"class":
 *    "CommandNotFound", "desc": "Expecting capabilities negotiation with
 *    'qmp_capabilities'"}}``; other errors (malformed input) as usual.
 *    No events are sent yet.
 * 3. Command mode: requests ``{"execute": NAME, "arguments"?: {...},
 *    "id"?: ANY}`` (``exec-oob`` instead of ``execute`` once "oob" is
 *    enabled; no command supports it, so it is refused).  Requests are
 *    answered one by one in order (a command that takes long, a
 *    synchronous dump-guest-memory, answers when it is done, and the
 *    monitor reads nothing more from that client until then, while
 *    other monitors and qtest keep being served): ``{"return": VALUE}`` (``{}`` when the
 *    command returns nothing) or ``{"error": {"class": CLASS, "desc":
 *    TEXT}}``, with the request's "id" copied when it was an object with
 *    one.  A second qmp_capabilities fails with CommandNotFound
 *    "Capabilities negotiation is already complete, command ignored".
 *    Events ``{"timestamp": {"seconds", "microseconds"}, "event": NAME,
 *    "data"?: {...}}`` arrive between responses.
 *
 * Errors, all class GenericError unless noted (QEMU's texts):
 *
 * - input that is not JSON: "JSON parse error, ..." (no "id");
 * - not an object: "QMP input must be a JSON object" (no "id");
 * - "QMP input member 'execute' must be a string", "QMP input member
 *   'arguments' must be an object", "QMP input member 'X' is
 *   unexpected", "QMP input lacks member 'execute'", "QMP input member
 *   'exec-oob' clashes with 'execute'";
 * - CommandNotFound "The command X has not been found";
 * - "Parameter 'X' is missing", "Parameter 'X' is unexpected", "Invalid
 *   parameter type for 'X', expected: T" (T: string, integer, boolean,
 *   number, object, array), "Parameter 'X' expects uint64" (unsigned and
 *   size arguments, which also accept negative numbers, wrapped, as QEMU
 *   does), "Parameter 'X' does not accept value 'Y'" (enumerations);
 * - whatever the command reports.
 *
 * File descriptors may come with the input as SCM_RIGHTS ancillary data;
 * ``getfd`` takes the first one that came with the most recent chunk of
 * input carrying any.  Unclaimed fds are closed once the input they
 * arrived with has been processed.  A monitor holds at most 256 named
 * fds ("Too many named file descriptors on this monitor (limit 256)");
 * fds the kernel dropped because the VMM is at its fd limit make getfd
 * fail with "The file descriptor passed via SCM_RIGHTS was lost: the VMM
 * is out of file descriptors".
 *
 * Disconnecting ends the session: partial input, held output and
 * unclaimed fds are dropped; the next client gets a new greeting and
 * must negotiate again.  Named fds (getfd) belong to the monitor and
 * stay until closefd, a consumer takes them, or exit.
 */

static GPtrArray *qmp_monitors;     /* MonitorQMP *, in creation order */
static MonitorQMP *qmp_cur_mon;     /* running a command, or NULL */

void monitor_qmp_foreach(void (*fn)(MonitorQMP *mon, void *opaque),
                         void *opaque)
{
    for (guint i = 0; qmp_monitors && i < qmp_monitors->len; i++) {
        fn(qmp_monitors->pdata[i], opaque);
    }
}

MonitorQMP *monitor_qmp_cur(void)
{
    return qmp_cur_mon;
}

MonitorQMP *monitor_qmp_set_cur(MonitorQMP *mon)
{
    MonitorQMP *old = qmp_cur_mon;

    qmp_cur_mon = mon;
    return old;
}

void assert_monitor_qmp_state(const MonitorQMP *mon)
{
    switch (mon->state) {
    case QMP_SESSION_CLOSED:
        assert(!mon->input_paused && !mon->stash->len);
        assert((mon->outq.length == 0) && !mon->pump_src);
        assert(!mon->pending_fds->len && !mon->oob_enabled);
        assert(!mon->pending_fds_lost);
        assert(!mon->awaiting);
        assert(json_streamer_is_idle(mon->streamer));
        break;
    case QMP_SESSION_NEGOTIATING:
        assert(!mon->oob_enabled);
        break;
    case QMP_SESSION_COMMAND:
        break;
    }
    assert(mon->held_events <= mon->outq.length);
    assert(mon->held_events <= QMP_MAX_HELD_EVENTS);
    assert(!mon->stash->len || mon->input_paused);
}

/* ---------------------------------------------------------- pending fds */

static void monitor_qmp_close_pending_fds(MonitorQMP *mon)
{
    for (guint i = 0; i < mon->pending_fds->len; i++) {
        close(g_array_index(mon->pending_fds, int, i));
    }
    g_array_set_size(mon->pending_fds, 0);
    mon->pending_fds_lost = false;
}

int monitor_qmp_take_pending_fd(MonitorQMP *mon, bool *lost)
{
    int fd;

    *lost = mon->pending_fds_lost;
    if (!mon->pending_fds->len) {
        return -1;
    }
    /* as QEMU's qemu_chr_fe_get_msgfd(): the first, the rest closed */
    fd = g_array_index(mon->pending_fds, int, 0);
    g_array_remove_index(mon->pending_fds, 0);
    monitor_qmp_close_pending_fds(mon);
    return fd;
}

/* Once the input the fds came with is processed, nobody can claim them. */
static void monitor_qmp_expire_pending_fds(MonitorQMP *mon)
{
    if (!mon->input_paused && json_streamer_is_idle(mon->streamer)) {
        monitor_qmp_close_pending_fds(mon);
    }
}

/* ---------------------------------------------------------------- input */

/* The streamer completed a value (or an error): answer it. */
static void monitor_qmp_handle(void *opaque, JsonNode *req, Error *err)
{
    MonitorQMP *mon = opaque;
    JsonObject *rsp;

    if (err) {
        rsp = qmp_error_response(err);
        error_free(err);
    } else {
        rsp = qmp_dispatch(mon, req);
        json_node_unref(req);
        if (!rsp) {
            /* deferred: read nothing more until the reply is sent */
            monitor_qmp_pause_input(mon);
            return;
        }
    }
    monitor_qmp_send(mon, rsp, false);
    json_object_unref(rsp);
    if (mon->state != QMP_SESSION_CLOSED && monitor_qmp_congested(mon)) {
        /* stop after this request until the client has read the replies */
        monitor_qmp_pause_input(mon);
    }
}

void monitor_qmp_pause_input(MonitorQMP *mon)
{
    mon->input_paused = true;
    json_streamer_pause(mon->streamer);
    qemu_chr_set_read_paused(mon->chr, true);
}

static void monitor_qmp_feed(MonitorQMP *mon, const uint8_t *buf,
                             size_t len)
{
    size_t done = 0;

    if (!mon->input_paused) {
        done = json_streamer_feed(mon->streamer, (const char *)buf, len);
    }
    if (done < len) {
        g_byte_array_append(mon->stash, buf + done, len - done);
    }
}

void monitor_qmp_resume_input(MonitorQMP *mon)
{
    GByteArray *stash = mon->stash;

    mon->stash = g_byte_array_new();
    mon->input_paused = false;
    monitor_qmp_feed(mon, stash->data, stash->len);
    g_byte_array_unref(stash);
    if (!mon->input_paused) {
        qemu_chr_set_read_paused(mon->chr, false);
        monitor_qmp_expire_pending_fds(mon);
    }
}

static void monitor_qmp_read(void *opaque, const uint8_t *buf, size_t len,
                             int *fds, size_t nfds)
{
    MonitorQMP *mon = opaque;
    bool lost = qemu_chr_fds_lost(mon->chr);

    if (nfds || lost) {
        /* as QEMU: newer fds replace unclaimed older ones */
        monitor_qmp_close_pending_fds(mon);
        g_array_append_vals(mon->pending_fds, fds, nfds);
        mon->pending_fds_lost = lost;
    }
    monitor_qmp_feed(mon, buf, len);
    monitor_qmp_expire_pending_fds(mon);
}

/* -------------------------------------------------------------- session */

static void monitor_qmp_opened(void *opaque)
{
    MonitorQMP *mon = opaque;
    JsonObject *greeting = json_object_new();
    JsonObject *qmp = json_object_new();
    JsonArray *caps = json_array_new();

    assert_monitor_qmp_state(mon);
    mon->state = QMP_SESSION_NEGOTIATING;
    mon->oob_enabled = false;
    json_array_add_string_element(caps, "oob");
    json_object_set_member(qmp, "version", qmp_version_info());
    json_object_set_array_member(qmp, "capabilities", caps);
    json_object_set_object_member(greeting, "QMP", qmp);
    monitor_qmp_send(mon, greeting, false);
    json_object_unref(greeting);
}

static void monitor_qmp_closed(void *opaque)
{
    MonitorQMP *mon = opaque;

    mon->state = QMP_SESSION_CLOSED;
    mon->oob_enabled = false;
    json_streamer_reset(mon->streamer);
    g_byte_array_set_size(mon->stash, 0);
    mon->input_paused = false;
    qemu_chr_set_read_paused(mon->chr, false);
    monitor_qmp_output_reset(mon);
    monitor_qmp_close_pending_fds(mon);
    qmp_return_orphan(mon);
    assert_monitor_qmp_state(mon);
}

static const CharHandlers monitor_qmp_handlers = {
    .opened = monitor_qmp_opened,
    .read = monitor_qmp_read,
    .closed = monitor_qmp_closed,
    .drained = monitor_qmp_output_drained,
};

static void monitor_qmp_free(MonitorQMP *mon)
{
    qmp_return_orphan(mon);
    monitor_qmp_output_reset(mon);
    monitor_qmp_close_pending_fds(mon);
    monitor_close_named_fds(mon);
    g_hash_table_unref(mon->named_fds);
    g_array_unref(mon->pending_fds);
    g_byte_array_unref(mon->stash);
    json_streamer_free(mon->streamer);
    g_free(mon);
}

bool monitor_init_qmp(Chardev *chr, bool pretty, Error **errp)
{
    MonitorQMP *mon = g_new0(MonitorQMP, 1);

    mon->chr = chr;
    mon->pretty = pretty;
    mon->state = QMP_SESSION_CLOSED;
    mon->streamer = json_streamer_new(monitor_qmp_handle, mon);
    mon->stash = g_byte_array_new();
    g_queue_init(&mon->outq);
    mon->pending_fds = g_array_new(false, false, sizeof(int));
    mon->named_fds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                           NULL);
    if (!qmp_monitors) {
        qmp_monitors = g_ptr_array_new();
    }
    /* listed first: with wait=on the client may connect right away */
    g_ptr_array_add(qmp_monitors, mon);
    if (!qemu_chr_set_handlers(chr, &monitor_qmp_handlers, mon, errp)) {
        g_ptr_array_remove(qmp_monitors, mon);
        monitor_qmp_free(mon);
        return false;
    }
    return true;
}

static int monitor_take_named_fd(const char *name, Error **errp);

void monitor_init_globals(void)
{
    static bool registered;

    if (!registered) {
        /* the registry refuses duplicates; it outlives monitor_cleanup() */
        monitor_register_control_commands();
        monitor_register_hmp_commands();
        monitor_register_qom_commands();
        registered = true;
    }
    monitor_events_init();
    qmp_set_fd_taker(monitor_take_named_fd);
    qmp_dispatch_init();
}

/* The named-fd hook behind qmp_take_named_fd() (dump's "fd:NAME"). */
static int monitor_take_named_fd(const char *name, Error **errp)
{
    MonitorQMP *mon = monitor_qmp_cur();
    gpointer key, value;

    if (!mon || !g_hash_table_lookup_extended(mon->named_fds, name, &key,
                                              &value)) {
        error_setg(errp, "File descriptor named '%s' has not been found",
                   name);
        return -1;
    }
    g_hash_table_remove(mon->named_fds, name);
    return GPOINTER_TO_INT(value);
}

void monitor_cleanup(void)
{
    /* events other threads queued, e.g. before a shutdown, go out first */
    monitor_events_cleanup();
    for (guint i = 0; qmp_monitors && i < qmp_monitors->len; i++) {
        monitor_qmp_output_flush(qmp_monitors->pdata[i]);
    }
    for (guint i = 0; qmp_monitors && i < qmp_monitors->len; i++) {
        monitor_qmp_free(qmp_monitors->pdata[i]);
    }
    g_clear_pointer(&qmp_monitors, g_ptr_array_unref);
    monitor_hmp_cleanup();
    qmp_cur_mon = NULL;
    qmp_set_fd_taker(NULL);
    qmp_set_return_ops(NULL);
}
