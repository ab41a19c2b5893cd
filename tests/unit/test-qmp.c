/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-qmp.c: the QMP protocol over a real socket: greeting, capabilities
 * negotiation, QEMU's request checks and argument validation messages,
 * "id" echo, the built-in queries, output form (ASCII, CRLF, pretty), and
 * the parser limits and bad input as a client meets them.
 *
 * A few fake commands registered in main() exercise the dispatcher.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qapi/qmp-registry.h"
#include "monitor/monitor.h"
#include "monitor/json-streamer.h"
#include "qmp-test-client.h"

static unsigned echo_calls;     /* side-effect counter of test-echo */

static const char *const onoff[] = { "on", "off", NULL };
static const QmpArgSpec echo_args[] = {
    { "s", QMP_ARG_STR },
    { "i", QMP_ARG_INT, .optional = true },
    { "u", QMP_ARG_UINT, .optional = true },
    { "sz", QMP_ARG_SIZE, .optional = true },
    { "b", QMP_ARG_BOOL, .optional = true },
    { "n", QMP_ARG_NUMBER, .optional = true },
    { "o", QMP_ARG_OBJECT, .optional = true },
    { "a", QMP_ARG_ARRAY, .optional = true },
    { "any", QMP_ARG_ANY, .optional = true },
    { "e", QMP_ARG_STR, .optional = true, .enum_values = onoff },
    { NULL }
};

/* Returns its arguments. */
static bool qmp_test_echo(JsonObject *args, JsonNode **ret, Error **errp)
{
    echo_calls++;
    *ret = json_node_new(JSON_NODE_OBJECT);
    json_node_set_object(*ret, args);
    return true;
}

static const QmpArgSpec fail_args[] = {
    { "class", QMP_ARG_STR, .optional = true },
    { "hint", QMP_ARG_BOOL, .optional = true },
    { NULL }
};

static bool qmp_test_fail(JsonObject *args, JsonNode **ret, Error **errp)
{
    if (qmp_arg_get_str(args, "class", NULL)) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND, "Device 'x' not found");
    } else {
        error_setg(errp, "test failure %d", 42);
    }
    if (json_object_has_member(args, "hint")) {
        error_append_hint(errp, "a hint for a person\n");
        error_append_hint(errp, "and another line");
    }
    return false;
}

static bool qmp_test_hidden(JsonObject *args, JsonNode **ret, Error **errp)
{
    return true;
}

/* Buggy on purpose: fails without saying why, leaving a return value. */
static bool qmp_test_silent(JsonObject *args, JsonNode **ret, Error **errp)
{
    *ret = json_node_new(JSON_NODE_NULL);
    return false;
}

/* Buggy on purpose: sets an error but says it succeeded. */
static bool qmp_test_true_with_error(JsonObject *args, JsonNode **ret,
                                     Error **errp)
{
    error_setg(errp, "the handler failed after all");
    return true;
}

typedef struct Fixture {
    Chardev *chr;
    char *path;
    QmpTestClient *c;
} Fixture;

static void fixture_setup(Fixture *f, gconstpointer data)
{
    echo_calls = 0;
    f->chr = qmp_test_server("qmp0", data != NULL, &f->path);
    f->c = qmp_test_connect(f->path);
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    qmp_test_close(f->c);
    qmp_test_teardown();
    g_free(f->path);
}

/* Read the next message and check that it is the greeting. */
static void skip_greeting(Fixture *f)
{
    g_autoptr(JsonNode) greeting = qmp_test_recv(f->c);

    g_assert_true(json_object_has_member(json_node_get_object(greeting),
                                         "QMP"));
}

static void negotiate(Fixture *f)
{
    g_autofree char *ret = NULL;

    skip_greeting(f);
    ret = qmp_test_cmd_ok(f->c, "{'execute': 'qmp_capabilities'}");
    g_assert_cmpstr(ret, ==, "{}");
}

static void test_greeting(Fixture *f, gconstpointer data)
{
    g_autofree char *line = qmp_test_recv_line(f->c);
    g_autofree char *version = NULL;

    g_assert_cmpstr(line, ==, "{\"QMP\":{\"version\":{\"qemu\":{\"micro\":0,"
                    "\"minor\":2,\"major\":7},\"package\":\"sparsevm 0.1.0\"},"
                    "\"capabilities\":[\"oob\"]}}");
    g_free(qmp_test_cmd_ok(f->c, "{'execute': 'qmp_capabilities'}"));
    version = qmp_test_cmd_ok(f->c, "{'execute': 'query-version'}");
    g_assert_cmpstr(version, ==, "{\"qemu\":{\"micro\":0,\"minor\":2,"
                    "\"major\":7},\"package\":\"sparsevm 0.1.0\"}");
}

static void test_init_twice(Fixture *f, gconstpointer data)
{
    Error *err = NULL;

    /* a chardev has one front end; the first monitor keeps working */
    g_assert_false(monitor_init_qmp(f->chr, false, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "chardev 'qmp0' is already in use");
    error_free(err);
    negotiate(f);
}

static void test_caps_negotiation(Fixture *f, gconstpointer data)
{
    const char *expecting = "Expecting capabilities negotiation with "
                            "'qmp_capabilities'";
    g_autoptr(JsonNode) rsp = NULL;

    skip_greeting(f);
    qmp_test_cmd_error(f->c, "{'execute': 'query-version'}",
                       "CommandNotFound", expecting);
    qmp_test_cmd_error(f->c, "{'execute': 'no-such-cmd'}",
                       "CommandNotFound", expecting);
    qmp_test_cmd_error(f->c, "{'execute': 'test-echo', 'arguments': {}}",
                       "CommandNotFound", expecting);
    /* only CommandNotFound is reworded */
    qmp_test_cmd_error(f->c, "{'arguments': {}}", "GenericError",
                       "QMP input lacks member 'execute'");
    /* no events before negotiation */
    qapi_event_send("TEST_EARLY", NULL);
    rsp = qmp_test_cmd(f->c, "{'execute': 'qmp_capabilities', 'id': 1}");
    qmp_test_return(rsp);
    g_assert_null(qmp_test_event(f->c, 50));
    qmp_test_cmd_error(f->c, "{'execute': 'qmp_capabilities'}",
                       "CommandNotFound", "Capabilities negotiation is "
                       "already complete, command ignored");
    g_free(qmp_test_cmd_ok(f->c, "{'execute': 'query-version'}"));
}

static void test_caps_enable(Fixture *f, gconstpointer data)
{
    skip_greeting(f);
    qmp_test_cmd_error(f->c, "{'execute': 'qmp_capabilities', 'arguments':"
                       " {'enable': ['cap-does-not-exist']}}", "GenericError",
                       "Parameter 'null' does not accept value "
                       "'cap-does-not-exist'");
    qmp_test_cmd_error(f->c, "{'execute': 'qmp_capabilities', 'arguments':"
                       " {'enable': [1]}}", "GenericError",
                       "Invalid parameter type for 'enable[0]', expected: "
                       "string");
    qmp_test_cmd_error(f->c, "{'execute': 'qmp_capabilities', 'arguments':"
                       " {'enable': 'oob'}}", "GenericError",
                       "Invalid parameter type for 'enable', expected: "
                       "array");
    /* still negotiating; exec-oob is not a key before oob is enabled */
    qmp_test_cmd_error(f->c, "{'exec-oob': 'qmp_capabilities'}",
                       "GenericError",
                       "QMP input member 'exec-oob' is unexpected");
    g_free(qmp_test_cmd_ok(f->c, "{'execute': 'qmp_capabilities', "
                           "'arguments': {'enable': ['oob']}}"));
    qmp_test_cmd_error(f->c, "{'exec-oob': 'query-version', 'id': 'o1'}",
                       "GenericError",
                       "The command query-version does not support OOB");
    qmp_test_cmd_error(f->c, "{'execute': 'query-version', 'exec-oob': 'x'}",
                       "GenericError",
                       "QMP input member 'exec-oob' clashes with 'execute'");
    qmp_test_cmd_error(f->c, "{'exec-oob': 'nope'}", "CommandNotFound",
                       "The command nope has not been found");
}

static void assert_recovered(Fixture *f, bool negotiated)
{
    qmp_test_cmd_error(f->c, "{ 'execute': 'no-such-cmd' }",
                       "CommandNotFound", negotiated
                       ? "The command no-such-cmd has not been found"
                       : "Expecting capabilities negotiation with "
                         "'qmp_capabilities'");
}

/* QEMU's tests/qtest/qmp-test.c test_malformed(), with the texts. */
static void check_malformed(Fixture *f, bool negotiated)
{
    static const struct {
        const char *in;
        const char *desc;
    } lexical[] = {
        { "{]\n", "JSON parse error, expecting value" },
        { "{\xff", "JSON parse error, stray '\xef\xbf\xbd'" },
        { "{\x01", "JSON parse error, stray '\x01'" },
        { "{'bad \xff", "JSON parse error, stray ''bad \xef\xbf\xbd'" },
        { "{'execute': 'nonexistent', 'id':'\n",
          "JSON parse error, stray ''\n'" },
        { "%p", "JSON parse error, stray '%'" },
    };
    static const struct {
        const char *in;
        const char *desc;
    } request[] = {
        /* a keyword ends at the next byte */
        { "null\n", "QMP input must be a JSON object" },
        { "{}", "QMP input lacks member 'execute'" },
        { "{ 'execute': true }",
          "QMP input member 'execute' must be a string" },
        { "{ 'execute': 'no-such-cmd', 'arguments': [] }",
          "QMP input member 'arguments' must be an object" },
        { "{ 'execute': 'no-such-cmd', 'extra': true }",
          "QMP input member 'extra' is unexpected" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(lexical); i++) {
        g_autoptr(JsonNode) rsp = NULL;

        qmp_test_send(f->c, lexical[i].in);
        rsp = qmp_test_response(f->c);
        qmp_test_assert_error(rsp, "GenericError", lexical[i].desc);
        /* parse errors never carry an id */
        g_assert_false(json_object_has_member(json_node_get_object(rsp),
                                              "id"));
        assert_recovered(f, negotiated);
    }
    for (size_t i = 0; i < ARRAY_SIZE(request); i++) {
        qmp_test_cmd_error(f->c, request[i].in, "GenericError",
                           request[i].desc);
    }
}

static void test_malformed(Fixture *f, gconstpointer data)
{
    skip_greeting(f);
    check_malformed(f, false);
    g_free(qmp_test_cmd_ok(f->c, "{'execute': 'qmp_capabilities'}"));
    check_malformed(f, true);
}

static void test_args(Fixture *f, gconstpointer data)
{
    static const struct {
        const char *args;
        const char *desc;
    } bad[] = {
        { "{}", "Parameter 's' is missing" },
        { "{'zz': 1}", "Parameter 's' is missing" },
        { "{'s': 'x', 'zz': 1}", "Parameter 'zz' is unexpected" },
        { "{'s': 1}", "Invalid parameter type for 's', expected: string" },
        { "{'s': null}", "Invalid parameter type for 's', expected: string" },
        { "{'s': 'x', 'i': '1'}",
          "Invalid parameter type for 'i', expected: integer" },
        { "{'s': 'x', 'i': 1.5}",
          "Invalid parameter type for 'i', expected: integer" },
        { "{'s': 'x', 'i': null}",
          "Invalid parameter type for 'i', expected: integer" },
        { "{'s': 'x', 'i': 18446744073709551616}",
          "Invalid parameter type for 'i', expected: integer" },
        { "{'s': 'x', 'i': -9223372036854775809}",
          "Invalid parameter type for 'i', expected: integer" },
        { "{'s': 'x', 'u': 'x'}", "Parameter 'u' expects uint64" },
        { "{'s': 'x', 'u': 1.5}", "Parameter 'u' expects uint64" },
        { "{'s': 'x', 'u': 18446744073709551616}",
          "Parameter 'u' expects uint64" },
        { "{'s': 'x', 'sz': true}", "Parameter 'sz' expects uint64" },
        { "{'s': 'x', 'b': 1}",
          "Invalid parameter type for 'b', expected: boolean" },
        { "{'s': 'x', 'n': '1'}",
          "Invalid parameter type for 'n', expected: number" },
        { "{'s': 'x', 'o': []}",
          "Invalid parameter type for 'o', expected: object" },
        { "{'s': 'x', 'a': {}}",
          "Invalid parameter type for 'a', expected: array" },
        { "{'s': 'x', 'e': 'maybe'}",
          "Parameter 'e' does not accept value 'maybe'" },
    };
    static const struct {
        const char *args;
        const char *ret;
    } good[] = {
        { "{'s': ''}", "{\"s\":\"\"}" },
        { "{'s': 'x', 'i': -9223372036854775808, 'n': 1}",
          "{\"s\":\"x\",\"i\":-9223372036854775808,\"n\":1}" },
        { "{'s': 'x', 'n': 2.5, 'b': false, 'e': 'off'}",
          "{\"s\":\"x\",\"n\":2.5,\"b\":false,\"e\":\"off\"}" },
        /* QEMU wraps negative uint64/size; json-glib keeps the bits */
        { "{'s': 'x', 'u': 18446744073709551615, 'sz': -5}",
          "{\"s\":\"x\",\"u\":-1,\"sz\":-5}" },
        { "{'s': 'x', 'any': null, 'o': {'k': [1]}, 'a': [{}]}",
          "{\"s\":\"x\",\"any\":null,\"o\":{\"k\":[1]},\"a\":[{}]}" },
    };

    negotiate(f);
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_autofree char *req = g_strdup_printf(
            "{'execute': 'test-echo', 'arguments': %s}", bad[i].args);

        qmp_test_cmd_error(f->c, req, "GenericError", bad[i].desc);
    }
    /* no command ran for any of them */
    g_assert_cmpuint(echo_calls, ==, 0);
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        g_autofree char *req = g_strdup_printf(
            "{'execute': 'test-echo', 'arguments': %s}", good[i].args);
        g_autofree char *ret = qmp_test_cmd_ok(f->c, req);

        g_assert_cmpstr(ret, ==, good[i].ret);
    }
    g_assert_cmpuint(echo_calls, ==, ARRAY_SIZE(good));
    /* a command without declared arguments takes none */
    qmp_test_cmd_error(f->c, "{'execute': 'query-version', 'arguments': "
                       "{'x': 1}}", "GenericError",
                       "Parameter 'x' is unexpected");
}

static void test_id_echo(Fixture *f, gconstpointer data)
{
    static const char *const ids[] = {
        "\"cookie#1\"", "''", "42", "-7", "0", "1.5", "-0.25", "1e300",
        "true", "false", "null", "[]", "{}", "[1, 'two', [null]]",
        "{'a': {'b': [false, {}]}, 'c': 'd'}", "'\\u00e9\\ud83d\\ude00'",
        "9223372036854775807", "-9223372036854775808",
    };

    negotiate(f);
    for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
        static const char *const reqs[] = {
            "{'execute': 'query-version', 'id': %s}",
            "{'execute': 'no-such', 'id': %s}",
            "{'id': %s, 'execute': 'test-echo'}",
            "{'id': %s}",
        };
        g_autofree char *want_text = g_strdup_printf("[%s]", ids[i]);
        g_autoptr(JsonNode) want = NULL;
        g_autoptr(JsonParser) p = json_parser_new();

        /* the expected value, read by json-glib on its own */
        want_text = g_strdelimit(want_text, "'", '"');
        g_assert_true(json_parser_load_from_data(p, want_text, -1, NULL));
        want = json_node_copy(json_array_get_element(
            json_node_get_array(json_parser_get_root(p)), 0));
        for (size_t r = 0; r < ARRAY_SIZE(reqs); r++) {
            g_autofree char *req = g_strdup_printf(reqs[r], ids[i]);
            g_autoptr(JsonNode) rsp = qmp_test_cmd(f->c, req);
            JsonNode *id = json_object_get_member(json_node_get_object(rsp),
                                                  "id");

            g_assert_nonnull(id);
            g_assert_true(json_node_equal(id, want));
        }
    }
}

static void test_no_id(Fixture *f, gconstpointer data)
{
    g_autoptr(JsonNode) r1 = NULL, r2 = NULL, r3 = NULL;

    negotiate(f);
    r1 = qmp_test_cmd(f->c, "{'execute': 'query-version'}");
    r2 = qmp_test_cmd(f->c, "[{'id': 1}]");
    r3 = qmp_test_cmd(f->c, "{'id': 1 'execute': 'x'}");
    g_assert_false(json_object_has_member(json_node_get_object(r1), "id"));
    qmp_test_assert_error(r2, "GenericError",
                          "QMP input must be a JSON object");
    g_assert_false(json_object_has_member(json_node_get_object(r2), "id"));
    g_assert_false(json_object_has_member(json_node_get_object(r3), "id"));
}

static void test_query_commands(Fixture *f, gconstpointer data)
{
    g_autoptr(JsonNode) rsp = NULL;
    JsonArray *list;
    g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);

    negotiate(f);
    rsp = qmp_test_cmd(f->c, "{'execute': 'query-commands'}");
    list = json_node_get_array(qmp_test_return(rsp));
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *info = json_array_get_object_element(list, i);

        g_assert_cmpuint(json_object_get_size(info), ==, 1);
        g_hash_table_add(names, (char *)json_object_get_string_member(
                             info, "name"));
    }
    g_assert_true(g_hash_table_contains(names, "qmp_capabilities"));
    g_assert_true(g_hash_table_contains(names, "query-version"));
    g_assert_true(g_hash_table_contains(names, "query-commands"));
    g_assert_true(g_hash_table_contains(names, "test-echo"));
    g_assert_false(g_hash_table_contains(names, "test-hidden"));
    /* hidden is not unknown */
    g_free(qmp_test_cmd_ok(f->c, "{'execute': 'test-hidden'}"));
}

static void test_command_errors(Fixture *f, gconstpointer data)
{
    negotiate(f);
    qmp_test_cmd_error(f->c, "{'execute': 'test-fail'}", "GenericError",
                       "test failure 42");
    qmp_test_cmd_error(f->c, "{'execute': 'test-fail', 'arguments': "
                       "{'class': 'x'}}", "DeviceNotFound",
                       "Device 'x' not found");
    /* as in QEMU, an error's hint is not sent: the message alone */
    qmp_test_cmd_error(f->c, "{'execute': 'test-fail', 'arguments': "
                       "{'hint': true}}", "GenericError", "test failure 42");
    qmp_test_cmd_error(f->c, "{'execute': 'test-fail', 'arguments': "
                       "{'class': 'x', 'hint': true}}", "DeviceNotFound",
                       "Device 'x' not found");
    /* a handler bug is answered, not fatal */
    qmp_test_cmd_error(f->c, "{'execute': 'test-silent'}", "GenericError",
                       "The command test-silent failed");
    /* an error set is an error, whatever the handler returned */
    qmp_test_cmd_error(f->c, "{'execute': 'test-true-with-error'}",
                       "GenericError", "the handler failed after all");
}

static void test_ascii_crlf(Fixture *f, gconstpointer data)
{
    g_autofree char *line = NULL;

    negotiate(f);
    qmp_test_send(f->c, "{'execute': 'test-echo', 'arguments': "
                  "{'s': '\xc3\xa9\\u20ac\xf0\x9f\x98\x80\\n\\u007f'}}");
    /* recv_line checks the CRLF, the parser below ASCII-only */
    line = qmp_test_recv_line(f->c);
    g_assert_cmpstr(line, ==, "{\"return\":{\"s\":\"\\u00E9\\u20AC"
                    "\\uD83D\\uDE00\\n\\u007f\"}}");
}

static void test_pretty(Fixture *f, gconstpointer data)
{
    g_autoptr(GString) all = g_string_new(NULL);
    unsigned lines = 0;

    /* the greeting spans lines, each ending in CRLF, up to a "}" line */
    for (;;) {
        g_autofree char *l = qmp_test_recv_line(f->c);

        g_string_append_printf(all, "%s\n", l);
        lines++;
        if (!strcmp(l, "}")) {
            break;
        }
    }
    g_assert_cmpuint(lines, >, 5);
    g_assert_true(g_str_has_prefix(all->str, "{\n    \"QMP\" : {\n"));
}

static void test_limits(Fixture *f, gconstpointer data)
{
    g_autoptr(GString) req = g_string_new(NULL);

    negotiate(f);
    /* nesting: 1024 pass (one level is the request object itself) */
    g_string_append(req, "{'execute': 'test-echo', 'arguments': {'s': 'x', "
                    "'any': ");
    for (unsigned i = 0; i < JSON_MAX_NESTING - 2; i++) {
        g_string_append_c(req, '[');
    }
    for (unsigned i = 0; i < JSON_MAX_NESTING - 2; i++) {
        g_string_append_c(req, ']');
    }
    g_string_append(req, "}}");
    g_free(qmp_test_cmd_ok(f->c, req->str));
    /* 1025 fail, once, and the next request works */
    g_string_insert(req, strlen("{'execute': 'test-echo', 'arguments': "
                                "{'s': 'x', 'any': "), "[");
    g_string_insert(req, req->len - 2, "]");
    qmp_test_cmd_error(f->c, req->str, "GenericError",
                       "JSON nesting depth limit exceeded");
    g_free(qmp_test_cmd_ok(f->c, "{'execute': 'query-version'}"));

    /* a string token of 64 MiB + 1 */
    g_string_assign(req, "{'execute': 'test-echo', 'arguments': {'s': '");
    g_string_set_size(req, req->len + JSON_MAX_TOKEN_SIZE - 1);
    memset(req->str + req->len - (JSON_MAX_TOKEN_SIZE - 1), 'a',
           JSON_MAX_TOKEN_SIZE - 1);
    g_string_append(req, "'}}");
    qmp_test_cmd_error(f->c, req->str, "GenericError",
                       "JSON token size limit exceeded");
    g_free(qmp_test_cmd_ok(f->c, "{'execute': 'query-version'}"));

    /* more than 2 Mi tokens */
    g_string_assign(req, "{'execute': 'test-echo', 'arguments': {'s': 'x', "
                    "'a': [");
    for (unsigned i = 0; i < JSON_MAX_TOKEN_COUNT / 2; i++) {
        g_string_append(req, "0,");
    }
    g_string_append(req, "0]}}");
    qmp_test_cmd_error(f->c, req->str, "GenericError",
                       "JSON token count limit exceeded");
    g_free(qmp_test_cmd_ok(f->c, "{'execute': 'query-version'}"));
}

static void test_bad_strings(Fixture *f, gconstpointer data)
{
    static const struct {
        const char *s;
        const char *desc;
    } bad[] = {
        { "'a\xc3'", "invalid UTF-8 sequence in string" },
        { "'a\\u0000b'", "\\u0000 is not supported" },
        { "'\\udead'", "\\udead is not a valid Unicode character" },
        { "'x', 's': 'y'", "duplicate key" },
    };

    negotiate(f);
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_autofree char *req = g_strdup_printf(
            "{'execute': 'test-echo', 'arguments': {'s': %s}}", bad[i].s);
        g_autofree char *desc = g_strdup_printf("JSON parse error, %s",
                                                bad[i].desc);

        qmp_test_cmd_error(f->c, req, "GenericError", desc);
    }
    g_assert_cmpuint(echo_calls, ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qmp_register_command("test-echo", qmp_test_echo, echo_args, 0);
    qmp_register_command("test-fail", qmp_test_fail, fail_args, 0);
    qmp_register_command("test-hidden", qmp_test_hidden, NULL,
                         QMP_CMD_HIDDEN);
    qmp_register_command("test-silent", qmp_test_silent, NULL, 0);
    qmp_register_command("test-true-with-error", qmp_test_true_with_error,
                         NULL, 0);

#define ADD(path, fn, data) \
    g_test_add("/monitor/qmp/" path, Fixture, data, fixture_setup, fn, \
               fixture_teardown)
    ADD("greeting", test_greeting, NULL);
    ADD("init-twice", test_init_twice, NULL);
    ADD("caps-negotiation", test_caps_negotiation, NULL);
    ADD("caps-enable", test_caps_enable, NULL);
    ADD("malformed", test_malformed, NULL);
    ADD("args", test_args, NULL);
    ADD("id-echo", test_id_echo, NULL);
    ADD("no-id", test_no_id, NULL);
    ADD("query-commands", test_query_commands, NULL);
    ADD("command-errors", test_command_errors, NULL);
    ADD("ascii-crlf", test_ascii_crlf, NULL);
    ADD("pretty", test_pretty, "pretty");
    ADD("limits", test_limits, NULL);
    ADD("bad-strings", test_bad_strings, NULL);
    return g_test_run();
}
