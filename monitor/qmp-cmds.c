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
#include "qapi/qapi-commands.h"
#include "qapi/qapi-events.h"
#include "qapi/qapi-introspect.h"
#include "qapi/qapi-visit.h"
#include "config-host.h"
#include "monitor/monitor-internal.h"

static VersionInfo *qmp_query_version(Error **errp)
{
    VersionInfo *info = g_new0(VersionInfo, 1);

    info->qemu = g_new0(VersionTriple, 1);
    info->qemu->major = QMP_QEMU_VERSION_MAJOR;
    info->qemu->minor = QMP_QEMU_VERSION_MINOR;
    info->qemu->micro = QMP_QEMU_VERSION_MICRO;
    info->package = g_strdup("sparsevm " SPARSEVM_VERSION);
    return info;
}

JsonNode *qmp_version_info(void)
{
    g_autoptr(VersionInfo) info = qmp_query_version(NULL);

    return qapi_out_VersionInfo(info);
}

/* ---------------------------------------------------- qmp_capabilities */

/*
 * The list was checked by the marshaller, as QEMU's generated code
 * visits it before the command runs: QEMU names a bad list element
 * "null" in the enum error (the visitor has no name for it) but
 * "enable[N]" in type errors, and so does qapi-visit.c.
 */
static void qmp_qmp_capabilities(QMPCapabilityList *enable, Error **errp)
{
    MonitorQMP *mon = monitor_qmp_cur();

    if (!mon || mon->state != QMP_SESSION_NEGOTIATING) {
        error_set(errp, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "Capabilities negotiation is already complete, command "
                  "ignored");
        return;
    }
    /* "oob" is always offered, so "Capability %s not available" can't be */
    mon->oob_enabled = enable != NULL;      /* "oob" is the only one */
    mon->state = QMP_SESSION_COMMAND;
    assert_monitor_qmp_state(mon);
}

/* ------------------------------------------------------------- queries */

static void qmp_add_command_info(const QmpCommand *cmd, void *opaque)
{
    CommandInfoList ***tail = opaque;
    CommandInfoList *elem;

    if (cmd->flags & QMP_CMD_HIDDEN) {
        return;
    }
    elem = g_new0(CommandInfoList, 1);
    elem->value = g_new0(CommandInfo, 1);
    elem->value->name = g_strdup(cmd->name);
    **tail = elem;
    *tail = &elem->next;
}

static CommandInfoList *qmp_query_commands(Error **errp)
{
    CommandInfoList *head = NULL, **tail = &head;

    qmp_for_each_command(qmp_add_command_info, &tail);
    return head;
}

static EventInfoList *qmp_query_events(Error **errp)
{
    EventInfoList *head = NULL, **tail = &head;

    for (const char *const *n = qapi_event_names; *n; n++) {
        EventInfoList *elem = g_new0(EventInfoList, 1);

        elem->value = g_new0(EventInfo, 1);
        elem->value->name = g_strdup(*n);
        *tail = elem;
        tail = &elem->next;
    }
    return head;
}

static void qmp_add_chardev_info(Chardev *chr, void *opaque)
{
    ChardevInfoList ***tail = opaque;
    ChardevInfoList *elem = g_new0(ChardevInfoList, 1);

    elem->value = g_new0(ChardevInfo, 1);
    elem->value->label = g_strdup(qemu_chr_get_id(chr));
    elem->value->filename = qemu_chr_get_filename(chr);
    elem->value->frontend_open = qemu_chr_has_frontend(chr);
    **tail = elem;
    *tail = &elem->next;
}

static ChardevInfoList *qmp_query_chardev(Error **errp)
{
    ChardevInfoList *head = NULL, **tail = &head;

    qemu_chr_foreach(qmp_add_chardev_info, &tail);
    return head;
}

/* There is no migration: no capability to report. */
static MigrationCapabilityStatusList *
qmp_query_migrate_capabilities(Error **errp)
{
    return NULL;
}

/*
 * query-qmp-schema: the SchemaInfo array qapi-gen.py wrote, parsed once
 * (the schema is 'gen': false, as QEMU's: the reply is ready-made JSON).
 */
static bool qmp_query_qmp_schema(JsonObject *args, JsonNode **ret,
                                 Error **errp)
{
    static JsonNode *schema;

    if (!schema) {
        GError *gerr = NULL;

        schema = json_from_string(qmp_schema_json, &gerr);
        /* generated text: a parse failure is a generator bug */
        assert(schema && !gerr);
    }
    *ret = json_node_copy(schema);
    return true;
}

/* ---------------------------------------------------------- named fds */

static void qmp_getfd(const char *name, Error **errp)
{
    MonitorQMP *mon = monitor_qmp_cur();
    bool lost = false;
    int fd = mon ? monitor_qmp_take_pending_fd(mon, &lost) : -1;
    gpointer old;

    if (fd < 0 && lost) {
        /* the client did send one: the fault is ours */
        error_setg(errp, "The file descriptor passed via SCM_RIGHTS was "
                   "lost: the VMM is out of file descriptors");
        return;
    }
    if (fd < 0) {
        error_setg(errp, "No file descriptor supplied via SCM_RIGHTS");
        return;
    }
    if (g_ascii_isdigit(name[0])) {
        /* QEMU takes the fd first, so a bad name costs the client it */
        close(fd);
        error_setg(errp, "Parameter 'fdname' expects a name not starting "
                   "with a digit");
        return;
    }
    if (g_hash_table_lookup_extended(mon->named_fds, name, NULL, &old)) {
        close(GPOINTER_TO_INT(old));
    } else if (g_hash_table_size(mon->named_fds) >= QMP_MAX_NAMED_FDS) {
        close(fd);
        error_setg(errp, "Too many named file descriptors on this monitor "
                   "(limit %u); close some with closefd",
                   QMP_MAX_NAMED_FDS);
        return;
    }
    g_hash_table_insert(mon->named_fds, g_strdup(name), GINT_TO_POINTER(fd));
}

static void qmp_closefd(const char *name, Error **errp)
{
    MonitorQMP *mon = monitor_qmp_cur();
    gpointer fd;

    if (!mon || !g_hash_table_lookup_extended(mon->named_fds, name, NULL,
                                              &fd)) {
        error_setg(errp, "File descriptor named '%s' not found", name);
        return;
    }
    g_hash_table_remove(mon->named_fds, name);
    close(GPOINTER_TO_INT(fd));
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
    qmp_register_qmp_capabilities(qmp_qmp_capabilities);
    qmp_register_query_version(qmp_query_version);
    qmp_register_query_commands(qmp_query_commands);
    qmp_register_command("query-qmp-schema", qmp_query_qmp_schema, NULL,
                         QMP_CMD_ALLOW_PRECONFIG);
    qmp_register_query_events(qmp_query_events);
    qmp_register_query_chardev(qmp_query_chardev);
    qmp_register_query_migrate_capabilities(qmp_query_migrate_capabilities);
    qmp_register_getfd(qmp_getfd);
    qmp_register_closefd(qmp_closefd);
}
