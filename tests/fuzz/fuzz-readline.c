/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-readline.c: the human monitor's line editor (util/readline.c) fed
 * hostile bytes: escape sequences cut anywhere, endless parameters,
 * overlong lines, Tab with many candidates, history pressure.
 *
 * Input layout: byte 0 is control: bits 0-1 the echo mode (AUTO, ON,
 * OFF, ON), bits 2-4 the piece size the rest is fed in (1, 2, 3, 7, 64,
 * 4096, 65536 bytes, or whole); the rest is what the client sends.
 * Checked besides the sanitizers: every line handed over and the line
 * being edited are at most READLINE_LINE_MAX bytes with no control byte
 * in them, the cursor is on the line, and the output holds no control
 * byte but ESC and LF.
 */
#include "qemu/osdep.h"
#include "qemu/readline.h"
#include "fuzz.h"

static const char *const fuzz_candidates[] = {
    "info", "info status", "device_del", "device_add", "dir/", "", "i",
};

static void fuzz_check_text(const char *text, size_t len, bool output)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t c = text[i];

        if (output && (c == '\033' || c == '\n')) {
            continue;
        }
        g_assert_true(c >= 0x20 && c != 0x7f);
    }
}

static void fuzz_write(void *opaque, const char *buf, size_t len)
{
    fuzz_check_text(buf, len, true);
}

static void fuzz_line(void *opaque, const char *line, bool overlong)
{
    ReadLineState *rs = *(ReadLineState **)opaque;

    g_assert_cmpuint(strlen(line), <=, READLINE_LINE_MAX);
    fuzz_check_text(line, strlen(line), false);
    readline_show_prompt(rs);
}

/* candidates that share prefixes with what was typed, or not */
static void fuzz_complete(void *opaque, ReadLineState *rs, const char *line)
{
    size_t len = strlen(line);

    for (size_t i = 0; i < G_N_ELEMENTS(fuzz_candidates); i++) {
        readline_add_completion(rs, fuzz_candidates[i]);
    }
    readline_add_completion(rs, line);
    readline_set_completion_index(rs, len % 7);
}

static const ReadLineOps fuzz_ops = {
    .write = fuzz_write,
    .line = fuzz_line,
    .complete = fuzz_complete,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_sandbox_enter(*argc, *argv);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const ReadLineEcho echo[] = {
        READLINE_ECHO_AUTO, READLINE_ECHO_ON, READLINE_ECHO_OFF,
        READLINE_ECHO_ON,
    };
    static const size_t pieces[] = { 1, 2, 3, 7, 64, 4096, 65536, SIZE_MAX };
    ReadLineState *rs = NULL;
    size_t piece;

    if (!size) {
        return 0;
    }
    rs = readline_new(&fuzz_ops, &rs, "(qemu) ", echo[data[0] & 3]);
    piece = pieces[(data[0] >> 2) & 7];
    readline_show_prompt(rs);
    for (size_t off = 1; off < size; off += MIN(piece, size - off)) {
        const char *line;

        readline_feed(rs, data + off, MIN(piece, size - off));
        line = readline_get_line(rs);
        g_assert_cmpuint(strlen(line), <=, READLINE_LINE_MAX);
        g_assert_cmpuint(readline_get_cursor(rs), <=, strlen(line));
        fuzz_check_text(line, strlen(line), false);
    }
    readline_free(rs);
    return 0;
}
