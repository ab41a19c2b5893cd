/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qapi-keyval.c: QEMU's JSON form of -object and -device as the
 * key=value form (include/qapi/qapi-keyval.h).  Type rules and messages
 * are those QEMU 7.2 gives for the same JSON (numbers for integers and
 * sizes, true/false for booleans, strings for the rest); creating the
 * object, and every other error, stays with the key=value path.
 */
#include "qemu/osdep.h"
#include <json-glib/json-glib.h>
#include "qemu/error.h"
#include "qapi/qapi-keyval.h"

/* Append ",KEY=VALUE" (just VALUE without @key), commas doubled. */
static void keyval_append(GString *kv, const char *key, const char *value)
{
    if (key) {
        g_string_append_printf(kv, ",%s=", key);
    }
    for (const char *c = value; *c; c++) {
        if (*c == ',') {
            g_string_append_c(kv, ',');
        }
        g_string_append_c(kv, *c);
    }
}

static bool node_is(JsonNode *node, GType type)
{
    return JSON_NODE_HOLDS_VALUE(node) &&
           json_node_get_value_type(node) == type;
}

/* @node as its key=value text, if its JSON type is what @want says. */
static char *member_to_str(const char *name, JsonNode *node,
                           QapiKeyvalType want, Error **errp)
{
    bool is_int = node_is(node, G_TYPE_INT64);
    bool is_bool = node_is(node, G_TYPE_BOOLEAN);

    switch (want) {
    case QAPI_KEYVAL_BOOL:
        if (!is_bool) {
            error_setg(errp, "Invalid parameter type for '%s', expected: "
                       "boolean", name);
            return NULL;
        }
        return g_strdup(json_node_get_boolean(node) ? "on" : "off");
    case QAPI_KEYVAL_INT:
        if (!is_int) {
            error_setg(errp, "Parameter '%s' expects int64", name);
            return NULL;
        }
        return g_strdup_printf("%" PRId64, json_node_get_int(node));
    case QAPI_KEYVAL_UINT:
        if (!is_int || json_node_get_int(node) < 0) {
            error_setg(errp, "Parameter '%s' expects uint64", name);
            return NULL;
        }
        return g_strdup_printf("%" PRId64, json_node_get_int(node));
    case QAPI_KEYVAL_ANY:
        if (is_bool) {
            return g_strdup(json_node_get_boolean(node) ? "on" : "off");
        }
        if (is_int) {
            return g_strdup_printf("%" PRId64, json_node_get_int(node));
        }
        /* anything else must be a string */
        /* fall through */
    case QAPI_KEYVAL_STR:
    default:
        if (!node_is(node, G_TYPE_STRING)) {
            error_setg(errp, "Invalid parameter type for '%s', expected: "
                       "string", name);
            return NULL;
        }
        return g_strdup(json_node_get_string(node));
    }
}

char *qapi_json_to_keyval(const char *json, const char *type_key,
                          QapiKeyvalTypeFn *type_of, void *opaque,
                          Error **errp)
{
    g_autoptr(GError) gerr = NULL;
    g_autoptr(JsonNode) root = json_from_string(json, &gerr);
    g_autoptr(GString) kv = g_string_new(NULL);
    g_autoptr(GList) members = NULL;
    JsonObject *o;
    JsonNode *type_node;
    const char *type;

    if (!root) {
        error_setg(errp, "JSON parse error, %s", gerr->message);
        return NULL;
    }
    if (!JSON_NODE_HOLDS_OBJECT(root)) {
        error_setg(errp, "JSON parse error, expected an object");
        return NULL;
    }
    o = json_node_get_object(root);
    type_node = json_object_get_member(o, type_key);
    if (!type_node) {
        error_setg(errp, "Parameter '%s' is missing", type_key);
        return NULL;
    }
    if (!node_is(type_node, G_TYPE_STRING)) {
        error_setg(errp, "Invalid parameter type for '%s', expected: "
                   "string", type_key);
        return NULL;
    }
    type = json_node_get_string(type_node);
    keyval_append(kv, NULL, type);
    members = json_object_get_members(o);
    for (GList *l = members; l; l = l->next) {
        const char *name = l->data;
        g_autofree char *value = NULL;

        if (!strcmp(name, type_key)) {
            continue;
        }
        if (!*name || strpbrk(name, ",=")) {
            error_setg(errp, "Parameter '%s' is unexpected", name);
            return NULL;
        }
        value = member_to_str(name, json_object_get_member(o, name),
                              !strcmp(name, "id") ? QAPI_KEYVAL_STR
                              : type_of(type, name, opaque), errp);
        if (!value) {
            return NULL;
        }
        keyval_append(kv, name, value);
    }
    return g_strdup(kv->str);
}
