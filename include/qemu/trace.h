/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trace.h: named trace points, enabled at run time with
 * `-trace PATTERN` / `-trace enable=PATTERN` (glob, may repeat) and written
 * to the log (`-D FILE`, else stderr) with a timestamp.
 *
 * A trace point costs one branch when tracing is off:
 *     trace_event("virtio_mem_plug", "addr=0x%" PRIx64, addr);
 */
#ifndef QEMU_TRACE_H
#define QEMU_TRACE_H

/** trace_enabled_any: true once any pattern was enabled. */
extern bool trace_any_enabled;

/** trace_event_enabled: true if @name matches an enabled pattern. */
bool trace_event_enabled(const char *name);

void trace_event_emit(const char *name, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

#define trace_event(name, ...) do {                     \
    if (unlikely(trace_any_enabled) && trace_event_enabled(name)) { \
        trace_event_emit(name, __VA_ARGS__);            \
    }                                                   \
} while (0)

/** trace_enable_pattern: enable trace points matching the glob @pattern. */
void trace_enable_pattern(const char *pattern);

/**
 * trace_opt_parse: handle the argument of `-trace`: "PATTERN",
 * "enable=PATTERN" or "events=FILE" (one pattern per line), "file=FILE".
 */
bool trace_opt_parse(const char *optarg, Error **errp);

#endif /* QEMU_TRACE_H */
