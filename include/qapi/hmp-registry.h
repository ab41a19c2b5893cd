/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hmp-registry.h: the table through which subsystems offer HMP commands
 * (reached through human-monitor-command), without depending on the
 * monitor or on JSON.  monitor/hmp.c parses and dispatches the lines.
 *
 * Threads: main loop thread only.
 */
#ifndef QAPI_HMP_REGISTRY_H
#define QAPI_HMP_REGISTRY_H

#include <glib.h>
#include "qemu/typedefs.h"

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

/**
 * hmp_append_error: append what HMP prints for a failed command to @out:
 * "Error: " and @err's message, then its hint (error_get_hint()) line by
 * line, as QEMU prints it on the monitor; every line ends with @eol ("\n"
 * for a command's output, "\r\n" for text sent to the client as is).
 * @err may be NULL ("Error: failed").
 */
void hmp_append_error(GString *out, const Error *err, const char *eol);

const HmpCommand *hmp_find_command(const char *name);
void hmp_for_each_command(void (*fn)(const HmpCommand *cmd, void *opaque),
                          void *opaque);

#endif /* QAPI_HMP_REGISTRY_H */
