/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qapi-json.c: the scalar conversions and checks the generated visitors
 * use (include/qapi/qapi-json.h).  The checks, their order and their
 * texts are those of QEMU's qapi/qobject-input-visitor.c (8.2).
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qapi/qapi-json.h"

static const char *qapi_path(const char *path)
{
    return path ? path : "null";
}

static bool qapi_value_is(JsonNode *n, GType type)
{
    return JSON_NODE_TYPE(n) == JSON_NODE_VALUE &&
           json_node_get_value_type(n) == type;
}

static bool qapi_type_error(const char *path, const char *expected,
                            Error **errp)
{
    error_setg(errp, "Invalid parameter type for '%s', expected: %s",
               qapi_path(path), expected);
    return false;
}

/* ------------------------------------------------------------- output */

JsonNode *qapi_out_str(const char *s)
{
    JsonNode *n = json_node_new(JSON_NODE_VALUE);

    json_node_set_string(n, s ? s : "");
    return n;
}

JsonNode *qapi_out_int(int64_t v)
{
    JsonNode *n = json_node_new(JSON_NODE_VALUE);

    json_node_set_int(n, v);
    return n;
}

JsonNode *qapi_out_uint(uint64_t v)
{
    return qapi_out_int((int64_t)v);
}

JsonNode *qapi_out_bool(bool v)
{
    JsonNode *n = json_node_new(JSON_NODE_VALUE);

    json_node_set_boolean(n, v);
    return n;
}

JsonNode *qapi_out_number(double v)
{
    JsonNode *n = json_node_new(JSON_NODE_VALUE);

    json_node_set_double(n, v);
    return n;
}

JsonNode *qapi_out_any(const JsonNode *v)
{
    return v ? json_node_copy((JsonNode *)v) : json_node_new(JSON_NODE_NULL);
}

JsonNode *qapi_node_take_object(JsonObject *o)
{
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);

    json_node_take_object(n, o);
    return n;
}

JsonNode *qapi_node_take_array(JsonArray *a)
{
    JsonNode *n = json_node_new(JSON_NODE_ARRAY);

    json_node_take_array(n, a);
    return n;
}

/* -------------------------------------------------------------- input */

bool qapi_in_str(JsonNode *node, const char *path, char **out, Error **errp)
{
    if (!qapi_value_is(node, G_TYPE_STRING)) {
        return qapi_type_error(path, "string", errp);
    }
    *out = g_strdup(json_node_get_string(node));
    return true;
}

bool qapi_in_int(JsonNode *node, const char *path, int64_t *out,
                 Error **errp)
{
    if (!qapi_value_is(node, G_TYPE_INT64)) {
        return qapi_type_error(path, "integer", errp);
    }
    *out = json_node_get_int(node);
    return true;
}

bool qapi_in_uint(JsonNode *node, const char *path, uint64_t *out,
                  Error **errp)
{
    if (!qapi_value_is(node, G_TYPE_INT64)) {
        /* QEMU words this refusal differently from the other types */
        error_setg(errp, "Parameter '%s' expects uint64", qapi_path(path));
        return false;
    }
    *out = (uint64_t)json_node_get_int(node);
    return true;
}

bool qapi_in_bool(JsonNode *node, const char *path, bool *out, Error **errp)
{
    if (!qapi_value_is(node, G_TYPE_BOOLEAN)) {
        return qapi_type_error(path, "boolean", errp);
    }
    *out = json_node_get_boolean(node);
    return true;
}

bool qapi_in_number(JsonNode *node, const char *path, double *out,
                    Error **errp)
{
    if (qapi_value_is(node, G_TYPE_INT64)) {
        *out = json_node_get_int(node);
        return true;
    }
    if (!qapi_value_is(node, G_TYPE_DOUBLE)) {
        return qapi_type_error(path, "number", errp);
    }
    *out = json_node_get_double(node);
    return true;
}

bool qapi_in_any(JsonNode *node, const char *path, JsonNode **out,
                 Error **errp)
{
    *out = json_node_copy(node);
    return true;
}

/* A number of the right JSON type outside the C type's range. */
static bool qapi_range_error(const char *name, const char *type, Error **errp)
{
    error_setg(errp, "Parameter '%s' expects %s", name ? name : "null", type);
    return false;
}

bool qapi_in_int_range(JsonNode *node, const char *path, const char *name,
                       int64_t min, int64_t max, const char *type,
                       int64_t *out, Error **errp)
{
    if (!qapi_in_int(node, path, out, errp)) {
        return false;
    }
    if (*out < min || *out > max) {
        return qapi_range_error(name, type, errp);
    }
    return true;
}

bool qapi_in_uint_range(JsonNode *node, const char *path, const char *name,
                        uint64_t min, uint64_t max, const char *type,
                        uint64_t *out, Error **errp)
{
    if (!qapi_in_uint(node, path, out, errp)) {
        return false;
    }
    if (*out < min || *out > max) {
        return qapi_range_error(name, type, errp);
    }
    return true;
}

int qapi_in_enum(JsonNode *node, const char *path, const char *name,
                 const char *const *lookup, Error **errp)
{
    const char *s;

    if (!qapi_value_is(node, G_TYPE_STRING)) {
        qapi_type_error(path, "string", errp);
        return -1;
    }
    s = json_node_get_string(node);
    for (int i = 0; lookup[i]; i++) {
        if (!strcmp(lookup[i], s)) {
            return i;
        }
    }
    error_setg(errp, "Parameter '%s' does not accept value '%s'",
               name ? name : "null", s);
    return -1;
}

bool qapi_in_object(JsonNode *node, const char *path, Error **errp)
{
    return JSON_NODE_HOLDS_OBJECT(node) ||
           qapi_type_error(path, "object", errp);
}

bool qapi_in_array(JsonNode *node, const char *path, Error **errp)
{
    return JSON_NODE_HOLDS_ARRAY(node) ||
           qapi_type_error(path, "array", errp);
}

bool qapi_check_unexpected(JsonObject *o, const char *path,
                           const char *const *known, Error **errp)
{
    g_autoptr(GList) members = json_object_get_members(o);

    for (GList *l = members; l; l = l->next) {
        if (!g_strv_contains(known, l->data)) {
            g_autofree char *full = qapi_member_path(path, l->data);

            error_setg(errp, "Parameter '%s' is unexpected", full);
            return false;
        }
    }
    return true;
}

char *qapi_member_path(const char *path, const char *name)
{
    return path ? g_strdup_printf("%s.%s", path, name) : g_strdup(name);
}
