/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-log.c: the guest-error log of a VM (see guest-log.h). */
#include <string.h>
#include <unistd.h>
#include "libqtest.h"
#include "libqos/guest-log.h"

char *qos_guest_log_args(char **path)
{
    static int n;

    *path = g_strdup_printf("%s/guest-errors-%d-%d.log", qtest_tmpdir(),
                            getpid(), n++);
    return g_strdup_printf("-d guest_errors -D %s", *path);
}

void qos_assert_logged(const char *path, const char *needle)
{
    g_autofree char *text = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    if (!strstr(text, needle)) {
        g_error("the guest-error log lacks '%s'; it says:\n%s", needle,
                text);
    }
}
