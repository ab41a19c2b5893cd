/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-registry.c: the QMP/HMP command tables, the event hook and the
 * named-fd and deferred-reply hooks (see include/qapi/qmp-registry.h).
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qapi/qmp-registry.h"

static GPtrArray *qmp_commands;     /* QmpCommand *, registration order */
static GHashTable *qmp_index;       /* name -> QmpCommand * */
static GPtrArray *hmp_commands;     /* HmpCommand * */
static GHashTable *hmp_index;
static QapiEventEmitter event_emitter;
static QmpFdTaker fd_taker;
static const QmpReturnOps *return_ops;

void qmp_register_command(const char *name, QmpCommandFunc fn,
                          const QmpArgSpec *args, unsigned flags)
{
    QmpCommand *cmd = g_new0(QmpCommand, 1);

    if (!qmp_commands) {
        qmp_commands = g_ptr_array_new_with_free_func(g_free);
        qmp_index = g_hash_table_new(g_str_hash, g_str_equal);
    }
    assert(!g_hash_table_contains(qmp_index, name));
    cmd->name = name;
    cmd->fn = fn;
    cmd->args = args;
    cmd->flags = flags;
    g_ptr_array_add(qmp_commands, cmd);
    g_hash_table_insert(qmp_index, (gpointer)name, cmd);
}

const QmpCommand *qmp_find_command(const char *name)
{
    return qmp_index && name ? g_hash_table_lookup(qmp_index, name) : NULL;
}

void qmp_for_each_command(void (*fn)(const QmpCommand *cmd, void *opaque),
                          void *opaque)
{
    for (guint i = 0; qmp_commands && i < qmp_commands->len; i++) {
        fn(qmp_commands->pdata[i], opaque);
    }
}

uint64_t qmp_arg_get_uint(JsonObject *args, const char *name, uint64_t dflt)
{
    JsonNode *n = args ? json_object_get_member(args, name) : NULL;

    return n ? (uint64_t)json_node_get_int(n) : dflt;
}

int64_t qmp_arg_get_int(JsonObject *args, const char *name, int64_t dflt)
{
    JsonNode *n = args ? json_object_get_member(args, name) : NULL;

    return n ? json_node_get_int(n) : dflt;
}

bool qmp_arg_get_bool(JsonObject *args, const char *name, bool dflt)
{
    JsonNode *n = args ? json_object_get_member(args, name) : NULL;

    return n ? json_node_get_boolean(n) : dflt;
}

const char *qmp_arg_get_str(JsonObject *args, const char *name,
                            const char *dflt)
{
    JsonNode *n = args ? json_object_get_member(args, name) : NULL;

    return n ? json_node_get_string(n) : dflt;
}

void hmp_register_command(const char *name, const char *params,
                          const char *help, HmpCommandFunc fn)
{
    HmpCommand *cmd = g_new0(HmpCommand, 1);

    if (!hmp_commands) {
        hmp_commands = g_ptr_array_new_with_free_func(g_free);
        hmp_index = g_hash_table_new(g_str_hash, g_str_equal);
    }
    assert(!g_hash_table_contains(hmp_index, name));
    cmd->name = name;
    cmd->params = params;
    cmd->help = help;
    cmd->fn = fn;
    g_ptr_array_add(hmp_commands, cmd);
    g_hash_table_insert(hmp_index, (gpointer)name, cmd);
}

void hmp_append_error(GString *out, const Error *err, const char *eol)
{
    const char *hint = err ? error_get_hint(err) : NULL;

    g_string_append_printf(out, "Error: %s%s",
                           err ? error_get_pretty(err) : "failed", eol);
    /* QEMU prints the hint after the message, on the monitor only */
    for (const char *p = hint; p && *p; ) {
        const char *nl = strchr(p, '\n');

        g_string_append_len(out, p, nl - p);
        g_string_append(out, eol);
        p = nl + 1;
    }
}

const HmpCommand *hmp_find_command(const char *name)
{
    return hmp_index && name ? g_hash_table_lookup(hmp_index, name) : NULL;
}

void hmp_for_each_command(void (*fn)(const HmpCommand *cmd, void *opaque),
                          void *opaque)
{
    for (guint i = 0; hmp_commands && i < hmp_commands->len; i++) {
        fn(hmp_commands->pdata[i], opaque);
    }
}

void qapi_event_set_emitter(QapiEventEmitter emitter)
{
    event_emitter = emitter;
}

void qapi_event_send(const char *name, JsonObject *data)
{
    if (event_emitter) {
        event_emitter(name, data);
    } else if (data) {
        json_object_unref(data);
    }
}

void qmp_set_fd_taker(QmpFdTaker taker)
{
    fd_taker = taker;
}

int qmp_take_named_fd(const char *name, Error **errp)
{
    if (!fd_taker) {
        error_setg(errp, "File descriptor named '%s' has not been found",
                   name);
        return -1;
    }
    return fd_taker(name, errp);
}

void qmp_set_return_ops(const QmpReturnOps *ops)
{
    return_ops = ops;
}

QmpReturn *qmp_return_defer(void)
{
    return return_ops ? return_ops->defer() : NULL;
}

void qmp_return_complete(QmpReturn *r, JsonNode *ret, Error *err)
{
    /* a token exists only while the monitor that made it does */
    assert(return_ops);
    return_ops->complete(r, ret, err);
}

void qmp_return_cancel(QmpReturn *r)
{
    assert(return_ops);
    return_ops->cancel(r);
}
