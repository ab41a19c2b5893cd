/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmdline-test.c: bad command lines (the CLI rows of bad-inputs.md) end
 * with exit status 1 and one clear line on stderr, before any guest runs;
 * good ones (help, version, dumpdtb) succeed.  The DTB is checked with
 * libfdt.  Debug knobs are command-line only, and the production binary
 * has no test hooks.
 */
#include <libfdt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "libqtest.h"

typedef struct RunResult {
    int status;
    char *err;
    char *out;
} RunResult;

static RunResult run(const char *args)
{
    /* A command line that is wrongly accepted would run forever. */
    g_autofree char *cmd = g_strdup_printf("timeout -s KILL 30 %s %s",
                                           qtest_get_binary(), args);
    RunResult r = { 0 };
    GError *gerr = NULL;
    int wstatus;

    if (!g_spawn_command_line_sync(cmd, &r.out, &r.err, &wstatus, &gerr)) {
        g_error("cannot run %s: %s", cmd, gerr->message);
    }
    g_assert_true(WIFEXITED(wstatus));
    r.status = WEXITSTATUS(wstatus);
    return r;
}

static void run_free(RunResult *r)
{
    g_free(r->err);
    g_free(r->out);
}

static void expect_error(const char *args, const char *needle)
{
    RunResult r = run(args);

    if (r.status != 1 || !strstr(r.err, needle)) {
        g_error("'%s': status %d, stderr '%s'; expected 1 and '%s'", args,
                r.status, r.err, needle);
    }
    /* One message, no sanitizer noise, no stack trace. */
    g_assert_null(strstr(r.err, "Sanitizer"));
    g_assert_cmpuint(strlen(r.err), <, 600);
    run_free(&r);
}

#define VMEM_ARGS "-machine microvm -m 512M,maxmem=1G -object " \
    "memory-backend-memfd,id=mem0,size=256M -device " \
    "virtio-mem-device,id=vm0,memdev=mem0"

/*
 * Debug knobs are set on the command line only (issue 12, item 8):
 * -machine x-ignore-discard-manager=on works, but qom-set of it on the
 * running machine is refused with QEMU's realized-style error (it was
 * accepted, and later dumps described unplugged memory as holes).
 */
static void test_debug_knob_command_line_only(void)
{
    QTestState *s = qtest_init("-machine microvm,x-ignore-discard-manager=on");
    g_autofree char *err = NULL;
    JsonObject *r;

    r = qtest_qmp(s, "{'execute': 'qom-get', 'arguments': {'path': "
                  "'/machine', 'property': 'x-ignore-discard-manager'}}");
    g_assert_true(qtest_json_get_bool(r, "return"));
    json_object_unref(r);
    err = qtest_qmp_expect_error(s, "GenericError", "{'execute': 'qom-set', "
                                 "'arguments': {'path': '/machine', "
                                 "'property': 'x-ignore-discard-manager', "
                                 "'value': false}}");
    g_assert_cmpstr(err, ==, "Attempt to set property "
                    "'x-ignore-discard-manager' on the machine (type "
                    "'microvm-machine') after it was created; it can only "
                    "be set with -machine");
    r = qtest_qmp(s, "{'execute': 'qom-get', 'arguments': {'path': "
                  "'/machine', 'property': 'x-ignore-discard-manager'}}");
    g_assert_true(qtest_json_get_bool(r, "return"));
    json_object_unref(r);
    qtest_quit(s);
}

/*
 * The x-inject-* fault hooks are not in the production binary (they are
 * in sparsevm-test, for the qtests that use them): neither qom-set nor
 * -device finds them.
 */
static void test_no_test_hooks_in_production(void)
{
    QTestState *s = qtest_init(VMEM_ARGS);
    g_autofree char *err = NULL;
    g_autofree char *err2 = NULL;

    err = qtest_qmp_expect_error(s, "GenericError", "{'execute': 'qom-set', "
                                 "'arguments': {'path': 'vm0', 'property': "
                                 "'x-inject-discard-errors', 'value': 1}}");
    g_assert_nonnull(strstr(err, "x-inject-discard-errors"));
    g_assert_nonnull(strstr(err, "not found"));
    err2 = qtest_qmp_expect_error(s, "GenericError", "{'execute': "
                                  "'qom-get', 'arguments': {'path': 'vm0', "
                                  "'property': 'x-inject-prealloc-errors'}}");
    g_assert_nonnull(strstr(err2, "not found"));
    qtest_quit(s);
    expect_error("-accel qtest -display none " VMEM_ARGS
                 ",x-inject-discard-errors=1", "x-inject-discard-errors");
}

static void test_bad_sizes(void)
{
    static const char *const sizes[] = {
        "''", "-1", "0x", "18446744073709551616", "20E", "1.5E999",
        "1e3k", "123-45", "0x1.8G",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        g_autofree char *args = g_strdup_printf("-m %s", sizes[i]);
        g_autofree char *obj = g_strdup_printf(
            "-object memory-backend-ram,id=m,size=%s", sizes[i]);

        expect_error(args, "size");
        expect_error(obj, "size");
    }
    expect_error("-m 1G,maxmem=512M", "maxmem");
    expect_error("-m 1G,slots=4", "maxmem");
}

static void test_bad_options(void)
{
    g_autofree char *longval = NULL;
    GString *s = g_string_new("-name ");

    expect_error("-nosuchoption", "invalid option");
    expect_error("-m", "requires an argument");
    expect_error("-m 1G -m 2G", "only once");
    expect_error("disk.img", "invalid option");
    expect_error("-accel kvm", "accelerator");
    expect_error("-machine nosuchboard", "unsupported machine type");
    expect_error("-machine microvm,nosuchprop=1", "nosuchprop");
    expect_error("-machine microvm,pit=on", "pit");
    expect_error("-display gtk", "display");
    expect_error("-device nosuchdevice", "nosuchdevice");
    expect_error("-chardev socket,id=c", "path");
    expect_error("-qmp tcp:1234", "valid char driver");
    /* -monitor: QEMU's messages */
    expect_error("-monitor foo", "-monitor foo: 'foo' is not a valid char "
                 "driver");
    expect_error("-monitor chardev:nosuch", "chardev 'nosuch' not found");
    expect_error("-qmp stdio -monitor stdio", "-monitor stdio: cannot use "
                 "stdio by multiple character devices");
    expect_error("-chardev stdio,id=a -chardev stdio,id=b",
                 "cannot use stdio by multiple character devices");
    expect_error("-daemonize -monitor stdio", "cannot use stdio with "
                 "-daemonize");
    expect_error("-daemonize -chardev stdio,id=a", "cannot use stdio with "
                 "-daemonize");
    expect_error("-serial stdio", "no serial port");
    for (int i = 0; i < 70000; i++) {
        g_string_append_c(s, 'x');
    }
    longval = g_string_free(s, false);
    expect_error(longval, "too long");
}

/*
 * -monitor stdio: QEMU's human monitor on standard input and output, as
 * users start it; -monitor none: no monitor.
 */
static void test_monitor_stdio(void)
{
    static const char *const cases[][2] = {
        { "-monitor stdio", "info status\\nstop\\ninfo status\\nquit\\n" },
        { "-monitor none -qmp stdio",
          "{\\\"execute\\\": \\\"qmp_capabilities\\\"}\\n"
          "{\\\"execute\\\": \\\"quit\\\"}\\n" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *cmd = g_strdup_printf(
            "sh -c 'printf \"%s\" | timeout -s KILL 30 %s -machine microvm "
            "%s'", cases[i][1], qtest_get_binary(), cases[i][0]);
        g_autofree char *out = NULL, *err = NULL;
        GError *gerr = NULL;
        int wstatus;

        if (!g_spawn_command_line_sync(cmd, &out, &err, &wstatus, &gerr)) {
            g_error("cannot run %s: %s", cmd, gerr->message);
        }
        g_assert_true(WIFEXITED(wstatus));
        g_assert_cmpint(WEXITSTATUS(wstatus), ==, 0);
        g_assert_cmpstr(err, ==, "");
        if (i == 0) {
            g_assert_true(g_str_has_prefix(out, "QEMU 7.2.0 monitor - type "
                                           "'help' for more information"
                                           "\r\n(qemu) "));
            g_assert_nonnull(strstr(out, "VM status: running\r\n"));
            g_assert_nonnull(strstr(out, "VM status: paused\r\n"));
        } else {
            /* none: no human monitor, only the QMP one asked for */
            g_assert_null(strstr(out, "(qemu)"));
            g_assert_true(g_str_has_prefix(out, "{\"QMP\""));
        }
    }
}

static void test_bad_objects(void)
{
    expect_error("-object memory-backend-ram,size=1M", "'id' is missing");
    expect_error("-object memory-backend-ram,id=0bad,size=1M", "identifier");
    expect_error("-object memory-backend-ram,id=m,size=1M "
                 "-object memory-backend-ram,id=m,size=1M", "duplicate");
    expect_error("-object memory-backend-ram,id=m,size=0", "size");
    expect_error("-object memory-backend-ram,id=m,size=1000", "page size");
    expect_error("-object nosuchtype,id=m", "invalid object type");
    expect_error("-object memory-backend,id=m,size=1M", "abstract");
    expect_error("-object memory-backend-file,id=m,size=1M", "mem-path");
    expect_error("-object memory-backend-file,id=m,size=1M,"
                 "mem-path=/nonexistent/dir/file", "backing store");
    expect_error("-object memory-backend-ram,id=m,size=1M,prealloc=on,"
                 "reserve=off", "incompatible");
    expect_error("-object memory-backend-ram,id=m,size=1M,share=maybe",
                 "share");
    expect_error("-machine microvm,memory-backend=nosuch", "not found");
    expect_error("-m 256M -object memory-backend-ram,id=m,size=128M "
                 "-machine microvm,memory-backend=m", "does not match");
}

/*
 * The board's virtio-mmio bus has 24 slots: a 25th virtio device is
 * refused with QEMU's message (the 24 before it plug).
 */
static void test_virtio_slots_full(void)
{
    GString *args = g_string_new("-m 512M,maxmem=64G");

    for (int i = 0; i < 25; i++) {
        g_string_append_printf(args, " -object memory-backend-ram,id=m%d,"
                               "size=2M -device virtio-mem-device,memdev=m%d",
                               i, i);
    }
    expect_error(args->str, "No 'virtio-mmio-bus' bus found for device "
                 "'virtio-mem-device': all 24 virtio-mmio slots are in use");
    g_string_free(args, true);
}

/* A blocking QMP exchange on @f ("r"): send @req, the reply (g_free). */
static char *qmp_line(FILE *f, const char *req)
{
    char *line = NULL;
    size_t cap = 0;

    if (req) {
        g_autofree char *msg = g_strdup_printf("%s\n", req);

        /* not through @f: a read stream can not switch to writing */
        g_assert_cmpint(write(fileno(f), msg, strlen(msg)), ==, strlen(msg));
    }
    for (;;) {
        g_assert_cmpint(getline(&line, &cap, f), >, 0);
        /* events lead with their time stamp; replies never do */
        if (!g_str_has_prefix(line, "{\"timestamp\"")) {
            return line;
        }
    }
}

static bool pid_alive(pid_t pid)
{
    return kill(pid, 0) == 0;
}

/* Send @req on @f; the reply must be a success: its "return" (unref). */
static JsonNode *qmp_return(FILE *f, const char *req)
{
    g_autofree char *line = qmp_line(f, req);
    g_autoptr(GError) gerr = NULL;
    JsonNode *root = json_from_string(line, &gerr);
    JsonNode *ret;

    if (!root || !JSON_NODE_HOLDS_OBJECT(root) ||
        !json_object_has_member(json_node_get_object(root), "return")) {
        g_error("%s: bad reply '%s'", req, line);
    }
    ret = json_node_copy(json_object_get_member(json_node_get_object(root),
                                                "return"));
    json_node_unref(root);
    return ret;
}

/*
 * libvirt 9.0 (Debian 12) probing an emulator, replayed: the argv of
 * qemuProcessQMPLaunch() exactly (-S -no-user-config -nodefaults
 * -nographic -machine none,accel=kvm:tcg -qmp unix:PATH,server=on,
 * wait=off -pidfile FILE -daemonize), then the QMP commands of
 * virQEMUCapsInitQMPMonitor() in its order.  No KVM exists, so as with a
 * QEMU on a host without /dev/kvm, kvm fails, tcg (probe-only here, see
 * docs/system/invocation.md) is taken, and query-kvm says "not present".
 * The command returns 0 once QMP and the pid file are up; the daemon
 * removes the pid file and its socket when it quits.
 */
static void test_libvirt_start(void)
{
    g_autofree char *sock = qtest_tmp_path("probe.sock");
    g_autofree char *pidf = qtest_tmp_path("probe.pid");
    g_autofree char *args = g_strdup_printf(
        "-S -no-user-config -nodefaults -nographic "
        "-machine none,accel=kvm:tcg "
        "-qmp unix:%s,server=on,wait=off -pidfile %s -daemonize", sock, pidf);
    static const char *const probe[] = {
        "{\"execute\": \"query-qmp-schema\"}",
        "{\"execute\": \"qom-list-types\"}",
        "{\"execute\": \"qom-list-types\", \"arguments\": "
        "{\"implements\": \"device\", \"abstract\": true}}",
        "{\"execute\": \"device-list-properties\", \"arguments\": "
        "{\"typename\": \"virtio-mem-device\"}}",
        "{\"execute\": \"qom-list-properties\", \"arguments\": "
        "{\"typename\": \"memory-backend-file\"}}",
        "{\"execute\": \"qom-list-properties\", \"arguments\": "
        "{\"typename\": \"memory-backend-memfd\"}}",
        "{\"execute\": \"query-machines\"}",
        "{\"execute\": \"query-tpm-models\"}",
        "{\"execute\": \"query-tpm-types\"}",
        "{\"execute\": \"query-command-line-options\"}",
        "{\"execute\": \"query-migrate-capabilities\"}",
        "{\"execute\": \"query-cpu-definitions\"}",
    };
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    g_autofree char *pidtext = NULL;
    RunResult r = run(args);
    JsonNode *ret;
    JsonObject *o;
    char *line;
    FILE *f;
    pid_t pid;
    int fd;

    g_assert_cmpint(r.status, ==, 0);
    /* QEMU's words, as a QEMU built without KVM prints them */
    g_assert_cmpstr(r.err, ==, "sparsevm: invalid accelerator kvm\n"
                    "sparsevm: falling back to tcg\n");
    run_free(&r);
    g_assert_true(g_file_get_contents(pidf, &pidtext, NULL, NULL));
    pid = atoi(pidtext);
    g_assert_cmpint(pid, >, 1);
    g_assert_true(pid_alive(pid));
    /* the daemon holds its pid file: a second instance is refused */
    {
        g_autofree char *again = g_strdup_printf("-machine none -pidfile %s",
                                                 pidf);
        g_autofree char *text2 = NULL;

        expect_error(again, "another process holds it");
        g_assert_true(g_file_get_contents(pidf, &text2, NULL, NULL));
        g_assert_cmpstr(text2, ==, pidtext);
    }

    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_strlcpy(sa.sun_path, sock, sizeof(sa.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    f = fdopen(fd, "r");
    line = qmp_line(f, NULL);
    g_assert_nonnull(strstr(line, "\"QMP\""));
    g_free(line);
    json_node_unref(qmp_return(f, "{\"execute\": \"qmp_capabilities\"}"));
    ret = qmp_return(f, "{\"execute\": \"query-version\"}");
    o = json_node_get_object(ret);
    g_assert_cmpint(json_object_get_int_member(
        json_object_get_object_member(o, "qemu"), "major"), ==, 7);
    g_assert_true(g_str_has_prefix(json_object_get_string_member(o,
                                                                 "package"),
                                   "sparsevm "));
    json_node_unref(ret);
    ret = qmp_return(f, "{\"execute\": \"query-kvm\"}");
    o = json_node_get_object(ret);
    g_assert_false(json_object_get_boolean_member(o, "present"));
    g_assert_false(json_object_get_boolean_member(o, "enabled"));
    json_node_unref(ret);
    for (size_t i = 0; i < G_N_ELEMENTS(probe); i++) {
        ret = qmp_return(f, probe[i]);
        g_assert_true(JSON_NODE_HOLDS_ARRAY(ret));
        if (strstr(probe[i], "query-machines")) {
            g_autofree char *text = json_to_string(ret, false);

            g_assert_nonnull(strstr(text, "\"name\":\"none\""));
        }
        json_node_unref(ret);
    }
    json_node_unref(qmp_return(f, "{\"execute\": \"quit\"}"));
    fclose(f);
    for (int i = 0; i < 500 && pid_alive(pid); i++) {
        g_usleep(10 * 1000);
    }
    g_assert_false(pid_alive(pid));
    g_assert_false(g_file_test(pidf, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(sock, G_FILE_TEST_EXISTS));

    /* the older spellings libvirt used, and the legacy machine option */
    args = (g_free(args), g_strdup_printf(
        "-S -no-user-config -nodefaults -nographic "
        "-machine none,accel=qtest,dump-guest-core=off,usb=off "
        "-qmp unix:%s,server,nowait -pidfile %s -daemonize "
        "-msg timestamp=on", sock, pidf));
    r = run(args);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.err, ==, "");
    run_free(&r);
    g_clear_pointer(&pidtext, g_free);
    g_assert_true(g_file_get_contents(pidf, &pidtext, NULL, NULL));
    pid = atoi(pidtext);
    g_assert_cmpint(kill(pid, SIGTERM), ==, 0);
    for (int i = 0; i < 500 && pid_alive(pid); i++) {
        g_usleep(10 * 1000);
    }
    g_assert_false(pid_alive(pid));

    /* fails after the fork: the command says why and exits 1 */
    expect_error("-machine none -daemonize "
                 "-qmp unix:/nonexistent/dir/s.sock,server,nowait",
                 "/nonexistent/dir/s.sock");
    expect_error("-machine none,usb=on", "usb=on is not supported");
    expect_error("-msg timestamp=maybe", "timestamp");
}

/*
 * -daemonize with relative paths: the daemon changes to / once ready,
 * yet its QMP socket (bound in the starting directory) and pid file are
 * removed at exit, and nothing is created in /.
 */
static void test_daemonize_relative(void)
{
    g_autofree char *dir = g_dir_make_tmp("cmdline-daemon-XXXXXX", NULL);
    g_autofree char *sock = g_build_filename(dir, "rel.sock", NULL);
    g_autofree char *pidf = g_build_filename(dir, "rel.pid", NULL);
    g_autofree char *cmd = g_strdup_printf(
        "%s -S -machine none -qmp unix:rel.sock,server=on,wait=off "
        "-pidfile rel.pid -daemonize", qtest_get_binary());
    g_auto(GStrv) argv = NULL;
    g_autofree char *pidtext = NULL;
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int status, fd;
    char *line;
    FILE *f;
    pid_t pid;

    g_assert(dir);
    g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, NULL));
    g_assert_true(g_spawn_sync(dir, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               NULL, NULL, &status, NULL));
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_assert_true(g_file_get_contents(pidf, &pidtext, NULL, NULL));
    pid = atoi(pidtext);
    g_assert_true(g_file_test(sock, G_FILE_TEST_EXISTS));

    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_strlcpy(sa.sun_path, sock, sizeof(sa.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    f = fdopen(fd, "r");
    g_free(qmp_line(f, NULL));
    json_node_unref(qmp_return(f, "{\"execute\": \"qmp_capabilities\"}"));
    line = qmp_line(f, "{\"execute\": \"query-chardev\"}");
    g_assert_nonnull(strstr(line, sock));      /* reported absolute */
    g_free(line);
    json_node_unref(qmp_return(f, "{\"execute\": \"quit\"}"));
    fclose(f);
    for (int i = 0; i < 500 && pid_alive(pid); i++) {
        g_usleep(10 * 1000);
    }
    g_assert_false(pid_alive(pid));
    g_assert_false(g_file_test(sock, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(pidf, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test("/rel.sock", G_FILE_TEST_EXISTS));
    g_assert_cmpint(rmdir(dir), ==, 0);
}

/*
 * Accelerators, as QEMU chooses them: tcg only where it runs nothing
 * (the "none" machine); kvm is not built in.
 */
static void test_accel(void)
{
    g_autofree char *dtb = g_build_filename(qtest_tmpdir(), "accel.dtb",
                                            NULL);
    g_autofree char *args = NULL;
    RunResult r = run("-accel help");

    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.out, ==, "Accelerators supported in QEMU binary:\n"
                    "qtest\ntcg\n");
    run_free(&r);
    r = run("-machine accel=help");
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "tcg"));
    run_free(&r);
    expect_error("-accel kvm", "invalid accelerator kvm");
    expect_error("-machine microvm,accel=tcg", "failed to initialize tcg: "
                 "sparsevm executes no guest code; tcg is accepted only "
                 "with -machine none");
    expect_error("-machine microvm,accel=kvm:tcg", "invalid accelerator kvm");
    expect_error("-accel tcg -machine none,accel=tcg", "The -accel and "
                 "\"-machine accel=\" options are incompatible");
    expect_error("-accel thread=single", "Parameter 'accel' is missing");
    expect_error("-accel qtest,nosuch=1", "nosuch");
    /*
     * kvm fails, qtest works: the machine is built (dumpdtb exits).  The
     * DTB goes to a file of ours: dumpdtb replaces its target by rename,
     * as QEMU's does, so /dev/null would become a regular file.
     */
    args = g_strdup_printf("-machine microvm,accel=kvm:qtest,dumpdtb=%s",
                           dtb);
    r = run(args);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.err, "falling back to qtest"));
    g_assert_true(g_file_test(dtb, G_FILE_TEST_IS_REGULAR));
    unlink(dtb);
    run_free(&r);
}

/*
 * QEMU's JSON forms of -object and -device, as libvirt writes them:
 * types checked as QEMU's JSON visitor does (sizes are numbers, booleans
 * true/false), commas inside strings are plain characters, every other
 * error is the key=value form's.
 */
static void test_json_options(void)
{
    g_autofree char *dir = g_dir_make_tmp("cmdline-json-XXXXXX", NULL);
    g_autofree char *file = g_build_filename(dir, "a,b", NULL);
    g_autofree char *args = NULL;
    QTestState *s;
    JsonNode *ret;
    JsonObject *o;
    int fd;

    g_assert(dir);
    fd = open(file, O_RDWR | O_CREAT, 0600);
    g_assert(fd >= 0 && ftruncate(fd, 2 * 1024 * 1024) == 0);
    close(fd);
    args = g_strdup_printf(
        "-machine microvm -m 512M,maxmem=2G "
        "-object '{\"qom-type\": \"memory-backend-memfd\", \"id\": \"mem0\", "
        "\"size\": 1073741824, \"share\": true, \"prealloc\": false}' "
        "-object '{\"qom-type\": \"memory-backend-file\", \"id\": \"f0\", "
        "\"size\": 2097152, \"mem-path\": \"%s\"}' "
        "-device '{\"driver\": \"virtio-mem-device\", \"id\": \"vm0\", "
        "\"memdev\": \"mem0\", \"requested-size\": 2097152}'", file);
    s = qtest_init(args);
    ret = qtest_qmp_assert_success_ref(s, "{'execute': 'query-memdev'}");
    o = json_array_get_object_element(json_node_get_array(ret), 0);
    g_assert_cmpint(json_object_get_int_member(o, "size"), ==, 1024 * 1024 *
                    1024);
    g_assert_true(json_object_get_boolean_member(o, "share"));
    json_node_unref(ret);
    ret = qtest_qmp_assert_success_ref(
        s, "{'execute': 'qom-get', 'arguments': {'path': '/objects/f0', "
        "'property': 'mem-path'}}");
    g_assert_cmpstr(json_node_get_string(ret), ==, file);
    json_node_unref(ret);
    ret = qtest_qmp_assert_success_ref(
        s, "{'execute': 'qom-get', 'arguments': {'path': "
        "'/machine/peripheral/vm0', 'property': 'requested-size'}}");
    g_assert_cmpint(json_node_get_int(ret), ==, 2097152);
    json_node_unref(ret);
    qtest_quit(s);

#define OBJ_JSON(extra) "-object '{\"qom-type\": \"memory-backend-ram\", " \
    "\"id\": \"m\", \"size\": 1048576" extra "}'"
    /* QEMU 7.2's words for wrong JSON types */
    expect_error("-object '{\"qom-type\": \"memory-backend-ram\", \"id\": "
                 "\"m\", \"size\": \"1G\"}'", "Parameter 'size' expects "
                 "uint64");
    expect_error("-object '{\"qom-type\": \"memory-backend-ram\", \"id\": "
                 "\"m\", \"size\": -1}'", "Parameter 'size' expects uint64");
    expect_error("-object '{\"qom-type\": \"memory-backend-ram\", \"id\": "
                 "\"m\", \"size\": 1.5}'", "Parameter 'size' expects uint64");
    expect_error(OBJ_JSON(", \"share\": \"on\""), "Invalid parameter type "
                 "for 'share', expected: boolean");
    expect_error(OBJ_JSON(", \"policy\": 1"), "Invalid parameter type for "
                 "'policy', expected: string");
    expect_error(OBJ_JSON(", \"prealloc-threads\": \"2\""), "Parameter "
                 "'prealloc-threads' expects uint64");
    expect_error("-object '{\"qom-type\": 5, \"id\": \"m\"}'", "Invalid "
                 "parameter type for 'qom-type', expected: string");
    expect_error("-object '{\"id\": \"m\"}'", "Parameter 'qom-type' is "
                 "missing");
    expect_error("-object '{\"qom-type\": \"memory-backend-ram\"'",
                 "JSON parse error");
    /* the same errors as the key=value form */
    expect_error("-object '{\"qom-type\": \"memory-backend-ram\", "
                 "\"size\": 1048576}'", "Parameter 'id' is missing");
    expect_error(OBJ_JSON(", \"nosuch\": 1"), "Property "
                 "'memory-backend-ram.nosuch' not found");
    expect_error(OBJ_JSON(", \"policy\": \"bind\""), "host-nodes must be "
                 "set for policy bind");
    expect_error("-object '{\"qom-type\": \"nosuchtype\", \"id\": \"m\"}'",
                 "invalid object type: nosuchtype");
    expect_error("-device '{\"driver\": \"nosuchdevice\"}'", "'nosuchdevice' "
                 "is not a valid device model name");
    expect_error("-m 512M,maxmem=1G " OBJ_JSON("") " -device '{\"driver\": "
                 "\"virtio-mem-device\", \"memdev\": \"m\", "
                 "\"requested-size\": \"1M\"}'", "Parameter 'requested-size' "
                 "expects uint64");
    expect_error("-m 512M,maxmem=1G " OBJ_JSON("") " -device '{\"driver\": "
                 "\"virtio-mem-device\", \"memdev\": \"nosuch\"}'",
                 "nosuch");
#undef OBJ_JSON
    unlink(file);
    rmdir(dir);
}

/* How many vCPUs "-smp @smp" makes (query-cpus-fast). */
static guint smp_cpus(const char *smp)
{
    g_autofree char *args = g_strdup_printf("-machine microvm -smp %s", smp);
    QTestState *s = qtest_init(args);
    JsonNode *ret = qtest_qmp_assert_success_ref(
        s, "{'execute': 'query-cpus-fast'}");
    guint n = json_array_get_length(json_node_get_array(ret));

    json_node_unref(ret);
    qtest_quit(s);
    return n;
}

/* -smp as QEMU 7.2 reads it for microvm (no dies, no clusters). */
static void test_smp(void)
{
    g_assert_cmpuint(smp_cpus("sockets=2,cores=3"), ==, 6);
    g_assert_cmpuint(smp_cpus("4,dies=1,clusters=1,sockets=4"), ==, 4);
    g_assert_cmpuint(smp_cpus("2,maxcpus=4,threads=2"), ==, 2);
    expect_error("-smp 2,sockets=3", "Invalid CPU topology: product of the "
                 "hierarchy must match maxcpus: sockets (3) * cores (0) * "
                 "threads (1) != maxcpus (2)");
    expect_error("-smp sockets=2,cores=2,maxcpus=3", "sockets (2) * cores "
                 "(2) * threads (0) != maxcpus (3)");
    expect_error("-smp 2,maxcpus=1", "Invalid CPU topology: maxcpus must be "
                 "equal to or greater than smp: sockets (1) * cores (1) * "
                 "threads (1) == maxcpus (1) < smp_cpus (2)");
    expect_error("-smp 4,dies=2", "dies not supported by this machine's CPU "
                 "topology");
    expect_error("-smp 4,clusters=2", "clusters not supported by this "
                 "machine's CPU topology");
    expect_error("-smp 300", "Invalid SMP CPUs 300. The max CPUs supported "
                 "by machine 'microvm' is 255");
    expect_error("-smp 4,sockets=0", "parameters must be greater than zero");
    /* a product past 2^64 does not wrap into a valid topology */
    expect_error("-smp sockets=4294967295,cores=4294967295,"
                 "threads=4294967295", "product of the hierarchy");
    expect_error("-smp sockets=4294967296", "below 2^32");
    expect_error("-smp 2,nosuch=1", "nosuch");
}

/* Has @pid a mapping of exactly @kib KiB whose VmFlags include @flag? */
static int mapping_has_flag(pid_t pid, guint64 kib, const char *flag)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/smaps", (int)pid);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    guint64 size = 0;
    int found = -1;      /* -1: no such mapping */

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        if (g_str_has_prefix(*l, "Size:")) {
            size = g_ascii_strtoull(*l + 5, NULL, 10);
        } else if (g_str_has_prefix(*l, "VmFlags:") && size == kib) {
            g_autofree char *padded = g_strdup_printf("%s ", *l);
            g_autofree char *needle = g_strdup_printf(" %s ", flag);

            found = MAX(found, strstr(padded, needle) != NULL);
        }
    }
    return found;
}

/*
 * A backend's dump=off keeps its memory out of sparsevm's own core
 * dumps (MADV_DONTDUMP, the "dd" VmFlag), as in QEMU; it was stored and
 * shown by query-memdev but never applied.  The sizes tell the
 * mappings apart.
 */
static void test_backend_dump_off(void)
{
    QTestState *s = qtest_init(
        "-machine microvm -m 256M,maxmem=1G "
        "-object memory-backend-memfd,id=m0,size=72M,dump=off "
        "-object memory-backend-ram,id=m1,size=40M,dump=off "
        "-object memory-backend-memfd,id=m2,size=24M");

    g_assert_cmpint(mapping_has_flag(qtest_pid(s), 72 * 1024, "dd"), ==, 1);
    g_assert_cmpint(mapping_has_flag(qtest_pid(s), 40 * 1024, "dd"), ==, 1);
    g_assert_cmpint(mapping_has_flag(qtest_pid(s), 24 * 1024, "dd"), ==, 0);
    qtest_quit(s);
}

/*
 * merge=on (the default) offers a backend's private anonymous memory to
 * KSM (MADV_MERGEABLE, the "mg" VmFlag), merge=off does not, and
 * -machine mem-merge=off is the default of every backend and of the
 * boot RAM, as in QEMU.  A memfd is shared: the kernel never marks it.
 * The sizes tell the mappings apart, and each anonymous one differs in
 * its flags from the others and from the process's own (dump=off: "dd",
 * reserve=off: "nr"), so that the kernel cannot merge two neighbours
 * into one mapping of another size.
 */
static void test_backend_merge(void)
{
    QTestState *s;

    if (!g_file_test("/sys/kernel/mm/ksm", G_FILE_TEST_IS_DIR)) {
        g_test_skip("the host kernel has no KSM (/sys/kernel/mm/ksm)");
        return;
    }
    s = qtest_init("-machine microvm -m 56M,maxmem=1G "
                   "-object memory-backend-ram,id=m0,size=40M,dump=off "
                   "-object memory-backend-ram,id=m1,size=24M,merge=off,"
                   "dump=off "
                   "-object memory-backend-memfd,id=m2,size=72M");
    g_assert_cmpint(mapping_has_flag(qtest_pid(s), 56 * 1024, "mg"), ==, 1);
    g_assert_cmpint(mapping_has_flag(qtest_pid(s), 40 * 1024, "mg"), ==, 1);
    g_assert_cmpint(mapping_has_flag(qtest_pid(s), 24 * 1024, "mg"), ==, 0);
    g_assert_cmpint(mapping_has_flag(qtest_pid(s), 72 * 1024, "mg"), ==, 0);
    qtest_quit(s);

    s = qtest_init("-machine microvm,mem-merge=off,dump-guest-core=off "
                   "-m 56M,maxmem=1G "
                   "-object memory-backend-ram,id=m0,size=40M,reserve=off "
                   "-object memory-backend-ram,id=m1,size=24M,merge=on");
    g_assert_cmpint(mapping_has_flag(qtest_pid(s), 56 * 1024, "mg"), ==, 0);
    g_assert_cmpint(mapping_has_flag(qtest_pid(s), 40 * 1024, "mg"), ==, 0);
    g_assert_cmpint(mapping_has_flag(qtest_pid(s), 24 * 1024, "mg"), ==, 1);
    qtest_quit(s);
}

/*
 * -pidfile takes only a regular file: a device is refused and left as
 * it was (writing through a temporary file renamed over the path, then
 * unlinking it at exit, once replaced and removed /dev/null).
 */
static void test_pidfile_not_regular(void)
{
    struct stat st;

    expect_error("-machine none -pidfile /dev/null",
                 "Cannot use pid file '/dev/null': not a regular file");
    g_assert_cmpint(stat("/dev/null", &st), ==, 0);
    g_assert_true(S_ISCHR(st.st_mode));
}

/* The "none" machine: listed, and nothing but RAM (no device memory). */
static void test_machine_none(void)
{
    RunResult r = run("-machine help");

    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "none                 empty machine"));
    run_free(&r);
    expect_error("-machine none -m 128M,maxmem=1G "
                 "-object memory-backend-ram,id=m,size=2M "
                 "-device virtio-mem-device,memdev=m",
                 "memory devices (e.g. for memory hotplug) are not enabled");
}

/* Options QEMU refuses, with QEMU's words, naming the option. */
static void test_bad_backend_options(void)
{
    g_autofree char *dir = g_dir_make_tmp("cmdline-test-XXXXXX", NULL);
    g_autofree char *file = g_build_filename(dir, "mem", NULL);
    g_autofree char *args = NULL;
    int fd;

    g_assert(dir);
    fd = open(file, O_RDWR | O_CREAT, 0600);
    g_assert(fd >= 0 && ftruncate(fd, 1024 * 1024) == 0);
    close(fd);
    expect_error("-object memory-backend-ram,id=m,size=1M,prealloc-threads=0",
                 "property 'prealloc-threads' of memory-backend-ram doesn't "
                 "take value '0'");
    expect_error("-object memory-backend-ram,id=m,size=1M,policy=bind",
                 "host-nodes must be set for policy bind");
    expect_error("-object memory-backend-memfd,id=m,size=1M,"
                 "policy=interleave",
                 "host-nodes must be set for policy interleave");
    args = g_strdup_printf("-object memory-backend-file,id=m,size=1M,"
                           "mem-path=%s,align=3M", file);
    expect_error(args, "alignment 0x300000 must be a power of two");
    g_free(args);
    args = g_strdup_printf("-object memory-backend-file,id=m,size=1M,"
                           "mem-path=%s,align=1000", file);
    expect_error(args, "alignment 0x3e8 must be multiples of page size");
    g_free(args);
    args = g_strdup_printf("-object memory-backend-file,id=m,size=1M,"
                           "mem-path=%s,rom=on", file);
    expect_error(args, "property 'rom' = 'on' is not supported with "
                 "'readonly' = 'off'");
    g_free(args);
    args = g_strdup_printf("-object memory-backend-file,id=m,size=1M,"
                           "mem-path=%s,readonly=on,rom=off,share=on", file);
    expect_error(args, "property 'rom' = 'off' is incompatible with "
                 "'readonly' = 'on' and 'share' = 'on'");
    g_free(args);
    /* offset=1M of a 1 MiB file: say that the offset is the problem. */
    args = g_strdup_printf("-object memory-backend-file,id=m,size=1M,"
                           "mem-path=%s,offset=1M", file);
    expect_error(args, "too small for 'offset' 0x100000 plus 'size' "
                 "0x100000");
    g_free(args);
    /* ...and without an offset, QEMU's message. */
    args = g_strdup_printf("-object memory-backend-file,id=m,size=2M,"
                           "mem-path=%s", file);
    expect_error(args, "backing store size 0x100000 does not match 'size' "
                 "option 0x200000");
    unlink(file);
    rmdir(dir);
}

static void test_help_and_version(void)
{
    RunResult r = run("-version");

    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "sparsevm version"));
    run_free(&r);
    r = run("-machine help");
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "microvm"));
    run_free(&r);
    r = run("-object help");
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "memory-backend-memfd"));
    run_free(&r);
    r = run("-object memory-backend-file,help");
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "mem-path"));
    run_free(&r);
}

/* "@args" succeeds and prints @needle on stdout. */
static void expect_output(const char *args, const char *needle)
{
    RunResult r = run(args);

    if (r.status != 0 || !strstr(r.out, needle)) {
        g_error("'%s': status %d, stdout '%s'; expected 0 and '%s'", args,
                r.status, r.out, needle);
    }
    run_free(&r);
}

/*
 * "help" (and QEMU's "?") wherever QEMU takes it, shaped like QEMU's
 * output: property lists sorted, descriptions from column 24.
 */
static void test_help_forms(void)
{
    expect_output("-machine microvm,help", "microvm-machine options:\n"
                  "  acpi=<OnOffAuto>\n");
    expect_output("-machine microvm,help", "  dumpdtb=<str>          - Dump "
                  "current dtb to a file and quit\n");
    expect_output("-machine none,help", "none-machine options:\n");
    expect_output("-M none,?", "none-machine options:\n");
    expect_output("-M ?", "Supported machines are:\n");
    expect_output("-chardev help", "Available chardev backend types: \n"
                  "  socket\n  stdio\n  null\n");
    expect_output("-chardev ?", "  socket\n");
    expect_output("-device help", "name \"virtio-mem-device\"");
    expect_output("-device virtio-mem-device,help", "virtio-mem-device "
                  "options:\n  block-size=<size>\n");
    expect_output("-device virtio-mem-device,?", "  memdev=<link");
    expect_output("-object ?", "List of user creatable objects:\n");
    expect_output("-object memory-backend-memfd,help", "memory-backend-memfd "
                  "options:\n  dump=<bool>            - ");
    expect_output("-object memory-backend-memfd,?", "  size=<size>");
    expect_output("-accel ?", "qtest\n");
    expect_output("-tpmdev help", "emulator");
}

/* Unknown names get a hint where one is cheap to find. */
static void test_did_you_mean(void)
{
    /* an error's hint: on a line of its own after the message */
    expect_error("-device virtio-mem,memdev=m", "'virtio-mem' is not a "
                 "valid device model name\ndid you mean virtio-mem-device "
                 "(virtio-mem on virtio-mmio)? This machine has no PCI "
                 "bus\n");
    expect_error("-device virtio-mem-pci,memdev=m", "\ndid you mean "
                 "virtio-mem-device (virtio-mem on virtio-mmio)?");
    expect_error("-device '{\"driver\": \"virtio-mem-pci\"}'", "\ndid you "
                 "mean virtio-mem-device");
    expect_error("-device virtio-mem-devic", "name\ndid you mean "
                 "'virtio-mem-device'?\n");
    expect_error("-object memory-backend-mmfd,id=m,size=1M", "invalid object "
                 "type: memory-backend-mmfd\ndid you mean "
                 "'memory-backend-memfd'?\n");
    expect_error("-object memory-backend-ram,id=1bad,size=1M", "Parameter "
                 "'id' expects an identifier\nIdentifiers consist of "
                 "letters, digits, '-', '.', '_', starting with a letter.\n");
    expect_error("-m 1Q", "Parameter 'size' expects a non-negative number "
                 "below 2^64\nOptional suffix k, M, G, T, P or E means "
                 "kilo-, mega-, giga-, tera-, peta-\nand exabytes, "
                 "respectively.\n");
    expect_error("-objct x", "-objct: invalid option (did you mean "
                 "-object?)");
    expect_error("-nodefault", "(did you mean -nodefaults?)");
    /* nothing close: no hint */
    expect_error("-device e1000", "'e1000' is not a valid device model "
                 "name\n");
    expect_error("-xyzzy", "-xyzzy: invalid option\n");
}

/*
 * dumpdtb into a character device writes into it: it used to rename a
 * new file over the target, which as root turned /dev/null into a
 * regular file.  A private null device (1:3) stands in for /dev/null.
 */
static void test_dumpdtb_char_device(void)
{
    g_autofree char *dir = g_dir_make_tmp("cmdline-dtb-XXXXXX", NULL);
    g_autofree char *dev = g_build_filename(dir, "null", NULL);
    g_autofree char *args = g_strdup_printf("-machine microvm,dumpdtb=%s",
                                            dev);
    RunResult r;

    g_assert(dir);
    if (mknod(dev, S_IFCHR | 0600, makedev(1, 3))) {
        g_test_skip("mknod of a null device needs CAP_MKNOD");
        rmdir(dir);
        return;
    }
    r = run(args);
    g_assert_cmpint(r.status, ==, 0);
    run_free(&r);
    g_assert_false(g_file_test(dev, G_FILE_TEST_IS_REGULAR));
    g_assert_cmpint(unlink(dev), ==, 0);
    g_assert_cmpint(rmdir(dir), ==, 0);
}

/* Cell @i of a 64-bit "reg": properties are only 4-byte aligned. */
static uint64_t reg_u64(const void *reg, int i)
{
    fdt64_t v;

    memcpy(&v, (const char *)reg + 8 * i, sizeof(v));
    return fdt64_to_cpu(v);
}

static void test_dumpdtb(void)
{
    g_autofree char *path = g_build_filename(qtest_tmpdir(), "m.dtb", NULL);
    g_autofree char *args = g_strdup_printf(
        "-machine microvm,dumpdtb=%s -m 4608M,maxmem=20G -smp 3", path);
    RunResult r = run(args);
    g_autofree char *fdt = NULL;
    const void *reg;
    gsize len;
    int node, cpus = 0, len_reg;

    g_assert_cmpint(r.status, ==, 0);
    run_free(&r);
    g_assert_true(g_file_get_contents(path, &fdt, &len, NULL));
    g_assert_cmpint(fdt_check_header(fdt), ==, 0);
    g_assert_cmpuint(fdt_totalsize(fdt), ==, len);

    node = fdt_path_offset(fdt, "/memory@0");
    g_assert_cmpint(node, >=, 0);
    reg = fdt_getprop(fdt, node, "reg", &len_reg);
    g_assert_cmpint(len_reg, ==, 16);
    g_assert_cmphex(reg_u64(reg, 0), ==, 0);
    g_assert_cmphex(reg_u64(reg, 1), ==, 0xc0000000);
    node = fdt_path_offset(fdt, "/memory@100000000");
    reg = fdt_getprop(fdt, node, "reg", &len_reg);
    g_assert_cmphex(reg_u64(reg, 1), ==, 0x60000000);
    /* Device memory: 1 GiB aligned above RAM, maxmem - ram long. */
    node = fdt_path_offset(fdt, "/device-memory@180000000");
    g_assert_cmpint(node, >=, 0);
    reg = fdt_getprop(fdt, node, "reg", &len_reg);
    g_assert_cmphex(reg_u64(reg, 1), ==, 20ULL * 1024 * 1024 * 1024 -
                    4608ULL * 1024 * 1024);
    node = fdt_path_offset(fdt, "/cpus");
    for (int c = fdt_first_subnode(fdt, node); c >= 0;
         c = fdt_next_subnode(fdt, c)) {
        cpus++;
    }
    g_assert_cmpint(cpus, ==, 3);
    /* No device: no virtio_mmio node. */
    g_assert_cmpint(fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"), <,
                    0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cmdline/bad-sizes", test_bad_sizes);
    g_test_add_func("/cmdline/bad-options", test_bad_options);
    g_test_add_func("/cmdline/bad-objects", test_bad_objects);
    g_test_add_func("/cmdline/monitor-stdio", test_monitor_stdio);
    g_test_add_func("/cmdline/virtio-slots-full", test_virtio_slots_full);
    g_test_add_func("/cmdline/machine-none", test_machine_none);
    g_test_add_func("/cmdline/libvirt-start", test_libvirt_start);
    g_test_add_func("/cmdline/accel", test_accel);
    g_test_add_func("/cmdline/daemonize-relative", test_daemonize_relative);
    g_test_add_func("/cmdline/json-options", test_json_options);
    g_test_add_func("/cmdline/smp", test_smp);
    g_test_add_func("/cmdline/backend-dump-off", test_backend_dump_off);
    g_test_add_func("/cmdline/help-forms", test_help_forms);
    g_test_add_func("/cmdline/did-you-mean", test_did_you_mean);
    g_test_add_func("/cmdline/pidfile-not-regular", test_pidfile_not_regular);
    g_test_add_func("/cmdline/backend-merge", test_backend_merge);
    g_test_add_func("/cmdline/bad-backend-options", test_bad_backend_options);
    g_test_add_func("/cmdline/help-version", test_help_and_version);
    g_test_add_func("/cmdline/dumpdtb", test_dumpdtb);
    g_test_add_func("/cmdline/dumpdtb-char-device", test_dumpdtb_char_device);
    g_test_add_func("/cmdline/debug-knob-command-line-only",
                    test_debug_knob_command_line_only);
    g_test_add_func("/cmdline/no-test-hooks-in-production",
                    test_no_test_hooks_in_production);
    return g_test_run();
}
