/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json-token.c: turn single JSON tokens into text json-glib reads the way
 * QEMU's parser would, and parse a finished value with json-glib.
 *
 * QEMU accepts single-quoted strings and the "\'" escape, rejects invalid
 * UTF-8, lone surrogates and Unicode noncharacters, and keeps integers
 * beyond int64 as uint64 or, beyond that, as double.  json-glib differs on
 * each point (it takes single-quoted strings verbatim, truncates at
 * "\u0000", decodes lone surrogates to garbage and saturates big
 * integers), so the streamer never passes a token through unchecked:
 * strings are decoded here and re-encoded double-quoted; integers that
 * QEMU would turn into doubles get a ".0".  What remains for json-glib is
 * the grammar, which it checks, and building the tree.
 *
 * The grammar of single tokens is the lexer's business (json-streamer.c).
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/error.h"
#include "monitor/json-streamer.h"

/* QEMU's idea of a character it will carry: no surrogates/noncharacters. */
static bool json_codepoint_valid(long cp)
{
    return cp >= 0 && cp <= 0x10FFFF &&
           !(cp >= 0xFDD0 && cp <= 0xFDEF) &&
           (cp & 0xFFFE) != 0xFFFE &&
           !(cp >= 0xD800 && cp <= 0xDFFF);
}

/* Four hex digits at @p (before @end), or -1. */
static long json_hex4(const char *p, const char *end)
{
    long cp = 0;

    if (end - p < 4) {
        return -1;
    }
    for (int i = 0; i < 4; i++) {
        int d = g_ascii_xdigit_value(p[i]);

        if (d < 0) {
            return -1;
        }
        cp = cp << 4 | d;
    }
    return cp;
}

/* Append code point @cp as json-glib input inside a "..." string. */
static void json_append_codepoint(GString *out, gunichar cp)
{
    char utf8[6];

    if (cp == '"' || cp == '\\') {
        g_string_append_c(out, '\\');
        g_string_append_c(out, cp);
    } else if (cp < 0x20) {
        g_string_append_printf(out, "\\u%04x", cp);
    } else {
        g_string_append_len(out, utf8, g_unichar_to_utf8(cp, utf8));
    }
}

/*
 * Decode the "\uXXXX" escape starting at @beg (its backslash), and a
 * low surrogate escape after a high one; *@pp points just after the 'u'.
 * On success advance *@pp past what was decoded, store the code point in
 * *@cp_out and return NULL; else return QEMU's description of the
 * problem (a new string).
 */
static char *json_decode_u_escape(const char **pp, const char *beg,
                                  const char *end, gunichar *cp_out)
{
    const char *p = *pp;
    long cp = json_hex4(p, end);

    p += MIN(4, end - p);
    if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 6 &&
        p[0] == '\\' && p[1] == 'u') {
        long trail = json_hex4(p + 2, end);

        if (trail >= 0xDC00 && trail <= 0xDFFF) {
            cp = 0x10000 + ((cp & 0x3FF) << 10) + (trail & 0x3FF);
            p += 6;
        } else {
            cp = -1;
        }
    }
    if (cp == 0) {
        return g_strdup("\\u0000 is not supported");
    }
    if (!json_codepoint_valid(cp)) {
        return g_strdup_printf("%.*s is not a valid Unicode character",
                               (int)(p - beg), beg);
    }
    *pp = p;
    *cp_out = cp;
    return NULL;
}

/* The one-character escapes, and what json-glib should be given. */
static const struct {
    char esc;
    gunichar cp;
} json_simple_escapes[] = {
    { '"', '"' }, { '\'', '\'' }, { '\\', '\\' }, { '/', '/' },
    { 'b', '\b' }, { 'f', '\f' }, { 'n', '\n' }, { 'r', '\r' },
    { 't', '\t' },
};

static char *json_decode_escape(GString *out, const char **pp,
                                const char *end)
{
    const char *beg = *pp;
    char esc = beg[1];
    gunichar cp = 0;
    char *err;

    *pp = beg + 2;
    if (esc == 'u') {
        err = json_decode_u_escape(pp, beg, end, &cp);
        if (!err) {
            json_append_codepoint(out, cp);
        }
        return err;
    }
    for (size_t i = 0; i < ARRAY_SIZE(json_simple_escapes); i++) {
        if (json_simple_escapes[i].esc == esc) {
            json_append_codepoint(out, json_simple_escapes[i].cp);
            return NULL;
        }
    }
    return g_strdup("invalid escape sequence in string");
}

char *json_token_append_string(GString *out, const char *tok, size_t len)
{
    const char *p = tok + 1;
    const char *end = tok + len - 1;    /* the closing quote */

    assert(len >= 2 && (tok[0] == '"' || tok[0] == '\''));
    g_string_append_c(out, '"');
    while (p < end) {
        const guchar *u = (const guchar *)p;
        gunichar cp;

        if (*p == '\\') {
            char *err = json_decode_escape(out, &p, end);

            if (err) {
                return err;
            }
            continue;
        }
        if (u[0] == 0xC0 && end - p >= 2 && u[1] == 0x80) {
            /* QEMU's "modified UTF-8" spelling of U+0000 */
            return g_strdup("\\u0000 is not supported");
        }
        cp = g_utf8_get_char_validated(p, end - p);
        if (cp == (gunichar)-1 || cp == (gunichar)-2 ||
            !json_codepoint_valid(cp)) {
            return g_strdup("invalid UTF-8 sequence in string");
        }
        json_append_codepoint(out, cp);
        p = g_utf8_next_char(p);
    }
    g_string_append_c(out, '"');
    return NULL;
}

void json_token_append_integer(GString *out, const char *tok)
{
    int64_t i;
    uint64_t u;

    g_string_append(out, tok);
    if (qemu_strtoi64(tok, NULL, 10, &i) == -ERANGE &&
        (tok[0] == '-' || qemu_strtou64(tok, NULL, 10, &u) == -ERANGE)) {
        /* Neither int64 nor uint64: a double, as in QEMU. */
        g_string_append(out, ".0");
    }
}

char *json_token_check_keyword(const char *tok)
{
    if (!strcmp(tok, "true") || !strcmp(tok, "false") ||
        !strcmp(tok, "null")) {
        return NULL;
    }
    return g_strdup_printf("invalid keyword '%s'", tok);
}

/* Members of all objects in @node, to compare with the ':' count. */
static size_t json_count_members(JsonNode *node)
{
    size_t n = 0;

    if (JSON_NODE_HOLDS_OBJECT(node)) {
        JsonObjectIter iter;
        JsonNode *member;

        json_object_iter_init(&iter, json_node_get_object(node));
        while (json_object_iter_next(&iter, NULL, &member)) {
            n += 1 + json_count_members(member);
        }
    } else if (JSON_NODE_HOLDS_ARRAY(node)) {
        JsonArray *a = json_node_get_array(node);

        for (guint i = 0; i < json_array_get_length(a); i++) {
            n += json_count_members(json_array_get_element(a, i));
        }
    }
    return n;
}

/*
 * json-glib's grammar complaints, in the words QEMU's parser uses for the
 * same mistake.  json-glib's codes are coarser than QEMU's messages: it
 * does not say which container lacked a separator, and it reports a
 * non-string key ("key is not a string in object" in QEMU) with the same
 * code as any unexpected token, which QEMU mostly calls "expecting value".
 */
static const char *json_glib_error_desc(const GError *gerr)
{
    if (gerr->domain != JSON_PARSER_ERROR) {
        return "expecting value";
    }
    switch (gerr->code) {
    case JSON_PARSER_ERROR_MISSING_COLON:
        return "missing : in object pair";
    case JSON_PARSER_ERROR_MISSING_COMMA:
        return "expected separator in list or dict";
    default:
        return "expecting value";
    }
}

JsonNode *json_parse_value(const char *text, size_t len, size_t colons,
                           Error **errp)
{
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    g_autoptr(GError) gerr = NULL;
    JsonNode *root;

    if (!json_parser_load_from_data(parser, text, len, &gerr)) {
        error_setg(errp, "JSON parse error, %s", json_glib_error_desc(gerr));
        return NULL;
    }
    root = json_parser_get_root(parser);
    if (!root) {
        error_setg(errp, "JSON parse error, expecting value");
        return NULL;
    }
    if (json_count_members(root) != colons) {
        error_setg(errp, "JSON parse error, duplicate key");
        return NULL;
    }
    return json_node_ref(root);
}
