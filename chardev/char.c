/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * char.c: unix-socket, stdio and null character devices on glib's main
 * loop (see include/chardev/char.h).
 *
 * A socket chardev in server mode owns a listening socket; while a client
 * is connected the listener is not watched, so a second client waits in
 * the backlog until the first leaves; if accept() fails for want of
 * descriptors, the listener rests and is retried on a timer rather than
 * spinning on the waiting client.  Input is read with recvmsg so that
 * fds passed with SCM_RIGHTS reach the front end with the bytes they came
 * with.  Output is queued and written when the socket is writable; a peer
 * that went away shows up as EOF on the read side, and writes use
 * MSG_NOSIGNAL so it never kills us with SIGPIPE.
 */
#include "qemu/osdep.h"
#include <glib-unix.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <poll.h>
#include "chardev/char.h"
#include "qemu/error.h"
#include "qemu/option.h"

#define CHR_READ_CHUNK (64 * 1024)
#define CHR_MAX_FDS 16
/*
 * accept() failing for want of descriptors or memory (EMFILE, ENFILE,
 * ENOBUFS, ENOMEM) would fail again at once while the client waits in
 * the backlog: the listener is unwatched and retried after a delay that
 * doubles from CHR_ACCEPT_RETRY_MIN_MS to CHR_ACCEPT_RETRY_MAX_MS.
 */
#define CHR_ACCEPT_RETRY_MIN_MS 50
#define CHR_ACCEPT_RETRY_MAX_MS 1000

typedef enum ChardevKind {
    CHR_KIND_SOCKET,
    CHR_KIND_STDIO,
    CHR_KIND_NULL,
} ChardevKind;

struct Chardev {
    char *id;
    ChardevKind kind;
    char *path;             /* socket */
    bool server;
    bool wait;
    int listen_fd;          /* server: listening socket, or -1 */
    guint listen_src;
    guint accept_retry_src; /* timer re-arming listen_src, or 0 */
    unsigned accept_delay_ms;   /* the next retry's delay; 0: none yet */
    int in_fd;              /* connected stream (stdio: 0), or -1 */
    int out_fd;             /* same as in_fd except stdio (1) */
    bool is_socket_conn;
    bool fds_lost;          /* the last chunk's SCM_RIGHTS were cut off */
    guint read_src;
    bool read_hup_only;     /* @read_src watches only for the peer leaving */
    guint write_src;
    bool read_paused;
    GByteArray *outbuf;
    const CharHandlers *handlers;
    void *opaque;
};

static GPtrArray *chardevs;

static void chr_start_listening(Chardev *chr);

Chardev *qemu_chr_find(const char *id)
{
    for (guint i = 0; chardevs && i < chardevs->len; i++) {
        Chardev *chr = chardevs->pdata[i];

        if (!strcmp(chr->id, id)) {
            return chr;
        }
    }
    return NULL;
}

const char *qemu_chr_get_id(const Chardev *chr)
{
    return chr->id;
}

const char *qemu_chr_get_path(const Chardev *chr)
{
    return chr->path;
}

bool qemu_chr_is_server(const Chardev *chr)
{
    return chr->server;
}

bool qemu_chr_is_connected(const Chardev *chr)
{
    return chr->in_fd >= 0;
}

char *qemu_chr_get_filename(const Chardev *chr)
{
    switch (chr->kind) {
    case CHR_KIND_SOCKET:
        return g_strdup_printf("%sunix:%s%s",
                               chr->in_fd >= 0 ? "" : "disconnected:",
                               chr->path, chr->server ? ",server=on" : "");
    case CHR_KIND_STDIO:
        return g_strdup("stdio");
    default:
        return g_strdup("null");
    }
}

bool qemu_chr_has_frontend(const Chardev *chr)
{
    return chr->handlers != NULL;
}

void qemu_chr_foreach(void (*fn)(Chardev *chr, void *opaque), void *opaque)
{
    for (guint i = 0; chardevs && i < chardevs->len; i++) {
        fn(chardevs->pdata[i], opaque);
    }
}

static bool chr_daemonize;

void qemu_chr_set_daemonize(bool on)
{
    chr_daemonize = on;
}

static Chardev *chr_new(const char *id, ChardevKind kind, Error **errp)
{
    Chardev *chr;

    if (qemu_chr_find(id)) {
        error_setg(errp, "attempt to add duplicate property '%s' to object "
                   "(type 'container')", id);
        return NULL;
    }
    if (kind == CHR_KIND_STDIO) {
        /* QEMU's messages, char-stdio.c and char.c */
        if (chr_daemonize) {
            error_setg(errp, "cannot use stdio with -daemonize");
            return NULL;
        }
        for (guint i = 0; chardevs && i < chardevs->len; i++) {
            if (((Chardev *)chardevs->pdata[i])->kind == CHR_KIND_STDIO) {
                error_setg(errp, "cannot use stdio by multiple character "
                           "devices");
                return NULL;
            }
        }
    }
    chr = g_new0(Chardev, 1);
    chr->id = g_strdup(id);
    chr->kind = kind;
    chr->listen_fd = -1;
    chr->in_fd = -1;
    chr->out_fd = -1;
    chr->outbuf = g_byte_array_new();
    if (!chardevs) {
        chardevs = g_ptr_array_new();
    }
    g_ptr_array_add(chardevs, chr);
    return chr;
}

/* Fill @chr's socket settings from parsed options (path, server, wait). */
static bool chr_socket_opts(Chardev *chr, QemuOpts *opts, Error **errp)
{
    const char *path = qemu_opt_get(opts, "path");

    if (!path || !*path) {
        error_setg(errp, "chardev: socket: no path given (only unix "
                   "sockets are supported)");
        return false;
    }
    if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        error_setg(errp, "UNIX socket path '%s' is too long", path);
        return false;
    }
    /*
     * Absolute when it fits: -daemonize changes to / after the socket is
     * bound, and the exit's unlink and a client's reconnect must still
     * find it.
     */
    chr->path = g_canonicalize_filename(path, NULL);
    if (strlen(chr->path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        g_free(chr->path);
        chr->path = g_strdup(path);
    }
    if (!qemu_opt_get_bool(opts, "server", false, &chr->server, errp) ||
        !qemu_opt_get_bool(opts, "wait", true, &chr->wait, errp)) {
        return false;
    }
    return true;
}

Chardev *qemu_chr_parse_opts(const char *optarg, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_parse(optarg, "backend", true, errp);
    const char *backend, *id;
    Chardev *chr;
    ChardevKind kind;

    if (!opts) {
        return NULL;
    }
    backend = qemu_opt_get(opts, "backend");
    id = qemu_opt_get(opts, "id");
    if (!id) {
        error_setg(errp, "Parameter 'id' is missing");
        return NULL;
    }
    if (!backend) {
        error_setg(errp, "chardev: \"%s\" missing backend", id);
        return NULL;
    }
    if (!strcmp(backend, "socket")) {
        kind = CHR_KIND_SOCKET;
    } else if (!strcmp(backend, "stdio")) {
        kind = CHR_KIND_STDIO;
    } else if (!strcmp(backend, "null")) {
        kind = CHR_KIND_NULL;
    } else {
        error_setg(errp, "'%s' is not a valid char driver name", backend);
        return NULL;
    }
    chr = chr_new(id, kind, errp);
    if (!chr) {
        return NULL;
    }
    if (kind == CHR_KIND_SOCKET && !chr_socket_opts(chr, opts, errp)) {
        goto fail;
    }
    qemu_opt_get(opts, "signal");   /* stdio: accepted, ignored */
    qemu_opt_get(opts, "mux");
    if (!qemu_opts_check_unused(opts, errp)) {
        goto fail;
    }
    return chr;
fail:
    g_ptr_array_remove(chardevs, chr);
    g_free(chr->id);
    g_free(chr->path);
    g_byte_array_free(chr->outbuf, true);
    g_free(chr);
    return NULL;
}

Chardev *qemu_chr_new_compat(const char *label, const char *spec,
                             Error **errp)
{
    g_autofree char *opts = NULL;

    if (g_str_has_prefix(spec, "chardev:")) {
        Chardev *chr = qemu_chr_find(spec + strlen("chardev:"));

        if (!chr) {
            error_setg(errp, "chardev '%s' not found",
                       spec + strlen("chardev:"));
        }
        return chr;
    }
    if (g_str_has_prefix(spec, "unix:")) {
        g_autofree char *rest = g_strdup(spec + strlen("unix:"));
        char *comma = strchr(rest, ',');

        /* "unix:PATH,server=on,wait=off": path up to the first comma. */
        if (comma) {
            *comma = '\0';
            opts = g_strdup_printf("socket,id=%s,path=%s,%s", label, rest,
                                   comma + 1);
        } else {
            opts = g_strdup_printf("socket,id=%s,path=%s", label, rest);
        }
    } else if (!strcmp(spec, "stdio") || !strcmp(spec, "null")) {
        opts = g_strdup_printf("%s,id=%s", spec, label);
    } else if (!strcmp(spec, "none")) {
        opts = g_strdup_printf("null,id=%s", label);
    } else {
        error_setg(errp, "'%s' is not a valid char driver", spec);
        return NULL;
    }
    return qemu_chr_parse_opts(opts, errp);
}

/* ------------------------------------------------------------- connection */

static void chr_remove_watches(Chardev *chr)
{
    if (chr->read_src) {
        g_source_remove(chr->read_src);
        chr->read_src = 0;
    }
    if (chr->write_src) {
        g_source_remove(chr->write_src);
        chr->write_src = 0;
    }
}

static void chr_close_conn(Chardev *chr)
{
    chr_remove_watches(chr);
    if (chr->in_fd >= 0 && chr->kind == CHR_KIND_SOCKET) {
        close(chr->in_fd);
    }
    chr->in_fd = -1;
    chr->out_fd = -1;
    g_byte_array_set_size(chr->outbuf, 0);
    if (chr->handlers && chr->handlers->closed) {
        chr->handlers->closed(chr->opaque);
    }
    if (chr->server && chr->listen_fd >= 0) {
        chr_start_listening(chr);
    }
}

static gboolean chr_read_ready(int fd, GIOCondition cond, gpointer opaque);

/* Paused input: the peer of a socket closed its end. */
static gboolean chr_hup_ready(int fd, GIOCondition cond, gpointer opaque)
{
    Chardev *chr = opaque;

    chr->read_src = 0;  /* returning REMOVE drops the source */
    chr_close_conn(chr);
    return G_SOURCE_REMOVE;
}

/*
 * Watch the input while it is wanted; while the front end pauses it,
 * watch a socket only for its peer leaving (POLLHUP: a unix socket's
 * peer closed it, not merely shut down writing), so that a client that
 * goes away while its input waits is noticed at once and the next one
 * can connect.
 */
static void chr_update_read_watch(Chardev *chr)
{
    bool conn = chr->in_fd >= 0;
    bool hup_only = conn && chr->read_paused && chr->is_socket_conn;
    bool want = conn && (!chr->read_paused || hup_only);

    if (chr->read_src && (!want || hup_only != chr->read_hup_only)) {
        g_source_remove(chr->read_src);
        chr->read_src = 0;
    }
    if (want && !chr->read_src) {
        chr->read_hup_only = hup_only;
        chr->read_src = hup_only
            ? g_unix_fd_add(chr->in_fd, G_IO_HUP | G_IO_ERR, chr_hup_ready,
                            chr)
            : g_unix_fd_add(chr->in_fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                            chr_read_ready, chr);
    }
}

static gboolean chr_read_ready(int fd, GIOCondition cond, gpointer opaque)
{
    Chardev *chr = opaque;
    uint8_t buf[CHR_READ_CHUNK];
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * CHR_MAX_FDS)];
    } control;
    struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
    struct msghdr msg = { 0 };
    int fds[CHR_MAX_FDS];
    size_t nfds = 0;
    ssize_t n;

    if (chr->is_socket_conn) {
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.buf;
        msg.msg_controllen = sizeof(control.buf);
        n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
    } else {
        n = read(fd, buf, sizeof(buf));
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return G_SOURCE_CONTINUE;
    }
    /* at our fd limit the kernel drops the fds and says so */
    chr->fds_lost = chr->is_socket_conn && n > 0 &&
                    (msg.msg_flags & MSG_CTRUNC);
    if (chr->is_socket_conn && n >= 0) {
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c;
             c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                int *cfds = (int *)CMSG_DATA(c);

                for (size_t i = 0; i < k; i++) {
                    if (nfds < CHR_MAX_FDS) {
                        fds[nfds++] = cfds[i];
                    } else {
                        close(cfds[i]);
                    }
                }
            }
        }
    }
    if (n <= 0) {
        for (size_t i = 0; i < nfds; i++) {
            close(fds[i]);
        }
        chr->read_src = 0;  /* returning REMOVE drops the source */
        chr_close_conn(chr);
        return G_SOURCE_REMOVE;
    }
    if (chr->handlers && chr->handlers->read) {
        chr->handlers->read(chr->opaque, buf, n, nfds ? fds : NULL, nfds);
    } else {
        for (size_t i = 0; i < nfds; i++) {
            close(fds[i]);
        }
    }
    /* The handler may have paused reading or closed the connection. */
    if (!chr->read_src || chr->read_hup_only || chr->in_fd != fd) {
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static void chr_attach(Chardev *chr, int in_fd, int out_fd, bool socket)
{
    chr->in_fd = in_fd;
    chr->out_fd = out_fd;
    chr->is_socket_conn = socket;
    g_unix_set_fd_nonblocking(out_fd, true, NULL);
    if (in_fd != out_fd) {
        g_unix_set_fd_nonblocking(in_fd, true, NULL);
    }
    chr_update_read_watch(chr);
    if (chr->handlers && chr->handlers->opened) {
        chr->handlers->opened(chr->opaque);
    }
}

static gboolean chr_accept_retry(gpointer opaque)
{
    Chardev *chr = opaque;

    chr->accept_retry_src = 0;
    chr_start_listening(chr);
    return G_SOURCE_REMOVE;
}

static gboolean chr_accept_ready(int fd, GIOCondition cond, gpointer opaque)
{
    Chardev *chr = opaque;
    int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

    if (conn < 0) {
        if (errno != EMFILE && errno != ENFILE && errno != ENOBUFS &&
            errno != ENOMEM) {
            return G_SOURCE_CONTINUE;   /* EAGAIN, ECONNABORTED: next one */
        }
        if (!chr->accept_delay_ms) {
            error_report("chardev '%s': cannot accept a connection: %s; "
                         "retrying", chr->id, g_strerror(errno));
        }
        chr->accept_delay_ms = CLAMP(chr->accept_delay_ms * 2,
                                     CHR_ACCEPT_RETRY_MIN_MS,
                                     CHR_ACCEPT_RETRY_MAX_MS);
        chr->listen_src = 0;
        chr->accept_retry_src = g_timeout_add(chr->accept_delay_ms,
                                              chr_accept_retry, chr);
        return G_SOURCE_REMOVE;
    }
    chr->accept_delay_ms = 0;
    chr->listen_src = 0;
    chr_attach(chr, conn, conn, true);
    return G_SOURCE_REMOVE;     /* one client at a time */
}

static void chr_start_listening(Chardev *chr)
{
    if (!chr->listen_src && !chr->accept_retry_src) {
        chr->listen_src = g_unix_fd_add(chr->listen_fd, G_IO_IN,
                                        chr_accept_ready, chr);
    }
}

static int chr_socket_new(const char *path, struct sockaddr_un *addr)
{
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    g_strlcpy(addr->sun_path, path, sizeof(addr->sun_path));
    return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

static int chr_connect(Chardev *chr, Error **errp)
{
    struct sockaddr_un addr;
    int fd = chr_socket_new(chr->path, &addr);

    if (fd < 0) {
        error_setg_errno(errp, errno, "Failed to create socket");
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        error_setg_errno(errp, errno, "Failed to connect to '%s'",
                         chr->path);
        close(fd);
        return -1;
    }
    return fd;
}

static bool chr_listen(Chardev *chr, Error **errp)
{
    struct sockaddr_un addr;
    int fd = chr_socket_new(chr->path, &addr);

    if (fd < 0) {
        error_setg_errno(errp, errno, "Failed to create socket");
        return false;
    }
    unlink(chr->path);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(fd, 8) < 0) {
        error_setg_errno(errp, errno, "Failed to bind socket to %s",
                         chr->path);
        close(fd);
        return false;
    }
    chr->listen_fd = fd;
    return true;
}

bool qemu_chr_set_handlers(Chardev *chr, const CharHandlers *handlers,
                           void *opaque, Error **errp)
{
    int fd;

    if (chr->handlers) {
        error_setg(errp, "chardev '%s' is already in use", chr->id);
        return false;
    }
    chr->handlers = handlers;
    chr->opaque = opaque;
    switch (chr->kind) {
    case CHR_KIND_NULL:
        return true;
    case CHR_KIND_STDIO:
        chr_attach(chr, STDIN_FILENO, STDOUT_FILENO, false);
        return true;
    case CHR_KIND_SOCKET:
        break;
    }
    if (!chr->server) {
        fd = chr_connect(chr, errp);
        if (fd < 0) {
            chr->handlers = NULL;
            return false;
        }
        chr_attach(chr, fd, fd, true);
        return true;
    }
    if (!chr_listen(chr, errp)) {
        chr->handlers = NULL;
        return false;
    }
    if (chr->wait) {
        info_report("waiting for connection on: disconnected:unix:%s,"
                    "server=on", chr->path);
        do {
            fd = accept4(chr->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        } while (fd < 0 && errno == EINTR);
        if (fd < 0) {
            error_setg_errno(errp, errno, "Failed to accept on '%s'",
                             chr->path);
            return false;
        }
        chr_attach(chr, fd, fd, true);
    } else {
        chr_start_listening(chr);
    }
    return true;
}

int qemu_chr_connect_sync(Chardev *chr, Error **errp)
{
    if (chr->kind != CHR_KIND_SOCKET || chr->server) {
        error_setg(errp, "chardev '%s' is not a client socket", chr->id);
        return -1;
    }
    return chr_connect(chr, errp);
}

/* ---------------------------------------------------------------- output */

/* Write as much queued output as the peer takes; false on a dead peer. */
static bool chr_try_flush(Chardev *chr)
{
    while (chr->outbuf->len) {
        ssize_t n;

        if (chr->is_socket_conn) {
            n = send(chr->out_fd, chr->outbuf->data, chr->outbuf->len,
                     MSG_NOSIGNAL | MSG_DONTWAIT);
        } else {
            n = write(chr->out_fd, chr->outbuf->data, chr->outbuf->len);
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno == EAGAIN || errno == EWOULDBLOCK;
        }
        g_byte_array_remove_range(chr->outbuf, 0, n);
    }
    return true;
}

static gboolean chr_write_ready(int fd, GIOCondition cond, gpointer opaque)
{
    Chardev *chr = opaque;

    if (!chr_try_flush(chr)) {
        /* Dead peer: drop the output; the read side will see EOF. */
        g_byte_array_set_size(chr->outbuf, 0);
    }
    if (!chr->outbuf->len && chr->handlers && chr->handlers->drained) {
        /* write_src is still set, so a write from here only appends. */
        chr->handlers->drained(chr->opaque);
    }
    if (chr->outbuf->len) {
        return G_SOURCE_CONTINUE;
    }
    chr->write_src = 0;
    return G_SOURCE_REMOVE;
}

bool qemu_chr_write(Chardev *chr, const void *buf, size_t len)
{
    if (chr->kind == CHR_KIND_NULL) {
        return true;
    }
    if (chr->out_fd < 0) {
        return false;
    }
    g_byte_array_append(chr->outbuf, buf, len);
    if (!chr_try_flush(chr)) {
        g_byte_array_set_size(chr->outbuf, 0);
        return false;
    }
    if (chr->outbuf->len && !chr->write_src) {
        chr->write_src = g_unix_fd_add(chr->out_fd, G_IO_OUT | G_IO_ERR |
                                       G_IO_HUP, chr_write_ready, chr);
    }
    return true;
}

size_t qemu_chr_outbuf_len(const Chardev *chr)
{
    return chr->outbuf->len;
}

void qemu_chr_flush(Chardev *chr, int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + timeout_ms * 1000LL;

    while (chr->out_fd >= 0 && chr->outbuf->len) {
        struct pollfd pfd = { .fd = chr->out_fd, .events = POLLOUT };
        gint64 left = (deadline - g_get_monotonic_time()) / 1000;

        if (left <= 0 || poll(&pfd, 1, left) <= 0 || !chr_try_flush(chr)) {
            break;
        }
    }
}

void qemu_chr_set_read_paused(Chardev *chr, bool paused)
{
    chr->read_paused = paused;
    chr_update_read_watch(chr);
}

bool qemu_chr_fds_lost(const Chardev *chr)
{
    return chr->fds_lost;
}

void qemu_chr_disconnect(Chardev *chr)
{
    if (chr->in_fd >= 0 && chr->kind == CHR_KIND_SOCKET) {
        chr_close_conn(chr);
    }
}

void qemu_chr_cleanup(void)
{
    for (guint i = 0; chardevs && i < chardevs->len; i++) {
        Chardev *chr = chardevs->pdata[i];

        qemu_chr_flush(chr, 100);
        chr_remove_watches(chr);
        if (chr->listen_src) {
            g_source_remove(chr->listen_src);
            chr->listen_src = 0;
        }
        if (chr->accept_retry_src) {
            g_source_remove(chr->accept_retry_src);
            chr->accept_retry_src = 0;
        }
        if (chr->kind == CHR_KIND_SOCKET && chr->in_fd >= 0) {
            close(chr->in_fd);
        }
        if (chr->listen_fd >= 0) {
            close(chr->listen_fd);
            unlink(chr->path);
        }
        g_free(chr->id);
        g_free(chr->path);
        g_byte_array_free(chr->outbuf, true);
        g_free(chr);
    }
    g_clear_pointer(&chardevs, g_ptr_array_unref);
}
