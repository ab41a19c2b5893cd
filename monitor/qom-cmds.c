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
#include "qapi/qapi-commands.h"
#include "hw/qdev.h"
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

static ObjectPropertyInfoList *qmp_qom_list(const char *path, Error **errp)
{
    Object *obj = qom_resolve(path, true, errp);
    ObjectPropertyInfoList *head = NULL, **tail = &head;

    if (!obj) {
        return NULL;
    }
    for (guint i = 0; i < obj->properties->len; i++) {
        ObjectProperty *prop = obj->properties->pdata[i];
        ObjectPropertyInfoList *elem = g_new0(ObjectPropertyInfoList, 1);

        elem->value = g_new0(ObjectPropertyInfo, 1);
        elem->value->name = g_strdup(prop->name);
        elem->value->type = g_strdup(prop->type);
        elem->value->description = g_strdup(prop->description);
        *tail = elem;
        tail = &elem->next;
    }
    return head;
}

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

static JsonNode *qmp_qom_get(const char *path, const char *property,
                             Error **errp)
{
    Object *obj = qom_resolve(path, false, errp);
    JsonNode *ret;
    PropValue v;

    if (!obj || !object_property_get(obj, property, &v, errp)) {
        return NULL;
    }
    ret = qom_value_to_json(&v);
    prop_value_clear(&v);
    return ret;
}

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

static void qmp_qom_set(const char *path, const char *property,
                        JsonNode *value, Error **errp)
{
    Object *obj = qom_resolve(path, false, errp);
    ObjectProperty *prop;
    PropValue v;

    if (!obj) {
        return;
    }
    prop = object_property_find(obj, property);
    if (!prop) {
        /* object_property_set's own message, before looking at the value */
        error_setg(errp, "Property '%s.%s' not found",
                   object_get_typename(obj), property);
        return;
    }
    if (!qom_value_from_json(prop, value, &v, errp)) {
        return;
    }
    object_property_set(obj, property, &v, errp);
    prop_value_clear(&v);
}

/* ------------------------------------------------------------------ HMP */

/* qom-get PATH PROPERTY: the value as JSON, as QEMU's hmp_qom_get(). */
static bool hmp_qom_get(int argc, char **argv, GString *out, Error **errp)
{
    g_autoptr(JsonNode) node = NULL;
    g_autofree char *text = NULL;

    if (argc != 2) {
        error_setg(errp, "Parameter '%s' is missing",
                   argc ? "property" : "path");
        return false;
    }
    node = qmp_qom_get(argv[0], argv[1], errp);
    if (!node) {
        return false;
    }
    text = json_to_string(node, TRUE);
    g_string_append_printf(out, "%s\n", text);
    return true;
}

/*
 * qom-set [-j] PATH PROPERTY VALUE: VALUE as the command line would give
 * it, or as JSON with -j (QEMU's hmp_qom_set()).
 */
static bool hmp_qom_set(int argc, char **argv, GString *out, Error **errp)
{
    bool json = argc && !strcmp(argv[0], "-j");
    Error *err = NULL;
    Object *obj;

    if (json) {
        argc--;
        argv++;
    }
    if (argc != 3) {
        error_setg(errp, "Parameter '%s' is missing",
                   argc == 0 ? "path" : argc == 1 ? "property" : "value");
        return false;
    }
    if (json) {
        g_autoptr(JsonNode) value = json_from_string(argv[2], NULL);

        if (!value) {
            error_setg(errp, "JSON parse error, invalid value '%s'",
                       argv[2]);
            return false;
        }
        qmp_qom_set(argv[0], argv[1], value, &err);
        if (err) {
            error_propagate(errp, err);
            return false;
        }
        return true;
    }
    obj = object_resolve_path(argv[0], NULL);
    if (!obj) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND, "Device '%s' not found",
                  argv[0]);
        return false;
    }
    return object_property_parse(obj, argv[1], argv[2], errp);
}

/* ------------------------------------------------------- type queries */

static ObjectTypeInfoList *qmp_qom_list_types(const char *implements,
                                              bool has_abstract,
                                              bool abstract, Error **errp)
{
    GSList *list = object_class_get_list(implements,
                                         has_abstract && abstract);
    ObjectTypeInfoList *head = NULL, **tail = &head;

    for (GSList *l = list; l; l = l->next) {
        ObjectClass *klass = l->data;
        ObjectClass *parent = object_class_get_parent(klass);
        ObjectTypeInfoList *elem = g_new0(ObjectTypeInfoList, 1);

        elem->value = g_new0(ObjectTypeInfo, 1);
        elem->value->name = g_strdup(object_class_get_name(klass));
        /* as QEMU: "abstract" only when true */
        elem->value->abstract = object_class_is_abstract(klass);
        elem->value->has_abstract = elem->value->abstract;
        if (parent) {
            elem->value->parent = g_strdup(object_class_get_name(parent));
        }
        *tail = elem;
        tail = &elem->next;
    }
    g_slist_free(list);
    return head;
}

/* The properties of a fresh @typename (a device: not its internals). */
static ObjectPropertyInfoList *qom_type_properties(const char *typename,
                                                   bool device)
{
    Object *obj = object_new(typename);
    ObjectPropertyInfoList *head = NULL, **tail = &head;
    static const char *const device_internal[] = {
        "type", "realized", "hotpluggable", "hotplugged", "parent_bus", NULL
    };

    for (guint i = 0; i < obj->properties->len; i++) {
        ObjectProperty *prop = obj->properties->pdata[i];
        ObjectPropertyInfoList *elem;

        /* QEMU's device-list-properties leaves out the qdev internals */
        if (device && (g_strv_contains(device_internal, prop->name) ||
                       g_str_has_prefix(prop->type, "child<"))) {
            continue;
        }
        elem = g_new0(ObjectPropertyInfoList, 1);
        elem->value = g_new0(ObjectPropertyInfo, 1);
        elem->value->name = g_strdup(prop->name);
        elem->value->type = g_strdup(prop->type);
        elem->value->description = g_strdup(prop->description);
        *tail = elem;
        tail = &elem->next;
    }
    object_unref(obj);
    return head;
}

static ObjectPropertyInfoList *qmp_qom_list_properties(const char *typename,
                                                       Error **errp)
{
    ObjectClass *klass = object_class_by_name(typename);

    if (!klass) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND, "Class '%s' not found",
                  typename);
        return NULL;
    }
    if (object_class_is_abstract(klass)) {
        /* properties are added per instance here: none to show */
        return NULL;
    }
    return qom_type_properties(typename, false);
}

static ObjectPropertyInfoList *
qmp_device_list_properties(const char *typename, Error **errp)
{
    ObjectClass *klass = object_class_by_name(typename);

    if (!klass) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Device '%s' not found", typename);
        return NULL;
    }
    if (!object_class_dynamic_cast(klass, TYPE_DEVICE)) {
        error_setg(errp, "Parameter 'typename' expects %s", TYPE_DEVICE);
        return NULL;
    }
    if (object_class_is_abstract(klass)) {
        error_setg(errp, "Parameter 'typename' expects non-abstract device "
                   "type");
        return NULL;
    }
    return qom_type_properties(typename, true);
}

void monitor_register_qom_commands(void)
{
    qmp_register_qom_list_types(qmp_qom_list_types);
    qmp_register_qom_list_properties(qmp_qom_list_properties);
    qmp_register_device_list_properties(qmp_device_list_properties);
    qmp_register_qom_list(qmp_qom_list);
    qmp_register_qom_get(qmp_qom_get);
    qmp_register_qom_set(qmp_qom_set);
    hmp_register_command("qom-get", "path property", "print QOM property",
                         hmp_qom_get);
    hmp_register_command("qom-set", "[-j] path property value",
                         "set QOM property (-j: the value is JSON)",
                         hmp_qom_set);
}
