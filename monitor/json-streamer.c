/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json-streamer.c: the lexer and value framing under QMP (see
 * monitor/json-streamer.h for the interface).
 *
 * It mirrors QEMU's qobject/json-lexer.c and json-streamer.c closely
 * enough that the same input is cut into the same values and gets the
 * same lexical and limit errors; parsing a finished value is json-glib's
 * job (json-token.c).  The session logic above it lives in qmp.c.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "monitor/json-streamer.h"

/**
 * DOC: JSON framing of the QMP input stream
 *
 * The input is a sequence of JSON values separated by optional
 * whitespace (space, tab, CR, LF).  The lexer knows QEMU's tokens:
 *
 * - ``{ } [ ] : ,``
 * - strings in double or single quotes.  Inside, bytes 0x20..0xFD are
 *   taken as they are; a backslash escapes the next byte.  Valid escapes
 *   are ``\" \' \\ \/ \b \f \n \r \t \uXXXX`` (a surrogate pair for
 *   characters above U+FFFF).  Strings must be UTF-8 without surrogates
 *   or noncharacters.  U+0000 is refused (QEMU carries it as modified
 *   UTF-8; json-glib cannot).
 * - numbers: ``-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?``.
 *   An integer that fits neither int64 nor uint64 becomes a double.
 * - keywords ``[a-z]+``, of which only true, false and null parse.
 *
 * Framing: after each token the streamer looks at the number of open
 * braces and brackets.  While some are open (and none is negative), the
 * value goes on; otherwise the tokens so far form one value, which is
 * parsed and emitted.  So ``1`` is emitted when the byte after it
 * arrives, ``{}`` at its ``}``, and a stray ``]`` at once (as an error).
 *
 * Errors, each reported once as "JSON parse error, ..." (no "id"):
 *
 * - lexical ("stray '%s'", the token so far and the bad byte): the value
 *   so far is dropped and the lexer skips input until a byte that can
 *   resynchronise it: ``[ ] { } : ,``, a control character other than
 *   tab, or the impossible UTF-8 bytes 0xFE/0xFF.  Sending LF or 0xFF
 *   is therefore a way to get the parser back into a known state.
 * - token-level (bad escape, invalid UTF-8, bad keyword): the value is
 *   lexed to its end and then answered with the first such error.
 * - grammar (json-glib's verdict, in QEMU's words where they map) and
 *   duplicate keys.
 * - limits per value (not per connection), with QEMU's messages: more
 *   than 64 MiB of token text ("JSON token size limit exceeded"), more
 *   than 2 Mi tokens ("... token count ..."), more than 1024 open braces
 *   and brackets ("... nesting depth ...").  Unlike QEMU 8.2, which goes
 *   on lexing the rest of the oversized value as new input, the streamer
 *   then skips to the end of the value (counting brackets, never
 *   buffering) and starts afresh after it, as newer QEMU does.
 *
 * Whitespace outside tokens is never stored, so any amount of it costs
 * no memory; the text kept for the value being read is bounded by the
 * limits above.
 */

#define JSON_STRAY_SHOW_MAX 256     /* bytes of a bad token quoted back */
#define JSON_KEEP_ALLOC     (64u << 10)

typedef enum JsonLexState {
    LEX_START,
    LEX_RECOVERY,       /* after a lexical error: skip to a resync byte */
    LEX_DQ_STRING,
    LEX_DQ_ESCAPE,
    LEX_SQ_STRING,
    LEX_SQ_ESCAPE,
    LEX_SIGN,           /* "-" */
    LEX_ZERO,           /* "-"? "0" */
    LEX_DIGITS,         /* "-"? [1-9][0-9]* */
    LEX_FRAC_START,     /* ... "." */
    LEX_FRAC,           /* ... "." [0-9]+ */
    LEX_EXP_START,      /* ... [eE] */
    LEX_EXP_SIGN,       /* ... [eE] [+-] */
    LEX_EXP,            /* ... [eE] [+-]? [0-9]+ */
    LEX_KEYWORD,        /* [a-z]+ */
    /* Results of lex_number_next(), never stored in ->state: */
    LEX_END_INTEGER,    /* token ended before this byte */
    LEX_END_FLOAT,
    LEX_ERROR,          /* this byte is an error */
} JsonLexState;

typedef enum JsonTokenType {
    JSON_TOK_LCURLY,
    JSON_TOK_RCURLY,
    JSON_TOK_LSQUARE,
    JSON_TOK_RSQUARE,
    JSON_TOK_COLON,
    JSON_TOK_COMMA,
    JSON_TOK_STRING,
    JSON_TOK_INTEGER,
    JSON_TOK_FLOAT,
    JSON_TOK_KEYWORD,
} JsonTokenType;

struct JsonStreamer {
    JsonStreamerEmit *emit;
    void *opaque;
    JsonLexState state;
    GString *tok;           /* the token being lexed; empty while skipping */
    GString *text;          /* canonical text of the value so far */
    int brace_count;        /* '{' minus '}' in this value; may be < 0 */
    int bracket_count;      /* '[' minus ']' */
    size_t token_size;      /* bytes of the finished tokens of the value */
    size_t token_count;     /* finished tokens of the value */
    size_t colons;          /* ':' tokens, for the duplicate key check */
    char *taint;            /* first token-level error, reported at end */
    bool skipping;          /* after a limit error: skip to value end */
    bool paused;            /* json_streamer_pause() was called */
};

static void json_value_reset(JsonStreamer *s)
{
    if (s->text->allocated_len > JSON_KEEP_ALLOC) {
        g_string_free(s->text, true);
        s->text = g_string_new(NULL);
    }
    g_string_truncate(s->text, 0);
    s->brace_count = 0;
    s->bracket_count = 0;
    s->token_size = 0;
    s->token_count = 0;
    s->colons = 0;
    g_clear_pointer(&s->taint, g_free);
    s->skipping = false;
}

static void json_tok_clear(JsonStreamer *s)
{
    if (s->tok->allocated_len > JSON_KEEP_ALLOC) {
        g_string_free(s->tok, true);
        s->tok = g_string_new(NULL);
    }
    g_string_truncate(s->tok, 0);
}

static void json_emit_error(JsonStreamer *s, Error *err)
{
    s->emit(s->opaque, NULL, err);
}

/* A limit was exceeded: report it and skip the rest of the value. */
static void json_limit_error(JsonStreamer *s, const char *msg)
{
    Error *err = NULL;

    error_setg(&err, "%s", msg);
    json_tok_clear(s);
    g_string_truncate(s->text, 0);
    g_clear_pointer(&s->taint, g_free);
    s->brace_count = MAX(s->brace_count, 0);
    s->bracket_count = MAX(s->bracket_count, 0);
    s->skipping = true;
    json_emit_error(s, err);
}

/* Append @c to the token, enforcing the size limit as it grows. */
static void json_tok_push(JsonStreamer *s, char c)
{
    if (s->skipping) {
        return;
    }
    g_string_append_c(s->tok, c);
    if (s->token_size + s->tok->len + 1 > JSON_MAX_TOKEN_SIZE) {
        json_limit_error(s, "JSON token size limit exceeded");
    }
}

/* Byte @c cannot continue or start a token here. */
static void json_lex_error(JsonStreamer *s, char c)
{
    Error *err = NULL;
    g_autofree char *shown = NULL;
    GString *t = s->tok;

    s->state = LEX_RECOVERY;
    if (s->skipping) {
        return;
    }
    g_string_append_c(t, c);
    shown = g_utf8_make_valid(t->str, MIN(t->len, JSON_STRAY_SHOW_MAX));
    error_setg(&err, "JSON parse error, stray '%s%s'", shown,
               t->len > JSON_STRAY_SHOW_MAX ? "..." : "");
    json_tok_clear(s);
    json_value_reset(s);
    json_emit_error(s, err);
}

static void json_value_finish(JsonStreamer *s)
{
    JsonNode *node = NULL;
    Error *err = NULL;

    if (s->taint) {
        error_setg(&err, "JSON parse error, %s", s->taint);
    } else {
        node = json_parse_value(s->text->str, s->text->len, s->colons,
                                &err);
    }
    json_value_reset(s);
    s->emit(s->opaque, node, err);
}

/* Add the token's canonical text to the value (unless already tainted). */
static void json_token_commit(JsonStreamer *s, JsonTokenType type, char c)
{
    GString *text = s->text;
    char *problem = NULL;

    if (type == JSON_TOK_COLON) {
        s->colons++;
    }
    if (s->taint) {
        return;
    }
    switch (type) {
    case JSON_TOK_STRING:
        problem = json_token_append_string(text, s->tok->str, s->tok->len);
        break;
    case JSON_TOK_INTEGER:
        json_token_append_integer(text, s->tok->str);
        g_string_append_c(text, ' ');
        break;
    case JSON_TOK_KEYWORD:
        problem = json_token_check_keyword(s->tok->str);
        /* fall through */
    case JSON_TOK_FLOAT:
        g_string_append_len(text, s->tok->str, s->tok->len);
        g_string_append_c(text, ' ');
        break;
    default:
        g_string_append_c(text, c);
        break;
    }
    s->taint = problem;
}

static void json_count_bracket(JsonStreamer *s, JsonTokenType type)
{
    switch (type) {
    case JSON_TOK_LCURLY:
        s->brace_count++;
        break;
    case JSON_TOK_RCURLY:
        s->brace_count--;
        break;
    case JSON_TOK_LSQUARE:
        s->bracket_count++;
        break;
    case JSON_TOK_RSQUARE:
        s->bracket_count--;
        break;
    default:
        break;
    }
}

/* QEMU's rule: the value goes on while something is open, none below 0. */
static bool json_value_open(const JsonStreamer *s)
{
    return (s->brace_count > 0 || s->bracket_count > 0) &&
           s->brace_count >= 0 && s->bracket_count >= 0;
}

/* A token of @type ended; @c is its text for one-byte tokens. */
static void json_token_done(JsonStreamer *s, JsonTokenType type, char c)
{
    size_t len = s->tok->len ? s->tok->len : 1;

    json_count_bracket(s, type);
    if (s->skipping) {
        json_tok_clear(s);
        s->brace_count = MAX(s->brace_count, 0);
        s->bracket_count = MAX(s->bracket_count, 0);
        if (!s->brace_count && !s->bracket_count) {
            json_value_reset(s);
        }
        return;
    }
    if (s->token_size + len + 1 > JSON_MAX_TOKEN_SIZE) {
        json_limit_error(s, "JSON token size limit exceeded");
    } else if (s->token_count + 1 > JSON_MAX_TOKEN_COUNT) {
        json_limit_error(s, "JSON token count limit exceeded");
    } else if (s->brace_count + s->bracket_count > (int)JSON_MAX_NESTING) {
        json_limit_error(s, "JSON nesting depth limit exceeded");
    }
    if (s->skipping) {
        if (!json_value_open(s)) {
            json_value_reset(s);
        }
        return;
    }
    json_token_commit(s, type, c);
    json_tok_clear(s);
    s->token_size += len;
    s->token_count++;
    if (!json_value_open(s)) {
        json_value_finish(s);
    }
}

static const char json_punct[] = "{}[]:,";

static void json_lex_start(JsonStreamer *s, guchar c)
{
    const char *punct = c ? strchr(json_punct, c) : NULL;

    if (punct) {
        json_token_done(s, JSON_TOK_LCURLY + (punct - json_punct), c);
        return;
    }
    switch (c) {
    case ' ': case '\t': case '\r': case '\n':
        return;
    case '"':
        s->state = LEX_DQ_STRING;
        break;
    case '\'':
        s->state = LEX_SQ_STRING;
        break;
    case '-':
        s->state = LEX_SIGN;
        break;
    case '0':
        s->state = LEX_ZERO;
        break;
    default:
        if (c >= '1' && c <= '9') {
            s->state = LEX_DIGITS;
        } else if (c >= 'a' && c <= 'z') {
            s->state = LEX_KEYWORD;
        } else {
            json_lex_error(s, c);
            return;
        }
    }
    json_tok_push(s, c);
}

/* In a string: @quote ends it, @escape is the state after a backslash. */
static void json_lex_string(JsonStreamer *s, guchar c, char quote,
                            JsonLexState escape)
{
    if (c < 0x20 || c > 0xFD) {
        json_lex_error(s, c);
        return;
    }
    json_tok_push(s, c);
    if (c == quote) {
        s->state = LEX_START;
        json_token_done(s, JSON_TOK_STRING, c);
    } else if (c == '\\') {
        s->state = escape;
    }
}

/* Number grammar: the state after @c, or an LEX_END_* / LEX_ERROR. */
static JsonLexState lex_number_next(JsonLexState state, guchar c)
{
    bool digit = c >= '0' && c <= '9';
    bool exp = c == 'e' || c == 'E';

    switch (state) {
    case LEX_SIGN:
        return c == '0' ? LEX_ZERO : digit ? LEX_DIGITS : LEX_ERROR;
    case LEX_ZERO:
        return digit ? LEX_ERROR : c == '.' ? LEX_FRAC_START
               : LEX_END_INTEGER;
    case LEX_DIGITS:
        return digit ? LEX_DIGITS : c == '.' ? LEX_FRAC_START
               : exp ? LEX_EXP_START : LEX_END_INTEGER;
    case LEX_FRAC_START:
        return digit ? LEX_FRAC : LEX_ERROR;
    case LEX_FRAC:
        return digit ? LEX_FRAC : exp ? LEX_EXP_START : LEX_END_FLOAT;
    case LEX_EXP_START:
        return digit ? LEX_EXP : (c == '+' || c == '-') ? LEX_EXP_SIGN
               : LEX_ERROR;
    case LEX_EXP_SIGN:
        return digit ? LEX_EXP : LEX_ERROR;
    case LEX_EXP:
        return digit ? LEX_EXP : LEX_END_FLOAT;
    default:
        g_assert_not_reached();
    }
}

/* Is @c a byte at which error recovery stops skipping? */
static bool json_resyncs(guchar c)
{
    return (c < 0x20 && c != '\t') || c >= 0xFE ||
           (c && strchr(json_punct, c));
}

static void json_lex_char(JsonStreamer *s, guchar c)
{
    JsonLexState next;

    switch (s->state) {
    case LEX_START:
        json_lex_start(s, c);
        return;
    case LEX_RECOVERY:
        if (json_resyncs(c)) {
            s->state = LEX_START;
            json_lex_start(s, c);
        }
        return;
    case LEX_DQ_STRING:
        json_lex_string(s, c, '"', LEX_DQ_ESCAPE);
        return;
    case LEX_SQ_STRING:
        json_lex_string(s, c, '\'', LEX_SQ_ESCAPE);
        return;
    case LEX_DQ_ESCAPE:
    case LEX_SQ_ESCAPE:
        /* any byte the string may hold; the decoder judges the escape */
        if (c < 0x20 || c > 0xFD) {
            json_lex_error(s, c);
            return;
        }
        json_tok_push(s, c);
        s->state = s->state == LEX_DQ_ESCAPE ? LEX_DQ_STRING : LEX_SQ_STRING;
        return;
    case LEX_KEYWORD:
        if (c >= 'a' && c <= 'z') {
            json_tok_push(s, c);
            return;
        }
        s->state = LEX_START;
        json_token_done(s, JSON_TOK_KEYWORD, 0);
        json_lex_start(s, c);
        return;
    default:
        break;
    }
    next = lex_number_next(s->state, c);
    if (next == LEX_ERROR) {
        json_lex_error(s, c);
    } else if (next == LEX_END_INTEGER || next == LEX_END_FLOAT) {
        s->state = LEX_START;
        json_token_done(s, next == LEX_END_INTEGER ? JSON_TOK_INTEGER
                        : JSON_TOK_FLOAT, 0);
        json_lex_start(s, c);
    } else {
        s->state = next;
        json_tok_push(s, c);
    }
}

static bool json_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

size_t json_streamer_feed(JsonStreamer *s, const char *buf, size_t len)
{
    size_t i = 0;

    s->paused = false;
    while (i < len && !s->paused) {
        if (s->state == LEX_START) {
            /* the common case between values: no per-byte calls */
            while (i < len && json_is_space(buf[i])) {
                i++;
            }
            if (i == len) {
                break;
            }
        }
        json_lex_char(s, buf[i++]);
    }
    return i;
}

void json_streamer_pause(JsonStreamer *s)
{
    s->paused = true;
}

JsonStreamer *json_streamer_new(JsonStreamerEmit *emit, void *opaque)
{
    JsonStreamer *s = g_new0(JsonStreamer, 1);

    s->emit = emit;
    s->opaque = opaque;
    s->state = LEX_START;
    s->tok = g_string_new(NULL);
    s->text = g_string_new(NULL);
    return s;
}

void json_streamer_reset(JsonStreamer *s)
{
    s->state = LEX_START;
    json_tok_clear(s);
    json_value_reset(s);
}

void json_streamer_free(JsonStreamer *s)
{
    if (s) {
        g_free(s->taint);
        g_string_free(s->tok, true);
        g_string_free(s->text, true);
        g_free(s);
    }
}

bool json_streamer_is_idle(const JsonStreamer *s)
{
    return (s->state == LEX_START || s->state == LEX_RECOVERY) &&
           !s->tok->len && !s->text->len && !s->skipping &&
           !s->brace_count && !s->bracket_count;
}

size_t json_streamer_buffered(const JsonStreamer *s)
{
    return s->tok->allocated_len + s->text->allocated_len;
}
