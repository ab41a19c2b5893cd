/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libqtest.c: the test side of the qtest and QMP protocols (see
 * libqtest.h).  It creates two listening unix sockets, starts the binary
 * with `-qtest unix:SOCK -chardev socket,path=QMP,id=char0 -mon
 * chardev=char0,mode=control` so the VM connects to them as clients (as
 * QEMU's libqtest does), then reads lines from both.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "libqtest.h"

#define QTEST_CHUNK (4 * 1024 * 1024)     /* the server's transfer limit */
#define QTEST_TIMEOUT_S 600

struct QTestState {
    pid_t pid;
    int qtest_fd;
    int qmp_fd;
    GString *qtest_buf;
    GString *qmp_buf;
    GQueue *events;         /* JsonObject * */
    bool irq_level[256];
    int expected_status;
    bool exited;
    int exit_status;
};

static char *tmpdir;

/* Remove @path and, if it is a directory, what it holds. */
static void remove_tree(const char *path)
{
    GDir *dir = g_dir_open(path, 0, NULL);
    const char *name;

    if (dir) {
        while ((name = g_dir_read_name(dir))) {
            g_autofree char *child = g_build_filename(path, name, NULL);

            remove_tree(child);
        }
        g_dir_close(dir);
    }
    g_remove(path);
}

static void tmpdir_cleanup(void)
{
    if (tmpdir && !getenv("QTEST_KEEP_TMPDIR")) {
        remove_tree(tmpdir);
    }
}

const char *qtest_tmpdir(void)
{
    if (!tmpdir) {
        GError *err = NULL;

        tmpdir = g_dir_make_tmp("qtest-XXXXXX", &err);
        g_assert_no_error(err);
        atexit(tmpdir_cleanup);
    }
    return tmpdir;
}

char *qtest_tmp_path(const char *name)
{
    return g_build_filename(qtest_tmpdir(), name, NULL);
}

const char *qtest_get_binary(void)
{
    const char *bin = getenv("QTEST_QEMU_BINARY");

#ifdef SPARSEVM_BINARY
    if (!bin) {
        bin = SPARSEVM_BINARY;
    }
#endif
    g_assert(bin);
    return bin;
}

static int listen_unix(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert(fd >= 0);
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    unlink(path);
    g_assert(bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0);
    g_assert(listen(fd, 1) == 0);
    return fd;
}

static int accept_or_die(QTestState *s, int lfd)
{
    for (int waited = 0; waited < QTEST_TIMEOUT_S * 10; waited++) {
        struct pollfd p = { .fd = lfd, .events = POLLIN };
        int status;

        if (poll(&p, 1, 100) == 1) {
            int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

            g_assert(fd >= 0);
            return fd;
        }
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->exited = true;
            s->exit_status = status;
            g_error("sparsevm exited before connecting (status %d)",
                    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        }
    }
    g_error("sparsevm did not connect within %d s", QTEST_TIMEOUT_S);
    return -1;
}

/* Read one '\n'-terminated line from @fd (buffered in @buf). */
static char *read_line(QTestState *s, int fd, GString *buf)
{
    for (;;) {
        char *nl = memchr(buf->str, '\n', buf->len);
        char tmp[65536];
        ssize_t n;

        if (nl) {
            size_t len = nl - buf->str;
            char *line = g_strndup(buf->str, len);

            g_string_erase(buf, 0, len + 1);
            if (len && line[len - 1] == '\r') {
                line[len - 1] = '\0';
            }
            return line;
        }
        n = read(fd, tmp, sizeof(tmp));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return NULL;
        }
        g_string_append_len(buf, tmp, n);
    }
}

static QTestState *qtest_spawn(const char *extra_args, bool handshake)
{
    QTestState *s = g_new0(QTestState, 1);
    static int counter;
    g_autofree char *sock = g_strdup_printf("%s/qtest-%d-%d.sock",
                                            qtest_tmpdir(), getpid(),
                                            counter);
    g_autofree char *qmp = g_strdup_printf("%s/qtest-%d-%d.qmp",
                                           qtest_tmpdir(), getpid(),
                                           counter++);
    g_autofree char *cmd = NULL;
    gchar **argv = NULL;
    GError *err = NULL;
    int qtest_lfd = listen_unix(sock), qmp_lfd = listen_unix(qmp);
    JsonObject *greeting;

    s->qtest_buf = g_string_new("");
    s->qmp_buf = g_string_new("");
    s->events = g_queue_new();
    cmd = g_strdup_printf("%s -qtest unix:%s -qtest-log %s "
                          "-chardev socket,path=%s,id=char0 "
                          "-mon chardev=char0,mode=control -display none "
                          "-accel qtest %s", qtest_get_binary(), sock,
                          getenv("QTEST_LOG") ? "/dev/fd/2" : "none", qmp,
                          extra_args ? extra_args : "");
    if (!g_shell_parse_argv(cmd, NULL, &argv, &err)) {
        g_error("cannot parse arguments '%s': %s", cmd, err->message);
    }
    s->pid = fork();
    g_assert(s->pid >= 0);
    if (s->pid == 0) {
        /* Do not outlive a test that crashed or was killed. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(qtest_lfd);
        close(qmp_lfd);
        execv(argv[0], argv);
        _exit(127);
    }
    g_strfreev(argv);
    s->qtest_fd = accept_or_die(s, qtest_lfd);
    s->qmp_fd = accept_or_die(s, qmp_lfd);
    close(qtest_lfd);
    close(qmp_lfd);
    unlink(sock);
    unlink(qmp);

    greeting = qtest_qmp_receive_any(s);
    g_assert(json_object_has_member(greeting, "QMP"));
    json_object_unref(greeting);
    if (handshake) {
        qtest_qmp_assert_success(s, "{\"execute\": \"qmp_capabilities\"}");
    }
    return s;
}

QTestState *qtest_init(const char *extra_args)
{
    return qtest_spawn(extra_args, true);
}

QTestState *qtest_init_without_qmp_handshake(const char *extra_args)
{
    return qtest_spawn(extra_args, false);
}

QTestState *qtest_initf(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *args = NULL;

    va_start(ap, fmt);
    args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return qtest_init(args);
}

pid_t qtest_pid(QTestState *s)
{
    return s->pid;
}

bool qtest_probe_child(QTestState *s)
{
    int status;

    if (s->exited) {
        return false;
    }
    if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
        s->exited = true;
        s->exit_status = status;
        return false;
    }
    return true;
}

void qtest_set_expected_status(QTestState *s, int status)
{
    s->expected_status = status;
}

int qtest_wait_exit(QTestState *s)
{
    if (!s->exited) {
        g_assert(waitpid(s->pid, &s->exit_status, 0) == s->pid);
        s->exited = true;
    }
    return WIFEXITED(s->exit_status) ? WEXITSTATUS(s->exit_status) : -1;
}

static void qtest_free(QTestState *s)
{
    close(s->qtest_fd);
    close(s->qmp_fd);
    g_string_free(s->qtest_buf, true);
    g_string_free(s->qmp_buf, true);
    g_queue_free_full(s->events, (GDestroyNotify)json_object_unref);
    g_free(s);
}

void qtest_quit(QTestState *s)
{
    int status;

    if (!s->exited) {
        kill(s->pid, SIGTERM);
    }
    status = qtest_wait_exit(s);
    if (!WIFEXITED(s->exit_status)) {
        g_error("sparsevm (pid %d) died from signal %d", s->pid,
                WTERMSIG(s->exit_status));
    }
    if (status != s->expected_status) {
        g_error("sparsevm exited with status %d, expected %d", status,
                s->expected_status);
    }
    qtest_free(s);
}

/* ------------------------------------------------------------------ QMP */

static void send_all(int fd, const void *buf, size_t len, int *fds,
                     size_t nfds)
{
    const char *p = buf;

    while (len) {
        struct iovec iov = { .iov_base = (void *)p, .iov_len = len };
        union {
            struct cmsghdr align;
            char buf[CMSG_SPACE(sizeof(int) * 16)];
        } control;
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
        ssize_t n;

        if (nfds) {
            struct cmsghdr *c;

            g_assert(nfds <= 16);
            memset(&control, 0, sizeof(control));
            msg.msg_control = control.buf;
            msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
            c = CMSG_FIRSTHDR(&msg);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
            memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
        }
        n = sendmsg(fd, &msg, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        g_assert(n > 0);
        nfds = 0;   /* only with the first byte */
        p += n;
        len -= n;
    }
}

void qtest_qmp_send_raw(QTestState *s, const void *buf, size_t len)
{
    send_all(s->qmp_fd, buf, len, NULL, 0);
}

static void qmp_vsend(QTestState *s, int *fds, size_t nfds, const char *fmt,
                      va_list ap)
{
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);

    send_all(s->qmp_fd, msg, strlen(msg), fds, nfds);
}

void qtest_qmp_send(QTestState *s, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    qmp_vsend(s, NULL, 0, fmt, ap);
    va_end(ap);
}

JsonObject *qtest_qmp_receive_any(QTestState *s)
{
    g_autofree char *line = read_line(s, s->qmp_fd, s->qmp_buf);
    g_autoptr(JsonParser) parser = json_parser_new();
    GError *err = NULL;
    JsonNode *root;

    if (!line) {
        g_error("QMP connection closed by sparsevm");
    }
    if (!json_parser_load_from_data(parser, line, -1, &err)) {
        g_error("bad JSON from sparsevm: %s: %s", err->message, line);
    }
    root = json_parser_get_root(parser);
    g_assert(JSON_NODE_HOLDS_OBJECT(root));
    return json_object_ref(json_node_get_object(root));
}

JsonObject *qtest_qmp_receive(QTestState *s)
{
    for (;;) {
        JsonObject *o = qtest_qmp_receive_any(s);

        if (!json_object_has_member(o, "event")) {
            return o;
        }
        g_queue_push_tail(s->events, o);
    }
}

JsonObject *qtest_qmp(QTestState *s, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    qmp_vsend(s, NULL, 0, fmt, ap);
    va_end(ap);
    return qtest_qmp_receive(s);
}

JsonObject *qtest_qmp_fds(QTestState *s, int *fds, size_t nfds,
                          const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    qmp_vsend(s, fds, nfds, fmt, ap);
    va_end(ap);
    return qtest_qmp_receive(s);
}

static JsonNode *assert_success(JsonObject *resp, const char *cmd)
{
    JsonNode *ret;

    if (!json_object_has_member(resp, "return")) {
        g_autoptr(JsonGenerator) gen = json_generator_new();
        JsonNode *root = json_node_init_object(json_node_alloc(), resp);
        g_autofree char *txt = NULL;

        json_generator_set_root(gen, root);
        txt = json_generator_to_data(gen, NULL);
        g_error("QMP command failed: %s -> %s", cmd, txt);
    }
    ret = json_node_copy(json_object_get_member(resp, "return"));
    json_object_unref(resp);
    return ret;
}

JsonNode *qtest_qmp_assert_success_ref(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *cmd = NULL;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    send_all(s->qmp_fd, cmd, strlen(cmd), NULL, 0);
    return assert_success(qtest_qmp_receive(s), cmd);
}

void qtest_qmp_assert_success(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *cmd = NULL;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    send_all(s->qmp_fd, cmd, strlen(cmd), NULL, 0);
    json_node_unref(assert_success(qtest_qmp_receive(s), cmd));
}

char *qtest_qmp_expect_error(QTestState *s, const char *klass,
                             const char *fmt, ...)
{
    va_list ap;
    g_autofree char *cmd = NULL;
    JsonObject *resp, *err;
    char *desc;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    send_all(s->qmp_fd, cmd, strlen(cmd), NULL, 0);
    resp = qtest_qmp_receive(s);
    if (!json_object_has_member(resp, "error")) {
        g_error("QMP command unexpectedly succeeded: %s", cmd);
    }
    err = json_object_get_object_member(resp, "error");
    g_assert_cmpstr(json_object_get_string_member(err, "class"), ==, klass);
    desc = g_strdup(json_object_get_string_member(err, "desc"));
    json_object_unref(resp);
    return desc;
}

static JsonObject *take_stashed(QTestState *s, const char *event)
{
    for (GList *l = s->events->head; l; l = l->next) {
        JsonObject *o = l->data;

        if (!g_strcmp0(json_object_get_string_member(o, "event"), event)) {
            g_queue_delete_link(s->events, l);
            return o;
        }
    }
    return NULL;
}

JsonObject *qtest_qmp_event_ref(QTestState *s, const char *event)
{
    return take_stashed(s, event);
}

JsonObject *qtest_qmp_eventwait_ref(QTestState *s, const char *event)
{
    JsonObject *o = take_stashed(s, event);

    while (!o) {
        o = qtest_qmp_receive_any(s);
        if (!json_object_has_member(o, "event")) {
            g_error("unexpected QMP response while waiting for %s", event);
        }
        if (g_strcmp0(json_object_get_string_member(o, "event"), event)) {
            g_queue_push_tail(s->events, o);
            o = NULL;
        }
    }
    return o;
}

void qtest_qmp_eventwait(QTestState *s, const char *event)
{
    json_object_unref(qtest_qmp_eventwait_ref(s, event));
}

void qtest_qmp_events_clear(QTestState *s)
{
    JsonObject *o;

    while ((o = g_queue_pop_head(s->events))) {
        json_object_unref(o);
    }
}

char **qtest_qmp_event_names(QTestState *s)
{
    GPtrArray *names = g_ptr_array_new();

    for (GList *l = s->events->head; l; l = l->next) {
        g_ptr_array_add(names, g_strdup(json_object_get_string_member(
                                            l->data, "event")));
    }
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(names, false);
}

char *qtest_hmp(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *line = NULL;
    JsonBuilder *b = json_builder_new();
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autofree char *cmd = NULL;
    JsonNode *root, *ret;
    char *out;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "execute");
    json_builder_add_string_value(b, "human-monitor-command");
    json_builder_set_member_name(b, "arguments");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "command-line");
    json_builder_add_string_value(b, line);
    json_builder_end_object(b);
    json_builder_end_object(b);
    root = json_builder_get_root(b);
    g_object_unref(b);
    json_generator_set_root(gen, root);
    cmd = json_generator_to_data(gen, NULL);
    json_node_unref(root);
    send_all(s->qmp_fd, cmd, strlen(cmd), NULL, 0);
    ret = assert_success(qtest_qmp_receive(s), cmd);
    out = g_strdup(json_node_get_string(ret));
    json_node_unref(ret);
    return out;
}

int qtest_qmp_get_fd(QTestState *s)
{
    return s->qmp_fd;
}

/* ---------------------------------------------------------------- qtest */

void qtest_raw_send(QTestState *s, const void *buf, size_t len)
{
    send_all(s->qtest_fd, buf, len, NULL, 0);
}

char *qtest_raw_reply(QTestState *s)
{
    for (;;) {
        char *line = read_line(s, s->qtest_fd, s->qtest_buf);
        int n;

        if (!line) {
            g_error("qtest connection closed by sparsevm");
        }
        if (!strncmp(line, "IRQ raise ", 10) || !strncmp(line, "IRQ lower ",
                                                         10)) {
            n = atoi(line + 10);
            if (n >= 0 && n < (int)G_N_ELEMENTS(s->irq_level)) {
                s->irq_level[n] = line[4] == 'r';
            }
            g_free(line);
            continue;
        }
        return line;
    }
}

char *qtest_raw_cmd(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *cmd = NULL;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    send_all(s->qtest_fd, cmd, strlen(cmd), NULL, 0);
    send_all(s->qtest_fd, "\n", 1, NULL, 0);
    return qtest_raw_reply(s);
}

/* Send a command, require "OK", return what follows "OK " (or ""). */
static char *qtest_cmd_ok(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
static char *qtest_cmd_ok(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *cmd = NULL;
    char *reply, *rest;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    send_all(s->qtest_fd, cmd, strlen(cmd), NULL, 0);
    send_all(s->qtest_fd, "\n", 1, NULL, 0);
    reply = qtest_raw_reply(s);
    if (strncmp(reply, "OK", 2)) {
        g_error("qtest command '%.80s' failed: %s", cmd, reply);
    }
    rest = g_strdup(reply[2] == ' ' ? reply + 3 : "");
    g_free(reply);
    return rest;
}

static uint64_t qtest_cmd_value(QTestState *s, const char *cmd, uint64_t addr)
{
    g_autofree char *v = qtest_cmd_ok(s, "%s 0x%" PRIx64, cmd, addr);

    return g_ascii_strtoull(v, NULL, 0);
}

#define QTEST_IN(fn, cmd, type)                                 \
type fn(QTestState *s, uint16_t addr)                           \
{                                                               \
    return qtest_cmd_value(s, cmd, addr);                       \
}
QTEST_IN(qtest_inb, "inb", uint8_t)
QTEST_IN(qtest_inw, "inw", uint16_t)
QTEST_IN(qtest_inl, "inl", uint32_t)

#define QTEST_OUT(fn, cmd, type)                                \
void fn(QTestState *s, uint16_t addr, type value)               \
{                                                               \
    g_free(qtest_cmd_ok(s, cmd " 0x%x 0x%" PRIx64, addr,        \
                        (uint64_t)value));                      \
}
QTEST_OUT(qtest_outb, "outb", uint8_t)
QTEST_OUT(qtest_outw, "outw", uint16_t)
QTEST_OUT(qtest_outl, "outl", uint32_t)

void qtest_cpu_set(QTestState *s, unsigned cpu, const char *reg,
                   uint64_t value)
{
    g_free(qtest_cmd_ok(s, "cpu_set %u %s 0x%" PRIx64, cpu, reg, value));
}

uint64_t qtest_cpu_get(QTestState *s, unsigned cpu, const char *reg)
{
    g_autofree char *r = qtest_cmd_ok(s, "cpu_get %u %s", cpu, reg);

    return g_ascii_strtoull(r, NULL, 0);
}

#define QTEST_READ(fn, cmd, type)                               \
type fn(QTestState *s, uint64_t addr)                           \
{                                                               \
    return qtest_cmd_value(s, cmd, addr);                       \
}
QTEST_READ(qtest_readb, "readb", uint8_t)
QTEST_READ(qtest_readw, "readw", uint16_t)
QTEST_READ(qtest_readl, "readl", uint32_t)
QTEST_READ(qtest_readq, "readq", uint64_t)

#define QTEST_WRITE(fn, cmd, type)                              \
void fn(QTestState *s, uint64_t addr, type value)               \
{                                                               \
    g_free(qtest_cmd_ok(s, cmd " 0x%" PRIx64 " 0x%" PRIx64,     \
                        addr, (uint64_t)value));                \
}
QTEST_WRITE(qtest_writeb, "writeb", uint8_t)
QTEST_WRITE(qtest_writew, "writew", uint16_t)
QTEST_WRITE(qtest_writel, "writel", uint32_t)
QTEST_WRITE(qtest_writeq, "writeq", uint64_t)

void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    uint8_t *p = data;

    while (size) {
        size_t n = MIN(size, QTEST_CHUNK);
        g_autofree char *hex = qtest_cmd_ok(s, "read 0x%" PRIx64 " 0x%zx",
                                            addr, n);

        g_assert(strlen(hex) == 2 + 2 * n);
        for (size_t i = 0; i < n; i++) {
            p[i] = g_ascii_xdigit_value(hex[2 + 2 * i]) << 4 |
                   g_ascii_xdigit_value(hex[3 + 2 * i]);
        }
        p += n;
        addr += n;
        size -= n;
    }
}

void qtest_memwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size)
{
    static const char hexdig[] = "0123456789abcdef";
    const uint8_t *p = data;

    while (size) {
        size_t n = MIN(size, QTEST_CHUNK);
        g_autofree char *hex = g_malloc(2 * n + 1);

        for (size_t i = 0; i < n; i++) {
            hex[2 * i] = hexdig[p[i] >> 4];
            hex[2 * i + 1] = hexdig[p[i] & 0xf];
        }
        hex[2 * n] = '\0';
        g_free(qtest_cmd_ok(s, "write 0x%" PRIx64 " 0x%zx 0x%s", addr, n,
                            hex));
        p += n;
        addr += n;
        size -= n;
    }
}

void qtest_bufread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    uint8_t *p = data;

    while (size) {
        size_t n = MIN(size, QTEST_CHUNK);
        g_autofree char *b64 = qtest_cmd_ok(s, "b64read 0x%" PRIx64 " 0x%zx",
                                            addr, n);
        gsize len;
        g_autofree guchar *bytes = g_base64_decode(b64, &len);

        g_assert_cmpuint(len, ==, n);
        memcpy(p, bytes, n);
        p += n;
        addr += n;
        size -= n;
    }
}

void qtest_bufwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size)
{
    const uint8_t *p = data;

    while (size) {
        size_t n = MIN(size, QTEST_CHUNK);
        g_autofree char *b64 = g_base64_encode(p, n);

        g_free(qtest_cmd_ok(s, "b64write 0x%" PRIx64 " 0x%zx %s", addr, n,
                            b64));
        p += n;
        addr += n;
        size -= n;
    }
}

void qtest_memset(QTestState *s, uint64_t addr, uint8_t pattern, size_t size)
{
    g_free(qtest_cmd_ok(s, "memset 0x%" PRIx64 " 0x%zx 0x%02x", addr, size,
                        pattern));
}

int64_t qtest_clock_step_next(QTestState *s)
{
    g_autofree char *v = qtest_cmd_ok(s, "clock_step");

    return g_ascii_strtoll(v, NULL, 0);
}

int64_t qtest_clock_step(QTestState *s, int64_t step)
{
    g_autofree char *v = qtest_cmd_ok(s, "clock_step %" PRIi64, step);

    return g_ascii_strtoll(v, NULL, 0);
}

int64_t qtest_clock_set(QTestState *s, int64_t val)
{
    g_autofree char *v = qtest_cmd_ok(s, "clock_set %" PRIi64, val);

    return g_ascii_strtoll(v, NULL, 0);
}

void qtest_irq_intercept_in(QTestState *s, const char *qom_path)
{
    g_free(qtest_cmd_ok(s, "irq_intercept_in %s", qom_path));
}

void qtest_irq_intercept_out(QTestState *s, const char *qom_path)
{
    g_free(qtest_cmd_ok(s, "irq_intercept_out %s", qom_path));
}

bool qtest_get_irq(QTestState *s, int num)
{
    /* Collect IRQ lines that arrived: a cheap round trip flushes them. */
    g_free(qtest_cmd_ok(s, "endianness"));
    g_assert(num >= 0 && num < (int)G_N_ELEMENTS(s->irq_level));
    return s->irq_level[num];
}

void qtest_set_irq_in(QTestState *s, const char *qom_path, const char *name,
                      int num, int level)
{
    g_free(qtest_cmd_ok(s, "set_irq_in %s %s %d %d", qom_path,
                        name ? name : "unnamed-gpio-in", num, level));
}

/* -------------------------------------------------------------- helpers */

int qtest_count_open_fds(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/fd", (int)pid);
    GDir *dir = g_dir_open(path, 0, NULL);
    int n = 0;

    g_assert(dir);
    while (g_dir_read_name(dir)) {
        n++;
    }
    g_dir_close(dir);
    return n;
}

uint64_t qtest_rss_kib(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
    g_autofree char *status = NULL;
    const char *p;

    g_assert(g_file_get_contents(path, &status, NULL, NULL));
    p = strstr(status, "VmRSS:");
    g_assert(p);
    return g_ascii_strtoull(p + 6, NULL, 10);
}

static JsonNode *json_path(JsonObject *o, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, ".", -1);
    JsonNode *node = NULL;

    for (char **p = parts; *p; p++) {
        if (!o || !json_object_has_member(o, *p)) {
            g_error("JSON member '%s' missing (path %s)", *p, path);
        }
        node = json_object_get_member(o, *p);
        o = JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
    }
    return node;
}

bool qtest_json_has(JsonObject *o, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, ".", -1);

    for (char **p = parts; *p; p++) {
        JsonNode *node;

        if (!o || !json_object_has_member(o, *p)) {
            return false;
        }
        node = json_object_get_member(o, *p);
        o = JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
    }
    return true;
}

const char *qtest_json_get_str(JsonObject *o, const char *path)
{
    JsonNode *n = json_path(o, path);

    g_assert(JSON_NODE_HOLDS_VALUE(n) &&
             json_node_get_value_type(n) == G_TYPE_STRING);
    return json_node_get_string(n);
}

int64_t qtest_json_get_int(JsonObject *o, const char *path)
{
    JsonNode *n = json_path(o, path);

    g_assert(JSON_NODE_HOLDS_VALUE(n) &&
             json_node_get_value_type(n) == G_TYPE_INT64);
    return json_node_get_int(n);
}

bool qtest_json_get_bool(JsonObject *o, const char *path)
{
    JsonNode *n = json_path(o, path);

    g_assert(JSON_NODE_HOLDS_VALUE(n) &&
             json_node_get_value_type(n) == G_TYPE_BOOLEAN);
    return json_node_get_boolean(n);
}

JsonObject *qtest_json_get_obj(JsonObject *o, const char *path)
{
    JsonNode *n = json_path(o, path);

    g_assert(JSON_NODE_HOLDS_OBJECT(n));
    return json_node_get_object(n);
}

JsonArray *qtest_json_get_array(JsonObject *o, const char *path)
{
    JsonNode *n = json_path(o, path);

    g_assert(JSON_NODE_HOLDS_ARRAY(n));
    return json_node_get_array(n);
}
