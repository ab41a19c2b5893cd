/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qom-cmds.c: qom-list, qom-get and qom-set: the object tree over QMP.
 *
 * The object model (qom/object.c) resolves paths, finds properties,
 * converts between integer kinds and checks ranges; this file only turns
 * JSON into PropValue and back and reports what QEMU's
 * qom/qom-qmp-cmds.c reports: DeviceNotFound "Device '%s' not found" for
 * a path that resolves to nothing (qom-get and qom-set say so for an
 * ambiguous partial path too; qom-list says "Path '%s' is ambiguous").
 *
 * JSON <-> PropValue: booleans are BOOL; integers are INT, or UINT for
 * unsigned and size properties (json-glib carries 64-bit patterns, so a
 * negative number wraps as QEMU's visitor wraps it); strings are STR and
 * serve string, enum and link properties.  Other JSON types, and any
 * mismatch, get "Invalid parameter type for 'NAME', expected: TYPE".
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qapi/qmp-registry.h"
#include "qom/object.h"
#include "monitor/monitor-internal.h"

static Object *qom_resolve(const char *path, bool report_ambiguous,
                           Error **errp)
{
    bool ambiguous = false;
    Object *obj = object_resolve_path(path, &ambiguous);

    if (!obj) {
        if (ambiguous && report_ambiguous) {
            error_setg(errp, "Path '%s' is ambiguous", path);
        } else {
            error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                      "Device '%s' not found", path);
        }
    }
    return obj;
}

static const QmpArgSpec qom_list_args[] = {
    { "path", QMP_ARG_STR },
    { NULL }
};

static bool qmp_qom_list(JsonObject *args, JsonNode **ret, Error **errp)
{
    Object *obj = qom_resolve(qmp_arg_get_str(args, "path", ""), true, errp);
    JsonArray *list;

    if (!obj) {
        return false;
    }
    list = json_array_new();
    for (guint i = 0; i < obj->properties->len; i++) {
        ObjectProperty *prop = obj->properties->pdata[i];
        JsonObject *info = json_object_new();

        json_object_set_string_member(info, "name", prop->name);
        json_object_set_string_member(info, "type", prop->type);
        if (prop->description) {
            json_object_set_string_member(info, "description",
                                          prop->description);
        }
        json_array_add_object_element(list, info);
    }
    *ret = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(*ret, list);
    return true;
}

static const QmpArgSpec qom_get_args[] = {
    { "path", QMP_ARG_STR },
    { "property", QMP_ARG_STR },
    { NULL }
};

static JsonNode *qom_value_to_json(const PropValue *v)
{
    JsonNode *n = json_node_new(JSON_NODE_VALUE);

    switch (v->kind) {
    case PROP_KIND_BOOL:
        json_node_set_boolean(n, v->b);
        break;
    case PROP_KIND_INT:
        json_node_set_int(n, v->i);
        break;
    case PROP_KIND_UINT:
    case PROP_KIND_SIZE:
        /* above INT64_MAX this prints negative: json-glib is int64 only */
        json_node_set_int(n, (int64_t)v->u);
        break;
    default:
        json_node_set_string(n, v->s ? v->s : "");
        break;
    }
    return n;
}

static bool qmp_qom_get(JsonObject *args, JsonNode **ret, Error **errp)
{
    Object *obj = qom_resolve(qmp_arg_get_str(args, "path", ""), false,
                              errp);
    PropValue v;

    if (!obj ||
        !object_property_get(obj, qmp_arg_get_str(args, "property", ""), &v,
                             errp)) {
        return false;
    }
    *ret = qom_value_to_json(&v);
    prop_value_clear(&v);
    return true;
}

static const QmpArgSpec qom_set_args[] = {
    { "path", QMP_ARG_STR },
    { "property", QMP_ARG_STR },
    { "value", QMP_ARG_ANY },
    { NULL }
};

/* @value as a PropValue for @prop; false with QEMU's type error. */
static bool qom_value_from_json(ObjectProperty *prop, JsonNode *value,
                                PropValue *v, Error **errp)
{
    GType t = JSON_NODE_TYPE(value) == JSON_NODE_VALUE
              ? json_node_get_value_type(value) : G_TYPE_INVALID;

    memset(v, 0, sizeof(*v));
    if (t == G_TYPE_BOOLEAN) {
        v->kind = PROP_KIND_BOOL;
        v->b = json_node_get_boolean(value);
    } else if (t == G_TYPE_INT64 && (prop->kind == PROP_KIND_UINT ||
                                     prop->kind == PROP_KIND_SIZE)) {
        v->kind = PROP_KIND_UINT;
        v->u = (uint64_t)json_node_get_int(value);
    } else if (t == G_TYPE_INT64) {
        v->kind = PROP_KIND_INT;
        v->i = json_node_get_int(value);
    } else if (t == G_TYPE_STRING) {
        v->kind = PROP_KIND_STR;
        v->s = g_strdup(json_node_get_string(value));
    } else {
        error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                   prop->name, prop_kind_expected(prop->kind));
        return false;
    }
    return true;
}

static bool qmp_qom_set(JsonObject *args, JsonNode **ret, Error **errp)
{
    Object *obj = qom_resolve(qmp_arg_get_str(args, "path", ""), false,
                              errp);
    const char *name = qmp_arg_get_str(args, "property", "");
    ObjectProperty *prop;
    PropValue v;
    bool ok;

    if (!obj) {
        return false;
    }
    prop = object_property_find(obj, name);
    if (!prop) {
        /* object_property_set's own message, before looking at the value */
        error_setg(errp, "Property '%s.%s' not found",
                   object_get_typename(obj), name);
        return false;
    }
    if (!qom_value_from_json(prop, json_object_get_member(args, "value"), &v,
                             errp)) {
        return false;
    }
    ok = object_property_set(obj, name, &v, errp);
    prop_value_clear(&v);
    return ok;
}

void monitor_register_qom_commands(void)
{
    qmp_register_command("qom-list", qmp_qom_list, qom_list_args,
                         QMP_CMD_ALLOW_PRECONFIG);
    qmp_register_command("qom-get", qmp_qom_get, qom_get_args,
                         QMP_CMD_ALLOW_PRECONFIG);
    qmp_register_command("qom-set", qmp_qom_set, qom_set_args,
                         QMP_CMD_ALLOW_PRECONFIG);
}
