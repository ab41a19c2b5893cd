/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-cmds.c: the monitor's own QMP commands: capabilities negotiation,
 * query-version, query-commands, and passing file descriptors by name
 * (getfd/closefd, and the hook through which dump takes "fd:NAME").
 *
 * Behaviour and messages follow QEMU's monitor/qmp-cmds-control.c and
 * monitor/fds.c.  The session and its fds live in qmp.c.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qapi/qmp-registry.h"
#include "config-host.h"
#include "monitor/monitor-internal.h"

static JsonNode *qmp_node_take_object(JsonObject *obj)
{
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);

    json_node_take_object(n, obj);
    return n;
}

JsonNode *qmp_version_info(void)
{
    JsonObject *qemu = json_object_new();
    JsonObject *info = json_object_new();

    json_object_set_int_member(qemu, "micro", QMP_QEMU_VERSION_MICRO);
    json_object_set_int_member(qemu, "minor", QMP_QEMU_VERSION_MINOR);
    json_object_set_int_member(qemu, "major", QMP_QEMU_VERSION_MAJOR);
    json_object_set_object_member(info, "qemu", qemu);
    json_object_set_string_member(info, "package",
                                  "sparsevm-" SPARSEVM_VERSION);
    return qmp_node_take_object(info);
}

/* ---------------------------------------------------- qmp_capabilities */

static const char *const qmp_capability_names[] = { "oob", NULL };

static const QmpArgSpec qmp_capabilities_args[] = {
    { "enable", QMP_ARG_ARRAY, .optional = true },
    { NULL }
};

/*
 * The list is checked first, as QEMU's generated code visits it before
 * the command runs.  QEMU names a bad list element "null" in the enum
 * error (the visitor has no name for it) but "enable[N]" in type errors.
 */
static bool qmp_caps_parse(JsonObject *args, bool *oob, Error **errp)
{
    JsonArray *list;

    *oob = false;
    if (!json_object_has_member(args, "enable")) {
        return true;
    }
    list = json_object_get_array_member(args, "enable");
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonNode *n = json_array_get_element(list, i);
        const char *cap;

        if (JSON_NODE_TYPE(n) != JSON_NODE_VALUE ||
            json_node_get_value_type(n) != G_TYPE_STRING) {
            error_setg(errp, "Invalid parameter type for 'enable[%u]', "
                       "expected: string", i);
            return false;
        }
        cap = json_node_get_string(n);
        if (!g_strv_contains(qmp_capability_names, cap)) {
            error_setg(errp, "Parameter 'null' does not accept value '%s'",
                       cap);
            return false;
        }
        *oob = true;    /* the only capability */
    }
    return true;
}

static bool qmp_qmp_capabilities(JsonObject *args, JsonNode **ret,
                                 Error **errp)
{
    MonitorQMP *mon = monitor_qmp_cur();
    bool oob;

    if (!qmp_caps_parse(args, &oob, errp)) {
        return false;
    }
    if (!mon || mon->state != QMP_SESSION_NEGOTIATING) {
        error_set(errp, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "Capabilities negotiation is already complete, command "
                  "ignored");
        return false;
    }
    /* "oob" is always offered, so "Capability %s not available" can't be */
    mon->oob_enabled = oob;
    mon->state = QMP_SESSION_COMMAND;
    assert_monitor_qmp_state(mon);
    return true;
}

/* ------------------------------------------------------------- queries */

static bool qmp_query_version(JsonObject *args, JsonNode **ret,
                              Error **errp)
{
    *ret = qmp_version_info();
    return true;
}

static void qmp_add_command_info(const QmpCommand *cmd, void *opaque)
{
    JsonArray *list = opaque;
    JsonObject *info;

    if (cmd->flags & QMP_CMD_HIDDEN) {
        return;
    }
    info = json_object_new();
    json_object_set_string_member(info, "name", cmd->name);
    json_array_add_object_element(list, info);
}

static bool qmp_query_commands(JsonObject *args, JsonNode **ret,
                               Error **errp)
{
    JsonArray *list = json_array_new();

    qmp_for_each_command(qmp_add_command_info, list);
    *ret = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(*ret, list);
    return true;
}

/* ---------------------------------------------------------- named fds */

static const QmpArgSpec qmp_fdname_args[] = {
    { "fdname", QMP_ARG_STR },
    { NULL }
};

static bool qmp_getfd(JsonObject *args, JsonNode **ret, Error **errp)
{
    MonitorQMP *mon = monitor_qmp_cur();
    const char *name = qmp_arg_get_str(args, "fdname", "");
    bool lost = false;
    int fd = mon ? monitor_qmp_take_pending_fd(mon, &lost) : -1;
    gpointer old;

    if (fd < 0 && lost) {
        /* the client did send one: the fault is ours */
        error_setg(errp, "The file descriptor passed via SCM_RIGHTS was "
                   "lost: the VMM is out of file descriptors");
        return false;
    }
    if (fd < 0) {
        error_setg(errp, "No file descriptor supplied via SCM_RIGHTS");
        return false;
    }
    if (g_ascii_isdigit(name[0])) {
        /* QEMU takes the fd first, so a bad name costs the client it */
        close(fd);
        error_setg(errp, "Parameter 'fdname' expects a name not starting "
                   "with a digit");
        return false;
    }
    if (g_hash_table_lookup_extended(mon->named_fds, name, NULL, &old)) {
        close(GPOINTER_TO_INT(old));
    } else if (g_hash_table_size(mon->named_fds) >= QMP_MAX_NAMED_FDS) {
        close(fd);
        error_setg(errp, "Too many named file descriptors on this monitor "
                   "(limit %u); close some with closefd",
                   QMP_MAX_NAMED_FDS);
        return false;
    }
    g_hash_table_insert(mon->named_fds, g_strdup(name), GINT_TO_POINTER(fd));
    return true;
}

static bool qmp_closefd(JsonObject *args, JsonNode **ret, Error **errp)
{
    MonitorQMP *mon = monitor_qmp_cur();
    const char *name = qmp_arg_get_str(args, "fdname", "");
    gpointer fd;

    if (!mon || !g_hash_table_lookup_extended(mon->named_fds, name, NULL,
                                              &fd)) {
        error_setg(errp, "File descriptor named '%s' not found", name);
        return false;
    }
    g_hash_table_remove(mon->named_fds, name);
    close(GPOINTER_TO_INT(fd));
    return true;
}

void monitor_close_named_fds(MonitorQMP *mon)
{
    GHashTableIter iter;
    gpointer fd;

    g_hash_table_iter_init(&iter, mon->named_fds);
    while (g_hash_table_iter_next(&iter, NULL, &fd)) {
        close(GPOINTER_TO_INT(fd));
        g_hash_table_iter_remove(&iter);
    }
}

void monitor_register_control_commands(void)
{
    qmp_register_command("qmp_capabilities", qmp_qmp_capabilities,
                         qmp_capabilities_args, QMP_CMD_ALLOW_PRECONFIG);
    qmp_register_command("query-version", qmp_query_version, NULL,
                         QMP_CMD_ALLOW_PRECONFIG);
    qmp_register_command("query-commands", qmp_query_commands, NULL,
                         QMP_CMD_ALLOW_PRECONFIG);
    qmp_register_command("getfd", qmp_getfd, qmp_fdname_args, 0);
    qmp_register_command("closefd", qmp_closefd, qmp_fdname_args, 0);
}
