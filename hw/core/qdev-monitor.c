/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qdev-monitor.c: devices at run time: finding a device by id or path,
 * removing it (device_del's work, with DEVICE_DELETED), and the device
 * tree as "info qtree" prints it.  Creation (device_add, -device) is
 * qdev_device_add_opts() in qdev.c; the QMP and HMP commands that call
 * these live in monitor/qdev-cmds.c.
 *
 * Removal is immediate: on virtio-mmio there is no guest handshake (no
 * eject request a guest could acknowledge), so device_del checks that
 * the device may go (its unplug_request_check: a virtio-mem device with
 * memory plugged or requested may not), unrealizes it, which frees its
 * transport, drops it from the tree and emits DEVICE_DELETED, all before
 * the command replies.  A guest driver must stop using the device before
 * (docs/system/virtio-mem.md says how a guest learns of both).
 *
 * Messages are QEMU's (softmmu/qdev-monitor.c, hw/core/qdev.c).
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"
#include "qapi/qapi-events.h"
#include "qemu/cutils.h"
#include "qemu/error.h"
#include "qemu/trace.h"

DeviceState *qdev_find_peripheral(const char *id, Error **errp)
{
    g_autofree char *path = id[0] == '/' ? g_strdup(id)
                            : g_strdup_printf("/machine/peripheral/%s", id);
    Object *obj = object_resolve_path(path, NULL);
    DeviceState *dev;

    if (!obj) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND, "Device '%s' not found",
                  id);
        return NULL;
    }
    dev = (DeviceState *)object_dynamic_cast(obj, TYPE_DEVICE);
    if (!dev) {
        error_setg(errp, "%s is not a hotpluggable device", id);
        return NULL;
    }
    return dev;
}

bool qdev_unplug(DeviceState *dev, Error **errp)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    g_autofree char *path = NULL;
    g_autofree char *id = NULL;

    if (!dc->hotpluggable) {
        /* QEMU's QERR_DEVICE_NO_HOTPLUG */
        error_setg(errp, "Device '%s' does not support hotplugging",
                   object_get_typename(OBJECT(dev)));
        return false;
    }
    if (dc->unplug_request_check && !dc->unplug_request_check(dev, errp)) {
        return false;
    }
    path = object_get_canonical_path(OBJECT(dev));
    id = g_strdup(dev->id);
    trace_event("qdev_unplug", "%s", path);
    /* unrealizes, which frees the transport; the tree's reference goes */
    object_unparent(OBJECT(dev));
    qapi_event_send_device_deleted(id, path);
    return true;
}

/* ------------------------------------------------------------ info qtree */

#define QTREE_INDENT 2

static void qtree_printf(GString *out, int indent, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void qtree_printf(GString *out, int indent, const char *fmt, ...)
{
    va_list ap;

    g_string_append_printf(out, "%*s", indent, "");
    va_start(ap, fmt);
    g_string_append_vprintf(out, fmt, ap);
    va_end(ap);
}

/* A property value as QEMU's human-readable string output visitor. */
static char *qtree_prop_value(const PropValue *v)
{
    switch (v->kind) {
    case PROP_KIND_BOOL:
        return g_strdup(v->b ? "true" : "false");
    case PROP_KIND_INT:
        return g_strdup_printf("%" PRId64 " (0x%" PRIx64 ")", v->i,
                               (uint64_t)v->i);
    case PROP_KIND_UINT:
        return g_strdup_printf("%" PRIu64 " (0x%" PRIx64 ")", v->u, v->u);
    case PROP_KIND_SIZE: {
        g_autofree char *human = size_to_str(v->u);

        return g_strdup_printf("%" PRIu64 " (%s)", v->u, human);
    }
    default:
        return v->s ? g_strdup_printf("\"%s\"", v->s) : g_strdup("<null>");
    }
}

static void qtree_print_props(DeviceState *dev, GString *out, int indent)
{
    Object *obj = OBJECT(dev);

    for (guint i = 0; i < obj->properties->len; i++) {
        ObjectProperty *prop = obj->properties->pdata[i];
        PropValue v = { .kind = prop->kind };
        g_autofree char *value = NULL;

        /* the device's own settings, as QEMU lists its qdev properties */
        if (!prop->get || prop->kind == PROP_KIND_CHILD ||
            !strcmp(prop->name, "realized") || !strcmp(prop->name, "type")) {
            continue;
        }
        if (!prop->get(obj, prop, &v, NULL)) {
            continue;
        }
        value = qtree_prop_value(&v);
        prop_value_clear(&v);
        qtree_printf(out, indent, "%s = %s\n", prop->name, value);
    }
}

void qdev_print_dev(DeviceState *dev, GString *out, int indent)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    qemu_irq *in, **pout;
    int num_in, num_out;

    qtree_printf(out, indent, "dev: %s, id \"%s\"\n",
                 object_get_typename(OBJECT(dev)), dev->id ? dev->id : "");
    indent += QTREE_INDENT;
    if (qdev_gpio_list(dev, NULL, &in, &num_in, &pout, &num_out)) {
        if (num_in) {
            qtree_printf(out, indent, "gpio-in \"\" %d\n", num_in);
        }
        if (num_out) {
            qtree_printf(out, indent, "gpio-out \"\" %d\n", num_out);
        }
    }
    qtree_print_props(dev, out, indent);
    if (dc->print_dev) {
        dc->print_dev(dev, out, indent);
    }
}

static int qtree_print_top(Object *child, void *opaque)
{
    DeviceState *dev = (DeviceState *)object_dynamic_cast(child, TYPE_DEVICE);
    GString *out = opaque;

    /* devices on a board's bus are printed by their transport */
    if (dev && dev->realized && !dev->parent_bus_dev) {
        qdev_print_dev(dev, out, QTREE_INDENT);
    }
    return 0;
}

void qdev_print_tree(GString *out)
{
    qtree_printf(out, 0, "bus: main-system-bus\n");
    qtree_printf(out, QTREE_INDENT, "type System\n");
    object_child_foreach_recursive(qdev_get_machine(), qtree_print_top, out);
}
