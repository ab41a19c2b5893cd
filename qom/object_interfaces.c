/* SPDX-License-Identifier: GPL-2.0-or-later */
/* object_interfaces.c: -object (see include/qom/object_interfaces.h). */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qemu/option.h"
#include "qom/object_interfaces.h"

bool id_wellformed(const char *id)
{
    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (const char *p = id + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

Object *user_creatable_add_str(const char *optarg, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_parse(optarg, "qom-type", false,
                                               errp);

    return opts ? user_creatable_add_opts(opts, errp) : NULL;
}

Object *user_creatable_add_opts(QemuOpts *opts, Error **errp)
{
    const char *type, *id;
    ObjectClass *klass;
    Object *obj, *root;

    type = qemu_opt_get(opts, "qom-type");
    if (!type) {
        error_setg(errp, "Parameter 'qom-type' is missing");
        return NULL;
    }
    klass = object_class_by_name(type);
    if (!klass) {
        error_setg(errp, "invalid object type: %s", type);
        return NULL;
    }
    if (object_class_is_abstract(klass)) {
        error_setg(errp, "object type '%s' is abstract", type);
        return NULL;
    }
    if (!klass->user_creatable) {
        error_setg(errp, "object type '%s' isn't supported by object-add",
                   type);
        return NULL;
    }
    id = qemu_opt_get(opts, "id");
    if (!id) {
        error_setg(errp, "Parameter 'id' is missing");
        return NULL;
    }
    if (!id_wellformed(id)) {
        error_setg(errp, "Parameter 'id' expects an identifier");
        error_append_hint(errp, "Identifiers consist of letters, digits, "
                          "'-', '.', '_', starting with a letter.");
        return NULL;
    }
    root = object_get_objects_root();
    if (object_property_find(root, id)) {
        error_setg(errp, "attempt to add duplicate property '%s' to object "
                   "(type 'container')", id);
        return NULL;
    }

    obj = object_new(type);
    for (guint i = 0; i < opts->opts->len; i++) {
        QemuOpt *opt = opts->opts->pdata[i];

        if (!strcmp(opt->name, "qom-type") || !strcmp(opt->name, "id")) {
            continue;
        }
        if (!object_property_parse(obj, opt->name, opt->value, errp)) {
            goto fail;
        }
    }
    /* The id is known before complete() so regions can be named after it. */
    object_property_add_child(root, id, obj);
    if (klass->complete && !klass->complete(obj, errp)) {
        object_unparent(obj);
        goto fail;
    }
    object_unref(obj);
    return obj;
fail:
    object_unref(obj);
    return NULL;
}

bool user_creatable_del(const char *id, Error **errp)
{
    Object *root = object_get_objects_root();
    ObjectProperty *prop = object_property_find(root, id);
    Object *obj = prop && prop->kind == PROP_KIND_CHILD ? prop->opaque : NULL;

    if (!obj) {
        error_setg(errp, "object '%s' not found", id);
        return false;
    }
    if (obj->klass->can_be_deleted && !obj->klass->can_be_deleted(obj)) {
        error_setg(errp, "object '%s' is in use, can not be deleted", id);
        return false;
    }
    object_unparent(obj);
    return true;
}

void user_creatable_help(const char *type)
{
    if (!type) {
        GSList *list = object_class_get_list(NULL, false);

        printf("List of user creatable objects:\n");
        for (GSList *l = list; l; l = l->next) {
            ObjectClass *klass = l->data;

            if (klass->user_creatable) {
                printf("  %s\n", object_class_get_name(klass));
            }
        }
        g_slist_free(list);
        return;
    }
    {
        ObjectClass *klass = object_class_by_name(type);
        Object *obj;

        if (!klass || !klass->user_creatable ||
            object_class_is_abstract(klass)) {
            printf("invalid object type: %s\n", type);
            return;
        }
        obj = object_new(type);
        object_print_settable_properties(obj, type);
        object_unref(obj);
    }
}
