/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * swtpm.c: start and stop a real swtpm for tests (see swtpm.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "swtpm.h"

#define SWTPM_START_TIMEOUT_US  (10 * G_USEC_PER_SEC)

const char *swtpm_missing(void)
{
    g_autofree char *path = g_find_program_in_path("swtpm");

    return path ? NULL : "swtpm is not installed (scripts/install-deps.sh "
                         "installs it)";
}

bool swtpm_test_skip(void)
{
    const char *why = swtpm_missing();

    if (why) {
        g_test_skip(why);
    }
    return why != NULL;
}

static bool swtpm_ctrl_accepts(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok;

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    ok = fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
    if (fd >= 0) {
        close(fd);
    }
    return ok;
}

static void swtpm_spawn(Swtpm *t)
{
    g_autofree char *state = g_build_filename(t->dir, "state", NULL);
    g_autofree char *log = g_build_filename(t->dir, "log", NULL);
    g_autofree char *ctrl = g_strdup_printf("type=unixio,path=%s",
                                            t->ctrl_path);
    g_autofree char *tpmstate = g_strdup_printf("dir=%s", state);
    g_autofree char *logopt = g_strdup_printf("file=%s,level=1", log);
    gint64 deadline = g_get_monotonic_time() + SWTPM_START_TIMEOUT_US;

    g_mkdir_with_parents(state, 0700);
    unlink(t->ctrl_path);
    t->pid = fork();
    g_assert(t->pid >= 0);
    if (t->pid == 0) {
        /* It logs to a file; keep the test's pipes free of it. */
        int null = open("/dev/null", O_RDWR);

        /* A test that aborts must not leave swtpm behind. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);

        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        execlp("swtpm", "swtpm", "socket", "--tpm2", "--ctrl", ctrl,
               "--tpmstate", tpmstate, "--log", logopt, (char *)NULL);
        _exit(127);
    }
    while (!swtpm_ctrl_accepts(t->ctrl_path)) {
        int status;

        if (waitpid(t->pid, &status, WNOHANG) == t->pid) {
            g_error("swtpm exited at start (status 0x%x); see %s", status,
                    log);
        }
        if (g_get_monotonic_time() > deadline) {
            g_error("swtpm did not open %s within 10 s", t->ctrl_path);
        }
        g_usleep(10 * 1000);
    }
}

Swtpm *swtpm_start(const char *parent)
{
    Swtpm *t = g_new0(Swtpm, 1);
    g_autofree char *tmpl = g_build_filename(parent, "swtpm-XXXXXX", NULL);

    t->dir = g_mkdtemp(g_steal_pointer(&tmpl));
    g_assert(t->dir);
    t->ctrl_path = g_build_filename(t->dir, "ctrl", NULL);
    swtpm_spawn(t);
    return t;
}

void swtpm_restart(Swtpm *t)
{
    g_assert(!t->pid);
    swtpm_spawn(t);
}

void swtpm_kill(Swtpm *t)
{
    if (t->pid) {
        kill(t->pid, SIGKILL);
        waitpid(t->pid, NULL, 0);
        t->pid = 0;
    }
}

bool swtpm_wait_exit(Swtpm *t, int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + timeout_ms * 1000LL;

    while (t->pid) {
        if (waitpid(t->pid, NULL, WNOHANG) == t->pid) {
            t->pid = 0;
            break;
        }
        if (g_get_monotonic_time() > deadline) {
            return false;
        }
        g_usleep(10 * 1000);
    }
    return true;
}

static void remove_tree(const char *path)
{
    GDir *d = g_dir_open(path, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *child = g_build_filename(path, name, NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
            !g_file_test(child, G_FILE_TEST_IS_SYMLINK)) {
            remove_tree(child);
        } else {
            unlink(child);
        }
    }
    if (d) {
        g_dir_close(d);
    }
    rmdir(path);
}

void swtpm_free(Swtpm *t)
{
    swtpm_kill(t);
    remove_tree(t->dir);
    g_free(t->dir);
    g_free(t->ctrl_path);
    g_free(t);
}
