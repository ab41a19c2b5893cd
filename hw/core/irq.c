/* SPDX-License-Identifier: GPL-2.0-or-later */
/* irq.c: interrupt lines (see include/hw/irq.h). */
#include "qemu/osdep.h"
#include "hw/irq.h"

qemu_irq qemu_allocate_irq(qemu_irq_handler handler, void *opaque, int n)
{
    qemu_irq irq = g_new0(struct IRQState, 1);

    irq->handler = handler;
    irq->opaque = opaque;
    irq->n = n;
    return irq;
}

void qemu_free_irq(qemu_irq irq)
{
    g_free(irq);
}

void qemu_irq_intercept_in(qemu_irq *gpio_in, qemu_irq_handler handler,
                           void *opaque, int n)
{
    for (int i = 0; i < n; i++) {
        gpio_in[i]->handler = handler;
        gpio_in[i]->opaque = opaque;
    }
}
