/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-log.c: rate-limited reports (error_report_ratelimited): a burst
 * is printed, the rest counted, the next window says how many were
 * suppressed; four threads hammering one site print the burst exactly.
 * stderr is captured in a file.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qemu/log.h"
#include "stderr-capture.h"

static char *tmpdir;

static unsigned count_lines(const char *text)
{
    unsigned n = 0;

    for (; *text; text++) {
        n += *text == '\n';
    }
    return n;
}

static void test_burst_then_summary(void)
{
    static LogRateLimit rl = LOG_RATE_LIMIT_INIT(3, 1);
    StderrCapture c;
    g_autofree char *text = NULL;
    unsigned printed = 0;

    stderr_capture_begin(&c, tmpdir);
    for (int i = 0; i < 1000; i++) {
        printed += error_report_ratelimited(&rl, "guest did %d", i);
    }
    text = stderr_capture_end(&c);
    g_assert_cmpuint(printed, ==, 3);
    g_assert_cmpuint(count_lines(text), ==, 3);
    g_assert_nonnull(strstr(text, "guest did 0\n"));
    g_assert_nonnull(strstr(text, "guest did 2\n"));
    g_assert_null(strstr(text, "guest did 3"));
    g_free(text);

    g_usleep(1100 * 1000);          /* the next window */
    stderr_capture_begin(&c, tmpdir);
    g_assert_true(warn_report_ratelimited(&rl, "guest did it again"));
    text = stderr_capture_end(&c);
    g_assert_cmpuint(count_lines(text), ==, 1);
    g_assert_nonnull(strstr(text, "warning: guest did it again (997 "
                            "similar messages suppressed)\n"));
}

static LogRateLimit shared_rl = LOG_RATE_LIMIT_INIT(5, 3600);

static gpointer hammer(gpointer opaque)
{
    unsigned printed = 0;

    for (int i = 0; i < 2000; i++) {
        printed += error_report_ratelimited(&shared_rl, "from a thread");
    }
    return GUINT_TO_POINTER(printed);
}

static void test_threads(void)
{
    GThread *t[4];
    unsigned printed = 0;
    StderrCapture c;
    g_autofree char *text = NULL;

    stderr_capture_begin(&c, tmpdir);
    for (int i = 0; i < 4; i++) {
        t[i] = g_thread_new("hammer", hammer, NULL);
    }
    for (int i = 0; i < 4; i++) {
        printed += GPOINTER_TO_UINT(g_thread_join(t[i]));
    }
    text = stderr_capture_end(&c);
    g_assert_cmpuint(printed, ==, 5);
    g_assert_cmpuint(count_lines(text), ==, 5);
    g_assert_cmpuint(shared_rl.suppressed, ==, 4 * 2000 - 5);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("test-log-XXXXXX", NULL);
    g_assert(tmpdir);
    g_test_add_func("/log/ratelimit/burst-then-summary",
                    test_burst_then_summary);
    g_test_add_func("/log/ratelimit/threads", test_threads);
    ret = g_test_run();
    rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
