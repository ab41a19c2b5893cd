/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qdev-cmds.c: hot-plug from the monitors: QMP device_add, device_del,
 * object-add, object-del and their HMP twins, and HMP info qtree.
 *
 * This file only turns monitor input into option lists; the work is
 * done where -device and -object do it (qdev_device_add_opts(),
 * user_creatable_add_opts()) and in hw/core/qdev-monitor.c (removal,
 * DEVICE_DELETED, the tree).  QMP device_add has no fixed argument list
 * (QEMU's schema says 'gen': false: every property of the driver is an
 * argument), so it is registered untyped and checks its arguments here;
 * object-add is typed (the ObjectOptions union), and its C struct is
 * turned back into property strings through the generated visitor.
 * Numbers and booleans become their text ("on"/"off" for booleans), as
 * QEMU's qemu_opts_from_qdict() makes them, and go through the same
 * property parsers as the command line.
 *
 * Hot-plug and dumps: a dump (ram_discard_freeze) holds the plug state of
 * the devices it walks, not the set of devices.  A device added during a
 * dump starts with nothing plugged and its plug requests are answered
 * BUSY until the dump ends; device_del is refused for a device with
 * memory plugged, so nothing a dump reads can go away under it (see
 * docs/system/virtio-mem.md, "Hot-plug").
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"
#include "monitor/monitor.h"
#include "qapi/qapi-commands.h"
#include "qapi/qapi-visit.h"
#include "qapi/qmp-registry.h"
#include "qemu/error.h"
#include "qom/object_interfaces.h"

/*
 * A scalar QMP argument as the text -device would carry; NULL with
 * QEMU's type error for objects, arrays and null.
 */
static char *qdev_arg_to_str(const char *name, JsonNode *n, Error **errp)
{
    GType t = JSON_NODE_HOLDS_VALUE(n) ? json_node_get_value_type(n)
                                       : G_TYPE_INVALID;

    if (t == G_TYPE_STRING) {
        return g_strdup(json_node_get_string(n));
    } else if (t == G_TYPE_INT64) {
        return g_strdup_printf("%" PRId64, json_node_get_int(n));
    } else if (t == G_TYPE_BOOLEAN) {
        return g_strdup(json_node_get_boolean(n) ? "on" : "off");
    } else if (t == G_TYPE_DOUBLE) {
        return g_strdup_printf("%.17g", json_node_get_double(n));
    }
    error_setg(errp, "Invalid parameter type for '%s', expected: string",
               name);
    return NULL;
}

/* @args as options, "driver"/"qom-type" first as their parsers expect. */
static QemuOpts *qdev_args_to_opts(JsonObject *args, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_new();
    g_autoptr(GList) members = json_object_get_members(args);

    for (GList *l = members; l; l = l->next) {
        const char *name = l->data;
        g_autofree char *value =
            qdev_arg_to_str(name, json_object_get_member(args, name), errp);

        if (!value) {
            return NULL;
        }
        qemu_opt_set(opts, name, value);
    }
    return g_steal_pointer(&opts);
}

static bool qdev_check_str_arg(JsonObject *args, const char *name,
                               bool optional, Error **errp)
{
    JsonNode *n = json_object_get_member(args, name);

    if (!n) {
        if (!optional) {
            error_setg(errp, "Parameter '%s' is missing", name);
        }
        return optional;
    }
    if (!JSON_NODE_HOLDS_VALUE(n) ||
        json_node_get_value_type(n) != G_TYPE_STRING) {
        error_setg(errp, "Invalid parameter type for '%s', expected: string",
                   name);
        return false;
    }
    return true;
}

/* The board chooses the transport; a bus cannot be named. */
static bool qdev_check_bus(const char *bus, Error **errp)
{
    if (bus) {
        error_setg(errp, "Bus '%s' not found", bus);
        error_append_hint(errp, "sparsevm plugs a device into the first "
                          "free virtio-mmio transport; leave out 'bus'\n");
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ QMP */

static bool qmp_device_add(JsonObject *args, JsonNode **ret, Error **errp)
{
    g_autoptr(QemuOpts) opts = NULL;

    if (!qdev_check_str_arg(args, "driver", false, errp) ||
        !qdev_check_str_arg(args, "bus", true, errp) ||
        !qdev_check_str_arg(args, "id", true, errp) ||
        !qdev_check_bus(qmp_arg_get_str(args, "bus", NULL), errp)) {
        return false;
    }
    opts = qdev_args_to_opts(args, errp);
    return opts && qdev_device_add_opts(opts, true, errp);
}

static void qmp_device_del(const char *id, Error **errp)
{
    DeviceState *dev = qdev_find_peripheral(id, errp);

    if (dev) {
        qdev_unplug(dev, errp);
    }
}

static void qmp_object_add(ObjectOptions *options, Error **errp)
{
    g_autoptr(JsonNode) node = qapi_out_ObjectOptions(options);
    g_autoptr(QemuOpts) opts = qdev_args_to_opts(json_node_get_object(node),
                                                 errp);

    if (opts) {
        user_creatable_add_opts(opts, errp);
    }
}

static void qmp_object_del(const char *id, Error **errp)
{
    user_creatable_del(id, errp);
}

/* ------------------------------------------------------------------ HMP */

/* The rest of the line, as HMP's "O" and "s" argument types take it. */
static bool hmp_one_arg(int argc, char **argv, const char *what,
                        Error **errp)
{
    if (!argc) {
        error_setg(errp, "Parameter '%s' is missing", what);
        return false;
    }
    if (argc > 1) {
        error_setg(errp, "%s: extraneous characters at the end of line",
                   what);
        return false;
    }
    return true;
}

static bool hmp_device_add(int argc, char **argv, GString *out,
                           Error **errp)
{
    g_autoptr(QemuOpts) opts = NULL;

    if (!hmp_one_arg(argc, argv, "device", errp)) {
        return false;
    }
    opts = qemu_opts_parse(argv[0], "driver", false, errp);
    if (!opts || !qdev_check_bus(qemu_opt_get(opts, "bus"), errp)) {
        return false;
    }
    return qdev_device_add_opts(opts, true, errp);
}

static bool hmp_device_del(int argc, char **argv, GString *out,
                           Error **errp)
{
    DeviceState *dev;

    if (!hmp_one_arg(argc, argv, "device", errp)) {
        return false;
    }
    dev = qdev_find_peripheral(argv[0], errp);
    return dev && qdev_unplug(dev, errp);
}

static bool hmp_object_add(int argc, char **argv, GString *out,
                           Error **errp)
{
    return hmp_one_arg(argc, argv, "object", errp) &&
           user_creatable_add_str(argv[0], errp);
}

static bool hmp_object_del(int argc, char **argv, GString *out,
                           Error **errp)
{
    return hmp_one_arg(argc, argv, "id", errp) &&
           user_creatable_del(argv[0], errp);
}

static bool hmp_info_qtree(int argc, char **argv, GString *out,
                           Error **errp)
{
    qdev_print_tree(out);
    return true;
}

void monitor_register_qdev_commands(void)
{
    static const QmpArgSpec device_add_args[] = {
        { "driver", QMP_ARG_STR },
        { "bus", QMP_ARG_STR, true },
        { "id", QMP_ARG_STR, true },
        { NULL }
    };

    /* QMP_CMD_TYPED: the handler checks (and accepts further) arguments */
    qmp_register_command("device_add", qmp_device_add, device_add_args,
                         QMP_CMD_TYPED);
    qmp_register_device_del(qmp_device_del);
    qmp_register_object_add(qmp_object_add);
    qmp_register_object_del(qmp_object_del);

    /* QEMU's hmp-commands.hx: names, parameters, help */
    hmp_register_command("device_add", "driver[,prop=value][,...]",
                         "add device, like -device on the command line",
                         hmp_device_add);
    hmp_register_command("device_del", "device", "remove device",
                         hmp_device_del);
    hmp_register_command("object_add",
                         "[qom-type=]type,id=str[,prop=value][,...]",
                         "create QOM object", hmp_object_add);
    hmp_register_command("object_del", "id", "destroy QOM object",
                         hmp_object_del);
    hmp_register_command("info qtree", "", "show device tree",
                         hmp_info_qtree);
}
