/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * error.c: the Error object and stderr reporting.
 *
 * An Error carries a class (for QMP), a message written for the person
 * at the monitor, and optionally a hint: lines of advice that, as in
 * QEMU, are printed where a person reads them (the command line, HMP)
 * and never sent over QMP.  Source file and line are kept for
 * &error_abort reports.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"

struct Error {
    char *msg;
    GString *hint;          /* NULL, or lines each ending in '\n' */
    ErrorClass err_class;
    const char *src;
    int line;
};

Error *error_abort;
Error *error_fatal;

static char *prog_name;
static const char *cur_location;
static bool timestamps;

void error_init(const char *argv0)
{
    g_free(prog_name);
    prog_name = g_path_get_basename(argv0);
}

void error_set_location(const char *location)
{
    cur_location = location;
}

void error_set_timestamps(bool on)
{
    timestamps = on;
}

static void error_vprintf_prefixed(const char *prefix, const char *fmt,
                                   va_list ap)
{
    if (timestamps) {
        g_autoptr(GDateTime) now = g_date_time_new_now_utc();
        g_autofree char *ts = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S.%fZ");

        fprintf(stderr, "%s ", ts);
    }
    if (prog_name) {
        fprintf(stderr, "%s: ", prog_name);
    }
    if (cur_location) {
        fprintf(stderr, "%s: ", cur_location);
    }
    fputs(prefix, stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void error_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_vprintf_prefixed("", fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_vprintf_prefixed("warning: ", fmt, ap);
    va_end(ap);
}

void info_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_vprintf_prefixed("info: ", fmt, ap);
    va_end(ap);
}

/* the hint as QEMU's error_report_err() prints it: no prefix */
static void error_print_hint(const Error *err)
{
    if (err->hint) {
        fputs(err->hint->str, stderr);
    }
}

static void error_handle_special(Error **errp, Error *err)
{
    if (errp == &error_abort) {
        fprintf(stderr, "Unexpected error at %s:%d:\n", err->src, err->line);
        error_report("%s", err->msg);
        error_print_hint(err);
        abort();
    }
    if (errp == &error_fatal) {
        error_report("%s", err->msg);
        error_print_hint(err);
        exit(1);
    }
}

static void error_store(Error **errp, Error *err)
{
    if (!errp) {
        error_free(err);
        return;
    }
    error_handle_special(errp, err);
    assert(*errp == NULL);
    *errp = err;
}

static Error *error_new_v(ErrorClass err_class, const char *src, int line,
                          const char *fmt, va_list ap)
{
    Error *err = g_new0(Error, 1);

    err->msg = g_strdup_vprintf(fmt, ap);
    err->err_class = err_class;
    err->src = src;
    err->line = line;
    return err;
}

void error_set_internal(Error **errp, ErrorClass err_class, const char *src,
                        int line, const char *fmt, ...)
{
    va_list ap;

    if (!errp) {
        return;
    }
    va_start(ap, fmt);
    error_store(errp, error_new_v(err_class, src, line, fmt, ap));
    va_end(ap);
}

void error_setg_errno_internal(Error **errp, int os_errno, const char *src,
                               int line, const char *fmt, ...)
{
    va_list ap;
    Error *err;
    char *msg;

    if (!errp) {
        return;
    }
    va_start(ap, fmt);
    err = error_new_v(ERROR_CLASS_GENERIC_ERROR, src, line, fmt, ap);
    va_end(ap);
    if (os_errno) {
        msg = g_strdup_printf("%s: %s", err->msg, g_strerror(os_errno));
        g_free(err->msg);
        err->msg = msg;
    }
    error_store(errp, err);
}

void error_propagate(Error **dst_errp, Error *local_err)
{
    if (!local_err) {
        return;
    }
    if (!dst_errp) {
        error_free(local_err);
        return;
    }
    error_handle_special(dst_errp, local_err);
    if (*dst_errp) {
        error_free(local_err);
        return;
    }
    *dst_errp = local_err;
}

void error_prepend(Error **errp, const char *fmt, ...)
{
    va_list ap;
    char *prefix, *msg;

    if (!errp || !*errp) {
        return;
    }
    va_start(ap, fmt);
    prefix = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    msg = g_strconcat(prefix, (*errp)->msg, NULL);
    g_free(prefix);
    g_free((*errp)->msg);
    (*errp)->msg = msg;
}

void error_append_hint(Error **errp, const char *fmt, ...)
{
    va_list ap;
    Error *err;

    if (!errp || !*errp) {
        return;
    }
    err = *errp;
    if (!err->hint) {
        err->hint = g_string_new(NULL);
    }
    va_start(ap, fmt);
    g_string_append_vprintf(err->hint, fmt, ap);
    va_end(ap);
    /* QEMU's callers end their hints with a newline; ours need not */
    if (err->hint->len && err->hint->str[err->hint->len - 1] != '\n') {
        g_string_append_c(err->hint, '\n');
    }
}

const char *error_get_pretty(const Error *err)
{
    return err->msg;
}

const char *error_get_hint(const Error *err)
{
    return err->hint && err->hint->len ? err->hint->str : NULL;
}

ErrorClass error_get_class(const Error *err)
{
    return err->err_class;
}

void error_free(Error *err)
{
    if (err) {
        g_free(err->msg);
        if (err->hint) {
            g_string_free(err->hint, true);
        }
        g_free(err);
    }
}

void error_free_or_abort(Error **errp)
{
    assert(errp && *errp);
    error_free(*errp);
    *errp = NULL;
}

void error_report_err(Error *err)
{
    error_report("%s", err->msg);
    error_print_hint(err);
    error_free(err);
}

void error_reportf_err(Error *err, const char *fmt, ...)
{
    va_list ap;
    char *prefix, *msg;

    va_start(ap, fmt);
    prefix = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    msg = g_strconcat(prefix, err->msg, NULL);
    g_free(prefix);
    g_free(err->msg);
    err->msg = msg;
    error_report_err(err);
}
