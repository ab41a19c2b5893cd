/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-dispatch.c: from a parsed request to a response: QEMU's checks of
 * the request object, command lookup in the registry, validation of the
 * arguments against the command's QmpArgSpec list, and the response with
 * the request's "id".
 *
 * The checks, their order and their messages follow QEMU's
 * qapi/qmp-dispatch.c and qapi/qobject-input-visitor.c (8.2); where QEMU
 * walks a hash table, we walk members in the order the client sent them.
 * Which commands exist is the registry's business (qapi/qmp-registry.c);
 * the session state comes from qmp.c.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qapi/qmp-registry.h"
#include "monitor/monitor-internal.h"

static const char *const qmp_error_class_names[] = {
    [ERROR_CLASS_GENERIC_ERROR] = "GenericError",
    [ERROR_CLASS_COMMAND_NOT_FOUND] = "CommandNotFound",
    [ERROR_CLASS_DEVICE_NOT_ACTIVE] = "DeviceNotActive",
    [ERROR_CLASS_DEVICE_NOT_FOUND] = "DeviceNotFound",
    [ERROR_CLASS_KVM_MISSING_CAP] = "KVMMissingCap",
};

static JsonObject *qmp_error_object(const char *klass, const char *desc)
{
    JsonObject *rsp = json_object_new();
    JsonObject *e = json_object_new();

    json_object_set_string_member(e, "class", klass);
    json_object_set_string_member(e, "desc", desc);
    json_object_set_object_member(rsp, "error", e);
    return rsp;
}

JsonObject *qmp_error_response(const Error *err)
{
    ErrorClass c = error_get_class(err);

    assert(c < ARRAY_SIZE(qmp_error_class_names));
    return qmp_error_object(qmp_error_class_names[c], error_get_pretty(err));
}

/*
 * QEMU's qmp_dispatch_check_obj(): only execute (or exec-oob once "oob"
 * is enabled), arguments and id; the command name must be a string.
 * Returns: the member that names the command, or NULL with @errp set.
 */
static const char *qmp_check_request(JsonObject *req, bool allow_oob,
                                     Error **errp)
{
    g_autoptr(GList) members = json_object_get_members(req);
    const char *exec_key = NULL;

    for (GList *l = members; l; l = l->next) {
        const char *name = l->data;
        JsonNode *value = json_object_get_member(req, name);

        if (!strcmp(name, "execute") ||
            (!strcmp(name, "exec-oob") && allow_oob)) {
            if (JSON_NODE_TYPE(value) != JSON_NODE_VALUE ||
                json_node_get_value_type(value) != G_TYPE_STRING) {
                error_setg(errp, "QMP input member '%s' must be a string",
                           name);
                return NULL;
            }
            if (exec_key) {
                error_setg(errp, "QMP input member '%s' clashes with '%s'",
                           name, exec_key);
                return NULL;
            }
            exec_key = name;
        } else if (!strcmp(name, "arguments")) {
            if (!JSON_NODE_HOLDS_OBJECT(value)) {
                error_setg(errp,
                           "QMP input member 'arguments' must be an object");
                return NULL;
            }
        } else if (strcmp(name, "id")) {
            error_setg(errp, "QMP input member '%s' is unexpected", name);
            return NULL;
        }
    }
    if (!exec_key) {
        error_setg(errp, "QMP input lacks member 'execute'");
    }
    return exec_key;
}

static bool qmp_value_is(JsonNode *n, GType type)
{
    return JSON_NODE_TYPE(n) == JSON_NODE_VALUE &&
           json_node_get_value_type(n) == type;
}

/* The QAPI type names QEMU's "Invalid parameter type" errors use. */
static const char *const qmp_arg_type_names[] = {
    [QMP_ARG_STR] = "string",
    [QMP_ARG_INT] = "integer",
    [QMP_ARG_UINT] = "integer",
    [QMP_ARG_SIZE] = "integer",
    [QMP_ARG_BOOL] = "boolean",
    [QMP_ARG_NUMBER] = "number",
    [QMP_ARG_OBJECT] = "object",
    [QMP_ARG_ARRAY] = "array",
    [QMP_ARG_ANY] = "any",
};

/* One argument against its spec, as QEMU's input visitor checks it. */
static bool qmp_check_arg(const QmpArgSpec *spec, JsonNode *n, Error **errp)
{
    bool ok;

    switch (spec->type) {
    case QMP_ARG_STR:
        ok = qmp_value_is(n, G_TYPE_STRING);
        break;
    case QMP_ARG_INT:
        ok = qmp_value_is(n, G_TYPE_INT64);
        break;
    case QMP_ARG_UINT:
    case QMP_ARG_SIZE:
        /*
         * QEMU's uint64 visitor accepts negative integers (they wrap)
         * and words its refusal differently from the other types.
         */
        if (!qmp_value_is(n, G_TYPE_INT64)) {
            error_setg(errp, "Parameter '%s' expects uint64", spec->name);
            return false;
        }
        return true;
    case QMP_ARG_BOOL:
        ok = qmp_value_is(n, G_TYPE_BOOLEAN);
        break;
    case QMP_ARG_NUMBER:
        ok = qmp_value_is(n, G_TYPE_INT64) || qmp_value_is(n, G_TYPE_DOUBLE);
        break;
    case QMP_ARG_OBJECT:
        ok = JSON_NODE_HOLDS_OBJECT(n);
        break;
    case QMP_ARG_ARRAY:
        ok = JSON_NODE_HOLDS_ARRAY(n);
        break;
    default:
        return true;
    }
    if (!ok) {
        error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                   spec->name, qmp_arg_type_names[spec->type]);
        return false;
    }
    if (spec->type == QMP_ARG_STR && spec->enum_values &&
        !g_strv_contains(spec->enum_values, json_node_get_string(n))) {
        error_setg(errp, "Parameter '%s' does not accept value '%s'",
                   spec->name, json_node_get_string(n));
        return false;
    }
    return true;
}

/* Declared arguments in declaration order, then the undeclared ones. */
static bool qmp_check_args(const QmpArgSpec *specs, JsonObject *args,
                           Error **errp)
{
    g_autoptr(GList) members = json_object_get_members(args);
    const QmpArgSpec *s;

    for (s = specs; s && s->name; s++) {
        JsonNode *n = json_object_get_member(args, s->name);

        if (!n) {
            if (!s->optional) {
                error_setg(errp, "Parameter '%s' is missing", s->name);
                return false;
            }
            continue;
        }
        if (!qmp_check_arg(s, n, errp)) {
            return false;
        }
    }
    for (GList *l = members; l; l = l->next) {
        for (s = specs; s && s->name && strcmp(s->name, l->data); s++) {
            /* look for it */
        }
        if (!s || !s->name) {
            error_setg(errp, "Parameter '%s' is unexpected",
                       (const char *)l->data);
            return false;
        }
    }
    return true;
}

/*
 * What a handler's outcome means: its "return" value ({} if it gave
 * none), or NULL with @errp set.  A handler that fails without an error,
 * or sets one yet claims success, is a bug; answer it as a failure
 * rather than crash.
 */
static JsonNode *qmp_run_result(const char *name, bool ok, JsonNode *ret,
                                Error *local_err, Error **errp)
{
    if (ok && !local_err) {
        if (!ret) {
            ret = json_node_new(JSON_NODE_OBJECT);
            json_node_take_object(ret, json_object_new());
        }
        return ret;
    }
    if (ret) {
        json_node_unref(ret);
    }
    if (!local_err) {
        error_setg(&local_err, "The command %s failed", name);
    }
    error_propagate(errp, local_err);
    return NULL;
}

/* ------------------------------------------------------ deferred replies */

/*
 * struct QmpReturn: a reply owed to @mon's client (NULL once the client
 * left), for the request with @id (a copy, or NULL).
 */
struct QmpReturn {
    MonitorQMP *mon;
    JsonNode *id;
};

/* While a handler runs: its monitor and request, and its deferral. */
static MonitorQMP *dispatch_mon;
static JsonObject *dispatch_req;
static QmpReturn *dispatch_deferred;

static void qmp_return_free(QmpReturn *r)
{
    if (r->id) {
        json_node_unref(r->id);
    }
    g_free(r);
}

static QmpReturn *monitor_return_defer(void)
{
    QmpReturn *r;
    JsonNode *id;

    if (!dispatch_mon || dispatch_deferred) {
        return NULL;
    }
    r = g_new0(QmpReturn, 1);
    r->mon = dispatch_mon;
    id = json_object_get_member(dispatch_req, "id");
    r->id = id ? json_node_copy(id) : NULL;
    dispatch_deferred = r;
    return r;
}

static void monitor_return_cancel(QmpReturn *r)
{
    assert(r == dispatch_deferred);
    dispatch_deferred = NULL;
    qmp_return_free(r);
}

static void monitor_return_complete(QmpReturn *r, JsonNode *ret, Error *err)
{
    MonitorQMP *mon = r->mon;
    JsonObject *rsp;

    assert(r != dispatch_deferred);
    if (mon) {
        assert(mon->awaiting == r);
        mon->awaiting = NULL;
        if (err) {
            rsp = qmp_error_response(err);
        } else {
            rsp = json_object_new();
            json_object_set_member(rsp, "return",
                                   qmp_run_result(NULL, true, ret, NULL,
                                                  NULL));
            ret = NULL;
        }
        if (r->id) {
            json_object_set_member(rsp, "id", json_node_copy(r->id));
        }
        monitor_qmp_send(mon, rsp, false);
        json_object_unref(rsp);
        /*
         * Resume input from the pump (an idle source), not here: at exit
         * the main loop has stopped, and requests the client queued
         * behind this one must not run then.
         */
        monitor_qmp_output_drained(mon);
    }
    if (ret) {
        json_node_unref(ret);
    }
    error_free(err);
    qmp_return_free(r);
}

void qmp_return_orphan(MonitorQMP *mon)
{
    if (mon->awaiting) {
        mon->awaiting->mon = NULL;
        mon->awaiting = NULL;
    }
}

void qmp_dispatch_init(void)
{
    static const QmpReturnOps ops = {
        .defer = monitor_return_defer,
        .complete = monitor_return_complete,
        .cancel = monitor_return_cancel,
    };

    qmp_set_return_ops(&ops);
}

/*
 * Find and run the command @req names; the "return" value or NULL.
 * *@deferred: the command will answer later (NULL returned, no error).
 */
static JsonNode *qmp_run(MonitorQMP *mon, JsonObject *req, bool *deferred,
                         Error **errp)
{
    const char *key = qmp_check_request(req, mon->oob_enabled, errp);
    const QmpCommand *cmd;
    const char *name;
    JsonObject *args;
    JsonNode *ret = NULL;
    Error *local_err = NULL;
    MonitorQMP *prev;
    bool ok;

    if (!key) {
        return NULL;
    }
    name = json_object_get_string_member(req, key);
    /* before negotiation, QEMU's command list holds qmp_capabilities only */
    cmd = mon->state == QMP_SESSION_NEGOTIATING &&
          strcmp(name, "qmp_capabilities") ? NULL : qmp_find_command(name);
    if (!cmd) {
        error_set(errp, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "The command %s has not been found", name);
        return NULL;
    }
    if (!strcmp(key, "exec-oob")) {
        /* none of our commands is safe to run out of band */
        error_setg(errp, "The command %s does not support OOB", name);
        return NULL;
    }
    args = json_object_has_member(req, "arguments")
           ? json_object_ref(json_object_get_object_member(req, "arguments"))
           : json_object_new();
    if (qmp_check_args(cmd->args, args, errp)) {
        prev = monitor_qmp_set_cur(mon);
        dispatch_mon = mon;
        dispatch_req = req;
        ok = cmd->fn(args, &ret, &local_err);
        dispatch_mon = NULL;
        dispatch_req = NULL;
        monitor_qmp_set_cur(prev);
        if (dispatch_deferred && ok && !local_err) {
            if (ret) {
                json_node_unref(ret);
            }
            mon->awaiting = dispatch_deferred;
            dispatch_deferred = NULL;
            *deferred = true;
            json_object_unref(args);
            return NULL;
        }
        /* deferring, then failing without cancelling, is a handler bug */
        assert(!dispatch_deferred);
        ret = qmp_run_result(name, ok, ret, local_err, errp);
    }
    json_object_unref(args);
    return ret;
}

JsonObject *qmp_dispatch(MonitorQMP *mon, JsonNode *req)
{
    Error *err = NULL;
    JsonObject *rsp;
    JsonNode *ret, *id;
    JsonObject *dict;
    bool deferred = false;

    if (!JSON_NODE_HOLDS_OBJECT(req)) {
        error_setg(&err, "QMP input must be a JSON object");
        rsp = qmp_error_response(err);
        error_free(err);
        return rsp;
    }
    dict = json_node_get_object(req);
    ret = qmp_run(mon, dict, &deferred, &err);
    if (deferred) {
        return NULL;
    }
    if (err) {
        if (mon->state == QMP_SESSION_NEGOTIATING &&
            error_get_class(err) == ERROR_CLASS_COMMAND_NOT_FOUND) {
            /* QEMU's more useful message for clients that skip it */
            rsp = qmp_error_object("CommandNotFound",
                                   "Expecting capabilities negotiation "
                                   "with 'qmp_capabilities'");
        } else {
            rsp = qmp_error_response(err);
        }
        error_free(err);
    } else {
        rsp = json_object_new();
        json_object_set_member(rsp, "return", ret);
    }
    id = json_object_get_member(dict, "id");
    if (id) {
        json_object_set_member(rsp, "id", json_node_copy(id));
    }
    return rsp;
}
