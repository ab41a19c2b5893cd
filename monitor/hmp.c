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
 * reads lines through QEMU's line editing (util/readline.c: keys,
 * history, echo; Tab completion in hmp-complete.c), runs each and prompts
 * again.  The echo starts once the client shows it is a terminal, so a
 * script that writes whole lines reads only the output.  A line longer
 * than READLINE_LINE_MAX bytes is dropped with an error: QEMU's readline
 * stops taking characters at its buffer size, and running the truncated
 * line could do harm.  While a MiB of output waits for the client
 * (HMP_OUT_HIGH_WATER), the monitor takes no more of its input.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qapi/qmp-registry.h"
#include "qapi/qapi-commands.h"
#include "qemu/readline.h"
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

#define HMP_PROMPT "(qemu) "
/*
 * Above this many bytes queued in the chardev (the client is not
 * reading), the monitor stops taking input until they are written: the
 * echo, a completion list or a command's output can be much larger than
 * the input that caused it.
 */
#define HMP_OUT_HIGH_WATER (1u << 20)

/**
 * struct MonitorHMP: one human monitor on a chardev.
 * @rs: its line editor (owned); the history lives as long as the monitor,
 *   across clients, as in QEMU.
 * @stash: input read but not fed yet because output is congested (at
 *   most one chunk); reading is paused while it is not empty.
 * @pump_src: the idle source that feeds @stash after a drain, or 0.
 * @session: counts clients, so that a feed the client left during
 *   drops the rest of its input.
 */
typedef struct MonitorHMP {
    Chardev *chr;
    ReadLineState *rs;
    GByteArray *stash;
    guint pump_src;
    unsigned session;
} MonitorHMP;

static GPtrArray *hmp_monitors;     /* MonitorHMP *, for cleanup */

/* @len bytes of @text to the client, "\n" as CRLF (QEMU's monitor_puts) */
static void monitor_hmp_write(void *opaque, const char *text, size_t len)
{
    MonitorHMP *mon = opaque;
    g_autoptr(GString) crlf = g_string_sized_new(len + 16);

    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n') {
            g_string_append_c(crlf, '\r');
        }
        g_string_append_c(crlf, text[i]);
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

    readline_restart(mon->rs);
    monitor_hmp_write(mon, banner, strlen(banner));
    readline_show_prompt(mon->rs);
}

/* readline's line callback: run @line, print its output and the prompt */
static void monitor_hmp_line(void *opaque, const char *line, bool overlong)
{
    MonitorHMP *mon = opaque;
    g_autoptr(GString) out = g_string_new(NULL);
    g_autofree char *valid = NULL;
    MonitorQMP *qmp_mon;

    if (overlong) {
        g_string_append_printf(out, "Error: command line longer than %d "
                               "bytes dropped\n", READLINE_LINE_MAX);
    } else {
        valid = g_utf8_make_valid(line, -1);
        /* no QMP session: getfd's fds are not reachable from here */
        qmp_mon = monitor_qmp_set_cur(NULL);
        hmp_run_line(valid, out);
        monitor_qmp_set_cur(qmp_mon);
    }
    g_free(valid);
    valid = g_utf8_make_valid(out->str, out->len);
    monitor_hmp_write(mon, valid, strlen(valid));
    readline_show_prompt(mon->rs);
}

static bool monitor_hmp_congested(void *opaque)
{
    MonitorHMP *mon = opaque;

    return qemu_chr_outbuf_len(mon->chr) >= HMP_OUT_HIGH_WATER;
}

/* Feed @buf; keep what the editor did not take and stop reading. */
static void monitor_hmp_feed(MonitorHMP *mon, const uint8_t *buf,
                             size_t len)
{
    unsigned session = mon->session;
    size_t done = readline_feed(mon->rs, buf, len);

    if (session != mon->session) {
        return;                 /* the client left: its input goes too */
    }
    g_byte_array_append(mon->stash, buf + done, len - done);
    qemu_chr_set_read_paused(mon->chr, mon->stash->len != 0);
}

static void monitor_hmp_read(void *opaque, const uint8_t *buf, size_t len,
                             int *fds, size_t nfds)
{
    MonitorHMP *mon = opaque;

    /* HMP takes no file descriptors on a chardev (QEMU: getfd over QMP) */
    for (size_t i = 0; i < nfds; i++) {
        close(fds[i]);
    }
    assert(!mon->stash->len);   /* reading is paused while it holds any */
    monitor_hmp_feed(mon, buf, len);
}

static gboolean monitor_hmp_pump(gpointer opaque)
{
    MonitorHMP *mon = opaque;
    GByteArray *stash = mon->stash;

    mon->pump_src = 0;
    if (stash->len && !monitor_hmp_congested(mon)) {
        mon->stash = g_byte_array_new();
        monitor_hmp_feed(mon, stash->data, stash->len);
        g_byte_array_unref(stash);
    }
    return G_SOURCE_REMOVE;
}

/* chardev callback; not inline: feeding input writes, and may disconnect */
static void monitor_hmp_drained(void *opaque)
{
    MonitorHMP *mon = opaque;

    if (mon->stash->len && !mon->pump_src) {
        mon->pump_src = g_idle_add(monitor_hmp_pump, mon);
    }
}

static void monitor_hmp_closed(void *opaque)
{
    MonitorHMP *mon = opaque;

    mon->session++;
    readline_restart(mon->rs);
    g_byte_array_set_size(mon->stash, 0);
    g_clear_handle_id(&mon->pump_src, g_source_remove);
    qemu_chr_set_read_paused(mon->chr, false);
}

static void monitor_hmp_free(MonitorHMP *mon)
{
    g_clear_handle_id(&mon->pump_src, g_source_remove);
    g_byte_array_unref(mon->stash);
    readline_free(mon->rs);
    g_free(mon);
}

bool monitor_init_hmp(Chardev *chr, Error **errp)
{
    static const CharHandlers handlers = {
        .opened = monitor_hmp_opened,
        .read = monitor_hmp_read,
        .closed = monitor_hmp_closed,
        .drained = monitor_hmp_drained,
    };
    static const ReadLineOps rl_ops = {
        .write = monitor_hmp_write,
        .line = monitor_hmp_line,
        .complete = hmp_complete,
        .congested = monitor_hmp_congested,
    };
    MonitorHMP *mon = g_new0(MonitorHMP, 1);

    mon->chr = chr;
    mon->stash = g_byte_array_new();
    mon->rs = readline_new(&rl_ops, mon, HMP_PROMPT, READLINE_ECHO_AUTO);
    if (!hmp_monitors) {
        hmp_monitors = g_ptr_array_new();
    }
    g_ptr_array_add(hmp_monitors, mon);
    if (!qemu_chr_set_handlers(chr, &handlers, mon, errp)) {
        g_ptr_array_remove(hmp_monitors, mon);
        monitor_hmp_free(mon);
        return false;
    }
    return true;
}

void monitor_hmp_cleanup(void)
{
    for (guint i = 0; hmp_monitors && i < hmp_monitors->len; i++) {
        monitor_hmp_free(hmp_monitors->pdata[i]);
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
