/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pidfile.c: see pidfile.h.
 */
#include "qemu/osdep.h"
#include "qemu/pidfile.h"

static int pidfile_fd = -1;
static struct stat pidfile_st;

bool qemu_write_pidfile(const char *path, Error **errp)
{
    g_autofree char *pid = g_strdup_printf("%d\n", (int)getpid());
    struct stat st;
    int fd;

    g_assert(pidfile_fd < 0);
    /* O_NONBLOCK: opening a FIFO must not wait for a reader */
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
              0600);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Cannot open pid file '%s'", path);
        return false;
    }
    if (fstat(fd, &st) < 0) {
        error_setg_errno(errp, errno, "Cannot open pid file '%s'", path);
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        error_setg(errp, "Cannot use pid file '%s': not a regular file",
                   path);
        goto fail;
    }
    if (lockf(fd, F_TLOCK, 0) < 0) {
        error_setg_errno(errp, errno, "Cannot lock pid file '%s'%s", path,
                         errno == EAGAIN || errno == EACCES ?
                         " (another process holds it)" : "");
        goto fail;
    }
    if (ftruncate(fd, 0) < 0) {
        error_setg_errno(errp, errno, "Failed to truncate pid file '%s'",
                         path);
        goto fail;
    }
    if (qemu_write_full(fd, pid, strlen(pid)) != strlen(pid)) {
        error_setg_errno(errp, errno, "Failed to write pid file '%s'", path);
        goto fail;
    }
    pidfile_fd = fd;
    pidfile_st = st;
    return true;

fail:
    close(fd);
    return false;
}

void qemu_unlink_pidfile(const char *path)
{
    struct stat st;

    if (pidfile_fd < 0) {
        return;
    }
    /* someone may have put another file there meanwhile: leave it */
    if (stat(path, &st) == 0 && st.st_dev == pidfile_st.st_dev &&
        st.st_ino == pidfile_st.st_ino) {
        unlink(path);
    }
    close(pidfile_fd);
    pidfile_fd = -1;
}
