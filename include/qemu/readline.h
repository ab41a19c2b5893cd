/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * readline.h: the line editor of the human monitor: a state machine fed
 * the bytes a terminal sends (keys, escape sequences), keeping one line
 * being edited, a history and the echo the terminal needs to show it.
 * It knows nothing of the monitor: what it writes goes through a
 * callback, finished lines go to another, and Tab asks a third for the
 * candidates.  Keys and their effect follow QEMU's util/readline.c (see
 * docs/system/qmp.md, "The human monitor" for the list).
 *
 * Hostile input is expected: the line holds at most READLINE_LINE_MAX
 * bytes (more are dropped and the line is reported overlong), escape
 * sequences of any length cost no memory, NUL is ignored, and bytes
 * above 0x7f are kept as they come (the caller validates UTF-8).
 *
 * Threads: one ReadLineState is used by one thread at a time.
 */
#ifndef QEMU_READLINE_H
#define QEMU_READLINE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The longest line kept, in bytes.  QEMU's buffer holds 4096; the human
 * monitor here always took 4095, and its tests and docs say so.
 */
#define READLINE_LINE_MAX 4095
/* Lines kept in the history (QEMU's READLINE_MAX_CMDS). */
#define READLINE_MAX_HISTORY 64
/* Candidates one Tab may offer (QEMU's READLINE_MAX_COMPLETIONS). */
#define READLINE_MAX_COMPLETIONS 256
/* The prompt, at most this many bytes (longer ones are cut). */
#define READLINE_PROMPT_MAX 64

typedef struct ReadLineState ReadLineState;

/**
 * enum ReadLineEcho: whether the editor writes what is typed back.
 * @READLINE_ECHO_AUTO: not until the peer shows it is a terminal: it
 *   sends a key no line-oriented client sends (an escape sequence, Tab,
 *   Backspace, a control key), or input that stops inside a line (keys
 *   come one by one).  A client that writes whole lines gets no echo.
 *   Once on, echo stays on until readline_restart().
 * @READLINE_ECHO_ON: always, as QEMU does (a terminal in raw mode).
 * @READLINE_ECHO_OFF: never (the terminal echoes itself).
 */
typedef enum ReadLineEcho {
    READLINE_ECHO_AUTO,
    READLINE_ECHO_ON,
    READLINE_ECHO_OFF,
} ReadLineEcho;

/**
 * struct ReadLineOps: what the editor calls.  @opaque is readline_new()'s.
 * @write: output for the terminal: echo, cursor movement (ESC [ C,
 *   ESC [ D), erase to end of line (ESC [ K), the prompt, completion
 *   lists.  Line ends are a bare "\n"; the caller converts them if its
 *   terminal wants CRLF.  Mandatory.
 * @line: a line was entered (CR, LF or CRLF); @line is NUL-terminated,
 *   borrowed for the call, without the line end.  @overlong: more than
 *   READLINE_LINE_MAX bytes were typed and the rest dropped, so @line is
 *   not what was sent.  The callback may write and show the prompt again
 *   (readline_show_prompt()).  Mandatory.
 * @complete: Tab was pressed; @line is the text before the cursor.  Add
 *   candidates with readline_add_completion() and say with
 *   readline_set_completion_index() how many bytes of each candidate are
 *   already typed.  Optional: without it Tab does nothing.
 * @congested: the output has not been read for too long: readline_feed()
 *   stops taking input (so a client that types but never reads cannot
 *   make the output grow without bound).  Asked after every byte.
 *   Optional.
 */
typedef struct ReadLineOps {
    void (*write)(void *opaque, const char *buf, size_t len);
    void (*line)(void *opaque, const char *line, bool overlong);
    void (*complete)(void *opaque, ReadLineState *rs, const char *line);
    bool (*congested)(void *opaque);
} ReadLineOps;

/**
 * readline_new: an editor with an empty line and history.  @ops must
 * outlive it; @prompt is copied (what readline_show_prompt() writes).
 * Returns: the new editor; free with readline_free().
 */
ReadLineState *readline_new(const ReadLineOps *ops, void *opaque,
                            const char *prompt, ReadLineEcho echo);
/** readline_free: free @rs and its history (NULL is allowed). */
void readline_free(ReadLineState *rs);

/**
 * readline_restart: a new peer: empty the line, forget any partial escape
 * sequence or CR, and go back to the echo mode given to readline_new().
 * The history stays (QEMU keeps it per monitor).  Writes nothing.
 */
void readline_restart(ReadLineState *rs);

/**
 * readline_feed: handle @len bytes from the peer, in order.  Input may
 * be cut anywhere, inside an escape sequence or between CR and LF.  May
 * call @ops->line (once per line) and @ops->complete; writes the echo
 * once at the end (and before a line end or a completion list).
 * Returns: the bytes taken: @len, or fewer if @ops->congested said so;
 * feed the rest once the output has drained.
 */
size_t readline_feed(ReadLineState *rs, const uint8_t *buf, size_t len);

/**
 * readline_show_prompt: write the prompt; the line is then shown as empty
 * (the next echo writes it whole after the prompt).
 */
void readline_show_prompt(ReadLineState *rs);

/** readline_add_completion: inside @ops->complete: offer @candidate. */
void readline_add_completion(ReadLineState *rs, const char *candidate);
/**
 * readline_set_completion_index: inside @ops->complete: the first @index
 * bytes of every candidate are typed already (the word being completed).
 */
void readline_set_completion_index(ReadLineState *rs, size_t index);

/** readline_get_line: the line being edited (borrowed, NUL-terminated). */
const char *readline_get_line(const ReadLineState *rs);
/** readline_get_cursor: the cursor, in bytes from the line's start. */
size_t readline_get_cursor(const ReadLineState *rs);
/** readline_is_echoing: echo is on now (see ReadLineEcho). */
bool readline_is_echoing(const ReadLineState *rs);
/**
 * readline_get_history: entry @index, 0 the oldest, or NULL past the
 * newest.  Borrowed until the next line is entered.
 */
const char *readline_get_history(const ReadLineState *rs, unsigned index);

#endif /* QEMU_READLINE_H */
