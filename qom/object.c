/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * object.c: types, instances, the composition tree, properties and path
 * resolution (see include/qom/object.h for the model).
 *
 * Classes are built eagerly at registration: a type's parent must already
 * be registered, its class struct starts as a copy of the parent's, then
 * class_init runs.  That makes registration order explicit and keeps
 * lookups free of locking (all of it happens before the main loop starts).
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/error.h"
#include "qom/object.h"

struct TypeImpl {
    TypeInfo info;
    TypeImpl *parent;
    ObjectClass *klass;
    size_t instance_size;
    size_t class_size;
};

static GHashTable *type_table;     /* name -> TypeImpl */
static GPtrArray *type_order;      /* TypeImpl in registration order */
static Object *root;
/* The checks of OBJ_PROP_FLAG_BEFORE_REALIZE fields; all must agree. */
#define MAX_FIELD_SETTABLE_CHECKS 4
static ObjectFieldSettableCheck *field_settable_checks[MAX_FIELD_SETTABLE_CHECKS];

/* ------------------------------------------------------------------ types */

static TypeImpl *type_get_by_name(const char *name)
{
    return type_table && name ? g_hash_table_lookup(type_table, name) : NULL;
}

void type_register_static(const TypeInfo *info)
{
    TypeImpl *ti;

    if (!type_table) {
        type_table = g_hash_table_new(g_str_hash, g_str_equal);
        type_order = g_ptr_array_new();
    }
    assert(!g_hash_table_contains(type_table, info->name));
    ti = g_new0(TypeImpl, 1);
    ti->info = *info;
    if (info->parent) {
        ti->parent = type_get_by_name(info->parent);
        assert(ti->parent);     /* parents register first */
    }
    ti->instance_size = info->instance_size ? info->instance_size
        : (ti->parent ? ti->parent->instance_size : sizeof(Object));
    ti->class_size = info->class_size ? info->class_size
        : (ti->parent ? ti->parent->class_size : sizeof(ObjectClass));
    assert(ti->instance_size >= sizeof(Object));
    assert(!ti->parent || ti->instance_size >= ti->parent->instance_size);
    assert(!ti->parent || ti->class_size >= ti->parent->class_size);

    ti->klass = g_malloc0(ti->class_size);
    if (ti->parent) {
        memcpy(ti->klass, ti->parent->klass, ti->parent->class_size);
    }
    ti->klass->type = ti;
    if (info->class_init) {
        info->class_init(ti->klass);
    }
    g_hash_table_insert(type_table, (gpointer)info->name, ti);
    g_ptr_array_add(type_order, ti);
}

void type_register_object_types(void)
{
    static const TypeInfo object_info = {
        .name = TYPE_OBJECT,
        .instance_size = sizeof(Object),
        .class_size = sizeof(ObjectClass),
        .abstract = true,
    };
    static const TypeInfo container_info = {
        .name = "container",
        .parent = TYPE_OBJECT,
    };

    if (!type_get_by_name(TYPE_OBJECT)) {
        type_register_static(&object_info);
        type_register_static(&container_info);
    }
}

ObjectClass *object_class_by_name(const char *typename)
{
    TypeImpl *ti = type_get_by_name(typename);

    return ti ? ti->klass : NULL;
}

const char *object_class_get_name(const ObjectClass *klass)
{
    return klass->type->info.name;
}

ObjectClass *object_class_get_parent(const ObjectClass *klass)
{
    return klass->type->parent ? klass->type->parent->klass : NULL;
}

bool object_class_is_abstract(const ObjectClass *klass)
{
    return klass->type->info.abstract;
}

static bool type_is_ancestor(TypeImpl *ti, TypeImpl *ancestor)
{
    for (; ti; ti = ti->parent) {
        if (ti == ancestor) {
            return true;
        }
    }
    return false;
}

ObjectClass *object_class_dynamic_cast(ObjectClass *klass,
                                       const char *typename)
{
    TypeImpl *target = type_get_by_name(typename);

    if (!klass || !target) {
        return NULL;
    }
    return type_is_ancestor(klass->type, target) ? klass : NULL;
}

GSList *object_class_get_list(const char *implements_type,
                              bool include_abstract)
{
    GSList *list = NULL;

    for (guint i = 0; type_order && i < type_order->len; i++) {
        TypeImpl *ti = type_order->pdata[i];

        if (!include_abstract && ti->info.abstract) {
            continue;
        }
        if (implements_type &&
            !object_class_dynamic_cast(ti->klass, implements_type)) {
            continue;
        }
        list = g_slist_append(list, ti->klass);
    }
    return list;
}

/* -------------------------------------------------------------- instances */

static void object_init_with_type(Object *obj, TypeImpl *ti)
{
    if (ti->parent) {
        object_init_with_type(obj, ti->parent);
    }
    if (ti->info.instance_init) {
        ti->info.instance_init(obj);
    }
}

static void property_free(gpointer data)
{
    ObjectProperty *prop = data;

    g_free(prop->name);
    g_free(prop->type);
    g_free(prop->description);
    g_free(prop);
}

Object *object_new(const char *typename)
{
    TypeImpl *ti = type_get_by_name(typename);
    Object *obj;

    assert(ti && !ti->info.abstract);
    obj = g_malloc0(ti->instance_size);
    obj->klass = ti->klass;
    obj->ref = 1;
    obj->properties = g_ptr_array_new_with_free_func(property_free);
    obj->prop_index = g_hash_table_new(g_str_hash, g_str_equal);
    object_init_with_type(obj, ti);
    return obj;
}

const char *object_get_typename(const Object *obj)
{
    return obj->klass->type->info.name;
}

Object *object_dynamic_cast(Object *obj, const char *typename)
{
    if (obj && object_class_dynamic_cast(obj->klass, typename)) {
        return obj;
    }
    return NULL;
}

Object *object_dynamic_cast_assert(Object *obj, const char *typename)
{
    Object *res = object_dynamic_cast(obj, typename);

    if (!res) {
        fprintf(stderr, "object %p (%s) is not a %s\n", (void *)obj,
                obj ? object_get_typename(obj) : "NULL", typename);
        abort();
    }
    return res;
}

void object_ref(Object *obj)
{
    if (obj) {
        obj->ref++;
    }
}

static void object_property_steal(Object *obj, ObjectProperty *prop);

static void object_finalize(Object *obj)
{
    /* Release properties last-added first: children, links, fields. */
    while (obj->properties->len) {
        ObjectProperty *prop =
            obj->properties->pdata[obj->properties->len - 1];

        object_property_steal(obj, prop);
        if (prop->release) {
            prop->release(obj, prop);
        }
        property_free(prop);
    }
    for (TypeImpl *ti = obj->klass->type; ti; ti = ti->parent) {
        if (ti->info.instance_finalize) {
            ti->info.instance_finalize(obj);
        }
    }
    g_ptr_array_free(obj->properties, true);
    g_hash_table_destroy(obj->prop_index);
    g_free(obj->child_name);
    g_free(obj);
}

void object_unref(Object *obj)
{
    if (!obj) {
        return;
    }
    assert(obj->ref > 0);
    if (--obj->ref == 0) {
        object_finalize(obj);
    }
}

/* ------------------------------------------------------------------- tree */

Object *object_get_root(void)
{
    if (!root) {
        type_register_object_types();
        root = object_new("container");
    }
    return root;
}

Object *container_get(Object *parent, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", -1);
    Object *obj = parent;

    for (char **p = parts; *p; p++) {
        ObjectProperty *prop;
        Object *child;

        if (!**p) {
            continue;
        }
        prop = object_property_find(obj, *p);
        if (prop && prop->kind == PROP_KIND_CHILD) {
            obj = prop->opaque;
            continue;
        }
        child = object_new("container");
        object_property_add_child(obj, *p, child);
        object_unref(child);
        obj = child;
    }
    return obj;
}

Object *object_get_container(const char *name)
{
    return container_get(object_get_root(), name);
}

Object *object_get_objects_root(void)
{
    return object_get_container("objects");
}

static bool child_get(Object *obj, ObjectProperty *prop, PropValue *v,
                      Error **errp)
{
    v->s = object_get_canonical_path(prop->opaque);
    return true;
}

static void child_release(Object *obj, ObjectProperty *prop)
{
    Object *child = prop->opaque;

    child->parent = NULL;
    g_clear_pointer(&child->child_name, g_free);
    object_unref(child);
}

bool object_property_try_add_child(Object *obj, const char *name,
                                   Object *child, Error **errp)
{
    g_autofree char *type = NULL;

    assert(!child->parent);
    if (object_property_find(obj, name)) {
        error_setg(errp, "attempt to add duplicate property '%s' to object "
                   "(type '%s')", name, object_get_typename(obj));
        return false;
    }
    type = g_strdup_printf("child<%s>", object_get_typename(child));
    object_property_add(obj, name, type, PROP_KIND_CHILD, child_get, NULL,
                        child_release, child);
    object_ref(child);
    child->parent = obj;
    child->child_name = g_strdup(name);
    return true;
}

void object_property_add_child(Object *obj, const char *name, Object *child)
{
    object_property_try_add_child(obj, name, child, &error_abort);
}

/* Detach @prop from @obj without freeing it. */
static void object_property_steal(Object *obj, ObjectProperty *prop)
{
    guint idx;

    g_hash_table_remove(obj->prop_index, prop->name);
    if (g_ptr_array_find(obj->properties, prop, &idx)) {
        g_ptr_array_steal_index(obj->properties, idx);
    }
}

void object_unparent(Object *obj)
{
    Object *parent = obj->parent;
    ObjectProperty *prop;

    if (!parent) {
        return;
    }
    if (obj->klass->unparent) {
        obj->klass->unparent(obj);
    }
    prop = object_property_find(parent, obj->child_name);
    assert(prop && prop->opaque == obj);
    object_property_steal(parent, prop);
    child_release(parent, prop);
    property_free(prop);
}

const char *object_get_canonical_path_component(const Object *obj)
{
    return obj->child_name;
}

char *object_get_canonical_path(const Object *obj)
{
    GString *path = g_string_new("");

    if (obj == root) {
        g_string_free(path, true);
        return g_strdup("/");
    }
    for (; obj && obj->parent; obj = obj->parent) {
        g_string_prepend(path, obj->child_name);
        g_string_prepend_c(path, '/');
    }
    if (obj != root) {
        /* Not (yet) in the tree. */
        g_string_free(path, true);
        return NULL;
    }
    return g_string_free(path, false);
}

int object_child_foreach(Object *obj, int (*fn)(Object *child, void *opaque),
                         void *opaque)
{
    for (guint i = 0; i < obj->properties->len; i++) {
        ObjectProperty *prop = obj->properties->pdata[i];
        int ret;

        if (prop->kind != PROP_KIND_CHILD) {
            continue;
        }
        ret = fn(prop->opaque, opaque);
        if (ret) {
            return ret;
        }
    }
    return 0;
}

typedef struct RecurseData {
    int (*fn)(Object *child, void *opaque);
    void *opaque;
} RecurseData;

static int child_foreach_recursive(Object *child, void *opaque)
{
    RecurseData *d = opaque;
    int ret = d->fn(child, d->opaque);

    if (ret) {
        return ret;
    }
    return object_child_foreach(child, child_foreach_recursive, d);
}

int object_child_foreach_recursive(Object *obj,
                                   int (*fn)(Object *child, void *opaque),
                                   void *opaque)
{
    RecurseData d = { fn, opaque };

    return object_child_foreach(obj, child_foreach_recursive, &d);
}

static Object *resolve_absolute(char **parts, const char *typename)
{
    Object *obj = object_get_root();

    for (char **p = parts; *p; p++) {
        ObjectProperty *prop;

        if (!**p) {
            continue;
        }
        prop = object_property_find(obj, *p);
        if (!prop) {
            return NULL;
        }
        if (prop->kind == PROP_KIND_CHILD) {
            obj = prop->opaque;
        } else if (prop->kind == PROP_KIND_LINK) {
            obj = *(Object **)object_field_ptr(obj, prop->field_offset);
            if (!obj) {
                return NULL;
            }
        } else {
            return NULL;
        }
    }
    return typename ? object_dynamic_cast(obj, typename) : obj;
}

typedef struct PartialMatch {
    char **parts;
    guint nparts;
    const char *typename;
    Object *found;
    unsigned count;
} PartialMatch;

static bool path_tail_matches(Object *obj, char **parts, guint nparts)
{
    for (guint i = nparts; i-- > 0;) {
        if (!obj || !obj->child_name || strcmp(obj->child_name, parts[i])) {
            return false;
        }
        obj = obj->parent;
    }
    return true;
}

static int partial_match_one(Object *obj, void *opaque)
{
    PartialMatch *m = opaque;

    if (path_tail_matches(obj, m->parts, m->nparts) &&
        (!m->typename || object_dynamic_cast(obj, m->typename))) {
        if (m->found != obj) {
            m->count++;
        }
        m->found = obj;
    }
    return 0;
}

Object *object_resolve_path_type(const char *path, const char *typename,
                                 bool *ambiguous)
{
    g_auto(GStrv) parts = NULL;
    PartialMatch m = { 0 };

    if (ambiguous) {
        *ambiguous = false;
    }
    if (!path || !*path) {
        return NULL;
    }
    parts = g_strsplit(path, "/", -1);
    if (path[0] == '/') {
        return resolve_absolute(parts, typename);
    }
    m.parts = parts;
    m.nparts = g_strv_length(parts);
    for (guint i = 0; i < m.nparts; i++) {
        if (!parts[i][0]) {
            return NULL;
        }
    }
    m.typename = typename;
    object_child_foreach_recursive(object_get_root(), partial_match_one, &m);
    if (m.count > 1) {
        if (ambiguous) {
            *ambiguous = true;
        }
        return NULL;
    }
    return m.found;
}

Object *object_resolve_path(const char *path, bool *ambiguous)
{
    return object_resolve_path_type(path, NULL, ambiguous);
}

/* ------------------------------------------------------------- properties */

ObjectProperty *object_property_add(Object *obj, const char *name,
                                    const char *type, PropKind kind,
                                    ObjectPropertyGet *get,
                                    ObjectPropertySet *set,
                                    ObjectPropertyRelease *release,
                                    void *opaque)
{
    ObjectProperty *prop = g_new0(ObjectProperty, 1);

    assert(!object_property_find(obj, name));
    prop->name = g_strdup(name);
    prop->type = g_strdup(type);
    prop->kind = kind;
    prop->max = UINT64_MAX;
    prop->get = get;
    prop->set = set;
    prop->release = release;
    prop->opaque = opaque;
    g_ptr_array_add(obj->properties, prop);
    g_hash_table_insert(obj->prop_index, prop->name, prop);
    return prop;
}

static gint prop_name_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp((*(ObjectProperty *const *)a)->name,
                  (*(ObjectProperty *const *)b)->name);
}

/* QEMU's layout: sorted by name, descriptions from column 24 on. */
void object_print_settable_properties(Object *obj, const char *type)
{
    g_autoptr(GPtrArray) props = g_ptr_array_new();

    for (guint i = 0; i < obj->properties->len; i++) {
        ObjectProperty *prop = obj->properties->pdata[i];

        if (prop->set) {
            g_ptr_array_add(props, prop);
        }
    }
    g_ptr_array_sort(props, prop_name_cmp);
    printf("%s options:\n", type);
    for (guint i = 0; i < props->len; i++) {
        ObjectProperty *prop = props->pdata[i];
        g_autofree char *head = g_strdup_printf("  %s=<%s>", prop->name,
                                                prop->type);

        if (prop->description) {
            printf("%-24s - %s\n", head, prop->description);
        } else {
            printf("%s\n", head);
        }
    }
}

ObjectProperty *object_property_find(Object *obj, const char *name)
{
    return g_hash_table_lookup(obj->prop_index, name);
}

void object_property_set_description(ObjectProperty *prop, const char *desc)
{
    g_free(prop->description);
    prop->description = g_strdup(desc);
}

void object_add_field_settable_check(ObjectFieldSettableCheck *check)
{
    for (unsigned i = 0; i < MAX_FIELD_SETTABLE_CHECKS; i++) {
        if (field_settable_checks[i] == check) {
            return;
        }
        if (!field_settable_checks[i]) {
            field_settable_checks[i] = check;
            return;
        }
    }
    g_assert_not_reached();     /* a caller bug: raise the maximum */
}

static bool field_settable(Object *obj, ObjectProperty *prop, Error **errp)
{
    if (!(prop->flags & OBJ_PROP_FLAG_BEFORE_REALIZE)) {
        return true;
    }
    for (unsigned i = 0; i < MAX_FIELD_SETTABLE_CHECKS &&
         field_settable_checks[i]; i++) {
        if (!field_settable_checks[i](obj, prop->name, errp)) {
            return false;
        }
    }
    return true;
}

static size_t field_width(const ObjectProperty *prop)
{
    if (!strcmp(prop->type, "uint8")) {
        return 1;
    }
    if (!strcmp(prop->type, "uint16")) {
        return 2;
    }
    if (!strcmp(prop->type, "uint32")) {
        return 4;
    }
    return 8;
}

bool object_field_prop_get(Object *obj, ObjectProperty *prop, PropValue *v,
                           Error **errp)
{
    void *ptr = object_field_ptr(obj, prop->field_offset);

    switch (prop->kind) {
    case PROP_KIND_BOOL:
        v->b = *(bool *)ptr;
        break;
    case PROP_KIND_INT:
        v->i = *(int64_t *)ptr;
        break;
    case PROP_KIND_UINT:
    case PROP_KIND_SIZE:
        switch (field_width(prop)) {
        case 1:
            v->u = *(uint8_t *)ptr;
            break;
        case 2:
            v->u = *(uint16_t *)ptr;
            break;
        case 4:
            v->u = *(uint32_t *)ptr;
            break;
        default:
            v->u = *(uint64_t *)ptr;
        }
        break;
    case PROP_KIND_STR:
    case PROP_KIND_ENUM:
        v->s = g_strdup(*(char **)ptr ? *(char **)ptr : "");
        break;
    default:
        g_assert_not_reached();
    }
    return true;
}

bool object_field_prop_set(Object *obj, ObjectProperty *prop,
                           const PropValue *v, Error **errp)
{
    void *ptr = object_field_ptr(obj, prop->field_offset);

    if (!field_settable(obj, prop, errp)) {
        return false;
    }
    switch (prop->kind) {
    case PROP_KIND_BOOL:
        *(bool *)ptr = v->b;
        break;
    case PROP_KIND_INT:
        *(int64_t *)ptr = v->i;
        break;
    case PROP_KIND_UINT:
    case PROP_KIND_SIZE:
        switch (field_width(prop)) {
        case 1:
            *(uint8_t *)ptr = v->u;
            break;
        case 2:
            *(uint16_t *)ptr = v->u;
            break;
        case 4:
            *(uint32_t *)ptr = v->u;
            break;
        default:
            *(uint64_t *)ptr = v->u;
        }
        break;
    case PROP_KIND_STR:
    case PROP_KIND_ENUM:
        g_free(*(char **)ptr);
        *(char **)ptr = g_strdup(v->s);
        break;
    default:
        g_assert_not_reached();
    }
    return true;
}

static void field_release(Object *obj, ObjectProperty *prop)
{
    if (prop->kind == PROP_KIND_STR || prop->kind == PROP_KIND_ENUM) {
        g_clear_pointer((char **)object_field_ptr(obj, prop->field_offset),
                        g_free);
    }
}

ObjectProperty *object_property_add_field(Object *obj, const char *name,
                                          const char *type, PropKind kind,
                                          size_t offset, uint32_t flags)
{
    ObjectProperty *prop = object_property_add(obj, name, type, kind,
                                               object_field_prop_get, object_field_prop_set,
                                               field_release, NULL);

    prop->field_offset = offset;
    prop->flags = flags;
    if (kind == PROP_KIND_UINT) {
        size_t w = field_width(prop);

        prop->max = w == 8 ? UINT64_MAX : (UINT64_C(1) << (8 * w)) - 1;
    }
    return prop;
}

ObjectProperty *object_property_add_enum_field(Object *obj, const char *name,
                                               const char *type,
                                               const char *const *values,
                                               size_t offset, uint32_t flags)
{
    ObjectProperty *prop = object_property_add_field(obj, name, type,
                                                     PROP_KIND_ENUM, offset,
                                                     flags);

    prop->enum_values = values;
    return prop;
}

typedef struct LinkInfo {
    char *target_type;
    bool (*check)(Object *obj, const char *name, Object *target,
                  Error **errp);
} LinkInfo;

static bool link_get(Object *obj, ObjectProperty *prop, PropValue *v,
                     Error **errp)
{
    Object *target = *(Object **)object_field_ptr(obj, prop->field_offset);
    char *path = target ? object_get_canonical_path(target) : NULL;

    v->s = path ? path : g_strdup("");
    return true;
}

static bool link_set(Object *obj, ObjectProperty *prop, const PropValue *v,
                     Error **errp)
{
    LinkInfo *info = prop->opaque;
    Object **field = object_field_ptr(obj, prop->field_offset);
    Object *target = NULL;

    if (!field_settable(obj, prop, errp)) {
        return false;
    }
    if (v->s && *v->s) {
        bool ambiguous;

        target = object_resolve_path_type(v->s, info->target_type,
                                          &ambiguous);
        if (!target) {
            if (ambiguous) {
                error_setg(errp, "Path '%s' does not uniquely identify an "
                           "object", v->s);
            } else if (object_resolve_path(v->s, NULL)) {
                error_setg(errp, "Invalid parameter type for '%s', "
                           "expected: %s", prop->name, info->target_type);
            } else {
                error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                          "Device '%s' not found", v->s);
            }
            return false;
        }
    }
    if (target && info->check && !info->check(obj, prop->name, target,
                                              errp)) {
        return false;
    }
    object_ref(target);
    object_unref(*field);
    *field = target;
    return true;
}

static void link_release(Object *obj, ObjectProperty *prop)
{
    LinkInfo *info = prop->opaque;
    Object **field = object_field_ptr(obj, prop->field_offset);

    g_clear_pointer(field, object_unref);
    g_free(info->target_type);
    g_free(info);
}

ObjectProperty *object_property_add_link(Object *obj, const char *name,
                                         const char *target_type,
                                         size_t offset,
                                         bool (*check)(Object *obj,
                                                       const char *name,
                                                       Object *target,
                                                       Error **errp),
                                         uint32_t flags)
{
    LinkInfo *info = g_new0(LinkInfo, 1);
    g_autofree char *type = g_strdup_printf("link<%s>", target_type);
    ObjectProperty *prop;

    info->target_type = g_strdup(target_type);
    info->check = check;
    prop = object_property_add(obj, name, type, PROP_KIND_LINK, link_get,
                               link_set, link_release, info);
    prop->field_offset = offset;
    prop->flags = flags;
    return prop;
}

void prop_value_clear(PropValue *v)
{
    g_free(v->s);
    memset(v, 0, sizeof(*v));
}

const char *prop_kind_expected(PropKind kind)
{
    switch (kind) {
    case PROP_KIND_BOOL:
        return "boolean";
    case PROP_KIND_INT:
    case PROP_KIND_UINT:
    case PROP_KIND_SIZE:
        return "integer";
    default:
        return "string";
    }
}

static ObjectProperty *find_or_error(Object *obj, const char *name,
                                     Error **errp)
{
    ObjectProperty *prop = object_property_find(obj, name);

    if (!prop) {
        error_setg(errp, "Property '%s.%s' not found",
                   object_get_typename(obj), name);
    }
    return prop;
}

bool object_property_get(Object *obj, const char *name, PropValue *v,
                         Error **errp)
{
    ObjectProperty *prop = find_or_error(obj, name, errp);

    memset(v, 0, sizeof(*v));
    if (!prop) {
        return false;
    }
    if (!prop->get) {
        error_setg(errp, "Property '%s.%s' is not readable",
                   object_get_typename(obj), name);
        return false;
    }
    v->kind = prop->kind;
    if (!prop->get(obj, prop, v, errp)) {
        prop_value_clear(v);
        return false;
    }
    return true;
}

/* Convert @in to @prop's kind in @out, with QEMU's error messages. */
static bool prop_value_convert(ObjectProperty *prop, const PropValue *in,
                               PropValue *out, Error **errp)
{
    bool is_int_in = in->kind == PROP_KIND_INT || in->kind == PROP_KIND_UINT ||
                     in->kind == PROP_KIND_SIZE;
    bool is_str_in = in->kind == PROP_KIND_STR || in->kind == PROP_KIND_ENUM ||
                     in->kind == PROP_KIND_LINK;

    memset(out, 0, sizeof(*out));
    out->kind = prop->kind;
    switch (prop->kind) {
    case PROP_KIND_BOOL:
        if (in->kind != PROP_KIND_BOOL) {
            goto type_error;
        }
        out->b = in->b;
        return true;
    case PROP_KIND_INT:
        if (!is_int_in) {
            goto type_error;
        }
        if (in->kind != PROP_KIND_INT && in->u > INT64_MAX) {
            error_setg(errp, "Parameter '%s' expects int64", prop->name);
            return false;
        }
        out->i = in->kind == PROP_KIND_INT ? in->i : (int64_t)in->u;
        return true;
    case PROP_KIND_UINT:
    case PROP_KIND_SIZE:
        if (!is_int_in) {
            goto type_error;
        }
        if (in->kind == PROP_KIND_INT && in->i < 0) {
            error_setg(errp, "Parameter '%s' expects %s", prop->name,
                       prop->kind == PROP_KIND_SIZE ? "size" : prop->type);
            return false;
        }
        out->u = in->kind == PROP_KIND_INT ? (uint64_t)in->i : in->u;
        if (out->u > prop->max) {
            error_setg(errp, "Parameter '%s' expects %s", prop->name,
                       prop->type);
            return false;
        }
        return true;
    case PROP_KIND_STR:
    case PROP_KIND_LINK:
    case PROP_KIND_ENUM:
        if (!is_str_in) {
            goto type_error;
        }
        if (prop->kind == PROP_KIND_ENUM && prop->enum_values &&
            !g_strv_contains(prop->enum_values, in->s ? in->s : "")) {
            error_setg(errp, "Parameter '%s' does not accept value '%s'",
                       prop->name, in->s ? in->s : "");
            return false;
        }
        out->s = g_strdup(in->s ? in->s : "");
        return true;
    case PROP_KIND_CHILD:
        error_setg(errp, "Property '%s' is read-only", prop->name);
        return false;
    }
type_error:
    error_setg(errp, "Invalid parameter type for '%s', expected: %s",
               prop->name, prop_kind_expected(prop->kind));
    return false;
}

bool object_property_set(Object *obj, const char *name, const PropValue *v,
                         Error **errp)
{
    ObjectProperty *prop = find_or_error(obj, name, errp);
    PropValue conv;
    bool ok;

    if (!prop) {
        return false;
    }
    if (!prop->set) {
        error_setg(errp, "Property '%s.%s' is read-only",
                   object_get_typename(obj), name);
        return false;
    }
    if (!prop_value_convert(prop, v, &conv, errp)) {
        return false;
    }
    ok = prop->set(obj, prop, &conv, errp);
    prop_value_clear(&conv);
    return ok;
}

bool object_property_parse(Object *obj, const char *name, const char *str,
                           Error **errp)
{
    ObjectProperty *prop = find_or_error(obj, name, errp);
    PropValue v = { 0 };
    bool ok;

    if (!prop) {
        return false;
    }
    v.kind = prop->kind;
    switch (prop->kind) {
    case PROP_KIND_BOOL:
        if (!qemu_parse_bool(str, &v.b)) {
            error_setg(errp, "Parameter '%s' expects 'on' or 'off'", name);
            return false;
        }
        break;
    case PROP_KIND_INT:
        if (qemu_strtoi64(str, NULL, 0, &v.i)) {
            error_setg(errp, "Parameter '%s' expects int64", name);
            return false;
        }
        break;
    case PROP_KIND_UINT:
        if (qemu_strtou64(str, NULL, 0, &v.u)) {
            error_setg(errp, "Parameter '%s' expects %s", name, prop->type);
            return false;
        }
        break;
    case PROP_KIND_SIZE:
        if (qemu_strtosz(str, NULL, &v.u)) {
            error_setg(errp, "Parameter '%s' expects a non-negative number "
                       "below 2^64", name);
            error_append_hint(errp, QEMU_SIZE_SUFFIX_HINT);
            return false;
        }
        break;
    default:
        v.kind = PROP_KIND_STR;
        v.s = (char *)str;
        ok = object_property_set(obj, name, &v, errp);
        return ok;
    }
    return object_property_set(obj, name, &v, errp);
}

char *object_property_print(Object *obj, const char *name, Error **errp)
{
    PropValue v;
    char *str;

    if (!object_property_get(obj, name, &v, errp)) {
        return NULL;
    }
    switch (v.kind) {
    case PROP_KIND_BOOL:
        str = g_strdup(v.b ? "on" : "off");
        break;
    case PROP_KIND_INT:
        str = g_strdup_printf("%" PRId64, v.i);
        break;
    case PROP_KIND_UINT:
    case PROP_KIND_SIZE:
        str = g_strdup_printf("%" PRIu64, v.u);
        break;
    default:
        str = g_strdup(v.s);
    }
    prop_value_clear(&v);
    return str;
}

bool object_property_set_bool(Object *obj, const char *name, bool value,
                              Error **errp)
{
    PropValue v = { .kind = PROP_KIND_BOOL, .b = value };

    return object_property_set(obj, name, &v, errp);
}

bool object_property_set_uint(Object *obj, const char *name, uint64_t value,
                              Error **errp)
{
    PropValue v = { .kind = PROP_KIND_UINT, .u = value };

    return object_property_set(obj, name, &v, errp);
}

bool object_property_set_str(Object *obj, const char *name,
                             const char *value, Error **errp)
{
    PropValue v = { .kind = PROP_KIND_STR, .s = (char *)value };

    return object_property_set(obj, name, &v, errp);
}

bool object_property_get_bool(Object *obj, const char *name, Error **errp)
{
    PropValue v;
    bool b = false;

    if (object_property_get(obj, name, &v, errp)) {
        b = v.b;
        prop_value_clear(&v);
    }
    return b;
}

uint64_t object_property_get_uint(Object *obj, const char *name,
                                  Error **errp)
{
    PropValue v;
    uint64_t u = 0;

    if (object_property_get(obj, name, &v, errp)) {
        u = v.kind == PROP_KIND_INT ? (uint64_t)v.i : v.u;
        prop_value_clear(&v);
    }
    return u;
}
