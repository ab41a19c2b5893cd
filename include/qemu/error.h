/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * error.h: the Error object every fallible control-plane function reports
 * through, and the stderr reporting helpers.
 *
 * Convention (STYLE.md): a fallible function takes `Error **errp` as its
 * last argument and returns bool (true on success) or a negative value.  On
 * failure it sets exactly one error; it never reads *errp and never both
 * reports and returns an error.  @errp may be NULL (caller ignores the
 * error), &error_abort (a failure is a programming error) or &error_fatal
 * (a failure ends the process: used only while parsing the command line).
 *
 * The error class is what QMP puts in {"error": {"class": ...}}; almost
 * every error is GenericError, as in QEMU.
 *
 * An error may also carry a hint (error_append_hint()): advice for a
 * person, printed after the message on the command line and in HMP
 * (error_report_err(), error_get_hint()), and, as in QEMU, never part of
 * a QMP reply or event, which carry error_get_pretty() only.
 */
#ifndef QEMU_ERROR_H
#define QEMU_ERROR_H

typedef enum ErrorClass {
    ERROR_CLASS_GENERIC_ERROR,
    ERROR_CLASS_COMMAND_NOT_FOUND,
    ERROR_CLASS_DEVICE_NOT_ACTIVE,
    ERROR_CLASS_DEVICE_NOT_FOUND,
    ERROR_CLASS_KVM_MISSING_CAP,
} ErrorClass;

/* Special values for errp, as in QEMU. */
extern Error *error_abort;
extern Error *error_fatal;

/**
 * error_setg: set a GenericError with a printf-style message.
 * @errp: where to store the new error; NULL to discard it.
 *
 * Context: *errp must be NULL (an error may be set at most once).
 */
#define error_setg(errp, ...) \
    error_set_internal((errp), ERROR_CLASS_GENERIC_ERROR, __FILE__, \
                       __LINE__, __VA_ARGS__)

/** error_set: like error_setg() with an explicit @err_class. */
#define error_set(errp, err_class, ...) \
    error_set_internal((errp), (err_class), __FILE__, __LINE__, __VA_ARGS__)

/**
 * error_setg_errno: error_setg() with ": strerror(@os_errno)" appended.
 */
#define error_setg_errno(errp, os_errno, ...) \
    error_setg_errno_internal((errp), (os_errno), __FILE__, __LINE__, \
                              __VA_ARGS__)

void error_set_internal(Error **errp, ErrorClass err_class, const char *src,
                        int line, const char *fmt, ...) G_GNUC_PRINTF(5, 6);
void error_setg_errno_internal(Error **errp, int os_errno, const char *src,
                               int line, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);

/**
 * error_propagate: move @local_err into @dst_errp.
 *
 * If @dst_errp is NULL the error is freed; if it is &error_abort or
 * &error_fatal the corresponding action is taken.  If *@dst_errp is already
 * set, @local_err is freed (the first error wins).
 */
void error_propagate(Error **dst_errp, Error *local_err);

/** error_prepend: prefix the message of *@errp (if set) with a format. */
void error_prepend(Error **errp, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/**
 * error_append_hint: append a printf-style hint to *@errp (if set).
 *
 * The hint is kept apart from the message: error_get_pretty() (and so
 * QMP) leaves it out; error_report_err() prints it on lines of its own
 * after the message.  Each call adds text ending in a newline (one is
 * added if @fmt has none), so hints may be appended several times.
 * Context: as in QEMU, a hint appended to an error already handed to
 * &error_fatal or &error_abort is never seen: they act at once.
 */
void error_append_hint(Error **errp, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/**
 * error_get_pretty: the message of @err, without its hint -- what QMP
 * sends as "desc"; borrowed, valid until freed.
 */
const char *error_get_pretty(const Error *err);

/**
 * error_get_hint: the hint of @err, lines each ending in a newline, or
 * NULL if it has none; borrowed, valid until freed.
 */
const char *error_get_hint(const Error *err);

/** error_get_class: the QMP error class of @err. */
ErrorClass error_get_class(const Error *err);

/** error_free: free @err; NULL is fine. */
void error_free(Error *err);

/** error_free_or_abort: free *@errp and clear it; aborts if it is NULL. */
void error_free_or_abort(Error **errp);

/**
 * error_report_err: print @err to stderr (error_report style), then its
 * hint as it is (no prefix), and free it.
 */
void error_report_err(Error *err);

/**
 * error_reportf_err: error_report_err() with the message prefixed by a
 * printf-style @fmt ("-qtest unix:x: "), as in QEMU.
 */
void error_reportf_err(Error *err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/**
 * error_report: print "PROGNAME: MESSAGE\n" to stderr.
 *
 * The program name is set once by error_init().  While the command line is
 * parsed, the option being processed is printed too ("-m 1Q: ...").
 */
void error_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/** warn_report: as error_report() with a "warning: " prefix. */
void warn_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/** info_report: as error_report() with an "info: " prefix. */
void info_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/** error_init: remember @argv0's base name for error_report(). */
void error_init(const char *argv0);

/**
 * error_set_location: name the command-line option being processed (NULL
 * when done).  error_report() prefixes messages with it.  Borrowed.
 */
void error_set_location(const char *location);

/**
 * error_set_timestamps: prefix every report with the UTC time, as QEMU's
 * -msg timestamp=on does ("2026-12-06T01:02:03.456789Z ").
 */
void error_set_timestamps(bool on);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Error, error_free)

#endif /* QEMU_ERROR_H */
