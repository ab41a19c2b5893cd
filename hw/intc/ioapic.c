/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ioapic.c: I/O APIC input lines (see include/hw/intc/ioapic.h). */
#include "qemu/osdep.h"
#include "hw/intc/ioapic.h"
#include "qemu/trace.h"

typedef struct IOAPICState {
    DeviceState parent_obj;
    int level[IOAPIC_NUM_PINS];
} IOAPICState;

static void ioapic_set_irq(void *opaque, int n, int level)
{
    IOAPICState *s = opaque;

    if (n >= 0 && n < IOAPIC_NUM_PINS) {
        s->level[n] = level;
        trace_event("ioapic_set_irq", "pin=%d level=%d", n, level);
    }
}

static void ioapic_instance_init(Object *obj)
{
    qdev_init_gpio_in(DEVICE(obj), ioapic_set_irq, IOAPIC_NUM_PINS);
}

static void ioapic_reset(DeviceState *dev)
{
    IOAPICState *s = (IOAPICState *)dev;

    memset(s->level, 0, sizeof(s->level));
}

static void ioapic_class_init(ObjectClass *klass)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->reset = ioapic_reset;
    dc->desc = "I/O APIC";
}

int ioapic_get_level(DeviceState *dev, int pin)
{
    IOAPICState *s = (IOAPICState *)object_dynamic_cast_assert(OBJECT(dev),
                                                               TYPE_IOAPIC);

    return pin >= 0 && pin < IOAPIC_NUM_PINS ? s->level[pin] : 0;
}

void ioapic_register_types(void)
{
    static const TypeInfo info = {
        .name = TYPE_IOAPIC,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(IOAPICState),
        .instance_init = ioapic_instance_init,
        .class_init = ioapic_class_init,
    };

    type_register_static(&info);
}
