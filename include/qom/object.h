/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * object.h: a small object model in the shape of QEMU's QOM.
 *
 * What users see of it is QEMU's: objects live in a tree ("/machine",
 * "/objects/mem0", "/machine/peripheral/vm0"), have typed properties that
 * the command line (`-object`, `-device`) sets from strings and QMP
 * (`qom-get`, `qom-set`, `qom-list`) reads and writes as JSON, and paths
 * resolve absolutely or by unique partial match.
 *
 * What it leaves out: interfaces (a class struct holds every method),
 * dynamic type loading, and visitors.  Property values travel as PropValue,
 * a tagged union of the scalar kinds we need, so that this layer does not
 * depend on the JSON library; monitor/ converts PropValue to and from JSON.
 *
 * Types are registered explicitly at start-up (type_register_static from
 * each subsystem's *_register_types(), called in a fixed order from
 * softmmu/), never by constructors.
 *
 * Lifetime: object_new() returns a reference owned by the caller.  Adding
 * an object as a child takes a reference owned by the parent; unparenting
 * drops it.  When the last reference goes, instance_finalize runs from the
 * most derived type up, then the properties' release hooks, then the
 * memory is freed.
 */
#ifndef QOM_OBJECT_H
#define QOM_OBJECT_H

#include "qemu/queue.h"

#define TYPE_OBJECT "object"

typedef struct TypeImpl TypeImpl;

/**
 * struct TypeInfo: the static description of a type.
 * @name: type name ("memory-backend-memfd").
 * @parent: parent type name; NULL only for TYPE_OBJECT.
 * @instance_size: size of the instance struct (0: parent's).
 * @class_size: size of the class struct (0: parent's).
 * @class_init: fills in the class after the parent's class was copied in.
 * @instance_init: runs after the parents' instance_init, on zeroed memory.
 * @instance_finalize: runs before the parents' instance_finalize.
 * @abstract: object_new() refuses abstract types.
 */
typedef struct TypeInfo {
    const char *name;
    const char *parent;
    size_t instance_size;
    size_t class_size;
    void (*class_init)(ObjectClass *klass);
    void (*instance_init)(Object *obj);
    void (*instance_finalize)(Object *obj);
    bool abstract;
} TypeInfo;

/**
 * struct ObjectClass: base of every class struct.
 * @type: the type this class belongs to.
 * @complete: for types created with -object: runs after all properties
 *            were set (QEMU's UserCreatable complete); may fail.
 * @user_creatable: -object accepts this type.
 * @can_be_deleted: object-del may remove it now (NULL: always); QEMU's
 *            UserCreatable can_be_deleted.
 * @unparent: detach from the tree (devices unrealize here).
 */
struct ObjectClass {
    TypeImpl *type;
    bool (*complete)(Object *obj, Error **errp);
    bool user_creatable;
    bool (*can_be_deleted)(Object *obj);
    void (*unparent)(Object *obj);
};

/** The kinds of value a property holds. */
typedef enum PropKind {
    PROP_KIND_BOOL,
    PROP_KIND_INT,      /* int64_t, .i */
    PROP_KIND_UINT,     /* uint64_t, .u; bounded by ObjectProperty.max */
    PROP_KIND_SIZE,     /* uint64_t, .u; strings parse with size suffixes */
    PROP_KIND_STR,      /* char *, .s */
    PROP_KIND_ENUM,     /* char *, .s; one of ObjectProperty.enum_values */
    PROP_KIND_LINK,     /* char *, .s; canonical path of the target, "" */
    PROP_KIND_CHILD,    /* char *, .s; canonical path of the child */
} PropKind;

/**
 * struct PropValue: a property value in transit.
 * @kind: which member is valid.
 * @s: owned by the PropValue; release with prop_value_clear().
 */
typedef struct PropValue {
    PropKind kind;
    bool b;
    int64_t i;
    uint64_t u;
    char *s;
} PropValue;

typedef struct ObjectProperty ObjectProperty;

/**
 * ObjectPropertyGet: fill @v (its kind is preset to the property's kind).
 * Returns: false with @errp set on failure.
 */
typedef bool ObjectPropertyGet(Object *obj, ObjectProperty *prop,
                               PropValue *v, Error **errp);
/**
 * ObjectPropertySet: store @v, already converted to the property's kind
 * and range-checked against @prop->max / @prop->enum_values.
 */
typedef bool ObjectPropertySet(Object *obj, ObjectProperty *prop,
                               const PropValue *v, Error **errp);
typedef void ObjectPropertyRelease(Object *obj, ObjectProperty *prop);

/**
 * struct ObjectProperty: one named property of an object.
 * @type: the QOM type string qom-list shows ("bool", "size", "uint32",
 *        "str", "OnOffAuto", "link<memory-backend>", "child<machine>").
 * @max: upper bound for PROP_KIND_UINT (e.g. UINT32_MAX for "uint32").
 * @enum_values: NULL-terminated accepted strings for PROP_KIND_ENUM.
 * @get/@set: NULL makes the property write-only/read-only.
 * @opaque: for the accessors (field pointer for field properties, the
 *          child or link target for child<>/link<> properties).
 */
struct ObjectProperty {
    char *name;
    char *type;
    char *description;
    PropKind kind;
    uint64_t max;
    const char *const *enum_values;
    ObjectPropertyGet *get;
    ObjectPropertySet *set;
    ObjectPropertyRelease *release;
    void *opaque;
    size_t field_offset;    /* field properties: offset of the field */
    uint32_t flags;         /* OBJ_PROP_FLAG_* */
};

/* Field properties: refuse to be set once the device is realized. */
#define OBJ_PROP_FLAG_BEFORE_REALIZE (1u << 0)

/**
 * struct Object: base of every instance.
 * @klass: the class; never NULL.
 * @properties: ObjectProperty pointers in insertion order (qom-list order).
 * @parent: the parent in the composition tree, or NULL.
 * @child_name: name under the parent, or NULL.
 * @ref: reference count.
 */
struct Object {
    ObjectClass *klass;
    GPtrArray *properties;
    GHashTable *prop_index;
    Object *parent;
    char *child_name;
    unsigned ref;
};

#define OBJECT(obj) ((Object *)(obj))
#define OBJECT_CLASS(klass) ((ObjectClass *)(klass))

/** type_register_static: register @info; its parent must exist. */
void type_register_static(const TypeInfo *info);
/** type_register_object_types: register TYPE_OBJECT (once, first). */
void type_register_object_types(void);

/** object_class_by_name: the class of @typename, or NULL if unknown. */
ObjectClass *object_class_by_name(const char *typename);
const char *object_class_get_name(const ObjectClass *klass);
/** object_class_get_parent: the parent class, NULL for TYPE_OBJECT. */
ObjectClass *object_class_get_parent(const ObjectClass *klass);
bool object_class_is_abstract(const ObjectClass *klass);
/** object_class_dynamic_cast: @klass if it is or derives from @typename. */
ObjectClass *object_class_dynamic_cast(ObjectClass *klass,
                                       const char *typename);
/**
 * object_class_get_list: classes deriving from @implements_type (NULL for
 * all); abstract ones only if @include_abstract.  Free with g_slist_free.
 */
GSList *object_class_get_list(const char *implements_type,
                              bool include_abstract);

/** object_new: a new instance of @typename; the reference is the caller's. */
Object *object_new(const char *typename);
const char *object_get_typename(const Object *obj);
#define object_get_class(obj) (OBJECT(obj)->klass)

/** object_dynamic_cast: @obj if its type is or derives from @typename. */
Object *object_dynamic_cast(Object *obj, const char *typename);
/** object_dynamic_cast_assert: as object_dynamic_cast, asserting success. */
Object *object_dynamic_cast_assert(Object *obj, const char *typename);

void object_ref(Object *obj);
void object_unref(Object *obj);

/* ---- composition tree ---- */

/** object_get_root: "/", created on first use. */
Object *object_get_root(void);
/** object_get_objects_root: "/objects", home of -object instances. */
Object *object_get_objects_root(void);
/** object_get_container: "/NAME" below the root, created on first use. */
Object *object_get_container(const char *name);
/** container_get: the container at @path below @root, created if absent. */
Object *container_get(Object *root, const char *path);

/**
 * object_property_try_add_child: add @child under @obj as @name.
 * Takes a reference on @child.  Fails if @name is taken.
 */
bool object_property_try_add_child(Object *obj, const char *name,
                                   Object *child, Error **errp);
/** object_property_add_child: as above; a name clash is a caller bug. */
void object_property_add_child(Object *obj, const char *name, Object *child);
/** object_unparent: remove @obj from its parent (drops the parent's ref). */
void object_unparent(Object *obj);

/** object_get_canonical_path: "/machine/peripheral/vm0"; g_free it. */
char *object_get_canonical_path(const Object *obj);
/** object_get_canonical_path_component: the child name; borrowed. */
const char *object_get_canonical_path_component(const Object *obj);

/**
 * object_resolve_path: find an object by absolute path ("/objects/mem0") or
 * by partial path matched against the end of every path in the tree
 * ("mem0", "peripheral/vm0").  Link properties are followed for absolute
 * paths.
 * @ambiguous: set to true if a partial path matched several objects.
 * Returns: the object (borrowed), or NULL.
 */
Object *object_resolve_path(const char *path, bool *ambiguous);
/** object_resolve_path_type: as above, only objects of @typename count. */
Object *object_resolve_path_type(const char *path, const char *typename,
                                 bool *ambiguous);

/** object_child_foreach: call @fn for each child; stop at non-zero. */
int object_child_foreach(Object *obj, int (*fn)(Object *child, void *opaque),
                         void *opaque);
/** object_child_foreach_recursive: the same, depth first, whole subtree. */
int object_child_foreach_recursive(Object *obj,
                                   int (*fn)(Object *child, void *opaque),
                                   void *opaque);

/* ---- properties ---- */

/**
 * object_property_add: add a property with explicit accessors.
 * Returns: the property (owned by @obj), for setting description etc.
 */
ObjectProperty *object_property_add(Object *obj, const char *name,
                                    const char *type, PropKind kind,
                                    ObjectPropertyGet *get,
                                    ObjectPropertySet *set,
                                    ObjectPropertyRelease *release,
                                    void *opaque);
/** object_property_find: the property @name of @obj, or NULL. */
/* -device T,help and -object T,help: "T options:", then one line per
 * property that can be set. */
void object_print_settable_properties(Object *obj, const char *type);
ObjectProperty *object_property_find(Object *obj, const char *name);
void object_property_set_description(ObjectProperty *prop, const char *desc);

/**
 * object_property_add_field: a property stored in a field of @obj's struct.
 * @offset: offsetof the field: bool for BOOL, int64_t for INT, uint64_t for
 *          SIZE and UINT (uint32_t when @type is "uint32"), char * for STR
 *          and ENUM (owned, g_free'd at finalize).
 * @flags: OBJ_PROP_FLAG_*.
 */
ObjectProperty *object_property_add_field(Object *obj, const char *name,
                                          const char *type, PropKind kind,
                                          size_t offset, uint32_t flags);
/**
 * object_field_prop_get / object_field_prop_set: the accessors field
 * properties use; a type wrapping them with its own checks (a backend that
 * refuses changes once allocated) calls these after the check.
 */
bool object_field_prop_get(Object *obj, ObjectProperty *prop, PropValue *v,
                           Error **errp);
bool object_field_prop_set(Object *obj, ObjectProperty *prop,
                           const PropValue *v, Error **errp);

/** object_property_add_enum_field: a char * field limited to @values. */
ObjectProperty *object_property_add_enum_field(Object *obj, const char *name,
                                               const char *type,
                                               const char *const *values,
                                               size_t offset, uint32_t flags);
/**
 * object_property_add_link: link<@target_type> stored in an Object * field
 * at @offset.  Setting takes a path (absolute or partial, or "" to clear);
 * @check, if non-NULL, may refuse a target.  The field holds a reference.
 */
ObjectProperty *object_property_add_link(Object *obj, const char *name,
                                         const char *target_type,
                                         size_t offset,
                                         bool (*check)(Object *obj,
                                                       const char *name,
                                                       Object *target,
                                                       Error **errp),
                                         uint32_t flags);

/**
 * object_property_get: read property @name into @v (caller clears it).
 * Errors: "Property 'TYPE.NAME' not found", or the getter's error.
 */
bool object_property_get(Object *obj, const char *name, PropValue *v,
                         Error **errp);
/**
 * object_property_set: write @v, converting between the integer kinds and
 * checking ranges; a kind mismatch fails with QEMU's "Invalid parameter
 * type for 'NAME', expected: TYPE".
 */
bool object_property_set(Object *obj, const char *name, const PropValue *v,
                         Error **errp);
/**
 * object_property_parse: set @name from its command-line string form
 * (sizes with suffixes, booleans as on/off, enums by name).
 */
bool object_property_parse(Object *obj, const char *name, const char *str,
                           Error **errp);
/** object_property_print: the string form of @name; g_free it, or NULL. */
char *object_property_print(Object *obj, const char *name, Error **errp);

/* Typed conveniences over object_property_get/set. */
bool object_property_set_bool(Object *obj, const char *name, bool value,
                              Error **errp);
bool object_property_set_uint(Object *obj, const char *name, uint64_t value,
                              Error **errp);
bool object_property_set_str(Object *obj, const char *name,
                             const char *value, Error **errp);
bool object_property_get_bool(Object *obj, const char *name, Error **errp);
uint64_t object_property_get_uint(Object *obj, const char *name,
                                  Error **errp);

/** prop_value_clear: free what @v owns and zero it. */
void prop_value_clear(PropValue *v);
/** prop_kind_expected: the QAPI name of @kind for type errors. */
const char *prop_kind_expected(PropKind kind);

/** object_field_ptr: address of the field at @offset in @obj. */
static inline void *object_field_ptr(Object *obj, size_t offset)
{
    return (char *)obj + offset;
}

/**
 * ObjectFieldSettableCheck: may field @name of @obj still be set?  False
 * with @errp set if not; true for objects the check does not know.
 */
typedef bool ObjectFieldSettableCheck(Object *obj, const char *name,
                                      Error **errp);

/**
 * object_add_field_settable_check: how field properties flagged
 * OBJ_PROP_FLAG_BEFORE_REALIZE ask whether they may still be set; the
 * device layer installs a check that refuses once a device is realized,
 * the machine one that refuses once the machine is created, with QEMU's
 * messages.  Every check must agree; without any, every set is allowed.
 * Adding a check twice adds it once.
 */
void object_add_field_settable_check(ObjectFieldSettableCheck *check);

#endif /* QOM_OBJECT_H */
