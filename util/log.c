/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.c: the -d / -D debug log and the trace points written to it.
 *
 * Writes may come from the dump thread as well as the main loop; stdio
 * locks each fprintf, which is all the ordering we promise.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qemu/log.h"
#include "qemu/trace.h"

static int loglevel;
static FILE *logfile;
static uint64_t guest_errors;

bool trace_any_enabled;
static GPtrArray *trace_patterns;

static const struct {
    int mask;
    const char *name;
    const char *help;
} log_items[] = {
    { LOG_GUEST_ERROR, "guest_errors",
      "log when the guest OS does something invalid (eg accessing a\n"
      "non-existent register)" },
    { LOG_UNIMP, "unimp", "log unimplemented functionality" },
    { LOG_TRACE, "trace", "show trace events (see -trace)" },
};

bool qemu_loglevel_mask(int mask)
{
    return (loglevel & mask) != 0;
}

static FILE *log_stream(void)
{
    return logfile ? logfile : stderr;
}

void qemu_log(const char *fmt, ...)
{
    va_list ap;
    FILE *f = log_stream();

    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fflush(f);
}

void qemu_log_count_guest_error(void)
{
    __atomic_fetch_add(&guest_errors, 1, __ATOMIC_RELAXED);
}

uint64_t qemu_log_guest_errors_count(void)
{
    return __atomic_load_n(&guest_errors, __ATOMIC_RELAXED);
}

bool qemu_set_log(const char *items, Error **errp)
{
    g_auto(GStrv) names = g_strsplit(items, ",", -1);
    int mask = 0;

    for (char **n = names; *n; n++) {
        bool found = false;

        if (!strcmp(*n, "none")) {
            continue;
        }
        for (size_t i = 0; i < ARRAY_SIZE(log_items); i++) {
            if (!strcmp(*n, log_items[i].name)) {
                mask |= log_items[i].mask;
                found = true;
            }
        }
        if (!found) {
            error_setg(errp, "Invalid -d option \"%s\"", *n);
            return false;
        }
    }
    loglevel = mask;
    return true;
}

bool qemu_set_log_filename(const char *filename, Error **errp)
{
    FILE *f = fopen(filename, "a");

    if (!f) {
        error_setg_errno(errp, errno, "Could not open log file '%s'",
                         filename);
        return false;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    if (logfile) {
        fclose(logfile);
    }
    logfile = f;
    return true;
}

void qemu_log_help(void)
{
    printf("Log items (comma separated):\n");
    for (size_t i = 0; i < ARRAY_SIZE(log_items); i++) {
        printf("%-15s %s\n", log_items[i].name, log_items[i].help);
    }
}

void trace_enable_pattern(const char *pattern)
{
    if (!trace_patterns) {
        trace_patterns = g_ptr_array_new_with_free_func(g_free);
    }
    g_ptr_array_add(trace_patterns, g_strdup(pattern));
    trace_any_enabled = true;
}

bool trace_event_enabled(const char *name)
{
    if (!trace_patterns) {
        return false;
    }
    for (guint i = 0; i < trace_patterns->len; i++) {
        if (g_pattern_match_simple(trace_patterns->pdata[i], name)) {
            return true;
        }
    }
    return false;
}

void trace_event_emit(const char *name, const char *fmt, ...)
{
    va_list ap;
    FILE *f = log_stream();
    gint64 now = g_get_real_time();
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(f, "%d@%" G_GINT64_FORMAT ".%06" G_GINT64_FORMAT ":%s %s\n",
            (int)getpid(), now / G_USEC_PER_SEC, now % G_USEC_PER_SEC,
            name, msg);
    fflush(f);
}

bool trace_opt_parse(const char *optarg, Error **errp)
{
    g_auto(GStrv) parts = g_strsplit(optarg, ",", -1);

    for (char **p = parts; *p; p++) {
        if (g_str_has_prefix(*p, "enable=")) {
            trace_enable_pattern(*p + strlen("enable="));
        } else if (g_str_has_prefix(*p, "file=")) {
            if (!qemu_set_log_filename(*p + strlen("file="), errp)) {
                return false;
            }
        } else if (g_str_has_prefix(*p, "events=")) {
            g_autofree char *contents = NULL;
            g_autoptr(GError) gerr = NULL;
            g_auto(GStrv) lines = NULL;

            if (!g_file_get_contents(*p + strlen("events="), &contents, NULL,
                                     &gerr)) {
                error_setg(errp, "%s", gerr->message);
                return false;
            }
            lines = g_strsplit(contents, "\n", -1);
            for (char **l = lines; *l; l++) {
                g_strstrip(*l);
                if (**l && **l != '#') {
                    trace_enable_pattern(*l);
                }
            }
        } else if (strchr(*p, '=')) {
            error_setg(errp, "Invalid parameter '%.*s' for -trace",
                       (int)(strchr(*p, '=') - *p), *p);
            return false;
        } else {
            trace_enable_pattern(*p);
        }
    }
    return true;
}

/* ------------------------------------------------ rate-limited reports */

static GMutex rate_limit_lock;

/*
 * Decide under the lock whether @rl may print now; returns the number of
 * messages suppressed before this one (to be said), or -1 to drop it.
 */
static int64_t rate_limit_take(LogRateLimit *rl)
{
    int64_t now = g_get_monotonic_time();
    int64_t ret = -1;

    g_mutex_lock(&rate_limit_lock);
    if (!rl->printed || now - rl->window_start_us >= rl->window_us) {
        rl->window_start_us = now;
        rl->printed = 0;
    }
    if (rl->printed < MAX(rl->burst, 1)) {
        rl->printed++;
        ret = rl->suppressed;
        rl->suppressed = 0;
    } else {
        rl->suppressed++;
    }
    g_mutex_unlock(&rate_limit_lock);
    return ret;
}

static bool report_ratelimited(LogRateLimit *rl, bool warn, const char *fmt,
                               va_list ap)
{
    int64_t suppressed = rate_limit_take(rl);
    g_autofree char *msg = NULL;

    if (suppressed < 0) {
        return false;
    }
    msg = g_strdup_vprintf(fmt, ap);
    if (suppressed) {
        char *more = g_strdup_printf("%s (%" PRId64 " similar messages "
                                     "suppressed)", msg, suppressed);

        g_free(msg);
        msg = more;
    }
    if (warn) {
        warn_report("%s", msg);
    } else {
        error_report("%s", msg);
    }
    return true;
}

bool error_report_ratelimited(LogRateLimit *rl, const char *fmt, ...)
{
    va_list ap;
    bool ret;

    va_start(ap, fmt);
    ret = report_ratelimited(rl, false, fmt, ap);
    va_end(ap);
    return ret;
}

bool warn_report_ratelimited(LogRateLimit *rl, const char *fmt, ...)
{
    va_list ap;
    bool ret;

    va_start(ap, fmt);
    ret = report_ratelimited(rl, true, fmt, ap);
    va_end(ap);
    return ret;
}
