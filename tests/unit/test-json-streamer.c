/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-json-streamer.c: the QMP input lexer and framer on its own: how a
 * byte stream is cut into values, the lexical/limit/grammar errors and
 * their QEMU texts, recovery after errors, and bounded memory.
 *
 * Each emitted value is recorded as its compact JSON text, each error as
 * "ERR:" plus its message, so a test states the whole expected outcome.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "monitor/json-streamer.h"

typedef struct Recorder {
    GPtrArray *out;         /* char *: "json" or "ERR:message" */
    bool pause_each;        /* call json_streamer_pause() per value */
    JsonStreamer *s;
} Recorder;

static void record(void *opaque, JsonNode *value, Error *err)
{
    Recorder *r = opaque;

    if (err) {
        g_ptr_array_add(r->out, g_strdup_printf("ERR:%s",
                                                error_get_pretty(err)));
        error_free(err);
    } else {
        g_ptr_array_add(r->out, json_to_string(value, false));
        json_node_unref(value);
    }
    if (r->pause_each) {
        json_streamer_pause(r->s);
    }
}

static Recorder *recorder_new(void)
{
    Recorder *r = g_new0(Recorder, 1);

    r->out = g_ptr_array_new_with_free_func(g_free);
    r->s = json_streamer_new(record, r);
    return r;
}

static void recorder_free(Recorder *r)
{
    json_streamer_free(r->s);
    g_ptr_array_unref(r->out);
    g_free(r);
}

static void feed(Recorder *r, const char *buf, size_t len)
{
    g_assert_cmpuint(json_streamer_feed(r->s, buf, len), ==, len);
}

static void feed_str(Recorder *r, const char *str)
{
    feed(r, str, strlen(str));
}

/* Feed @in (plus a newline to end top-level scalars), expect @expect. */
static void check_io(const char *in, const char *const *expect)
{
    Recorder *r = recorder_new();
    guint n = g_strv_length((char **)expect);

    feed_str(r, in);
    feed_str(r, "\n");
    for (guint i = 0; i < MIN(n, r->out->len); i++) {
        g_assert_cmpstr(r->out->pdata[i], ==, expect[i]);
    }
    g_assert_cmpuint(r->out->len, ==, n);
    g_assert_true(json_streamer_is_idle(r->s));
    recorder_free(r);
}

#define CHECK(in, ...) check_io(in, (const char *const[]){ __VA_ARGS__, NULL })

static void test_values(void)
{
    CHECK("{\"a\": 1, \"b\": [true, false, null]} [1,2]\t\"s\" 'x' 1.5 -0",
          "{\"a\":1,\"b\":[true,false,null]}", "[1,2]", "\"s\"", "\"x\"",
          "1.5", "0");
    CHECK("{}{}[]", "{}", "{}", "[]");
    CHECK("{\"\": {}}", "{\"\":{}}");
}

static void test_byte_by_byte(void)
{
    const char *in = "{'execute': 'x', 'id': [1, {'y': \"\\u00e9\"}]} 12 ";
    Recorder *whole = recorder_new(), *bytes = recorder_new();

    feed_str(whole, in);
    for (const char *p = in; *p; p++) {
        feed(bytes, p, 1);
    }
    g_assert_cmpuint(whole->out->len, ==, 2);
    g_assert_cmpuint(bytes->out->len, ==, 2);
    for (guint i = 0; i < 2; i++) {
        g_assert_cmpstr(whole->out->pdata[i], ==, bytes->out->pdata[i]);
    }
    g_assert_cmpstr(whole->out->pdata[1], ==, "12");
    recorder_free(whole);
    recorder_free(bytes);
}

static void test_strings(void)
{
    /* json-glib alone would keep single-quoted text verbatim */
    CHECK("{'a': 'b\"c', 'd': 'it\\'s', \"e\": \"\\'\"}",
          "{\"a\":\"b\\\"c\",\"d\":\"it's\",\"e\":\"'\"}");
    CHECK("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"",
          "\"\\\" \\\\ / \\b \\f \\n \\r \\t\"");
    CHECK("\"\\u00e9\\u20AC\\ud83d\\ude00\"", "\"é€😀\"");
    CHECK("'\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80'", "\"é€😀\"");
    CHECK("\"\\u0001\x7f\"", "\"\\u0001\\u007f\"");
}

static void test_string_errors(void)
{
    CHECK("\"\\x41\" {}", "ERR:JSON parse error, invalid escape sequence "
          "in string", "{}");
    CHECK("\"\\ud800\"", "ERR:JSON parse error, \\ud800 is not a valid "
          "Unicode character");
    CHECK("\"\\udc00x\"", "ERR:JSON parse error, \\udc00 is not a valid "
          "Unicode character");
    CHECK("\"\\uD800\\u0041\"", "ERR:JSON parse error, \\uD800 is not a "
          "valid Unicode character");
    CHECK("\"\\uFFFE\"", "ERR:JSON parse error, \\uFFFE is not a valid "
          "Unicode character");
    CHECK("\"\\u12G4\"", "ERR:JSON parse error, \\u12G4 is not a valid "
          "Unicode character");
    CHECK("\"\\u12\"", "ERR:JSON parse error, \\u12 is not a valid "
          "Unicode character");
    /* the first problem of a value wins; the value is read to its end */
    CHECK("[\"\\q\", \"\\ud800\"] 7", "ERR:JSON parse error, invalid "
          "escape sequence in string", "7");
}

static void test_nul(void)
{
    CHECK("[\"a\\u0000b\"]", "ERR:JSON parse error, \\u0000 is not "
          "supported");
    CHECK("\"a\xc0\x80\"", "ERR:JSON parse error, \\u0000 is not "
          "supported");
}

/* A raw NUL byte is a stray control character, in a string or not. */
static void test_nul_byte(void)
{
    Recorder *r = recorder_new();

    feed(r, "\"a\0\" [\0]\n{}", 11);
    g_assert_cmpuint(r->out->len, ==, 4);
    /* the NUL shows as U+FFFD (QEMU's C string would end there) */
    g_assert_cmpstr(r->out->pdata[0], ==,
                    "ERR:JSON parse error, stray '\"a\xef\xbf\xbd'");
    g_assert_cmpstr(r->out->pdata[1], ==,
                    "ERR:JSON parse error, stray '\xef\xbf\xbd'");
    /* as in QEMU, the error dropped the '[', so the ']' is stray too */
    g_assert_cmpstr(r->out->pdata[2], ==, "ERR:JSON parse error, "
                    "expecting value");
    g_assert_cmpstr(r->out->pdata[3], ==, "{}");
    recorder_free(r);
}

static void test_invalid_utf8(void)
{
    CHECK("\"\xc3\" {}", "ERR:JSON parse error, invalid UTF-8 sequence "
          "in string", "{}");
    CHECK("\"\xc1\x81\"", "ERR:JSON parse error, invalid UTF-8 sequence "
          "in string");
    CHECK("\"\xed\xa0\x80\"", "ERR:JSON parse error, invalid UTF-8 "
          "sequence in string");
    CHECK("\"\xef\xbf\xbe\"", "ERR:JSON parse error, invalid UTF-8 "
          "sequence in string");
    /* 0xFF can never be in a string: lexical error, shown as U+FFFD */
    CHECK("{'bad \xff", "ERR:JSON parse error, stray ''bad \xef\xbf\xbd'");
}

static void test_numbers(void)
{
    CHECK("9223372036854775807 -9223372036854775808",
          "9223372036854775807", "-9223372036854775808");
    /* uint64 range: json-glib keeps the bit pattern */
    CHECK("18446744073709551615", "-1");
    /* beyond uint64 or below int64: double, as QEMU */
    CHECK("18446744073709551616 -9223372036854775809",
          "1.8446744073709552e+19", "-9.2233720368547758e+18");
    CHECK("1e3 2.5E-1 0.5", "1000.0", "0.25", "0.5");
    CHECK("01", "ERR:JSON parse error, stray '01'");
    CHECK("0x10", "0", "ERR:JSON parse error, invalid keyword 'x'", "10");
    CHECK("+1", "ERR:JSON parse error, stray '+'");
    CHECK("-a", "ERR:JSON parse error, stray '-a'");
    CHECK("1.}", "ERR:JSON parse error, stray '1.}'");
    CHECK("1e+}", "ERR:JSON parse error, stray '1e+}'");
}

static void test_keywords(void)
{
    CHECK("nul", "ERR:JSON parse error, invalid keyword 'nul'");
    CHECK("{\"a\": tru}", "ERR:JSON parse error, invalid keyword 'tru'");
    CHECK("True", "ERR:JSON parse error, stray 'T'");
    CHECK("NaN", "ERR:JSON parse error, stray 'N'");
}

static void test_grammar(void)
{
    CHECK("{]", "ERR:JSON parse error, expecting value");
    CHECK("[1 2] {}", "ERR:JSON parse error, expected separator in list "
          "or dict", "{}");
    CHECK("{1: 2}", "ERR:JSON parse error, expecting value");
    CHECK("{\"a\" 1}", "ERR:JSON parse error, missing : in object pair");
    CHECK("]", "ERR:JSON parse error, expecting value");
    CHECK("[1,]", "ERR:JSON parse error, expecting value");
    CHECK("[1]]", "[1]", "ERR:JSON parse error, expecting value");
    CHECK("{\"a\":1,\"a\":2}", "ERR:JSON parse error, duplicate key");
    CHECK("[{\"x\": {\"a\": 1, \"b\": {}, \"a\": 1}}]",
          "ERR:JSON parse error, duplicate key");
    CHECK("{\"a\": {\"a\": 1}}", "{\"a\":{\"a\":1}}");
    /* more of QEMU's check-qjson junk, each followed by a good value */
    CHECK("[32,} 1", "ERR:JSON parse error, expecting value", "1");
    CHECK("{'abc':32,} 1", "ERR:JSON parse error, expecting value", "1");
    CHECK("{'abc' 32} 1", "ERR:JSON parse error, missing : in object pair",
          "1");
    CHECK("{32:'abc'} 1", "ERR:JSON parse error, expecting value", "1");
    CHECK("[1, 2 3] 1", "ERR:JSON parse error, expected separator in list "
          "or dict", "1");
    CHECK("{'a': 1 'b': 2} 1", "ERR:JSON parse error, expected separator "
          "in list or dict", "1");
    CHECK("[:] 1", "ERR:JSON parse error, expecting value", "1");
}

/* QEMU's qmp-test malformed inputs, each followed by a good value. */
static void test_recovery(void)
{
    CHECK("{]\n{'x': 1}", "ERR:JSON parse error, expecting value",
          "{\"x\":1}");
    CHECK("{\xff{'x': 1}", "ERR:JSON parse error, stray '\xef\xbf\xbd'",
          "{\"x\":1}");
    CHECK("{\x01{'x': 1}", "ERR:JSON parse error, stray '\x01'",
          "{\"x\":1}");
    CHECK("{'execute': 'nonexistent', 'id':'\n{'x': 1}",
          "ERR:JSON parse error, stray ''\n'", "{\"x\":1}");
    CHECK("%p garbage\n{'x': 1}", "ERR:JSON parse error, stray '%'",
          "{\"x\":1}");
    /* recovery skips up to a structural byte, so garbage is not lexed */
    CHECK("@ 'not a string\n[2]", "ERR:JSON parse error, stray '@'", "[2]");
}

static void test_pause(void)
{
    Recorder *r = recorder_new();
    const char *in = "{} [1] 'x' {}";
    size_t len = strlen(in), done = 0, n;

    r->pause_each = true;
    n = json_streamer_feed(r->s, in, len);
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmpuint(r->out->len, ==, 1);
    while (done + n < len) {
        done += n;
        n = json_streamer_feed(r->s, in + done, len - done);
    }
    g_assert_cmpuint(r->out->len, ==, 4);
    g_assert_cmpstr(r->out->pdata[2], ==, "\"x\"");
    recorder_free(r);
}

static void test_reset(void)
{
    Recorder *r = recorder_new();

    feed_str(r, "{'execute': 'x', 'arguments': {'s': 'unterminated");
    g_assert_false(json_streamer_is_idle(r->s));
    json_streamer_reset(r->s);
    g_assert_true(json_streamer_is_idle(r->s));
    feed_str(r, "{}");
    g_assert_cmpuint(r->out->len, ==, 1);
    g_assert_cmpstr(r->out->pdata[0], ==, "{}");
    recorder_free(r);
}

static void feed_repeat(Recorder *r, const char *unit, size_t times)
{
    size_t ulen = strlen(unit), chunk_units = MAX(1, (64 << 10) / ulen);
    g_autoptr(GString) chunk = g_string_new(NULL);

    for (size_t i = 0; i < chunk_units; i++) {
        g_string_append(chunk, unit);
    }
    while (times) {
        size_t n = MIN(times, chunk_units);

        feed(r, chunk->str, n * ulen);
        times -= n;
    }
}

static void test_nesting(void)
{
    Recorder *r = recorder_new();

    feed_repeat(r, "[", JSON_MAX_NESTING);
    feed_repeat(r, "]", JSON_MAX_NESTING);
    g_assert_cmpuint(r->out->len, ==, 1);
    g_assert_cmpuint(strlen(r->out->pdata[0]), ==, 2 * JSON_MAX_NESTING);
    g_assert_cmpint(((char *)r->out->pdata[0])[JSON_MAX_NESTING - 1], ==,
                    '[');
    /* 1025: one error, the rest of the value is skipped, then fresh */
    feed_repeat(r, "{'a':", 1);
    feed_repeat(r, "[", JSON_MAX_NESTING);
    feed_repeat(r, "]", JSON_MAX_NESTING);
    feed_str(r, "} {'ok': 1}");
    g_assert_cmpuint(r->out->len, ==, 3);
    g_assert_cmpstr(r->out->pdata[1], ==,
                    "ERR:JSON nesting depth limit exceeded");
    g_assert_cmpstr(r->out->pdata[2], ==, "{\"ok\":1}");
    recorder_free(r);
}

static void test_token_size(void)
{
    Recorder *r = recorder_new();
    size_t body = JSON_MAX_TOKEN_SIZE - 3;  /* + 2 quotes: limit - 1 */
    const char *err = "ERR:JSON token size limit exceeded";

    feed_str(r, "'");
    feed_repeat(r, "a", body);
    feed_str(r, "'");
    g_assert_cmpuint(r->out->len, ==, 1);
    g_assert_cmpuint(strlen(r->out->pdata[0]), ==, body + 2);
    g_assert_cmpuint(json_streamer_buffered(r->s), <, 1 << 20);

    /*
     * A token of 64 MiB + 1 fails (a 64 MiB one already does, as QEMU
     * counts one byte more): the error comes as the 64 MiB-th byte
     * arrives, before the closing quote.  Skipping the rest buffers
     * nothing.
     */
    feed_str(r, "'");
    feed_repeat(r, "a", JSON_MAX_TOKEN_SIZE - 1);
    g_assert_cmpuint(r->out->len, ==, 2);
    g_assert_cmpstr(r->out->pdata[1], ==, err);
    feed_repeat(r, "b", 16 << 20);
    g_assert_cmpuint(json_streamer_buffered(r->s), <, 1 << 20);
    feed_str(r, "' {'ok': 1}");
    g_assert_cmpuint(r->out->len, ==, 3);
    g_assert_cmpstr(r->out->pdata[2], ==, "{\"ok\":1}");

    /* the limit is on all tokens of a value together */
    feed_str(r, "[");
    for (int i = 0; i < 5; i++) {
        feed_str(r, "'");
        feed_repeat(r, "c", 16 << 20);
        feed_str(r, "',");
    }
    feed_str(r, "1] 2 ");
    g_assert_cmpuint(r->out->len, ==, 5);
    g_assert_cmpstr(r->out->pdata[3], ==, err);
    g_assert_cmpstr(r->out->pdata[4], ==, "2");
    recorder_free(r);
}

static void test_token_count(void)
{
    Recorder *r = recorder_new();
    size_t n = JSON_MAX_TOKEN_COUNT / 2 - 2;

    /* "[" + n * "0," + "0]" is 2n + 3 tokens: the limit minus one */
    feed_str(r, "[");
    feed_repeat(r, "0,", n);
    feed_str(r, "0]");
    g_assert_cmpuint(r->out->len, ==, 1);
    g_assert_false(g_str_has_prefix(r->out->pdata[0], "ERR"));

    feed_str(r, "[");
    feed_repeat(r, "0,", n + 1);
    feed_str(r, "0] {}");
    g_assert_cmpuint(r->out->len, ==, 3);
    g_assert_cmpstr(r->out->pdata[1], ==, "ERR:JSON token count limit "
                    "exceeded");
    g_assert_cmpstr(r->out->pdata[2], ==, "{}");
    recorder_free(r);
}

static void test_whitespace(void)
{
    Recorder *r = recorder_new();
    size_t chunk = 1 << 20, total = (size_t)1 << 30;
    g_autofree char *ws = g_malloc(chunk);

    for (size_t i = 0; i < chunk; i++) {
        ws[i] = " \t\r\n"[i % 4];
    }
    feed_str(r, "{");
    for (size_t done = 0; done < total; done += chunk) {
        feed(r, ws, chunk);
        /* inside a value as between values: nothing is kept */
        if (done == total / 2) {
            feed_str(r, "}");
        }
        g_assert_cmpuint(json_streamer_buffered(r->s), <, 4096);
    }
    feed_str(r, "[] ");
    g_assert_cmpuint(r->out->len, ==, 2);
    g_assert_cmpstr(r->out->pdata[0], ==, "{}");
    recorder_free(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/monitor/json/values", test_values);
    g_test_add_func("/monitor/json/byte-by-byte", test_byte_by_byte);
    g_test_add_func("/monitor/json/strings", test_strings);
    g_test_add_func("/monitor/json/string-errors", test_string_errors);
    g_test_add_func("/monitor/json/nul", test_nul);
    g_test_add_func("/monitor/json/nul-byte", test_nul_byte);
    g_test_add_func("/monitor/json/invalid-utf8", test_invalid_utf8);
    g_test_add_func("/monitor/json/numbers", test_numbers);
    g_test_add_func("/monitor/json/keywords", test_keywords);
    g_test_add_func("/monitor/json/grammar", test_grammar);
    g_test_add_func("/monitor/json/recovery", test_recovery);
    g_test_add_func("/monitor/json/pause", test_pause);
    g_test_add_func("/monitor/json/reset", test_reset);
    g_test_add_func("/monitor/json/nesting-1024-1025", test_nesting);
    g_test_add_func("/monitor/json/token-size-64mib", test_token_size);
    g_test_add_func("/monitor/json/token-count-2mi", test_token_count);
    g_test_add_func("/monitor/json/whitespace-1gib", test_whitespace);
    return g_test_run();
}
