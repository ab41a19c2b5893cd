/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vl.c: the sparsevm program: parse the command line (QEMU's option names
 * and syntax), build the machine in QEMU's order, run the main loop, and
 * tear down.
 *
 * Order of creation, and why:
 *   1. types, registries, chardevs (monitors and qtest need them);
 *   2. -object (backends must exist before the machine maps its RAM or a
 *      device links to them);
 *   3. the machine (-machine, -m, -smp, -bios) and its built-in devices;
 *   4. -device in command-line order (virtio-mmio slots are taken in that
 *      order);
 *   5. dumpdtb exits here if asked; otherwise qtest and QMP monitors start;
 *   6. a first system reset, then run unless -S.
 * Any error before the main loop prints one line and exits with status 1.
 */
#include "qemu/osdep.h"
#include <glib-unix.h>
#include <signal.h>
#include <sys/wait.h>
#include "chardev/char.h"
#include "hw/boards.h"
#include "hw/intc/ioapic.h"
#include "hw/mem/memory-device.h"
#include "hw/qdev.h"
#include "monitor/monitor.h"
#include "qemu/error.h"
#include "qemu/pidfile.h"
#include "qemu/host-mem.h"
#include "qemu/log.h"
#include "qemu/option.h"
#include "qemu/timer.h"
#include "qemu/trace.h"
#include "qapi/qapi-keyval.h"
#include "qom/object_interfaces.h"
#include "sysemu/dump.h"
#include "sysemu/hostmem.h"
#include "sysemu/qtest.h"
#include "sysemu/runstate.h"
#include "sysemu/sysemu.h"
#include "config-host.h"

typedef enum {
    OPT_HELP, OPT_VERSION, OPT_MACHINE, OPT_ACCEL, OPT_M, OPT_SMP,
    OPT_OBJECT, OPT_DEVICE, OPT_QMP, OPT_QMP_PRETTY, OPT_MON, OPT_CHARDEV,
    OPT_QTEST, OPT_QTEST_LOG, OPT_DISPLAY, OPT_NOGRAPHIC, OPT_S, OPT_NAME,
    OPT_BIOS, OPT_D, OPT_BIG_D, OPT_TRACE, OPT_NODEFAULTS, OPT_NO_SHUTDOWN,
    OPT_SERIAL, OPT_MONITOR, OPT_PIDFILE, OPT_TPMDEV, OPT_NO_REBOOT,
    OPT_NO_USER_CONFIG, OPT_MSG, OPT_DAEMONIZE, OPT_CPU,
    OPT__MAX
} OptIndex;

typedef struct VlOption {
    const char *name;
    OptIndex index;
    bool has_arg;
    bool once;          /* a second occurrence is an error */
    const char *help;
} VlOption;

static const VlOption vl_options[] = {
    { "h", OPT_HELP, false, false, "display this help and exit" },
    { "help", OPT_HELP, false, false, "as -h" },
    { "version", OPT_VERSION, false, false, "display version information "
      "and exit" },
    { "machine", OPT_MACHINE, true, false, "microvm|none|help[,help]"
      "[,accel=qtest|tcg[:...]][,dump-guest-core=on|off][,mem-merge=on|off]"
      "[,usb=off]"
      "[,dumpdtb=FILE]"
      "[,memory-backend=ID][,live-dump-copy-buffer=SIZE]"
      "[,x-ignore-discard-manager=on|off]"
      "[,x-kdump-zlib-level=N][,x-kdump-zstd-level=N]" },
    { "M", OPT_MACHINE, true, false, NULL },
    { "accel", OPT_ACCEL, true, false, "[accel=]qtest|tcg[,thread=single|"
      "multi]: qtest (the default) lets a qtest client play the CPU; tcg is "
      "accepted only with -machine none, for capability probes (-accel "
      "help)" },
    { "m", OPT_M, true, true, "[size=]SIZE[,slots=N][,maxmem=SIZE]" },
    { "cpu", OPT_CPU, true, true, "MODEL: the vCPU model (-cpu help)" },
    { "smp", OPT_SMP, true, true, "[cpus=]N[,maxcpus=][,sockets=][,dies=]"
      "[,clusters=][,cores=][,threads=] (dies and clusters: 1)" },
    { "object", OPT_OBJECT, true, false, "TYPE,id=ID[,PROP=VALUE...] | "
      "JSON | help | TYPE,help" },
    { "device", OPT_DEVICE, true, false, "DRIVER[,PROP=VALUE...] | JSON | "
      "help | DRIVER,help" },
    { "qmp", OPT_QMP, true, false, "unix:PATH[,server=on|off][,wait=on|off]"
      " | stdio | chardev:ID" },
    { "qmp-pretty", OPT_QMP_PRETTY, true, false, "as -qmp, pretty-printed" },
    { "mon", OPT_MON, true, false, "chardev=ID[,mode=readline|control][,pretty=on]" },
    { "chardev", OPT_CHARDEV, true, false, "socket,id=ID,path=PATH"
      "[,server=on|off][,wait=on|off] | stdio,id=ID | null,id=ID | help" },
    { "qtest", OPT_QTEST, true, true, "unix:PATH (connect to a qtest)" },
    { "qtest-log", OPT_QTEST_LOG, true, true, "FILE|none" },
    { "display", OPT_DISPLAY, true, false, "none (no display exists)" },
    { "nographic", OPT_NOGRAPHIC, false, false, "no display (the default)" },
    { "S", OPT_S, false, false, "do not start the VM (use 'cont')" },
    { "name", OPT_NAME, true, true, "NAME[,process=NAME][,debug-threads=]" },
    { "bios", OPT_BIOS, true, true, "FILE: firmware image" },
    { "d", OPT_D, true, false, "ITEM[,...]: enable logging (-d help)" },
    { "D", OPT_BIG_D, true, true, "FILE: log to FILE" },
    { "trace", OPT_TRACE, true, false, "[enable=]PATTERN|events=FILE"
      "|file=FILE" },
    { "nodefaults", OPT_NODEFAULTS, false, false, "no default devices" },
    { "no-shutdown", OPT_NO_SHUTDOWN, false, false, "stop instead of "
      "exiting on guest shutdown" },
    { "no-reboot", OPT_NO_REBOOT, false, false, "exit instead of "
      "rebooting" },
    { "serial", OPT_SERIAL, true, false, "none (no serial port exists)" },
    { "monitor", OPT_MONITOR, true, false, "unix:PATH[,server=on|off]"
      "[,wait=on|off] | stdio | chardev:ID | none: a human monitor (HMP)" },
    { "pidfile", OPT_PIDFILE, true, true, "FILE: write the process id" },
    { "tpmdev", OPT_TPMDEV, true, false, "emulator,id=ID,chardev=ID" },
    { "no-user-config", OPT_NO_USER_CONFIG, false, false,
      "(accepted: no configuration file is ever read)" },
    { "msg", OPT_MSG, true, false, "timestamp=on|off[,guest-name=on|off]: "
      "time-stamp error messages" },
    { "daemonize", OPT_DAEMONIZE, false, true, "detach once ready: the "
      "parent exits 0 when QMP and -pidfile are up, 1 on failure" },
};

typedef struct VlArg {
    const VlOption *opt;
    const char *arg;
    char *label;        /* "-m 1G", for messages */
} VlArg;

static GPtrArray *vl_args;
static int daemon_ready_fd = -1;    /* -daemonize: the parent's pipe */
static char *pidfile;
static const char *qtest_spec;
static const char *qtest_log;
static char *vm_name;
static bool start_paused;

static void vl_arg_free(gpointer p)
{
    VlArg *a = p;

    g_free(a->label);
    g_free(a);
}

static void help(void)
{
    printf("usage: sparsevm [options]\n\n"
           "A small x86_64 virtual machine monitor built around sparse "
           "guest memory.\nOptions use QEMU's names and syntax:\n\n");
    for (size_t i = 0; i < ARRAY_SIZE(vl_options); i++) {
        const VlOption *o = &vl_options[i];

        if (o->help) {
            printf("-%-12s %s%s%s\n", o->name, o->has_arg ? "ARG: " : "",
                   "", o->help);
        }
    }
    printf("\nSizes take QEMU's suffixes (k, M, G, T, P, E); -m defaults "
           "to MiB.\n");
}

static void version(void)
{
    printf("sparsevm version %s (QEMU-compatible command line and QMP)\n",
           SPARSEVM_VERSION);
}

/* Levenshtein distance of @a and @b, capped: 3 means "3 or more". */
static unsigned edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    g_autofree unsigned *row = NULL;

    if (la > 64 || lb > 64 || (la > lb ? la - lb : lb - la) >= 3) {
        return 3;
    }
    row = g_new(unsigned, lb + 1);
    for (size_t j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        unsigned diag = row[0];

        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned up = row[j];

            row[j] = MIN(MIN(row[j] + 1, row[j - 1] + 1),
                         diag + (a[i - 1] != b[j - 1]));
            diag = up;
        }
    }
    return MIN(row[lb], 3);
}

/*
 * The candidate closest to @name (distance 1 or 2, and less than half
 * of @name), for "did you mean" hints; NULL if none is that close.
 */
static const char *suggest(const char *name, const char *const *cands,
                           size_t n)
{
    const char *best = NULL;
    unsigned best_d = 3;

    for (size_t i = 0; i < n; i++) {
        unsigned d = edit_distance(name, cands[i]);

        if (d < best_d && 2 * d < strlen(name)) {
            best = cands[i];
            best_d = d;
        }
    }
    return best;
}

static const VlOption *lookup_option(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(vl_options); i++) {
        if (!strcmp(vl_options[i].name, name)) {
            return &vl_options[i];
        }
    }
    return NULL;
}

/* Collect the arguments; validates names, values and repetitions only. */
static void parse_argv(int argc, char **argv)
{
    bool seen[OPT__MAX] = { false };

    vl_args = g_ptr_array_new_with_free_func(vl_arg_free);
    for (int i = 1; i < argc; i++) {
        const char *name = argv[i];
        const VlOption *opt;
        VlArg *a;

        if (name[0] != '-' || !name[1]) {
            error_report("%s: invalid option (sparsevm takes no disk image "
                         "argument)", name);
            exit(1);
        }
        name += name[1] == '-' ? 2 : 1;
        opt = lookup_option(name);
        if (!opt) {
            const char *names[ARRAY_SIZE(vl_options)];
            const char *hint;

            for (size_t j = 0; j < ARRAY_SIZE(vl_options); j++) {
                names[j] = vl_options[j].name;
            }
            hint = suggest(name, names, ARRAY_SIZE(names));
            if (hint) {
                error_report("-%s: invalid option (did you mean -%s?)", name,
                             hint);
            } else {
                error_report("-%s: invalid option", name);
            }
            exit(1);
        }
        if (opt->has_arg && i + 1 >= argc) {
            error_report("-%s: requires an argument", name);
            exit(1);
        }
        if (opt->once && seen[opt->index]) {
            error_report("-%s: may be given only once", name);
            exit(1);
        }
        seen[opt->index] = true;
        a = g_new0(VlArg, 1);
        a->opt = opt;
        if (opt->has_arg) {
            a->arg = argv[++i];
            if (strlen(a->arg) > 64 * 1024) {
                error_report("-%s: argument too long (%zu bytes, limit "
                             "65536)", name, strlen(a->arg));
                exit(1);
            }
            a->label = g_strdup_printf("-%s %.100s", name, a->arg);
        } else {
            a->label = g_strdup_printf("-%s", name);
        }
        g_ptr_array_add(vl_args, a);
    }
}

/*
 * -daemonize, first half (QEMU's os_daemonize()): fork; the parent waits
 * until the child says it is ready (exit 0) or the child dies (its
 * status; the child printed why on the terminal).  The child leaves the
 * session and goes on.  Called before any thread exists.
 */
static void daemonize_start(void)
{
    int fds[2];
    pid_t pid;

    if (pipe2(fds, O_CLOEXEC)) {
        error_report("-daemonize: pipe: %s", g_strerror(errno));
        exit(1);
    }
    pid = fork();
    if (pid < 0) {
        error_report("-daemonize: fork: %s", g_strerror(errno));
        exit(1);
    }
    if (pid > 0) {
        ssize_t n;
        char c;
        int status;

        close(fds[1]);
        do {
            n = read(fds[0], &c, 1);
        } while (n < 0 && errno == EINTR);
        if (n == 1) {
            _exit(0);
        }
        if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
            WEXITSTATUS(status)) {
            _exit(WEXITSTATUS(status));
        }
        _exit(1);
    }
    close(fds[0]);
    daemon_ready_fd = fds[1];
    if (setsid() < 0) {
        error_report("-daemonize: setsid: %s", g_strerror(errno));
        exit(1);
    }
}

/*
 * -daemonize, second half (QEMU's os_setup_post()): the monitors and the
 * pid file exist: let the parent go, then drop the terminal (stdin,
 * stdout and stderr go to /dev/null, as in QEMU: use -D for a log) and
 * the working directory (relative paths given later, e.g. a dump's
 * "file:" protocol, are relative to /).
 */
static void daemonize_finish(void)
{
    int null;
    char c = 0;

    if (daemon_ready_fd < 0) {
        return;
    }
    if (chdir("/")) {
        error_report("-daemonize: chdir /: %s", g_strerror(errno));
        exit(1);
    }
    null = open("/dev/null", O_RDWR);
    if (null < 0) {
        error_report("-daemonize: /dev/null: %s", g_strerror(errno));
        exit(1);
    }
    if (write(daemon_ready_fd, &c, 1) != 1) {
        /* the parent is gone: nobody waits for us, carry on */
    }
    close(daemon_ready_fd);
    daemon_ready_fd = -1;
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    close(null);
}

/* QEMU's is_help_option(): "help" or "?". */
static bool is_help(const char *s)
{
    return !strcmp(s, "help") || !strcmp(s, "?");
}

/* "TYPE,help" or "TYPE,?": TYPE (g_free), else NULL. */
static char *help_type(const char *arg)
{
    const char *comma = strrchr(arg, ',');

    return comma && is_help(comma + 1) && arg[0] != '{'
           ? g_strndup(arg, comma - arg) : NULL;
}

/* Run @fn on every argument of option @index, in order. */
static void for_each_arg(OptIndex index, void (*fn)(VlArg *a, void *opaque),
                         void *opaque)
{
    for (guint i = 0; i < vl_args->len; i++) {
        VlArg *a = vl_args->pdata[i];

        if (a->opt->index == index) {
            error_set_location(a->label);
            fn(a, opaque);
            error_set_location(NULL);
        }
    }
}

static void register_types(void)
{
    type_register_object_types();
    qdev_register_types();
    hostmem_register_types();
    machine_register_types();
    microvm_register_types();
    null_machine_register_types();
    ioapic_register_types();
    sysemu_register_device_types();
}

static void register_commands(void)
{
    runstate_register_commands();
    runstate_init_memory_faults();
    machine_register_commands();
    memory_device_register_commands();
    hostmem_register_commands();
    sysemu_register_commands();
    monitor_register_qdev_commands();
    vl_register_commands(&vm_name);
}

/* ------------------------------------------------------------ option steps */

static void opt_early(VlArg *a, void *opaque)
{
    Error *err = NULL;

    switch (a->opt->index) {
    case OPT_D:
        if (!strcmp(a->arg, "help")) {
            qemu_log_help();
            exit(0);
        }
        qemu_set_log(a->arg, &error_fatal);
        break;
    case OPT_BIG_D:
        qemu_set_log_filename(a->arg, &error_fatal);
        break;
    case OPT_TRACE:
        trace_opt_parse(a->arg, &error_fatal);
        break;
    case OPT_DISPLAY:
        if (strcmp(a->arg, "none") && !g_str_has_prefix(a->arg, "none,")) {
            error_report("Display '%s' is not available: sparsevm has no "
                         "display (use -display none)", a->arg);
            exit(1);
        }
        break;
    case OPT_SERIAL:
        if (strcmp(a->arg, "none")) {
            error_report("'%s' is not supported: sparsevm has no serial "
                         "port (use 'none'; for a monitor, -monitor or "
                         "-qmp)", a->arg);
            exit(1);
        }
        break;
    case OPT_CHARDEV:
        if (is_help(a->arg)) {
            /* QEMU's heading, its trailing space included */
            printf("Available chardev backend types: \n  socket\n  stdio\n"
                   "  null\n");
            exit(0);
        }
        if (!qemu_chr_parse_opts(a->arg, &err)) {
            error_report_err(err);
            exit(1);
        }
        break;
    case OPT_NAME: {
        g_autoptr(QemuOpts) opts = qemu_opts_parse(a->arg, "guest", false,
                                                   &error_fatal);

        vm_name = g_strdup(qemu_opt_get(opts, "guest"));
        qemu_opt_get(opts, "process");
        qemu_opt_get(opts, "debug-threads");
        qemu_opts_check_unused(opts, &error_fatal);
        break;
    }
    case OPT_QTEST:
        qtest_spec = a->arg;
        break;
    case OPT_QTEST_LOG:
        qtest_log = a->arg;
        break;
    case OPT_S:
        start_paused = true;
        break;
    case OPT_PIDFILE:
        /* absolute: a daemon leaves its directory before exit unlinks it */
        pidfile = g_canonicalize_filename(a->arg, NULL);
        break;
    case OPT_MSG: {
        g_autoptr(QemuOpts) opts = qemu_opts_parse(a->arg, "timestamp",
                                                   false, &error_fatal);
        bool ts = false;

        if (!qemu_opt_get_bool(opts, "timestamp", false, &ts, &error_fatal)) {
            exit(1);
        }
        qemu_opt_get(opts, "guest-name");     /* no guest name to show */
        qemu_opts_check_unused(opts, &error_fatal);
        error_set_timestamps(ts);
        break;
    }
    default:
        break;
    }
}

/* Report @err (with its hint) and exit, as error_fatal would. */
static void exit_on_error(bool ok, Error *err)
{
    if (!ok) {
        error_report_err(err);
        exit(1);
    }
}

/*
 * For QEMU's JSON form: the JSON type member @name of a @type object or
 * device must have, from its QOM property (an instance is made to ask:
 * properties are per object here).
 */
static QapiKeyvalType json_member_type(const char *type, const char *name,
                                       void *opaque)
{
    ObjectClass *klass = object_class_by_name(type);
    QapiKeyvalType ret = QAPI_KEYVAL_ANY;
    ObjectProperty *prop;
    Object *obj;

    if (!klass || object_class_is_abstract(klass)) {
        return ret;     /* the key=value path names the bad type */
    }
    obj = object_new(type);
    prop = object_property_find(obj, name);
    if (prop) {
        switch (prop->kind) {
        case PROP_KIND_BOOL:
            ret = QAPI_KEYVAL_BOOL;
            break;
        case PROP_KIND_INT:
            ret = QAPI_KEYVAL_INT;
            break;
        case PROP_KIND_UINT:
        case PROP_KIND_SIZE:
            ret = QAPI_KEYVAL_UINT;
            break;
        default:
            ret = QAPI_KEYVAL_STR;
            break;
        }
    }
    object_unref(obj);
    return ret;
}

/* @a's argument in the key=value form (JSON converted; g_free). */
static char *vl_arg_keyval(VlArg *a, const char *type_key)
{
    Error *err = NULL;
    char *kv;

    if (a->arg[0] != '{') {
        return g_strdup(a->arg);
    }
    kv = qapi_json_to_keyval(a->arg, type_key, json_member_type, NULL, &err);
    exit_on_error(kv != NULL, err);
    return kv;
}

static void opt_object(VlArg *a, void *opaque)
{
    Error *err = NULL;

    g_autofree char *type = help_type(a->arg);
    g_autofree char *kv = NULL;
    ObjectClass *klass;

    if (is_help(a->arg) || type) {
        user_creatable_help(type);
        exit(0);
    }
    kv = vl_arg_keyval(a, "qom-type");
    if (!user_creatable_add_str(kv, &err)) {
        type = g_strndup(kv, strcspn(kv, ","));
        klass = object_class_by_name(type);
        if (!klass) {
            g_autoptr(GSList) list = object_class_get_list(NULL, false);
            g_autoptr(GPtrArray) names = g_ptr_array_new();
            const char *hint;

            for (GSList *l = list; l; l = l->next) {
                if (((ObjectClass *)l->data)->user_creatable) {
                    g_ptr_array_add(names, (char *)object_class_get_name(
                                                       l->data));
                }
            }
            hint = suggest(type, (const char *const *)names->pdata,
                           names->len);
            if (hint) {
                error_append_hint(&err, "did you mean '%s'?", hint);
            }
        }
        error_report_err(err);
        exit(1);
    }
}

static void opt_machine(VlArg *a, void *opaque)
{
    MachineState *ms = opaque;
    g_autoptr(QemuOpts) opts = qemu_opts_parse(a->arg, "type", false,
                                               &error_fatal);
    Error *err = NULL;

    for (guint i = 0; i < opts->opts->len; i++) {
        QemuOpt *opt = opts->opts->pdata[i];

        if (!strcmp(opt->name, "type")) {
            continue;
        }
        if (!strcmp(opt->name, "accel")) {
            continue;       /* configure_accelerator() */
        }
        if (!object_property_parse(OBJECT(ms), opt->name, opt->value,
                                   &err)) {
            error_report_err(err);
            exit(1);
        }
    }
}

static void opt_memory(VlArg *a, void *opaque)
{
    Error *err = NULL;

    bool ok = machine_parse_memory_opts(opaque, a->arg, &err);

    exit_on_error(ok, err);
}

static void opt_smp(VlArg *a, void *opaque)
{
    Error *err = NULL;

    bool ok = machine_parse_smp(opaque, a->arg, &err);

    exit_on_error(ok, err);
}

static void opt_cpu(VlArg *a, void *opaque)
{
    Error *err = NULL;
    bool ok;

    if (!strcmp(a->arg, "help") || !strcmp(a->arg, "?")) {
        x86_cpu_model_list(stdout);
        exit(0);
    }
    ok = machine_set_cpu_model(opaque, a->arg, &err);
    exit_on_error(ok, err);
}

static void opt_bios(VlArg *a, void *opaque)
{
    MachineState *ms = opaque;

    g_free(ms->firmware);
    ms->firmware = g_strdup(a->arg);
}

/*
 * A hint for an unknown -device @driver: QEMU's names for virtio-mem on
 * other transports point to ours; else the closest device model.
 */
static void device_append_hint(const char *driver, Error **errp)
{
    g_autoptr(GSList) list = object_class_get_list(TYPE_DEVICE, false);
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    const char *hint;

    if (!strcmp(driver, "virtio-mem") || !strcmp(driver, "virtio-mem-pci")) {
        error_append_hint(errp, "did you mean virtio-mem-device (virtio-mem "
                          "on virtio-mmio)? This machine has no PCI bus");
        return;
    }
    for (GSList *l = list; l; l = l->next) {
        if (DEVICE_CLASS(l->data)->user_creatable) {
            g_ptr_array_add(names, (char *)object_class_get_name(l->data));
        }
    }
    hint = suggest(driver, (const char *const *)names->pdata, names->len);
    if (hint) {
        error_append_hint(errp, "did you mean '%s'?", hint);
    }
}

static void opt_device(VlArg *a, void *opaque)
{
    Error *err = NULL;

    g_autofree char *type = help_type(a->arg);
    g_autofree char *kv = NULL;

    if (is_help(a->arg) || type) {
        qdev_device_help(type);
        exit(0);
    }
    kv = vl_arg_keyval(a, "driver");
    if (!qdev_device_add(kv, &err)) {
        type = g_strndup(kv, strcspn(kv, ","));
        if (!object_class_by_name(type)) {
            device_append_hint(type, &err);
        }
        error_report_err(err);
        exit(1);
    }
}

static void opt_tpmdev(VlArg *a, void *opaque)
{
    Error *err = NULL;

    if (!sysemu_tpmdev_add(a->arg, &err)) {
        error_report_err(err);
        exit(1);
    }
}

static unsigned compat_monitors;

static void opt_monitor(VlArg *a, void *opaque)
{
    Chardev *chr = NULL;
    bool pretty = false, hmp = false;
    Error *err = NULL;

    if (a->opt->index == OPT_MON) {
        g_autoptr(QemuOpts) opts = qemu_opts_parse(a->arg, "chardev", false,
                                                   &error_fatal);
        const char *id = qemu_opt_get(opts, "chardev");
        const char *mode = qemu_opt_get(opts, "mode");

        if (!id) {
            error_report("Parameter 'chardev' is missing");
            exit(1);
        }
        /* QEMU's default mode is readline: a human monitor (HMP) */
        if (mode && strcmp(mode, "control") && strcmp(mode, "readline")) {
            error_report("Parameter 'mode' does not accept value '%s'",
                         mode);
            exit(1);
        }
        hmp = !mode || !strcmp(mode, "readline");
        qemu_opt_get_bool(opts, "pretty", false, &pretty, &error_fatal);
        qemu_opts_check_unused(opts, &error_fatal);
        chr = qemu_chr_find(id);
        if (!chr) {
            error_report("chardev \"%s\" not found", id);
            exit(1);
        }
    } else {
        g_autofree char *label = NULL;

        if (a->opt->index == OPT_MONITOR && !strcmp(a->arg, "none")) {
            return;             /* QEMU: no monitor at all */
        }
        /* QEMU's -monitor is HMP (readline), -qmp control */
        hmp = a->opt->index == OPT_MONITOR;
        label = g_strdup_printf("compat_monitor%u", compat_monitors++);
        pretty = a->opt->index == OPT_QMP_PRETTY;
        chr = qemu_chr_new_compat(label, a->arg, &err);
        if (!chr) {
            error_report_err(err);
            exit(1);
        }
    }
    if (hmp && pretty) {
        warn_report("'pretty' is deprecated for HMP monitors, it has no "
                    "effect and will be removed in future versions");
    }
    if (hmp ? !monitor_init_hmp(chr, &err)
            : !monitor_init_qmp(chr, pretty, &err)) {
        error_report_err(err);
        exit(1);
    }
}

static gboolean on_signal(gpointer opaque)
{
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_SIGNAL);
    return G_SOURCE_CONTINUE;
}

static bool has_option(OptIndex index)
{
    for (guint i = 0; i < vl_args->len; i++) {
        if (((VlArg *)vl_args->pdata[i])->opt->index == index) {
            return true;
        }
    }
    return false;
}

static const char *machine_type_name(void)
{
    const char *type = "microvm";

    for (guint i = 0; i < vl_args->len; i++) {
        VlArg *a = vl_args->pdata[i];

        if (a->opt->index == OPT_MACHINE) {
            g_autofree char *help = help_type(a->arg);
            g_autoptr(QemuOpts) opts = qemu_opts_parse(help ? help : a->arg,
                                                       "type", false, NULL);
            const char *t = opts ? qemu_opt_get(opts, "type") : NULL;

            if (t) {
                type = g_intern_string(t);
            }
        }
    }
    return type;
}

/*
 * The accelerators, as QEMU chooses them: "-accel NAME" options, or the
 * legacy "-machine accel=A:B:C" list, tried in order; the first that
 * initialises wins.  Only qtest exists as an executor (a qtest client
 * plays the CPU).  "tcg" is accepted with the "none" machine only: that
 * board has no CPU and no RAM a guest could run from, so no guest code
 * runs under QEMU's TCG either, and a management tool probing with
 * libvirt's "-machine none,accel=kvm:tcg" gets the answers it would get
 * from a QEMU without KVM (query-kvm: not present) instead of no answer.
 * On a real board tcg would promise execution we do not do: refused.
 */
static const char *const vl_accels[] = { "qtest", "tcg" };

static void accel_help(void)
{
    printf("Accelerators supported in QEMU binary:\n");
    for (size_t i = 0; i < ARRAY_SIZE(vl_accels); i++) {
        printf("%s\n", vl_accels[i]);
    }
}

/* Try @name on machine @mtype; report why not (QEMU's words) if not. */
static bool accel_try(const char *name, const char *mtype)
{
    if (!strcmp(name, "qtest")) {
        return true;
    }
    if (!strcmp(name, "tcg")) {
        if (!strcmp(mtype, "none")) {
            return true;
        }
        error_report("failed to initialize tcg: sparsevm executes no guest "
                     "code; tcg is accepted only with -machine none "
                     "(capability probes); use -accel qtest");
        return false;
    }
    error_report("invalid accelerator %s", name);
    return false;
}

/*
 * The accelerator in use (exits with QEMU's messages if none works).
 * Nothing else depends on the choice: no guest code runs with either.
 */
static const char *configure_accelerator(const char *mtype)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *legacy = NULL;
    bool init_failed = false;

    for (guint i = 0; i < vl_args->len; i++) {
        VlArg *a = vl_args->pdata[i];
        g_autoptr(QemuOpts) opts = NULL;
        const char *v;

        error_set_location(a->label);
        if (a->opt->index == OPT_MACHINE) {
            opts = qemu_opts_parse(a->arg, "type", false, &error_fatal);
            v = qemu_opt_get(opts, "accel");
            if (v) {
                legacy = g_intern_string(v);
            }
        } else if (a->opt->index == OPT_ACCEL) {
            opts = qemu_opts_parse(a->arg, "accel", false, &error_fatal);
            v = qemu_opt_get(opts, "accel");
            if (!v) {
                error_report("Parameter 'accel' is missing");
                exit(1);
            }
            if (!strcmp(v, "help") || !strcmp(v, "?")) {
                accel_help();
                exit(0);
            }
            qemu_opt_get(opts, "thread");
            qemu_opts_check_unused(opts, &error_fatal);
            g_ptr_array_add(names, g_strdup(v));
        }
        error_set_location(NULL);
    }
    if (legacy) {
        g_auto(GStrv) list = g_strsplit(legacy, ":", -1);

        if (names->len) {
            error_report("The -accel and \"-machine accel=\" options are "
                         "incompatible");
            exit(1);
        }
        if (!strcmp(legacy, "help") || !strcmp(legacy, "?")) {
            accel_help();
            exit(0);
        }
        for (char **n = list; *n; n++) {
            g_ptr_array_add(names, g_strdup(*n));
        }
    }
    if (!names->len) {
        return "qtest";
    }
    for (guint i = 0; i < names->len; i++) {
        const char *name = names->pdata[i];

        if (accel_try(name, mtype)) {
            if (init_failed && !qtest_spec) {
                error_report("falling back to %s", name);
            }
            return g_intern_string(name);
        }
        init_failed = true;
    }
    if (!init_failed) {
        error_report("no accelerator found");
    }
    exit(1);
}

int main(int argc, char **argv)
{
    MachineClass *mc;
    MachineState *ms;
    const char *mtype;
    Error *err = NULL;

    error_init(argv[0]);
    signal(SIGPIPE, SIG_IGN);
    /* Before any thread: dump readers turn SIGBUS into an error. */
    host_mem_guard_init();
    parse_argv(argc, argv);
    if (has_option(OPT_HELP)) {
        help();
        return 0;
    }
    if (has_option(OPT_VERSION)) {
        version();
        return 0;
    }

    register_types();
    register_commands();
    monitor_init_globals();
    /* the daemon's stdio goes to /dev/null: refuse it for chardevs */
    qemu_chr_set_daemonize(has_option(OPT_DAEMONIZE));
    for (OptIndex i = 0; i < OPT__MAX; i++) {
        if (i != OPT_OBJECT && i != OPT_DEVICE && i != OPT_MACHINE &&
            i != OPT_M && i != OPT_SMP && i != OPT_BIOS && i != OPT_QMP &&
            i != OPT_CPU && i != OPT_MONITOR &&
            i != OPT_QMP_PRETTY && i != OPT_MON && i != OPT_TPMDEV) {
            for_each_arg(i, opt_early, NULL);
        }
    }

    mtype = machine_type_name();
    if (!strcmp(mtype, "help") || !strcmp(mtype, "?")) {
        machine_help();
        return 0;
    }
    mc = machine_class_find(mtype);
    if (!mc) {
        error_report("unsupported machine type \"%s\"", mtype);
        fprintf(stderr, "Use -machine help to list supported machines\n");
        return 1;
    }
    for (guint i = 0; i < vl_args->len; i++) {
        VlArg *a = vl_args->pdata[i];
        g_autofree char *type = NULL;

        if (a->opt->index == OPT_MACHINE && (type = help_type(a->arg))) {
            /* QEMU lists the properties of the chosen machine */
            Object *obj = object_new(object_class_get_name(OBJECT_CLASS(mc)));

            object_print_settable_properties(obj, object_get_typename(obj));
            object_unref(obj);
            return 0;
        }
    }
    configure_accelerator(mtype);
    if (has_option(OPT_DAEMONIZE)) {
        daemonize_start();
    }
    ms = MACHINE(object_new(object_class_get_name(OBJECT_CLASS(mc))));
    object_property_add_child(object_get_root(), "machine", OBJECT(ms));
    object_unref(OBJECT(ms));
    ms->ram_size = mc->default_ram_size;
    ms->maxram_size = ms->ram_size;
    for_each_arg(OPT_MACHINE, opt_machine, ms);
    for_each_arg(OPT_M, opt_memory, ms);
    for_each_arg(OPT_SMP, opt_smp, ms);
    for_each_arg(OPT_BIOS, opt_bios, ms);
    for_each_arg(OPT_CPU, opt_cpu, ms);

    host_memory_backend_set_merge_default(ms->mem_merge);
    for_each_arg(OPT_OBJECT, opt_object, NULL);
    for_each_arg(OPT_TPMDEV, opt_tpmdev, NULL);

    if (!machine_check_options(ms, &err)) {
        error_report_err(err);
        return 1;
    }
    memory_region_init(&ms->sysmem, OBJECT(ms), "system", UINT64_MAX);
    memory_region_init(&ms->sysio, OBJECT(ms), "io", 0x10000);
    address_space_init(&ms->as_memory, &ms->sysmem, "memory");
    address_space_init(&ms->as_io, &ms->sysio, "I/O");
    if (!mc->init(ms, &err)) {
        error_report_err(err);
        return 1;
    }
    qemu_register_reset((QEMUResetHandler *)qdev_reset_all, NULL);
    for_each_arg(OPT_DEVICE, opt_device, NULL);
    machine_set_created(ms);

    if (ms->dumpdtb) {
        if (!mc->dumpdtb) {
            error_report("This machine doesn't have an FDT");
            return 1;
        }
        if (!mc->dumpdtb(ms, ms->dumpdtb, &err)) {
            error_report_err(err);
            return 1;
        }
        info_report("dtb dumped to %s. Exiting.", ms->dumpdtb);
        return 0;
    }
    if (pidfile && !qemu_write_pidfile(pidfile, &err)) {
        error_reportf_err(err, "cannot create PID file: ");
        return 1;
    }

    if (qtest_spec) {
        /* As QEMU: under qtest, event rate limits follow the test's clock. */
        monitor_set_event_clock(QEMU_CLOCK_VIRTUAL);
    }
    if (qtest_spec && !qtest_server_init(qtest_spec, qtest_log,
                                         &ms->as_memory, &ms->as_io, &err)) {
        error_reportf_err(err, "-qtest %s: ", qtest_spec);
        return 1;
    }
    for (guint i = 0; i < vl_args->len; i++) {
        VlArg *a = vl_args->pdata[i];

        if (a->opt->index == OPT_QMP || a->opt->index == OPT_QMP_PRETTY ||
            a->opt->index == OPT_MON || a->opt->index == OPT_MONITOR) {
            error_set_location(a->label);
            opt_monitor(a, NULL);
            error_set_location(NULL);
        }
    }

    daemonize_finish();
    g_unix_signal_add(SIGTERM, on_signal, NULL);
    g_unix_signal_add(SIGINT, on_signal, NULL);
    g_unix_signal_add(SIGHUP, on_signal, NULL);

    qemu_system_reset(SHUTDOWN_CAUSE_NONE);
    if (!start_paused) {
        vm_start();
    }
    qemu_main_loop();

    /* a dump ends (DUMP_COMPLETED, its reply) while the monitors exist */
    dump_cleanup_at_exit();
    monitor_cleanup();
    sysemu_cleanup();
    qtest_server_cleanup();
    qemu_chr_cleanup();
    if (pidfile) {
        qemu_unlink_pidfile(pidfile);
    }
    g_ptr_array_free(vl_args, true);
    return 0;
}
