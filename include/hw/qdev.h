/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qdev.h: devices.  A device is an object that is configured through
 * properties, then realized (brought to life: maps its regions, connects
 * its lines) exactly once; properties flagged OBJ_PROP_FLAG_BEFORE_REALIZE
 * refuse changes afterwards.  Devices have named GPIO inputs and outputs
 * (interrupt lines) and an optional reset method, run on system reset in
 * creation order.
 *
 * Devices created with -device live at /machine/peripheral/ID (or
 * /machine/peripheral-anon/device[N] without id); built-in devices of the
 * machine at /machine/NAME.
 */
#ifndef HW_QDEV_H
#define HW_QDEV_H

#include "hw/irq.h"
#include "qemu/option.h"
#include "qom/object.h"

#define TYPE_DEVICE "device"

typedef struct NamedGPIOList NamedGPIOList;

struct DeviceState {
    Object parent_obj;
    char *id;               /* -device id=, or NULL */
    bool realized;
    bool hotplugged;        /* created by device_add while running */
    /* the transport a device is plugged into (info qtree), or NULL */
    DeviceState *parent_bus_dev;
    QLIST_HEAD(, NamedGPIOList) gpios;
};

/**
 * struct DeviceClass
 * @realize: bring the device to life; may fail with @errp set.
 * @unrealize: undo @realize.
 * @reset: put the device in its power-on state (system reset).
 * @unplug_request_check: may the device be removed now (device_del)?
 *     false with @errp set (the reason, for the monitor) if not; NULL:
 *     always.
 * @print_dev: info qtree: append what the device decodes and the bus
 *     it offers (QEMU's bus_print_dev and child buses), at @indent.
 * @desc: one line for `-device help`.
 * @user_creatable: -device accepts this type.
 * @hotpluggable: device_add and device_del accept it while the machine
 *     runs (QEMU's default is true; ours is false, so that only devices
 *     whose bus can take them at run time say yes).
 */
typedef struct DeviceClass {
    ObjectClass parent_class;
    bool (*realize)(DeviceState *dev, Error **errp);
    void (*unrealize)(DeviceState *dev);
    void (*reset)(DeviceState *dev);
    bool (*unplug_request_check)(DeviceState *dev, Error **errp);
    void (*print_dev)(DeviceState *dev, GString *out, int indent);
    const char *desc;
    bool user_creatable;
    bool hotpluggable;
} DeviceClass;

#define DEVICE(obj) \
    ((DeviceState *)object_dynamic_cast_assert(OBJECT(obj), TYPE_DEVICE))
#define DEVICE_GET_CLASS(obj) ((DeviceClass *)object_get_class(obj))
#define DEVICE_CLASS(klass) ((DeviceClass *)(klass))

/** qdev_register_types: register TYPE_DEVICE (after TYPE_OBJECT). */
void qdev_register_types(void);

/** qdev_new: a new, unrealized device of @typename (caller's reference). */
DeviceState *qdev_new(const char *typename);
/**
 * qdev_realize: realize @dev.  On success the device is added to the reset
 * list.  Realizing twice is a caller bug.
 */
bool qdev_realize(DeviceState *dev, Error **errp);
/** qdev_reset_all: run every realized device's reset, in creation order. */
void qdev_reset_all(void);

/** qdev_get_machine: the "/machine" object. */
Object *qdev_get_machine(void);

/**
 * qdev_init_gpio_in_named: create @n input lines called @name (NULL for
 * the unnamed list), each calling @handler(dev, line, level).
 */
void qdev_init_gpio_in_named(DeviceState *dev, qemu_irq_handler handler,
                             const char *name, int n);
static inline void qdev_init_gpio_in(DeviceState *dev,
                                     qemu_irq_handler handler, int n)
{
    qdev_init_gpio_in_named(dev, handler, NULL, n);
}
/**
 * qdev_init_gpio_out_named: declare @n outputs stored in @pins (owned by
 * the device; initially NULL = unconnected).
 */
void qdev_init_gpio_out_named(DeviceState *dev, qemu_irq *pins,
                              const char *name, int n);
static inline void qdev_init_gpio_out(DeviceState *dev, qemu_irq *pins, int n)
{
    qdev_init_gpio_out_named(dev, pins, NULL, n);
}
/** qdev_get_gpio_in_named: input line @n, or NULL if it does not exist. */
qemu_irq qdev_get_gpio_in_named(DeviceState *dev, const char *name, int n);
static inline qemu_irq qdev_get_gpio_in(DeviceState *dev, int n)
{
    return qdev_get_gpio_in_named(dev, NULL, n);
}
/** qdev_connect_gpio_out_named: wire output @n to @irq. */
void qdev_connect_gpio_out_named(DeviceState *dev, const char *name, int n,
                                 qemu_irq irq);
static inline void qdev_connect_gpio_out(DeviceState *dev, int n, qemu_irq irq)
{
    qdev_connect_gpio_out_named(dev, NULL, n, irq);
}

/**
 * qdev_gpio_list: the GPIO list called @name (NULL: unnamed) of @dev, for
 * qtest interception.
 * @in, @num_in: the input lines; @out, @num_out: the output pin slots.
 * Returns: false if @dev has no such list.
 */
bool qdev_gpio_list(DeviceState *dev, const char *name, qemu_irq **in,
                    int *num_in, qemu_irq ***out, int *num_out);
/** qdev_has_named_gpio_in: true if @dev has any named input list. */
bool qdev_has_named_gpio_in(DeviceState *dev);

/**
 * qdev_device_add: create a device from a -device argument string
 * ("virtio-mem-device,id=vm0,memdev=mem0"), set its properties, add it to
 * the tree and realize it.
 * Returns: the device (borrowed: the tree holds it), or NULL.
 */
DeviceState *qdev_device_add(const char *optarg, Error **errp);
/**
 * qdev_device_add_opts: the same from options already split ("driver"
 * and "id" among them).  @hotplug: the machine is running (device_add):
 * the type must be hotpluggable, and the device is marked hotplugged.
 * Returns: the device (borrowed), or NULL.
 */
DeviceState *qdev_device_add_opts(QemuOpts *opts, bool hotplug,
                                  Error **errp);

/**
 * qdev_find_peripheral: the device @id names, as QEMU's device_del finds
 * it: a user-given id (/machine/peripheral/@id) or a QOM path.  Errors,
 * QEMU's words: DeviceNotFound "Device '@id' not found"; "@id is not a
 * hotpluggable device" for an object that is no device.
 * Returns: the device (borrowed), or NULL.
 */
DeviceState *qdev_find_peripheral(const char *id, Error **errp);
/**
 * qdev_unplug: remove @dev at once (there is no guest handshake on
 * virtio-mmio): check it may go (hotpluggable, its unplug_request_check),
 * unrealize it, drop it from the tree and emit DEVICE_DELETED with its id
 * and path.  On error nothing changes.
 */
bool qdev_unplug(DeviceState *dev, Error **errp);
/**
 * qdev_print_tree: QEMU's "info qtree" for the board's bus: each device,
 * its properties and the resources it decodes, appended to @out.
 */
void qdev_print_tree(GString *out);
/** qdev_print_dev: one device of "info qtree" and what hangs below it. */
void qdev_print_dev(DeviceState *dev, GString *out, int indent);
/** qdev_device_help: print the -device types, or the properties of one. */
void qdev_device_help(const char *type);

#endif /* HW_QDEV_H */
