/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-error.c: the Error object's hints (util/error.c): kept apart from
 * the message that QMP sends (error_get_pretty()), appended line by line,
 * kept through error_propagate() and error_prepend(), printed after the
 * message by error_report_err() and error_reportf_err(); appending to no
 * error does nothing.  stderr is captured in a file.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "stderr-capture.h"

static char *tmpdir;

static void test_hint_apart(void)
{
    Error *err = NULL;
    Error *dst = NULL;

    error_setg(&err, "Parameter '%s' expects an identifier", "id");
    g_assert_null(error_get_hint(err));
    error_append_hint(&err, "Identifiers consist of %s.\n", "letters");
    /* no newline of its own: one is added */
    error_append_hint(&err, "and so on");
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'id' expects an identifier");
    g_assert_cmpstr(error_get_hint(err), ==,
                    "Identifiers consist of letters.\nand so on\n");
    /* the hint travels with the error */
    error_propagate(&dst, err);
    error_prepend(&dst, "object-add: ");
    g_assert_cmpstr(error_get_pretty(dst), ==,
                    "object-add: Parameter 'id' expects an identifier");
    g_assert_cmpstr(error_get_hint(dst), ==,
                    "Identifiers consist of letters.\nand so on\n");
    error_free(dst);
}

static void test_hint_nowhere(void)
{
    Error *err = NULL;

    /* no error, or nowhere to put one: nothing happens */
    error_append_hint(NULL, "ignored");
    error_append_hint(&err, "ignored");
    g_assert_null(err);
    error_setg(&err, "boom");
    error_append_hint(&err, "%s", "");
    g_assert_null(error_get_hint(err));
    error_free(err);
}

static void test_report(void)
{
    StderrCapture c;
    g_autofree char *text = NULL;
    Error *err = NULL;

    error_init("/usr/bin/prog");
    stderr_capture_begin(&c, tmpdir);
    error_setg(&err, "message");
    error_append_hint(&err, "first hint line\n");
    error_append_hint(&err, "second");
    error_report_err(err);
    err = NULL;
    error_setg(&err, "plain");
    error_report_err(err);
    err = NULL;
    error_setg(&err, "no such socket");
    error_append_hint(&err, "is the path right?");
    error_reportf_err(err, "-qtest %s: ", "unix:x");
    text = stderr_capture_end(&c);
    g_assert_cmpstr(text, ==, "prog: message\n"
                    "first hint line\n"
                    "second\n"
                    "prog: plain\n"
                    "prog: -qtest unix:x: no such socket\n"
                    "is the path right?\n");
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("test-error-XXXXXX", NULL);
    g_assert(tmpdir);
    g_test_add_func("/error/hint/apart", test_hint_apart);
    g_test_add_func("/error/hint/nowhere", test_hint_nowhere);
    g_test_add_func("/error/hint/report", test_report);
    ret = g_test_run();
    rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
