/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-test-client.c: the in-process QMP client of the monitor's unit
 * tests (see qmp-test-client.h).
 */
#include "qemu/osdep.h"
#include <dirent.h>
#include <glib-unix.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "qemu/error.h"
#include "monitor/monitor.h"
#include "qmp-test-client.h"

static char *qmp_test_dir;

Chardev *qmp_test_server(const char *id, bool pretty, char **path)
{
    g_autofree char *opts = NULL;
    Chardev *chr;

    if (!qmp_test_dir) {
        qmp_test_dir = g_dir_make_tmp("qmp-test-XXXXXX", NULL);
        g_assert_nonnull(qmp_test_dir);
    }
    *path = g_strdup_printf("%s/%s.sock", qmp_test_dir, id);
    opts = g_strdup_printf("socket,id=%s,path=%s,server=on,wait=off", id,
                           *path);
    monitor_init_globals();
    chr = qemu_chr_parse_opts(opts, &error_abort);
    monitor_init_qmp(chr, pretty, &error_abort);
    return chr;
}

void qmp_test_teardown(void)
{
    monitor_cleanup();
    qemu_chr_cleanup();
    if (qmp_test_dir) {
        rmdir(qmp_test_dir);
        g_clear_pointer(&qmp_test_dir, g_free);
    }
    /* drop sources the chardevs left (e.g. a write watch) */
    while (g_main_context_iteration(NULL, false)) {
        /* nothing */
    }
}

void qmp_test_fixture_setup(QmpTestFixture *f, gconstpointer id)
{
    qmp_test_server(id, false, &f->path);
    f->c = qmp_test_connect_ready(f->path);
}

void qmp_test_fixture_teardown(QmpTestFixture *f, gconstpointer id)
{
    qmp_test_close(f->c);
    qmp_test_teardown();
    g_free(f->path);
}

void qmp_test_pump(int ms)
{
    while (g_main_context_iteration(NULL, false)) {
        /* run everything that is ready */
    }
    if (ms) {
        g_usleep(ms * 1000);
        while (g_main_context_iteration(NULL, false)) {
            /* and what became ready meanwhile */
        }
    }
}

QmpTestClient *qmp_test_connect(const char *path)
{
    QmpTestClient *c = g_new0(QmpTestClient, 1);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(c->fd, >=, 0);
    g_assert_cmpint(connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)),
                    ==, 0);
    g_assert_true(g_unix_set_fd_nonblocking(c->fd, true, NULL));
    c->in = g_string_new(NULL);
    g_queue_init(&c->events);
    return c;
}

QmpTestClient *qmp_test_connect_ready(const char *path)
{
    QmpTestClient *c = qmp_test_connect(path);
    g_autoptr(JsonNode) greeting = qmp_test_recv(c);
    g_autofree char *ret = NULL;

    g_assert_true(json_object_has_member(json_node_get_object(greeting),
                                         "QMP"));
    ret = qmp_test_cmd_ok(c, "{'execute': 'qmp_capabilities'}");
    g_assert_cmpstr(ret, ==, "{}");
    return c;
}

void qmp_test_close(QmpTestClient *c)
{
    close(c->fd);
    g_string_free(c->in, true);
    g_queue_clear_full(&c->events, (GDestroyNotify)json_node_unref);
    g_free(c);
    /* let the server notice */
    qmp_test_pump(1);
}

void qmp_test_send_raw(QmpTestClient *c, const void *buf, size_t len,
                       const int *fds, size_t nfds)
{
    gint64 deadline = g_get_monotonic_time() +
                      QMP_TEST_TIMEOUT_S * G_USEC_PER_SEC;
    const char *p = buf;

    while (len) {
        union {
            struct cmsghdr align;
            char buf[CMSG_SPACE(sizeof(int) * 8)];
        } control;
        struct iovec iov = { .iov_base = (void *)p, .iov_len = len };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
        ssize_t n;

        if (nfds) {
            struct cmsghdr *cmsg;

            g_assert_cmpuint(nfds, <=, 8);
            msg.msg_control = control.buf;
            msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
            cmsg = CMSG_FIRSTHDR(&msg);
            cmsg->cmsg_level = SOL_SOCKET;
            cmsg->cmsg_type = SCM_RIGHTS;
            cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
            memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nfds);
        }
        n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
        if (n < 0) {
            g_assert_true(errno == EAGAIN || errno == EINTR);
            g_assert_cmpint(g_get_monotonic_time(), <, deadline);
            qmp_test_pump(1);
            continue;
        }
        nfds = 0;
        p += n;
        len -= n;
    }
    qmp_test_pump(0);
}

void qmp_test_send(QmpTestClient *c, const char *str)
{
    qmp_test_send_raw(c, str, strlen(str), NULL, 0);
}

/* Read what is there; false on EOF. */
static bool qmp_test_read_some(QmpTestClient *c)
{
    char buf[65536];
    ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);

    if (n > 0) {
        g_string_append_len(c->in, buf, n);
    }
    return n != 0;
}

/* A line, or NULL after @timeout_ms. */
static char *qmp_test_try_line(QmpTestClient *c, int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + timeout_ms * 1000LL;

    for (;;) {
        char *nl = memchr(c->in->str, '\n', c->in->len);

        if (nl) {
            size_t len = nl - c->in->str;
            char *line;

            g_assert_true(len > 0 && nl[-1] == '\r');
            line = g_strndup(c->in->str, len - 1);
            if (getenv("QMP_TEST_DEBUG")) {
                fprintf(stderr, "<< %s\n", line);     /* trace replies */
            }
            g_string_erase(c->in, 0, len + 1);
            return line;
        }
        if (g_get_monotonic_time() > deadline) {
            return NULL;
        }
        qmp_test_pump(0);
        if (!qmp_test_read_some(c)) {
            return NULL;
        }
        if (!memchr(c->in->str, '\n', c->in->len)) {
            struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

            poll(&pfd, 1, 1);
        }
    }
}

char *qmp_test_recv_line(QmpTestClient *c)
{
    char *line = qmp_test_try_line(c, QMP_TEST_TIMEOUT_S * 1000);

    g_assert_nonnull(line);
    return line;
}

static JsonNode *qmp_test_parse(const char *line)
{
    g_autoptr(JsonParser) p = json_parser_new();
    GError *err = NULL;

    if (!json_parser_load_from_data(p, line, -1, &err)) {
        g_error("bad JSON from server: %s: %s", err->message, line);
    }
    /* output must be ASCII */
    for (const char *s = line; *s; s++) {
        g_assert_cmpint((unsigned char)*s, <, 0x80);
    }
    return json_node_ref(json_parser_get_root(p));
}

JsonNode *qmp_test_recv(QmpTestClient *c)
{
    g_autofree char *line = qmp_test_recv_line(c);

    return qmp_test_parse(line);
}

static bool qmp_test_is_event(JsonNode *n)
{
    return JSON_NODE_HOLDS_OBJECT(n) &&
           json_object_has_member(json_node_get_object(n), "event");
}

JsonNode *qmp_test_response(QmpTestClient *c)
{
    for (;;) {
        JsonNode *n = qmp_test_recv(c);

        if (!qmp_test_is_event(n)) {
            return n;
        }
        g_queue_push_tail(&c->events, n);
    }
}

JsonNode *qmp_test_cmd(QmpTestClient *c, const char *req)
{
    qmp_test_send(c, req);
    return qmp_test_response(c);
}

JsonNode *qmp_test_event(QmpTestClient *c, int timeout_ms)
{
    while (g_queue_is_empty(&c->events)) {
        g_autofree char *line = qmp_test_try_line(c, timeout_ms);
        JsonNode *n;

        if (!line) {
            return NULL;
        }
        n = qmp_test_parse(line);
        g_assert_true(qmp_test_is_event(n));
        g_queue_push_tail(&c->events, n);
    }
    return g_queue_pop_head(&c->events);
}

void qmp_test_assert_error(JsonNode *rsp, const char *klass,
                           const char *desc)
{
    JsonObject *o = json_node_get_object(rsp);
    JsonObject *e;

    if (!json_object_has_member(o, "error")) {
        g_autofree char *s = json_to_string(rsp, false);

        g_error("expected error %s '%s', got %s", klass, desc, s);
    }
    e = json_object_get_object_member(o, "error");
    g_assert_cmpstr(json_object_get_string_member(e, "class"), ==, klass);
    g_assert_cmpstr(json_object_get_string_member(e, "desc"), ==, desc);
}

JsonNode *qmp_test_return(JsonNode *rsp)
{
    JsonObject *o = json_node_get_object(rsp);

    if (!json_object_has_member(o, "return")) {
        g_autofree char *s = json_to_string(rsp, false);

        g_error("expected a return, got %s", s);
    }
    return json_object_get_member(o, "return");
}

void qmp_test_cmd_error(QmpTestClient *c, const char *req,
                        const char *klass, const char *desc)
{
    g_autoptr(JsonNode) rsp = qmp_test_cmd(c, req);

    qmp_test_assert_error(rsp, klass, desc);
}

char *qmp_test_cmd_ok(QmpTestClient *c, const char *req)
{
    g_autoptr(JsonNode) rsp = qmp_test_cmd(c, req);

    return json_to_string(qmp_test_return(rsp), false);
}

int qmp_test_count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;
    int n = 0;

    g_assert_nonnull(d);
    while ((de = readdir(d))) {
        n += de->d_name[0] != '.';
    }
    closedir(d);
    return n;
}
