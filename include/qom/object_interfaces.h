/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * object_interfaces.h: creating objects from -object strings (QEMU's
 * user-creatable objects).  The object is built, its properties set in
 * the order given, its class's complete() hook run, and only then is it
 * added to /objects/ID; on any failure nothing is left behind.
 */
#ifndef QOM_OBJECT_INTERFACES_H
#define QOM_OBJECT_INTERFACES_H

#include "qemu/option.h"
#include "qom/object.h"

/**
 * user_creatable_add_str: create an object from "TYPE,id=ID,prop=val...".
 * Returns: the object (borrowed: /objects holds it), or NULL.
 */
Object *user_creatable_add_str(const char *optarg, Error **errp);
/**
 * user_creatable_add_opts: the same from options already split
 * ("qom-type" and "id" among them): object-add.
 * Returns: the object (borrowed), or NULL.
 */
Object *user_creatable_add_opts(QemuOpts *opts, Error **errp);
/**
 * user_creatable_del: remove /objects/@id (object-del), unless its class's
 * can_be_deleted() says it is in use.  QEMU's messages: "object 'ID' not
 * found", "object 'ID' is in use, can not be deleted".  The object goes
 * when its last reference does.
 */
bool user_creatable_del(const char *id, Error **errp);

/** user_creatable_help: print creatable types, or one type's properties. */
void user_creatable_help(const char *type);

/** id_wellformed: QEMU's identifier rule (letter, then [A-Za-z0-9-._]). */
bool id_wellformed(const char *id);

#endif /* QOM_OBJECT_INTERFACES_H */
