#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""qapi-gen.py: C code from the QMP schema (qapi/*.json).

    qapi-gen.py -o OUTDIR qapi/qapi-schema.json

reads the schema, written in QEMU's schema language (the subset described
in docs/devel/qapi.md: 'include', 'enum', 'struct', 'union' with a base
and a discriminator, 'command', 'event', optional members '*name',
lists [ 'T' ], the builtin types), and writes into OUTDIR:

  qapi-types.h/.c        C enums and structs, list types, free functions,
                         enum name tables; no JSON in the header
  qapi-visit.h/.c        C types to and from json-glib nodes, with QEMU's
                         error texts for missing, unexpected and wrongly
                         typed members
  qapi-commands.h/.c     per command a typed registration function and
                         the marshaller that parses the arguments, calls
                         the handler and converts its reply
  qapi-events.h/.c       per event an emitter taking C arguments
  qapi-introspect.h/.c   the query-qmp-schema reply (QEMU's SchemaInfo,
                         type names masked as QEMU masks them)

Only the standard library is used; meson runs this as a custom_target.
"""
import argparse
import json
import os
import re
import sys


class SchemaError(Exception):
    pass


# ------------------------------------------------------------------ parsing

TOKEN = re.compile(r"""
    (?P<space>[ \t\r\n]+)
  | (?P<comment>\#[^\n]*)
  | (?P<str>'(?:[^'\\\n]|\\.)*')
  | (?P<punct>[{}\[\]:,])
  | (?P<word>true|false)
""", re.X)


def tokenize(text, path):
    """Yield (kind, value, line, doc) tokens; doc: the ## block before."""
    pos = 0
    line = 1
    doc_lines = None    # inside a ## block
    doc = None          # the last complete ## block
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise SchemaError(f"{path}:{line}: stray {text[pos]!r}")
        kind = m.lastgroup
        val = m.group(kind)
        if kind == "comment":
            if val == "##":
                if doc_lines is None:
                    doc_lines = []
                else:
                    doc = "\n".join(doc_lines)
                    doc_lines = None
            elif doc_lines is not None:
                doc_lines.append(val[2:] if val.startswith("# ") else val[1:])
        elif kind == "str":
            yield ("value", val[1:-1].replace("\\'", "'"), line, None)
        elif kind == "punct":
            yield (val, val, line, doc if val == "{" else None)
            if val == "{":
                doc = None
        elif kind == "word":
            yield ("value", val == "true", line, None)
        line += val.count("\n")
        pos = m.end()


class Parser:
    def __init__(self, path):
        self.path = path
        with open(path, encoding="utf-8") as f:
            self.tokens = list(tokenize(f.read(), path))
        self.i = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, kind=None):
        tok = self.peek()
        if tok is None or (kind and tok[0] != kind):
            where = tok[2] if tok else "end"
            raise SchemaError(f"{self.path}:{where}: expected {kind}")
        self.i += 1
        return tok

    def value(self):
        tok = self.take()
        if tok[0] == "value":
            return tok[1]
        if tok[0] == "[":
            out = []
            while self.peek()[0] != "]":
                out.append(self.value())
                if self.peek()[0] == ",":
                    self.take(",")
            self.take("]")
            return out
        if tok[0] == "{":
            out = {}
            while self.peek()[0] != "}":
                key = self.take("value")[1]
                self.take(":")
                if key in out:
                    raise SchemaError(f"{self.path}:{tok[2]}: duplicate "
                                      f"key '{key}'")
                out[key] = self.value()
                if self.peek()[0] == ",":
                    self.take(",")
            self.take("}")
            return out
        raise SchemaError(f"{self.path}:{tok[2]}: unexpected {tok[1]!r}")

    def exprs(self):
        while self.peek():
            tok = self.peek()
            if tok[0] != "{":
                raise SchemaError(f"{self.path}:{tok[2]}: expected an "
                                  "expression")
            yield self.value(), tok[3], f"{self.path}:{tok[2]}"


def parse_schema(path, seen=None):
    """All expressions of @path and its includes: (expr, doc, where)."""
    seen = set() if seen is None else seen
    path = os.path.normpath(path)
    if path in seen:
        return []
    seen.add(path)
    out = []
    for expr, doc, where in Parser(path).exprs():
        if "include" in expr:
            inc = os.path.join(os.path.dirname(path), expr["include"])
            out.extend(parse_schema(inc, seen))
        else:
            out.append((expr, doc, where))
    return out


# ------------------------------------------------------------------- model

C_KEYWORDS = {"auto", "break", "case", "char", "const", "continue",
              "default", "do", "double", "else", "enum", "extern", "float",
              "for", "goto", "if", "inline", "int", "long", "register",
              "restrict", "return", "short", "signed", "sizeof", "static",
              "struct", "switch", "typedef", "union", "unsigned", "void",
              "volatile", "while", "bool", "true", "false"}


def c_name(name):
    """A QAPI name as a C identifier (QEMU's c_name())."""
    out = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if out in C_KEYWORDS or out[0].isdigit():
        out = "q_" + out
    return out


def camel_to_upper(name):
    """QEMU's camel_to_upper(): RunState -> RUN_STATE, JSONType -> JSON_TYPE."""
    out = ""
    for i, ch in enumerate(name):
        if ch.isupper() and i > 0 and (
                name[i - 1].islower() or
                (i + 1 < len(name) and name[i + 1].islower() and
                 name[i - 1].isupper())):
            out += "_"
        out += ch
    return c_name(out).upper()


class Type:
    json_type = None
    is_pointer = True

    def __init__(self, name):
        self.name = name

    @property
    def c_name(self):
        return c_name(self.name)

    def c_type(self):
        return self.c_name + " *"

    def c_param_type(self):
        return self.c_type()

    @property
    def list_name(self):
        return self.c_name + "List"


class Builtin(Type):
    TABLE = {
        # name: (C type, JSON type, runtime helper suffix, C param type)
        "str": ("char *", "string", "str", "const char *"),
        "int": ("int64_t", "int", "int", None),
        "int8": ("int8_t", "int", "int", None),
        "int16": ("int16_t", "int", "int", None),
        "int32": ("int32_t", "int", "int", None),
        "int64": ("int64_t", "int", "int", None),
        "uint8": ("uint8_t", "int", "uint", None),
        "uint16": ("uint16_t", "int", "uint", None),
        "uint32": ("uint32_t", "int", "uint", None),
        "uint64": ("uint64_t", "int", "uint", None),
        "size": ("uint64_t", "int", "uint", None),
        "number": ("double", "number", "number", None),
        "bool": ("bool", "boolean", "bool", None),
        "any": ("JsonNode *", "value", "any", None),
    }

    def __init__(self, name):
        super().__init__(name)
        ctype, self.json_type, self.helper, param = self.TABLE[name]
        self._c_type = ctype
        self._param = param or ctype
        self.is_pointer = ctype.endswith("*")

    def c_type(self):
        return self._c_type

    def c_param_type(self):
        return self._param

    @property
    def list_name(self):
        return {"int": "int", "str": "str"}.get(self.name, self.name) + "List"


class Enum(Type):
    is_pointer = False

    def __init__(self, name, values, prefix, doc):
        super().__init__(name)
        self.values = values
        self.prefix = prefix or camel_to_upper(name)
        self.doc = doc

    def c_type(self):
        return self.c_name

    def const(self, value):
        # QEMU's c_enum_const(): no keyword protection for values
        return f"{self.prefix}_{re.sub(r'[^A-Za-z0-9_]', '_', value).upper()}"


class Member:
    def __init__(self, name, typ, optional):
        self.name = name
        self.type = typ
        self.optional = optional

    @property
    def c_name(self):
        return c_name(self.name)

    @property
    def has_flag(self):
        """Optional scalars carry has_NAME; optional pointers use NULL."""
        return self.optional and not self.type.is_pointer


class Object(Type):
    """A struct, the implicit argument struct of a command or event, or a
    flat union (base members, a discriminator, variant structs)."""

    def __init__(self, name, doc, implicit=False):
        super().__init__(name)
        self.doc = doc
        self.implicit = implicit
        self.members = []
        self.tag = None          # union: the discriminator Member
        self.variants = []       # union: [(case, Object)]

    def known_lists(self, obj):
        """C declarations of the member names a value may carry, and the
        code that points `known` at the right list once the members were
        read into *@obj: a union takes its base members and those of the
        variant its discriminator chose, never another variant's."""
        def arr(name, names):
            quoted = "".join(f'"{x}", ' for x in names)
            return (f"    static const char *const {name}[] = "
                    f"{{ {quoted}NULL }};\n")

        base = [m.name for m in self.members]
        decls = arr("known_base", base)
        select = ""
        if self.variants:
            select = f"    switch ({obj}{self.tag.c_name}) {{\n"
            for i, (case, var) in enumerate(self.variants):
                decls += arr(f"known_{i}",
                             base + [m.name for m in var.members])
                select += (f"    case {self.tag.type.const(case)}:\n"
                           f"        known = known_{i};\n        break;\n")
            select += "    default:\n        break;\n    }\n"
        decls += "    const char *const *known = known_base;\n"
        return decls, select


class Array(Type):
    def __init__(self, element):
        super().__init__(f"{element.name}List")
        self.element = element

    @property
    def c_name(self):
        return self.element.list_name

    def c_type(self):
        return self.c_name + " *"


class Command:
    def __init__(self, name, arg_type, ret_type, boxed, preconfig, gen, doc):
        self.name = name
        self.arg_type = arg_type
        self.ret_type = ret_type
        self.boxed = boxed
        self.allow_preconfig = preconfig
        self.gen = gen
        self.doc = doc

    @property
    def c_name(self):
        return c_name(self.name)


class Event:
    def __init__(self, name, arg_type, doc):
        self.name = name
        self.arg_type = arg_type
        self.doc = doc

    @property
    def c_name(self):
        return c_name(self.name.lower())


KNOWN_KEYS = {
    "enum": {"enum", "data", "prefix"},
    "struct": {"struct", "data", "base"},
    "union": {"union", "base", "discriminator", "data"},
    "command": {"command", "data", "returns", "boxed", "allow-preconfig",
                "gen"},
    "event": {"event", "data"},
}


class Schema:
    def __init__(self, path):
        self.types = {n: Builtin(n) for n in Builtin.TABLE}
        self.order = []          # user types in definition order
        self.commands = []
        self.events = []
        self.arrays = {}
        self.empty = Object("q_empty", None, implicit=True)
        raw = parse_schema(path)
        pending = []
        for expr, doc, where in raw:
            meta = next((k for k in KNOWN_KEYS if k in expr), None)
            if not meta:
                raise SchemaError(f"{where}: unknown expression {expr}")
            extra = set(expr) - KNOWN_KEYS[meta]
            if extra:
                raise SchemaError(f"{where}: unsupported key(s) "
                                  f"{sorted(extra)} (see docs/devel/qapi.md)")
            name = expr[meta]
            if meta in ("enum", "struct", "union"):
                if name in self.types:
                    raise SchemaError(f"{where}: '{name}' defined twice")
                if meta == "enum":
                    t = Enum(name, expr["data"], expr.get("prefix"), doc)
                else:
                    t = Object(name, doc)
                self.types[name] = t
                self.order.append(t)
            pending.append((meta, expr, doc, where))
        # second pass: resolve references, now that every type is known
        for meta, expr, doc, where in pending:
            if meta == "struct":
                t = self.types[expr["struct"]]
                if "base" in expr:
                    t.members += self.lookup(expr["base"], where).members
                t.members += self.members(expr["data"], where)
            elif meta == "union":
                self.union(self.types[expr["union"]], expr, where)
            elif meta == "command":
                self.command(expr, doc, where)
            elif meta == "event":
                self.event(expr, doc, where)

    def lookup(self, ref, where):
        if isinstance(ref, list):
            if len(ref) != 1:
                raise SchemaError(f"{where}: a list type names one type")
            elem = self.lookup(ref[0], where)
            key = elem.name
            if key not in self.arrays:
                self.arrays[key] = Array(elem)
            return self.arrays[key]
        if ref not in self.types:
            raise SchemaError(f"{where}: unknown type '{ref}'")
        return self.types[ref]

    def members(self, data, where):
        out = []
        for key, ref in data.items():
            opt = key.startswith("*")
            out.append(Member(key[1:] if opt else key,
                              self.lookup(ref, where), opt))
        return out

    def implicit(self, name, data, where):
        if data is None:
            return None
        if isinstance(data, str):
            return self.lookup(data, where)
        obj = Object(name, None, implicit=True)
        obj.members = self.members(data, where)
        self.order.append(obj)
        return obj

    def union(self, t, expr, where):
        base = expr["base"]
        if isinstance(base, str):
            t.members = list(self.lookup(base, where).members)
        else:
            t.members = self.members(base, where)
        tag = next((m for m in t.members
                    if m.name == expr["discriminator"]), None)
        if not tag or not isinstance(tag.type, Enum) or tag.optional:
            raise SchemaError(f"{where}: the discriminator must be a "
                              "mandatory enum member of the base")
        t.tag = tag
        for case, ref in expr["data"].items():
            if case not in tag.type.values:
                raise SchemaError(f"{where}: '{case}' is no value of "
                                  f"{tag.type.name}")
            var = self.lookup(ref, where)
            if not isinstance(var, Object) or var.variants:
                raise SchemaError(f"{where}: variant '{case}' must be a "
                                  "struct")
            t.variants.append((case, var))

    def command(self, expr, doc, where):
        name = expr["command"]
        args = self.implicit(f"q_obj_{name}-arg", expr.get("data"), where)
        if expr.get("boxed") and not isinstance(args, Object):
            raise SchemaError(f"{where}: 'boxed' needs an argument type")
        ret = expr.get("returns")
        self.commands.append(Command(
            name, args, self.lookup(ret, where) if ret else None,
            expr.get("boxed", False), expr.get("allow-preconfig", False),
            expr.get("gen", True), doc))

    def event(self, expr, doc, where):
        name = expr["event"]
        args = self.implicit(f"q_obj_{name}-arg", expr.get("data"), where)
        self.events.append(Event(name, args, doc))


# --------------------------------------------------------------- C output

HEADER = """/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * {name}: {what}.
 * Generated by scripts/qapi-gen.py from the qapi/ schema: do not edit.
 */
"""


def doc_comment(doc, indent=""):
    if not doc:
        return ""
    lines = [ln.rstrip() for ln in doc.strip().splitlines()]
    out = f"{indent}/*\n"
    for ln in lines:
        out += f"{indent} *{' ' + ln if ln else ''}\n"
    return out + f"{indent} */\n"


def params(members, prefix=""):
    """C parameters for @members, QEMU's unboxed calling convention."""
    out = []
    for m in members:
        if m.has_flag:
            out.append(f"bool has_{m.c_name}")
        out.append(f"{m.type.c_param_type()}{'' if m.type.c_param_type().endswith('*') else ' '}{m.c_name}")
    return out


def args_from(members, var):
    out = []
    for m in members:
        if m.has_flag:
            out.append(f"{var}.has_{m.c_name}")
        out.append(f"{var}.{m.c_name}")
    return out


class Gen:
    def __init__(self, schema):
        self.s = schema

    # -------------------------------------------------------------- types

    def struct_members_c(self, obj):
        out = ""
        for m in obj.members:
            if m.has_flag:
                out += f"    bool has_{m.c_name};\n"
            ctype = m.type.c_type()
            sep = "" if ctype.endswith("*") else " "
            out += f"    {ctype}{sep}{m.c_name};\n"
        if obj.variants:
            out += "    union { /* by @%s */\n" % obj.tag.name
            for case, var in obj.variants:
                out += f"        {var.c_name} {c_name(case)};\n"
            out += "    } u;\n"
        return out

    def types_h(self):
        s = self.s
        out = HEADER.format(name="qapi-types.h",
                            what="the C types of the QMP schema")
        out += ("#ifndef QAPI_TYPES_H\n#define QAPI_TYPES_H\n\n"
                "#include <stdbool.h>\n#include <stdint.h>\n"
                "#include <glib.h>\n\n"
                "/* json-glib's node, for 'any' members; opaque here */\n"
                "typedef struct _JsonNode JsonNode;\n\n")
        for t in s.order:
            if isinstance(t, Enum):
                out += doc_comment(t.doc)
                out += f"typedef enum {t.c_name} {{\n"
                for v in t.values:
                    out += f"    {t.const(v)},\n"
                out += f"    {t.prefix}__MAX,\n}} {t.c_name};\n\n"
                out += (f"/* {t.c_name}_str: the value's name; "
                        f"{t.c_name}_parse: the value, or -1 */\n"
                        f"extern const char *const {t.c_name}_lookup[];\n"
                        f"const char *{t.c_name}_str({t.c_name} value);\n"
                        f"int {t.c_name}_parse(const char *name);\n\n")
        for t in s.order:
            if isinstance(t, Object):
                out += f"typedef struct {t.c_name} {t.c_name};\n"
        for a in s.arrays.values():
            out += f"typedef struct {a.c_name} {a.c_name};\n"
        out += "\n"
        for t in self.objects_in_dependency_order():
            out += doc_comment(t.doc)
            out += f"struct {t.c_name} {{\n{self.struct_members_c(t)}}};\n\n"
        for a in s.arrays.values():
            et = a.element.c_type()
            sep = "" if et.endswith("*") else " "
            out += (f"struct {a.c_name} {{\n    {a.c_name} *next;\n"
                    f"    {et}{sep}value;\n}};\n\n")
        for t in s.order:
            if isinstance(t, Object):
                out += (f"void qapi_free_{t.c_name}({t.c_name} *obj);\n"
                        f"void qapi_free_{t.c_name}_members({t.c_name} "
                        "*obj);\n"
                        f"G_DEFINE_AUTOPTR_CLEANUP_FUNC({t.c_name}, "
                        f"qapi_free_{t.c_name})\n")
        for a in s.arrays.values():
            out += (f"void qapi_free_{a.c_name}({a.c_name} *list);\n"
                    f"G_DEFINE_AUTOPTR_CLEANUP_FUNC({a.c_name}, "
                    f"qapi_free_{a.c_name})\n")
        out += "\n#endif /* QAPI_TYPES_H */\n"
        return out

    def objects_in_dependency_order(self):
        """Structs embedded by value (union variants) come first."""
        done, out = set(), []

        def visit(t):
            if t.name in done:
                return
            done.add(t.name)
            for _, var in t.variants:
                visit(var)
            out.append(t)
        for t in self.s.order:
            if isinstance(t, Object):
                visit(t)
        return out

    def free_member(self, m, ref):
        t = m.type
        if isinstance(t, Builtin):
            if t.name == "str":
                return f"    g_free({ref});\n"
            if t.name == "any":
                return (f"    if ({ref}) {{\n"
                        f"        json_node_unref({ref});\n    }}\n")
            return ""
        if isinstance(t, Enum):
            return ""
        return f"    qapi_free_{t.c_name}({ref});\n"

    def types_c(self):
        s = self.s
        out = HEADER.format(name="qapi-types.c",
                            what="free functions and enum names")
        out += ('#include "qemu/osdep.h"\n#include <json-glib/json-glib.h>\n'
                '#include "qapi/qapi-types.h"\n\n')
        for t in s.order:
            if isinstance(t, Enum):
                n = t.c_name
                out += f"const char *const {n}_lookup[] = {{\n"
                for v in t.values:
                    out += f'    [{t.const(v)}] = "{v}",\n'
                out += "    NULL,\n};\n\n"
                out += (f"const char *{n}_str({n} value)\n{{\n"
                        f"    assert((unsigned)value < {t.prefix}__MAX);\n"
                        f"    return {n}_lookup[value];\n}}\n\n"
                        f"int {n}_parse(const char *name)\n{{\n"
                        f"    for (int i = 0; name && i < {t.prefix}__MAX; "
                        "i++) {\n"
                        f"        if (!strcmp({n}_lookup[i], name)) {{\n"
                        "            return i;\n        }\n    }\n"
                        "    return -1;\n}\n\n")
        for t in s.order:
            if not isinstance(t, Object):
                continue
            n = t.c_name
            out += f"void qapi_free_{n}_members({n} *obj)\n{{\n"
            for m in t.members:
                out += self.free_member(m, f"obj->{m.c_name}")
            if t.variants:
                out += f"    switch (obj->{t.tag.c_name}) {{\n"
                for case, var in t.variants:
                    out += (f"    case {t.tag.type.const(case)}:\n"
                            f"        qapi_free_{var.c_name}_members("
                            f"&obj->u.{c_name(case)});\n        break;\n")
                out += "    default:\n        break;\n    }\n"
            out += "}\n\n"
            out += (f"void qapi_free_{n}({n} *obj)\n{{\n"
                    "    if (obj) {\n"
                    f"        qapi_free_{n}_members(obj);\n"
                    "        g_free(obj);\n    }\n}\n\n")
        for a in s.arrays.values():
            n = a.c_name
            elem = Member("value", a.element, False)
            free = self.free_member(elem, "list->value")
            free = "".join("    " + ln + "\n" for ln in free.splitlines())
            out += (f"void qapi_free_{n}({n} *list)\n{{\n"
                    "    while (list) {\n"
                    f"        {n} *next = list->next;\n\n"
                    + free +
                    "        g_free(list);\n        list = next;\n"
                    "    }\n}\n\n")
        return out

    # ------------------------------------------------------------ visitors

    def visit_h(self):
        s = self.s
        out = HEADER.format(name="qapi-visit.h",
                            what="QMP schema types to and from json-glib "
                            "nodes (monitor/ and generated code only)")
        out += ("#ifndef QAPI_VISIT_H\n#define QAPI_VISIT_H\n\n"
                '#include "qapi/qapi-types.h"\n#include "qapi/qapi-json.h"\n\n'
                "/*\n * qapi_out_T: a new node for @obj (borrowed).\n"
                " * qapi_in_T: read @node (borrowed) into *@obj (new, or "
                "filled);\n * @path names it in errors (QEMU's full name), "
                "@name in enum\n * errors (NULL for list elements, as "
                "QEMU).  False with @errp set.\n"
                " * qapi_in_T_members: the members of @o into @obj, "
                "unexpected\n * members not checked (the caller knows them "
                "all).\n */\n")
        for t in s.order:
            n = t.c_name
            if isinstance(t, Enum):
                out += (f"JsonNode *qapi_out_{n}({n} value);\n"
                        f"bool qapi_in_{n}(JsonNode *node, const char *path, "
                        f"const char *name, {n} *obj, Error **errp);\n")
            else:
                out += (f"JsonNode *qapi_out_{n}(const {n} *obj);\n"
                        f"void qapi_out_{n}_members(JsonObject *o, "
                        f"const {n} *obj);\n"
                        f"bool qapi_in_{n}(JsonNode *node, const char *path, "
                        f"const char *name, {n} **obj, Error **errp);\n"
                        f"bool qapi_in_{n}_members(JsonObject *o, "
                        f"const char *path, {n} *obj, Error **errp);\n")
        for a in s.arrays.values():
            n = a.c_name
            out += (f"JsonNode *qapi_out_{n}(const {n} *list);\n"
                    f"bool qapi_in_{n}(JsonNode *node, const char *path, "
                    f"const char *name, {n} **obj, Error **errp);\n")
        out += "\n#endif /* QAPI_VISIT_H */\n"
        return out

    def out_value(self, t, expr):
        if isinstance(t, Builtin):
            return f"qapi_out_{t.helper}({expr})"
        if isinstance(t, Enum):
            return f"qapi_out_{t.c_name}({expr})"
        return f"qapi_out_{t.c_name}({expr})"

    NARROW = {"int8": ("INT8_MIN", "INT8_MAX"),
              "int16": ("INT16_MIN", "INT16_MAX"),
              "int32": ("INT32_MIN", "INT32_MAX"),
              "uint8": ("0", "UINT8_MAX"), "uint16": ("0", "UINT16_MAX"),
              "uint32": ("0", "UINT32_MAX")}

    def in_code(self, t, node, path, name, dest, ind, fail):
        """Statements reading @node into @dest (an lvalue), running @fail
        (which must leave the function) on error."""
        if isinstance(t, Builtin) and t.name in self.NARROW:
            lo, hi = self.NARROW[t.name]
            kind = "uint" if t.name.startswith("u") else "int"
            tmp = "uint64_t" if kind == "uint" else "int64_t"
            return (f"{ind}{{\n{ind}    {tmp} tmp;\n\n"
                    f"{ind}    if (!qapi_in_{kind}_range({node}, {path}, "
                    f"{name}, {lo}, {hi}, \"{t.c_type()}\", &tmp, errp)) "
                    f"{{\n{ind}        {fail}\n{ind}    }}\n"
                    f"{ind}    {dest} = tmp;\n{ind}}}\n")
        if isinstance(t, Builtin):
            call = f"qapi_in_{t.helper}({node}, {path}, &{dest}, errp)"
        else:
            call = f"qapi_in_{t.c_name}({node}, {path}, {name}, &{dest}, errp)"
        return f"{ind}if (!{call}) {{\n{ind}    {fail}\n{ind}}}\n"

    def visit_c(self):
        s = self.s
        out = HEADER.format(name="qapi-visit.c",
                            what="QMP schema types to and from json-glib "
                            "nodes")
        out += ('#include "qemu/osdep.h"\n#include "qemu/error.h"\n'
                '#include "qapi/qapi-visit.h"\n\n')
        for t in s.order:
            n = t.c_name
            if isinstance(t, Enum):
                out += (f"JsonNode *qapi_out_{n}({n} value)\n{{\n"
                        f"    return qapi_out_str({n}_str(value));\n}}\n\n"
                        f"bool qapi_in_{n}(JsonNode *node, const char *path, "
                        f"const char *name, {n} *obj, Error **errp)\n{{\n"
                        "    int v = qapi_in_enum(node, path, name, "
                        f"{n}_lookup, errp);\n\n"
                        "    if (v < 0) {\n        return false;\n    }\n"
                        f"    *obj = v;\n    return true;\n}}\n\n")
                continue
            # output
            out += (f"void qapi_out_{n}_members(JsonObject *o, "
                    f"const {n} *obj)\n{{\n")
            for m in t.members:
                ref = f"obj->{m.c_name}"
                line = (f'json_object_set_member(o, "{m.name}", '
                        f"{self.out_value(m.type, ref)});\n")
                if m.has_flag:
                    out += f"    if (obj->has_{m.c_name}) {{\n        {line}    }}\n"
                elif m.optional:
                    out += f"    if ({ref}) {{\n        {line}    }}\n"
                else:
                    out += f"    {line}"
            if t.variants:
                out += f"    switch (obj->{t.tag.c_name}) {{\n"
                for case, var in t.variants:
                    out += (f"    case {t.tag.type.const(case)}:\n"
                            f"        qapi_out_{var.c_name}_members(o, "
                            f"&obj->u.{c_name(case)});\n        break;\n")
                out += "    default:\n        break;\n    }\n"
            out += "}\n\n"
            out += (f"JsonNode *qapi_out_{n}(const {n} *obj)\n{{\n"
                    "    JsonObject *o = json_object_new();\n\n"
                    f"    qapi_out_{n}_members(o, obj);\n"
                    "    return qapi_node_take_object(o);\n}\n\n")
            # input
            out += (f"bool qapi_in_{n}_members(JsonObject *o, "
                    f"const char *path, {n} *obj, Error **errp)\n{{\n"
                    "    JsonNode *n;\n    g_autofree char *full = NULL;\n\n")
            for m in t.members:
                out += self.in_member(m)
            if t.variants:
                out += f"    switch (obj->{t.tag.c_name}) {{\n"
                for case, var in t.variants:
                    out += (f"    case {t.tag.type.const(case)}:\n"
                            f"        return qapi_in_{var.c_name}_members(o, "
                            f"path, &obj->u.{c_name(case)}, errp);\n")
                out += "    default:\n        break;\n    }\n"
            out += "    return true;\n}\n\n"
            decls, select = t.known_lists("v->")
            out += (f"bool qapi_in_{n}(JsonNode *node, const char *path, "
                    f"const char *name, {n} **obj, Error **errp)\n{{\n"
                    + decls +
                    f"    {n} *v;\n\n"
                    "    if (!qapi_in_object(node, path, errp)) {\n"
                    "        return false;\n    }\n"
                    f"    v = g_new0({n}, 1);\n"
                    f"    if (!qapi_in_{n}_members(json_node_get_object(node), "
                    "path, v, errp)) {\n"
                    f"        qapi_free_{n}(v);\n        return false;\n    }}\n"
                    + select +
                    "    if (!qapi_check_unexpected(json_node_get_object(node), "
                    "path, known, errp)) {\n"
                    f"        qapi_free_{n}(v);\n        return false;\n    }}\n"
                    "    *obj = v;\n    return true;\n}\n\n")
        for a in s.arrays.values():
            n = a.c_name
            e = a.element
            out += (f"JsonNode *qapi_out_{n}(const {n} *list)\n{{\n"
                    "    JsonArray *arr = json_array_new();\n\n"
                    "    for (; list; list = list->next) {\n"
                    "        json_array_add_element(arr, "
                    f"{self.out_value(e, 'list->value')});\n    }}\n"
                    "    return qapi_node_take_array(arr);\n}\n\n")
            out += (f"bool qapi_in_{n}(JsonNode *node, const char *path, "
                    f"const char *name, {n} **obj, Error **errp)\n{{\n"
                    f"    {n} *head = NULL, **tail = &head;\n"
                    "    JsonArray *arr;\n\n"
                    "    if (!qapi_in_array(node, path, errp)) {\n"
                    "        return false;\n    }\n"
                    "    arr = json_node_get_array(node);\n"
                    "    for (guint i = 0; i < json_array_get_length(arr); "
                    "i++) {\n"
                    "        g_autofree char *full = g_strdup_printf("
                    '"%s[%u]", path, i);\n'
                    f"        {n} *elem = g_new0({n}, 1);\n\n"
                    "        *tail = elem;\n        tail = &elem->next;\n"
                    + self.in_code(e, "json_array_get_element(arr, i)",
                                   "full", "NULL", "elem->value",
                                   "        ",
                                   f"qapi_free_{n}(head);\n"
                                   "            return false;")
                    + "    }\n"
                    "    *obj = head;\n    return true;\n}\n\n")
        return out

    def in_member(self, m):
        ref = f"obj->{m.c_name}"
        out = (f'    n = json_object_get_member(o, "{m.name}");\n'
               "    g_free(full);\n"
               f'    full = qapi_member_path(path, "{m.name}");\n')
        if m.optional:
            out += "    if (n) {\n"
            ind = "        "
        else:
            out += ("    if (!n) {\n"
                    "        error_setg(errp, \"Parameter '%s' is missing\", "
                    "full);\n        return false;\n    }\n")
            ind = "    "
        if m.has_flag:
            out += f"{ind}{'obj->has_' + m.c_name} = true;\n"
        out += self.in_code(m.type, "n", "full", f'"{m.name}"', ref, ind,
                            "return false;")
        if m.optional:
            out += "    }\n"
        return out

    # ------------------------------------------------------------ commands

    def cmd_proto(self, c):
        ret = c.ret_type.c_type() if c.ret_type else "void "
        if not ret.endswith("*"):
            ret += " " if not ret.endswith(" ") else ""
        if c.boxed:
            ps = [f"{c.arg_type.c_name} *arg"]
        elif c.arg_type:
            ps = params(c.arg_type.members)
        else:
            ps = []
        ps.append("Error **errp")
        return ret, ps

    def commands_h(self):
        out = HEADER.format(name="qapi-commands.h",
                            what="the QMP commands of the schema: typed "
                            "handlers and their registration")
        out += ("#ifndef QAPI_COMMANDS_H\n#define QAPI_COMMANDS_H\n\n"
                '#include "qemu/typedefs.h"\n#include "qapi/qapi-types.h"\n'
                '#include "qapi/qmp-defer.h"\n\n'
                "/*\n * qmp_register_CMD: offer command CMD, run by @fn.  "
                "The marshaller\n * checks the arguments against the schema "
                "(QEMU's messages), calls\n * @fn, and sends its reply "
                "(freed afterwards); @fn fails by setting\n * @errp.  Call "
                "once, at start-up, on the main loop thread.\n */\n")
        out += ("/*\n * qmp_return_CMD: complete a reply deferred with "
                "qmp_return_defer()\n * (qapi/qmp-defer.h): @retval "
                "(borrowed) or @err (taken).\n * Main loop thread.\n */\n")
        for c in self.s.commands:
            if not c.gen:
                continue
            ret, ps = self.cmd_proto(c)
            out += doc_comment(c.doc)
            out += (f"void qmp_register_{c.c_name}({ret}(*fn)("
                    + ", ".join(ps) + "));\n")
            out += self.return_proto(c) + ";\n\n"
        out += "#endif /* QAPI_COMMANDS_H */\n"
        return out

    def return_proto(self, c):
        ps = ["QmpReturn *r"]
        if c.ret_type:
            t = c.ret_type.c_type()
            if c.ret_type.is_pointer:
                t = "const " + t
            ps.append(t + ("" if t.endswith("*") else " ") + "retval")
        ps.append("Error *err")
        return f"void qmp_return_{c.c_name}(" + ", ".join(ps) + ")"

    def commands_c(self):
        out = HEADER.format(name="qapi-commands.c",
                            what="QMP command marshalling")
        out += ('#include "qemu/osdep.h"\n#include "qemu/error.h"\n'
                '#include "qapi/qmp-registry.h"\n'
                '#include "qapi/qapi-commands.h"\n'
                '#include "qapi/qapi-visit.h"\n\n')
        for c in self.s.commands:
            if not c.gen:
                continue
            ret, ps = self.cmd_proto(c)
            n = c.c_name
            out += (f"static {ret}(*qmp_{n}_fn)(" + ", ".join(ps) + ");\n\n"
                    f"static bool qmp_marshal_{n}(JsonObject *args, "
                    "JsonNode **ret, Error **errp)\n{\n"
                    "    Error *err = NULL;\n")
            if c.arg_type:
                a = c.arg_type.c_name
                decls, select = c.arg_type.known_lists("arg.")
                out += decls + f"    {a} arg = {{ 0 }};\n"
            else:
                out += "    static const char *const known[] = { NULL };\n"
            if c.ret_type:
                out += f"    {ret}retval;\n"
            out += "\n"
            if not c.arg_type:
                out += ("    if (!qapi_check_unexpected(args, NULL, known, "
                        "errp)) {\n        return false;\n    }\n")
            else:
                out += (f"    if (!qapi_in_{a}_members(args, NULL, &arg, "
                        "errp)) {\n"
                        f"        qapi_free_{a}_members(&arg);\n"
                        "        return false;\n    }\n" + select +
                        "    if (!qapi_check_unexpected(args, NULL, known, "
                        "errp)) {\n"
                        f"        qapi_free_{a}_members(&arg);\n"
                        "        return false;\n    }\n")
            if c.boxed:
                call_args = ["&arg"]
            elif c.arg_type:
                call_args = args_from(c.arg_type.members, "arg")
            else:
                call_args = []
            call = f"qmp_{n}_fn(" + ", ".join(call_args + ["&err"]) + ")"
            if c.ret_type:
                out += f"    retval = {call};\n"
            else:
                out += f"    {call};\n"
            if c.arg_type:
                out += f"    qapi_free_{a}_members(&arg);\n"
            out += ("    if (err) {\n")
            if c.ret_type and c.ret_type.is_pointer:
                out += self.free_ret(c, "        ")
            out += ("        error_propagate(errp, err);\n"
                    "        return false;\n    }\n")
            if c.ret_type:
                if isinstance(c.ret_type, Array):
                    out += (f"    *ret = {self.out_value(c.ret_type, 'retval')};\n")
                elif c.ret_type.is_pointer:
                    out += ("    if (!retval) {\n"
                            "        error_setg(errp, \"The command "
                            f"{c.name} failed\");\n"
                            "        return false;\n    }\n"
                            f"    *ret = {self.out_value(c.ret_type, 'retval')};\n")
                else:
                    out += (f"    *ret = {self.out_value(c.ret_type, 'retval')};\n")
                out += self.free_ret(c, "    ")
            out += "    return true;\n}\n\n"
            flags = "QMP_CMD_TYPED"
            if c.allow_preconfig:
                flags += " | QMP_CMD_ALLOW_PRECONFIG"
            out += self.return_proto(c) + "\n{\n"
            if c.ret_type:
                out += ("    qmp_return_complete(r, err ? NULL : "
                        f"{self.out_value(c.ret_type, 'retval')}, err);\n}}\n\n")
            else:
                out += "    qmp_return_complete(r, NULL, err);\n}\n\n"
            out += (f"void qmp_register_{n}({ret}(*fn)(" + ", ".join(ps) +
                    "))\n{\n"
                    f"    qmp_{n}_fn = fn;\n"
                    f'    qmp_register_command("{c.name}", qmp_marshal_{n}, '
                    f"NULL,\n                         {flags});\n}}\n\n")
        return out

    def free_ret(self, c, ind):
        t = c.ret_type
        if not t.is_pointer:
            return ""
        if isinstance(t, Builtin):
            if t.name == "str":
                return f"{ind}g_free(retval);\n"
            return (f"{ind}if (retval) {{\n{ind}    json_node_unref(retval);\n"
                    f"{ind}}}\n")
        return f"{ind}qapi_free_{t.c_name}(retval);\n"

    # -------------------------------------------------------------- events

    def event_proto(self, e):
        ps = params(e.arg_type.members) if e.arg_type else ["void"]
        return f"void qapi_event_send_{e.c_name}(" + ", ".join(ps) + ")"

    def events_h(self):
        out = HEADER.format(name="qapi-events.h",
                            what="emitters of the QMP events of the schema")
        out += ("#ifndef QAPI_EVENTS_H\n#define QAPI_EVENTS_H\n\n"
                '#include "qapi/qapi-types.h"\n\n'
                "/*\n * qapi_event_send_EVENT: emit EVENT with these "
                "members (borrowed).\n * Any thread; see qapi_event_send() "
                "in qapi/qmp-registry.h.\n */\n")
        for e in self.s.events:
            out += doc_comment(e.doc) + self.event_proto(e) + ";\n\n"
        out += ("/* qapi_event_names: every event of the schema, "
                "NULL-terminated. */\n"
                "extern const char *const qapi_event_names[];\n\n"
                "#endif /* QAPI_EVENTS_H */\n")
        return out

    def events_c(self):
        out = HEADER.format(name="qapi-events.c", what="QMP event emitters")
        out += ('#include "qemu/osdep.h"\n#include "qapi/qmp-registry.h"\n'
                '#include "qapi/qapi-events.h"\n'
                '#include "qapi/qapi-visit.h"\n\n')
        for e in self.s.events:
            out += self.event_proto(e) + "\n{\n"
            if not e.arg_type:
                out += f'    qapi_event_send("{e.name}", NULL);\n}}\n\n'
                continue
            a = e.arg_type
            out += f"    {a.c_name} arg = {{\n"
            for m in a.members:
                if m.has_flag:
                    out += f"        .has_{m.c_name} = has_{m.c_name},\n"
                if m.type.is_pointer and isinstance(m.type, Builtin) and \
                        m.type.name == "str":
                    out += f"        .{m.c_name} = (char *){m.c_name},\n"
                else:
                    out += f"        .{m.c_name} = {m.c_name},\n"
            out += ("    };\n    JsonObject *data = json_object_new();\n\n"
                    f"    qapi_out_{a.c_name}_members(data, &arg);\n"
                    f'    qapi_event_send("{e.name}", data);\n}}\n\n')
        out += "const char *const qapi_event_names[] = {\n"
        for e in self.s.events:
            out += f'    "{e.name}",\n'
        out += "    NULL,\n};\n"
        return out

    # -------------------------------------------------------- introspection

    def introspect(self):
        """QEMU's SchemaInfo list: commands and events in schema order,
        then the types they use, in order of first use; type names are
        masked with numbers in that order, builtins keep their names."""
        names = {}
        used = []
        trees = []

        def use(t):
            if t is None:
                t = self.s.empty
            if isinstance(t, Array):
                elem = use(t.element)
                key = "[" + elem + "]"
                if key not in names:
                    names[key] = key
                    used.append((t, key))
                return key
            if isinstance(t, Builtin):
                if t.name not in names:
                    names[t.name] = t.name
                    used.append((t, t.name))
                return t.name
            if t.name not in names:
                names[t.name] = str(sum(1 for v in names.values()
                                        if v.isdigit()))
                used.append((t, names[t.name]))
            return names[t.name]

        for c in self.s.commands:
            trees.append({"name": c.name, "meta-type": "command",
                          "arg-type": use(c.arg_type),
                          "ret-type": use(c.ret_type)})
        for e in self.s.events:
            trees.append({"name": e.name, "meta-type": "event",
                          "arg-type": use(e.arg_type)})
        i = 0
        while i < len(used):
            t, name = used[i]
            i += 1
            if isinstance(t, Builtin):
                trees.append({"name": name, "meta-type": "builtin",
                              "json-type": t.json_type})
            elif isinstance(t, Array):
                trees.append({"name": name, "meta-type": "array",
                              "element-type": use(t.element)})
            elif isinstance(t, Enum):
                trees.append({"name": name, "meta-type": "enum",
                              "members": [{"name": v} for v in t.values],
                              "values": list(t.values)})
            else:
                members = []
                for m in t.members:
                    d = {"name": m.name, "type": use(m.type)}
                    if m.optional:
                        d["default"] = None
                    members.append(d)
                tree = {"name": name, "meta-type": "object",
                        "members": members}
                if t.variants:
                    tree["tag"] = t.tag.name
                    tree["variants"] = [{"case": case, "type": use(var)}
                                        for case, var in t.variants]
                trees.append(tree)
        return trees

    def introspect_h(self):
        return (HEADER.format(name="qapi-introspect.h",
                              what="the query-qmp-schema reply")
                + "#ifndef QAPI_INTROSPECT_H\n#define QAPI_INTROSPECT_H\n\n"
                "/* qmp_schema_json: the SchemaInfo array as JSON text */\n"
                "extern const char qmp_schema_json[];\n\n"
                "#endif /* QAPI_INTROSPECT_H */\n")

    def introspect_c(self):
        out = HEADER.format(name="qapi-introspect.c",
                            what="the query-qmp-schema reply")
        out += '#include "qapi/qapi-introspect.h"\n\n'
        out += "const char qmp_schema_json[] =\n"
        text = json.dumps(self.introspect(), indent=1)
        for line in text.splitlines():
            out += '    "' + line.replace("\\", "\\\\").replace('"', '\\"') \
                + '\\n"\n'
        return out + ";\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output-dir", required=True)
    ap.add_argument("schema")
    opts = ap.parse_args()
    try:
        gen = Gen(Schema(opts.schema))
    except SchemaError as e:
        print(f"qapi-gen: {e}", file=sys.stderr)
        return 1
    files = {
        "qapi-types.h": gen.types_h, "qapi-types.c": gen.types_c,
        "qapi-visit.h": gen.visit_h, "qapi-visit.c": gen.visit_c,
        "qapi-commands.h": gen.commands_h, "qapi-commands.c": gen.commands_c,
        "qapi-events.h": gen.events_h, "qapi-events.c": gen.events_c,
        "qapi-introspect.h": gen.introspect_h,
        "qapi-introspect.c": gen.introspect_c,
    }
    os.makedirs(opts.output_dir, exist_ok=True)
    for name, fn in files.items():
        text = fn()
        path = os.path.join(opts.output_dir, name)
        # keep the timestamp when nothing changed: fewer rebuilds
        try:
            with open(path, encoding="utf-8") as f:
                if f.read() == text:
                    continue
        except FileNotFoundError:
            pass
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
