/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hugepages.c: see hugepages.h.
 */
#include "qemu/osdep.h"
#include "hugepages.h"

#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"

long hugepage_pool_size(void)
{
    g_autofree char *text = NULL;

    return g_file_get_contents(NR_HUGEPAGES, &text, NULL, NULL) ?
           atol(text) : -1;
}

bool hugepage_pool_set(long n)
{
    g_autofree char *text = g_strdup_printf("%ld\n", n);
    size_t len = strlen(text);
    int fd = open(NR_HUGEPAGES, O_WRONLY | O_CLOEXEC);
    bool ok = fd >= 0 && write(fd, text, len) == (ssize_t)len;

    if (fd >= 0) {
        close(fd);
    }
    return ok && hugepage_pool_size() == n;
}

long hugepage_pool_free(void)
{
    g_autofree char *text = NULL;
    char *p;

    if (!g_file_get_contents("/proc/meminfo", &text, NULL, NULL) ||
        !(p = strstr(text, "HugePages_Free:"))) {
        return -1;
    }
    return atol(p + strlen("HugePages_Free:"));
}
