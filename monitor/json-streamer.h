/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json-streamer.h: cut a QMP byte stream into top-level JSON values.
 *
 * The streamer lexes its input the way QEMU's json-lexer and json-streamer
 * do (both quote styles, QEMU's number grammar, brace/bracket counting,
 * QEMU's limits and error texts) and hands each complete value to
 * json-glib for parsing.  Before json-glib sees a token, the streamer has
 * validated and canonicalised it (json-token.c), so the quirks json-glib
 * has with single quotes, "\u0000", lone surrogates, hexadecimal numbers,
 * comments and integer overflow never reach it.  Whitespace between
 * tokens is never buffered.
 *
 * Used by monitor/qmp.c only; nothing here knows about QMP commands.
 */
#ifndef MONITOR_JSON_STREAMER_H
#define MONITOR_JSON_STREAMER_H

#include <json-glib/json-glib.h>

/* QEMU's limits (qobject/json-streamer.c), per top-level value. */
#define JSON_MAX_TOKEN_SIZE   (64u << 20)        /* bytes of all tokens */
#define JSON_MAX_TOKEN_COUNT  (2u * 1024 * 1024)
#define JSON_MAX_NESTING      1024u              /* [ and { combined */

typedef struct JsonStreamer JsonStreamer;

/**
 * JsonStreamerEmit: receive one top-level value or one error.
 * @opaque: as given to json_streamer_new().
 * @value: the parsed value (a new reference the callee owns), or NULL.
 * @err: what was wrong with the input (owned by the callee), or NULL.
 *
 * Exactly one of @value and @err is non-NULL.  The callback may call
 * json_streamer_pause(), but must not feed, reset or free the streamer.
 */
typedef void JsonStreamerEmit(void *opaque, JsonNode *value, Error *err);

/**
 * json_streamer_new: a streamer that reports through @emit.
 * Returns: a new streamer; free with json_streamer_free().
 */
JsonStreamer *json_streamer_new(JsonStreamerEmit *emit, void *opaque);

/** json_streamer_free: free @s and anything it buffered; NULL is fine. */
void json_streamer_free(JsonStreamer *s);

/**
 * json_streamer_feed: lex @len bytes of @buf, emitting every value and
 * error they complete.
 *
 * Returns: the number of bytes consumed: @len, or fewer when the emit
 * callback called json_streamer_pause(); the caller then feeds the rest
 * later (the byte that completed the paused value is counted as
 * consumed).
 */
size_t json_streamer_feed(JsonStreamer *s, const char *buf, size_t len);

/** json_streamer_pause: make the running json_streamer_feed() return. */
void json_streamer_pause(JsonStreamer *s);

/**
 * json_streamer_reset: forget any partial value and lexer state (the
 * connection went away).  Nothing is emitted.
 */
void json_streamer_reset(JsonStreamer *s);

/**
 * json_streamer_is_idle: true if no part of a value is pending: the
 * lexer is between tokens and nothing is buffered or being skipped.
 */
bool json_streamer_is_idle(const JsonStreamer *s);

/**
 * json_streamer_buffered: bytes currently allocated for partial input
 * (value text plus the token being lexed).  For tests of the limits.
 */
size_t json_streamer_buffered(const JsonStreamer *s);

/* ---- json-token.c: validation and canonical form of single tokens ---- */

/**
 * json_token_append_string: decode the string token @tok (@len bytes,
 * quotes included, either quote style) and append it to @out as a
 * double-quoted JSON string that json-glib reads back exactly.
 * Returns: NULL, or QEMU's description of the first problem (a new
 * string, e.g. "invalid escape sequence in string"); @out may then hold
 * part of the string.
 */
char *json_token_append_string(GString *out, const char *tok, size_t len);

/**
 * json_token_append_integer: append the integer token @tok (NUL
 * terminated, "-"? digits).  Integers beyond both int64 and uint64
 * become floating point, as QEMU's parser makes them.
 */
void json_token_append_integer(GString *out, const char *tok);

/**
 * json_token_check_keyword: NULL for true/false/null, else QEMU's
 * "invalid keyword '%s'" (a new string).
 */
char *json_token_check_keyword(const char *tok);

/**
 * json_parse_value: parse the canonical text @text (@len bytes) that the
 * streamer built.  @colons is the number of ':' tokens in it, used to
 * detect duplicate keys (json-glib silently keeps the last one; QEMU
 * refuses them).
 * Returns: the value (new reference), or NULL with @errp set to a
 * "JSON parse error, ..." error.
 */
JsonNode *json_parse_value(const char *text, size_t len, size_t colons,
                           Error **errp);

#endif /* MONITOR_JSON_STREAMER_H */
