/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hmp.c: the human monitor as QMP's human-monitor-command reaches it: a
 * command line is split into words, matched against the HMP registry
 * (the longest registered name wins, so "info mtree -f" runs "info
 * mtree"), and run; its output comes back as one string.  Also the HMP
 * commands every monitor has: help and info.
 *
 * Texts follow QEMU's monitor/hmp.c: "unknown command: '...'" for names
 * nobody registered, "Error: ..." after a failing command's output,
 * "NAME PARAMS -- HELP" lines in help, and line ends turned into CRLF as
 * QEMU's monitor_puts() does.  The commands themselves live in their
 * subsystems.
 *
 * An HMP monitor on a chardev (-mon chardev=ID, QEMU's default mode,
 * "readline") greets with QEMU's banner and the "(qemu) " prompt, then
 * runs one command per line (ended by CR, LF or CRLF) and prompts again.
 * What it leaves out of QEMU's readline: echo, line editing, history and
 * completion; a client sends whole lines (socat, nc, expect scripts).  A
 * line longer than HMP_LINE_MAX bytes is dropped with an error, as QEMU's
 * readline stops taking characters at its buffer size.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qapi/qmp-registry.h"
#include "qapi/qapi-commands.h"
#include "monitor/monitor-internal.h"

#define HMP_INFO_PREFIX "info "

/* Run the command that best matches @argv; report what went wrong. */
static void hmp_dispatch(int argc, char **argv, GString *out)
{
    for (int words = argc; words > 0; words--) {
        char *saved = argv[words];
        g_autofree char *name = NULL;
        const HmpCommand *cmd;
        Error *err = NULL;

        argv[words] = NULL;     /* the first @words words, space-joined */
        name = g_strjoinv(" ", argv);
        argv[words] = saved;
        cmd = hmp_find_command(name);
        if (!cmd) {
            continue;
        }
        if (!cmd->fn(argc - words, argv + words, out, &err)) {
            hmp_append_error(out, err, "\n");
            error_free(err);
        }
        return;
    }
    g_string_append_printf(out, "unknown command: '%s'\n", argv[0]);
}

/**
 * hmp_run_line: run HMP command line @line, appending its output
 * (lines ending in "\n") to @out.
 */
static void hmp_run_line(const char *line, GString *out)
{
    g_auto(GStrv) argv = NULL;
    g_autoptr(GError) gerr = NULL;
    int argc;

    if (!g_shell_parse_argv(line, &argc, &argv, &gerr)) {
        if (!g_error_matches(gerr, G_SHELL_ERROR,
                             G_SHELL_ERROR_EMPTY_STRING)) {
            g_string_append_printf(out, "Error: %s\n", gerr->message);
        }
        return;
    }
    hmp_dispatch(argc, argv, out);
}

/* -------------------------------------------------------- help and info */

typedef struct HmpHelpFilter {
    GString *out;
    bool info;              /* list "info X" commands, else top level */
    const char *only;       /* just this command, or NULL for all */
    bool found;
} HmpHelpFilter;

static bool hmp_help_matches(const HmpHelpFilter *f, const char *name)
{
    if (f->only) {
        return !strcmp(name, f->only);
    }
    if (f->info) {
        return g_str_has_prefix(name, HMP_INFO_PREFIX);
    }
    return !strchr(name, ' ');      /* the top level: one word */
}

static void hmp_help_one(const HmpCommand *cmd, void *opaque)
{
    HmpHelpFilter *f = opaque;

    if (!hmp_help_matches(f, cmd->name)) {
        return;
    }
    f->found = true;
    g_string_append_printf(f->out, "%s %s -- %s\n", cmd->name,
                           cmd->params ? cmd->params : "",
                           cmd->help ? cmd->help : "");
}

/* help [COMMAND...]: all commands, the info commands, or one command. */
static bool hmp_help(int argc, char **argv, GString *out, Error **errp)
{
    g_autofree char *name = g_strjoinv(" ", argv);
    HmpHelpFilter f = { .out = out };

    if (!argc) {
        hmp_for_each_command(hmp_help_one, &f);
        return true;
    }
    if (!strcmp(name, "info")) {
        f.info = true;
    } else {
        f.only = name;
    }
    hmp_for_each_command(hmp_help_one, &f);
    if (!f.found) {
        g_string_append_printf(out, "unknown command: '%s'\n", name);
    }
    return true;
}

/* info: list the info commands; "info X" for unknown X lands here too. */
static bool hmp_info(int argc, char **argv, GString *out, Error **errp)
{
    if (!argc) {
        return hmp_help(1, (char *[]){ (char *)"info", NULL }, out, errp);
    }
    g_string_append_printf(out, "unknown command: 'info %s'\n", argv[0]);
    return true;
}

/* ------------------------------------------------ human-monitor-command */

static char *qmp_human_monitor_command(const char *command_line,
                                       bool has_cpu_index, int64_t cpu_index,
                                       Error **errp)
{
    g_autoptr(GString) out = g_string_new(NULL);
    GString *crlf;
    g_autofree char *valid = NULL;
    MonitorQMP *qmp_mon;

    /* the machine has one CPU as far as the monitor knows: index 0 */
    if (has_cpu_index && cpu_index != 0) {
        error_setg(errp, "Parameter 'cpu-index' expects a CPU number");
        return NULL;
    }
    /* QEMU runs HMP in a monitor of its own: no QMP fds in reach */
    qmp_mon = monitor_qmp_set_cur(NULL);
    hmp_run_line(command_line, out);
    monitor_qmp_set_cur(qmp_mon);

    valid = g_utf8_make_valid(out->str, out->len);
    crlf = g_string_new(NULL);
    for (const char *p = valid; *p; p++) {
        if (*p == '\n') {
            g_string_append_c(crlf, '\r');
        }
        g_string_append_c(crlf, *p);
    }
    return g_string_free(crlf, false);
}

/* ------------------------------------------------- HMP on a chardev */

/* QEMU's READLINE_CMD_BUF_SIZE is 4096 with the terminating NUL */
#define HMP_LINE_MAX 4095
#define HMP_PROMPT "(qemu) "

/**
 * struct MonitorHMP: one human monitor on a chardev.
 * @line: the bytes of the line being received (no terminator).
 * @overlong: the current line passed HMP_LINE_MAX; drop it at its end.
 * @after_cr: the last byte was CR (a following LF ends no second line).
 */
typedef struct MonitorHMP {
    Chardev *chr;
    GString *line;
    bool overlong;
    bool after_cr;
} MonitorHMP;

static GPtrArray *hmp_monitors;     /* MonitorHMP *, for cleanup */

static void monitor_hmp_puts(MonitorHMP *mon, const char *text)
{
    g_autoptr(GString) crlf = g_string_new(NULL);

    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            g_string_append_c(crlf, '\r');
        }
        g_string_append_c(crlf, *p);
    }
    qemu_chr_write(mon->chr, crlf->str, crlf->len);
}

static void monitor_hmp_opened(void *opaque)
{
    MonitorHMP *mon = opaque;
    g_autofree char *banner = g_strdup_printf(
        "QEMU %d.%d.%d monitor - type 'help' for more information\n",
        QMP_QEMU_VERSION_MAJOR, QMP_QEMU_VERSION_MINOR,
        QMP_QEMU_VERSION_MICRO);

    g_string_truncate(mon->line, 0);
    mon->overlong = mon->after_cr = false;
    monitor_hmp_puts(mon, banner);
    monitor_hmp_puts(mon, HMP_PROMPT);
}

static void monitor_hmp_line(MonitorHMP *mon)
{
    g_autoptr(GString) out = g_string_new(NULL);
    g_autofree char *valid = NULL;
    MonitorQMP *qmp_mon;

    if (mon->overlong) {
        g_string_append_printf(out, "Error: command line longer than %d "
                               "bytes dropped\n", HMP_LINE_MAX);
    } else {
        valid = g_utf8_make_valid(mon->line->str, mon->line->len);
        /* no QMP session: getfd's fds are not reachable from here */
        qmp_mon = monitor_qmp_set_cur(NULL);
        hmp_run_line(valid, out);
        monitor_qmp_set_cur(qmp_mon);
    }
    g_string_truncate(mon->line, 0);
    mon->overlong = false;
    g_string_append(out, HMP_PROMPT);
    g_free(valid);
    valid = g_utf8_make_valid(out->str, out->len);
    monitor_hmp_puts(mon, valid);
}

static void monitor_hmp_read(void *opaque, const uint8_t *buf, size_t len,
                             int *fds, size_t nfds)
{
    MonitorHMP *mon = opaque;

    /* HMP takes no file descriptors on a chardev (QEMU: getfd over QMP) */
    for (size_t i = 0; i < nfds; i++) {
        close(fds[i]);
    }
    for (size_t i = 0; i < len; i++) {
        uint8_t c = buf[i];
        bool lf_after_cr = c == '\n' && mon->after_cr;

        mon->after_cr = c == '\r';
        if (lf_after_cr) {
            continue;
        }
        if (c == '\r' || c == '\n') {
            monitor_hmp_line(mon);
        } else if (mon->line->len >= HMP_LINE_MAX) {
            mon->overlong = true;
        } else if (c) {
            g_string_append_c(mon->line, c);
        }
    }
}

static void monitor_hmp_closed(void *opaque)
{
    MonitorHMP *mon = opaque;

    g_string_truncate(mon->line, 0);
    mon->overlong = mon->after_cr = false;
}

bool monitor_init_hmp(Chardev *chr, Error **errp)
{
    static const CharHandlers handlers = {
        .opened = monitor_hmp_opened,
        .read = monitor_hmp_read,
        .closed = monitor_hmp_closed,
    };
    MonitorHMP *mon = g_new0(MonitorHMP, 1);

    mon->chr = chr;
    mon->line = g_string_new(NULL);
    if (!hmp_monitors) {
        hmp_monitors = g_ptr_array_new();
    }
    g_ptr_array_add(hmp_monitors, mon);
    if (!qemu_chr_set_handlers(chr, &handlers, mon, errp)) {
        g_ptr_array_remove(hmp_monitors, mon);
        g_string_free(mon->line, true);
        g_free(mon);
        return false;
    }
    return true;
}

void monitor_hmp_cleanup(void)
{
    for (guint i = 0; hmp_monitors && i < hmp_monitors->len; i++) {
        MonitorHMP *mon = hmp_monitors->pdata[i];

        g_string_free(mon->line, true);
        g_free(mon);
    }
    g_clear_pointer(&hmp_monitors, g_ptr_array_unref);
}

void monitor_register_hmp_commands(void)
{
    hmp_register_command("help", "[cmd]", "show the help", hmp_help);
    hmp_register_command("info", "[subcommand]",
                         "show various information about the system state",
                         hmp_info);
    qmp_register_human_monitor_command(qmp_human_monitor_command);
}
