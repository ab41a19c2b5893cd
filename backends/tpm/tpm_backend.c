/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tpm_backend.c: the TPM back-end registry: -tpmdev parsing, lookup by
 * id, the front-end binding, the wrappers front ends call
 * (include/sysemu/tpm_backend.h), and QMP query-tpm / query-tpm-models /
 * query-tpm-types with QEMU's reply shapes.  The back-end types live in
 * their own files (tpm_emulator.c).
 */
#include "qemu/osdep.h"
#include "backends/tpm/tpm_int.h"
#include "qapi/qapi-commands.h"
#include "qemu/error.h"
#include "qemu/option.h"

static const TPMBackendOps *const tpm_backend_types[] = {
    &tpm_emulator_ops,
};

static QTAILQ_HEAD(, TPMBackend) tpm_backends =
    QTAILQ_HEAD_INITIALIZER(tpm_backends);

/* Front-end models built in (query-tpm-models), in registration order. */
static GPtrArray *tpm_models;

static const TPMBackendOps *tpm_backend_type_find(const char *type)
{
    for (size_t i = 0; i < ARRAY_SIZE(tpm_backend_types); i++) {
        if (!strcmp(tpm_backend_types[i]->type, type)) {
            return tpm_backend_types[i];
        }
    }
    return NULL;
}

void tpm_backend_help(void)
{
    printf("Supported TPM types (choose only one):\n");
    for (size_t i = 0; i < ARRAY_SIZE(tpm_backend_types); i++) {
        printf("%12s   %s\n", tpm_backend_types[i]->type,
               tpm_backend_types[i]->desc);
    }
}

TPMBackend *tpm_backend_find(const char *id)
{
    TPMBackend *tb;

    QTAILQ_FOREACH(tb, &tpm_backends, next) {
        if (!strcmp(tb->id, id)) {
            return tb;
        }
    }
    return NULL;
}

bool tpm_backend_add_opts(const char *optarg, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_parse(optarg, "type", false, errp);
    const TPMBackendOps *ops;
    const char *id, *type;
    TPMBackend *tb;

    if (!opts) {
        return false;
    }
    id = qemu_opt_get(opts, "id");
    type = qemu_opt_get(opts, "type");
    if (!id) {
        error_setg(errp, "Parameter 'id' is missing");
        return false;
    }
    if (tpm_backend_find(id)) {
        error_setg(errp, "Duplicate ID '%s' for tpmdev", id);
        return false;
    }
    if (!type) {
        error_setg(errp, "Parameter 'type' is missing");
        return false;
    }
    ops = tpm_backend_type_find(type);
    if (!ops) {
        error_setg(errp, "Parameter 'type' expects a TPM backend type");
        return false;
    }
    tb = ops->create(id, opts, errp);
    if (!tb) {
        return false;
    }
    assert(tb->id && !strcmp(tb->id, id));
    QTAILQ_INSERT_TAIL(&tpm_backends, tb, next);
    return true;
}

bool tpm_backend_init(TPMBackend *tb, const char *model,
                      TPMRequestCompleted *completed, void *opaque,
                      Error **errp)
{
    if (tb->model) {
        error_setg(errp, "TPM backend '%s' is already in use by a %s device",
                   tb->id, tb->model);
        return false;
    }
    tb->model = model;
    tb->completed = completed;
    tb->opaque = opaque;
    return true;
}

void tpm_backend_deinit(TPMBackend *tb)
{
    tpm_backend_finish_sync(tb);
    tb->model = NULL;
    tb->completed = NULL;
    tb->opaque = NULL;
}

bool tpm_backend_startup_tpm(TPMBackend *tb, size_t wanted, size_t *actual,
                             Error **errp)
{
    tpm_backend_finish_sync(tb);
    return tb->ops->startup_tpm(tb, wanted, actual, errp);
}

void tpm_backend_deliver_request(TPMBackend *tb, TPMBackendCmd *cmd)
{
    assert(!tb->cmd && cmd->in_len >= TPM_HEADER_SIZE &&
           cmd->out_len >= TPM_HEADER_SIZE);
    tb->cmd = cmd;
    tb->ops->deliver_request(tb, cmd);
}

void tpm_backend_request_completed(TPMBackend *tb, int ret)
{
    assert(tb->cmd);
    tb->cmd = NULL;
    if (tb->completed) {
        tb->completed(tb->opaque, ret);
    }
}

void tpm_backend_finish_sync(TPMBackend *tb)
{
    if (tb->cmd) {
        tb->ops->finish_sync(tb);
    }
}

void tpm_backend_cancel_cmd(TPMBackend *tb)
{
    if (tb->cmd) {
        tb->ops->cancel_cmd(tb);
    }
}

bool tpm_backend_get_tpm_established_flag(TPMBackend *tb)
{
    return tb->ops->get_tpm_established_flag(tb);
}

TPMVersion tpm_backend_get_tpm_version(TPMBackend *tb)
{
    return tb->ops->get_tpm_version(tb);
}

bool tpm_backend_is_operational(TPMBackend *tb)
{
    return tb->ops->is_operational(tb);
}

bool tpm_backend_is_busy(TPMBackend *tb)
{
    return tb->cmd != NULL;
}

void tpm_backend_register_model(const char *model)
{
    if (!tpm_models) {
        tpm_models = g_ptr_array_new();
    }
    g_ptr_array_add(tpm_models, (gpointer)model);
}

void tpm_backend_cleanup(void)
{
    TPMBackend *tb, *next;

    QTAILQ_FOREACH_SAFE(tb, &tpm_backends, next, next) {
        char *id = tb->id;

        QTAILQ_REMOVE(&tpm_backends, tb, next);
        tb->ops->destroy(tb);
        g_free(id);
    }
}

/* ------------------------------------------------------------------ QMP */

/* query-tpm: one TPMInfo per back end in use by a front end. */
static TPMInfoList *qmp_query_tpm(Error **errp)
{
    TPMInfoList *head = NULL, **tail = &head;
    TPMBackend *tb;

    QTAILQ_FOREACH(tb, &tpm_backends, next) {
        TPMInfoList *elem;
        TPMInfo *info;

        if (!tb->model) {
            continue;
        }
        info = g_new0(TPMInfo, 1);
        info->id = g_strdup(tb->id);
        /* front ends register only models of the schema's TpmModel */
        info->model = TpmModel_parse(tb->model);
        assert((int)info->model >= 0);
        info->options = g_new0(TpmTypeOptions, 1);
        tb->ops->get_options(tb, info->options);
        elem = g_new0(TPMInfoList, 1);
        elem->value = info;
        *tail = elem;
        tail = &elem->next;
    }
    return head;
}

static TpmModelList *qmp_query_tpm_models(Error **errp)
{
    TpmModelList *head = NULL, **tail = &head;

    for (guint i = 0; tpm_models && i < tpm_models->len; i++) {
        TpmModelList *elem = g_new0(TpmModelList, 1);

        elem->value = TpmModel_parse(tpm_models->pdata[i]);
        assert((int)elem->value >= 0);
        *tail = elem;
        tail = &elem->next;
    }
    return head;
}

static TpmTypeList *qmp_query_tpm_types(Error **errp)
{
    TpmTypeList *head = NULL, **tail = &head;

    for (size_t i = 0; i < ARRAY_SIZE(tpm_backend_types); i++) {
        TpmTypeList *elem = g_new0(TpmTypeList, 1);

        elem->value = TpmType_parse(tpm_backend_types[i]->type);
        assert((int)elem->value >= 0);
        *tail = elem;
        tail = &elem->next;
    }
    return head;
}

void tpm_backend_register_commands(void)
{
    qmp_register_query_tpm(qmp_query_tpm);
    qmp_register_query_tpm_models(qmp_query_tpm_models);
    qmp_register_query_tpm_types(qmp_query_tpm_types);
}
