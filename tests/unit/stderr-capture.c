/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stderr-capture.c: see stderr-capture.h.
 */
#include "qemu/osdep.h"
#include "stderr-capture.h"

void stderr_capture_begin(StderrCapture *c, const char *dir)
{
    int fd;

    c->path = g_build_filename(dir, "stderr.txt", NULL);
    fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    g_assert(fd >= 0);
    fflush(stderr);
    c->saved = dup(STDERR_FILENO);
    g_assert(c->saved >= 0);
    g_assert(dup2(fd, STDERR_FILENO) == STDERR_FILENO);
    close(fd);
}

char *stderr_capture_end(StderrCapture *c)
{
    char *text = NULL;

    fflush(stderr);
    g_assert(dup2(c->saved, STDERR_FILENO) == STDERR_FILENO);
    close(c->saved);
    g_assert(g_file_get_contents(c->path, &text, NULL, NULL));
    unlink(c->path);
    g_clear_pointer(&c->path, g_free);
    return text;
}
