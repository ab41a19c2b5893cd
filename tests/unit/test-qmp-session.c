/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-qmp-session.c: QMP sessions as a whole: flow control against a
 * client that pipelines or does not read, disconnects at awkward moments
 * and reconnecting, several monitors and clients, and the flush at exit.
 *
 * White-box where it must be: the high-water mark and the event cap come
 * from monitor-internal.h so the bounds can be asserted.
 */
#include "qemu/osdep.h"
#include <glib-unix.h>
#include <sys/socket.h>
#include "qemu/error.h"
#include "qapi/qmp-registry.h"
#include "monitor/monitor.h"
#include "monitor/monitor-internal.h"
#include "qmp-test-client.h"

#define REPLY_SLACK 4096u    /* > one reply or event of these tests */

static const QmpArgSpec big_args[] = {
    { "len", QMP_ARG_INT },
    { NULL }
};

static unsigned big_calls;

/* Returns a string of @len 'x'. */
static bool qmp_test_big(JsonObject *args, JsonNode **ret, Error **errp)
{
    int64_t len = qmp_arg_get_int(args, "len", 0);
    g_autofree char *s = g_malloc(len + 1);

    big_calls++;
    memset(s, 'x', len);
    s[len] = 0;
    *ret = json_node_new(JSON_NODE_VALUE);
    json_node_set_string(*ret, s);
    return true;
}

static const QmpArgSpec spam_args[] = {
    { "events", QMP_ARG_INT },
    { NULL }
};

static bool spam_done;

/* Sends @events 1 KiB events and SHUTDOWN, as a quit would. */
static bool qmp_test_spam(JsonObject *args, JsonNode **ret, Error **errp)
{
    int64_t n = qmp_arg_get_int(args, "events", 0);
    g_autofree char *pad = g_strnfill(1000, 'p');

    for (int64_t i = 0; i < n; i++) {
        JsonObject *data = json_object_new();

        json_object_set_int_member(data, "seq", i);
        json_object_set_string_member(data, "pad", pad);
        qapi_event_send("TEST_SPAM", data);
    }
    qapi_event_send("SHUTDOWN", NULL);
    spam_done = true;
    return true;
}

static void send_event(int seq)
{
    JsonObject *data = json_object_new();

    json_object_set_int_member(data, "seq", seq);
    json_object_set_string_member(data, "pad", "0123456789abcdef0123456789"
                                  "abcdef0123456789abcdef0123456789abcdef");
    qapi_event_send("TEST_EVENT", data);
}

static int64_t event_seq(JsonNode *ev)
{
    JsonObject *o = json_node_get_object(ev);

    return json_object_get_int_member(
        json_object_get_object_member(o, "data"), "seq");
}

static void max_held(MonitorQMP *mon, void *opaque)
{
    guint *max = opaque;

    *max = MAX(*max, mon->outq.length);
}

static void test_burst(void)
{
    g_autofree char *path = NULL;
    Chardev *chr = qmp_test_server("burst", false, &path);
    QmpTestClient *c = qmp_test_connect_ready(path);
    const int n = 10000;
    g_autoptr(GString) reqs = g_string_new(NULL);
    size_t sent = 0, max_out = 0;
    int received = 0, max_in_flight = 0;
    bool blocked_once = false;
    guint held = 0;

    for (int i = 0; i < n; i++) {
        g_string_append_printf(reqs, "{'execute': 'test-big', 'arguments': "
                               "{'len': 1000}, 'id': %d}\n", i);
    }
    while (received < n) {
        bool blocked = false;

        if (sent < reqs->len) {
            ssize_t k = send(c->fd, reqs->str + sent,
                             MIN(reqs->len - sent, 65536), MSG_DONTWAIT);

            if (k > 0) {
                sent += k;
            } else {
                blocked = true;
                blocked_once = true;
            }
        }
        qmp_test_pump(0);
        max_out = MAX(max_out, qemu_chr_outbuf_len(chr));
        max_in_flight = MAX(max_in_flight, (int)big_calls - received);
        monitor_qmp_foreach(max_held, &held);
        /* read only once we are stuck or done: the server must pause */
        while ((blocked || sent == reqs->len) && received < n) {
            g_autoptr(JsonNode) rsp = qmp_test_response(c);

            g_assert_cmpint(json_object_get_int_member(
                json_node_get_object(rsp), "id"), ==, received);
            received++;
            if (!(received % 512)) {
                break;
            }
        }
    }
    g_assert_true(blocked_once);
    g_assert_cmpuint(max_out, >=, QMP_OUT_HIGH_WATER / 2);
    g_assert_cmpuint(max_out, <, QMP_OUT_HIGH_WATER + REPLY_SLACK);
    /* input stops right after the request that filled the output */
    g_assert_cmpuint(held, ==, 0);
    /* answered but unread: the chardev's MiB plus the socket buffers */
    g_assert_cmpint(max_in_flight, <, 2 * QMP_OUT_HIGH_WATER / 1000);
    g_free(qmp_test_cmd_ok(c, "{'execute': 'query-version'}"));
    qmp_test_close(c);
    qmp_test_teardown();
}

static void test_slow_reader_events(void)
{
    g_autofree char *path = NULL;
    Chardev *chr = qmp_test_server("slow", false, &path);
    QmpTestClient *c = qmp_test_connect_ready(path);
    const int n = 20000;
    size_t max_out = 0;
    int64_t last = -1, count = 0;
    JsonNode *ev;

    for (int i = 0; i < n; i++) {
        send_event(i);
        if (!(i % 64)) {
            qmp_test_pump(0);
        }
        max_out = MAX(max_out, qemu_chr_outbuf_len(chr));
    }
    g_assert_cmpuint(max_out, <, QMP_OUT_HIGH_WATER + REPLY_SLACK);
    /* responses are never dropped, and come after the held events */
    qmp_test_send(c, "{'execute': 'query-version', 'id': 'after'}");
    while ((ev = qmp_test_recv(c))) {
        JsonObject *o = json_node_get_object(ev);
        int64_t seq;

        if (json_object_has_member(o, "return")) {
            g_assert_cmpstr(json_object_get_string_member(o, "id"), ==,
                            "after");
            json_node_unref(ev);
            break;
        }
        seq = event_seq(ev);
        g_assert_cmpint(seq, >, last);
        last = seq;
        count++;
        json_node_unref(ev);
    }
    g_assert_null(qmp_test_event(c, 100));
    /* the oldest were dropped, the newest kept */
    g_assert_cmpint(last, ==, n - 1);
    g_assert_cmpint(count, <, n);
    g_assert_cmpint(count, >=, QMP_MAX_HELD_EVENTS);
    g_free(qmp_test_cmd_ok(c, "{'execute': 'query-version'}"));
    qmp_test_close(c);
    qmp_test_teardown();
}

static void expect_fresh_session(const char *path)
{
    QmpTestClient *c = qmp_test_connect(path);
    g_autoptr(JsonNode) greeting = qmp_test_recv(c);

    g_assert_true(json_object_has_member(json_node_get_object(greeting),
                                         "QMP"));
    qmp_test_cmd_error(c, "{'execute': 'query-version'}", "CommandNotFound",
                       "Expecting capabilities negotiation with "
                       "'qmp_capabilities'");
    g_free(qmp_test_cmd_ok(c, "{'execute': 'qmp_capabilities'}"));
    g_free(qmp_test_cmd_ok(c, "{'execute': 'query-version'}"));
    qmp_test_close(c);
}

static void wait_disconnected(Chardev *chr)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while (qemu_chr_is_connected(chr)) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        qmp_test_pump(1);
    }
}

static void test_disconnect_mid_response(void)
{
    g_autofree char *path = NULL;
    Chardev *chr = qmp_test_server("midrsp", false, &path);
    QmpTestClient *c = qmp_test_connect_ready(path);

    qmp_test_send(c, "{'execute': 'test-big', 'arguments': "
                  "{'len': 8388608}}");
    g_assert_cmpuint(qemu_chr_outbuf_len(chr), >, 0);
    qmp_test_close(c);
    wait_disconnected(chr);
    g_assert_cmpuint(qemu_chr_outbuf_len(chr), ==, 0);
    expect_fresh_session(path);
    qmp_test_teardown();
}

static void test_disconnect_mid_command(void)
{
    g_autofree char *path = NULL;
    Chardev *chr = qmp_test_server("midcmd", false, &path);
    QmpTestClient *c = qmp_test_connect_ready(path);

    /* the rest of this request must not prefix the next session's input */
    qmp_test_send(c, "{'execute': 'query-");
    qmp_test_close(c);
    wait_disconnected(chr);
    expect_fresh_session(path);
    qmp_test_teardown();
}

static void test_disconnect_while_paused(void)
{
    g_autofree char *path = NULL;
    Chardev *chr = qmp_test_server("paused", false, &path);
    QmpTestClient *c = qmp_test_connect_ready(path);
    g_autoptr(GString) reqs = g_string_new(NULL);
    size_t sent = 0;

    for (int i = 0; i < 64; i++) {
        g_string_append(reqs, "{'execute': 'test-big', 'arguments': "
                        "{'len': 65536}}");
    }
    /* nobody reads: the server pauses with input left over */
    for (int tries = 0; tries < 1000 && sent < reqs->len; tries++) {
        ssize_t k = send(c->fd, reqs->str + sent, reqs->len - sent,
                         MSG_DONTWAIT);

        sent += MAX(k, 0);
        qmp_test_pump(1);
    }
    g_assert_cmpuint(qemu_chr_outbuf_len(chr), >=, QMP_OUT_HIGH_WATER);
    qmp_test_close(c);
    wait_disconnected(chr);
    /* not stuck paused: the next client is read */
    expect_fresh_session(path);
    qmp_test_teardown();
}

static void test_two_monitors(void)
{
    g_autofree char *pa = NULL, *pb = NULL, *pc = NULL;
    QmpTestClient *a, *b, *c;
    g_autoptr(JsonNode) greeting = NULL, ea = NULL, eb = NULL, rsp = NULL;

    qmp_test_server("qmpa", false, &pa);
    qmp_test_server("qmpb", false, &pb);
    qmp_test_server("qmpc", false, &pc);
    a = qmp_test_connect_ready(pa);
    b = qmp_test_connect_ready(pb);
    c = qmp_test_connect(pc);
    greeting = qmp_test_recv(c);
    send_event(7);
    ea = qmp_test_event(a, 5000);
    eb = qmp_test_event(b, 5000);
    g_assert_nonnull(ea);
    g_assert_nonnull(eb);
    g_assert_cmpint(event_seq(ea), ==, 7);
    g_assert_cmpint(event_seq(eb), ==, 7);
    /* c has not negotiated: its next message is the answer, no event */
    rsp = qmp_test_cmd(c, "{'execute': 'qmp_capabilities'}");
    qmp_test_return(rsp);
    g_assert_null(qmp_test_event(c, 50));
    /* sessions are independent */
    qmp_test_cmd_error(a, "{'execute': 'qmp_capabilities'}",
                       "CommandNotFound", "Capabilities negotiation is "
                       "already complete, command ignored");
    qmp_test_close(a);
    g_free(qmp_test_cmd_ok(b, "{'execute': 'query-version'}"));
    qmp_test_close(b);
    qmp_test_close(c);
    qmp_test_teardown();
}

static void test_second_client_waits(void)
{
    g_autofree char *path = NULL;
    QmpTestClient *a, *b;
    g_autoptr(JsonNode) greeting = NULL;

    qmp_test_server("queue", false, &path);
    a = qmp_test_connect_ready(path);
    b = qmp_test_connect(path);
    qmp_test_pump(20);
    g_assert_null(qmp_test_event(b, 50));   /* nothing at all yet */
    g_assert_cmpuint(b->in->len, ==, 0);
    qmp_test_close(a);
    greeting = qmp_test_recv(b);
    g_assert_true(json_object_has_member(json_node_get_object(greeting),
                                         "QMP"));
    qmp_test_close(b);
    qmp_test_teardown();
}

static void max_buffered(MonitorQMP *mon, void *opaque)
{
    size_t *max = opaque;

    *max = MAX(*max, json_streamer_buffered(mon->streamer));
}

/* Whitespace is never stored, between requests or inside one. */
static void test_whitespace(void)
{
    g_autofree char *path = NULL;
    QmpTestClient *c;
    g_autofree char *ws = g_strnfill(1 << 20, ' ');
    size_t max = 0;
    g_autoptr(JsonNode) rsp = NULL;

    qmp_test_server("ws", false, &path);
    c = qmp_test_connect_ready(path);
    for (int part = 0; part < 3; part++) {
        qmp_test_send(c, (const char *[]){ "\n", "{'execute':",
                                           "'query-version'}" }[part]);
        for (int i = 0; i < 64; i++) {
            qmp_test_send_raw(c, ws, 1 << 20, NULL, 0);
            monitor_qmp_foreach(max_buffered, &max);
        }
    }
    /* the request, spread over 128 MiB, was answered */
    rsp = qmp_test_response(c);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(qmp_test_return(rsp)));
    g_assert_cmpuint(max, <, 64 << 10);
    qmp_test_close(c);
    qmp_test_teardown();
}

typedef struct Reader {
    int fd;
    gint go;                /* atomic: start reading */
    GString *data;          /* the main thread reads it after the join */
} Reader;

static gpointer reader_thread(gpointer opaque)
{
    Reader *r = opaque;
    char buf[65536];
    ssize_t n;

    while (!g_atomic_int_get(&r->go)) {
        g_usleep(1000);
    }
    while ((n = recv(r->fd, buf, sizeof(buf), 0)) > 0) {
        g_string_append_len(r->data, buf, n);
    }
    return NULL;
}

static void test_cleanup_flush(void)
{
    g_autofree char *path = NULL;
    Chardev *chr = qmp_test_server("flush", false, &path);
    QmpTestClient *c = qmp_test_connect_ready(path);
    Reader r = { .fd = c->fd, .data = g_string_new(NULL) };
    GThread *t;
    g_auto(GStrv) lines = NULL;
    guint n, spam = 0;

    g_unix_set_fd_nonblocking(c->fd, false, NULL);
    t = g_thread_new("reader", reader_thread, &r);
    spam_done = false;
    qmp_test_send(c, "{'execute': 'test-spam', 'arguments': "
                  "{'events': 1500}, 'id': 'quit'}");
    while (!spam_done) {
        qmp_test_pump(1);
    }
    /* output is held back now; exit must still deliver all of it */
    g_assert_cmpuint(qemu_chr_outbuf_len(chr), >=, QMP_OUT_HIGH_WATER);
    g_atomic_int_set(&r.go, 1);
    monitor_cleanup();
    qemu_chr_cleanup();
    g_thread_join(t);

    lines = g_strsplit(r.data->str, "\r\n", -1);
    n = g_strv_length(lines);
    g_assert_cmpuint(n, >=, 3);
    g_assert_cmpstr(lines[n - 1], ==, "");
    g_assert_cmpstr(lines[n - 2], ==, "{\"return\":{},\"id\":\"quit\"}");
    g_assert_nonnull(strstr(lines[n - 3], "\"event\":\"SHUTDOWN\""));
    for (guint i = 0; i < n; i++) {
        spam += strstr(lines[i], "TEST_SPAM") != NULL;
    }
    g_assert_cmpuint(spam, ==, 1500);
    g_string_free(r.data, true);
    qmp_test_close(c);
    qmp_test_teardown();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qmp_register_command("test-big", qmp_test_big, big_args, 0);
    qmp_register_command("test-spam", qmp_test_spam, spam_args, 0);
    g_test_add_func("/monitor/qmp/session/burst-10k", test_burst);
    g_test_add_func("/monitor/qmp/session/slow-reader-events",
                    test_slow_reader_events);
    g_test_add_func("/monitor/qmp/session/disconnect-mid-response",
                    test_disconnect_mid_response);
    g_test_add_func("/monitor/qmp/session/disconnect-mid-command",
                    test_disconnect_mid_command);
    g_test_add_func("/monitor/qmp/session/disconnect-while-paused",
                    test_disconnect_while_paused);
    g_test_add_func("/monitor/qmp/session/two-monitors", test_two_monitors);
    g_test_add_func("/monitor/qmp/session/second-client-waits",
                    test_second_client_waits);
    g_test_add_func("/monitor/qmp/session/cleanup-flush",
                    test_cleanup_flush);
    g_test_add_func("/monitor/qmp/session/whitespace-192mib",
                    test_whitespace);
    return g_test_run();
}
