/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * irq.h: interrupt lines (QEMU's qemu_irq).  A line is a handler plus the
 * input number it was created for; raising or lowering it calls the
 * handler with the level.  There is no CPU here to deliver interrupts to:
 * lines end at the IOAPIC model, which records levels, or at the qtest
 * server when a test intercepts them.
 */
#ifndef HW_IRQ_H
#define HW_IRQ_H

typedef void (*qemu_irq_handler)(void *opaque, int n, int level);

struct IRQState {
    qemu_irq_handler handler;
    void *opaque;
    int n;
};

/** qemu_allocate_irq: a new line calling @handler(@opaque, @n, level). */
qemu_irq qemu_allocate_irq(qemu_irq_handler handler, void *opaque, int n);
void qemu_free_irq(qemu_irq irq);

/** qemu_set_irq: drive @irq to @level; a NULL line is not connected. */
static inline void qemu_set_irq(qemu_irq irq, int level)
{
    if (irq) {
        irq->handler(irq->opaque, irq->n, level);
    }
}

static inline void qemu_irq_raise(qemu_irq irq)
{
    qemu_set_irq(irq, 1);
}

static inline void qemu_irq_lower(qemu_irq irq)
{
    qemu_set_irq(irq, 0);
}

/**
 * qemu_irq_intercept_in: replace the handlers of @gpio_in[0..@n) by
 * @handler, keeping their numbers (qtest irq_intercept_in).
 */
void qemu_irq_intercept_in(qemu_irq *gpio_in, qemu_irq_handler handler,
                           void *opaque, int n);

#endif /* HW_IRQ_H */
