/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guest-log.h: checks on the log a VM writes with `-d guest_errors -D
 * FILE`, where devices explain what a driver did wrong.  Tests of hostile
 * drivers use it to check a refusal happened for the reason they meant.
 */
#ifndef LIBQOS_GUEST_LOG_H
#define LIBQOS_GUEST_LOG_H

/**
 * qos_guest_log_args: the option text that sends guest errors to a new
 * file under qtest_tmpdir(); *@path receives the file name (g_free it,
 * unlink it when done).
 * Returns: a new string to add to the command line.
 */
char *qos_guest_log_args(char **path);

/** qos_assert_logged: the log at @path must contain @needle. */
void qos_assert_logged(const char *path, const char *needle);

#endif /* LIBQOS_GUEST_LOG_H */
