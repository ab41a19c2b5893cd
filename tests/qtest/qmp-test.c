/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-test.c: QMP end to end against the real binary: the protocol rows of
 * bad-inputs.md (malformed JSON, wrong shapes, capabilities negotiation,
 * argument errors, ids of every type, oversized input, fds), each followed
 * by a command that must still work; the run-state commands and their
 * events; a second monitor that a client leaves and rejoins; and the RSS
 * of a VM with a 16 GiB memfd backend.
 */
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "libqtest.h"

#define MACHINE "-machine microvm -m 512M,maxmem=64G "

static void still_works(QTestState *s)
{
    JsonNode *ret = qtest_qmp_assert_success_ref(
        s, "{\"execute\": \"query-status\"}");

    g_assert_true(JSON_NODE_HOLDS_OBJECT(ret));
    json_node_unref(ret);
}

/*
 * Send @raw, then a marked query-status.  Bad input may draw more than one
 * error (QEMU's lexer, like ours, reports stray tokens one by one); the
 * first reply must be an error containing @needle, and the marked command
 * must then succeed: the monitor resynchronised.
 */
static void expect_generic(QTestState *s, const char *raw, const char *needle)
{
    static const char sync[] = "{\"execute\": \"query-status\", "
                               "\"id\": \"sync\"}";
    bool first = true;

    qtest_qmp_send_raw(s, raw, strlen(raw));
    qtest_qmp_send_raw(s, sync, strlen(sync));
    for (;;) {
        JsonObject *resp = qtest_qmp_receive(s);
        bool is_sync = json_object_has_member(resp, "id") &&
                       !g_strcmp0(qtest_json_get_str(resp, "id"), "sync");

        if (first) {
            const char *desc;

            if (!qtest_json_has(resp, "error")) {
                g_error("'%.80s' did not fail", raw);
            }
            desc = qtest_json_get_str(resp, "error.desc");
            if (needle && !strstr(desc, needle)) {
                g_error("'%.80s' failed with '%s', expected '%s'", raw, desc,
                        needle);
            }
            first = false;
        } else if (is_sync) {
            g_assert_true(qtest_json_has(resp, "return"));
            json_object_unref(resp);
            return;
        } else {
            g_assert_true(qtest_json_has(resp, "error"));
        }
        json_object_unref(resp);
    }
}

static void test_malformed(void)
{
    QTestState *s = qtest_init(MACHINE);

    expect_generic(s, "{\"execute\": }", "JSON parse error");
    expect_generic(s, "[1, 2]", "QMP input must be a JSON object");
    expect_generic(s, "42 ", "QMP input must be a JSON object");
    expect_generic(s, "{\"execute\": 42}", "'execute' must be a string");
    expect_generic(s, "{\"execute\": \"query-status\", \"arguments\": []}",
                   "'arguments' must be an object");
    expect_generic(s, "{\"execute\": \"query-status\", \"foo\": 1}",
                   "'foo' is unexpected");
    expect_generic(s, "{\"arguments\": {}}", "execute");
    expect_generic(s, "{\"execute\": \"query-status\", \"arguments\": "
                   "{\"x\": 1}}", "Parameter 'x' is unexpected");
    expect_generic(s, "{\"execute\": \"qom-get\", \"arguments\": "
                   "{\"path\": \"/machine\"}}",
                   "Parameter 'property' is missing");
    expect_generic(s, "{\"execute\": \"qom-get\", \"arguments\": "
                   "{\"path\": 1, \"property\": \"type\"}}",
                   "Invalid parameter type for 'path', expected: string");
    expect_generic(s, "{\"execute\": \"getfd\", \"arguments\": "
                   "{\"fdname\": null}}", "fdname");
    qtest_quit(s);
}

static void test_unknown_command(void)
{
    QTestState *s = qtest_init(MACHINE);
    g_autofree char *desc = qtest_qmp_expect_error(
        s, "CommandNotFound", "{\"execute\": \"no-such-command\"}");

    g_assert_cmpstr(desc, ==, "The command no-such-command has not been found");
    still_works(s);
    qtest_quit(s);
}

static void test_capabilities(void)
{
    QTestState *s = qtest_init_without_qmp_handshake(MACHINE);
    g_autofree char *before = qtest_qmp_expect_error(
        s, "CommandNotFound", "{\"execute\": \"query-status\"}");
    g_autofree char *again = NULL;

    g_assert_cmpstr(before, ==, "Expecting capabilities negotiation with "
                    "'qmp_capabilities'");
    qtest_qmp_assert_success(s, "{\"execute\": \"qmp_capabilities\"}");
    again = qtest_qmp_expect_error(s, "CommandNotFound",
                                   "{\"execute\": \"qmp_capabilities\"}");
    g_assert_cmpstr(again, ==, "Capabilities negotiation is already "
                    "complete, command ignored");
    still_works(s);
    qtest_quit(s);
}

static void test_id_echo(void)
{
    QTestState *s = qtest_init(MACHINE);
    static const char *const ids[] = {
        "1", "-7", "\"abc\"", "true", "null", "1.5", "[1, \"x\"]",
        "{\"a\": {\"b\": 2}}",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
        JsonObject *resp = qtest_qmp(s, "{\"execute\": \"query-status\", "
                                     "\"id\": %s}", ids[i]);
        g_autoptr(JsonParser) p = json_parser_new();
        JsonNode *sent, *got;

        g_assert_true(json_parser_load_from_data(p, ids[i], -1, NULL));
        sent = json_parser_get_root(p);
        got = json_object_get_member(resp, "id");
        g_assert_nonnull(got);
        g_assert_true(json_node_equal(sent, got));
        json_object_unref(resp);
    }
    qtest_quit(s);
}

static void test_nesting_and_size(void)
{
    QTestState *s = qtest_init(MACHINE);
    GString *deep = g_string_new("{\"execute\": \"query-status\", \"id\": ");
    JsonObject *resp;
    size_t big = 64 * 1024 * 1024 + 1;
    char *huge;

    /* 1024 levels parse (the id is echoed) ... */
    for (int i = 0; i < 1023; i++) {
        g_string_append_c(deep, '[');
    }
    for (int i = 0; i < 1023; i++) {
        g_string_append_c(deep, ']');
    }
    g_string_append(deep, "}");
    resp = qtest_qmp(s, "%s", deep->str);
    g_assert_true(qtest_json_has(resp, "return"));
    json_object_unref(resp);
    /* ... 1025 do not. */
    g_string_assign(deep, "{\"execute\": \"query-status\", \"id\": ");
    for (int i = 0; i < 1024; i++) {
        g_string_append_c(deep, '[');
    }
    for (int i = 0; i < 1024; i++) {
        g_string_append_c(deep, ']');
    }
    g_string_append(deep, "}");
    expect_generic(s, deep->str, NULL);
    g_string_free(deep, true);

    /* A 64 MiB + 1 string token is refused; memory stays bounded. */
    huge = g_malloc(big + 64);
    strcpy(huge, "{\"execute\": \"");
    memset(huge + strlen(huge), 'x', big);
    strcpy(huge + 13 + big, "\"}");
    g_assert_cmpuint(strlen(huge), ==, 13 + big + 2);
    expect_generic(s, huge, NULL);
    g_free(huge);
    g_assert_cmpuint(qtest_rss_kib(qtest_pid(s)), <, 512 * 1024);

    /* A gigabyte of whitespace is not buffered. */
    {
        size_t chunk = 16 * 1024 * 1024;
        char *ws = g_malloc(chunk);

        memset(ws, ' ', chunk);
        for (int i = 0; i < 64; i++) {
            qtest_qmp_send_raw(s, ws, chunk);
        }
        g_free(ws);
        still_works(s);
        g_assert_cmpuint(qtest_rss_kib(qtest_pid(s)), <, 512 * 1024);
    }
    qtest_quit(s);
}

static void test_strings(void)
{
    QTestState *s = qtest_init(MACHINE);
    /* Invalid UTF-8, a lone surrogate, an embedded NUL: errors, no crash. */
    static const char bad_utf8[] = "{\"execute\": \"qom-get\", \"arguments\": "
                                   "{\"path\": \"\xff\xfe\", \"property\": "
                                   "\"type\"}}";

    expect_generic(s, bad_utf8, NULL);
    expect_generic(s, "{\"execute\": \"qom-get\", \"arguments\": {\"path\": "
                   "\"\\ud800\", \"property\": \"type\"}}", NULL);
    expect_generic(s, "{\"execute\": \"qom-get\", \"arguments\": {\"path\": "
                   "\"/machine\\u0000/x\", \"property\": \"type\"}}", NULL);
    qtest_quit(s);
}

static void test_pipelined_burst(void)
{
    QTestState *s = qtest_init(MACHINE);
    GString *burst = g_string_new("");
    const int n = 10000;

    for (int i = 0; i < n; i++) {
        g_string_append_printf(burst, "{\"execute\": \"query-status\", "
                               "\"id\": %d}", i);
    }
    qtest_qmp_send_raw(s, burst->str, burst->len);
    g_string_free(burst, true);
    for (int i = 0; i < n; i++) {
        JsonObject *resp = qtest_qmp_receive(s);

        g_assert_cmpint(qtest_json_get_int(resp, "id"), ==, i);
        json_object_unref(resp);
    }
    qtest_quit(s);
}

static void test_getfd(void)
{
    QTestState *s = qtest_init(MACHINE);
    int before = qtest_count_open_fds(qtest_pid(s));
    int fd = open("/dev/null", O_RDONLY);
    g_autofree char *nofd = NULL, *digit = NULL, *unknown = NULL;
    JsonObject *resp;

    nofd = qtest_qmp_expect_error(s, "GenericError",
                                  "{\"execute\": \"getfd\", \"arguments\": "
                                  "{\"fdname\": \"a\"}}");
    g_assert_cmpstr(nofd, ==, "No file descriptor supplied via SCM_RIGHTS");
    resp = qtest_qmp_fds(s, &fd, 1, "{\"execute\": \"getfd\", \"arguments\":"
                         " {\"fdname\": \"1a\"}}");
    digit = g_strdup(qtest_json_get_str(resp, "error.desc"));
    json_object_unref(resp);
    g_assert_cmpstr(digit, ==, "Parameter 'fdname' expects a name not "
                    "starting with a digit");
    /* Same name twice: the old fd is replaced and closed. */
    for (int i = 0; i < 2; i++) {
        resp = qtest_qmp_fds(s, &fd, 1, "{\"execute\": \"getfd\", "
                             "\"arguments\": {\"fdname\": \"a\"}}");
        g_assert_true(qtest_json_has(resp, "return"));
        json_object_unref(resp);
    }
    g_assert_cmpint(qtest_count_open_fds(qtest_pid(s)), ==, before + 1);
    qtest_qmp_assert_success(s, "{\"execute\": \"closefd\", \"arguments\": "
                             "{\"fdname\": \"a\"}}");
    unknown = qtest_qmp_expect_error(s, "GenericError",
                                     "{\"execute\": \"closefd\", "
                                     "\"arguments\": {\"fdname\": \"a\"}}");
    g_assert_cmpstr(unknown, ==, "File descriptor named 'a' not found");
    g_assert_cmpint(qtest_count_open_fds(qtest_pid(s)), ==, before);
    close(fd);
    qtest_quit(s);
}

static void test_runstate(void)
{
    QTestState *s = qtest_init(MACHINE "-S");
    JsonNode *ret;
    JsonObject *ev;
    char *out;

    ret = qtest_qmp_assert_success_ref(s, "{\"execute\": \"query-status\"}");
    g_assert_cmpstr(qtest_json_get_str(json_node_get_object(ret), "status"),
                    ==, "prelaunch");
    json_node_unref(ret);
    qtest_qmp_assert_success(s, "{\"execute\": \"cont\"}");
    qtest_qmp_eventwait(s, "RESUME");
    qtest_qmp_assert_success(s, "{\"execute\": \"stop\"}");
    qtest_qmp_eventwait(s, "STOP");
    out = qtest_hmp(s, "info status");
    g_assert_cmpstr(out, ==, "VM status: paused\r\n");
    g_free(out);
    qtest_qmp_assert_success(s, "{\"execute\": \"system_reset\"}");
    ev = qtest_qmp_eventwait_ref(s, "RESET");
    g_assert_false(qtest_json_get_bool(ev, "data.guest"));
    g_assert_cmpstr(qtest_json_get_str(ev, "data.reason"), ==,
                    "host-qmp-system-reset");
    g_assert_true(qtest_json_has(ev, "timestamp.seconds"));
    json_object_unref(ev);
    out = qtest_hmp(s, "info mtree");
    g_assert_nonnull(strstr(out, "address-space: memory"));
    g_assert_nonnull(strstr(out, "pc.bios"));
    g_free(out);

    qtest_qmp_assert_success(s, "{\"execute\": \"quit\"}");
    qtest_qmp_eventwait(s, "SHUTDOWN");
    g_assert_cmpint(qtest_wait_exit(s), ==, 0);
    qtest_quit(s);
}

static int connect_unix(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    g_assert(connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0);
    return fd;
}

static char *read_reply_line(int fd)
{
    GString *line = g_string_new("");
    char c;

    while (read(fd, &c, 1) == 1 && c != '\n') {
        g_string_append_c(line, c);
    }
    return g_string_free(line, false);
}

static void test_second_monitor_reconnect(void)
{
    g_autofree char *path = g_build_filename(qtest_tmpdir(), "mon2.sock",
                                             NULL);
    QTestState *s = qtest_initf(MACHINE "-qmp unix:%s,server=on,wait=off",
                                path);

    for (int round = 0; round < 3; round++) {
        int fd = connect_unix(path);
        g_autofree char *greeting = read_reply_line(fd);
        g_autofree char *reply = NULL;
        const char *caps = "{\"execute\": \"qmp_capabilities\"}";

        g_assert_nonnull(strstr(greeting, "\"QMP\""));
        g_assert(write(fd, caps, strlen(caps)) == (ssize_t)strlen(caps));
        reply = read_reply_line(fd);
        g_assert_nonnull(strstr(reply, "\"return\""));
        /* Leave in the middle of a command. */
        g_assert(write(fd, "{\"execute\": \"query-", 20) == 20);
        close(fd);
    }
    still_works(s);
    qtest_quit(s);
}

/*
 * quit as QEMU 7.2 answers it on a QMP socket: the SHUTDOWN event first,
 * then the reply, then end of file (a clean close, not a reset).
 */
static void test_quit_order(void)
{
    g_autofree char *path = g_build_filename(qtest_tmpdir(), "quit.sock",
                                             NULL);
    QTestState *s = qtest_initf(MACHINE "-qmp unix:%s,server=on,wait=off",
                                path);
    int fd = connect_unix(path);
    g_autofree char *greeting = read_reply_line(fd);
    g_autofree char *caps_reply = NULL;
    g_autofree char *event = NULL;
    g_autofree char *reply = NULL;
    const char *caps = "{\"execute\": \"qmp_capabilities\"}\n";
    const char *quit = "{\"execute\": \"quit\"}\n";
    JsonNode *ev;
    JsonObject *o;
    char c;

    g_assert_nonnull(strstr(greeting, "\"QMP\""));
    g_assert(write(fd, caps, strlen(caps)) == (ssize_t)strlen(caps));
    caps_reply = read_reply_line(fd);
    g_assert_nonnull(strstr(caps_reply, "\"return\""));
    g_assert(write(fd, quit, strlen(quit)) == (ssize_t)strlen(quit));
    event = read_reply_line(fd);
    reply = read_reply_line(fd);
    ev = json_from_string(event, NULL);
    g_assert_nonnull(ev);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(ev));
    o = json_node_get_object(ev);
    g_assert_cmpstr(qtest_json_get_str(o, "event"), ==, "SHUTDOWN");
    g_assert_false(qtest_json_get_bool(o, "data.guest"));
    g_assert_cmpstr(qtest_json_get_str(o, "data.reason"), ==,
                    "host-qmp-quit");
    json_node_unref(ev);
    g_assert_nonnull(strstr(reply, "\"return\""));
    g_assert_cmpint(read(fd, &c, 1), ==, 0);
    close(fd);
    g_assert_cmpint(qtest_wait_exit(s), ==, 0);
    qtest_quit(s);
}

static void test_rss_with_16g_memfd(void)
{
    QTestState *s = qtest_init(MACHINE "-object memory-backend-memfd,"
                               "id=mem0,size=16G");

    still_works(s);
    g_assert_cmpuint(qtest_rss_kib(qtest_pid(s)), <, 64 * 1024);
    qtest_quit(s);
}

/*
 * -machine options are read once, when the machine is created: qom-set
 * at run time must refuse them (pit=on is refused on the command line;
 * memory-backend would name a backend nothing uses), and so must a
 * memory backend's properties once its memory exists.
 */
static void test_qom_set_frozen(void)
{
    QTestState *s = qtest_init(MACHINE "-object memory-backend-ram,"
                               "id=mem0,size=16M");
    static const char *const machine_props[][2] = {
        { "pit", "'on'" }, { "memory-backend", "'mem0'" },
        { "firmware", "'x.bin'" }, { "x-option-roms", "false" },
        { "x-ignore-discard-manager", "true" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(machine_props); i++) {
        g_autofree char *cmd = g_strdup_printf(
            "{'execute': 'qom-set', 'arguments': {'path': '/machine', "
            "'property': '%s', 'value': %s}}", machine_props[i][0],
            machine_props[i][1]);
        g_autofree char *desc = qtest_qmp_expect_error(s, "GenericError",
                                                       "%s", cmd);
        g_autofree char *want = g_strdup_printf(
            "Attempt to set property '%s' on the machine ",
            machine_props[i][0]);

        g_assert_nonnull(strstr(desc, want));
        g_assert_nonnull(strstr(desc, "it can only be set with -machine"));
    }
    /* still readable, unchanged */
    {
        JsonObject *r = qtest_qmp(s, "{'execute': 'qom-get', 'arguments': "
                                "{'path': '/machine', 'property': 'pit'}}");
        g_assert_cmpstr(qtest_json_get_str(r, "return"), ==, "auto");
        json_object_unref(r);
    }
    {
        g_autofree char *desc = qtest_qmp_expect_error(
            s, "GenericError", "{'execute': 'qom-set', 'arguments': "
            "{'path': '/objects/mem0', 'property': 'prealloc-threads', "
            "'value': 4}}");

        g_assert_cmpstr(desc, ==, "cannot change property "
                        "'prealloc-threads' of memory-backend-ram");
    }
    still_works(s);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/malformed", test_malformed);
    g_test_add_func("/qmp/unknown-command", test_unknown_command);
    g_test_add_func("/qmp/capabilities", test_capabilities);
    g_test_add_func("/qmp/id-echo", test_id_echo);
    g_test_add_func("/qmp/nesting-and-size", test_nesting_and_size);
    g_test_add_func("/qmp/strings", test_strings);
    g_test_add_func("/qmp/pipelined-burst", test_pipelined_burst);
    g_test_add_func("/qmp/getfd", test_getfd);
    g_test_add_func("/qmp/runstate", test_runstate);
    g_test_add_func("/qmp/second-monitor-reconnect",
                    test_second_monitor_reconnect);
    g_test_add_func("/qmp/quit-order", test_quit_order);
    g_test_add_func("/qmp/rss-16g-memfd", test_rss_with_16g_memfd);
    g_test_add_func("/qmp/qom-set-frozen", test_qom_set_frozen);
    return g_test_run();
}
