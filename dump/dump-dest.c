/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-dest.c: dump destinations.  "fd:" writes to a descriptor the
 * client passed; "file:PATH" writes a temporary file next to PATH and
 * renames it over PATH only once the dump is complete and on disk, so a
 * failed or cancelled dump never destroys an existing file and never
 * leaves a partial one.
 *
 * The temporary is an O_TMPFILE (no name at all until it is linked, so
 * even a crash leaves nothing behind); where the file system lacks it, a
 * hidden ".NAME.XXXXXX" file that is unlinked on failure.  Permission
 * checks follow what QEMU's open(O_WRONLY | O_CREAT | O_TRUNC, 0400)
 * would do, with QEMU's message "Could not open 'PATH': <strerror>":
 * a directory, a missing directory, or an existing file we may not write
 * are refused before anything is created.  So are an empty name, a name
 * longer than NAME_MAX or a path longer than PATH_MAX (the temporary's
 * name is cut to fit whatever the target's length), and an existing file
 * in a directory we may not write: with no temporary file possible, the
 * dump would have to truncate the file before knowing it can replace it,
 * so it is refused with an error naming the directory.  All these checks
 * are also offered alone (dump_dest_check_file()), so that the command
 * can refuse before it stops the VM, and open the file only once every
 * argument is known to be good.  Symbolic links are followed
 * (the file they point to is replaced, as open() would write it).  An
 * existing target that is not a regular file (a FIFO, /dev/null) is
 * written in place, since it cannot be replaced by renaming; a FIFO
 * without a reader is refused ("no reader on the FIFO") rather than
 * blocking the monitor in open() as QEMU does.
 *
 * A new file gets mode 0400, as QEMU creates it.  A file that is
 * replaced keeps its permission bits and, where the VMM may set them
 * (root), its owner and group: QEMU truncates the existing inode, which
 * keeps all three.  What a new inode cannot keep are hard links to the
 * old one, its ACLs and extended attributes.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "dump/dump-internal.h"

/* QEMU creates dump files readable by the owner only. */
#define DUMP_FILE_MODE S_IRUSR
/*
 * The temporary is writable while it is written (so that the sink can
 * open it again, with O_DIRECT) and gets DUMP_FILE_MODE before it is
 * renamed into place.
 */
#define DUMP_TMP_MODE (S_IRUSR | S_IWUSR)
/* Symbolic links followed before giving up, as the kernel does. */
#define DUMP_MAX_SYMLINKS 40

/*
 * Follow symbolic links at the end of @path, dangling ones included (a
 * dangling link makes open(O_CREAT) create its target).  Returns a new
 * string, or NULL with errno set (ELOOP).
 */
static char *resolve_target(const char *path)
{
    char *p = g_strdup(path);

    for (int hops = 0; hops < DUMP_MAX_SYMLINKS; hops++) {
        struct stat st;
        char *link, *dir, *next;

        if (lstat(p, &st) < 0 || !S_ISLNK(st.st_mode)) {
            return p;
        }
        link = g_file_read_link(p, NULL);
        if (!link) {
            return p;
        }
        if (g_path_is_absolute(link)) {
            next = link;
        } else {
            dir = g_path_get_dirname(p);
            next = g_build_filename(dir, link, NULL);
            g_free(dir);
            g_free(link);
        }
        g_free(p);
        p = next;
    }
    g_free(p);
    errno = ELOOP;
    return NULL;
}

static void dest_free(DumpDest *d);

static bool dest_error(Error **errp, const char *path, int err)
{
    error_setg_errno(errp, err, "Could not open '%s'", path);
    return false;
}

/*
 * Open @d->path in place, as QEMU does -- except that a FIFO is opened
 * non-blocking: with no reader, QEMU's open() would hang the monitor.
 */
static bool dest_open_direct(DumpDest *d, const char *user_path,
                             bool fifo, Error **errp)
{
    d->fd = open(d->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
                 (fifo ? O_NONBLOCK : 0), DUMP_FILE_MODE);
    if (d->fd < 0 && fifo && errno == ENXIO) {
        /* open(2): O_NONBLOCK | O_WRONLY on a FIFO nobody reads */
        error_setg(errp, "Could not open '%s': no reader on the FIFO (a "
                   "dump to a FIFO needs its reader to open it first)",
                   user_path);
        return false;
    }
    if (d->fd < 0) {
        return dest_error(errp, user_path, errno);
    }
    d->direct = true;
    return true;
}

/*
 * The temporary's name: ".BASE.SUFFIX", with BASE cut so that the name
 * fits NAME_MAX whatever the target's length (a SUFFIX of 8 characters:
 * "%08x" or "XXXXXX" plus padding).  New string.
 */
#define DEST_TMP_EXTRA 10       /* the two dots and the 8-character suffix */

static char *dest_tmp_name(const char *dir, const char *base,
                           const char *suffix)
{
    int keep = MIN(strlen(base), (size_t)(NAME_MAX - DEST_TMP_EXTRA));

    return g_strdup_printf("%s/.%.*s.%s", dir, keep, base, suffix);
}

/* A hidden, uniquely named file in @dir, for when O_TMPFILE fails. */
static int dest_named_temp(DumpDest *d, const char *dir, const char *base)
{
    char *tmpl = dest_tmp_name(dir, base, "XXXXXX");
    int fd = g_mkstemp_full(tmpl, O_WRONLY | O_CLOEXEC, DUMP_TMP_MODE);

    if (fd < 0) {
        int err = errno;

        g_free(tmpl);
        errno = err;
        return -1;
    }
    d->tmp_path = tmpl;
    return fd;
}

/*
 * Everything that can be known about @path without creating or changing
 * anything.  Sets d->path (resolved), *@exists, *@regular.
 */
static bool dest_check(DumpDest *d, const char *path, bool *exists,
                       bool *regular, Error **errp)
{
    g_autofree char *dir = NULL;
    g_autofree char *base = NULL;
    g_autofree char *tmp = NULL;
    struct stat st;

    memset(d, 0, sizeof(*d));
    d->fd = -1;
    if (!*path) {
        error_setg(errp, "parameter 'protocol' expects a file name after "
                   "'file:'");
        return false;
    }
    d->path = resolve_target(path);
    if (!d->path) {
        return dest_error(errp, path, errno);
    }
    dir = g_path_get_dirname(d->path);
    base = g_path_get_basename(d->path);
    tmp = dest_tmp_name(dir, base, "XXXXXXXX");
    if (strlen(base) > NAME_MAX || strlen(tmp) >= PATH_MAX) {
        return dest_error(errp, path, ENAMETOOLONG);
    }
    *exists = stat(d->path, &st) == 0;
    if (!*exists && errno != ENOENT) {
        return dest_error(errp, path, errno);
    }
    if (*exists && S_ISDIR(st.st_mode)) {
        return dest_error(errp, path, EISDIR);
    }
    *regular = !*exists || S_ISREG(st.st_mode);
    if (*exists && *regular) {
        d->keep_attrs = true;
        d->mode = st.st_mode & 07777;
        d->uid = st.st_uid;
        d->gid = st.st_gid;
    }
    if (!*regular) {
        return true;            /* a FIFO or device: written in place */
    }
    if (*exists && faccessat(AT_FDCWD, d->path, W_OK, AT_EACCESS) < 0) {
        return dest_error(errp, path, errno);
    }
    if (stat(dir, &st) < 0) {
        return dest_error(errp, path, errno);
    }
    if (!S_ISDIR(st.st_mode)) {
        return dest_error(errp, path, ENOTDIR);
    }
    if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) < 0) {
        if (errno == EACCES && *exists) {
            error_setg(errp, "Could not open '%s': the directory '%s' is "
                       "not writable (a dump replaces a file only once it "
                       "is complete, through a temporary file next to it)",
                       path, dir);
            return false;
        }
        return dest_error(errp, path, errno);
    }
    return true;
}

bool dump_dest_check_file(const char *path, Error **errp)
{
    DumpDest d;
    bool exists, regular, ok;

    ok = dest_check(&d, path, &exists, &regular, errp);
    dest_free(&d);
    return ok;
}

static bool dest_open_file(DumpDest *d, const char *path, Error **errp)
{
    bool exists, regular;
    char *dir, *base;
    int err;

    if (!dest_check(d, path, &exists, &regular, errp)) {
        return false;
    }
    if (!regular) {
        struct stat st;

        return dest_open_direct(d, path, stat(d->path, &st) == 0 &&
                                S_ISFIFO(st.st_mode), errp);
    }

    dir = g_path_get_dirname(d->path);
    base = g_path_get_basename(d->path);
    d->fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, DUMP_TMP_MODE);
    if (d->fd >= 0) {
        d->unlinked_tmp = true;
    } else if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) {
        d->fd = dest_named_temp(d, dir, base);
    }
    err = errno;
    g_free(dir);
    g_free(base);
    if (d->fd >= 0) {
        return true;
    }
    return dest_error(errp, path, err);
}

bool dump_dest_open_file(DumpDest *d, const char *path, Error **errp)
{
    if (!dest_open_file(d, path, errp)) {
        dest_free(d);
        return false;
    }
    return true;
}

void dump_dest_open_fd(DumpDest *d, int fd)
{
    memset(d, 0, sizeof(*d));
    d->fd = fd;
}

/* Give the O_TMPFILE a hidden name next to the target. */
static bool dest_link_tmpfile(DumpDest *d, Error **errp)
{
    char *dir = g_path_get_dirname(d->path);
    char *base = g_path_get_basename(d->path);
    char *proc = g_strdup_printf("/proc/self/fd/%d", d->fd);
    int err = EEXIST;

    /* retry only on name collisions */
    for (int tries = 0; tries < 100 && err == EEXIST; tries++) {
        g_autofree char *suffix = g_strdup_printf("%08x", g_random_int());
        char *name = dest_tmp_name(dir, base, suffix);

        if (linkat(d->fd, "", AT_FDCWD, name, AT_EMPTY_PATH) == 0 ||
            linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) == 0) {
            d->tmp_path = name;
            d->unlinked_tmp = false;
            err = 0;
        } else {
            err = errno;
            g_free(name);
        }
    }
    if (err) {
        error_setg_errno(errp, err, "dump: could not name the file for '%s'",
                         d->path);
    }
    g_free(dir);
    g_free(base);
    g_free(proc);
    return !err;
}

static void dest_sync_dir(const char *path)
{
    char *dir = g_path_get_dirname(path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        fsync(fd);      /* best effort: the data itself is synced */
        close(fd);
    }
    g_free(dir);
}

static void dest_free(DumpDest *d)
{
    if (d->fd >= 0) {
        close(d->fd);
        d->fd = -1;
    }
    g_free(d->path);
    g_free(d->tmp_path);
    d->path = d->tmp_path = NULL;
}

bool dump_dest_commit(DumpDest *d, Error **errp)
{
    if (!d->path || d->direct) {
        bool ok = true;

        if (d->path && fsync(d->fd) < 0 && errno != EINVAL) {
            error_setg_errno(errp, errno, "dump: failed to sync '%s'",
                             d->path);
            ok = false;
        }
        dest_free(d);
        return ok;
    }
    if (d->keep_attrs) {
        /* best effort: only root may give a file away */
        if (fchown(d->fd, d->uid, d->gid) < 0 && errno != EPERM) {
            error_setg_errno(errp, errno, "dump: failed to set the owner "
                             "of '%s'", d->path);
            dump_dest_abort(d);
            return false;
        }
    }
    if (fchmod(d->fd, d->keep_attrs ? d->mode : DUMP_FILE_MODE) < 0 ||
        fsync(d->fd) < 0) {
        error_setg_errno(errp, errno, "dump: failed to sync '%s'", d->path);
        dump_dest_abort(d);
        return false;
    }
    if (d->unlinked_tmp && !dest_link_tmpfile(d, errp)) {
        dump_dest_abort(d);
        return false;
    }
    if (rename(d->tmp_path, d->path) < 0) {
        error_setg_errno(errp, errno, "dump: could not rename '%s' to '%s'",
                         d->tmp_path, d->path);
        dump_dest_abort(d);
        return false;
    }
    g_free(d->tmp_path);
    d->tmp_path = NULL;
    dest_sync_dir(d->path);
    dest_free(d);
    return true;
}

void dump_dest_abort(DumpDest *d)
{
    if (d->tmp_path) {
        unlink(d->tmp_path);
    }
    dest_free(d);
}
