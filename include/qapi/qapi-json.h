/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qapi-json.h: what the generated visitors (qapi-visit.c) share: JSON
 * nodes for scalars, and the checks of QEMU's QObject input visitor with
 * its error texts.
 *
 * Only monitor/, qapi/ and generated code include this header: it is
 * where json-glib meets the C types of the schema.
 *
 * Names in errors: @path is QEMU's "full name" of the value ("format",
 * "enable[1]", "data.size"); enum errors name the member as the schema
 * does, or "null" for a list element (as QEMU's visit_type_enum() does).
 */
#ifndef QAPI_QAPI_JSON_H
#define QAPI_QAPI_JSON_H

#include <json-glib/json-glib.h>
#include "qemu/typedefs.h"

/* Output: new nodes.  A NULL string becomes "", NULL any becomes null. */
JsonNode *qapi_out_str(const char *s);
JsonNode *qapi_out_int(int64_t v);
/** qapi_out_uint: json-glib holds int64, so above INT64_MAX it wraps. */
JsonNode *qapi_out_uint(uint64_t v);
JsonNode *qapi_out_bool(bool v);
JsonNode *qapi_out_number(double v);
/** qapi_out_any: a deep copy of @v. */
JsonNode *qapi_out_any(const JsonNode *v);
/** qapi_node_take_object / _array: wrap @o / @a, taking its reference. */
JsonNode *qapi_node_take_object(JsonObject *o);
JsonNode *qapi_node_take_array(JsonArray *a);

/*
 * Input.  Each returns false with @errp set ("Invalid parameter type for
 * 'PATH', expected: TYPE") if @node is of the wrong JSON type.
 */
/** qapi_in_str: *@out = a copy of the string (g_free it). */
bool qapi_in_str(JsonNode *node, const char *path, char **out, Error **errp);
bool qapi_in_int(JsonNode *node, const char *path, int64_t *out,
                 Error **errp);
/**
 * qapi_in_uint: any JSON integer; negative ones wrap, as in QEMU.  The
 * refusal reads "Parameter 'PATH' expects uint64" (QEMU's wording).
 */
bool qapi_in_uint(JsonNode *node, const char *path, uint64_t *out,
                  Error **errp);
bool qapi_in_bool(JsonNode *node, const char *path, bool *out, Error **errp);
/** qapi_in_number: an integer or a float. */
bool qapi_in_number(JsonNode *node, const char *path, double *out,
                    Error **errp);
/** qapi_in_any: *@out = a copy of @node, whatever it holds. */
bool qapi_in_any(JsonNode *node, const char *path, JsonNode **out,
                 Error **errp);
/**
 * qapi_in_int_range / qapi_in_uint_range: integers of a narrower C type
 * (@type: "uint16_t"...); out of range: "Parameter 'NAME' expects TYPE".
 */
bool qapi_in_int_range(JsonNode *node, const char *path, const char *name,
                       int64_t min, int64_t max, const char *type,
                       int64_t *out, Error **errp);
bool qapi_in_uint_range(JsonNode *node, const char *path, const char *name,
                        uint64_t min, uint64_t max, const char *type,
                        uint64_t *out, Error **errp);
/**
 * qapi_in_enum: the index of @node's string in @lookup (NULL-ended), or
 * -1 with "Parameter 'NAME' does not accept value 'X'".
 */
int qapi_in_enum(JsonNode *node, const char *path, const char *name,
                 const char *const *lookup, Error **errp);
/** qapi_in_object / qapi_in_array: check @node's JSON type. */
bool qapi_in_object(JsonNode *node, const char *path, Error **errp);
bool qapi_in_array(JsonNode *node, const char *path, Error **errp);
/**
 * qapi_check_unexpected: the first member of @o (in the order the client
 * sent them) not in @known (NULL-ended) fails with "Parameter 'PATH' is
 * unexpected".
 */
bool qapi_check_unexpected(JsonObject *o, const char *path,
                           const char *const *known, Error **errp);
/** qapi_member_path: "PATH.NAME", or "NAME" if @path is NULL; new. */
char *qapi_member_path(const char *path, const char *name);

#endif /* QAPI_QAPI_JSON_H */
