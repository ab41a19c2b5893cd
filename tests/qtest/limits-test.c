/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * limits-test.c: the VMM at its limits, through the real binary: a
 * synchronous dump to a reader that never reads (other monitors and
 * qtest keep answering; quit and SIGTERM end it cleanly within 5 s), a
 * dump started at the process's fd limit (refused, or cancellable and
 * quittable), and the QMP server at the fd limit (the accept loop backs
 * off instead of spinning; getfd says the VMM is out of descriptors;
 * named fds are capped per monitor).  Issue 12, items 2, 4 and 5.
 *
 * The second monitor is a plain socket client written here: libqtest
 * speaks to one monitor only.
 */
#include <inttypes.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "libqtest.h"

#define MACHINE "-machine microvm -m 256M "
/* The fd limit the VMM is started with in the fd-limit tests. */
#define LOW_NOFILE 64
/* What "promptly" means for an exit or a reply. */
#define PROMPT_MS 5000

/* ------------------------------------------------- a second monitor */

typedef struct Mon {
    int fd;
    GString *in;
} Mon;

/* The next line, or NULL after @timeout_ms without one (or at EOF). */
static char *mon_line(Mon *m, int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + timeout_ms * 1000LL;

    for (;;) {
        char *nl = memchr(m->in->str, '\n', m->in->len);
        struct pollfd p = { .fd = m->fd, .events = POLLIN };
        char buf[4096];
        gint64 left;
        ssize_t n;

        if (nl) {
            char *line = g_strndup(m->in->str, nl - m->in->str);

            g_string_erase(m->in, 0, nl - m->in->str + 1);
            return line;
        }
        left = (deadline - g_get_monotonic_time()) / 1000;
        if (left <= 0 || poll(&p, 1, left) <= 0) {
            return NULL;
        }
        n = read(m->fd, buf, sizeof(buf));
        if (n <= 0) {
            return NULL;
        }
        g_string_append_len(m->in, buf, n);
    }
}

/* The next message that is not an event, as an object (NULL: timeout). */
static JsonObject *mon_response(Mon *m, int timeout_ms)
{
    for (;;) {
        g_autofree char *line = mon_line(m, timeout_ms);
        JsonNode *n;
        JsonObject *o;

        if (!line) {
            return NULL;
        }
        n = json_from_string(line, NULL);
        g_assert_nonnull(n);
        o = json_object_ref(json_node_get_object(n));
        json_node_unref(n);
        if (!json_object_has_member(o, "event")) {
            return o;
        }
        json_object_unref(o);
    }
}

static void mon_send(Mon *m, const char *json)
{
    size_t len = strlen(json);

    g_assert_cmpint(write(m->fd, json, len), ==, (ssize_t)len);
}

/* Run @json; its response within PROMPT_MS, else the test fails. */
static JsonObject *mon_cmd(Mon *m, const char *json)
{
    JsonObject *r;

    mon_send(m, json);
    r = mon_response(m, PROMPT_MS);
    if (!r) {
        g_error("no answer to %s within %d ms", json, PROMPT_MS);
    }
    return r;
}

/* Connect to @path, read the greeting, negotiate. */
static Mon *mon_connect(const char *path)
{
    Mon *m = g_new0(Mon, 1);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_autofree char *greeting = NULL;
    JsonObject *r;

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    m->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(m->fd, >=, 0);
    g_assert_cmpint(connect(m->fd, (struct sockaddr *)&addr, sizeof(addr)),
                    ==, 0);
    m->in = g_string_new(NULL);
    greeting = mon_line(m, PROMPT_MS);
    if (!greeting) {
        g_error("no QMP greeting on %s within %d ms", path, PROMPT_MS);
    }
    g_assert_nonnull(strstr(greeting, "\"QMP\""));
    r = mon_cmd(m, "{\"execute\": \"qmp_capabilities\"}");
    g_assert_true(json_object_has_member(r, "return"));
    json_object_unref(r);
    return m;
}

static void mon_close(Mon *m)
{
    close(m->fd);
    g_string_free(m->in, true);
    g_free(m);
}

/* ------------------------------------------------------------ helpers */

static char *tmp_path(const char *name)
{
    return g_build_filename(qtest_tmpdir(), name, NULL);
}

static const char *query_dump_status(Mon *m)
{
    static char status[32];
    JsonObject *r = mon_cmd(m, "{\"execute\": \"query-dump\"}");

    g_strlcpy(status, qtest_json_get_str(r, "return.status"),
              sizeof(status));
    json_object_unref(r);
    return status;
}

/* Wait (bounded) for @pid to exit; its milliseconds, or -1 if it did not. */
static int wait_exit_ms(QTestState *s, int limit_ms)
{
    gint64 t0 = g_get_monotonic_time();

    while (qtest_probe_child(s)) {
        if (g_get_monotonic_time() - t0 > limit_ms * 1000LL) {
            return -1;
        }
        g_usleep(10 * 1000);
    }
    return (g_get_monotonic_time() - t0) / 1000;
}

/* Pass a pipe's write end to the main monitor as @name; our read end. */
static int pass_pipe(QTestState *s, const char *name)
{
    int p[2];
    JsonObject *r;

    g_assert_cmpint(pipe(p), ==, 0);
    r = qtest_qmp_fds(s, &p[1], 1, "{'execute': 'getfd', 'arguments': "
                      "{'fdname': '%s'}}", name);
    g_assert_true(qtest_json_has(r, "return"));
    json_object_unref(r);
    close(p[1]);
    return p[0];
}

/* Start the VMM with a soft fd limit of @nofile (0: unchanged). */
static QTestState *start_vmm(const char *extra, rlim_t nofile)
{
    struct rlimit old, low;
    QTestState *s;

    g_assert_cmpint(getrlimit(RLIMIT_NOFILE, &old), ==, 0);
    if (nofile) {
        low = old;
        low.rlim_cur = nofile;
        g_assert_cmpint(setrlimit(RLIMIT_NOFILE, &low), ==, 0);
    }
    s = qtest_initf(MACHINE "%s", extra);
    g_assert_cmpint(setrlimit(RLIMIT_NOFILE, &old), ==, 0);
    return s;
}

/*
 * getfd until the VMM runs out of descriptors; returns how many names
 * were given (fd0 ... fdN-1) and the first error's text in *@err.
 */
static int fill_fds(QTestState *s, char **err)
{
    int n;

    for (n = 0; n < 4 * LOW_NOFILE; n++) {
        int fd = dup(STDERR_FILENO);
        JsonObject *r = qtest_qmp_fds(s, &fd, 1, "{'execute': 'getfd', "
                                      "'arguments': {'fdname': 'fd%d'}}", n);

        close(fd);
        if (!qtest_json_has(r, "return")) {
            *err = g_strdup(qtest_json_get_str(r, "error.desc"));
            json_object_unref(r);
            return n;
        }
        json_object_unref(r);
    }
    g_error("the VMM took %d fds under a limit of %d", n, LOW_NOFILE);
}

static void closefd(QTestState *s, int i)
{
    qtest_qmp_assert_success(s, "{'execute': 'closefd', 'arguments': "
                             "{'fdname': 'fd%d'}}", i);
}

/* ------------------------------------- item 4: a stalled synchronous dump */

/*
 * A synchronous dump (no detach) to a pipe nobody reads: the VMM's other
 * monitor and qtest keep answering (the old code blocked the main loop
 * in the dump's write), the issuing monitor gets its reply once the
 * reader drains the pipe, after STOP, DUMP_COMPLETED and RESUME.
 */
static void test_sync_stalled_keeps_vmm_responsive(void)
{
    g_autofree char *sock = tmp_path("mon2.sock");
    g_autofree char *extra = g_strdup_printf("-qmp unix:%s,server=on,"
                                             "wait=off", sock);
    QTestState *s = start_vmm(extra, 0);
    int rd = pass_pipe(s, "pipe");
    gint64 t0;
    Mon *m;
    JsonObject *r;
    char buf[65536];
    char **names;
    g_autofree char *joined = NULL;

    qtest_qmp_events_clear(s);
    qtest_qmp_send(s, "{'execute': 'dump-guest-memory', 'arguments': "
                   "{'paging': false, 'protocol': 'fd:pipe'}, 'id': 'd1'}");
    m = mon_connect(sock);
    t0 = g_get_monotonic_time();
    g_assert_cmpstr(query_dump_status(m), ==, "active");
    qtest_writel(s, 0x1000, 0xfeedf00d);
    g_assert_cmphex(qtest_readl(s, 0x1000), ==, 0xfeedf00d);
    g_test_message("second monitor and qtest answered in %.1f ms",
                   (g_get_monotonic_time() - t0) / 1e3);

    /* drain: the dump completes and the first monitor gets its reply */
    while (read(rd, buf, sizeof(buf)) > 0) {
        /* until the dump closes its end */
    }
    close(rd);
    r = qtest_qmp_receive(s);
    g_assert_true(qtest_json_has(r, "return"));
    g_assert_cmpstr(qtest_json_get_str(r, "id"), ==, "d1");
    json_object_unref(r);
    names = qtest_qmp_event_names(s);
    joined = g_strjoinv(" ", names);
    g_strfreev(names);
    g_assert_cmpstr(joined, ==, "STOP DUMP_COMPLETED RESUME");
    g_assert_cmpstr(query_dump_status(m), ==, "completed");
    mon_close(m);
    qtest_quit(s);
}

/*
 * quit from another monitor, or SIGTERM, while a synchronous dump is
 * stalled: the process exits within 5 s (it ignored SIGTERM for more
 * than 10 s before), the issuing monitor gets DUMP_COMPLETED with the
 * error and its reply (the error too).
 */
static void sync_stalled_then(bool sigterm)
{
    g_autofree char *sock = tmp_path("mon2.sock");
    g_autofree char *extra = g_strdup_printf("-qmp unix:%s,server=on,"
                                             "wait=off", sock);
    QTestState *s = start_vmm(extra, 0);
    int rd = pass_pipe(s, "pipe");
    JsonObject *r;
    Mon *m;
    int ms;

    qtest_qmp_events_clear(s);
    qtest_qmp_send(s, "{'execute': 'dump-guest-memory', 'arguments': "
                   "{'paging': false, 'protocol': 'fd:pipe'}}");
    m = mon_connect(sock);
    g_assert_cmpstr(query_dump_status(m), ==, "active");
    if (sigterm) {
        g_assert_cmpint(kill(qtest_pid(s), SIGTERM), ==, 0);
    } else {
        mon_send(m, "{\"execute\": \"quit\"}");
    }
    ms = wait_exit_ms(s, PROMPT_MS);
    g_test_message("%s: exit after %d ms", sigterm ? "SIGTERM" : "quit", ms);
    g_assert_cmpint(ms, >=, 0);

    r = qtest_qmp_receive(s);
    g_assert_cmpstr(qtest_json_get_str(r, "error.desc"), ==,
                    "dump: cancelled by the VMM's exit");
    json_object_unref(r);
    r = qtest_qmp_event_ref(s, "DUMP_COMPLETED");
    g_assert_nonnull(r);
    g_assert_cmpstr(qtest_json_get_str(r, "data.result.status"), ==,
                    "failed");
    g_assert_cmpstr(qtest_json_get_str(r, "data.error"), ==,
                    "dump: cancelled by the VMM's exit");
    json_object_unref(r);
    close(rd);
    mon_close(m);
    qtest_quit(s);
}

static void test_quit_ends_sync_stalled(void)
{
    sync_stalled_then(false);
}

static void test_sigterm_ends_sync_stalled(void)
{
    sync_stalled_then(true);
}

/*
 * dump-cancel from another monitor ends a stalled synchronous dump: the
 * issuing monitor gets its reply, the error, promptly.
 */
static void test_cancel_sync_from_other_monitor(void)
{
    g_autofree char *sock = tmp_path("mon2.sock");
    g_autofree char *extra = g_strdup_printf("-qmp unix:%s,server=on,"
                                             "wait=off", sock);
    QTestState *s = start_vmm(extra, 0);
    int rd = pass_pipe(s, "pipe");
    JsonObject *r;
    Mon *m;

    qtest_qmp_send(s, "{'execute': 'dump-guest-memory', 'arguments': "
                   "{'paging': false, 'protocol': 'fd:pipe'}}");
    m = mon_connect(sock);
    g_assert_cmpstr(query_dump_status(m), ==, "active");
    r = mon_cmd(m, "{\"execute\": \"dump-cancel\"}");
    g_assert_true(json_object_has_member(r, "return"));
    json_object_unref(r);
    r = qtest_qmp_receive(s);
    g_assert_cmpstr(qtest_json_get_str(r, "error.desc"), ==,
                    "dump: cancelled by dump-cancel");
    json_object_unref(r);
    g_assert_cmpstr(query_dump_status(m), ==, "failed");
    close(rd);
    mon_close(m);
    qtest_quit(s);
}

/*
 * A client that leaves while its synchronous dump runs loses only the
 * reply: the dump completes, and the next client of that monitor is
 * served at once and gets no stray reply.
 */
static void test_client_leaves_during_sync_dump(void)
{
    g_autofree char *sock = tmp_path("mon2.sock");
    g_autofree char *fifo = tmp_path("fifo");
    g_autofree char *extra = g_strdup_printf("-qmp unix:%s,server=on,"
                                             "wait=off", sock);
    g_autofree char *req = g_strdup_printf("{\"execute\": "
                                           "\"dump-guest-memory\", "
                                           "\"arguments\": {\"paging\": "
                                           "false, \"protocol\": "
                                           "\"file:%s\"}}\n", fifo);
    QTestState *s = start_vmm(extra, 0);
    char buf[65536];
    JsonObject *r;
    Mon *m;
    int rd;

    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    rd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    g_assert_cmpint(rd, >=, 0);
    m = mon_connect(sock);
    mon_send(m, req);
    for (bool active = false; !active; g_usleep(10 * 1000)) {
        r = qtest_qmp(s, "{'execute': 'query-dump'}");
        active = !strcmp(qtest_json_get_str(r, "return.status"), "active");
        json_object_unref(r);
    }
    mon_close(m);

    m = mon_connect(sock);      /* a new session: not paused */
    g_assert_cmpstr(query_dump_status(m), ==, "active");
    g_unix_set_fd_nonblocking(rd, false, NULL);
    while (read(rd, buf, sizeof(buf)) > 0) {
        /* until the dump closes the FIFO */
    }
    close(rd);
    qtest_qmp_eventwait(s, "DUMP_COMPLETED");
    r = mon_cmd(m, "{\"execute\": \"query-status\", \"id\": 7}");
    g_assert_cmpint(qtest_json_get_int(r, "id"), ==, 7);
    json_object_unref(r);
    g_assert_cmpstr(query_dump_status(m), ==, "completed");
    mon_close(m);
    unlink(fifo);
    qtest_quit(s);
}

/*
 * A request pipelined behind a synchronous dump is answered after it:
 * the client sees the replies in request order.
 */
static void test_replies_in_order(void)
{
    g_autofree char *sock = tmp_path("mon2.sock");
    g_autofree char *fifo = tmp_path("fifo");
    g_autofree char *extra = g_strdup_printf("-qmp unix:%s,server=on,"
                                             "wait=off", sock);
    g_autofree char *req = g_strdup_printf("{\"execute\": "
                                           "\"dump-guest-memory\", "
                                           "\"arguments\": {\"paging\": "
                                           "false, \"protocol\": "
                                           "\"file:%s\"}, \"id\": 1}\n"
                                           "{\"execute\": "
                                           "\"query-status\", "
                                           "\"id\": 2}\n", fifo);
    QTestState *s = start_vmm(extra, 0);
    char buf[65536];
    JsonObject *r;
    Mon *m;
    int rd;

    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    rd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    g_assert_cmpint(rd, >=, 0);
    m = mon_connect(sock);
    mon_send(m, req);
    /* nothing comes before the dump ends */
    r = mon_response(m, 300);
    g_assert_null(r);
    g_unix_set_fd_nonblocking(rd, false, NULL);
    while (read(rd, buf, sizeof(buf)) > 0) {
        /* until the dump closes the FIFO */
    }
    close(rd);
    r = mon_response(m, PROMPT_MS);
    g_assert_nonnull(r);
    g_assert_cmpint(qtest_json_get_int(r, "id"), ==, 1);
    g_assert_true(qtest_json_has(r, "return"));
    json_object_unref(r);
    r = mon_response(m, PROMPT_MS);
    g_assert_nonnull(r);
    g_assert_cmpint(qtest_json_get_int(r, "id"), ==, 2);
    g_assert_true(qtest_json_get_bool(r, "return.running"));
    json_object_unref(r);
    mon_close(m);
    unlink(fifo);
    qtest_quit(s);
}

/*
 * A writer the kernel does not let go of: a pseudo-terminal nobody
 * reads takes a few KiB, then blocks write() (a tty refuses RWF_NOWAIT,
 * so the dump cannot wait in poll() where dump-cancel would wake it).
 * quit still ends the process within 5 s: the exit waits 2 s for the
 * dump thread, then reports the dump failed and leaves the thread to
 * the process's end.
 */
static void test_quit_abandons_stuck_writer(void)
{
    QTestState *s = start_vmm("", 0);
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    int slave, ms;
    JsonObject *r;

    g_assert_cmpint(master, >=, 0);
    g_assert_cmpint(grantpt(master), ==, 0);
    g_assert_cmpint(unlockpt(master), ==, 0);
    slave = open(ptsname(master), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    g_assert_cmpint(slave, >=, 0);
    r = qtest_qmp_fds(s, &slave, 1, "{'execute': 'getfd', 'arguments': "
                      "{'fdname': 'tty'}}");
    g_assert_true(qtest_json_has(r, "return"));
    json_object_unref(r);
    close(slave);
    qtest_qmp_events_clear(s);
    qtest_qmp_assert_success(s, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, 'protocol': "
                             "'fd:tty', 'detach': true}}");
    g_usleep(200 * 1000);
    r = qtest_qmp(s, "{'execute': 'query-dump'}");
    g_assert_cmpstr(qtest_json_get_str(r, "return.status"), ==, "active");
    json_object_unref(r);

    qtest_qmp_send(s, "{'execute': 'quit'}");
    ms = wait_exit_ms(s, PROMPT_MS);
    g_test_message("quit with the dump thread stuck in write(): %d ms", ms);
    g_assert_cmpint(ms, >=, 0);
    r = qtest_qmp_receive(s);           /* quit's */
    g_assert_true(qtest_json_has(r, "return"));
    json_object_unref(r);
    r = qtest_qmp_eventwait_ref(s, "DUMP_COMPLETED");
    g_assert_cmpstr(qtest_json_get_str(r, "data.error"), ==,
                    "dump: abandoned at exit: the writer did not stop "
                    "within 2 s");
    json_object_unref(r);
    close(master);
    qtest_quit(s);
}

/* ----------------------------------------- item 2: a dump at the fd limit */

/*
 * At the fd limit, with exactly the dump's output fd passed, a detached
 * dump to a stalled pipe is refused with an error (it cannot have the
 * eventfd that makes it cancellable; the old code started it anyway,
 * and then neither dump-cancel nor quit could end it).  With one fd
 * free it starts, dump-cancel ends it, and a second one ends with quit,
 * within 5 s.
 */
static void test_fd_limit_dump(void)
{
    QTestState *s = start_vmm("", LOW_NOFILE);
    g_autofree char *err = NULL;
    g_autofree char *fill_err = NULL;
    int n = fill_fds(s, &fill_err);
    int rd, ms;
    gint64 t0;
    JsonObject *r;

    g_test_message("%d named fds before: %s", n, fill_err);
    closefd(s, 0);
    rd = pass_pipe(s, "pipe");
    err = qtest_qmp_expect_error(s, "GenericError", "{'execute': "
                                 "'dump-guest-memory', 'arguments': "
                                 "{'paging': false, 'protocol': 'fd:pipe', "
                                 "'detach': true}}");
    g_test_message("refused: %s", err);
    g_assert_true(g_str_has_prefix(err, "dump: cannot prepare the output"));
    close(rd);
    r = qtest_qmp(s, "{'execute': 'query-dump'}");
    g_assert_cmpstr(qtest_json_get_str(r, "return.status"), !=, "active");
    json_object_unref(r);

    /* the refused dump closed its fd; free one more for the eventfd */
    closefd(s, 1);
    rd = pass_pipe(s, "pipe");
    qtest_qmp_assert_success(s, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, 'protocol': "
                             "'fd:pipe', 'detach': true}}");
    qtest_qmp_assert_success(s, "{'execute': 'dump-cancel'}");
    t0 = g_get_monotonic_time();
    for (;;) {
        const char *st;

        r = qtest_qmp(s, "{'execute': 'query-dump'}");
        st = qtest_json_get_str(r, "return.status");
        if (strcmp(st, "active")) {
            g_assert_cmpstr(st, ==, "failed");
            json_object_unref(r);
            break;
        }
        json_object_unref(r);
        g_assert_cmpint(g_get_monotonic_time() - t0, <, PROMPT_MS * 1000LL);
        g_usleep(10 * 1000);
    }
    close(rd);

    rd = pass_pipe(s, "pipe");
    qtest_qmp_assert_success(s, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, 'protocol': "
                             "'fd:pipe', 'detach': true}}");
    qtest_qmp_send(s, "{'execute': 'quit'}");
    ms = wait_exit_ms(s, PROMPT_MS);
    g_test_message("quit with a stalled dump at the fd limit: %d ms", ms);
    g_assert_cmpint(ms, >=, 0);
    close(rd);
    qtest_quit(s);
}

/* ------------------------------------------ item 5: QMP at the fd limit */

/*
 * Seconds @pid's main thread has been runnable (on a CPU or waiting for
 * one, /proc/PID/schedstat): a loop that spins is runnable all the time
 * however busy the machine, one that waits in poll() almost never.
 */
static double runnable_seconds(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/schedstat", (int)pid);
    g_autofree char *stat = NULL;
    unsigned long long run_ns, wait_ns;

    g_assert_true(g_file_get_contents(path, &stat, NULL, NULL));
    g_assert_cmpint(sscanf(stat, "%llu %llu", &run_ns, &wait_ns), ==, 2);
    return (run_ns + wait_ns) / 1e9;
}

/*
 * At the fd limit, getfd says the VMM is out of descriptors (it blamed
 * the client: "No file descriptor supplied via SCM_RIGHTS"), and a
 * client waiting to connect to a second monitor does not make the accept
 * loop spin (it burnt 100% of a core: 3.00 s of CPU in 3 s): the VMM's
 * main thread is runnable less than a quarter of a second in a second,
 * and accepts the client once descriptors are free again.
 */
static void test_accept_backs_off_at_emfile(void)
{
    g_autofree char *sock = tmp_path("mon2.sock");
    g_autofree char *extra = g_strdup_printf("-qmp unix:%s,server=on,"
                                             "wait=off", sock);
    QTestState *s = start_vmm(extra, LOW_NOFILE);
    g_autofree char *err = NULL;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_autofree char *greeting = NULL;
    double cpu0, cpu1;
    Mon m = { .in = g_string_new(NULL) };

    fill_fds(s, &err);
    g_strlcpy(addr.sun_path, sock, sizeof(addr.sun_path));
    m.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(connect(m.fd, (struct sockaddr *)&addr, sizeof(addr)),
                    ==, 0);
    g_usleep(100 * 1000);
    cpu0 = runnable_seconds(qtest_pid(s));
    g_usleep(G_USEC_PER_SEC);
    cpu1 = runnable_seconds(qtest_pid(s));
    g_test_message("VMM main thread runnable with a client waiting at "
                   "EMFILE: %.2f s in 1 s", cpu1 - cpu0);
    g_assert_cmpfloat(cpu1 - cpu0, <, 0.25);
    g_assert_cmpstr(err, ==, "The file descriptor passed via SCM_RIGHTS was "
                    "lost: the VMM is out of file descriptors");
    /* the main monitor still answers */
    qtest_qmp_assert_success(s, "{'execute': 'query-status'}");

    closefd(s, 0);
    closefd(s, 1);
    greeting = mon_line(&m, PROMPT_MS);
    g_assert_nonnull(greeting);
    g_assert_nonnull(strstr(greeting, "\"QMP\""));
    close(m.fd);
    g_string_free(m.in, true);
    qtest_quit(s);
}

/*
 * A monitor holds at most 256 named fds (getfd accepted 19,991 before,
 * each outliving the client): the 257th name is refused with a clear
 * error and its fd closed; replacing a name, or a name after closefd,
 * still works.
 */
static void test_getfd_limit(void)
{
    QTestState *s = start_vmm("", 0);
    int before = qtest_count_open_fds(qtest_pid(s));
    int fd = dup(STDERR_FILENO);
    JsonObject *r;

    for (int i = 0; i < 256; i++) {
        r = qtest_qmp_fds(s, &fd, 1, "{'execute': 'getfd', 'arguments': "
                          "{'fdname': 'fd%d'}}", i);
        g_assert_true(qtest_json_has(r, "return"));
        json_object_unref(r);
    }
    r = qtest_qmp_fds(s, &fd, 1, "{'execute': 'getfd', 'arguments': "
                      "{'fdname': 'one-too-many'}}");
    g_assert_cmpstr(qtest_json_get_str(r, "error.desc"), ==,
                    "Too many named file descriptors on this monitor "
                    "(limit 256); close some with closefd");
    json_object_unref(r);
    g_assert_cmpint(qtest_count_open_fds(qtest_pid(s)), ==, before + 256);
    r = qtest_qmp_fds(s, &fd, 1, "{'execute': 'getfd', 'arguments': "
                      "{'fdname': 'fd7'}}");
    g_assert_true(qtest_json_has(r, "return"));
    json_object_unref(r);
    closefd(s, 8);
    r = qtest_qmp_fds(s, &fd, 1, "{'execute': 'getfd', 'arguments': "
                      "{'fdname': 'new'}}");
    g_assert_true(qtest_json_has(r, "return"));
    json_object_unref(r);
    g_assert_cmpint(qtest_count_open_fds(qtest_pid(s)), ==, before + 256);
    close(fd);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    signal(SIGPIPE, SIG_IGN);
    g_test_add_func("/limits/dump/sync-stalled-keeps-vmm-responsive",
                    test_sync_stalled_keeps_vmm_responsive);
    g_test_add_func("/limits/dump/quit-ends-sync-stalled",
                    test_quit_ends_sync_stalled);
    g_test_add_func("/limits/dump/sigterm-ends-sync-stalled",
                    test_sigterm_ends_sync_stalled);
    g_test_add_func("/limits/dump/cancel-sync-from-other-monitor",
                    test_cancel_sync_from_other_monitor);
    g_test_add_func("/limits/dump/replies-in-order", test_replies_in_order);
    g_test_add_func("/limits/dump/client-leaves-during-sync-dump",
                    test_client_leaves_during_sync_dump);
    g_test_add_func("/limits/dump/quit-abandons-stuck-writer",
                    test_quit_abandons_stuck_writer);
    g_test_add_func("/limits/dump/fd-limit-refused-or-cancellable",
                    test_fd_limit_dump);
    g_test_add_func("/limits/qmp/accept-backs-off-at-emfile",
                    test_accept_backs_off_at_emfile);
    g_test_add_func("/limits/qmp/getfd-limit", test_getfd_limit);
    return g_test_run();
}
