/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-reset.c: the two phases of a system reset (softmmu/runstate.c):
 * ordinary handlers in registration order, then late-phase handlers in
 * registration order whatever was registered first, then the RESET event;
 * unregistering removes exactly one handler of a phase.
 */
#include "qemu/osdep.h"
#include "qapi/qmp-registry.h"
#include "sysemu/runstate.h"

static GString *trail;

static void record(void *opaque)
{
    g_string_append(trail, opaque);
}

static void record_event(const char *name, JsonObject *data)
{
    g_string_append_printf(trail, "<%s:%s>", name,
                           json_object_get_string_member(data, "reason"));
    json_object_unref(data);
}

static void test_reset_late_after_normal(void)
{
    trail = g_string_new(NULL);
    qapi_event_set_emitter(record_event);
    /* Late handlers registered first still run after the ordinary ones. */
    qemu_register_reset_late(record, "L1");
    qemu_register_reset(record, "N1");
    qemu_register_reset_late(record, "L2");
    qemu_register_reset(record, "N2");

    qemu_system_reset(SHUTDOWN_CAUSE_NONE);
    g_assert_cmpstr(trail->str, ==, "N1N2L1L2");

    g_string_truncate(trail, 0);
    qemu_system_reset(SHUTDOWN_CAUSE_GUEST_RESET);
    g_assert_cmpstr(trail->str, ==, "N1N2L1L2<RESET:guest-reset>");

    /* Unregistering is per phase: N1 in the late list is not there. */
    qemu_unregister_reset_late(record, "N1");
    qemu_unregister_reset_late(record, "L1");
    qemu_unregister_reset(record, "N2");
    g_string_truncate(trail, 0);
    qemu_system_reset(SHUTDOWN_CAUSE_NONE);
    g_assert_cmpstr(trail->str, ==, "N1L2");

    qemu_unregister_reset(record, "N1");
    qemu_unregister_reset_late(record, "L2");
    g_string_truncate(trail, 0);
    qemu_system_reset(SHUTDOWN_CAUSE_NONE);
    g_assert_cmpstr(trail->str, ==, "");
    qapi_event_set_emitter(NULL);
    g_string_free(trail, true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/reset/phases/late-after-normal",
                    test_reset_late_after_normal);
    return g_test_run();
}
