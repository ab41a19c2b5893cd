/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-qom-cmds.c: qom-list, qom-get and qom-set over QMP on a small
 * object tree: every property kind both ways, path resolution (absolute,
 * partial, ambiguous), and QEMU's errors for bad paths, unknown
 * properties and values of the wrong type or range.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qom/object.h"
#include "monitor/monitor.h"
#include "qmp-test-client.h"

#define TYPE_TEST_DEV "test-dev"

typedef struct TestDev {
    Object parent;
    bool on;
    int64_t level;
    uint32_t count;
    uint64_t size;
    char *label;
    char *mode;
    Object *peer;
} TestDev;

static const char *const test_modes[] = { "a", "b", NULL };

static void test_dev_init(Object *obj)
{
    ObjectProperty *p;

    object_property_add_field(obj, "on", "bool", PROP_KIND_BOOL,
                              offsetof(TestDev, on), 0);
    object_property_add_field(obj, "level", "int", PROP_KIND_INT,
                              offsetof(TestDev, level), 0);
    object_property_add_field(obj, "count", "uint32", PROP_KIND_UINT,
                              offsetof(TestDev, count), 0);
    p = object_property_add_field(obj, "size", "size", PROP_KIND_SIZE,
                                  offsetof(TestDev, size), 0);
    object_property_set_description(p, "bytes of the thing");
    object_property_add_field(obj, "label", "str", PROP_KIND_STR,
                              offsetof(TestDev, label), 0);
    object_property_add_enum_field(obj, "mode", "TestMode", test_modes,
                                   offsetof(TestDev, mode), 0);
    object_property_add_link(obj, "peer", TYPE_TEST_DEV,
                             offsetof(TestDev, peer), NULL, 0);
}

static const TypeInfo test_dev_info = {
    .name = TYPE_TEST_DEV,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(TestDev),
    .instance_init = test_dev_init,
};

/* /objects/d0, /objects/d1 and /machine/peripheral/d0 */
static void build_tree(void)
{
    Object *peripheral = container_get(object_get_root(),
                                       "machine/peripheral");
    const struct {
        Object *parent;
        const char *name;
    } objs[] = {
        { object_get_objects_root(), "d0" },
        { object_get_objects_root(), "d1" },
        { peripheral, "d0" },
    };

    type_register_object_types();
    type_register_static(&test_dev_info);
    for (size_t i = 0; i < ARRAY_SIZE(objs); i++) {
        Object *obj = object_new(TYPE_TEST_DEV);

        object_property_add_child(objs[i].parent, objs[i].name, obj);
        object_unref(obj);
    }
}

typedef QmpTestFixture Fixture;

static char *get(Fixture *f, const char *path, const char *prop)
{
    g_autofree char *req = g_strdup_printf(
        "{'execute': 'qom-get', 'arguments': {'path': '%s', "
        "'property': '%s'}}", path, prop);

    return qmp_test_cmd_ok(f->c, req);
}

static void set(Fixture *f, const char *path, const char *prop,
                const char *value)
{
    g_autofree char *req = g_strdup_printf(
        "{'execute': 'qom-set', 'arguments': {'path': '%s', "
        "'property': '%s', 'value': %s}}", path, prop, value);

    g_free(qmp_test_cmd_ok(f->c, req));
}

static void set_error(Fixture *f, const char *path, const char *prop,
                      const char *value, const char *klass, const char *desc)
{
    g_autofree char *req = g_strdup_printf(
        "{'execute': 'qom-set', 'arguments': {'path': '%s', "
        "'property': '%s', 'value': %s}}", path, prop, value);

    qmp_test_cmd_error(f->c, req, klass, desc);
}

#define CHECK_GET(f, path, prop, expect) \
    do { \
        g_autofree char *got_ = get(f, path, prop); \
        g_assert_cmpstr(got_, ==, expect); \
    } while (0)

static void test_list(Fixture *f, gconstpointer data)
{
    g_autofree char *list = qmp_test_cmd_ok(
        f->c, "{'execute': 'qom-list', 'arguments': {'path': '/objects/d1'}}");
    g_autofree char *objects = qmp_test_cmd_ok(
        f->c, "{'execute': 'qom-list', 'arguments': {'path': '/objects'}}");

    g_assert_cmpstr(list, ==, "[{\"name\":\"on\",\"type\":\"bool\"},"
                    "{\"name\":\"level\",\"type\":\"int\"},"
                    "{\"name\":\"count\",\"type\":\"uint32\"},"
                    "{\"name\":\"size\",\"type\":\"size\","
                    "\"description\":\"bytes of the thing\"},"
                    "{\"name\":\"label\",\"type\":\"str\"},"
                    "{\"name\":\"mode\",\"type\":\"TestMode\"},"
                    "{\"name\":\"peer\",\"type\":\"link<test-dev>\"}]");
    g_assert_nonnull(strstr(objects, "{\"name\":\"d0\","
                            "\"type\":\"child<test-dev>\"}"));
}

static void test_paths(Fixture *f, gconstpointer data)
{
    g_free(qmp_test_cmd_ok(f->c, "{'execute': 'qom-list', 'arguments': "
                           "{'path': 'objects/d0'}}"));
    g_free(qmp_test_cmd_ok(f->c, "{'execute': 'qom-list', 'arguments': "
                           "{'path': 'd1'}}"));
    qmp_test_cmd_error(f->c, "{'execute': 'qom-list', 'arguments': "
                       "{'path': 'd0'}}", "GenericError",
                       "Path 'd0' is ambiguous");
    qmp_test_cmd_error(f->c, "{'execute': 'qom-list', 'arguments': "
                       "{'path': '/objects/nope'}}", "DeviceNotFound",
                       "Device '/objects/nope' not found");
    /* qom-get and qom-set do not tell ambiguous from absent, as QEMU */
    qmp_test_cmd_error(f->c, "{'execute': 'qom-get', 'arguments': "
                       "{'path': 'd0', 'property': 'on'}}", "DeviceNotFound",
                       "Device 'd0' not found");
    set_error(f, "d0", "on", "true", "DeviceNotFound",
              "Device 'd0' not found");
    set_error(f, "", "on", "true", "DeviceNotFound", "Device '' not found");
}

static void test_get_set(Fixture *f, gconstpointer data)
{
    const char *d = "/objects/d0";

    CHECK_GET(f, d, "on", "false");
    CHECK_GET(f, d, "label", "\"\"");
    CHECK_GET(f, d, "peer", "\"\"");
    set(f, d, "on", "true");
    set(f, d, "level", "-42");
    set(f, d, "count", "4294967295");
    set(f, d, "size", "1073741824");
    set(f, d, "label", "'h\\u00e9llo'");
    set(f, d, "mode", "'b'");
    set(f, d, "peer", "'d1'");
    CHECK_GET(f, d, "on", "true");
    CHECK_GET(f, d, "level", "-42");
    CHECK_GET(f, d, "count", "4294967295");
    CHECK_GET(f, d, "size", "1073741824");
    CHECK_GET(f, d, "label", "\"héllo\"");
    CHECK_GET(f, d, "mode", "\"b\"");
    CHECK_GET(f, d, "peer", "\"/objects/d1\"");
    set(f, d, "peer", "''");
    CHECK_GET(f, d, "peer", "\"\"");
    /* QEMU's uint64 visitor wraps negative numbers; so do we */
    set(f, "objects/d1", "size", "-1");
    CHECK_GET(f, "/objects/d1", "size", "-1");
}

static void test_set_errors(Fixture *f, gconstpointer data)
{
    static const struct {
        const char *prop;
        const char *value;
        const char *desc;
    } bad[] = {
        { "on", "'true'",
          "Invalid parameter type for 'on', expected: boolean" },
        { "level", "1.5",
          "Invalid parameter type for 'level', expected: integer" },
        { "level", "null",
          "Invalid parameter type for 'level', expected: integer" },
        { "level", "'7'",
          "Invalid parameter type for 'level', expected: integer" },
        { "count", "18446744073709551616",
          "Invalid parameter type for 'count', expected: integer" },
        { "count", "4294967296", "Parameter 'count' expects uint32" },
        { "count", "-1", "Parameter 'count' expects uint32" },
        { "label", "{}",
          "Invalid parameter type for 'label', expected: string" },
        { "mode", "'c'", "Parameter 'mode' does not accept value 'c'" },
        { "nope", "1", "Property 'test-dev.nope' not found" },
    };
    const char *d = "/machine/peripheral/d0";
    const char *ge = "GenericError";

    set(f, d, "level", "7");
    set(f, d, "count", "7");
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        set_error(f, d, bad[i].prop, bad[i].value, ge, bad[i].desc);
    }
    /* QEMU's qmp-test missing-any-arg */
    qmp_test_cmd_error(f->c, "{'execute': 'qom-set', 'arguments': "
                       "{'path': '/objects/d0', 'property': 'on'}}", ge,
                       "Parameter 'value' is missing");
    qmp_test_cmd_error(f->c, "{'execute': 'qom-get', 'arguments': "
                       "{'path': '/objects/d0', 'property': 'nope'}}", ge,
                       "Property 'test-dev.nope' not found");
    /* nothing changed */
    CHECK_GET(f, d, "level", "7");
    CHECK_GET(f, d, "count", "7");
    CHECK_GET(f, d, "mode", "\"\"");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    build_tree();
#define ADD(path, fn) \
    g_test_add("/monitor/qom/" path, Fixture, "qom", \
               qmp_test_fixture_setup, fn, qmp_test_fixture_teardown)
    ADD("list", test_list);
    ADD("paths", test_paths);
    ADD("get-set", test_get_set);
    ADD("set-errors", test_set_errors);
    return g_test_run();
}
