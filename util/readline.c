/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * readline.c: the human monitor's line editor (include/qemu/readline.h):
 * key decoding, the line, the history, Tab completion and the echo.  The
 * monitor (monitor/hmp.c) feeds it the bytes of its chardev and runs the
 * lines it hands back; what a command is, it does not know.
 *
 * Input states (rs->state), one byte at a time in readline_handle_byte():
 *
 *   GROUND --ESC--> ESC --'['--> CSI --final byte 0x40-0x7e--> GROUND
 *     |              |  --'O'--> SS3 --any printable byte----> GROUND
 *     +--0x9b (8-bit CSI)------> CSI
 *
 *   GROUND: printable bytes and bytes >= 0x80 go into the line, control
 *     bytes are keys (readline_key()).
 *   ESC: ESC again stays; another printable byte ends the sequence (an
 *     Alt-key: ignored, as QEMU).
 *   CSI: parameter (0x30-0x3f) and intermediate (0x20-0x2f) bytes are
 *     skipped, remembering the first decimal parameter (capped, so an
 *     endless run of digits costs nothing); the final byte is the key
 *     (readline_csi()).  Unknown keys are ignored.
 *   SS3: the next byte is the key (readline_ss3()).
 *   In ESC, CSI and SS3 a control byte (< 0x20 or DEL) ends the sequence
 *   and is then handled in GROUND, so a stray ESC does not swallow Enter
 *   (QEMU's readline drops it).
 *
 * Invariants (assert_readline_state()): len <= READLINE_LINE_MAX,
 * cursor <= len, line[len] == '\0', the same for the shown copy,
 * hist_count <= READLINE_MAX_HISTORY, hist_pos is -1 or < hist_count.
 *
 * Echo: rs->shown is what the terminal shows after the prompt and
 * rs->shown_cursor where its cursor is.  readline_redraw() moves the
 * cursor back to the first byte that changed, writes the rest of the
 * line, erases what is left of the old one (ESC [ K) and moves the cursor
 * to its place: a terminal ends up showing what QEMU's readline shows,
 * while a typed key costs a byte or two of output, not the whole line.
 * Positions are bytes, as in QEMU: a multi-byte character makes cursor
 * movement on the line inexact, never the line itself.
 */
#include "qemu/osdep.h"
#include "qemu/readline.h"

#define ESC_CURSOR_LEFT  "\033[D"
#define ESC_CURSOR_RIGHT "\033[C"
#define ESC_ERASE_EOL    "\033[K"
#define ESC_CLEAR_SCREEN "\033[2J\033[1;1H"

/* CSI parameters above this are all the same to us */
#define READLINE_PARAM_MAX 9999

typedef enum ReadLineInput {
    READLINE_GROUND,
    READLINE_ESC,
    READLINE_CSI,
    READLINE_SS3,
} ReadLineInput;

struct ReadLineState {
    const ReadLineOps *ops;
    void *opaque;
    char prompt[READLINE_PROMPT_MAX + 1];

    ReadLineInput state;
    unsigned param;         /* CSI: the first parameter, 0 if none */
    bool param_done;        /* CSI: a ';' ended the first parameter */
    bool after_cr;          /* the last byte was CR: LF now ends nothing */

    char line[READLINE_LINE_MAX + 1];
    size_t len;             /* bytes in @line */
    size_t cursor;          /* 0..len */
    bool overlong;          /* bytes were dropped from this line */

    ReadLineEcho echo_mode;
    bool echoing;
    char shown[READLINE_LINE_MAX + 1];
    size_t shown_len;
    size_t shown_cursor;

    /* oldest first; each g_malloc'd, none empty, no two equal */
    char *history[READLINE_MAX_HISTORY];
    unsigned hist_count;
    int hist_pos;           /* entry being shown, or -1: a new line */

    /* valid during a completion only */
    char *completions[READLINE_MAX_COMPLETIONS];
    unsigned nb_completions;
    size_t completion_index;
};

static void assert_readline_state(const ReadLineState *rs)
{
    assert(rs->len <= READLINE_LINE_MAX && rs->cursor <= rs->len);
    assert(rs->line[rs->len] == '\0');
    assert(rs->shown_len <= READLINE_LINE_MAX);
    assert(rs->shown_cursor <= rs->shown_len);
    assert(rs->hist_count <= READLINE_MAX_HISTORY);
    assert(rs->hist_pos >= -1 && rs->hist_pos < (int)rs->hist_count);
}

static void readline_write(ReadLineState *rs, const char *text, size_t len)
{
    if (len) {
        rs->ops->write(rs->opaque, text, len);
    }
}

static void readline_puts(ReadLineState *rs, const char *text)
{
    readline_write(rs, text, strlen(text));
}

/* ------------------------------------------------------------- echo */

static void readline_move_cursor(ReadLineState *rs, size_t to)
{
    GString *moves;

    if (to == rs->shown_cursor) {
        return;
    }
    moves = g_string_new(NULL);
    for (; rs->shown_cursor > to; rs->shown_cursor--) {
        g_string_append(moves, ESC_CURSOR_LEFT);
    }
    for (; rs->shown_cursor < to; rs->shown_cursor++) {
        g_string_append(moves, ESC_CURSOR_RIGHT);
    }
    readline_write(rs, moves->str, moves->len);
    g_string_free(moves, true);
}

/* Make the terminal show the line and cursor (if echoing). */
static void readline_redraw(ReadLineState *rs)
{
    size_t same = 0;

    if (!rs->echoing) {
        return;
    }
    while (same < rs->len && same < rs->shown_len &&
           rs->line[same] == rs->shown[same]) {
        same++;
    }
    if (same < rs->len || same < rs->shown_len) {
        readline_move_cursor(rs, same);
        readline_write(rs, rs->line + same, rs->len - same);
        if (rs->shown_len > rs->len) {
            readline_puts(rs, ESC_ERASE_EOL);
        }
        memcpy(rs->shown + same, rs->line + same, rs->len - same + 1);
        rs->shown_len = rs->len;
        rs->shown_cursor = rs->len;
    }
    readline_move_cursor(rs, rs->cursor);
    assert_readline_state(rs);
}

/* The terminal's cursor is right after a fresh prompt. */
static void readline_shown_reset(ReadLineState *rs)
{
    rs->shown[0] = '\0';
    rs->shown_len = rs->shown_cursor = 0;
}

void readline_show_prompt(ReadLineState *rs)
{
    readline_puts(rs, rs->prompt);
    readline_shown_reset(rs);
}

/* ------------------------------------------------------------- editing */

static void readline_set_line(ReadLineState *rs, const char *text)
{
    rs->len = MIN(strlen(text), READLINE_LINE_MAX);
    memcpy(rs->line, text, rs->len);
    rs->line[rs->len] = '\0';
    rs->cursor = rs->len;
    rs->overlong = false;
}

static void readline_insert(ReadLineState *rs, char c)
{
    if (rs->len >= READLINE_LINE_MAX) {
        rs->overlong = true;
        return;
    }
    memmove(rs->line + rs->cursor + 1, rs->line + rs->cursor,
            rs->len - rs->cursor + 1);
    rs->line[rs->cursor++] = c;
    rs->len++;
}

/* Remove bytes [@start, @end) of the line (end exclusive). */
static void readline_cut(ReadLineState *rs, size_t start, size_t end)
{
    assert(start <= end && end <= rs->len);
    memmove(rs->line + start, rs->line + end, rs->len - end + 1);
    rs->len -= end - start;
    if (rs->cursor > end) {
        rs->cursor -= end - start;
    } else if (rs->cursor > start) {
        rs->cursor = start;
    }
}

static void readline_delete_char(ReadLineState *rs)
{
    if (rs->cursor < rs->len) {
        readline_cut(rs, rs->cursor, rs->cursor + 1);
    }
}

static void readline_backspace(ReadLineState *rs)
{
    if (rs->cursor > 0) {
        readline_cut(rs, rs->cursor - 1, rs->cursor);
    }
}

/* ^W: the word before the cursor and the blanks after it. */
static void readline_kill_word(ReadLineState *rs)
{
    size_t start = rs->cursor;

    while (start > 0 && g_ascii_isspace(rs->line[start - 1])) {
        start--;
    }
    while (start > 0 && !g_ascii_isspace(rs->line[start - 1])) {
        start--;
    }
    readline_cut(rs, start, rs->cursor);
}

/* ----------------------------------------------------------- history */

static void readline_history_add(ReadLineState *rs, const char *line)
{
    char *entry = NULL;

    rs->hist_pos = -1;
    if (!line[0]) {
        return;
    }
    /* an equal entry moves to the newest place, as in QEMU */
    for (unsigned i = 0; i < rs->hist_count; i++) {
        if (!strcmp(rs->history[i], line)) {
            entry = rs->history[i];
            memmove(&rs->history[i], &rs->history[i + 1],
                    (rs->hist_count - i - 1) * sizeof(char *));
            rs->hist_count--;
            break;
        }
    }
    if (!entry && rs->hist_count == READLINE_MAX_HISTORY) {
        g_free(rs->history[0]);
        memmove(&rs->history[0], &rs->history[1],
                (READLINE_MAX_HISTORY - 1) * sizeof(char *));
        rs->hist_count--;
    }
    rs->history[rs->hist_count++] = entry ? entry : g_strdup(line);
}

static void readline_history_up(ReadLineState *rs)
{
    if (rs->hist_pos == 0 || !rs->hist_count) {
        return;
    }
    rs->hist_pos = rs->hist_pos < 0 ? (int)rs->hist_count - 1
                                    : rs->hist_pos - 1;
    readline_set_line(rs, rs->history[rs->hist_pos]);
}

static void readline_history_down(ReadLineState *rs)
{
    if (rs->hist_pos < 0) {
        return;
    }
    if (rs->hist_pos + 1 < (int)rs->hist_count) {
        rs->hist_pos++;
        readline_set_line(rs, rs->history[rs->hist_pos]);
    } else {
        rs->hist_pos = -1;
        readline_set_line(rs, "");
    }
}

const char *readline_get_history(const ReadLineState *rs, unsigned index)
{
    return index < rs->hist_count ? rs->history[index] : NULL;
}

/* -------------------------------------------------------- completion */

void readline_add_completion(ReadLineState *rs, const char *candidate)
{
    if (rs->nb_completions < READLINE_MAX_COMPLETIONS) {
        rs->completions[rs->nb_completions++] = g_strdup(candidate);
    }
}

void readline_set_completion_index(ReadLineState *rs, size_t index)
{
    rs->completion_index = index;
}

static int readline_compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Insert @text from byte @from on (nothing if it is shorter). */
static void readline_insert_from(ReadLineState *rs, const char *text,
                                 size_t from)
{
    for (size_t i = from; i < strlen(text); i++) {
        readline_insert(rs, text[i]);
    }
}

/*
 * Tab, as QEMU: one candidate is completed, followed by a space (unless
 * it ends in '/'); several get their common prefix completed and are
 * listed, sorted, in columns of an 80-column screen, then the prompt and
 * line are written again.
 */
static void readline_complete(ReadLineState *rs)
{
    g_autofree char *before = NULL;
    size_t prefix, width = 0;
    unsigned cols, col = 0;
    GString *list;

    if (!rs->ops->complete) {
        return;
    }
    rs->nb_completions = 0;
    rs->completion_index = 0;
    before = g_strndup(rs->line, rs->cursor);
    rs->ops->complete(rs->opaque, rs, before);
    if (rs->nb_completions == 1) {
        const char *only = rs->completions[0];
        size_t len = strlen(only);

        readline_insert_from(rs, only, rs->completion_index);
        if (len && only[len - 1] != '/') {
            readline_insert(rs, ' ');
        }
    } else if (rs->nb_completions > 1) {
        qsort(rs->completions, rs->nb_completions, sizeof(char *),
              readline_compare);
        prefix = strlen(rs->completions[0]);
        for (unsigned i = 0; i < rs->nb_completions; i++) {
            const char *c = rs->completions[i];
            size_t j = 0;

            while (j < prefix && c[j] == rs->completions[0][j]) {
                j++;
            }
            prefix = j;
            width = MAX(width, strlen(c));
        }
        /* the line as typed stays above the list */
        readline_redraw(rs);
        width = CLAMP(width + 2, 10, 80);
        cols = 80 / width;
        list = g_string_new("\n");
        for (unsigned i = 0; i < rs->nb_completions; i++) {
            g_string_append_printf(list, "%-*s", (int)width,
                                   rs->completions[i]);
            if (++col == cols || i + 1 == rs->nb_completions) {
                g_string_append_c(list, '\n');
                col = 0;
            }
        }
        readline_write(rs, list->str, list->len);
        g_string_free(list, true);
        g_autofree char *common = g_strndup(rs->completions[0], prefix);
        readline_insert_from(rs, common, rs->completion_index);
        readline_show_prompt(rs);
    }
    for (unsigned i = 0; i < rs->nb_completions; i++) {
        g_free(rs->completions[i]);
    }
    rs->nb_completions = 0;
}

/* ---------------------------------------------------------- the keys */

static void readline_enter(ReadLineState *rs)
{
    g_autofree char *line = g_strndup(rs->line, rs->len);
    bool overlong = rs->overlong;

    if (rs->echoing) {
        readline_redraw(rs);
        readline_puts(rs, "\n");
    }
    if (!overlong) {
        readline_history_add(rs, line);
    }
    rs->hist_pos = -1;
    readline_set_line(rs, "");
    readline_shown_reset(rs);
    rs->ops->line(rs->opaque, line, overlong);
}

static void readline_clear_screen(ReadLineState *rs)
{
    if (rs->echoing) {
        readline_puts(rs, ESC_CLEAR_SCREEN);
        readline_show_prompt(rs);
    }
}

/* A control byte (< 0x20, DEL) or 8-bit CSI in GROUND. */
static void readline_key(ReadLineState *rs, uint8_t c)
{
    switch (c) {
    case 0x01:                  /* ^A */
        rs->cursor = 0;
        break;
    case 0x04:                  /* ^D: delete; nothing on an empty line */
        readline_delete_char(rs);
        break;
    case 0x05:                  /* ^E */
        rs->cursor = rs->len;
        break;
    case '\t':
        readline_complete(rs);
        break;
    case 0x0b:                  /* ^K: kill to the end */
        readline_cut(rs, rs->cursor, rs->len);
        break;
    case 0x0c:                  /* ^L */
        readline_clear_screen(rs);
        break;
    case '\n':
    case '\r':
        readline_enter(rs);
        break;
    case 0x0e:                  /* ^N */
        readline_history_down(rs);
        break;
    case 0x10:                  /* ^P */
        readline_history_up(rs);
        break;
    case 0x15:                  /* ^U: kill to the start */
        readline_cut(rs, 0, rs->cursor);
        break;
    case 0x17:                  /* ^W */
        readline_kill_word(rs);
        break;
    case 0x1b:
        rs->state = READLINE_ESC;
        break;
    case 0x08:                  /* ^H */
    case 0x7f:
        readline_backspace(rs);
        break;
    case 0x9b:
        rs->state = READLINE_CSI;
        rs->param = 0;
        rs->param_done = false;
        break;
    default:                    /* ^C and the rest: nothing, as QEMU */
        break;
    }
}

/* The final byte @c of ESC [ ... with first parameter rs->param. */
static void readline_csi(ReadLineState *rs, uint8_t c)
{
    switch (c) {
    case 'A':
        readline_history_up(rs);
        break;
    case 'B':
        readline_history_down(rs);
        break;
    case 'C':
        rs->cursor = MIN(rs->cursor + 1, rs->len);
        break;
    case 'D':
        rs->cursor = rs->cursor ? rs->cursor - 1 : 0;
        break;
    case 'H':
        rs->cursor = 0;
        break;
    case 'F':
        rs->cursor = rs->len;
        break;
    case '~':
        switch (rs->param) {
        case 1:                 /* Home (vt220) */
        case 7:                 /* Home (rxvt) */
            rs->cursor = 0;
            break;
        case 3:                 /* Delete */
            readline_delete_char(rs);
            break;
        case 4:                 /* End (vt220) */
        case 8:                 /* End (rxvt) */
            rs->cursor = rs->len;
            break;
        default:                /* Insert, PgUp, PgDn, F5...: nothing */
            break;
        }
        break;
    default:
        break;
    }
}

/* ESC O @c: the keys of a terminal in application cursor mode. */
static void readline_ss3(ReadLineState *rs, uint8_t c)
{
    switch (c) {
    case 'A':
    case 'B':
    case 'C':
    case 'D':
    case 'H':
    case 'F':
        readline_csi(rs, c);
        break;
    default:
        break;
    }
}

static bool readline_is_control(uint8_t c)
{
    return c < 0x20 || c == 0x7f;
}

static void readline_handle_byte(ReadLineState *rs, uint8_t c)
{
    bool lf_after_cr = c == '\n' && rs->after_cr;

    rs->after_cr = c == '\r';
    if (rs->state != READLINE_GROUND && readline_is_control(c)) {
        rs->state = READLINE_GROUND;    /* the sequence ends unfinished */
    }
    switch (rs->state) {
    case READLINE_GROUND:
        if (lf_after_cr || c == '\0') {
            return;
        }
        if (readline_is_control(c) || c == 0x9b) {
            /* a key only terminals send */
            if (rs->echo_mode == READLINE_ECHO_AUTO && c != '\r' &&
                c != '\n') {
                rs->echoing = true;
            }
            readline_key(rs, c);
        } else {
            readline_insert(rs, c);
        }
        return;
    case READLINE_ESC:
        if (c == '[' || c == 'O') {
            rs->state = c == '[' ? READLINE_CSI : READLINE_SS3;
            rs->param = 0;
            rs->param_done = false;
        } else if (c != 0x1b) {
            rs->state = READLINE_GROUND;        /* Alt-key: ignored */
        }
        return;
    case READLINE_CSI:
        if (c >= '0' && c <= '9') {
            if (!rs->param_done) {
                rs->param = MIN(rs->param * 10 + (c - '0'),
                                READLINE_PARAM_MAX);
            }
        } else if (c >= 0x20 && c <= 0x3f) {
            rs->param_done = true;      /* ';', '?', intermediates... */
        } else {
            rs->state = READLINE_GROUND;
            if (c <= 0x7e) {
                readline_csi(rs, c);
            }
        }
        return;
    case READLINE_SS3:
        rs->state = READLINE_GROUND;
        readline_ss3(rs, c);
        return;
    }
}

size_t readline_feed(ReadLineState *rs, const uint8_t *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        readline_handle_byte(rs, buf[done++]);
        if (rs->ops->congested && rs->ops->congested(rs->opaque)) {
            break;
        }
    }
    /* input that stops inside a line: keys typed one by one, a terminal */
    if (rs->echo_mode == READLINE_ECHO_AUTO && done == len && len &&
        rs->len && !rs->overlong) {
        rs->echoing = true;
    }
    readline_redraw(rs);
    assert_readline_state(rs);
    return done;
}

/* ------------------------------------------------------------- set-up */

const char *readline_get_line(const ReadLineState *rs)
{
    return rs->line;
}

size_t readline_get_cursor(const ReadLineState *rs)
{
    return rs->cursor;
}

bool readline_is_echoing(const ReadLineState *rs)
{
    return rs->echoing;
}

void readline_restart(ReadLineState *rs)
{
    rs->state = READLINE_GROUND;
    rs->after_cr = false;
    rs->hist_pos = -1;
    readline_set_line(rs, "");
    readline_shown_reset(rs);
    rs->echoing = rs->echo_mode == READLINE_ECHO_ON;
}

ReadLineState *readline_new(const ReadLineOps *ops, void *opaque,
                            const char *prompt, ReadLineEcho echo)
{
    ReadLineState *rs = g_new0(ReadLineState, 1);

    assert(ops->write && ops->line);
    rs->ops = ops;
    rs->opaque = opaque;
    g_strlcpy(rs->prompt, prompt, sizeof(rs->prompt));
    rs->echo_mode = echo;
    readline_restart(rs);
    return rs;
}

void readline_free(ReadLineState *rs)
{
    if (!rs) {
        return;
    }
    for (unsigned i = 0; i < rs->hist_count; i++) {
        g_free(rs->history[i]);
    }
    g_free(rs);
}
