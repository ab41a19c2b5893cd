/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-schema-test.c: query-qmp-schema against what the binary really
 * does.  Every command query-commands lists is in the schema and every
 * command of the schema is registered; every event of the schema is
 * emitted by some action of a test and every event the binary emitted is
 * in the schema; the SchemaInfo array is well formed (unique names, every
 * type reference resolves); and a libvirt-style probe walks from a
 * command's name to its argument types, as libvirt's
 * virQEMUQAPISchemaPathGet() does ("dump-guest-memory/arg-type/format"),
 * and from a command to its reply.
 */
#include "libqtest.h"
#include "libqos/guest-alloc.h"
#include "libqos/virtio-mem.h"
#include "qemu/units.h"


/* The SchemaInfo array, indexed by name. */
typedef struct Schema {
    JsonNode *root;             /* the reply */
    GHashTable *by_name;        /* name -> JsonObject * (borrowed) */
} Schema;

static void schema_load(Schema *sc, QTestState *s)
{
    JsonArray *arr;

    sc->root = qtest_qmp_assert_success_ref(
        s, "{'execute': 'query-qmp-schema'}");
    g_assert_true(JSON_NODE_HOLDS_ARRAY(sc->root));
    arr = json_node_get_array(sc->root);
    sc->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *info = json_array_get_object_element(arr, i);
        const char *name = json_object_get_string_member(info, "name");

        g_assert_nonnull(name);
        g_assert_nonnull(json_object_get_string_member(info, "meta-type"));
        /* QEMU: names are unique whatever their meta-type */
        g_assert_false(g_hash_table_contains(sc->by_name, name));
        g_hash_table_insert(sc->by_name, (gpointer)name, info);
    }
}

static void schema_free(Schema *sc)
{
    g_hash_table_unref(sc->by_name);
    json_node_unref(sc->root);
}

static JsonObject *schema_get(Schema *sc, const char *name,
                              const char *meta_type)
{
    JsonObject *info = g_hash_table_lookup(sc->by_name, name);

    if (!info) {
        g_error("'%s' is not in query-qmp-schema", name);
    }
    g_assert_cmpstr(json_object_get_string_member(info, "meta-type"), ==,
                    meta_type);
    return info;
}

/* The type named by @info's member @key, which must exist. */
static JsonObject *schema_type(Schema *sc, JsonObject *info, const char *key)
{
    const char *name = json_object_get_string_member(info, key);
    JsonObject *t = g_hash_table_lookup(sc->by_name, name);

    if (!t) {
        g_error("type '%s' (%s) is not in the schema", name, key);
    }
    return t;
}

/* Member @name of object type @obj, or NULL. */
static JsonObject *schema_member(JsonObject *obj, const char *name)
{
    JsonArray *members = json_object_get_array_member(obj, "members");

    for (guint i = 0; i < json_array_get_length(members); i++) {
        JsonObject *m = json_array_get_object_element(members, i);

        if (!strcmp(json_object_get_string_member(m, "name"), name)) {
            return m;
        }
    }
    return NULL;
}

static bool enum_has(JsonObject *e, const char *value)
{
    JsonArray *values = json_object_get_array_member(e, "values");

    for (guint i = 0; i < json_array_get_length(values); i++) {
        if (!strcmp(json_array_get_string_element(values, i), value)) {
            return true;
        }
    }
    return false;
}

/* Every reference from one entity to another resolves. */
static void check_references(Schema *sc)
{
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, sc->by_name);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        JsonObject *info = value;
        const char *meta = json_object_get_string_member(info, "meta-type");

        if (!strcmp(meta, "command")) {
            schema_type(sc, info, "arg-type");
            schema_type(sc, info, "ret-type");
        } else if (!strcmp(meta, "event")) {
            schema_type(sc, info, "arg-type");
        } else if (!strcmp(meta, "array")) {
            schema_type(sc, info, "element-type");
        } else if (!strcmp(meta, "object")) {
            JsonArray *members = json_object_get_array_member(info,
                                                              "members");

            for (guint i = 0; i < json_array_get_length(members); i++) {
                schema_type(sc, json_array_get_object_element(members, i),
                            "type");
            }
            if (json_object_has_member(info, "variants")) {
                JsonArray *vars = json_object_get_array_member(info,
                                                               "variants");

                g_assert_nonnull(schema_member(
                    info, json_object_get_string_member(info, "tag")));
                for (guint i = 0; i < json_array_get_length(vars); i++) {
                    schema_type(sc, json_array_get_object_element(vars, i),
                                "type");
                }
            }
        } else if (!strcmp(meta, "builtin")) {
            g_assert_nonnull(json_object_get_string_member(info,
                                                           "json-type"));
        } else {
            g_assert_cmpstr(meta, ==, "enum");
            g_assert_true(json_object_has_member(info, "values"));
        }
    }
}

/* query-commands and the schema list the same commands. */
static void test_commands(void)
{
    QTestState *s = qtest_init("-machine microvm -m 512M");
    JsonNode *cmds = qtest_qmp_assert_success_ref(
        s, "{'execute': 'query-commands'}");
    JsonArray *arr = json_node_get_array(cmds);
    g_autoptr(GHashTable) registered = g_hash_table_new(g_str_hash,
                                                        g_str_equal);
    GHashTableIter it;
    gpointer key, value;
    Schema sc;

    schema_load(&sc, s);
    check_references(&sc);
    g_assert_cmpuint(json_array_get_length(arr), >, 20);
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        const char *name = json_object_get_string_member(
            json_array_get_object_element(arr, i), "name");

        schema_get(&sc, name, "command");
        g_hash_table_add(registered, (gpointer)name);
    }
    g_hash_table_iter_init(&it, sc.by_name);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        if (!strcmp(json_object_get_string_member(value, "meta-type"),
                    "command") &&
            !g_hash_table_contains(registered, key)) {
            g_error("the schema has '%s', the binary does not register it",
                    (const char *)key);
        }
    }
    schema_free(&sc);
    json_node_unref(cmds);
    qtest_quit(s);
}

/* libvirt's probe: dump-guest-memory/arg-type/format, and the reply. */
static void test_libvirt_probe(void)
{
    QTestState *s = qtest_init("-machine microvm -m 512M");
    JsonObject *cmd, *args, *m, *fmt, *ret, *formats, *arr;
    Schema sc;

    schema_load(&sc, s);
    cmd = schema_get(&sc, "dump-guest-memory", "command");
    args = schema_type(&sc, cmd, "arg-type");
    g_assert_cmpstr(json_object_get_string_member(args, "meta-type"), ==,
                    "object");
    /* mandatory members carry no "default"; optional ones a null one */
    m = schema_member(args, "paging");
    g_assert_nonnull(m);
    g_assert_cmpstr(json_object_get_string_member(m, "type"), ==, "bool");
    g_assert_false(json_object_has_member(m, "default"));
    m = schema_member(args, "protocol");
    g_assert_cmpstr(json_object_get_string_member(m, "type"), ==, "str");
    m = schema_member(args, "detach");
    g_assert_true(json_object_has_member(m, "default"));
    g_assert_true(JSON_NODE_HOLDS_NULL(json_object_get_member(m,
                                                              "default")));
    m = schema_member(args, "format");
    g_assert_nonnull(m);
    fmt = schema_type(&sc, m, "type");
    g_assert_cmpstr(json_object_get_string_member(fmt, "meta-type"), ==,
                    "enum");
    g_assert_true(enum_has(fmt, "elf"));
    g_assert_true(enum_has(fmt, "kdump-zlib"));
    g_assert_true(enum_has(fmt, "kdump-raw-zlib"));
    g_assert_true(enum_has(fmt, "win-dmp"));
    g_assert_null(schema_member(args, "no-such-member"));
    /* type names are masked, as QEMU's are */
    g_assert_true(g_ascii_isdigit(
        json_object_get_string_member(fmt, "name")[0]));

    /* the capability query returns a list of that same enumeration */
    cmd = schema_get(&sc, "query-dump-guest-memory-capability", "command");
    ret = schema_type(&sc, cmd, "ret-type");
    formats = schema_member(ret, "formats");
    arr = schema_type(&sc, formats, "type");
    g_assert_cmpstr(json_object_get_string_member(arr, "meta-type"), ==,
                    "array");
    g_assert_cmpstr(json_object_get_string_member(arr, "element-type"), ==,
                    json_object_get_string_member(fmt, "name"));

    /* a union: query-memory-devices' elements, tagged by "type" */
    cmd = schema_get(&sc, "query-memory-devices", "command");
    arr = schema_type(&sc, cmd, "ret-type");
    ret = schema_type(&sc, arr, "element-type");
    g_assert_cmpstr(json_object_get_string_member(ret, "tag"), ==, "type");
    schema_free(&sc);
    qtest_quit(s);
}

static void expect_event(QTestState *s, Schema *sc, GHashTable *seen,
                         const char *name)
{
    JsonObject *ev = qtest_qmp_eventwait_ref(s, name);

    schema_get(sc, name, "event");
    g_hash_table_add(seen, g_strdup(name));
    json_object_unref(ev);
}

/*
 * Every event of the schema is emitted by something below, and every
 * event emitted is in the schema.  (Statically, scripts/check-layers.py
 * keeps qapi_event_send() out of reach of everything but monitor/, qapi/
 * and the generated emitters, which exist only for schema events.)
 */
static void test_events(void)
{
    g_autofree char *dump = g_build_filename(qtest_tmpdir(), "schema.core",
                                             NULL);
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash,
                                                       g_str_equal, g_free,
                                                       NULL);
    QTestState *s = qtest_init(
        "-machine microvm -m 512M,maxmem=4G "
        "-object memory-backend-ram,id=mem0,size=1G "
        "-device virtio-mem-device,id=vm0,memdev=mem0,requested-size=64M");
    QGuestAllocator *alloc = guest_alloc_new(1 * MiB, 512 * MiB);
    QVirtioMem *vm = qvirtio_mem_init(s, alloc, 0);
    QVirtioMemConfig cfg;
    g_auto(GStrv) names = NULL;
    GHashTableIter it;
    gpointer key, value;
    Schema sc;

    schema_load(&sc, s);
    qvirtio_mem_read_config(vm, &cfg);
    g_assert_cmpuint(qvirtio_mem_plug(vm, cfg.addr, 1), ==,
                     VIRTIO_MEM_RESP_ACK);
    expect_event(s, &sc, seen, "MEMORY_DEVICE_SIZE_CHANGE");
    qvirtio_mem_free(vm);
    qtest_qmp_assert_success(s, "{'execute': 'stop'}");
    expect_event(s, &sc, seen, "STOP");
    qtest_qmp_assert_success(s, "{'execute': 'cont'}");
    expect_event(s, &sc, seen, "RESUME");
    qtest_qmp_assert_success(s, "{'execute': 'system_reset'}");
    expect_event(s, &sc, seen, "RESET");
    qtest_qmp_assert_success(s, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, "
                             "'protocol': 'file:%s'}}", dump);
    expect_event(s, &sc, seen, "DUMP_COMPLETED");
    unlink(dump);
    qtest_qmp_assert_success(s, "{'execute': 'object-add', 'arguments': "
                             "{'qom-type': 'memory-backend-ram', "
                             "'id': 'mem1', 'size': 67108864}}");
    qtest_qmp_assert_success(s, "{'execute': 'device_add', 'arguments': "
                             "{'driver': 'virtio-mem-device', 'id': 'vm1', "
                             "'memdev': 'mem1'}}");
    qtest_qmp_assert_success(s, "{'execute': 'device_del', 'arguments': "
                             "{'id': 'vm1'}}");
    expect_event(s, &sc, seen, "DEVICE_DELETED");

    /* whatever else came meanwhile must be in the schema too */
    names = qtest_qmp_event_names(s);
    for (char **n = names; *n; n++) {
        schema_get(&sc, *n, "event");
    }
    qtest_qmp_assert_success(s, "{'execute': 'quit'}");
    expect_event(s, &sc, seen, "SHUTDOWN");

    /* needs a host that cannot back guest memory: memory-fault-test */
    g_hash_table_add(seen, g_strdup("GUEST_MEMORY_FAULT"));
    g_hash_table_iter_init(&it, sc.by_name);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        if (!strcmp(json_object_get_string_member(value, "meta-type"),
                    "event") &&
            !g_hash_table_contains(seen, key)) {
            g_error("the schema has event '%s', nothing here emitted it",
                    (const char *)key);
        }
    }
    schema_free(&sc);
    qtest_wait_exit(s);
    guest_alloc_destroy(alloc);
    qtest_quit(s);
}

/*
 * The QMP part of libvirt's capability probe (qemu_capabilities.c), in
 * its order: every reply parses as the schema says, and the answers a
 * management tool acts on are right.
 */
static void test_probe_commands(void)
{
    QTestState *s = qtest_init("-machine microvm -m 512M,maxmem=4G "
                               "-object memory-backend-ram,id=mem0,size=1G "
                               "-device virtio-mem-device,memdev=mem0");
    static const struct {
        const char *request;
        bool is_array;
    } probes[] = {
        { "{'execute': 'query-version'}", false },
        { "{'execute': 'query-commands'}", true },
        { "{'execute': 'query-events'}", true },
        { "{'execute': 'query-qmp-schema'}", true },
        { "{'execute': 'query-kvm'}", false },
        { "{'execute': 'qom-list-types'}", true },
        { "{'execute': 'qom-list-types', "
          "'arguments': {'implements': 'device', 'abstract': true}}", true },
        { "{'execute': 'device-list-properties', "
          "'arguments': {'typename': 'virtio-mem-device'}}", true },
        { "{'execute': 'qom-list-properties', "
          "'arguments': {'typename': 'memory-backend-file'}}", true },
        { "{'execute': 'query-machines'}", true },
        { "{'execute': 'query-cpu-definitions'}", true },
        { "{'execute': 'query-target'}", false },
        { "{'execute': 'query-migrate-capabilities'}", true },
        { "{'execute': 'query-cpus-fast'}", true },
        { "{'execute': 'query-memory-size-summary'}", false },
        { "{'execute': 'query-command-line-options'}", true },
        { "{'execute': 'query-chardev'}", true },
    };
    JsonNode *ret;
    JsonObject *o;
    char *err;

    for (size_t i = 0; i < G_N_ELEMENTS(probes); i++) {
        ret = qtest_qmp_assert_success_ref(s, "%s", probes[i].request);
        if (probes[i].is_array != JSON_NODE_HOLDS_ARRAY(ret) ||
            (!probes[i].is_array && !JSON_NODE_HOLDS_OBJECT(ret))) {
            g_error("%s: unexpected reply type", probes[i].request);
        }
        json_node_unref(ret);
    }

    ret = qtest_qmp_assert_success_ref(s, "{'execute': 'query-target'}");
    g_assert_cmpstr(json_object_get_string_member(
        json_node_get_object(ret), "arch"), ==, "x86_64");
    json_node_unref(ret);
    ret = qtest_qmp_assert_success_ref(s, "{'execute': 'query-kvm'}");
    o = json_node_get_object(ret);
    g_assert_false(json_object_get_boolean_member(o, "enabled"));
    g_assert_false(json_object_get_boolean_member(o, "present"));
    json_node_unref(ret);
    ret = qtest_qmp_assert_success_ref(s, "{'execute': 'query-machines'}");
    o = json_array_get_object_element(json_node_get_array(ret), 0);
    g_assert_cmpstr(json_object_get_string_member(o, "name"), ==, "microvm");
    g_assert_true(json_object_get_boolean_member(o, "is-default"));
    json_node_unref(ret);
    ret = qtest_qmp_assert_success_ref(
        s, "{'execute': 'query-memory-size-summary'}");
    o = json_node_get_object(ret);
    g_assert_cmpint(json_object_get_int_member(o, "base-memory"), ==,
                    512 * MiB);
    g_assert_cmpint(json_object_get_int_member(o, "plugged-memory"), ==, 0);
    json_node_unref(ret);
    /* virtio-mem's memdev link is a property libvirt looks for */
    ret = qtest_qmp_assert_success_ref(
        s, "{'execute': 'device-list-properties', "
        "'arguments': {'typename': 'virtio-mem-device'}}");
    {
        JsonArray *props = json_node_get_array(ret);
        bool memdev = false, realized = false;

        for (guint i = 0; i < json_array_get_length(props); i++) {
            const char *n = json_object_get_string_member(
                json_array_get_object_element(props, i), "name");

            memdev |= !strcmp(n, "memdev");
            realized |= !strcmp(n, "realized");
        }
        g_assert_true(memdev);
        g_assert_false(realized);
    }
    json_node_unref(ret);

    ret = qtest_qmp_assert_success_ref(
        s, "{'execute': 'query-command-line-options', "
        "'arguments': {'option': 'memory'}}");
    g_assert_cmpuint(json_array_get_length(json_node_get_array(ret)), ==, 1);
    o = json_array_get_object_element(json_node_get_array(ret), 0);
    g_assert_cmpstr(json_object_get_string_member(o, "option"), ==,
                    "memory");
    g_assert_cmpuint(json_array_get_length(
        json_object_get_array_member(o, "parameters")), ==, 3);
    json_node_unref(ret);

    /* the monitor this test talks to, connected and in use */
    ret = qtest_qmp_assert_success_ref(s, "{'execute': 'query-chardev'}");
    {
        JsonArray *chrs = json_node_get_array(ret);
        bool found = false;

        for (guint i = 0; i < json_array_get_length(chrs); i++) {
            o = json_array_get_object_element(chrs, i);
            if (g_str_has_prefix(json_object_get_string_member(o, "filename"),
                                 "unix:") &&
                json_object_get_boolean_member(o, "frontend-open")) {
                found = true;
            }
        }
        g_assert_true(found);
    }
    json_node_unref(ret);

    /* QEMU's refusals */
    err = qtest_qmp_expect_error(s, "GenericError",
                                 "{'execute': 'query-command-line-options', "
                                 "'arguments': {'option': 'nosuch'}}");
    g_assert_cmpstr(err, ==, "invalid option name: nosuch");
    g_free(err);
    err = qtest_qmp_expect_error(s, "GenericError",
                                 "{'execute': 'query-hotpluggable-cpus'}");
    g_assert_cmpstr(err, ==, "machine does not support hot-plugging CPUs");
    g_free(err);
    err = qtest_qmp_expect_error(s, "DeviceNotFound",
                                 "{'execute': 'device-list-properties', "
                                 "'arguments': {'typename': 'nosuch'}}");
    g_assert_cmpstr(err, ==, "Device 'nosuch' not found");
    g_free(err);
    err = qtest_qmp_expect_error(s, "GenericError",
                                 "{'execute': 'device-list-properties', "
                                 "'arguments': {'typename': 'device'}}");
    g_assert_cmpstr(err, ==, "Parameter 'typename' expects non-abstract "
                    "device type");
    g_free(err);
    err = qtest_qmp_expect_error(s, "DeviceNotFound",
                                 "{'execute': 'qom-list-properties', "
                                 "'arguments': {'typename': 'nosuch'}}");
    g_assert_cmpstr(err, ==, "Class 'nosuch' not found");
    g_free(err);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp-schema/commands", test_commands);
    g_test_add_func("/qmp-schema/libvirt-probe", test_libvirt_probe);
    g_test_add_func("/qmp-schema/events", test_events);
    g_test_add_func("/qmp-schema/probe-commands", test_probe_commands);
    return g_test_run();
}
