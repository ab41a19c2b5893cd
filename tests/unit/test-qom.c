/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-qom.c: the object model: type hierarchy and casts, the tree and
 * canonical paths, partial path resolution and ambiguity, typed
 * properties with QEMU's conversion errors, links, and finalization order.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qom/object.h"
#include "qom/object_interfaces.h"

typedef struct Thing {
    Object parent;
    uint64_t size;
    uint32_t node;
    bool flag;
    char *mode;
    Object *peer;
} Thing;

static const char *const modes[] = { "on", "off", "auto", NULL };
static int finalized;

static void thing_init(Object *obj)
{
    Thing *t = (Thing *)obj;

    t->mode = g_strdup("auto");
    object_property_add_field(obj, "size", "size", PROP_KIND_SIZE,
                              offsetof(Thing, size), 0);
    object_property_add_field(obj, "node", "uint32", PROP_KIND_UINT,
                              offsetof(Thing, node), 0);
    object_property_add_field(obj, "flag", "bool", PROP_KIND_BOOL,
                              offsetof(Thing, flag), 0);
    object_property_add_enum_field(obj, "mode", "OnOffAuto", modes,
                                   offsetof(Thing, mode), 0);
    object_property_add_link(obj, "peer", "thing", offsetof(Thing, peer),
                             NULL, 0);
}

static void thing_finalize(Object *obj)
{
    finalized++;
}

static void register_thing(void)
{
    static const TypeInfo info = {
        .name = "thing",
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Thing),
        .instance_init = thing_init,
        .instance_finalize = thing_finalize,
    };
    static const TypeInfo sub = {
        .name = "sub-thing",
        .parent = "thing",
    };

    type_register_object_types();
    type_register_static(&info);
    type_register_static(&sub);
}

static void test_tree_and_paths(void)
{
    Object *a = object_new("thing"), *b = object_new("sub-thing");
    Object *c = object_new("thing");
    Object *dir = container_get(object_get_root(), "t1/x");
    Object *dir2 = container_get(object_get_root(), "t1/y");
    g_autofree char *path = NULL;
    bool ambiguous;

    object_property_add_child(dir, "a", a);
    object_property_add_child(dir, "b", b);
    object_property_add_child(dir2, "a", c);
    path = object_get_canonical_path(b);
    g_assert_cmpstr(path, ==, "/t1/x/b");
    g_assert_true(object_dynamic_cast(b, "thing") == b);
    g_assert_null(object_dynamic_cast(a, "sub-thing"));

    g_assert_true(object_resolve_path("/t1/x/a", NULL) == a);
    g_assert_true(object_resolve_path("b", &ambiguous) == b);
    g_assert_false(ambiguous);
    g_assert_null(object_resolve_path("a", &ambiguous));
    g_assert_true(ambiguous);
    g_assert_true(object_resolve_path("y/a", &ambiguous) == c);
    g_assert_true(object_resolve_path_type("a", "sub-thing", NULL) == NULL);
    g_assert_null(object_resolve_path("/t1/nope", NULL));

    /* The tree holds the references: dropping ours keeps them alive. */
    object_unref(a);
    object_unref(b);
    object_unref(c);
    finalized = 0;
    object_unparent(a);
    g_assert_cmpint(finalized, ==, 1);
    object_unparent(container_get(object_get_root(), "t1"));
    g_assert_cmpint(finalized, ==, 3);
}

static void test_properties(void)
{
    Object *obj = object_new("thing");
    Thing *t = (Thing *)obj;
    Error *err = NULL;
    PropValue v = { .kind = PROP_KIND_INT, .i = -1 };

    g_assert_true(object_property_parse(obj, "size", "2G", &error_abort));
    g_assert_cmpuint(t->size, ==, 2ULL << 30);
    g_assert_false(object_property_parse(obj, "size", "2Q", &err));
    g_assert_true(g_str_has_prefix(error_get_pretty(err),
                                   "Parameter 'size' expects a non-negative "
                                   "number below 2^64"));
    error_free_or_abort(&err);

    g_assert_false(object_property_parse(obj, "node", "4294967296", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'node' expects uint32");
    error_free_or_abort(&err);
    g_assert_false(object_property_set(obj, "node", &v, &err));
    error_free_or_abort(&err);

    g_assert_false(object_property_set_str(obj, "flag", "on", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'flag', expected: boolean");
    error_free_or_abort(&err);
    g_assert_true(object_property_parse(obj, "flag", "on", &error_abort));
    g_assert_true(t->flag);

    g_assert_false(object_property_parse(obj, "mode", "maybe", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'mode' does not accept value 'maybe'");
    error_free_or_abort(&err);

    g_assert_false(object_property_parse(obj, "nope", "1", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Property 'thing.nope' not found");
    error_free_or_abort(&err);
    object_unref(obj);
}

static void test_links(void)
{
    Object *a = object_new("thing"), *b = object_new("thing");
    Object *dir = container_get(object_get_root(), "t2");
    Error *err = NULL;
    g_autofree char *path = NULL;

    object_property_add_child(dir, "peer-target", b);
    g_assert_true(object_property_set_str(a, "peer", "peer-target",
                                          &error_abort));
    g_assert_true(((Thing *)a)->peer == b);
    path = object_property_print(a, "peer", &error_abort);
    g_assert_cmpstr(path, ==, "/t2/peer-target");
    g_assert_false(object_property_set_str(a, "peer", "missing", &err));
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_DEVICE_NOT_FOUND);
    error_free_or_abort(&err);
    /* The link holds a reference. */
    object_unref(b);
    finalized = 0;
    object_unparent(dir);
    g_assert_cmpint(finalized, ==, 0);
    object_unref(a);
    g_assert_cmpint(finalized, ==, 2);
}

static void test_ids(void)
{
    g_assert_true(id_wellformed("mem0"));
    g_assert_true(id_wellformed("a-b.c_d"));
    g_assert_false(id_wellformed("0mem"));
    g_assert_false(id_wellformed("a b"));
    g_assert_false(id_wellformed(""));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    register_thing();
    g_test_add_func("/qom/tree-and-paths", test_tree_and_paths);
    g_test_add_func("/qom/properties", test_properties);
    g_test_add_func("/qom/links", test_links);
    g_test_add_func("/qom/ids", test_ids);
    return g_test_run();
}
