/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-hmp.c: HMP through QMP's human-monitor-command: word splitting,
 * longest-name matching, QEMU's "unknown command" and "Error:" texts,
 * help and info listings, CRLF output, and the command's own arguments.
 * Fake HMP commands registered in main() stand in for the subsystems'.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qapi/qmp-registry.h"
#include "monitor/monitor.h"
#include "qmp-test-client.h"

static bool hmp_echo(int argc, char **argv, GString *out, Error **errp)
{
    g_autofree char *joined = g_strjoinv("|", argv);

    g_string_append_printf(out, "%d:%s\n", argc, joined);
    return true;
}

static bool hmp_fail(int argc, char **argv, GString *out, Error **errp)
{
    g_string_append(out, "partial\n");
    error_setg(errp, "it broke at %d", 3);
    return false;
}

static bool hmp_thing(int argc, char **argv, GString *out, Error **errp)
{
    g_string_append_printf(out, "thing with %d args\nsecond line\n", argc);
    return true;
}

static bool hmp_detail(int argc, char **argv, GString *out, Error **errp)
{
    g_string_append_printf(out, "detail %s\n", argc ? argv[0] : "-");
    return true;
}

/* HMP runs outside the QMP monitor, so QMP's named fds are out of reach */
static bool hmp_takefd(int argc, char **argv, GString *out, Error **errp)
{
    return qmp_take_named_fd(argc ? argv[0] : "", errp) >= 0;
}

typedef QmpTestFixture Fixture;

/* Run @line; return the output string. */
static char *hmp(Fixture *f, const char *line)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonNode) req = NULL, rsp = NULL;
    g_autofree char *text = NULL;

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "execute");
    json_builder_add_string_value(b, "human-monitor-command");
    json_builder_set_member_name(b, "arguments");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "command-line");
    json_builder_add_string_value(b, line);
    json_builder_end_object(b);
    json_builder_end_object(b);
    req = json_builder_get_root(b);
    text = json_to_string(req, false);
    rsp = qmp_test_cmd(f->c, text);
    return g_strdup(json_node_get_string(qmp_test_return(rsp)));
}

#define CHECK_HMP(f, line, expect) \
    do { \
        g_autofree char *out_ = hmp(f, line); \
        g_assert_cmpstr(out_, ==, expect); \
    } while (0)

static void test_run(Fixture *f, gconstpointer data)
{
    CHECK_HMP(f, "echo", "0:\r\n");
    CHECK_HMP(f, "echo a 'b c' \"d\\\"e\"", "3:a|b c|d\"e\r\n");
    CHECK_HMP(f, "  echo   x  ", "1:x\r\n");
    CHECK_HMP(f, "", "");
    CHECK_HMP(f, "   ", "");
}

static void test_longest_match(Fixture *f, gconstpointer data)
{
    CHECK_HMP(f, "info thing", "thing with 0 args\r\nsecond line\r\n");
    CHECK_HMP(f, "info thing x y", "thing with 2 args\r\nsecond line\r\n");
    CHECK_HMP(f, "info thing detail", "detail -\r\n");
    CHECK_HMP(f, "info thing detail x", "detail x\r\n");
}

static void test_unknown(Fixture *f, gconstpointer data)
{
    CHECK_HMP(f, "xyz foo", "unknown command: 'xyz'\r\n");
    CHECK_HMP(f, "info xyz foo", "unknown command: 'info xyz'\r\n");
    CHECK_HMP(f, "help xyz", "unknown command: 'xyz'\r\n");
    CHECK_HMP(f, "help info xyz", "unknown command: 'info xyz'\r\n");
}

static void test_error(Fixture *f, gconstpointer data)
{
    g_autofree char *quote = hmp(f, "echo 'open");

    CHECK_HMP(f, "fail", "partial\r\nError: it broke at 3\r\n");
    /* the rest is GLib's (translated) text */
    g_assert_true(g_str_has_prefix(quote, "Error: "));
    g_assert_true(g_str_has_suffix(quote, "\r\n"));
}

static void test_help(Fixture *f, gconstpointer data)
{
    g_autofree char *all = hmp(f, "help");
    g_autofree char *info = hmp(f, "info");
    g_autofree char *help_info = hmp(f, "help info");

    g_assert_nonnull(strstr(all, "help [cmd] -- show the help\r\n"));
    g_assert_nonnull(strstr(all, "echo [args...] -- print the arguments\r\n"));
    g_assert_nonnull(strstr(all, "info [subcommand] -- show various "
                            "information about the system state\r\n"));
    g_assert_null(strstr(all, "info thing"));
    g_assert_cmpstr(info, ==, "info thing  -- show the thing\r\n"
                    "info thing detail [what] -- show detail\r\n");
    g_assert_cmpstr(help_info, ==, info);
    CHECK_HMP(f, "help echo", "echo [args...] -- print the arguments\r\n");
    CHECK_HMP(f, "help info thing detail",
              "info thing detail [what] -- show detail\r\n");
}

static void test_arguments(Fixture *f, gconstpointer data)
{
    g_free(qmp_test_cmd_ok(f->c, "{'execute': 'human-monitor-command', "
                           "'arguments': {'command-line': 'echo', "
                           "'cpu-index': 0}}"));
    qmp_test_cmd_error(f->c, "{'execute': 'human-monitor-command', "
                       "'arguments': {'command-line': 'echo', "
                       "'cpu-index': 1}}", "GenericError",
                       "Parameter 'cpu-index' expects a CPU number");
    /* QEMU's qmp-test: a failure with "id" */
    qmp_test_cmd_error(f->c, "{'execute': 'human-monitor-command', "
                       "'id': 2}", "GenericError",
                       "Parameter 'command-line' is missing");
}

static void test_no_qmp_fds(Fixture *f, gconstpointer data)
{
    CHECK_HMP(f, "takefd x", "Error: File descriptor named 'x' has not "
              "been found\r\n");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    hmp_register_command("echo", "[args...]", "print the arguments",
                         hmp_echo);
    hmp_register_command("fail", "", "always fails", hmp_fail);
    hmp_register_command("info thing", "", "show the thing", hmp_thing);
    hmp_register_command("info thing detail", "[what]", "show detail",
                         hmp_detail);
    hmp_register_command("takefd", "name", "take a named fd", hmp_takefd);
#define ADD(path, fn) \
    g_test_add("/monitor/hmp/" path, Fixture, "hmp", \
               qmp_test_fixture_setup, fn, qmp_test_fixture_teardown)
    ADD("run", test_run);
    ADD("longest-match", test_longest_match);
    ADD("unknown", test_unknown);
    ADD("error", test_error);
    ADD("help", test_help);
    ADD("arguments", test_arguments);
    ADD("no-qmp-fds", test_no_qmp_fds);
    return g_test_run();
}
