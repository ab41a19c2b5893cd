/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * timer.h: clocks and timers.
 *
 * QEMU_CLOCK_REALTIME follows the host's monotonic clock and drives timers
 * that must fire whatever the guest does (event rate limiting).
 * QEMU_CLOCK_VIRTUAL is guest time: under the qtest accelerator it moves
 * only when the qtest client says so (clock_step / clock_set), so tests are
 * deterministic.  Timer callbacks run in the main loop.
 */
#ifndef QEMU_TIMER_H
#define QEMU_TIMER_H

typedef enum QEMUClockType {
    QEMU_CLOCK_REALTIME,
    QEMU_CLOCK_VIRTUAL,
} QEMUClockType;

typedef void QEMUTimerCB(void *opaque);

/** timer_new_ns: a new, unarmed timer; free with timer_free(). */
QEMUTimer *timer_new_ns(QEMUClockType type, QEMUTimerCB *cb, void *opaque);
/** timer_mod: arm (or re-arm) @t to fire at @expire_ns on its clock. */
void timer_mod(QEMUTimer *t, int64_t expire_ns);
/** timer_del: disarm @t; no-op if not armed. */
void timer_del(QEMUTimer *t);
/** timer_free: disarm and free @t; NULL is fine. */
void timer_free(QEMUTimer *t);
bool timer_pending(const QEMUTimer *t);

/** qemu_clock_get_ns: the current time of @type in nanoseconds. */
int64_t qemu_clock_get_ns(QEMUClockType type);

/**
 * qemu_clock_deadline_virtual: expiry time of the earliest armed virtual
 * timer, or -1 if none is armed.
 */
int64_t qemu_clock_deadline_virtual(void);

/**
 * qemu_clock_set_virtual: move virtual time forward to @ns, running every
 * virtual timer that expires on the way, in expiry order.  Moving backwards
 * is refused.
 *
 * Returns: false if @ns is before the current virtual time.
 */
bool qemu_clock_set_virtual(int64_t ns);

#endif /* QEMU_TIMER_H */
