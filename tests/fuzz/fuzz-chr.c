/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-chr.c: drive a chardev front end (QMP monitor, qtest server) the
 * way a client does, over a real unix socket, within one thread: the
 * client's fd is watched from the same glib main context that serves the
 * chardev, so one blocking iteration wakes for whichever side can move.
 */
#include "qemu/osdep.h"
#include <glib-unix.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "fuzz.h"

#define FUZZ_CHR_TIMEOUT_MS 10000

typedef struct FuzzSession {
    int fd;
    const uint8_t *data;
    size_t len, sent, chunk, received;
    int pass_fd;
    bool eof;
    bool timed_out;
    bool verbose;
} FuzzSession;

char *fuzz_chr_spec(FuzzChrServer *srv, const char *name)
{
    g_autofree char *dir = g_dir_make_tmp("sparsevm-fuzz-XXXXXX", NULL);

    g_assert_nonnull(dir);
    srv->path = g_strdup_printf("%s/%s.sock", dir, name);
    return g_strdup_printf("unix:%s,server=on,wait=off", srv->path);
}

static void session_send(FuzzSession *s)
{
    size_t n = s->len - s->sent;
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    struct iovec iov;
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t r;

    if (s->chunk && n > s->chunk) {
        n = s->chunk;
    }
    iov.iov_base = (void *)(s->data + s->sent);
    iov.iov_len = n;
    if (s->pass_fd >= 0) {
        struct cmsghdr *c;

        msg.msg_control = control.buf;
        msg.msg_controllen = sizeof(control.buf);
        c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &s->pass_fd, sizeof(int));
    }
    r = sendmsg(s->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (r > 0) {
        s->sent += r;
        s->pass_fd = -1;
    } else if (r < 0 && errno != EAGAIN && errno != EINTR) {
        /* the server hung up early: nothing more to send */
        s->sent = s->len;
    }
    if (s->sent == s->len) {
        shutdown(s->fd, SHUT_WR);
    }
}

static void session_recv(FuzzSession *s)
{
    char buf[65536];
    ssize_t r;

    while ((r = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
        s->received += r;
        if (s->verbose) {
            fwrite(buf, 1, r, stderr);  /* FUZZ_VERBOSE: show the replies */
        }
    }
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
        s->eof = true;
    }
}

static gboolean session_timeout(gpointer opaque)
{
    FuzzSession *s = opaque;

    s->timed_out = true;
    return G_SOURCE_REMOVE;
}

static gboolean session_ready(int fd, GIOCondition cond, gpointer opaque)
{
    return G_SOURCE_CONTINUE;   /* only wakes the iteration up */
}

size_t fuzz_chr_session(FuzzChrServer *srv, const uint8_t *data, size_t len,
                        size_t chunk, int pass_fd)
{
    FuzzSession s = { .data = data, .len = len, .chunk = chunk,
                      .pass_fd = pass_fd,
                      .verbose = getenv("FUZZ_VERBOSE") != NULL };
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    guint watch, timer;
    bool writing = true;

    g_strlcpy(addr.sun_path, srv->path, sizeof(addr.sun_path));
    s.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(s.fd, >=, 0);
    g_assert_cmpint(connect(s.fd, (struct sockaddr *)&addr, sizeof(addr)),
                    ==, 0);
    if (!len) {
        shutdown(s.fd, SHUT_WR);
        writing = false;
    }
    watch = g_unix_fd_add(s.fd, G_IO_IN | G_IO_OUT, session_ready, NULL);
    timer = g_timeout_add(FUZZ_CHR_TIMEOUT_MS, session_timeout, &s);
    while (!s.eof) {
        if (writing && s.sent < s.len) {
            session_send(&s);
        }
        if (writing && s.sent == s.len) {
            /* stop waking up for a writable socket */
            g_source_remove(watch);
            watch = g_unix_fd_add(s.fd, G_IO_IN, session_ready, NULL);
            writing = false;
        }
        session_recv(&s);
        if (s.eof) {
            break;
        }
        g_main_context_iteration(NULL, true);
        if (s.timed_out) {
            fprintf(stderr, "fuzz: the server made no progress for %d ms "
                    "(sent %zu of %zu bytes)\n", FUZZ_CHR_TIMEOUT_MS, s.sent,
                    s.len);
            abort();
        }
        /* progress resets the deadline */
        g_source_remove(timer);
        timer = g_timeout_add(FUZZ_CHR_TIMEOUT_MS, session_timeout, &s);
    }
    g_source_remove(watch);
    g_source_remove(timer);
    close(s.fd);
    /* let the server notice the close and listen again */
    while (g_main_context_iteration(NULL, false)) {
        /* nothing */
    }
    return s.received;
}

/* g_ptr_array_sort() passes pointers to the elements */
static gint compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "fd -> target" of every open fd, one per line, sorted. */
static char *fuzz_fd_list(void)
{
    GDir *d = g_dir_open("/proc/self/fd", 0, NULL);
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    GString *out = g_string_new(NULL);

    g_assert_nonnull(d);
    while ((name = g_dir_read_name(d))) {
        g_autofree char *link = g_strdup_printf("/proc/self/fd/%s", name);
        g_autofree char *target = g_file_read_link(link, NULL);

        g_ptr_array_add(lines, g_strdup_printf("%s -> %s", name,
                                               target ? target : "?"));
    }
    g_dir_close(d);
    g_ptr_array_sort(lines, compare_strings);
    for (guint i = 0; i < lines->len; i++) {
        g_string_append_printf(out, "%s\n", (char *)lines->pdata[i]);
    }
    return g_string_free(out, false);
}

void fuzz_fds_check(char **baseline)
{
    g_autofree char *now = fuzz_fd_list();

    if (!*baseline) {
        *baseline = g_steal_pointer(&now);
    } else if (strcmp(now, *baseline)) {
        fprintf(stderr, "fuzz: open fds changed.\nbefore:\n%safter:\n%s",
                *baseline, now);
        abort();
    }
}
