/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-qmp-fds.c: file descriptors passed with sendmsg(SCM_RIGHTS):
 * getfd/closefd and their QEMU errors, name reuse, fds nobody claims,
 * fds split from their command, disconnects, and qmp_take_named_fd() as
 * dump uses it.  Every test counts /proc/self/fd to prove nothing leaks;
 * client and server share the process, so a passed fd shows up as one
 * more open fd until the monitor closes it.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qapi/qmp-registry.h"
#include "monitor/monitor.h"
#include "qmp-test-client.h"

static const QmpArgSpec take_args[] = {
    { "fdname", QMP_ARG_STR },
    { NULL }
};

/* As dump does for "fd:NAME": take the fd; return the file's size. */
static bool qmp_test_take_fd(JsonObject *args, JsonNode **ret, Error **errp)
{
    int fd = qmp_take_named_fd(qmp_arg_get_str(args, "fdname", ""), errp);
    struct stat st;

    if (fd < 0) {
        return false;
    }
    g_assert_cmpint(fstat(fd, &st), ==, 0);
    close(fd);
    *ret = json_node_new(JSON_NODE_VALUE);
    json_node_set_int(*ret, st.st_size);
    return true;
}

typedef struct Fixture {
    char *path;
    QmpTestClient *c;
    int file[3];            /* regular files of 100, 200, 300 bytes */
    char *names[3];
    int baseline;           /* open fds once all is set up */
} Fixture;

static void fixture_setup(Fixture *f, gconstpointer data)
{
    qmp_test_server("fds", false, &f->path);
    f->c = qmp_test_connect_ready(f->path);
    for (int i = 0; i < 3; i++) {
        g_autofree char *buf = g_strnfill((i + 1) * 100, 'z');

        f->file[i] = g_file_open_tmp("qmp-fd-XXXXXX", &f->names[i], NULL);
        g_assert_cmpint(f->file[i], >=, 0);
        g_assert_cmpint(write(f->file[i], buf, strlen(buf)), ==, strlen(buf));
    }
    f->baseline = qmp_test_count_fds();
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    for (int i = 0; i < 3; i++) {
        close(f->file[i]);
        unlink(f->names[i]);
        g_free(f->names[i]);
    }
    qmp_test_close(f->c);
    qmp_test_teardown();
    g_free(f->path);
}

/* Send @req with the given files' fds and return the response. */
static JsonNode *cmd_fds(Fixture *f, const char *req, int n, const int *idx)
{
    int fds[3];

    for (int i = 0; i < n; i++) {
        fds[i] = f->file[idx[i]];
    }
    qmp_test_send_raw(f->c, req, strlen(req), fds, n);
    return qmp_test_response(f->c);
}

static void getfd(Fixture *f, const char *name, int file)
{
    g_autofree char *req = g_strdup_printf(
        "{'execute': 'getfd', 'arguments': {'fdname': '%s'}}", name);
    g_autoptr(JsonNode) rsp = cmd_fds(f, req, 1, &file);

    qmp_test_return(rsp);
}

static int64_t take(Fixture *f, const char *name)
{
    g_autofree char *req = g_strdup_printf(
        "{'execute': 'test-take-fd', 'arguments': {'fdname': '%s'}}", name);
    g_autoptr(JsonNode) rsp = qmp_test_cmd(f->c, req);

    return json_node_get_int(qmp_test_return(rsp));
}

static void test_getfd_closefd(Fixture *f, gconstpointer data)
{
    getfd(f, "f1", 0);
    g_assert_cmpint(qmp_test_count_fds(), ==, f->baseline + 1);
    g_free(qmp_test_cmd_ok(f->c, "{'execute': 'closefd', 'arguments': "
                           "{'fdname': 'f1'}}"));
    g_assert_cmpint(qmp_test_count_fds(), ==, f->baseline);
    qmp_test_cmd_error(f->c, "{'execute': 'closefd', 'arguments': "
                       "{'fdname': 'f1'}}", "GenericError",
                       "File descriptor named 'f1' not found");
    qmp_test_cmd_error(f->c, "{'execute': 'getfd', 'arguments': {}}",
                       "GenericError", "Parameter 'fdname' is missing");
}

static void test_no_scm_rights(Fixture *f, gconstpointer data)
{
    qmp_test_cmd_error(f->c, "{'execute': 'getfd', 'arguments': "
                       "{'fdname': 'f1'}}", "GenericError",
                       "No file descriptor supplied via SCM_RIGHTS");
}

static void test_digit_name(Fixture *f, gconstpointer data)
{
    int file = 0;
    g_autoptr(JsonNode) rsp = cmd_fds(f, "{'execute': 'getfd', "
                                      "'arguments': {'fdname': '7up'}}",
                                      1, &file);

    qmp_test_assert_error(rsp, "GenericError", "Parameter 'fdname' expects "
                          "a name not starting with a digit");
    g_assert_cmpint(qmp_test_count_fds(), ==, f->baseline);
}

static void test_name_reuse(Fixture *f, gconstpointer data)
{
    getfd(f, "f", 0);
    getfd(f, "f", 1);
    /* the first was closed when the name was taken again */
    g_assert_cmpint(qmp_test_count_fds(), ==, f->baseline + 1);
    g_assert_cmpint(take(f, "f"), ==, 200);
    g_assert_cmpint(qmp_test_count_fds(), ==, f->baseline);
}

static void test_unclaimed(Fixture *f, gconstpointer data)
{
    static const int all[] = { 0, 1, 2 };
    int file = 2;
    g_autoptr(JsonNode) rsp = cmd_fds(f, "{'execute': 'query-version'}", 1,
                                      &file);

    /* came with a command that does not want it: closed, not kept */
    qmp_test_return(rsp);
    g_assert_cmpint(qmp_test_count_fds(), ==, f->baseline);
    qmp_test_cmd_error(f->c, "{'execute': 'getfd', 'arguments': "
                       "{'fdname': 'late'}}", "GenericError",
                       "No file descriptor supplied via SCM_RIGHTS");
    /* several at once: getfd takes the first, the others are closed */
    json_node_unref(cmd_fds(f, "{'execute': 'getfd', 'arguments': "
                            "{'fdname': 'multi'}}", 3, all));
    g_assert_cmpint(qmp_test_count_fds(), ==, f->baseline + 1);
    g_assert_cmpint(take(f, "multi"), ==, 100);
    g_assert_cmpint(qmp_test_count_fds(), ==, f->baseline);
}

static void test_split_message(Fixture *f, gconstpointer data)
{
    const char *head = "{'execute': 'getfd', ";
    const char *tail = "'arguments': {'fdname': 'split'}}";
    g_autoptr(JsonNode) rsp = NULL;

    /* the fd comes with the first bytes, the command completes later */
    qmp_test_send_raw(f->c, head, strlen(head), &f->file[1], 1);
    qmp_test_pump(5);
    qmp_test_send(f->c, tail);
    rsp = qmp_test_response(f->c);
    qmp_test_return(rsp);
    g_assert_cmpint(take(f, "split"), ==, 200);
}

static void test_take(Fixture *f, gconstpointer data)
{
    Error *err = NULL;

    getfd(f, "dumpfd", 2);
    g_assert_cmpint(take(f, "dumpfd"), ==, 300);
    /* taken means gone from the monitor */
    qmp_test_cmd_error(f->c, "{'execute': 'test-take-fd', 'arguments': "
                       "{'fdname': 'dumpfd'}}", "GenericError",
                       "File descriptor named 'dumpfd' has not been found");
    qmp_test_cmd_error(f->c, "{'execute': 'closefd', 'arguments': "
                       "{'fdname': 'dumpfd'}}", "GenericError",
                       "File descriptor named 'dumpfd' not found");
    /* outside a command there is no monitor to take from */
    getfd(f, "outside", 0);
    g_assert_cmpint(qmp_take_named_fd("outside", &err), ==, -1);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "File descriptor named 'outside' has not been found");
    error_free(err);
    g_assert_cmpint(qmp_test_count_fds(), ==, f->baseline + 1);
}

static void test_disconnect(Fixture *f, gconstpointer data)
{
    const char *partial = "{'execute': 'getfd', 'arguments': ";
    int before;

    getfd(f, "kept", 0);
    /* an fd with a request that never completes */
    qmp_test_send_raw(f->c, partial, strlen(partial), &f->file[1], 1);
    qmp_test_pump(5);
    g_assert_cmpint(qmp_test_count_fds(), ==, f->baseline + 2);
    qmp_test_close(f->c);
    qmp_test_pump(5);
    /* gone: both ends of the connection and the unclaimed fd */
    g_assert_cmpint(qmp_test_count_fds(), ==, f->baseline + 2 - 3);
    /* named fds belong to the monitor, as in QEMU, across sessions */
    f->c = qmp_test_connect_ready(f->path);
    g_assert_cmpint(take(f, "kept"), ==, 100);
    /* and whatever is left is closed at exit */
    getfd(f, "leftover", 2);
    before = qmp_test_count_fds();
    monitor_cleanup();
    g_assert_cmpint(qmp_test_count_fds(), ==, before - 1);
    /* the chardevs must go before the main loop runs again */
    qemu_chr_cleanup();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qmp_register_command("test-take-fd", qmp_test_take_fd, take_args, 0);
#define ADD(path, fn) \
    g_test_add("/monitor/qmp/fds/" path, Fixture, NULL, fixture_setup, fn, \
               fixture_teardown)
    ADD("getfd-closefd", test_getfd_closefd);
    ADD("no-scm-rights", test_no_scm_rights);
    ADD("digit-name", test_digit_name);
    ADD("name-reuse", test_name_reuse);
    ADD("unclaimed", test_unclaimed);
    ADD("split-message", test_split_message);
    ADD("take-named-fd", test_take);
    ADD("disconnect", test_disconnect);
    return g_test_run();
}
