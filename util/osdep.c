/* SPDX-License-Identifier: GPL-2.0-or-later */
/* osdep.c: host facts and I/O helpers declared in osdep.h. */
#include "qemu/osdep.h"

size_t qemu_real_host_page_size(void)
{
    static size_t page_size;

    if (!page_size) {
        page_size = sysconf(_SC_PAGESIZE);
    }
    return page_size;
}

size_t qemu_write_full(int fd, const void *buf, size_t count)
{
    size_t done = 0;

    while (done < count) {
        ssize_t n = write(fd, (const char *)buf + done, count - done);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        if (n == 0) {
            errno = ENOSPC;
            break;
        }
        done += n;
    }
    return done;
}
