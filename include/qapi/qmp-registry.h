/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-registry.h: the tables through which subsystems offer QMP and HMP
 * commands and QMP events, without depending on the monitor.
 *
 * Only monitor/, qapi/ and the code scripts/qapi-gen.py generates (and
 * white-box tests) include this header: it speaks json-glib.  Subsystems
 * register typed handlers through the generated qapi/qapi-commands.h and
 * send events through qapi/qapi-events.h; the generated marshallers land
 * here (flag QMP_CMD_TYPED: they check their arguments themselves).
 * Commands registered directly (tests, query-qmp-schema) have their
 * arguments validated against a QmpArgSpec list with QEMU's messages.
 * Event data goes out through qapi_event_send(), which the monitor hooks.
 * HMP commands and named fds, which need no JSON, have headers of their
 * own (qapi/hmp-registry.h, qapi/qmp-fds.h).
 *
 * Threads: everything here runs on the main loop thread, except
 * qapi_event_send(), which may be called from any thread (the event is
 * handed to the main loop).
 */
#ifndef QAPI_QMP_REGISTRY_H
#define QAPI_QMP_REGISTRY_H

#include <json-glib/json-glib.h>
#include "qapi/hmp-registry.h"
#include "qapi/qmp-defer.h"
#include "qapi/qmp-fds.h"

/** Argument types, named as QEMU's errors name them ("expected: ..."). */
typedef enum QmpArgType {
    QMP_ARG_STR,        /* "string" */
    QMP_ARG_INT,        /* "integer", any int64 */
    QMP_ARG_UINT,       /* "integer", non-negative (uint64: up to 2^64-1) */
    QMP_ARG_SIZE,       /* "integer", as UINT */
    QMP_ARG_BOOL,       /* "boolean" */
    QMP_ARG_NUMBER,     /* "number": int or float */
    QMP_ARG_OBJECT,     /* "object" */
    QMP_ARG_ARRAY,      /* "array" */
    QMP_ARG_ANY,        /* any JSON value */
} QmpArgType;

/**
 * struct QmpArgSpec: one argument of a command; a list ends with a NULL
 * @name.
 * @enum_values: for QMP_ARG_STR, the accepted values (NULL: any string);
 *               others get "Parameter 'NAME' does not accept value 'X'".
 */
typedef struct QmpArgSpec {
    const char *name;
    QmpArgType type;
    bool optional;
    const char *const *enum_values;
} QmpArgSpec;

/**
 * QmpCommandFunc: run a command.
 * @args: the validated arguments (never NULL; empty object if none);
 *        borrowed.  Read them with the qmp_arg_get_*() helpers.
 * @ret: on success, set to the "return" value (NULL means {}); owned by
 *       the caller.
 * Returns: false with @errp set on failure.
 */
typedef bool (*QmpCommandFunc)(JsonObject *args, JsonNode **ret,
                               Error **errp);

/* Command flags */
#define QMP_CMD_ALLOW_PRECONFIG (1u << 0)  /* usable before caps negotiation */
#define QMP_CMD_HIDDEN          (1u << 1)  /* not in query-commands */
/*
 * The command's marshaller (generated from the schema, qapi-gen.py)
 * checks the arguments itself; @args is NULL.
 */
#define QMP_CMD_TYPED           (1u << 2)

/**
 * qmp_register_command: offer @name.  @args lives as long as the program
 * (a static array).  Registering a name twice is a caller bug.
 */
void qmp_register_command(const char *name, QmpCommandFunc fn,
                          const QmpArgSpec *args, unsigned flags);

typedef struct QmpCommand {
    const char *name;
    QmpCommandFunc fn;
    const QmpArgSpec *args;
    unsigned flags;
} QmpCommand;

/** qmp_find_command: the registration of @name, or NULL. */
const QmpCommand *qmp_find_command(const char *name);
/** qmp_for_each_command: in registration order. */
void qmp_for_each_command(void (*fn)(const QmpCommand *cmd, void *opaque),
                          void *opaque);

/**
 * qmp_arg_get_uint: read integer member @name of @args as uint64; @dflt if
 * absent.  json-glib keeps integers as int64 bit patterns, so 2^64-1 and
 * -1 read the same: QEMU also accepts negative numbers for uint64
 * arguments and wraps them, so the behaviour matches.
 */
uint64_t qmp_arg_get_uint(JsonObject *args, const char *name, uint64_t dflt);
/** qmp_arg_get_int / _bool / _str: typed reads with a default. */
int64_t qmp_arg_get_int(JsonObject *args, const char *name, int64_t dflt);
bool qmp_arg_get_bool(JsonObject *args, const char *name, bool dflt);
/** qmp_arg_get_str: borrowed from @args, or @dflt. */
const char *qmp_arg_get_str(JsonObject *args, const char *name,
                            const char *dflt);


/* --------------------------------------------------------------- events */

/**
 * qapi_event_send: emit event @name with @data (may be NULL; ownership is
 * taken).  The monitor adds the timestamp, applies QEMU's rate limits
 * (e.g. MEMORY_DEVICE_SIZE_CHANGE per device) and sends it to every QMP
 * client that finished capabilities negotiation.  Thread-safe.
 */
void qapi_event_send(const char *name, JsonObject *data);

typedef void (*QapiEventEmitter)(const char *name, JsonObject *data);
/** qapi_event_set_emitter: install the monitor's emitter (or a test's). */
void qapi_event_set_emitter(QapiEventEmitter emitter);

/* ------------------------------------------------------ deferred replies */

/*
 * QmpReturn, qmp_return_defer() and qmp_return_cancel() are in
 * qapi/qmp-defer.h (no JSON); subsystems complete a deferred reply with
 * the generated qmp_return_CMD() of qapi/qapi-commands.h, which converts
 * the C reply and calls this.
 */

/**
 * qmp_return_complete: send the reply of a deferred command: "return"
 * @ret ({} if NULL) or the error @err (ownership of both is taken), and
 * let the monitor read its client's input again.  If the client left in
 * the meantime, the reply is dropped.  Frees @r.
 * Context: main loop thread, not inside the handler that deferred.
 */
void qmp_return_complete(QmpReturn *r, JsonNode *ret, Error *err);

typedef struct QmpReturnOps {
    QmpReturn *(*defer)(void);
    void (*complete)(QmpReturn *r, JsonNode *ret, Error *err);
    void (*cancel)(QmpReturn *r);
} QmpReturnOps;
/** qmp_set_return_ops: installed by the monitor (NULL: none). */
void qmp_set_return_ops(const QmpReturnOps *ops);

#endif /* QAPI_QMP_REGISTRY_H */
