/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tpm_backend.h: TPM back ends, the things `-tpmdev TYPE,id=ID,...`
 * creates and a TPM front end (`-device tpm-crb,tpmdev=ID`) sends TPM
 * commands to.  The only type is "emulator" (swtpm over a unix socket,
 * backends/tpm/tpm_emulator.c).
 *
 * A back end runs one command at a time, asynchronously: the front end
 * hands it a TPMBackendCmd and is called back from the main loop when the
 * answer is in cmd->out.  When the back end cannot run a command (the
 * emulator went away), the answer is a fatal-error response and the
 * completion reports failure; the VM keeps running, and the next system
 * reset (tpm_backend_startup_tpm) tries to bring the TPM back.
 *
 * Everything here is called from the main loop thread, and nothing here
 * blocks it: a back end does its I/O on its own thread (the emulator's
 * worker), so a stopped swtpm holds up the TPM, not QMP or the guest.
 */
#ifndef SYSEMU_TPM_BACKEND_H
#define SYSEMU_TPM_BACKEND_H

#include <json-glib/json-glib.h>
#include "qemu/option.h"
#include "qemu/queue.h"
#include "sysemu/tpm_util.h"

typedef struct TPMBackend TPMBackend;

/**
 * struct TPMBackendCmd: one command in flight, owned by the front end,
 * which must keep it and both buffers alive until completion.
 * @locty: the locality the command was sent from.
 * @in, @in_len: the command (at least TPM_HEADER_SIZE bytes).
 * @out, @out_len: room for the answer; on completion @out holds a whole
 *                 response whose header size is <= @out_len.
 */
typedef struct TPMBackendCmd {
    uint8_t locty;
    const uint8_t *in;
    uint32_t in_len;
    uint8_t *out;
    uint32_t out_len;
} TPMBackendCmd;

/**
 * TPMRequestCompleted: the front end's completion callback.
 * @ret: 0 when @out holds the TPM's answer; negative when the back end
 *       could not run the command (@out then holds a fatal-error answer).
 */
typedef void TPMRequestCompleted(void *opaque, int ret);

/**
 * struct TPMBackendOps: what a back-end type implements.  Mandatory:
 * every member.
 * @type: the -tpmdev type name ("emulator").
 * @desc: one line for -tpmdev help.
 * @create: parse the type's options and connect; set the result's @id
 *          to a copy of @id.  Returns NULL with @errp set on failure; the
 *          result is owned by the registry, which frees @id after
 *          @destroy.
 * @startup_tpm: (re)initialise the TPM for a machine that was just reset,
 *               with I/O buffers of @wanted bytes; *@actual receives the
 *               size to use.  May reconnect a lost emulator.  May finish
 *               in the background (commands queue behind it); false only
 *               when the TPM is known at once not to start.
 * @deliver_request: start @cmd; call tpm_backend_request_completed()
 *                   when done (possibly before returning, on failure).
 * @finish_sync: if a command is in flight, complete it now (a reset:
 *               the emulator abandons it with a fatal-error answer rather
 *               than make the main loop wait for it).
 * @cancel_cmd: ask the TPM to abandon the command in flight.
 * @get_tpm_established_flag: the TPM's "established" (locality 3/4 was
 *                            used) flag.
 * @get_tpm_version: the TPM family.
 * @is_operational: false while the back end cannot run commands.
 * @get_options: add the type's options ({"chardev": ...}) to @o, for
 *               query-tpm.
 * @destroy: shut the TPM down (the emulator exits) and free.
 */
typedef struct TPMBackendOps {
    const char *type;
    const char *desc;
    TPMBackend *(*create)(const char *id, QemuOpts *opts, Error **errp);
    bool (*startup_tpm)(TPMBackend *tb, size_t wanted, size_t *actual,
                        Error **errp);
    void (*deliver_request)(TPMBackend *tb, TPMBackendCmd *cmd);
    void (*finish_sync)(TPMBackend *tb);
    void (*cancel_cmd)(TPMBackend *tb);
    bool (*get_tpm_established_flag)(TPMBackend *tb);
    TPMVersion (*get_tpm_version)(TPMBackend *tb);
    bool (*is_operational)(TPMBackend *tb);
    void (*get_options)(TPMBackend *tb, JsonObject *o);
    void (*destroy)(TPMBackend *tb);
} TPMBackendOps;

/**
 * struct TPMBackend: the common part, embedded first in each type's
 * state.  Fields are the registry's; types touch only @cmd through the
 * helpers below.
 * @id: -tpmdev id (owned).
 * @model: type name of the front end using it ("tpm-crb"), or NULL.
 * @completed, @opaque: the front end's completion callback.
 * @cmd: the command in flight, or NULL (borrowed from the front end).
 */
struct TPMBackend {
    const TPMBackendOps *ops;
    char *id;
    const char *model;
    TPMRequestCompleted *completed;
    void *opaque;
    TPMBackendCmd *cmd;
    QTAILQ_ENTRY(TPMBackend) next;
};

/**
 * tpm_backend_add_opts: handle one -tpmdev argument: "TYPE,id=ID,..." or
 * "help".  QEMU's messages ("Parameter 'id' is missing", "Parameter 'type'
 * expects a TPM backend type", "Duplicate ID 'ID' for tpmdev").
 */
bool tpm_backend_add_opts(const char *optarg, Error **errp);

/** tpm_backend_help: list the back-end types on stdout (-tpmdev help). */
void tpm_backend_help(void);

/** tpm_backend_find: the back end with id @id (borrowed), or NULL. */
TPMBackend *tpm_backend_find(const char *id);

/**
 * tpm_backend_init: attach a front end of type @model.  A back end serves
 * one front end ("TPM backend 'ID' is already in use by ...").
 */
bool tpm_backend_init(TPMBackend *tb, const char *model,
                      TPMRequestCompleted *completed, void *opaque,
                      Error **errp);
/** tpm_backend_deinit: detach the front end (finishing any command). */
void tpm_backend_deinit(TPMBackend *tb);

/**
 * tpm_backend_startup_tpm: see TPMBackendOps.startup_tpm.  A command in
 * flight is finished first.
 */
bool tpm_backend_startup_tpm(TPMBackend *tb, size_t wanted, size_t *actual,
                             Error **errp);
/**
 * tpm_backend_deliver_request: start @cmd.  A second command while one is
 * in flight is a front-end bug.
 */
void tpm_backend_deliver_request(TPMBackend *tb, TPMBackendCmd *cmd);
/**
 * tpm_backend_request_completed: for back-end types: @cmd is done;
 * forget it and call the front end.
 */
void tpm_backend_request_completed(TPMBackend *tb, int ret);
void tpm_backend_finish_sync(TPMBackend *tb);
void tpm_backend_cancel_cmd(TPMBackend *tb);
bool tpm_backend_get_tpm_established_flag(TPMBackend *tb);
TPMVersion tpm_backend_get_tpm_version(TPMBackend *tb);
bool tpm_backend_is_operational(TPMBackend *tb);
/** tpm_backend_is_busy: a command is in flight. */
bool tpm_backend_is_busy(TPMBackend *tb);

/** tpm_backend_register_commands: query-tpm, -models, -types. */
void tpm_backend_register_commands(void);
/**
 * tpm_backend_register_model: the front-end types built in, for
 * query-tpm-models (call from the type's registration).
 */
void tpm_backend_register_model(const char *model);
/** tpm_backend_cleanup: shut every back end down (at exit). */
void tpm_backend_cleanup(void);

#endif /* SYSEMU_TPM_BACKEND_H */
