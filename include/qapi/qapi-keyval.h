/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qapi-keyval.h: QEMU's JSON form of -object and -device, turned into
 * the key=value form the rest of the command line uses.  No JSON types
 * here: the caller says what each member must be by a callback (vl.c
 * asks the QOM property), so it need not speak JSON itself.
 */
#ifndef QAPI_QAPI_KEYVAL_H
#define QAPI_QAPI_KEYVAL_H

/** What JSON type a member must have. */
typedef enum QapiKeyvalType {
    QAPI_KEYVAL_ANY,        /* unknown member: any scalar, checked later */
    QAPI_KEYVAL_BOOL,       /* true/false, written on/off */
    QAPI_KEYVAL_INT,        /* an integer */
    QAPI_KEYVAL_UINT,       /* a non-negative integer (also sizes) */
    QAPI_KEYVAL_STR,        /* a string (enums and links too) */
} QapiKeyvalType;

/**
 * QapiKeyvalTypeFn: the type member @name of an object of type @type
 * must have.  @type is the value of the type key (it may name no type).
 */
typedef QapiKeyvalType QapiKeyvalTypeFn(const char *type, const char *name,
                                        void *opaque);

/**
 * qapi_json_to_keyval: rewrite the JSON object @json, e.g.
 * '{"qom-type": "memory-backend-memfd", "id": "m", "size": 1048576}',
 * as "memory-backend-memfd,id=m,size=1048576" (commas in values
 * doubled), its @type_key member first.  Members are checked against
 * @type_of with the messages of QEMU's JSON input visitor ("Parameter
 * 'size' expects uint64", "Invalid parameter type for 'share',
 * expected: boolean").
 *
 * Returns: a new string (g_free), or NULL with @errp set.
 */
char *qapi_json_to_keyval(const char *json, const char *type_key,
                          QapiKeyvalTypeFn *type_of, void *opaque,
                          Error **errp);

#endif
