/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-readline.c: the human monitor's line editor, fed bytes as a
 * terminal or a script sends them: every key, the history, Tab
 * completion, escape sequences cut at every byte, overlong lines and
 * random garbage.  The echo is checked through a small terminal emulator
 * (cursor movement, erase to end of line, line ends): after every input
 * the emulated screen must show the prompt, the line and the cursor where
 * the editor has them.
 */
#include "qemu/osdep.h"
#include "qemu/readline.h"

#define PROMPT "(qemu) "

/* ------------------------------------------------ a terminal, roughly */

typedef struct Term {
    GString *row;           /* the row the cursor is on */
    size_t col;
    unsigned rows;          /* rows ended by "\n" */
    GString *rest;          /* an escape sequence cut between writes */
} Term;

static void term_put(Term *t, char c)
{
    if (t->col < t->row->len) {
        t->row->str[t->col] = c;
    } else {
        while (t->row->len < t->col) {
            g_string_append_c(t->row, ' ');
        }
        g_string_append_c(t->row, c);
    }
    t->col++;
}

static void term_write(Term *t, const char *buf, size_t len)
{
    g_string_append_len(t->rest, buf, len);
    for (size_t i = 0; i < t->rest->len; i++) {
        const char *p = t->rest->str + i;
        size_t left = t->rest->len - i;

        if (*p == '\033') {
            if (left < 3) {
                g_string_erase(t->rest, 0, i);
                return;
            }
            g_assert_cmpint(p[1], ==, '[');
            if (p[2] == 'D') {
                g_assert_cmpuint(t->col, >, 0);
                t->col--;
            } else if (p[2] == 'C') {
                t->col++;
            } else if (p[2] == 'K') {
                g_string_truncate(t->row, MIN(t->row->len, t->col));
            } else if (p[2] == '2') {   /* ESC [ 2 J ESC [ 1 ; 1 H */
                g_assert_true(left >= 10);
                g_assert_true(!strncmp(p, "\033[2J\033[1;1H", 10));
                g_string_truncate(t->row, 0);
                t->col = 0;
                i += 7;
            } else {
                g_assert_not_reached();
            }
            i += 2;
        } else if (*p == '\n') {
            g_string_truncate(t->row, 0);
            t->col = 0;
            t->rows++;
        } else {
            g_assert_cmpint((unsigned char)*p, >=, 0x20);
            term_put(t, *p);
        }
    }
    g_string_truncate(t->rest, 0);
}

/* ------------------------------------------------------------ fixture */

typedef struct Fixture {
    ReadLineState *rs;
    GString *out;           /* everything written */
    Term term;
    GPtrArray *lines;       /* entered lines, "!" prefixed if overlong */
    const char *const *candidates;  /* what Tab offers, NULL-ended */
    size_t candidate_index;
    GString *completed_at;  /* the text @complete was given */
    bool prompt_after_line; /* the line callback shows the prompt */
    bool no_term;           /* do not emulate the terminal */
    size_t congest_at;      /* output bytes that mean congested; 0 never */
} Fixture;

static void fx_write(void *opaque, const char *buf, size_t len)
{
    Fixture *f = opaque;

    g_assert_cmpuint(len, >, 0);
    g_string_append_len(f->out, buf, len);
    if (!f->no_term) {
        term_write(&f->term, buf, len);
    }
}

static void fx_line(void *opaque, const char *line, bool overlong)
{
    Fixture *f = opaque;

    g_ptr_array_add(f->lines, g_strdup_printf("%s%s", overlong ? "!" : "",
                                              line));
    if (f->prompt_after_line) {
        readline_show_prompt(f->rs);
    }
}

static void fx_complete(void *opaque, ReadLineState *rs, const char *line)
{
    Fixture *f = opaque;

    g_string_assign(f->completed_at, line);
    for (const char *const *c = f->candidates; c && *c; c++) {
        readline_add_completion(rs, *c);
    }
    readline_set_completion_index(rs, f->candidate_index);
}

static bool fx_congested(void *opaque)
{
    Fixture *f = opaque;

    return f->congest_at && f->out->len >= f->congest_at;
}

static const ReadLineOps fx_ops = {
    .write = fx_write,
    .line = fx_line,
    .complete = fx_complete,
    .congested = fx_congested,
};

static void fx_init(Fixture *f, ReadLineEcho echo)
{
    memset(f, 0, sizeof(*f));
    f->out = g_string_new(NULL);
    f->term.row = g_string_new(NULL);
    f->term.rest = g_string_new(NULL);
    f->lines = g_ptr_array_new_with_free_func(g_free);
    f->completed_at = g_string_new(NULL);
    f->prompt_after_line = true;
    f->rs = readline_new(&fx_ops, f, PROMPT, echo);
    readline_show_prompt(f->rs);
}

static void fx_free(Fixture *f)
{
    readline_free(f->rs);
    g_string_free(f->out, true);
    g_string_free(f->term.row, true);
    g_string_free(f->term.rest, true);
    g_ptr_array_unref(f->lines);
    g_string_free(f->completed_at, true);
}

static void feed(Fixture *f, const char *bytes)
{
    readline_feed(f->rs, (const uint8_t *)bytes, strlen(bytes));
}

/* feed @len bytes one at a time */
static void feed_bytewise(Fixture *f, const char *bytes, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        readline_feed(f->rs, (const uint8_t *)bytes + i, 1);
    }
}

/* the emulated screen shows the prompt, the line, and the cursor on it */
static void check_screen(Fixture *f)
{
    g_autofree char *want = g_strconcat(PROMPT, readline_get_line(f->rs),
                                        NULL);

    g_assert_cmpstr(f->term.row->str, ==, want);
    g_assert_cmpuint(f->term.col, ==,
                     strlen(PROMPT) + readline_get_cursor(f->rs));
}

#define CHECK_LINE(f, text, cur) do { \
        g_assert_cmpstr(readline_get_line((f)->rs), ==, (text)); \
        g_assert_cmpuint(readline_get_cursor((f)->rs), ==, (cur)); \
    } while (0)

#define LEFT  "\033[D"
#define RIGHT "\033[C"

/* ---------------------------------------------------------- the tests */

static void test_insert_and_enter(void)
{
    Fixture f;

    fx_init(&f, READLINE_ECHO_OFF);
    feed(&f, "info status");
    CHECK_LINE(&f, "info status", 11);
    feed(&f, "\r");
    g_assert_cmpuint(f.lines->len, ==, 1);
    g_assert_cmpstr(f.lines->pdata[0], ==, "info status");
    CHECK_LINE(&f, "", 0);
    /* CR, LF and CRLF end one line each; a CRLF may be cut in two */
    feed(&f, "a\nb\r\nc\r");
    feed(&f, "\nd\n\n");
    g_assert_cmpuint(f.lines->len, ==, 6);
    g_assert_cmpstr(f.lines->pdata[1], ==, "a");
    g_assert_cmpstr(f.lines->pdata[2], ==, "b");
    g_assert_cmpstr(f.lines->pdata[3], ==, "c");
    g_assert_cmpstr(f.lines->pdata[4], ==, "d");
    g_assert_cmpstr(f.lines->pdata[5], ==, "");
    /* a CR after CR is a second line; NUL is ignored anywhere */
    readline_feed(f.rs, (const uint8_t *)"x\0y\r\r", 5);
    g_assert_cmpuint(f.lines->len, ==, 8);
    g_assert_cmpstr(f.lines->pdata[6], ==, "xy");
    g_assert_cmpstr(f.lines->pdata[7], ==, "");
    /* echo off: nothing but the prompts */
    g_assert_cmpuint(f.out->len, ==, 9 * strlen(PROMPT));
    fx_free(&f);
}

static void test_cursor_keys(void)
{
    Fixture f;

    fx_init(&f, READLINE_ECHO_ON);
    feed(&f, "ac" LEFT "b");
    CHECK_LINE(&f, "abc", 2);
    feed(&f, RIGHT RIGHT RIGHT);            /* stops at the end */
    CHECK_LINE(&f, "abc", 3);
    feed(&f, "\033OD\033OD");                /* application mode */
    CHECK_LINE(&f, "abc", 1);
    feed(&f, "\033OC");
    CHECK_LINE(&f, "abc", 2);
    feed(&f, LEFT LEFT LEFT LEFT);           /* stops at the start */
    CHECK_LINE(&f, "abc", 0);
    check_screen(&f);
    /* Home and End, every spelling */
    static const char *const home[] = {
        "\033[H", "\033[1~", "\033[7~", "\033OH", "\001", "\2331~",
    };
    static const char *const end[] = {
        "\033[F", "\033[4~", "\033[8~", "\033OF", "\005", "\233F",
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(home); i++) {
        feed(&f, end[i]);
        CHECK_LINE(&f, "abc", 3);
        check_screen(&f);
        feed(&f, home[i]);
        CHECK_LINE(&f, "abc", 0);
        check_screen(&f);
    }
    /* modified arrows (ESC [ 1 ; 5 C) move as plain ones */
    feed(&f, "\033[1;5C");
    CHECK_LINE(&f, "abc", 1);
    check_screen(&f);
    fx_free(&f);
}

static void test_delete_keys(void)
{
    Fixture f;

    fx_init(&f, READLINE_ECHO_ON);
    feed(&f, "abcd\177");                   /* DEL */
    CHECK_LINE(&f, "abc", 3);
    feed(&f, "\010");                       /* ^H */
    CHECK_LINE(&f, "ab", 2);
    feed(&f, "\001\177\010");               /* nothing before the cursor */
    CHECK_LINE(&f, "ab", 0);
    feed(&f, "\033[3~");                    /* Delete */
    CHECK_LINE(&f, "b", 0);
    feed(&f, "\004");                       /* ^D deletes too */
    CHECK_LINE(&f, "", 0);
    feed(&f, "\004\004\033[3~");            /* ^D on an empty line: nothing */
    CHECK_LINE(&f, "", 0);
    g_assert_cmpuint(f.lines->len, ==, 0);
    check_screen(&f);
    fx_free(&f);
}

static void test_kill_keys(void)
{
    Fixture f;

    fx_init(&f, READLINE_ECHO_ON);
    feed(&f, "info mtree -f" LEFT LEFT LEFT "\013");    /* ^K */
    CHECK_LINE(&f, "info mtree", 10);
    check_screen(&f);
    feed(&f, LEFT LEFT "\025");             /* ^U */
    CHECK_LINE(&f, "ee", 0);
    check_screen(&f);
    feed(&f, "\005\025");                   /* ^E ^U: all */
    CHECK_LINE(&f, "", 0);
    feed(&f, "foo bar  \027");              /* ^W: word and blanks */
    CHECK_LINE(&f, "foo ", 4);
    check_screen(&f);
    feed(&f, "\027");
    CHECK_LINE(&f, "", 0);
    feed(&f, "  \027");                     /* only blanks */
    CHECK_LINE(&f, "", 0);
    feed(&f, "one two three" LEFT LEFT LEFT LEFT LEFT LEFT "\027");
    CHECK_LINE(&f, "one  three", 4);
    check_screen(&f);
    feed(&f, "\001\027\013");               /* at the start: ^W nothing */
    CHECK_LINE(&f, "", 0);
    check_screen(&f);
    fx_free(&f);
}

static void test_ignored_keys(void)
{
    Fixture f;

    fx_init(&f, READLINE_ECHO_ON);
    feed(&f, "ab");
    /* ^C, ^G, Alt-x, PgUp, Insert, F1, Shift-Tab, an ESC ESC pair */
    feed(&f, "\003\007\033x\033[5~\033[2~\033OP\033[Z\033\033");
    feed(&f, "[D");                         /* ESC ESC [ D: Left */
    CHECK_LINE(&f, "ab", 1);
    check_screen(&f);
    g_assert_cmpuint(f.lines->len, ==, 0);
    fx_free(&f);
}

/* ^L clears the screen and writes the prompt and the line again */
static void test_clear_screen(void)
{
    Fixture f;

    fx_init(&f, READLINE_ECHO_ON);
    feed(&f, "info" LEFT);
    g_string_truncate(f.out, 0);
    feed(&f, "\014");
    g_assert_cmpstr(f.out->str, ==, "\033[2J\033[1;1H" PROMPT "info" LEFT);
    check_screen(&f);
    fx_free(&f);
}

/*
 * Escape sequences: cut anywhere they do the same; unfinished ones end at
 * a control byte, which then counts (a stray ESC does not eat Enter);
 * endless parameters cost nothing.
 */
static void test_escape_sequences(void)
{
    static const char input[] = "abc" LEFT "\033[1;5D" "X\033OH\033[3~"
                                "\2334~" "\033[F\177" "\033OA";
    Fixture whole, bytes;
    g_autoptr(GString) digits = g_string_new("\033[");
    Fixture f;

    fx_init(&whole, READLINE_ECHO_ON);
    fx_init(&bytes, READLINE_ECHO_ON);
    feed(&whole, input);
    feed_bytewise(&bytes, input, strlen(input));
    CHECK_LINE(&whole, "Xb", 2);
    CHECK_LINE(&bytes, "Xb", 2);
    check_screen(&whole);
    check_screen(&bytes);
    fx_free(&whole);
    fx_free(&bytes);

    fx_init(&f, READLINE_ECHO_ON);
    feed(&f, "ls\033[");
    feed(&f, "\r");                         /* ends the sequence, then CR */
    g_assert_cmpuint(f.lines->len, ==, 1);
    g_assert_cmpstr(f.lines->pdata[0], ==, "ls");
    feed(&f, "ab\033");
    feed(&f, "\177");                       /* ESC DEL: DEL counts */
    CHECK_LINE(&f, "a", 1);
    for (int i = 0; i < 100000; i++) {
        g_string_append_c(digits, '9');
    }
    g_string_append(digits, ";99999999999D");
    feed(&f, digits->str);                  /* a Left with a huge count */
    CHECK_LINE(&f, "a", 0);
    /* 8-bit bytes are text, 0x9b is CSI; bytes after ESC are dropped */
    feed(&f, "\xc3\xa9\233C\033\xc3");
    CHECK_LINE(&f, "\xc3\xa9" "a", 3);
    fx_free(&f);
}

static void test_overlong(void)
{
    Fixture f;
    g_autofree char *big = g_strnfill(5000, 'x');

    fx_init(&f, READLINE_ECHO_OFF);
    feed(&f, big);
    g_assert_cmpuint(strlen(readline_get_line(f.rs)), ==, READLINE_LINE_MAX);
    feed(&f, "\001y\n");                    /* full: inserting fails too */
    g_assert_cmpuint(f.lines->len, ==, 1);
    g_assert_cmpuint(strlen(f.lines->pdata[0]), ==, READLINE_LINE_MAX + 1);
    g_assert_cmpint(((char *)f.lines->pdata[0])[0], ==, '!');
    g_assert_null(readline_get_history(f.rs, 0));   /* not kept */
    /* exactly the maximum is fine */
    big[READLINE_LINE_MAX] = '\0';
    feed(&f, big);
    feed(&f, "\n");
    g_assert_cmpuint(strlen(f.lines->pdata[1]), ==, READLINE_LINE_MAX);
    g_assert_cmpstr(readline_get_history(f.rs, 0), ==, big);
    fx_free(&f);
}

static void test_history(void)
{
    Fixture f;

    fx_init(&f, READLINE_ECHO_ON);
    feed(&f, "\033[A\033[B");               /* empty history: nothing */
    CHECK_LINE(&f, "", 0);
    feed(&f, "one\rtwo\rthree\r\r");
    g_assert_cmpstr(readline_get_history(f.rs, 0), ==, "one");
    g_assert_cmpstr(readline_get_history(f.rs, 2), ==, "three");
    g_assert_null(readline_get_history(f.rs, 3));   /* "" is not kept */
    feed(&f, "\033[A");
    CHECK_LINE(&f, "three", 5);
    check_screen(&f);
    feed(&f, "\033[A\033[A\033[A\033OA");   /* stops at the oldest */
    CHECK_LINE(&f, "one", 3);
    check_screen(&f);
    feed(&f, "\033[B\016");                 /* Down, ^N */
    CHECK_LINE(&f, "three", 5);
    feed(&f, "\033[B");                     /* past the newest: empty */
    CHECK_LINE(&f, "", 0);
    check_screen(&f);
    feed(&f, "\033[B");
    CHECK_LINE(&f, "", 0);
    feed(&f, "\020\020");                   /* ^P ^P */
    CHECK_LINE(&f, "two", 3);
    /* a recalled line edited is a new entry; the old one stays */
    feed(&f, "\177o\r");
    g_assert_cmpstr(f.lines->pdata[f.lines->len - 1], ==, "two");
    /* "two" again: no duplicate, it becomes the newest */
    g_assert_cmpstr(readline_get_history(f.rs, 0), ==, "one");
    g_assert_cmpstr(readline_get_history(f.rs, 1), ==, "three");
    g_assert_cmpstr(readline_get_history(f.rs, 2), ==, "two");
    g_assert_null(readline_get_history(f.rs, 3));
    feed(&f, "\020x\r");                    /* "twox" */
    g_assert_cmpstr(readline_get_history(f.rs, 2), ==, "two");
    g_assert_cmpstr(readline_get_history(f.rs, 3), ==, "twox");
    /* at most 64, the oldest go */
    for (int i = 0; i < 100; i++) {
        g_autofree char *l = g_strdup_printf("cmd%d\r", i);

        feed(&f, l);
    }
    g_assert_cmpstr(readline_get_history(f.rs, 0), ==, "cmd36");
    g_assert_cmpstr(readline_get_history(f.rs, READLINE_MAX_HISTORY - 1), ==,
                    "cmd99");
    g_assert_null(readline_get_history(f.rs, READLINE_MAX_HISTORY));
    /* the history outlives a restart (a new client) */
    readline_restart(f.rs);
    feed(&f, "\033[A");
    CHECK_LINE(&f, "cmd99", 5);
    fx_free(&f);
}

static void test_complete_unique(void)
{
    static const char *const one[] = { "status", NULL };
    static const char *const dir[] = { "/tmp/", NULL };
    Fixture f;

    fx_init(&f, READLINE_ECHO_ON);
    f.candidates = one;
    f.candidate_index = 3;
    feed(&f, "info sta\t");
    g_assert_cmpstr(f.completed_at->str, ==, "info sta");
    CHECK_LINE(&f, "info status ", 12);
    check_screen(&f);
    /* completion works at the cursor: the text after it stays */
    feed(&f, "\025info staX" LEFT "\t");
    g_assert_cmpstr(f.completed_at->str, ==, "info sta");
    CHECK_LINE(&f, "info status X", 12);
    check_screen(&f);
    /* no space after a directory */
    f.candidates = dir;
    f.candidate_index = 2;
    feed(&f, "\005\025/t\t");
    CHECK_LINE(&f, "/tmp/", 5);
    /* none: nothing */
    f.candidates = NULL;
    g_string_truncate(f.out, 0);
    feed(&f, "\t");
    CHECK_LINE(&f, "/tmp/", 5);
    g_assert_cmpstr(f.out->str, ==, "");
    fx_free(&f);
}

static void test_complete_list(void)
{
    static const char *const many[] = {
        "memory_size_summary", "mtree", "memory-devices", NULL,
    };
    static const char *const mem[] = {
        "memory-devices", "memory_size_summary", NULL,
    };
    Fixture f;

    fx_init(&f, READLINE_ECHO_ON);
    f.candidates = many;
    f.candidate_index = 1;
    feed(&f, "info m");
    g_string_truncate(f.out, 0);
    feed(&f, "\t");
    /* sorted, in columns of the longest + 2, then prompt and line */
    g_assert_cmpstr(f.out->str, ==,
                    "\n"
                    "memory-devices       memory_size_summary  "
                    "mtree                \n"
                    PROMPT "info m");
    CHECK_LINE(&f, "info m", 6);
    check_screen(&f);
    /* the common prefix is completed */
    f.candidates = mem;
    feed(&f, "\t");
    CHECK_LINE(&f, "info memory", 11);
    check_screen(&f);
    f.candidate_index = 6;
    g_string_truncate(f.out, 0);
    feed(&f, "\t");
    g_assert_cmpstr(f.out->str, ==,
                    "\nmemory-devices       memory_size_summary  \n"
                    PROMPT "info memory");
    fx_free(&f);
}

/* more candidates than READLINE_MAX_COMPLETIONS are cut, not a crash */
static void test_complete_many(void)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    Fixture f;
    unsigned rows = 0;

    for (int i = 0; i < 1000; i++) {
        g_ptr_array_add(names, g_strdup_printf("c%04d", i));
    }
    g_ptr_array_add(names, NULL);
    fx_init(&f, READLINE_ECHO_ON);
    f.candidates = (const char *const *)names->pdata;
    f.candidate_index = 0;
    feed(&f, "\t");
    for (const char *p = f.out->str; *p; p++) {
        rows += *p == '\n';
    }
    /* 256 candidates, width 10: 8 a row, after the first "\n" */
    g_assert_cmpuint(rows, ==, 1 + READLINE_MAX_COMPLETIONS / 8);
    CHECK_LINE(&f, "c0", 2);
    fx_free(&f);
}

/*
 * READLINE_ECHO_AUTO: whole lines get no echo (a script reads only what
 * the commands print); a key only terminals send, or input that stops
 * inside a line, turns echo on until the next client.
 */
static void test_echo_auto(void)
{
    Fixture f;

    fx_init(&f, READLINE_ECHO_AUTO);
    f.prompt_after_line = false;
    g_string_truncate(f.out, 0);
    feed(&f, "info status\ninfo mtree\r\n");
    feed(&f, "stop\r");
    g_assert_cmpuint(f.lines->len, ==, 3);
    g_assert_cmpstr(f.out->str, ==, "");
    g_assert_false(readline_is_echoing(f.rs));
    /* an overlong line arriving in one piece is no typing either */
    g_autofree char *big = g_strnfill(READLINE_LINE_MAX + 1, 'x');
    feed(&f, big);
    g_assert_false(readline_is_echoing(f.rs));
    feed(&f, "\n");
    g_assert_cmpstr(f.out->str, ==, "");
    /* a line cut short by congested output is no typing either */
    g_string_assign(f.out, "unread output");
    f.congest_at = f.out->len;
    g_assert_cmpuint(readline_feed(f.rs, (const uint8_t *)"stop\n", 5), ==,
                     1);
    g_assert_false(readline_is_echoing(f.rs));
    g_string_truncate(f.out, 0);            /* the client reads */
    g_assert_cmpuint(readline_feed(f.rs, (const uint8_t *)"top\n", 4), ==,
                     4);
    g_assert_false(readline_is_echoing(f.rs));
    g_assert_cmpstr(f.lines->pdata[f.lines->len - 1], ==, "stop");
    g_assert_cmpstr(f.out->str, ==, "");
    f.congest_at = 0;
    /* a key typed alone */
    feed(&f, "i");
    g_assert_true(readline_is_echoing(f.rs));
    g_assert_cmpstr(f.out->str, ==, "i");
    feed(&f, "nfo\r");
    g_assert_cmpstr(f.out->str, ==, "info\n");
    readline_restart(f.rs);
    g_assert_false(readline_is_echoing(f.rs));
    /* an escape sequence in the middle of whole lines */
    g_string_truncate(f.out, 0);
    feed(&f, "ab" LEFT "\r");
    g_assert_true(readline_is_echoing(f.rs));
    g_assert_cmpstr(f.out->str, ==, "ab" LEFT "\n");
    readline_restart(f.rs);
    feed(&f, "a\tb\n");
    g_assert_true(readline_is_echoing(f.rs));
    fx_free(&f);

    /* ECHO_OFF never echoes, whatever comes */
    fx_init(&f, READLINE_ECHO_OFF);
    g_string_truncate(f.out, 0);
    feed(&f, "a\033[Db\t\r");
    g_assert_cmpstr(f.out->str, ==, PROMPT);
    g_assert_false(readline_is_echoing(f.rs));
    fx_free(&f);
}

/* the output QEMU's readline writes for typing and editing */
static void test_echo_bytes(void)
{
    Fixture f;

    fx_init(&f, READLINE_ECHO_ON);
    g_string_truncate(f.out, 0);
    feed(&f, "a");
    feed(&f, "b");
    g_assert_cmpstr(f.out->str, ==, "ab");
    feed(&f, LEFT);
    feed(&f, "X");                          /* rest of the line again */
    g_assert_cmpstr(f.out->str, ==, "ab" LEFT "Xb" LEFT);
    g_string_truncate(f.out, 0);
    feed(&f, "\177");                       /* back, rewrite, erase */
    g_assert_cmpstr(f.out->str, ==, LEFT "b\033[K" LEFT);
    g_string_truncate(f.out, 0);
    feed(&f, "\r");
    g_assert_cmpstr(f.out->str, ==, "\n" PROMPT);
    fx_free(&f);
}

/*
 * A client that does not read: the editor stops taking input once the
 * output is congested, and takes the rest, with the same result, once
 * it has been read.
 */
static void test_congested(void)
{
    g_autoptr(GString) in = g_string_new(NULL);
    Fixture f;
    size_t done, total = 0;
    unsigned rounds = 0;

    for (int i = 0; i < 1000; i++) {
        g_string_append(in, "\014ab\r");         /* ^L, a line */
    }
    fx_init(&f, READLINE_ECHO_AUTO);
    f.congest_at = 200;
    while (total < in->len) {
        done = readline_feed(f.rs, (const uint8_t *)in->str + total,
                             in->len - total);
        g_assert_cmpuint(done, >, 0);
        /* at most one byte's output past the mark, and the redraw */
        g_assert_cmpuint(f.out->len, <, 200 + 64);
        total += done;
        rounds++;
        g_string_truncate(f.out, 0);        /* the client reads */
    }
    g_assert_cmpuint(rounds, >, 100);
    g_assert_cmpuint(f.lines->len, ==, 1000);
    g_assert_true(readline_is_echoing(f.rs));
    check_screen(&f);
    fx_free(&f);
}

/*
 * Random keys (with the sequences cut at random) never break the
 * invariants, and after every chunk the emulated terminal shows exactly
 * the line and the cursor.
 */
static void test_random_keys(void)
{
    static const char *const keys[] = {
        "a", "b", " ", "\xc3", LEFT, RIGHT, "\033[H", "\033[F", "\033[3~",
        "\177", "\010", "\001", "\005", "\013", "\025", "\027", "\004",
        "\033[A", "\033[B", "\r", "\n", "\t", "\014", "\033", "[", "\0",
        "\233", "~", "9", ";",
    };
    static const char *const cands[] = { "ab", "abc", "b/", NULL };
    g_autoptr(GRand) rand = g_rand_new_with_seed(15);
    Fixture f;

    fx_init(&f, READLINE_ECHO_ON);
    f.candidates = cands;
    for (int round = 0; round < 3000; round++) {
        g_autoptr(GString) chunk = g_string_new(NULL);
        int n = g_rand_int_range(rand, 1, 12);

        for (int i = 0; i < n; i++) {
            const char *k = keys[g_rand_int_range(rand, 0,
                                                  G_N_ELEMENTS(keys))];

            g_string_append_len(chunk, k, *k ? strlen(k) : 1);
        }
        f.candidate_index = g_rand_int_range(rand, 0, 5);
        readline_feed(f.rs, (const uint8_t *)chunk->str, chunk->len);
        g_assert_cmpuint(strlen(readline_get_line(f.rs)), <=,
                         READLINE_LINE_MAX);
        g_assert_cmpuint(readline_get_cursor(f.rs), <=,
                         strlen(readline_get_line(f.rs)));
        check_screen(&f);
    }
    fx_free(&f);
}

/* garbage, megabytes of it: bounded line, bounded output per chunk */
static void test_random_bytes(void)
{
    g_autoptr(GRand) rand = g_rand_new_with_seed(4096);
    Fixture f;
    uint8_t buf[512];

    fx_init(&f, READLINE_ECHO_ON);
    f.no_term = true;
    for (int round = 0; round < 4000; round++) {
        size_t n = g_rand_int_range(rand, 1, sizeof(buf));

        for (size_t i = 0; i < n; i++) {
            buf[i] = g_rand_int_range(rand, 0, 256);
        }
        g_string_truncate(f.out, 0);
        readline_feed(f.rs, buf, n);
        g_assert_cmpuint(strlen(readline_get_line(f.rs)), <=,
                         READLINE_LINE_MAX);
        /* per byte at most a redraw of the line and a prompt */
        g_assert_cmpuint(f.out->len, <=,
                         (n + 1) * (8 * READLINE_LINE_MAX + 64));
    }
    fx_free(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/readline/insert-and-enter", test_insert_and_enter);
    g_test_add_func("/readline/keys/cursor", test_cursor_keys);
    g_test_add_func("/readline/keys/delete", test_delete_keys);
    g_test_add_func("/readline/keys/kill", test_kill_keys);
    g_test_add_func("/readline/keys/ignored", test_ignored_keys);
    g_test_add_func("/readline/keys/clear-screen", test_clear_screen);
    g_test_add_func("/readline/escape-sequences", test_escape_sequences);
    g_test_add_func("/readline/overlong", test_overlong);
    g_test_add_func("/readline/history", test_history);
    g_test_add_func("/readline/complete/unique", test_complete_unique);
    g_test_add_func("/readline/complete/list", test_complete_list);
    g_test_add_func("/readline/complete/many", test_complete_many);
    g_test_add_func("/readline/echo/auto", test_echo_auto);
    g_test_add_func("/readline/echo/bytes", test_echo_bytes);
    g_test_add_func("/readline/congested", test_congested);
    g_test_add_func("/readline/random/keys", test_random_keys);
    g_test_add_func("/readline/random/bytes", test_random_bytes);
    return g_test_run();
}
