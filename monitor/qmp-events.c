/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-events.c: QMP events: the emitter behind qapi_event_send(), the
 * hand-over from other threads to the main loop, QEMU's per-event rate
 * limits, and the broadcast to every negotiated session.
 *
 * Threads: qapi_event_send() may run on any thread (the dump thread
 * emits DUMP_COMPLETED).  Every event, whatever thread sends it, is
 * stamped with the wall clock and appended to one mutex-protected queue;
 * the main loop drains the queue in order, either at once (sender on the
 * main thread) or from an idle callback.  So events leave in the order
 * they were sent, and an event a thread sent before it told the main
 * thread to go on precedes whatever the main thread sends after that.
 *
 * Rate limits (QEMU's monitor_qapi_event_conf): the events below are
 * sent at most once per second per key; one that comes sooner is kept,
 * replacing any kept before, and sent when the second is over, with its
 * own timestamp.  The clock is QEMU_CLOCK_REALTIME unless vl.c picks the
 * virtual clock (QEMU does so under qtest, to test the limits).
 */
#include "qemu/osdep.h"
#include <pthread.h>
#include "qemu/timer.h"
#include "qapi/qmp-registry.h"
#include "monitor/monitor.h"
#include "monitor/monitor-internal.h"

#define QMP_EVENT_RATE_NS (1000 * 1000 * 1000LL)   /* QEMU: 1000 ms */

/* Throttled events and the data member that tells their sources apart. */
static const struct {
    const char *name;
    const char *key;        /* NULL: one limit for all such events */
    const char *old_key;    /* used when @key is absent */
} qmp_throttled_events[] = {
    { "RTC_CHANGE", NULL, NULL },
    { "WATCHDOG", NULL, NULL },
    { "BALLOON_CHANGE", NULL, NULL },
    { "QUORUM_REPORT_BAD", "node-name", NULL },
    { "QUORUM_FAILURE", NULL, NULL },
    { "VSERPORT_CHANGE", "id", NULL },
    /* per device since QEMU 6.2 (qom-path); before, "id" */
    { "MEMORY_DEVICE_SIZE_CHANGE", "qom-path", "id" },
};

typedef struct QmpQueuedEvent {
    char *name;
    JsonObject *data;       /* owned, may be NULL */
    int64_t timestamp_us;   /* g_get_real_time() when it was sent */
} QmpQueuedEvent;

/* One rate-limit window: started by sending, ends when the timer fires. */
typedef struct QmpEventThrottle {
    char *key;              /* "NAME/discriminator" */
    QEMUTimer *timer;
    JsonObject *delayed;    /* the latest event that came too soon */
} QmpEventThrottle;

/*
 * Protects the three below.  A pthread mutex rather than GMutex: GLib's
 * futex-based GMutex is invisible to ThreadSanitizer, which the dump
 * thread's tests run under.
 */
static pthread_mutex_t qmp_event_lock = PTHREAD_MUTEX_INITIALIZER;
static GQueue qmp_event_queue;  /* QmpQueuedEvent *, oldest first */
static guint qmp_event_idle;    /* drains the queue from the main loop */
static bool qmp_events_live;    /* between init and cleanup */

static GThread *qmp_main_thread;
static bool qmp_event_draining;         /* main thread only */
static GHashTable *qmp_throttles;       /* key -> QmpEventThrottle */
static QEMUClockType qmp_event_clock = QEMU_CLOCK_REALTIME;

void monitor_set_event_clock(QEMUClockType type)
{
    qmp_event_clock = type;
}

static void qmp_queued_event_free(QmpQueuedEvent *ev)
{
    g_free(ev->name);
    if (ev->data) {
        json_object_unref(ev->data);
    }
    g_free(ev);
}

static void qmp_event_send_one(MonitorQMP *mon, void *opaque)
{
    if (mon->state == QMP_SESSION_COMMAND) {
        monitor_qmp_send(mon, opaque, true);
    }
}

static void qmp_event_broadcast(JsonObject *msg)
{
    monitor_qmp_foreach(qmp_event_send_one, msg);
}

static void qmp_event_throttle_free(gpointer p)
{
    QmpEventThrottle *t = p;

    timer_free(t->timer);
    if (t->delayed) {
        json_object_unref(t->delayed);
    }
    g_free(t->key);
    g_free(t);
}

/* The window is over: send what came meanwhile and start a new one. */
static void qmp_event_throttle_expired(void *opaque)
{
    QmpEventThrottle *t = opaque;
    JsonObject *msg = t->delayed;

    if (!msg) {
        g_hash_table_remove(qmp_throttles, t->key);
        return;
    }
    t->delayed = NULL;
    qmp_event_broadcast(msg);
    json_object_unref(msg);
    timer_mod(t->timer, qemu_clock_get_ns(qmp_event_clock) +
              QMP_EVENT_RATE_NS);
}

/* String member @name of @data, or NULL (also if it is no string). */
static const char *qmp_event_str_member(JsonObject *data, const char *name)
{
    JsonNode *n = data && name ? json_object_get_member(data, name) : NULL;

    if (!n || JSON_NODE_TYPE(n) != JSON_NODE_VALUE ||
        json_node_get_value_type(n) != G_TYPE_STRING) {
        return NULL;
    }
    return json_node_get_string(n);
}

/* The throttle key of @name with @data, or NULL if it is not limited. */
static char *qmp_event_throttle_key(const char *name, JsonObject *data)
{
    for (size_t i = 0; i < ARRAY_SIZE(qmp_throttled_events); i++) {
        const char *disc;

        if (strcmp(qmp_throttled_events[i].name, name)) {
            continue;
        }
        disc = qmp_event_str_member(data, qmp_throttled_events[i].key);
        if (!disc) {
            disc = qmp_event_str_member(data, qmp_throttled_events[i].old_key);
        }
        return g_strdup_printf("%s/%s", name, disc ? disc : "");
    }
    return NULL;
}

static JsonObject *qmp_event_message(QmpQueuedEvent *ev)
{
    JsonObject *msg = json_object_new();
    JsonObject *ts = json_object_new();

    json_object_set_int_member(ts, "seconds", ev->timestamp_us / G_USEC_PER_SEC);
    json_object_set_int_member(ts, "microseconds",
                               ev->timestamp_us % G_USEC_PER_SEC);
    json_object_set_object_member(msg, "timestamp", ts);
    json_object_set_string_member(msg, "event", ev->name);
    if (ev->data) {
        json_object_set_object_member(msg, "data",
                                      json_object_ref(ev->data));
    }
    return msg;
}

/* Send @ev now, or keep it for the end of its rate-limit window. */
static void qmp_event_deliver(QmpQueuedEvent *ev)
{
    g_autofree char *key = qmp_event_throttle_key(ev->name, ev->data);
    JsonObject *msg = qmp_event_message(ev);
    QmpEventThrottle *t;

    t = key ? g_hash_table_lookup(qmp_throttles, key) : NULL;
    if (t) {
        if (t->delayed) {
            json_object_unref(t->delayed);
        }
        t->delayed = msg;
        return;
    }
    qmp_event_broadcast(msg);
    json_object_unref(msg);
    if (key) {
        t = g_new0(QmpEventThrottle, 1);
        t->key = g_steal_pointer(&key);
        t->timer = timer_new_ns(qmp_event_clock, qmp_event_throttle_expired,
                                t);
        g_hash_table_insert(qmp_throttles, t->key, t);
        timer_mod(t->timer, qemu_clock_get_ns(qmp_event_clock) +
                  QMP_EVENT_RATE_NS);
    }
}

/* Main thread: deliver everything queued, oldest first. */
static void qmp_event_drain(void)
{
    QmpQueuedEvent *ev;

    if (qmp_event_draining) {
        return;     /* sent from inside a delivery: the loop below has it */
    }
    qmp_event_draining = true;
    for (;;) {
        pthread_mutex_lock(&qmp_event_lock);
        ev = g_queue_pop_head(&qmp_event_queue);
        pthread_mutex_unlock(&qmp_event_lock);
        if (!ev) {
            break;
        }
        qmp_event_deliver(ev);
        qmp_queued_event_free(ev);
    }
    qmp_event_draining = false;
}

static gboolean qmp_event_drain_idle(gpointer opaque)
{
    pthread_mutex_lock(&qmp_event_lock);
    qmp_event_idle = 0;
    pthread_mutex_unlock(&qmp_event_lock);
    qmp_event_drain();
    return G_SOURCE_REMOVE;
}

/* The emitter behind qapi_event_send(); any thread. */
static void monitor_event_emit(const char *name, JsonObject *data)
{
    QmpQueuedEvent *ev = g_new0(QmpQueuedEvent, 1);
    bool main_thread = g_thread_self() == qmp_main_thread;

    ev->name = g_strdup(name);
    ev->data = data;
    ev->timestamp_us = g_get_real_time();
    pthread_mutex_lock(&qmp_event_lock);
    if (!qmp_events_live) {
        pthread_mutex_unlock(&qmp_event_lock);
        qmp_queued_event_free(ev);
        return;
    }
    g_queue_push_tail(&qmp_event_queue, ev);
    if (!main_thread && !qmp_event_idle) {
        qmp_event_idle = g_idle_add(qmp_event_drain_idle, NULL);
    }
    pthread_mutex_unlock(&qmp_event_lock);
    if (main_thread) {
        qmp_event_drain();
    }
}

void monitor_events_init(void)
{
    qmp_main_thread = g_thread_self();
    if (!qmp_throttles) {
        qmp_throttles = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                              qmp_event_throttle_free);
    }
    pthread_mutex_lock(&qmp_event_lock);
    qmp_events_live = true;
    pthread_mutex_unlock(&qmp_event_lock);
    qapi_event_set_emitter(monitor_event_emit);
}

void monitor_events_cleanup(void)
{
    qmp_event_drain();
    qapi_event_set_emitter(NULL);
    pthread_mutex_lock(&qmp_event_lock);
    qmp_events_live = false;
    if (qmp_event_idle) {
        g_source_remove(qmp_event_idle);
        qmp_event_idle = 0;
    }
    g_queue_clear_full(&qmp_event_queue,
                       (GDestroyNotify)qmp_queued_event_free);
    pthread_mutex_unlock(&qmp_event_lock);
    /* events still held back by a rate limit are not sent, as in QEMU */
    g_clear_pointer(&qmp_throttles, g_hash_table_unref);
}
