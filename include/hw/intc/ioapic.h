/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ioapic.h: the I/O APIC model: 24 interrupt inputs whose levels it
 * records.  No CPU receives them yet; qtest observes them by intercepting
 * the inputs (`irq_intercept_in ioapic`), as QEMU's tests do.
 */
#ifndef HW_INTC_IOAPIC_H
#define HW_INTC_IOAPIC_H

#include "hw/qdev.h"

#define TYPE_IOAPIC "ioapic"
#define IOAPIC_NUM_PINS 24
#define IOAPIC_DEFAULT_BASE_ADDRESS 0xfec00000

void ioapic_register_types(void);
/** ioapic_get_level: the last level seen on input @pin (for tests). */
int ioapic_get_level(DeviceState *dev, int pin);

#endif /* HW_INTC_IOAPIC_H */
