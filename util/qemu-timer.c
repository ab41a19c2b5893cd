/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-timer.c: realtime timers on glib's main context, and the virtual
 * clock advanced explicitly by the qtest accelerator.
 *
 * Virtual timers sit in a list sorted by expiry; qemu_clock_set_virtual()
 * pops and runs them.  Realtime timers each own a glib timeout source.
 * All of this runs on the main loop thread only.
 */
#include "qemu/osdep.h"
#include "qemu/queue.h"
#include "qemu/timer.h"

struct QEMUTimer {
    QEMUClockType type;
    QEMUTimerCB *cb;
    void *opaque;
    int64_t expire_ns;      /* valid while armed */
    bool armed;
    guint source_id;        /* realtime only: glib source while armed */
    QTAILQ_ENTRY(QEMUTimer) link;   /* virtual only: in virtual_timers */
};

static QTAILQ_HEAD(, QEMUTimer) virtual_timers =
    QTAILQ_HEAD_INITIALIZER(virtual_timers);
static int64_t virtual_ns;

QEMUTimer *timer_new_ns(QEMUClockType type, QEMUTimerCB *cb, void *opaque)
{
    QEMUTimer *t = g_new0(QEMUTimer, 1);

    t->type = type;
    t->cb = cb;
    t->opaque = opaque;
    return t;
}

static gboolean realtime_timer_fire(gpointer opaque)
{
    QEMUTimer *t = opaque;

    t->armed = false;
    t->source_id = 0;
    t->cb(t->opaque);
    return G_SOURCE_REMOVE;
}

void timer_del(QEMUTimer *t)
{
    if (!t->armed) {
        return;
    }
    if (t->type == QEMU_CLOCK_REALTIME) {
        g_source_remove(t->source_id);
        t->source_id = 0;
    } else {
        QTAILQ_REMOVE(&virtual_timers, t, link);
    }
    t->armed = false;
}

void timer_mod(QEMUTimer *t, int64_t expire_ns)
{
    timer_del(t);
    t->expire_ns = expire_ns;
    t->armed = true;
    if (t->type == QEMU_CLOCK_REALTIME) {
        int64_t delta = expire_ns - qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
        guint ms = delta <= 0 ? 0 : (guint)MIN(delta / 1000000 + 1, G_MAXUINT);

        t->source_id = g_timeout_add(ms, realtime_timer_fire, t);
    } else {
        QEMUTimer *other;

        QTAILQ_FOREACH(other, &virtual_timers, link) {
            if (other->expire_ns > expire_ns) {
                QTAILQ_INSERT_BEFORE(other, t, link);
                return;
            }
        }
        QTAILQ_INSERT_TAIL(&virtual_timers, t, link);
    }
}

void timer_free(QEMUTimer *t)
{
    if (t) {
        timer_del(t);
        g_free(t);
    }
}

bool timer_pending(const QEMUTimer *t)
{
    return t->armed;
}

int64_t qemu_clock_get_ns(QEMUClockType type)
{
    if (type == QEMU_CLOCK_REALTIME) {
        return g_get_monotonic_time() * 1000;
    }
    return virtual_ns;
}

int64_t qemu_clock_deadline_virtual(void)
{
    QEMUTimer *first = QTAILQ_FIRST(&virtual_timers);

    return first ? first->expire_ns : -1;
}

bool qemu_clock_set_virtual(int64_t ns)
{
    QEMUTimer *t;

    if (ns < virtual_ns) {
        return false;
    }
    while ((t = QTAILQ_FIRST(&virtual_timers)) && t->expire_ns <= ns) {
        QTAILQ_REMOVE(&virtual_timers, t, link);
        t->armed = false;
        virtual_ns = MAX(virtual_ns, t->expire_ns);
        t->cb(t->opaque);
    }
    virtual_ns = ns;
    return true;
}
