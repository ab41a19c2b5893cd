/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * monitor-internal.h: what the files of monitor/ share: the QMP monitor
 * and its session, output, dispatch, events and built-in commands.
 *
 * Nothing outside monitor/ includes this; vl.c uses monitor/monitor.h,
 * subsystems use the generated qapi/qapi-commands.h.  Everything here
 * runs on the main loop thread unless a comment says otherwise.
 */
#ifndef MONITOR_MONITOR_INTERNAL_H
#define MONITOR_MONITOR_INTERNAL_H

#include <json-glib/json-glib.h>
#include "chardev/char.h"
#include "monitor/json-streamer.h"
#include "qapi/qmp-registry.h"
#include "qemu/readline.h"

/*
 * The QEMU version reported in the greeting and by query-version: the
 * release whose interface we follow for what we implement.  Every
 * command, event, argument and enumeration value we share with QEMU is
 * QEMU 7.2's (Debian 12's QEMU, which the tests compare against:
 * scripts/qmp-version-check.py); the rest are extensions listed there
 * and in docs/system/qmp.md (the kdump-raw formats are 8.2's, back-ported
 * as qemu/ does).  Claiming a later release would make clients assume
 * commands it added.
 */
#define QMP_QEMU_VERSION_MAJOR 7
#define QMP_QEMU_VERSION_MINOR 2
#define QMP_QEMU_VERSION_MICRO 0

/*
 * Flow control.  Above QMP_OUT_HIGH_WATER bytes queued in the chardev,
 * the monitor stops reading the client's input and holds further output
 * in its own queue; reading resumes once everything has been written.
 * Of held-back events at most QMP_MAX_HELD_EVENTS are kept, the oldest
 * dropped first; responses are never dropped.
 */
#define QMP_OUT_HIGH_WATER   (1u << 20)
/* Named fds (getfd) one monitor may hold. */
#define QMP_MAX_NAMED_FDS    256u
#define QMP_MAX_HELD_EVENTS  1000u

/**
 * enum QmpSessionState: where the conversation with the client on a
 * QMP chardev stands.  See docs/devel/monitor.md for the diagram.
 * @QMP_SESSION_CLOSED: no client connected.  Invariants: nothing held in
 *   the output queue or the input stash, streamer idle, no pending
 *   SCM_RIGHTS fds, input not paused.
 * @QMP_SESSION_NEGOTIATING: greeting sent (monitor_qmp_opened()); only
 *   qmp_capabilities runs, every other command is answered
 *   CommandNotFound; no events are sent.
 * @QMP_SESSION_COMMAND: qmp_capabilities succeeded (qmp_qmp_capabilities
 *   in qmp-cmds.c); all commands run and events are sent.
 * Any state goes to CLOSED when the client leaves (monitor_qmp_closed()).
 */
typedef enum QmpSessionState {
    QMP_SESSION_CLOSED,
    QMP_SESSION_NEGOTIATING,
    QMP_SESSION_COMMAND,
} QmpSessionState;

/**
 * struct MonitorQMP: one -qmp monitor: a chardev, and the session with
 * the client currently connected to it (a server chardev serves one
 * client at a time).
 */
typedef struct MonitorQMP {
    Chardev *chr;               /* borrowed; outlives the monitor */
    bool pretty;                /* -mon pretty=on: indented replies */
    QmpSessionState state;
    bool oob_enabled;           /* session negotiated capability "oob" */
    JsonStreamer *streamer;     /* owned */
    /*
     * Flow control (qmp-output.c).  @input_paused: reading stopped
     * because output is above the high-water mark; @stash holds the part
     * of the last chunk read that was not fed yet (at most one chunk).
     * @outq holds output (QmpOutMsg *) not yet given to the chardev;
     * @held_events counts the events among it.  @pump_src is the idle
     * source that refills the chardev and resumes input after a drain.
     */
    bool input_paused;
    GByteArray *stash;
    GQueue outq;
    unsigned held_events;
    guint pump_src;
    /*
     * fds that came by SCM_RIGHTS with the most recent chunk carrying
     * any, not yet taken by getfd (GArray of int); closed when newer
     * fds arrive, when the input they came with has been processed, and
     * when the client leaves.
     */
    GArray *pending_fds;
    /* the chunk @pending_fds belong to came with fds the kernel dropped */
    bool pending_fds_lost;
    /*
     * getfd's names -> fds (GINT_TO_POINTER); kept across sessions; at
     * most QMP_MAX_NAMED_FDS.
     */
    GHashTable *named_fds;
    /*
     * The deferred reply this session waits for (qmp_return_defer()),
     * or NULL.  While set, input stays paused, so that the client's next
     * requests are answered after it, in order.  Dropped (the token
     * orphaned) when the client leaves.
     */
    QmpReturn *awaiting;
} MonitorQMP;

/* qmp.c: the monitors, sessions and input */

/** monitor_qmp_foreach: call @fn for every QMP monitor. */
void monitor_qmp_foreach(void (*fn)(MonitorQMP *mon, void *opaque),
                         void *opaque);
/**
 * monitor_qmp_cur: the monitor whose command is running, or NULL outside
 * a QMP command (and inside HMP commands, as in QEMU).
 */
MonitorQMP *monitor_qmp_cur(void);
/** monitor_qmp_set_cur: set the current monitor; returns the old one. */
MonitorQMP *monitor_qmp_set_cur(MonitorQMP *mon);
/** monitor_qmp_resume_input: output drained: feed the stash, read on. */
void monitor_qmp_resume_input(MonitorQMP *mon);
/** monitor_qmp_pause_input: stop after the request being handled. */
void monitor_qmp_pause_input(MonitorQMP *mon);
/**
 * monitor_qmp_take_pending_fd: the first pending SCM_RIGHTS fd, or -1;
 * *@lost: none is pending because the kernel dropped them (we are out
 * of descriptors).
 */
int monitor_qmp_take_pending_fd(MonitorQMP *mon, bool *lost);
/** assert_monitor_qmp_state: check the invariants of @mon's state. */
void assert_monitor_qmp_state(const MonitorQMP *mon);

/* qmp-output.c: serialisation and flow control */

/**
 * monitor_json_text: @node as QMP sends it: compact (or indented if
 * @pretty), non-ASCII characters as \uXXXX, newlines as CRLF, ending in
 * CRLF.  Returns: a new string.
 */
GString *monitor_json_text(JsonNode *node, bool pretty);
/**
 * monitor_qmp_send: send @msg (borrowed) to @mon's client, or hold it
 * back if output is congested.  Dropped if no client is connected.
 */
void monitor_qmp_send(MonitorQMP *mon, JsonObject *msg, bool is_event);
/** monitor_qmp_congested: output is at or above the high-water mark. */
bool monitor_qmp_congested(const MonitorQMP *mon);
/** monitor_qmp_output_drained: chardev callback; schedules the pump. */
void monitor_qmp_output_drained(void *opaque);
/** monitor_qmp_output_reset: drop held output (the client left). */
void monitor_qmp_output_reset(MonitorQMP *mon);
/** monitor_qmp_output_flush: write everything out, blocking (at exit). */
void monitor_qmp_output_flush(MonitorQMP *mon);

/**
 * qmp_version_info: the VersionInfo object ({"qemu": {"micro", "minor",
 * "major"}, "package"}) of the greeting and query-version (new node).
 */
JsonNode *qmp_version_info(void);

/* qmp-dispatch.c */

/**
 * qmp_dispatch: run the request @req received by @mon.
 * Returns: the response (new reference), with @req's "id" if it had one;
 * NULL if the command deferred its reply (then mon->awaiting is set).
 */
JsonObject *qmp_dispatch(MonitorQMP *mon, JsonNode *req);
/** qmp_return_orphan: @mon's client left: its pending reply goes nowhere. */
void qmp_return_orphan(MonitorQMP *mon);
/** qmp_dispatch_init: install the deferred-reply hooks. */
void qmp_dispatch_init(void);
/** qmp_error_response: {"error": {"class", "desc"}} for @err (borrowed). */
JsonObject *qmp_error_response(const Error *err);

/* qmp-events.c */

/** monitor_events_init: install the event emitter (main thread). */
void monitor_events_init(void);
/** monitor_events_cleanup: deliver queued events, free all event state. */
void monitor_events_cleanup(void);

/* qmp-cmds.c, hmp.c, qom-cmds.c: built-in commands */

void monitor_register_control_commands(void);
void monitor_register_hmp_commands(void);
/** monitor_hmp_cleanup: free the HMP chardev monitors (monitor_cleanup). */
void monitor_hmp_cleanup(void);
/**
 * hmp_complete: the ReadLineOps.complete of HMP monitors (hmp-complete.c):
 * offer the commands, info subcommands or ids the word before the cursor
 * of @line may become.
 */
void hmp_complete(void *opaque, ReadLineState *rs, const char *line);
void monitor_register_qom_commands(void);
/** monitor_close_named_fds: close and forget all of @mon's named fds. */
void monitor_close_named_fds(MonitorQMP *mon);

#endif /* MONITOR_MONITOR_INTERNAL_H */
