/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qdev.c: the device base type: realize, reset, GPIO lines, and creation
 * from -device strings (see include/hw/qdev.h).
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"
#include "qemu/error.h"
#include "qemu/option.h"
#include "qom/object_interfaces.h"

struct NamedGPIOList {
    char *name;
    qemu_irq *in;
    int num_in;
    qemu_irq *out;
    int num_out;
    QLIST_ENTRY(NamedGPIOList) node;
};

/* Realized devices in creation order: the order reset runs in. */
static GPtrArray *realized_devices;
static unsigned anon_count;

static void device_instance_init(Object *obj)
{
    DeviceState *dev = DEVICE(obj);

    QLIST_INIT(&dev->gpios);
}

static void device_instance_finalize(Object *obj)
{
    DeviceState *dev = DEVICE(obj);
    NamedGPIOList *ngl, *next;

    QLIST_FOREACH_SAFE(ngl, &dev->gpios, node, next) {
        QLIST_REMOVE(ngl, node);
        for (int i = 0; i < ngl->num_in; i++) {
            qemu_free_irq(ngl->in[i]);
        }
        g_free(ngl->in);
        g_free(ngl->name);
        g_free(ngl);
    }
    g_free(dev->id);
}

static void device_unparent(Object *obj)
{
    DeviceState *dev = DEVICE(obj);
    DeviceClass *dc = DEVICE_GET_CLASS(dev);

    if (dev->realized) {
        if (dc->unrealize) {
            dc->unrealize(dev);
        }
        dev->realized = false;
        if (realized_devices) {
            g_ptr_array_remove(realized_devices, dev);
        }
    }
}

static bool device_settable_check(Object *obj, const char *name, Error **errp)
{
    DeviceState *dev = (DeviceState *)object_dynamic_cast(obj, TYPE_DEVICE);

    if (!dev || !dev->realized) {
        return true;
    }
    if (dev->id) {
        error_setg(errp, "Attempt to set property '%s' on device '%s' "
                   "(type '%s') after it was realized", name, dev->id,
                   object_get_typename(obj));
    } else {
        error_setg(errp, "Attempt to set property '%s' on anonymous device "
                   "(type '%s') after it was realized", name,
                   object_get_typename(obj));
    }
    return false;
}

static bool device_get_realized(Object *obj, ObjectProperty *prop,
                                PropValue *v, Error **errp)
{
    v->b = DEVICE(obj)->realized;
    return true;
}

static void device_add_base_props(Object *obj)
{
    object_property_add(obj, "realized", "bool", PROP_KIND_BOOL,
                        device_get_realized, NULL, NULL, NULL);
}

static void device_class_init(ObjectClass *klass)
{
    klass->unparent = device_unparent;
}

void qdev_register_types(void)
{
    static const TypeInfo device_info = {
        .name = TYPE_DEVICE,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(DeviceState),
        .class_size = sizeof(DeviceClass),
        .class_init = device_class_init,
        .instance_init = device_instance_init,
        .instance_finalize = device_instance_finalize,
        .abstract = true,
    };

    type_register_static(&device_info);
    object_add_field_settable_check(device_settable_check);
}

DeviceState *qdev_new(const char *typename)
{
    DeviceState *dev = DEVICE(object_new(typename));

    device_add_base_props(OBJECT(dev));
    return dev;
}

bool qdev_realize(DeviceState *dev, Error **errp)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);

    assert(!dev->realized);
    if (dc->realize && !dc->realize(dev, errp)) {
        return false;
    }
    dev->realized = true;
    if (!realized_devices) {
        realized_devices = g_ptr_array_new();
    }
    g_ptr_array_add(realized_devices, dev);
    return true;
}

void qdev_reset_all(void)
{
    for (guint i = 0; realized_devices && i < realized_devices->len; i++) {
        DeviceState *dev = realized_devices->pdata[i];
        DeviceClass *dc = DEVICE_GET_CLASS(dev);

        if (dc->reset) {
            dc->reset(dev);
        }
    }
}

Object *qdev_get_machine(void)
{
    return object_get_container("machine");
}

/* ------------------------------------------------------------------ gpio */

static NamedGPIOList *gpio_list_get(DeviceState *dev, const char *name,
                                    bool create)
{
    NamedGPIOList *ngl;

    QLIST_FOREACH(ngl, &dev->gpios, node) {
        if (g_strcmp0(ngl->name, name) == 0) {
            return ngl;
        }
    }
    if (!create) {
        return NULL;
    }
    ngl = g_new0(NamedGPIOList, 1);
    ngl->name = g_strdup(name);
    QLIST_INSERT_HEAD(&dev->gpios, ngl, node);
    return ngl;
}

void qdev_init_gpio_in_named(DeviceState *dev, qemu_irq_handler handler,
                             const char *name, int n)
{
    NamedGPIOList *ngl = gpio_list_get(dev, name, true);

    ngl->in = g_renew(qemu_irq, ngl->in, ngl->num_in + n);
    for (int i = 0; i < n; i++) {
        ngl->in[ngl->num_in + i] = qemu_allocate_irq(handler, dev,
                                                     ngl->num_in + i);
    }
    ngl->num_in += n;
}

void qdev_init_gpio_out_named(DeviceState *dev, qemu_irq *pins,
                              const char *name, int n)
{
    NamedGPIOList *ngl = gpio_list_get(dev, name, true);

    assert(!ngl->out);
    ngl->out = pins;
    ngl->num_out = n;
}

qemu_irq qdev_get_gpio_in_named(DeviceState *dev, const char *name, int n)
{
    NamedGPIOList *ngl = gpio_list_get(dev, name, false);

    return ngl && n >= 0 && n < ngl->num_in ? ngl->in[n] : NULL;
}

void qdev_connect_gpio_out_named(DeviceState *dev, const char *name, int n,
                                 qemu_irq irq)
{
    NamedGPIOList *ngl = gpio_list_get(dev, name, false);

    assert(ngl && n >= 0 && n < ngl->num_out);
    ngl->out[n] = irq;
}

bool qdev_gpio_list(DeviceState *dev, const char *name, qemu_irq **in,
                    int *num_in, qemu_irq ***out, int *num_out)
{
    NamedGPIOList *ngl = gpio_list_get(dev, name, false);

    if (!ngl) {
        return false;
    }
    *in = ngl->in;
    *num_in = ngl->num_in;
    *out = ngl->out ? &ngl->out : NULL;
    *num_out = ngl->num_out;
    return true;
}

bool qdev_has_named_gpio_in(DeviceState *dev)
{
    NamedGPIOList *ngl;

    QLIST_FOREACH(ngl, &dev->gpios, node) {
        if (ngl->name && ngl->num_in) {
            return true;
        }
    }
    return false;
}

/* ------------------------------------------------------------- -device */

DeviceState *qdev_device_add(const char *optarg, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_parse(optarg, "driver", false, errp);

    return opts ? qdev_device_add_opts(opts, false, errp) : NULL;
}

DeviceState *qdev_device_add_opts(QemuOpts *opts, bool hotplug,
                                  Error **errp)
{
    const char *driver, *id;
    ObjectClass *klass;
    DeviceState *dev;
    Object *parent;
    g_autofree char *child = NULL;

    driver = qemu_opt_get(opts, "driver");
    if (!driver) {
        error_setg(errp, "Parameter 'driver' is missing");
        return NULL;
    }
    klass = object_class_by_name(driver);
    if (!klass || !object_class_dynamic_cast(klass, TYPE_DEVICE)) {
        error_setg(errp, "'%s' is not a valid device model name", driver);
        return NULL;
    }
    if (object_class_is_abstract(klass)) {
        error_setg(errp, "Parameter 'driver' expects a non-abstract device "
                   "type");
        return NULL;
    }
    if (!DEVICE_CLASS(klass)->user_creatable) {
        error_setg(errp, "Parameter 'driver' expects a pluggable device type");
        return NULL;
    }
    if (hotplug && !DEVICE_CLASS(klass)->hotpluggable) {
        /* QEMU's QERR_DEVICE_NO_HOTPLUG */
        error_setg(errp, "Device '%s' does not support hotplugging", driver);
        return NULL;
    }
    id = qemu_opt_get(opts, "id");
    if (id) {
        if (!id_wellformed(id)) {
            error_setg(errp, "Parameter 'id' expects an identifier");
            error_append_hint(errp, "Identifiers consist of letters, digits, "
                              "'-', '.', '_', starting with a letter.");
            return NULL;
        }
        parent = container_get(qdev_get_machine(), "peripheral");
        if (object_property_find(parent, id)) {
            error_setg(errp, "Duplicate ID '%s' for device", id);
            return NULL;
        }
        child = g_strdup(id);
    } else {
        parent = container_get(qdev_get_machine(), "peripheral-anon");
        child = g_strdup_printf("device[%u]", anon_count++);
    }

    dev = qdev_new(driver);
    dev->id = g_strdup(id);
    dev->hotplugged = hotplug;
    for (guint i = 0; i < opts->opts->len; i++) {
        QemuOpt *opt = opts->opts->pdata[i];

        if (!strcmp(opt->name, "driver") || !strcmp(opt->name, "id")) {
            continue;
        }
        if (!object_property_parse(OBJECT(dev), opt->name, opt->value,
                                   errp)) {
            object_unref(OBJECT(dev));
            return NULL;
        }
    }
    object_property_add_child(parent, child, OBJECT(dev));
    object_unref(OBJECT(dev));
    if (!qdev_realize(dev, errp)) {
        object_unparent(OBJECT(dev));
        return NULL;
    }
    return dev;
}

void qdev_device_help(const char *type)
{
    GSList *list, *l;

    if (!type) {
        list = object_class_get_list(TYPE_DEVICE, false);
        printf("Devices:\n");
        for (l = list; l; l = l->next) {
            DeviceClass *dc = l->data;

            if (dc->user_creatable) {
                printf("name \"%s\"", object_class_get_name(l->data));
                if (dc->desc) {
                    printf(", desc \"%s\"", dc->desc);
                }
                printf("\n");
            }
        }
        g_slist_free(list);
        return;
    }
    {
        ObjectClass *klass = object_class_by_name(type);
        DeviceState *dev;
        Object *obj;

        if (!klass || !object_class_dynamic_cast(klass, TYPE_DEVICE) ||
            object_class_is_abstract(klass)) {
            printf("'%s' is not a valid device model name\n", type);
            return;
        }
        dev = qdev_new(type);
        obj = OBJECT(dev);
        object_print_settable_properties(obj, type);
        object_unref(obj);
    }
}
