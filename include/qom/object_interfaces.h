/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * object_interfaces.h: creating objects from -object strings (QEMU's
 * user-creatable objects).  The object is built, its properties set in
 * the order given, its class's complete() hook run, and only then is it
 * added to /objects/ID; on any failure nothing is left behind.
 */
#ifndef QOM_OBJECT_INTERFACES_H
#define QOM_OBJECT_INTERFACES_H

#include "qom/object.h"

/**
 * user_creatable_add_str: create an object from "TYPE,id=ID,prop=val...".
 * Returns: the object (borrowed: /objects holds it), or NULL.
 */
Object *user_creatable_add_str(const char *optarg, Error **errp);

/** user_creatable_help: print creatable types, or one type's properties. */
void user_creatable_help(const char *type);

/** id_wellformed: QEMU's identifier rule (letter, then [A-Za-z0-9-._]). */
bool id_wellformed(const char *id);

#endif /* QOM_OBJECT_INTERFACES_H */
