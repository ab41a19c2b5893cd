/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h: the debug log enabled with `-d ITEM[,ITEM...]` and redirected
 * with `-D FILE`, as in QEMU.  Guest errors (a driver doing something the
 * device model refuses) are logged under "guest_errors"; they are never
 * reported on stderr unless asked for, since a guest must not be able to
 * flood the host's terminal.
 */
#ifndef QEMU_LOG_H
#define QEMU_LOG_H

#define LOG_GUEST_ERROR (1 << 0)
#define LOG_UNIMP       (1 << 1)
#define LOG_TRACE       (1 << 2)

/** qemu_loglevel_mask: true if any of @mask is enabled. */
bool qemu_loglevel_mask(int mask);

/** qemu_log: write to the log unconditionally (no-op when not open). */
void qemu_log(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/** qemu_log_mask: qemu_log() when any of @mask is enabled. */
#define qemu_log_mask(mask, ...) do {           \
    if (qemu_loglevel_mask(mask)) {             \
        qemu_log(__VA_ARGS__);                  \
    }                                           \
} while (0)

/**
 * qemu_log_guest_errors_count: number of LOG_GUEST_ERROR messages seen,
 * logged or not.  Tests use it to check a bad request was noticed.
 */
uint64_t qemu_log_guest_errors_count(void);
void qemu_log_count_guest_error(void);

/** qemu_log_guest_error: count and (if enabled) log a guest error. */
#define qemu_log_guest_error(...) do {          \
    qemu_log_count_guest_error();               \
    qemu_log_mask(LOG_GUEST_ERROR, __VA_ARGS__); \
} while (0)

/**
 * qemu_set_log: enable the items named in @items ("guest_errors,unimp",
 * "trace", "none", or "help" to list them).
 */
bool qemu_set_log(const char *items, Error **errp);
/** qemu_set_log_filename: log to @filename instead of stderr. */
bool qemu_set_log_filename(const char *filename, Error **errp);
/** qemu_log_help: print the known -d items to stdout. */
void qemu_log_help(void);

#endif /* QEMU_LOG_H */
