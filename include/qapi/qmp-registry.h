/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-registry.h: the tables through which subsystems offer QMP and HMP
 * commands and QMP events, without depending on the monitor.
 *
 * A subsystem registers its commands once at start-up (from its
 * *_register_commands() function, called by softmmu/vl.c); monitor/
 * parses the wire protocol, validates arguments against the declared
 * QmpArgSpec list with QEMU's error messages, and calls the handler.  Event
 * data goes out through qapi_event_send(), which the monitor hooks.  Both
 * sides talk JSON as json-glib objects.
 *
 * Threads: everything here runs on the main loop thread, except
 * qapi_event_send(), which may be called from any thread (the event is
 * handed to the main loop).
 */
#ifndef QAPI_QMP_REGISTRY_H
#define QAPI_QMP_REGISTRY_H

#include <json-glib/json-glib.h>

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


/* ------------------------------------------------------------------ HMP */

/**
 * HmpCommandFunc: run an HMP command.
 * @argv: the words after the command name (quotes removed), NULL-ended.
 * @out: append the command's output here (lines end with "\n").
 * Returns: false with @errp set on failure (printed as "Error: ...").
 */
typedef bool (*HmpCommandFunc)(int argc, char **argv, GString *out,
                               Error **errp);

/**
 * hmp_register_command: offer @name ("stop", or "info mtree" for an info
 * subcommand) with a one-line @params and @help for `help`.
 */
void hmp_register_command(const char *name, const char *params,
                          const char *help, HmpCommandFunc fn);

typedef struct HmpCommand {
    const char *name;
    const char *params;
    const char *help;
    HmpCommandFunc fn;
} HmpCommand;

const HmpCommand *hmp_find_command(const char *name);
void hmp_for_each_command(void (*fn)(const HmpCommand *cmd, void *opaque),
                          void *opaque);

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

/* ------------------------------------------------------------ named fds */

/**
 * qmp_take_named_fd: remove the fd passed with `getfd` as @name from the
 * monitor that is running the current command, and return it (the caller
 * owns it now).
 * Errors: "File descriptor named '%s' has not been found".
 */
int qmp_take_named_fd(const char *name, Error **errp);

typedef int (*QmpFdTaker)(const char *name, Error **errp);
/** qmp_set_fd_taker: installed by the monitor. */
void qmp_set_fd_taker(QmpFdTaker taker);

/* ------------------------------------------------------ deferred replies */

/**
 * QmpReturn: the pending reply of a command that answers later (as
 * QEMU's coroutine commands are seen by the client): the command returns
 * at once, its monitor stops reading that client's input (so replies
 * stay in order), and every other monitor, qtest and the main loop carry
 * on; qmp_return_complete() sends the reply, with the request's "id".
 * Opaque.
 */
typedef struct QmpReturn QmpReturn;

/**
 * qmp_return_defer: called by a command handler (a QMP command, or an
 * HMP command run by human-monitor-command) that will answer later.  The
 * handler then returns true; what it puts in @ret is ignored.
 * Returns: the token to complete (exactly once), or NULL when no monitor
 * is dispatching a command (the caller must then run synchronously).
 * Context: main loop thread, inside a command handler.
 */
QmpReturn *qmp_return_defer(void);

/**
 * qmp_return_complete: send the reply of a deferred command: "return"
 * @ret ({} if NULL) or the error @err (ownership of both is taken), and
 * let the monitor read its client's input again.  If the client left in
 * the meantime, the reply is dropped.  Frees @r.
 * Context: main loop thread, not inside the handler that deferred.
 */
void qmp_return_complete(QmpReturn *r, JsonNode *ret, Error *err);

/**
 * qmp_return_cancel: the handler that called qmp_return_defer() fails
 * synchronously after all: its return value and error are the reply, as
 * usual.  Frees @r.  Context: inside that handler.
 */
void qmp_return_cancel(QmpReturn *r);

typedef struct QmpReturnOps {
    QmpReturn *(*defer)(void);
    void (*complete)(QmpReturn *r, JsonNode *ret, Error *err);
    void (*cancel)(QmpReturn *r);
} QmpReturnOps;
/** qmp_set_return_ops: installed by the monitor (NULL: none). */
void qmp_set_return_ops(const QmpReturnOps *ops);

#endif /* QAPI_QMP_REGISTRY_H */
