/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-sandbox.c: keep a fuzz target from writing outside the places its
 * runner gave it.
 *
 * The QMP fuzzer reaches commands that create files at client-chosen
 * paths (dumpdtb, later dump-guest-memory), and a fuzzer invents paths.
 * Before the first input runs, the process moves into its own mount
 * namespace (a user namespace too when not root), makes every mount
 * read-only, mounts a fresh tmpfs on /tmp, and gives write access back
 * only to the working directory and to the directories named on the
 * command line (libFuzzer's corpus and -artifact_prefix directories, the
 * replay runner's inputs).  When one of those is under /tmp (a checkout
 * there), the real /tmp stays writable instead of being replaced.
 * Nothing of this outlives the process.
 *
 * Where namespaces are not available the target runs without the
 * sandbox and says so once on stderr; FUZZ_NO_SANDBOX=1 skips it on
 * purpose.  Processes a sandboxed target starts (libFuzzer's -merge and
 * -fork children) stay in its sandbox instead of making their own: they
 * share its /tmp, where libFuzzer keeps the merge control file.
 */
#include "qemu/osdep.h"
#include <sched.h>
#include <sys/mount.h>
#include "fuzz.h"

static bool write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0) {
        return false;
    }
    n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text);
}

static bool enter_namespace(void)
{
    uid_t uid = geteuid();
    gid_t gid = getegid();
    g_autofree char *map = NULL;

    if (uid == 0) {
        return unshare(CLONE_NEWNS) == 0;
    }
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
        return false;
    }
    map = g_strdup_printf("%u %u 1\n", (unsigned)uid, (unsigned)uid);
    if (!write_file("/proc/self/uid_map", map)) {
        return false;
    }
    write_file("/proc/self/setgroups", "deny\n");
    g_free(map);
    map = g_strdup_printf("%u %u 1\n", (unsigned)gid, (unsigned)gid);
    return write_file("/proc/self/gid_map", map);
}

/* Directory part of libFuzzer's -artifact_prefix=PREFIX. */
static char *artifact_dir(const char *prefix)
{
    const char *slash = strrchr(prefix, '/');

    return slash ? g_strndup(prefix, slash - prefix + 1) : g_strdup(".");
}

/* The directories the runner may write to, as real paths. */
static GPtrArray *writable_dirs(int argc, char **argv)
{
    GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);
    char *cwd = realpath(".", NULL);

    if (cwd) {
        g_ptr_array_add(dirs, cwd);
    }
    for (int i = 1; i < argc; i++) {
        g_autofree char *dir = NULL;
        char *real;

        if (g_str_has_prefix(argv[i], "-artifact_prefix=")) {
            dir = artifact_dir(argv[i] + strlen("-artifact_prefix="));
        } else if (argv[i][0] != '-') {
            dir = g_strdup(argv[i]);
        }
        real = dir ? realpath(dir, NULL) : NULL;
        if (real && g_file_test(real, G_FILE_TEST_IS_DIR)) {
            g_ptr_array_add(dirs, real);
        } else {
            free(real);
        }
    }
    return dirs;
}

static bool set_rdonly(const char *path, bool rdonly, unsigned flags)
{
    struct mount_attr attr = { 0 };

    if (rdonly) {
        attr.attr_set = MOUNT_ATTR_RDONLY;
    } else {
        attr.attr_clr = MOUNT_ATTR_RDONLY;
    }
    return mount_setattr(AT_FDCWD, path, flags, &attr, sizeof(attr)) == 0;
}

static bool under_tmp(const char *d)
{
    return g_str_has_prefix(d, "/tmp/") || !strcmp(d, "/tmp");
}

static const char *sandbox_apply(GPtrArray *dirs)
{
    g_autofree char *cwd = realpath(".", NULL);
    bool keep_tmp = false;

    for (guint i = 0; i < dirs->len; i++) {
        keep_tmp |= under_tmp(dirs->pdata[i]);
    }
    if (!enter_namespace()) {
        return "cannot create a mount namespace";
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        return "cannot make the mounts private";
    }
    /*
     * A private tmpfs hides the real /tmp; when the runner's own
     * directories live there (a checkout in /tmp), /tmp stays writable
     * instead.
     */
    if (keep_tmp) {
        for (guint i = dirs->len; i-- > 0;) {
            if (under_tmp(dirs->pdata[i])) {
                g_ptr_array_remove_index(dirs, i);
            }
        }
        g_ptr_array_add(dirs, g_strdup("/tmp"));
    }
    for (guint i = 0; i < dirs->len; i++) {
        const char *d = dirs->pdata[i];

        if (mount(d, d, NULL, MS_BIND, NULL) < 0) {
            return "cannot bind-mount a writable directory";
        }
    }
    if (!keep_tmp && mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
                           "size=1g,mode=1777") < 0) {
        return "cannot mount a tmpfs on /tmp";
    }
    if (!set_rdonly("/", true, AT_RECURSIVE)) {
        return "cannot make the file system read-only";
    }
    if (!keep_tmp && !set_rdonly("/tmp", false, 0)) {
        return "cannot make /tmp writable again";
    }
    for (guint i = 0; i < dirs->len; i++) {
        if (!set_rdonly(dirs->pdata[i], false, 0)) {
            return "cannot make a writable directory writable again";
        }
    }
    /* the working directory still points below the new mounts */
    if (cwd && chdir(cwd) < 0) {
        return "cannot enter the working directory again";
    }
    return NULL;
}

void fuzz_sandbox_enter(int argc, char **argv)
{
    g_autoptr(GPtrArray) dirs = NULL;
    const char *why;

    if (getenv("FUZZ_NO_SANDBOX") || getenv("FUZZ_IN_SANDBOX")) {
        return;
    }
    dirs = writable_dirs(argc, argv);
    why = sandbox_apply(dirs);
    if (why) {
        fprintf(stderr, "fuzz: running without the file system sandbox: %s "
                "(%s)\n", why, g_strerror(errno));
        return;
    }
    g_setenv("FUZZ_IN_SANDBOX", "1", true);
}
