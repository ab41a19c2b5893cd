/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fault-loop-test.c: every operation with side effects, run against
 * sparsevm-faults while each wrapped call fails in turn.
 *
 * For an operation and a wrapped call (write, mmap, ...), the loop arms
 * "fail call N" for N = 1, 2, ... and runs the operation, until a run
 * injects nothing (the operation made fewer than N such calls).  After
 * every run that injected a fault it checks that:
 * - the failure reached the client as an error (or the guest as the
 *   device's error status), or the operation legitimately absorbed it;
 * - the VM still answers QMP, and the same operation succeeds once the
 *   fault is gone;
 * - the VM has as many fds open as before (/proc/PID/fd);
 * - no file was left half-written and no earlier file destroyed;
 * and, at the end, that the VM exits cleanly (the ASan build's LSan
 * finds leaks then).  Each test prints "faults injected = survived".
 *
 * Start-up (memory backends, dumpdtb) runs the program once per N with
 * SPARSEVM_FAULT set; a failure there must be a clean exit with status 1
 * and one error line.
 */
#include "qemu/osdep.h"
#include "fault-qtest.h"

/* Calls whose failure an operation may absorb: hints and fallbacks. */
static bool op_may_be_absorbed(const char *op)
{
    /* madvise(MERGEABLE/DONTDUMP/POPULATE) are hints or have fallbacks */
    return !strcmp(op, "madvise");
}

/* ------------------------------------------------------------ start-up */

typedef struct StartResult {
    int status;         /* exit status, or -signal */
    char *err;          /* stderr */
    bool injected;
} StartResult;

static void start_once(const char *const *args, const char *fault,
                       StartResult *r)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_auto(GStrv) envp = g_get_environ();
    int wait_status;
    GError *gerr = NULL;

    g_ptr_array_add(argv, (gpointer)qtest_get_binary());
    for (size_t i = 0; args[i]; i++) {
        g_ptr_array_add(argv, (gpointer)args[i]);
    }
    g_ptr_array_add(argv, NULL);
    envp = g_environ_setenv(envp, "SPARSEVM_FAULT", fault, true);
    g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, envp,
                               G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                               &r->err, &wait_status, &gerr));
    r->status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status)
                                       : -WTERMSIG(wait_status);
    r->injected = strstr(r->err, "sparsevm-faults: failing ") != NULL;
}

/* No sanitizer report, no assertion, no glib critical. */
static void check_quiet(const char *err)
{
    static const char *const bad[] = {
        "Sanitizer", "runtime error", "Assertion", "assertion",
        "CRITICAL", "WARNING **",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        if (strstr(err, bad[i])) {
            g_error("unexpected '%s' in:\n%s", bad[i], err);
        }
    }
}

static void test_startup(gconstpointer opaque)
{
    const char *object = opaque;
    g_autofree char *dtb = g_build_filename(qtest_tmpdir(), "start.dtb",
                                            NULL);
    g_autofree char *machine = g_strdup_printf(
        "microvm,memory-backend=mem0,dumpdtb=%s", dtb);
    const char *args[] = {
        "-machine", machine, "-m", "64M,maxmem=1G", "-object", object,
        "-display", "none", NULL
    };
    FaultTally t = { 0 };

    for (size_t i = 0; i < fault_n_ops; i++) {
        for (unsigned nth = 1;; nth++) {
            g_autofree char *fault = g_strdup_printf("%s:%u:once",
                                                     fault_all_ops[i], nth);
            StartResult r = { 0 };

            unlink(dtb);
            start_once(args, fault, &r);
            check_quiet(r.err);
            if (!r.injected) {
                g_assert_cmpint(r.status, ==, 0);
                g_assert_true(g_file_test(dtb, G_FILE_TEST_EXISTS));
                g_free(r.err);
                break;
            }
            fault_tally_hit(&t, i);
            if (r.status == 0) {
                g_assert_true(op_may_be_absorbed(fault_all_ops[i]));
            } else {
                /* a clean error exit, saying what failed */
                g_assert_cmpint(r.status, ==, 1);
                g_assert_false(g_file_test(dtb, G_FILE_TEST_EXISTS));
                g_assert_nonnull(strstr(r.err, "sparsevm-faults: "));
            }
            t.survived++;
            g_free(r.err);
        }
    }
    unlink(dtb);
    fault_tally_report(object, &t);
}

/* ------------------------------------------------------- QMP commands */

typedef struct QmpOp QmpOp;

typedef struct QmpCtx {
    QTestState *qts;
    char *dir;          /* scratch files of the operation */
    const QmpOp *op;
} QmpCtx;

/**
 * struct QmpOp: one operation with side effects.
 * @request: the QMP command (%s, if present, is @ctx->dir).
 * @prepare: before each run (create the "earlier file", ...), or NULL.
 * @check: after each run; @ok: the command succeeded.  May be NULL.
 */
struct QmpOp {
    const char *name;
    const char *request;
    void (*prepare)(QmpCtx *ctx);
    void (*check)(QmpCtx *ctx, bool ok);
};

#define OLD_DTB "an earlier file, to be kept"

static void dumpdtb_prepare(QmpCtx *ctx)
{
    g_autofree char *path = g_build_filename(ctx->dir, "out.dtb", NULL);

    g_assert_true(g_file_set_contents(path, OLD_DTB, -1, NULL));
}

static void dumpdtb_check(QmpCtx *ctx, bool ok)
{
    g_autofree char *path = g_build_filename(ctx->dir, "out.dtb", NULL);
    g_autofree char *data = NULL;
    gsize len;
    GDir *dir;
    const char *name;

    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    if (ok) {
        /* a flattened device tree: magic 0xd00dfeed, big-endian */
        g_assert_cmpuint(len, >, 4);
        g_assert_cmpmem(data, 4, "\xd0\x0d\xfe\xed", 4);
    } else {
        g_assert_cmpstr(data, ==, OLD_DTB);
    }
    /* nothing else: no temporary left behind */
    dir = g_dir_open(ctx->dir, 0, NULL);
    while ((name = g_dir_read_name(dir))) {
        g_assert_cmpstr(name, ==, "out.dtb");
    }
    g_dir_close(dir);
}

static const QmpOp qmp_ops[] = {
    { "dumpdtb", "{'execute': 'dumpdtb', 'arguments': "
      "{'filename': '%s/out.dtb'}}", dumpdtb_prepare, dumpdtb_check },
    { "system_reset", "{'execute': 'system_reset'}" },
    { "stop", "{'execute': 'stop'}" },
    { "cont", "{'execute': 'cont'}" },
    { "qom-set", "{'execute': 'qom-set', 'arguments': {'path': '/machine', "
      "'property': 'x-ignore-discard-manager', 'value': true}}" },
    { "closefd", "{'execute': 'closefd', 'arguments': {'fdname': 'nope'}}" },
    { "hmp-info-mtree", "{'execute': 'human-monitor-command', 'arguments': "
      "{'command-line': 'info mtree'}}" },
    { "hmp-system-reset", "{'execute': 'human-monitor-command', "
      "'arguments': {'command-line': 'system_reset'}}" },
};

/* Run the operation; true if it succeeded.  Errors must say something. */
static bool qmp_op_run(QmpCtx *ctx)
{
    g_autofree char *req = NULL;
    g_autoptr(JsonObject) rsp = NULL;
    /* closefd of an unknown name; a command-line-only knob */
    const char *expect_error = !strcmp(ctx->op->name, "closefd")
                               ? "not found"
                               : !strcmp(ctx->op->name, "qom-set")
                               ? "after it was created" : NULL;

    if (ctx->op->prepare) {
        ctx->op->prepare(ctx);
    }
    req = strstr(ctx->op->request, "%s")
          ? g_strdup_printf(ctx->op->request, ctx->dir)
          : g_strdup(ctx->op->request);
    rsp = qtest_qmp(ctx->qts, "%s", req);
    if (json_object_has_member(rsp, "error")) {
        const char *desc = qtest_json_get_str(rsp, "error.desc");

        g_assert_cmpuint(strlen(desc), >, 0);
        if (expect_error && strstr(desc, expect_error)) {
            return true;    /* the command's own error, not a fault */
        }
        return false;
    }
    g_assert_true(json_object_has_member(rsp, "return"));
    return true;
}

static void test_qmp_op(gconstpointer opaque)
{
    const QmpOp *op = opaque;
    QmpCtx ctx = { .op = op };
    FaultTally t = { 0 };
    int fds;

    ctx.qts = qtest_init("-machine microvm -m 64M,maxmem=1G "
                         "-object memory-backend-memfd,id=mem1,size=8M,"
                         "share=on");
    ctx.dir = g_build_filename(qtest_tmpdir(), op->name, NULL);
    g_assert_cmpint(g_mkdir_with_parents(ctx.dir, 0700), ==, 0);
    /* once without faults: the baseline, and the op works at all */
    g_assert_true(qmp_op_run(&ctx));
    if (op->check) {
        op->check(&ctx, true);
    }
    fds = qtest_count_open_fds(qtest_pid(ctx.qts));

    for (size_t i = 0; i < fault_n_ops; i++) {
        for (unsigned nth = 1;; nth++) {
            bool ok;

            fault_qmp_arm(ctx.qts, fault_all_ops[i], nth, NULL);
            ok = qmp_op_run(&ctx);
            if (!fault_qmp_injected(ctx.qts, fault_all_ops[i])) {
                g_assert_true(ok);
                fault_qmp_arm(ctx.qts, fault_all_ops[i], 0, NULL);
                break;
            }
            fault_qmp_arm(ctx.qts, fault_all_ops[i], 0, NULL);
            fault_tally_hit(&t, i);
            g_assert_true(!ok || op_may_be_absorbed(fault_all_ops[i]));
            if (op->check) {
                op->check(&ctx, ok);
            }
            /* still answering, and the operation works again */
            qtest_qmp_assert_success(ctx.qts, "{'execute': 'query-status'}");
            g_assert_true(qmp_op_run(&ctx));
            if (op->check) {
                op->check(&ctx, true);
            }
            g_assert_cmpint(qtest_count_open_fds(qtest_pid(ctx.qts)), ==,
                            fds);
            t.survived++;
        }
    }
    qtest_qmp_assert_success(ctx.qts, "{'execute': 'cont'}");
    qtest_quit(ctx.qts);
    fault_tally_report(op->name, &t);
    g_autofree char *out = g_build_filename(ctx.dir, "out.dtb", NULL);
    unlink(out);
    rmdir(ctx.dir);
    g_free(ctx.dir);
}

/* The hidden commands themselves: bad arguments are refused. */
static void test_debug_fault_errors(void)
{
    QTestState *qts = qtest_init("-machine microvm -m 64M");
    g_autofree char *e1 = NULL, *e2 = NULL, *e3 = NULL;

    e1 = qtest_qmp_expect_error(qts, "GenericError", "{'execute': "
                                "'x-debug-fault', 'arguments': {'op': "
                                "'nope', 'nth': 1}}");
    g_assert_nonnull(strstr(e1, "unknown operation"));
    e2 = qtest_qmp_expect_error(qts, "GenericError", "{'execute': "
                                "'x-debug-fault', 'arguments': {'op': "
                                "'write', 'nth': 1, 'errno': 'EWHAT'}}");
    g_assert_nonnull(strstr(e2, "unknown errno"));
    e3 = qtest_qmp_expect_error(qts, "GenericError", "{'execute': "
                                "'x-debug-fault', 'arguments': {'op': "
                                "'all', 'nth': 1}}");
    g_assert_nonnull(strstr(e3, "only disarms"));
    qtest_qmp_assert_success(qts, "{'execute': 'x-debug-fault', "
                             "'arguments': {'op': 'all', 'nth': 0}}");
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    static const char *const backends[] = {
        "memory-backend-ram,id=mem0,size=64M",
        "memory-backend-ram,id=mem0,size=64M,share=on",
        "memory-backend-ram,id=mem0,size=64M,prealloc=on",
        "memory-backend-memfd,id=mem0,size=64M",
        "memory-backend-memfd,id=mem0,size=64M,prealloc=on",
        NULL, /* memory-backend-file, built below */
    };
    g_autofree char *file = NULL;
    const char *names[] = {
        "ram", "ram-shared", "ram-prealloc", "memfd", "memfd-prealloc",
        "file",
    };
    int ret;

    g_test_init(&argc, &argv, NULL);
    file = g_strdup_printf("memory-backend-file,id=mem0,size=64M,share=on,"
                           "mem-path=%s/backing", qtest_tmpdir());
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *path = g_strdup_printf("/faults/startup/%s",
                                                names[i]);

        g_test_add_data_func(path, backends[i] ? backends[i] : file,
                             test_startup);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(qmp_ops); i++) {
        g_autofree char *path = g_strdup_printf("/faults/qmp/%s",
                                                qmp_ops[i].name);

        g_test_add_data_func(path, &qmp_ops[i], test_qmp_op);
    }
    g_test_add_func("/faults/qmp/x-debug-fault-errors",
                    test_debug_fault_errors);
    ret = g_test_run();
    g_autofree char *backing = g_build_filename(qtest_tmpdir(), "backing",
                                                NULL);
    unlink(backing);
    return ret;
}
