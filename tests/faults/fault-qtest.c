/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fault-qtest.c: the QMP side of fault injection for qtests (see
 * fault-qtest.h).
 */
#include "qemu/osdep.h"
#include "fault-qtest.h"

const char *const fault_all_ops[] = {
    "write", "pwrite", "pwritev", "fsync", "fdatasync", "open", "rename",
    "mmap", "madvise", "fallocate", "copy_file_range", "sendfile",
    "ftruncate", "memfd_create", "malloc", "set_contents",
};
const size_t fault_n_ops = G_N_ELEMENTS(fault_all_ops);

const char *const fault_live_ops[] = {
    "userfaultfd", "uffd_api", "uffd_register", "uffd_unregister",
    "uffd_writeprotect", "uffd_wake", "pagemap_scan", "thread_create",
};
const size_t fault_n_live_ops = G_N_ELEMENTS(fault_live_ops);

void fault_qmp_arm(QTestState *qts, const char *op, unsigned nth,
                   const char *err)
{
    if (err) {
        qtest_qmp_assert_success(qts, "{'execute': 'x-debug-fault', "
                                 "'arguments': {'op': '%s', 'nth': %u, "
                                 "'errno': '%s'}}", op, nth, err);
    } else {
        qtest_qmp_assert_success(qts, "{'execute': 'x-debug-fault', "
                                 "'arguments': {'op': '%s', 'nth': %u}}",
                                 op, nth);
    }
}

void fault_qmp_disarm_all(QTestState *qts)
{
    qtest_qmp_assert_success(qts, "{'execute': 'x-debug-fault', "
                             "'arguments': {'op': 'all', 'nth': 0}}");
}

int64_t fault_qmp_injected(QTestState *qts, const char *op)
{
    g_autoptr(JsonNode) ret = qtest_qmp_assert_success_ref(
        qts, "{'execute': 'x-query-debug-faults'}");
    JsonArray *list = json_node_get_array(ret);

    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *o = json_array_get_object_element(list, i);

        if (!strcmp(json_object_get_string_member(o, "op"), op)) {
            return json_object_get_int_member(o, "injected");
        }
    }
    g_error("x-query-debug-faults does not list '%s'", op);
}

void fault_tally_hit(FaultTally *t, size_t op)
{
    g_assert_cmpuint(op, <, G_N_ELEMENTS(t->per_op));
    t->injected++;
    t->per_op[op]++;
}

void fault_tally_report(const char *what, const FaultTally *t)
{
    g_autoptr(GString) ops = g_string_new(NULL);

    /* indices past fault_all_ops are fault_live_ops' */
    for (size_t i = 0; i < fault_n_ops + fault_n_live_ops; i++) {
        if (t->per_op[i]) {
            g_string_append_printf(ops, "%s%s x%u", ops->len ? ", " : "",
                                   i < fault_n_ops ? fault_all_ops[i] :
                                   fault_live_ops[i - fault_n_ops],
                                   t->per_op[i]);
        }
    }
    g_test_message("%s: faults injected = %u, survived = %u (%s)", what,
                   t->injected, t->survived, ops->len ? ops->str : "none");
    g_assert_cmpuint(t->injected, ==, t->survived);
}
