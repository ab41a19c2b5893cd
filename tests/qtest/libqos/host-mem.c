/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * host-mem.c: allocation of a VM's memfds and backing files, seen from
 * the test process (see host-mem.h).  stat() of /proc/PID/fd/N follows
 * the link to the memfd's inode, whose st_blocks counts the pages it
 * holds; holes punched by discarding are not counted.
 */
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "libqos/host-mem.h"

static gint cmp_int(gconstpointer a, gconstpointer b)
{
    return *(const int *)a - *(const int *)b;
}

uint64_t qos_memfd_allocated(pid_t pid, const char *name, int nth)
{
    g_autofree char *dir = g_strdup_printf("/proc/%d/fd", (int)pid);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GArray) fds = g_array_new(FALSE, FALSE, sizeof(int));
    const char *ent;

    g_assert_nonnull(d);
    while ((ent = g_dir_read_name(d))) {
        g_autofree char *link = g_build_filename(dir, ent, NULL);
        g_autofree char *target = g_file_read_link(link, NULL);
        int fd = atoi(ent);

        if (target && g_str_has_prefix(target, "/memfd:") &&
            strstr(target, name)) {
            g_array_append_val(fds, fd);
        }
    }
    g_array_sort(fds, cmp_int);
    g_assert_cmpuint(fds->len, >, (guint)nth);
    {
        g_autofree char *path = g_strdup_printf("%s/%d", dir,
                                                g_array_index(fds, int, nth));
        struct stat st;

        g_assert_cmpint(stat(path, &st), ==, 0);
        return (uint64_t)st.st_blocks * 512;
    }
}

uint64_t qos_file_allocated(const char *path)
{
    struct stat st;

    g_assert_cmpint(stat(path, &st), ==, 0);
    return (uint64_t)st.st_blocks * 512;
}
