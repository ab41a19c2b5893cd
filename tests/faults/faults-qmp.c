/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * faults-qmp.c: the hidden QMP commands of the sparsevm-faults binary,
 * through which a qtest arms a fault at the moment it chooses.
 *
 *   x-debug-fault {"op": OP, "nth": N, "mode"?: "once"|"from",
 *                  "errno"?: NAME}
 *       arm OP (faults.h names) for call N counted from now; N = 0
 *       disarms it; OP "all" with N = 0 disarms everything.
 *   x-query-debug-faults
 *       [{"op", "armed", "nth", "mode", "errno", "calls", "injected"}]
 *       for every operation.
 *
 * Both are registered by wrapping sysemu_register_commands() (the binary
 * is linked with --wrap=sysemu_register_commands), so neither vl.c nor
 * devices.c knows about fault injection.
 */
#include "qemu/osdep.h"
#include "qapi/qmp-registry.h"
#include "qemu/error.h"
#include "sysemu/sysemu.h"
#include "faults.h"

static const char *const fault_modes[] = { "once", "from", NULL };

static bool qmp_x_debug_fault(JsonObject *args, JsonNode **ret,
                              Error **errp)
{
    const char *op = qmp_arg_get_str(args, "op", "");
    uint64_t nth = qmp_arg_get_uint(args, "nth", 0);
    const char *mode = qmp_arg_get_str(args, "mode", "once");
    const char *err = qmp_arg_get_str(args, "errno", NULL);
    g_autofree char *spec = NULL;

    if (!strcmp(op, "all")) {
        if (nth) {
            error_setg(errp, "op 'all' only disarms: nth must be 0");
            return false;
        }
        fault_disarm_all();
        return true;
    }
    if (nth > UINT_MAX) {
        error_setg(errp, "Parameter 'nth' is out of range");
        return false;
    }
    spec = g_strdup_printf("%s:%" PRIu64 ":%s%s%s", op, nth, mode,
                           err ? ":" : "", err ? err : "");
    return fault_parse(spec, errp);
}

static bool qmp_x_query_debug_faults(JsonObject *args, JsonNode **ret,
                                     Error **errp)
{
    JsonArray *list = json_array_new();

    for (FaultOp op = 0; op < FAULT__MAX; op++) {
        JsonObject *o = json_object_new();
        FaultStats st;

        fault_get_stats(op, &st);
        json_object_set_string_member(o, "op", fault_op_name(op));
        json_object_set_boolean_member(o, "armed", st.armed);
        json_object_set_int_member(o, "nth", st.nth);
        json_object_set_string_member(o, "mode", st.from ? "from" : "once");
        json_object_set_string_member(o, "errno",
                                      st.armed ? fault_errno_name(st.err)
                                               : "");
        json_object_set_int_member(o, "calls", st.calls);
        json_object_set_int_member(o, "injected", st.injected);
        json_array_add_object_element(list, o);
    }
    *ret = json_node_init_array(json_node_alloc(), list);
    json_array_unref(list);
    return true;
}

void __real_sysemu_register_commands(void);
void __wrap_sysemu_register_commands(void);

void __wrap_sysemu_register_commands(void)
{
    static const QmpArgSpec fault_args[] = {
        { "op", QMP_ARG_STR },
        { "nth", QMP_ARG_UINT },
        { "mode", QMP_ARG_STR, true, fault_modes },
        { "errno", QMP_ARG_STR, true },
        { NULL }
    };
    static const QmpArgSpec no_args[] = { { NULL } };

    __real_sysemu_register_commands();
    qmp_register_command("x-debug-fault", qmp_x_debug_fault, fault_args,
                         QMP_CMD_HIDDEN);
    qmp_register_command("x-query-debug-faults", qmp_x_query_debug_faults,
                         no_args, QMP_CMD_HIDDEN);
}
