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
 * struct LogRateLimit: one call site of a message the guest can trigger
 * (it goes to stderr, which the guest must not be able to flood).  A
 * static instance per site, LOG_RATE_LIMIT_INIT(burst, seconds): at most
 * @burst messages per @window_us; the rest are counted, and the next
 * message printed says how many similar ones were suppressed.
 * @window_start_us: g_get_monotonic_time() of the window's first message.
 * @printed: messages printed in the current window.
 * @suppressed: messages dropped since the last one printed.
 * Protected by a lock in log.c (sites may be reached from any thread).
 */
typedef struct LogRateLimit {
    unsigned burst;
    int64_t window_us;
    int64_t window_start_us;
    unsigned printed;
    uint64_t suppressed;
} LogRateLimit;

#define LOG_RATE_LIMIT_INIT(burst_, seconds_) \
    { .burst = (burst_), .window_us = (int64_t)(seconds_) * 1000000 }

/* What guest-triggered messages use unless they have a reason not to. */
#define LOG_RATE_LIMIT_DEFAULT LOG_RATE_LIMIT_INIT(3, 60)

/**
 * error_report_ratelimited / warn_report_ratelimited: error_report() /
 * warn_report() unless @rl's budget for the current window is spent.
 * Returns: true if the message was printed.
 * Context: any thread.
 */
bool error_report_ratelimited(LogRateLimit *rl, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
bool warn_report_ratelimited(LogRateLimit *rl, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

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
